import { beforeAll, describe, expect, it } from 'vitest';
import { findBlindSpots, distortion, type AttackReport } from '../../src/attack/attack.ts';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.ts';
import { subset } from '../../src/data/split.ts';
import { disposeDataset, uploadDataset } from '../../src/nn/dataset.ts';
import { predict } from '../../src/nn/evaluate.ts';
import { Model } from '../../src/nn/model.ts';
import { train } from '../../src/nn/train.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { overflowingFc10 } from '../helpers/overflowingFc10.ts';

const getEngine = useTestEngine();
let mnist: MnistData;
let model: Model;

const COUNT = 5;
const options = { targets: { kind: 'random', seed: 7 }, cSearch: { maxRefinements: 3 }, lbfgsb: { maxIterations: 40 } } as const;

beforeAll(async () => {
  mnist = await loadMnist();
  const engine = getEngine();
  const data = uploadDataset(engine, subset(mnist.train, Array.from({ length: 3000 }, (_, i) => i)), 'train[0:3000]');
  model = Model.create(engine, modelSpec('FC100-100-10'), 2);
  await train(model, data, null, { epochs: 2, batch: 64, learningRate: 0.5, momentum: 0.9, seed: 1 });
  disposeDataset(data);
});

describe('the blind-spot search on a small trained model', () => {
  let batched: AttackReport;
  const images = () => mnist.test.images.slice(0, COUNT * 784);
  const labels = () => mnist.test.labels.slice(0, COUNT);

  /** Every success is classified as its target by a fresh forward pass, lies in the box and has the distortion it reports. */
  async function expectValid(report: AttackReport): Promise<void> {
    expect(report.attacked + report.misclassifiedBefore).toBe(COUNT);
    expect(report.successes).toBeGreaterThan(0);
    const successes = report.images.flatMap((r) => r.examples.filter((e) => e.success));
    const stack = new Float32Array(successes.length * 784);
    successes.forEach((e, i) => stack.set(e.adversarial!, i * 784));
    const input = tensor(getEngine(), stack, [successes.length, 784]);
    const predicted = await predict(model, input);
    input.dispose();
    successes.forEach((e, i) => {
      expect(predicted[i], `image ${e.image} pushed to ${e.target}`).toBe(e.target);
      expect(e.target).not.toBe(e.label);
      for (const v of e.adversarial!) expect(v >= 0 && v <= 1).toBe(true);
      const original = images().subarray(e.image * 784, (e.image + 1) * 784);
      let sum = 0;
      for (let j = 0; j < 784; j++) sum += (e.adversarial![j] - original[j]) ** 2;
      expect(e.distortion).toBeCloseTo(Math.sqrt(sum / 784), 7);
      expect(e.distortion).toBe(distortion(e.adversarial!, original));
      expect(e.distortion).toBeGreaterThan(0);
      // The kept example is the smallest successful distortion of its c search.
      const successfulTrials = e.trials.filter((t) => t.success);
      expect(e.distortion).toBe(Math.min(...successfulTrials.map((t) => t.distortion)));
      // Success is exactly a non-negative lead of the target's logit.
      for (const t of e.trials) expect(t.success).toBe(t.margin >= 0);
    });
    // The GPU's evaluations are those of the searches, and each search asked for at least one per solve but
    // its first: every later solve starts from values computed on the CPU.
    const examples = report.images.flatMap((r) => r.examples);
    expect(report.evaluations).toBe(examples.reduce((s, e) => s + e.evaluations, 0));
    expect(report.solves).toBe(examples.reduce((s, e) => s + e.trials.length, 0));
  }

  it('finds adversarial examples that are classified as their targets, inside the box, with distortion as defined', async () => {
    batched = await findBlindSpots(model, images(), labels(), { ...options, batchSize: COUNT });
    await expectValid(batched);
  });

  it('restarts every c from x on request, finding valid examples too, with more evaluations than the default warm starts', async () => {
    expect(batched.options.warmStart).toBe(true);
    const restarted = await findBlindSpots(model, images(), labels(), { ...options, batchSize: COUNT, warmStart: false });
    await expectValid(restarted);
    expect(restarted.options.warmStart).toBe(false);
    expect(restarted.evaluations).toBeGreaterThan(batched.evaluations);
  });

  it('gives the same results one image at a time as batched', async () => {
    const single = await findBlindSpots(model, images(), labels(), { ...options, batchSize: 1 });
    expect(single.successes).toBe(batched.successes);
    batched.images.forEach((r, i) => {
      r.examples.forEach((e, k) => {
        const s = single.images[i].examples[k];
        expect(s.success).toBe(e.success);
        if (e.success) {
          expect(s.c).toBeCloseTo(e.c, 10);
          expect(s.distortion).toBeCloseTo(e.distortion, 5);
        }
      });
    });
  });

  it('gives bit for bit the same results with its solvers in worker threads', async () => {
    const threaded = await findBlindSpots(model, images(), labels(), { ...options, batchSize: COUNT, workers: 2 });
    expect(threaded.options.workers).toBe(2);
    expect(threaded.evaluations).toBe(batched.evaluations);
    expect(threaded.rounds).toBe(batched.rounds);
    threaded.images.forEach((r, i) => {
      r.examples.forEach((e, k) => {
        const b = batched.images[i].examples[k];
        expect(e.trials).toEqual(b.trials);
        expect(e.evaluations).toBe(b.evaluations);
        expect(e.adversarial).toEqual(b.adversarial);
      });
    });
    await expect(findBlindSpots(model, images(), labels(), { ...options, workers: -1 })).rejects.toThrow(/workers must be an integer ≥ 0 or 'auto', got -1/);
  });

  it('refuses NaN pixels, out-of-range pixels and a target equal to the label before any work', async () => {
    const bad = images();
    bad[100] = Number.NaN;
    await expect(findBlindSpots(model, bad, labels(), options)).rejects.toThrow(/image 0 has NaN at pixel 100/);
    const big = images();
    big[784 + 3] = 1.5;
    await expect(findBlindSpots(model, big, labels(), options)).rejects.toThrow(/image 1 has pixel 3 = 1.5/);
    const l = labels();
    await expect(findBlindSpots(model, images(), l, { targets: { kind: 'explicit', targets: Array.from(l) } })).rejects.toThrow(/equals its true label/);
  });

  it('searches a hidden layer too: the layers above it, in the box of its sigmoid activations', async () => {
    const engine = getEngine();
    const input = tensor(engine, images(), [COUNT, 784]);
    const hidden = model.layerOutputs(input);
    const activations = await hidden[0].data();
    for (const t of [input, ...hidden]) t.dispose();
    const above = model.above(0);
    expect([above.inputSize, above.classes, above.name]).toEqual([100, 10, 'FC100-100-10 above layer 0']);
    const report = await findBlindSpots(above, activations, labels(), { ...options, batchSize: COUNT });
    const successes = report.images.flatMap((r) => r.examples.filter((e) => e.success));
    expect(successes.length).toBeGreaterThan(0);
    const stack = tensor(engine, Float32Array.from(successes.flatMap((e) => Array.from(e.adversarial!))), [successes.length, 100]);
    const logits = await above.logits(stack).data();
    stack.dispose();
    successes.forEach((e, i) => {
      const row = Array.from(logits.subarray(i * 10, (i + 1) * 10));
      expect(row.indexOf(Math.max(...row)), `image ${e.image}`).toBe(e.target);
      for (const v of e.adversarial!) expect(v >= 0 && v <= 1).toBe(true);
    });
    expect(() => model.above(2)).toThrow(/layer 2 is not a hidden sigmoid layer/);
  });

  it('does not attack an image whose logits are not finite, and says why', async () => {
    const fc10 = overflowingFc10();
    const overflowing = Model.fromCheckpoint(getEngine(), modelSpec('FC10(1e-4)'), {
      source: 'overflowing FC10',
      meta: { model: 'FC10(1e-4)', architecture: '', lambdas: [1e-4], trainingSet: 'full', seed: 1 },
      tensors: Object.fromEntries(Object.entries(fc10.tensors).map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.data) }])),
    });
    const report = await findBlindSpots(overflowing, fc10.images, fc10.labels, { ...options, batchSize: 5 });
    overflowing.dispose();
    expect([report.attacked, report.misclassifiedBefore, report.nonFiniteOutputs]).toEqual([2, 1, 2]);
    for (const k of [3, 4]) {
      expect(report.images[k].attacked).toBe(false);
      expect(report.images[k].predicted).toBe(-1);
      expect(report.images[k].reason).toMatch(/logits for this image are not finite/);
    }
    expect(report.images[2].reason).toBe('misclassified before the attack');
  });
});
