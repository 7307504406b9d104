/** Every op, one module per family; each module holds the launches and the backward rules. */
export { fill, zeros, ones, fillLike, tensor, scalar } from './fill.ts';
export { add, sub, mul, div, maximum, minimum, greater, equal, broadcastTo } from './binary.ts';
export { sum, mean, max, min, argmax, sumToShape } from './reduce.ts';
export { sigmoid, relu, tanh, exp, log, square, sqrt, neg, abs, addScalar, mulScalar, powScalar, clamp, finiteMask } from './unary.ts';
export { softmax, logSoftmax, softmaxCrossEntropy, validateLabels, type LossReduction, type CrossEntropyOptions } from './softmax.ts';
export { gatherRows, transpose2d, oneHot } from './gather.ts';
export { sliceRows } from './slice.ts';
export { sgdMomentumUpdate, adamUpdate, type SgdMomentumOptions, type AdamOptions } from './optimizerUpdates.ts';
export { randomUniform, randomNormal, gaussianNoise, dropout, philoxWords, type RandomOptions, type UniformOptions, type NormalOptions, type NoiseOptions } from './random.ts';
export { matmul, linear, type MatmulOptions, type Activation, type MatmulVariant } from './matmul.ts';
export { tuneMatmul, defaultMatmulVariant, matmulTuning, type MatmulTuning, type MatmulTiming, type TuneMatmulOptions } from './matmulTuning.ts';
export { conv2d, type Conv2dOptions, type ConvVariant } from './conv.ts';
export { maxPool2d, avgPool2d, type Pool2dOptions } from './pool.ts';
export { topk, TOPK_MAX_K, type TopK, type TopKOptions } from './topk.ts';
