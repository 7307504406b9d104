/**
 * What Property 1 compares natural units with: random directions in a layer's activation space, and
 * random sets of images chosen with no direction at all. Both are seeded (CPU generator, so the same
 * seed gives the same directions and sets on every adapter).
 */
import { createRng } from '../util/random.ts';

/**
 * `count` random directions in a space of `dimension` units: the columns of a [dimension, count]
 * row-major matrix, each a standard Gaussian vector scaled to unit length (uniform on the sphere).
 */
export function randomDirections(dimension: number, count: number, seed: number): Float32Array {
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`randomDirections: dimension must be a positive integer, got ${dimension}`);
  if (!Number.isInteger(count) || count < 0) throw new Error(`randomDirections: count must be a non-negative integer, got ${count}`);
  const rng = createRng(seed);
  const out = new Float32Array(dimension * count);
  const column = new Float64Array(dimension);
  for (let c = 0; c < count; c++) {
    let norm = 0;
    for (let d = 0; d < dimension; d++) {
      column[d] = rng.gaussian();
      norm += column[d] * column[d];
    }
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dimension; d++) out[d * count + c] = column[d] * scale;
  }
  return out;
}

/**
 * `sets` random subsets of `size` distinct integers in [0, n) (e.g. sets of images), as [sets, size]
 * row-major; every subset is equally likely, in random order.
 */
export function randomSubsets(n: number, sets: number, size: number, seed: number): Int32Array {
  if (!Number.isInteger(size) || size < 1 || size > n) throw new Error(`randomSubsets: set size must be an integer in [1, ${n}], got ${size}`);
  if (!Number.isInteger(sets) || sets < 0) throw new Error(`randomSubsets: sets must be a non-negative integer, got ${sets}`);
  const rng = createRng(seed);
  const out = new Int32Array(sets * size);
  // A partial Fisher–Yates shuffle per set; `moved` remembers the swaps so each set costs O(size).
  for (let s = 0; s < sets; s++) {
    const moved = new Map<number, number>();
    for (let i = 0; i < size; i++) {
      const j = i + rng.int(n - i);
      const atJ = moved.get(j) ?? j;
      out[s * size + i] = atJ;
      moved.set(j, moved.get(i) ?? i);
    }
  }
  return out;
}
