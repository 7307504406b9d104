/**
 * The one test helper for every differentiable op:
 *   1. the same fresh random inputs go to blindspot and to a float64 CPU reference; outputs are compared;
 *   2. the scalar L = mean((out + 1)²) is backpropagated in both (blindspot's tape vs the reference's own
 *      analytic backward) and every input gradient is compared;
 *   3. the reference's backward is itself checked by central finite differences in float64.
 * Outputs are poisoned with NaN by the test engine, so an element a kernel forgets to write fails (1).
 */
import { expect } from 'vitest';
import type { Engine } from '../../src/gpu/engine.ts';
import { add, mean, mul, tensor } from '../../src/tensor/ops/index.ts';
import { constantScalar } from '../../src/tensor/constants.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { expectClose, type Tolerance } from './compare.ts';
import { rng, testSeed, uniformArray } from './random.ts';

/** A float64 input or output of a reference: flat data and its shape. */
export interface RefArray {
  data: Float64Array;
  shape: number[];
}

export interface OpReference {
  forward(inputs: RefArray[]): RefArray;
  /** Gradient of each input given d L / d out (same shape as out); null for non-differentiable inputs. */
  backward(inputs: RefArray[], outGradient: Float64Array): (Float64Array | null)[];
}

export interface CheckOpCase {
  name: string;
  /** Input shapes; data is drawn uniformly from `range` unless `makeInput` is given. */
  shapes: number[][];
  range?: [number, number];
  makeInput?: (index: number, shape: number[], random: () => number) => Float64Array;
  run: (inputs: Tensor[]) => Tensor;
  reference: OpReference;
  /** Forward tolerance; f32 kernels accumulating k terms deserve about k·2⁻²⁴ relative. */
  tolerance: Tolerance;
  /** Gradient tolerance (default: 4× the forward one). */
  gradTolerance?: Tolerance;
  /** Skip the gradient checks (ops with no backward). */
  forwardOnly?: boolean;
  /** Inputs that get no gradient (e.g. integer labels). */
  noGradient?: number[];
}

function size(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** L = mean((out+1)²) and dL/dout in float64. */
function lossAndGradient(out: Float64Array): { loss: number; gradient: Float64Array } {
  const n = out.length;
  let loss = 0;
  const gradient = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    loss += (out[i] + 1) ** 2;
    gradient[i] = (2 * (out[i] + 1)) / n;
  }
  return { loss: loss / n, gradient };
}

export async function checkOp(engine: Engine, c: CheckOpCase): Promise<void> {
  const seed = testSeed();
  const random = rng(seed);
  const context = `${c.name} [${c.shapes.map((s) => `[${s}]`).join(', ')}] seed=${seed}`;
  const [lo, hi] = c.range ?? [-1, 1];
  const refInputs: RefArray[] = c.shapes.map((shape, i) => ({
    data: c.makeInput ? c.makeInput(i, shape, random) : uniformArray(random, size(shape), lo, hi),
    shape,
  }));
  // The reference sees exactly the f32 values blindspot sees.
  for (const input of refInputs) input.data = Float64Array.from(Float32Array.from(input.data));

  const expected = c.reference.forward(refInputs);
  const inputs = refInputs.map((r) => tensor(engine, r.data, r.shape));
  try {
    if (c.forwardOnly) {
      const out = c.run(inputs);
      expect(out.shape, `${context}: output shape`).toEqual(expected.shape);
      expectClose(await out.data(), expected.data, c.tolerance, `${context}: forward`);
      out.dispose();
      return;
    }
    const out = c.run(inputs);
    expect([...out.shape], `${context}: output shape`).toEqual(expected.shape);
    expectClose(await out.data(), expected.data, c.tolerance, `${context}: forward`);
    out.dispose();

    const wrt = inputs.filter((_, i) => !c.noGradient?.includes(i));
    const { value, grads } = valueAndGrads(
      engine,
      () => {
        const shifted = add(c.run(inputs), constantScalar(engine, 1));
        return mean(mul(shifted, shifted));
      },
      wrt,
    );

    const { loss, gradient } = lossAndGradient(expected.data);
    expectClose([await value.item()], [loss], scaleTolerance(c.tolerance, 4), `${context}: loss`);
    const refGrads = c.reference.backward(refInputs, gradient);
    const gradTolerance = c.gradTolerance ?? scaleTolerance(c.tolerance, 4);
    let k = 0;
    for (let i = 0; i < inputs.length; i++) {
      if (c.noGradient?.includes(i)) continue;
      const refGrad = refGrads[i];
      expect(refGrad, `${context}: reference has no gradient for input ${i}`).not.toBeNull();
      expectClose(await grads[k].data(), refGrad!, gradTolerance, `${context}: gradient of input ${i}`);
      checkReferenceByFiniteDifferences(c.reference, refInputs, i, refGrad!, random, context);
      k++;
    }
    value.dispose();
    for (const g of grads) g.dispose();
  } finally {
    for (const t of inputs) t.dispose();
  }
}

function scaleTolerance(t: Tolerance, factor: number): Tolerance {
  return { rtol: t.rtol * factor, atol: t.atol * factor };
}

/** Central differences of L(x) in float64 at a few random coordinates of input `index`. */
function checkReferenceByFiniteDifferences(
  reference: OpReference,
  inputs: RefArray[],
  index: number,
  analytic: Float64Array,
  random: () => number,
  context: string,
): void {
  const h = 1e-6;
  const input = inputs[index];
  const probes = Math.min(8, input.data.length);
  for (let p = 0; p < probes; p++) {
    const j = Math.floor(random() * input.data.length);
    const saved = input.data[j];
    input.data[j] = saved + h;
    const up = lossAndGradient(reference.forward(inputs).data).loss;
    input.data[j] = saved - h;
    const down = lossAndGradient(reference.forward(inputs).data).loss;
    input.data[j] = saved;
    const numeric = (up - down) / (2 * h);
    const allowed = 1e-5 + 1e-4 * Math.abs(numeric);
    expect(
      Math.abs(numeric - analytic[j]),
      `${context}: reference gradient of input ${index} at ${j}: analytic ${analytic[j]}, finite difference ${numeric}`,
    ).toBeLessThanOrEqual(allowed);
  }
}
