/**
 * `blindspot eval`, run as a user runs it (the built CLI in a child process): a checkpoint whose outputs
 * overflow gets its non-finite logits counted and reported, and the command fails, instead of printing a
 * plausible error rate.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, MNIST_SIDE } from '../../src/data/idx.ts';
import { MNIST_FILES } from '../../src/data/mnist.node.ts';
import { saveCheckpoint } from '../../src/nn/checkpoint.node.ts';
import { runCli } from '../helpers/builtCli.ts';
import { overflowingFc10 } from '../helpers/overflowingFc10.ts';

let dir = '';
const fc10 = overflowingFc10();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindspot-eval-'));
  // The five images serve as both the training and the test set.
  const pixels = Uint8Array.from(fc10.images, (v) => Math.round(v * 255));
  const labels = Uint8Array.from(fc10.labels);
  for (const [images, labelFile] of [[MNIST_FILES.trainImages, MNIST_FILES.trainLabels], [MNIST_FILES.testImages, MNIST_FILES.testLabels]]) {
    await writeFile(join(dir, images), encodeIdx([fc10.count, MNIST_SIDE, MNIST_SIDE], pixels));
    await writeFile(join(dir, labelFile), encodeIdx([fc10.count], labels));
  }
  const meta = { model: fc10.model, architecture: '784-10 softmax', lambdas: [1e-4], trainingSet: 'full', seed: 1 };
  await saveCheckpoint(join(dir, 'overflowing.safetensors'), meta, fc10.tensors);
  const tame = { ...fc10.tensors['layer0.weight'], data: fc10.tensors['layer0.weight'].data.map((w) => Math.max(-5, Math.min(5, w))) };
  await saveCheckpoint(join(dir, 'tame.safetensors'), meta, { ...fc10.tensors, 'layer0.weight': tame });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('blindspot eval', () => {
  it('counts and reports images whose logits are not finite, and fails', async () => {
    const path = join(dir, 'overflowing.safetensors');
    const { code, stdout, stderr } = await runCli(['eval', path, '--data', dir]);
    expect(stdout).toContain('FC10(1e-4) training error: 60.00% (3/5, 2 of them with logits that are not finite (NaN or ±Infinity))');
    expect(stdout).toContain('FC10(1e-4) test error: 60.00% (3/5, 2 of them with logits that are not finite (NaN or ±Infinity))');
    expect(stderr.trim()).toBe(
      `blindspot: ${path}: the model's outputs overflow: its logits are not finite on 2 of 5 training images and 2 of 5 test images, so the error rates above are not a classifier's`,
    );
    expect(code).toBe(1);
  });

  it('prints plain error rates for a checkpoint whose outputs are finite', async () => {
    const { code, stdout, stderr } = await runCli(['eval', join(dir, 'tame.safetensors'), '--data', dir]);
    // Clipped to ±5, pixels 0–3 vote 10 for classes 2 and −10 for 7: images 3 and 4 are right, image 2 wrong.
    expect(stdout).toBe('FC10(1e-4) training error: 20.00% (1/5)\nFC10(1e-4) test error: 20.00% (1/5)\n');
    expect(stderr.trim()).toBe('');
    expect(code).toBe(0);
  });
});
