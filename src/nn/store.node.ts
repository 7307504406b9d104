/**
 * Where trained models live on disk: a folder of checkpoints, each carrying its own training record in
 * its header (docs/checkpoint-format.md), and `training-results.json`, an index of those records for
 * people and tools, rebuilt from the checkpoints after every save. Readers take the records from the
 * checkpoints, so a weight file and its record are always read together: a kill during a save leaves the
 * old file or the new one, each with its own record, and never one beside the other's record.
 */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import { readOptionalJson } from '../util/boundedRead.node.ts';
import type { CheckpointMeta, CheckpointTensor } from './checkpoint.ts';
import { readCheckpointMeta, saveCheckpoint } from './checkpoint.node.ts';
import { trainingRecordProblem, type TrainingRecord } from './trainingRecord.ts';
import type { TrainingSetName } from './trainingSets.ts';

export type { TrainingRecord } from './trainingRecord.ts';

/** The index file of a folder of trained models. */
export const RESULTS_FILE = 'training-results.json';
const LOCK_FILE = '.training-results.lock';
/** The index holds one short record per trained model: a file this large is not one. */
const MAX_INDEX_BYTES = 16 * 2 ** 20;

/**
 * `FC10(1e-4)` on P1 → `FC10_1e-4_-P1.safetensors`: file-system-safe and still readable; a variant (a
 * hardened model) adds its own part: `FC100-100-10-full-adversarial-input-layers.safetensors`.
 */
export function checkpointFileName(model: string, set: TrainingSetName, variant?: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9.-]+/g, '_');
  return `${safe(model)}-${set}${variant ? `-${variant.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '')}` : ''}.safetensors`;
}

export function checkpointPath(dir: string, model: string, set: TrainingSetName): string {
  return join(dir, checkpointFileName(model, set));
}

/** A checkpoint in a folder of trained models, with the record of how it was trained. */
export interface StoredModel {
  /** The checkpoint's path. */
  path: string;
  meta: CheckpointMeta;
  record: TrainingRecord;
}

/** What a folder holds: its trained models, and why any other checkpoint there has no usable record. */
export interface StoredModels {
  models: StoredModel[];
  problems: string[];
}

/**
 * Every checkpoint in `dir` with its record, read from the checkpoints' headers. A checkpoint written
 * before records moved into checkpoints takes its record from the index, but only when the two agree on
 * its errors; otherwise it is listed under `problems`. A missing folder holds nothing.
 */
export async function listTrainedModels(dir: string): Promise<StoredModels> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.safetensors')).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { models: [], problems: [] };
    throw new Error(`${dir}: cannot list trained models: ${(error as Error).message}`);
  }
  const models: StoredModel[] = [];
  const problems: string[] = [];
  let index: TrainingRecord[] | null = null;
  for (const name of names.sort()) {
    const path = join(dir, name);
    const meta = await readCheckpointMeta(path);
    let record = meta.record;
    if (!record) {
      index ??= await readTrainingIndex(dir);
      record = index.find((r) => r.checkpoint === name && r.testError === meta.errors?.test && r.trainError === meta.errors?.train);
      if (!record) {
        problems.push(`${path}: no training record in the checkpoint, and none in ${RESULTS_FILE} with its errors`);
        continue;
      }
    }
    if (record.checkpoint !== name || record.model !== meta.model || record.set !== meta.trainingSet) {
      problems.push(`${path}: its record describes ${record.model} on ${record.set} in ${record.checkpoint}, not this ${meta.model} on ${meta.trainingSet}`);
      continue;
    }
    models.push({ path, meta, record });
  }
  return { models, problems };
}

/** The records of every checkpoint in `dir` (see {@link listTrainedModels}). */
export async function readTrainingRecords(dir: string): Promise<TrainingRecord[]> {
  return (await listTrainedModels(dir)).models.map((m) => m.record);
}

/**
 * The index of `dir` as written (none if there is no training-results.json), read with a size limit and
 * checked record by record. Readers of trained models want {@link listTrainedModels}, which takes records
 * from the checkpoints; the index only pairs with checkpoints from before records moved into them.
 * @throws Error naming the file: not a regular file, too large, not JSON, not a list of records, or the
 *   first record with a missing or mistyped field (named).
 */
export async function readTrainingIndex(dir: string): Promise<TrainingRecord[]> {
  const path = join(dir, RESULTS_FILE);
  const parsed = await readOptionalJson(path, 'a training-records file', MAX_INDEX_BYTES);
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed)) {
    throw new Error(`${path}: holds ${parsed === null ? 'null' : `a JSON ${typeof parsed}`} where a list of training records belongs (one per trained model)`);
  }
  parsed.forEach((record, i) => {
    const problem = trainingRecordProblem(record);
    if (problem) throw new Error(`${path}: record ${i} ${problem}`);
  });
  return parsed as TrainingRecord[];
}

/**
 * Save a trained model into `dir`: the checkpoint, its record inside (`meta.record`, naming this file),
 * written atomically; then, holding the folder's lock, remove temporary files that killed writers left
 * behind and rebuild the index from every checkpoint in the folder, so writers running at once never
 * lose each other's records.
 */
export async function saveTrainedModel(dir: string, meta: CheckpointMeta & { record: TrainingRecord }, tensors: Record<string, CheckpointTensor>): Promise<string> {
  const path = join(dir, meta.record.checkpoint);
  await saveCheckpoint(path, meta, tensors);
  await withFolderLock(dir, async () => {
    await removeStaleTemporaryFiles(dir);
    const { models } = await listTrainedModels(dir);
    const records = models.map((m) => m.record).sort((a, b) => `${a.model} ${a.set} ${a.checkpoint}`.localeCompare(`${b.model} ${b.set} ${b.checkpoint}`));
    await writeFileAtomic(join(dir, RESULTS_FILE), `${JSON.stringify(records, null, 2)}\n`);
  });
  return path;
}

async function withFolderLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(dir, {
    lockfilePath: join(dir, LOCK_FILE),
    // A writer holds the lock for milliseconds; one killed while holding it is stale after 10 s.
    stale: 10_000,
    retries: { retries: 100, minTimeout: 20, maxTimeout: 500 },
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Temporary files of writeFileAtomic (`.NAME.PID.RANDOM.tmp`) whose process no longer runs. */
async function removeStaleTemporaryFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const match = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (match && !processRuns(Number(match[1]))) await unlink(join(dir, name)).catch(() => undefined);
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
