/**
 * The registry of workloads, in suite order. Adding one: write bench/workloads/<name>.ts exporting a
 * Workload (see ../types.ts) and list it here.
 *
 * Not here yet: the whole attack with its c search (src/attack/attack.ts); attack-lbfgsb times its inner
 * optimization at one c, which is what every c trial repeats.
 */
import type { Workload } from '../types.ts';
import { CONV_WORKLOADS } from './conv.ts';
import { ATTACK_SOLVE } from './attackSolve.ts';
import { CONVNET_STEP } from './convnetStep.ts';
import { INPUT_GRAD } from './inputGrad.ts';
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
];

export function workloadById(id: string): Workload | undefined {
  return WORKLOADS.find((w) => w.id === id);
}
