/**
 * The Mann–Whitney U test (Wilcoxon rank-sum) of two independent samples, two-sided, with the normal
 * approximation: mid-ranks for ties, the tie-corrected variance and a continuity correction of ½. It
 * needs no assumption about the shape of the distributions, and it copes with the heavy ties of discrete
 * scores such as label purity (9 images can only be 1/9, 2/9, … pure).
 */
import { normalUpperTail } from './normalDistribution.ts';

export interface MannWhitneyResult {
  /** U of the first sample: the number of pairs (x, y) with x > y, ties counting ½. */
  u: number;
  n1: number;
  n2: number;
  /** (U − n1·n2/2 ∓ ½) / σ, with the continuity correction towards 0; 0 when every value ties. */
  z: number;
  /** Two-sided p-value of the normal approximation (1 when every value ties). */
  p: number;
  /** U / (n1·n2): the probability that a draw from the first sample exceeds one from the second, ties ½. */
  effect: number;
}

/** Mid-ranks (1-based) of `values`, and Σ (t³ − t) over groups of t tied values. */
function midRanks(values: Float64Array): { ranks: Float64Array; tieTerm: number } {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]] = rank;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  return { ranks, tieTerm };
}

/** Two-sided Mann–Whitney U test of `x` against `y`; throws on an empty sample or a non-finite value. */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error(`mannWhitneyU: both samples need values, got ${n1} and ${n2}`);
  const all = new Float64Array(n1 + n2);
  for (let i = 0; i < n1; i++) all[i] = x[i];
  for (let i = 0; i < n2; i++) all[n1 + i] = y[i];
  const bad = all.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`mannWhitneyU: value ${all[bad]} in the ${bad < n1 ? 'first' : 'second'} sample is not finite`);
  const { ranks, tieTerm } = midRanks(all);
  let rankSum = 0;
  for (let i = 0; i < n1; i++) rankSum += ranks[i];
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const deviation = u - (n1 * n2) / 2;
  const corrected = Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5);
  const z = variance > 0 ? corrected / Math.sqrt(variance) : 0;
  return { u, n1, n2, z, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))), effect: u / (n1 * n2) };
}
