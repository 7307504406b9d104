/**
 * What the kernel explorer can run: per kernel, its variants and shader file, the shape parameters a
 * person sets, how blindspot runs it on random inputs, the float64 reference of the tests (test/reference/)
 * and the error it may show. A backward kernel runs inside its op's gradient, so the explorer times the
 * dispatches of the kernel it shows and lists the others.
 */
import { valueAndGrads } from '../../src/autograd/tape.ts';
import type { Engine } from '../../src/gpu/engine.ts';
import { PEAK_PROBE_CHAINS, runPeakProbe } from '../../src/gpu/peakProbe.ts';
import { conv2d } from '../../src/tensor/ops/conv.ts';
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { availableMatmulVariants, type MatmulVariant } from '../../src/tensor/ops/matmulKernels.ts';
import { defaultMatmulVariant } from '../../src/tensor/ops/matmulTuning.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import type { RefArray } from '../../test/helpers/checkOp.ts';
import { convReference, type ConvRefOptions } from '../../test/reference/conv.ts';
import { matmulReference } from '../../test/reference/matmul.ts';
import { peakProbeReference, peakProbeTolerance } from '../../test/reference/peakProbe.ts';

/** Shape parameters by name (all positive integers, padding may be 0; flags are 0 or 1). */
export type Parameters = Record<string, number>;

export interface ExplorerKernel {
  id: string;
  title: string;
  /** Kernel variants this engine can run (the first is the engine's default where that applies). */
  variants(engine: Engine): string[];
  /** The shader file (without `.wgsl`) a variant runs, whose source the explorer shows. */
  file(variant: string): string;
  /** Whether a profiled dispatch (its `kernel`, `file#entry`) is this kernel's. */
  times(kernel: string, variant: string): boolean;
  parameters: { name: string; label: string; value: number; min: number; max: number }[];
  /** Shapes of the random inputs (uniform in [−1, 1)). */
  inputShapes(p: Parameters): number[][];
  /** Runs blindspot; resolves with the output that is compared (its f32 values). */
  run(engine: Engine, variant: string, inputs: Tensor[], p: Parameters): Promise<Float32Array>;
  reference(inputs: RefArray[], p: Parameters): Float64Array;
  /** The largest |error| accepted for an element whose float64 value is `want`. */
  tolerance(p: Parameters, want: number): number;
  /** FLOPs of the timed kernel's dispatches on these shapes (for GFLOP/s and the share of peak). */
  flops(p: Parameters): number;
  /** The problem in words, e.g. `A[37×50] · B[50×29]`. */
  describe(p: Parameters): string;
}

const U = 2 ** -24;
/**
 * A sum of `terms` products of inputs in [−1, 1) in f32: errors of about terms·2⁻²⁴ at worst for random
 * data (test/ops/matmul.test.ts explains the bound), with a floor for outputs near zero.
 */
const sumTolerance = (terms: number) => 4 * Math.max(terms, 1) * U + 1e-6;

const read = async (t: Tensor): Promise<Float32Array> => {
  try {
    return await t.data();
  } finally {
    t.dispose();
  }
};

const matmulKernel: ExplorerKernel = {
  id: 'matmul',
  title: 'matmul: C = op(A) · op(B)',
  variants: (engine) => {
    const chosen = defaultMatmulVariant(engine);
    return [chosen, ...availableMatmulVariants(engine).filter((v) => v !== chosen)];
  },
  file: (variant) => `matmul_${variant}`,
  times: (kernel, variant) => kernel === `matmul_${variant}`,
  parameters: [
    { name: 'm', label: 'm', value: 256, min: 1, max: 4096 },
    { name: 'k', label: 'k', value: 256, min: 1, max: 4096 },
    { name: 'n', label: 'n', value: 256, min: 1, max: 4096 },
    { name: 'transposeA', label: 'Aᵀ (0/1)', value: 0, min: 0, max: 1 },
    { name: 'transposeB', label: 'Bᵀ (0/1)', value: 0, min: 0, max: 1 },
  ],
  inputShapes: (p) => [p.transposeA ? [p.k, p.m] : [p.m, p.k], p.transposeB ? [p.n, p.k] : [p.k, p.n]],
  run: (_engine, variant, [a, b], p) =>
    read(matmul(a, b, { transposeA: p.transposeA === 1, transposeB: p.transposeB === 1, variant: variant as MatmulVariant })),
  reference: (inputs, p) =>
    matmulReference({ transposeA: p.transposeA === 1, transposeB: p.transposeB === 1, activation: 'none' }).forward(inputs).data,
  tolerance: (p) => sumTolerance(p.k),
  flops: (p) => 2 * p.m * p.k * p.n,
  describe: (p) => `${p.transposeA ? 'Aᵀ' : 'A'}[${p.m}×${p.k}] · ${p.transposeB ? 'Bᵀ' : 'B'}[${p.k}×${p.n}]`,
};

/** The convolution's parameters: NCHW input, OIHW filter, square stride and padding. */
const CONV_PARAMETERS: ExplorerKernel['parameters'] = [
  { name: 'n', label: 'batch', value: 16, min: 1, max: 256 },
  { name: 'c', label: 'in channels', value: 16, min: 1, max: 256 },
  { name: 'h', label: 'height', value: 12, min: 1, max: 256 },
  { name: 'w', label: 'width', value: 12, min: 1, max: 256 },
  { name: 'o', label: 'out channels', value: 32, min: 1, max: 256 },
  { name: 'kh', label: 'kernel h', value: 5, min: 1, max: 15 },
  { name: 'kw', label: 'kernel w', value: 5, min: 1, max: 15 },
  { name: 'stride', label: 'stride', value: 1, min: 1, max: 4 },
  { name: 'padding', label: 'padding', value: 0, min: 0, max: 7 },
];

function convGeometry(p: Parameters) {
  const oh = Math.floor((p.h + 2 * p.padding - p.kh) / p.stride) + 1;
  const ow = Math.floor((p.w + 2 * p.padding - p.kw) / p.stride) + 1;
  if (!(oh >= 1 && ow >= 1)) throw new Error(`the ${p.kh}×${p.kw} kernel does not fit the padded ${p.h + 2 * p.padding}×${p.w + 2 * p.padding} input`);
  const options: ConvRefOptions = { stride: [p.stride, p.stride], padding: [p.padding, p.padding], relu: false };
  return { oh, ow, options, flops: 2 * p.n * p.o * oh * ow * p.c * p.kh * p.kw };
}

const describeConv = (p: Parameters, pass: string): string => {
  const { oh, ow } = convGeometry(p);
  return `${pass}: x[${p.n}×${p.c}×${p.h}×${p.w}] ⊛ w[${p.o}×${p.c}×${p.kh}×${p.kw}] → y[${p.n}×${p.o}×${oh}×${ow}], stride ${p.stride}, padding ${p.padding}`;
};

const convForwardKernel: ExplorerKernel = {
  id: 'conv2d',
  title: 'conv2d forward: y = x ⊛ w',
  variants: (engine) => (engine.adapter.isSwiftShader ? ['blocked', 'tiled'] : ['tiled', 'blocked']),
  file: () => 'conv2d',
  times: (kernel, variant) => kernel === (variant === 'tiled' ? 'conv2d#tiled' : 'conv2d'),
  parameters: CONV_PARAMETERS,
  inputShapes: (p) => [
    [p.n, p.c, p.h, p.w],
    [p.o, p.c, p.kh, p.kw],
  ],
  run: (_engine, variant, [x, w], p) => read(conv2d(x, w, { stride: p.stride, padding: p.padding, variant: variant as 'blocked' | 'tiled' })),
  reference: (inputs, p) => convReference(convGeometry(p).options).forward(inputs).data,
  tolerance: (p) => sumTolerance(p.c * p.kh * p.kw),
  flops: (p) => convGeometry(p).flops,
  describe: (p) => describeConv(p, 'forward'),
};

/** A gradient of the convolution for a random upstream gradient dy, as its backward rule computes it. */
function convGradientKernel(which: 'input' | 'filter'): ExplorerKernel {
  const file = which === 'input' ? 'conv2d_backward_input' : 'conv2d_backward_filter';
  return {
    id: file,
    title: which === 'input' ? 'conv2d input gradient: dx = dy ⊛ᵀ w' : 'conv2d filter gradient: dw = Σ x ⊗ dy',
    variants: () => ['barrier-free'],
    file: () => file,
    // Every entry of the file: an input of one channel has its own, and the filter gradient sums chunks.
    times: (kernel) => kernel === file || kernel.startsWith(`${file}#`),
    parameters: CONV_PARAMETERS,
    inputShapes: (p) => {
      const { oh, ow } = convGeometry(p);
      return [
        [p.n, p.c, p.h, p.w],
        [p.o, p.c, p.kh, p.kw],
        [p.n, p.o, oh, ow],
      ];
    },
    async run(engine, _variant, [x, w, dy], p) {
      const { value, grads } = valueAndGrads(engine, () => conv2d(x, w, { stride: p.stride, padding: p.padding }), [which === 'input' ? x : w], () =>
        dy.reshape(dy.shape),
      );
      value.dispose();
      return read(grads[0]);
    },
    reference: ([x, w, dy], p) => convReference(convGeometry(p).options).backward([x, w], dy.data)[which === 'input' ? 0 : 1]!,
    tolerance: (p) => {
      const { oh, ow } = convGeometry(p);
      return sumTolerance(which === 'input' ? p.o * p.kh * p.kw : p.n * oh * ow);
    },
    flops: (p) => convGeometry(p).flops,
    describe: (p) => describeConv(p, `${which} gradient`),
  };
}

const peakProbeKernel: ExplorerKernel = {
  id: 'peak_probe',
  title: "peak probe: the adapter's arithmetic peak",
  variants: () => ['—'],
  file: () => 'peak_probe',
  times: (kernel) => kernel === 'peak_probe',
  parameters: [
    { name: 'invocations', label: 'invocations', value: 16384, min: 1, max: 1 << 20 },
    { name: 'steps', label: 'steps', value: 256, min: 1, max: 1 << 16 },
  ],
  inputShapes: (p) => [[p.invocations]],
  run: async (engine, _variant, [start], p) => runPeakProbe(engine, await start.data(), p.steps),
  reference: ([start], p) => peakProbeReference(start.data, p.steps),
  tolerance: (_p, want) => peakProbeTolerance(want),
  flops: (p) => p.invocations * p.steps * PEAK_PROBE_CHAINS * 8,
  describe: (p) => `${p.invocations} invocations × ${p.steps} steps of ${PEAK_PROBE_CHAINS} vec4 multiply-adds`,
};

export const EXPLORER_KERNELS: ExplorerKernel[] = [
  matmulKernel,
  convForwardKernel,
  convGradientKernel('input'),
  convGradientKernel('filter'),
  peakProbeKernel,
];
