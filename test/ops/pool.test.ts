import { describe, expect, it } from 'vitest';
import { avgPool2d, maxPool2d } from '../../src/tensor/ops/pool.ts';
import { tensor } from '../../src/tensor/ops/index.ts';
import { checkOp } from '../helpers/checkOp.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { poolReference } from '../reference/pool.ts';

const getEngine = useTestEngine();

interface PoolCase {
  x: number[];
  size: [number, number];
  stride?: [number, number];
}

// Windows that tile the input, that leave a remainder (floor mode), that overlap (size > stride), that
// are not square, size-1 dimensions, and the pooling layers of the classic MNIST convnet and of the
// project's (src/nn/zoo.ts).
const cases: PoolCase[] = [
  { x: [2, 3, 6, 6], size: [2, 2] },
  { x: [1, 2, 7, 5], size: [2, 2] },
  { x: [2, 2, 9, 7], size: [3, 3], stride: [2, 2] },
  { x: [3, 1, 5, 8], size: [2, 3], stride: [1, 2] },
  { x: [1, 1, 1, 1], size: [1, 1] },
  { x: [2, 1, 1, 6], size: [1, 4], stride: [1, 1] },
  { x: [4, 32, 28, 28], size: [2, 2] },
  { x: [4, 64, 14, 14], size: [2, 2] },
  { x: [4, 16, 24, 24], size: [2, 2] },
  { x: [4, 32, 8, 8], size: [2, 2] },
];

describe('pooling matches a float64 reference, forward and gradients', () => {
  for (const kind of ['max', 'avg'] as const) {
    const op = kind === 'max' ? maxPool2d : avgPool2d;
    for (const c of cases) {
      const stride = c.stride ?? c.size;
      it(`${kind} x[${c.x}] size ${c.size} stride ${stride}`, async () => {
        await checkOp(getEngine(), {
          name: `${kind}Pool2d`,
          shapes: [c.x],
          run: ([x]) => op(x, { size: c.size, stride: c.stride }),
          reference: poolReference(kind, c.size, stride),
          // Max pooling copies values and sums at most ⌈size/stride⌉² gradients: exact up to a few ulps.
          // Average pooling sums size_h·size_w terms (at most 9 here) before one division: ~9·2⁻²⁴ relative.
          tolerance: { rtol: 1e-6, atol: 1e-7 },
          gradTolerance: { rtol: 1e-6, atol: 1e-10 },
        });
      });
    }
  }
});

describe('pooling shape errors name the op and the shapes', () => {
  it('rejects windows larger than the input and bad strides', () => {
    const x = tensor(getEngine(), new Float32Array(2 * 3 * 4 * 5), [2, 3, 4, 5]);
    expect(() => maxPool2d(x, { size: 5 })).toThrow(/maxPool2d: window 5×5 is larger than the input \[2,3,4,5\]/);
    expect(() => avgPool2d(x, { size: 2, stride: [1, 0] })).toThrow(/avgPool2d: stride \[1,0\] must be integers ≥ 1/);
    expect(() => avgPool2d(x.reshape([6, 4, 5]), { size: 2 })).toThrow(/avgPool2d: expected a non-empty 4-D NCHW input, got \[6,4,5\]/);
  });
});
