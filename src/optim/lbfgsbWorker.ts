/**
 * The entry of a solver worker (see workerBatch.ts): connects workerHost.ts to Node's parentPort in a
 * worker_threads Worker, or to the worker's own scope in a Web Worker.
 *
 * @module
 */

import { solverHost } from './workerHost.ts';
import type { ToWorker } from './workerProtocol.ts';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

if (isNode) {
  // A computed specifier keeps bundlers from pulling Node's modules into browser builds. No top-level
  // await: a page's bundler may build this worker as a classic script. Messages that arrive before the
  // listener is attached wait in the port's queue.
  const threadsName = 'node:worker_threads';
  void (import(/* @vite-ignore */ threadsName) as Promise<typeof import('node:worker_threads')>).then(({ parentPort }) => {
    if (!parentPort) throw new Error('lbfgsbWorker: not started as a worker thread');
    const handle = solverHost((message, transfer) => parentPort.postMessage(message, transfer));
    parentPort.on('message', (message: ToWorker) => handle(message));
  });
} else {
  const scope = globalThis as unknown as { postMessage(message: unknown, transfer: Transferable[]): void; onmessage: ((event: MessageEvent<ToWorker>) => void) | null };
  const handle = solverHost((message, transfer) => scope.postMessage(message, transfer));
  scope.onmessage = (event) => handle(event.data);
}
