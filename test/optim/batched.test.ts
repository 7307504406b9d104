/**
 * The batched driver must reproduce, bit for bit, what each problem gives when solved alone, while
 * problems drop out at different rounds (early convergence, non-finite values).
 */
import { describe, expect, it } from 'vitest';

import { type BatchedSolver, LbfgsbBatch, minimizeLbfgsbBatched, type SolverBatch } from '../../src/optim/batched.ts';
import { type LbfgsbResult, minimizeLbfgsb } from '../../src/optim/lbfgsb.ts';
import { buildCases, type Case, evaluateRows, expectIdentical, n } from './batchCases.ts';
import { rosenbrock } from './problems.ts';

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

/** Runs `cases` through `batch`, one joining every third round (some with their first values told at start), and returns each problem's solver. */
async function streamThrough(batch: SolverBatch<number>, cases: Case[], known: boolean[] = []): Promise<{ solvers: BatchedSolver[]; accepted: number[]; results: LbfgsbResult[] }> {
  const objectives = cases.map((c) => c.make());
  const evaluate = evaluateRows(objectives);
  const solvers: BatchedSolver[] = [];
  const results: LbfgsbResult[] = [];
  let next = 0;
  for (let round = 0; next < cases.length || batch.size > 0; round++) {
    if (round % 3 === 0 && next < cases.length) {
      const c = cases[next];
      const initial = known[next] ? objectives[next](Float64Array.from(c.x0)) : undefined;
      solvers.push(batch.start({ x0: c.x0, lower: c.lower, upper: c.upper, initial }, next++));
    }
    const stopped = await batch.round(evaluate);
    // A stopped solver is read before the next round, as the attack does.
    for (const tag of stopped) results[tag] = solvers[tag].result();
  }
  return { solvers, accepted: [], results };
}

describe('LbfgsbBatch', () => {
  it('lets problems join at any round and still gives each the result of solving it alone', async () => {
    const cases = buildCases();
    const alone = cases.map((c) => minimizeLbfgsb(c.make(), c.x0, c.lower, c.upper));
    const accepted = cases.map(() => 0);
    const batch = new LbfgsbBatch<number>(n, {
      afterTell: (tag, _row, solver) => {
        if (solver.iterateEvaluation === solver.evaluations) accepted[tag]++;
      },
    });
    const { results } = await streamThrough(batch, cases);
    results.forEach((result, i) => {
      expectIdentical(result, alone[i]);
      // The initial point and every accepted step: iterations + 1, for solvers that did not fail first.
      if (alone[i].status !== 'non-finite') expect(accepted[i]).toBe(alone[i].iterations + 1);
    });
    expect(batch.evaluations).toBe(alone.reduce((s, r) => s + r.evaluations, 0));
  });

  it('reuses the solvers of finished problems, with the results of new ones, and starts from told first values', async () => {
    // Three copies of the cases: with one joining every third round, finished solvers get reused.
    const cases = [...buildCases(), ...buildCases(), ...buildCases()];
    // Not the case whose objective counts its calls (its NaN would move), nor those whose x0 lies outside the box.
    const counting = buildCases().length - 2;
    const feasible = (c: Case) => c.x0.every((v, i) => v >= (c.lower?.[i] ?? -Infinity) && v <= (c.upper?.[i] ?? Infinity));
    const known = cases.map((c, i) => i % 3 !== 0 && i % buildCases().length !== counting && feasible(c));
    const alone = cases.map((c) => minimizeLbfgsb(c.make(), c.x0, c.lower, c.upper));
    const batch = new LbfgsbBatch<number>(n);
    const { solvers, results } = await streamThrough(batch, cases, known);
    expect(new Set(solvers).size).toBeLessThan(cases.length);
    results.forEach((result, i) => {
      // A problem started with its first values is told them at start: the batch evaluates x0 once less.
      if (known[i]) expect(result.evaluations).toBe(alone[i].evaluations);
      expectIdentical(result, alone[i]);
    });
    expect(batch.evaluations).toBe(alone.reduce((s, r, i) => s + r.evaluations - (known[i] ? 1 : 0), 0));
  });

  it('refuses a problem of another dimension and invalid options', () => {
    const batch = new LbfgsbBatch<string>(3);
    expect(() => batch.start({ x0: new Float64Array(4), lower: null, upper: null }, 'x')).toThrow(/dimension 4 cannot join a batch of dimension 3/);
    expect(() => new LbfgsbBatch<string>(0)).toThrow(/dimension must be a positive integer, got 0/);
    expect(() => new LbfgsbBatch<string>(3, { solver: { memory: 0 } })).toThrow(/memory must be a positive integer/);
    const initial = { f: 0, g: new Float64Array(3) };
    expect(() => batch.start({ x0: Float64Array.of(0, 2, 0), lower: null, upper: Float64Array.of(1, 1, 1), initial }, 'x')).toThrow(/x0\[1\] = 2 lies outside its bounds/);
  });
});
