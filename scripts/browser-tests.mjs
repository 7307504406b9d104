#!/usr/bin/env node
/**
 * The browser test suite: serves test/browser/ with Vite, opens it in headless Chromium (WebGPU on
 * whatever adapter Chromium offers; SwiftShader on a machine without a GPU) and reports the page's
 * test results. The page runs the same Vitest test files as the Node suite (see test/browser/main.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, freePort } from './chromium.mjs';

const HELP = `Usage: node scripts/browser-tests.mjs [options] [filter...]

Runs the browser test page (test/browser/) in headless Chromium and prints each test's result, the
WebGPU adapter the page used and a last line "Browser: N passed, N failed". Exits non-zero on any
failed test, page error, missing WebGPU or timeout.

  filter...          run only the test files whose path contains one of these texts
  --timeout SECONDS  limit for the whole run (default 600)
  --help             show this text

Environment: CHROMIUM_PATH overrides the browser (default /usr/bin/chromium, from \`npm run setup\`).`;


const repo = fileURLToPath(new URL('..', import.meta.url));

function parseOptions() {
  const { values, positionals } = parseArgs({
    options: { timeout: { type: 'string', default: '600' }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const timeoutS = Number(values.timeout);
  if (!(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds, not '${values.timeout}'`);
  return { timeoutMs: timeoutS * 1000, filters: positionals };
}

/** A port that is free now; the server then binds it with strictPort so a race fails loudly. */
/**
 * Rewrite the page's stack frames (URLs of Vite-transformed modules) to repository paths and source lines,
 * through the source maps Vite kept, dropping the in-page runner's and dependencies' own frames.
 */
function sourceMappedError(text, server, DecodedMap, getOriginalPosition) {
  const [message, ...frames] = text.split('\n');
  const graph = server.environments.client.moduleGraph;
  const mapped = [];
  for (const frame of frames) {
    const m = /^\s*at (?:(.+?) \()?https?:\/\/[^/]+(\/[^?\s)]*)(?:\?[^\s)]*)?:(\d+):(\d+)\)?$/.exec(frame);
    if (!m) continue;
    const [, method, url, line, column] = m;
    if (url.endsWith('/vitestShim.ts') || url.includes('/node_modules/')) continue;
    const module = graph.urlToModuleMap.get(url);
    const file = module?.file ? relative(repo, module.file) : url;
    const map = module?.transformResult?.map;
    const original = map?.mappings
      ? getOriginalPosition(new DecodedMap(map, module.file), { line: Number(line), column: Number(column) - 1 })
      : null;
    const where = original ? `${file}:${original.line}:${original.column + 1}` : `${file}:${line}:${column}`;
    mapped.push(`    at ${method ? `${method} (${where})` : where}`);
  }
  return [message, ...mapped.slice(0, 6)].join('\n');
}

function indent(text, prefix) {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

async function main() {
  const { timeoutMs, filters } = parseOptions();
  const started = performance.now();
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`no Chromium at ${chromium}: run \`npm run setup\` (installs Debian's chromium) or set CHROMIUM_PATH`);
  }
  // Imported here so `--help` and the Chromium check work before `npm install`.
  const { createServer } = await import('vite');
  const puppeteer = (await import('puppeteer-core')).default;
  const { DecodedMap, getOriginalPosition } = await import('@vitest/utils/source-map');

  const counts = { passed: 0, failed: 0, skipped: 0 };
  const problems = [];
  let server;
  let browser;
  let userDataDir;
  let timer;
  const cleanup = async () => {
    clearTimeout(timer);
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => cleanup().finally(() => process.exit(130)));
  }

  try {
    const port = await freePort();
    server = await createServer({
      configFile: join(repo, 'test/browser/vite.config.ts'),
      logLevel: 'warn',
      clearScreen: false,
      // Others may edit files during a run: no watcher and no HMR, so the page is never reloaded under us.
      server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
    });
    await server.listen();
    const query = filters.map((f) => `filter=${encodeURIComponent(f)}`).join('&');
    const url = `http://127.0.0.1:${port}/${query ? `?${query}` : ''}`;

    userDataDir = await mkdtemp(join(tmpdir(), 'blindspot-chromium-'));
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: CHROMIUM_ARGS, userDataDir });
    const page = await browser.newPage();

    let finish;
    let fail;
    const finished = new Promise((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    // A crash or the timeout can reject this while page.goto is still pending; it is awaited right after.
    finished.catch(() => {});
    timer = setTimeout(
      () => fail(new Error(`the browser suite did not finish within ${timeoutMs / 1000} s (--timeout to change)`)),
      timeoutMs,
    );
    await page.exposeFunction('__blindspotReport', (event) => {
      switch (event.type) {
        case 'adapter': {
          const a = event.adapter;
          console.log(`Adapter: vendor=${a.vendor} architecture=${a.architecture} description=${a.description || '(not exposed)'} (${event.notes.join('; ')})`);
          break;
        }
        case 'file':
          console.log(event.file);
          break;
        case 'result': {
          const { result } = event;
          counts[result.status]++;
          const mark = { passed: '✓', failed: '✗', skipped: '-' }[result.status];
          console.log(`  ${mark} ${result.path.slice(1).join(' > ')} (${Math.round(result.ms)} ms)`);
          if (result.error) {
            console.log(indent(sourceMappedError(result.error, server, DecodedMap, getOriginalPosition), '      '));
          }
          break;
        }
        case 'done':
          finish();
          break;
        case 'fatal':
          problems.push(event.message);
          finish();
          break;
      }
    });
    page.on('console', (message) => {
      if (message.type() === 'debug') return; // Vite's client chatter
      const tag = message.type() === 'error' || message.type() === 'warn' ? `[page ${message.type()}]` : '[page]';
      console.log(indent(message.text(), `    ${tag} `));
    });
    page.on('pageerror', (error) => {
      if (!(error instanceof Error)) error = new Error(String(error));
      const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
      const text = [`${error.name}: ${error.message.split('\n')[0]}`, ...frames].join('\n');
      console.log(indent(sourceMappedError(text, server, DecodedMap, getOriginalPosition), '    [page error] '));
      problems.push(`uncaught error in the page: ${error.message.split('\n')[0]}`);
    });
    page.on('error', (error) => fail(new Error(`the page crashed: ${error.message}`)));
    page.on('close', () => fail(new Error('the page closed before the tests finished')));

    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await finished;
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await cleanup();
  }

  const total = counts.passed + counts.failed + counts.skipped;
  if (total === 0 && problems.length === 0) problems.push('no tests ran');
  for (const problem of problems) console.error(`Error: ${problem}`);
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nBrowser: ${counts.passed} passed, ${counts.failed} failed${skipped} (${seconds} s)`);
  process.exit(counts.failed > 0 || problems.length > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(`Error: ${error.message}`);
  process.exit(1);
});
