/**
 * Elementwise unary ops (shaders/unary.wgsl) and their backward rules. The activations' rules reuse
 * matmul's fused-activation gradient (dy·act'(y) from the saved output, one dispatch); the others
 * multiply the output gradient by a derivative factor from the same unary kernel or by a binary op.
 */
import { record } from '../record.ts';
import { Tensor, checkOperands } from '../tensor.ts';
import { launchBinary } from './binary.ts';
import { fillLike } from './fill.ts';
import { launchActivationGrad } from './matmulKernels.ts';

const WORKGROUP_SIZE = 64;

const OPS = {
  sigmoid: 0,
  relu: 1,
  tanh: 2,
  exp: 3,
  log: 4,
  square: 5,
  sqrt: 6,
  neg: 7,
  abs: 8,
  add: 9,
  mul: 10,
  pow: 11,
  clamp: 12,
  sign: 13,
  inside: 14,
  finite: 15,
} as const;
type UnaryOp = keyof typeof OPS;

/** Launch shaders/unary.wgsl for `op` with the kernel's scalars a and b (see the kernel's header). */
function launchUnary(op: UnaryOp, x: Tensor, a = 0, b = 0): Tensor {
  checkOperands(op, { x });
  const engine = x.engine;
  const out = Tensor.empty(engine, x.shape);
  const uniforms = new ArrayBuffer(16);
  new Uint32Array(uniforms, 0, 1)[0] = out.size;
  new Float32Array(uniforms, 4, 2).set([a, b]);
  engine.dispatch(engine.kernel('unary', { WORKGROUP_SIZE, OP: OPS[op] }), {
    uniforms: new Uint8Array(uniforms),
    bindings: [x.binding, out.binding],
    workgroups: engine.grid(out.size, WORKGROUP_SIZE),
  });
  return out;
}

/** dy · factor, freeing the factor (a temporary of the backward rule). */
function times(dy: Tensor, factor: Tensor): Tensor {
  const product = launchBinary('mul', dy, factor);
  factor.dispose();
  return product;
}

/** An activation whose backward is one dispatch of dy·act'(y), the kernel matmul's fused activation uses. */
function activation(op: 'sigmoid' | 'relu' | 'tanh', x: Tensor): Tensor {
  const y = launchUnary(op, x);
  return record(op, [x], y, (dy) => [launchActivationGrad(op, dy, y)]);
}

/** 1 / (1 + e^−x); the gradient is y·(1 − y) from the saved output. */
export function sigmoid(x: Tensor): Tensor {
  return activation('sigmoid', x);
}

/** max(x, 0); the gradient is 1 where the output is positive (x > 0) and 0 elsewhere, also at 0. */
export function relu(x: Tensor): Tensor {
  return activation('relu', x);
}

/** tanh(x); the gradient is 1 − y² from the saved output. */
export function tanh(x: Tensor): Tensor {
  return activation('tanh', x);
}

/** e^x; the gradient is the output itself. */
export function exp(x: Tensor): Tensor {
  const y = launchUnary('exp', x);
  return record('exp', [x], y, (dy) => [launchBinary('mul', dy, y)]);
}

/** Natural logarithm (NaN for x < 0, −inf at 0); the gradient is 1/x. */
export function log(x: Tensor): Tensor {
  return record('log', [x], launchUnary('log', x), (dy) => [launchBinary('div', dy, x)]);
}

/** x²; the gradient is 2x. */
export function square(x: Tensor): Tensor {
  return record('square', [x], launchUnary('square', x), (dy) => [times(dy, launchUnary('mul', x, 2))]);
}

/** √x; the gradient is 1/(2√x) from the saved output (infinite at 0). */
export function sqrt(x: Tensor): Tensor {
  const y = launchUnary('sqrt', x);
  return record('sqrt', [x], y, (dy) => {
    const ratio = launchBinary('div', dy, y);
    const gradient = launchUnary('mul', ratio, 0.5);
    ratio.dispose();
    return [gradient];
  });
}

/** −x. */
export function neg(x: Tensor): Tensor {
  return record('neg', [x], launchUnary('neg', x), (dy) => [launchUnary('neg', dy)]);
}

/** |x|; the gradient is sign(x), 0 at 0. */
export function abs(x: Tensor): Tensor {
  return record('abs', [x], launchUnary('abs', x), (dy) => [times(dy, launchUnary('sign', x))]);
}

/**
 * The constant `value` of `op`, checked to stay finite when the kernel rounds it to f32: a NaN or infinite
 * constant would turn every element into NaN or ±Infinity without a word.
 */
function finiteConstant(op: string, name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) {
    throw new Error(`${op}: ${name} must be a finite number (within f32 range), got ${String(value)}`);
  }
  return value;
}

/** x + value for a constant `value` (rounded to f32; finite). */
export function addScalar(x: Tensor, value: number): Tensor {
  finiteConstant('addScalar', 'value', value);
  return record('addScalar', [x], launchUnary('add', x, value), (dy) => [dy]);
}

/** x · value for a constant `value` (rounded to f32; finite). */
export function mulScalar(x: Tensor, value: number): Tensor {
  finiteConstant('mulScalar', 'value', value);
  return record('mulScalar', [x], launchUnary('mul', x, value), (dy) => [launchUnary('mul', dy, value)]);
}

/**
 * x^exponent for a constant exponent. Negative x is defined only for integer exponents (the result takes
 * the exponent's parity); other exponents give NaN there, like `Math.pow`. The gradient is
 * exponent·x^(exponent−1). Accuracy is that of the adapter's `pow` (exp2 of a log2) on |x|, a few ulp
 * times |exponent·log2 |x||, not the correctly rounded product that `square` computes.
 */
export function powScalar(x: Tensor, exponent: number): Tensor {
  finiteConstant('powScalar', 'exponent', exponent);
  return record('powScalar', [x], launchUnary('pow', x, exponent, 1), (dy) => [
    // x^0 is constant; the general rule would compute 0·x^−1, which is NaN at x = 0.
    exponent === 0 ? fillLike(x, 0) : times(dy, launchUnary('pow', x, exponent - 1, exponent)),
  ]);
}

/**
 * x limited to [lo, hi] elementwise. The gradient passes where lo ≤ x ≤ hi (bounds included, so a value
 * sitting on the box of the attack still moves) and is 0 outside. An infinite bound leaves that side open.
 */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi)) {
    throw new Error(`clamp: bounds must be numbers other than NaN (±Infinity leaves a side open), got ${String(lo)} and ${String(hi)}`);
  }
  if (!(lo <= hi)) throw new Error(`clamp: lower bound ${lo} exceeds upper bound ${hi}`);
  return record('clamp', [x], launchUnary('clamp', x, lo, hi), (dy) => [times(dy, launchUnary('inside', x, lo, hi))]);
}

/**
 * 1 where x is finite, 0 where it is NaN or ±Infinity (decided from the bits, so no fast-math assumption of
 * an adapter can fold it away). No gradient: it is a test, used to find outputs that overflowed.
 */
export function finiteMask(x: Tensor): Tensor {
  return launchUnary('finite', x);
}
