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

/**
 * Calls visit(outIndex, inIndex, filterIndex) for every product term of the convolution whose input
 * position lies inside the image, so forward and backward walk exactly the same terms.
 */
function forEachTerm(d: Dims, options: ConvRefOptions, visit: (out: number, input: number, filter: number) => void): void {
  const [sh, sw] = options.stride;
  const [ph, pw] = options.padding;
  for (let n = 0; n < d.n; n++)
    for (let o = 0; o < d.o; o++)
      for (let y = 0; y < d.oh; y++)
        for (let x = 0; x < d.ow; x++) {
          const out = ((n * d.o + o) * d.oh + y) * d.ow + x;
          for (let c = 0; c < d.c; c++)
            for (let i = 0; i < d.kh; i++) {
              const iy = y * sh - ph + i;
              if (iy < 0 || iy >= d.h) continue;
              for (let j = 0; j < d.kw; j++) {
                const ix = x * sw - pw + j;
                if (ix < 0 || ix >= d.w) continue;
                visit(out, ((n * d.c + c) * d.h + iy) * d.w + ix, ((o * d.c + c) * d.kh + i) * d.kw + j);
              }
            }
        }
}

function preActivation(inputs: RefArray[], options: ConvRefOptions): { z: Float64Array; d: Dims } {
  const [x, w, bias] = inputs;
  const d = dims(x, w, options);
  const z = new Float64Array(d.n * d.o * d.oh * d.ow);
  forEachTerm(d, options, (out, input, filter) => (z[out] += x.data[input] * w.data[filter]));
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
      forEachTerm(d, options, (out, input, filter) => {
        dx[input] += dz[out] * w.data[filter];
        dw[filter] += dz[out] * x.data[input];
      });
      if (!bias) return [dx, dw];
      const db = new Float64Array(d.o);
      for (let k = 0; k < dz.length; k++) db[Math.floor(k / (d.oh * d.ow)) % d.o] += dz[k];
      return [dx, dw, db];
    },
  };
}
