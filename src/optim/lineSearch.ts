/**
 * Moré–Thuente line search (Moré & Thuente 1994, "Line search algorithms with guaranteed
 * sufficient decrease"), written as a resumable object so the caller can hand in function values
 * whenever they arrive (one step of a batched evaluation, say).
 *
 * It looks for a step α in [αmin, αmax] with
 *
 *     φ(α) ≤ φ(0) + ftol·α·φ′(0)        (sufficient decrease)
 *     |φ′(α)| ≤ gtol·|φ′(0)|            (curvature; together: strong Wolfe)
 *
 * keeping an interval of uncertainty [stx, sty]. Until φ(α) − ftol·α·φ′(0) has been seen
 * to be non-increasing with a non-negative derivative ("stage 1"), the trial steps are chosen on
 * that auxiliary function ψ instead of φ, which is what guarantees progress on ψ's
 * interval. New trial steps come from safeguarded cubic / quadratic / secant interpolation
 * (the paper's cases 1–4), with bisection forced whenever the interval fails to shrink by a third.
 *
 * @module
 */

/** What the caller should do after {@link MoreThuenteSearch.update}. */
export type SearchOutcome = 'evaluate' | 'converged' | 'warning';

/** Shrink factor below which the bracket is bisected instead of interpolated (MT94). */
const SHRINK = 0.66;
/** Before bracketing, the next trial lies in [α + 1.1(α − stx), α + 4(α − stx)]. */
const EXTRAPOLATE_LOW = 1.1;
const EXTRAPOLATE_HIGH = 4.0;

/** Resumable strong-Wolfe line search on φ(α) = f(x + α d). */
export class MoreThuenteSearch {
  /** Sufficient-decrease constant. */
  readonly ftol: number;
  /** Curvature constant. */
  readonly gtol: number;
  /** Relative width of the bracket below which the search gives up refining. */
  readonly xtol: number;
  /** Current trial step: the step to evaluate next, or the accepted one after a stop. */
  step = 0;
  /** Why the last 'warning' outcome was returned (diagnostics only). */
  warning = '';

  private stepMin = 0;
  private stepMax = 0;
  private bracketed = false;
  private stage1 = true;
  private fInit = 0;
  private gInit = 0;
  private gTest = 0;
  private width = 0;
  private width1 = 0;
  // Best step so far (lowest ψ or φ) and the other end of the interval, with their values.
  private stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  // Interval the next trial must lie in.
  private lo = 0;
  private hi = 0;
  private gamma = 0;

  /**
   * @param ftol sufficient-decrease constant (reference L-BFGS-B: 1e-3)
   * @param gtol curvature constant (reference: 0.9)
   * @param xtol bracket relative tolerance (reference: 0.1)
   */
  constructor(ftol = 1e-3, gtol = 0.9, xtol = 0.1) {
    this.ftol = ftol;
    this.gtol = gtol;
    this.xtol = xtol;
  }

  /**
   * Starts a search from φ(0) = f0 with slope φ′(0) = slope0 < 0; `step` becomes the first trial.
   * @throws Error when the arguments cannot start a descent search (a caller bug, not bad data).
   */
  start(f0: number, slope0: number, step: number, stepMin: number, stepMax: number): void {
    if (!(slope0 < 0)) throw new Error(`line search needs a descent direction (slope ${slope0})`);
    if (!(step >= stepMin && step <= stepMax)) {
      throw new Error(`line search initial step ${step} outside [${stepMin}, ${stepMax}]`);
    }
    this.step = step;
    this.stepMin = stepMin;
    this.stepMax = stepMax;
    this.bracketed = false;
    this.stage1 = true;
    this.fInit = f0;
    this.gInit = slope0;
    this.gTest = this.ftol * slope0;
    this.width = stepMax - stepMin;
    this.width1 = 2 * this.width;
    this.stx = 0;
    this.fx = f0;
    this.gx = slope0;
    this.sty = 0;
    this.fy = f0;
    this.gy = slope0;
    this.lo = 0;
    this.hi = step + EXTRAPOLATE_HIGH * step;
    this.warning = '';
  }

  /**
   * Feeds φ(step) and φ′(step). Returns 'converged' when the strong Wolfe conditions hold,
   * 'warning' when no better step can be produced (the current `step` is then the search's
   * answer, as in the reference code), or 'evaluate' with `step` set to the next trial.
   */
  update(f: number, slope: number): SearchOutcome {
    const step = this.step;
    const fTest = this.fInit + step * this.gTest;
    if (this.stage1 && f <= fTest && slope >= 0) this.stage1 = false;

    let warning = '';
    if (this.bracketed && (step <= this.lo || step >= this.hi)) warning = 'rounding errors prevent progress';
    if (this.bracketed && this.hi - this.lo <= this.xtol * this.hi) warning = 'bracket below xtol';
    if (step === this.stepMax && f <= fTest && slope <= this.gTest) warning = 'step at maximum';
    if (step === this.stepMin && (f > fTest || slope >= this.gTest)) warning = 'step at minimum';
    if (f <= fTest && Math.abs(slope) <= this.gtol * -this.gInit) return 'converged';
    if (warning !== '') {
      this.warning = warning;
      return 'warning';
    }

    if (this.stage1 && f <= this.fx && f > fTest) {
      // Interpolate on ψ(α) = φ(α) − α·gTest: it has a minimizer where φ satisfies sufficient
      // decrease, while φ's own interpolants could keep proposing steps that violate it.
      const gt = this.gTest;
      this.fx -= this.stx * gt;
      this.fy -= this.sty * gt;
      this.gx -= gt;
      this.gy -= gt;
      this.chooseTrial(f - step * gt, slope - gt);
      this.fx += this.stx * gt;
      this.fy += this.sty * gt;
      this.gx += gt;
      this.gy += gt;
    } else {
      this.chooseTrial(f, slope);
    }

    if (this.bracketed) {
      const span = Math.abs(this.sty - this.stx);
      if (span >= SHRINK * this.width1) this.step = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = span;
      this.lo = Math.min(this.stx, this.sty);
      this.hi = Math.max(this.stx, this.sty);
    } else {
      this.lo = this.step + EXTRAPOLATE_LOW * (this.step - this.stx);
      this.hi = this.step + EXTRAPOLATE_HIGH * (this.step - this.stx);
    }

    if (this.step < this.stepMin) this.step = this.stepMin;
    if (this.step > this.stepMax) this.step = this.stepMax;
    // Nothing sensible can be tried inside a collapsed bracket: fall back to the best step.
    if (
      this.bracketed &&
      (this.step <= this.lo || this.step >= this.hi || this.hi - this.lo <= this.xtol * this.hi)
    ) {
      this.step = this.stx;
    }
    return 'evaluate';
  }

  /**
   * The function or its slope was not finite at the current trial `step` (outside f's domain, or an
   * overflow): φ there counts as +∞. That brackets the step sought between the best step so far (stx)
   * and this one, and as no interpolant can use an infinite value, the next trial is their midpoint; later
   * trials interpolate on stx's side only. Returns false when the midpoint is no longer distinct from both
   * ends in floating point (nothing is left to try).
   */
  backOff(): boolean {
    const bad = this.step;
    const next = this.stx + 0.5 * (bad - this.stx);
    if (next === this.stx || next === bad) return false;
    this.bracketed = true;
    this.sty = bad;
    this.fy = Infinity;
    this.gy = Number.NaN;
    this.width1 = this.width;
    this.width = Math.abs(bad - this.stx);
    this.lo = Math.min(this.stx, bad);
    this.hi = Math.max(this.stx, bad);
    this.step = next;
    return true;
  }

  /**
   * Fraction r such that a + r·(b − a) minimizes the cubic matching values and slopes at a and b.
   * Scaling by the largest magnitude keeps the discriminant from overflowing. With `clamp`, a
   * negative discriminant (no real minimizer) is treated as zero. Leaves γ in `this.gamma`.
   */
  private cubicFraction(a: number, fa: number, da: number, b: number, fb: number, db: number, clamp: boolean): number {
    const h = b - a;
    const theta = (3 * (fa - fb)) / h + da + db;
    const scale = Math.max(Math.abs(theta), Math.abs(da), Math.abs(db));
    let disc = (theta / scale) * (theta / scale) - (da / scale) * (db / scale);
    if (clamp && disc < 0) disc = 0;
    let gamma = scale * Math.sqrt(disc);
    if (h < 0) gamma = -gamma;
    this.gamma = gamma;
    return (gamma - da + theta) / (gamma - da + gamma + db);
  }

  /**
   * MT94 trial value selection: picks the next trial from (stx, fx, gx), (sty, fy, gy) and the
   * new point (step, fp, dp) and updates the interval of uncertainty. Operates on whichever
   * function (φ or ψ) the caller has loaded into the fields.
   */
  private chooseTrial(fp: number, dp: number): void {
    const stx = this.stx;
    const fx = this.fx;
    const dx = this.gx;
    const stp = this.step;
    const opposite = Math.sign(dp) * Math.sign(dx) < 0;
    let next: number;

    if (fp > fx) {
      // Case 1: higher value, so a minimizer is bracketed. The cubic step is preferred unless it
      // strays further from stx than the quadratic one, in which case take their midpoint.
      const cubic = stx + this.cubicFraction(stx, fx, dx, stp, fp, dp, false) * (stp - stx);
      const quad = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
      next = Math.abs(cubic - stx) < Math.abs(quad - stx) ? cubic : cubic + (quad - cubic) / 2;
      this.bracketed = true;
    } else if (opposite) {
      // Case 2: lower value and the slope changed sign, so a minimizer is bracketed between.
      const cubic = stp + this.cubicFraction(stp, fp, dp, stx, fx, dx, false) * (stx - stp);
      const secant = stp + (dp / (dp - dx)) * (stx - stp);
      next = Math.abs(cubic - stp) > Math.abs(secant - stp) ? cubic : secant;
      this.bracketed = true;
    } else if (Math.abs(dp) < Math.abs(dx)) {
      // Case 3: lower value, same slope sign, slope shrinking. Trust the cubic only if its
      // minimizer lies beyond stp; otherwise head for the end of the allowed interval.
      const r = this.cubicFraction(stp, fp, dp, stx, fx, dx, true);
      let cubic: number;
      if (r < 0 && this.gamma !== 0) cubic = stp + r * (stx - stp);
      else cubic = stp > stx ? this.hi : this.lo;
      const secant = stp + (dp / (dp - dx)) * (stx - stp);
      if (this.bracketed) {
        next = Math.abs(cubic - stp) < Math.abs(secant - stp) ? cubic : secant;
        // Never step more than two thirds of the way to the far end of the bracket.
        const reach = stp + SHRINK * (this.sty - stp);
        next = stp > stx ? Math.min(reach, next) : Math.max(reach, next);
      } else {
        next = Math.abs(cubic - stp) > Math.abs(secant - stp) ? cubic : secant;
        next = Math.max(this.lo, Math.min(this.hi, next));
      }
    } else {
      // Case 4: lower value, same slope sign, slope not shrinking: the function keeps falling. An end
      // where f was not finite (see backOff) has no cubic: bisect towards it instead.
      if (this.bracketed && !Number.isFinite(this.fy)) {
        next = stp + 0.5 * (this.sty - stp);
      } else if (this.bracketed) {
        next = stp + this.cubicFraction(stp, fp, dp, this.sty, this.fy, this.gy, false) * (this.sty - stp);
      } else {
        next = stp > stx ? this.hi : this.lo;
      }
    }

    if (fp > fx) {
      this.sty = stp;
      this.fy = fp;
      this.gy = dp;
    } else {
      if (opposite) {
        this.sty = stx;
        this.fy = fx;
        this.gy = dx;
      }
      this.stx = stp;
      this.fx = fp;
      this.gx = dp;
    }
    this.step = next;
  }
}
