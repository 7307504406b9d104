/**
 * 2-D max and average pooling of NCHW tensors (shaders/pool.wgsl) and their backward rules. Windows do
 * not pad and a last partial window is dropped (floor mode), as in the paper's models.
 */
import { needsGradient, record } from '../record.ts';
import { Tensor, checkOperands } from '../tensor.ts';
import { spatialPair } from './conv.ts';

/** Options of {@link maxPool2d} and {@link avgPool2d}. */
export interface Pool2dOptions {
  /** Window extent, one value or [vertical, horizontal]. */
  size: number | [number, number];
  /** Step between windows, one value or [vertical, horizontal] (default: the window size). */
  stride?: number | [number, number];
}

const WORKGROUP_SIZE = 64;

interface PoolGeometry {
  outShape: number[];
  uniforms: Uint32Array;
  /** The windows tile the input exactly: stride = size and nothing left over. */
  tiles: boolean;
}

function geometry(op: string, x: Tensor, options: Pool2dOptions): PoolGeometry {
  checkOperands(op, { x });
  if (x.rank !== 4 || x.shape.some((d) => d < 1)) throw new Error(`${op}: expected a non-empty 4-D NCHW input, got [${x.shape}]`);
  const [n, c, h, w] = x.shape;
  const [kh, kw] = spatialPair(op, 'size', options.size, 1);
  const [sh, sw] = spatialPair(op, 'stride', options.stride ?? [kh, kw], 1);
  if (kh > h || kw > w) throw new Error(`${op}: window ${kh}×${kw} is larger than the input [${x.shape}]`);
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const tiles = sh === kh && sw === kw && oh * kh === h && ow * kw === w;
  return { outShape: [n, c, oh, ow], uniforms: new Uint32Array([n * c, h, w, oh, ow, kh, kw, sh, sw, 0, 0, 0]), tiles };
}

function launch(entry: string, uniforms: Uint32Array, bindings: Tensor[], invocations: number): void {
  const engine = bindings[0].engine;
  engine.dispatch(engine.kernel(`pool#${entry}`, { WORKGROUP_SIZE }), {
    uniforms,
    bindings: bindings.map((t) => t.binding),
    workgroups: engine.grid(invocations, WORKGROUP_SIZE),
  });
}

/**
 * Maximum over each window. The gradient goes to the first maximum of each window (row-major order),
 * whose position the forward pass records.
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const g = geometry('maxPool2d', x, options);
  const out = Tensor.empty(x.engine, g.outShape);
  // Holds u32 positions, not floats; kept for the backward rule, which valueAndGrads frees at its end.
  const argmax = Tensor.empty(x.engine, g.outShape);
  launch('max_forward', g.uniforms, [x, out, argmax], out.size);
  if (!needsGradient(x)) {
    argmax.dispose();
    return out;
  }
  return record('maxPool2d', [x], out, (dy) => {
    const dx = Tensor.empty(x.engine, x.shape);
    if (g.tiles) launch('max_backward_tiles', g.uniforms, [dy, dx, argmax], out.size);
    else launch('max_backward', g.uniforms, [dy, dx, argmax], x.size);
    return [dx];
  });
}

/** Mean over each window. */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const g = geometry('avgPool2d', x, options);
  const out = Tensor.empty(x.engine, g.outShape);
  launch('avg_forward', g.uniforms, [x, out], out.size);
  return record('avgPool2d', [x], out, (dy) => {
    const dx = Tensor.empty(x.engine, x.shape);
    launch('avg_backward', g.uniforms, [dy, dx], x.size);
    return [dx];
  });
}
