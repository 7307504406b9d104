/**
 * Train one zoo model from scratch: the supervised stage for every model, preceded for AE400-10 by the
 * unsupervised sparse-autoencoder stage whose encoder is then frozen (as the paper describes it).
 */
import type { Engine } from '../gpu/engine.ts';
import type { GpuDataset } from './dataset.ts';
import { evaluate, type Evaluation } from './evaluate.ts';
import { Model } from './model.ts';
import { createDecoder, sparseAutoencoderLoss } from './autoencoder.ts';
import { trainFullBatch, type FullBatchResult } from './fullBatch.ts';
import { train, type TrainOptions, type TrainResult } from './train.ts';
import type { ModelSpec, Optimizer } from './zoo.ts';

export interface FitResult {
  model: Model;
  /** The supervised stage; a {@link FullBatchResult} when it ran L-BFGS. */
  training: TrainResult | FullBatchResult;
  /** The autoencoder stage of AE400-10. */
  pretraining?: TrainResult;
  trainError: Evaluation;
  testError: Evaluation;
}

export type FitOptions = Omit<TrainOptions, 'parameters' | 'loss'> & {
  /** The supervised stage's optimizer (default 'sgd'; the autoencoder stage always uses SGD). */
  optimizer?: Optimizer;
  /** L-BFGS iterations at most (optimizer 'lbfgs'; default 300). */
  maxIterations?: number;
  /** Optimizer 'lbfgs': count training and test error every this many iterations (default 10), and at the end. */
  evaluateEvery?: number;
  onStage?: (stage: 'autoencoder' | 'supervised') => void;
};

/** Epochs of AE400-10's autoencoder stage: its own number, capped by the run's (quick runs stay quick). */
export function autoencoderEpochs(spec: ModelSpec, epochs: number): number {
  return Math.min(epochs, spec.frozenEncoder?.epochs ?? 0);
}

export async function fitModel(engine: Engine, spec: ModelSpec, trainSet: GpuDataset, testSet: GpuDataset, options: FitOptions): Promise<FitResult> {
  const model = Model.create(engine, spec, options.seed);
  try {
    let pretraining: TrainResult | undefined;
    if (spec.frozenEncoder) {
      options.onStage?.('autoencoder');
      const ae = spec.frozenEncoder;
      const decoder = createDecoder(engine, ae.hidden, options.seed);
      try {
        pretraining = await train(model, trainSet, null, {
          ...options,
          epochs: autoencoderEpochs(spec, options.epochs),
          parameters: [
            { tensor: model.parameters.get('layer0.weight')!, lambda: ae.lambda },
            { tensor: model.parameters.get('layer0.bias')!, lambda: 0 },
            { tensor: decoder.weight, lambda: ae.lambda },
            { tensor: decoder.bias, lambda: 0 },
          ],
          loss: (images) => sparseAutoencoderLoss(model, decoder, images, ae),
        });
      } finally {
        decoder.weight.dispose();
        decoder.bias.dispose();
      }
    }
    options.onStage?.('supervised');
    const training =
      options.optimizer === 'lbfgs'
        ? await trainFullBatch(model, trainSet, testSet, {
            maxIterations: options.maxIterations ?? 300,
            examples: options.examplesPerEpoch,
            evaluateEvery: options.evaluateEvery,
            evaluationLimit: options.evaluationLimit,
            trainEvaluationLimit: options.trainEvaluationLimit,
            onProgress: options.onProgress,
          })
        : await train(model, trainSet, testSet, options);
    const trainError = await evaluate(model, trainSet, { limit: options.trainEvaluationLimit });
    const testError = await evaluate(model, testSet, { limit: options.evaluationLimit });
    return { model, training, pretraining, trainError, testError };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
