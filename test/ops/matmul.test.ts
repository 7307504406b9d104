import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/tensor/ops/index.ts';
import { linear, matmul, type Activation, type MatmulVariant } from '../../src/tensor/ops/matmul.ts';
import { availableMatmulVariants, MATMUL_VARIANTS } from '../../src/tensor/ops/matmulKernels.ts';
import { defaultMatmulVariant, tuneMatmul } from '../../src/tensor/ops/matmulTuning.ts';
import { checkOp } from '../helpers/checkOp.ts';
import { expectClose, type Tolerance } from '../helpers/compare.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng, testSeed, uniformArray } from '../helpers/random.ts';
import { matmulReference } from '../reference/matmul.ts';

const getEngine = useTestEngine();

const U = 2 ** -24;

interface Case {
  /** op(A) is m×k, op(B) is k×n. */
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  bias: boolean;
  activation: Activation;
  /** Check the product only (shapes whose gradients other cases already exercise). */
  forwardOnly?: boolean;
}

/**
 * Inputs are uniform in [−1, 1], so each of the k products is at most 1 and an output is a sum whose
 * partial sums stay around √(k/9). An f32 running sum of k terms then errs by about √k · 2⁻²⁴ · √(k/9)
 * ≈ k·2⁻²⁴/3 typically (k²·2⁻²⁴/4 in the worst case, which random data does not reach), so the forward
 * check allows 4·k·2⁻²⁴ absolute. The fused activations have slope ≤ 1, so they do not amplify it; the
 * exp-based sigmoid and tanh add a few ulps (1e-5 relative) and up to ~1e-7 absolute near 0 (1e-6 floor).
 *
 * The loss mean((out + 1)²) gives dL/dout = 2(out + 1)/(mn). A gradient sums `inner` = n (for A), m (for
 * B and the bias) such terms, each carrying the forward error through (out + 1) and its own f32 rounding
 * of about inner·2⁻²⁴·|out + 1| with |out| ≲ √k: the gradient allowance is four times that bound, and
 * 1e-4 relative for the rounding of the loss's own mean over mn terms.
 */
function tolerances(c: Case): { tolerance: Tolerance; gradTolerance: Tolerance } {
  const forward = 4 * Math.max(c.k, 1) * U + 1e-6;
  const inner = Math.max(c.m, c.n);
  const perTerm = (2 / (c.m * c.n)) * (forward + inner * U * (Math.sqrt(c.k) + 1));
  return {
    tolerance: { rtol: 1e-5, atol: forward },
    gradTolerance: { rtol: 1e-4, atol: 4 * inner * perTerm },
  };
}

function describeCase(c: Case): string {
  const t = `${c.transposeA ? 'Aᵀ' : 'A'}·${c.transposeB ? 'Bᵀ' : 'B'}`;
  return `${c.m}×${c.k}·${c.k}×${c.n} ${t}${c.bias ? ' +bias' : ''} ${c.activation}`;
}

async function check(variant: MatmulVariant, c: Case): Promise<void> {
  const shapes = [c.transposeA ? [c.k, c.m] : [c.m, c.k], c.transposeB ? [c.n, c.k] : [c.k, c.n]];
  if (c.bias) shapes.push([c.n]);
  await checkOp(getEngine(), {
    name: `matmul ${variant} ${describeCase(c)}`,
    shapes,
    run: ([a, b, bias]) =>
      matmul(a, b, { transposeA: c.transposeA, transposeB: c.transposeB, bias, activation: c.activation, variant }),
    reference: matmulReference(c),
    forwardOnly: c.forwardOnly,
    ...tolerances(c),
  });
}

const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

// None is a multiple of the tiled kernel's 64 or the blocked workgroup's 32; some have size-1 dims, some
// are multiples of 4 (the blocked kernel's vec4 path) and some mix aligned and unaligned extents.
const ODD_SHAPES = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [65, 1, 130],
  [1, 6, 1],
  [20, 36, 44],
  [12, 9, 20],
  [2, 4, 1],
] as const;

const EPILOGUES: { bias: boolean; activation: Activation }[] = [
  { bias: false, activation: 'none' },
  { bias: true, activation: 'relu' },
  { bias: false, activation: 'sigmoid' },
  { bias: true, activation: 'tanh' },
  { bias: true, activation: 'none' },
  { bias: false, activation: 'relu' },
  { bias: true, activation: 'sigmoid' },
  { bias: false, activation: 'tanh' },
];

// The MNIST models' dense layers (batch 128) and the transposed products of their backward pass.
const PAPER_CASES: Case[] = [
  { m: 128, k: 784, n: 100, transposeA: false, transposeB: false, bias: true, activation: 'relu' },
  { m: 128, k: 100, n: 100, transposeA: false, transposeB: false, bias: true, activation: 'sigmoid' },
  { m: 128, k: 100, n: 10, transposeA: false, transposeB: false, bias: true, activation: 'none' },
  // dW = Xᵀ · dZ and dX = dZ · Wᵀ of the first layer.
  { m: 784, k: 128, n: 100, transposeA: true, transposeB: false, bias: false, activation: 'none', forwardOnly: true },
  { m: 128, k: 100, n: 784, transposeA: false, transposeB: true, bias: false, activation: 'none', forwardOnly: true },
];

for (const variant of MATMUL_VARIANTS) {
  describe(`matmul, ${variant} kernel`, () => {
    // The subgroup kernel needs the adapter's 'subgroups' feature (SwiftShader, Dawn and Chrome have it).
    const test = (name: string, c: Case) =>
      it(name, (context) => {
        if (!availableMatmulVariants(getEngine()).includes(variant)) context.skip(`this adapter cannot run the ${variant} kernel`);
        return check(variant, c);
      });
    ODD_SHAPES.forEach(([m, k, n], s) => {
      TRANSPOSES.forEach(([transposeA, transposeB], t) => {
        // One epilogue per shape and transpose combination; across the 8 shapes each combination meets all 8.
        const epilogue = EPILOGUES[(s + t) % EPILOGUES.length];
        const c: Case = { m, k, n, transposeA, transposeB, ...epilogue };
        test(describeCase(c), c);
      });
    });

    for (const c of PAPER_CASES) test(`paper shape ${describeCase(c)}`, c);
  });
}

describe('matmul', () => {
  it('gives the same result with every kernel', async () => {
    const engine = getEngine();
    const random = rng(testSeed());
    const [m, k, n] = [37, 50, 29];
    const a = tensor(engine, uniformArray(random, m * k), [k, m]);
    const b = tensor(engine, uniformArray(random, k * n), [k, n]);
    const bias = tensor(engine, uniformArray(random, n), [n]);
    const variants = availableMatmulVariants(engine);
    const results = await Promise.all(
      variants.map((variant) => matmul(a, b, { transposeA: true, bias, activation: 'tanh', variant }).data()),
    );
    // All sum the same 50 terms in different orders: a few ulps of the partial sums apart.
    for (let v = 1; v < variants.length; v++) {
      expectClose(results[v], results[0], { rtol: 1e-5, atol: 4 * k * U }, `${variants[v]} vs ${variants[0]}`);
    }
    for (const t of [a, b, bias]) t.dispose();
  });

  it('linear is matmul with a bias and an activation', async () => {
    const engine = getEngine();
    const x = tensor(engine, [1, -2, 3, 0.5, 0, -1], [2, 3]);
    const w = tensor(engine, [1, 0, 0, 1, 1, 1], [3, 2]);
    const bias = tensor(engine, [0.5, -0.5], [2]);
    const y = linear(x, w, bias, 'relu');
    expect([...(await y.data())]).toEqual([4.5, 0.5, 0, 0]);
    for (const t of [x, w, bias, y]) t.dispose();
  });

  it('names both shapes when they do not fit', () => {
    const engine = getEngine();
    const a = tensor(engine, new Float32Array(6), [2, 3]);
    const b = tensor(engine, new Float32Array(8), [4, 2]);
    expect(() => matmul(a, b)).toThrow('matmul: a [2,3] · b [4,2]: inner dimensions 3 and 4 differ');
    expect(() => matmul(a, b, { transposeA: true })).toThrow('matmul: a [2,3]ᵀ · b [4,2]: inner dimensions 2 and 4 differ');
    expect(() => matmul(a, a.reshape([6]))).toThrow('both operands must be 2-D');
    expect(() => matmul(a, a, { transposeB: true, bias: b })).toThrow('bias of shape [4,2] is not a row of the 2 output columns');
    a.dispose();
    b.dispose();
  });

  it('is tuned per engine: every kernel the adapter runs is checked and timed, the fastest becomes the default', async () => {
    const engine = getEngine();
    const tuning = await tuneMatmul(engine, { shapes: [[64, 96, 48]], repetitions: 3 });
    expect(tuning.rejected).toEqual([]);
    expect(tuning.timings.map((t) => t.variant).sort()).toEqual([...availableMatmulVariants(engine)].sort());
    for (const t of tuning.timings) expect(t.medianMs).toBeGreaterThan(0);
    const fastest = tuning.timings.reduce((best, t) => (t.medianMs < best.medianMs ? t : best));
    expect(tuning.winner).toBe(fastest.variant);
    expect(defaultMatmulVariant(engine)).toBe(tuning.winner);
  });
});
