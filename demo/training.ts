/** Training a zoo model in the page with the page's settings (settings.ts), with progress and a stop button. */
import { nn, type Engine } from 'blindspot';
import type { PageTraining } from './settings.ts';

/** Thrown out of the progress callback to end training early; fitModel disposes the half-trained model. */
export class TrainingStopped extends Error {
  override name = 'TrainingStopped';
  constructor() {
    super('training stopped');
  }
}

/** A trained model with its errors and speed. */
export interface TrainedModel {
  model: nn.Model;
  testError: nn.Evaluation;
  trainError: nn.Evaluation;
  seconds: number;
  examplesPerSecond: number;
}

/** Training images whose error is counted after each epoch and at the end. */
const TRAIN_ERROR_IMAGES = 2000;

/** The optimizer of the supervised stage: the model's, or L-BFGS for AE400-10's softmax (settings.ts). */
export function supervisedOptimizer(spec: nn.ModelSpec, settings: PageTraining): nn.Optimizer {
  return settings.softmaxIterations ? 'lbfgs' : spec.training.optimizer;
}

/** The training of `spec` with `settings` in words: the optimizer and its settings, the autoencoder stage. */
export function describePageTraining(spec: nn.ModelSpec, settings: PageTraining): string {
  const sgd = nn.describeTraining({ ...spec.training, ...settings, epochs: settings.length }, 'sgd');
  if (settings.softmaxIterations) {
    const epochs = Math.min(settings.length, spec.frozenEncoder?.epochs ?? settings.length);
    return (
      `First the sparse autoencoder, without labels — ${nn.describeTraining({ ...spec.training, ...settings, epochs }, 'sgd')}, ` +
      `sparsity weight ${settings.sparsityWeight ?? spec.frozenEncoder?.sparsityWeight}; its encoder is then frozen ` +
      `and the softmax above it, a convex problem, solved by ${nn.describeTraining({ ...spec.training, maxIterations: settings.softmaxIterations }, 'lbfgs')} ` +
      'on the training images’ codes. So few autoencoder steps leave a code poorer than the trained zoo’s: expect a few times its test error.'
    );
  }
  return `${spec.training.optimizer === 'lbfgs' ? nn.describeTraining({ ...spec.training, maxIterations: settings.length }, 'lbfgs') : sgd}.`;
}

/**
 * Fit `spec` on the resident training set. Progress comes with each loss readback (SGD: every
 * `reportEvery` steps, where the page gets to repaint) or L-BFGS iteration; `shouldStop` is polled there.
 * @throws TrainingStopped when `shouldStop` returned true.
 */
export async function trainInPage(
  engine: Engine,
  spec: nn.ModelSpec,
  settings: PageTraining,
  trainSet: nn.GpuDataset,
  testSet: nn.GpuDataset,
  onProgress: (progress: nn.TrainProgress, stage: 'autoencoder' | 'supervised') => void,
  shouldStop: () => boolean,
): Promise<TrainedModel> {
  let stage: 'autoencoder' | 'supervised' = 'supervised';
  const trained = spec.frozenEncoder && settings.sparsityWeight !== undefined ? { ...spec, frozenEncoder: { ...spec.frozenEncoder, sparsityWeight: settings.sparsityWeight } } : spec;
  const result = await nn.fitModel(engine, trained, trainSet, testSet, {
    ...spec.training,
    optimizer: supervisedOptimizer(spec, settings),
    maxIterations: settings.softmaxIterations ?? settings.length,
    evaluateEvery: settings.evaluateEvery,
    batch: settings.batch,
    learningRate: settings.learningRate,
    warmupEpochs: settings.warmupEpochs,
    schedule: settings.schedule,
    epochs: settings.length,
    seed: 1,
    reportEvery: 10,
    evaluationLimit: settings.testImages,
    trainEvaluationLimit: TRAIN_ERROR_IMAGES,
    onStage: (s) => (stage = s),
    onProgress: (progress) => {
      if (shouldStop()) throw new TrainingStopped();
      onProgress(progress, stage);
    },
  });
  return {
    model: result.model,
    testError: result.testError,
    trainError: result.trainError,
    seconds: result.training.seconds + (result.pretraining?.seconds ?? 0),
    examplesPerSecond: result.training.examplesPerSecond,
  };
}
