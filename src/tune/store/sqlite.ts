/**
 * The embedded study store: one SQLite file (better-sqlite3; by default `DIR/study.db` in the study directory),
 * shared by the worker processes of one machine. See types.ts for the life cycle and guarantees.
 *
 * @remarks
 * WAL journal (readers never block the writer), `busy_timeout` 10 s (a writer waits for the lock instead of
 * failing), `synchronous = NORMAL` under WAL (a committed claim or record survives a killed process; a power cut
 * may lose the last transactions, never corrupt the file). A claim is one `BEGIN IMMEDIATE` transaction: it
 * takes the write lock before reading, so two processes cannot pick the same row. Times are `Date.now()` (ms) of
 * the processes, which share the machine's clock.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { InvalidArgumentError } from '../../errors.js';
import { OutputPathError, reasonOf } from '../../stateFiles.js';
import type { StudyConfig } from '../studyConfig.js';
import type { TrialRecord } from '../studyRecords.js';
import type { StudyMethod } from '../studyConfig.js';
import { recordPoint, type Claim, type ClaimLogEntry, type PlannedTrial, type RecordKey, type StoredTrial, type StudyStore, type TrialCounts, type TrialState } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS studies (name TEXT PRIMARY KEY, config TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
  id INTEGER PRIMARY KEY AUTOINCREMENT, study TEXT NOT NULL REFERENCES studies(name), method TEXT NOT NULL, seed INTEGER NOT NULL,
  trial INTEGER NOT NULL, planned_epochs INTEGER NOT NULL, priority INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
  worker TEXT, token TEXT, attempts INTEGER NOT NULL DEFAULT 0, heartbeat_ms INTEGER, lease_ms INTEGER, u TEXT, checkpoint TEXT,
  record TEXT, error TEXT, finished_seq INTEGER, UNIQUE (study, method, seed, trial));
CREATE INDEX IF NOT EXISTS trials_claim ON trials (study, state, priority, id);
CREATE TABLE IF NOT EXISTS claims (
  id INTEGER PRIMARY KEY AUTOINCREMENT, trial_id INTEGER NOT NULL REFERENCES trials(id), worker TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
  claimed_ms INTEGER NOT NULL, ended_ms INTEGER, outcome TEXT);
`;

interface TrialRow {
  id: number;
  method: string;
  seed: number;
  trial: number;
  planned_epochs: number;
  priority: number;
  state: TrialState;
  worker: string | null;
  token: string | null;
  attempts: number;
  u: string | null;
  has_checkpoint: number;
  record: string | null;
  error: string | null;
  checkpoint?: string | null;
}

/** Converts a row to a {@link StoredTrial}. */
function stored<M extends string, R extends object>(r: TrialRow): StoredTrial<M, R> {
  return {
    id: r.id,
    method: r.method as M,
    seed: r.seed,
    trial: r.trial,
    plannedEpochs: r.planned_epochs,
    priority: r.priority,
    state: r.state,
    worker: r.worker,
    attempts: r.attempts,
    u: r.u === null ? null : (JSON.parse(r.u) as number[]),
    hasCheckpoint: r.has_checkpoint === 1,
    record: r.record === null ? null : (JSON.parse(r.record) as R),
    error: r.error,
  };
}

/** A {@link StudyStore} on one SQLite file (`M`, `C`, `R`: see {@link StudyStore}). */
export class SqliteStudyStore<M extends string = StudyMethod, C = StudyConfig, R extends object = TrialRecord> implements StudyStore<M, C, R> {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  private readonly db: Database.Database;

  /**
   * Opens (creating when absent) the SQLite file at `path`.
   * @throws OutputPathError naming `argument` when the file cannot be opened or is not a study store.
   */
  constructor(path: string, argument = '--storage') {
    this.location = path;
    try {
      this.db = new Database(path, { timeout: 10_000 });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new OutputPathError(argument, path, 'a SQLite study store (a file that can be created, or a study.db)', reasonOf(e));
    }
  }

  openStudy(name: string, config: C): Promise<{ config: C; created: boolean }> {
    const tx = this.db.transaction((): { config: C; created: boolean } => {
      const row = this.db.prepare('SELECT config FROM studies WHERE name = ?').get(name) as { config: string } | undefined;
      if (row) return { config: JSON.parse(row.config) as C, created: false };
      this.db.prepare('INSERT INTO studies (name, config, created_ms) VALUES (?, ?, ?)').run(name, JSON.stringify(config), Date.now());
      return { config, created: true };
    });
    return Promise.resolve(tx.immediate());
  }

  studyConfig(name: string): Promise<C | null> {
    const row = this.db.prepare('SELECT config FROM studies WHERE name = ?').get(name) as { config: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.config) as C) : null);
  }

  updateStudyConfig(name: string, config: C): Promise<void> {
    this.db.prepare('UPDATE studies SET config = ? WHERE name = ?').run(JSON.stringify(config), name);
    return Promise.resolve();
  }

  addTrials(name: string, trials: readonly PlannedTrial<M>[]): Promise<number> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO trials (study, method, seed, trial, planned_epochs, priority) VALUES (?, ?, ?, ?, ?, ?)');
    const tx = this.db.transaction((): number => trials.reduce((n, t) => n + insert.run(name, t.method, t.seed, t.trial, t.plannedEpochs, t.priority).changes, 0));
    return Promise.resolve(tx.immediate());
  }

  importRecords(name: string, records: readonly R[], priority: (r: R) => number, key: (r: R) => RecordKey<M> = (r) => r as unknown as RecordKey<M>): Promise<number> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO trials (study, method, seed, trial, planned_epochs, priority) VALUES (?, ?, ?, ?, ?, ?)');
    const done = this.db.prepare(
      "UPDATE trials SET state = 'done', record = ?, u = ?, worker = 'import', finished_seq = (SELECT COALESCE(MAX(finished_seq), 0) + 1 FROM trials WHERE study = ?) WHERE study = ? AND method = ? AND seed = ? AND trial = ? AND state <> 'done'",
    );
    const tx = this.db.transaction((): number => {
      let n = 0;
      for (const r of records) {
        const k = key(r);
        insert.run(name, k.method, k.seed, k.trial, k.plannedEpochs, priority(r));
        n += done.run(JSON.stringify(r), k.u ? JSON.stringify(k.u) : null, name, name, k.method, k.seed, k.trial).changes;
      }
      return n;
    });
    return Promise.resolve(tx.immediate());
  }

  claim(name: string, worker: string, leaseSeconds: number): Promise<Claim<M> | null> {
    if (!(leaseSeconds > 0) || !Number.isFinite(leaseSeconds)) throw new InvalidArgumentError('leaseSeconds', 'a finite number of seconds > 0', leaseSeconds);
    const tx = this.db.transaction((): Claim<M> | null => {
      const now = Date.now();
      const row = this.db
        .prepare("SELECT id, method, seed, trial, planned_epochs, state, token, attempts, checkpoint FROM trials WHERE study = ? AND (state = 'pending' OR (state = 'running' AND heartbeat_ms + lease_ms < ?)) ORDER BY priority, id LIMIT 1")
        .get(name, now) as (TrialRow & { checkpoint: string | null }) | undefined;
      if (!row) return null;
      if (row.state === 'running' && row.token) this.db.prepare("UPDATE claims SET ended_ms = ?, outcome = 'expired' WHERE token = ?").run(now, row.token);
      const token = randomUUID();
      this.db.prepare("UPDATE trials SET state = 'running', worker = ?, token = ?, attempts = attempts + 1, heartbeat_ms = ?, lease_ms = ? WHERE id = ?").run(worker, token, now, Math.round(leaseSeconds * 1000), row.id);
      this.db.prepare('INSERT INTO claims (trial_id, worker, token, claimed_ms) VALUES (?, ?, ?, ?)').run(row.id, worker, token, now);
      return { study: name, id: row.id, token, worker, method: row.method as M, seed: row.seed, trial: row.trial, plannedEpochs: row.planned_epochs, attempt: row.attempts + 1, checkpoint: row.checkpoint };
    });
    return Promise.resolve(tx.immediate());
  }

  heartbeat(claim: Claim<M>, save: { u?: number[]; checkpoint?: string } = {}): Promise<boolean> {
    const r = this.db
      .prepare("UPDATE trials SET heartbeat_ms = ?, u = COALESCE(?, u), checkpoint = COALESCE(?, checkpoint) WHERE id = ? AND token = ? AND state = 'running'")
      .run(Date.now(), save.u ? JSON.stringify(save.u) : null, save.checkpoint ?? null, claim.id, claim.token);
    return Promise.resolve(r.changes === 1);
  }

  private finish(claim: Claim<M>, outcome: 'done' | 'failed', record: R | null, error: string | null): boolean {
    const tx = this.db.transaction((): boolean => {
      const now = Date.now();
      const r = this.db
        .prepare(
          "UPDATE trials SET state = ?, record = ?, u = COALESCE(?, u), error = ?, checkpoint = NULL, heartbeat_ms = ?, finished_seq = CASE WHEN ? = 'done' THEN (SELECT COALESCE(MAX(finished_seq), 0) + 1 FROM trials WHERE study = ?) END WHERE id = ? AND token = ? AND state = 'running'",
        )
        .run(outcome, record ? JSON.stringify(record) : null, recordPoint(record) ? JSON.stringify(recordPoint(record)) : null, error, now, outcome, claim.study, claim.id, claim.token);
      if (r.changes !== 1) return false;
      this.db.prepare('UPDATE claims SET ended_ms = ?, outcome = ? WHERE token = ?').run(now, outcome, claim.token);
      return true;
    });
    return tx.immediate();
  }

  complete(claim: Claim<M>, record: R): Promise<boolean> {
    return Promise.resolve(this.finish(claim, 'done', record, null));
  }

  fail(claim: Claim<M>, message: string): Promise<boolean> {
    return Promise.resolve(this.finish(claim, 'failed', null, message));
  }

  trials(name: string): Promise<StoredTrial<M, R>[]> {
    const rows = this.db
      .prepare('SELECT id, method, seed, trial, planned_epochs, priority, state, worker, token, attempts, u, checkpoint IS NOT NULL AS has_checkpoint, record, error FROM trials WHERE study = ? ORDER BY priority, id')
      .all(name) as TrialRow[];
    return Promise.resolve(rows.map((r) => stored<M, R>(r)));
  }

  records(name: string): Promise<R[]> {
    const rows = this.db.prepare("SELECT record FROM trials WHERE study = ? AND state = 'done' ORDER BY finished_seq, id").all(name) as { record: string }[];
    return Promise.resolve(rows.map((r) => JSON.parse(r.record) as R));
  }

  counts(name: string): Promise<TrialCounts> {
    const rows = this.db.prepare('SELECT state, COUNT(*) AS n FROM trials WHERE study = ? GROUP BY state').all(name) as { state: TrialState; n: number }[];
    const out: TrialCounts = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const r of rows) out[r.state] = r.n;
    return Promise.resolve(out);
  }

  claimLog(name: string): Promise<ClaimLogEntry[]> {
    const rows = this.db
      .prepare('SELECT c.trial_id, c.worker, c.token, c.claimed_ms, c.ended_ms, c.outcome FROM claims c JOIN trials t ON t.id = c.trial_id WHERE t.study = ? ORDER BY c.id')
      .all(name) as { trial_id: number; worker: string; token: string; claimed_ms: number; ended_ms: number | null; outcome: ClaimLogEntry['outcome'] }[];
    return Promise.resolve(rows.map((r) => ({ trialId: r.trial_id, worker: r.worker, token: r.token, claimedAt: r.claimed_ms, endedAt: r.ended_ms, outcome: r.outcome })));
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
