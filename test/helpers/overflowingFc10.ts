/**
 * A softmax regression (FC10) whose answers are known on five images, two of which overflow its logits:
 * images 0–2 light pixel 10+k, which votes for class 3, 4 and 6 (labels 3, 4, 5: two right, one wrong);
 * image 3 lights pixels 0 and 1, whose weights overflow class 2 to +Infinity (label 2, so argmax of the
 * infinite row would call it right); image 4 lights pixels 2 and 3, which overflow class 7 to −Infinity
 * (label 0, which argmax of the otherwise zero row also picks). Honest counting: 3 errors of 5, 2 of them
 * with non-finite logits; argmax alone: 1 error.
 */
import { MNIST_CLASSES, MNIST_PIXELS } from '../../src/data/idx.ts';

/** The largest f32: two of them overflow a sum. */
const HUGE = 3.4028234663852886e38;

export function overflowingFc10() {
  const weight = new Float32Array(MNIST_PIXELS * MNIST_CLASSES);
  const vote = (pixel: number, cls: number, value: number) => (weight[pixel * MNIST_CLASSES + cls] = value);
  vote(10, 3, 5);
  vote(11, 4, 5);
  vote(12, 6, 5);
  vote(0, 2, HUGE);
  vote(1, 2, HUGE);
  vote(2, 7, -HUGE);
  vote(3, 7, -HUGE);
  const lit = [[10], [11], [12], [0, 1], [2, 3]];
  const images = new Float32Array(lit.length * MNIST_PIXELS);
  lit.forEach((pixels, k) => pixels.forEach((p) => (images[k * MNIST_PIXELS + p] = 1)));
  return {
    model: 'FC10(1e-4)',
    tensors: {
      'layer0.weight': { shape: [MNIST_PIXELS, MNIST_CLASSES], data: weight },
      'layer0.bias': { shape: [MNIST_CLASSES], data: new Float32Array(MNIST_CLASSES) },
    },
    images,
    labels: Int32Array.of(3, 4, 5, 2, 0),
    count: lit.length,
  };
}
