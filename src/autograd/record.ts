/**
 * How ops put themselves on the tape. Kept apart from the tape's backward pass so that the Tensor class
 * (whose reshape is differentiable) can record without importing the ops the backward pass uses.
 */
import { contextOf } from '../tensor/context.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** Given the gradient of the op's output, the gradient of each input (null where none is needed). */
export type BackwardRule = (outputGradient: Tensor) => (Tensor | null)[];

/**
 * Record an op on the active tape of `output`'s engine (a no-op when no tape is recording or no input
 * depends on a watched tensor). Returns `output` so ops can `return record(...)`.
 */
export function record(op: string, inputs: Tensor[], output: Tensor, backward: BackwardRule): Tensor {
  const tape = contextOf(output.engine).tape;
  if (!tape || tape.paused) return output;
  if (!inputs.some((input) => tape.tracked.has(input.id))) return output;
  tape.tracked.add(output.id);
  tape.records.push({ op, inputs, output, backward });
  return output;
}

/** Whether `tensor` is on the active tape's path from a watched tensor (for ops that skip work). */
export function needsGradient(tensor: Tensor): boolean {
  const tape = contextOf(tensor.engine).tape;
  return Boolean(tape && !tape.paused && tape.tracked.has(tensor.id));
}
