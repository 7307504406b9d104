/**
 * The operator norm ‖A‖ (largest singular value) of a linear map run on the GPU, by power iteration on
 * AᵀA. The map is given by its forward pass only: its adjoint is the input gradient, so one
 * `valueAndGrads` with the output itself as the seed gives AᵀA·v in a single pass (for a dense layer the
 * engine's transposed matmul, for a convolution its backward-input kernel). The vectors live in float64
 * on the CPU between passes; each pass uploads a batch of independent starts and reads AᵀA·v back.
 *
 * Stopping rule: a fixed number of passes, chosen before the run so that the certificate of
 * powerCertificate.ts reaches the requested margin. The largest Rayleigh quotient ρ = ⟨v, AᵀAv⟩/⟨v, v⟩
 * seen is a lower bound on ‖A‖² (any v gives one); √(ρ/(1 − ε)) is the certified upper bound, true with
 * probability at least 1 − δ whatever the spectrum, times a float32 allowance.
 */
import type { Engine } from '../gpu/engine.ts';
import { valueAndGrads } from '../autograd/tape.ts';
import { tensor } from '../tensor/ops/fill.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { createRng } from '../util/random.ts';
import { certifiedMargin, powersForMargin } from './powerCertificate.ts';

/** A linear map on the GPU, defined by its forward pass on a batch. */
export interface LinearOperator {
  /** What it is, for errors and progress. */
  name: string;
  engine: Engine;
  /** Shape of one input, without the batch dimension. */
  inputShape: readonly number[];
  /**
   * A·x for x of shape [batch, ...inputShape]: linear (no bias, no activation) and built from recorded
   * ops, so that its input gradient is the adjoint.
   */
  apply(x: Tensor): Tensor;
}

/** Options of {@link operatorNorm}. */
export interface PowerIterationOptions {
  /** Independent Gaussian starts run side by side in one batch (default 8). */
  starts?: number;
  /** Relative margin of the certified upper bound over the estimate, on ‖A‖ (default 0.01). */
  margin?: number;
  /** δ: probability that the certified bound fails (default 1e-6). */
  failureProbability?: number;
  /** Run exactly this many passes instead (the certificate then says what margin they reach). */
  passes?: number;
  /** Seed of the starting vectors (default 1). */
  seed?: number;
  onProgress?: (passesDone: number, passes: number) => void;
}

/** The outcome of {@link operatorNorm}. */
export interface OperatorNormEstimate {
  /** √ρ for the largest Rayleigh quotient seen: ‖A‖ ≥ estimate, up to float32 rounding. */
  estimate: number;
  /** ‖A‖ ≤ upperBound with probability at least 1 − failureProbability. */
  upperBound: number;
  /** The certificate's relative margin on ‖A‖² (ε); upperBound = estimate/√(1 − ε) × (1 + allowance). */
  certifiedMargin: number;
  /** Forward-and-adjoint passes run (AᵀA products). */
  passes: number;
  starts: number;
  /** n: the input dimension. */
  dimension: number;
  failureProbability: number;
  /** Relative rise of the estimate over the last tenth of the passes: how settled the iteration looks. */
  recentChange: number;
}

/**
 * Float32 allowance on the upper bound: AᵀA·v accumulates a few thousand products in float32, whose
 * rounding moves ρ by about √k·2⁻²⁴ ≈ 1e-6 relative; 1e-4 leaves room for unlucky cancellation.
 */
export const FLOAT32_ALLOWANCE = 1e-4;

const DEFAULTS = { starts: 8, margin: 0.01, failureProbability: 1e-6, seed: 1 };

function checkOptions(operator: LinearOperator, o: typeof DEFAULTS & PowerIterationOptions): void {
  const where = `operatorNorm(${operator.name})`;
  if (!Number.isInteger(o.starts) || o.starts < 1) throw new Error(`${where}: starts must be a positive integer, got ${o.starts}`);
  if (!(o.margin > 0)) throw new Error(`${where}: margin must be positive, got ${o.margin}`);
  if (!(o.failureProbability > 0 && o.failureProbability < 1)) throw new Error(`${where}: failureProbability must lie in (0, 1), got ${o.failureProbability}`);
  if (o.passes !== undefined && (!Number.isInteger(o.passes) || o.passes < 1)) throw new Error(`${where}: passes must be a positive integer, got ${o.passes}`);
  if (operator.inputShape.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`${where}: invalid input shape [${operator.inputShape}]`);
}

/** Scale each row of `rows` (starts × n) to unit norm in place; a zero row gets a fresh random direction. */
function normalizeRows(rows: Float64Array, n: number, refill: () => number): void {
  for (let s = 0; s < rows.length / n; s++) {
    const row = rows.subarray(s * n, (s + 1) * n);
    let norm = 0;
    for (const v of row) norm += v * v;
    if (!(norm > 0)) for (let i = 0; i < n; i++) norm += (row[i] = refill()) ** 2;
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < n; i++) row[i] *= scale;
  }
}

/**
 * ‖A‖ by power iteration on AᵀA with `starts` Gaussian starts; returns the estimate (a lower bound) and
 * the certified upper bound. The number of passes is fixed in advance by the requested margin (or given).
 */
export async function operatorNorm(operator: LinearOperator, options: PowerIterationOptions = {}): Promise<OperatorNormEstimate> {
  const o = { ...DEFAULTS, ...options };
  checkOptions(operator, o);
  const { engine } = operator;
  const n = operator.inputShape.reduce((p, d) => p * d, 1);
  const settings = { dimension: n, starts: o.starts, failureProbability: o.failureProbability };
  // The certificate counts the products before the last Rayleigh quotient: passes − 1.
  const passes = o.passes ?? powersForMargin(settings, o.margin) + 1;
  const rng = createRng(o.seed);
  const vectors = new Float64Array(o.starts * n);
  for (let i = 0; i < vectors.length; i++) vectors[i] = rng.gaussian();
  normalizeRows(vectors, n, () => rng.gaussian());
  let best = 0;
  const history: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    const v32 = Float32Array.from(vectors);
    const x = tensor(engine, v32, [o.starts, ...operator.inputShape]);
    const { value, grads } = valueAndGrads(engine, () => operator.apply(x), [x], (y) => y.reshape(y.shape));
    const products = await grads[0].data();
    for (const t of [x, value, grads[0]]) t.dispose();
    for (let s = 0; s < o.starts; s++) {
      let vMv = 0;
      let vv = 0;
      for (let i = s * n; i < (s + 1) * n; i++) {
        vMv += v32[i] * products[i];
        vv += v32[i] * v32[i];
      }
      if (!Number.isFinite(vMv)) throw new Error(`operatorNorm(${operator.name}): the operator returned a non-finite value at pass ${pass + 1}`);
      best = Math.max(best, vMv / vv);
    }
    history.push(best);
    vectors.set(products);
    normalizeRows(vectors, n, () => rng.gaussian());
    o.onProgress?.(pass + 1, passes);
  }
  const epsilon = certifiedMargin(settings, passes - 1);
  const estimate = Math.sqrt(best);
  const earlier = history[Math.max(0, Math.floor(0.9 * passes) - 1)];
  return {
    estimate,
    upperBound: (epsilon >= 1 ? Infinity : Math.sqrt(best / (1 - epsilon))) * (1 + FLOAT32_ALLOWANCE),
    certifiedMargin: epsilon,
    passes,
    starts: o.starts,
    dimension: n,
    failureProbability: o.failureProbability,
    recentChange: best > 0 ? Math.sqrt(best / earlier) - 1 : 0,
  };
}
