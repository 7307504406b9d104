/** The standard normal tail, for the large-sample tests of the analyses. */

// Coefficients of the Chebyshev-fitted erfc of Press et al., Numerical Recipes (2nd ed., §6.2): relative
// error below 1.2e-7 for every x ≥ 0, so even tiny p-values keep their leading digits.
const ERFC_COEFFICIENTS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
];

/** The complementary error function erfc(x) = 1 − erf(x), relative error below 1.2e-7. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  let polynomial = 0;
  for (let i = ERFC_COEFFICIENTS.length - 1; i >= 0; i--) polynomial = polynomial * t + ERFC_COEFFICIENTS[i];
  const tail = t * Math.exp(-z * z + polynomial);
  return x >= 0 ? tail : 2 - tail;
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
