/**
 * Harden a zoo model (adversarial pools, or a control) on all 60 000 training images and save it beside
 * the zoo, its checkpoint named and recorded as a variant of the model, the pools' settings and how the
 * time split in its record.
 */
import type { Engine } from '../gpu/engine.ts';
import { findBlindSpots } from '../attack/attack.ts';
import type { MnistData } from '../data/mnist.node.ts';
import { MNIST_PIXELS } from '../data/idx.ts';
import { disposeDataset, uploadDataset } from '../nn/dataset.ts';
import type { Model } from '../nn/model.ts';
import { saveTrained } from '../nn/trainAndSave.node.ts';
import { checkTrainOptions } from '../nn/train.ts';
import type { TrainingRecord } from '../nn/trainingRecord.ts';
import { describeTraining, type ModelSpec } from '../nn/zoo.ts';
import { ensureWritableDirectory } from '../util/directories.node.ts';
import { checkHardeningMode, describeMode, hardenModel, type HardenOptions, type HardenResult, type HardeningMode, type HeldOutAdversarial } from './harden.ts';

/** The variant a mode makes, as records and file names show it. */
export function variantOf(mode: HardeningMode): string {
  if (mode.kind === 'plain') return 'plain';
  if (mode.kind === 'dropout') return `dropout ${mode.rate}`;
  if (mode.kind === 'noise') return `noise ${mode.sigma}`;
  return `adversarial ${mode.layers.map((l) => (l === 'input' ? 'input' : `layer${l}`)).join(' ')}`;
}

/**
 * Adversarial images of the first `count` test images, made for `model` (one seeded random target each,
 * the attack's default search): the held-out set whose error a hardening run follows.
 */
export async function heldOutFor(model: Model, data: MnistData, count: number, seed: number): Promise<HeldOutAdversarial> {
  const images = data.test.images.subarray(0, count * MNIST_PIXELS);
  const labels = data.test.labels.subarray(0, count);
  const report = await findBlindSpots(model, images, labels, { targets: { kind: 'random', seed } });
  const found = report.images.filter((r) => r.best?.adversarial);
  const stack = new Float32Array(found.length * MNIST_PIXELS);
  found.forEach((r, i) => stack.set(r.best!.adversarial!, i * MNIST_PIXELS));
  return {
    images: stack,
    labels: Int32Array.from(found, (r) => r.label),
    description: `${found.length} adversarial examples made for ${model.spec.name} on test images 0–${count - 1}`,
  };
}

export interface HardenAndSaveOptions extends HardenOptions {
  outDir: string;
}

export async function hardenAndSave(
  engine: Engine,
  spec: ModelSpec,
  data: MnistData,
  options: HardenAndSaveOptions,
): Promise<{ result: HardenResult; record: TrainingRecord; note?: string }> {
  const { onProgress: _progress, ...trainOptions } = options;
  checkTrainOptions(trainOptions, data.train.count);
  checkHardeningMode(options.mode);
  await ensureWritableDirectory(options.outDir, 'checkpoint folder');
  const trainSet = uploadDataset(engine, data.train, 'training set');
  const testSet = uploadDataset(engine, data.test, 'test set');
  try {
    const result = await hardenModel(engine, spec, trainSet, data.train, testSet, options);
    const { record, note } = await saveTrained(
      engine,
      spec,
      'full',
      data,
      {
        model: result.model,
        trainError: result.trainError.errorRate,
        testError: result.testError.errorRate,
        optimizer: 'sgd',
        settings: `${describeTraining({ ...spec.training, ...options })}; ${describeMode(options.mode)}`,
        epochs: result.training.epochs,
        seconds: result.seconds.total,
        examplesPerSecond: result.training.examplesPerSecond,
        extra: {
          hardening: {
            mode: options.mode,
            pools: result.pools,
            seconds: result.seconds,
            ...(options.heldOut ? { heldOut: options.heldOut.description, heldOutError: result.heldOutError } : {}),
          },
        },
      },
      { outDir: options.outDir, seed: options.seed, variant: variantOf(options.mode) },
    );
    return { result, record, note };
  } finally {
    disposeDataset(trainSet);
    disposeDataset(testSet);
  }
}
