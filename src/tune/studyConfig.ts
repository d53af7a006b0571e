/**
 * A comparison study's methods and configuration (`DIR/config.json`, or the study row of a store): which methods,
 * which seeds, the epoch budget B and the trial length E, and the plan of trials that follows from them.
 *
 * @remarks
 * Split out of study.ts (issue 13); study.ts re-exports everything here. See study.ts for what a run and a trial are.
 */
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { deriveSeed } from '../rng.js';
import { TUNE_DATASETS, TUNE_FLAGS, TUNE_MODELS, hyperSpaceFor, validateTuneConfig, type TuneConfig } from './factory.js';
import type { NnMethod } from '../nn/trainer.js';
import { BACKEND_NAMES, isBackendName, type BackendName } from '../nn/backend.js';
import { StateFileError, readJsonStateFile } from '../stateFiles.js';

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
  /** σ0, every hyperparameter's initial perturbation scale for the hypernetwork methods (default 1): `--sigma`. */
  sigma?: number;
  /** τ, the entropy weight of the hypernetwork methods' hyper objective (default 1e-3): `--tau`. */
  entropyWeight?: number;
  /**
   * Θ's learning rate for delta-stn and delta-stn-linearized (default `lrWeights`): `--lr-response`. The STN
   * methods step w0 and Θ together at `lrWeights` (src/nn/trainer.ts `lrResponse`), so they do not read it.
   */
  lrResponse?: number;
  /** T_train: train steps per cycle of the hypernetwork methods (default 5, the trainer's): `--train-steps`. */
  trainSteps?: number;
  /** T_val: hyper steps per cycle (default 1): `--val-steps`. */
  valSteps?: number;
  /**
   * Initial hyperparameter values by name (`--hparams`, as `tune`'s): naming weight_decay, label_smoothing or an
   * augmentation adds that hyperparameter to every method's space (search methods draw it too).
   */
  hparams?: Record<string, number>;
  dataDir?: string;
  backend: BackendName;
}

/** Every field of a {@link StudyConfig} (a saved config.json with another field is not a study's). */
export const STUDY_CONFIG_FIELDS = ['model', 'dataset', 'methods', 'seeds', 'budgetEpochs', 'trialEpochs', 'batchSize', 'trainSize', 'width', 'warmupEpochs', 'lrWeights', 'lrHyper', 'sigma', 'entropyWeight', 'lrResponse', 'trainSteps', 'valSteps', 'hparams', 'dataDir', 'backend'] as const;

/** The fields that decide what a trial computes: a study directory can only be resumed if they match. */
export const IDENTITY_FIELDS = ['model', 'dataset', 'budgetEpochs', 'trialEpochs', 'batchSize', 'trainSize', 'width', 'warmupEpochs', 'lrWeights', 'lrHyper', 'sigma', 'entropyWeight', 'lrResponse', 'trainSteps', 'valSteps', 'hparams'] as const;

/**
 * The identity fields (see {@link IDENTITY_FIELDS}) in which `old` and `config` differ; `hparams` compare by their
 * entries, in any order.
 */
export function identityDiff(old: StudyConfig, config: StudyConfig): (typeof IDENTITY_FIELDS)[number][] {
  const canonical = (v: unknown): unknown => (typeof v === 'object' && v !== null ? JSON.stringify(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
  return IDENTITY_FIELDS.filter((f) => canonical(old[f]) !== canonical(config[f]));
}

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
  for (const [v, name] of [
    [config.sigma, '--sigma'],
    [config.lrResponse, '--lr-response'],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))) throw new InvalidArgumentError(name, 'a finite number > 0', v);
  }
  if (config.trainSteps !== undefined) int(config.trainSteps, '--train-steps', 1);
  if (config.valSteps !== undefined) int(config.valSteps, '--val-steps', 1);
  const tau = config.entropyWeight;
  if (tau !== undefined && (typeof tau !== 'number' || !(tau >= 0) || !Number.isFinite(tau))) throw new InvalidArgumentError('--tau', 'a finite τ ≥ 0', tau);
  // The model's own refusals, as `tune` makes them (src/tune/factory.ts: the data set a model trains on, the
  // settings it has no use for, the hyperparameters it has), on the run configuration every trial is built from.
  const run = trialTuneConfig(config, 'delta-stn', config.seeds[0], config.budgetEpochs);
  validateTuneConfig(run, (field, expected, got) => {
    throw new InvalidArgumentError(field === 'the configuration' ? 'config' : TUNE_FLAGS[field], expected, typeof got === 'string' ? got : (JSON.stringify(got) ?? String(got)));
  });
  const space = hyperSpaceFor(run);
  // A search draws each hyperparameter uniformly in its range (src/tune/search.ts): an unbounded one (weight decay)
  // would fail in the first trial, after the study was written.
  const search = config.methods.filter(isSearchMethod);
  const unbounded = space.specs.filter((sp) => !sp.range.every(Number.isFinite)).map((sp) => sp.name);
  if (search.length > 0 && unbounded.length > 0) throw new InvalidArgumentError('--hparams', `hyperparameters with a finite range when --methods has ${search.join(', ')} (a search draws each uniformly in its range; ${unbounded.join(', ')} is unbounded)`, unbounded.join(','));
}

/**
 * The run configuration (src/tune/factory.ts {@link TuneConfig}) of one run or trial of the study: network method
 * `method` (a search trial's is `fixed`), seed `runSeed` (the model's and the trainer's), `epochs` epochs; model,
 * data set, sizes, learning rates, σ0, τ and `--hparams` from `config`. Θ's rate `lrResponse` is kept for the
 * methods that step Θ on its own (delta-stn, delta-stn-linearized) only. The data split is the study seed's, not
 * `runSeed`'s (module remarks of study.ts): the caller loads it.
 */
export function trialTuneConfig(config: StudyConfig, method: NnMethod, runSeed: number, epochs: number): TuneConfig {
  return {
    model: config.model,
    dataset: config.dataset,
    method,
    epochs,
    seed: runSeed,
    batchSize: config.batchSize,
    trainSize: config.trainSize,
    width: config.width,
    warmupEpochs: config.warmupEpochs,
    lrWeights: config.lrWeights,
    lrHyper: config.lrHyper,
    hparams: config.hparams ?? {},
    backend: config.backend,
    ...(config.sigma === undefined ? {} : { sigma: config.sigma }),
    ...(config.entropyWeight === undefined ? {} : { entropyWeight: config.entropyWeight }),
    ...(config.lrResponse !== undefined && (method === 'delta-stn' || method === 'delta-stn-linearized') ? { lrResponse: config.lrResponse } : {}),
    ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
  };
}

/** The seed of run/trial `trial` of `method` under the study seed (src/rng.ts: the library's one seed derivation). */
export { deriveSeed };

/**
 * The model's and the trainer's seed of run/trial `trial` of `method` under the study seed `seed`. Paired
 * comparison (issue 17): every hypernetwork method of a seed starts from the same initial weights and sees the same
 * batch order and draws, `deriveSeed(seed, 'hypernetwork', 0)`, so that their differences are the methods'; search
 * trial i has its own, `deriveSeed(seed, method, i)`.
 */
export function runSeedOf(method: StudyMethod, seed: number, trial: number): number {
  return isSearchMethod(method) ? deriveSeed(seed, method, trial) : deriveSeed(seed, 'hypernetwork', 0);
}

/** The planned runs of one method and seed: trial index and its epochs (one run of B for a hypernetwork method). */
export function planTrials(config: Pick<StudyConfig, 'budgetEpochs' | 'trialEpochs'>, method: StudyMethod): { trial: number; epochs: number }[] {
  if (!isSearchMethod(method)) return [{ trial: 0, epochs: config.budgetEpochs }];
  const n = Math.ceil(config.budgetEpochs / config.trialEpochs);
  return Array.from({ length: n }, (_, i) => ({ trial: i, epochs: Math.min(config.trialEpochs, config.budgetEpochs - i * config.trialEpochs) }));
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

