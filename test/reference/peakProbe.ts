/** Float64 reference of the peak probe (shaders/peak_probe.wgsl): the recurrence of its header. */
import { PEAK_PROBE_A, PEAK_PROBE_B, PEAK_PROBE_CHAINS } from '../../src/gpu/peakProbe.ts';

/** out[i] = Σ over chains c and lanes l of x ← x·a + b after `steps` steps from start[i] + (4c + l)/16. */
export function peakProbeReference(start: ArrayLike<number>, steps: number): Float64Array {
  return Float64Array.from(start, (s) => {
    let total = 0;
    for (let c = 0; c < PEAK_PROBE_CHAINS; c++) {
      for (let lane = 0; lane < 4; lane++) {
        let x = s + (4 * c + lane) / 16;
        for (let t = 0; t < steps; t++) x = x * PEAK_PROBE_A + PEAK_PROBE_B;
        total += x;
      }
    }
    return total;
  });
}

/**
 * The recurrence contracts (a < 1): each step's f32 rounding (≤ 2 ulps of |x| ≤ 5) is damped, so the
 * error of one chain stays below 2·2⁻²⁴·5 / (1 − a) ≈ 1e-5; 16 chains are summed.
 */
export function peakProbeTolerance(want: number): number {
  return 16 * 1e-5 + 1e-5 * Math.abs(want);
}
