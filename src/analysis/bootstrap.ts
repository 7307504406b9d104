/** Percentile bootstrap intervals for a mean, from seeded resampling (the same seed gives the same interval). */
import { createRng } from '../util/random.ts';

/** A mean and its interval. */
export interface Estimate {
  mean: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  seed: number;
  /** Resamples drawn (default 2000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/**
 * The mean of `values` and its percentile bootstrap interval: `resamples` samples of the same size drawn
 * with replacement, the interval between the (1 − level)/2 and (1 + level)/2 quantiles of their means
 * (linear interpolation between order statistics). Throws on an empty sample or a non-finite value.
 */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions): Estimate {
  const { seed, resamples = 2000, level = 0.95 } = options;
  const n = values.length;
  if (n === 0) throw new Error('bootstrapMean: no values');
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`bootstrapMean: resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapMean: level must lie in (0, 1), got ${level}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`bootstrapMean: value ${i} is ${values[i]}, not finite`);
    total += values[i];
  }
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.int(n)];
    means[b] = sum / n;
  }
  means.sort();
  return { mean: total / n, low: quantile(means, (1 - level) / 2), high: quantile(means, (1 + level) / 2) };
}

/** The q-quantile of sorted values, interpolating linearly between order statistics. */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}
