/**
 * Matrix products with a fused epilogue, act(op(A) · op(B) + bias), and their backward rule, written
 * with matmul itself: the transposed products dZ · op(B)ᵀ and op(A)ᵀ · dZ run on the same kernels with
 * the transposition read in place, never materialized.
 */
import { needsGradient, record } from '../record.ts';
import type { Tensor } from '../tensor.ts';
import { fill } from './fill.ts';
import { launchActivationGrad, launchMatmul, type Activation, type MatmulVariant } from './matmulKernels.ts';
import { defaultMatmulVariant } from './matmulTuning.ts';
import { sum } from './reduce.ts';

export type { Activation, MatmulVariant } from './matmulKernels.ts';

export interface MatmulOptions {
  /** Use aᵀ (a is stored k×m). */
  transposeA?: boolean;
  /** Use bᵀ (b is stored n×k). */
  transposeB?: boolean;
  /** Added to every row of the product: shape [n] or [1, n]. */
  bias?: Tensor;
  /** Applied last (default 'none'). */
  activation?: Activation;
  /** Force a kernel (tests, benchmarks); by default the engine's tuned or per-adapter choice. */
  variant?: MatmulVariant;
}

/**
 * act(op(a) · op(b) + bias) for 2-D a and b, op(x) = x or xᵀ: an m×k by k×n product gives m×n.
 * Throws when the shapes do not fit, naming both. Gradients flow to a, b and the bias.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const activation = options.activation ?? 'none';
  const { bias, variant } = options;
  const out = launchMatmul(variant ?? defaultMatmulVariant(a.engine), a, b, { transposeA, transposeB, bias, activation });
  const inputs = bias ? [a, b, bias] : [a, b];
  // Decided now, while the tape still says which inputs lead back to a watched tensor.
  const [needA, needB, needBias] = inputs.map(needsGradient);
  return record('matmul', inputs, out, (dy) => {
    const dz = activation === 'none' ? dy : launchActivationGrad(activation, dy, out);
    // With Z = op(A) · op(B): d op(A) = dZ · op(B)ᵀ and d op(B) = op(A)ᵀ · dZ; a transposed operand's
    // gradient is the transpose of that, which swaps the factors instead.
    const da = !needA
      ? null
      : transposeA
        ? matmul(b, dz, { transposeA: transposeB, transposeB: true, variant })
        : matmul(dz, b, { transposeB: !transposeB, variant });
    const db = !needB
      ? null
      : transposeB
        ? matmul(dz, a, { transposeA: true, transposeB: transposeA, variant })
        : matmul(a, dz, { transposeA: !transposeA, variant });
    const gradients = [da, db];
    if (bias) gradients.push(needBias ? columnSums(dz, variant ?? defaultMatmulVariant(dz.engine)) : null);
    if (dz !== dy) dz.dispose();
    return gradients;
  });
}

/**
 * The bias gradient Σᵢ dZ[i, :], as the product 1ᵀ · dZ on the barrier-free matmul kernels: the same
 * summation, in the same f32 order, as the weight gradient op(A)ᵀ · dZ beside it. The generic reduction
 * (a workgroup per column, combined through barriers) took a third of an FC100-100-10 training step's GPU
 * time on SwiftShader, where every barrier is a coroutine switch (bench profile, mlp-step); where the
 * matmul runs the tiled kernel (GPUs) the reduction, which a GPU does well, stays.
 */
function columnSums(dz: Tensor, variant: MatmulVariant): Tensor {
  if (variant === 'tiled') return sum(dz, 0);
  const [rows, columns] = dz.shape;
  const ones = fill(dz.engine, [1, rows], 1);
  const row = launchMatmul(variant, ones, dz, { transposeA: false, transposeB: false, activation: 'none' });
  ones.dispose();
  const sums = row.reshape([columns]);
  row.dispose();
  return sums;
}

/** A dense layer, act(x · weight + bias), for x of shape [batch, in] and weight [in, out]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor, activation: Activation = 'none'): Tensor {
  return matmul(x, weight, { bias, activation });
}
