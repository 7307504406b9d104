/**
 * How a checkpoint's weights came to be: the record a training run writes into the checkpoint itself (so
 * the two can never be separated, see docs/checkpoint-format.md) and lists in its folder's
 * training-results.json.
 */
import type { DataIdentity } from '../data/identity.ts';
import type { TrainingSetName } from './trainingSets.ts';

export interface TrainingRecord {
  model: string;
  set: TrainingSetName;
  /** The checkpoint's file name, in the folder of training-results.json (so the folder can move). */
  checkpoint: string;
  trainError: number;
  testError: number;
  /** Error on the other half of the split (P1/P2 models only), for Table 3. */
  otherHalfError?: number;
  /** 'sgd' or full-batch 'lbfgs' (records written before the option existed are SGD). */
  optimizer?: 'sgd' | 'lbfgs';
  /**
   * How it was trained: optimizer, batch, learning rate and schedule, as `blindspot models` prints them
   * (records written before 2026-12-06 lack it; docs/training.md states their settings).
   */
  settings?: string;
  /** SGD: epochs run. L-BFGS: passes over the training set (objective evaluations). */
  epochs: number;
  /** L-BFGS only: accepted iterations, and why the solver stopped. */
  iterations?: number;
  stopReason?: string;
  seconds: number;
  examplesPerSecond: number;
  seed: number;
  adapter: string;
  date: string;
  /** The data it was trained and measured on (records written before 2026-12-06 lack it). */
  data?: DataIdentity;
}

const TRAINING_SETS = ['full', 'P1', 'P2'];

/** Whether `value` has the shape of a {@link TrainingRecord}; `problem` says what is wrong, or null. */
export function trainingRecordProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const r = value as Record<string, unknown>;
  for (const key of ['model', 'checkpoint', 'adapter', 'date'] as const) if (typeof r[key] !== 'string') return `${key} is not a string`;
  if (!TRAINING_SETS.includes(r.set as string)) return `set ${JSON.stringify(r.set)} is not one of ${TRAINING_SETS.join(', ')}`;
  for (const key of ['trainError', 'testError', 'epochs', 'seconds', 'examplesPerSecond', 'seed'] as const) {
    if (typeof r[key] !== 'number' || !Number.isFinite(r[key])) return `${key} is not a finite number`;
  }
  return null;
}
