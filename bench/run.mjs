#!/usr/bin/env node
/**
 * `npm run bench`: the benchmark suite in headless Chromium (the bench page, served by Vite with COOP/COEP)
 * and in Node (Dawn; loaded through Vite's SSR module loader so import.meta.glob works without a build),
 * one after the other so they never compete for the cores. Writes results.json, summary.md and chart.svg
 * to a directory named by date and adapter. See docs/benchmarks.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `Usage: node bench/run.mjs [options]      (npm run bench -- [options])

Runs the benchmark suite: blindspot against TensorFlow.js (webgpu, webgl, wasm, cpu backends), jax-js
(webgpu and wasm devices) and gpu.js, in headless Chromium and in Node, and writes results.json, summary.md
and chart.svg: throughput, ratios, aims, blindspot's GPU time per kernel (timestamp queries) and every
FLOP-counted workload's share of the adapter's measured peak and of the physical limit.

  --quick               the quick suite: fewer workloads, contestants and repetitions (< 10 min here)
  --workloads a,b,c     only these workloads (ids: see --list)
  --contestants a,b,c   only these contestants (ids: see --list)
  --reps N              timed repetitions per cell (default 7, quick 3)
  --budget SECONDS      stop adding repetitions to a cell after this much timed time (default 15, quick 3);
                        at least one repetition always runs
  --where WHERE         browser, node or both (default both)
  --out DIR             results directory (default bench/results/<date>-<adapter>)
  --seed N              input data seed (default 2014)
  --timeout MINUTES     limit for each of the browser and Node runs (default 60)
  --no-peak             skip measuring the CPU's sgemm peak with numpy
  --list                list workloads and contestants, then exit
  --check-page          only check that the bench page loads in headless Chromium and runs one small
                        workload end to end (bench/benchPage.check.mjs); exit status says whether it did
  --help                show this text

Environment: CHROMIUM_PATH overrides the browser (default /usr/bin/chromium).
The bench page for your own browser and GPU: npx vite bench   (then open the printed URL); it also holds
the kernel explorer (node bench/explorer.check.mjs checks it headless).`;

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..');

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      workloads: { type: 'string' },
      contestants: { type: 'string' },
      reps: { type: 'string' },
      budget: { type: 'string' },
      where: { type: 'string', default: 'both' },
      out: { type: 'string' },
      seed: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      'no-peak': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      'check-page': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      // Internal: the Node half runs in a child process (a Dawn crash must not lose the browser results).
      'node-child': { type: 'string' },
    },
  });
  const list = (s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
  const number = (name, s, check) => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!check(n)) throw new Error(`--${name} must be ${name === 'seed' ? 'an integer' : 'a positive number'}, not '${s}'`);
    return n;
  };
  if (!['browser', 'node', 'both'].includes(values.where)) throw new Error(`--where must be browser, node or both, not '${values.where}'`);
  const budget = number('budget', values.budget, (n) => n >= 0);
  return {
    help: values.help,
    list: values.list,
    checkPage: values['check-page'],
    nodeChild: values['node-child'],
    where: values.where,
    out: values.out,
    peak: !values['no-peak'],
    timeoutMs: number('timeout', values.timeout, (n) => n > 0) * 60_000,
    request: {
      quick: values.quick,
      workloads: list(values.workloads),
      contestants: list(values.contestants),
      reps: number('reps', values.reps, (n) => Number.isInteger(n) && n > 0),
      budgetMs: budget === undefined ? undefined : budget * 1000,
      seed: number('seed', values.seed, Number.isInteger),
    },
  };
}

// ------------------------------------------------------------------ progress

function printer(where) {
  const tag = `[${where}]`;
  return (event) => {
    switch (event.type) {
      case 'contestant':
        console.log(`${tag} ${event.info.id}: ${event.info.status === 'ok' ? `ok (${event.info.notes.join('; ')})` : `unavailable — ${event.info.reason}`}`);
        break;
      case 'workload':
        console.log(`${tag} ${event.workload} (${event.index + 1}/${event.total})`);
        break;
      case 'cell':
        if (event.phase === 'check' || event.status !== 'ok') console.log(`${tag}   ${event.contestant}: ${event.status} — ${event.detail}`);
        break;
      case 'workload-done': {
        const parts = event.result.cells
          .filter((c) => c.ms)
          .map((c) => `${c.contestant} ${format(c.throughput.median)} ${c.throughput.unit} (n=${c.ms.n})`);
        if (parts.length) console.log(`${tag}   → ${parts.join(', ')}`);
        break;
      }
      case 'log':
        console.log(`${tag} ${event.message}`);
        break;
    }
  };
}

function format(value) {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

// ------------------------------------------------------------------ machine

/**
 * The CPU's single-precision peak, measured with numpy's sgemm (OpenBLAS) on a 1024² float32 product, best
 * of 15, on one thread and on all: the physical limit of a CPU-backed adapter such as SwiftShader.
 */
function measureCpuPeak() {
  const script = [
    'import time, numpy as np',
    'n = 1024',
    'rng = np.random.default_rng(0)',
    'a = rng.random((n, n), dtype=np.float32); b = rng.random((n, n), dtype=np.float32)',
    'a @ b',
    'best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(15))',
    'print(2 * n ** 3 / best / 1e9, np.__version__)',
  ].join('\n');
  const run = (threads) => {
    const env = { ...process.env };
    for (const key of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) {
      if (threads) env[key] = String(threads);
      else delete env[key];
    }
    const result = spawnSync('python3', ['-c', script], { env, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error((result.stderr || result.error?.message || 'python3 failed').trim().split('\n').pop());
    const [gflops, version] = result.stdout.trim().split(/\s+/);
    return { gflops: Number(gflops), version };
  };
  try {
    const one = run(1);
    const all = run(0);
    return {
      oneThreadGflops: one.gflops,
      allThreadsGflops: all.gflops,
      threads: cpus().length,
      method: `numpy ${one.version} float32 1024² matmul, best of 15`,
    };
  } catch (error) {
    console.log(`CPU peak not measured (python3 with numpy needed): ${error.message}`);
    return undefined;
  }
}

function describeMachine() {
  const list = cpus();
  return {
    cpu: list[0]?.model?.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${platform()} ${release()}`,
    loadAverage: { start: loadavg() },
  };
}

// ------------------------------------------------------------------ runs

async function runBrowser(request, timeoutMs) {
  const { startBenchServer, launchChromium, runInPage } = await import('./browser.mjs');
  const { server, url } = await startBenchServer();
  let chromium;
  try {
    chromium = await launchChromium();
    console.log(`[browser] ${url} in ${await chromium.browser.version()}`);
    const report = await runInPage(chromium.browser, url, request, {
      onProgress: printer('browser'),
      onConsole: (line) => {
        // tfjs and Vite are chatty; keep errors, which explain an 'unavailable' contestant.
        if (/error/i.test(line)) console.log(`[browser] ${line.slice(0, 400)}`);
      },
      timeoutMs,
    });
    return report.runs[0];
  } finally {
    await chromium?.close();
    await server.close();
  }
}

/** The Node half in a child process; resolves with its SuiteResult. */
async function runNode(request, timeoutMs) {
  const dir = join(tmpdir(), `blindspot-bench-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const requestFile = join(dir, 'request.json');
  const resultFile = join(dir, 'result.json');
  await writeFile(requestFile, JSON.stringify(request));
  try {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--node-child', requestFile], {
      stdio: ['ignore', 'inherit', 'pipe'],
      env: { ...process.env, BLINDSPOT_BENCH_RESULT: resultFile },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      const text = chunk.toString();
      stderr += text;
      // Dawn and Vulkan print harmless warnings on stderr (probing Mesa's lavapipe, which Dawn rejects,
      // before SwiftShader); show the rest.
      for (const line of text.split('\n')) {
        if (line.trim() && !/XDG_RUNTIME_DIR|ArrayDynamicIndexing|While initializing adapter|InitializeImpl|PhysicalDeviceVk/.test(line)) {
          console.log(`[node] ${line}`);
        }
      }
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const code = await new Promise((done) => child.on('exit', (c, signal) => done(signal ? `signal ${signal}` : c)));
    clearTimeout(timer);
    if (!existsSync(resultFile)) {
      throw new Error(`the Node run exited with ${code} and wrote no results${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`);
    }
    return JSON.parse(await readFile(resultFile, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function nodeChild(requestFile) {
  const { startModuleLoader } = await import('./browser.mjs');
  const request = JSON.parse(await readFile(requestFile, 'utf8'));
  const loader = await startModuleLoader();
  try {
    const { runInNode } = await loader.ssrLoadModule('/node.ts');
    const result = await runInNode(request, printer('node'));
    await writeFile(process.env.BLINDSPOT_BENCH_RESULT, JSON.stringify(result));
  } finally {
    await loader.close();
  }
}

// ------------------------------------------------------------------ main

async function outputDirectory(option, slug) {
  if (option) return resolve(option);
  const stamp = new Date();
  const date = stamp.toISOString().slice(0, 10);
  let dir = join(repo, 'bench/results', `${date}-${slug}`);
  if (existsSync(dir)) dir = `${dir}-${stamp.toISOString().slice(11, 19).replace(/:/g, '')}`;
  return dir;
}

async function listEverything() {
  const { startModuleLoader } = await import('./browser.mjs');
  const loader = await startModuleLoader();
  try {
    const { WORKLOADS } = await loader.ssrLoadModule('/workloads/index.ts');
    const { CONTESTANTS, DEFAULT_CONTESTANTS, QUICK_CONTESTANTS } = await loader.ssrLoadModule('/contestants/index.ts');
    console.log('Workloads (* = in --quick):');
    for (const w of WORKLOADS) console.log(`  ${w.quick ? '*' : ' '} ${w.id.padEnd(18)} ${w.title}`);
    console.log('Contestants (d = default, * = in --quick):');
    for (const c of CONTESTANTS) {
      console.log(`  ${DEFAULT_CONTESTANTS.includes(c.id) ? 'd' : ' '}${QUICK_CONTESTANTS.includes(c.id) ? '*' : ' '} ${c.id.padEnd(18)} ${c.label}`);
    }
  } finally {
    await loader.close();
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return console.log(HELP);
  if (options.nodeChild) return nodeChild(options.nodeChild);
  if (options.list) return listEverything();
  if (options.checkPage) {
    const { checkPage } = await import('./benchPage.check.mjs');
    return checkPage();
  }

  const started = performance.now();
  const machine = describeMachine();
  if (options.peak) {
    console.log('Measuring the CPU sgemm peak with numpy…');
    machine.cpuPeak = measureCpuPeak();
    if (machine.cpuPeak) console.log(`  ${format(machine.cpuPeak.oneThreadGflops)} GFLOP/s on 1 thread, ${format(machine.cpuPeak.allThreadsGflops)} GFLOP/s on ${machine.cpuPeak.threads}`);
  }
  const runs = [];
  const failures = [];
  for (const where of options.where === 'both' ? ['browser', 'node'] : [options.where]) {
    try {
      runs.push(where === 'browser' ? await runBrowser(options.request, options.timeoutMs) : await runNode(options.request, options.timeoutMs));
    } catch (error) {
      console.log(`[${where}] FAILED: ${error.message}`);
      failures.push({ where, message: error.message });
    }
  }
  machine.loadAverage.end = loadavg();

  const { startModuleLoader } = await import('./browser.mjs');
  const loader = await startModuleLoader();
  try {
    const report = await loader.ssrLoadModule('/report.ts');
    const document = {
      schema: report.SCHEMA,
      created: new Date().toISOString(),
      command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      runs,
      failures,
    };
    const dir = await outputDirectory(options.out, report.adapterSlug(document));
    await mkdir(dir, { recursive: true });
    const markdown = report.toMarkdown(document);
    await writeFile(join(dir, 'results.json'), `${JSON.stringify(document, null, 1)}\n`);
    await writeFile(join(dir, 'summary.md'), markdown);
    await writeFile(join(dir, 'chart.svg'), report.toSvg(document));
    console.log(`\n${markdown}`);
    console.log(`Results: ${relative(process.cwd(), dir) || '.'}/{results.json,summary.md,chart.svg} (${((performance.now() - started) / 60000).toFixed(1)} min)`);
    if (runs.length === 0) process.exitCode = 1;
  } finally {
    await loader.close();
  }
}

main()
  .catch((error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  })
  // Dawn's instance and Vite's handles can keep Node alive after the work is done.
  .finally(() => setTimeout(() => process.exit(), 100).unref());
