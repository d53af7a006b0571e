/**
 * `deltastn search --workers N` across real processes (the compiled CLI, bin/deltastn.js over dist/): worker
 * threads exist only for the compiled worker script dist/src/tune/archWorker.js, so this file needs
 * `npm run build` first (CI builds dist before `npm test`, see .ci/run) and is skipped, saying why, without it.
 *
 * One tiny study (2-node MLP cell, width 8, 200 examples, 1 search + 1 retraining epoch, batches of 50, wasm;
 * darts1, delta-stn and random, so 2 search runs and 2 random trials) is run with `--workers 2` into one
 * directory and with `--workers 1` (in-process) into another, at the same time. The records must be the same
 * record for record, keyed by (kind, method, seed, trial) — the order of the lines in runs.jsonl may differ —
 * every field equal except the wall times; the summaries' accuracies and genotypes equal; config.json equal
 * (the worker count is not part of the study). A resume of the workers' directory with `--workers 1` then has
 * nothing to redo. Two `deltastn search` processes started on one store and study name (issue 19) split the
 * jobs between them, each job run once, and both export every record.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCompiled, temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

const compiled = existsSync(join('dist', 'src', 'tune', 'archWorker.js')) && existsSync(join('dist', 'src', 'cli', 'main.js'));
if (!compiled) console.log('test/cli/searchWorkers.test.ts: skipped — no compiled dist/src/tune/archWorker.js (run `npm run build` first; CI does)');

const STUDY = ['search', '--space', 'mlp-cell', '--nodes', '2', '--width', '8', '--train-size', '200', '--search-epochs', '1', '--retrain-epochs', '1', '--batch-size', '50', '--backend', 'wasm', '--method', 'darts1,delta-stn,random'];

/** Runs the compiled CLI in a child process (test/helpers.ts). */
const cli = runCompiled;

/** A JSON value without its wall times (every `seconds` and `searchSeconds` field, at any depth). */
function timeless(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(timeless);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'seconds' && k !== 'searchSeconds').map(([k, x]) => [k, timeless(x)]));
  return v;
}

interface Line {
  kind: string;
  method: string;
  seed: number;
  trial?: number;
}

/** runs.jsonl as a map from (kind, method, seed, trial) to the record without its wall times. */
function recordsByJob(dir: string): Map<string, unknown> {
  const lines = readFileSync(join(dir, 'runs.jsonl'), 'utf8').split('\n').filter((l) => l.trim().length > 0);
  const map = new Map<string, unknown>();
  for (const l of lines) {
    const r = JSON.parse(l) as Line;
    const k = `${r.kind}|${r.method}|${r.seed}|${r.trial ?? '-'}`;
    expect(map.has(k)).toBe(false); // each job once
    map.set(k, timeless(r));
  }
  return map;
}

describe('deltastn search --workers (compiled CLI)', () => {
  test.skipIf(!compiled)('--workers 2 gives the records and summary of an in-process run, timings aside, and resumes with --workers 1', async () => {
    const base = tmp('deltastn-search-workers-');
    const [two, one] = [join(base, 'workers-2'), join(base, 'workers-1')];
    const [a, b] = await Promise.all([cli([...STUDY, '--workers', '2', '--out', two]), cli([...STUDY, '--workers', '1', '--out', one])]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    // The workers really ran (4 jobs on 2 threads), and the other run really was in-process.
    expect(a.err).toContain('running 4 job(s) on 2 worker threads');
    expect(a.out).toContain(`${two}: 4 run(s) done, 0 finished before and skipped; backend wasm; 2 worker threads;`);
    expect(b.out).toContain(`${one}: 4 run(s) done, 0 finished before and skipped; backend wasm; in-process;`);
    // Worker progress lines reach the main thread's stderr.
    expect(a.err).toMatch(/darts1 seed 0 search epoch 1\/1/);

    // Records: the same jobs, each record equal field by field (α, every epoch's accuracies and losses, the
    // genotype, the retraining's sets) except its wall times. Bit-equality is expected, not a tolerance: every
    // job derives its seeds from (seed, method, trial) and runs on its own wasm backend, and the in-process
    // tests (test/tune/archSearch.test.ts) show a rerun of a job reproduces its record exactly.
    const ra = recordsByJob(two);
    const rb = recordsByJob(one);
    expect([...ra.keys()].sort()).toEqual(['random|random|0|0', 'random|random|0|1', 'search|darts1|0|-', 'search|delta-stn|0|-']);
    expect(ra).toEqual(rb);

    // Summaries: accuracies and genotypes equal; the backend and configuration too.
    const summary = (dir: string): { config: unknown; backend: string; methods: unknown[] } => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const [sa, sb] = [summary(two), summary(one)];
    expect(timeless(sa.methods)).toEqual(timeless(sb.methods));
    expect(sa.methods).toHaveLength(3);
    expect([sa.backend, sb.backend]).toEqual(['wasm', 'wasm']);
    expect(sa.config).toEqual(sb.config);
    expect(readFileSync(join(two, 'config.json'), 'utf8')).toBe(readFileSync(join(one, 'config.json'), 'utf8'));
    // The table's rows agree but for the wall-time column (the 5th cell).
    const rows = (out: string): string[][] => out.split('\n').filter((l) => /^\| (darts1|delta-stn|random) \|/.test(l)).map((l) => l.split(' | ').filter((_, i) => i !== 4));
    expect(rows(a.out)).toHaveLength(3);
    expect(rows(a.out)).toEqual(rows(b.out));

    // The worker count is not part of the study: the workers' directory resumes in-process with nothing to do.
    const c = await cli([...STUDY, '--workers', '1', '--out', two]);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toContain(`${two}: 0 run(s) done, 4 finished before and skipped`);
  });

  test.skipIf(!compiled)('two search processes on one store and study (--storage sqlite:PATH --study NAME) share its jobs: each runs once, both export every record', async () => {
    // What a search across machines does with a PostgreSQL URL, on one machine with a SQLite file (issue 19).
    const base = tmp('deltastn-search-shared-');
    const shared = [...STUDY, '--quiet', '--storage', `sqlite:${join(base, 'shared.db')}`, '--study', 'shared'];
    const [a, b] = await Promise.all([cli([...shared, '--out', join(base, 'a')]), cli([...shared, '--out', join(base, 'b')])]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const ran = (out: string): number => Number(/: (\d+) run\(s\) done/.exec(out)?.[1]);
    expect(ran(a.out) + ran(b.out)).toBe(4);
    // Each job once in either export, and the two exports are the same records.
    const [ra, rb] = [recordsByJob(join(base, 'a')), recordsByJob(join(base, 'b'))];
    expect([...ra.keys()].sort()).toEqual(['random|random|0|0', 'random|random|0|1', 'search|darts1|0|-', 'search|delta-stn|0|-']);
    expect(ra).toEqual(rb);
  });
});
