/**
 * src/data/dataset.ts: validation, seeded permutation, split, subset/gather, epoch batching, and the
 * missing-dataset error. All checks are exact (integers, or float32 values copied without arithmetic).
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  batchCount, batches, classCounts, createDataset, DatasetMissingError, gather, shuffledIndices, splitCounts,
  splitDataset, subset, type Dataset,
} from '../../src/data/dataset.js';
import { DeltaStnError, InvalidArgumentError, ShapeMismatchError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';

/** N images of 2×3×2 whose pixels identify (example, position): pixel j of example n = ((5n + j) mod 256)/255. */
function toy(n: number, classes = 3): Dataset {
  const per = 12;
  const images = new Float32Array(n * per);
  for (let i = 0; i < n; i++) for (let j = 0; j < per; j++) images[i * per + j] = ((5 * i + j) % 256) / 255;
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  return createDataset('toy', images, labels, [2, 3, 2], classes);
}

function row(ds: Dataset, i: number): Float32Array {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  return ds.images.subarray(i * per, (i + 1) * per);
}

function isPermutation(p: Int32Array, n: number): boolean {
  return p.length === n && [...p].sort((a, b) => a - b).every((v, i) => v === i);
}

describe('createDataset', () => {
  test('keeps the arrays and derives size', () => {
    const ds = toy(5);
    expect(ds.size).toBe(5);
    expect(ds.shape).toEqual([2, 3, 2]);
    expect(ds.images.length).toBe(60);
  });
  test('rejects wrong lengths, bad labels, pixels outside [0, 1] and NaN, bad shapes', () => {
    const labels = new Int32Array([0, 1]);
    expect(() => createDataset('x', new Float32Array(7), labels, [2, 2, 1], 2)).toThrow(ShapeMismatchError);
    expect(() => createDataset('x', new Float32Array(8), new Int32Array([0, 2]), [2, 2, 1], 2)).toThrow(/labels\[1\]/);
    expect(() => createDataset('x', new Float32Array(8), new Int32Array([-1, 0]), [2, 2, 1], 2)).toThrow(/labels\[0\]/);
    const img = new Float32Array(8);
    img[3] = 1.5;
    expect(() => createDataset('x', img, labels, [2, 2, 1], 2)).toThrow(/images\[3\]/);
    img[3] = NaN;
    expect(() => createDataset('x', img, labels, [2, 2, 1], 2)).toThrow(InvalidArgumentError);
    expect(() => createDataset('x', new Float32Array(8), labels, [2, 0, 4], 2)).toThrow(/shape/);
    expect(() => createDataset('x', new Float32Array(8), labels, [2, 2, 1], 0)).toThrow(/classes/);
  });
});

describe('shuffledIndices', () => {
  test.prop([fc.integer({ min: 0, max: 300 }), fc.integer()], { numRuns: 50 })('is a permutation, reproduced by the same seed', (n, seed) => {
    const a = shuffledIndices(n, new Rng(seed));
    expect(isPermutation(a, n)).toBe(true);
    expect(shuffledIndices(n, new Rng(seed))).toEqual(a);
  });
  test('different seeds give different permutations; every position is reached (not the identity)', () => {
    const a = shuffledIndices(100, new Rng(1));
    const b = shuffledIndices(100, new Rng(2));
    expect(a).not.toEqual(b);
    // Position 0 over many seeds takes many values: the swap reaches index 0 (a Fisher–Yates off-by-one would not).
    const firsts = new Set(Array.from({ length: 200 }, (_, s) => shuffledIndices(10, new Rng(s))[0]));
    expect(firsts.size).toBe(10);
    const lasts = new Set(Array.from({ length: 200 }, (_, s) => shuffledIndices(10, new Rng(s))[9]));
    expect(lasts.size).toBe(10);
  });
});

describe('gather and subset', () => {
  test('copy the requested rows in order', () => {
    const ds = toy(20);
    const idx = [7, 0, 19, 7];
    const g = gather(ds, idx);
    expect([...g.labels]).toEqual(idx.map((i) => ds.labels[i]));
    idx.forEach((i, k) => expect(g.images.subarray(k * 12, (k + 1) * 12)).toEqual(row(ds, i)));
    const s = subset(ds, idx, 'part');
    expect(s.name).toBe('part');
    expect(s.size).toBe(4);
    expect(row(s, 2)).toEqual(row(ds, 19));
    // A copy, not a view.
    g.images[0] = 0.5;
    expect(ds.images[7 * 12]).not.toBe(0.5);
  });
  test('reject out-of-range and fractional indices, naming the position', () => {
    const ds = toy(4);
    expect(() => gather(ds, [0, 4])).toThrow(/indices\[1\]/);
    expect(() => gather(ds, [1.5])).toThrow(/indices\[0\]/);
    expect(() => gather(ds, [-1])).toThrow(InvalidArgumentError);
  });
  test('classCounts', () => {
    expect([...classCounts(toy(10, 3))]).toEqual([4, 3, 3]);
  });
});

describe('splitDataset', () => {
  test.prop([fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer()], { numRuns: 40 })(
    'counts: disjoint parts of the requested sizes, rows copied from the source, same seed → same split',
    (n, a, b, seed) => {
      const ds = toy(n);
      const counts = { train: Math.min(a, n), val: Math.min(b, n - Math.min(a, n)), test: 0 };
      counts.test = Math.floor((n - counts.train - counts.val) / 2);
      const s = splitDataset(ds, { counts }, seed);
      expect([s.train.size, s.val.size, s.test.size]).toEqual([counts.train, counts.val, counts.test]);
      const all = [...s.indices.train, ...s.indices.val, ...s.indices.test];
      expect(new Set(all).size).toBe(all.length);
      s.indices.val.forEach((i, k) => {
        expect(row(s.val, k)).toEqual(row(ds, i));
        expect(s.val.labels[k]).toBe(ds.labels[i]);
      });
      const again = splitDataset(ds, { counts }, seed);
      expect(again.indices).toEqual(s.indices);
      expect(again.test.images).toEqual(s.test.images);
    },
  );
  test('fractions: the parts cover N exactly (test takes the rounding remainder); different seeds differ', () => {
    const ds = toy(101);
    const s = splitDataset(ds, { fractions: { train: 0.7, val: 0.15, test: 0.15 } }, 3);
    expect([s.train.size, s.val.size, s.test.size]).toEqual([71, 15, 15]);
    expect(isPermutation(Int32Array.from([...s.indices.train, ...s.indices.val, ...s.indices.test]), 101)).toBe(true);
    expect(s.train.name).toBe('toy:train');
    const t = splitDataset(ds, { fractions: { train: 0.7, val: 0.15, test: 0.15 } }, 4);
    expect(t.indices.train).not.toEqual(s.indices.train);
    // An Rng is accepted in place of a seed and gives the same split as that seed.
    expect(splitDataset(ds, { fractions: { train: 0.7, val: 0.15, test: 0.15 } }, new Rng(3)).indices).toEqual(s.indices);
  });
  test('bad specs are typed errors naming the field', () => {
    expect(() => splitCounts(10, { fractions: { train: 0.5, val: 0.2, test: 0.2 } })).toThrow(/fractions/);
    expect(() => splitCounts(10, { fractions: { train: -0.1, val: 0.6, test: 0.5 } })).toThrow(/fractions\.train/);
    expect(() => splitCounts(10, { counts: { train: 6, val: 3, test: 2 } })).toThrow(/counts/);
    expect(() => splitCounts(10, { counts: { train: 1.5, val: 0, test: 0 } })).toThrow(/counts\.train/);
  });
});

describe('batches', () => {
  test.prop([fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.integer()], { numRuns: 60 })(
    'one epoch covers each example once (minus the partial batch with dropLast), in batches of B',
    (n, bs, dropLast, seed) => {
      const out = [...batches({ size: n }, bs, new Rng(seed), { dropLast })];
      expect(out.length).toBe(batchCount(n, bs, dropLast));
      const flat = out.flatMap((b) => [...b]);
      const kept = dropLast ? n - (n % bs) : n;
      expect(flat.length).toBe(kept);
      expect(new Set(flat).size).toBe(kept);
      expect(flat.every((i) => i >= 0 && i < n)).toBe(true);
      out.slice(0, -1).forEach((b) => expect(b.length).toBe(bs));
      if (out.length > 0) expect(out[out.length - 1].length).toBe(dropLast || n % bs === 0 ? bs : n % bs);
    },
  );
  test('seeded: the same seed gives the same batches; the rng advances at the call, not during iteration', () => {
    const a = [...batches({ size: 50 }, 8, new Rng(9))];
    expect([...batches({ size: 50 }, 8, new Rng(9))]).toEqual(a);
    expect([...batches({ size: 50 }, 8, new Rng(10))]).not.toEqual(a);
    const r1 = new Rng(5);
    const r2 = new Rng(5);
    batches({ size: 50 }, 8, r1); // not iterated
    Array.from(batches({ size: 50 }, 8, r2)); // fully iterated
    expect(r1.nextUint32()).toBe(r2.nextUint32());
    // Two successive epochs from one generator differ.
    const rng = new Rng(1);
    expect([...batches({ size: 50 }, 50, rng)][0]).not.toEqual([...batches({ size: 50 }, 50, rng)][0]);
  });
  test('shuffle: false gives dataset order and leaves the rng untouched', () => {
    const rng = new Rng(2);
    const out = [...batches({ size: 7 }, 3, rng, { shuffle: false })];
    expect(out.map((b) => [...b])).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(rng.nextUint32()).toBe(new Rng(2).nextUint32());
  });
  test('rejects a non-positive batch size', () => {
    expect(() => batches({ size: 5 }, 0, new Rng(1))).toThrow(/batchSize/);
    expect(() => batches({ size: 5 }, 2.5, new Rng(1))).toThrow(InvalidArgumentError);
  });
});

describe('DatasetMissingError', () => {
  test('names the dataset and lists every place searched and every way to get it', () => {
    const e = new DatasetMissingError('fashion-mnist', ['/a: no such directory', '/b: missing x.gz'], ['apt-get install foo', 'or --data-dir PATH']);
    expect(e).toBeInstanceOf(DeltaStnError);
    expect(e.name).toBe('DatasetMissingError');
    expect(e.argument).toBe('fashion-mnist');
    expect(e.message).toMatch(/^fashion-mnist: dataset not found/);
    for (const s of ['/a: no such directory', '/b: missing x.gz', 'apt-get install foo', '--data-dir PATH']) expect(e.message).toContain(s);
    expect(e.looked).toEqual(['/a: no such directory', '/b: missing x.gz']);
  });
});
