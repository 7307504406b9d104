/**
 * blindspot itself: one Engine per contestant (its own WebGPU device), synchronized with engine.sync(),
 * which submits the batched command encoder and awaits queue.onSubmittedWorkDone().
 */
import { Engine } from '../../src/gpu/engine.ts';
import { defaultMatmulVariant } from '../../src/tensor/ops/matmulTuning.ts';
import { NotAvailableError, type BlindspotEnv, type Contestant, type LoadedContestant } from '../types.ts';

/**
 * `variant` pins the matmul kernel variant (for comparing them); without it the engine picks per
 * adapter, which is what users get.
 */
export function blindspotContestant(variant?: 'blocked' | 'tiled'): Contestant<BlindspotEnv> {
  return {
    id: variant ? `blindspot-${variant}` : 'blindspot',
    family: 'blindspot',
    label: variant ? `blindspot, matmul variant '${variant}' forced` : 'blindspot (WebGPU, handwritten WGSL)',
    load: () => loadBlindspot(variant),
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
    load: () => loadBlindspot(),
  };
}

async function loadBlindspot(variant?: 'blocked' | 'tiled'): Promise<LoadedContestant<BlindspotEnv>> {
  let engine: Engine;
  try {
    engine = await Engine.create();
  } catch (error) {
    throw new NotAvailableError(`no WebGPU device: ${(error as Error).message}`);
  }
  const a = engine.adapter;
  const defaultKernel = defaultMatmulVariant(engine);
  const timestamps = a.features.includes('timestamp-query');
  return {
    env: { engine, variant },
    notes: [
      `adapter: ${a.vendor} ${a.architecture} ${a.description}`.trim(),
      ...engine.notes,
      ...(defaultKernel ? [`matmul variant by default: ${defaultKernel}${variant ? ` (forced here: ${variant})` : ''}`] : []),
      timestamps
        ? 'adapter offers timestamp-query, but the engine has no per-kernel profiling hook yet: whole-batch wall time'
        : 'no timestamp-query on this adapter: whole-batch wall time',
    ],
    syncMethod: 'engine.sync(): submit the batch, await queue.onSubmittedWorkDone()',
    adapter: {
      vendor: a.vendor,
      architecture: a.architecture,
      device: a.device,
      description: a.description,
      features: a.features,
      isSwiftShader: a.isSwiftShader,
    },
    activate: async () => {},
    sync: () => engine.sync(),
    dispose: async () => engine.dispose(),
  };
}
