/**
 * Serving the bench page and driving it in headless Chromium: shared by bench/run.mjs and
 * bench/benchPage.check.mjs. Plain JavaScript so it runs before anything is built.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS as SHARED_CHROMIUM_ARGS, freePort } from '../scripts/chromium.mjs';

export const repo = fileURLToPath(new URL('..', import.meta.url));
export const benchConfig = join(repo, 'bench/vite.config.ts');

// The shared set (scripts/chromium.mjs), plus: a long benchmark in a hidden tab must not be throttled.
export const CHROMIUM_ARGS = [
  ...SHARED_CHROMIUM_ARGS,
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`no Chromium at ${path}: run \`npm run setup\` (installs Debian's chromium) or set CHROMIUM_PATH`);
  }
  return path;
}

/** A port that is free now; the server then binds it with strictPort so a race fails loudly. */
/** The Vite dev server of bench/ on 127.0.0.1 (a secure context, so navigator.gpu exists), with COOP/COEP. */
export async function startBenchServer() {
  const { createServer } = await import('vite');
  const port = await freePort();
  const server = await createServer({
    configFile: benchConfig,
    logLevel: 'warn',
    clearScreen: false,
    // Others edit files during a run: no watcher and no HMR, so the page is never reloaded under us.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
  });
  await server.listen();
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** A Vite server without HTTP, only for loading TypeScript modules in Node (ssrLoadModule). */
export async function startModuleLoader() {
  const { createServer } = await import('vite');
  return createServer({
    configFile: benchConfig,
    logLevel: 'warn',
    clearScreen: false,
    appType: 'custom',
    server: { middlewareMode: true, hmr: false, watch: null },
  });
}

export async function launchChromium() {
  const puppeteer = (await import('puppeteer-core')).default;
  const userDataDir = await mkdtemp(join(tmpdir(), 'blindspot-bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    userDataDir,
    // page.evaluate calls are short (the run reports through exposeFunction), but loading can be slow.
    protocolTimeout: 600_000,
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Open the bench page, start a run with `request` and resolve with the page's BenchReport. Progress
 * events go to `onProgress`; page errors and console errors go to `onConsole`; `inspect(page)` runs after
 * the report arrived, before the page closes.
 */
export async function runInPage(
  browser,
  url,
  request,
  { onProgress = () => {}, onConsole = () => {}, inspect = async () => {}, timeoutMs = 3_600_000 } = {},
) {
  const page = await browser.newPage();
  let timer;
  try {
    const report = await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the bench page did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
      page
        .exposeFunction('__benchEvent', (event) => {
          if (event.type === 'progress') onProgress(event.event);
          else if (event.type === 'done') resolve(event.report);
          else if (event.type === 'fatal') reject(new Error(`the bench page failed: ${event.message}`));
        })
        .then(async () => {
          page.on('console', (message) => {
            const type = message.type();
            if (type === 'error' || type === 'warn') onConsole(`[page ${type}] ${message.text()}`);
          });
          page.on('pageerror', (error) => onConsole(`[page error] ${error.message ?? error}`));
          page.on('error', (error) => reject(new Error(`the page crashed: ${error.message}`)));
          await page.goto(url, { waitUntil: 'load', timeout: 300_000 });
          await page.waitForFunction(() => window.__benchReady === true, { timeout: 300_000 });
          await page.evaluate((r) => window.__benchStart(r), request);
        })
        .catch(reject);
    });
    await inspect(page);
    return report;
  } finally {
    clearTimeout(timer);
    await page.close().catch(() => {});
  }
}
