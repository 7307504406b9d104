/**
 * Step 4: figures like the paper's Figures 5 and 7: per model, rows of original | adversarial |
 * difference ×10 (shifted to mid-grey) | Gaussian noise at the same RMS, with labels and distortion.
 */
import { join } from 'node:path';
import { adversarialOf, type AdversarialSet } from '../attack/sets.node.ts';
import { differenceImage, writeImageGrid } from '../report/png.node.ts';
import type { GridTile } from '../report/imageGrid.ts';
import { createRng, deriveSeed } from '../util/random.ts';
import type { ReproduceContext } from './context.ts';
import { MNIST_PIXELS } from '../data/idx.ts';

const ROWS = 6;

/** Noise with per-pixel RMS `rms` added to x and clipped (a visual control at the same distortion). */
function noiseAtRms(x: Float32Array, rms: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, x[i] + rng.gaussian() * rms));
  return out;
}

/** Write one figure per adversarial set; returns the file names (relative to the output directory). */
export async function writeFigures(context: ReproduceContext, sets: AdversarialSet[]): Promise<string[]> {
  const files: string[] = [];
  for (const set of sets) {
    const data = set.source === 'train' ? context.data.train : context.data.test;
    const successes = set.examples.filter((e) => e.success).slice(0, ROWS);
    if (successes.length === 0) continue;
    const rows: GridTile[][] = successes.map((e, k) => {
      const original = data.images.subarray(e.index * MNIST_PIXELS, (e.index + 1) * MNIST_PIXELS);
      const adversarial = adversarialOf(set, e);
      return [
        { pixels: original, caption: `${e.label}` },
        { pixels: adversarial, caption: `${e.label} as ${e.target} ${e.distortion!.toFixed(3)}` },
        { pixels: differenceImage(original, adversarial, 10), caption: 'x10' },
        { pixels: noiseAtRms(original, e.distortion!, deriveSeed(context.options.seed, `figure ${set.name} ${k}`)), caption: 'noise' },
      ];
    });
    const file = `figure-${set.name}.png`;
    await writeImageGrid(join(context.options.out, file), {
      rows,
      columnTitles: ['original', 'adversarial', 'diff x10', 'noise same rms'],
    });
    files.push(file);
  }
  return files;
}
