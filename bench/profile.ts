/**
 * A profile of one repetition (src/gpu/profiler.ts) as the results keep it: per iteration, per kernel,
 * without the list of dispatches (thousands in the attack workloads).
 */
import type { Profile } from '../src/gpu/profiler.ts';
import type { CellProfile } from './types.ts';

/** Shapes kept per kernel: the attack workloads run a kernel on many. */
const SHAPES_KEPT = 5;

/** `profile` of a repetition of `iterations` runs, as totals per iteration. */
export function profilePerIteration(profile: Profile, iterations: number): CellProfile {
  const per = (value: number | null) => (value === null ? null : value / iterations);
  return {
    wallMs: profile.wallMs / iterations,
    gpuMs: per(profile.gpuMs),
    busyShare: profile.busyShare,
    dispatchesPerIteration: profile.dispatches.length / iterations,
    timestamps: profile.timestamps.note,
    kernels: profile.kernels.map((k) => ({
      ...k,
      dispatches: k.dispatches / iterations,
      gpuMs: per(k.gpuMs),
      flops: k.flops === undefined ? undefined : k.flops / iterations,
      bytes: k.bytes / iterations,
      shapes: k.shapes.slice(0, SHAPES_KEPT),
    })),
  };
}
