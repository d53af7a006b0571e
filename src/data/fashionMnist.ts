/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, © Zalando SE, MIT licence): 70 000 grayscale 28×28 images of
 * 10 clothing classes, officially split into 60 000 train and 10 000 test (6 000 / 1 000 per class), stored
 * as four IDX files (see `idx.ts`).
 *
 * Nothing is downloaded. The files are searched for, in order, in the user's directory (and its
 * `fashion-mnist/` subdirectory), then in the default locations — Debian/Ubuntu's package
 * `dataset-fashion-mnist` installs the official gzipped files into `/usr/share/datasets/fashion-mnist/`.
 * Node-only.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatasetMissingError, type Dataset } from './dataset.js';
import { idxToDataset, readIdx } from './idx.js';

/** The dataset name used in errors and as the prefix of the datasets' names. */
export const FASHION_MNIST = 'fashion-mnist';

/** Class k's name (the official label order). */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** The four official file names; each is accepted plain or with a `.gz` suffix (the gzipped one is preferred). */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Where Debian's `dataset-fashion-mnist` package puts the files (checked with `dpkg -L`). */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Default search locations, after the user's directory. */
export const FASHION_MNIST_DEFAULT_LOCATIONS: readonly string[] = [DEBIAN_FASHION_MNIST_DIR];

/** Options of {@link loadFashionMnist} and {@link findFashionMnist}. */
export interface FashionMnistOptions {
  /** A directory holding the four files (or a `fashion-mnist/` subdirectory that does); searched first. */
  readonly dir?: string;
  /** Replaces {@link FASHION_MNIST_DEFAULT_LOCATIONS} (pass `[]` to search only `dir`). */
  readonly defaultLocations?: readonly string[];
}

/** Fashion-MNIST as loaded: the official train and test sets, and the directory they came from. */
export interface FashionMnist {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly dir: string;
}

/** The resolved paths of the four files in one directory. */
export type FashionMnistPaths = { readonly [K in keyof typeof FASHION_MNIST_FILES]: string };

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The first directory, in search order, that holds all four files, with their paths; or
 * {@link DatasetMissingError} listing each directory searched and which files it lacked.
 */
export function findFashionMnist(options: FashionMnistOptions = {}): { dir: string; paths: FashionMnistPaths } {
  const candidates: string[] = [];
  if (options.dir !== undefined) candidates.push(resolve(options.dir), resolve(options.dir, 'fashion-mnist'));
  candidates.push(...(options.defaultLocations ?? FASHION_MNIST_DEFAULT_LOCATIONS));
  const looked: string[] = [];
  for (const dir of candidates) {
    if (!isDir(dir)) {
      looked.push(`${dir}: no such directory`);
      continue;
    }
    const found: Partial<Record<keyof typeof FASHION_MNIST_FILES, string>> = {};
    const missing: string[] = [];
    for (const key of Object.keys(FASHION_MNIST_FILES) as (keyof typeof FASHION_MNIST_FILES)[]) {
      const base = join(dir, FASHION_MNIST_FILES[key]);
      const path = [`${base}.gz`, base].find((p) => existsSync(p));
      if (path === undefined) missing.push(`${FASHION_MNIST_FILES[key]}[.gz]`);
      else found[key] = path;
    }
    if (missing.length === 0) return { dir, paths: found as FashionMnistPaths };
    looked.push(`${dir}: missing ${missing.join(', ')}`);
  }
  throw new DatasetMissingError(FASHION_MNIST, looked, [
    `Debian/Ubuntu: apt-get install dataset-fashion-mnist (installs the official files into ${DEBIAN_FASHION_MNIST_DIR})`,
    `or fetch the four IDX files yourself (${Object.values(FASHION_MNIST_FILES).map((f) => `${f}.gz`).join(', ')}; ` +
      'https://github.com/zalandoresearch/fashion-mnist) and pass --data-dir PATH (the directory holding them)',
  ]);
}

/**
 * Loads Fashion-MNIST: train (60 000) and test (10 000) as 28×28×1 datasets with pixels p/255 ∈ [0, 1] and
 * labels 0…9 (names in {@link FASHION_MNIST_CLASSES}). Not cached: the two sets take ~220 MB as float32,
 * so the caller keeps them for as long as it needs them.
 *
 * @throws DatasetMissingError when no searched directory holds all four files (see {@link findFashionMnist});
 *   DatasetFormatError (naming the file) when a file is malformed.
 */
export function loadFashionMnist(options: FashionMnistOptions = {}): FashionMnist {
  const { dir, paths } = findFashionMnist(options);
  const load = (part: 'train' | 'test', images: string, labels: string): Dataset =>
    idxToDataset(`${FASHION_MNIST}:${part}`, { idx: readIdx(images, 3), file: images }, { idx: readIdx(labels, 1), file: labels }, 10);
  return {
    train: load('train', paths.trainImages, paths.trainLabels),
    test: load('test', paths.testImages, paths.testLabels),
    dir,
  };
}
