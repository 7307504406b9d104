/**
 * Box handling shared by the L-BFGS-B pieces: validation, projection, the projected-gradient
 * stopping measure and the largest feasible step along a direction.
 *
 * Absent bounds are stored as ±Infinity so that the hot loops need no "has bound" branches: a
 * distance to an infinite bound is infinite and never blocks a step.
 *
 * @module
 */

/** Validated bounds of one problem. */
export interface Box {
  /** Lower bounds, −Infinity where absent. */
  readonly lower: Float64Array;
  /** Upper bounds, +Infinity where absent. */
  readonly upper: Float64Array;
  /** True when at least one finite bound exists (otherwise the Cauchy search can be skipped). */
  readonly constrained: boolean;
  /** True when every variable has two finite bounds (changes the first-iteration trial step). */
  readonly boxed: boolean;
}

/**
 * Checks and normalizes user bounds. `null` means "no bound on that side for any variable";
 * NaN entries are rejected rather than guessed at.
 * @throws Error when a bound array has the wrong length, holds NaN, or lower > upper somewhere.
 */
export function prepareBox(n: number, lower: Float64Array | null, upper: Float64Array | null): Box {
  if (lower !== null && lower.length !== n) {
    throw new Error(`L-BFGS-B: lower bounds have length ${lower.length}, expected ${n}`);
  }
  if (upper !== null && upper.length !== n) {
    throw new Error(`L-BFGS-B: upper bounds have length ${upper.length}, expected ${n}`);
  }
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  let constrained = false;
  let boxed = n > 0;
  for (let i = 0; i < n; i++) {
    const l = lower === null ? -Infinity : lower[i];
    const u = upper === null ? Infinity : upper[i];
    if (Number.isNaN(l) || Number.isNaN(u)) {
      throw new Error(`L-BFGS-B: bound of variable ${i} is NaN (lower ${l}, upper ${u})`);
    }
    if (l > u) {
      throw new Error(`L-BFGS-B: lower bound exceeds upper bound for variable ${i}: lower ${l} > upper ${u}`);
    }
    if (l === Infinity || u === -Infinity) {
      throw new Error(`L-BFGS-B: variable ${i} has an empty feasible interval [${l}, ${u}]`);
    }
    lo[i] = l;
    hi[i] = u;
    const finiteL = l > -Infinity;
    const finiteU = u < Infinity;
    if (finiteL || finiteU) constrained = true;
    if (!(finiteL && finiteU)) boxed = false;
  }
  return { lower: lo, upper: hi, constrained, boxed };
}

/**
 * Clips x into the box in place and describes what was changed, or returns null when x was
 * already feasible.
 */
export function projectIntoBox(x: Float64Array, box: Box): string | null {
  let moved = 0;
  let first = -1;
  let firstValue = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < box.lower[i] || v > box.upper[i]) {
      if (first < 0) {
        first = i;
        firstValue = v;
      }
      moved++;
      x[i] = v < box.lower[i] ? box.lower[i] : box.upper[i];
    }
  }
  if (moved === 0) return null;
  return (
    `x0 had ${moved} component(s) outside the bounds and was projected into the box ` +
    `(first: index ${first}, value ${firstValue} not in [${box.lower[first]}, ${box.upper[first]}])`
  );
}

/**
 * ‖P(x − g) − x‖∞, the first-order optimality measure of the box-constrained problem: zero exactly
 * at a KKT point, and equal to ‖g‖∞ when no bound is near. Each term is min(g_i, x_i − l_i) or
 * max(g_i, x_i − u_i) by the sign of g_i, as the reference code computes it: forming x − g and
 * subtracting x again would round g away wherever |x_i| ≫ |g_i|, and report convergence there.
 */
export function projectedGradientNorm(x: Float64Array, g: Float64Array, box: Box): number {
  const { lower, upper } = box;
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] < 0 ? Math.max(x[i] - upper[i], g[i]) : Math.min(x[i] - lower[i], g[i]);
    const a = Math.abs(gi);
    if (a > norm) norm = a;
  }
  return norm;
}

/**
 * Largest α ≤ cap with x + αd inside the box (x assumed feasible). A variable already on a bound
 * with d pointing out of the box gives 0.
 */
export function maxFeasibleStep(x: Float64Array, d: Float64Array, box: Box, cap: number): number {
  const { lower, upper } = box;
  let alpha = cap;
  for (let i = 0; i < x.length; i++) {
    const di = d[i];
    if (di < 0) {
      const room = lower[i] - x[i];
      if (room >= 0) return 0;
      if (di * alpha < room) alpha = room / di;
    } else if (di > 0) {
      const room = upper[i] - x[i];
      if (room <= 0) return 0;
      if (di * alpha > room) alpha = room / di;
    }
  }
  return alpha;
}

const HALF_MAX = Number.MAX_VALUE / 2;

/**
 * Largest α ≤ cap for which no x_i + α·d_i can overflow, with a margin of half the double range for
 * rounding: |x_i| + α·|d_i| ≤ MAX/2 + |x_i|/2 ≤ MAX. Without bounds nothing else stops a line search
 * that extrapolates along a very long direction from asking for f at ±Infinity.
 */
export function finiteStep(x: Float64Array, d: Float64Array, cap: number): number {
  let alpha = cap;
  for (let i = 0; i < x.length; i++) {
    const di = Math.abs(d[i]);
    if (di === 0) continue;
    const limit = (HALF_MAX - Math.abs(x[i]) / 2) / di;
    if (limit < alpha) alpha = limit;
  }
  return alpha;
}
