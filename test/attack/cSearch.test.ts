import { describe, expect, it } from 'vitest';
import { CSearch, DEFAULT_C_SEARCH, EXHAUSTIVE_C_SEARCH, validateCSearchOptions, type CSearchOptions } from '../../src/attack/cSearch.ts';
import { classifiedAs, distortion, targetLead } from '../../src/attack/attack.ts';
import { chooseTargets } from '../../src/attack/targets.ts';

const EXHAUSTIVE: CSearchOptions = { ...DEFAULT_C_SEARCH, ...EXHAUSTIVE_C_SEARCH };

/**
 * A model problem with the shape of the real one: success iff c ≥ threshold, the minimizer's distortion
 * growing with c, and the target's logit margin a smooth increasing function of log c that crosses zero
 * at the threshold (`bend` > 0 makes it concave, as measured on the trained nets).
 */
function runAgainst(threshold: number, options: CSearchOptions = EXHAUSTIVE, estimate = Number.NaN, bend = 0) {
  const search = new CSearch(options, estimate);
  while (!search.done) {
    const c = search.c!;
    const u = Math.log(c / threshold);
    const margin = bend > 0 ? (1 - Math.exp(-bend * u)) / bend : u;
    search.report(c >= threshold, 1 / (1 + 1 / c), margin);
  }
  return search;
}

describe('c search: the exhaustive schedule (the paper\'s)', () => {
  it('goes up by ×10 from 0.01 until success, then bisects geometrically towards the threshold', () => {
    const search = runAgainst(3.7);
    const cs = search.trials.map((t) => t.c);
    expect(cs.slice(0, 4)).toEqual([0.01, 0.1, 1, 10]);
    expect(search.trials.length).toBe(4 + 10);
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

  it('keeps every failure below every success (monotone search on a monotone problem), for both schedules', () => {
    for (const options of [EXHAUSTIVE, DEFAULT_C_SEARCH]) {
      for (const threshold of [1e-5, 3e-3, 0.05, 42, 7e8]) {
        const search = runAgainst(threshold, options, 0.01, 2);
        const failures = search.trials.filter((t) => !t.success).map((t) => t.c);
        const successes = search.trials.filter((t) => t.success).map((t) => t.c);
        expect(Math.max(0, ...failures)).toBeLessThan(Math.min(...successes));
      }
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
    const search = new CSearch({ ...EXHAUSTIVE, maxRefinements: 2 });
    search.report(true, 0.5); // c = 0.01
    search.report(true, 0.2); // c = 0.001
    search.report(false, 0.1); // c = 0.0001 → bisect
    search.report(true, 0.3); // worse than 0.2
    search.report(false, 0);
    expect(search.done).toBe(true);
    expect(search.best).toMatchObject({ c: 0.001, success: true, distortion: 0.2 });
  });
});

describe('c search: the adaptive default', () => {
  it('starts at the estimate (clamped to [minC, maxC]) and brackets by ×3', () => {
    const search = runAgainst(5, DEFAULT_C_SEARCH, 0.4);
    expect(search.trials.slice(0, 4).map((t) => t.c)).toEqual([0.4, 0.4 * 3, 0.4 * 9, 0.4 * 27].map((c) => expect.closeTo(c, 12)));
    expect(new CSearch(DEFAULT_C_SEARCH, 1e20).c).toBe(DEFAULT_C_SEARCH.maxC);
    expect(new CSearch(DEFAULT_C_SEARCH, 1e-20).c).toBe(DEFAULT_C_SEARCH.minC);
    expect(() => new CSearch(DEFAULT_C_SEARCH, Number.NaN)).toThrow(/estimate/);
    expect(CSearch.estimateFirstC(2, 8)).toBe(1);
    expect(CSearch.estimateFirstC(1, 0)).toBe(0.01);
    expect(CSearch.estimateFirstC(0, 0)).toBe(0.01);
  });

  it('lands on the threshold in one step when the margin is linear in log c', () => {
    const search = runAgainst(1.7, DEFAULT_C_SEARCH, 1);
    // 1 fails, 3 succeeds; interpolating a margin linear in log c gives log 1.7 exactly (within the central 90%).
    expect(search.trials[2].c).toBeCloseTo(1.7, 10);
  });

  it('stops once the distortions at the bracket ends are within the tolerance, and the kept one is within it of the threshold\'s', () => {
    for (const threshold of [2e-4, 0.37, 5.5, 9e3]) {
      for (const bend of [0, 1, 4]) {
        const search = runAgainst(threshold, DEFAULT_C_SEARCH, 0.05, bend);
        const atThreshold = 1 / (1 + 1 / threshold);
        const best = search.best!.distortion;
        expect(best).toBeGreaterThanOrEqual(atThreshold);
        const refinements = search.trials.length - search.trials.findIndex((t, i) => i > 0 && t.success !== search.trials[0].success) - 1;
        if (refinements < DEFAULT_C_SEARCH.maxRefinements) expect((best - atThreshold) / best, `threshold ${threshold} bend ${bend}`).toBeLessThanOrEqual(DEFAULT_C_SEARCH.distortionTolerance);
        // Fewer trials than the exhaustive schedule needs.
        expect(search.trials.length).toBeLessThan(runAgainst(threshold).trials.length);
      }
    }
  });

  it('stops once the ends\' c are within cTolerance when the distortion jumps at the threshold, and runs every step with cTolerance 0', () => {
    // A minimizer that jumps basins as c crosses the threshold: the distortions at the ends never meet.
    const threshold = 0.8;
    const outcome = (c: number) => (c >= threshold ? { success: true, distortion: 0.051, margin: c - threshold } : { success: false, distortion: 0.049, margin: c - threshold });
    const run = (options: CSearchOptions) => {
      const search = new CSearch(options, 0.5);
      while (!search.done) {
        const { success, distortion, margin } = outcome(search.c!);
        search.report(success, distortion, margin);
      }
      return search;
    };
    const pinned = run(DEFAULT_C_SEARCH);
    const okC = Math.min(...pinned.trials.filter((t) => t.success).map((t) => t.c));
    const failC = Math.max(...pinned.trials.filter((t) => !t.success).map((t) => t.c));
    expect(okC / failC - 1).toBeLessThanOrEqual(DEFAULT_C_SEARCH.cTolerance);
    // Fewer trials than the step budget allows: the rule, not the budget, ended the search.
    expect(pinned.trials.length).toBeLessThan(2 + DEFAULT_C_SEARCH.maxRefinements);
    expect(pinned.best!.distortion).toBe(0.051);
    const exhaustive = run({ ...DEFAULT_C_SEARCH, cTolerance: 0 });
    expect(exhaustive.trials.length).toBe(2 + DEFAULT_C_SEARCH.maxRefinements);
  });

  it('falls back to bisection when a margin is unknown', () => {
    const search = new CSearch(DEFAULT_C_SEARCH, 1);
    search.report(false, 0.1, Number.NaN); // c = 1
    search.report(true, 0.3, 2); // c = 3
    expect(search.c).toBeCloseTo(Math.sqrt(3), 12);
  });

  it('refuses options out of range, naming them', () => {
    const bad: [Partial<CSearchOptions>, RegExp][] = [
      [{ maxC: Number.NaN }, /maxC must be a finite number > 0/],
      [{ minC: 0 }, /minC must be a finite number > 0/],
      [{ initialC: 1e12 }, /minC ≤ initialC ≤ maxC/],
      [{ bracketFactor: 1 }, /bracketFactor must be a finite number > 1/],
      [{ maxRefinements: 2.5 }, /maxRefinements must be an integer ≥ 0/],
      [{ distortionTolerance: -0.1 }, /distortionTolerance must be in \[0, 1\)/],
      [{ cTolerance: Number.NaN }, /cTolerance must be a finite number ≥ 0/],
      [{ step: 'newton' as never }, /step must be 'margin' or 'bisection'/],
    ];
    for (const [change, message] of bad) expect(() => validateCSearchOptions({ ...DEFAULT_C_SEARCH, ...change })).toThrow(message);
    expect(() => validateCSearchOptions(DEFAULT_C_SEARCH)).not.toThrow();
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
    // The lead over the best other logit, less the margin: ≥ 0 exactly when the margin test passes.
    expect(targetLead([0, 2.5, 1.5], 1, 1)).toBe(0);
    expect(targetLead([0, 2, 1.5], 1, 1)).toBe(-0.5);
    expect(targetLead([3, 2, 1.5], 1, 0)).toBe(-1);
  });

  it('distortion is the per-pixel RMS', () => {
    const a = new Float32Array(784);
    const b = new Float32Array(784);
    b[0] = 0.28;
    expect(distortion(a, b)).toBeCloseTo(0.28 / 28, 7);
  });
});
