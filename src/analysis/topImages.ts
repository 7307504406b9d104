/**
 * Which images most activate each unit and each direction of a layer, on the GPU: the images stream
 * through the model in batches; each batch's layer output φ [batch, units] (a conv or pool output
 * flattened to C·H·W features, channel-major) goes straight to the top-k kernel for the units, and,
 * projected on the directions (φ·D, one matmul), for the directions. Running top-k lists and column
 * minima are merged batch by batch, so nothing of size images × units is ever held.
 */
import type { Model } from '../nn/model.ts';
import { layerOutputShapes } from '../nn/zoo.ts';
import { MNIST_PIXELS } from '../data/idx.ts';
import { tidy } from '../tensor/context.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { matmul } from '../tensor/ops/matmul.ts';
import { minimum } from '../tensor/ops/binary.ts';
import { min } from '../tensor/ops/reduce.ts';
import { topk, type TopK } from '../tensor/ops/topk.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** One layer to probe, with the directions to project its output on. */
export interface LayerProbe {
  layer: number;
  /** Directions as the columns of a [units, count] row-major matrix (count may be 0). */
  directions: Float32Array;
  count: number;
}

/** The top-k images of each column of a projection (one column per unit, or per direction). */
export interface TopImages {
  k: number;
  /** Columns: units or directions. */
  count: number;
  /** [count, k] row-major: each column's image indices, best first (ties to the lower index). */
  indices: Int32Array;
  /** [count, k]: the projections at those images. */
  values: Float32Array;
  /** [count]: each column's smallest value over all images (its floor). */
  floor: Float32Array;
}

/** A probed layer's top images: for its units and for its directions. */
export interface LayerTopImages {
  layer: number;
  /** Output shape for one image ([units] or [channels, height, width]). */
  shape: number[];
  units: TopImages;
  directions: TopImages;
}

export interface TopImagesOptions {
  k: number;
  /** Images per forward pass (default 1000). */
  batch?: number;
  /** Called after each batch with the images done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Running state of one projection on the GPU. */
interface Running {
  top: TopK;
  floor: Tensor;
}

/** Fold one batch's projection [rows, columns] into the running top-k and floor. */
function fold(projection: Tensor, k: number, rowOffset: number, previous: Running | null): Running {
  const top = topk(projection, k, previous ? { rowOffset, merge: previous.top } : { rowOffset });
  const batchFloor = min(projection, 0);
  return { top, floor: previous ? minimum(previous.floor, batchFloor) : batchFloor };
}

/** Running states of one probed layer: its units and its directions (if it has any). */
interface LayerRunning {
  units: Running;
  directions: Running | null;
}

function disposeRunning(layers: LayerRunning[] | null): void {
  for (const layer of layers ?? []) {
    for (const running of [layer.units, layer.directions]) {
      running?.top.values.dispose();
      running?.top.indices.dispose();
      running?.floor.dispose();
    }
  }
}

/** Read a running state back, one row per column. */
async function readTopImages(running: Running, k: number): Promise<TopImages> {
  const [values, indices, floor] = await Promise.all([running.top.values.data(), running.top.indices.data(), running.floor.data()]);
  const count = floor.length;
  const byColumn = { values: new Float32Array(count * k), indices: new Int32Array(count * k) };
  for (let s = 0; s < k; s++) {
    for (let c = 0; c < count; c++) {
      byColumn.values[c * k + s] = values[s * count + c];
      byColumn.indices[c * k + s] = indices[s * count + c];
    }
  }
  return { k, count, ...byColumn, floor };
}

/**
 * For every probe, the top-k images (rows of `images`, [n, 784] in [0, 1]) of each unit of its layer and
 * of each of its directions. Throws, before any GPU work, on a layer the model lacks, directions of the
 * wrong size, or k larger than the images or the batch.
 */
export async function topImagesByLayer(model: Model, images: Float32Array, probes: readonly LayerProbe[], options: TopImagesOptions): Promise<LayerTopImages[]> {
  const { k, batch = 1000, onProgress } = options;
  const count = images.length / MNIST_PIXELS;
  const shapes = layerOutputShapes(model.spec);
  if (!Number.isInteger(count) || count < 1) throw new Error(`topImagesByLayer: images must be a non-empty stack of ${MNIST_PIXELS}-pixel images, got ${images.length} values`);
  if (!Number.isInteger(batch) || batch < k) throw new Error(`topImagesByLayer: batch must be an integer of at least k = ${k}, got ${batch}`);
  if (k > count) throw new Error(`topImagesByLayer: k = ${k} exceeds the ${count} images`);
  const units = probes.map((probe) => {
    if (!Number.isInteger(probe.layer) || probe.layer < 0 || probe.layer >= shapes.length) {
      throw new Error(`topImagesByLayer: ${model.spec.name} has layers 0–${shapes.length - 1}, not ${probe.layer}`);
    }
    const size = shapes[probe.layer].reduce((p, d) => p * d, 1);
    if (probe.directions.length !== size * probe.count) {
      throw new Error(`topImagesByLayer: layer ${probe.layer} has ${size} units, so ${probe.count} directions need ${size * probe.count} values, got ${probe.directions.length}`);
    }
    return size;
  });
  const engine = model.engine;
  const directions = probes.map((probe, p) => (probe.count > 0 ? tensor(engine, probe.directions, [units[p], probe.count]) : null));
  let running: LayerRunning[] | null = null;
  try {
    for (let start = 0; start < count; start += batch) {
      const rows = Math.min(batch, count - start);
      const previous: LayerRunning[] | null = running;
      running = tidy(engine, (): LayerRunning[] => {
        const x = tensor(engine, images.subarray(start * MNIST_PIXELS, (start + rows) * MNIST_PIXELS), [rows, MNIST_PIXELS]);
        const outputs = model.layerOutputs(x);
        return probes.map((probe, p) => {
          const flat = outputs[probe.layer].reshape([rows, units[p]]);
          const d = directions[p];
          return {
            units: fold(flat, k, start, previous?.[p].units ?? null),
            directions: d ? fold(matmul(flat, d), k, start, previous?.[p].directions ?? null) : null,
          };
        });
      });
      disposeRunning(previous);
      await engine.sync();
      onProgress?.(start + rows, count);
    }
    const final = running!;
    return await Promise.all(
      probes.map(async (probe, p) => ({
        layer: probe.layer,
        shape: shapes[probe.layer],
        units: await readTopImages(final[p].units, k),
        directions: final[p].directions ? await readTopImages(final[p].directions!, k) : emptyTopImages(k),
      })),
    );
  } finally {
    disposeRunning(running);
    directions.forEach((d) => d?.dispose());
  }
}

function emptyTopImages(k: number): TopImages {
  return { k, count: 0, indices: new Int32Array(0), values: new Float32Array(0), floor: new Float32Array(0) };
}
