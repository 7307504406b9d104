/**
 * Reverse-mode autodiff on a tape. Ops call `record` (tensor/record.ts, the layer below) after computing
 * their output; while a recording is active (inside {@link valueAndGrads}) and one of the op's inputs
 * depends on a watched tensor, the op's backward closure is kept. Backward walks the records in reverse, calls each closure with the gradient
 * of its output, and sums the gradients that reach the same tensor. Backward rules are written with other
 * ops, with recording off, so they run on the same kernels as the forward pass.
 */
import type { Engine } from '../gpu/engine.ts';
import { contextOf } from '../tensor/context.ts';
import { Recording } from '../tensor/record.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { add } from '../tensor/ops/binary.ts';
import { fillLike } from '../tensor/ops/fill.ts';

export interface ValueAndGrads {
  /** The scalar (or seeded) output of `fn`. */
  value: Tensor;
  /** d value / d wrt[i], same shapes as `wrt`; zeros where the value does not depend on it. */
  grads: Tensor[];
}

/**
 * Evaluate `fn` and the gradient of its result with respect to each tensor in `wrt` (parameters or
 * inputs alike: the attack asks for d loss / d image). The result must have one element unless
 * `seed` (the gradient of some scalar with respect to the result) is given. Every intermediate tensor is
 * freed; only `value` and `grads` survive.
 */
export function valueAndGrads(engine: Engine, fn: () => Tensor, wrt: Tensor[], seed?: (value: Tensor) => Tensor): ValueAndGrads {
  const context = contextOf(engine);
  if (context.recording) throw new Error('valueAndGrads: nested gradient tapes are not supported');
  return context.tidy(() => {
    const recording = new Recording(wrt);
    context.recording = recording;
    let value: Tensor;
    try {
      value = fn();
    } finally {
      context.recording = null;
    }
    if (!seed && value.size !== 1) {
      throw new Error(`valueAndGrads: the function returned shape [${value.shape}]; give a seed for non-scalar outputs`);
    }
    const wanted = new Set(wrt.map((t) => t.id));
    const grads = backward(recording, value, seed ? seed(value) : fillLike(value, 1), wanted);
    return { value, grads: wrt.map((t) => grads.get(t.id) ?? fillLike(t, 0)) };
  });
}

function backward(recording: Recording, value: Tensor, seed: Tensor, wanted: Set<number>): Map<number, Tensor> {
  const grads = new Map<number, Tensor>([[value.id, seed]]);
  const watched = new Set(recording.tracked);
  for (let i = recording.ops.length - 1; i >= 0; i--) {
    const { op, inputs, output, backward: rule } = recording.ops[i];
    const outputGradient = grads.get(output.id);
    if (!outputGradient) continue;
    const inputGradients = rule(outputGradient);
    if (inputGradients.length !== inputs.length) {
      throw new Error(`backward rule of '${op}' returned ${inputGradients.length} gradients for ${inputs.length} inputs`);
    }
    inputGradients.forEach((gradient, k) => {
      const input = inputs[k];
      if (!gradient || !watched.has(input.id)) return;
      if (gradient.size !== input.size) {
        throw new Error(`backward rule of '${op}': gradient of shape [${gradient.shape}] for input of shape [${input.shape}]`);
      }
      const previous = grads.get(input.id);
      grads.set(input.id, previous ? add(previous, gradient.reshape(input.shape)) : gradient.reshape(input.shape));
      previous?.dispose();
    });
    // Only views of the rule's results are kept, so the results themselves can go now.
    for (const gradient of new Set(inputGradients)) gradient?.dispose();
    // Every record that reads this gradient comes later in the tape, so it is no longer needed.
    if (!wanted.has(output.id)) {
      grads.delete(output.id);
      outputGradient.dispose();
    }
  }
  return grads;
}
