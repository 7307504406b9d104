/**
 * Checkpoint encoding in the safetensors layout (https://github.com/huggingface/safetensors):
 *
 *   [u64 little-endian N][N bytes UTF-8 JSON header, space-padded][raw little-endian tensor data]
 *
 * Sticking to that layout lets Python's `safetensors` open our checkpoints for cross-checking.
 * Platform-free; the file I/O lives in checkpoint.node.ts. The format is described in
 * docs/checkpoint-format.md.
 */
import { trainingRecordProblem, type TrainingRecord } from './trainingRecord.ts';

/** Everything needed to know what a checkpoint holds and how it was produced. */
export interface CheckpointMeta {
  /** Model name as used by the CLI and the results, e.g. "FC100-100-10". */
  model: string;
  /** Human-readable architecture, e.g. "784-100-100-10 sigmoid, softmax". */
  architecture: string;
  /** Weight-decay coefficients λ, one per layer in layer order (the paper's FC10(λ) notation). */
  lambdas: number[];
  /** Training set the weights were fitted on, e.g. "MNIST-train", "P1", "P2". */
  trainingSet: string;
  /** Seed of the run that produced the weights. */
  seed: number;
  /** Measured error rates or other scores, e.g. `{ train: 0.012, test: 0.017 }`. */
  errors?: Record<string, number>;
  /** Anything else worth keeping; must survive JSON round-tripping. */
  extra?: Record<string, unknown>;
  /**
   * How the weights were trained: the record `blindspot train` also lists in training-results.json,
   * stored here so that a checkpoint and its record are written (and replaced) as one file.
   */
  record?: TrainingRecord;
}

/** One named f32 tensor. */
export interface CheckpointTensor {
  shape: number[];
  data: Float32Array;
}

/** A tensor read from a checkpoint: its own ArrayBuffer-backed copy, ready for `GPUQueue.writeBuffer`. */
export interface LoadedTensor extends CheckpointTensor {
  data: Float32Array<ArrayBuffer>;
}

/** A decoded checkpoint; `source` is the name given to {@link decodeCheckpoint}, kept for error messages. */
export interface DecodedCheckpoint {
  source: string;
  meta: CheckpointMeta;
  tensors: Record<string, LoadedTensor>;
}

/** What a caller expects a checkpoint to contain: the model name and every tensor's shape. */
export interface CheckpointExpectation {
  model: string;
  tensors: Record<string, number[]>;
}

/** Value of `__metadata__.format`, marking files written by this module. */
export const CHECKPOINT_FORMAT = 'blindspot-checkpoint';
/** Value of `__metadata__.format_version`; bump when the metadata keys change incompatibly. */
export const CHECKPOINT_FORMAT_VERSION = '1';

// safetensors refuses headers above 100 MB; matching it keeps files readable there and stops a
// corrupt length field from making us allocate gigabytes.
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function validateShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

function metaToStrings(meta: CheckpointMeta): Record<string, string> {
  if (typeof meta.model !== 'string' || meta.model === '') throw new Error('encodeCheckpoint: meta.model must be a non-empty string');
  if (!Number.isFinite(meta.seed)) throw new Error(`encodeCheckpoint: meta.seed must be a finite number, got ${meta.seed}`);
  if (!meta.lambdas.every(Number.isFinite)) throw new Error(`encodeCheckpoint: meta.lambdas must be finite numbers, got ${JSON.stringify(meta.lambdas)}`);
  for (const [k, v] of Object.entries(meta.errors ?? {})) {
    // JSON has no NaN/Infinity; they would silently come back as null.
    if (!Number.isFinite(v)) throw new Error(`encodeCheckpoint: meta.errors.${k} must be a finite number, got ${v}`);
  }
  // safetensors only allows string→string metadata, so structured fields travel as JSON strings.
  return {
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_FORMAT_VERSION,
    model: meta.model,
    architecture: meta.architecture,
    lambdas: JSON.stringify(meta.lambdas),
    training_set: meta.trainingSet,
    seed: String(meta.seed),
    errors: JSON.stringify(meta.errors ?? {}),
    extra: JSON.stringify(meta.extra ?? {}),
    ...(meta.record ? { record: JSON.stringify(meta.record) } : {}),
  };
}

function stringsToMeta(raw: Record<string, string>, fail: (what: string) => never): CheckpointMeta {
  if (raw.format !== CHECKPOINT_FORMAT) {
    fail(`__metadata__.format is ${JSON.stringify(raw.format)}, expected "${CHECKPOINT_FORMAT}" (not a blindspot checkpoint?)`);
  }
  if (raw.format_version !== CHECKPOINT_FORMAT_VERSION) {
    fail(`checkpoint format version ${JSON.stringify(raw.format_version)} is not supported (this build reads version ${CHECKPOINT_FORMAT_VERSION})`);
  }
  for (const key of ['model', 'architecture', 'lambdas', 'training_set', 'seed', 'errors', 'extra']) {
    if (typeof raw[key] !== 'string') fail(`__metadata__.${key} is missing`);
  }
  const parseField = (key: string): unknown => {
    try {
      return JSON.parse(raw[key]);
    } catch {
      return fail(`__metadata__.${key} is not valid JSON: ${JSON.stringify(raw[key])}`);
    }
  };
  const lambdas = parseField('lambdas');
  if (!Array.isArray(lambdas) || !lambdas.every((x) => typeof x === 'number')) fail('__metadata__.lambdas must be a JSON array of numbers');
  const errors = parseField('errors');
  const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isPlainObject(errors) || !Object.values(errors).every((x) => typeof x === 'number')) {
    fail('__metadata__.errors must be a JSON object of numbers');
  }
  const extra = parseField('extra');
  if (!isPlainObject(extra)) fail('__metadata__.extra must be a JSON object');
  const seed = Number(raw.seed);
  if (raw.seed.trim() === '' || !Number.isFinite(seed)) fail(`__metadata__.seed ${JSON.stringify(raw.seed)} is not a number`);
  let record: TrainingRecord | undefined;
  if (raw.record !== undefined) {
    const parsed = parseField('record');
    const problem = trainingRecordProblem(parsed);
    if (problem) fail(`__metadata__.record is not a training record: ${problem}`);
    record = parsed as TrainingRecord;
  }
  return {
    model: raw.model,
    architecture: raw.architecture,
    lambdas: lambdas as number[],
    trainingSet: raw.training_set,
    seed,
    errors: errors as Record<string, number>,
    extra: extra as Record<string, unknown>,
    ...(record ? { record } : {}),
  };
}

function f32ToLittleEndian(data: Float32Array, out: Uint8Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
}

function littleEndianToF32(bytes: Uint8Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) {
    // Copy byte-wise: the data may sit at an offset that is not a multiple of 4.
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Serialises metadata and f32 tensors into safetensors bytes. Tensors are stored in name order so
 * the same inputs always give byte-identical files.
 * @throws Error if a tensor's data length does not match its shape or a name is reserved.
 */
export function encodeCheckpoint(meta: CheckpointMeta, tensors: Record<string, CheckpointTensor>): Uint8Array<ArrayBuffer> {
  const header: Record<string, unknown> = { [METADATA_KEY]: metaToStrings(meta) };
  const names = Object.keys(tensors).sort();
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name];
    if (name === '' || name === METADATA_KEY) throw new Error(`encodeCheckpoint: invalid tensor name ${JSON.stringify(name)}`);
    if (!validateShape(shape)) throw new Error(`encodeCheckpoint: tensor "${name}" has invalid shape ${JSON.stringify(shape)}`);
    if (elementCount(shape) !== data.length) {
      throw new Error(`encodeCheckpoint: tensor "${name}" has shape ${shapeText(shape)} (${elementCount(shape)} elements) but ${data.length} values`);
    }
    header[name] = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Padding the header to 8 bytes keeps the tensor data aligned, as the reference writer does.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  const dataStart = 8 + headerLength;
  for (const name of names) {
    const entry = header[name] as { data_offsets: [number, number] };
    const [begin, end] = entry.data_offsets;
    f32ToLittleEndian(tensors[name].data, out.subarray(dataStart + begin, dataStart + end));
  }
  return out;
}

/** Where one tensor's bytes lie in the data section, as its header entry declares. */
interface TensorSpan {
  tensor: string;
  shape: number[];
  begin: number;
  end: number;
}

/** A checkpoint's validated header: its metadata and where every tensor lies in a file of a known size. */
export interface CheckpointLayout {
  meta: CheckpointMeta;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
  /** Bytes of the data section, which the tensors tile exactly. */
  dataLength: number;
  spans: TensorSpan[];
}

const failWith = (name: string) => (what: string): never => {
  throw new Error(`${name}: ${what}`);
};

/**
 * The header length a checkpoint's first 8 bytes declare, checked against the 100 MB limit and against
 * the size of the whole file, so a reader knows how much to read before reading it.
 *
 * @param first The file's first min(8, fileBytes) bytes.
 * @throws Error naming `name`: a file shorter than 8 bytes, a header length over the limit or past the end.
 */
export function checkpointHeaderLength(first: Uint8Array, fileBytes: number, name: string): number {
  const fail = failWith(name);
  if (fileBytes < 8) fail(`truncated: ${fileBytes} bytes is too short for the 8-byte header length`);
  const declared = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) fail(`header length field says ${declared} bytes, more than the ${MAX_HEADER_BYTES}-byte limit (corrupt file or not a checkpoint)`);
  const headerLength = Number(declared);
  if (8 + headerLength > fileBytes) {
    fail(`truncated: header length field says ${headerLength} bytes but only ${fileBytes - 8} bytes follow it`);
  }
  return headerLength;
}

/**
 * Parses and validates a checkpoint's JSON header — metadata, every tensor's dtype, shape and offsets —
 * and checks that the tensors exactly tile the data section of a file of `fileBytes` bytes, all before
 * any tensor data is read.
 *
 * @param header The `headerLength` bytes that follow the length field.
 * @throws Error naming `name` and what is wrong.
 */
export function decodeCheckpointHeader(header: Uint8Array, fileBytes: number, name: string): CheckpointLayout {
  const fail = failWith(name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
  } catch (err) {
    return fail(`corrupt header: not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('corrupt header: JSON is not an object');
  const entries = parsed as Record<string, unknown>;

  const rawMeta = entries[METADATA_KEY];
  if (typeof rawMeta !== 'object' || rawMeta === null || Array.isArray(rawMeta)) fail('header has no __metadata__ object');
  for (const [k, v] of Object.entries(rawMeta as object)) {
    if (typeof v !== 'string') fail(`__metadata__.${k} must be a string (safetensors metadata is string→string)`);
  }
  const meta = stringsToMeta(rawMeta as Record<string, string>, fail);

  const dataStart = 8 + header.length;
  const dataLength = fileBytes - dataStart;
  const spans: TensorSpan[] = [];
  for (const [tensor, value] of Object.entries(entries)) {
    if (tensor === METADATA_KEY) continue;
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof info !== 'object' || info === null) return fail(`tensor "${tensor}": header entry is not an object`);
    if (info.dtype !== 'F32') fail(`tensor "${tensor}": dtype ${JSON.stringify(info.dtype)} is not supported (only F32)`);
    const shape = info.shape;
    if (!validateShape(shape)) return fail(`tensor "${tensor}": invalid shape ${JSON.stringify(shape)}`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      return fail(`tensor "${tensor}": invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const needed = elementCount(shape) * 4;
    if (end - begin !== needed) {
      fail(`tensor "${tensor}": shape ${shapeText(shape)} needs ${needed} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    if (end > dataLength) {
      fail(`truncated: tensor "${tensor}" ends at data byte ${end} but the file has only ${dataLength} data bytes`);
    }
    spans.push({ tensor, shape: [...shape], begin, end });
  }

  // Like the reference reader, demand that tensors tile the data section with no gaps or overlaps.
  const ordered = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const span of ordered) {
    if (span.begin !== cursor) {
      fail(span.begin < cursor
        ? `tensor "${span.tensor}" overlaps the previous tensor (starts at data byte ${span.begin}, previous ends at ${cursor})`
        : `gap in tensor data: bytes ${cursor}..${span.begin} belong to no tensor (before "${span.tensor}")`);
    }
    cursor = span.end;
  }
  if (cursor !== dataLength) fail(`${dataLength - cursor} trailing bytes after the last tensor (data section is ${dataLength} bytes, tensors cover ${cursor})`);
  return { meta, dataStart, dataLength, spans };
}

/** The tensors of a checkpoint, copied out of its data section as `layout` places them. */
export function tensorsFromData(layout: CheckpointLayout, data: Uint8Array): Record<string, LoadedTensor> {
  const tensors: Record<string, LoadedTensor> = {};
  for (const { tensor, shape, begin, end } of layout.spans) tensors[tensor] = { shape, data: littleEndianToF32(data.subarray(begin, end)) };
  return tensors;
}

/**
 * Parses checkpoint bytes, validating the header length, the JSON header, the metadata, every
 * tensor's dtype, shape and offsets, and that the tensors exactly tile the data section.
 *
 * @param name File name (or other label) used in every error message.
 * @throws Error naming `name` and what is wrong.
 */
export function decodeCheckpoint(bytes: Uint8Array, name: string): DecodedCheckpoint {
  const headerLength = checkpointHeaderLength(bytes.subarray(0, 8), bytes.length, name);
  const layout = decodeCheckpointHeader(bytes.subarray(8, 8 + headerLength), bytes.length, name);
  return { source: name, meta: layout.meta, tensors: tensorsFromData(layout, bytes.subarray(layout.dataStart)) };
}

/** Lists every way `decoded` differs from `expected` (model name, missing/extra tensors, shapes); empty if it matches. */
export function checkpointMismatches(decoded: DecodedCheckpoint, expected: CheckpointExpectation): string[] {
  const problems: string[] = [];
  if (decoded.meta.model !== expected.model) {
    problems.push(`model is "${decoded.meta.model}", expected "${expected.model}"`);
  }
  for (const [tensor, shape] of Object.entries(expected.tensors)) {
    const actual = decoded.tensors[tensor];
    if (actual === undefined) problems.push(`missing tensor "${tensor}" (expected shape ${shapeText(shape)})`);
    else if (actual.shape.length !== shape.length || actual.shape.some((d, i) => d !== shape[i])) {
      problems.push(`tensor "${tensor}" has shape ${shapeText(actual.shape)}, expected ${shapeText(shape)}`);
    }
  }
  for (const [tensor, { shape }] of Object.entries(decoded.tensors)) {
    if (!(tensor in expected.tensors)) problems.push(`unexpected tensor "${tensor}" with shape ${shapeText(shape)}`);
  }
  return problems;
}

/**
 * Throws unless `decoded` holds exactly the expected model and tensor shapes.
 * @throws Error naming the checkpoint and listing every mismatch.
 */
export function checkCheckpointMatches(decoded: DecodedCheckpoint, expected: CheckpointExpectation): void {
  const problems = checkpointMismatches(decoded, expected);
  if (problems.length > 0) {
    throw new Error(`${decoded.source}: checkpoint does not match model "${expected.model}":\n  - ${problems.join('\n  - ')}`);
  }
}
