/** One layer's output for many images, computed in batches on the GPU and read back whole. */
import type { Model } from '../nn/model.ts';
import { layerOutputShapes } from '../nn/zoo.ts';
import { MNIST_PIXELS } from '../data/idx.ts';
import { tidy } from '../tensor/context.ts';
import { tensor } from '../tensor/ops/fill.ts';

/**
 * φ(x) of layer `layer` for every image of `images` ([n, 784]): [n, units] row-major, a conv or pool
 * output flattened channel-major (C·H·W per image).
 */
export async function layerActivations(model: Model, images: Float32Array, layer: number, batch = 1000): Promise<Float32Array> {
  const shapes = layerOutputShapes(model.spec);
  if (!Number.isInteger(layer) || layer < 0 || layer >= shapes.length) throw new Error(`layerActivations: ${model.spec.name} has layers 0–${shapes.length - 1}, not ${layer}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`layerActivations: batch must be a positive integer, got ${batch}`);
  const count = images.length / MNIST_PIXELS;
  if (!Number.isInteger(count)) throw new Error(`layerActivations: ${images.length} values are not a stack of ${MNIST_PIXELS}-pixel images`);
  const units = shapes[layer].reduce((p, d) => p * d, 1);
  const out = new Float32Array(count * units);
  for (let start = 0; start < count; start += batch) {
    const rows = Math.min(batch, count - start);
    const output = tidy(model.engine, () => {
      const x = tensor(model.engine, images.subarray(start * MNIST_PIXELS, (start + rows) * MNIST_PIXELS), [rows, MNIST_PIXELS]);
      return model.layerOutputs(x)[layer];
    });
    out.set(await output.data(), start * units);
    output.dispose();
  }
  return out;
}
