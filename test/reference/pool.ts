/** Float64 references of max and average pooling (NCHW, no padding, floor mode) and their gradients. */
import type { OpReference, RefArray } from '../helpers/checkOp.ts';

/**
 * Calls visit(outIndex, windowInputIndices) for every window; the indices are in row-major window order,
 * which decides ties for max pooling (the first maximum wins, as in the kernel).
 */
function forEachWindow(x: RefArray, size: [number, number], stride: [number, number], visit: (out: number, window: number[]) => void): number[] {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h - size[0]) / stride[0]) + 1;
  const ow = Math.floor((w - size[1]) / stride[1]) + 1;
  for (let q = 0; q < n * c; q++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++) {
        const window: number[] = [];
        for (let i = 0; i < size[0]; i++)
          for (let j = 0; j < size[1]; j++) window.push((q * h + y * stride[0] + i) * w + xo * stride[1] + j);
        visit((q * oh + y) * ow + xo, window);
      }
  return [n, c, oh, ow];
}

export function poolReference(kind: 'max' | 'avg', size: [number, number], stride: [number, number]): OpReference {
  const pick = (x: RefArray, window: number[]): number =>
    window.reduce((best, k) => (x.data[k] > x.data[best] ? k : best), window[0]);
  return {
    forward([x]) {
      const values: number[] = [];
      const shape = forEachWindow(x, size, stride, (out, window) => {
        values[out] = kind === 'max' ? x.data[pick(x, window)] : window.reduce((s, k) => s + x.data[k], 0) / window.length;
      });
      return { data: Float64Array.from(values), shape };
    },
    backward([x], g) {
      const dx = new Float64Array(x.data.length);
      forEachWindow(x, size, stride, (out, window) => {
        if (kind === 'max') dx[pick(x, window)] += g[out];
        else for (const k of window) dx[k] += g[out] / window.length;
      });
      return [dx];
    },
  };
}
