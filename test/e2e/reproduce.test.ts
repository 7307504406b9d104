/**
 * The reproduction end to end on a tiny budget: every table, the figures and results.json are written;
 * a second run resumes from the saved checkpoints and adversarial sets instead of recomputing them.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reproduce } from '../../src/reproduce/run.ts';
import type { ReproduceOptions } from '../../src/reproduce/context.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine({ poisonBuffers: false });
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('blindspot reproduce', () => {
  it('writes Tables 1–4, figures and results.json, and resumes from what it saved', async () => {
    const out = await mkdtemp(join(tmpdir(), 'blindspot-reproduce-'));
    dirs.push(out);
    const options: ReproduceOptions = {
      quick: true,
      n: 3,
      nineTargetsN: 1,
      out,
      checkpoints: join(out, 'checkpoints'),
      train: true,
      seed: 5,
      batchSize: 64,
      cSearch: { maxRefinements: 2 },
      maxIterations: 20,
      warmStart: false,
      examplesPerEpoch: 512,
      epochs: 1,
      trainingIterations: 15,
      property1: { images: 300, directions: 16 },
      spectralMargin: 0.1,
    };
    const lines: string[] = [];
    const first = await reproduce(getEngine(), options, (line) => lines.push(line), 'test');
    const report = await readFile(first.reportPath, 'utf8');
    for (const heading of ['## Models', '## Table 1', '## Table 2', '## Table 3', '## Table 4', '## Property 1', '## Table 5', '## Deviations from the paper']) {
      expect(report).toContain(heading);
    }
    for (const model of ['FC10(1e-4)', 'FC10(1e-2)', 'FC10(1)', 'FC100-100-10', 'FC200-200-10', 'AE400-10', 'convnet', "FC100-100-10' (P2)"]) {
      expect(report).toContain(`| ${model} |`);
    }
    const results = JSON.parse(await readFile(first.resultsPath, 'utf8'));
    expect(results.table1).toHaveLength(7);
    for (const row of results.table1) {
      expect(row.randomTarget.attacked + row.randomTarget.misclassifiedBefore).toBe(3);
      expect(row.randomTarget.successes + row.randomTarget.failures).toBe(row.randomTarget.attacked);
    }
    expect(results.table2.rows.map((r: { source: string }) => r.source)).toContain('Gaussian noise σ=0.3, clipped to [0,1]');
    expect(results.table4.rows.map((r: { source: string }) => r.source)).toContain("FC100-100-10' (P2) amplified to 0.1");
    // The FC10 models train by full-batch L-BFGS within the iteration budget, the nets by SGD.
    const records = JSON.parse(await readFile(join(out, 'checkpoints', 'training-results.json'), 'utf8'));
    const recordOf = (model: string) => records.find((r: { model: string; set: string }) => r.model === model && r.set === 'full');
    for (const model of ['FC10(1e-4)', 'FC10(1e-2)', 'FC10(1)']) {
      expect(recordOf(model)).toMatchObject({ optimizer: 'lbfgs', stopReason: expect.any(String) });
      expect(recordOf(model).iterations).toBeGreaterThan(0);
      expect(recordOf(model).iterations).toBeLessThanOrEqual(15);
    }
    expect(recordOf('FC100-100-10')).toMatchObject({ optimizer: 'sgd', epochs: 1 });
    expect(recordOf('FC100-100-10').iterations).toBeUndefined();
    // Each record says how its model was trained: the model's defaults, with the run's overrides.
    expect(recordOf('FC10(1)').settings).toBe('full-batch L-BFGS, at most 15 iterations');
    expect(recordOf('FC100-100-10').settings).toBe('SGD: 1 epoch, batch 128, lr 0.5 (cosine to 0, 2-epoch warm-up), momentum 0.9, 512 examples per epoch');
    expect(recordOf('AE400-10').settings).toMatch(/^SGD: 1 epoch, batch 128, lr 0\.2 \(×0\.9 per epoch, 1-epoch warm-up\).*; autoencoder stage: 1 epoch of SGD$/);
    const files = await readdir(out);
    expect(files.filter((f) => f.endsWith('.png')).length).toBeGreaterThan(0);
    expect((await readdir(join(out, 'sets'))).filter((f) => f.endsWith('.json'))).toHaveLength(7 * 2 + 3);

    const again: string[] = [];
    await reproduce(getEngine(), options, (line) => again.push(line), 'test');
    expect(again.filter((l) => l.includes('training on'))).toEqual([]);
    expect(again.filter((l) => l.includes(': attacking'))).toEqual([]);
    expect(again.filter((l) => l.includes('reusing the saved set')).length).toBeGreaterThanOrEqual(17);
    expect(await readFile(first.reportPath, 'utf8')).toContain('## Table 4');
  }, 900_000);
});
