/**
 * Training on blind spots (Szegedy et al. 2014, §4.2) and the controls it is compared with, all through
 * the same SGD loop (nn/train.ts) with the same budget and seed:
 * - 'adversarial': a pool of adversarial examples per layer (the input, and hidden sigmoid layers, whose
 *   examples train the layers above them), refreshed every few steps with examples the batched search
 *   makes against the current network, and mixed into every minibatch;
 * - 'noise': Gaussian-noise copies of training images mixed in instead, at a chosen σ (the adversarial
 *   pools' mean distortion), clipped to [0, 1];
 * - 'dropout': inverted dropout on the hidden layers' outputs.
 * Every minibatch's loss is the mean cross-entropy over its clean and its extra rows together.
 */
import { errorRateOn } from '../analysis/transfer.ts';
import type { Engine } from '../gpu/engine.ts';
import type { LabelledImages } from '../data/idx.ts';
import { MNIST_PIXELS } from '../data/idx.ts';
import type { GpuDataset } from '../nn/dataset.ts';
import { evaluate, type Evaluation } from '../nn/evaluate.ts';
import { Model } from '../nn/model.ts';
import { train, type TrainOptions, type TrainResult } from '../nn/train.ts';
import type { ModelSpec } from '../nn/zoo.ts';
import { add } from '../tensor/ops/binary.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { dropout, gaussianNoise } from '../tensor/ops/random.ts';
import { softmaxCrossEntropy } from '../tensor/ops/softmax.ts';
import { mulScalar } from '../tensor/ops/unary.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { createRng, deriveSeed, type Rng } from '../util/random.ts';
import { AdversarialPool, type PoolLayer, type PoolSearch, type PoolStats } from './pool.ts';

export interface AdversarialMode {
  kind: 'adversarial';
  /** The layers with a pool: 'input' and hidden sigmoid layer indices. */
  layers: PoolLayer[];
  /** Entries per pool. */
  poolSize: number;
  /** Steps between refreshes. */
  refreshEvery: number;
  /** Training images attacked per pool at each refresh (their successes replace random entries). */
  refreshImages: number;
  /** Pool rows mixed into every minibatch, per pool. */
  perBatch: number;
  /** The first epoch whose steps use the pools (the network is too weak before to make useful examples). */
  startEpoch: number;
  search: PoolSearch;
}

export interface NoiseMode {
  kind: 'noise';
  /** Standard deviation of the noise before clipping to [0, 1]. */
  sigma: number;
  /** Noisy copies of random training images mixed into every minibatch. */
  perBatch: number;
}

export interface DropoutMode {
  kind: 'dropout';
  /** Probability that a hidden unit's output is dropped in a step. */
  rate: number;
}

/**
 * Weight decay alone, through the same loop: the control for runs on another budget than the zoo's
 * (whose FC100-100-10 is the control at its own budget).
 */
export interface PlainMode {
  kind: 'plain';
}

export type HardeningMode = AdversarialMode | NoiseMode | DropoutMode | PlainMode;

/** The paper gives no pool sizes, rates or budgets: these are ours (docs/hardening.md). */
export const ADVERSARIAL_DEFAULTS: Omit<AdversarialMode, 'layers'> = {
  kind: 'adversarial',
  poolSize: 10_000,
  refreshEvery: 100,
  refreshImages: 256,
  perBatch: 32,
  startEpoch: 2,
  search: { maxIterations: 20, maxRefinements: 2, distortionTolerance: 0.05 },
};

/** Checks a mode's settings before any work; the message names the setting and its range. */
export function checkHardeningMode(mode: HardeningMode): void {
  const integer = (name: string, value: number, min: number) => {
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`hardening: ${name} must be an integer ≥ ${min}, got ${value}`);
  };
  if (mode.kind === 'dropout') {
    if (!(mode.rate > 0 && mode.rate < 1)) throw new Error(`hardening: dropout rate must be in (0, 1), got ${mode.rate}`);
  } else if (mode.kind === 'noise') {
    if (!(mode.sigma > 0) || !Number.isFinite(mode.sigma)) throw new Error(`hardening: noise sigma must be a finite number > 0, got ${mode.sigma}`);
    integer('perBatch', mode.perBatch, 1);
  } else if (mode.kind === 'adversarial') {
    if (mode.layers.length === 0) throw new Error('hardening: adversarial training needs at least one pool layer');
    integer('poolSize', mode.poolSize, 1);
    integer('refreshEvery', mode.refreshEvery, 1);
    integer('refreshImages', mode.refreshImages, 1);
    integer('perBatch', mode.perBatch, 1);
    integer('startEpoch', mode.startEpoch, 1);
    integer('search.maxIterations', mode.search.maxIterations, 1);
    integer('search.maxRefinements', mode.search.maxRefinements, 0);
    if (!(mode.search.distortionTolerance >= 0 && mode.search.distortionTolerance < 1)) {
      throw new Error(`hardening: search.distortionTolerance must be in [0, 1), got ${mode.search.distortionTolerance}`);
    }
  }
}

/** The mode in words, for records and reports. */
export function describeMode(mode: HardeningMode): string {
  if (mode.kind === 'plain') return 'weight decay alone';
  if (mode.kind === 'dropout') return `dropout ${mode.rate} on the hidden layers`;
  if (mode.kind === 'noise') return `Gaussian noise σ = ${mode.sigma} (clipped to [0, 1]), ${mode.perBatch} noisy copies per minibatch`;
  const layers = mode.layers.map((l) => (l === 'input' ? 'input' : `layer ${l}`)).join(', ');
  const s = mode.search;
  return (
    `adversarial pools at ${layers}: ${mode.poolSize} entries each, ${mode.refreshImages} images attacked per pool every ${mode.refreshEvery} steps ` +
    `from epoch ${mode.startEpoch}, ${mode.perBatch} pool rows per minibatch each; search: ≤ ${s.maxIterations} L-BFGS-B iterations per c, ` +
    `≤ ${s.maxRefinements} refinements, distortion pinned to ${100 * s.distortionTolerance}%, c started at the median of recent successes`
  );
}

/** Errors on a held-out set of adversarial images (true labels), made for another network. */
export interface HeldOutAdversarial {
  images: Float32Array;
  labels: Int32Array;
  /** What made them, e.g. "FC100-100-10 (zoo), test images 0–499". */
  description: string;
}

export type HardenOptions = Omit<TrainOptions, 'loss' | 'beforeStep' | 'parameters' | 'onProgress'> & {
  mode: HardeningMode;
  /** Adversarial images made for another network, whose error is followed epoch by epoch. */
  heldOut?: HeldOutAdversarial;
  onProgress?: (progress: HardeningProgress) => void;
};

export interface HardeningProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  done?: boolean;
  testError?: number;
  trainError?: number;
  heldOutError?: number;
  pools: PoolStats[];
  seconds: TimeSplit;
}

/**
 * Where a hardening run's time went: the adversarial searches and the rest of training (steps,
 * evaluation), each with the part spent waiting for the GPU (`Engine.gpuWaitMs`).
 */
export interface TimeSplit {
  searches: number;
  searchesGpuWait: number;
  training: number;
  trainingGpuWait: number;
}

export interface HardenResult {
  model: Model;
  training: TrainResult;
  trainError: Evaluation;
  testError: Evaluation;
  heldOutError?: number;
  pools: PoolStats[];
  /** Where the time went (see {@link TimeSplit}), and in all. */
  seconds: TimeSplit & { total: number };
}

/**
 * Train a zoo model from its seed with `options.mode` mixed into SGD. `trainImages` is the CPU copy of the
 * training set `trainSet` holds (the pools and the noise draw their images from it).
 */
export async function hardenModel(
  engine: Engine,
  spec: ModelSpec,
  trainSet: GpuDataset,
  trainImages: LabelledImages,
  testSet: GpuDataset,
  options: HardenOptions,
): Promise<HardenResult> {
  const started = performance.now();
  const model = Model.create(engine, spec, options.seed);
  const rng = createRng(deriveSeed(options.seed, `hardening ${options.mode.kind}`));
  const { mode } = options;
  const pools = mode.kind === 'adversarial' ? mode.layers.map((layer) => new AdversarialPool(model, layer, mode.poolSize)) : [];
  const perEpoch = Math.min(options.examplesPerEpoch ?? trainSet.count, trainSet.count);
  const stepsPerEpoch = Math.floor(perEpoch / options.batch);
  let searchSeconds = 0;
  let searchWaitMs = 0;
  const waitAtStart = engine.gpuWaitMs;
  const split = (): TimeSplit => {
    const elapsed = (performance.now() - started) / 1000;
    const wait = (engine.gpuWaitMs - waitAtStart) / 1000;
    return { searches: searchSeconds, searchesGpuWait: searchWaitMs / 1000, training: elapsed - searchSeconds, trainingGpuWait: wait - searchWaitMs / 1000 };
  };
  let extra: { rows: number; terms: (() => Tensor)[]; tensors: Tensor[] } = { rows: 0, terms: [], tensors: [] };

  const clearExtra = () => {
    for (const t of extra.tensors) t.dispose();
    extra = { rows: 0, terms: [], tensors: [] };
  };

  const beforeStep = async (step: number) => {
    clearExtra();
    const epoch = Math.floor(step / stepsPerEpoch) + 1;
    if (mode.kind === 'adversarial') {
      if (epoch < mode.startEpoch) return;
      if ((step - (mode.startEpoch - 1) * stepsPerEpoch) % mode.refreshEvery === 0) {
        const t0 = performance.now();
        const wait0 = engine.gpuWaitMs;
        for (const pool of pools) await pool.refresh(drawImages(trainImages, mode.refreshImages, rng), mode.search, rng);
        searchSeconds += (performance.now() - t0) / 1000;
        searchWaitMs += engine.gpuWaitMs - wait0;
      }
      for (const pool of pools) {
        if (pool.size === 0) continue;
        const sample = pool.sample(mode.perBatch, rng);
        extra.tensors.push(sample.inputs, sample.labels);
        extra.rows += mode.perBatch;
        extra.terms.push(() => softmaxCrossEntropy(pool.classifier.logits(sample.inputs), sample.labels, { reduction: 'sum' }));
      }
    } else if (mode.kind === 'noise') {
      const picked = drawImages(trainImages, mode.perBatch, rng);
      const images = tensor(engine, picked.images, [picked.count, MNIST_PIXELS]);
      const labels = tensor(engine, Float32Array.from(picked.labels), [picked.count]);
      const noisy = gaussianNoise(images, mode.sigma, deriveSeed(options.seed, `noise step ${step}`), { clipTo: [0, 1] });
      extra.tensors.push(images, labels, noisy);
      extra.rows += picked.count;
      extra.terms.push(() => softmaxCrossEntropy(model.logits(noisy), labels, { reduction: 'sum' }));
    }
  };

  const loss = (images: Tensor, labels: Tensor, step: number): Tensor => {
    const logits = mode.kind === 'dropout' ? logitsWithDropout(model, images, mode.rate, deriveSeed(options.seed, 'dropout') + step * spec.layers.length) : model.logits(images);
    return mixedLoss(logits, labels, extra.terms, extra.rows);
  };

  let lastProgress: HardeningProgress | null = null;
  try {
    const training = await train(model, trainSet, testSet, {
      ...options,
      loss,
      beforeStep,
      onProgress: async (p) => {
        const heldOutError = p.done && options.heldOut ? await errorOn(model, options.heldOut) : undefined;
        lastProgress = {
          ...p,
          heldOutError,
          pools: pools.map((pool) => pool.stats()),
          seconds: split(),
        };
        options.onProgress?.(lastProgress);
      },
    });
    clearExtra();
    const trainError = await evaluate(model, trainSet, { limit: options.trainEvaluationLimit });
    const testError = await evaluate(model, testSet, { limit: options.evaluationLimit });
    const total = (performance.now() - started) / 1000;
    return {
      model,
      training,
      trainError,
      testError,
      heldOutError: options.heldOut ? await errorOn(model, options.heldOut) : undefined,
      pools: pools.map((pool) => pool.stats()),
      seconds: { ...split(), total },
    };
  } catch (error) {
    clearExtra();
    model.dispose();
    throw error;
  }
}

/**
 * The mean cross-entropy over a minibatch's clean rows (`logits` against `labels`) and its extra rows
 * together: each extra term is the summed cross-entropy of its rows (a pool sample through the layers
 * above its layer, or noisy copies through the whole model), `extraRows` rows in all.
 */
export function mixedLoss(logits: Tensor, labels: Tensor, extraTerms: (() => Tensor)[], extraRows: number): Tensor {
  let total = softmaxCrossEntropy(logits, labels, { reduction: 'sum' });
  for (const term of extraTerms) total = add(total, term());
  return mulScalar(total, 1 / (logits.shape[0] + extraRows));
}

/** The model's logits with dropout after every hidden layer (seeds base, base + 1, …). */
function logitsWithDropout(model: Model, images: Tensor, rate: number, seed: number): Tensor {
  const layers = model.spec.layers.length;
  let h = model.spec.inputShape.length === 3 ? images.reshape([images.shape[0], ...model.spec.inputShape]) : images;
  for (let i = 0; i < layers; i++) {
    h = model.applyLayer(i, h);
    if (i < layers - 1) h = dropout(h, rate, seed + i);
  }
  return h;
}

/** `count` training images drawn at random (with their labels), as a CPU set. */
function drawImages(set: LabelledImages, count: number, rng: Rng): LabelledImages {
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = rng.int(set.count);
    images.set(set.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = set.labels[k];
  }
  return { images, labels, count };
}

function errorOn(model: Model, heldOut: HeldOutAdversarial): Promise<number> {
  return errorRateOn(model, heldOut.images, heldOut.labels);
}
