/**
 * Subspace minimization (BLNZ95 §5.1, direct primal method) with the projection rule of
 * Morales & Nocedal 2011 (L-BFGS-B version 3.0).
 *
 * With the variables pinned at the GCP held fixed, the model restricted to the free variables Z is
 * a quadratic with Hessian B̂ = ZᵀBZ = θI − Ẃ M Ẃᵀ (Ẃ = ZᵀW) and gradient at the GCP
 * r^c = Zᵀ(g + θ(x^c − x_k) − W M c). The Sherman–Morrison–Woodbury formula gives its unconstrained
 * minimizer in O(|Z|·m + m³):
 *
 *     d^u = −B̂⁻¹ r^c = −(1/θ) r^c − (1/θ²) Ẃ K⁻¹ Ẃᵀ r^c,   K = M⁻¹ − ẂᵀẂ/θ.
 *
 * K has the block form [[-P, Eᵀ], [E, Q]] with P = D + YᵀZZᵀY/θ, E = L − SᵀZZᵀY, Q = θ SᵀAAᵀS (A the
 * pinned set), so it reuses {@link SaddleSolver}; the products over Z and A are kept up to date from one
 * iteration to the next (reducedProducts.ts).
 *
 * Version 3.0 change (MN11): instead of truncating d^u at the first bound it hits (v2.1), the
 * point x^c + d^u is projected onto the box. If that projection actually clipped something and the
 * resulting direction from x_k is uphill, the code falls back to the v2.1 truncation.
 *
 * @module
 */

import type { Box } from './bounds.ts';
import { columnDotsAt, combineColumnsAt } from './columns.ts';
import type { CompactMemory } from './compactMemory.ts';
import { SaddleSolver } from './saddleSystem.ts';

/** Workspace for the subspace step; allocate once per solver. */
export class SubspaceStep {
  private readonly n: number;
  private readonly saddle: SaddleSolver;
  private readonly pBlock: Float64Array;
  private readonly eBlock: Float64Array;
  private readonly qBlock: Float64Array;
  private readonly v2m: Float64Array;
  private readonly w2m: Float64Array;
  /** Coefficients of the Y and S columns in a combination W·w (see combineColumnsAt). */
  private readonly yCoefficients: Float64Array;
  private readonly sCoefficients: Float64Array;
  /** Reduced gradient, then the step d^u, indexed by position in the free list. */
  private readonly du: Float64Array;
  /** x^c on the free variables, indexed by position, kept for the v2.1 fallback. */
  private readonly xcpFree: Float64Array;

  /**
   * @param n problem dimension
   * @param m memory size
   */
  constructor(n: number, m: number) {
    this.n = n;
    this.saddle = new SaddleSolver(m);
    this.pBlock = new Float64Array(m * m);
    this.eBlock = new Float64Array(m * m);
    this.qBlock = new Float64Array(m * m);
    this.v2m = new Float64Array(2 * m);
    this.w2m = new Float64Array(2 * m);
    this.yCoefficients = new Float64Array(m);
    this.sCoefficients = new Float64Array(m);
    this.du = new Float64Array(n);
    this.xcpFree = new Float64Array(n);
  }

  /**
   * Replaces the free components of `z` (which holds the GCP on entry) by the subspace step's
   * point x̄. `c` is Wᵀ(x^c − x_k) from the Cauchy search; `partition`/`nFree` its free/pinned split.
   * Returns false when the reduced system cannot be factored (the caller then drops the memory).
   * Requires mem.count > 0 and nFree > 0.
   */
  run(
    mem: CompactMemory,
    x: Float64Array,
    g: Float64Array,
    box: Box,
    z: Float64Array,
    c: Float64Array,
    partition: Int32Array,
    nFree: number,
  ): boolean {
    const { n, du, xcpFree, v2m, w2m, yCoefficients: cy, sCoefficients: cs } = this;
    const { lower, upper } = box;
    const col = mem.count;
    const col2 = 2 * col;
    const theta = mem.theta;
    const { s: S, y: Y, offsets } = mem;

    // Reduced gradient r^c = Zᵀ(g + θ(x^c − x) − W M c).
    mem.applyMiddle(c, v2m);
    for (let k = 0; k < nFree; k++) {
      const i = partition[k];
      xcpFree[k] = z[i];
      du[k] = g[i] + theta * (z[i] - x[i]);
    }
    for (let j = 0; j < col; j++) {
      cy[j] = v2m[j];
      cs[j] = theta * v2m[col + j];
    }
    combineColumnsAt(S, Y, offsets, col, partition, nFree, cy, cs, -1, du);

    mem.products.reducedMatrix(mem, partition, nFree, this.pBlock, this.eBlock, this.qBlock);
    if (!this.saddle.factor(col, this.pBlock, this.eBlock, this.qBlock)) return false;

    columnDotsAt(S, Y, offsets, col, theta, partition, nFree, du, v2m);
    this.saddle.solve(v2m, w2m);
    for (let j = 0; j < col2; j++) {
      if (!Number.isFinite(w2m[j])) return false;
    }

    // d^u = −(1/θ)(r^c + (1/θ) Ẃ w) with Ẃ w = Σ_j y_j w_j + θ s_j w_{col+j}; then (v3.0) x^c + d^u
    // projected onto the box.
    const invTheta = 1 / theta;
    for (let j = 0; j < col; j++) {
      cy[j] = w2m[j] * invTheta;
      cs[j] = w2m[col + j];
    }
    combineColumnsAt(S, Y, offsets, col, partition, nFree, cy, cs, 1, du);
    let clipped = false;
    for (let k = 0; k < nFree; k++) {
      const i = partition[k];
      const dk = du[k] * -invTheta;
      du[k] = dk;
      let v = xcpFree[k] + dk;
      if (v <= lower[i]) {
        v = lower[i];
        clipped = true;
      } else if (v >= upper[i]) {
        v = upper[i];
        clipped = true;
      }
      z[i] = v;
    }
    if (!clipped) return true;

    let slope = 0;
    for (let i = 0; i < n; i++) slope += (z[i] - x[i]) * g[i];
    if (!(slope > 0)) return true;

    // Projection produced an uphill direction: fall back to the longest feasible fraction of d^u.
    let alpha = 1;
    let blocking = -1;
    for (let k = 0; k < nFree; k++) {
      const i = partition[k];
      const dk = du[k];
      let limit = alpha;
      if (dk < 0) {
        const room = lower[i] - xcpFree[k];
        if (room >= 0) limit = 0;
        else if (dk * alpha < room) limit = room / dk;
      } else if (dk > 0) {
        const room = upper[i] - xcpFree[k];
        if (room <= 0) limit = 0;
        else if (dk * alpha > room) limit = room / dk;
      }
      if (limit < alpha) {
        alpha = limit;
        blocking = k;
      }
    }
    for (let k = 0; k < nFree; k++) {
      const i = partition[k];
      let v = xcpFree[k] + alpha * du[k];
      if (v < lower[i]) v = lower[i];
      else if (v > upper[i]) v = upper[i];
      z[i] = v;
    }
    if (blocking >= 0) {
      const i = partition[blocking];
      z[i] = du[blocking] > 0 ? upper[i] : lower[i];
    }
    return true;
  }
}
