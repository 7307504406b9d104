/**
 * jax-js (npm @jax-js/jax): a JAX-like engine for the browser that traces array programs and compiles
 * them to WebGPU or WebAssembly kernels. Two contestants, one per device: `jaxjs-webgpu` and `jaxjs-wasm`.
 *
 * Fairness settings:
 * - Every workload runs through `jit` (fusion and a recorded execution plan), as jax-js recommends for
 *   anything that runs repeatedly; the first run, which traces and compiles, is the untimed warm-up.
 * - Inputs are placed on the contestant's device explicitly and a jitted function runs where its inputs
 *   are; `activate()` also makes the device jax-js's default, for arrays made inside a computation.
 * - Synchronization: jax-js is lazy; a repetition ends with `blockUntilReady` on the outputs of every run
 *   since the last sync (bench/workloads/common.ts), so no run's work is skipped.
 * - wasm runs on a worker pool of navigator.hardwareConcurrency threads where the page has
 *   SharedArrayBuffer and Worker (the bench page is cross-origin isolated); in Node it has no Worker and
 *   runs one thread.
 * - jax-js's README lists WebGPU as browser-only; in Node it runs on Dawn given as `navigator.gpu`
 *   (navigatorGpu.node.ts), as tfjs's webgpu backend does.
 */
import { NotAvailableError, type Contestant, type JaxjsEnv, type LoadedContestant } from '../types.ts';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

export function jaxjsContestant(device: JaxjsEnv['device']): Contestant<JaxjsEnv> {
  return {
    id: `jaxjs-${device}`,
    family: 'jaxjs',
    label: device === 'webgpu' ? 'jax-js, webgpu device (jit)' : 'jax-js, wasm device (jit)',
    async load(): Promise<LoadedContestant<JaxjsEnv>> {
      const notes: string[] = [];
      if (device === 'webgpu' && isNode) notes.push(...(await (await import('./navigatorGpu.node.ts')).installNavigatorGpu()));
      let jax: JaxjsEnv['jax'];
      try {
        jax = await import('@jax-js/jax');
      } catch (error) {
        throw new NotAvailableError(`@jax-js/jax could not be loaded (npm install): ${(error as Error).message}`);
      }
      const started = await jax.init(device);
      if (!started.includes(device)) {
        throw new NotAvailableError(
          device === 'webgpu'
            ? 'jax-js started no webgpu device (navigator.gpu gave no adapter, or requestDevice failed: see the console)'
            : 'jax-js started no wasm device (no WebAssembly here)',
        );
      }
      const gpu = device === 'webgpu' ? jax.getWebGPUDevice() : undefined;
      const info = (gpu as (GPUDevice & { adapterInfo?: GPUAdapterInfo }) | undefined)?.adapterInfo;
      if (device === 'wasm') {
        const pool = typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined';
        notes.push(pool ? `worker pool of ${navigator.hardwareConcurrency} threads` : 'one thread (no SharedArrayBuffer or no Worker here)');
      } else if (info) {
        notes.push(`adapter: ${info.vendor} ${info.architecture}`.trim());
      }
      notes.push('every workload jit-compiled');
      return {
        env: { jax, device },
        notes,
        syncMethod: 'blockUntilReady() on the outputs of every run since the last sync (jax-js is lazy)',
        adapter: info
          ? { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, features: [...(gpu?.features ?? [])].map(String) }
          : undefined,
        activate: async () => {
          jax.defaultDevice(device);
        },
        // Instances sync themselves (their outputs); this only drains the device after an error.
        sync: async () => {
          await gpu?.queue.onSubmittedWorkDone();
        },
        dispose: async () => {},
      };
    },
  };
}
