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
 */
import type { StudyConfig, StudyMethod } from '../studyConfig.js';
import type { TrialRecord } from '../studyRecords.js';

/** The state of a trial row. */
export type TrialState = 'pending' | 'running' | 'done' | 'failed';

/** A planned trial to add (`priority`: claims go in increasing priority, then insertion order). */
export interface PlannedTrial {
  method: StudyMethod;
  seed: number;
  trial: number;
  plannedEpochs: number;
  priority: number;
}

/** A trial row as read back. */
export interface StoredTrial extends PlannedTrial {
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
  record: TrialRecord | null;
  error: string | null;
}

/** A claim: the trial a worker now holds, with the token that proves it. */
export interface Claim {
  study: string;
  id: number;
  token: string;
  worker: string;
  method: StudyMethod;
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

/** The study store interface (see the module remarks). Every method may be called from any process. */
export interface StudyStore {
  readonly kind: 'sqlite' | 'postgresql';
  /** Where it is (a file path, or the URL without its password). */
  readonly location: string;
  /**
   * Creates study `name` with `config`, or loads it: returns the configuration stored (the caller compares it)
   * and whether this call created it.
   */
  openStudy(name: string, config: StudyConfig): Promise<{ config: StudyConfig; created: boolean }>;
  /** The configuration of an existing study, or null when there is none named so. */
  studyConfig(name: string): Promise<StudyConfig | null>;
  /** Replaces the stored configuration (methods or seeds extended); the caller checks the identity fields. */
  updateStudyConfig(name: string, config: StudyConfig): Promise<void>;
  /** Adds the trials not yet present (by method, seed, trial); returns how many were added. */
  addTrials(name: string, trials: readonly PlannedTrial[]): Promise<number>;
  /** Adds finished records as `done` trials (migration of a `trials.jsonl`); skips those already done. Returns how many. */
  importRecords(name: string, records: readonly TrialRecord[], priority: (r: TrialRecord) => number): Promise<number>;
  /** Atomically claims the next claimable trial (see the module remarks), or null when none is. `leaseSeconds` > 0. */
  claim(name: string, worker: string, leaseSeconds: number): Promise<Claim | null>;
  /** Renews the claim (and saves u / a checkpoint when given); false when the claim was lost. */
  heartbeat(claim: Claim, save?: { u?: number[]; checkpoint?: string }): Promise<boolean>;
  /** Marks the trial done with its record; false (and nothing written) when the claim was lost. */
  complete(claim: Claim, record: TrialRecord): Promise<boolean>;
  /** Marks the trial failed with `message`; false when the claim was lost. */
  fail(claim: Claim, message: string): Promise<boolean>;
  /** Every trial of the study, in (priority, id) order. */
  trials(name: string): Promise<StoredTrial[]>;
  /** The records of the done trials, in the order they were completed. */
  records(name: string): Promise<TrialRecord[]>;
  counts(name: string): Promise<TrialCounts>;
  /** The claim log of the study, in claim order. */
  claimLog(name: string): Promise<ClaimLogEntry[]>;
  close(): Promise<void>;
}
