/**
 * "Train one in this page": the form (model, training images, epochs — or iterations for a model trained
 * with L-BFGS), the MNIST training prefix fetched and put on the GPU, progress while it trains, and the
 * statistics of the last run, which stay on the page when it is stopped.
 */
import { nn, type data, type Engine } from 'blindspot';
import { loadMnistPart } from './mnist.ts';
import { pageTraining, TRAIN_COUNTS, type PageTraining } from './settings.ts';
import { describePageTraining, supervisedOptimizer, trainInPage, TrainingStopped, type TrainedModel } from './training.ts';
import { byId, fillList, percent, seconds } from './ui.ts';

/** A model trained here, with what to say about it. */
export interface PageTrainedModel extends TrainedModel {
  spec: nn.ModelSpec;
  settings: PageTraining;
}

export class TrainingPanel {
  readonly form = byId<HTMLFormElement>('train-form');
  private readonly model = byId<HTMLSelectElement>('train-model');
  private readonly count = byId<HTMLSelectElement>('train-count');
  private readonly lengthLabel = byId('train-length-label');
  private readonly length = byId<HTMLInputElement>('train-length');
  private readonly train = byId<HTMLButtonElement>('train');
  private readonly stop = byId<HTMLButtonElement>('stop');
  private readonly description = byId('train-description');
  private readonly progress = byId<HTMLProgressElement>('train-progress');
  private readonly stats = byId('train-stats');
  /** The last statistics shown, kept for a stopped run. */
  private lastStats: [string, string][] = [];
  private stopRequested = false;
  /** The largest training prefix fetched so far (smaller subsets are views of it) and what is on the GPU. */
  private trainData: data.LabelledImages | null = null;
  private trainSet: nn.GpuDataset | null = null;
  private testSet: nn.GpuDataset | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly test: data.LabelledImages,
  ) {
    this.model.replaceChildren(...nn.ZOO.map((spec) => new Option(spec.name, spec.name)));
    this.model.value = 'FC100-100-10';
    this.count.replaceChildren(...TRAIN_COUNTS.map((n) => new Option(n.toLocaleString('en'), String(n))));
    this.model.addEventListener('change', () => this.showDefaults());
    this.length.addEventListener('change', () => this.describe());
    this.stop.addEventListener('click', () => (this.stopRequested = true));
    this.showDefaults();
  }

  /** Enable the form's controls for the page's state. */
  setState(ready: boolean, training: boolean): void {
    this.train.disabled = !ready || training;
    this.stop.disabled = !training;
    for (const control of [this.model, this.count, this.length]) control.disabled = training;
  }

  /**
   * Train the chosen model with the chosen settings.
   * @throws TrainingStopped when Stop was pressed (the statistics so far stay on the page).
   */
  async run(): Promise<PageTrainedModel> {
    const spec = nn.modelSpec(this.model.value);
    const settings = this.settings(spec);
    const lbfgs = supervisedOptimizer(spec, settings) === 'lbfgs';
    this.stopRequested = false;
    this.progress.value = 0;
    try {
      const trainSet = await this.trainingSet(settings.images);
      this.testSet ??= nn.uploadDataset(this.engine, this.test, 'MNIST test set');
      this.show([['stage', `${spec.name}: compiling kernels, first steps…`]]);
      const started = performance.now();
      let testError = 'after the first epoch';
      const trained = await trainInPage(
        this.engine,
        spec,
        settings,
        trainSet,
        this.testSet,
        (p, stage) => {
          if (p.testError !== undefined) testError = `${percent(p.testError)} (${Math.min(settings.testImages, this.test.count).toLocaleString('en')} test images)`;
          const autoencoder = stage === 'autoencoder';
          this.progress.value = autoencoder ? 0 : lbfgs ? p.epoch / p.epochs : (p.epoch - 1 + p.step / p.stepsPerEpoch) / p.epochs;
          this.show([
            ['stage', autoencoder ? 'the sparse autoencoder (no labels)' : lbfgs ? 'full-batch L-BFGS' : 'SGD with momentum'],
            lbfgs && !autoencoder ? ['iteration', `${p.epoch} / ${p.epochs}`] : ['epoch', `${p.epoch} / ${p.epochs}, step ${p.step} / ${p.stepsPerEpoch}`],
            ['loss', p.loss.toFixed(4)],
            ['test error', autoencoder ? 'after the supervised stage' : testError],
            ['examples/s', Math.round(p.examplesPerSecond).toLocaleString('en')],
            ['elapsed', seconds((performance.now() - started) / 1000)],
          ]);
        },
        () => this.stopRequested,
      );
      this.progress.value = 1;
      this.show([
        ['model', `${spec.name}, trained on ${trainSet.count.toLocaleString('en')} images`],
        ['test error', `${percent(trained.testError.errorRate)} (${trained.testError.count.toLocaleString('en')} test images)`],
        ['training error', `${percent(trained.trainError.errorRate)} (${trained.trainError.count.toLocaleString('en')} training images)`],
        ['examples/s', Math.round(trained.examplesPerSecond).toLocaleString('en')],
        ['time', seconds(trained.seconds)],
      ]);
      return { ...trained, spec, settings };
    } catch (error) {
      if (error instanceof TrainingStopped) this.show([...this.lastStats, ['stopped', 'by you; the network in use is unchanged']]);
      throw error;
    }
  }

  /** The settings the form shows, checked. */
  private settings(spec: nn.ModelSpec): PageTraining {
    const length = Math.round(Number(this.length.value));
    const max = Number(this.length.max);
    if (!(length >= 1 && length <= max)) throw new Error(`${this.lengthLabel.textContent} must be a whole number from 1 to ${max}, not '${this.length.value}'`);
    const images = Number(this.count.value);
    if (!TRAIN_COUNTS.includes(images)) throw new Error(`choose how many training images, one of ${TRAIN_COUNTS.join(', ')}`);
    return { ...pageTraining(spec), images, length };
  }

  /** The chosen model's defaults in the form. */
  private showDefaults(): void {
    const spec = nn.modelSpec(this.model.value);
    const defaults = pageTraining(spec);
    // The field counts what SGD or L-BFGS does; for AE400-10, the autoencoder's epochs.
    const lbfgs = spec.training.optimizer === 'lbfgs';
    this.lengthLabel.textContent = lbfgs ? 'Iterations' : defaults.softmaxIterations ? 'Autoencoder epochs' : 'Epochs';
    this.length.max = lbfgs ? '500' : '50';
    this.length.value = String(defaults.length);
    this.count.value = String(defaults.images);
    this.describe();
  }

  private describe(): void {
    const spec = nn.modelSpec(this.model.value);
    const length = Math.round(Number(this.length.value)) || 1;
    this.description.textContent = `${spec.description}. ${describePageTraining(spec, { ...pageTraining(spec), length })}`;
  }

  private show(entries: [string, string][]): void {
    this.lastStats = entries.filter(([term]) => term !== 'stopped');
    fillList(this.stats, entries);
  }

  /** The first `count` training images on the GPU, fetched as far as needed. */
  private async trainingSet(count: number): Promise<nn.GpuDataset> {
    if (this.trainSet?.count === count) return this.trainSet;
    if (!this.trainData || this.trainData.count < count) {
      this.trainData = await loadMnistPart('train', count, (received, expected) => {
        this.show([['data', `fetching the first ${count.toLocaleString('en')} training images… ${percent(received / expected, 0)}`]]);
      });
    }
    const all = this.trainData;
    const pixels = all.images.length / all.count;
    const subset = all.count === count ? all : { images: all.images.subarray(0, count * pixels), labels: all.labels.subarray(0, count), count };
    if (this.trainSet) nn.disposeDataset(this.trainSet);
    this.trainSet = null;
    this.trainSet = nn.uploadDataset(this.engine, subset, `MNIST training images 0..${count - 1}`);
    return this.trainSet;
  }
}
