/**
 * Index ops (shaders/gather.wgsl): picking rows by index (minibatches from a dataset that stays on the
 * GPU), 2-D transposes and one-hot encoding. Indices and labels are f32 tensors holding integers, like
 * every tensor here and like argmax's output; they are exact below 2^24, far beyond any row count used.
 */
import type { Binding } from '../../gpu/engine.ts';
import { record } from '../record.ts';
import { Tensor, checkOperands, shapeSize } from '../tensor.ts';

const WORKGROUP_SIZE = 64;
/** Columns each scatter-add invocation owns: it amortizes one scan of the indices over this many. */
const SCATTER_COLUMNS = 16;

type Entry = 'main' | 'scatter_add' | 'transpose_2d' | 'one_hot';

interface Sizes {
  rows: number;
  rowSize: number;
  count: number;
  lanes?: number;
}

/** Launch one entry of the kernel with `invocations` threads (see its header for the meaning of the sizes). */
function launch(entry: Entry, sizes: Sizes, tensors: Tensor[], invocations: number, extra: Binding[] = []): void {
  const engine = tensors[0].engine;
  engine.dispatch(engine.kernel(entry === 'main' ? 'gather' : `gather#${entry}`, { WORKGROUP_SIZE }), {
    uniforms: new Uint32Array([sizes.rows, sizes.rowSize, sizes.count, sizes.lanes ?? 0]),
    bindings: [...tensors.map((t) => t.binding), ...extra],
    workgroups: engine.grid(invocations, WORKGROUP_SIZE),
  });
}

/**
 * Rows of `x` ([n, ...rest]) at `indices` (any shape, f32 integers): the result has shape
 * [...indices.shape, ...rest]. An index outside [0, n) or not an integer yields a row of NaN, and the
 * next readback or `engine.sync()` throws a `KernelArgumentError` naming its position. The gradient scatters back into x's shape, summing rows whose index repeats; it scans
 * the index list once per 16 columns of each of x's n rows, fine for a minibatch taken from a watched
 * tensor, and nothing is paid when x needs no gradient (a dataset).
 */
export function gatherRows(x: Tensor, indices: Tensor): Tensor {
  checkOperands('gatherRows', { x, indices });
  if (x.rank < 1) throw new Error('gatherRows: x must have at least one axis, got a scalar');
  const sizes = { rows: x.shape[0], rowSize: shapeSize(x.shape.slice(1)), count: indices.size };
  const out = Tensor.empty(x.engine, [...indices.shape, ...x.shape.slice(1)], 'gatherRows');
  const indexCheck = x.engine.argumentCheck({ op: 'gatherRows', subject: 'indices', problem: `is not an integer row index in [0, ${sizes.rows})` });
  launch('main', sizes, [x, indices, out], out.size, [indexCheck]);
  return record('gatherRows', [x, indices], out, (dy) => {
    const dx = Tensor.empty(x.engine, x.shape);
    const lanes = Math.max(1, Math.ceil(sizes.rowSize / SCATTER_COLUMNS));
    launch('scatter_add', { ...sizes, lanes }, [dy, indices, dx], sizes.rows * lanes);
    return [dx, null];
  });
}

function launchTranspose(x: Tensor): Tensor {
  const [rows, columns] = x.shape;
  const out = Tensor.empty(x.engine, [columns, rows]);
  launch('transpose_2d', { rows, rowSize: columns, count: 0 }, [x, out], out.size);
  return out;
}

/** The transpose of a matrix, materialized ([m, n] → [n, m]); its gradient is the transposed gradient. */
export function transpose2d(x: Tensor): Tensor {
  checkOperands('transpose2d', { x });
  if (x.rank !== 2) throw new Error(`transpose2d: expected a matrix, got shape [${x.shape}]`);
  return record('transpose2d', [x], launchTranspose(x), (dy) => [launchTranspose(dy)]);
}

/**
 * One-hot rows for class indices: shape [...labels.shape, classes], 1 at each label and 0 elsewhere. A
 * label outside [0, classes) or not an integer yields a row of NaN, and the next readback or
 * `engine.sync()` throws a `KernelArgumentError` naming its position. No gradient (labels are data).
 */
export function oneHot(labels: Tensor, classes: number): Tensor {
  checkOperands('oneHot', { labels });
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`oneHot: classes must be a positive integer, got ${classes}`);
  const out = Tensor.empty(labels.engine, [...labels.shape, classes], 'oneHot');
  const labelCheck = labels.engine.argumentCheck({ op: 'oneHot', subject: 'labels', problem: `is not an integer class index in [0, ${classes})` });
  launch('one_hot', { rows: 0, rowSize: classes, count: labels.size }, [labels, out], out.size, [labelCheck]);
  return out;
}
