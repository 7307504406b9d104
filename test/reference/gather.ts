/** Float64 references for row gathers and 2-D transposes. */
import type { OpReference } from '../helpers/checkOp.ts';

/** Inputs [x, indices]: rows of x at the indices; the backward adds each output row back into its source row. */
export const gatherRowsReference: OpReference = {
  forward: ([x, indices]) => {
    const rowSize = x.data.length / x.shape[0];
    const data = new Float64Array(indices.data.length * rowSize);
    indices.data.forEach((index, r) => data.set(x.data.subarray(index * rowSize, (index + 1) * rowSize), r * rowSize));
    return { data, shape: [...indices.shape, ...x.shape.slice(1)] };
  },
  backward: ([x, indices], g) => {
    const rowSize = x.data.length / x.shape[0];
    const gx = new Float64Array(x.data.length);
    indices.data.forEach((index, r) => {
      for (let j = 0; j < rowSize; j++) gx[index * rowSize + j] += g[r * rowSize + j];
    });
    return [gx, null];
  },
};

function transpose(data: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) out[j * rows + i] = data[i * columns + j];
  return out;
}

export const transposeReference: OpReference = {
  forward: ([x]) => ({ data: transpose(x.data, x.shape[0], x.shape[1]), shape: [x.shape[1], x.shape[0]] }),
  backward: ([x], g) => [transpose(g, x.shape[1], x.shape[0])],
};

/** One-hot rows of integer labels (forward only). */
export function oneHotReference(classes: number): OpReference {
  return {
    forward: ([labels]) => {
      const data = new Float64Array(labels.data.length * classes);
      labels.data.forEach((label, r) => (data[r * classes + label] = 1));
      return { data, shape: [...labels.shape, classes] };
    },
    backward: () => [null],
  };
}
