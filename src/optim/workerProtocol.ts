/**
 * The messages between a worker batch (workerBatch.ts, in the calling thread) and its workers
 * (workerHost.ts), and how a solver's state travels. Every problem in flight has a slot, a row of the
 * batch's point and gradient tables: with SharedArrayBuffer the tables are shared and a message names the
 * slots; without, the rows travel in the messages.
 *
 * @module
 */

import type { LbfgsbOptions, LbfgsbStatus } from './lbfgsb.ts';

/** A problem for a worker to start in a slot; f and g when the caller had them at x0. */
export interface StartOrder {
  slot: number;
  x0: Float64Array;
  lower: Float64Array | null;
  upper: Float64Array | null;
  f?: number;
  g?: Float64Array;
}

/** The tables shared between the batch and its workers: `capacity` rows of n values each. */
export interface SharedTables {
  capacity: number;
  /** Row s: the pending point of the solver in slot s, written by the worker. */
  points: SharedArrayBuffer;
  /** Row s: ∇f at that point, written by the batch. */
  gradients: SharedArrayBuffer;
}

export type ToWorker =
  | { kind: 'init'; dimension: number; options: LbfgsbOptions }
  | { kind: 'tables'; tables: SharedTables }
  | { kind: 'start'; orders: StartOrder[] }
  /** g: the slots' gradient rows in order, or null when they are in the shared table. */
  | { kind: 'tell'; slots: Int32Array; f: Float64Array; g: Float64Array | null };

/** What a worker sends back about a solver that stopped: what the batch cannot read from its state row. */
export interface Final {
  slot: number;
  x: Float64Array;
  g: Float64Array;
  warnings: string[];
}

export type FromWorker =
  | { kind: 'ready' }
  /**
   * The state of each slot of the request (STATE_FIELDS values per slot), the pending points of those
   * still running in order when there are no shared tables (else null), and the finals of those that stopped.
   */
  | { kind: 'states'; slots: Int32Array; states: Float64Array; points: Float64Array | null; finals: Final[] }
  | { kind: 'failed'; message: string };

/** A solver's state as numbers: status code, evaluations, iterate's evaluation, iterations, restarts, f, ‖P(x − g) − x‖∞. */
export const STATE_FIELDS = 7;

/** The statuses by code, for the state rows. */
export const STATUSES: readonly LbfgsbStatus[] = [
  'running',
  'converged-pgtol',
  'converged-factr',
  'max-iterations',
  'max-evaluations',
  'line-search-failed',
  'non-finite',
];

/** What the state row of a solver holds. */
export interface SolverState {
  status: LbfgsbStatus;
  evaluations: number;
  iterateEvaluation: number;
  iterations: number;
  restarts: number;
  f: number;
  projectedGradientNorm: number;
}

/** Writes a solver's state at row `row` of `out`. */
export function writeState(state: SolverState, out: Float64Array, row: number): void {
  const at = row * STATE_FIELDS;
  out[at] = STATUSES.indexOf(state.status);
  out[at + 1] = state.evaluations;
  out[at + 2] = state.iterateEvaluation;
  out[at + 3] = state.iterations;
  out[at + 4] = state.restarts;
  out[at + 5] = state.f;
  out[at + 6] = state.projectedGradientNorm;
}

/** Reads row `row` of `states` into `into`. */
export function readState(states: Float64Array, row: number, into: SolverState): void {
  const at = row * STATE_FIELDS;
  into.status = STATUSES[states[at]];
  into.evaluations = states[at + 1];
  into.iterateEvaluation = states[at + 2];
  into.iterations = states[at + 3];
  into.restarts = states[at + 4];
  into.f = states[at + 5];
  into.projectedGradientNorm = states[at + 6];
}
