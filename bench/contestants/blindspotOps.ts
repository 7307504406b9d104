/**
 * blindspot's ops as the benchmarks call them, loaded on demand. Ops are landing one by one under
 * src/tensor/ops/; a static import of a module that does not exist yet would break the whole suite (and
 * the type check), so the op modules are found with Vite's import.meta.glob and a missing one makes only
 * the workloads that need it report "unavailable". The signatures below are the agreed ones (the issue and
 * src/nn/model.ts); once every module exists these can become static imports.
 */
import type { Tensor } from '../../src/tensor/tensor.ts';
import { NotAvailableError } from '../types.ts';

export type Activation = 'none' | 'relu' | 'sigmoid' | 'tanh';

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: Tensor;
  activation?: Activation;
  variant?: 'blocked' | 'tiled';
}

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  bias?: Tensor;
  activation?: 'none' | 'relu';
  /** Forward kernel variant (default 'auto': by adapter). */
  kernel?: 'auto' | 'blocked' | 'tiled';
}

export interface SgdMomentumOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** The ops that are still being written, by name. */
export interface PendingOps {
  matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor;
  conv2d(x: Tensor, w: Tensor, options?: Conv2dOptions): Tensor;
  maxPool2d(x: Tensor, options: { size: number }): Tensor;
  relu(x: Tensor): Tensor;
  sigmoid(x: Tensor): Tensor;
  softmaxCrossEntropy(logits: Tensor, labels: Tensor, options?: { reduction?: 'mean' | 'sum' | 'none' }): Tensor;
  /** In place: velocity ← momentum·velocity + (g + weightDecay·p); p ← p − lr·velocity. */
  sgdMomentumUpdate(p: Tensor, g: Tensor, velocity: Tensor, options: SgdMomentumOptions): void;
}

/** Where each pending op lives (relative to src/). */
const HOMES: Record<keyof PendingOps, string> = {
  matmul: 'tensor/ops/matmul.ts',
  conv2d: 'tensor/ops/conv.ts',
  maxPool2d: 'tensor/ops/pool.ts',
  relu: 'tensor/ops/unary.ts',
  sigmoid: 'tensor/ops/unary.ts',
  softmaxCrossEntropy: 'tensor/ops/softmax.ts',
  sgdMomentumUpdate: 'tensor/ops/optimizerUpdates.ts',
};

const modules = import.meta.glob('../../src/tensor/ops/*.ts');

export class BlindspotOps {
  private readonly loaded = new Map<string, unknown>();

  /**
   * The op `name`, or a {@link NotAvailableError} saying which file is missing. Call in an
   * implementation's setup (not per iteration).
   */
  async get<K extends keyof PendingOps>(name: K): Promise<PendingOps[K]> {
    const cached = this.loaded.get(name);
    if (cached) return cached as PendingOps[K];
    const key = `../../src/${HOMES[name]}`;
    const load = modules[key];
    if (!load) throw new NotAvailableError(`blindspot has no ${name} yet (src/${HOMES[name]} does not exist)`);
    const module = (await load()) as Record<string, unknown>;
    const op = module[name];
    if (typeof op !== 'function') {
      throw new NotAvailableError(`src/${HOMES[name]} does not export ${name} (yet)`);
    }
    this.loaded.set(name, op);
    return op as PendingOps[K];
  }

  /** Several ops at once: `const { matmul, relu } = await ops.many('matmul', 'relu')`. */
  async many<K extends keyof PendingOps>(...names: K[]): Promise<Pick<PendingOps, K>> {
    const result = {} as Pick<PendingOps, K>;
    for (const name of names) result[name] = await this.get(name);
    return result;
  }
}
