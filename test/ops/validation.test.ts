/**
 * Bad arguments to tensor constructors and ops: each is refused with an error that names the op and what
 * is wrong, before any GPU memory is acquired (the pool, the live-tensor count and engine.memory() are
 * exactly as before the call), and nothing that used to pass through silently as NaN or garbage does.
 */
import { describe, expect, it } from 'vitest';
import { contextOf } from '../../src/tensor/context.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import {
  add,
  addScalar,
  adamUpdate,
  broadcastTo,
  clamp,
  conv2d,
  fill,
  fillLike,
  gatherRows,
  gaussianNoise,
  matmul,
  mean,
  mulScalar,
  ones,
  philoxWords,
  powScalar,
  randomNormal,
  randomUniform,
  sgdMomentumUpdate,
  sliceRows,
  softmax,
  softmaxCrossEntropy,
  sumToShape,
  tensor,
  tuneMatmul,
  validateLabels,
  zeros,
  type MatmulVariant,
} from '../../src/tensor/ops/index.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

/** What is allocated now: a refused call must leave every number unchanged. */
function footprint(): { live: number; buffers: number; bytesInUse: number; bytesAllocated: number } {
  const engine = getEngine();
  const { buffers, bytesInUse, bytesAllocated } = engine.memory();
  return { live: contextOf(engine).live, buffers, bytesInUse, bytesAllocated };
}

/** Each case: a description, the call, and the message it must throw. */
type Case = [string, () => unknown, RegExp];

function expectRefused(cases: Case[]): void {
  for (const [name, call, message] of cases) {
    const before = footprint();
    expect(call, name).toThrow(message);
    expect(footprint(), `${name}: nothing allocated`).toEqual(before);
  }
}

describe('tensor shapes are validated at construction', () => {
  it('negative, fractional, NaN, infinite, unsafe and non-array shapes are refused by every constructor', () => {
    const engine = getEngine();
    const bad: [unknown, RegExp][] = [
      [[-1, -2], /shape \[-1,-2\] has extent -1 at axis 0; extents must be non-negative integers/],
      [[2, 1.5], /shape \[2,1\.5\] has extent 1\.5 at axis 1/],
      [[Number.NaN], /has extent NaN at axis 0/],
      [[Infinity], /has extent Infinity at axis 0/],
      [[2 ** 53], /has extent 9007199254740992 at axis 0/],
      [['3'], /shape \["3"\] has extent "3" at axis 0/],
      [[2 ** 30, 2 ** 30], /shape \[1073741824,1073741824\] has more elements than a tensor can hold/],
      ['3', /a shape must be an array of extents, got "3"/],
      [null, /a shape must be an array of extents, got null/],
    ];
    const constructors: [string, (shape: never) => unknown][] = [
      ['fill', (shape) => fill(engine, shape, 0)],
      ['zeros', (shape) => zeros(engine, shape)],
      ['ones', (shape) => ones(engine, shape)],
      ['tensor', (shape) => tensor(engine, [1, 2], shape)],
      ['randomUniform', (shape) => randomUniform(engine, shape, { seed: 1 })],
      ['randomNormal', (shape) => randomNormal(engine, shape, { seed: 1 })],
      ['Tensor.empty', (shape) => Tensor.empty(engine, shape)],
    ];
    for (const [op, make] of constructors) {
      expectRefused(bad.map(([shape, message]): Case => [`${op}(${JSON.stringify(shape)})`, () => make(shape as never), new RegExp(`^${op.replace('.', '\\.')}: .*${message.source}`)]));
    }
  });

  it('a tensor keeps a frozen copy of its shape, and a valid zero-size shape still works', async () => {
    const engine = getEngine();
    const shape = [2, 3];
    const t = zeros(engine, shape);
    shape[0] = 7;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    const empty = zeros(engine, [0, 5]);
    expect(empty.size).toBe(0);
    expect([...(await empty.data())]).toEqual([]);
    t.dispose();
    empty.dispose();
  });

  it('reshape and broadcastTo refuse what they cannot do, naming both shapes', () => {
    const engine = getEngine();
    const a = tensor(engine, [1, 2, 3, 4, 5, 6], [2, 3]);
    const row = tensor(engine, [1, 2, 3]);
    expectRefused([
      ['reshape to NaN', () => a.reshape([Number.NaN]), /^reshape: invalid shape \[NaN\]/],
      ['reshape with two -1', () => a.reshape([-1, -1]), /^reshape: invalid shape \[-1,-1\]/],
      ['reshape to a fraction', () => a.reshape([1.5, 4]), /^reshape: invalid shape \[1\.5,4\]/],
      ['reshape to another size', () => a.reshape([4]), /^reshape: cannot view shape \[2,3\] as \[4\]/],
      // Used to return x[0] for a "broadcast" to a smaller shape.
      ['broadcastTo shrinking', () => broadcastTo(row, [1]), /^broadcastTo: shape \[3\] cannot be broadcast to \[1\]/],
      ['broadcastTo fewer axes', () => broadcastTo(a, [3]), /^broadcastTo: shape \[2,3\] cannot be broadcast to \[3\]/],
      ['broadcastTo a bad shape', () => broadcastTo(row, [2, -3]), /^broadcastTo: shape \[2,-3\] has extent -3/],
      ['sumToShape to an unrelated shape', () => sumToShape(a, [4]), /^sumToShape: shapes \[4\] and \[2,3\] do not broadcast/],
      ['sumToShape to more axes', () => sumToShape(a, [1, 2, 3]), /^sumToShape: \[2,3\] is not a broadcast of \[1,2,3\]/],
    ]);
    a.dispose();
    row.dispose();
  });
});

describe('ops validate their arguments before any work', () => {
  it('operands must be live tensors of one engine', () => {
    const engine = getEngine();
    const a = tensor(engine, [1, 2, 3, 4, 5, 6], [2, 3]);
    const gone = tensor(engine, [1, 2, 3]);
    gone.dispose();
    const w = tensor(engine, new Float32Array(3 * 3), [3, 3]);
    const image = a.reshape([1, 1, 2, 3]);
    expectRefused([
      // Each of these used to acquire its output before touching the disposed operand, and leaked it.
      ['add with a disposed operand', () => add(a, gone), /^add: b \(Tensor#\d+\[3\]\) was used after dispose\(\)/],
      ['softmax of a disposed tensor', () => softmax(gone), /^softmax: x \(Tensor#\d+\[3\]\) was used after dispose\(\)/],
      ['matmul with a disposed bias', () => matmul(a, w, { bias: gone }), /^matmul: bias \(Tensor#\d+\[3\]\) was used after dispose\(\)/],
      ['conv2d with a disposed filter', () => conv2d(image, gone), /^conv2d: filter \(Tensor#\d+\[3\]\) was used after dispose\(\)/],
      ['sliceRows of a disposed tensor', () => sliceRows(gone, 0, 1), /^sliceRows: x .* was used after dispose\(\)/],
      ['gatherRows with disposed indices', () => gatherRows(a, gone), /^gatherRows: indices .* was used after dispose\(\)/],
      ['fillLike of a disposed tensor', () => fillLike(gone, 1), /^fillLike: like .* was used after dispose\(\)/],
      ['a number for a tensor', () => add(a, 5 as never), /^add: b must be a Tensor, got 5/],
      ['an array for a tensor', () => mean([1, 2] as never), /^mean: x must be a Tensor, got an array of 2/],
      ['softmaxCrossEntropy labels not a tensor', () => softmaxCrossEntropy(a, {} as never), /^softmaxCrossEntropy: labels must be a Tensor, got a Object/],
    ]);
    for (const t of [a, w, image]) t.dispose();
  });

  it('scalar parameters must be finite where NaN or ±Infinity would fill the result with NaN', () => {
    const engine = getEngine();
    const a = tensor(engine, [1, 2, 3]);
    const empty = zeros(engine, [0]);
    expectRefused([
      ['addScalar NaN', () => addScalar(a, Number.NaN), /^addScalar: value must be a finite number \(within f32 range\), got NaN/],
      ['mulScalar Infinity', () => mulScalar(a, Infinity), /^mulScalar: value must be a finite number/],
      // Finite in float64, but the kernel rounds it to f32, where it is Infinity.
      ['mulScalar beyond f32', () => mulScalar(a, 1e39), /^mulScalar: value must be a finite number \(within f32 range\), got 1e\+39/],
      ['powScalar NaN', () => powScalar(a, Number.NaN), /^powScalar: exponent must be a finite number/],
      ['clamp NaN bound', () => clamp(a, Number.NaN, 1), /^clamp: bounds must be numbers other than NaN/],
      ['fill with a string', () => fill(engine, [2], '1' as never), /^fill: the value must be a number, got string/],
      ['randomUniform low −∞', () => randomUniform(engine, [2], { seed: 1, low: -Infinity }), /^randomUniform: low must be a finite number, got -Infinity/],
      ['randomNormal mean NaN', () => randomNormal(engine, [2], { seed: 1, mean: Number.NaN }), /^randomNormal: mean must be a finite number, got NaN/],
      ['randomNormal std ∞', () => randomNormal(engine, [2], { seed: 1, std: Infinity }), /^randomNormal: std must be a finite number, got Infinity/],
      ['gaussianNoise sigma ∞', () => gaussianNoise(a, Infinity, 1), /^gaussianNoise: sigma must be a finite number, got Infinity/],
      // These two used to acquire their output before checking the seed, and leaked it.
      ['randomNormal fractional seed', () => randomNormal(engine, [2], { seed: 1.5 }), /^randomNormal: seed must be an integer in \[0, 2\^53\), got 1\.5/],
      ['gaussianNoise negative seed', () => gaussianNoise(a, 0.1, -1), /^gaussianNoise: seed must be an integer in \[0, 2\^53\), got -1/],
      // Used to return 0/0 = NaN.
      ['mean of an empty axis', () => mean(empty), /^mean: cannot reduce an empty axis \(input \[0\]\)/],
    ]);
    for (const t of [a, empty]) t.dispose();
  });

  it('kernel variants, ranks and optimizer hyperparameters are checked', async () => {
    const engine = getEngine();
    const a = tensor(engine, [1, 2, 3, 4], [2, 2]);
    const [w, g, v, m] = [0, 1, 2, 3].map(() => zeros(engine, [2, 2]));
    const rank9 = zeros(engine, [1, 1, 1, 1, 1, 1, 1, 1, 2]);
    const flat = a.reshape([4]);
    expectRefused([
      // An unknown variant used to run the tiled kernel silently.
      ['matmul variant', () => matmul(a, a, { variant: 'fast' as MatmulVariant }), /^matmul: unknown variant 'fast' \(use blocked, tiled, subgroup\)/],
      // Used to acquire the output before the stride computation refused the rank.
      ['binary op beyond rank 8', () => add(rank9, rank9), /^add: rank 9 of \[1,1,1,1,1,1,1,1,2\] exceeds the kernel's 8/],
      ['sgd lr NaN', () => sgdMomentumUpdate(w, g, v, { lr: Number.NaN, momentum: 0.9 }), /^sgdMomentumUpdate: lr must be a finite number in \[0, Infinity\], got NaN/],
      ['sgd momentum 2', () => sgdMomentumUpdate(w, g, v, { lr: 0.1, momentum: 2 }), /^sgdMomentumUpdate: momentum must be a finite number in \[0, 1\], got 2/],
      ['sgd weight decay −1', () => sgdMomentumUpdate(w, g, v, { lr: 0.1, momentum: 0, weightDecay: -1 }), /weightDecay must be a finite number in \[0, Infinity\], got -1/],
      ['adam β1 = 1', () => adamUpdate(w, g, m, v, { lr: 0.1, step: 1, beta1: 1 }), /^adamUpdate: beta1 must be a finite number in \[0, 1\), got 1/],
      ['adam eps 0', () => adamUpdate(w, g, m, v, { lr: 0.1, step: 1, eps: 0 }), /^adamUpdate: eps must be positive, got 0/],
      ['sgd shapes name the arguments', () => sgdMomentumUpdate(w, flat, v, { lr: 0.1, momentum: 0 }), /^sgdMomentumUpdate: shapes \[2,2\] \(weight\) and \[4\] \(grad\) differ/],
    ]);
    // repetitions: Infinity used to time forever, NaN to time nothing and pick an arbitrary winner.
    await expect(tuneMatmul(engine, { repetitions: Infinity })).rejects.toThrow(/^tuneMatmul: repetitions must be a positive integer, got Infinity/);
    await expect(tuneMatmul(engine, { repetitions: Number.NaN })).rejects.toThrow(/^tuneMatmul: repetitions must be a positive integer, got NaN/);
    await expect(tuneMatmul(engine, { shapes: [[4, 0, 4]] })).rejects.toThrow(/^tuneMatmul: shapes must be a non-empty list of \[m, k, n\]/);
    await expect(validateLabels(a, Number.NaN)).rejects.toThrow(/^validateLabels: classes must be a positive integer, got NaN/);
    await expect(philoxWords(engine, [2 ** 32, 0, 0, 0], [1, 2], 1)).rejects.toThrow(
      /^philoxWords: counter \(4 words\) and key \(2 words\) must hold integers in \[0, 2\^32\), got \[4294967296,0,0,0\] and \[1,2\]/,
    );
    for (const t of [a, w, g, v, m, rank9, flat]) t.dispose();
  });
});
