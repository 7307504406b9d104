/**
 * The GPU runtime: one device, a pipeline cache, pooled buffers, per-dispatch uniforms and one command
 * encoder that collects dispatches and is submitted in batches and before every readback. There is no
 * global engine: every tensor belongs to the engine that made it, so two engines can live side by side.
 */
import { acquireDevice, type AdapterDescription, type AdapterOptions } from './device.ts';
import { BufferPool, type PoolStats } from './bufferPool.ts';
import {
  DeviceLostError,
  EngineDisposedError,
  GpuValidationError,
  KernelCompileError,
  KernelLimitError,
} from './errors.ts';
import { ArgumentChecks, type ArgumentCheck, type PendingChecks } from './argumentChecks.ts';
import { assembleKernel, ShaderIncludeError, workgroupInvocations, type AssembledKernel } from './shaderSources.ts';
import { UniformArena } from './uniformArena.ts';
import { WaitPacer } from './waitPacer.ts';
import { DispatchProfiler, type DispatchCost, type DispatchRecord, type Profile } from './profiler.ts';

/** Pipeline-overridable constants of a kernel (WGSL `override` declarations). */
export type KernelConstants = Record<string, number>;

/** A compiled kernel: a pipeline plus the name used in errors and profiles. */
export interface Kernel {
  /** `file` or `file#entry` plus the constants, e.g. `matmul_blocked{TILE_M:4}`. */
  readonly name: string;
  readonly file: string;
  readonly pipeline: GPUComputePipeline;
  readonly workgroupInvocations: number;
  /** Resolves once the compiler accepted the kernel; rejects with a {@link KernelCompileError}. */
  readonly ready: Promise<void>;
}

/** One storage binding: a whole buffer, or the first `size` bytes of it. */
export type Binding = GPUBuffer | { buffer: GPUBuffer; size: number; offset?: number };

export interface DispatchOptions {
  /** Packed uniform struct for binding 0 (every kernel reads its shape and scalars from there). */
  uniforms: ArrayBufferView;
  /** Storage buffers for bindings 1, 2, ... in the order the kernel declares them. */
  bindings: Binding[];
  /** Workgroup counts; see {@link Engine.grid} for 1-D work larger than one dimension allows. */
  workgroups: [number, number?, number?];
  /**
   * What the dispatch costs, for profiles. Build it only while {@link Engine.profiling} is true
   * (`cost: engine.profiling ? {...} : undefined`), so that dispatching stays free of allocations otherwise.
   */
  cost?: DispatchCost;
}

export interface EngineOptions extends AdapterOptions {
  /** Dispatches per submitted command buffer; smaller keeps the GPU fed sooner, larger costs less CPU. */
  dispatchesPerSubmit?: number;
  /**
   * Fill every buffer handed out by the pool with NaN first, so a kernel that leaves an output element
   * unwritten is caught by the tests. Costs one upload per allocation; for testing.
   */
  poisonBuffers?: boolean;
  /**
   * Extra or replacement sources by file name (without `.wgsl`), for experiments and tests: `name` is a
   * kernel file, `lib/name` a library file that `// #include "name"` resolves to (see shaderSources.ts).
   */
  shaders?: Record<string, string>;
  /**
   * Sleep through most of each GPU wait before polling for its end (see waitPacer.ts). Dawn's Node binding
   * polls by spinning the event loop while a read or sync is pending, which on a CPU adapter takes a core
   * from the emulated GPU. Default: on in Node, off in a browser (which does not spin).
   */
  pacedWaits?: boolean;
}

/** Memory counters; a long loop that frees what it makes keeps these flat. */
export interface MemoryStats extends PoolStats {
  uniformBytes: number;
  /** Bytes of the words kernels flag bad index arguments in (see {@link Engine.argumentCheck}). */
  argumentCheckBytes: number;
  pipelines: number;
}

const STORAGE_USAGE = GPUBufferUsageFlagsFor('storage');
const STAGING_USAGE = GPUBufferUsageFlagsFor('staging');

function GPUBufferUsageFlagsFor(kind: 'storage' | 'staging'): () => number {
  // GPUBufferUsage is a global only once the platform (browser or Dawn) has installed it.
  return kind === 'storage'
    ? () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST
    : () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
}

export class Engine {
  /** What the adapter is, its limits and features. */
  readonly adapter: AdapterDescription;
  /** How the adapter was found. */
  readonly notes: string[];
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;

  private readonly storage: BufferPool;
  private readonly staging: BufferPool;
  private readonly uniforms: UniformArena;
  private readonly argumentChecks: ArgumentChecks;
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, Kernel>();
  private readonly dispatchesPerSubmit: number;
  private readonly poisonBuffers: boolean;
  private readonly extraShaders: Record<string, string>;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private kernelsInBatch = new Set<string>();
  private dispatchesInBatch = 0;
  private pendingChecks: Promise<void>[] = [];
  private failure: Error | null = null;
  private disposed = false;
  private lost: DeviceLostError | null = null;
  private dispatchCount = 0;
  /** {@link dispatchCount} when the last wait began: the dispatches a wait covers are those since. */
  private dispatchesAtLastWait = 0;
  private waitedMs = 0;
  /** Reads and syncs awaited right now, and since when one has been: overlapping waits count once. */
  private waiting = 0;
  private waitingSince = 0;
  private profiler: DispatchProfiler | null = null;
  private profileStarted = 0;
  private readonly pacer: WaitPacer | null;

  private constructor(
    acquired: { device: GPUDevice; info: AdapterDescription; notes: string[] },
    options: EngineOptions,
  ) {
    this.device = acquired.device;
    this.adapter = acquired.info;
    this.notes = acquired.notes;
    this.limits = this.device.limits;
    this.dispatchesPerSubmit = options.dispatchesPerSubmit ?? 64;
    this.poisonBuffers = options.poisonBuffers ?? false;
    this.extraShaders = { ...options.shaders };
    this.pacer = (options.pacedWaits ?? acquired.info.platform === 'node') ? new WaitPacer() : null;
    this.storage = new BufferPool(this.device, STORAGE_USAGE(), 'tensor');
    this.staging = new BufferPool(this.device, STAGING_USAGE(), 'readback');
    this.uniforms = new UniformArena(this.device, this.limits.minUniformBufferOffsetAlignment);
    this.argumentChecks = new ArgumentChecks(this.device, this.limits.minStorageBufferOffsetAlignment);
    this.device.lost.then((info) => {
      if (!this.disposed) this.lost = new DeviceLostError(String(info.reason), info.message);
    });
    this.device.addEventListener('uncapturederror', (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      this.fail(new GpuValidationError([...this.kernelsInBatch], error.message));
    });
  }

  /** Acquire a device (see {@link AdapterOptions}) and build an engine on it. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    const acquired = await acquireDevice(options);
    return new Engine(acquired, options);
  }

  /** Build an engine on a device the caller already has (for embedding next to other WebGPU code). */
  static fromDevice(device: GPUDevice, adapter: AdapterDescription, options: EngineOptions = {}): Engine {
    return new Engine({ device, info: adapter, notes: ['device supplied by the caller'] }, options);
  }

  // ---------------------------------------------------------------- kernels

  /**
   * The pipeline for `shaders/<file>.wgsl` (entry point `main`, or `file#entry`) specialized with
   * `constants`; cached, so asking again is cheap. Creation does not wait for the compiler: a compile
   * error surfaces as a {@link KernelCompileError} (kernel, file, line) from `kernel.ready`, from
   * {@link compile}, and at the next sync point after the kernel was dispatched; an `// #include` that
   * cannot be resolved throws a {@link KernelCompileError} at once. Errors inside an included library file
   * name that file (`shaders/lib/<name>.wgsl`) and its own line.
   */
  kernel(file: string, constants: KernelConstants = {}): Kernel {
    const key = kernelKey(file, constants);
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    this.checkAlive();
    const [fileName, entryPoint = 'main'] = file.split('#');
    const invocations = workgroupInvocations(this.source(fileName, key).code, constants);
    if (invocations > this.limits.maxComputeInvocationsPerWorkgroup) {
      throw new KernelLimitError(
        key,
        `workgroup of ${invocations} invocations exceeds this adapter's maxComputeInvocationsPerWorkgroup of ${this.limits.maxComputeInvocationsPerWorkgroup}`,
      );
    }
    const moduleReady = this.module(fileName);
    this.device.pushErrorScope('validation');
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: 'auto',
      compute: { module: this.modules.get(fileName)!, entryPoint, constants },
    });
    const pipelineScope = this.device.popErrorScope();
    const path = `shaders/${fileName}.wgsl`;
    const ready = Promise.all([moduleReady, pipelineScope]).then(([moduleError, pipelineError]) => {
      if (moduleError) {
        // The compiler counts lines of the assembled module; name the kernel or library file they are in.
        const at = this.source(fileName, key).locate(moduleError.line);
        throw new KernelCompileError(key, at.file, at.line, moduleError.message);
      }
      if (pipelineError) throw new KernelCompileError(key, path, 0, pipelineError.message);
    });
    // Observed by whoever dispatches or compiles the kernel; never an unhandled rejection by itself.
    ready.catch(() => undefined);
    const kernel: Kernel = { name: key, file: fileName, pipeline, workgroupInvocations: invocations, ready };
    this.pipelines.set(key, kernel);
    return kernel;
  }

  /** {@link kernel}, waiting for the compiler: throws a {@link KernelCompileError} with file and line. */
  async compile(file: string, constants: KernelConstants = {}): Promise<Kernel> {
    const kernel = this.kernel(file, constants);
    await kernel.ready;
    return kernel;
  }

  /** The shader module of a file, created once; resolves to its first compile error, or null. */
  private module(file: string): Promise<{ line: number; message: string } | null> {
    let check = this.moduleChecks.get(file);
    if (!check) {
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ label: `shaders/${file}.wgsl`, code: this.source(file, file).code });
      const scope = this.device.popErrorScope();
      this.modules.set(file, module);
      check = Promise.all([module.getCompilationInfo(), scope]).then(([info, scopeError]) => {
        const error = info.messages.find((m) => m.type === 'error');
        if (error) return { line: error.lineNum, message: error.message };
        return scopeError ? { line: 0, message: scopeError.message } : null;
      });
      this.moduleChecks.set(file, check);
    }
    return check;
  }

  private readonly moduleChecks = new Map<string, Promise<{ line: number; message: string } | null>>();
  /** Kernels whose compilation is known to have succeeded. */
  private readonly verifiedKernels = new WeakSet<Kernel>();
  /** Kernels dispatched before their compilation was confirmed; checked at the next sync point. */
  private unverifiedDispatched = new Set<Kernel>();

  private readonly sources = new Map<string, AssembledKernel>();

  /**
   * The kernel file with its includes appended (once per file). An include that cannot be resolved is a
   * {@link KernelCompileError} pointing at the directive, thrown before anything reaches the GPU.
   */
  private source(file: string, kernel: string): AssembledKernel {
    let assembled = this.sources.get(file);
    if (!assembled) {
      try {
        assembled = assembleKernel(file, this.extraShaders);
      } catch (error) {
        if (error instanceof ShaderIncludeError) throw new KernelCompileError(kernel, error.file, error.line, error.detail);
        throw error;
      }
      this.sources.set(file, assembled);
    }
    return assembled;
  }

  // ---------------------------------------------------------------- buffers

  /** A pooled storage buffer of at least `bytes` bytes (contents unspecified). */
  acquireBuffer(bytes: number): GPUBuffer {
    this.checkAlive();
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new KernelLimitError(
        'allocation',
        `${bytes} bytes exceed this adapter's maxStorageBufferBindingSize of ${this.limits.maxStorageBufferBindingSize}`,
      );
    }
    const buffer = this.storage.acquire(bytes);
    if (this.poisonBuffers) {
      this.device.queue.writeBuffer(buffer, 0, new Float32Array(buffer.size / 4).fill(Number.NaN));
    }
    return buffer;
  }

  /** Return a buffer to the pool; it is reused only after the work that reads it has been submitted. */
  releaseBuffer(buffer: GPUBuffer): void {
    if (this.disposed) return;
    this.storage.release(buffer);
  }

  /** Upload data into a buffer now (ordered before any dispatch encoded after this call is submitted). */
  writeBuffer(buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    this.checkAlive();
    this.device.queue.writeBuffer(buffer, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copy `size` bytes between buffers as part of the current batch. */
  copyBuffer(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, size: number): void {
    this.checkAlive();
    this.endPass();
    this.currentEncoder().copyBufferToBuffer(source, sourceOffset, target, targetOffset, size);
  }

  /**
   * The binding (one `atomic<u32>` word) in which a kernel flags elements of an index argument that fail
   * `check`, by `atomicMin` of their position. The next {@link read} or {@link sync} throws a
   * {@link KernelArgumentError} naming the op, the argument and the smallest flagged position.
   */
  argumentCheck(check: ArgumentCheck): Binding {
    this.checkAlive();
    return this.argumentChecks.binding(check);
  }

  /**
   * Milliseconds during which this engine's callers were waiting for the GPU, in reads and syncs (from
   * submitting the work to holding its results): how much of a loop's time is GPU wait. Waits that overlap
   * (reads awaited together) count once, so it never exceeds the wall time.
   */
  get gpuWaitMs(): number {
    return this.waitedMs + (this.waiting > 0 ? performance.now() - this.waitingSince : 0);
  }

  /**
   * Of {@link gpuWaitMs}, the milliseconds the calling thread slept before polling (paced waits, see
   * {@link EngineOptions.pacedWaits}); 0 when waits are not paced.
   */
  get gpuSleepMs(): number {
    return this.pacer?.slept ?? 0;
  }

  /** Waits for what `start` asks of the GPU (work submitted just before), paced by the {@link WaitPacer}. */
  private async waitForGpu<T>(start: () => Promise<T>): Promise<T> {
    const began = performance.now();
    if (this.waiting++ === 0) this.waitingSince = began;
    const dispatches = this.dispatchCount - this.dispatchesAtLastWait;
    this.dispatchesAtLastWait = this.dispatchCount;
    try {
      if (!this.pacer) return await start();
      await this.pacer.pause(dispatches);
      const polling = performance.now();
      const result = await start();
      const settled = performance.now();
      this.pacer.observe(settled - began, dispatches, settled - polling);
      return result;
    } finally {
      if (--this.waiting === 0) this.waitedMs += performance.now() - this.waitingSince;
    }
  }

  memory(): MemoryStats {
    return {
      ...this.storage.stats(),
      uniformBytes: this.uniforms.bytesAllocated,
      argumentCheckBytes: this.argumentChecks.bytesAllocated,
      pipelines: this.pipelines.size,
    };
  }

  /** Free pooled buffers that are not in use. */
  trim(): void {
    this.flush();
    this.storage.trim();
    this.staging.trim();
  }

  // ---------------------------------------------------------------- dispatch

  /** Encode one dispatch into the current batch. Checks the adapter's limits first. */
  dispatch(kernel: Kernel, options: DispatchOptions): void {
    this.checkAlive();
    const [x, y = 1, z = 1] = options.workgroups;
    const maxGroups = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxGroups || y > maxGroups || z > maxGroups) {
      throw new KernelLimitError(
        kernel.name,
        `dispatch of ${x}×${y}×${z} workgroups exceeds this adapter's maxComputeWorkgroupsPerDimension of ${maxGroups}`,
      );
    }
    if (!this.verifiedKernels.has(kernel)) this.unverifiedDispatched.add(kernel);
    const entries: GPUBindGroupEntry[] = [];
    const slice = this.uniforms.push(options.uniforms);
    entries.push({ binding: 0, resource: { buffer: slice.buffer, offset: slice.offset, size: slice.size } });
    options.bindings.forEach((binding, index) => {
      const resource = 'buffer' in binding ? binding : { buffer: binding };
      const size = 'size' in resource && resource.size !== undefined ? resource.size : resource.buffer.size;
      if (size > this.limits.maxStorageBufferBindingSize) {
        throw new KernelLimitError(
          kernel.name,
          `binding ${index + 1} of ${size} bytes exceeds maxStorageBufferBindingSize (${this.limits.maxStorageBufferBindingSize})`,
        );
      }
      entries.push({ binding: index + 1, resource });
    });
    // Until a kernel is known to compile, its bind group is made inside an error scope: an invalid
    // pipeline would otherwise raise an uncaptured error that some browsers deliver after the compile
    // error was reported, blaming unrelated later work.
    const verified = this.verifiedKernels.has(kernel);
    if (!verified) this.device.pushErrorScope('validation');
    const bindGroup = this.device.createBindGroup({
      label: kernel.name,
      layout: kernel.pipeline.getBindGroupLayout(0),
      entries,
    });
    if (!verified) {
      this.pendingChecks.push(
        this.device.popErrorScope().then((error) => {
          if (error) this.fail(new GpuValidationError([kernel.name], error.message));
        }),
      );
    }
    const profiler = this.profiler;
    let pass: GPUComputePassEncoder;
    if (profiler) {
      // A pass of its own, whose beginning and end timestamps time this dispatch alone.
      if (profiler.full) this.flush();
      this.endPass();
      pass = this.currentEncoder().beginComputePass(profiler.passDescriptor(this.profileRecord(kernel, options, [x, y, z])));
      this.pass = pass;
    } else {
      pass = this.currentPass();
    }
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup);
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    if (profiler) this.endPass();
    this.kernelsInBatch.add(kernel.name);
    this.dispatchCount++;
    if (++this.dispatchesInBatch >= this.dispatchesPerSubmit) this.flush();
  }

  /**
   * Workgroup counts covering `invocations` threads of `workgroupSize` each, folded into two dimensions
   * when one would exceed the adapter's limit. Kernels recover the linear index as
   * `gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE`.
   */
  grid(invocations: number, workgroupSize: number): [number, number] {
    const groups = Math.ceil(invocations / workgroupSize);
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (groups <= max) return [groups, 1];
    const rows = Math.ceil(groups / max);
    return [Math.ceil(groups / rows), rows];
  }

  /** Total dispatches encoded so far (for benchmarks and tests of batching). */
  get dispatches(): number {
    return this.dispatchCount;
  }

  // ---------------------------------------------------------------- profiling

  /** Whether a profile is open: ops then describe their dispatches' cost (see {@link DispatchOptions.cost}). */
  get profiling(): boolean {
    return this.profiler !== null;
  }

  /**
   * Open a profile: from now until {@link stopProfile} every dispatch is recorded with its kernel, variant,
   * shapes, FLOP and byte counts and, where the adapter offers `timestamp-query`, its GPU time. Each
   * dispatch then runs in a compute pass of its own, which costs a little; time the work unprofiled.
   */
  startProfile(): void {
    this.checkAlive();
    if (this.profiler) throw new Error('startProfile: a profile is already open on this engine');
    this.flush();
    this.profiler = new DispatchProfiler(this.device, this.dispatchesPerSubmit, this.adapter.platform);
    this.profileStarted = performance.now();
  }

  /**
   * Wait for the GPU to finish the profiled work, close the profile and return it: every dispatch and the
   * sums per kernel and variant, the wall time since {@link startProfile} and the share of it the GPU was
   * busy with this engine's dispatches.
   */
  async stopProfile(): Promise<Profile> {
    const profiler = this.profiler;
    if (!profiler) throw new Error('stopProfile: no profile is open (call startProfile first)');
    try {
      await this.sync();
    } finally {
      this.profiler = null;
    }
    return profiler.finish(performance.now() - this.profileStarted);
  }

  /** Run `work` (and wait for what it dispatched) inside a profile; see {@link startProfile}. */
  async profile<T>(work: () => T | Promise<T>): Promise<{ result: T; profile: Profile }> {
    this.startProfile();
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.stopProfile().catch(() => undefined);
      throw error;
    }
    return { result, profile: await this.stopProfile() };
  }

  private profileRecord(kernel: Kernel, options: DispatchOptions, workgroups: [number, number, number]): DispatchRecord {
    const cost = options.cost;
    const braces = kernel.name.indexOf('{');
    // The name is `file`, or `file#entry`, then `{NAME:value,...}` when specialized.
    return {
      kernel: braces < 0 ? kernel.name : kernel.name.slice(0, braces),
      variant: braces < 0 ? '' : kernel.name.slice(braces + 1, -1),
      shape: cost?.shape,
      workgroups,
      flops: cost?.flops,
      bytes: cost?.bytes ?? options.bindings.reduce((sum, binding) => sum + binding.size, 0),
      gpuNs: null,
    };
  }

  /** Submit everything encoded so far. Errors found later are thrown at the next {@link sync} or read. */
  flush(): void {
    if (this.disposed || this.lost) return;
    this.endPass();
    if (!this.encoder && this.kernelsInBatch.size === 0) {
      this.uniforms.upload(this.device.queue);
      this.uniforms.submitted();
      this.storage.submitted();
      return;
    }
    const kernels = [...this.kernelsInBatch];
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    this.uniforms.upload(this.device.queue);
    if (this.encoder) {
      this.profiler?.encodeResolve(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      this.profiler?.submitted();
    }
    const validation = this.device.popErrorScope();
    const memory = this.device.popErrorScope();
    this.pendingChecks.push(
      Promise.all([validation, memory]).then(([v, m]) => {
        const error = v ?? m;
        if (error) this.fail(new GpuValidationError(kernels, error.message));
      }),
    );
    this.encoder = null;
    this.kernelsInBatch = new Set();
    this.dispatchesInBatch = 0;
    this.uniforms.submitted();
    this.storage.submitted();
    this.staging.submitted();
  }

  /** Submit and wait for the GPU to finish; throws any error the work produced. */
  async sync(): Promise<void> {
    this.checkAlive();
    const checks = this.argumentChecks.take();
    if (checks) {
      // Argument checks need their words read back; an empty read carries them.
      await this.readWithChecks(null, 0, 0, checks);
      return;
    }
    this.flush();
    await this.waitForGpu(() => this.device.queue.onSubmittedWorkDone());
    await this.settleChecks();
  }

  /**
   * Read `byteLength` bytes of a buffer back to the CPU, after all work encoded before this call. Throws
   * any error that work produced, a {@link KernelArgumentError} included.
   */
  async read(buffer: GPUBuffer, byteLength: number, byteOffset = 0): Promise<ArrayBuffer> {
    this.checkAlive();
    return this.readWithChecks(buffer, byteLength, byteOffset, this.argumentChecks.take());
  }

  /** {@link read}, with the words of `checks` copied after the data in the same staging buffer. */
  private async readWithChecks(buffer: GPUBuffer | null, byteLength: number, byteOffset: number, checks: PendingChecks | null): Promise<ArrayBuffer> {
    const copyBytes = Math.ceil(byteLength / 4) * 4;
    // Mapped ranges start at multiples of 8.
    const checksOffset = Math.ceil(copyBytes / 8) * 8;
    const totalBytes = checks ? checksOffset + checks.bytes : copyBytes;
    const staging = this.staging.acquire(totalBytes);
    this.endPass();
    if (buffer) this.currentEncoder().copyBufferToBuffer(buffer, byteOffset, staging, 0, copyBytes);
    if (checks) checks.encode(this.currentEncoder(), staging, checksOffset);
    this.flush();
    checks?.reset();
    try {
      await this.waitForGpu(() => staging.mapAsync(GPUMapMode.READ, 0, totalBytes));
    } catch (error) {
      await this.settleChecks();
      this.checkAlive();
      throw new GpuValidationError([], `readback failed: ${(error as Error).message}`);
    }
    const mapped = staging.getMappedRange(0, totalBytes);
    const result = mapped.slice(0, byteLength);
    const argumentError = checks ? checks.verdict(new Uint32Array(mapped.slice(checksOffset, totalBytes))) : null;
    staging.unmap();
    this.staging.release(staging);
    await this.settleChecks();
    if (argumentError) throw argumentError;
    return result;
  }

  /**
   * Release every GPU resource. The engine cannot be used afterwards. The promise settles once the device
   * is gone; await it before a Node process exits (Dawn can abort if the process ends mid-teardown).
   */
  dispose(): Promise<void> {
    if (this.disposed) return this.closed;
    this.disposed = true;
    this.profiler?.release();
    this.profiler = null;
    this.storage.destroyAll();
    this.staging.destroyAll();
    this.uniforms.destroyAll();
    this.argumentChecks.destroy();
    this.pipelines.clear();
    this.modules.clear();
    this.device.destroy();
    this.closed = this.device.lost.then(() => undefined);
    return this.closed;
  }

  private closed: Promise<void> = Promise.resolve();

  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---------------------------------------------------------------- internals

  private currentEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'blindspot-batch' });
    return this.encoder;
  }

  private currentPass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.currentEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private async settleChecks(): Promise<void> {
    const checks = this.pendingChecks.splice(0);
    const dispatched = [...this.unverifiedDispatched];
    this.unverifiedDispatched = new Set();
    await Promise.allSettled(checks);
    // A broken kernel also invalidates the batch it was in; report the cause, not the consequence.
    for (const kernel of dispatched) {
      try {
        await kernel.ready;
        this.verifiedKernels.add(kernel);
      } catch (error) {
        this.failure = null;
        throw error;
      }
    }
    const failure = this.failure;
    if (failure) {
      this.failure = null;
      throw failure;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
  }

  private checkAlive(): void {
    if (this.disposed) throw new EngineDisposedError();
    if (this.lost) throw this.lost;
  }
}

function kernelKey(file: string, constants: KernelConstants): string {
  const keys = Object.keys(constants).sort();
  return keys.length ? `${file}{${keys.map((k) => `${k}:${constants[k]}`).join(',')}}` : file;
}
