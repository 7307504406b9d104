/**
 * The attack's inner loop: for 100 images at once, the gradient of the cross-entropy of FC100-100-10's
 * prediction against a target label with respect to the image, d CE(f(x), target) / dx. Summed over
 * images, so each row of the result is that image's own gradient.
 */
import { softmaxCrossEntropy } from '../../src/tensor/ops/softmax.ts';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { labels, oneHot, uniform } from '../data.ts';
import type { Workload } from '../types.ts';
import { blindspotFunction, jaxjsCrossEntropy, jaxjsFunction, tfjsFunction, rejectVariant } from './common.ts';
import { blindspotMlpLogits, jaxjsMlpLogits, MLP_FORWARD_FLOPS_PER_EXAMPLE, mlpParameters, tfjsMlpLogits } from './mlp.ts';

const IMAGES = 100;

export const INPUT_GRAD: Workload = {
  id: 'input-grad',
  title: 'input gradient of FC100-100-10, 100 images',
  group: 'attack',
  description:
    `f = FC100-100-10 (fixed weights); x [${IMAGES}×784] uniform in [0, 1), one target class per image; ` +
    `computes loss = Σ CE(f(x_i), t_i) and d loss / d x [${IMAGES}×784] (no parameter gradients). ` +
    `One iteration = ${IMAGES} images.`,
  iterations: 5,
  // Forward plus backward through the three layers down to the input (no weight gradients).
  flops: IMAGES * 2 * MLP_FORWARD_FLOPS_PER_EXAMPLE,
  items: { count: IMAGES, unit: 'images' },
  quick: true,
  tolerance: 1e-3,
  inputs: (seed) => ({
    ...mlpParameters(seed),
    x: uniform(seed, 'input-grad.x', [IMAGES, 784], 0, 1),
    targets: labels(seed, 'input-grad.targets', IMAGES, 10),
  }),
  implementations: {
    async blindspot(env, data) {
      rejectVariant(env);
      return blindspotFunction(env.engine, data, (t) => {
        const { value, grads } = valueAndGrads(
          env.engine,
          () => softmaxCrossEntropy(blindspotMlpLogits(t, t.x), t.targets, { reduction: 'sum' }),
          [t.x],
        );
        return { loss: value, dx: grads[0] };
      });
    },
    async tfjs(env, data) {
      const { tf } = env;
      const { targets, ...rest } = data;
      return tfjsFunction(tf, { ...rest, targets: oneHot(targets, 10) }, (t) => {
        const lossOf = (x: typeof t.x) => tf.losses.softmaxCrossEntropy(t.targets, tfjsMlpLogits(tf, t, x), undefined, undefined, tf.Reduction.SUM);
        const { value, grad } = tf.valueAndGrad(lossOf as never)(t.x as never);
        return { loss: value, dx: grad };
      });
    },
    async jaxjs(env, data) {
      const { jax } = env;
      const { targets, ...rest } = data;
      return jaxjsFunction(env, { ...rest, targets: oneHot(targets, 10) }, (t) => {
        const { x, targets: onehot, ...p } = t;
        const lossOf = (image: typeof x) => jaxjsCrossEntropy(jax, jaxjsMlpLogits(jax, p, image), onehot, 'sum');
        const [loss, dx] = jax.valueAndGrad(lossOf)(x);
        return { loss, dx };
      });
    },
  },
};
