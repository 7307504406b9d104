/**
 * How ops put themselves on the tape. This is the tensor layer's half of autodiff: while a recording is
 * active, every op that computes from a watched tensor appends its inputs, output and backward rule.
 * The backward pass that replays the recording lives above, in `autograd/tape.ts`; ops never import it.
 */
import type { Engine } from '../gpu/engine.ts';
import { contextOf } from './context.ts';
import type { Tensor } from './tensor.ts';

/** Given the gradient of the op's output, the gradient of each input (null where none is needed). */
export type BackwardRule = (outputGradient: Tensor) => (Tensor | null)[];

/** One recorded op. */
export interface RecordedOp {
  op: string;
  inputs: Tensor[];
  output: Tensor;
  backward: BackwardRule;
}

/** The ops recorded since a set of tensors was watched, in the order they ran. */
export class Recording {
  readonly ops: RecordedOp[] = [];
  /** Tensors whose value depends on a watched tensor. */
  readonly tracked = new Set<number>();
  paused = false;

  constructor(watched: Tensor[]) {
    for (const tensor of watched) this.tracked.add(tensor.id);
  }
}

/**
 * Record an op on the active recording of `output`'s engine (a no-op when nothing is recording or no
 * input depends on a watched tensor). Returns `output` so ops can `return record(...)`.
 */
export function record(op: string, inputs: Tensor[], output: Tensor, backward: BackwardRule): Tensor {
  const recording = contextOf(output.engine).recording;
  if (!recording || recording.paused) return output;
  if (!inputs.some((input) => recording.tracked.has(input.id))) return output;
  recording.tracked.add(output.id);
  recording.ops.push({ op, inputs, output, backward });
  return output;
}

/** Whether `tensor` is on the active recording's path from a watched tensor (for ops that skip work). */
export function needsGradient(tensor: Tensor): boolean {
  const recording = contextOf(tensor.engine).recording;
  return Boolean(recording && !recording.paused && recording.tracked.has(tensor.id));
}

/** Run `fn` with recording off (evaluation, optimizer updates). */
export function noGrad<T>(engine: Engine, fn: () => T): T {
  const recording = contextOf(engine).recording;
  if (!recording) return fn();
  const wasPaused = recording.paused;
  recording.paused = true;
  try {
    return fn();
  } finally {
    recording.paused = wasPaused;
  }
}
