/**
 * Eigenvalues of small symmetric and Hermitian matrices in float64, by the cyclic Jacobi method: plane
 * rotations zero one off-diagonal pair at a time, sweeping all pairs until the off-diagonal part is
 * negligible (it converges quadratically once small). Used for the per-frequency matrices of the DFT
 * bound on convolutions, which are at most a few dozen rows.
 */

/** Sweeps at most; real inputs converge in well under 20. */
const MAX_SWEEPS = 60;

/**
 * Every eigenvalue of the real symmetric n × n matrix `matrix` (row-major; only symmetry is assumed, the
 * input is not modified), in descending order.
 */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): number[] {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) {
    throw new Error(`symmetricEigenvalues: expected a ${n}×${n} matrix, got ${matrix.length} values`);
  }
  const a = Float64Array.from(matrix);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new Error(`symmetricEigenvalues: non-finite entry at ${i}`);
  let total = 0;
  for (const v of a) total += v * v;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off <= 1e-32 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // The rotation angle that zeroes a[p][q]: t = tan φ, the smaller root of t² + 2θt − 1 = 0.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        a[p * n + p] -= t * apq;
        a[q * n + q] += t * apq;
        a[p * n + q] = a[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue;
          const arp = a[r * n + p];
          const arq = a[r * n + q];
          a[r * n + p] = a[p * n + r] = c * arp - s * arq;
          a[r * n + q] = a[q * n + r] = c * arq + s * arp;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => y - x);
}

/**
 * The largest eigenvalue of the Hermitian n × n matrix re + i·im (row-major), from the real symmetric
 * embedding [[re, −im], [im, re]], whose eigenvalues are those of the Hermitian matrix, each twice.
 */
export function largestHermitianEigenvalue(re: ArrayLike<number>, im: ArrayLike<number>, n: number): number {
  if (re.length !== n * n || im.length !== n * n) throw new Error(`largestHermitianEigenvalue: expected two ${n}×${n} parts`);
  const m = 2 * n;
  const embedded = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      embedded[i * m + j] = embedded[(i + n) * m + j + n] = re[i * n + j];
      embedded[(i + n) * m + j] = im[i * n + j];
      embedded[i * m + j + n] = -im[i * n + j];
    }
  }
  return symmetricEigenvalues(embedded, m)[0];
}
