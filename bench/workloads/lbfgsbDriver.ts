/**
 * The batched L-BFGS-B driver on its own (src/optim/batched.ts; the benchmark of the issues "L-BFGS-B from
 * scratch" and #21): B bounded problems of dimension 784 on an objective so cheap that the optimizer's own
 * cost shows. The objective is evaluated on the CPU in float64, or on the GPU with blindspot ops over the
 * round's [k, 784] points (one submit and one readback per round), which shows where a GPU-fed optimizer's
 * time goes; with the CPU objective, the `-w<W>` workloads run the solvers in W worker threads
 * (src/optim/workerBatch.ts), which shows how the optimizer scales with cores. The one-at-a-time baseline
 * (contestant blindspot-serial) solves the same problems with minimizeLbfgsb (CPU objective) or a batch given
 * one problem at a time (GPU objective: asynchronous).
 */
import type { Engine } from '../../src/gpu/engine.ts';
import type { BatchedEvaluation, SolverBatch } from '../../src/optim/batched.ts';
import { minimizeLbfgsb, type LbfgsbOptions, type LbfgsbResult } from '../../src/optim/lbfgsb.ts';
import { createSolverBatch } from '../../src/optim/workerBatch.ts';
import { tidy } from '../../src/tensor/context.ts';
import { mul, sub } from '../../src/tensor/ops/binary.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { gatherRows } from '../../src/tensor/ops/gather.ts';
import { sum } from '../../src/tensor/ops/reduce.ts';
import { mulScalar } from '../../src/tensor/ops/unary.ts';
import { uniform } from '../data.ts';
import { TallyKeeper } from '../tally.ts';
import type { BlindspotEnv, Implementation, Instance, TensorSet, Workload } from '../types.ts';
import { clocked } from './clocks.ts';
import { rejectVariant, toBlindspot } from './common.ts';

const N = 784;
/** Every problem runs exactly this many iterations (no convergence test can stop it first), so iterations/s is exact. */
const ITERATIONS = 20;
const SOLVER: LbfgsbOptions = { memory: 10, maxIterations: ITERATIONS, factr: 0, pgtol: 0 };
/** The one-at-a-time baseline solves at most this many problems per run (its time per problem does not depend on B). */
const SERIAL_SAMPLE = 10;
/** Curvatures 1 … 1000, so twenty iterations are far from converged and each line search has work to do. */
const CONDITION = 1000;

/** f and g for the round's points, rows of problems `ids`; `synchronous` when it never returns a promise. */
interface Objective {
  evaluate(points: Float64Array, ids: Int32Array): BatchedEvaluation | Promise<BatchedEvaluation>;
  synchronous: boolean;
  dispose(): void;
}

/**
 * f = Σ w (x − t)², g = 2 w (x − t) in float64, into arrays reused from round to round (the driver is done
 * with them when the round ends): a fresh k×784 gradient every round would put the collector's work, not
 * the optimizer's, into the measure.
 */
function cpuObjective(data: TensorSet): Objective {
  const t = data.targets.data;
  const w = data.weights.data;
  let fRound = new Float64Array(0);
  let gRound = new Float64Array(0);
  return {
    synchronous: true,
    evaluate(points, ids) {
      const k = ids.length;
      if (fRound.length < k) {
        fRound = new Float64Array(k);
        gRound = new Float64Array(k * N);
      }
      const f = fRound.subarray(0, k);
      const g = gRound.subarray(0, k * N);
      for (let r = 0; r < k; r++) {
        const base = ids[r] * N;
        let value = 0;
        for (let j = 0; j < N; j++) {
          const wd = w[j] * (points[r * N + j] - t[base + j]);
          value += wd * (points[r * N + j] - t[base + j]);
          g[r * N + j] = 2 * wd;
        }
        f[r] = value;
      }
      return { f, g };
    },
    dispose() {},
  };
}

/** The same function on the GPU: upload the points, gather their targets, four elementwise ops and a row sum, read f and g. */
function gpuObjective(engine: Engine, data: TensorSet): Objective {
  const targets = toBlindspot(engine, data.targets);
  const weights = toBlindspot(engine, data.weights);
  return {
    synchronous: false,
    async evaluate(points, ids) {
      const k = ids.length;
      const x = tensor(engine, Float32Array.from(points), [k, N]);
      const rows = tensor(engine, Float32Array.from(ids), [k]);
      const { f, g } = tidy(engine, () => {
        const d = sub(x, gatherRows(targets, rows));
        const wd = mul(d, weights);
        return { f: sum(mul(d, wd), 1), g: mulScalar(wd, 2) };
      });
      x.dispose();
      rows.dispose();
      try {
        const [fv, gv] = await Promise.all([f.data(), g.data()]);
        return { f: Float64Array.from(fv), g: Float64Array.from(gv) };
      } finally {
        f.dispose();
        g.dispose();
      }
    },
    dispose() {
      targets.dispose();
      weights.dispose();
    },
  };
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Milliseconds of CPU time this process has used, in all its threads (Node only). */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Solves `count` problems in `batch` (started together), returning their results. */
async function solveIn(batch: SolverBatch<number>, count: number, x0: (i: number) => Float64Array, lower: Float64Array, upper: Float64Array, evaluate: Objective['evaluate']): Promise<LbfgsbResult[]> {
  const solvers = Array.from({ length: count }, (_, i) => batch.start({ x0: x0(i), lower, upper }, i));
  const ids = new Int32Array(count);
  while (batch.size > 0) {
    await batch.round((points, tags) => {
      ids.set(tags);
      return evaluate(points, ids.subarray(0, tags.length));
    });
  }
  return solvers.map((s) => s.result());
}

/**
 * Solves the workload's problems, all at once in a batch (in this thread, or over `workers` worker threads
 * started with the instance and kept between runs, as the attack keeps them) or (`serial`) the first
 * SERIAL_SAMPLE one at a time, counting iterations, evaluations and objective calls, and timing the
 * objective (inside its callback) against the rest, which is the optimizer's. In Node it also counts the
 * process's CPU milliseconds (all threads), from which iterations per CPU second follow.
 */
async function driverInstance(engine: Engine, data: TensorSet, objective: Objective, serial: boolean, workers: number): Promise<Instance> {
  const problems = data.x0.shape[0];
  const count = serial ? Math.min(problems, SERIAL_SAMPLE) : problems;
  const lower = new Float64Array(N);
  const upper = new Float64Array(N).fill(1);
  const x0 = (i: number) => Float64Array.from(data.x0.data.subarray(i * N, (i + 1) * N));
  const keeper = new TallyKeeper();
  let results: LbfgsbResult[] = [];
  const batch = serial ? null : await createSolverBatch<number>(N, { solver: SOLVER, workers });

  async function solve(evaluate: Objective['evaluate']): Promise<LbfgsbResult[]> {
    if (batch) return solveIn(batch, count, x0, lower, upper, evaluate);
    const solved: LbfgsbResult[] = [];
    for (let i = 0; i < count; i++) {
      const id = Int32Array.of(i);
      if (objective.synchronous) solved.push(minimizeLbfgsb((x) => firstRow(evaluate(x, id) as BatchedEvaluation), x0(i), lower, upper, SOLVER));
      else {
        const one = await createSolverBatch<number>(N, { solver: SOLVER });
        solved.push(...(await solveIn(one, 1, () => x0(i), lower, upper, (points) => evaluate(points, id))));
      }
    }
    return solved;
  }

  const instance: Instance = {
    items: count < problems ? count * ITERATIONS : undefined,
    note: count < problems ? `solves the first ${count} of the ${problems} problems, one at a time` : undefined,
    async run() {
      let evaluationMs = 0;
      let calls = 0;
      const timedEvaluate: Objective['evaluate'] = (points, ids) => {
        const start = performance.now();
        calls++;
        const values = objective.evaluate(points, ids);
        if (!(values instanceof Promise)) {
          evaluationMs += performance.now() - start;
          return values;
        }
        return values.finally(() => (evaluationMs += performance.now() - start));
      };
      const cpuBefore = isNode ? processCpuMs() : 0;
      const run = await clocked(objective.synchronous ? null : engine, () => solve(timedEvaluate));
      results = run.value;
      results.forEach((r, i) => {
        if (r.iterations !== ITERATIONS) {
          throw new Error(`problem ${i} stopped after ${r.iterations} iterations (${r.status}); the workload needs exactly ${ITERATIONS} each`);
        }
      });
      keeper.count('iterations', count * ITERATIONS);
      keeper.count('evaluations', results.reduce((s, r) => s + r.evaluations, 0));
      keeper.count('objective calls', calls);
      keeper.time('L-BFGS-B CPU', run.wallMs - evaluationMs);
      keeper.time('evaluation CPU', evaluationMs - run.gpuWaitMs);
      if (!objective.synchronous) keeper.time('GPU wait', run.gpuWaitMs);
      if (isNode) {
        const cpuMs = processCpuMs() - cpuBefore;
        keeper.count('process CPU ms', cpuMs);
        if (workers > 0 || objective.synchronous) {
          instance.note =
            `${workers > 0 ? `${workers} worker thread${workers > 1 ? 's' : ''}; ` : ''}last run: ${((count * ITERATIONS) / (run.wallMs / 1000)).toFixed(0)} iterations/s, ` +
            `${((count * ITERATIONS) / (cpuMs / 1000)).toFixed(0)} per second of process CPU time (all threads, objective included)`;
        }
      }
    },
    async read() {
      const compared = results.slice(0, SERIAL_SAMPLE);
      return {
        f: { shape: [compared.length], data: Float32Array.from(compared, (r) => r.f) },
        x: { shape: [compared.length, N], data: Float32Array.from(compared.flatMap((r) => Array.from(r.x))) },
      };
    },
    tally: () => keeper.snapshot(),
    // With the objective on the CPU nothing reaches the GPU; the engine's round trip would only add its latency.
    ...(objective.synchronous ? { sync: async () => {} } : {}),
    dispose: () => {
      objective.dispose();
      void batch?.close();
    },
  };
  return instance;
}

function firstRow(values: BatchedEvaluation): { f: number; g: Float64Array } {
  return { f: values.f[0], g: values.g };
}

type Where = 'cpu' | 'gpu';

function implementation(where: Where, serial: boolean, workers: number): Implementation<BlindspotEnv> {
  return async (env, data) => {
    rejectVariant(env);
    const objective = where === 'cpu' ? cpuObjective(data) : gpuObjective(env.engine, data);
    return driverInstance(env.engine, data, objective, serial, workers);
  };
}

/**
 * `lbfgsb-cpu-b<B>` / `lbfgsb-gpu-b<B>`: B problems, objective on the CPU or the GPU, solvers in this thread;
 * `lbfgsb-cpu-b<B>-w<W>`: the solvers in W worker threads (W = 0: in this thread, the same batch).
 */
function driverWorkload(where: Where, problems: number, quick: boolean, workers?: number): Workload {
  const evaluation =
    where === 'cpu'
      ? 'evaluated on the CPU in float64'
      : "evaluated on the GPU in f32 (upload the round's k points, gather their targets, (x − t)·w, row sums, ×2: six dispatches; read f and g back), one submit per round";
  const threads =
    workers === undefined
      ? ''
      : workers === 0
        ? ', the solvers in the calling thread (the baseline of the worker workloads)'
        : `, the solvers in ${workers} worker thread${workers > 1 ? 's' : ''} started with the instance and kept between runs (point and gradient tables in SharedArrayBuffers where available)`;
  return {
    id: `lbfgsb-${where}-b${problems}${workers === undefined ? '' : `-w${workers}`}`,
    title: `L-BFGS-B driver, B = ${problems}, objective on the ${where.toUpperCase()}${workers === undefined ? '' : `, ${workers} worker thread${workers === 1 ? '' : 's'}`}`,
    group: 'attack',
    description:
      `A batch of ${problems} problem${problems > 1 ? 's' : ''} min Σ_j w_j (x_j − t_j)² over x ∈ [0, 1]^${N} (t uniform in ` +
      `[−0.25, 1.25), so some bounds bind; w = 10^(3u) shared, curvatures 1…${CONDITION}; x0 uniform in [0, 1)), ` +
      `${evaluation}${threads}; memory ${SOLVER.memory}, exactly ${ITERATIONS} iterations per problem (factr = pgtol = 0). ` +
      `One iteration of the workload = the whole solve; items = L-BFGS-B iterations. ` +
      (workers === undefined && problems > 1 ? `blindspot-serial solves ${problems > SERIAL_SAMPLE ? `the first ${SERIAL_SAMPLE}` : 'them'} one at a time. ` : '') +
      `The gate compares f and x of the first ${Math.min(problems, SERIAL_SAMPLE)}.`,
    iterations: 1,
    items: { count: problems * ITERATIONS, unit: 'iterations' },
    quick,
    // The CPU path is deterministic float64 (bitwise the same one at a time); the GPU path is steered by f32 values.
    tolerance: where === 'cpu' ? 1e-9 : 1e-3,
    inputs: (seed) => ({
      x0: uniform(seed, 'lbfgsb.x0', [problems, N], 0, 1),
      targets: uniform(seed, 'lbfgsb.targets', [problems, N], -0.25, 1.25),
      weights: { shape: [N], data: uniform(seed, 'lbfgsb.weights', [N], 0, 1).data.map((u) => CONDITION ** u) },
    }),
    implementations: {
      blindspot: implementation(where, false, workers ?? 0),
      // At B = 1 batched and one-at-a-time are the same thing; the worker workloads compare worker counts.
      ...(problems > 1 && workers === undefined ? { serial: implementation(where, true, 0) } : {}),
    },
  };
}

/** The attack's batch size, at which the worker workloads run. */
const WORKER_BATCH = 256;

/**
 * Batch sizes; the quick suite leaves out B = 1000 (seconds per solve on a CPU) and the GPU objective at B = 10.
 * The worker counts at B = 256: the quick suite runs 0 and 2.
 */
export const LBFGSB_DRIVER_WORKLOADS: Workload[] = [
  ...[1, 10, 100, 1000].map((b) => driverWorkload('cpu', b, b <= 100)),
  ...[1, 10, 100, 1000].map((b) => driverWorkload('gpu', b, b === 1 || b === 100)),
  ...[0, 1, 2, 4].map((w) => driverWorkload('cpu', WORKER_BATCH, w === 0 || w === 2, w)),
];
