import { describe, expect, it } from 'vitest';
import { KernelArgumentError } from '../../src/gpu/errors.ts';
import { tensor } from '../../src/tensor/ops/index.ts';
import { gatherRows, oneHot, transpose2d } from '../../src/tensor/ops/gather.ts';
import { checkOp } from '../helpers/checkOp.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { gatherRowsReference, oneHotReference, transposeReference } from '../reference/gather.ts';

const getEngine = useTestEngine();

// Gathers and transposes only move values, and the scatter-add sums at most a few repeats: results are
// exact except for that sum (a few ulp).
const EXACT = { rtol: 1e-6, atol: 1e-7 };

/** `count` indices into `rows` rows: distinct (a shuffled prefix, like a minibatch) or with repeats. */
function indexInput(rows: number, distinct: boolean) {
  return (index: number, shape: number[], random: () => number): Float64Array => {
    const size = shape.reduce((p, d) => p * d, 1);
    if (index === 0) return Float64Array.from({ length: size }, () => 2 * random() - 1);
    if (!distinct) return Float64Array.from({ length: size }, () => Math.floor(random() * rows));
    const order = Float64Array.from({ length: rows }, (_, i) => i);
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order.subarray(0, size);
  };
}

describe('gatherRows', () => {
  const cases: { x: number[]; indices: number[]; distinct: boolean; what: string }[] = [
    // A minibatch of 128 MNIST images from a (shortened) training set resident on the GPU.
    { x: [1000, 784], indices: [128], distinct: true, what: 'minibatch of images' },
    { x: [7, 3], indices: [20], distinct: false, what: 'repeated indices' },
    // Rows wider than the 16 columns one scatter-add invocation owns, and not a multiple of them.
    { x: [9, 37], indices: [30], distinct: false, what: 'repeated indices, wide rows' },
    { x: [50], indices: [13], distinct: false, what: 'scalar rows' },
    { x: [5, 1, 3], indices: [2, 5], distinct: false, what: 'index matrix, size-1 axis' },
    { x: [1, 1], indices: [4], distinct: false, what: 'single row picked repeatedly' },
    { x: [67, 65], indices: [67], distinct: true, what: 'a permutation' },
  ];
  for (const c of cases) {
    it(`${c.what}: x [${c.x}] at [${c.indices}]`, async () => {
      await checkOp(getEngine(), {
        name: 'gatherRows',
        shapes: [c.x, c.indices],
        makeInput: indexInput(c.x[0], c.distinct),
        run: ([x, indices]) => gatherRows(x, indices),
        reference: gatherRowsReference,
        noGradient: [1],
        tolerance: EXACT,
      });
    });
  }

  it('an index out of range or not an integer gives a NaN row, and the readback names its position', async () => {
    const engine = getEngine();
    const x = tensor(engine, [1, 2, 3, 4, 5, 6], [3, 2]);
    const indices = tensor(engine, [2, 3, -1, 0.5, 0]);
    const gathered = gatherRows(x, indices);
    await expect(gathered.data()).rejects.toThrow(
      new KernelArgumentError('gatherRows', 1, 'indices[1] is not an integer row index in [0, 3)'),
    );
    // The error was reported once; the values stay readable, the bad rows NaN.
    const out = await gathered.data();
    expect([...out.subarray(0, 2), ...out.subarray(8)]).toEqual([5, 6, 1, 2]);
    expect(out.subarray(2, 8).every(Number.isNaN)).toBe(true);
    for (const t of [x, indices, gathered]) t.dispose();
  });
});

describe('transpose2d', () => {
  for (const shape of [[67, 131], [1, 5], [5, 1], [1, 1], [100, 784]]) {
    it(`[${shape}]`, async () => {
      await checkOp(getEngine(), {
        name: 'transpose2d',
        shapes: [shape],
        run: ([x]) => transpose2d(x),
        reference: transposeReference,
        tolerance: EXACT,
      });
    });
  }

  it('rejects a non-matrix', () => {
    const x = tensor(getEngine(), [1, 2, 3]);
    expect(() => transpose2d(x)).toThrow(/transpose2d: expected a matrix, got shape \[3\]/);
    x.dispose();
  });
});

describe('oneHot', () => {
  for (const [shape, classes] of [[[128], 10], [[2, 3], 4], [[5], 1]] as [number[], number][]) {
    it(`labels [${shape}], ${classes} classes`, async () => {
      await checkOp(getEngine(), {
        name: 'oneHot',
        shapes: [shape],
        makeInput: (_, s, random) => Float64Array.from({ length: s.reduce((p, d) => p * d, 1) }, () => Math.floor(random() * classes)),
        run: ([labels]) => oneHot(labels, classes),
        reference: oneHotReference(classes),
        tolerance: { rtol: 0, atol: 0 },
        forwardOnly: true,
      });
    });
  }

  it('an invalid label gives a NaN row and a KernelArgumentError; a bad class count throws at once', async () => {
    const engine = getEngine();
    const labels = tensor(engine, [1, 2, 0.5]);
    const encoded = oneHot(labels, 2);
    await expect(encoded.data()).rejects.toThrow(/^oneHot: labels\[1\] is not an integer class index in \[0, 2\); the op's output is NaN there$/);
    const out = await encoded.data();
    expect([...out.subarray(0, 2)]).toEqual([0, 1]);
    expect(out.subarray(2).every(Number.isNaN)).toBe(true);
    expect(() => oneHot(labels, 0)).toThrow(/oneHot: classes must be a positive integer, got 0/);
    labels.dispose();
    encoded.dispose();
  });
});
