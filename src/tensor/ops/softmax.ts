/**
 * Softmax and log-softmax over the last axis, and the fused softmax cross-entropy that the classifiers
 * train on and the attack minimizes (shaders/softmax.wgsl). All are numerically stable for any finite
 * logits: rows are shifted by their maximum before exponentiating.
 */
import type { Binding } from '../../gpu/engine.ts';
import { needsGradient, record } from '../record.ts';
import { Tensor, checkOperands, sameShape, type Shape } from '../tensor.ts';
import { launchBinary } from './binary.ts';
import { mean, sum } from './reduce.ts';

const WORKGROUP_SIZE = 64;

type Entry = 'main' | 'backward' | 'cross_entropy';

/** One invocation per row of `classes` elements (see the kernel's header for each entry's bindings). */
function launchRows(
  entry: Entry,
  constants: Record<string, number>,
  rows: number,
  classes: number,
  scale: number,
  tensors: Tensor[],
  extra: Binding[] = [],
): void {
  const engine = tensors[0].engine;
  const uniforms = new ArrayBuffer(16);
  new Uint32Array(uniforms, 0, 2).set([rows, classes]);
  new Float32Array(uniforms, 8, 1)[0] = scale;
  engine.dispatch(engine.kernel(entry === 'main' ? 'softmax' : `softmax#${entry}`, { WORKGROUP_SIZE, ...constants }), {
    uniforms: new Uint8Array(uniforms),
    bindings: [...tensors.map((t) => t.binding), ...extra],
    workgroups: engine.grid(rows, WORKGROUP_SIZE),
  });
}

/** Rows and classes of `shape` viewed as [rows, last axis]. */
function rowsOf(op: string, shape: Shape): { rows: number; classes: number } {
  if (shape.length === 0) throw new Error(`${op}: needs at least one axis, got a scalar`);
  const classes = shape[shape.length - 1];
  if (classes < 1) throw new Error(`${op}: the last axis of [${shape}] is empty`);
  return { rows: shape.slice(0, -1).reduce((p, d) => p * d, 1), classes };
}

function softmaxFamily(op: 'softmax' | 'logSoftmax', x: Tensor): Tensor {
  checkOperands(op, { x });
  const { rows, classes } = rowsOf(op, x.shape);
  const LOG = op === 'logSoftmax' ? 1 : 0;
  const y = Tensor.empty(x.engine, x.shape);
  launchRows('main', { LOG }, rows, classes, 1, [x, y]);
  // Both backward rules need only the saved output, so x itself is not kept alive for them.
  return record(op, [x], y, (dy) => {
    const dx = Tensor.empty(x.engine, x.shape);
    launchRows('backward', { LOG }, rows, classes, 1, [y, dy, dx]);
    return [dx];
  });
}

/** exp(x − max) / Σ exp(x − max) over the last axis. */
export function softmax(x: Tensor): Tensor {
  return softmaxFamily('softmax', x);
}

/** x − max − log Σ exp(x − max) over the last axis: log-probabilities that stay finite for any logits. */
export function logSoftmax(x: Tensor): Tensor {
  return softmaxFamily('logSoftmax', x);
}

/** How the per-row cross-entropies are combined. */
export type LossReduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** 'mean' (default) over rows, 'sum', or 'none' for one loss per row (rows as separate problems). */
  reduction?: LossReduction;
}

/**
 * Cross-entropy of softmax(logits) against `labels`, in one pass per row that also stores
 * dlogits = softmax − target for the backward rule, which only scales it by the upstream gradient (per
 * row for `reduction: 'none'`, so each row of a batched attack gets the gradient of its own loss).
 *
 * - `logits`: [rows, classes], rows ≥ 1, classes ≥ 1.
 * - `labels`: class indices as f32, shape [rows]; or target weights (one-hot, soft labels), shape
 *   [rows, classes], where the loss is −Σ t·log p and the gradient p·Σt − t. Labels get no gradient.
 *
 * Labels live on the GPU, so a class index that is not an integer in [0, classes) is found by the kernel:
 * that row's loss and gradient are NaN (and so is a 'mean' or 'sum' loss), and the next readback or
 * `engine.sync()` throws a `KernelArgumentError` naming the first such row (e.g. "softmaxCrossEntropy:
 * labels[5] is not an integer class index in [0, 10)"). {@link validateLabels} checks labels on the spot,
 * with a readback of its own.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  const op = 'softmaxCrossEntropy';
  checkOperands(op, { logits, labels });
  if (logits.rank !== 2) throw new Error(`${op}: logits must be [rows, classes], got [${logits.shape}]`);
  const [rows, classes] = logits.shape;
  if (rows < 1 || classes < 1) throw new Error(`${op}: logits of shape [${logits.shape}] have no rows or no classes`);
  const dense = sameShape(labels.shape, logits.shape);
  if (!dense && !sameShape(labels.shape, [rows])) {
    throw new Error(`${op}: labels must be class indices [${rows}] or targets [${rows}, ${classes}], got [${labels.shape}]`);
  }
  if (!['mean', 'sum', 'none'].includes(reduction)) throw new Error(`${op}: unknown reduction '${reduction}'`);

  const engine = logits.engine;
  const perRow = Tensor.empty(engine, [rows]);
  const dlogits = Tensor.empty(engine, logits.shape);
  const scale = reduction === 'mean' ? 1 / rows : 1;
  const labelCheck = engine.argumentCheck({ op, subject: 'labels', problem: `is not an integer class index in [0, ${classes})` });
  launchRows('cross_entropy', { DENSE_TARGETS: dense ? 1 : 0 }, rows, classes, scale, [logits, labels, perRow, dlogits], [labelCheck]);

  let loss = perRow;
  if (reduction !== 'none') {
    // The rows' losses were computed outside the tape, so these reductions record nothing.
    loss = reduction === 'mean' ? mean(perRow) : sum(perRow);
    perRow.dispose();
  }
  if (!needsGradient(logits)) {
    dlogits.dispose();
    return loss;
  }
  return record(op, [logits, labels], loss, (dy) => {
    const upstream = reduction === 'none' ? dy.reshape([rows, 1]) : dy;
    const gradient = launchBinary('mul', dlogits, upstream);
    if (upstream !== dy) upstream.dispose();
    return [gradient, null];
  });
}

/**
 * Throw if any of `labels` is not an integer class index in [0, classes), naming the first bad row.
 * Reads the labels back, so use it where a sync is acceptable (after loading data, in tests).
 */
export async function validateLabels(labels: Tensor, classes: number): Promise<void> {
  if (!(Number.isSafeInteger(classes) && classes >= 1)) throw new Error(`validateLabels: classes must be a positive integer, got ${classes}`);
  const values = await labels.data();
  const bad = values.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < classes));
  if (bad >= 0) {
    throw new Error(`labels: element ${bad} is ${values[bad]}, not a class index in [0, ${classes})`);
  }
}
