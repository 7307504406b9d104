/**
 * Step 1 of the reproduction: every model the tables need, from its checkpoint (the trained zoo by
 * default) or, where allowed, trained now. A reused checkpoint is checked against the zoo before use:
 * its model, architecture and training set, and the record of how it was trained that it carries.
 */
import { basename, isAbsolute, join, relative } from 'node:path';
import { loadCheckpoint } from '../nn/checkpoint.node.ts';
import { Model } from '../nn/model.ts';
import { checkpointFileName, listTrainedModels, type StoredModel, type TrainingRecord } from '../nn/store.node.ts';
import { trainAndSave } from '../nn/trainAndSave.node.ts';
import { describeErrors } from '../nn/train.ts';
import type { TrainingSetName } from '../nn/trainingSets.ts';
import { architectureOf, modelSpec, type ModelSpec } from '../nn/zoo.ts';
import { TABLE1_MODELS, TABLE3_MODELS } from '../report/paperNumbers.ts';
import type { UsedModel } from '../report/results.ts';
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

/** Why a stored checkpoint cannot stand for `spec` trained on `set`, or null when it can. */
export function storedModelProblem(stored: StoredModel, spec: ModelSpec, set: TrainingSetName): string | null {
  const { meta, record } = stored;
  if (meta.model !== spec.name) return `it holds ${meta.model}, not ${spec.name}`;
  if (meta.architecture !== architectureOf(spec)) return `its architecture "${meta.architecture}" is not the zoo's "${architectureOf(spec)}"`;
  if (meta.trainingSet !== set) return `it was trained on ${meta.trainingSet}, not ${set}`;
  if (meta.errors?.test !== record.testError || meta.errors?.train !== record.trainError) {
    return `its errors (${JSON.stringify(meta.errors)}) differ from its record's (train ${record.trainError}, test ${record.testError})`;
  }
  return null;
}

/** Load or train each model; returns what was used, with the records the tables print. */
export async function prepareModels(context: ReproduceContext): Promise<Map<string, UsedModel>> {
  const { engine, options, log } = context;
  const used = new Map<string, UsedModel>();
  const { models: stored, problems } = await listTrainedModels(options.checkpoints);
  for (const need of neededModels()) {
    const spec = modelSpec(need.model);
    const file = checkpointFileName(spec.name, need.set);
    const found = stored.find((m) => basename(m.path) === file);
    if (found) {
      const problem = storedModelProblem(found, spec, need.set);
      if (problem) throw new Error(`${found.path} cannot stand for ${need.name}: ${problem}`);
      context.models.set(need.name, Model.fromCheckpoint(engine, spec, await loadCheckpoint(found.path)));
      context.records.set(need.name, found.record);
      used.set(need.name, { checkpoint: displayPath(found.path), trainedHere: false, record: found.record });
      log(`${need.name}: ${found.path} (${describeRecord(found.record)})`);
      continue;
    }
    if (!options.train) {
      const why = problems.filter((p) => p.includes(file));
      throw new Error(
        `${options.checkpoints} has no usable checkpoint of ${need.name} (${file})${why.length ? `: ${why.join('; ')}` : ''}; ` +
          `train it with \`blindspot train '${spec.name}' --set ${need.set} --out ${options.checkpoints}\`, or run reproduce with --train`,
      );
    }
    log(`${need.name}: training on ${need.set}${options.quick ? ' (quick: fewer examples and epochs)' : ''}…`);
    let lastLog = 0;
    const { model, record } = await timed(context, 'training', () =>
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
    context.records.set(need.name, record);
    used.set(need.name, { checkpoint: displayPath(join(options.checkpoints, record.checkpoint)), trainedHere: true, record });
    log(`${need.name}: ${describeRecord(record)} in ${record.seconds.toFixed(0)} s`);
  }
  return used;
}

/** A path as the report shows it: relative to the working folder when inside it (a report can move with the checkout). */
function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

function describeRecord(r: TrainingRecord): string {
  return `training error ${(100 * r.trainError).toFixed(2)}%, test error ${(100 * r.testError).toFixed(2)}%`;
}
