/**
 * Per-dispatch uniforms packed into shared chunks. Each dispatch owns its slice (a `queue.writeBuffer`
 * runs at once while encoded work runs later, so two dispatches must never share a slice that is rewritten
 * between them); the whole chunk is uploaded with one write just before the submit that uses it.
 */
const CHUNK_BYTES = 64 * 1024;

export interface UniformSlice {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

interface Chunk {
  buffer: GPUBuffer;
  mirror: Uint8Array<ArrayBuffer>;
  used: number;
}

export class UniformArena {
  private readonly freeChunks: Chunk[] = [];
  private filling: Chunk[] = [];
  private chunksAllocated = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly alignment: number,
  ) {}

  /** Copy `data` into a fresh slice for one dispatch. */
  push(data: ArrayBufferView): UniformSlice {
    const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
    let chunk = this.filling[this.filling.length - 1];
    if (!chunk || chunk.used + size > CHUNK_BYTES) {
      chunk = this.freeChunks.pop() ?? this.allocate();
      chunk.used = 0;
      this.filling.push(chunk);
    }
    const offset = chunk.used;
    chunk.mirror.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    chunk.used = Math.ceil((offset + size) / this.alignment) * this.alignment;
    return { buffer: chunk.buffer, offset, size };
  }

  /** Upload every slice written since the last submit; call right before `queue.submit`. */
  upload(queue: GPUQueue): void {
    for (const chunk of this.filling) queue.writeBuffer(chunk.buffer, 0, chunk.mirror, 0, chunk.used);
  }

  /** After the submit, the chunks may be rewritten: later writes are ordered after the submitted work. */
  submitted(): void {
    this.freeChunks.push(...this.filling);
    this.filling = [];
  }

  get bytesAllocated(): number {
    return this.chunksAllocated * CHUNK_BYTES;
  }

  destroyAll(): void {
    for (const chunk of [...this.freeChunks, ...this.filling]) chunk.buffer.destroy();
    this.freeChunks.length = 0;
    this.filling = [];
    this.chunksAllocated = 0;
  }

  private allocate(): Chunk {
    this.chunksAllocated++;
    const buffer = this.device.createBuffer({
      size: CHUNK_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'uniform-arena',
    });
    return { buffer, mirror: new Uint8Array(CHUNK_BYTES), used: 0 };
  }
}
