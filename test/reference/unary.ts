/** Float64 references for elementwise unary ops: y = f(x) and dL/dx = dL/dy · f'(x). */
import type { OpReference, RefArray } from '../helpers/checkOp.ts';

export function elementwiseReference(f: (x: number) => number, derivative: (x: number) => number): OpReference {
  return {
    forward: ([x]: RefArray[]): RefArray => ({ data: x.data.map(f), shape: x.shape }),
    backward: ([x]: RefArray[], g: Float64Array) => [x.data.map((v, i) => g[i] * derivative(v))],
  };
}
