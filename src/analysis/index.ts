/**
 * The `analysis` namespace of the public API: Property 1 (are units special?), the spectral analysis
 * (Lipschitz bounds per layer, measured ratios, certified radii), cross-model transfer and noise controls.
 */
export {
  analyzeUnits,
  checkUnitsOptions,
  UNITS_DEFAULTS,
  defaultJudge,
  describeLayer,
  decidedColumns,
  type UnitsOptions,
  type UnitsAnalysis,
  type UnitsSummary,
  type UnitsLayerSummary,
} from './units.ts';
export { topImagesByLayer, type LayerProbe, type TopImages, type LayerTopImages, type TopImagesOptions } from './topImages.ts';
export { layerActivations } from './activations.ts';
export { labelPurity, coherenceCurves, similaritySpace, type SimilaritySpace, type CoherenceCurves } from './coherence.ts';
export { bootstrapMean, type Estimate, type BootstrapOptions } from './bootstrap.ts';
export { mannWhitneyU, type MannWhitneyResult } from './mannWhitney.ts';
export { randomDirections, randomSubsets } from './directions.ts';
export { errorRateOn, amplify, rmsDifference } from './transfer.ts';
export { noisyCopies, type NoisySet } from './noise.ts';
export { spectralAnalysis, boundViolations, type SpectralAnalysis, type SpectralPairs, type SpectralOptions } from './spectral.ts';
export { spectralBounds, type SpectralBounds, type LayerBound, type SpectralBoundsOptions } from './layerBounds.ts';
export { measuredRatios, gaussianPartners, type MeasuredRatios, type RatioStats } from './pairRatios.ts';
export { certifiedBracket, type CertifiedBracket, type CertifiedExample } from './certifiedRadius.ts';
export { operatorNorm, type LinearOperator, type OperatorNormEstimate, type PowerIterationOptions } from './powerIteration.ts';
export { convDftNorm, dftPeriods, type ConvDftBound, type ConvGeometry } from './convDft.ts';
export { layerGeometries, linearPartOf, activationConstant, type LayerGeometry } from './layerOperators.ts';
