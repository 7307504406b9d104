/**
 * Which matmul kernel an engine runs by default. Until measured, the adapter decides: SwiftShader (a CPU
 * driver, where barriers are coroutine switches) gets a barrier-free kernel — the subgroup one where the
 * adapter offers subgroups (about 2× the blocked one there), else the blocked one — and every other adapter
 * the workgroup-tiled one. {@link tuneMatmul} checks every variant the adapter can run against a float64
 * product, times those that pass on a few representative shapes and remembers the winner for that engine.
 */
import type { Engine } from '../../gpu/engine.ts';
import { fill, tensor } from './fill.ts';
import { availableMatmulVariants, launchMatmul, type MatmulLaunch, type MatmulVariant } from './matmulKernels.ts';

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
  /** Variants the adapter can run that gave a wrong product, with the error; never timed nor chosen. */
  rejected: { variant: MatmulVariant; reason: string }[];
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
  const tuned = tunings.get(engine)?.winner;
  if (tuned) return tuned;
  if (!engine.adapter.isSwiftShader) return 'tiled';
  return availableMatmulVariants(engine).includes('subgroup') ? 'subgroup' : 'blocked';
}

/** The last {@link tuneMatmul} result for `engine`, if it has been tuned. */
export function matmulTuning(engine: Engine): MatmulTuning | undefined {
  return tunings.get(engine);
}

/**
 * Check every matmul variant `engine` can run against a float64 product, time those that pass (wall time
 * from dispatch to `engine.sync()`, so run it while the engine is otherwise idle) and make the fastest the
 * engine's default. Runs are interleaved across variants so that a slow spell of a shared machine does not
 * land on one variant only.
 */
export async function tuneMatmul(engine: Engine, options: TuneMatmulOptions = {}): Promise<MatmulTuning> {
  const shapes = options.shapes ?? DEFAULT_SHAPES;
  const repetitions = options.repetitions ?? 5;
  // NaN would time nothing and crown an arbitrary winner; Infinity would never return.
  if (!(Number.isInteger(repetitions) && repetitions >= 1)) throw new Error(`tuneMatmul: repetitions must be a positive integer, got ${repetitions}`);
  if (shapes.length === 0 || !shapes.every((s) => s.length === 3 && s.every((d) => Number.isSafeInteger(d) && d >= 1))) {
    throw new Error(`tuneMatmul: shapes must be a non-empty list of [m, k, n] with positive integer extents, got ${JSON.stringify(shapes)}`);
  }
  const rejected: MatmulTuning['rejected'] = [];
  const candidates: MatmulVariant[] = [];
  for (const variant of availableMatmulVariants(engine)) {
    const reason = await wrongProduct(engine, variant);
    if (reason) rejected.push({ variant, reason });
    else candidates.push(variant);
  }
  if (candidates.length === 0) throw new Error(`tuneMatmul: no matmul variant computes correct products on this adapter: ${JSON.stringify(rejected)}`);
  const timings: MatmulTiming[] = [];
  for (const [m, k, n] of shapes) {
    const a = fill(engine, [m, k], 0.5);
    const b = fill(engine, [k, n], 0.25);
    const samples = new Map<MatmulVariant, number[]>(candidates.map((v) => [v, []]));
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
      for (const variant of candidates) await run(variant);
      for (let r = 0; r < repetitions; r++) {
        for (const variant of candidates) samples.get(variant)!.push(await run(variant));
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
  const winner = candidates.reduce((best, v) => (total(v) < total(best) ? v : best));
  const tuning = { winner, timings, rejected };
  tunings.set(engine, tuning);
  return tuning;
}

/**
 * Products a variant must get right before it is timed: unaligned extents with both transposes and an
 * epilogue, and aligned ones (the vec4 paths), none a multiple of any tile.
 */
const CHECKS: { m: number; k: number; n: number; launch: Omit<MatmulLaunch, 'bias'> & { bias: boolean } }[] = [
  { m: 21, k: 38, n: 18, launch: { transposeA: true, transposeB: true, bias: true, activation: 'tanh' } },
  { m: 20, k: 36, n: 44, launch: { transposeA: false, transposeB: false, bias: false, activation: 'none' } },
  { m: 36, k: 23, n: 12, launch: { transposeA: true, transposeB: false, bias: false, activation: 'none' } },
];

/** Why `variant` computes wrong products on `engine` (compared with float64 on the CPU), or null. */
async function wrongProduct(engine: Engine, variant: MatmulVariant): Promise<string | null> {
  for (const { m, k, n, launch } of CHECKS) {
    // Small integers over 8: exact in f32, so only the summation order differs from float64.
    const values = (count: number, salt: number) => Float32Array.from({ length: count }, (_, i) => (((i * 7919 + salt) % 17) - 8) / 8);
    const aData = values(m * k, 1);
    const bData = values(k * n, 2);
    const biasData = values(n, 3);
    const a = tensor(engine, aData, launch.transposeA ? [k, m] : [m, k]);
    const b = tensor(engine, bData, launch.transposeB ? [n, k] : [k, n]);
    const bias = launch.bias ? tensor(engine, biasData, [n]) : undefined;
    let got: Float32Array;
    try {
      const out = launchMatmul(variant, a, b, { ...launch, bias });
      got = await out.data().finally(() => out.dispose());
    } catch (error) {
      return (error as Error).message;
    } finally {
      for (const t of [a, b, bias]) t?.dispose();
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let z = launch.bias ? biasData[j] : 0;
        for (let p = 0; p < k; p++) {
          z += aData[launch.transposeA ? p * m + i : i * k + p] * bData[launch.transposeB ? j * k + p : p * n + j];
        }
        const want = launch.activation === 'tanh' ? Math.tanh(z) : z;
        // Partial sums of k terms of size ≤ 1, each rounded to f32, plus a few ulps for tanh.
        if (!(Math.abs(got[i * n + j] - want) <= k * 2 ** -20 + 1e-6)) {
          return `${m}×${k}·${k}×${n} ${JSON.stringify(launch)}: out[${i}, ${j}] is ${got[i * n + j]}, float64 gives ${want}`;
        }
      }
    }
  }
  return null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
