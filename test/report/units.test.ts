import { describe, expect, it } from 'vitest';
import type { Estimate } from '../../src/analysis/bootstrap.ts';
import type { KindSummary } from '../../src/analysis/coherenceScores.ts';
import type { MannWhitneyResult } from '../../src/analysis/mannWhitney.ts';
import type { LayerTopImages } from '../../src/analysis/topImages.ts';
import type { UnitsLayerSummary, UnitsSummary } from '../../src/analysis/units.ts';
import { renderUnitsSection, verdict, type UnitsResults } from '../../src/report/units.ts';
import { unitsFigure } from '../../src/report/unitsFigure.ts';

const at = (mean: number, spread = 0.02): Estimate => ({ mean, low: mean - spread, high: mean + spread });

function kind(count: number, purity: number, curve: number[]): KindSummary {
  return {
    count,
    estimates: { purity: at(purity), pixelSimilarity: at(purity / 2), featureSimilarity: at(purity / 3) },
    curves: { purity: curve, pixelSimilarity: curve.map((v) => v / 2), featureSimilarity: curve.map((v) => v / 3) },
  };
}

const test = (p: number, effect: number): MannWhitneyResult => ({ u: 0, n1: 10, n2: 10, z: 0, p, effect });

/** A layer whose three tests have the given p-values and effect sizes. */
function layer(index: number, tests: [number, number][]): UnitsLayerSummary {
  const [purity, pixelSimilarity, featureSimilarity] = tests.map(([p, effect]) => test(p, effect));
  return {
    layer: index,
    description: `dense 100 sigmoid`,
    shape: [100],
    units: 100,
    unit: 'one neuron',
    undecidedUnits: index,
    undecidedDirections: 0,
    kinds: { units: kind(100 - index, 0.7, [0.9, 0.8, 0.7]), randomDirections: kind(100, 0.6, [0.85, 0.7, 0.6]), randomSets: kind(1000, 0.3, [0.55, 0.4, 0.3]) },
    tests: { purity, pixelSimilarity, featureSimilarity },
  };
}

function summary(model: string, layers: UnitsLayerSummary[]): UnitsSummary {
  return { model, images: 10000, k: 4, seed: 1, pixelSpace: 'pixels', judgeSpace: 'convnet layer 4 (dense 100 relu)', layers };
}

describe('verdict', () => {
  it('sides with units or directions only below the level, by the effect size', () => {
    const l = layer(0, [[0.001, 0.8], [0.001, 0.2], [0.2, 0.9]]);
    expect(verdict(l, 'purity', 0.01)).toBe('units');
    expect(verdict(l, 'pixelSimilarity', 0.01)).toBe('directions');
    expect(verdict(l, 'featureSimilarity', 0.01)).toBe('neither');
    expect(verdict(l, 'purity', 0.0005)).toBe('neither');
    expect(verdict({ ...l, tests: { ...l.tests, purity: null } }, 'purity', 0.01)).toBe('neither');
  });
});

describe('renderUnitsSection', () => {
  // Six tests over two layers: each is held to 0.05/6 ≈ 0.0083.
  const results: UnitsResults = {
    summaries: [
      summary('FC100-100-10', [
        layer(0, [[0.001, 0.8], [1e-9, 0.9], [0.005, 0.7]]),
        layer(1, [[0.5, 0.5], [0.01, 0.3], [0.9, 0.5]]),
      ]),
    ],
    figures: [{ model: 'FC100-100-10', layer: 0, file: 'units-FC100-100-10-layer0.png' }],
    settings: { images: 10000, k: 4, directions: 512, randomSets: 1000, seed: 1, resamples: 2000 },
    seconds: 12.3,
  };
  const text = renderUnitsSection(results);

  it('states the finding from the corrected tests', () => {
    expect(text).toContain('2 layers, 6 tests of units against random directions, each at α = 0.05/6 (Bonferroni)');
    expect(text).toContain('- units more coherent than random directions on all three statistics: FC100-100-10 layer 0;');
    // Layer 1's p = 0.01 is not below 0.0083: no difference anywhere.
    expect(text).toContain('- random directions more coherent on some statistic: none;');
    expect(text).toContain('- no significant difference on any statistic: FC100-100-10 layer 1.');
    expect(text).toContain('agrees where no test finds a difference (1 of 2 layers) and disagrees where units are more coherent (1 layer)');
    expect(text).toContain('In 2 of 2 layers both units and random directions select images purer in label than random image sets');
  });

  it('tabulates every kind with its interval, count and test, the curves and the figures', () => {
    expect(text).toContain('| 0: dense 100 sigmoid | units | 100 | 0.700 [0.680, 0.720] | 0.350 [0.330, 0.370] | 0.233 [0.213, 0.253] |');
    expect(text).toContain('|  | random image sets | 1000 | 0.300 [0.280, 0.320] |');
    expect(text).toContain('| 1: dense 100 sigmoid | units | 99 (+1 undecided) |');
    expect(text).toContain('|  | units vs directions: p (A) |  | 0.001 (A 0.80) | 1.0e-9 (A 0.90) | 0.005 (A 0.70) |');
    expect(text).toContain('| layer | top-m of | label purity, m = 2, 3, 4 |');
    expect(text).toContain('| 0: dense 100 sigmoid | units | 0.90 → 0.80 → 0.70 | 0.45 → 0.40 → 0.35 |');
    expect(text).toContain('![FC100-100-10 layer 0](units-FC100-100-10-layer0.png)');
    expect(text).toContain('Similarity judged in convnet layer 4 (dense 100 relu).');
    expect(text.startsWith('## Property 1 — are units special?')).toBe(true);
  });

  it('names random directions when they win, and prints tiny p-values', () => {
    const flipped = renderUnitsSection({ ...results, summaries: [summary('convnet', [layer(2, [[0, 0.1], [0.5, 0.5], [0.5, 0.5]])])] });
    expect(flipped).toContain('- random directions more coherent on some statistic: convnet layer 2;');
    expect(flipped).toContain('disagrees where random directions are more coherent (1 layer)');
    expect(flipped).toContain('< 1e-300 (A 0.10)');
  });
});

describe('unitsFigure', () => {
  // 6 images: image i is filled with i/10 and labelled i % 3.
  const images = {
    images: Float32Array.from({ length: 6 * 784 }, (_, j) => Math.floor(j / 784) / 10),
    labels: Int32Array.from({ length: 6 }, (_, i) => i % 3),
    count: 6,
  };
  // A conv-shaped layer [2, 1, 2] of 4 units, k = 2. Unit 1 is undecided (its 2nd value is its floor).
  const top: LayerTopImages = {
    layer: 0,
    shape: [2, 1, 2],
    units: {
      k: 2,
      count: 4,
      indices: Int32Array.from([0, 1, 2, 3, 4, 5, 1, 0]),
      values: Float32Array.from([5, 4, 1, 0, 3, 2, 9, 8]),
      floor: Float32Array.from([0, 0, 0, 0]),
    },
    directions: { k: 2, count: 1, indices: Int32Array.from([5, 3]), values: Float32Array.from([2, 1]), floor: Float32Array.from([-1]) },
  };

  it('draws decided units, then directions, then random sets, titled and captioned', () => {
    const spec = unitsFigure(top, Int32Array.from([2, 4, 0, 1]), images, { seed: 3, rows: 5, setRows: 1 });
    expect(spec.rowTitles).toEqual(['unit 0,0,0', 'unit 1,0,0', 'unit 1,0,1', 'random dir 0', 'random set 0']);
    expect(spec.columnTitles).toEqual(['1', '2']);
    const tiles = spec.rows.map((row) => row.map((t) => [t!.pixels[0], t!.caption]));
    expect(tiles).toEqual([
      [[0, '0'], [0.1, '1']],
      [[0.4, '1'], [0.5, '2']],
      [[0.1, '1'], [0, '0']],
      [[0.5, '2'], [0.3, '0']],
      [[0.2, '2'], [0.4, '1']],
    ].map((row) => row.map(([v, c]) => [Math.fround(v as number), c])));
  });

  it('draws a seeded sample when there are more decided units than rows', () => {
    const a = unitsFigure(top, new Int32Array(0), images, { seed: 3, rows: 2, setRows: 0 });
    expect(a.rowTitles!.slice(0, 2).every((t) => ['unit 0,0,0', 'unit 1,0,0', 'unit 1,0,1'].includes(t))).toBe(true);
    expect(unitsFigure(top, new Int32Array(0), images, { seed: 3, rows: 2, setRows: 0 }).rowTitles).toEqual(a.rowTitles);
    expect(a.rows).toHaveLength(3);
  });
});
