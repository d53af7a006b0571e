/**
 * `deltastn search` through the CLI entry point: typed errors exit 2 and name the flag with nothing on stdout
 * and nothing written; the parsed defaults and method lists; a tiny study (2-node MLP cell, width 8, 200
 * examples, 1 + 1 epochs, wasm) runs, prints its table, resumes with nothing to redo, and refuses a changed
 * setting in the same directory. `--workers` is parsed (typed errors, not part of config.json), and the summary
 * does not depend on the order of the lines of runs.jsonl (with workers, records arrive as their jobs finish).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_SEARCH_METHODS, parseSearchArgs } from '../../src/cli/search.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { temporaryDirectories, runCli } from '../helpers.js';

const tmp = temporaryDirectories();

const run = runCli;

/** Small settings, so that a check that regressed fails fast instead of starting a full-size search. */
const SMALL = ['--search-epochs', '1', '--retrain-epochs', '1', '--nodes', '2', '--width', '8', '--train-size', '200', '--batch-size', '50', '--backend', 'wasm'];

describe('deltastn search: bad input', () => {
  test.each([
    [['--space', 'bogus'], '--space'],
    [['--dataset', 'imagenet'], '--dataset'],
    [['--method', 'bogus'], '--method'],
    [['--method', 'darts1,sgd'], '--method'],
    [['--method', 'random,darts1,random'], '--method'], // a method twice would be run and tabled twice
    [['--search-epochs', '0'], '--search-epochs'],
    [['--retrain-epochs', '1.5'], '--retrain-epochs'],
    [['--width', '1.5'], '--width'],
    [['--nodes', '0'], '--nodes'],
    [['--seeds', '0'], '--seeds'],
    [['--seed', '-1'], '--seed'],
    [['--train-size', 'many'], '--train-size'],
    [['--lr=-1'], '--lr'],
    [['--lr', '-1'], '--lr'], // node's parseArgs refuses a value starting with '-' and names the option
    [['--lr', '0'], '--lr'],
    [['--lr-hyper', 'Infinity'], '--lr-hyper'],
    [['--train-steps', '0'], '--train-steps'],
    [['--darts-scale', '0'], '--darts-scale'],
    [['--darts-xi', '-0.1'], '--darts-xi'],
    [['--darts-xi', 'x'], '--darts-xi'],
    [['--backend', 'gpu'], '--backend'],
    [['--workers', '0'], '--workers'],
    [['--workers', '1.5'], '--workers'],
    [['--storage', 'mysql://h/db'], '--storage'],
    [['--storage', 'sqlite:'], '--storage'],
    [['--lease', '0'], '--lease'],
    [['--bogus'], 'bogus'],
    [['stray'], 'stray'],
  ])('%j exits 2 naming %s, nothing on stdout, nothing written', async (args, flag) => {
    const dir = join(tmp('deltastn-search-bad-'), 'study');
    const r = await run('search', ...SMALL, ...(args.includes('--method') ? [] : ['--method', 'random']), ...args, '--out', dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(flag);
    expect(r.err).not.toContain('unexpected error');
    expect(existsSync(dir)).toBe(false);
  });

  test('parseSearchArgs throws the typed error naming the flag', () => {
    for (const [args, flag] of [
      [['--space', 'bogus'], '--space'],
      [['--method', 'bogus'], '--method'],
      [['--search-epochs', '0'], '--search-epochs'],
      [['--width', '1.5'], '--width'],
      [['--lr=-1'], '--lr'],
      [['--workers', '0'], '--workers'],
      [['--workers', '1.5'], '--workers'],
    ] as const) {
      let caught: unknown;
      try {
        parseSearchArgs(args);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).argument).toBe(flag);
    }
  });
});

describe('deltastn search: parsing', () => {
  test('--method takes a comma-separated list, repeats, or defaults to darts1, darts2, delta-stn and random', () => {
    expect(parseSearchArgs(['--method', 'darts2,random']).config.methods).toEqual(['darts2', 'random']);
    expect(parseSearchArgs(['--method', 'darts2, random']).config.methods).toEqual(['darts2', 'random']);
    expect(parseSearchArgs(['--method', 'stn', '--method', 'delta-stn-linearized,darts1']).config.methods).toEqual(['stn', 'delta-stn-linearized', 'darts1']);
    expect(DEFAULT_SEARCH_METHODS).toEqual(['darts1', 'darts2', 'delta-stn', 'random']);
    expect(parseSearchArgs([]).config.methods).toEqual([...DEFAULT_SEARCH_METHODS]);
  });

  test('--darts-scale and --darts-xi reach the config (absent: the trainer defaults, R0 = 0.01 and ξ = the learning rate)', () => {
    expect(parseSearchArgs(['--darts-scale', '0.001', '--darts-xi', '0']).config).toMatchObject({ dartsScale: 0.001, dartsXi: 0 });
    expect(parseSearchArgs(['--darts-xi', '0.5']).config.dartsXi).toBe(0.5);
    const plain = parseSearchArgs([]).config;
    expect('dartsScale' in plain || 'dartsXi' in plain).toBe(false);
  });

  test('--workers: default 1, an integer ≥ 1, and not part of the configuration (config.json)', () => {
    expect(parseSearchArgs([]).workers).toBe(1);
    const three = parseSearchArgs(['--workers', '3']);
    expect(three.workers).toBe(3);
    expect(three.config).toEqual(parseSearchArgs([]).config);
  });

  test('defaults and derived values', () => {
    const { config, out } = parseSearchArgs([]);
    expect(config).toMatchObject({ space: 'mlp-cell', dataset: 'mnist', seeds: [0], searchEpochs: 10, retrainEpochs: 10, nodes: 3, width: 128, trainSize: 0, batchSize: 128, trainSteps: 1, backend: 'auto' });
    expect(config.dataDir).toBeUndefined();
    expect(out).toBe(join('out', 'search-mlp-cell-mnist'));
    const cnn = parseSearchArgs(['--space', 'cnn-cell', '--dataset', 'fashion-mnist', '--seeds', '2', '--seed', '5', '--lr', '0.1', '--data-dir', '.', '--out', 'x']);
    expect(cnn.config).toMatchObject({ space: 'cnn-cell', dataset: 'fashion-mnist', width: 8, seeds: [5, 6], lrWeights: 0.1, dataDir: '.' });
    expect(cnn.out).toBe('x');
  });
});

describe('deltastn search: a tiny study end to end', () => {
  test('runs, prints the table, resumes with nothing to redo, refuses a changed setting naming --out', async () => {
    const dir = join(tmp('deltastn-search-'), 'study');
    const args = ['search', ...SMALL, '--method', 'darts1,random', '--out', dir];
    const a = await run(...args);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^\| method \| test acc \(%\) \|/m);
    expect(a.out).toMatch(/^\| darts1 \| \d+\.\d\d \| \d+\.\d\d \| 2 \| \d+ \| `e01:\S+ e02:\S+ e12:\S+` \|$/m);
    expect(a.out).toMatch(/^\| random \| \d+\.\d\d \| \d+\.\d\d \| 2 \| \d+ \| `e01:\S+ e02:\S+ e12:\S+` \|$/m);
    expect(a.out).toContain(`${dir}: 3 run(s) done, 0 finished before and skipped; backend wasm`);
    expect(a.err).toContain('random search: 2 architectures per seed');
    expect(a.err).toMatch(/darts1 seed 0 search epoch 1\/1/);
    // Progress (issue 14, not a terminal): one plain line per finished run, counting runs like the summary line.
    const progress = a.err.split('\n').filter((l) => l.startsWith('progress: '));
    expect(progress.map((l) => l.slice(0, l.indexOf(' ('))), a.err).toEqual(['progress: 1/3 runs', 'progress: 2/3 runs', 'progress: 3/3 runs']);
    expect(progress[2]).toMatch(/elapsed \d+s, left ~0s \| val loss \d+\.\d{4}$/);
    const files = readdirSync(dir);
    for (const f of ['runs.jsonl', 'summary.json', 'table.md', 'config.json', 'weights-darts1-e01.svg']) expect(files).toContain(f);
    // The records live in the study store (issue 19): DIR/study.db by default, the study named after DIR.
    expect(files).toContain('study.db');
    expect(a.out).toContain(`Study study in ${join(dir, 'study.db')}.`);

    const b = await run(...args);
    expect(b.code).toBe(0);
    expect(b.out).toContain('0 run(s) done, 3 finished before and skipped');
    // The same table, the wall-time column aside (it is a mean of recorded seconds: the same records, the same value).
    expect(b.out.split('\n').filter((l) => l.startsWith('|'))).toEqual(a.out.split('\n').filter((l) => l.startsWith('|')));
    // --quiet: nothing on stderr (the table and the summary line still on stdout).
    const q = await run(...args, '--quiet');
    expect(q.code).toBe(0);
    expect(q.err).toBe('');
    expect(q.out).toContain('0 run(s) done, 3 finished before and skipped');

    const c = await run(...args.map((x) => (x === '8' ? '4' : x))); // --width 4 in the same directory
    expect(c.code).toBe(2);
    expect(c.out).toBe('');
    expect(c.err).toContain('--out');
  });
});

describe('deltastn search --storage, --study', () => {
  test('the study goes into the named store under the named study, not DIR/study.db; a rerun has nothing to redo', async () => {
    const base = tmp('deltastn-search-storage-');
    const [dir, db] = [join(base, 'study'), join(base, 'shared.db')];
    const args = ['search', ...SMALL, '--method', 'random', '--out', dir, '--storage', `sqlite:${db}`, '--study', 'rnd'];
    const a = await run(...args);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain(`${dir}: 2 run(s) done, 0 finished before and skipped`);
    expect(a.out).toContain(`Study rnd in ${db}.`);
    expect(existsSync(db)).toBe(true);
    expect(existsSync(join(dir, 'study.db'))).toBe(false);
    const b = await run(...args);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toContain('0 run(s) done, 2 finished before and skipped');
  });
});

describe('deltastn search: records in any order', () => {
  test('a tie in validation accuracy between random trials goes to the lowest trial, whatever the order of runs.jsonl', async () => {
    // A finished study written by hand: n = round((1+1)/1) = 2 random trials of seed 0, trial 1 on the first
    // line, both at the same validation accuracy. In-process, trial 0 is recorded first and wins the tie; with
    // --workers the lines may come in this order, and the table must not change.
    const dir = join(tmp('deltastn-search-order-'), 'study');
    const args = [...SMALL, '--method', 'random', '--out', dir];
    const { config } = parseSearchArgs(args);
    const evaluation = (accuracy: number): { loss: number; accuracy: number } => ({ loss: 1, accuracy });
    const trial = (t: number, test: number): string =>
      JSON.stringify({
        kind: 'random',
        method: 'random',
        seed: 0,
        trial: t,
        retrain: { genotype: { kind: 'mlp-cell', nodes: 2, edges: [] }, text: `trial-${t}`, epochs: 1, train: evaluation(0.5), val: evaluation(0.5), test: evaluation(test), seconds: 1 },
        backend: 'wasm',
      });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    writeFileSync(join(dir, 'runs.jsonl'), trial(1, 0.75) + '\n' + trial(0, 0.25) + '\n');
    const r = await run('search', ...args);
    expect(r.code).toBe(0);
    expect(r.out).toContain('0 run(s) done, 2 finished before and skipped');
    expect(r.out).toMatch(/^\| random \| 25\.00 \| 50\.00 \| 2 \| \d+ \| `trial-0` \|$/m);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { methods: { seeds: { genotype: string }[] }[] };
    expect(summary.methods[0].seeds[0].genotype).toBe('trial-0');
  });
});
