/**
 * The products of the stored pairs over the free set Z and the active set A at the Cauchy point, from
 * which the subspace step builds its reduced matrix K = [[-P, Eᵀ], [E, Q]] (see subspace.ts):
 *
 *     P = D + YᵀZZᵀY / θ,    E = L_A − R_Z,    Q = θ SᵀAAᵀS,
 *
 * L_A the strictly lower triangle of SᵀAAᵀY (pair a newer than pair b) and R_Z the upper triangle, with
 * the diagonal, of SᵀZZᵀY. Between two iterations Z and A change by a few variables and the memory by one
 * pair, so the products are kept up to date rather than recomputed, as the reference code's `formk` does
 * (ZBLN97). They are always over one pair of sets, the "base": a new pair's products over the base are
 * computed when it is committed, in the same passes as the products of the middle matrix (which are their
 * sums over Z and A); when the subspace step needs them over its own sets, the variables that entered or
 * left Z since the base correct every entry, O(m²) each, and the current sets become the base. When more
 * than a quarter of the variables changed sides, everything is recomputed over the current sets instead.
 *
 * @module
 */

import type { CompactMemory } from './compactMemory.ts';

/** Share of the variables that may change sides before the products are recomputed instead of corrected. */
const RECOMPUTE_SHARE = 0.25;

/** The per-set products of one solver's pairs and the sets they are over. */
export class ReducedProducts {
  private readonly n: number;
  private readonly m: number;
  /** Slot-indexed, symmetric: Σ_{i∈Z} y_a[i]·y_b[i]. */
  private readonly yzy: Float64Array;
  /** Slot-indexed, symmetric: Σ_{i∈A} s_a[i]·s_b[i]. */
  private readonly sas: Float64Array;
  /** Slot-indexed: Σ s_a[i]·y_b[i] over A where pair a is newer than pair b, over Z otherwise. */
  private readonly mixed: Float64Array;
  /** The base sets: Z in base[0..baseFree), A after it, each in increasing order. */
  private readonly base: Int32Array;
  private baseFree = 0;
  /** 1 where the variable is in the base's Z. */
  private readonly free: Uint8Array;
  /** The variables that entered Z since the base, then those that left it. */
  private readonly changed: Int32Array;
  /** Pair j's y and s at the variable being corrected for, by logical index. */
  private readonly yAt: Float64Array;
  private readonly sAt: Float64Array;
  /** The slot of each logical pair, for the correction loops. */
  private readonly slots: Int32Array;

  /**
   * @param n problem dimension
   * @param m memory size
   */
  constructor(n: number, m: number) {
    this.n = n;
    this.m = m;
    this.yzy = new Float64Array(m * m);
    this.sas = new Float64Array(m * m);
    this.mixed = new Float64Array(m * m);
    // Every variable starts in A.
    this.base = Int32Array.from({ length: n }, (_, i) => i);
    this.free = new Uint8Array(n);
    this.changed = new Int32Array(n);
    this.yAt = new Float64Array(m);
    this.sAt = new Float64Array(m);
    this.slots = new Int32Array(m);
  }

  /** Back to the sets at construction (every variable in A), so that what follows does not depend on an earlier problem. */
  clear(): void {
    for (let i = 0; i < this.n; i++) this.base[i] = i;
    this.baseFree = 0;
    this.free.fill(0);
  }

  /**
   * The newest pair of `mem` (just stored) against every older one: writes s_newᵀs_k and s_newᵀy_k to
   * mem.ss and mem.sy (the middle matrix's products, the sums of their parts over Z and A) and the pair's
   * products over the base sets; then its products with itself. Each pass keeps four sums in locals (more
   * spill out of the registers and measured slower): over A two older pairs per pass, over Z one.
   */
  addNewest(mem: CompactMemory): void {
    const { n, base, baseFree } = this;
    const { s, y, offsets } = mem;
    const newest = mem.count - 1;
    const offN = offsets[newest];
    for (let k = 0; k < newest; k += 2) {
      // Over A two older pairs per pass (two sums each); an odd last pair runs as its own partner.
      const l = k + 1 < newest ? k + 1 : k;
      const offK = offsets[k];
      const offL = offsets[l];
      let ssAk = 0;
      let syAk = 0;
      let ssAl = 0;
      let syAl = 0;
      for (let p = baseFree; p < n; p++) {
        const i = base[p];
        const sn = s[offN + i];
        ssAk += sn * s[offK + i];
        syAk += sn * y[offK + i];
        ssAl += sn * s[offL + i];
        syAl += sn * y[offL + i];
      }
      this.newestOverZ(mem, newest, k, ssAk, syAk);
      if (l !== k) this.newestOverZ(mem, newest, l, ssAl, syAl);
    }
    this.newestWithItself(mem, newest);
  }

  /**
   * The newest pair's products with older pair k over Z — the Z parts of s_nᵀs_k and s_nᵀy_k, and y_nᵀy_k,
   * s_kᵀy_n (pair k is older: over Z) — in one pass, four sums; then every product of the two is stored,
   * with the A parts `ssA`, `syA`.
   */
  private newestOverZ(mem: CompactMemory, newest: number, k: number, ssA: number, syA: number): void {
    const { m, base, baseFree, yzy, sas, mixed } = this;
    const { s, y, offsets } = mem;
    const offN = offsets[newest];
    const offK = offsets[k];
    let ssZ = 0;
    let syZ = 0;
    let yy = 0;
    let skyn = 0;
    for (let p = 0; p < baseFree; p++) {
      const i = base[p];
      const sn = s[offN + i];
      const yn = y[offN + i];
      const sk = s[offK + i];
      const yk = y[offK + i];
      ssZ += sn * sk;
      syZ += sn * yk;
      yy += yn * yk;
      skyn += sk * yn;
    }
    const slotN = mem.slot(newest);
    const slotK = mem.slot(k);
    const ss = ssZ + ssA;
    mem.ss[slotN * m + slotK] = ss;
    mem.ss[slotK * m + slotN] = ss;
    mem.sy[slotN * m + slotK] = syZ + syA;
    yzy[slotN * m + slotK] = yy;
    yzy[slotK * m + slotN] = yy;
    sas[slotN * m + slotK] = ssA;
    sas[slotK * m + slotN] = ssA;
    mixed[slotN * m + slotK] = syA;
    mixed[slotK * m + slotN] = skyn;
  }

  private newestWithItself(mem: CompactMemory, newest: number): void {
    const { n, m, base, baseFree } = this;
    const { s, y } = mem;
    const off = mem.offsets[newest];
    let yy = 0;
    let sy = 0;
    for (let p = 0; p < baseFree; p++) {
      const i = base[p];
      const yi = y[off + i];
      yy += yi * yi;
      sy += s[off + i] * yi;
    }
    let ss = 0;
    for (let p = baseFree; p < n; p++) {
      const si = s[off + base[p]];
      ss += si * si;
    }
    const at = mem.slot(newest) * (m + 1);
    this.yzy[at] = yy;
    this.mixed[at] = sy;
    this.sas[at] = ss;
  }

  /**
   * Brings the products to the free set partition[0..nFree) (the other variables active), then writes P,
   * E and Q in logical pair order, row stride m, as SaddleSolver.factor reads them.
   */
  reducedMatrix(mem: CompactMemory, partition: Int32Array, nFree: number, p: Float64Array, e: Float64Array, q: Float64Array): void {
    this.update(mem, partition, nFree);
    const { m, yzy, sas, mixed } = this;
    const col = mem.count;
    const theta = mem.theta;
    for (let a = 0; a < col; a++) {
      const sa = mem.slot(a) * m;
      for (let b = 0; b < col; b++) {
        const sb = mem.slot(b);
        p[a * m + b] = (a === b ? mem.sTy(a, a) : 0) + yzy[sa + sb] / theta;
        e[a * m + b] = a > b ? mixed[sa + sb] : -mixed[sa + sb];
        q[a * m + b] = theta * sas[sa + sb];
      }
    }
  }

  private update(mem: CompactMemory, partition: Int32Array, nFree: number): void {
    const { n, free, changed } = this;
    let entering = 0;
    for (let k = 0; k < nFree; k++) {
      const i = partition[k];
      if (!free[i]) {
        free[i] = 1;
        changed[entering++] = i;
      }
    }
    let changes = entering;
    for (let k = nFree; k < n; k++) {
      const i = partition[k];
      if (free[i]) {
        free[i] = 0;
        changed[changes++] = i;
      }
    }
    if (changes === 0) return;
    this.base.set(partition);
    this.baseFree = nFree;
    if (changes > RECOMPUTE_SHARE * n) this.recompute(mem);
    else this.correct(mem, entering, changes);
  }

  /** Moves every product from the previous base to the current one, variable by variable. */
  private correct(mem: CompactMemory, entering: number, changes: number): void {
    const { m, yzy, sas, mixed, changed, yAt, sAt, slots } = this;
    const { s, y, offsets } = mem;
    const col = mem.count;
    for (let j = 0; j < col; j++) slots[j] = mem.slot(j);
    for (let c = 0; c < changes; c++) {
      const i = changed[c];
      // Entering Z adds the variable's terms to the Z sums and takes them from the A sums; leaving, the reverse.
      const sign = c < entering ? 1 : -1;
      for (let j = 0; j < col; j++) {
        yAt[j] = y[offsets[j] + i];
        sAt[j] = s[offsets[j] + i];
      }
      for (let a = 0; a < col; a++) {
        const slotA = slots[a];
        const ya = sign * yAt[a];
        const sa = sign * sAt[a];
        for (let b = 0; b < a; b++) {
          const at = slotA * m + slots[b];
          const mirror = slots[b] * m + slotA;
          const yy = ya * yAt[b];
          const ss = sa * sAt[b];
          yzy[at] += yy;
          yzy[mirror] += yy;
          sas[at] -= ss;
          sas[mirror] -= ss;
          // Pair a is newer than b: s_aᵀy_b is over A, s_bᵀy_a over Z.
          mixed[at] -= sa * yAt[b];
          mixed[mirror] += sAt[b] * ya;
        }
        const self = slotA * (m + 1);
        yzy[self] += ya * yAt[a];
        sas[self] -= sa * sAt[a];
        mixed[self] += sa * yAt[a];
      }
    }
  }

  /** Every product over the base sets, directly: one pass over Z and one over A per two pairs. */
  private recompute(mem: CompactMemory): void {
    const col = mem.count;
    for (let a = 0; a < col; a++) {
      let b = 0;
      for (; b + 1 <= a; b += 2) this.pairsOverBase(mem, a, b, b + 1);
      if (b === a) this.pairsOverBase(mem, a, b, -1);
    }
  }

  /**
   * The products of pair a with pairs b and c (logical, b < c ≤ a; c = −1 for none) over the base: over Z
   * y_aᵀy_b and s_bᵀy_a (b is not newer than a, so that sum is over Z), over A s_aᵀs_b and s_aᵀy_b.
   */
  private pairsOverBase(mem: CompactMemory, a: number, b: number, c: number): void {
    const { n, base, baseFree } = this;
    const { s, y, offsets } = mem;
    const offA = offsets[a];
    const offB = offsets[b];
    const offC = c < 0 ? offB : offsets[c];
    let yyB = 0;
    let syB = 0;
    let yyC = 0;
    let syC = 0;
    for (let k = 0; k < baseFree; k++) {
      const i = base[k];
      const ya = y[offA + i];
      yyB += ya * y[offB + i];
      syB += s[offB + i] * ya;
      yyC += ya * y[offC + i];
      syC += s[offC + i] * ya;
    }
    let ssB = 0;
    let saB = 0;
    let ssC = 0;
    let saC = 0;
    for (let k = baseFree; k < n; k++) {
      const i = base[k];
      const sa = s[offA + i];
      ssB += sa * s[offB + i];
      saB += sa * y[offB + i];
      ssC += sa * s[offC + i];
      saC += sa * y[offC + i];
    }
    this.store(mem.slot(a), mem.slot(b), a > b, yyB, syB, ssB, saB);
    if (c >= 0) this.store(mem.slot(a), mem.slot(c), a > c, yyC, syC, ssC, saC);
  }

  private store(slotA: number, slotB: number, newer: boolean, yy: number, sbya: number, ss: number, sayb: number): void {
    const { m, yzy, sas, mixed } = this;
    yzy[slotA * m + slotB] = yy;
    yzy[slotB * m + slotA] = yy;
    sas[slotA * m + slotB] = ss;
    sas[slotB * m + slotA] = ss;
    mixed[slotB * m + slotA] = sbya;
    if (newer) mixed[slotA * m + slotB] = sayb;
  }
}
