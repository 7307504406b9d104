/**
 * Beyond the paper: a certified lower bound on the smallest perturbation that changes a label, from the
 * Lipschitz bounds, beside the attack's upper bound (the distortion it found).
 *
 * For an image x of true label y and another class t, the logit difference g_t = z_y − z_t changes by at
 * most L_{y,t}·‖r‖ under a perturbation r. When the last layer is dense without activation,
 * g_t = (w_y − w_t)·h + (b_y − b_t) with h the previous layer's output, so L_{y,t} = ‖w_y − w_t‖·∏_{k<last} L_k
 * (tighter than the last layer's whole norm); otherwise L_{y,t} = √2·∏ L_k. Class t can only win over y
 * once g_t ≤ 0, so every r that makes t win has ‖r‖ ≥ g_t(x)/L_{y,t}: for the attack's target, and, with
 * the smallest over t ≠ y, for any label change. Distances are per-pixel RMS (‖r‖₂/√pixels), the unit
 * of the attack's distortion.
 */
import type { Model } from '../nn/model.ts';
import { tidy } from '../tensor/context.ts';
import { tensor } from '../tensor/ops/fill.ts';
import type { SpectralBounds } from './layerBounds.ts';
import { median } from './pairRatios.ts';

/** One attacked image: its certified radius and the attack's distortion. */
export interface CertifiedExample {
  label: number;
  target: number;
  /** z_y − z_target at the original image. */
  margin: number;
  /** No perturbation of smaller RMS makes `target` win over `label`. */
  lowerTarget: number;
  /** No perturbation of smaller RMS changes the label at all. */
  lowerAny: number;
  /** The attack's distortion (RMS): an upper bound for reaching `target`. */
  upper: number;
}

/** Per-model summary of the bracket [certified lower bound, attack's distortion]. */
export interface CertifiedBracket {
  count: number;
  /** Mean certified radius for the attack's target (RMS). */
  meanLower: number;
  /** Mean certified radius against any label change (RMS). */
  meanLowerAny: number;
  /** Mean distortion the attack needed (RMS). */
  meanUpper: number;
  /** meanUpper / meanLower: how far apart the bracket's ends sit. */
  ratio: number;
  /** Median over images of upper / lowerTarget. */
  medianRatio: number;
  /** Images whose certified radius exceeds the attack's distortion (a bug if ever > 0). */
  violations: number;
  examples: CertifiedExample[];
}

/** What the certificate needs besides the model: the attacked images, their labels, targets and distortions. */
export interface AttackedImages {
  /** [count × pixels] originals. */
  originals: Float32Array;
  labels: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** The attack's distortion per image (RMS). */
  distortions: ArrayLike<number>;
}

/** Relative slack for f32 logits before a certified radius above a found distortion counts as a bug. */
const VIOLATION_SLACK = 1e-3;

/** L_{y,t} for every class pair, as a [classes × classes] table. */
async function pairLipschitz(model: Model, bounds: SpectralBounds, classes: number): Promise<Float64Array> {
  const last = model.spec.layers.length - 1;
  const lastLayer = model.spec.layers[last];
  const table = new Float64Array(classes * classes);
  if (lastLayer.kind !== 'dense' || lastLayer.activation !== 'none') {
    return table.fill(Math.SQRT2 * bounds.product);
  }
  const before = bounds.layers.slice(0, last).reduce((p, l) => p * l.bound, 1);
  const w = await model.parameters.get(`layer${last}.weight`)!.data();
  for (let y = 0; y < classes; y++) {
    for (let t = 0; t < classes; t++) {
      let sum = 0;
      for (let i = 0; i < lastLayer.inputs; i++) sum += (w[i * classes + y] - w[i * classes + t]) ** 2;
      table[y * classes + t] = Math.sqrt(sum) * before;
    }
  }
  return table;
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** The certified bracket of `model` on attacked images, from its Table 5 bounds. */
export async function certifiedBracket(model: Model, bounds: SpectralBounds, attacked: AttackedImages): Promise<CertifiedBracket> {
  const count = attacked.labels.length;
  const pixels = model.spec.inputShape.reduce((p, d) => p * d, 1);
  if (attacked.originals.length !== count * pixels || attacked.targets.length !== count || attacked.distortions.length !== count) {
    throw new Error(`certifiedBracket: ${attacked.originals.length / pixels} images, ${count} labels, ${attacked.targets.length} targets, ${attacked.distortions.length} distortions`);
  }
  const logitsTensor = tidy(model.engine, () => model.logits(tensor(model.engine, attacked.originals, [count, pixels])));
  const logits = await logitsTensor.data();
  logitsTensor.dispose();
  const classes = logits.length / count;
  const lipschitz = await pairLipschitz(model, bounds, classes);
  const rms = Math.sqrt(pixels);
  const examples: CertifiedExample[] = [];
  for (let i = 0; i < count; i++) {
    const y = attacked.labels[i];
    const t = attacked.targets[i];
    if (!(Number.isInteger(y) && Number.isInteger(t) && y >= 0 && t >= 0 && y < classes && t < classes && y !== t)) {
      throw new Error(`certifiedBracket: image ${i} has label ${y} and target ${t}; both must be distinct classes in 0..${classes - 1}`);
    }
    const z = logits.subarray(i * classes, (i + 1) * classes);
    const radius = (u: number) => Math.max(0, z[y] - z[u]) / lipschitz[y * classes + u] / rms;
    let lowerAny = Infinity;
    for (let u = 0; u < classes; u++) if (u !== y) lowerAny = Math.min(lowerAny, radius(u));
    examples.push({ label: y, target: t, margin: z[y] - z[t], lowerTarget: radius(t), lowerAny, upper: attacked.distortions[i] });
  }
  const meanLower = mean(examples.map((e) => e.lowerTarget));
  const meanUpper = mean(examples.map((e) => e.upper));
  return {
    count,
    meanLower,
    meanLowerAny: mean(examples.map((e) => e.lowerAny)),
    meanUpper,
    ratio: meanUpper / meanLower,
    medianRatio: median(examples.map((e) => e.upper / e.lowerTarget)),
    violations: examples.filter((e) => e.lowerTarget > e.upper * (1 + VIOLATION_SLACK)).length,
    examples,
  };
}
