import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/tensor/ops/index.ts';
import { topk, TOPK_MAX_K, type TopK } from '../../src/tensor/ops/topk.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed } from '../helpers/random.ts';
import { topkReference } from '../reference/topk.ts';

const getEngine = useTestEngine();

type Fill = 'uniform' | 'ties' | 'special' | 'zeros';

/**
 * A [rows, columns] matrix of f32 values: uniform in [-1, 1); 'ties' draws from four levels so most
 * entries tie; 'special' mixes a few NaN, ±∞, −0 and +0 among the uniform values (about one of each
 * per column, so NaN, +∞ and numbers all reach the top-k); 'zeros' is −0, +0 or −1, so the top-k is
 * made of zeros of both signs, which must tie.
 */
function matrix(rows: number, columns: number, fill: Fill, random: () => number): Float32Array {
  const specials = [Number.NaN, Infinity, -Infinity, -0, 0];
  return Float32Array.from({ length: rows * columns }, () => {
    if (fill === 'ties') return Math.floor(random() * 4) - 1;
    if (fill === 'zeros') return [-0, 0, -1][Math.floor(random() * 3)];
    if (fill === 'special' && random() < 0.025) return specials[Math.floor(random() * specials.length)];
    return 2 * random() - 1;
  });
}

/** Read both outputs, dispose them, and compare exactly with the reference (NaN where NaN is expected). */
async function expectTopK(result: TopK, data: Float32Array, rows: number, columns: number, k: number, context: string, rowOffset = 0) {
  const expected = topkReference(data, rows, columns, k, rowOffset);
  const [values, indices] = [await result.values.data(), await result.indices.data()];
  result.values.dispose();
  result.indices.dispose();
  expect(result.values.shape, context).toEqual([k, columns]);
  // Exact: the kernel moves values, never computes them. Object.is tells −0 from +0 and matches NaN.
  const valueMismatch = [...expected.values].findIndex((e, i) => !Object.is(values[i], e));
  expect(valueMismatch, `${context}: value ${valueMismatch} is ${values[valueMismatch]}, expected ${expected.values[valueMismatch]}`).toBe(-1);
  expect([...indices], `${context}: indices`).toEqual([...expected.indices]);
}

describe('topk', () => {
  const cases: { rows: number; columns: number; k: number; fill: Fill; what: string }[] = [
    { rows: 1000, columns: 67, k: 9, fill: 'uniform', what: 'images × units, k of the figures' },
    { rows: 131, columns: 130, k: TOPK_MAX_K, fill: 'uniform', what: 'largest k, columns past two workgroups' },
    { rows: 37, columns: 1, k: 1, fill: 'uniform', what: 'one column, k = 1' },
    { rows: 1, columns: 70, k: 1, fill: 'uniform', what: 'one row, k = N = 1' },
    { rows: 13, columns: 5, k: 13, fill: 'uniform', what: 'k = N' },
    { rows: 300, columns: 65, k: 10, fill: 'ties', what: 'four levels: ties everywhere' },
    { rows: 11, columns: 9, k: 11, fill: 'ties', what: 'ties, k = N' },
    { rows: 200, columns: 33, k: 7, fill: 'special', what: 'NaN, ±∞ and ±0 mixed in' },
    { rows: 40, columns: 17, k: 9, fill: 'zeros', what: '−0 and +0 tie' },
  ];
  for (const c of cases) {
    it(`${c.what}: [${c.rows}, ${c.columns}], k = ${c.k}`, async () => {
      const seed = testSeed();
      const data = matrix(c.rows, c.columns, c.fill, rng(seed));
      const x = tensor(getEngine(), data, [c.rows, c.columns]);
      await expectTopK(topk(x, c.k), data, c.rows, c.columns, c.k, `seed=${seed}`);
      x.dispose();
    });
  }

  it('counts rows from rowOffset', async () => {
    const seed = testSeed();
    const data = matrix(50, 3, 'ties', rng(seed));
    const x = tensor(getEngine(), data, [50, 3]);
    await expectTopK(topk(x, 4, { rowOffset: 1000 }), data, 50, 3, 4, `seed=${seed}`, 1000);
    x.dispose();
  });

  for (const fill of ['uniform', 'ties', 'special', 'zeros'] as const) {
    it(`streams blocks of rows (${fill}): merging equals one pass over all rows`, async () => {
      const seed = testSeed();
      const random = rng(seed);
      const [rows, columns, k] = [257, 71, 9];
      const data = matrix(rows, columns, fill, random);
      // Blocks of uneven sizes, the first larger than k, one smaller than k, one of a single row.
      const cuts = [0, 20, 23, 24, 150, rows];
      let state: TopK | null = null;
      for (let b = 0; b + 1 < cuts.length; b++) {
        const block = tensor(getEngine(), data.subarray(cuts[b] * columns, cuts[b + 1] * columns), [cuts[b + 1] - cuts[b], columns]);
        const next: TopK = topk(block, k, state ? { rowOffset: cuts[b], merge: state } : {});
        block.dispose();
        state?.values.dispose();
        state?.indices.dispose();
        state = next;
      }
      await expectTopK(state!, data, rows, columns, k, `seed=${seed}`);
    });
  }

  it('rejects bad input before any work, naming what is wrong', () => {
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(12), [4, 3]);
    const vector = tensor(engine, new Float32Array(4));
    const dispatched = engine.dispatches;
    expect(() => topk(vector, 1)).toThrow(/topk: expected a matrix \[rows, columns\], got shape \[4\]/);
    expect(() => topk(x, 0)).toThrow(/topk: k must be an integer in \[1, 16\], got 0/);
    expect(() => topk(x, 17)).toThrow(/got 17/);
    expect(() => topk(x, 2.5)).toThrow(/got 2.5/);
    expect(() => topk(x, 5)).toThrow(/topk: k = 5 exceeds the 4 rows of x/);
    expect(() => topk(x, 2, { rowOffset: -1 })).toThrow(/rowOffset must be a non-negative integer, got -1/);
    expect(() => topk(x, 2, { rowOffset: 2 ** 24 })).toThrow(/exceed 2\^24/);
    const wrong: Tensor = tensor(engine, new Float32Array(6), [2, 3]);
    const merge = { values: wrong, indices: tensor(engine, new Float32Array(9), [3, 3]) };
    expect(() => topk(x, 3, { merge, rowOffset: 4 })).toThrow(/topk: merge.values has shape \[2,3\], expected \[3, 3\]/);
    expect(engine.dispatches).toBe(dispatched);
    for (const t of [x, vector, wrong, merge.indices]) t.dispose();
  });
});
