/**
 * `deltastn tune --model mlp|cnn|alexnet --dataset mnist|fashion-mnist|cifar10 --method
 * delta-stn|delta-stn-linearized|stn|centered-stn|fixed [--epochs N] [--hparams name=value,…] [--seed S]
 * [--out DIR] [--resume DIR] [--backend B] [--data-dir PATH] [--batch-size B] [--train-size N] [--width W]
 * [--warmup N] [--lr X] [--lr-hyper X]`: trains a network while tuning its hyperparameters, writing a JSONL log
 * per epoch (train/val/test loss and accuracy, every hyperparameter in its constrained units, σ, wall time), a
 * checkpoint every epoch and a final summary. `--resume DIR` continues a run from its checkpoint with the
 * configuration saved there; a resumed run gives the same numbers as one that was not interrupted.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from '../errors.js';
import { formatBackendInfo, initBackend } from '../nn/backend.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../nn/checkpoint.js';
import { NN_METHODS, Trainer, type EpochLog } from '../nn/trainer.js';

// The run configuration and the model/data factory are library code (src/tune/factory.ts), which the studies
// share; re-exported here for the callers that know them from this module.
import { buildModel, loadData, type TuneConfig } from '../tune/factory.js';
export { buildModel, loadData, type TuneConfig };

/** Parses `name=value,name=value`. */
export function parseHparams(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!text) return out;
  for (const part of text.split(',').filter((p) => p.trim().length > 0)) {
    const pieces = part.split('=').map((x) => x.trim());
    const [name, value] = pieces;
    const v = Number(value);
    // FIX (tests): `dropout1=` (Number('') is 0) and `a=1=2` (the tail was dropped) were accepted silently,
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
  epochs: EpochLog[];
  stopped?: string;
  out: string;
}

/** Runs (or resumes) a tune run; `progress` shows a bar on a TTY. */
export async function runTune(config: TuneConfig, out: string, options: { resume?: boolean; progress?: boolean; log?: (s: string) => void } = {}): Promise<TuneResult> {
  if (!NN_METHODS.includes(config.method)) throw new InvalidArgumentError('--method', NN_METHODS.join(' | '), config.method);
  const backend = await initBackend(config.backend);
  options.log?.(`backend: ${formatBackendInfo(backend)}`);
  mkdirSync(out, { recursive: true });
  const { model, space } = buildModel(config);
  const data = loadData(config);
  const trainer = new Trainer(model, space, data, { method: config.method, epochs: config.epochs, batchSize: config.batchSize, warmupEpochs: config.warmupEpochs, lrWeights: config.lrWeights, lrHyper: config.lrHyper, seed: config.seed, lrMilestones: config.lrMilestones, lrGamma: config.lrGamma, patience: config.patience });
  if (options.resume) trainer.restore(loadCheckpoint(out).state);
  const logPath = join(out, 'log.jsonl');
  if (!options.resume || !existsSync(logPath)) writeFileSync(logPath, '');
  else {
    // FIX (tests): each epoch's line is appended before its checkpoint is saved, so a run killed between the
    // two left a line for an epoch the checkpoint does not have, and the resumed run wrote it a second time.
    // Keep only the lines of the epochs the checkpoint holds.
    const done = trainer.state.epoch;
    const kept = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line.trim().length === 0) return false;
        try {
          return (JSON.parse(line) as { epoch?: unknown }).epoch as number < done;
        } catch {
          return false;
        }
      });
    writeFileSync(logPath, kept.map((l) => l + '\n').join(''));
  }
  const epochs: EpochLog[] = [];
  let stopped: string | undefined;
  try {
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
        break;
      }
      epochs.push(res);
      appendFileSync(logPath, JSON.stringify({ ...res, backend: backend.name, device: backend.device }) + '\n');
      saveCheckpoint(out, await trainer.snapshotAsync(), config);
      options.log?.(
        `epoch ${res.epoch + 1}: train ${res.train.loss.toFixed(4)} / ${(100 * res.train.accuracy).toFixed(1)}%, val ${res.val.loss.toFixed(4)} / ${(100 * res.val.accuracy).toFixed(1)}%` +
          (res.test ? `, test ${(100 * res.test.accuracy).toFixed(1)}%` : '') +
          `, ${Object.entries(res.hyper)
            .map(([k, v]) => `${k}=${v.value.toPrecision(3)}`)
            .join(' ')} (${res.seconds.toFixed(1)} s)`,
      );
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  const summary = { config, backend: backend.name, device: backend.device, stopped, epochs: epochs.length, final: epochs[epochs.length - 1] ?? null };
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return { config, backend: backend.name, epochs, stopped, out };
}

/** Reads the configuration saved in a run directory's checkpoint (for `--resume`). */
export function resumeConfig(dir: string): TuneConfig {
  if (!hasCheckpoint(dir)) throw new InvalidArgumentError('--resume', 'a run directory with a checkpoint', dir);
  return loadCheckpoint(dir).meta as TuneConfig;
}
