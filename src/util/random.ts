/**
 * Seeded CPU randomness for everything that must replay exactly: dataset splits, minibatch order,
 * target-label picking, weight initialisation. `Math.random` cannot be seeded, so runs would not be
 * reproducible from the seed stored in a checkpoint.
 */

/** A deterministic stream of pseudo-random numbers; the same seed always yields the same stream. */
export interface Rng {
  /** Next raw 32-bit value, an unsigned integer in [0, 2^32). */
  nextUint32(): number;
  /** Next float, uniform in [0, 1). */
  next(): number;
  /** Next integer, uniform in [0, n); `n` must be a positive integer no larger than 2^32. */
  int(n: number): number;
  /** Next standard normal sample (mean 0, variance 1). */
  gaussian(): number;
}

const TWO_POW_32 = 4294967296;

/**
 * Creates a splitmix32 generator. Splitmix was chosen because its state is a single counter, so
 * any seed (0 included) gives a full-period stream, and its output mix passes the usual
 * statistical batteries at a quality far beyond what shuffles and splits need.
 *
 * @param seed Any finite number; it is reduced to 32 bits, so seeds equal modulo 2^32 coincide.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  let state = seed >>> 0;
  // Box–Muller produces samples in pairs; keeping the second one halves the cost of gaussian().
  let spare: number | null = null;

  const nextUint32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const next = (): number => nextUint32() / TWO_POW_32;

  return {
    nextUint32,
    next,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
        throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
      }
      // Rejection sampling: plain modulo would favour small values whenever n does not divide 2^32.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % n;
    },
    gaussian(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // 1 - next() lies in (0, 1], so the logarithm never sees zero.
      const u1 = 1 - next();
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
}

/**
 * Derives an independent seed for a named purpose from a base seed, so that e.g. the split and the
 * minibatch order of one run do not share a stream (changing one would otherwise shift the other).
 */
export function deriveSeed(seed: number, purpose: string): number {
  // FNV-1a over the purpose string, folded into the seed and passed through one splitmix step.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) {
    h ^= purpose.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return createRng(h >>> 0).nextUint32();
}

/** Anything indexable and writable by position: plain arrays and every typed array. */
export interface MutableIndexable<T> {
  length: number;
  [index: number]: T;
}

/** Shuffles `items` in place with Fisher–Yates (every permutation equally likely) and returns it. */
export function shuffleInPlace<A extends MutableIndexable<unknown>>(items: A, rng: Rng): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** Returns a uniformly random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array<ArrayBuffer> {
  if (!Number.isInteger(n) || n < 0) throw new Error(`permutation: n must be a non-negative integer, got ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(out, rng);
}

/** Fills `out` with independent N(mean, std²) samples and returns it. */
export function fillGaussian<A extends Float32Array>(out: A, rng: Rng, mean = 0, std = 1): A {
  for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.gaussian();
  return out;
}
