import { describe, expect, it } from 'vitest';
import type { LabelledImages } from '../../src/data/idx.ts';
import { splitIndices, splitP1P2, subset } from '../../src/data/split.ts';

function checkPartition(p1: Int32Array, p2: Int32Array, count: number): void {
  const seen = new Uint8Array(count);
  for (const i of p1) seen[i] += 1;
  for (const i of p2) seen[i] += 2;
  // 1 = only P1, 2 = only P2; 0 would be uncovered and 3 shared.
  expect(seen.every((s) => s === 1 || s === 2)).toBe(true);
}

/** A toy dataset whose example k has every pixel equal to k and label k mod 10. */
function toy(count: number, pixels = 4): LabelledImages {
  const images = new Float32Array(count * pixels);
  for (let k = 0; k < count; k++) images.fill(k, k * pixels, (k + 1) * pixels);
  return { images, labels: Int32Array.from({ length: count }, (_, k) => k % 10), count };
}

describe('splitIndices', () => {
  it('cuts 60000 into two disjoint sorted halves of 30000 covering everything', () => {
    const { p1, p2 } = splitIndices(60000, 1);
    expect(p1.length).toBe(30000);
    expect(p2.length).toBe(30000);
    checkPartition(p1, p2, 60000);
    for (let i = 1; i < p1.length; i++) expect(p1[i]).toBeGreaterThan(p1[i - 1]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = splitIndices(60000, 42);
    const b = splitIndices(60000, 42);
    const c = splitIndices(60000, 43);
    expect(a.p1).toEqual(b.p1);
    expect(a.p2).toEqual(b.p2);
    let shared = 0;
    const inA = new Uint8Array(60000);
    for (const i of a.p1) inA[i] = 1;
    for (const i of c.p1) shared += inA[i];
    // Independent random halves share about half their members; identical ones would share all.
    expect(shared).toBeGreaterThan(14000);
    expect(shared).toBeLessThan(16000);
  });

  it('is not just the first and second half', () => {
    const { p1 } = splitIndices(1000, 7);
    expect(p1.some((i) => i >= 500)).toBe(true);
  });

  it('gives the extra example of an odd count to P2', () => {
    const { p1, p2 } = splitIndices(7, 3);
    expect(p1.length).toBe(3);
    expect(p2.length).toBe(4);
    checkPartition(p1, p2, 7);
  });
});

describe('subset and splitP1P2', () => {
  it('copies the chosen examples in order', () => {
    const set = subset(toy(10), [7, 2, 7]);
    expect(set.count).toBe(3);
    expect([...set.labels]).toEqual([7, 2, 7]);
    expect([...set.images]).toEqual([7, 7, 7, 7, 2, 2, 2, 2, 7, 7, 7, 7]);
  });

  it('rejects indices outside the dataset', () => {
    expect(() => subset(toy(10), [0, 10])).toThrow('subset: index 10 at position 1 is outside the dataset of 10 examples');
    expect(() => subset(toy(10), [1.5])).toThrow(/index 1.5/);
  });

  it('splits a dataset into halves whose examples match their indices', () => {
    const data = toy(100);
    const { p1, p2, indices } = splitP1P2(data, 5);
    expect(p1.count + p2.count).toBe(100);
    checkPartition(indices.p1, indices.p2, 100);
    indices.p2.forEach((src, k) => {
      expect(p2.images[k * 4]).toBe(src);
      expect(p2.labels[k]).toBe(src % 10);
    });
  });
});
