import { describe, expect, it } from 'vitest';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { KernelArgumentError } from '../../src/gpu/errors.ts';
import { tensor } from '../../src/tensor/ops/index.ts';
import { logSoftmax, softmax, softmaxCrossEntropy, validateLabels, type LossReduction } from '../../src/tensor/ops/softmax.ts';
import { checkOp } from '../helpers/checkOp.ts';
import { expectClose, type Tolerance } from '../helpers/compare.ts';
import { useTestEngine } from '../helpers/engine.ts';
import { rng } from '../helpers/random.ts';
import { crossEntropyReference, softmaxReference } from '../reference/softmax.ts';

const getEngine = useTestEngine();

// Each output is exp of a shifted logit (a few ulp, measured ≤ 7 on SwiftShader for |x| ≤ 3) divided
// by, or minus the log of, a row sum of `classes` f32 terms (up to classes·2⁻²⁴ worse, √classes typical):
// for ≤ 1000 classes that is ≤ 6e-5 in the worst case and ~2e-6 typically, so 1e-5 relative with a
// 1e-6 floor for probabilities near zero.
const ROWS: Tolerance = { rtol: 1e-5, atol: 1e-6 };

// MNIST logits for a minibatch, size-1 rows and classes, widths that are not multiples of 64, a rank-3
// input (rows are all but the last axis) and long rows.
const softmaxShapes = [[128, 10], [7, 1], [1, 1], [3, 67], [2, 3, 5], [4, 1000]];

describe('softmax and logSoftmax', () => {
  for (const log of [false, true]) {
    const name = log ? 'logSoftmax' : 'softmax';
    for (const shape of softmaxShapes) {
      it(`${name} [${shape}]`, async () => {
        await checkOp(getEngine(), {
          name,
          shapes: [shape],
          range: [-5, 5],
          run: ([x]) => (log ? logSoftmax(x) : softmax(x)),
          reference: softmaxReference(log),
          tolerance: ROWS,
        });
      });
    }
  }

  it('stays finite and accurate at extreme logits', async () => {
    const x = tensor(getEngine(), [-80, 80, 0, /**/ 1e30, -1e30, 1e30], [2, 3]);
    const p = softmax(x);
    const logp = logSoftmax(x);
    // exp(−80) ≈ 1.8e-35 is a normal f32, off by up to the ~160 ulp WGSL allows exp at |x| = 80.
    expectClose(await p.data(), [0, 1, Math.exp(-80), 0.5, 0, 0.5], { rtol: 2e-5, atol: 0 });
    expectClose(await logp.data(), [-160, 0, -80, -Math.LN2, -2e30, -Math.LN2], { rtol: 1e-6, atol: 0 });
    for (const t of [x, p, logp]) t.dispose();
  });
});

/** Logits uniform in [-5, 5]; labels class indices or, when dense, a random distribution per row. */
function crossEntropyInput(rows: number, classes: number, dense: boolean) {
  return (index: number, shape: number[], random: () => number): Float64Array => {
    const size = shape.reduce((p, d) => p * d, 1);
    if (index === 0) return Float64Array.from({ length: size }, () => 10 * random() - 5);
    if (!dense) return Float64Array.from({ length: rows }, () => Math.floor(random() * classes));
    const t = Float64Array.from({ length: size }, () => random());
    for (let r = 0; r < rows; r++) {
      const row = t.subarray(r * classes, (r + 1) * classes);
      const mass = row.reduce((s, v) => s + v, 0);
      row.forEach((v, c) => (row[c] = v / mass));
    }
    return t;
  };
}

describe('softmaxCrossEntropy', () => {
  // MNIST minibatch logits, one row of one class, and a width that is not a multiple of 64. 'sum' uses
  // few rows: checkOp backpropagates (out + 1)², and a sum over 128 rows makes that so large that its
  // float64 finite differences (step 1e-6) drown in rounding.
  const shapesFor: Record<LossReduction, [number, number][]> = {
    mean: [[128, 10], [1, 1], [37, 67], [5, 1]],
    none: [[128, 10], [1, 1], [37, 67], [5, 1]],
    sum: [[1, 1], [5, 1], [4, 10], [3, 67]],
  };
  for (const reduction of ['mean', 'sum', 'none'] as LossReduction[]) {
    for (const dense of [false, true]) {
      for (const [rows, classes] of shapesFor[reduction]) {
        it(`${reduction}, ${dense ? 'dense targets' : 'class indices'}, logits [${rows}, ${classes}]`, async () => {
          await checkOp(getEngine(), {
            name: `softmaxCrossEntropy ${reduction}`,
            shapes: [[rows, classes], dense ? [rows, classes] : [rows]],
            makeInput: crossEntropyInput(rows, classes, dense),
            run: ([logits, labels]) => softmaxCrossEntropy(logits, labels, { reduction }),
            reference: crossEntropyReference(reduction),
            noGradient: [1],
            // Loss: a few ulp of exp and log per row, plus the f32 sum over rows for 'mean'/'sum'.
            tolerance: ROWS,
            // With class indices every gradient element is a ratio of positive terms, accurate to
            // ROWS relative. Dense targets compute p·Σt − t, which cancels where p ≈ t: the error is a
            // few ulp of 1 times the upstream gradient, 2(out + 1) ≤ 30 for these 'sum' cases.
            gradTolerance: dense ? { rtol: 4e-5, atol: 2e-5 } : undefined,
          });
        });
      }
    }
  }

  it('stays finite and accurate for logits of ±80, per row and averaged', async () => {
    const engine = getEngine();
    const random = rng(11);
    const [rows, classes] = [64, 10];
    // Differences of up to 160 between logits: exp underflows to 0 for the far ones but never overflows.
    const logitData = Float64Array.from({ length: rows * classes }, () => Math.fround(160 * random() - 80));
    const labelData = Float64Array.from({ length: rows }, () => Math.floor(random() * classes));
    const weights = Float64Array.from({ length: rows }, () => random());
    const inputs = [
      { data: logitData, shape: [rows, classes] },
      { data: labelData, shape: [rows] },
    ];
    const logits = tensor(engine, logitData, [rows, classes]);
    const labels = tensor(engine, labelData);
    for (const reduction of ['none', 'mean'] as LossReduction[]) {
      const seed = reduction === 'none' ? weights : Float64Array.of(1);
      const { value, grads } = valueAndGrads(
        engine,
        () => softmaxCrossEntropy(logits, labels, { reduction }),
        [logits],
        () => tensor(engine, seed, reduction === 'none' ? [rows] : []),
      );
      const reference = crossEntropyReference(reduction);
      const [expectedGradient] = reference.backward(inputs, seed);
      const loss = await value.data();
      const gradient = await grads[0].data();
      expect([...loss, ...gradient].every(Number.isFinite)).toBe(true);
      // Losses up to 160 where x_k − max is exact and log(s) adds a few ulp; gradient elements exp(x − max)
      // carry up to the 2·160 ulp WGSL allows exp at |x| = 160.
      expectClose(loss, reference.forward(inputs).data, ROWS, `${reduction} loss`);
      expectClose(gradient, expectedGradient!, { rtol: 5e-5, atol: 1e-30 }, `${reduction} gradient`);
      for (const t of [value, ...grads]) t.dispose();
    }
    logits.dispose();
    labels.dispose();
  });

  it("'none' gives each row the gradient of its own loss", async () => {
    const engine = getEngine();
    const random = rng(7);
    const [rows, classes] = [6, 4];
    const logitData = Float64Array.from({ length: rows * classes }, () => 4 * random() - 2);
    const labelData = Float64Array.from([0, 3, 1, 1, 2, 0]);
    // Row r's loss weighted by r: row 0 must get no gradient at all.
    const weights = Float64Array.from({ length: rows }, (_, r) => r);
    const logits = tensor(engine, logitData, [rows, classes]);
    const labels = tensor(engine, labelData);
    const { value, grads } = valueAndGrads(
      engine,
      () => softmaxCrossEntropy(logits, labels, { reduction: 'none' }),
      [logits],
      () => tensor(engine, weights),
    );
    const inputs = [
      { data: Float64Array.from(Float32Array.from(logitData)), shape: [rows, classes] },
      { data: labelData, shape: [rows] },
    ];
    const [expected] = crossEntropyReference('none').backward(inputs, weights);
    expectClose(await grads[0].data(), expected!, ROWS, 'weighted per-row gradient');
    expect((await grads[0].data()).subarray(0, classes).every((g) => g === 0)).toBe(true);
    for (const t of [logits, labels, value, ...grads]) t.dispose();
  });

  it('an invalid class index makes its row NaN and the next readback throw, naming the row', async () => {
    const engine = getEngine();
    const logits = tensor(engine, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1], [4, 3]);
    const labels = tensor(engine, [2, 1, 3, 0.5]);
    for (const reduction of ['none', 'mean', 'sum'] as LossReduction[]) {
      const loss = softmaxCrossEntropy(logits, labels, { reduction });
      await expect(loss.data(), reduction).rejects.toThrow(
        new KernelArgumentError('softmaxCrossEntropy', 2, 'labels[2] is not an integer class index in [0, 3)'),
      );
      const values = await loss.data();
      if (reduction === 'none') {
        expect(values.subarray(0, 2).every(Number.isFinite)).toBe(true);
        expect(Number.isNaN(values[2]) && Number.isNaN(values[3])).toBe(true);
      } else {
        expect(Number.isNaN(values[0])).toBe(true);
      }
      loss.dispose();
    }
    await expect(validateLabels(labels, 3)).rejects.toThrow(/labels: element 2 is 3, not a class index in \[0, 3\)/);
    const good = tensor(engine, [0, 2, 1, 2]);
    await expect(validateLabels(good, 3)).resolves.toBeUndefined();
    const loss = softmaxCrossEntropy(logits, good);
    expect(Number.isFinite(await loss.item())).toBe(true);
    for (const t of [logits, labels, good, loss]) t.dispose();
  });

  it('NaN and infinite labels are flagged too, and so are the ones the gradient pass reads', async () => {
    const engine = getEngine();
    const logits = tensor(engine, new Float32Array(8), [4, 2]);
    for (const bad of [Number.NaN, Infinity, -Infinity, -1]) {
      const labels = tensor(engine, [0, 1, 1, bad]);
      const { value, grads } = valueAndGrads(engine, () => softmaxCrossEntropy(logits, labels), [logits]);
      await expect(grads[0].data(), String(bad)).rejects.toThrow(/softmaxCrossEntropy: labels\[3\] is not an integer class index in \[0, 2\)/);
      expect([...(await grads[0].data())].slice(6).every(Number.isNaN)).toBe(true);
      for (const t of [labels, value, ...grads]) t.dispose();
    }
    logits.dispose();
  });

  it('rejects mismatched shapes', () => {
    const engine = getEngine();
    const logits = tensor(engine, new Float32Array(6), [2, 3]);
    const wrong = tensor(engine, [0, 1, 2]);
    expect(() => softmaxCrossEntropy(logits, wrong)).toThrow(/labels must be class indices \[2\] or targets \[2, 3\], got \[3\]/);
    expect(() => softmaxCrossEntropy(logits.reshape([6]), wrong)).toThrow(/logits must be \[rows, classes\]/);
    logits.dispose();
    wrong.dispose();
  });
});
