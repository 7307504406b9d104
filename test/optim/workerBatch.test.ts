/**
 * The worker batch against the batch in this thread: the same problems, joining at the same rounds, some
 * with their first values told at start, must give bit for bit the same results, round by round, with the
 * tables shared or copied and any number of workers (real worker threads, started from the sources as
 * Vitest runs them); and failures must surface as errors that name what went wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { type BatchedSolver, LbfgsbBatch, minimizeLbfgsbBatched, type SolverBatch } from '../../src/optim/batched.ts';
import { minimizeLbfgsb } from '../../src/optim/lbfgsb.ts';
import type { WorkerLink } from '../../src/optim/spawnWorker.ts';
import { createSolverBatch, LbfgsbWorkerBatch } from '../../src/optim/workerBatch.ts';
import { solverHost } from '../../src/optim/workerHost.ts';
import type { FromWorker, ToWorker } from '../../src/optim/workerProtocol.ts';
import { buildCases, type Case, evaluateRows, expectIdentical, n } from './batchCases.ts';

const open: SolverBatch<number>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

/** The problems of batched.test.ts three times over, every second one (that can be) started with its first values. */
function stream(): { cases: Case[]; known: boolean[] } {
  const cases = [...buildCases(), ...buildCases(), ...buildCases()];
  // Not the case whose objective counts its calls, nor those whose x0 lies outside the box.
  const counting = buildCases().length - 2;
  const feasible = (c: Case) => c.x0.every((v, i) => v >= (c.lower?.[i] ?? -Infinity) && v <= (c.upper?.[i] ?? Infinity));
  return { cases, known: cases.map((c, i) => i % 2 === 1 && i % buildCases().length !== counting && feasible(c)) };
}

interface Trace {
  stoppedPerRound: number[][];
  told: [number, number, number, number][];
  results: ReturnType<BatchedSolver['result']>[];
  evaluations: number;
}

/** Streams the problems through a batch (one joins every second round) and records what the caller sees. */
async function trace(make: (afterTell: (tag: number, row: number, s: BatchedSolver) => void) => Promise<SolverBatch<number>>): Promise<Trace> {
  const { cases, known } = stream();
  const objectives = cases.map((c) => c.make());
  const evaluate = evaluateRows(objectives);
  const told: Trace['told'] = [];
  const batch = await make((tag, row, s) => told.push([tag, row, s.evaluations, s.iterateEvaluation]));
  open.push(batch);
  const solvers: BatchedSolver[] = [];
  const results: Trace['results'] = [];
  const stoppedPerRound: number[][] = [];
  let next = 0;
  for (let round = 0; next < cases.length || batch.size > 0; round++) {
    if (round % 2 === 0 && next < cases.length) {
      const c = cases[next];
      const initial = known[next] ? objectives[next](Float64Array.from(c.x0)) : undefined;
      solvers.push(batch.start({ x0: c.x0, lower: c.lower, upper: c.upper, initial }, next++));
    }
    const stopped = await batch.round(evaluate);
    stoppedPerRound.push(stopped);
    for (const tag of stopped) results[tag] = solvers[tag].result();
  }
  return { stoppedPerRound, told, results, evaluations: batch.evaluations };
}

describe('LbfgsbWorkerBatch', () => {
  it('gives bit for bit what the batch in this thread gives, round by round, shared or copied, over 1 to 3 workers', async () => {
    const reference = await trace(async (afterTell) => new LbfgsbBatch<number>(n, { afterTell }));
    for (const [workers, shared] of [
      [1, true],
      [2, true],
      [3, false],
    ] as const) {
      const got = await trace((afterTell) => LbfgsbWorkerBatch.create<number>(n, { workers, shared, afterTell }));
      expect(got.stoppedPerRound, `${workers} workers, shared ${shared}`).toEqual(reference.stoppedPerRound);
      expect(got.told).toEqual(reference.told);
      expect(got.evaluations).toBe(reference.evaluations);
      got.results.forEach((r, i) => expectIdentical(r, reference.results[i]));
    }
  });

  it('grows its tables while problems are in flight, points carried over, with the same results', async () => {
    // 60 problems, a round, then 100 more: the shared tables grow from 64 rows to 256 between rounds.
    const cases = Array.from({ length: 12 }, () => buildCases()).flat().slice(0, 160);
    const run = async (batch: SolverBatch<number>) => {
      open.push(batch);
      const evaluate = evaluateRows(cases.map((c) => c.make()));
      const solvers = cases.slice(0, 60).map((c, i) => batch.start(c, i));
      await batch.round(evaluate);
      solvers.push(...cases.slice(60).map((c, i) => batch.start(c, 60 + i)));
      while (batch.size > 0) await batch.round(evaluate);
      return solvers.map((s) => s.result());
    };
    const reference = await run(new LbfgsbBatch<number>(n));
    const got = await run(await LbfgsbWorkerBatch.create<number>(n, { workers: 2 }));
    got.forEach((r, i) => expectIdentical(r, reference[i]));
  });

  it('shares its tables in Node and says so', async () => {
    const batch = await LbfgsbWorkerBatch.create<number>(n, { workers: 2 });
    open.push(batch);
    expect(batch.workers).toBe(2);
    expect(batch.sharesMemory).toBe(true);
  });

  it('serves minimizeLbfgsbBatched with the results of solving each problem alone', async () => {
    const cases = buildCases();
    const alone = cases.map((c) => minimizeLbfgsb(c.make(), c.x0, c.lower, c.upper));
    const results = await minimizeLbfgsbBatched(
      cases,
      evaluateRows(cases.map((c) => c.make())),
      { batch: (dimension, options) => createSolverBatch(dimension, { ...options, workers: 2 }) },
    );
    results.forEach((r, i) => expectIdentical(r, alone[i]));
  });

  it('checks problems, options and objective values in the calling thread, and refuses use after close', async () => {
    await expect(LbfgsbWorkerBatch.create<number>(n, { workers: 0 })).rejects.toThrow(/workers must be a positive integer, got 0/);
    await expect(LbfgsbWorkerBatch.create<number>(n, { workers: 1, solver: { factr: -1 } })).rejects.toThrow(/factr must be a finite number ≥ 0/);
    const batch = await LbfgsbWorkerBatch.create<number>(3, { workers: 1 });
    open.push(batch);
    expect(() => batch.start({ x0: new Float64Array(3), lower: Float64Array.of(0, 2, 0), upper: Float64Array.of(1, 1, 1) }, 0)).toThrow(/variable 1: lower 2 > upper 1/);
    expect(() => batch.start({ x0: Float64Array.of(0, Number.NaN, 0), lower: null, upper: null }, 0)).toThrow(/x0\[1\] is NaN/);
    const solver = batch.start({ x0: Float64Array.of(1, 2, 3), lower: null, upper: null }, 0);
    expect(() => solver.x).toThrow(/once it has stopped/);
    await expect(batch.round(() => ({ f: new Float64Array(1), g: new Float64Array(2) }))).rejects.toThrow(/f of length 1 and g of length 2 for 1 points of dimension 3/);
    await batch.close();
    expect(() => batch.start({ x0: new Float64Array(3), lower: null, upper: null }, 1)).toThrow(/closed/);
  });

  it('turns a worker that fails into a rejected round naming the worker', async () => {
    // A worker in this thread (the host behind a fake link) that dies on its second request.
    let requests = 0;
    const spawn = async (): Promise<WorkerLink> => {
      let onMessage: (m: FromWorker) => void = () => {};
      let onError: (e: Error) => void = () => {};
      const host = solverHost((message) => queueMicrotask(() => onMessage(message)));
      return {
        post: (message: ToWorker) => {
          if (message.kind !== 'init' && message.kind !== 'tables' && ++requests === 2) queueMicrotask(() => onError(new Error('out of memory')));
          else host(message);
        },
        listen: (m, e) => ((onMessage = m), (onError = e)),
        idle: () => {},
        terminate: async () => {},
      };
    };
    const batch = await LbfgsbWorkerBatch.create<number>(2, { workers: 1, spawn });
    open.push(batch);
    batch.start({ x0: Float64Array.of(1, 1), lower: null, upper: null }, 0);
    const evaluate = () => ({ f: Float64Array.of(1), g: Float64Array.of(1, 1) });
    await expect(batch.round(evaluate)).rejects.toThrow(/L-BFGS-B worker 0 failed: out of memory/);
    await expect(batch.round(evaluate)).rejects.toThrow(/L-BFGS-B worker 0 failed: out of memory/);
  });
});

describe('createSolverBatch', () => {
  it("keeps the solvers in this thread for 0 workers, starts one worker per core for 'auto' (here 2), and falls back to this thread when workers cannot start", async () => {
    const inThread = await createSolverBatch<number>(n);
    expect(inThread).toBeInstanceOf(LbfgsbBatch);
    expect(inThread.workers).toBe(0);
    const auto = await createSolverBatch<number>(n, { workers: 'auto' });
    open.push(auto);
    const { availableParallelism } = await import('node:os');
    expect(auto.workers).toBe(availableParallelism() > 1 ? Math.min(availableParallelism(), 16) : 0);
    const failing = async (): Promise<WorkerLink> => {
      throw new Error('no worker here');
    };
    const fallback = await createSolverBatch<number>(n, { workers: 'auto', spawn: failing });
    expect(fallback.workers).toBe(0);
    await expect(createSolverBatch<number>(n, { workers: 2, spawn: failing })).rejects.toThrow(/no worker here/);
    await expect(createSolverBatch<number>(n, { workers: 'auto', solver: { memory: 0 } })).rejects.toThrow(/memory must be a positive integer/);
  });
});
