/**
 * The architecture-search study (src/tune/archSearch.ts), CI-sized: the 2-node MLP cell (3 mixed edges ×
 * {dense-relu, dense-tanh, identity, zero}), width 8, on the first 200 embedded-MNIST training examples
 * (loadData then keeps 50 validation and 50 test examples), 1 search epoch and 1 retraining epoch, batches of
 * 50, on wasm. One study (darts1, delta-stn, random; seed 0) is run once and then read by the other tests:
 * files, records, the random baseline's budget and pick, resuming, a grown seed list, a changed setting, and the
 * determinism and fairness of search and retraining. The pure parts (trial count, validation, softmax weights,
 * summary, table) are checked on their own.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test as fcTest, fc } from '@fast-check/vitest';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { cellSpaceSpecs, deriveGenotype } from '../../src/nas/genotype.js';
import { genotypeText, MLP_OPS, CNN_OPS, type CellSpaceKind } from '../../src/nas/space.js';
import { HyperSpace } from '../../src/nn/hyper.js';
import {
  archSearchTable,
  archWeightPlots,
  edgeSoftmax,
  randomTrials,
  readArchRecords,
  retrain,
  runArchSearch,
  searchRun,
  summarizeArchSearch,
  validateArchSearchConfig,
  type ArchMethodSummary,
  type ArchRecord,
  type ArchSearchConfig,
  type RetrainResult,
} from '../../src/tune/archSearch.js';
import { temporaryDirectories } from '../helpers.js';
import { thrown as thrownAs } from '../throws.js';

const thrown = (f: () => unknown): InvalidArgumentError => thrownAs(f, InvalidArgumentError);

const tmp = temporaryDirectories();

beforeAll(async () => {
  await initBackend('wasm');
});

const config: ArchSearchConfig = {
  space: 'mlp-cell',
  dataset: 'mnist',
  methods: ['darts1', 'delta-stn', 'random'],
  seeds: [0],
  searchEpochs: 1,
  retrainEpochs: 1,
  nodes: 2,
  width: 8,
  trainSize: 200,
  batchSize: 50,
  lrWeights: 0.05,
  lrHyper: 0.03,
  trainSteps: 1,
  backend: 'wasm',
};

/** Every number in a JSON value (recursively). */
function numbers(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(numbers);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(numbers);
  return [];
}

/** A retraining result without its wall time (the only field that differs between identical runs). */
function timeless(r: RetrainResult): Omit<RetrainResult, 'seconds'> {
  const { seconds: _seconds, ...rest } = r;
  return rest;
}

describe('pure parts', () => {
  test.each([
    [1, 1, 2],
    [10, 10, 2],
    [3, 1, 4],
    [5, 2, 4], // round(3.5) = 4
    [1, 3, 1], // round(4/3) = 1
    [2, 4, 2], // round(1.5) = 2
    [1, 10, 1], // round(1.1) = 1, and never below 1
    [50, 10, 6],
  ])('randomTrials(S=%i, E=%i) = %i = max(1, round((S+E)/E))', (s, e, n) => {
    expect(randomTrials({ searchEpochs: s, retrainEpochs: e })).toBe(n);
  });

  test.each([
    [{ space: 'bogus' as CellSpaceKind }, '--space'],
    [{ dataset: 'cifar10' as ArchSearchConfig['dataset'] }, '--dataset'],
    [{ methods: [] }, '--method'],
    [{ methods: ['darts1', 'bogus'] as ArchSearchConfig['methods'] }, '--method'],
    [{ seeds: [] }, '--seeds'],
    [{ seeds: [-1] }, '--seeds'],
    [{ seeds: [0.5] }, '--seeds'],
    [{ searchEpochs: 0 }, '--search-epochs'],
    [{ retrainEpochs: 1.5 }, '--retrain-epochs'],
    [{ nodes: 0 }, '--nodes'],
    [{ width: 1.5 }, '--width'],
    [{ width: 0 }, '--width'],
    [{ trainSize: -1 }, '--train-size'],
    [{ batchSize: 0 }, '--batch-size'],
    [{ trainSteps: 0 }, '--train-steps'],
    [{ lrWeights: -1 }, '--lr'],
    [{ lrWeights: 0 }, '--lr'],
    [{ lrWeights: Infinity }, '--lr'],
    [{ lrHyper: NaN }, '--lr-hyper'],
  ])('validateArchSearchConfig rejects %j naming %s', (patch, flag) => {
    expect(() => validateArchSearchConfig(config)).not.toThrow();
    const e = thrown(() => validateArchSearchConfig({ ...config, ...patch }));
    expect(e.argument).toBe(flag);
  });

  test('runArchSearch validates before it creates anything', async () => {
    const dir = join(tmp('deltastn-arch-bad-'), 'study');
    await expect(runArchSearch({ ...config, width: 1.5 }, dir)).rejects.toThrow(/--width/);
    expect(existsSync(dir)).toBe(false);
  });

  // edgeSoftmax goes through the library's float64 softmax; the reference here is an independent float64
  // softmax (log-sum-exp shifted). Both are float64 over ≤ 5 terms of logits in [-20, 20]: they may differ by
  // a few ulps of the order of operations, far below 1e-12.
  fcTest.prop([fc.constantFrom<CellSpaceKind>('mlp-cell', 'cnn-cell'), fc.integer({ min: 1, max: 3 }), fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 30, maxLength: 30 })])(
    'edgeSoftmax: every edge sums to 1 and equals a float64 softmax of its own logits',
    (kind, nodes, pool) => {
      const space = new HyperSpace(cellSpaceSpecs(kind, nodes));
      const lambda = space.names.map((_, k) => pool[k % pool.length] + k * 1e-3);
      const w = edgeSoftmax(kind, space.names, lambda);
      const ops = kind === 'mlp-cell' ? MLP_OPS : CNN_OPS;
      const edges = [...new Set(space.names.map((n) => n.split('/')[0]))];
      expect(Object.keys(w).sort()).toEqual(edges.sort());
      for (const e of edges) {
        expect(Object.keys(w[e])).toEqual([...ops]);
        const logits = ops.map((op) => lambda[space.index(`${e}/${op}`)]);
        const top = Math.max(...logits);
        const z = logits.reduce((s, a) => s + Math.exp(a - top), 0);
        ops.forEach((op, j) => expect(Math.abs(w[e][op] - Math.exp(logits[j] - top) / z)).toBeLessThan(1e-12));
        expect(Math.abs(ops.reduce((s, op) => s + w[e][op], 0) - 1)).toBeLessThan(1e-12);
      }
    },
  );

  test('edgeSoftmax reads logits by name, not by position', () => {
    const space = new HyperSpace(cellSpaceSpecs('mlp-cell', 1));
    const names = [...space.names].reverse();
    const lambda = names.map((n) => (n === 'e01/identity' ? 2 : 0));
    const w = edgeSoftmax('mlp-cell', names, lambda);
    const e2 = Math.exp(2);
    expect(w.e01.identity).toBeCloseTo(e2 / (e2 + 3), 14);
    expect(w.e01['dense-relu']).toBeCloseTo(1 / (e2 + 3), 14);
  });

  test('summary: random reports the best of its n trials by validation (not test) accuracy; incomplete methods are left out', () => {
    const c: ArchSearchConfig = { ...config, methods: ['darts1', 'random'], seeds: [0, 1], searchEpochs: 5, retrainEpochs: 2 }; // n = round(3.5) = 4: n·E = 8 epochs against S+E = 7
    const res = (text: string, val: number, test: number, seconds = 1): RetrainResult => ({
      genotype: { kind: 'mlp-cell', nodes: 2, edges: [] },
      text,
      epochs: 1,
      train: { loss: 1, accuracy: 0.5 },
      val: { loss: 1, accuracy: val },
      test: { loss: 1, accuracy: test },
      seconds,
    });
    const rand = (seed: number, trial: number, val: number, test: number): ArchRecord => ({ kind: 'random', method: 'random', seed, trial, retrain: res(`r${seed}.${trial}`, val, test, 2), backend: 'wasm' });
    const records: ArchRecord[] = [
      rand(0, 0, 0.3, 0.9),
      rand(0, 1, 0.6, 0.1),
      rand(0, 2, 0.5, 0.5),
      rand(0, 3, 0.2, 0.95),
      rand(0, 4, 0.99, 0.99), // trial ≥ n (another budget): ignored
      rand(1, 0, 0.7, 0.7), // seed 1 has 1 of its 4 trials: not counted
      { kind: 'search', method: 'darts1', seed: 0, searchEpochs: [], alpha: [], searchSeconds: 5, retrain: res('d0', 0.4, 0.45), backend: 'wasm' },
      { kind: 'search', method: 'darts1', seed: 1, searchEpochs: [], alpha: [], searchSeconds: 7, retrain: res('d1', 0.6, 0.55), backend: 'wasm' },
    ];
    const s = summarizeArchSearch(c, records);
    expect(s.map((m) => m.method)).toEqual(['darts1', 'random']);
    const [d, r] = s;
    expect(d.test.mean).toBeCloseTo(0.5, 14);
    expect(d.test.std).toBeCloseTo(Math.sqrt(0.005), 14);
    expect(d.epochs).toBe(7);
    expect(d.seconds).toBeCloseTo(7, 14); // (5+1 + 7+1)/2
    expect(r.seeds).toEqual([{ seed: 0, genotype: 'r0.1', val: 0.6, test: 0.1, seconds: 8 }]);
    expect(r.test).toEqual({ mean: 0.1, std: null, n: 1 });
    expect(r.epochs).toBe(8);
    expect(summarizeArchSearch({ ...c, methods: ['random'] }, records.slice(1, 4))).toEqual([]);
    // A tie in validation accuracy goes to the earlier trial whatever the line order (workers append records as
    // they finish): trial 2 ties trial 1 at 0.6 here, listed before it.
    const tied = [rand(0, 0, 0.3, 0.9), rand(0, 2, 0.6, 0.5), rand(0, 1, 0.6, 0.1), rand(0, 3, 0.2, 0.95)];
    expect(summarizeArchSearch({ ...c, methods: ['random'] }, tied)[0].seeds[0].genotype).toBe('r0.1');
    expect(summarizeArchSearch({ ...c, methods: ['random'] }, [...tied].reverse())[0].seeds[0].genotype).toBe('r0.1');
  });

  test('archSearchTable: a header, one row per method with mean ± std and each seed\u2019s genotype', () => {
    const m = (method: ArchMethodSummary['method'], tests: number[], genotypes: string[]): ArchMethodSummary => {
      const mean = tests.reduce((a, b) => a + b, 0) / tests.length;
      const std = tests.length < 2 ? null : Math.sqrt(tests.reduce((a, x) => a + (x - mean) ** 2, 0) / (tests.length - 1));
      return { method, test: { mean, std, n: tests.length }, val: { mean: 0.5, std: null, n: tests.length }, seeds: genotypes.map((g, i) => ({ seed: i, genotype: g, val: 0.5, test: tests[i], seconds: 1 })), epochs: 2, seconds: 3 };
    };
    const t = archSearchTable({ ...config, seeds: [0, 1] }, [m('darts2', [0.8, 0.9], ['e01:dense-relu e02:identity e12:-', 'e01:dense-tanh e02:- e12:identity']), m('random', [0.7, 0.7], ['a', 'b'])]);
    const rows = t.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^\| darts2 \| 85\.00 ± 7\.07 \| 50\.00 \| 2 \| 3 \| `e01:dense-relu e02:identity e12:-`<br>`e01:dense-tanh e02:- e12:identity` \|$/);
    expect(rows[2]).toMatch(/^\| random \| 70\.00 ± 0\.00 \|/);
    expect(t).toContain('random: 2 uniform architectures');
  });
});

describe('a tiny study end to end (darts1, delta-stn, random; seed 0)', () => {
  const dir = join(tmp('deltastn-arch-'), 'study');
  let first: Awaited<ReturnType<typeof runArchSearch>>;
  let records: ArchRecord[];
  const n = randomTrials(config); // 2

  beforeAll(async () => {
    first = await runArchSearch(config, dir);
    records = readArchRecords(join(dir, 'runs.jsonl'));
  });

  test('writes runs.jsonl, summary.json, table.md and one weight plot per gradient method and edge', () => {
    expect(first.ran).toBe(2 + n);
    expect(first.skipped).toBe(0);
    expect(first.backend).toBe('wasm');
    const files = readdirSync(dir).sort();
    for (const f of ['config.json', 'runs.jsonl', 'summary.json', 'table.md']) expect(files).toContain(f);
    const svgs = files.filter((f) => f.startsWith('weights-') && f.endsWith('.svg'));
    expect(svgs).toEqual(['darts1', 'delta-stn'].flatMap((m) => ['e01', 'e02', 'e12'].map((e) => `weights-${m}-${e}.svg`)).sort());
    for (const f of svgs) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(dir, 'table.md'), 'utf8')).toBe(first.table + '\n');
    expect(archWeightPlots(config, records).map((p) => p.name).sort()).toEqual(svgs);
  });

  test('records are finite and complete: one search per gradient method, all n random trials', () => {
    expect(records).toHaveLength(2 + n);
    for (const r of records) {
      expect(numbers(r).every(Number.isFinite)).toBe(true);
      expect(r.seed).toBe(0);
      expect(r.backend).toBe('wasm');
      expect(r.retrain.epochs).toBe(config.retrainEpochs);
      for (const a of [r.retrain.train.accuracy, r.retrain.val.accuracy, r.retrain.test.accuracy]) {
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
      }
      // The val and test sets hold ceil(200/4) = 50 examples: accuracies are multiples of 1/50.
      for (const a of [r.retrain.val.accuracy, r.retrain.test.accuracy]) expect(Math.abs(a * 50 - Math.round(a * 50))).toBeLessThan(1e-9);
    }
    const searches = records.filter((r) => r.kind === 'search');
    expect(searches.map((r) => r.method).sort()).toEqual(['darts1', 'delta-stn']);
    for (const r of searches) {
      if (r.kind !== 'search') continue;
      expect(r.alpha).toHaveLength(12);
      expect(r.searchEpochs).toHaveLength(config.searchEpochs);
      for (const e of Object.values(r.searchEpochs[0].weights)) expect(Math.abs(Object.values(e).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      // The search moved α away from its uniform start (one epoch = 4 hyper steps of Adam at lr 0.03).
      expect(r.alpha.some((a) => a !== 0)).toBe(true);
    }
    const trials = records.filter((r) => r.kind === 'random').map((r) => (r.kind === 'random' ? r.trial : -1));
    expect(trials.sort()).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  test('the summary: random reports its best trial by validation accuracy; epochs are S+E for a search, n·E for random', () => {
    const random = records.filter((r) => r.kind === 'random');
    const bestVal = Math.max(...random.map((r) => r.retrain.val.accuracy));
    const best = random.find((r) => r.retrain.val.accuracy === bestVal);
    const byMethod = new Map(first.summary.map((m) => [m.method, m]));
    expect([...byMethod.keys()]).toEqual(config.methods);
    const r = byMethod.get('random');
    expect(r?.seeds[0]).toMatchObject({ seed: 0, genotype: best?.retrain.text, val: bestVal, test: best?.retrain.test.accuracy });
    expect(r?.epochs).toBe(n * config.retrainEpochs);
    for (const m of ['darts1', 'delta-stn'] as const) {
      const s = byMethod.get(m);
      const rec = records.find((x) => x.kind === 'search' && x.method === m);
      expect(s?.epochs).toBe(config.searchEpochs + config.retrainEpochs);
      expect(s?.test).toEqual({ mean: rec?.retrain.test.accuracy, std: null, n: 1 });
      expect(s?.seeds[0].genotype).toBe(rec?.retrain.text);
    }
    const saved = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { config: ArchSearchConfig; backend: string; methods: ArchMethodSummary[] };
    expect(saved.methods).toEqual(first.summary);
    expect(saved.config).toEqual(config);
    // The table: one row per method with its mean test accuracy and its genotype text.
    for (const m of first.summary) {
      const row = first.table.split('\n').find((l) => l.startsWith(`| ${m.method} |`));
      expect(row).toBeDefined();
      expect(row).toContain(`| ${(100 * m.test.mean).toFixed(2)} |`);
      expect(row).toContain(`\`${m.seeds[0].genotype}\``);
    }
    expect(first.table.split('\n').filter((l) => /^\| [a-z]/.test(l) && !l.startsWith('| method'))).toHaveLength(config.methods.length);
  });

  test('the searched genotype is DARTS\u2019s discretization of the record\u2019s α', () => {
    const space = new HyperSpace(cellSpaceSpecs(config.space, config.nodes));
    for (const r of records) {
      if (r.kind !== 'search') continue;
      const g = deriveGenotype(config.space, config.nodes, space, r.alpha);
      expect(r.retrain.genotype).toEqual(g);
      expect(r.retrain.text).toBe(genotypeText(g));
      expect(r.searchEpochs[0].weights).toEqual(edgeSoftmax(config.space, space.names, r.alpha));
    }
  });

  test('determinism and fair retraining: a search rerun with its seed and a retrain of any recorded genotype reproduce the record', async () => {
    // darts1 (deterministic given the batches) and delta-stn (it also samples ε through the trainer's Rng).
    for (const method of ['darts1', 'delta-stn'] as const) {
      const rec = records.find((r) => r.kind === 'search' && r.method === method);
      if (!rec || rec.kind !== 'search') throw new Error(`no ${method} record`);
      const again = await searchRun(config, method, 0, 'wasm');
      if (again.kind !== 'search') throw new Error('not a search record');
      // JSON round-trips a float64 exactly, so the saved α must equal the fresh one bit for bit.
      expect(again.alpha).toEqual(rec.alpha);
      expect(timeless(again.retrain)).toEqual(timeless(rec.retrain));
      expect(again.searchEpochs.map((e) => [e.train, e.val, e.weights])).toEqual(rec.searchEpochs.map((e) => [e.train, e.val, e.weights]));
    }
    // Fair retraining: a random trial's genotype retrained outside the study gives the study's numbers (the
    // retraining stream depends on the seed only, not on the method that found the genotype), every time, and
    // leaves no tensor behind.
    const trial = records.find((r) => r.kind === 'random');
    if (!trial) throw new Error('no random record');
    const before = tf.memory().numTensors;
    const a = await retrain(config, trial.retrain.genotype, 0);
    const mid = tf.memory().numTensors;
    const b = await retrain(config, trial.retrain.genotype, 0);
    expect(tf.memory().numTensors).toBe(mid);
    expect(mid).toBe(before);
    expect(timeless(a)).toEqual(timeless(b));
    expect(timeless(a)).toEqual(timeless(trial.retrain));
  });

  test('resume: the same config runs nothing and writes the same summary; a new seed runs only its jobs; a changed setting is refused naming --out', async () => {
    const summaryText = readFileSync(join(dir, 'summary.json'), 'utf8');
    const again = await runArchSearch(config, dir);
    expect([again.ran, again.skipped]).toEqual([0, 2 + n]);
    expect(again.summary).toEqual(first.summary);
    expect(again.table).toBe(first.table);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe(summaryText);
    expect(readArchRecords(join(dir, 'runs.jsonl'))).toHaveLength(2 + n);

    // A grown seed list runs only the new seed's jobs, and appends them after the old records unchanged.
    const grown = await runArchSearch({ ...config, seeds: [0, 1] }, dir);
    expect([grown.ran, grown.skipped]).toEqual([2 + n, 2 + n]);
    const all = readArchRecords(join(dir, 'runs.jsonl'));
    expect(all).toHaveLength(2 * (2 + n));
    expect(all.slice(0, 2 + n)).toEqual(records);
    expect(all.slice(2 + n).every((r) => r.seed === 1)).toBe(true);
    expect(grown.summary.map((m) => m.seeds.map((s) => s.seed))).toEqual(config.methods.map(() => [0, 1]));
    // Another seed searches from another initialisation and data split: α differs.
    const alpha = (seed: number): number[] | undefined => {
      const r = all.find((x) => x.kind === 'search' && x.method === 'darts1' && x.seed === seed);
      return r?.kind === 'search' ? r.alpha : undefined;
    };
    expect(alpha(1)).not.toEqual(alpha(0));

    const before = readFileSync(join(dir, 'runs.jsonl'), 'utf8');
    await expect(runArchSearch({ ...config, width: 4 }, dir)).rejects.toThrow(/--out/);
    await expect(runArchSearch({ ...config, searchEpochs: 2 }, dir)).rejects.toSatisfy((e: unknown) => e instanceof InvalidArgumentError && e.argument === '--out');
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8')).toBe(before);
  });
});

describe('DARTS-2 settings reach the trainer', () => {
  test('--darts-xi 0 makes darts2 first order: its α follows darts1\u2019s; the default ξ (the learning rate) and a larger R0 move it elsewhere', async () => {
    const alpha = async (over: Partial<ArchSearchConfig>, method: 'darts1' | 'darts2'): Promise<number[]> => {
      const r = await searchRun({ ...config, ...over }, method, 0, 'wasm');
      if (r.kind !== 'search') throw new Error('not a search record');
      return r.alpha;
    };
    const first = await alpha({}, 'darts1');
    const xi0 = await alpha({ dartsXi: 0 }, 'darts2');
    const gap = (a: number[], b: number[]): number => Math.max(...a.map((x, k) => Math.abs(x - b[k])));
    // Paired search (same initialisation and batches for every method of a seed). ξ = 0 gives w′ = w and no
    // product term; the α-gradient then differs from darts1's only by float32 rounding of a differently taped
    // pass (≲ 1e-6 relative), which Adam's normalised steps keep ≲ 1e-4 after the 4 steps of this epoch.
    expect(gap(xi0, first)).toBeLessThan(1e-4);
    const xiDefault = await alpha({}, 'darts2');
    expect(gap(xiDefault, first)).toBeGreaterThan(1e-3);
    const bigR = await alpha({ dartsScale: 1 }, 'darts2');
    expect(gap(bigR, xiDefault)).toBeGreaterThan(1e-6);
  });
});

describe('interrupted and small-CNN runs', () => {
  test('an old directory (runs.jsonl only) with a torn last line (a kill mid-write): the line is ignored, its job redone, and the records after it are readable', async () => {
    const dir = join(tmp('deltastn-arch-torn-'), 'study');
    const c: ArchSearchConfig = { ...config, methods: ['random'] };
    const n = randomTrials(c);
    expect((await runArchSearch(c, dir)).ran).toBe(n);
    // The records live in the study store (issue 19); runs.jsonl is only read when an old directory without its
    // study is migrated. Make this one such a directory: no study.db.
    for (const f of ['study.db', 'study.db-wal', 'study.db-shm']) rmSync(join(dir, f), { force: true });
    const path = join(dir, 'runs.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    // Cut the last record in half, as a kill during appendFileSync would.
    writeFileSync(path, lines.slice(0, n - 1).join('\n') + '\n' + lines[n - 1].slice(0, 40));
    expect(readArchRecords(path)).toHaveLength(n - 1);
    const resumed = await runArchSearch({ ...c, seeds: [0, 1] }, dir);
    expect([resumed.ran, resumed.skipped]).toEqual([1 + n, n - 1]);
    // Every job finished is on disk: a third run has nothing to redo.
    expect(readArchRecords(path)).toHaveLength(2 * n);
    expect((await runArchSearch({ ...c, seeds: [0, 1] }, dir)).ran).toBe(0);
  });

  test('cnn-cell (width 2, 100 examples): darts1 searches 15 logits, discretizes by DARTS\u2019s rule, retrains, and leaves no tensor behind', async () => {
    const c: ArchSearchConfig = { ...config, space: 'cnn-cell', methods: ['darts1'], width: 2, trainSize: 100 };
    const before = tf.memory().numTensors;
    const r = await searchRun(c, 'darts1', 0, 'wasm');
    expect(tf.memory().numTensors).toBe(before);
    if (r.kind !== 'search') throw new Error('not a search record');
    expect(r.alpha).toHaveLength(3 * CNN_OPS.length);
    expect(numbers(r).every(Number.isFinite)).toBe(true);
    expect(r.alpha.some((a) => a !== 0)).toBe(true);
    const space = new HyperSpace(cellSpaceSpecs('cnn-cell', 2));
    expect(r.retrain.genotype).toEqual(deriveGenotype('cnn-cell', 2, space, r.alpha));
    expect(Object.keys(r.searchEpochs[0].weights.e01)).toEqual([...CNN_OPS]);
    // The val and test sets hold ceil(100/4) = 25 examples.
    for (const a of [r.retrain.val.accuracy, r.retrain.test.accuracy]) expect(Math.abs(a * 25 - Math.round(a * 25))).toBeLessThan(1e-9);
  });
});
