#!/usr/bin/env node
/**
 * blindspot's side of the comparison with scipy (docs/benchmarks.md, "The attack against scipy"): the
 * blind-spot search of the built library (dist/, `npm run build`) on the first N MNIST test images with one
 * seeded random wrong target each, timed in wall and process CPU time (every thread of the process: the
 * solvers, the worker threads, and SwiftShader's when the GPU is the CPU). It writes the targets it drew and
 * its per-image results as JSON, which scripts/bench/scipy_attack.py reads to run the same search.
 *
 * With --warmup the same attack runs once first, untimed, on the same engine: the timed run then excludes the
 * one-time costs of a process (compiling the kernels' pipelines, seconds on SwiftShader; V8 compiling the
 * solver), as the scipy side excludes Python's imports. Worker threads start with every attack either way.
 *
 * Usage: node scripts/bench/attack_cpu.mjs [--checkpoint FILE] [--images N] [--seed N] [--workers N]
 *                                          [--batch N] [--warmup] [--unpaced] [--restart-from-x] [--out FILE]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HELP = `usage: node scripts/bench/attack_cpu.mjs [options]
  --checkpoint FILE  the model (default models/FC100-100-10-full.safetensors)
  --images N         the first N test images (default 300)
  --seed N           seed of the random wrong targets (default 1)
  --workers N        worker threads of the solvers (default: the attack's default)
  --batch N          problems per GPU pass (default 256)
  --warmup           run the same attack once, untimed, before the timed run (excludes pipeline compiles)
  --unpaced          turn the engine's paced GPU waits off (Dawn's polling then spins the calling thread)
  --restart-from-x   start every c's solve from x (default: from the previous c's minimizer, as the attack does)
  --out FILE         where to write the targets and results (default attack-cpu.json)`;

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: join(root, 'models', 'FC100-100-10-full.safetensors') },
    images: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string' },
    batch: { type: 'string', default: '256' },
    warmup: { type: 'boolean', default: false },
    unpaced: { type: 'boolean', default: false },
    'restart-from-x': { type: 'boolean', default: false },
    out: { type: 'string', default: 'attack-cpu.json' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
/** A whole number in [min, max] from an option, or exit naming it. */
function integer(name, min, max = Number.MAX_SAFE_INTEGER) {
  const v = Number(values[name]);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    console.error(`--${name} must be an integer in [${min}, ${max}], got '${values[name]}'\n${HELP}`);
    process.exit(2);
  }
  return v;
}
const images = integer('images', 1, 10000);
const seed = integer('seed', 0);
const batchSize = integer('batch', 1);
const workers = values.workers === undefined ? undefined : integer('workers', 0, 256);
if (!existsSync(join(root, 'dist', 'node.js'))) {
  console.error('dist/ is missing: run npm run build first');
  process.exit(2);
}

/** CPU milliseconds of each thread of this process (Linux: /proc; elsewhere an empty map). */
function threadCpuMs() {
  const ticks = new Map();
  if (!existsSync('/proc/self/task')) return ticks;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks of 10 ms.
      ticks.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

const { Engine, attack, nn, optim, loadCheckpoint, loadMnist } = await import(join(root, 'dist', 'node.js'));
// The optimizer's own work in this thread: every tell goes through tellAt (solvers in workers are not seen here).
let solverMs = 0;
const tellAt = optim.LbfgsbSolver.prototype.tellAt;
optim.LbfgsbSolver.prototype.tellAt = function (...args) {
  const start = performance.now();
  try {
    return tellAt.apply(this, args);
  } finally {
    solverMs += performance.now() - start;
  }
};
const engine = await Engine.create(values.unpaced ? { pacedWaits: false } : {});
try {
  const mnist = await loadMnist();
  const checkpoint = await loadCheckpoint(values.checkpoint);
  const model = nn.Model.fromCheckpoint(engine, nn.modelSpec(checkpoint.meta.model), checkpoint);
  const pixels = model.inputSize;
  const labels = mnist.test.labels.slice(0, images);
  const targets = attack.chooseTargets(labels, { kind: 'random', seed }).map((t) => t[0]);
  const run = () =>
    attack.findBlindSpots(model, mnist.test.images.slice(0, images * pixels), labels, {
      targets: { kind: 'explicit', targets },
      batchSize,
      workers,
      ...(values['restart-from-x'] ? { warmStart: false } : {}),
    });
  if (values.warmup) {
    await run();
    solverMs = 0;
  }
  const loadBefore = loadavg()[0];
  const threadsBefore = threadCpuMs();
  const cpu0 = process.cpuUsage();
  const report = await run();
  const { user, system } = process.cpuUsage(cpu0);
  const cpuSeconds = (user + system) / 1e6;
  const threadsAfter = threadCpuMs();
  const mainThread = String(process.pid);
  const mainThreadSeconds = threadsAfter.has(mainThread) ? (threadsAfter.get(mainThread) - threadsBefore.get(mainThread)) / 1000 : null;
  const summary = {
    attacked: report.attacked,
    successes: report.successes,
    meanDistortion: report.meanDistortion,
    evaluationsPerImage: report.evaluations / report.attacked,
    solvesPerImage: report.solves / report.attacked,
    wallSeconds: report.seconds,
    cpuSeconds,
    wallPerImage: report.seconds / report.attacked,
    cpuPerImage: cpuSeconds / report.attacked,
    loadAverage: [loadBefore, loadavg()[0]],
    // Where the CPU time went (Linux): the calling thread, and the others (SwiftShader's when the GPU is
    // the CPU, the solvers' workers, which have ended by now: the process's total less the calling thread's).
    // solverSeconds is the wall time inside LbfgsbSolver.tellAt in the calling thread (0 with workers).
    mainThreadSeconds,
    otherThreadsSeconds: mainThreadSeconds === null ? null : cpuSeconds - mainThreadSeconds,
    solverSeconds: solverMs / 1000,
    workers: report.options.workers,
    batchSize,
    warmup: values.warmup,
    pacedWaits: !values.unpaced,
  };
  const perImage = report.images.map((r) => ({
    image: r.image,
    label: r.label,
    target: targets[r.image],
    attacked: r.attacked,
    success: r.best !== null,
    distortion: r.best?.distortion ?? null,
    c: r.best?.c ?? null,
    evaluations: r.examples[0]?.evaluations ?? 0,
    solves: r.examples[0]?.trials.length ?? 0,
  }));
  const settings = { lbfgsb: report.options.lbfgsb, cSearch: report.options.cSearch, warmStart: report.options.warmStart, search: attack.describeCSearch(report.options.cSearch) };
  await writeFile(values.out, JSON.stringify({ model: checkpoint.meta.model, checkpoint: values.checkpoint, images, seed, settings, summary, perImage }, null, 1));
  console.log(
    `${summary.attacked} attacked, ${summary.successes} fooled, mean distortion ${summary.meanDistortion.toFixed(5)}; ` +
      `${summary.evaluationsPerImage.toFixed(1)} evaluations and ${summary.solvesPerImage.toFixed(2)} solves per image; ` +
      `${summary.wallPerImage.toFixed(4)} s wall and ${summary.cpuPerImage.toFixed(4)} s CPU per image (${summary.workers} workers, batch ${batchSize}${values.warmup ? ', after a warm-up run' : ''}${values.unpaced ? ', unpaced waits' : ''}${values['restart-from-x'] ? ', every c from x' : ''}, load ${summary.loadAverage.map((l) => l.toFixed(1)).join(' → ')}); ` +
      (summary.mainThreadSeconds === null ? '' : `CPU: calling thread ${summary.mainThreadSeconds.toFixed(1)} s (wall in tellAt ${summary.solverSeconds.toFixed(1)} s), other threads ${summary.otherThreadsSeconds.toFixed(1)} s; `) +
      `wrote ${values.out}`,
  );
  model.dispose();
} finally {
  await engine.dispose();
}
