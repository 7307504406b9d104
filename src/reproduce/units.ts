/**
 * Property 1 in the reproduction: for FC100-100-10, FC200-200-10, AE400-10 (its code layer) and the
 * convnet, every hidden layer's units against random directions and random image sets on the MNIST test
 * set, with a figure per layer. `unitsOfModel` is the same step for one model (the `blindspot units`
 * command uses it).
 */
import { join } from 'node:path';
import { analyzeUnits, defaultJudge, featureSpace, pixelSpace, UNITS_DEFAULTS, type UnitsOptions, type UnitsSummary } from '../analysis/units.ts';
import type { CoherenceSpaces } from '../analysis/coherenceScores.ts';
import type { SimilaritySpace } from '../analysis/coherence.ts';
import { MNIST_PIXELS, type LabelledImages } from '../data/idx.ts';
import type { Model } from '../nn/model.ts';
import { writeImageGrid } from '../report/png.node.ts';
import type { UnitsFigureRef, UnitsResults } from '../report/units.ts';
import { unitsFigure } from '../report/unitsFigure.ts';
import { deriveSeed } from '../util/random.ts';
import { timed, type ReproduceContext } from './context.ts';

/** The models Property 1 probes (issue #17): all their hidden layers. */
export const UNITS_MODELS = ['FC100-100-10', 'FC200-200-10', 'AE400-10', 'convnet'] as const;

/** The first `count` images of a set (the whole set when count is larger). */
export function firstImages(set: LabelledImages, count: number): LabelledImages {
  const n = Math.min(count, set.count);
  return { images: set.images.subarray(0, n * MNIST_PIXELS), labels: set.labels.subarray(0, n), count: n };
}

/** Start of the names of a model's Property 1 files, e.g. `units-FC100-100-10` (file-system safe). */
export function unitsFileStem(model: string): string {
  return `units-${model.replace(/[^A-Za-z0-9.-]+/g, '_')}`;
}

/**
 * Property 1 on one model over `images`: the analysis, and one figure per probed layer written to `out`
 * (file names in the result, relative to `out`).
 */
export async function unitsOfModel(
  model: Model,
  images: LabelledImages,
  spaces: CoherenceSpaces,
  options: UnitsOptions,
  out: string,
): Promise<{ summary: UnitsSummary; figures: UnitsFigureRef[] }> {
  const analysis = await analyzeUnits(model, images, spaces, options);
  const figures: UnitsFigureRef[] = [];
  for (const top of analysis.top) {
    const file = `${unitsFileStem(model.spec.name)}-layer${top.layer}.png`;
    const seed = deriveSeed(options.seed ?? UNITS_DEFAULTS.seed, `figure ${model.spec.name} layer ${top.layer}`);
    await writeImageGrid(join(out, file), unitsFigure(top, analysis.randomSets, images, { seed }));
    figures.push({ model: model.spec.name, layer: top.layer, file });
  }
  return { summary: analysis.summary, figures };
}

/** The Property 1 section's numbers for the reproduction; figures go to `options.out`. */
export async function computeUnitsSection(context: ReproduceContext): Promise<UnitsResults> {
  const { options, log } = context;
  return timed(context, 'property 1', async () => {
    const started = performance.now();
    const images = firstImages(context.data.test, options.property1.images);
    const unitsOptions = { ...UNITS_DEFAULTS, seed: options.seed, directions: options.property1.directions };
    const pixels = pixelSpace(images);
    const judges = new Map<string, SimilaritySpace>();
    const summaries: UnitsSummary[] = [];
    const figures: UnitsFigureRef[] = [];
    for (const name of UNITS_MODELS) {
      const model = modelNamed(context, name);
      const judge = defaultJudge(name);
      const key = `${judge.model} ${judge.layer}`;
      if (!judges.has(key)) {
        log(`property 1: features of ${judge.model} layer ${judge.layer} (the judge) on ${images.count} test images`);
        judges.set(key, await featureSpace(modelNamed(context, judge.model), judge.layer, images));
      }
      log(`property 1: ${name}, every hidden layer on ${images.count} test images`);
      let lastLog = performance.now();
      const result = await unitsOfModel(
        model,
        images,
        { pixels, judge: judges.get(key)! },
        {
          ...unitsOptions,
          onProgress: (done, total) => {
            if (done === total || performance.now() - lastLog > 15_000) {
              lastLog = performance.now();
              log(`  ${done}/${total} images`);
            }
          },
        },
        options.out,
      );
      summaries.push(result.summary);
      figures.push(...result.figures);
    }
    const { k, directions, randomSets, seed, resamples } = unitsOptions;
    return { summaries, figures, settings: { images: images.count, k, directions, randomSets, seed, resamples }, seconds: (performance.now() - started) / 1000 };
  });
}

function modelNamed(context: ReproduceContext, name: string): Model {
  const model = context.models.get(name);
  if (!model) throw new Error(`property 1 needs the model ${name}, which the run did not load`);
  return model;
}
