/**
 * Architecture search on real data (issue 7; Node only): for each method in {DARTS first order, DARTS second
 * order, Δ-STN (plain or linearized), STN, random} and each seed, search a DARTS cell space
 * (src/nas/cell.ts) on a training/validation split, discretize, retrain the discrete architecture from scratch
 * and report its validation and test accuracy.
 *
 * @remarks
 * **A gradient-based run** (`darts1`, `darts2`, `delta-stn`, `delta-stn-linearized`, `stn`): one
 * {@link Trainer} run of S = `searchEpochs` epochs on the one-shot model, the architecture logits α being the
 * space's hyperparameters (init 0, the uniform mixture); then α is discretized by DARTS's rule
 * ({@link deriveGenotype}) and the genotype is retrained with the `fixed` method for E = `retrainEpochs` epochs.
 *
 * **Random search at the same budget.** n = max(1, round((S + E)/E)) architectures drawn uniformly from the
 * same discrete set ({@link randomGenotype}), each retrained for E epochs exactly like a searched genotype;
 * the one with the best final validation accuracy is reported. So random search spends as many training epochs
 * as a search run plus its retraining. An epoch of the one-shot model costs more than an epoch of a discrete
 * network (every candidate runs, and Δ-STN/STN/DARTS-2 add passes): the table puts wall time beside epochs.
 *
 * **Paired search.** Every gradient method of a seed starts from the same one-shot initialisation
 * `deriveSeed(seed, 'search', 0)` with the same trainer seed (batch order), on the same split.
 *
 * **Fair retraining.** Every retraining of a seed (searched or random) uses the same data split, the same
 * initialisation stream `deriveSeed(seed, 'retrain', 0)` and the same trainer seed, so two methods that find the
 * same genotype get the same accuracy.
 *
 * **Persistence (issue 19).** The source of truth is the study store of the comparison studies (src/tune/store):
 * by default the SQLite file `DIR/study.db`, or `storage: 'sqlite:PATH'`, or a PostgreSQL database
 * (`'postgresql://…'`). A job (one search run per gradient method and seed: the row (method, seed, trial 0); one
 * random trial: the row (random, seed, trial)) is a trial row; {@link runArchSearch} adds the planned jobs
 * (existing rows are kept), then claims and runs them ({@link runArchStudyWorker}): a finished job is never rerun,
 * so a rerun with the same arguments resumes, and a job whose worker died is reclaimed after its lease and rerun
 * from scratch (a search run keeps no checkpoint). `DIR/runs.jsonl` is an export, rewritten at the end in the
 * order the jobs finished. An old search directory (a `runs.jsonl`, no study in the store) is migrated once: when
 * the call creates the study, the file's records are imported as finished jobs, a torn or foreign line being
 * dropped and counted; after that the file is only written, never read.
 *
 * **Parallelism.** With `workers` > 1, each of `workers` `node:worker_threads` threads (the pool of pool.ts) runs
 * the same claim loop ({@link runArchStudyWorker}) with its own TensorFlow.js backend and its own connection to
 * the store, through the same {@link runArchJob} as in-process. Jobs are claimed longest first (every search run,
 * then the random trials); records are stored as they finish, so their order may differ from an in-process
 * run's, and the summary is computed from the records in a canonical order. The worker script is the compiled
 * `archWorker.js` next to this module; running from the TypeScript sources (vitest) there is none, and the study
 * runs in-process, saying so. The worker count is not part of the study's configuration (config.json). Other
 * processes may join with {@link runArchStudyWorker} on the same store and study name.
 */
import { statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { StateFileError, checkOutputDirectory, createOutputDirectory, readJsonLines, readJsonStateFile, writeFileAtomic } from '../stateFiles.js';
import { Rng } from '../rng.js';
import { loadData } from './factory.js';
import { BACKEND_NAMES, formatBackendInfo, initBackend, isBackendName, type BackendName } from '../nn/backend.js';
import { deriveGenotype, randomGenotype } from '../nas/genotype.js';
import { cellSearchSpace, genotypeNetwork } from '../nas/networks.js';
import { CELL_SPACES, genotypeText, spaceOps, type CellSpaceKind, type Genotype } from '../nas/space.js';
import { Trainer, type EpochLog, type NnMethod } from '../nn/trainer.js';
import { lineChart, SERIES_COLORS, type SeriesSpec } from '../report/plot.js';
import { deriveSeed } from './study.js';
import { compiledWorkerScript, runPool } from './pool.js';
import { defaultWorkerId } from './studyWorker.js';
import { openStore, parseStorage, trialsJsonl, type PlannedTrial, type RecordKey, type StudyStore } from './store/index.js';
import { ARCH_METHODS, archSearchTable, edgeSoftmax, isArchRecord, randomTrials, summarizeArchSearch, type ArchMethod, type ArchMethodSummary, type ArchRecord, type RetrainResult, type SearchEpoch } from './archSummary.js';

// The record format, the methods, the summary and the table are browser-safe: they live in archSummary.ts.
export * from './archSummary.js';

/** The configuration of an architecture-search study (saved in DIR/config.json). */
export interface ArchSearchConfig {
  space: CellSpaceKind;
  dataset: 'mnist' | 'fashion-mnist';
  methods: ArchMethod[];
  seeds: number[];
  /** S, epochs of the one-shot search. */
  searchEpochs: number;
  /** E, epochs of retraining a discrete architecture. */
  retrainEpochs: number;
  /** Intermediate nodes of the cell. */
  nodes: number;
  /** Hidden width (MLP) or channels (CNN). */
  width: number;
  /** First N training examples only (0 = all). */
  trainSize: number;
  batchSize: number;
  lrWeights: number;
  /** Learning rate of α (Adam, as in DARTS). */
  lrHyper: number;
  /** Train steps per hyper step (T_train) in the search. */
  trainSteps: number;
  /** DARTS-2: R = dartsScale/‖∇_{w′}L_V‖ in the finite-difference product (default 0.01, the DARTS paper's). */
  dartsScale?: number;
  /** DARTS-2: the unrolled step ξ (default: the weights' learning rate, as in DARTS). */
  dartsXi?: number;
  dataDir?: string;
  backend: BackendName;
}

/** Every field of an {@link ArchSearchConfig} (a saved config.json with another field is not a search's). */
const ARCH_CONFIG_FIELDS = ['space', 'dataset', 'methods', 'seeds', 'searchEpochs', 'retrainEpochs', 'nodes', 'width', 'trainSize', 'batchSize', 'lrWeights', 'lrHyper', 'trainSteps', 'dartsScale', 'dartsXi', 'dataDir', 'backend'] as const;

/** Checks a configuration, naming the field at fault. */
export function validateArchSearchConfig(c: ArchSearchConfig): void {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new InvalidArgumentError('config', 'an object', c === null ? 'null' : typeof c);
  for (const k of Object.keys(c)) if (!(ARCH_CONFIG_FIELDS as readonly string[]).includes(k)) throw new InvalidArgumentError(k, 'absent (not a field of a search configuration)', k);
  if (!isBackendName(c.backend)) throw new InvalidArgumentError('--backend', BACKEND_NAMES.join(', '), String(c.backend));
  if (c.dataDir !== undefined && (typeof c.dataDir !== 'string' || c.dataDir.length === 0)) throw new InvalidArgumentError('--data-dir', 'a directory path', String(c.dataDir));
  if (!CELL_SPACES.includes(c.space)) throw new InvalidArgumentError('--space', CELL_SPACES.join(' | '), c.space);
  if (c.dataset !== 'mnist' && c.dataset !== 'fashion-mnist') throw new InvalidArgumentError('--dataset', 'mnist or fashion-mnist', c.dataset);
  if (!Array.isArray(c.methods) || c.methods.length === 0) throw new InvalidArgumentError('--method', `one or more of ${ARCH_METHODS.join(', ')}`, c.methods);
  for (const m of c.methods) if (!(ARCH_METHODS as readonly string[]).includes(m)) throw new InvalidArgumentError('--method', `one of ${ARCH_METHODS.join(', ')}`, m);
  if (new Set(c.methods).size !== c.methods.length) throw new InvalidArgumentError('--method', 'each method once', c.methods.join(','));
  if (!Array.isArray(c.seeds) || c.seeds.length === 0 || !c.seeds.every((s) => Number.isSafeInteger(s) && s >= 0)) throw new InvalidArgumentError('--seeds', 'one or more integer seeds ≥ 0', c.seeds);
  for (const [k, v, min] of [
    ['--search-epochs', c.searchEpochs, 1],
    ['--retrain-epochs', c.retrainEpochs, 1],
    ['--nodes', c.nodes, 1],
    ['--width', c.width, 1],
    ['--train-size', c.trainSize, 0],
    ['--batch-size', c.batchSize, 1],
    ['--train-steps', c.trainSteps, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(k, `an integer ≥ ${min}`, v);
  }
  for (const [k, v] of [
    ['--lr', c.lrWeights],
    ['--lr-hyper', c.lrHyper],
  ] as const) {
    if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(k, 'a finite number > 0', v);
  }
  if (c.dartsScale !== undefined && !(c.dartsScale > 0 && Number.isFinite(c.dartsScale))) throw new InvalidArgumentError('--darts-scale', 'a finite number > 0', c.dartsScale);
  if (c.dartsXi !== undefined && !(c.dartsXi >= 0 && Number.isFinite(c.dartsXi))) throw new InvalidArgumentError('--darts-xi', 'a finite number ≥ 0', c.dartsXi);
}

function trainerOptions(config: ArchSearchConfig, seed: number): { batchSize: number; lrWeights: number; seed: number } {
  return { batchSize: config.batchSize, lrWeights: config.lrWeights, seed };
}

/**
 * Runs the trainer's epochs until it is done or a loss becomes non-finite (the trainer then holds the last good
 * state); `onEpoch` sees each finished epoch. Returns the stop message, if any.
 */
async function runEpochs(trainer: Trainer, onEpoch?: (r: EpochLog) => void, onStep?: () => void): Promise<string | undefined> {
  while (!trainer.done()) {
    const r = await trainer.runEpochAsync(onStep);
    if ('stopped' in r) return r.stopped;
    onEpoch?.(r);
  }
  return undefined;
}

/**
 * Retrains a genotype from scratch with the `fixed` method (see the module remarks on fair retraining).
 * `onStep` is called after every training step (a store's heartbeat).
 */
export async function retrain(config: ArchSearchConfig, genotype: Genotype, seed: number, onStep?: () => void): Promise<RetrainResult> {
  const data = loadData({ dataset: config.dataset, seed, trainSize: config.trainSize, dataDir: config.dataDir });
  if (!data.test) throw new InvalidArgumentError('dataset', 'a dataset with a test split', config.dataset);
  const { space, model } = genotypeNetwork(genotype, { rng: new Rng(deriveSeed(seed, 'retrain', 0)), width: config.width });
  const trainer = new Trainer(model, space, data, { method: 'fixed', epochs: config.retrainEpochs, ...trainerOptions(config, deriveSeed(seed, 'retrain-trainer', 0)) });
  const t0 = performance.now();
  try {
    const stopped = await runEpochs(trainer, undefined, onStep);
    const out: RetrainResult = {
      genotype,
      text: genotypeText(genotype),
      epochs: trainer.state.epoch,
      train: await trainer.evaluateAsync(data.train),
      val: await trainer.evaluateAsync(data.val),
      test: await trainer.evaluateAsync(data.test),
      seconds: (performance.now() - t0) / 1000,
    };
    return stopped ? { ...out, stopped } : out;
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** Runs one gradient-based search (S epochs), discretizes and retrains; `onStep` after every training step. */
export async function searchRun(config: ArchSearchConfig, method: Exclude<ArchMethod, 'random'>, seed: number, backend: string, log?: (s: string) => void, onStep?: () => void): Promise<ArchRecord> {
  const data = loadData({ dataset: config.dataset, seed, trainSize: config.trainSize, dataDir: config.dataDir });
  // Paired search: every gradient method of a seed starts from the same one-shot weights and sees the same
  // batches (its own draws of ε aside), so differences between methods are the methods', not the seeds'.
  const { space, model } = cellSearchSpace({ kind: config.space, nodes: config.nodes, width: config.width, rng: new Rng(deriveSeed(seed, 'search', 0)) });
  const trainer = new Trainer(model, space, { train: data.train, val: data.val }, {
    method: method as NnMethod,
    epochs: config.searchEpochs,
    ...trainerOptions(config, deriveSeed(seed, 'search:trainer', 0)),
    lrHyper: config.lrHyper,
    hyperOptimizer: 'adam',
    trainSteps: config.trainSteps,
    ...(config.dartsScale === undefined ? {} : { dartsScale: config.dartsScale }),
    ...(config.dartsXi === undefined ? {} : { dartsXi: config.dartsXi }),
    // σ of α is learned with the entropy bonus for the hypernetwork methods; DARTS ignores it.
    tuneScales: true,
  });
  const epochs: SearchEpoch[] = [];
  const t0 = performance.now();
  let stopped: string | undefined;
  try {
    stopped = await runEpochs(trainer, (r) => {
      epochs.push({ epoch: r.epoch, train: r.train, val: r.val, weights: edgeSoftmax(config.space, space.names, trainer.state.lambda), seconds: r.seconds });
      log?.(`${method} seed ${seed} search epoch ${r.epoch + 1}/${config.searchEpochs}: one-shot val ${(100 * r.val.accuracy).toFixed(1)}%, ${genotypeText(deriveGenotype(config.space, config.nodes, space, trainer.state.lambda))} (${r.seconds.toFixed(1)} s)`);
    }, onStep);
  } finally {
    trainer.dispose();
    model.dispose();
  }
  const searchSeconds = (performance.now() - t0) / 1000;
  const alpha = [...trainer.state.lambda];
  const genotype = deriveGenotype(config.space, config.nodes, space, alpha);
  const result = await retrain(config, genotype, seed, onStep);
  log?.(`${method} seed ${seed}: ${result.text} → retrained val ${(100 * result.val.accuracy).toFixed(2)}%, test ${(100 * result.test.accuracy).toFixed(2)}%`);
  const rec: ArchRecord = { kind: 'search', method, seed, searchEpochs: epochs, alpha, searchSeconds, retrain: result, backend };
  return stopped ? { ...rec, stopped } : rec;
}

/** Random trial i of a seed: a seeded uniform genotype, retrained; `onStep` after every training step. */
export async function randomTrial(config: ArchSearchConfig, seed: number, trial: number, backend: string, log?: (s: string) => void, onStep?: () => void): Promise<ArchRecord> {
  const genotype = randomGenotype(config.space, config.nodes, new Rng(deriveSeed(seed, 'random', trial)));
  const result = await retrain(config, genotype, seed, onStep);
  log?.(`random seed ${seed} trial ${trial + 1}/${randomTrials(config)}: ${result.text} → val ${(100 * result.val.accuracy).toFixed(2)}%, test ${(100 * result.test.accuracy).toFixed(2)}%`);
  return { kind: 'random', method: 'random', seed, trial, retrain: result, backend };
}

/**
 * Reads DIR/runs.jsonl: the records ({@link isArchRecord}) in file order; a torn line (a kill mid-write) or a
 * foreign one (`null`, `{}`, `42`, an edited record) is left out and counted in `bad`. A missing file reads as
 * empty.
 * @throws StateFileError naming `argument` when the path cannot be read (a directory in its place, …).
 */
export function readArchRecordFile(path: string, argument = '--out'): { records: ArchRecord[]; bad: number; clean: string; text: string } {
  return readJsonLines(path, argument, isArchRecord, { missingIsEmpty: true });
}

/** The records of DIR/runs.jsonl (see {@link readArchRecordFile}; torn and foreign lines left out). */
export function readArchRecords(path: string, argument = '--out'): ArchRecord[] {
  return readArchRecordFile(path, argument).records;
}

/**
 * Reads a search directory's `config.json` and checks it ({@link validateArchSearchConfig}).
 * @throws StateFileError naming `argument` and the file, with the field at fault.
 */
export function readArchSearchConfig(path: string, argument: string): ArchSearchConfig {
  const value = readJsonStateFile(path, argument);
  try {
    validateArchSearchConfig(value as ArchSearchConfig);
  } catch (e) {
    if (e instanceof DeltaStnError) throw new StateFileError(argument, path, `not a search configuration (${e.message})`);
    throw e;
  }
  return value as ArchSearchConfig;
}

/**
 * SVG plots of the softmax weights over the search epochs: one per gradient method and edge (first seed), one
 * line per candidate operation (colour by operation, the same in every plot).
 */
export function archWeightPlots(config: ArchSearchConfig, records: readonly ArchRecord[]): { name: string; svg: string }[] {
  const out: { name: string; svg: string }[] = [];
  const ops = spaceOps(config.space);
  for (const method of config.methods) {
    if (method === 'random') continue;
    const r = records.find((x) => x.kind === 'search' && x.method === method && x.seed === config.seeds[0]);
    if (!r || r.kind !== 'search' || r.searchEpochs.length === 0) continue;
    for (const e of Object.keys(r.searchEpochs[0].weights)) {
      const series: SeriesSpec[] = ops.map((op, j) => ({ name: op, points: [[0, 1 / ops.length] as const, ...r.searchEpochs.map((p) => [p.epoch + 1, p.weights[e][op]] as const)], color: SERIES_COLORS[j % SERIES_COLORS.length] }));
      out.push({
        name: `weights-${method}-${e}.svg`,
        svg: lineChart({ title: `${method}, edge ${e}: softmax(α) over the search (${config.space}, seed ${config.seeds[0]})`, x: { label: 'search epoch' }, y: { label: 'softmax weight' }, series, width: 520, height: 320 }),
      });
    }
  }
  return out;
}

/** Whether anything (a file, a directory) is at `path`. */
function existsPath(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** One job of an architecture search: the search run of a gradient method for a seed, or one random trial. */
export type ArchJob = { kind: 'search'; method: Exclude<ArchMethod, 'random'>; seed: number } | { kind: 'random'; seed: number; trial: number };

/**
 * Runs one job on the current thread's (already initialised) backend and returns its record: {@link searchRun}
 * or {@link randomTrial}. The in-process path and the worker script (archWorker.ts) both run jobs through it.
 */
export function runArchJob(config: ArchSearchConfig, job: ArchJob, backend: string, log?: (s: string) => void, onStep?: () => void): Promise<ArchRecord> {
  return job.kind === 'search' ? searchRun(config, job.method, job.seed, backend, log, onStep) : randomTrial(config, job.seed, job.trial, backend, log, onStep);
}

/** The compiled worker script `archWorker.js` next to this module, or null when running from TypeScript sources. */
export function archWorkerScript(): URL | null {
  return compiledWorkerScript('archWorker.js');
}

/**
 * The records in one canonical order — by seed, then the configuration's method order, then trial — whatever
 * the order of the lines in runs.jsonl (with workers, records arrive in the order their jobs finish). The
 * summary reads records by (method, seed, trial), but the random baseline's pick breaks a tie in validation
 * accuracy by position: sorted, the tie goes to the lowest trial, as in an in-process run.
 */
function canonicalOrder(config: ArchSearchConfig, records: readonly ArchRecord[]): ArchRecord[] {
  const m = (r: ArchRecord): number => config.methods.indexOf(r.method);
  const t = (r: ArchRecord): number => (r.kind === 'random' ? r.trial : -1);
  return [...records].sort((a, b) => a.seed - b.seed || m(a) - m(b) || t(a) - t(b));
}

/** The store of an architecture search: its rows' methods, configuration and records (see types.ts). */
export type ArchStudyStore = StudyStore<ArchMethod, ArchSearchConfig, ArchRecord>;

/** The trial number of a search run's row (a random trial's row has its own trial number). */
const SEARCH_ROW_TRIAL = 0;

/**
 * The jobs of a search as planned trials, in claim order: every search run (S + E epochs) before the random trials
 * (E each), the longest first; within each, by seed, then the configuration's method order, then trial.
 */
export function plannedArchJobs(config: ArchSearchConfig): PlannedTrial<ArchMethod>[] {
  const out: PlannedTrial<ArchMethod>[] = [];
  for (const wanted of ['search', 'random'] as const) {
    for (const seed of config.seeds) {
      for (const method of config.methods) {
        if (wanted === 'search' && method !== 'random') out.push({ method, seed, trial: SEARCH_ROW_TRIAL, plannedEpochs: config.searchEpochs + config.retrainEpochs, priority: out.length });
        if (wanted === 'random' && method === 'random') for (let i = 0; i < randomTrials(config); i++) out.push({ method, seed, trial: i, plannedEpochs: config.retrainEpochs, priority: out.length });
      }
    }
  }
  return out;
}

/** The store row of a record (a search run: (method, seed, 0); a random trial: (random, seed, trial)). */
export function archRecordKey(config: ArchSearchConfig, r: ArchRecord): RecordKey<ArchMethod> {
  return r.kind === 'random'
    ? { method: 'random', seed: r.seed, trial: r.trial, plannedEpochs: config.retrainEpochs, u: null }
    : { method: r.method, seed: r.seed, trial: SEARCH_ROW_TRIAL, plannedEpochs: config.searchEpochs + config.retrainEpochs, u: null };
}

/** The job a row stands for. */
function jobOfRow(row: { method: ArchMethod; seed: number; trial: number }): ArchJob {
  return row.method === 'random' ? { kind: 'random', seed: row.seed, trial: row.trial } : { kind: 'search', method: row.method, seed: row.seed };
}

/** Options of {@link runArchStudyWorker}. */
export interface ArchStudyWorkerOptions {
  /** The backend this thread initialised (recorded in each record). */
  backend: string;
  /** This worker's id in the store (default `host:pid:thread`). */
  worker?: string;
  /** Seconds without a heartbeat after which another worker may reclaim a held job (default 60). */
  leaseSeconds?: number;
  /** Seconds between claims while every remaining job is held by others (default 1). */
  pollSeconds?: number;
  /** Whether to wait for (and reclaim) jobs held by others once nothing is claimable (default true). */
  wait?: boolean;
  /** Asked before each claim; false ends the loop. */
  shouldContinue?: () => boolean;
  /** Stop after this many completed jobs (default: no limit). */
  limit?: number;
  /** Called with each record this worker completed (after the store holds it). */
  onRecord?: (r: ArchRecord) => void;
  log?: (s: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * The claim loop of an architecture search on a store: claim a job, run it ({@link runArchJob}, heartbeating at
 * most every lease/4 seconds from its training steps), complete it with its record, repeat until no job is left.
 * When nothing is claimable but jobs are held by others, it polls (so that a job of a worker that stopped
 * heartbeating is reclaimed and rerun here) unless `wait` is false. A job whose claim was lost (reclaimed by
 * another worker) is dropped: the store never takes its record. The loop of {@link runArchSearch} (in-process and
 * in each worker thread); any process reaching the store may run it on the same study.
 * @throws the error of a job that failed (after marking it failed in the store).
 */
export async function runArchStudyWorker(store: ArchStudyStore, name: string, config: ArchSearchConfig, options: ArchStudyWorkerOptions): Promise<{ worker: string; ran: number; lost: number }> {
  const worker = options.worker ?? defaultWorkerId();
  const lease = options.leaseSeconds ?? 60;
  const poll = options.pollSeconds ?? 1;
  const result = { worker, ran: 0, lost: 0 };
  let waiting = false;
  while (result.ran < (options.limit ?? Infinity) && (options.shouldContinue?.() ?? true)) {
    const claim = await store.claim(name, worker, lease);
    if (!claim) {
      if (options.wait === false) break;
      const c = await store.counts(name);
      if (c.pending + c.running === 0) break;
      if (!waiting) options.log?.(`${worker}: ${c.running} job(s) held by other workers; waiting for them (one whose worker stops heartbeating for its lease is reclaimed here)`);
      waiting = true;
      await sleep(poll * 1000);
      continue;
    }
    waiting = false;
    const where = claim.method === 'random' ? `random seed ${claim.seed} trial ${claim.trial}` : `${claim.method} seed ${claim.seed}`;
    if (claim.attempt > 1) options.log?.(`${worker}: reclaimed ${where} (attempt ${claim.attempt}, from scratch)`);
    let lastBeat = performance.now();
    const onStep = (): void => {
      const now = performance.now();
      if (now - lastBeat < (lease * 1000) / 4) return;
      lastBeat = now;
      void store.heartbeat(claim).catch(() => false);
    };
    let record: ArchRecord;
    try {
      record = await runArchJob(config, jobOfRow(claim), options.backend, options.log, onStep);
    } catch (e) {
      await store.fail(claim, (e as Error)?.message ?? String(e)).catch(() => false);
      throw e;
    }
    if (!(await store.complete(claim, record))) {
      result.lost++;
      options.log?.(`${worker}: lost ${where} to another worker (no heartbeat within the lease); its record is dropped`);
      continue;
    }
    result.ran++;
    options.onRecord?.(record);
  }
  return result;
}

/** Whether `value` is an architecture search's configuration ({@link validateArchSearchConfig} accepts it). */
export function isArchSearchConfig(value: unknown): value is ArchSearchConfig {
  try {
    validateArchSearchConfig(value as ArchSearchConfig);
    return true;
  } catch (e) {
    if (e instanceof DeltaStnError) return false;
    throw e;
  }
}

/**
 * Joins search study `study` of the store `storage` names (`sqlite:PATH` or a PostgreSQL URL) as one more worker
 * process (what `deltastn worker` does for a search study): initialises `backend` (default: the study's), runs
 * {@link runArchStudyWorker} until no job is left or `limit` jobs are done. Returns null, having run nothing, when
 * the study is not an architecture search (a comparison study: the caller runs its own loop).
 * @throws InvalidArgumentError naming `--storage` for a store that cannot be opened, `--study` when it holds no
 *   study so named; a job's typed error as raised.
 */
export async function joinArchStudy(
  storage: string,
  study: string,
  options: Omit<ArchStudyWorkerOptions, 'backend'> & { backend?: BackendName; dataDir?: string },
): Promise<{ worker: string; ran: number; lost: number; backend: string } | null> {
  const store = await openStore<ArchMethod, ArchSearchConfig, ArchRecord>(storage, null, '--storage');
  try {
    const stored = await store.studyConfig(study);
    if (stored === null) throw new InvalidArgumentError('--study', `the name of a study in ${store.location}`, study);
    if (!isArchSearchConfig(stored)) return null;
    const config: ArchSearchConfig = { ...stored, ...(options.backend !== undefined ? { backend: options.backend } : {}), ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}) };
    validateArchSearchConfig(config);
    const info = await initBackend(config.backend);
    const { backend: _b, dataDir: _d, ...loop } = options;
    const r = await runArchStudyWorker(store, study, config, { ...loop, backend: info.name });
    return { ...r, backend: info.name };
  } finally {
    await store.close();
  }
}

/** Options of {@link runArchSearch}. */
export interface ArchSearchOptions {
  log?: (s: string) => void;
  /** Worker threads (default 1: everything in the main thread). Not part of the study's configuration. */
  workers?: number;
  /**
   * Progress, for a display: called once the jobs are planned (`done` 0, `last` absent) and after each finished
   * job with its record; `total` counts the jobs this call runs, `skipped` those recorded before.
   */
  onProgress?: (p: { done: number; total: number; skipped: number; last?: ArchRecord }) => void;
  /** The store: `sqlite` (default: `DIR/study.db`), `sqlite:PATH` or `postgresql://user:password@host:port/db`. */
  storage?: string;
  /** The study's name in the store (default: the directory's base name). */
  study?: string;
  /** Seconds without a heartbeat before a held job may be reclaimed (default 60). */
  leaseSeconds?: number;
}

/** What {@link runArchSearch} returns. */
export interface ArchSearchResult {
  summary: ArchMethodSummary[];
  table: string;
  /** Jobs run by this call (by this process and its threads). */
  ran: number;
  /** Jobs found finished (in the store, or in a migrated runs.jsonl) and skipped. */
  skipped: number;
  /** Records migrated from an old runs.jsonl into the store by this call. */
  migrated: number;
  backend: string;
  /** Worker threads actually used (0: in-process). */
  workers: number;
  /** The study's name in the store. */
  study: string;
  /** Where the store is (a file, or a URL without its password). */
  storage: string;
  /** Seconds this call took, start to end (with workers: less than the sum of the jobs' wall times). */
  seconds: number;
}

/** The settings a study is known by in a store (every field but the methods and seeds, which may grow, and the per-machine backend and data directory). */
const ARCH_IDENTITY_FIELDS = ARCH_CONFIG_FIELDS.filter((f) => f !== 'methods' && f !== 'seeds' && f !== 'backend' && f !== 'dataDir');

/**
 * Opens (creating or loading) search study `name` in `store` for `config`; returns whether this call created it.
 * @throws InvalidArgumentError naming `argument` when the store holds a study of that name that is not an
 *   architecture search, or one with other settings (see `ARCH_IDENTITY_FIELDS`).
 */
async function openArchStudy(store: ArchStudyStore, name: string, config: ArchSearchConfig, argument: string): Promise<boolean> {
  const { config: old, created } = await store.openStudy(name, config);
  if (created) return true;
  try {
    validateArchSearchConfig(old);
  } catch (e) {
    if (e instanceof DeltaStnError) throw new InvalidArgumentError(argument, 'a new study name, or the name of an architecture search (this study is another kind)', `${name} in ${store.location}`);
    throw e;
  }
  const diff = ARCH_IDENTITY_FIELDS.filter((f) => JSON.stringify(old[f]) !== JSON.stringify(config[f]));
  if (diff.length > 0) throw new InvalidArgumentError(argument, `a new study, or one with the same ${diff.join(', ')}`, `${name} in ${store.location} (${diff.map((f) => `${f}=${String(old[f])}`).join(', ')})`);
  await store.updateStudyConfig(name, config);
  return false;
}

/**
 * Runs (or resumes) a study in `dir` (see the module remarks): writes config.json, opens the store and its study,
 * migrates an old runs.jsonl once, adds the planned jobs, runs the claim loop (in-process or on worker threads)
 * until no job is left, then writes the export runs.jsonl, summary.json, table.md and the weight plots.
 * @throws InvalidArgumentError naming `--workers` for a worker count that is not an integer ≥ 1, `--lease` for a
 *   lease that is not a finite number > 0, `--storage` for a store that cannot be opened, `--out` (`--study` with
 *   another storage than the default) when `dir` or the store's study holds a study with other settings (methods
 *   and seeds may grow), the errors of {@link validateArchSearchConfig}; a worker's typed error as raised.
 */
export async function runArchSearch(config: ArchSearchConfig, dir: string, options: ArchSearchOptions = {}): Promise<ArchSearchResult> {
  validateArchSearchConfig(config);
  const workersWanted = options.workers ?? 1;
  if (!Number.isInteger(workersWanted) || workersWanted < 1) throw new InvalidArgumentError('--workers', 'an integer ≥ 1', workersWanted);
  const lease = options.leaseSeconds ?? 60;
  if (!(lease > 0) || !Number.isFinite(lease)) throw new InvalidArgumentError('--lease', 'a finite number of seconds > 0', lease);
  const storage = options.storage ?? 'sqlite';
  parseStorage(storage, '--storage');
  const name = options.study ?? basename(resolve(dir));
  if (name.length === 0) throw new InvalidArgumentError('--study', 'a non-empty study name', name);
  const t0 = performance.now();
  // Everything is checked before anything is written: the directory, a saved configuration, the records, the
  // backend and the data (a failed start leaves no config.json and no empty directory).
  checkOutputDirectory(dir, '--out');
  const configPath = join(dir, 'config.json');
  if (existsPath(configPath)) {
    const saved = JSON.stringify({ ...readArchSearchConfig(configPath, '--out'), methods: [], seeds: [] });
    if (saved !== JSON.stringify({ ...config, methods: [], seeds: [] })) throw new InvalidArgumentError('--out', `a directory holding a study with the same settings (methods and seeds may grow); ${configPath} differs`, dir);
  }
  const path = join(dir, 'runs.jsonl');
  const file = readArchRecordFile(path);
  // The main thread's backend is initialised even when workers run the jobs: a backend that cannot start is
  // reported before anything is written.
  const info = await initBackend(config.backend);
  options.log?.(`backend: ${formatBackendInfo(info)}`);
  loadData({ dataset: config.dataset, seed: config.seeds[0], trainSize: config.trainSize, dataDir: config.dataDir });
  createOutputDirectory(dir, '--out');
  const store = await openStore<ArchMethod, ArchSearchConfig, ArchRecord>(storage, dir, '--storage');
  try {
    const created = await openArchStudy(store, name, config, storage === 'sqlite' ? '--out' : '--study');
    writeFileAtomic(configPath, JSON.stringify(config, null, 2) + '\n');
    const plan = plannedArchJobs(config);
    const rowKey = (k: { method: string; seed: number; trial: number }): string => `${k.method}|${k.seed}|${k.trial}`;
    let migrated = 0;
    // Migration, once: only into a study this call created (afterwards runs.jsonl is an export, never read).
    if (created && file.records.length > 0) {
      const priorityOf = new Map(plan.map((p) => [rowKey(p), p.priority]));
      migrated = await store.importRecords(name, file.records, (r) => priorityOf.get(rowKey(archRecordKey(config, r))) ?? plan.length, (r) => archRecordKey(config, r));
      options.log?.(`runs.jsonl: ${migrated} record(s) migrated into the study store ${store.location} (study ${name})`);
    }
    if (created && file.bad > 0) options.log?.(`runs.jsonl: ${file.bad} unreadable or foreign line(s) dropped (an interrupted write, or not a search record)`);
    await store.addTrials(name, plan);
    const done = new Set((await store.trials(name)).filter((t) => t.state === 'done').map(rowKey));
    const skipped = plan.filter((p) => done.has(rowKey(p))).length;
    const todo = plan.length - skipped;
    let ran = 0;
    const emit = (r: ArchRecord): void => {
      ran++;
      options.onProgress?.({ done: ran, total: todo, skipped, last: r });
    };
    options.onProgress?.({ done: 0, total: todo, skipped });
    let backend: string = info.name;
    let used = 0;
    const script = workersWanted > 1 ? archWorkerScript() : null;
    if (workersWanted > 1 && !script) options.log?.(`--workers ${workersWanted}: no compiled worker script next to ${import.meta.url} (running from TypeScript sources?); running in-process, one job at a time`);
    if (script && todo > 0) {
      used = Math.min(workersWanted, todo);
      options.log?.(`running ${todo} job(s) on ${used} worker threads (store: ${store.location}, study ${name})`);
      const threadStorage = storage === 'sqlite' ? `sqlite:${store.location}` : storage;
      backend = await runPool<'loop', ArchRecord>({
        script,
        data: { config, storage: threadStorage, study: name, leaseSeconds: lease, worker: defaultWorkerId(0) },
        jobs: Array.from({ length: used }, () => 'loop' as const),
        workers: used,
        onRecord: emit,
        onLog: options.log,
      });
    } else if (todo > 0) {
      await runArchStudyWorker(store, name, config, { backend: info.name, worker: defaultWorkerId(0), leaseSeconds: lease, onRecord: emit, log: options.log });
    }
    const records = await store.records(name);
    writeFileAtomic(path, trialsJsonl(records));
    const sorted = canonicalOrder(config, records);
    const summary = summarizeArchSearch(config, sorted);
    const table = archSearchTable(config, summary);
    writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ config, backend, methods: summary }, null, 2) + '\n');
    writeFileAtomic(join(dir, 'table.md'), table + '\n');
    for (const p of archWeightPlots(config, sorted)) writeFileAtomic(join(dir, p.name), p.svg);
    return { summary, table, ran, skipped, migrated, backend, workers: used, study: name, storage: store.location, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await store.close();
  }
}
