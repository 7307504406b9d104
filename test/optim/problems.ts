/**
 * Shared test material for the L-BFGS-B tests: the scipy reference fixtures, objective functions
 * rebuilt from their stored data, a seeded PRNG and an exact solver for box-constrained convex
 * quadratics to check against.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** f and ∇f at x. */
export type Objective = (x: Float64Array) => { f: number; g: Float64Array };

/** One fixture written by scripts/fixtures/lbfgsb_reference.py. */
export interface ReferenceFixture {
  name: string;
  kind: 'rosenbrock' | 'quadratic' | 'logistic' | 'chain';
  n: number;
  x0: number[];
  lower: (number | null)[] | null;
  upper: (number | null)[] | null;
  data: {
    A?: number[];
    b?: number[];
    d?: number[];
    X?: number[];
    y?: number[];
    samples?: number;
    features?: number;
    lam?: number;
  };
  options: { memory: number; factr: number; pgtol: number; maxIterations: number; maxEvaluations: number };
  scipy: { version: string; x: number[]; fun: number; nit: number; nfev: number; status: number; message: string };
}

const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'lbfgsb');

/** All reference fixtures, sorted by name. */
export function loadFixtures(): ReferenceFixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(FIXTURE_DIR, f), 'utf8')) as ReferenceFixture);
}

/** Converts a fixture bound list (null = no bound) to the solver's representation. */
export function boundArray(side: (number | null)[] | null, missing: number): Float64Array | null {
  if (side === null) return null;
  return Float64Array.from(side, (v) => (v === null ? missing : v));
}

/** Chained Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². */
export const rosenbrock: Objective = (x) => {
  const n = x.length;
  const g = new Float64Array(n);
  let f = 0;
  for (let i = 0; i + 1 < n; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return { f, g };
};

/** 0.5 xᵀAx − bᵀx for a row-major n×n A. */
export function quadratic(A: Float64Array, b: Float64Array): Objective {
  const n = b.length;
  return (x) => {
    const g = new Float64Array(n);
    let f = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A[i * n + j] * x[j];
      g[i] = ax - b[i];
      f += x[i] * (0.5 * ax - b[i]);
    }
    return { f, g };
  };
}

/** 0.5 Σ d_i x_i² + 0.5 Σ (x_{i+1} − x_i)² − bᵀx (tridiagonal, ill-conditioned Hessian). */
export function chainQuadratic(d: Float64Array, b: Float64Array): Objective {
  const n = b.length;
  return (x) => {
    const g = new Float64Array(n);
    let f = 0;
    for (let i = 0; i < n; i++) {
      f += 0.5 * d[i] * x[i] * x[i] - b[i] * x[i];
      g[i] = d[i] * x[i] - b[i];
    }
    for (let i = 0; i + 1 < n; i++) {
      const diff = x[i + 1] - x[i];
      f += 0.5 * diff * diff;
      g[i] -= diff;
      g[i + 1] += diff;
    }
    return { f, g };
  };
}

/** Mean logistic loss of labels y ∈ {−1, 1} plus (λ/2)‖w‖². */
export function logistic(X: Float64Array, y: Float64Array, samples: number, features: number, lam: number): Objective {
  return (w) => {
    const g = new Float64Array(features);
    let f = 0;
    for (let s = 0; s < samples; s++) {
      let dot = 0;
      for (let j = 0; j < features; j++) dot += X[s * features + j] * w[j];
      const margin = -y[s] * dot;
      // log(1 + e^margin) without overflow
      f += Math.max(margin, 0) + Math.log1p(Math.exp(-Math.abs(margin)));
      const sig = 0.5 * (1 + Math.tanh(0.5 * margin));
      for (let j = 0; j < features; j++) g[j] += (-y[s] * sig * X[s * features + j]) / samples;
    }
    f /= samples;
    let reg = 0;
    for (let j = 0; j < features; j++) {
      reg += w[j] * w[j];
      g[j] += lam * w[j];
    }
    return { f: f + 0.5 * lam * reg, g };
  };
}

/** The objective a fixture describes. */
export function fixtureObjective(fx: ReferenceFixture): Objective {
  switch (fx.kind) {
    case 'rosenbrock':
      return rosenbrock;
    case 'quadratic':
      return quadratic(Float64Array.from(fx.data.A!), Float64Array.from(fx.data.b!));
    case 'chain':
      return chainQuadratic(Float64Array.from(fx.data.d!), Float64Array.from(fx.data.b!));
    case 'logistic':
      return logistic(
        Float64Array.from(fx.data.X!),
        Float64Array.from(fx.data.y!),
        fx.data.samples!,
        fx.data.features!,
        fx.data.lam!,
      );
  }
}

/** Small seeded PRNG (mulberry32) so the TypeScript-only random problems are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample from a uniform source (Box–Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Random SPD matrix QᵀQ/n + shift·I, row-major. */
export function randomSpd(rand: () => number, n: number, shift: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = gaussian(rand);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[k * n + i] * q[k * n + j];
      s /= n;
      if (i === j) s += shift;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** Solves the SPD system A[F,F] z = r for the index set F by Cholesky (dense, test-only). */
function solveSubsystem(A: Float64Array, n: number, free: number[], rhs: Float64Array): Float64Array {
  const k = free.length;
  const c = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) c[i * k + j] = A[free[i] * n + free[j]];
  for (let j = 0; j < k; j++) {
    let d = c[j * k + j];
    for (let r = 0; r < j; r++) d -= c[j * k + r] ** 2;
    if (!(d > 0)) throw new Error('subsystem not positive definite');
    d = Math.sqrt(d);
    c[j * k + j] = d;
    for (let i = j + 1; i < k; i++) {
      let s = c[i * k + j];
      for (let r = 0; r < j; r++) s -= c[i * k + r] * c[j * k + r];
      c[i * k + j] = s / d;
    }
  }
  const z = Float64Array.from(rhs);
  for (let i = 0; i < k; i++) {
    let s = z[i];
    for (let r = 0; r < i; r++) s -= c[i * k + r] * z[r];
    z[i] = s / c[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i];
    for (let r = i + 1; r < k; r++) s -= c[r * k + i] * z[r];
    z[i] = s / c[i * k + i];
  }
  return z;
}

/**
 * Exact minimizer of 0.5xᵀAx − bᵀx over l ≤ x ≤ u (A SPD) by a primal active-set method: keep a
 * working set of variables fixed at bounds, solve the equality-constrained problem on the rest
 * exactly, step towards it until a bound blocks (adding it), and release the bound with the most
 * wrongly signed multiplier once the subproblem's solution is feasible. Every step decreases the
 * objective, so the working set never repeats and the loop ends at the exact KKT point.
 */
export function solveBoxQpExactly(
  A: Float64Array,
  b: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): Float64Array {
  const n = b.length;
  const x = new Float64Array(n);
  // Feasible start: project 0; every variable that lands on a bound starts in the working set.
  const atBound = new Int8Array(n); // 0 free, −1 at lower, +1 at upper
  for (let i = 0; i < n; i++) {
    x[i] = Math.min(Math.max(0, lower[i]), upper[i]);
    if (x[i] === lower[i]) atBound[i] = -1;
    else if (x[i] === upper[i]) atBound[i] = 1;
  }
  for (let iter = 0; iter < 10 * n + 100; iter++) {
    const free: number[] = [];
    for (let i = 0; i < n; i++) if (atBound[i] === 0) free.push(i);
    // Subproblem target on the free set: A_FF z = b_F − A_FA x_A.
    const rhs = new Float64Array(free.length);
    for (let p = 0; p < free.length; p++) {
      const i = free[p];
      let s = b[i];
      for (let j = 0; j < n; j++) if (atBound[j] !== 0) s -= A[i * n + j] * x[j];
      rhs[p] = s;
    }
    const target = free.length > 0 ? solveSubsystem(A, n, free, rhs) : new Float64Array(0);
    // Longest step towards the target that stays feasible.
    let alpha = 1;
    let blocking = -1;
    for (let p = 0; p < free.length; p++) {
      const i = free[p];
      const d = target[p] - x[i];
      if (d < 0 && lower[i] > -Infinity) {
        const t = (lower[i] - x[i]) / d;
        if (t < alpha) {
          alpha = t;
          blocking = i;
        }
      } else if (d > 0 && upper[i] < Infinity) {
        const t = (upper[i] - x[i]) / d;
        if (t < alpha) {
          alpha = t;
          blocking = i;
        }
      }
    }
    for (let p = 0; p < free.length; p++) x[free[p]] += alpha * (target[p] - x[free[p]]);
    if (blocking >= 0) {
      x[blocking] = target[free.indexOf(blocking)] < x[blocking] ? lower[blocking] : upper[blocking];
      atBound[blocking] = x[blocking] === lower[blocking] ? -1 : 1;
      continue;
    }
    // Subproblem solved exactly; check the multipliers g_i of the working set.
    let worst = -1;
    let worstViolation = 0;
    for (let i = 0; i < n; i++) {
      if (atBound[i] === 0 || lower[i] === upper[i]) continue;
      let gi = -b[i];
      for (let j = 0; j < n; j++) gi += A[i * n + j] * x[j];
      // At a lower bound the gradient must be ≥ 0, at an upper bound ≤ 0.
      const violation = atBound[i] === -1 ? -gi : gi;
      if (violation > worstViolation) {
        worstViolation = violation;
        worst = i;
      }
    }
    if (worst < 0 || worstViolation <= 1e-12) return x;
    atBound[worst] = 0;
  }
  throw new Error('active-set solver did not terminate');
}

/** Largest violation of the box KKT conditions: ‖P(x − g) − x‖∞ computed independently. */
export function kktResidual(x: Float64Array, g: Float64Array, lower: Float64Array, upper: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lower[i] || x[i] > upper[i]) return Infinity;
    const p = Math.min(Math.max(x[i] - g[i], lower[i]), upper[i]);
    worst = Math.max(worst, Math.abs(p - x[i]));
  }
  return worst;
}

/** Max |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
