/** `blindspot info`: the adapter in use, its limits and features, and a quick kernel self-check. */
import type { Command } from 'commander';
import type { Engine } from '../gpu/engine.ts';
import { add, sum, tensor } from '../tensor/ops/index.ts';
import { withEngine } from './engine.node.ts';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the WebGPU adapter in use, its limits and features, and run a quick kernel check')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withEngine(command, async (engine) => {
        const check = await selfCheck(engine);
        const report = { adapter: engine.adapter, notes: engine.notes, selfCheck: check };
        if (options.json) {
          console.log(JSON.stringify(report, null, 2));
          return;
        }
        const a = engine.adapter;
        console.log(`adapter      ${a.description || '(no description)'} — vendor ${a.vendor}, architecture ${a.architecture}`);
        console.log(`platform     ${a.platform}${a.isSwiftShader ? ' (SwiftShader: WebGPU on the CPU)' : ''}`);
        for (const note of engine.notes) console.log(`note         ${note}`);
        console.log('limits');
        for (const [key, value] of Object.entries(a.limits)) console.log(`  ${key.padEnd(36)} ${value}`);
        console.log(`features     ${a.features.join(', ')}`);
        console.log(`self-check   ${check.ok ? 'ok' : 'FAILED'} (${check.detail})`);
        if (!check.ok) process.exitCode = 1;
      });
    });
}

/** Add two random vectors and sum them on the GPU, compared with the CPU. */
async function selfCheck(engine: Engine): Promise<{ ok: boolean; detail: string }> {
  const n = 1000 + Math.floor(Math.random() * 1000);
  const a = Float32Array.from({ length: n }, () => Math.random());
  const b = Float32Array.from({ length: n }, () => Math.random());
  let expected = 0;
  for (let i = 0; i < n; i++) expected += Math.fround(a[i] + b[i]);
  const ta = tensor(engine, a);
  const tb = tensor(engine, b);
  const total = sum(add(ta, tb));
  const got = await total.item();
  for (const t of [ta, tb, total]) t.dispose();
  const ok = Math.abs(got - expected) <= 1e-4 * Math.abs(expected);
  return { ok, detail: `sum(a + b) over ${n} elements: GPU ${got.toFixed(4)}, CPU ${expected.toFixed(4)}` };
}
