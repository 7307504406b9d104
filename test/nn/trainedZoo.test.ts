import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.node.ts';
import { loadCheckpoint } from '../../src/nn/checkpoint.node.ts';
import { disposeDataset, uploadDataset, type GpuDataset } from '../../src/nn/dataset.ts';
import { evaluate } from '../../src/nn/evaluate.ts';
import { Model } from '../../src/nn/model.ts';
import { readTrainingRecords, type TrainingRecord } from '../../src/nn/store.node.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { TABLE1_MODELS, TABLE3_MODELS } from '../../src/report/paperNumbers.ts';
import { useTestEngine } from '../helpers/engine.ts';

// The zoo trained with `blindspot train <model> --out models` (docs/training.md), which
// `blindspot reproduce --checkpoints models` reuses: its records must describe its checkpoints.
const MODELS = fileURLToPath(new URL('../../models', import.meta.url));
const TRAINED: { model: string; set: string }[] = [
  ...[...TABLE1_MODELS, 'convnet'].map((model) => ({ model, set: 'full' })),
  ...TABLE3_MODELS.map(({ model, set }) => ({ model, set })),
];

const getEngine = useTestEngine();
let records: TrainingRecord[];
let testSet: GpuDataset;

beforeAll(async () => {
  records = await readTrainingRecords(MODELS);
  testSet = uploadDataset(getEngine(), (await loadMnist()).test, 'test set');
});
afterAll(() => testSet && disposeDataset(testSet));

describe('the trained zoo in models/', () => {
  it("holds Table 1's models, the convnet and Table 3's, each record naming a checkpoint that exists", () => {
    const held = records.map((r) => `${r.model} on ${r.set}`);
    for (const { model, set } of TRAINED) expect(held).toContain(`${model} on ${set}`);
    for (const r of records) expect(existsSync(join(MODELS, r.checkpoint)), r.checkpoint).toBe(true);
  });

  it.each(TRAINED)('$model on $set: the checkpoint loads and errs on the test set as its record says', async ({ model: name, set }) => {
    const record = records.find((r) => r.model === name && r.set === set);
    if (!record) throw new Error(`models/training-results.json has no record of ${name} on ${set}`);
    const checkpoint = await loadCheckpoint(join(MODELS, record.checkpoint));
    expect(checkpoint.meta.errors?.test).toBe(record.testError);
    const model = Model.fromCheckpoint(getEngine(), modelSpec(name), checkpoint);
    const { errorRate } = await evaluate(model, testSet);
    model.dispose();
    // Another adapter may round a few borderline logits the other way: 3 of 10 000 images.
    expect(Math.abs(errorRate - record.testError)).toBeLessThanOrEqual(3e-4);
  });
});
