/**
 * The `deltastn` command. Subcommands:
 * - `verify [--claim ID…] [--runs N] [--seed S] [--json] [--log FILE]`
 * - `theory <best-response|conditioning|thm3> --input FILE.json|-`
 * - `compare …` and `report DIR` (src/cli/compare.ts)
 *
 * Exit codes: 0 success; 1 a claim failed or an unexpected error; 2 bad input (a typed error naming the
 * argument or JSON field, printed to stderr; nothing is printed to stdout).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { verifyCommand } from './verify.js';
import { theoryCommand, theoryRoutines } from './theory.js';
import { toyCommand, toys } from './toy.js';
import { resumeConfig, runTune, parseHparams, type TuneConfig } from './tune.js';
import { BACKEND_NAMES, isBackendName } from '../nn/backend.js';
import { compareCommand, reportCommand } from './compare.js';
import { searchCommand } from './search.js';

const HELP = `deltastn — bilevel optimization of hyperparameters (STN, Δ-STN) with an exact theory kernel

Usage:
  deltastn verify [--claim ID]... [--runs N] [--seed S] [--json] [--log FILE]
      Check every registered claim (OBS-1, OBS-2, THM-3, APP-E, LIN) on N seeded random cases
      (default 100) plus the spec's reference values. Exit code 0 only if all hold.
  deltastn theory <routine> --input FILE.json     (or --input - for standard input)
      routines: ${Object.keys(theoryRoutines).join(', ')}. JSON in, JSON out. Matrices are arrays of rows;
      entries are numbers or rational strings such as "3/7".
  deltastn toy <${Object.keys(toys).join('|')}> [--data FILE.json] [--method M]... [--sigma S] [--seed S] [--out DIR] [--json]
      Run a toy experiment of the small bilevel engine; writes DIR/<toy>.json and SVG plots (default DIR: out).
      --data takes {Xtrain, ytrain, Xval, yval} (ridge, interaction).
  deltastn tune --model mlp|cnn|alexnet --dataset mnist|fashion-mnist|cifar10 --method delta-stn|delta-stn-linearized|stn|centered-stn|fixed
               [--epochs N] [--hparams name=value,...] [--seed S] [--out DIR] [--resume DIR] [--backend auto|wasm|cpu|tensorflow|tensorflow-gpu|webgpu]
               [--data-dir PATH] [--batch-size B] [--train-size N] [--width W] [--warmup N] [--lr X] [--lr-hyper X] [--dropconnect]
               [--lr-milestones E1,E2,... --lr-gamma G] [--patience N]
      Train a network while tuning its hyperparameters (TensorFlow.js); writes DIR/log.jsonl, a checkpoint per epoch
      and DIR/summary.json. MNIST is embedded; Fashion-MNIST from Debian's dataset-fashion-mnist or --data-dir.
  deltastn compare --model mlp|cnn --dataset mnist|fashion-mnist [--methods delta-stn,delta-stn-linearized,stn,centered-stn,random,bayes]
               [--seeds N] [--seed S] [--budget-epochs N] [--trial-epochs E] [--train-size N] [--width W] [--workers N]
               [--out DIR] [--backend B] [--data-dir PATH] [--batch-size B] [--warmup N] [--lr X] [--lr-hyper X]
      Compare the methods at an equal budget of training epochs per seed (search: trials of E epochs; defaults:
      the five methods without delta-stn-linearized, 3 seeds, 10 epochs, E = budget/5). Runs or resumes the study
      in DIR (default out/compare-<model>-<dataset>): DIR/trials.jsonl, summary.json, table.md, SVG plots.
      --workers N runs trials on N worker threads (needs the compiled dist/).
  deltastn search --space mlp-cell|cnn-cell --dataset mnist|fashion-mnist [--method darts1,darts2,delta-stn,delta-stn-linearized,stn,random]
               [--seeds N] [--seed S] [--search-epochs S] [--retrain-epochs E] [--nodes N] [--width W] [--train-size N]
               [--batch-size B] [--lr X] [--lr-hyper X] [--train-steps T] [--darts-scale R0] [--darts-xi ξ] [--workers N] [--out DIR]
               [--backend B] [--data-dir PATH]
      Architecture search (DARTS cells): search S epochs (α = softmax logits per edge, tuned as hyperparameters),
      discretize, retrain E epochs from scratch, report val/test accuracy; random: round((S+E)/E) random
      architectures retrained E epochs each (same budget). Defaults: darts1, darts2, delta-stn, random; S = E = 10;
      3 nodes; width 128 (MLP) / 8 (CNN); DARTS-2: R = R0/‖∇L_V‖ (R0 = 0.01), ξ = the weights' learning rate. Resumable; writes DIR/runs.jsonl, summary.json, table.md, weights-*.svg.
      --workers N runs the jobs on N worker threads (needs the compiled dist/); records are identical, timings aside.
  deltastn report DIR
      Write DIR/report.html, one self-contained offline page, for a compare, search or tune directory.
  deltastn --help | --version

Bad input exits with code 2 and a message naming the field.`;

/** Entry point; returns the process exit code. `out`/`err` default to stdout/stderr. */
export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  err: (s: string) => void = (s) => process.stderr.write(s + '\n'),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'verify':
        return runVerify(rest, out, err);
      case 'theory':
        return runTheory(rest, out);
      case 'toy':
        return runToy(rest, out);
      case 'tune':
        return await runTuneCommand(rest, out, err);
      case 'compare':
        return await compareCommand(rest, out, err);
      case 'report':
        return reportCommand(rest, out);
      case 'search':
        return await searchCommand(rest, out, err);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
        out('deltastn 0.1.0');
        return 0;
      default:
        throw new InvalidArgumentError('command', 'verify, theory, toy, tune, compare, search or report (see --help)', command);
    }
  } catch (e) {
    if (e instanceof DeltaStnError) {
      err(`deltastn: ${e.name}: ${e.message}`);
      return 2;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`deltastn: ${e.message}`);
      return 2;
    }
    err(`deltastn: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

function integerOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(name, `an integer ≥ ${min}`, value);
  return n;
}

function runVerify(args: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values } = parseArgs({
    args: [...args],
    options: {
      claim: { type: 'string', multiple: true },
      runs: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      log: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const claims = (values.claim ?? []).flatMap((c) => c.split(',')).filter((c) => c.length > 0);
  return verifyCommand(
    {
      claims,
      runs: integerOption(values.runs, '--runs', 100, 0),
      seed: integerOption(values.seed, '--seed', 0, -(2 ** 31)),
      json: values.json ?? false,
      log: values.log,
      progress: !values.json && process.stderr.isTTY === true,
    },
    out,
    err,
  );
}

function runTheory(args: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { input: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new InvalidArgumentError('routine', `one of ${Object.keys(theoryRoutines).join(', ')}`, positionals.join(' ') || 'nothing');
  out(JSON.stringify(theoryCommand(positionals[0], values.input), null, 2));
  return 0;
}

function runToy(args: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      data: { type: 'string' },
      method: { type: 'string', multiple: true },
      sigma: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new InvalidArgumentError('toy', `one of ${Object.keys(toys).join(', ')}`, positionals.join(' ') || 'nothing');
  let sigma: number | undefined;
  if (values.sigma !== undefined) {
    sigma = Number(values.sigma);
    if (!(sigma > 0) || !Number.isFinite(sigma)) throw new InvalidArgumentError('--sigma', 'a finite σ > 0', values.sigma);
  }
  const result = toyCommand(positionals[0], {
    data: values.data,
    methods: (values.method ?? []).flatMap((m) => m.split(',')).filter((m) => m.length > 0),
    sigma,
    seed: integerOption(values.seed, '--seed', 0, -(2 ** 31)),
    out: values.out ?? 'out',
    json: values.json ?? false,
  });
  out(result.text);
  return 0;
}

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(name, 'a finite number > 0', value);
  return n;
}

async function runTuneCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      model: { type: 'string' },
      dataset: { type: 'string' },
      method: { type: 'string' },
      epochs: { type: 'string' },
      hparams: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      backend: { type: 'string' },
      'data-dir': { type: 'string' },
      'batch-size': { type: 'string' },
      'train-size': { type: 'string' },
      width: { type: 'string' },
      warmup: { type: 'string' },
      lr: { type: 'string' },
      'lr-hyper': { type: 'string' },
      dropconnect: { type: 'boolean', default: false },
      'lr-milestones': { type: 'string' },
      'lr-gamma': { type: 'string' },
      patience: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  let config: TuneConfig;
  if (values.resume) {
    config = resumeConfig(values.resume);
    if (values.epochs) config = { ...config, epochs: integerOption(values.epochs, '--epochs', config.epochs, 1) };
  } else {
    const model = values.model ?? 'mlp';
    if (!['mlp', 'cnn', 'alexnet'].includes(model)) throw new InvalidArgumentError('--model', 'mlp, cnn or alexnet', model);
    const dataset = values.dataset ?? (model === 'cnn' ? 'fashion-mnist' : model === 'alexnet' ? 'cifar10' : 'mnist');
    if (!['mnist', 'fashion-mnist', 'cifar10'].includes(dataset)) throw new InvalidArgumentError('--dataset', 'mnist, fashion-mnist or cifar10', dataset);
    const backend = values.backend ?? 'auto';
    if (!isBackendName(backend)) throw new InvalidArgumentError('--backend', BACKEND_NAMES.join(', '), backend);
    config = {
      model: model as TuneConfig['model'],
      dataset: dataset as TuneConfig['dataset'],
      method: (values.method ?? 'delta-stn') as TuneConfig['method'],
      epochs: integerOption(values.epochs, '--epochs', 3, 1),
      seed: integerOption(values.seed, '--seed', 0, 0),
      batchSize: integerOption(values['batch-size'], '--batch-size', 128, 1),
      trainSize: integerOption(values['train-size'], '--train-size', 0, 0),
      width: numberOption(values.width, '--width', 1),
      warmupEpochs: integerOption(values.warmup, '--warmup', 0, 0),
      lrWeights: numberOption(values.lr, '--lr', 1e-2),
      lrHyper: numberOption(values['lr-hyper'], '--lr-hyper', 1e-2),
      hparams: parseHparams(values.hparams),
      dropConnect: values.dropconnect ?? false,
      lrMilestones: parseMilestones(values['lr-milestones']),
      lrGamma: values['lr-gamma'] === undefined ? undefined : numberOption(values['lr-gamma'], '--lr-gamma', 0.2),
      patience: values.patience === undefined ? undefined : integerOption(values.patience, '--patience', 0, 1),
      dataDir: values['data-dir'],
      backend,
    };
  }
  const dir = values.resume ?? values.out ?? join('out', `tune-${config.model}-${config.dataset}-${config.method}`);
  const result = await runTune(config, dir, { resume: Boolean(values.resume), progress: process.stderr.isTTY === true, log: err });
  const last = result.epochs[result.epochs.length - 1];
  out(
    JSON.stringify(
      { out: dir, backend: result.backend, epochs: result.epochs.length, stopped: result.stopped ?? null, final: last ? { val: last.val, test: last.test, hyper: last.hyper } : null },
      null,
      2,
    ),
  );
  return result.stopped ? 1 : 0;
}

/** `--lr-milestones 60,120,180`: epochs (integers ≥ 1) at which the weights' learning rate is multiplied by --lr-gamma. */
function parseMilestones(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .filter((p) => p.trim().length > 0)
    .map((p) => integerOption(p.trim(), '--lr-milestones', 0, 1));
}
