/**
 * Exports of a study store: the records as JSONL (`trials.jsonl`, one {@link TrialRecord} per line, in the order the
 * trials finished: the format `deltastn report` and the runs notebook read) and as CSV (`trials.csv`, one row per
 * trial), and {@link exportStudy}, which writes a study directory from a store (how `deltastn report` reads a
 * PostgreSQL study: export, then report the directory).
 */
import { join } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { createOutputDirectory, writeFileAtomic } from '../../stateFiles.js';
import type { StudyConfig } from '../studyConfig.js';
import type { TrialRecord } from '../studyRecords.js';
import { writeStudyOutputs } from '../studyPlots.js';
import { summarizeStudy, type StudySummary } from '../studySummary.js';
import type { StudyStore } from './types.js';

/** The records as JSON lines (each line ends with a newline); any kind of record (a search's `runs.jsonl` too). */
export function trialsJsonl(records: readonly object[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}

/** RFC 4180 quoting of one field. */
function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The records as CSV, one row per trial: method, seed, trial, run seed, planned and run epochs, the best
 * validation loss and the test loss/accuracy at that epoch, wall seconds, finish time, backend, why it stopped
 * early, then one column per hyperparameter (its value) and per coordinate of u. Numbers in JavaScript's
 * shortest round-trip form.
 */
export function trialsCsv(records: readonly TrialRecord[]): string {
  const names = [...new Set(records.flatMap((r) => Object.keys(r.hyper)))];
  const h = Math.max(0, ...records.map((r) => r.u?.length ?? 0));
  const header = ['method', 'seed', 'trial', 'run_seed', 'planned_epochs', 'epochs', 'best_val', 'test_loss', 'test_accuracy', 'wall_seconds', 'finished_at', 'backend', 'stopped', ...names, ...Array.from({ length: h }, (_, k) => `u${k}`)];
  const rows = records.map((r) => {
    const best = r.epochs.reduce<TrialRecord['epochs'][number] | null>((a, p) => (a === null || p.val.loss < a.val.loss ? p : a), null);
    return [r.method, r.seed, r.trial, r.runSeed, r.plannedEpochs, r.epochs.length, r.bestVal, best?.test?.loss, best?.test?.accuracy, r.wallSeconds, r.finishedAt, r.backend, r.stopped, ...names.map((n) => r.hyper[n]), ...Array.from({ length: h }, (_, k) => r.u?.[k])];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',') + '\n').join('');
}

/** What {@link exportStudy} wrote. */
export interface ExportResult {
  dir: string;
  config: StudyConfig;
  records: number;
  summary: StudySummary;
}

/**
 * Writes study `name` of `store` into `dir`: `config.json`, `trials.jsonl`, `trials.csv`, `summary.json`,
 * `table.md` and the plots (each atomically). The directory can then be read by `deltastn report DIR`.
 * @throws InvalidArgumentError naming `--study` when the store has no study so named; OutputPathError naming
 *   `--out` when `dir` cannot be written.
 */
export async function exportStudy(store: StudyStore, name: string, dir: string): Promise<ExportResult> {
  const config = await store.studyConfig(name);
  if (config === null) throw new InvalidArgumentError('--study', `the name of a study in ${store.location}`, name);
  const records = await store.records(name);
  createOutputDirectory(dir, '--out');
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeFileAtomic(join(dir, 'trials.jsonl'), trialsJsonl(records));
  writeFileAtomic(join(dir, 'trials.csv'), trialsCsv(records));
  const summary = summarizeStudy(config, records);
  writeStudyOutputs(dir, config, records, summary);
  return { dir, config, records: records.length, summary };
}
