/**
 * Full-batch L-BFGS training, as the paper trained its networks: the objective is the mean cross-entropy
 * over the whole training set plus Σ (λ/2)·‖W‖², with its exact gradient, minimized by our L-BFGS-B
 * without bounds. On the convex FC10 problems this finds the optimum itself, which is where the paper's
 * FC10 error rates come from; minibatch SGD with a decaying rate only wanders near it.
 *
 * The GPU computes loss and gradients over the training set in chunks (bounded memory for any set size)
 * and sums them in place; one readback per evaluation brings the gradient to the CPU, where the
 * parameter vector lives in float64 and the weight decay is added exactly.
 */
import { valueAndGrads } from '../autograd/tape.ts';
import { noGrad } from '../tensor/record.ts';
import { keep, tidy } from '../tensor/context.ts';
import { add } from '../tensor/ops/binary.ts';
import { fill } from '../tensor/ops/fill.ts';
import { sliceRows } from '../tensor/ops/slice.ts';
import { mulScalar } from '../tensor/ops/unary.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { LbfgsbSolver, type LbfgsbOptions, type LbfgsbStatus } from '../optim/lbfgsb.ts';
import type { GpuDataset } from './dataset.ts';
import { errorsDuringTraining } from './evaluate.ts';
import type { Model } from './model.ts';
import type { TrainProgress, TrainResult } from './train.ts';

export interface FullBatchOptions {
  /** L-BFGS iterations at most. */
  maxIterations: number;
  /** Train on the first N training images only (quick runs; default: all). */
  examples?: number;
  /** Training images per GPU pass (default 10 000). */
  chunk?: number;
  /** Count training and test error every this many iterations (default 10), and at the end. */
  evaluateEvery?: number;
  /** Evaluate test error on at most this many test images (default: all). */
  evaluationLimit?: number;
  /** Count training error on at most this many of the images trained on (and 10 000 at most). */
  trainEvaluationLimit?: number;
  /** Solver settings; `maxIterations` above wins over theirs. Defaults: scipy's. */
  lbfgs?: Omit<LbfgsbOptions, 'maxIterations'>;
  /** Called after every accepted iteration; `epoch` counts iterations, `epochs` is `maxIterations`. */
  onProgress?: (progress: TrainProgress) => void;
}

/** How a full-batch run ended, beside the usual training result. */
export interface FullBatchResult extends TrainResult {
  iterations: number;
  /** Passes over the training set (L-BFGS evaluations, the initial one included). */
  evaluations: number;
  status: LbfgsbStatus;
}

/**
 * Trains `model`'s trainable parameters by full-batch L-BFGS (see the module comment).
 * @throws Error, before any work, when `examples`, `chunk` or `evaluateEvery` is not a positive integer.
 */
export async function trainFullBatch(model: Model, trainSet: GpuDataset, testSet: GpuDataset | null, options: FullBatchOptions): Promise<FullBatchResult> {
  for (const name of ['examples', 'chunk', 'evaluateEvery'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) throw new Error(`full-batch L-BFGS: ${name} must be an integer ≥ 1, got ${value}`);
  }
  const engine = model.engine;
  const names = model.trainableNames();
  const parameters = names.map((n) => model.parameters.get(n)!);
  const lambdas = names.map((n) => model.lambdaOf(n));
  const offsets: number[] = [];
  let n = 0;
  for (const p of parameters) {
    offsets.push(n);
    n += p.size;
  }
  const count = Math.min(options.examples ?? trainSet.count, trainSet.count);
  const chunk = options.chunk ?? 10_000;
  const evaluateEvery = options.evaluateEvery ?? 10;

  const upload = (x: Float64Array) => {
    // Queue writes run before any batch not yet submitted: submit what may still read the parameters.
    engine.flush();
    parameters.forEach((p, k) => engine.writeBuffer(p.buffer, Float32Array.from(x.subarray(offsets[k], offsets[k] + p.size))));
  };

  /** f(x) and ∇f(x) over the whole training set, x being the trainable parameters laid end to end. */
  const objective = async (x: Float64Array): Promise<{ f: number; g: Float64Array }> => {
    upload(x);
    let sums: Tensor[] = keepAll([fill(engine, [], 0), ...parameters.map((p) => fill(engine, p.shape, 0))]);
    for (const { start, size, frozenOutput } of chunks) {
      const next = tidy(engine, () => {
        const inputs = frozenOutput ?? sliceRows(trainSet.images, start, size);
        const labels = sliceRows(trainSet.labels, start, size);
        const { value, grads } = valueAndGrads(engine, () => model.loss(inputs, labels, frozen), parameters);
        return noGrad(engine, () => [value, ...grads].map((t, k) => add(sums[k], mulScalar(t, size / count))));
      });
      for (const t of sums) t.dispose();
      sums = keepAll(next);
    }
    const [loss, ...grads] = await Promise.all(sums.map((t) => t.data()));
    for (const t of sums) t.dispose();
    let f = loss[0];
    const g = new Float64Array(n);
    parameters.forEach((_, k) => {
      const o = offsets[k];
      for (let i = 0; i < grads[k].length; i++) {
        const w = x[o + i];
        g[o + i] = grads[k][i] + lambdas[k] * w;
        f += 0.5 * lambdas[k] * w * w;
      }
    });
    return { f, g };
  };

  const x0 = new Float64Array(n);
  await Promise.all(parameters.map(async (p, k) => x0.set(await p.data(), offsets[k])));
  const solver = new LbfgsbSolver(x0, null, null, { ...options.lbfgs, maxIterations: options.maxIterations });
  const history: TrainResult['history'] = [];
  const started = performance.now();
  const report = async (done: boolean) => {
    const due = done || solver.iterations % evaluateEvery === 0;
    const { trainError, testError } = due
      ? await errorsDuringTraining(model, trainSet, testSet, {
          train: Math.min(count, options.trainEvaluationLimit ?? count),
          test: options.evaluationLimit,
        })
      : {};
    history.push({ epoch: solver.iterations, loss: solver.f, trainError, testError });
    options.onProgress?.({
      epoch: solver.iterations,
      epochs: options.maxIterations,
      step: 1,
      stepsPerEpoch: 1,
      loss: solver.f,
      examplesPerSecond: (solver.evaluations * count) / ((performance.now() - started) / 1000),
      trainError,
      testError,
      done: true,
    });
  };

  // The training set in chunks. Layers that training does not change (a frozen encoder) give every pass the
  // same outputs: those are computed once, here, and each evaluation runs only the layers it trains.
  const frozen = model.frozenLayers;
  const chunks: { start: number; size: number; frozenOutput: Tensor | null }[] = [];
  try {
    for (let start = 0; start < count; start += chunk) {
      const size = Math.min(chunk, count - start);
      const frozenOutput = frozen > 0 ? keep(noGrad(engine, () => tidy(engine, () => model.outputBefore(frozen, sliceRows(trainSet.images, start, size))))) : null;
      chunks.push({ start, size, frozenOutput });
    }
    for (let point = solver.pending(); point !== null; point = solver.pending()) {
      const iterationsBefore = solver.iterations;
      const { f, g } = await objective(point);
      solver.tell(f, g);
      if (solver.iterations > iterationsBefore && solver.status === 'running') {
        // An iteration is accepted on the tell of its last trial, so the model holds the accepted point.
        await report(false);
      }
    }
  } finally {
    for (const c of chunks) c.frozenOutput?.dispose();
  }
  const result = solver.result();
  if (result.status === 'non-finite') throw new Error(`full-batch L-BFGS: the loss became ${result.f} after ${result.iterations} iterations`);
  // The last evaluated point may be a rejected line-search trial: the model takes the accepted minimizer.
  upload(result.x);
  await report(true);
  const seconds = (performance.now() - started) / 1000;
  return {
    epochs: result.evaluations,
    finalLoss: result.f,
    seconds,
    examplesPerSecond: (result.evaluations * count) / seconds,
    history,
    iterations: result.iterations,
    evaluations: result.evaluations,
    status: result.status,
  };
}

function keepAll(tensors: Tensor[]): Tensor[] {
  return tensors.map((t) => keep(t));
}
