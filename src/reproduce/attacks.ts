/** Step 2: adversarial sets for each model, attacked (or reloaded when a matching set was saved). */
import { join } from 'node:path';
import { ATTACK_LBFGSB, findBlindSpots } from '../attack/attack.ts';
import { DEFAULT_C_SEARCH } from '../attack/cSearch.ts';
import { loadSet, saveSet, setFromReport, type AdversarialSet } from '../attack/sets.node.ts';
import { MNIST_PIXELS, type LabelledImages } from '../data/idx.ts';
import { createRng, deriveSeed, permutation } from '../util/random.ts';
import { timed, type ReproduceContext } from './context.ts';

/** The first `n` images of a seeded permutation: every model is attacked on the same images. */
export function pickImages(count: number, n: number, seed: number, source: string): Int32Array {
  if (n > count) throw new Error(`--n ${n} is larger than the ${source} set (${count} images)`);
  return permutation(count, createRng(deriveSeed(seed, `attacked ${source} images`))).slice(0, n);
}

export function imagesAt(data: LabelledImages, indices: ArrayLike<number>): { images: Float32Array; labels: Int32Array } {
  const images = new Float32Array(indices.length * MNIST_PIXELS);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    images.set(data.images.subarray(indices[i] * MNIST_PIXELS, (indices[i] + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = data.labels[indices[i]];
  }
  return { images, labels };
}

export async function adversarialSet(
  context: ReproduceContext,
  modelName: string,
  source: 'train' | 'test',
  targetMode: 'random' | 'all',
): Promise<AdversarialSet> {
  const { options, log } = context;
  const n = targetMode === 'all' ? Math.min(options.nineTargetsN, options.n) : options.n;
  const name = `${modelName.replace(/[^A-Za-z0-9.-]+/g, '_')}-${source}-${targetMode}`;
  // Everything that decides the set's contents, resolved, so a change of defaults or of model is never
  // answered with an old set.
  const record = context.records.get(modelName);
  const config = {
    n,
    seed: options.seed,
    model: record ? `${record.checkpoint}, trained ${record.date}` : modelName,
    cSearch: { ...DEFAULT_C_SEARCH, ...options.cSearch },
    lbfgsb: { ...ATTACK_LBFGSB, maxIterations: options.maxIterations },
    warmStart: options.warmStart,
    quick: options.quick,
  };
  const dir = join(options.out, 'sets');
  const existing = await loadSet(dir, name, config);
  if (existing) {
    log(`${name}: reusing the saved set (${existing.successes}/${existing.attacked} successes)`);
    return existing;
  }
  const data = source === 'train' ? context.data.train : context.data.test;
  const indices = pickImages(data.count, n, options.seed, source);
  const { images, labels } = imagesAt(data, indices);
  const model = context.models.get(modelName)!;
  log(`${name}: attacking ${n} ${source} images${targetMode === 'all' ? ' × 9 targets' : ' (one seeded random wrong target each)'}…`);
  let lastLog = 0;
  const report = await timed(context, 'attacks', () =>
    findBlindSpots(model, images, labels, {
      targets: targetMode === 'all' ? { kind: 'all' } : { kind: 'random', seed: options.seed },
      batchSize: options.batchSize,
      lbfgsb: { maxIterations: options.maxIterations },
      cSearch: options.cSearch,
      warmStart: options.warmStart,
      onProgress: (p) => {
        if (performance.now() - lastLog > 15_000) {
          lastLog = performance.now();
          log(
            `  ${p.problemsDone}/${p.problems} searches done, ${p.successes} successes` +
              `${p.meanDistortion === null ? '' : `, mean distortion ${p.meanDistortion.toFixed(4)}`}, ` +
              `${p.seconds.toFixed(0)} s${p.etaSeconds === null ? '' : `, ETA ${p.etaSeconds.toFixed(0)} s`}`,
          );
        }
      },
    }),
  );
  const set = setFromReport(report, { name, model: modelName, source, targetMode, config, datasetIndices: indices });
  await saveSet(dir, set);
  log(
    `${name}: ${set.successes}/${set.attacked} attacked images fooled (${set.misclassifiedBefore} misclassified before, not attacked), ` +
      `av. min. distortion ${set.meanDistortion?.toFixed(4) ?? 'n/a'} in ${set.seconds.toFixed(0)} s`,
  );
  return set;
}
