/**
 * How far below ‖A‖ a power-iteration estimate can still be: a certificate that turns the estimate into
 * an upper bound that holds with a stated probability, whatever the spectrum (no eigenvalue gap assumed).
 *
 * Power iteration on M = AᵀA (n × n, eigenvalues λ₁ ≥ … ≥ λₙ ≥ 0) from a Gaussian start b reports, after j
 * products, the Rayleigh quotient ρ of x = Mʲb. For any ε, θ ∈ (0, 1), write cᵢ for the squared cosine
 * of b with the i-th eigenvector and split the spectrum at (1 − θε)λ₁: the eigenvalues above it weigh at
 * least c₁ in x, those below at most q = (1 − θε)^{2j}, so ρ ≥ (1 − θε)·λ₁·c₁ / (c₁ + q). Hence
 * ρ < (1 − ε)λ₁ forces c₁ < t = (1 − ε)·q / ((1 − θ)ε). The cosine of a uniform direction with a fixed
 * axis has a density at most Γ(n/2) / (√π Γ((n−1)/2)) ≤ √((n−1)/(2π)) (Wendel's inequality), so
 * P(c₁ < t) ≤ √t · √(2(n−1)/π). With `starts` independent starts and the largest ρ kept, all must fail:
 * the failure probability is at most that bound to the power `starts`. The bound holds for every θ, so
 * the smallest over a fixed grid of θ is used. Iteration counts are fixed before the run (from n, the
 * starts, the margin and the probability), as the argument needs: never from the values seen.
 */

/** Split points tried for θ (any θ gives a valid bound; the smallest bound wins). */
export const CERTIFICATE_THETAS: readonly number[] = [0.5, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995];

/** What a certificate is about: the operator's input dimension, the independent starts, the probability. */
export interface CertificateSettings {
  /** n: the dimension M = AᵀA acts on (the operator's input size). */
  dimension: number;
  /** Independent Gaussian starts, the largest Rayleigh quotient kept. */
  starts: number;
  /** δ: the certified bound may fail with probability at most δ. */
  failureProbability: number;
}

function checkSettings({ dimension, starts, failureProbability }: CertificateSettings): void {
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`power certificate: dimension must be a positive integer, got ${dimension}`);
  if (!Number.isInteger(starts) || starts < 1) throw new Error(`power certificate: starts must be a positive integer, got ${starts}`);
  if (!(failureProbability > 0 && failureProbability < 1)) {
    throw new Error(`power certificate: failure probability must lie in (0, 1), got ${failureProbability}`);
  }
}

/**
 * D(n) with P(|cos| < s) ≤ s·D(n) for a uniformly random direction in ℝⁿ and a fixed axis: 0 for n = 1
 * (the cosine is ±1), 1 for n = 2 ((2/π)·arcsin s ≤ s), √(2(n−1)/π) beyond (twice the density bound).
 */
function cosineDensityBound(dimension: number): number {
  if (dimension <= 1) return 0;
  return dimension === 2 ? 1 : Math.sqrt((2 * (dimension - 1)) / Math.PI);
}

/** A bound on P(|cos| < s) for a uniformly random direction in ℝⁿ and a fixed axis (capped at 1). */
export function smallCosineProbability(dimension: number, s: number): number {
  return Math.min(1, s * cosineDensityBound(dimension));
}

/**
 * t(j, ε, θ) = (1 − ε)·(1 − θε)^{2j} / ((1 − θ)ε): after j products, a Rayleigh quotient below (1 − ε)·λ₁
 * forces the start's squared cosine with the top eigenvector below t.
 */
export function failureThreshold(powers: number, epsilon: number, theta: number): number {
  return Math.exp(Math.log1p(-epsilon) + 2 * powers * Math.log1p(-theta * epsilon) - Math.log((1 - theta) * epsilon));
}

/**
 * The probability bound, for one start, that the Rayleigh quotient after `powers` products of M lies
 * below (1 − ε)·λ₁ (ε a relative margin on λ = σ²): the smallest over θ of P(c₁ < t(j, ε, θ)).
 */
export function singleStartFailure(dimension: number, powers: number, epsilon: number): number {
  return Math.min(1, ...CERTIFICATE_THETAS.map((theta) => smallCosineProbability(dimension, Math.sqrt(failureThreshold(powers, epsilon, theta)))));
}

/**
 * The smallest relative margin ε on λ = ‖A‖² that `powers` products certify: with probability at least
 * 1 − δ, λ ≤ ρ / (1 − ε), so ‖A‖ ≤ √(ρ / (1 − ε)).
 */
export function certifiedMargin(settings: CertificateSettings, powers: number): number {
  checkSettings(settings);
  if (!Number.isInteger(powers) || powers < 0) throw new Error(`power certificate: powers must be a non-negative integer, got ${powers}`);
  const perStart = settings.failureProbability ** (1 / settings.starts);
  const fails = (epsilon: number) => singleStartFailure(settings.dimension, powers, epsilon) > perStart;
  if (!fails(Number.EPSILON)) return 0;
  // The failure bound falls as ε grows and reaches 0 as ε → 1: bisect for the crossing.
  let lo = Number.EPSILON;
  let hi = 1 - 1e-12;
  if (fails(hi)) return 1;
  for (let k = 0; k < 100 && hi - lo > 1e-12 * hi; k++) {
    const mid = (lo + hi) / 2;
    if (fails(mid)) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The relative margin ε on λ = σ² that corresponds to a margin m on σ: 1/√(1 − ε) = 1 + m. */
export function marginOnSquare(marginOnNorm: number): number {
  if (!(marginOnNorm > 0)) throw new Error(`power certificate: the margin must be positive, got ${marginOnNorm}`);
  return 1 - 1 / (1 + marginOnNorm) ** 2;
}

/** The fewest products of M after which the certified margin on ‖A‖ is at most `marginOnNorm`. */
export function powersForMargin(settings: CertificateSettings, marginOnNorm: number): number {
  checkSettings(settings);
  const epsilon = marginOnSquare(marginOnNorm);
  const perStart = settings.failureProbability ** (1 / settings.starts);
  const enough = (powers: number) => singleStartFailure(settings.dimension, powers, epsilon) <= perStart;
  // The failure bound falls with every product: double until enough, then bisect.
  let hi = 1;
  while (!enough(hi)) hi *= 2;
  if (enough(0)) return 0;
  let lo = 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (enough(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
