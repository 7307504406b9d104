/**
 * Batched L-BFGS-B driver: B independent problems of one dimension advance in lock step, and every
 * round all still-running problems' pending points go to the objective in a single call, which is
 * what lets a GPU evaluate one network forward/backward pass for the whole batch.
 *
 * Each problem is an ordinary {@link LbfgsbSolver}; the driver only packs and unpacks, so a problem's
 * result is bitwise identical to solving it alone with the same evaluations.
 *
 * @module
 */

import { type LbfgsbOptions, type LbfgsbResult, LbfgsbSolver } from './lbfgsb.ts';

/** One problem of a batch. */
export interface BatchedProblem {
  /** Starting point (copied; projected into the box with a warning if outside). */
  x0: Float64Array;
  /** Lower bounds or null. */
  lower: Float64Array | null;
  /** Upper bounds or null. */
  upper: Float64Array | null;
}

/** Values for the k points of one round: f has length k, g is k×n row-major. */
export interface BatchedEvaluation {
  /** Objective values, one per point. */
  f: Float64Array;
  /** Gradients, packed row-major, k×n. */
  g: Float64Array;
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
 * Minimizes B independent problems of the same dimension n; every pending point of the
 * still-running problems is evaluated in one call per round.
 *
 * `evaluate(points, problemIndices)` receives the k pending points packed row-major (k×n) and the
 * index of the problem each row belongs to; both arrays are reused by the driver, so copy them if
 * they must outlive the call. Problems that stop drop out of later rounds; one whose f or g is not
 * finite stops with status 'non-finite' while the others go on.
 *
 * @returns one result per problem, in input order.
 * @throws Error when the problems' dimensions differ, a problem's bounds or x0 are invalid, or
 *   `evaluate` returns arrays of the wrong length.
 */
export async function minimizeLbfgsbBatched(
  problems: BatchedProblem[],
  evaluate: (points: Float64Array, problemIndices: Int32Array) => Promise<BatchedEvaluation> | BatchedEvaluation,
  options: BatchedOptions = {},
): Promise<LbfgsbResult[]> {
  const count = problems.length;
  if (count === 0) return [];
  const n = problems[0].x0.length;
  const { onRound, ...solverOptions } = options;
  const solvers = problems.map((p, b) => {
    if (p.x0.length !== n) {
      throw new Error(`minimizeLbfgsbBatched: problem ${b} has dimension ${p.x0.length}, expected ${n}`);
    }
    return new LbfgsbSolver(p.x0, p.lower, p.upper, solverOptions);
  });

  const packed = new Float64Array(count * n);
  const owners = new Int32Array(count);
  let evaluations = 0;
  for (let round = 1; ; round++) {
    let k = 0;
    for (let b = 0; b < count; b++) {
      const point = solvers[b].pending();
      if (point === null) continue;
      packed.set(point, k * n);
      owners[k++] = b;
    }
    if (k === 0) break;

    const ids = owners.subarray(0, k);
    const values = await evaluate(packed.subarray(0, k * n), ids);
    if (values.f.length < k || values.g.length < k * n) {
      throw new Error(
        `minimizeLbfgsbBatched: evaluate returned f of length ${values.f.length} and g of length ` +
          `${values.g.length} for ${k} points of dimension ${n}`,
      );
    }
    for (let r = 0; r < k; r++) {
      solvers[owners[r]].tell(values.f[r], values.g.subarray(r * n, r * n + n));
    }
    evaluations += k;

    if (onRound !== undefined) {
      let running = 0;
      for (let b = 0; b < count; b++) if (solvers[b].pending() !== null) running++;
      onRound({ round, running, evaluations });
    }
  }
  return solvers.map((s) => s.result());
}
