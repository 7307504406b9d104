/**
 * 2-D convolution, forward alone and forward plus both gradients (as a training step needs them), at the
 * shapes of the project's convnet (src/nn/zoo.ts, batch 64) and at the wider 14×14×32→64 layer of the
 * classic MNIST convnet that the environment notes measured the peers on.
 *
 * Layouts: blindspot takes NCHW activations and OIHW filters (the canonical layouts of the inputs and
 * outputs); tfjs is given NHWC and HWIO, its native layouts, converted outside the timed region.
 */
import { conv2d } from '../../src/tensor/ops/conv.ts';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio, uniform } from '../data.ts';
import type { TensorSet, Workload } from '../types.ts';
import { blindspotFunction, jaxjsFunction, tfjsFunction } from './common.ts';

interface ConvShape {
  id: string;
  label: string;
  n: number;
  c: number;
  h: number;
  o: number;
  k: number;
  pad: number;
  quick: { fwd: boolean; grad: boolean };
}

const tfjsLayouts = {
  input: { x: nchwToNhwc, w: oihwToHwio, dy: nchwToNhwc },
  output: { y: nhwcToNchw, dx: nhwcToNchw, dw: hwioToOihw },
};

function geometry(s: ConvShape) {
  const out = s.h + 2 * s.pad - s.k + 1;
  const forwardFlops = 2 * s.n * s.o * out * out * s.c * s.k * s.k;
  const text =
    `x [${s.n}×${s.c}×${s.h}×${s.h}] (NCHW), w [${s.o}×${s.c}×${s.k}×${s.k}] (OIHW), padding ${s.pad}, stride 1 → ` +
    `y [${s.n}×${s.o}×${out}×${out}]`;
  // tfjs's 'same' is padding (k−1)/2 for stride 1; anything else is spelled out.
  const tfPad = s.pad === 0 ? 'valid' : 2 * s.pad === s.k - 1 ? 'same' : ([[0, 0], [s.pad, s.pad], [s.pad, s.pad], [0, 0]] as const);
  // jax-js pads per spatial dimension, (before, after).
  const jaxPad: [number, number][] = [
    [s.pad, s.pad],
    [s.pad, s.pad],
  ];
  return { out, forwardFlops, text, tfPad, jaxPad };
}

function inputs(s: ConvShape, seed: number, withDy: boolean): TensorSet {
  const { out } = geometry(s);
  return {
    x: uniform(seed, `${s.id}.x`, [s.n, s.c, s.h, s.h]),
    w: uniform(seed, `${s.id}.w`, [s.o, s.c, s.k, s.k], -0.1, 0.1),
    ...(withDy ? { dy: uniform(seed, `${s.id}.dy`, [s.n, s.o, out, out]) } : {}),
  };
}

export function convForward(s: ConvShape): Workload {
  const { forwardFlops, text, tfPad, jaxPad } = geometry(s);
  return {
    id: `conv2d-${s.id}-fwd`,
    title: `conv2d forward ${s.label}`,
    group: 'kernel',
    description: `y = conv2d(x, w): ${text}; no bias. FLOPs = 2·N·O·OH·OW·C·K² = ${forwardFlops.toLocaleString('en-US')}.`,
    iterations: 1,
    flops: forwardFlops,
    quick: s.quick.fwd,
    tolerance: 1e-4,
    inputs: (seed) => inputs(s, seed, false),
    implementations: {
      async blindspot(env, data) {
        const options = { padding: s.pad, stride: 1, ...(env.variant ? { variant: env.variant } : {}) };
        return blindspotFunction(env.engine, data, (t) => ({ y: conv2d(t.x, t.w, options) }));
      },
      async tfjs(env, data) {
        const { tf } = env;
        return tfjsFunction(tf, data, (t) => ({ y: tf.conv2d(t.x as never, t.w as never, 1, tfPad as never) }), tfjsLayouts);
      },
      async jaxjs(env, data) {
        // jax-js convolves NCHW inputs with OIHW filters: the canonical layouts, nothing to convert.
        return jaxjsFunction(env, data, (t) => ({ y: env.jax.lax.conv(t.x, t.w, [1, 1], jaxPad) }));
      },
    },
  };
}

export function convGrad(s: ConvShape): Workload {
  const { forwardFlops, text, tfPad, jaxPad } = geometry(s);
  return {
    id: `conv2d-${s.id}-grad`,
    title: `conv2d forward + backward (dx, dw) ${s.label}`,
    group: 'kernel',
    description:
      `The gradients of ⟨conv2d(x, w), dy⟩ with respect to x and w for a given upstream gradient dy: ${text}. ` +
      `Both run it through their autodiff (blindspot: valueAndGrads with dy as the seed; tfjs: tf.grads with dy), ` +
      `so one iteration is the forward convolution plus the input-gradient and filter-gradient convolutions, as ` +
      `in a training step: FLOPs = 3 × forward = ${(3 * forwardFlops).toLocaleString('en-US')}.`,
    iterations: 1,
    flops: 3 * forwardFlops,
    quick: s.quick.grad,
    tolerance: 1e-4,
    inputs: (seed) => inputs(s, seed, true),
    implementations: {
      async blindspot(env, data) {
        const options = { padding: s.pad, stride: 1, ...(env.variant ? { variant: env.variant } : {}) };
        return blindspotFunction(env.engine, data, (t) => {
          // The seed must be a tensor the tape may free: a view of dy shares its buffer and leaves dy intact.
          const { value, grads } = valueAndGrads(env.engine, () => conv2d(t.x, t.w, options), [t.x, t.w], () =>
            t.dy.reshape(t.dy.shape),
          );
          value.dispose();
          return { dx: grads[0], dw: grads[1] };
        });
      },
      async tfjs(env, data) {
        const { tf } = env;
        const gradients = tf.grads((x, w) => tf.conv2d(x as never, w as never, 1, tfPad as never));
        return tfjsFunction(
          tf,
          data,
          (t) => {
            const [dx, dw] = gradients([t.x, t.w], t.dy);
            return { dx, dw };
          },
          tfjsLayouts,
        );
      },
      async jaxjs(env, data) {
        const { jax } = env;
        return jaxjsFunction(env, data, (t) => {
          const [y, pullback] = jax.vjp((x, w) => jax.lax.conv(x, w, [1, 1], jaxPad), [t.x, t.w]);
          const [dx, dw] = pullback(t.dy);
          pullback.dispose();
          // y is an output too, so that jit cannot drop the forward convolution the others compute.
          return { y, dx, dw };
        });
      },
    },
  };
}

/** The convnet's two layers (batch 64) and the wider classic layer. */
const SHAPES: ConvShape[] = [
  { id: 'c1', label: '28×28×1→16, 5×5, batch 64 (convnet layer 1)', n: 64, c: 1, h: 28, o: 16, k: 5, pad: 0, quick: { fwd: false, grad: false } },
  { id: 'c2', label: '12×12×16→32, 5×5, batch 64 (convnet layer 2)', n: 64, c: 16, h: 12, o: 32, k: 5, pad: 0, quick: { fwd: true, grad: true } },
  { id: 'wide', label: '14×14×32→64, 5×5, pad 2, batch 64', n: 64, c: 32, h: 14, o: 64, k: 5, pad: 2, quick: { fwd: false, grad: false } },
];

export const CONV_WORKLOADS: Workload[] = SHAPES.flatMap((s) => [convForward(s), convGrad(s)]);
