/** Order statistics over repetitions: the median resists the bursts of load that a shared machine adds. */
import type { Stats } from './types.ts';

export function stats(values: readonly number[]): Stats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/**
 * Statistics of `f(value)` for a decreasing f (throughput from time): the median maps to the median,
 * the fastest time to the highest throughput.
 */
export function mapDecreasing(s: Stats, f: (value: number) => number): Stats {
  return { median: f(s.median), min: f(s.max), max: f(s.min), n: s.n };
}
