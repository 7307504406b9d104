#!/usr/bin/env node
/**
 * End-to-end check of the demo page: serves demo/ with Vite on 127.0.0.1 (or builds it and serves the
 * build, with --build), opens `?smoke=1` in headless Chromium, waits for the page's own unattended run
 * (a few training steps, one search, one batched search) to publish `window.__demoResult`, checks it,
 * saves a screenshot and prints one line. Exit status 0 when the page reports success, 1 otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, freePort } from '../scripts/chromium.mjs';

const HELP = `Usage: node demo/demo.check.mjs [--build] [--timeout SECONDS] [--screenshot PATH]

Runs the demo page's smoke path (?smoke=1) in headless Chromium and prints one line "Demo: ok ..." or
"Demo: FAILED ...". --build checks the production build (vite build + preview) instead of the dev server.
Environment: CHROMIUM_PATH overrides the browser (default /usr/bin/chromium).`;


const repo = fileURLToPath(new URL('..', import.meta.url));
const config = join(repo, 'demo/vite.config.ts');

/** Why the page's result is not a success, or null. */
function problemsWith(result) {
  if (!result.ok) return [`the page reported: ${result.error}`];
  const problems = [];
  const { training: t, attack: a, batch: b } = result;
  if (!t || !Number.isFinite(t.loss)) problems.push(`training loss is ${t?.loss}`);
  if (!t || !(t.testError >= 0 && t.testError <= 1)) problems.push(`test error is ${t?.testError}`);
  if (!a?.success) problems.push(`the search on test image ${a?.image} (${a?.label} → ${a?.target}) found no blind spot`);
  else if (a.prediction !== a.target) problems.push(`the adversarial image is read as ${a.prediction}, not the target ${a.target}`);
  if (!b || b.images !== 10 || b.rounds < 1) problems.push(`the batched search did not run (${JSON.stringify(b)})`);
  return problems;
}

async function serve(build, port) {
  const vite = await import('vite');
  // Others may edit files during a run: no watcher and no HMR, so the page is never reloaded under us.
  if (!build) {
    const server = await vite.createServer({
      configFile: config,
      logLevel: 'warn',
      clearScreen: false,
      server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
    });
    await server.listen();
    return { close: () => server.close(), outDir: null };
  }
  const outDir = await mkdtemp(join(tmpdir(), 'blindspot-demo-build-'));
  await vite.build({ configFile: config, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await vite.preview({ configFile: config, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true } });
  return { close: () => new Promise((resolve) => server.httpServer.close(resolve)), outDir };
}

async function main() {
  const { values } = parseArgs({
    options: {
      build: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '110' },
      screenshot: { type: 'string', default: join(tmpdir(), 'blindspot-demo.png') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new Error(`--timeout must be a positive number of seconds, not '${values.timeout}'`);
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`no Chromium at ${chromium}: run \`npm run setup\` or set CHROMIUM_PATH`);
  const puppeteer = (await import('puppeteer-core')).default;

  const started = performance.now();
  const pageLog = [];
  let server;
  let browser;
  let userDataDir;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    if (server?.outDir) await rm(server.outDir, { recursive: true, force: true });
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));

  let result = null;
  const problems = [];
  try {
    const port = await freePort();
    server = await serve(values.build, port);
    userDataDir = await mkdtemp(join(tmpdir(), 'blindspot-chromium-'));
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: CHROMIUM_ARGS, userDataDir });
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') pageLog.push(`[page ${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught error in the page: ${String(error?.message ?? error).split('\n')[0]}`));
    await page.goto(`http://127.0.0.1:${port}/?smoke=1`, { waitUntil: 'domcontentloaded' });
    const remaining = timeoutMs - (performance.now() - started);
    try {
      await page.waitForFunction(() => window.__demoResult !== undefined, { timeout: Math.max(1000, remaining), polling: 250 });
      result = await page.evaluate(() => window.__demoResult);
      problems.push(...problemsWith(result));
    } catch (error) {
      problems.push(error?.name === 'TimeoutError' ? `the page did not finish within ${values.timeout} s` : error.message);
    }
    // Taken on failure too: what the page showed is the first clue.
    await page.screenshot({ path: values.screenshot, fullPage: true }).catch((e) => problems.push(`screenshot failed: ${e.message}`));
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await cleanup();
  }

  const elapsed = ((performance.now() - started) / 1000).toFixed(1);
  const how = values.build ? 'build' : 'dev server';
  if (problems.length > 0) {
    for (const line of pageLog) console.error(line);
    console.log(`Demo: FAILED in ${elapsed} s (${how}): ${problems.join('; ')}; screenshot ${values.screenshot}`);
    return 1;
  }
  const { training: t, attack: a, batch: b } = result;
  console.log(
    `Demo: ok in ${elapsed} s (${how}, ${result.adapter}): ${t.model} on ${t.images} images, loss ${t.loss.toFixed(3)}, ` +
      `test error ${(t.testError * 100).toFixed(1)} %; ${a.label}→${a.target} found, distortion ${a.distortion.toFixed(4)}, ` +
      `c ${a.c.toPrecision(3)}; batch ${b.successes}/${b.attacked} in ${b.rounds} GPU passes; screenshot ${values.screenshot}`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.log(`Demo: FAILED: ${error.message}`);
    process.exit(1);
  },
);
