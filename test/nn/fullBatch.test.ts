import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.ts';
import { subset } from '../../src/data/split.ts';
import { disposeDataset, uploadDataset } from '../../src/nn/dataset.ts';
import { trainFullBatch } from '../../src/nn/fullBatch.ts';
import { Model } from '../../src/nn/model.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();
let mnist: MnistData;
beforeAll(async () => {
  mnist = await loadMnist();
});

/**
 * Objective of softmax regression in float64: mean cross-entropy + (λ/2)·‖W‖², and its gradient,
 * for weights W [784, 10] and bias b [10].
 */
function softmaxRegressionReference(images: Float32Array, labels: Int32Array, w: Float32Array, b: Float32Array, lambda: number) {
  const count = labels.length;
  const gw = new Float64Array(784 * 10);
  const gb = new Float64Array(10);
  let f = 0;
  const z = new Float64Array(10);
  for (let n = 0; n < count; n++) {
    const x = images.subarray(n * 784, (n + 1) * 784);
    for (let k = 0; k < 10; k++) {
      let s = b[k];
      for (let i = 0; i < 784; i++) s += x[i] * w[i * 10 + k];
      z[k] = s;
    }
    const top = Math.max(...z);
    let total = 0;
    for (let k = 0; k < 10; k++) total += Math.exp(z[k] - top);
    f += (top + Math.log(total) - z[labels[n]]) / count;
    for (let k = 0; k < 10; k++) {
      const delta = (Math.exp(z[k] - top) / total - (k === labels[n] ? 1 : 0)) / count;
      gb[k] += delta;
      for (let i = 0; i < 784; i++) gw[i * 10 + k] += x[i] * delta;
    }
  }
  for (let i = 0; i < w.length; i++) {
    f += 0.5 * lambda * w[i] * w[i];
    gw[i] += lambda * w[i];
  }
  return { f, gradientNorm: Math.max(...gw.map(Math.abs), ...gb.map(Math.abs)) };
}

describe('full-batch L-BFGS training', () => {
  it('reaches the optimum of a softmax regression: the float64 gradient there is near zero', async () => {
    const engine = getEngine();
    const spec = modelSpec('FC10(1e-2)');
    const lambda = 1e-2;
    // 437 images in chunks of 100: the last chunk is short, so a wrong chunk weight shows in the gradient.
    const images = subset(mnist.train, Array.from({ length: 437 }, (_, i) => 3 * i));
    const set = uploadDataset(engine, images, 'train subset');
    const model = Model.create(engine, spec, 5);
    const liveBefore = contextOf(engine).live;
    const w0 = await model.parameters.get('layer0.weight')!.data();
    const b0 = await model.parameters.get('layer0.bias')!.data();
    const start = softmaxRegressionReference(images.images, images.labels, w0, b0, lambda);

    const iterations: number[] = [];
    const result = await trainFullBatch(model, set, null, { maxIterations: 200, chunk: 100, onProgress: (p) => iterations.push(p.epoch) });
    const w = await model.parameters.get('layer0.weight')!.data();
    const b = await model.parameters.get('layer0.bias')!.data();
    const end = softmaxRegressionReference(images.images, images.labels, w, b, lambda);

    expect(result.status).toMatch(/^converged|line-search-failed/);
    // The loss the solver reports is the objective at the weights the model holds.
    expect(result.finalLoss).toBeCloseTo(end.f, 4);
    expect(end.f).toBeLessThan(start.f);
    // float32 gradients limit how flat the optimum can be made; the start is ~1e-1.
    expect(end.gradientNorm).toBeLessThan(2e-3 * start.gradientNorm);
    expect(iterations).toEqual(Array.from({ length: result.iterations }, (_, i) => i + 1));
    expect(contextOf(engine).live).toBe(liveBefore);
    model.dispose();
    disposeDataset(set);
  });

  it('trains on the first `examples` images only, and keeps GPU memory flat across runs', async () => {
    const engine = getEngine();
    const spec = modelSpec('FC10(1)');
    const images = subset(mnist.train, Array.from({ length: 300 }, (_, i) => i));
    const set = uploadDataset(engine, images, 'train subset');
    const first = subset(images, Array.from({ length: 120 }, (_, i) => i));
    const onlyFirst = uploadDataset(engine, first, 'first 120');
    const a = Model.create(engine, spec, 1);
    const b = Model.create(engine, spec, 1);
    await trainFullBatch(a, set, null, { maxIterations: 30, examples: 120 });
    const memoryAfterOne = engine.memory().bytesAllocated;
    await trainFullBatch(b, onlyFirst, null, { maxIterations: 30 });
    expect(engine.memory().bytesAllocated).toBe(memoryAfterOne);
    expect(await b.parameters.get('layer0.weight')!.data()).toEqual(await a.parameters.get('layer0.weight')!.data());
    disposeDataset(onlyFirst);
    a.dispose();
    b.dispose();
    disposeDataset(set);
  });
});
