/**
 * Creation: constants and uploads. Constants are filled on the GPU (no upload); data from the CPU is
 * written with one queue write.
 */
import type { Engine } from '../../gpu/engine.ts';
import { Tensor, checkOperands, checkShape, shapeSize, type Shape } from '../tensor.ts';

const WORKGROUP_SIZE = 64;

/** A tensor of `shape` with every element `value` (any number, NaN and ±Infinity included: it is data). */
export function fill(engine: Engine, shape: Shape, value: number): Tensor {
  return launchFill('fill', engine, shape, value);
}

function launchFill(op: string, engine: Engine, shape: Shape, value: number): Tensor {
  checkShape(op, shape);
  if (typeof value !== 'number') throw new Error(`${op}: the value must be a number, got ${typeof value}`);
  const out = Tensor.empty(engine, shape, op);
  const uniforms = new ArrayBuffer(8);
  new Uint32Array(uniforms, 0, 1)[0] = out.size;
  new Float32Array(uniforms, 4, 1)[0] = value;
  engine.dispatch(engine.kernel('fill', { WORKGROUP_SIZE }), {
    uniforms: new Uint8Array(uniforms),
    bindings: [out.binding],
    workgroups: engine.grid(out.size, WORKGROUP_SIZE),
  });
  return out;
}

export const zeros = (engine: Engine, shape: Shape): Tensor => launchFill('zeros', engine, shape, 0);
export const ones = (engine: Engine, shape: Shape): Tensor => launchFill('ones', engine, shape, 1);

/** A tensor with `like`'s shape and every element `value`. */
export function fillLike(like: Tensor, value: number): Tensor {
  checkOperands('fillLike', { like });
  return fill(like.engine, like.shape, value);
}

/**
 * Upload `data` (any numeric array; converted to f32) as a tensor of `shape` (default: 1-D).
 * @throws Error naming the shape when it is not a shape or its size is not `data.length`.
 */
export function tensor(engine: Engine, data: ArrayLike<number>, shape?: Shape): Tensor {
  if (data === null || typeof data !== 'object' || !Number.isSafeInteger(data.length)) {
    throw new Error(`tensor: data must be an array or typed array of numbers, got ${data === null ? 'null' : typeof data}`);
  }
  if (shape === undefined) shape = [data.length];
  checkShape('tensor', shape);
  if (shapeSize(shape) !== data.length) {
    throw new Error(`tensor: ${data.length} values do not fill shape [${shape}] (${shapeSize(shape)} elements)`);
  }
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  const out = Tensor.empty(engine, shape, 'tensor');
  if (values.length > 0) engine.writeBuffer(out.buffer, values);
  return out;
}

/** A scalar tensor (shape []). */
export function scalar(engine: Engine, value: number): Tensor {
  return tensor(engine, [value], []);
}
