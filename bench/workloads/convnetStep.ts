/**
 * One SGD-with-momentum step of the project's small convnet (src/nn/zoo.ts 'convnet') at batch 64:
 * conv 5×5×16 → ReLU → max-pool 2 → conv 5×5×32 → ReLU → max-pool 2 → dense 512→100 ReLU → dense 100→10,
 * mean softmax cross-entropy.
 *
 * tfjs runs NHWC (its native layout) with HWIO filters; flattening NHWC orders the 512 features as
 * (y, x, c) instead of (c, y, x), so the first dense layer's rows are permuted to match (a free,
 * one-time permutation instead of a transpose per step), and permuted back when the gate reads them.
 */
import { conv2d } from '../../src/tensor/ops/conv.ts';
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { maxPool2d } from '../../src/tensor/ops/pool.ts';
import { softmaxCrossEntropy } from '../../src/tensor/ops/softmax.ts';
import { glorot, hwioToOihw, labels, oihwToHwio, oneHot, transpose, uniform } from '../data.ts';
import { jaxjsCrossEntropy, rejectVariant } from './common.ts';
import type { TensorData, TensorSet, Workload } from '../types.ts';
import { blindspotTrainingStep, jaxjsTrainingStep, tfjsTrainingStep, type Layout } from './training.ts';

const BATCH = 64;
const HYPER = { lr: 0.05, momentum: 0.9 };

const FLOPS = (() => {
  const conv1 = 2 * BATCH * 16 * 24 * 24 * 1 * 25;
  const conv2 = 2 * BATCH * 32 * 8 * 8 * 16 * 25;
  const dense1 = 2 * BATCH * 512 * 100;
  const dense2 = 2 * BATCH * 100 * 10;
  // Forward; backward: weight gradients everywhere, input gradients everywhere but the first layer.
  return conv1 + conv2 + dense1 + dense2 + (conv1 + 2 * conv2 + 2 * dense1 + 2 * dense2);
})();

function parameters(seed: number): TensorSet {
  const conv = (name: string, o: number, i: number) => ({
    [`${name}.weight`]: glorot(seed, `convnet.${name}`, [o, i, 5, 5], i * 25, o * 25),
    [`${name}.bias`]: { shape: [o], data: new Float32Array(o) },
  });
  const dense = (name: string, i: number, o: number) => ({
    [`${name}.weight`]: glorot(seed, `convnet.${name}`, [i, o], i, o),
    [`${name}.bias`]: { shape: [o], data: new Float32Array(o) },
  });
  return { ...conv('layer0', 16, 1), ...conv('layer2', 32, 16), ...dense('layer4', 512, 100), ...dense('layer5', 100, 10) };
}

/** Rows of the first dense layer: (c, y, x) order [32·4·4] ↔ (y, x, c) order. */
const denseRows: Layout = {
  toTfjs: (t: TensorData) => reshape(transpose(reshape(t, [32, 16, 100]), [1, 0, 2]), [512, 100]),
  fromTfjs: (t: TensorData) => reshape(transpose(reshape(t, [16, 32, 100]), [1, 0, 2]), [512, 100]),
};
const filters: Layout = { toTfjs: oihwToHwio, fromTfjs: hwioToOihw };
const reshape = (t: TensorData, shape: number[]): TensorData => ({ shape, data: t.data });

export const CONVNET_STEP: Workload = {
  id: 'convnet-step',
  title: 'small convnet training step, batch 64',
  group: 'training',
  description:
    `One step of SGD with momentum (lr ${HYPER.lr}, μ ${HYPER.momentum}, no weight decay) on the zoo's convnet ` +
    `(28×28×1 → conv 5×5×16 valid, ReLU, max-pool 2 → conv 5×5×32 valid, ReLU, max-pool 2 → 512 → 100 ReLU → 10), ` +
    `mean softmax cross-entropy, batch ${BATCH}: forward, backward to all eight parameters, update. ` +
    `FLOPs ≈ ${(FLOPS / 1e6).toFixed(0)} M per step.`,
  iterations: 1,
  flops: FLOPS,
  items: { count: BATCH, unit: 'examples' },
  quick: true,
  tolerance: 1e-3,
  inputs: (seed) => ({
    ...parameters(seed),
    x: uniform(seed, 'convnet.x', [BATCH, 1, 28, 28], 0, 1),
    labels: labels(seed, 'convnet.labels', BATCH, 10),
  }),
  implementations: {
    async blindspot(env, data) {
      rejectVariant(env);
      const { x, labels: y, ...params } = data;
      return blindspotTrainingStep(
        env,
        params,
        { x, y },
        (p, b) => {
          let h = conv2d(b.x, p['layer0.weight'], { padding: 0, bias: p['layer0.bias'], activation: 'relu' });
          h = maxPool2d(h, { size: 2 });
          h = conv2d(h, p['layer2.weight'], { padding: 0, bias: p['layer2.bias'], activation: 'relu' });
          h = maxPool2d(h, { size: 2 });
          h = matmul(h.reshape([BATCH, 512]), p['layer4.weight'], { bias: p['layer4.bias'], activation: 'relu' });
          h = matmul(h, p['layer5.weight'], { bias: p['layer5.bias'] });
          return softmaxCrossEntropy(h, b.y, { reduction: 'mean' });
        },
        HYPER,
      );
    },
    async tfjs(env, data) {
      const { tf } = env;
      const { x, labels: y, ...params } = data;
      return tfjsTrainingStep(
        env,
        params,
        { x: reshape(x, [BATCH, 28, 28, 1]), y: oneHot(y, 10) },
        (p, b) => {
          const conv = (h: typeof b.x, layer: string) =>
            tf.fused.conv2d({
              x: h as never,
              filter: p[`${layer}.weight`] as never,
              strides: 1,
              pad: 'valid',
              bias: p[`${layer}.bias`],
              activation: 'relu',
            });
          let h: typeof b.x = tf.maxPool(conv(b.x, 'layer0') as never, 2, 2, 'valid');
          h = tf.maxPool(conv(h, 'layer2') as never, 2, 2, 'valid');
          let z = tf.fused.matMul({
            a: h.reshape([BATCH, 512]) as never,
            b: p['layer4.weight'] as never,
            bias: p['layer4.bias'],
            activation: 'relu',
          });
          z = tf.fused.matMul({ a: z, b: p['layer5.weight'] as never, bias: p['layer5.bias'] });
          return tf.losses.softmaxCrossEntropy(b.y, z);
        },
        HYPER,
        { 'layer0.weight': filters, 'layer2.weight': filters, 'layer4.weight': denseRows },
      );
    },
    async jaxjs(env, data) {
      const { jax } = env;
      const np = jax.numpy;
      const { x, labels: y, ...params } = data;
      return jaxjsTrainingStep(
        env,
        params,
        { x, y: oneHot(y, 10) },
        (p, b) => {
          // NCHW throughout, as blindspot: flattening keeps the (c, y, x) order of the dense layer's rows.
          const conv = (h: typeof b.x, layer: string) => {
            const out = jax.lax.conv(h, p[`${layer}.weight`], [1, 1], 'VALID');
            const channels = out.shape[1];
            return jax.nn.relu(out.add(p[`${layer}.bias`].reshape([1, channels, 1, 1])));
          };
          // Max-pool 2×2, stride 2, on even extents: the maximum over the two window axes of a reshape.
          const pool = (h: typeof b.x) => {
            const [n, c, height, width] = h.shape;
            return h.reshape([n, c, height / 2, 2, width / 2, 2]).max([3, 5]);
          };
          let h = pool(conv(b.x, 'layer0'));
          h = pool(conv(h, 'layer2')).reshape([BATCH, 512]);
          h = jax.nn.relu(np.matmul(h, p['layer4.weight']).add(p['layer4.bias']));
          h = np.matmul(h, p['layer5.weight']).add(p['layer5.bias']);
          return jaxjsCrossEntropy(jax, h, b.y, 'mean');
        },
        HYPER,
      );
    },
  },
};
