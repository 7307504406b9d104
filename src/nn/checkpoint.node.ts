/** Node-only checkpoint file I/O on top of the platform-free codec in ./checkpoint.ts. */
import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import {
  checkCheckpointMatches,
  checkpointHeaderLength,
  decodeCheckpoint,
  decodeCheckpointHeader,
  encodeCheckpoint,
  type CheckpointExpectation,
  type CheckpointMeta,
  type CheckpointTensor,
  type DecodedCheckpoint,
} from './checkpoint.ts';

/**
 * Writes a checkpoint atomically, so an interrupted save never leaves a half-written file
 * where a previous good checkpoint was.
 */
export async function saveCheckpoint(path: string, meta: CheckpointMeta, tensors: Record<string, CheckpointTensor>): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(meta, tensors));
}

/**
 * Reads and validates a checkpoint; with `expected`, also checks model name and tensor shapes.
 * @throws Error naming `path` if the file is missing, corrupt, or does not match `expected`.
 */
export async function loadCheckpoint(path: string, expected?: CheckpointExpectation): Promise<DecodedCheckpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`${path}: cannot read checkpoint: ${(err as Error).message}`);
  }
  const decoded = decodeCheckpoint(bytes, path);
  if (expected) checkCheckpointMatches(decoded, expected);
  return decoded;
}

/**
 * A checkpoint's metadata (its training record included) from its header alone: 8 bytes, then the
 * header they declare, never the weights.
 * @throws Error naming `path` if the file cannot be read or its header is not a checkpoint's.
 */
export async function readCheckpointMeta(path: string): Promise<CheckpointMeta> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new Error(`${path}: cannot read checkpoint: ${(err as Error).message}`);
  }
  try {
    const first = new Uint8Array(8);
    const { bytesRead } = await handle.read(first, 0, 8, 0);
    const length = checkpointHeaderLength(first.subarray(0, bytesRead), path);
    const header = new Uint8Array(length);
    const got = (await handle.read(header, 0, length, 8)).bytesRead;
    if (got < length) throw new Error(`${path}: truncated: header length field says ${length} bytes but only ${got} follow it`);
    return decodeCheckpointHeader(header, path).meta;
  } finally {
    await handle.close();
  }
}
