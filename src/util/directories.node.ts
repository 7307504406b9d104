/**
 * Output folders, checked before any work. Node's own `mkdir(path, { recursive: true })` loops forever on
 * some paths that cannot be created (under /proc, for one), so folders are made here one level at a time
 * from the nearest one that exists, and a folder counts as writable only once a file was created in it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Make `path` and any missing parents; throws a clear error naming `what` and the path otherwise. */
export async function ensureDirectory(path: string, what = 'output folder'): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      // ENOTDIR: a file stands where a folder of the path should be; the walk up finds and names it.
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
      throw new Error(`${what} ${path}: cannot look at ${dir}: ${error.message}`);
    });
    if (info) {
      if (!info.isDirectory()) throw new Error(`${what} ${path}: ${dir} exists and is not a folder`);
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${what} ${path}: cannot create ${dir}: ${(error as Error).message}`);
    }
  }
}

/** {@link ensureDirectory}, then prove it writable by creating and removing a file in it. */
export async function ensureWritableDirectory(path: string, what = 'output folder'): Promise<void> {
  await ensureDirectory(path, what);
  const probe = join(path, `.blindspot-write-test.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
  } catch (error) {
    throw new Error(`${what} ${path} is not writable: ${(error as Error).message}`);
  }
  await unlink(probe).catch(() => undefined);
}
