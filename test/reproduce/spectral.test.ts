/**
 * The reproduction's spectral step on tiny models: real attacks make the sets, computeSpectral turns them
 * into pairs and a Table 5 per model, with no bound violated and the bracket in order.
 */
import { describe, expect, it } from 'vitest';
import { findBlindSpots } from '../../src/attack/attack.ts';
import { logitsOf } from '../../src/attack/evaluateBatch.ts';
import { setFromReport, type AdversarialSet } from '../../src/attack/sets.node.ts';
import type { MnistData } from '../../src/data/mnist.node.ts';
import type { Model } from '../../src/nn/model.ts';
import type { ReproduceContext, ReproduceOptions } from '../../src/reproduce/context.ts';
import { computeSpectral, pairsFromSet } from '../../src/reproduce/spectral.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';
import { conv, dense, randomModel, testSpec } from '../analysis/smallModels.ts';

const getEngine = useTestEngine();

/** Random 28×28 images labelled as `model` classifies them, so every one is attacked. */
async function labelledBy(model: Model, count: number, random: () => number) {
  const images = Float32Array.from({ length: count * 784 }, () => random());
  const logits = await logitsOf(model, images, count);
  const labels = Int32Array.from({ length: count }, (_, i) => {
    const z = Array.from(logits.subarray(i * 10, (i + 1) * 10));
    return z.indexOf(Math.max(...z));
  });
  return { images, labels, count };
}

describe('computeSpectral', () => {
  it('gives every model of the run its Table 5, with pairs from its adversarial set', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    const models = new Map<string, Model>([
      ['tiny MLP', randomModel(engine, testSpec('tiny MLP', [784], [dense(784, 6, 'sigmoid'), dense(6, 10, 'none')]), seed, random)],
      ['tiny convnet', randomModel(engine, testSpec('tiny convnet', [1, 28, 28], [conv(1, 2, 5, 3, 1), { kind: 'maxpool', size: 2 }, dense(32, 10, 'none')]), seed, random)],
      ['no set', randomModel(engine, testSpec('no set', [784], [dense(784, 10, 'none')]), seed, random)],
    ]);
    const train = await labelledBy(models.get('tiny MLP')!, 4, random);
    const data: MnistData = { train, test: await labelledBy(models.get('tiny convnet')!, 3, random), source: 'random images', identity: { name: 'random images', files: [] } };
    const sets = new Map<string, AdversarialSet>();
    for (const [name, source] of [['tiny MLP', 'train'], ['tiny convnet', 'test']] as const) {
      const split = data[source];
      const report = await findBlindSpots(models.get(name)!, split.images, split.labels, {
        targets: { kind: 'random', seed },
        cSearch: { maxRefinements: 3 },
        lbfgsb: { maxIterations: 30 },
      });
      const indices = Array.from({ length: split.count }, (_, i) => i);
      sets.set(name, setFromReport(report, { name, model: name, source, targetMode: 'random', config: {}, datasetIndices: indices }));
    }
    const lines: string[] = [];
    const options = { seed } as ReproduceOptions;
    const context: ReproduceContext = { engine, options, data, models, records: new Map(), log: (line) => lines.push(line), timings: {} };
    const results = await computeSpectral(context, sets, { power: { margin: 0.05 } });

    expect(results.map((r) => r.model)).toEqual(['tiny MLP', 'tiny convnet', 'no set']);
    for (const r of results) expect(r.violations, `seed=${seed} ${r.model}`).toEqual([]);
    const [mlp, convnet, bare] = results;
    expect(mlp.pairs).toBe(sets.get('tiny MLP')!.successes);
    expect(mlp.pairs + convnet.pairs, `seed=${seed}: the attacks must give pairs to measure`).toBeGreaterThan(0);
    expect(convnet.bounds.layers.map((l) => l.method)).toEqual([expect.stringMatching(/DFT|power iteration/), 'max-pooling', 'power iteration']);
    expect(convnet.bounds.layers[0].dft!.periods).toEqual([30, 30]);
    for (const r of [mlp, convnet]) {
      if (r.pairs === 0) continue;
      expect(r.certified!.meanLower, `seed=${seed} ${r.model}`).toBeLessThanOrEqual(r.certified!.meanUpper);
      expect(r.adversarial!.network.max).toBeLessThanOrEqual(r.bounds.product);
    }
    expect(bare.pairs).toBe(0);
    expect(bare.certified).toBeNull();
    expect(context.timings.spectral).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('∏ L_k'))).toHaveLength(3);

    // pairsFromSet: every success, with the originals of the split the set attacked.
    const pairs = pairsFromSet(sets.get('tiny convnet')!, data);
    const successes = sets.get('tiny convnet')!.examples.filter((e) => e.success);
    expect(pairs.labels.length).toBe(successes.length);
    successes.forEach((e, i) => expect(pairs.originals.subarray(i * 784, (i + 1) * 784)).toEqual(data.test.images.subarray(e.index * 784, (e.index + 1) * 784)));
    const relabelled = { ...data, test: { ...data.test, labels: data.test.labels.map((l) => (l + 1) % 10) } };
    if (successes.length > 0) expect(() => pairsFromSet(sets.get('tiny convnet')!, relabelled)).toThrow(/another dataset/);
    for (const m of models.values()) m.dispose();
  });
});
