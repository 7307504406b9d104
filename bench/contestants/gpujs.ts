/**
 * gpu.js: JavaScript functions compiled to GPU shaders. Its classic mode draws with WebGL2 fragment
 * shaders (`gpujs`); 2.24 also compiles to WGSL compute shaders (`gpujs-webgpu`). gpu.js has no
 * separate "wait for the GPU" call, so a repetition ends by reading the last result back
 * (`await result.toArray()`); kernels run in pipeline mode so iterations inside a repetition do not.
 */
import { NotAvailableError, type Contestant, type GpujsEnv, type GpujsGpu, type LoadedContestant } from '../types.ts';

interface GpuConstructor {
  input: GpujsEnv['input'];
  new (settings: { mode: string }): GpujsGpu & { mode?: string };
  isWebGL2Supported: boolean;
  isWebGPUAvailable(): Promise<boolean>;
}

export function gpujsContestant(mode: 'webgl2' | 'webgpu'): Contestant<GpujsEnv> {
  return {
    id: mode === 'webgl2' ? 'gpujs' : 'gpujs-webgpu',
    family: 'gpujs',
    label: mode === 'webgl2' ? 'gpu.js (WebGL2 fragment shaders)' : 'gpu.js (WebGPU mode)',
    async load(): Promise<LoadedContestant<GpujsEnv>> {
      if (typeof document === 'undefined') {
        throw new NotAvailableError('gpu.js needs a browser here (its Node build wants the headless-gl package)');
      }
      const module = (await import('gpu.js')) as unknown as { GPU?: GpuConstructor; default?: GpuConstructor & { GPU?: GpuConstructor } };
      const GPU = (module.GPU ?? module.default?.GPU ?? module.default) as GpuConstructor;
      if (mode === 'webgl2' && !GPU.isWebGL2Supported) throw new NotAvailableError('no WebGL2 in this page');
      if (mode === 'webgpu' && !(await GPU.isWebGPUAvailable())) throw new NotAvailableError('gpu.js found no WebGPU adapter');
      const gpu = new GPU({ mode });
      const version = (GPU as unknown as { version?: string }).version;
      return {
        env: { gpu, mode, input: (data, size) => GPU.input(data, size) },
        notes: [`gpu.js${version ? ` ${version}` : ''}, mode ${mode}`],
        syncMethod: 'await result.toArray() of the last output (gpu.js has no other way to wait)',
        activate: async () => {},
        sync: async () => {},
        dispose: async () => gpu.destroy(),
      };
    },
  };
}
