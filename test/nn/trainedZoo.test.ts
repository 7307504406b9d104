import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.ts';
import { loadCheckpoint, readCheckpointMeta } from '../../src/nn/checkpoint.node.ts';
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
let mnist: MnistData;

beforeAll(async () => {
  records = await readTrainingRecords(MODELS);
  mnist = await loadMnist();
  testSet = uploadDataset(getEngine(), mnist.test, 'test set');
});
afterAll(() => testSet && disposeDataset(testSet));

describe('the trained zoo in models/', () => {
  it("holds Table 1's models, the convnet and Table 3's, each record naming a checkpoint that exists", () => {
    const held = records.map((r) => `${r.model} on ${r.set}`);
    for (const { model, set } of TRAINED) expect(held).toContain(`${model} on ${set}`);
    for (const r of records) expect(existsSync(join(MODELS, r.checkpoint)), r.checkpoint).toBe(true);
  });

  it('carries each record inside its checkpoint, naming the data by content: the MNIST files loaded here', async () => {
    const index = JSON.parse(readFileSync(join(MODELS, 'training-results.json'), 'utf8')) as TrainingRecord[];
    const byFile = (list: TrainingRecord[]) => [...list].sort((a, b) => a.checkpoint.localeCompare(b.checkpoint));
    expect(byFile(index)).toEqual(byFile(records));
    for (const r of records) {
      expect((await readCheckpointMeta(join(MODELS, r.checkpoint))).record).toEqual(r);
      expect(r.data).toEqual(mnist.identity);
    }
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
