/**
 * Property 1 of the paper, measured: are the test images that most activate a unit, x' = argmax ⟨φ(x), e_i⟩,
 * more coherent than those that most activate a random direction, argmax ⟨φ(x), v⟩, or than random
 * images? Per probed layer: the top-k test images of every unit and of random directions (GPU), three
 * coherence statistics of each set (label purity, centred-cosine similarity in pixel space and in another
 * trained model's feature space), their means with bootstrap intervals, the top-m curves, and a
 * Mann–Whitney U test of units against random directions. The result is plain data.
 */
import type { LabelledImages } from '../data/idx.ts';
import { MNIST_PIXELS } from '../data/idx.ts';
import type { Model } from '../nn/model.ts';
import { layerOutputShapes, type ModelSpec } from '../nn/zoo.ts';
import { deriveSeed } from '../util/random.ts';
import { layerActivations } from './activations.ts';
import { similaritySpace, type SimilaritySpace } from './coherence.ts';
import { scoreImageSets, STATISTICS, summarizeScores, type CoherenceSpaces, type KindSummary, type Statistic } from './coherenceScores.ts';
import { randomDirections, randomSubsets } from './directions.ts';
import { mannWhitneyU, type MannWhitneyResult } from './mannWhitney.ts';
import { topImagesByLayer, type LayerTopImages, type TopImages } from './topImages.ts';
import { TOPK_MAX_K } from '../tensor/ops/topk.ts';

export interface UnitsOptions {
  /** Layers to probe (default: every hidden layer, i.e. all but the logits). */
  layers?: number[];
  /** Images per direction (default 9, as in the paper's figures; 2 … 16). */
  k?: number;
  /** Random directions per layer: as many as the layer has units, at most this many (default 512). */
  directions?: number;
  /** Random image sets, the no-direction control (default 1000). */
  randomSets?: number;
  /** Seeds the directions, the image sets and the bootstrap (default 1). */
  seed?: number;
  /** Images per forward pass (default 1000). */
  batch?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Called after each batch of images. */
  onProgress?: (done: number, total: number) => void;
}

export const UNITS_DEFAULTS = { k: 9, directions: 512, randomSets: 1000, seed: 1, batch: 1000, resamples: 2000 } as const;

/** One probed layer, summarized. */
export interface UnitsLayerSummary {
  layer: number;
  /** E.g. "conv 16×24×24 relu". */
  description: string;
  /** Output shape for one image. */
  shape: number[];
  units: number;
  /** What a unit is in this layer. */
  unit: string;
  /**
   * Units left out of the statistics because their top-k is not decided by their activation: the k-th
   * largest value equals the unit's smallest over all images (a dead or rarely active ReLU feature; the
   * "top" images would be the first ones in the test set). Ties above the floor are kept.
   */
  undecidedUnits: number;
  /** The same for the random directions (expected 0). */
  undecidedDirections: number;
  kinds: { units: KindSummary; randomDirections: KindSummary; randomSets: KindSummary };
  /** Mann–Whitney U of units against random directions, per statistic (null when a side is empty). */
  tests: Record<Statistic, MannWhitneyResult | null>;
}

/** Property 1 for one model. */
export interface UnitsSummary {
  model: string;
  images: number;
  k: number;
  seed: number;
  /** The similarity spaces' names. */
  pixelSpace: string;
  judgeSpace: string;
  layers: UnitsLayerSummary[];
}

export interface UnitsAnalysis {
  summary: UnitsSummary;
  /** Every probed layer's top images (what the figures draw). */
  top: LayerTopImages[];
  /** The random image sets, [sets, k] row-major. */
  randomSets: Int32Array;
}

/** Which model's features judge similarity for a model, by default: never the measured network itself. */
export function defaultJudge(model: string): { model: string; layer: number } {
  return model === 'convnet' ? { model: 'FC200-200-10', layer: 1 } : { model: 'convnet', layer: 4 };
}

/** "dense 100 sigmoid", "conv 16×24×24 relu", "max-pool 16×12×12". */
export function describeLayer(spec: ModelSpec, layer: number): string {
  const l = spec.layers[layer];
  const shape = layerOutputShapes(spec)[layer].join('×');
  return l.kind === 'maxpool' ? `max-pool ${shape}` : `${l.kind} ${shape} ${l.activation}`;
}

/** The pixel similarity space of a set of images. */
export function pixelSpace(images: LabelledImages): SimilaritySpace {
  return similaritySpace('pixels', images.images, images.count, MNIST_PIXELS);
}

/** The similarity space of a trained model's layer `layer` on `images` (the judge of another model's units). */
export async function featureSpace(model: Model, layer: number, images: LabelledImages, batch: number = UNITS_DEFAULTS.batch): Promise<SimilaritySpace> {
  const activations = await layerActivations(model, images.images, layer, batch);
  const units = activations.length / images.count;
  return similaritySpace(`${model.spec.name} layer ${layer} (${describeLayer(model.spec, layer)})`, activations, images.count, units);
}

/**
 * Columns whose top-k is decided by their values: the k-th largest exceeds the column's floor. Throws if
 * a value is NaN (a broken layer output must not become a statistic).
 */
export function decidedColumns(top: TopImages, what: string): number[] {
  const decided: number[] = [];
  for (let c = 0; c < top.count; c++) {
    const kth = top.values[c * top.k + top.k - 1];
    if (Number.isNaN(top.values[c * top.k]) || Number.isNaN(top.floor[c])) throw new Error(`${what}: column ${c} holds NaN`);
    if (kth > top.floor[c]) decided.push(c);
  }
  return decided;
}

/**
 * The layers to probe (`options.layers`, or every hidden layer), after checking the options against the
 * model: throws, naming the option, on anything `analyzeUnits` would reject. For callers that want to
 * fail before loading data.
 */
export function checkUnitsOptions(spec: ModelSpec, options: UnitsOptions): number[] {
  const o = { ...UNITS_DEFAULTS, ...options };
  const layers = options.layers ?? spec.layers.slice(0, -1).map((_, i) => i);
  const layerCount = spec.layers.length;
  const bad = layers.find((l) => !Number.isInteger(l) || l < 0 || l >= layerCount);
  if (bad !== undefined) throw new Error(`analyzeUnits: ${spec.name} has layers 0–${layerCount - 1}, not ${bad}`);
  if (layers.length === 0 || new Set(layers).size !== layers.length) throw new Error(`analyzeUnits: layers must be distinct and at least one, got [${layers}]`);
  if (!Number.isInteger(o.k) || o.k < 2 || o.k > TOPK_MAX_K) throw new Error(`analyzeUnits: k must be an integer in [2, ${TOPK_MAX_K}], got ${o.k}`);
  for (const [key, value] of [['directions', o.directions], ['randomSets', o.randomSets], ['resamples', o.resamples]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`analyzeUnits: ${key} must be a positive integer, got ${value}`);
  }
  if (!Number.isInteger(o.batch) || o.batch < o.k) throw new Error(`analyzeUnits: batch must be an integer of at least k = ${o.k}, got ${o.batch}`);
  return layers;
}

/**
 * Property 1 on `model`'s layers over `images` (the held-out set I), similarities measured in `spaces`.
 * Throws on bad options before any GPU work.
 */
export async function analyzeUnits(model: Model, images: LabelledImages, spaces: CoherenceSpaces, options: UnitsOptions = {}): Promise<UnitsAnalysis> {
  const o = { ...UNITS_DEFAULTS, ...options };
  const spec = model.spec;
  const layers = checkUnitsOptions(spec, options);
  if (o.k > images.count) throw new Error(`analyzeUnits: k = ${o.k} exceeds the ${images.count} images`);
  for (const space of [spaces.pixels, spaces.judge]) {
    if (space.count !== images.count) throw new Error(`analyzeUnits: similarity space ${space.name} has ${space.count} rows for ${images.count} images`);
  }
  const shapes = layerOutputShapes(spec);
  const probes = layers.map((layer) => {
    const units = shapes[layer].reduce((p, d) => p * d, 1);
    const count = Math.min(units, o.directions);
    return { layer, count, directions: randomDirections(units, count, deriveSeed(o.seed, `directions ${spec.name} layer ${layer}`)) };
  });
  const top = await topImagesByLayer(model, images.images, probes, { k: o.k, batch: o.batch, onProgress: options.onProgress });

  const randomSets = randomSubsets(images.count, o.randomSets, o.k, deriveSeed(o.seed, 'random image sets'));
  const allSets = Array.from({ length: o.randomSets }, (_, i) => i);
  const setScores = scoreImageSets(randomSets, o.k, allSets, images.labels, spaces);
  const randomSetSummary = summarizeScores(setScores, o.k, o.seed, `${spec.name} random sets`, o.resamples);

  const summaries = top.map((layerTop): UnitsLayerSummary => {
    const where = `${spec.name} layer ${layerTop.layer}`;
    const decidedUnits = decidedColumns(layerTop.units, `${where} units`);
    const decidedDirections = decidedColumns(layerTop.directions, `${where} random directions`);
    const unitScores = scoreImageSets(layerTop.units.indices, o.k, decidedUnits, images.labels, spaces);
    const directionScores = scoreImageSets(layerTop.directions.indices, o.k, decidedDirections, images.labels, spaces);
    const tests = Object.fromEntries(
      STATISTICS.map((s) => [s, decidedUnits.length && decidedDirections.length ? mannWhitneyU(unitScores[s].atK, directionScores[s].atK) : null]),
    ) as UnitsLayerSummary['tests'];
    return {
      layer: layerTop.layer,
      description: describeLayer(spec, layerTop.layer),
      shape: layerTop.shape,
      units: layerTop.units.count,
      unit: layerTop.shape.length === 1 ? 'one neuron' : 'one (channel, y, x) feature of the output flattened to C·H·W',
      undecidedUnits: layerTop.units.count - decidedUnits.length,
      undecidedDirections: layerTop.directions.count - decidedDirections.length,
      kinds: {
        units: summarizeScores(unitScores, o.k, o.seed, `${where} units`, o.resamples),
        randomDirections: summarizeScores(directionScores, o.k, o.seed, `${where} random directions`, o.resamples),
        randomSets: randomSetSummary,
      },
      tests,
    };
  });
  return {
    summary: { model: spec.name, images: images.count, k: o.k, seed: o.seed, pixelSpace: spaces.pixels.name, judgeSpace: spaces.judge.name, layers: summaries },
    top,
    randomSets,
  };
}
