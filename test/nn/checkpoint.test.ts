import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkCheckpointMatches,
  checkpointMismatches,
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointMeta,
  type CheckpointTensor,
} from '../../src/nn/checkpoint.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.node.ts';
import { writeFileAtomic } from '../../src/util/atomicWrite.node.ts';

const meta: CheckpointMeta = {
  model: 'FC100-100-10',
  architecture: '784-100-100-10 sigmoid',
  lambdas: [1e-5, 1e-5, 1e-6],
  trainingSet: 'P1',
  seed: 17,
  errors: { train: 0, test: 0.0158 },
  extra: { epochs: 3, note: 'λ per layer' },
};

function tensors(): Record<string, CheckpointTensor> {
  // Awkward f32 values: -0, NaN, a denormal, infinities and non-round numbers must survive bit-exactly.
  const w = Float32Array.from([0.1, -0, NaN, 1e-42, Infinity, -Infinity, 3.14159, -2.5e10]);
  return {
    'fc1.weight': { shape: [4, 2], data: w },
    'fc1.bias': { shape: [2], data: Float32Array.from([1, -1]) },
    scalar: { shape: [], data: Float32Array.from([42]) },
    empty: { shape: [0, 3], data: new Float32Array(0) },
  };
}

const expected = { model: 'FC100-100-10', tensors: { 'fc1.weight': [4, 2], 'fc1.bias': [2], scalar: [], empty: [0, 3] } };

const bits = (a: Float32Array): number[] => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

describe('encodeCheckpoint / decodeCheckpoint', () => {
  it('round-trips metadata and tensors bit-exactly', () => {
    const original = tensors();
    const decoded = decodeCheckpoint(encodeCheckpoint(meta, original), 'mem');
    expect(decoded.source).toBe('mem');
    expect(decoded.meta).toEqual(meta);
    expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(original).sort());
    for (const [name, t] of Object.entries(original)) {
      expect(decoded.tensors[name].shape).toEqual(t.shape);
      expect(bits(decoded.tensors[name].data)).toEqual(bits(t.data));
    }
    expect(() => checkCheckpointMatches(decoded, expected)).not.toThrow();
  });

  it('writes the safetensors layout', () => {
    const bytes = encodeCheckpoint(meta, tensors());
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(Object.values(header.__metadata__).every((v) => typeof v === 'string')).toBe(true);
    expect(header.__metadata__.model).toBe('FC100-100-10');
    expect(JSON.parse(header.__metadata__.lambdas)).toEqual([1e-5, 1e-5, 1e-6]);
    // Name order: empty, fc1.bias, fc1.weight, scalar.
    expect(header['fc1.bias']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header['fc1.weight']).toEqual({ dtype: 'F32', shape: [4, 2], data_offsets: [8, 40] });
    expect(header.scalar.data_offsets).toEqual([40, 44]);
    expect(bytes.length).toBe(8 + n + 44);
    // fc1.bias = [1, -1] as little-endian f32: 0x3f800000, 0xbf800000.
    expect([...bytes.subarray(8 + n, 8 + n + 8)]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0x80, 0xbf]);
  });

  it('decodes from a view at an unaligned offset (as Node Buffers may be)', () => {
    const bytes = encodeCheckpoint(meta, tensors());
    const backing = new Uint8Array(bytes.length + 3);
    backing.set(bytes, 3);
    const decoded = decodeCheckpoint(backing.subarray(3), 'unaligned');
    // Typed as ArrayBuffer-backed so it can go to GPUQueue.writeBuffer without a cast.
    const data: Float32Array<ArrayBuffer> = decoded.tensors['fc1.weight'].data;
    expect(bits(data)).toEqual(bits(tensors()['fc1.weight'].data));
  });

  it('is deterministic regardless of tensor insertion order', () => {
    const t = tensors();
    const reversed = Object.fromEntries(Object.entries(t).reverse());
    expect(encodeCheckpoint(meta, reversed)).toEqual(encodeCheckpoint(meta, t));
  });

  it('refuses tensors whose data does not fit their shape', () => {
    expect(() => encodeCheckpoint(meta, { w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      'encodeCheckpoint: tensor "w" has shape [2, 2] (4 elements) but 3 values',
    );
  });

  it('reports truncated files', () => {
    const bytes = encodeCheckpoint(meta, tensors());
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'model.safetensors')).toThrow(
      /^model\.safetensors: truncated: tensor "scalar" ends at data byte 44 but the file has only 40 data bytes/,
    );
    expect(() => decodeCheckpoint(bytes.subarray(0, 100), 'm')).toThrow(/^m: truncated: header length field says \d+ bytes but only 92 bytes follow it/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 5), 'm')).toThrow(/^m: truncated: 5 bytes/);
  });

  it('reports corrupt headers', () => {
    const bytes = encodeCheckpoint(meta, tensors());
    const corrupt = bytes.slice();
    corrupt[8] = '['.charCodeAt(0);
    expect(() => decodeCheckpoint(corrupt, 'c.st')).toThrow(/^c\.st: corrupt header: not valid UTF-8 JSON/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => decodeCheckpoint(huge, 'h')).toThrow(/^h: header length field says 1099511627776 bytes/);
  });

  it('reports trailing bytes and metadata problems', () => {
    const bytes = encodeCheckpoint(meta, tensors());
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => decodeCheckpoint(longer, 'x')).toThrow('x: 4 trailing bytes after the last tensor');
    const foreign = rebuild(bytes, (h) => ({ ...h, __metadata__: { format: 'pt' } }));
    expect(() => decodeCheckpoint(foreign, 'y')).toThrow(/^y: __metadata__.format is "pt"/);
    const wrongDtype = rebuild(bytes, (h) => ({ ...h, scalar: { ...(h.scalar as object), dtype: 'F16' } }));
    expect(() => decodeCheckpoint(wrongDtype, 'z')).toThrow('z: tensor "scalar": dtype "F16" is not supported (only F32)');
    const badSpan = rebuild(bytes, (h) => ({ ...h, scalar: { dtype: 'F32', shape: [2], data_offsets: [40, 44] } }));
    expect(() => decodeCheckpoint(badSpan, 'w')).toThrow('w: tensor "scalar": shape [2] needs 8 bytes but data_offsets [40, 44] span 4');
  });
});

/** Re-encodes `bytes` with its JSON header transformed, keeping the data section. */
function rebuild(bytes: Uint8Array, edit: (h: Record<string, unknown>) => Record<string, unknown>): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = edit(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))));
  const json = new TextEncoder().encode(JSON.stringify(header));
  const data = bytes.subarray(8 + n);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('checkCheckpointMatches', () => {
  const decode = () => decodeCheckpoint(encodeCheckpoint(meta, tensors()), 'ckpt/fc.safetensors');

  it('names a wrong model', () => {
    expect(() => checkCheckpointMatches(decode(), { ...expected, model: 'FC10' })).toThrow(
      /^ckpt\/fc\.safetensors: checkpoint does not match model "FC10":\n {2}- model is "FC100-100-10", expected "FC10"$/,
    );
  });

  it('lists missing and unexpected tensors and shape mismatches', () => {
    const decoded = decode();
    const problems = checkpointMismatches(decoded, {
      model: 'FC100-100-10',
      tensors: { 'fc1.weight': [2, 4], 'fc1.bias': [2], scalar: [], 'fc2.weight': [10, 2] },
    });
    expect(problems).toEqual([
      'tensor "fc1.weight" has shape [4, 2], expected [2, 4]',
      'missing tensor "fc2.weight" (expected shape [10, 2])',
      'unexpected tensor "empty" with shape [0, 3]',
    ]);
    expect(checkpointMismatches(decoded, { model: 'FC100-100-10', tensors: { ...expected.tensors, scalar: [1] } })).toEqual([
      'tensor "scalar" has shape [], expected [1]',
    ]);
  });
});

describe('checkpoint files and atomic writes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blindspot-ckpt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves and loads, checking the expectation', async () => {
    const path = join(dir, 'fc.safetensors');
    await saveCheckpoint(path, meta, tensors());
    const loaded = await loadCheckpoint(path, expected);
    expect(loaded.source).toBe(path);
    expect(bits(loaded.tensors['fc1.weight'].data)).toEqual(bits(tensors()['fc1.weight'].data));
    await expect(loadCheckpoint(path, { ...expected, model: 'FC10' })).rejects.toThrow(`${path}: checkpoint does not match model "FC10"`);
    expect(await readdir(dir)).toEqual(['fc.safetensors']);
  });

  it('names a missing or truncated file', async () => {
    const missing = join(dir, 'missing.safetensors');
    await expect(loadCheckpoint(missing)).rejects.toThrow(`${missing}: cannot open a checkpoint: no such file`);
    const truncated = join(dir, 'truncated.safetensors');
    const bytes = encodeCheckpoint(meta, tensors());
    await writeFile(truncated, bytes.subarray(0, bytes.length - 1));
    await expect(loadCheckpoint(truncated)).rejects.toThrow(`${truncated}: truncated`);
    await rm(truncated);
  });

  it('refuses a directory, a FIFO and a device at once, without blocking or reading', async () => {
    const folder = join(dir, 'folder.safetensors');
    await mkdir(folder);
    await expect(loadCheckpoint(folder)).rejects.toThrow(`${folder}: is a directory, not a checkpoint`);
    const fifo = join(dir, 'fifo.safetensors');
    execFileSync('mkfifo', [fifo]);
    await expect(loadCheckpoint(fifo)).rejects.toThrow(`${fifo}: is a FIFO (named pipe), not a checkpoint (only regular files are read)`);
    // readFile on /dev/zero used to grow without end (10 GB in a minute).
    await expect(loadCheckpoint('/dev/zero')).rejects.toThrow('/dev/zero: is a character device, not a checkpoint');
    await rm(folder, { recursive: true });
    await rm(fifo);
  });

  it('checks the header against the file size before reading any tensor data', async () => {
    const bytes = encodeCheckpoint(meta, tensors());
    const huge = join(dir, 'huge.safetensors');
    await writeFile(huge, bytes);
    // A good checkpoint followed by 3 GiB of (sparse) zeros: refused from its size, not read.
    const handle = await open(huge, 'r+');
    await handle.truncate(3 * 2 ** 30);
    await handle.close();
    await expect(loadCheckpoint(huge)).rejects.toThrow(new RegExp(`^${huge}: ${3 * 2 ** 30 - bytes.length} trailing bytes after the last tensor`));
    // A length field pointing past the end of the file, and one over the limit.
    const lying = bytes.slice();
    new DataView(lying.buffer).setBigUint64(0, 50_000_000n, true);
    await writeFile(huge, lying);
    await expect(loadCheckpoint(huge)).rejects.toThrow(`${huge}: truncated: header length field says 50000000 bytes but only ${bytes.length - 8} bytes follow it`);
    new DataView(lying.buffer).setBigUint64(0, 1n << 62n, true);
    await writeFile(huge, lying);
    await expect(loadCheckpoint(huge)).rejects.toThrow(`${huge}: header length field says ${1n << 62n} bytes, more than the 100000000-byte limit`);
    await rm(huge);
  });

  it('replaces a file and leaves no temporary files', async () => {
    const path = join(dir, 'result.json');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await readdir(dir)).filter((f) => f.includes('result'))).toEqual(['result.json']);
  });

  it('keeps the old file and removes the temporary one when the write fails', async () => {
    const path = join(dir, 'keep.json');
    await writeFileAtomic(path, 'old contents');
    let tempSeen = '';
    const failing = writeFileAtomic(path, 'new contents', {
      beforeRename: async (temp) => {
        tempSeen = temp;
        // The temp file really exists, complete, next to the target at this point.
        expect(await readFile(temp, 'utf8')).toBe('new contents');
        throw new Error('simulated disk failure');
      },
    });
    await expect(failing).rejects.toThrow('simulated disk failure');
    expect(tempSeen.startsWith(join(dir, '.keep.json.'))).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect((await readdir(dir)).filter((f) => f.includes('keep'))).toEqual(['keep.json']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such', 'f.json'), 'x')).rejects.toThrow(/ENOENT/);
  });

  it('does not replace a file when the rename itself fails', async () => {
    // Renaming a regular file over a non-empty directory fails on every platform.
    const target = join(dir, 'occupied');
    await mkdir(join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.startsWith('.occupied'))).toEqual([]);
    expect(await readdir(target)).toEqual(['child']);
  });
});
