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
  /**
   * How it differs from the zoo's training, for hardened models: e.g. "adversarial: input, layer 0, layer
   * 1" (`blindspot harden`); absent for the zoo's own training.
   */
  variant?: string;
}

/** Fields every record has, by the type of their value; and fields some records have. */
const REQUIRED_FIELDS: Record<string, 'string' | 'number'> = {
  model: 'string',
  set: 'string',
  checkpoint: 'string',
  trainError: 'number',
  testError: 'number',
  epochs: 'number',
  seconds: 'number',
  examplesPerSecond: 'number',
  seed: 'number',
  adapter: 'string',
  date: 'string',
};
const OPTIONAL_FIELDS: Record<string, 'string' | 'number' | 'object'> = {
  otherHalfError: 'number',
  optimizer: 'string',
  settings: 'string',
  iterations: 'number',
  stopReason: 'string',
  data: 'object',
  variant: 'string',
};

/** What is wrong with a parsed record, or null when it has the shape of a {@link TrainingRecord}. */
export function trainingRecordProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'is not an object';
  const fields = record as Record<string, unknown>;
  for (const [field, type] of Object.entries(REQUIRED_FIELDS)) {
    if (typeof fields[field] !== type) return `has no ${type} '${field}'`;
  }
  for (const [field, type] of Object.entries(OPTIONAL_FIELDS)) {
    if (field in fields && typeof fields[field] !== type) return `has '${field}' = ${JSON.stringify(fields[field])}, not a ${type}`;
  }
  if (!['full', 'P1', 'P2'].includes(fields.set as string)) return `has set ${JSON.stringify(fields.set)}, not full, P1 or P2`;
  // The checkpoint is read from beside the index: a path could point anywhere.
  const checkpoint = fields.checkpoint as string;
  if (/[/\\]/.test(checkpoint) || checkpoint === '.' || checkpoint === '..' || checkpoint === '') {
    return `names checkpoint ${JSON.stringify(checkpoint)}, which is not a file name in this folder`;
  }
  return null;
}
