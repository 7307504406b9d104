/**
 * Per-engine bookkeeping for tensors: the stack of tidy scopes and the active recording of ops. It hangs off
 * the engine (in a WeakMap) rather than a module global, so independent engines never see each other's
 * scopes.
 */
import { Engine } from '../gpu/engine.ts';
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

  /** See {@link tidy}. */
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
    this.scopes.pop();
    const kept = new Set<Tensor>();
    collectReturned(result, kept);
    const problem =
      result instanceof Promise
        ? 'tidy(): the function must be synchronous (await the result outside tidy)'
        : describeHidden(result, scope, kept);
    if (problem) {
      for (const tensor of scope) tensor.dispose();
      throw new Error(problem);
    }
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

const isTensor = (value: object): value is Tensor => 'engine' in value && 'shape' in value && 'dispose' in value;

/** Arrays, Maps and plain objects: the containers tidy looks through. */
function isOpenContainer(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return Array.isArray(value) || value instanceof Map || prototype === Object.prototype || prototype === null;
}

/** What an object holds: an array's items, a Map's keys and values (alternating), a Set's items, else own enumerable property values. */
function valuesOf(value: object): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Map) return [...value].flat();
  if (value instanceof Set) return [...value];
  // Typed arrays and buffers hold numbers; an engine holds the device, not tensors a result can return.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Engine) return [];
  return Object.values(value);
}

/** How the i-th of {@link valuesOf} is reached from `value`, for error messages. */
function labelOf(value: object, i: number): string {
  if (Array.isArray(value)) return `[${i}]`;
  if (value instanceof Map) return i % 2 === 0 ? ` (key ${i / 2} of a Map)` : ` (value ${(i - 1) / 2} of a Map)`;
  if (value instanceof Set) return ` (item ${i} of a Set)`;
  return `.${Object.keys(value)[i]}`;
}

/** Every tensor reachable from `value` through open containers alone: what tidy keeps. */
function collectReturned(value: unknown, into: Set<Tensor>, visited = new Set<object>()): void {
  if (value === null || typeof value !== 'object' || visited.has(value)) return;
  visited.add(value);
  if (isTensor(value)) into.add(value);
  else if (isOpenContainer(value)) for (const item of valuesOf(value)) collectReturned(item, into, visited);
}

/**
 * The error to throw if the result reaches a tensor of `scope` that tidy would free, through an object it
 * does not look into (a class instance, a Set, ...), naming the first such tensor and where it is; else null.
 */
function describeHidden(result: unknown, scope: Set<Tensor>, kept: Set<Tensor>): string | null {
  const visited = new Set<object>();
  // The path to the first hidden tensor, innermost label first, and the object that hides it.
  const search = (value: unknown, hiddenIn: string | null): { tensor: Tensor; path: string[]; hiddenIn: string } | null => {
    if (value === null || typeof value !== 'object' || visited.has(value)) return null;
    visited.add(value);
    if (isTensor(value)) {
      return hiddenIn !== null && scope.has(value) && !kept.has(value) ? { tensor: value, path: [], hiddenIn } : null;
    }
    const inside = hiddenIn ?? (isOpenContainer(value) ? null : `a ${value.constructor?.name ?? 'non-plain object'}`);
    const items = valuesOf(value);
    for (let i = 0; i < items.length; i++) {
      const found = search(items[i], inside);
      if (found) {
        found.path.push(labelOf(value, i));
        return found;
      }
    }
    return null;
  };
  const found = search(result, null);
  if (!found) return null;
  return (
    `tidy(): the result holds ${found.tensor} at result${found.path.reverse().join('')}, inside ${found.hiddenIn}, ` +
    'where tidy does not look, so it would be freed while still in use. tidy keeps tensors returned directly or ' +
    'inside arrays, Maps and plain objects: return it that way, or keep() it inside the function and dispose it yourself'
  );
}

const contexts = new WeakMap<Engine, TensorContext>();

export function contextOf(engine: Engine): TensorContext {
  let context = contexts.get(engine);
  if (!context) contexts.set(engine, (context = new TensorContext()));
  return context;
}

/**
 * Run `fn` and free every tensor it created, except those it returns; a tidy inside another hands the
 * tensors it keeps to the outer one.
 *
 * What counts as returned: the result itself if it is a tensor, and every tensor reached from the result
 * through arrays, Maps (keys and values) and plain objects (`{ ... }` literals and `Object.create(null)`),
 * to any depth. tidy looks nowhere else. If the result reaches a tensor created in `fn` any other way —
 * through a class instance's properties, a Set, any other kind of object — that tensor would be freed
 * while still reachable, so tidy throws instead, naming the tensor and where it is (everything `fn`
 * created is freed first): return such tensors plainly, or `keep()` them inside `fn` and dispose them
 * yourself. Tensors captured by closures or held in WeakMaps and `#private` fields are invisible to any
 * check: `keep()` those. An async `fn` is refused (a tidy cannot outlive an await).
 */
export function tidy<T>(engine: Engine, fn: () => T): T {
  return contextOf(engine).tidy(fn);
}

/** Exempt a tensor from the enclosing tidy scopes. */
export function keep<T extends Tensor>(tensor: T): T {
  return contextOf(tensor.engine).keep(tensor);
}
