/**
 * Which matmul kernel an engine runs by default. Until measured, the adapter decides: SwiftShader (a CPU
 * driver, where barriers are coroutine switches) gets the barrier-free blocked kernel, every other adapter
 * the workgroup-tiled one. {@link tuneMatmul} times both on a few representative shapes and remembers the
 * winner for that engine.
 */
import type { Engine } from '../../gpu/engine.ts';
import { fill } from './fill.ts';
import { launchMatmul, MATMUL_VARIANTS, type MatmulVariant } from './matmulKernels.ts';

/** One variant's median time on one shape. */
export interface MatmulTiming {
  variant: MatmulVariant;
  /** [m, k, n]: an m×k by k×n product. */
  shape: [number, number, number];
  medianMs: number;
  gflops: number;
}

export interface MatmulTuning {
  /** The variant with the smallest total median time over the shapes. */
  winner: MatmulVariant;
  timings: MatmulTiming[];
}

export interface TuneMatmulOptions {
  /** Shapes [m, k, n] to time; by default a square product and the first layer of the MNIST models. */
  shapes?: [number, number, number][];
  /** Timed runs per variant and shape (after one untimed warm-up), a positive integer; the median is kept. */
  repetitions?: number;
}

const DEFAULT_SHAPES: [number, number, number][] = [
  [256, 256, 256],
  [128, 784, 100],
];

const tunings = new WeakMap<Engine, MatmulTuning>();

/** The variant matmul runs on `engine` when none is forced: the measured winner, else by adapter. */
export function defaultMatmulVariant(engine: Engine): MatmulVariant {
  return tunings.get(engine)?.winner ?? (engine.adapter.isSwiftShader ? 'blocked' : 'tiled');
}

/** The last {@link tuneMatmul} result for `engine`, if it has been tuned. */
export function matmulTuning(engine: Engine): MatmulTuning | undefined {
  return tunings.get(engine);
}

/**
 * Time every matmul variant on `engine` (wall time from dispatch to `engine.sync()`, so run it while the
 * engine is otherwise idle) and make the fastest the engine's default. Runs are interleaved across
 * variants so that a slow spell of a shared machine does not land on one variant only.
 */
export async function tuneMatmul(engine: Engine, options: TuneMatmulOptions = {}): Promise<MatmulTuning> {
  const shapes = options.shapes ?? DEFAULT_SHAPES;
  const repetitions = options.repetitions ?? 5;
  // NaN would time nothing and crown an arbitrary winner; Infinity would never return.
  if (!(Number.isInteger(repetitions) && repetitions >= 1)) throw new Error(`tuneMatmul: repetitions must be a positive integer, got ${repetitions}`);
  if (shapes.length === 0 || !shapes.every((s) => s.length === 3 && s.every((d) => Number.isSafeInteger(d) && d >= 1))) {
    throw new Error(`tuneMatmul: shapes must be a non-empty list of [m, k, n] with positive integer extents, got ${JSON.stringify(shapes)}`);
  }
  const timings: MatmulTiming[] = [];
  for (const [m, k, n] of shapes) {
    const a = fill(engine, [m, k], 0.5);
    const b = fill(engine, [k, n], 0.25);
    const samples = new Map<MatmulVariant, number[]>(MATMUL_VARIANTS.map((v) => [v, []]));
    const run = async (variant: MatmulVariant): Promise<number> => {
      const start = performance.now();
      const out = launchMatmul(variant, a, b, { transposeA: false, transposeB: false, activation: 'none' });
      await engine.sync();
      const elapsed = performance.now() - start;
      out.dispose();
      return elapsed;
    };
    try {
      // The warm-up compiles the pipelines and lets the driver allocate.
      for (const variant of MATMUL_VARIANTS) await run(variant);
      for (let r = 0; r < repetitions; r++) {
        for (const variant of MATMUL_VARIANTS) samples.get(variant)!.push(await run(variant));
      }
    } finally {
      a.dispose();
      b.dispose();
    }
    for (const [variant, times] of samples) {
      const medianMs = median(times);
      timings.push({ variant, shape: [m, k, n], medianMs, gflops: (2 * m * k * n) / (medianMs * 1e6) });
    }
  }
  const total = (variant: MatmulVariant) =>
    timings.filter((t) => t.variant === variant).reduce((sum, t) => sum + t.medianMs, 0);
  const winner = MATMUL_VARIANTS.reduce((best, v) => (total(v) < total(best) ? v : best));
  const tuning = { winner, timings };
  tunings.set(engine, tuning);
  return tuning;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
