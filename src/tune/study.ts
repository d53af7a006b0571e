/**
 * A comparison study (Node only): for each method in {Δ-STN, linearized Δ-STN, STN, centered STN, random
 * search, Bayesian optimization} and each seed, tune the same model's hyperparameters on the same data split
 * under the same training-epoch budget B (`budgetEpochs`), and record every run as it finishes.
 *
 * @remarks
 * **What a run is.** A hypernetwork method (`delta-stn`, `delta-stn-linearized`, `stn`, `centered-stn`) is
 * one {@link Trainer} run of B epochs. A search method (`random`, `bayes`) is a sequence of trials
 * i = 0, 1, …, n − 1 with n = ⌈B / E⌉ (E = `trialEpochs`): trial i trains a fresh model with the `fixed`
 * method for E_i = min(E, B − iE) epochs at the hyperparameters v_i = unitToHyperValues(space, u_i), with
 * u_i ∈ [0, 1]^h from the suggester and λ_i = hyperValuesToLambda(space, v_i) (so T(λ_i) = v_i, discrete
 * coordinates floored). The objective a search sees is the trial's best validation loss, min_e L_V(e).
 *
 * **Seeds.** For study seed S, the data split is `loadData({seed: S})` for every method (a paired
 * comparison on one split); the model initialisation and the trainer's stream use `runSeedOf` (studyConfig.ts):
 * one seed {@link deriveSeed}(S, 'hypernetwork', 0) for every hypernetwork method (paired: the same initial weights,
 * batch order and draws), {@link deriveSeed}(S, method, i) for search trial i; and the suggester of trial i draws from `new Rng(deriveSeed(S,
 * method + ':suggest', i))`. Random search is given an empty history (it ignores it anyway), so trial i is
 * the same however trials are scheduled; Bayesian optimization is given the finished trials of its seed, in
 * trial order (with one worker: trials 0..i−1), plus the trials in flight under the constant-liar rule of
 * studyWorker.ts when several workers share the study.
 *
 * **Honest accounting.** Epochs are training epochs actually run. An epoch of a hypernetwork method is not a
 * plain epoch: Δ-STN does a general and a response forward/backward pass per batch plus the hyper steps,
 * about 2.5 plain epochs of compute (STN one heavier joint pass, plus hyper steps). The table therefore puts
 * wall time beside epochs, and converts each method's training time into plain epochs measured on the
 * same machine in the same study (the median seconds of one `fixed` epoch of the search trials).
 *
 *
 * **Persistence (issue 19).** The source of truth is a study store (src/tune/store): by default the SQLite file
 * `DIR/study.db`, or a PostgreSQL database (`storage: 'postgresql://…'`) that workers on other machines join by
 * the study's name (`deltastn worker`). {@link runStudy} adds the planned trials (existing ones are kept), then
 * claims and runs them (studyWorker.ts): a trial is completed exactly once, a finished one is never rerun, and a
 * trial whose worker died is reclaimed after its lease and resumed from its last epoch's checkpoint, so a resumed
 * study ends with the same records, timings aside, as one never interrupted. `DIR/trials.jsonl` (and
 * `trials.csv`) is an export, rewritten at the end in the order trials finished; a `trials.jsonl` found in the
 * directory is read first and its records not yet in the store are migrated into it (an old study, kept before
 * the store existed, is so migrated once), a torn or foreign line being dropped and counted.
 *
 * **Parallelism.** With `workers` > 1, each of `workers` `node:worker_threads` threads (pool.ts) runs the same
 * worker loop with its own TensorFlow.js backend and its own connection to the store; the thread script is the
 * compiled `studyThread.js` next to this module. Running from the TypeScript sources (vitest) there is no
 * compiled script, and the study runs in-process, saying so. More processes (`deltastn worker`) may join at any
 * time.
 *
 * **Progress.** `onEvent` receives a {@link StudyEvent} when a trial starts, after each epoch (with its
 * validation loss) and when a trial finishes, each with the seconds since the runner started (events of worker
 * threads included; those of other processes are theirs).
 */
import { statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { formatBackendInfo, initBackend } from '../nn/backend.js';
import { checkOutputDirectory, createOutputDirectory, writeFileAtomic } from '../stateFiles.js';
import { compiledWorkerScript, runPool, type PoolReply } from './pool.js';
import { identityDiff, isSearchMethod, planTrials, readStudyConfig, validateStudyConfig, type StudyConfig, type StudyMethod } from './studyConfig.js';
import { readTrials, trialKey, type TrialRecord } from './studyRecords.js';
import { summarizeStudy, type StudySummary } from './studySummary.js';
import { writeStudyOutputs } from './studyPlots.js';
import { buildTrialRun, runTrial, type DataCache, type StudyEvent } from './studyTrial.js';
import { defaultWorkerId, runStudyWorker } from './studyWorker.js';
import { openStore, parseStorage, trialsCsv, trialsJsonl, type PlannedTrial, type StudyStore } from './store/index.js';
import type { Trial } from './search.js';

export * from './studyConfig.js';
export * from './studyRecords.js';
export * from './studySummary.js';
export * from './studyPlots.js';
export { TrialAbandoned, decodeTrialCheckpoint, encodeTrialCheckpoint, runTrial, type DataCache, type StudyEvent, type TrialCheckpoint, type TrialContext, type TrialRef } from './studyTrial.js';
export { bayesHistory, defaultWorkerId, runStudyWorker, type StudyWorkerOptions, type StudyWorkerResult } from './studyWorker.js';

// ---------------------------------------------------------------------------------------------------------
// Running a job outside a store (kept for callers of the job API)
// ---------------------------------------------------------------------------------------------------------

/**
 * A unit of work: the listed trials of one method and seed, run in order. A hypernetwork run and a random
 * trial are one trial each; a Bayesian-optimization job is the whole sequence of one seed, with `history`
 * holding its trials that already finished (used, not rerun).
 */
export interface StudyJob {
  method: StudyMethod;
  seed: number;
  trials: { trial: number; epochs: number }[];
  history: TrialRecord[];
}

/**
 * Runs one job on the current thread's (already initialised) backend, without a store, calling `emit` with each
 * finished record. Before each trial it asks `shouldContinue()` and returns if told to stop. Bayesian optimization
 * proposes trial i from the job's records of trials 0..i−1, in order.
 */
export async function executeJob(config: StudyConfig, job: StudyJob, emit: (r: TrialRecord) => void, options: { shouldContinue?: () => boolean; backend: string; thread?: number; data?: DataCache; onEvent?: (e: StudyEvent) => void }): Promise<void> {
  const history = [...job.history].sort((a, b) => a.trial - b.trial);
  const data = options.data ?? new Map();
  for (const planned of job.trials) {
    if (history.some((r) => r.trial === planned.trial)) continue;
    if (options.shouldContinue && !options.shouldContinue()) return;
    const prior = (): Trial[] => history.filter((r) => r.trial < planned.trial).map((r) => ({ u: r.u ?? [], value: r.bestVal ?? NaN }));
    const record = await runTrial(config, { method: job.method, seed: job.seed, trial: planned.trial }, planned.epochs, { backend: options.backend, thread: options.thread ?? 0, data, history: prior });
    history.push(record);
    emit(record);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Scheduling
// ---------------------------------------------------------------------------------------------------------

/** Options of {@link runStudy}. */
export interface StudyOptions {
  /** Worker threads (default 1: everything in the main thread). */
  workers?: number;
  /** Stop after this many newly finished trials (to simulate an interruption; default: no limit). */
  limit?: number;
  /** Progress lines (one per finished trial, and where the work runs). */
  log?: (s: string) => void;
  /** Progress events: trial started, epoch finished (validation loss), trial finished; see {@link StudyEvent}. */
  onEvent?: (e: StudyEvent) => void;
  /** The store: `sqlite` (default: `DIR/study.db`), `sqlite:PATH` or `postgresql://user:password@host:port/db`. */
  storage?: string;
  /** The study's name in the store (default: the directory's base name). */
  study?: string;
  /** Seconds without a heartbeat before a held trial may be reclaimed (default 60). */
  leaseSeconds?: number;
}

/** What {@link runStudy} returns. */
export interface StudyResult {
  dir: string;
  config: StudyConfig;
  /** The study's name in the store. */
  study: string;
  /** Where the store is (a file, or a URL without its password). */
  storage: string;
  /** Trials found finished (in the store, or in a migrated `trials.jsonl`) and skipped. */
  skipped: number;
  /** Trials run by this call (by this process and its threads). */
  ran: number;
  /** Worker threads actually used (0: in-process). */
  workers: number;
  /** Whether every planned trial of every method and seed is recorded. */
  complete: boolean;
  summary: StudySummary;
  backend: string;
  /** Seconds this call took, start to end (with workers: less than the sum of the trials' wall times). */
  elapsedSeconds: number;
}

/** Whether anything (a file, a directory) is at `path`. */
function existsPath(path: string): boolean {
  try {
    return statSync(path) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Builds the study's model once and loads the first seed's data (into `data`), so that a bad `--data-dir` or a
 * missing dataset is reported before the directory is written.
 */
function checkModelAndData(config: StudyConfig, data: DataCache): void {
  // The first seed's network and trainer, as a trial builds them: a data set the model cannot read, or a text
  // split too short for --batch-size streams, is a typed error here.
  const { model, trainer } = buildTrialRun(config, 'fixed', config.seeds[0], 0, 1, data);
  trainer.dispose();
  model.dispose();
}

/** The compiled worker-thread script of a study (studyThread.js) next to this module, or null when running from TypeScript sources. */
export function workerScript(): URL | null {
  return compiledWorkerScript('studyThread.js');
}

/** Messages from a worker (see studyThread.ts and pool.ts). */
export type WorkerReply = PoolReply<TrialRecord>;

/** What a study's worker thread posts (studyThread.ts): a finished record or a progress event. */
export type StudyThreadMessage = { kind: 'record'; record: TrialRecord } | { kind: 'event'; event: StudyEvent } | { kind: 'log'; text: string };

/** The claim order of a study's trials: hypernetwork runs (≈ 2.5 B plain epochs), BO sequences (B), random trials (E); then config order, seed, trial. */
export function plannedTrials(config: StudyConfig): PlannedTrial[] {
  const order = (m: StudyMethod): number => (isSearchMethod(m) ? (m === 'bayes' ? 1 : 2) : 0);
  const methods = [...config.methods].sort((a, b) => order(a) - order(b));
  const out: PlannedTrial[] = [];
  for (const method of methods) for (const seed of config.seeds) for (const p of planTrials(config, method)) out.push({ method, seed, trial: p.trial, plannedEpochs: p.epochs, priority: out.length });
  return out;
}

/**
 * Opens (creating or loading) study `name` in `store` for `config`.
 * @throws InvalidArgumentError naming `argument` when the store holds a study of that name whose identity
 *   fields (model, dataset, budget, trial epochs, batch size, train size, width, warm-up, learning rates) differ.
 */
export async function openStudy(store: StudyStore, name: string, config: StudyConfig, argument: string): Promise<{ created: boolean }> {
  const { config: old, created } = await store.openStudy(name, config);
  const diff = identityDiff(old, config);
  if (diff.length > 0) throw new InvalidArgumentError(argument, `a new study, or one with the same ${diff.join(', ')}`, `${name} in ${store.location} (${diff.map((f) => `${f}=${typeof old[f] === 'object' ? JSON.stringify(old[f]) : String(old[f])}`).join(', ')})`);
  if (!created) await store.updateStudyConfig(name, config);
  return { created };
}

/**
 * Runs or resumes a study in `dir` (see the module remarks): writes `config.json`, opens the store and its study,
 * migrates a `trials.jsonl` found there, adds the planned trials, runs the worker loop (in-process or on worker
 * threads) until every trial is done or `limit` trials were completed, then writes the exports `trials.jsonl`
 * and `trials.csv`, `summary.json`, `table.md` and the SVG plots (see {@link writeStudyOutputs}).
 *
 * A directory may be resumed with other `methods` or `seeds` (that extends the study; the summary covers the
 * configuration given, records of other methods stay in the store) and another `backend` (each record names
 * its own); every other field must match.
 *
 * @throws InvalidArgumentError naming `--out` when `dir` (or its store's study) holds a study with another
 *   configuration (see `IDENTITY_FIELDS`), naming `--storage` for a store that cannot be opened; the errors of
 *   {@link validateStudyConfig}; a trial's typed error as raised.
 */
export async function runStudy(config: StudyConfig, dir: string, options: StudyOptions = {}): Promise<StudyResult> {
  validateStudyConfig(config);
  const workersWanted = options.workers ?? 1;
  if (!Number.isInteger(workersWanted) || workersWanted < 1) throw new InvalidArgumentError('--workers', 'an integer ≥ 1', workersWanted);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) throw new InvalidArgumentError('limit', 'an integer ≥ 0', options.limit);
  const lease = options.leaseSeconds ?? 60;
  if (!(lease > 0) || !Number.isFinite(lease)) throw new InvalidArgumentError('--lease', 'a finite number of seconds > 0', lease);
  const storage = options.storage ?? 'sqlite';
  parseStorage(storage, '--storage');
  const name = options.study ?? basename(resolve(dir));
  if (name.length === 0) throw new InvalidArgumentError('--study', 'a non-empty study name', name);
  const started = performance.now();
  // Everything is checked before anything is written: the directory, a saved configuration, the records, the
  // backend, the model and the data (a failed start leaves no config.json and no empty directory).
  checkOutputDirectory(dir, '--out');
  const configPath = join(dir, 'config.json');
  if (existsPath(configPath)) {
    const old = readStudyConfig(configPath, '--out');
    const diff = identityDiff(old, config);
    if (diff.length > 0) throw new InvalidArgumentError('--out', `a new directory, or one holding a study with the same ${diff.join(', ')}`, `${dir} (${diff.map((f) => `${f}=${typeof old[f] === 'object' ? JSON.stringify(old[f]) : String(old[f])}`).join(', ')})`);
  }
  const trialsPath = join(dir, 'trials.jsonl');
  const { records: found, bad } = readTrials(trialsPath);
  const info = await initBackend(config.backend);
  const data: DataCache = new Map();
  checkModelAndData(config, data);
  createOutputDirectory(dir, '--out');
  const store = await openStore(storage, dir, '--storage');
  try {
    await openStudy(store, name, config, storage === 'sqlite' ? '--out' : '--study');
    writeFileAtomic(configPath, JSON.stringify(config, null, 2) + '\n');
    if (bad > 0) options.log?.(`trials.jsonl: ${bad} unreadable or foreign line(s) dropped (an interrupted write, or not a trial record)`);
    const plan = plannedTrials(config);
    const priorityOf = new Map(plan.map((p) => [trialKey(p.method, p.seed, p.trial), p.priority]));
    const migrated = await store.importRecords(name, found, (r) => priorityOf.get(trialKey(r.method, r.seed, r.trial)) ?? plan.length);
    if (migrated > 0) options.log?.(`trials.jsonl: ${migrated} record(s) migrated into the study store ${store.location}`);
    await store.addTrials(name, plan);
    const before = new Set((await store.trials(name)).filter((t) => t.state === 'done').map((t) => trialKey(t.method, t.seed, t.trial)));
    const skipped = plan.filter((p) => before.has(trialKey(p.method, p.seed, p.trial))).length;
    const todo = plan.length - skipped;

    let ran = 0;
    const limit = options.limit ?? Infinity;
    const onRecord = (r: TrialRecord): void => {
      ran++;
      const last = r.epochs[r.epochs.length - 1];
      options.log?.(
        `${r.method} seed ${r.seed}${isSearchMethod(r.method) ? ` trial ${r.trial}` : ''}: best val ${r.bestVal?.toFixed(4) ?? '—'}` +
          (last?.test ? `, test ${(100 * last.test.accuracy).toFixed(1)}%` : '') +
          ` (${r.epochs.length} epochs, ${r.wallSeconds.toFixed(1)} s${r.thread ? `, worker ${r.thread}` : ''})${r.stopped ? ` — stopped: ${r.stopped}` : ''}`,
      );
    };

    let backend = '';
    let used = 0;
    const script = workersWanted > 1 ? workerScript() : null;
    if (workersWanted > 1 && !script) options.log?.(`--workers ${workersWanted}: no compiled worker script next to ${import.meta.url} (running from TypeScript sources?); running in-process, one trial at a time`);
    if (script && todo > 0) {
      used = Math.min(workersWanted, todo);
      options.log?.(`running ${todo} trial(s) on ${used} worker threads (store: ${store.location}, study ${name})`);
      backend = await runPool<'loop', StudyThreadMessage>({
        script,
        data: { config, storage: storage === 'sqlite' ? `sqlite:${join(dir, 'study.db')}` : storage, study: name, leaseSeconds: lease, worker: defaultWorkerId(0) },
        jobs: Array.from({ length: used }, () => 'loop' as const),
        workers: used,
        onRecord: (m) => {
          if (m.kind === 'record') onRecord(m.record);
          else if (m.kind === 'event') options.onEvent?.({ ...m.event, elapsed: (performance.now() - started) / 1000 });
          else options.log?.(m.text);
        },
        shouldContinue: () => ran < limit,
      });
    } else {
      backend = info.name;
      if (todo > 0) options.log?.(`running ${todo} trial(s) in-process (backend ${formatBackendInfo(info)}; store: ${store.location}, study ${name})`);
      await runStudyWorker(store, name, config, { backend, limit, leaseSeconds: lease, onEvent: options.onEvent, onRecord, log: options.log, startedAt: started, data });
    }
    const all = await store.records(name);
    if (!backend) backend = all[0]?.backend ?? config.backend;
    writeFileAtomic(trialsPath, trialsJsonl(all));
    writeFileAtomic(join(dir, 'trials.csv'), trialsCsv(all));
    const summary = summarizeStudy(config, all);
    writeStudyOutputs(dir, config, all, summary);
    return { dir, config, study: name, storage: store.location, skipped, ran, workers: used, complete: summary.complete, summary, backend, elapsedSeconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}
