import { it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { Engine } from '../../src/gpu/engine.ts';
import { tensor } from '../../src/tensor/ops/index.ts';

// Runs every /tmp/variants/*.wgsl as a conv forward on the benchmark shape, interleaved; min time each.
it('ab', async () => {
  const dir = process.env.VDIR ?? '/tmp/variants';
  const names = readdirSync(dir).filter((f) => f.endsWith('.wgsl')).map((f) => f.slice(0, -5));
  const shaders = Object.fromEntries(names.map((n) => [n, readFileSync(`${dir}/${n}.wgsl`, 'utf8')]));
  const engine = await Engine.create({ shaders });
  const N = 64, C = 32, H = 14, O = 64, K = 5, P = 2;
  const x = tensor(engine, Float32Array.from({ length: N * C * H * H }, () => Math.random() - 0.5), [N, C, H, H]);
  const w = tensor(engine, Float32Array.from({ length: O * C * K * K }, () => Math.random() - 0.5), [O, C, K, K]);
  const b = tensor(engine, [0]);
  const out = engine.acquireBuffer(N * O * H * H * 4);
  const flops = 2 * N * O * H * H * C * K * K;
  const best: Record<string, number> = {};
  const uniforms = new Uint32Array([N, C, O, H, H, H, H, K, K, 1, 1, P, P, 0, 0, 0]);
  for (let rep = 0; rep < Number(process.env.REPS ?? 4); rep++) {
    for (const name of names) {
      const src = shaders[name];
      const bb = Number(/BATCH_BLOCK: u32 = (\d+)/.exec(src)?.[1] ?? 8);
      const ob = Number(/\/\/ OBLOCK (\d+)/.exec(src)?.[1] ?? 8);
      const kernel = await engine.compile(name, {});
      await engine.sync();
      const t0 = performance.now();
      engine.dispatch(kernel, { uniforms, bindings: [x.binding, w.binding, b.binding, { buffer: out, size: N * O * H * H * 4 }], workgroups: engine.grid(Math.ceil(N / bb) * H * H * Math.ceil(O / ob), 64) });
      await engine.sync();
      const t = performance.now() - t0;
      best[name] = Math.min(best[name] ?? Infinity, t);
    }
  }
  for (const name of names) console.log(`${name}: ${best[name].toFixed(0)} ms  ${(flops / best[name] / 1e6).toFixed(2)} GFLOP/s`);
  engine.dispose();
});
