/** Seeded parameter initialization on the CPU (uploaded once; the paper's nets are small). */
import { createRng, deriveSeed } from '../util/random.ts';
import type { LayerSpec } from './zoo.ts';

/**
 * Initial weights of one layer: Glorot-uniform for sigmoid/linear layers (keeps sigmoid units in their
 * linear range at the start), He-normal for ReLU layers. Biases start at zero.
 */
export function initialWeights(layer: LayerSpec, index: number, seed: number): Float32Array {
  if (layer.kind === 'maxpool') throw new Error('max-pool layers have no weights');
  const rng = createRng(deriveSeed(seed, `layer${index}.weight`));
  const fanIn = layer.kind === 'dense' ? layer.inputs : layer.inChannels * layer.kernel * layer.kernel;
  const fanOut = layer.kind === 'dense' ? layer.outputs : layer.outChannels * layer.kernel * layer.kernel;
  const size = fanIn * (layer.kind === 'dense' ? layer.outputs : layer.outChannels);
  const weights = new Float32Array(size);
  if (layer.activation === 'relu') {
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < size; i++) weights[i] = rng.gaussian() * std;
  } else {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < size; i++) weights[i] = (2 * rng.next() - 1) * limit;
  }
  return weights;
}
