/**
 * The attack's inner loop on the GPU: for k candidate images x' with targets l and constants c, the
 * cross-entropies CE(f(x'), l), the gradients c·∂CE/∂x' and the logits, in one forward+backward pass. Rows
 * are independent (no layer mixes examples), so one batch serves k unrelated problems.
 */
import { valueAndGrads } from '../autograd/tape.ts';
import { keep, tidy } from '../tensor/context.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { softmaxCrossEntropy } from '../tensor/ops/softmax.ts';
import { noGrad } from '../tensor/record.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Classifier } from '../nn/model.ts';

export interface BatchGradient {
  /** CE per row [k]. */
  crossEntropy: Float32Array;
  /** c_row · ∂CE_row/∂x' [k × pixels]. */
  gradient: Float32Array;
  /** The logits of every row [k × classes], from the same forward pass. */
  logits: Float32Array;
}

export async function crossEntropyAndGradient(model: Classifier, points: Float32Array, targets: Float32Array, cs: Float32Array): Promise<BatchGradient> {
  const engine = model.engine;
  const k = targets.length;
  const pixels = points.length / k;
  const input = tensor(engine, points, [k, pixels]);
  const labels = tensor(engine, targets, [k]);
  let logits: Tensor | null = null;
  try {
    const { value, grads } = valueAndGrads(
      engine,
      () => {
        // Kept out of the tape's tidy scope so the success test can read it with the values.
        logits = keep(model.logits(input));
        return softmaxCrossEntropy(logits, labels, { reduction: 'none' });
      },
      [input],
      // Seeding the backward pass with c weights each row's gradient by its own constant.
      () => tensor(engine, cs, [k]),
    );
    const [crossEntropy, gradient, logitValues] = await Promise.all([value.data(), grads[0].data(), logits!.data()]);
    value.dispose();
    grads[0].dispose();
    return { crossEntropy, gradient, logits: logitValues };
  } finally {
    (logits as Tensor | null)?.dispose();
    input.dispose();
    labels.dispose();
  }
}

/** Logits [k × classes] of k images (no gradient). */
export async function logitsOf(model: Classifier, points: Float32Array, count: number): Promise<Float32Array> {
  const engine = model.engine;
  const input = tensor(engine, points, [count, points.length / count]);
  const logits = noGrad(engine, () => tidy(engine, () => model.logits(input)));
  const values = await logits.data();
  logits.dispose();
  input.dispose();
  return values;
}
