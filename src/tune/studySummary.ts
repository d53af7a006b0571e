/**
 * The summary of a comparison study (mean ± sample standard deviation over seeds, per method) and its table.
 *
 * @remarks
 * Split out of study.ts (issue 13); study.ts re-exports everything here. Pure functions of the configuration and
 * the records.
 */
import { isSearchMethod, planTrials, type StudyConfig, type StudyMethod } from './studyConfig.js';
import type { EpochPoint, TrialRecord } from './studyRecords.js';

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

/**
 * The spread of one hyperparameter's final value over seeds: the sample {@link Stat} of `values` (one per seed that
 * has finished, in seed order) and their min and max.
 */
export interface Spread extends Stat {
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  return { ...stat(values), min: values.length ? Math.min(...values) : NaN, max: values.length ? Math.max(...values) : NaN };
}

/** One seed's outcome for one method. */
export interface SeedOutcome {
  seed: number;
  bestVal: number;
  /** Validation accuracy at the epoch of the best validation loss. */
  valAccuracy: number | null;
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
  /** Validation accuracy at each seed's best-validation epoch. */
  valAccuracy: Stat;
  testLoss: Stat;
  testAccuracy: Stat;
  epochs: Stat;
  wallSeconds: Stat;
  trainSeconds: Stat;
  /** Training seconds per seed divided by {@link StudySummary.plainEpochSeconds}; null without a search method. */
  plainEpochs: Stat | null;
  /** Mean over seeds of the final hyperparameters, by name. */
  hyper: Record<string, number>;
  /**
   * The spread of the final hyperparameters over seeds, by name: mean ± sample std and min–max of
   * {@link SeedOutcome.hyper} (the last T(λ) of a hypernetwork run; the best trial's value for a search).
   */
  hyperSpread: Record<string, Spread>;
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
export function recordsOf(records: readonly TrialRecord[], method: StudyMethod, seed: number): TrialRecord[] {
  return records.filter((r) => r.method === method && r.seed === seed).sort((a, b) => a.trial - b.trial);
}

export function seedOutcome(method: StudyMethod, seed: number, recs: TrialRecord[]): SeedOutcome | null {
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
    valAccuracy: best?.point.val.accuracy ?? null,
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
    const hyperSpread: Record<string, Spread> = {};
    for (const name of Object.keys(outcomes[0]?.hyper ?? {})) {
      hyper[name] = outcomes.reduce((a, o) => a + o.hyper[name], 0) / outcomes.length;
      hyperSpread[name] = spread(outcomes.map((o) => o.hyper[name]));
    }
    const finite = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return {
      method,
      kind: isSearchMethod(method) ? 'search' : 'hypernetwork',
      seeds: outcomes,
      bestVal: stat(finite(outcomes.map((o) => o.bestVal))),
      valAccuracy: stat(finite(outcomes.map((o) => o.valAccuracy))),
      testLoss: stat(finite(outcomes.map((o) => o.testLoss))),
      testAccuracy: stat(finite(outcomes.map((o) => o.testAccuracy))),
      epochs: stat(outcomes.map((o) => o.epochs)),
      wallSeconds: stat(outcomes.map((o) => o.wallSeconds)),
      trainSeconds: stat(outcomes.map((o) => o.trainSeconds)),
      plainEpochs: plainEpochSeconds ? stat(outcomes.map((o) => o.trainSeconds / plainEpochSeconds)) : null,
      hyper,
      hyperSpread,
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

const sig3 = (v: number): string => String(Number(v.toPrecision(3)));

/**
 * One hyperparameter's spread as the table prints it: `name=mean` for one seed, `name=mean ± std [min–max]` for
 * several, each to 3 significant digits.
 */
export function formatSpread(name: string, s: Spread): string {
  if (s.values.length === 0) return `${name}=—`;
  return s.std === null ? `${name}=${sig3(s.mean)}` : `${name}=${sig3(s.mean)} ± ${sig3(s.std)} [${sig3(s.min)}–${sig3(s.max)}]`;
}

/** The columns of the study table ({@link studyTable}), in order. */
export const STUDY_TABLE_HEADER: readonly string[] = ['method', 'seeds', 'best val loss', 'val acc (%)', 'test loss', 'test acc (%)', 'epochs', '≈ plain epochs', 'wall (s)', 'final hyperparameters (mean ± std [min–max] over seeds)'];

/** The study table: header, rows (one per method) and the notes that say how to read it. */
export function studyTable(summary: StudySummary): { header: string[]; rows: string[][]; notes: string[] } {
  const header = [...STUDY_TABLE_HEADER];
  const rows = summary.methods.map((m) => [
    m.method + (m.complete ? '' : ' (incomplete)'),
    String(m.seeds.length),
    fmt(m.bestVal, 4),
    fmt(m.valAccuracy, 1, 100),
    fmt(m.testLoss, 4),
    fmt(m.testAccuracy, 1, 100),
    fmt(m.epochs, 0),
    m.plainEpochs ? fmt(m.plainEpochs, 1) : '—',
    fmt(m.wallSeconds, 1),
    Object.entries(m.hyperSpread)
      .map(([k, v]) => formatSpread(k, v))
      .join(' '),
  ]);
  const n = summary.config.seeds.length;
  const notes = [
    `mean ± sample std over ${n} seed${n === 1 ? '' : 's'} (${summary.config.seeds.join(', ')}); each seed has its own data split, shared by every method.`,
    'seeds: the seeds with a finished run or trial of this method (the mean ± std is over them).',
    'best val loss: per seed, the lowest validation loss of any epoch (search: of any epoch of any trial); validation accuracy, test loss and test accuracy at that epoch.',
    `epochs: training epochs actually run per seed (budget ${summary.config.budgetEpochs}; search trials of ${summary.config.trialEpochs}). An epoch of a hypernetwork method costs more than a plain one: Δ-STN does a general and a response pass per batch plus hyper steps (about 2.5 plain epochs); compare wall time, not epochs.`,
    summary.plainEpochSeconds
      ? `≈ plain epochs: the training seconds per seed divided by the median seconds of one plain (fixed-hyperparameter) epoch of the search trials, ${summary.plainEpochSeconds.toFixed(3)} s, measured in this study.`
      : '≈ plain epochs: needs a search method in the study (none here).',
    'wall: per seed, the sum of the wall times of its runs or trials (model building, training, evaluation): the cost on one worker. With --workers N, trials overlap in time and each ran on a loaded core.',
    'final hyperparameters: per seed the last T(λ) for hypernetwork methods, the best trial\u2019s values for search; over seeds their mean ± sample std and [min–max] (one seed: its value).',
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

