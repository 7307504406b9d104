/**
 * Crash-safe file replacement for results and checkpoints: a reader (or a rerun after a crash)
 * sees either the complete old file or the complete new one, never a half-written mix.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * Called after the temporary file is fully written and synced, just before it replaces the
   * target. Exists so tests can inject a failure at the most delicate moment; a throw here
   * aborts the write exactly like a real I/O error would.
   */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file in the same directory
 * (a rename is only atomic within one file system), are fsynced, and the temporary file is then
 * renamed over `path`. On any failure the temporary file is removed and `path` is left untouched.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    // 'wx' refuses to follow or reuse an existing file, so a stale temp name can never be clobbered.
    const handle = await open(temp, 'wx', 0o644);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, path);
    created = false;
  } catch (err) {
    if (created) await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

/**
 * Makes the rename itself durable. Best effort: some platforms (Windows) cannot open or sync a
 * directory, and the data is already safely in place either way.
 */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the directory entry is an optimisation here, not a correctness requirement.
  }
}
