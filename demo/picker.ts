/** Choosing a test digit: a strip of thumbnails, paged, marked where the model misreads them. */
import { data } from 'blindspot';
import type { Verdict } from './blindspots.ts';
import { digitCanvas } from './canvas.ts';
import { byId } from './ui.ts';

const { MNIST_PIXELS } = data;

const PAGE_SIZE = 20;

/** The picker of section 2; owns #picker-strip and #picker-index. */
export class DigitPicker {
  /** Index of the chosen test image. */
  selected = 0;
  private verdicts: Verdict[] | null = null;
  private readonly strip = byId('picker-strip');
  private readonly index = byId<HTMLInputElement>('picker-index');

  /**
   * @param test The test images the user picks from.
   * @param onPage Called when another page of thumbnails shows, so the owner can classify it.
   * @param onSelect Called when the selection changes.
   */
  constructor(
    private readonly test: data.LabelledImages,
    private readonly onPage: () => void,
    private readonly onSelect: () => void,
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

  /** The pixels of the selected image (a view). */
  get image(): Float32Array {
    return this.test.images.subarray(this.selected * MNIST_PIXELS, (this.selected + 1) * MNIST_PIXELS);
  }

  /** Choose test image `index`, moving to its page. */
  select(index: number): void {
    const pageChanged = index - (index % PAGE_SIZE) !== this.pageStart;
    this.selected = index;
    this.index.value = String(index);
    if (pageChanged) {
      this.verdicts = null;
      this.renderStrip();
      this.onPage();
    } else {
      this.markSelection();
    }
    this.onSelect();
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
        button.append(digitCanvas(this.test.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS), 1.5, 'thumbnail', `test image ${index}`), document.createElement('span'));
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
}
