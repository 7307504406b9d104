/**
 * FC100-100-10, the paper's network the attack targets: 784 → 100 → 100 → 10, sigmoid hidden units,
 * softmax output. Weights [inputs, outputs] as in blindspot's checkpoints, Glorot-uniform, biases zero.
 * Shared by the training-step and the input-gradient workloads.
 */
import type { Tensor as BsTensor } from '../../src/tensor/tensor.ts';
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { glorot } from '../data.ts';
import type { Array as JaxArray } from '@jax-js/jax';
import type { JaxjsEnv, TensorSet, TfjsEnv } from '../types.ts';

type Tf = TfjsEnv['tf'];
type TfTensor = ReturnType<Tf['tensor']>;

export const MLP_SIZES = [784, 100, 100, 10];

/** Forward FLOPs per example (multiply-adds of the three products, ×2). */
export const MLP_FORWARD_FLOPS_PER_EXAMPLE = 2 * (784 * 100 + 100 * 100 + 100 * 10);

export function mlpParameters(seed: number): TensorSet {
  const params: TensorSet = {};
  for (let i = 0; i < 3; i++) {
    const [inputs, outputs] = [MLP_SIZES[i], MLP_SIZES[i + 1]];
    const weight = glorot(seed, `mlp.layer${i}.weight`, [inputs, outputs], inputs, outputs);
    params[`layer${i}.weight`] = weight;
    params[`layer${i}.bias`] = { shape: [outputs], data: new Float32Array(outputs) };
  }
  return params;
}

/** Logits with blindspot's fused matmul + bias + activation (as src/nn/model.ts builds them). */
export function blindspotMlpLogits(p: Record<string, BsTensor>, x: BsTensor): BsTensor {
  let h = x;
  for (let i = 0; i < 3; i++) {
    h = matmul(h, p[`layer${i}.weight`], { bias: p[`layer${i}.bias`], activation: i < 2 ? 'sigmoid' : 'none' });
  }
  return h;
}

/**
 * Logits in tfjs: fused matmul + bias (tfjs cannot differentiate a fused sigmoid, so the activation is a
 * separate op, as tfjs-layers does it).
 */
export function tfjsMlpLogits(tf: Tf, p: Record<string, TfTensor>, x: TfTensor): TfTensor {
  let h = x;
  for (let i = 0; i < 3; i++) {
    h = tf.fused.matMul({ a: h as never, b: p[`layer${i}.weight`] as never, bias: p[`layer${i}.bias`] });
    if (i < 2) h = tf.sigmoid(h);
  }
  return h;
}

/** Logits in jax-js: matmul, bias and sigmoid as separate ops, which jit fuses as it sees fit. */
export function jaxjsMlpLogits(jax: JaxjsEnv['jax'], p: Record<string, JaxArray>, x: JaxArray): JaxArray {
  let h = x;
  for (let i = 0; i < 3; i++) {
    h = jax.numpy.matmul(h, p[`layer${i}.weight`]).add(p[`layer${i}.bias`]);
    if (i < 2) h = jax.nn.sigmoid(h);
  }
  return h;
}
