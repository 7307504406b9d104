/**
 * Coherence scores of many top-k image sets at once (one per unit, direction or random set), and their
 * summary per kind: the mean of each statistic with a bootstrap interval, and the mean top-m curves.
 */
import { bootstrapMean, type Estimate } from './bootstrap.ts';
import { coherenceCurves, type SimilaritySpace } from './coherence.ts';
import { deriveSeed } from '../util/random.ts';

/** The three statistics, each computed the same way for every kind of image set. */
export const STATISTICS = ['purity', 'pixelSimilarity', 'featureSimilarity'] as const;
export type Statistic = (typeof STATISTICS)[number];

/** Per-set scores: the statistic at k, and the curve over m = 2 … k ([sets, k − 1] row-major). */
export type Scores = Record<Statistic, { atK: Float64Array; curves: Float64Array }>;

/** Spaces the similarities are measured in. */
export interface CoherenceSpaces {
  pixels: SimilaritySpace;
  /** A trained model's features, not the measured network's. */
  judge: SimilaritySpace;
}

/**
 * Score the image sets in rows `rows` of `indices` ([sets, k] row-major, best first) against `labels`.
 */
export function scoreImageSets(indices: Int32Array, k: number, rows: ArrayLike<number>, labels: ArrayLike<number>, spaces: CoherenceSpaces): Scores {
  const n = rows.length;
  const scores = Object.fromEntries(STATISTICS.map((s) => [s, { atK: new Float64Array(n), curves: new Float64Array(n * (k - 1)) }])) as Scores;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const { purity, similarity } = coherenceCurves(indices.subarray(row * k, (row + 1) * k), labels, [spaces.pixels, spaces.judge]);
    const curves: Record<Statistic, Float64Array> = { purity, pixelSimilarity: similarity[0], featureSimilarity: similarity[1] };
    for (const s of STATISTICS) {
      scores[s].atK[i] = curves[s][k - 2];
      scores[s].curves.set(curves[s], i * (k - 1));
    }
  }
  return scores;
}

/** One kind of image set (units, random directions or random sets) summarized. */
export interface KindSummary {
  /** Sets scored. */
  count: number;
  /** Mean at k with its bootstrap interval over the sets (null when there are none). */
  estimates: Record<Statistic, Estimate | null>;
  /** Mean over the sets of each statistic of the top-m images, m = 2 … k (entry m − 2); empty when none. */
  curves: Record<Statistic, number[]>;
}

/** Means, bootstrap intervals (seeded per statistic from `seed` and `label`) and mean curves. */
export function summarizeScores(scores: Scores, k: number, seed: number, label: string, resamples: number): KindSummary {
  const count = scores.purity.atK.length;
  const estimates = {} as KindSummary['estimates'];
  const curves = {} as KindSummary['curves'];
  for (const s of STATISTICS) {
    estimates[s] = count > 0 ? bootstrapMean(scores[s].atK, { seed: deriveSeed(seed, `${label} ${s}`), resamples }) : null;
    const sums = new Array<number>(count > 0 ? k - 1 : 0).fill(0);
    for (let i = 0; i < count; i++) for (let m = 0; m < k - 1; m++) sums[m] += scores[s].curves[i * (k - 1) + m];
    curves[s] = sums.map((sum) => sum / count);
  }
  return { count, estimates, curves };
}
