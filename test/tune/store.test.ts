/**
 * The study store (issue 19), the same suite on SQLite (always) and PostgreSQL (when DELTASTN_PG_URL names a
 * server; CI starts one and sets DELTASTN_PG_REQUIRE=1, so there it cannot skip): claims are exclusive and in
 * priority order, a lost claim cannot heartbeat or complete, an expired one is reclaimed with its checkpoint and
 * logged, records come back in completion order; the checkpoint text round-trips exactly; the constant-liar
 * history of Bayesian optimization; the JSONL/CSV exports and the migration of an old trials.jsonl.
 * No training here (records are synthetic): milliseconds per test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { openStore, parseStorage, trialsCsv, trialsJsonl, type StudyStore } from '../../src/tune/store/index.js';
import { bayesHistory, decodeTrialCheckpoint, encodeTrialCheckpoint, openStudy, plannedTrials, type StudyConfig, type TrialCheckpoint, type TrialRecord } from '../../src/tune/study.js';

const PG_URL = process.env.DELTASTN_PG_URL;
const PG_REQUIRED = process.env.DELTASTN_PG_REQUIRE === '1';

const config: StudyConfig = { model: 'mlp', dataset: 'mnist', methods: ['stn', 'random', 'bayes'], seeds: [0, 1], budgetEpochs: 4, trialEpochs: 2, batchSize: 32, trainSize: 64, width: 0.05, warmupEpochs: 0, lrWeights: 0.05, lrHyper: 0.03, backend: 'cpu' };

/** A synthetic record of (method, seed, trial) with best validation loss `val` at point `u`. */
function fakeRecord(method: TrialRecord['method'], seed: number, trial: number, val: number, u?: number[]): TrialRecord {
  const ev = { loss: val, accuracy: 0.5 };
  return {
    format: 'deltastn.trial',
    version: 1,
    method,
    seed,
    trial,
    runSeed: 1,
    nnMethod: 'fixed',
    plannedEpochs: 2,
    ...(u ? { u } : {}),
    hyper: { dropout_input: 0.1, dropout1: 0.2, dropout2: 0.3 },
    bestVal: val,
    epochs: [{ epoch: 0, cumEpochs: 1, seconds: 0.1, elapsed: 0.2, train: ev, val: ev, test: ev, hyper: { dropout1: { value: 0.2, scale: 0.5 } }, lambda: [0, 0, 0], rawScale: [0, 0, 0] }],
    wallSeconds: 0.25,
    finishedAt: '2026-01-01T00:00:00.000Z',
    backend: 'cpu',
    thread: 0,
    space: { format: 'deltastn.hyperspace', version: 1, specs: [] } as unknown as TrialRecord['space'],
  };
}

let names = 0;
/** A study name unique to this run (PostgreSQL keeps studies across runs). */
const freshName = (): string => `t${process.pid}-${Date.now()}-${names++}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function storeSuite(kind: string, open: () => Promise<StudyStore>): void {
  test(`${kind}: claims are exclusive, in priority order; a study is created once and its identity checked`, async () => {
    const a = await open();
    const b = await open();
    try {
      const name = freshName();
      expect((await openStudy(a, name, config, '--study')).created).toBe(true);
      expect((await openStudy(b, name, { ...config, methods: ['random'] }, '--study')).created).toBe(false);
      await expect(openStudy(b, name, { ...config, budgetEpochs: 6 }, '--study')).rejects.toThrow(/--study.*budgetEpochs/);
      const plan = plannedTrials(config);
      expect(plan.map((p) => p.method).slice(0, 2)).toEqual(['stn', 'stn']); // hypernetwork runs first, then bayes, then random
      expect(await a.addTrials(name, plan)).toBe(plan.length);
      expect(await b.addTrials(name, plan)).toBe(0);
      // Two connections claim concurrently until nothing is left: every trial exactly once, in priority order per claimer.
      const got: { id: number; by: string }[] = [];
      const claimer = async (s: StudyStore, who: string): Promise<void> => {
        for (let k = 0; k <= plan.length; k++) {
          const c = await s.claim(name, who, 60);
          if (!c) return;
          got.push({ id: c.id, by: who });
        }
        throw new Error(`${who} claimed more than the ${plan.length} trials (a held trial was claimed again)`);
      };
      await Promise.all([claimer(a, 'A'), claimer(b, 'B'), claimer(a, 'A2')]);
      const ids = got.map((g) => g.id);
      expect(new Set(ids).size).toBe(plan.length);
      expect(ids).toHaveLength(plan.length);
      const rows = await a.trials(name);
      expect(rows.every((r) => r.state === 'running' && r.attempts === 1)).toBe(true);
      expect(rows.map((r) => r.priority)).toEqual(plan.map((p) => p.priority));
      expect(await a.counts(name)).toEqual({ pending: 0, running: plan.length, done: 0, failed: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test(`${kind}: a lost claim cannot heartbeat or complete; an expired one is reclaimed with its checkpoint; exactly one completion`, async () => {
    const s = await open();
    try {
      const name = freshName();
      await openStudy(s, name, config, '--study');
      await s.addTrials(name, [{ method: 'random', seed: 0, trial: 0, plannedEpochs: 2, priority: 0 }]);
      const dead = await s.claim(name, 'dead', 0.3);
      expect(dead?.attempt).toBe(1);
      expect(await s.heartbeat(dead!, { u: [0.5, 0.25, 0.125], checkpoint: 'CP1' })).toBe(true);
      expect(await s.claim(name, 'other', 60)).toBeNull(); // held and heartbeating: not claimable
      await sleep(700);
      const next = await s.claim(name, 'alive', 60);
      expect(next).not.toBeNull();
      expect(next?.attempt).toBe(2);
      expect(next?.checkpoint).toBe('CP1');
      // The dead worker comes back: its claim is gone.
      expect(await s.heartbeat(dead!)).toBe(false);
      expect(await s.complete(dead!, fakeRecord('random', 0, 0, 9))).toBe(false);
      expect(await s.fail(dead!, 'late')).toBe(false);
      expect(await s.complete(next!, fakeRecord('random', 0, 0, 1.5, [0.5, 0.25, 0.125]))).toBe(true);
      expect(await s.complete(next!, fakeRecord('random', 0, 0, 7))).toBe(false); // once
      const recs = await s.records(name);
      expect(recs.map((r) => r.bestVal)).toEqual([1.5]);
      const [row] = await s.trials(name);
      expect([row.state, row.worker, row.attempts, row.hasCheckpoint]).toEqual(['done', 'alive', 2, false]);
      const log = await s.claimLog(name);
      expect(log.map((c) => [c.worker, c.outcome])).toEqual([
        ['dead', 'expired'],
        ['alive', 'done'],
      ]);
      expect(log[0].endedAt).toBe(log[1].claimedAt); // the reclaim ends the old claim in the same transaction
      expect(await s.claim(name, 'late', 60)).toBeNull();
    } finally {
      await s.close();
    }
  });

  test(`${kind}: records in completion order; failures kept with their message; migration skips what is done`, async () => {
    const s = await open();
    try {
      const name = freshName();
      await openStudy(s, name, config, '--study');
      await s.addTrials(name, [0, 1, 2].map((t) => ({ method: 'random' as const, seed: 0, trial: t, plannedEpochs: 2, priority: t })));
      const c0 = await s.claim(name, 'w', 60);
      const c1 = await s.claim(name, 'w', 60);
      const c2 = await s.claim(name, 'w', 60);
      expect([c0?.trial, c1?.trial, c2?.trial]).toEqual([0, 1, 2]);
      expect(await s.complete(c1!, fakeRecord('random', 0, 1, 2))).toBe(true);
      expect(await s.complete(c0!, fakeRecord('random', 0, 0, 3))).toBe(true);
      expect(await s.fail(c2!, 'boom')).toBe(true);
      expect((await s.records(name)).map((r) => r.trial)).toEqual([1, 0]);
      expect((await s.trials(name)).map((r) => [r.state, r.error])).toEqual([
        ['done', null],
        ['done', null],
        ['failed', 'boom'],
      ]);
      // Migrating records: trial 0 is done already (kept), trial 2 (failed) and trial 5 (unknown) become done.
      const n = await s.importRecords(name, [fakeRecord('random', 0, 0, 99), fakeRecord('random', 0, 2, 4), fakeRecord('random', 0, 5, 5)], (r) => r.trial);
      expect(n).toBe(2);
      expect((await s.records(name)).map((r) => [r.trial, r.bestVal])).toEqual([
        [1, 2],
        [0, 3],
        [2, 4],
        [5, 5],
      ]);
      expect(await s.counts(name)).toEqual({ pending: 0, running: 0, done: 4, failed: 0 });
    } finally {
      await s.close();
    }
  });

  test(`${kind}: Bayesian optimization proposes around trials in flight (constant liar, CL-max)`, async () => {
    const s = await open();
    try {
      const name = freshName();
      await openStudy(s, name, config, '--study');
      await s.addTrials(name, [0, 1, 2, 3].map((t) => ({ method: 'bayes' as const, seed: 0, trial: t, plannedEpochs: 2, priority: t })));
      const c = [await s.claim(name, 'a', 60), await s.claim(name, 'b', 60), await s.claim(name, 'c', 60), await s.claim(name, 'd', 60)];
      // Nothing finished: nothing to lie with; the points in flight are left out.
      await s.heartbeat(c[0]!, { u: [0.1, 0.1, 0.1] });
      expect(await bayesHistory(s, name, c[3]!)).toEqual([]);
      await s.complete(c[0]!, fakeRecord('bayes', 0, 0, 2.5, [0.1, 0.1, 0.1]));
      await s.heartbeat(c[2]!, { u: [0.3, 0.3, 0.3] });
      await s.complete(c[1]!, fakeRecord('bayes', 0, 1, 1.5, [0.2, 0.2, 0.2]));
      // Trial 3 sees trials 0 and 1 as finished, trial 2 in flight with the lie max(2.5, 1.5); not itself.
      expect(await bayesHistory(s, name, c[3]!)).toEqual([
        { u: [0.1, 0.1, 0.1], value: 2.5 },
        { u: [0.2, 0.2, 0.2], value: 1.5 },
        { u: [0.3, 0.3, 0.3], value: 2.5 },
      ]);
    } finally {
      await s.close();
    }
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'deltastn-store-'));
describe('study store: SQLite', () => {
  storeSuite('sqlite', () => openStore(`sqlite:${join(sqliteDir, 'study.db')}`, null));

  test('--storage values: sqlite, sqlite:PATH, postgresql URLs; anything else names --storage (no password shown)', async () => {
    expect(parseStorage('sqlite')).toEqual({ kind: 'sqlite', path: null });
    expect(parseStorage('sqlite:/x/s.db')).toEqual({ kind: 'sqlite', path: '/x/s.db' });
    expect(parseStorage('postgres://u:p@h/db')).toEqual({ kind: 'postgresql', url: 'postgres://u:p@h/db' });
    for (const bad of ['mysql://u:secret@h/db', 'sqlite:', '', 'SQLITE']) expect(() => parseStorage(bad)).toThrow(/--storage/);
    await expect(openStore('sqlite', null)).rejects.toThrow(/--storage/);
    await expect(openStore('postgresql://u:secret@127.0.0.1:1/db', null)).rejects.toThrow(/--storage.*u:\*\*\*@127\.0\.0\.1:1/);
    await expect(openStore(`sqlite:${sqliteDir}`, null)).rejects.toThrow(/--storage/); // a directory is not a database file
  });
});

describe.skipIf(!PG_URL)('study store: PostgreSQL (DELTASTN_PG_URL)', () => {
  storeSuite('postgresql', () => openStore(PG_URL as string, null));

  test('postgresql: a claim skips a row another transaction has locked (FOR UPDATE SKIP LOCKED), without waiting for it', async () => {
    const s = await openStore(PG_URL as string, null);
    const locker = new pg.Client({ connectionString: PG_URL });
    await locker.connect();
    try {
      const name = freshName();
      await openStudy(s, name, config, '--study');
      await s.addTrials(name, [0, 1].map((t) => ({ method: 'random' as const, seed: 0, trial: t, plannedEpochs: 2, priority: t })));
      await locker.query('BEGIN');
      await locker.query("SELECT id FROM deltastn_trials WHERE study = $1 AND trial = 0 FOR UPDATE", [name]);
      const timeout = new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 3000));
      const got = await Promise.race([s.claim(name, 'w', 60), timeout]);
      expect(got).not.toBe('blocked');
      expect((got as Awaited<ReturnType<StudyStore['claim']>>)?.trial).toBe(1);
      await locker.query('ROLLBACK');
      expect((await s.claim(name, 'w', 60))?.trial).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await s.close();
    }
  });
});

describe('study store: PostgreSQL availability', () => {
  test.skipIf(PG_URL !== undefined || PG_REQUIRED)('skipped: DELTASTN_PG_URL is not set, so the PostgreSQL suite did not run (CI starts a server and sets it; see .ci/run)', () => {
    expect(PG_URL).toBeUndefined();
  });
  test.runIf(PG_REQUIRED)('DELTASTN_PG_REQUIRE=1: the PostgreSQL suite must run', () => {
    expect(PG_URL, 'DELTASTN_PG_REQUIRE=1 but DELTASTN_PG_URL is not set').toMatch(/^postgres(ql)?:\/\//);
  });
});

describe('checkpoints and exports', () => {
  test('a trial checkpoint round-trips exactly (float32 arrays, +∞ best loss)', () => {
    const w = new Float32Array([1.5, -0, 3.4028234663852886e38, 1e-45, Math.fround(0.1)]);
    const cp: TrialCheckpoint = {
      format: 'deltastn.trial-checkpoint',
      version: 1,
      epochs: fakeRecord('stn', 0, 0, 1).epochs,
      trajectory: [{ t: 0.5, lambda: [0.25], rawScale: [-1] }],
      u: [0.5],
      elapsed: 1.25,
      state: { epoch: 1, trainSteps: 3, hyperSteps: 2, lambda: [0.1], rawScale: [-2], weights: [w, new Float32Array(0)], generalMomentum: [new Float32Array([2])], responseMomentum: [], lambdaOptimizer: { kind: 'sgd' } as never, scaleOptimizer: { kind: 'sgd' } as never, bestVal: Infinity, epochsSinceBest: 0, learningRate: 0.05 },
    };
    const back = decodeTrialCheckpoint(encodeTrialCheckpoint(cp));
    expect(back).toEqual(cp);
    expect(back.state.bestVal).toBe(Infinity);
    expect(Object.is(back.state.weights[0][1], -0)).toBe(true);
    expect(() => decodeTrialCheckpoint('{"format":"other"}')).toThrow(/checkpoint/);
    expect(() => decodeTrialCheckpoint('{')).toThrow(/checkpoint/);
  });

  test('trials.jsonl export reads back as the records; CSV has one quoted row per trial', () => {
    const recs = [fakeRecord('random', 0, 0, 1.5, [0.5, 0.25, 0.125]), { ...fakeRecord('stn', 1, 0, 2), stopped: 'loss is NaN, "stopped"' }];
    const csv = trialsCsv(recs).split('\n');
    expect(csv[0]).toBe('method,seed,trial,run_seed,planned_epochs,epochs,best_val,test_loss,test_accuracy,wall_seconds,finished_at,backend,stopped,dropout_input,dropout1,dropout2,u0,u1,u2');
    expect(csv[1]).toBe('random,0,0,1,2,1,1.5,1.5,0.5,0.25,2026-01-01T00:00:00.000Z,cpu,,0.1,0.2,0.3,0.5,0.25,0.125');
    expect(csv[2]).toContain(',"loss is NaN, ""stopped""",');
    expect(csv).toHaveLength(4); // header, two rows, the final newline
    const lines = trialsJsonl(recs).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l) as TrialRecord)).toEqual(recs);
  });
});
