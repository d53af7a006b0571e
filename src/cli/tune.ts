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
import { Rng } from '../rng.js';
import { loadCifar10 } from '../data/cifar10.js';
import { splitDataset, subset, type Dataset } from '../data/dataset.js';
import { loadFashionMnist } from '../data/fashionMnist.js';
import { mnistSplit } from '../data/mnist.js';
import { formatBackendInfo, initBackend, type BackendName } from '../nn/backend.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../nn/checkpoint.js';
import { HyperSpace, dropConnectSpec, channelDropoutSpec, cutoutHolesSpec, cutoutLengthSpec, dropoutSpec, inputDropoutSpec, type HyperparameterSpec } from '../nn/hyper.js';
import { alexNet, mlp, simpleCnn, type StnNetwork } from '../nn/models.js';
import { NN_METHODS, Trainer, type EpochLog, type NnMethod, type TrainerData } from '../nn/trainer.js';

/** The configuration of a `tune` run (saved in its checkpoints, so `--resume` needs nothing else). */
export interface TuneConfig {
  model: 'mlp' | 'cnn' | 'alexnet';
  dataset: 'mnist' | 'fashion-mnist' | 'cifar10';
  method: NnMethod;
  epochs: number;
  seed: number;
  batchSize: number;
  /** Use only the first N examples of the (shuffled) training set; 0 = all. */
  trainSize: number;
  /** Width multiplier of the model (1 = the paper's sizes). */
  width: number;
  warmupEpochs: number;
  /** Multiply the weights' learning rate by `lrGamma` at these epochs (default none). */
  lrMilestones?: number[];
  lrGamma?: number;
  /** Early stopping: stop after this many epochs without a better validation loss (default never). */
  patience?: number;
  lrWeights: number;
  lrHyper: number;
  /** Initial hyperparameter values by name. */
  hparams: Record<string, number>;
  /** MLP only: add a DropConnect rate (per minibatch) on the hidden-to-hidden weights. */
  dropConnect?: boolean;
  dataDir?: string;
  backend: BackendName;
}

/** The hyperparameter space and network for a model (hyperparameters declared once, here). */
export function buildModel(config: Pick<TuneConfig, 'model' | 'width' | 'seed' | 'hparams' | 'dropConnect'>): { model: StnNetwork; space: HyperSpace } {
  const rng = new Rng(config.seed);
  const init = (name: string): { init?: number } => (config.hparams[name] === undefined ? {} : { init: config.hparams[name] });
  let specs: HyperparameterSpec[];
  let model: StnNetwork;
  const w = config.width;
  if (config.dropConnect && config.model !== 'mlp') throw new InvalidArgumentError('--dropconnect', 'the mlp model (DropConnect is on its dense hidden-to-hidden weights)', config.model);
  switch (config.model) {
    case 'mlp':
      specs = [inputDropoutSpec('dropout_input', init('dropout_input')), dropoutSpec('dropout1', init('dropout1')), dropoutSpec('dropout2', init('dropout2'))];
      if (config.dropConnect) specs.push(dropConnectSpec('dropconnect', init('dropconnect')));
      model = mlp({ rng, hidden: [Math.max(1, Math.round(1200 * w)), Math.max(1, Math.round(1200 * w))], dropConnect: config.dropConnect });
      break;
    case 'cnn':
      specs = [
        channelDropoutSpec('dropout0', init('dropout0')),
        channelDropoutSpec('dropout1', init('dropout1')),
        channelDropoutSpec('dropout2', init('dropout2')),
        dropoutSpec('dropout_fc', init('dropout_fc')),
        cutoutLengthSpec('cutout_length', init('cutout_length')),
        cutoutHolesSpec('cutout_holes', init('cutout_holes')),
      ];
      model = simpleCnn({ rng, channels: [Math.max(1, Math.round(16 * w)), Math.max(1, Math.round(32 * w))], fc: Math.max(1, Math.round(1568 * w)), hyperDim: 6 });
      break;
    case 'alexnet':
      specs = [0, 1, 2, 3, 4].map((k) => channelDropoutSpec(`dropout${k}`, init(`dropout${k}`)));
      specs.push(dropoutSpec('dropout_fc1', init('dropout_fc1')), dropoutSpec('dropout_fc2', init('dropout_fc2')));
      model = alexNet({ rng, width: w });
      break;
  }
  // FIX (tests): the checks ran after the network was built, so an unknown name (or a bad initial value)
  // threw with the model's variables still registered: a leak, and its names were taken.
  let space: HyperSpace;
  try {
    space = new HyperSpace(specs);
    for (const name of Object.keys(config.hparams)) space.index(name); // typed error for an unknown name
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, space };
}

/** Train/validation/test sets for a dataset: seeded splits, no downloads. */
export function loadData(config: Pick<TuneConfig, 'dataset' | 'seed' | 'trainSize' | 'dataDir'>): TrainerData {
  let data: TrainerData;
  if (config.dataset === 'mnist') {
    const s = mnistSplit(config.seed);
    data = { train: s.train, val: s.val, test: s.test };
  } else {
    const full = config.dataset === 'fashion-mnist' ? loadFashionMnist({ dir: config.dataDir }) : loadCifar10({ dir: config.dataDir });
    // Validation split of the training set as in C1 (15% Fashion-MNIST, 20% CIFAR-10); the official test set.
    const valFraction = config.dataset === 'fashion-mnist' ? 0.15 : 0.2;
    const s = splitDataset(full.train, { fractions: { train: 1 - valFraction, val: valFraction, test: 0 } }, config.seed);
    data = { train: s.train, val: s.val, test: full.test };
  }
  if (config.trainSize > 0 && config.trainSize < data.train.size) {
    const keep = (ds: Dataset, n: number): Dataset => subset(ds, Int32Array.from({ length: Math.min(n, ds.size) }, (_, i) => i));
    const n = config.trainSize;
    data = { train: keep(data.train, n), val: keep(data.val, Math.max(1, Math.ceil(n / 4))), test: data.test ? keep(data.test, Math.max(1, Math.ceil(n / 4))) : undefined };
  }
  return data;
}

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
