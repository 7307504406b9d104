/** Small random models of every layer kind for the spectral tests (a convnet with stride 2 and padding included). */
import type { Engine } from '../../src/gpu/engine.ts';
import { Model } from '../../src/nn/model.ts';
import { ZOO, type Activation, type ConvSpec, type DenseSpec, type LayerSpec, type ModelSpec } from '../../src/nn/zoo.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';

export const dense = (inputs: number, outputs: number, activation: Activation): DenseSpec => ({ kind: 'dense', inputs, outputs, activation, lambda: 0 });

export const conv = (inChannels: number, outChannels: number, kernel: number, stride: number, padding: number): ConvSpec => ({
  kind: 'conv',
  inChannels,
  outChannels,
  kernel,
  stride,
  padding,
  activation: 'relu',
  lambda: 0,
});

/** A spec for tests: the zoo's training defaults, which no test here uses. */
export function testSpec(name: string, inputShape: number[], layers: LayerSpec[]): ModelSpec {
  return { name, description: name, inputShape, layers, training: ZOO[0].training };
}

/** One small model per layer kind. */
export const SMALL_SPECS: ModelSpec[] = [
  testSpec('sigmoid MLP', [12], [dense(12, 9, 'sigmoid'), dense(9, 7, 'sigmoid'), dense(7, 5, 'none')]),
  testSpec('relu and tanh MLP', [10], [dense(10, 8, 'relu'), dense(8, 6, 'tanh'), dense(6, 4, 'none')]),
  // 2×11×11 → conv 3×3 stride 2 pad 1 → 4×6×6 → pool → 4×3×3 → conv 2×2 → 5×2×2 → 20 → 6 → 3.
  testSpec('convnet with stride 2 and padding', [2, 11, 11], [conv(2, 4, 3, 2, 1), { kind: 'maxpool', size: 2 }, conv(4, 5, 2, 1, 0), dense(20, 6, 'relu'), dense(6, 3, 'none')]),
];

/** `spec` with seeded initial weights and biases drawn from `random` (uniform in ±biasScale). */
export function randomModel(engine: Engine, spec: ModelSpec, seed: number, random: () => number, biasScale = 0.5): Model {
  const model = Model.create(engine, spec, seed);
  for (const [name, t] of [...model.parameters]) {
    if (!name.endsWith('.bias')) continue;
    const values = Float32Array.from({ length: t.size }, () => (2 * random() - 1) * biasScale);
    t.dispose();
    model.parameters.set(name, tensor(engine, values, [values.length]));
  }
  return model;
}
