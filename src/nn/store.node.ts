/**
 * Where trained models live on disk: one safetensors-style checkpoint per (model, training set), plus a
 * JSON summary of every training run that reports and `blindspot reproduce` read.
 */
import { basename, join } from 'node:path';
import { readOptionalJson } from '../util/boundedRead.node.ts';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import type { TrainingSetName } from './trainingSets.ts';

/** `FC10(1e-4)` on P1 → `FC10_1e-4_-P1.safetensors`: file-system-safe and still readable. */
export function checkpointFileName(model: string, set: TrainingSetName): string {
  return `${model.replace(/[^A-Za-z0-9.-]+/g, '_')}-${set}.safetensors`;
}

export function checkpointPath(dir: string, model: string, set: TrainingSetName): string {
  return join(dir, checkpointFileName(model, set));
}

/** One line of training-results.json. */
export interface TrainingRecord {
  model: string;
  set: TrainingSetName;
  /** The checkpoint's file name, beside training-results.json (so the folder can move). */
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
}

const RESULTS_FILE = 'training-results.json';

/** training-results.json holds one short record per trained model: a file this large is not one. */
const MAX_RECORDS_BYTES = 16 * 2 ** 20;

/**
 * The training records in `dir` (none if it has no training-results.json), read with a size limit and
 * checked record by record.
 * @throws Error naming the file: not a regular file, too large, not JSON, not a list of records, or the
 *   first record with a missing or mistyped field (named).
 */
export async function readTrainingRecords(dir: string): Promise<TrainingRecord[]> {
  const path = join(dir, RESULTS_FILE);
  const parsed = await readOptionalJson(path, 'a training-records file', MAX_RECORDS_BYTES);
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed)) {
    throw new Error(`${path}: holds ${parsed === null ? 'null' : `a JSON ${typeof parsed}`} where a list of training records belongs (one per trained model)`);
  }
  parsed.forEach((record, i) => {
    const problem = recordProblem(record);
    if (problem) throw new Error(`${path}: record ${i} ${problem}`);
  });
  return parsed as TrainingRecord[];
}

/** Fields every record has, by the type their value must have; and fields some records have. */
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
const OPTIONAL_FIELDS: Record<string, 'string' | 'number'> = {
  otherHalfError: 'number',
  optimizer: 'string',
  settings: 'string',
  iterations: 'number',
  stopReason: 'string',
};

/** What is wrong with one parsed record, or null. */
function recordProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'is not an object';
  const fields = record as Record<string, unknown>;
  for (const [field, type] of Object.entries(REQUIRED_FIELDS)) {
    if (typeof fields[field] !== type) return `has no ${type} '${field}'`;
  }
  for (const [field, type] of Object.entries(OPTIONAL_FIELDS)) {
    if (field in fields && typeof fields[field] !== type) return `has '${field}' = ${JSON.stringify(fields[field])}, not a ${type}`;
  }
  if (!['full', 'P1', 'P2'].includes(fields.set as string)) return `has set ${JSON.stringify(fields.set)}, not full, P1 or P2`;
  // The checkpoint is read from beside this file: a path could point anywhere.
  if (basename(fields.checkpoint as string) !== fields.checkpoint || fields.checkpoint === '..') {
    return `names checkpoint ${JSON.stringify(fields.checkpoint)}, which is not a file name in this folder`;
  }
  return null;
}

/** Add or replace the record of (model, set), atomically. */
export async function saveTrainingRecord(dir: string, record: TrainingRecord): Promise<void> {
  const records = (await readTrainingRecords(dir)).filter((r) => !(r.model === record.model && r.set === record.set));
  records.push(record);
  await writeFileAtomic(join(dir, RESULTS_FILE), `${JSON.stringify(records, null, 2)}\n`);
}
