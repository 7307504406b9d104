/** Node-only checkpoint file I/O on top of the platform-free codec in ./checkpoint.ts. */
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import { withRegularFile } from '../util/boundedRead.node.ts';
import {
  checkCheckpointMatches,
  checkpointHeaderLength,
  decodeCheckpointHeader,
  encodeCheckpoint,
  tensorsFromData,
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
 * Reads and validates a checkpoint; with `expected`, also checks model name and tensor shapes. Reads are
 * bounded: the 8-byte length field first, then the header it declares, which is validated against the
 * file's size (tensors tiling the data section exactly) before the data is read; only regular files are
 * opened, so a directory, FIFO or device (/dev/zero) is refused at once.
 * @throws Error naming `path` if the file is missing, not a regular file, corrupt, or does not match `expected`.
 */
export async function loadCheckpoint(path: string, expected?: CheckpointExpectation): Promise<DecodedCheckpoint> {
  const decoded = await withRegularFile(path, 'a checkpoint', async (file): Promise<DecodedCheckpoint> => {
    const headerLength = checkpointHeaderLength(await file.read(0, Math.min(8, file.size)), file.size, path);
    const layout = decodeCheckpointHeader(await file.read(8, headerLength), file.size, path);
    const data = await file.read(layout.dataStart, layout.dataLength);
    return { source: path, meta: layout.meta, tensors: tensorsFromData(layout, data) };
  });
  if (expected) checkCheckpointMatches(decoded, expected);
  return decoded;
}

/**
 * A checkpoint's metadata (its training record included) from its header alone, validated against the
 * file's size as {@link loadCheckpoint} does, without reading the weights.
 * @throws Error naming `path` if the file is missing, not a regular file, or its header is not a checkpoint's.
 */
export async function readCheckpointMeta(path: string): Promise<CheckpointMeta> {
  return withRegularFile(path, 'a checkpoint', async (file) => {
    const headerLength = checkpointHeaderLength(await file.read(0, Math.min(8, file.size)), file.size, path);
    return decodeCheckpointHeader(await file.read(8, headerLength), file.size, path).meta;
  });
}
