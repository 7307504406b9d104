/**
 * The `nn` namespace of the public API: the paper's model zoo, models on the GPU, training (minibatch SGD
 * and full-batch L-BFGS), evaluation, and checkpoints as bytes (file I/O is in `blindspot/node`).
 * Platform-free: the same in a page and in Node.
 */
export { Model } from './model.ts';
export {
  ZOO,
  modelSpec,
  architectureOf,
  parameterShapes,
  layerOutputShapes,
  describeTraining,
  type ModelSpec,
  type LayerSpec,
  type DenseSpec,
  type ConvSpec,
  type MaxPoolSpec,
  type Activation,
  type Optimizer,
  type TrainingDefaults,
} from './zoo.ts';
export { uploadDataset, disposeDataset, type GpuDataset } from './dataset.ts';
export { evaluate, predict, type Evaluation } from './evaluate.ts';
export { train, checkTrainOptions, type TrainOptions, type TrainProgress, type TrainResult, type TrainedParameter } from './train.ts';
export { trainFullBatch, type FullBatchOptions, type FullBatchResult } from './fullBatch.ts';
export { fitModel, type FitOptions, type FitResult } from './fit.ts';
export { learningRateAt, describeSchedule, type LearningRateSchedule } from './learningRate.ts';
export { trainingSubset, parseTrainingSet, SPLIT_SEED, type TrainingSetName } from './trainingSets.ts';
export {
  encodeCheckpoint,
  decodeCheckpoint,
  checkCheckpointMatches,
  checkpointMismatches,
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointMeta,
  type CheckpointTensor,
  type DecodedCheckpoint,
  type CheckpointExpectation,
} from './checkpoint.ts';
export { trainingRecordProblem, type TrainingRecord } from './trainingRecord.ts';
