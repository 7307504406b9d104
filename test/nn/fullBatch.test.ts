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
    for (const bad of [{ evaluateEvery: 0 }, { chunk: Number.NaN }, { examples: 2.5 }]) {
      await expect(trainFullBatch(b, onlyFirst, null, { maxIterations: 30, ...bad })).rejects.toThrow(new RegExp(`${Object.keys(bad)[0]} must be an integer ≥ 1`));
    }
    expect(await b.parameters.get('layer0.weight')!.data()).toEqual(await a.parameters.get('layer0.weight')!.data());
    disposeDataset(onlyFirst);
    a.dispose();
    b.dispose();
    disposeDataset(set);
  });

  it("trains only the layers above a frozen encoder, computing the encoder's codes once (AE400-10)", async () => {
    const engine = getEngine();
    const spec = modelSpec('AE400-10');
    // 150 images in chunks of 64: a short last chunk, so a code cached for the wrong rows or weighted wrongly shows.
    const images = subset(mnist.train, Array.from({ length: 150 }, (_, i) => 7 * i + 1));
    const set = uploadDataset(engine, images, 'train subset');
    const model = Model.create(engine, spec, 3);
    const liveBefore = contextOf(engine).live;
    const encoder = { w: await model.parameters.get('layer0.weight')!.data(), b: await model.parameters.get('layer0.bias')!.data() };
    const applied: number[] = [];
    const applyLayer = model.applyLayer.bind(model);
    model.applyLayer = (i, h) => (applied.push(i), applyLayer(i, h));
    const result = await trainFullBatch(model, set, null, { maxIterations: 15, chunk: 64 });
    // The encoder ran once per chunk; the layer above it once per chunk and evaluation.
    expect(applied.filter((i) => i === 0).length).toBe(3);
    expect(applied.filter((i) => i === 1).length).toBe(3 * result.evaluations);
    expect(await model.parameters.get('layer0.weight')!.data()).toEqual(encoder.w);
    expect(await model.parameters.get('layer0.bias')!.data()).toEqual(encoder.b);

    // The objective at the weights the model holds, in float64 from the images: sigmoid code, softmax, CE,
    // plus the top layer's weight decay (the encoder's is not trained, so not in the objective).
    const w1 = await model.parameters.get('layer1.weight')!.data();
    const b1 = await model.parameters.get('layer1.bias')!.data();
    const lambda = model.lambdaOf('layer1.weight');
    let f = 0;
    const code = new Float64Array(400);
    const z = new Float64Array(10);
    for (let n = 0; n < images.count; n++) {
      for (let h = 0; h < 400; h++) {
        let s = encoder.b[h];
        for (let i = 0; i < 784; i++) s += images.images[n * 784 + i] * encoder.w[i * 400 + h];
        code[h] = 1 / (1 + Math.exp(-s));
      }
      for (let k = 0; k < 10; k++) {
        let s = b1[k];
        for (let h = 0; h < 400; h++) s += code[h] * w1[h * 10 + k];
        z[k] = s;
      }
      const top = Math.max(...z);
      f += (top + Math.log(z.reduce((t, v) => t + Math.exp(v - top), 0)) - z[images.labels[n]]) / images.count;
    }
    for (const v of w1) f += 0.5 * lambda * v * v;
    expect(result.iterations).toBe(15);
    expect(result.finalLoss).toBeCloseTo(f, 5);
    expect(result.finalLoss).toBeLessThan(Math.log(10) - 0.5);
    expect(contextOf(engine).live).toBe(liveBefore);
    model.dispose();
    disposeDataset(set);
  });
});
