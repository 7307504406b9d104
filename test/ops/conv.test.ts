import { describe, expect, it } from 'vitest';
import { conv2d, type ConvVariant } from '../../src/tensor/ops/conv.ts';
import { tensor } from '../../src/tensor/ops/index.ts';
import { checkOp } from '../helpers/checkOp.ts';
import { useTestEngine } from '../helpers/engine.ts';
import type { Tolerance } from '../helpers/compare.ts';
import { uniformArray } from '../helpers/random.ts';
import { convReference } from '../reference/conv.ts';

const getEngine = useTestEngine();

interface ConvCase {
  x: number[];
  w: number[];
  stride?: [number, number];
  padding?: [number, number];
  bias?: boolean;
  relu?: boolean;
}

// Odd sizes, partial image and channel blocks (the blocked kernels take 8 images × 8 channels),
// size-1 dimensions, 1×1 kernels, strides that skip input, padding wider than half the kernel, the two
// layers of the classic MNIST convnet (28×28×1→32 and 14×14×32→64, 5×5, padding 2) and those of the
// project's convnet (src/nn/zoo.ts: 28×28×1→16 and 12×12×16→32, 5×5, no padding).
const cases: ConvCase[] = [
  { x: [1, 1, 5, 5], w: [1, 1, 3, 3] },
  { x: [1, 1, 5, 5], w: [1, 1, 3, 3], padding: [1, 1] },
  { x: [2, 1, 5, 5], w: [3, 1, 3, 3], padding: [2, 2], stride: [2, 2] },
  { x: [3, 2, 7, 9], w: [5, 2, 3, 3], stride: [2, 2], padding: [1, 1], bias: true },
  { x: [2, 3, 4, 5], w: [6, 3, 1, 1], bias: true, relu: true },
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1] },
  { x: [5, 1, 1, 7], w: [3, 1, 1, 3], padding: [0, 1] },
  { x: [2, 3, 6, 8], w: [4, 3, 2, 5], stride: [2, 1], padding: [2, 0], bias: true },
  { x: [9, 11, 6, 5], w: [10, 11, 3, 3], padding: [1, 1], bias: true, relu: true },
  { x: [2, 2, 5, 6], w: [3, 2, 4, 4], stride: [3, 2], padding: [2, 1] },
  // The filter gradient splits 17 images into chunks of 2 (the last one short) for 576 blocks × taps.
  { x: [17, 64, 3, 3], w: [64, 64, 3, 3], padding: [1, 1] },
  { x: [4, 1, 28, 28], w: [32, 1, 5, 5], padding: [2, 2], bias: true, relu: true },
  { x: [1, 32, 14, 14], w: [64, 32, 5, 5], padding: [2, 2], bias: true, relu: true },
  { x: [4, 1, 28, 28], w: [16, 1, 5, 5], bias: true, relu: true },
  { x: [4, 16, 12, 12], w: [32, 16, 5, 5], bias: true, relu: true },
  // One input channel takes the backward-input kernel's single_channel entry (16 images per invocation):
  // a full block and a partial one, with stride and padding.
  { x: [19, 1, 9, 8], w: [5, 1, 3, 3], stride: [2, 1], padding: [1, 2], bias: true },
];

const EPS = 2 ** -24;

/**
 * f32 accumulation of k terms of typical magnitude m: rounding error grows like √k·2⁻²⁴ times the sum
 * of the terms' magnitudes (k·m) for random signs; we allow 4× that as the absolute part, and 4·k·2⁻²⁴ as
 * the relative part (the worst case for same-sign terms).
 */
function accumulation(k: number, m: number): Tolerance {
  return { rtol: 4 * k * EPS, atol: 4 * Math.sqrt(k) * EPS * k * m };
}

/**
 * Tolerances for one case. Inputs are uniform in [−1, 1] (E|x·w| = 1/4, Var = 1/9), so forward terms have
 * magnitude 1/4 over k = C·KH·KW terms. The loss mean((out+1)²) sends d out ≈ 2(1 + √(k/9)) / size back,
 * so gradient terms are that times 1/2, over O·KH·KW terms (dx) or N·OH·OW terms (dw, db).
 */
function tolerances(c: ConvCase, outShape: number[]): { forward: Tolerance; gradient: Tolerance } {
  const k = c.x[1] * c.w[2] * c.w[3];
  const size = outShape.reduce((p, d) => p * d, 1);
  const gradTerm = (1 + Math.sqrt(k / 9)) / size;
  const gradK = Math.max(c.w[0] * c.w[2] * c.w[3], outShape[0] * outShape[2] * outShape[3]);
  return { forward: accumulation(k, 0.25), gradient: accumulation(gradK, gradTerm) };
}

function outShape(c: ConvCase): number[] {
  const [sh, sw] = c.stride ?? [1, 1];
  const [ph, pw] = c.padding ?? [0, 0];
  return [c.x[0], c.w[0], Math.floor((c.x[2] + 2 * ph - c.w[2]) / sh) + 1, Math.floor((c.x[3] + 2 * pw - c.w[3]) / sw) + 1];
}

/** How far from 0 every pre-activation of a ReLU case is kept (f32 rounding of one is below 1e-5 here). */
const KINK_MARGIN = 1e-4;

/**
 * Inputs for a ReLU case: x and w uniform in [−1, 1], then each output channel's bias drawn until none of
 * the channel's pre-activations lies within KINK_MARGIN of 0. Right at the kink the f32 kernel and the
 * float64 reference can take different sides, which moves a gradient by a whole term: rounding, not a bug.
 */
function awayFromKink(stride: [number, number], padding: [number, number]) {
  const drawn: { data: Float64Array; shape: number[] }[] = [];
  return (index: number, shape: number[], random: () => number): Float64Array => {
    const values = uniformArray(random, shape.reduce((p, d) => p * d, 1));
    if (index < 2) {
      // checkOp rounds inputs to f32: the margin is checked on what both sides compute with.
      drawn.push({ data: Float64Array.from(Float32Array.from(values)), shape });
      return values;
    }
    const z = convReference({ stride, padding, relu: false }).forward(drawn).data;
    const [n, o, oh, ow] = outShape({ x: drawn[0].shape, w: drawn[1].shape, stride, padding });
    for (let channel = 0; channel < o; channel++) {
      for (let tries = 0; ; tries++) {
        if (tries === 1000) throw new Error(`no bias keeps channel ${channel}'s pre-activations ${KINK_MARGIN} away from 0`);
        const b = Math.fround(values[channel]);
        let nearest = Infinity;
        for (let image = 0; image < n; image++) {
          const start = (image * o + channel) * oh * ow;
          for (let k = start; k < start + oh * ow; k++) nearest = Math.min(nearest, Math.abs(z[k] + b));
        }
        if (nearest > KINK_MARGIN) break;
        values[channel] = 2 * random() - 1;
      }
    }
    return values;
  };
}

describe('conv2d matches a float64 reference, forward and gradients', () => {
  for (const variant of ['blocked', 'tiled'] as ConvVariant[]) {
    for (const c of cases) {
      const label = `${variant} x[${c.x}] w[${c.w}] stride ${c.stride ?? 1} pad ${c.padding ?? 0}${c.bias ? ' bias' : ''}${c.relu ? ' relu' : ''}`;
      it(label, async () => {
        const stride = c.stride ?? [1, 1];
        const padding = c.padding ?? [0, 0];
        const { forward, gradient } = tolerances(c, outShape(c));
        await checkOp(getEngine(), {
          name: `conv2d ${label}`,
          shapes: c.bias ? [c.x, c.w, [c.w[0]]] : [c.x, c.w],
          run: ([x, w, bias]) => conv2d(x, w, { stride, padding, bias, activation: c.relu ? 'relu' : 'none', variant }),
          reference: convReference({ stride, padding, relu: c.relu ?? false }),
          makeInput: c.relu ? awayFromKink(stride, padding) : undefined,
          tolerance: forward,
          gradTolerance: gradient,
        });
      });
    }
  }
});

describe('conv2d shape errors name the op and the shapes', () => {
  it('rejects mismatched channels, oversized kernels, bad bias, stride and padding', () => {
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(2 * 3 * 5 * 5), [2, 3, 5, 5]);
    const w = (shape: number[]) => tensor(engine, new Float32Array(shape.reduce((p, d) => p * d, 1)), shape);
    expect(() => conv2d(x, w([4, 2, 3, 3]))).toThrow(/conv2d: the input has 3 channels but the filter expects 2 \(input \[2,3,5,5\], filter \[4,2,3,3\]\)/);
    expect(() => conv2d(x, w([4, 3, 6, 3]))).toThrow(/conv2d: kernel 6×3 is larger than the padded input 5×5/);
    expect(() => conv2d(x, w([4, 3, 6, 3]), { padding: 1 })).not.toThrow();
    expect(() => conv2d(x, w([4, 3, 3, 3]), { bias: w([3]) })).toThrow(/bias of shape \[3\] does not match 4 output channels/);
    expect(() => conv2d(x, w([4, 3, 3, 3]), { stride: 0 })).toThrow(/conv2d: stride \[0,0\] must be integers ≥ 1/);
    expect(() => conv2d(x, w([4, 3, 3, 3]), { padding: [1, -1] })).toThrow(/conv2d: padding \[1,-1\] must be integers ≥ 0/);
    expect(() => conv2d(x.reshape([6, 5, 5]), w([4, 3, 3, 3]))).toThrow(/4-D NCHW input and a 4-D OIHW filter, got input \[6,5,5\]/);
  });
});
