/**
 * The adaptive search against the exhaustive one, in float64: on the trained FC10 models (convex
 * problems, so every c has one minimizer and the distortion grows with c), the GPU attack with its
 * default search (adaptive c, each c started from the previous c's minimizer) must find, per image, the
 * distortion that the paper's schedule (from 0.01 by ×10, ten bisections, every solve from x) finds with
 * the objective computed in float64 on the CPU, within 1%.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findBlindSpots, classifiedAs, distortion } from '../../src/attack/attack.ts';
import { CSearch, DEFAULT_C_SEARCH, EXHAUSTIVE_C_SEARCH } from '../../src/attack/cSearch.ts';
import { chooseTargets } from '../../src/attack/targets.ts';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.ts';
import { loadCheckpoint } from '../../src/nn/checkpoint.node.ts';
import { Model } from '../../src/nn/model.ts';
import { modelSpec } from '../../src/nn/zoo.ts';
import { minimizeLbfgsb } from '../../src/optim/lbfgsb.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine({ poisonBuffers: false });
const IMAGES = 8;
const PIXELS = 784;
let mnist: MnistData;
beforeAll(async () => {
  mnist = await loadMnist();
});

/** Softmax regression in float64: logits, and CE with its gradient for a target. */
function linearModel(weight: Float32Array, bias: Float32Array) {
  const logits = (x: Float64Array): Float64Array => {
    const z = Float64Array.from(bias);
    for (let i = 0; i < PIXELS; i++) for (let k = 0; k < 10; k++) z[k] += x[i] * weight[i * 10 + k];
    return z;
  };
  const crossEntropy = (x: Float64Array, target: number) => {
    const z = logits(x);
    const top = Math.max(...z);
    let total = 0;
    for (const v of z) total += Math.exp(v - top);
    const logSum = top + Math.log(total);
    const p = Array.from(z, (v, k) => Math.exp(v - logSum) - (k === target ? 1 : 0));
    const gradient = new Float64Array(PIXELS);
    for (let i = 0; i < PIXELS; i++) for (let k = 0; k < 10; k++) gradient[i] += weight[i * 10 + k] * p[k];
    return { value: logSum - z[target], gradient };
  };
  return { logits, crossEntropy };
}

/** The paper's search for one image and target, every solve from x, in float64. */
function exhaustiveSearch(model: ReturnType<typeof linearModel>, x: Float64Array, target: number): number {
  const search = new CSearch({ ...DEFAULT_C_SEARCH, ...EXHAUSTIVE_C_SEARCH });
  const lower = new Float64Array(PIXELS);
  const upper = new Float64Array(PIXELS).fill(1);
  while (!search.done) {
    const c = search.c!;
    const result = minimizeLbfgsb(
      (point) => {
        const ce = model.crossEntropy(point, target);
        let norm = 0;
        const g = new Float64Array(PIXELS);
        for (let i = 0; i < PIXELS; i++) {
          const r = point[i] - x[i];
          norm += r * r;
          g[i] = 2 * r + c * ce.gradient[i];
        }
        return { f: norm + c * ce.value, g };
      },
      x,
      lower,
      upper,
      { memory: 10, maxIterations: 100 },
    );
    search.report(classifiedAs(model.logits(result.x), target, 0), distortion(result.x, x));
  }
  return search.best?.distortion ?? Number.NaN;
}

describe('the adaptive search against the exhaustive float64 search', () => {
  for (const [name, file] of [
    ['FC10(1e-4)', 'FC10_1e-4_-full.safetensors'],
    ['FC10(1e-2)', 'FC10_1e-2_-full.safetensors'],
    ['FC10(1)', 'FC10_1_-full.safetensors'],
  ] as const) {
    it(`${name}: the same distortion per image within 1%, in fewer evaluations`, async () => {
      const checkpoint = await loadCheckpoint(`models/${file}`);
      const model = Model.fromCheckpoint(getEngine(), modelSpec(name), checkpoint);
      const reference = linearModel(checkpoint.tensors['layer0.weight'].data, checkpoint.tensors['layer0.bias'].data);
      const images = mnist.test.images.slice(0, IMAGES * PIXELS);
      const labels = mnist.test.labels.slice(0, IMAGES);
      const report = await findBlindSpots(model, images, labels, { targets: { kind: 'random', seed: 3 } });
      model.dispose();
      const targets = chooseTargets(labels, { kind: 'random', seed: 3 });
      let compared = 0;
      for (const image of report.images) {
        if (!image.attacked) continue;
        const x = Float64Array.from(images.subarray(image.image * PIXELS, (image.image + 1) * PIXELS));
        const expected = exhaustiveSearch(reference, x, targets[image.image][0]);
        const found = image.best?.distortion ?? Number.NaN;
        expect(Math.abs(found - expected) / expected, `image ${image.image}: ${found} against ${expected}`).toBeLessThanOrEqual(0.01);
        compared++;
      }
      expect(compared).toBeGreaterThanOrEqual(IMAGES / 2);
      expect(report.solves / report.attacked).toBeLessThan(10);
    });
  }
});
