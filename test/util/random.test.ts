import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, fillGaussian, permutation, shuffleInPlace } from '../../src/util/random.ts';

describe('createRng', () => {
  it('replays the same stream for the same seed', () => {
    const a = createRng(123);
    const b = createRng(123);
    const c = createRng(124);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('produces floats in [0,1) with a uniform-looking mean and unbiased integers', () => {
    const rng = createRng(0);
    let sum = 0;
    const buckets = new Array(7).fill(0);
    let outside = 0;
    for (let i = 0; i < 70000; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      buckets[rng.int(7)]++;
    }
    expect(outside).toBe(0);
    expect(sum / 70000).toBeCloseTo(0.5, 2);
    for (const b of buckets) expect(Math.abs(b - 10000)).toBeLessThan(400);
    expect(() => rng.int(0)).toThrow(/Rng.int/);
  });

  it('draws gaussians with mean 0 and variance 1', () => {
    const xs = fillGaussian(new Float32Array(100000), createRng(9));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(xs.every(Number.isFinite)).toBe(true);
  });
});

describe('permutations', () => {
  it('are permutations, reproducible per seed', () => {
    const p = permutation(1000, createRng(1));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(permutation(1000, createRng(1))).toEqual(p);
    expect(permutation(1000, createRng(2))).not.toEqual(p);
  });

  it('shuffle plain arrays in place', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const same = shuffleInPlace(items, createRng(4));
    expect(same).toBe(items);
    expect([...items].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('derive distinct seeds per purpose', () => {
    expect(deriveSeed(1, 'split')).toBe(deriveSeed(1, 'split'));
    expect(deriveSeed(1, 'split')).not.toBe(deriveSeed(1, 'batches'));
    expect(deriveSeed(1, 'split')).not.toBe(deriveSeed(2, 'split'));
  });
});
