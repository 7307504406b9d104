/**
 * Guards shared by the kernels that overwrite a tensor's buffer (optimizer updates, batched vector ops).
 * They are not differentiable and never record on the tape; overwriting a tensor the active tape depends
 * on would silently change what its backward rules read, so that is refused instead.
 */
import { needsGradient } from '../record.ts';
import { sameShape, type Tensor } from '../tensor.ts';

/**
 * Check that `targets` (overwritten; may be none) and `operands` (read) share one engine and one shape,
 * that `others` (read tensors of other shapes: bounds, coefficients, masks) share the engine, that no
 * target shares a buffer with another tensor of the dispatch (WebGPU forbids binding a buffer writable
 * and readable at once), and that no target is on the active tape's path from a watched tensor.
 */
export function checkInPlace(op: string, targets: Tensor[], operands: Tensor[], others: Tensor[] = []): void {
  const [first] = [...targets, ...operands];
  for (const t of [...targets, ...operands]) {
    if (!sameShape(t.shape, first.shape)) throw new Error(`${op}: shapes [${first.shape}] and [${t.shape}] differ`);
  }
  const all = [...targets, ...operands, ...others];
  for (const t of all) {
    if (t.engine !== first.engine) throw new Error(`${op}: tensors belong to different engines`);
  }
  targets.forEach((target, k) => {
    if (all.some((t, i) => i !== k && t.buffer === target.buffer)) {
      throw new Error(`${op}: ${target} is overwritten but shares its buffer with another argument`);
    }
    if (needsGradient(target)) {
      throw new Error(`${op}: cannot overwrite ${target} while the active gradient tape depends on it (run it outside valueAndGrads)`);
    }
  });
}
