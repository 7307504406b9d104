/**
 * Figures like the paper's Figures 1 and 2 for one probed layer: one row of top-k test images per unit,
 * then per random direction, then per random image set (the no-direction baseline), each row titled and
 * each image captioned with its label. Units are drawn at random (seeded) from those whose top-k is
 * decided, never picked by how coherent they look.
 */
import { decidedColumns } from '../analysis/units.ts';
import type { LayerTopImages } from '../analysis/topImages.ts';
import { MNIST_PIXELS, type LabelledImages } from '../data/idx.ts';
import { randomSubsets } from '../analysis/directions.ts';
import type { GridTile, ImageGridSpec } from './imageGrid.ts';

export interface UnitsFigureOptions {
  /** Rows of units and of random directions (default 6 each). */
  rows?: number;
  /** Rows of random image sets (default 2). */
  setRows?: number;
  seed: number;
}

/** "unit 17" for a dense layer, "unit 3,5,7" (channel, y, x) for a conv or pool layer. */
function unitName(shape: readonly number[], unit: number): string {
  if (shape.length === 1) return `unit ${unit}`;
  const [, height, width] = shape;
  return `unit ${Math.floor(unit / (height * width))},${Math.floor(unit / width) % height},${unit % width}`;
}

/** `count` of `items` drawn without replacement (seeded), in ascending order. */
function sample(items: number[], count: number, seed: number): number[] {
  const size = Math.min(count, items.length);
  return size === 0 ? [] : Array.from(randomSubsets(items.length, 1, size, seed), (i) => items[i]).sort((a, b) => a - b);
}

/** The grid for one layer: rows of units, random directions and random sets (k images each). */
export function unitsFigure(top: LayerTopImages, randomSets: Int32Array, images: LabelledImages, options: UnitsFigureOptions): ImageGridSpec {
  const { rows = 6, setRows = 2, seed } = options;
  const k = top.units.k;
  const tilesOf = (indices: ArrayLike<number>): GridTile[] =>
    Array.from(indices, (i) => ({ pixels: images.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), caption: String(images.labels[i]) }));
  const units = sample(decidedColumns(top.units, 'figure units'), rows, seed);
  const directions = decidedColumns(top.directions, 'figure directions').slice(0, rows);
  const sets = Array.from({ length: Math.min(setRows, randomSets.length / k) }, (_, i) => i);
  return {
    rows: [
      ...units.map((u) => tilesOf(top.units.indices.subarray(u * k, (u + 1) * k))),
      ...directions.map((d) => tilesOf(top.directions.indices.subarray(d * k, (d + 1) * k))),
      ...sets.map((s) => tilesOf(randomSets.subarray(s * k, (s + 1) * k))),
    ],
    rowTitles: [...units.map((u) => unitName(top.shape, u)), ...directions.map((d) => `random dir ${d}`), ...sets.map((s) => `random set ${s}`)],
    columnTitles: Array.from({ length: k }, (_, i) => `${i + 1}`),
    scale: 2,
  };
}
