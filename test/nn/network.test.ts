import { describe, expect, it } from 'vitest';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { Model } from '../../src/nn/model.ts';
import { layerOutputShapes, modelSpec } from '../../src/nn/zoo.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { expectClose } from '../helpers/compare.ts';
import { rng, testSeed } from '../helpers/random.ts';
import { mlpLossAndGradients, type MlpLayer } from '../reference/mlp.ts';

const getEngine = useTestEngine();

describe('a whole network against float64', () => {
  it('FC100-100-10 (784-100-100-10 sigmoid, softmax CE): loss and every gradient, inputs included', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    const batch = 13;
    const model = Model.create(engine, modelSpec('FC100-100-10'), seed);
    // Random biases too, so their gradients are not trivially symmetric.
    const layers: MlpLayer[] = [];
    for (let l = 0; l < 3; l++) {
      const weight = Float64Array.from(await model.parameters.get(`layer${l}.weight`)!.data());
      const outputs = weight.length / (l === 0 ? 784 : 100);
      const bias = Float64Array.from(Float32Array.from({ length: outputs }, () => random() - 0.5));
      model.parameters.get(`layer${l}.bias`)!.dispose();
      model.parameters.set(`layer${l}.bias`, tensor(engine, bias, [outputs]));
      layers.push({ weight, bias, inputs: weight.length / outputs, outputs, sigmoid: l < 2 });
    }
    const x = Float64Array.from(Float32Array.from({ length: batch * 784 }, () => random()));
    const labels = Int32Array.from({ length: batch }, () => Math.floor(random() * 10));
    const reference = mlpLossAndGradients(layers, x, labels, batch);

    const images = tensor(engine, x, [batch, 784]);
    const labelTensor = tensor(engine, labels, [batch]);
    const names = [...model.parameters.keys()];
    const { value, grads } = valueAndGrads(engine, () => model.loss(images, labelTensor), [...names.map((n) => model.parameters.get(n)!), images]);
    const context = `seed=${seed}`;
    // f32 forward over 784-term dot products: ~1e-6 relative; gradients accumulate over the batch too.
    expect(await value.item(), context).toBeCloseTo(reference.loss, 5);
    for (let l = 0; l < 3; l++) {
      expectClose(await grads[names.indexOf(`layer${l}.weight`)].data(), reference.weightGrads[l], { rtol: 1e-3, atol: 1e-6 }, `${context} layer${l}.weight`);
      expectClose(await grads[names.indexOf(`layer${l}.bias`)].data(), reference.biasGrads[l], { rtol: 1e-3, atol: 1e-6 }, `${context} layer${l}.bias`);
    }
    expectClose(await grads[names.length].data(), reference.inputGrad, { rtol: 1e-3, atol: 1e-7 }, `${context} input`);
    // Every layer's output on its own, as the analyses read them.
    const outputs = model.layerOutputs(images);
    expect(outputs.map((o) => o.shape)).toEqual([[batch, 100], [batch, 100], [batch, 10]]);
    expect(layerOutputShapes(model.spec)).toEqual(outputs.map((o) => o.shape.slice(1)));
    for (let l = 0; l < 3; l++) expectClose(await outputs[l].data(), reference.activations[l + 1], { rtol: 1e-4, atol: 1e-5 }, `${context} layer ${l} output`);
    for (const o of outputs) o.dispose();
    for (const t of [value, ...grads, images, labelTensor]) t.dispose();
    model.dispose();
  });

  it('the convnet: one output per layer, in its shapes, the last being the logits', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    const model = Model.create(engine, modelSpec('convnet'), seed);
    const batch = 3;
    const images = tensor(engine, Float32Array.from({ length: batch * 784 }, () => random()), [batch, 784]);
    const outputs = model.layerOutputs(images);
    expect(outputs.map((o) => o.shape)).toEqual([[batch, 16, 24, 24], [batch, 16, 12, 12], [batch, 32, 8, 8], [batch, 32, 4, 4], [batch, 100], [batch, 10]]);
    expect(layerOutputShapes(model.spec)).toEqual(outputs.map((o) => o.shape.slice(1)));
    const logits = model.logits(images);
    expectClose(await outputs[5].data(), Float64Array.from(await logits.data()), { rtol: 0, atol: 0 }, `seed=${seed}`);
    // ReLU and max-pooling outputs are non-negative.
    for (const k of [0, 1, 2, 3, 4]) expect(Math.min(...(await outputs[k].data())), `layer ${k}`).toBeGreaterThanOrEqual(0);
    for (const t of [...outputs, logits, images]) t.dispose();
    model.dispose();
  });
});
