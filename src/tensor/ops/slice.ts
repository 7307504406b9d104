/**
 * Contiguous row ranges: `sliceRows(x, start, count)` copies rows [start, start+count) of a row-major
 * tensor with one buffer copy (no kernel). Its backward places the gradient into zeros at the same rows.
 */
import { record } from '../record.ts';
import { Tensor, checkOperands } from '../tensor.ts';
import { fill } from './fill.ts';

/** Rows [start, start + count) of x (first axis). */
export function sliceRows(x: Tensor, start: number, count: number): Tensor {
  checkOperands('sliceRows', { x });
  const rows = x.shape[0];
  if (x.rank === 0 || !Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
    throw new Error(`sliceRows: rows [${start}, ${start + count}) are outside shape [${x.shape}]`);
  }
  const rowSize = x.size / Math.max(rows, 1);
  const out = Tensor.empty(x.engine, [count, ...x.shape.slice(1)]);
  if (out.size > 0) x.engine.copyBuffer(x.buffer, start * rowSize * 4, out.buffer, 0, out.size * 4);
  return record('sliceRows', [x], out, (dy) => {
    const gradient = fill(x.engine, x.shape, 0);
    if (dy.size > 0) x.engine.copyBuffer(dy.buffer, 0, gradient.buffer, start * rowSize * 4, dy.size * 4);
    return [gradient];
  });
}
