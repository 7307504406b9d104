/**
 * Reductions along one axis or all (shaders/reduce.wgsl): sum, mean, max, min, argmax; and sumToShape,
 * which backward rules use to undo broadcasting.
 */
import { record } from '../record.ts';
import { Tensor, checkOperands, checkShape, sameShape, type Shape } from '../tensor.ts';
import { broadcastShapes, normalizeAxis } from '../shapes.ts';
import { broadcastTo, launchBinary } from './binary.ts';
import { constantScalar } from '../constants.ts';

const WORKGROUP_SIZE = 64;
const REDUCE = { sum: 0, max: 1, min: 2, argmax: 3, mean: 4 } as const;
type Reduction = keyof typeof REDUCE;

/** Reduce `x` viewed as [outer, axisLength, inner] over the middle axis; returns [outer·inner] values. */
function launchReduce(kind: Reduction, x: Tensor, outer: number, axisLength: number, inner: number): Tensor {
  const engine = x.engine;
  const out = Tensor.empty(engine, [outer * inner]);
  engine.dispatch(engine.kernel('reduce', { WORKGROUP_SIZE, REDUCE: REDUCE[kind] }), {
    uniforms: new Uint32Array([outer, axisLength, inner, 0]),
    bindings: [x.binding, out.binding],
    workgroups: engine.grid(outer * inner, 1),
  });
  return out;
}

/** Output shape and [outer, axis, inner] split for a reduction over `axis` (undefined = all elements). */
function plan(op: string, shape: Shape, axis: number | undefined, keepDims: boolean) {
  if (axis === undefined) {
    const size = shape.reduce((p, d) => p * d, 1);
    return { outer: 1, length: size, inner: 1, outShape: keepDims ? shape.map(() => 1) : [] };
  }
  const a = normalizeAxis(op, axis, shape.length);
  const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const outShape = keepDims ? shape.map((d, i) => (i === a ? 1 : d)) : shape.filter((_, i) => i !== a);
  return { outer, length: shape[a], inner, outShape };
}

function reduceOp(kind: Reduction, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  checkOperands(kind, { x });
  const p = plan(kind, x.shape, axis, keepDims);
  // The sum of nothing is 0; a mean, extremum or argmax of nothing has no value.
  if (p.length === 0 && kind !== 'sum') throw new Error(`${kind}: cannot reduce an empty axis (input [${x.shape}])`);
  const flat = launchReduce(kind, x, p.outer, p.length, p.inner);
  const out = flat.reshape(p.outShape);
  flat.dispose();
  return out;
}

/** Sum over `axis` (all elements when omitted). */
export function sum(x: Tensor, axis?: number, keepDims = false): Tensor {
  const out = reduceOp('sum', x, axis, keepDims);
  return record('sum', [x], out, (dy) => [broadcastTo(dy.reshape(plan('sum', x.shape, axis, true).outShape), x.shape)]);
}

/** Mean over `axis` (all elements when omitted). */
export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  const out = reduceOp('mean', x, axis, keepDims);
  const p = plan('mean', x.shape, axis, true);
  return record('mean', [x], out, (dy) => {
    const scaled = launchBinary('mul', dy, constantScalar(x.engine, 1 / p.length));
    const grad = broadcastTo(scaled.reshape(p.outShape), x.shape);
    scaled.dispose();
    return [grad];
  });
}

/** Maximum over `axis`; the gradient flows to every element equal to the maximum. */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  return extremum('max', x, axis, keepDims);
}

/** Minimum over `axis`; the gradient flows to every element equal to the minimum. */
export function min(x: Tensor, axis?: number, keepDims = false): Tensor {
  return extremum('min', x, axis, keepDims);
}

function extremum(kind: 'max' | 'min', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  const out = reduceOp(kind, x, axis, keepDims);
  return record(kind, [x], out, (dy) => {
    const shape = plan(kind, x.shape, axis, true).outShape;
    const mask = launchBinary('equal', x, out.reshape(shape));
    const grad = launchBinary('mul', mask, dy.reshape(shape));
    mask.dispose();
    return [grad];
  });
}

/** Index of the first maximum along `axis` (as f32 values; no gradient). */
export function argmax(x: Tensor, axis: number, keepDims = false): Tensor {
  return reduceOp('argmax', x, axis, keepDims);
}

/**
 * Sum `x` down to `shape`, the inverse of broadcasting `shape` up to x's shape (x itself, as a view,
 * when the shapes already agree). Backward rules of broadcasting ops use it.
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  checkOperands('sumToShape', { x });
  checkShape('sumToShape', shape);
  if (!sameShape(broadcastShapes('sumToShape', shape, x.shape), x.shape)) {
    throw new Error(`sumToShape: [${x.shape}] is not a broadcast of [${shape}]`);
  }
  if (sameShape(x.shape, shape)) return x;
  const offset = x.rank - shape.length;
  let current = x;
  // Leading axes that `shape` lacks, then axes where `shape` has extent 1.
  for (let axis = x.rank - 1; axis >= 0; axis--) {
    const target = axis < offset ? undefined : shape[axis - offset];
    if (target === undefined || (target === 1 && x.shape[axis] !== 1)) {
      const next = sum(current, axis, true);
      if (current !== x) current.dispose();
      current = next;
    }
  }
  const result = current.reshape(shape);
  if (current !== x) current.dispose();
  return result;
}
