/**
 * The adapter's measured arithmetic peak: shaders/peak_probe.wgsl runs chains of multiply-adds in
 * registers, so its FLOP rate is what the adapter can do when memory is no limit. Benchmarks report a
 * kernel's GFLOP/s as a share of it (beside the published peak of a GPU or the CPU's sgemm on SwiftShader).
 */
import type { Engine } from './engine.ts';

const WORKGROUP_SIZE = 64;
/** Independent vec4 chains per invocation (the kernel's CHAINS). */
export const PEAK_PROBE_CHAINS = 4;
/** The recurrence x ← x·A + B: exact in f32, converging to B / (1 − A) = 1. */
export const PEAK_PROBE_A = 0.9375;
export const PEAK_PROBE_B = 0.0625;

/** FLOPs of one probe run: every step of every invocation is CHAINS vec4 multiply-adds. */
export function peakProbeFlops(invocations: number, iterations: number): number {
  return invocations * iterations * PEAK_PROBE_CHAINS * 8;
}

/**
 * Dispatch the probe on `start.length` invocations for `iterations` steps; resolves with its outputs (see
 * the kernel's header for what they are). Throws on counts that are not positive integers.
 */
export async function runPeakProbe(engine: Engine, start: Float32Array, iterations: number): Promise<Float32Array> {
  checkCounts(start.length, iterations);
  const input = engine.acquireBuffer(start.byteLength);
  const output = engine.acquireBuffer(start.byteLength);
  try {
    engine.writeBuffer(input, start);
    dispatchProbe(engine, input, output, start.length, iterations);
    return new Float32Array(await engine.read(output, start.byteLength));
  } finally {
    engine.releaseBuffer(input);
    engine.releaseBuffer(output);
  }
}

/** What {@link measurePeak} found. */
export interface PeakMeasurement {
  gflops: number;
  /** How the probe was timed: the GPU's own timestamps, or wall time to completion where there are none. */
  timing: 'gpu timestamps' | 'wall time';
  invocations: number;
  iterations: number;
  /** Time of the best run. */
  ms: number;
}

export interface MeasurePeakOptions {
  /** Invocations per run (default 65 536: enough workgroups for any GPU). */
  invocations?: number;
  /** Lengthen the run until it takes this long, in ms (default 100), then time it `runs` times. */
  targetMs?: number;
  /** Timed runs at the final length; the best is kept (default 3). */
  runs?: number;
}

/**
 * The adapter's peak FLOP rate as the probe measures it: the run is lengthened until it takes `targetMs`,
 * then timed `runs` times (GPU timestamps where the adapter offers them, else wall time), best kept.
 * Run it while the engine is otherwise idle.
 */
export async function measurePeak(engine: Engine, options: MeasurePeakOptions = {}): Promise<PeakMeasurement> {
  const invocations = options.invocations ?? 65_536;
  const targetMs = options.targetMs ?? 100;
  const runs = options.runs ?? 3;
  checkCounts(invocations, 1);
  if (!(targetMs > 0 && targetMs < 60_000)) throw new Error(`measurePeak: targetMs must be in (0, 60000), got ${targetMs}`);
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`measurePeak: runs must be a positive integer, got ${runs}`);
  const timestamps = engine.device.features.has('timestamp-query');
  const input = engine.acquireBuffer(4 * invocations);
  const output = engine.acquireBuffer(4 * invocations);
  const time = async (iterations: number): Promise<number> => {
    if (timestamps) {
      const { profile } = await engine.profile(() => dispatchProbe(engine, input, output, invocations, iterations));
      return profile.gpuMs!;
    }
    const started = performance.now();
    dispatchProbe(engine, input, output, invocations, iterations);
    await engine.sync();
    return performance.now() - started;
  };
  try {
    engine.writeBuffer(input, new Float32Array(invocations));
    let iterations = 16;
    let ms = await time(iterations);
    // Double the length until a run is long enough to time (a compile or a slow first run counts once).
    while (ms < targetMs && iterations < 2 ** 24) {
      iterations *= ms > 0 ? Math.min(16, 2 ** Math.ceil(Math.log2(targetMs / ms))) : 16;
      ms = await time(iterations);
    }
    for (let r = 1; r < runs; r++) ms = Math.min(ms, await time(iterations));
    return {
      gflops: peakProbeFlops(invocations, iterations) / (ms * 1e6),
      timing: timestamps ? 'gpu timestamps' : 'wall time',
      invocations,
      iterations,
      ms,
    };
  } finally {
    engine.releaseBuffer(input);
    engine.releaseBuffer(output);
  }
}

function dispatchProbe(engine: Engine, input: GPUBuffer, output: GPUBuffer, count: number, iterations: number): void {
  const uniforms = new ArrayBuffer(16);
  new Uint32Array(uniforms, 0, 2).set([count, iterations]);
  new Float32Array(uniforms, 8, 2).set([PEAK_PROBE_A, PEAK_PROBE_B]);
  engine.dispatch(engine.kernel('peak_probe', { WORKGROUP_SIZE }), {
    uniforms: new Uint8Array(uniforms),
    bindings: [{ buffer: input, size: 4 * count }, { buffer: output, size: 4 * count }],
    workgroups: engine.grid(count, WORKGROUP_SIZE),
    cost: engine.profiling ? { flops: peakProbeFlops(count, iterations), bytes: 8 * count, shape: `${count} invocations × ${iterations} steps` } : undefined,
  });
}

function checkCounts(invocations: number, iterations: number): void {
  if (!(Number.isSafeInteger(invocations) && invocations >= 1)) throw new Error(`peak probe: invocations must be a positive integer, got ${invocations}`);
  if (!(Number.isSafeInteger(iterations) && iterations >= 1 && iterations < 2 ** 32)) {
    throw new Error(`peak probe: iterations must be a positive integer below 2³², got ${iterations}`);
  }
}
