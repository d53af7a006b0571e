/**
 * Fuzzing every state-file reader with malformed and extreme input (fast-check, seeded by test/setup.ts):
 * checkpoints (src/nn/checkpoint.ts, and the tune configuration saved in them: src/cli/tune.ts resumeConfig),
 * `trials.jsonl` and `config.json` of a comparison study (src/tune/study.ts), `runs.jsonl` and `config.json` of
 * an architecture search (src/tune/archSearch.ts), a tune run's `log.jsonl` and `summary.json`, and the report
 * over each kind of directory (src/report/html.ts).
 *
 * The inputs start from real files written by CI-sized runs (a 2-epoch tune run, a one-seed study of Δ-STN and
 * random search, a one-seed search of DARTS-1 and random) and are damaged: a random field set to an arbitrary
 * JSON value or deleted, the text replaced by arbitrary text or cut short, a bit flipped in checkpoint.bin,
 * JSONL lines mixed from good records, damaged records, arbitrary JSON and arbitrary text. The contract:
 * a reader returns only well-formed records (counting the rest) or throws a typed error ({@link DeltaStnError}:
 * CheckpointError / StateFileError / InvalidArgumentError) naming the file or field — never a TypeError,
 * RangeError or a silent load of a damaged checkpoint — and the report either renders or refuses with a typed
 * error.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { DeltaStnError } from '../../src/errors.js';
import { CheckpointError, loadCheckpoint, readJsonLines, saveCheckpoint } from '../../src/nn/checkpoint.js';
import { resumeConfig, runTune } from '../../src/cli/tune.js';
import { isArchRecord, readArchRecordFile, readArchSearchConfig, runArchSearch } from '../../src/tune/archSearch.js';
import { isRunLogLine, validateTuneConfig } from '../../src/tune/factory.js';
import { isTrialRecord, readStudyConfig, readTrials, runStudy } from '../../src/tune/study.js';
import { writeReport } from '../../src/tune/reports.js';
import { temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();
let fresh = 0;
const scratch = (): string => {
  const d = join(tmp('deltastn-fuzz-state-'), `d${fresh++}`);
  mkdirSync(d);
  return d;
};

const dirs = { run: '', study: '', search: '' };

beforeAll(async () => {
  dirs.run = join(tmp('deltastn-fuzz-run-'), 'run');
  await runTune({ model: 'mlp', dataset: 'mnist', method: 'delta-stn', epochs: 2, seed: 1, batchSize: 32, trainSize: 128, width: 0.02, warmupEpochs: 0, lrWeights: 0.05, lrHyper: 0.03, hparams: {}, backend: 'cpu' }, dirs.run);
  dirs.study = join(tmp('deltastn-fuzz-study-'), 'study');
  await runStudy({ model: 'mlp', dataset: 'mnist', methods: ['delta-stn', 'random'], seeds: [0], budgetEpochs: 2, trialEpochs: 1, batchSize: 32, trainSize: 64, width: 0.02, warmupEpochs: 0, lrWeights: 0.05, lrHyper: 0.03, backend: 'cpu' }, dirs.study);
  dirs.search = join(tmp('deltastn-fuzz-search-'), 'search');
  await runArchSearch({ space: 'mlp-cell', dataset: 'mnist', methods: ['darts1', 'random'], seeds: [0], searchEpochs: 2, retrainEpochs: 1, nodes: 2, width: 4, trainSize: 64, batchSize: 32, lrWeights: 0.05, lrHyper: 0.03, trainSteps: 1, backend: 'cpu' }, dirs.search);
}, 180_000);

// ---------------------------------------------------------------------------------------------------------
// Damage
// ---------------------------------------------------------------------------------------------------------

type Path = (string | number)[];

/** Every path to a value inside `v` (the root included as []). */
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** `v` with the value at `path` replaced (or deleted when `value` is the symbol DELETE). */
const DELETE = Symbol('delete');
function edit(v: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value === DELETE ? undefined : value;
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === DELETE) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

/** Extreme JSON values: what a hostile or broken writer could leave in a field. */
const extreme = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, 0, 1e308, -1e308, 5e-324, 2 ** 53 + 2, 1.5, '', 'NaN', [], {}, [[]], { lambda: [] }, true),
);

/** A damaged copy of a JSON value: one field set to an extreme value, or deleted. */
function damaged(value: unknown): fc.Arbitrary<unknown> {
  const all = paths(value);
  return fc.tuple(fc.constantFrom(...all), fc.oneof({ arbitrary: extreme, weight: 4 }, { arbitrary: fc.constant(DELETE), weight: 1 })).map(([p, v]) => edit(value, p, v));
}

/** Damaged JSON text: a damaged value, arbitrary text, or the good text cut short. */
function damagedText(value: unknown): fc.Arbitrary<string> {
  const text = JSON.stringify(value);
  return fc.oneof(
    { arbitrary: damaged(value).map((v) => JSON.stringify(v) ?? ''), weight: 6 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)), weight: 1 },
  );
}

/** JSONL text mixing good lines, damaged lines, arbitrary JSON and arbitrary text. */
function jsonl(good: readonly unknown[]): fc.Arbitrary<string> {
  const line = fc.oneof(
    { arbitrary: fc.constantFrom(...good).map((g) => JSON.stringify(g)), weight: 3 },
    { arbitrary: fc.constantFrom(...good).chain((g) => damagedText(g)), weight: 4 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), weight: 1 },
    { arbitrary: fc.constantFrom('null', '{}', '42', '[]', '"x"'), weight: 1 },
  );
  return fc.array(line, { maxLength: 6 }).map((ls) => ls.join('\n'));
}

/** Runs `f`; a typed error is fine (returned), anything else fails the property with the input. */
function typedOrOk(f: () => unknown, input: unknown): DeltaStnError | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof DeltaStnError) return e;
    throw new Error(`untyped ${(e as Error)?.name}: ${(e as Error)?.message} for input ${JSON.stringify(input)?.slice(0, 400)}`);
  }
}

const lines = (path: string): unknown[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as unknown);

// ---------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------

describe('checkpoints', () => {
  test('a damaged checkpoint.json never loads silently: CheckpointError, or (an edit that changed nothing) the same state', () => {
    const manifest = JSON.parse(readFileSync(join(dirs.run, 'checkpoint.json'), 'utf8')) as unknown;
    const original = loadCheckpoint(dirs.run);
    fc.assert(
      fc.property(damagedText(manifest), (text) => {
        const d = scratch();
        cpSync(join(dirs.run, 'checkpoint.bin'), join(d, 'checkpoint.bin'));
        writeFileSync(join(d, 'checkpoint.json'), text);
        let loaded: ReturnType<typeof loadCheckpoint> | null = null;
        try {
          loaded = loadCheckpoint(d);
        } catch (e) {
          if (!(e instanceof CheckpointError)) throw new Error(`${(e as Error).name}: ${(e as Error).message} for ${text.slice(0, 300)}`);
          expect(e.message).toMatch(/checkpoint/);
          return;
        }
        // Loaded: only possible when the text parses to the same manifest (e.g. a value set to itself).
        expect(JSON.parse(text)).toEqual(manifest);
        expect(loaded.meta).toEqual(original.meta);
      }),
      { numRuns: 150 },
    );
  });

  test('a damaged checkpoint.bin (cut short, one bit flipped) is a CheckpointError', () => {
    const bin = readFileSync(join(dirs.run, 'checkpoint.bin'));
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: bin.length - 1 }).map((n) => ({ cut: n, flip: -1, bit: 0 })), fc.tuple(fc.integer({ min: 0, max: bin.length - 1 }), fc.integer({ min: 0, max: 7 })).map(([i, b]) => ({ cut: bin.length, flip: i, bit: b }))), ({ cut, flip, bit }) => {
        const d = scratch();
        cpSync(join(dirs.run, 'checkpoint.json'), join(d, 'checkpoint.json'));
        const b = Buffer.from(bin.subarray(0, cut));
        if (flip >= 0) b[flip] ^= 1 << bit;
        writeFileSync(join(d, 'checkpoint.bin'), b);
        expect(() => loadCheckpoint(d)).toThrow(CheckpointError);
      }),
      { numRuns: 60 },
    );
  });

  test('a damaged configuration saved with a valid digest: resumeConfig returns a valid configuration or a CheckpointError naming meta', () => {
    const { state, meta } = loadCheckpoint(dirs.run);
    fc.assert(
      fc.property(damaged(meta), (m) => {
        const d = scratch();
        saveCheckpoint(d, state, m === undefined ? null : m);
        let cfg: unknown;
        try {
          cfg = resumeConfig(d);
        } catch (e) {
          if (!(e instanceof CheckpointError)) throw new Error(`${(e as Error).name}: ${(e as Error).message} for meta ${JSON.stringify(m)}`);
          expect(e.message).toMatch(/meta/);
          return;
        }
        expect(() => validateTuneConfig(cfg, () => {
          throw new Error('invalid');
        })).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });
});

describe('JSONL records and configurations; the report over them', () => {
  test('trials.jsonl and config.json of a study', () => {
    const good = lines(join(dirs.study, 'trials.jsonl'));
    const config = JSON.parse(readFileSync(join(dirs.study, 'config.json'), 'utf8')) as unknown;
    expect(good.every(isTrialRecord)).toBe(true);
    fc.assert(
      fc.property(jsonl(good), fc.oneof({ arbitrary: fc.constant(JSON.stringify(config)), weight: 3 }, { arbitrary: damagedText(config), weight: 1 }), (text, configText) => {
        const d = scratch();
        writeFileSync(join(d, 'trials.jsonl'), text);
        writeFileSync(join(d, 'config.json'), configText);
        const { records, bad } = readTrials(join(d, 'trials.jsonl'));
        expect(records.every(isTrialRecord)).toBe(true);
        expect(records.length + bad).toBeLessThanOrEqual(text.split('\n').filter((l) => l.trim()).length);
        typedOrOk(() => readStudyConfig(join(d, 'config.json'), 'DIR'), configText);
        typedOrOk(() => writeReport(d), { text, configText });
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  test('runs.jsonl and config.json of a search', () => {
    const good = lines(join(dirs.search, 'runs.jsonl'));
    const config = JSON.parse(readFileSync(join(dirs.search, 'config.json'), 'utf8')) as unknown;
    expect(good.every(isArchRecord)).toBe(true);
    fc.assert(
      fc.property(jsonl(good), fc.oneof({ arbitrary: fc.constant(JSON.stringify(config)), weight: 3 }, { arbitrary: damagedText(config), weight: 1 }), (text, configText) => {
        const d = scratch();
        writeFileSync(join(d, 'runs.jsonl'), text);
        writeFileSync(join(d, 'config.json'), configText);
        const { records } = readArchRecordFile(join(d, 'runs.jsonl'));
        expect(records.every(isArchRecord)).toBe(true);
        typedOrOk(() => readArchSearchConfig(join(d, 'config.json'), 'DIR'), configText);
        typedOrOk(() => writeReport(d), { text, configText });
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  test('log.jsonl and summary.json of a tune run', () => {
    const good = lines(join(dirs.run, 'log.jsonl'));
    const summary = JSON.parse(readFileSync(join(dirs.run, 'summary.json'), 'utf8')) as unknown;
    expect(good.every(isRunLogLine)).toBe(true);
    fc.assert(
      fc.property(jsonl(good), fc.oneof({ arbitrary: fc.constant(JSON.stringify(summary)), weight: 2 }, { arbitrary: damagedText(summary), weight: 1 }), (text, summaryText) => {
        const d = scratch();
        writeFileSync(join(d, 'log.jsonl'), text);
        writeFileSync(join(d, 'summary.json'), summaryText);
        const { records } = readJsonLines(join(d, 'log.jsonl'), 'DIR', isRunLogLine);
        expect(records.every(isRunLogLine)).toBe(true);
        typedOrOk(() => writeReport(d), { text, summaryText });
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
