/**
 * Step 3: the numbers of Tables 1–4, computed from the models and the saved adversarial sets. The result
 * is plain data (results.json); report/markdown.ts renders it beside the paper's numbers.
 */
import { adversarialOf, type AdversarialSet } from '../attack/sets.node.ts';
import { amplify, errorRateOn, rmsDifference } from '../analysis/transfer.ts';
import { noisyCopies } from '../analysis/noise.ts';
import { MNIST_PIXELS, type LabelledImages } from '../data/idx.ts';
import { deriveSeed } from '../util/random.ts';
import { TABLE1_MODELS, TABLE3_MODELS } from '../report/paperNumbers.ts';
import { adversarialSet, imagesAt, pickImages } from './attacks.ts';
import { timed, type ReproduceContext } from './context.ts';
import type { AttackSummary, Table1Row, Table3Row, TableResults, TransferRow, UsedModel } from '../report/results.ts';

export function summary(set: AdversarialSet): AttackSummary {
  const { attacked, misclassifiedBefore, successes, failures, meanDistortion, seconds } = set;
  return { attacked, misclassifiedBefore, successes, failures, meanDistortion, seconds };
}

/** Best (smallest-distortion) successful example per attacked image, as images with true labels. */
export function successfulImages(set: AdversarialSet, data: LabelledImages) {
  const best = new Map<number, AdversarialSet['examples'][number]>();
  for (const e of set.examples) {
    if (!e.success) continue;
    const previous = best.get(e.index);
    if (!previous || e.distortion! < previous.distortion!) best.set(e.index, e);
  }
  const examples = [...best.values()];
  const images = new Float32Array(examples.length * MNIST_PIXELS);
  const labels = new Int32Array(examples.length);
  examples.forEach((e, i) => {
    images.set(adversarialOf(set, e), i * MNIST_PIXELS);
    labels[i] = e.label;
  });
  const originals = imagesAt(data, examples.map((e) => e.index)).images;
  return { images, labels, originals };
}

export async function transferRow(context: ReproduceContext, source: string, images: Float32Array, labels: Int32Array, originals: Float32Array, columns: string[]): Promise<TransferRow> {
  const errors: Record<string, number> = {};
  for (const column of columns) errors[column] = await errorRateOn(context.models.get(column)!, images, labels);
  const perImage = [];
  for (let i = 0; i < labels.length; i++) {
    perImage.push(rmsDifference(images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), originals.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)));
  }
  const distortion = perImage.length ? perImage.reduce((a, b) => a + b, 0) / perImage.length : NaN;
  return { source, count: labels.length, distortion, errors };
}

async function noiseRows(context: ReproduceContext, data: LabelledImages, source: 'train' | 'test', sigmas: number[], columns: string[]): Promise<TransferRow[]> {
  const { options } = context;
  const { images: originals, labels } = imagesAt(data, pickImages(data.count, options.n, options.seed, source));
  const rows: TransferRow[] = [];
  for (const sigma of sigmas) {
    for (const clipped of [false, true]) {
      const noisy = await noisyCopies(context.engine, originals, sigma, clipped, deriveSeed(options.seed, `noise ${source} ${sigma}`));
      const label = `Gaussian noise σ=${sigma}${clipped ? ', clipped to [0,1]' : ''}`;
      rows.push(await transferRow(context, label, noisy.images, labels, originals, columns));
    }
  }
  return rows;
}

export async function computeTables(context: ReproduceContext, used: Map<string, UsedModel>): Promise<TableResults> {
  const { data } = context;
  const table1Models = [...TABLE1_MODELS, 'convnet'];
  const table1: Table1Row[] = [];
  const trainSets = new Map<string, AdversarialSet>();
  for (const model of table1Models) {
    const random = await adversarialSet(context, model, 'train', 'random');
    const all = await adversarialSet(context, model, 'train', 'all');
    trainSets.set(model, random);
    const record = used.get(model)!.record;
    table1.push({ model, trainError: record.trainError, testError: record.testError, randomTarget: summary(random), allNineTargets: summary(all) });
  }

  const table2 = await timed(context, 'transfer', async () => {
    const rows: TransferRow[] = [];
    for (const model of table1Models) {
      const { images, labels, originals } = successfulImages(trainSets.get(model)!, data.train);
      rows.push(await transferRow(context, model, images, labels, originals, table1Models));
    }
    rows.push(...(await noiseRows(context, data.train, 'train', [0.1, 0.3], table1Models)));
    return { columns: table1Models, rows };
  });

  const table3Names = TABLE3_MODELS.map((m) => m.name);
  const table3: Table3Row[] = [];
  const testSets = new Map<string, AdversarialSet>();
  for (const m of TABLE3_MODELS) {
    const set = await adversarialSet(context, m.name, 'test', 'random');
    testSets.set(m.name, set);
    const record = used.get(m.name)!.record;
    const own = record.trainError;
    const other = record.otherHalfError ?? NaN;
    table3.push({
      model: m.name,
      p1Error: m.set === 'P1' ? own : other,
      p2Error: m.set === 'P2' ? own : other,
      testError: record.testError,
      attack: summary(set),
    });
  }

  const table4 = await timed(context, 'transfer', async () => {
    const rows: TransferRow[] = [];
    const successful = new Map(table3Names.map((name) => [name, successfulImages(testSets.get(name)!, data.test)]));
    for (const name of table3Names) {
      const s = successful.get(name)!;
      rows.push(await transferRow(context, name, s.images, s.labels, s.originals, table3Names));
    }
    rows.push(...(await noiseRows(context, data.test, 'test', [0.06], table3Names)));
    for (const name of table3Names) {
      const s = successful.get(name)!;
      const amplified = new Float32Array(s.images.length);
      for (let i = 0; i < s.labels.length; i++) {
        const at = i * MNIST_PIXELS;
        amplified.set(amplify(s.originals.subarray(at, at + MNIST_PIXELS), s.images.subarray(at, at + MNIST_PIXELS), 0.1), at);
      }
      rows.push(await transferRow(context, `${name} amplified to 0.1`, amplified, s.labels, s.originals, table3Names));
    }
    rows.push(...(await noiseRows(context, data.test, 'test', [0.1], table3Names)));
    return { columns: table3Names, rows };
  });

  return { table1, table2, table3, table4 };
}
