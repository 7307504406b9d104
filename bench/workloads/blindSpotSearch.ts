/**
 * The whole attack (src/attack/attack.ts; the benchmark of the issue "The blind-spot search"): c search,
 * an L-BFGS-B solve per c, success checks, on FC100-100-10 trained briefly on MNIST (./attackSetup.ts),
 * at batch sizes 1 to 1000. The baseline (contestant blindspot-serial) attacks the first 4 of the same
 * images one at a time, the way cleverhans and foolbox do, in the same run; the ratio column then says
 * what batching buys per image.
 */
import { ATTACK_LBFGSB, ATTACK_WORKERS_FROM, findBlindSpots, type AttackOptions, type AttackReport } from '../../src/attack/attack.ts';
import { DEFAULT_C_SEARCH } from '../../src/attack/cSearch.ts';
import type { Engine } from '../../src/gpu/engine.ts';
import { MNIST_PIXELS } from '../../src/data/idx.ts';
import { TallyKeeper } from '../tally.ts';
import type { BlindspotEnv, Implementation, Instance, TensorSet, Workload } from '../types.ts';
import { attackedModel, attackSet, MAX_ATTACKED, MODEL, TRAIN_IMAGES, type AttackSet } from './attackSetup.ts';
import { clocked } from './clocks.ts';
import { rejectVariant } from './common.ts';

/** The search `blindspot reproduce` runs: the attack's defaults, the same in quick and full runs. */
const SETTINGS = { margin: 0 } satisfies Partial<AttackOptions>;
/**
 * The one-at-a-time baseline attacks at most this many images per run (its time per image does not depend
 * on B, and at ~200 GPU round trips per image it is the slowest cell of the suite).
 */
const SERIAL_SAMPLE = 4;

/** Attacks the first `images` of the set with `batchSize` problems per GPU pass, counting and clocking. */
function searchInstance(engine: Engine, set: AttackSet, images: number, batchSize: number, sampled: boolean): Instance {
  const model = attackedModel(engine, set);
  const keeper = new TallyKeeper();
  let report: AttackReport | undefined;
  const instance: Instance = {
    items: sampled ? images : undefined,
    async run() {
      const run = await clocked(engine, () =>
        findBlindSpots(model, set.images.subarray(0, images * MNIST_PIXELS), set.labels.subarray(0, images), {
          ...SETTINGS,
          targets: { kind: 'explicit', targets: set.targets.subarray(0, images) },
          batchSize,
        }),
      );
      report = run.value;
      keeper.count('images', images);
      keeper.count('iterations', run.iterations);
      keeper.count('evaluations', report.evaluations);
      keeper.count('solves', report.solves);
      keeper.count('rounds', report.rounds);
      // With the solvers in workers this thread's clock sees none of their work (it is in the GPU wait's complement).
      keeper.time(report.options.workers > 0 ? 'L-BFGS-B CPU (this thread)' : 'L-BFGS-B CPU', run.solverMs);
      keeper.time('GPU wait', run.gpuWaitMs);
      keeper.time('other CPU', run.wallMs - run.solverMs - run.gpuWaitMs);
      instance.note =
        `${sampled ? `attacks the first ${images} images one at a time; ` : ''}${report.successes}/${report.attacked} fooled, ` +
        `mean distortion ${report.meanDistortion.toFixed(4)}, ${(report.evaluations / report.attacked).toFixed(0)} evaluations and ` +
        `${(report.solves / report.attacked).toFixed(1)} solves per image, ${report.rounds} rounds, ` +
        `${report.options.workers ? `solvers in ${report.options.workers} worker threads` : 'solvers in the calling thread'}; ${set.summary}`;
    },
    async read() {
      const compared = report!.images.slice(0, SERIAL_SAMPLE);
      return {
        success: { shape: [compared.length], data: Float32Array.from(compared, (r) => (r.best ? 1 : 0)) },
        distortion: { shape: [compared.length], data: Float32Array.from(compared, (r) => r.best?.distortion ?? 0) },
      };
    },
    tally: () => keeper.snapshot(),
    dispose: () => model.dispose(),
  };
  return instance;
}

/** The workload's attack of `images` at `batch`, or (`serial`) the baseline's of the first SERIAL_SAMPLE at batch 1. */
function implementation(images: number, batch: number, serial: boolean): Implementation<BlindspotEnv> {
  return async (env, data) => {
    rejectVariant(env);
    const set = await attackSet(env.engine, data.seed.data[0]);
    const attacked = serial ? Math.min(images, SERIAL_SAMPLE) : images;
    return searchInstance(env.engine, set, attacked, serial ? 1 : batch, attacked < images);
  };
}

/** `attack-b<B>`: B images (SERIAL_SAMPLE at B = 1, so one image's luck does not set the number), batch size B. */
function searchWorkload(batch: number, quick: boolean): Workload {
  const images = Math.max(batch, SERIAL_SAMPLE);
  const lbfgsb = ATTACK_LBFGSB;
  const cSearch = DEFAULT_C_SEARCH;
  return {
    id: `attack-b${batch}`,
    title: `whole attack, ${MODEL}, batch ${batch} (${images} MNIST images)`,
    group: 'attack',
    description:
      `findBlindSpots() on ${images} MNIST test images, the first ${images} (of ${MAX_ATTACKED} picked in a seeded order) that ${MODEL} ` +
      `classifies correctly (trained in setup on ${TRAIN_IMAGES} training images, not timed), one seeded random wrong target ` +
      `each, batchSize ${batch}: min ‖x' − x‖² + c·CE(f(x'), target) over [0, 1]^784 by L-BFGS-B (memory ${lbfgsb.memory}, ` +
      `≤ ${lbfgsb.maxIterations} iterations per c, factr ${exponent(lbfgsb.factr)}) with the attack's default c search: c estimated ` +
      `per image, ×${cSearch.bracketFactor} up to ${exponent(cSearch.maxC)} until success, ÷${cSearch.bracketFactor} down to ` +
      `${exponent(cSearch.minC)} while it succeeds, then at most ${cSearch.maxRefinements} refinements by margin interpolation until ` +
      `the distortion is pinned to ${100 * cSearch.distortionTolerance}% (or c to ${100 * cSearch.cTolerance}%), each c started from the previous c's minimizer, margin 0; the solvers in worker threads, ` +
      `one per core, from ${ATTACK_WORKERS_FROM} images on (the attack's default), in the calling thread below. ` +
      `One iteration of the workload = the whole attack; items = images. ` +
      (batch > 1 ? `blindspot-serial attacks the first ${SERIAL_SAMPLE} images with batchSize 1. ` : '') +
      `The gate compares success and best distortion of the first ${SERIAL_SAMPLE} images.`,
    iterations: 1,
    items: { count: images, unit: 'images' },
    quick,
    // One image at a time or in a batch, each problem sees the same evaluations (rows are independent).
    tolerance: 1e-4,
    // The images come from MNIST in the implementation's setup; the seed picks the model, images and targets.
    inputs: (seed): TensorSet => ({ seed: { shape: [1], data: Float32Array.of(seed) } }),
    implementations: {
      blindspot: implementation(images, batch, false),
      // At batch 1 the workload itself is the one-at-a-time attack.
      ...(batch > 1 ? { serial: implementation(images, batch, true) } : {}),
    },
  };
}

/** 1e10 rather than 10000000000. */
function exponent(value: number): string {
  return value.toExponential().replace('e+', 'e');
}

/** The quick suite attacks at batch 1 and 10; the full suite at all four sizes. */
export const ATTACK_SEARCH_WORKLOADS: Workload[] = [1, 10, 100, 1000].map((b) => searchWorkload(b, b <= 10));
