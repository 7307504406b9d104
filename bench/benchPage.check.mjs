#!/usr/bin/env node
/**
 * Check that the bench page loads in headless Chromium and runs one small workload end to end:
 * softmax-ce on blindspot and tfjs-cpu, one repetition, then the page must show its results table.
 * `node bench/benchPage.check.mjs` or `node bench/run.mjs --check-page`; exit status 0 when it works.
 */
import { fileURLToPath } from 'node:url';
import { launchChromium, runInPage, startBenchServer } from './browser.mjs';

const REQUEST = { workloads: ['softmax-ce'], contestants: ['blindspot', 'tfjs-cpu'], reps: 1, budgetMs: 0 };

/** Resolves when the page passed; throws saying what went wrong otherwise. */
export async function checkPage({ timeoutMs = 300_000 } = {}) {
  const started = performance.now();
  const { server, url } = await startBenchServer();
  let chromium;
  const consoleErrors = [];
  let rendered = { tables: 0, charts: 0 };
  try {
    chromium = await launchChromium();
    const report = await runInPage(chromium.browser, url, REQUEST, {
      onConsole: (line) => consoleErrors.push(line),
      // The page must also have rendered what a person sees: tables and the chart.
      inspect: async (page) => {
        rendered = await page.evaluate(() => ({
          tables: document.querySelectorAll('#results table').length,
          charts: document.querySelectorAll('#results svg').length,
        }));
      },
      timeoutMs,
    });
    const run = report.runs[0];
    const result = run?.workloads.find((w) => w.workload === 'softmax-ce');
    const problems = [];
    if (!result) problems.push('the page returned no softmax-ce result');
    for (const cell of result?.cells ?? []) {
      if (cell.status === 'error' || cell.status === 'wrong result') problems.push(`${cell.contestant}: ${cell.status} — ${cell.reason}`);
    }
    const timed = (result?.cells ?? []).filter((c) => c.status === 'ok' && c.ms);
    if (timed.length === 0) problems.push('no contestant was timed');
    if (rendered.tables < 3 || rendered.charts < 1) problems.push(`the page rendered ${rendered.tables} tables and ${rendered.charts} charts`);
    if (problems.length) throw new Error(`bench page check failed:\n  ${problems.join('\n  ')}\n  console: ${consoleErrors.slice(0, 5).join(' / ')}`);
    const summary = result.cells.map((c) => `${c.contestant} ${c.status}${c.ms ? ` ${c.ms.median.toFixed(2)} ms` : ''}`).join(', ');
    console.log(`Bench page: ok (${((performance.now() - started) / 1000).toFixed(0)} s): ${run.runtime.match(/\S*Chrome\/\S*/)?.[0] ?? run.runtime}, ${summary}`);
    return report;
  } finally {
    await chromium?.close();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  checkPage()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error.message);
      process.exit(1);
    });
}
