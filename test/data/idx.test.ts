/**
 * src/data/idx.ts: IDX decoding against hand-written bytes (so encoder and decoder cannot share a bug),
 * round trips through plain and gzipped files, and a typed error naming the file for each kind of damage.
 */
import { test, fc } from '@fast-check/vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect } from 'vitest';
import { DatasetFormatError } from '../../src/data/dataset.js';
import { encodeIdx, idxToDataset, isGzip, parseIdx, readIdx } from '../../src/data/idx.js';
import { thrown as thrownAs } from '../throws.js';

const caught = (f: () => unknown): DatasetFormatError => thrownAs(f, DatasetFormatError);

const tmp = mkdtempSync(join(tmpdir(), 'deltastn-idx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

// 1 image of 2×2 (magic 0x00000803), and 3 labels (magic 0x00000801), written byte by byte.
const IMAGE_BYTES = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 64, 128, 255]);
const LABEL_BYTES = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 9]);

describe('parseIdx on hand-written bytes', () => {
  test('images and labels', () => {
    const im = parseIdx(IMAGE_BYTES, 'im');
    expect(im.dims).toEqual([1, 2, 2]);
    expect([...im.data]).toEqual([0, 64, 128, 255]);
    const lb = parseIdx(LABEL_BYTES, 'lb', 1);
    expect(lb.dims).toEqual([3]);
    expect([...lb.data]).toEqual([5, 0, 9]);
  });
  test('dimensions are big-endian uint32', () => {
    // dims [258] = 0x00000102: a little-endian reader would see 0x02010000.
    const bytes = new Uint8Array(8 + 258);
    bytes.set([0, 0, 8, 1, 0, 0, 1, 2]);
    expect(parseIdx(bytes, 'be').dims).toEqual([258]);
  });
  test('encodeIdx writes exactly those bytes', () => {
    expect(encodeIdx([1, 2, 2], Uint8Array.from([0, 64, 128, 255]))).toEqual(IMAGE_BYTES);
    expect(encodeIdx([3], Uint8Array.from([5, 0, 9]))).toEqual(LABEL_BYTES);
  });
});

describe('files, plain and gzipped', () => {
  test('readIdx reads back a plain and a gzipped file exactly', () => {
    const data = Uint8Array.from({ length: 3 * 5 * 4 }, (_, i) => (i * 37) % 256);
    const bytes = encodeIdx([3, 5, 4], data);
    const plain = write('a-idx3-ubyte', bytes);
    const gz = write('a-idx3-ubyte.gz', gzipSync(bytes));
    expect(isGzip(gzipSync(bytes))).toBe(true);
    expect(isGzip(bytes)).toBe(false);
    for (const path of [plain, gz]) {
      const r = readIdx(path, 3);
      expect(r.dims).toEqual([3, 5, 4]);
      expect(r.data).toEqual(data);
    }
    // Detection is by content, not by name: a gzipped file without .gz and a plain one with .gz both read.
    expect(readIdx(write('gz-no-suffix', gzipSync(bytes))).data).toEqual(data);
    expect(readIdx(write('plain.gz', bytes)).data).toEqual(data);
  });
  test.prop([fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.integer({ min: 0, max: 255 })], { numRuns: 30 })(
    'round trip: parseIdx(encodeIdx(dims, data)) = (dims, data)',
    (dims, zip, salt) => {
      const n = dims.reduce((a, b) => a * b, 1);
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + salt) % 256);
      const enc = encodeIdx(dims, data);
      const r = parseIdx(zip ? gzipSync(enc) : enc, 'rt');
      expect(r.dims).toEqual(dims);
      expect(r.data).toEqual(data);
    },
  );
});

describe('damaged files → DatasetFormatError naming the file', () => {
  const good = encodeIdx([2, 3, 3], new Uint8Array(18).fill(7));
  const cases: [string, Uint8Array, RegExp][] = [
    ['nonzero first byte', Uint8Array.from([1, ...good.subarray(1)]), /bad IDX magic 0x01000803/],
    ['element type float32 (0x0d)', Uint8Array.from([0, 0, 0x0d, ...good.subarray(3)]), /element type 0xd \(float32\)/],
    ['label magic where images were expected', encodeIdx([3], Uint8Array.from([1, 2, 3])), /expected 0x00000803 \(3 dimensions\), got 1/],
    ['truncated data', good.subarray(0, good.length - 1), /truncated data: dims 2×3×3 need 34 bytes, the file has 33/],
    ['trailing bytes', Uint8Array.from([...good, 0]), /trailing bytes/],
    ['truncated header', good.subarray(0, 10), /truncated header/],
    ['shorter than the magic', Uint8Array.from([0, 0]), /too short/],
    ['zero dimension', Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]), /dimension 0 is 0/],
    ['corrupt gzip stream', Uint8Array.from([...gzipSync(good).subarray(0, 20), 1, 2, 3]), /corrupt gzip/],
  ];
  for (const [what, bytes, message] of cases) {
    test(what, () => {
      const path = write(`bad-${what.replace(/\W+/g, '-')}`, bytes);
      const e = caught(() => readIdx(path, 3));
      expect(e.argument).toBe(path);
      expect(e.message).toMatch(message);
    });
  }
  test('a missing file', () => {
    const path = join(tmp, 'nope');
    const e = caught(() => readIdx(path));
    expect(e.argument).toBe(path);
    expect(e.message).toMatch(/ENOENT/);
  });
});

describe('idxToDataset', () => {
  test('pixels p ↦ p/255 (as float32), labels copied, shape [H, W, 1]', () => {
    const ds = idxToDataset('t', { idx: parseIdx(IMAGE_BYTES, 'im'), file: 'im' }, { idx: parseIdx(encodeIdx([1], Uint8Array.from([4])), 'lb'), file: 'lb' }, 10);
    expect(ds.shape).toEqual([2, 2, 1]);
    expect([...ds.images]).toEqual([0, 64, 128, 255].map((p) => Math.fround(p / 255)));
    expect(ds.images[3]).toBe(1);
    expect([...ds.labels]).toEqual([4]);
  });
  test('a count mismatch or a label ≥ classes names the label file', () => {
    const im = { idx: parseIdx(IMAGE_BYTES, 'im'), file: 'im' };
    expect(caught(() => idxToDataset('t', im, { idx: parseIdx(LABEL_BYTES, 'lb'), file: 'lb' }, 10)).message).toMatch(/^lb: 3 labels for 1 images/);
    expect(caught(() => idxToDataset('t', im, { idx: parseIdx(encodeIdx([1], Uint8Array.from([10])), 'lb'), file: 'lb' }, 10)).argument).toBe('lb');
  });
});
