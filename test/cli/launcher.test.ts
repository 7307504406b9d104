/**
 * bin/blindspot.js, the launcher of the built CLI, run in a copy of the repository's layout with a
 * stand-in dist/cli.js: it says when the build is missing, and when src/ or shaders/ are newer than it.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let root = '';
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * A fake checkout: the real launcher, a dist/cli.js that prints its arguments, and a nested source file
 * and a kernel, both older than the build.
 */
async function fakeCheckout(): Promise<void> {
  root = await mkdtemp(join(tmpdir(), 'blindspot-launcher-'));
  await mkdir(join(root, 'bin'));
  await mkdir(join(root, 'dist'));
  await mkdir(join(root, 'src', 'nn'), { recursive: true });
  await mkdir(join(root, 'shaders'));
  await copyFile(new URL('../../bin/blindspot.js', import.meta.url), join(root, 'bin', 'blindspot.js'));
  await writeFile(join(root, 'dist', 'cli.js'), "console.log('cli', process.argv.slice(2).join(' '));\n");
  await writeFile(join(root, 'src', 'nn', 'zoo.ts'), '');
  await writeFile(join(root, 'shaders', 'matmul.wgsl'), '');
  await setMtime('src/nn/zoo.ts', 1_000);
  await setMtime('shaders/matmul.wgsl', 1_000);
  await setMtime('dist/cli.js', 2_000);
}

async function setMtime(path: string, seconds: number): Promise<void> {
  await utimes(join(root, path), seconds, seconds);
}

async function launch(): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(root, 'bin', 'blindspot.js'), 'models']);
}

describe('bin/blindspot.js', () => {
  it('runs the built CLI without a warning when the build is newer than every source', async () => {
    await fakeCheckout();
    const { stdout, stderr } = await launch();
    expect(stdout).toBe('cli models\n');
    expect(stderr).toBe('');
  });

  it.each(['src/nn/zoo.ts', 'shaders/matmul.wgsl'])('warns, then runs the build, when %s is newer', async (edited) => {
    await fakeCheckout();
    await setMtime(edited, 3_000);
    const { stdout, stderr } = await launch();
    expect(stderr).toContain('changed after dist/cli.js was built; run `npm run build`');
    expect(stdout).toBe('cli models\n');
  });

  it('says nothing in an installed package, which has no src/, whatever the times of its kernels', async () => {
    await fakeCheckout();
    await rm(join(root, 'src'), { recursive: true });
    await setMtime('shaders/matmul.wgsl', 3_000);
    const { stdout, stderr } = await launch();
    expect(stderr).toBe('');
    expect(stdout).toBe('cli models\n');
  });

  it('exits with a clear error when dist/cli.js is missing', async () => {
    await fakeCheckout();
    await rm(join(root, 'dist', 'cli.js'));
    const failure = await launch().then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('dist/cli.js is missing; run `npm run build`');
  });
});
