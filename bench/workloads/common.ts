/**
 * Helpers that turn "a function from input tensors to output tensors" into an {@link Instance} for
 * blindspot and for tfjs, so each workload file holds only its definition and its math.
 */
import type { Tensor as BsTensor } from '../../src/tensor/tensor.ts';
import { tensor as bsTensor } from '../../src/tensor/ops/fill.ts';
import { tidy } from '../../src/tensor/context.ts';
import type { Engine } from '../../src/gpu/engine.ts';
import type { Array as JaxArray } from '@jax-js/jax';
import { NotAvailableError, type Instance, type JaxjsEnv, type TensorData, type TensorSet, type TfjsEnv } from '../types.ts';

type Tf = TfjsEnv['tf'];
type TfTensor = ReturnType<Tf['tensor']>;

// ------------------------------------------------------------------ blindspot

/** Upload a tensor (outside any tidy scope: the instance owns it). */
export function toBlindspot(engine: Engine, t: TensorData): BsTensor {
  return bsTensor(engine, t.data, t.shape);
}

export async function fromBlindspot(t: BsTensor): Promise<TensorData> {
  return { shape: [...t.shape], data: await t.data() };
}

/**
 * An instance whose every run computes `compute(inputs)` afresh inside a tidy scope; the outputs of the
 * last run are kept for reading and freed by the next run.
 */
export function blindspotFunction(
  engine: Engine,
  inputs: TensorSet,
  compute: (t: Record<string, BsTensor>) => Record<string, BsTensor>,
): Instance {
  const uploaded: Record<string, BsTensor> = {};
  for (const [name, t] of Object.entries(inputs)) uploaded[name] = toBlindspot(engine, t);
  let last: Record<string, BsTensor> | null = null;
  const free = () => {
    if (last) for (const t of Object.values(last)) t.dispose();
    last = null;
  };
  return {
    run() {
      free();
      last = tidy(engine, () => compute(uploaded));
    },
    async read() {
      const out: TensorSet = {};
      for (const [name, t] of Object.entries(last ?? {})) out[name] = await fromBlindspot(t);
      return out;
    },
    dispose() {
      free();
      for (const t of Object.values(uploaded)) t.dispose();
    },
  };
}

// ------------------------------------------------------------------ tfjs

export function toTfjs(tf: Tf, t: TensorData): TfTensor {
  return tf.tensor(t.data, t.shape, 'float32');
}

export async function fromTfjs(t: TfTensor): Promise<TensorData> {
  return { shape: [...t.shape], data: (await t.data()) as Float32Array };
}

/**
 * The tfjs counterpart of {@link blindspotFunction}. `inputLayout` and `outputLayout` convert between the
 * canonical layouts and tfjs's (on the CPU, outside the timed region).
 */
export function tfjsFunction(
  tf: Tf,
  inputs: TensorSet,
  compute: (t: Record<string, TfTensor>) => Record<string, TfTensor>,
  layouts: {
    input?: Partial<Record<string, (t: TensorData) => TensorData>>;
    output?: Partial<Record<string, (t: TensorData) => TensorData>>;
  } = {},
): Instance {
  const uploaded: Record<string, TfTensor> = {};
  for (const [name, t] of Object.entries(inputs)) uploaded[name] = toTfjs(tf, layouts.input?.[name]?.(t) ?? t);
  let last: Record<string, TfTensor> | null = null;
  const free = () => {
    if (last) for (const t of Object.values(last)) t.dispose();
    last = null;
  };
  return {
    run() {
      free();
      last = tf.tidy(() => compute(uploaded)) as Record<string, TfTensor>;
    },
    async read() {
      const out: TensorSet = {};
      for (const [name, t] of Object.entries(last ?? {})) {
        const data = await fromTfjs(t);
        out[name] = layouts.output?.[name]?.(data) ?? data;
      }
      return out;
    },
    dispose() {
      free();
      for (const t of Object.values(uploaded)) t.dispose();
    },
  };
}

// ------------------------------------------------------------------ jax-js

/** Upload a tensor to the contestant's device. */
export function toJaxjs(env: JaxjsEnv, t: TensorData): JaxArray {
  return env.jax.numpy.array(t.data, { shape: t.shape, device: env.device });
}

/** Read an array back without giving it up (jax-js's data() consumes the reference it is called on). */
export async function fromJaxjs(a: JaxArray): Promise<TensorData> {
  return { shape: [...a.shape], data: Float32Array.from((await a.ref.data()) as Float32Array) };
}

/** Give up one reference to every array of a tree of them. */
export function disposeJaxjs(tree: Record<string, JaxArray>): void {
  for (const a of Object.values(tree)) a.dispose();
}

/** A new reference to every array of a record (jax-js functions consume the references they are given). */
export function jaxjsRefs(tree: Record<string, JaxArray>): Record<string, JaxArray> {
  return Object.fromEntries(Object.entries(tree).map(([name, a]) => [name, a.ref]));
}

/**
 * Softmax cross-entropy of logits [batch, classes] against one-hot rows, averaged or summed over rows:
 * −Σ onehot · logSoftmax(logits), as tfjs's losses.softmaxCrossEntropy computes it.
 */
export function jaxjsCrossEntropy(jax: JaxjsEnv['jax'], logits: JaxArray, onehot: JaxArray, reduction: 'mean' | 'sum'): JaxArray {
  const perRow = onehot.mul(jax.nn.logSoftmax(logits, -1)).sum(-1).neg();
  return reduction === 'mean' ? perRow.mean() : perRow.sum();
}

/**
 * Outputs of runs that have not been waited for. jax-js is lazy, so a repetition waits for the outputs of
 * every run since the last sync (not only the last), and keeps the last run's for reading.
 */
export class JaxjsPending {
  private runs: Record<string, JaxArray>[] = [];

  constructor(private readonly jax: JaxjsEnv['jax']) {}

  add(outputs: Record<string, JaxArray>): void {
    this.runs.push(outputs);
  }

  async sync(): Promise<void> {
    for (const outputs of this.runs) await this.jax.blockUntilReady(outputs);
    for (const outputs of this.runs.slice(0, -1)) disposeJaxjs(outputs);
    this.runs = this.runs.slice(-1);
  }

  get last(): Record<string, JaxArray> {
    const last = this.runs[this.runs.length - 1];
    if (!last) throw new Error('jax-js: read before any run');
    return last;
  }

  dispose(): void {
    for (const outputs of this.runs) disposeJaxjs(outputs);
    this.runs = [];
  }
}

/**
 * The jax-js counterpart of {@link blindspotFunction}: `compute` is jit-compiled (it runs where its inputs
 * are: the contestant's device) and called with a fresh reference to every input on each run (it must follow jax-js's ownership
 * rules: an array used twice is used once through `.ref`).
 */
export function jaxjsFunction(env: JaxjsEnv, inputs: TensorSet, compute: (t: Record<string, JaxArray>) => Record<string, JaxArray>): Instance {
  const { jax } = env;
  const uploaded: Record<string, JaxArray> = {};
  for (const [name, t] of Object.entries(inputs)) uploaded[name] = toJaxjs(env, t);
  const compiled = jax.jit(compute);
  const pending = new JaxjsPending(jax);
  return {
    run() {
      pending.add(compiled(jaxjsRefs(uploaded)) as Record<string, JaxArray>);
    },
    sync: () => pending.sync(),
    async read() {
      const out: TensorSet = {};
      for (const [name, a] of Object.entries(pending.last)) out[name] = await fromJaxjs(a);
      return out;
    },
    dispose() {
      pending.dispose();
      disposeJaxjs(uploaded);
      compiled.dispose();
    },
  };
}

/**
 * The variant contestants (blindspot-blocked, blindspot-tiled) exist to compare kernel variants on the
 * kernel workloads; elsewhere they would only repeat blindspot's numbers.
 */
export function rejectVariant(env: { variant?: string }): void {
  if (env.variant) throw new NotAvailableError(`the '${env.variant}' variant contestant runs only the matmul and conv kernel workloads`);
}
