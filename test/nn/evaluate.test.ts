/**
 * evaluate() and predict() on a hand-built softmax regression whose outputs overflow to ±Infinity on some
 * images: those images are counted and reported, as errors, instead of taking part in a plausible error
 * rate through whatever argmax makes of an infinite row.
 */
import { describe, expect, it } from 'vitest';
import { disposeDataset, uploadDataset } from '../../src/nn/dataset.ts';
import { evaluate, predict } from '../../src/nn/evaluate.ts';
import { Model } from '../../src/nn/model.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { overflowingFc10 } from '../helpers/overflowingFc10.ts';

const getEngine = useTestEngine();

/** The model of {@link overflowingFc10} on the GPU, with its five images. */
function overflowingCase() {
  const engine = getEngine();
  const fc10 = overflowingFc10();
  const model = Model.fromCheckpoint(engine, modelSpec(fc10.model), {
    source: 'overflowing FC10',
    meta: { model: fc10.model, architecture: '', lambdas: [1e-4], trainingSet: 'none', seed: 0 },
    tensors: fc10.tensors,
  });
  const dataset = uploadDataset(engine, fc10, 'five images');
  return { model, dataset };
}

describe('evaluate with outputs that overflow', () => {
  it('counts images with non-finite logits as errors and reports them, in any batching', async () => {
    const { model, dataset } = overflowingCase();
    for (const batch of [1, 2, 1000]) {
      expect(await evaluate(model, dataset, { batch })).toEqual({ errors: 3, count: 5, errorRate: 0.6, nonFinite: 2 });
    }
    expect(await evaluate(model, dataset, { limit: 3 })).toEqual({ errors: 1, count: 3, errorRate: 1 / 3, nonFinite: 0 });
    model.dispose();
    disposeDataset(dataset);
  });

  it('predict refuses to guess for an image whose logits are not finite, naming the first', async () => {
    const { model, dataset } = overflowingCase();
    await expect(predict(model, dataset.images)).rejects.toThrow(
      /^predict: FC10\(1e-4\)'s logits are not finite \(NaN or ±Infinity\) for 2 of 5 images, first image 3/,
    );
    model.dispose();
    disposeDataset(dataset);
  });

  it('rejects batch and limit options that are not positive integers', async () => {
    const { model, dataset } = overflowingCase();
    await expect(evaluate(model, dataset, { batch: 0 })).rejects.toThrow(/^evaluate: batch must be a positive integer, got 0/);
    await expect(evaluate(model, dataset, { batch: Number.NaN })).rejects.toThrow(/batch must be a positive integer, got NaN/);
    await expect(evaluate(model, dataset, { limit: 0 })).rejects.toThrow(/^evaluate: limit must be a positive integer, got 0/);
    await expect(evaluate(model, dataset, { limit: 2.5 })).rejects.toThrow(/limit must be a positive integer, got 2.5/);
    model.dispose();
    disposeDataset(dataset);
  });
});
