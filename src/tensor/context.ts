/**
 * Per-engine bookkeeping for tensors: the stack of tidy scopes and the active recording of ops. It hangs off
 * the engine (in a WeakMap) rather than a module global, so independent engines never see each other's
 * scopes.
 */
import type { Engine } from '../gpu/engine.ts';
import type { Tensor } from './tensor.ts';
import type { Recording } from './record.ts';

export class TensorContext {
  private readonly scopes: Set<Tensor>[] = [];
  /** The recording of ops, or null outside `valueAndGrads`. */
  recording: Recording | null = null;
  /** Tensors alive and not yet disposed (for leak tests). */
  live = 0;

  track(tensor: Tensor): void {
    this.live++;
    this.scopes[this.scopes.length - 1]?.add(tensor);
  }

  untrack(tensor: Tensor): void {
    this.live--;
    for (const scope of this.scopes) scope.delete(tensor);
  }

  /** Run `fn`, then dispose every tensor it created except those in its result (which move outward). */
  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.scopes.pop();
      for (const tensor of scope) tensor.dispose();
      throw error;
    }
    if (result instanceof Promise) {
      this.scopes.pop();
      for (const tensor of scope) tensor.dispose();
      throw new Error('tidy(): the function must be synchronous (await the result outside tidy)');
    }
    this.scopes.pop();
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    const parent = this.scopes[this.scopes.length - 1];
    for (const tensor of scope) {
      if (kept.has(tensor)) parent?.add(tensor);
      else tensor.dispose();
    }
    return result;
  }

  /** Take a tensor out of every scope so no tidy() frees it. */
  keep<T extends Tensor>(tensor: T): T {
    for (const scope of this.scopes) scope.delete(tensor);
    return tensor;
  }
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value === null || typeof value !== 'object') return;
  if ('engine' in value && 'shape' in value && 'dispose' in value) {
    into.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) for (const item of value) collectTensors(item, into);
  else if (value instanceof Map) for (const item of value.values()) collectTensors(item, into);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into);
  }
}

const contexts = new WeakMap<Engine, TensorContext>();

export function contextOf(engine: Engine): TensorContext {
  let context = contexts.get(engine);
  if (!context) contexts.set(engine, (context = new TensorContext()));
  return context;
}

/** Run `fn` and free every tensor it created except those it returns. */
export function tidy<T>(engine: Engine, fn: () => T): T {
  return contextOf(engine).tidy(fn);
}

/** Exempt a tensor from the enclosing tidy scopes. */
export function keep<T extends Tensor>(tensor: T): T {
  return contextOf(tensor.engine).keep(tensor);
}
