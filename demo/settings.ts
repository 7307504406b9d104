/** What the page offers: the network it starts from, and how it trains each model of the zoo. */
import { nn } from 'blindspot';
import { MNIST_COUNTS } from './mnist.ts';

/** The trained network the page starts from unless `?model=` names another. */
export const DEFAULT_CHECKPOINT = 'FC100-100-10-full.safetensors';

/** Test images Property 1 ranks (the first ones of the test set): enough for coherent top-9 sets, fast on a CPU adapter. */
export const UNITS_IMAGES = 2000;

/** How the page trains one model: fewer images and epochs than the zoo, for a minute on a CPU adapter. */
export interface PageTraining {
  /** The first this many MNIST training images. */
  images: number;
  /** SGD epochs; for a model trained with L-BFGS, iterations. */
  length: number;
  batch: number;
  learningRate: number;
  warmupEpochs: number;
  schedule: nn.LearningRateSchedule;
  /**
   * AE400-10: the softmax on the frozen code is trained with full-batch L-BFGS for this many iterations (a
   * convex problem), while `length` counts the autoencoder's epochs of SGD.
   */
  softmaxIterations?: number;
  /**
   * AE400-10: the sparsity penalty's weight β in the page's short autoencoder stage (the zoo's, 1, suits
   * six full epochs; after one short epoch it leaves a code the softmax reads poorly).
   */
  sparsityWeight?: number;
  /** L-BFGS: count the test and training error every this many iterations (default 10), and at the end. */
  evaluateEvery?: number;
  /** Test images counted for the test error (the first ones; all 10 000 unless the model is slow to run). */
  testImages: number;
}

/**
 * Per model: a minute or so of training here, chosen with a NumPy replica of the SGD loop (which lands
 * within 0.3 points of blindspot's own runs) and measured in the page with `node demo/demo.check.mjs
 * --train <model>` (demo/README.md has the numbers). The sigmoid nets take the zoo's rate along a cosine,
 * without the zoo's warm-up where they can (in the replica, 2 epochs with one of warm-up leave
 * FC100-100-10 at 7.8% test error instead of 6.7%), with one epoch of it where they cannot (FC123-456-10 and FC200-200-10 stall or diverge
 * without). AE400-10's autoencoder is the costliest model per image here: it gets one epoch of 6 000
 * images at batch 64 with a weak sparsity penalty (β = 0.03; the zoo's β = 1 left 23% test error after a
 * minute, β = 0.1 10–13%, 0 11%: runs of blindspot's own fitModel in Node, 1 000 test images), and the
 * softmax on its frozen code, a convex problem, is solved by L-BFGS on codes computed once.
 */
const PAGE_TRAINING: Record<string, Partial<PageTraining>> = {
  'FC10(1e-4)': { images: 10000, length: 30 },
  'FC10(1e-2)': { images: 10000, length: 30 },
  'FC10(1)': { images: 10000, length: 30 },
  'FC100-100-10': { images: 20000, length: 2 },
  'FC200-200-10': { images: 10000, length: 2, batch: 64, warmupEpochs: 1 },
  'FC123-456-10': { images: 10000, length: 2, batch: 64, warmupEpochs: 1 },
  'AE400-10': { images: 6000, length: 1, batch: 64, sparsityWeight: 0.03, softmaxIterations: 100, evaluateEvery: 25 },
  convnet: { images: 4000, length: 1, batch: 32, testImages: 1000 },
};

/** How the page trains `spec` by default. */
export function pageTraining(spec: nn.ModelSpec): PageTraining {
  const t = spec.training;
  return {
    images: 10000,
    length: t.optimizer === 'lbfgs' ? 30 : 2,
    batch: t.batch,
    learningRate: t.learningRate,
    warmupEpochs: 0,
    schedule: { kind: 'cosine' },
    testImages: MNIST_COUNTS.test,
    ...PAGE_TRAINING[spec.name],
  };
}

/** Training-subset sizes offered (every model's default among them). */
export const TRAIN_COUNTS = [1000, 2000, 4000, 6000, 10000, 20000, 30000, 60000];

/**
 * The checkpoint `?model=` asks for: a checkpoint file of the zoo, or a model name (its full-set
 * checkpoint, else its first).
 * @throws Error listing the trained zoo when it names none of it.
 */
export function requestedCheckpoint(params: URLSearchParams, zoo: readonly nn.TrainingRecord[]): string {
  const wanted = params.get('model');
  if (wanted === null) return DEFAULT_CHECKPOINT;
  const byFile = zoo.find((r) => r.checkpoint === wanted);
  const byName = zoo.filter((r) => r.model.toLowerCase() === wanted.toLowerCase());
  const found = byFile ?? byName.find((r) => r.set === 'full' && !r.variant) ?? byName[0];
  if (!found) throw new Error(`?model=${wanted}: not in the trained zoo (${zoo.map((r) => r.checkpoint).join(', ')})`);
  return found.checkpoint;
}
