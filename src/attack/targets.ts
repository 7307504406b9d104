/** Which wrong label each attacked image is pushed towards. */
import { createRng, deriveSeed } from '../util/random.ts';
import { MNIST_CLASSES } from '../data/idx.ts';

/**
 * - `random`: one seeded uniformly random wrong label per image (what the paper's numbers match);
 * - `all`: all nine wrong labels, the attack keeps the minimum distortion over them;
 * - `explicit`: the caller gives the targets.
 */
export type TargetMode = { kind: 'random'; seed: number } | { kind: 'all' } | { kind: 'explicit'; targets: ArrayLike<number> };

/** Targets per image: an array of label lists (one list per image). */
export function chooseTargets(labels: ArrayLike<number>, mode: TargetMode, classes = MNIST_CLASSES): number[][] {
  if (mode.kind === 'explicit') {
    if (mode.targets.length !== labels.length) {
      throw new Error(`attack: ${mode.targets.length} explicit targets for ${labels.length} images`);
    }
    return Array.from({ length: labels.length }, (_, i) => {
      const target = mode.targets[i];
      if (!Number.isInteger(target) || target < 0 || target >= classes) {
        throw new Error(`attack: target ${target} of image ${i} is not a class in 0..${classes - 1}`);
      }
      if (target === labels[i]) throw new Error(`attack: the target of image ${i} equals its true label ${target}; a target must be a wrong label`);
      return [target];
    });
  }
  if (mode.kind === 'all') {
    return Array.from({ length: labels.length }, (_, i) => Array.from({ length: classes }, (_, k) => k).filter((k) => k !== labels[i]));
  }
  const rng = createRng(deriveSeed(mode.seed, 'attack targets'));
  return Array.from({ length: labels.length }, (_, i) => {
    const offset = 1 + rng.int(classes - 1);
    return [(labels[i] + offset) % classes];
  });
}
