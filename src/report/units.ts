/**
 * The Property 1 section of the report: per model, a table of units vs random directions vs random image
 * sets (mean and bootstrap 95% interval of each coherence statistic, the Mann–Whitney p-value), how
 * coherence falls from the top-2 to the top-k, the figures, and the finding stated from the numbers.
 */
import type { Estimate } from '../analysis/bootstrap.ts';
import { STATISTICS, type KindSummary, type Statistic } from '../analysis/coherenceScores.ts';
import type { UnitsLayerSummary, UnitsSummary } from '../analysis/units.ts';
import { table } from './markdownTable.ts';

/** A figure written for one probed layer (file relative to the report). */
export interface UnitsFigureRef {
  model: string;
  layer: number;
  file: string;
}

/** Everything the section shows, as saved in results.json. */
export interface UnitsResults {
  summaries: UnitsSummary[];
  figures: UnitsFigureRef[];
  settings: { images: number; k: number; directions: number; randomSets: number; seed: number; resamples: number };
  seconds: number;
}

/** Family-wise significance level; each test is held to ALPHA / (number of tests in the section). */
export const ALPHA = 0.05;

const STATISTIC_NAMES: Record<Statistic, string> = {
  purity: 'label purity',
  pixelSimilarity: 'pixel similarity',
  featureSimilarity: 'feature similarity',
};
const KIND_NAMES = { units: 'units', randomDirections: 'random directions', randomSets: 'random image sets' } as const;

const estimate = (e: Estimate | null): string => (e ? `${e.mean.toFixed(3)} [${e.low.toFixed(3)}, ${e.high.toFixed(3)}]` : 'n/a');
const layerCount = (n: number): string => `${n} layer${n === 1 ? '' : 's'}`;
const pValue = (p: number): string => (p === 0 ? '< 1e-300' : p >= 0.001 ? p.toFixed(3) : p.toExponential(1));


/** Which side a statistic's test favours at the corrected level: units, random directions, or neither. */
export function verdict(layer: UnitsLayerSummary, statistic: Statistic, level: number): 'units' | 'directions' | 'neither' {
  const test = layer.tests[statistic];
  if (!test || test.p >= level) return 'neither';
  return test.effect > 0.5 ? 'units' : 'directions';
}

function layerName(layer: UnitsLayerSummary): string {
  return `${layer.layer}: ${layer.description}`;
}

function statisticsTable(summary: UnitsSummary): string {
  const rows: string[][] = [];
  for (const layer of summary.layers) {
    for (const kind of ['units', 'randomDirections', 'randomSets'] as const) {
      const k: KindSummary = layer.kinds[kind];
      const left = kind === 'units' ? layer.undecidedUnits : kind === 'randomDirections' ? layer.undecidedDirections : 0;
      const count = left ? `${k.count} (+${left} undecided)` : `${k.count}`;
      rows.push([kind === 'units' ? layerName(layer) : '', KIND_NAMES[kind], count, ...STATISTICS.map((s) => estimate(k.estimates[s]))]);
    }
    rows.push([
      '',
      'units vs directions: p (A)',
      '',
      ...STATISTICS.map((s) => {
        const t = layer.tests[s];
        return t ? `${pValue(t.p)} (A ${t.effect.toFixed(2)})` : 'n/a';
      }),
    ]);
  }
  return table(['layer', 'top-k of', 'n', ...STATISTICS.map((s) => STATISTIC_NAMES[s])], rows);
}

function curvesTable(summary: UnitsSummary): string {
  const k = summary.k;
  const marks = [...new Set([2, Math.ceil((k + 1) / 2), k])];
  const rows: string[][] = [];
  for (const layer of summary.layers) {
    for (const kind of ['units', 'randomDirections', 'randomSets'] as const) {
      const curves = layer.kinds[kind].curves;
      rows.push([
        kind === 'units' ? layerName(layer) : '',
        KIND_NAMES[kind],
        ...STATISTICS.map((s) => (curves[s].length ? marks.map((m) => curves[s][m - 2].toFixed(2)).join(' → ') : 'n/a')),
      ]);
    }
  }
  return table(['layer', 'top-m of', ...STATISTICS.map((s) => `${STATISTIC_NAMES[s]}, m = ${marks.join(', ')}`)], rows);
}

/** The finding, stated from the tests and intervals (nothing here is written in advance of the numbers). */
function finding(summaries: UnitsSummary[]): string {
  const layers = summaries.flatMap((s) => s.layers.map((layer) => ({ model: s.model, layer })));
  const tests = layers.reduce((n, { layer }) => n + STATISTICS.filter((s) => layer.tests[s]).length, 0);
  const level = ALPHA / Math.max(tests, 1);
  const named = (list: typeof layers) => (list.length ? list.map(({ model, layer }) => `${model} layer ${layer.layer}`).join(', ') : 'none');
  const favours = (side: 'units' | 'directions') => ({ layer }: (typeof layers)[number]) => STATISTICS.some((s) => verdict(layer, s, level) === side);
  const allUnits = layers.filter(({ layer }) => STATISTICS.every((s) => verdict(layer, s, level) === 'units'));
  const someUnits = layers.filter((l) => favours('units')(l) && !allUnits.includes(l));
  const someDirections = layers.filter(favours('directions'));
  const none = layers.filter(({ layer }) => STATISTICS.every((s) => verdict(layer, s, level) === 'neither'));
  const aboveSets = layers.filter(({ layer }) => {
    const sets = layer.kinds.randomSets.estimates.purity;
    const units = layer.kinds.units.estimates.purity;
    const directions = layer.kinds.randomDirections.estimates.purity;
    return sets && units && directions && units.low > sets.high && directions.low > sets.high;
  });
  const disagreements = [
    allUnits.length + someUnits.length ? `units are more coherent (${layerCount(allUnits.length + someUnits.length)})` : '',
    someDirections.length ? `random directions are more coherent (${layerCount(someDirections.length)})` : '',
  ].filter(Boolean);
  const lines = [
    `${layerCount(layers.length)}, ${tests} tests of units against random directions, each at α = ${ALPHA}/${tests} (Bonferroni):`,
    `- units more coherent than random directions on all three statistics: ${named(allUnits)};`,
    `- units more coherent on some statistics only: ${named(someUnits)};`,
    `- random directions more coherent on some statistic: ${named(someDirections)};`,
    `- no significant difference on any statistic: ${named(none)}.`,
    '',
    `The paper claims that units are no more semantically coherent than random directions. The measurement agrees where no test finds a difference (${none.length} of ${layers.length} layers)` +
      (disagreements.length ? ` and disagrees where ${disagreements.join(' or where ')}.` : '.') +
      ` In ${aboveSets.length} of ${layers.length} layers both units and random directions select images purer in label than random image sets (95% intervals apart)` +
      (aboveSets.length ? ': there the top images of a random direction are coherent too, as the paper\'s Figure 2 shows.' : '.'),
  ];
  return lines.join('\n');
}

/** The Markdown section (starts with a level-2 heading). */
export function renderUnitsSection(results: UnitsResults): string {
  const { settings } = results;
  const perModel = results.summaries.map((summary) => {
    const figures = results.figures.filter((f) => f.model === summary.model).map((f) => `![${f.model} layer ${f.layer}](${f.file})`);
    return `### ${summary.model}

Similarity judged in ${summary.judgeSpace}.

${statisticsTable(summary)}

How coherence falls from the top-2 to the top-${summary.k} (mean over directions of each statistic of the top-m images):

${curvesTable(summary)}

${figures.join('\n')}`;
  });
  return `## Property 1 — are units special?

For every probed layer φ and each of three kinds of image sets, the ${settings.k} MNIST test images (of ${settings.images}, never trained on) that most activate a unit e_i (argmax ⟨φ(x), e_i⟩), the ${settings.k} that most activate a random direction v (Gaussian, normalized; as many as the layer has units, at most ${settings.directions}, seed ${settings.seed}), and ${settings.randomSets} random sets of ${settings.k} test images (no direction at all). The coherence of a set: its **label purity** (share of the most common label), and the mean pairwise cosine similarity of its images centred on the test-set mean (0 = as alike as two random test images), in **pixel** space and in the **feature** space of a different trained model (named with each model below), so the measured network does not judge itself. Means with percentile bootstrap 95% intervals (${settings.resamples} resamples over directions); p: two-sided Mann–Whitney U test of units against random directions (normal approximation, tie-corrected); A: the probability that a unit scores above a random direction (0.5 = no difference). A conv or pool layer's output is flattened to C·H·W features, and a unit is one (channel, y, x) feature, the natural basis of the space the random directions live in. Units whose ${settings.k}-th highest activation equals their lowest (dead or rarely active ReLU features, whose "top" images would be the first ones of the test set) are left out and counted as undecided. Computed in ${results.seconds.toFixed(0)} s.

${finding(results.summaries)}

${perModel.join('\n\n')}
`;
}
