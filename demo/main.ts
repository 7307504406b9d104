/**
 * The demo page: blindspot embedded as an application embeds it, through the package's public entry only.
 * It starts from the trained zoo — the MNIST test set and a checkpoint fetched, the nine blind spots of
 * the first test digit searched at once — and then lets the user pick or draw a digit, search ten digits
 * at once, compare units with random directions (Property 1) or train a network here.
 *
 * Every status line carries `data-state` (running, done, error) for demo/demo.check.mjs, which drives
 * the page like a user and checks what it shows against its own pixels.
 */
import { analysis, data, Engine, nn } from 'blindspot';
import { BUDGETS, classify, searchBlindSpots, type SearchBudget, type ShownSearch } from './blindspots.ts';
import { paintDigit } from './canvas.ts';
import { DrawingPad } from './drawingPad.ts';
import { MNIST_COUNTS, loadMnistPart } from './mnist.ts';
import { mnistDigit } from './mnistDigit.ts';
import { DigitPicker } from './picker.ts';
import { quantize8 } from './pixels.ts';
import { says, showCards, showNine } from './results.ts';
import { requestedCheckpoint, UNITS_IMAGES } from './settings.ts';
import { listTrainedZoo, loadTrainedModel } from './trainedZoo.ts';
import { TrainingPanel, type PageTrainedModel } from './trainingPanel.ts';
import { describePageTraining, TrainingStopped } from './training.ts';
import { byId, clearError, fillList, percent, seconds, showError } from './ui.ts';
import { UnitsPanel } from './unitsPanel.ts';

/** What the page holds once it has started. */
interface Page {
  engine: Engine;
  test: data.LabelledImages;
  zoo: nn.TrainingRecord[];
  picker: DigitPicker;
  pad: DrawingPad;
  training: TrainingPanel;
  units: UnitsPanel;
}

/** The network in use: a checkpoint of the trained zoo, or the one trained in this page. */
interface Network {
  model: nn.Model;
  /** The model select's value: a checkpoint file, or HERE. */
  key: string;
  facts: [string, string][];
}

const HERE = 'trained-here';

const state = {
  page: null as Page | null,
  network: null as Network | null,
  trainedHere: null as Network | null,
  busy: null as 'load' | 'train' | 'search' | 'units' | null,
  source: 'test' as 'test' | 'draw',
};

const el = {
  engineStatus: byId('engine-status'),
  adapter: byId('adapter'),
  model: byId<HTMLSelectElement>('model'),
  modelFacts: byId('model-facts'),
  sourceTest: byId<HTMLButtonElement>('source-test'),
  sourceDraw: byId<HTMLButtonElement>('source-draw'),
  testSource: byId('test-source'),
  drawSource: byId('draw-source'),
  pad: byId<HTMLCanvasElement>('pad'),
  padPreview: byId<HTMLCanvasElement>('pad-preview'),
  padReading: byId('pad-reading'),
  budget: byId<HTMLSelectElement>('budget'),
  attack: byId<HTMLButtonElement>('attack'),
  attackStatus: byId('attack-status'),
  spots: byId('spots'),
  spotDetail: byId('spot-detail'),
  batch: byId<HTMLButtonElement>('batch'),
  batchStatus: byId('batch-status'),
  batchResult: byId('batch-result'),
  unitsShow: byId<HTMLButtonElement>('units-show'),
  unitsNextUnit: byId<HTMLButtonElement>('units-next-unit'),
  unitsNextDirection: byId<HTMLButtonElement>('units-next-direction'),
  unitsStatus: byId('units-status'),
};

function loaded(): Page {
  if (!state.page) throw new Error('the page has not finished starting');
  return state.page;
}

function network(): nn.Model {
  if (!state.network) throw new Error('no network loaded yet');
  return state.network.model;
}

function setBusy(busy: typeof state.busy): void {
  state.busy = busy;
  // For the check: which job runs ('' when none).
  document.body.dataset.busy = busy ?? '';
  const idle = state.page !== null && busy === null;
  const usable = idle && state.network !== null;
  state.page?.training.setState(idle, busy === 'train');
  el.model.disabled = !idle;
  for (const button of [el.attack, el.batch, el.unitsShow, el.unitsNextUnit, el.unitsNextDirection]) button.disabled = !usable;
}

/** A status line with its state for the check: running, done or error. */
function status(element: HTMLElement, text: string, stateName: 'running' | 'done' | 'error'): void {
  element.textContent = text;
  element.dataset.state = stateName;
}

/**
 * Run one GPU job at a time: the controls are disabled meanwhile, and an error goes to the banner and to
 * the job's status line instead of the console.
 */
function exclusive(busy: NonNullable<typeof state.busy>, statusLine: HTMLElement | null, work: () => Promise<unknown>): () => void {
  return () => {
    if (state.busy !== null) return;
    clearError();
    setBusy(busy);
    work()
      .catch((error) => {
        if (statusLine) status(statusLine, error instanceof TrainingStopped ? 'Stopped.' : `Failed: ${error instanceof Error ? error.message : error}`, 'error');
        if (!(error instanceof TrainingStopped)) showError(error);
      })
      .finally(() => {
        setBusy(null);
        void refreshVerdicts();
      });
  };
}

// ---------------------------------------------------------------- startup

async function start(): Promise<void> {
  const engine = await Engine.create();
  // The engine owns the device and every buffer; freeing it is all the cleanup a page needs.
  window.addEventListener('pagehide', () => engine.dispose());
  // A page restored from the back-forward cache would hold a disposed engine.
  window.addEventListener('pageshow', (event) => event.persisted && location.reload());
  showAdapter(engine);
  status(el.engineStatus, 'Loading the MNIST test set and the trained zoo…', 'running');
  const [test, zoo] = await Promise.all([
    loadMnistPart('test', MNIST_COUNTS.test, (received, expected) => {
      status(el.engineStatus, `Loading the MNIST test set… ${percent(received / expected, 0)}`, 'running');
    }),
    listTrainedZoo(),
  ]);
  const checkpoint = requestedCheckpoint(new URLSearchParams(location.search), zoo);
  const unitsImages = { images: test.images.subarray(0, UNITS_IMAGES * data.MNIST_PIXELS), labels: test.labels.subarray(0, UNITS_IMAGES), count: UNITS_IMAGES };
  state.page = {
    engine,
    test,
    zoo,
    picker: new DigitPicker(test, () => void refreshVerdicts(), () => clearResults()),
    pad: new DrawingPad(el.pad, () => void previewDrawing()),
    training: new TrainingPanel(engine, test),
    units: new UnitsPanel(unitsImages),
  };
  fillModelSelect(checkpoint);
  await useCheckpoint(checkpoint);
  status(el.engineStatus, `Ready: ${test.count.toLocaleString('en')} test digits, ${zoo.length} trained networks.`, 'done');
  await findNine();
  document.body.dataset.firstBlindSpotMs = String(Math.round(performance.now()));
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

// ---------------------------------------------------------------- the network

const SET_NAMES: Record<string, string> = { full: 'all 60,000 training images', P1: 'P1, 30,000 training images', P2: 'P2, the other 30,000' };

function fillModelSelect(selected: string): void {
  const { zoo } = loaded();
  const group = document.createElement('optgroup');
  group.label = 'Trained zoo (models/)';
  group.append(...zoo.map((r) => new Option(`${r.model}${r.variant ? ` (${r.variant})` : ''}${r.set === 'full' ? '' : ` on ${r.set}`} — test error ${percent(r.testError)}`, r.checkpoint, false, r.checkpoint === selected)));
  el.model.replaceChildren(group);
  if (state.trainedHere) {
    const here = document.createElement('optgroup');
    here.label = 'Trained in this page';
    here.append(new Option(state.trainedHere.facts[0][1], HERE, false, selected === HERE));
    el.model.append(here);
  }
}

/** Load a checkpoint of the trained zoo and make it the network in use. */
async function useCheckpoint(file: string): Promise<void> {
  const { engine } = loaded();
  status(el.attackStatus, `Loading ${file}…`, 'running');
  const { model, meta } = await loadTrainedModel(engine, file);
  const record = meta.record;
  const spec = model.spec;
  setNetwork({
    model,
    key: file,
    facts: [
      ['network', `${spec.name}: ${spec.description}`],
      ['trained on', SET_NAMES[record?.set ?? ''] ?? meta.trainingSet],
      ['test error', record ? `${percent(record.testError)} (training error ${percent(record.trainError)})` : '—'],
      ['how', record ? (record.settings ?? describeOlderRecord(record)) : '—'],
      ['where', record ? `${record.adapter}, ${seconds(record.seconds)}, ${record.date.slice(0, 10)}` : '—'],
      ['checkpoint', `models/${file}`],
    ],
  });
  status(el.attackStatus, '', 'done');
}

/** How a record from before records carried their settings was trained (docs/training.md has the rest). */
function describeOlderRecord(record: nn.TrainingRecord): string {
  return record.optimizer === 'lbfgs'
    ? `full-batch L-BFGS, ${record.epochs} passes over the training set (settings: docs/training.md)`
    : `SGD with momentum, ${record.epochs} epochs (settings: docs/training.md)`;
}

/** Make `next` the network in use, freeing the previous one unless it is the one trained here. */
function setNetwork(next: Network): void {
  const previous = state.network;
  state.network = next;
  if (previous && previous !== next && previous !== state.trainedHere) previous.model.dispose();
  fillList(el.modelFacts, next.facts);
  loaded().units.setModel(next.model);
  clearResults();
  void refreshVerdicts();
}

/** Results of another digit or network are gone (a stale result would show another network's readings). */
function clearResults(): void {
  el.spots.replaceChildren();
  el.spotDetail.replaceChildren();
  el.batchResult.replaceChildren();
  status(el.attackStatus, '', 'done');
  status(el.batchStatus, '', 'done');
}

async function switchNetwork(): Promise<void> {
  const key = el.model.value;
  if (key === state.network?.key) return;
  try {
    if (key === HERE) setNetwork(state.trainedHere!);
    else await useCheckpoint(key);
  } catch (error) {
    // The network in use is unchanged: so is the select.
    el.model.value = state.network?.key ?? '';
    throw error;
  }
}

async function train(): Promise<void> {
  const trained: PageTrainedModel = await loaded().training.run();
  const { spec, settings } = trained;
  const previous = state.trainedHere;
  const inUse = state.network;
  const here: Network = {
    model: trained.model,
    key: HERE,
    facts: [
      ['network', `${spec.name} trained here on ${settings.images.toLocaleString('en')} images`],
      ['test error', `${percent(trained.testError.errorRate)} (${trained.testError.count.toLocaleString('en')} test images; training error ${percent(trained.trainError.errorRate)})`],
      ['how', `${describePageTraining(spec, settings)} ${seconds(trained.seconds)}.`],
    ],
  };
  state.trainedHere = here;
  // setNetwork frees the network in use, which may be the previous one trained here; else it is freed here.
  setNetwork(here);
  if (previous && previous !== inUse) previous.model.dispose();
  fillModelSelect(HERE);
}

/** Mark the digits of the picker's page that the network misreads (not while training swaps networks). */
async function refreshVerdicts(): Promise<void> {
  const { page, network: current } = state;
  if (!page || !current || state.busy === 'train') return;
  const start = page.picker.pageStart;
  const verdicts = await classify(current.model, page.picker.pageImages());
  if (page.picker.pageStart === start && state.network === current) page.picker.showVerdicts(verdicts);
}

// ---------------------------------------------------------------- blind spots

function budget(): SearchBudget {
  return BUDGETS[el.budget.value as keyof typeof BUDGETS] ?? BUDGETS.quick;
}

function chooseSource(source: 'test' | 'draw'): void {
  state.source = source;
  el.testSource.hidden = source !== 'test';
  el.drawSource.hidden = source !== 'draw';
  el.sourceTest.setAttribute('aria-selected', String(source === 'test'));
  el.sourceDraw.setAttribute('aria-selected', String(source === 'draw'));
  clearResults();
}

/** The drawn digit as the network sees it (8-bit), or null when nothing is drawn. */
function drawnDigit(): Float32Array | null {
  const { pad } = loaded();
  return pad.hasInk ? quantize8(mnistDigit(pad.ink())) : null;
}

/** Show the drawing as the network sees it, and (when no other job runs) its reading. */
async function previewDrawing(): Promise<void> {
  if (!state.page) return;
  const digit = drawnDigit();
  paintDigit(el.padPreview, digit ?? new Float32Array(data.MNIST_PIXELS));
  el.padReading.textContent = 'what the network sees';
  // A running search keeps its results and the GPU to itself; "Find" reads the drawing afresh anyway.
  if (state.busy !== null) return;
  if (state.source === 'draw') clearResults();
  if (!digit || !state.network) return;
  const [verdict] = await classify(state.network.model, digit);
  el.padReading.textContent = `what the network sees: it reads ${says(verdict)}`;
}

/** The nine blind spots of the chosen test digit or of the drawing. */
async function findNine(): Promise<void> {
  const model = network();
  const { picker, test } = loaded();
  let original: Float32Array;
  let label: number;
  let what: string;
  if (state.source === 'draw') {
    const digit = drawnDigit();
    if (!digit) throw new Error('draw a digit first');
    original = digit;
    label = (await classify(model, digit))[0].label;
    what = `your digit (read as ${label})`;
  } else {
    original = picker.image;
    label = test.labels[picker.selected];
    what = `test image ${picker.selected} (a ${label})`;
  }
  status(el.attackStatus, `Searching the nine blind spots of ${what}…`, 'running');
  const search = await searchBlindSpots(model, original, [label], { kind: 'all' }, budget(), (p) => {
    status(el.attackStatus, `Searching the nine blind spots of ${what}: ${p.problemsDone} of ${p.problems} done, ${p.rounds} GPU passes, ${seconds(p.seconds)}`, 'running');
  });
  showNine(el.spots, el.spotDetail, search);
  status(el.attackStatus, describeNine(search, what), 'done');
}

function describeNine(search: ShownSearch, what: string): string {
  const [image] = search.images;
  if (!image.attacked) return `The network already misreads ${what} as ${image.reading.label}.`;
  const found = image.spots.filter((s) => s.status === 'found').length;
  const minimum = image.minimum ? ` The smallest distortion: ${image.minimum.distortion.toFixed(4)}, read as ${image.minimum.target}.` : '';
  return `${found} of 9 found for ${what}; nine searches shared ${search.rounds} GPU passes, ${seconds(search.seconds)}.${minimum}`;
}

async function findTen(): Promise<void> {
  const model = network();
  const { test } = loaded();
  const seed = crypto.getRandomValues(new Uint32Array(1))[0];
  const indices = Array.from(analysis.randomSubsets(test.count, 1, 10, seed));
  const originals = new Float32Array(indices.length * data.MNIST_PIXELS);
  indices.forEach((index, k) => originals.set(test.images.subarray(index * data.MNIST_PIXELS, (index + 1) * data.MNIST_PIXELS), k * data.MNIST_PIXELS));
  status(el.batchStatus, `Searching test images ${indices.join(', ')}, a random wrong target each (seed ${seed})…`, 'running');
  const search = await searchBlindSpots(model, originals, indices.map((i) => test.labels[i]), { kind: 'random', seed }, budget(), (p) => {
    status(el.batchStatus, `${p.problemsDone} of ${p.problems} searches done, ${p.successes} found, ${p.rounds} GPU passes, ${seconds(p.seconds)}`, 'running');
  });
  showCards(el.batchResult, search);
  const attacked = search.images.filter((i) => i.attacked);
  const found = attacked.filter((i) => i.spots[0].status === 'found').length;
  const skipped = search.images.length - attacked.length;
  status(
    el.batchStatus,
    `${found} of ${attacked.length} digits fooled${skipped ? ` (${skipped} already misread, skipped)` : ''}; ` +
      `${attacked.length} searches shared ${search.rounds} GPU passes (${search.evaluations} objective evaluations), ${seconds(search.seconds)}.`,
    'done',
  );
}

// ---------------------------------------------------------------- wiring

const unitsJob = (work: (units: UnitsPanel) => Promise<void>) => exclusive('units', el.unitsStatus, () => work(loaded().units));

el.model.addEventListener('change', exclusive('load', el.attackStatus, switchNetwork));
byId('train-form').addEventListener('submit', (event) => {
  event.preventDefault();
  exclusive('train', null, train)();
});
el.sourceTest.addEventListener('click', () => chooseSource('test'));
el.sourceDraw.addEventListener('click', () => chooseSource('draw'));
byId('pad-clear').addEventListener('click', () => loaded().pad.clear());
el.attack.addEventListener('click', exclusive('search', el.attackStatus, findNine));
el.batch.addEventListener('click', exclusive('search', el.batchStatus, findTen));
el.unitsShow.addEventListener('click', unitsJob((units) => units.show()));
el.unitsNextUnit.addEventListener('click', unitsJob((units) => units.nextUnit()));
el.unitsNextDirection.addEventListener('click', unitsJob((units) => units.nextDirection()));

exclusive('load', el.attackStatus, async () => {
  try {
    await start();
  } catch (error) {
    status(el.engineStatus, 'The demo cannot run here.', 'error');
    throw error;
  }
})();
