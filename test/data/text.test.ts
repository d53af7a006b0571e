/**
 * Text corpora (src/data/text.ts): the Moby Dick package loads (≥ 1M characters), the split by sections is
 * seeded, disjoint and complete, tokenisation round-trips, and the BPTT windows are the streams' consecutive
 * slices (a property test over sizes), with typed errors for impossible requests.
 */
import fc from 'fast-check';
import { test as fcTest } from '@fast-check/vitest';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { UNK, batchify, bpttWindow, buildVocabulary, detokenize, loadTextCorpus, splitText, tokenize, windowCount, type TextSection, type TextSplit } from '../../src/data/text.js';

let sections: TextSection[];
let split: TextSplit;

beforeAll(() => {
  sections = loadTextCorpus('moby-dick');
  split = splitText('moby-dick', sections, 7);
});

describe('corpus and split', () => {
  test('Moby Dick: 139 sections, 1 212 868 characters; unknown names are typed errors', () => {
    expect(sections.length).toBe(139);
    expect(sections.reduce((a, s) => a + s.text.length, 0)).toBe(1_212_868);
    expect(sections[3].title).toBe('Loomings.');
    expect(sections[3].text.startsWith('Call me Ishmael.')).toBe(true);
    expect(() => loadTextCorpus('war-and-peace' as 'moby-dick')).toThrow(InvalidArgumentError);
  });

  test('the split is seeded, disjoint, complete, in book order, with about the asked fractions', () => {
    const parts = [split.sections.train, split.sections.val, split.sections.test];
    expect(parts.flat().sort((a, b) => a - b)).toEqual(sections.map((_, i) => i));
    for (const p of parts) expect(p).toEqual([...p].sort((a, b) => a - b));
    const chars = (idx: number[]): number => idx.reduce((a, i) => a + sections[i].text.length, 0);
    const total = chars(parts.flat());
    for (const p of [split.sections.val, split.sections.test]) {
      expect(chars(p) / total).toBeGreaterThanOrEqual(0.05);
      expect(chars(p) / total).toBeLessThan(0.05 + 0.02); // one section more at most (the longest is 1.9%)
    }
    // Same seed, same split; another seed, another (on 40 short sections: the permutation is what the seed fixes).
    const small = Array.from({ length: 40 }, (_, i) => ({ title: `s${i}`, text: `section ${i} `.repeat(1 + (i % 7)) }));
    const a = splitText('small', small, 7);
    expect(splitText('small', small, 7)).toEqual(a);
    expect(splitText('small', small, 8).sections.test).not.toEqual(a.sections.test);
    // Character level: the vocabulary is the whole corpus's code points, so <unk> never occurs.
    expect(split.vocab.size).toBe(new Set(Array.from(sections.map((s) => s.text).join('\n\n'))).size + 1);
    for (const part of [split.train, split.val, split.test]) expect(part.includes(UNK)).toBe(false);
    expect(split.train.length + split.val.length + split.test.length).toBe(total + 2 * (parts.reduce((a, p) => a + p.length, 0) - 3));
  });

  test('tokenisation: characters round-trip; words lower-cased, rare words <unk>, vocabulary capped', () => {
    const text = sections[3].text;
    expect(detokenize(tokenize(text, split.vocab), split.vocab)).toBe(text);
    const vocab = buildVocabulary(['The whale, the WHALE! the sea.'], 'word', { minCount: 2 });
    expect(vocab.tokens).toEqual(['<unk>', 'the', 'whale']);
    expect(Array.from(tokenize('The sea whale', vocab))).toEqual([1, UNK, 2]);
    expect(buildVocabulary(['a b c d e'], 'word', { maxSize: 3 }).size).toBe(3);
    // Word level: the vocabulary comes from the training part; validation words it lacks are <unk>.
    const small = Array.from({ length: 30 }, (_, i) => ({ title: `s${i}`, text: `the whale ${i} and the sea ${i * 7}. ` }));
    const words = splitText('small', small, 3, { level: 'word', maxVocabulary: 8, minCount: 1 });
    expect(words.vocab.size).toBe(8);
    expect(words.vocab.tokens.slice(1, 4)).toEqual(['the', '.', 'and']);
    expect(words.val.includes(UNK)).toBe(true);
    expect(() => buildVocabulary([], 'byte' as 'char')).toThrow(/level/);
  });
});

describe('BPTT batching', () => {
  fcTest.prop([fc.integer({ min: 2, max: 300 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 })], { numRuns: 60 })(
    'window k holds positions kT … kT + T − 1 of every stream (time-major) and their successors; windows continue each other',
    (n, B, T) => {
      fc.pre(Math.floor(n / B) >= T + 1);
      const tokens = Int32Array.from({ length: n }, (_, i) => i);
      const s = batchify(tokens, B);
      const L = Math.floor(n / B);
      expect(s.length).toBe(L);
      const windows = windowCount(s, T);
      expect(windows).toBe(Math.floor((L - 1) / T));
      for (let k = 0; k < windows; k++) {
        const w = bpttWindow(s, k, T);
        const pos = Array.from({ length: T * B }, (_, r) => Math.floor(r % B) * L + k * T + Math.floor(r / B));
        expect(Array.from(w.inputs)).toEqual(pos);
        expect(Array.from(w.targets)).toEqual(pos.map((p) => p + 1));
      }
      // A subset of streams keeps their order.
      const sub = bpttWindow(s, 0, T, [B - 1]);
      expect(sub.inputs[0]).toBe((B - 1) * L);
    },
  );

  test('typed errors: too many streams, a window out of range, a bad stream, bad fractions', () => {
    const tokens = Int32Array.from({ length: 10 }, (_, i) => i);
    expect(() => batchify(tokens, 6)).toThrow(/streams/);
    const s = batchify(tokens, 2);
    expect(() => bpttWindow(s, 2, 2)).toThrow(/\bk\b/);
    expect(() => bpttWindow(s, 0, 2, [2])).toThrow(/rows/);
    expect(() => windowCount(s, 0)).toThrow(/bptt/);
    expect(() => splitText('moby-dick', sections, 1, { valFraction: 0.7 })).toThrow(/valFraction/);
    expect(() => splitText('moby-dick', sections.slice(0, 2), 1)).toThrow(/sections/);
  });
});
