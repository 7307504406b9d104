/**
 * tfjs's webgpu backend registers itself only if `navigator.gpu` exists when its module is imported, and
 * jax-js asks `navigator.gpu` for its adapter. Node 20 has no navigator, so give them Dawn's GPU (the
 * `webgpu` package, which blindspot also uses). When the blindspot contestant loaded first it has already
 * pointed Vulkan at SwiftShader if there is no GPU.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Keeps Dawn's instances alive for as long as tfjs and jax-js may use them: Dawn frees an instance when it is
 * collected, and one collected mid-run can crash the process (src/gpu/device.ts), the probe without an
 * adapter included.
 */
let keepAlive: GPU[] = [];

export async function installNavigatorGpu(): Promise<string[]> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return ['navigator.gpu already present'];
  const require = createRequire(import.meta.url);
  const dawn = require('webgpu') as Dawn;
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  const notes = ['navigator.gpu = Dawn (npm package webgpu)'];
  let gpu = dawn.create([]);
  keepAlive.push(gpu);
  if (!(await gpu.requestAdapter()) && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) {
    // Same fallback as blindspot's device.ts: no hardware adapter, so point Vulkan at SwiftShader.
    process.env.VK_ICD_FILENAMES = SWIFTSHADER;
    notes.push(`VK_ICD_FILENAMES=${SWIFTSHADER}`);
    gpu = dawn.create([]);
    keepAlive.push(gpu);
  }
  if (nav) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  } else {
    // What Node 21+'s own navigator has; jax-js reads userAgent (to spot Firefox and mobile devices).
    const { availableParallelism } = await import('node:os');
    (globalThis as { navigator?: unknown }).navigator = { gpu, userAgent: `Node.js/${process.versions.node}`, hardwareConcurrency: availableParallelism() };
  }
  return notes;
}

/** Let go of Dawn so the process can exit. */
export function releaseNavigatorGpu(): void {
  keepAlive = [];
}
