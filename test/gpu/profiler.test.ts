/**
 * The engine's profiling mode (src/gpu/profiler.ts): every dispatch of a known op sequence is recorded, in
 * order, with its kernel, variant, shapes, the FLOPs of the op's formula and a GPU time from timestamp
 * queries; the sums per kernel add up; profiled work computes what unprofiled work computes.
 */
import { describe, expect, it } from 'vitest';
import { add, conv2d, matmul, sum, tensor } from '../../src/tensor/ops/index.ts';
import { describeTimestamps, summarizeKernels, type DispatchRecord } from '../../src/gpu/profiler.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';

// A small batch size, so that the sequence below spans several submits (and query-set reuses).
const getEngine = useTestEngine({ dispatchesPerSubmit: 4 });

function inputs(seed: number) {
  const random = rng(seed);
  const engine = getEngine();
  return {
    a: tensor(engine, uniformArray(random, 37 * 50), [37, 50]),
    b: tensor(engine, uniformArray(random, 50 * 29), [50, 29]),
    bias: tensor(engine, uniformArray(random, 29), [29]),
    x: tensor(engine, uniformArray(random, 3 * 2 * 9 * 11), [3, 2, 9, 11]),
    w: tensor(engine, uniformArray(random, 5 * 2 * 3 * 4), [5, 2, 3, 4]),
  };
}

describe('engine profiles', () => {
  it('record every dispatch of an op sequence with its kernel, variant, FLOPs and a positive GPU time', async () => {
    const seed = testSeed();
    const engine = getEngine();
    const t = inputs(seed);
    const before = engine.dispatches;
    const { result, profile } = await engine.profile(() => {
      const product = matmul(t.a, t.b, { bias: t.bias, activation: 'sigmoid', variant: 'blocked' });
      const convolved = conv2d(t.x, t.w, { padding: [1, 2], stride: [2, 1], variant: 'blocked' });
      const doubled = add(product, product);
      return [product, convolved, doubled, sum(doubled)];
    });
    const dispatched = engine.dispatches - before;
    const context = `seed=${seed}`;
    expect(profile.dispatches.length, context).toBe(dispatched);
    expect(profile.dispatches.map((d) => d.kernel), context).toEqual(['matmul_blocked', 'conv2d', 'binary', 'reduce']);
    const [mm, conv] = profile.dispatches;
    // 37×50 · 50×29 plus the bias; the conv output is ⌊(9 + 2 − 3)/2⌋ + 1 = 5 by 11 + 4 − 4 + 1 = 12.
    expect(mm.flops).toBe(2 * 37 * 50 * 29 + 37 * 29);
    expect(mm.bytes).toBe(4 * (37 * 50 + 50 * 29 + 37 * 29 + 29));
    expect(mm.shape).toBe('A[37×50] · B[50×29] + bias, sigmoid');
    expect(mm.variant).toBe('TRANSPOSE_A:0,TRANSPOSE_B:0,VEC_A:0,VEC_B:0,WG_X:8,WG_Y:8');
    expect(conv.flops).toBe(2 * 3 * 5 * 5 * 12 * 2 * 3 * 4);
    // Ops that declare no cost are charged the bytes of their bindings, and no FLOPs.
    expect(profile.dispatches[2].flops).toBeUndefined();
    expect(profile.dispatches[2].bytes).toBeGreaterThanOrEqual(3 * 4 * 37 * 29);
    expect(profile.timestamps.available, 'Dawn on SwiftShader offers timestamp-query').toBe(true);
    expect(profile.timestamps.quantumNs, 'Dawn in Node runs with timestamp_quantization off').toBeNull();
    for (const d of profile.dispatches) expect(d.gpuNs, `${d.kernel} ${context}`).toBeGreaterThan(0);
    const total = profile.dispatches.reduce((s, d) => s + d.gpuNs!, 0) / 1e6;
    expect(profile.gpuMs).toBeCloseTo(total, 9);
    expect(profile.busyShare).toBeCloseTo(total / profile.wallMs, 9);
    expect(profile.busyShare).toBeGreaterThan(0);
    expect(profile.busyShare).toBeLessThanOrEqual(1);
    for (const tensors of [result, Object.values(t)]) for (const x of tensors) x.dispose();
  });

  it('compute exactly what unprofiled work computes', async () => {
    const seed = testSeed();
    const engine = getEngine();
    const t = inputs(seed);
    const run = () => [matmul(t.a, t.b, { variant: 'blocked' }), conv2d(t.x, t.w, { variant: 'blocked' })];
    const plain = run();
    const { result: profiled } = await engine.profile(run);
    for (let i = 0; i < plain.length; i++) {
      expect([...(await profiled[i].data())], `output ${i} seed=${seed}`).toEqual([...(await plain[i].data())]);
    }
    for (const x of [...plain, ...profiled, ...Object.values(t)]) x.dispose();
  });

  it('add up per kernel and variant, longest first, over many submits', async () => {
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(1000).fill(1), [1000]);
    const { result, profile } = await engine.profile(() => {
      const outputs = [];
      for (let i = 0; i < 25; i++) outputs.push(add(x, x));
      outputs.push(matmul(x.reshape([10, 100]), x.reshape([100, 10]), { variant: 'blocked' }));
      return outputs;
    });
    expect(profile.dispatches).toHaveLength(26);
    for (const d of profile.dispatches) expect(d.gpuNs).toBeGreaterThan(0);
    const binary = profile.kernels.find((k) => k.kernel === 'binary')!;
    expect(binary.dispatches).toBe(25);
    expect(binary.flops).toBeUndefined();
    const summedMs = profile.dispatches.filter((d) => d.kernel === 'binary').reduce((s, d) => s + d.gpuNs!, 0) / 1e6;
    expect(binary.gpuMs).toBeCloseTo(summedMs, 9);
    expect(profile.kernels.reduce((s, k) => s + k.share!, 0)).toBeCloseTo(1, 9);
    const times = profile.kernels.map((k) => k.gpuMs!);
    expect(times).toEqual([...times].sort((p, q) => q - p));
    const mm = profile.kernels.find((k) => k.kernel === 'matmul_blocked')!;
    expect(mm.gflops).toBeCloseTo(mm.flops! / (mm.gpuMs! * 1e6), 9);
    expect(engine.profiling).toBe(false);
    for (const t of [...result, x]) t.dispose();
  });

  it('sum records by hand-checkable rules', () => {
    const record = (kernel: string, variant: string, gpuNs: number | null, flops?: number, shape?: string): DispatchRecord => ({
      kernel,
      variant,
      gpuNs,
      flops,
      shape,
      bytes: 100,
      workgroups: [1, 1, 1],
    });
    const kernels = summarizeKernels(
      [record('k', 'A:1', 2e6, 10, 's1'), record('k', 'A:2', 1e6, 4), record('k', 'A:1', 6e6, 30, 's2'), record('j', '', 1e6)],
      10,
    );
    expect(kernels.map((k) => [k.kernel, k.variant, k.dispatches, k.gpuMs, k.share, k.flops, k.shapes])).toEqual([
      ['k', 'A:1', 2, 8, 0.8, 40, ['s1', 's2']],
      ['k', 'A:2', 1, 1, 0.1, 4, []],
      ['j', '', 1, 1, 0.1, undefined, []],
    ]);
    expect(kernels[0].gflops).toBeCloseTo(40 / 8e6, 15);
    expect(kernels[0].gigabytesPerSecond).toBeCloseTo(200 / 8e6, 15);
    const untimed = summarizeKernels([record('k', '', null, 5)], null);
    expect(untimed[0]).toMatchObject({ gpuMs: null, share: null, flops: 5 });
    expect(untimed[0].gflops).toBeUndefined();
  });

  it('say when timestamps were rounded, and when there are too few to tell', () => {
    expect(describeTimestamps(true, 100_000n, 12, 'browser')).toMatchObject({ quantumNs: 100_000, note: expect.stringContaining('rounded to multiples of 100 µs (Chrome') });
    expect(describeTimestamps(true, 65_536n, 4, 'node')).toMatchObject({ quantumNs: 65_536, note: expect.stringContaining('65.536 µs') });
    expect(describeTimestamps(true, 1n, 40, 'node')).toMatchObject({ available: true, quantumNs: null, note: expect.stringContaining('full resolution') });
    expect(describeTimestamps(true, 100_000n, 2, 'browser').note).toContain('too few (2)');
    expect(describeTimestamps(false, 0n, 0, 'node')).toMatchObject({ available: false, quantumNs: null });
  });

  it('refuse to open twice or close what is not open, and leave no tensors behind', async () => {
    const engine = getEngine();
    await expect(engine.stopProfile()).rejects.toThrow('stopProfile: no profile is open');
    const before = engine.memory().bytesInUse;
    engine.startProfile();
    expect(() => engine.startProfile()).toThrow('startProfile: a profile is already open');
    const profile = await engine.stopProfile();
    expect(profile.dispatches).toEqual([]);
    expect(profile.gpuMs).toBe(0);
    await expect(engine.profile(() => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    expect(engine.profiling).toBe(false);
    expect(engine.memory().bytesInUse).toBe(before);
  });
});
