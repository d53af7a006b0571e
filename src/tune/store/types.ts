/**
 * The study store (issue 19): where a comparison study's trials live, so that any number of worker processes, on
 * one machine (SQLite) or many (PostgreSQL), share one study by name.
 *
 * @remarks
 * **Trial life cycle.** A trial is a row keyed by (study, method, seed, trial). It is added `pending`; a worker
 * {@link StudyStore.claim | claims} it (the row becomes `running`, owned by the worker and a fresh claim token);
 * the worker {@link StudyStore.heartbeat | heartbeats} while it trains (optionally saving the point u and a
 * checkpoint after each epoch) and finally {@link StudyStore.complete | completes} it with its record (`done`) or
 * {@link StudyStore.fail | fails} it (`failed`, with the message).
 *
 * **Atomic claims.** A claim picks the first claimable row in (priority, id) order and marks it in one
 * transaction that the database serialises: SQLite's `BEGIN IMMEDIATE` (one writer at a time), PostgreSQL's
 * `SELECT … FOR UPDATE SKIP LOCKED` (concurrent claimers skip rows another transaction holds). A row is
 * claimable when `pending`, or `running` with its last heartbeat older than the lease its claimer declared
 * (`now > heartbeat + lease`: the worker is presumed dead; the row is reclaimed, its old claim ended as
 * `expired`, and the new claimer resumes from the row's checkpoint when it has one).
 *
 * **Exactly once.** Heartbeat, complete and fail only act while the row still holds the caller's claim token: a
 * worker whose trial was reclaimed gets `false` and must drop its work (a late record is never written). So each
 * trial is completed at most once, and (while some worker keeps running) every trial is completed.
 *
 * **Clocks.** SQLite (one machine): the processes' `Date.now()`. PostgreSQL: the server's `now()`, so workers on
 * machines with skewed clocks agree.
 *
 * **Kinds of study.** The store keeps a study's configuration and records as JSON and its methods as text, so the
 * same tables hold a comparison study (the defaults: {@link StudyMethod}, {@link StudyConfig}, {@link TrialRecord})
 * and an architecture search (`StudyStore<ArchMethod, ArchSearchConfig, ArchRecord>`, src/tune/archSearch.ts: a
 * row per search run, trial 0, or per random trial). The type parameters only say what the caller stores; which
 * kind a study is, is told by its configuration (each runner validates the one it reads back).
 */
import type { StudyConfig, StudyMethod } from '../studyConfig.js';
import type { TrialRecord } from '../studyRecords.js';

/** The state of a trial row. */
export type TrialState = 'pending' | 'running' | 'done' | 'failed';

/** A planned trial to add (`priority`: claims go in increasing priority, then insertion order). */
export interface PlannedTrial<M extends string = StudyMethod> {
  method: M;
  seed: number;
  trial: number;
  plannedEpochs: number;
  priority: number;
}

/** A trial row as read back. */
export interface StoredTrial<M extends string = StudyMethod, R extends object = TrialRecord> extends PlannedTrial<M> {
  id: number;
  state: TrialState;
  /** The worker holding (running) or that last held the trial. */
  worker: string | null;
  /** How many times it was claimed. */
  attempts: number;
  /** Search: the point being evaluated (saved once suggested), or the finished record's. */
  u: number[] | null;
  /** Whether a checkpoint is saved. */
  hasCheckpoint: boolean;
  record: R | null;
  error: string | null;
}

/** A claim: the trial a worker now holds, with the token that proves it. */
export interface Claim<M extends string = StudyMethod> {
  study: string;
  id: number;
  token: string;
  worker: string;
  method: M;
  seed: number;
  trial: number;
  plannedEpochs: number;
  /** 1 for the first claim; more when reclaimed. */
  attempt: number;
  /** The checkpoint text the previous holder saved (see studyTrial.ts), or null. */
  checkpoint: string | null;
}

/** One claim in the store's claim log (for audits and tests). Times in ms since the epoch (the store's clock). */
export interface ClaimLogEntry {
  trialId: number;
  worker: string;
  token: string;
  claimedAt: number;
  /** When the claim ended (completed, failed, or expired because another worker reclaimed the trial). */
  endedAt: number | null;
  outcome: 'done' | 'failed' | 'expired' | null;
}

/** Counts of trials by state. */
export type TrialCounts = Record<TrialState, number>;

/**
 * Where an imported record goes (see {@link StudyStore.importRecords}): its row's key, planned epochs and point u.
 * A {@link TrialRecord} carries these fields itself.
 */
export interface RecordKey<M extends string = StudyMethod> {
  method: M;
  seed: number;
  trial: number;
  plannedEpochs: number;
  u?: number[] | null;
}

/** The point u a record carries (a {@link TrialRecord}'s `u`), or null. */
export function recordPoint(record: object | null): number[] | null {
  const u = record !== null && 'u' in record ? (record as { u?: unknown }).u : undefined;
  return Array.isArray(u) ? (u as number[]) : null;
}

/**
 * The study store interface (see the module remarks). Every method may be called from any process. `M`, `C`, `R`:
 * the study's method names, configuration and record (by default a comparison study's).
 */
export interface StudyStore<M extends string = StudyMethod, C = StudyConfig, R extends object = TrialRecord> {
  readonly kind: 'sqlite' | 'postgresql';
  /** Where it is (a file path, or the URL without its password). */
  readonly location: string;
  /**
   * Creates study `name` with `config`, or loads it: returns the configuration stored (the caller compares it)
   * and whether this call created it.
   */
  openStudy(name: string, config: C): Promise<{ config: C; created: boolean }>;
  /** The configuration of an existing study, or null when there is none named so. */
  studyConfig(name: string): Promise<C | null>;
  /** Replaces the stored configuration (methods or seeds extended); the caller checks the identity fields. */
  updateStudyConfig(name: string, config: C): Promise<void>;
  /** Adds the trials not yet present (by method, seed, trial); returns how many were added. */
  addTrials(name: string, trials: readonly PlannedTrial<M>[]): Promise<number>;
  /**
   * Adds finished records as `done` trials (migration of a `trials.jsonl` or a search's `runs.jsonl`); skips those
   * already done. Returns how many. `key` gives each record's row (default: the record's own `method`, `seed`,
   * `trial`, `plannedEpochs` and `u`, as a {@link TrialRecord} has them).
   */
  importRecords(name: string, records: readonly R[], priority: (r: R) => number, key?: (r: R) => RecordKey<M>): Promise<number>;
  /** Atomically claims the next claimable trial (see the module remarks), or null when none is. `leaseSeconds` > 0. */
  claim(name: string, worker: string, leaseSeconds: number): Promise<Claim<M> | null>;
  /** Renews the claim (and saves u / a checkpoint when given); false when the claim was lost. */
  heartbeat(claim: Claim<M>, save?: { u?: number[]; checkpoint?: string }): Promise<boolean>;
  /** Marks the trial done with its record; false (and nothing written) when the claim was lost. */
  complete(claim: Claim<M>, record: R): Promise<boolean>;
  /** Marks the trial failed with `message`; false when the claim was lost. */
  fail(claim: Claim<M>, message: string): Promise<boolean>;
  /** Every trial of the study, in (priority, id) order. */
  trials(name: string): Promise<StoredTrial<M, R>[]>;
  /** The records of the done trials, in the order they were completed. */
  records(name: string): Promise<R[]>;
  counts(name: string): Promise<TrialCounts>;
  /** The claim log of the study, in claim order. */
  claimLog(name: string): Promise<ClaimLogEntry[]>;
  close(): Promise<void>;
}
