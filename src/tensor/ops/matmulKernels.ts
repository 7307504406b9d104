/**
 * Launches of the matmul kernels — shaders/matmul_blocked.wgsl (register blocks, no barriers: CPU
 * adapters), shaders/matmul_subgroup.wgsl (the same, with the loads of op(A) shared across a subgroup of 4)
 * and shaders/matmul_tiled.wgsl (workgroup-memory tiles: GPUs) — and of shaders/activation_grad.wgsl, the
 * derivative of the fused activation. The differentiable op is in matmul.ts; which kernel runs by default
 * is decided in matmulTuning.ts.
 */
import type { Binding, Engine } from '../../gpu/engine.ts';
import type { DispatchCost } from '../../gpu/profiler.ts';
import { Tensor, checkOperands } from '../tensor.ts';

/** The matmul kernels; see the headers of `shaders/matmul_<variant>.wgsl`. */
export type MatmulVariant = 'blocked' | 'tiled' | 'subgroup';

export const MATMUL_VARIANTS: readonly MatmulVariant[] = ['blocked', 'tiled', 'subgroup'];

/** The variants `engine` can run: 'subgroup' needs the adapter's 'subgroups' feature. */
export function availableMatmulVariants(engine: Engine): MatmulVariant[] {
  return MATMUL_VARIANTS.filter((v) => v !== 'subgroup' || engine.device.features.has('subgroups'));
}

/** Activation fused into matmul's epilogue, applied after the bias. */
export type Activation = 'none' | 'relu' | 'sigmoid' | 'tanh';

const ACTIVATIONS: Record<Activation, number> = { none: 0, relu: 1, sigmoid: 2, tanh: 3 };

/** Output rows and columns per invocation of the blocked kernel (its register block is 4×4). */
const BLOCK = 4;
/** Workgroup of the blocked kernel (invocations along columns × rows); on SwiftShader every shape measured alike. */
const BLOCKED_WORKGROUP = { WG_X: 8, WG_Y: 8 };
/** Output rows and columns per workgroup of the tiled kernel (16×16 invocations of 4×4 each). */
const TILE = 64;
/** Output rows and columns per workgroup of the subgroup kernel (4 lanes of 16×4 each). */
const SUBGROUP_TILE = 16;
const ELEMENTWISE_WORKGROUP = 64;

/** What one matmul launch computes: act(op(a) · op(b) + bias). */
export interface MatmulLaunch {
  transposeA: boolean;
  transposeB: boolean;
  bias?: Tensor;
  activation: Activation;
}

/** op(a) is m×k and op(b) is k×n; throws an error naming both shapes when they do not fit. */
export function matmulShape(a: Tensor, b: Tensor, launch: MatmulLaunch): { m: number; k: number; n: number } {
  const describe = () =>
    `a [${a.shape}]${launch.transposeA ? 'ᵀ' : ''} · b [${b.shape}]${launch.transposeB ? 'ᵀ' : ''}`;
  checkOperands('matmul', { a, b, bias: launch.bias });
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`matmul: ${describe()}: both operands must be 2-D`);
  const [m, k] = launch.transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = launch.transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) throw new Error(`matmul: ${describe()}: inner dimensions ${k} and ${kb} differ`);
  const bias = launch.bias;
  if (bias && !(bias.size === n && (bias.rank === 1 || (bias.rank === 2 && bias.shape[0] === 1)))) {
    throw new Error(`matmul: ${describe()}: bias of shape [${bias.shape}] is not a row of the ${n} output columns`);
  }
  if (!(launch.activation in ACTIVATIONS)) {
    throw new Error(`matmul: unknown activation '${launch.activation}' (use ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  return { m, k, n };
}

/** act(op(a) · op(b) + bias) with the given kernel variant; no gradient is recorded. */
export function launchMatmul(variant: MatmulVariant, a: Tensor, b: Tensor, launch: MatmulLaunch): Tensor {
  if (!MATMUL_VARIANTS.includes(variant)) throw new Error(`matmul: unknown variant '${variant}' (use ${MATMUL_VARIANTS.join(', ')})`);
  const { m, k, n } = matmulShape(a, b, launch);
  const engine = a.engine;
  if (!availableMatmulVariants(engine).includes(variant)) {
    throw new Error(`matmul: the '${variant}' variant needs the adapter feature 'subgroups', which this adapter does not offer`);
  }
  const out = Tensor.empty(engine, [m, n]);
  const uniforms = new Uint32Array([
    m,
    n,
    k,
    Number(launch.bias !== undefined),
    ACTIVATIONS[launch.activation],
    Number(launch.transposeA),
    Number(launch.transposeB),
    0,
  ]);
  // The kernels declare the bias binding either way; without a bias it is never read, so any buffer does.
  const bias = (launch.bias ?? a).binding;
  const cost = engine.profiling ? matmulCost(m, k, n, launch) : undefined;
  if (variant === 'tiled') {
    engine.dispatch(engine.kernel('matmul_tiled'), {
      uniforms,
      bindings: [a.binding, b.binding, bias, out.binding],
      workgroups: [Math.ceil(n / TILE), Math.ceil(m / TILE)],
      cost,
    });
    return out;
  }
  // Each operand's contiguous extent: a run of 4 along it is vec4-aligned when it is a multiple of 4.
  const contiguousA = launch.transposeA ? m : k;
  const contiguousB = launch.transposeB ? k : n;
  const layout = {
    TRANSPOSE_A: Number(launch.transposeA),
    TRANSPOSE_B: Number(launch.transposeB),
    VEC_A: Number(contiguousA % 4 === 0),
    VEC_B: Number(contiguousB % 4 === 0),
  };
  const bindings = [a.binding, vec4View(a), b.binding, vec4View(b), bias, out.binding];
  if (variant === 'subgroup') {
    engine.dispatch(engine.kernel('matmul_subgroup', layout), {
      uniforms,
      bindings,
      workgroups: [Math.ceil(n / SUBGROUP_TILE), Math.ceil(m / SUBGROUP_TILE)],
      cost,
    });
  } else {
    engine.dispatch(engine.kernel('matmul_blocked', { ...BLOCKED_WORKGROUP, ...layout }), {
      uniforms,
      bindings,
      workgroups: [Math.ceil(n / BLOCK / BLOCKED_WORKGROUP.WG_X), Math.ceil(m / BLOCK / BLOCKED_WORKGROUP.WG_Y)],
      cost,
    });
  }
  return out;
}

/** FLOPs (2mkn, plus the bias) and the bytes of both operands, the bias and the output, once each. */
function matmulCost(m: number, k: number, n: number, launch: MatmulLaunch): DispatchCost {
  const op = (name: string, transposed: boolean, rows: number, cols: number) => `${name}${transposed ? 'ᵀ' : ''}[${rows}×${cols}]`;
  const epilogue = `${launch.bias ? ' + bias' : ''}${launch.activation === 'none' ? '' : `, ${launch.activation}`}`;
  return {
    flops: 2 * m * k * n + (launch.bias ? m * n : 0),
    bytes: 4 * (m * k + k * n + m * n + (launch.bias ? n : 0)),
    shape: `${op('A', launch.transposeA, m, k)} · ${op('B', launch.transposeB, k, n)}${epilogue}`,
  };
}

/**
 * The vec4 view of an operand for the blocked and subgroup kernels. A kernel reads it only when the
 * operand's contiguous extent is a multiple of 4, and then the tensor is whole vec4s; otherwise it is bound
 * but unread, and its size is rounded up to whole vec4s (at least one), which pool buffers (multiples of
 * 64 bytes) hold.
 */
function vec4View(t: Tensor): Binding {
  const size = Math.max(16, Math.ceil(t.size / 4) * 16);
  if (size > t.buffer.size) {
    throw new Error(`matmul: the buffer of tensor [${t.shape}] is ${t.buffer.size} bytes, too small for a vec4 view of ${size}`);
  }
  return { buffer: t.buffer, size };
}

/** dy · act'(y), the gradient through the fused activation from its output y. */
export function launchActivationGrad(activation: Exclude<Activation, 'none'>, dy: Tensor, y: Tensor): Tensor {
  const engine = y.engine;
  const out = Tensor.empty(engine, y.shape);
  engine.dispatch(
    engine.kernel('activation_grad', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP, ACTIVATION: ACTIVATIONS[activation] }),
    {
      uniforms: new Uint32Array([y.size, 0, 0, 0]),
      bindings: [dy.binding, y.binding, out.binding],
      workgroups: engine.grid(y.size, ELEMENTWISE_WORKGROUP),
    },
  );
  return out;
}
