#!/usr/bin/env node
/**
 * Checks of the harness with fake contestants (no GPU, a few seconds): who the correctness gate marks
 * 'wrong result' when blindspot and its peers disagree, and how a baseline timed on a sample and what
 * instances count themselves are reported. `node bench/harness.check.mjs`; exit status 0 when every check
 * holds.
 */
import { startModuleLoader } from './browser.mjs';

const loader = await startModuleLoader();
let failures = 0;
let checked = 0;
try {
  const { runSuite } = await loader.ssrLoadModule('/harness.ts');
  const fake = (id, family, values) => ({
    id,
    family,
    label: id,
    load: async () => ({ env: { values }, notes: [], syncMethod: 'none', activate: async () => {}, sync: async () => {}, dispose: async () => {} }),
  });
  const implementation = async (env) => ({
    run() {},
    async read() {
      return { y: { shape: [3], data: Float32Array.from(env.values) } };
    },
    dispose() {},
  });
  const workload = {
    id: 'w', title: 'w', group: 'kernel', description: '', iterations: 1, flops: 1, quick: true, tolerance: 1e-3,
    inputs: () => ({}),
    implementations: { blindspot: implementation, tfjs: implementation, gpujs: implementation },
  };
  const options = { workloads: ['w'], contestants: [], reps: 1, budgetMs: 0, quick: true, seed: 1 };
  const good = [1, 2, 3];
  const bad = [1, 2, 9];
  const scenarios = [
    { name: 'all agree', blindspot: good, peers: { p1: good, p2: good }, expect: { blindspot: 'ok', p1: 'ok', p2: 'ok' } },
    { name: 'a peer confirms blindspot', blindspot: good, peers: { p1: bad, p2: good }, expect: { blindspot: 'ok', p1: 'wrong result', p2: 'ok' } },
    { name: 'two peers outvote blindspot', blindspot: good, peers: { p1: bad, p2: bad }, expect: { blindspot: 'wrong result', p1: 'ok', p2: 'ok' } },
    { name: 'referee sides with the peer', blindspot: good, peers: { p1: bad }, referee: bad, expect: { blindspot: 'wrong result', p1: 'ok' } },
    { name: 'referee sides with blindspot', blindspot: good, peers: { p1: bad }, referee: good, expect: { blindspot: 'ok', p1: 'wrong result' } },
  ];
  for (const s of scenarios) {
    const contestants = [fake('blindspot', 'blindspot', s.blindspot), ...Object.entries(s.peers).map(([id, v]) => fake(id, 'gpujs', v))];
    const context = { where: 'node', runtime: 'check', referee: s.referee && fake('tfjs-cpu', 'tfjs', s.referee) };
    const result = await runSuite([workload], contestants, options, context);
    const got = Object.fromEntries(result.workloads[0].cells.map((c) => [c.contestant, c.status]));
    const ok = Object.entries(s.expect).every(([id, status]) => got[id] === status);
    checked++;
    if (!ok) failures++;
    console.log(`${ok ? '✓' : '✗'} ${s.name}: ${JSON.stringify(got)}${ok ? '' : ` (expected ${JSON.stringify(s.expect)})`}`);
  }

  // A baseline timed on a sample (Instance.items) is compared per item, and what instances count
  // (Instance.tally) becomes rates and shares of wall time.
  const busy = (ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const counting = (items) => async () => {
    const tally = { counts: { widgets: 0 }, ms: { busy: 0 } };
    return {
      items,
      run() {
        const start = performance.now();
        busy(20);
        tally.counts.widgets += items ?? 4;
        tally.ms.busy += performance.now() - start;
      },
      read: async () => ({ y: { shape: [1], data: Float32Array.of(1) } }),
      tally: () => structuredClone(tally),
      dispose() {},
    };
  };
  const sampled = { ...workload, id: 'sampled', flops: undefined, items: { count: 4, unit: 'widgets' }, implementations: { blindspot: counting(), gpujs: counting(2) } };
  const result = await runSuite([sampled], [fake('blindspot', 'blindspot', good), fake('half', 'gpujs', good)], { ...options, reps: 3 }, { where: 'node', runtime: 'check' });
  const [ours, half] = result.workloads[0].cells;
  const ratio = result.workloads[0].ratios[0]?.ratio;
  const checks = [
    ['per-item ratio of a sampled baseline ≈ 2', ratio > 1.6 && ratio < 2.5, ratio],
    ['throughput counts the sample', half.throughput?.median < 130 && half.throughput?.median > 60, half.throughput?.median],
    ['counted work per second ≈ 200', ours.tally?.rates.widgets.median > 120 && ours.tally?.rates.widgets.median <= 210, ours.tally?.rates.widgets.median],
    ['share of wall time ≈ 1', ours.tally?.shares.busy.median > 0.8 && ours.tally?.shares.busy.median <= 1.01, ours.tally?.shares.busy.median],
  ];

  // A contestant that can profile gets one extra repetition in its profiling mode, outside the
  // statistics, reported per iteration.
  let runs = 0;
  const profiler = {
    ...fake('blindspot', 'blindspot', good),
    load: async () => ({
      env: { values: good },
      notes: [],
      syncMethod: 'none',
      activate: async () => {},
      sync: async () => {},
      dispose: async () => {},
      profile: async (work) => {
        const before = runs;
        await work();
        const kernel = { kernel: 'k', variant: '', dispatches: 2 * (runs - before), gpuMs: 6, share: 1, flops: 12e6, bytes: 8, gflops: 2, shapes: ['a', 'b', 'c', 'd', 'e', 'f'] };
        return { wallMs: 10, gpuMs: 6, busyShare: 0.6, timestamps: { available: true, quantumNs: null, note: 'fake' }, dispatches: [], kernels: [kernel] };
      },
    }),
  };
  const counted = { ...workload, id: 'profiled', iterations: 3, implementations: { blindspot: async () => ({ run: () => void runs++, read: async () => ({}), dispose() {} }) } };
  const profiled = (await runSuite([counted], [profiler], { ...options, reps: 2, budgetMs: 60_000 }, { where: 'node', runtime: 'check' })).workloads[0].cells[0];
  const p = profiled.profile;
  checks.push(
    // The first run (the gate's), two timed repetitions of 3 runs, one profiled repetition of 3.
    ['profiled repetition kept out of the statistics', profiled.repMs.length === 2 && runs === 1 + 3 * 3, `${profiled.repMs.length} timed, ${runs} runs`],
    ['profile reported per iteration', p?.wallMs === 10 / 3 && p?.gpuMs === 2 && p?.kernels[0].dispatches === 2 && p?.kernels[0].flops === 4e6, JSON.stringify(p)],
    ['at most 5 shapes per kernel kept', p?.kernels[0].shapes.length === 5, p?.kernels[0].shapes],
  );
  for (const [name, ok, value] of checks) {
    checked++;
    if (!ok) failures++;
    console.log(`${ok ? '✓' : '✗'} ${name}: ${value}`);
  }
} finally {
  await loader.close();
}
console.log(`Harness: ${checked - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
