/**
 * The paper's P1/P2 split (Szegedy et al. 2014, §4.3 "cross-model generalization" on disjoint
 * training sets): the 60 000 MNIST training images are cut into two disjoint halves so that two
 * models can be trained without sharing a single example.
 */
import type { LabelledImages } from './idx.ts';
import { createRng, permutation } from '../util/random.ts';

/** Indices of the two halves; each is sorted ascending so subsets keep the original order. */
export interface SplitIndices {
  p1: Int32Array<ArrayBuffer>;
  p2: Int32Array<ArrayBuffer>;
}

/** The two halves of a dataset together with the indices they were taken from. */
export interface Split {
  p1: LabelledImages;
  p2: LabelledImages;
  indices: SplitIndices;
}

/**
 * Splits `0..count-1` into two disjoint halves determined by `seed`. P1 gets `floor(count/2)`
 * indices and P2 the rest, so together they cover every index exactly once.
 */
export function splitIndices(count: number, seed: number): SplitIndices {
  if (!Number.isInteger(count) || count < 0) throw new Error(`splitIndices: count must be a non-negative integer, got ${count}`);
  const order = permutation(count, createRng(seed));
  const half = Math.floor(count / 2);
  return { p1: order.slice(0, half).sort(), p2: order.slice(half).sort() };
}

/**
 * Copies the examples at `indices` (in that order) into a new dataset.
 * @throws Error if an index is not an integer inside the dataset.
 */
export function subset(dataset: LabelledImages, indices: ArrayLike<number>): LabelledImages {
  const pixels = dataset.count > 0 ? dataset.images.length / dataset.count : 0;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new Error(`subset: index ${i} at position ${k} is outside the dataset of ${dataset.count} examples`);
    }
    images.set(dataset.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    labels[k] = dataset.labels[i];
  }
  return { images, labels, count: indices.length };
}

/** Splits a dataset (normally the MNIST training set) into the seeded disjoint halves P1 and P2. */
export function splitP1P2(dataset: LabelledImages, seed: number): Split {
  const indices = splitIndices(dataset.count, seed);
  return { p1: subset(dataset, indices.p1), p2: subset(dataset, indices.p2), indices };
}
