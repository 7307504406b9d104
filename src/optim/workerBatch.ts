/**
 * A {@link SolverBatch} whose solvers live in worker threads (Node's worker_threads, Web Workers in a page),
 * so that the optimizer's CPU work scales with the cores while the objective stays where it is (one call
 * per round, in this thread, as with {@link LbfgsbBatch}).
 *
 * Each problem goes to the worker with the fewest problems when it starts and stays there; it has a slot,
 * a row of the point and gradient tables. A round asks the workers to start the problems queued since the
 * last round, packs every pending point (in the order the problems started, as LbfgsbBatch does), calls the
 * objective, hands each worker the values of its solvers and waits for their states and next points. The
 * tables are SharedArrayBuffers where the platform allows (Node; a cross-origin-isolated page), so only slot
 * numbers and f travel; otherwise the rows travel in the messages. The workers run the same LbfgsbSolver on
 * the same values, so every result is bit for bit what LbfgsbBatch gives (test/optim/workerBatch.test.ts).
 *
 * @module
 */

import {
  type BatchedObjective,
  type BatchedSolver,
  type BatchedStart,
  type BatchOptions,
  checkDimension,
  checkEvaluation,
  checkStart,
  LbfgsbBatch,
  type SolverBatch,
} from './batched.ts';
import { checkProblem, type LbfgsbResult, resolveOptions } from './lbfgsb.ts';
import { type Final, type FromWorker, readState, type SharedTables, type SolverState, type StartOrder, type ToWorker } from './workerProtocol.ts';
import { spawnSolverWorker, type WorkerLink } from './spawnWorker.ts';

/** Options of a worker batch. */
export interface WorkerBatchOptions<T> extends BatchOptions<T> {
  /** Worker threads, at least 1. */
  workers: number;
  /** Share the point and gradient tables when SharedArrayBuffer is available (default true); false always copies. */
  shared?: boolean;
  /** Starts a worker; default: the platform's (spawnWorker.ts). */
  spawn?: () => Promise<WorkerLink>;
}

/** Slots the tables start with; they double when more problems are in flight. */
const INITIAL_CAPACITY = 64;

/** The mirror of a solver in a worker. */
class WorkerSolver implements BatchedSolver {
  readonly state: SolverState = {
    status: 'running',
    evaluations: 0,
    iterateEvaluation: 0,
    iterations: 0,
    restarts: 0,
    f: Number.NaN,
    projectedGradientNorm: Number.NaN,
  };
  final: Final | null = null;

  constructor(
    readonly n: number,
    readonly worker: number,
    readonly slot: number,
  ) {}

  get status() {
    return this.state.status;
  }
  get iterations() {
    return this.state.iterations;
  }
  get evaluations() {
    return this.state.evaluations;
  }
  get iterateEvaluation() {
    return this.state.iterateEvaluation;
  }
  get restarts() {
    return this.state.restarts;
  }
  get f() {
    return this.state.f;
  }
  get projectedGradientNorm() {
    return this.state.projectedGradientNorm;
  }
  get x(): Float64Array {
    return Float64Array.from(this.stopped().x);
  }
  get g(): Float64Array {
    return Float64Array.from(this.stopped().g);
  }

  result(): LbfgsbResult {
    const final = this.stopped();
    return {
      x: Float64Array.from(final.x),
      f: this.f,
      g: Float64Array.from(final.g),
      status: this.status,
      iterations: this.iterations,
      evaluations: this.evaluations,
      projectedGradientNorm: this.projectedGradientNorm,
      warnings: final.warnings.slice(),
    };
  }

  private stopped(): Final {
    if (!this.final) throw new Error('L-BFGS-B batch: the x and g of a solver in a worker can be read once it has stopped');
    return this.final;
  }
}

interface Running<T> {
  solver: WorkerSolver;
  tag: T;
}

/** One worker and its requests in flight (a worker answers them in order). */
class Channel {
  private readonly waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;
  /** Problems in flight on this worker. */
  load = 0;

  constructor(
    readonly link: WorkerLink,
    readonly index: number,
  ) {
    link.listen(
      (message) => {
        const next = this.waiting.shift();
        if (message.kind === 'failed') this.fail(new Error(`L-BFGS-B worker ${index}: ${message.message}`), next);
        else next?.resolve(message);
        if (this.waiting.length === 0) link.idle(true);
      },
      (error) => this.fail(new Error(`L-BFGS-B worker ${index} failed: ${error.message}`)),
    );
  }

  /** Sends a message that gets an answer, and waits for it. */
  request(message: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.link.idle(false);
      this.link.post(message, transfer);
    });
  }

  post(message: ToWorker): void {
    this.link.post(message, []);
  }

  private fail(error: Error, first?: { reject: (e: Error) => void }): void {
    this.failure ??= error;
    first?.reject(error);
    for (const w of this.waiting.splice(0)) w.reject(error);
  }
}

/** A batch whose solvers run in worker threads; build it with {@link LbfgsbWorkerBatch.create}. */
export class LbfgsbWorkerBatch<T> implements SolverBatch<T> {
  private running: Running<T>[] = [];
  private readonly bySlot: (WorkerSolver | null)[] = [];
  private readonly freeSlots: number[] = [];
  /** Slots of the solvers handed back by the last round: free from the next round on. */
  private readonly handedBack: number[] = [];
  private queued: { order: StartOrder; solver: WorkerSolver }[] = [];
  private capacity = 0;
  private points: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private gradients: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private packed = new Float64Array(0);
  private evaluationCount = 0;
  private closed = false;

  private constructor(
    readonly dimension: number,
    private readonly channels: Channel[],
    private readonly shared: boolean,
    private readonly afterTell: BatchOptions<T>['afterTell'],
  ) {}

  /**
   * Starts `options.workers` workers and readies them for problems of dimension `dimension`.
   * @throws Error when the dimension, the worker count or a solver option is invalid, or a worker cannot start.
   */
  static async create<T>(dimension: number, options: WorkerBatchOptions<T>): Promise<LbfgsbWorkerBatch<T>> {
    checkDimension(dimension);
    const { workers } = options;
    if (!Number.isSafeInteger(workers) || workers < 1) throw new Error(`L-BFGS-B batch: workers must be a positive integer, got ${workers}`);
    const solverOptions = resolveOptions(options.solver ?? {});
    const spawn = options.spawn ?? spawnSolverWorker;
    const links = await Promise.all(Array.from({ length: workers }, () => spawn()));
    const channels = links.map((link, i) => new Channel(link, i));
    try {
      await Promise.all(channels.map((c) => c.request({ kind: 'init', dimension, options: solverOptions })));
    } catch (error) {
      await Promise.all(links.map((l) => l.terminate()));
      throw error;
    }
    const shared = (options.shared ?? true) && sharedMemoryAvailable();
    return new LbfgsbWorkerBatch<T>(dimension, channels, shared, options.afterTell);
  }

  get workers(): number {
    return this.channels.length;
  }

  /** Whether the point and gradient tables are shared with the workers (else the rows travel in messages). */
  get sharesMemory(): boolean {
    return this.shared;
  }

  get size(): number {
    return this.running.length;
  }

  get evaluations(): number {
    return this.evaluationCount;
  }

  start(problem: BatchedStart, tag: T): BatchedSolver {
    this.checkOpen();
    checkStart(problem, this.dimension);
    const { x0, lower, upper, initial } = problem;
    checkProblem(x0, lower, upper);
    const channel = this.channels.reduce((best, c) => (c.load < best.load ? c : best));
    channel.load++;
    const slot = this.takeSlot();
    const solver = new WorkerSolver(this.dimension, channel.index, slot);
    this.bySlot[slot] = solver;
    // The arrays are copied now: the caller may change its own once start returns.
    const order: StartOrder = { slot, x0: Float64Array.from(x0), lower: lower && Float64Array.from(lower), upper: upper && Float64Array.from(upper) };
    if (initial) {
      order.f = initial.f;
      order.g = Float64Array.from(initial.g);
    }
    this.queued.push({ order, solver });
    this.running.push({ solver, tag });
    return solver;
  }

  async round(evaluate: BatchedObjective<T>): Promise<T[]> {
    this.checkOpen();
    const n = this.dimension;
    for (const slot of this.handedBack) {
      this.bySlot[slot] = null;
      this.freeSlots.push(slot);
    }
    this.handedBack.length = 0;
    if (this.queued.length > 0) await this.startQueued();

    const pending = this.running.filter((e) => e.solver.status === 'running');
    const k = pending.length;
    if (k > 0) {
      if (this.packed.length < k * n) this.packed = new Float64Array(k * n);
      pending.forEach((e, r) => this.packed.set(this.points.subarray(e.solver.slot * n, (e.solver.slot + 1) * n), r * n));
      const values = await evaluate(
        this.packed.subarray(0, k * n),
        pending.map((e) => e.tag),
      );
      checkEvaluation(values, k, n);
      await this.tell(pending, values.f, values.g);
      pending.forEach((e, r) => this.afterTell?.(e.tag, r, e.solver));
      this.evaluationCount += k;
    }

    const stopped: T[] = [];
    this.running = this.running.filter((e) => {
      if (e.solver.status === 'running') return true;
      stopped.push(e.tag);
      this.handedBack.push(e.solver.slot);
      this.channels[e.solver.worker].load--;
      return false;
    });
    return stopped;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.channels.map((c) => c.link.terminate()));
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('L-BFGS-B batch: the batch is closed');
  }

  private takeSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.bySlot.length;
    if (slot >= this.capacity) this.grow(Math.max(INITIAL_CAPACITY, 2 * this.capacity));
    this.bySlot.push(null);
    return slot;
  }

  /** Larger tables, the points of the problems in flight carried over; shared ones are handed to the workers. */
  private grow(capacity: number): void {
    const n = this.dimension;
    const bytes = capacity * n * Float64Array.BYTES_PER_ELEMENT;
    const tables: SharedTables | null = this.shared ? { capacity, points: new SharedArrayBuffer(bytes), gradients: new SharedArrayBuffer(bytes) } : null;
    const points = tables ? new Float64Array(tables.points) : new Float64Array(capacity * n);
    points.set(this.points);
    this.points = points;
    this.gradients = tables ? new Float64Array(tables.gradients) : new Float64Array(0);
    this.capacity = capacity;
    if (tables) for (const c of this.channels) c.post({ kind: 'tables', tables });
  }

  private async startQueued(): Promise<void> {
    const queued = this.queued;
    this.queued = [];
    await Promise.all(
      this.channels.map(async (channel) => {
        const orders = queued.filter((q) => q.solver.worker === channel.index).map((q) => q.order);
        if (orders.length === 0) return;
        const transfer = orders.flatMap((o) => [o.x0.buffer, o.lower?.buffer, o.upper?.buffer, o.g?.buffer].filter((b): b is ArrayBuffer => b !== undefined));
        this.apply(await channel.request({ kind: 'start', orders }, transfer));
      }),
    );
  }

  private async tell(pending: Running<T>[], f: ArrayLike<number>, g: Float64Array): Promise<void> {
    const n = this.dimension;
    await Promise.all(
      this.channels.map(async (channel) => {
        const rows: number[] = [];
        pending.forEach((e, r) => {
          if (e.solver.worker === channel.index) rows.push(r);
        });
        if (rows.length === 0) return;
        const slots = Int32Array.from(rows, (r) => pending[r].solver.slot);
        const values = Float64Array.from(rows, (r) => f[r]);
        let gRows: Float64Array<ArrayBuffer> | null = null;
        if (this.shared) rows.forEach((r, q) => this.gradients.set(g.subarray(r * n, (r + 1) * n), slots[q] * n));
        else {
          gRows = new Float64Array(rows.length * n);
          rows.forEach((r, q) => gRows!.set(g.subarray(r * n, (r + 1) * n), q * n));
        }
        const transfer: ArrayBuffer[] = gRows ? [slots.buffer, values.buffer, gRows.buffer] : [slots.buffer, values.buffer];
        this.apply(await channel.request({ kind: 'tell', slots, f: values, g: gRows }, transfer));
      }),
    );
  }

  /** A worker's answer: the solvers' states, the next points (when they travel in the message), the finals. */
  private apply(message: FromWorker): void {
    if (message.kind !== 'states') throw new Error(`L-BFGS-B batch: a worker answered '${message.kind}' to a round`);
    const n = this.dimension;
    let row = 0;
    message.slots.forEach((slot, r) => {
      const solver = this.bySlot[slot]!;
      readState(message.states, r, solver.state);
      if (solver.state.status === 'running' && message.points) {
        this.points.set(message.points.subarray(row * n, (row + 1) * n), slot * n);
        row++;
      }
    });
    for (const final of message.finals) this.bySlot[final.slot]!.final = final;
  }
}

/** Whether a SharedArrayBuffer can be posted to a worker here: in Node, and in a cross-origin-isolated page. */
function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

/** Worker threads for a batch: a count (0: in the calling thread), or 'auto' (see {@link createSolverBatch}). */
export type WorkerCount = number | 'auto';

/** The most workers 'auto' starts. */
const AUTO_WORKERS_MAX = 16;

/** Options of {@link createSolverBatch}. */
export type SolverBatchOptions<T> = BatchOptions<T> & Omit<Partial<WorkerBatchOptions<T>>, 'workers'> & { workers?: WorkerCount };

/**
 * A batch for problems of dimension n: in this thread when `workers` is 0 (the default), over that many
 * worker threads otherwise. 'auto' starts one worker per core the platform reports (at most 16), none on a
 * single core; should no worker start (a bundler that did not ship the worker file, say), it runs the
 * solvers in this thread instead.
 * @throws Error when the options are invalid, or when a given number of workers cannot start.
 */
export async function createSolverBatch<T>(dimension: number, options: SolverBatchOptions<T> = {}): Promise<SolverBatch<T>> {
  const { workers = 0 } = options;
  if (workers === 'auto') {
    // A bad dimension or option must throw, not fall back: check them before starting anything.
    const inThread = new LbfgsbBatch<T>(dimension, options);
    const cores = Math.min(await availableCores(), AUTO_WORKERS_MAX);
    if (cores <= 1) return inThread;
    try {
      return await LbfgsbWorkerBatch.create<T>(dimension, { ...options, workers: cores });
    } catch {
      return inThread;
    }
  }
  if (workers === 0) return new LbfgsbBatch<T>(dimension, options);
  return LbfgsbWorkerBatch.create<T>(dimension, { ...options, workers });
}

/** Logical cores: navigator.hardwareConcurrency in a page, os.availableParallelism() in Node. */
async function availableCores(): Promise<number> {
  const fromNavigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (fromNavigator) return fromNavigator;
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') return 1;
  const osName = 'node:os';
  const os = (await import(/* @vite-ignore */ osName)) as typeof import('node:os');
  return os.availableParallelism();
}
