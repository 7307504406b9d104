import { describe, it } from 'vitest';
import { mul } from '../../src/tensor/ops/index.ts';
import { checkOp, type RefArray } from '../helpers/checkOp.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

describe('reshape is a differentiable view', () => {
  // A model that reshapes its input (the convnet: [batch, 784] → [batch, 1, 28, 28]) must pass
  // gradients back to the input, or the attack sees a zero gradient.
  for (const [from, to] of [
    [[6, 784], [6, 1, 28, 28]],
    [[5, 7], [35]],
    [[1], []],
  ] as [number[], number[]][]) {
    it(`[${from}] → [${to}]`, async () => {
      await checkOp(getEngine(), {
        name: 'reshape',
        shapes: [from],
        run: ([x]) => mul(x.reshape(to), x.reshape(to)),
        reference: {
          forward: ([x]: RefArray[]) => ({ data: x.data.map((v) => v * v), shape: to }),
          backward: ([x], g) => [x.data.map((v, i) => 2 * v * g[i])],
        },
        tolerance: { rtol: 1e-6, atol: 1e-7 },
      });
    });
  }
});
