/**
 * `deltastn compare --model mlp|cnn|alexnet|resnet|lstm --dataset mnist|fashion-mnist|cifar10|fashion-mnist-rgb32|moby-dick
 * --methods delta-stn,stn,centered-stn,random,bayes --seeds 3 --budget-epochs N [--trial-epochs E] [--seed S]
 * [--train-size N] [--width W] [--hparams NAME=X,…] [--workers N] [--out DIR] [--backend B] [--data-dir PATH]
 * [--batch-size B] [--warmup N] [--lr X] [--lr-hyper X] [--sigma σ0] [--tau τ] [--lr-response X]
 * [--train-steps T] [--val-steps V]`: runs (or resumes) a
 * study (src/tune/study.ts) and prints its table. Running it again with the same arguments resumes: finished
 * trials in DIR/trials.jsonl are skipped.
 */
import { join } from 'node:path';
import { dataDirOption } from './io.js';
import { BACKEND_NAMES } from '../nn/backend.js';
import { STUDY_METHODS, planTrials, readTrials, runStudy, studyTableMarkdown, type StudyConfig, type StudyMethod } from '../tune/study.js';
import { ProgressDisplay } from './progress.js';
import { MODEL_DEFAULTS, TUNE_DATASETS, TUNE_MODELS } from '../tune/factory.js';
import type { StudySummary } from '../tune/studySummary.js';
import { parseHparams } from './tune.js';
import { parseStorage } from '../tune/store/index.js';
import { parseCommand, type CommandSpec } from './options.js';

/** The methods `compare` runs when `--methods` is not given (the issue's list; the linearized Δ-STN is opt-in). */
export const DEFAULT_COMPARE_METHODS: readonly StudyMethod[] = ['delta-stn', 'stn', 'centered-stn', 'random', 'bayes'];

/** The models and datasets a study runs: tune's (src/tune/factory.ts; the study's trials are built by its factory). */
export const COMPARE_MODELS = TUNE_MODELS;
export const COMPARE_DATASETS = TUNE_DATASETS;

/** `--dataset`'s default text, from the model table (src/tune/factory.ts `MODEL_DEFAULTS`). */
const DATASET_DEFAULTS = Object.entries(MODEL_DEFAULTS)
  .map(([m, d]) => `${m}: ${d.dataset}`)
  .join(', ');

/** The options of `deltastn compare` (parsed and documented from this one declaration). */
export const COMPARE_SPEC = {
  name: 'compare',
  summary:
    'Compare the methods at an equal budget of training epochs per seed (search: trials of E epochs). Runs or resumes the study in DIR: DIR/trials.jsonl, summary.json, table.md, SVG plots; rerunning the same command resumes (finished trials are skipped).\n' +
    'Progress on stderr: a bar on a terminal, else a line every 10 s and per trial (trials, elapsed, time left, validation loss); --quiet silences it.',
  headline: ['model', 'dataset'],
  options: {
    model: { type: 'enum', choices: COMPARE_MODELS, default: 'mlp', description: 'the network', example: 'cnn' },
    dataset: { type: 'enum', choices: COMPARE_DATASETS, defaultText: `the model's (${DATASET_DEFAULTS})`, description: 'the data set (resnet: cifar10 or fashion-mnist-rgb32; lstm: moby-dick only)', example: 'fashion-mnist' },
    methods: { type: 'list', choices: STUDY_METHODS, value: 'M1,M2,...', defaultText: DEFAULT_COMPARE_METHODS.join(','), description: 'the methods compared (repeatable or comma-separated)', example: 'delta-stn,random' },
    seeds: { type: 'integer', min: 1, default: 3, description: 'how many seeds (from --seed on)', example: '2' },
    seed: { type: 'integer', min: 0, default: 0, description: 'the first seed', example: '10' },
    'budget-epochs': { type: 'integer', min: 1, default: 10, description: 'B: training epochs per method and seed', example: '4' },
    'trial-epochs': { type: 'integer', min: 1, defaultText: 'max(1, ⌊B/5⌋)', description: 'E: epochs per search trial (random, bayes)', example: '2' },
    'train-size': { type: 'integer', min: 0, default: 0, description: 'use the first N training examples (0: all)', example: '2000' },
    width: { type: 'number', min: 0, minExclusive: true, default: 1, description: 'width multiplier of the model', example: '0.25' },
    hparams: { type: 'string', value: 'NAME=X,...', description: 'initial hyperparameter values (hypernetwork methods); naming weight_decay, label_smoothing or (cnn, alexnet, resnet) rotation, translate, scale, saturation, hue adds that hyperparameter to every method\u2019s space, as in tune', example: 'dropout1=0.1,weight_decay=1e-4' },
    workers: { type: 'integer', min: 1, default: 1, description: 'worker threads for the trials (needs the compiled dist/)', example: '2' },
    storage: { type: 'string', value: 'URL', default: 'sqlite', check: (v: string) => (parseStorage(v, '--storage'), v), description: 'the study store: sqlite (DIR/study.db), sqlite:PATH, or postgresql://user:password@host:port/database (then `deltastn worker --study NAME --storage URL` on other machines joins it)', example: 'postgresql://deltastn@127.0.0.1:5432/deltastn' },
    study: { type: 'string', value: 'NAME', defaultText: 'the base name of DIR', description: 'the study\u2019s name in the store', example: 'cmp-mlp' },
    lease: { type: 'number', min: 0, minExclusive: true, default: 60, value: 'S', description: 'seconds without a heartbeat before a held trial may be reclaimed by another worker', example: '30' },
    out: { type: 'string', value: 'DIR', defaultText: 'out/compare-<model>-<dataset>', description: 'the study directory (created or resumed)', example: 'out/cmp' },
    backend: { type: 'enum', choices: BACKEND_NAMES, default: 'auto', description: 'TensorFlow.js backend', example: 'wasm' },
    'data-dir': { type: 'string', value: 'PATH', check: dataDirOption, description: 'an existing directory holding the data set files', example: '/usr/share/fashion-mnist' },
    'batch-size': { type: 'integer', min: 1, default: 128, description: 'examples per step', example: '64' },
    warmup: { type: 'integer', min: 0, default: 0, description: 'epochs of weight steps only before hyper steps start', example: '1' },
    lr: { type: 'number', min: 0, minExclusive: true, defaultText: `0.01 (lstm: ${MODEL_DEFAULTS.lstm.lrWeights}, plain SGD with clipping)`, description: 'the weights\' learning rate', example: '0.05' },
    'lr-hyper': { type: 'number', min: 0, minExclusive: true, default: 1e-2, description: 'the hyperparameters\' learning rate', example: '0.003' },
    sigma: { type: 'number', min: 0, minExclusive: true, value: 'σ0', defaultText: '1', description: 'σ0, the initial perturbation scale of every hyperparameter (hypernetwork methods; unconstrained units)', example: '0.5' },
    tau: { type: 'number', min: 0, value: 'τ', defaultText: '0.001', description: 'τ, the entropy weight of the hypernetwork methods\' hyper objective', example: '0.01' },
    'lr-response': { type: 'number', min: 0, minExclusive: true, defaultText: '--lr', description: 'Θ\'s learning rate for delta-stn and delta-stn-linearized (the STN methods step w0 and Θ together at --lr; not for lstm, whose trainer steps Θ at --lr)', example: '0.02' },
    'train-steps': { type: 'integer', min: 1, defaultText: '5 (lstm: 2)', description: 'T_train: weight steps per cycle (hypernetwork methods)', example: '10' },
    'val-steps': { type: 'integer', min: 1, defaultText: '1', description: 'T_val: hyper steps per cycle (hypernetwork methods)', example: '1' },
    quiet: { type: 'boolean', description: 'no progress display (the table and errors are still printed)', example: '' },
  },
  example: 'deltastn compare --model mlp --dataset mnist --seeds 2 --budget-epochs 4 --width 0.25 --train-size 2000',
} as const satisfies CommandSpec;

/** Parses `compare`'s arguments into a study configuration, the output directory and the worker count. */
export function parseCompareArgs(args: readonly string[], warn?: (s: string) => void): { config: StudyConfig; out: string; workers: number; quiet: boolean; storage: string; study?: string; lease: number } {
  const { values: v } = parseCommand(COMPARE_SPEC, args, warn);
  const model = v.model;
  const dataset = v.dataset ?? MODEL_DEFAULTS[model].dataset;
  const hparams = v.hparams === undefined ? {} : parseHparams(v.hparams);
  const methods = v.methods ?? [...DEFAULT_COMPARE_METHODS];
  const budgetEpochs = v['budget-epochs'];
  const config: StudyConfig = {
    model,
    dataset,
    methods,
    seeds: Array.from({ length: v.seeds }, (_, i) => v.seed + i),
    budgetEpochs,
    // Default: about five trials per search (at least one epoch each).
    trialEpochs: v['trial-epochs'] ?? Math.max(1, Math.floor(budgetEpochs / 5)),
    batchSize: v['batch-size'],
    trainSize: v['train-size'],
    width: v.width,
    warmupEpochs: v.warmup,
    lrWeights: v.lr ?? MODEL_DEFAULTS[model].lrWeights,
    lrHyper: v['lr-hyper'],
    ...(v.sigma !== undefined ? { sigma: v.sigma } : {}),
    ...(v.tau !== undefined ? { entropyWeight: v.tau } : {}),
    ...(v['lr-response'] !== undefined ? { lrResponse: v['lr-response'] } : {}),
    ...(v['train-steps'] !== undefined ? { trainSteps: v['train-steps'] } : {}),
    ...(v['val-steps'] !== undefined ? { valSteps: v['val-steps'] } : {}),
    ...(Object.keys(hparams).length > 0 ? { hparams } : {}),
    ...(v['data-dir'] !== undefined ? { dataDir: v['data-dir'] } : {}),
    backend: v.backend,
  };
  const out = v.out ?? join('out', `compare-${config.model}-${config.dataset}`);
  return { config, out, workers: v.workers, quiet: v.quiet === true, storage: v.storage, ...(v.study !== undefined ? { study: v.study } : {}), lease: v.lease };
}

/**
 * The trials a study in `dir` still has to run for `config`, and its planned total (the plan of
 * src/tune/study.ts: `planTrials` per method and seed, less the records of trials.jsonl).
 */
export function trialCounts(config: StudyConfig, dir: string): { total: number; toRun: number } {
  const done = new Set(readTrials(join(dir, 'trials.jsonl')).records.map((r) => `${r.method}/${r.seed}/${r.trial}`));
  let total = 0;
  let toRun = 0;
  for (const method of config.methods) {
    for (const seed of config.seeds) {
      for (const p of planTrials(config, method)) {
        total++;
        if (!done.has(`${method}/${seed}/${p.trial}`)) toRun++;
      }
    }
  }
  return { total, toRun };
}

/** What the display reads of a study runner's progress events (trial started, epoch done, trial finished). */
export interface TrialProgressEvent {
  type: string;
  method: string;
  seed: number;
  trial: number;
  plannedEpochs?: number;
  resumedEpochs?: number;
  epoch?: number;
  valLoss?: number;
  /** Seconds since the trial started (epoch events). */
  trialElapsed?: number;
  bestVal?: number | null;
}

/**
 * The progress display of a study (src/cli/progress.ts), in trials, the unit of compare's final "N trial(s)
 * run": started by the runner's "running N …" line (the trials left of the planned total), then driven by the
 * runner's events (each trial's epochs and validation loss). A runner that reports no events is followed by its
 * log instead, one line per finished trial (method, seed, best validation loss); a runner that announces
 * "job(s)" (a Bayesian-optimization job holds several trials) is announced in trials.
 */
export function studyProgress(config: StudyConfig, dir: string, display: ProgressDisplay): { log: (line: string) => void; onEvent: (e: TrialProgressEvent) => void } {
  const finished = new RegExp(`^(${config.methods.join('|')}) seed \\d+.*?: best val ([^\\s,]+)`);
  let events = false;
  const total = config.seeds.length * config.methods.reduce((n, m) => n + planTrials(config, m).length, 0);
  return {
    log: (line) => {
      const running = /^running (\d+) (job|trial)\(s\) (.*)$/.exec(line);
      if (running) {
        const toRun = running[2] === 'trial' ? Number(running[1]) : trialCounts(config, dir).toRun;
        display.start(total, total - toRun);
        display.log(`running ${toRun} trial(s) ${running[3]}`);
        return;
      }
      display.log(line);
      const m = events ? null : finished.exec(line);
      if (m) display.endRun(Number(m[2]));
    },
    onEvent: (e) => {
      events = true;
      const label = `${e.method} seed ${e.seed}${e.method === 'random' || e.method === 'bayes' ? ` trial ${e.trial}` : ''}`;
      // With worker threads several trials run at once: the display shows the one that reported last.
      if (e.type === 'trial-started') {
        display.beginRun(label, e.plannedEpochs ?? 0, 'epoch');
        display.step(e.resumedEpochs ?? 0);
      } else if (e.type === 'epoch') {
        if (display.runLabel !== label) display.beginRun(label, e.plannedEpochs ?? 0, 'epoch', e.trialElapsed ?? 0);
        display.setValLoss(e.valLoss);
        display.step((e.epoch ?? 0) + 1, e.plannedEpochs);
      } else if (e.type === 'trial-finished') display.endRun(e.bestVal, 1, label);
    },
  };
}

/**
 * The perplexities of a language-model study (`--model lstm`) as Markdown: per method, mean ± sample standard
 * deviation over seeds of exp(best validation loss) and exp(test loss at that epoch), the losses being mean
 * cross-entropies per token in nats (src/nn/languageModel.ts), so that exp(loss) is the perplexity of that epoch's
 * evaluation. Null for an image study.
 */
export function perplexityTableMarkdown(summary: StudySummary): string | null {
  if (summary.config.model !== 'lstm') return null;
  const cell = (xs: number[]): string => {
    const v = xs.filter(Number.isFinite);
    if (v.length === 0) return '—';
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = v.length < 2 ? null : Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1));
    return std === null ? mean.toFixed(2) : `${mean.toFixed(2)} ± ${std.toFixed(2)}`;
  };
  const rows = summary.methods.map((m) => `| ${m.method} | ${cell(m.seeds.map((o) => Math.exp(o.bestVal)))} | ${cell(m.seeds.map((o) => (o.testLoss === null ? NaN : Math.exp(o.testLoss))))} |`);
  return ['| method | val perplexity | test perplexity |', '|---|---|---|', ...rows, '', '- perplexity = exp(loss), the loss a mean cross-entropy per character (nats); per seed at the epoch of the best validation loss, then mean ± sample std over seeds.', ''].join('\n');
}

/**
 * `deltastn compare …`: runs or resumes the study and prints its table; exit code 0. A run or trial that
 * stopped early (a non-finite loss) is part of the result, not a failure of the command: it is listed on
 * stderr and in the report. Progress: {@link studyProgress}.
 */
export async function compareCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void, options: { tty?: boolean; progressIntervalSeconds?: number } = {}): Promise<number> {
  const { config, out: dir, workers, quiet, storage, study, lease } = parseCompareArgs(args, err);
  const display = new ProgressDisplay({ unit: 'trials', tty: !quiet && (options.tty ?? process.stderr.isTTY === true), quiet, line: err, intervalSeconds: options.progressIntervalSeconds });
  const studyOptions = { workers, storage, study, leaseSeconds: lease, ...studyProgress(config, dir, display) };
  let r: Awaited<ReturnType<typeof runStudy>>;
  try {
    r = await runStudy(config, dir, studyOptions);
  } finally {
    display.stop();
  }
  out(studyTableMarkdown(r.summary));
  const perplexity = perplexityTableMarkdown(r.summary);
  if (perplexity) out(perplexity);
  out(
    `${dir}: ${r.ran} trial(s) run, ${r.skipped} finished before and skipped; backend ${r.backend}; ${r.workers > 0 ? `${r.workers} worker threads` : 'in-process'}; ` +
      `${r.elapsedSeconds.toFixed(1)} s elapsed. Plots: ${dir}/*.svg; HTML: deltastn report ${dir}`,
  );
  for (const m of r.summary.methods) for (const s of m.seeds) for (const why of s.stopped) err(`${m.method} seed ${s.seed}: stopped early: ${why}`);
  return 0;
}
