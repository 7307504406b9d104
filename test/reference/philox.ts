/**
 * An independent CPU Philox4x32-10 (Salmon, Moraes, Dror & Shaw, SC 2011) in BigInt arithmetic, so the
 * 64-bit products are exact rather than assembled from limbs as on the GPU, plus the stream layout and
 * the float64 forms of the samples that shaders/philox.wgsl documents.
 */

const MASK = 0xffffffffn;
const MULTIPLIERS = [0xd2511f53n, 0xcd9e8d57n] as const;
const WEYL = [0x9e3779b9n, 0xbb67ae85n] as const;

/** One Philox4x32 block: `rounds` S-P rounds of the 4-word counter under the 2-word key. */
export function philox4x32(counter: readonly number[], key: readonly number[], rounds = 10): number[] {
  let [c0, c1, c2, c3] = counter.map(BigInt);
  let [k0, k1] = key.map(BigInt);
  for (let round = 0; round < rounds; round++) {
    if (round > 0) {
      k0 = (k0 + WEYL[0]) & MASK;
      k1 = (k1 + WEYL[1]) & MASK;
    }
    const p0 = MULTIPLIERS[0] * c0;
    const p1 = MULTIPLIERS[1] * c2;
    [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1 ^ k0, p1 & MASK, (p0 >> 32n) ^ c3 ^ k1, p0 & MASK];
  }
  return [c0, c1, c2, c3].map(Number);
}

/** Split a non-negative integer below 2⁵³ into [low word, high word]. */
function words64(value: number): [number, number] {
  return [value % 2 ** 32, Math.floor(value / 2 ** 32)];
}

/** The four words of the block holding stream position `block`·4 .. `block`·4 + 3 for `seed`. */
export function streamBlock(seed: number, block: number): number[] {
  return philox4x32([...words64(block), 0, 0], words64(seed));
}

/** Uniform sample of a word, as the kernel forms it: the top 24 bits times 2⁻²⁴. */
export function uniformOf(word: number): number {
  return (word >>> 8) / 2 ** 24;
}

/** The four standard normals of a block, Box–Muller in float64 on the kernel's mapping of the words. */
export function normalsOf(block: number[]): number[] {
  const out: number[] = [];
  for (const pair of [0, 2]) {
    const u1 = ((block[pair] >>> 9) + 0.5) / 2 ** 23;
    const theta = 2 * Math.PI * uniformOf(block[pair + 1]) - Math.PI;
    const r = Math.sqrt(-2 * Math.log(u1));
    out.push(r * Math.cos(theta), r * Math.sin(theta));
  }
  return out;
}

/** Elements `offset` .. `offset` + size − 1 of the stream for `seed`, each mapped by `sample` per block. */
export function streamSamples(seed: number, offset: number, size: number, sample: (block: number[]) => number[]): Float64Array {
  const out = new Float64Array(size);
  let cached = -1;
  let values: number[] = [];
  for (let e = 0; e < size; e++) {
    const position = offset + e;
    const block = Math.floor(position / 4);
    if (block !== cached) {
      values = sample(streamBlock(seed, block));
      cached = block;
    }
    out[e] = values[position % 4];
  }
  return out;
}
