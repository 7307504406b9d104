/**
 * Generalized Cauchy point (BLNZ95 §4, Algorithm CP).
 *
 * The quadratic model m(x) = f + gᵀ(x − x_k) + ½ (x − x_k)ᵀ B (x − x_k) is minimized along the
 * projected steepest-descent path x(t) = P(x_k − t g). The path is piecewise linear with a kink
 * at each breakpoint where a variable reaches its bound; the first local minimizer of the model
 * along it is the GCP. Variables that the path has pinned to a bound by then form the active set
 * for the subspace step; the others are "free".
 *
 * Each segment only needs the model's first and second directional derivatives f′ and f″, which
 * BLNZ95 §4 updates in O(m²) per breakpoint through the 2m-vectors p = Wᵀd and
 * c = Wᵀ(x^c − x_k), so the whole search costs O(n·m + (breakpoints crossed)·m² + n log n) rather
 * than anything involving an n×n matrix.
 *
 * @module
 */

import type { Box } from './bounds.ts';
import { columnDotsAt } from './columns.ts';
import type { CompactMemory } from './compactMemory.ts';

/** Relative floor for f″, from the v3.0 code: rounding must not turn a convex segment concave. */
const EPS = 2.220446049250313e-16;

/**
 * Workspace and result of one GCP computation. Allocate once per solver; {@link compute} then
 * runs without allocating.
 */
export class CauchyPoint {
  private readonly n: number;
  /** Breakpoint t_i of each variable along the projected path (only valid for heap members). */
  private readonly breakAt: Float64Array;
  /** Binary min-heap of variable indices keyed by breakAt; extracting lazily means we only pay
   *  log n for the breakpoints actually crossed, which is usually a handful. */
  private readonly heap: Int32Array;
  /** 1 when the variable is pinned to a bound at the GCP (or constant). */
  private readonly pinned: Uint8Array;
  /** The variables that move along the path (d_i ≠ 0 at the start), in increasing order. */
  private readonly moving: Int32Array;
  /** g at the moving variables, by position in {@link moving}. */
  private readonly movingG: Float64Array;
  /** p = Wᵀd for the current segment direction d. */
  private readonly p: Float64Array;
  /** M p, M c and M w_b scratch. */
  private readonly mv: Float64Array;
  /** Row of W belonging to the breakpoint variable. */
  private readonly wRow: Float64Array;
  /** c = Wᵀ(x^c − x_k), needed by the subspace step's reduced gradient. Length 2·count. */
  readonly c: Float64Array;
  /**
   * Partition of 0..n−1: free variables in [0, nFree), pinned ones in [nFree, n). Both halves are
   * in increasing index order.
   */
  readonly partition: Int32Array;
  /** Number of free variables at the GCP. */
  nFree = 0;

  /**
   * @param n problem dimension
   * @param m memory size (bounds the length of the 2m-vectors)
   */
  constructor(n: number, m: number) {
    this.n = n;
    this.breakAt = new Float64Array(n);
    this.heap = new Int32Array(n);
    this.pinned = new Uint8Array(n);
    this.moving = new Int32Array(n);
    this.movingG = new Float64Array(n);
    this.p = new Float64Array(2 * m);
    this.mv = new Float64Array(2 * m);
    this.wRow = new Float64Array(2 * m);
    this.c = new Float64Array(2 * m);
    this.partition = new Int32Array(n);
  }

  /**
   * Used when the problem has no bounds and B ≠ θI: the GCP would only be a detour, so (as the
   * reference code does) the subspace step starts from x_k itself with every variable free.
   */
  useCurrentPoint(x: Float64Array, xcp: Float64Array): void {
    xcp.set(x);
    this.c.fill(0);
    for (let i = 0; i < this.n; i++) this.partition[i] = i;
    this.nFree = this.n;
  }

  /**
   * Computes the GCP of the model at (x, g) into `xcp`, fills {@link c} and the free/pinned
   * {@link partition}. x must be feasible.
   */
  compute(x: Float64Array, g: Float64Array, box: Box, mem: CompactMemory, xcp: Float64Array): void {
    const n = this.n;
    const { lower, upper } = box;
    const { breakAt, heap, pinned, moving, movingG, p, mv, wRow, c } = this;
    const col = mem.count;
    const col2 = 2 * col;
    const theta = mem.theta;

    // Classify every variable; the path direction is d = −g on the moving ones. A variable sitting on a bound
    // with the gradient pushing it outward (or zero) cannot move along P(x − tg) at all; one with
    // zero gradient does not move either but stays free for the subspace step.
    let heapSize = 0;
    let firstBreak = Infinity;
    let movingCount = 0;
    let pinnedCount = 0;
    let unboundedMove = false;
    let dd = 0;
    xcp.set(x);
    pinned.fill(0);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const xi = x[i];
      const li = lower[i];
      const ui = upper[i];
      if (li === ui || (xi <= li && gi >= 0) || (xi >= ui && gi <= 0)) {
        pinned[i] = 1;
        pinnedCount++;
        continue;
      }
      if (gi === 0) continue;
      movingG[movingCount] = gi;
      moving[movingCount++] = i;
      dd += gi * gi;
      const t = gi > 0 ? (xi - li) / gi : (xi - ui) / gi;
      if (t < Infinity) {
        breakAt[i] = t;
        heap[heapSize++] = i;
        if (t < firstBreak) firstBreak = t;
      } else {
        unboundedMove = true;
      }
    }

    for (let j = 0; j < col2; j++) c[j] = 0;
    if (dd === 0) {
      this.buildPartition(pinnedCount);
      return;
    }

    // p = Wᵀd = −Wᵀg over the moving variables (d is zero elsewhere); negating the sums is exact.
    const { s: S, y: Y, offsets } = mem;
    if (col > 0) {
      columnDotsAt(S, Y, offsets, col, theta, moving, movingCount, movingG, p);
      for (let j = 0; j < col2; j++) p[j] = -p[j];
    }

    // f1, f2: first and second derivative of the model along the current segment, per unit t.
    let f1 = -dd;
    let f2 = theta * dd;
    if (col > 0) {
      mem.applyMiddle(p, mv);
      let pmp = 0;
      for (let j = 0; j < col2; j++) pmp += p[j] * mv[j];
      f2 -= pmp;
    }
    // The floor is taken relative to the θI part alone: the W M Wᵀ correction is what rounding
    // can overestimate.
    const f2Floor = EPS * theta * dd;
    // B is positive definite, so only rounding can bring f2 this low; without the floor a zero f2
    // would send an unbounded variable to infinity.
    if (f2 < f2Floor) f2 = f2Floor;
    let dtMin = -f1 / f2;
    let tPrev = 0;

    // Often the model's minimizer lies before the first breakpoint: then no heap is needed at all.
    if (heapSize > 0 && !(dtMin < firstBreak)) heapify(heap, heapSize, breakAt);
    else heapSize = 0;
    while (heapSize > 0) {
      const b = heap[0];
      const tb = breakAt[b];
      heapSize = heapPop(heap, heapSize, breakAt);
      const dt = tb - tPrev;
      // The model's minimizer lies inside the current segment: stop before this breakpoint.
      if (dtMin < dt) break;

      tPrev = tb;
      const db = -g[b];
      pinned[b] = 1;
      pinnedCount++;
      let zb: number;
      if (db > 0) {
        zb = upper[b] - x[b];
        xcp[b] = upper[b];
      } else {
        zb = lower[b] - x[b];
        xcp[b] = lower[b];
      }

      // Move to the next segment: d loses its b-th component (BLNZ95 §4 updates, with d_b = −g_b).
      f1 += dt * f2 + db * db - theta * db * zb;
      f2 -= theta * db * db;
      if (col > 0) {
        for (let j = 0; j < col2; j++) c[j] += dt * p[j];
        for (let j = 0; j < col; j++) {
          const off = offsets[j] + b;
          wRow[j] = Y[off];
          wRow[col + j] = theta * S[off];
        }
        mem.applyMiddle(wRow, mv);
        let wmc = 0;
        let wmp = 0;
        let wmw = 0;
        for (let j = 0; j < col2; j++) {
          wmc += c[j] * mv[j];
          wmp += p[j] * mv[j];
          wmw += wRow[j] * mv[j];
        }
        for (let j = 0; j < col2; j++) p[j] -= db * wRow[j];
        f1 += db * wmc;
        f2 += 2 * db * wmp - db * db * wmw;
      }
      if (f2 < f2Floor) f2 = f2Floor;

      if (heapSize > 0) dtMin = -f1 / f2;
      else dtMin = unboundedMove ? -f1 / f2 : 0;
    }

    if (dtMin < 0) dtMin = 0;
    const tStop = tPrev + dtMin;
    for (let k = 0; k < movingCount; k++) {
      const i = moving[k];
      // A variable crossed at a breakpoint is pinned (and already on its bound).
      if (pinned[i]) continue;
      let v = x[i] - tStop * g[i];
      // tStop never exceeds an uncrossed breakpoint, so this only absorbs rounding.
      if (v < lower[i]) v = lower[i];
      else if (v > upper[i]) v = upper[i];
      xcp[i] = v;
    }
    for (let j = 0; j < col2; j++) c[j] += dtMin * p[j];
    this.buildPartition(pinnedCount);
  }

  /** Free variables first, then the `pinnedCount` pinned ones, each half in increasing order. */
  private buildPartition(pinnedCount: number): void {
    const { n, pinned, partition } = this;
    // Branch-free: which half a variable goes to follows a pattern no branch predictor could learn.
    let front = 0;
    let back = n - pinnedCount;
    for (let i = 0; i < n; i++) {
      const isPinned = pinned[i];
      partition[front + isPinned * (back - front)] = i;
      front += 1 - isPinned;
      back += isPinned;
    }
    this.nFree = front;
  }
}

function siftDown(heap: Int32Array, size: number, key: Float64Array, start: number): void {
  let i = start;
  const item = heap[i];
  const k = key[item];
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && key[heap[child + 1]] < key[heap[child]]) child++;
    if (key[heap[child]] >= k) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = item;
}

function heapify(heap: Int32Array, size: number, key: Float64Array): void {
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(heap, size, key, i);
}

/** Removes the minimum (heap[0]); returns the new size. */
function heapPop(heap: Int32Array, size: number, key: Float64Array): number {
  const last = size - 1;
  heap[0] = heap[last];
  if (last > 0) siftDown(heap, last, key, 0);
  return last;
}
