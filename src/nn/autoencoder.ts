/**
 * AE400-10's first stage: a sparse autoencoder 784→400→784 with sigmoid units, trained on images alone
 * (no labels). Its loss is the mean squared reconstruction error (halved), plus a KL sparsity penalty
 * β·Σ_j KL(ρ ‖ ρ̂_j) on the mean activation ρ̂_j of each hidden unit over the minibatch; weight decay on
 * both matrices is applied by the optimizer. The decoder is thrown away and the encoder frozen.
 */
import type { Engine } from '../gpu/engine.ts';
import { add, div, sub } from '../tensor/ops/binary.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { matmul } from '../tensor/ops/matmul.ts';
import { mean, sum } from '../tensor/ops/reduce.ts';
import { addScalar, log, mulScalar, square } from '../tensor/ops/unary.ts';
import { constantScalar } from '../tensor/constants.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { initialWeights } from './init.ts';
import type { Model } from './model.ts';
import { MNIST_PIXELS } from '../data/idx.ts';

export interface SparseAutoencoderOptions {
  sparsityTarget: number;
  sparsityWeight: number;
  lambda: number;
}

/** Decoder parameters (encoder ones are the model's layer 0) for the autoencoder stage. */
export function createDecoder(engine: Engine, hidden: number, seed: number): { weight: Tensor; bias: Tensor } {
  const spec = { kind: 'dense', inputs: hidden, outputs: MNIST_PIXELS, activation: 'sigmoid', lambda: 0 } as const;
  return {
    weight: tensor(engine, initialWeights(spec, 99, seed), [hidden, MNIST_PIXELS]),
    bias: tensor(engine, new Float32Array(MNIST_PIXELS), [MNIST_PIXELS]),
  };
}

/** The autoencoder loss of a minibatch of images [batch, 784]. */
export function sparseAutoencoderLoss(
  model: Model,
  decoder: { weight: Tensor; bias: Tensor },
  images: Tensor,
  options: SparseAutoencoderOptions,
): Tensor {
  const engine = model.engine;
  const encoderWeight = model.parameters.get('layer0.weight')!;
  const encoderBias = model.parameters.get('layer0.bias')!;
  const hidden = matmul(images, encoderWeight, { bias: encoderBias, activation: 'sigmoid' });
  const reconstruction = matmul(hidden, decoder.weight, { bias: decoder.bias, activation: 'sigmoid' });
  // ½·Σ_pixels (x̂ − x)², averaged over the batch.
  const batch = images.shape[0];
  const squaredError = mulScalar(sum(square(sub(reconstruction, images))), 0.5 / batch);
  // KL(ρ‖ρ̂) = ρ·log(ρ/ρ̂) + (1−ρ)·log((1−ρ)/(1−ρ̂)), with ρ̂ clamped away from 0 and 1 by ε.
  const rho = options.sparsityTarget;
  const rhoHat = addScalar(mulScalar(mean(hidden, 0), 1 - 2e-6), 1e-6);
  const oneMinusRhoHat = sub(constantScalar(engine, 1), rhoHat);
  const kl = add(
    mulScalar(log(div(constantScalar(engine, rho), rhoHat)), rho),
    mulScalar(log(div(constantScalar(engine, 1 - rho), oneMinusRhoHat)), 1 - rho),
  );
  return add(squaredError, mulScalar(sum(kl), options.sparsityWeight));
}

