/**
 * Platform-free rasterisation of figure grids in the style of the paper's adversarial-example
 * figures (original, adversarial, magnified difference side by side): greyscale MNIST tiles upscaled with nearest
 * neighbour, separated by gaps, with optional captions under tiles and titles above columns.
 * The Node PNG writer is in png.node.ts; the browser can paint the same pixels onto a canvas.
 */
import { GLYPH_HEIGHT, drawText, textWidth } from './font.ts';
import { MNIST_PIXELS, MNIST_SIDE } from '../data/idx.ts';

/** One image in a grid: 28×28 row-major values in [0, 1] (outside values are clipped, NaN shows black). */
export interface GridTile {
  pixels: Float32Array;
  caption?: string;
}

/** A grid to draw; rows may differ in length and `null` leaves a cell empty. */
export interface ImageGridSpec {
  rows: Array<Array<GridTile | null>>;
  /** Integer upscaling factor for tiles; default 3. */
  scale?: number;
  /** Text drawn above each column. */
  columnTitles?: string[];
  /** Text drawn left of each row, left-aligned in a column of its own and level with the row's tiles' middle. */
  rowTitles?: string[];
  /** Blank pixels between tiles and around the border; default 4. */
  gap?: number;
  /** Integer upscaling factor for captions and titles (the font is 5×7 pixels); default 1. */
  textScale?: number;
}

/** Where a tile landed in the rendered image. */
export interface TilePlacement {
  row: number;
  col: number;
  x: number;
  y: number;
  /** Side length of the drawn (upscaled) tile. */
  size: number;
}

/** A rendered greyscale image, one byte per pixel, row-major; 0 = black, 255 = white. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array<ArrayBuffer>;
  tiles: TilePlacement[];
}

const BACKGROUND = 255;
const INK = 0;
// Space between a tile and its caption, and between a column title and the tiles.
const TEXT_GAP = 2;

const toByte = (v: number): number => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0);

/**
 * Lays out and rasterises a grid. Columns are as wide as their widest tile, caption or title,
 * tiles and text are centred in their column, and a row only reserves caption space when one
 * of its tiles has a caption.
 * @throws Error if a tile does not hold 28×28 values or `scale`/`gap` are invalid.
 */
export function renderImageGrid(spec: ImageGridSpec): GreyImage {
  const scale = spec.scale ?? 3;
  const gap = spec.gap ?? 4;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`renderImageGrid: scale must be a positive integer, got ${scale}`);
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`renderImageGrid: gap must be a non-negative integer, got ${gap}`);
  const textScale = spec.textScale ?? 1;
  if (!Number.isInteger(textScale) || textScale < 1) throw new Error(`renderImageGrid: textScale must be a positive integer, got ${textScale}`);
  const textHeight = GLYPH_HEIGHT * textScale;
  const measure = (text: string): number => textWidth(text, textScale);
  const titles = spec.columnTitles ?? [];
  const side = MNIST_SIDE * scale;
  const columns = Math.max(titles.length, ...spec.rows.map((r) => r.length), 0);

  const colWidth = new Array<number>(columns).fill(side);
  titles.forEach((t, c) => (colWidth[c] = Math.max(colWidth[c], measure(t))));
  spec.rows.forEach((row, r) =>
    row.forEach((tile, c) => {
      if (tile === null) return;
      if (tile.pixels.length !== MNIST_PIXELS) {
        throw new Error(`renderImageGrid: tile at row ${r}, column ${c} has ${tile.pixels.length} values, expected ${MNIST_PIXELS} (28×28)`);
      }
      if (tile.caption) colWidth[c] = Math.max(colWidth[c], measure(tile.caption));
    }),
  );
  const rowTitles = spec.rowTitles ?? [];
  const rowTitleWidth = Math.max(0, ...rowTitles.map(measure));
  const colX: number[] = [];
  let width = gap + (rowTitleWidth > 0 ? rowTitleWidth + gap : 0);
  for (const w of colWidth) {
    colX.push(width);
    width += w + gap;
  }

  const titleBand = titles.some((t) => t.length > 0) ? textHeight + TEXT_GAP : 0;
  const rowY: number[] = [];
  let height = gap + titleBand;
  for (const row of spec.rows) {
    rowY.push(height);
    const captioned = row.some((t) => t !== null && !!t.caption);
    height += side + (captioned ? TEXT_GAP + textHeight : 0) + gap;
  }

  const data = new Uint8Array(width * height).fill(BACKGROUND);
  titles.forEach((t, c) => drawText(data, width, height, colX[c] + ((colWidth[c] - measure(t)) >> 1), gap, t, INK, textScale));

  rowTitles.forEach((t, r) => {
    if (r < rowY.length) drawText(data, width, height, gap, rowY[r] + ((side - textHeight) >> 1), t, INK, textScale);
  });

  const tiles: TilePlacement[] = [];
  spec.rows.forEach((row, r) =>
    row.forEach((tile, c) => {
      if (tile === null) return;
      const x = colX[c] + ((colWidth[c] - side) >> 1);
      const y = rowY[r];
      for (let py = 0; py < side; py++) {
        const src = Math.floor(py / scale) * MNIST_SIDE;
        const dst = (y + py) * width + x;
        for (let px = 0; px < side; px++) data[dst + px] = toByte(tile.pixels[src + Math.floor(px / scale)]);
      }
      if (tile.caption) {
        const cx = colX[c] + ((colWidth[c] - measure(tile.caption)) >> 1);
        drawText(data, width, height, cx, y + side + TEXT_GAP, tile.caption, INK, textScale);
      }
      tiles.push({ row: r, col: c, x, y, size: side });
    }),
  );
  return { width, height, data, tiles };
}

/**
 * Visualises `b − a` the way the paper shows distortions (magnified ×10, shifted by half the range,
 * clamped): `(b − a)·magnify + 0.5` clipped to [0, 1], so no change is mid-grey, brightening is
 * lighter and darkening darker.
 * @throws Error if the images differ in length.
 */
export function differenceImage(a: Float32Array, b: Float32Array, magnify = 10): Float32Array<ArrayBuffer> {
  if (a.length !== b.length) throw new Error(`differenceImage: images have ${a.length} and ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.min(1, Math.max(0, (b[i] - a[i]) * magnify + 0.5));
  return out;
}
