import { describe, expect, it } from 'vitest';
import { argmax, max, mean, min, sum, tensor } from '../../src/tensor/ops/index.ts';
import { checkOp, type RefArray } from '../helpers/checkOp.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

/** Float64 reduction over one axis (or all) with its backward; `pick` chooses max/min. */
function reduceRef(kind: 'sum' | 'mean' | 'max' | 'min', axis?: number) {
  const split = (shape: number[]) => {
    if (axis === undefined) return { outer: 1, length: shape.reduce((p, d) => p * d, 1), inner: 1, out: [] as number[] };
    const a = axis < 0 ? axis + shape.length : axis;
    return {
      outer: shape.slice(0, a).reduce((p, d) => p * d, 1),
      length: shape[a],
      inner: shape.slice(a + 1).reduce((p, d) => p * d, 1),
      out: shape.filter((_, i) => i !== a),
    };
  };
  const forward = ([x]: RefArray[]): RefArray => {
    const s = split(x.shape);
    const data = new Float64Array(s.outer * s.inner);
    for (let o = 0; o < s.outer; o++)
      for (let j = 0; j < s.inner; j++) {
        let acc = kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0;
        for (let k = 0; k < s.length; k++) {
          const v = x.data[(o * s.length + k) * s.inner + j];
          acc = kind === 'max' ? Math.max(acc, v) : kind === 'min' ? Math.min(acc, v) : acc + v;
        }
        data[o * s.inner + j] = kind === 'mean' ? acc / s.length : acc;
      }
    return { data, shape: s.out };
  };
  const backward = (inputs: RefArray[], g: Float64Array) => {
    const [x] = inputs;
    const s = split(x.shape);
    const out = forward(inputs).data;
    const gx = new Float64Array(x.data.length);
    for (let o = 0; o < s.outer; o++)
      for (let j = 0; j < s.inner; j++)
        for (let k = 0; k < s.length; k++) {
          const at = (o * s.length + k) * s.inner + j;
          const go = g[o * s.inner + j];
          if (kind === 'sum') gx[at] = go;
          else if (kind === 'mean') gx[at] = go / s.length;
          else gx[at] = x.data[at] === out[o * s.inner + j] ? go : 0;
        }
    return [gx];
  };
  return { forward, backward };
}

const shapes: [number[], number | undefined][] = [
  [[1000], undefined],
  [[7, 13], 1],
  [[7, 13], 0],
  [[3, 1, 5], 1],
  [[4, 67, 3], -2],
  [[2, 3, 4], undefined],
];

describe('reductions', () => {
  for (const kind of ['sum', 'mean', 'max', 'min'] as const) {
    const op = { sum, mean, max, min }[kind];
    for (const [shape, axis] of shapes) {
      it(`${kind} [${shape}] axis ${axis}`, async () => {
        const engine = getEngine();
        await checkOp(engine, {
          name: kind,
          shapes: [shape],
          run: ([x]) => op(x, axis),
          reference: reduceRef(kind, axis),
          // Sums of up to 1000 terms in f32.
          tolerance: { rtol: 1e-5, atol: 1e-5 },
        });
      });
    }
  }

  it('argmax picks the first maximum along the axis', async () => {
    const engine = getEngine();
    const x = tensor(engine, [1, 5, 5, 0, /**/ -1, -2, -3, -4, /**/ 2, 9, 1, 9], [3, 4]);
    const index = argmax(x, 1);
    expect([...(await index.data())]).toEqual([1, 0, 1]);
    expect(index.shape).toEqual([3]);
    x.dispose();
    index.dispose();
  });

  it('rejects an axis out of range, naming the op', async () => {
    const engine = getEngine();
    const x = tensor(engine, [1, 2, 3], [3]);
    expect(() => sum(x, 2)).toThrow(/sum: axis 2 is out of range for rank 1/);
    x.dispose();
  });
});
