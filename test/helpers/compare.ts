/** Elementwise comparison with a report of the worst element, used by every kernel test. */
import { expect } from 'vitest';

export interface Tolerance {
  /** Relative tolerance against |expected|. */
  rtol: number;
  /** Absolute floor, for values near zero. */
  atol: number;
}

/** Assert |actual − expected| ≤ atol + rtol·|expected| everywhere; NaN anywhere fails. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    const excess = Number.isNaN(a) || Number.isNaN(e) ? Infinity : Math.abs(a - e) - allowed;
    if (excess > worstExcess || (worst < 0 && excess > 0)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(allowed ±${tol.atol + tol.rtol * Math.abs(expected[worst])}, ${expected.length} elements)`,
    );
  }
}
