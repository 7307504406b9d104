/**
 * A folder of trained models: each checkpoint carries its own training record, the index
 * training-results.json is rebuilt from the checkpoints under a lock, temporary files of killed writers
 * are cleaned up, and older checkpoints without a record pair with the index only when their errors agree.
 * The index itself is read with a size limit, and anything that is not a list of records is refused with a
 * message naming the file and the problem.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointMeta } from '../../src/nn/checkpoint.ts';
import { readCheckpointMeta, saveCheckpoint } from '../../src/nn/checkpoint.node.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { Model } from '../../src/nn/model.ts';
import { saveTrained } from '../../src/nn/trainAndSave.node.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { listTrainedModels, readTrainingIndex, readTrainingRecords, RESULTS_FILE, saveTrainedModel, type TrainingRecord } from '../../src/nn/store.node.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blindspot-store-'));
  dirs.push(dir);
  return dir;
}

function record(model: string, checkpoint: string, testError: number): TrainingRecord {
  return { model, set: 'full', checkpoint, trainError: testError / 2, testError, epochs: 1, seconds: 1, examplesPerSecond: 1, seed: 1, adapter: 'test', date: '2026-12-06T00:00:00.000Z' };
}

function meta(model: string, r?: TrainingRecord): CheckpointMeta {
  return { model, architecture: 'test', lambdas: [0], trainingSet: 'full', seed: 1, errors: r ? { train: r.trainError, test: r.testError } : {}, ...(r ? { record: r } : {}) };
}

const weights = () => ({ 'layer0.weight': { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } });

describe('a folder of trained models', () => {
  it('keeps every record when writers save at once, each inside its checkpoint and all in the index', async () => {
    const dir = await folder();
    const names = ['A', 'B', 'C', 'D', 'E', 'F'];
    await Promise.all(names.map((m, i) => saveTrainedModel(dir, { ...meta(m, record(m, `${m}-full.safetensors`, i / 100)), record: record(m, `${m}-full.safetensors`, i / 100) }, weights())));
    const index = JSON.parse(await readFile(join(dir, RESULTS_FILE), 'utf8')) as TrainingRecord[];
    expect(index.map((r) => r.model).sort()).toEqual(names);
    for (const m of names) expect((await readCheckpointMeta(join(dir, `${m}-full.safetensors`))).record).toEqual(index.find((r) => r.model === m));
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('reads records from the checkpoints, not from a stale index', async () => {
    const dir = await folder();
    const r = record('A', 'A-full.safetensors', 0.02);
    await saveTrainedModel(dir, { ...meta('A', r), record: r }, weights());
    await writeFile(join(dir, RESULTS_FILE), JSON.stringify([{ ...r, testError: 0.5 }]));
    expect((await readTrainingRecords(dir))[0].testError).toBe(0.02);
  });

  it('pairs a checkpoint without a record with the index only when their errors agree', async () => {
    const dir = await folder();
    const r = record('A', 'A-full.safetensors', 0.02);
    await saveCheckpoint(join(dir, 'A-full.safetensors'), { ...meta('A'), errors: { train: 0.01, test: 0.02 } }, weights());
    await writeFile(join(dir, RESULTS_FILE), JSON.stringify([r]));
    expect((await listTrainedModels(dir)).models.map((m) => m.record)).toEqual([r]);
    await writeFile(join(dir, RESULTS_FILE), JSON.stringify([{ ...r, testError: 0.03 }]));
    const listed = await listTrainedModels(dir);
    expect(listed.models).toEqual([]);
    expect(listed.problems[0]).toMatch(/A-full\.safetensors: no training record in the checkpoint, and none in training-results\.json with its errors/);
  });

  it('refuses a record that describes another file, and an index that is not a list', async () => {
    const dir = await folder();
    await saveCheckpoint(join(dir, 'A-full.safetensors'), meta('A', record('A', 'B-full.safetensors', 0.02)), weights());
    expect((await listTrainedModels(dir)).problems[0]).toMatch(/its record describes A on full in B-full\.safetensors/);
    const other = await folder();
    await saveCheckpoint(join(other, 'A-full.safetensors'), meta('A'), weights());
    await writeFile(join(other, RESULTS_FILE), '{"model": "A"}');
    await expect(listTrainedModels(other)).rejects.toThrow(/holds a JSON object where a list of training records belongs/);
  });

  it('removes the temporary files of writers that no longer run, and only those', async () => {
    const dir = await folder();
    const dead = `.A-full.safetensors.999999999.abcdef.tmp`;
    const alive = `.B-full.safetensors.${process.pid}.abcdef.tmp`;
    await writeFile(join(dir, dead), 'half a checkpoint');
    await writeFile(join(dir, alive), 'a checkpoint being written');
    const r = record('C', 'C-full.safetensors', 0.02);
    await saveTrainedModel(dir, { ...meta('C', r), record: r }, weights());
    const files = await readdir(dir);
    expect(files).not.toContain(dead);
    expect(files).toContain(alive);
  });

  it('lists nothing in a folder that does not exist', async () => {
    expect(await listTrainedModels(join(await folder(), 'missing'))).toEqual({ models: [], problems: [] });
  });
});

const indexRecord: TrainingRecord = {
  model: 'FC10(1e-4)',
  set: 'full',
  checkpoint: 'FC10_1e-4_-full.safetensors',
  trainError: 0.066,
  testError: 0.074,
  optimizer: 'lbfgs',
  epochs: 100,
  iterations: 99,
  stopReason: 'max-iterations',
  seconds: 600,
  examplesPerSecond: 10000,
  seed: 1,
  adapter: 'swiftshader',
  date: '2026-12-01',
};


describe('the index, training-results.json', () => {
  let dir = '';
  const file = () => join(dir, 'training-results.json');
  beforeEach(async () => {
    dir = await folder();
  });

  it('reads a list of records, and none from a folder without the file', async () => {
    expect(await readTrainingIndex(dir)).toEqual([]);
    await writeFile(file(), JSON.stringify([indexRecord]));
    expect(await readTrainingIndex(dir)).toEqual([indexRecord]);
  });

  it('refuses JSON that is not a list of records, naming the file and the problem', async () => {
    const cases: [string, string][] = [
      ['{"model": "FC10"}', 'holds a JSON object where a list of training records belongs'],
      ['null', 'holds null where a list of training records belongs'],
      ['42', 'holds a JSON number where a list of training records belongs'],
      ['[1]', 'record 0 is not an object'],
      [JSON.stringify([indexRecord, { ...indexRecord, testError: '7%' }]), "record 1 has no number 'testError'"],
      [JSON.stringify([{ ...indexRecord, set: 'P3' }]), 'record 0 has set "P3", not full, P1 or P2'],
      [JSON.stringify([{ ...indexRecord, iterations: 'many' }]), 'record 0 has \'iterations\' = "many", not a number'],
      [JSON.stringify([{ ...indexRecord, checkpoint: '../../etc/passwd' }]), 'record 0 names checkpoint "../../etc/passwd", which is not a file name in this folder'],
      ['[{"model": ', 'not valid JSON'],
    ];
    for (const [text, problem] of cases) {
      await writeFile(file(), text);
      await expect(readTrainingIndex(dir), text).rejects.toThrow(`${file()}: ${problem}`);
    }
  });

  it('refuses a file too large to be one, a directory and a device, without reading them', async () => {
    await writeFile(file(), ' '.repeat(16 * 2 ** 20 + 1));
    await expect(readTrainingIndex(dir)).rejects.toThrow(`${file()}: ${16 * 2 ** 20 + 1} bytes, more than the ${16 * 2 ** 20} that a training-records file may have here`);
    await rm(file());
    await mkdir(file());
    await expect(readTrainingIndex(dir)).rejects.toThrow(`${file()}: is a directory, not a training-records file`);
    await rm(file(), { recursive: true });
    await symlink('/dev/zero', file());
    await expect(readTrainingIndex(dir)).rejects.toThrow(`${file()}: is a character device, not a training-records file`);
  });
});

describe('saving a trained model over an existing one', () => {
  const getEngine = useTestEngine();
  it('keeps the better checkpoint under its name and saves a worse one beside it, saying so', async () => {
    const dir = await folder();
    const engine = getEngine();
    const spec = modelSpec('FC10(1e-4)');
    const data = { train: { images: new Float32Array(0), labels: new Int32Array(0), count: 0 }, test: { images: new Float32Array(0), labels: new Int32Array(0), count: 0 }, source: 'none', identity: { name: 'none', files: [] } };
    const save = async (testError: number) => {
      const model = Model.create(engine, spec, 1);
      const trained = { model, trainError: testError, testError, optimizer: 'lbfgs' as const, settings: 'test', epochs: 1, seconds: 1, examplesPerSecond: 1 };
      const result = await saveTrained(engine, spec, 'full', data, trained, { outDir: dir, seed: 1 });
      model.dispose();
      return result;
    };
    expect((await save(0.1)).note).toBeUndefined();
    const worse = await save(0.2);
    expect(worse.note).toMatch(/kept FC10_1e-4_-full\.safetensors, whose test error 10\.00% is lower than this run's 20\.00%; this run is saved beside it as FC10_1e-4_-full-\d{4}-.*\.safetensors/);
    const better = await save(0.05);
    expect(better.note).toBeUndefined();
    expect(better.record.checkpoint).toBe('FC10_1e-4_-full.safetensors');
    const { models } = await listTrainedModels(dir);
    expect(models.map((m) => m.record.testError).sort()).toEqual([0.05, 0.2]);
  });
});
