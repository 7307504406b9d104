/**
 * Random tensors from a counter-based generator (Philox4x32-10, shaders/philox.wgsl). Element e of a draw
 * with seed s at stream offset p is a pure function of (s, p + e): no generator state lives anywhere, the
 * elements are computed in parallel, and the same seed gives the same tensor (bit for bit for uniforms on
 * every adapter; normals agree across adapters to the accuracy of their log/sin/cos, ~1e-3 at worst).
 * Uniform and normal draws with one seed read the same words, so use different seeds (or offsets) for
 * numbers that must be independent.
 */
import { needsGradient, record } from '../record.ts';
import type { Engine } from '../../gpu/engine.ts';
import { Tensor, checkOperands, checkShape, shapeSize, type Shape } from '../tensor.ts';
import { tidy } from '../context.ts';
import { greater, mul } from './binary.ts';
import { fill } from './fill.ts';
import { addScalar, mulScalar } from './unary.ts';

const WORKGROUP_SIZE = 64;
const TWO_POW_32 = 2 ** 32;

/** Where a draw starts in the generator's space. */
export interface RandomOptions {
  /** The generator's key: an integer in [0, 2⁵³). */
  seed: number;
  /**
   * Stream position of the first element, an integer in [0, 2⁵³) (default 0): a draw of n elements at
   * offset k equals elements k .. k+n−1 of a longer draw at offset 0.
   */
  offset?: number;
}

/** Options of {@link randomUniform}. */
export interface UniformOptions extends RandomOptions {
  /** Default 0. */
  low?: number;
  /** Default 1. */
  high?: number;
}

/** Options of {@link randomNormal}. */
export interface NormalOptions extends RandomOptions {
  /** Default 0. */
  mean?: number;
  /** Standard deviation; default 1. */
  std?: number;
}

/** Options of {@link gaussianNoise}. */
export interface NoiseOptions {
  /** Stream position of the first element (see {@link RandomOptions.offset}). */
  offset?: number;
  /** Clamp the result to [lo, hi] (e.g. [0, 1] for pixels); such noise has no gradient. */
  clipTo?: readonly [number, number];
}

/**
 * Uniform samples low + (high − low)·u, u on the 2⁻²⁴ grid of [0, 1): exactly that grid for the default
 * [0, 1); for other ranges f32 rounding can return `high` itself.
 */
export function randomUniform(engine: Engine, shape: Shape, options: UniformOptions): Tensor {
  const { low = 0, high = 1 } = options;
  finiteOption('randomUniform', 'low', low);
  finiteOption('randomUniform', 'high', high);
  if (!(low <= high)) throw new Error(`randomUniform: low ${low} exceeds high ${high}`);
  return draw(engine, shape, options, 'randomUniform', 0, low, high - low);
}

/** Normal samples mean + std·z with z standard normal (Box–Muller; |z| < 5.77). */
export function randomNormal(engine: Engine, shape: Shape, options: NormalOptions): Tensor {
  const { mean = 0, std = 1 } = options;
  finiteOption('randomNormal', 'mean', mean);
  if (!(finiteOption('randomNormal', 'std', std) >= 0)) throw new Error(`randomNormal: std must be non-negative, got ${std}`);
  return draw(engine, shape, options, 'randomNormal', 1, mean, std);
}

/**
 * x + σ·z per element, z the standard normals of {@link randomNormal} with the same seed and offset (so
 * `gaussianNoise(x, σ, s)` equals `x + randomNormal(shape, { seed: s, std: σ })` up to rounding). Unclipped
 * noise passes gradients to x unchanged; with `clipTo` the result is clamped and has no gradient.
 */
export function gaussianNoise(x: Tensor, sigma: number, seed: number, options: NoiseOptions = {}): Tensor {
  checkOperands('gaussianNoise', { x });
  if (!(finiteOption('gaussianNoise', 'sigma', sigma) >= 0)) throw new Error(`gaussianNoise: sigma must be non-negative, got ${sigma}`);
  const { clipTo } = options;
  if (clipTo && !(clipTo[0] <= clipTo[1])) throw new Error(`gaussianNoise: empty clip range [${clipTo}]`);
  if (clipTo && needsGradient(x)) {
    throw new Error('gaussianNoise: clipped noise has no gradient; clip separately if one is needed');
  }
  const engine = x.engine;
  const [lo, hi] = clipTo ?? [0, 0];
  const { uniforms, invocations } = streamParams('gaussianNoise', seed, options.offset ?? 0, x.size, [0, sigma, lo, hi]);
  const out = Tensor.empty(engine, x.shape, 'gaussianNoise');
  engine.dispatch(engine.kernel('philox#noise', { WORKGROUP_SIZE, CLIP: clipTo ? 1 : 0 }), {
    uniforms,
    bindings: [x.binding, out.binding],
    workgroups: engine.grid(invocations, WORKGROUP_SIZE),
  });
  return record('gaussianNoise', [x], out, (dy) => [dy.reshape(x.shape)]);
}

/**
 * The raw Philox4x32-10 output for `blocks` consecutive counters starting at `counter` (a 128-bit integer,
 * least significant word first) under `key`: four words per block, read back to the CPU. For the
 * known-answer tests of the kernel and for debugging; tensors come from the functions above.
 */
export async function philoxWords(
  engine: Engine,
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
  blocks: number,
): Promise<Uint32Array> {
  if (!Number.isInteger(blocks) || blocks < 0) {
    throw new Error(`philoxWords: blocks must be a non-negative integer, got ${blocks}`);
  }
  const words = [...counter, ...key];
  if (words.length !== 6 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
    throw new Error(`philoxWords: counter (4 words) and key (2 words) must hold integers in [0, 2^32), got [${counter}] and [${key}]`);
  }
  const buffer = engine.acquireBuffer(Math.max(16, blocks * 16));
  try {
    engine.dispatch(engine.kernel('philox#bits', { WORKGROUP_SIZE }), {
      uniforms: packParams(counter, key, blocks, 0, [0, 0, 0, 0]),
      bindings: [{ buffer, size: Math.max(16, blocks * 16) }],
      workgroups: engine.grid(blocks, WORKGROUP_SIZE),
    });
    return new Uint32Array(await engine.read(buffer, blocks * 16));
  } finally {
    engine.releaseBuffer(buffer);
  }
}

function draw(
  engine: Engine,
  shape: Shape,
  options: RandomOptions,
  op: string,
  normal: 0 | 1,
  offset: number,
  scale: number,
): Tensor {
  checkShape(op, shape);
  const { uniforms, invocations } = streamParams(op, options.seed, options.offset ?? 0, shapeSize(shape), [offset, scale, 0, 0]);
  const out = Tensor.empty(engine, shape, op);
  engine.dispatch(engine.kernel('philox', { WORKGROUP_SIZE, NORMAL: normal }), {
    uniforms,
    bindings: [out.binding],
    workgroups: engine.grid(invocations, WORKGROUP_SIZE),
  });
  return out;
}

/**
 * The kernel's Params for `size` elements drawn from stream position `position` under `seed`, and the
 * number of invocations (blocks of four positions) that covers them.
 */
function streamParams(op: string, seed: number, position: number, size: number, scalars: readonly number[]) {
  for (const [name, value] of [['seed', seed], ['offset', position]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`${op}: ${name} must be an integer in [0, 2^53), got ${value}`);
    }
  }
  const shift = position % 4;
  const uniforms = packParams([...words64(Math.floor(position / 4)), 0, 0], words64(seed), size, shift, scalars);
  return { uniforms, invocations: Math.ceil((size + shift) / 4) };
}

/** Params of shaders/philox.wgsl: counter (4 words), key (2), size, shift, then offset, scale, lo, hi (f32). */
function packParams(counter: readonly number[], key: readonly number[], size: number, shift: number, scalars: readonly number[]): Uint8Array {
  const bytes = new ArrayBuffer(48);
  new Uint32Array(bytes, 0, 8).set([...counter, ...key, size, shift]);
  new Float32Array(bytes, 32, 4).set(scalars);
  return new Uint8Array(bytes);
}

/** `value` if it is a finite number; otherwise an error naming the op and the option. */
function finiteOption(op: string, name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${op}: ${name} must be a finite number, got ${String(value)}`);
  return value;
}

/** A non-negative integer below 2⁵³ as [low word, high word]. */
function words64(value: number): [number, number] {
  return [value % TWO_POW_32, Math.floor(value / TWO_POW_32)];
}

/**
 * Inverted dropout for training: element e of x is kept, and scaled by 1/(1 − rate), when the uniform
 * draw of `seed` at position e is at least `rate` (so the same seed drops the same elements, and a draw
 * with `randomUniform` shows which); otherwise it is 0. Written with other ops, so its gradient is dy
 * times the same mask and scale. `rate` 0 returns x unchanged.
 */
export function dropout(x: Tensor, rate: number, seed: number): Tensor {
  checkOperands('dropout', { x });
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  const engine = x.engine;
  const kept = tidy(engine, () => {
    const u = randomUniform(engine, x.shape, { seed });
    // u ≥ rate, as 1 − (rate > u): greater is the only comparison op.
    return addScalar(mulScalar(greater(fill(engine, [], rate), u), -1), 1);
  });
  const out = mulScalar(mul(x, kept), 1 / (1 - rate));
  // The mask outlives this call only when the backward pass needs it; valueAndGrads frees it then.
  if (!needsGradient(x)) kept.dispose();
  return out;
}
