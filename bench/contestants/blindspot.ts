/**
 * blindspot itself: one Engine per contestant (its own WebGPU device), synchronized with engine.sync(),
 * which submits the batched command encoder and awaits queue.onSubmittedWorkDone(). At load it tunes the
 * matmul variant (every variant the adapter runs is checked against float64 and timed; the fastest
 * becomes the default, as a user's `tuneMatmul` would make it) and measures the adapter's peak with the
 * peak-probe kernel; each cell gets one extra repetition in the engine's profiling mode (per-kernel GPU
 * time from timestamp queries).
 */
import { Engine } from '../../src/gpu/engine.ts';
import { measurePeak } from '../../src/gpu/peakProbe.ts';
import { tuneMatmul, type MatmulTuning } from '../../src/tensor/ops/matmulTuning.ts';
import { NotAvailableError, type BlindspotEnv, type Contestant, type LoadedContestant } from '../types.ts';

/**
 * `variant` pins the matmul kernel variant (for comparing them); without it the engine's tuned choice
 * runs, which is what a user who calls tuneMatmul gets.
 */
export function blindspotContestant(variant?: 'blocked' | 'tiled'): Contestant<BlindspotEnv> {
  return {
    id: variant ? `blindspot-${variant}` : 'blindspot',
    family: 'blindspot',
    label: variant ? `blindspot, matmul variant '${variant}' forced` : 'blindspot (WebGPU, handwritten WGSL)',
    load: () => loadBlindspot({ variant, tune: !variant, probe: !variant }),
  };
}

/**
 * blindspot solving a batched workload's problems one at a time, the way cleverhans and foolbox run their
 * L-BFGS attacks: the baseline that shows what batching buys. Only the batched workloads implement it.
 */
export function blindspotSerialContestant(): Contestant<BlindspotEnv> {
  return {
    id: 'blindspot-serial',
    family: 'serial',
    label: 'blindspot, one problem at a time (batch size 1, as cleverhans and foolbox attack)',
    load: () => loadBlindspot({ tune: true, probe: false }),
  };
}

/** One line on what tuning measured, e.g. `subgroup (median ms on 256×256×256: blocked 12, subgroup 6.1, …)`. */
function describeTuning(tuning: MatmulTuning): string {
  const shapes = [...new Set(tuning.timings.map((t) => t.shape.join('×')))];
  const perShape = shapes.map(
    (shape) =>
      `${shape}: ${tuning.timings
        .filter((t) => t.shape.join('×') === shape)
        .map((t) => `${t.variant} ${t.medianMs.toPrecision(3)}`)
        .join(', ')}`,
  );
  const rejected = tuning.rejected.map((r) => `; rejected ${r.variant}: ${r.reason}`).join('');
  return `matmul variant ${tuning.winner}, measured at load (median ms — ${perShape.join('; ')})${rejected}`;
}

async function loadBlindspot(options: { variant?: 'blocked' | 'tiled'; tune: boolean; probe: boolean }): Promise<LoadedContestant<BlindspotEnv>> {
  let engine: Engine;
  try {
    engine = await Engine.create();
  } catch (error) {
    throw new NotAvailableError(`no WebGPU device: ${(error as Error).message}`);
  }
  const a = engine.adapter;
  const notes = [`adapter: ${a.vendor} ${a.architecture} ${a.description}`.trim(), ...engine.notes];
  if (options.variant) notes.push(`matmul and conv variant forced: ${options.variant}`);
  if (options.tune) notes.push(describeTuning(await tuneMatmul(engine)));
  const peak = options.probe ? await measurePeak(engine) : undefined;
  if (peak) notes.push(`peak probe: ${peak.gflops.toPrecision(3)} GFLOP/s (${peak.timing}, ${peak.invocations} invocations × ${peak.iterations} steps)`);
  const timestamps = engine.device.features.has('timestamp-query');
  notes.push(
    timestamps
      ? 'per-kernel GPU time: timestamp queries in one profiled repetition per cell'
      : 'no timestamp-query on this adapter: profiles count dispatches only',
  );
  return {
    env: { engine, variant: options.variant },
    notes,
    syncMethod: 'engine.sync(): submit the batch, await queue.onSubmittedWorkDone()',
    adapter: {
      vendor: a.vendor,
      architecture: a.architecture,
      device: a.device,
      description: a.description,
      features: a.features,
      isSwiftShader: a.isSwiftShader,
    },
    peak: peak && { gflops: peak.gflops, timing: peak.timing, invocations: peak.invocations, iterations: peak.iterations },
    activate: async () => {},
    sync: () => engine.sync(),
    profile: async (work) => (await engine.profile(work)).profile,
    dispose: async () => engine.dispose(),
  };
}
