/**
 * Reading files that may not be what they claim. Only regular files are read: a directory, a FIFO, a
 * socket or a device such as /dev/zero is refused at once (a FIFO is opened without blocking), and every
 * read is bounded: by what the file's own header declares, checked against the file's size before the body
 * is read, or by a limit the caller states for a whole file.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** An error about a file; `code` is the system's error code where there was one (e.g. 'ENOENT'). */
export class FileReadError extends Error {
  override name = 'FileReadError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A regular file opened for reading, with the size it had when opened. */
export interface RegularFile {
  readonly path: string;
  readonly size: number;
  /**
   * Exactly `length` bytes from `position`.
   * @throws FileReadError if the file ends first (it shrank while being read).
   */
  read(position: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
}

const WHY_NOT: Record<string, string> = {
  ENOENT: 'no such file (or a symbolic link to a missing one)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links (a loop?)',
  ENOTDIR: 'a component of the path is not a directory',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * Open `path`, run `use` on it and close it, refusing anything but a regular file.
 * @param what What the file should be, with its article ("a checkpoint", "an IDX file"), for the messages.
 * @throws FileReadError naming the path: missing, unreadable, or not a regular file (saying what it is).
 */
export async function withRegularFile<T>(path: string, what: string, use: (file: RegularFile) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, possibly forever.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new FileReadError(`${path}: is a directory, not ${what}`, code);
    throw new FileReadError(`${path}: cannot open ${what}: ${WHY_NOT[code ?? ''] ?? (error as Error).message}`, code);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FileReadError(`${path}: is ${kindOf(stats)}, not ${what} (only regular files are read)`);
    const size = stats.size;
    return await use({ path, size, read: (position, length) => readExactly(handle, path, position, length) });
  } finally {
    await handle.close();
  }
}

/**
 * The whole content of a regular file of at most `maxBytes` bytes.
 * @throws FileReadError as {@link withRegularFile}, or when the file is larger than `maxBytes`.
 */
export async function readBoundedFile(path: string, what: string, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  return withRegularFile(path, what, async (file) => {
    if (file.size > maxBytes) {
      throw new FileReadError(`${path}: ${file.size} bytes, more than the ${maxBytes} that ${what} may have here; is it the right file?`);
    }
    return file.read(0, file.size);
  });
}

async function readExactly(handle: FileHandle, path: string, position: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) {
      throw new FileReadError(`${path}: the file ended after ${position + filled} bytes, before the ${position + length} it held when opened (did it change while being read?)`);
    }
    filled += bytesRead;
  }
  return buffer;
}

function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The parsed JSON of a file of at most `maxBytes` bytes, or undefined if there is no such file.
 * @throws FileReadError as {@link readBoundedFile}; Error naming the file when it is not UTF-8 JSON.
 */
export async function readOptionalJson(path: string, what: string, maxBytes: number): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedFile(path, what, maxBytes);
  } catch (error) {
    if (error instanceof FileReadError && error.code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
