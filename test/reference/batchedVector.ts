/**
 * Float64 references for the batched vector kernels: B rows of n unknowns, row-major. Operands are given
 * as functions of (problem b, unknown j) so one reference serves every broadcast of a coefficient or bound.
 */
export type OperandRef = (b: number, j: number) => number;

/** Per-row dot products and Σ|x·y| (the scale of the rounding-error bound). */
export function dotRef(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number) {
  const dot = new Float64Array(rows);
  const magnitude = new Float64Array(rows);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < cols; j++) {
      const p = x[b * cols + j] * y[b * cols + j];
      dot[b] += p;
      magnitude[b] += Math.abs(p);
    }
  }
  return { dot, magnitude };
}

/** out[b, j] = f(b, j, current value) for running rows; stopped rows keep their values. */
export function updateRef(
  current: ArrayLike<number>,
  rows: number,
  cols: number,
  running: (b: number) => boolean,
  f: (b: number, j: number, value: number) => number,
): Float64Array {
  const out = Float64Array.from(current);
  for (let b = 0; b < rows; b++) {
    if (!running(b)) continue;
    for (let j = 0; j < cols; j++) out[b * cols + j] = f(b, j, current[b * cols + j]);
  }
  return out;
}
