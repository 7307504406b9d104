import { describe, expect, it } from 'vitest';
import { CSearch, DEFAULT_C_SEARCH } from '../../src/attack/cSearch.ts';
import { classifiedAs, distortion } from '../../src/attack/attack.ts';
import { chooseTargets } from '../../src/attack/targets.ts';

/** Drive a search against a threshold: success iff c ≥ threshold, distortion falling as c falls. */
function runAgainst(threshold: number, options = DEFAULT_C_SEARCH) {
  const search = new CSearch(options);
  while (!search.done) {
    const c = search.c!;
    search.report(c >= threshold, 1 / (1 + 1 / c));
  }
  return search;
}

describe('c search', () => {
  it('goes up by ×10 from 0.01 until success, then bisects geometrically towards the threshold', () => {
    const search = runAgainst(3.7);
    const cs = search.trials.map((t) => t.c);
    expect(cs.slice(0, 4)).toEqual([0.01, 0.1, 1, 10]);
    expect(search.trials.length).toBe(4 + DEFAULT_C_SEARCH.bisectionSteps);
    // The bracket [c_fail, c_ok] always contains the threshold and shrinks with each bisection.
    let cFail = 1;
    let cOk = 10;
    for (const t of search.trials.slice(4)) {
      expect(t.c).toBeCloseTo(Math.sqrt(cFail * cOk), 12);
      if (t.success) cOk = t.c;
      else cFail = t.c;
      expect(cFail).toBeLessThan(3.7);
      expect(cOk).toBeGreaterThanOrEqual(3.7);
    }
    expect(cOk / cFail).toBeLessThan(1.01);
    expect(search.best!.c).toBe(cOk);
  });

  it('goes down by ÷10 from 0.01 while it succeeds', () => {
    const search = runAgainst(2e-5);
    expect(search.trials.slice(0, 4).map((t) => t.c)).toEqual([0.01, 0.001, 0.0001, 0.00001]);
    expect(search.trials[3].success).toBe(false);
    expect(search.best!.c).toBeGreaterThanOrEqual(2e-5);
    expect(search.best!.c).toBeLessThan(1e-4);
  });

  it('keeps every failure below every success (monotone search on a monotone problem)', () => {
    for (const threshold of [1e-5, 3e-3, 0.05, 42, 7e8]) {
      const search = runAgainst(threshold);
      const failures = search.trials.filter((t) => !t.success).map((t) => t.c);
      const successes = search.trials.filter((t) => t.success).map((t) => t.c);
      expect(Math.max(0, ...failures)).toBeLessThan(Math.min(...successes));
    }
  });

  it('gives up above the maximum c and stops at the minimum', () => {
    const never = runAgainst(Infinity);
    expect(never.succeeded).toBe(false);
    expect(never.trials.at(-1)!.c).toBe(1e10);
    const always = runAgainst(0);
    expect(always.succeeded).toBe(true);
    expect(always.trials.at(-1)!.c).toBeCloseTo(1e-6, 18);
  });

  it('keeps the smallest distortion, not the last success', () => {
    const search = new CSearch({ ...DEFAULT_C_SEARCH, bisectionSteps: 2 });
    search.report(true, 0.5); // c = 0.01
    search.report(true, 0.2); // c = 0.001
    search.report(false, 0.1); // c = 0.0001 → bisect
    search.report(true, 0.3); // worse than 0.2
    search.report(false, 0);
    expect(search.done).toBe(true);
    expect(search.best).toEqual({ c: 0.001, success: true, distortion: 0.2 });
  });
});

describe('targets and success', () => {
  it('random targets are seeded wrong labels; all gives the nine wrong labels', () => {
    const labels = Int32Array.from({ length: 200 }, (_, i) => i % 10);
    const a = chooseTargets(labels, { kind: 'random', seed: 5 });
    const b = chooseTargets(labels, { kind: 'random', seed: 5 });
    const c = chooseTargets(labels, { kind: 'random', seed: 6 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    a.forEach(([t], i) => expect(t).not.toBe(labels[i]));
    expect(new Set(a.map(([t]) => t)).size).toBe(10);
    const all = chooseTargets([3], { kind: 'all' });
    expect(all[0]).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects an explicit target equal to the true label before any work', () => {
    expect(() => chooseTargets([3, 4], { kind: 'explicit', targets: [5, 4] })).toThrow(/image 1 equals its true label 4/);
    expect(() => chooseTargets([3], { kind: 'explicit', targets: [10] })).toThrow(/not a class/);
  });

  it('success is the argmax, or a margin above every other logit', () => {
    expect(classifiedAs([0, 2, 1], 1, 0)).toBe(true);
    expect(classifiedAs([0, 2, 2], 1, 0)).toBe(true);
    expect(classifiedAs([2, 2, 0], 1, 0)).toBe(false);
    expect(classifiedAs([0, 2, 1.5], 1, 1)).toBe(false);
    expect(classifiedAs([0, 2.5, 1.5], 1, 1)).toBe(true);
    expect(classifiedAs([0, NaN, 1], 1, 0)).toBe(false);
  });

  it('distortion is the per-pixel RMS', () => {
    const a = new Float32Array(784);
    const b = new Float32Array(784);
    b[0] = 0.28;
    expect(distortion(a, b)).toBeCloseTo(0.28 / 28, 7);
  });
});
