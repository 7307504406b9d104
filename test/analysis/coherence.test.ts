import { describe, expect, it } from 'vitest';
import { coherenceCurves, labelPurity, similaritySpace } from '../../src/analysis/coherence.ts';
import { scoreImageSets, summarizeScores } from '../../src/analysis/coherenceScores.ts';
import { randomDirections, randomSubsets } from '../../src/analysis/directions.ts';
import { rng, testSeed } from '../helpers/random.ts';

describe('labelPurity', () => {
  it('is the share of the most common label', () => {
    expect(labelPurity([3, 3, 3])).toBe(1);
    expect(labelPurity([1, 2, 3, 1])).toBe(0.5);
    expect(labelPurity([0, 1, 2, 3, 4, 5, 6, 7, 8])).toBeCloseTo(1 / 9, 15);
    expect(labelPurity([7, 2, 7, 2, 2])).toBe(0.6);
    expect(() => labelPurity([])).toThrow(/no labels/);
  });
});

describe('similaritySpace', () => {
  it('centres rows on the mean row and scales them to unit length', () => {
    // Rows (2,0), (0,2), (1,1)+(1,−1)·3 = (4,−2), mean (2,0): centred (0,0), (−2,2), (2,−2).
    const space = similaritySpace('toy', [2, 0, 0, 2, 4, -2], 3, 2);
    expect([...space.vectors]).toEqual([0, 0, -Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, -Math.SQRT1_2].map((v) => Math.fround(v)));
    expect(space).toMatchObject({ name: 'toy', count: 3, dimension: 2 });
  });

  it('rejects mismatched sizes and non-finite rows', () => {
    expect(() => similaritySpace('x', [1, 2, 3], 2, 2)).toThrow(/2×2 rows need 4 values, got 3/);
    expect(() => similaritySpace('x', [1, NaN, 3, 4], 2, 2)).toThrow(/row 0 of x holds a non-finite value/);
    expect(() => similaritySpace('x', [], 0, 2)).toThrow(/positive integers/);
  });
});

describe('coherenceCurves', () => {
  // Four images at the compass points (mean 0): opposite ones have similarity −1, neighbours 0.
  const space = similaritySpace('compass', [1, 0, -1, 0, 0, 1, 0, -1], 4, 2);
  const labels = [5, 5, 7, 7];

  it('gives purity and mean pairwise similarity of the top-m images for m = 2 … k', () => {
    // Order east, north, west: m = 2 pairs {E,N} → 0; m = 3 adds {E,W} = −1 and {N,W} = 0 → −1/3.
    const curves = coherenceCurves([0, 2, 1], labels, [space, space]);
    expect([...curves.purity]).toEqual([0.5, 2 / 3]);
    for (const curve of curves.similarity) {
      expect(curve[0]).toBeCloseTo(0, 7);
      expect(curve[1]).toBeCloseTo(-1 / 3, 7);
    }
    const same = coherenceCurves([0, 0, 1], labels, [space]);
    expect([...same.purity]).toEqual([1, 1]);
    expect(same.similarity[0][0]).toBeCloseTo(1, 7);
    expect(same.similarity[0][1]).toBeCloseTo(-1 / 3, 7);
  });

  it('rejects fewer than two images, indices outside the set and spaces of another size', () => {
    expect(() => coherenceCurves([0], labels, [space])).toThrow(/need at least 2 images, got 1/);
    expect(() => coherenceCurves([0, 4], labels, [space])).toThrow(/image index 4 is outside the 4 labelled images/);
    expect(() => coherenceCurves([0, 1], [1, 2, 3], [space])).toThrow(/space compass has 4 rows for 3 images/);
  });
});

describe('scoreImageSets and summarizeScores', () => {
  it('score chosen rows and summarize them: statistic at k, mean curves, intervals', () => {
    const space = similaritySpace('compass', [1, 0, -1, 0, 0, 1, 0, -1], 4, 2);
    const sets = Int32Array.from([0, 1, 2, /* row 1 */ 2, 3, 0, /* row 2 */ 0, 0, 1]);
    const scores = scoreImageSets(sets, 3, [2, 0], [5, 5, 7, 7], { pixels: space, judge: space });
    // Row 2 (E, E, W): purity 1 then 1; similarity 1 then (1 − 1 − 1)/3. Row 0 (E, W, N): purity 1, 2/3;
    // similarity −1 then (−1 + 0 + 0)/3.
    expect([...scores.purity.atK]).toEqual([1, 2 / 3]);
    expect([...scores.purity.curves]).toEqual([1, 1, 1, 2 / 3]);
    const expectedSimilarity = [1, -1 / 3, -1, -1 / 3];
    [...scores.pixelSimilarity.curves].forEach((v, i) => expect(v).toBeCloseTo(expectedSimilarity[i], 7));
    expect(scores.featureSimilarity.atK[1]).toBeCloseTo(-1 / 3, 7);
    const summary = summarizeScores(scores, 3, 1, 'toy', 200);
    expect(summary.count).toBe(2);
    expect(summary.estimates.purity!.mean).toBeCloseTo(5 / 6, 14);
    expect(summary.curves.purity[0]).toBe(1);
    expect(summary.curves.purity[1]).toBeCloseTo(5 / 6, 14);
    expect(summary.curves.pixelSimilarity[0]).toBeCloseTo(0, 7);
    expect(summarizeScores(scoreImageSets(sets, 3, [], [5, 5, 7, 7], { pixels: space, judge: space }), 3, 1, 'none', 10)).toEqual({
      count: 0,
      estimates: { purity: null, pixelSimilarity: null, featureSimilarity: null },
      curves: { purity: [], pixelSimilarity: [], featureSimilarity: [] },
    });
  });
});

describe('randomDirections', () => {
  it('gives unit-length columns, replayed by their seed', () => {
    const d = randomDirections(50, 7, 11);
    for (let c = 0; c < 7; c++) {
      let norm = 0;
      for (let r = 0; r < 50; r++) norm += d[r * 7 + c] ** 2;
      expect(norm).toBeCloseTo(1, 6);
    }
    expect(randomDirections(50, 7, 11)).toEqual(d);
    expect(randomDirections(50, 7, 12)).not.toEqual(d);
    expect(() => randomDirections(0, 1, 1)).toThrow(/dimension must be a positive integer, got 0/);
  });

  it('is isotropic: coordinates average 0 and their squares 1/dimension', () => {
    const seed = testSeed();
    const [dimension, count] = [3, 20000];
    const d = randomDirections(dimension, count, seed);
    for (let r = 0; r < dimension; r++) {
      let sum = 0;
      let squares = 0;
      for (let c = 0; c < count; c++) {
        sum += d[r * count + c];
        squares += d[r * count + c] ** 2;
      }
      // sd of the mean: √(1/3/20000) = 0.004; of the mean square: √(4/45/20000) = 0.0021.
      expect(Math.abs(sum / count), `seed=${seed}`).toBeLessThan(0.02);
      expect(Math.abs(squares / count - 1 / 3), `seed=${seed}`).toBeLessThan(0.01);
    }
  });
});

describe('randomSubsets', () => {
  it('draws distinct images per set, every image equally often', () => {
    const seed = testSeed();
    const [images, sets, size] = [20, 20000, 5];
    const drawn = randomSubsets(images, sets, size, seed);
    const counts = new Array(images).fill(0);
    for (let s = 0; s < sets; s++) {
      const set = drawn.subarray(s * size, (s + 1) * size);
      expect(new Set(set).size).toBe(size);
      for (const i of set) counts[i]++;
    }
    // Each image is in a set with probability 1/4: 5000 expected, sd √(20000·3/16) ≈ 61.
    for (const c of counts) expect(Math.abs(c - 5000), `seed=${seed}`).toBeLessThan(350);
    expect([...randomSubsets(6, 1, 6, rng(seed)() * 1e9)].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => randomSubsets(4, 1, 5, 1)).toThrow(/set size must be an integer in \[1, 4\], got 5/);
  });
});
