/** A labelled image set resident on the GPU, so training and evaluation never re-upload pixels. */
import type { Engine } from '../gpu/engine.ts';
import type { LabelledImages } from '../data/idx.ts';
import { tensor } from '../tensor/ops/fill.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { MNIST_CLASSES, MNIST_PIXELS } from '../data/idx.ts';

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
 * Upload a labelled set. Checks the sizes, the labels (class indices 0..9: the loss kernels would only
 * flag a bad one later) and the pixel range, so bad data fails here rather than as odd accuracy;
 * `checkRange: false` admits any finite pixel value (unclipped Gaussian noise leaves [0, 1] on purpose).
 * @throws Error naming `name` and the first problem: no images, mismatched sizes, a bad label or pixel.
 */
export function uploadDataset(engine: Engine, data: LabelledImages, name: string, options: { checkRange?: boolean } = {}): GpuDataset {
  const checkRange = options.checkRange ?? true;
  const { count } = data;
  if (!(Number.isSafeInteger(count) && count > 0)) throw new Error(`${name}: the data set holds no images (count ${count}); it needs at least one`);
  if (data.images.length !== count * MNIST_PIXELS || data.labels.length !== count) {
    throw new Error(`${name}: ${data.images.length} pixel values and ${data.labels.length} labels do not make ${count} labelled images of ${MNIST_PIXELS} pixels`);
  }
  const badLabel = data.labels.findIndex((l) => !(Number.isInteger(l) && l >= 0 && l < MNIST_CLASSES));
  if (badLabel >= 0) throw new Error(`${name}: label ${data.labels[badLabel]} of image ${badLabel} is not a class in 0..${MNIST_CLASSES - 1}`);
  for (let i = 0; i < data.images.length; i++) {
    const v = data.images[i];
    if (checkRange ? !(v >= 0 && v <= 1) : !Number.isFinite(v)) {
      throw new Error(`${name}: pixel ${i % MNIST_PIXELS} of image ${Math.floor(i / MNIST_PIXELS)} is ${v}; pixels must be finite${checkRange ? ' and in [0, 1]' : ''}`);
    }
  }
  return {
    images: tensor(engine, data.images, [count, MNIST_PIXELS]),
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
