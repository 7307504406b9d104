/**
 * readTrainingRecords: a missing file is no records; anything else that is not a list of records — JSON
 * of another shape, a record missing a field or naming a checkpoint outside the folder, a huge file, a
 * directory or a device — is refused with a message naming the file and the problem.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTrainingRecords, type TrainingRecord } from '../../src/nn/store.node.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindspot-records-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record: TrainingRecord = {
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
const file = () => join(dir, 'training-results.json');

describe('readTrainingRecords', () => {
  it('reads a list of records, and none from a folder without the file', async () => {
    expect(await readTrainingRecords(dir)).toEqual([]);
    await writeFile(file(), JSON.stringify([record]));
    expect(await readTrainingRecords(dir)).toEqual([record]);
  });

  it('refuses JSON that is not a list of records, naming the file and the problem', async () => {
    const cases: [string, string][] = [
      ['{"model": "FC10"}', 'holds a JSON object where a list of training records belongs'],
      ['null', 'holds null where a list of training records belongs'],
      ['42', 'holds a JSON number where a list of training records belongs'],
      ['[1]', 'record 0 is not an object'],
      [JSON.stringify([record, { ...record, testError: '7%' }]), "record 1 has no number 'testError'"],
      [JSON.stringify([{ ...record, set: 'P3' }]), 'record 0 has set "P3", not full, P1 or P2'],
      [JSON.stringify([{ ...record, iterations: 'many' }]), 'record 0 has \'iterations\' = "many", not a number'],
      [JSON.stringify([{ ...record, checkpoint: '../../etc/passwd' }]), 'record 0 names checkpoint "../../etc/passwd", which is not a file name in this folder'],
      ['[{"model": ', 'not valid JSON'],
    ];
    for (const [text, problem] of cases) {
      await writeFile(file(), text);
      await expect(readTrainingRecords(dir), text).rejects.toThrow(`${file()}: ${problem}`);
    }
  });

  it('refuses a file too large to be one, a directory and a device, without reading them', async () => {
    await writeFile(file(), ' '.repeat(16 * 2 ** 20 + 1));
    await expect(readTrainingRecords(dir)).rejects.toThrow(`${file()}: ${16 * 2 ** 20 + 1} bytes, more than the ${16 * 2 ** 20} that a training-records file may have here`);
    await rm(file());
    await mkdir(file());
    await expect(readTrainingRecords(dir)).rejects.toThrow(`${file()}: is a directory, not a training-records file`);
    await rm(file(), { recursive: true });
    await symlink('/dev/zero', file());
    await expect(readTrainingRecords(dir)).rejects.toThrow(`${file()}: is a character device, not a training-records file`);
  });
});
