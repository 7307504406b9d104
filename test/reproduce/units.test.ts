/**
 * The Property 1 step of the reproduction on untrained models and a few images: every hidden layer of
 * the four models is probed, a figure is written per layer, and the section renders.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Model } from '../../src/nn/model.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import type { ReproduceContext, ReproduceOptions } from '../../src/reproduce/context.ts';
import { computeUnitsSection, UNITS_MODELS } from '../../src/reproduce/units.ts';
import { renderUnitsSection } from '../../src/report/units.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';

const getEngine = useTestEngine();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('computeUnitsSection', () => {
  it('probes every hidden layer of the four models, writes a figure per layer, and leaks nothing', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    const out = await mkdtemp(join(tmpdir(), 'blindspot-units-'));
    dirs.push(out);
    const count = 40;
    const test = {
      images: Float32Array.from({ length: count * 784 }, () => (random() < 0.2 ? random() : 0)),
      labels: Int32Array.from({ length: count }, () => Math.floor(random() * 10)),
      count,
    };
    const models = new Map(UNITS_MODELS.map((name) => [name as string, Model.create(engine, modelSpec(name), seed)]));
    const live = contextOf(engine).live;
    const lines: string[] = [];
    const context: ReproduceContext = {
      engine,
      options: { out, seed: 3, property1: { images: test.count, directions: 64 } } as ReproduceOptions,
      data: { train: test, test, source: 'synthetic', identity: { name: 'synthetic', files: [] } },
      models,
      records: new Map(),
      log: (line) => lines.push(line),
      timings: {},
    };
    const results = await computeUnitsSection(context);
    expect(contextOf(engine).live, 'no tensor left behind').toBe(live);
    expect(results.summaries.map((s) => [s.model, s.layers.map((l) => l.layer)])).toEqual([
      ['FC100-100-10', [0, 1]],
      ['FC200-200-10', [0, 1]],
      ['AE400-10', [0]],
      ['convnet', [0, 1, 2, 3, 4]],
    ]);
    expect(results.summaries.map((s) => s.judgeSpace)).toEqual([
      'convnet layer 4 (dense 100 relu)',
      'convnet layer 4 (dense 100 relu)',
      'convnet layer 4 (dense 100 relu)',
      'FC200-200-10 layer 1 (dense 200 sigmoid)',
    ]);
    // Quick: at most 64 random directions per layer; every layer with at least that many units gets 64.
    const conv1 = results.summaries[3].layers[0];
    expect(conv1).toMatchObject({ units: 9216, unit: 'one (channel, y, x) feature of the output flattened to C·H·W' });
    expect(conv1.kinds.randomDirections.count + conv1.undecidedDirections).toBe(64);
    expect(conv1.kinds.units.count + conv1.undecidedUnits).toBe(9216);
    expect(results.settings).toMatchObject({ images: count, k: 9, directions: 64, seed: 3 });
    expect(results.figures).toHaveLength(10);
    expect((await readdir(out)).sort()).toEqual(results.figures.map((f) => f.file).sort());
    expect(context.timings['property 1']).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('(the judge)'))).toHaveLength(2);
    expect(renderUnitsSection(results)).toContain('### convnet');
    for (const model of models.values()) model.dispose();
  }, 120_000);
});
