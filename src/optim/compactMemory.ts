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

import { SaddleSolver } from './saddleSystem.ts';

/**
 * Ring buffer of the last m pairs plus the inner products SᵀS, SᵀY and YᵀY.
 *
 * Pairs live in fixed slots so that a new pair costs O(n·m) (one fused pass against every stored
 * pair) instead of shifting n×m data; "logical" index 0 is the oldest pair and maps to slot
 * (head + 0) mod m. YᵀY is kept although the middle matrix does not need it, because the subspace
 * step can then build its reduced matrices from whichever of the free or the active set is smaller.
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
  /** Slot-indexed inner products: sy[a*m+b] = s_aᵀy_b (not symmetric). */
  readonly sy: Float64Array;
  /** Slot-indexed inner products: yy[a*m+b] = y_aᵀy_b. */
  readonly yy: Float64Array;
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
    this.yy = new Float64Array(m * m);
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

  /**
   * The slot the next pair will be written to (the oldest one once the memory is full). The caller
   * fills s and y in that slot and then calls {@link commit}; nothing changes until then.
   */
  nextSlot(): number {
    return this.count < this.m ? this.slot(this.count) : this.head;
  }

  /**
   * Accepts the pair just written to {@link nextSlot}, refreshes the inner products and θ, and
   * factors the middle matrix. `sTy` and `yTy` are the pair's own products (already computed by
   * the caller for the curvature test). Returns false when the middle matrix cannot be factored;
   * the caller should then {@link reset}.
   */
  commit(sTy: number, yTy: number): boolean {
    const { n, m, s, y, ss, sy, yy } = this;
    const slotNew = this.nextSlot();
    if (this.count < this.m) this.count++;
    else this.head = this.head + 1 === m ? 0 : this.head + 1;

    const offNew = slotNew * n;
    for (let k = 0; k < this.count; k++) {
      const slotK = this.slot(k);
      if (slotK === slotNew) continue;
      const offK = slotK * n;
      let snsk = 0;
      let snyk = 0;
      let skyn = 0;
      let ynyk = 0;
      for (let i = 0; i < n; i++) {
        const sn = s[offNew + i];
        const yn = y[offNew + i];
        const sk = s[offK + i];
        const yk = y[offK + i];
        snsk += sn * sk;
        snyk += sn * yk;
        skyn += sk * yn;
        ynyk += yn * yk;
      }
      ss[slotNew * m + slotK] = snsk;
      ss[slotK * m + slotNew] = snsk;
      sy[slotNew * m + slotK] = snyk;
      sy[slotK * m + slotNew] = skyn;
      yy[slotNew * m + slotK] = ynyk;
      yy[slotK * m + slotNew] = ynyk;
    }
    let snsn = 0;
    for (let i = 0; i < n; i++) snsn += s[offNew + i] * s[offNew + i];
    ss[slotNew * m + slotNew] = snsn;
    sy[slotNew * m + slotNew] = sTy;
    yy[slotNew * m + slotNew] = yTy;
    this.theta = yTy / sTy;
    return this.factorMiddle();
  }

  /** sᵢᵀyⱼ for logical indices. */
  sTy(i: number, j: number): number {
    return this.sy[this.slot(i) * this.m + this.slot(j)];
  }

  /** sᵢᵀsⱼ for logical indices. */
  sTs(i: number, j: number): number {
    return this.ss[this.slot(i) * this.m + this.slot(j)];
  }

  /** yᵢᵀyⱼ for logical indices. */
  yTy(i: number, j: number): number {
    return this.yy[this.slot(i) * this.m + this.slot(j)];
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

  /**
   * out = Wᵀ v restricted to the listed coordinates: out[j] = Σ y_j[i] v[i] and
   * out[count+j] = θ Σ s_j[i] v[i] over i = indices[0..len), where v is indexed by position in the
   * list when `byPosition` is true and by coordinate otherwise.
   */
  wTransposeTimes(
    v: Float64Array,
    indices: Int32Array | null,
    len: number,
    byPosition: boolean,
    out: Float64Array,
  ): void {
    const { n, s, y, count } = this;
    for (let j = 0; j < count; j++) {
      const off = this.slot(j) * n;
      let ys = 0;
      let ss = 0;
      if (indices === null) {
        for (let i = 0; i < n; i++) {
          ys += y[off + i] * v[i];
          ss += s[off + i] * v[i];
        }
      } else if (byPosition) {
        for (let p = 0; p < len; p++) {
          const i = indices[p];
          ys += y[off + i] * v[p];
          ss += s[off + i] * v[p];
        }
      } else {
        for (let p = 0; p < len; p++) {
          const i = indices[p];
          ys += y[off + i] * v[i];
          ss += s[off + i] * v[i];
        }
      }
      out[j] = ys;
      out[count + j] = this.theta * ss;
    }
  }
}
