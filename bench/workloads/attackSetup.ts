/**
 * What the whole-attack workloads attack: FC100-100-10 trained briefly on real MNIST images, and test
 * images it classifies correctly, each with a seeded wrong target. An attack on random weights and noise
 * would time a different search (no class to leave, no structure to exploit), so the model is trained in
 * the workload's setup, outside the timed region. Done once per page or process and seed; every instance
 * uploads the same weights to its own engine.
 */
import type { Engine } from '../../src/gpu/engine.ts';
import { chooseTargets } from '../../src/attack/targets.ts';
import { imagesToFloat32, labelsToInt32, MNIST_PIXELS, parseIdx, type LabelledImages } from '../../src/data/idx.ts';
import { disposeDataset, uploadDataset } from '../../src/nn/dataset.ts';
import { predict } from '../../src/nn/evaluate.ts';
import { Model } from '../../src/nn/model.ts';
import { train } from '../../src/nn/train.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { createRng, deriveSeed, permutation } from '../../src/util/random.ts';

export type MnistFile = 'train-images-idx3-ubyte' | 'train-labels-idx1-ubyte' | 't10k-images-idx3-ubyte' | 't10k-labels-idx1-ubyte';

export const MODEL = 'FC100-100-10';
/** The first this many training images, three epochs: seconds of setup on a CPU adapter, ~14 % test error. */
export const TRAIN_IMAGES = 5000;
const TRAINING = { epochs: 3, batch: 128, learningRate: 0.5, momentum: 0.9 } as const;
/** Test images screened (in a seeded order) for correctly classified ones. */
const TEST_POOL = 2000;
/** The most images any attack workload attacks. */
export const MAX_ATTACKED = 1000;

export interface AttackSet {
  /** Trained parameters by checkpoint name. */
  weights: { name: string; shape: number[]; data: Float32Array }[];
  /** MAX_ATTACKED correctly classified test images [MAX_ATTACKED × 784], their labels and wrong targets. */
  images: Float32Array;
  labels: Int32Array;
  targets: Int32Array;
  /** For the results: how the model came about and how good it is. */
  summary: string;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
const cache = new Map<number, Promise<AttackSet>>();

/** The attack set of a seed, trained on `engine` the first time it is asked for. */
export function attackSet(engine: Engine, seed: number): Promise<AttackSet> {
  let set = cache.get(seed);
  if (!set) {
    set = makeAttackSet(engine, seed);
    cache.set(seed, set);
    // A failure (say the files are missing) must not be remembered for the next workload.
    set.catch(() => cache.delete(seed));
  }
  return set;
}

/** FC100-100-10 on `engine` with the set's trained weights. */
export function attackedModel(engine: Engine, set: AttackSet): Model {
  const model = Model.create(engine, modelSpec(MODEL), 0);
  for (const { name, shape, data } of set.weights) {
    model.parameters.get(name)!.dispose();
    model.parameters.set(name, tensor(engine, data, shape));
  }
  return model;
}

async function makeAttackSet(engine: Engine, seed: number): Promise<AttackSet> {
  const { mnistBytes } = isNode ? await import('./mnistFiles.node.ts') : await import('./mnistFiles.browser.ts');
  const load = async (images: MnistFile, labels: MnistFile, count: number) =>
    firstImages(await mnistBytes(images), images, await mnistBytes(labels), labels, count);
  const trainSet = await load('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', TRAIN_IMAGES);
  const test = await load('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 10000);

  const started = performance.now();
  const model = Model.create(engine, modelSpec(MODEL), seed);
  const gpuTrain = uploadDataset(engine, trainSet, 'bench training images');
  const order = permutation(test.count, createRng(deriveSeed(seed, 'bench attacked test images'))).slice(0, TEST_POOL);
  const pool = tensor(engine, gather(test.images, order, MNIST_PIXELS), [TEST_POOL, MNIST_PIXELS]);
  try {
    await train(model, gpuTrain, null, { ...TRAINING, seed });
    const trainSeconds = (performance.now() - started) / 1000;
    const predicted = await predict(model, pool);
    const correct = Array.from(order.keys()).filter((i) => predicted[i] === test.labels[order[i]]);
    if (correct.length < MAX_ATTACKED) {
      throw new Error(`the briefly trained ${MODEL} classifies only ${correct.length} of ${TEST_POOL} test images correctly; ${MAX_ATTACKED} are needed`);
    }
    const chosen = correct.slice(0, MAX_ATTACKED).map((i) => order[i]);
    const labels = Int32Array.from(chosen, (i) => test.labels[i]);
    const targets = Int32Array.from(chooseTargets(labels, { kind: 'random', seed }), (t) => t[0]);
    const weights = await Promise.all(
      [...model.parameters].map(async ([name, t]) => ({ name, shape: [...t.shape], data: await t.data() })),
    );
    const testError = 1 - correct.length / TEST_POOL;
    return {
      weights,
      images: gather(test.images, chosen, MNIST_PIXELS),
      labels,
      targets,
      summary:
        `${MODEL} trained in setup (${TRAINING.epochs} epochs on the first ${TRAIN_IMAGES} MNIST training images, batch ` +
        `${TRAINING.batch}, lr ${TRAINING.learningRate}, momentum ${TRAINING.momentum}; ${trainSeconds.toFixed(1)} s, not timed); ` +
        `test error ${(100 * testError).toFixed(1)} % on ${TEST_POOL} test images`,
    };
  } finally {
    model.dispose();
    disposeDataset(gpuTrain);
    pool.dispose();
  }
}

/** The first `count` images of an IDX pair, decoded (the whole training set would be 188 MB of floats). */
function firstImages(imageBytes: Uint8Array, imageName: string, labelBytes: Uint8Array, labelName: string, count: number): LabelledImages {
  const images = parseIdx(imageBytes, imageName, 'images');
  const labels = parseIdx(labelBytes, labelName, 'labels');
  const n = Math.min(count, images.dims[0], labels.dims[0]);
  return {
    images: imagesToFloat32({ ...images, dims: [n, images.dims[1], images.dims[2]], data: images.data.subarray(0, n * MNIST_PIXELS) }, imageName),
    labels: labelsToInt32({ ...labels, dims: [n], data: labels.data.subarray(0, n) }, labelName),
    count: n,
  };
}

/** Rows `indices` of a row-major array with rows of `width`. */
function gather(data: Float32Array, indices: ArrayLike<number>, width: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) out.set(data.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  return out;
}
