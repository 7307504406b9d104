import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from '../../src/report/font.ts';
import { renderImageGrid } from '../../src/report/imageGrid.ts';
import { differenceImage, writeImageGrid } from '../../src/report/png.node.ts';

const blank = (v = 0): Float32Array => new Float32Array(784).fill(v);

describe('differenceImage', () => {
  it('maps b − a to mid-grey-centred, magnified, clipped values', () => {
    const a = blank(0.5);
    const b = blank(0.5);
    b[1] = 0.52;
    b[2] = 0.3;
    a[3] = 0;
    b[3] = 1;
    const d = differenceImage(a, b);
    expect(d[0]).toBeCloseTo(0.5, 6);
    expect(d[1]).toBeCloseTo(0.7, 5);
    expect(d[2]).toBe(0);
    expect(d[3]).toBe(1);
    expect(differenceImage(a, b, 1)[1]).toBeCloseTo(0.52, 5);
    expect(() => differenceImage(a, new Float32Array(3))).toThrow(/784 and 3/);
  });
});

describe('font', () => {
  it('has well-formed 5×7 glyphs and falls back to ?', () => {
    for (const ch of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ .,:=-+%/()_?') {
      const g = glyph(ch);
      expect(g.length).toBe(GLYPH_HEIGHT);
      for (const row of g) expect(row.length).toBe(GLYPH_WIDTH);
    }
    expect(glyph('a')).toBe(glyph('A'));
    expect(glyph('€')).toBe(glyph('?'));
    expect(glyph('1')).not.toEqual(glyph('7'));
    expect(textWidth('')).toBe(0);
    expect(textWidth('AB')).toBe(11);
  });
});

describe('writeImageGrid', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blindspot-png-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes tiles, captions and titles at the documented positions', async () => {
    const a = blank(0);
    a[5 * 28 + 10] = 1; // row 5, column 10
    a[27 * 28 + 27] = 0.5;
    const b = new Float32Array(784).map((_, i) => i / 783);
    const c = differenceImage(blank(0.5), blank(0.5));
    c[0] = 2; // clipped to white
    c[1] = -1; // clipped to black
    const path = join(dir, 'figure.png');
    const placed = await writeImageGrid(path, {
      rows: [[{ pixels: a, caption: '7' }, { pixels: b }], [null, { pixels: c, caption: 'CONF 99%' }]],
      columnTitles: ['ORIG', 'ADV'],
    });

    const bytes = await readFile(path);
    const png = PNG.sync.read(bytes);
    // Columns: gap 4 + 84 + gap 4 + 84 + gap 4. Rows: gap 4 + title 9, then 2 × (84 + 2 + 7 caption + gap 4).
    expect(png.width).toBe(180);
    expect(png.height).toBe(207);
    expect(bytes[25]).toBe(0); // IHDR colour type 0 = greyscale
    expect(placed.tiles).toEqual([
      { row: 0, col: 0, x: 4, y: 13, size: 84 },
      { row: 0, col: 1, x: 92, y: 13, size: 84 },
      { row: 1, col: 1, x: 92, y: 110, size: 84 },
    ]);
    const at = (x: number, y: number): number => png.data[(y * png.width + x) * 4];

    // Tile a: the lit source pixel becomes a 3×3 white block; its neighbours stay black.
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) expect(at(4 + 30 + dx, 13 + 15 + dy)).toBe(255);
    expect(at(4 + 30 - 1, 13 + 15)).toBe(0);
    expect(at(4 + 33, 13 + 15)).toBe(0);
    expect(at(4 + 81, 13 + 81)).toBe(128);
    expect(at(4 + 83, 13 + 83)).toBe(128);
    // Tile b: a gradient, checked at its first, a middle and its last source pixel.
    expect(at(92, 13)).toBe(0);
    expect(at(92 + 3 * 14, 13 + 3 * 14)).toBe(Math.round(((14 * 28 + 14) / 783) * 255));
    expect(at(92 + 83, 13 + 83)).toBe(255);
    // Tile c: clipped extremes and mid-grey elsewhere.
    expect(at(92, 110)).toBe(255);
    expect(at(95, 110)).toBe(0);
    expect(at(98, 110)).toBe(128);
    // Empty cell and gaps are white background.
    expect(at(4 + 40, 110 + 40)).toBe(255);
    expect(at(2, 50)).toBe(255);
    expect(at(90, 50)).toBe(255);

    // Caption '7' centred under tile a: x = 4 + (84 − 5)/2 = 43, y = 13 + 84 + 2; its top row is solid.
    for (let x = 43; x < 48; x++) expect(at(x, 99)).toBe(0);
    expect(at(42, 99)).toBe(255);
    expect(at(48, 99)).toBe(255);
    // Title 'ORIG' starts at x = 4 + (84 − 23)/2 = 34, y = 4; 'O' has a blank top-left corner and ink next to it.
    expect(at(34, 4)).toBe(255);
    expect(at(35, 4)).toBe(0);
    expect(await readdir(dir)).toEqual(['figure.png']);
  });

  it('puts row titles in a column of their own, level with the middle of their row', () => {
    const img = renderImageGrid({ rows: [[{ pixels: blank(1) }], [{ pixels: blank(1) }]], scale: 1, gap: 2, rowTitles: ['UNIT 7', 'A'] });
    const titleWidth = textWidth('UNIT 7');
    expect(img.width).toBe(2 + titleWidth + 2 + 28 + 2);
    expect(img.height).toBe(2 + 28 + 2 + 28 + 2);
    expect(img.tiles.map((t) => [t.x, t.y])).toEqual([
      [2 + titleWidth + 2, 2],
      [2 + titleWidth + 2, 32],
    ]);
    // 'A' of the second title: its top row has ink in columns 1–3 only, drawn at y = 32 + (28 − 7)/2 = 42.
    const at = (x: number, y: number): number => img.data[y * img.width + x];
    expect([0, 1, 2, 3, 4].map((dx) => at(2 + dx, 42))).toEqual([255, 0, 0, 0, 255]);
    expect(at(3, 41)).toBe(255);
    // 'U' of the first title starts at x = 2, y = 2 + 10 = 12.
    expect(at(2, 12)).toBe(0);
  });

  it('widens columns for long captions and honours scale', () => {
    const img = renderImageGrid({ rows: [[{ pixels: blank(1), caption: 'A VERY LONG CAPTION' }]], scale: 1, gap: 2 });
    const captionWidth = textWidth('A VERY LONG CAPTION');
    expect(img.width).toBe(2 + captionWidth + 2);
    expect(img.height).toBe(2 + 28 + 2 + 7 + 2);
    const x = 2 + ((captionWidth - 28) >> 1);
    expect(img.tiles[0]).toEqual({ row: 0, col: 0, x, y: 2, size: 28 });
    expect(img.data[2 * img.width + x]).toBe(255);
    expect(img.data[2 * img.width + x - 1]).toBe(255);
    expect(img.data[(2 + 27) * img.width + x + 27]).toBe(255);
  });

  it('draws captions at textScale', () => {
    const img = renderImageGrid({ rows: [[{ pixels: blank(1), caption: '1' }]], scale: 1, gap: 0, textScale: 2 });
    expect(img.height).toBe(28 + 2 + 14);
    // The 10-wide glyph starts at x = (28 − 10)/2 = 9; '1' is '..#..' in its first row, so at ×2 ink is x = 13..14.
    const ink = (x: number, y: number): boolean => img.data[y * img.width + x] === 0;
    expect([8, 9, 10, 11, 12, 13, 14, 15, 16, 17].map((x) => ink(x, 30))).toEqual([false, false, false, false, false, true, true, false, false, false]);
    // Each font row is two pixels tall: y = 31 repeats row 0, y = 32 starts row 1 ('.##..', x = 11..14).
    expect([ink(12, 31), ink(13, 31)]).toEqual([false, true]);
    expect([ink(10, 32), ink(11, 32), ink(14, 33), ink(15, 33)]).toEqual([false, true, true, false]);
    expect(ink(13, 29)).toBe(false);
  });

  it('rejects tiles of the wrong size and bad scales', () => {
    expect(() => renderImageGrid({ rows: [[{ pixels: new Float32Array(10) }]] })).toThrow(
      'renderImageGrid: tile at row 0, column 0 has 10 values, expected 784 (28×28)',
    );
    expect(() => renderImageGrid({ rows: [], scale: 0 })).toThrow(/scale must be a positive integer/);
  });
});
