/**
 * The bench page: the same suite as `npm run bench`, run interactively in a person's own browser on their
 * own GPU (`npx vite bench`), with progress, tables and a chart. bench/run.mjs drives it headless through
 * `window.__benchStart(request)` and receives events through `window.__benchEvent` (puppeteer's
 * exposeFunction).
 */
import { CONTESTANTS, DEFAULT_CONTESTANTS, QUICK_CONTESTANTS } from './contestants/index.ts';
import { checkAims } from './aims.ts';
import {
  aimTable,
  fmt,
  kernelTable,
  oneLine,
  peakTable,
  profileTable,
  ratioTable,
  resultTable,
  SCHEMA,
  tallyTable,
  toMarkdown,
  toSvg,
  type BenchReport,
} from './report.ts';
import { initExplorer } from './explorer/explorer.ts';
import { runBench, type SuiteRequest } from './suite.ts';
import type { ProgressEvent } from './types.ts';
import { WORKLOADS } from './workloads/index.ts';

/** Events to the headless runner. */
export type PageEvent = { type: 'progress'; event: ProgressEvent } | { type: 'done'; report: BenchReport } | { type: 'fatal'; message: string };

declare global {
  interface Window {
    __benchEvent?: (event: PageEvent) => Promise<void>;
    __benchStart?: (request: SuiteRequest) => void;
    __benchReady?: boolean;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $('log');
let cancelled = false;

function say(text: string): void {
  log.textContent += `${text}\n`;
  log.scrollTop = log.scrollHeight;
}

function checkboxes(container: HTMLElement, items: { id: string; title: string }[], checked: (id: string) => boolean): void {
  container.innerHTML = '';
  for (const item of items) {
    const label = document.createElement('label');
    label.title = item.title;
    label.innerHTML = `<input type="checkbox" value="${item.id}" ${checked(item.id) ? 'checked' : ''}/> ${item.id}`;
    container.append(label);
  }
}

const selected = (container: HTMLElement) =>
  Array.from(container.querySelectorAll<HTMLInputElement>('input:checked'), (input) => input.value);

function describeProgress(event: ProgressEvent): string | null {
  switch (event.type) {
    case 'contestant':
      return `${event.info.id}: ${event.info.status}${event.info.reason ? ` — ${event.info.reason}` : ''}`;
    case 'workload':
      return `— ${event.workload} (${event.index + 1}/${event.total})`;
    case 'cell':
      return `   ${event.contestant} ${event.phase} ${event.status}: ${event.detail}`;
    case 'workload-done':
      return `   ${oneLine(event.result)}`;
    case 'log':
      return event.message;
  }
}

function table(rows: string[][], aims = false): HTMLTableElement {
  const element = document.createElement('table');
  rows.forEach((row, i) => {
    const tr = element.insertRow();
    for (const text of row) {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      cell.textContent = text.replace(/\*\*/g, '');
      if (/^\*\*/.test(text)) cell.style.fontWeight = 'bold';
      if (aims && (text === 'met' || text === 'SHORT')) cell.className = text;
      tr.append(cell);
    }
  });
  return element;
}

function download(name: string, text: string, type: string): HTMLAnchorElement {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.textContent = `download ${name}`;
  link.style.marginRight = '1rem';
  return link;
}

function show(report: BenchReport): void {
  const results = $('results');
  results.innerHTML = '';
  for (const run of report.runs) {
    const h = document.createElement('h2');
    h.textContent = `Results (${run.runtime})`;
    results.append(h, table(resultTable(run)));
    const r = document.createElement('h3');
    r.textContent = "blindspot's speed ÷ each peer's";
    results.append(r, table(ratioTable(run)));
    const sections: [string, string[][]][] = [
      ['Share of peak (measured peak probe; physical limit)', peakTable(run, report.machine)],
      ['Per-kernel GPU time (one profiled repetition per cell)', profileTable(run)],
      ['Every kernel and variant', kernelTable(run)],
      ['Counted work and where the time went', tallyTable(run)],
    ];
    for (const [title, rows] of sections) {
      if (!rows.length) continue;
      const t = document.createElement('h3');
      t.textContent = title;
      results.append(t, table(rows));
    }
    const a = document.createElement('h3');
    a.textContent = 'Aims';
    results.append(a, table(aimTable(checkAims(run)), true));
  }
  const chart = document.createElement('div');
  chart.innerHTML = toSvg(report);
  results.append(
    chart,
    download('results.json', JSON.stringify(report, null, 1), 'application/json'),
    download('summary.md', toMarkdown(report), 'text/markdown'),
    download('chart.svg', toSvg(report), 'image/svg+xml'),
  );
}

async function start(request: SuiteRequest): Promise<void> {
  cancelled = false;
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  $('status').textContent = 'running…';
  log.textContent = '';
  const created = new Date().toISOString();
  try {
    const run = await runBench(request, {
      where: 'browser',
      runtime: navigator.userAgent,
      crossOriginIsolated: self.crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      cancelled: () => cancelled,
      onProgress: (event) => {
        const line = describeProgress(event);
        if (line) say(line);
        void window.__benchEvent?.({ type: 'progress', event });
      },
    });
    const memory = (navigator as { deviceMemory?: number }).deviceMemory;
    const report: BenchReport = {
      schema: SCHEMA,
      created,
      command: `bench page ${location.href}`,
      machine: {
        cpu: 'unknown (a page cannot see the CPU model)',
        cores: navigator.hardwareConcurrency,
        memoryGiB: memory,
        os: navigator.platform,
      },
      runs: [run],
      failures: [],
    };
    show(report);
    $('status').textContent = `done in ${fmt(run.seconds)} s`;
    await window.__benchEvent?.({ type: 'done', report });
  } catch (error) {
    const message = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
    say(`FAILED: ${message}`);
    $('status').textContent = 'failed';
    await window.__benchEvent?.({ type: 'fatal', message });
  } finally {
    $<HTMLButtonElement>('run').disabled = false;
    $<HTMLButtonElement>('stop').disabled = true;
  }
}

function init(): void {
  $('env').textContent =
    `${navigator.userAgent} — WebGPU ${'gpu' in navigator ? 'present' : 'absent'}, ` +
    `cross-origin isolated ${self.crossOriginIsolated ? 'yes' : 'no'}, ${navigator.hardwareConcurrency} logical cores`;
  checkboxes($('workloads'), WORKLOADS, (id) => WORKLOADS.find((w) => w.id === id)!.quick);
  checkboxes(
    $('contestants'),
    CONTESTANTS.map((c) => ({ id: c.id, title: c.label })),
    (id) => DEFAULT_CONTESTANTS.includes(id),
  );
  $('quick').onclick = () => {
    checkboxes($('workloads'), WORKLOADS, (id) => WORKLOADS.find((w) => w.id === id)!.quick);
    checkboxes($('contestants'), CONTESTANTS.map((c) => ({ id: c.id, title: c.label })), (id) => QUICK_CONTESTANTS.includes(id));
    $<HTMLInputElement>('reps').value = '3';
    $<HTMLInputElement>('budget').value = '3';
  };
  $('run').onclick = () =>
    void start({
      workloads: selected($('workloads')),
      contestants: selected($('contestants')),
      reps: Number($<HTMLInputElement>('reps').value) || undefined,
      budgetMs: Number($<HTMLInputElement>('budget').value) * 1000,
    });
  $('stop').onclick = () => {
    cancelled = true;
    $('status').textContent = 'stopping after the current step…';
  };
  window.__benchStart = (request) => void start(request);
  window.__benchReady = true;
  initExplorer();
}

init();
