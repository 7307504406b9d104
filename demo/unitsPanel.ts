/**
 * Property 1 on the page: the top test images of one unit of a chosen layer beside those of a random
 * direction of the same layer (the paper's Figs. 1 and 2), with how many of each share a label. The
 * top images of every unit and of a few random directions come from one streaming pass
 * (analysis.topImagesByLayer) over the first test images; stepping through units and directions then
 * only repaints.
 */
import { analysis, data, nn } from 'blindspot';
import { digitCanvas } from './canvas.ts';
import { byId } from './ui.ts';

/** Top images per unit or direction, as in the paper's figures. */
const K = 9;
/** Random directions drawn per layer (stepped through with "another direction"). */
const DIRECTIONS = 16;
const DIRECTION_SEED = 1;

interface LayerResult {
  model: nn.Model;
  layer: number;
  top: analysis.LayerTopImages;
  /** Units whose top-k is decided (the k-th image is above the unit's minimum). */
  decided: number[];
}

export class UnitsPanel {
  private readonly layerSelect = byId<HTMLSelectElement>('units-layer');
  private readonly unitInput = byId<HTMLInputElement>('units-unit');
  private readonly status = byId('units-status');
  private readonly result = byId('units-result');
  private model: nn.Model | null = null;
  private computed: LayerResult | null = null;
  private direction = 0;

  /** @param test The images ranked: the first test images. */
  constructor(private readonly test: data.LabelledImages) {
    byId('units-images').textContent = test.count.toLocaleString('en');
    byId('units-directions').textContent = `${DIRECTIONS} of them, seed ${DIRECTION_SEED}`;
    this.layerSelect.addEventListener('change', () => this.resetUnit());
  }

  /** Offer the hidden layers of `model` (the last hidden one chosen, the layer the paper's figures probe). */
  setModel(model: nn.Model): void {
    this.model = model;
    this.computed = null;
    const hidden = model.spec.layers.length - 1;
    this.layerSelect.replaceChildren(
      ...Array.from({ length: hidden }, (_, layer) => new Option(`${layer}: ${analysis.describeLayer(model.spec, layer)}`, String(layer), false, layer === hidden - 1)),
    );
    this.resetUnit();
    this.result.replaceChildren();
    this.status.textContent = '';
  }

  /** Rank the images for the chosen layer (once per model and layer) and show the chosen unit and direction. */
  async show(): Promise<void> {
    const model = this.model;
    if (!model) throw new Error('Property 1: no network loaded yet');
    const layer = Number(this.layerSelect.value);
    const units = this.unitCount(layer);
    const unit = Math.round(Number(this.unitInput.value));
    if (!(unit >= 0 && unit < units)) throw new Error(`Property 1: layer ${layer} has units 0–${units - 1}, not ${this.unitInput.value}`);
    if (this.computed?.model !== model || this.computed.layer !== layer) {
      this.status.textContent = `Ranking ${this.test.count.toLocaleString('en')} test images by each of ${units.toLocaleString('en')} units and ${DIRECTIONS} random directions…`;
      const started = performance.now();
      const probe = { layer, directions: analysis.randomDirections(units, DIRECTIONS, DIRECTION_SEED), count: DIRECTIONS };
      const [top] = await analysis.topImagesByLayer(model, this.test.images, [probe], { k: K, batch: 500 });
      this.computed = { model, layer, top, decided: analysis.decidedColumns(top.units, `layer ${layer}`) };
      this.status.textContent = `Ranked in ${((performance.now() - started) / 1000).toFixed(1)} s. ${this.computed.decided.length} of ${units} units have ${K} top images above their minimum.`;
    }
    this.render(unit);
  }

  /** A random unit whose top images are decided, then show it. */
  async nextUnit(): Promise<void> {
    if (!this.computed) await this.show();
    const decided = this.computed!.decided;
    if (decided.length === 0) throw new Error('Property 1: no unit of this layer has a decided top 9 on these images');
    this.unitInput.value = String(decided[Math.floor(Math.random() * decided.length)]);
    await this.show();
  }

  /** The next random direction, then show it. */
  async nextDirection(): Promise<void> {
    this.direction = (this.direction + 1) % DIRECTIONS;
    await this.show();
  }

  private unitCount(layer: number): number {
    return nn.layerOutputShapes(this.model!.spec)[layer].reduce((p, d) => p * d, 1);
  }

  private resetUnit(): void {
    const layer = Number(this.layerSelect.value);
    this.unitInput.max = String(this.unitCount(layer) - 1);
    this.unitInput.value = '0';
    this.direction = 0;
  }

  private render(unit: number): void {
    const { top, layer } = this.computed!;
    const shape = top.shape;
    const where = shape.length === 3 ? ` (channel ${Math.floor(unit / (shape[1] * shape[2]))}, row ${Math.floor(unit / shape[2]) % shape[1]}, column ${unit % shape[2]})` : '';
    const undecided = !this.computed!.decided.includes(unit);
    this.result.replaceChildren(
      this.row(top.units, unit, `unit ${unit} of layer ${layer}${where}`, undecided ? ` — undecided: fewer than ${K} images raise it above its minimum, so these are the first images by index` : ''),
      this.row(top.directions, this.direction, `random direction ${this.direction + 1} of ${DIRECTIONS}`, ''),
    );
  }

  /** One column's top images, 3 × 3 as in the paper's figures, with their labels and how many share one. */
  private row(top: analysis.TopImages, column: number, title: string, note: string): HTMLElement {
    const indices = Array.from(top.indices.subarray(column * top.k, (column + 1) * top.k));
    const labels = indices.map((i) => this.test.labels[i]);
    const shared = Math.round(analysis.labelPurity(labels) * labels.length);
    const row = document.createElement('div');
    row.className = 'top-row';
    const heading = document.createElement('p');
    heading.textContent = `${title}: ${shared} of ${labels.length} share a label${note}`;
    const images = document.createElement('div');
    images.className = 'top-grid';
    images.append(
      ...indices.map((index, rank) => {
        const figure = document.createElement('figure');
        const caption = document.createElement('figcaption');
        caption.textContent = String(labels[rank]);
        const pixels = this.test.images.subarray(index * data.MNIST_PIXELS, (index + 1) * data.MNIST_PIXELS);
        figure.append(digitCanvas(pixels, 1.75, 'top-image', `test image ${index}, a ${labels[rank]}`), caption);
        figure.dataset.index = String(index);
        return figure;
      }),
    );
    row.append(heading, images);
    return row;
  }
}
