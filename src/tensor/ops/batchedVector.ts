/**
 * Vector kernels for running L-BFGS on B independent problems at once (shaders/batched_dot.wgsl,
 * shaders/batched_vector.wgsl). A batch is a tensor [B, ...] read as B rows of n = size / B unknowns; every
 * op takes an optional mask [B] (non-zero = still running) and leaves stopped rows untouched. The updates
 * work in place and, like the optimizer steps, are not differentiable.
 */
import type { Engine } from '../../gpu/engine.ts';
import { constantScalar } from '../constants.ts';
import { Tensor, sameShape } from '../tensor.ts';
import { checkInPlace } from './inPlace.ts';

const WORKGROUP_SIZE = 64;
/** Largest finite f32, standing in for ±Infinity bounds (WGSL lets implementations assume no infinities). */
const F32_MAX = 3.4028234663852886e38;

/**
 * A per-problem coefficient: one number for all problems, a tensor of B values ([B] or [B, 1]) or of one
 * value, or such a tensor times a number (`{ values: alpha, times: -1 }` applies −α without a dispatch).
 */
export type Coefficient = number | Tensor | { values: Tensor; times: number };

/**
 * A bound of the box: one number for every unknown (±Infinity for none), a tensor of the batch's shape
 * (elementwise), or one of the shape of a single problem (shared by all problems). Bound tensors should hold
 * ±3.4e38 rather than ±Infinity for "unbounded".
 */
export type Bound = number | Tensor;

/** Which problems an op touches. */
export interface BatchOptions {
  /** [B] (or any tensor of B elements): non-zero for running problems. Default: all run. */
  mask?: Tensor;
}

/** A kernel operand: scale · values[b·rowStride + j·colStride]. */
interface Operand {
  values: Tensor;
  scale: number;
  rowStride: number;
  colStride: number;
}

interface Batch {
  engine: Engine;
  rows: number;
  cols: number;
  mask: Operand;
}

/**
 * Per-problem dot products: out[b] = Σ_j x[b, j]·y[b, j] (pairwise summation; see the kernel for the error
 * bound), 0 for masked-out problems. Returns a new [B] tensor.
 */
export function batchedDot(x: Tensor, y: Tensor, options: BatchOptions = {}): Tensor {
  checkInPlace('batchedDot', [], [x, y], options.mask ? [options.mask] : []);
  const batch = batchOf('batchedDot', x, options);
  const out = Tensor.empty(batch.engine, [batch.rows]);
  if (batch.rows > 0) {
    batch.engine.dispatch(batch.engine.kernel('batched_dot', { WORKGROUP_SIZE }), {
      uniforms: new Uint32Array([batch.rows, batch.cols, batch.mask.rowStride, 0]),
      bindings: [batch.mask.values.binding, x.binding, y.binding, out.binding],
      workgroups: batch.engine.grid(batch.rows, WORKGROUP_SIZE),
    });
  }
  return out;
}

/** y ← y + α_b·x for every running problem b, in place on `y`. */
export function batchedAxpy(alpha: Coefficient, x: Tensor, y: Tensor, options: BatchOptions = {}): void {
  const a = coefficient('batchedAxpy', alpha, y);
  checkInPlace('batchedAxpy', [y], [x], others(a, options));
  launch('axpy', batchOf('batchedAxpy', y, options), [a], [x, y]);
}

/** x ← α_b·x for every running problem b, in place. */
export function batchedScale(alpha: Coefficient, x: Tensor, options: BatchOptions = {}): void {
  const a = coefficient('batchedScale', alpha, x);
  checkInPlace('batchedScale', [x], [], others(a, options));
  launch('scale', batchOf('batchedScale', x, options), [a], [x]);
}

/**
 * x ← min(max(x, lower), upper), the projection onto the box, for every running problem, in place. Where
 * lower > upper the result is `upper`.
 */
export function batchedProject(x: Tensor, lower: Bound, upper: Bound, options: BatchOptions = {}): void {
  const batch = batchOf('batchedProject', x, options);
  const lo = bound('lower', lower, x, batch);
  const hi = bound('upper', upper, x, batch);
  if (typeof lower === 'number' && typeof upper === 'number' && lower > upper) {
    throw new Error(`batchedProject: empty box [${lower}, ${upper}]`);
  }
  checkInPlace('batchedProject', [x], [], [...others(lo, options), hi.values]);
  launch('project', batch, [lo, hi], [x]);
}

function launch(entry: 'axpy' | 'scale' | 'project', batch: Batch, operands: Operand[], tensors: Tensor[]): void {
  const size = batch.rows * batch.cols;
  if (size === 0) return;
  const uniforms = new ArrayBuffer(48);
  const words = new Uint32Array(uniforms);
  const floats = new Float32Array(uniforms);
  words.set([batch.rows, batch.cols, batch.mask.rowStride]);
  operands.forEach((o, k) => {
    floats[4 + 4 * k] = o.scale;
    words.set([o.rowStride, o.colStride], 5 + 4 * k);
  });
  batch.engine.dispatch(batch.engine.kernel(`batched_vector#${entry}`, { WORKGROUP_SIZE }), {
    uniforms: new Uint8Array(uniforms),
    bindings: [batch.mask.values, ...operands.map((o) => o.values), ...tensors].map((t) => t.binding),
    workgroups: batch.engine.grid(size, WORKGROUP_SIZE),
  });
}

function batchOf(op: string, x: Tensor, options: BatchOptions): Batch {
  if (x.rank === 0) throw new Error(`${op}: a batch needs a leading problem axis, got a scalar`);
  const rows = x.shape[0];
  const cols = rows === 0 ? 0 : x.size / rows;
  const { mask } = options;
  if (mask && mask.size !== rows) throw new Error(`${op}: mask of shape [${mask.shape}] for ${rows} problems`);
  const values = mask ?? constantScalar(x.engine, 1);
  return { engine: x.engine, rows, cols, mask: { values, scale: 1, rowStride: mask ? 1 : 0, colStride: 0 } };
}

function coefficient(op: string, alpha: Coefficient, x: Tensor): Operand {
  if (typeof alpha === 'number') return { values: constantScalar(x.engine, 1), scale: alpha, rowStride: 0, colStride: 0 };
  const { values, times } = alpha instanceof Tensor ? { values: alpha, times: 1 } : alpha;
  const rows = x.rank === 0 ? 0 : x.shape[0];
  if (values.size !== 1 && values.size !== rows) {
    throw new Error(`${op}: coefficient of shape [${values.shape}] for ${rows} problems (give B values or one)`);
  }
  return { values, scale: times, rowStride: values.size === 1 ? 0 : 1, colStride: 0 };
}

function bound(which: string, value: Bound, x: Tensor, batch: Batch): Operand {
  if (typeof value === 'number') {
    const clamped = Math.max(-F32_MAX, Math.min(F32_MAX, value));
    return { values: constantScalar(x.engine, 1), scale: clamped, rowStride: 0, colStride: 0 };
  }
  if (sameShape(value.shape, x.shape)) return { values: value, scale: 1, rowStride: batch.cols, colStride: 1 };
  if (sameShape(value.shape, x.shape.slice(1))) return { values: value, scale: 1, rowStride: 0, colStride: 1 };
  throw new Error(`batchedProject: ${which} bound of shape [${value.shape}] for a batch of shape [${x.shape}]`);
}

function others(operand: Operand, options: BatchOptions): Tensor[] {
  return options.mask ? [operand.values, options.mask] : [operand.values];
}
