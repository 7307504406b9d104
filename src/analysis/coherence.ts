/**
 * How alike the images a direction selects are: label purity (the share of the most common label) and
 * mean pairwise similarity in a feature space, for the top-m images at every m from 2 to k (m = 1 is
 * trivially coherent). The same functions score units, random directions and random image sets.
 *
 * Similarity is the cosine of vectors centred on the mean over the whole image set. Uncentred, any two
 * MNIST digits look alike (dark background, ink in the middle: raw pixel cosines of unrelated digits are
 * around 0.4); centred, 0 means "as alike as two images drawn at random" and the score measures what the
 * images share beyond what every image shares.
 */

/** Unit-length, centred rows: the dot product of two rows is their centred cosine similarity. */
export interface SimilaritySpace {
  /** What the rows are (e.g. "pixels", "convnet layer 4"). */
  name: string;
  /** [count, dimension], row-major. */
  vectors: Float32Array;
  count: number;
  dimension: number;
}

/**
 * The similarity space of `count` rows of `dimension` values: each row minus the mean row, scaled to unit
 * length (a row equal to the mean stays zero, similar to nothing). Accumulates in float64.
 */
export function similaritySpace(name: string, data: ArrayLike<number>, count: number, dimension: number): SimilaritySpace {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(dimension) || dimension < 1) {
    throw new Error(`similaritySpace: count and dimension must be positive integers, got ${count} and ${dimension}`);
  }
  if (data.length !== count * dimension) throw new Error(`similaritySpace: ${count}×${dimension} rows need ${count * dimension} values, got ${data.length}`);
  const mean = new Float64Array(dimension);
  for (let r = 0; r < count; r++) for (let d = 0; d < dimension; d++) mean[d] += data[r * dimension + d];
  for (let d = 0; d < dimension; d++) mean[d] /= count;
  const vectors = new Float32Array(count * dimension);
  const row = new Float64Array(dimension);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let d = 0; d < dimension; d++) {
      row[d] = data[r * dimension + d] - mean[d];
      norm += row[d] * row[d];
    }
    if (!Number.isFinite(norm)) throw new Error(`similaritySpace: row ${r} of ${name} holds a non-finite value`);
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dimension; d++) vectors[r * dimension + d] = row[d] * scale;
  }
  return { name, vectors, count, dimension };
}

/** Share of the most common label among `labels` (1 when all agree; 1/m at best spread). */
export function labelPurity(labels: ArrayLike<number>): number {
  if (labels.length === 0) throw new Error('labelPurity: no labels');
  const counts = new Map<number, number>();
  let most = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = (counts.get(labels[i]) ?? 0) + 1;
    counts.set(labels[i], c);
    most = Math.max(most, c);
  }
  return most / labels.length;
}

/** Coherence of the top-m images for m = 2 … k: entry m − 2 of each curve. */
export interface CoherenceCurves {
  purity: Float64Array;
  /** One curve per similarity space, in the order given. */
  similarity: Float64Array[];
}

/**
 * Coherence curves of the images at `indices` (in rank order, best first; at least 2): label purity and
 * mean pairwise similarity in each space of the top-m images, for m = 2 … indices.length.
 */
export function coherenceCurves(indices: ArrayLike<number>, labels: ArrayLike<number>, spaces: readonly SimilaritySpace[]): CoherenceCurves {
  const k = indices.length;
  if (k < 2) throw new Error(`coherenceCurves: need at least 2 images, got ${k}`);
  for (let i = 0; i < k; i++) {
    if (!Number.isInteger(indices[i]) || indices[i] < 0 || indices[i] >= labels.length) {
      throw new Error(`coherenceCurves: image index ${indices[i]} is outside the ${labels.length} labelled images`);
    }
  }
  const chosen = Array.from({ length: k }, (_, i) => labels[indices[i]]);
  const purity = new Float64Array(k - 1);
  for (let m = 2; m <= k; m++) purity[m - 2] = labelPurity(chosen.slice(0, m));
  const similarity = spaces.map((space) => {
    if (space.count !== labels.length) throw new Error(`coherenceCurves: space ${space.name} has ${space.count} rows for ${labels.length} images`);
    const curve = new Float64Array(k - 1);
    // Pairs (i, j), i < j, enter the mean from m = j + 1 on.
    let sum = 0;
    for (let j = 1; j < k; j++) {
      const b = indices[j] * space.dimension;
      for (let i = 0; i < j; i++) {
        const a = indices[i] * space.dimension;
        let dot = 0;
        for (let d = 0; d < space.dimension; d++) dot += space.vectors[a + d] * space.vectors[b + d];
        sum += dot;
      }
      curve[j - 1] = sum / ((j * (j + 1)) / 2);
    }
    return curve;
  });
  return { purity, similarity };
}
