/**
 * Batched L-BFGS-B: independent problems of one dimension advance together, and every round the pending
 * points of all running solvers go to the objective in a single call, which is what lets a GPU evaluate
 * one network forward/backward pass for the whole batch. Problems may join at any round — the attack starts
 * the next c of a search as soon as the previous solve stops — so one kind of driver, a {@link SolverBatch},
 * serves streams of problems and fixed batches ({@link minimizeLbfgsbBatched}) alike.
 *
 * {@link LbfgsbBatch} keeps its solvers in this thread; LbfgsbWorkerBatch (workerBatch.ts) spreads them
 * over worker threads. Each problem is an ordinary {@link LbfgsbSolver} in both; a driver only packs and
 * unpacks, so a problem's result is bitwise identical to solving it alone with the same evaluations.
 *
 * @module
 */

import { type LbfgsbOptions, type LbfgsbResult, type LbfgsbStatus, LbfgsbSolver, resolveOptions } from './lbfgsb.ts';

/** Values for the k points of one round: f has length k, g is k×n row-major. */
export interface BatchedEvaluation {
  /** Objective values, one per point. */
  f: ArrayLike<number>;
  /** Gradients, packed row-major, k×n. */
  g: Float64Array;
}

/**
 * Evaluates the k pending points of a round, packed row-major (k×n), each with the tag of the problem it
 * belongs to. The arrays are reused by the driver: copy them if they must outlive the call.
 */
export type BatchedObjective<T> = (points: Float64Array, tags: readonly T[]) => Promise<BatchedEvaluation> | BatchedEvaluation;

/** One problem to start in a batch. */
export interface BatchedStart {
  /** Starting point (copied; projected into the box with a warning if outside). */
  x0: Float64Array;
  /** Lower bounds or null. */
  lower: Float64Array | null;
  /** Upper bounds or null. */
  upper: Float64Array | null;
  /**
   * f and ∇f at x0 when the caller has them already (the attack computes a new c's first values on the
   * CPU): the solver is told them at once and joins with its first line-search trial. x0 must then lie in
   * the box (else the solver would start from its projection, where these values do not hold).
   */
  initial?: { f: number; g: Float64Array };
}

/**
 * What a batch shows of one of its solvers: the {@link LbfgsbSolver} itself in this thread, a mirror of one
 * in a worker. The counters, status and f are current after every round; x, g and {@link result} are
 * available throughout in this thread and once the solver has stopped for a worker's.
 */
export interface BatchedSolver {
  readonly n: number;
  readonly status: LbfgsbStatus;
  readonly iterations: number;
  readonly evaluations: number;
  /** See {@link LbfgsbSolver.iterateEvaluation}. */
  readonly iterateEvaluation: number;
  readonly restarts: number;
  readonly f: number;
  readonly projectedGradientNorm: number;
  /** Copy of the current iterate. */
  readonly x: Float64Array;
  /** Copy of ∇f at the current iterate. */
  readonly g: Float64Array;
  result(): LbfgsbResult;
}

/**
 * The solvers in flight, in this thread or in workers. `start` a problem with a tag of your choice; each
 * {@link round} evaluates every pending point in one call, tells each solver its row, and hands back the
 * tags of the solvers that stopped (they leave the batch). A stopped solver can be read until the next
 * round; after that the batch may reuse it for a problem started later.
 */
export interface SolverBatch<T> {
  /** n, the length of every problem's x. */
  readonly dimension: number;
  /** Problems in flight. */
  readonly size: number;
  /** Evaluations asked for so far, over every problem. */
  readonly evaluations: number;
  /** Worker threads the solvers run in; 0 for the calling thread. */
  readonly workers: number;
  /**
   * Puts a problem in flight; it joins the next round.
   * @throws Error when x0 has another dimension, or its bounds or x0 are invalid (see LbfgsbSolver).
   */
  start(problem: BatchedStart, tag: T): BatchedSolver;
  /**
   * One round: evaluate every pending point in one call and tell each solver its values.
   * @returns the tags of the solvers that have stopped, in the order they were started.
   * @throws Error when `evaluate` returns arrays shorter than the round needs.
   */
  round(evaluate: BatchedObjective<T>): Promise<T[]>;
  /** Ends the batch (a worker batch stops its workers); it cannot be used afterwards. */
  close(): Promise<void>;
}

/** Options of a batch. */
export interface BatchOptions<T> {
  /** Options of every solver of the batch. */
  solver?: LbfgsbOptions;
  /**
   * Called for each solver that was told its row of a round, with its tag and the row; with
   * `solver.iterateEvaluation === solver.evaluations` it can tell whether the point became the iterate.
   * In this thread it runs right after the solver's tell, for a worker batch once the round's tells are
   * back; either way in row order, before the round returns.
   */
  afterTell?: (tag: T, row: number, solver: BatchedSolver) => void;
}

/** A running solver and the caller's tag for it. */
interface Entry<T> {
  solver: LbfgsbSolver;
  tag: T;
}

/** Checks a batch's dimension. */
export function checkDimension(dimension: number): void {
  if (!Number.isSafeInteger(dimension) || dimension < 1) throw new Error(`L-BFGS-B batch: dimension must be a positive integer, got ${dimension}`);
}

/** Checks that a problem has the batch's dimension (its other checks are the solver's). */
export function checkStart(problem: BatchedStart, dimension: number): void {
  if (problem.x0.length !== dimension) {
    throw new Error(`L-BFGS-B batch: a problem of dimension ${problem.x0.length} cannot join a batch of dimension ${dimension}`);
  }
  if (!problem.initial) return;
  if (problem.initial.g.length !== dimension) {
    throw new Error(`L-BFGS-B batch: the initial gradient has length ${problem.initial.g.length}, expected ${dimension}`);
  }
  const { x0, lower, upper } = problem;
  for (let i = 0; i < dimension; i++) {
    if (x0[i] < (lower?.[i] ?? -Infinity) || x0[i] > (upper?.[i] ?? Infinity)) {
      throw new Error(`L-BFGS-B batch: initial values were given, but x0[${i}] = ${x0[i]} lies outside its bounds`);
    }
  }
}

/** Checks what an objective returned for a round of k points. */
export function checkEvaluation(values: BatchedEvaluation, k: number, n: number): void {
  if (values.f.length < k || values.g.length < k * n) {
    throw new Error(`L-BFGS-B batch: the objective returned f of length ${values.f.length} and g of length ${values.g.length} for ${k} points of dimension ${n}`);
  }
}

/**
 * The solvers of a batch in this thread. Rounds cost O(k·n) packing on top of the solvers' own work; the
 * solvers of finished problems are reused for later ones (see {@link LbfgsbSolver.restart}), so a stream of
 * problems allocates no more solvers than it ever has in flight.
 */
export class LbfgsbBatch<T> implements SolverBatch<T> {
  private running: Entry<T>[] = [];
  /** Stopped solvers handed back by the last round: readable until the next round. */
  private handedBack: LbfgsbSolver[] = [];
  private spare: LbfgsbSolver[] = [];
  private readonly pending: Entry<T>[] = [];
  private readonly tags: T[] = [];
  private packed = new Float64Array(0);
  private evaluationCount = 0;
  private readonly solverOptions: LbfgsbOptions;
  private readonly afterTell?: BatchOptions<T>['afterTell'];

  /**
   * @param dimension n, the length of every problem's x.
   * @throws Error when the dimension or a solver option is invalid.
   */
  constructor(
    readonly dimension: number,
    options: BatchOptions<T> = {},
  ) {
    checkDimension(dimension);
    this.solverOptions = resolveOptions(options.solver ?? {});
    this.afterTell = options.afterTell;
  }

  get size(): number {
    return this.running.length;
  }

  get evaluations(): number {
    return this.evaluationCount;
  }

  get workers(): number {
    return 0;
  }

  start(problem: BatchedStart, tag: T): BatchedSolver {
    checkStart(problem, this.dimension);
    const { x0, lower, upper, initial } = problem;
    const reused = this.spare.pop();
    const solver = reused ? reused.restart(x0, lower, upper) : new LbfgsbSolver(x0, lower, upper, this.solverOptions);
    if (initial) solver.tell(initial.f, initial.g);
    this.running.push({ solver, tag });
    return solver;
  }

  async round(evaluate: BatchedObjective<T>): Promise<T[]> {
    const n = this.dimension;
    for (const solver of this.handedBack) this.spare.push(solver);
    this.handedBack.length = 0;
    const { pending, tags } = this;
    pending.length = 0;
    tags.length = 0;
    for (const entry of this.running) {
      if (entry.solver.pending() === null) continue;
      pending.push(entry);
      tags.push(entry.tag);
    }
    const k = pending.length;
    if (k > 0) {
      if (this.packed.length < k * n) this.packed = new Float64Array(k * n);
      for (let r = 0; r < k; r++) this.packed.set(pending[r].solver.pending()!, r * n);
      const values = await evaluate(this.packed.subarray(0, k * n), tags);
      checkEvaluation(values, k, n);
      for (let r = 0; r < k; r++) {
        const { solver, tag } = pending[r];
        solver.tellAt(values.f[r], values.g, r * n);
        this.afterTell?.(tag, r, solver);
      }
      this.evaluationCount += k;
    }
    const stopped: T[] = [];
    let kept = 0;
    for (const entry of this.running) {
      if (entry.solver.pending() !== null) this.running[kept++] = entry;
      else {
        stopped.push(entry.tag);
        this.handedBack.push(entry.solver);
      }
    }
    this.running.length = kept;
    return stopped;
  }

  async close(): Promise<void> {
    this.running.length = 0;
    this.spare.length = 0;
    this.handedBack.length = 0;
  }
}

/** One problem of a batch. */
export type BatchedProblem = Omit<BatchedStart, 'initial'>;

/** Progress report passed to `onRound` after every round. */
export interface BatchedRoundInfo {
  /** 1-based index of the round just completed. */
  round: number;
  /** Problems still running after this round. */
  running: number;
  /** Evaluations over all problems so far. */
  evaluations: number;
}

/** Options of {@link minimizeLbfgsbBatched}: the per-problem solver options, a progress hook and the batch to use. */
export type BatchedOptions = LbfgsbOptions & {
  onRound?: (info: BatchedRoundInfo) => void;
  /**
   * Builds the batch the problems run in (default: an {@link LbfgsbBatch} in this thread); for worker
   * threads, `(n, options) => createSolverBatch(n, { ...options, workers })`. It is closed at the end.
   */
  batch?: (dimension: number, options: BatchOptions<number>) => SolverBatch<number> | Promise<SolverBatch<number>>;
};

/**
 * Minimizes B independent problems of the same dimension n in one batch; every pending point of the
 * still-running problems is evaluated in one call per round.
 *
 * `evaluate(points, problemIndices)` receives the k pending points packed row-major (k×n) and the index
 * of the problem each row belongs to; both arrays are reused, so copy them if they must outlive the call.
 * Problems that stop drop out of later rounds; one whose f or g is not finite stops with status
 * 'non-finite' while the others go on.
 *
 * @returns one result per problem, in input order.
 * @throws Error naming the problem when the dimensions differ or a problem's bounds, x0 or the options
 *   are invalid (before any evaluation), or when `evaluate` returns arrays of the wrong length.
 */
export async function minimizeLbfgsbBatched(
  problems: BatchedProblem[],
  evaluate: (points: Float64Array, problemIndices: Int32Array) => Promise<BatchedEvaluation> | BatchedEvaluation,
  options: BatchedOptions = {},
): Promise<LbfgsbResult[]> {
  if (problems.length === 0) return [];
  const n = problems[0].x0.length;
  const { onRound, batch: makeBatch, ...solverOptions } = options;
  problems.forEach((p, b) => {
    if (p.x0.length !== n) throw new Error(`minimizeLbfgsbBatched: problem ${b} has dimension ${p.x0.length}, expected ${n}`);
  });
  const batchOptions: BatchOptions<number> = { solver: solverOptions };
  const batch = makeBatch ? await makeBatch(n, batchOptions) : new LbfgsbBatch<number>(n, batchOptions);
  try {
    const solvers = problems.map((p, b) => {
      try {
        return batch.start(p, b);
      } catch (error) {
        throw new Error(`minimizeLbfgsbBatched: problem ${b}: ${(error as Error).message}`);
      }
    });
    const owners = new Int32Array(problems.length);
    for (let round = 1; batch.size > 0; round++) {
      await batch.round((points, tags) => {
        owners.set(tags);
        return evaluate(points, owners.subarray(0, tags.length));
      });
      onRound?.({ round, running: batch.size, evaluations: batch.evaluations });
    }
    return solvers.map((s) => s.result());
  } finally {
    await batch.close();
  }
}
