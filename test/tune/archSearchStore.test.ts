/**
 * The architecture search on the study store (issue 19; src/tune/archSearch.ts with src/tune/store): its jobs
 * and records are rows of a study in `DIR/study.db`, a rerun claims nothing and runs nothing, `runs.jsonl` is an
 * export written from the store, an old directory (config.json and runs.jsonl, no study.db) is migrated once, a
 * shared store refuses a study of another kind or with other settings naming --study, and claim loops sharing a
 * study run each job exactly once, reclaiming the job of a worker that stopped heartbeating.
 *
 * CI-sized like test/tune/archSearch.test.ts: the 2-node MLP cell, width 8, 200 embedded-MNIST examples, 1
 * search + 1 retraining epoch, batches of 50, wasm; darts1 and random (n = 2 trials): 3 jobs of about 0.3 s.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { SqliteStudyStore } from '../../src/tune/store/index.js';
import { joinArchStudy, plannedArchJobs, randomTrials, readArchRecords, runArchSearch, runArchStudyWorker, type ArchMethod, type ArchRecord, type ArchSearchConfig, type ArchStudyStore } from '../../src/tune/archSearch.js';
import { runCli, temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

beforeAll(async () => {
  await initBackend('wasm');
});

const config: ArchSearchConfig = {
  space: 'mlp-cell',
  dataset: 'mnist',
  methods: ['darts1', 'random'],
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
const JOBS = 1 + randomTrials(config); // 3

/** The store of a search directory. */
const storeOf = (dir: string): ArchStudyStore => new SqliteStudyStore<ArchMethod, ArchSearchConfig, ArchRecord>(join(dir, 'study.db'));

/** A JSON value without its wall times (every `seconds` and `searchSeconds` field, at any depth). */
function timeless(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(timeless);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'seconds' && k !== 'searchSeconds').map(([k, x]) => [k, timeless(x)]));
  return v;
}

/** A record's job, as a key. */
const jobKey = (r: ArchRecord): string => (r.kind === 'random' ? `random|${r.seed}|${r.trial}` : `${r.method}|${r.seed}`);

test('plannedArchJobs: one row per job, search runs (S + E epochs, trial 0) before random trials (E each), priorities in claim order', () => {
  const plan = plannedArchJobs({ ...config, methods: ['random', 'darts1', 'delta-stn'], seeds: [3, 4] });
  expect(plan.map((p) => `${p.method}|${p.seed}|${p.trial}|${p.plannedEpochs}`)).toEqual([
    'darts1|3|0|2',
    'delta-stn|3|0|2',
    'darts1|4|0|2',
    'delta-stn|4|0|2',
    'random|3|0|1',
    'random|3|1|1',
    'random|4|0|1',
    'random|4|1|1',
  ]);
  expect(plan.map((p) => p.priority)).toEqual(plan.map((_, i) => i));
});

describe('a search study in the store', () => {
  const base = tmp('deltastn-arch-store-');
  const dir = join(base, 'study');
  let first: Awaited<ReturnType<typeof runArchSearch>>;
  let exported: string;

  beforeAll(async () => {
    first = await runArchSearch(config, dir);
    exported = readFileSync(join(dir, 'runs.jsonl'), 'utf8');
  });

  test('its records live in DIR/study.db (study = the directory name), one done row per job, claimed once; runs.jsonl is their export', async () => {
    expect([first.ran, first.skipped, first.migrated, first.study]).toEqual([JOBS, 0, 0, 'study']);
    expect(first.storage).toBe(join(dir, 'study.db'));
    const store = storeOf(dir);
    try {
      expect(await store.studyConfig('study')).toEqual(config);
      expect(await store.counts('study')).toEqual({ pending: 0, running: 0, done: JOBS, failed: 0 });
      const rows = await store.trials('study');
      expect(rows.map((t) => `${t.method}|${t.seed}|${t.trial}|${t.attempts}`)).toEqual(['darts1|0|0|1', 'random|0|0|1', 'random|0|1|1']);
      const records = await store.records('study');
      expect(records.map(jobKey).sort()).toEqual(['darts1|0', 'random|0|0', 'random|0|1']);
      // The export is the store's records, in the order they finished.
      expect(readArchRecords(join(dir, 'runs.jsonl'))).toEqual(records);
      const log = await store.claimLog('study');
      expect(log.map((c) => c.outcome)).toEqual(['done', 'done', 'done']);
    } finally {
      await store.close();
    }
  });

  test('a rerun claims nothing and runs nothing, even without runs.jsonl, which it writes again from the store; an edited runs.jsonl is not read', async () => {
    rmSync(join(dir, 'runs.jsonl'));
    const again = await runArchSearch(config, dir);
    expect([again.ran, again.skipped, again.migrated]).toEqual([0, JOBS, 0]);
    expect(again.summary).toEqual(first.summary);
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8')).toBe(exported);
    // A foreign record appended by hand (another seed) is not migrated: the study exists, the file is an export.
    const extra = { ...(JSON.parse(exported.split('\n')[0]) as ArchRecord), seed: 7 };
    writeFileSync(join(dir, 'runs.jsonl'), exported + JSON.stringify(extra) + '\n');
    const third = await runArchSearch(config, dir);
    expect([third.ran, third.migrated]).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8')).toBe(exported);
    const store = storeOf(dir);
    try {
      expect((await store.claimLog('study')).length).toBe(JOBS);
      expect((await store.trials('study')).length).toBe(JOBS);
    } finally {
      await store.close();
    }
  });

  test('migration: an old directory (config.json and runs.jsonl, no study.db) is imported once; the job it lacks is run and reproduces the original record', async () => {
    const old = join(base, 'old');
    mkdirSync(old);
    copyFileSync(join(dir, 'config.json'), join(old, 'config.json'));
    const lines = exported.split('\n').filter((l) => l.length > 0);
    // Two of the three records, and a torn line (a kill mid-write) that is dropped and counted.
    writeFileSync(join(old, 'runs.jsonl'), lines[0] + '\n' + lines[2] + '\n' + lines[1].slice(0, 30));
    const said: string[] = [];
    const r = await runArchSearch(config, old, { log: (s) => said.push(s) });
    expect([r.migrated, r.skipped, r.ran]).toEqual([2, 2, 1]);
    expect(said.some((s) => s.startsWith('runs.jsonl: 2 record(s) migrated into the study store'))).toBe(true);
    expect(said.some((s) => s.startsWith('runs.jsonl: 1 unreadable or foreign line(s) dropped'))).toBe(true);
    const store = storeOf(old);
    try {
      const rows = await store.trials('old');
      expect(rows.filter((t) => t.worker === 'import').length).toBe(2);
      const records = await store.records('old');
      // The imported records unchanged, first; the rerun job equal to the original record, timings aside.
      expect(records.slice(0, 2)).toEqual([JSON.parse(lines[0]), JSON.parse(lines[2])]);
      expect(timeless(records[2])).toEqual(timeless(JSON.parse(lines[1])));
    } finally {
      await store.close();
    }
    // Once: a second run migrates nothing and says nothing about it.
    said.length = 0;
    const again = await runArchSearch(config, old, { log: (s) => said.push(s) });
    expect([again.migrated, again.ran, again.skipped]).toEqual([0, 0, JOBS]);
    expect(said.some((s) => s.includes('migrated'))).toBe(false);
  });

  test('a shared store (sqlite:PATH) refuses, naming --study, a name that holds another kind of study or a search with other settings', async () => {
    const path = join(base, 'shared.db');
    const shared = new SqliteStudyStore<ArchMethod, ArchSearchConfig, ArchRecord>(path);
    try {
      await shared.openStudy('cmp', { model: 'mlp', dataset: 'mnist' } as unknown as ArchSearchConfig);
    } finally {
      await shared.close();
    }
    const other = join(base, 'other');
    const refused = async (c: ArchSearchConfig, study: string): Promise<InvalidArgumentError> => {
      try {
        await runArchSearch(c, other, { storage: `sqlite:${path}`, study });
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        return e as InvalidArgumentError;
      }
      throw new Error('expected an InvalidArgumentError');
    };
    expect((await refused({ ...config, methods: ['random'] }, 'cmp')).argument).toBe('--study');
    const store = new SqliteStudyStore<ArchMethod, ArchSearchConfig, ArchRecord>(path);
    try {
      await store.openStudy('s', config);
    } finally {
      await store.close();
    }
    const e = await refused({ ...config, methods: ['random'], width: 4 }, 's');
    expect(e.argument).toBe('--study');
    expect(e.message).toContain('width=8');
  });
});

test('the store keeps a finished row\u2019s point u from its record when the record has one (a comparison trial), none for a search record', async () => {
  const dir = tmp('deltastn-arch-point-');
  const store = new SqliteStudyStore(join(dir, 'study.db'));
  try {
    await store.openStudy('c', {} as never);
    await store.addTrials('c', [{ method: 'random', seed: 0, trial: 0, plannedEpochs: 1, priority: 0 }]);
    const claim = await store.claim('c', 'w', 60);
    expect(await store.complete(claim as NonNullable<typeof claim>, { u: [0.25, 0.5] } as never)).toBe(true);
    expect((await store.trials('c'))[0].u).toEqual([0.25, 0.5]);
  } finally {
    await store.close();
  }
  const arch = storeOf(dir);
  try {
    await arch.openStudy('a', config);
    await arch.addTrials('a', plannedArchJobs({ ...config, methods: ['random'] }).slice(0, 1));
    const claim = await arch.claim('a', 'w', 60);
    const rec = { kind: 'random', method: 'random', seed: 0, trial: 0, backend: 'wasm' } as unknown as ArchRecord;
    expect(await arch.complete(claim as NonNullable<typeof claim>, rec)).toBe(true);
    expect((await arch.trials('a'))[0]).toMatchObject({ u: null, state: 'done', record: rec });
  } finally {
    await arch.close();
  }
});

test('joinArchStudy (one more worker process on a search study): runs the pending jobs up to its limit; a comparison study is left to its own loop (null); a missing study names --study', async () => {
  const c: ArchSearchConfig = { ...config, methods: ['random'] };
  const path = join(tmp('deltastn-arch-join-'), 'study.db');
  const store = new SqliteStudyStore<ArchMethod, ArchSearchConfig, ArchRecord>(path);
  try {
    await store.openStudy('s', c);
    await store.addTrials('s', plannedArchJobs(c));
    await store.openStudy('cmp', { model: 'mlp', dataset: 'mnist' } as unknown as ArchSearchConfig);
  } finally {
    await store.close();
  }
  const one = await joinArchStudy(`sqlite:${path}`, 's', { worker: 'w1', limit: 1 });
  expect(one).toMatchObject({ worker: 'w1', ran: 1, lost: 0, backend: 'wasm' });
  const rest = await joinArchStudy(`sqlite:${path}`, 's', { worker: 'w2' });
  expect(rest).toMatchObject({ ran: 1, lost: 0 });
  expect(await joinArchStudy(`sqlite:${path}`, 'cmp', {})).toBeNull();
  await expect(joinArchStudy(`sqlite:${path}`, 'nope', {})).rejects.toSatisfy((e: unknown) => e instanceof InvalidArgumentError && e.argument === '--study');
  const check = new SqliteStudyStore<ArchMethod, ArchSearchConfig, ArchRecord>(path);
  try {
    expect(await check.counts('s')).toEqual({ pending: 0, running: 0, done: 2, failed: 0 });
    expect((await check.trials('s')).map((t) => t.worker)).toEqual(['w1', 'w2']);
  } finally {
    await check.close();
  }
});

test('deltastn worker joins a search study through the CLI and runs its jobs', async () => {
  const c: ArchSearchConfig = { ...config, methods: ['random'] };
  const path = join(tmp('deltastn-arch-cli-'), 'study.db');
  const store = new SqliteStudyStore<ArchMethod, ArchSearchConfig, ArchRecord>(path);
  try {
    await store.openStudy('s', c);
    await store.addTrials('s', plannedArchJobs(c));
  } finally {
    await store.close();
  }
  const r = await runCli('worker', '--study', 's', '--storage', `sqlite:${path}`, '--quiet');
  expect(r.code, r.err).toBe(0);
  expect(r.out).toMatch(/2 search job\(s\) run \(0 lost to a reclaim\) on study s/);
  const check = new SqliteStudyStore<ArchMethod, ArchSearchConfig, ArchRecord>(path);
  try {
    expect(await check.counts('s')).toEqual({ pending: 0, running: 0, done: 2, failed: 0 });
  } finally {
    await check.close();
  }
});

describe('claim loops sharing a search study', () => {
  test('two loops run each job exactly once, and the job of a worker that stopped heartbeating is reclaimed and run', async () => {
    const c: ArchSearchConfig = { ...config, methods: ['random'], seeds: [0, 1] }; // 4 random trials
    const dir = tmp('deltastn-arch-loops-');
    const store = storeOf(dir);
    try {
      await store.openStudy('s', c);
      await store.addTrials('s', plannedArchJobs(c));
      // A worker that claims the first job and dies (never heartbeats): its lease, 1.5 s, outlasts the other three
      // jobs (about 0.1 s each), so the loops must wait for it to expire.
      const dead = await store.claim('s', 'dead', 1.5);
      expect(dead?.trial).toBe(0);
      const got: string[] = [];
      const loop = (worker: string): ReturnType<typeof runArchStudyWorker> => runArchStudyWorker(store, 's', c, { backend: 'wasm', worker, leaseSeconds: 30, pollSeconds: 0.05, onRecord: (r) => got.push(jobKey(r)) });
      const [a, b] = await Promise.all([loop('a'), loop('b')]);
      expect(a.ran + b.ran).toBe(4);
      expect(got.sort()).toEqual(['random|0|0', 'random|0|1', 'random|1|0', 'random|1|1']);
      expect(await store.counts('s')).toEqual({ pending: 0, running: 0, done: 4, failed: 0 });
      const log = await store.claimLog('s');
      expect(log.filter((x) => x.outcome === 'done').length).toBe(4);
      expect(log.filter((x) => x.worker === 'dead').map((x) => x.outcome)).toEqual(['expired']);
      // The dead worker's late completion is refused: the record is written once.
      expect(await store.complete(dead as NonNullable<typeof dead>, (await store.records('s'))[0])).toBe(false);
      expect((await store.records('s')).length).toBe(4);
    } finally {
      await store.close();
    }
  });

  test('a job whose claim was lost before it completed is dropped: not counted, not reported, not stored', async () => {
    const c: ArchSearchConfig = { ...config, methods: ['random'] }; // 2 random trials
    const dir = tmp('deltastn-arch-lost-');
    const store = storeOf(dir);
    try {
      await store.openStudy('s', c);
      await store.addTrials('s', plannedArchJobs(c));
      // Before each completion, 20 ms pass (the loop's lease is 5 ms) and a thief reclaims the job.
      const stolen: number[] = [];
      const stealing = Object.assign(Object.create(store) as ArchStudyStore, {
        complete: async (claim: Parameters<ArchStudyStore['complete']>[0], record: ArchRecord): Promise<boolean> => {
          await new Promise((done) => setTimeout(done, 20));
          const thief = await store.claim('s', 'thief', 60);
          if (thief) stolen.push(thief.id);
          return store.complete(claim, record);
        },
      });
      const got: ArchRecord[] = [];
      const r = await runArchStudyWorker(stealing, 's', c, { backend: 'wasm', worker: 'slow', leaseSeconds: 0.005, wait: false, onRecord: (x) => got.push(x) });
      expect(stolen).toHaveLength(2);
      expect([r.ran, r.lost, got.length]).toEqual([0, 2, 0]);
      expect(await store.counts('s')).toEqual({ pending: 0, running: 2, done: 0, failed: 0 });
      expect(await store.records('s')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
