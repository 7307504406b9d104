/**
 * Batched L-BFGS-B: independent problems of one dimension advance together, and every round the pending
 * points of all running solvers go to the objective in a single call, which is what lets a GPU evaluate
 * one network forward/backward pass for the whole batch. Solvers may join at any round — the attack starts
 * the next c of a search as soon as the previous solve stops — so one driver, {@link LbfgsbBatch}, serves
 * streams of problems and fixed batches ({@link minimizeLbfgsbBatched}) alike.
 *
 * Each problem is an ordinary {@link LbfgsbSolver}; the driver only packs and unpacks, so a problem's
 * result is bitwise identical to solving it alone with the same evaluations.
 *
 * @module
 */

import { type LbfgsbOptions, type LbfgsbResult, LbfgsbSolver } from './lbfgsb.ts';

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

/** A running solver and the caller's tag for it. */
interface Entry<T> {
  solver: LbfgsbSolver;
  tag: T;
}

/**
 * The solvers in flight. `add` a solver with a tag of your choice; each {@link round} evaluates every
 * pending point in one call, tells each solver its row, and hands back the tags of the solvers that
 * stopped (they leave the batch). Rounds cost O(k·n) packing on top of the solvers' own work.
 */
export class LbfgsbBatch<T> {
  private running: Entry<T>[] = [];
  private packed = new Float64Array(0);
  private evaluationCount = 0;

  /**
   * @param dimension n, the length of every problem's x.
   * @param afterTell called after a solver was told its row of a round, with its tag and the row; with
   *   `solver.iterateEvaluation === solver.evaluations` it can tell whether the point became the iterate.
   */
  constructor(
    readonly dimension: number,
    private readonly afterTell?: (tag: T, row: number, solver: LbfgsbSolver) => void,
  ) {
    if (!Number.isSafeInteger(dimension) || dimension < 1) throw new Error(`LbfgsbBatch: dimension must be a positive integer, got ${dimension}`);
  }

  /** Solvers in flight. */
  get size(): number {
    return this.running.length;
  }

  /** Evaluations asked for so far, over every solver. */
  get evaluations(): number {
    return this.evaluationCount;
  }

  /** Put a solver in flight; a solver that has already stopped is handed back by the next round. */
  add(solver: LbfgsbSolver, tag: T): void {
    if (solver.n !== this.dimension) {
      throw new Error(`LbfgsbBatch: a problem of dimension ${solver.n} cannot join a batch of dimension ${this.dimension}`);
    }
    this.running.push({ solver, tag });
  }

  /**
   * One round: evaluate every pending point in one call and tell each solver its values.
   * @returns the tags of the solvers that have stopped, in the order they were added.
   * @throws Error when `evaluate` returns arrays shorter than the round needs.
   */
  async round(evaluate: BatchedObjective<T>): Promise<T[]> {
    const n = this.dimension;
    const pending = this.running.filter((e) => e.solver.pending() !== null);
    const k = pending.length;
    if (k > 0) {
      if (this.packed.length < k * n) this.packed = new Float64Array(k * n);
      pending.forEach((e, r) => this.packed.set(e.solver.pending()!, r * n));
      const points = this.packed.subarray(0, k * n);
      const values = await evaluate(
        points,
        pending.map((e) => e.tag),
      );
      if (values.f.length < k || values.g.length < k * n) {
        throw new Error(`LbfgsbBatch: the objective returned f of length ${values.f.length} and g of length ${values.g.length} for ${k} points of dimension ${n}`);
      }
      pending.forEach((e, r) => {
        e.solver.tell(values.f[r], values.g.subarray(r * n, r * n + n));
        this.afterTell?.(e.tag, r, e.solver);
      });
      this.evaluationCount += k;
    }
    const stopped: T[] = [];
    this.running = this.running.filter((e) => {
      if (e.solver.pending() !== null) return true;
      stopped.push(e.tag);
      return false;
    });
    return stopped;
  }
}

/** One problem of a batch. */
export interface BatchedProblem {
  /** Starting point (copied; projected into the box with a warning if outside). */
  x0: Float64Array;
  /** Lower bounds or null. */
  lower: Float64Array | null;
  /** Upper bounds or null. */
  upper: Float64Array | null;
}

/** Progress report passed to `onRound` after every round. */
export interface BatchedRoundInfo {
  /** 1-based index of the round just completed. */
  round: number;
  /** Problems still running after this round. */
  running: number;
  /** Evaluations over all problems so far. */
  evaluations: number;
}

/** Options of {@link minimizeLbfgsbBatched}: the per-problem solver options plus a progress hook. */
export type BatchedOptions = LbfgsbOptions & { onRound?: (info: BatchedRoundInfo) => void };

/**
 * Minimizes B independent problems of the same dimension n with an {@link LbfgsbBatch}; every pending
 * point of the still-running problems is evaluated in one call per round.
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
  const { onRound, ...solverOptions } = options;
  const solvers = problems.map((p, b) => {
    if (p.x0.length !== n) throw new Error(`minimizeLbfgsbBatched: problem ${b} has dimension ${p.x0.length}, expected ${n}`);
    try {
      return new LbfgsbSolver(p.x0, p.lower, p.upper, solverOptions);
    } catch (error) {
      throw new Error(`minimizeLbfgsbBatched: problem ${b}: ${(error as Error).message}`);
    }
  });
  const batch = new LbfgsbBatch<number>(n);
  solvers.forEach((solver, b) => batch.add(solver, b));
  const owners = new Int32Array(problems.length);
  for (let round = 1; batch.size > 0; round++) {
    await batch.round((points, tags) => {
      owners.set(tags);
      return evaluate(points, owners.subarray(0, tags.length));
    });
    onRound?.({ round, running: batch.size, evaluations: batch.evaluations });
  }
  return solvers.map((s) => s.result());
}
