/**
 * Helpers that turn "a function from input tensors to output tensors" into an {@link Instance} for
 * blindspot and for tfjs, so each workload file holds only its definition and its math.
 */
import type { Tensor as BsTensor } from '../../src/tensor/tensor.ts';
import { tensor as bsTensor } from '../../src/tensor/ops/fill.ts';
import { tidy } from '../../src/tensor/context.ts';
import type { Engine } from '../../src/gpu/engine.ts';
import { NotAvailableError, type Instance, type TensorData, type TensorSet, type TfjsEnv } from '../types.ts';

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

/**
 * The variant contestants (blindspot-blocked, blindspot-tiled) exist to compare kernel variants on the
 * kernel workloads; elsewhere they would only repeat blindspot's numbers.
 */
export function rejectVariant(env: { variant?: string }): void {
  if (env.variant) throw new NotAvailableError(`the '${env.variant}' variant contestant runs only the matmul and conv kernel workloads`);
}
