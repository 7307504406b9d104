import { describe, expect, it } from 'vitest';
import { describeSchedule, learningRateAt } from '../../src/nn/learningRate.ts';

describe('learning rate schedules', () => {
  it('exponential: the rate steps down by the decay after every epoch, not within one', () => {
    const options = { learningRate: 0.5, schedule: { kind: 'exponential', decayPerEpoch: 0.8 }, epochs: 4, warmupEpochs: 0 } as const;
    expect(learningRateAt(options, 0)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(options, 0.99)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(options, 1)).toBeCloseTo(0.4, 12);
    expect(learningRateAt(options, 3.5)).toBeCloseTo(0.5 * 0.8 ** 3, 12);
  });

  it('cosine: from the full rate to 0 over the run, half way at the middle, never below 0 past the end', () => {
    const options = { learningRate: 0.4, schedule: { kind: 'cosine' }, epochs: 10, warmupEpochs: 0 } as const;
    expect(learningRateAt(options, 0)).toBeCloseTo(0.4, 12);
    expect(learningRateAt(options, 5)).toBeCloseTo(0.2, 12);
    expect(learningRateAt(options, 10)).toBeCloseTo(0, 12);
    expect(learningRateAt(options, 11)).toBeCloseTo(0, 12);
    let previous = Infinity;
    for (let p = 0; p <= 10; p += 0.25) {
      const rate = learningRateAt(options, p);
      expect(rate).toBeLessThanOrEqual(previous);
      previous = rate;
    }
  });

  it('warm-up ramps linearly from a tenth of the scheduled rate and then leaves it alone', () => {
    const options = { learningRate: 1, schedule: { kind: 'cosine' }, epochs: 20, warmupEpochs: 2 } as const;
    const cosine = (p: number) => 0.5 * (1 + Math.cos((Math.PI * p) / 20));
    expect(learningRateAt(options, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(options, 1)).toBeCloseTo(0.55 * cosine(1), 12);
    expect(learningRateAt(options, 2)).toBeCloseTo(cosine(2), 12);
    expect(learningRateAt(options, 7)).toBeCloseTo(cosine(7), 12);
  });

  it('describes itself for `blindspot models`', () => {
    expect(describeSchedule({ kind: 'exponential', decayPerEpoch: 0.9 })).toBe('×0.9 per epoch');
    expect(describeSchedule({ kind: 'cosine' })).toBe('cosine to 0');
  });
});
