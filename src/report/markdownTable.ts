/** Markdown building blocks the report's sections share. */
import type { TransferTable } from './results.ts';

/** A Markdown table: a header row, its rule, and the rows. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A fraction as a percentage with one decimal, or 'n/a'. */
export const pct = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** A number with `digits` decimals, or 'n/a'. */
export const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));

/** Our value, with the paper's in parentheses when there is one. */
export const ours = (value: string, paper: string | undefined): string => (paper === undefined ? value : `${value} (${paper})`);

/**
 * A transfer table: a row per set of images, the error it induces on each column model (with the paper's
 * number in parentheses where `paper` has one), the row's measured distortion and its size.
 */
export function transferTable(t: TransferTable, paper: Record<string, Record<string, number>> = {}): string {
  const header = ['examples', ...t.columns, 'distortion', 'images'];
  const rows = t.rows.map((r) => {
    const paperRow = paper[r.source] ?? paper[r.source.replace(/ amplified to 0\.1$/, '') + ' amplified to 0.1'];
    return [
      r.source,
      ...t.columns.map((c) => ours(pct(r.errors[c]), paperRow && paperRow[c] !== undefined ? pct(paperRow[c]) : undefined)),
      num(r.distortion),
      String(r.count),
    ];
  });
  return table(header, rows);
}
