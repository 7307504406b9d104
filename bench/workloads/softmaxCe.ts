/**
 * Softmax cross-entropy, value and gradient with respect to the logits, at the MNIST training shape
 * (batch 128, 10 classes). Tiny: it measures dispatch and synchronization overhead as much as arithmetic,
 * which is exactly what it costs inside a training step.
 */
import { softmaxCrossEntropy } from '../../src/tensor/ops/softmax.ts';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { labels, oneHot, uniform } from '../data.ts';
import type { Workload } from '../types.ts';
import { blindspotFunction, jaxjsCrossEntropy, jaxjsFunction, tfjsFunction, rejectVariant } from './common.ts';

const BATCH = 128;
const CLASSES = 10;

export const SOFTMAX_CE: Workload = {
  id: 'softmax-ce',
  title: 'softmax cross-entropy + gradient, 128×10',
  group: 'kernel',
  description:
    `loss = mean over ${BATCH} rows of −log softmax(logits)[label], and d loss / d logits; logits [${BATCH}×${CLASSES}] ` +
    `uniform in [-3, 3), labels uniform classes (blindspot takes class indices, tfjs one-hot rows).`,
  iterations: 20,
  items: { count: BATCH, unit: 'examples' },
  quick: true,
  tolerance: 1e-4,
  inputs: (seed) => ({
    logits: uniform(seed, 'softmax.logits', [BATCH, CLASSES], -3, 3),
    labels: labels(seed, 'softmax.labels', BATCH, CLASSES),
  }),
  implementations: {
    async blindspot(env, data) {
      rejectVariant(env);
      return blindspotFunction(env.engine, data, (t) => {
        const { value, grads } = valueAndGrads(
          env.engine,
          () => softmaxCrossEntropy(t.logits, t.labels, { reduction: 'mean' }),
          [t.logits],
        );
        return { loss: value, dlogits: grads[0] };
      });
    },
    async tfjs(env, data) {
      const { tf } = env;
      const upload = { logits: data.logits, onehot: oneHot(data.labels, CLASSES) };
      return tfjsFunction(tf, upload, (t) => {
        const lossOf = (logits: typeof t.logits) => tf.losses.softmaxCrossEntropy(t.onehot, logits);
        const { value, grad } = tf.valueAndGrad(lossOf as never)(t.logits as never);
        return { loss: value, dlogits: grad };
      });
    },
    async jaxjs(env, data) {
      const { jax } = env;
      const upload = { logits: data.logits, onehot: oneHot(data.labels, CLASSES) };
      return jaxjsFunction(env, upload, (t) => {
        const [loss, dlogits] = jax.valueAndGrad((logits: typeof t.logits) => jaxjsCrossEntropy(jax, logits, t.onehot, 'mean'))(t.logits);
        return { loss, dlogits };
      });
    },
  },
};
