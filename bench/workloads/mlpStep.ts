/** One SGD-with-momentum step of FC100-100-10 on a batch of 128, as in the paper's training. */
import { softmaxCrossEntropy } from '../../src/tensor/ops/softmax.ts';
import { labels, oneHot, uniform } from '../data.ts';
import { jaxjsCrossEntropy, rejectVariant } from './common.ts';
import type { Workload } from '../types.ts';
import { blindspotMlpLogits, jaxjsMlpLogits, MLP_FORWARD_FLOPS_PER_EXAMPLE, mlpParameters, tfjsMlpLogits } from './mlp.ts';
import { blindspotTrainingStep, jaxjsTrainingStep, tfjsTrainingStep } from './training.ts';

const BATCH = 128;
const HYPER = { lr: 0.5, momentum: 0.9 };

export const MLP_STEP: Workload = {
  id: 'mlp-step',
  title: 'FC100-100-10 training step, batch 128',
  group: 'training',
  description:
    `One step of minibatch SGD with momentum (lr ${HYPER.lr}, μ ${HYPER.momentum}, no weight decay) on ` +
    `784-100-100-10 with sigmoid hidden units and mean softmax cross-entropy, batch ${BATCH} (pixels uniform ` +
    `in [0, 1), random labels): forward, backward to all six parameters, update. The gate compares the ` +
    `loss and every parameter's update after one step from the same weights.`,
  iterations: 5,
  // Forward + two products per layer backward (the first layer's input gradient is not needed).
  flops: BATCH * (3 * MLP_FORWARD_FLOPS_PER_EXAMPLE - 2 * 784 * 100),
  items: { count: BATCH, unit: 'examples' },
  quick: true,
  tolerance: 1e-3,
  inputs: (seed) => ({
    ...mlpParameters(seed),
    x: uniform(seed, 'mlp-step.x', [BATCH, 784], 0, 1),
    labels: labels(seed, 'mlp-step.labels', BATCH, 10),
  }),
  implementations: {
    async blindspot(env, data) {
      rejectVariant(env);
      const { x, labels: y, ...params } = data;
      return blindspotTrainingStep(
        env,
        params,
        { x, y },
        (p, b) => softmaxCrossEntropy(blindspotMlpLogits(p, b.x), b.y, { reduction: 'mean' }),
        HYPER,
      );
    },
    async tfjs(env, data) {
      const { tf } = env;
      const { x, labels: y, ...params } = data;
      return tfjsTrainingStep(
        env,
        params,
        { x, y: oneHot(y, 10) },
        (p, b) => tf.losses.softmaxCrossEntropy(b.y, tfjsMlpLogits(tf, p, b.x)),
        HYPER,
      );
    },
    async jaxjs(env, data) {
      const { jax } = env;
      const { x, labels: y, ...params } = data;
      return jaxjsTrainingStep(env, params, { x, y: oneHot(y, 10) }, (p, b) => jaxjsCrossEntropy(jax, jaxjsMlpLogits(jax, p, b.x), b.y, 'mean'), HYPER);
    },
  },
};
