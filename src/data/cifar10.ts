/**
 * CIFAR-10 (Krizhevsky 2009): 60 000 colour 32×32 images of 10 classes, 50 000 train (five batches of
 * 10 000) and 10 000 test, in the "binary version" (`cifar-10-binary.tar.gz`, which unpacks to
 * `cifar-10-batches-bin/`).
 *
 * Each `.bin` file is a sequence of 3 073-byte records: 1 label byte (0…9), then 3 072 pixel bytes in
 * channel-major order — the 1 024 red values of the 32×32 image row by row, then the 1 024 green, then the
 * 1 024 blue. We convert to NHWC: pixel (y, x, c) of record n is byte 1 + c·1024 + y·32 + x of the record,
 * stored at `images[((n·32 + y)·32 + x)·3 + c] = byte / 255`.
 *
 * Nothing is downloaded and there is no system package: the user fetches the binary version and points
 * `--data-dir` at it. Node-only.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDataset, DatasetFormatError, DatasetMissingError, type Dataset } from './dataset.js';

/** The dataset name used in errors and as the prefix of the datasets' names. */
export const CIFAR10 = 'cifar10';

/** Class k's name (the official label order, `batches.meta.txt`). */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** The training files in order (their concatenation is the training set) and the test file. */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: 'test_batch.bin',
} as const;

const SIDE = 32;
const PLANE = SIDE * SIDE;
/** Bytes per record: 1 label + 3 planes of 32×32. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;

/**
 * Decodes one CIFAR-10 binary batch (any number of records) into a 32×32×3 dataset, channel-major → NHWC,
 * pixels p/255.
 *
 * @param bytes the file's contents
 * @param file its path, used to name it in errors and as the dataset's name
 * @throws DatasetFormatError (argument = `file`) when the length is not a positive multiple of 3 073 or a
 *   label byte is not in 0…9.
 */
export function parseCifar10Batch(bytes: Uint8Array, file: string, name = file): Dataset {
  const n = recordCount(bytes.length, file);
  const images = new Float32Array(n * 3 * PLANE);
  const labels = new Int32Array(n);
  decodeInto(bytes, file, images, labels, 0);
  return createDataset(name, images, labels, [SIDE, SIDE, 3], 10);
}

/** Records in a file of `length` bytes; a length that is not a positive multiple of 3 073 is a format error. */
function recordCount(length: number, file: string): number {
  if (length === 0 || length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetFormatError(file, `length ${length} is not a positive multiple of ${CIFAR10_RECORD_BYTES} (1 label byte + 3×32×32 pixel bytes per record)`);
  }
  return length / CIFAR10_RECORD_BYTES;
}

/**
 * Decodes the records of `bytes` into `images`/`labels` starting at example `first`, channel-major → NHWC
 * (writing into one preallocated array avoids holding the five training batches twice).
 */
function decodeInto(bytes: Uint8Array, file: string, images: Float32Array, labels: Int32Array, first: number): number {
  const n = recordCount(bytes.length, file);
  for (let r = 0; r < n; r++) {
    const off = r * CIFAR10_RECORD_BYTES;
    const label = bytes[off];
    if (label > 9) throw new DatasetFormatError(file, `record ${r}: label byte ${label} is not in 0…9`);
    labels[first + r] = label;
    const out = (first + r) * 3 * PLANE;
    for (let c = 0; c < 3; c++) {
      const plane = off + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[out + 3 * p + c] = bytes[plane + p] / 255;
    }
  }
  return n;
}

/**
 * Reads the files `paths` in order into one dataset (sizes from `stat` first, so the float32 array is
 * allocated once).
 */
function readBatches(name: string, paths: readonly string[]): Dataset {
  const counts = paths.map((p) => recordCount(statSync(p).size, p));
  const size = counts.reduce((s, c) => s + c, 0);
  const images = new Float32Array(size * 3 * PLANE);
  const labels = new Int32Array(size);
  let first = 0;
  paths.forEach((path, k) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new DatasetFormatError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (bytes.length !== counts[k] * CIFAR10_RECORD_BYTES) throw new DatasetFormatError(path, 'changed size while being read');
    first += decodeInto(bytes, path, images, labels, first);
  });
  return createDataset(name, images, labels, [SIDE, SIDE, 3], 10);
}

/** Options of {@link loadCifar10}. */
export interface Cifar10Options {
  /** The directory holding the six `.bin` files, or the one above it that holds `cifar-10-batches-bin/`. */
  readonly dir?: string;
}

/** CIFAR-10 as loaded: train (the five batches, in order), test, and the directory they came from. */
export interface Cifar10 {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly dir: string;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Loads CIFAR-10 (binary version) from `dir` (or `dir/cifar-10-batches-bin`): train 50 000 and test 10 000
 * images of 32×32×3, pixels in [0, 1], NHWC. Not cached (the two sets take ~740 MB as float32).
 *
 * @throws DatasetMissingError when no directory is given or none holds all six files (each place searched
 *   and what it lacked are listed); DatasetFormatError (naming the file) when a file is malformed.
 */
export function loadCifar10(options: Cifar10Options = {}): Cifar10 {
  const looked: string[] = [];
  const all = [...CIFAR10_FILES.train, CIFAR10_FILES.test];
  const candidates = options.dir === undefined ? [] : [resolve(options.dir), resolve(options.dir, 'cifar-10-batches-bin')];
  for (const dir of candidates) {
    if (!isDir(dir)) {
      looked.push(`${dir}: no such directory`);
      continue;
    }
    const missing = all.filter((f) => !existsSync(join(dir, f)));
    if (missing.length > 0) {
      looked.push(`${dir}: missing ${missing.join(', ')}`);
      continue;
    }
    const train = readBatches(`${CIFAR10}:train`, CIFAR10_FILES.train.map((f) => join(dir, f)));
    const test = readBatches(`${CIFAR10}:test`, [join(dir, CIFAR10_FILES.test)]);
    return { train, test, dir };
  }
  if (options.dir === undefined) looked.push('no directory given (CIFAR-10 has no default location)');
  throw new DatasetMissingError(CIFAR10, looked, [
    'deltastn does not download it: fetch the binary version yourself (cifar-10-binary.tar.gz from ' +
      'https://www.cs.toronto.edu/~kriz/cifar.html), unpack it, and pass --data-dir PATH (the directory ' +
      'holding data_batch_1.bin … data_batch_5.bin and test_batch.bin, or the one above cifar-10-batches-bin/)',
  ]);
}
