/// <reference types="@webgpu/types" preserve="true" />
/**
 * blindspot — a WebGPU tensor engine with handwritten WGSL kernels and tape autodiff, built to find the
 * blind spots of neural networks (Szegedy et al., 2014). This module is the public API for embedding; it
 * runs unchanged in a browser page and in Node (Dawn). Node-only helpers (files, the trained zoo's
 * folder) are in `blindspot/node`, which also re-exports everything here.
 *
 * The engine, tensors, ops and autodiff are exported flat; the layers above them are namespaces:
 * `data`, `nn`, `optim`, `attack`, `analysis`, `hardening`.
 */
export { Engine, type EngineOptions, type Kernel, type KernelConstants, type MemoryStats } from './gpu/engine.ts';
export { acquireDevice, type AdapterDescription, type AdapterOptions } from './gpu/device.ts';
export * from './gpu/errors.ts';
export { Tensor, type Shape } from './tensor/tensor.ts';
export { tidy, keep } from './tensor/context.ts';
export * from './tensor/ops/index.ts';
export { valueAndGrads, type ValueAndGrads } from './autograd/tape.ts';
export { noGrad } from './tensor/record.ts';
export * as data from './data/index.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export * as attack from './attack/index.ts';
export * as analysis from './analysis/index.ts';
export * as hardening from './hardening/index.ts';
