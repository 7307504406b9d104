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
    const { record, note } = await saveTrained(engine, spec, set, data, {
      model: fit.model,
      trainError: fit.trainError.errorRate,
      testError: fit.testError.errorRate,
      otherHalfError,
      optimizer: settings.optimizer,
      settings: describeSettings(spec, settings),
      epochs: fit.training.epochs,
      ...('iterations' in fit.training ? { iterations: fit.training.iterations, stopReason: fit.training.status } : {}),
      seconds: fit.training.seconds + (fit.pretraining?.seconds ?? 0),
      examplesPerSecond: fit.training.examplesPerSecond,
    }, { outDir: options.outDir, seed: options.seed });
    return { model: fit.model, record, note };
  } finally {
    disposeDataset(trainSet);
    disposeDataset(testSet);
  }
}

/** What a training run produced, before it is saved: the model and what goes into its record. */
export interface TrainedModel {
  model: Model;
  trainError: number;
  testError: number;
  otherHalfError?: number;
  optimizer: 'sgd' | 'lbfgs';
  /** How it was trained, in words (the record's `settings`). */
  settings: string;
  epochs: number;
  iterations?: number;
  stopReason?: string;
  seconds: number;
  examplesPerSecond: number;
  /** More metadata for the checkpoint (e.g. a hardened model's pools and time split). */
  extra?: Record<string, unknown>;
}

/**
 * Save a trained model with its record into `outDir` (never over a better checkpoint of the same model,
 * set and variant: see {@link trainAndSave}).
 */
export async function saveTrained(
  engine: Engine,
  spec: ModelSpec,
  set: TrainingSetName,
  data: MnistData,
  trained: TrainedModel,
  where: { outDir: string; seed: number; variant?: string },
): Promise<{ record: TrainingRecord; note?: string }> {
  const date = new Date().toISOString();
  const { file, note } = await checkpointFileFor(where.outDir, spec.name, set, where.variant, trained.testError, date);
  const errors: Record<string, number> = { train: trained.trainError, test: trained.testError };
  if (trained.otherHalfError !== undefined) errors.otherHalf = trained.otherHalfError;
  const record: TrainingRecord = {
    model: spec.name,
    set,
    checkpoint: file,
    trainError: trained.trainError,
    testError: trained.testError,
    otherHalfError: trained.otherHalfError,
    optimizer: trained.optimizer,
    settings: trained.settings,
    epochs: trained.epochs,
    ...(trained.iterations !== undefined ? { iterations: trained.iterations, stopReason: trained.stopReason } : {}),
    seconds: trained.seconds,
    examplesPerSecond: trained.examplesPerSecond,
    seed: where.seed,
    adapter: engine.adapter.description || engine.adapter.architecture,
    date,
    data: data.identity,
    ...(where.variant ? { variant: where.variant } : {}),
  };
  const { meta, tensors } = await trained.model.toCheckpoint({ trainingSet: set, seed: where.seed, errors, extra: { epochs: trained.epochs, ...trained.extra } });
  await saveTrainedModel(where.outDir, { ...meta, record }, tensors);
  return { record, note };
}

/** The model's usual file name, or a dated one beside it when the usual file holds a better model. */
async function checkpointFileFor(dir: string, model: string, set: TrainingSetName, variant: string | undefined, testError: number, date: string): Promise<{ file: string; note?: string }> {
  const usual = checkpointFileName(model, set, variant);
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
