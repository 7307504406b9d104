import { describe, expect, it } from 'vitest';
import { certifiedBracket } from '../../src/analysis/certifiedRadius.ts';
import { spectralBounds } from '../../src/analysis/layerBounds.ts';
import { spectralAnalysis } from '../../src/analysis/spectral.ts';
import type { Model } from '../../src/nn/model.ts';
import { tidy } from '../../src/tensor/context.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';
import { gaussian } from '../reference/linalg.ts';
import { dense, randomModel, SMALL_SPECS, testSpec } from './smallModels.ts';

const getEngine = useTestEngine();

async function logitsOf(model: Model, images: Float32Array, count: number): Promise<Float32Array> {
  const out = tidy(model.engine, () => model.logits(tensor(model.engine, images, [count, images.length / count])));
  const values = await out.data();
  out.dispose();
  return values;
}

const argmax = (z: ArrayLike<number>): number => Array.prototype.indexOf.call(z, Math.max(...Array.from(z)));

/** The predicted class of each of `count` images. */
async function predicted(model: Model, images: Float32Array, count: number): Promise<number[]> {
  const logits = await logitsOf(model, images, count);
  const classes = logits.length / count;
  return Array.from({ length: count }, (_, i) => argmax(logits.subarray(i * classes, (i + 1) * classes)));
}

/**
 * Label-changing perturbations found by scanning rays from each image: along `directions` random unit
 * directions, the first of 70 geometric steps (1e-3 … 1e4: far enough to saturate every sigmoid) at which the predicted class changes. Returns,
 * per image, the shortest such step found with the class it reached (∞ if none).
 */
async function rayScan(model: Model, images: Float32Array, count: number, random: () => number, directions = 32): Promise<{ distance: number; reached: number; point: Float32Array }[]> {
  const n = images.length / count;
  const steps = Array.from({ length: 70 }, (_, k) => 1e-3 * 1e7 ** (k / 69));
  const found = [];
  const labels = await predicted(model, images, count);
  for (let i = 0; i < count; i++) {
    const x = images.subarray(i * n, (i + 1) * n);
    const points = new Float32Array(directions * steps.length * n);
    const dirs = Array.from({ length: directions }, () => {
      const g = Array.from({ length: n }, () => gaussian(random));
      const norm = Math.hypot(...g);
      return g.map((v) => v / norm);
    });
    dirs.forEach((d, a) => steps.forEach((s, k) => { for (let j = 0; j < n; j++) points[(a * steps.length + k) * n + j] = x[j] + s * d[j]; }));
    const reached = await predicted(model, points, directions * steps.length);
    let best = { distance: Infinity, reached: -1, point: new Float32Array(n) };
    for (let a = 0; a < directions; a++) {
      for (let k = 0; k < steps.length; k++) {
        const row = a * steps.length + k;
        const label = reached[row];
        if (label === labels[i]) continue;
        if (steps[k] < best.distance) best = { distance: steps[k], reached: label, point: points.slice(row * n, (row + 1) * n) };
        break;
      }
    }
    found.push(best);
  }
  return found;
}

describe('certified radius', () => {
  it('is the exact distance to the decision boundary for a single dense layer (known answer)', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    const model = randomModel(engine, testSpec('softmax regression', [6], [dense(6, 4, 'none')]), seed, random);
    const bounds = await spectralBounds(model, { power: { passes: 3 } });
    const w = await model.parameters.get('layer0.weight')!.data();
    const b = await model.parameters.get('layer0.bias')!.data();
    const count = 5;
    const originals = Float32Array.from({ length: count * 6 }, () => random());
    const labels = await predicted(model, originals, count);
    const targets = labels.map((y) => (y + 1 + Math.floor(random() * 3)) % 4);
    const bracket = await certifiedBracket(model, bounds, { originals, labels, targets, distortions: new Float64Array(count).fill(1) });
    for (let i = 0; i < count; i++) {
      const x = Array.from(originals.subarray(i * 6, (i + 1) * 6), Number);
      const y = labels[i];
      const t = targets[i];
      // The hyperplane z_y = z_t: d·x + (b_y − b_t) = 0 with d = w_y − w_t, in float64.
      const d = x.map((_, r) => w[r * 4 + y] - w[r * 4 + t]);
      const gap = x.reduce((s, v, r) => s + v * d[r], 0) + b[y] - b[t];
      const norm = Math.hypot(...d);
      const context = `seed=${seed} image ${i}`;
      expect(bracket.examples[i].lowerTarget * Math.sqrt(6), context).toBeCloseTo(gap / norm, 5);
      // Just beyond that distance, along −d, t overtakes y.
      const beyond = Float32Array.from(x, (v, r) => v - ((gap / norm) * 1.001 + 1e-4) * (d[r] / norm));
      const z = await logitsOf(model, beyond, 1);
      expect(z[t], context).toBeGreaterThan(z[y]);
      expect(bracket.examples[i].lowerAny).toBeLessThanOrEqual(bracket.examples[i].lowerTarget);
    }
    model.dispose();
  });

  it('lies below every label-changing perturbation found, for random small models of every kind', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    for (const spec of SMALL_SPECS) {
      const n = spec.inputShape.reduce((p, d) => p * d, 1);
      const count = 6;
      // A random net can give one class everywhere (its last layer favouring one class for every hidden
      // state): then there is nothing to bracket, and the next draw is taken.
      let draw = 0;
      let model: Model;
      let originals: Float32Array;
      let scans: Awaited<ReturnType<typeof rayScan>>;
      do {
        model = randomModel(engine, spec, seed + draw, random, 0.05);
        originals = Float32Array.from({ length: count * n }, () => random());
        scans = await rayScan(model, originals, count, random);
        if (scans.every((s) => !Number.isFinite(s.distance))) model.dispose();
      } while (scans.every((s) => !Number.isFinite(s.distance)) && ++draw < 5);
      const hit = scans.map((s, i) => ({ ...s, i })).filter((s) => Number.isFinite(s.distance));
      expect(hit.length, `seed=${seed} ${spec.name}: the scan must change some labels`).toBeGreaterThan(0);
      const bounds = await spectralBounds(model, { power: { seed } });
      const labels = await predicted(model, originals, count);
      const rms = Math.sqrt(n);
      const bracket = await certifiedBracket(model, bounds, {
        originals: Float32Array.from(hit.flatMap((s) => Array.from(originals.subarray(s.i * n, (s.i + 1) * n)))),
        labels: hit.map((s) => labels[s.i]),
        targets: hit.map((s) => s.reached),
        distortions: hit.map((s) => s.distance / rms),
      });
      expect(bracket.violations, `seed=${seed} ${spec.name}`).toBe(0);
      bracket.examples.forEach((e, k) => {
        const context = `seed=${seed} ${spec.name} image ${hit[k].i}: certified ${e.lowerTarget}, found ${e.upper}`;
        expect(e.lowerTarget, context).toBeLessThanOrEqual(e.upper);
        expect(e.lowerAny, context).toBeLessThanOrEqual(e.lowerTarget);
        expect(e.margin, context).toBeGreaterThanOrEqual(0);
      });
      expect(bracket.ratio).toBeCloseTo(bracket.meanUpper / bracket.meanLower, 12);

      // The whole analysis on these pairs: ratios, Gaussian pairs, bracket, and no violation.
      const pairs = {
        originals: Float32Array.from(hit.flatMap((s) => Array.from(originals.subarray(s.i * n, (s.i + 1) * n)))),
        adversarial: Float32Array.from(hit.flatMap((s) => Array.from(s.point))),
        labels: hit.map((s) => labels[s.i]),
        targets: hit.map((s) => s.reached),
        distortions: hit.map((s) => s.distance / rms),
      };
      const analysis = await spectralAnalysis(model, pairs, { power: { seed } });
      expect(analysis.violations, `seed=${seed} ${spec.name}`).toEqual([]);
      expect(analysis.pairs).toBe(hit.length);
      expect(analysis.adversarial!.layers).toHaveLength(spec.layers.length);
      expect(analysis.gaussian!.network.pairs + analysis.gaussian!.network.skipped).toBe(hit.length);
      expect(analysis.certified!.count).toBe(hit.length);
      model.dispose();
    }
  });

  it('rejects inconsistent inputs by name', async () => {
    const engine = getEngine();
    const model = randomModel(engine, SMALL_SPECS[0], 1, rng(1));
    const bounds = await spectralBounds(model, { power: { passes: 2 } });
    const one = new Float32Array(12);
    await expect(certifiedBracket(model, bounds, { originals: one, labels: [0], targets: [0], distortions: [1] })).rejects.toThrow(/distinct classes/);
    await expect(certifiedBracket(model, bounds, { originals: one, labels: [0, 1], targets: [1], distortions: [1] })).rejects.toThrow(/2 labels/);
    await expect(spectralAnalysis(model, { originals: one, adversarial: new Float32Array(3), labels: [0], targets: [1], distortions: [1] })).rejects.toThrow(/1 pairs/);
    model.dispose();
  });
});
