/**
 * The O(n·m) kernels against plain loops, and the products the subspace step keeps from one iteration to
 * the next against the same products computed from scratch in float64, on fresh random data (the seed is
 * printed with a failure; BLINDSPOT_TEST_SEED replays it).
 */
import { describe, expect, it } from 'vitest';

import { columnDotsAt, combineColumnsAt } from '../../src/optim/columns.ts';
import { CompactMemory } from '../../src/optim/compactMemory.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';

/** A random pair (s, y) with sᵀy > 0 (y = s + noise), and its sᵀy, yᵀy. */
function randomPair(random: () => number, n: number) {
  const s = uniformArray(random, n);
  const y = Float64Array.from(s, (v) => v + 0.3 * (random() - 0.5));
  let sy = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) {
    sy += s[i] * y[i];
    yy += y[i] * y[i];
  }
  return { s, y, sy, yy };
}

/** Stores a pair in a memory (as s − 0, y − 0); the middle matrix must factor. */
function push(mem: CompactMemory, pair: ReturnType<typeof randomPair>): void {
  const zero = new Float64Array(mem.n);
  expect(mem.commit(pair.s, zero, pair.y, zero, pair.sy, pair.yy)).toBe(true);
}

/** A memory of dimension n holding `pairs` random pairs (the last m of them), with their s and y in push order. */
function randomMemory(random: () => number, n: number, m: number, pairs: number) {
  const mem = new CompactMemory(n, m);
  const pushed: { s: Float64Array; y: Float64Array }[] = [];
  for (let k = 0; k < pairs; k++) {
    const pair = randomPair(random, n);
    push(mem, pair);
    pushed.push(pair);
  }
  return { mem, pairs: pushed.slice(-m) };
}

/** A random subset of 0..n−1 in increasing order. */
function randomIndices(random: () => number, n: number, share: number): Int32Array {
  return Int32Array.from(Array.from({ length: n }, (_, i) => i).filter(() => random() < share));
}

describe('column kernels (columns.ts) against one loop per column', () => {
  // Odd and even pair counts (the kernels take two pairs per pass), one coordinate, a few hundred.
  for (const [n, m, pairs] of [
    [1, 1, 1],
    [7, 3, 3],
    [13, 4, 6],
    [300, 10, 10],
    [301, 10, 7],
  ] as const) {
    it(`n = ${n}, ${Math.min(pairs, m)} pairs: bit for bit`, () => {
      const seed = testSeed();
      const random = rng(seed);
      const { mem, pairs: stored } = randomMemory(random, n, m, pairs);
      const col = mem.count;
      const theta = mem.theta;
      const v = uniformArray(random, n);
      const indices = randomIndices(random, n, 0.6);
      const len = indices.length;
      const context = `seed ${seed}`;

      // Over every coordinate, and over a random subset.
      const all = Int32Array.from({ length: n }, (_, i) => i);
      const dots = new Float64Array(2 * col);
      columnDotsAt(mem.s, mem.y, mem.offsets, col, theta, all, n, v, dots);
      const packed = Float64Array.from(indices, (i) => v[i]);
      const atIndices = new Float64Array(2 * col);
      columnDotsAt(mem.s, mem.y, mem.offsets, col, theta, indices, len, packed, atIndices);
      for (let j = 0; j < col; j++) {
        const { s, y } = stored[j];
        let ys = 0;
        let ss = 0;
        let ysAt = 0;
        let ssAt = 0;
        for (let i = 0; i < n; i++) {
          ys += y[i] * v[i];
          ss += s[i] * v[i];
        }
        for (const i of indices) {
          ysAt += y[i] * v[i];
          ssAt += s[i] * v[i];
        }
        expect([dots[j], dots[col + j]], context).toEqual([ys, theta * ss]);
        expect([atIndices[j], atIndices[col + j]], context).toEqual([ysAt, theta * ssAt]);
      }

      const cy = uniformArray(random, col);
      const cs = uniformArray(random, col);
      for (const sign of [1, -1] as const) {
        const out = uniformArray(random, len);
        const expected = Float64Array.from(out);
        combineColumnsAt(mem.s, mem.y, mem.offsets, col, indices, len, cy, cs, sign, out);
        for (let p = 0; p < len; p++) {
          const i = indices[p];
          for (let j = 0; j < col; j++) {
            const term = stored[j].y[i] * cy[j] + stored[j].s[i] * cs[j];
            expected[p] = sign > 0 ? expected[p] + term : expected[p] - term;
          }
        }
        expect(Array.from(out), `${context}, sign ${sign}`).toEqual(Array.from(expected));
      }
    });
  }
});

/** P, E, Q of the reduced matrix straight from their definitions, over the free set `free`. */
function denseReduced(pairs: { s: Float64Array; y: Float64Array }[], theta: number, free: Set<number>, n: number) {
  const col = pairs.length;
  const over = (a: Float64Array, b: Float64Array, inZ: boolean) => {
    let sum = 0;
    for (let i = 0; i < n; i++) if (free.has(i) === inZ) sum += a[i] * b[i];
    return sum;
  };
  const all = (a: Float64Array, b: Float64Array) => over(a, b, true) + over(a, b, false);
  const p = new Float64Array(col * col);
  const e = new Float64Array(col * col);
  const q = new Float64Array(col * col);
  for (let a = 0; a < col; a++) {
    for (let b = 0; b < col; b++) {
      const { s: sa, y: ya } = pairs[a];
      const { s: sb, y: yb } = pairs[b];
      p[a * col + b] = (a === b ? all(sa, ya) : 0) + over(ya, yb, true) / theta;
      // E = L − SᵀZZᵀY: below the diagonal sᵀy over all less over Z is the sum over A.
      e[a * col + b] = (a > b ? all(sa, yb) : 0) - over(sa, yb, true);
      q[a * col + b] = theta * over(sa, sb, false);
    }
  }
  return { p, e, q };
}

describe('products over the free and active sets (reducedProducts.ts), kept across iterations', () => {
  it('match a recomputation after every new pair and change of sets, through wrap-around, large changes and a reset', () => {
    const seed = testSeed();
    const random = rng(seed);
    const n = 57;
    const m = 4;
    const mem = new CompactMemory(n, m);
    const history: { s: Float64Array; y: Float64Array }[] = [];
    let free = new Set(Array.from({ length: n }, (_, i) => i).filter(() => random() < 0.5));
    const p = new Float64Array(m * m);
    const e = new Float64Array(m * m);
    const q = new Float64Array(m * m);
    for (let step = 0; step < 40; step++) {
      if (step === 25) {
        mem.reset();
        history.length = 0;
      }
      const pair = randomPair(random, n);
      push(mem, pair);
      history.push(pair);
      // A few variables change sides most of the time; every seventh step more than a quarter do.
      const flips = step % 7 === 6 ? Math.ceil(n / 3) : Math.floor(random() * 5);
      free = new Set(free);
      for (let f = 0; f < flips; f++) {
        const i = Math.floor(random() * n);
        if (free.has(i)) free.delete(i);
        else free.add(i);
      }
      const freeList = Array.from(free).sort((a, b) => a - b);
      const partition = Int32Array.from([...freeList, ...Array.from({ length: n }, (_, i) => i).filter((i) => !free.has(i))]);
      mem.products.reducedMatrix(mem, partition, freeList.length, p, e, q);
      const pairs = history.slice(-m);
      const expected = denseReduced(pairs, mem.theta, free, n);
      const col = pairs.length;
      for (let a = 0; a < col; a++) {
        for (let b = 0; b < col; b++) {
          const context = `seed ${seed}, step ${step}, entry (${a}, ${b})`;
          // Lower triangles of P and Q are what the factorization reads.
          if (b <= a) expect(p[a * m + b], context).toBeCloseTo(expected.p[a * col + b], 10);
          if (b <= a) expect(q[a * m + b], context).toBeCloseTo(expected.q[a * col + b], 10);
          expect(e[a * m + b], context).toBeCloseTo(expected.e[a * col + b], 10);
        }
      }
    }
  });
});
