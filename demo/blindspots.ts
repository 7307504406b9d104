/**
 * The blind-spot search as the page runs it, and what it shows of the results: every image the search
 * finds is rounded to 8-bit pixels and classified again, so that what the page shows (and what a
 * downloaded PNG holds) is an image the model reads as shown, at the distortion shown.
 */
import { attack, data, noGrad, tensor, tidy, type nn } from 'blindspot';
import { quantize8 } from './pixels.ts';

/** How hard the c search and each inner L-BFGS-B run try. */
export interface SearchBudget {
  cSearch: Partial<attack.CSearchOptions>;
  maxIterations: number;
}

/**
 * - quick: two refinements of c, pinned to 2% of the distortion, at most 30 L-BFGS-B iterations per c: the
 *   nine targets of an FC100-100-10 digit take a few seconds on SwiftShader, and give distortions within
 *   about 1% of the full search's.
 * - full: the search `blindspot reproduce` runs (the attack's defaults).
 */
export const BUDGETS: Record<'quick' | 'full', SearchBudget> = {
  quick: { cSearch: { maxRefinements: 2, distortionTolerance: 0.02 }, maxIterations: 30 },
  full: { cSearch: {}, maxIterations: 100 },
};

/**
 * The lead the target's logit must have over every other at the search's minimizer. A blind spot sits on
 * the decision boundary; rounding it to 8-bit pixels (a change of RMS ≤ 1/510 per pixel) moved the leads
 * of FC100-100-10's blind spots by up to 0.03 (90 searches on the zoo checkpoint), so with 0.1 they keep
 * their target. It costs about 0.2% of distortion. The page classifies every rounded image again and
 * says so when one falls back anyway.
 */
export const SEARCH_MARGIN = 0.1;

/** The model's answer for one image: the argmax and its softmax probability. */
export interface Verdict {
  label: number;
  probability: number;
}

/** One (image, target) search as shown: its image rounded to 8-bit pixels and classified again. */
export interface ShownSpot {
  target: number;
  /**
   * - found: the 8-bit image is read as the target;
   * - rounded back: the search found one, but the model reads its 8-bit rounding as `verdict.label`;
   * - not found: the c search gave up (`reason`).
   */
  status: 'found' | 'rounded back' | 'not found';
  /** The 8-bit image (values k/255), null when none was found. */
  adversarial: Float32Array | null;
  /** RMS per pixel between the 8-bit image and the original; NaN when none was found. */
  distortion: number;
  /** The model's reading of the 8-bit image. */
  verdict: Verdict | null;
  c: number;
  trials: attack.CTrial[];
  evaluations: number;
  reason?: string;
}

/** One searched image: its original (8-bit), the model's reading of it, and its searches. */
export interface ShownImage {
  /** What the image is: the test label, or for a drawing the model's reading. */
  label: number;
  original: Float32Array;
  reading: Verdict;
  /** False when the model already misreads the image (nothing to search). */
  attacked: boolean;
  spots: ShownSpot[];
  /** The found spot with the smallest distortion. */
  minimum: ShownSpot | null;
}

export interface ShownSearch {
  images: ShownImage[];
  rounds: number;
  evaluations: number;
  seconds: number;
}

/** Classify `count` images at once; one GPU pass, one readback. */
export async function classify(model: nn.Model, images: Float32Array, count = images.length / data.MNIST_PIXELS): Promise<Verdict[]> {
  const engine = model.engine;
  const logits = noGrad(engine, () => tidy(engine, () => model.logits(tensor(engine, images, [count, data.MNIST_PIXELS]))));
  const values = await logits.data();
  logits.dispose();
  return Array.from({ length: count }, (_, i) => softmaxArgmax(values.subarray(i * data.MNIST_CLASSES, (i + 1) * data.MNIST_CLASSES)));
}

function softmaxArgmax(logits: Float32Array): Verdict {
  let best = 0;
  for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
  let total = 0;
  for (const v of logits) total += Math.exp(v - logits[best]);
  return { label: best, probability: 1 / total };
}

/**
 * Search blind spots of `originals` (8-bit images laid end to end, one label each) for `targets`, all
 * searches sharing each GPU pass, then round what they find to 8-bit pixels and classify it again.
 * @throws Error when an original is not 8-bit (its distortion could not be shown exactly).
 */
export async function searchBlindSpots(
  model: nn.Model,
  originals: Float32Array,
  labels: number[],
  targets: attack.TargetMode,
  budget: SearchBudget,
  onProgress?: (progress: attack.AttackProgress) => void,
): Promise<ShownSearch> {
  if (quantize8(originals).some((v, i) => v !== originals[i])) throw new Error('searchBlindSpots: the originals must be 8-bit images (values k/255)');
  const report = await attack.findBlindSpots(model, originals, labels, {
    targets,
    margin: SEARCH_MARGIN,
    cSearch: budget.cSearch,
    lbfgsb: { maxIterations: budget.maxIterations },
    onProgress,
  });
  const found = report.images.flatMap((r) => r.examples.filter((e) => e.adversarial !== null));
  const rounded = found.map((e) => quantize8(e.adversarial!));
  const stacked = new Float32Array(originals.length + rounded.length * data.MNIST_PIXELS);
  stacked.set(originals);
  rounded.forEach((image, k) => stacked.set(image, originals.length + k * data.MNIST_PIXELS));
  const verdicts = await classify(model, stacked);
  const readingOf = new Map(found.map((e, k) => [e, { image: rounded[k], verdict: verdicts[labels.length + k] }]));

  const images = report.images.map((r, i): ShownImage => {
    const original = originals.subarray(i * data.MNIST_PIXELS, (i + 1) * data.MNIST_PIXELS);
    const spots = r.examples.map((e): ShownSpot => {
      const shown = readingOf.get(e);
      const status = !shown ? 'not found' : shown.verdict.label === e.target ? 'found' : 'rounded back';
      return {
        target: e.target,
        status,
        adversarial: shown?.image ?? null,
        distortion: shown ? attack.distortion(shown.image, original) : NaN,
        verdict: shown?.verdict ?? null,
        c: e.c,
        trials: e.trials,
        evaluations: e.evaluations,
        reason: e.reason,
      };
    });
    const minimum = spots.filter((s) => s.status === 'found').reduce<ShownSpot | null>((best, s) => (!best || s.distortion < best.distortion ? s : best), null);
    return { label: r.label, original, reading: verdicts[i], attacked: r.attacked, spots, minimum };
  });
  return { images, rounds: report.rounds, evaluations: report.evaluations, seconds: report.seconds };
}
