/**
 * Adversarial sets on disk, so tables rebuild without recomputing and an interrupted reproduction resumes:
 * `<name>.json` holds everything but pixels, `<name>.f32` the successful x' (little-endian f32, one row of
 * 784 per successful example, in the order of `examples`). The JSON is written last and is the commit
 * marker: a set without it does not exist.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import { readOptionalJson, withRegularFile } from '../util/boundedRead.node.ts';
import { ensureDirectory } from '../util/directories.node.ts';
import type { AttackReport } from './attack.ts';
import { MNIST_PIXELS } from '../data/idx.ts';

export interface SavedExample {
  /** Index of the image in its dataset. */
  index: number;
  label: number;
  target: number;
  success: boolean;
  distortion: number | null;
  c: number | null;
  reason?: string;
  evaluations: number;
  /** Row in the .f32 file, or -1 without success. */
  row: number;
}

export interface AdversarialSet {
  name: string;
  model: string;
  /** Which images were attacked: 'train' or 'test'. */
  source: 'train' | 'test';
  targetMode: 'random' | 'all';
  /** What produced the set; a resumed run reuses a set only if this matches. */
  config: Record<string, unknown>;
  /** Dataset indices of the images given to the attack (attacked or not). */
  images: number[];
  attacked: number;
  misclassifiedBefore: number;
  successes: number;
  failures: number;
  meanDistortion: number | null;
  seconds: number;
  evaluations: number;
  examples: SavedExample[];
  /** Successful adversarial images, [successes × 784] (not stored in the JSON). */
  adversarial: Float32Array;
}

export function setFromReport(
  report: AttackReport,
  info: { name: string; model: string; source: 'train' | 'test'; targetMode: 'random' | 'all'; config: Record<string, unknown>; datasetIndices: ArrayLike<number> },
): AdversarialSet {
  const examples: SavedExample[] = [];
  const rows: Float32Array[] = [];
  for (const image of report.images) {
    for (const e of image.examples) {
      examples.push({
        index: info.datasetIndices[e.image],
        label: e.label,
        target: e.target,
        success: e.success,
        distortion: e.success ? e.distortion : null,
        c: e.success ? e.c : null,
        reason: e.reason,
        evaluations: e.evaluations,
        row: e.success ? rows.length : -1,
      });
      if (e.success) rows.push(e.adversarial!);
    }
  }
  const adversarial = new Float32Array(rows.length * MNIST_PIXELS);
  rows.forEach((r, i) => adversarial.set(r, i * MNIST_PIXELS));
  return {
    name: info.name,
    model: info.model,
    source: info.source,
    targetMode: info.targetMode,
    config: info.config,
    images: Array.from(info.datasetIndices),
    attacked: report.attacked,
    misclassifiedBefore: report.misclassifiedBefore,
    successes: report.successes,
    failures: report.failures,
    meanDistortion: Number.isFinite(report.meanDistortion) ? report.meanDistortion : null,
    seconds: report.seconds,
    evaluations: report.evaluations,
    examples,
    adversarial,
  };
}

export async function saveSet(dir: string, set: AdversarialSet): Promise<void> {
  await ensureDirectory(dir, 'adversarial sets folder');
  const { adversarial, ...meta } = set;
  await writeFileAtomic(join(dir, `${set.name}.f32`), new Uint8Array(adversarial.buffer, adversarial.byteOffset, adversarial.byteLength));
  await writeFileAtomic(join(dir, `${set.name}.json`), `${JSON.stringify(meta, null, 1)}\n`);
}

/** The JSON of a set holds a few hundred bytes per example: a file beyond this is not one. */
const MAX_SET_JSON_BYTES = 256 * 2 ** 20;

/**
 * The saved set called `name`, or null if there is none or it was made with another config. Both files
 * are read bounded: the JSON up to a size limit, the images only once their size matches what the JSON
 * declares.
 * @throws Error naming the file: not a regular file, too large, not JSON, not a set, or images of the
 *   wrong size.
 */
export async function loadSet(dir: string, name: string, config: Record<string, unknown>): Promise<AdversarialSet | null> {
  const jsonPath = join(dir, `${name}.json`);
  const parsed = await readOptionalJson(jsonPath, 'an adversarial-set file', MAX_SET_JSON_BYTES);
  if (parsed === undefined) return null;
  const problem = setProblem(parsed);
  if (problem) throw new Error(`${jsonPath}: not an adversarial set: ${problem}`);
  const meta = parsed as Omit<AdversarialSet, 'adversarial'>;
  if (JSON.stringify(meta.config) !== JSON.stringify(config)) return null;
  const successes = meta.examples.filter((e) => e.success).length;
  const f32Path = join(dir, `${name}.f32`);
  const pixels = await withRegularFile(f32Path, 'an adversarial-image file', async (file) => {
    if (file.size !== successes * MNIST_PIXELS * 4) {
      throw new Error(`${f32Path}: ${file.size} bytes, expected ${successes * MNIST_PIXELS * 4} for ${successes} images`);
    }
    return file.read(0, file.size);
  });
  return { ...meta, adversarial: new Float32Array(pixels.buffer) };
}

/** What keeps parsed JSON from being a set whose examples point at distinct rows of its images, or null. */
function setProblem(parsed: unknown): string | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'the JSON is not an object';
  const { examples } = parsed as { examples?: unknown };
  if (!Array.isArray(examples)) return 'it has no list of examples';
  const successes = examples.filter((e) => (e as SavedExample | null)?.success === true).length;
  const rows = new Set<number>();
  for (const [i, example] of examples.entries()) {
    const { success, row } = (example ?? {}) as Partial<SavedExample>;
    if (typeof success !== 'boolean') return `example ${i} has no boolean 'success'`;
    const valid = success ? Number.isInteger(row) && row! >= 0 && row! < successes && !rows.has(row!) : row === -1;
    if (!valid) return `example ${i} has row ${JSON.stringify(row)}, not ${success ? `a distinct row in 0..${successes - 1}` : '-1'}`;
    if (success) rows.add(row!);
  }
  return null;
}

/** The adversarial image of a successful example. */
export function adversarialOf(set: AdversarialSet, example: SavedExample): Float32Array {
  if (example.row < 0) throw new Error(`example of image ${example.index} has no adversarial image`);
  return set.adversarial.subarray(example.row * MNIST_PIXELS, (example.row + 1) * MNIST_PIXELS);
}
