/**
 * Top-k per column (shaders/topk.wgsl): the k largest entries of every column of a matrix and their row
 * indices, for picking the images that most activate each unit or direction. Not differentiable: it
 * records nothing on the tape, and its outputs carry no gradient.
 */
import { Tensor } from '../tensor.ts';

const WORKGROUP_SIZE = 64;
/** The kernel keeps each column's running top-k in registers; larger k would spill and is not needed. */
export const TOPK_MAX_K = 16;
/** Row indices travel as f32, exact below 2^24. */
const MAX_ROWS = 2 ** 24;

/** The k largest entries of each column, largest first: both of shape [k, columns]. */
export interface TopK {
  values: Tensor;
  /** Row indices (f32 integers), counted from `rowOffset`. */
  indices: Tensor;
}

export interface TopKOptions {
  /** Global index of x's first row (default 0): indices are row + rowOffset. */
  rowOffset?: number;
  /**
   * The top-k of rows seen before (an earlier result for the same columns and k, its indices global and
   * below `rowOffset`): the result is then the top-k of those rows and x's together, so a matrix can be
   * streamed through in blocks of rows. It is not disposed.
   */
  merge?: TopK;
}

/**
 * For each column of `x` ([rows, columns]), the k largest entries and their rows, in descending order.
 * Ties go to the lower row index; NaN ranks above every number (so it shows up rather than hides) and
 * is returned as NaN; −0 equals +0 and is returned as +0. k is at most {@link TOPK_MAX_K}, and at most
 * `rows` unless an earlier result is merged. Throws on bad input before any work.
 */
export function topk(x: Tensor, k: number, options: TopKOptions = {}): TopK {
  const { rowOffset = 0, merge } = options;
  if (x.rank !== 2) throw new Error(`topk: expected a matrix [rows, columns], got shape [${x.shape}]`);
  const [rows, columns] = x.shape;
  if (!Number.isInteger(k) || k < 1 || k > TOPK_MAX_K) throw new Error(`topk: k must be an integer in [1, ${TOPK_MAX_K}], got ${k}`);
  if (!merge && k > rows) throw new Error(`topk: k = ${k} exceeds the ${rows} rows of x`);
  if (!Number.isInteger(rowOffset) || rowOffset < 0) throw new Error(`topk: rowOffset must be a non-negative integer, got ${rowOffset}`);
  if (rowOffset + rows > MAX_ROWS) throw new Error(`topk: row indices up to ${rowOffset + rows} exceed 2^24 (f32 indices would not be exact)`);
  if (merge) {
    for (const [name, t] of [['values', merge.values], ['indices', merge.indices]] as const) {
      if (t.engine !== x.engine) throw new Error(`topk: merge.${name} belongs to a different engine`);
      if (t.rank !== 2 || t.shape[0] !== k || t.shape[1] !== columns) {
        throw new Error(`topk: merge.${name} has shape [${t.shape}], expected [${k}, ${columns}]`);
      }
    }
  }
  const engine = x.engine;
  const values = Tensor.empty(engine, [k, columns]);
  const indices = Tensor.empty(engine, [k, columns]);
  const inputs = merge ? [x, merge.values, merge.indices] : [x];
  engine.dispatch(engine.kernel(merge ? 'topk#merge' : 'topk', { WORKGROUP_SIZE }), {
    uniforms: new Uint32Array([rows, columns, k, rowOffset]),
    bindings: [...inputs, values, indices].map((t) => t.binding),
    workgroups: engine.grid(columns, WORKGROUP_SIZE),
  });
  return { values, indices };
}
