/** Node-only checkpoint file I/O on top of the platform-free codec in ./checkpoint.ts. */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import {
  checkCheckpointMatches,
  decodeCheckpoint,
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
