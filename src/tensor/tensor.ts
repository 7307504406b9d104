/**
 * Tensor: an f32 array on the GPU with a shape. Reshapes share storage (reference counted), so a view
 * costs nothing; every other op writes a new buffer. Lifetime is explicit: `dispose()`, or `tidy()` which
 * frees everything created inside it except what it returns.
 */
import type { Engine } from '../gpu/engine.ts';
import { contextOf } from './context.ts';
import { record } from './record.ts';

/** A shape: non-negative integer extents, outermost first (row-major). */
export type Shape = readonly number[];

/**
 * Throw, naming `op` and the shape, unless `shape` is an array of non-negative safe integers whose
 * product (the element count) is a safe integer too. Every tensor's shape passes here before any GPU
 * memory is acquired for it, so a bad shape leaves nothing behind.
 */
export function checkShape(op: string, shape: unknown): asserts shape is Shape {
  if (!Array.isArray(shape)) throw new Error(`${op}: a shape must be an array of extents, got ${describeValue(shape)}`);
  const bad = shape.findIndex((d) => !(Number.isSafeInteger(d) && d >= 0));
  if (bad >= 0) {
    throw new Error(`${op}: shape [${shape.map(describeValue)}] has extent ${describeValue(shape[bad])} at axis ${bad}; extents must be non-negative integers`);
  }
  if (!Number.isSafeInteger(shapeSize(shape))) throw new Error(`${op}: shape [${shape}] has more elements than a tensor can hold`);
}

/**
 * Throw, naming `op` and the argument, unless every named operand is a live Tensor and all of them
 * belong to one engine (`undefined` operands are optional ones left out). Ops call it before they
 * acquire anything, so a bad argument leaves no buffer behind.
 */
export function checkOperands(op: string, operands: Record<string, unknown>): void {
  let first: Tensor | undefined;
  for (const [name, operand] of Object.entries(operands)) {
    if (operand === undefined) continue;
    if (!(operand instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${describeValue(operand)}`);
    if (operand.isDisposed) throw new Error(`${op}: ${name} (${operand}) was used after dispose()`);
    first ??= operand;
    if (operand.engine !== first.engine) throw new Error(`${op}: tensors belong to different engines (${name} and the first operand)`);
  }
}

/** A short description of any value for an error message. */
function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (value instanceof Tensor) return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : `a ${typeof value === 'object' ? value.constructor?.name ?? 'object' : typeof value}`;
}

/** GPU memory shared by a tensor and its reshaped views. */
interface Storage {
  buffer: GPUBuffer;
  references: number;
}

let nextId = 0;

export class Tensor {
  /** Unique per process; used by the tape to key gradients. */
  readonly id = nextId++;
  readonly size: number;
  /** The extents (a frozen copy of the shape the tensor was made with). */
  readonly shape: Shape;
  private storage: Storage | null;

  /**
   * Prefer the creation functions (`tensor`, `zeros`, ...) and ops; this wraps an existing buffer.
   * @throws Error if `shape` is not a valid shape (see {@link checkShape}); the buffer stays the caller's.
   */
  constructor(
    readonly engine: Engine,
    shape: Shape,
    buffer: GPUBuffer | Storage,
  ) {
    checkShape('Tensor', shape);
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    this.storage = 'references' in buffer ? buffer : { buffer, references: 0 };
    this.storage.references++;
    contextOf(engine).track(this);
  }

  /**
   * Allocate an uninitialized tensor of `shape` from the engine's pool (ops fill it). The shape is checked
   * first, naming `op`, so an invalid one acquires nothing.
   */
  static empty(engine: Engine, shape: Shape, op = 'Tensor.empty'): Tensor {
    checkShape(op, shape);
    return new Tensor(engine, shape, engine.acquireBuffer(Math.max(4, shapeSize(shape) * 4)));
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  /** The GPU buffer holding the data (may be larger than `size * 4` bytes: pool size classes). */
  get buffer(): GPUBuffer {
    if (!this.storage) throw new Error(`tensor #${this.id} of shape [${this.shape}] was used after dispose()`);
    return this.storage.buffer;
  }

  /** Binding for a kernel: exactly this tensor's bytes. */
  get binding(): { buffer: GPUBuffer; size: number } {
    return { buffer: this.buffer, size: Math.max(4, this.size * 4) };
  }

  /** A view with another shape of the same size, sharing this tensor's storage (differentiable). */
  reshape(shape: Shape): Tensor {
    if (!this.storage) throw new Error(`reshape: tensor #${this.id} was disposed`);
    const resolved = resolveShape(shape, this.size, 'reshape', this.shape);
    const view = new Tensor(this.engine, resolved, this.storage);
    return record('reshape', [this], view, (dy) => [dy.reshape(this.shape)]);
  }

  /** Read the values back (waits for all work encoded before the call). */
  async data(): Promise<Float32Array> {
    const bytes = await this.engine.read(this.buffer, this.size * 4);
    return new Float32Array(bytes);
  }

  /** The single value of a size-1 tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item(): tensor of shape [${this.shape}] has ${this.size} elements, not 1`);
    return (await this.data())[0];
  }

  /** Free the GPU memory (shared with views, so the buffer returns to the pool when the last one goes). */
  dispose(): void {
    if (!this.storage) return;
    contextOf(this.engine).untrack(this);
    if (--this.storage.references === 0) this.engine.releaseBuffer(this.storage.buffer);
    this.storage = null;
  }

  toString(): string {
    return `Tensor#${this.id}[${this.shape.join('×')}]`;
  }
}

export function shapeSize(shape: Shape): number {
  let size = 1;
  for (const extent of shape) size *= extent;
  return size;
}

/** Check a requested shape, allowing one -1 to be inferred. */
export function resolveShape(shape: Shape, size: number, op: string, from?: Shape): number[] {
  if (!Array.isArray(shape)) throw new Error(`${op}: a shape must be an array of extents, got ${describeValue(shape)}`);
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1 || shape.some((d) => !Number.isSafeInteger(d) || d < -1)) {
    throw new Error(`${op}: invalid shape [${shape.map(describeValue)}] (extents are non-negative integers, at most one -1 to infer)`);
  }
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const result = shape.map((d) => (d === -1 ? size / known : d));
  if (shapeSize(result) !== size || result.some((d) => !Number.isInteger(d))) {
    throw new Error(`${op}: cannot view ${from ? `shape [${from}]` : `${size} elements`} as [${shape}]`);
  }
  return result;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
