/** The blind-spot search on test digits, and the model's verdict on what it finds. */
import { noGrad, tensor, tidy } from '../src/index.ts';
import { findBlindSpots, type AttackProgress, type AttackReport } from '../src/attack/attack.ts';
import type { CSearchOptions } from '../src/attack/cSearch.ts';
import type { LabelledImages } from '../src/data/idx.ts';
import { MNIST_PIXELS } from '../src/data/idx.ts';
import type { Model } from '../src/nn/model.ts';

/** How hard the c search and each inner L-BFGS-B run try. */
export interface SearchBudget {
  cSearch: Partial<CSearchOptions>;
  maxIterations: number;
}

/** The search `blindspot reproduce` runs, a quicker one, and the check's tiny one. */
export const BUDGETS: Record<'full' | 'quick' | 'smoke', SearchBudget> = {
  full: { cSearch: {}, maxIterations: 100 },
  quick: { cSearch: { maxRefinements: 4, distortionTolerance: 0.01 }, maxIterations: 40 },
  smoke: { cSearch: { maxRefinements: 1, maxC: 1e4 }, maxIterations: 15 },
};

/** The model's answer for one image: the argmax and its softmax probability. */
export interface Verdict {
  label: number;
  probability: number;
}

/** The pixels of test image `index` (a view, not a copy). */
export function testImage(test: LabelledImages, index: number): Float32Array {
  return test.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS);
}

/** Classify `count` images at once; one GPU pass, one readback. */
export async function classify(model: Model, images: Float32Array, count = images.length / MNIST_PIXELS): Promise<Verdict[]> {
  const engine = model.engine;
  const input = tensor(engine, images, [count, MNIST_PIXELS]);
  const logits = noGrad(engine, () => tidy(engine, () => model.logits(input)));
  const values = await logits.data();
  logits.dispose();
  input.dispose();
  return Array.from({ length: count }, (_, i) => softmaxArgmax(values.subarray(i * 10, (i + 1) * 10)));
}

function softmaxArgmax(logits: Float32Array): Verdict {
  let best = 0;
  for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
  let total = 0;
  for (const v of logits) total += Math.exp(v - logits[best]);
  return { label: best, probability: 1 / total };
}

/**
 * Search blind spots of `images` (indices into the test set). `targets` gives one wrong label per image,
 * or 'random' draws them from `seed`; all searches share each GPU pass (the batched search).
 */
export async function searchBlindSpots(
  model: Model,
  test: LabelledImages,
  images: number[],
  targets: number[] | { random: number },
  budget: SearchBudget,
  onProgress?: (progress: AttackProgress) => void,
): Promise<AttackReport> {
  const pixels = new Float32Array(images.length * MNIST_PIXELS);
  images.forEach((index, k) => pixels.set(testImage(test, index), k * MNIST_PIXELS));
  const labels = images.map((index) => test.labels[index]);
  return findBlindSpots(model, pixels, labels, {
    targets: Array.isArray(targets) ? { kind: 'explicit', targets } : { kind: 'random', seed: targets.random },
    cSearch: budget.cSearch,
    lbfgsb: { maxIterations: budget.maxIterations },
    onProgress,
  });
}
