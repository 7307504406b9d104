/**
 * The `analysis` namespace of the public API: Property 1 (are units special?), cross-model transfer and
 * noise controls.
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
