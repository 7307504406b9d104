import { describe, expect, it } from 'vitest';
import { bootstrapMean } from '../../src/analysis/bootstrap.ts';
import { mannWhitneyU } from '../../src/analysis/mannWhitney.ts';
import { erfc, normalUpperTail } from '../../src/analysis/normalDistribution.ts';
import { rng, testSeed } from '../helpers/random.ts';

/** Standard normal draws (Box–Muller) from a test generator. */
function normals(random: () => number, n: number, mean = 0): Float64Array {
  return Float64Array.from({ length: n }, () => mean + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

describe('erfc and the normal tail', () => {
  // Tabulated values (Abramowitz & Stegun, Table 7.1, and the normal quantile 1.959964 → 0.025).
  const table: [number, number][] = [
    [0, 1],
    [0.1, 0.8875370839817152],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028516],
    [2, 0.004677734981047266],
    [3, 2.2090496998585445e-5],
    [5, 1.5374597944280347e-12],
    [10, 2.0884875837625446e-45],
    [-1, 1.8427007929497148],
    [-3, 1.9999779095030015],
  ];
  it('matches tabulated values to its stated 1.2e-7 relative error', () => {
    for (const [x, expected] of table) expect(Math.abs(erfc(x) - expected) / expected, `erfc(${x})`).toBeLessThan(1.2e-7);
    expect(normalUpperTail(1.959963984540054)).toBeCloseTo(0.025, 8);
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(Math.abs(normalUpperTail(8) - 6.22096057427174e-16) / 6.22096057427174e-16).toBeLessThan(1.2e-7);
    expect(erfc(NaN)).toBeNaN();
  });
});

describe('mannWhitneyU', () => {
  it('separated samples: U = 0, z = −4/√5.25 with the continuity correction', () => {
    // n1 = n2 = 3: mean of U 4.5, variance 3·3·7/12 = 5.25; z = (0 − 4.5 + 0.5)/√5.25.
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r.u).toBe(0);
    expect(r.effect).toBe(0);
    expect(r.z).toBeCloseTo(-4 / Math.sqrt(5.25), 12);
    expect(r.p).toBeCloseTo(0.08085559837005224, 7);
    const swapped = mannWhitneyU([4, 5, 6], [1, 2, 3]);
    expect([swapped.u, swapped.effect, swapped.p]).toEqual([9, 1, r.p]);
    expect(swapped.z).toBeCloseTo(-r.z, 12);
  });

  it('ties: mid-ranks and the tie-corrected variance', () => {
    // Pooled 1,1,1,2,2,3: ranks 2,2,2,4.5,4.5,6. x = [1,1,2] has rank sum 8.5, U = 8.5 − 6 = 2.5.
    // Variance (9/12)·(7 − Σ(t³−t)/(6·5)) with ties of 3 and 2: (3/4)·(7 − 30/30) = 4.5.
    // z = (2.5 − 4.5 + 0.5)/√4.5 = −1/√2, so p = 2·Φ(−1/√2) = erfc(1/2).
    const r = mannWhitneyU([1, 1, 2], [1, 2, 3]);
    expect(r.u).toBe(2.5);
    expect(r.effect).toBeCloseTo(2.5 / 9, 14);
    expect(r.z).toBeCloseTo(-Math.SQRT1_2, 12);
    expect(r.p).toBeCloseTo(0.4795001221869535, 7);
  });

  it('gives p = 1 for identical samples and for samples that tie everywhere', () => {
    expect(mannWhitneyU([0.1, 0.5, 0.9, 0.5], [0.5, 0.9, 0.1, 0.5])).toMatchObject({ u: 8, z: 0, p: 1, effect: 0.5 });
    expect(mannWhitneyU([2, 2], [2, 2, 2])).toMatchObject({ u: 3, z: 0, p: 1, effect: 0.5 });
  });

  it('under the null, p is about uniform (continuous and heavily tied scores)', () => {
    const seed = testSeed();
    const random = rng(seed);
    for (const discrete of [false, true]) {
      // Purity-like scores: ninths. Continuous: normals.
      const draw = (n: number) => (discrete ? Float64Array.from({ length: n }, () => Math.ceil(random() * 9) / 9) : normals(random, n));
      let below5 = 0;
      let below50 = 0;
      const reps = 1000;
      for (let i = 0; i < reps; i++) {
        const { p } = mannWhitneyU(draw(40), draw(55));
        if (p < 0.05) below5++;
        if (p < 0.5) below50++;
      }
      // Binomial(1000, q) has sd 6.9 at q = 0.05 and 15.8 at 0.5: the bounds are about ±4.5 sd.
      expect(below5, `seed=${seed} discrete=${discrete}`).toBeGreaterThan(19);
      expect(below5, `seed=${seed} discrete=${discrete}`).toBeLessThan(81);
      expect(below50, `seed=${seed} discrete=${discrete}`).toBeGreaterThan(430);
      expect(below50, `seed=${seed} discrete=${discrete}`).toBeLessThan(570);
    }
  });

  it('finds a one-sd shift, with effect size Φ(1/√2) = 0.760', () => {
    const seed = testSeed();
    const random = rng(seed);
    const r = mannWhitneyU(normals(random, 2000, 1), normals(random, 2000, 0));
    // sd of U/(n1·n2) is below √((n1+n2+1)/(12·n1·n2)) ≈ 0.0065.
    expect(Math.abs(r.effect - 0.7602499389065233), `seed=${seed}`).toBeLessThan(0.03);
    expect(r.p, `seed=${seed}`).toBeLessThan(1e-100);
    expect(r.z).toBeGreaterThan(20);
  });

  it('rejects empty samples and non-finite values', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/both samples need values, got 0 and 1/);
    expect(() => mannWhitneyU([1, NaN], [1])).toThrow(/value NaN in the first sample is not finite/);
    expect(() => mannWhitneyU([1], [Infinity])).toThrow(/in the second sample/);
  });
});

describe('bootstrapMean', () => {
  it('gives a zero-width interval at a constant and replays with its seed', () => {
    expect(bootstrapMean([0.25, 0.25, 0.25], { seed: 3 })).toEqual({ mean: 0.25, low: 0.25, high: 0.25 });
    const values = [1, 5, 2, 8, 3];
    const a = bootstrapMean(values, { seed: 7, resamples: 300 });
    expect(bootstrapMean(values, { seed: 7, resamples: 300 })).toEqual(a);
    expect(bootstrapMean(values, { seed: 8, resamples: 300 })).not.toEqual(a);
    expect(a.mean).toBeCloseTo(3.8, 14);
    expect(a.low).toBeLessThan(a.mean);
    expect(a.high).toBeGreaterThan(a.mean);
  });

  it('covers a known mean about 95% of the time', () => {
    const seed = testSeed();
    const random = rng(seed);
    let covered = 0;
    const reps = 400;
    for (let i = 0; i < reps; i++) {
      const e = bootstrapMean(normals(random, 60, 3), { seed: i, resamples: 500 });
      if (e.low <= 3 && 3 <= e.high) covered++;
    }
    // Percentile intervals at n = 60 cover about 94%; the binomial sd of the count is about 5.
    expect(covered / reps, `seed=${seed}`).toBeGreaterThan(0.88);
    expect(covered / reps, `seed=${seed}`).toBeLessThan(0.99);
  });

  it('has the width of the normal interval, ±1.96·σ/√n, on a large sample', () => {
    const seed = testSeed();
    const e = bootstrapMean(normals(rng(seed), 10000), { seed: 1, resamples: 2000 });
    expect((e.high - e.low) / 2, `seed=${seed}`).toBeGreaterThan(0.0196 * 0.9);
    expect((e.high - e.low) / 2, `seed=${seed}`).toBeLessThan(0.0196 * 1.1);
  });

  it('rejects bad input', () => {
    expect(() => bootstrapMean([], { seed: 1 })).toThrow(/no values/);
    expect(() => bootstrapMean([1, NaN], { seed: 1 })).toThrow(/value 1 is NaN, not finite/);
    expect(() => bootstrapMean([1], { seed: 1, level: 1 })).toThrow(/level must lie in \(0, 1\), got 1/);
    expect(() => bootstrapMean([1], { seed: 1, resamples: 0 })).toThrow(/resamples must be a positive integer, got 0/);
  });
});
