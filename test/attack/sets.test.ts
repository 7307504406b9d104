/**
 * Saved adversarial sets read back only when both files are what they claim: the JSON within a size
 * limit and shaped like a set whose examples point at distinct image rows, the images only once their
 * size matches the JSON.
 */
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adversarialOf, loadSet, saveSet, type AdversarialSet } from '../../src/attack/sets.node.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindspot-sets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = { model: 'FC10(1e-4)', n: 2 };
function twoExamples(): AdversarialSet {
  const adversarial = new Float32Array(784).fill(0.25);
  return {
    name: 'set',
    model: 'FC10(1e-4)',
    source: 'train',
    targetMode: 'random',
    config,
    images: [4, 9],
    attacked: 2,
    misclassifiedBefore: 0,
    successes: 1,
    failures: 1,
    meanDistortion: 0.05,
    seconds: 1,
    evaluations: 10,
    examples: [
      { index: 4, label: 1, target: 2, success: true, distortion: 0.05, c: 1, evaluations: 5, row: 0 },
      { index: 9, label: 3, target: 7, success: false, distortion: null, c: null, reason: 'gave up', evaluations: 5, row: -1 },
    ],
    adversarial,
  };
}

describe('loadSet', () => {
  it('round-trips a set; another config or no set at all gives null', async () => {
    await saveSet(dir, twoExamples());
    const loaded = await loadSet(dir, 'set', config);
    expect(loaded).not.toBeNull();
    expect(adversarialOf(loaded!, loaded!.examples[0])[783]).toBe(0.25);
    expect(await loadSet(dir, 'set', { ...config, n: 3 })).toBeNull();
    expect(await loadSet(dir, 'other', config)).toBeNull();
  });

  it('refuses JSON that is not a set, naming the problem', async () => {
    await saveSet(dir, twoExamples());
    const json = join(dir, 'set.json');
    const meta = JSON.parse(await readFile(json, 'utf8'));
    const cases: [unknown, string][] = [
      [[1, 2], 'not an adversarial set: the JSON is not an object'],
      [{ ...meta, examples: 'none' }, 'not an adversarial set: it has no list of examples'],
      [{ ...meta, examples: [{ ...meta.examples[0], success: 'yes' }] }, "not an adversarial set: example 0 has no boolean 'success'"],
      [{ ...meta, examples: [{ ...meta.examples[0], row: 1 }, meta.examples[1]] }, 'not an adversarial set: example 0 has row 1, not a distinct row in 0..0'],
      [{ ...meta, examples: [meta.examples[0], { ...meta.examples[1], row: 0 }] }, 'not an adversarial set: example 1 has row 0, not -1'],
    ];
    for (const [content, problem] of cases) {
      await writeFile(json, JSON.stringify(content));
      await expect(loadSet(dir, 'set', config)).rejects.toThrow(`${json}: ${problem}`);
    }
  });

  it('checks the image file size before reading it, and refuses a device', async () => {
    await saveSet(dir, twoExamples());
    const images = join(dir, 'set.f32');
    await writeFile(images, new Uint8Array(784 * 4 * 2));
    await expect(loadSet(dir, 'set', config)).rejects.toThrow(`${images}: 6272 bytes, expected 3136 for 1 images`);
    await rm(images);
    await symlink('/dev/zero', images);
    await expect(loadSet(dir, 'set', config)).rejects.toThrow(`${images}: is a character device, not an adversarial-image file`);
  });
});
