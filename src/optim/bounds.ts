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
  /**
   * True when every variable has two finite bounds below 1e300 in magnitude: then no step that stays in
   * the box can come near the double range, and {@link stepToOverflow} never binds.
   */
  readonly moderate: boolean;
}

/**
 * Checks and normalizes user bounds. `null` means "no bound on that side for any variable";
 * NaN entries are rejected rather than guessed at. With `into`, the normalized bounds are written to
 * its arrays (a solver starting another problem) instead of new ones.
 * @throws Error when a bound array has the wrong length, holds NaN, or lower > upper somewhere.
 */
export function prepareBox(n: number, lower: Float64Array | null, upper: Float64Array | null, into?: Box): Box {
  if (lower !== null && lower.length !== n) {
    throw new Error(`L-BFGS-B: lower bounds have length ${lower.length}, expected ${n}`);
  }
  if (upper !== null && upper.length !== n) {
    throw new Error(`L-BFGS-B: upper bounds have length ${upper.length}, expected ${n}`);
  }
  const lo = into?.lower ?? new Float64Array(n);
  const hi = into?.upper ?? new Float64Array(n);
  let constrained = false;
  let boxed = n > 0;
  let largest = 0;
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
    largest = Math.max(largest, Math.abs(l), Math.abs(u));
  }
  return { lower: lo, upper: hi, constrained, boxed, moderate: boxed && largest <= SMALL_POINT };
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
 * at a KKT point, and equal to ‖g‖∞ when no bound is near. See {@link projectedGradientTerm}.
 */
export function projectedGradientNorm(x: Float64Array, g: Float64Array, box: Box): number {
  const { lower, upper } = box;
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    const a = projectedGradientTerm(x[i], g[i], lower[i], upper[i]);
    if (a > norm) norm = a;
  }
  return norm;
}

/**
 * |P(x − g)_i − x_i| for one variable, computed as the reference code does, min(g_i, x_i − l_i) or
 * max(g_i, x_i − u_i) by the sign of g_i: forming x − g and subtracting x again would round g away
 * wherever |x_i| ≫ |g_i|, and report convergence there. For a feasible x that magnitude is the smaller of
 * |g_i| and the room to the bound g_i pushes towards, which is how it is computed: one select, no branch
 * on the sign of g (which follows no pattern a branch predictor could learn).
 */
export function projectedGradientTerm(x: number, g: number, lower: number, upper: number): number {
  return Math.min(Math.abs(g), g < 0 ? upper - x : x - lower);
}

/**
 * One variable's share of the largest feasible step: the largest α ≤ `alpha` with x + αd in [lower, upper]
 * (x assumed feasible). Folded over the variables from a cap, it gives the largest step along d that
 * stays in the box; a variable already on a bound with d pointing out of the box gives 0.
 */
export function stepToBound(x: number, d: number, lower: number, upper: number, alpha: number): number {
  if (d < 0) {
    const room = lower - x;
    if (room >= 0) return 0;
    if (d * alpha < room) return room / d;
  } else if (d > 0) {
    const room = upper - x;
    if (room <= 0) return 0;
    if (d * alpha > room) return room / d;
  }
  return alpha;
}

const HALF_MAX = Number.MAX_VALUE / 2;
/**
 * Below these, (MAX/2 − |x|/2)/|d| exceeds 8.9e307: no step cap the solver uses comes near it, nor any step
 * to a bound of that size.
 */
const SMALL_DIRECTION = 1;
const SMALL_POINT = 1e300;

/**
 * One variable's share of the largest step that keeps x + αd finite: the smaller of `alpha` and the α at
 * which |x| + α·|d| reaches half the double range (a margin for rounding: |x| + α·|d| ≤ MAX/2 + |x|/2 ≤
 * MAX). Without bounds nothing else stops a line search that extrapolates along a very long direction
 * from asking for f at ±Infinity. The division is skipped where its result could not be below any cap the
 * solver uses (≤ 1e10), which changes no result.
 */
export function stepToOverflow(x: number, d: number, alpha: number): number {
  const size = Math.abs(d);
  const magnitude = Math.abs(x);
  if (size <= SMALL_DIRECTION && magnitude <= SMALL_POINT) return alpha;
  const limit = (HALF_MAX - magnitude / 2) / size;
  return limit < alpha ? limit : alpha;
}
