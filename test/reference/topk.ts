/**
 * Float64 reference for top-k per column: sort each column's (value, row) pairs by the kernel's order —
 * larger value first, NaN above everything, equal values (−0 = +0) by lower row — and keep the first k.
 */

/** Top-k of each column of `data` ([rows, columns], row-major): values and rows, both [k, columns]. */
export function topkReference(data: ArrayLike<number>, rows: number, columns: number, k: number, rowOffset = 0): { values: Float64Array; indices: Float64Array } {
  const values = new Float64Array(k * columns);
  const indices = new Float64Array(k * columns);
  for (let j = 0; j < columns; j++) {
    const column = Array.from({ length: rows }, (_, r) => ({ value: data[r * columns + j], row: r + rowOffset }));
    column.sort((a, b) => {
      const aNaN = Number.isNaN(a.value);
      const bNaN = Number.isNaN(b.value);
      if (aNaN !== bNaN) return aNaN ? -1 : 1;
      if (!aNaN && a.value !== b.value) return b.value - a.value;
      return a.row - b.row;
    });
    for (let s = 0; s < k; s++) {
      // The kernel writes −0 as +0; adding 0 does the same here.
      values[s * columns + j] = column[s].value + 0;
      indices[s * columns + j] = column[s].row;
    }
  }
  return { values, indices };
}
