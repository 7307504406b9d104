/**
 * Matrix products C = op(A)·op(B), op = identity or transpose: the square sizes that show kernel quality,
 * and the products of an FC100-100-10 training step at batch 128 (forward, the weight gradient Xᵀ·dY and
 * the input gradient dY·Wᵀ, which is also the attack's inner product).
 */
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { uniform } from '../data.ts';
import type { GpujsEnv, GpujsKernel, Instance, TensorSet, Workload } from '../types.ts';
import { blindspotFunction, jaxjsFunction, tfjsFunction } from './common.ts';

interface MatmulShape {
  id: string;
  title: string;
  m: number;
  k: number;
  n: number;
  transposeA?: boolean;
  transposeB?: boolean;
  iterations: number;
  quick: boolean;
}

export function matmulWorkload(shape: MatmulShape): Workload {
  const { m, k, n, transposeA = false, transposeB = false } = shape;
  const aShape = transposeA ? [k, m] : [m, k];
  const bShape = transposeB ? [n, k] : [k, n];
  const op = (name: string, t: boolean) => (t ? `${name}ᵀ` : name);
  return {
    id: shape.id,
    title: shape.title,
    group: 'kernel',
    description:
      `C[${m}×${n}] = ${op('A', transposeA)}·${op('B', transposeB)} with A stored [${aShape.join('×')}], ` +
      `B stored [${bShape.join('×')}] (row-major f32, uniform in [-1, 1)); no bias, no activation. ` +
      `FLOPs = 2·m·k·n = ${(2 * m * k * n).toLocaleString('en-US')}.`,
    iterations: shape.iterations,
    flops: 2 * m * k * n,
    quick: shape.quick,
    // f32 sums of k products in different orders: relative differences ~ √k·2⁻²⁴ ≈ 1e-6 at k = 1024.
    tolerance: 1e-4,
    inputs: (seed) => ({ a: uniform(seed, `${shape.id}.a`, aShape), b: uniform(seed, `${shape.id}.b`, bShape) }),
    implementations: {
      async blindspot(env, inputs) {
        const options = { transposeA, transposeB, ...(env.variant ? { variant: env.variant } : {}) };
        return blindspotFunction(env.engine, inputs, (t) => ({ c: matmul(t.a, t.b, options) }));
      },
      async tfjs(env, inputs) {
        const { tf } = env;
        return tfjsFunction(tf, inputs, (t) => ({ c: tf.matMul(t.a, t.b, transposeA, transposeB) }));
      },
      async jaxjs(env, inputs) {
        const np = env.jax.numpy;
        return jaxjsFunction(env, inputs, (t) => ({
          c: np.matmul(transposeA ? t.a.transpose() : t.a, transposeB ? t.b.transpose() : t.b),
        }));
      },
      gpujs: (env, inputs) => gpujsMatmul(env, inputs, m, k, n, transposeA, transposeB),
    },
  };
}

// gpu.js compiles these JavaScript functions to shaders, so each must be a self-contained function using
// only `this.thread` and `this.constants`: one per transpose combination.
/* eslint-disable @typescript-eslint/no-explicit-any */
function mmNN(this: any, a: number[][], b: number[][]): number {
  let sum = 0;
  for (let i = 0; i < this.constants.K; i++) sum += a[this.thread.y][i] * b[i][this.thread.x];
  return sum;
}
function mmTN(this: any, a: number[][], b: number[][]): number {
  let sum = 0;
  for (let i = 0; i < this.constants.K; i++) sum += a[i][this.thread.y] * b[i][this.thread.x];
  return sum;
}
function mmNT(this: any, a: number[][], b: number[][]): number {
  let sum = 0;
  for (let i = 0; i < this.constants.K; i++) sum += a[this.thread.y][i] * b[this.thread.x][i];
  return sum;
}
function mmTT(this: any, a: number[][], b: number[][]): number {
  let sum = 0;
  for (let i = 0; i < this.constants.K; i++) sum += a[i][this.thread.y] * b[this.thread.x][i];
  return sum;
}
function copy2d(this: any, a: number[][]): number {
  return a[this.thread.y][this.thread.x];
}

interface GpujsResult {
  toArray(): unknown;
}

/** Flatten gpu.js's nested output (rows of Float32Array) into one array. */
function flatten(rows: unknown, m: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  (rows as ArrayLike<number>[]).forEach((row, i) => out.set(Array.from(row), i * n));
  return out;
}

async function gpujsMatmul(
  env: GpujsEnv,
  inputs: TensorSet,
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): Promise<Instance> {
  const { gpu } = env;
  const kernels: GpujsKernel[] = [];
  const upload = (name: 'a' | 'b') => {
    const { shape, data } = inputs[name];
    // A pipeline copy kernel puts the input on the GPU once, outside the timed region.
    const kernel = gpu.createKernel(copy2d as never, { output: [shape[1], shape[0]], pipeline: true });
    kernels.push(kernel);
    return kernel(env.input(data, [shape[1], shape[0]]));
  };
  // In webgpu mode kernel calls return Promises of GPU-resident handles.
  const a = await upload('a');
  const b = await upload('b');
  const fn = transposeA ? (transposeB ? mmTT : mmTN) : transposeB ? mmNT : mmNN;
  const matmul = gpu.createKernel(fn as never, { output: [n, m], constants: { K: k }, pipeline: true });
  kernels.push(matmul);
  let last: unknown = null;
  return {
    run() {
      last = matmul(a, b);
    },
    async sync() {
      // gpu.js cannot wait without reading: read the result back (webgpu mode returns a Promise of it).
      const result = (await last) as GpujsResult;
      await result.toArray();
    },
    async read() {
      const result = (await last) as GpujsResult;
      return { c: { shape: [m, n], data: flatten(await result.toArray(), m, n) } };
    },
    dispose() {
      for (const kernel of kernels) kernel.destroy();
    },
  };
}

/** The matmul workloads of the suite. */
export const MATMUL_WORKLOADS: Workload[] = [
  matmulWorkload({ id: 'matmul-256', title: 'matmul 256²', m: 256, k: 256, n: 256, iterations: 4, quick: false }),
  matmulWorkload({ id: 'matmul-512', title: 'matmul 512²', m: 512, k: 512, n: 512, iterations: 1, quick: true }),
  matmulWorkload({ id: 'matmul-1024', title: 'matmul 1024²', m: 1024, k: 1024, n: 1024, iterations: 1, quick: true }),
  matmulWorkload({
    id: 'matmul-fc1',
    title: 'matmul 128×784 · 784×100 (FC layer 1 forward)',
    m: 128,
    k: 784,
    n: 100,
    iterations: 10,
    quick: true,
  }),
  matmulWorkload({
    id: 'matmul-fc2',
    title: 'matmul 128×100 · 100×100 (FC layer 2 forward)',
    m: 128,
    k: 100,
    n: 100,
    iterations: 20,
    quick: false,
  }),
  matmulWorkload({
    id: 'matmul-fc1-dw',
    title: 'matmul Xᵀ·dY 784×128 · 128×100 (FC layer 1 weight gradient)',
    m: 784,
    k: 128,
    n: 100,
    transposeA: true,
    iterations: 10,
    quick: false,
  }),
  matmulWorkload({
    id: 'matmul-fc1-dx',
    title: 'matmul dY·Wᵀ 128×100 · 100×784 (FC layer 1 input gradient)',
    m: 128,
    k: 100,
    n: 784,
    transposeB: true,
    iterations: 10,
    quick: false,
  }),
];
