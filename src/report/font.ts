/**
 * A tiny 5×7 bitmap font for figure captions, so figures need no font files or canvas and render
 * identically in Node and the browser. Covers digits, A–Z (lower case is drawn as upper case) and
 * the punctuation captions use; anything else is drawn as '?'.
 */

/** Glyph width in pixels. */
export const GLYPH_WIDTH = 5;
/** Glyph height in pixels. */
export const GLYPH_HEIGHT = 7;
/** Horizontal distance from one glyph to the next (glyph plus one blank column). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

// Each glyph is 7 rows of 5 columns, '#' = ink. Kept as drawings so a wrong pixel is easy to spot.
const GLYPHS: Record<string, string> = {
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '-': '..... ..... ..... ##### ..... ..... .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '_': '..... ..... ..... ..... ..... ..... #####',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
};

const BITMAPS = new Map<string, boolean[][]>(
  Object.entries(GLYPHS).map(([ch, art]) => [ch, art.split(' ').map((row) => [...row].map((c) => c === '#'))]),
);

/** The glyph bitmap drawn for `ch`: `GLYPH_HEIGHT` rows of `GLYPH_WIDTH` booleans (true = ink). */
export function glyph(ch: string): readonly (readonly boolean[])[] {
  return BITMAPS.get(ch) ?? BITMAPS.get(ch.toUpperCase()) ?? BITMAPS.get('?')!;
}

/** Width in pixels of `text` drawn with {@link drawText} at `scale`; 0 for the empty string. */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}

/**
 * Draws `text` into a one-byte-per-pixel image with its top-left corner at (x, y), setting ink
 * pixels to `value`; each font pixel becomes a `scale`×`scale` block. Pixels falling outside the
 * image are clipped.
 */
export function drawText(
  target: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  text: string,
  value: number,
  scale = 1,
): void {
  for (let i = 0; i < text.length; i++) {
    const bitmap = glyph(text[i]);
    const gx = x + i * GLYPH_ADVANCE * scale;
    for (let py = Math.max(0, y); py < Math.min(height, y + GLYPH_HEIGHT * scale); py++) {
      const row = bitmap[Math.floor((py - y) / scale)];
      for (let px = Math.max(0, gx); px < Math.min(width, gx + GLYPH_WIDTH * scale); px++) {
        if (row[Math.floor((px - gx) / scale)]) target[py * width + px] = value;
      }
    }
  }
}
