/**
 * Where trained models live on disk: one safetensors-style checkpoint per (model, training set), plus a
 * JSON summary of every training run that reports and `blindspot reproduce` read.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

export async function readTrainingRecords(dir: string): Promise<TrainingRecord[]> {
  try {
    return JSON.parse(await readFile(join(dir, RESULTS_FILE), 'utf8')) as TrainingRecord[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`${join(dir, RESULTS_FILE)}: ${(error as Error).message}`);
  }
}

/** Add or replace the record of (model, set), atomically. */
export async function saveTrainingRecord(dir: string, record: TrainingRecord): Promise<void> {
  const records = (await readTrainingRecords(dir)).filter((r) => !(r.model === record.model && r.set === record.set));
  records.push(record);
  await writeFileAtomic(join(dir, RESULTS_FILE), `${JSON.stringify(records, null, 2)}\n`);
}
