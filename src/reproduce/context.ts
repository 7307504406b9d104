/** What every step of `blindspot reproduce` shares: options, data, models, where things go, logging. */
import type { CSearchOptions } from '../attack/cSearch.ts';
import type { Engine } from '../gpu/engine.ts';
import type { MnistData } from '../data/mnist.node.ts';
import type { Model } from '../nn/model.ts';
import type { TrainingRecord } from '../nn/trainingRecord.ts';

export interface ReproduceOptions {
  quick: boolean;
  /** Images attacked per table row. */
  n: number;
  /** Images attacked with all nine targets (the minimum-distortion column). */
  nineTargetsN: number;
  out: string;
  /** Where the trained models are (the shipped zoo by default). */
  checkpoints: string;
  /** Train, into `checkpoints`, the models it lacks (otherwise a missing model is an error). */
  train: boolean;
  data?: string;
  seed: number;
  batchSize: number;
  /** The c search: the attack's defaults (cSearch.ts) with these overrides. */
  cSearch: Partial<CSearchOptions>;
  /** L-BFGS-B iterations per c. */
  maxIterations: number;
  warmStart: boolean;
  /** Property 1: test images probed and random directions per layer. */
  property1: { images: number; directions: number };
  /** Spectral analysis: the relative margin of the certified power-iteration bounds over their estimates. */
  spectralMargin: number;
  /** Training: examples per epoch and epochs override (quick runs). */
  examplesPerEpoch?: number;
  epochs?: number;
  /** Training: L-BFGS iterations override for the models trained full-batch (quick runs). */
  trainingIterations?: number;
}

export interface ReproduceContext {
  engine: Engine;
  options: ReproduceOptions;
  data: MnistData;
  /** Loaded or trained models by table name (e.g. "FC100-100-10", "FC100-100-10'"). */
  models: Map<string, Model>;
  /** How each of those models was trained (filled with `models`): saved sets are reused only for the same one. */
  records: Map<string, TrainingRecord>;
  log: (line: string) => void;
  /** Seconds spent per phase, for the report. */
  timings: Record<string, number>;
}

/** Time a phase of the run and record it. */
export async function timed<T>(context: ReproduceContext, phase: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    context.timings[phase] = (context.timings[phase] ?? 0) + (performance.now() - started) / 1000;
  }
}
