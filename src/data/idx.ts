/**
 * IDX file parsing (the format of the MNIST distribution, http://yann.lecun.com/exdb/mnist/).
 * Platform-free on purpose: the browser demo feeds it bytes from `fetch`, the CLI bytes from disk.
 *
 * Layout: a big-endian u32 magic number `0x0000TTDD` (TT = element type, DD = number of
 * dimensions), DD big-endian u32 dimension sizes, then the elements in row-major order.
 */

/** Which of the two MNIST IDX shapes a file holds. */
export type IdxKind = 'images' | 'labels';

/** A parsed IDX file; `data` is a view into the bytes given to {@link parseIdx}, not a copy. */
export interface IdxFile {
  kind: IdxKind;
  /** Dimension sizes as stored: `[count, rows, cols]` for images, `[count]` for labels. */
  dims: number[];
  data: Uint8Array;
}

/**
 * Images and labels of one MNIST part (train or test), ready for the engine. The arrays are typed
 * as ArrayBuffer-backed so they can go straight to `GPUQueue.writeBuffer`.
 */
export interface LabelledImages {
  /** `count × 784` row-major pixels scaled to [0, 1]. */
  images: Float32Array<ArrayBuffer>;
  /** `count` class indices in 0..9. */
  labels: Int32Array<ArrayBuffer>;
  count: number;
}

/** Side length of an MNIST image in pixels. */
export const MNIST_SIDE = 28;
/** Pixels per MNIST image. */
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** Number of MNIST classes. */
export const MNIST_CLASSES = 10;

const MAGIC_IMAGES = 0x00000803;
const MAGIC_LABELS = 0x00000801;
const TYPE_UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** What an IDX header declares: the file's kind, its dimensions, and the sizes they imply. */
export interface IdxHeader {
  kind: IdxKind;
  dims: number[];
  /** Bytes of the header itself: 4 + 4 · dimensions. */
  headerBytes: number;
  /** Bytes of data the dimensions declare (their product: one byte per element). */
  dataBytes: number;
}

/**
 * The most data bytes accepted: what a typed array can index here. A header declaring more is corrupt
 * or not meant for this loader, and is refused before anything is read or allocated.
 */
export const MAX_IDX_DATA_BYTES = 2 ** 32 - 1;

/** Bytes that always hold a complete header of any IDX file this parser accepts (3 dimensions). */
export const IDX_HEADER_MAX_BYTES = 16;

/**
 * Parses and validates the header of an MNIST IDX file (images `0x00000803` or labels `0x00000801`,
 * unsigned bytes) from the first bytes of the file, without looking at the data.
 *
 * @param prefix The start of the file: at least its header (at most {@link IDX_HEADER_MAX_BYTES} bytes).
 * @param name   The file name, used in every error message.
 * @param expect When given, a file of the other kind is rejected.
 * @throws Error naming `name` and the problem (bad magic, wrong type, truncated header, ...).
 */
export function parseIdxHeader(prefix: Uint8Array, name: string, expect?: IdxKind): IdxHeader {
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  if (prefix.length < 4) fail(`truncated: ${prefix.length} bytes is too short for the 4-byte IDX magic number`);
  if (prefix[0] === 0x1f && prefix[1] === 0x8b) {
    fail('this is gzip-compressed data; decompress it first (or name the file with a .gz suffix)');
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const magic = view.getUint32(0, false);
  if (prefix[0] !== 0 || prefix[1] !== 0) {
    fail(`bad magic number ${hex8(magic)}: IDX files start with two zero bytes; expected ${hex8(MAGIC_IMAGES)} (images) or ${hex8(MAGIC_LABELS)} (labels)`);
  }
  const type = prefix[2];
  if (type !== TYPE_UBYTE) {
    const typeName = TYPE_NAMES[type] ?? 'unknown type';
    fail(`unsupported data type ${hex2(type)} (${typeName}) in magic number ${hex8(magic)}; MNIST files hold unsigned bytes (0x08)`);
  }
  const ndims = prefix[3];
  let kind: IdxKind;
  if (ndims === 3) kind = 'images';
  else if (ndims === 1) kind = 'labels';
  else {
    return fail(`magic number ${hex8(magic)} declares ${ndims} dimension(s); expected ${hex8(MAGIC_IMAGES)} (3-D images) or ${hex8(MAGIC_LABELS)} (1-D labels)`);
  }
  if (expect !== undefined && kind !== expect) {
    fail(`expected an IDX ${expect} file (magic ${hex8(expect === 'images' ? MAGIC_IMAGES : MAGIC_LABELS)}) but found ${kind} (magic ${hex8(magic)})`);
  }

  const headerBytes = 4 + 4 * ndims;
  if (prefix.length < headerBytes) {
    fail(`truncated: the header of a ${ndims}-D IDX file is ${headerBytes} bytes, file has ${prefix.length}`);
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  if (kind === 'images' && (dims[1] === 0 || dims[2] === 0)) {
    fail(`images of ${dims[1]}×${dims[2]} pixels are empty`);
  }
  const dataBytes = dims.reduce((a, b) => a * b, 1);
  if (dataBytes > MAX_IDX_DATA_BYTES) {
    fail(`header declares ${dims.join('×')} = ${dataBytes} bytes of data, more than the ${MAX_IDX_DATA_BYTES} this loader accepts (corrupt header?)`);
  }
  return { kind, dims, headerBytes, dataBytes };
}

/**
 * Throws unless a file of `fileBytes` bytes is exactly as long as `header` declares.
 * @throws Error naming `name`: truncated, or how many trailing bytes.
 */
export function checkIdxSize(header: IdxHeader, fileBytes: number, name: string): void {
  const actual = fileBytes - header.headerBytes;
  const expected = header.dataBytes;
  const unit = header.kind === 'images' ? 'pixel bytes' : 'label bytes';
  const shape = header.dims.join('×');
  if (actual < expected) throw new Error(`${name}: truncated: header says ${shape} = ${expected} ${unit}, file has ${actual}`);
  if (actual > expected) throw new Error(`${name}: ${actual - expected} trailing bytes: header says ${shape} = ${expected} ${unit}, file has ${actual}`);
}

/**
 * Parses and validates a whole MNIST IDX file (see {@link parseIdxHeader}), requiring the byte length to
 * match the header exactly.
 *
 * @param bytes The whole file, already decompressed.
 * @param name  The file name, used in every error message.
 * @param expect When given, a file of the other kind is rejected.
 * @throws Error naming `name` and the problem (bad magic, wrong type, truncated, trailing bytes, ...).
 */
export function parseIdx(bytes: Uint8Array, name: string, expect?: IdxKind): IdxFile {
  const header = parseIdxHeader(bytes, name, expect);
  checkIdxSize(header, bytes.length, name);
  return { kind: header.kind, dims: header.dims, data: bytes.subarray(header.headerBytes) };
}

/**
 * Converts a parsed images file to `count × 784` floats in [0, 1] (byte / 255).
 * @throws Error naming `name` unless the file holds 28×28 images.
 */
export function imagesToFloat32(idx: IdxFile, name: string): Float32Array<ArrayBuffer> {
  if (idx.kind !== 'images') throw new Error(`${name}: expected an images file, got ${idx.kind}`);
  const [, rows, cols] = idx.dims;
  if (rows !== MNIST_SIDE || cols !== MNIST_SIDE) {
    throw new Error(`${name}: images are ${rows}×${cols} pixels; MNIST images must be ${MNIST_SIDE}×${MNIST_SIDE}`);
  }
  const out = new Float32Array(idx.data.length);
  for (let i = 0; i < out.length; i++) out[i] = idx.data[i] / 255;
  return out;
}

/**
 * Converts a parsed labels file to class indices.
 * @throws Error naming `name` and the first offending index if a label is outside 0..9.
 */
export function labelsToInt32(idx: IdxFile, name: string): Int32Array<ArrayBuffer> {
  if (idx.kind !== 'labels') throw new Error(`${name}: expected a labels file, got ${idx.kind}`);
  const out = new Int32Array(idx.data.length);
  for (let i = 0; i < out.length; i++) {
    const label = idx.data[i];
    if (label >= MNIST_CLASSES) {
      throw new Error(`${name}: label ${label} at index ${i} is out of range 0..${MNIST_CLASSES - 1}`);
    }
    out[i] = label;
  }
  return out;
}

/**
 * Parses an images file and its labels file into one validated {@link LabelledImages}.
 * @throws Error naming the offending file for any format problem or an empty images file, or both files
 *   when their counts differ.
 */
export function decodeLabelledImages(
  imageBytes: Uint8Array,
  imageName: string,
  labelBytes: Uint8Array,
  labelName: string,
): LabelledImages {
  const imageIdx = parseIdx(imageBytes, imageName, 'images');
  const labelIdx = parseIdx(labelBytes, labelName, 'labels');
  const imageCount = imageIdx.dims[0];
  const labelCount = labelIdx.dims[0];
  if (imageCount === 0) throw new Error(`${imageName} holds no images (its header declares 0×${imageIdx.dims[1]}×${imageIdx.dims[2]}); a data set needs at least one`);
  if (imageCount !== labelCount) {
    throw new Error(`${imageName} holds ${imageCount} images but ${labelName} holds ${labelCount} labels; the counts must match`);
  }
  return {
    images: imagesToFloat32(imageIdx, imageName),
    labels: labelsToInt32(labelIdx, labelName),
    count: imageCount,
  };
}

/**
 * Encodes an IDX unsigned-byte file; the inverse of {@link parseIdx}. Used to build test fixtures
 * and to export subsets in the original format.
 */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array<ArrayBuffer> {
  if (dims.length !== 1 && dims.length !== 3) throw new Error(`encodeIdx: ${dims.length} dimensions; MNIST IDX files have 1 or 3`);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`encodeIdx: dims ${dims.join('×')} need ${expected} bytes, got ${data.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (TYPE_UBYTE << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}
