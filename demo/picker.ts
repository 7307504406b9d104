/** Choosing a test digit (a strip of thumbnails, paged) and a wrong target label for it. */
import type { LabelledImages } from '../src/data/idx.ts';
import { MNIST_CLASSES, MNIST_PIXELS } from '../src/data/idx.ts';
import type { Verdict } from './blindspots.ts';
import { digitCanvas } from './canvas.ts';
import { byId } from './ui.ts';

const PAGE_SIZE = 20;

/** The picker of section 3; owns #picker-strip, #picker-index and #targets. */
export class DigitPicker {
  /** Index of the chosen test image. */
  selected = 0;
  /** The chosen target label (never the selected image's own). */
  target = 1;
  private verdicts: Verdict[] | null = null;
  private readonly strip = byId('picker-strip');
  private readonly index = byId<HTMLInputElement>('picker-index');
  private readonly targets = byId('targets');

  /**
   * @param test The test images the user picks from.
   * @param onPage Called when another page of thumbnails shows, so the owner can classify it.
   */
  constructor(
    private readonly test: LabelledImages,
    private readonly onPage: () => void,
  ) {
    this.index.max = String(test.count - 1);
    byId('picker-prev').addEventListener('click', () => this.select(Math.max(0, this.pageStart - PAGE_SIZE)));
    byId('picker-next').addEventListener('click', () => this.select(Math.min(test.count - 1, this.pageStart + PAGE_SIZE)));
    this.index.addEventListener('change', () => {
      const value = Math.round(Number(this.index.value));
      this.select(Number.isFinite(value) ? Math.min(test.count - 1, Math.max(0, value)) : this.selected);
    });
    this.index.value = '0';
    this.renderStrip();
    this.renderTargets();
  }

  /** True label of the selected image. */
  get label(): number {
    return this.test.labels[this.selected];
  }

  /** First index of the page holding the selection. */
  get pageStart(): number {
    return this.selected - (this.selected % PAGE_SIZE);
  }

  /** Indices shown on the current page. */
  pageIndices(): number[] {
    const end = Math.min(this.test.count, this.pageStart + PAGE_SIZE);
    return Array.from({ length: end - this.pageStart }, (_, k) => this.pageStart + k);
  }

  /** Pixels of the current page, for classifying it in one pass. */
  pageImages(): Float32Array {
    const indices = this.pageIndices();
    return this.test.images.subarray(indices[0] * MNIST_PIXELS, (indices[indices.length - 1] + 1) * MNIST_PIXELS);
  }

  /** Choose test image `index`, moving to its page; keeps the target unless it is now the true label. */
  select(index: number): void {
    const pageChanged = index - (index % PAGE_SIZE) !== this.pageStart;
    this.selected = index;
    this.index.value = String(index);
    if (this.target === this.label) this.target = (this.label + 1) % MNIST_CLASSES;
    if (pageChanged) {
      this.verdicts = null;
      this.renderStrip();
      this.onPage();
    } else {
      this.markSelection();
    }
    this.renderTargets();
  }

  /** Choose the target label; the true label is refused. */
  chooseTarget(target: number): void {
    if (target === this.label) throw new Error(`the target ${target} is the digit's own label; choose a wrong label`);
    this.target = target;
    this.renderTargets();
  }

  /** The model's answers for the current page (null: no model yet); misclassified digits are marked. */
  showVerdicts(verdicts: Verdict[] | null): void {
    this.verdicts = verdicts;
    // Updated in place: replacing the buttons would swallow a click that lands as the verdicts arrive.
    Array.from(this.strip.children).forEach((button, k) => this.decorate(button as HTMLButtonElement, k));
  }

  private renderStrip(): void {
    this.strip.replaceChildren(
      ...this.pageIndices().map((index, k) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'thumb';
        button.dataset.index = String(index);
        button.append(digitCanvas(this.test.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS), 2), document.createElement('span'));
        button.addEventListener('click', () => this.select(index));
        this.decorate(button, k);
        return button;
      }),
    );
    this.markSelection();
  }

  private decorate(button: HTMLButtonElement, k: number): void {
    const index = Number(button.dataset.index);
    const label = this.test.labels[index];
    const verdict = this.verdicts?.[k];
    const wrong = verdict !== undefined && verdict.label !== label;
    button.title = `test image ${index}: a ${label}${verdict ? `, the model says ${verdict.label}` : ''}`;
    button.classList.toggle('wrong', wrong);
    button.lastElementChild!.textContent = wrong ? `${label}→${verdict.label}` : String(label);
  }

  private markSelection(): void {
    for (const child of Array.from(this.strip.children)) {
      (child as HTMLElement).classList.toggle('selected', (child as HTMLElement).dataset.index === String(this.selected));
    }
  }

  private renderTargets(): void {
    this.targets.replaceChildren(
      ...Array.from({ length: MNIST_CLASSES }, (_, k) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = String(k);
        button.disabled = k === this.label;
        button.title = k === this.label ? 'the true label' : `make the model read ${k}`;
        button.classList.toggle('selected', k === this.target);
        button.addEventListener('click', () => this.chooseTarget(k));
        return button;
      }),
    );
  }
}
