/**
 * A network of the zoo on the GPU: its parameters, forward pass, loss and checkpoint conversion. The same
 * forward pass serves training (gradients w.r.t. parameters) and the attack (gradients w.r.t. the input).
 */
import type { Engine } from '../gpu/engine.ts';
import { Tensor } from '../tensor/tensor.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { matmul } from '../tensor/ops/matmul.ts';
import { conv2d } from '../tensor/ops/conv.ts';
import { maxPool2d } from '../tensor/ops/pool.ts';
import { softmaxCrossEntropy } from '../tensor/ops/softmax.ts';
import { checkCheckpointMatches, type CheckpointMeta, type CheckpointTensor, type DecodedCheckpoint } from './checkpoint.ts';
import { initialWeights } from './init.ts';
import { architectureOf, parameterShapes, type DenseSpec, type ModelSpec } from './zoo.ts';

/**
 * What the blind-spot search needs of a network: logits [batch, classes] for inputs [batch, inputSize] with
 * entries in [0, 1]. A {@link Model} is one (its input the image); {@link Model.above} gives the layers of a
 * model above a hidden layer as another, whose input is that layer's sigmoid activations.
 */
export interface Classifier {
  readonly engine: Engine;
  /** Values per input row. */
  readonly inputSize: number;
  readonly classes: number;
  /** What the classifier is, for messages: "FC100-100-10", "FC100-100-10 above layer 0". */
  readonly name: string;
  logits(inputs: Tensor): Tensor;
}

/**
 * Throws unless `layer` of `spec` is a hidden dense layer with a sigmoid, whose activations form the box
 * [0, 1]^n the search needs (see {@link Model.above}).
 */
export function checkSearchableLayer(spec: ModelSpec, layer: number): void {
  const l = spec.layers[layer];
  if (!l || layer === spec.layers.length - 1 || l.kind !== 'dense' || l.activation !== 'sigmoid') {
    throw new Error(`${spec.name}: layer ${layer} is not a hidden sigmoid layer, so its activations are not a box [0, 1]^n to search in`);
  }
}

export class Model implements Classifier {
  /** Parameters by checkpoint name (`layer<i>.weight`, `layer<i>.bias`). */
  readonly parameters = new Map<string, Tensor>();

  private constructor(
    readonly engine: Engine,
    readonly spec: ModelSpec,
  ) {}

  /** A freshly initialized model (seeded). */
  static create(engine: Engine, spec: ModelSpec, seed: number): Model {
    const model = new Model(engine, spec);
    const shapes = parameterShapes(spec);
    spec.layers.forEach((layer, i) => {
      if (layer.kind === 'maxpool') return;
      model.parameters.set(`layer${i}.weight`, tensor(engine, initialWeights(layer, i, seed), shapes[`layer${i}.weight`]));
      model.parameters.set(`layer${i}.bias`, tensor(engine, new Float32Array(shapes[`layer${i}.bias`][0]), shapes[`layer${i}.bias`]));
    });
    return model;
  }

  /** A model from a decoded checkpoint; throws, saying what differs, if it is not a checkpoint of `spec`. */
  static fromCheckpoint(engine: Engine, spec: ModelSpec, checkpoint: DecodedCheckpoint): Model {
    checkCheckpointMatches(checkpoint, { model: spec.name, tensors: parameterShapes(spec) });
    const model = new Model(engine, spec);
    for (const [name, t] of Object.entries(checkpoint.tensors)) {
      for (let i = 0; i < t.data.length; i++) {
        if (!Number.isFinite(t.data[i])) throw new Error(`${checkpoint.source}: tensor ${name} holds a non-finite value at ${i}`);
      }
      model.parameters.set(name, tensor(engine, t.data, t.shape));
    }
    return model;
  }

  get inputSize(): number {
    return this.spec.inputShape.reduce((p, d) => p * d, 1);
  }

  get classes(): number {
    const last = this.spec.layers[this.spec.layers.length - 1];
    return last.kind === 'dense' ? last.outputs : 0;
  }

  get name(): string {
    return this.spec.name;
  }

  /**
   * The layers after hidden layer `layer`, as a classifier of that layer's activations (flattened). Its
   * inputs must lie in [0, 1] for the search's box, so the layer must end in a sigmoid.
   * @throws Error when `layer` is not a hidden dense layer with a sigmoid.
   */
  above(layer: number): Classifier {
    checkSearchableLayer(this.spec, layer);
    const spec = this.spec.layers[layer] as DenseSpec;
    const model = this;
    return {
      engine: this.engine,
      inputSize: spec.outputs,
      classes: this.classes,
      name: `${this.spec.name} above layer ${layer}`,
      logits: (inputs: Tensor) => model.logitsFrom(layer + 1, inputs),
    };
  }

  /** Logits [batch, 10] for images [batch, 784] (pixels in [0, 1]). */
  logits(images: Tensor): Tensor {
    return this.logitsFrom(0, this.inputOf(images));
  }

  /** Logits for `h`, the output of layer `first` − 1 (the images in the model's input shape when `first` is 0). */
  logitsFrom(first: number, h: Tensor): Tensor {
    for (let i = first; i < this.spec.layers.length; i++) h = this.applyLayer(i, h);
    return h;
  }

  /** The output of layer `count` − 1 for images [batch, 784]: what {@link logitsFrom}(count, ·) takes. */
  outputBefore(count: number, images: Tensor): Tensor {
    let h = this.inputOf(images);
    for (let i = 0; i < count; i++) h = this.applyLayer(i, h);
    return h;
  }

  /**
   * The output of every layer for images [batch, 784], in layer order (index i is φ_i of layer i, after
   * its activation; the last is the logits). Convolution and pooling outputs are NCHW.
   */
  layerOutputs(images: Tensor): Tensor[] {
    const outputs: Tensor[] = [];
    let h = this.inputOf(images);
    for (let i = 0; i < this.spec.layers.length; i++) outputs.push((h = this.applyLayer(i, h)));
    return outputs;
  }

  /** Layer i applied to its input h (the previous layer's output, or the images in the model's input shape). */
  applyLayer(i: number, h: Tensor): Tensor {
    const layer = this.spec.layers[i];
    if (layer.kind === 'maxpool') return maxPool2d(h, { size: layer.size });
    const weight = this.parameters.get(`layer${i}.weight`)!;
    const bias = this.parameters.get(`layer${i}.bias`)!;
    if (layer.kind === 'conv') {
      return conv2d(h, weight, { stride: layer.stride ?? 1, padding: layer.padding, bias, activation: layer.activation === 'relu' ? 'relu' : 'none' });
    }
    return matmul(h.rank === 2 ? h : h.reshape([h.shape[0], -1]), weight, { bias, activation: layer.activation });
  }

  /** Images [batch, 784] viewed in the model's input shape ([batch, 1, 28, 28] for the convnet). */
  private inputOf(images: Tensor): Tensor {
    return this.spec.inputShape.length === 3 ? images.reshape([images.shape[0], ...this.spec.inputShape]) : images;
  }

  /**
   * Mean cross-entropy of the softmax output against integer labels (an f32 tensor of class indices), for
   * images, or (`first` > 0) for the output of layer `first` − 1.
   */
  loss(inputs: Tensor, labels: Tensor, first = 0): Tensor {
    return softmaxCrossEntropy(first === 0 ? this.logits(inputs) : this.logitsFrom(first, inputs), labels, { reduction: 'mean' });
  }

  /** Weight decay λ of a parameter: the layer's λ for weights, 0 for biases (the paper decays weights only). */
  lambdaOf(name: string): number {
    if (!name.endsWith('.weight')) return 0;
    const layer = this.spec.layers[Number(name.slice('layer'.length, name.indexOf('.')))];
    return layer.kind === 'maxpool' ? 0 : layer.lambda;
  }

  /** Layers below the first one that supervised training updates: 1 for a frozen encoder, else 0. */
  get frozenLayers(): number {
    return this.spec.frozenEncoder ? 1 : 0;
  }

  /** Parameters that supervised training updates (all but a frozen encoder's). */
  trainableNames(): string[] {
    return [...this.parameters.keys()].filter((n) => Number(n.slice('layer'.length, n.indexOf('.'))) >= this.frozenLayers);
  }

  /** Parameters as checkpoint tensors plus the metadata to store with them. */
  async toCheckpoint(info: Omit<CheckpointMeta, 'model' | 'architecture' | 'lambdas'>): Promise<{
    meta: CheckpointMeta;
    tensors: Record<string, CheckpointTensor>;
  }> {
    const tensors: Record<string, CheckpointTensor> = {};
    for (const [name, t] of this.parameters) tensors[name] = { shape: [...t.shape], data: await t.data() };
    const lambdas = this.spec.layers.flatMap((l) => (l.kind === 'maxpool' ? [] : [l.lambda]));
    return { meta: { model: this.spec.name, architecture: architectureOf(this.spec), lambdas, ...info }, tensors };
  }

  dispose(): void {
    for (const t of this.parameters.values()) t.dispose();
    this.parameters.clear();
  }
}
