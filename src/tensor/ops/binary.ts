/**
 * Elementwise binary ops with broadcasting (shaders/binary.wgsl) and their backward rules. A broadcast
 * input's gradient is the output gradient summed over the broadcast axes (sumToShape).
 */
import { record } from '../record.ts';
import { Tensor, checkOperands, checkShape, sameShape, type Shape } from '../tensor.ts';
import { MAX_RANK, broadcastShapes, broadcastStrides, paddedShape } from '../shapes.ts';
import { sumToShape } from './reduce.ts';
import { constantScalar } from '../constants.ts';

const WORKGROUP_SIZE = 64;

const OPS = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6, greater: 7, equal: 8, first: 9 } as const;
type BinaryOp = keyof typeof OPS;

/** Launch shaders/binary.wgsl for `op` over the broadcast of a and b (or `outShape` when given). */
export function launchBinary(op: BinaryOp, a: Tensor, b: Tensor, outShape?: Shape): Tensor {
  checkOperands(op, { a, b });
  const shape = outShape ?? broadcastShapes(op, a.shape, b.shape);
  if (shape.length > MAX_RANK) throw new Error(`${op}: rank ${shape.length} of [${shape}] exceeds the kernel's ${MAX_RANK}`);
  const engine = a.engine;
  const out = Tensor.empty(engine, shape, op);
  const contiguous = sameShape(a.shape, shape) && sameShape(b.shape, shape) ? 1 : 0;
  const uniforms = new Uint32Array(4 + 8 * 3);
  uniforms[0] = out.size;
  uniforms[1] = shape.length;
  uniforms.set(paddedShape(shape), 4);
  uniforms.set(broadcastStrides(a.shape, shape), 12);
  uniforms.set(broadcastStrides(b.shape, shape), 20);
  engine.dispatch(engine.kernel('binary', { WORKGROUP_SIZE, OP: OPS[op], CONTIGUOUS: contiguous }), {
    uniforms,
    bindings: [a.binding, b.binding, out.binding],
    workgroups: engine.grid(out.size, WORKGROUP_SIZE),
  });
  return out;
}

/** a + b. */
export function add(a: Tensor, b: Tensor): Tensor {
  return record('add', [a, b], launchBinary('add', a, b), (dy) => [sumToShape(dy, a.shape), sumToShape(dy, b.shape)]);
}

/** a − b. */
export function sub(a: Tensor, b: Tensor): Tensor {
  return record('sub', [a, b], launchBinary('sub', a, b), (dy) => {
    const negated = launchBinary('mul', dy, minusOne(dy));
    const gb = sumToShape(negated, b.shape);
    if (gb !== negated) negated.dispose();
    return [sumToShape(dy, a.shape), gb];
  });
}

/** a · b (elementwise). */
export function mul(a: Tensor, b: Tensor): Tensor {
  return record('mul', [a, b], launchBinary('mul', a, b), (dy) => [
    reduced(launchBinary('mul', dy, b), a.shape),
    reduced(launchBinary('mul', dy, a), b.shape),
  ]);
}

/** a / b. */
export function div(a: Tensor, b: Tensor): Tensor {
  const out = launchBinary('div', a, b);
  return record('div', [a, b], out, (dy) => {
    const ga = reduced(launchBinary('div', dy, b), a.shape);
    // d(a/b)/db = −(a/b)/b, so gb = −dy·out/b.
    const dyOut = launchBinary('mul', dy, out);
    const ratio = launchBinary('div', dyOut, b);
    dyOut.dispose();
    const negated = launchBinary('mul', ratio, minusOne(ratio));
    ratio.dispose();
    return [ga, reduced(negated, b.shape)];
  });
}

/** max(a, b) elementwise; the gradient goes to a where a ≥ b, else to b. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return selectBetween('maximum', a, b);
}

/** min(a, b) elementwise; the gradient goes to a where a ≤ b, else to b. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return selectBetween('minimum', a, b);
}

function selectBetween(op: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  return record(op, [a, b], launchBinary(op, a, b), (dy) => {
    // mask = 1 where a wins (ties go to a), so ga = dy·mask and gb = dy·(1 − mask).
    const bWins = op === 'maximum' ? launchBinary('greater', b, a) : launchBinary('greater', a, b);
    const aWins = launchBinary('sub', onesOf(bWins), bWins);
    const ga = reduced(launchBinary('mul', dy, aWins), a.shape);
    const gb = reduced(launchBinary('mul', dy, bWins), b.shape);
    bWins.dispose();
    aWins.dispose();
    return [ga, gb];
  });
}

/** 1 where a > b, else 0 (no gradient). */
export function greater(a: Tensor, b: Tensor): Tensor {
  return launchBinary('greater', a, b);
}

/** 1 where a == b, else 0 (no gradient). */
export function equal(a: Tensor, b: Tensor): Tensor {
  return launchBinary('equal', a, b);
}

/** `x` repeated along broadcast axes to `shape`; its gradient sums back. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkOperands('broadcastTo', { x });
  checkShape('broadcastTo', shape);
  // Broadcasting only ever grows x: a target that x's extents would have to shrink to is refused.
  if (!sameShape(broadcastShapes('broadcastTo', x.shape, shape), shape)) {
    throw new Error(`broadcastTo: shape [${x.shape}] cannot be broadcast to [${shape}]`);
  }
  if (sameShape(x.shape, shape)) return x.reshape(shape);
  return record('broadcastTo', [x], launchBinary('first', x, x, shape), (dy) => [sumToShape(dy, x.shape)]);
}

function reduced(gradient: Tensor, shape: Shape): Tensor {
  const result = sumToShape(gradient, shape);
  if (result !== gradient) gradient.dispose();
  return result;
}

const minusOne = (like: Tensor): Tensor => constantScalar(like.engine, -1);
const onesOf = (like: Tensor): Tensor => constantScalar(like.engine, 1);
