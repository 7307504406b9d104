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
  private storage: Storage | null;

  /** Prefer the creation functions (`tensor`, `zeros`, ...) and ops; this wraps an existing buffer. */
  constructor(
    readonly engine: Engine,
    readonly shape: Shape,
    buffer: GPUBuffer | Storage,
  ) {
    this.size = shapeSize(shape);
    this.storage = 'references' in buffer ? buffer : { buffer, references: 0 };
    this.storage.references++;
    contextOf(engine).track(this);
  }

  /** Allocate an uninitialized tensor of `shape` from the engine's pool (ops fill it). */
  static empty(engine: Engine, shape: Shape): Tensor {
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
    const resolved = resolveShape(shape, this.size, 'reshape', this.shape);
    if (!this.storage) throw new Error(`reshape: tensor #${this.id} was disposed`);
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
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new Error(`${op}: invalid shape [${shape}]`);
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
