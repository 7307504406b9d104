/**
 * Behaviour of the single-problem solver: optimality on problems with independently known answers,
 * bound handling, bad input, stopping rules and the state-machine protocol.
 */
import { describe, expect, it } from 'vitest';

import { LbfgsbSolver, minimizeLbfgsb } from '../../src/optim/lbfgsb.ts';
import {
  gaussian,
  kktResidual,
  maxAbsDiff,
  quadratic,
  randomSpd,
  rosenbrock,
  seededRandom,
  solveBoxQpExactly,
} from './problems.ts';

/** Random SPD quadratic whose box [−1, 1] binds for about half the variables. */
function boxQp(seed: number, n: number) {
  const rand = seededRandom(seed);
  const A = randomSpd(rand, n, 0.3);
  // b = A u with u spread over [−2, 2], so the unconstrained minimizer u leaves the box in about
  // half the coordinates.
  const u = Float64Array.from({ length: n }, () => 4 * rand() - 2);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j] * u[j];
  const x0 = Float64Array.from({ length: n }, () => rand() - 0.5);
  return { A, b, x0, lower: new Float64Array(n).fill(-1), upper: new Float64Array(n).fill(1) };
}

function countActive(x: Float64Array, lower: Float64Array, upper: Float64Array): number {
  let k = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === lower[i] || x[i] === upper[i]) k++;
  return k;
}

describe('convex box-constrained quadratics vs an exact active-set solve', () => {
  for (const [seed, n] of [
    [1, 8],
    [2, 25],
    [3, 60],
    [4, 120],
  ] as const) {
    it(`seed ${seed}, n=${n}`, () => {
      const { A, b, x0, lower, upper } = boxQp(seed, n);
      const exact = solveBoxQpExactly(A, b, lower, upper);
      const active = countActive(exact, lower, upper);
      // The construction is meant to bind roughly half the bounds; make sure the test is not vacuous.
      expect(active).toBeGreaterThanOrEqual(Math.floor(n / 5));
      expect(active).toBeLessThanOrEqual(n - Math.floor(n / 5));

      const fg = quadratic(A, b);
      const res = minimizeLbfgsb(fg, x0, lower, upper, { pgtol: 1e-9, factr: 10 });
      expect(['converged-pgtol', 'converged-factr']).toContain(res.status);
      expect(kktResidual(res.x, res.g, lower, upper)).toBeLessThan(1e-6);
      expect(maxAbsDiff(res.x, exact)).toBeLessThan(1e-6);
      // Same active set, hit exactly (the solver lands on bounds, it does not creep towards them).
      for (let i = 0; i < n; i++) {
        const exactAt = exact[i] === lower[i] || exact[i] === upper[i];
        const oursAt = res.x[i] === lower[i] || res.x[i] === upper[i];
        expect(oursAt, `variable ${i}`).toBe(exactAt);
      }
      expect(res.f).toBeLessThanOrEqual(fg(exact).f + 1e-10 * Math.max(1, Math.abs(res.f)));
    });
  }
});

describe('unconstrained problems (L-BFGS)', () => {
  it('quadratic: reaches A⁻¹b', () => {
    const n = 40;
    const rand = seededRandom(7);
    const A = randomSpd(rand, n, 0.5);
    const b = Float64Array.from({ length: n }, () => gaussian(rand));
    const inf = new Float64Array(n).fill(Infinity);
    const exact = solveBoxQpExactly(A, b, new Float64Array(n).fill(-Infinity), inf);
    // f ≈ −24 here, so below a gradient of ~1e-8 a step no longer changes f in float64; 1e-7 is
    // about as tight as pgtol can usefully be.
    const res = minimizeLbfgsb(quadratic(A, b), new Float64Array(n), null, null, { pgtol: 1e-7, factr: 0 });
    expect(res.status).toBe('converged-pgtol');
    expect(maxAbsDiff(res.x, exact)).toBeLessThan(1e-6);
    expect(res.warnings).toEqual([]);
  });

  for (const n of [2, 10, 30]) {
    it(`Rosenbrock n=${n}: reaches (1, …, 1)`, () => {
      const x0 = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const res = minimizeLbfgsb(rosenbrock, x0, null, null, { pgtol: 1e-8, factr: 10 });
      expect(['converged-pgtol', 'converged-factr']).toContain(res.status);
      expect(maxAbsDiff(res.x, new Float64Array(n).fill(1))).toBeLessThan(1e-5);
      expect(res.f).toBeLessThan(1e-10);
    });
  }

  it('infinite bounds behave exactly like no bounds', () => {
    const n = 10;
    const x0 = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const a = minimizeLbfgsb(rosenbrock, x0, null, null);
    const b = minimizeLbfgsb(
      rosenbrock,
      x0,
      new Float64Array(n).fill(-Infinity),
      new Float64Array(n).fill(Infinity),
    );
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(b.iterations).toBe(a.iterations);
    expect(b.evaluations).toBe(a.evaluations);
  });
});

describe('bounded Rosenbrock (bounds active at the optimum)', () => {
  it('n=2 with x₀ ≤ 0.5: optimum (0.5, 0.25)', () => {
    const res = minimizeLbfgsb(rosenbrock, Float64Array.of(-1.2, 1), Float64Array.of(-2, -2), Float64Array.of(0.5, 2), {
      pgtol: 1e-9,
    });
    expect(res.x[0]).toBe(0.5);
    expect(res.x[1]).toBeCloseTo(0.25, 7);
    expect(res.g[0]).toBeLessThan(0); // multiplier sign: f would decrease past the upper bound
  });

  it('n=10 and n=100: KKT conditions hold, the first variable sits on its upper bound', () => {
    for (const n of [10, 100]) {
      const x0 = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const lower = new Float64Array(n).fill(-2);
      const upper = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.7 : 2));
      const res = minimizeLbfgsb(rosenbrock, x0, lower, upper, { pgtol: 1e-8, factr: 10 });
      expect(kktResidual(res.x, res.g, lower, upper)).toBeLessThan(1e-6);
      // Unconstrained, x₀ would be 1; the cap 0.7 binds (and, along the chain, pulls the others
      // below their caps).
      expect(res.x[0]).toBe(0.7);
      expect(res.g[0]).toBeLessThan(0);
    }
  });
});

describe('one-sided and mixed bounds', () => {
  it('x ≥ 0 only (non-negative least squares shape)', () => {
    const n = 30;
    const { A, b } = boxQp(11, n);
    const lower = new Float64Array(n);
    const exact = solveBoxQpExactly(A, b, lower, new Float64Array(n).fill(Infinity));
    const res = minimizeLbfgsb(quadratic(A, b), new Float64Array(n).fill(1), lower, null, { pgtol: 1e-9, factr: 10 });
    expect(maxAbsDiff(res.x, exact)).toBeLessThan(1e-6);
    expect(countActive(res.x, lower, new Float64Array(n).fill(Infinity))).toBeGreaterThan(0);
  });

  it('x ≤ 0 only', () => {
    const n = 30;
    const { A, b } = boxQp(12, n);
    const upper = new Float64Array(n);
    const exact = solveBoxQpExactly(A, b, new Float64Array(n).fill(-Infinity), upper);
    const res = minimizeLbfgsb(quadratic(A, b), new Float64Array(n).fill(-1), null, upper, { pgtol: 1e-9, factr: 10 });
    expect(maxAbsDiff(res.x, exact)).toBeLessThan(1e-6);
  });

  it('per-variable mix of none / lower / upper / both / fixed (l = u)', () => {
    const n = 40;
    const { A, b } = boxQp(13, n);
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const kind = i % 5;
      lower[i] = kind === 1 || kind === 3 ? -0.5 : kind === 4 ? 0.25 : -Infinity;
      upper[i] = kind === 2 || kind === 3 ? 0.5 : kind === 4 ? 0.25 : Infinity;
    }
    const exact = solveBoxQpExactly(A, b, lower, upper);
    const res = minimizeLbfgsb(quadratic(A, b), new Float64Array(n), lower, upper, { pgtol: 1e-9, factr: 10 });
    expect(maxAbsDiff(res.x, exact)).toBeLessThan(1e-6);
    for (let i = 4; i < n; i += 5) expect(res.x[i]).toBe(0.25);
  });
});

describe('bad input', () => {
  it('lower > upper throws, naming the variable and the values', () => {
    const lower = Float64Array.of(0, 2, 0);
    const upper = Float64Array.of(1, 1, 1);
    expect(() => new LbfgsbSolver(new Float64Array(3), lower, upper)).toThrow(/variable 1.*lower 2 > upper 1/);
  });

  it('mismatched lengths and NaN bounds throw', () => {
    expect(() => new LbfgsbSolver(new Float64Array(3), new Float64Array(2), null)).toThrow(/length 2/);
    expect(() => new LbfgsbSolver(new Float64Array(2), Float64Array.of(0, Number.NaN), null)).toThrow(/NaN/);
    expect(() => new LbfgsbSolver(new Float64Array(2), null, null, { memory: 0 })).toThrow(/memory/);
  });

  it('x0 outside the bounds is projected and a warning recorded', () => {
    const lower = Float64Array.of(0, 0, 0);
    const upper = Float64Array.of(1, 1, 1);
    const solver = new LbfgsbSolver(Float64Array.of(-3, 0.5, 7), lower, upper);
    expect(Array.from(solver.pending()!)).toEqual([0, 0.5, 1]);
    expect(solver.warnings.length).toBe(1);
    expect(solver.warnings[0]).toMatch(/2 component\(s\) outside the bounds/);
    expect(solver.warnings[0]).toMatch(/index 0, value -3/);
    // and the run still solves the problem
    const fg = (x: Float64Array) => {
      let f = 0;
      const g = new Float64Array(3);
      for (let i = 0; i < 3; i++) {
        f += (x[i] - 0.3) ** 2;
        g[i] = 2 * (x[i] - 0.3);
      }
      return { f, g };
    };
    const res = minimizeLbfgsb(fg, Float64Array.of(-3, 0.5, 7), lower, upper);
    expect(maxAbsDiff(res.x, [0.3, 0.3, 0.3])).toBeLessThan(1e-6);
    expect(res.warnings.length).toBe(1);
  });

  it('NaN f stops with status non-finite, keeping the last good iterate', () => {
    let calls = 0;
    let lastGood = Number.NaN;
    const res = minimizeLbfgsb(
      (x) => {
        calls++;
        if (calls === 6) return { f: Number.NaN, g: new Float64Array(x.length) };
        const r = rosenbrock(x);
        return r;
      },
      Float64Array.of(-1.2, 1),
      null,
      null,
    );
    expect(res.status).toBe('non-finite');
    expect(res.evaluations).toBe(6);
    expect(Number.isFinite(res.f)).toBe(true);
    lastGood = rosenbrock(res.x).f;
    expect(res.f).toBe(lastGood);
    expect(res.f).toBeLessThan(rosenbrock(Float64Array.of(-1.2, 1)).f);
  });

  it('non-finite gradient entries and an infinite f also stop with non-finite', () => {
    const badGradient = () => ({ f: 1, g: Float64Array.of(0.5, Number.POSITIVE_INFINITY) });
    const badG = minimizeLbfgsb(badGradient, Float64Array.of(1, 2), null, null);
    expect(badG.status).toBe('non-finite');
    expect(badG.evaluations).toBe(1);
    expect(Array.from(badG.x)).toEqual([1, 2]);
    const infF = minimizeLbfgsb(() => ({ f: Infinity, g: Float64Array.of(1, 1) }), Float64Array.of(1, 2), null, null);
    expect(infF.status).toBe('non-finite');
  });
});

describe('stopping rules and protocol', () => {
  const x0 = Float64Array.of(-1.2, 1, -1.2, 1, -1.2, 1);

  it('max-iterations', () => {
    const res = minimizeLbfgsb(rosenbrock, x0, null, null, { maxIterations: 5 });
    expect(res.status).toBe('max-iterations');
    expect(res.iterations).toBe(5);
  });

  it('max-evaluations is a hard cap', () => {
    let calls = 0;
    const res = minimizeLbfgsb(
      (x) => {
        calls++;
        return rosenbrock(x);
      },
      x0,
      null,
      null,
      { maxEvaluations: 9 },
    );
    expect(res.status).toBe('max-evaluations');
    expect(calls).toBe(9);
    expect(res.evaluations).toBe(9);
  });

  it('a gradient pointing the wrong way makes the line search fail after one restart', () => {
    // f increases along the "descent" direction, so every line search fails; with no memory on
    // the first iteration the solver must give up at once, with a status.
    const res = minimizeLbfgsb(
      (x) => {
        const r = rosenbrock(x);
        for (let i = 0; i < r.g.length; i++) r.g[i] = -r.g[i];
        return r;
      },
      x0,
      null,
      null,
    );
    expect(res.status).toBe('line-search-failed');
    expect(res.iterations).toBe(0);
    expect(Array.from(res.x)).toEqual(Array.from(x0));
  });

  it('restarts (drops memory) when the line search fails once with memory', () => {
    // Correct gradients for a few iterations build up memory; then the gradient sign flips,
    // which makes every later line search fail: first a restart, then the final failure.
    let calls = 0;
    const solver = new LbfgsbSolver(x0, null, null);
    let p: Float64Array | null;
    while ((p = solver.pending()) !== null) {
      calls++;
      const r = rosenbrock(p);
      if (calls > 12) for (let i = 0; i < r.g.length; i++) r.g[i] = -r.g[i];
      solver.tell(r.f, r.g);
    }
    expect(solver.status).toBe('line-search-failed');
    expect(solver.iterations).toBeGreaterThan(0);
    expect(solver.restarts).toBe(1);
  });

  it('skips pairs with non-positive curvature (concave objective)', () => {
    // On f = −Σ x_i² the line search can only stop at the largest feasible step ("step at maximum"),
    // where sᵀy = −2‖s‖² < 0. Such pairs must be skipped: storing one would make θ negative and
    // the middle matrix indefinite.
    const fg = (x: Float64Array) => {
      const g = new Float64Array(x.length);
      let f = 0;
      for (let i = 0; i < x.length; i++) {
        f -= x[i] * x[i];
        g[i] = -2 * x[i];
      }
      return { f, g };
    };
    const box = [new Float64Array(3).fill(-10), new Float64Array(3).fill(10)] as const;
    const solver = new LbfgsbSolver(Float64Array.of(1, -0.5, 0.25), box[0], box[1]);
    let p: Float64Array | null;
    while ((p = solver.pending()) !== null) {
      const r = fg(p);
      solver.tell(r.f, r.g);
    }
    expect(solver.status).toBe('converged-pgtol');
    expect(Array.from(solver.x)).toEqual([10, -10, 10]);
    expect(solver.restarts).toBe(0);
    expect(solver.warnings).toEqual([]);
  });

  it('stops at once when x0 is already optimal', () => {
    const res = minimizeLbfgsb(rosenbrock, Float64Array.of(1, 1, 1), null, null);
    expect(res.status).toBe('converged-pgtol');
    expect(res.iterations).toBe(0);
    expect(res.evaluations).toBe(1);
  });

  it('pending()/tell() drive the same run as minimizeLbfgsb, and pending() is null after stopping', () => {
    const solver = new LbfgsbSolver(x0, null, null);
    let p: Float64Array | null;
    while ((p = solver.pending()) !== null) {
      const r = rosenbrock(Float64Array.from(p));
      solver.tell(r.f, r.g);
    }
    const ref = minimizeLbfgsb(rosenbrock, x0, null, null);
    expect(Array.from(solver.x)).toEqual(Array.from(ref.x));
    expect(solver.iterations).toBe(ref.iterations);
    expect(solver.status).toBe(ref.status);
    expect(() => solver.tell(0, new Float64Array(6))).toThrow(/stopped/);
  });

  it('every evaluated point lies inside the box', () => {
    const n = 60;
    const { A, b, x0: start, lower, upper } = boxQp(21, n);
    const fg = quadratic(A, b);
    minimizeLbfgsb(
      (x) => {
        for (let i = 0; i < n; i++) {
          if (x[i] < lower[i] || x[i] > upper[i]) throw new Error(`x[${i}] = ${x[i]} outside the box`);
        }
        return fg(x);
      },
      start,
      lower,
      upper,
    );
  });

  it('f never increases between accepted iterates', () => {
    const start = Float64Array.from({ length: 20 }, (_, i) => (i % 2 ? 1 : -1.2));
    const solver = new LbfgsbSolver(start, new Float64Array(20).fill(-1.5), new Float64Array(20).fill(0.9));
    let lastIter = 0;
    let lastF = Infinity;
    let p: Float64Array | null;
    while ((p = solver.pending()) !== null) {
      const r = rosenbrock(p);
      solver.tell(r.f, r.g);
      if (solver.iterations !== lastIter || lastF === Infinity) {
        expect(solver.f).toBeLessThanOrEqual(lastF);
        lastF = solver.f;
        lastIter = solver.iterations;
      }
    }
  });
});
