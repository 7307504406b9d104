/**
 * The O(n·m) kernels of the compact representation B = θI − W M Wᵀ, W = [Y, θS]: products of the stored
 * columns with a vector (Wᵀv) and combinations of them (W·w), over a list of coordinates (the free
 * variables, the variables that move along the Cauchy path), v and the results indexed by position in it.
 *
 * Every kernel works on two pairs (s_j, y_j), (s_{j+1}, y_{j+1}) per pass over the coordinates, with its
 * sums in locals: one load of v (and of the coordinate's index) then serves four products instead of one,
 * which measured 1.6× faster than one pass per column in V8 (blocking further gained nothing: the loads of
 * the columns themselves are the limit). The blocking changes no result: each sum still runs over the
 * coordinates in increasing order, and each combination still adds its columns' terms in the order of j,
 * exactly as one pass per column did.
 *
 * Columns are addressed by `offsets[j]`, the start of logical pair j (0 = oldest) in the slot-major
 * arrays S and Y (see CompactMemory).
 *
 * @module
 */

/**
 * out[j] = Σ_p y_j[i_p]·v[p] and out[count + j] = θ·Σ_p s_j[i_p]·v[p] over the coordinates
 * i_p = indices[p], p < len, with v indexed by position in the list.
 */
export function columnDotsAt(
  s: Float64Array,
  y: Float64Array,
  offsets: Int32Array,
  count: number,
  theta: number,
  indices: Int32Array,
  len: number,
  v: Float64Array,
  out: Float64Array,
): void {
  for (let j = 0; j < count; j += 2) {
    const a = offsets[j];
    // An odd last pair runs as its own partner, and the second sums are dropped.
    const paired = j + 1 < count;
    const b = paired ? offsets[j + 1] : a;
    let ya = 0;
    let sa = 0;
    let yb = 0;
    let sb = 0;
    for (let p = 0; p < len; p++) {
      const i = indices[p];
      const vi = v[p];
      ya += y[a + i] * vi;
      sa += s[a + i] * vi;
      yb += y[b + i] * vi;
      sb += s[b + i] * vi;
    }
    out[j] = ya;
    out[count + j] = theta * sa;
    if (paired) {
      out[j + 1] = yb;
      out[count + j + 1] = theta * sb;
    }
  }
}

/**
 * out[p] += sign · Σ_j (y_j[i]·cy[j] + s_j[i]·cs[j]) for i = indices[p], p < len, the terms added (sign 1)
 * or subtracted (sign −1) one j after the other, in increasing j.
 */
export function combineColumnsAt(
  s: Float64Array,
  y: Float64Array,
  offsets: Int32Array,
  count: number,
  indices: Int32Array,
  len: number,
  cy: Float64Array,
  cs: Float64Array,
  sign: 1 | -1,
  out: Float64Array,
): void {
  let j = 0;
  for (; j + 1 < count; j += 2) {
    const a = offsets[j];
    const b = offsets[j + 1];
    const ya = cy[j];
    const sa = cs[j];
    const yb = cy[j + 1];
    const sb = cs[j + 1];
    if (sign > 0) {
      for (let p = 0; p < len; p++) {
        const i = indices[p];
        let acc = out[p];
        acc += y[a + i] * ya + s[a + i] * sa;
        acc += y[b + i] * yb + s[b + i] * sb;
        out[p] = acc;
      }
    } else {
      for (let p = 0; p < len; p++) {
        const i = indices[p];
        let acc = out[p];
        acc -= y[a + i] * ya + s[a + i] * sa;
        acc -= y[b + i] * yb + s[b + i] * sb;
        out[p] = acc;
      }
    }
  }
  if (j < count) {
    const a = offsets[j];
    const ya = cy[j];
    const sa = cs[j];
    for (let p = 0; p < len; p++) {
      const i = indices[p];
      const term = y[a + i] * ya + s[a + i] * sa;
      out[p] = sign > 0 ? out[p] + term : out[p] - term;
    }
  }
}
