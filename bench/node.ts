/**
 * The suite in Node, loaded by bench/run.mjs through Vite's SSR module loader (blindspot's kernels come
 * from import.meta.glob, which needs Vite). WebGPU comes from Dawn (the `webgpu` package) for blindspot
 * and for tfjs's webgpu backend alike.
 */
import { runBench, type SuiteRequest } from './suite.ts';
import type { ProgressEvent, SuiteResult } from './types.ts';

export async function runInNode(request: SuiteRequest, onProgress: (event: ProgressEvent) => void): Promise<SuiteResult> {
  try {
    return await runBench(request, {
      where: 'node',
      runtime: `Node ${process.version} (${process.platform} ${process.arch})`,
      hardwareConcurrency: (await import('node:os')).availableParallelism(),
      onProgress,
    });
  } finally {
    // Dawn keeps the process alive while its instance is referenced.
    (await import('./contestants/navigatorGpu.node.ts')).releaseNavigatorGpu();
  }
}
