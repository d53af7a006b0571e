/**
 * `deltastn search --storage postgresql://…` through the CLI entry point (issue 19): the architecture search on the
 * PostgreSQL study store, when DELTASTN_PG_URL names a server (skipped, saying so, when it is unset; CI starts one
 * and sets DELTASTN_PG_REQUIRE=1, so there it cannot skip), as test/tune/store.test.ts does for the store itself.
 *
 * One tiny study (2-node MLP cell, width 8, 200 examples, 1 search + 1 retraining epoch, wasm; darts1 and random,
 * so 1 search run and 2 random trials) under a fresh study name:
 * - it runs into the server (DIR holds no study.db) and names the store without its password;
 * - its records equal, field for field but the wall times, those of the same study on SQLite (the store changes
 *   where records live, not what they are);
 * - a rerun, and a run from a new directory on the same study name, find every run done in the server and redo
 *   nothing; the new directory's export holds every record;
 * - the same study name with another setting (--width) is refused, exit 2 naming --study, nothing written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli as run, temporaryDirectories } from '../helpers.js';

const PG_URL = process.env.DELTASTN_PG_URL;
const PG_REQUIRED = process.env.DELTASTN_PG_REQUIRE === '1';

const tmp = temporaryDirectories();

const SMALL = ['--search-epochs', '1', '--retrain-epochs', '1', '--nodes', '2', '--width', '8', '--train-size', '200', '--batch-size', '50', '--backend', 'wasm', '--method', 'darts1,random', '--quiet'];

/** runs.jsonl as a map from (kind, method, seed, trial) to the record without its wall times. */
function recordsByJob(dir: string): Map<string, unknown> {
  const timeless = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(timeless);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'seconds' && k !== 'searchSeconds').map(([k, x]) => [k, timeless(x)]));
    return v;
  };
  const map = new Map<string, unknown>();
  for (const l of readFileSync(join(dir, 'runs.jsonl'), 'utf8').split('\n').filter((x) => x.trim().length > 0)) {
    const r = JSON.parse(l) as { kind: string; method: string; seed: number; trial?: number };
    map.set(`${r.kind}/${r.method}/${r.seed}/${r.trial ?? '-'}`, timeless(r));
  }
  return map;
}

describe.skipIf(!PG_URL)('deltastn search --storage postgresql://… (DELTASTN_PG_URL)', () => {
  test('runs into the server, equals the SQLite run, resumes from the server in any directory, refuses another setting naming --study', async () => {
    const url = PG_URL as string;
    const study = `search-pg-${process.pid}-${Date.now()}`;
    const base = tmp('deltastn-search-pg-');
    const dir = join(base, 'pg');
    const a = await run('search', ...SMALL, '--storage', url, '--study', study, '--out', dir);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain(`${dir}: 3 run(s) done, 0 finished before and skipped`);
    expect(a.out).toMatch(new RegExp(`Study ${study} in postgresql://[^\\s]*@`));
    const password = new URL(url).password;
    if (password) expect(a.out).not.toContain(`:${password}@`);
    expect(existsSync(join(dir, 'study.db'))).toBe(false);

    const lite = join(base, 'sqlite');
    const s = await run('search', ...SMALL, '--out', lite);
    expect(s.code, s.err).toBe(0);
    expect(existsSync(join(lite, 'study.db'))).toBe(true);
    const pgRecords = recordsByJob(dir);
    expect([...pgRecords.keys()].sort()).toEqual(['random/random/0/0', 'random/random/0/1', 'search/darts1/0/-']);
    expect(pgRecords).toEqual(recordsByJob(lite));

    const again = await run('search', ...SMALL, '--storage', url, '--study', study, '--out', dir);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('0 run(s) done, 3 finished before and skipped');
    // A directory that never saw the study: the runs are in the server, and its export holds them all.
    const other = join(base, 'elsewhere');
    const b = await run('search', ...SMALL, '--storage', url, '--study', study, '--out', other);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toContain('0 run(s) done, 3 finished before and skipped');
    expect(recordsByJob(other)).toEqual(pgRecords);

    const changed = join(base, 'changed');
    const c = await run('search', ...SMALL.map((x) => (x === '8' ? '4' : x)), '--storage', url, '--study', study, '--out', changed);
    expect(c.code).toBe(2);
    expect(c.out).toBe('');
    expect(c.err).toContain('--study');
    expect(existsSync(join(changed, 'runs.jsonl'))).toBe(false);
  });
});

describe('deltastn search on PostgreSQL: availability', () => {
  test.skipIf(PG_URL !== undefined || PG_REQUIRED)('skipped: DELTASTN_PG_URL is not set, so the PostgreSQL search test did not run (CI starts a server and sets it; see .ci/run)', () => {
    expect(PG_URL).toBeUndefined();
  });
  test.runIf(PG_REQUIRED)('DELTASTN_PG_REQUIRE=1: the PostgreSQL search test must run', () => {
    expect(PG_URL, 'DELTASTN_PG_REQUIRE=1 but DELTASTN_PG_URL is not set').toMatch(/^postgres(ql)?:\/\//);
  });
});
