/** Shape arithmetic shared by the ops: broadcasting and padded stride frames for the kernels. */
import type { Shape } from './tensor.ts';

/** Kernels address up to this many dimensions. */
export const MAX_RANK = 8;

/** The NumPy broadcast of two shapes; throws naming the op and both shapes when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes [${a}] and [${b}] do not broadcast (dimension ${i}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Element strides of `shape` inside the right-aligned frame of `outShape` (of rank ≤ MAX_RANK, which
 * the caller checks), padded on the left to MAX_RANK: 0 where `shape` is broadcast (extent 1 or missing).
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = new Array<number>(MAX_RANK).fill(0);
  let stride = 1;
  for (let k = 1; k <= shape.length; k++) {
    const extent = shape[shape.length - k];
    strides[MAX_RANK - k] = extent === 1 && outShape[outShape.length - k] !== 1 ? 0 : stride;
    stride *= extent;
  }
  return strides;
}

/** `shape` right-aligned and padded on the left with 1s to MAX_RANK. */
export function paddedShape(shape: Shape): number[] {
  return [...new Array<number>(MAX_RANK - shape.length).fill(1), ...shape];
}

/** Normalize a possibly negative axis, with an error naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved >= rank) {
    throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return resolved;
}
