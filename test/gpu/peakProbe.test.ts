/**
 * The peak probe (shaders/peak_probe.wgsl, src/gpu/peakProbe.ts): its outputs against the same recurrence
 * in float64, and the measured rate from its FLOP count.
 */
import { describe, expect, it } from 'vitest';
import { measurePeak, PEAK_PROBE_CHAINS, peakProbeFlops, runPeakProbe } from '../../src/gpu/peakProbe.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';
import { peakProbeReference, peakProbeTolerance } from '../reference/peakProbe.ts';

const getEngine = useTestEngine();

describe('peak probe', () => {
  // 333 invocations: not a multiple of the workgroup; 1 and 77 steps.
  for (const [count, steps] of [
    [333, 77],
    [1, 1],
    [70, 300],
  ]) {
    it(`runs the recurrence of its header: ${count} invocations × ${steps} steps`, async () => {
      const seed = testSeed();
      const start = Float32Array.from(uniformArray(rng(seed), count, -4, 4));
      const got = await runPeakProbe(getEngine(), start, steps);
      const want = peakProbeReference(start, steps);
      for (let i = 0; i < count; i++) {
        expect(Math.abs(got[i] - want[i]), `out[${i}] = ${got[i]}, float64 ${want[i]} (seed=${seed})`).toBeLessThan(peakProbeTolerance(want[i]));
      }
    });
  }

  it('measures a positive rate from the FLOP count and the time of its best run', async () => {
    const peak = await measurePeak(getEngine(), { invocations: 4096, targetMs: 20, runs: 2 });
    expect(peak.timing).toBe('gpu timestamps');
    expect(peak.ms).toBeGreaterThan(0);
    expect(peak.gflops).toBeCloseTo(peakProbeFlops(4096, peak.iterations) / (peak.ms * 1e6), 9);
    expect(peakProbeFlops(4096, peak.iterations)).toBe(4096 * peak.iterations * PEAK_PROBE_CHAINS * 8);
  });

  it('refuses counts that are not positive integers', async () => {
    const engine = getEngine();
    await expect(runPeakProbe(engine, new Float32Array(0), 5)).rejects.toThrow('peak probe: invocations must be a positive integer, got 0');
    await expect(runPeakProbe(engine, new Float32Array(3), 1.5)).rejects.toThrow('peak probe: iterations must be a positive integer below 2³², got 1.5');
    await expect(measurePeak(engine, { targetMs: Number.NaN })).rejects.toThrow('measurePeak: targetMs must be in (0, 60000), got NaN');
    await expect(measurePeak(engine, { runs: 0 })).rejects.toThrow('measurePeak: runs must be a positive integer, got 0');
  });
});
