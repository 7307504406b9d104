/**
 * Factor-and-solve for the small symmetric indefinite systems of the compact L-BFGS-B formulas.
 *
 * Both the middle matrix of the limited-memory Hessian (BLNZ95 §3) and the reduced matrix of
 * the subspace step (BLNZ95 §5.1) have the block form
 *
 *     K = [ -P   Eᵀ ]        P: k×k symmetric positive definite
 *         [  E   Q  ]        Q: k×k symmetric, Q + E P⁻¹ Eᵀ positive definite
 *
 * Eliminating the first block leaves (Q + E P⁻¹ Eᵀ) b = r2 + E P⁻¹ r1 and a = P⁻¹ (Eᵀ b − r1), so two
 * k×k Cholesky factorizations are enough. A factorization that breaks down is reported instead of
 * thrown: the solver treats it as "the stored curvature pairs are numerically unusable" and drops
 * its memory, which is what the reference implementation does too.
 *
 * @module
 */

/**
 * In-place lower Cholesky factorization of the leading k×k block of a row-major matrix with row
 * stride `stride`. Only the lower triangle is read. Returns false when a pivot is not positive (or
 * not finite), which is how an indefinite or singular matrix shows up.
 */
export function choleskyInPlace(a: Float64Array, k: number, stride: number): boolean {
  for (let j = 0; j < k; j++) {
    const rowJ = j * stride;
    let diag = a[rowJ + j];
    for (let r = 0; r < j; r++) diag -= a[rowJ + r] * a[rowJ + r];
    if (!(diag > 0) || !Number.isFinite(diag)) return false;
    const pivot = Math.sqrt(diag);
    a[rowJ + j] = pivot;
    for (let i = j + 1; i < k; i++) {
      const rowI = i * stride;
      let sum = a[rowI + j];
      for (let r = 0; r < j; r++) sum -= a[rowI + r] * a[rowJ + r];
      a[rowI + j] = sum / pivot;
    }
  }
  return true;
}

/** Solves C Cᵀ x = b in place (b becomes x) for a lower Cholesky factor C from {@link choleskyInPlace}. */
export function choleskySolveInPlace(c: Float64Array, k: number, stride: number, b: Float64Array, offset = 0): void {
  for (let i = 0; i < k; i++) {
    const row = i * stride;
    let sum = b[offset + i];
    for (let r = 0; r < i; r++) sum -= c[row + r] * b[offset + r];
    b[offset + i] = sum / c[row + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let sum = b[offset + i];
    for (let r = i + 1; r < k; r++) sum -= c[r * stride + i] * b[offset + r];
    b[offset + i] = sum / c[i * stride + i];
  }
}

/**
 * Reusable factorization of K = [[-P, Eᵀ], [E, Q]] (see the module comment). All storage is
 * allocated once for the largest block size `capacity`; `factor` may then be called every
 * iteration with any k ≤ capacity without allocating.
 */
export class SaddleSolver {
  /** Largest block size k this instance can factor. */
  readonly capacity: number;
  private size = 0;
  private readonly pFactor: Float64Array;
  private readonly schurFactor: Float64Array;
  private readonly eCopy: Float64Array;
  /** Column i holds C⁻¹ (row i of E)ᵀ where P = C Cᵀ; its Gram matrix is E P⁻¹ Eᵀ. */
  private readonly eScaled: Float64Array;
  private readonly scratch: Float64Array;

  /** @param capacity the largest k that will be factored (the L-BFGS memory m). */
  constructor(capacity: number) {
    this.capacity = capacity;
    const sq = capacity * capacity;
    this.pFactor = new Float64Array(sq);
    this.schurFactor = new Float64Array(sq);
    this.eCopy = new Float64Array(sq);
    this.eScaled = new Float64Array(sq);
    this.scratch = new Float64Array(capacity);
  }

  /** Block size of the current factorization. */
  get k(): number {
    return this.size;
  }

  /**
   * Factors K from its blocks. `p`, `e`, `q` are row-major with row stride `capacity`; only the
   * leading k×k parts are read (and only the lower triangles of P and Q). The inputs are copied, so
   * the caller may reuse its buffers. Returns false when P or the Schur complement is not
   * numerically positive definite.
   */
  factor(k: number, p: Float64Array, e: Float64Array, q: Float64Array): boolean {
    const st = this.capacity;
    this.size = k;
    const pf = this.pFactor;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) pf[i * st + j] = p[i * st + j];
      for (let j = 0; j < k; j++) this.eCopy[i * st + j] = e[i * st + j];
    }
    if (!choleskyInPlace(pf, k, st)) return false;

    // Forward-substitute each row of E through C so that the Schur update is a plain Gram matrix.
    const f = this.eScaled;
    for (let i = 0; i < k; i++) {
      for (let r = 0; r < k; r++) {
        let sum = this.eCopy[i * st + r];
        for (let c = 0; c < r; c++) sum -= pf[r * st + c] * f[c * st + i];
        f[r * st + i] = sum / pf[r * st + r];
      }
    }
    const sf = this.schurFactor;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = q[i * st + j];
        for (let r = 0; r < k; r++) sum += f[r * st + i] * f[r * st + j];
        sf[i * st + j] = sum;
      }
    }
    return choleskyInPlace(sf, k, st);
  }

  /**
   * Solves K [a; b] = [r1; r2]. `rhs` and `out` hold 2k entries laid out as [first block; second
   * block]; they may be the same array.
   */
  solve(rhs: Float64Array, out: Float64Array): void {
    const k = this.size;
    const st = this.capacity;
    const t = this.scratch;
    // t = P⁻¹ r1
    for (let i = 0; i < k; i++) t[i] = rhs[i];
    choleskySolveInPlace(this.pFactor, k, st, t);
    // b = (Q + E P⁻¹ Eᵀ)⁻¹ (r2 + E t), written straight into the second half of out.
    for (let i = 0; i < k; i++) {
      let sum = rhs[k + i];
      for (let j = 0; j < k; j++) sum += this.eCopy[i * st + j] * t[j];
      out[k + i] = sum;
    }
    choleskySolveInPlace(this.schurFactor, k, st, out, k);
    // a = P⁻¹ (Eᵀ b − r1)
    for (let j = 0; j < k; j++) {
      let sum = -rhs[j];
      for (let i = 0; i < k; i++) sum += this.eCopy[i * st + j] * out[k + i];
      t[j] = sum;
    }
    choleskySolveInPlace(this.pFactor, k, st, t);
    for (let i = 0; i < k; i++) out[i] = t[i];
  }
}
