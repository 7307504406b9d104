/** Float64 broadcasting references for elementwise ops. */
import type { RefArray } from '../helpers/checkOp.ts';

export function broadcastShape(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/** Index into `shape`'s data for each element of `out` under broadcasting. */
export function broadcastIndex(shape: number[], out: number[]): Int32Array {
  const total = out.reduce((p, d) => p * d, 1);
  const index = new Int32Array(total);
  const offset = out.length - shape.length;
  for (let i = 0; i < total; i++) {
    let rest = i;
    let j = 0;
    let stride = 1;
    for (let d = out.length - 1; d >= 0; d--) {
      const coord = rest % out[d];
      rest = Math.floor(rest / out[d]);
      const k = d - offset;
      if (k >= 0) {
        if (shape[k] !== 1) j += coord * stride;
        stride *= shape[k];
      }
    }
    index[i] = j;
  }
  return index;
}

/** out = f(a, b) with broadcasting, and the pieces to backpropagate through it. */
export function binaryForward(inputs: RefArray[], f: (x: number, y: number) => number): RefArray & { ia: Int32Array; ib: Int32Array } {
  const [a, b] = inputs;
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const data = new Float64Array(ia.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[ia[i]], b.data[ib[i]]);
  return { data, shape, ia, ib };
}

/** Gradients of a broadcast binary op from its local partial derivatives. */
export function binaryBackward(
  inputs: RefArray[],
  outGradient: Float64Array,
  da: (x: number, y: number) => number,
  db: (x: number, y: number) => number,
): Float64Array[] {
  const [a, b] = inputs;
  const { ia, ib } = binaryForward(inputs, () => 0);
  const ga = new Float64Array(a.data.length);
  const gb = new Float64Array(b.data.length);
  for (let i = 0; i < outGradient.length; i++) {
    const x = a.data[ia[i]];
    const y = b.data[ib[i]];
    ga[ia[i]] += outGradient[i] * da(x, y);
    gb[ib[i]] += outGradient[i] * db(x, y);
  }
  return [ga, gb];
}
