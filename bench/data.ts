/**
 * Deterministic input data and the layout conversions between blindspot's canonical layouts (NCHW
 * activations, OIHW filters) and tfjs's (NHWC, HWIO). Conversions happen on the CPU outside the timed
 * region, so each contestant is timed in its own natural layout.
 */
import { createRng, deriveSeed } from '../src/util/random.ts';
import type { TensorData } from './types.ts';

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Uniform values in [lo, hi), seeded per purpose so adding an input does not shift the others. */
export function uniform(seed: number, purpose: string, shape: number[], lo = -1, hi = 1): TensorData {
  const rng = createRng(deriveSeed(seed, purpose));
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.next();
  return { shape, data };
}

/** Glorot-uniform weights for a layer with the given fan-in and fan-out. */
export function glorot(seed: number, purpose: string, shape: number[], fanIn: number, fanOut: number): TensorData {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(seed, purpose, shape, -limit, limit);
}

/** Class labels in [0, classes) as f32 values (blindspot's label format), shape [count]. */
export function labels(seed: number, purpose: string, count: number, classes: number): TensorData {
  const rng = createRng(deriveSeed(seed, purpose));
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = rng.int(classes);
  return { shape: [count], data };
}

/** One-hot rows for f32 class labels (tfjs's loss takes one-hot labels). */
export function oneHot(labelData: TensorData, classes: number): TensorData {
  const count = labelData.data.length;
  const data = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) data[i * classes + labelData.data[i]] = 1;
  return { shape: [count, classes], data };
}

export function zerosLike(t: TensorData): TensorData {
  return { shape: [...t.shape], data: new Float32Array(t.data.length) };
}

/**
 * Permute the axes of a row-major array: out[i_perm[0], ..., i_perm[r-1]] = in[i_0, ..., i_{r-1}], i.e.
 * output axis k is input axis perm[k] (numpy's transpose).
 */
export function transpose(t: TensorData, perm: number[]): TensorData {
  const rank = t.shape.length;
  const outShape = perm.map((p) => t.shape[p]);
  const inStrides = new Array<number>(rank);
  for (let k = rank - 1, s = 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= t.shape[k];
  }
  const strides = perm.map((p) => inStrides[p]);
  const out = new Float32Array(t.data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let offset = 0;
    for (let k = 0; k < rank; k++) offset += index[k] * strides[k];
    out[o] = t.data[offset];
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < outShape[k]) break;
      index[k] = 0;
    }
  }
  return { shape: outShape, data: out };
}

export const nchwToNhwc = (t: TensorData): TensorData => transpose(t, [0, 2, 3, 1]);
export const nhwcToNchw = (t: TensorData): TensorData => transpose(t, [0, 3, 1, 2]);
export const oihwToHwio = (t: TensorData): TensorData => transpose(t, [2, 3, 1, 0]);
export const hwioToOihw = (t: TensorData): TensorData => transpose(t, [3, 2, 0, 1]);

/** a − b elementwise (updates of a training step: after − before). */
export function difference(a: TensorData, b: TensorData): TensorData {
  const data = new Float32Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = a.data[i] - b.data[i];
  return { shape: [...a.shape], data };
}
