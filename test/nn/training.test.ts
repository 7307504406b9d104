import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.ts';
import { subset } from '../../src/data/split.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.node.ts';
import { disposeDataset, uploadDataset, type GpuDataset } from '../../src/nn/dataset.ts';
import { evaluate, predict } from '../../src/nn/evaluate.ts';
import { fitModel } from '../../src/nn/fit.ts';
import { Model } from '../../src/nn/model.ts';
import { train } from '../../src/nn/train.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();
let mnist: MnistData;
let small: GpuDataset;
let smallTest: GpuDataset;
let dir: string;

beforeAll(async () => {
  mnist = await loadMnist();
  dir = await mkdtemp(join(tmpdir(), 'blindspot-train-'));
});
afterAll(async () => {
  if (small) disposeDataset(small);
  if (smallTest) disposeDataset(smallTest);
  await rm(dir, { recursive: true, force: true });
});

function setUp() {
  const engine = getEngine();
  small ??= uploadDataset(engine, subset(mnist.train, Array.from({ length: 2048 }, (_, i) => i)), 'train[0:2048]');
  smallTest ??= uploadDataset(engine, subset(mnist.test, Array.from({ length: 500 }, (_, i) => i)), 'test[0:500]');
  return engine;
}

describe('training', () => {
  it('a few SGD steps lower the loss of FC100-100-10 and keep GPU memory flat', async () => {
    const engine = setUp();
    const model = Model.create(engine, modelSpec('FC100-100-10'), 3);
    const losses: number[] = [];
    const liveBefore = contextOf(engine).live;
    await train(model, small, null, { epochs: 1, batch: 64, learningRate: 0.5, momentum: 0.9, seed: 1, reportEvery: 8, onProgress: (p) => !p.done && losses.push(p.loss) });
    const memoryAfterOne = engine.memory().bytesAllocated;
    await train(model, small, null, { epochs: 1, batch: 64, learningRate: 0.5, momentum: 0.9, seed: 2, reportEvery: 8, onProgress: (p) => !p.done && losses.push(p.loss) });
    expect(losses.length).toBe(8);
    expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]);
    expect(engine.memory().bytesAllocated).toBe(memoryAfterOne);
    expect(contextOf(engine).live).toBe(liveBefore);
    const { errorRate } = await evaluate(model, smallTest);
    // Far better than chance (90%) after two short epochs of sigmoid-net training.
    expect(errorRate).toBeLessThan(0.6);
    model.dispose();
  });

  it('the sparse autoencoder stage of AE400-10 lowers its reconstruction loss and leaves the encoder frozen after', async () => {
    const engine = setUp();
    const ae = modelSpec('AE400-10');
    const spec = { ...ae, training: { ...ae.training, epochs: 1, batch: 64, learningRate: 0.1, schedule: { kind: 'exponential', decayPerEpoch: 1 } as const, warmupEpochs: 0 } };
    const losses = { autoencoder: [] as number[], supervised: [] as number[] };
    let stage: keyof typeof losses = 'autoencoder';
    const epochEnds: { stage: string; trainError?: number; testError?: number }[] = [];
    const fit = await fitModel(engine, spec, small, smallTest, {
      ...spec.training,
      seed: 4,
      examplesPerEpoch: 1024,
      reportEvery: 4,
      onStage: (s) => (stage = s),
      onProgress: (p) => (p.done ? epochEnds.push({ stage, trainError: p.trainError, testError: p.testError }) : losses[stage].push(p.loss)),
    });
    // Errors are counted each epoch of the supervised stage only (the autoencoder has no labels).
    expect(epochEnds.map((e) => e.stage)).toEqual(['autoencoder', 'supervised']);
    expect(epochEnds[0].trainError).toBeUndefined();
    expect(epochEnds[1].trainError).toBeGreaterThanOrEqual(0);
    expect(epochEnds[1].trainError).toBeLessThan(0.9);
    expect(epochEnds[1].testError).toBeLessThan(0.9);
    expect(losses.autoencoder.length).toBeGreaterThan(2);
    expect(losses.autoencoder.at(-1)!).toBeLessThan(losses.autoencoder[0]);
    expect(losses.supervised.length).toBeGreaterThan(2);
    expect(fit.model.trainableNames()).toEqual(['layer1.weight', 'layer1.bias']);
    fit.model.dispose();
  });
});

describe('checkpoints of models', () => {
  it('round trip: a loaded model predicts exactly what the saved one did', async () => {
    const engine = setUp();
    const spec = modelSpec('FC10(1e-2)');
    const model = Model.create(engine, spec, 9);
    await train(model, small, null, { epochs: 1, batch: 128, learningRate: 0.5, momentum: 0.9, seed: 1 });
    const path = join(dir, 'fc10.safetensors');
    const { meta, tensors } = await model.toCheckpoint({ trainingSet: 'full', seed: 9, errors: { test: 0.1 } });
    await saveCheckpoint(path, meta, tensors);
    const loaded = Model.fromCheckpoint(engine, spec, await loadCheckpoint(path));
    const images = tensor(engine, mnist.test.images.subarray(0, 100 * 784), [100, 784]);
    expect(await predict(loaded, images)).toEqual(await predict(model, images));
    images.dispose();
    loaded.dispose();
    model.dispose();
  });

  it('a checkpoint of another model, or of another shape, is refused with what differs', async () => {
    const engine = setUp();
    const model = Model.create(engine, modelSpec('FC100-100-10'), 1);
    const path = join(dir, 'fc100.safetensors');
    const { meta, tensors } = await model.toCheckpoint({ trainingSet: 'full', seed: 1 });
    await saveCheckpoint(path, meta, tensors);
    const checkpoint = await loadCheckpoint(path);
    expect(() => Model.fromCheckpoint(engine, modelSpec('FC200-200-10'), checkpoint)).toThrow(/FC100-100-10|FC200-200-10/);
    const renamed = { ...checkpoint, meta: { ...checkpoint.meta, model: 'FC123-456-10' } };
    expect(() => Model.fromCheckpoint(engine, modelSpec('FC123-456-10'), renamed)).toThrow(/tensor "layer0\.weight" has shape \[784, 100\], expected \[784, 123\]/);
    model.dispose();
  });
});
