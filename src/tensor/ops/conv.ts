/**
 * 2-D convolution (shaders/conv2d.wgsl) and its backward rule (shaders/conv2d_backward_input.wgsl,
 * shaders/conv2d_backward_filter.wgsl). Activations are NCHW, filters [outChannels, inChannels, kernelH,
 * kernelW]; stride and symmetric zero padding are per dimension. The kernels read the tensors in these
 * layouts directly: there is no im2col buffer.
 */
import { needsGradient, record } from '../record.ts';
import type { Engine } from '../../gpu/engine.ts';
import type { DispatchCost } from '../../gpu/profiler.ts';
import { constantScalar } from '../constants.ts';
import { Tensor, checkOperands } from '../tensor.ts';
import { launchActivationGrad } from './matmulKernels.ts';

/** The forward kernels: barrier-free register blocks (CPU adapters) or workgroup-memory tiles (GPUs). */
export type ConvVariant = 'blocked' | 'tiled';

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step between output pixels, one value or [vertical, horizontal] (default 1). */
  stride?: number | [number, number];
  /** Zeros added on each side, one value or [vertical, horizontal] (default 0). */
  padding?: number | [number, number];
  /** Per-output-channel bias of shape [outChannels]. */
  bias?: Tensor;
  /** Applied in the kernel's epilogue (default 'none'). */
  activation?: 'none' | 'relu';
  /** Force a forward kernel (tests, benchmarks); by default SwiftShader gets 'blocked', GPUs 'tiled'. */
  variant?: ConvVariant;
}

/** Every extent of one convolution, and the engine it runs on. */
interface Geometry {
  engine: Engine;
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

const WORKGROUP_SIZE = 64;
/** Output channels per invocation of the blocked kernels. */
const OUT_CHANNEL_BLOCK = 8;
/** Output tile edge of the tiled kernel (64 rows × 64 channels per workgroup). */
const TILE = 64;
/** Invocations the filter- and bias-gradient passes aim for when they split the batch into chunks. */
const CHUNKED_INVOCATIONS = 8192;

/**
 * A per-dimension spatial option as [vertical, horizontal], checked to be integers ≥ `min`; shared by
 * the conv and pooling ops.
 */
export function spatialPair(op: string, name: string, value: number | [number, number], min: number): [number, number] {
  const pair: [number, number] = typeof value === 'number' ? [value, value] : [value[0], value[1]];
  if (!pair.every((v) => Number.isInteger(v) && v >= min)) {
    throw new Error(`${op}: ${name} [${pair}] must be integers ≥ ${min}`);
  }
  return pair;
}

function geometry(x: Tensor, w: Tensor, options: Conv2dOptions): Geometry {
  checkOperands('conv2d', { input: x, filter: w, bias: options.bias });
  const shapes = `input [${x.shape}], filter [${w.shape}]`;
  if (x.rank !== 4 || w.rank !== 4) throw new Error(`conv2d: expected a 4-D NCHW input and a 4-D OIHW filter, got ${shapes}`);
  const [n, c, h, wd] = x.shape;
  const [o, ci, kh, kw] = w.shape;
  if (ci !== c) throw new Error(`conv2d: the input has ${c} channels but the filter expects ${ci} (${shapes})`);
  if ([...x.shape, ...w.shape].some((d) => d < 1)) throw new Error(`conv2d: every extent must be ≥ 1 (${shapes})`);
  const [sh, sw] = spatialPair('conv2d', 'stride', options.stride ?? 1, 1);
  const [ph, pw] = spatialPair('conv2d', 'padding', options.padding ?? 0, 0);
  if (kh > h + 2 * ph || kw > wd + 2 * pw) {
    throw new Error(`conv2d: kernel ${kh}×${kw} is larger than the padded input ${h + 2 * ph}×${wd + 2 * pw} (${shapes}, padding [${ph}, ${pw}])`);
  }
  if (options.bias && (options.bias.rank !== 1 || options.bias.shape[0] !== o)) {
    throw new Error(`conv2d: bias of shape [${options.bias.shape}] does not match ${o} output channels (${shapes})`);
  }
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((wd + 2 * pw - kw) / sw) + 1;
  return { engine: x.engine, n, c, h, w: wd, o, kh, kw, sh, sw, ph, pw, oh, ow };
}

/** The uniform struct shared by the conv kernels (see their Params). */
function uniforms(g: Geometry, chunk = 0, chunks = 0, elements = 0): Uint32Array {
  return new Uint32Array([g.n, g.c, g.o, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, chunk, chunks, elements]);
}

/**
 * What one of the three convolutions (forward, input gradient, filter gradient) costs: each is
 * 2·N·O·OH·OW·C·KH·KW FLOPs over the same index space; `bytes` counts its two inputs and its output.
 */
function convCost(g: Geometry, pass: 'forward' | 'input gradient' | 'filter gradient', bytes: number): DispatchCost {
  return {
    flops: 2 * g.n * g.o * g.oh * g.ow * g.c * g.kh * g.kw,
    bytes,
    shape: `${pass}: x[${g.n}×${g.c}×${g.h}×${g.w}] ⊛ w[${g.o}×${g.c}×${g.kh}×${g.kw}] → [${g.n}×${g.o}×${g.oh}×${g.ow}], stride ${g.sh}×${g.sw}, padding ${g.ph}×${g.pw}`,
  };
}

/** Images per invocation of the blocked kernels: 8 halves the gathers per FMA, 4 wastes less on tiny batches. */
const batchBlock = (g: Geometry): number => (g.n > 4 ? 8 : 4);
/** Images per invocation of the backward-input kernel's single_channel entry (an input of one channel). */
const SINGLE_CHANNEL_BATCH_BLOCK = 16;
/** Input channels per invocation of the backward kernels: 4 for an image's few channels, else 8. */
const inputChannelBlock = (g: Geometry): number => (g.c > 4 ? 8 : 4);

function launchForward(variant: ConvVariant, x: Tensor, w: Tensor, g: Geometry, bias: Tensor | undefined, relu: boolean): Tensor {
  const { engine } = g;
  const out = Tensor.empty(engine, [g.n, g.o, g.oh, g.ow]);
  const constants = { RELU: relu ? 1 : 0, HAS_BIAS: bias ? 1 : 0 };
  const bindings = [x.binding, w.binding, (bias ?? constantScalar(engine, 0)).binding, out.binding];
  const cost = engine.profiling ? convCost(g, 'forward', 4 * (x.size + w.size + out.size + (bias ? g.o : 0))) : undefined;
  if (variant === 'tiled') {
    const [mx, my] = engine.grid(Math.ceil((g.n * g.oh * g.ow) / TILE), 1);
    engine.dispatch(engine.kernel('conv2d#tiled', constants), {
      uniforms: uniforms(g),
      bindings,
      workgroups: [mx, my, Math.ceil(g.o / TILE)],
      cost,
    });
  } else {
    const block = batchBlock(g);
    engine.dispatch(engine.kernel('conv2d', { ...constants, WORKGROUP_SIZE, BATCH_BLOCK: block }), {
      uniforms: uniforms(g),
      bindings,
      workgroups: engine.grid(Math.ceil(g.n / block) * g.oh * g.ow * Math.ceil(g.o / OUT_CHANNEL_BLOCK), WORKGROUP_SIZE),
      cost,
    });
  }
  return out;
}

function launchBackwardInput(dy: Tensor, w: Tensor, g: Geometry): Tensor {
  const { engine } = g;
  const dx = Tensor.empty(engine, [g.n, g.c, g.h, g.w]);
  const bindings = [dy.binding, w.binding, dx.binding];
  const cost = engine.profiling ? convCost(g, 'input gradient', 4 * (dy.size + w.size + dx.size)) : undefined;
  if (g.c === 1) {
    engine.dispatch(engine.kernel('conv2d_backward_input#single_channel', { WORKGROUP_SIZE }), {
      uniforms: uniforms(g),
      bindings,
      workgroups: engine.grid(Math.ceil(g.n / SINGLE_CHANNEL_BATCH_BLOCK) * g.h * g.w, WORKGROUP_SIZE),
      cost,
    });
    return dx;
  }
  const block = batchBlock(g);
  const channelBlock = inputChannelBlock(g);
  engine.dispatch(engine.kernel('conv2d_backward_input', { WORKGROUP_SIZE, BATCH_BLOCK: block, CHANNEL_BLOCK: channelBlock }), {
    uniforms: uniforms(g),
    bindings,
    workgroups: engine.grid(Math.ceil(g.n / block) * g.h * g.w * Math.ceil(g.c / channelBlock), WORKGROUP_SIZE),
    cost,
  });
  return dx;
}

/**
 * Run a backward-filter pass that writes one partial sum per chunk of images, then add the chunks up into
 * a tensor of `shape` (a single chunk writes there directly). Chunks are sized so that `work`
 * invocations per chunk reach about CHUNKED_INVOCATIONS in all: a large batch then keeps a GPU busy,
 * while SwiftShader sums few partials.
 */
function reduceOverChunks(
  g: Geometry,
  work: number,
  shape: number[],
  pass: (params: Uint32Array, partial: Tensor, chunks: number) => void,
): Tensor {
  const { engine } = g;
  const out = Tensor.empty(engine, shape);
  const imagesPerChunk = Math.ceil(g.n / Math.min(g.n, Math.ceil(CHUNKED_INVOCATIONS / work)));
  const chunks = Math.ceil(g.n / imagesPerChunk);
  const params = uniforms(g, imagesPerChunk, chunks, out.size);
  const partial = chunks === 1 ? out : Tensor.empty(engine, [chunks, out.size]);
  pass(params, partial, chunks);
  if (partial !== out) {
    engine.dispatch(engine.kernel('conv2d_backward_filter#sum_chunks', { WORKGROUP_SIZE }), {
      uniforms: params,
      bindings: [partial.binding, out.binding],
      workgroups: engine.grid(out.size, WORKGROUP_SIZE),
    });
    partial.dispose();
  }
  return out;
}

function launchBackwardFilter(x: Tensor, dy: Tensor, g: Geometry): Tensor {
  const channelBlock = inputChannelBlock(g);
  const blocks = Math.ceil(g.c / channelBlock) * Math.ceil(g.o / OUT_CHANNEL_BLOCK) * g.kh * g.kw;
  return reduceOverChunks(g, blocks, [g.o, g.c, g.kh, g.kw], (params, partial, chunks) => {
    g.engine.dispatch(g.engine.kernel('conv2d_backward_filter', { WORKGROUP_SIZE, CHANNEL_BLOCK: channelBlock }), {
      uniforms: params,
      bindings: [x.binding, dy.binding, partial.binding],
      workgroups: g.engine.grid(blocks * chunks, WORKGROUP_SIZE),
      cost: g.engine.profiling ? convCost(g, 'filter gradient', 4 * (x.size + dy.size + partial.size)) : undefined,
    });
  });
}

/** d bias[o] = Σ_{n,y,x} dy[n, o, y, x], barrier-free (the generic reduction's barriers are slow on SwiftShader). */
function launchBiasGradient(dy: Tensor, g: Geometry): Tensor {
  return reduceOverChunks(g, g.o, [g.o], (params, partial, chunks) => {
    g.engine.dispatch(g.engine.kernel('conv2d_backward_filter#bias_chunks', { WORKGROUP_SIZE }), {
      uniforms: params,
      bindings: [dy.binding, partial.binding],
      workgroups: g.engine.grid(g.o * chunks, WORKGROUP_SIZE),
    });
  });
}

/**
 * 2-D cross-correlation (the deep-learning "convolution") of an NCHW input `x` with a filter `w` of shape
 * [outChannels, inChannels, kernelH, kernelW], plus optional bias and fused relu. The output is
 * [N, outChannels, ⌊(H + 2·padH − kernelH) / strideH⌋ + 1, ⌊(W + 2·padW − kernelW) / strideW⌋ + 1].
 * Gradients flow to x, w and the bias. Throws, naming the shapes, when they do not fit.
 */
export function conv2d(x: Tensor, w: Tensor, options: Conv2dOptions = {}): Tensor {
  const g = geometry(x, w, options);
  const { bias, activation = 'none', variant = x.engine.adapter.isSwiftShader ? 'blocked' : 'tiled' } = options;
  if (activation !== 'none' && activation !== 'relu') {
    throw new Error(`conv2d: unknown activation '${activation}' (use none or relu)`);
  }
  if (variant !== 'blocked' && variant !== 'tiled') throw new Error(`conv2d: unknown variant '${variant}' (use blocked or tiled)`);
  const relu = activation === 'relu';
  const out = launchForward(variant, x, w, g, bias, relu);
  const inputs = bias ? [x, w, bias] : [x, w];
  // Decided now, while the tape still says which inputs lead back to a watched tensor.
  const [needX, needW, needBias] = inputs.map(needsGradient);
  return record('conv2d', inputs, out, (dy) => {
    const dz = relu ? launchActivationGrad('relu', dy, out) : dy;
    const gradients = [needX ? launchBackwardInput(dz, w, g) : null, needW ? launchBackwardFilter(x, dz, g) : null];
    if (bias) gradients.push(needBias ? launchBiasGradient(dz, g) : null);
    if (dz !== dy) dz.dispose();
    return gradients;
  });
}
