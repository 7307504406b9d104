/**
 * The demo page: blindspot embedded as an application would embed it. One engine on navigator.gpu,
 * MNIST fetched and parsed in the page, a zoo model trained on a subset, and the blind-spot search on
 * the digits the user picks. `?smoke=1` drives the same handlers unattended with tiny budgets and
 * publishes the outcome as `window.__demoResult` (demo/demo.check.mjs reads it).
 */
import { Engine } from '../src/index.ts';
import type { LabelledImages } from '../src/data/idx.ts';
import { MNIST_CLASSES, MNIST_PIXELS } from '../src/data/idx.ts';
import { disposeDataset, uploadDataset, type GpuDataset } from '../src/nn/dataset.ts';
import type { Model } from '../src/nn/model.ts';
import { architectureOf, modelSpec, ZOO } from '../src/nn/zoo.ts';
import { createRng, permutation } from '../src/util/random.ts';
import { BUDGETS, classify, searchBlindSpots, testImage, type SearchBudget } from './blindspots.ts';
import { loadMnistPart } from './mnist.ts';
import { DigitPicker } from './picker.ts';
import { showBatch, showSingle } from './results.ts';
import { pageSettings, smokeRequested, type PageSettings } from './settings.ts';
import { trainInPage, TrainingStopped } from './training.ts';
import { byId, clearError, fillList, percent, seconds, showError } from './ui.ts';

/** What a `?smoke=1` run reports; `ok: false` carries the error. */
export interface DemoResult {
  ok: boolean;
  seconds: number;
  error?: string;
  adapter?: string;
  training?: { model: string; images: number; loss: number; testError: number; examplesPerSecond: number };
  attack?: { image: number; label: number; target: number; success: boolean; distortion: number; c: number; prediction: number | null };
  batch?: { images: number; attacked: number; successes: number; rounds: number; evaluations: number };
}

declare global {
  interface Window {
    __demoResult?: DemoResult;
  }
}

interface Loaded {
  engine: Engine;
  settings: PageSettings;
  test: LabelledImages;
  testSet: GpuDataset;
  picker: DigitPicker;
}

const state = {
  loaded: null as Loaded | null,
  /** The largest training prefix fetched so far; smaller subsets are views of it. */
  trainData: null as LabelledImages | null,
  trainSet: null as GpuDataset | null,
  model: null as Model | null,
  busy: null as 'train' | 'attack' | null,
  stopRequested: false,
};

const el = {
  engineStatus: byId('engine-status'),
  adapter: byId('adapter'),
  trainForm: byId<HTMLFormElement>('train-form'),
  model: byId<HTMLSelectElement>('model'),
  trainCount: byId<HTMLSelectElement>('train-count'),
  epochs: byId<HTMLInputElement>('epochs'),
  train: byId<HTMLButtonElement>('train'),
  stop: byId<HTMLButtonElement>('stop'),
  modelDescription: byId('model-description'),
  trainProgress: byId<HTMLProgressElement>('train-progress'),
  trainStats: byId('train-stats'),
  budget: byId<HTMLSelectElement>('budget'),
  attack: byId<HTMLButtonElement>('attack'),
  attackStatus: byId('attack-status'),
  singleResult: byId('single-result'),
  singleStats: byId('single-stats'),
  batch: byId<HTMLButtonElement>('batch'),
  batchStatus: byId('batch-status'),
  batchLegend: byId('batch-legend'),
  batchResult: byId('batch-result'),
};

function setBusy(busy: typeof state.busy): void {
  state.busy = busy;
  const ready = state.loaded !== null;
  el.train.disabled = !ready || busy !== null;
  el.stop.disabled = busy !== 'train';
  for (const control of [el.model, el.trainCount, el.epochs]) control.disabled = busy === 'train';
  el.attack.disabled = el.batch.disabled = !ready || busy !== null || state.model === null;
}

function loaded(): Loaded {
  if (!state.loaded) throw new Error('the engine and the test set are not ready yet');
  return state.loaded;
}

function trainedModel(): Model {
  if (!state.model) throw new Error('train a model first');
  return state.model;
}

// ---------------------------------------------------------------- startup

async function start(): Promise<Loaded> {
  const engine = await Engine.create();
  // The engine owns the device and every buffer; freeing it is all the cleanup a page needs.
  window.addEventListener('pagehide', () => engine.dispose());
  // A page restored from the back-forward cache would hold a disposed engine.
  window.addEventListener('pageshow', (event) => event.persisted && location.reload());
  const settings = pageSettings(new URLSearchParams(location.search), engine.adapter);
  showAdapter(engine);
  setupForms(settings);
  el.engineStatus.textContent = 'Loading the MNIST test set…';
  const test = await loadMnistPart('test', settings.testCount, (received, expected) => {
    el.engineStatus.textContent = `Loading the MNIST test set… ${percent(received / expected, 0)}`;
  });
  const testSet = uploadDataset(engine, test, 'MNIST test set');
  const picker = new DigitPicker(test, () => void refreshVerdicts());
  state.loaded = { engine, settings, test, testSet, picker };
  el.engineStatus.textContent = `Ready: ${test.count} test digits on the GPU.`;
  setBusy(null);
  return state.loaded;
}

function showAdapter(engine: Engine): void {
  const a = engine.adapter;
  const kind = a.isSwiftShader ? 'SwiftShader: WebGPU on the CPU (correct, but slow)' : a.isFallbackAdapter ? 'fallback adapter (CPU)' : 'hardware';
  fillList(el.adapter, [
    ['adapter', a.description || `${a.vendor} ${a.architecture}`.trim() || '(not exposed by the browser)'],
    ['vendor / architecture', `${a.vendor || '—'} / ${a.architecture || '—'}`],
    ['kind', kind],
    ['max storage binding', `${Math.round(a.limits.maxStorageBufferBindingSize / 2 ** 20)} MiB`],
    ['features', `${a.features.length}${a.features.includes('timestamp-query') ? ', timestamp-query among them' : ''}`],
    ['found via', engine.notes.join('; ')],
  ]);
}

function setupForms(settings: PageSettings): void {
  el.model.replaceChildren(...ZOO.map((spec) => new Option(spec.name, spec.name, false, spec.name === settings.model)));
  el.trainCount.replaceChildren(
    ...settings.trainCounts.map((n) => new Option(n.toLocaleString('en'), String(n), false, n === settings.trainCount)),
  );
  el.epochs.value = String(settings.epochs);
  if (settings.smoke) el.budget.add(new Option('smoke test (1 bisection step, ≤ 15 iterations per c, c ≤ 1e4)', 'smoke', true, true));
  const describe = (): void => {
    const spec = modelSpec(el.model.value);
    el.modelDescription.textContent = `${spec.description}. Layers: ${architectureOf(spec)}. SGD with momentum ${spec.training.momentum}, learning rate ${spec.training.learningRate}.`;
  };
  el.model.addEventListener('change', describe);
  describe();
}

// ---------------------------------------------------------------- training

async function trainingSet(engine: Engine, count: number): Promise<GpuDataset> {
  if (state.trainSet?.count === count) return state.trainSet;
  if (!state.trainData || state.trainData.count < count) {
    state.trainData = await loadMnistPart('train', count, (received, expected) => {
      fillList(el.trainStats, [['data', `fetching the first ${count} training images… ${percent(received / expected, 0)}`]]);
    });
  }
  const all = state.trainData;
  const subset: LabelledImages =
    all.count === count ? all : { images: all.images.subarray(0, count * MNIST_PIXELS), labels: all.labels.subarray(0, count), count };
  const previous = state.trainSet;
  state.trainSet = null;
  if (previous) disposeDataset(previous);
  state.trainSet = uploadDataset(engine, subset, `MNIST training images 0..${count - 1}`);
  return state.trainSet;
}

async function runTraining(): Promise<NonNullable<DemoResult['training']>> {
  const { engine, settings, testSet } = loaded();
  const spec = modelSpec(el.model.value);
  const epochs = Math.max(1, Math.min(50, Math.round(Number(el.epochs.value)) || 1));
  setBusy('train');
  state.stopRequested = false;
  el.trainProgress.value = 0;
  try {
    const trainSet = await trainingSet(engine, Number(el.trainCount.value));
    fillList(el.trainStats, [['stage', `${spec.name}: compiling kernels, first steps…`]]);
    let lastLoss = NaN;
    let lastError = NaN;
    const started = performance.now();
    const trained = await trainInPage(
      engine,
      trainSet,
      testSet,
      { spec, epochs, batch: settings.batch, evaluationLimit: settings.evaluationLimit, reportEvery: settings.reportEvery, seed: 1 },
      (p, stage) => {
        lastLoss = p.loss;
        if (p.testError !== undefined) lastError = p.testError;
        el.trainProgress.value = (p.epoch - 1 + p.step / p.stepsPerEpoch) / p.epochs;
        fillList(el.trainStats, [
          ['stage', `${spec.name}, ${stage}`],
          ['epoch', `${p.epoch} / ${p.epochs}, step ${p.step} / ${p.stepsPerEpoch}`],
          ['loss', p.loss.toFixed(4)],
          ['examples/s', Math.round(p.examplesPerSecond).toLocaleString('en')],
          ['test error', Number.isNaN(lastError) ? 'after the first epoch' : `${percent(lastError)} (${Math.min(settings.evaluationLimit, testSet.count)} test images)`],
          ['elapsed', seconds((performance.now() - started) / 1000)],
        ]);
      },
      () => state.stopRequested,
    );
    state.model?.dispose();
    state.model = trained.model;
    el.trainProgress.value = 1;
    fillList(el.trainStats, [
      ['model', `${spec.name}, trained on ${trainSet.count} images`],
      ['loss', lastLoss.toFixed(4)],
      ['training error', `${percent(trained.trainError.errorRate)} (${trained.trainError.count} images)`],
      ['test error', `${percent(trained.testError.errorRate)} (${trained.testError.count} test images)`],
      ['examples/s', Math.round(trained.examplesPerSecond).toLocaleString('en')],
      ['time', seconds(trained.seconds)],
    ]);
    return { model: spec.name, images: trainSet.count, loss: lastLoss, testError: trained.testError.errorRate, examplesPerSecond: trained.examplesPerSecond };
  } finally {
    setBusy(null);
    void refreshVerdicts();
  }
}

/** Mark the digits of the picker's page that the model misreads (skipped while training swaps models). */
async function refreshVerdicts(): Promise<void> {
  const { loaded: page, model } = state;
  if (!page || !model || state.busy === 'train') return;
  const start = page.picker.pageStart;
  const verdicts = await classify(model, page.picker.pageImages());
  if (page.picker.pageStart === start && state.model === model) page.picker.showVerdicts(verdicts);
}

// ---------------------------------------------------------------- the search

function budget(): SearchBudget {
  return BUDGETS[el.budget.value as keyof typeof BUDGETS] ?? BUDGETS.quick;
}

async function runAttack(): Promise<NonNullable<DemoResult['attack']>> {
  const { test, picker } = loaded();
  const model = trainedModel();
  const { selected: index, target, label } = picker;
  setBusy('attack');
  try {
    el.attackStatus.textContent = `Searching a blind spot: test image ${index} (a ${label}) → ${target}…`;
    const report = await searchBlindSpots(model, test, [index], [target], budget(), (p) => {
      el.attackStatus.textContent = `Searching… ${p.rounds} GPU passes, ${seconds(p.seconds)}`;
    });
    const result = report.images[0];
    const example = result.examples[0];
    const [originalVerdict] = await classify(model, testImage(test, index));
    const adversarialVerdict = example?.adversarial ? (await classify(model, example.adversarial))[0] : null;
    showSingle(el.singleResult, el.singleStats, test, index, result, originalVerdict, adversarialVerdict, report);
    el.attackStatus.textContent = `Done in ${seconds(report.seconds)}.`;
    return {
      image: index,
      label,
      target,
      success: example?.success ?? false,
      distortion: example?.distortion ?? NaN,
      c: example?.c ?? NaN,
      prediction: adversarialVerdict?.label ?? null,
    };
  } finally {
    setBusy(null);
  }
}

async function runBatch(seed: number): Promise<NonNullable<DemoResult['batch']>> {
  const { test } = loaded();
  const model = trainedModel();
  const indices = Array.from(permutation(test.count, createRng(seed)).subarray(0, Math.min(10, test.count)));
  setBusy('attack');
  try {
    el.batchStatus.textContent = `Searching ${indices.length} digits, one random wrong target each (seed ${seed})…`;
    const report = await searchBlindSpots(model, test, indices, { random: seed }, budget(), (p) => {
      el.batchStatus.textContent = `${p.problemsDone} / ${p.problems} searches done, ${p.successes} found, ${p.rounds} GPU passes, ${seconds(p.seconds)}`;
    });
    const found = report.images.map((r) => r.examples[0]?.adversarial ?? null);
    const images = found.filter((a): a is Float32Array => a !== null);
    const packed = new Float32Array(images.length * MNIST_PIXELS);
    images.forEach((a, k) => packed.set(a, k * MNIST_PIXELS));
    const verdicts = images.length ? await classify(model, packed, images.length) : [];
    let next = 0;
    showBatch(el.batchResult, test, report, indices, found.map((a) => (a ? verdicts[next++] : null)));
    el.batchLegend.hidden = false;
    const searches = report.images.reduce((n, r) => n + r.examples.length, 0);
    el.batchStatus.textContent =
      `${report.successes} of ${report.attacked} attacked digits fooled (${report.misclassifiedBefore} already misread, skipped); ` +
      `${searches} searches shared ${report.rounds} GPU passes (${report.evaluations} objective evaluations) in ${seconds(report.seconds)}.`;
    return { images: indices.length, attacked: report.attacked, successes: report.successes, rounds: report.rounds, evaluations: report.evaluations };
  } finally {
    setBusy(null);
  }
}

// ---------------------------------------------------------------- wiring

/** Run a button's work, showing its error in the banner instead of losing it in the console. */
function guarded(work: () => Promise<unknown>): () => void {
  return () => {
    clearError();
    work().catch((error) => {
      if (error instanceof TrainingStopped) {
        fillList(el.trainStats, [['stopped', state.model ? 'training stopped; the previous model is kept' : 'training stopped']]);
      } else {
        showError(error);
      }
    });
  };
}

el.trainForm.addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(runTraining)();
});
el.stop.addEventListener('click', () => (state.stopRequested = true));
el.attack.addEventListener('click', guarded(runAttack));
el.batch.addEventListener('click', guarded(() => runBatch(crypto.getRandomValues(new Uint32Array(1))[0])));

/** The unattended path: a few training steps, one search, one batch, with the budgets of `?smoke=1`. */
async function smoke(ready: Promise<Loaded>): Promise<DemoResult> {
  const { engine, test, picker } = await ready;
  const training = await runTraining();
  // The first digit from the picker's second page on that the model reads correctly (a misread one is
  // not attacked); not image 0, so the page must keep test-set and batch indices apart.
  const verdicts = await classify(trainedModel(), test.images, test.count);
  const index = verdicts.findIndex((v, i) => i >= 20 && v.label === test.labels[i]);
  if (index < 0) throw new Error(`the model misreads test digits 20..${test.count - 1}; nothing to attack`);
  picker.select(index);
  picker.chooseTarget((picker.label + 1) % MNIST_CLASSES);
  const attack = await runAttack();
  const batch = await runBatch(1);
  return { ok: true, seconds: 0, adapter: engine.adapter.description || `${engine.adapter.vendor} ${engine.adapter.architecture}`, training, attack, batch };
}

const pageStarted = performance.now();
const ready = start();
ready.catch((error) => {
  el.engineStatus.textContent = 'The demo cannot run here.';
  showError(error);
});
if (smokeRequested(new URLSearchParams(location.search))) {
  smoke(ready)
    .catch((error): DemoResult => {
      showError(error);
      return { ok: false, seconds: 0, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    })
    .then((result) => (window.__demoResult = { ...result, seconds: (performance.now() - pageStarted) / 1000 }));
}
