/**
 * The model and data factory of the network engine's runs: a run's configuration ({@link TuneConfig}), the
 * network and hyperparameter space for a model name ({@link buildModel}: hyperparameters declared once, here), and
 * the seeded train/validation/test sets for a dataset name ({@link loadData}, no downloads). `deltastn tune`, the
 * comparison study and the architecture search all build their runs through it (design: cli → studies → engines).
 */
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import { loadCifar10 } from '../data/cifar10.js';
import { splitDataset, subset, type Dataset } from '../data/dataset.js';
import { loadFashionMnist } from '../data/fashionMnist.js';
import { mnistSplit } from '../data/mnist.js';
import type { BackendName } from '../nn/backend.js';
import { HyperSpace, dropConnectSpec, channelDropoutSpec, cutoutHolesSpec, cutoutLengthSpec, dropoutSpec, inputDropoutSpec, type HyperparameterSpec } from '../nn/hyper.js';
import { alexNet, mlp, simpleCnn, type StnNetwork } from '../nn/models.js';
import type { NnMethod, TrainerData } from '../nn/trainer.js';

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
