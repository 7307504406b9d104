/**
 * Cross-model generalization (Tables 2 and 4): how often a model misclassifies, w.r.t. the true label,
 * images made for another model, noisy copies of the originals, or perturbations amplified to a fixed
 * RMS.
 */
import type { Model } from '../nn/model.ts';
import { disposeDataset, uploadDataset } from '../nn/dataset.ts';
import { evaluate } from '../nn/evaluate.ts';

/** Fraction of `images` ([n × 784], any range) that `model` does not classify as `labels`. */
export async function errorRateOn(model: Model, images: Float32Array, labels: Int32Array): Promise<number> {
  if (labels.length === 0) return NaN;
  const copy = { images: Float32Array.from(images), labels: Int32Array.from(labels), count: labels.length };
  const dataset = uploadDataset(model.engine, copy, 'transfer set', { checkRange: false });
  try {
    return (await evaluate(model, dataset)).errorRate;
  } finally {
    disposeDataset(dataset);
  }
}

/** x + r·(rms / rms(r)), clipped to [0, 1] (paper.md: the stated intent of the paper's "amplified"). */
export function amplify(original: Float32Array, adversarial: Float32Array, rms: number): Float32Array {
  let sum = 0;
  for (let i = 0; i < original.length; i++) sum += (adversarial[i] - original[i]) ** 2;
  const current = Math.sqrt(sum / original.length);
  const scale = current > 0 ? rms / current : 0;
  const out = new Float32Array(original.length);
  for (let i = 0; i < original.length; i++) out[i] = Math.min(1, Math.max(0, original[i] + (adversarial[i] - original[i]) * scale));
  return out;
}

/** Per-pixel RMS difference between two stacks of images (the measured distortion of a row). */
export function rmsDifference(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}
