import { describe, expect, it } from 'vitest';
import { activationConstant, layerGeometries } from '../../src/analysis/layerOperators.ts';
import { spectralBounds } from '../../src/analysis/layerBounds.ts';
import { gaussianPartners, measuredRatios } from '../../src/analysis/pairRatios.ts';
import { boundViolations } from '../../src/analysis/spectral.ts';
import { ZOO } from '../../src/nn/zoo.ts';
import { Model } from '../../src/nn/model.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';
import { gaussian, singularValues } from '../reference/linalg.ts';
import { dense, randomModel, SMALL_SPECS, testSpec } from './smallModels.ts';

const getEngine = useTestEngine();

/** `count` random pairs: x uniform in [0, 1]ⁿ, x′ = x + a Gaussian step of a random scale from 1e-3 to 3. */
function randomPairs(n: number, count: number, random: () => number): { a: Float32Array; b: Float32Array } {
  const a = Float32Array.from({ length: n * count }, () => random());
  const b = Float32Array.from(a, (v, i) => v + gaussian(random) * 10 ** (-3 + 3.5 * (Math.floor(i / n) / count)));
  return { a, b };
}

/** The top left singular vector of W [rows, cols] (the input direction x·W stretches most), by float64 power iteration. */
function topInputDirection(w: Float32Array, rows: number, cols: number): Float64Array {
  let v = Float64Array.from({ length: rows }, (_, i) => 1 + i / rows);
  for (let it = 0; it < 5000; it++) {
    const u = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) u[c] += v[r] * w[r * cols + c];
    const next = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) next[r] += w[r * cols + c] * u[c];
    const norm = Math.hypot(...next);
    v = next.map((x) => x / norm);
  }
  return v;
}

describe('layer geometry', () => {
  it('walks the shapes that layerOutputs produces, for the zoo and the small test models', async () => {
    const engine = getEngine();
    for (const spec of [...ZOO, ...SMALL_SPECS]) {
      const model = Model.create(engine, spec, 1);
      const pixels = spec.inputShape.reduce((p, d) => p * d, 1);
      const images = tensor(engine, new Float32Array(2 * pixels), [2, pixels]);
      const outputs = model.layerOutputs(images);
      const geometries = layerGeometries(spec);
      expect(geometries.map((g) => [2, ...g.outputShape]), spec.name).toEqual(outputs.map((o) => [...o.shape]));
      expect(geometries[0].inputShape).toEqual(spec.inputShape);
      for (const t of [...outputs, images]) t.dispose();
      model.dispose();
    }
    expect(() => layerGeometries(testSpec('bad', [5], [dense(6, 2, 'none')]))).toThrow(/expects 6 inputs/);
    expect(() => layerGeometries(testSpec('bad', [5], [{ kind: 'maxpool', size: 2 }]))).toThrow(/\[C, H, W\]/);
  });

  it('knows each activation\'s Lipschitz constant', () => {
    expect([activationConstant('sigmoid'), activationConstant('relu'), activationConstant('tanh'), activationConstant('none')]).toEqual([0.25, 1, 1, 1]);
  });
});

describe('every bound holds against measured ratios', () => {
  it('on random pairs and Gaussian pairs, for random small models of every layer kind', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    for (const spec of SMALL_SPECS) {
      const context = `seed=${seed} ${spec.name}`;
      const model = randomModel(engine, spec, seed, random);
      const bounds = await spectralBounds(model, { power: { seed } });
      const pixels = spec.inputShape.reduce((p, d) => p * d, 1);
      const count = 80;
      const { a, b } = randomPairs(pixels, count, random);
      const liveBefore = contextOf(engine).live;
      for (const ratios of [await measuredRatios(model, a, b), await measuredRatios(model, a, gaussianPartners(a, b, count, seed))]) {
        expect(boundViolations(bounds, ratios, 'random'), context).toEqual([]);
        ratios.layers.forEach((r, k) => {
          expect(r.pairs + r.skipped, `${context} layer ${k}`).toBe(count);
          expect(r.max, `${context} layer ${k}`).toBeLessThanOrEqual(bounds.layers[k].bound * (1 + 1e-4));
          expect(r.median).toBeLessThanOrEqual(r.max);
        });
        expect(ratios.network.max, context).toBeLessThanOrEqual(bounds.product * (1 + 1e-4));
      }
      expect(contextOf(engine).live, `${context}: no tensor left behind`).toBe(liveBefore);
      // The product of the layer bounds, and each layer's pieces.
      expect(bounds.product).toBeCloseTo(bounds.layers.reduce((p, l) => p * l.bound, 1), 10);
      for (const l of bounds.layers) {
        if (l.kind === 'maxpool') expect(l.bound).toBe(1);
        else expect(l.bound).toBeCloseTo(l.linearBound! * l.activationConstant, 12);
        if (l.kind === 'conv') {
          expect(l.dft!.value, `${context} layer ${l.index}: DFT ≥ estimate`).toBeGreaterThanOrEqual(l.power!.estimate * (1 - 1e-5));
          expect(l.linearBound).toBe(Math.min(l.dft!.value, l.power!.upperBound));
        }
      }
      expect(bounds.failureProbability).toBeCloseTo(bounds.layers.filter((l) => l.power).length * 1e-6, 15);
      model.dispose();
    }
  });

  it('is reached by pairs along the worst direction: dense layers of every activation, and max-pooling', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    // At pre-activation 0 (x = 0, bias 0) the sigmoid's slope is ¼ and tanh's 1; a bias of 5 keeps ReLU on.
    for (const [activation, bias] of [['none', 0], ['sigmoid', 0], ['tanh', 0], ['relu', 5]] as const) {
      const spec = testSpec(`dense ${activation}`, [9], [dense(9, 6, activation)]);
      const model = randomModel(engine, spec, seed, random, 0);
      model.parameters.get('layer0.bias')!.dispose();
      model.parameters.set('layer0.bias', tensor(engine, new Float32Array(6).fill(bias), [6]));
      const w = await model.parameters.get('layer0.weight')!.data();
      const bounds = await spectralBounds(model, { power: { seed } });
      const sigma = singularValues(w, 9, 6)[0];
      const step = 0.02;
      const direction = topInputDirection(w, 9, 6);
      const ratios = await measuredRatios(model, new Float32Array(9), Float32Array.from(direction, (v) => v * step));
      const context = `seed=${seed} ${activation}: ratio ${ratios.layers[0].max}, bound ${bounds.layers[0].bound}, σ₁ ${sigma}`;
      expect(ratios.layers[0].max, context).toBeLessThanOrEqual(bounds.layers[0].bound);
      // Curvature over the step (sigmoid and tanh: relative (σ₁·step)²/12 and /3) and the 1% certificate margin.
      expect(ratios.layers[0].max, context).toBeGreaterThan(bounds.layers[0].bound * 0.985);
      model.dispose();
    }
    const pool = Model.create(engine, testSpec('max-pool', [1, 4, 4], [{ kind: 'maxpool', size: 2 }]), 1);
    const x = Float32Array.from({ length: 16 }, () => random());
    const windowMax = [0, 1, 4, 5].reduce((best, i) => (x[i] > x[best] ? i : best), 0);
    const y = Float32Array.from(x, (v, i) => (i === windowMax ? v + 0.3 : v));
    const poolBounds = await spectralBounds(pool);
    expect((await measuredRatios(pool, x, y)).layers[0].max).toBeCloseTo(poolBounds.layers[0].bound, 5);
    pool.dispose();
  });

  it('reports a ratio above a bound as a violation, and skips pairs with no difference', async () => {
    const engine = getEngine();
    const model = randomModel(engine, SMALL_SPECS[0], 3, rng(3));
    const bounds = await spectralBounds(model, { power: { passes: 2 } });
    const same = new Float32Array(12).fill(0.5);
    const ratios = await measuredRatios(model, same, same);
    expect(ratios.network.skipped).toBe(1);
    expect(ratios.network.pairs).toBe(0);
    const shrunk = { ...bounds, layers: bounds.layers.map((l) => ({ ...l, bound: l.bound / 1e6 })), product: bounds.product / 1e18 };
    const moved = Float32Array.from(same, (v, i) => v + (i === 0 ? 0.1 : 0));
    expect(boundViolations(shrunk, await measuredRatios(model, same, moved), 'test')).toHaveLength(4);
    await expect(measuredRatios(model, same, new Float32Array(11))).rejects.toThrow(/12-pixel/);
    await expect(measuredRatios(model, same, Float32Array.from(same, () => NaN))).rejects.toThrow(/non-finite/);
    model.dispose();
  });
});
