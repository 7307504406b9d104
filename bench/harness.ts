/**
 * The harness: loads contestants, runs each workload on each of them, refuses wrong answers, then times
 * repetitions. Runs unchanged in the bench page and in Node (through Vite's module loader).
 *
 * Timing: a repetition is `iterations` runs of the workload followed by one sync of the contestant (see
 * each contestant's syncMethod), measured with performance.now(): whole-batch wall time, GPU completion
 * included. The first run of each contestant (pipeline compilation, uploads, tfjs's shader cache) is the
 * correctness check and is excluded. Repetitions are interleaved: round r runs one repetition of every
 * contestant, starting at a different contestant each round, so a burst of load from other processes
 * lands on all of them alike; ratios are also computed per round ("paired").
 */
import { compareOutputs, passes } from './check.ts';
import { mapDecreasing, stats } from './stats.ts';
import { summarizeTally, tallyDifference } from './tally.ts';
import { profilePerIteration } from './profile.ts';
import {
  NotAvailableError,
  type Cell,
  type Contestant,
  type ContestantInfo,
  type Instance,
  type LoadedContestant,
  type ProgressEvent,
  type Ratio,
  type SuiteOptions,
  type SuiteResult,
  type TensorSet,
  type Workload,
  type WorkloadResult,
} from './types.ts';

/** Who serves as the reference when blindspot itself cannot run a workload (most trusted first). */
const REFERENCE_ORDER = ['blindspot', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu'];

export const TIMING_NOTE =
  'whole-batch wall time (performance.now() around `iterations` runs plus one sync that waits for GPU completion); ' +
  'per-kernel GPU time from timestamp queries in one extra, profiled repetition of each cell whose contestant can ' +
  'profile (blindspot), kept out of the statistics';

export interface RunContext {
  where: 'browser' | 'node';
  runtime: string;
  crossOriginIsolated?: boolean;
  hardwareConcurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Checked between steps; when it returns true the suite stops after the current step. */
  cancelled?: () => boolean;
  /** Decides when blindspot and its peers disagree without a majority (tfjs-cpu; loaded only if needed). */
  referee?: Contestant;
}

interface Entry {
  contestant: Contestant;
  loaded?: LoadedContestant;
  info: ContestantInfo;
}

interface Live {
  entry: Entry;
  cell: Cell;
  instance: Instance;
  outputs?: TensorSet;
  timedMs: number;
}

const now = (): number => performance.now();
/** Let the page repaint and other tasks run between steps. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Missing pieces rather than failures: an op blindspot lacks yet, a kernel a tfjs backend lacks. */
function unavailable(error: unknown): boolean {
  return error instanceof NotAvailableError || /not registered for backend/.test(message(error));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

export async function runSuite(
  workloads: Workload[],
  contestants: Contestant[],
  options: SuiteOptions,
  context: RunContext,
): Promise<SuiteResult> {
  const started = new Date();
  const t0 = now();
  const emit = (event: ProgressEvent): void => context.onProgress?.(event);
  const entries: Entry[] = [];
  for (const contestant of contestants) {
    entries.push(await loadContestant(contestant));
    emit({ type: 'contestant', info: entries[entries.length - 1].info });
  }
  const results: WorkloadResult[] = [];
  const referee = makeReferee(entries, options, context);
  try {
    for (const [index, workload] of workloads.entries()) {
      if (context.cancelled?.()) break;
      emit({ type: 'workload', workload: workload.id, index, total: workloads.length });
      const result = await runWorkload(workload, entries, options, emit, context, referee.decide);
      results.push(result);
      emit({ type: 'workload-done', result });
    }
  } finally {
    for (const entry of entries) await entry.loaded?.dispose().catch(() => {});
    await referee.dispose();
  }
  return {
    where: context.where,
    runtime: context.runtime,
    crossOriginIsolated: context.crossOriginIsolated,
    hardwareConcurrency: context.hardwareConcurrency,
    started: started.toISOString(),
    seconds: (now() - t0) / 1000,
    options,
    timing: TIMING_NOTE,
    contestants: entries.map((e) => e.info),
    workloads: results,
  };
}

/**
 * The referee: context.referee (tfjs-cpu), loaded on first need. None when it is a contestant of the run
 * anyway (then it has already voted, and a second opinion from it adds nothing).
 */
function makeReferee(entries: Entry[], options: SuiteOptions, context: RunContext): { decide?: Referee; dispose(): Promise<void> } {
  const contestant = context.referee;
  let entry: Entry | undefined;
  if (!contestant || entries.some((e) => e.contestant.id === contestant.id)) return { dispose: async () => {} };
  const decide: Referee = async (workload) => {
    entry ??= await loadContestant(contestant);
    const loaded = entry.loaded;
    const implementation = workload.implementations[contestant.family];
    if (!loaded || !implementation) return undefined;
    let instance: Instance | undefined;
    try {
      await loaded.activate();
      instance = await (implementation as (env: unknown, inputs: TensorSet) => Promise<Instance>)(loaded.env, workload.inputs(options.seed));
      await instance.run();
      await (instance.sync ? instance.sync() : loaded.sync());
      context.onProgress?.({ type: 'log', message: `${workload.id}: blindspot and its peers disagree; ${contestant.id} decides` });
      return { name: contestant.id, outputs: await instance.read() };
    } catch {
      return undefined;
    } finally {
      instance?.dispose();
    }
  };
  return { decide, dispose: async () => void (await entry?.loaded?.dispose().catch(() => {})) };
}

async function loadContestant(contestant: Contestant): Promise<Entry> {
  const base = { id: contestant.id, label: contestant.label, family: contestant.family, notes: [] as string[] };
  try {
    const loaded = await contestant.load();
    const info: ContestantInfo = {
      ...base,
      status: 'ok',
      notes: loaded.notes,
      syncMethod: loaded.syncMethod,
      adapter: loaded.adapter,
      peak: loaded.peak,
    };
    return { contestant, loaded, info };
  } catch (error) {
    return { contestant, info: { ...base, status: 'unavailable', reason: message(error) } };
  }
}

/** Runs a workload once on the referee contestant and returns its outputs (undefined if it cannot). */
type Referee = (workload: Workload) => Promise<{ name: string; outputs: TensorSet } | undefined>;

async function runWorkload(
  workload: Workload,
  entries: Entry[],
  options: SuiteOptions,
  emit: (event: ProgressEvent) => void,
  context: RunContext,
  referee: Referee | undefined,
): Promise<WorkloadResult> {
  const inputs = workload.inputs(options.seed);
  const cells: Cell[] = [];
  const live: Live[] = [];
  const report = (cell: Cell, phase: 'check' | 'timed', detail: string): void =>
    emit({ type: 'cell', workload: workload.id, contestant: cell.contestant, phase, status: cell.status, detail });

  // 1. First run of each contestant: compiles, warms up and yields the outputs for the gate.
  for (const entry of entries) {
    const cell: Cell = { contestant: entry.info.id, status: 'ok', repMs: [], repRounds: [] };
    cells.push(cell);
    const implementation = workload.implementations[entry.contestant.family];
    if (!entry.loaded) {
      Object.assign(cell, { status: 'unavailable', reason: entry.info.reason });
      continue;
    }
    if (!implementation) {
      Object.assign(cell, { status: 'not implemented', reason: `no ${entry.contestant.family} implementation of this workload` });
      continue;
    }
    if (context.cancelled?.()) break;
    let instance: Instance | undefined;
    try {
      await entry.loaded.activate();
      instance = await (implementation as (env: unknown, inputs: TensorSet) => Promise<Instance>)(entry.loaded.env, inputs);
      const start = now();
      await instance.run();
      await (instance.sync ? instance.sync() : entry.loaded.sync());
      cell.firstRunMs = now() - start;
      const outputs = await instance.read();
      if (instance.note) cell.note = instance.note;
      if (instance.items !== undefined) cell.items = instance.items;
      live.push({ entry, cell, instance, outputs, timedMs: 0 });
      report(cell, 'check', `first run ${cell.firstRunMs.toFixed(1)} ms`);
    } catch (error) {
      instance?.dispose();
      // An asynchronous GPU error would otherwise surface at this contestant's next sync, in another workload.
      await entry.loaded.sync().catch(() => {});
      Object.assign(cell, { status: unavailable(error) ? 'unavailable' : 'error', reason: message(error) });
      report(cell, 'check', cell.reason ?? '');
    }
    await yieldToEventLoop();
  }

  // 2. The gate.
  const reference = await gate(workload, live, referee);
  for (const item of live) {
    if (item.cell.status !== 'ok') {
      item.instance.dispose();
      report(item.cell, 'check', item.cell.reason ?? '');
    }
  }
  const timed = live.filter((item) => item.cell.status === 'ok');
  for (const item of timed) item.outputs = undefined;

  // 3. Interleaved repetitions.
  for (let round = 0; timed.length > 0 && !context.cancelled?.(); round++) {
    const wanting = timed.filter((item) => wantsMore(item, options));
    if (wanting.length === 0) break;
    const order = wanting.map((_, i) => wanting[(i + round) % wanting.length]);
    for (const item of order) {
      const { cell, instance } = item;
      const loaded = item.entry.loaded!;
      try {
        await loaded.activate();
        const before = instance.tally?.();
        const start = now();
        for (let i = 0; i < workload.iterations; i++) await instance.run();
        await (instance.sync ? instance.sync() : loaded.sync());
        const elapsed = now() - start;
        item.timedMs += elapsed;
        cell.repMs.push(elapsed / workload.iterations);
        cell.repRounds.push(round);
        if (before) (cell.repTally ??= []).push(tallyDifference(instance.tally!(), before));
        report(cell, 'timed', `rep ${cell.repMs.length}: ${(elapsed / workload.iterations).toFixed(2)} ms/iteration`);
      } catch (error) {
        Object.assign(cell, { status: 'error', reason: `during timing: ${message(error)}` });
        await loaded.sync().catch(() => {});
        report(cell, 'timed', cell.reason ?? '');
        timed.splice(timed.indexOf(item), 1);
      }
      await yieldToEventLoop();
    }
  }
  // 4. One profiled repetition per cell whose contestant can profile.
  for (const item of timed) {
    const loaded = item.entry.loaded!;
    if (!loaded.profile || context.cancelled?.()) continue;
    const { cell, instance } = item;
    try {
      await loaded.activate();
      const profile = await loaded.profile(async () => {
        for (let i = 0; i < workload.iterations; i++) await instance.run();
        await instance.sync?.();
      });
      cell.profile = profilePerIteration(profile, workload.iterations);
      report(cell, 'timed', `profiled: ${cell.profile.gpuMs?.toFixed(2) ?? '?'} ms GPU of ${cell.profile.wallMs.toFixed(2)} ms per iteration`);
    } catch (error) {
      cell.profileError = message(error);
      await loaded.sync().catch(() => {});
    }
    await yieldToEventLoop();
  }

  for (const item of live) {
    if (item.instance.note) item.cell.note = item.instance.note;
    if (item.cell.status === 'ok' || item.cell.status === 'error') item.instance.dispose();
  }

  for (const cell of cells) summarize(cell, workload);
  return {
    workload: workload.id,
    title: workload.title,
    group: workload.group,
    description: workload.description,
    iterations: workload.iterations,
    flops: workload.flops,
    items: workload.items,
    reference,
    cells,
    ratios: ratios(cells, workload),
  };
}

/** A cell wants another repetition until it has `reps`, or has used its time budget (one at least). */
function wantsMore(item: Live, options: SuiteOptions): boolean {
  const done = item.cell.repMs.length;
  if (done === 0) return true;
  return done < options.reps && item.timedMs < options.budgetMs;
}

/**
 * Compare every contestant's outputs with the reference's and mark the wrong ones. The reference is
 * blindspot when it ran, unless the others outvote it:
 * - a peer that agrees with blindspot confirms it, and every dissenter is wrong;
 * - two dissenters that agree with each other (and nobody with blindspot) make blindspot the wrong one;
 * - otherwise (say blindspot and one peer disagree) nobody can tell, and the referee (tfjs-cpu, run once,
 *   untimed) decides: whoever disagrees with it is wrong.
 */
async function gate(workload: Workload, live: Live[], referee: Referee | undefined): Promise<string | undefined> {
  const ordered = [...live].sort((a, b) => rank(a.cell.contestant) - rank(b.cell.contestant));
  let reference: { name: string; outputs: TensorSet } | undefined = ordered[0] && {
    name: ordered[0].cell.contestant,
    outputs: ordered[0].outputs!,
  };
  if (!reference) return undefined;
  const agrees = (a: TensorSet, b: TensorSet) => passes(compareOutputs(a, b, '', workload.tolerance));

  if (reference.name === 'blindspot' && ordered.length > 1) {
    const ours = ordered[0];
    const peers = ordered.slice(1);
    const dissenters = peers.filter((p) => !agrees(p.outputs!, ours.outputs!));
    const confirmed = dissenters.length < peers.length;
    if (!confirmed) {
      const pair = dissenters.find((a) => dissenters.some((b) => b !== a && agrees(a.outputs!, b.outputs!)));
      if (pair) {
        reference = { name: pair.cell.contestant, outputs: pair.outputs! };
      } else {
        const verdict = await referee?.(workload);
        if (verdict) reference = { name: `${verdict.name} (referee, untimed)`, outputs: verdict.outputs };
      }
    }
  }
  for (const item of ordered) {
    if (item.cell.contestant === reference.name) continue;
    const result = compareOutputs(item.outputs!, reference.outputs, reference.name, workload.tolerance);
    item.cell.check = result;
    if (!passes(result)) Object.assign(item.cell, { status: 'wrong result', reason: describeError(result) });
  }
  return reference.name;
}

function describeError(check: NonNullable<Cell['check']>): string {
  return (
    `max error ${check.maxAbsError.toExponential(2)} (relative ${check.relError.toExponential(2)}, ` +
    `tolerance ${check.tolerance.toExponential(0)}) in '${check.worstOutput}' against ${check.reference}`
  );
}

function rank(id: string): number {
  const index = REFERENCE_ORDER.indexOf(id);
  return index === -1 ? REFERENCE_ORDER.length : index;
}

/** Items one run of the cell processes: its own count when it did fewer than the workload's (else 1). */
function itemsPerRun(cell: Cell, workload: Workload): number {
  return cell.items ?? workload.items?.count ?? 1;
}

function summarize(cell: Cell, workload: Workload): void {
  const ms = stats(cell.repMs);
  if (!ms) return;
  cell.ms = ms;
  if (cell.repTally?.length === cell.repMs.length) {
    cell.tally = summarizeTally(cell.repTally, cell.repMs.map((t) => t * workload.iterations));
  }
  if (workload.items) {
    const perIteration = itemsPerRun(cell, workload);
    cell.throughput = { ...mapDecreasing(ms, (t) => (perIteration * 1000) / t), unit: `${workload.items.unit}/s` };
  } else if (workload.flops) {
    const flops = workload.flops;
    cell.throughput = { ...mapDecreasing(ms, (t) => flops / (t * 1e6)), unit: 'GFLOP/s' };
  }
  if (workload.flops) {
    const flops = workload.flops;
    cell.gflops = mapDecreasing(ms, (t) => flops / (t * 1e6));
  }
}

/**
 * blindspot against every other timed contestant, pair by pair per round (and as a ratio of medians), in
 * time per item, so a baseline timed on a sample (Instance.items) compares fairly.
 */
function ratios(cells: Cell[], workload: Workload): Ratio[] {
  const ours = cells.find((c) => c.contestant === 'blindspot');
  if (!ours?.ms) return [];
  const ourItems = itemsPerRun(ours, workload);
  const byRound = new Map(ours.repRounds.map((round, i) => [round, ours.repMs[i] / ourItems]));
  const result: Ratio[] = [];
  for (const peer of cells) {
    if (peer === ours || !peer.ms) continue;
    const peerItems = itemsPerRun(peer, workload);
    const paired: number[] = [];
    peer.repRounds.forEach((round, i) => {
      const mine = byRound.get(round);
      if (mine !== undefined) paired.push(peer.repMs[i] / peerItems / mine);
    });
    const perRound = stats(paired);
    const ofMedians = peer.ms.median / peerItems / (ours.ms.median / ourItems);
    result.push({ peer: peer.contestant, ratio: perRound?.median ?? ofMedians, ofMedians, paired: perRound });
  }
  return result;
}
