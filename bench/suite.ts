/**
 * From a request (what the command line or the page asked for) to the workloads, contestants and options
 * of one suite run, with the defaults of a full and a quick run in each place.
 */
import { contestantById, DEFAULT_CONTESTANTS, QUICK_CONTESTANTS } from './contestants/index.ts';
import { runSuite, type RunContext } from './harness.ts';
import type { SuiteOptions, SuiteResult } from './types.ts';
import { WORKLOADS, workloadById } from './workloads/index.ts';

export interface SuiteRequest {
  quick?: boolean;
  workloads?: string[];
  contestants?: string[];
  reps?: number;
  budgetMs?: number;
  seed?: number;
}

/** Node has no WebGL (tfjs-webgl, gpu.js): leave them out unless asked for. */
const NODE_DEFAULT = ['blindspot', 'tfjs-webgpu', 'tfjs-wasm', 'tfjs-cpu', 'jaxjs-webgpu', 'jaxjs-wasm', 'blindspot-serial'];
const NODE_QUICK = ['blindspot', 'tfjs-webgpu', 'tfjs-wasm', 'jaxjs-webgpu', 'jaxjs-wasm', 'blindspot-serial'];

export function resolveOptions(request: SuiteRequest, where: 'browser' | 'node'): SuiteOptions {
  const quick = request.quick ?? false;
  const workloads = request.workloads?.length ? request.workloads : WORKLOADS.filter((w) => !quick || w.quick).map((w) => w.id);
  const defaults = where === 'node' ? (quick ? NODE_QUICK : NODE_DEFAULT) : quick ? QUICK_CONTESTANTS : DEFAULT_CONTESTANTS;
  const contestants = request.contestants?.length ? request.contestants : defaults;
  const unknownW = workloads.filter((id) => !workloadById(id));
  const unknownC = contestants.filter((id) => !contestantById(id));
  if (unknownW.length) throw new Error(`unknown workload(s): ${unknownW.join(', ')}`);
  if (unknownC.length) throw new Error(`unknown contestant(s): ${unknownC.join(', ')}`);
  return {
    workloads,
    contestants,
    reps: request.reps ?? (quick ? 3 : 7),
    budgetMs: request.budgetMs ?? (quick ? 3000 : 15000),
    quick,
    seed: request.seed ?? 2014,
  };
}

export function runBench(request: SuiteRequest, context: RunContext): Promise<SuiteResult> {
  const options = resolveOptions(request, context.where);
  return runSuite(
    options.workloads.map((id) => workloadById(id)!),
    options.contestants.map((id) => contestantById(id)!),
    options,
    { referee: contestantById('tfjs-cpu'), ...context },
  );
}
