/**
 * Limited-memory storage of the curvature pairs and the compact representation of the quasi-Newton
 * matrix (Byrd, Nocedal & Schnabel 1994, used by BLNZ95 §3):
 *
 *     B = θ I − W M Wᵀ,   W = [Y  θS],   M = [[-D, Lᵀ], [L, θ SᵀS]]⁻¹
 *
 * where S and Y hold the last `count` pairs s_i = x_{i+1} − x_i, y_i = g_{i+1} − g_i (oldest first),
 * D = diag(s_iᵀy_i), L is the strictly lower triangle of SᵀY and θ = yᵀy / sᵀy of the newest pair.
 *
 * @module
 */

import { ReducedProducts } from './reducedProducts.ts';
import { SaddleSolver } from './saddleSystem.ts';

/**
 * Ring buffer of the last m pairs plus the inner products the middle matrix needs: SᵀS and the lower
 * triangle (with the diagonal) of SᵀY.
 *
 * Pairs live in fixed slots so that a new pair costs O(n·m) (passes against every stored pair) instead
 * of shifting n×m data; "logical" index 0 is the oldest pair and maps to slot (head + 0) mod m. The
 * products the subspace step needs, over the free and active sets, come with it ({@link products}).
 */
export class CompactMemory {
  /** Problem dimension. */
  readonly n: number;
  /** Number of pairs kept (the `memory` option). */
  readonly m: number;
  /** Slot-major storage: pair in slot k occupies s[k*n .. k*n+n). */
  readonly s: Float64Array;
  /** Slot-major storage of the gradient differences, laid out like {@link s}. */
  readonly y: Float64Array;
  /** Slot-indexed inner products: ss[a*m+b] = s_aᵀs_b. */
  readonly ss: Float64Array;
  /** Slot-indexed inner products sy[a*m+b] = s_aᵀy_b, kept where pair a is not older than pair b. */
  readonly sy: Float64Array;
  /** offsets[j] = slot(j)·n, where logical pair j (0 = oldest) starts in {@link s} and {@link y}. */
  readonly offsets: Int32Array;
  /** The pairs' products over the free and active sets, for the subspace step. */
  readonly products: ReducedProducts;
  /** Number of pairs currently stored. */
  count = 0;
  /** Slot of the oldest stored pair. */
  head = 0;
  /** Scaling of the initial matrix θI; 1 while no pair is stored. */
  theta = 1;
  private readonly middle: SaddleSolver;
  private readonly dBlock: Float64Array;
  private readonly lBlock: Float64Array;
  private readonly qBlock: Float64Array;

  /**
   * @param n problem dimension
   * @param m number of pairs to keep
   */
  constructor(n: number, m: number) {
    this.n = n;
    this.m = m;
    this.s = new Float64Array(n * m);
    this.y = new Float64Array(n * m);
    this.ss = new Float64Array(m * m);
    this.sy = new Float64Array(m * m);
    this.offsets = new Int32Array(m);
    this.products = new ReducedProducts(n, m);
    this.middle = new SaddleSolver(m);
    this.dBlock = new Float64Array(m * m);
    this.lBlock = new Float64Array(m * m);
    this.qBlock = new Float64Array(m * m);
  }

  /** Slot that holds logical pair k (0 = oldest). */
  slot(k: number): number {
    const idx = this.head + k;
    return idx >= this.m ? idx - this.m : idx;
  }

  /** Forgets every pair: B becomes the identity (θ = 1), as after a restart. */
  reset(): void {
    this.count = 0;
    this.head = 0;
    this.theta = 1;
  }

  /** As new, for another problem: no pair, and the products' sets as at construction. */
  clear(): void {
    this.reset();
    this.products.clear();
  }

  /**
   * Stores the pair s = xNew − xOld, y = gNew − gOld as the newest (in place of the oldest once the
   * memory is full), adds its products with the other pairs, sets θ and factors the middle matrix.
   * `sTy` and `yTy` are the pair's own products (already computed by the caller for the curvature
   * test). Returns false when the middle matrix cannot be factored; the caller should then {@link reset}.
   */
  commit(xNew: Float64Array, xOld: Float64Array, gNew: Float64Array, gOld: Float64Array, sTy: number, yTy: number): boolean {
    const { n, m, s, y, ss, sy, offsets } = this;
    if (this.count < m) this.count++;
    else this.head = this.head + 1 === m ? 0 : this.head + 1;
    const count = this.count;
    for (let k = 0; k < count; k++) offsets[k] = this.slot(k) * n;
    const newest = count - 1;
    const offNew = offsets[newest];
    let snsn = 0;
    for (let i = 0; i < n; i++) {
      const si = xNew[i] - xOld[i];
      s[offNew + i] = si;
      y[offNew + i] = gNew[i] - gOld[i];
      snsn += si * si;
    }
    this.products.addNewest(this);
    const slotNew = this.slot(newest);
    ss[slotNew * m + slotNew] = snsn;
    sy[slotNew * m + slotNew] = sTy;
    this.theta = yTy / sTy;
    return this.factorMiddle();
  }

  /** sᵢᵀyⱼ for logical indices i ≥ j (pair i not older than pair j). */
  sTy(i: number, j: number): number {
    return this.sy[this.slot(i) * this.m + this.slot(j)];
  }

  /** sᵢᵀsⱼ for logical indices. */
  sTs(i: number, j: number): number {
    return this.ss[this.slot(i) * this.m + this.slot(j)];
  }

  private factorMiddle(): boolean {
    const k = this.count;
    const m = this.m;
    const th = this.theta;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        this.dBlock[i * m + j] = i === j ? this.sTy(i, i) : 0;
        this.lBlock[i * m + j] = i > j ? this.sTy(i, j) : 0;
        this.qBlock[i * m + j] = th * this.sTs(i, j);
      }
    }
    return this.middle.factor(k, this.dBlock, this.lBlock, this.qBlock);
  }

  /**
   * out = M v for a 2·count vector laid out as [Y part; θS part], i.e. a solve with the middle
   * matrix's inverse (which is what is stored). `v` and `out` may alias.
   */
  applyMiddle(v: Float64Array, out: Float64Array): void {
    this.middle.solve(v, out);
  }
}
