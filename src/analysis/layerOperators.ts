/**
 * A zoo model seen layer by layer, as the spectral analysis needs it: each layer's input and output shape
 * per example, the Lipschitz constant of its activation, and the linear part (weights only, no bias or
 * activation) as a {@link LinearOperator} on the GPU.
 */
import type { Model } from '../nn/model.ts';
import type { Activation, LayerSpec, ModelSpec } from '../nn/zoo.ts';
import { conv2d } from '../tensor/ops/conv.ts';
import { matmul } from '../tensor/ops/matmul.ts';
import type { LinearOperator } from './powerIteration.ts';

/** One layer of a model with the shapes of one example going in and coming out. */
export interface LayerGeometry {
  index: number;
  layer: LayerSpec;
  inputShape: number[];
  outputShape: number[];
}

const convOutput = (size: number, kernel: number, stride: number, padding: number): number => Math.floor((size + 2 * padding - kernel) / stride) + 1;

/** Every layer of `spec` with its input and output shapes, walked from the model's input shape. */
export function layerGeometries(spec: ModelSpec): LayerGeometry[] {
  let shape = [...spec.inputShape];
  return spec.layers.map((layer, index) => {
    const inputShape = shape;
    if (layer.kind === 'dense') {
      const size = inputShape.reduce((p, d) => p * d, 1);
      if (size !== layer.inputs) throw new Error(`${spec.name} layer ${index}: dense layer expects ${layer.inputs} inputs, gets [${inputShape}]`);
      shape = [layer.outputs];
    } else {
      if (inputShape.length !== 3) throw new Error(`${spec.name} layer ${index}: ${layer.kind} needs a [C, H, W] input, gets [${inputShape}]`);
      const [c, h, w] = inputShape;
      if (layer.kind === 'conv') {
        if (c !== layer.inChannels) throw new Error(`${spec.name} layer ${index}: conv expects ${layer.inChannels} channels, gets ${c}`);
        const stride = layer.stride ?? 1;
        shape = [layer.outChannels, convOutput(h, layer.kernel, stride, layer.padding), convOutput(w, layer.kernel, stride, layer.padding)];
      } else {
        shape = [c, Math.floor(h / layer.size), Math.floor(w / layer.size)];
      }
      if (shape.some((d) => d < 1)) throw new Error(`${spec.name} layer ${index}: ${layer.kind} leaves an empty output [${shape}] from [${inputShape}]`);
    }
    return { index, layer, inputShape, outputShape: shape };
  });
}

/**
 * The Lipschitz constant of an elementwise activation: the supremum of |f′| (sigmoid ¼, tanh 1, ReLU 1,
 * none 1), so ‖f(u) − f(u′)‖ ≤ c·‖u − u′‖.
 */
export function activationConstant(activation: Activation): number {
  switch (activation) {
    case 'sigmoid':
      return 0.25;
    case 'tanh':
    case 'relu':
    case 'none':
      return 1;
  }
}

/** The linear part of a dense or conv layer of `model` (its weights alone) as an operator on the GPU. */
export function linearPartOf(model: Model, geometry: LayerGeometry): LinearOperator {
  const { layer, index, inputShape } = geometry;
  if (layer.kind === 'maxpool') throw new Error(`${model.spec.name} layer ${index}: max-pooling has no linear part`);
  const weight = model.parameters.get(`layer${index}.weight`);
  if (!weight) throw new Error(`${model.spec.name} layer ${index}: no weight tensor (disposed model?)`);
  const name = `${model.spec.name} layer ${index}`;
  if (layer.kind === 'dense') {
    return { name, engine: model.engine, inputShape: [layer.inputs], apply: (x) => matmul(x, weight) };
  }
  return {
    name,
    engine: model.engine,
    inputShape,
    apply: (x) => conv2d(x, weight, { stride: layer.stride ?? 1, padding: layer.padding }),
  };
}
