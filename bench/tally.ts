/**
 * What instances count themselves (see Tally in ./types.ts): differences over a repetition, and the rates
 * and time shares the results report. Also the TallyKeeper instances accumulate into.
 */
import { stats } from './stats.ts';
import type { Cell, Stats, Tally } from './types.ts';

/** after − before, entry by entry (an entry missing before counts from 0). */
export function tallyDifference(after: Tally, before: Tally): Tally {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).map(([name, value]) => [name, value - (b[name] ?? 0)]));
  return { counts: minus(after.counts, before.counts), ms: minus(after.ms, before.ms) };
}

/**
 * Per repetition: counts per second of the repetition's wall time, and each part's share of it; then
 * their order statistics over repetitions.
 */
export function summarizeTally(repTally: readonly Tally[], repWallMs: readonly number[]): NonNullable<Cell['tally']> {
  const over = (pick: (t: Tally) => Record<string, number>, scale: (value: number, wallMs: number) => number) => {
    const names = [...new Set(repTally.flatMap((t) => Object.keys(pick(t))))];
    const result: Record<string, Stats> = {};
    for (const name of names) {
      const values = repTally.map((t, i) => scale(pick(t)[name] ?? 0, repWallMs[i]));
      const s = stats(values);
      if (s) result[name] = s;
    }
    return result;
  };
  return {
    rates: over((t) => t.counts, (count, wallMs) => (count * 1000) / wallMs),
    shares: over((t) => t.ms, (ms, wallMs) => ms / wallMs),
  };
}

/** Accumulates an instance's tally across its runs. */
export class TallyKeeper {
  private readonly counts: Record<string, number> = {};
  private readonly ms: Record<string, number> = {};

  count(name: string, amount: number): void {
    this.counts[name] = (this.counts[name] ?? 0) + amount;
  }

  time(name: string, ms: number): void {
    this.ms[name] = (this.ms[name] ?? 0) + ms;
  }

  /** A copy, so later runs do not change what the harness took before a repetition. */
  snapshot(): Tally {
    return { counts: { ...this.counts }, ms: { ...this.ms } };
  }
}
