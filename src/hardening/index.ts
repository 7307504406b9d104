/**
 * The `hardening` namespace of the public API: training on blind spots (adversarial pools per layer) and
 * its controls (Gaussian noise, dropout), through the nn layer's SGD loop.
 */
export {
  hardenModel,
  mixedLoss,
  checkHardeningMode,
  describeMode,
  ADVERSARIAL_DEFAULTS,
  type HardeningMode,
  type AdversarialMode,
  type NoiseMode,
  type DropoutMode,
  type HardenOptions,
  type HardenResult,
  type HardeningProgress,
  type HeldOutAdversarial,
} from './harden.ts';
export { AdversarialPool, type PoolLayer, type PoolSearch, type PoolStats } from './pool.ts';
