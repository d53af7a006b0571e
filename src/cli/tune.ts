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
import cliProgress from 'cli-progress';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { formatBackendInfo, initBackend } from '../nn/backend.js';
import { CheckpointError, hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../nn/checkpoint.js';
import { StateFileError, appendLine, checkOutputDirectory, createOutputDirectory, isFile, readJsonLines, writeFileAtomic } from '../stateFiles.js';
import { Trainer, type TrainerState } from '../nn/trainer.js';

// The run configuration and the model/data factory are library code (src/tune/factory.ts), which the studies
// share; re-exported here for the callers that know them from this module.
import { TUNE_FLAGS, TUNE_METHODS, buildModel, hyperSpaceFor, isRunLogLine, loadData, validateTuneConfig, type RunLogLine, type TuneConfig } from '../tune/factory.js';
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

/**
 * Runs (or resumes) a tune run; `progress` shows a bar on a TTY; `log` gets the progress lines (stderr).
 * @throws InvalidArgumentError naming the flag of a bad configuration field; OutputPathError naming `--out`
 *   (or `--resume`) for a directory that cannot be created or written; CheckpointError / StateFileError naming
 *   `--resume` for a checkpoint or log that cannot be used, or `--epochs` below the epochs already done.
 */
export async function runTune(config: TuneConfig, out: string, options: { resume?: boolean; progress?: boolean; log?: (s: string) => void } = {}): Promise<TuneResult> {
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
  options.log?.(`backend: ${formatBackendInfo(backend)}`);
  const { model, space } = buildModel(config);
  let trainer: Trainer;
  try {
    const data = loadData(config);
    trainer = new Trainer(model, space, data, { method: config.method, epochs: config.epochs, batchSize: config.batchSize, warmupEpochs: config.warmupEpochs, lrWeights: config.lrWeights, lrHyper: config.lrHyper, seed: config.seed, lrMilestones: config.lrMilestones, lrGamma: config.lrGamma, patience: config.patience, hypergradientBeta: config.tuneLr === 'hd' ? (config.lrHdBeta ?? 1e-4) : undefined });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const epochs: RunLogLine[] = [...previous];
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
    if (options.resume && trainer.done()) options.log?.(`${out}: the run has finished (${previous.length} epoch(s)); nothing to train`);
    while (!trainer.done()) {
      const bar = options.progress ? new cliProgress.SingleBar({ format: `epoch ${trainer.state.epoch + 1}/${config.epochs} [{bar}] {value}/{total} steps`, stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
      let started = false;
      // Asynchronous reads: the same numbers as runEpoch on every backend, and the only way WebGPU can read.
      const res = await trainer.runEpochAsync((done, total) => {
        if (bar && !started) {
          bar.start(total, 0);
          started = true;
        }
        bar?.update(done);
      });
      bar?.stop();
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
      options.log?.(
        `epoch ${res.epoch + 1}: train ${res.train.loss.toFixed(4)} / ${(100 * res.train.accuracy).toFixed(1)}%, val ${res.val.loss.toFixed(4)} / ${(100 * res.val.accuracy).toFixed(1)}%` +
          (res.test ? `, test ${(100 * res.test.accuracy).toFixed(1)}%` : '') +
          `, ${Object.entries(res.hyper)
            .map(([k, v]) => `${k}=${v.value.toPrecision(3)}`)
            .join(' ')} (${res.seconds.toFixed(1)} s)`,
      );
    }
    const summary: TuneSummary = { config, backend: backend.name, device: backend.device ?? null, ...(stopped ? { stopped } : {}), epochs: epochs.length, final: epochs[epochs.length - 1] ?? null, done: !stopped && trainer.done() };
    writeFileAtomic(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n', dirFlag);
  } finally {
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
