/**
 * `blindspot reproduce`: reuse (or train) every model, attack, compute Tables 1–4, draw the figures, measure
 * Property 1 and the spectral bounds (Table 5), and write report.md and results.json. Every adversarial set is saved as soon as it is made, so an
 * interrupted run resumes where it stopped.
 */
import { join } from 'node:path';
import { ATTACK_LBFGSB } from '../attack/attack.ts';
import { DEFAULT_C_SEARCH, describeCSearch } from '../attack/cSearch.ts';
import type { Engine } from '../gpu/engine.ts';
import { loadMnist } from '../data/mnist.node.ts';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import { ensureWritableDirectory } from '../util/directories.node.ts';
import { renderReport } from '../report/markdown.ts';
import { TABLE1_MODELS, TABLE3_MODELS } from '../report/paperNumbers.ts';
import { adversarialSet } from './attacks.ts';
import { timed, type ReproduceContext, type ReproduceOptions } from './context.ts';
import { writeFigures } from './figures.ts';
import { prepareModels } from './models.ts';
import { computeTables } from './tables.ts';
import { computeUnitsSection } from './units.ts';
import { computeSpectral } from './spectral.ts';
import { computeHardening } from './hardening.ts';
import { renderHardeningSection } from '../report/hardening.ts';
import { renderUnitsSection } from '../report/units.ts';
import { renderSpectralSection } from '../report/spectral.ts';

export interface ReproduceOutcome {
  reportPath: string;
  resultsPath: string;
  seconds: number;
}

export async function reproduce(engine: Engine, options: ReproduceOptions, log: (line: string) => void, command: string): Promise<ReproduceOutcome> {
  const started = performance.now();
  const data = await loadMnist(options.data);
  for (const [source, count] of [['training', data.train.count], ['test', data.test.count]] as const) {
    if (options.n > count) throw new Error(`--n ${options.n} is larger than the ${source} set (${count} images)`);
  }
  await ensureWritableDirectory(options.out);
  const context: ReproduceContext = { engine, options, data, models: new Map(), records: new Map(), log, timings: {} };
  try {
    log(`adapter: ${engine.adapter.description || engine.adapter.architecture} (${engine.adapter.platform})`);
    log(`attacking ${options.n} images per table row (${Math.min(options.nineTargetsN, options.n)} with all nine targets)`);
    const models = await prepareModels(context);
    const tables = await computeTables(context, models);
    const figureSets = await Promise.all(
      [...TABLE1_MODELS, 'convnet'].map((m) => adversarialSet(context, m, 'train', 'random')),
    );
    figureSets.push(...(await Promise.all(TABLE3_MODELS.map((m) => adversarialSet(context, m.name, 'test', 'random')))));
    const figures = await timed(context, 'figures', () => writeFigures(context, figureSets));
    const property1 = await computeUnitsSection(context);
    const spectral = await computeSpectral(context, new Map(figureSets.map((set) => [set.model, set])), { power: { margin: options.spectralMargin } });
    const hardening = await computeHardening(context);
    const meta = {
      date: new Date().toISOString(),
      adapter: `${engine.adapter.description || engine.adapter.architecture} (${engine.adapter.platform}${engine.adapter.isSwiftShader ? ', CPU' : ''})`,
      quick: options.quick,
      n: options.n,
      nineTargetsN: Math.min(options.nineTargetsN, options.n),
      command,
      timings: { ...context.timings, total: (performance.now() - started) / 1000 },
      attackSettings:
        `Attack: L-BFGS-B memory ${ATTACK_LBFGSB.memory}, at most ${options.maxIterations} iterations per c, factr ${ATTACK_LBFGSB.factr.toExponential()}; ${describeCSearch({ ...DEFAULT_C_SEARCH, ...options.cSearch })}; ` +
        `${options.warmStart ? 'warm start from the previous c' : 'restart from x for every c'}; ${options.batchSize} searches per GPU batch.`,
      figures,
      checkpoints: options.checkpoints,
      models: Object.fromEntries(models),
    };
    const reportPath = join(options.out, 'report.md');
    const resultsPath = join(options.out, 'results.json');
    await writeFileAtomic(resultsPath, `${JSON.stringify({ meta, options, ...tables, property1, spectral, hardening }, null, 2)}\n`);
    await writeFileAtomic(reportPath, renderReport(tables, meta, [renderUnitsSection(property1), renderSpectralSection(spectral), ...(hardening ? [renderHardeningSection(hardening)] : [])]));
    return { reportPath, resultsPath, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const model of context.models.values()) model.dispose();
  }
}
