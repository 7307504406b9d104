/**
 * Storage buffers recycled by size class. A released buffer waits until the work that used it has been
 * submitted: only then can a later `queue.writeBuffer` into it not overtake commands still being encoded.
 */

/** Round a byte length up to its size class: 256 B minimum, then four classes per power of two. */
export function sizeClass(bytes: number): number {
  const minimum = 256;
  if (bytes <= minimum) return minimum;
  const power = 2 ** Math.floor(Math.log2(bytes));
  const step = power / 4;
  return Math.ceil(bytes / step) * step;
}

/** Counters for tests and `blindspot info`. */
export interface PoolStats {
  /** Buffers that exist (in use, waiting for submit, or free). */
  buffers: number;
  /** Bytes of all buffers that exist. */
  bytesAllocated: number;
  /** Bytes handed out and not yet released. */
  bytesInUse: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private awaitingSubmit: GPUBuffer[] = [];
  private readonly inUse = new Set<GPUBuffer>();
  private allocatedBytes = 0;
  private count = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly label: string,
  ) {}

  /** A buffer of at least `bytes` bytes; its contents are unspecified. */
  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const buffer = this.free.get(size)?.pop() ?? this.allocate(size);
    this.inUse.add(buffer);
    return buffer;
  }

  /** Give a buffer back; it becomes reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    if (!this.inUse.delete(buffer)) throw new Error(`${this.label}: buffer released twice or not from this pool`);
    this.awaitingSubmit.push(buffer);
  }

  /** Called right after a queue submit: everything released before it is now safe to reuse. */
  submitted(): void {
    for (const buffer of this.awaitingSubmit) {
      let list = this.free.get(buffer.size);
      if (!list) this.free.set(buffer.size, (list = []));
      list.push(buffer);
    }
    this.awaitingSubmit = [];
  }

  /** Destroy free buffers, returning their memory to the driver. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.allocatedBytes -= buffer.size;
        this.count--;
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  stats(): PoolStats {
    let bytesInUse = 0;
    for (const buffer of this.inUse) bytesInUse += buffer.size;
    return { buffers: this.count, bytesAllocated: this.allocatedBytes, bytesInUse };
  }

  destroyAll(): void {
    this.trim();
    for (const buffer of [...this.inUse, ...this.awaitingSubmit]) buffer.destroy();
    this.inUse.clear();
    this.awaitingSubmit = [];
    this.allocatedBytes = 0;
    this.count = 0;
  }

  private allocate(size: number): GPUBuffer {
    this.allocatedBytes += size;
    this.count++;
    return this.device.createBuffer({ size, usage: this.usage, label: `${this.label}[${size}]` });
  }
}
