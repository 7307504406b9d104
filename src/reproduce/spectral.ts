/**
 * The spectral step of the reproduction: Table 5 for every model of the run, with the ratios measured on
 * its saved adversarial pairs and the certified bracket (analysis/spectral.ts); report/spectral.ts renders it.
 */
import { adversarialOf, type AdversarialSet } from '../attack/sets.node.ts';
import type { MnistData } from '../data/mnist.node.ts';
import { spectralAnalysis, type SpectralAnalysis, type SpectralOptions, type SpectralPairs } from '../analysis/spectral.ts';
import { deriveSeed } from '../util/random.ts';
import { timed, type ReproduceContext } from './context.ts';

/**
 * The pairs of a saved set: every successful example's original (from the split the set attacked) and
 * adversarial image, with its label, target and distortion.
 */
export function pairsFromSet(set: AdversarialSet, data: MnistData): SpectralPairs {
  const source = set.source === 'train' ? data.train : data.test;
  const successes = set.examples.filter((e) => e.success);
  const pixels = source.images.length / source.count;
  const originals = new Float32Array(successes.length * pixels);
  const adversarial = new Float32Array(successes.length * pixels);
  successes.forEach((e, i) => {
    if (!(e.index >= 0 && e.index < source.count)) throw new Error(`set ${set.name}: image index ${e.index} is outside the ${set.source} set (${source.count} images)`);
    if (source.labels[e.index] !== e.label) throw new Error(`set ${set.name}: image ${e.index} has label ${source.labels[e.index]} in the data but ${e.label} in the set (another dataset?)`);
    originals.set(source.images.subarray(e.index * pixels, (e.index + 1) * pixels), i * pixels);
    adversarial.set(adversarialOf(set, e), i * pixels);
  });
  return {
    originals,
    adversarial,
    labels: Int32Array.from(successes, (e) => e.label),
    targets: Int32Array.from(successes, (e) => e.target),
    distortions: Float64Array.from(successes, (e) => e.distortion!),
  };
}

/**
 * The spectral section for every model of the run (in the run's order), with pairs from `sets` (by
 * table name; a model without a set gets bounds only). Logs progress through the context.
 */
export async function computeSpectral(context: ReproduceContext, sets: Map<string, AdversarialSet>, options: SpectralOptions = {}): Promise<SpectralAnalysis[]> {
  const results: SpectralAnalysis[] = [];
  for (const [name, model] of context.models) {
    const set = sets.get(name);
    let lastLog = 0;
    const analysis = await timed(context, 'spectral', () =>
      spectralAnalysis(model, set ? pairsFromSet(set, context.data) : null, {
        seed: deriveSeed(context.options.seed, `spectral ${name}`),
        ...options,
        name,
        onProgress: ({ text }) => {
          if (performance.now() - lastLog > 15_000) {
            lastLog = performance.now();
            context.log(`  spectral: ${text}`);
          }
        },
      }),
    );
    context.log(
      `${name}: ∏ L_k = ${analysis.bounds.product.toPrecision(4)}` +
        (analysis.certified ? `, certified radius ${analysis.certified.meanLower.toFixed(5)} vs distortion ${analysis.certified.meanUpper.toFixed(4)}` : '') +
        ` (${analysis.seconds.toFixed(0)} s)${analysis.violations.length ? `; BOUND VIOLATIONS: ${analysis.violations.join('; ')}` : ''}`,
    );
    results.push(analysis);
  }
  return results;
}
