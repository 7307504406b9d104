/**
 * L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995; Zhu et al. 1997; Morales & Nocedal 2011 = version 3.0)
 * in float64 on the CPU, written as a state machine: the solver never calls the objective itself,
 * it says which point it needs ({@link LbfgsbSolver.pending}) and waits to be told f and ∇f there
 * ({@link LbfgsbSolver.tell}). That lets many independent problems share one batched evaluation
 * (see `batched.ts`), which is how the adversarial-example search feeds a GPU.
 *
 * One iteration: generalized Cauchy point (`cauchy.ts`) → subspace minimization over the free
 * variables (`subspace.ts`) → strong-Wolfe line search within the box along d = x̄ − x_k
 * (`lineSearch.ts`) → curvature-pair update of the compact memory (`compactMemory.ts`).
 * See docs/lbfgsb.md for the mapping to the papers.
 *
 * @module
 */

import { type Box, prepareBox, projectIntoBox, projectedGradientNorm, projectedGradientTerm, stepToBound, stepToOverflow } from './bounds.ts';
import { CauchyPoint } from './cauchy.ts';
import { CompactMemory } from './compactMemory.ts';
import { MoreThuenteSearch } from './lineSearch.ts';
import { SubspaceStep } from './subspace.ts';

/** Tuning knobs; every field is optional and defaults to the reference code's value. */
export interface LbfgsbOptions {
  /** Number of curvature pairs kept (m). Default 10. */
  memory?: number;
  /**
   * Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ factr · machine epsilon. Default 1e7
   * (scipy's `ftol` = factr · 2.22e-16 ≈ 2.2e-9). 0 disables the test.
   */
  factr?: number;
  /** Stop when ‖P(x − g) − x‖∞ ≤ pgtol. Default 1e-5. */
  pgtol?: number;
  /** Stop after this many accepted iterations. Default 15000. */
  maxIterations?: number;
  /**
   * Never evaluate f more than this many times (the initial point included); the solver stops
   * with 'max-evaluations' rather than ask for one more. Default 15000.
   */
  maxEvaluations?: number;
  /** Evaluations allowed in one line search before it counts as failed (scipy's maxls). Default 20. */
  maxLineSearchSteps?: number;
}

/**
 * Where a solver stands.
 * - 'running': it wants f and g at {@link LbfgsbSolver.pending}.
 * - 'converged-pgtol': the projected gradient's ∞-norm fell to `pgtol` or below.
 * - 'converged-factr': the relative reduction of f in the last iteration fell to factr·ε or below.
 * - 'max-iterations' / 'max-evaluations': a budget ran out.
 * - 'line-search-failed': the line search failed with an empty memory (i.e. twice in a row with a
 *   restart in between, or already on the steepest-descent first iteration). Trial points where f or g
 *   is not finite count against the line search's budget: it backs off from them, and fails only when
 *   that budget is spent.
 * - 'non-finite': f or g was not finite at x0, so there is no iterate to start from.
 */
export type LbfgsbStatus =
  | 'running'
  | 'converged-pgtol'
  | 'converged-factr'
  | 'max-iterations'
  | 'max-evaluations'
  | 'line-search-failed'
  | 'non-finite';

/** Outcome of a finished (or stopped) minimization. */
export interface LbfgsbResult {
  /** Final iterate (the last accepted point, which has the lowest f of all accepted points). */
  x: Float64Array;
  /** f at {@link x}. Not finite only if the first evaluation (at x0) was not. */
  f: number;
  /** ∇f at {@link x}. */
  g: Float64Array;
  /** Why the solver stopped. */
  status: LbfgsbStatus;
  /** Accepted iterations (scipy's `nit`). */
  iterations: number;
  /** Objective evaluations, the initial one included (scipy's `nfev`). */
  evaluations: number;
  /** ‖P(x − g) − x‖∞ at {@link x}. */
  projectedGradientNorm: number;
  /** Non-fatal remarks, e.g. that x0 had to be projected into the box. */
  warnings: string[];
}

/** Machine epsilon of float64; factr is expressed in units of it. */
const EPSMCH = 2.220446049250313e-16;
/** Step cap used when no bound limits the line search (the reference code's "big"). */
const BIG_STEP = 1e10;

type Phase = 'initial' | 'search' | 'stopped';

/**
 * One bound-constrained minimization driven from outside: call {@link pending} to get the point
 * to evaluate, {@link tell} f and ∇f there, and repeat until `pending()` returns null.
 *
 * All work arrays are allocated in the constructor; a tell() does O(n·m) work and no allocation
 * (save for the rare restart message).
 */
export class LbfgsbSolver {
  /** Problem dimension. */
  readonly n: number;
  /** Non-fatal remarks collected so far. */
  readonly warnings: string[] = [];
  private currentStatus: LbfgsbStatus = 'running';
  private phase: Phase = 'initial';

  private readonly options: ResolvedOptions;
  private box: Box;
  private readonly mem: CompactMemory;
  private readonly cauchy: CauchyPoint;
  private readonly subspace: SubspaceStep;
  private readonly search = new MoreThuenteSearch(1e-3, 0.9, 0.1);

  // Current iterate and the trial point of the running line search; swapped on acceptance.
  private xk: Float64Array;
  private gk: Float64Array;
  private fk = Number.NaN;
  private xTrial: Float64Array;
  private gTrial: Float64Array;
  /** x̄: GCP, then the subspace step's point. */
  private readonly xBar: Float64Array;
  /** Search direction d = x̄ − x_k. */
  private readonly dir: Float64Array;
  private lineSearchEvals = 0;
  private iterationCount = 0;
  private evaluationCount = 0;
  private restartCount = 0;
  private pgNorm = Number.NaN;
  private iterateTold = 0;

  /**
   * @param x0 starting point (copied; projected into the box with a warning if outside it)
   * @param lower lower bounds, or null for none; entries may be −Infinity
   * @param upper upper bounds, or null for none; entries may be +Infinity
   * @param options see {@link LbfgsbOptions}
   * @throws Error when x0 is empty, lower > upper for some variable, a bound or x0 entry is NaN, an
   *   x0 entry is infinite even after projection, lengths disagree, or an option is out of range.
   */
  constructor(x0: Float64Array, lower: Float64Array | null, upper: Float64Array | null, options: LbfgsbOptions = {}) {
    const n = x0.length;
    if (!(n > 0)) throw new Error('L-BFGS-B: x0 is empty (n = 0); there is nothing to minimize');
    this.n = n;
    this.options = resolveOptions(options);
    const m = this.options.memory;
    this.box = prepareBox(n, lower, upper);
    this.mem = new CompactMemory(n, m);
    this.cauchy = new CauchyPoint(n, m);
    this.subspace = new SubspaceStep(n, m);
    this.xk = new Float64Array(n);
    this.gk = new Float64Array(n);
    this.xTrial = new Float64Array(n);
    this.gTrial = new Float64Array(n);
    this.xBar = new Float64Array(n);
    this.dir = new Float64Array(n);
    this.begin(x0, lower, upper);
  }

  /**
   * Starts another problem of the same dimension with the same options in this solver: what
   * `new LbfgsbSolver(x0, lower, upper, options)` would give, bit for bit, without allocating its work
   * arrays again (a batch reuses the solvers of finished problems this way).
   * @throws Error as the constructor does; the solver is then left stopped.
   */
  restart(x0: Float64Array, lower: Float64Array | null, upper: Float64Array | null): this {
    if (x0.length !== this.n) throw new Error(`L-BFGS-B: x0 has length ${x0.length}, but this solver's problems have dimension ${this.n}`);
    this.begin(x0, lower, upper);
    return this;
  }

  private begin(x0: Float64Array, lower: Float64Array | null, upper: Float64Array | null): void {
    const n = this.n;
    // Until the new problem is in place the solver asks for nothing (a restart that throws leaves it so).
    this.phase = 'stopped';
    checkNotNaN(x0);
    this.box = prepareBox(n, lower, upper, this.box);
    this.xTrial.set(x0);
    this.warnings.length = 0;
    const note = projectIntoBox(this.xTrial, this.box);
    if (note !== null) this.warnings.push(note);
    checkFinite(this.xTrial);
    this.xk.set(this.xTrial);
    this.mem.clear();
    this.fk = Number.NaN;
    this.pgNorm = Number.NaN;
    this.lineSearchEvals = 0;
    this.iterationCount = 0;
    this.evaluationCount = 0;
    this.restartCount = 0;
    this.iterateTold = 0;
    this.currentStatus = 'running';
    this.phase = 'initial';
  }

  /** Why the solver stopped, or 'running'. */
  get status(): LbfgsbStatus {
    return this.currentStatus;
  }

  /** Copy of the current iterate (x0 projected into the box until the first evaluation is told). */
  get x(): Float64Array {
    return Float64Array.from(this.xk);
  }

  /** f at the current iterate (NaN before the first evaluation). */
  get f(): number {
    return this.fk;
  }

  /** Copy of ∇f at the current iterate. */
  get g(): Float64Array {
    return Float64Array.from(this.gk);
  }

  /** Accepted iterations so far. */
  get iterations(): number {
    return this.iterationCount;
  }

  /** Evaluations told so far. */
  get evaluations(): number {
    return this.evaluationCount;
  }

  /** Times the memory was dropped (line-search failure or an unusable middle/reduced matrix). */
  get restarts(): number {
    return this.restartCount;
  }

  /** ‖P(x − g) − x‖∞ at the current iterate (NaN before the first evaluation). */
  get projectedGradientNorm(): number {
    return this.pgNorm;
  }

  /**
   * Which evaluation (1-based, as counted by {@link evaluations}) the current iterate came from; 0 before
   * the first. Right after a `tell`, `iterateEvaluation === evaluations` says the told point became the
   * iterate, so a caller can keep by-products of that evaluation (a network's logits, say) for it.
   */
  get iterateEvaluation(): number {
    return this.iterateTold;
  }

  /**
   * The point whose f and g the solver needs next, or null once it has stopped. The array is the
   * solver's own buffer: read it (or copy it), do not modify it; it stays valid until the next
   * {@link tell}.
   */
  pending(): Float64Array | null {
    return this.phase === 'stopped' ? null : this.xTrial;
  }

  /**
   * Hands the solver f and g at the pending point. `g` is copied.
   * @throws Error if the solver has stopped or g has the wrong length.
   */
  tell(f: number, g: Float64Array): void {
    if (g.length !== this.n) throw new Error(`L-BFGS-B: gradient has length ${g.length}, expected ${this.n}`);
    this.tellAt(f, g, 0);
  }

  /**
   * {@link tell} with the gradient read from `values[offset .. offset + n)`, e.g. one row of a batch's
   * packed gradients, without a view per row.
   * @throws Error if the solver has stopped or `values` ends before offset + n.
   */
  tellAt(f: number, values: Float64Array, offset: number): void {
    if (this.phase === 'stopped') throw new Error('L-BFGS-B: tell() called on a stopped solver');
    const n = this.n;
    if (!(Number.isSafeInteger(offset) && offset >= 0 && offset + n <= values.length)) {
      throw new Error(`L-BFGS-B: a gradient of length ${n} at offset ${offset} does not fit in ${values.length} values`);
    }
    this.evaluationCount++;
    // One pass copies g, checks it and takes the slope along d (which only a line search trial uses).
    // v·0 is 0 for a finite v and NaN otherwise, so `poison` stays 0 exactly when every entry is finite.
    let poison = 0;
    let slope = 0;
    const gt = this.gTrial;
    const d = this.dir;
    for (let i = 0; i < n; i++) {
      const v = values[offset + i];
      gt[i] = v;
      poison += v * 0;
      slope += v * d[i];
    }
    const finite = Number.isFinite(f) && poison === 0;

    if (this.phase === 'initial') {
      // The initial point becomes the iterate even when its values are bad, so that x/f/g
      // describe what was evaluated.
      this.swapTrialIn(f);
      if (!finite) return this.stop('non-finite');
      this.pgNorm = projectedGradientNorm(this.xk, this.gk, this.box);
      if (this.pgNorm <= this.options.pgtol) return this.stop('converged-pgtol');
      this.beginIteration();
      return;
    }

    this.lineSearchEvals++;
    if (!finite) {
      // The trial left f's domain or overflowed; the iterate is untouched. Back off towards the best
      // step (scipy's driver, fed a NaN, instead extrapolates to the maximal step and aborts).
      if (this.lineSearchEvals >= this.options.maxLineSearchSteps || !this.search.backOff()) return this.lineSearchFailed();
      if (this.evaluationCount >= this.options.maxEvaluations) return this.stop('max-evaluations');
      this.placeTrial(this.search.step);
      return;
    }
    const outcome = this.search.update(f, slope);
    if (outcome === 'evaluate') {
      if (this.lineSearchEvals >= this.options.maxLineSearchSteps) return this.lineSearchFailed();
      if (this.evaluationCount >= this.options.maxEvaluations) return this.stop('max-evaluations');
      this.placeTrial(this.search.step);
      return;
    }
    // A 'warning' stop hands back a step without the Wolfe guarantees; the reference accepts it
    // even if f went up. We only accept it if f did not increase, so x stays the best point seen.
    if (outcome === 'warning' && !(f <= this.fk)) return this.lineSearchFailed();
    this.acceptStep(f);
  }

  /** Snapshot of the solver's outcome so far (arrays are copies). */
  result(): LbfgsbResult {
    return {
      x: this.x,
      f: this.fk,
      g: this.g,
      status: this.currentStatus,
      iterations: this.iterationCount,
      evaluations: this.evaluationCount,
      projectedGradientNorm: this.pgNorm,
      warnings: this.warnings.slice(),
    };
  }

  private stop(status: LbfgsbStatus): void {
    this.currentStatus = status;
    this.phase = 'stopped';
  }

  /** Makes the trial point the iterate (buffer swap, no copy). */
  private swapTrialIn(f: number): void {
    const x = this.xk;
    this.xk = this.xTrial;
    this.xTrial = x;
    const g = this.gk;
    this.gk = this.gTrial;
    this.gTrial = g;
    this.fk = f;
    this.iterateTold = this.evaluationCount;
  }

  private acceptStep(fNew: number): void {
    const n = this.n;
    const xOld = this.xk;
    const gOld = this.gk;
    const xNew = this.xTrial;
    const gNew = this.gTrial;
    const { lower, upper } = this.box;
    // One pass: the pair's curvature products and ‖P(x − g) − x‖∞ at the new point (see bounds.ts).
    let sTy = 0;
    let yTy = 0;
    let pgNorm = 0;
    for (let i = 0; i < n; i++) {
      const xi = xNew[i];
      const gi = gNew[i];
      const si = xi - xOld[i];
      const yi = gi - gOld[i];
      sTy += si * yi;
      yTy += yi * yi;
      const pg = projectedGradientTerm(xi, gi, lower[i], upper[i]);
      if (pg > pgNorm) pgNorm = pg;
    }
    // BLNZ95 §6 skips a pair whose curvature sᵀy is not safely positive: it would make B indefinite.
    const keepPair = sTy > EPSMCH * yTy;

    const fOld = this.fk;
    this.swapTrialIn(fNew);
    this.iterationCount++;
    this.pgNorm = pgNorm;
    if (this.pgNorm <= this.options.pgtol) return this.stop('converged-pgtol');
    const scale = Math.max(Math.abs(fOld), Math.abs(fNew), 1);
    if (fOld - fNew <= this.options.factr * EPSMCH * scale) return this.stop('converged-factr');
    if (this.iterationCount >= this.options.maxIterations) return this.stop('max-iterations');

    // After the swap the new point is the iterate and the old one sits in the trial buffers.
    if (keepPair && !this.mem.commit(this.xk, this.xTrial, this.gk, this.gTrial, sTy, yTy)) {
      this.warnings.push(`iteration ${this.iterationCount}: middle matrix not positive definite; memory dropped`);
      this.mem.reset();
      this.restartCount++;
    }
    this.beginIteration();
  }

  /** Line search could not deliver a step: restart with an empty memory, or give up if it was empty. */
  private lineSearchFailed(): void {
    if (this.mem.count === 0) return this.stop('line-search-failed');
    this.mem.reset();
    this.restartCount++;
    this.beginIteration();
  }

  /**
   * Computes the search direction from the current iterate and starts its line search. The
   * current iterate and its f, g are never modified here, so every failure path can restart from
   * them.
   */
  private beginIteration(): void {
    if (this.evaluationCount >= this.options.maxEvaluations) return this.stop('max-evaluations');
    const n = this.n;
    const x = this.xk;
    const g = this.gk;
    const z = this.xBar;
    const d = this.dir;

    if (!this.computeStepTarget()) {
      // A singular reduced system means the stored pairs are unusable; with no pairs B = I and
      // both steps are always well defined, so one retry suffices.
      this.mem.reset();
      this.restartCount++;
      this.computeStepTarget();
    }

    // One pass: d, its slope and length, and the largest steps that keep x + αd in the box and finite.
    const limited = this.iterationCount > 0;
    const boxed = limited && this.box.constrained;
    const overflowing = limited && !this.box.moderate;
    const { lower, upper } = this.box;
    let slope = 0;
    let dd = 0;
    let boxStep = BIG_STEP;
    let finiteLimit = Infinity;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const di = z[i] - xi;
      d[i] = di;
      slope += g[i] * di;
      dd += di * di;
      if (di === 0) continue;
      if (boxed) boxStep = stepToBound(xi, di, lower[i], upper[i], boxStep);
      if (overflowing) finiteLimit = stepToOverflow(xi, di, finiteLimit);
    }
    let norm = Math.sqrt(dd);
    if (!(Number.isFinite(slope) && Number.isFinite(dd))) {
      // An intermediate overflow (or a non-finite x̄): recompute from scaled vectors, so that only a
      // direction or slope that is itself beyond the double range stops the search.
      const scaled = scaledSlopeAndNorm(g, d);
      if (!scaled) {
        this.warnings.push(`iteration ${this.iterationCount}: the step computation overflowed (g·d or x̄ − x is not finite)`);
        return this.lineSearchFailed();
      }
      ({ slope, norm } = scaled);
    }
    if (!(slope < 0)) return this.lineSearchFailed();

    // First iteration: B = I knows nothing about the scale of f, so the reference code starts
    // from a unit-length step and never goes past x̄; later, B's scaling makes α = 1 the natural
    // guess and only the box limits how far the search may extrapolate (and the double range: no
    // trial point may overflow).
    let stepMax: number;
    let step: number;
    if (!limited) {
      stepMax = 1;
      step = this.box.boxed ? 1 : Math.min(1 / norm, 1);
    } else {
      stepMax = Math.min(boxStep, finiteLimit);
      step = Math.min(1, stepMax);
    }
    if (!(stepMax > 0)) return this.lineSearchFailed();
    this.search.start(this.fk, slope, step, 0, stepMax);
    this.lineSearchEvals = 0;
    this.phase = 'search';
    this.placeTrial(step);
  }

  /** GCP + subspace step into xBar. Returns false if the reduced system could not be factored. */
  private computeStepTarget(): boolean {
    const { cauchy, mem, box } = this;
    if (!box.constrained && mem.count > 0) cauchy.useCurrentPoint(this.xk, this.xBar);
    else cauchy.compute(this.xk, this.gk, box, mem, this.xBar);
    if (mem.count === 0 || cauchy.nFree === 0) return true;
    return this.subspace.run(mem, this.xk, this.gk, box, this.xBar, cauchy.c, cauchy.partition, cauchy.nFree);
  }

  /** xTrial = x_k + step·d, landing exactly on x̄ for the full step and never leaving the box. */
  private placeTrial(step: number): void {
    const { xk, dir, xTrial, xBar } = this;
    const { lower, upper } = this.box;
    if (step === 1) {
      xTrial.set(xBar);
      return;
    }
    for (let i = 0; i < this.n; i++) {
      let v = xk[i] + step * dir[i];
      if (v < lower[i]) v = lower[i];
      else if (v > upper[i]) v = upper[i];
      xTrial[i] = v;
    }
  }
}

/**
 * Minimizes one function with L-BFGS-B, calling `fg` synchronously for every point. `fg` receives
 * a fresh copy of the point, so it may keep or modify it.
 * @throws Error on invalid bounds or options (see {@link LbfgsbSolver}); never for bad f values,
 *   which end the run with status 'non-finite'.
 */
export function minimizeLbfgsb(
  fg: (x: Float64Array) => { f: number; g: Float64Array },
  x0: Float64Array,
  lower: Float64Array | null,
  upper: Float64Array | null,
  options?: LbfgsbOptions,
): LbfgsbResult {
  const solver = new LbfgsbSolver(x0, lower, upper, options);
  for (let point = solver.pending(); point !== null; point = solver.pending()) {
    const { f, g } = fg(Float64Array.from(point));
    solver.tell(f, g);
  }
  return solver.result();
}

/**
 * The checks a solver makes of a problem when it starts one, without starting it: a worker batch makes them
 * in the calling thread, so that a bad problem throws there as it does in this thread's batch.
 * @throws Error as {@link LbfgsbSolver}'s constructor does.
 */
export function checkProblem(x0: Float64Array, lower: Float64Array | null, upper: Float64Array | null): void {
  if (!(x0.length > 0)) throw new Error('L-BFGS-B: x0 is empty (n = 0); there is nothing to minimize');
  checkNotNaN(x0);
  const projected = Float64Array.from(x0);
  projectIntoBox(projected, prepareBox(x0.length, lower, upper));
  checkFinite(projected);
}

function checkNotNaN(x0: Float64Array): void {
  for (let i = 0; i < x0.length; i++) {
    if (Number.isNaN(x0[i])) throw new Error(`L-BFGS-B: x0[${i}] is NaN`);
  }
}

/** x0 after its projection into the box. */
function checkFinite(x: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`L-BFGS-B: x0[${i}] is ${x[i]} and no bound makes it finite`);
  }
}

/**
 * g·d and ‖d‖ computed on vectors scaled by their largest magnitudes, for when the plain sums overflow;
 * null if d is not finite or g·d itself lies beyond the double range.
 */
function scaledSlopeAndNorm(g: Float64Array, d: Float64Array): { slope: number; norm: number } | null {
  let gMax = 0;
  let dMax = 0;
  for (let i = 0; i < d.length; i++) {
    gMax = Math.max(gMax, Math.abs(g[i]));
    dMax = Math.max(dMax, Math.abs(d[i]));
  }
  if (!Number.isFinite(dMax)) return null;
  if (dMax === 0 || gMax === 0) return { slope: 0, norm: dMax };
  let dot = 0;
  let squares = 0;
  for (let i = 0; i < d.length; i++) {
    const di = d[i] / dMax;
    dot += (g[i] / gMax) * di;
    squares += di * di;
  }
  const slope = dot * gMax * dMax;
  return Number.isFinite(slope) ? { slope, norm: dMax * Math.sqrt(squares) } : null;
}

/** {@link LbfgsbOptions} with every default filled in. */
export type ResolvedOptions = Required<LbfgsbOptions>;

/**
 * The options with their defaults, checked.
 * @throws Error naming the option when one is out of range.
 */
export function resolveOptions(options: LbfgsbOptions): ResolvedOptions {
  return {
    memory: positiveInt(options.memory ?? 10, 'memory'),
    factr: nonNegative(options.factr ?? 1e7, 'factr'),
    pgtol: nonNegative(options.pgtol ?? 1e-5, 'pgtol'),
    maxIterations: positiveInt(options.maxIterations ?? 15000, 'maxIterations'),
    maxEvaluations: positiveInt(options.maxEvaluations ?? 15000, 'maxEvaluations'),
    maxLineSearchSteps: positiveInt(options.maxLineSearchSteps ?? 20, 'maxLineSearchSteps'),
  };
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`L-BFGS-B: option ${name} must be a positive integer, got ${v}`);
  return v;
}

function nonNegative(v: number, name: string): number {
  if (!(v >= 0) || !Number.isFinite(v)) {
    throw new Error(`L-BFGS-B: option ${name} must be a finite number ≥ 0, got ${v}`);
  }
  return v;
}
