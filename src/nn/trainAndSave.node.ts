/**
 * Train a zoo model on a training set, evaluate it, and save its checkpoint with its training record
 * inside. Used by `blindspot train` and by `blindspot reproduce` (which reuses checkpoints that already
 * exist). A run never silently replaces a better-trained checkpoint: when the folder's checkpoint of the
 * same model and set has a lower test error, the new one is saved beside it under a dated name.
 */
import { basename } from 'node:path';
import type { Engine } from '../gpu/engine.ts';
import type { MnistData } from '../data/mnist.node.ts';
import { ensureWritableDirectory } from '../util/directories.node.ts';
import { splitP1P2 } from '../data/split.ts';
import { disposeDataset, uploadDataset } from './dataset.ts';
import { evaluate } from './evaluate.ts';
import { autoencoderEpochs, fitModel, type FitOptions } from './fit.ts';
import type { Model } from './model.ts';
import { checkpointFileName, listTrainedModels, saveTrainedModel, type TrainingRecord } from './store.node.ts';
import { checkTrainOptions } from './train.ts';
import { SPLIT_SEED, trainingSubset, type TrainingSetName } from './trainingSets.ts';
import { describeTraining, epochCount, type ModelSpec, type TrainingDefaults } from './zoo.ts';

export interface TrainAndSaveOptions extends Partial<Omit<FitOptions, 'seed'>> {
  seed: number;
  outDir: string;
}

export interface TrainAndSaveResult {
  model: Model;
  record: TrainingRecord;
  /** Set when a better checkpoint was kept and this one saved beside it: says which and why. */
  note?: string;
}

export async function trainAndSave(engine: Engine, spec: ModelSpec, set: TrainingSetName, data: MnistData, options: TrainAndSaveOptions): Promise<TrainAndSaveResult> {
  const settings = { ...spec.training, ...options };
  const subset = trainingSubset(data.train, set);
  if (settings.optimizer !== 'lbfgs') checkTrainOptions(settings, subset.count);
  await ensureWritableDirectory(options.outDir, 'checkpoint folder');
  const trainSet = uploadDataset(engine, subset, `${set} training set`);
  const testSet = uploadDataset(engine, data.test, 'test set');
  try {
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
    const testError = fit.testError.errorRate;
    const date = new Date().toISOString();
    const { file, note } = await checkpointFileFor(options.outDir, spec.name, set, testError, date);
    const errors: Record<string, number> = { train: fit.trainError.errorRate, test: testError };
    if (otherHalfError !== undefined) errors.otherHalf = otherHalfError;
    const record: TrainingRecord = {
      model: spec.name,
      set,
      checkpoint: file,
      trainError: fit.trainError.errorRate,
      testError,
      otherHalfError,
      optimizer: settings.optimizer,
      settings: describeSettings(spec, settings),
      epochs: fit.training.epochs,
      ...('iterations' in fit.training ? { iterations: fit.training.iterations, stopReason: fit.training.status } : {}),
      seconds: fit.training.seconds + (fit.pretraining?.seconds ?? 0),
      examplesPerSecond: fit.training.examplesPerSecond,
      seed: options.seed,
      adapter: engine.adapter.description || engine.adapter.architecture,
      date,
      data: data.identity,
    };
    const { meta, tensors } = await fit.model.toCheckpoint({ trainingSet: set, seed: options.seed, errors, extra: { epochs: fit.training.epochs } });
    await saveTrainedModel(options.outDir, { ...meta, record }, tensors);
    return { model: fit.model, record, note };
  } finally {
    disposeDataset(trainSet);
    disposeDataset(testSet);
  }
}

/** The model's usual file name, or a dated one beside it when the usual file holds a better model. */
async function checkpointFileFor(dir: string, model: string, set: TrainingSetName, testError: number, date: string): Promise<{ file: string; note?: string }> {
  const usual = checkpointFileName(model, set);
  const existing = (await listTrainedModels(dir)).models.find((m) => basename(m.path) === usual);
  if (!existing || existing.record.testError >= testError) return { file: usual };
  const file = usual.replace(/\.safetensors$/, `-${date.replace(/[:.]/g, '-')}.safetensors`);
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return {
    file,
    note: `kept ${usual}, whose test error ${pct(existing.record.testError)} is lower than this run's ${pct(testError)}; this run is saved beside it as ${file}`,
  };
}

function describeSettings(spec: ModelSpec, settings: TrainingDefaults & FitOptions): string {
  const pretraining = spec.frozenEncoder ? `; autoencoder stage: ${epochCount(autoencoderEpochs(spec, settings.epochs))} of SGD` : '';
  return `${describeTraining(settings)}${pretraining}`;
}
