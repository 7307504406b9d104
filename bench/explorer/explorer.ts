/**
 * The kernel explorer of the bench page: pick a kernel and variant, read its WGSL source with its header,
 * set shapes, run it on random inputs against the float64 reference of the tests (max error shown), and
 * see its GPU time (timestamp queries, the engine's profiling mode), GFLOP/s and share of the adapter's
 * peak (the peak probe). {@link exploreKernel} does the work; {@link initExplorer} wires the page.
 */
import { Engine } from '../../src/gpu/engine.ts';
import { measurePeak, type PeakMeasurement } from '../../src/gpu/peakProbe.ts';
import { kernelSource } from '../../src/gpu/shaderSources.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import { rng, uniformArray } from '../../test/helpers/random.ts';
import { EXPLORER_KERNELS, type ExplorerKernel, type Parameters } from './kernels.ts';

/** What one exploration found. */
export interface Exploration {
  kernel: string;
  variant: string;
  description: string;
  seed: number;
  correct: boolean;
  /** max |blindspot − float64| over the output, and the element where the error is worst against its allowance. */
  maxError: number;
  worst: { index: number; got: number; want: number; allowed: number };
  outputs: number;
  /** Median GPU milliseconds of the kernel's dispatches per run; null without timestamp queries. */
  gpuMs: number | null;
  /** Mean wall milliseconds of a run (upload excluded; dispatches, readback included). */
  wallMs: number;
  gflops: number | null;
  peak: PeakMeasurement;
  /** GFLOP/s over the peak probe's. */
  peakShare: number | null;
  timestamps: string;
  /** Profiled runs the times are medians of. */
  runs: number;
  /** Every dispatch of the last run: the timed kernel's and the others its op needed. */
  dispatches: { kernel: string; variant: string; gpuMs: number | null; timed: boolean }[];
}

const peaks = new WeakMap<Engine, Promise<PeakMeasurement>>();

/** The adapter's peak, measured once per engine (a short probe run). */
function peakOf(engine: Engine): Promise<PeakMeasurement> {
  let peak = peaks.get(engine);
  if (!peak) {
    peak = measurePeak(engine, { targetMs: 50, runs: 2 });
    peaks.set(engine, peak);
  }
  return peak;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Run `kernel` once on random inputs from `seed` and compare with the float64 reference, then `runs`
 * more times in the engine's profiling mode for its GPU time. Throws on parameters out of range.
 */
export async function exploreKernel(engine: Engine, kernel: ExplorerKernel, variant: string, p: Parameters, seed: number, runs = 3): Promise<Exploration> {
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`runs must be a positive integer, got ${runs}`);
  for (const { name, label, min, max } of kernel.parameters) {
    const value = p[name];
    if (!(Number.isInteger(value) && value >= min && value <= max)) throw new Error(`${label} must be an integer in [${min}, ${max}], got ${value}`);
  }
  if (!kernel.variants(engine).includes(variant)) throw new Error(`${kernel.id} has no variant '${variant}' on this adapter`);
  const random = rng(seed);
  // The reference sees exactly the f32 values blindspot gets.
  const refs = kernel.inputShapes(p).map((shape) => ({
    shape,
    data: Float64Array.from(Float32Array.from(uniformArray(random, shape.reduce((x, d) => x * d, 1)))),
  }));
  const inputs = refs.map((r) => tensor(engine, r.data, r.shape));
  try {
    const got = await kernel.run(engine, variant, inputs, p);
    const want = kernel.reference(refs, p);
    let maxError = 0;
    let worst = { index: -1, got: NaN, want: NaN, allowed: 0, excess: -Infinity };
    for (let i = 0; i < want.length; i++) {
      const error = Math.abs(got[i] - want[i]);
      const allowed = kernel.tolerance(p, want[i]);
      // NaN fails every comparison: count it as an infinite error.
      const excess = Number.isNaN(error) ? Infinity : error - allowed;
      maxError = Number.isNaN(error) ? Infinity : Math.max(maxError, error);
      if (excess > worst.excess) worst = { index: i, got: got[i], want: want[i], allowed, excess };
    }
    const correct = got.length === want.length && worst.excess <= 0;
    const peak = await peakOf(engine);
    // One profile around every run, so that enough timestamps tell whether they were rounded.
    const { profile } = await engine.profile(async () => {
      for (let r = 0; r < runs; r++) await kernel.run(engine, variant, inputs, p);
    });
    const perRun = profile.dispatches.length / runs;
    const dispatches = profile.dispatches.map((d) => ({
      kernel: d.kernel,
      variant: d.variant,
      gpuMs: d.gpuNs === null ? null : d.gpuNs / 1e6,
      timed: kernel.times(d.kernel, variant),
    }));
    const gpuMs = profile.timestamps.available
      ? median(
          Array.from({ length: runs }, (_, r) =>
            dispatches.slice(r * perRun, (r + 1) * perRun).reduce((s, d) => s + (d.timed ? d.gpuMs! : 0), 0),
          ),
        )
      : null;
    const gflops = gpuMs ? kernel.flops(p) / (gpuMs * 1e6) : null;
    return {
      kernel: kernel.id,
      variant,
      description: kernel.describe(p),
      seed,
      correct,
      maxError,
      worst: { index: worst.index, got: worst.got, want: worst.want, allowed: worst.allowed },
      outputs: want.length,
      gpuMs,
      wallMs: profile.wallMs / runs,
      gflops,
      peak,
      peakShare: gflops === null ? null : gflops / peak.gflops,
      timestamps: profile.timestamps.note,
      runs,
      dispatches: dispatches.slice(-perRun),
    };
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/** The correctness line: starts with `correct:` or `WRONG:`. */
export function correctnessLine(e: Exploration): string {
  const where = `${e.description}, ${e.outputs.toLocaleString('en-US')} outputs, seed ${e.seed}`;
  if (e.correct) {
    return `correct: max |error| ${e.maxError.toExponential(2)} against float64 (allowed ${e.worst.allowed.toExponential(2)} at the closest element) — ${where}`;
  }
  return `WRONG: element ${e.worst.index} is ${e.worst.got}, float64 gives ${e.worst.want} (allowed ±${e.worst.allowed.toExponential(2)}); max |error| ${e.maxError.toExponential(2)} — ${where}`;
}

export function timingLine(e: Exploration): string {
  const peak = `the adapter's peak probe: ${e.peak.gflops.toPrecision(3)} GFLOP/s`;
  const gpu =
    e.gpuMs === null
      ? 'no GPU time (no timestamp-query on this adapter)'
      : `GPU time ${e.gpuMs.toPrecision(3)} ms, ${e.gflops!.toPrecision(3)} GFLOP/s, ${(100 * e.peakShare!).toPrecision(3)} % of ${peak}`;
  return `${gpu} (median of ${e.runs} profiled runs); wall ${e.wallMs.toPrecision(3)} ms per run with readback (mean). ${e.timestamps}.`;
}

// ------------------------------------------------------------------ the page

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

declare global {
  interface Window {
    __explorerReady?: boolean;
  }
}

/** Wire the explorer's controls (bench/index.html, section #explorer); its engine is made on first use. */
export function initExplorer(): void {
  const kernelSelect = $<HTMLSelectElement>('ex-kernel');
  const variantSelect = $<HTMLSelectElement>('ex-variant');
  const parameters = $('ex-parameters');
  const status = $('ex-status');
  let engine: Promise<Engine> | null = null;
  const getEngine = () => (engine ??= Engine.create());
  const current = () => EXPLORER_KERNELS.find((k) => k.id === kernelSelect.value)!;

  for (const k of EXPLORER_KERNELS) kernelSelect.add(new Option(k.title, k.id));
  const showSource = () => {
    const file = current().file(variantSelect.value);
    $('ex-source-name').textContent = `shaders/${file}.wgsl`;
    $('ex-source').textContent = kernelSource(file);
  };
  const pick = async () => {
    const k = current();
    parameters.innerHTML = '';
    for (const p of k.parameters) {
      const label = document.createElement('label');
      label.textContent = `${p.label} `;
      const input = document.createElement('input');
      Object.assign(input, { type: 'number', id: `ex-p-${p.name}`, value: String(p.value), min: String(p.min), max: String(p.max), size: 5 });
      label.append(input);
      parameters.append(label);
    }
    variantSelect.innerHTML = '';
    try {
      for (const v of k.variants(await getEngine())) variantSelect.add(new Option(v, v));
    } catch (error) {
      status.textContent = `no WebGPU engine: ${(error as Error).message}`;
      return;
    }
    showSource();
  };
  kernelSelect.onchange = () => void pick();
  variantSelect.onchange = showSource;
  $('ex-run').onclick = async () => {
    const k = current();
    const p: Parameters = Object.fromEntries(k.parameters.map((q) => [q.name, Number($<HTMLInputElement>(`ex-p-${q.name}`).value)]));
    const seed = Math.floor(Math.random() * 2 ** 31);
    $<HTMLButtonElement>('ex-run').disabled = true;
    status.textContent = 'running…';
    $('ex-correctness').textContent = '';
    $('ex-timing').textContent = '';
    $('ex-dispatches').innerHTML = '';
    try {
      const e = await exploreKernel(await getEngine(), k, variantSelect.value, p, seed);
      $('ex-correctness').textContent = correctnessLine(e);
      $('ex-correctness').className = e.correct ? 'met' : 'SHORT';
      $('ex-timing').textContent = timingLine(e);
      const rows = e.dispatches.map((d) => `<tr><td>${d.timed ? '<b>' : ''}${d.kernel}${d.timed ? '</b>' : ''}</td><td>${d.variant || '–'}</td><td>${d.gpuMs === null ? '–' : d.gpuMs.toPrecision(3)}</td></tr>`);
      $('ex-dispatches').innerHTML = `<tr><th>dispatch of the last run</th><th>variant</th><th>GPU ms</th></tr>${rows.join('')}`;
      status.textContent = 'done';
    } catch (error) {
      status.textContent = `failed: ${(error as Error).message}`;
    } finally {
      $<HTMLButtonElement>('ex-run').disabled = false;
    }
  };
  void pick().then(() => {
    window.__explorerReady = true;
  });
}
