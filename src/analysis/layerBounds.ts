/**
 * Upper Lipschitz bounds per layer (Szegedy et al. 2014, §4.3, Table 5): ‖φ_k(x) − φ_k(x + r)‖ ≤ L_k‖r‖
 * for every layer of a model, and their product for the whole network (input to logits).
 *
 * - dense and conv layers: L_k = ‖W_k‖ × the activation's constant (sigmoid ¼, ReLU 1, none 1); ‖W_k‖ is
 *   bounded by power iteration on the GPU (certified, powerIteration.ts) and, for convolutions, also by
 *   the paper's DFT formula (convDft.ts); the smaller of the two upper bounds is used;
 * - max-pooling over non-overlapping windows: 1 (|max a − max b| ≤ max|a − b| within a window, and the
 *   windows are disjoint).
 * The biases do not matter. Each power-iteration bound may fail with probability δ, so all of a model's
 * hold together with probability at least 1 − (layers)·δ.
 */
import type { Model } from '../nn/model.ts';
import { convDftNorm, dftPeriods, type ConvDftBound } from './convDft.ts';
import { activationConstant, layerGeometries, linearPartOf, type LayerGeometry } from './layerOperators.ts';
import { operatorNorm, type OperatorNormEstimate, type PowerIterationOptions } from './powerIteration.ts';

/** One row of Table 5. */
export interface LayerBound {
  index: number;
  kind: 'dense' | 'conv' | 'maxpool';
  inputShape: number[];
  outputShape: number[];
  /** Kernel extent, stride and padding of a conv; window and stride of a pool; null for dense layers. */
  kernel: number | null;
  stride: number | null;
  padding: number | null;
  /** The fused activation ('maxpool' layers have none). */
  activation: string | null;
  activationConstant: number;
  /** Power iteration on the linear part (dense and conv layers). */
  power: OperatorNormEstimate | null;
  /** The DFT formula (conv layers). */
  dft: ConvDftBound | null;
  /** The upper bound on ‖W_k‖ used: the smaller of the certified power bound and the DFT bound. */
  linearBound: number | null;
  /** Where `linearBound` (or, for pooling, the bound) comes from. */
  method: 'power iteration' | 'DFT' | 'max-pooling';
  /** L_k. */
  bound: number;
}

/** Table 5 for one model. */
export interface SpectralBounds {
  model: string;
  layers: LayerBound[];
  /** ∏ L_k: a Lipschitz bound of the whole network, input to logits. */
  product: number;
  /** Probability that some power-iteration bound of this model fails (union over its layers). */
  failureProbability: number;
  seconds: number;
}

/** Where a spectral analysis stands: layer `layer` of `layers` (`layers` once the bounds are done). */
export interface SpectralProgress {
  layer: number;
  layers: number;
  /** What runs now, e.g. "convnet layer 2 (conv): power iteration 120/468". */
  text: string;
}

/** Options of {@link spectralBounds}. */
export interface SpectralBoundsOptions {
  /** The model's name in the results (default its zoo name; the reproduction's tables name P1/P2 models apart). */
  name?: string;
  power?: Omit<PowerIterationOptions, 'onProgress'>;
  /** Called before each layer, and with the passes of a power iteration as it runs. */
  onProgress?: (progress: SpectralProgress) => void;
}

async function boundOf(model: Model, geometry: LayerGeometry, options: SpectralBoundsOptions): Promise<LayerBound> {
  const { layer, index, inputShape, outputShape } = geometry;
  const base = { index, kind: layer.kind, inputShape, outputShape };
  if (layer.kind === 'maxpool') {
    return { ...base, kernel: layer.size, stride: layer.size, padding: 0, activation: null, activationConstant: 1, power: null, dft: null, linearBound: null, method: 'max-pooling', bound: 1 };
  }
  const label = `${options.name ?? model.spec.name} layer ${index} (${layer.kind})`;
  const layers = model.spec.layers.length;
  options.onProgress?.({ layer: index, layers, text: label });
  const power = await operatorNorm(linearPartOf(model, geometry), {
    ...options.power,
    onProgress: (done, total) => options.onProgress?.({ layer: index, layers, text: `${label}: power iteration ${done}/${total}` }),
  });
  let dft: ConvDftBound | null = null;
  if (layer.kind === 'conv') {
    const stride = layer.stride ?? 1;
    const weights = await model.parameters.get(`layer${index}.weight`)!.data();
    const periods = dftPeriods({ input: [inputShape[1], inputShape[2]], kernel: [layer.kernel, layer.kernel], stride: [stride, stride], padding: [layer.padding, layer.padding] });
    dft = convDftNorm(weights, [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel], [stride, stride], periods);
  }
  const useDft = dft !== null && dft.value < power.upperBound;
  const linearBound = useDft ? dft!.value : power.upperBound;
  const constant = activationConstant(layer.activation);
  return {
    ...base,
    kernel: layer.kind === 'conv' ? layer.kernel : null,
    stride: layer.kind === 'conv' ? (layer.stride ?? 1) : null,
    padding: layer.kind === 'conv' ? layer.padding : null,
    activation: layer.activation,
    activationConstant: constant,
    power,
    dft,
    linearBound,
    method: useDft ? 'DFT' : 'power iteration',
    bound: linearBound * constant,
  };
}

/** Table 5 for `model`: an upper Lipschitz bound per layer and their product. */
export async function spectralBounds(model: Model, options: SpectralBoundsOptions = {}): Promise<SpectralBounds> {
  const started = performance.now();
  const layers: LayerBound[] = [];
  for (const geometry of layerGeometries(model.spec)) layers.push(await boundOf(model, geometry, options));
  const powered = layers.filter((l) => l.power);
  return {
    model: options.name ?? model.spec.name,
    layers,
    product: layers.reduce((p, l) => p * l.bound, 1),
    failureProbability: Math.min(1, powered.length * (powered[0]?.power?.failureProbability ?? 0)),
    seconds: (performance.now() - started) / 1000,
  };
}
