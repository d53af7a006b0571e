/**
 * Architecture search on real data (issue 7; Node only): for each method in {DARTS first order, DARTS second
 * order, Δ-STN (plain or linearized), STN, random} and each seed, search a DARTS cell space
 * (src/nn/cells.ts) on a training/validation split, discretize, retrain the discrete architecture from scratch
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
 * **Persistence.** Each finished search run and each random trial is appended to `DIR/runs.jsonl` the moment
 * it finishes; {@link runArchSearch} skips what the file holds, so a rerun with the same arguments resumes.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import { loadData } from '../cli/tune.js';
import { initBackend, type BackendName } from '../nn/backend.js';
import { CELL_SPACES, cellSearchSpace, deriveGenotype, genotypeNetwork, genotypeText, randomGenotype, spaceOps, type CellSpaceKind, type Genotype } from '../nn/cells.js';
import { softmax } from '../bilevel/nas.js';
import { Trainer, type Evaluation, type NnMethod } from '../nn/trainer.js';
import { lineChart, SERIES_COLORS, type SeriesSpec } from '../report/plot.js';
import { deriveSeed } from './study.js';

/** Gradient-based search methods (one trainer run on the one-shot model). */
export const ARCH_GRADIENT_METHODS = ['darts1', 'darts2', 'delta-stn', 'delta-stn-linearized', 'stn'] as const;
/** Every method of an architecture search, in table order. */
export const ARCH_METHODS = [...ARCH_GRADIENT_METHODS, 'random'] as const;
export type ArchMethod = (typeof ARCH_METHODS)[number];

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

/** Checks a configuration, naming the field at fault. */
export function validateArchSearchConfig(c: ArchSearchConfig): void {
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

/** The number of random architectures that spends the budget of one search run plus its retraining. */
export function randomTrials(config: Pick<ArchSearchConfig, 'searchEpochs' | 'retrainEpochs'>): number {
  return Math.max(1, Math.round((config.searchEpochs + config.retrainEpochs) / config.retrainEpochs));
}

/** The softmax weights of every edge, by edge then operation: `{ e01: { 'dense-relu': 0.3, … }, … }`. */
export function edgeSoftmax(kind: CellSpaceKind, names: readonly string[], lambda: readonly number[]): Record<string, Record<string, number>> {
  const ops = spaceOps(kind);
  const out: Record<string, Record<string, number>> = {};
  for (const name of new Set(names.map((n) => n.split('/')[0]))) {
    const idx = ops.map((op) => names.indexOf(`${name}/${op}`));
    const w = softmax(idx.map((k) => lambda[k]));
    out[name] = Object.fromEntries(ops.map((op, j) => [op, w[j]]));
  }
  return out;
}

/** One epoch of a search run: accuracies of the one-shot model and the edges' softmax weights. */
export interface SearchEpoch {
  epoch: number;
  train: Evaluation;
  val: Evaluation;
  weights: Record<string, Record<string, number>>;
  seconds: number;
}

/** A retraining of one genotype: the final epoch's sets. */
export interface RetrainResult {
  genotype: Genotype;
  text: string;
  epochs: number;
  train: Evaluation;
  val: Evaluation;
  test: Evaluation;
  seconds: number;
  stopped?: string;
}

/** One line of runs.jsonl: a search run with its retraining, or one random trial. */
export type ArchRecord =
  | { kind: 'search'; method: Exclude<ArchMethod, 'random'>; seed: number; searchEpochs: SearchEpoch[]; alpha: number[]; searchSeconds: number; stopped?: string; retrain: RetrainResult; backend: string }
  | { kind: 'random'; method: 'random'; seed: number; trial: number; retrain: RetrainResult; backend: string };

function trainerOptions(config: ArchSearchConfig, seed: number): { batchSize: number; lrWeights: number; seed: number } {
  return { batchSize: config.batchSize, lrWeights: config.lrWeights, seed };
}

/** Retrains a genotype from scratch with the `fixed` method (see the module remarks on fair retraining). */
export function retrain(config: ArchSearchConfig, genotype: Genotype, seed: number): RetrainResult {
  const data = loadData({ dataset: config.dataset, seed, trainSize: config.trainSize, dataDir: config.dataDir });
  if (!data.test) throw new InvalidArgumentError('dataset', 'a dataset with a test split', config.dataset);
  const { space, model } = genotypeNetwork(genotype, { rng: new Rng(deriveSeed(seed, 'retrain', 0)), width: config.width });
  const trainer = new Trainer(model, space, data, { method: 'fixed', epochs: config.retrainEpochs, ...trainerOptions(config, deriveSeed(seed, 'retrain-trainer', 0)) });
  const t0 = performance.now();
  let stopped: string | undefined;
  try {
    while (!trainer.done()) {
      const r = trainer.runEpoch();
      if ('stopped' in r) {
        stopped = r.stopped;
        break;
      }
    }
    const out: RetrainResult = {
      genotype,
      text: genotypeText(genotype),
      epochs: trainer.state.epoch,
      train: trainer.evaluate(data.train),
      val: trainer.evaluate(data.val),
      test: trainer.evaluate(data.test),
      seconds: (performance.now() - t0) / 1000,
    };
    return stopped ? { ...out, stopped } : out;
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** Runs one gradient-based search (S epochs), discretizes and retrains. */
export function searchRun(config: ArchSearchConfig, method: Exclude<ArchMethod, 'random'>, seed: number, backend: string, log?: (s: string) => void): ArchRecord {
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
    while (!trainer.done()) {
      const r = trainer.runEpoch();
      if ('stopped' in r) {
        stopped = r.stopped;
        break;
      }
      epochs.push({ epoch: r.epoch, train: r.train, val: r.val, weights: edgeSoftmax(config.space, space.names, trainer.state.lambda), seconds: r.seconds });
      log?.(`${method} seed ${seed} search epoch ${r.epoch + 1}/${config.searchEpochs}: one-shot val ${(100 * r.val.accuracy).toFixed(1)}%, ${genotypeText(deriveGenotype(config.space, config.nodes, space, trainer.state.lambda))} (${r.seconds.toFixed(1)} s)`);
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  const searchSeconds = (performance.now() - t0) / 1000;
  const alpha = [...trainer.state.lambda];
  const genotype = deriveGenotype(config.space, config.nodes, space, alpha);
  const result = retrain(config, genotype, seed);
  log?.(`${method} seed ${seed}: ${result.text} → retrained val ${(100 * result.val.accuracy).toFixed(2)}%, test ${(100 * result.test.accuracy).toFixed(2)}%`);
  const rec: ArchRecord = { kind: 'search', method, seed, searchEpochs: epochs, alpha, searchSeconds, retrain: result, backend };
  return stopped ? { ...rec, stopped } : rec;
}

/** Random trial i of a seed: a seeded uniform genotype, retrained. */
export function randomTrial(config: ArchSearchConfig, seed: number, trial: number, backend: string, log?: (s: string) => void): ArchRecord {
  const genotype = randomGenotype(config.space, config.nodes, new Rng(deriveSeed(seed, 'random', trial)));
  const result = retrain(config, genotype, seed);
  log?.(`random seed ${seed} trial ${trial + 1}/${randomTrials(config)}: ${result.text} → val ${(100 * result.val.accuracy).toFixed(2)}%, test ${(100 * result.test.accuracy).toFixed(2)}%`);
  return { kind: 'random', method: 'random', seed, trial, retrain: result, backend };
}

/** Reads DIR/runs.jsonl (a torn last line is ignored). */
export function readArchRecords(path: string): ArchRecord[] {
  if (!existsSync(path)) return [];
  const out: ArchRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim().length === 0) continue;
    try {
      out.push(JSON.parse(line) as ArchRecord);
    } catch {
      // a line cut by a kill mid-write: the run is redone
    }
  }
  return out;
}

/** Mean and sample standard deviation. */
export interface MeanStd {
  mean: number;
  std: number | null;
  n: number;
}

function meanStd(xs: number[]): MeanStd {
  const n = xs.length;
  const mean = n === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / n;
  return { mean, std: n < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)), n };
}

/** One method's outcome over seeds. */
export interface ArchMethodSummary {
  method: ArchMethod;
  /** Test accuracy of the reported architecture (the searched one; random: the best of n by validation). */
  test: MeanStd;
  val: MeanStd;
  /** Per seed: the reported genotype and its accuracies. */
  seeds: { seed: number; genotype: string; val: number; test: number; seconds: number }[];
  /** Training epochs per seed (search + retrain, or n·E). */
  epochs: number;
  /** Mean wall seconds per seed (search + retrain, or all trials). */
  seconds: number;
}

/** Summary over seeds; methods without a finished seed are left out. */
export function summarizeArchSearch(config: ArchSearchConfig, records: readonly ArchRecord[]): ArchMethodSummary[] {
  const out: ArchMethodSummary[] = [];
  const n = randomTrials(config);
  for (const method of config.methods) {
    const seeds: ArchMethodSummary['seeds'] = [];
    for (const seed of config.seeds) {
      if (method === 'random') {
        const trials = records.filter((r) => r.kind === 'random' && r.seed === seed && r.trial < n);
        if (trials.length < n) continue;
        const best = trials.reduce((a, b) => (b.retrain.val.accuracy > a.retrain.val.accuracy ? b : a));
        seeds.push({ seed, genotype: best.retrain.text, val: best.retrain.val.accuracy, test: best.retrain.test.accuracy, seconds: trials.reduce((a, t) => a + t.retrain.seconds, 0) });
      } else {
        const r = records.find((x) => x.kind === 'search' && x.method === method && x.seed === seed);
        if (!r || r.kind !== 'search') continue;
        seeds.push({ seed, genotype: r.retrain.text, val: r.retrain.val.accuracy, test: r.retrain.test.accuracy, seconds: r.searchSeconds + r.retrain.seconds });
      }
    }
    if (seeds.length === 0) continue;
    out.push({
      method,
      test: meanStd(seeds.map((s) => s.test)),
      val: meanStd(seeds.map((s) => s.val)),
      seeds,
      epochs: method === 'random' ? n * config.retrainEpochs : config.searchEpochs + config.retrainEpochs,
      seconds: seeds.reduce((a, s) => a + s.seconds, 0) / seeds.length,
    });
  }
  return out;
}

function pct(s: MeanStd): string {
  return `${(100 * s.mean).toFixed(2)}${s.std === null ? '' : ` ± ${(100 * s.std).toFixed(2)}`}`;
}

/** How {@link archSearchTableRows} marks its text up: code spans (a space, a genotype) and a cell of several lines. */
export interface TableMarkup {
  code: (s: string) => string;
  lines: (xs: readonly string[]) => string;
}

/** Plain text: no code marks, one line per item (`\n`; the HTML report renders it as a line break). */
export const PLAIN_MARKUP: TableMarkup = { code: (s) => s, lines: (xs) => xs.join('\n') };

/** Markdown (table.md): code spans in backticks, the lines of a cell joined by `<br>`. */
export const MARKDOWN_MARKUP: TableMarkup = { code: (s) => `\`${s}\``, lines: (xs) => xs.join('<br>') };

/**
 * The table of a summary as cells, with its reading notes: one row per method (test and validation accuracy
 * in % as mean ± sample standard deviation, training epochs and wall seconds per seed, and the genotype found
 * for each seed, one per line). Shared by the Markdown table ({@link archSearchTable}) and the HTML report.
 */
export function archSearchTableRows(config: ArchSearchConfig, summary: readonly ArchMethodSummary[], markup: TableMarkup = PLAIN_MARKUP): { header: string[]; rows: string[][]; notes: string[] } {
  const header = ['method', 'test acc (%)', 'val acc (%)', 'training epochs / seed', 'wall (s) / seed', 'architectures found (per seed)'];
  const rows = summary.map((m) => [m.method, pct(m.test), pct(m.val), String(m.epochs), m.seconds.toFixed(0), markup.lines(m.seeds.map((s) => markup.code(s.genotype)))]);
  const notes = [
    `Space ${markup.code(config.space)} (${config.nodes} nodes, width ${config.width}) on ${config.dataset}${config.trainSize > 0 ? ` (first ${config.trainSize} training examples)` : ''}; seeds ${config.seeds.join(', ')}. ` +
      `Search: ${config.searchEpochs} epochs on the one-shot model, then the discretized cell is retrained from scratch for ${config.retrainEpochs} epochs; ` +
      `random: ${randomTrials(config)} uniform architectures retrained for ${config.retrainEpochs} epochs each, the best by validation accuracy reported. ` +
      'Mean ± sample standard deviation over seeds; an epoch of the one-shot model costs more than a retraining epoch (see wall time).',
  ];
  return { header, rows, notes };
}

/** The Markdown table of a summary, with its reading notes (the cells of {@link archSearchTableRows}). */
export function archSearchTable(config: ArchSearchConfig, summary: readonly ArchMethodSummary[]): string {
  const { header, rows, notes } = archSearchTableRows(config, summary, MARKDOWN_MARKUP);
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  return lines.concat(['', ...notes]).join('\n');
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

/** Options of {@link runArchSearch}. */
export interface ArchSearchOptions {
  log?: (s: string) => void;
}

/** Runs (or resumes) a study in `dir`; writes runs.jsonl, summary.json, table.md and the weight plots. */
export async function runArchSearch(config: ArchSearchConfig, dir: string, options: ArchSearchOptions = {}): Promise<{ summary: ArchMethodSummary[]; table: string; ran: number; skipped: number; backend: string; seconds: number }> {
  validateArchSearchConfig(config);
  const t0 = performance.now();
  const info = await initBackend(config.backend);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'config.json');
  if (existsSync(configPath)) {
    const saved = JSON.stringify({ ...(JSON.parse(readFileSync(configPath, 'utf8')) as ArchSearchConfig), methods: [], seeds: [] });
    if (saved !== JSON.stringify({ ...config, methods: [], seeds: [] })) throw new InvalidArgumentError('--out', `a directory holding a study with the same settings (methods and seeds may grow); ${configPath} differs`, dir);
  }
  writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n');
  const path = join(dir, 'runs.jsonl');
  const records = readArchRecords(path);
  // FIX (tests): a torn last line (a kill mid-write) has no newline, so the next record was appended onto it
  // and lost as well. Rewrite the file without it, so that new records start on a line of their own.
  if (existsSync(path) && readFileSync(path, 'utf8') !== records.map((r) => JSON.stringify(r) + '\n').join('')) writeFileSync(path, records.map((r) => JSON.stringify(r) + '\n').join(''));
  let ran = 0;
  let skipped = 0;
  const emit = (r: ArchRecord): void => {
    appendFileSync(path, JSON.stringify(r) + '\n');
    records.push(r);
    ran++;
  };
  for (const seed of config.seeds) {
    for (const method of config.methods) {
      if (method === 'random') {
        for (let i = 0; i < randomTrials(config); i++) {
          if (records.some((r) => r.kind === 'random' && r.seed === seed && r.trial === i)) {
            skipped++;
            continue;
          }
          emit(randomTrial(config, seed, i, info.name, options.log));
        }
      } else if (records.some((r) => r.kind === 'search' && r.method === method && r.seed === seed)) skipped++;
      else emit(searchRun(config, method, seed, info.name, options.log));
    }
  }
  const summary = summarizeArchSearch(config, records);
  const table = archSearchTable(config, summary);
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ config, backend: info.name, methods: summary }, null, 2) + '\n');
  writeFileSync(join(dir, 'table.md'), table + '\n');
  for (const p of archWeightPlots(config, records)) writeFileSync(join(dir, p.name), p.svg);
  return { summary, table, ran, skipped, backend: info.name, seconds: (performance.now() - t0) / 1000 };
}
