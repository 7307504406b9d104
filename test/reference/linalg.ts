/**
 * Float64 linear algebra for the spectral tests: random orthogonal matrices (Gram–Schmidt), matrices with
 * a chosen spectrum, singular values by one-sided Jacobi (Hestenes), and the explicit matrices of
 * zero-padded and periodic convolutions. Written independently of src/analysis (which uses two-sided
 * Jacobi on Gram matrices and the DFT).
 */
import { convReference } from './conv.ts';

/** A standard normal sample from a uniform generator (Box–Muller). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A random n × n orthogonal matrix (row-major): modified Gram–Schmidt, twice, on Gaussian columns. */
export function randomOrthogonal(n: number, random: () => number): Float64Array {
  const q = Float64Array.from({ length: n * n }, () => gaussian(random));
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += q[r * n + i] * q[r * n + j];
        for (let r = 0; r < n; r++) q[r * n + j] -= dot * q[r * n + i];
      }
      let norm = 0;
      for (let r = 0; r < n; r++) norm += q[r * n + j] ** 2;
      for (let r = 0; r < n; r++) q[r * n + j] /= Math.sqrt(norm);
    }
  }
  return q;
}

/** U·diag(σ)·Vᵀ (rows × cols, row-major) for random orthogonal U, V and the given σ (min(rows, cols) of them). */
export function matrixWithSpectrum(rows: number, cols: number, sigmas: number[], random: () => number): Float64Array {
  if (sigmas.length !== Math.min(rows, cols)) throw new Error(`matrixWithSpectrum: ${sigmas.length} singular values for ${rows}×${cols}`);
  const u = randomOrthogonal(rows, random);
  const v = randomOrthogonal(cols, random);
  const a = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      sigmas.forEach((s, k) => (sum += u[r * rows + k] * s * v[c * cols + k]));
      a[r * cols + c] = sum;
    }
  }
  return a;
}

/** Singular values of a rows × cols matrix (row-major), descending: one-sided Jacobi on its columns. */
export function singularValues(matrix: ArrayLike<number>, rows: number, cols: number): number[] {
  // Work on the side with fewer columns: the singular values of A and Aᵀ agree.
  const transpose = cols > rows;
  const [m, n] = transpose ? [cols, rows] : [rows, cols];
  const a = new Float64Array(m * n);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[transpose ? c * n + r : r * n + c] = matrix[r * cols + c];
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let r = 0; r < m; r++) {
          alpha += a[r * n + p] ** 2;
          beta += a[r * n + q] ** 2;
          gamma += a[r * n + p] * a[r * n + q];
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let r = 0; r < m; r++) {
          const x = a[r * n + p];
          const y = a[r * n + q];
          a[r * n + p] = c * x - s * y;
          a[r * n + q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const values: number[] = [];
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let r = 0; r < m; r++) norm += a[r * n + j] ** 2;
    values.push(Math.sqrt(norm));
  }
  return values.sort((x, y) => y - x);
}

/**
 * The matrix of a zero-padded conv2d (cross-correlation, as the engine's) with weights [D, C, K, K] on a
 * C × H × W input: rows index the output (D, OH, OW), columns the input (C, H, W). Built by applying the
 * float64 conv reference to every basis image.
 */
export function zeroPaddedConvMatrix(weights: Float64Array, shape: number[], input: [number, number], stride: number, padding: number): { matrix: Float64Array; rows: number; cols: number } {
  const [, c] = shape;
  const cols = c * input[0] * input[1];
  const basis = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) basis[i * cols + i] = 1;
  const out = convReference({ stride: [stride, stride], padding: [padding, padding], relu: false }).forward([
    { data: basis, shape: [cols, c, input[0], input[1]] },
    { data: weights, shape },
  ]);
  const rows = out.data.length / cols;
  const matrix = new Float64Array(rows * cols);
  for (let i = 0; i < cols; i++) for (let r = 0; r < rows; r++) matrix[r * cols + i] = out.data[i * rows + r];
  return { matrix, rows, cols };
}

/**
 * The matrix of the periodic cross-correlation on an Nh × Nw torus, sampled with `stride`:
 * y[d, u, v] = Σ w[d, c, a, b]·x[c, (s·u + a) mod Nh, (s·v + b) mod Nw].
 */
export function periodicConvMatrix(weights: Float64Array, shape: number[], periods: [number, number], stride: number): { matrix: Float64Array; rows: number; cols: number } {
  const [d, c, kh, kw] = shape;
  const [nh, nw] = periods;
  const [oh, ow] = [nh / stride, nw / stride];
  const rows = d * oh * ow;
  const cols = c * nh * nw;
  const matrix = new Float64Array(rows * cols);
  for (let o = 0; o < d; o++)
    for (let u = 0; u < oh; u++)
      for (let v = 0; v < ow; v++)
        for (let ci = 0; ci < c; ci++)
          for (let a = 0; a < kh; a++)
            for (let b = 0; b < kw; b++) {
              const col = (ci * nh + ((stride * u + a) % nh)) * nw + ((stride * v + b) % nw);
              matrix[((o * oh + u) * ow + v) * cols + col] += weights[((o * c + ci) * kh + a) * kw + b];
            }
  return { matrix, rows, cols };
}
