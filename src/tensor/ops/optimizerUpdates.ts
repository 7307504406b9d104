/**
 * Optimizer steps that overwrite a parameter and its state in place (shaders/sgd_momentum.wgsl,
 * shaders/adam.wgsl): one dispatch per parameter tensor, no temporaries. They are not differentiable and
 * refuse to overwrite a tensor the active gradient tape depends on; call them after `valueAndGrads`.
 */
import type { Tensor } from '../tensor.ts';
import { checkInPlace } from './inPlace.ts';

const WORKGROUP_SIZE = 64;

/** Hyperparameters of {@link sgdMomentumUpdate}. */
export interface SgdMomentumOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum μ (0 gives plain SGD). */
  momentum: number;
  /** L2 coefficient λ: adds λ·w to the gradient, i.e. (λ/2)·‖w‖² to the loss. Default 0. */
  weightDecay?: number;
}

/**
 * One SGD-with-momentum step, in place: v ← μ·v + (g + λ·w), then w ← w − lr·v. `weight`, `grad` and
 * `velocity` must have one shape; start `velocity` at zeros.
 */
export function sgdMomentumUpdate(weight: Tensor, grad: Tensor, velocity: Tensor, options: SgdMomentumOptions): void {
  checkInPlace('sgdMomentumUpdate', { weight, velocity }, { grad });
  const { lr, momentum, weightDecay = 0 } = options;
  inRange('sgdMomentumUpdate', { lr, weightDecay }, 0, Infinity);
  inRange('sgdMomentumUpdate', { momentum }, 0, 1);
  const engine = weight.engine;
  engine.dispatch(engine.kernel('sgd_momentum', { WORKGROUP_SIZE }), {
    uniforms: packParams(weight.size, [lr, momentum, weightDecay]),
    bindings: [grad.binding, weight.binding, velocity.binding],
    workgroups: engine.grid(weight.size, WORKGROUP_SIZE),
  });
}

/** Hyperparameters of {@link adamUpdate}; defaults are Kingma & Ba's. */
export interface AdamOptions {
  /** Learning rate (step size α). */
  lr: number;
  /** The 1-based index of this step, for the bias corrections 1 − β^t. */
  step: number;
  /** Decay of the first-moment average. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average. Default 0.999. */
  beta2?: number;
  /** Added to √v̂ in the denominator. Default 1e-8. */
  eps?: number;
  /** Weight-decay coefficient λ. Default 0. */
  weightDecay?: number;
  /**
   * false (default): L2 decay, λ·w is added to the gradient before the moments, as in
   * {@link sgdMomentumUpdate} (the loss gains (λ/2)·‖w‖²). true: decoupled decay (AdamW),
   * w ← w − lr·(m̂/(√v̂+ε) + λ·w).
   */
  decoupled?: boolean;
}

/**
 * One bias-corrected Adam step, in place on `weight` and the moment estimates `m` and `v` (start both at
 * zeros); see shaders/adam.wgsl for the exact formula. All four tensors must have one shape.
 */
export function adamUpdate(weight: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamOptions): void {
  checkInPlace('adamUpdate', { weight, m, v }, { grad });
  const { lr, step, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, decoupled = false } = options;
  if (!Number.isInteger(step) || step < 1) throw new Error(`adamUpdate: step must be a positive integer, got ${step}`);
  inRange('adamUpdate', { lr, eps, weightDecay }, 0, Infinity);
  // β = 1 would divide by 1 − β^t = 0 in the bias corrections.
  inRange('adamUpdate', { beta1, beta2 }, 0, 1, true);
  if (!(eps > 0)) throw new Error(`adamUpdate: eps must be positive, got ${eps}`);
  const engine = weight.engine;
  const c1 = 1 / (1 - beta1 ** step);
  const c2 = 1 / (1 - beta2 ** step);
  engine.dispatch(engine.kernel('adam', { WORKGROUP_SIZE, DECOUPLED: decoupled ? 1 : 0 }), {
    uniforms: packParams(weight.size, [lr, eps, weightDecay, beta1, 1 - beta1, beta2, 1 - beta2, c1, c2]),
    bindings: [grad.binding, weight.binding, m.binding, v.binding],
    workgroups: engine.grid(weight.size, WORKGROUP_SIZE),
  });
}

/**
 * Throw, naming the op and the option, unless every value is a finite number in [low, high] (or
 * [low, high) with `openHigh`): a NaN or infinite hyperparameter would silently fill the weights with NaN.
 */
function inRange(op: string, values: Record<string, number>, low: number, high: number, openHigh = false): void {
  for (const [name, value] of Object.entries(values)) {
    const inside = typeof value === 'number' && Number.isFinite(value) && value >= low && (openHigh ? value < high : value <= high);
    if (!inside) throw new Error(`${op}: ${name} must be a finite number in [${low}, ${high}${openHigh ? ')' : ']'}, got ${String(value)}`);
  }
}

/** The kernels' Params: the element count (u32) followed by f32 scalars, padded to 16 bytes. */
function packParams(size: number, scalars: number[]): Uint8Array {
  const bytes = new ArrayBuffer(Math.ceil((1 + scalars.length) / 4) * 16);
  new Uint32Array(bytes, 0, 1)[0] = size;
  new Float32Array(bytes, 4, scalars.length).set(scalars);
  return new Uint8Array(bytes);
}
