/**
 * Argument checks made by kernels (src/gpu/argumentChecks.ts): a bad index found on the GPU surfaces as a
 * KernelArgumentError at the next readback or sync, once, naming the op, the argument and the first bad
 * position; valid work is untouched, the engine stays usable, and the words are reused, not grown.
 */
import { describe, expect, it } from 'vitest';
import { KernelArgumentError } from '../../src/gpu/errors.ts';
import { gatherRows, oneHot, softmaxCrossEntropy, sum, tensor } from '../../src/tensor/ops/index.ts';
import { tidy } from '../../src/tensor/context.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

describe('argument checks made by kernels', () => {
  it('sync() reports a flagged index too, and the next sync and read are clean', async () => {
    const engine = getEngine();
    const labels = tensor(engine, [0, 4]);
    const encoded = oneHot(labels, 3);
    await expect(engine.sync()).rejects.toThrow(new KernelArgumentError('oneHot', 1, 'labels[1] is not an integer class index in [0, 3)'));
    await expect(engine.sync()).resolves.toBeUndefined();
    expect([...(await encoded.data())].slice(0, 3)).toEqual([1, 0, 0]);
    labels.dispose();
    encoded.dispose();
  });

  it('counts the calls of one check since the previous readback and reports the smallest flagged position', async () => {
    const engine = getEngine();
    const x = tensor(engine, [1, 2, 3, 4], [2, 2]);
    const good = tensor(engine, [1, 0, 1]);
    const bad = tensor(engine, [0, 1, 2, 7, 2]);
    const results = [gatherRows(x, good), gatherRows(x, bad), gatherRows(x, good)];
    const total = sum(results[0]);
    await expect(total.item()).rejects.toThrow(
      /^gatherRows: indices\[2\] is not an integer row index in \[0, 2\) \(in one of 3 gatherRows calls since the previous readback\); the op's output is NaN there$/,
    );
    expect(await total.item()).toBe(3 + 4 + 1 + 2 + 3 + 4);
    for (const t of [x, good, bad, total, ...results]) t.dispose();
  });

  it('keeps checks with different parameters apart, beyond one buffer of words', async () => {
    const engine = getEngine();
    const labels = tensor(engine, [1, 2]);
    // 70 class counts are 70 distinct checks, more than one buffer of 64 words holds; only the last flags.
    const encodings = Array.from({ length: 70 }, (_, k) => oneHot(labels, 71 - k));
    await expect(encodings[69].data()).rejects.toThrow(/^oneHot: labels\[1\] is not an integer class index in \[0, 2\);/);
    for (const t of [labels, ...encodings]) t.dispose();
  });

  it('a concurrent readback is unaffected: the error goes to the read that carried the words', async () => {
    const engine = getEngine();
    const logits = tensor(engine, [0, 1, 2, 3], [2, 2]);
    const labels = tensor(engine, [0, -1]);
    const loss = softmaxCrossEntropy(logits, labels, { reduction: 'none' });
    const [first, second] = await Promise.allSettled([loss.data(), logits.data()]);
    expect(first.status).toBe('rejected');
    expect((first as PromiseRejectedResult).reason).toBeInstanceOf(KernelArgumentError);
    expect(second).toEqual({ status: 'fulfilled', value: Float32Array.of(0, 1, 2, 3) });
    for (const t of [logits, labels, loss]) t.dispose();
  });

  it('thousands of checked ops with readbacks keep memory flat, flagged or not', async () => {
    const engine = getEngine();
    const logits = tensor(engine, new Float32Array(20), [2, 10]);
    const labels = [tensor(engine, [3, 9]), tensor(engine, [3, 10])];
    const round = async (k: number) => {
      const loss = tidy(engine, () => softmaxCrossEntropy(logits, labels[k % 2]));
      try {
        await loss.item();
      } catch (error) {
        expect(error).toBeInstanceOf(KernelArgumentError);
      } finally {
        loss.dispose();
      }
    };
    for (let k = 0; k < 20; k++) await round(k);
    const before = engine.memory();
    for (let k = 0; k < 1000; k++) await round(k);
    expect(engine.memory()).toEqual(before);
    for (const t of [logits, ...labels]) t.dispose();
  });
});
