/** Classification error of a model on a GPU dataset, counted on the GPU and read back once. */
import { noGrad } from '../autograd/tape.ts';
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

/** Predicted labels for the first `count` rows of an image tensor (one readback). */
export async function predict(model: Model, images: Tensor): Promise<Int32Array> {
  const engine = model.engine;
  const predicted = noGrad(engine, () => tidy(engine, () => argmax(model.logits(images), 1)));
  const values = await predicted.data();
  predicted.dispose();
  return Int32Array.from(values);
}
