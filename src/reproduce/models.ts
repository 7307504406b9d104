/** Step 1 of the reproduction: every model the tables need, from its checkpoint or trained now. */
import { existsSync } from 'node:fs';
import { loadCheckpoint } from '../nn/checkpoint.node.ts';
import { Model } from '../nn/model.ts';
import { checkpointPath, readTrainingRecords, type TrainingRecord } from '../nn/store.node.ts';
import { trainAndSave } from '../nn/trainAndSave.node.ts';
import { describeErrors } from '../nn/train.ts';
import type { TrainingSetName } from '../nn/trainingSets.ts';
import { modelSpec } from '../nn/zoo.ts';
import { TABLE1_MODELS, TABLE3_MODELS } from '../report/paperNumbers.ts';
import { timed, type ReproduceContext } from './context.ts';

/** Quick runs measure training and test error on this many images (the report says so). */
const QUICK_EVALUATION = 2000;

/** Table name, zoo model and training set of every model the run needs. */
export function neededModels(): { name: string; model: string; set: TrainingSetName }[] {
  return [
    ...TABLE1_MODELS.map((m) => ({ name: m, model: m, set: 'full' as const })),
    { name: 'convnet', model: 'convnet', set: 'full' },
    ...TABLE3_MODELS.map((m) => ({ name: m.name, model: m.model, set: m.set })),
  ];
}

/** Load or train each model; returns the training records (errors) the tables print. */
export async function prepareModels(context: ReproduceContext): Promise<Map<string, TrainingRecord>> {
  const { engine, options, log } = context;
  const records = new Map<string, TrainingRecord>();
  const saved = await readTrainingRecords(options.checkpoints);
  for (const need of neededModels()) {
    const spec = modelSpec(need.model);
    const path = checkpointPath(options.checkpoints, spec.name, need.set);
    const record = saved.find((r) => r.model === spec.name && r.set === need.set);
    if (existsSync(path) && record) {
      const checkpoint = await loadCheckpoint(path);
      context.models.set(need.name, Model.fromCheckpoint(engine, spec, checkpoint));
      records.set(need.name, record);
      log(`${need.name}: reusing ${path} (test error ${(100 * record.testError).toFixed(2)}%)`);
      continue;
    }
    log(`${need.name}: training on ${need.set}${options.quick ? ' (quick: fewer examples and epochs)' : ''}…`);
    let lastLog = 0;
    const { model, record: trained } = await timed(context, 'training', () =>
      trainAndSave(engine, spec, need.set, context.data, {
        seed: options.seed,
        outDir: options.checkpoints,
        ...(options.examplesPerEpoch ? { examplesPerEpoch: options.examplesPerEpoch } : {}),
        ...(options.epochs ? { epochs: options.epochs } : {}),
        ...(options.trainingIterations ? { maxIterations: options.trainingIterations } : {}),
        ...(options.quick ? { trainEvaluationLimit: QUICK_EVALUATION, evaluationLimit: QUICK_EVALUATION } : {}),
        onProgress: (p) => {
          if (p.done || performance.now() - lastLog > 15_000) {
            lastLog = performance.now();
            log(
              `  ${spec.training.optimizer === 'lbfgs' ? `iteration ${p.epoch}/${p.epochs}` : `epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch}`} loss ${p.loss.toFixed(4)}` +
                `${describeErrors(p)} (${Math.round(p.examplesPerSecond)} examples/s)`,
            );
          }
        },
      }),
    );
    context.models.set(need.name, model);
    records.set(need.name, trained);
    log(`${need.name}: training error ${(100 * trained.trainError).toFixed(2)}%, test error ${(100 * trained.testError).toFixed(2)}% in ${trained.seconds.toFixed(0)} s`);
  }
  return records;
}
