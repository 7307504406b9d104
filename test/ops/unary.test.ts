import { describe, expect, it } from 'vitest';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { sum, tensor } from '../../src/tensor/ops/index.ts';
import { abs, addScalar, clamp, exp, finiteMask, log, mulScalar, neg, powScalar, relu, sigmoid, sqrt, square, tanh } from '../../src/tensor/ops/unary.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { checkOp } from '../helpers/checkOp.ts';
import { expectClose, type Tolerance } from '../helpers/compare.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { elementwiseReference } from '../reference/unary.ts';

const getEngine = useTestEngine();

const sigmoidOf = (x: number) => 1 / (1 + Math.exp(-x));

// Exactly rounded ops (square, neg, abs, add, mul, clamp) are within 1 ulp of the float64 result. The
// transcendental ones go through the adapter's exp/log/pow: measured on SwiftShader over 10⁵ samples of
// these ranges, at most 17 ulp relative (pow, computed as exp2 of a log2) and 3e-7 absolute where the
// output crosses zero (tanh, log near 1), both within WGSL's stated accuracy; hence 4e-6 relative (~4×
// the worst seen) and a 1e-6 absolute floor.
const EXACT: Tolerance = { rtol: 2e-7, atol: 1e-7 };
const TRANSCENDENTAL: Tolerance = { rtol: 4e-6, atol: 1e-6 };

const cases: {
  name: string;
  run: (x: Tensor) => Tensor;
  f: (x: number) => number;
  df: (x: number) => number;
  range: [number, number];
  tolerance: Tolerance;
}[] = [
  { name: 'sigmoid', run: sigmoid, f: sigmoidOf, df: (x) => sigmoidOf(x) * (1 - sigmoidOf(x)), range: [-8, 8], tolerance: TRANSCENDENTAL },
  { name: 'relu', run: relu, f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0), range: [-1, 1], tolerance: EXACT },
  { name: 'tanh', run: tanh, f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2, range: [-3, 3], tolerance: TRANSCENDENTAL },
  { name: 'exp', run: exp, f: Math.exp, df: Math.exp, range: [-3, 3], tolerance: TRANSCENDENTAL },
  { name: 'log', run: log, f: Math.log, df: (x) => 1 / x, range: [0.1, 4], tolerance: TRANSCENDENTAL },
  { name: 'square', run: square, f: (x) => x * x, df: (x) => 2 * x, range: [-2, 2], tolerance: EXACT },
  { name: 'sqrt', run: sqrt, f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x), range: [0.1, 4], tolerance: TRANSCENDENTAL },
  { name: 'neg', run: neg, f: (x) => -x, df: () => -1, range: [-1, 1], tolerance: EXACT },
  { name: 'abs', run: abs, f: Math.abs, df: Math.sign, range: [-1, 1], tolerance: EXACT },
  { name: 'addScalar 0.75', run: (x) => addScalar(x, 0.75), f: (x) => x + 0.75, df: () => 1, range: [-1, 1], tolerance: EXACT },
  { name: 'mulScalar -1.5', run: (x) => mulScalar(x, -1.5), f: (x) => -1.5 * x, df: () => -1.5, range: [-1, 1], tolerance: EXACT },
  { name: 'powScalar 3', run: (x) => powScalar(x, 3), f: (x) => x ** 3, df: (x) => 3 * x * x, range: [-2, 2], tolerance: TRANSCENDENTAL },
  { name: 'powScalar 2.5', run: (x) => powScalar(x, 2.5), f: (x) => x ** 2.5, df: (x) => 2.5 * x ** 1.5, range: [0.1, 2], tolerance: TRANSCENDENTAL },
  { name: 'powScalar -1', run: (x) => powScalar(x, -1), f: (x) => 1 / x, df: (x) => -1 / (x * x), range: [0.5, 2], tolerance: TRANSCENDENTAL },
  { name: 'powScalar 0', run: (x) => powScalar(x, 0), f: () => 1, df: () => 0, range: [-1, 1], tolerance: EXACT },
  {
    name: 'clamp [-0.5, 0.25]',
    run: (x) => clamp(x, -0.5, 0.25),
    f: (x) => Math.min(Math.max(x, -0.5), 0.25),
    df: (x) => (x >= -0.5 && x <= 0.25 ? 1 : 0),
    range: [-1, 1],
    tolerance: EXACT,
  },
];

// Sizes that are not multiples of the workgroup, a single element, a size-1 middle dim, and a hidden
// layer of the paper's MNIST nets for a minibatch of 128.
const shapes = [[67], [5, 131], [1], [3, 1, 7], [128, 100]];

describe('unary ops', () => {
  for (const c of cases) {
    for (const shape of shapes) {
      it(`${c.name} [${shape}]`, async () => {
        await checkOp(getEngine(), {
          name: c.name,
          shapes: [shape],
          range: c.range,
          run: ([x]) => c.run(x),
          reference: elementwiseReference(c.f, c.df),
          tolerance: c.tolerance,
        });
      });
    }
  }
});

describe('finiteMask', () => {
  // Random finite values with NaN, ±Infinity and the f32 extremes scattered among them.
  const specials = [Number.NaN, Infinity, -Infinity, 3.4028234663852886e38, -3.4028234663852886e38, 1.4e-45, 0];
  for (const shape of shapes) {
    it(`[${shape}]`, async () => {
      await checkOp(getEngine(), {
        name: 'finiteMask',
        shapes: [shape],
        makeInput: (_, s, random) =>
          Float64Array.from({ length: s.reduce((p, d) => p * d, 1) }, () =>
            random() < 0.3 ? specials[Math.floor(random() * specials.length)] : 1e3 * (random() - 0.5),
          ),
        run: ([x]) => finiteMask(x),
        reference: elementwiseReference((x) => (Number.isFinite(x) ? 1 : 0), () => 0),
        tolerance: { rtol: 0, atol: 0 },
        forwardOnly: true,
      });
    });
  }
});

describe('unary edge cases', () => {
  async function values(run: (x: Tensor) => Tensor, input: number[]): Promise<number[]> {
    const x = tensor(getEngine(), input);
    const y = run(x);
    const data = [...(await y.data())];
    x.dispose();
    y.dispose();
    return data;
  }

  async function gradient(run: (x: Tensor) => Tensor, input: number[]): Promise<number[]> {
    const engine = getEngine();
    const x = tensor(engine, input);
    const { value, grads } = valueAndGrads(engine, () => sum(run(x)), [x]);
    const data = [...(await grads[0].data())];
    for (const t of [x, value, ...grads]) t.dispose();
    return data;
  }

  it('sigmoid and tanh saturate without overflow at extreme inputs', async () => {
    // exp(−30) may be off by the ~60 ulp WGSL allows exp at |x| = 30; the tails only need to stay finite.
    expectClose(await values(sigmoid, [-100, -30, 0, 30, 100]), [0, sigmoidOf(-30), 0.5, 1, 1], { rtol: 1e-5, atol: 1e-30 });
    expect(await values(tanh, [-1e4, -100, 0, 100, 1e4])).toEqual([-1, -1, 0, 1, 1]);
    expect(await gradient(sigmoid, [-100, 100])).toEqual([0, 0]);
    expect(await gradient(tanh, [-100, 100])).toEqual([0, 0]);
  });

  it('powScalar follows the sign rules of real powers', async () => {
    expect(await values((x) => powScalar(x, 3), [-2, 0, 2])).toEqual([-8, 0, 8]);
    expect(await values((x) => powScalar(x, 2), [-2, 0, 2])).toEqual([4, 0, 4]);
    expect(await values((x) => powScalar(x, 0), [-2, 0, 2])).toEqual([1, 1, 1]);
    expect(await values((x) => powScalar(x, 0.5), [-4, 0, 4])).toEqual([Number.NaN, 0, 2]);
  });

  it('gradients at kinks: relu and abs give 0 at 0, clamp passes on its bounds', async () => {
    expect(await gradient(relu, [-1, 0, 1])).toEqual([0, 0, 1]);
    expect(await gradient(abs, [-1, 0, 1])).toEqual([-1, 0, 1]);
    expect(await gradient((x) => clamp(x, 0, 1), [-0.5, 0, 0.5, 1, 1.5])).toEqual([0, 1, 1, 1, 0]);
  });

  it('clamp rejects an empty interval', () => {
    const x = tensor(getEngine(), [1]);
    expect(() => clamp(x, 1, 0)).toThrow(/clamp: lower bound 1 exceeds upper bound 0/);
    x.dispose();
  });
});
