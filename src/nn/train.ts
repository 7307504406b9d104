/**
 * Minibatch SGD with momentum, entirely on the GPU: minibatches are gathered from the resident dataset,
 * forward, backward and the fused update (with weight decay) run without readback; only the running loss
 * is read back, every `reportEvery` steps, and the training and test error counts once per epoch.
 */
import { valueAndGrads } from '../autograd/tape.ts';
import { noGrad } from '../tensor/record.ts';
import { keep, tidy } from '../tensor/context.ts';
import { add } from '../tensor/ops/binary.ts';
import { fill, tensor } from '../tensor/ops/fill.ts';
import { gatherRows } from '../tensor/ops/gather.ts';
import { sgdMomentumUpdate } from '../tensor/ops/optimizerUpdates.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { createRng, deriveSeed, permutation } from '../util/random.ts';
import type { GpuDataset } from './dataset.ts';
import { errorsDuringTraining } from './evaluate.ts';
import { learningRateAt, type LearningRateSchedule } from './learningRate.ts';
import type { Model } from './model.ts';

export interface TrainOptions {
  epochs: number;
  batch: number;
  learningRate: number;
  momentum: number;
  seed: number;
  /** How the learning rate falls over the epochs (default: ×0.9 after every epoch). */
  schedule?: LearningRateSchedule;
  /** Ramp the learning rate up linearly from a tenth over this many epochs (default 0). */
  warmupEpochs?: number;
  /** Train on only the first N examples of each shuffled epoch (quick runs). */
  examplesPerEpoch?: number;
  /** Stop early after two epochs in a row whose mean loss improves by less than this fraction (default 1e-3). */
  minImprovement?: number;
  /** Read the running loss back every this many steps (default 50). */
  reportEvery?: number;
  /** Evaluate test error on at most this many test images (default: all). */
  evaluationLimit?: number;
  /** Count training error on at most this many training images (default: all; at most 10 000 each epoch). */
  trainEvaluationLimit?: number;
  /** Called after each loss readback and each epoch (and awaited, so it may read the GPU). */
  onProgress?: (progress: TrainProgress) => unknown;
  /** The tensors to update and their weight decay λ (default: the model's trainable parameters). */
  parameters?: TrainedParameter[];
  /**
   * The loss to minimize for one minibatch (default: the model's mean cross-entropy); `step` counts the
   * steps of the run from 0. The sparse autoencoder and adversarial training supply their own.
   */
  loss?: (images: Tensor, labels: Tensor, step: number) => Tensor;
  /** Awaited before every step (adversarial training refreshes its pools here), with the step's number. */
  beforeStep?: (step: number) => Promise<void> | void;
}

export interface TrainedParameter {
  tensor: Tensor;
  /** Weight decay: the update adds λ·w to the gradient, i.e. (λ/2)·‖w‖² in the loss. */
  lambda: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Mean minibatch loss since the last report. */
  loss: number;
  examplesPerSecond: number;
  trainError?: number;
  testError?: number;
  done?: boolean;
}

/** " train error 1.23% test error 2.34%", or "" before the first evaluation, for progress lines. */
export function describeErrors(progress: TrainProgress): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    (progress.trainError !== undefined ? ` train error ${pct(progress.trainError)}` : '') +
    (progress.testError !== undefined ? ` test error ${pct(progress.testError)}` : '')
  );
}

export interface TrainResult {
  epochs: number;
  finalLoss: number;
  seconds: number;
  examplesPerSecond: number;
  history: { epoch: number; loss: number; trainError?: number; testError?: number }[];
}

/**
 * Checks SGD options before any work, against the examples they will train on: every count a positive
 * integer, every rate finite, and at least one step per epoch. The message names the option and the
 * accepted range.
 */
export function checkTrainOptions(options: Pick<TrainOptions, 'epochs' | 'batch' | 'learningRate' | 'momentum'> & Partial<TrainOptions>, examples: number): void {
  const integer = (name: string, value: number | undefined, min: number) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) throw new Error(`training: ${name} must be an integer ≥ ${min}, got ${value}`);
  };
  integer('epochs', options.epochs, 1);
  integer('batch', options.batch, 1);
  integer('examplesPerEpoch', options.examplesPerEpoch, 1);
  integer('warmupEpochs', options.warmupEpochs, 0);
  integer('reportEvery', options.reportEvery, 1);
  integer('seed', options.seed, 0);
  if (!(options.learningRate > 0) || !Number.isFinite(options.learningRate)) throw new Error(`training: learningRate must be a finite number > 0, got ${options.learningRate}`);
  if (!(options.momentum >= 0 && options.momentum < 1)) throw new Error(`training: momentum must be in [0, 1), got ${options.momentum}`);
  const perEpoch = Math.min(options.examplesPerEpoch ?? examples, examples);
  if (perEpoch < options.batch) {
    throw new Error(`training: batch ${options.batch} is larger than the ${perEpoch} examples per epoch, so no step would run; lower --batch or train on more examples`);
  }
}

export async function train(model: Model, trainSet: GpuDataset, testSet: GpuDataset | null, options: TrainOptions): Promise<TrainResult> {
  checkTrainOptions(options, trainSet.count);
  const engine = model.engine;
  const trained =
    options.parameters ?? model.trainableNames().map((n) => ({ tensor: model.parameters.get(n)!, lambda: model.lambdaOf(n) }));
  const parameters = trained.map((p) => p.tensor);
  const velocities = parameters.map((p) => keep(fill(engine, p.shape, 0)));
  const rng = createRng(deriveSeed(options.seed, 'minibatch order'));
  const perEpoch = Math.min(options.examplesPerEpoch ?? trainSet.count, trainSet.count);
  const stepsPerEpoch = Math.floor(perEpoch / options.batch);
  const reportEvery = options.reportEvery ?? 50;
  const lossFn = options.loss ?? ((images: Tensor, labels: Tensor) => model.loss(images, labels));
  const history: TrainResult['history'] = [];
  const started = performance.now();
  const rates = {
    learningRate: options.learningRate,
    schedule: options.schedule ?? { kind: 'exponential', decayPerEpoch: 0.9 },
    epochs: options.epochs,
    warmupEpochs: options.warmupEpochs ?? 0,
  } as const;
  let examples = 0;
  let previousEpochLoss = Infinity;
  let stalledEpochs = 0;
  let finalLoss = NaN;
  let epochsRun = 0;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = permutation(trainSet.count, rng);
      let running: Tensor = keep(fill(engine, [], 0));
      let runningSteps = 0;
      let epochLossSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        const globalStep = (epoch - 1) * stepsPerEpoch + step;
        await options.beforeStep?.(globalStep);
        const stepRate = learningRateAt(rates, epoch - 1 + step / stepsPerEpoch);
        const indices = tensor(engine, order.subarray(step * options.batch, (step + 1) * options.batch));
        const nextRunning = tidy(engine, () => {
          const images = gatherRows(trainSet.images, indices);
          const labels = gatherRows(trainSet.labels, indices);
          const { value, grads } = valueAndGrads(engine, () => lossFn(images, labels, globalStep), parameters);
          noGrad(engine, () =>
            parameters.forEach((p, k) =>
              sgdMomentumUpdate(p, grads[k], velocities[k], {
                lr: stepRate,
                momentum: options.momentum,
                weightDecay: trained[k].lambda,
              }),
            ),
          );
          return add(running, value);
        });
        indices.dispose();
        running.dispose();
        running = keep(nextRunning);
        runningSteps++;
        examples += options.batch;
        if (runningSteps === reportEvery || step === stepsPerEpoch - 1) {
          const loss = (await running.item()) / runningSteps;
          if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at epoch ${epoch}, step ${step + 1}; lower the learning rate`);
          epochLossSum += loss * runningSteps;
          finalLoss = loss;
          running.dispose();
          running = keep(fill(engine, [], 0));
          runningSteps = 0;
          await options.onProgress?.({
            epoch,
            epochs: options.epochs,
            step: step + 1,
            stepsPerEpoch,
            loss,
            examplesPerSecond: examples / ((performance.now() - started) / 1000),
          });
        }
      }
      running.dispose();
      epochsRun = epoch;
      const epochLoss = epochLossSum / stepsPerEpoch;
      const { trainError, testError } = await errorsDuringTraining(model, trainSet, testSet, {
        train: options.trainEvaluationLimit,
        test: options.evaluationLimit,
      });
      history.push({ epoch, loss: epochLoss, trainError, testError });
      await options.onProgress?.({
        epoch,
        epochs: options.epochs,
        step: stepsPerEpoch,
        stepsPerEpoch,
        loss: epochLoss,
        examplesPerSecond: examples / ((performance.now() - started) / 1000),
        trainError,
        testError,
        done: true,
      });
      const improvement = (previousEpochLoss - epochLoss) / Math.abs(previousEpochLoss);
      // Two stalled epochs in a row, so one noisy epoch does not end training.
      stalledEpochs = improvement < (options.minImprovement ?? 1e-3) ? stalledEpochs + 1 : 0;
      if (stalledEpochs >= 2) break;
      previousEpochLoss = epochLoss;
    }
  } finally {
    for (const v of velocities) v.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return { epochs: epochsRun, finalLoss, seconds, examplesPerSecond: examples / seconds, history };
}
