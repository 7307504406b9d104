/// <reference types="@webgpu/types" preserve="true" />
/**
 * `blindspot/node`: everything `blindspot` exports, plus what needs Node's file system — MNIST from IDX
 * files, checkpoints as files, folders of trained models with their records, training a zoo model into
 * such a folder, the trained zoo that ships with the package, and PNG figures.
 */
export * from './index.ts';
export { loadMnist, defaultMnistDir, MNIST_FILES, type MnistData } from './data/mnist.node.ts';
export { loadCheckpoint, saveCheckpoint, readCheckpointMeta } from './nn/checkpoint.node.ts';
export {
  listTrainedModels,
  readTrainingRecords,
  saveTrainedModel,
  checkpointFileName,
  checkpointPath,
  type StoredModel,
  type StoredModels,
} from './nn/store.node.ts';
export { trainAndSave, type TrainAndSaveOptions, type TrainAndSaveResult } from './nn/trainAndSave.node.ts';
export { shippedZooFolder } from './nn/zooFolder.node.ts';
export { hardenAndSave, heldOutFor, variantOf } from './hardening/hardenAndSave.node.ts';
export { writeImageGrid, encodeGreyPng } from './report/png.node.ts';
