/**
 * The trained zoo (models/ of the repository, served beside the page): its index, training-results.json,
 * lists the checkpoints; each checkpoint carries its own training record and loads through blindspot's
 * checkpoint decoder.
 */
import { nn, type Engine } from 'blindspot';

const FOLDER = `${import.meta.env.BASE_URL}models/`;
const SETS = ['full', 'P1', 'P2'];

/**
 * The records of the trained zoo, in the zoo's order (then full, P1, P2; a model's own checkpoint before its
 * hardened variants).
 * @throws Error naming the index for HTTP failures, a file that is not a list, or a malformed record.
 */
export async function listTrainedZoo(): Promise<nn.TrainingRecord[]> {
  const url = `${FOLDER}training-results.json`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  const records: unknown = await response.json();
  if (!Array.isArray(records)) throw new Error(`${url}: not a list of training records`);
  records.forEach((record, i) => {
    const problem = nn.trainingRecordProblem(record);
    if (problem) throw new Error(`${url}: record ${i} ${problem}`);
  });
  const rank = (r: nn.TrainingRecord) => nn.ZOO.findIndex((spec) => spec.name === r.model) * SETS.length + SETS.indexOf(r.set);
  return (records as nn.TrainingRecord[]).filter((r) => rank(r) >= 0).sort((a, b) => rank(a) - rank(b) || Number(Boolean(a.variant)) - Number(Boolean(b.variant)));
}

/**
 * The model in the checkpoint `file` of the trained zoo, on `engine`, with the checkpoint's metadata.
 * @throws Error naming the file for HTTP failures and anything the checkpoint decoder refuses.
 */
export async function loadTrainedModel(engine: Engine, file: string): Promise<{ model: nn.Model; meta: nn.CheckpointMeta }> {
  const url = `${FOLDER}${encodeURIComponent(file)}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  const checkpoint = nn.decodeCheckpoint(new Uint8Array(await response.arrayBuffer()), file);
  return { model: nn.Model.fromCheckpoint(engine, nn.modelSpec(checkpoint.meta.model), checkpoint), meta: checkpoint.meta };
}
