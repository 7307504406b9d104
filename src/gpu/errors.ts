/**
 * Typed errors of the GPU runtime. Every error that comes from a kernel names it, so a failure in a long
 * training or attack loop points at the op that caused it rather than at a bare WebGPU validation message.
 */

/** No WebGPU adapter could be obtained; the message says what to install or set. */
export class AdapterUnavailableError extends Error {
  override name = 'AdapterUnavailableError';
}

/** A WGSL file failed to compile; `file` and `line` point into `shaders/`. */
export class KernelCompileError extends Error {
  override name = 'KernelCompileError';
  constructor(
    readonly kernel: string,
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: kernel '${kernel}' failed to compile: ${detail}`);
  }
}

/** A dispatch asked for more than the adapter allows (workgroups, buffer binding size, invocations). */
export class KernelLimitError extends Error {
  override name = 'KernelLimitError';
  constructor(
    readonly kernel: string,
    detail: string,
  ) {
    super(`kernel '${kernel}': ${detail}`);
  }
}

/** WebGPU reported a validation or out-of-memory error for work that included the named kernels. */
export class GpuValidationError extends Error {
  override name = 'GpuValidationError';
  constructor(
    readonly kernels: string[],
    detail: string,
  ) {
    super(`GPU error in ${kernels.length ? `kernel(s) ${kernels.join(', ')}` : 'the runtime'}: ${detail}`);
  }
}

/** The device was lost (driver reset, destroy(), out of memory); the engine cannot be used any more. */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`the WebGPU device was lost (${reason}): ${detail}`);
  }
}

/** The engine was used after dispose(). */
export class EngineDisposedError extends Error {
  override name = 'EngineDisposedError';
  constructor() {
    super('this blindspot engine was disposed; create a new one');
  }
}

/**
 * A kernel found an element of an index argument out of range (a class label, a row index): something only
 * the kernel can see, as the data lives on the GPU. Raised at the first readback or sync after the op ran;
 * `index` is the smallest offending position in that argument.
 */
export class KernelArgumentError extends Error {
  override name = 'KernelArgumentError';
  constructor(
    readonly op: string,
    readonly index: number,
    detail: string,
  ) {
    super(`${op}: ${detail}; the op's output is NaN there`);
  }
}
