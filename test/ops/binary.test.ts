import { describe, it } from 'vitest';
import { add, div, maximum, minimum, mul, sub } from '../../src/tensor/ops/index.ts';
import { checkOp, type OpReference } from '../helpers/checkOp.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { binaryBackward, binaryForward } from '../reference/broadcast.ts';

const getEngine = useTestEngine();

const cases: { name: string; op: typeof add; f: (x: number, y: number) => number; da: (x: number, y: number) => number; db: (x: number, y: number) => number }[] = [
  { name: 'add', op: add, f: (x, y) => x + y, da: () => 1, db: () => 1 },
  { name: 'sub', op: sub, f: (x, y) => x - y, da: () => 1, db: () => -1 },
  { name: 'mul', op: mul, f: (x, y) => x * y, da: (_, y) => y, db: (x) => x },
  { name: 'div', op: div, f: (x, y) => x / y, da: (_, y) => 1 / y, db: (x, y) => -x / (y * y) },
  { name: 'maximum', op: maximum, f: Math.max, da: (x, y) => (x >= y ? 1 : 0), db: (x, y) => (x >= y ? 0 : 1) },
  { name: 'minimum', op: minimum, f: Math.min, da: (x, y) => (x <= y ? 1 : 0), db: (x, y) => (x <= y ? 0 : 1) },
];

// Same shapes, row and column broadcasts, scalars, size-1 dims, and sizes that are not multiples of 64.
const shapePairs: number[][][] = [
  [[67], [67]],
  [[5, 131], [131]],
  [[5, 1, 3], [1, 7, 3]],
  [[1], [3, 65]],
  [[2, 3, 4, 5], [1, 3, 1, 5]],
  [[129, 100], []],
];

describe('binary ops with broadcasting', () => {
  for (const c of cases) {
    for (const shapes of shapePairs) {
      it(`${c.name} ${JSON.stringify(shapes)}`, async () => {
        const engine = getEngine();
        const reference: OpReference = {
          forward: (inputs) => binaryForward(inputs, c.f),
          backward: (inputs, g) => binaryBackward(inputs, g, c.da, c.db),
        };
        await checkOp(engine, {
          name: c.name,
          shapes,
          // Keep divisors away from zero so the reference's finite differences stay well conditioned.
          makeInput: c.name === 'div' ? (i, shape, r) => Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => (i === 1 ? 0.5 + r() : 2 * r() - 1)) : undefined,
          run: ([a, b]) => c.op(a, b),
          reference,
          tolerance: { rtol: 1e-6, atol: 1e-6 },
        });
      });
    }
  }
});
