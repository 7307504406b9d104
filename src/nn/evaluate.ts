/** Classification error of a model on a GPU dataset, counted on the GPU and read back once. */
import { noGrad } from '../tensor/record.ts';
import { tidy, keep } from '../tensor/context.ts';
import { add, equal, mul } from '../tensor/ops/binary.ts';
import { argmax, min, sum } from '../tensor/ops/reduce.ts';
import { fill } from '../tensor/ops/fill.ts';
import { sliceRows } from '../tensor/ops/slice.ts';
import { finiteMask } from '../tensor/ops/unary.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Model } from './model.ts';
import type { GpuDataset } from './dataset.ts';

export interface Evaluation {
  /** Misclassified images, the `nonFinite` ones included (their prediction is undefined). */
  errors: number;
  count: number;
  /** errors / count. */
  errorRate: number;
  /**
   * Images whose logits hold a NaN or ±Infinity (the model's outputs overflow there): counted as errors,
   * and reported so that an error rate that is mostly overflow is not mistaken for a classifier's.
   */
  nonFinite: number;
}

/**
 * Fraction of `dataset` (or its first `limit` images) that `model` misclassifies, and how many images give
 * logits that are not finite (see {@link Evaluation}).
 * @throws Error when there is nothing to evaluate, or `batch` / `limit` is not a positive integer.
 */
export async function evaluate(model: Model, dataset: GpuDataset, options: { batch?: number; limit?: number } = {}): Promise<Evaluation> {
  const batch = options.batch ?? 1000;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`evaluate: batch must be a positive integer, got ${batch}`);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new Error(`evaluate: limit must be a positive integer, got ${options.limit}`);
  }
  const count = Math.min(options.limit ?? dataset.count, dataset.count);
  if (count === 0) throw new Error(`evaluate: ${dataset.name} holds no images to evaluate ${model.spec.name} on`);
  const engine = model.engine;
  let totals: { correct: Tensor; finite: Tensor } = { correct: keep(fill(engine, [], 0)), finite: keep(fill(engine, [], 0)) };
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const next = noGrad(engine, () =>
      tidy(engine, () => {
        const images = sliceRows(dataset.images, start, size);
        const labels = sliceRows(dataset.labels, start, size);
        const logits = model.logits(images);
        // 1 for a row whose logits are all finite: only those rows have a prediction.
        const finiteRows = min(finiteMask(logits), 1);
        const hits = mul(equal(argmax(logits, 1), labels), finiteRows);
        return { correct: add(totals.correct, sum(hits)), finite: add(totals.finite, sum(finiteRows)) };
      }),
    );
    totals.correct.dispose();
    totals.finite.dispose();
    totals = { correct: keep(next.correct), finite: keep(next.finite) };
  }
  const right = Math.round(await totals.correct.item());
  const finite = Math.round(await totals.finite.item());
  totals.correct.dispose();
  totals.finite.dispose();
  const errors = count - right;
  return { errors, count, errorRate: errors / count, nonFinite: count - finite };
}

/** Training images an epoch's training error is counted on: all 60 000 would add a third to an epoch here. */
export const EPOCH_TRAIN_EVALUATION = 10_000;

/**
 * Training and test error during training (after an epoch or an L-BFGS iteration): the training error on
 * at most {@link EPOCH_TRAIN_EVALUATION} images. Nothing without a test set: the autoencoder stage has no
 * trained classifier to count errors of.
 */
export async function errorsDuringTraining(
  model: Model,
  trainSet: GpuDataset,
  testSet: GpuDataset | null,
  limits: { train?: number; test?: number },
): Promise<{ trainError?: number; testError?: number }> {
  if (!testSet) return {};
  const train = await evaluate(model, trainSet, { limit: Math.min(limits.train ?? EPOCH_TRAIN_EVALUATION, EPOCH_TRAIN_EVALUATION) });
  const test = await evaluate(model, testSet, { limit: limits.test });
  return { trainError: train.errorRate, testError: test.errorRate };
}

/**
 * Predicted labels of a batch of images (one readback).
 * @throws Error naming the first image whose logits are not finite: it has no prediction.
 */
export async function predict(model: Model, images: Tensor): Promise<Int32Array> {
  const engine = model.engine;
  const { labels, finite } = noGrad(engine, () =>
    tidy(engine, () => {
      const logits = model.logits(images);
      return { labels: argmax(logits, 1), finite: min(finiteMask(logits), 1) };
    }),
  );
  const [values, finiteRows] = await Promise.all([labels.data(), finite.data()]);
  labels.dispose();
  finite.dispose();
  const bad = finiteRows.indexOf(0);
  if (bad >= 0) {
    const total = finiteRows.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
    throw new Error(`predict: ${model.spec.name}'s logits are not finite (NaN or ±Infinity) for ${total} of ${finiteRows.length} images, first image ${bad}: its outputs overflow`);
  }
  return Int32Array.from(values);
}
