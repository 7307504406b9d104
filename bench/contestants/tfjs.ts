/**
 * TensorFlow.js with one of its backends. All tfjs contestants share one tfjs module (as in a real page);
 * tfjs has one active backend at a time, so `activate()` switches to this one before it runs (tensors
 * stay on the backend that made them, and each contestant only touches its own).
 *
 * Fairness settings:
 * - WEBGPU_CPU_FORWARD / WEBGL_CPU_FORWARD are set to false: by default tfjs runs ops on small inputs
 *   on the CPU, which would make its GPU backends partly CPU backends (and skew the training steps).
 * - Synchronization: webgpu ends its compute pass, submits its command encoder and awaits
 *   queue.onSubmittedWorkDone() (what engine.sync() does for blindspot); webgl waits on a WebGL fence
 *   (tfjs's own createAndWaitForFence); wasm and cpu run synchronously inside each op. The GPU ones reach
 *   into tfjs internals (stable across 4.x).
 * - wasm asks for as many threads as the machine has cores when the page is cross-origin isolated (tfjs
 *   defaults to half of them). Its emscripten thread pool is sized hardwareConcurrency/2, though, so on a
 *   2-core machine it still runs one thread (the notes show the count it got).
 */
import { NotAvailableError, type Contestant, type LoadedContestant, type TfjsEnv } from '../types.ts';

type Tf = typeof import('@tensorflow/tfjs');
type BackendName = TfjsEnv['backend'];

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

let tfPromise: Promise<Tf> | null = null;

/** The tfjs namespace, loaded once (CommonJS in Node, ESM in the page). */
export function loadTfjs(): Promise<Tf> {
  tfPromise ??= import('@tensorflow/tfjs').then((m) => {
    const namespace = m as unknown as Tf & { default?: Tf };
    return typeof namespace.matMul === 'function' ? namespace : (namespace.default as Tf);
  });
  return tfPromise;
}

/** Imports that register the backend with tfjs (webgl and cpu come with @tensorflow/tfjs). */
async function registerBackend(tf: Tf, backend: BackendName): Promise<string[]> {
  const notes: string[] = [];
  if (backend === 'webgpu') {
    if (isNode) notes.push(...(await (await import('./navigatorGpu.node.ts')).installNavigatorGpu()));
    const hasGpu = Boolean((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu);
    if (!hasGpu) throw new NotAvailableError('navigator.gpu is missing, so tfjs does not register its webgpu backend');
    await import('@tensorflow/tfjs-backend-webgpu');
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    notes.push('WEBGPU_CPU_FORWARD=false');
  } else if (backend === 'webgl') {
    if (isNode) throw new NotAvailableError('tfjs webgl needs a browser (no WebGL in Node)');
    tf.env().set('WEBGL_CPU_FORWARD', false);
    notes.push('WEBGL_CPU_FORWARD=false');
  } else if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (isNode) {
      // Node's build finds its .wasm next to itself; its threaded build would need worker plumbing.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    } else {
      const { wasmPaths } = await import('./tfjsWasmPaths.browser.ts');
      try {
        wasm.setWasmPaths(wasmPaths);
        // Threads need SharedArrayBuffer, i.e. a cross-origin isolated page (bench/vite.config.ts).
        if (self.crossOriginIsolated) wasm.setThreadsCount(navigator.hardwareConcurrency);
      } catch {
        // Already set by an earlier load in this page.
      }
    }
  }
  return notes;
}

async function describe(tf: Tf, backend: BackendName): Promise<string[]> {
  const notes = [`@tensorflow/tfjs ${tf.version.tfjs}`];
  const b = tf.backend() as unknown as Record<string, unknown>;
  if (backend === 'webgpu') {
    const info = b.adapterInfo as { vendor?: string; architecture?: string } | undefined;
    notes.push(`adapter: ${info?.vendor ?? '?'} ${info?.architecture ?? ''}`.trim());
  } else if (backend === 'webgl') {
    notes.push(
      `WebGL ${tf.env().getNumber('WEBGL_VERSION')}, float32 render ${tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'on' : 'OFF (fp16)'}`,
    );
  } else if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    notes.push(`SIMD ${simd ? 'on' : 'off'}, threads ${threads ? getThreadsCount() : 'off (1)'}`);
  }
  return notes;
}

function syncFor(tf: Tf, backend: BackendName): { method: string; sync: () => Promise<void> } {
  if (backend === 'webgpu') {
    return {
      method: 'end pass + submitQueue() + await queue.onSubmittedWorkDone()',
      sync: async () => {
        const b = tf.backend() as unknown as {
          commandEncoder: GPUCommandEncoder | null;
          endComputePassEncoder(): void;
          submitQueue(): void;
          device: GPUDevice;
        };
        if (b.commandEncoder) {
          b.endComputePassEncoder();
          b.submitQueue();
        }
        await b.device.queue.onSubmittedWorkDone();
      },
    };
  }
  if (backend === 'webgl') {
    // gl.finish() does not wait in Chrome (measured: it returns at once while the work takes 150 ms), so
    // wait on a fence, as tfjs itself does before a read: fenceSync + clientWaitSync polled with setTimeout.
    const fence = tf.env().getBool('WEBGL_FENCE_API_ENABLED');
    return {
      method: fence
        ? 'a WebGL fence (tfjs gpgpu.createAndWaitForFence(): fenceSync, clientWaitSync polled by setTimeout, up to ~4 ms late)'
        : 'NO fence API in this WebGL: gl.finish(), which may return before the GPU is done',
      sync: async () => {
        const gpgpu = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext; createAndWaitForFence(): Promise<void> } }).gpgpu;
        if (fence) await gpgpu.createAndWaitForFence();
        else gpgpu.gl.finish();
      },
    };
  }
  return { method: 'none needed: every op runs synchronously on the CPU', sync: async () => {} };
}

export function tfjsContestant(backend: BackendName): Contestant<TfjsEnv> {
  const labels: Record<BackendName, string> = {
    webgpu: 'TensorFlow.js, webgpu backend',
    webgl: 'TensorFlow.js, webgl backend',
    wasm: 'TensorFlow.js, wasm backend (XNNPACK)',
    cpu: 'TensorFlow.js, cpu backend (plain JS)',
  };
  return {
    id: `tfjs-${backend}`,
    family: 'tfjs',
    label: labels[backend],
    async load(): Promise<LoadedContestant<TfjsEnv>> {
      const tf = await loadTfjs();
      const notes = await registerBackend(tf, backend);
      let ok = false;
      try {
        ok = await tf.setBackend(backend);
      } catch (error) {
        throw new NotAvailableError(`tfjs could not start its ${backend} backend: ${(error as Error).message}`);
      }
      if (!ok || tf.getBackend() !== backend) {
        throw new NotAvailableError(`tfjs could not start its ${backend} backend (see the console for tfjs's reason)`);
      }
      await tf.ready();
      const { method, sync } = syncFor(tf, backend);
      const env: TfjsEnv = { tf, backend };
      let adapter: LoadedContestant['adapter'];
      if (backend === 'webgpu') {
        const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
        adapter = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: '', description: '', features: [] };
      }
      return {
        env,
        notes: [...(await describe(tf, backend)), ...notes],
        syncMethod: method,
        adapter,
        activate: async () => {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
        },
        sync,
        dispose: async () => {
          // Backends stay registered (other tfjs contestants share the module); their tensors are freed
          // by each instance's dispose().
        },
      };
    },
  };
}
