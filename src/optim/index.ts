/**
 * The `optim` namespace of the public API: our L-BFGS-B (float64, on the CPU) as a state machine, a
 * driver for one problem, and the batched drivers that evaluate many problems' points in one call, with
 * the solvers in this thread or spread over worker threads.
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
  type BatchedSolver,
  type BatchedStart,
  type BatchOptions,
  type SolverBatch,
} from './batched.ts';
export { LbfgsbWorkerBatch, createSolverBatch, type SolverBatchOptions, type WorkerBatchOptions, type WorkerCount } from './workerBatch.ts';
