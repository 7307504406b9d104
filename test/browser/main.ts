/**
 * The browser test page: runs the same Vitest test files as the Node suite, on the browser's WebGPU.
 * scripts/browser-tests.mjs drives it headless and reads its events through `__blindspotReport`; opened
 * by hand (`npx vite --config test/browser/vite.config.ts`) it writes the same events into the page.
 * `?filter=text` (repeatable) runs only the files whose path contains one of the texts.
 */
import { Engine } from '../../src/gpu/engine.ts';
import type { AdapterDescription } from '../../src/gpu/device.ts';
import { runFile, type TestResult } from './vitestShim.ts';

/**
 * Test files run here. New op tests are picked up by the globs; a file that needs Node (node:fs,
 * fixtures on disk, native modules) is excluded with a `!` pattern and a reason.
 */
const testFiles = import.meta.glob([
  '../gpu/*.test.ts',
  // Pacing is for Dawn's Node binding, whose waits spin (a browser's do not), and its test reads /proc.
  '!../gpu/waitPacer.test.ts',
  '../ops/*.test.ts',
  './*.browser.test.ts',
]);

export type PageEvent =
  | { type: 'adapter'; adapter: AdapterDescription; notes: string[] }
  | { type: 'file'; file: string }
  | { type: 'result'; file: string; result: TestResult }
  | { type: 'done'; passed: number; failed: number; skipped: number }
  | { type: 'fatal'; message: string };

declare global {
  interface Window {
    /** Installed by scripts/browser-tests.mjs (puppeteer's exposeFunction). */
    __blindspotReport?: (event: PageEvent) => Promise<void>;
  }
}

const log = document.getElementById('log')!;

async function emit(event: PageEvent): Promise<void> {
  log.textContent += `${JSON.stringify(event)}\n`;
  await window.__blindspotReport?.(event);
}

/** `../ops/add.test.ts` → `test/ops/add.test.ts`, as Vitest names files. */
function repoPath(globKey: string): string {
  return globKey.startsWith('../') ? `test/${globKey.slice(3)}` : `test/browser/${globKey.slice(2)}`;
}

async function main(): Promise<void> {
  // One engine up front, so "no WebGPU here" is one clear message rather than every test failing.
  try {
    const engine = await Engine.create();
    await emit({ type: 'adapter', adapter: engine.adapter, notes: engine.notes });
    engine.dispose();
  } catch (error) {
    await emit({ type: 'fatal', message: `WebGPU is unavailable in the page: ${(error as Error).message}` });
    return;
  }
  const filters = new URLSearchParams(location.search).getAll('filter');
  const files = Object.keys(testFiles)
    .map((key) => ({ key, file: repoPath(key) }))
    .filter(({ file }) => filters.length === 0 || filters.some((f) => file.includes(f)))
    .sort((a, b) => a.file.localeCompare(b.file));
  if (files.length === 0) {
    await emit({ type: 'fatal', message: `no test file matches ${filters.join(', ')}` });
    return;
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const { key, file } of files) {
    await emit({ type: 'file', file });
    const pending: Promise<void>[] = [];
    await runFile(file, testFiles[key], (result) => {
      counts[result.status]++;
      pending.push(emit({ type: 'result', file, result }));
    });
    await Promise.all(pending);
  }
  await emit({ type: 'done', ...counts });
}

main().catch((error: Error) => emit({ type: 'fatal', message: `the test page failed: ${error.stack ?? error.message}` }));
