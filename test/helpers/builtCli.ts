/**
 * The built CLI, run as a user runs it: `npm run build` (once per test process), then
 * `node bin/blindspot.js <args>` in the repository root, with its exit code and both output streams.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let build: Promise<unknown> | null = null;

/** What a finished command printed and how it ended. */
export interface CliRun {
  code: number;
  stdout: string;
  /** stderr without the lines Dawn and Vulkan print on every start on this machine. */
  stderr: string;
}

const NOISE = /XDG_RUNTIME_DIR|shaderUniform\*ArrayDynamicIndexing|While initializing adapter|InitializeImpl|^\s*$/;

/** Build dist/ (the bundles and the type declarations) once per test process. */
export async function ensureBuilt(): Promise<void> {
  build ??= run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
  await build;
}

/** Build dist/ once, then run the CLI with `args`; never rejects for a non-zero exit. */
export async function runCli(args: string[], timeoutMs = 300_000): Promise<CliRun> {
  await ensureBuilt();
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/blindspot.js', ...args], { cwd: ROOT, timeout: timeoutMs });
    return { code: 0, stdout, stderr: clean(stderr) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: clean(failed.stderr ?? '') };
  }
}

function clean(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !NOISE.test(line))
    .join('\n');
}
