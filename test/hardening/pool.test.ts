/**
 * Adversarial training's pools on a small trained net: what a refresh inserts is adversarial for the
 * network at that moment (classified as its target, not its label), pools fill and then replace entries,
 * samples come back as tensors of the pool's layer, and the training loss is the mean cross-entropy over
 * clean and pool rows together (checked against float64). A short hardening run uses all of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.ts';
import { subset } from '../../src/data/split.ts';
import { disposeDataset, uploadDataset } from '../../src/nn/dataset.ts';
import { Model } from '../../src/nn/model.ts';
import { train } from '../../src/nn/train.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { softmaxCrossEntropy } from '../../src/tensor/ops/softmax.ts';
import { AdversarialPool } from '../../src/hardening/pool.ts';
import { ADVERSARIAL_DEFAULTS, hardenModel, mixedLoss } from '../../src/hardening/harden.ts';
import { createRng } from '../../src/util/random.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng as testRng, testSeed } from '../helpers/random.ts';

const getEngine = useTestEngine();
let mnist: MnistData;
let model: Model;
const SEARCH = { maxIterations: 20, maxRefinements: 2, distortionTolerance: 0.05 };

beforeAll(async () => {
  mnist = await loadMnist();
  const engine = getEngine();
  const data = uploadDataset(engine, subset(mnist.train, Array.from({ length: 3000 }, (_, i) => i)), 'train[0:3000]');
  model = Model.create(engine, modelSpec('FC100-100-10'), 2);
  await train(model, data, null, { epochs: 2, batch: 64, learningRate: 0.5, momentum: 0.9, seed: 1 });
  disposeDataset(data);
});

const images = (from: number, count: number) => subset(mnist.train, Array.from({ length: count }, (_, i) => from + i));

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

describe('adversarial pools', () => {
  for (const layer of ['input', 0, 1] as const) {
    it(`at ${layer === 'input' ? 'the input' : `layer ${layer}`}: inserts examples the network classifies as their targets, then replaces entries`, async () => {
      const seed = testSeed();
      const rng = createRng(seed);
      const pool = new AdversarialPool(model, layer, 12);
      const report = await pool.refresh(images(3000, 10), SEARCH, rng);
      const stats = pool.stats();
      expect(stats.size, `seed=${seed}`).toBeGreaterThan(0);
      expect(stats.size).toBe(report.successes);
      expect(pool.classifier.inputSize).toBe(layer === 'input' ? 784 : 100);
      // Each entry, pushed through the layers above its layer, reads as the target it was made for.
      const entries = Array.from({ length: pool.size }, (_, i) => pool.entry(i));
      const stack = tensor(getEngine(), Float32Array.from(entries.flatMap((e) => Array.from(e.input))), [entries.length, pool.width]);
      const logits = await pool.classifier.logits(stack).data();
      stack.dispose();
      entries.forEach((e, i) => {
        expect(e.target).not.toBe(e.label);
        expect(argmax(logits.subarray(i * 10, (i + 1) * 10)), `entry ${i}`).toBe(e.target);
        expect(e.distortion).toBeGreaterThan(0);
      });
      // A full pool replaces entries at random: more inserted than held, and some entries changed.
      await pool.refresh(images(3100, 10), SEARCH, rng);
      await pool.refresh(images(3200, 10), SEARCH, rng);
      expect(pool.stats().size).toBe(Math.min(12, pool.stats().inserted));
      expect(pool.stats().inserted).toBeGreaterThan(12);
      const after = Array.from({ length: 12 }, (_, i) => pool.entry(i).input);
      expect(after.filter((input, i) => i < entries.length && input.some((v, j) => v !== entries[i].input[j])).length).toBeGreaterThan(0);
      // Samples are tensors of the pool's layer, labelled with the true labels.
      const sample = pool.sample(5, rng);
      expect(sample.inputs.shape).toEqual([5, pool.width]);
      const labels = await sample.labels.data();
      const held = new Set(Array.from({ length: 12 }, (_, i) => pool.entry(i).label));
      for (const l of labels) expect(held.has(l)).toBe(true);
      sample.inputs.dispose();
      sample.labels.dispose();
    });
  }

  it('mixes pool rows into the loss: the mean cross-entropy over clean and extra rows, against float64', async () => {
    const engine = getEngine();
    const random = testRng(testSeed());
    const logitRows = (n: number) => Float32Array.from({ length: n * 10 }, () => 4 * random() - 2);
    const labelRows = (n: number) => Float32Array.from({ length: n }, () => Math.floor(random() * 10));
    const [clean, pool1, pool2] = [3, 2, 4].map((n) => ({ n, logits: logitRows(n), labels: labelRows(n) }));
    const ce = (logits: Float32Array, labels: Float32Array, n: number) => {
      let total = 0;
      for (let r = 0; r < n; r++) {
        const row = Array.from(logits.subarray(r * 10, (r + 1) * 10));
        const top = Math.max(...row);
        total += top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0)) - row[labels[r]];
      }
      return total;
    };
    const expected = (ce(clean.logits, clean.labels, 3) + ce(pool1.logits, pool1.labels, 2) + ce(pool2.logits, pool2.labels, 4)) / 9;
    const t = (rows: typeof clean) => ({ logits: tensor(engine, rows.logits, [rows.n, 10]), labels: tensor(engine, rows.labels, [rows.n]) });
    const [a, b, c] = [clean, pool1, pool2].map(t);
    const terms = [b, c].map((p) => () => softmaxCrossEntropy(p.logits, p.labels, { reduction: 'sum' }));
    const value = mixedLoss(a.logits, a.labels, terms, 6);
    expect(await value.item()).toBeCloseTo(expected, 5);
    for (const x of [a, b, c]) {
      x.logits.dispose();
      x.labels.dispose();
    }
    value.dispose();
  });

  it('hardens a small net for a few steps: pools fill from the start epoch, the run reports them, nothing leaks', async () => {
    const engine = getEngine();
    const live = contextOf(engine).live;
    const trainImages = images(0, 1000);
    const trainSet = uploadDataset(engine, trainImages, 'train[0:1000]');
    const testSet = uploadDataset(engine, mnist.test, 'test');
    const result = await hardenModel(engine, modelSpec('FC100-100-10'), trainSet, trainImages, testSet, {
      ...modelSpec('FC100-100-10').training,
      epochs: 2,
      batch: 100,
      seed: 3,
      evaluationLimit: 500,
      trainEvaluationLimit: 500,
      mode: { ...ADVERSARIAL_DEFAULTS, layers: ['input', 1], poolSize: 40, refreshEvery: 5, refreshImages: 8, perBatch: 4, startEpoch: 2, search: SEARCH },
    });
    expect(result.pools.map((p) => p.layer)).toEqual(['input', 1]);
    for (const p of result.pools) {
      // Two refreshes in epoch 2's ten steps, eight images each (some misclassified, some not fooled).
      expect(p.searches).toBeGreaterThan(0);
      expect(p.size).toBeGreaterThan(0);
    }
    expect(result.seconds.searches).toBeGreaterThan(0);
    expect(result.training.epochs).toBe(2);
    result.model.dispose();
    disposeDataset(trainSet);
    disposeDataset(testSet);
    expect(contextOf(engine).live).toBe(live);
  });

  it("plain mode is the zoo's training through the same loop: the same weights as train() from the same seed", async () => {
    const engine = getEngine();
    const live = contextOf(engine).live;
    const spec = modelSpec('FC100-100-10');
    const trainImages = images(0, 400);
    const trainSet = uploadDataset(engine, trainImages, 'train[0:400]');
    const testSet = uploadDataset(engine, images(1000, 100), 'train[1000:1100]');
    const budget = { ...spec.training, epochs: 2, batch: 50, seed: 4 };
    const hardened = await hardenModel(engine, spec, trainSet, trainImages, testSet, { ...budget, evaluationLimit: 100, trainEvaluationLimit: 100, mode: { kind: 'plain' } });
    const plain = Model.create(engine, spec, 4);
    await train(plain, trainSet, testSet, budget);
    expect(hardened.pools).toEqual([]);
    expect(hardened.seconds.searches).toBe(0);
    for (const [name, weight] of plain.parameters) {
      const expected = await weight.data();
      const got = await hardened.model.parameters.get(name)!.data();
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
      // The mean over the batch is taken as sum × 1/n there and as a mean here: rounding only.
      expect(worst, name).toBeLessThan(1e-4);
    }
    plain.dispose();
    hardened.model.dispose();
    disposeDataset(trainSet);
    disposeDataset(testSet);
    expect(contextOf(engine).live).toBe(live);
  });
});
