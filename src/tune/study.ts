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
 * comparison on one split); the model initialisation and the trainer's stream use
 * {@link deriveSeed}(S, method, i), and the suggester of trial i draws from `new Rng(deriveSeed(S,
 * method + ':suggest', i))`. Random search is given an empty history (it ignores it anyway), so trial i is
 * the same however trials are scheduled; Bayesian optimization is given the records of trials 0..i−1, in
 * order, and therefore runs its trials one after another.
 *
 * **Honest accounting.** Epochs are training epochs actually run. An epoch of a hypernetwork method is not a
 * plain epoch: Δ-STN does a general and a response forward/backward pass per batch plus the hyper steps,
 * about 2.5 plain epochs of compute (STN one heavier joint pass, plus hyper steps). The table therefore puts
 * wall time beside epochs, and converts each method's training time into plain epochs measured on the
 * same machine in the same study (the median seconds of one `fixed` epoch of the search trials).
 *
 * **Persistence.** Every finished run or trial is appended as one JSON line to `DIR/trials.jsonl` the
 * moment it finishes (appendFileSync, from the main thread). {@link runStudy} reads the file first and skips
 * every (method, seed, trial) it holds; an unfinished trial is rerun from scratch with its derived seed, so
 * a resumed study ends with the same records, timings aside, as one that was never interrupted. A torn last
 * line (a kill mid-write) is ignored and rewritten.
 *
 * **Parallelism.** With `workers` > 1, jobs (a hypernetwork run, a random-search trial, or the whole
 * Bayesian-optimization sequence of one seed) run on `node:worker_threads` workers (the pool of pool.ts),
 * each with its own TensorFlow.js backend; the worker script is the compiled `worker.js` next to this module.
 * Running from the TypeScript sources (vitest) there is no compiled worker, and the study runs in-process,
 * saying so.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { Rng, deriveSeed } from '../rng.js';
import { TUNE_DATASETS, TUNE_MODELS, buildModel, loadData, type TuneConfig } from './factory.js';
import { BACKEND_NAMES, formatBackendInfo, initBackend, isBackendName, type BackendName } from '../nn/backend.js';
import { StateFileError, appendLine, checkOutputDirectory, createOutputDirectory, readJsonLines, readJsonStateFile, writeFileAtomic } from '../stateFiles.js';
import { HyperSpace, type HyperSpaceJSON } from '../nn/hyper.js';
import { Trainer, type Evaluation, type NnMethod, type TrainerData } from '../nn/trainer.js';
import { lineChart, SERIES_COLORS, type SeriesSpec, type RuleSpec } from '../report/plot.js';
import { bayesianOptimization, hyperValuesToLambda, randomSearch, unitToHyperValues, type Suggester } from './search.js';
import { compiledWorkerScript, runPool, type PoolReply } from './pool.js';

// ---------------------------------------------------------------------------------------------------------
// Methods and configuration
// ---------------------------------------------------------------------------------------------------------

/** Hypernetwork methods: one trainer run of the whole budget each. */
export const HYPERNETWORK_METHODS = ['delta-stn', 'delta-stn-linearized', 'stn', 'centered-stn'] as const;
/** Black-box search methods: trials of fixed-hyperparameter training. */
export const SEARCH_METHODS = ['random', 'bayes'] as const;
/** Every method a study can compare, in the order tables and plots list them. */
export const STUDY_METHODS = [...HYPERNETWORK_METHODS, ...SEARCH_METHODS] as const;

export type HypernetworkMethod = (typeof HYPERNETWORK_METHODS)[number];
export type SearchMethod = (typeof SEARCH_METHODS)[number];
export type StudyMethod = (typeof STUDY_METHODS)[number];

/** Whether `m` is a study method name. */
export function isStudyMethod(m: unknown): m is StudyMethod {
  return typeof m === 'string' && (STUDY_METHODS as readonly string[]).includes(m);
}

/** Whether `m` is a search method (random, bayes). */
export function isSearchMethod(m: StudyMethod): m is SearchMethod {
  return (SEARCH_METHODS as readonly string[]).includes(m);
}

/** The configuration of a study (saved as `DIR/config.json`). */
export interface StudyConfig {
  model: TuneConfig['model'];
  dataset: TuneConfig['dataset'];
  methods: StudyMethod[];
  /** The study seeds S (each gives its own data split and derived run seeds). */
  seeds: number[];
  /** B: training epochs per method and seed. */
  budgetEpochs: number;
  /** E: epochs per search trial (the last trial may be shorter so that the trials sum to B). */
  trialEpochs: number;
  batchSize: number;
  /** Use only the first N training examples (validation and test: ⌈N/4⌉); 0 = all. */
  trainSize: number;
  width: number;
  warmupEpochs: number;
  lrWeights: number;
  lrHyper: number;
  dataDir?: string;
  backend: BackendName;
}

/** Every field of a {@link StudyConfig} (a saved config.json with another field is not a study's). */
const STUDY_CONFIG_FIELDS = ['model', 'dataset', 'methods', 'seeds', 'budgetEpochs', 'trialEpochs', 'batchSize', 'trainSize', 'width', 'warmupEpochs', 'lrWeights', 'lrHyper', 'dataDir', 'backend'] as const;

/** The fields that decide what a trial computes: a study directory can only be resumed if they match. */
const IDENTITY_FIELDS = ['model', 'dataset', 'budgetEpochs', 'trialEpochs', 'batchSize', 'trainSize', 'width', 'warmupEpochs', 'lrWeights', 'lrHyper'] as const;

/**
 * Checks a configuration; every problem is a typed error naming the CLI flag.
 * @throws InvalidArgumentError naming `--methods`, `--seeds`, `--budget-epochs`, `--trial-epochs`, … .
 */
export function validateStudyConfig(config: StudyConfig): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new InvalidArgumentError('config', 'an object', config === null ? 'null' : typeof config);
  for (const k of Object.keys(config)) if (!(STUDY_CONFIG_FIELDS as readonly string[]).includes(k)) throw new InvalidArgumentError(k, 'absent (not a field of a study configuration)', k);
  if (!(TUNE_MODELS as readonly unknown[]).includes(config.model)) throw new InvalidArgumentError('--model', TUNE_MODELS.join(', '), String(config.model));
  if (!(TUNE_DATASETS as readonly unknown[]).includes(config.dataset)) throw new InvalidArgumentError('--dataset', TUNE_DATASETS.join(', '), String(config.dataset));
  if (!isBackendName(config.backend)) throw new InvalidArgumentError('--backend', BACKEND_NAMES.join(', '), String(config.backend));
  if (config.dataDir !== undefined && (typeof config.dataDir !== 'string' || config.dataDir.length === 0)) throw new InvalidArgumentError('--data-dir', 'a directory path', String(config.dataDir));
  if (!Array.isArray(config.methods) || config.methods.length === 0) throw new InvalidArgumentError('--methods', `a comma-separated list of ${STUDY_METHODS.join(', ')}`, String(config.methods));
  for (const m of config.methods) if (!isStudyMethod(m)) throw new InvalidArgumentError('--methods', `a comma-separated list of ${STUDY_METHODS.join(', ')}`, m);
  if (new Set(config.methods).size !== config.methods.length) throw new InvalidArgumentError('--methods', 'each method once', config.methods.join(','));
  if (!Array.isArray(config.seeds) || config.seeds.length === 0 || !config.seeds.every((s) => Number.isSafeInteger(s) && s >= 0)) throw new InvalidArgumentError('--seeds', 'at least one seed, each an integer ≥ 0', String(config.seeds));
  if (new Set(config.seeds).size !== config.seeds.length) throw new InvalidArgumentError('--seeds', 'distinct seeds', String(config.seeds));
  const int = (v: number, name: string, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(name, `an integer ≥ ${min}`, v);
  };
  int(config.budgetEpochs, '--budget-epochs', 1);
  int(config.trialEpochs, '--trial-epochs', 1);
  if (config.trialEpochs > config.budgetEpochs) throw new InvalidArgumentError('--trial-epochs', `at most --budget-epochs (${config.budgetEpochs})`, config.trialEpochs);
  int(config.batchSize, '--batch-size', 1);
  int(config.trainSize, '--train-size', 0);
  int(config.warmupEpochs, '--warmup', 0);
  for (const [v, name] of [
    [config.width, '--width'],
    [config.lrWeights, '--lr'],
    [config.lrHyper, '--lr-hyper'],
  ] as const) {
    if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(name, 'a finite number > 0', v);
  }
}

/** The seed of run/trial `trial` of `method` under the study seed (src/rng.ts: the library's one seed derivation). */
export { deriveSeed };

/** The planned runs of one method and seed: trial index and its epochs (one run of B for a hypernetwork method). */
export function planTrials(config: Pick<StudyConfig, 'budgetEpochs' | 'trialEpochs'>, method: StudyMethod): { trial: number; epochs: number }[] {
  if (!isSearchMethod(method)) return [{ trial: 0, epochs: config.budgetEpochs }];
  const n = Math.ceil(config.budgetEpochs / config.trialEpochs);
  return Array.from({ length: n }, (_, i) => ({ trial: i, epochs: Math.min(config.trialEpochs, config.budgetEpochs - i * config.trialEpochs) }));
}

// ---------------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------------

/** One epoch of a run or trial. */
export interface EpochPoint {
  /** 0-based epoch within the run or trial. */
  epoch: number;
  /** Training epochs of this method and seed up to the end of this epoch (earlier trials' planned epochs + epoch + 1). */
  cumEpochs: number;
  /** The trainer's seconds for this epoch (training and evaluation). */
  seconds: number;
  /** Seconds since the run or trial started (model building included) at the end of this epoch. */
  elapsed: number;
  train: Evaluation;
  val: Evaluation;
  test?: Evaluation;
  /** Each hyperparameter's constrained value T(λ) and σ at the end of the epoch. */
  hyper: Record<string, { value: number; scale: number }>;
  lambda: number[];
  rawScale: number[];
}

/** λ and s during training (hypernetwork methods): `t` is fractional epochs (epoch + steps done / steps). */
export interface TrajectoryPoint {
  t: number;
  lambda: number[];
  rawScale: number[];
}

/** One finished run (hypernetwork method) or trial (search method): one line of `trials.jsonl`. */
export interface TrialRecord {
  format: 'deltastn.trial';
  version: 1;
  method: StudyMethod;
  seed: number;
  trial: number;
  /** {@link deriveSeed}(seed, method, trial): the model's and the trainer's seed. */
  runSeed: number;
  nnMethod: NnMethod;
  plannedEpochs: number;
  /** Search only: the point u ∈ [0, 1]^h the suggester proposed. */
  u?: number[];
  /** Hyperparameters in their own units: the trial's (search) or the final T(λ) (hypernetwork). */
  hyper: Record<string, number>;
  /** min over epochs of the validation loss; null if no epoch finished. */
  bestVal: number | null;
  epochs: EpochPoint[];
  trajectory?: TrajectoryPoint[];
  /** Why training stopped early (a non-finite loss), if it did. */
  stopped?: string;
  wallSeconds: number;
  finishedAt: string;
  backend: string;
  /** The worker thread that ran it (0: the main thread). */
  thread: number;
  space: HyperSpaceJSON;
}

const key = (method: string, seed: number, trial: number): string => `${method}|${seed}|${trial}`;

const isNum = (x: unknown): x is number => typeof x === 'number';
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isEval = (x: unknown): boolean => isObj(x) && isNum(x.loss) && isNum(x.accuracy);
const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNum);

/**
 * Whether a parsed `trials.jsonl` line is a {@link TrialRecord}: the fields the summary, the plots and the report
 * read, each of its type (`{}`, `42`, `null` or an edited line are not).
 */
export function isTrialRecord(x: unknown): x is TrialRecord {
  if (!isObj(x)) return false;
  const r = x;
  if (r.format !== 'deltastn.trial' || !isStudyMethod(r.method) || !Number.isSafeInteger(r.seed) || (r.seed as number) < 0 || !Number.isSafeInteger(r.trial) || (r.trial as number) < 0) return false;
  if (!Array.isArray(r.epochs) || !isObj(r.hyper) || !Object.values(r.hyper).every(isNum) || !isNum(r.wallSeconds)) return false;
  if (!(r.bestVal === null || isNum(r.bestVal)) || (r.u !== undefined && !isNumbers(r.u)) || (r.stopped !== undefined && typeof r.stopped !== 'string')) return false;
  let h: number;
  try {
    h = HyperSpace.fromJSON(r.space as unknown as HyperSpaceJSON).h; // the plots rebuild the space from it
  } catch {
    return false;
  }
  if (Object.keys(r.hyper).length !== h || (r.u !== undefined && r.u.length !== h)) return false;
  const pointOk = (p: unknown): boolean =>
    isObj(p) && isNum(p.epoch) && isNum(p.cumEpochs) && isNum(p.seconds) && isNum(p.elapsed) && isEval(p.train) && isEval(p.val) && (p.test === undefined || isEval(p.test)) && isObj(p.hyper) && Object.values(p.hyper).every((v) => isObj(v) && isNum(v.value) && isNum(v.scale));
  if (!r.epochs.every(pointOk)) return false;
  if (r.trajectory !== undefined && !(Array.isArray(r.trajectory) && r.trajectory.every((q) => isObj(q) && isNum(q.t) && isNumbers(q.lambda) && q.lambda.length === h && isNumbers(q.rawScale) && q.rawScale.length === h))) return false;
  return typeof r.backend === 'string';
}

/**
 * Reads `trials.jsonl`: every record line. A torn line (a kill mid-write) or a foreign one (not a
 * {@link isTrialRecord}) is skipped and counted in `bad`; a repeated (method, seed, trial) keeps its first record.
 * @throws StateFileError naming `argument` when the file exists but cannot be read (a directory, …).
 */
export function readTrials(path: string, argument = '--out'): { records: TrialRecord[]; bad: number } {
  const { records: all, bad } = readJsonLines(path, argument, isTrialRecord, { missingIsEmpty: true });
  const records: TrialRecord[] = [];
  const seen = new Set<string>();
  for (const r of all) {
    const k = key(r.method, r.seed, r.trial);
    if (seen.has(k)) continue;
    seen.add(k);
    records.push(r);
  }
  return { records, bad };
}

/**
 * Reads a study directory's `config.json` and checks it (the same checks as a configuration given on the
 * command line).
 * @throws StateFileError naming `argument` and the file, with the field at fault.
 */
export function readStudyConfig(path: string, argument: string): StudyConfig {
  const value = readJsonStateFile(path, argument);
  try {
    validateStudyConfig(value as StudyConfig);
  } catch (e) {
    if (e instanceof DeltaStnError) throw new StateFileError(argument, path, `not a study configuration (${e.message})`);
    throw e;
  }
  return value as StudyConfig;
}

// ---------------------------------------------------------------------------------------------------------
// Running one job (in the main thread or a worker)
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

const dataCache = new Map<string, TrainerData>();

function dataFor(config: StudyConfig, seed: number): TrainerData {
  const k = JSON.stringify([config.dataset, seed, config.trainSize, config.dataDir ?? null]);
  let d = dataCache.get(k);
  if (!d) {
    d = loadData({ dataset: config.dataset, seed, trainSize: config.trainSize, dataDir: config.dataDir });
    dataCache.set(k, d);
  }
  return d;
}

/**
 * Runs one job on the current thread's (already initialised) backend, calling `emit` with each finished record.
 * Before each trial it asks `shouldContinue()` and returns if told to stop. Asynchronous reads (the trainer's
 * `runEpochAsync`): the same numbers on every backend, WebGPU included.
 */
export async function executeJob(config: StudyConfig, job: StudyJob, emit: (r: TrialRecord) => void, options: { shouldContinue?: () => boolean; backend: string; thread?: number }): Promise<void> {
  const history = [...job.history].sort((a, b) => a.trial - b.trial);
  let suggester: Suggester | null = null;
  for (const planned of job.trials) {
    if (history.some((r) => r.trial === planned.trial)) continue;
    if (options.shouldContinue && !options.shouldContinue()) return;
    const method = job.method;
    // The suggester needs h, known once the trial's model (and its space) is built.
    const suggest = isSearchMethod(method)
      ? (space: HyperSpace): number[] => {
          suggester ??= method === 'random' ? randomSearch(space.h) : bayesianOptimization(space.h);
          // A trial with no finished epoch is reported as NaN: the strategy counts it as a failure.
          const prior = method === 'random' ? [] : history.filter((r) => r.trial < planned.trial).map((r) => ({ u: r.u ?? [], value: r.bestVal ?? NaN }));
          return suggester.suggest(prior, new Rng(deriveSeed(job.seed, `${method}:suggest`, planned.trial)));
        }
      : null;
    const record = await runTrial(config, method, job.seed, planned, suggest, options.backend, options.thread ?? 0);
    history.push(record);
    emit(record);
  }
}

/** Trains one run or trial and returns its record (see the module remarks). */
async function runTrial(config: StudyConfig, method: StudyMethod, seed: number, planned: { trial: number; epochs: number }, suggest: ((space: HyperSpace) => number[]) | null, backend: string, thread: number): Promise<TrialRecord> {
  const t0 = performance.now();
  const search = isSearchMethod(method);
  const runSeed = deriveSeed(seed, method, planned.trial);
  const nnMethod: NnMethod = search ? 'fixed' : method;
  const { model, space } = buildModel({ model: config.model, width: config.width, seed: runSeed, hparams: {} });
  const epochs: EpochPoint[] = [];
  const trajectory: TrajectoryPoint[] = [];
  let stopped: string | undefined;
  const first = search ? planned.trial * config.trialEpochs : 0;
  let u: number[] | undefined;
  const trainer = (() => {
    try {
      return new Trainer(model, space, dataFor(config, seed), { method: nnMethod, epochs: planned.epochs, batchSize: config.batchSize, warmupEpochs: config.warmupEpochs, lrWeights: config.lrWeights, lrHyper: config.lrHyper, seed: runSeed });
    } catch (e) {
      model.dispose();
      throw e;
    }
  })();
  try {
    if (suggest) {
      u = suggest(space);
      trainer.state.lambda = hyperValuesToLambda(space, unitToHyperValues(space, u));
    } else trajectory.push({ t: 0, lambda: [...trainer.state.lambda], rawScale: [...trainer.state.rawScale] });
    while (!trainer.done()) {
      const e = trainer.state.epoch;
      const mark = trajectory.length;
      const res = await trainer.runEpochAsync((done, total) => {
        // About ten points of λ and s per epoch: enough for a schedule, small enough for a JSON line.
        if (!search && (done % Math.max(1, Math.floor(total / 10)) === 0 || done === total)) trajectory.push({ t: e + done / total, lambda: [...trainer.state.lambda], rawScale: [...trainer.state.rawScale] });
      });
      if ('stopped' in res) {
        stopped = res.stopped;
        trajectory.length = mark; // points of the abandoned epoch describe a state that was rolled back
        break;
      }
      epochs.push({
        epoch: res.epoch,
        cumEpochs: first + res.epoch + 1,
        seconds: res.seconds,
        elapsed: (performance.now() - t0) / 1000,
        train: res.train,
        val: res.val,
        test: res.test,
        hyper: res.hyper,
        lambda: res.lambda,
        rawScale: res.rawScale,
      });
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  const values = space.hyperValues(trainer.state.lambda);
  const hyper: Record<string, number> = {};
  space.names.forEach((n, k) => {
    hyper[n] = values[k];
  });
  const vals = epochs.map((p) => p.val.loss);
  return {
    format: 'deltastn.trial',
    version: 1,
    method,
    seed,
    trial: planned.trial,
    runSeed,
    nnMethod,
    plannedEpochs: planned.epochs,
    ...(u ? { u } : {}),
    hyper,
    bestVal: vals.length > 0 ? Math.min(...vals) : null,
    epochs,
    ...(search ? {} : { trajectory }),
    ...(stopped ? { stopped } : {}),
    wallSeconds: (performance.now() - t0) / 1000,
    finishedAt: new Date().toISOString(),
    backend,
    thread,
    space: space.toJSON(),
  };
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
}

/** What {@link runStudy} returns. */
export interface StudyResult {
  dir: string;
  config: StudyConfig;
  /** Trials found finished in `trials.jsonl` and skipped. */
  skipped: number;
  /** Trials run by this call. */
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
 * Builds the study's model once and loads the first seed's data (cached for an in-process run), so that a bad
 * `--data-dir` or a missing dataset is reported before the directory is written.
 */
function checkModelAndData(config: StudyConfig): void {
  const { model } = buildModel({ model: config.model, width: config.width, seed: 0, hparams: {} });
  model.dispose();
  dataFor(config, config.seeds[0]);
}

/** The compiled worker script next to this module, or null when running from TypeScript sources. */
export function workerScript(): URL | null {
  return compiledWorkerScript('worker.js');
}

/** Messages from a worker (see worker.ts and pool.ts). */
export type WorkerReply = PoolReply<TrialRecord>;

/**
 * Runs or resumes a study in `dir`: writes `config.json`, appends each finished trial to `trials.jsonl`,
 * then writes `summary.json`, `table.md` and the SVG plots (see {@link writeStudyOutputs}).
 *
 * A directory may be resumed with other `methods` or `seeds` (that extends the study; the summary covers the
 * configuration given, records of other methods stay in the file) and another `backend` (each record names
 * its own); every other field must match.
 *
 * @throws InvalidArgumentError naming `--out` when `dir` holds a study with another configuration (see
 *   `IDENTITY_FIELDS`); the errors of {@link validateStudyConfig}; a worker's typed error as raised.
 */
export async function runStudy(config: StudyConfig, dir: string, options: StudyOptions = {}): Promise<StudyResult> {
  validateStudyConfig(config);
  const workersWanted = options.workers ?? 1;
  if (!Number.isInteger(workersWanted) || workersWanted < 1) throw new InvalidArgumentError('--workers', 'an integer ≥ 1', workersWanted);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) throw new InvalidArgumentError('limit', 'an integer ≥ 0', options.limit);
  const started = performance.now();
  // Everything is checked before anything is written: the directory, a saved configuration, the records, the
  // backend, the model and the data (a failed start leaves no config.json and no empty directory).
  checkOutputDirectory(dir, '--out');
  const configPath = join(dir, 'config.json');
  if (existsPath(configPath)) {
    const old = readStudyConfig(configPath, '--out');
    const diff = IDENTITY_FIELDS.filter((f) => old[f] !== config[f]);
    if (diff.length > 0) throw new InvalidArgumentError('--out', `a new directory, or one holding a study with the same ${diff.join(', ')}`, `${dir} (${diff.map((f) => `${f}=${String(old[f])}`).join(', ')})`);
  }
  const trialsPath = join(dir, 'trials.jsonl');
  const { records: found, bad } = readTrials(trialsPath);
  const info = await initBackend(config.backend);
  checkModelAndData(config);
  createOutputDirectory(dir, '--out');
  writeFileAtomic(configPath, JSON.stringify(config, null, 2) + '\n');
  if (bad > 0) {
    // Rewrite without the torn or foreign line(s), so that new records start on a line of their own.
    writeFileAtomic(trialsPath, found.map((r) => JSON.stringify(r) + '\n').join(''));
    options.log?.(`trials.jsonl: ${bad} unreadable or foreign line(s) dropped (an interrupted write, or not a trial record)`);
  }
  const done = new Map(found.map((r) => [key(r.method, r.seed, r.trial), r]));

  // Jobs, longest first: hypernetwork runs (≈ 2.5 B plain epochs), BO sequences (B), random trials (E).
  const jobs: StudyJob[] = [];
  let skipped = 0;
  const order = (m: StudyMethod): number => (isSearchMethod(m) ? (m === 'bayes' ? 1 : 2) : 0);
  const methods = [...config.methods].sort((a, b) => order(a) - order(b));
  for (const method of methods) {
    for (const seed of config.seeds) {
      const plan = planTrials(config, method);
      const have = plan.filter((p) => done.has(key(method, seed, p.trial)));
      skipped += have.length;
      const missing = plan.filter((p) => !done.has(key(method, seed, p.trial)));
      if (missing.length === 0) continue;
      if (method === 'bayes') jobs.push({ method, seed, trials: plan, history: have.map((p) => done.get(key(method, seed, p.trial)) as TrialRecord) });
      else for (const p of missing) jobs.push({ method, seed, trials: [p], history: [] });
    }
  }

  let ran = 0;
  const limit = options.limit ?? Infinity;
  const record = (r: TrialRecord): void => {
    appendLine(trialsPath, JSON.stringify(r));
    done.set(key(r.method, r.seed, r.trial), r);
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
  if (script && jobs.length > 0) {
    used = Math.min(workersWanted, jobs.length);
    options.log?.(`running ${jobs.length} job(s) on ${used} worker threads`);
    backend = await runPool<StudyJob, TrialRecord>({ script, data: { config }, jobs, workers: used, onRecord: record, shouldContinue: () => ran < limit });
  } else {
    backend = info.name;
    if (jobs.length > 0) options.log?.(`running ${jobs.length} job(s) in-process (backend ${formatBackendInfo(info)})`);
    for (const job of jobs) {
      if (ran >= limit) break;
      await executeJob(config, job, record, { shouldContinue: () => ran < limit, backend });
    }
  }
  const all = [...done.values()];
  if (!backend) backend = all[0]?.backend ?? config.backend;
  const summary = summarizeStudy(config, all);
  writeStudyOutputs(dir, config, all, summary);
  return { dir, config, skipped, ran, workers: used, complete: summary.complete, summary, backend, elapsedSeconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------------------------------------

/** Mean, sample standard deviation (null for fewer than two values) and the per-seed values. */
export interface Stat {
  mean: number;
  std: number | null;
  values: number[];
}

function stat(values: number[]): Stat {
  const n = values.length;
  const mean = n === 0 ? NaN : values.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? null : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, std, values };
}

/** One seed's outcome for one method. */
export interface SeedOutcome {
  seed: number;
  bestVal: number;
  /** Test loss and accuracy at the epoch of the best validation loss (search: of the best trial). */
  testLoss: number | null;
  testAccuracy: number | null;
  epochs: number;
  /** Sum of the trainer's epoch seconds (training + evaluation). */
  trainSeconds: number;
  /** Sum of the runs' or trials' wall times (model building included): the single-worker cost. */
  wallSeconds: number;
  trials: number;
  /** Final T(λ) (hypernetwork) or the best trial's values (search), by name. */
  hyper: Record<string, number>;
  /** Hypernetwork only: the final σ by name. */
  scale?: Record<string, number>;
  stopped: string[];
}

/** One method over seeds. */
export interface MethodSummary {
  method: StudyMethod;
  kind: 'hypernetwork' | 'search';
  seeds: SeedOutcome[];
  bestVal: Stat;
  testLoss: Stat;
  testAccuracy: Stat;
  epochs: Stat;
  wallSeconds: Stat;
  trainSeconds: Stat;
  /** Training seconds per seed divided by {@link StudySummary.plainEpochSeconds}; null without a search method. */
  plainEpochs: Stat | null;
  /** Mean over seeds of the final hyperparameters, by name. */
  hyper: Record<string, number>;
  /** Whether every planned run/trial of every seed is recorded. */
  complete: boolean;
}

/** `summary.json`. */
export interface StudySummary {
  format: 'deltastn.study-summary';
  version: 1;
  config: StudyConfig;
  /** Median seconds of one plain (`fixed`) epoch over all search trials; null without search trials. */
  plainEpochSeconds: number | null;
  methods: MethodSummary[];
  complete: boolean;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The records of one method and seed, in trial order. */
function recordsOf(records: readonly TrialRecord[], method: StudyMethod, seed: number): TrialRecord[] {
  return records.filter((r) => r.method === method && r.seed === seed).sort((a, b) => a.trial - b.trial);
}

function seedOutcome(method: StudyMethod, seed: number, recs: TrialRecord[]): SeedOutcome | null {
  if (recs.length === 0) return null;
  let best: { rec: TrialRecord; point: EpochPoint } | null = null;
  for (const rec of recs) for (const p of rec.epochs) if (!best || p.val.loss < best.point.val.loss) best = { rec, point: p };
  const sum = (f: (r: TrialRecord) => number): number => recs.reduce((a, r) => a + f(r), 0);
  const search = isSearchMethod(method);
  const chosen = search ? (best?.rec ?? recs[0]) : recs[recs.length - 1];
  const lastEpoch = chosen.epochs[chosen.epochs.length - 1];
  return {
    seed,
    bestVal: best ? best.point.val.loss : NaN,
    testLoss: best?.point.test?.loss ?? null,
    testAccuracy: best?.point.test?.accuracy ?? null,
    epochs: sum((r) => r.epochs.length),
    trainSeconds: sum((r) => r.epochs.reduce((a, p) => a + p.seconds, 0)),
    wallSeconds: sum((r) => r.wallSeconds),
    trials: recs.length,
    hyper: { ...chosen.hyper },
    ...(search || !lastEpoch ? {} : { scale: Object.fromEntries(Object.entries(lastEpoch.hyper).map(([k, v]) => [k, v.scale])) }),
    stopped: recs.filter((r) => r.stopped).map((r) => r.stopped as string),
  };
}

/** Aggregates the records into the per-method summary (mean ± sample std over seeds). */
export function summarizeStudy(config: StudyConfig, records: readonly TrialRecord[]): StudySummary {
  const plainEpochSeconds = median(records.filter((r) => isSearchMethod(r.method)).flatMap((r) => r.epochs.map((p) => p.seconds)));
  const methods: MethodSummary[] = config.methods.map((method) => {
    const outcomes = config.seeds.map((s) => seedOutcome(method, s, recordsOf(records, method, s))).filter((o): o is SeedOutcome => o !== null);
    const planned = planTrials(config, method).length;
    const complete = config.seeds.every((s) => recordsOf(records, method, s).length === planned);
    const hyper: Record<string, number> = {};
    for (const name of Object.keys(outcomes[0]?.hyper ?? {})) hyper[name] = outcomes.reduce((a, o) => a + o.hyper[name], 0) / outcomes.length;
    const finite = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return {
      method,
      kind: isSearchMethod(method) ? 'search' : 'hypernetwork',
      seeds: outcomes,
      bestVal: stat(finite(outcomes.map((o) => o.bestVal))),
      testLoss: stat(finite(outcomes.map((o) => o.testLoss))),
      testAccuracy: stat(finite(outcomes.map((o) => o.testAccuracy))),
      epochs: stat(outcomes.map((o) => o.epochs)),
      wallSeconds: stat(outcomes.map((o) => o.wallSeconds)),
      trainSeconds: stat(outcomes.map((o) => o.trainSeconds)),
      plainEpochs: plainEpochSeconds ? stat(outcomes.map((o) => o.trainSeconds / plainEpochSeconds)) : null,
      hyper,
      complete,
    };
  });
  return { format: 'deltastn.study-summary', version: 1, config, plainEpochSeconds, methods, complete: methods.every((m) => m.complete) };
}

function fmt(s: Stat, digits: number, scale = 1): string {
  if (s.values.length === 0) return '—';
  const m = (s.mean * scale).toFixed(digits);
  return s.std === null ? m : `${m} ± ${(s.std * scale).toFixed(digits)}`;
}

/** The study table: header, rows (one per method) and the notes that say how to read it. */
export function studyTable(summary: StudySummary): { header: string[]; rows: string[][]; notes: string[] } {
  const header = ['method', 'best val loss', 'test loss', 'test acc (%)', 'epochs', '≈ plain epochs', 'wall (s)', 'final hyperparameters'];
  const rows = summary.methods.map((m) => [
    m.method + (m.complete ? '' : ' (incomplete)'),
    fmt(m.bestVal, 4),
    fmt(m.testLoss, 4),
    fmt(m.testAccuracy, 1, 100),
    fmt(m.epochs, 0),
    m.plainEpochs ? fmt(m.plainEpochs, 1) : '—',
    fmt(m.wallSeconds, 1),
    Object.entries(m.hyper)
      .map(([k, v]) => `${k}=${Number(v.toPrecision(3))}`)
      .join(' '),
  ]);
  const n = summary.config.seeds.length;
  const notes = [
    `mean ± sample std over ${n} seed${n === 1 ? '' : 's'} (${summary.config.seeds.join(', ')}); each seed has its own data split, shared by every method.`,
    'best val loss: per seed, the lowest validation loss of any epoch (search: of any epoch of any trial); test loss and accuracy at that epoch.',
    `epochs: training epochs actually run per seed (budget ${summary.config.budgetEpochs}; search trials of ${summary.config.trialEpochs}). An epoch of a hypernetwork method costs more than a plain one: Δ-STN does a general and a response pass per batch plus hyper steps (about 2.5 plain epochs); compare wall time, not epochs.`,
    summary.plainEpochSeconds
      ? `≈ plain epochs: the training seconds per seed divided by the median seconds of one plain (fixed-hyperparameter) epoch of the search trials, ${summary.plainEpochSeconds.toFixed(3)} s, measured in this study.`
      : '≈ plain epochs: needs a search method in the study (none here).',
    'wall: per seed, the sum of the wall times of its runs or trials (model building, training, evaluation): the cost on one worker. With --workers N, trials overlap in time and each ran on a loaded core.',
    'final hyperparameters (mean over seeds): the last T(λ) for hypernetwork methods; the best trial\u2019s values for search.',
  ];
  return { header, rows, notes };
}

/** The table as Markdown (`table.md`). */
export function studyTableMarkdown(summary: StudySummary): string {
  const { header, rows, notes } = studyTable(summary);
  const c = summary.config;
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `# Study: ${c.model} on ${c.dataset}, budget ${c.budgetEpochs} epochs`,
    '',
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Plots
// ---------------------------------------------------------------------------------------------------------

/** A curve point: cumulative epochs, cumulative wall seconds, validation loss. */
export interface CurvePoint {
  epochs: number;
  seconds: number;
  val: number;
}

/**
 * One method's validation curve for one seed: per epoch for a hypernetwork run; best so far over every
 * epoch of every trial for a search, with wall time accumulated over the trials in trial order.
 */
export function validationCurve(recs: readonly TrialRecord[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  let offset = 0;
  let best = Infinity;
  for (const r of [...recs].sort((a, b) => a.trial - b.trial)) {
    const search = isSearchMethod(r.method);
    for (const p of r.epochs) {
      best = Math.min(best, p.val.loss);
      out.push({ epochs: p.cumEpochs, seconds: offset + p.elapsed, val: search ? best : p.val.loss });
    }
    offset += r.wallSeconds;
  }
  return out;
}

/** Pointwise mean of aligned sequences, cut to the shortest. */
function meanAligned(seqs: number[][]): number[] {
  if (seqs.length === 0) return [];
  const n = Math.min(...seqs.map((s) => s.length));
  return Array.from({ length: n }, (_, i) => seqs.reduce((a, s) => a + s[i], 0) / seqs.length);
}

/** One SVG plot of a study. */
export interface StudyPlot {
  /** File name (`…svg`). */
  file: string;
  title: string;
  svg: string;
}

/**
 * The study's plots (each curve the mean over seeds, point by point):
 * - `val-loss-epochs.svg`, `val-loss-time.svg`: validation loss against training epochs and against wall time
 *   for every method (search methods: best so far);
 * - `schedule-<name>.svg`: each hyperparameter's T(λ) during training for every hypernetwork method, with the
 *   search methods' best values as reference lines;
 * - `lambda-<method>.svg`: λ (unconstrained) with λ ± σ dashed, per hypernetwork method.
 */
export function studyPlots(config: StudyConfig, records: readonly TrialRecord[]): StudyPlot[] {
  const plots: StudyPlot[] = [];
  const present = config.methods.filter((m) => config.seeds.some((s) => recordsOf(records, m, s).some((r) => r.epochs.length > 0)));
  const colorOf = (m: StudyMethod): string => SERIES_COLORS[STUDY_METHODS.indexOf(m) % SERIES_COLORS.length];
  const curves = present.map((m) => {
    const per = config.seeds.map((s) => validationCurve(recordsOf(records, m, s))).filter((c) => c.length > 0);
    const epochs = meanAligned(per.map((c) => c.map((p) => p.epochs)));
    const seconds = meanAligned(per.map((c) => c.map((p) => p.seconds)));
    const val = meanAligned(per.map((c) => c.map((p) => p.val)));
    return { method: m, epochs, seconds, val };
  });
  const name = (m: StudyMethod): string => (isSearchMethod(m) ? `${m} (best so far)` : m);
  const nSeeds = config.seeds.length;
  const suffix = nSeeds > 1 ? ` (mean of ${nSeeds} seeds)` : '';
  if (curves.length > 0) {
    const series = (x: 'epochs' | 'seconds'): SeriesSpec[] => curves.map((c) => ({ name: name(c.method), color: colorOf(c.method), points: c.val.map((v, i) => [c[x][i], v] as [number, number]) }));
    plots.push({ file: 'val-loss-epochs.svg', title: 'Validation loss vs training epochs', svg: lineChart({ title: `Validation loss vs training epochs${suffix}`, x: { label: 'training epochs' }, y: { label: 'validation loss' }, series: series('epochs') }) });
    plots.push({ file: 'val-loss-time.svg', title: 'Validation loss vs wall time', svg: lineChart({ title: `Validation loss vs wall time${suffix}`, x: { label: 'wall time (s)' }, y: { label: 'validation loss' }, series: series('seconds') }) });
  }
  const hyperMethods = present.filter((m) => !isSearchMethod(m));
  const anyRecord = records.find((r) => present.includes(r.method));
  if (hyperMethods.length > 0 && anyRecord) {
    const space = HyperSpace.fromJSON(anyRecord.space);
    const traj = hyperMethods.map((m) => {
      const per = config.seeds.map((s) => recordsOf(records, m, s)[0]?.trajectory ?? []).filter((t) => t.length > 0);
      const t = meanAligned(per.map((p) => p.map((q) => q.t)));
      const coord = (k: number, f: (q: TrajectoryPoint) => number): number[] => meanAligned(per.map((p) => p.map(f)));
      const lambda = space.names.map((_, k) => coord(k, (q) => q.lambda[k]));
      const sigma = space.names.map((_, k) => coord(k, (q) => space.scale(q.rawScale)[k]));
      const value = space.names.map((_, k) => coord(k, (q) => space.hyperValue(k, q.lambda[k])));
      return { method: m, t, lambda, sigma, value };
    });
    const searchBest = present.filter(isSearchMethod).map((m) => {
      const outs = config.seeds.map((s) => seedOutcome(m, s, recordsOf(records, m, s))).filter((o): o is SeedOutcome => o !== null);
      return { method: m, hyper: outs };
    });
    space.names.forEach((hname, k) => {
      const series: SeriesSpec[] = traj.filter((tr) => tr.t.length > 0).map((tr) => ({ name: tr.method, color: colorOf(tr.method), points: tr.t.map((t, i) => [t, tr.value[k][i]] as [number, number]) }));
      if (series.length === 0) return;
      const rules: RuleSpec[] = searchBest.filter((sb) => sb.hyper.length > 0).map((sb) => ({ y: sb.hyper.reduce((a, o) => a + o.hyper[hname], 0) / sb.hyper.length, label: `${sb.method} best` }));
      const safe = hname.replace(/[^A-Za-z0-9_-]/g, '_');
      plots.push({ file: `schedule-${safe}.svg`, title: `Schedule of ${hname}`, svg: lineChart({ title: `${hname} during training${suffix}`, x: { label: 'epoch' }, y: { label: `${hname} (its own units)` }, series, rules }) });
    });
    for (const tr of traj) {
      if (tr.t.length === 0) continue;
      const series: SeriesSpec[] = [];
      space.names.forEach((hname, k) => {
        const color = SERIES_COLORS[k % SERIES_COLORS.length];
        series.push({ name: `λ ${hname}`, color, points: tr.t.map((t, i) => [t, tr.lambda[k][i]] as [number, number]) });
        series.push({ name: `${hname} −σ`, color, dashed: true, points: tr.t.map((t, i) => [t, tr.lambda[k][i] - tr.sigma[k][i]] as [number, number]) });
        series.push({ name: `${hname} +σ`, color, dashed: true, points: tr.t.map((t, i) => [t, tr.lambda[k][i] + tr.sigma[k][i]] as [number, number]) });
      });
      plots.push({ file: `lambda-${tr.method}.svg`, title: `λ ± σ of ${tr.method}`, svg: lineChart({ title: `${tr.method}: λ (unconstrained) with λ ± σ dashed${suffix}`, x: { label: 'epoch' }, y: { label: 'λ' }, series, height: 460 }) });
    }
  }
  return plots;
}

/** Writes `summary.json`, `table.md` and the plots of {@link studyPlots} into `dir`, each atomically. */
export function writeStudyOutputs(dir: string, config: StudyConfig, records: readonly TrialRecord[], summary: StudySummary = summarizeStudy(config, records)): StudyPlot[] {
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileAtomic(join(dir, 'table.md'), studyTableMarkdown(summary));
  const plots = studyPlots(config, records);
  for (const p of plots) writeFileAtomic(join(dir, p.file), p.svg + '\n');
  return plots;
}
