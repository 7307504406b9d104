/**
 * The reproduction's adversarial-training section on small models: a hardened variant saved by the same
 * path `blindspot harden` takes is found in the checkpoint folder, attacked again beside the base model, and
 * adversarial examples are carried to and from the zoo's models; the renderer shows all of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.node.ts';
import { subset } from '../../src/data/split.ts';
import { ADVERSARIAL_DEFAULTS, hardenModel } from '../../src/hardening/harden.ts';
import { variantOf } from '../../src/hardening/hardenAndSave.node.ts';
import { disposeDataset, uploadDataset } from '../../src/nn/dataset.ts';
import { evaluate } from '../../src/nn/evaluate.ts';
import { Model } from '../../src/nn/model.ts';
import { train } from '../../src/nn/train.ts';
import { saveTrained } from '../../src/nn/trainAndSave.node.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { renderHardeningSection } from '../../src/report/hardening.ts';
import type { ReproduceContext, ReproduceOptions } from '../../src/reproduce/context.ts';
import { computeHardening } from '../../src/reproduce/hardening.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine({ poisonBuffers: false });
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the adversarial-training section', () => {
  it('attacks the hardened variants beside the base model and carries examples both ways', async () => {
    const engine = getEngine();
    const out = await mkdtemp(join(tmpdir(), 'blindspot-hardening-'));
    dirs.push(out);
    const mnist = await loadMnist();
    const trainImages = subset(mnist.train, Array.from({ length: 1000 }, (_, i) => i));
    const trainSet = uploadDataset(engine, trainImages, 'train[0:1000]');
    const testSet = uploadDataset(engine, subset(mnist.test, Array.from({ length: 500 }, (_, i) => i)), 'test[0:500]');
    const models = new Map<string, Model>();
    for (const name of ['FC100-100-10', 'FC10(1e-4)']) {
      const model = Model.create(engine, modelSpec(name), 1);
      await train(model, trainSet, null, { epochs: 2, batch: 50, learningRate: 0.5, momentum: 0.9, seed: 1 });
      models.set(name, model);
    }
    const mode = { ...ADVERSARIAL_DEFAULTS, layers: ['input' as const, 1], poolSize: 30, refreshEvery: 5, refreshImages: 6, perBatch: 4, startEpoch: 2 };
    const hardened = await hardenModel(engine, modelSpec('FC100-100-10'), trainSet, trainImages, testSet, { ...modelSpec('FC100-100-10').training, epochs: 2, batch: 100, seed: 1, mode });
    const data = { train: trainImages, test: mnist.test, source: 'MNIST subset', identity: mnist.identity };
    await saveTrained(engine, modelSpec('FC100-100-10'), 'full', data, {
      model: hardened.model,
      trainError: hardened.trainError.errorRate,
      testError: hardened.testError.errorRate,
      optimizer: 'sgd',
      settings: 'test settings',
      epochs: 2,
      seconds: hardened.seconds.total,
      examplesPerSecond: 1,
      extra: { hardening: { mode, pools: hardened.pools, seconds: hardened.seconds } },
    }, { outDir: out, seed: 1, variant: variantOf(mode) });
    hardened.model.dispose();
    const base = models.get('FC100-100-10')!;
    const baseRecord = { model: 'FC100-100-10', set: 'full' as const, checkpoint: 'FC100-100-10-full.safetensors', trainError: 0, testError: (await evaluate(base, testSet)).errorRate, epochs: 2, seconds: 60, examplesPerSecond: 1, seed: 1, adapter: 'test', date: '2026-12-06' };
    disposeDataset(trainSet);
    disposeDataset(testSet);
    const lines: string[] = [];
    const options = { out, checkpoints: out, n: 6, nineTargetsN: 2, seed: 1, batchSize: 64, cSearch: {}, maxIterations: 30, warmStart: false, quick: false } as unknown as ReproduceOptions;
    const context: ReproduceContext = { engine, options, data, models, records: new Map([['FC100-100-10', baseRecord]]), log: (l) => lines.push(l), timings: {} };
    const results = (await computeHardening(context, ['FC100-100-10', 'FC10(1e-4)']))!;
    const variantName = `FC100-100-10 (${variantOf(mode)})`;
    expect(results.rows.map((r) => r.model)).toEqual(['FC100-100-10', variantName]);
    // The kind comes from the variant's metadata, the budget from the start of its settings.
    expect(results.rows.map((r) => [r.kind, r.budget])).toEqual([['zoo', 'SGD: 25 epochs, batch 128, lr 0.5 (cosine to 0, 2-epoch warm-up), momentum 0.9'], ['adversarial', 'test settings']]);
    for (const row of results.rows) {
      expect(row.randomTarget.attacked + row.randomTarget.misclassifiedBefore).toBe(6);
      expect(row.allNineTargets.attacked + row.allNineTargets.misclassifiedBefore).toBe(2);
    }
    expect(results.rows[1].searchMinutes).toBeGreaterThan(0);
    expect(results.into.rows.map((r) => r.source)).toEqual(['FC10(1e-4)']);
    expect(results.into.columns).toEqual(['FC100-100-10', variantName]);
    expect(results.from.rows.map((r) => r.source)).toEqual(['FC100-100-10', variantName]);
    expect(results.from.columns).toEqual(['FC10(1e-4)']);
    for (const row of [...results.into.rows, ...results.from.rows]) expect(row.count).toBeGreaterThan(0);
    const markdown = renderHardeningSection(results);
    expect(markdown).toContain('## Training on blind spots');
    expect(markdown).toContain(`| ${variantName} |`);
    for (const model of context.models.values()) model.dispose();
  }, 600_000);
});
