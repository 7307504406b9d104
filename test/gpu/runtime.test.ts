/**
 * The GPU runtime under the conditions a long run meets: sizes that do not fill the last workgroup, grids
 * folded past the per-dimension limit, ten thousand small ops, broken shaders, dispatches over the
 * adapter's limits, lost and disposed devices, and two engines at once.
 */
import { describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/gpu/engine.ts';
import {
  AdapterUnavailableError,
  DeviceLostError,
  EngineDisposedError,
  KernelCompileError,
  KernelLimitError,
} from '../../src/gpu/errors.ts';
import { contextOf, tidy } from '../../src/tensor/context.ts';
import { add, fill, sum, tensor } from '../../src/tensor/ops/index.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';

const getEngine = useTestEngine();

/** Tests that break or destroy an engine get their own, so the file's shared engine stays clean. */
async function withEngine(options: EngineOptions, body: (engine: Engine) => Promise<void>): Promise<void> {
  const engine = await Engine.create(options);
  try {
    await body(engine);
  } finally {
    await engine.dispose();
  }
}

/**
 * Small random integers: f32 sums of them are exact while partial sums stay below 2²⁴ (random signs keep
 * them far below), so GPU results must equal the CPU's exactly.
 */
function integers(random: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.floor(random() * 9) - 4);
}

describe('kernels on sizes that do not fill their workgroups', () => {
  const seed = testSeed();
  const random = rng(seed);
  const randomSize = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  // The kernels use 64-invocation workgroups; 64·65535 + 1 elements need a grid folded into two dimensions.
  const sizes = [1, 63, 64, 65, randomSize(2, 64), randomSize(65, 5000), randomSize(5000, 300_000), 64 * 65_535 + randomSize(1, 6400)];

  for (const n of sizes) {
    it(`fill, add and sum over ${n} elements (seed ${seed})`, async () => {
      const engine = getEngine();
      const value = random() * 10 - 5;
      const filled = fill(engine, [n], value);
      const data = await filled.data();
      const wrong = data.findIndex((v) => v !== Math.fround(value));
      expect(wrong, `fill: element ${wrong} is ${data[wrong]}, expected ${Math.fround(value)}`).toBe(-1);

      const a = integers(random, n);
      const b = integers(random, n);
      const ta = tensor(engine, a);
      const tb = tensor(engine, b);
      const total = add(ta, tb);
      const sumData = await total.data();
      const mismatch = sumData.findIndex((v, i) => v !== a[i] + b[i]);
      expect(mismatch, `add: element ${mismatch} is ${sumData[mismatch]}, expected ${a[mismatch] + b[mismatch]}`).toBe(-1);

      const reduced = sum(total);
      expect(await reduced.item()).toBe(a.reduce((s, v, i) => s + v + b[i], 0));
      for (const t of [filled, ta, tb, total, reduced]) t.dispose();
    });
  }

  it(`sum along each axis of random 2-D shapes (seed ${seed})`, async () => {
    const engine = getEngine();
    for (let trial = 0; trial < 4; trial++) {
      const rows = randomSize(1, 300);
      const cols = randomSize(1, 300);
      const x = integers(random, rows * cols);
      const t = tensor(engine, x, [rows, cols]);
      const byRow = sum(t, 1);
      const byColumn = sum(t, 0);
      const expectedRows = Array.from({ length: rows }, (_, r) => x.subarray(r * cols, (r + 1) * cols).reduce((s, v) => s + v, 0));
      const expectedColumns = Array.from({ length: cols }, (_, c) => {
        let s = 0;
        for (let r = 0; r < rows; r++) s += x[r * cols + c];
        return s;
      });
      expect([...(await byRow.data())], `sum over axis 1 of [${rows}, ${cols}]`).toEqual(expectedRows);
      expect([...(await byColumn.data())], `sum over axis 0 of [${rows}, ${cols}]`).toEqual(expectedColumns);
      for (const u of [t, byRow, byColumn]) u.dispose();
    }
  });
});

describe('resources', () => {
  it('10 000 small ops in tidy() keep GPU memory and live tensors flat', async () => {
    const engine = getEngine();
    const a = tensor(engine, [1, 2, 3, 4, 5, 6, 7]);
    const b = tensor(engine, [7, 6, 5, 4, 3, 2, 1]);
    const step = () => tidy(engine, () => void sum(add(a, b)));
    // Warm-up: fill the pool's free lists and the uniform arena, compile the pipelines.
    for (let i = 0; i < 500; i++) step();
    await engine.sync();
    const before = engine.memory();
    const liveBefore = contextOf(engine).live;
    const dispatchesBefore = engine.dispatches;

    for (let i = 0; i < 10_000; i++) step();
    await engine.sync();

    expect(engine.dispatches - dispatchesBefore).toBe(20_000);
    expect(contextOf(engine).live, 'live tensors').toBe(liveBefore);
    const after = engine.memory();
    expect(after.buffers, 'pooled buffers').toBe(before.buffers);
    expect(after.bytesAllocated, 'pooled bytes').toBe(before.bytesAllocated);
    expect(after.bytesInUse, 'bytes in use').toBe(before.bytesInUse);
    expect(after.uniformBytes, 'uniform arena bytes').toBe(before.uniformBytes);
    expect(after.pipelines, 'pipelines').toBe(before.pipelines);
    const check = add(a, b);
    expect([...(await check.data())]).toEqual([8, 8, 8, 8, 8, 8, 8]);
    for (const t of [a, b, check]) t.dispose();
  });

  it('counts the time callers wait for the GPU, in reads and syncs, and only there', async () => {
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(200_000).fill(1));
    const before = engine.gpuWaitMs;
    const queued = tidy(engine, () => sum(add(x, x)));
    // Encoding and queueing work waits for nothing.
    expect(engine.gpuWaitMs).toBe(before);
    expect(await queued.item()).toBe(400_000);
    const afterRead = engine.gpuWaitMs;
    expect(afterRead).toBeGreaterThan(before);
    tidy(engine, () => void sum(add(x, x)));
    await engine.sync();
    expect(engine.gpuWaitMs).toBeGreaterThan(afterRead);
    queued.dispose();
    x.dispose();
  });

  it('counts reads awaited together once: the wait never exceeds the wall time', async () => {
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(200_000).fill(1));
    const results = Array.from({ length: 6 }, () => tidy(engine, () => sum(add(x, x))));
    const before = engine.gpuWaitMs;
    const started = performance.now();
    const values = await Promise.all(results.map((r) => r.item()));
    const wall = performance.now() - started;
    expect(values).toEqual(Array(6).fill(400_000));
    const waited = engine.gpuWaitMs - before;
    expect(waited).toBeGreaterThan(0);
    // Summed per read, six overlapping waits would come to several times the wall time.
    expect(waited).toBeLessThanOrEqual(wall + 1);
    for (const r of results) r.dispose();
    x.dispose();
  });
});

describe('errors name their cause', () => {
  // A compute shader whose error is on line 4: `undefined_value` is not declared.
  const broken = [
    '@group(0) @binding(0) var<storage, read_write> out: array<f32>;',
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>) {',
    '  out[gid.x] = undefined_value;',
    '}',
  ].join('\n');

  it('a WGSL error is a KernelCompileError with the file and line', async () => {
    await withEngine({ shaders: { broken } }, async (engine) => {
      const error = await engine.compile('broken').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelCompileError);
      expect((error as KernelCompileError).file).toBe('shaders/broken.wgsl');
      expect((error as KernelCompileError).line).toBe(4);
      expect((error as Error).message).toMatch(/^shaders\/broken\.wgsl:4: kernel 'broken' failed to compile: .*undefined_value/s);
    });
  });

  it('a WGSL error used without compile() fails the next sync, naming the kernel', async () => {
    await withEngine({ shaders: { broken } }, async (engine) => {
      const out = engine.acquireBuffer(256);
      engine.dispatch(engine.kernel('broken'), { uniforms: new Uint32Array(4), bindings: [out], workgroups: [1] });
      const error = await engine.sync().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelCompileError);
      expect((error as Error).message).toMatch(/^shaders\/broken\.wgsl:4: kernel 'broken'/);
      // The failure is reported once; work after it is not blamed for it.
      const ok = fill(engine, [3], 2);
      expect([...(await ok.data())]).toEqual([2, 2, 2]);
      ok.dispose();
    });
  });

  it('a failed compile() does not poison later work', async () => {
    await withEngine({ shaders: { broken } }, async (engine) => {
      await expect(engine.compile('broken')).rejects.toThrow(KernelCompileError);
      await engine.sync();
      const ok = fill(engine, [3], 1);
      expect([...(await ok.data())]).toEqual([1, 1, 1]);
      ok.dispose();
    });
  });

  it('too many workgroups is a KernelLimitError before anything reaches the GPU', () => {
    const engine = getEngine();
    const max = engine.limits.maxComputeWorkgroupsPerDimension;
    const out = fill(engine, [4], 0);
    const kernel = engine.kernel('fill', { WORKGROUP_SIZE: 64 });
    const launch = () =>
      engine.dispatch(kernel, { uniforms: new Uint32Array(2), bindings: [out.binding], workgroups: [max + 1] });
    expect(launch).toThrow(KernelLimitError);
    expect(launch).toThrow(new RegExp(`kernel 'fill\\{WORKGROUP_SIZE:64\\}'.*maxComputeWorkgroupsPerDimension of ${max}`));
    out.dispose();
  });

  it('a workgroup size override above the adapter limit is a KernelLimitError', async () => {
    await withEngine({}, async (engine) => {
      const size = engine.limits.maxComputeInvocationsPerWorkgroup * 2;
      const out = engine.acquireBuffer(256);
      const launch = () =>
        engine.dispatch(engine.kernel('fill', { WORKGROUP_SIZE: size }), {
          uniforms: new Uint32Array(2),
          bindings: [out],
          workgroups: [1],
        });
      expect(launch).toThrow(KernelLimitError);
      expect(launch).toThrow(new RegExp(`workgroup of ${size} invocations exceeds .*maxComputeInvocationsPerWorkgroup`));
      // Refused before a pipeline was made, so the engine stays healthy.
      await engine.sync();
    });
  });

  it('an adapter that is not there is an AdapterUnavailableError', async () => {
    await expect(Engine.create({ adapter: 'no-such-gpu-vendor' })).rejects.toThrow(AdapterUnavailableError);
    await expect(Engine.create({ adapter: 'no-such-gpu-vendor' })).rejects.toThrow(/no-such-gpu-vendor/);
  });
});

describe('engine lifetime', () => {
  it('after the device is lost, every use throws DeviceLostError', async () => {
    await withEngine({}, async (engine) => {
      const t = fill(engine, [10], 1);
      await t.data();
      engine.device.destroy();
      await engine.device.lost;
      expect(() => fill(engine, [10], 1)).toThrow(DeviceLostError);
      expect(() => fill(engine, [10], 1)).toThrow(/the WebGPU device was lost \(destroyed\)/);
      await expect(t.data()).rejects.toThrow(DeviceLostError);
      await expect(engine.sync()).rejects.toThrow(DeviceLostError);
    });
  });

  it('after dispose(), every use throws EngineDisposedError', async () => {
    const engine = await Engine.create();
    const t = fill(engine, [10], 1);
    const closed = engine.dispose();
    expect(engine.isDisposed).toBe(true);
    expect(() => fill(engine, [10], 1)).toThrow(EngineDisposedError);
    await expect(t.data()).rejects.toThrow(EngineDisposedError);
    await expect(engine.sync()).rejects.toThrow(EngineDisposedError);
    expect(() => engine.kernel('binary', { WORKGROUP_SIZE: 32 })).toThrow(EngineDisposedError);
    // A second dispose is harmless and settles like the first.
    await closed;
    await expect(engine.dispose()).resolves.toBeUndefined();
  });

  it('two engines side by side keep their own tensors and scopes', async () => {
    const first = getEngine();
    await withEngine({}, async (second) => {
      expect(contextOf(second)).not.toBe(contextOf(first));
      const liveFirst = contextOf(first).live;
      const a = tensor(first, [1, 2, 3]);
      let b!: Tensor;
      let c!: Tensor;
      // Each tidy() frees only its own engine's tensors: b and c outlive the other engine's scope.
      tidy(first, () => {
        fill(first, [3], 0);
        b = tensor(second, [10, 20, 30]);
      });
      tidy(second, () => {
        c = tensor(first, [4, 5, 6]);
      });
      expect(b.isDisposed || c.isDisposed).toBe(false);
      expect(contextOf(first).live).toBe(liveFirst + 2);
      expect(contextOf(second).live).toBe(1);
      expect(() => add(a, b)).toThrow(/different engines/);

      second.dispose();
      expect(() => fill(second, [1], 0)).toThrow(EngineDisposedError);
      const total = add(a, c);
      expect([...(await total.data())]).toEqual([5, 7, 9]);
      for (const t of [a, b, c, total]) t.dispose();
      expect(contextOf(first).live).toBe(liveFirst);
    });
  });
});
