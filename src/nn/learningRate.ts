/**
 * The learning rate of one SGD step, as a function of how far training has got. A schedule is data, so a
 * zoo model names its own and `blindspot models` can print it.
 */

/**
 * - exponential: the rate is multiplied by `decayPerEpoch` after every epoch (a step function).
 * - cosine: the rate follows half a cosine from its start value to 0 over the whole run, evaluated at
 *   every step. It spends the last epochs at small rates, where the sigmoid nets settle into a minimum
 *   that generalizes better than where a ×0.9 decay leaves them (docs/training.md).
 */
export type LearningRateSchedule = { kind: 'exponential'; decayPerEpoch: number } | { kind: 'cosine' };

export interface ScheduleOptions {
  learningRate: number;
  schedule: LearningRateSchedule;
  epochs: number;
  /** Epochs over which the rate ramps up linearly from a tenth of the schedule's (0: none). */
  warmupEpochs: number;
}

/** The rate at `progress` epochs into training (fractional: epoch − 1 + step / stepsPerEpoch). */
export function learningRateAt(options: ScheduleOptions, progress: number): number {
  const { learningRate, schedule, epochs, warmupEpochs } = options;
  const warmup = warmupEpochs > 0 ? Math.min(1, 0.1 + (0.9 * progress) / warmupEpochs) : 1;
  const scheduled =
    schedule.kind === 'exponential'
      ? learningRate * schedule.decayPerEpoch ** Math.floor(progress)
      : learningRate * 0.5 * (1 + Math.cos((Math.PI * Math.min(progress, epochs)) / epochs));
  return scheduled * warmup;
}

/** "×0.9 per epoch" or "cosine to 0", for `blindspot models` and training records. */
export function describeSchedule(schedule: LearningRateSchedule): string {
  return schedule.kind === 'exponential' ? `×${schedule.decayPerEpoch} per epoch` : 'cosine to 0';
}
