/**
 * The blind-spot search (Szegedy et al. 2014, §4.1, in the formulation of paper.md): for an input x of a
 * classifier (an image, or a hidden layer's activations for the layers above it) and a wrong target l, minimize ‖x' − x‖² + c·CE(f(x'), l) over x' ∈ [0,1]^m with L-BFGS-B, and search for
 * the smallest c whose minimizer the model classifies as l (cSearch.ts). Every (image, target) problem is
 * independent — its own L-BFGS-B state, line search, stopping test and c search — and all problems in
 * flight share each GPU pass: per round, every pending point is evaluated in one batch (optim/batched.ts).
 *
 * What the search reuses instead of asking the GPU again:
 * - every solve that starts from x begins with f = c·CE(x), g = c·∇CE(x): CE(x) and ∇CE(x) come from the
 *   problem's first evaluation and are scaled on the CPU;
 * - a warm start begins at the previous solve's minimizer, whose CE and ∇CE follow from its f and g;
 * - the success test reads the logits of the evaluation that produced the minimizer.
 */
import type { BatchedSolver } from '../optim/batched.ts';
import { resolveOptions, type LbfgsbOptions } from '../optim/lbfgsb.ts';
import { createSolverBatch, type WorkerCount } from '../optim/workerBatch.ts';
import type { Classifier } from '../nn/model.ts';
import { CSearch, DEFAULT_C_SEARCH, validateCSearchOptions, type CSearchOptions, type CTrial } from './cSearch.ts';
import { crossEntropyAndGradient, logitsOf } from './evaluateBatch.ts';
import { chooseTargets, type TargetMode } from './targets.ts';

/**
 * Worker threads the solvers run in by default (see {@link AttackOptions.workers}): one per core, once the
 * attack has at least {@link ATTACK_WORKERS_FROM} (image, target) problems.
 */
export const ATTACK_WORKERS: WorkerCount = 'auto';
/** Fewer problems than this keep their solvers in the calling thread by default: workers would not pay for their start. */
export const ATTACK_WORKERS_FROM = 32;

/** Whether each c's solve starts from the previous c's minimizer by default (see {@link AttackOptions.warmStart}). */
export const ATTACK_WARM_START = true;

/** The inner solver's defaults (see {@link AttackOptions.lbfgsb}). */
export const ATTACK_LBFGSB = { memory: 10, maxIterations: 100, factr: 1e11 } as const satisfies LbfgsbOptions;

export interface AttackOptions {
  targets: TargetMode;
  /** Problems evaluated together per GPU pass (default 256). */
  batchSize?: number;
  /**
   * Worker threads for the L-BFGS-B solvers: a count (0 keeps them in this thread) or 'auto', one per core
   * (default {@link ATTACK_WORKERS}, for {@link ATTACK_WORKERS_FROM} problems or more). Only the solvers'
   * CPU time moves: the results are bit for bit the same. Measured on FC100-100-10, 297 images on 2 cores
   * with SwiftShader (three back-to-back pairs at load 11–15): 2 workers took 1–25 % less wall time than
   * none, at the same CPU time within 3 % (docs/benchmarks.md).
   */
  workers?: WorkerCount;
  /**
   * Inner L-BFGS-B options (default memory 10, at most 100 iterations per c, factr 1e11). The objective
   * is a float32 network's, whose value carries relative rounding noise of ~1e-7: scipy's default factr
   * (1e7, a relative decrease of 2.2e-9 per iteration) lies below that noise, so solves ended in failed
   * line searches on noise after two to four times the evaluations. 1e11 stops once an iteration gains
   * less than 2.2e-5 of f. Measured on the trained zoo (50 FC100-100-10 and 20 convnet training images):
   * against 1e10 it saves 12% (FC100-100-10) and 22% (convnet) of the evaluations and moves the mean
   * distortion by less than 0.1%; the c search's own tolerance is 0.5%.
   */
  lbfgsb?: LbfgsbOptions;
  cSearch?: Partial<CSearchOptions>;
  /**
   * Start each c's solve from the previous c's minimizer, whose CE and gradient its last evaluation gave
   * (default {@link ATTACK_WARM_START}: true); false starts every solve from x, as the paper's description
   * and the libraries do. The c search moves c by small factors once it brackets, so the previous minimizer
   * is near the next one and its solve needs a fraction of the evaluations. Measured on the first 300 MNIST
   * test images of each trained zoo model, one seeded random target each (docs/benchmarks.md): 0.46–0.75×
   * the evaluations of restarting, and the mean distortion within 0.13%. On the convex FC10 models every
   * image's distortion stays within 1%; on the nets a warm start can settle in another local minimum, a few
   * per cent lower or higher for some images.
   */
  warmStart?: boolean;
  /** Success needs the target logit above every other by at least this (default 0). */
  margin?: number;
  onProgress?: (progress: AttackProgress) => void;
}

export interface AttackProgress {
  problemsDone: number;
  problems: number;
  successes: number;
  /** Mean distortion of the successful searches so far; null before the first. */
  meanDistortion: number | null;
  rounds: number;
  seconds: number;
  /** Seconds left at the rate so far; null before the first search ends. */
  etaSeconds: number | null;
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
  /** Why the search failed: 'no success up to c = …' or 'non-finite objective'. */
  reason?: string;
  trials: CTrial[];
  /** Objective evaluations the GPU computed for this search. */
  evaluations: number;
}

export interface AttackImage {
  image: number;
  label: number;
  /** The model's class for the image; -1 when its logits are not finite. */
  predicted: number;
  /** Only correctly classified images are attacked. */
  attacked: boolean;
  /** Why the image was not attacked, when it was not. */
  reason?: string;
  examples: AttackExample[];
  /** The successful example with the smallest distortion over its targets. */
  best: AttackExample | null;
}

export interface AttackReport {
  images: AttackImage[];
  attacked: number;
  misclassifiedBefore: number;
  /** Images whose logits were not finite (not attacked, not counted as misclassified). */
  nonFiniteOutputs: number;
  successes: number;
  failures: number;
  /** Mean over attacked images of their smallest successful distortion. */
  meanDistortion: number;
  /** Objective evaluations on the GPU, over every search. */
  evaluations: number;
  /** Inner L-BFGS-B minimizations (c trials), over every search. */
  solves: number;
  rounds: number;
  seconds: number;
  options: { warmStart: boolean; margin: number; cSearch: CSearchOptions; lbfgsb: LbfgsbOptions; batchSize: number; workers: number };
}

/** RMS distortion per pixel between two images. */
export function distortion(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}

/** Validate images and labels before any work: clear errors for NaN, out-of-range pixels, bad labels. */
export function checkAttackInput(images: Float32Array, labels: ArrayLike<number>, pixels: number, classes: number): void {
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
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= classes) {
      throw new Error(`attack: label ${labels[i]} of image ${i} is not in 0..${classes - 1}`);
    }
  }
}

/**
 * The target's logit minus the largest other logit, less the margin success requires. Success is
 * `lead ≥ 0` with margin δ > 0, and with δ = 0 the argmax (ties go to the lower class, as argmax does).
 */
export function targetLead(logits: ArrayLike<number>, target: number, margin: number): number {
  let other = -Infinity;
  for (let k = 0; k < logits.length; k++) if (k !== target) other = Math.max(other, logits[k]);
  return logits[target] - other - margin;
}

/** Whether logits say `target` (see {@link targetLead}). NaN never succeeds. */
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

/** CE and ∇CE (unscaled by c) at a point, with the logits there. */
interface PointValues {
  x: Float64Array;
  crossEntropy: number;
  gradient: Float64Array;
  logits: Float32Array;
}

interface Problem {
  example: AttackExample;
  original: Float64Array;
  /** Null until the problem's first evaluation gives the estimate of its first c. */
  search: CSearch | null;
  /** The solver of the current c; null until the problem enters the batch. */
  solver: BatchedSolver | null;
  /** CE, ∇CE and logits at x, from the first evaluation. */
  atOriginal: PointValues | null;
  /** The logits of the last evaluated point, and of the solver's iterate. */
  trialLogits: Float32Array | null;
  iterateLogits: Float32Array | null;
}

/**
 * Find blind spots: for every correctly classified image and each of its targets, the smallest
 * distortion the c search reaches. Images, labels and options are checked before any GPU work.
 */
export async function findBlindSpots(model: Classifier, images: Float32Array, labels: ArrayLike<number>, options: AttackOptions): Promise<AttackReport> {
  const pixels = model.inputSize;
  const classes = model.classes;
  checkAttackInput(images, labels, pixels, classes);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`attack: batchSize must be a positive integer, got ${batchSize}`);
  const margin = options.margin ?? 0;
  if (!(margin >= 0) || !Number.isFinite(margin)) throw new Error(`attack: margin must be a finite number ≥ 0, got ${margin}`);
  const cOptions: CSearchOptions = { ...DEFAULT_C_SEARCH, ...options.cSearch };
  validateCSearchOptions(cOptions);
  const lbfgsb: LbfgsbOptions = { ...ATTACK_LBFGSB, ...options.lbfgsb };
  resolveOptions(lbfgsb);
  const warmStart = options.warmStart ?? ATTACK_WARM_START;
  const workersOption = options.workers ?? ATTACK_WORKERS;
  if (workersOption !== 'auto' && !(Number.isSafeInteger(workersOption) && workersOption >= 0)) {
    throw new Error(`attack: workers must be an integer ≥ 0 or 'auto', got ${workersOption}`);
  }
  const targetLists = chooseTargets(labels, options.targets, classes);
  const started = performance.now();
  const count = labels.length;

  const predicted = await predictAll(model, images, count, batchSize);
  const results: AttackImage[] = [];
  const queue: Problem[] = [];
  const lower = new Float64Array(pixels);
  const upper = new Float64Array(pixels).fill(1);
  for (let i = 0; i < count; i++) {
    const attacked = predicted[i] === labels[i];
    const examples: AttackExample[] = [];
    if (attacked) {
      const original = Float64Array.from(images.subarray(i * pixels, (i + 1) * pixels));
      for (const target of targetLists[i]) {
        const example: AttackExample = { image: i, label: labels[i], target, success: false, adversarial: null, distortion: NaN, c: NaN, trials: [], evaluations: 0 };
        examples.push(example);
        queue.push({ example, original, search: null, solver: null, atOriginal: null, trialLogits: null, iterateLogits: null });
      }
    }
    const reason = predicted[i] === -1 ? "the model's logits for this image are not finite" : attacked ? undefined : 'misclassified before the attack';
    results.push({ image: i, label: labels[i], predicted: predicted[i], attacked, reason, examples, best: null });
  }

  const totalProblems = queue.length;
  const workers = options.workers === undefined && totalProblems < ATTACK_WORKERS_FROM ? 0 : workersOption;
  let done = 0;
  let successes = 0;
  let distortionSum = 0;
  let rounds = 0;
  let solves = 0;
  const batch = await createSolverBatch<Problem>(pixels, {
    solver: lbfgsb,
    workers,
    afterTell: (p, _row, solver) => {
      p.example.evaluations++;
      if (solver.iterateEvaluation === solver.evaluations) p.iterateLogits = p.trialLogits;
    },
  });

  // A round's points in float32 and its f and g, reused from round to round: the batch is done with a
  // round's arrays when the round ends, and a fresh k×784 pair each round kept the collector busy.
  let points32 = new Float32Array(0);
  let fRound = new Float64Array(0);
  let gRound = new Float64Array(0);
  /** One GPU pass for a round's points; a problem's first pass also fixes its first c. */
  const evaluate = async (points: Float64Array, tags: readonly Problem[]) => {
    const k = tags.length;
    if (fRound.length < k) {
      points32 = new Float32Array(k * pixels);
      fRound = new Float64Array(k);
      gRound = new Float64Array(k * pixels);
    }
    const targets = Float32Array.from(tags, (p) => p.example.target);
    const cs = Float32Array.from(tags, (p) => p.search?.c ?? 1);
    const roundPoints = points32.subarray(0, k * pixels);
    roundPoints.set(points);
    const values = await crossEntropyAndGradient(model, roundPoints, targets, cs);
    // Every entry of both is written below.
    const f = fRound.subarray(0, k);
    const g = gRound.subarray(0, k * pixels);
    tags.forEach((p, r) => {
      const logits = values.logits.slice(r * classes, (r + 1) * classes);
      const gradient = values.gradient.subarray(r * pixels, (r + 1) * pixels);
      let scale = 1;
      if (!p.search) {
        // The problem's first point is x itself: keep CE and ∇CE there for every later start from x.
        const atOriginal: PointValues = { x: p.original, crossEntropy: values.crossEntropy[r], gradient: Float64Array.from(gradient), logits };
        p.atOriginal = atOriginal;
        let norm = 0;
        for (const v of atOriginal.gradient) norm += v * v;
        p.search = new CSearch(cOptions, CSearch.estimateFirstC(atOriginal.crossEntropy, norm));
        scale = p.search.c!;
      }
      const c = p.search.c!;
      let distance = 0;
      for (let j = 0; j < pixels; j++) {
        const d = points[r * pixels + j] - p.original[j];
        distance += d * d;
        g[r * pixels + j] = 2 * d + scale * gradient[j];
      }
      f[r] = distance + c * values.crossEntropy[r];
      p.trialLogits = logits;
    });
    return { f, g };
  };

  try {
    while (queue.length > 0 || batch.size > 0) {
      while (batch.size < batchSize && queue.length > 0) {
        const p = queue.shift()!;
        p.solver = batch.start({ x0: p.original, lower, upper }, p);
      }
      rounds++;
      const stopped = await batch.round(evaluate);
      for (const p of stopped) judge(p);
      options.onProgress?.(progress());
    }
  } finally {
    await batch.close();
  }

  /** The inner minimization of `p` stopped: score its minimizer, move its c search on, start the next c. */
  function judge(p: Problem): void {
    const { search, example } = p;
    const solver = p.solver!;
    const c = search!.c!;
    solves++;
    // The example is kept in float32, and its distortion is measured on what is kept.
    const candidate = Float32Array.from(solver.x);
    // The iterate is the last point with finite values (or x0, whose logits then say NaN and fail).
    const logits = p.iterateLogits!;
    const lead = targetLead(logits, example.target, margin);
    const success = classifiedAs(logits, example.target, margin);
    const d = distortion(candidate, p.original);
    if (search!.report(success, d, lead)) {
      example.adversarial = candidate;
      example.distortion = d;
      example.c = c;
    }
    if (solver.status === 'non-finite' && !search!.succeeded) example.reason = 'non-finite objective';
    if (search!.done) return finish(p);
    const start = warmStart ? valuesAtIterate(p, c) : p.atOriginal!;
    restart(p, start);
  }

  /** CE, ∇CE and logits at the solver's iterate, from its f and g at the c it was solved with. */
  function valuesAtIterate(p: Problem, c: number): PointValues {
    const x = p.solver!.x;
    const g = p.solver!.g;
    let distance = 0;
    const gradient = new Float64Array(pixels);
    for (let j = 0; j < pixels; j++) {
      const d = x[j] - p.original[j];
      distance += d * d;
      gradient[j] = (g[j] - 2 * d) / c;
    }
    return { x, crossEntropy: (p.solver!.f - distance) / c, gradient, logits: p.iterateLogits! };
  }

  /** A new solve at the search's next c, from `start`, whose first evaluation is computed here on the CPU. */
  function restart(p: Problem, start: PointValues): void {
    const c = p.search!.c!;
    const g = new Float64Array(pixels);
    let distance = 0;
    for (let j = 0; j < pixels; j++) {
      const d = start.x[j] - p.original[j];
      distance += d * d;
      g[j] = 2 * d + c * start.gradient[j];
    }
    p.iterateLogits = start.logits;
    p.solver = batch.start({ x0: start.x, lower, upper, initial: { f: distance + c * start.crossEntropy, g } }, p);
  }

  function finish(p: Problem): void {
    const e = p.example;
    e.trials = p.search!.trials;
    e.success = p.search!.succeeded;
    if (!e.success) e.reason ??= `no success up to c = ${cOptions.maxC}`;
    else {
      successes++;
      distortionSum += e.distortion;
    }
    p.atOriginal = null;
    done++;
  }

  function progress(): AttackProgress {
    const seconds = (performance.now() - started) / 1000;
    return {
      problemsDone: done,
      problems: totalProblems,
      successes,
      meanDistortion: successes ? distortionSum / successes : null,
      rounds,
      seconds,
      etaSeconds: done > 0 ? (seconds / done) * (totalProblems - done) : null,
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
  const nonFiniteOutputs = results.filter((r) => r.predicted === -1).length;
  return {
    images: results,
    attacked,
    misclassifiedBefore: count - attacked - nonFiniteOutputs,
    nonFiniteOutputs,
    successes: imageSuccesses,
    failures: attacked - imageSuccesses,
    meanDistortion: imageSuccesses ? bestSum / imageSuccesses : NaN,
    evaluations: batch.evaluations,
    solves,
    rounds,
    seconds: (performance.now() - started) / 1000,
    options: { warmStart, margin, cSearch: cOptions, lbfgsb, batchSize, workers: batch.workers },
  };
}

/** The model's class per image, -1 where the logits are not finite. */
async function predictAll(model: Classifier, images: Float32Array, count: number, batchSize: number): Promise<Int32Array> {
  const { inputSize, classes } = model;
  const predicted = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const logits = await logitsOf(model, images.subarray(start * inputSize, (start + n) * inputSize), n);
    for (let i = 0; i < n; i++) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      let best = 0;
      for (let k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
      predicted[start + i] = row.every(Number.isFinite) ? best : -1;
    }
  }
  return predicted;
}
