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

  it('a restart with a bad problem throws and leaves the solver asking for nothing; a good one starts afresh', () => {
    const solver = new LbfgsbSolver(Float64Array.of(0.5, 0.5), Float64Array.of(0, 0), Float64Array.of(1, 1));
    solver.tell(1, Float64Array.of(1, -1));
    expect(() => solver.restart(Float64Array.of(0.5, 0.5, 0.5), null, null)).toThrow(/x0 has length 3, but this solver's problems have dimension 2/);
    expect(() => solver.restart(Float64Array.of(0.5, 0.5), Float64Array.of(0, 2), Float64Array.of(1, 1))).toThrow(/variable 1/);
    expect(solver.pending()).toBeNull();
    solver.restart(Float64Array.of(-1, 0.25), Float64Array.of(0, 0), Float64Array.of(1, 1));
    expect(Array.from(solver.pending()!)).toEqual([0, 0.25]);
    expect([solver.status, solver.evaluations, solver.iterations, solver.warnings.length]).toEqual(['running', 0, 0, 1]);
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

  it('a NaN at a trial point makes the line search back off instead of ending the run', () => {
    let calls = 0;
    const res = minimizeLbfgsb(
      (x) => {
        calls++;
        if (calls === 6) return { f: Number.NaN, g: new Float64Array(x.length) };
        return rosenbrock(x);
      },
      Float64Array.of(-1.2, 1),
      null,
      null,
    );
    expect(res.status).toMatch(/^converged-/);
    expect(res.evaluations).toBeGreaterThan(6);
    expect(maxAbsDiff(res.x, [1, 1])).toBeLessThan(1e-4);
  });

  it('non-finite values at x0 stop with non-finite (there is no iterate to back off to)', () => {
    const badGradient = () => ({ f: 1, g: Float64Array.of(0.5, Number.POSITIVE_INFINITY) });
    const badG = minimizeLbfgsb(badGradient, Float64Array.of(1, 2), null, null);
    expect(badG.status).toBe('non-finite');
    expect(badG.evaluations).toBe(1);
    expect(Array.from(badG.x)).toEqual([1, 2]);
    const infF = minimizeLbfgsb(() => ({ f: Infinity, g: Float64Array.of(1, 1) }), Float64Array.of(1, 2), null, null);
    expect(infF.status).toBe('non-finite');
  });

  it('an empty problem (n = 0) is refused', () => {
    expect(() => new LbfgsbSolver(new Float64Array(0), null, null)).toThrow(/^L-BFGS-B: x0 is empty \(n = 0\); there is nothing to minimize/);
    expect(() => minimizeLbfgsb(rosenbrock, new Float64Array(0), null, null)).toThrow(/x0 is empty/);
  });
});

/** `fg`, refusing (by throwing) to be evaluated at a point that is not finite, and counting its calls. */
function finiteOnly(fg: (x: Float64Array) => { f: number; g: Float64Array }) {
  const counted = (x: Float64Array) => {
    counted.calls++;
    const bad = x.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`asked for f at a non-finite point: x[${bad}] = ${x[bad]}`);
    return fg(x);
  };
  counted.calls = 0;
  return counted;
}

/**
 * Σ (x_i − log x_i): minimum n at x = (1, …, 1), undefined for any x_i ≤ 0, where it returns `outside`
 * (f and, unless it is null, every gradient entry). Started far from 1 the first long steps leave the
 * domain.
 */
function logBarrier(outside: { f: number; g: number | null }) {
  return finiteOnly((x) => {
    const g = x.map((v) => 1 - 1 / v);
    if (x.some((v) => v <= 0)) return { f: outside.f, g: outside.g === null ? g : g.fill(outside.g) };
    return { f: x.reduce((s, v) => s + v - Math.log(v), 0), g };
  });
}

describe('objectives that are not finite in part of the domain', () => {
  // scipy 1.17 on these (docs/lbfgsb.md): with NaN outside the domain it extrapolates to its maximal step
  // and stops ABNORMAL with f = NaN; with +Infinity it falls back to x_k and reports convergence there
  // (x = 15 for x0 = 20). The answer is known: x = 1.
  const starts = [[20], [50, 0.01], [100, 3, 0.02], Array.from({ length: 50 }, (_, i) => 0.01 + ((i * 37) % 50) * 2)];
  const outsides = [
    { f: Number.NaN, g: Number.NaN },
    { f: Infinity, g: null },
    { f: Infinity, g: Infinity },
    { f: -Infinity, g: Number.NaN },
    { f: 0, g: Number.NaN },
  ];
  for (const outside of outsides) {
    for (const start of starts) {
      it(`Σ(x − log x) with f = ${outside.f}, g = ${outside.g ?? 'finite'} outside x > 0, from n = ${start.length} start ${start.slice(0, 3)}`, () => {
        const fg = logBarrier(outside);
        const res = minimizeLbfgsb(fg, Float64Array.from(start), null, null, { pgtol: 1e-8 });
        expect(['converged-pgtol', 'converged-factr']).toContain(res.status);
        expect(maxAbsDiff(res.x, new Float64Array(start.length).fill(1))).toBeLessThan(1e-4);
        expect(res.f).toBeCloseTo(start.length, 8);
        expect(res.evaluations).toBe(fg.calls);
      });
    }
  }

  it('with bounds: a box [0, 10] whose upper part (x > 5) is NaN, minimum at 2 inside', () => {
    const n = 8;
    const fg = finiteOnly((x) => {
      if (x.some((v) => v > 5)) return { f: Number.NaN, g: new Float64Array(n).fill(Number.NaN) };
      return { f: x.reduce((s, v) => s + (v - 2) ** 2, 0), g: x.map((v) => 2 * (v - 2)) };
    });
    const res = minimizeLbfgsb(fg, Float64Array.from({ length: n }, (_, i) => 0.3 + 0.5 * i), new Float64Array(n), new Float64Array(n).fill(10));
    expect(res.status).toBe('converged-pgtol');
    expect(maxAbsDiff(res.x, new Float64Array(n).fill(2))).toBeLessThan(1e-6);
  });

  it('Rosenbrock that is NaN outside the disc ‖x‖ < 1.5 still reaches (1, 1)', () => {
    const fg = finiteOnly((x) => (Math.hypot(x[0], x[1]) < 1.5 ? rosenbrock(x) : { f: Number.NaN, g: Float64Array.of(Number.NaN, Number.NaN) }));
    const res = minimizeLbfgsb(fg, Float64Array.of(-1.2, 0.5), null, null);
    expect(['converged-pgtol', 'converged-factr']).toContain(res.status);
    expect(maxAbsDiff(res.x, [1, 1])).toBeLessThan(1e-4);
  });

  it('non-finite everywhere but x0: the line search spends its budget, then stops with x0 untouched', () => {
    const x0 = Float64Array.of(0.5, -0.25);
    const fg = finiteOnly((x) => (x[0] === x0[0] && x[1] === x0[1] ? { f: 1, g: Float64Array.of(1, -1) } : { f: Number.NaN, g: Float64Array.of(0, 0) }));
    const res = minimizeLbfgsb(fg, x0, null, null, { maxLineSearchSteps: 7 });
    expect(res.status).toBe('line-search-failed');
    expect(res.iterations).toBe(0);
    expect(res.evaluations).toBe(1 + 7);
    expect(Array.from(res.x)).toEqual([0.5, -0.25]);
    expect(res.f).toBe(1);
    expect(Array.from(res.g)).toEqual([1, -1]);
  });

  it('backing off respects maxEvaluations as a hard cap', () => {
    const fg = logBarrier({ f: Number.NaN, g: Number.NaN });
    const res = minimizeLbfgsb(fg, Float64Array.of(20), null, null, { maxEvaluations: 5 });
    expect(res.status).toBe('max-evaluations');
    expect(fg.calls).toBe(5);
    expect(Number.isFinite(res.f)).toBe(true);
  });
});

describe('overflow in the step computation', () => {
  it('a gradient whose g·d overflows stops with a warning, never evaluating a non-finite point', () => {
    // f = 1e200·Σx² is finite near x0 = 1, but g·g ≈ 4e400 is not a double.
    const fg = finiteOnly((x) => ({ f: 1e200 * x.reduce((s, v) => s + v * v, 0), g: x.map((v) => 2e200 * v) }));
    const res = minimizeLbfgsb(fg, Float64Array.of(1, -1, 0.5), null, null);
    expect(res.status).toBe('line-search-failed');
    expect(res.evaluations).toBe(1);
    expect(Array.from(res.x)).toEqual([1, -1, 0.5]);
    expect(res.warnings.join('\n')).toMatch(/iteration 0: the step computation overflowed \(g·d or x̄ − x is not finite\)/);
  });

  it('a gradient of −1 is not convergence, however far x has gone (f = −x, unbounded below)', () => {
    // Each evaluation raises g by one ulp of 1, so curvature pairs are kept and the steps grow
    // geometrically; P(x − g) − x, formed literally, rounds g away once x ≫ 1 and used to stop here
    // with 'converged-pgtol' at x ≈ 4.5e25.
    let calls = 0;
    const fg = finiteOnly((x) => ({ f: -x[0], g: Float64Array.of(-1 + ++calls * 2 ** -52) }));
    const res = minimizeLbfgsb(fg, Float64Array.of(0), null, null, { memory: 3, maxIterations: 400 });
    expect(res.status).not.toMatch(/^converged/);
    expect(res.projectedGradientNorm).toBeCloseTo(1, 10);
    expect(res.x[0]).toBeGreaterThan(1e40);
  });
});
