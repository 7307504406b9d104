import { describe, expect, it } from 'vitest';
import { analyzeUnits, checkUnitsOptions, decidedColumns, pixelSpace } from '../../src/analysis/units.ts';
import { similaritySpace } from '../../src/analysis/coherence.ts';
import { randomDirections } from '../../src/analysis/directions.ts';
import { topImagesByLayer, type TopImages } from '../../src/analysis/topImages.ts';
import { layerActivations } from '../../src/analysis/activations.ts';
import type { LabelledImages } from '../../src/data/idx.ts';
import { Model } from '../../src/nn/model.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';
import { topkReference } from '../reference/topk.ts';

const getEngine = useTestEngine();
const PIXELS = 784;
const HIDDEN = 100;

/** Pixel read by unit u of the crafted first layer: 5 units per class region, then blank pixels. */
const unitPixel = (u: number): number => (u < 50 ? 20 * (u % 10) + Math.floor(u / 10) : 600 + u);

/** FC100-100-10 whose first layer is a pixel selector: unit u = sigmoid(x[unitPixel(u)]). */
function selectorModel(seed: number): Model {
  const engine = getEngine();
  const model = Model.create(engine, modelSpec('FC100-100-10'), seed);
  const weight = new Float32Array(PIXELS * HIDDEN);
  for (let u = 0; u < HIDDEN; u++) weight[unitPixel(u) * HIDDEN + u] = 1;
  model.parameters.get('layer0.weight')!.dispose();
  model.parameters.get('layer0.bias')!.dispose();
  model.parameters.set('layer0.weight', tensor(engine, weight, [PIXELS, HIDDEN]));
  model.parameters.set('layer0.bias', tensor(engine, new Float32Array(HIDDEN), [HIDDEN]));
  return model;
}

/**
 * `perClass` images of each of 10 classes: class c lights pixels 20c … 20c+19 with distinct values
 * j/1000 (so every unit's order is strict and sigmoid keeps it), everything else 0.
 */
function classImages(perClass: number, random: () => number): LabelledImages {
  const count = 10 * perClass;
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  const levels = Array.from({ length: count }, (_, i) => (i + 1) / 1000);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [levels[i], levels[j]] = [levels[j], levels[i]];
  }
  for (let i = 0; i < count; i++) {
    labels[i] = Math.floor(random() * 10);
    for (let p = 0; p < 20; p++) images[i * PIXELS + 20 * labels[i] + p] = levels[(i + p * 7) % count] + 0.4;
  }
  return { images, labels, count };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * A top-k answer agrees with float64 projections `reference` ([images, columns]) when every picked value
 * matches the reference at its image and is not beaten by more than f32 rounding (near-ties may swap).
 */
function expectTopImagesMatch(top: TopImages, reference: Float64Array, images: number, tolerance: number, context: string) {
  const exact = topkReference(reference, images, top.count, top.k);
  for (let c = 0; c < top.count; c++) {
    let floor = Infinity;
    for (let i = 0; i < images; i++) floor = Math.min(floor, reference[i * top.count + c]);
    expect(Math.abs(top.floor[c] - floor), `${context}: floor of column ${c}`).toBeLessThan(tolerance);
    const picked = new Set<number>();
    for (let s = 0; s < top.k; s++) {
      const image = top.indices[c * top.k + s];
      picked.add(image);
      const value = reference[image * top.count + c];
      expect(Math.abs(top.values[c * top.k + s] - value), `${context}: column ${c} rank ${s}`).toBeLessThan(tolerance);
      expect(value, `${context}: column ${c} rank ${s}`).toBeGreaterThan(exact.values[(top.k - 1) * top.count + c] - tolerance);
    }
    expect(picked.size, `${context}: column ${c} picks distinct images`).toBe(top.k);
  }
}

describe('topImagesByLayer', () => {
  it('units and directions of a crafted layer: the known top-k, streamed in uneven batches', async () => {
    const seed = testSeed();
    const random = rng(seed);
    const model = selectorModel(seed);
    const data = classImages(12, random);
    const count = 7;
    const directions = randomDirections(HIDDEN, count, seed);
    const engine = getEngine();
    const live = contextOf(engine).live;
    const [top] = await topImagesByLayer(model, data.images, [{ layer: 0, directions, count }], { k: 9, batch: 37 });
    expect(contextOf(engine).live, 'no tensor left behind').toBe(live);
    // Units: sigmoid is monotone and the pixel values distinct, so the top-9 of unit u are exactly the
    // 9 images with the largest pixel unitPixel(u), ties (the blank units' zeros) to the lower index.
    const pixelsOfUnits = new Float64Array(data.count * HIDDEN);
    for (let i = 0; i < data.count; i++) for (let u = 0; u < HIDDEN; u++) pixelsOfUnits[i * HIDDEN + u] = data.images[i * PIXELS + unitPixel(u)];
    const expected = topkReference(pixelsOfUnits, data.count, HIDDEN, 9);
    const byUnit = Array.from({ length: HIDDEN * 9 }, (_, j) => expected.indices[(j % 9) * HIDDEN + Math.floor(j / 9)]);
    expect([...top.units.indices], `seed=${seed}`).toEqual(byUnit);
    expect(top.shape).toEqual([HIDDEN]);
    // Directions: against float64 projections of the float64 activations.
    const projections = new Float64Array(data.count * count);
    for (let i = 0; i < data.count; i++) {
      for (let c = 0; c < count; c++) {
        for (let u = 0; u < HIDDEN; u++) projections[i * count + c] += sigmoid(pixelsOfUnits[i * HIDDEN + u]) * directions[u * count + c];
      }
    }
    expectTopImagesMatch(top.directions, projections, data.count, 1e-5, `seed=${seed}`);
    model.dispose();
  });

  it('flattens conv and pool outputs channel-major: a convnet layer against its own read-back outputs', async () => {
    const seed = testSeed();
    const random = rng(seed);
    const model = Model.create(getEngine(), modelSpec('convnet'), seed);
    const images = Float32Array.from({ length: 50 * PIXELS }, () => random());
    const [top] = await topImagesByLayer(model, images, [{ layer: 1, directions: new Float32Array(0), count: 0 }], { k: 4, batch: 16 });
    // Layer 1 is the first max-pool, [16, 12, 12] per image; layerActivations reads whole NCHW outputs.
    expect(top.shape).toEqual([16, 12, 12]);
    const reference = Float64Array.from(await layerActivations(model, images, 1, 50));
    expectTopImagesMatch(top.units, reference, 50, 1e-5, `seed=${seed}`);
    expect(top.directions.count).toBe(0);
    model.dispose();
  });

  it('rejects bad probes and sizes before any GPU work', async () => {
    const model = selectorModel(1);
    const images = new Float32Array(10 * PIXELS);
    const dispatched = getEngine().dispatches;
    const probe = { layer: 0, directions: new Float32Array(0), count: 0 };
    await expect(topImagesByLayer(model, images, [{ ...probe, layer: 3 }], { k: 2 })).rejects.toThrow(/FC100-100-10 has layers 0–2, not 3/);
    await expect(topImagesByLayer(model, images, [{ ...probe, count: 2 }], { k: 2 })).rejects.toThrow(/layer 0 has 100 units, so 2 directions need 200 values, got 0/);
    await expect(topImagesByLayer(model, images, [probe], { k: 11 })).rejects.toThrow(/k = 11 exceeds the 10 images/);
    await expect(topImagesByLayer(model, images, [probe], { k: 4, batch: 3 })).rejects.toThrow(/batch must be an integer of at least k = 4, got 3/);
    await expect(topImagesByLayer(model, new Float32Array(5), [probe], { k: 1 })).rejects.toThrow(/non-empty stack of 784-pixel images, got 5 values/);
    expect(getEngine().dispatches).toBe(dispatched);
    model.dispose();
  });
});

describe('analyzeUnits', () => {
  it('known answers: pixel-selector units are pure, blank ones undecided; directions and random sets less so', async () => {
    const seed = testSeed();
    const model = selectorModel(seed);
    const data = classImages(20, rng(seed));
    const pixels = pixelSpace(data);
    const result = await analyzeUnits(model, data, { pixels, judge: pixels }, { layers: [0], k: 5, directions: 40, randomSets: 300, seed, batch: 64, resamples: 200 });
    const [layer] = result.summary.layers;
    const context = `seed=${seed}`;
    expect(layer).toMatchObject({ layer: 0, description: 'dense 100 sigmoid', shape: [100], units: 100, unit: 'one neuron' });
    // Units 50–99 read blank pixels: constant, so their top-5 is the first five images by index.
    expect(layer.undecidedUnits, context).toBe(50);
    expect(layer.undecidedDirections, context).toBe(0);
    // Units 0–49 light only for their class: all top-5 images share it.
    const units = layer.kinds.units;
    expect(units.count).toBe(50);
    expect(units.estimates.purity).toEqual({ mean: 1, low: 1, high: 1 });
    expect(units.curves.purity).toEqual([1, 1, 1, 1]);
    expect(layer.kinds.randomDirections.count).toBe(40);
    // Random sets of 5 among 10 balanced-ish classes: purity far below 1, similarity about 0.
    const sets = layer.kinds.randomSets;
    expect(sets.count).toBe(300);
    expect(sets.estimates.purity!.mean, context).toBeLessThan(0.6);
    expect(Math.abs(sets.estimates.pixelSimilarity!.mean), context).toBeLessThan(0.1);
    expect(units.estimates.pixelSimilarity!.mean, context).toBeGreaterThan(sets.estimates.pixelSimilarity!.high);
    expect(layer.tests.purity!.effect, context).toBeGreaterThanOrEqual(0.5);
    expect(layer.tests.purity).toMatchObject({ n1: 50, n2: 40 });
    expect(result.summary).toMatchObject({ model: 'FC100-100-10', images: 200, k: 5, pixelSpace: 'pixels', judgeSpace: 'pixels' });
    // The figures' raw material: top images of units and directions, the random sets.
    expect(decidedColumns(result.top[0].units, 'units')).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(result.randomSets.length).toBe(300 * 5);
    model.dispose();
  });

  it('rejects bad options before any GPU work', async () => {
    const model = selectorModel(1);
    const data = classImages(1, rng(1));
    const pixels = pixelSpace(data);
    const spaces = { pixels, judge: pixels };
    const dispatched = getEngine().dispatches;
    await expect(analyzeUnits(model, data, spaces, { layers: [5] })).rejects.toThrow(/FC100-100-10 has layers 0–2, not 5/);
    await expect(analyzeUnits(model, data, spaces, { layers: [0, 0] })).rejects.toThrow(/layers must be distinct/);
    await expect(analyzeUnits(model, data, spaces, { k: 1 })).rejects.toThrow(/k must be an integer in \[2, 16\], got 1/);
    await expect(analyzeUnits(model, data, spaces, { k: 16 })).rejects.toThrow(/k = 16 exceeds the 10 images/);
    await expect(analyzeUnits(model, data, spaces, { directions: 0 })).rejects.toThrow(/directions must be a positive integer, got 0/);
    await expect(analyzeUnits(model, data, spaces, { k: 5, batch: 4 })).rejects.toThrow(/batch must be an integer of at least k = 5, got 4/);
    expect(() => checkUnitsOptions(modelSpec('convnet'), { layers: [6] })).toThrow(/convnet has layers 0–5, not 6/);
    expect(checkUnitsOptions(modelSpec('convnet'), {})).toEqual([0, 1, 2, 3, 4]);
    expect(checkUnitsOptions(modelSpec('AE400-10'), {})).toEqual([0]);
    const other = similaritySpace('other', new Float32Array(3 * 2), 3, 2);
    await expect(analyzeUnits(model, data, { pixels, judge: other })).rejects.toThrow(/similarity space other has 3 rows for 10 images/);
    expect(getEngine().dispatches).toBe(dispatched);
    model.dispose();
  });
});
