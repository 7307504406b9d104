/** Budgets of the page, chosen from the URL and from what the adapter can do. */
import type { AdapterDescription } from '../src/index.ts';
import { MNIST_PIXELS } from '../src/data/idx.ts';
import { modelSpec } from '../src/nn/zoo.ts';
import { MNIST_COUNTS } from './mnist.ts';

/** What the page offers and preselects. */
export interface PageSettings {
  /** `?smoke=1`: run a tiny end-to-end path unattended and publish `window.__demoResult`. */
  smoke: boolean;
  /** Preselected zoo model (`?model=`). */
  model: string;
  /** Test images fetched (the picker offers all of them). */
  testCount: number;
  /** Training-subset sizes offered, and the preselected one. */
  trainCounts: number[];
  trainCount: number;
  epochs: number;
  /** Minibatch size; undefined: the zoo's, shrunk for small subsets. */
  batch?: number;
  /** Test images evaluated after each epoch. */
  evaluationLimit: number;
  /** Training steps between loss readbacks (and repaints). */
  reportEvery: number;
}

/** Whether the URL asks for the unattended smoke run (`?smoke` or `?smoke=1`, not `?smoke=0`). */
export function smokeRequested(params: URLSearchParams): boolean {
  return params.has('smoke') && params.get('smoke') !== '0';
}

const TRAIN_COUNTS = [1000, 2000, 5000, 10000, 20000, 60000];

/**
 * Defaults for this adapter: SwiftShader runs WebGPU on the CPU, so it gets a smaller subset and
 * evaluation; subsets larger than one storage binding would fail in the gather kernel, so they are not offered.
 * @throws Error naming the known models if `?model=` names none.
 */
export function pageSettings(params: URLSearchParams, adapter: AdapterDescription): PageSettings {
  const smoke = smokeRequested(params);
  const model = modelSpec(params.get('model') ?? 'FC100-100-10').name;
  const bindingLimit = adapter.limits.maxStorageBufferBindingSize || 128 * 2 ** 20;
  const fits = (count: number): boolean => count * MNIST_PIXELS * 4 <= bindingLimit;
  if (smoke) {
    return { smoke, model, testCount: 200, trainCounts: [1000], trainCount: 1000, epochs: 3, batch: 25, evaluationLimit: 200, reportEvery: 2 };
  }
  const cpu = adapter.isSwiftShader || adapter.isFallbackAdapter;
  const trainCounts = TRAIN_COUNTS.filter((n) => n <= MNIST_COUNTS.train && fits(n));
  const preferred = cpu ? 2000 : 10000;
  return {
    smoke,
    model,
    testCount: MNIST_COUNTS.test,
    trainCounts,
    trainCount: trainCounts.includes(preferred) ? preferred : trainCounts[trainCounts.length - 1],
    epochs: cpu ? 3 : 5,
    evaluationLimit: cpu ? 1000 : MNIST_COUNTS.test,
    reportEvery: cpu ? 2 : 10,
  };
}
