/**
 * The two conv norms and how they must agree:
 * - on a torus (the paper's boundary assumption) the DFT formula *is* the operator norm: it equals a float64
 *   SVD of the periodic operator's matrix, and power iteration with the engine's conv on wrapped inputs;
 * - for the zero-padded convolutions our models use, power iteration gives the exact norm (checked against
 *   a float64 SVD), the DFT on the torus of dftPeriods bounds it from above, and the tiling argument of
 *   docs/spectral.md bounds it from below by (1 − 1/q)·DFT on a torus of period M tiled q times.
 */
import { describe, expect, it } from 'vitest';
import { convDftNorm, dftPeriods, type Pair } from '../../src/analysis/convDft.ts';
import { operatorNorm } from '../../src/analysis/powerIteration.ts';
import { largestHermitianEigenvalue, symmetricEigenvalues } from '../../src/analysis/symmetricEigen.ts';
import { conv2d } from '../../src/tensor/ops/conv.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';
import { periodicConvMatrix, randomOrthogonal, singularValues, zeroPaddedConvMatrix } from '../reference/linalg.ts';

const getEngine = useTestEngine();

/** Random f32-representable weights, so the GPU and the float64 references see the same numbers. */
function randomKernel(random: () => number, shape: number[]): Float64Array {
  return Float64Array.from(Float32Array.from(uniformArray(random, shape.reduce((p, d) => p * d, 1))));
}

describe('symmetric and Hermitian eigenvalues (Jacobi)', () => {
  it('recovers known spectra, repeated and negative eigenvalues included', () => {
    const seed = testSeed();
    const random = rng(seed);
    for (const lambdas of [[2.5], [3, -1], [4, 4, 1, 0, -2, -2, 0.5], Array.from({ length: 20 }, () => 10 * random() - 5)]) {
      const n = lambdas.length;
      const q = randomOrthogonal(n, random);
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * lambdas[k] * q[j * n + k];
      const found = symmetricEigenvalues(a, n);
      const expected = [...lambdas].sort((x, y) => y - x);
      found.forEach((v, i) => expect(v, `seed=${seed} n=${n}`).toBeCloseTo(expected[i], 10));
    }
    expect(() => symmetricEigenvalues([1, 2, 3], 2)).toThrow(/2×2/);
    expect(() => symmetricEigenvalues([1, NaN, NaN, 1], 2)).toThrow(/non-finite/);
  });

  it('finds the top eigenvalue of a Hermitian matrix: [[a, b + ic], [b − ic, d]]', () => {
    const [a, b, c, d] = [1.5, -0.7, 2.2, -0.4];
    const top = (a + d) / 2 + Math.sqrt(((a - d) / 2) ** 2 + b * b + c * c);
    expect(largestHermitianEigenvalue([a, b, b, d], [0, c, -c, 0], 2)).toBeCloseTo(top, 12);
    expect(largestHermitianEigenvalue([3], [0], 1)).toBe(3);
  });
});

describe('dftPeriods', () => {
  it('pads to the input size for a valid stride-1 convolution, and enough beyond it otherwise', () => {
    const periods = (input: Pair, kernel: Pair, stride: Pair, padding: Pair) => dftPeriods({ input, kernel, stride, padding });
    expect(periods([28, 28], [5, 5], [1, 1], [0, 0])).toEqual([28, 28]);
    expect(periods([12, 12], [5, 5], [1, 1], [0, 0])).toEqual([12, 12]);
    // 'same' padding: N ≥ H + p; stride 2: a multiple of 2 with the outputs distinct.
    expect(periods([10, 10], [3, 3], [1, 1], [1, 1])).toEqual([11, 11]);
    expect(periods([7, 9], [3, 3], [2, 2], [1, 1])).toEqual([8, 10]);
    // A 'full' convolution (padding K − 1): 7 outputs per row, all distinct on a 7-torus.
    expect(periods([5, 5], [3, 3], [1, 1], [2, 2])).toEqual([7, 7]);
    expect(() => periods([4, 4], [7, 7], [1, 1], [1, 1])).toThrow(/larger than the padded input/);
    expect(() => periods([4, 4], [3, 3], [0, 1], [0, 0])).toThrow(/stride/);
  });
});

describe('convDftNorm (the paper\'s formula)', () => {
  it('gives the known norms of simple kernels', () => {
    // The identity (a 1×1 delta, per channel): norm 1 on any torus.
    expect(convDftNorm([1], [1, 1, 1, 1], [1, 1], [5, 7]).value).toBeCloseTo(1, 14);
    expect(convDftNorm([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3, 1, 1], [1, 1], [4, 4]).value).toBeCloseTo(1, 14);
    // A 2×2 box sum with stride 2 adds disjoint windows of 4 pixels: 2 × a co-isometry, norm 2 at every η.
    expect(convDftNorm([1, 1, 1, 1], [1, 1, 2, 2], [2, 2], [6, 6]).value).toBeCloseTo(2, 14);
    // A horizontal difference [1, −1]: |1 − e^{−iω}| peaks at 2 for ω = π (even period), 2cos(π/2N) otherwise.
    const difference = convDftNorm([1, -1], [1, 1, 1, 2], [1, 1], [1, 6]);
    expect(difference.value).toBeCloseTo(2, 14);
    expect(difference.worstFrequency).toEqual([0, 3]);
    expect(convDftNorm([1, -1], [1, 1, 1, 2], [1, 1], [3, 7]).value).toBeCloseTo(2 * Math.cos(Math.PI / 14), 14);
  });

  it('equals a float64 SVD of the periodic convolution, stride 1 and 2, either Gram side', () => {
    const seed = testSeed();
    const random = rng(seed);
    const cases: { shape: number[]; stride: number; periods: Pair }[] = [
      { shape: [3, 2, 3, 3], stride: 1, periods: [6, 5] },
      { shape: [2, 3, 3, 3], stride: 2, periods: [6, 8] },
      { shape: [4, 1, 2, 2], stride: 2, periods: [8, 4] },
      { shape: [1, 5, 3, 3], stride: 2, periods: [4, 4] },
      { shape: [5, 2, 3, 3], stride: 1, periods: [5, 5] },
      { shape: [2, 2, 5, 5], stride: 1, periods: [4, 4] },
    ];
    for (const c of cases) {
      const weights = randomKernel(random, c.shape);
      const { matrix, rows, cols } = periodicConvMatrix(weights, c.shape, c.periods, c.stride);
      const expected = singularValues(matrix, rows, cols)[0];
      const found = convDftNorm(weights, c.shape, [c.stride, c.stride], c.periods).value;
      expect(Math.abs(found - expected) / expected, `seed=${seed} ${JSON.stringify(c)}: DFT ${found}, SVD ${expected}`).toBeLessThan(1e-10);
    }
  });

  it('rejects what it cannot use', () => {
    expect(() => convDftNorm([1, 2], [1, 1, 1, 1], [1, 1], [4, 4])).toThrow(/2 weights/);
    expect(() => convDftNorm([1], [1, 1, 1], [1, 1], [4, 4])).toThrow(/OIHW/);
    expect(() => convDftNorm([1], [1, 1, 1, 1], [2, 2], [5, 4])).toThrow(/multiples of the stride/);
    expect(() => convDftNorm([Infinity], [1, 1, 1, 1], [1, 1], [4, 4])).toThrow(/not finite/);
  });
});

/**
 * The tiling lower bound: with the top singular vector of the M-periodic operator tiled q × q times
 * inside the image (offset s = −padding mod stride, M ≥ K − 1, M a multiple of the stride),
 * ‖A_H‖ ≥ √((q_h − 1)(q_w − 1)/(q_h·q_w)) · DFT(M). The best over admissible M.
 */
function tilingLowerBound(weights: Float64Array, shape: number[], input: Pair, stride: number, padding: number): number {
  const kernel = shape[2];
  const offset = (((-padding) % stride) + stride) % stride;
  let best = 0;
  for (let m = stride * Math.ceil(Math.max(kernel - 1, 1) / stride); m <= input[0] - offset; m += stride) {
    const q = input.map((h) => Math.floor((h - offset) / m));
    if (q.some((v) => v < 2)) continue;
    const factor = Math.sqrt(((q[0] - 1) * (q[1] - 1)) / (q[0] * q[1]));
    best = Math.max(best, factor * convDftNorm(weights, shape, [stride, stride], [m, m]).value);
  }
  return best;
}

describe('the two conv norms agree', () => {
  it('zero-padded convs: power iteration gives the float64 SVD norm, inside the DFT bracket (stride 1 and 2, padding 0–2)', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    const cases: { shape: number[]; input: Pair; stride: number; padding: number }[] = [
      { shape: [3, 2, 3, 3], input: [8, 8], stride: 1, padding: 0 },
      { shape: [4, 2, 3, 3], input: [9, 9], stride: 2, padding: 1 },
      { shape: [2, 1, 3, 3], input: [7, 7], stride: 1, padding: 2 },
      { shape: [3, 3, 2, 2], input: [10, 10], stride: 2, padding: 0 },
      { shape: [5, 1, 5, 5], input: [12, 12], stride: 1, padding: 0 },
    ];
    for (const c of cases) {
      const context = `seed=${seed} ${JSON.stringify(c)}`;
      const weights = randomKernel(random, c.shape);
      const { matrix, rows, cols } = zeroPaddedConvMatrix(weights, c.shape, c.input, c.stride, c.padding);
      const exact = singularValues(matrix, rows, cols)[0];
      const w = tensor(engine, weights, c.shape);
      const power = await operatorNorm(
        { name: context, engine, inputShape: [c.shape[1], ...c.input], apply: (x) => conv2d(x, w, { stride: c.stride, padding: c.padding }) },
        { seed },
      );
      w.dispose();
      expect(power.estimate, `${context}: estimate ≤ exact`).toBeLessThanOrEqual(exact * (1 + 1e-5));
      expect(power.upperBound, `${context}: certified ≥ exact`).toBeGreaterThanOrEqual(exact);
      expect(power.estimate, `${context}: estimate within the margin`).toBeGreaterThanOrEqual(exact * Math.sqrt(1 - power.certifiedMargin) * (1 - 1e-5));
      const kernel: Pair = [c.shape[2], c.shape[3]];
      const periods = dftPeriods({ input: c.input, kernel, stride: [c.stride, c.stride], padding: [c.padding, c.padding] });
      const dft = convDftNorm(weights, c.shape, [c.stride, c.stride], periods).value;
      expect(dft, `${context}: the DFT bounds the exact norm from above`).toBeGreaterThanOrEqual(exact * (1 - 1e-12));
      const lower = tilingLowerBound(weights, c.shape, c.input, c.stride, c.padding);
      expect(lower, `${context}: tiling bound`).toBeGreaterThan(0);
      expect(lower, `${context}: the tiled DFT bounds it from below`).toBeLessThanOrEqual(exact * (1 + 1e-12));
    }
  });

  it('periodic convs: power iteration with the engine\'s conv on wrapped inputs equals the DFT formula', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const random = rng(seed);
    for (const c of [{ shape: [3, 2, 3, 3], n: 6, stride: 1 }, { shape: [4, 3, 3, 3], n: 8, stride: 2 }, { shape: [2, 2, 4, 4], n: 4, stride: 2 }]) {
      const context = `seed=${seed} ${JSON.stringify(c)}`;
      const [, channels, k] = c.shape;
      const weights = randomKernel(random, c.shape);
      // wrap: [·, n²] · E = the n × n image extended periodically to (n + k − 1)², a 0/1 matmul.
      const wide = c.n + k - 1;
      const wrapMatrix = new Float32Array(c.n * c.n * wide * wide);
      for (let r = 0; r < wide; r++) for (let s = 0; s < wide; s++) wrapMatrix[((r % c.n) * c.n + (s % c.n)) * wide * wide + r * wide + s] = 1;
      const wrap = tensor(engine, wrapMatrix, [c.n * c.n, wide * wide]);
      const w = tensor(engine, weights, c.shape);
      const power = await operatorNorm(
        {
          name: context,
          engine,
          inputShape: [channels, c.n, c.n],
          apply: (x) => {
            const batch = x.shape[0];
            const extended = matmul(x.reshape([batch * channels, c.n * c.n]), wrap).reshape([batch, channels, wide, wide]);
            return conv2d(extended, w, { stride: c.stride });
          },
        },
        { seed },
      );
      wrap.dispose();
      w.dispose();
      const dft = convDftNorm(weights, c.shape, [c.stride, c.stride], [c.n, c.n]).value;
      expect(power.estimate, `${context}: power ${power.estimate}, DFT ${dft}`).toBeLessThanOrEqual(dft * (1 + 1e-5));
      expect(power.estimate, `${context}: power ${power.estimate}, DFT ${dft}`).toBeGreaterThanOrEqual(dft * Math.sqrt(1 - power.certifiedMargin) * (1 - 1e-5));
      expect(power.upperBound, context).toBeGreaterThanOrEqual(dft);
    }
  });
});
