/**
 * The registry of workloads, in suite order. Adding one: write bench/workloads/<name>.ts exporting a
 * Workload (see ../types.ts) and list it here.
 */
import type { Workload } from '../types.ts';
import { CONV_WORKLOADS } from './conv.ts';
import { ATTACK_SOLVE } from './attackSolve.ts';
import { CONVNET_STEP } from './convnetStep.ts';
import { INPUT_GRAD } from './inputGrad.ts';
import { ATTACK_SEARCH_WORKLOADS } from './blindSpotSearch.ts';
import { LBFGSB_DRIVER_WORKLOADS } from './lbfgsbDriver.ts';
import { MATMUL_WORKLOADS } from './matmul.ts';
import { MLP_STEP } from './mlpStep.ts';
import { SOFTMAX_CE } from './softmaxCe.ts';

export const WORKLOADS: Workload[] = [
  ...MATMUL_WORKLOADS,
  ...CONV_WORKLOADS,
  SOFTMAX_CE,
  MLP_STEP,
  CONVNET_STEP,
  INPUT_GRAD,
  ATTACK_SOLVE,
  ...LBFGSB_DRIVER_WORKLOADS,
  ...ATTACK_SEARCH_WORKLOADS,
];

export function workloadById(id: string): Workload | undefined {
  return WORKLOADS.find((w) => w.id === id);
}
