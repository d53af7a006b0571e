/**
 * `deltastn compare --model mlp|cnn --dataset mnist|fashion-mnist --methods delta-stn,stn,centered-stn,random,bayes
 * --seeds 3 --budget-epochs N [--trial-epochs E] [--seed S] [--train-size N] [--width W] [--workers N] [--out DIR]
 * [--backend B] [--data-dir PATH] [--batch-size B] [--warmup N] [--lr X] [--lr-hyper X]`: runs (or resumes) a
 * study (src/tune/study.ts) and prints its table. Running it again with the same arguments resumes: finished
 * trials in DIR/trials.jsonl are skipped.
 *
 * `deltastn report DIR`: writes DIR/report.html (src/report/html.ts) for a compare-study, search-study or `tune` run directory.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import { dataDirOption } from './io.js';
import { BACKEND_NAMES, isBackendName } from '../nn/backend.js';
import { writeReport } from '../tune/reports.js';
import { STUDY_METHODS, isStudyMethod, runStudy, studyTableMarkdown, type StudyConfig, type StudyMethod } from '../tune/study.js';

/** The methods `compare` runs when `--methods` is not given (the issue's list; the linearized Δ-STN is opt-in). */
export const DEFAULT_COMPARE_METHODS: readonly StudyMethod[] = ['delta-stn', 'stn', 'centered-stn', 'random', 'bayes'];

function integer(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(name, `an integer ≥ ${min}`, value);
  return n;
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(name, 'a finite number > 0', value);
  return n;
}

/** Parses `compare`'s arguments into a study configuration, the output directory and the worker count. */
export function parseCompareArgs(args: readonly string[]): { config: StudyConfig; out: string; workers: number } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      model: { type: 'string' },
      dataset: { type: 'string' },
      methods: { type: 'string', multiple: true },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      'budget-epochs': { type: 'string' },
      'trial-epochs': { type: 'string' },
      'train-size': { type: 'string' },
      width: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      'data-dir': { type: 'string' },
      'batch-size': { type: 'string' },
      warmup: { type: 'string' },
      lr: { type: 'string' },
      'lr-hyper': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const model = values.model ?? 'mlp';
  if (!['mlp', 'cnn', 'alexnet'].includes(model)) throw new InvalidArgumentError('--model', 'mlp, cnn or alexnet', model);
  const dataset = values.dataset ?? (model === 'cnn' ? 'fashion-mnist' : model === 'alexnet' ? 'cifar10' : 'mnist');
  if (!['mnist', 'fashion-mnist', 'cifar10'].includes(dataset)) throw new InvalidArgumentError('--dataset', 'mnist, fashion-mnist or cifar10', dataset);
  const methods = values.methods ? values.methods.flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m.length > 0) : [...DEFAULT_COMPARE_METHODS];
  for (const m of methods) if (!isStudyMethod(m)) throw new InvalidArgumentError('--methods', `a comma-separated list of ${STUDY_METHODS.join(', ')}`, m);
  const backend = values.backend ?? 'auto';
  if (!isBackendName(backend)) throw new InvalidArgumentError('--backend', BACKEND_NAMES.join(', '), backend);
  const nSeeds = integer(values.seeds, '--seeds', 3, 1);
  const first = integer(values.seed, '--seed', 0, 0);
  const budgetEpochs = integer(values['budget-epochs'], '--budget-epochs', 10, 1);
  const config: StudyConfig = {
    model: model as StudyConfig['model'],
    dataset: dataset as StudyConfig['dataset'],
    methods: methods as StudyMethod[],
    seeds: Array.from({ length: nSeeds }, (_, i) => first + i),
    budgetEpochs,
    // Default: about five trials per search (at least one epoch each).
    trialEpochs: integer(values['trial-epochs'], '--trial-epochs', Math.max(1, Math.floor(budgetEpochs / 5)), 1),
    batchSize: integer(values['batch-size'], '--batch-size', 128, 1),
    trainSize: integer(values['train-size'], '--train-size', 0, 0),
    width: positive(values.width, '--width', 1),
    warmupEpochs: integer(values.warmup, '--warmup', 0, 0),
    lrWeights: positive(values.lr, '--lr', 1e-2),
    lrHyper: positive(values['lr-hyper'], '--lr-hyper', 1e-2),
    ...(values['data-dir'] !== undefined ? { dataDir: dataDirOption(values['data-dir']) } : {}),
    backend,
  };
  const out = values.out ?? join('out', `compare-${config.model}-${config.dataset}`);
  return { config, out, workers: integer(values.workers, '--workers', 1, 1) };
}

/**
 * `deltastn compare …`: runs or resumes the study and prints its table; exit code 0. A run or trial that
 * stopped early (a non-finite loss) is part of the result, not a failure of the command: it is listed on
 * stderr and in the report.
 */
export async function compareCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { config, out: dir, workers } = parseCompareArgs(args);
  const r = await runStudy(config, dir, { workers, log: err });
  out(studyTableMarkdown(r.summary));
  out(
    `${dir}: ${r.ran} trial(s) run, ${r.skipped} finished before and skipped; backend ${r.backend}; ${r.workers > 0 ? `${r.workers} worker threads` : 'in-process'}; ` +
      `${r.elapsedSeconds.toFixed(1)} s elapsed. Plots: ${dir}/*.svg; HTML: deltastn report ${dir}`,
  );
  for (const m of r.summary.methods) for (const s of m.seeds) for (const why of s.stopped) err(`${m.method} seed ${s.seed}: stopped early: ${why}`);
  return 0;
}

/** `deltastn report DIR`: writes DIR/report.html and prints its path. */
export function reportCommand(args: readonly string[], out: (s: string) => void): number {
  const { positionals } = parseArgs({ args: [...args], options: {}, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new InvalidArgumentError('DIR', 'one compare, search or tune directory', positionals.join(' ') || 'nothing');
  const { path, kind } = writeReport(positionals[0]);
  out(`${path} (${kind} report)`);
  return 0;
}
