/**
 * The package as a consumer gets it: `npm pack`, installed from the tarball into an empty folder, then
 * the README's two examples — the engine example, and the blind-spot search on a trained model through
 * `blindspot` and `blindspot/node` alone — compiled by a strict TypeScript (moduleResolution node16 and
 * bundler, library files checked, no type package added by hand) and run in Node. The installed CLI runs
 * without warnings, and the tarball holds what a consumer needs and no tests.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/builtCli.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const NOISE = /XDG_RUNTIME_DIR|shaderUniform\*ArrayDynamicIndexing|While initializing adapter|InitializeImpl|^\s*$/;
let dir = '';
let files: string[] = [];

/** The README's examples: each ```ts block that follows a `<!-- example: NAME.ts -->` line. */
async function readmeExamples(): Promise<Map<string, string>> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  return new Map([...readme.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));
}

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'blindspot-package-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 * 2 ** 20 });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  files = packed.files.map((f) => f.path);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed.filename)], { cwd: dir, timeout: 300_000 });
  for (const [name, code] of await readmeExamples()) await writeFile(join(dir, name), code);
}, 600_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function compile(moduleResolution: 'node16' | 'bundler', outDir?: string): Promise<void> {
  const examples = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: moduleResolution === 'node16' ? 'node16' : 'ESNext',
      moduleResolution,
      strict: true,
      skipLibCheck: false,
      ...(outDir ? { outDir } : { noEmit: true }),
    },
    files: examples,
  };
  const path = join(dir, `tsconfig.${moduleResolution}.json`);
  await writeFile(path, JSON.stringify(config));
  await run(TSC, ['-p', path], { cwd: dir }).catch((error: { stdout?: string }) => {
    throw new Error(`tsc (${moduleResolution}) failed:\n${error.stdout}`);
  });
}

async function node(script: string, args: string[] = []): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [script, ...args], { cwd: dir, timeout: 300_000 });
  return { stdout, stderr: stderr.split('\n').filter((l) => !NOISE.test(l)).join('\n') };
}

describe('the packed package, installed', () => {
  it('holds the build, its types, the kernels, the trained zoo, the docs and a licence; no tests, no sources', () => {
    for (const wanted of ['dist/index.js', 'dist/node.js', 'dist/cli.js', 'dist/types/index.d.ts', 'dist/types/node.d.ts', 'bin/blindspot.js', 'LICENSE', 'README.md', 'models/FC100-100-10-full.safetensors', 'shaders/matmul_blocked.wgsl']) {
      expect(files).toContain(wanted);
    }
    expect(files.filter((f) => /^(test|src|bench|demo|scripts)\//.test(f))).toEqual([]);
  });

  it('has two README examples, which compile under a strict TypeScript with node16 and bundler resolution', async () => {
    expect([...(await readmeExamples()).keys()].sort()).toEqual(['blind-spot.ts', 'engine.ts']);
    await compile('node16');
    await compile('bundler');
  }, 120_000);

  it('runs the engine example and finds a blind spot of the trained FC100-100-10 in Node', async () => {
    await compile('node16', 'out');
    const engine = await node('out/engine.js');
    expect(engine.stderr).toBe('');
    expect(engine.stdout).toMatch(/^\d+(\.\d+)? Float32Array\(6\)/);
    const search = await node('out/blind-spot.js');
    expect(search.stderr).toBe('');
    const found = /^7 read as (\d) after a change of RMS (0\.\d+) per pixel$/m.exec(search.stdout);
    expect(found, search.stdout).not.toBeNull();
    expect(Number(found![2])).toBeGreaterThan(0.005);
    expect(Number(found![2])).toBeLessThan(0.2);
  }, 300_000);

  it('installs a CLI that runs without warnings', async () => {
    const { stdout, stderr } = await node('node_modules/blindspot/bin/blindspot.js', ['models']);
    expect(stderr).toBe('');
    expect(stdout).toContain('FC100-100-10');
  });
});
