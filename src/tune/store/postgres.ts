/**
 * The study store on PostgreSQL (`--storage postgresql://user:password@host:port/database`): workers on many
 * machines share a study by name. See types.ts for the life cycle and guarantees.
 *
 * @remarks
 * Tables `deltastn_studies`, `deltastn_trials`, `deltastn_claims` (created on first use, under a transaction-level
 * advisory lock so that workers starting together do not race on `CREATE TABLE`). A claim is one transaction:
 * `SELECT … ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED` picks the first claimable row that no other
 * transaction has locked (two claimers never get the same row, and neither waits for the other), then the row is
 * marked and the claim logged before `COMMIT`. Heartbeats and leases use the server's clock (`now()`: the start of the transaction, one time for all of a claim's writes).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { InvalidArgumentError } from '../../errors.js';
import type { StudyConfig } from '../studyConfig.js';
import type { TrialRecord } from '../studyRecords.js';
import type { StudyMethod } from '../studyConfig.js';
import { recordPoint, type Claim, type ClaimLogEntry, type PlannedTrial, type RecordKey, type StoredTrial, type StudyStore, type TrialCounts, type TrialState } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deltastn_studies (name TEXT PRIMARY KEY, config TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS deltastn_trials (
  id BIGSERIAL PRIMARY KEY, study TEXT NOT NULL REFERENCES deltastn_studies(name), method TEXT NOT NULL, seed INTEGER NOT NULL,
  trial INTEGER NOT NULL, planned_epochs INTEGER NOT NULL, priority INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
  worker TEXT, token TEXT, attempts INTEGER NOT NULL DEFAULT 0, heartbeat TIMESTAMPTZ, lease_ms INTEGER, u TEXT, checkpoint TEXT,
  record TEXT, error TEXT, finished_seq BIGINT, UNIQUE (study, method, seed, trial));
CREATE INDEX IF NOT EXISTS deltastn_trials_claim ON deltastn_trials (study, state, priority, id);
CREATE SEQUENCE IF NOT EXISTS deltastn_finished_seq;
CREATE TABLE IF NOT EXISTS deltastn_claims (
  id BIGSERIAL PRIMARY KEY, trial_id BIGINT NOT NULL REFERENCES deltastn_trials(id), worker TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
  claimed_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ, outcome TEXT);
`;

/** The URL without its password (for messages and `location`). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Whether `s` is a PostgreSQL connection URL (`postgresql://…` or `postgres://…`). */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//.test(s);
}

interface TrialRow {
  id: string;
  method: string;
  seed: number;
  trial: number;
  planned_epochs: number;
  priority: number;
  state: TrialState;
  worker: string | null;
  attempts: number;
  u: string | null;
  has_checkpoint: boolean;
  record: string | null;
  error: string | null;
}

/** A {@link StudyStore} on a PostgreSQL database (`M`, `C`, `R`: see {@link StudyStore}). Create it with {@link PostgresStudyStore.connect}. */
export class PostgresStudyStore<M extends string = StudyMethod, C = StudyConfig, R extends object = TrialRecord> implements StudyStore<M, C, R> {
  readonly kind = 'postgresql' as const;
  readonly location: string;
  private readonly pool: pg.Pool;

  private constructor(url: string, pool: pg.Pool) {
    this.location = redactUrl(url);
    this.pool = pool;
  }

  /**
   * Connects to `url` and creates the tables when absent.
   * @throws InvalidArgumentError naming `argument` when the URL is not a PostgreSQL URL or the server cannot be
   *   reached (the message has the URL without its password, and the driver's reason).
   */
  static async connect<M extends string = StudyMethod, C = StudyConfig, R extends object = TrialRecord>(url: string, argument = '--storage'): Promise<PostgresStudyStore<M, C, R>> {
    if (!isPostgresUrl(url)) throw new InvalidArgumentError(argument, 'a postgresql://user:password@host:port/database URL', redactUrl(url));
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => {}); // an idle client's lost connection: the next query reports it
    const store = new PostgresStudyStore<M, C, R>(url, pool);
    try {
      await store.tx(async (c) => {
        await c.query("SELECT pg_advisory_xact_lock(hashtext('deltastn-study-store-schema'))");
        await c.query(SCHEMA);
      });
    } catch (e) {
      await pool.end().catch(() => {});
      throw new InvalidArgumentError(argument, 'a reachable PostgreSQL database where tables can be created', `${redactUrl(url)} (${(e as Error).message})`);
    }
    return store;
  }

  /** Runs `f` in a transaction on one client. */
  private async tx<T>(f: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await f(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  async openStudy(name: string, config: C): Promise<{ config: C; created: boolean }> {
    const ins = await this.pool.query('INSERT INTO deltastn_studies (name, config) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, JSON.stringify(config)]);
    if (ins.rowCount === 1) return { config, created: true };
    return { config: (await this.studyConfig(name)) as C, created: false };
  }

  async studyConfig(name: string): Promise<C | null> {
    const r = await this.pool.query<{ config: string }>('SELECT config FROM deltastn_studies WHERE name = $1', [name]);
    return r.rows.length === 0 ? null : (JSON.parse(r.rows[0].config) as C);
  }

  async updateStudyConfig(name: string, config: C): Promise<void> {
    await this.pool.query('UPDATE deltastn_studies SET config = $1 WHERE name = $2', [JSON.stringify(config), name]);
  }

  async addTrials(name: string, trials: readonly PlannedTrial<M>[]): Promise<number> {
    if (trials.length === 0) return 0;
    const r = await this.pool.query(
      `INSERT INTO deltastn_trials (study, method, seed, trial, planned_epochs, priority)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::int[]) ON CONFLICT (study, method, seed, trial) DO NOTHING`,
      [name, trials.map((t) => t.method), trials.map((t) => t.seed), trials.map((t) => t.trial), trials.map((t) => t.plannedEpochs), trials.map((t) => t.priority)],
    );
    return r.rowCount ?? 0;
  }

  async importRecords(name: string, records: readonly R[], priority: (r: R) => number, key: (r: R) => RecordKey<M> = (r) => r as unknown as RecordKey<M>): Promise<number> {
    return this.tx(async (c) => {
      let n = 0;
      for (const r of records) {
        const k = key(r);
        await c.query('INSERT INTO deltastn_trials (study, method, seed, trial, planned_epochs, priority) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING', [name, k.method, k.seed, k.trial, k.plannedEpochs, priority(r)]);
        const u = await c.query(
          "UPDATE deltastn_trials SET state = 'done', record = $1, u = $2, worker = 'import', finished_seq = nextval('deltastn_finished_seq') WHERE study = $3 AND method = $4 AND seed = $5 AND trial = $6 AND state <> 'done'",
          [JSON.stringify(r), k.u ? JSON.stringify(k.u) : null, name, k.method, k.seed, k.trial],
        );
        n += u.rowCount ?? 0;
      }
      return n;
    });
  }

  async claim(name: string, worker: string, leaseSeconds: number): Promise<Claim<M> | null> {
    if (!(leaseSeconds > 0) || !Number.isFinite(leaseSeconds)) throw new InvalidArgumentError('leaseSeconds', 'a finite number of seconds > 0', leaseSeconds);
    return this.tx(async (c) => {
      const r = await c.query<{ id: string; method: string; seed: number; trial: number; planned_epochs: number; state: string; token: string | null; attempts: number; checkpoint: string | null }>(
        `SELECT id, method, seed, trial, planned_epochs, state, token, attempts, checkpoint FROM deltastn_trials
         WHERE study = $1 AND (state = 'pending' OR (state = 'running' AND heartbeat + lease_ms * interval '1 millisecond' < now()))
         ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [name],
      );
      if (r.rows.length === 0) return null;
      const row = r.rows[0];
      if (row.state === 'running' && row.token) await c.query("UPDATE deltastn_claims SET ended_at = now(), outcome = 'expired' WHERE token = $1", [row.token]);
      const token = randomUUID();
      await c.query("UPDATE deltastn_trials SET state = 'running', worker = $1, token = $2, attempts = attempts + 1, heartbeat = now(), lease_ms = $3 WHERE id = $4", [worker, token, Math.round(leaseSeconds * 1000), row.id]);
      await c.query('INSERT INTO deltastn_claims (trial_id, worker, token, claimed_at) VALUES ($1, $2, $3, now())', [row.id, worker, token]);
      return { study: name, id: Number(row.id), token, worker, method: row.method as M, seed: row.seed, trial: row.trial, plannedEpochs: row.planned_epochs, attempt: row.attempts + 1, checkpoint: row.checkpoint };
    });
  }

  async heartbeat(claim: Claim<M>, save: { u?: number[]; checkpoint?: string } = {}): Promise<boolean> {
    const r = await this.pool.query("UPDATE deltastn_trials SET heartbeat = now(), u = COALESCE($1, u), checkpoint = COALESCE($2, checkpoint) WHERE id = $3 AND token = $4 AND state = 'running'", [
      save.u ? JSON.stringify(save.u) : null,
      save.checkpoint ?? null,
      claim.id,
      claim.token,
    ]);
    return r.rowCount === 1;
  }

  private finish(claim: Claim<M>, outcome: 'done' | 'failed', record: R | null, error: string | null): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query(
        `UPDATE deltastn_trials SET state = $1, record = $2, u = COALESCE($3, u), error = $4, checkpoint = NULL, heartbeat = now(),
         finished_seq = CASE WHEN $1 = 'done' THEN nextval('deltastn_finished_seq') END WHERE id = $5 AND token = $6 AND state = 'running'`,
        [outcome, record ? JSON.stringify(record) : null, recordPoint(record) ? JSON.stringify(recordPoint(record)) : null, error, claim.id, claim.token],
      );
      if (r.rowCount !== 1) return false;
      await c.query('UPDATE deltastn_claims SET ended_at = now(), outcome = $1 WHERE token = $2', [outcome, claim.token]);
      return true;
    });
  }

  complete(claim: Claim<M>, record: R): Promise<boolean> {
    return this.finish(claim, 'done', record, null);
  }

  fail(claim: Claim<M>, message: string): Promise<boolean> {
    return this.finish(claim, 'failed', null, message);
  }

  async trials(name: string): Promise<StoredTrial<M, R>[]> {
    const r = await this.pool.query<TrialRow>(
      'SELECT id, method, seed, trial, planned_epochs, priority, state, worker, attempts, u, checkpoint IS NOT NULL AS has_checkpoint, record, error FROM deltastn_trials WHERE study = $1 ORDER BY priority, id',
      [name],
    );
    return r.rows.map((x) => ({
      id: Number(x.id),
      method: x.method as M,
      seed: x.seed,
      trial: x.trial,
      plannedEpochs: x.planned_epochs,
      priority: x.priority,
      state: x.state,
      worker: x.worker,
      attempts: x.attempts,
      u: x.u === null ? null : (JSON.parse(x.u) as number[]),
      hasCheckpoint: x.has_checkpoint,
      record: x.record === null ? null : (JSON.parse(x.record) as R),
      error: x.error,
    }));
  }

  async records(name: string): Promise<R[]> {
    const r = await this.pool.query<{ record: string }>("SELECT record FROM deltastn_trials WHERE study = $1 AND state = 'done' ORDER BY finished_seq, id", [name]);
    return r.rows.map((x) => JSON.parse(x.record) as R);
  }

  async counts(name: string): Promise<TrialCounts> {
    const r = await this.pool.query<{ state: TrialState; n: string }>('SELECT state, COUNT(*) AS n FROM deltastn_trials WHERE study = $1 GROUP BY state', [name]);
    const out: TrialCounts = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const x of r.rows) out[x.state] = Number(x.n);
    return out;
  }

  async claimLog(name: string): Promise<ClaimLogEntry[]> {
    const r = await this.pool.query<{ trial_id: string; worker: string; token: string; claimed: string; ended: string | null; outcome: ClaimLogEntry['outcome'] }>(
      `SELECT c.trial_id, c.worker, c.token, (extract(epoch FROM c.claimed_at) * 1000)::float8 AS claimed, (extract(epoch FROM c.ended_at) * 1000)::float8 AS ended, c.outcome
       FROM deltastn_claims c JOIN deltastn_trials t ON t.id = c.trial_id WHERE t.study = $1 ORDER BY c.id`,
      [name],
    );
    return r.rows.map((x) => ({ trialId: Number(x.trial_id), worker: x.worker, token: x.token, claimedAt: Number(x.claimed), endedAt: x.ended === null ? null : Number(x.ended), outcome: x.outcome }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
