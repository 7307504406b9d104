/** Float64 reference of conv2d (NCHW input, [O, C, KH, KW] filter, optional bias and relu) and its gradients. */
import type { OpReference, RefArray } from '../helpers/checkOp.ts';

export interface ConvRefOptions {
  stride: [number, number];
  padding: [number, number];
  relu: boolean;
}

interface Dims {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
}

function dims(x: RefArray, w: RefArray, { stride, padding }: ConvRefOptions): Dims {
  const [n, c, h, wd] = x.shape;
  const [o, , kh, kw] = w.shape;
  return {
    n, c, h, w: wd, o, kh, kw,
    oh: Math.floor((h + 2 * padding[0] - kh) / stride[0]) + 1,
    ow: Math.floor((wd + 2 * padding[1] - kw) / stride[1]) + 1,
  };
}

/** Valid output positions [lo, hi) along one axis for tap t: out·stride − pad + t must lie in [0, size). */
function span(t: number, stride: number, pad: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil((pad - t) / stride));
  const hi = Math.min(outSize, Math.floor((size - 1 + pad - t) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Calls visit(out, input, filter, count) for every run of product terms out[out + k] += in[input + k·sw] ·
 * w[filter], k < count (one output row and one tap, with input positions inside the image), so forward
 * and backward walk exactly the same terms; the inner loops over k stay in the callers.
 */
function forEachRun(d: Dims, options: ConvRefOptions, visit: (out: number, input: number, filter: number, count: number) => void): void {
  const [sh, sw] = options.stride;
  const [ph, pw] = options.padding;
  for (let i = 0; i < d.kh; i++) {
    const [y0, y1] = span(i, sh, ph, d.h, d.oh);
    for (let j = 0; j < d.kw; j++) {
      const [x0, x1] = span(j, sw, pw, d.w, d.ow);
      for (let n = 0; n < d.n; n++)
        for (let o = 0; o < d.o; o++)
          for (let c = 0; c < d.c; c++) {
            const filter = ((o * d.c + c) * d.kh + i) * d.kw + j;
            for (let y = y0; y < y1; y++) {
              const input = ((n * d.c + c) * d.h + y * sh - ph + i) * d.w + x0 * sw - pw + j;
              visit(((n * d.o + o) * d.oh + y) * d.ow + x0, input, filter, x1 - x0);
            }
          }
    }
  }
}

function preActivation(inputs: RefArray[], options: ConvRefOptions): { z: Float64Array; d: Dims } {
  const [x, w, bias] = inputs;
  const d = dims(x, w, options);
  const z = new Float64Array(d.n * d.o * d.oh * d.ow);
  const [, sw] = options.stride;
  const xs = x.data;
  const ws = w.data;
  forEachRun(d, options, (out, input, filter, count) => {
    const wf = ws[filter];
    for (let k = 0; k < count; k++) z[out + k] += xs[input + k * sw] * wf;
  });
  if (bias) for (let k = 0; k < z.length; k++) z[k] += bias.data[Math.floor(k / (d.oh * d.ow)) % d.o];
  return { z, d };
}

/** Inputs [x, w] or [x, w, bias]. */
export function convReference(options: ConvRefOptions): OpReference {
  return {
    forward(inputs) {
      const { z, d } = preActivation(inputs, options);
      return { data: options.relu ? z.map((v) => Math.max(v, 0)) : z, shape: [d.n, d.o, d.oh, d.ow] };
    },
    backward(inputs, g) {
      const [x, w, bias] = inputs;
      const { z, d } = preActivation(inputs, options);
      const dz = options.relu ? g.map((v, k) => (z[k] > 0 ? v : 0)) : g;
      const dx = new Float64Array(x.data.length);
      const dw = new Float64Array(w.data.length);
      const [, sw] = options.stride;
      const xs = x.data;
      const ws = w.data;
      forEachRun(d, options, (out, input, filter, count) => {
        const wf = ws[filter];
        let sum = 0;
        for (let k = 0; k < count; k++) {
          dx[input + k * sw] += dz[out + k] * wf;
          sum += dz[out + k] * xs[input + k * sw];
        }
        dw[filter] += sum;
      });
      if (!bias) return [dx, dw];
      const db = new Float64Array(d.o);
      for (let k = 0; k < dz.length; k++) db[Math.floor(k / (d.oh * d.ow)) % d.o] += dz[k];
      return [dx, dw, db];
    },
  };
}
