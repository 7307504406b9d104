/** The training sets a model can be fitted on: all 60 000 images, or one half of the P1/P2 split. */
import type { LabelledImages } from '../data/idx.ts';
import { splitP1P2 } from '../data/split.ts';

export type TrainingSetName = 'full' | 'P1' | 'P2';

/**
 * One fixed seed for the P1/P2 split, so every model and every run agree on which images are in which
 * half (1312 after the paper's arXiv number, 1312.6199).
 */
export const SPLIT_SEED = 1312;

export function parseTrainingSet(value: string): TrainingSetName {
  const normalized = value.toLowerCase();
  if (normalized === 'full') return 'full';
  if (normalized === 'p1') return 'P1';
  if (normalized === 'p2') return 'P2';
  throw new Error(`unknown training set '${value}': use full, P1 or P2`);
}

export function trainingSubset(train: LabelledImages, set: TrainingSetName): LabelledImages {
  if (set === 'full') return train;
  const split = splitP1P2(train, SPLIT_SEED);
  return set === 'P1' ? split.p1 : split.p2;
}
