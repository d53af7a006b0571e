/**
 * The IDX file format (LeCun et al., the MNIST / Fashion-MNIST distribution format), read and written.
 *
 * Layout: a 4-byte magic `0x00 0x00 T D` (T = element type, 0x08 for unsigned bytes; D = number of
 * dimensions), then D big-endian uint32 sizes, then the elements in row-major order. Images are
 * `0x00000803` (N × rows × cols), labels `0x00000801` (N). Files may be gzipped; since an IDX file always
 * begins with a zero byte, the gzip signature `1f 8b` tells the two apart without trusting the file name.
 *
 * Node-only (reads files). Every malformed input throws {@link DatasetFormatError} naming the file.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InvalidArgumentError } from '../errors.js';
import { createDataset, DatasetFormatError, type Dataset } from './dataset.js';

/** Element type code of unsigned bytes, the only type MNIST-style files use (and the only one read here). */
export const IDX_UBYTE = 0x08;
/** Magic number of an image file: unsigned bytes, 3 dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of a label file: unsigned bytes, 1 dimension. */
export const IDX_LABELS_MAGIC = 0x00000801;

/** A decoded IDX array of unsigned bytes: `dims` and the row-major elements. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

function hex(x: number): string {
  return `0x${(x >>> 0).toString(16).padStart(8, '0')}`;
}

/** True when `bytes` start with the gzip signature 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes IDX bytes (gzipped or not) of unsigned-byte elements.
 *
 * @param bytes the file contents
 * @param file the file's path, used only to name it in errors
 * @param expectedDims when given, the number of dimensions the magic must announce (3 for images, 1 for labels)
 * @throws DatasetFormatError (argument = `file`) on a corrupt gzip stream, a bad magic, an unsupported
 *   element type, a zero dimension, or a length different from 4 + 4·D + ∏ dims.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims?: number): IdxArray {
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new DatasetFormatError(file, `corrupt gzip stream (${(e as Error).message})`);
    }
  }
  if (raw.length < 4) throw new DatasetFormatError(file, `too short for an IDX header (${raw.length} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0, false);
  const type = raw[2];
  const ndims = raw[3];
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new DatasetFormatError(file, `bad IDX magic ${hex(magic)} (must begin with two zero bytes)`);
  }
  if (type !== IDX_UBYTE) {
    const name = TYPE_NAMES[type] ?? 'unknown';
    throw new DatasetFormatError(file, `bad IDX magic ${hex(magic)}: element type 0x${type.toString(16)} (${name}) is not supported, only 0x08 (unsigned byte)`);
  }
  if (ndims === 0) throw new DatasetFormatError(file, `bad IDX magic ${hex(magic)}: zero dimensions`);
  if (expectedDims !== undefined && ndims !== expectedDims) {
    const want = (0x800 | expectedDims) >>> 0;
    throw new DatasetFormatError(file, `bad IDX magic ${hex(magic)}: expected ${hex(want)} (${expectedDims} dimension${expectedDims === 1 ? '' : 's'}), got ${ndims}`);
  }
  const header = 4 + 4 * ndims;
  if (raw.length < header) throw new DatasetFormatError(file, `truncated header: ${ndims} dimensions need ${header} bytes, the file has ${raw.length}`);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    if (n === 0) throw new DatasetFormatError(file, `dimension ${d} is 0`);
    dims.push(n);
    count *= n;
  }
  const expected = header + count;
  if (raw.length !== expected) {
    const what = raw.length < expected ? 'truncated data' : 'trailing bytes after the data';
    throw new DatasetFormatError(file, `${what}: dims ${dims.join('×')} need ${expected} bytes, the file has ${raw.length}`);
  }
  // A plain Uint8Array view (not a Node Buffer) over the elements, so callers see one type either way.
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + header, count) };
}

/** Reads and decodes an IDX file; see {@link parseIdx}. Missing or unreadable file → DatasetFormatError. */
export function readIdx(path: string, expectedDims?: number): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DatasetFormatError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseIdx(bytes, path, expectedDims);
}

/**
 * Encodes an unsigned-byte IDX array (uncompressed). The inverse of {@link parseIdx}; gzip the result with
 * `node:zlib` for a `.gz` file.
 *
 * @throws InvalidArgumentError when a dimension is not a positive integer below 2³² or `data.length ≠ ∏ dims`.
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255) throw new InvalidArgumentError('dims', '1 to 255 dimensions', dims.length);
  let count = 1;
  dims.forEach((n, d) => {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new InvalidArgumentError(`dims[${d}]`, 'a positive integer < 2^32', n);
    count *= n;
  });
  if (data.length !== count) throw new InvalidArgumentError('data', `${count} bytes (the product of dims)`, data.length);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/**
 * Builds a grayscale {@link Dataset} from an IDX image file (N × H × W bytes, 0x00000803) and an IDX label
 * file (N bytes, 0x00000801): pixel p ↦ p / 255 (so 0 ↦ 0 and 255 ↦ 1), shape [H, W, 1].
 *
 * @param name the dataset's name
 * @param images the decoded image file, and its path for errors
 * @param labels the decoded label file, and its path for errors
 * @param classes the number of classes; a label ≥ `classes` is a format error of the label file
 */
export function idxToDataset(
  name: string,
  images: { idx: IdxArray; file: string },
  labels: { idx: IdxArray; file: string },
  classes: number,
): Dataset {
  const [n, h, w] = images.idx.dims;
  if (images.idx.dims.length !== 3) throw new DatasetFormatError(images.file, `expected 3 dimensions (N×H×W), got ${images.idx.dims.length}`);
  if (labels.idx.dims.length !== 1) throw new DatasetFormatError(labels.file, `expected 1 dimension (N), got ${labels.idx.dims.length}`);
  if (labels.idx.dims[0] !== n) {
    throw new DatasetFormatError(labels.file, `${labels.idx.dims[0]} labels for ${n} images (in ${images.file})`);
  }
  const src = images.idx.data;
  const pixels = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) pixels[i] = src[i] / 255;
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels.idx.data[i];
    if (l >= classes) throw new DatasetFormatError(labels.file, `label ${l} at index ${i} is not in [0, ${classes})`);
    lab[i] = l;
  }
  return createDataset(name, pixels, lab, [h, w, 1], classes);
}
