/**
 * The vocabulary of the benchmark suite, shared by workloads, contestants, the harness, the report, the
 * page and the Node runner. Plain data only (results must survive JSON and puppeteer's page boundary).
 */
import type { KernelSummary, Profile } from '../src/gpu/profiler.ts';

/** An f32 array with its shape, row-major: how inputs and outputs travel between contestants. */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** Named tensors: a workload's inputs, or what a contestant read back for the correctness gate. */
export type TensorSet = Record<string, TensorData>;

/**
 * Which implementation of a workload a contestant uses (tfjs's backends all share the tfjs one). `serial` is
 * blindspot solving a batched workload's problems one at a time: the baseline of the batched workloads.
 */
export type Family = 'blindspot' | 'tfjs' | 'jaxjs' | 'gpujs' | 'serial';

/**
 * One prepared workload on one contestant: its inputs are uploaded, its state lives where the contestant
 * keeps it. The harness times `iterations × run()` followed by one sync.
 */
export interface Instance {
  /** Enqueue one iteration. Must not wait for the GPU (the harness syncs once per repetition). */
  run(): void | Promise<void>;
  /**
   * Wait until everything `run` enqueued has finished on the device. Optional: without it the
   * contestant's own sync is used (see {@link LoadedContestant.sync}).
   */
  sync?(): Promise<void>;
  /** Read back the result of the last run, in the workload's canonical layout, for the correctness gate. */
  read(): Promise<TensorSet>;
  /** Free everything the instance holds. */
  dispose(): void;
  /** Something a reader of the results should know (e.g. a fallback the implementation took). */
  note?: string;
  /**
   * Items one run processes, when this contestant does fewer than the workload's count: a slow baseline
   * timed on a sample (say one-at-a-time solves of the first 10 problems). Throughput and ratios are then
   * per item.
   */
  items?: number;
  /** What the runs so far counted and where their time went, cumulative (see {@link Tally}). */
  tally?(): Tally;
}

/**
 * Work an instance counts itself, for workloads whose item count alone does not tell the story (an
 * optimizer's iterations and evaluations), and how its wall time splits into disjoint parts (optimizer CPU,
 * GPU wait, ...). Cumulative since the instance was made; the harness takes the difference over each
 * timed repetition.
 */
export interface Tally {
  /** Counted work by name, e.g. `iterations`; reported per second. */
  counts: Record<string, number>;
  /** Milliseconds by disjoint part of the run, e.g. `L-BFGS-B CPU`; reported as shares of the wall time. */
  ms: Record<string, number>;
}

/** Builds an instance of a workload for one family, given the contestant's environment. */
export type Implementation<Env> = (env: Env, inputs: TensorSet) => Promise<Instance>;

/** A benchmark with a fixed definition: shapes, batch, iterations per repetition and work per iteration. */
export interface Workload {
  /** Stable id used on the command line and in results, e.g. `matmul-512`. */
  id: string;
  title: string;
  group: 'kernel' | 'training' | 'attack';
  /** The definition in words: what is computed, shapes and layouts, what counts as one item. */
  description: string;
  /** Runs of the workload per timed repetition (one sync at the end of the repetition). */
  iterations: number;
  /** Floating-point operations of one iteration (multiply-add = 2), when the work is FLOP-shaped. */
  flops?: number;
  /** Items (examples, images) one iteration processes, with their unit, for items/s. */
  items?: { count: number; unit: string };
  /** Part of the `--quick` suite. */
  quick: boolean;
  /** Largest accepted max|a − ref| / max(|ref|, |a|) per output against the reference contestant. */
  tolerance: number;
  /** Deterministic inputs (canonical layouts) from a seed. */
  inputs(seed: number): TensorSet;
  implementations: Partial<{
    blindspot: Implementation<BlindspotEnv>;
    tfjs: Implementation<TfjsEnv>;
    jaxjs: Implementation<JaxjsEnv>;
    gpujs: Implementation<GpujsEnv>;
    serial: Implementation<BlindspotEnv>;
  }>;
}

// ------------------------------------------------------------------ contestants

/** Thrown when a contestant or an op it needs is missing (reported as 'unavailable', never a crash). */
export class NotAvailableError extends Error {
  override readonly name = 'NotAvailableError';
}

/** What a loaded contestant exposes to the harness. */
export interface LoadedContestant<Env = unknown> {
  env: Env;
  /** Versions, backend, threads, flags set: one line each, shown in the results. */
  notes: string[];
  /** How a repetition is synchronized with the device (shown in the results). */
  syncMethod: string;
  /** The WebGPU adapter, when the contestant runs on one. */
  adapter?: AdapterSummary;
  /** Make this contestant the active one (tfjs has one active backend at a time). */
  activate(): Promise<void>;
  /**
   * Run `work` (one repetition, synced) in the contestant's profiling mode, where it has one: every
   * dispatch with its GPU time (blindspot: Engine.profile).
   */
  profile?(work: () => Promise<void>): Promise<Profile>;
  /** The adapter's peak FLOP rate, measured at load with the peak probe (blindspot: src/gpu/peakProbe.ts). */
  peak?: PeakSummary;
  /** Wait for every enqueued operation of this contestant to finish. */
  sync(): Promise<void>;
  dispose(): Promise<void>;
}

export interface Contestant<Env = unknown> {
  id: string;
  family: Family;
  /** One-line description for tables. */
  label: string;
  /** Loads libraries and acquires devices; throws (preferably NotAvailableError) when it cannot. */
  load(): Promise<LoadedContestant<Env>>;
}

/** The adapter as plain data (a subset of blindspot's AdapterDescription, also filled for tfjs). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
  isSwiftShader?: boolean;
}

/** Environment handed to blindspot implementations. */
export interface BlindspotEnv {
  engine: import('../src/gpu/engine.ts').Engine;
  /** Force the matmul and conv kernel variant (contestants blindspot-blocked / -tiled); default: the engine picks by adapter. */
  variant?: 'blocked' | 'tiled';
}

/** Environment handed to tfjs implementations: the tfjs namespace with the contestant's backend active. */
export interface TfjsEnv {
  tf: typeof import('@tensorflow/tfjs');
  backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu';
}

/** Environment handed to jax-js implementations: the module, and the device every array and jit goes to. */
export interface JaxjsEnv {
  jax: typeof import('@jax-js/jax');
  device: 'webgpu' | 'wasm';
}

/** Environment handed to gpu.js implementations. */
export interface GpujsEnv {
  /** A `GPU` instance of gpu.js (typed loosely: gpu.js's typings are not worth importing here). */
  gpu: GpujsGpu;
  mode: string;
  /** gpu.js's `input(data, [width, height])`: a flat array viewed as a 2-D kernel argument. */
  input: (data: Float32Array, size: number[]) => unknown;
}

/** The part of gpu.js's API the workloads use. */
export interface GpujsGpu {
  createKernel(fn: (...args: never[]) => number, settings?: Record<string, unknown>): GpujsKernel;
  destroy(): void;
}
export interface GpujsKernel {
  (...args: unknown[]): unknown;
  setOutput(output: number[]): GpujsKernel;
  destroy(): void;
}

// ------------------------------------------------------------------ results

/** What happened to one (workload, contestant) pair. */
export type CellStatus = 'ok' | 'wrong result' | 'error' | 'unavailable' | 'not implemented';

export interface CorrectnessCheck {
  /** The contestant whose outputs were the reference. */
  reference: string;
  /** Worst output: max|a − ref| and that divided by max(|ref|, |a|). */
  maxAbsError: number;
  relError: number;
  /** Output with the largest relative error. */
  worstOutput: string;
  tolerance: number;
}

export interface Cell {
  contestant: string;
  status: CellStatus;
  /** Why it is not 'ok' (error message, missing op, the max error of a wrong result). */
  reason?: string;
  check?: CorrectnessCheck;
  /** First run, including compilation and upload of pipelines: excluded from the statistics. */
  firstRunMs?: number;
  /** Per-iteration milliseconds of each timed repetition, in the order they ran. */
  repMs: number[];
  /** Which repetition round each entry of repMs came from (rounds interleave contestants). */
  repRounds: number[];
  /** Statistics of the per-iteration time over repetitions. */
  ms?: Stats;
  /** Throughput from the per-iteration time: items/s when the workload counts items, else GFLOP/s. */
  throughput?: Stats & { unit: string };
  /** GFLOP/s, when the workload has a FLOP count. */
  gflops?: Stats;
  /** From the implementation (see Instance.note). */
  note?: string;
  /** Items per run, when the instance did fewer than the workload's count (see Instance.items). */
  items?: number;
  /** What the instance counted in each timed repetition, in the order of repMs (see Tally). */
  repTally?: Tally[];
  /** From repTally: counted work per second, and each time part's share of the wall time (0–1). */
  tally?: { rates: Record<string, Stats>; shares: Record<string, Stats> };
  /** Per-kernel GPU time from one profiled repetition, for contestants that can profile. */
  profile?: CellProfile;
  /** Why the profiled repetition failed, when it did (the timing stands). */
  profileError?: string;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** blindspot's speed relative to one peer: > 1 means blindspot is faster. */
export interface Ratio {
  peer: string;
  /**
   * The headline ratio: the median over repetition rounds of peer time / blindspot time in that round
   * (adjacent in time, so a change of load affects both alike); the ratio of medians when no round has both.
   */
  ratio: number;
  /** peer median time / blindspot median time. */
  ofMedians: number;
  /** The per-round ratios. */
  paired?: Stats;
}

export interface WorkloadResult {
  workload: string;
  title: string;
  group: Workload['group'];
  description: string;
  iterations: number;
  flops?: number;
  items?: { count: number; unit: string };
  reference?: string;
  cells: Cell[];
  ratios: Ratio[];
}

export interface ContestantInfo {
  id: string;
  label: string;
  family: Family;
  status: 'ok' | 'unavailable';
  reason?: string;
  notes: string[];
  syncMethod?: string;
  adapter?: AdapterSummary;
  peak?: PeakSummary;
}

/** The adapter's arithmetic peak as the peak-probe kernel measured it. */
export interface PeakSummary {
  gflops: number;
  /** 'gpu timestamps' or 'wall time'. */
  timing: string;
  invocations: number;
  iterations: number;
}

/**
 * One extra repetition of a cell in the contestant's profiling mode, after the timed ones (profiling puts
 * every dispatch in a pass of its own, so it is kept out of the statistics). Times are per iteration.
 */
export interface CellProfile {
  /** Wall milliseconds per iteration of the profiled repetition. */
  wallMs: number;
  /** GPU milliseconds per iteration, summed over dispatches; null without timestamp queries. */
  gpuMs: number | null;
  /** gpuMs / wallMs: the share of wall time the GPU was busy. */
  busyShare: number | null;
  dispatchesPerIteration: number;
  /** How far the timestamps can be trusted (src/gpu/profiler.ts TimestampInfo.note). */
  timestamps: string;
  /** Per kernel and variant, totals over the repetition divided by its iterations (at most 5 shapes each). */
  kernels: KernelSummary[];
}

/** One run of the suite in one place (a browser page or a Node process). */
export interface SuiteResult {
  where: 'browser' | 'node';
  /** navigator.userAgent or `Node vX (platform arch)`. */
  runtime: string;
  crossOriginIsolated?: boolean;
  hardwareConcurrency?: number;
  started: string;
  seconds: number;
  options: SuiteOptions;
  /** How times were taken (wall time of whole batches; per-kernel GPU time from a profiled repetition). */
  timing: string;
  contestants: ContestantInfo[];
  workloads: WorkloadResult[];
}

export interface SuiteOptions {
  workloads: string[];
  contestants: string[];
  /** Target timed repetitions per (workload, contestant). */
  reps: number;
  /** Stop adding repetitions to a cell once its timed repetitions took this long (at least one always runs). */
  budgetMs: number;
  quick: boolean;
  seed: number;
}

/** Progress events, printed by the runner and shown by the page. */
export type ProgressEvent =
  | { type: 'contestant'; info: ContestantInfo }
  | { type: 'workload'; workload: string; index: number; total: number }
  | { type: 'cell'; workload: string; contestant: string; phase: 'check' | 'timed'; status: CellStatus; detail: string }
  | { type: 'workload-done'; result: WorkloadResult }
  | { type: 'log'; message: string };
