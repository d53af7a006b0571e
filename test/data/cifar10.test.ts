/**
 * src/data/cifar10.ts on small files the test writes: the channel-major (R plane, G plane, B plane) →
 * NHWC conversion checked exactly on every byte, the batch order, the two directory layouts, and the
 * typed errors (missing data names the places searched; damaged files name the file).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10Batch } from '../../src/data/cifar10.js';
import { DatasetFormatError, DatasetMissingError } from '../../src/data/dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'deltastn-cifar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The byte of record r, channel c, row y, column x in our synthetic files (distinct across c, y, x). */
function pixel(r: number, c: number, y: number, x: number): number {
  return (r * 31 + c * 97 + y * 7 + x * 3) % 256;
}

/** `n` records in the binary format, labels `labels[r]`, pixel bytes from {@link pixel} with record ids first…first+n−1. */
function records(labels: number[], first = 0): Uint8Array {
  const out = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, k) => {
    const off = k * CIFAR10_RECORD_BYTES;
    out[off] = label;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[off + 1 + c * 1024 + y * 32 + x] = pixel(first + k, c, y, x);
  });
  return out;
}

describe('parseCifar10Batch', () => {
  test('a hand-placed pixel lands at NHWC (y, x, c)', () => {
    const bytes = new Uint8Array(CIFAR10_RECORD_BYTES);
    bytes[0] = 7;
    bytes[1 + 0 * 1024 + 1 * 32 + 2] = 255; // R at (y=1, x=2)
    bytes[1 + 1 * 1024 + 0 * 32 + 0] = 51; // G at (0, 0)
    bytes[1 + 2 * 1024 + 31 * 32 + 31] = 102; // B at (31, 31)
    const ds = parseCifar10Batch(bytes, 'one.bin');
    expect(ds.shape).toEqual([32, 32, 3]);
    expect([...ds.labels]).toEqual([7]);
    const nonzero = [...ds.images.entries()].filter(([, v]) => v !== 0);
    expect(nonzero).toEqual([
      [(0 * 32 + 0) * 3 + 1, Math.fround(51 / 255)],
      [(1 * 32 + 2) * 3 + 0, 1],
      [(31 * 32 + 31) * 3 + 2, Math.fround(102 / 255)],
    ]);
  });
  test('every byte of 3 records: images[((r·32 + y)·32 + x)·3 + c] = byte(r, c, y, x)/255', () => {
    const ds = parseCifar10Batch(records([3, 0, 9]), 'three.bin');
    expect([...ds.labels]).toEqual([3, 0, 9]);
    let bad = 0;
    for (let r = 0; r < 3; r++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) {
      if (ds.images[((r * 32 + y) * 32 + x) * 3 + c] !== Math.fround(pixel(r, c, y, x) / 255)) bad++;
    }
    expect(bad).toBe(0);
  });
  test('bad length or label → DatasetFormatError naming the file', () => {
    expect(() => parseCifar10Batch(new Uint8Array(CIFAR10_RECORD_BYTES + 1), 'x.bin')).toThrow(DatasetFormatError);
    expect(() => parseCifar10Batch(new Uint8Array(0), 'x.bin')).toThrow(/^x\.bin: length 0 is not a positive multiple of 3073/);
    const bytes = records([1, 10]);
    expect(() => parseCifar10Batch(bytes, 'y.bin')).toThrow(/^y\.bin: record 1: label byte 10/);
  });
});

/** Writes the six files: data_batch_k holds k records (ids continuing across batches), test_batch 2. */
function fakeDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  let id = 0;
  CIFAR10_FILES.train.forEach((f, k) => {
    const labels = Array.from({ length: k + 1 }, (_, j) => (id + j) % 10);
    writeFileSync(join(dir, f), records(labels, id));
    id += k + 1;
  });
  writeFileSync(join(dir, CIFAR10_FILES.test), records([4, 2], 100));
}

describe('loadCifar10', () => {
  test('train = batches 1…5 concatenated in order, test = test_batch; both layouts', () => {
    fakeDir(join(tmp, 'flat'));
    fakeDir(join(tmp, 'above', 'cifar-10-batches-bin'));
    for (const [dir, used] of [[join(tmp, 'flat'), join(tmp, 'flat')], [join(tmp, 'above'), join(tmp, 'above', 'cifar-10-batches-bin')]]) {
      const c = loadCifar10({ dir });
      expect(c.dir).toBe(used);
      expect(c.train.size).toBe(15);
      expect(c.train.name).toBe('cifar10:train');
      expect([...c.train.labels]).toEqual(Array.from({ length: 15 }, (_, i) => i % 10));
      // Example 14 (the last of batch 5) has id 14; check a few of its pixels.
      for (const [y, x, ch] of [[0, 0, 0], [5, 17, 1], [31, 30, 2]]) {
        expect(c.train.images[((14 * 32 + y) * 32 + x) * 3 + ch]).toBe(Math.fround(pixel(14, ch, y, x) / 255));
      }
      expect(c.test.size).toBe(2);
      expect([...c.test.labels]).toEqual([4, 2]);
      expect(c.test.images[(1 * 32 * 32 + 3 * 32 + 4) * 3 + 2]).toBe(Math.fround(pixel(101, 2, 3, 4) / 255));
    }
  });
  test('missing → DatasetMissingError: each place searched, what was missing, and "fetch it yourself"', () => {
    const partial = join(tmp, 'partial');
    mkdirSync(partial);
    writeFileSync(join(partial, 'data_batch_1.bin'), records([0]));
    const f = (): unknown => loadCifar10({ dir: partial });
    expect(f).toThrow(DatasetMissingError);
    expect(f).toThrow(`${partial}: missing data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin`);
    expect(f).toThrow(`${join(partial, 'cifar-10-batches-bin')}: no such directory`);
    expect(f).toThrow(/binary version yourself.*--data-dir PATH/s);
    expect(() => loadCifar10()).toThrow(/^cifar10: dataset not found[\s\S]*no directory given/);
  });
  test('a damaged file in an otherwise complete directory → DatasetFormatError naming it', () => {
    const dir = join(tmp, 'damaged');
    fakeDir(dir);
    writeFileSync(join(dir, 'data_batch_3.bin'), new Uint8Array(100));
    expect(() => loadCifar10({ dir })).toThrow(`${join(dir, 'data_batch_3.bin')}: length 100`);
  });
});
