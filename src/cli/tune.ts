/**
 * `deltastn tune --model mlp|cnn|alexnet --dataset mnist|fashion-mnist|cifar10 --method
 * delta-stn|delta-stn-linearized|stn|centered-stn|fixed [--epochs N] [--hparams name=value,…] [--seed S]
 * [--out DIR] [--resume DIR] [--backend B] [--data-dir PATH] [--batch-size B] [--train-size N] [--width W]
 * [--warmup N] [--lr X] [--lr-hyper X]`: trains a network while tuning its hyperparameters, writing a JSONL log
 * per epoch (train/val/test loss and accuracy, every hyperparameter in its constrained units, σ, wall time), a
 * checkpoint every epoch and a final summary. `--resume DIR` continues a run from its checkpoint with the
 * configuration saved there; a resumed run gives the same numbers as one that was not interrupted.
 *
 * @remarks
 * **Order of work.** Everything the user gave is checked first (the configuration, the output directory, the
 * checkpoint and log of a resumed run, the model and its `--hparams`, the data); only then is the directory
 * created and written. A run that fails its checks leaves nothing on disk.
 *
 * **State files.** `log.jsonl`: one line per finished epoch, appended; on resume the file is rewritten
 * (atomically) to exactly the epochs the checkpoint holds. `checkpoint.json` + `checkpoint.bin`: after every
 * epoch (src/nn/checkpoint.ts: one digest over everything, atomic). `summary.json` (atomic): always describes
 * the whole run — every epoch in log.jsonl, however many calls it took — with `epochs` the number of finished
 * epochs, `final` the last one, `stopped` why training stopped early (if it did) and `done` whether the run
 * has nothing left to train.
 *
 * **Divergence.** When a loss becomes non-finite the trainer rolls back to the last good state; the run saves
 * that state as its checkpoint (so even a run that diverges in epoch 0 leaves one), writes the summary with
 * `stopped`, and the CLI prints the reason on stderr and exits with code 3.
 */
import { join } from 'node:path';
import { ProgressDisplay } from './progress.js';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { formatBackendInfo, initBackend } from '../nn/backend.js';
import { CheckpointError, hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../nn/checkpoint.js';
import { StateFileError, appendLine, checkOutputDirectory, createOutputDirectory, isFile, readJsonLines, writeFileAtomic } from '../stateFiles.js';
import { Trainer, type TrainerState } from '../nn/trainer.js';
import type { LanguageModelTrainer } from '../nn/languageModel.js';

// The run configuration and the model/data factory are library code (src/tune/factory.ts), which the studies
// share; re-exported here for the callers that know them from this module.
import { MODEL_DEFAULTS, TUNE_DATASETS, TUNE_FLAGS, TUNE_METHODS, TUNE_MODELS, buildLanguageModelRun, buildModel, hyperSpaceFor, isRunLogLine, loadData, validateTuneConfig, type RunLogLine, type TuneConfig } from '../tune/factory.js';
import { BACKEND_NAMES } from '../nn/backend.js';
import { EXIT_STOPPED, parseCommand, type CommandSpec } from './options.js';
import { dataDirOption } from './io.js';
export { buildModel, loadData, type TuneConfig };

/** Parses `name=value,name=value`. */
export function parseHparams(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!text) return out;
  for (const part of text.split(',').filter((p) => p.trim().length > 0)) {
    const pieces = part.split('=').map((x) => x.trim());
    const [name, value] = pieces;
    const v = Number(value);
    // `dropout1=` (Number('') is 0) and `a=1=2` (the tail was dropped) were accepted silently,
    // and a repeated name silently kept its last value.
    if (pieces.length !== 2 || !name || !value || !Number.isFinite(v)) throw new InvalidArgumentError('--hparams', 'name=value pairs separated by commas, e.g. dropout1=0.1', part);
    if (Object.hasOwn(out, name)) throw new InvalidArgumentError('--hparams', `each name once (${name} is repeated)`, text);
    out[name] = v;
  }
  return out;
}

/** Result of {@link runTune}. */
export interface TuneResult {
  config: TuneConfig;
  backend: string;
  /** Every finished epoch of the run, earlier calls included (what summary.json describes), as in log.jsonl. */
  epochs: RunLogLine[];
  /** Epochs trained by this call. */
  ran: number;
  stopped?: string;
  out: string;
}

/** `summary.json` of a tune run. */
export interface TuneSummary {
  config: TuneConfig;
  backend: string;
  device: string | null;
  stopped?: string;
  /** Finished epochs of the whole run. */
  epochs: number;
  /** The last finished epoch (its log.jsonl line), or null. */
  final: RunLogLine | null;
  /** Whether the run has nothing left to train (all epochs, or early stopping by patience). */
  done: boolean;
}

/** Checks a configuration given to {@link runTune}; a bad field is an InvalidArgumentError naming its flag. */
function checkConfig(config: TuneConfig): TuneConfig {
  return validateTuneConfig(config, (field, expected, got) => {
    throw new InvalidArgumentError(field === 'the configuration' ? 'config' : TUNE_FLAGS[field], expected, typeof got === 'string' ? got : JSON.stringify(got) ?? String(got));
  });
}

/**
 * The epochs of a run directory's log.jsonl that the checkpoint holds (0 … done − 1, once each, in order).
 * @throws StateFileError naming `--resume` when the log is missing, a directory, or lacks one of them.
 */
function previousEpochs(dir: string, done: number): RunLogLine[] {
  const path = join(dir, 'log.jsonl');
  if (done === 0 && !isFile(path)) return [];
  const { records } = readJsonLines(path, '--resume', isRunLogLine);
  const byEpoch = new Map<number, RunLogLine>();
  for (const r of records) if (r.epoch < done && !byEpoch.has(r.epoch)) byEpoch.set(r.epoch, r);
  const missing = Array.from({ length: done }, (_, e) => e).filter((e) => !byEpoch.has(e));
  if (missing.length > 0) {
    throw new StateFileError('--resume', path, `should hold the ${done} epoch(s) the checkpoint has finished; epoch(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} missing or unreadable (the summary must describe the whole run)`);
  }
  return Array.from({ length: done }, (_, e) => byEpoch.get(e) as RunLogLine);
}

/** Options of {@link runTune}. */
export interface TuneRunOptions {
  /** Continue the run in the directory from its checkpoint. */
  resume?: boolean;
  /** Draw terminal bars (on stderr) instead of plain progress lines. */
  progress?: boolean;
  /** No progress and no informational lines (`log` then gets nothing). */
  quiet?: boolean;
  /** Informational and plain progress lines (the CLI: stderr). */
  log?: (s: string) => void;
  /** Seconds between two plain progress lines during an epoch (default 10). */
  progressIntervalSeconds?: number;
}

/**
 * Runs (or resumes) a tune run with one progress display (src/cli/progress.ts: overall epochs and the current
 * epoch's steps, elapsed, time left, the last validation loss): bars on a terminal (`progress`), else plain lines
 * to `log` every 10 s and per epoch, nothing with `quiet`.
 * @throws InvalidArgumentError naming the flag of a bad configuration field; OutputPathError naming `--out`
 *   (or `--resume`) for a directory that cannot be created or written; CheckpointError / StateFileError naming
 *   `--resume` for a checkpoint or log that cannot be used, or `--epochs` below the epochs already done.
 */
export async function runTune(config: TuneConfig, out: string, options: TuneRunOptions = {}): Promise<TuneResult> {
  config = checkConfig(config);
  hyperSpaceFor(config); // --hparams and --dropconnect, before a backend starts
  const dirFlag = options.resume ? '--resume' : '--out';
  checkOutputDirectory(out, dirFlag);
  let restored: TrainerState | null = null;
  let previous: RunLogLine[] = [];
  if (options.resume) {
    restored = loadCheckpoint(out).state;
    if (restored.epoch > config.epochs) throw new InvalidArgumentError('--epochs', `at least the ${restored.epoch} epoch(s) the run in ${out} has finished`, config.epochs);
    previous = previousEpochs(out, restored.epoch);
  }
  const backend = await initBackend(config.backend);
  const info = (s: string): void => {
    if (!options.quiet) options.log?.(s);
  };
  info(`backend: ${formatBackendInfo(backend)}`);
  // The language model (--model lstm) has its own data and loop with the same epoch/snapshot interface.
  const lm = config.model === 'lstm' ? buildLanguageModelRun(config) : null;
  const { model, space } = lm ?? buildModel(config);
  let trainer: Trainer | LanguageModelTrainer;
  try {
    trainer = lm ? lm.trainer : new Trainer(model, space, loadData(config), { method: config.method, epochs: config.epochs, batchSize: config.batchSize, warmupEpochs: config.warmupEpochs, lrWeights: config.lrWeights, lrResponse: config.lrResponse, lrHyper: config.lrHyper, seed: config.seed, lrMilestones: config.lrMilestones, lrGamma: config.lrGamma, patience: config.patience, entropyWeight: config.entropyWeight, hypergradientBeta: config.tuneLr === 'hd' ? (config.lrHdBeta ?? 1e-4) : undefined });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const epochs: RunLogLine[] = [...previous];
  const display = new ProgressDisplay({ unit: 'epochs', tty: options.progress === true, quiet: options.quiet || options.log === undefined, line: (s) => options.log?.(s), intervalSeconds: options.progressIntervalSeconds });
  let stopped: string | undefined;
  let ran = 0;
  try {
    if (restored) {
      if (restored.lambda.length !== space.h) throw new CheckpointError('--resume', `state.lambda has ${restored.lambda.length} entries; the ${config.model} model has ${space.h} hyperparameters`, join(out, 'checkpoint.json'));
      try {
        trainer.restore(restored);
      } catch (e) {
        if (e instanceof DeltaStnError) throw new CheckpointError('--resume', `does not fit the ${config.model} model of its configuration (${e.message})`, join(out, 'checkpoint.bin'));
        throw e;
      }
    }
    // Every input is valid: from here on the run writes.
    createOutputDirectory(out, dirFlag);
    const logPath = join(out, 'log.jsonl');
    // Exactly the epochs the checkpoint holds (a line appended before a kill that beat its checkpoint is dropped).
    writeFileAtomic(logPath, previous.map((l) => JSON.stringify(l) + '\n').join(''), dirFlag);
    if (options.resume && trainer.done()) info(`${out}: the run has finished (${previous.length} epoch(s)); nothing to train`);
    if (!trainer.done()) display.start(config.epochs, trainer.state.epoch);
    display.setValLoss(previous[previous.length - 1]?.val.loss);
    while (!trainer.done()) {
      display.beginRun(`epoch ${trainer.state.epoch + 1}/${config.epochs}`, 0);
      // Asynchronous reads: the same numbers as runEpoch on every backend, and the only way WebGPU can read.
      const res = await trainer.runEpochAsync((done, total) => display.step(done, total));
      if ('stopped' in res) {
        stopped = res.stopped;
        // The trainer holds the last good state: save it, so that even a run stopped in epoch 0 has a checkpoint.
        saveCheckpoint(out, await trainer.snapshotAsync(), config);
        break;
      }
      // The summary's epochs are the log's lines (with the backend that ran them), whichever call ran them.
      const line: RunLogLine = JSON.parse(JSON.stringify({ ...res, backend: backend.name, device: backend.device })) as RunLogLine;
      epochs.push(line);
      ran++;
      appendLine(logPath, JSON.stringify(line), dirFlag);
      saveCheckpoint(out, await trainer.snapshotAsync(), config);
      display.log(
        `epoch ${res.epoch + 1}: train ${res.train.loss.toFixed(4)} / ${(100 * res.train.accuracy).toFixed(1)}%, val ${res.val.loss.toFixed(4)} / ${(100 * res.val.accuracy).toFixed(1)}%` +
          (res.test ? `, test ${(100 * res.test.accuracy).toFixed(1)}%` : '') +
          `, ${Object.entries(res.hyper)
            .map(([k, v]) => `${k}=${v.value.toPrecision(3)}`)
            .join(' ')} (${res.seconds.toFixed(1)} s)`,
      );
      display.endRun(res.val.loss);
    }
    const summary: TuneSummary = { config, backend: backend.name, device: backend.device ?? null, ...(stopped ? { stopped } : {}), epochs: epochs.length, final: epochs[epochs.length - 1] ?? null, done: !stopped && trainer.done() };
    writeFileAtomic(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n', dirFlag);
  } finally {
    display.stop();
    trainer.dispose();
    model.dispose();
  }
  return { config, backend: backend.name, epochs, ran, stopped, out };
}

/**
 * Reads and checks the configuration saved in a run directory's checkpoint (for `--resume`).
 * @throws CheckpointError naming `--resume` (and `meta.<field>`) when the directory has no usable checkpoint or
 *   its configuration is not a valid tune configuration.
 */
export function resumeConfig(dir: string): TuneConfig {
  if (!hasCheckpoint(dir)) {
    loadCheckpoint(dir); // the precise CheckpointError (missing, a directory in place of a file, …)
    throw new InvalidArgumentError('--resume', 'a run directory with a checkpoint', dir);
  }
  const { meta } = loadCheckpoint(dir);
  return validateTuneConfig(meta, (field, expected, got) => {
    throw new CheckpointError('--resume', `${field === 'the configuration' ? 'meta' : `meta.${field}`} should be ${expected}, got ${JSON.stringify(got) ?? String(got)}`, join(dir, 'checkpoint.json'));
  });
}

export { TUNE_METHODS };

/**
 * The options of `deltastn tune` (parsed and documented from this one declaration). Required: --model, --dataset,
 * --method and --out, or --resume DIR alone (a run is never started into a default directory).
 */
export const TUNE_SPEC = {
  name: 'tune',
  summary:
    'Train a network while tuning its hyperparameters (TensorFlow.js); writes DIR/log.jsonl, a checkpoint per epoch and DIR/summary.json (the whole run). MNIST is embedded; Fashion-MNIST from Debian\'s dataset-fashion-mnist or --data-dir.\n' +
    '--resume DIR continues from DIR\'s checkpoint with its saved settings; it honours --epochs (to train further), --backend, --data-dir and --quiet; any other flag must repeat the saved value (else exit 2). Exit code 3: training stopped early on a non-finite loss (the reason on stderr; DIR keeps the last good state).\n' +
    'Progress on stderr: a bar on a terminal, else a line every 10 s and per epoch (steps, elapsed, time left, validation loss); --quiet silences it.',
  requiredUnless: 'resume',
  options: {
    model: { type: 'enum', choices: TUNE_MODELS, required: true, description: 'the network', example: 'mlp' },
    dataset: { type: 'enum', choices: TUNE_DATASETS, required: true, description: 'the data set', example: 'mnist' },
    method: { type: 'enum', choices: TUNE_METHODS, required: true, description: 'how the hyperparameters are tuned (fixed: not at all)', expected: `${TUNE_METHODS.join(', ')} (DARTS needs architecture weights: deltastn search)`, example: 'delta-stn' },
    out: { type: 'string', value: 'DIR', required: true, description: 'the run directory (created; log.jsonl, checkpoint, summary.json)', example: 'out/demo' },
    resume: { type: 'string', value: 'DIR', description: 'continue the run in DIR from its checkpoint, with its saved settings', example: 'out/demo' },
    epochs: { type: 'integer', min: 1, default: 3, description: 'epochs to train (with --resume: the new total)', example: '10' },
    seed: { type: 'integer', min: 0, default: 0, description: 'seed of the data split, the initial weights and every random draw', example: '1' },
    hparams: { type: 'string', value: 'NAME=X,...', description: 'initial hyperparameter values; naming weight_decay, label_smoothing or (cnn, alexnet, resnet) rotation, translate, scale, saturation, hue adds that hyperparameter', example: 'dropout1=0.1,weight_decay=1e-4' },
    sigma: { type: 'number', min: 0, minExclusive: true, value: 'σ0', defaultText: '1', description: 'σ0, the initial perturbation scale of every hyperparameter (unconstrained units)', example: '0.5' },
    tau: { type: 'number', min: 0, value: 'τ', defaultText: '0.001', description: 'τ, the entropy weight of the hyper objective (keeps σ from collapsing)', example: '0.01' },
    lr: { type: 'number', min: 0, minExclusive: true, defaultText: '0.01 (lstm: 5, plain SGD with clipping as the STN reference\'s language model)', description: 'the weights\' learning rate (SGD with momentum)', example: '0.05' },
    'lr-response': { type: 'number', min: 0, minExclusive: true, defaultText: '--lr', description: 'Θ\'s (the response\'s) learning rate, for delta-stn and delta-stn-linearized (the STN methods step w0 and Θ together at --lr)', example: '0.02' },
    'lr-hyper': { type: 'number', min: 0, minExclusive: true, default: 1e-2, description: 'the hyperparameters\' learning rate (λ and σ)', example: '0.003' },
    'batch-size': { type: 'integer', min: 1, default: 128, description: 'examples per step', example: '64' },
    'train-size': { type: 'integer', min: 0, default: 0, description: 'use the first N training examples (0: all; validation and test: ⌈N/4⌉)', example: '2000' },
    width: { type: 'number', min: 0, minExclusive: true, default: 1, description: 'width multiplier of the model (1: the paper\'s sizes)', example: '0.5' },
    warmup: { type: 'integer', min: 0, default: 0, description: 'epochs of weight steps only before hyper steps start', example: '1' },
    dropconnect: { type: 'boolean', description: 'mlp only: add a DropConnect rate on the hidden-to-hidden weights', example: '' },
    'lr-milestones': { type: 'list', items: 'integer', repeats: true, min: 1, value: 'E1,E2,...', description: 'epochs at which the weights\' learning rate is multiplied by --lr-gamma', example: '60,120,180' },
    'lr-gamma': { type: 'number', min: 0, minExclusive: true, defaultText: '0.2 (with --lr-milestones)', description: 'the factor of the learning-rate steps', example: '0.2' },
    patience: { type: 'integer', min: 1, defaultText: 'never', description: 'stop after N epochs without a better validation loss', example: '5' },
    'tune-lr': { type: 'enum', choices: ['hd'], description: 'tune the weights\' learning rate too: hd = hypergradient descent', example: 'hd' },
    'lr-hd-beta': { type: 'number', min: 0, value: 'β', defaultText: '1e-4 (with --tune-lr hd)', description: 'β of hypergradient descent', example: '1e-3' },
    backend: { type: 'enum', choices: BACKEND_NAMES, default: 'auto', description: 'TensorFlow.js backend', example: 'tensorflow' },
    'data-dir': { type: 'string', value: 'PATH', check: dataDirOption, description: 'an existing directory holding the data set files', example: '/usr/share/fashion-mnist' },
    quiet: { type: 'boolean', description: 'no progress display (the result and errors are still printed)', example: '' },
  },
  example: 'deltastn tune --model mlp --dataset mnist --method delta-stn --epochs 3 --width 0.5 --out out/demo',
} as const satisfies CommandSpec;

/** The settings a `tune --resume` takes from the command line; every other flag must match the saved run. */
const RESUME_HONOURS: readonly (keyof TuneConfig)[] = ['epochs', 'backend', 'dataDir'];

/** A saved field's value when the configuration does not hold it (what an older run used). */
const SAVED_DEFAULTS: Partial<Record<keyof TuneConfig, unknown>> = { dropConnect: false, hparams: {}, sigma: 1, entropyWeight: 1e-3 };

/** `deltastn tune …`: runs or resumes a run, prints its result as JSON; exit code 0, or {@link EXIT_STOPPED}. */
export async function tuneCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void, options: { tty?: boolean } = {}): Promise<number> {
  const { values: v, given: has } = parseCommand(TUNE_SPEC, args, err);
  // The fields the user gave (each already typed and range-checked by the parser, errors naming the flag).
  const given: Partial<TuneConfig> = {};
  if (has.has('model')) given.model = v.model;
  if (has.has('dataset')) given.dataset = v.dataset;
  if (has.has('method')) given.method = v.method;
  if (has.has('backend')) given.backend = v.backend;
  if (has.has('epochs')) given.epochs = v.epochs;
  if (has.has('seed')) given.seed = v.seed;
  if (has.has('batch-size')) given.batchSize = v['batch-size'];
  if (has.has('train-size')) given.trainSize = v['train-size'];
  if (has.has('width')) given.width = v.width;
  if (has.has('warmup')) given.warmupEpochs = v.warmup;
  if (has.has('lr')) given.lrWeights = v.lr;
  if (has.has('lr-hyper')) given.lrHyper = v['lr-hyper'];
  if (has.has('lr-response')) given.lrResponse = v['lr-response'];
  if (has.has('hparams')) given.hparams = parseHparams(v.hparams);
  if (has.has('dropconnect')) given.dropConnect = v.dropconnect;
  if (has.has('sigma')) given.sigma = v.sigma;
  if (has.has('tau')) given.entropyWeight = v.tau;
  if (has.has('tune-lr')) given.tuneLr = v['tune-lr'];
  if (has.has('lr-hd-beta')) {
    if (given.tuneLr !== 'hd') throw new InvalidArgumentError('--lr-hd-beta', 'only with --tune-lr hd', String(v['lr-hd-beta']));
    given.lrHdBeta = v['lr-hd-beta'];
  }
  if (has.has('lr-milestones')) given.lrMilestones = v['lr-milestones'];
  if (has.has('lr-gamma')) given.lrGamma = v['lr-gamma'];
  if (has.has('patience')) given.patience = v.patience;
  if (v['data-dir'] !== undefined) given.dataDir = v['data-dir'];
  let config: TuneConfig;
  let dir: string;
  if (v.resume !== undefined) {
    if (v.out !== undefined && v.out !== v.resume) throw new InvalidArgumentError('--out', `nothing, or the --resume directory (${v.resume}): a resumed run writes where it ran`, v.out);
    const saved = resumeConfig(v.resume);
    // A resume honours --epochs (to train further), --backend and --data-dir; any other flag must repeat the
    // saved value (so the original command line plus --resume works), else it is an error, never ignored.
    for (const [field, value] of Object.entries(given) as [keyof TuneConfig, unknown][]) {
      if (RESUME_HONOURS.includes(field)) continue;
      if (JSON.stringify(value) !== JSON.stringify(saved[field] ?? SAVED_DEFAULTS[field])) {
        throw new InvalidArgumentError(TUNE_FLAGS[field], `the run's saved value ${JSON.stringify(saved[field]) ?? 'unset'} (a resume keeps the saved settings; it honours only --epochs, --backend and --data-dir; start a new run with --out to change it)`, typeof value === 'string' ? value : JSON.stringify(value));
      }
    }
    config = { ...saved };
    if (given.epochs !== undefined) config.epochs = given.epochs;
    if (given.backend !== undefined) config.backend = given.backend;
    if (given.dataDir !== undefined) config.dataDir = given.dataDir;
    dir = v.resume;
  } else {
    // The parser has checked that --model, --dataset, --method and --out are given.
    config = {
      model: v.model as TuneConfig['model'],
      dataset: v.dataset as TuneConfig['dataset'],
      method: v.method as TuneConfig['method'],
      epochs: v.epochs,
      seed: v.seed,
      batchSize: v['batch-size'],
      trainSize: v['train-size'],
      width: v.width,
      warmupEpochs: v.warmup,
      lrWeights: v.lr ?? MODEL_DEFAULTS[v.model as TuneConfig['model']].lrWeights,
      lrHyper: v['lr-hyper'],
      hparams: given.hparams ?? {},
      dropConnect: given.dropConnect ?? false,
      lrMilestones: given.lrMilestones,
      lrGamma: given.lrGamma,
      patience: given.patience,
      dataDir: given.dataDir,
      backend: v.backend,
      ...(given.sigma === undefined ? {} : { sigma: given.sigma }),
      ...(given.entropyWeight === undefined ? {} : { entropyWeight: given.entropyWeight }),
      ...(given.lrResponse === undefined ? {} : { lrResponse: given.lrResponse }),
      ...(given.tuneLr === undefined ? {} : { tuneLr: given.tuneLr, lrHdBeta: given.lrHdBeta ?? 1e-4 }),
    };
    if (config.dropConnect && config.model !== 'mlp') throw new InvalidArgumentError('--dropconnect', 'the mlp model (DropConnect is on its dense hidden-to-hidden weights)', config.model);
    dir = v.out as string;
  }
  const result = await runTune(config, dir, { resume: v.resume !== undefined, progress: v.quiet ? false : (options.tty ?? process.stderr.isTTY === true), quiet: v.quiet, log: err });
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
