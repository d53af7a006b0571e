/**
 * The `deltastn` command. Subcommands:
 * - `verify [--claim ID…] [--runs N] [--seed S] [--json] [--log FILE]`
 * - `theory <best-response|conditioning|thm3> --input FILE.json|-`
 * - `toy …` (src/cli/toy.ts), `tune …` (src/cli/tune.ts), `compare …` and `report DIR` (src/cli/compare.ts),
 *   `search …` (src/cli/search.ts)
 *
 * Exit codes (the same for every subcommand): {@link EXIT_OK} success; {@link EXIT_FAILED} a claim failed
 * (`verify`) or an unexpected error (a bug: the stack trace is printed); {@link EXIT_BAD_INPUT} bad input — a
 * flag, an input file, an output path that cannot be created or written, a state file (checkpoint, log,
 * records, config) that is corrupt or foreign — with a one-line message on stderr naming the flag, file or
 * field, nothing on stdout, and nothing created on disk when it is detected before the run starts;
 * {@link EXIT_STOPPED} (`tune`) training stopped early on a non-finite loss (the reason on stderr; the
 * directory keeps the last good state).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { verifyCommand } from './verify.js';
import { dataDirOption } from './io.js';
import { theoryCommand, theoryRoutines } from './theory.js';
import { toyCommand, toys } from './toy.js';
import { resumeConfig, runTune, parseHparams, type TuneConfig } from './tune.js';
import { TUNE_DATASETS, TUNE_FLAGS, TUNE_METHODS, TUNE_MODELS } from '../tune/factory.js';
import { BACKEND_NAMES, isBackendName } from '../nn/backend.js';
import { compareCommand, reportCommand } from './compare.js';
import { searchCommand } from './search.js';
import { STUDY_METHODS } from '../tune/study.js';
import { ARCH_METHODS } from '../tune/archSummary.js';

/** Exit code: success. */
export const EXIT_OK = 0;
/** Exit code: a claim failed (`verify`), or an unexpected error (printed with its stack trace). */
export const EXIT_FAILED = 1;
/** Exit code: bad input (a flag, an input or state file, an output path); a one-line message names it. */
export const EXIT_BAD_INPUT = 2;
/** Exit code of `tune`: training stopped early on a non-finite loss (the reason on stderr). */
export const EXIT_STOPPED = 3;

const HELP = `deltastn — bilevel optimization of hyperparameters (STN, Δ-STN) with an exact theory kernel

Usage:
  deltastn verify [--claim ID]... [--runs N] [--seed S] [--json] [--wide] [--log FILE]
      Check every registered claim (OBS-1, OBS-2, THM-3, APP-E, LIN) on N seeded random cases
      (default 100) plus the spec's reference values. Exit code 0 only if all hold.
  deltastn theory <routine> --input FILE.json     (or --input - for standard input)
      routines: ${Object.keys(theoryRoutines).join(', ')}. JSON in, JSON out. Matrices are arrays of rows;
      entries are numbers or rational strings such as "3/7".
  deltastn toy <${Object.keys(toys).join('|')}> [--data FILE.json] [--method M]... [--sigma S] [--seed S] [--out DIR] [--json]
      Run a toy experiment of the small bilevel engine; writes DIR/<toy>.json and SVG plots (default DIR: out).
      --data takes {Xtrain, ytrain, Xval, yval} (ridge, interaction).
  deltastn tune --model ${TUNE_MODELS.join('|')} --dataset ${TUNE_DATASETS.join('|')} --method ${TUNE_METHODS.join('|')}
               [--epochs N] [--hparams name=value,... (weight_decay=D adds weight decay)] [--seed S] [--out DIR] [--resume DIR] [--backend auto|wasm|cpu|tensorflow|tensorflow-gpu|webgpu]
               [--data-dir PATH] [--batch-size B] [--train-size N] [--width W] [--warmup N] [--lr X] [--lr-hyper X] [--dropconnect]
               [--lr-milestones E1,E2,... --lr-gamma G] [--patience N] [--tune-lr hd [--lr-hd-beta B]]
      Train a network while tuning its hyperparameters (TensorFlow.js); writes DIR/log.jsonl, a checkpoint per epoch
      and DIR/summary.json (the whole run). MNIST is embedded; Fashion-MNIST from Debian's dataset-fashion-mnist or --data-dir.
      --resume DIR continues from DIR's checkpoint with its saved settings; it honours --epochs (to train further),
      --backend and --data-dir; any other flag must repeat the saved value (else exit 2). Exit code 3: training
      stopped early on a non-finite loss (the reason on stderr; DIR keeps the last good state).
  deltastn compare --model ${TUNE_MODELS.join('|')} --dataset ${TUNE_DATASETS.join('|')} [--methods ${STUDY_METHODS.join(',')}]
               [--seeds N] [--seed S] [--budget-epochs N] [--trial-epochs E] [--train-size N] [--width W] [--workers N]
               [--out DIR] [--backend B] [--data-dir PATH] [--batch-size B] [--warmup N] [--lr X] [--lr-hyper X]
      Compare the methods at an equal budget of training epochs per seed (search: trials of E epochs; defaults:
      the five methods without delta-stn-linearized, 3 seeds, 10 epochs, E = budget/5). Runs or resumes the study
      in DIR (default out/compare-<model>-<dataset>): DIR/trials.jsonl, summary.json, table.md, SVG plots.
      --workers N runs trials on N worker threads (needs the compiled dist/).
  deltastn search --space mlp-cell|cnn-cell --dataset mnist|fashion-mnist [--method ${ARCH_METHODS.join(',')}]
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

Exit codes: 0 success; 1 a claim failed (verify) or an unexpected error; 2 bad input (a flag, an input or state
file, an output path), with one line on stderr naming it; 3 tune stopped early on a non-finite loss.`;

/** One example per subcommand, printed by `deltastn <sub> --help`. */
const EXAMPLES: Record<string, string> = {
  verify: 'deltastn verify --claim APP-E --runs 1000 --seed 3',
  theory: `echo '{"A": [[2,1],[1,3]], "B": [[1],["1/2"]], "b": [1,0], "lambda0": ["1/3"]}' | deltastn theory best-response --input -`,
  toy: 'deltastn toy ridge --sigma 0.5 --out out',
  tune: 'deltastn tune --model mlp --dataset mnist --method delta-stn --epochs 3 --width 0.5 --out out/demo',
  compare: 'deltastn compare --model mlp --dataset mnist --seeds 2 --budget-epochs 4 --width 0.25 --train-size 2000',
  search: 'deltastn search --space mlp-cell --dataset mnist --search-epochs 2 --retrain-epochs 2 --train-size 1000',
  report: 'deltastn report out/compare-mlp-mnist',
};

/** The subcommands that need inputs, and what: run bare, they print their usage on stderr and exit 2 (never a default run). */
const NEEDS_INPUT: Record<string, string> = {
  theory: 'a routine and --input FILE',
  toy: 'a toy name',
  tune: '--model, --dataset and --method (or --resume DIR)',
  compare: '--model and --dataset',
  search: '--space and --dataset',
  report: 'a run directory DIR',
};

/** `deltastn <command> --help`: the command's block of the main help, an example, and the exit codes. */
export function usage(command: string): string {
  const lines = HELP.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  deltastn ${command} `) || l === `  deltastn ${command}`);
  if (start < 0) throw new InvalidArgumentError('command', Object.keys(EXAMPLES).join(', '), command);
  let end = start + 1;
  // The block: the command line, its continuation lines and its description, all indented past the command.
  while (end < lines.length && lines[end].startsWith('      ')) end++;
  const exits = lines.slice(lines.findIndex((l) => l.startsWith('Exit codes:'))).join('\n');
  return ['Usage:', ...lines.slice(start, end), '', 'Example:', `  ${EXAMPLES[command]}`, '', exits].join('\n');
}

/** Entry point; returns the process exit code. `out`/`err` default to stdout/stderr. */
export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  err: (s: string) => void = (s) => process.stderr.write(s + '\n'),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command !== undefined && Object.hasOwn(EXAMPLES, command)) {
      if (rest.includes('--help') || rest.includes('-h')) {
        out(usage(command));
        return EXIT_OK;
      }
      if (rest.length === 0 && Object.hasOwn(NEEDS_INPUT, command)) {
        err(usage(command));
        err(`deltastn: ${command} needs ${NEEDS_INPUT[command]} (usage above)`);
        return EXIT_BAD_INPUT;
      }
    }
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
        throw new InvalidArgumentError('command', 'verify, theory, toy, tune, compare, search or report (see --help)', command.length > 60 ? command.slice(0, 59) + '…' : command);
    }
  } catch (e) {
    if (e instanceof DeltaStnError) {
      err(`deltastn: ${e.name}: ${oneLine(e.message)}`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`deltastn: ${oneLine(e.message)}`);
      return EXIT_BAD_INPUT;
    }
    err(`deltastn: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    return EXIT_FAILED;
  }
}

/** A message on one line, at most 600 characters (a hostile value can be long or hold newlines). */
function oneLine(message: string): string {
  const flat = message.replace(/[\r\n]+/g, ' ');
  return flat.length > 600 ? flat.slice(0, 599) + '…' : flat;
}

function integerOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(name, `an integer ≥ ${min}`, value);
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
      wide: { type: 'boolean', default: false },
      log: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const claims = (values.claim ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter((c) => c.length > 0);
  // `--claim ''` (or `,`) named no claim: refused, rather than read as "every claim".
  if (values.claim !== undefined && claims.length === 0) throw new InvalidArgumentError('--claim', 'a claim ID (or omit --claim for every claim)', values.claim.join(','));
  return verifyCommand(
    {
      claims,
      runs: integerOption(values.runs, '--runs', 100, 0),
      seed: integerOption(values.seed, '--seed', 0, -(2 ** 31)),
      json: values.json ?? false,
      wide: values.wide ?? false,
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
    methods: toyMethods(values.method),
    sigma,
    seed: integerOption(values.seed, '--seed', 0, -(2 ** 31)),
    out: values.out ?? 'out',
    json: values.json ?? false,
  });
  out(result.text);
  return 0;
}

/** `toy --method`: names, repeated or comma-separated; a --method that names nothing is refused. */
function toyMethods(values: string[] | undefined): string[] {
  const methods = (values ?? []).flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m.length > 0);
  if (values !== undefined && methods.length === 0) throw new InvalidArgumentError('--method', 'a method name', values.join(','));
  return methods;
}

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
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
      dropconnect: { type: 'boolean' },
      'tune-lr': { type: 'string' },
      'lr-hd-beta': { type: 'string' },
      'lr-milestones': { type: 'string' },
      'lr-gamma': { type: 'string' },
      patience: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  // The fields the user gave, parsed and checked one by one (each error names its flag).
  const given: Partial<TuneConfig> = {};
  if (values.model !== undefined) {
    if (!(TUNE_MODELS as readonly string[]).includes(values.model)) throw new InvalidArgumentError('--model', TUNE_MODELS.join(', '), values.model);
    given.model = values.model as TuneConfig['model'];
  }
  if (values.dataset !== undefined) {
    if (!(TUNE_DATASETS as readonly string[]).includes(values.dataset)) throw new InvalidArgumentError('--dataset', TUNE_DATASETS.join(', '), values.dataset);
    given.dataset = values.dataset as TuneConfig['dataset'];
  }
  if (values.method !== undefined) {
    if (!(TUNE_METHODS as readonly string[]).includes(values.method)) throw new InvalidArgumentError('--method', `${TUNE_METHODS.join(', ')} (DARTS needs architecture weights: deltastn search)`, values.method);
    given.method = values.method as TuneConfig['method'];
  }
  if (values.backend !== undefined) {
    if (!isBackendName(values.backend)) throw new InvalidArgumentError('--backend', BACKEND_NAMES.join(', '), values.backend);
    given.backend = values.backend;
  }
  if (values.epochs !== undefined) given.epochs = integerOption(values.epochs, '--epochs', 3, 1);
  if (values.seed !== undefined) given.seed = integerOption(values.seed, '--seed', 0, 0);
  if (values['batch-size'] !== undefined) given.batchSize = integerOption(values['batch-size'], '--batch-size', 128, 1);
  if (values['train-size'] !== undefined) given.trainSize = integerOption(values['train-size'], '--train-size', 0, 0);
  if (values.width !== undefined) given.width = numberOption(values.width, '--width', 1);
  if (values.warmup !== undefined) given.warmupEpochs = integerOption(values.warmup, '--warmup', 0, 0);
  if (values.lr !== undefined) given.lrWeights = numberOption(values.lr, '--lr', 1e-2);
  if (values['lr-hyper'] !== undefined) given.lrHyper = numberOption(values['lr-hyper'], '--lr-hyper', 1e-2);
  if (values.hparams !== undefined) given.hparams = parseHparams(values.hparams);
  if (values.dropconnect !== undefined) given.dropConnect = values.dropconnect;
  if (values['tune-lr'] !== undefined) {
    if (values['tune-lr'] !== 'hd') throw new InvalidArgumentError('--tune-lr', 'hd (hypergradient descent on the weights\' learning rate)', values['tune-lr']);
    given.tuneLr = 'hd';
  }
  if (values['lr-hd-beta'] !== undefined) {
    if (given.tuneLr !== 'hd') throw new InvalidArgumentError('--lr-hd-beta', 'only with --tune-lr hd', values['lr-hd-beta']);
    const beta = values['lr-hd-beta'].trim() === '' ? NaN : Number(values['lr-hd-beta']);
    if (!(beta >= 0) || !Number.isFinite(beta)) throw new InvalidArgumentError('--lr-hd-beta', 'a finite β ≥ 0', values['lr-hd-beta']);
    given.lrHdBeta = beta;
  }
  if (values['lr-milestones'] !== undefined) given.lrMilestones = parseMilestones(values['lr-milestones']);
  if (values['lr-gamma'] !== undefined) given.lrGamma = numberOption(values['lr-gamma'], '--lr-gamma', 0.2);
  if (values.patience !== undefined) given.patience = integerOption(values.patience, '--patience', 0, 1);
  if (values['data-dir'] !== undefined) given.dataDir = dataDirOption(values['data-dir']);
  let config: TuneConfig;
  let dir: string;
  if (values.resume !== undefined) {
    if (values.resume.length === 0) throw new InvalidArgumentError('--resume', 'a run directory', values.resume);
    if (values.out !== undefined && values.out !== values.resume) throw new InvalidArgumentError('--out', `nothing, or the --resume directory (${values.resume}): a resumed run writes where it ran`, values.out);
    const saved = resumeConfig(values.resume);
    // A resume honours --epochs (to train further), --backend and --data-dir; any other flag must repeat the
    // saved value (so the original command line plus --resume works), else it is an error, never ignored.
    for (const [field, value] of Object.entries(given) as [keyof TuneConfig, unknown][]) {
      if (RESUME_HONOURS.includes(field)) continue;
      if (JSON.stringify(value) !== JSON.stringify(saved[field] ?? (field === 'dropConnect' ? false : field === 'hparams' ? {} : undefined))) {
        throw new InvalidArgumentError(TUNE_FLAGS[field], `the run's saved value ${JSON.stringify(saved[field]) ?? 'unset'} (a resume keeps the saved settings; it honours only --epochs, --backend and --data-dir; start a new run with --out to change it)`, typeof value === 'string' ? value : JSON.stringify(value));
      }
    }
    config = { ...saved };
    if (given.epochs !== undefined) config.epochs = given.epochs;
    if (given.backend !== undefined) config.backend = given.backend;
    if (given.dataDir !== undefined) config.dataDir = given.dataDir;
    dir = values.resume;
  } else {
    const model = given.model ?? 'mlp';
    config = {
      model,
      dataset: given.dataset ?? (model === 'cnn' ? 'fashion-mnist' : model === 'alexnet' ? 'cifar10' : 'mnist'),
      method: given.method ?? 'delta-stn',
      epochs: given.epochs ?? 3,
      seed: given.seed ?? 0,
      batchSize: given.batchSize ?? 128,
      trainSize: given.trainSize ?? 0,
      width: given.width ?? 1,
      warmupEpochs: given.warmupEpochs ?? 0,
      lrWeights: given.lrWeights ?? 1e-2,
      lrHyper: given.lrHyper ?? 1e-2,
      hparams: given.hparams ?? {},
      dropConnect: given.dropConnect ?? false,
      lrMilestones: given.lrMilestones,
      lrGamma: given.lrGamma,
      patience: given.patience,
      dataDir: given.dataDir,
      backend: given.backend ?? 'auto',
      ...(given.tuneLr === undefined ? {} : { tuneLr: given.tuneLr, lrHdBeta: given.lrHdBeta ?? 1e-4 }),
    };
    if (config.dropConnect && config.model !== 'mlp') throw new InvalidArgumentError('--dropconnect', 'the mlp model (DropConnect is on its dense hidden-to-hidden weights)', config.model);
    dir = values.out ?? join('out', `tune-${config.model}-${config.dataset}-${config.method}`);
  }
  const result = await runTune(config, dir, { resume: values.resume !== undefined, progress: process.stderr.isTTY === true, log: err });
  const last = result.epochs[result.epochs.length - 1];
  out(
    JSON.stringify(
      { out: dir, backend: result.backend, epochs: result.epochs.length, ran: result.ran, stopped: result.stopped ?? null, final: last ? { val: last.val, test: last.test, hyper: last.hyper } : null },
      null,
      2,
    ),
  );
  if (result.stopped) {
    err(`deltastn: training stopped early (exit code ${EXIT_STOPPED}): ${result.stopped}. ${dir} holds the last good state (checkpoint) and summary.json; resuming repeats the same steps, so start a new run with a smaller --lr or --lr-hyper.`);
    return EXIT_STOPPED;
  }
  return 0;
}

/** The settings a `tune --resume` takes from the command line; every other flag must match the saved run. */
const RESUME_HONOURS: readonly (keyof TuneConfig)[] = ['epochs', 'backend', 'dataDir'];

/** `--lr-milestones 60,120,180`: epochs (integers ≥ 1) at which the weights' learning rate is multiplied by --lr-gamma. */
function parseMilestones(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .filter((p) => p.trim().length > 0)
    .map((p) => integerOption(p.trim(), '--lr-milestones', 0, 1));
}
