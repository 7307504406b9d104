#!/usr/bin/env node
/**
 * Checks of the harness's correctness gate with fake contestants (no GPU, a few seconds): who is marked
 * 'wrong result' when blindspot and its peers disagree. `node bench/harness.check.mjs`; exit status 0 when
 * every rule holds.
 */
import { startModuleLoader } from './browser.mjs';

const loader = await startModuleLoader();
let failures = 0;
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
    if (!ok) failures++;
    console.log(`${ok ? '✓' : '✗'} ${s.name}: ${JSON.stringify(got)}${ok ? '' : ` (expected ${JSON.stringify(s.expect)})`}`);
  }
} finally {
  await loader.close();
}
console.log(failures ? `${failures} gate check(s) failed` : 'gate checks passed');
process.exit(failures ? 1 : 0);
