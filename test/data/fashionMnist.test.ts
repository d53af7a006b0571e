/**
 * src/data/fashionMnist.ts: the search order and the missing-data message on a fake dataset in a temp dir,
 * then the real Fashion-MNIST when Debian's `dataset-fashion-mnist` is installed (CI installs it; elsewhere
 * the test is skipped and its name says why). Reference values for the real files were computed
 * independently with Python's gzip + struct: first labels, the byte sum of the first image.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { classCounts, DatasetMissingError } from '../../src/data/dataset.js';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_DEFAULT_LOCATIONS, FASHION_MNIST_FILES, findFashionMnist, loadFashionMnist } from '../../src/data/fashionMnist.js';
import { encodeIdx } from '../../src/data/idx.js';

const tmp = mkdtempSync(join(tmpdir(), 'deltastn-fmnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake Fashion-MNIST of 3 train and 2 test images of 28×28; train files gzipped, test files plain. */
function fake(dir: string): { train: Uint8Array; test: Uint8Array } {
  mkdirSync(dir, { recursive: true });
  const train = Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 7) % 256);
  const test = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i * 11 + 3) % 256);
  writeFileSync(join(dir, `${FASHION_MNIST_FILES.trainImages}.gz`), gzipSync(encodeIdx([3, 28, 28], train)));
  writeFileSync(join(dir, `${FASHION_MNIST_FILES.trainLabels}.gz`), gzipSync(encodeIdx([3], Uint8Array.from([9, 0, 3]))));
  writeFileSync(join(dir, FASHION_MNIST_FILES.testImages), encodeIdx([2, 28, 28], test));
  writeFileSync(join(dir, FASHION_MNIST_FILES.testLabels), encodeIdx([2], Uint8Array.from([1, 8])));
  return { train, test };
}

describe('loadFashionMnist on a fake dataset', () => {
  test('reads the user directory exactly (gzipped and plain files mixed)', () => {
    const dir = join(tmp, 'flat');
    const bytes = fake(dir);
    const fm = loadFashionMnist({ dir, defaultLocations: [] });
    expect(fm.dir).toBe(dir);
    expect(fm.train.size).toBe(3);
    expect(fm.train.shape).toEqual([28, 28, 1]);
    expect(fm.train.name).toBe('fashion-mnist:train');
    expect([...fm.train.labels]).toEqual([9, 0, 3]);
    expect([...fm.test.labels]).toEqual([1, 8]);
    expect(fm.train.images).toEqual(Float32Array.from(bytes.train, (p) => p / 255));
    expect(fm.test.images).toEqual(Float32Array.from(bytes.test, (p) => p / 255));
  });
  test('finds the files in DIR/fashion-mnist/ too, and the user directory comes before the defaults', () => {
    fake(join(tmp, 'parent', 'fashion-mnist'));
    fake(join(tmp, 'default'));
    expect(findFashionMnist({ dir: join(tmp, 'parent'), defaultLocations: [join(tmp, 'default')] }).dir).toBe(join(tmp, 'parent', 'fashion-mnist'));
    expect(findFashionMnist({ dir: join(tmp, 'absent'), defaultLocations: [join(tmp, 'default')] }).dir).toBe(join(tmp, 'default'));
  });
  test('missing → DatasetMissingError listing each place searched, what it lacked, and how to get the data', () => {
    const partial = join(tmp, 'partial');
    mkdirSync(partial);
    writeFileSync(join(partial, `${FASHION_MNIST_FILES.trainImages}.gz`), gzipSync(encodeIdx([1], Uint8Array.from([0]))));
    let err: unknown;
    try {
      loadFashionMnist({ dir: join(tmp, 'nowhere'), defaultLocations: [partial] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetMissingError);
    const e = err as DatasetMissingError;
    expect(e.argument).toBe('fashion-mnist');
    expect(e.looked).toEqual([
      `${join(tmp, 'nowhere')}: no such directory`,
      `${join(tmp, 'nowhere', 'fashion-mnist')}: no such directory`,
      `${partial}: missing train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]`,
    ]);
    expect(e.message).toContain('apt-get install dataset-fashion-mnist');
    expect(e.message).toContain('--data-dir PATH');
  });
  test('the default search includes the Debian directory', () => {
    expect(FASHION_MNIST_DEFAULT_LOCATIONS).toContain(DEBIAN_FASHION_MNIST_DIR);
    let where: string;
    try {
      where = findFashionMnist({ dir: join(tmp, 'nowhere') }).dir;
    } catch (e) {
      where = (e as DatasetMissingError).looked[2];
    }
    expect(where.startsWith(DEBIAN_FASHION_MNIST_DIR)).toBe(true);
  });
});

function debianPresent(): boolean {
  try {
    findFashionMnist({ defaultLocations: [DEBIAN_FASHION_MNIST_DIR] });
    return true;
  } catch {
    return false;
  }
}
const present = debianPresent();
const realName = present
  ? `real Fashion-MNIST from ${DEBIAN_FASHION_MNIST_DIR}: 60000 train / 10000 test, 6000 / 1000 per class`
  : `real Fashion-MNIST — SKIPPED: not installed at ${DEBIAN_FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`;

describe('real Fashion-MNIST', () => {
  test.skipIf(!present)(realName, () => {
    const t0 = performance.now();
    const fm = loadFashionMnist({ defaultLocations: [DEBIAN_FASHION_MNIST_DIR] });
    const ms = performance.now() - t0;
    console.log(`Fashion-MNIST IDX load (4 gzipped files, 70000 images → float32): ${ms.toFixed(0)} ms`);
    expect(fm.train.size).toBe(60000);
    expect(fm.test.size).toBe(10000);
    expect(fm.train.shape).toEqual([28, 28, 1]);
    expect([...classCounts(fm.train)]).toEqual(new Array(10).fill(6000));
    expect([...classCounts(fm.test)]).toEqual(new Array(10).fill(1000));
    // Independent reference (Python gzip + struct on the same files).
    expect([...fm.train.labels.subarray(0, 12)]).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9]);
    expect([...fm.test.labels.subarray(0, 12)]).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5]);
    const byteSum = (a: Float32Array): number => a.reduce((s, v) => s + Math.round(v * 255), 0);
    expect(byteSum(fm.train.images.subarray(0, 784))).toBe(76247);
    expect(byteSum(fm.test.images.subarray(0, 784))).toBe(33456);
  });
});
