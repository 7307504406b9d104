/** Small DOM helpers shared by the demo's panels. */
import { AdapterUnavailableError } from 'blindspot';

/** The element with this id; a missing one is a bug in index.html, so it throws at startup. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo: index.html has no element #${id}`);
  return element as T;
}

/** Replace a definition list's entries. */
export function fillList(list: HTMLElement, entries: [string, string][]): void {
  list.replaceChildren(
    ...entries.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

/** Show an error above everything; a missing WebGPU gets its own heading since it ends the demo. */
export function showError(error: unknown): void {
  const banner = byId('banner');
  const missing = error instanceof AdapterUnavailableError;
  const title = document.createElement('strong');
  title.textContent = missing ? 'WebGPU is not available in this browser.' : `${(error as Error)?.name ?? 'Error'}:`;
  const message = document.createElement('p');
  message.textContent = error instanceof Error ? error.message : String(error);
  banner.replaceChildren(title, message);
  if (missing) {
    const hint = document.createElement('p');
    hint.textContent =
      'WebGPU also needs a secure context (http://127.0.0.1, http://localhost or https://); headless or GPU-less ' +
      'Chromium needs --enable-unsafe-webgpu.';
    banner.append(hint);
  }
  banner.hidden = false;
}

/** Hide the error banner (before new work starts). */
export function clearError(): void {
  byId('banner').hidden = true;
}

/** `0.0123` → `1.23 %`. */
export const percent = (fraction: number, digits = 2): string => `${(fraction * 100).toFixed(digits)} %`;

/** Seconds with a unit, coarser as they grow. */
export const seconds = (s: number): string => (s < 10 ? `${s.toFixed(2)} s` : s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

/** A value of c, compactly (the search spans 1e-6 … 1e10). */
export const formatC = (c: number): string => (Number.isFinite(c) ? (c >= 0.01 && c < 1e4 ? c.toPrecision(3) : c.toExponential(2)) : '—');
