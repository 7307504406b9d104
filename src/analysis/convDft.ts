/**
 * The paper's formula for the operator norm of a convolution (Szegedy et al. 2014, §4.3), in float64 on
 * the CPU: the largest singular value, over frequencies, of the matrix of the kernels' 2-D DFTs.
 *
 * Boundary assumption: the formula is exact for a **periodic** convolution on an Nh × Nw torus. With
 * stride Δ (Δh × Δw), a periodic cross-correlation z_d = Σ_c w_dc ⋆ x_c sampled every Δ pixels maps, in
 * the unitary DFT, the inputs at the Δh·Δw frequencies ξ that alias to one output frequency η
 * (ξ ≡ η mod N/Δ) to the output at η through the D × (C·Δh·Δw) matrix
 *   B(η) = (Δh·Δw)^(−1/2) · [Ŵ(ξ₁) … Ŵ(ξ_S)],   Ŵ_dc(ξ) = Σ_{a,b} w[d,c,a,b]·e^{−2πi(ξh·a/Nh + ξw·b/Nw)}
 * (conjugated for a cross-correlation, which leaves singular values alone), so the periodic operator's
 * norm is max_η σ_max(B(η)). For stride 1 this is the paper's D × C matrix per frequency.
 *
 * A zero-padded convolution on an H × W image is that periodic one restricted to inputs supported on the
 * image and read at the valid outputs, provided no tap wraps around onto the image: N ≥ H + padding, and
 * N a multiple of the stride with the outputs distinct mod N ({@link dftPeriods}). Its norm is then at most
 * the DFT value; the two approach each other as the image grows relative to the kernel.
 */
import { largestHermitianEigenvalue } from './symmetricEigen.ts';

/** [vertical, horizontal]. */
export type Pair = [number, number];

/** The zero-padded convolution whose norm is bounded: the input extent, stride and padding. */
export interface ConvGeometry {
  /** Input height and width. */
  input: Pair;
  kernel: Pair;
  stride: Pair;
  padding: Pair;
}

/** The DFT bound of a convolution and where it was evaluated. */
export interface ConvDftBound {
  /** max over output frequencies of σ_max(B(η)): the periodic operator's norm. */
  value: number;
  /** The torus [Nh, Nw] the kernels were zero-padded to. */
  periods: Pair;
  /** The output frequency η where the maximum sits. */
  worstFrequency: Pair;
}

function checkPairs(geometry: ConvGeometry): void {
  for (const [name, pair, min] of [['input', geometry.input, 1], ['kernel', geometry.kernel, 1], ['stride', geometry.stride, 1], ['padding', geometry.padding, 0]] as const) {
    if (!pair.every((v) => Number.isInteger(v) && v >= min)) throw new Error(`conv DFT bound: ${name} [${pair}] must be integers ≥ ${min}`);
  }
  if (geometry.kernel.some((k, i) => k > geometry.input[i] + 2 * geometry.padding[i])) {
    throw new Error(`conv DFT bound: kernel [${geometry.kernel}] is larger than the padded input [${geometry.input.map((h, i) => h + 2 * geometry.padding[i])}]`);
  }
}

/**
 * The smallest torus on which the zero-padded convolution of `geometry` is an exact restriction of a
 * periodic one: per dimension N ≥ H + padding (no tap wraps onto the image), N ≥ Δ·(outputs − 1) + 1
 * (outputs stay distinct), rounded up to a multiple of the stride Δ. For a 'valid' convolution with
 * stride 1 this is the input size itself, the paper's "kernels zero-padded to the input size".
 */
export function dftPeriods(geometry: ConvGeometry): Pair {
  checkPairs(geometry);
  return [0, 1].map((i) => {
    const { input, kernel, stride, padding } = geometry;
    const outputs = Math.floor((input[i] + 2 * padding[i] - kernel[i]) / stride[i]) + 1;
    const least = Math.max(input[i] + padding[i], stride[i] * (outputs - 1) + 1);
    return Math.ceil(least / stride[i]) * stride[i];
  }) as Pair;
}

/** Ŵ for every frequency: re/im of shape [Nh, Nw, D, C], computed separably (columns, then rows). */
function kernelSpectra(weights: ArrayLike<number>, shape: readonly number[], periods: Pair): { re: Float64Array; im: Float64Array } {
  const [d, c, kh, kw] = shape;
  const [nh, nw] = periods;
  const channels = d * c;
  // Along the width: rowRe/rowIm [channels, kh, nw].
  const rowRe = new Float64Array(channels * kh * nw);
  const rowIm = new Float64Array(channels * kh * nw);
  for (let ch = 0; ch < channels; ch++) {
    for (let a = 0; a < kh; a++) {
      for (let f = 0; f < nw; f++) {
        let re = 0;
        let im = 0;
        for (let b = 0; b < kw; b++) {
          const angle = (-2 * Math.PI * ((f * b) % nw)) / nw;
          const w = weights[(ch * kh + a) * kw + b];
          re += w * Math.cos(angle);
          im += w * Math.sin(angle);
        }
        rowRe[(ch * kh + a) * nw + f] = re;
        rowIm[(ch * kh + a) * nw + f] = im;
      }
    }
  }
  const re = new Float64Array(nh * nw * channels);
  const im = new Float64Array(nh * nw * channels);
  for (let g = 0; g < nh; g++) {
    for (let a = 0; a < kh; a++) {
      const angle = (-2 * Math.PI * ((g * a) % nh)) / nh;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      for (let f = 0; f < nw; f++) {
        for (let ch = 0; ch < channels; ch++) {
          const r = rowRe[(ch * kh + a) * nw + f];
          const i = rowIm[(ch * kh + a) * nw + f];
          const at = (g * nw + f) * channels + ch;
          re[at] += r * cos - i * sin;
          im[at] += r * sin + i * cos;
        }
      }
    }
  }
  return { re, im };
}

/**
 * The paper's DFT bound for a convolution with `weights` of shape [D, C, Kh, Kw] (OIHW, as conv2d takes
 * them) and `stride`, on the torus `periods` (each a multiple of its stride): max over the output
 * frequencies η of σ_max(B(η)), B(η) the D × (C·Δh·Δw) matrix of the module comment. σ_max comes from the
 * smaller of the Gram matrices B·Bᴴ and Bᴴ·B, by Jacobi in float64.
 */
export function convDftNorm(weights: ArrayLike<number>, shape: readonly number[], stride: Pair, periods: Pair): ConvDftBound {
  if (shape.length !== 4 || shape.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`convDftNorm: expected an OIHW kernel shape, got [${shape}]`);
  const [d, c, kh, kw] = shape;
  if (weights.length !== d * c * kh * kw) throw new Error(`convDftNorm: ${weights.length} weights for shape [${shape}]`);
  for (let i = 0; i < weights.length; i++) if (!Number.isFinite(weights[i])) throw new Error(`convDftNorm: weight ${i} is not finite`);
  if (!stride.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`convDftNorm: stride [${stride}] must be positive integers`);
  if (!periods.every((n, i) => Number.isInteger(n) && n >= 1 && n % stride[i] === 0)) {
    throw new Error(`convDftNorm: periods [${periods}] must be positive multiples of the stride [${stride}]`);
  }
  const [nh, nw] = periods;
  const [sh, sw] = stride;
  const [oh, ow] = [nh / sh, nw / sw];
  const { re, im } = kernelSpectra(weights, shape, periods);
  const aliases = sh * sw;
  // Gram of the smaller side: size × size with size = D (B·Bᴴ) or C·S (Bᴴ·B).
  const outputSide = d <= c * aliases;
  const size = outputSide ? d : c * aliases;
  const gramRe = new Float64Array(size * size);
  const gramIm = new Float64Array(size * size);
  // B[row = o][col = k·C + ci] = Ŵ_{o,ci}(ξ_k) / √S; entry (o, ci) of Ŵ(ξ) sits at (ξ·D + o)·C + ci.
  const entry = (k: number, fh: number, fw: number, o: number, ci: number): number => {
    const g = fh + (Math.floor(k / sw) * oh);
    const f = fw + (k % sw) * ow;
    return ((g * nw + f) * d + o) * c + ci;
  };
  let best = -1;
  let worst: Pair = [0, 0];
  for (let fh = 0; fh < oh; fh++) {
    for (let fw = 0; fw < ow; fw++) {
      gramRe.fill(0);
      gramIm.fill(0);
      if (outputSide) {
        // (B·Bᴴ)[o, p] = Σ_{k, ci} B[o, (k, ci)]·conj(B[p, (k, ci)]).
        for (let k = 0; k < aliases; k++) {
          for (let o = 0; o < d; o++) {
            for (let p = o; p < d; p++) {
              let sr = 0;
              let si = 0;
              for (let ci = 0; ci < c; ci++) {
                const x = entry(k, fh, fw, o, ci);
                const y = entry(k, fh, fw, p, ci);
                sr += re[x] * re[y] + im[x] * im[y];
                si += im[x] * re[y] - re[x] * im[y];
              }
              gramRe[o * size + p] += sr;
              gramIm[o * size + p] += si;
            }
          }
        }
      } else {
        // (Bᴴ·B)[(k, ci), (l, cj)] = Σ_o conj(B[o, (k, ci)])·B[o, (l, cj)].
        for (let u = 0; u < size; u++) {
          for (let v = u; v < size; v++) {
            let sr = 0;
            let si = 0;
            for (let o = 0; o < d; o++) {
              const x = entry(Math.floor(u / c), fh, fw, o, u % c);
              const y = entry(Math.floor(v / c), fh, fw, o, v % c);
              sr += re[x] * re[y] + im[x] * im[y];
              si += re[x] * im[y] - im[x] * re[y];
            }
            gramRe[u * size + v] = sr;
            gramIm[u * size + v] = si;
          }
        }
      }
      // Fill the lower triangle (Hermitian) and apply the 1/S of B = [Ŵ…]/√S.
      for (let u = 0; u < size; u++) {
        for (let v = u; v < size; v++) {
          gramRe[u * size + v] /= aliases;
          gramIm[u * size + v] /= aliases;
          gramRe[v * size + u] = gramRe[u * size + v];
          gramIm[v * size + u] = -gramIm[u * size + v];
        }
      }
      const lambda = size === 1 ? gramRe[0] : largestHermitianEigenvalue(gramRe, gramIm, size);
      if (lambda > best) {
        best = lambda;
        worst = [fh, fw];
      }
    }
  }
  return { value: Math.sqrt(Math.max(0, best)), periods: [nh, nw], worstFrequency: worst };
}
