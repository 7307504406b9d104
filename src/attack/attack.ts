/**
 * The blind-spot search (Szegedy et al. 2014, §4.1, in the formulation of paper.md): for an image x and
 * a wrong target l, minimize ‖x' − x‖² + c·CE(f(x'), l) over x' ∈ [0,1]^m with L-BFGS-B, and search for
 * the smallest c whose minimizer the model classifies as l. Every (image, target) problem is independent
 * — its own L-BFGS-B state, line search, stopping test and c search — and all problems in flight share
 * each GPU pass: per round, every pending point is evaluated in one batch.
 */
import { LbfgsbSolver, type LbfgsbOptions } from '../optim/lbfgsb.ts';
import type { Model } from '../nn/model.ts';
import { CSearch, DEFAULT_C_SEARCH, type CSearchOptions, type CTrial } from './cSearch.ts';
import { crossEntropyAndGradient, logitsOf } from './evaluateBatch.ts';
import { chooseTargets, type TargetMode } from './targets.ts';

export interface AttackOptions {
  targets: TargetMode;
  /** Problems evaluated together per GPU pass (default 256). */
  batchSize?: number;
  /** Inner L-BFGS-B options (default memory 10, at most 100 iterations per c). */
  lbfgsb?: LbfgsbOptions;
  cSearch?: Partial<CSearchOptions>;
  /** Start each c from the previous c's minimizer instead of from x (default false: restart, as the libraries do). */
  warmStart?: boolean;
  /** Success needs the target logit above every other by at least this (default 0). */
  margin?: number;
  onProgress?: (progress: AttackProgress) => void;
}

export interface AttackProgress {
  problemsDone: number;
  problems: number;
  successes: number;
  meanDistortion: number;
  rounds: number;
  seconds: number;
  etaSeconds: number;
}

/** One (image, target) search. */
export interface AttackExample {
  image: number;
  label: number;
  target: number;
  success: boolean;
  /** The successful x' with the smallest distortion, or null. */
  adversarial: Float32Array | null;
  /** RMS per pixel: √(Σ(x' − x)² / m); NaN without success. */
  distortion: number;
  /** The c of the best x' (NaN without success). */
  c: number;
  /** Why the search failed: 'c above maximum' or 'non-finite objective'. */
  reason?: string;
  trials: CTrial[];
  evaluations: number;
}

export interface AttackImage {
  image: number;
  label: number;
  predicted: number;
  /** Only correctly classified images are attacked. */
  attacked: boolean;
  examples: AttackExample[];
  /** The successful example with the smallest distortion over its targets. */
  best: AttackExample | null;
}

export interface AttackReport {
  images: AttackImage[];
  attacked: number;
  misclassifiedBefore: number;
  successes: number;
  failures: number;
  /** Mean over attacked images of their smallest successful distortion. */
  meanDistortion: number;
  evaluations: number;
  rounds: number;
  seconds: number;
  options: { warmStart: boolean; margin: number; cSearch: CSearchOptions; lbfgsb: LbfgsbOptions; batchSize: number };
}

/** RMS distortion per pixel between two images. */
export function distortion(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}

/** Validate images and labels before any work: clear errors for NaN, out-of-range pixels, bad labels. */
export function checkAttackInput(images: Float32Array, labels: ArrayLike<number>, pixels: number): void {
  if (labels.length === 0) throw new Error('attack: no images given');
  if (images.length !== labels.length * pixels) {
    throw new Error(`attack: ${images.length} pixel values for ${labels.length} images of ${pixels} pixels`);
  }
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    if (Number.isNaN(v)) throw new Error(`attack: image ${Math.floor(i / pixels)} has NaN at pixel ${i % pixels}`);
    if (!(v >= 0 && v <= 1)) throw new Error(`attack: image ${Math.floor(i / pixels)} has pixel ${i % pixels} = ${v}, outside [0, 1]`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] > 9) throw new Error(`attack: label ${labels[i]} of image ${i} is not in 0..9`);
  }
}

interface Problem {
  example: AttackExample;
  original: Float64Array;
  search: CSearch;
  solver: LbfgsbSolver | null;
  /** The last c's minimizer, for warm starts. */
  last: Float64Array | null;
}

const PIXELS = 784;

export async function attack(model: Model, images: Float32Array, labels: ArrayLike<number>, options: AttackOptions): Promise<AttackReport> {
  checkAttackInput(images, labels, PIXELS);
  const started = performance.now();
  const count = labels.length;
  const batchSize = options.batchSize ?? 256;
  const margin = options.margin ?? 0;
  const cOptions: CSearchOptions = { ...DEFAULT_C_SEARCH, ...options.cSearch };
  const lbfgsb: LbfgsbOptions = { memory: 10, maxIterations: 100, ...options.lbfgsb };
  const targetLists = chooseTargets(labels, options.targets);

  const predicted = await predictAll(model, images, count, batchSize);
  const results: AttackImage[] = [];
  const queue: Problem[] = [];
  for (let i = 0; i < count; i++) {
    const attacked = predicted[i] === labels[i];
    const examples: AttackExample[] = [];
    if (attacked) {
      const original = Float64Array.from(images.subarray(i * PIXELS, (i + 1) * PIXELS));
      for (const target of targetLists[i]) {
        const example: AttackExample = { image: i, label: labels[i], target, success: false, adversarial: null, distortion: NaN, c: NaN, trials: [], evaluations: 0 };
        examples.push(example);
        queue.push({ example, original, search: new CSearch(cOptions), solver: null, last: null });
      }
    }
    results.push({ image: i, label: labels[i], predicted: predicted[i], attacked, examples, best: null });
  }

  const totalProblems = queue.length;
  const lower = new Float64Array(PIXELS);
  const upper = new Float64Array(PIXELS).fill(1);
  const active: Problem[] = [];
  let done = 0;
  let successes = 0;
  let distortionSum = 0;
  let rounds = 0;
  let evaluations = 0;

  const startSolver = (p: Problem): void => {
    const x0 = options.warmStart && p.last ? p.last : p.original;
    p.solver = new LbfgsbSolver(x0, lower, upper, lbfgsb);
  };

  while (queue.length > 0 || active.length > 0) {
    while (active.length < batchSize && queue.length > 0) {
      const p = queue.shift()!;
      startSolver(p);
      active.push(p);
    }
    rounds++;
    // 1. Problems whose inner minimization stopped: judge the minimizer, advance their c search.
    const stopped = active.filter((p) => p.solver!.pending() === null);
    if (stopped.length > 0) {
      const points = new Float32Array(stopped.length * PIXELS);
      stopped.forEach((p, k) => points.set(p.solver!.x, k * PIXELS));
      const logits = await logitsOf(model, points, stopped.length);
      stopped.forEach((p, k) => {
        const solver = p.solver!;
        const candidate = points.subarray(k * PIXELS, (k + 1) * PIXELS);
        const success = solver.status !== 'non-finite' && classifiedAs(logits.subarray(k * 10, (k + 1) * 10), p.example.target, margin);
        const d = distortion(candidate, p.original);
        p.example.evaluations += solver.evaluations;
        if (p.search.report(success, d)) {
          p.example.adversarial = Float32Array.from(candidate);
          p.example.distortion = d;
          p.example.c = p.search.best!.c;
        }
        p.last = Float64Array.from(solver.x);
        if (solver.status === 'non-finite' && !p.search.succeeded) p.example.reason = 'non-finite objective';
        if (p.search.done) {
          finish(p);
        } else {
          startSolver(p);
        }
      });
      for (let k = active.length - 1; k >= 0; k--) if (active[k].search.done) active.splice(k, 1);
    }
    // 2. One GPU pass for every pending point.
    const pending = active.filter((p) => p.solver!.pending() !== null);
    if (pending.length === 0) continue;
    const k = pending.length;
    const points = new Float32Array(k * PIXELS);
    const targets = new Float32Array(k);
    const cs = new Float32Array(k);
    pending.forEach((p, i) => {
      points.set(p.solver!.pending()!, i * PIXELS);
      targets[i] = p.example.target;
      cs[i] = p.search.c!;
    });
    const { crossEntropy, gradient } = await crossEntropyAndGradient(model, points, targets, cs);
    evaluations += k;
    pending.forEach((p, i) => {
      const x = p.solver!.pending()!;
      const c = p.search.c!;
      const g = new Float64Array(PIXELS);
      let norm = 0;
      for (let j = 0; j < PIXELS; j++) {
        const r = x[j] - p.original[j];
        norm += r * r;
        g[j] = 2 * r + gradient[i * PIXELS + j];
      }
      p.solver!.tell(norm + c * crossEntropy[i], g);
    });
    options.onProgress?.(progress());
  }

  function finish(p: Problem): void {
    const e = p.example;
    e.trials = p.search.trials;
    e.success = p.search.succeeded;
    if (!e.success) {
      e.reason ??= `no success up to c = ${cOptions.maxC}`;
    } else {
      e.c = p.search.best!.c;
      successes++;
      distortionSum += e.distortion;
    }
    p.solver = null;
    done++;
  }

  function progress(): AttackProgress {
    const seconds = (performance.now() - started) / 1000;
    return {
      problemsDone: done,
      problems: totalProblems,
      successes,
      meanDistortion: successes ? distortionSum / successes : NaN,
      rounds,
      seconds,
      etaSeconds: done > 0 ? (seconds / done) * (totalProblems - done) : NaN,
    };
  }

  let attacked = 0;
  let imageSuccesses = 0;
  let bestSum = 0;
  for (const r of results) {
    if (!r.attacked) continue;
    attacked++;
    for (const e of r.examples) if (e.success && (!r.best || e.distortion < r.best.distortion)) r.best = e;
    if (r.best) {
      imageSuccesses++;
      bestSum += r.best.distortion;
    }
  }
  options.onProgress?.(progress());
  return {
    images: results,
    attacked,
    misclassifiedBefore: count - attacked,
    successes: imageSuccesses,
    failures: attacked - imageSuccesses,
    meanDistortion: imageSuccesses ? bestSum / imageSuccesses : NaN,
    evaluations,
    rounds,
    seconds: (performance.now() - started) / 1000,
    options: { warmStart: options.warmStart ?? false, margin, cSearch: cOptions, lbfgsb, batchSize },
  };
}

/**
 * Whether logits say `target`: with margin 0, target is the argmax (ties go to the lower class, as argmax
 * does); with margin δ > 0, the target logit exceeds every other by at least δ. NaN never succeeds.
 */
export function classifiedAs(logits: ArrayLike<number>, target: number, margin: number): boolean {
  const t = logits[target];
  if (!Number.isFinite(t)) return false;
  for (let k = 0; k < logits.length; k++) {
    if (k === target) continue;
    const other = logits[k];
    const beaten = margin > 0 ? t - other >= margin : t > other || (t === other && target < k);
    if (!beaten) return false;
  }
  return true;
}

async function predictAll(model: Model, images: Float32Array, count: number, batchSize: number): Promise<Int32Array> {
  const predicted = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const logits = await logitsOf(model, images.subarray(start * PIXELS, (start + n) * PIXELS), n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (logits[i * 10 + k] > logits[i * 10 + best]) best = k;
      predicted[start + i] = best;
    }
  }
  return predicted;
}
