import { describe, expect, it } from 'vitest';
import { certifiedMargin } from '../../src/analysis/powerCertificate.ts';
import { FLOAT32_ALLOWANCE, operatorNorm, type LinearOperator } from '../../src/analysis/powerIteration.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';
import { matrixWithSpectrum, singularValues } from '../reference/linalg.ts';

const getEngine = useTestEngine();

/** x ↦ x·W for W [rows, cols] (a dense layer's operator: ‖·‖ = σ_max(W)). */
function denseOperator(weights: Float64Array, rows: number, cols: number): { operator: LinearOperator; dispose: () => void } {
  const engine = getEngine();
  const w = tensor(engine, weights, [rows, cols]);
  return { operator: { name: `dense ${rows}×${cols}`, engine, inputShape: [rows], apply: (x) => matmul(x, w) }, dispose: () => w.dispose() };
}

/** Every promise of operatorNorm against the true σ₁: estimate ≤ σ₁ ≤ upperBound, and the certified margin. */
function expectCertified(result: Awaited<ReturnType<typeof operatorNorm>>, sigma: number, context: string): void {
  // f32 weights move σ₁ by ~1e-7 relative; the products accumulate ≤ a few hundred terms.
  expect(result.estimate, `${context}: estimate`).toBeLessThanOrEqual(sigma * (1 + 1e-5));
  expect(result.upperBound, `${context}: certified bound`).toBeGreaterThanOrEqual(sigma);
  // With probability ≥ 1 − δ the estimate is within the certificate's margin of σ₁ …
  expect(result.estimate, `${context}: estimate within the margin`).toBeGreaterThanOrEqual(sigma * Math.sqrt(1 - result.certifiedMargin) * (1 - 1e-5));
  // … and the bound is the estimate widened by exactly that margin and the float32 allowance.
  expect(result.upperBound).toBeCloseTo((result.estimate / Math.sqrt(1 - result.certifiedMargin)) * (1 + FLOAT32_ALLOWANCE), 10);
  expect(result.certifiedMargin).toBe(certifiedMargin({ dimension: result.dimension, starts: result.starts, failureProbability: result.failureProbability }, result.passes - 1));
}

describe('operatorNorm (power iteration on the GPU)', () => {
  it('finds σ₁ of matrices with known spectra, certified from above', async () => {
    const seed = testSeed();
    const random = rng(seed);
    const cases: { rows: number; cols: number; sigmas: number[]; gap: boolean }[] = [
      // A clear gap: the estimate converges to σ₁ itself.
      { rows: 37, cols: 23, sigmas: Array.from({ length: 23 }, (_, i) => (i === 0 ? 3 : 2 * (1 - i / 23) + 0.05)), gap: true },
      // σ₁ and σ₂ 0.1% apart: no gap to speak of, the certificate must still hold.
      { rows: 64, cols: 50, sigmas: Array.from({ length: 50 }, (_, i) => (i === 0 ? 1 : i === 1 ? 0.999 : 0.9 * random())), gap: false },
      // Size-1 dimensions: one input (a 1-D operator, one pass suffices) and one output.
      { rows: 1, cols: 9, sigmas: [2.5], gap: true },
      { rows: 13, cols: 1, sigmas: [0.7], gap: true },
    ];
    for (const c of cases) {
      const context = `seed=${seed} ${c.rows}×${c.cols}`;
      const weights = matrixWithSpectrum(c.rows, c.cols, c.sigmas, random);
      // The reference SVD agrees with the spectrum built in.
      expect(singularValues(weights, c.rows, c.cols)[0], context).toBeCloseTo(c.sigmas[0], 10);
      const sigma = singularValues(Float32Array.from(weights), c.rows, c.cols)[0];
      const { operator, dispose } = denseOperator(weights, c.rows, c.cols);
      const result = await operatorNorm(operator, { seed });
      dispose();
      expectCertified(result, sigma, context);
      expect(result.dimension).toBe(c.rows);
      if (c.rows === 1) expect(result.passes).toBe(1);
      if (c.gap) expect(result.estimate / sigma, context).toBeGreaterThan(1 - 1e-5);
    }
  });

  it('runs exactly the passes asked for and says what margin they certify', async () => {
    const seed = testSeed();
    const random = rng(seed);
    const weights = matrixWithSpectrum(20, 30, Array.from({ length: 20 }, (_, i) => 1 / (i + 1)), random);
    const { operator, dispose } = denseOperator(weights, 20, 30);
    const progress: number[] = [];
    const few = await operatorNorm(operator, { passes: 5, starts: 3, seed, onProgress: (done, total) => progress.push(done / total) });
    const many = await operatorNorm(operator, { margin: 0.004, failureProbability: 1e-8, starts: 2, seed });
    dispose();
    expect(few.passes).toBe(5);
    expect(progress).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    expect(few.certifiedMargin).toBeGreaterThan(many.certifiedMargin);
    expect(many.certifiedMargin).toBeLessThanOrEqual(1 - 1 / 1.004 ** 2);
    for (const r of [few, many]) expectCertified(r, singularValues(Float32Array.from(weights), 20, 30)[0], `seed=${seed}`);
  });

  it('gives 0 for the zero operator and keeps GPU memory flat', async () => {
    const engine = getEngine();
    const { operator, dispose } = denseOperator(new Float64Array(6 * 4), 6, 4);
    const liveBefore = contextOf(engine).live;
    await operatorNorm(operator, { passes: 3 });
    const inUse = engine.memory().bytesInUse;
    const zero = await operatorNorm(operator, { passes: 40 });
    expect(engine.memory().bytesInUse).toBe(inUse);
    expect(contextOf(engine).live).toBe(liveBefore);
    dispose();
    expect(zero.estimate).toBe(0);
    expect(zero.upperBound).toBe(0);
  });

  it('rejects bad options before any work', async () => {
    const { operator, dispose } = denseOperator(new Float64Array(4), 2, 2);
    await expect(operatorNorm(operator, { starts: 0 })).rejects.toThrow(/starts/);
    await expect(operatorNorm(operator, { margin: -1 })).rejects.toThrow(/margin/);
    await expect(operatorNorm(operator, { failureProbability: 2 })).rejects.toThrow(/failureProbability/);
    await expect(operatorNorm(operator, { passes: 1.5 })).rejects.toThrow(/passes/);
    await expect(operatorNorm({ ...operator, inputShape: [0] })).rejects.toThrow(/input shape/);
    dispose();
  });
});
