/**
 * Our L-BFGS-B against scipy's (fixtures from scripts/fixtures/lbfgsb_reference.py): same data,
 * same options; the solutions must agree and the iteration and evaluation counts must be scipy's.
 */
import { describe, expect, it } from 'vitest';

import { minimizeLbfgsb } from '../../src/optim/lbfgsb.ts';
import { boundArray, fixtureObjective, kktResidual, loadFixtures, maxAbsDiff } from './problems.ts';

const fixtures = loadFixtures();

describe('L-BFGS-B vs scipy reference fixtures', () => {
  it('found the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  for (const fx of fixtures) {
    it(`${fx.name}: matches scipy's solution, f, iterations and evaluations`, () => {
      const fg = fixtureObjective(fx);
      const lower = boundArray(fx.lower, -Infinity);
      const upper = boundArray(fx.upper, Infinity);
      const res = minimizeLbfgsb(fg, Float64Array.from(fx.x0), lower, upper, fx.options);

      const ref = fx.scipy;
      // Both implementations stop on the same tests, so they should stop for the same reason.
      const expectedStatus = ref.message.includes('PROJECTED GRADIENT') ? 'converged-pgtol' : 'converged-factr';
      expect(res.status).toBe(expectedStatus);
      const fScale = Math.max(1, Math.abs(ref.fun));
      expect(Math.abs(res.f - ref.fun) / fScale).toBeLessThan(1e-9);
      expect(maxAbsDiff(res.x, ref.x)).toBeLessThan(1e-6);
      // Feasible, and (nearly) first-order optimal.
      const lo = lower ?? new Float64Array(fx.n).fill(-Infinity);
      const hi = upper ?? new Float64Array(fx.n).fill(Infinity);
      expect(kktResidual(res.x, fg(res.x).g, lo, hi)).toBeLessThan(1e-3);
      // Same algorithm, same options: the same iterations and evaluations as scipy's, exactly.
      expect(res.iterations).toBe(ref.nit);
      expect(res.evaluations).toBe(ref.nfev);
      if (process.env.LBFGSB_VERBOSE) {
        console.log(
          `${fx.name.padEnd(24)} dx=${maxAbsDiff(res.x, ref.x).toExponential(2)} ` +
            `ours nit=${res.iterations} nfev=${res.evaluations} f=${res.f.toPrecision(12)} ` +
            `| scipy nit=${ref.nit} nfev=${ref.nfev} f=${ref.fun.toPrecision(12)} | ${res.status}`,
        );
      }
    });
  }
});
