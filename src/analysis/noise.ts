/**
 * Gaussian-noise controls of Tables 2 and 4: x + N(0, σ²) per pixel from the GPU's counter-based
 * generator, either unclipped (what reproduces the paper's rows: their distortion column equals σ) or
 * clipped to [0, 1] (valid images). The measured RMS of the change is reported with each row.
 */
import type { Engine } from '../gpu/engine.ts';
import { tidy } from '../tensor/context.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { gaussianNoise } from '../tensor/ops/random.ts';
import { clamp } from '../tensor/ops/unary.ts';
import { rmsDifference } from './transfer.ts';

export interface NoisySet {
  images: Float32Array;
  sigma: number;
  clipped: boolean;
  /** Measured per-pixel RMS of the change. */
  rms: number;
}

export async function noisyCopies(engine: Engine, originals: Float32Array, sigma: number, clipped: boolean, seed: number): Promise<NoisySet> {
  const x = tensor(engine, originals);
  const noisy = tidy(engine, () => {
    const n = gaussianNoise(x, sigma, seed);
    return clipped ? clamp(n, 0, 1) : n;
  });
  const images = await noisy.data();
  x.dispose();
  noisy.dispose();
  return { images, sigma, clipped, rms: rmsDifference(images, originals) };
}
