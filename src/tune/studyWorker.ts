/**
 * The worker loop of a study store (issue 19): claim a trial, train it (heartbeating, with a checkpoint after
 * every epoch), complete it, repeat until no trial is left. `deltastn compare` runs it in its own process (and in
 * each worker thread), `deltastn worker` runs it on any machine that reaches the store.
 *
 * @remarks
 * **Ending.** When no trial is claimable the loop ends if none is pending or running; otherwise (trials held
 * by other workers) it polls every `pollSeconds`, so that it reclaims the trial of a worker that died (no
 * heartbeat for its lease) and resumes it from its checkpoint.
 *
 * **Heartbeats.** At the claim, once the search point u is known (saved with it), after every epoch (with the
 * checkpoint), and from the training steps at most every lease/4 seconds. A lease must therefore exceed the
 * longest stretch without a step or an epoch end (model building, an evaluation pass); the default is 60 s.
 *
 * **Bayesian optimization with trials in flight: constant liar, CL-max** (Ginsbourger, Le Riche & Carraro
 * 2010, "Kriging is well-suited to parallelize optimization"). Trial i of (bayes, seed) proposes from the
 * finished trials of that seed, in trial order, followed by every trial of that seed that another worker holds
 * and whose point u is saved, each with the lie y = the largest finite validation loss finished so far. The GP
 * then sees those points as already evaluated (and bad), so expected improvement is low there and parallel
 * workers do not propose the same point. With nothing finished yet there is nothing to lie with: the points in
 * flight are left out, and the strategy (fewer points than its random start) draws at random from the trial's
 * own stream. A point is saved only after its trial's model is built, so two claims within that short window
 * do not see each other's point. With one worker no trial is ever in flight, and the proposals are exactly
 * those of a sequential run.
 */
import { hostname } from 'node:os';
import { pid } from 'node:process';
import { threadId } from 'node:worker_threads';
import type { Trial } from './search.js';
import type { StudyConfig } from './studyConfig.js';
import type { TrialRecord } from './studyRecords.js';
import { TrialAbandoned, decodeTrialCheckpoint, encodeTrialCheckpoint, runTrial, type DataCache, type StudyEvent } from './studyTrial.js';
import type { Claim, StudyStore } from './store/types.js';

/** Options of {@link runStudyWorker}. */
export interface StudyWorkerOptions {
  /** The backend this process initialised (recorded in each record). */
  backend: string;
  /** This worker's id in the store (default `host:pid:thread`). */
  worker?: string;
  /** Seconds without a heartbeat after which another worker may reclaim a held trial (default 60). */
  leaseSeconds?: number;
  /** Seconds between claim attempts while every remaining trial is held by others (default 1). */
  pollSeconds?: number;
  /** Stop after this many completed trials (default: no limit). */
  limit?: number;
  /** Asked before each claim; false ends the loop. */
  shouldContinue?: () => boolean;
  /** Whether to wait for (and reclaim) trials held by others once nothing is claimable (default true). */
  wait?: boolean;
  onEvent?: (e: StudyEvent) => void;
  /** Called with each record this worker completed. */
  onRecord?: (r: TrialRecord) => void;
  log?: (s: string) => void;
  /** The worker thread (0: a process's main thread). */
  thread?: number;
  /** `performance.now()` when the runner started (events' `elapsed` count from it; default: now). */
  startedAt?: number;
  /** The data splits loaded so far (default: a new cache for this loop). */
  data?: DataCache;
}

/** What {@link runStudyWorker} did. */
export interface StudyWorkerResult {
  worker: string;
  /** Trials this worker completed. */
  ran: number;
  /** Trials it lost to a reclaim (its record was dropped). */
  lost: number;
  /** Of the trials it ran, how many were resumed from a checkpoint. */
  resumed: number;
}

/** The default worker id: `host:pid:thread`. */
export function defaultWorkerId(thread = threadId): string {
  return `${hostname()}:${pid}:${thread}`;
}

/** The history a Bayesian-optimization trial proposes from (see the module remarks: CL-max). */
export async function bayesHistory(store: StudyStore, name: string, claim: Claim): Promise<Trial[]> {
  const rows = (await store.trials(name)).filter((t) => t.method === claim.method && t.seed === claim.seed && t.id !== claim.id);
  const finished = rows.filter((t) => t.state === 'done' && t.record !== null).sort((a, b) => a.trial - b.trial);
  const history: Trial[] = finished.map((t) => ({ u: (t.record as TrialRecord).u ?? [], value: (t.record as TrialRecord).bestVal ?? NaN }));
  const values = history.map((t) => t.value).filter((v) => Number.isFinite(v));
  if (values.length === 0) return history;
  const lie = Math.max(...values);
  for (const t of rows.filter((x) => x.state === 'running' && x.u !== null).sort((a, b) => a.trial - b.trial)) history.push({ u: t.u as number[], value: lie });
  return history;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs trials of study `name` from `store` until none is left (see the module remarks).
 * @throws the error of a trial that failed (after marking it failed in the store).
 */
export async function runStudyWorker(store: StudyStore, name: string, config: StudyConfig, options: StudyWorkerOptions): Promise<StudyWorkerResult> {
  const worker = options.worker ?? defaultWorkerId();
  const lease = options.leaseSeconds ?? 60;
  const poll = options.pollSeconds ?? 1;
  const limit = options.limit ?? Infinity;
  const startedAt = options.startedAt ?? performance.now();
  const data = options.data ?? new Map();
  const elapsed = (): number => (performance.now() - startedAt) / 1000;
  const emit = options.onEvent ?? ((): void => {});
  const result: StudyWorkerResult = { worker, ran: 0, lost: 0, resumed: 0 };
  let waiting = false;
  while (result.ran < limit && (options.shouldContinue?.() ?? true)) {
    const claim = await store.claim(name, worker, lease);
    if (!claim) {
      if (options.wait === false) break;
      const c = await store.counts(name);
      if (c.pending + c.running === 0) break;
      if (!waiting) options.log?.(`${worker}: ${c.running} trial(s) held by other workers; waiting for them (one whose worker stops heartbeating for its lease is reclaimed here)`);
      waiting = true;
      await sleep(poll * 1000);
      continue;
    }
    waiting = false;
    const resume = claim.checkpoint ? decodeTrialCheckpoint(claim.checkpoint) : undefined;
    const ref = { method: claim.method, seed: claim.seed, trial: claim.trial };
    const where = `${claim.method} seed ${claim.seed} trial ${claim.trial}`;
    if (claim.attempt > 1) options.log?.(`${worker}: reclaimed ${where} (attempt ${claim.attempt}${resume ? `, resuming after epoch ${resume.epochs.length}` : ', from scratch: no checkpoint'})`);
    emit({ type: 'trial-started', ...ref, plannedEpochs: claim.plannedEpochs, resumedEpochs: resume?.epochs.length ?? 0, worker, elapsed: elapsed() });
    let lastBeat = performance.now();
    let beatFailed: unknown = null;
    let record: TrialRecord;
    try {
      record = await runTrial(config, ref, claim.plannedEpochs, {
        backend: options.backend,
        thread: options.thread ?? 0,
        data,
        resume,
        history: claim.method === 'bayes' ? () => bayesHistory(store, name, claim) : undefined,
        onPoint: async (u) => {
          if (!(await store.heartbeat(claim, { u }))) throw new TrialAbandoned();
        },
        onStep: () => {
          const now = performance.now();
          if (now - lastBeat < (lease * 1000) / 4) return;
          lastBeat = now;
          store.heartbeat(claim).catch((e: unknown) => {
            beatFailed = e;
          });
        },
        onEpoch: async (point, take) => {
          if (beatFailed) throw beatFailed as Error;
          lastBeat = performance.now();
          // The checkpoint is saved before the event: an epoch reported finished survives a kill.
          const held = await store.heartbeat(claim, { checkpoint: encodeTrialCheckpoint(await take()) });
          if (held) emit({ type: 'epoch', ...ref, epoch: point.epoch, plannedEpochs: claim.plannedEpochs, valLoss: point.val.loss, worker, elapsed: elapsed(), trialElapsed: point.elapsed });
          return held;
        },
      });
    } catch (e) {
      if (e instanceof TrialAbandoned) {
        result.lost++;
        options.log?.(`${worker}: lost ${where} to another worker (no heartbeat within the lease); its work is dropped`);
        continue;
      }
      await store.fail(claim, (e as Error)?.message ?? String(e)).catch(() => false);
      throw e;
    }
    if (!(await store.complete(claim, record))) {
      result.lost++;
      options.log?.(`${worker}: lost ${where} to another worker before completing it; its record is dropped`);
      continue;
    }
    result.ran++;
    if (resume) result.resumed++;
    options.onRecord?.(record);
    emit({ type: 'trial-finished', ...ref, bestVal: record.bestVal, wallSeconds: record.wallSeconds, ...(record.stopped ? { stopped: record.stopped } : {}), worker, elapsed: elapsed() });
  }
  return result;
}
