/**
 * Each L-BFGS-B building block against a dense, independent computation: the compact
 * representation against the BFGS recursion, the Cauchy point against a direct segment-by-segment
 * minimization of the model along the projected path, the subspace step against a dense solve, and
 * the line search against the strong Wolfe conditions it promises.
 */
import { describe, expect, it } from 'vitest';

import { type Box, prepareBox, projectedGradientNorm, stepToBound, stepToOverflow } from '../../src/optim/bounds.ts';
import { CauchyPoint } from '../../src/optim/cauchy.ts';
import { columnDotsAt } from '../../src/optim/columns.ts';
import { CompactMemory } from '../../src/optim/compactMemory.ts';
import { MoreThuenteSearch } from '../../src/optim/lineSearch.ts';
import { SubspaceStep } from '../../src/optim/subspace.ts';
import { gaussian, maxAbsDiff, randomSpd, seededRandom } from './problems.ts';

/** Wᵀv over every coordinate. */
function wTransposeTimes(mem: CompactMemory, v: Float64Array, out: Float64Array): void {
  const all = Int32Array.from({ length: mem.n }, (_, i) => i);
  columnDotsAt(mem.s, mem.y, mem.offsets, mem.count, mem.theta, all, mem.n, v, out);
}

/** Fills a memory with `pairs` pairs (s random, y = H s for an SPD H), returning all pairs pushed. */
function filledMemory(seed: number, n: number, m: number, pairs: number) {
  const rand = seededRandom(seed);
  const H = randomSpd(rand, n, 0.2);
  const mem = new CompactMemory(n, m);
  const all: { s: Float64Array; y: Float64Array }[] = [];
  for (let k = 0; k < pairs; k++) {
    const s = Float64Array.from({ length: n }, () => gaussian(rand));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += H[i * n + j] * s[j];
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    // The pair is stored as (s − 0, y − 0).
    const zero = new Float64Array(n);
    expect(mem.commit(s, zero, y, zero, sy, yy)).toBe(true);
    all.push({ s, y });
  }
  return { mem, all, rand };
}

/** Dense B from the BFGS recursion over the last m pairs, started from θI (θ of the newest pair). */
function denseBfgs(n: number, pairs: { s: Float64Array; y: Float64Array }[], theta: number): Float64Array {
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) B[i * n + i] = theta;
  for (const { s, y } of pairs) {
    const Bs = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Bs[i] += B[i * n + j] * s[j];
    let sBs = 0;
    let ys = 0;
    for (let i = 0; i < n; i++) {
      sBs += s[i] * Bs[i];
      ys += y[i] * s[i];
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) B[i * n + j] += -(Bs[i] * Bs[j]) / sBs + (y[i] * y[j]) / ys;
    }
  }
  return B;
}

/** B v through the compact form θv − W M Wᵀ v. */
function compactTimes(mem: CompactMemory, v: Float64Array): Float64Array {
  const n = mem.n;
  const col = mem.count;
  const wv = new Float64Array(2 * col);
  wTransposeTimes(mem, v, wv);
  const mwv = new Float64Array(2 * col);
  mem.applyMiddle(wv, mwv);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mem.theta * v[i];
  for (let j = 0; j < col; j++) {
    const off = mem.slot(j) * n;
    for (let i = 0; i < n; i++) {
      out[i] -= mem.y[off + i] * mwv[j] + mem.theta * mem.s[off + i] * mwv[col + j];
    }
  }
  return out;
}

function denseTimes(B: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i] += B[i * n + j] * v[j];
  return out;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

describe('compact representation', () => {
  for (const pairs of [1, 3, 5, 9]) {
    it(`θI − W M Wᵀ equals the BFGS recursion (${pairs} pairs pushed, memory 5)`, () => {
      const n = 12;
      const { mem, all, rand } = filledMemory(pairs, n, 5, pairs);
      expect(mem.count).toBe(Math.min(pairs, 5));
      const B = denseBfgs(n, all.slice(-5), mem.theta);
      for (let t = 0; t < 3; t++) {
        const v = Float64Array.from({ length: n }, () => gaussian(rand));
        const a = compactTimes(mem, v);
        const b = denseTimes(B, v);
        expect(maxAbsDiff(a, b) / norm(b)).toBeLessThan(1e-10);
      }
    });
  }

  it('reset returns to B = I', () => {
    const { mem } = filledMemory(3, 6, 4, 3);
    mem.reset();
    expect(mem.count).toBe(0);
    expect(mem.theta).toBe(1);
  });
});

/**
 * Reference GCP: walk the projected path segment by segment with dense B, returning the first
 * local minimizer of the model.
 */
function denseCauchy(x: Float64Array, g: Float64Array, box: Box, B: Float64Array): Float64Array {
  const n = x.length;
  const tBreak = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (g[i] < 0) tBreak[i] = (x[i] - box.upper[i]) / g[i];
    else if (g[i] > 0) tBreak[i] = (x[i] - box.lower[i]) / g[i];
    else tBreak[i] = Infinity;
  }
  const times = Array.from(new Set(Array.from(tBreak).filter((t) => t > 0 && t < Infinity))).sort((a, b) => a - b);
  times.push(Infinity);
  const point = (t: number) => {
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      p[i] = Math.min(Math.max(x[i] - Math.min(t, tBreak[i]) * g[i], box.lower[i]), box.upper[i]);
    }
    return p;
  };
  let tStart = 0;
  for (const tEnd of times) {
    const xs = point(tStart);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = tBreak[i] > tStart ? -g[i] : 0;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = xs[i] - x[i];
    const Bd = denseTimes(B, d);
    let f1 = 0;
    let f2 = 0;
    for (let i = 0; i < n; i++) {
      f1 += g[i] * d[i] + z[i] * Bd[i];
      f2 += d[i] * Bd[i];
    }
    if (f1 >= 0) return xs;
    const tStar = f2 > 0 ? -f1 / f2 : Infinity;
    if (tStar < tEnd - tStart) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = xs[i] + tStar * d[i];
      return out;
    }
    tStart = tEnd;
  }
  return point(Infinity);
}

function randomBoxProblem(seed: number, n: number) {
  const rand = seededRandom(seed);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  const x = new Float64Array(n);
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    lower[i] = kind === 0 ? -Infinity : -1 - rand();
    upper[i] = kind === 1 ? Infinity : 1 + rand();
    // a few variables start on a bound
    x[i] = i % 7 === 3 ? upper[i] : i % 7 === 5 ? lower[i] : rand() - 0.5;
    if (!Number.isFinite(x[i])) x[i] = 0;
    g[i] = 3 * gaussian(rand);
  }
  return { box: prepareBox(n, lower, upper), x, g };
}

describe('generalized Cauchy point', () => {
  for (const [seed, pairs] of [
    [1, 0],
    [2, 2],
    [3, 6],
    [4, 11],
  ] as const) {
    it(`matches a dense segment-by-segment search (seed ${seed}, ${pairs} pairs)`, () => {
      const n = 16;
      const { mem, all } = filledMemory(100 + seed, n, 6, pairs);
      const { box, x, g } = randomBoxProblem(seed, n);
      const B = denseBfgs(n, all.slice(-6), mem.theta);
      const cp = new CauchyPoint(n, 6);
      const xcp = new Float64Array(n);
      cp.compute(x, g, box, mem, xcp);
      const expected = denseCauchy(x, g, box, B);
      expect(maxAbsDiff(xcp, expected)).toBeLessThan(1e-10);
      // c = Wᵀ(x^c − x)
      const diff = new Float64Array(n);
      for (let i = 0; i < n; i++) diff[i] = xcp[i] - x[i];
      const c = new Float64Array(2 * mem.count);
      wTransposeTimes(mem, diff, c);
      expect(maxAbsDiff(cp.c.subarray(0, 2 * mem.count), c)).toBeLessThan(1e-10);
      // Pinned variables are on a bound at the GCP.
      for (let k = cp.nFree; k < n; k++) {
        const i = cp.partition[k];
        expect(xcp[i] === box.lower[i] || xcp[i] === box.upper[i]).toBe(true);
      }
    });
  }
});

describe('subspace minimization', () => {
  it('free-variable step equals the dense reduced Newton step when nothing is clipped', () => {
    for (const seed of [1, 2, 3]) {
      const n = 14;
      const { mem, all } = filledMemory(200 + seed, n, 5, 7);
      const B = denseBfgs(n, all.slice(-5), mem.theta);
      const { box: tight, x, g } = randomBoxProblem(seed, n);
      const cp = new CauchyPoint(n, 5);
      const z = new Float64Array(n);
      cp.compute(x, g, tight, mem, z);
      const xcp = Float64Array.from(z);
      // Loosen the free variables' bounds afterwards so the projection cannot clip them.
      const lo = Float64Array.from(tight.lower);
      const hi = Float64Array.from(tight.upper);
      const free = Array.from(cp.partition.subarray(0, cp.nFree));
      for (const i of free) {
        lo[i] = -1e6;
        hi[i] = 1e6;
      }
      const loose = prepareBox(n, lo, hi);
      const sub = new SubspaceStep(n, 5);
      expect(sub.run(mem, x, g, loose, z, cp.c, cp.partition, cp.nFree)).toBe(true);

      // Dense: minimize the model over the free variables with the pinned ones at x^c.
      const k = free.length;
      const diff = new Float64Array(n);
      for (let i = 0; i < n; i++) diff[i] = xcp[i] - x[i];
      const Bdiff = denseTimes(B, diff);
      const H = new Float64Array(k * k);
      const r = new Float64Array(k);
      for (let a = 0; a < k; a++) {
        r[a] = -(g[free[a]] + Bdiff[free[a]]);
        for (let b = 0; b < k; b++) H[a * k + b] = B[free[a] * n + free[b]];
      }
      // Gaussian elimination (H is SPD).
      for (let p = 0; p < k; p++) {
        for (let q = p + 1; q < k; q++) {
          const f = H[q * k + p] / H[p * k + p];
          for (let c = p; c < k; c++) H[q * k + c] -= f * H[p * k + c];
          r[q] -= f * r[p];
        }
      }
      const du = new Float64Array(k);
      for (let p = k - 1; p >= 0; p--) {
        let s = r[p];
        for (let c = p + 1; c < k; c++) s -= H[p * k + c] * du[c];
        du[p] = s / H[p * k + p];
      }
      for (let a = 0; a < k; a++) {
        expect(Math.abs(z[free[a]] - (xcp[free[a]] + du[a]))).toBeLessThan(1e-8 * (1 + Math.abs(du[a])));
      }
      for (let q = cp.nFree; q < n; q++) expect(z[cp.partition[q]]).toBe(xcp[cp.partition[q]]);
    }
  });

  it('clipped steps stay in the box and, when kept, point downhill (MN11 rule)', () => {
    let sawClip = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const n = 14;
      const { mem } = filledMemory(300 + seed, n, 5, 5);
      const { box, x, g } = randomBoxProblem(1000 + seed, n);
      const cp = new CauchyPoint(n, 5);
      const z = new Float64Array(n);
      cp.compute(x, g, box, mem, z);
      if (cp.nFree === 0) continue;
      const sub = new SubspaceStep(n, 5);
      expect(sub.run(mem, x, g, box, z, cp.c, cp.partition, cp.nFree)).toBe(true);
      let slope = 0;
      for (let i = 0; i < n; i++) {
        expect(z[i]).toBeGreaterThanOrEqual(box.lower[i]);
        expect(z[i]).toBeLessThanOrEqual(box.upper[i]);
        slope += (z[i] - x[i]) * g[i];
      }
      for (let q = 0; q < cp.nFree; q++) {
        const i = cp.partition[q];
        if (z[i] === box.lower[i] || z[i] === box.upper[i]) sawClip++;
      }
      expect(slope).toBeLessThanOrEqual(0);
    }
    expect(sawClip).toBeGreaterThan(0);
  });
});

describe('Moré–Thuente line search', () => {
  // Test functions of MT94 §5 (φ and φ′).
  const functions: [string, (a: number) => [number, number], number, number][] = [
    ['φ1 = −α/(α²+2)', (a) => [-a / (a * a + 2), (a * a - 2) / (a * a + 2) ** 2], 1e-3, 0.1],
    [
      'φ2 = (α+0.004)⁵ − 2(α+0.004)⁴',
      (a) => {
        const t = a + 0.004;
        return [t ** 5 - 2 * t ** 4, 5 * t ** 4 - 8 * t ** 3];
      },
      0.1,
      0.1,
    ],
    [
      'φ3 (wiggly, l = 39, β = 0.01)',
      (a) => {
        const beta = 0.01;
        const l = 39;
        const psi = (x: number) =>
          x <= 1 - beta ? 1 - x : x >= 1 + beta ? x - 1 : (x - 1) ** 2 / (2 * beta) + beta / 2;
        const dpsi = (x: number) => (x <= 1 - beta ? -1 : x >= 1 + beta ? 1 : (x - 1) / beta);
        const w = ((2 * (1 - beta)) / (l * Math.PI)) * Math.sin((l * Math.PI * a) / 2);
        const dw = (1 - beta) * Math.cos((l * Math.PI * a) / 2);
        return [psi(a) + w, dpsi(a) + dw];
      },
      0.1,
      0.1,
    ],
  ];
  for (const [name, phi, ftol, gtol] of functions) {
    for (const a0 of [1e-3, 1e-1, 10, 1e3]) {
      it(`${name}, α₀ = ${a0}: ends at a strong Wolfe point`, () => {
        const ls = new MoreThuenteSearch(ftol, gtol, 1e-10);
        const [f0, g0] = phi(0);
        ls.start(f0, g0, a0, 0, 1e10);
        let outcome = 'evaluate';
        let evals = 0;
        let f = 0;
        let g = 0;
        while (outcome === 'evaluate' && evals < 40) {
          [f, g] = phi(ls.step);
          evals++;
          outcome = ls.update(f, g);
        }
        expect(outcome).toBe('converged');
        expect(f).toBeLessThanOrEqual(f0 + ftol * ls.step * g0);
        expect(Math.abs(g)).toBeLessThanOrEqual(gtol * Math.abs(g0));
        // MT94's tables report at most 12 evaluations for these cases.
        expect(evals).toBeLessThanOrEqual(15);
      });
    }
  }
});

describe('box helpers at the edges of the double range', () => {
  it('stepToOverflow, folded over the variables, keeps every x + αd finite, and caps no more than a factor of 4 below the overflow point', () => {
    const rand = seededRandom(17);
    const fold = (x: Float64Array, d: Float64Array, cap: number) => x.reduce((alpha, xi, i) => stepToOverflow(xi, d[i], alpha), cap);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 5);
      const x = Float64Array.from({ length: n }, () => (rand() - 0.5) * 10 ** (rand() * 308));
      const d = Float64Array.from({ length: n }, () => (rand() - 0.5) * 10 ** (rand() * 308));
      const alpha = fold(x, d, 1e10);
      expect(alpha).toBeGreaterThan(0);
      expect(alpha).toBeLessThanOrEqual(1e10);
      for (let i = 0; i < n; i++) expect(Number.isFinite(x[i] + alpha * d[i]), `x ${x[i]}, d ${d[i]}, α ${alpha}`).toBe(true);
      // Unless the cap binds, some coordinate would overflow at 4α (in float64 arithmetic, exactly).
      if (alpha < 1e10) expect(x.some((v, i) => Math.abs(v) + 4 * alpha * Math.abs(d[i]) > Number.MAX_VALUE)).toBe(true);
    }
    expect(fold(Float64Array.of(1, 2), Float64Array.of(0, 0), 7)).toBe(7);
  });

  it('stepToBound, folded over the variables, gives the largest step that stays in the box', () => {
    const rand = seededRandom(23);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 6);
      const lower = Float64Array.from({ length: n }, () => (rand() < 0.2 ? -Infinity : -rand()));
      const upper = Float64Array.from({ length: n }, () => (rand() < 0.2 ? Infinity : rand()));
      // Some variables start on a bound, some directions are zero.
      const x = Float64Array.from({ length: n }, (_, i) => (rand() < 0.2 && Number.isFinite(lower[i]) ? lower[i] : lower[i] === -Infinity ? -rand() / 2 : lower[i] + (Math.min(upper[i], 1) - lower[i]) * rand()));
      const d = Float64Array.from({ length: n }, () => (rand() < 0.2 ? 0 : gaussian(rand)));
      const alpha = x.reduce((a, xi, i) => stepToBound(xi, d[i], lower[i], upper[i], a), 1e10);
      // Reference: the smallest distance to a bound in the direction of travel, in exact arithmetic's terms.
      let expected = 1e10;
      for (let i = 0; i < n; i++) {
        if (d[i] < 0) expected = Math.min(expected, (lower[i] - x[i]) / d[i]);
        if (d[i] > 0) expected = Math.min(expected, (upper[i] - x[i]) / d[i]);
      }
      expect(alpha).toBeGreaterThanOrEqual(0);
      expect(Math.abs(alpha - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected));
      for (let i = 0; i < n; i++) {
        const v = x[i] + alpha * d[i];
        expect(v).toBeGreaterThanOrEqual(lower[i] - 1e-12);
        expect(v).toBeLessThanOrEqual(upper[i] + 1e-12);
      }
    }
  });

  it('projectedGradientNorm keeps a gradient far smaller than x instead of rounding it away', () => {
    const box = prepareBox(3, Float64Array.of(-Infinity, 0, -Infinity), Float64Array.of(Infinity, 1e300, 5));
    // Unbounded at 1e30, far from both bounds at 1e200, and on its upper bound with g pushing outwards.
    expect(projectedGradientNorm(Float64Array.of(1e30, 1e200, 5), Float64Array.of(-1, 0.5, -3), box)).toBe(1);
    expect(projectedGradientNorm(Float64Array.of(1e30, 1e-3, 5), Float64Array.of(0, 0.5, -3), box)).toBe(1e-3);
  });
});
