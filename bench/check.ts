/**
 * The correctness gate: a contestant's outputs against the reference contestant's on the same inputs.
 * A benchmark of a wrong answer is refused, so this runs before any timing.
 */
import type { CorrectnessCheck, TensorSet } from './types.ts';

/**
 * Worst relative error over the reference's outputs: max|a − ref| / max(|ref|, |a|) per output (scaled by
 * the output's largest magnitude, so a tolerance means "digits agreeing at the output's scale"). A missing
 * output, a shape mismatch or a NaN counts as an infinite error.
 */
export function compareOutputs(actual: TensorSet, reference: TensorSet, referenceName: string, tolerance: number): CorrectnessCheck {
  let worst: CorrectnessCheck = { reference: referenceName, maxAbsError: 0, relError: 0, worstOutput: '', tolerance };
  for (const [name, ref] of Object.entries(reference)) {
    const got = actual[name];
    let maxAbs = 0;
    let scale = 0;
    if (!got || got.data.length !== ref.data.length || got.shape.join() !== ref.shape.join()) {
      maxAbs = Infinity;
    } else {
      for (let i = 0; i < ref.data.length; i++) {
        const r = ref.data[i];
        const d = Math.abs(got.data[i] - r);
        // NaN compares false everywhere, so test it explicitly.
        if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : d;
        // Scale by both sides, so an all-zero answer against a non-zero one reads as relative error 1.
        scale = Math.max(scale, Math.abs(r), Math.abs(got.data[i]));
      }
    }
    const rel = maxAbs / Math.max(scale, 1e-30);
    if (rel > worst.relError || worst.worstOutput === '') {
      worst = { reference: referenceName, maxAbsError: maxAbs, relError: rel, worstOutput: name, tolerance };
    }
  }
  return worst;
}

export function passes(check: CorrectnessCheck): boolean {
  return check.relError <= check.tolerance;
}
