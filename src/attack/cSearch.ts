/**
 * The search over the penalty constant c of one attack problem (paper.md, "Search over c"): start at c₀;
 * while the minimizer fails, multiply c by 10 (give up above cMax); once it succeeds, divide by 10 until it
 * fails (stop at cMin). Then refine the bracket [c_fail, c_ok] until the distortion is pinned: the
 * minimizer's distortion grows with c, so the smallest successful distortion lies between the distortions
 * at the bracket's two ends, and the search stops once they differ by at most `distortionTolerance` of
 * the larger, or once the ends' c's are within `cTolerance` of each other (or after `maxRefinements`
 * steps). A refinement step goes to where the target's logit margin at the minimizers, interpolated
 * linearly in log c between the two ends, crosses the success threshold (regula falsi with the Illinois
 * modification, kept inside the bracket's central 90%), or to the geometric midpoint √(c_fail·c_ok) with
 * `step: 'bisection'`. The paper's fixed schedule — ten bisections, every time — is
 * `{ step: 'bisection', distortionTolerance: 0, cTolerance: 0, maxRefinements: 10 }`.
 *
 * A pure state machine: it is told the outcome of each inner minimization and says which c to try next.
 * The successful point with the smallest distortion is kept.
 */

export interface CSearchOptions {
  /**
   * First c: a number, or 'estimate' (the default) for one per problem from the image itself — the
   * attack's choice, 4·CE/‖∇CE‖² at x, the c at which a linear model with the same margin and gradient
   * would put the minimizer on the decision boundary, clamped to [minC, maxC].
   */
  initialC: number | 'estimate';
  /** Give up when c would exceed this without a success (default 1e10). */
  maxC: number;
  /** Stop dividing when c would drop below this (default 1e-6). */
  minC: number;
  /**
   * Factor by which c grows (after failures) or shrinks (after successes) until the bracket is found
   * (default 3: the estimated first c is usually within 3× of the answer, and a narrow bracket saves
   * refinements; the paper's search steps by 10 from 0.01).
   */
  bracketFactor: number;
  /** Refinement steps after the bracket is found, at most (default 10). */
  maxRefinements: number;
  /**
   * Stop refining once (d_ok − d_fail) ≤ tolerance · d_ok, the distortions of the minimizers at the
   * bracket's ends (default 0.005: the kept distortion is within 0.5% of the bracket's smallest
   * successful one). 0 always runs `maxRefinements` steps.
   */
  distortionTolerance: number;
  /**
   * Stop refining once c_ok ≤ (1 + tolerance)·c_fail, the c's at the bracket's ends (default 0.001; 0 only
   * stops where floating point cannot split the bracket). Where the minimizer jumps as c crosses the
   * threshold — into another local minimum, or, with warm starts, out of the basin a failing start sits
   * in — the distortions at the two ends never come within `distortionTolerance`, and narrowing c further
   * repeats the same two minimizers: on the trained convnet this rule cut warm-started searches from 11.8 to
   * 9.3 solves per image, every distortion unchanged (docs/benchmarks.md).
   */
  cTolerance: number;
  /** How a refinement step picks c: 'margin' interpolation (default) or 'bisection'. */
  step: 'margin' | 'bisection';
}

export const DEFAULT_C_SEARCH: CSearchOptions = {
  initialC: 'estimate',
  maxC: 1e10,
  minC: 1e-6,
  bracketFactor: 3,
  maxRefinements: 10,
  distortionTolerance: 0.005,
  cTolerance: 0.001,
  step: 'margin',
};

/** The paper's schedule, and blindspot's before the adaptive search: from 0.01, then ten bisections every time. */
export const EXHAUSTIVE_C_SEARCH: Partial<CSearchOptions> = { initialC: 0.01, bracketFactor: 10, step: 'bisection', distortionTolerance: 0, cTolerance: 0, maxRefinements: 10 };

/** Checks c-search options before any work; the message names the option and its accepted range. */
export function validateCSearchOptions(o: CSearchOptions): void {
  const positive = (name: keyof CSearchOptions) => {
    const v = o[name] as number;
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`c search: ${name} must be a finite number > 0, got ${v}`);
  };
  positive('maxC');
  positive('minC');
  if (!(o.bracketFactor > 1) || !Number.isFinite(o.bracketFactor)) throw new Error(`c search: bracketFactor must be a finite number > 1, got ${o.bracketFactor}`);
  if (!(o.minC <= o.maxC)) throw new Error(`c search: need minC ≤ maxC, got ${o.minC} and ${o.maxC}`);
  if (o.initialC !== 'estimate') {
    positive('initialC');
    if (!(o.minC <= o.initialC && o.initialC <= o.maxC)) {
      throw new Error(`c search: need minC ≤ initialC ≤ maxC, got ${o.minC}, ${o.initialC}, ${o.maxC}`);
    }
  }
  if (!Number.isSafeInteger(o.maxRefinements) || o.maxRefinements < 0) {
    throw new Error(`c search: maxRefinements must be an integer ≥ 0, got ${o.maxRefinements}`);
  }
  if (!(o.distortionTolerance >= 0 && o.distortionTolerance < 1)) {
    throw new Error(`c search: distortionTolerance must be in [0, 1), got ${o.distortionTolerance}`);
  }
  if (!(o.cTolerance >= 0) || !Number.isFinite(o.cTolerance)) throw new Error(`c search: cTolerance must be a finite number ≥ 0, got ${o.cTolerance}`);
  if (o.step !== 'margin' && o.step !== 'bisection') throw new Error(`c search: step must be 'margin' or 'bisection', got ${String(o.step)}`);
}

/** The search in words, for reports: "c from an estimate per image, ×3 …". */
export function describeCSearch(o: CSearchOptions): string {
  const first = o.initialC === 'estimate' ? 'c estimated per image from CE and ∇CE at x' : `c from ${o.initialC}`;
  const bracket = `${first}, ×${o.bracketFactor} up to ${o.maxC.toExponential()} until the minimizer succeeds, ÷${o.bracketFactor} down to ${o.minC.toExponential()} while it does`;
  const step = o.step === 'margin' ? 'interpolating the target\'s logit margin in log c' : 'geometric bisection';
  const pinned = [
    o.distortionTolerance > 0 ? `the distortions at the bracket's ends differ by at most ${100 * o.distortionTolerance}%` : '',
    o.cTolerance > 0 ? `its c's by at most ${100 * o.cTolerance}%` : '',
  ].filter(Boolean);
  const stop = pinned.length > 0 ? `until ${pinned.join(' or ')}, at most ${o.maxRefinements} steps` : `${o.maxRefinements} steps`;
  return `${bracket}, then refined by ${step}, ${stop}`;
}

type Phase = 'first' | 'up' | 'down' | 'refine' | 'done';

export interface CTrial {
  c: number;
  success: boolean;
  distortion: number;
  /**
   * The target's logit minus the largest other logit at the minimizer, less the margin success requires:
   * ≥ 0 on success (NaN when the objective was not finite).
   */
  margin: number;
}

/** One end of the bracket: a trial, and the margin used for interpolation (halved by the Illinois rule). */
interface End {
  trial: CTrial;
  weight: number;
}

export class CSearch {
  private phase: Phase = 'first';
  private fail: End | null = null;
  private ok: End | null = null;
  private lastMoved: 'fail' | 'ok' | null = null;
  private refinements = 0;
  /** Every c tried, in order, with its outcome. */
  readonly trials: CTrial[] = [];
  /** The c to try now (undefined once done). */
  c: number | undefined;
  /** The successful trial with the smallest distortion. */
  best: CTrial | null = null;

  /** @param estimate the first c when `options.initialC` is 'estimate' (clamped to [minC, maxC]). */
  constructor(
    readonly options: CSearchOptions = DEFAULT_C_SEARCH,
    estimate = Number.NaN,
  ) {
    if (options.initialC !== 'estimate') this.c = options.initialC;
    else if (Number.isFinite(estimate) && estimate > 0) this.c = Math.min(options.maxC, Math.max(options.minC, estimate));
    else throw new Error(`CSearch: initialC is 'estimate' but the estimate is ${estimate}`);
  }

  /**
   * The first c for an image from CE and ‖∇CE‖² at x (target l, true label y). When p_y ≈ 1,
   * CE ≈ z_y − z_l and ∇CE ≈ ∇(z_y − z_l), so a linear model's boundary lies δ ≈ CE/‖∇CE‖ away; at the
   * minimizer 2r = −c·∇CE(x + r), and on the boundary p_y ≈ p_l ≈ ½ halves the gradient, so reaching it
   * takes c ≈ 4δ/‖∇CE‖ = 4·CE/‖∇CE‖². Measured on the trained zoo the found c is within a factor of ~3 of
   * this for most images (FC10(1), whose heavy decay flattens the logits, needs ~5× less). The paper's
   * 0.01 where the estimate is not a positive number.
   */
  static estimateFirstC(crossEntropy: number, gradientNormSquared: number): number {
    const estimate = (4 * crossEntropy) / gradientNormSquared;
    return Number.isFinite(estimate) && estimate > 0 ? estimate : 0.01;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** Whether a success was ever seen. */
  get succeeded(): boolean {
    return this.best !== null;
  }

  /**
   * Record the outcome at the current c and move to the next c (or finish). `margin` is the target's
   * logit lead at the minimizer less the required margin (NaN if unknown). Returns true if this trial
   * became the best.
   */
  report(success: boolean, distortion: number, margin = Number.NaN): boolean {
    const c = this.c;
    if (c === undefined) throw new Error('CSearch.report: the search is already done');
    const trial: CTrial = { c, success, distortion, margin };
    this.trials.push(trial);
    let improved = false;
    if (success && (!this.best || distortion < this.best.distortion)) {
      this.best = trial;
      improved = true;
    }
    this.updateBracket(trial);
    this.c = this.next(trial);
    return improved;
  }

  /** The bracket's ends: the largest failing c and the smallest successful c seen. */
  private updateBracket(trial: CTrial): void {
    if (trial.success) {
      if (this.ok && trial.c >= this.ok.trial.c) return;
      this.ok = { trial, weight: trial.margin };
      if (this.lastMoved === 'ok' && this.fail) this.fail.weight /= 2;
      this.lastMoved = 'ok';
    } else {
      if (this.fail && trial.c <= this.fail.trial.c) return;
      this.fail = { trial, weight: trial.margin };
      if (this.lastMoved === 'fail' && this.ok) this.ok.weight /= 2;
      this.lastMoved = 'fail';
    }
  }

  private next(trial: CTrial): number | undefined {
    const o = this.options;
    const c = trial.c;
    switch (this.phase) {
      case 'first':
        this.phase = trial.success ? 'down' : 'up';
        return this.next(trial);
      case 'up':
        if (trial.success) return this.refine();
        if (c * o.bracketFactor > o.maxC) return this.finish();
        return c * o.bracketFactor;
      case 'down':
        if (!trial.success) return this.refine();
        if (c / o.bracketFactor < o.minC) return this.finish();
        return c / o.bracketFactor;
      case 'refine':
        this.refinements++;
        return this.refine();
      case 'done':
        return undefined;
    }
  }

  /** The next c inside the bracket, or the end of the search once the distortion is pinned. */
  private refine(): number | undefined {
    const o = this.options;
    this.phase = 'refine';
    const fail = this.fail!;
    const ok = this.ok!;
    if (this.refinements >= o.maxRefinements) return this.finish();
    const dFail = fail.trial.distortion;
    const dOk = ok.trial.distortion;
    if (o.distortionTolerance > 0 && dOk - dFail <= o.distortionTolerance * dOk) return this.finish();
    if (ok.trial.c <= (1 + o.cTolerance) * fail.trial.c) return this.finish();
    const lo = Math.log(fail.trial.c);
    const hi = Math.log(ok.trial.c);
    // Nothing left to split in floating point.
    if (!(hi - lo > 1e-12)) return this.finish();
    let t = 0.5;
    if (o.step === 'margin' && Number.isFinite(fail.weight) && Number.isFinite(ok.weight) && ok.weight > fail.weight) {
      t = Math.min(0.95, Math.max(0.05, -fail.weight / (ok.weight - fail.weight)));
    }
    return Math.exp(lo + t * (hi - lo));
  }

  private finish(): undefined {
    this.phase = 'done';
    return undefined;
  }
}
