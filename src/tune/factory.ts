/**
 * The model and data factory of the network engine's runs: a run's configuration ({@link TuneConfig}), the
 * network and hyperparameter space for a model name ({@link buildModel}: hyperparameters declared once, here), and
 * the seeded train/validation/test sets for a dataset name ({@link loadData}, no downloads). `deltastn tune`, the
 * comparison study and the architecture search all build their runs through it (design: cli → studies → engines).
 */
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import { loadCifar10 } from '../data/cifar10.js';
import { splitDataset, subset, type Dataset } from '../data/dataset.js';
import { loadFashionMnist } from '../data/fashionMnist.js';
import { mnistSplit } from '../data/mnist.js';
import { BACKEND_NAMES, isBackendName, type BackendName } from '../nn/backend.js';
import { HyperSpace, weightDecaySpec, labelSmoothingSpec, dropConnectSpec, channelDropoutSpec, cutoutHolesSpec, cutoutLengthSpec, dropoutSpec, inputDropoutSpec, brightnessSpec, contrastSpec, rotationSpec, translationSpec, affineScaleSpec, hueSpec, saturationSpec, type HyperparameterSpec } from '../nn/hyper.js';
import { alexNet, mlp, simpleCnn, type StnNetwork } from '../nn/models.js';
import { resnet, toRgb32 } from '../nn/resnet.js';
import { loadTextCorpus, splitText } from '../data/text.js';
import { LanguageModel, LanguageModelTrainer, languageModelSpecs, type TextData } from '../nn/languageModel.js';
import { NN_METHODS, isDarts, type EpochLog, type NnMethod, type TrainerData } from '../nn/trainer.js';

/** The configuration of a `tune` run (saved in its checkpoints, so `--resume` needs nothing else). */
export interface TuneConfig {
  model: 'mlp' | 'cnn' | 'alexnet' | 'resnet' | 'lstm';
  /** `fashion-mnist-rgb32`: Fashion-MNIST padded to 32×32 and tiled to 3 channels (for the CIFAR-shaped models). */
  dataset: 'mnist' | 'fashion-mnist' | 'cifar10' | 'fashion-mnist-rgb32' | 'moby-dick';
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
  /** Tune the weights' learning rate by hypergradient descent ('hd', Baydin et al. 2018) from `lrWeights`. */
  tuneLr?: 'hd';
  /** β of hypergradient descent (with `tuneLr: 'hd'`; default 1e-4). */
  lrHdBeta?: number;
  /** σ0, the initial perturbation scale of every hyperparameter (unconstrained units; default 1): `--sigma`. */
  sigma?: number;
  /** τ, the entropy weight of the hyper objective (default 1e-3, the trainer's): `--tau`. */
  entropyWeight?: number;
  /** Θ's (the response's) learning rate for Δ-STN (default `lrWeights`; src/nn/trainer.ts `lrResponse`): `--lr-response`. */
  lrResponse?: number;
  dataDir?: string;
  backend: BackendName;
}

/** The methods a `tune` run can use: every network method except DARTS, which needs architecture weights (`search`). */
export const TUNE_METHODS: readonly NnMethod[] = NN_METHODS.filter((m) => !isDarts(m));

/** The models and datasets a `tune` run (and a `compare` study) can use. */
export const TUNE_MODELS = ['mlp', 'cnn', 'alexnet', 'resnet', 'lstm'] as const;
export const TUNE_DATASETS = ['mnist', 'fashion-mnist', 'cifar10', 'fashion-mnist-rgb32', 'moby-dick'] as const;

/**
 * Each model's defaults, written once for `tune` and `compare`: the data set a study uses when `--dataset` is not
 * given, and the weights' learning rate when `--lr` is not (the lstm model trains by plain SGD with clipping, as
 * the STN reference's language model, at 5; the image models by SGD with momentum at 0.01). Which data sets a
 * model accepts and which hyperparameters it refuses are checked by {@link validateTuneConfig} and
 * {@link hyperSpaceFor}.
 */
export const MODEL_DEFAULTS: Readonly<Record<TuneConfig['model'], { dataset: TuneConfig['dataset']; lrWeights: number }>> = {
  mlp: { dataset: 'mnist', lrWeights: 1e-2 },
  cnn: { dataset: 'fashion-mnist', lrWeights: 1e-2 },
  alexnet: { dataset: 'cifar10', lrWeights: 1e-2 },
  resnet: { dataset: 'cifar10', lrWeights: 1e-2 },
  lstm: { dataset: 'moby-dick', lrWeights: 5 },
};

/** The flag that sets each field of a {@link TuneConfig} (errors name the flag the user typed). */
export const TUNE_FLAGS: Record<keyof TuneConfig, string> = {
  model: '--model',
  dataset: '--dataset',
  method: '--method',
  epochs: '--epochs',
  seed: '--seed',
  batchSize: '--batch-size',
  trainSize: '--train-size',
  width: '--width',
  warmupEpochs: '--warmup',
  lrMilestones: '--lr-milestones',
  lrGamma: '--lr-gamma',
  patience: '--patience',
  lrWeights: '--lr',
  lrHyper: '--lr-hyper',
  hparams: '--hparams',
  dropConnect: '--dropconnect',
  tuneLr: '--tune-lr',
  lrHdBeta: '--lr-hd-beta',
  sigma: '--sigma',
  entropyWeight: '--tau',
  lrResponse: '--lr-response',
  dataDir: '--data-dir',
  backend: '--backend',
};

/**
 * Checks that `value` is a complete {@link TuneConfig} (every field of the right type and range, no field
 * outside it) and returns it. `fail(field, expected, got)` reports a bad field (the CLI names the flag, a
 * checkpoint reader names `meta.<field>`).
 */
export function validateTuneConfig(value: unknown, fail: (field: keyof TuneConfig | 'the configuration', expected: string, got: unknown) => never): TuneConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('the configuration', 'an object', value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);
  const c = value as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!Object.hasOwn(TUNE_FLAGS, k)) fail(k as keyof TuneConfig, 'absent (not a field of a tune configuration)', c[k]);
  const oneOf = (k: keyof TuneConfig, options: readonly string[]): void => {
    if (typeof c[k] !== 'string' || !options.includes(c[k] as string)) fail(k, options.join(', '), c[k]);
  };
  const int = (k: keyof TuneConfig, min: number, optional = false): void => {
    if (optional && c[k] === undefined) return;
    if (typeof c[k] !== 'number' || !Number.isSafeInteger(c[k]) || (c[k] as number) < min) fail(k, `an integer ≥ ${min}`, c[k]);
  };
  const positive = (k: keyof TuneConfig, optional = false): void => {
    if (optional && c[k] === undefined) return;
    if (typeof c[k] !== 'number' || !Number.isFinite(c[k]) || !((c[k] as number) > 0)) fail(k, 'a finite number > 0', c[k]);
  };
  oneOf('model', TUNE_MODELS);
  oneOf('dataset', TUNE_DATASETS);
  oneOf('method', TUNE_METHODS);
  oneOf('backend', BACKEND_NAMES);
  int('epochs', 1);
  int('seed', 0);
  int('batchSize', 1);
  int('trainSize', 0);
  int('warmupEpochs', 0);
  int('patience', 1, true);
  positive('width');
  positive('lrWeights');
  positive('lrHyper');
  positive('lrGamma', true);
  positive('sigma', true);
  positive('lrResponse', true);
  if (c.entropyWeight !== undefined && (typeof c.entropyWeight !== 'number' || !Number.isFinite(c.entropyWeight) || c.entropyWeight < 0)) fail('entropyWeight', 'a finite τ ≥ 0', c.entropyWeight);
  if (c.lrMilestones !== undefined && (!Array.isArray(c.lrMilestones) || !c.lrMilestones.every((m) => Number.isSafeInteger(m) && m >= 1))) fail('lrMilestones', 'an array of epochs (integers ≥ 1)', c.lrMilestones);
  const h = c.hparams;
  if (typeof h !== 'object' || h === null || Array.isArray(h) || !Object.values(h).every((v) => typeof v === 'number' && Number.isFinite(v))) fail('hparams', 'an object of finite initial values by name', h);
  if (c.dropConnect !== undefined && typeof c.dropConnect !== 'boolean') fail('dropConnect', 'true or false', c.dropConnect);
  if (c.dropConnect === true && c.model !== 'mlp') fail('dropConnect', 'false unless the model is mlp', c.dropConnect);
  // The language model trains on a text corpus, and its loop (src/nn/languageModel.ts) has no schedule or early stop.
  if ((c.model === 'lstm') !== (c.dataset === 'moby-dick')) fail('dataset', c.model === 'lstm' ? 'moby-dick (the lstm model is a language model)' : 'an image data set (moby-dick is a text corpus for --model lstm)', c.dataset);
  if (c.model === 'lstm' && (c.lrMilestones !== undefined || c.patience !== undefined || c.tuneLr !== undefined)) fail(c.lrMilestones !== undefined ? 'lrMilestones' : c.patience !== undefined ? 'patience' : 'tuneLr', 'unset for the lstm model', c.lrMilestones ?? c.patience ?? c.tuneLr);
  // Its trainer steps w0 and Θ at one rate (clipped SGD at --lr): a separate Θ rate would be silently ignored.
  if (c.model === 'lstm' && c.lrResponse !== undefined) fail('lrResponse', 'unset for the lstm model (its trainer steps Θ at --lr)', c.lrResponse);
  if (c.dataDir !== undefined && (typeof c.dataDir !== 'string' || c.dataDir.length === 0)) fail('dataDir', 'a directory path', c.dataDir);
  if (c.tuneLr !== undefined && c.tuneLr !== 'hd') fail('tuneLr', 'hd (hypergradient descent)', c.tuneLr);
  if (c.lrHdBeta !== undefined && (typeof c.lrHdBeta !== 'number' || !Number.isFinite(c.lrHdBeta) || c.lrHdBeta < 0)) fail('lrHdBeta', 'a finite β ≥ 0', c.lrHdBeta);
  if (c.lrHdBeta !== undefined && c.tuneLr !== 'hd') fail('lrHdBeta', 'unset unless --tune-lr hd', c.lrHdBeta);
  if (!isBackendName(c.backend)) fail('backend', BACKEND_NAMES.join(', '), c.backend);
  return c as unknown as TuneConfig;
}

/**
 * The hyperparameters of a model (declared once, here), with the initial values of `config.hparams`. Naming
 * `weight_decay` in `--hparams` adds weight decay, a hyperparameter of the training objective only (every model:
 * src/nn/methods/steps.ts), after the model's own; naming `label_smoothing` adds label smoothing (L_T only too) after it;
 * naming an augmentation of {@link AUGMENTATION_HPARAMS} (`rotation`, `translate`, `scale`, `hue`, `saturation`) adds
 * it after those (per-example draws applied to the training inputs: src/nn/augment.ts; image models only, hue and
 * saturation on RGB images only; the MLP reads flat rows, so not there).
 */
function hyperSpecs(config: Pick<TuneConfig, 'model' | 'hparams' | 'dropConnect' | 'sigma'>): HyperparameterSpec[] {
  const own = modelSpecs(config);
  const decay = config.hparams.weight_decay === undefined ? own : [...own, weightDecaySpec('weight_decay', { init: config.hparams.weight_decay })];
  const smoothed = config.hparams.label_smoothing === undefined ? decay : [...decay, labelSmoothingSpec('label_smoothing', { init: config.hparams.label_smoothing })];
  const augment = augmentationNames(config);
  // The augmentations warp NHWC images; the MLP's inputs are flat rows and the LSTM's are tokens.
  if (augment.length > 0 && (config.model === 'lstm' || config.model === 'mlp')) throw new InvalidArgumentError('--hparams', `augmentations (${augment.join(', ')}) only on a model with image inputs (cnn, alexnet, resnet)`, config.model);
  const all = [...smoothed, ...augment.map((name) => AUGMENTATION_HPARAMS[name](name, { init: config.hparams[name] }))];
  // σ0 (`--sigma`): one initial perturbation scale for every hyperparameter of the run.
  return config.sigma === undefined ? all : all.map((s) => ({ ...s, scale: config.sigma }));
}

/** The augmentations `--hparams` can add to an image model, by name (each a per-example kind of src/nn/hyper.ts). */
export const AUGMENTATION_HPARAMS = {
  rotation: rotationSpec,
  translate: translationSpec,
  scale: affineScaleSpec,
  saturation: saturationSpec,
  hue: hueSpec,
} as const;

/** The augmentations named in `--hparams`, in {@link AUGMENTATION_HPARAMS}'s order. */
function augmentationNames(config: Pick<TuneConfig, 'hparams'>): (keyof typeof AUGMENTATION_HPARAMS)[] {
  return (Object.keys(AUGMENTATION_HPARAMS) as (keyof typeof AUGMENTATION_HPARAMS)[]).filter((n) => config.hparams[n] !== undefined);
}

/**
 * How many hyperparameters that no block of the model reads (weight decay, label smoothing, the augmentations) a
 * run's space carries: the model must count them (its hypernetwork input has one column per hyperparameter).
 */
function objectiveHyperparameters(config: Pick<TuneConfig, 'hparams'>): number {
  return (config.hparams.weight_decay === undefined ? 0 : 1) + (config.hparams.label_smoothing === undefined ? 0 : 1) + augmentationNames(config).length;
}

function modelSpecs(config: Pick<TuneConfig, 'model' | 'hparams' | 'dropConnect'>): HyperparameterSpec[] {
  const init = (name: string): { init?: number } => (config.hparams[name] === undefined ? {} : { init: config.hparams[name] });
  switch (config.model) {
    case 'mlp': {
      const specs = [inputDropoutSpec('dropout_input', init('dropout_input')), dropoutSpec('dropout1', init('dropout1')), dropoutSpec('dropout2', init('dropout2'))];
      if (config.dropConnect) specs.push(dropConnectSpec('dropconnect', init('dropconnect')));
      return specs;
    }
    case 'cnn':
      return [
        channelDropoutSpec('dropout0', init('dropout0')),
        channelDropoutSpec('dropout1', init('dropout1')),
        channelDropoutSpec('dropout2', init('dropout2')),
        dropoutSpec('dropout_fc', init('dropout_fc')),
        cutoutLengthSpec('cutout_length', init('cutout_length')),
        cutoutHolesSpec('cutout_holes', init('cutout_holes')),
      ];
    case 'alexnet': {
      const specs = [0, 1, 2, 3, 4].map((k) => channelDropoutSpec(`dropout${k}`, init(`dropout${k}`)));
      specs.push(dropoutSpec('dropout_fc1', init('dropout_fc1')), dropoutSpec('dropout_fc2', init('dropout_fc2')));
      return specs;
    }
    case 'resnet':
      // In the order src/nn/resnet.ts reads them (RESNET_HYPERPARAMETERS).
      return [
        channelDropoutSpec('dropout_stage1', init('dropout_stage1')),
        channelDropoutSpec('dropout_stage2', init('dropout_stage2')),
        channelDropoutSpec('dropout_stage3', init('dropout_stage3')),
        dropoutSpec('dropout_fc', init('dropout_fc')),
        cutoutLengthSpec('cutout_length', init('cutout_length')),
        cutoutHolesSpec('cutout_holes', init('cutout_holes')),
        brightnessSpec('brightness', init('brightness')),
        contrastSpec('contrast', init('contrast')),
      ];
    case 'lstm':
      return languageModelSpecs(config.hparams);
    default:
      throw new InvalidArgumentError('--model', TUNE_MODELS.join(', '), String(config.model));
  }
}

/**
 * The hyperparameter space of a model, without building the network (no TensorFlow.js): the check of `--hparams`
 * (names and initial values) that a run does before it starts a backend.
 * @throws InvalidArgumentError naming `--hparams` and the hyperparameter (an unknown name, an initial value
 *   outside its range), or `--dropconnect`.
 */
export function hyperSpaceFor(config: Pick<TuneConfig, 'model' | 'hparams' | 'dropConnect' | 'sigma'>): HyperSpace {
  if (config.dropConnect && config.model !== 'mlp') throw new InvalidArgumentError('--dropconnect', 'the mlp model (DropConnect is on its dense hidden-to-hidden weights)', config.model);
  const specs = hyperSpecs(config);
  const names = specs.map((s) => s.name);
  for (const name of Object.keys(config.hparams)) {
    if (!names.includes(name)) throw new InvalidArgumentError('--hparams', `names of the ${config.model} model's hyperparameters (${names.join(', ')})`, name);
  }
  // The errors name the flag and the hyperparameter (`--hparams: dropout1 …`), not the spec's index.
  try {
    return new HyperSpace(specs);
  } catch (e) {
    const k = e instanceof DeltaStnError ? /^specs\[(\d+)\]\.init$/.exec(e.argument) : null;
    if (!k) throw e;
    const spec = specs[Number(k[1])];
    throw new InvalidArgumentError('--hparams', `${spec.name} strictly inside (${spec.range[0]}, ${spec.range[1]})`, `${spec.name}=${config.hparams[spec.name]}`);
  }
}

/** The hyperparameter space and network for a model (hyperparameters declared once, in `hyperSpaceFor`). */
export function buildModel(config: Pick<TuneConfig, 'model' | 'width' | 'seed' | 'hparams' | 'dropConnect' | 'sigma'>): { model: StnNetwork; space: HyperSpace } {
  // Checked before the network is built: a bad name or initial value leaks no variables.
  const space = hyperSpaceFor(config);
  const rng = new Rng(config.seed);
  const w = config.width;
  const extra = objectiveHyperparameters(config);
  let model: StnNetwork;
  switch (config.model) {
    case 'mlp':
      model = mlp({ rng, hidden: [Math.max(1, Math.round(1200 * w)), Math.max(1, Math.round(1200 * w))], dropConnect: config.dropConnect, objectiveHyperparameters: extra });
      break;
    case 'cnn':
      model = simpleCnn({ rng, channels: [Math.max(1, Math.round(16 * w)), Math.max(1, Math.round(32 * w))], fc: Math.max(1, Math.round(1568 * w)), hyperDim: 6, objectiveHyperparameters: extra });
      break;
    case 'alexnet':
      model = alexNet({ rng, width: w, objectiveHyperparameters: extra });
      break;
    case 'resnet':
      // ResNet-20 (3 stages × 3 basic blocks, option-A shortcuts), 16/32/64 channels × the width.
      model = resnet({ rng, width: w, objectiveHyperparameters: extra });
      break;
    case 'lstm':
      throw new InvalidArgumentError('--model', 'an image model here (the lstm language model is built with its corpus: buildLanguageModelRun)', config.model);
  }
  return { model, space };
}

/** The token ids of a language-model run and the size of their vocabulary (what `loadTextData` returns). */
export interface LanguageModelData {
  data: TextData;
  vocabulary: number;
}

/**
 * The Moby Dick corpus split by sections with `seed` (character level, src/data/text.ts); `trainSize` > 0 keeps
 * the first N training characters and ⌈N/4⌉ of validation and test.
 */
export function loadTextData(config: Pick<TuneConfig, 'seed' | 'trainSize'>): LanguageModelData {
  const split = splitText('moby-dick', loadTextCorpus('moby-dick'), config.seed);
  const n = config.trainSize;
  const cut = (a: Int32Array, k: number): Int32Array => (n > 0 ? a.slice(0, k) : a);
  return { data: { train: cut(split.train, n), val: cut(split.val, Math.ceil(n / 4)), test: cut(split.test, Math.ceil(n / 4)) }, vocabulary: split.vocab.size };
}

/**
 * The language-model run of `--model lstm --dataset moby-dick`: the corpus split with the run's seed
 * ({@link loadTextData}; a study passes its seed's split as `options.data`), a 2-layer {@link LanguageModel} with
 * embedding 64·width and LSTM width 256·width, BPTT 35, and its trainer ({@link LanguageModelTrainer}: `batchSize`
 * streams for training and evaluation, plain SGD at `lrWeights` with clipping 0.25; T_train : T_val from
 * `options.trainSteps`, `options.valSteps`, else the trainer's 2 : 1).
 */
export function buildLanguageModelRun(config: TuneConfig, options: { data?: LanguageModelData; trainSteps?: number; valSteps?: number } = {}): { model: LanguageModel; space: HyperSpace; trainer: LanguageModelTrainer } {
  const space = hyperSpaceFor(config);
  const { data, vocabulary } = options.data ?? loadTextData(config);
  const size = (k: number): number => Math.max(1, Math.round(k * config.width));
  const model = new LanguageModel({ vocabulary, embedding: size(64), hidden: size(256), layers: 2, bptt: 35, rng: new Rng(config.seed), objectiveHyperparameters: objectiveHyperparameters(config) });
  try {
    const steps = { ...(options.trainSteps === undefined ? {} : { trainSteps: options.trainSteps }), ...(options.valSteps === undefined ? {} : { valSteps: options.valSteps }) };
    const trainer = new LanguageModelTrainer(model, space, data, { method: config.method, epochs: config.epochs, batchSize: config.batchSize, evalBatchSize: config.batchSize, warmupEpochs: config.warmupEpochs, lrWeights: config.lrWeights, lrHyper: config.lrHyper, seed: config.seed, entropyWeight: config.entropyWeight, ...steps });
    return { model, space, trainer };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Train/validation/test sets for a dataset: seeded splits, no downloads. */
export function loadData(config: Pick<TuneConfig, 'dataset' | 'seed' | 'trainSize' | 'dataDir'>): TrainerData {
  let data: TrainerData;
  if (config.dataset === 'moby-dick') throw new InvalidArgumentError('--dataset', 'an image data set (moby-dick is a text corpus: buildLanguageModelRun)', config.dataset);
  if (config.dataset === 'mnist') {
    const s = mnistSplit(config.seed);
    data = { train: s.train, val: s.val, test: s.test };
  } else {
    const full = config.dataset === 'cifar10' ? loadCifar10({ dir: config.dataDir }) : loadFashionMnist({ dir: config.dataDir });
    // Validation split of the training set as in C1 (15% Fashion-MNIST, 20% CIFAR-10); the official test set.
    const valFraction = config.dataset === 'cifar10' ? 0.2 : 0.15;
    const s = splitDataset(full.train, { fractions: { train: 1 - valFraction, val: valFraction, test: 0 } }, config.seed);
    data = { train: s.train, val: s.val, test: full.test };
  }
  if (config.trainSize > 0 && config.trainSize < data.train.size) {
    const keep = (ds: Dataset, n: number): Dataset => subset(ds, Int32Array.from({ length: Math.min(n, ds.size) }, (_, i) => i));
    const n = config.trainSize;
    data = { train: keep(data.train, n), val: keep(data.val, Math.max(1, Math.ceil(n / 4))), test: data.test ? keep(data.test, Math.max(1, Math.ceil(n / 4))) : undefined };
  }
  // Padded and tiled after the subset: 12 KB per image (the whole of Fashion-MNIST would take 0.86 GB).
  if (config.dataset === 'fashion-mnist-rgb32') data = { train: toRgb32(data.train), val: toRgb32(data.val), test: data.test ? toRgb32(data.test) : undefined };
  return data;
}

/** One line of a `tune` run's `log.jsonl`: an {@link EpochLog} with the backend that ran it. */
export type RunLogLine = EpochLog & { backend?: string; device?: string };

const isEvaluation = (x: unknown): boolean => typeof x === 'object' && x !== null && typeof (x as { loss?: unknown }).loss === 'number' && typeof (x as { accuracy?: unknown }).accuracy === 'number';

/**
 * Whether a parsed `log.jsonl` line is an epoch record: `epoch` an integer ≥ 0, `train` and `val` (and `test`
 * if present) `{loss, accuracy}` numbers, `hyper` an object of `{value, scale}` numbers, `lambda` an array of
 * numbers with one entry per hyperparameter. A line `{}`, `42` or `null` is not.
 */
export function isRunLogLine(x: unknown): x is RunLogLine {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const e = x as Record<string, unknown>;
  if (!Number.isSafeInteger(e.epoch) || (e.epoch as number) < 0) return false;
  if (!isEvaluation(e.train) || !isEvaluation(e.val) || (e.test !== undefined && !isEvaluation(e.test))) return false;
  if (typeof e.hyper !== 'object' || e.hyper === null || Array.isArray(e.hyper)) return false;
  const hyper = Object.values(e.hyper as Record<string, unknown>);
  if (!hyper.every((v) => typeof v === 'object' && v !== null && typeof (v as { value?: unknown }).value === 'number' && typeof (v as { scale?: unknown }).scale === 'number')) return false;
  if (!Array.isArray(e.lambda) || e.lambda.length !== hyper.length || !e.lambda.every((v) => typeof v === 'number')) return false;
  return e.seconds === undefined || typeof e.seconds === 'number';
}
