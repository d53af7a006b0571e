/**
 * Opening a study store from a `--storage` value (issue 19): `sqlite` (the default: `DIR/study.db` in the study
 * directory), `sqlite:PATH` (that file), or a PostgreSQL URL `postgresql://user:password@host:port/database`.
 */
import { join } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { PostgresStudyStore, isPostgresUrl, redactUrl } from './postgres.js';
import { SqliteStudyStore } from './sqlite.js';
import type { StudyConfig, StudyMethod } from '../studyConfig.js';
import type { TrialRecord } from '../studyRecords.js';
import type { StudyStore } from './types.js';

export type { Claim, ClaimLogEntry, PlannedTrial, RecordKey, StoredTrial, StudyStore, TrialCounts, TrialState } from './types.js';
export { recordPoint } from './types.js';
export { PostgresStudyStore, isPostgresUrl, redactUrl } from './postgres.js';
export { SqliteStudyStore } from './sqlite.js';
export { exportStudy, trialsCsv, trialsJsonl, type ExportResult } from './export.js';

/** The file name of the SQLite store in a study directory. */
export const STUDY_DB = 'study.db';

/** What a `--storage` value names. */
export type StorageSpec = { kind: 'sqlite'; path: string | null } | { kind: 'postgresql'; url: string };

/**
 * Parses a `--storage` value: `sqlite` (path null: the study directory's `study.db`), `sqlite:PATH`, or a
 * `postgresql://` / `postgres://` URL.
 * @throws InvalidArgumentError naming `argument` for anything else (the value is shown without a password).
 */
export function parseStorage(value: string, argument = '--storage'): StorageSpec {
  if (value === 'sqlite') return { kind: 'sqlite', path: null };
  if (value.startsWith('sqlite:') && value.length > 'sqlite:'.length) return { kind: 'sqlite', path: value.slice('sqlite:'.length) };
  if (isPostgresUrl(value)) return { kind: 'postgresql', url: value };
  throw new InvalidArgumentError(argument, 'sqlite, sqlite:PATH or postgresql://user:password@host:port/database', value.includes('://') ? redactUrl(value) : value);
}

/**
 * Opens the store a `--storage` value names; `dir` is the study directory (for plain `sqlite`). `M`, `C`, `R`: the
 * kind of study the caller keeps there (see {@link StudyStore}; by default a comparison study).
 * @throws InvalidArgumentError naming `argument` (see {@link parseStorage}; plain `sqlite` without `dir`; an
 *   unreachable server); OutputPathError naming `argument` for a SQLite file that cannot be opened.
 */
export async function openStore<M extends string = StudyMethod, C = StudyConfig, R extends object = TrialRecord>(storage: string, dir: string | null, argument = '--storage'): Promise<StudyStore<M, C, R>> {
  const spec = parseStorage(storage, argument);
  if (spec.kind === 'postgresql') return PostgresStudyStore.connect<M, C, R>(spec.url, argument);
  const path = spec.path ?? (dir === null ? null : join(dir, STUDY_DB));
  if (path === null) throw new InvalidArgumentError(argument, 'sqlite:PATH (the study file) or a postgresql:// URL (no study directory to hold study.db)', storage);
  return new SqliteStudyStore<M, C, R>(path, argument);
}
