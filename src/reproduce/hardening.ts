/**
 * The adversarial-training section of the reproduction: the hardened FC100-100-10s found in the checkpoint
 * folder (variants written by `blindspot harden`) beside the zoo's FC100-100-10 (weight decay alone), each
 * attacked again on the run's training images (one random target, and all nine on the first images), and
 * adversarial examples carried between them and the zoo's models in both directions.
 */
import { basename, join } from 'node:path';
import type { AdversarialSet } from '../attack/sets.node.ts';
import { loadCheckpoint, readCheckpointMeta } from '../nn/checkpoint.node.ts';
import { Model } from '../nn/model.ts';
import { listTrainedModels } from '../nn/store.node.ts';
import { describeTraining, modelSpec } from '../nn/zoo.ts';
import { TABLE1_MODELS } from '../report/paperNumbers.ts';
import type { HardenedRow, HardeningResults, TransferRow } from '../report/results.ts';
import { adversarialSet } from './attacks.ts';
import { timed, type ReproduceContext } from './context.ts';
import { storedModelProblem } from './models.ts';
import { successfulImages, summary, transferRow } from './tables.ts';

/** The model every hardened variant is compared with: the zoo's, trained with weight decay alone. */
const BASE = 'FC100-100-10';
const HARDENING_KINDS: readonly HardenedRow['kind'][] = ['adversarial', 'noise', 'dropout', 'plain', 'zoo'];

/** Load the hardened variants of FC100-100-10 in the checkpoint folder into the run; their table names. */
async function loadHardened(context: ReproduceContext): Promise<string[]> {
  const spec = modelSpec(BASE);
  const { models } = await listTrainedModels(context.options.checkpoints);
  const names: string[] = [];
  for (const stored of models) {
    const { record } = stored;
    if (record.model !== BASE || record.set !== 'full' || !record.variant) continue;
    const problem = storedModelProblem(stored, spec, 'full');
    if (problem) throw new Error(`${stored.path} cannot stand for ${BASE} (${record.variant}): ${problem}`);
    const name = `${BASE} (${record.variant})`;
    context.models.set(name, Model.fromCheckpoint(context.engine, spec, await loadCheckpoint(stored.path)));
    context.records.set(name, record);
    names.push(name);
    context.log(`${name}: ${basename(stored.path)} (test error ${(100 * record.testError).toFixed(2)}%)`);
  }
  return names;
}

/**
 * The section's numbers, or null when the folder holds no hardened model. `zoo` names the run's models the
 * examples are carried to and from (all of Table 1's and the convnet in a reproduction).
 */
export async function computeHardening(context: ReproduceContext, zoo: string[] = [...TABLE1_MODELS, 'convnet']): Promise<HardeningResults | null> {
  const hardened = await loadHardened(context);
  if (hardened.length === 0) return null;
  const compared = [BASE, ...hardened];
  const rows: HardenedRow[] = [];
  const sets = new Map<string, AdversarialSet>();
  for (const name of compared) {
    const random = await adversarialSet(context, name, 'train', 'random');
    const all = await adversarialSet(context, name, 'train', 'all');
    sets.set(name, random);
    const record = context.records.get(name)!;
    // The zoo's model has no hardening metadata; a variant carries its pools' settings and time split.
    const extra = (record.variant ? ((await readCheckpointMeta(join(context.options.checkpoints, record.checkpoint))).extra?.hardening ?? null) : null) as
      | { mode?: { kind?: HardenedRow['kind'] }; seconds?: { searches: number; searchesGpuWait?: number; trainingGpuWait?: number }; heldOut?: string; heldOutError?: number }
      | null;
    const kind = record.variant ? extra?.mode?.kind : 'zoo';
    if (!kind || !HARDENING_KINDS.includes(kind)) throw new Error(`${record.checkpoint}: its metadata does not say how it was hardened (extra.hardening.mode.kind is ${JSON.stringify(kind)})`);
    // A variant's settings begin with its SGD budget in describeTraining's words, as the zoo's is given here.
    const budget = record.variant ? (record.settings ?? '').split('; ')[0] : describeTraining(modelSpec(BASE).training, 'sgd');
    rows.push({
      model: name,
      kind,
      budget,
      training: record.variant ? `${record.variant}: ${record.settings ?? ''}` : `weight decay alone (the zoo's): ${budget}`,
      trainError: record.trainError,
      testError: record.testError,
      minutes: record.seconds / 60,
      searchMinutes: extra?.seconds ? extra.seconds.searches / 60 : null,
      gpuWaitMinutes: extra?.seconds?.searchesGpuWait !== undefined ? (extra.seconds.searchesGpuWait + (extra.seconds.trainingGpuWait ?? 0)) / 60 : null,
      randomTarget: summary(random),
      allNineTargets: summary(all),
      heldOutError: extra?.heldOutError ?? null,
      heldOut: extra?.heldOut ?? null,
    });
  }
  const transfer = async (sources: string[], columns: string[]): Promise<TransferRow[]> => {
    const out: TransferRow[] = [];
    for (const source of sources) {
      const set = sets.get(source) ?? (await adversarialSet(context, source, 'train', 'random'));
      const s = successfulImages(set, context.data.train);
      out.push(await transferRow(context, source, s.images, s.labels, s.originals, columns));
    }
    return out;
  };
  return timed(context, 'transfer', async () => ({
    rows,
    into: { columns: compared, rows: await transfer(zoo.filter((m) => m !== BASE), compared) },
    from: { columns: zoo.filter((m) => m !== BASE), rows: await transfer(compared, zoo.filter((m) => m !== BASE)) },
  }));
}
