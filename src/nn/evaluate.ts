/** Classification error of a model on a GPU dataset, counted on the GPU and read back once. */
import { noGrad } from '../tensor/record.ts';
import { tidy, keep } from '../tensor/context.ts';
import { add } from '../tensor/ops/binary.ts';
import { equal } from '../tensor/ops/binary.ts';
import { argmax, sum } from '../tensor/ops/reduce.ts';
import { fill } from '../tensor/ops/fill.ts';
import { sliceRows } from '../tensor/ops/slice.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Model } from './model.ts';
import type { GpuDataset } from './dataset.ts';

export interface Evaluation {
  errors: number;
  count: number;
  errorRate: number;
}

/** Fraction of `dataset` (or its first `limit` images) that `model` misclassifies. */
export async function evaluate(model: Model, dataset: GpuDataset, options: { batch?: number; limit?: number } = {}): Promise<Evaluation> {
  const batch = options.batch ?? 1000;
  const count = Math.min(options.limit ?? dataset.count, dataset.count);
  const engine = model.engine;
  let correct: Tensor = keep(fill(engine, [], 0));
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const next = noGrad(engine, () =>
      tidy(engine, () => {
        const images = sliceRows(dataset.images, start, size);
        const labels = sliceRows(dataset.labels, start, size);
        const predicted = argmax(model.logits(images), 1);
        return add(correct, sum(equal(predicted, labels)));
      }),
    );
    correct.dispose();
    correct = keep(next);
  }
  const right = await correct.item();
  correct.dispose();
  const errors = count - Math.round(right);
  return { errors, count, errorRate: errors / count };
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

/** Predicted labels for the first `count` rows of an image tensor (one readback). */
export async function predict(model: Model, images: Tensor): Promise<Int32Array> {
  const engine = model.engine;
  const predicted = noGrad(engine, () => tidy(engine, () => argmax(model.logits(images), 1)));
  const values = await predicted.data();
  predicted.dispose();
  return Int32Array.from(values);
}
