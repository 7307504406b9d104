/** Training a zoo model in the page, with progress callbacks and a stop button. */
import type { Engine } from '../src/index.ts';
import type { GpuDataset } from '../src/nn/dataset.ts';
import type { Evaluation } from '../src/nn/evaluate.ts';
import { fitModel } from '../src/nn/fit.ts';
import type { Model } from '../src/nn/model.ts';
import type { TrainProgress } from '../src/nn/train.ts';
import type { ModelSpec } from '../src/nn/zoo.ts';

/** What the user chose in the training form. */
export interface TrainingSettings {
  spec: ModelSpec;
  epochs: number;
  /** Minibatch size; undefined: the zoo's, shrunk for small subsets. */
  batch?: number;
  /** Test images evaluated after each epoch (the whole test set is slow on a CPU adapter). */
  evaluationLimit: number;
  /** Loss readbacks every this many steps; each one also lets the page repaint. */
  reportEvery: number;
  seed: number;
}

/** Thrown out of the progress callback to end training early; fitModel disposes the half-trained model. */
export class TrainingStopped extends Error {
  override name = 'TrainingStopped';
  constructor() {
    super('training stopped');
  }
}

/** A trained model with its errors (on at most `evaluationLimit` images each) and speed. */
export interface TrainedModel {
  model: Model;
  testError: Evaluation;
  trainError: Evaluation;
  seconds: number;
  examplesPerSecond: number;
}

/**
 * Fit `settings.spec` on the resident training set with the zoo's SGD settings. `train` awaits a loss
 * readback every `reportEvery` steps, which is where the page gets to repaint; `shouldStop` is polled there.
 * @throws TrainingStopped when `shouldStop` returned true.
 */
export async function trainInPage(
  engine: Engine,
  trainSet: GpuDataset,
  testSet: GpuDataset,
  settings: TrainingSettings,
  onProgress: (progress: TrainProgress, stage: string) => void,
  shouldStop: () => boolean,
): Promise<TrainedModel> {
  const { spec } = settings;
  let stage = 'supervised';
  const result = await fitModel(engine, spec, trainSet, testSet, {
    ...spec.training,
    // A small subset gives few steps per epoch; a smaller batch keeps their number useful.
    batch: settings.batch ?? Math.min(spec.training.batch, Math.max(8, Math.floor(trainSet.count / 8))),
    epochs: settings.epochs,
    seed: settings.seed,
    reportEvery: settings.reportEvery,
    evaluationLimit: settings.evaluationLimit,
    trainEvaluationLimit: settings.evaluationLimit,
    onStage: (s) => (stage = s === 'autoencoder' ? 'autoencoder (unsupervised)' : 'supervised'),
    onProgress: (progress) => {
      if (shouldStop()) throw new TrainingStopped();
      onProgress(progress, stage);
    },
  });
  return {
    model: result.model,
    testError: result.testError,
    trainError: result.trainError,
    seconds: result.training.seconds + (result.pretraining?.seconds ?? 0),
    examplesPerSecond: result.training.examplesPerSecond,
  };
}
