/** The `data` namespace of the public API: IDX parsing from bytes, the MNIST sizes, the P1/P2 split. Platform-free. */
export {
  parseIdx,
  decodeLabelledImages,
  encodeIdx,
  MNIST_SIDE,
  MNIST_PIXELS,
  MNIST_CLASSES,
  type IdxKind,
  type IdxFile,
  type LabelledImages,
} from './idx.ts';
export { splitP1P2, splitIndices, subset, type Split, type SplitIndices } from './split.ts';
export type { DataIdentity } from './identity.ts';
