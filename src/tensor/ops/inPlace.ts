/**
 * Guards shared by the kernels that overwrite a tensor's buffer (the optimizer updates).
 * They are not differentiable and never record on the tape; overwriting a tensor the active tape depends
 * on would silently change what its backward rules read, so that is refused instead.
 */
import { needsGradient } from '../record.ts';
import { checkOperands, sameShape, type Tensor } from '../tensor.ts';

/**
 * Check that `targets` (overwritten) and `operands` (read) are live tensors of one engine and one shape,
 * that no target shares a buffer with another tensor of the dispatch (WebGPU forbids binding a buffer
 * writable and readable at once), and that no target is on the active tape's path from a watched tensor.
 * Every group is keyed by argument name, which the errors use.
 */
export function checkInPlace(
  op: string,
  targets: Record<string, Tensor>,
  operands: Record<string, Tensor>,
): void {
  checkOperands(op, { ...targets, ...operands });
  const named = Object.entries({ ...targets, ...operands });
  const [firstName, first] = named[0];
  for (const [name, t] of named) {
    if (!sameShape(t.shape, first.shape)) throw new Error(`${op}: shapes [${first.shape}] (${firstName}) and [${t.shape}] (${name}) differ`);
  }
  const all = named.map(([, t]) => t);
  Object.entries(targets).forEach(([name, target], k) => {
    if (all.some((t, i) => i !== k && t.buffer === target.buffer)) {
      throw new Error(`${op}: ${name} (${target}) is overwritten but shares its buffer with another argument`);
    }
    if (needsGradient(target)) {
      throw new Error(`${op}: cannot overwrite ${name} (${target}) while the active gradient tape depends on it (run it outside valueAndGrads)`);
    }
  });
}
