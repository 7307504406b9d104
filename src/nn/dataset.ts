/** A labelled image set resident on the GPU, so training and evaluation never re-upload pixels. */
import type { Engine } from '../gpu/engine.ts';
import type { LabelledImages } from '../data/idx.ts';
import { tensor } from '../tensor/ops/fill.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { MNIST_PIXELS } from '../data/idx.ts';

export interface GpuDataset {
  /** [count, 784] pixels in [0, 1]. */
  images: Tensor;
  /** [count] class indices as f32 (the loss and gather kernels read f32). */
  labels: Tensor;
  /** The CPU copy of the labels, for picking targets and counting. */
  labelsCpu: Int32Array;
  count: number;
  name: string;
}

/**
 * Upload a labelled set. Checks the pixel range so bad data fails here rather than as odd accuracy;
 * `checkRange: false` admits any finite value (unclipped Gaussian noise leaves [0, 1] on purpose).
 */
export function uploadDataset(engine: Engine, data: LabelledImages, name: string, options: { checkRange?: boolean } = {}): GpuDataset {
  const checkRange = options.checkRange ?? true;
  for (let i = 0; i < data.images.length; i++) {
    const v = data.images[i];
    if (checkRange ? !(v >= 0 && v <= 1) : !Number.isFinite(v)) {
      throw new Error(`${name}: pixel ${i % MNIST_PIXELS} of image ${Math.floor(i / MNIST_PIXELS)} is ${v}; pixels must be finite${checkRange ? ' and in [0, 1]' : ''}`);
    }
  }
  return {
    images: tensor(engine, data.images, [data.count, data.images.length / data.count]),
    labels: tensor(engine, Float32Array.from(data.labels), [data.count]),
    labelsCpu: data.labels,
    count: data.count,
    name,
  };
}

export function disposeDataset(dataset: GpuDataset): void {
  dataset.images.dispose();
  dataset.labels.dispose();
}
