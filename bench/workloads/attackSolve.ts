/**
 * The attack's optimization at a fixed constant c: for 20 (image, target) problems at once, L-BFGS-B
 * minimizes ‖x' − x‖² + c·CE(f(x'), target) over x' ∈ [0, 1]^784 on FC100-100-10, with blindspot's batched
 * driver (src/optim/batched.ts: every round evaluates all pending points in one GPU batch). The driver and
 * its float64 CPU work are the same for every contestant; what differs is who evaluates CE and ∂CE/∂x'
 * (one forward and backward pass per round, plus the upload of the points and the readback of f and g).
 * The c search around it (src/attack/) multiplies this by its number of c trials.
 */
import { softmaxCrossEntropy } from '../../src/tensor/ops/softmax.ts';
import { valueAndGrads } from '../../src/autograd/tape.ts';
import { fill, tensor } from '../../src/tensor/ops/fill.ts';
import { minimizeLbfgsbBatched } from '../../src/optim/batched.ts';
import type { LbfgsbResult } from '../../src/optim/lbfgsb.ts';
import { labels, oneHot, uniform } from '../data.ts';
import type { Instance, TensorData, TensorSet, Workload } from '../types.ts';
import { rejectVariant, toBlindspot, toTfjs } from './common.ts';
import { blindspotMlpLogits, mlpParameters, tfjsMlpLogits } from './mlp.ts';

const PROBLEMS = 20;
const PIXELS = 784;
const C = 1;
const SOLVER = { memory: 10, maxIterations: 10 };

/** Cross-entropy per row and c·∂CE/∂x' for k points (rows of the problems `ids`). */
type Evaluator = (points: Float32Array, ids: Int32Array) => Promise<{ ce: Float32Array; grad: Float32Array }>;

function solveInstance(inputs: TensorSet, evaluator: Evaluator, dispose: () => void): Instance {
  const x = inputs.x.data;
  let results: LbfgsbResult[] = [];
  let evaluations = 0;
  const instance: Instance = {
    async run() {
      const problems = Array.from({ length: PROBLEMS }, (_, i) => ({
        x0: Float64Array.from(x.subarray(i * PIXELS, (i + 1) * PIXELS)),
        lower: new Float64Array(PIXELS).fill(0),
        upper: new Float64Array(PIXELS).fill(1),
      }));
      results = await minimizeLbfgsbBatched(
        problems,
        async (points, ids) => {
          const k = ids.length;
          const { ce, grad } = await evaluator(Float32Array.from(points), ids);
          const f = new Float64Array(k);
          const g = new Float64Array(k * PIXELS);
          for (let r = 0; r < k; r++) {
            const base = ids[r] * PIXELS;
            let distance = 0;
            for (let j = 0; j < PIXELS; j++) {
              const d = points[r * PIXELS + j] - x[base + j];
              distance += d * d;
              g[r * PIXELS + j] = 2 * d + grad[r * PIXELS + j];
            }
            f[r] = distance + C * ce[r];
          }
          evaluations += k;
          return { f, g };
        },
        SOLVER,
      );
      instance.note = `${evaluations} evaluations in the last solve`;
      evaluations = 0;
    },
    async read() {
      return {
        f: { shape: [PROBLEMS], data: Float32Array.from(results.map((r) => r.f)) },
        x: { shape: [PROBLEMS, PIXELS], data: Float32Array.from(results.flatMap((r) => Array.from(r.x))) },
      };
    },
    dispose,
  };
  return instance;
}

/** The targets of the problems `ids` (rows of the pending points). */
function targetsOf(targets: TensorData, ids: Int32Array): Float32Array {
  return Float32Array.from(ids, (id) => targets.data[id]);
}

export const ATTACK_SOLVE: Workload = {
  id: 'attack-lbfgsb',
  title: 'attack: batched L-BFGS-B, 20 problems, FC100-100-10',
  group: 'attack',
  description:
    `${PROBLEMS} problems min ‖x' − x‖² + c·CE(f(x'), t) over x' ∈ [0, 1]^784 (c = ${C}, f = FC100-100-10 with fixed ` +
    `random weights, x uniform in [0, 1), random targets), solved together by minimizeLbfgsbBatched ` +
    `(memory ${SOLVER.memory}, at most ${SOLVER.maxIterations} iterations each): every round uploads the pending ` +
    `points, runs one forward and backward pass for all of them and reads back CE and ∂CE/∂x'. One iteration = ` +
    `the whole solve; items = problems. The gate compares the final objectives and points.`,
  iterations: 1,
  items: { count: PROBLEMS, unit: 'problems' },
  quick: false,
  // Ten f32 gradients steer a float64 solver: paths agree to a few digits, not to rounding.
  tolerance: 1e-2,
  inputs: (seed) => ({
    ...mlpParameters(seed),
    x: uniform(seed, 'attack.x', [PROBLEMS, PIXELS], 0, 1),
    targets: labels(seed, 'attack.targets', PROBLEMS, 10),
  }),
  implementations: {
    async blindspot(env, data) {
      rejectVariant(env);
      const { engine } = env;
      const { x: _x, targets, ...params } = data;
      const p = Object.fromEntries(Object.entries(params).map(([name, t]) => [name, toBlindspot(engine, t)]));
      const evaluator: Evaluator = async (points, ids) => {
        const k = ids.length;
        const input = tensor(engine, points, [k, PIXELS]);
        const target = tensor(engine, targetsOf(targets, ids), [k]);
        try {
          // Seeding the backward pass with c per row gives c·∂CE_row/∂x' (as src/attack/evaluateBatch.ts does).
          const { value, grads } = valueAndGrads(
            engine,
            () => softmaxCrossEntropy(blindspotMlpLogits(p, input), target, { reduction: 'none' }),
            [input],
            () => fill(engine, [k], C),
          );
          const [ce, grad] = await Promise.all([value.data(), grads[0].data()]);
          value.dispose();
          grads[0].dispose();
          return { ce, grad };
        } finally {
          input.dispose();
          target.dispose();
        }
      };
      return solveInstance(data, evaluator, () => Object.values(p).forEach((t) => t.dispose()));
    },
    async tfjs(env, data) {
      const { tf } = env;
      const { x: _x, targets, ...params } = data;
      const p = Object.fromEntries(Object.entries(params).map(([name, t]) => [name, toTfjs(tf, t)]));
      const evaluator: Evaluator = async (points, ids) => {
        const k = ids.length;
        const result = tf.tidy(() => {
          const input = tf.tensor(points, [k, PIXELS]);
          const target = toTfjs(tf, oneHot({ shape: [k], data: targetsOf(targets, ids) }, 10));
          const rows = (x: typeof input) =>
            tf.losses.softmaxCrossEntropy(target, tfjsMlpLogits(tf, p, x), undefined, undefined, tf.Reduction.NONE);
          // A non-scalar value with dy = c per row: c·∂CE_row/∂x' and the per-row CE in one pass.
          return tf.valueAndGrad(rows as never)(input as never, tf.fill([k], C));
        });
        const [ce, grad] = (await Promise.all([result.value.data(), result.grad.data()])) as Float32Array[];
        result.value.dispose();
        result.grad.dispose();
        return { ce, grad };
      };
      return solveInstance(data, evaluator, () => Object.values(p).forEach((t) => t.dispose()));
    },
  },
};
