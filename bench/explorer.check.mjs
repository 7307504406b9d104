#!/usr/bin/env node
/**
 * Check that the kernel explorer of the bench page works in headless Chromium: pick the matmul kernel,
 * set a shape that is a multiple of no tile (37×50 · 50×29, Aᵀ), run it and require the correctness line
 * (`correct: max |error| … against float64`), a GPU time in the timing line and the kernel's WGSL source.
 * `node bench/explorer.check.mjs`; exit status 0 when it works.
 */
import { fileURLToPath } from 'node:url';
import { launchChromium, startBenchServer } from './browser.mjs';

const SHAPE = { m: 37, k: 50, n: 29, transposeA: 1, transposeB: 0 };

/** Resolves with the correctness line when the explorer passed; throws saying what went wrong otherwise. */
export async function checkExplorer({ timeoutMs = 300_000 } = {}) {
  const started = performance.now();
  const { server, url } = await startBenchServer();
  let chromium;
  const consoleErrors = [];
  try {
    chromium = await launchChromium();
    const page = await chromium.browser.newPage();
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    await page.goto(`${url}#explorer`, { waitUntil: 'load', timeout: timeoutMs });
    await page.waitForFunction(() => window.__explorerReady === true, { timeout: timeoutMs });
    await page.select('#ex-kernel', 'matmul');
    const variant = await page.$eval('#ex-variant', (select) => select.value);
    for (const [name, value] of Object.entries(SHAPE)) {
      await page.$eval(`#ex-p-${name}`, (input, v) => (input.value = String(v)), value);
    }
    await page.click('#ex-run');
    await page.waitForFunction(() => /^(done|failed)/.test(document.getElementById('ex-status').textContent), { timeout: timeoutMs });
    const shown = await page.evaluate(() => ({
      status: document.getElementById('ex-status').textContent,
      correctness: document.getElementById('ex-correctness').textContent,
      timing: document.getElementById('ex-timing').textContent,
      sourceName: document.getElementById('ex-source-name').textContent,
      source: document.getElementById('ex-source').textContent,
      dispatches: document.querySelectorAll('#ex-dispatches tr').length - 1,
    }));
    const problems = [];
    const line = /^correct: max \|error\| (\S+) against float64 \(allowed (\S+) at the closest element\) — Aᵀ\[37×50\] · B\[50×29\]/.exec(shown.correctness);
    if (shown.status !== 'done') problems.push(`the run ended with '${shown.status}'`);
    if (!line) problems.push(`no correctness line of the expected form: '${shown.correctness}'`);
    else if (!(Number(line[1]) <= Number(line[2]))) problems.push(`the error ${line[1]} exceeds what is allowed (${line[2]})`);
    if (!/GPU time \S+ ms, \S+ GFLOP\/s, \S+ % of the adapter's peak probe/.test(shown.timing)) problems.push(`no GPU time in '${shown.timing}'`);
    if (shown.sourceName !== `shaders/matmul_${variant}.wgsl` || !shown.source.startsWith(`// matmul_${variant} — `)) {
      problems.push(`the source shown is ${shown.sourceName}, starting '${shown.source.slice(0, 40)}'`);
    }
    if (shown.dispatches < 1) problems.push('no dispatches listed');
    if (problems.length) throw new Error(`kernel explorer check failed:\n  ${problems.join('\n  ')}\n  console: ${consoleErrors.slice(0, 5).join(' / ')}`);
    console.log(`Kernel explorer: ok (${((performance.now() - started) / 1000).toFixed(0)} s), matmul ${variant}: ${shown.correctness}`);
    console.log(`  ${shown.timing}`);
    return shown.correctness;
  } finally {
    await chromium?.close();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  checkExplorer()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error.message);
      process.exit(1);
    });
}
