/**
 * Fresh random inputs for every run (the seed is printed with any failure so it can be replayed with
 * BLINDSPOT_TEST_SEED=<seed>).
 */
export function testSeed(): number {
  const fixed = typeof process !== 'undefined' ? process.env.BLINDSPOT_TEST_SEED : undefined;
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniformArray(random: () => number, size: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = lo + (hi - lo) * random();
  return out;
}
