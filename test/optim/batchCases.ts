/**
 * The problems the batch tests run: problems leaving at different rounds (early convergence, a start at the
 * optimum, a NaN on a line-search trial, an x0 outside the box), and a check that two results are identical.
 */
import { expect } from 'vitest';

import type { LbfgsbResult } from '../../src/optim/lbfgsb.ts';
import { type Objective, quadratic, randomSpd, rosenbrock, seededRandom } from './problems.ts';

/** Dimension of every case. */
export const n = 12;

export interface Case {
  x0: Float64Array;
  lower: Float64Array | null;
  upper: Float64Array | null;
  /** Builds a fresh objective (some keep a call counter, so each run needs its own). */
  make: () => Objective;
}

export function buildCases(): Case[] {
  const rand = seededRandom(99);
  const cases: Case[] = [];
  // Bounded quadratics with different data.
  for (let k = 0; k < 4; k++) {
    const A = randomSpd(rand, n, 0.3);
    const b = Float64Array.from({ length: n }, () => 4 * rand() - 2);
    const x0 = Float64Array.from({ length: n }, () => rand() - 0.5);
    const lower = new Float64Array(n).fill(-0.6);
    const upper = new Float64Array(n).fill(0.6);
    cases.push({ x0, lower, upper, make: () => quadratic(A, b) });
  }
  // Rosenbrock, unbounded and bounded, from different starts.
  for (let k = 0; k < 3; k++) {
    const x0 = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1) + 0.1 * k);
    cases.push({ x0, lower: null, upper: null, make: () => rosenbrock });
    cases.push({
      x0,
      lower: new Float64Array(n).fill(-2),
      upper: Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.7 : 2)),
      make: () => rosenbrock,
    });
  }
  // Starts at the optimum: finishes after its first evaluation.
  cases.push({ x0: new Float64Array(n).fill(1), lower: null, upper: null, make: () => rosenbrock });
  // Meets a NaN on its 7th evaluation, a line-search trial: it backs off and goes on.
  cases.push({
    x0: Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)),
    lower: null,
    upper: null,
    make: () => {
      let calls = 0;
      return (x) => {
        calls++;
        const r = rosenbrock(x);
        return calls === 7 ? { f: Number.NaN, g: r.g } : r;
      };
    },
  });
  // x0 outside the box: projected with a warning, in the batch as well.
  cases.push({
    x0: new Float64Array(n).fill(3),
    lower: new Float64Array(n).fill(-1),
    upper: new Float64Array(n).fill(0.9),
    make: () => rosenbrock,
  });
  return cases;
}

export function expectIdentical(a: LbfgsbResult, b: LbfgsbResult): void {
  expect(a.status).toBe(b.status);
  expect(a.iterations).toBe(b.iterations);
  expect(a.evaluations).toBe(b.evaluations);
  expect(Object.is(a.f, b.f)).toBe(true);
  expect(Array.from(a.x)).toEqual(Array.from(b.x));
  expect(Array.from(a.g)).toEqual(Array.from(b.g));
  expect(a.warnings).toEqual(b.warnings);
}


/** The objective of a batch round over the cases' objectives: row r is evaluated by `objectives[tags[r]]`. */
export function evaluateRows(objectives: Objective[]) {
  return (points: Float64Array, tags: ArrayLike<number>) => {
    const f = new Float64Array(tags.length);
    const g = new Float64Array(tags.length * n);
    for (let r = 0; r < tags.length; r++) {
      const value = objectives[tags[r]](points.slice(r * n, (r + 1) * n));
      f[r] = value.f;
      g.set(value.g, r * n);
    }
    return { f, g };
  };
}
