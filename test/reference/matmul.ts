/** Float64 reference for matmul: act(op(A) · op(B) + bias) and its analytic backward. */
import type { OpReference, RefArray } from '../helpers/checkOp.ts';

export interface MatmulReferenceOptions {
  transposeA: boolean;
  transposeB: boolean;
  activation: 'none' | 'relu' | 'sigmoid' | 'tanh';
}

/** Element strides of op(X) for X stored row-major: op(X)[r, c] = x[r·row + c·col]. */
function strides(x: RefArray, transposed: boolean): { rows: number; cols: number; row: number; col: number } {
  const [r, c] = x.shape;
  return transposed ? { rows: c, cols: r, row: 1, col: c } : { rows: r, cols: c, row: c, col: 1 };
}

const activations = {
  none: { f: (z: number) => z, df: () => 1 },
  relu: { f: (z: number) => Math.max(z, 0), df: (z: number) => (z > 0 ? 1 : 0) },
  sigmoid: {
    f: (z: number) => 1 / (1 + Math.exp(-z)),
    df: (z: number) => {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    },
  },
  tanh: { f: Math.tanh, df: (z: number) => 1 - Math.tanh(z) ** 2 },
};

/** Pre-activations Z = op(A) · op(B) + bias, as an m×n row-major array. */
function preActivation(inputs: RefArray[], o: MatmulReferenceOptions): { z: Float64Array; m: number; k: number; n: number } {
  const [a, b, bias] = inputs;
  const sa = strides(a, o.transposeA);
  const sb = strides(b, o.transposeB);
  const m = sa.rows;
  const k = sa.cols;
  const n = sb.cols;
  const z = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a.data[i * sa.row + p * sa.col];
      for (let j = 0; j < n; j++) z[i * n + j] += x * b.data[p * sb.row + j * sb.col];
    }
    if (bias) for (let j = 0; j < n; j++) z[i * n + j] += bias.data[j];
  }
  return { z, m, k, n };
}

/** Inputs are [a, b] or [a, b, bias]. */
export function matmulReference(o: MatmulReferenceOptions): OpReference {
  const act = activations[o.activation];
  return {
    forward(inputs) {
      const { z, m, n } = preActivation(inputs, o);
      return { data: z.map(act.f), shape: [m, n] };
    },
    backward(inputs, g) {
      const [a, b, bias] = inputs;
      const { z, m, k, n } = preActivation(inputs, o);
      const dz = g.map((v, i) => v * act.df(z[i]));
      const sa = strides(a, o.transposeA);
      const sb = strides(b, o.transposeB);
      const da = new Float64Array(a.data.length);
      const db = new Float64Array(b.data.length);
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          const ia = i * sa.row + p * sa.col;
          let s = 0;
          for (let j = 0; j < n; j++) {
            const ib = p * sb.row + j * sb.col;
            s += dz[i * n + j] * b.data[ib];
            db[ib] += a.data[ia] * dz[i * n + j];
          }
          da[ia] = s;
        }
      }
      const grads: Float64Array[] = [da, db];
      if (bias) {
        const dbias = new Float64Array(n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) dbias[j] += dz[i * n + j];
        grads.push(dbias);
      }
      return grads;
    },
  };
}
