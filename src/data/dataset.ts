/**
 * In-memory image datasets and the seeded operations on them: split, subset, mini-batch order.
 *
 * A {@link Dataset} is N images stored as one NHWC `Float32Array` (values in [0, 1]) with one integer label
 * each. Everything random here goes through a seeded {@link Rng}, so a seed fixes the split and the batch
 * order exactly (the checkpoint/resume test of the trainer relies on it).
 *
 * This module is pure (no file access); the loaders in this folder (`mnist.ts`, `fashionMnist.ts`,
 * `cifar10.ts`) read files and are Node-only.
 */
import { DeltaStnError, InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import { Rng } from '../rng.js';

/**
 * N labelled images.
 *
 * Image `n`, row `y`, column `x`, channel `c` is `images[((n·H + y)·W + x)·C + c]` (NHWC, the layout
 * `tf.tensor4d(images, [size, H, W, C])` expects), with `shape = [H, W, C]`.
 */
export interface Dataset {
  /** Human-readable name, e.g. `"mnist"` or `"fashion-mnist:train"`. */
  readonly name: string;
  /** N×H×W×C pixel intensities in [0, 1], NHWC order. */
  readonly images: Float32Array;
  /** N class indices in [0, classes). */
  readonly labels: Int32Array;
  /** [H, W, C] of one image. */
  readonly shape: readonly [number, number, number];
  /** Number of classes K; every label lies in [0, K). */
  readonly classes: number;
  /** Number of examples N. */
  readonly size: number;
}

/** Sizes of the three parts of a split, either as fractions of N or as example counts. */
export interface SplitSizes {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

/**
 * How to split: `{ fractions }` (non-negative, summing to 1) or `{ counts }` (non-negative integers whose
 * sum is at most N; examples beyond the sum are left out).
 */
export type SplitSpec = { readonly fractions: SplitSizes } | { readonly counts: SplitSizes };

/** The result of {@link splitDataset}: three datasets and the indices (into the source) each one holds. */
export interface DatasetSplit {
  readonly train: Dataset;
  readonly val: Dataset;
  readonly test: Dataset;
  readonly indices: { readonly train: Int32Array; readonly val: Int32Array; readonly test: Int32Array };
}

/** A file that exists but is not what its format says (bad magic, wrong length, bad label). */
export class DatasetFormatError extends DeltaStnError {
  /** @param file the path (or name) of the offending file; it becomes the error's `argument`. */
  constructor(file: string, detail: string) {
    super(file, detail);
  }
}

/**
 * A dataset that is not on this machine. The library never downloads anything, so the message lists every
 * place it looked (and what was missing there) and every way to get the data.
 */
export class DatasetMissingError extends DeltaStnError {
  /** Each place searched, with what was found missing there. */
  readonly looked: readonly string[];
  /** The ways to obtain the data. */
  readonly howToGet: readonly string[];
  /**
   * @param dataset the dataset's name (the error's `argument`), e.g. `"fashion-mnist"`
   * @param looked one line per place searched, e.g. `"/usr/share/datasets/fashion-mnist: directory does not exist"`
   * @param howToGet one line per way to get the data
   */
  constructor(dataset: string, looked: readonly string[], howToGet: readonly string[]) {
    // How to get it comes first: messages are cut at MAX_MESSAGE_CHARS (src/errors.ts), and a long list of
    // places searched must not push the instructions out (`looked` keeps every place).
    const lines = [
      'dataset not found (deltastn never downloads data).',
      'How to get it:',
      ...howToGet.map((h) => `  - ${h}`),
      'Looked in:',
      ...(looked.length > 0 ? looked.map((l) => `  - ${l}`) : ['  (nowhere: no location was given)']),
    ];
    super(dataset, lines.join('\n'));
    this.looked = [...looked];
    this.howToGet = [...howToGet];
  }
}

/**
 * Builds a {@link Dataset} after checking it: `images.length = N·H·W·C`, every pixel finite in [0, 1],
 * every label an integer in [0, classes). The arrays are kept, not copied.
 *
 * @throws ShapeMismatchError when the lengths disagree; InvalidArgumentError for a bad shape, class count,
 *   pixel or label (naming the first offending index).
 */
export function createDataset(
  name: string,
  images: Float32Array,
  labels: Int32Array,
  shape: readonly [number, number, number],
  classes: number,
): Dataset {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new InvalidArgumentError('shape', '[H, W, C] of positive integers', JSON.stringify(shape));
  }
  if (!Number.isInteger(classes) || classes < 1) throw new InvalidArgumentError('classes', 'a positive integer', classes);
  const size = labels.length;
  const perImage = shape[0] * shape[1] * shape[2];
  if (images.length !== size * perImage) {
    throw new ShapeMismatchError('images', `${size}×${shape.join('×')} = ${size * perImage} values`, `${images.length} values`);
  }
  for (let i = 0; i < size; i++) {
    const l = labels[i];
    if (l < 0 || l >= classes) throw new InvalidArgumentError(`labels[${i}]`, `an integer in [0, ${classes})`, l);
  }
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    // `!(v >= 0 && v <= 1)` also catches NaN.
    if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`images[${i}]`, 'a pixel value in [0, 1]', v);
  }
  return { name, images, labels, shape: [shape[0], shape[1], shape[2]], classes, size };
}

/**
 * A uniformly random permutation of 0…n−1 (Fisher–Yates, drawing j ~ U{0…i} for i = n−1 down to 1 from
 * `rng`), so the same seed gives the same permutation on every platform.
 */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('n', 'a non-negative integer', n);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * The images and labels of the examples `indices` (in that order), copied into fresh arrays: the rows of a
 * mini-batch, ready for `tf.tensor4d(images, [indices.length, H, W, C])`.
 *
 * @throws InvalidArgumentError when an index is not an integer in [0, N).
 */
export function gather(ds: Dataset, indices: ArrayLike<number>): { images: Float32Array; labels: Int32Array } {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const images = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= ds.size) {
      throw new InvalidArgumentError(`indices[${k}]`, `an integer in [0, ${ds.size})`, i);
    }
    images.set(ds.images.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = ds.labels[i];
  }
  return { images, labels };
}

/** The examples `indices` of `ds` (in that order) as a new dataset; `name` defaults to `ds.name`. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const { images, labels } = gather(ds, indices);
  return { name, images, labels, shape: ds.shape, classes: ds.classes, size: labels.length };
}

/** How many examples carry each label: `counts[k] = #{n : labels[n] = k}` for k < classes. */
export function classCounts(ds: Pick<Dataset, 'labels' | 'classes'>): Int32Array {
  const counts = new Int32Array(ds.classes);
  for (let i = 0; i < ds.labels.length; i++) counts[ds.labels[i]]++;
  return counts;
}

/** Sizes (train, val, test) in examples for `spec` applied to `n` examples; see {@link SplitSpec}. */
export function splitCounts(n: number, spec: SplitSpec): SplitSizes {
  if ('fractions' in spec) {
    const f = spec.fractions;
    for (const k of ['train', 'val', 'test'] as const) {
      if (!(f[k] >= 0 && f[k] <= 1)) throw new InvalidArgumentError(`fractions.${k}`, 'a number in [0, 1]', f[k]);
    }
    const sum = f.train + f.val + f.test;
    if (Math.abs(sum - 1) > 1e-9) throw new InvalidArgumentError('fractions', 'train + val + test = 1', sum);
    // Round train and val; test takes the remainder so that nothing is lost to rounding.
    const train = Math.min(n, Math.round(f.train * n));
    const val = Math.min(n - train, Math.round(f.val * n));
    return { train, val, test: n - train - val };
  }
  const c = spec.counts;
  for (const k of ['train', 'val', 'test'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) throw new InvalidArgumentError(`counts.${k}`, 'a non-negative integer', c[k]);
  }
  const sum = c.train + c.val + c.test;
  if (sum > n) throw new InvalidArgumentError('counts', `train + val + test ≤ ${n} (the dataset's size)`, sum);
  return { train: c.train, val: c.val, test: c.test };
}

/**
 * A seeded random split: a permutation π of 0…N−1 ({@link shuffledIndices} with `new Rng(seed)`), then
 * contiguous blocks: train = π[0, a), val = π[a, a+b), test = π[a+b, a+b+c) with (a, b, c) from `spec`.
 * The same dataset, spec and seed always give the same split; the parts are disjoint.
 *
 * @param seed an integer seed, or an {@link Rng} to draw the permutation from (it advances).
 */
export function splitDataset(ds: Dataset, spec: SplitSpec, seed: number | Rng): DatasetSplit {
  const { train, val, test } = splitCounts(ds.size, spec);
  const rng = typeof seed === 'number' ? new Rng(seed) : seed;
  const perm = shuffledIndices(ds.size, rng);
  const indices = {
    train: perm.slice(0, train),
    val: perm.slice(train, train + val),
    test: perm.slice(train + val, train + val + test),
  };
  return {
    train: subset(ds, indices.train, `${ds.name}:train`),
    val: subset(ds, indices.val, `${ds.name}:val`),
    test: subset(ds, indices.test, `${ds.name}:test`),
    indices,
  };
}

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Drop the last batch when it has fewer than `batchSize` examples (default false: keep it). */
  readonly dropLast?: boolean;
  /** Shuffle (default true). With `false` the batches follow dataset order and `rng` is not used. */
  readonly shuffle?: boolean;
}

/**
 * One epoch of mini-batches, as index arrays into `ds` (use {@link gather} to get the rows).
 *
 * The permutation is drawn from `rng` when `batches` is called, not lazily, so the generator's state
 * after the call does not depend on how far the epoch is consumed (what a checkpoint needs). The epoch
 * covers every example once: ⌈N / B⌉ batches, the last one of N mod B examples unless `dropLast`.
 *
 * @param ds the dataset (only its `size` N is read)
 * @param batchSize B, a positive integer
 * @param rng the seeded generator of the shuffle
 */
export function batches(ds: Pick<Dataset, 'size'>, batchSize: number, rng: Rng, options: BatchOptions = {}): IterableIterator<Int32Array> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError('batchSize', 'a positive integer', batchSize);
  const n = ds.size;
  let order: Int32Array;
  if (options.shuffle ?? true) {
    order = shuffledIndices(n, rng);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const end = options.dropLast ? n - (n % batchSize) : n;
  return (function* () {
    for (let start = 0; start < end; start += batchSize) yield order.slice(start, Math.min(start + batchSize, end));
  })();
}

/** Number of batches {@link batches} yields for N examples: ⌈N/B⌉, or ⌊N/B⌋ with `dropLast`. */
export function batchCount(size: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}
