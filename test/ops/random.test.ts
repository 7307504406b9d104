import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/tensor/ops/index.ts';
import { dropout, gaussianNoise, philoxWords, randomNormal, randomUniform } from '../../src/tensor/ops/random.ts';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { checkOp } from '../helpers/checkOp.ts';
import { expectClose } from '../helpers/compare.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';
import { normalsOf, philox4x32, streamSamples, uniformOf } from '../reference/philox.ts';

const getEngine = useTestEngine();

// Random123's kat_vectors, "philox4x32 10" lines: counter (4 words), key (2 words), output (4 words).
const KNOWN_ANSWERS = [
  { counter: [0, 0, 0, 0], key: [0, 0], out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  {
    counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    key: [0xffffffff, 0xffffffff],
    out: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  },
  {
    counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    key: [0xa4093822, 0x299f31d0],
    out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  },
] as const;

const uniforms = (block: number[]) => block.map(uniformOf);
const random32 = (random: () => number) => Math.floor(random() * 2 ** 32);

// WGSL bounds sin/cos by 2⁻¹¹ absolute on [−π, π] and the radius is at most 5.77, so a conforming adapter
// may be ~3e-3 off; a wrong word, lane or pair is off by O(1).
const NORMAL_TOLERANCE = { rtol: 1e-5, atol: 3e-3 };

describe('Philox4x32-10 known answers', () => {
  it('the CPU reference reproduces the published vectors', () => {
    for (const v of KNOWN_ANSWERS) expect(philox4x32(v.counter, v.key)).toEqual(v.out);
  });

  it('the kernel reproduces the published vectors', async () => {
    for (const v of KNOWN_ANSWERS) {
      expect([...(await philoxWords(getEngine(), v.counter, v.key, 1))]).toEqual(v.out);
    }
  });

  it('the kernel matches the CPU reference across 128-bit counter carries and random keys', async () => {
    const engine = getEngine();
    const random = rng(testSeed());
    // 2¹²⁸ − 3 .. 2¹²⁸ + 2 wraps to 0; the other bases carry out of words 0, 1 and 2 inside the range.
    const bases = [
      [0xfffffffd, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffff00, 0, 0, 0],
      [0xffffff80, 0xffffffff, 0xffffffff, 7],
      [random32(random), random32(random), random32(random), random32(random)],
    ] as const;
    const blocks = 300;
    for (const counter of bases) {
      const key = [random32(random), random32(random)] as const;
      const words = await philoxWords(engine, counter, key, blocks);
      let value = counter.reduceRight((acc, w) => acc * 2n ** 32n + BigInt(w), 0n);
      for (let t = 0; t < blocks; t++, value++) {
        const c = [0, 1, 2, 3].map((i) => Number((value >> BigInt(32 * i)) & 0xffffffffn));
        expect([...words.subarray(4 * t, 4 * t + 4)], `counter ${c} key ${key}`).toEqual(philox4x32(c, key));
      }
    }
  });
});

describe('samples against the CPU reference', () => {
  // Sizes that end mid-block, a single element, and offsets at every lane of a block (including a seed
  // above 2³², which must reach the key's second word).
  const cases = [
    { size: 1, offset: 0, seed: 0 },
    { size: 7, offset: 1, seed: 12345 },
    { size: 1001, offset: 2, seed: 2 ** 40 + 17 },
    { size: 4099, offset: 3, seed: 987654321 },
    { size: 64, offset: 2 ** 34 + 5, seed: 1 },
  ];
  for (const c of cases) {
    it(`uniform, normal and noise: size ${c.size}, offset ${c.offset}, seed ${c.seed}`, async () => {
      const engine = getEngine();
      const options = { seed: c.seed, offset: c.offset };

      const u = randomUniform(engine, [c.size], options);
      // u is formed exactly (24-bit integer times a power of two), so it must match bit for bit.
      expect([...(await u.data())]).toEqual([...streamSamples(c.seed, c.offset, c.size, uniforms)]);
      u.dispose();

      const scaled = randomUniform(engine, [c.size], { ...options, low: -2, high: 3 });
      const expectedScaled = streamSamples(c.seed, c.offset, c.size, uniforms).map((x) => -2 + 5 * x);
      expectClose(await scaled.data(), expectedScaled, { rtol: 2 ** -22, atol: 2 ** -21 }, 'uniform on [-2, 3)');
      scaled.dispose();

      const z = streamSamples(c.seed, c.offset, c.size, normalsOf);
      const normal = randomNormal(engine, [c.size], { ...options, mean: 1, std: 2 });
      const expectedNormal = z.map((v) => 1 + 2 * v);
      expectClose(await normal.data(), expectedNormal, { rtol: 1e-5, atol: 2 * NORMAL_TOLERANCE.atol }, 'normal(1, 2²)');
      normal.dispose();

      const xData = Float64Array.from(Float32Array.from(uniformArray(rng(c.seed), c.size, 0, 1)));
      const x = tensor(engine, xData);
      const noisy = gaussianNoise(x, 0.3, c.seed, { offset: c.offset });
      expectClose(await noisy.data(), xData.map((v, i) => v + 0.3 * z[i]), NORMAL_TOLERANCE, 'x + N(0, 0.3²)');
      const clipped = gaussianNoise(x, 0.3, c.seed, { offset: c.offset, clipTo: [0, 1] });
      const expectedClipped = xData.map((v, i) => Math.min(1, Math.max(0, v + 0.3 * z[i])));
      expectClose(await clipped.data(), expectedClipped, NORMAL_TOLERANCE, 'noise clipped to [0, 1]');
      for (const t of [x, noisy, clipped]) t.dispose();
    });
  }

  it('gaussianNoise passes the gradient through to x', async () => {
    const seed = testSeed();
    const noiseOf = (size: number) => streamSamples(seed, 0, size, normalsOf);
    await checkOp(getEngine(), {
      name: 'gaussianNoise',
      shapes: [[3, 67]],
      run: ([x]) => gaussianNoise(x, 0.5, seed),
      reference: {
        forward: ([x]) => {
          const z = noiseOf(x.data.length);
          return { data: x.data.map((v, i) => v + 0.5 * z[i]), shape: x.shape };
        },
        backward: (_, g) => [g],
      },
      tolerance: { rtol: 1e-5, atol: 0.5 * NORMAL_TOLERANCE.atol },
    });
  });

  it('clipped noise refuses to record a gradient', () => {
    const engine = getEngine();
    const x = tensor(engine, [0.5, 0.25]);
    expect(() => valueAndGrads(engine, () => gaussianNoise(x, 0.1, 1, { clipTo: [0, 1] }), [x], (v) => v)).toThrow(/no gradient/);
    x.dispose();
  });
});

describe('determinism and seeds', () => {
  it('the same seed gives the same tensor, other seeds and offsets continue or differ', async () => {
    const engine = getEngine();
    const seed = testSeed();
    const draw = async (s: number, size = 1000, offset = 0) => {
      const t = randomUniform(engine, [size], { seed: s, offset });
      const data = await t.data();
      t.dispose();
      return [...data];
    };
    const first = await draw(seed);
    expect(await draw(seed)).toEqual(first);
    // A later draw at an offset continues the stream exactly.
    expect(await draw(seed, 993, 7)).toEqual(first.slice(7));
    // Seeds differing in one bit of either key word give unrelated streams (at most a chance collision).
    for (const other of [seed + 1, seed + 2 ** 32]) {
      const drawn = await draw(other);
      expect(drawn.filter((v, i) => v === first[i]).length, `seed ${other} vs ${seed}`).toBeLessThan(5);
    }
  });

  it('rejects seeds and offsets that are not non-negative safe integers', () => {
    const engine = getEngine();
    expect(() => randomUniform(engine, [3], { seed: -1 })).toThrow(/seed/);
    expect(() => randomNormal(engine, [3], { seed: 1.5 })).toThrow(/seed/);
    expect(() => randomUniform(engine, [3], { seed: 1, offset: 2 ** 53 })).toThrow(/offset/);
  });
});

describe('statistics of 1e5 samples', () => {
  const n = 100_000;
  // Every bound below fails a correct generator with probability about 1e-6 (5σ, or a KS statistic of
  // 2.7/√n: P(√n·D > x) ≈ 2·exp(−2x²)), so fresh seeds can run on every test run.
  const ksLimit = 2.7 / Math.sqrt(n);

  /** Kolmogorov–Smirnov distance between the sample and a continuous CDF. */
  function ksDistance(sample: Float32Array, cdf: (x: number) => number): number {
    const sorted = Float64Array.from(sample).sort();
    let d = 0;
    sorted.forEach((x, i) => {
      const f = cdf(x);
      d = Math.max(d, (i + 1) / sorted.length - f, f - i / sorted.length);
    });
    return d;
  }

  function moments(sample: Float32Array) {
    let mean = 0;
    for (const x of sample) mean += x;
    mean /= sample.length;
    let variance = 0;
    let lag1 = 0;
    sample.forEach((x, i) => {
      variance += (x - mean) ** 2;
      if (i > 0) lag1 += (x - mean) * (sample[i - 1] - mean);
    });
    variance /= sample.length - 1;
    return { mean, variance, correlation: lag1 / ((sample.length - 1) * variance) };
  }

  it('uniform: mean 1/2, variance 1/12, uncorrelated neighbours, KS against U[0, 1)', async () => {
    const seed = testSeed();
    const t = randomUniform(getEngine(), [n], { seed });
    const sample = await t.data();
    t.dispose();
    const { mean, variance, correlation } = moments(sample);
    expect(Math.min(...sample)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...sample)).toBeLessThan(1);
    expect(Math.abs(mean - 0.5), `mean, seed ${seed}`).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // Var(s²) ≈ (μ₄ − σ⁴)/n with μ₄ = 1/80 and σ⁴ = 1/144 for U[0, 1).
    expect(Math.abs(variance - 1 / 12), `variance, seed ${seed}`).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
    expect(Math.abs(correlation), `lag-1 correlation, seed ${seed}`).toBeLessThan(5 / Math.sqrt(n));
    expect(ksDistance(sample, (x) => x), `KS distance, seed ${seed}`).toBeLessThan(ksLimit);
  });

  it('normal: mean 0, variance 1, uncorrelated neighbours, KS against Φ', async () => {
    const seed = testSeed();
    const t = randomNormal(getEngine(), [n], { seed });
    const sample = await t.data();
    t.dispose();
    const { mean, variance, correlation } = moments(sample);
    expect(Math.abs(mean), `mean, seed ${seed}`).toBeLessThan(5 / Math.sqrt(n));
    // Var(s²) ≈ 2σ⁴/n for a normal sample.
    expect(Math.abs(variance - 1), `variance, seed ${seed}`).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(correlation), `lag-1 correlation, seed ${seed}`).toBeLessThan(5 / Math.sqrt(n));
    expect(ksDistance(sample, normalCdf), `KS distance, seed ${seed}`).toBeLessThan(ksLimit);
  });

  it('noise: x + N(0, σ²) has mean x and standard deviation σ', async () => {
    const seed = testSeed();
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(n).fill(0.25));
    const noisy = gaussianNoise(x, 0.1, seed);
    const sample = await noisy.data();
    x.dispose();
    noisy.dispose();
    const { mean, variance } = moments(sample);
    expect(Math.abs(mean - 0.25), `mean, seed ${seed}`).toBeLessThan(5 * 0.1 / Math.sqrt(n));
    expect(Math.abs(variance - 0.01), `variance, seed ${seed}`).toBeLessThan(5 * 0.01 * Math.sqrt(2 / n));
  });
});

/** Φ(x) through erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7, far below the KS limit). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return 0.5 * (1 + Math.sign(x) * erf);
}

describe('dropout', () => {
  for (const shape of [[7, 13], [1], [3, 1, 5]]) {
    for (const rate of [0.2, 0.5]) {
      it(`keeps an element with its scale where the Philox uniform of the seed is ≥ ${rate}, shape [${shape}]`, async () => {
        const seed = random32(rng(testSeed()));
        const size = shape.reduce((p, d) => p * d, 1);
        // The float64 reference's mask: the uniform stream of the seed, from the independent Philox.
        const mask = Array.from(streamSamples(seed, 0, size, uniforms), (u) => (u >= rate ? 1 / (1 - rate) : 0));
        await checkOp(getEngine(), {
          name: `dropout ${rate}`,
          shapes: [shape],
          run: ([x]) => dropout(x, rate, seed),
          reference: {
            forward: ([x]) => ({ data: x.data.map((v, i) => v * mask[i]), shape: x.shape }),
            backward: (_inputs, dy) => [dy.map((g, i) => g * mask[i])],
          },
          tolerance: { rtol: 1e-6, atol: 1e-7 },
        });
      });
    }
  }

  it('drops about the rate, is the identity at rate 0, and refuses a rate outside [0, 1)', async () => {
    const engine = getEngine();
    const x = tensor(engine, new Float32Array(20_000).fill(1), [20_000]);
    const y = dropout(x, 0.3, 11);
    const values = await y.data();
    const dropped = values.filter((v) => v === 0).length / values.length;
    // Binomial(20 000, 0.3): standard deviation 0.0032 of the fraction.
    expect(Math.abs(dropped - 0.3)).toBeLessThan(0.02);
    for (const v of values) if (v !== 0) expect(v).toBeCloseTo(1 / 0.7, 6);
    expect(dropout(x, 0, 11)).toBe(x);
    for (const bad of [-0.1, 1, Number.NaN]) expect(() => dropout(x, bad, 1)).toThrow(/dropout: rate must be in \[0, 1\)/);
    y.dispose();
    x.dispose();
  });
});
