/**
 * Results as files and pictures: the JSON document, a Markdown summary and an SVG chart. Pure functions of
 * the data, so the runner (Node) and the bench page (browser) render the same tables.
 */
import { checkAims, type AimOutcome } from './aims.ts';
import { publishedGpuPeak, type CpuPeak, type Peak } from './peaks.ts';
import type { Cell, SuiteResult, WorkloadResult } from './types.ts';

/** Version 2 adds per-kernel profiles (Cell.profile), the probe's peak (ContestantInfo.peak) and jax-js. */
export const SCHEMA = 'blindspot-bench/2';

export interface MachineInfo {
  cpu: string;
  /** Logical processors. */
  cores: number;
  memoryGiB?: number;
  os: string;
  /** 1-minute load average when the run started and ended (other processes compete for the cores). */
  loadAverage?: { start: number[]; end?: number[] };
  /** Measured with numpy by the runner; absent in the page. */
  cpuPeak?: CpuPeak;
}

/** A run that did not produce results (browser failed to start, Node child crashed, ...). */
export interface RunFailure {
  where: 'browser' | 'node';
  message: string;
}

export interface BenchReport {
  schema: typeof SCHEMA;
  created: string;
  /** How it was started, e.g. `node bench/run.mjs --quick`. */
  command: string;
  machine: MachineInfo;
  runs: SuiteResult[];
  failures: RunFailure[];
}

// ------------------------------------------------------------------ numbers

/** Three significant digits, thousands separated: 0.0123, 1.23, 123, 12 300. */
export function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

const ratioText = (r: number | undefined): string => (r === undefined ? '–' : `${fmt(r)}×`);

/** The adapter blindspot ran on in this run (or tfjs-webgpu's, when blindspot did not load). */
export function runAdapter(run: SuiteResult): string {
  const withAdapter = run.contestants.find((c) => c.adapter && c.status === 'ok');
  const a = withAdapter?.adapter;
  if (!a) return 'no WebGPU adapter';
  return [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ');
}

/** The limit to compare GFLOP/s with: the CPU's measured peak on SwiftShader, else the GPU's published one. */
export function physicalLimit(run: SuiteResult, machine: MachineInfo): Peak | undefined {
  const adapter = runAdapter(run);
  if (/swiftshader/i.test(adapter)) {
    const peak = machine.cpuPeak;
    if (!peak) return undefined;
    // On a loaded machine all threads can measure below one; the limit is the best the CPU showed.
    const all = peak.allThreadsGflops >= peak.oneThreadGflops;
    return {
      gflops: Math.max(peak.allThreadsGflops, peak.oneThreadGflops),
      source: `the CPU's sgemm measured with numpy (${all ? `${peak.threads} threads` : 'one thread, which beat all threads on this loaded machine'}); SwiftShader runs on the CPU`,
    };
  }
  return publishedGpuPeak(adapter);
}

/** The adapter's peak as the peak-probe kernel measured it in this run (blindspot measures it at load). */
export function probePeak(run: SuiteResult): Peak | undefined {
  const peak = run.contestants.find((c) => c.peak)?.peak;
  return peak && { gflops: peak.gflops, source: `the peak-probe kernel (shaders/peak_probe.wgsl), ${peak.timing}` };
}

const percent = (share: number | null | undefined): string => (share === null || share === undefined ? '–' : `${fmt(100 * share)} %`);

// ------------------------------------------------------------------ tables

function cellText(cell: Cell | undefined, bold: boolean): string {
  if (!cell) return '';
  if (cell.status === 'ok' && cell.throughput) {
    const t = cell.throughput;
    const value = bold ? `**${fmt(t.median)}**` : fmt(t.median);
    return `${value} (${fmt(t.min)}–${fmt(t.max)}, n=${t.n})`;
  }
  if (cell.status === 'wrong result' && cell.check) return `wrong result (rel. error ${cell.check.relError.toExponential(1)})`;
  if (cell.status === 'ok') return 'no timing';
  return cell.status;
}

/** Rows of the results table of one run: workload, unit, then one column per contestant. */
export function resultTable(run: SuiteResult): string[][] {
  const ids = run.contestants.map((c) => c.id);
  const header = ['workload', 'unit', ...ids];
  const rows = run.workloads.map((w) => {
    const unit = w.cells.find((c) => c.throughput)?.throughput?.unit ?? (w.items ? `${w.items.unit}/s` : 'GFLOP/s');
    const best = Math.max(...w.cells.map((c) => (c.status === 'ok' ? (c.throughput?.median ?? 0) : 0)));
    return [
      w.title,
      unit,
      ...ids.map((id) => {
        const cell = w.cells.find((c) => c.contestant === id);
        return cellText(cell, cell?.throughput?.median === best && best > 0);
      }),
    ];
  });
  return [header, ...rows];
}

/** Rows of the ratio table: blindspot's speed over each peer's (median ratio, and the per-round range). */
export function ratioTable(run: SuiteResult): string[][] {
  const peers = run.contestants.map((c) => c.id).filter((id) => id !== 'blindspot');
  const header = ['workload', ...peers.map((p) => `vs ${p}`)];
  const rows = run.workloads.map((w) => [
    w.title,
    ...peers.map((p) => {
      const r = w.ratios.find((x) => x.peer === p);
      if (!r) return '–';
      return r.paired && r.paired.n > 1 ? `${ratioText(r.ratio)} (${fmt(r.paired.min)}–${fmt(r.paired.max)})` : ratioText(r.ratio);
    }),
  ]);
  return [header, ...rows];
}

/**
 * Rows of the table of what instances counted themselves (see Tally): work per second, the same per item of
 * the workload (evaluations per image, say: the median rate over the median item throughput) and each part's
 * share of the wall time, medians over repetitions; only cells that counted something.
 */
export function tallyTable(run: SuiteResult): string[][] {
  const rows = run.workloads.flatMap((w) =>
    w.cells
      .filter((c) => c.status === 'ok' && c.tally)
      .map((c) => {
        const { rates, shares } = c.tally!;
        const unit = w.items?.unit;
        const perItem = unit && c.throughput?.unit === `${unit}/s` ? c.throughput.median : undefined;
        const counted = Object.entries(rates).filter(([name]) => name !== unit);
        return [
          w.title,
          c.contestant,
          Object.entries(rates).map(([name, s]) => `${fmt(s.median)} ${name}/s`).join(' · '),
          perItem ? counted.map(([name, s]) => `${fmt(s.median / perItem)} ${name}`).join(' · ') : '–',
          Object.entries(shares).map(([name, s]) => `${name} ${fmt(100 * s.median)} %`).join(' · '),
        ];
      }),
  );
  const singular = (unit: string) => unit.replace(/s$/, '');
  const units = [...new Set(run.workloads.filter((w) => w.cells.some((c) => c.tally)).map((w) => w.items?.unit).filter((u): u is string => !!u))];
  const perItemHeader = units.length ? `counted work per ${units.map(singular).join(' / ')}` : 'counted work per item';
  return rows.length ? [['workload', 'contestant', 'counted work per second', perItemHeader, 'share of wall time'], ...rows] : [];
}

/**
 * Rows of the share-of-peak table: every FLOP-counted workload, each contestant's median GFLOP/s as a share
 * of the adapter's measured peak (peak probe) and of the physical limit (the CPU's sgemm on SwiftShader, a
 * GPU's published peak).
 */
export function peakTable(run: SuiteResult, machine: MachineInfo): string[][] {
  const probe = probePeak(run);
  const limit = physicalLimit(run, machine);
  if (!probe && !limit) return [];
  const ids = run.contestants.filter((c) => c.status === 'ok').map((c) => c.id);
  const rows = run.workloads
    .filter((w) => w.flops && w.cells.some((c) => c.gflops))
    .map((w) => [
      w.title,
      ...ids.map((id) => {
        const g = w.cells.find((c) => c.contestant === id && c.status === 'ok')?.gflops?.median;
        if (g === undefined) return '–';
        const parts = [probe ? `${percent(g / probe.gflops)} of probe` : '', limit ? `${percent(g / limit.gflops)} of limit` : ''];
        return `${fmt(g)} GFLOP/s: ${parts.filter(Boolean).join(', ')}`;
      }),
    ]);
  return rows.length ? [['workload', ...ids], ...rows] : [];
}

/**
 * Rows of the profile table: per profiled cell, the timed wall time per iteration beside the profiled
 * repetition's wall and GPU time, the share of wall time the GPU was busy, and the kernels that took most.
 */
export function profileTable(run: SuiteResult): string[][] {
  const rows = run.workloads.flatMap((w) =>
    w.cells
      // Workloads that run on the CPU only (the L-BFGS-B driver with a CPU objective) dispatch nothing.
      .filter((c) => c.profile && c.profile.dispatchesPerIteration > 0)
      .map((c) => {
        const p = c.profile!;
        const top = p.kernels
          .slice(0, 3)
          .map((k) => `${k.kernel} ${k.gpuMs === null ? `×${fmt(k.dispatches)}` : `${fmt(k.gpuMs)} ms (${percent(k.share)})`}`)
          .join(' · ');
        return [w.title, c.contestant, fmt(c.ms?.median), fmt(p.wallMs), p.gpuMs === null ? '–' : fmt(p.gpuMs), percent(p.busyShare), fmt(p.dispatchesPerIteration), top];
      }),
  );
  return rows.length
    ? [['workload', 'contestant', 'wall ms/iter (timed)', 'wall ms/iter (profiled)', 'GPU ms/iter', 'GPU busy', 'dispatches/iter', 'kernels with most GPU time'], ...rows]
    : [];
}

/** Rows of the per-kernel table: every kernel and variant of every profile, with its rate and share of peak. */
export function kernelTable(run: SuiteResult): string[][] {
  const probe = probePeak(run);
  const rows = run.workloads.flatMap((w) =>
    w.cells
      .filter((c) => c.profile)
      .flatMap((c) =>
        c.profile!.kernels.map((k) => [
          w.workload,
          c.contestant,
          k.kernel,
          k.variant || '–',
          fmt(k.dispatches),
          k.gpuMs === null ? '–' : fmt(k.gpuMs),
          percent(k.share),
          k.gflops === undefined ? '–' : fmt(k.gflops),
          k.gflops === undefined || !probe ? '–' : percent(k.gflops / probe.gflops),
          k.gigabytesPerSecond === undefined ? '–' : fmt(k.gigabytesPerSecond),
          k.shapes.join('; ') || '–',
        ]),
      ),
  );
  return rows.length
    ? [['workload', 'contestant', 'kernel', 'variant', 'dispatches/iter', 'GPU ms/iter', 'of GPU time', 'GFLOP/s', 'of probe peak', 'GB/s', 'shapes'], ...rows]
    : [];
}

export function aimTable(outcomes: AimOutcome[]): string[][] {
  const mark = { met: 'met', short: 'SHORT', 'not measured': 'not measured' } as const;
  return [
    ['aim', 'measured (per-round range)', 'status'],
    ...outcomes.map((o) => [
      `${o.workload}: blindspot ≥ ${o.atLeast}× ${o.peer}`,
      o.ratio === undefined
        ? (o.why ?? '–')
        : `${ratioText(o.ratio)}${o.pairedMin !== undefined && o.pairedMin !== o.pairedMax ? ` (${fmt(o.pairedMin)}–${fmt(o.pairedMax)})` : ''}`,
      mark[o.status],
    ]),
  ];
}

function markdownTable(rows: string[][]): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const [header, ...body] = rows;
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ].join('\n');
}

// ------------------------------------------------------------------ Markdown

function whereTitle(run: SuiteResult): string {
  if (run.where === 'node') return run.runtime;
  // The user agent is long; its browser/version token says what matters.
  const browser = /(HeadlessChrome|Chrome|Firefox|Edg|Safari)\/[\d.]+/.exec(run.runtime)?.[0];
  return `Browser${browser ? ` (${browser})` : ''}`;
}

function limitLines(run: SuiteResult, machine: MachineInfo): string[] {
  const limit = physicalLimit(run, machine);
  const probe = probePeak(run);
  return [
    limit ? `Physical limit: ${fmt(limit.gflops)} GFLOP/s — ${limit.source}.` : 'Physical limit: unknown for this adapter (add it to bench/peaks.ts).',
    probe ? `Adapter peak: ${fmt(probe.gflops)} GFLOP/s — ${probe.source}.` : 'Adapter peak: not measured (blindspot did not load).',
  ];
}

/**
 * What the run's profiles say of their timestamps, in one line: a profile of one dispatch cannot tell
 * whether its two timestamps were rounded, so the most telling note wins (rounded, then full resolution).
 */
function timestampLines(run: SuiteResult): string[] {
  const notes = run.workloads.flatMap((w) => w.cells.flatMap((c) => (c.profile ? [c.profile.timestamps] : [])));
  const telling = notes.find((n) => n.includes('rounded to multiples')) ?? notes.find((n) => n.includes('full resolution')) ?? notes[0];
  return telling ? [`Profiles: ${telling}.`] : [];
}

function problems(run: SuiteResult): string[] {
  const lines: string[] = [];
  for (const w of run.workloads) {
    for (const c of w.cells) {
      if (c.status === 'ok' && !c.note) continue;
      if (c.status === 'not implemented') continue;
      lines.push(`- ${w.workload} / ${c.contestant}: ${c.status === 'ok' ? 'note' : c.status}${c.reason ? ` — ${c.reason}` : ''}${c.note ? ` — ${c.note}` : ''}`);
    }
    for (const c of w.cells) if (c.profileError) lines.push(`- ${w.workload} / ${c.contestant}: profiled repetition failed — ${c.profileError}`);
  }
  return lines;
}

export function runMarkdown(run: SuiteResult, machine: MachineInfo): string {
  const contestants = run.contestants.map((c) => [
    c.id,
    c.status === 'ok' ? 'ok' : `unavailable: ${c.reason ?? ''}`,
    c.notes.join('; '),
    c.syncMethod ?? '',
  ]);
  const workloads = run.workloads.map((w) => [
    w.workload,
    w.description,
    String(w.iterations),
    w.reference ?? '–',
  ]);
  const issues = problems(run);
  const tallies = tallyTable(run);
  const peaks = peakTable(run, machine);
  const profiles = profileTable(run);
  const kernels = kernelTable(run);
  return [
    `## ${whereTitle(run)}`,
    '',
    `Runtime: ${run.runtime}.`,
    '',
    `Adapter: ${runAdapter(run)}. ${run.crossOriginIsolated === undefined ? '' : `Cross-origin isolated: ${run.crossOriginIsolated ? 'yes' : 'no'}. `}` +
      `Options: ${run.options.quick ? 'quick, ' : ''}up to ${run.options.reps} repetitions or ${run.options.budgetMs / 1000} s per cell, seed ${run.options.seed}. ` +
      `Took ${fmt(run.seconds)} s.`,
    '',
    `Timing: ${run.timing}.`,
    '',
    ...limitLines(run, machine),
    '',
    ...timestampLines(run).flatMap((line) => [line, '']),
    '### Throughput (median (min–max, n repetitions); higher is better; bold: fastest)',
    '',
    markdownTable(resultTable(run)),
    '',
    "### blindspot's speed ÷ each peer's (median of the per-round ratios, in brackets their range; > 1: blindspot faster)",
    '',
    markdownTable(ratioTable(run)),
    '',
    ...(peaks.length ? ['### Share of peak (median GFLOP/s over the adapter peak the probe measured, and over the physical limit)', '', markdownTable(peaks), ''] : []),
    ...(profiles.length
      ? [
          '### Per-kernel GPU time (one profiled repetition per cell, per iteration; GPU busy = GPU time ÷ wall time)',
          '',
          markdownTable(profiles),
          '',
          '<details><summary>Every kernel and variant</summary>',
          '',
          markdownTable(kernels),
          '',
          '</details>',
          '',
        ]
      : []),
    ...(tallies.length
      ? ['### Counted work and where the time went (medians over repetitions; what the workloads count themselves)', '', markdownTable(tallies), '']
      : []),
    '### Aims',
    '',
    markdownTable(aimTable(checkAims(run))),
    '',
    ...(issues.length ? ['### Refused, failed, unavailable', '', ...issues, ''] : []),
    '### Contestants',
    '',
    markdownTable([['contestant', 'status', 'notes', 'synchronized by'], ...contestants]),
    '',
    '<details><summary>Workload definitions</summary>',
    '',
    markdownTable([['workload', 'definition', 'iterations per repetition', 'reference'], ...workloads]),
    '',
    '</details>',
    '',
  ].join('\n');
}

export function toMarkdown(report: BenchReport): string {
  const m = report.machine;
  const peak = m.cpuPeak;
  const lines = [
    `# blindspot benchmarks — ${report.created.slice(0, 10)}`,
    '',
    `Command: \`${report.command}\``,
    '',
    `Machine: ${m.cpu}, ${m.cores} logical cores${m.memoryGiB ? `, ${fmt(m.memoryGiB)} GiB` : ''}, ${m.os}.` +
      (m.loadAverage ? ` Load average (1 min) at start ${fmt(m.loadAverage.start[0])}${m.loadAverage.end ? `, at end ${fmt(m.loadAverage.end[0])}` : ''}.` : ''),
    '',
    peak
      ? `CPU single-precision peak, measured (${peak.method}): ${fmt(peak.oneThreadGflops)} GFLOP/s on one thread, ${fmt(peak.allThreadsGflops)} GFLOP/s on ${peak.threads} threads.`
      : 'CPU peak: not measured.',
    '',
    'Ratios compare runs in the same page or process only; numbers move with the machine\'s load (see the min–max ranges).',
    '',
    ...report.failures.map((f) => `**${f.where} run failed:** ${f.message}\n`),
    ...report.runs.map((run) => runMarkdown(run, m)),
  ];
  return lines.join('\n');
}

// ------------------------------------------------------------------ SVG

const COLORS: Record<string, string> = {
  blindspot: '#d62728',
  'blindspot-blocked': '#ff7f0e',
  'blindspot-tiled': '#e377c2',
  'tfjs-webgpu': '#1f77b4',
  'tfjs-webgl': '#2ca02c',
  'tfjs-wasm': '#9467bd',
  'tfjs-cpu': '#8c564b',
  'jaxjs-webgpu': '#393b79',
  'jaxjs-wasm': '#9c9ede',
  gpujs: '#17becf',
  'gpujs-webgpu': '#bcbd22',
};

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Horizontal bars of median throughput per workload, on a log scale (peers differ by 100× and more),
 * with the min–max range as a whisker. One panel per run.
 */
export function toSvg(report: BenchReport): string {
  const width = 960;
  const labelWidth = 130;
  const barArea = width - labelWidth - 190;
  const barHeight = 14;
  let y = 30;
  const parts: string[] = [];
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">blindspot benchmarks ${xml(report.created.slice(0, 10))} — median throughput, log scale; whiskers: min–max</text>`);
  for (const run of report.runs) {
    y += 10;
    parts.push(`<text x="10" y="${y + 12}" font-size="14" font-weight="bold">${xml(whereTitle(run))} — ${xml(runAdapter(run))}</text>`);
    y += 24;
    for (const w of run.workloads) {
      const cells = w.cells.filter((c) => c.status === 'ok' && c.throughput);
      const others = w.cells.filter((c) => c.status !== 'ok' && c.status !== 'not implemented');
      parts.push(`<text x="10" y="${y + 11}" font-size="12" font-weight="bold">${xml(w.title)}</text>`);
      y += 16;
      if (cells.length) {
        const values = cells.flatMap((c) => [c.throughput!.min, c.throughput!.max]).filter((v) => v > 0);
        const lo = Math.floor(Math.log10(Math.min(...values))) - 0.3;
        const hi = Math.ceil(Math.log10(Math.max(...values)));
        const x = (v: number) => labelWidth + (barArea * (Math.log10(Math.max(v, 10 ** lo)) - lo)) / (hi - lo);
        for (const c of cells) {
          const t = c.throughput!;
          const color = COLORS[c.contestant] ?? '#7f7f7f';
          parts.push(
            `<text x="${labelWidth - 6}" y="${y + 11}" font-size="11" text-anchor="end">${xml(c.contestant)}</text>`,
            `<rect x="${labelWidth}" y="${y}" width="${(x(t.median) - labelWidth).toFixed(1)}" height="${barHeight}" fill="${color}"/>`,
            `<line x1="${x(t.min).toFixed(1)}" x2="${x(t.max).toFixed(1)}" y1="${y + barHeight / 2}" y2="${y + barHeight / 2}" stroke="#000" stroke-width="1"/>`,
            `<text x="${(x(t.max) + 6).toFixed(1)}" y="${y + 11}" font-size="11">${xml(`${fmt(t.median)} ${t.unit}`)}</text>`,
          );
          y += barHeight + 3;
        }
      }
      if (others.length) {
        const text = others.map((c) => `${c.contestant}: ${c.status}`).join(' · ');
        parts.push(`<text x="${labelWidth}" y="${y + 10}" font-size="10" fill="#666">${xml(text)}</text>`);
        y += 14;
      }
      y += 6;
    }
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** A short slug for a results directory: `google-swiftshader`, `nvidia-ampere`, ... */
export function adapterSlug(report: BenchReport): string {
  const run = report.runs.find((r) => r.where === 'browser') ?? report.runs[0];
  const text = run ? runAdapter(run) : 'no-webgpu';
  const a = run?.contestants.find((c) => c.adapter && c.status === 'ok')?.adapter;
  const base = a ? `${a.vendor}-${a.architecture}`.replace(/-$/, '') || text : text;
  return base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'unknown-adapter';
}

/** Workload results of a run that a reader is most likely to want first (for logs). */
export function oneLine(w: WorkloadResult): string {
  return w.cells
    .map((c) => `${c.contestant} ${c.status === 'ok' && c.throughput ? `${fmt(c.throughput.median)} ${c.throughput.unit}` : c.status}`)
    .join(', ');
}
