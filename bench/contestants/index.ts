/**
 * Every contestant, in the order they run within a repetition round (rounds rotate the starting point).
 * Adding one: write a Contestant (see ../types.ts) and list it here; workloads pick an implementation by
 * the contestant's family.
 */
import type { Contestant } from '../types.ts';
import { blindspotContestant, blindspotSerialContestant } from './blindspot.ts';
import { gpujsContestant } from './gpujs.ts';
import { jaxjsContestant } from './jaxjs.ts';
import { tfjsContestant } from './tfjs.ts';

export const CONTESTANTS: Contestant[] = [
  blindspotContestant() as Contestant,
  tfjsContestant('webgpu') as Contestant,
  tfjsContestant('webgl') as Contestant,
  tfjsContestant('wasm') as Contestant,
  tfjsContestant('cpu') as Contestant,
  jaxjsContestant('webgpu') as Contestant,
  jaxjsContestant('wasm') as Contestant,
  gpujsContestant('webgl2') as Contestant,
  gpujsContestant('webgpu') as Contestant,
  blindspotContestant('blocked') as Contestant,
  blindspotContestant('tiled') as Contestant,
  blindspotSerialContestant() as Contestant,
];

/** Run when no --contestants are given. */
export const DEFAULT_CONTESTANTS = [
  'blindspot',
  'tfjs-webgpu',
  'tfjs-webgl',
  'tfjs-wasm',
  'tfjs-cpu',
  'jaxjs-webgpu',
  'jaxjs-wasm',
  'gpujs',
  'gpujs-webgpu',
  'blindspot-serial',
];
/**
 * Run by --quick: the peers the aims name (jax-js's two devices among them), plus tfjs-wasm as the CPU
 * yardstick, and the one-at-a-time baseline of the batched workloads. (gpu.js needs ~30 s per 1024²
 * product on SwiftShader, tfjs-cpu as long per convolution: full runs only.)
 */
export const QUICK_CONTESTANTS = ['blindspot', 'tfjs-webgpu', 'tfjs-webgl', 'tfjs-wasm', 'jaxjs-webgpu', 'jaxjs-wasm', 'blindspot-serial'];

export function contestantById(id: string): Contestant | undefined {
  return CONTESTANTS.find((c) => c.id === id);
}
