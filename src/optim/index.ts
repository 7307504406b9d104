/**
 * The `optim` namespace of the public API: our L-BFGS-B (float64, on the CPU) as a state machine, a
 * driver for one problem, and the batched driver that evaluates many problems' points in one call.
 */
export { LbfgsbSolver, minimizeLbfgsb, type LbfgsbOptions, type LbfgsbResult, type LbfgsbStatus } from './lbfgsb.ts';
export {
  LbfgsbBatch,
  minimizeLbfgsbBatched,
  type BatchedObjective,
  type BatchedEvaluation,
  type BatchedProblem,
  type BatchedOptions,
  type BatchedRoundInfo,
} from './batched.ts';
