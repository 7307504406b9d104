/**
 * Starting the worker of a worker batch (workerBatch.ts) on this platform: a Web Worker in a page, a
 * worker_threads Worker in Node. The worker runs lbfgsbWorker.ts:
 * - in a page built or served by Vite, from the `new Worker(new URL(…), { type: 'module' })` below, which
 *   Vite bundles as a worker;
 * - in the built library (dist/), from lbfgsb-worker.js, a build entry of its own (vite.node.config.ts
 *   points every './lbfgsbWorker.ts' of the build at it, relative to the chunk that names it);
 * - from the TypeScript sources in Node (the tests, the bench, scripts), from a bundle made here, once per
 *   process, with rolldown (Vite's bundler, present wherever the sources are run).
 *
 * @module
 */

import type { FromWorker, ToWorker } from './workerProtocol.ts';

/** A worker as the batch uses it. */
export interface WorkerLink {
  post(message: ToWorker, transfer: ArrayBuffer[]): void;
  /** Hands every message of the worker to `onMessage`, and its failure (an exception, an exit) to `onError`. */
  listen(onMessage: (message: FromWorker) => void, onError: (error: Error) => void): void;
  /** Whether the worker waits for nothing: an idle Node worker does not keep the process alive. */
  idle(idle: boolean): void;
  terminate(): Promise<void>;
}

/** The worker's entry, relative to this module (rewritten by the library build, see above). */
const WORKER_ENTRY = './lbfgsbWorker.ts';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Starts one solver worker. */
export function spawnSolverWorker(): Promise<WorkerLink> {
  return isNode ? spawnNodeWorker() : Promise.resolve(spawnWebWorker());
}

function spawnWebWorker(): WorkerLink {
  const worker = new Worker(new URL('./lbfgsbWorker.ts', import.meta.url), { type: 'module' });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    listen(onMessage, onError) {
      worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
      worker.onerror = (event) => onError(new Error(event.message || 'the worker could not start'));
      worker.onmessageerror = () => onError(new Error('a message from the worker could not be read'));
    },
    idle: () => {},
    terminate: async () => worker.terminate(),
  };
}

async function spawnNodeWorker(): Promise<WorkerLink> {
  // Computed specifiers keep bundlers from pulling Node's modules into browser builds.
  const threadsName = 'node:worker_threads';
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ threadsName)) as typeof import('node:worker_threads');
  const worker = new NodeWorker(await nodeWorkerScript());
  worker.unref();
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    listen(onMessage, onError) {
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', (code) => {
        if (code !== 0) onError(new Error(`the worker exited with code ${code}`));
      });
    },
    idle: (idle) => (idle ? worker.unref() : worker.ref()),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

let bundled: Promise<URL> | undefined;

/** The built worker beside this module, or from the sources a bundle of them as a data: URL. */
function nodeWorkerScript(): Promise<URL> {
  const script = new URL(WORKER_ENTRY, import.meta.url);
  if (!script.pathname.endsWith('.ts')) return Promise.resolve(script);
  bundled ??= bundleWorker(script);
  return bundled;
}

async function bundleWorker(entry: URL): Promise<URL> {
  const rolldownName = 'rolldown';
  const urlName = 'node:url';
  const { rolldown } = (await import(/* @vite-ignore */ rolldownName)) as typeof import('rolldown');
  const { fileURLToPath } = (await import(/* @vite-ignore */ urlName)) as typeof import('node:url');
  const build = await rolldown({ input: fileURLToPath(entry), platform: 'node', logLevel: 'silent' });
  try {
    const { output } = await build.generate({ format: 'esm' });
    return new URL(`data:text/javascript;base64,${Buffer.from(output[0].code).toString('base64')}`);
  } finally {
    await build.close();
  }
}
