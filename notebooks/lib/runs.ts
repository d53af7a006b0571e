/**
 * Reads the JSON outputs of `deltastn tune` and `deltastn compare` into flat rows for plotting.
 *
 * @remarks
 * Recognised files, by content (not by name):
 * - a tune run's `log.jsonl`: one `EpochLog` per line (`epoch`, `method`, `train`, `val`, `hyper`, …);
 * - a tune run's `summary.json`: `{config, backend, epochs, final}`;
 * - a compare study's `trials.jsonl`: one `{format: "deltastn.trial", …}` record per line;
 * - a compare study's `summary.json`: `{format: "deltastn.study-summary", methods: […]}`;
 * - a compare study's `config.json` (its `StudyConfig`: model, dataset, methods, seeds, budget and trial epochs);
 * - a search study's `runs.jsonl` (`deltastn search`): one `ArchRecord` per line, `kind` `"search"` (a gradient
 *   search run with its per-epoch softmax weights, and the retraining of its genotype) or `"random"` (one random
 *   architecture, retrained);
 * - a search study's `config.json` (its `ArchSearchConfig`), or its `summary.json` (`{config, backend, methods}`),
 *   for the configuration: optional, matched to the `runs.jsonl` of the same directory.
 * Search records are summarized by the library's own `summarizeArchSearch` and `archSearchTableRows`
 * (src/tune/archSummary.ts), so the page's table has the cells of the study's `table.md`.
 * Anything else, and any line that does not parse, is reported in `warnings` and skipped. Pure functions, no
 * DOM: the browser test reads the bundled sample with them too.
 */

import {
  ARCH_GRADIENT_METHODS,
  ARCH_METHODS,
  archSearchTableRows,
  formatAccuracy,
  randomTrials,
  summarizeArchSearch,
  type ArchMethod,
  type ArchMethodSummary,
  type ArchRecord,
  type ArchSummaryConfig,
} from '../../src/tune/archSummary.js';

/** A file's name (its path inside a picked directory, when there is one) and its text. */
export interface RunFile {
  name: string;
  text: string;
}

/** One epoch of one run. */
export interface EpochRow {
  run: string;
  method: string;
  /** Epoch number on the run's x axis (1-based; for study trials, the cumulative training epochs). */
  epoch: number;
  trainLoss: number;
  valLoss: number;
  testLoss: number | null;
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number | null;
}

/** One hyperparameter at the end of one epoch: its value T(λ) and perturbation scale σ. */
export interface HyperRow {
  run: string;
  epoch: number;
  name: string;
  value: number;
  scale: number;
}

/** Per-run information from a tune `summary.json`. */
export interface RunInfo {
  run: string;
  method: string;
  model?: string;
  dataset?: string;
  backend?: string;
  epochs: number;
  finalValLoss: number | null;
  finalTestAccuracy: number | null;
}

/** A compare study's method row, as far as the notebook uses it. */
export interface StudyMethodRow {
  method: string;
  kind: string;
  bestValMean: number;
  bestValStd: number | null;
  testAccuracyMean: number;
  testAccuracyStd: number | null;
  testAccuracyValues: number[];
  epochsMean: number;
  wallSecondsMean: number;
  complete: boolean;
}

/** A compare study's `config.json`, as far as the notebook shows it. */
export interface StudyConfigInfo {
  /** The directory of the file ("" for a bare name). */
  dir: string;
  model: string;
  dataset: string;
  methods: string[];
  seeds: number[];
  budgetEpochs: number;
  trialEpochs: number;
  backend?: string;
}

/** One operation's softmax weight on one edge at the end of one search epoch (epoch 0: α = 0, the uniform mixture). */
export interface WeightRow {
  method: string;
  seed: number;
  edge: string;
  op: string;
  epoch: number;
  weight: number;
}

/** The one-shot model of a search run at the end of one search epoch (1-based). */
export interface OneShotRow {
  method: string;
  seed: number;
  epoch: number;
  trainLoss: number;
  valLoss: number;
  trainAccuracy: number;
  valAccuracy: number;
}

/** A search study: the records of one directory's `runs.jsonl`, and what the library makes of them. */
export interface SearchStudy {
  /** The directory of its `runs.jsonl` (the file name when it has none). */
  name: string;
  /** From `config.json` (or the study's `summary.json`), else inferred from the records (see {@link inferSearchConfig}). */
  config: ArchSummaryConfig;
  configFrom: 'file' | 'records';
  /** `randomTrials(config)`: the random trials per seed the summary reads (the first n). */
  randomTrials: number;
  records: ArchRecord[];
  /** `summarizeArchSearch(config, records)`. */
  summary: ArchMethodSummary[];
  /**
   * `archSearchTableRows(config, summary)`: the cells of table.md (plain text; a cell of several seeds has one line
   * per seed), the wall time with {@link formatWallSeconds}.
   */
  table: { header: string[]; rows: string[][]; notes: string[] };
  /** Per method of the summary: its mean test accuracy as the table prints it (`formatAccuracy`). */
  testAccuracy: Record<string, string>;
  weights: WeightRow[];
  oneShot: OneShotRow[];
  /** The gradient methods with search epochs, in table order, and the edges of their cell. */
  searchMethods: string[];
  edges: string[];
}

/** Everything read from a set of files. */
export interface LoadedRuns {
  epochs: EpochRow[];
  hypers: HyperRow[];
  runs: RunInfo[];
  /** The compare study's summary, one row per method; null when no study summary was given. */
  study: StudyMethodRow[] | null;
  /** Compare studies' `config.json` files, in the order read. */
  studyConfigs: StudyConfigInfo[];
  /** Search studies, one per directory holding a search `runs.jsonl`, in the order first seen. */
  searches: SearchStudy[];
  warnings: string[];
}

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const evaluation = (x: unknown): { loss: number; accuracy: number } | null => {
  if (!isObject(x)) return null;
  const loss = num(x.loss);
  const accuracy = num(x.accuracy);
  return loss === null || accuracy === null ? null : { loss, accuracy };
};

/** The directory part of a path ("" for a bare name). */
function dirname(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

function epochLine(x: Json): boolean {
  return typeof x.epoch === 'number' && isObject(x.train) && isObject(x.val) && isObject(x.hyper);
}

function pushEpoch(out: LoadedRuns, run: string, method: string, epoch: number, x: Json): void {
  const train = evaluation(x.train);
  const val = evaluation(x.val);
  if (!train || !val) {
    out.warnings.push(`${run}: epoch ${epoch} has no train/val loss and accuracy`);
    return;
  }
  const test = evaluation(x.test);
  out.epochs.push({ run, method, epoch, trainLoss: train.loss, valLoss: val.loss, testLoss: test?.loss ?? null, trainAccuracy: train.accuracy, valAccuracy: val.accuracy, testAccuracy: test?.accuracy ?? null });
  const hyper = isObject(x.hyper) ? x.hyper : {};
  for (const [name, h] of Object.entries(hyper)) {
    if (!isObject(h)) continue;
    const value = num(h.value);
    const scale = num(h.scale);
    if (value !== null) out.hypers.push({ run, epoch, name, value, scale: scale ?? NaN });
  }
}

function stat(x: unknown): { mean: number; std: number | null; values: number[] } {
  if (!isObject(x)) return { mean: NaN, std: null, values: [] };
  const values = Array.isArray(x.values) ? x.values.filter((v): v is number => typeof v === 'number') : [];
  return { mean: num(x.mean) ?? NaN, std: num(x.std), values };
}

function readStudySummary(x: Json): StudyMethodRow[] {
  const methods = Array.isArray(x.methods) ? x.methods.filter(isObject) : [];
  return methods.map((m) => {
    const bestVal = stat(m.bestVal);
    const acc = stat(m.testAccuracy);
    return {
      method: String(m.method),
      kind: String(m.kind ?? ''),
      bestValMean: bestVal.mean,
      bestValStd: bestVal.std,
      testAccuracyMean: acc.mean,
      testAccuracyStd: acc.std,
      testAccuracyValues: acc.values,
      epochsMean: stat(m.epochs).mean,
      wallSecondsMean: stat(m.wallSeconds).mean,
      complete: m.complete === true,
    };
  });
}

const isEvaluation = (x: unknown): boolean => evaluation(x) !== null;

/** Whether a parsed line is an `ArchRecord` of `deltastn search` (as far as the summary and the plots read it). */
export function isArchRecord(x: unknown): x is ArchRecord {
  if (!isObject(x) || typeof x.seed !== 'number' || !isObject(x.retrain)) return false;
  const r = x.retrain;
  if (typeof r.text !== 'string' || typeof r.epochs !== 'number' || typeof r.seconds !== 'number' || !isEvaluation(r.val) || !isEvaluation(r.test)) return false;
  if (x.kind === 'random') return x.method === 'random' && typeof x.trial === 'number';
  return (
    x.kind === 'search' &&
    (ARCH_GRADIENT_METHODS as readonly unknown[]).includes(x.method) &&
    typeof x.searchSeconds === 'number' &&
    Array.isArray(x.searchEpochs) &&
    x.searchEpochs.every((p) => isObject(p) && typeof p.epoch === 'number' && isEvaluation(p.train) && isEvaluation(p.val) && isObject(p.weights))
  );
}

const SPACES = ['mlp-cell', 'cnn-cell'] as const;

/** A compare study's configuration from a `config.json` object; null if it is not one. */
function readStudyConfig(dir: string, x: Json): StudyConfigInfo | null {
  if (typeof x.model !== 'string' || typeof x.dataset !== 'string' || !Array.isArray(x.methods) || !Array.isArray(x.seeds)) return null;
  if (!Number.isInteger(x.budgetEpochs) || !Number.isInteger(x.trialEpochs)) return null;
  return {
    dir,
    model: x.model,
    dataset: x.dataset,
    methods: x.methods.map(String),
    seeds: x.seeds.filter((v): v is number => Number.isInteger(v)),
    budgetEpochs: x.budgetEpochs as number,
    trialEpochs: x.trialEpochs as number,
    ...(typeof x.backend === 'string' ? { backend: x.backend } : {}),
  };
}

/**
 * Wall seconds as the page prints them: two significant digits below 10 s, whole seconds above. The library's
 * `archSearchTableRows` prints whole seconds (`toFixed(0)`), which reads "0" for a study of sub-second runs such
 * as the bundled sample; the page replaces that one column with this.
 */
export function formatWallSeconds(seconds: number): string {
  return seconds < 10 ? seconds.toPrecision(2) : seconds.toFixed(0);
}

/** The wall-time column of a search table ("wall (s) / seed"), rewritten with {@link formatWallSeconds}. */
export function withWallSeconds(table: { header: string[]; rows: string[][]; notes: string[] }, summary: readonly ArchMethodSummary[]): { header: string[]; rows: string[][]; notes: string[] } {
  const j = table.header.indexOf('wall (s) / seed');
  if (j < 0) return table;
  return { ...table, rows: table.rows.map((r, i) => r.map((cell, k) => (k === j ? formatWallSeconds(summary[i].seconds) : cell))) };
}

/** A search configuration from a `config.json` object (or a search `summary.json`'s `config`); null if it is not one. */
function readSearchConfig(x: Json): ArchSummaryConfig | null {
  const space = SPACES.find((k) => k === x.space);
  const ints = ['searchEpochs', 'retrainEpochs', 'nodes', 'width', 'trainSize'].map((k) => x[k]);
  if (!space || !ints.every((v) => Number.isInteger(v)) || !Array.isArray(x.methods) || !Array.isArray(x.seeds)) return null;
  const methods = x.methods.filter((m): m is ArchMethod => (ARCH_METHODS as readonly unknown[]).includes(m));
  const seeds = x.seeds.filter((v): v is number => Number.isInteger(v));
  const [searchEpochs, retrainEpochs, nodes, width, trainSize] = ints as number[];
  return { space, dataset: String(x.dataset ?? '?'), methods, seeds, searchEpochs, retrainEpochs, nodes, width, trainSize };
}

/**
 * A configuration read off the records when no `config.json` came with them: the methods present (in table
 * order), their seeds, the space and node count of the genotypes, S = the longest search run, E = the longest
 * retraining, and — with no search run — S = (n − 1)·E for the n random trials per seed, so that
 * {@link randomTrials} gives n back. The dataset and width are not in the records (`"?"`, NaN).
 */
export function inferSearchConfig(records: readonly ArchRecord[]): ArchSummaryConfig {
  const methods = ARCH_METHODS.filter((m) => records.some((r) => r.method === m));
  const seeds = [...new Set(records.map((r) => r.seed))].sort((a, b) => a - b);
  const g = records[0]?.retrain.genotype;
  const retrainEpochs = Math.max(1, ...records.map((r) => r.retrain.epochs));
  const searches = records.flatMap((r) => (r.kind === 'search' ? [r.searchEpochs.length] : []));
  const trials = Math.max(1, ...records.map((r) => (r.kind === 'random' ? r.trial + 1 : 0)));
  const searchEpochs = searches.length > 0 ? Math.max(...searches) : (trials - 1) * retrainEpochs;
  return { space: g?.kind ?? 'mlp-cell', dataset: '?', methods, seeds, searchEpochs, retrainEpochs, nodes: g?.nodes ?? NaN, width: NaN, trainSize: 0 };
}

/** A search study from its records and, when one came with them, its configuration. */
export function searchStudy(name: string, records: readonly ArchRecord[], fileConfig: ArchSummaryConfig | null): SearchStudy {
  const config = fileConfig ?? inferSearchConfig(records);
  const summary = summarizeArchSearch(config, records);
  const weights: WeightRow[] = [];
  const oneShot: OneShotRow[] = [];
  const edges = new Set<string>();
  for (const r of records) {
    if (r.kind !== 'search' || r.searchEpochs.length === 0) continue;
    const first = r.searchEpochs[0].weights;
    for (const [edge, w] of Object.entries(first)) {
      edges.add(edge);
      // α starts at 0: the uniform mixture, as in the study's own weight plots (archWeightPlots).
      for (const op of Object.keys(w)) weights.push({ method: r.method, seed: r.seed, edge, op, epoch: 0, weight: 1 / Object.keys(w).length });
    }
    for (const p of r.searchEpochs) {
      for (const [edge, w] of Object.entries(p.weights)) for (const [op, weight] of Object.entries(w)) weights.push({ method: r.method, seed: r.seed, edge, op, epoch: p.epoch + 1, weight });
      oneShot.push({ method: r.method, seed: r.seed, epoch: p.epoch + 1, trainLoss: p.train.loss, valLoss: p.val.loss, trainAccuracy: p.train.accuracy, valAccuracy: p.val.accuracy });
    }
  }
  return {
    name,
    config,
    configFrom: fileConfig ? 'file' : 'records',
    randomTrials: randomTrials(config),
    records: [...records],
    summary,
    table: withWallSeconds(archSearchTableRows(config, summary), summary),
    testAccuracy: Object.fromEntries(summary.map((m) => [m.method, formatAccuracy(m.test)])),
    weights,
    oneShot,
    searchMethods: ARCH_GRADIENT_METHODS.filter((m) => records.some((r) => r.kind === 'search' && r.method === m && r.searchEpochs.length > 0)),
    edges: [...edges],
  };
}

/**
 * Parses `files` (see the module remarks). A tune run is named by its directory (or its file name when it has
 * none) and its method; a study trial by method, seed and trial.
 */
export function parseRunFiles(files: readonly RunFile[]): LoadedRuns {
  const out: LoadedRuns = { epochs: [], hypers: [], runs: [], study: null, studyConfigs: [], searches: [], warnings: [] };
  const summaries: { dir: string; x: Json }[] = [];
  // Search studies by directory: their records, and a configuration (config.json wins over a summary.json's).
  const searchRecords = new Map<string, { name: string; records: ArchRecord[] }>();
  const searchConfigs = new Map<string, { config: ArchSummaryConfig; fromConfigJson: boolean }>();
  for (const file of files) {
    const text = file.text.trim();
    if (text.length === 0) {
      out.warnings.push(`${file.name}: empty`);
      continue;
    }
    let whole: unknown;
    try {
      whole = JSON.parse(text);
    } catch {
      whole = undefined;
    }
    if (isObject(whole)) {
      if (whole.format === 'deltastn.study-summary') out.study = [...(out.study ?? []), ...readStudySummary(whole)];
      else if (isObject(whole.config) && 'final' in whole) summaries.push({ dir: dirname(file.name), x: whole });
      else if (readSearchConfig(whole) || (isObject(whole.config) && readSearchConfig(whole.config) && Array.isArray(whole.methods))) {
        const fromConfigJson = readSearchConfig(whole) !== null;
        const config = (readSearchConfig(whole) ?? readSearchConfig(whole.config as Json)) as ArchSummaryConfig;
        const dir = dirname(file.name);
        if (fromConfigJson || !searchConfigs.get(dir)?.fromConfigJson) searchConfigs.set(dir, { config, fromConfigJson });
      } else {
        const studyConfig = readStudyConfig(dirname(file.name), whole);
        if (studyConfig) out.studyConfigs.push(studyConfig);
        else out.warnings.push(`${file.name}: not a tune, compare or search output (a JSON object without the expected fields)`);
      }
      continue;
    }
    // JSON lines: a tune log or a study's trials.
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim().length === 0) continue;
      let x: unknown;
      try {
        x = JSON.parse(line);
      } catch {
        bad++;
        continue;
      }
      if (!isObject(x)) {
        bad++;
        continue;
      }
      if (isArchRecord(x)) {
        const dir = dirname(file.name);
        const study = searchRecords.get(dir) ?? { name: dir || file.name, records: [] };
        study.records.push(x);
        searchRecords.set(dir, study);
      } else if (x.format === 'deltastn.trial' && Array.isArray(x.epochs)) {
        const method = String(x.method);
        const run = `${method} · seed ${String(x.seed)}${typeof x.trial === 'number' && x.trial > 0 ? ` · trial ${x.trial}` : ''}`;
        for (const p of x.epochs.filter(isObject)) pushEpoch(out, run, method, num(p.cumEpochs) ?? (num(p.epoch) ?? 0) + 1, p);
      } else if (epochLine(x)) {
        const method = String(x.method ?? '?');
        const dir = dirname(file.name);
        const run = dir ? `${dir} (${method})` : `${file.name} (${method})`;
        pushEpoch(out, run, method, (x.epoch as number) + 1, x);
      } else bad++;
    }
    if (bad > 0) out.warnings.push(`${file.name}: ${bad} line${bad === 1 ? '' : 's'} not recognised, skipped`);
  }
  for (const [dir, { name, records }] of searchRecords) out.searches.push(searchStudy(name, records, searchConfigs.get(dir)?.config ?? null));
  for (const dir of searchConfigs.keys()) if (!searchRecords.has(dir)) out.warnings.push(`${dir || 'a search configuration'}: a search configuration without its runs.jsonl, skipped`);
  for (const { dir, x } of summaries) {
    const config = x.config as Json;
    const final = isObject(x.final) ? x.final : null;
    const method = String(config.method ?? '?');
    out.runs.push({
      run: dir ? `${dir} (${method})` : method,
      method,
      model: typeof config.model === 'string' ? config.model : undefined,
      dataset: typeof config.dataset === 'string' ? config.dataset : undefined,
      backend: typeof x.backend === 'string' ? x.backend : undefined,
      epochs: num(x.epochs) ?? 0,
      finalValLoss: final ? (evaluation(final.val)?.loss ?? null) : null,
      finalTestAccuracy: final ? (evaluation(final.test)?.accuracy ?? null) : null,
    });
  }
  return out;
}
