/**
 * The batched driver must reproduce, bit for bit, what each problem gives when solved alone, while
 * problems drop out at different rounds (early convergence, non-finite values).
 */
import { describe, expect, it } from 'vitest';

import { LbfgsbBatch, minimizeLbfgsbBatched } from '../../src/optim/batched.ts';
import { type LbfgsbResult, LbfgsbSolver, minimizeLbfgsb } from '../../src/optim/lbfgsb.ts';
import { type Objective, quadratic, randomSpd, rosenbrock, seededRandom } from './problems.ts';

const n = 12;

interface Case {
  x0: Float64Array;
  lower: Float64Array | null;
  upper: Float64Array | null;
  /** Builds a fresh objective (some keep a call counter, so each run needs its own). */
  make: () => Objective;
}

function buildCases(): Case[] {
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

function expectIdentical(a: LbfgsbResult, b: LbfgsbResult): void {
  expect(a.status).toBe(b.status);
  expect(a.iterations).toBe(b.iterations);
  expect(a.evaluations).toBe(b.evaluations);
  expect(Object.is(a.f, b.f)).toBe(true);
  expect(Array.from(a.x)).toEqual(Array.from(b.x));
  expect(Array.from(a.g)).toEqual(Array.from(b.g));
  expect(a.warnings).toEqual(b.warnings);
}

describe('minimizeLbfgsbBatched', () => {
  it('gives bitwise the results of solving each problem alone', async () => {
    const cases = buildCases();
    const alone = cases.map((c) => minimizeLbfgsb(c.make(), c.x0, c.lower, c.upper));
    const objectives = cases.map((c) => c.make());

    const seenCounts: number[] = [];
    const rounds: { round: number; running: number; evaluations: number }[] = [];
    const batched = await minimizeLbfgsbBatched(
      cases.map(({ x0, lower, upper }) => ({ x0, lower, upper })),
      async (points, ids) => {
        const k = ids.length;
        expect(points.length).toBe(k * n);
        seenCounts.push(k);
        const f = new Float64Array(k);
        const g = new Float64Array(k * n);
        for (let r = 0; r < k; r++) {
          if (r > 0) expect(ids[r]).toBeGreaterThan(ids[r - 1]);
          const res = objectives[ids[r]](points.slice(r * n, r * n + n));
          f[r] = res.f;
          g.set(res.g, r * n);
        }
        await Promise.resolve();
        return { f, g };
      },
      { onRound: (info) => rounds.push(info) },
    );

    expect(batched.length).toBe(cases.length);
    for (let b = 0; b < cases.length; b++) expectIdentical(batched[b], alone[b]);

    // The scenario really has problems leaving at different times.
    const statuses = batched.map((r) => r.status);
    expect(statuses[cases.length - 2]).toMatch(/^converged-/);
    expect(statuses.filter((s) => s === 'converged-pgtol' || s === 'converged-factr').length).toBeGreaterThan(5);
    expect(batched[cases.length - 3].evaluations).toBe(1);
    expect(batched[cases.length - 1].warnings.length).toBe(1);
    // First round evaluates everybody, later rounds only the running problems.
    expect(seenCounts[0]).toBe(cases.length);
    expect(seenCounts[1]).toBe(cases.length - 1);
    expect(seenCounts[seenCounts.length - 1]).toBeLessThan(cases.length);
    for (let r = 1; r < seenCounts.length; r++) expect(seenCounts[r]).toBeLessThanOrEqual(seenCounts[r - 1]);
    // Progress reports add up.
    expect(rounds.length).toBe(seenCounts.length);
    expect(rounds[rounds.length - 1].running).toBe(0);
    expect(rounds[rounds.length - 1].evaluations).toBe(alone.reduce((s, r) => s + r.evaluations, 0));
    expect(rounds.map((r) => r.round)).toEqual(rounds.map((_, i) => i + 1));
  });

  it('accepts a synchronous evaluate and an empty batch', async () => {
    expect(await minimizeLbfgsbBatched([], () => ({ f: new Float64Array(0), g: new Float64Array(0) }))).toEqual([]);
    const res = await minimizeLbfgsbBatched([{ x0: Float64Array.of(-1.2, 1), lower: null, upper: null }], (points) => {
      const r = rosenbrock(points.slice(0, 2));
      return { f: Float64Array.of(r.f), g: r.g };
    });
    expectIdentical(res[0], minimizeLbfgsb(rosenbrock, Float64Array.of(-1.2, 1), null, null));
  });

  it('rejects problems of different dimensions and short evaluation results', async () => {
    await expect(
      minimizeLbfgsbBatched(
        [
          { x0: new Float64Array(3), lower: null, upper: null },
          { x0: new Float64Array(4), lower: null, upper: null },
        ],
        () => ({ f: new Float64Array(2), g: new Float64Array(8) }),
      ),
    ).rejects.toThrow(/dimension 4, expected 3/);
    await expect(
      minimizeLbfgsbBatched([{ x0: new Float64Array(3), lower: null, upper: null }], () => ({
        f: new Float64Array(1),
        g: new Float64Array(2),
      })),
    ).rejects.toThrow(/objective returned f of length 1 and g of length 2 for 1 points of dimension 3/);
  });

  it('names the problem whose bounds or options are invalid, before any evaluation', async () => {
    let calls = 0;
    const problems = [
      { x0: new Float64Array(3), lower: null, upper: null },
      { x0: new Float64Array(3), lower: Float64Array.of(0, 2, 0), upper: Float64Array.of(1, 1, 1) },
    ];
    await expect(minimizeLbfgsbBatched(problems, () => ((calls += 1), { f: new Float64Array(2), g: new Float64Array(6) }))).rejects.toThrow(/problem 1: .*lower/);
    expect(calls).toBe(0);
  });
});

describe('LbfgsbBatch', () => {
  it('lets solvers join at any round and still gives each the result of solving it alone', async () => {
    const cases = buildCases();
    const alone = cases.map((c) => minimizeLbfgsb(c.make(), c.x0, c.lower, c.upper));
    const objectives = cases.map((c) => c.make());
    const solvers = cases.map((c) => new LbfgsbSolver(c.x0, c.lower, c.upper));
    const accepted = cases.map(() => 0);
    const batch = new LbfgsbBatch<number>(n, (tag, _row, solver) => {
      if (solver.iterateEvaluation === solver.evaluations) accepted[tag]++;
    });
    const stoppedOrder: number[] = [];
    // One new solver joins every third round, while earlier ones are mid-run.
    let next = 0;
    for (let round = 0; next < cases.length || batch.size > 0; round++) {
      if (round % 3 === 0 && next < cases.length) batch.add(solvers[next], next++);
      const stopped = await batch.round((points, tags) => {
        const f = new Float64Array(tags.length);
        const g = new Float64Array(tags.length * n);
        tags.forEach((tag, r) => {
          const value = objectives[tag](points.slice(r * n, (r + 1) * n));
          f[r] = value.f;
          g.set(value.g, r * n);
        });
        return { f, g };
      });
      stoppedOrder.push(...stopped);
    }
    expect([...stoppedOrder].sort((a, b) => a - b)).toEqual(cases.map((_, i) => i));
    solvers.forEach((solver, i) => {
      expectIdentical(solver.result(), alone[i]);
      // The initial point and every accepted step: iterations + 1, for solvers that did not fail first.
      if (alone[i].status !== 'non-finite') expect(accepted[i]).toBe(alone[i].iterations + 1);
    });
    expect(batch.evaluations).toBe(alone.reduce((s, r) => s + r.evaluations, 0));
  });

  it('refuses a solver of another dimension', () => {
    const batch = new LbfgsbBatch<string>(3);
    expect(() => batch.add(new LbfgsbSolver(new Float64Array(4), null, null), 'x')).toThrow(/dimension 4 cannot join a batch of dimension 3/);
  });
});
