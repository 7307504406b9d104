/**
 * Train a zoo model on a training set, evaluate it, and save its checkpoint and training record. Used by
 * `blindspot train` and by `blindspot reproduce` (which reuses checkpoints that already exist).
 */
import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Engine } from '../gpu/engine.ts';
import type { MnistData } from '../data/mnist.node.ts';
import { saveCheckpoint } from './checkpoint.node.ts';
import { disposeDataset, uploadDataset } from './dataset.ts';
import { evaluate } from './evaluate.ts';
import { autoencoderEpochs, fitModel, type FitOptions } from './fit.ts';
import type { Model } from './model.ts';
import { checkpointPath, saveTrainingRecord, type TrainingRecord } from './store.node.ts';
import { SPLIT_SEED, trainingSubset, type TrainingSetName } from './trainingSets.ts';
import { splitP1P2 } from '../data/split.ts';
import { describeTraining, epochCount, type ModelSpec, type TrainingDefaults } from './zoo.ts';

export interface TrainAndSaveOptions extends Partial<Omit<FitOptions, 'seed'>> {
  seed: number;
  outDir: string;
}

export async function trainAndSave(
  engine: Engine,
  spec: ModelSpec,
  set: TrainingSetName,
  data: MnistData,
  options: TrainAndSaveOptions,
): Promise<{ model: Model; record: TrainingRecord }> {
  await mkdir(options.outDir, { recursive: true });
  const trainSet = uploadDataset(engine, trainingSubset(data.train, set), `${set} training set`);
  const testSet = uploadDataset(engine, data.test, 'test set');
  try {
    const settings = { ...spec.training, ...options };
    const fit = await fitModel(engine, spec, trainSet, testSet, settings);
    let otherHalfError: number | undefined;
    if (set !== 'full') {
      const split = splitP1P2(data.train, SPLIT_SEED);
      const other = uploadDataset(engine, set === 'P1' ? split.p2 : split.p1, 'other half');
      try {
        otherHalfError = (await evaluate(fit.model, other, { limit: options.trainEvaluationLimit })).errorRate;
      } finally {
        disposeDataset(other);
      }
    }
    const path = checkpointPath(options.outDir, spec.name, set);
    const errors: Record<string, number> = { train: fit.trainError.errorRate, test: fit.testError.errorRate };
    if (otherHalfError !== undefined) errors.otherHalf = otherHalfError;
    const { meta, tensors } = await fit.model.toCheckpoint({
      trainingSet: set,
      seed: options.seed,
      errors,
      extra: { epochs: fit.training.epochs, data: data.source },
    });
    await saveCheckpoint(path, meta, tensors);
    const record: TrainingRecord = {
      model: spec.name,
      set,
      checkpoint: basename(path),
      trainError: fit.trainError.errorRate,
      testError: fit.testError.errorRate,
      otherHalfError,
      optimizer: settings.optimizer,
      settings: describeSettings(spec, settings),
      epochs: fit.training.epochs,
      ...('iterations' in fit.training ? { iterations: fit.training.iterations, stopReason: fit.training.status } : {}),
      seconds: fit.training.seconds + (fit.pretraining?.seconds ?? 0),
      examplesPerSecond: fit.training.examplesPerSecond,
      seed: options.seed,
      adapter: engine.adapter.description || engine.adapter.architecture,
      date: new Date().toISOString(),
    };
    await saveTrainingRecord(options.outDir, record);
    return { model: fit.model, record };
  } finally {
    disposeDataset(trainSet);
    disposeDataset(testSet);
  }
}

function describeSettings(spec: ModelSpec, settings: TrainingDefaults & FitOptions): string {
  const pretraining = spec.frozenEncoder ? `; autoencoder stage: ${epochCount(autoencoderEpochs(spec, settings.epochs))} of SGD` : '';
  return `${describeTraining(settings)}${pretraining}`;
}
