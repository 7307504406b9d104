import { it } from 'vitest';
import { conv2d } from '../../src/tensor/ops/conv.ts';
import { tensor } from '../../src/tensor/ops/index.ts';
import { Engine } from '../../src/gpu/engine.ts';

it('bench', async () => {
  const engine = await Engine.create();
  const N = Number(process.env.BN ?? 64), C = 32, H = 14, O = 64, K = 5;
  const x = tensor(engine, Float32Array.from({ length: N * C * H * H }, () => Math.random() - 0.5), [N, C, H, H]);
  const w = tensor(engine, Float32Array.from({ length: O * C * K * K }, () => Math.random() - 0.5), [O, C, K, K]);
  const flops = 2 * N * O * H * H * C * K * K;
  const times: number[] = [];
  for (let r = 0; r < 8; r++) {
    await engine.sync();
    const t0 = performance.now();
    const y = conv2d(x, w, { padding: 2 });
    await engine.sync();
    times.push(performance.now() - t0);
    y.dispose();
  }
  times.sort((a, b) => a - b);
  console.log('forward ms', times.map((t) => t.toFixed(0)).join(' '), 'GFLOP/s', (flops / times[0] / 1e6).toFixed(2));
  engine.dispose();
});
