import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/tensor/ops/index.ts';
import { batchedAxpy, batchedDot, batchedProject, batchedScale, type Bound, type Coefficient } from '../../src/tensor/ops/batchedVector.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { expectClose } from '../helpers/compare.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';
import { dotRef, updateRef, type OperandRef } from '../reference/batchedVector.ts';

const getEngine = useTestEngine();

const BATCHES = [1, 7, 100];
const LENGTHS = [1, 784, 1000];
const U = 2 ** -24;

const f32 = (values: ArrayLike<number>) => Float64Array.from(Float32Array.from(values));

/** Fresh inputs for one (B, n) case, with about half the problems stopped in `mask`. */
function makeCase(rows: number, cols: number) {
  const seed = testSeed();
  const random = rng(seed);
  const running = Array.from({ length: rows }, () => random() < 0.5);
  return {
    seed,
    random,
    x: f32(uniformArray(random, rows * cols)),
    y: f32(uniformArray(random, rows * cols)),
    alpha: f32(uniformArray(random, rows, -2, 2)),
    running,
    mask: running.map((r) => (r ? 1 : 0)),
  };
}

/** Pairwise bound of shaders/batched_dot.wgsl, in units of Σ|x·y|. */
function dotBound(cols: number): number {
  return (8 + 2 * Math.ceil(Math.log2(Math.max(1, Math.ceil(cols / 8)))) + 1) * U;
}

function expectDots(actual: Float32Array, expected: { dot: Float64Array; magnitude: Float64Array }, cols: number, what: string) {
  expect(actual.length, what).toBe(expected.dot.length);
  expected.dot.forEach((d, b) => {
    const error = Math.abs(actual[b] - d);
    expect(error, `${what}: row ${b} is ${actual[b]}, expected ${d}`).toBeLessThanOrEqual(dotBound(cols) * expected.magnitude[b] + 1e-30);
  });
}

/** Upload `data` as [rows, cols], run `op` on it, and return the values afterwards. */
async function runInPlace(data: Float64Array, rows: number, cols: number, op: (t: Tensor) => void): Promise<Float32Array> {
  const t = tensor(getEngine(), data, [rows, cols]);
  op(t);
  const result = await t.data();
  t.dispose();
  return result;
}

describe('batchedDot', () => {
  for (const rows of BATCHES) {
    for (const cols of LENGTHS) {
      it(`B=${rows}, n=${cols}, unmasked and masked`, async () => {
        const engine = getEngine();
        const c = makeCase(rows, cols);
        const x = tensor(engine, c.x, [rows, cols]);
        const y = tensor(engine, c.y, [rows, cols]);
        const expected = dotRef(c.x, c.y, rows, cols);
        const out = batchedDot(x, y);
        expect(out.shape).toEqual([rows]);
        expectDots(await out.data(), expected, cols, `seed ${c.seed}`);

        // Stopped problems hold NaN, which must not be read: their dot is 0.
        const stopped = Float64Array.from(c.x, (v, i) => (c.running[Math.floor(i / cols)] ? v : Number.NaN));
        const xStopped = tensor(engine, stopped, [rows, cols]);
        const mask = tensor(engine, c.mask);
        const masked = batchedDot(xStopped, y, { mask });
        const maskedExpected = {
          dot: expected.dot.map((d, b) => (c.running[b] ? d : 0)),
          magnitude: expected.magnitude.map((m, b) => (c.running[b] ? m : 0)),
        };
        expectDots(await masked.data(), maskedExpected, cols, `masked, seed ${c.seed}`);
        for (const t of [x, y, out, xStopped, mask, masked]) t.dispose();
      });
    }
  }

  it('pairwise summation stays within its bound where a running f32 sum does not', async () => {
    // 2²⁰ products of 0.1: a running f32 sum loses ~1e-2 relative once it passes 2¹⁶.
    const cols = 2 ** 20;
    const x = new Float32Array(cols).fill(1);
    const y = new Float32Array(cols).fill(0.1);
    const expected = dotRef(x, y, 1, cols);
    let running = 0;
    for (let j = 0; j < cols; j++) running = Math.fround(running + y[j]);
    expect(Math.abs(running - expected.dot[0])).toBeGreaterThan(dotBound(cols) * expected.magnitude[0]);

    const engine = getEngine();
    const xs = tensor(engine, x, [1, cols]);
    const ys = tensor(engine, y, [1, cols]);
    const out = batchedDot(xs, ys);
    expectDots(await out.data(), expected, cols, 'n = 2^20');
    for (const t of [xs, ys, out]) t.dispose();
  });
});

describe('batchedAxpy and batchedScale', () => {
  // y + α·x rounds at most twice, |y| ≤ 1 and |α·x| ≤ 2, so the error is below 2⁻²¹ absolute; α·x rounds
  // once (α·1 and α·(−1) are exact in the kernel).
  const axpyTolerance = { rtol: 0, atol: 2 ** -21 };
  const scaleTolerance = { rtol: 2 ** -23, atol: 0 };
  for (const rows of BATCHES) {
    for (const cols of LENGTHS) {
      it(`B=${rows}, n=${cols}: scalar, per-problem, negated and masked coefficients`, async () => {
        const engine = getEngine();
        const c = makeCase(rows, cols);
        const alpha = tensor(engine, c.alpha);
        const alphaColumn = alpha.reshape([rows, 1]);
        const mask = tensor(engine, c.mask);
        const all = () => true;
        const perProblem: OperandRef = (b) => c.alpha[b];
        const variants: { name: string; coefficient: Coefficient; a: OperandRef; mask?: Tensor }[] = [
          { name: 'scalar', coefficient: 0.75, a: () => 0.75 },
          { name: 'per problem [B]', coefficient: alpha, a: perProblem },
          { name: 'per problem [B, 1]', coefficient: alphaColumn, a: perProblem },
          { name: 'negated', coefficient: { values: alpha, times: -1 }, a: (b) => -c.alpha[b] },
          { name: 'masked', coefficient: alpha, a: perProblem, mask },
        ];
        for (const v of variants) {
          const running = v.mask ? (b: number) => c.running[b] : all;
          const what = `${v.name}, seed ${c.seed}`;
          const x = tensor(engine, c.x, [rows, cols]);
          const afterAxpy = await runInPlace(c.y, rows, cols, (y) => batchedAxpy(v.coefficient, x, y, { mask: v.mask }));
          const expectedAxpy = updateRef(c.y, rows, cols, running, (b, j, value) => value + v.a(b, j) * c.x[b * cols + j]);
          expectClose(afterAxpy, expectedAxpy, axpyTolerance, `axpy ${what}`);
          x.dispose();

          const afterScale = await runInPlace(c.y, rows, cols, (y) => batchedScale(v.coefficient, y, { mask: v.mask }));
          const expectedScale = updateRef(c.y, rows, cols, running, (b, j, value) => v.a(b, j) * value);
          expectClose(afterScale, expectedScale, scaleTolerance, `scale ${what}`);
        }
        for (const t of [alpha, alphaColumn, mask]) t.dispose();
      });
    }
  }

  it('folds the grid past 65535 workgroups (B·n = 64·65537)', async () => {
    const rows = 64;
    const cols = 65537;
    const c = makeCase(rows, cols);
    const x = tensor(getEngine(), c.x, [rows, cols]);
    const after = await runInPlace(c.y, rows, cols, (y) => batchedAxpy(-0.5, x, y));
    expectClose(after, updateRef(c.y, rows, cols, () => true, (b, j, v) => v - 0.5 * c.x[b * cols + j]), axpyTolerance, `seed ${c.seed}`);
    x.dispose();
  });
});

describe('batchedProject', () => {
  for (const rows of BATCHES) {
    for (const cols of LENGTHS) {
      it(`B=${rows}, n=${cols}: scalar, [n], [B, n], mixed and masked bounds`, async () => {
        const engine = getEngine();
        const c = makeCase(rows, cols);
        // Points spread over [−2, 2] so every bound is active somewhere.
        const point = f32(uniformArray(c.random, rows * cols, -2, 2));
        const lowerRow = f32(uniformArray(c.random, cols, -1, 0));
        const lowerAll = f32(uniformArray(c.random, rows * cols, -1, 0));
        const upperAll = f32(uniformArray(c.random, rows * cols, 0, 1));
        const lowerRowT = tensor(engine, lowerRow, [cols]);
        const lowerAllT = tensor(engine, lowerAll, [rows, cols]);
        const upperAllT = tensor(engine, upperAll, [rows, cols]);
        const mask = tensor(engine, c.mask);
        const variants: { name: string; lower: Bound; upper: Bound; lo: OperandRef; hi: OperandRef; mask?: Tensor }[] = [
          { name: 'scalars', lower: -0.5, upper: 0.25, lo: () => -0.5, hi: () => 0.25 },
          { name: 'unbounded below', lower: -Infinity, upper: 0.25, lo: () => -Infinity, hi: () => 0.25 },
          { name: '[n] and [B, n]', lower: lowerRowT, upper: upperAllT, lo: (_, j) => lowerRow[j], hi: (b, j) => upperAll[b * cols + j] },
          { name: '[B, n] and scalar', lower: lowerAllT, upper: 0.5, lo: (b, j) => lowerAll[b * cols + j], hi: () => 0.5 },
          { name: 'masked', lower: lowerAllT, upper: upperAllT, lo: (b, j) => lowerAll[b * cols + j], hi: (b, j) => upperAll[b * cols + j], mask },
        ];
        for (const v of variants) {
          const running = v.mask ? (b: number) => c.running[b] : () => true;
          const after = await runInPlace(point, rows, cols, (x) => batchedProject(x, v.lower, v.upper, { mask: v.mask }));
          const expected = updateRef(point, rows, cols, running, (b, j, value) => Math.min(Math.max(value, v.lo(b, j)), v.hi(b, j)));
          // Projection only selects among f32 values, so it is exact.
          expectClose(after, expected, { rtol: 0, atol: 0 }, `${v.name}, seed ${c.seed}`);
        }
        for (const t of [lowerRowT, lowerAllT, upperAllT, mask]) t.dispose();
      });
    }
  }
});

describe('argument checks', () => {
  it('reject mismatched shapes, wrong-sized masks, coefficients and bounds, and aliasing', () => {
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(12), [3, 4]);
    const y = tensor(engine, new Float32Array(12), [4, 3]);
    const two = tensor(engine, [1, 1]);
    expect(() => batchedDot(x, y)).toThrow(/shapes/);
    expect(() => batchedDot(x, x, { mask: two })).toThrow(/mask/);
    expect(() => batchedScale(two, x)).toThrow(/coefficient/);
    expect(() => batchedProject(x, two, 1)).toThrow(/lower bound/);
    expect(() => batchedProject(x, 1, 0)).toThrow(/empty box/);
    expect(() => batchedAxpy(1, x, x)).toThrow(/shares its buffer/);
    for (const t of [x, y, two]) t.dispose();
  });
});
