/**
 * The browser-safe half of the architecture-search study (src/tune/archSearch.ts): the record format of
 * `DIR/runs.jsonl`, the methods, the softmax weights of an edge, the random baseline's trial count, and the
 * summary and results table built from the records. Nothing here reads or writes files, so the notebooks
 * (notebooks/runs.html) summarize a picked `runs.jsonl` with the same functions as `deltastn search`;
 * archSearch.ts (Node only: the runner) re-exports all of it.
 */
import { softmax } from '../nas/problem.js';
import { spaceOps, type CellSpaceKind, type Genotype } from '../nas/space.js';
import type { Evaluation } from '../nn/trainer.js';

/** Gradient-based search methods (one trainer run on the one-shot model). */
export const ARCH_GRADIENT_METHODS = ['darts1', 'darts2', 'delta-stn', 'delta-stn-linearized', 'stn'] as const;
/** Every method of an architecture search, in table order. */
export const ARCH_METHODS = [...ARCH_GRADIENT_METHODS, 'random'] as const;
export type ArchMethod = (typeof ARCH_METHODS)[number];

/**
 * The part of a study's configuration (`ArchSearchConfig`, saved in DIR/config.json) that the summary and the
 * table read; a full `ArchSearchConfig` is one.
 */
export interface ArchSummaryConfig {
  space: CellSpaceKind;
  dataset: string;
  methods: readonly ArchMethod[];
  seeds: readonly number[];
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
}

/** The number of random architectures that spends the budget of one search run plus its retraining. */
export function randomTrials(config: Pick<ArchSummaryConfig, 'searchEpochs' | 'retrainEpochs'>): number {
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
export function summarizeArchSearch(config: ArchSummaryConfig, records: readonly ArchRecord[]): ArchMethodSummary[] {
  const out: ArchMethodSummary[] = [];
  const n = randomTrials(config);
  for (const method of config.methods) {
    const seeds: ArchMethodSummary['seeds'] = [];
    for (const seed of config.seeds) {
      if (method === 'random') {
        const trials = records.filter((r) => r.kind === 'random' && r.seed === seed && r.trial < n);
        if (trials.length < n) continue;
        // In trial order, so a tie in validation accuracy goes to the earlier trial whatever the file's line
        // order (workers append records as they finish).
        const best = [...trials].sort((a, b) => (a.kind === 'random' && b.kind === 'random' ? a.trial - b.trial : 0)).reduce((a, b) => (b.retrain.val.accuracy > a.retrain.val.accuracy ? b : a));
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

/** An accuracy in % as the table prints it: mean, and ± the sample standard deviation over seeds when there are several. */
export function formatAccuracy(s: MeanStd): string {
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
 * for each seed, one per line). Shared by the Markdown table ({@link archSearchTable}), the HTML report and
 * the runs notebook.
 */
export function archSearchTableRows(config: ArchSummaryConfig, summary: readonly ArchMethodSummary[], markup: TableMarkup = PLAIN_MARKUP): { header: string[]; rows: string[][]; notes: string[] } {
  const header = ['method', 'test acc (%)', 'val acc (%)', 'training epochs / seed', 'wall (s) / seed', 'architectures found (per seed)'];
  const rows = summary.map((m) => [m.method, formatAccuracy(m.test), formatAccuracy(m.val), String(m.epochs), m.seconds.toFixed(0), markup.lines(m.seeds.map((s) => markup.code(s.genotype)))]);
  const notes = [
    `Space ${markup.code(config.space)} (${config.nodes} nodes, width ${config.width}) on ${config.dataset}${config.trainSize > 0 ? ` (first ${config.trainSize} training examples)` : ''}; seeds ${config.seeds.join(', ')}. ` +
      `Search: ${config.searchEpochs} epochs on the one-shot model, then the discretized cell is retrained from scratch for ${config.retrainEpochs} epochs; ` +
      `random: ${randomTrials(config)} uniform architectures retrained for ${config.retrainEpochs} epochs each, the best by validation accuracy reported. ` +
      'Mean ± sample standard deviation over seeds; an epoch of the one-shot model costs more than a retraining epoch (see wall time).',
  ];
  return { header, rows, notes };
}

/** The Markdown table of a summary, with its reading notes (the cells of {@link archSearchTableRows}). */
export function archSearchTable(config: ArchSummaryConfig, summary: readonly ArchMethodSummary[]): string {
  const { header, rows, notes } = archSearchTableRows(config, summary, MARKDOWN_MARKUP);
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  return lines.concat(['', ...notes]).join('\n');
}

const isNum = (x: unknown): x is number => typeof x === 'number';
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isEval = (x: unknown): boolean => isObj(x) && isNum(x.loss) && isNum(x.accuracy);

/**
 * Whether a parsed `runs.jsonl` line is an {@link ArchRecord}: a search run or a random trial with the fields
 * the summary, the table, the plots and the report read, each of its type. `null`, `{}`, `42`, a line of
 * another study or an edited line are not.
 */
export function isArchRecord(x: unknown): x is ArchRecord {
  if (!isObj(x)) return false;
  if (!(ARCH_METHODS as readonly unknown[]).includes(x.method) || !Number.isSafeInteger(x.seed) || (x.seed as number) < 0 || typeof x.backend !== 'string') return false;
  const rt = x.retrain;
  if (!isObj(rt) || typeof rt.text !== 'string' || !isObj(rt.genotype) || !isEval(rt.train) || !isEval(rt.val) || !isEval(rt.test) || !isNum(rt.seconds) || !isNum(rt.epochs)) return false;
  if (rt.stopped !== undefined && typeof rt.stopped !== 'string') return false;
  if (x.kind === 'random') return x.method === 'random' && Number.isSafeInteger(x.trial) && (x.trial as number) >= 0;
  if (x.kind !== 'search' || x.method === 'random') return false;
  if (!isNum(x.searchSeconds) || !Array.isArray(x.alpha) || !x.alpha.every(isNum) || (x.stopped !== undefined && typeof x.stopped !== 'string')) return false;
  if (!Array.isArray(x.searchEpochs) || !x.searchEpochs.every((e) => isObj(e) && isNum(e.epoch) && isEval(e.train) && isEval(e.val) && isNum(e.seconds) && isObj(e.weights) && Object.values(e.weights).every((w) => isObj(w) && Object.values(w).every(isNum)))) return false;
  // Every epoch has the same edges and operations (the plots read weights[edge][op] of every epoch).
  const shape = (w: unknown): string =>
    Object.entries(w as Record<string, Record<string, number>>)
      .map(([edge, ops]) => `${edge}:${Object.keys(ops).join(',')}`)
      .join(' ');
  const first = x.searchEpochs.length > 0 ? shape((x.searchEpochs[0] as { weights: unknown }).weights) : '';
  return x.searchEpochs.every((e) => shape((e as { weights: unknown }).weights) === first);
}
