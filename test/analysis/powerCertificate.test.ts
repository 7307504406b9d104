import { describe, expect, it } from 'vitest';
import {
  CERTIFICATE_THETAS,
  certifiedMargin,
  failureThreshold,
  marginOnSquare,
  powersForMargin,
  singleStartFailure,
  smallCosineProbability,
} from '../../src/analysis/powerCertificate.ts';
import { gaussian } from '../reference/linalg.ts';
import { rng, testSeed } from '../helpers/random.ts';

/** P(|cos| < s) for a uniform direction in ℝⁿ, by Simpson's rule on the density ∝ (1 − u²)^((n−3)/2). */
function exactSmallCosine(n: number, s: number): number {
  if (n === 2) return (2 / Math.PI) * Math.asin(s);
  const density = (u: number) => (1 - u * u) ** ((n - 3) / 2);
  const simpson = (a: number, b: number) => {
    const steps = 20_000;
    const h = (b - a) / steps;
    let sum = density(a) + density(b);
    for (let i = 1; i < steps; i++) sum += density(a + i * h) * (i % 2 ? 4 : 2);
    return (sum * h) / 3;
  };
  return simpson(0, s) / simpson(0, 1);
}

describe('power-iteration certificate', () => {
  it('bounds the small-cosine probability of a uniform direction from above, and tightly for small s', () => {
    for (const n of [2, 3, 10, 100, 784]) {
      for (const s of [1e-4, 1e-3, 0.01, 0.05, 0.2]) {
        const exact = exactSmallCosine(n, s);
        const bound = smallCosineProbability(n, s);
        expect(bound, `n=${n} s=${s}`).toBeGreaterThanOrEqual(exact * (1 - 1e-9));
        // The bound replaces the density by its value at 0 (and Γ ratios by Wendel's bound): within 1.3×
        // as long as the density is flat over [0, s] (n = 2 uses s itself, π/2 times (2/π)·arcsin s ≈ 2s/π).
        if (n > 2 && s * Math.sqrt(n) < 0.2) expect(bound, `n=${n} s=${s}`).toBeLessThanOrEqual(1.3 * exact);
      }
    }
    expect(smallCosineProbability(1, 0.5)).toBe(0);
    expect(smallCosineProbability(1000, 0.9)).toBe(1);
  });

  it('a failed power iteration always had a start cosine below the threshold t(j, ε, θ), on hard spectra', () => {
    const seed = testSeed();
    const random = rng(seed);
    let failures = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const n = 2 + Math.floor(random() * 60);
      const epsilon = 0.01 + 0.5 * random();
      const powers = Math.floor(random() * 40);
      // λ₁ = 1; the rest where failures are likeliest (μ = (1 − ε)·2j/(2j + 1) maximizes μ^{2j}(1 − ε − μ)),
      // clustered just under the failure line 1 − ε, or spread anywhere below 1.
      const worst = ((1 - epsilon) * 2 * powers) / (2 * powers + 1);
      const lambdas = Array.from({ length: n }, (_, i) => {
        const pick = random();
        return i === 0 ? 1 : pick < 0.4 ? worst : pick < 0.7 ? (1 - epsilon) * (1 - 0.05 * random()) : random();
      });
      const b = Array.from({ length: n }, () => gaussian(random));
      const norm = b.reduce((acc, v) => acc + v * v, 0);
      const c = b.map((v) => (v * v) / norm);
      // Small c₁ too, where failures happen: shrink the first coordinate now and then.
      if (random() < 0.5) {
        const shrink = 10 ** (-6 * random());
        const rest = 1 - c[0];
        c[0] *= shrink;
        const total = c[0] + rest;
        for (let i = 0; i < n; i++) c[i] /= total;
      }
      let num = 0;
      let den = 0;
      lambdas.forEach((l, i) => {
        num += l ** (2 * powers + 1) * c[i];
        den += l ** (2 * powers) * c[i];
      });
      const rho = num / den;
      if (rho >= 1 - epsilon) continue;
      failures++;
      for (const theta of CERTIFICATE_THETAS) {
        expect(c[0], `seed=${seed} trial ${trial}: n=${n} ε=${epsilon} j=${powers} θ=${theta} ρ=${rho}`).toBeLessThan(failureThreshold(powers, epsilon, theta));
      }
    }
    expect(failures, `seed=${seed}: the hard spectra must produce failures to check`).toBeGreaterThan(100);
  });

  it('combines the threshold and the cosine bound, minimized over θ', () => {
    for (const [n, j, eps] of [[784, 400, 0.02], [10, 50, 0.1], [2, 5, 0.3], [100000, 1000, 0.005]] as const) {
      const expected = Math.min(1, ...CERTIFICATE_THETAS.map((theta) => smallCosineProbability(n, Math.sqrt(failureThreshold(j, eps, theta)))));
      expect(singleStartFailure(n, j, eps)).toBe(expected);
    }
  });

  it('fixes the number of products for a margin, and certifies that margin with exactly that many', () => {
    for (const dimension of [1, 2, 7, 100, 784, 9216]) {
      for (const starts of [1, 4, 8]) {
        for (const failureProbability of [1e-3, 1e-6, 1e-9]) {
          const settings = { dimension, starts, failureProbability };
          for (const margin of [0.005, 0.01, 0.05]) {
            const powers = powersForMargin(settings, margin);
            const context = JSON.stringify({ ...settings, margin, powers });
            expect(certifiedMargin(settings, powers), context).toBeLessThanOrEqual(marginOnSquare(margin) * (1 + 1e-9));
            if (powers > 0) expect(certifiedMargin(settings, powers - 1), context).toBeGreaterThan(marginOnSquare(margin));
            // The guarantee: with all starts failing at most δ.
            if (dimension > 1) expect(singleStartFailure(dimension, powers, marginOnSquare(margin)) ** starts, context).toBeLessThanOrEqual(failureProbability);
          }
        }
      }
    }
    // More products, smaller margins; a 1-D operator needs none.
    const settings = { dimension: 784, starts: 8, failureProbability: 1e-6 };
    expect(certifiedMargin(settings, 1000)).toBeLessThan(certifiedMargin(settings, 500));
    expect(powersForMargin({ ...settings, dimension: 1 }, 0.01)).toBe(0);
    expect(marginOnSquare(0.01)).toBeCloseTo(1 - 1 / 1.01 ** 2, 15);
  });

  it('rejects bad settings by name', () => {
    expect(() => certifiedMargin({ dimension: 0, starts: 1, failureProbability: 0.1 }, 3)).toThrow(/dimension/);
    expect(() => certifiedMargin({ dimension: 3, starts: 1.5, failureProbability: 0.1 }, 3)).toThrow(/starts/);
    expect(() => certifiedMargin({ dimension: 3, starts: 1, failureProbability: 1 }, 3)).toThrow(/failure probability/);
    expect(() => certifiedMargin({ dimension: 3, starts: 1, failureProbability: 0.1 }, -1)).toThrow(/powers/);
    expect(() => marginOnSquare(0)).toThrow(/margin/);
  });
});
