/**
 * The spectral stability analysis of one model (Szegedy et al. 2014, §4.3, and beyond): Table 5's bounds,
 * the ratios measured on adversarial pairs and on Gaussian pairs of the same norms, the certified bracket
 * of the smallest label-changing perturbation, and every place where a measurement exceeds its bound
 * (which would be a bug in a bound).
 */
import type { Model } from '../nn/model.ts';
import { certifiedBracket, type AttackedImages, type CertifiedBracket } from './certifiedRadius.ts';
import { spectralBounds, type SpectralBounds, type SpectralBoundsOptions } from './layerBounds.ts';
import { gaussianPartners, measuredRatios, type MeasuredRatios } from './pairRatios.ts';

/** Adversarial pairs: the attacked originals with their labels, targets and distortions, and the x′ found. */
export interface SpectralPairs extends AttackedImages {
  /** [count × pixels] adversarial images, in the order of `originals`. */
  adversarial: Float32Array;
}

/** Everything the spectral section reports for one model. */
export interface SpectralAnalysis {
  model: string;
  bounds: SpectralBounds;
  /** Adversarial pairs measured (0 without pairs). */
  pairs: number;
  adversarial: MeasuredRatios | null;
  /** Gaussian perturbations of the same norms as the adversarial ones, on the same originals. */
  gaussian: MeasuredRatios | null;
  certified: CertifiedBracket | null;
  /** Measurements above their bounds, described; empty unless a bound is wrong. */
  violations: string[];
  seconds: number;
}

/** Options of {@link spectralAnalysis}. */
export interface SpectralOptions extends SpectralBoundsOptions {
  /** Seed of the Gaussian pairs (default 1). */
  seed?: number;
}

/** Relative slack for float32 outputs before a measured ratio above its bound counts as a violation. */
export const RATIO_SLACK = 1e-4;

/** Every ratio of `ratios` above its bound in `bounds` (layers and the whole network), described. */
export function boundViolations(bounds: SpectralBounds, ratios: MeasuredRatios, pairsName: string): string[] {
  const found: string[] = [];
  bounds.layers.forEach((layer, k) => {
    const measured = ratios.layers[k].max;
    if (measured > layer.bound * (1 + RATIO_SLACK)) found.push(`${bounds.model} layer ${k}: ${pairsName} ratio ${measured} above the bound ${layer.bound}`);
  });
  if (ratios.network.max > bounds.product * (1 + RATIO_SLACK)) {
    found.push(`${bounds.model} whole network: ${pairsName} ratio ${ratios.network.max} above the product ${bounds.product}`);
  }
  return found;
}

/**
 * Table 5 for `model`, and with `pairs` the measured ratios (adversarial and Gaussian) and the certified
 * bracket. Throws, before any GPU work, if the pairs do not fit the model.
 */
export async function spectralAnalysis(model: Model, pairs: SpectralPairs | null, options: SpectralOptions = {}): Promise<SpectralAnalysis> {
  const started = performance.now();
  const pixels = model.spec.inputShape.reduce((p, d) => p * d, 1);
  const count = pairs ? pairs.labels.length : 0;
  if (pairs && (pairs.originals.length !== count * pixels || pairs.adversarial.length !== count * pixels)) {
    throw new Error(`spectralAnalysis: ${count} pairs need ${count * pixels} values per stack, got ${pairs.originals.length} and ${pairs.adversarial.length}`);
  }
  const bounds = await spectralBounds(model, options);
  const result: SpectralAnalysis = { model: bounds.model, bounds, pairs: count, adversarial: null, gaussian: null, certified: null, violations: [], seconds: 0 };
  if (pairs && count > 0) {
    const layers = bounds.layers.length;
    options.onProgress?.({ layer: layers, layers, text: `${bounds.model}: ratios on ${count} adversarial and Gaussian pairs` });
    result.adversarial = await measuredRatios(model, pairs.originals, pairs.adversarial);
    const noisy = gaussianPartners(pairs.originals, pairs.adversarial, count, options.seed ?? 1);
    result.gaussian = await measuredRatios(model, pairs.originals, noisy);
    result.certified = await certifiedBracket(model, bounds, pairs);
    result.violations = [...boundViolations(bounds, result.adversarial, 'adversarial'), ...boundViolations(bounds, result.gaussian, 'Gaussian')];
    if (result.certified.violations > 0) {
      result.violations.push(`${bounds.model}: ${result.certified.violations} images with a certified radius above the attack's distortion`);
    }
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
