/**
 * The engine's profiling mode: GPU time per dispatch from `timestamp-query`. While a profile is open every
 * dispatch gets a compute pass of its own whose beginning and end write timestamps into a query set; the
 * engine resolves the slots a batch used into a buffer before it submits the batch and reads them back
 * afterwards, without waiting. A record per dispatch keeps the kernel, its variant (override constants),
 * the shapes, FLOP and byte counts the op declared (see {@link DispatchCost}) and the GPU time; the summary
 * adds them up per kernel and variant.
 *
 * Timestamps are the adapter's clock in nanoseconds. Chrome rounds them to 100 µs unless its WebGPU
 * developer features are on (chrome://flags/#enable-webgpu-developer-features, or the command-line switch
 * --enable-webgpu-developer-features); Dawn rounds them too unless its toggle timestamp_quantization is
 * off, as src/gpu/device.ts turns it off in Node. The summary says when every timestamp it saw was a
 * multiple of a microsecond or more, and of how much.
 */

/** What a dispatch costs, as the op that launches it counts it (only asked for while profiling). */
export interface DispatchCost {
  /** Floating-point operations; a multiply-add counts 2. */
  flops?: number;
  /** Bytes it must move at least: every input read once, every output written once. */
  bytes?: number;
  /** The operand shapes as a reader names them, e.g. `128×784 · 784×100`. */
  shape?: string;
}

/** One dispatch of a profile. */
export interface DispatchRecord {
  /** Kernel file, with `#entry` for a second entry point: `matmul_blocked`, `conv2d#tiled`. */
  kernel: string;
  /** The override constants it was specialized with, `NAME:value` joined by commas ('' when none). */
  variant: string;
  shape?: string;
  workgroups: [number, number, number];
  flops?: number;
  /** Declared by the op, else the bytes of every storage binding (an upper bound of what it touches). */
  bytes: number;
  /** GPU nanoseconds between the beginning and the end of its pass; null without timestamp queries. */
  gpuNs: number | null;
}

/** Every dispatch of one kernel and variant in a profile. */
export interface KernelSummary {
  kernel: string;
  variant: string;
  dispatches: number;
  /** Total GPU milliseconds; null without timestamp queries. */
  gpuMs: number | null;
  /** Share of the profile's total GPU time (0–1); null without timestamp queries. */
  share: number | null;
  /** Total FLOPs, when every dispatch declared them. */
  flops?: number;
  bytes: number;
  /** FLOPs (bytes) per GPU second, when both are known and the GPU time is positive. */
  gflops?: number;
  gigabytesPerSecond?: number;
  /** The distinct shapes it ran on, in order of first appearance. */
  shapes: string[];
}

/** How far the profile's timestamps can be trusted. */
export interface TimestampInfo {
  available: boolean;
  /**
   * The largest step every timestamp was a multiple of, in ns, when it is a microsecond or more (Chrome's
   * 100 µs without developer features, Dawn's 65 536 ns with timestamp_quantization); else null.
   */
  quantumNs: number | null;
  /** One sentence for reports. */
  note: string;
}

/** What {@link Engine.stopProfile} returns. */
export interface Profile {
  /** Wall milliseconds from startProfile to the end of the sync in stopProfile. */
  wallMs: number;
  /** Sum of the dispatches' GPU time; null without timestamp queries. */
  gpuMs: number | null;
  /** gpuMs / wallMs: the share of wall time the GPU was busy with this engine's dispatches. */
  busyShare: number | null;
  timestamps: TimestampInfo;
  dispatches: DispatchRecord[];
  /** Per kernel and variant, longest GPU time first (in order of first dispatch without timestamps). */
  kernels: KernelSummary[];
}

/** A common divisor of every timestamp at least this large (ns) means they were rounded. */
const ROUNDED_FROM_NS = 1000n;
/** Query results are resolved to offsets that are multiples of 256 bytes. */
const RESOLVE_ALIGNMENT = 256;

interface Readback {
  resolve: GPUBuffer;
  staging: GPUBuffer;
}

/**
 * The open profile of one engine. The engine asks {@link passDescriptor} for every dispatch, calls
 * {@link encodeResolve} before it finishes a batch's encoder and {@link submitted} after the submit.
 */
export class DispatchProfiler {
  private readonly querySet: GPUQuerySet | null;
  /** Dispatches a batch may hold before the engine must submit it (two timestamps each). */
  readonly capacity: number;
  private readonly records: DispatchRecord[] = [];
  /** Records whose timestamps are in the batch being encoded, by slot. */
  private batch: DispatchRecord[] = [];
  private readonly free: Readback[] = [];
  private readonly all: Readback[] = [];
  private readonly pending: Promise<void>[] = [];
  /** The batch resolved into a buffer by {@link encodeResolve}, waiting for its submit. */
  private resolved: { readback: Readback; records: DispatchRecord[]; bytes: number } | null = null;
  /** The greatest common divisor of every timestamp seen (0 while none was). */
  private quantum = 0n;
  private timestampsSeen = 0;
  private failure: Error | null = null;

  constructor(
    private readonly device: GPUDevice,
    capacity: number,
    private readonly platform: 'browser' | 'node',
  ) {
    // WebGPU caps a query set at 4096 queries.
    this.capacity = Math.max(1, Math.min(capacity, 2048));
    this.querySet = device.features.has('timestamp-query')
      ? device.createQuerySet({ type: 'timestamp', count: 2 * this.capacity, label: 'blindspot-profile' })
      : null;
  }

  /** Whether the batch has used every slot: the engine submits it before the next dispatch. */
  get full(): boolean {
    return this.batch.length >= this.capacity;
  }

  /** Record a dispatch; the descriptor of the pass it must run in (with its timestamp writes). */
  passDescriptor(record: DispatchRecord): GPUComputePassDescriptor {
    this.records.push(record);
    if (!this.querySet) return {};
    const slot = this.batch.length;
    this.batch.push(record);
    return {
      label: record.kernel,
      timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * slot, endOfPassWriteIndex: 2 * slot + 1 },
    };
  }

  /** Before the batch's encoder is finished: copy its timestamps to a buffer that can be mapped. */
  encodeResolve(encoder: GPUCommandEncoder): void {
    if (!this.querySet || this.batch.length === 0) return;
    const readback = this.free.pop() ?? this.allocate();
    const bytes = 16 * this.batch.length;
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.batch.length, readback.resolve, 0);
    encoder.copyBufferToBuffer(readback.resolve, 0, readback.staging, 0, bytes);
    const records = this.batch;
    this.batch = [];
    this.resolved = { readback, records, bytes };
  }

  /** After the submit: map the batch's timestamps when the GPU is done and fill in the records. */
  submitted(): void {
    const done = this.resolved;
    if (!done) return;
    this.resolved = null;
    const { readback, records, bytes } = done;
    this.pending.push(
      readback.staging.mapAsync(GPUMapMode.READ, 0, bytes).then(
        () => {
          const stamps = new BigUint64Array(readback.staging.getMappedRange(0, bytes).slice(0));
          readback.staging.unmap();
          this.free.push(readback);
          records.forEach((record, slot) => {
            const begin = stamps[2 * slot];
            const end = stamps[2 * slot + 1];
            this.quantum = gcd(gcd(this.quantum, begin), end);
            this.timestampsSeen += 2;
            // A clock that steps back (rare on some drivers) gives no duration rather than a negative one.
            record.gpuNs = end >= begin ? Number(end - begin) : 0;
          });
        },
        (error: unknown) => {
          this.failure ??= new Error(`profiling: reading the timestamps back failed: ${(error as Error).message}`);
        },
      ),
    );
  }

  /** Wait for every batch's timestamps, free the query resources and summarize. Call after the last submit. */
  async finish(wallMs: number): Promise<Profile> {
    await Promise.all(this.pending);
    this.release();
    if (this.failure) throw this.failure;
    const timestamps = this.timestampInfo();
    const gpuMs = timestamps.available ? this.records.reduce((sum, r) => sum + (r.gpuNs ?? 0), 0) / 1e6 : null;
    return {
      wallMs,
      gpuMs,
      busyShare: gpuMs === null || wallMs <= 0 ? null : gpuMs / wallMs,
      timestamps,
      dispatches: this.records,
      kernels: summarizeKernels(this.records, gpuMs),
    };
  }

  /** Free the query set and buffers (also when the engine is disposed with a profile open). */
  release(): void {
    this.querySet?.destroy();
    for (const readback of this.all) {
      readback.resolve.destroy();
      readback.staging.destroy();
    }
    this.all.length = 0;
    this.free.length = 0;
  }

  private timestampInfo(): TimestampInfo {
    return describeTimestamps(this.querySet !== null, this.quantum, this.timestampsSeen, this.platform);
  }

  private allocate(): Readback {
    const size = Math.ceil((16 * this.capacity) / RESOLVE_ALIGNMENT) * RESOLVE_ALIGNMENT;
    const readback = {
      resolve: this.device.createBuffer({ size, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'profile-resolve' }),
      staging: this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'profile-readback' }),
    };
    this.all.push(readback);
    return readback;
  }
}

/**
 * What a profile's timestamps are worth: `quantum` is the greatest common divisor of the `seen`
 * timestamps; one of a microsecond or more over four timestamps or more means they were rounded.
 */
export function describeTimestamps(available: boolean, quantum: bigint, seen: number, platform: 'browser' | 'node'): TimestampInfo {
  if (!available) {
    return { available: false, quantumNs: null, note: "the adapter offers no 'timestamp-query': dispatches and their counts only, no GPU times" };
  }
  // Two timestamps share a divisor ≥ 1 µs with a chance of about 6e-4; four, about 4e-7.
  if (seen < 4) {
    return { available: true, quantumNs: null, note: `GPU timestamps: too few (${seen}) to tell whether the browser or Dawn rounded them` };
  }
  if (quantum >= ROUNDED_FROM_NS) {
    const quantumNs = Number(quantum);
    const why =
      platform === 'browser'
        ? 'Chrome rounds them to 100 µs unless chrome://flags/#enable-webgpu-developer-features or --enable-webgpu-developer-features is on'
        : "Dawn's toggle timestamp_quantization was on";
    return {
      available: true,
      quantumNs,
      note: `GPU timestamps were rounded to multiples of ${(quantumNs / 1000).toLocaleString('en-US')} µs (${why}): short kernels read as 0, totals are coarse`,
    };
  }
  return {
    available: true,
    quantumNs: null,
    note:
      platform === 'browser'
        ? 'GPU timestamps at full resolution (Chrome rounds them to 100 µs unless its WebGPU developer features are on)'
        : 'GPU timestamps at full resolution (Dawn in Node, timestamp_quantization off)',
  };
}

function gcd(x: bigint, y: bigint): bigint {
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Records added up per (kernel, variant). */
export function summarizeKernels(records: DispatchRecord[], totalGpuMs: number | null): KernelSummary[] {
  const byKey = new Map<string, KernelSummary & { flopsKnown: boolean }>();
  for (const r of records) {
    const key = `${r.kernel}{${r.variant}}`;
    let s = byKey.get(key);
    if (!s) {
      s = { kernel: r.kernel, variant: r.variant, dispatches: 0, gpuMs: totalGpuMs === null ? null : 0, share: null, bytes: 0, shapes: [], flopsKnown: true };
      byKey.set(key, s);
    }
    s.dispatches++;
    if (s.gpuMs !== null) s.gpuMs += (r.gpuNs ?? 0) / 1e6;
    s.bytes += r.bytes;
    if (r.flops === undefined) s.flopsKnown = false;
    else s.flops = (s.flops ?? 0) + r.flops;
    if (r.shape && !s.shapes.includes(r.shape)) s.shapes.push(r.shape);
  }
  const summaries = [...byKey.values()].map(({ flopsKnown, ...s }): KernelSummary => {
    const summary: KernelSummary = { ...s, flops: flopsKnown ? s.flops : undefined };
    if (s.gpuMs !== null && s.gpuMs > 0) {
      if (summary.flops !== undefined) summary.gflops = summary.flops / (s.gpuMs * 1e6);
      summary.gigabytesPerSecond = s.bytes / (s.gpuMs * 1e6);
      summary.share = totalGpuMs ? s.gpuMs / totalGpuMs : null;
    } else if (s.gpuMs !== null) {
      summary.share = 0;
    }
    return summary;
  });
  if (totalGpuMs !== null) summaries.sort((a, b) => (b.gpuMs ?? 0) - (a.gpuMs ?? 0));
  return summaries;
}
