/**
 * The search over the penalty constant c of one attack problem (docs: paper.md, "Search over c"): start at
 * c₀; while the minimizer fails, multiply c by 10 (give up above cMax); once it succeeds, divide by 10
 * until it fails (stop at cMin); then bisect geometrically, c = √(c_fail·c_ok), for a fixed number of
 * steps. The successful point with the smallest distortion is kept. A pure state machine: it is told
 * the outcome of each inner minimization and says which c to try next.
 */

export interface CSearchOptions {
  /** First c (default 0.01). */
  initialC: number;
  /** Give up when c would exceed this without a success (default 1e10). */
  maxC: number;
  /** Stop dividing when c would drop below this (default 1e-6). */
  minC: number;
  /** Geometric bisection steps after the bracket is found (default 10). */
  bisectionSteps: number;
}

export const DEFAULT_C_SEARCH: CSearchOptions = { initialC: 0.01, maxC: 1e10, minC: 1e-6, bisectionSteps: 10 };

type Phase = 'first' | 'up' | 'down' | 'bisect' | 'done';

export interface CTrial {
  c: number;
  success: boolean;
  distortion: number;
}

export class CSearch {
  private phase: Phase = 'first';
  private cFail = 0;
  private cOk = Infinity;
  private bisections = 0;
  /** Every c tried, in order, with its outcome (for reports and the monotonicity test). */
  readonly trials: CTrial[] = [];
  /** The c to try now (undefined once done). */
  c: number | undefined;
  /** The successful trial with the smallest distortion. */
  best: CTrial | null = null;

  constructor(readonly options: CSearchOptions = DEFAULT_C_SEARCH) {
    this.c = options.initialC;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** Whether a success was ever seen. */
  get succeeded(): boolean {
    return this.best !== null;
  }

  /** Record the outcome at the current c and move to the next c (or finish). Returns true if this trial became the best. */
  report(success: boolean, distortion: number): boolean {
    const c = this.c;
    if (c === undefined) throw new Error('CSearch.report: the search is already done');
    this.trials.push({ c, success, distortion });
    let improved = false;
    if (success) {
      this.cOk = Math.min(this.cOk, c);
      if (!this.best || distortion < this.best.distortion) {
        this.best = { c, success, distortion };
        improved = true;
      }
    } else {
      this.cFail = Math.max(this.cFail, c);
    }
    this.c = this.next(success, c);
    return improved;
  }

  private next(success: boolean, c: number): number | undefined {
    const o = this.options;
    switch (this.phase) {
      case 'first':
        this.phase = success ? 'down' : 'up';
        return this.next(success, c);
      case 'up':
        if (success) return this.startBisection();
        if (c * 10 > o.maxC) return this.finish();
        return c * 10;
      case 'down':
        if (!success) return this.startBisection();
        if (c / 10 < o.minC) return this.finish();
        return c / 10;
      case 'bisect':
        if (++this.bisections >= o.bisectionSteps) return this.finish();
        return Math.sqrt(this.cFail * this.cOk);
      case 'done':
        return undefined;
    }
  }

  private startBisection(): number | undefined {
    if (this.options.bisectionSteps === 0) return this.finish();
    this.phase = 'bisect';
    return Math.sqrt(this.cFail * this.cOk);
  }

  private finish(): undefined {
    this.phase = 'done';
    return undefined;
  }
}
