import { describe, expect, it } from 'vitest';
import { add, sum, tensor, zeros } from '../../src/tensor/ops/index.ts';
import { adamUpdate, sgdMomentumUpdate } from '../../src/tensor/ops/optimizerUpdates.ts';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { expectClose, type Tolerance } from '../helpers/compare.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';
import { adamStep, sgdMomentumStep } from '../reference/optimizers.ts';

const getEngine = useTestEngine();

// Odd sizes and a single element; 65535·64 + 1, the first size whose grid must fold into two dimensions, is
// run for one configuration per kernel and one step (seconds on SwiftShader).
const SIZES = [1, 7, 1000, 4099];
const FOLDED = 65535 * 64 + 1;
const stepsFor = (size: number) => (size === FOLDED ? 1 : 3);

/** f32 values, as the kernels see them, in a float64 array the reference can advance. */
function f32Array(values: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(values));
}

async function expectState(t: Tensor, expected: Float64Array, tol: Tolerance, what: string): Promise<void> {
  expectClose(await t.data(), expected, tol, what);
}

describe('sgdMomentumUpdate', () => {
  // Every term is O(1) (|g|, |w| ≤ 1, |v| ≤ 1 + μ + μ² < 3) and a step rounds about four times at
  // 2⁻²⁴·3 ≈ 2e-7, so three steps stay within ~2e-6 of the float64 reference.
  const tol = { rtol: 1e-6, atol: 2e-6 };
  const cases = [...SIZES.flatMap((size) => [0, 5e-4].map((weightDecay) => ({ size, weightDecay }))), { size: FOLDED, weightDecay: 5e-4 }];
  for (const { size, weightDecay } of cases) {
    it(`size ${size}, λ=${weightDecay}`, async () => {
      const engine = getEngine();
      const seed = testSeed();
      const random = rng(seed);
      const options = { lr: 0.1, momentum: 0.9, weightDecay };
      const w = f32Array(uniformArray(random, size));
      const v = new Float64Array(size);
      const weight = tensor(engine, w);
      const velocity = zeros(engine, [size]);
      for (let step = 1; step <= stepsFor(size); step++) {
        const g = f32Array(uniformArray(random, size));
        const grad = tensor(engine, g);
        sgdMomentumUpdate(weight, grad, velocity, options);
        grad.dispose();
        sgdMomentumStep(w, g, v, options);
        await expectState(velocity, v, tol, `velocity after step ${step} (seed ${seed})`);
        await expectState(weight, w, tol, `weight after step ${step} (seed ${seed})`);
      }
      weight.dispose();
      velocity.dispose();
    });
  }
});

describe('adamUpdate', () => {
  // m and v are convex combinations, rounded a few times each (relative 1e-6 is ~16 ulps); the step
  // m̂/(√v̂+ε) is O(1) with a relative error of a few ulps, and lr = 0.01 scales it into w.
  // Gradients have |g| ≥ 0.1: where g + λw ≈ 0 (down to ~ε) the step g'/(|g'|+ε) changes by O(1) for a
  // one-ulp change of g', an ill-conditioning of Adam itself that no f32 kernel can match float64 on.
  const gradient = (random: () => number, size: number) =>
    Float64Array.from(uniformArray(random, size, 0.1, 1), (x) => (random() < 0.5 ? -x : x));
  const tolerances = { w: { rtol: 1e-6, atol: 1e-6 }, m: { rtol: 1e-6, atol: 1e-7 }, v: { rtol: 1e-5, atol: 1e-10 } };
  const decays = [{ weightDecay: 0, decoupled: false }, { weightDecay: 0.01, decoupled: false }, { weightDecay: 0.01, decoupled: true }];
  const cases = [...SIZES.flatMap((size) => decays.map((decay) => ({ size, decay }))), { size: FOLDED, decay: decays[1] }];
  for (const { size, decay } of cases) {
    it(`size ${size}, λ=${decay.weightDecay}${decay.decoupled ? ' decoupled' : ''}`, async () => {
      const engine = getEngine();
      const seed = testSeed();
      const random = rng(seed);
      const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, ...decay };
      const w = f32Array(uniformArray(random, size));
      const m = new Float64Array(size);
      const v = new Float64Array(size);
      const weight = tensor(engine, w);
      const first = zeros(engine, [size]);
      const second = zeros(engine, [size]);
      for (let step = 1; step <= stepsFor(size); step++) {
        const g = f32Array(gradient(random, size));
        const grad = tensor(engine, g);
        adamUpdate(weight, grad, first, second, { ...hyper, step });
        grad.dispose();
        adamStep(w, g, m, v, { ...hyper, step });
        await expectState(first, m, tolerances.m, `m after step ${step} (seed ${seed})`);
        await expectState(second, v, tolerances.v, `v after step ${step} (seed ${seed})`);
        await expectState(weight, w, tolerances.w, `weight after step ${step} (seed ${seed})`);
      }
      for (const t of [weight, first, second]) t.dispose();
    });
  }

  it('rejects a step that is not a positive integer', () => {
    const engine = getEngine();
    const [w, g, m, v] = [0, 1, 2, 3].map(() => zeros(engine, [3]));
    expect(() => adamUpdate(w, g, m, v, { lr: 0.1, step: 0 })).toThrow(/step/);
    for (const t of [w, g, m, v]) t.dispose();
  });
});

describe('in-place guards', () => {
  it('refuse mismatched shapes', () => {
    const engine = getEngine();
    const w = zeros(engine, [4]);
    const g = zeros(engine, [5]);
    const v = zeros(engine, [4]);
    expect(() => sgdMomentumUpdate(w, g, v, { lr: 0.1, momentum: 0.9 })).toThrow(/shapes/);
    for (const t of [w, g, v]) t.dispose();
  });

  it('refuse to overwrite a tensor the active tape depends on', () => {
    const engine = getEngine();
    const w = zeros(engine, [4]);
    const g = zeros(engine, [4]);
    const v = zeros(engine, [4]);
    expect(() =>
      valueAndGrads(
        engine,
        () => {
          sgdMomentumUpdate(w, g, v, { lr: 0.1, momentum: 0.9 });
          return sum(add(w, w));
        },
        [w],
      ),
    ).toThrow(/tape/);
    for (const t of [w, g, v]) t.dispose();
  });
});
