/**
 * Measured Lipschitz ratios on pairs of images: for each layer k, ‖φ_k(x) − φ_k(x′)‖ / ‖x_{k−1} − x′_{k−1}‖
 * where x_{k−1}, x′_{k−1} are the pair's outputs of the layer before (the images for the first layer), and
 * ‖logits(x) − logits(x′)‖ / ‖x − x′‖ for the whole network. Every ratio must lie below its layer's upper
 * bound; Table 5 prints the largest and the median beside the bounds.
 */
import type { Model } from '../nn/model.ts';
import { tidy } from '../tensor/context.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { createRng } from '../util/random.ts';

/** The spread of one ratio over the pairs. */
export interface RatioStats {
  /** Pairs that gave a ratio. */
  pairs: number;
  max: number;
  median: number;
  /** Pairs whose input difference to this layer was exactly zero (no ratio). */
  skipped: number;
}

/** Ratios per layer (in layer order) and for the whole network. */
export interface MeasuredRatios {
  layers: RatioStats[];
  network: RatioStats;
}

/** Pairs per GPU pass. */
const CHUNK = 64;

/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function stats(values: number[], skipped: number): RatioStats {
  return { pairs: values.length, max: values.length ? Math.max(...values) : NaN, median: median(values), skipped };
}

/** ‖a_i − b_i‖ for each of the `rows` rows of two equally shaped stacks, in float64. */
function rowDistances(a: ArrayLike<number>, b: ArrayLike<number>, rows: number): number[] {
  const width = a.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let sum = 0;
    for (let i = r * width; i < (r + 1) * width; i++) sum += (a[i] - b[i]) ** 2;
    return Math.sqrt(sum);
  });
}

function checkPairs(model: Model, originals: Float32Array, perturbed: Float32Array): number {
  const pixels = model.spec.inputShape.reduce((p, d) => p * d, 1);
  if (originals.length !== perturbed.length || originals.length % pixels !== 0) {
    throw new Error(`measuredRatios: ${originals.length} and ${perturbed.length} values are not two stacks of ${pixels}-pixel images`);
  }
  for (const [name, stack] of [['originals', originals], ['perturbed', perturbed]] as const) {
    const bad = stack.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`measuredRatios: ${name} image ${Math.floor(bad / pixels)} has a non-finite pixel`);
  }
  return originals.length / pixels;
}

/** The measured ratios of `model` on the pairs (originals[i], perturbed[i]) (flat stacks of images). */
export async function measuredRatios(model: Model, originals: Float32Array, perturbed: Float32Array): Promise<MeasuredRatios> {
  const count = checkPairs(model, originals, perturbed);
  const pixels = originals.length / count;
  const layerCount = model.spec.layers.length;
  const ratios: number[][] = Array.from({ length: layerCount + 1 }, () => []);
  const skipped = new Array<number>(layerCount + 1).fill(0);
  const add = (k: number, numerator: number, denominator: number) => {
    if (denominator > 0) ratios[k].push(numerator / denominator);
    else skipped[k]++;
  };
  for (let start = 0; start < count; start += CHUNK) {
    const rows = Math.min(CHUNK, count - start);
    const a = originals.subarray(start * pixels, (start + rows) * pixels);
    const b = perturbed.subarray(start * pixels, (start + rows) * pixels);
    const outputs = tidy(model.engine, () => [a, b].map((images) => model.layerOutputs(tensor(model.engine, images, [rows, pixels]))));
    let previous = rowDistances(a, b, rows);
    const inputDistances = previous;
    for (let k = 0; k < layerCount; k++) {
      const current = rowDistances(await outputs[0][k].data(), await outputs[1][k].data(), rows);
      current.forEach((d, i) => add(k, d, previous[i]));
      if (k === layerCount - 1) current.forEach((d, i) => add(layerCount, d, inputDistances[i]));
      previous = current;
    }
    for (const t of outputs.flat()) t.dispose();
  }
  return { layers: ratios.slice(0, layerCount).map((r, k) => stats(r, skipped[k])), network: stats(ratios[layerCount], skipped[layerCount]) };
}

/**
 * For each pair (x, x′), x + g·‖x′ − x‖/‖g‖ with g standard Gaussian (seeded): a random perturbation of
 * the same norm, unclipped (the bounds hold on all of ℝⁿ).
 */
export function gaussianPartners(originals: Float32Array, perturbed: Float32Array, count: number, seed: number): Float32Array {
  const pixels = originals.length / count;
  const rng = createRng(seed);
  const out = new Float32Array(originals.length);
  const norms = rowDistances(originals, perturbed, count);
  for (let r = 0; r < count; r++) {
    const g = Array.from({ length: pixels }, () => rng.gaussian());
    const scale = norms[r] / Math.hypot(...g);
    for (let i = 0; i < pixels; i++) out[r * pixels + i] = originals[r * pixels + i] + g[i] * scale;
  }
  return out;
}
