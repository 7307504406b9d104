/**
 * One training step (forward, backward, SGD with momentum) as an {@link Instance}, for blindspot and tfjs.
 * A step mutates the parameters, so the correctness gate reads what the first step did: the loss before
 * it and every parameter's update (after − before). Later steps keep training the same batch; timing does
 * not care.
 *
 * Update rule for both: v ← μ·v + g; p ← p − lr·v (no weight decay): tf.train.momentum's rule, and
 * blindspot's fused sgdMomentumUpdate (one dispatch per parameter, as src/nn/train.ts uses it).
 */
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { noGrad } from '../../src/tensor/record.ts';
import { tidy } from '../../src/tensor/context.ts';
import { fill } from '../../src/tensor/ops/fill.ts';
import { sgdMomentumUpdate } from '../../src/tensor/ops/optimizerUpdates.ts';
import type { Tensor as BsTensor } from '../../src/tensor/tensor.ts';
import type { Array as JaxArray } from '@jax-js/jax';
import { difference, zerosLike } from '../data.ts';
import type { BlindspotEnv, Instance, JaxjsEnv, TensorData, TensorSet, TfjsEnv } from '../types.ts';
import { disposeJaxjs, fromBlindspot, fromJaxjs, fromTfjs, JaxjsPending, jaxjsRefs, toBlindspot, toJaxjs, toTfjs } from './common.ts';

type Tf = TfjsEnv['tf'];
type TfTensor = ReturnType<Tf['tensor']>;

export interface Hyper {
  lr: number;
  momentum: number;
}

export async function blindspotTrainingStep(
  env: BlindspotEnv,
  params: TensorSet,
  batch: TensorSet,
  loss: (p: Record<string, BsTensor>, b: Record<string, BsTensor>) => BsTensor,
  hyper: Hyper,
): Promise<Instance> {
  const { engine } = env;
  const names = Object.keys(params);
  const p: Record<string, BsTensor> = {};
  const v: Record<string, BsTensor> = {};
  for (const name of names) {
    p[name] = toBlindspot(engine, params[name]);
    v[name] = fill(engine, params[name].shape, 0);
  }
  const b: Record<string, BsTensor> = {};
  for (const [name, t] of Object.entries(batch)) b[name] = toBlindspot(engine, t);
  let lastLoss: BsTensor | null = null;

  const step = (): BsTensor =>
    tidy(engine, () => {
      const list = names.map((n) => p[n]);
      const { value, grads } = valueAndGrads(engine, () => loss(p, b), list);
      noGrad(engine, () => {
        names.forEach((name, k) =>
          sgdMomentumUpdate(p[name], grads[k], v[name], { lr: hyper.lr, momentum: hyper.momentum, weightDecay: 0 }),
        );
      });
      return value;
    });

  return {
    run() {
      lastLoss?.dispose();
      lastLoss = step();
    },
    async read() {
      const out: TensorSet = { loss: await fromBlindspot(lastLoss!) };
      for (const name of names) out[`${name} update`] = difference(await fromBlindspot(p[name]), params[name]);
      return out;
    },
    dispose() {
      lastLoss?.dispose();
      for (const t of [...Object.values(p), ...Object.values(v), ...Object.values(b)]) t.dispose();
    },
  };
}

/** Conversions of one parameter between the canonical layout and the one the tfjs model uses. */
export interface Layout {
  toTfjs(t: TensorData): TensorData;
  fromTfjs(t: TensorData): TensorData;
}

export async function tfjsTrainingStep(
  env: TfjsEnv,
  params: TensorSet,
  batch: Record<string, TensorData>,
  loss: (p: Record<string, TfTensor>, b: Record<string, TfTensor>) => TfTensor,
  hyper: Hyper,
  layouts: Partial<Record<string, Layout>> = {},
): Promise<Instance> {
  const { tf } = env;
  const names = Object.keys(params);
  const variables: Record<string, ReturnType<Tf['variable']>> = {};
  for (const name of names) {
    const layout = layouts[name];
    variables[name] = tf.variable(toTfjs(tf, layout ? layout.toTfjs(params[name]) : params[name]), true, `${name}-${Math.random()}`);
  }
  const b: Record<string, TfTensor> = {};
  for (const [name, t] of Object.entries(batch)) b[name] = toTfjs(tf, t);
  const optimizer = tf.train.momentum(hyper.lr, hyper.momentum);
  const list = names.map((n) => variables[n]);
  let lastLoss: TfTensor | null = null;
  return {
    run() {
      lastLoss?.dispose();
      lastLoss = optimizer.minimize(() => loss(variables as Record<string, TfTensor>, b) as never, true, list) as TfTensor;
    },
    async read() {
      const out: TensorSet = { loss: await fromTfjs(lastLoss!) };
      for (const name of names) {
        const now = await fromTfjs(variables[name]);
        const canonical = layouts[name]?.fromTfjs(now) ?? now;
        out[`${name} update`] = difference(canonical, params[name]);
      }
      return out;
    },
    dispose() {
      lastLoss?.dispose();
      optimizer.dispose();
      for (const t of [...Object.values(variables), ...Object.values(b)]) t.dispose();
    },
  };
}

/**
 * The step in jax-js, jit-compiled whole (value and gradient, then the update), as a JAX user writes it.
 * Parameters are in the canonical layouts (jax-js convolves NCHW with OIHW filters).
 */
export async function jaxjsTrainingStep(
  env: JaxjsEnv,
  params: TensorSet,
  batch: TensorSet,
  loss: (p: Record<string, JaxArray>, b: Record<string, JaxArray>) => JaxArray,
  hyper: Hyper,
): Promise<Instance> {
  const { jax } = env;
  const names = Object.keys(params);
  let p: Record<string, JaxArray> = {};
  let v: Record<string, JaxArray> = {};
  for (const name of names) {
    p[name] = toJaxjs(env, params[name]);
    v[name] = toJaxjs(env, zerosLike(params[name]));
  }
  const b: Record<string, JaxArray> = {};
  for (const [name, t] of Object.entries(batch)) b[name] = toJaxjs(env, t);
  const step = jax.jit((p: Record<string, JaxArray>, v: Record<string, JaxArray>, b: Record<string, JaxArray>) => {
    const [value, grads] = jax.valueAndGrad(loss)(jaxjsRefs(p), b);
    const nextV: Record<string, JaxArray> = {};
    const nextP: Record<string, JaxArray> = {};
    for (const name of names) {
      nextV[name] = v[name].mul(hyper.momentum).add(grads[name]);
      nextP[name] = p[name].sub(nextV[name].ref.mul(hyper.lr));
    }
    return { loss: value, p: nextP, v: nextV };
  });
  const losses = new JaxjsPending(jax);
  return {
    run() {
      const out = step(p, v, jaxjsRefs(b));
      p = out.p;
      v = out.v;
      losses.add({ loss: out.loss });
    },
    async sync() {
      await losses.sync();
      await jax.blockUntilReady([p, v]);
    },
    async read() {
      const out: TensorSet = { loss: await fromJaxjs(losses.last.loss) };
      for (const name of names) out[`${name} update`] = difference(await fromJaxjs(p[name]), params[name]);
      return out;
    },
    dispose() {
      losses.dispose();
      for (const tree of [p, v, b]) disposeJaxjs(tree);
      step.dispose();
    },
  };
}
