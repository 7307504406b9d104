/**
 * Scalar constants (−1, 1, 0.5, ...) that backward rules and losses multiply by, kept once per engine
 * instead of uploaded on every call. They live as long as the engine.
 */
import type { Engine } from '../gpu/engine.ts';
import { keep } from './context.ts';
import { Tensor } from './tensor.ts';

const cache = new WeakMap<Engine, Map<number, Tensor>>();

/** A shape-[] tensor holding `value`, shared by every caller on this engine; do not dispose it. */
export function constantScalar(engine: Engine, value: number): Tensor {
  let byValue = cache.get(engine);
  if (!byValue) cache.set(engine, (byValue = new Map()));
  let constant = byValue.get(value);
  if (!constant || constant.isDisposed) {
    constant = keep(Tensor.empty(engine, []));
    engine.writeBuffer(constant.buffer, new Float32Array([value]));
    byValue.set(value, constant);
  }
  return constant;
}
