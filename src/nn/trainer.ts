/**
 * One trainer for every method on real networks (docs/math.md#s2-3, #s3-5): the training loop — warm-up, the
 * T_train : T_val cycle, SGD with momentum for the weights, RMSprop or Adam for λ and s, the entropy weight τ, a
 * step learning-rate schedule, early stopping, per-epoch train/validation/test evaluation, snapshots — written
 * once. What differs between methods (fixed, STN, centered STN, Δ-STN, Δ-STN linearized, DARTS-1, DARTS-2) is
 * their train step and hyper step, one module each under src/nn/methods/ behind {@link NetworkMethod}.
 *
 * Evaluation uses h_net = λ for the uncentered STN and h_net = 0 (w0) for every centered method, with no masks.
 * A model whose blocks read hyperparameters directly (a DARTS cell's α, src/nas/cell.ts) also gets the rows λ
 * (or λ + ε in a perturbed step: `ForwardContext.hyper`).
 *
 * Determinism: epoch e draws its batch order, perturbations and masks from the two generators of
 * {@link epochSeeds}(seed, e) only, so a run resumed from the checkpoint of epoch e repeats the uninterrupted run
 * exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Dataset } from '../data/dataset.js';
import { HyperSpace, column } from './hyper.js';
import type { StnNetwork } from './models.js';
import { read, readAsync, readSync, type Reading } from './reading.js';
import { MomentumSgd, VectorOptimizer } from './optimizers.js';
import { NETWORK_METHODS, NN_METHODS, type NetworkMethod, type NnMethod, type StepContext, type TrainerData, type TrainerState } from './methods/index.js';
import { modelLoss } from './methods/steps.js';
import { initialTrainerState, readTrainerState, restoreTrainerState, type TrainerOptimizers } from './trainerState.js';
import { adjustBrightness, adjustContrast, cutout, jitterFactors } from './regularizers.js';
import { runEpoch, type EpochLoop, type EpochLog, type Evaluation } from './epochLoop.js';

export { NETWORK_METHODS, NN_METHODS, isDarts, finiteDifferenceMixedProduct } from './methods/index.js';
export type { NetworkMethod, NnMethod, StepContext, TrainerData, TrainerState } from './methods/index.js';
export type { EpochLog, Evaluation } from './epochLoop.js';

/** Trainer settings; defaults are the Δ-STN reference's (docs/math.md#s1-5) where they apply. */
export interface TrainerConfig {
  method: NnMethod;
  epochs: number;
  batchSize?: number;
  /** Epochs of train steps only (with perturbations) before hyper steps start (default 0; the reference uses 5). */
  warmupEpochs?: number;
  trainSteps?: number;
  valSteps?: number;
  lrWeights?: number;
  /**
   * Θ's learning rate (the response parameters) for the methods that step Θ on its own objective (Δ-STN, Δ-STN
   * linearized; default `lrWeights`). It stays the ratio `lrResponse / lrWeights` times the weights' current α,
   * so a milestone or hypergradient descent scales both alike. The joint methods (STN, centered STN) step w0 and
   * Θ with one optimizer (docs/math.md#s3-5): for them a value other than `lrWeights` is a typed error.
   */
  lrResponse?: number;
  momentum?: number;
  lrHyper?: number;
  lrScale?: number;
  hyperOptimizer?: 'rmsprop' | 'adam';
  entropyWeight?: number;
  tuneScales?: boolean;
  /** Multiply the weights' learning rate by `lrGamma` at these epochs (default none; AlexNet used [60,120,180], 0.2). */
  lrMilestones?: number[];
  lrGamma?: number;
  /** Stop when the validation loss has not improved for this many epochs (default: never). */
  patience?: number;
  seed?: number;
  evalBatchSize?: number;
  /** DARTS second order: ξ, the unrolled step (default: the weights' current learning rate, as in DARTS). */
  dartsXi?: number;
  /** DARTS second order: R = dartsScale/‖∇_{w′}L_V‖ in the finite-difference product (default 0.01, DARTS). */
  dartsScale?: number;
  /**
   * Tune the weights' learning rate online by hypergradient descent with this β (Baydin et al. 2018; default
   * none): src/nn/optimizers.ts. It acts on w0's optimizer at every train step; at each epoch's end the response
   * optimizer takes the same α, which the log reports as `learningRate` (and a milestone then scales).
   */
  hypergradientBeta?: number;
}

/** The trainer (see the module remarks). */
export class Trainer {
  readonly model: StnNetwork;
  readonly space: HyperSpace;
  readonly config: Required<Omit<TrainerConfig, 'lrMilestones' | 'patience' | 'dartsXi' | 'hypergradientBeta'>> & { lrMilestones: number[]; patience: number; dartsXi: number | null; hypergradientBeta: number | null };
  private readonly data: TrainerData;
  private readonly general: tf.Variable[];
  /** State no optimizer moves (BatchNorm's running statistics): snapshots carry it after the weights. */
  private readonly buffers: tf.Variable[];
  private readonly response: tf.Variable[];
  private readonly optGeneral: MomentumSgd;
  private readonly optResponse: MomentumSgd;
  private readonly optLambda: VectorOptimizer;
  private readonly optScale: VectorOptimizer;
  private readonly augment: { cutoutLength?: number; cutoutHoles?: number; brightness?: number; contrast?: number };
  /** The method's train and hyper steps (src/nn/methods/). */
  readonly method: NetworkMethod;
  /** What the method's steps see of this trainer. */
  private readonly context: StepContext;
  state: TrainerState;

  constructor(model: StnNetwork, space: HyperSpace, data: TrainerData, config: TrainerConfig) {
    if (!NN_METHODS.includes(config.method)) throw new InvalidArgumentError('method', NN_METHODS.join(' | '), config.method);
    if (model.hyperDim !== space.h) throw new InvalidArgumentError('space', `${model.hyperDim} hyperparameters (the model's hypernetwork input)`, space.h);
    const c = {
      method: config.method,
      epochs: config.epochs,
      batchSize: config.batchSize ?? 128,
      warmupEpochs: config.warmupEpochs ?? 0,
      trainSteps: config.trainSteps ?? 5,
      valSteps: config.valSteps ?? 1,
      lrWeights: config.lrWeights ?? 1e-2,
      lrResponse: config.lrResponse ?? config.lrWeights ?? 1e-2,
      momentum: config.momentum ?? 0.9,
      lrHyper: config.lrHyper ?? 1e-2,
      lrScale: config.lrScale ?? config.lrHyper ?? 1e-2,
      hyperOptimizer: config.hyperOptimizer ?? 'rmsprop',
      entropyWeight: config.entropyWeight ?? 1e-3,
      tuneScales: config.tuneScales ?? true,
      lrMilestones: config.lrMilestones ?? [],
      lrGamma: config.lrGamma ?? 0.2,
      patience: config.patience ?? Infinity,
      seed: config.seed ?? 0,
      evalBatchSize: config.evalBatchSize ?? 500,
      dartsXi: config.dartsXi ?? null,
      dartsScale: config.dartsScale ?? 0.01,
      hypergradientBeta: config.hypergradientBeta ?? null,
    };
    if (c.dartsXi !== null && !(c.dartsXi >= 0 && Number.isFinite(c.dartsXi))) throw new InvalidArgumentError('dartsXi', 'ξ ≥ 0', c.dartsXi);
    if (!(c.dartsScale > 0 && Number.isFinite(c.dartsScale))) throw new InvalidArgumentError('dartsScale', 'a finite number > 0', c.dartsScale);
    const method = NETWORK_METHODS[c.method];
    if (space.indicesOfKind('weight-decay').length > 1) throw new InvalidArgumentError('space', 'at most one weight-decay hyperparameter (it scales every kernel)', space.indicesOfKind('weight-decay').length);
    if (method.needsArchitecture && space.indicesOfKind('architecture').length === 0) throw new InvalidArgumentError('method', 'a space with architecture weights for DARTS (src/nas/space.ts)', c.method);
    for (const [k, v] of Object.entries({ epochs: c.epochs, batchSize: c.batchSize, trainSteps: c.trainSteps, valSteps: c.valSteps, evalBatchSize: c.evalBatchSize })) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(k, 'an integer ≥ 1', v);
    }
    if (!Number.isInteger(c.warmupEpochs) || c.warmupEpochs < 0) throw new InvalidArgumentError('warmupEpochs', 'an integer ≥ 0', c.warmupEpochs);
    if (!(c.lrWeights > 0 && Number.isFinite(c.lrWeights))) throw new InvalidArgumentError('lrWeights', 'a finite number > 0', c.lrWeights);
    if (!(c.lrResponse > 0 && Number.isFinite(c.lrResponse))) throw new InvalidArgumentError('lrResponse', 'a finite number > 0', c.lrResponse);
    if (method.jointWeights && c.lrResponse !== c.lrWeights) throw new InvalidArgumentError('lrResponse', `no separate value for ${c.method} (it steps w0 and Θ with one optimizer at lrWeights = ${c.lrWeights})`, c.lrResponse);
    if (!(c.entropyWeight >= 0)) throw new InvalidArgumentError('entropyWeight', 'τ ≥ 0', c.entropyWeight);
    const shape = data.train.shape;
    const want = model.inputShape.reduce((a, b) => a * b, 1);
    if (shape[0] * shape[1] * shape[2] !== want) throw new InvalidArgumentError('data', `images of ${want} values (the model's input ${JSON.stringify(model.inputShape)})`, JSON.stringify(shape));
    this.model = model;
    this.space = space;
    this.config = c;
    this.method = method;
    this.data = data;
    const params = model.parameters();
    this.general = params.general;
    this.response = params.response;
    this.buffers = params.buffers ?? [];
    // STN-type joint methods step every parameter with one optimizer (docs/math.md#s3-5); Δ-STN has two.
    this.optGeneral = new MomentumSgd(method.jointWeights ? [...this.general, ...this.response] : this.general, c.lrWeights, c.momentum, c.hypergradientBeta === null ? {} : { hypergradientBeta: c.hypergradientBeta });
    this.optResponse = new MomentumSgd(this.response, c.lrResponse, c.momentum);
    this.optLambda = new VectorOptimizer(c.hyperOptimizer, space.h, c.lrHyper);
    this.optScale = new VectorOptimizer(c.hyperOptimizer, space.h, c.lrScale);
    const idx = (kind: Parameters<HyperSpace['indicesOfKind']>[0]): number | undefined => space.indicesOfKind(kind)[0];
    this.augment = { cutoutLength: idx('cutout-length'), cutoutHoles: idx('cutout-holes'), brightness: idx('brightness'), contrast: idx('contrast') };
    this.state = initialTrainerState(space, this.optimizers(), c.lrWeights);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context's `state` reads and writes this trainer's
    const trainer = this;
    this.context = {
      model,
      space,
      data,
      settings: c,
      general: this.general,
      response: this.response,
      optGeneral: this.optGeneral,
      optResponse: this.optResponse,
      optLambda: this.optLambda,
      optScale: this.optScale,
      get state() {
        return trainer.state;
      },
      set state(value: TrainerState) {
        trainer.state = value;
      },
      images: (ds, indices) => this.images(ds, indices),
      labels: (ds, indices) => this.labels(ds, indices),
      augmentInputs: (x, values, rng) => this.augmentInputs(x, values, rng),
      hyperRows: (rows) => this.hyperRows(rows),
    };
  }

  /** Images of the given examples as a batch tensor shaped for the model. */
  private images(ds: Dataset, indices: ArrayLike<number>): tf.Tensor {
    const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
    const out = new Float32Array(indices.length * per);
    for (let i = 0; i < indices.length; i++) out.set(ds.images.subarray(indices[i] * per, (indices[i] + 1) * per), i * per);
    return tf.tensor(out, [indices.length, ...this.model.inputShape]);
  }

  private labels(ds: Dataset, indices: ArrayLike<number>): tf.Tensor1D {
    return tf.tensor1d(Array.from(indices, (i) => ds.labels[i]), 'int32');
  }

  /** Applies the input augmentations (cutout, brightness, contrast) with per-example values. */
  private augmentInputs(x: tf.Tensor, hyperValues: number[][], rng: Rng): tf.Tensor {
    const a = this.augment;
    if (a.cutoutLength === undefined && a.brightness === undefined && a.contrast === undefined) return x;
    if (x.rank !== 4) throw new InvalidArgumentError('model', 'image inputs (NHWC) for augmentation hyperparameters', this.model.name);
    let img = x as tf.Tensor4D;
    const owned: tf.Tensor[] = [];
    if (a.cutoutLength !== undefined) {
      const holes = a.cutoutHoles !== undefined ? column(hyperValues, a.cutoutHoles) : hyperValues.map(() => 1);
      img = cutout(img, column(hyperValues, a.cutoutLength), holes, rng);
      owned.push(img);
    }
    if (a.brightness !== undefined) {
      img = adjustBrightness(img, jitterFactors(column(hyperValues, a.brightness), rng));
      owned.push(img);
    }
    if (a.contrast !== undefined) {
      img = adjustContrast(img, jitterFactors(column(hyperValues, a.contrast), rng));
      owned.push(img);
    }
    for (const t of owned) if (t !== img) t.dispose();
    return img;
  }

  /**
   * The unconstrained rows a cell reads (`ForwardContext.hyper`): λ as one row, or the given per-example rows;
   * null for models that read no hyperparameter directly (nothing is built for them).
   */
  private hyperRows(rows?: number[][]): tf.Tensor2D | null {
    if (!this.model.readsHyper) return null;
    const r = rows ?? [this.state.lambda];
    return tf.tensor2d(r, [r.length, this.space.h], 'float32');
  }

  /** One training step on the given example indices; returns the training loss. */
  trainStep(indices: Int32Array, rng: Rng): number {
    return readSync(this.trainStepReading(indices, rng));
  }

  /** {@link trainStep} with asynchronous reads: the same step on every backend, WebGPU included. */
  trainStepAsync(indices: Int32Array, rng: Rng): Promise<number> {
    return readAsync(this.trainStepReading(indices, rng));
  }

  private *trainStepReading(indices: Int32Array, rng: Rng): Reading<number> {
    const ds = this.data.train;
    const x = this.images(ds, indices);
    const y = this.labels(ds, indices);
    try {
      return yield* this.method.trainStep(this.context, x, y, indices, rng);
    } finally {
      x.dispose();
      y.dispose();
      this.state.trainSteps++;
    }
  }

  /**
   * One hyper step on validation examples (evaluation mode); returns the validation loss. DARTS second order
   * also needs a training batch (`trainIndices`, default the first B training examples).
   */
  hyperStep(indices: Int32Array, rng: Rng, trainIndices?: Int32Array): number {
    return readSync(this.hyperStepReading(indices, rng, trainIndices));
  }

  /** {@link hyperStep} with asynchronous reads (every backend, WebGPU included). */
  hyperStepAsync(indices: Int32Array, rng: Rng, trainIndices?: Int32Array): Promise<number> {
    return readAsync(this.hyperStepReading(indices, rng, trainIndices));
  }

  private *hyperStepReading(indices: Int32Array, rng: Rng, trainIndices?: Int32Array): Reading<number> {
    return yield* this.method.hyperStep(this.context, indices, rng, trainIndices ?? Int32Array.from({ length: Math.min(indices.length, this.data.train.size) }, (_, i) => i));
  }

  /** Loss and accuracy on a set at the current hyperparameter's weights (w0 centered; w0 + Θλ for STN). */
  evaluate(ds: Dataset): Evaluation {
    return readSync(this.evaluateReading(ds));
  }

  /** {@link evaluate} with asynchronous reads (every backend, WebGPU included). */
  evaluateAsync(ds: Dataset): Promise<Evaluation> {
    return readAsync(this.evaluateReading(ds));
  }

  private *evaluateReading(ds: Dataset): Reading<Evaluation> {
    let lossSum = 0;
    let correct = 0;
    const bs = this.config.evalBatchSize;
    for (let start = 0; start < ds.size; start += bs) {
      const idx = Int32Array.from({ length: Math.min(bs, ds.size - start) }, (_, i) => start + i);
      const [lossT, hitsT] = tf.tidy(() => {
        const x = this.images(ds, idx);
        const y = this.labels(ds, idx);
        const hnet = this.method.centered ? null : tf.tile(tf.tensor2d([this.state.lambda], [1, this.space.h]), [idx.length, 1]) as tf.Tensor2D;
        const logits = this.model.forward(x, { hnet, masks: new Map(), hyper: this.hyperRows() });
        // L_V is the model's own loss, unsmoothed (a squared-loss model reports its squared loss, not cross-entropy).
        return [modelLoss(this.model, logits, y), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'))];
      });
      try {
        lossSum += (yield* read(lossT))[0] * idx.length;
        correct += (yield* read(hitsT))[0];
      } finally {
        tf.dispose([lossT, hitsT]);
      }
    }
    return { loss: lossSum / ds.size, accuracy: correct / ds.size };
  }

  /**
   * Runs one epoch (train steps over the training set in T_train : T_val cycles after the warm-up), evaluates,
   * and returns its log record, or `{ stopped }` if a loss became non-finite (the state is then the one from
   * before the epoch: the last good one).
   */
  runEpoch(onStep?: (done: number, total: number) => void): EpochLog | { stopped: string } {
    return readSync(this.epochReading(onStep));
  }

  /** {@link runEpoch} with asynchronous reads: the same epoch, the same numbers, on every backend (WebGPU included). */
  runEpochAsync(onStep?: (done: number, total: number) => void): Promise<EpochLog | { stopped: string }> {
    return readAsync(this.epochReading(onStep));
  }

  private epochReading(onStep?: (done: number, total: number) => void): Reading<EpochLog | { stopped: string }> {
    return runEpoch(this.epochLoop(), onStep);
  }

  /**
   * This trainer as the shared epoch loop sees it (src/nn/epochLoop.ts): a pass is the training set in minibatches
   * of `batchSize` in the order of a permutation drawn from the epoch's training generator, each hyper step on the
   * next minibatch of a permutation of the validation set (from the validation generator; it wraps around), with
   * the current training minibatch for DARTS second order; the evaluations are of the three sets; after the epoch
   * the learning-rate schedule.
   */
  private epochLoop(): EpochLoop<Evaluation> {
    const c = this.config;
    return {
      trainer: this,
      snapshot: () => this.snapshotReading(),
      begin: (rng, valRng) => {
        const n = this.data.train.size;
        const order = permutation(n, rng);
        const valOrder = permutation(this.data.val.size, valRng);
        let valPos = 0;
        let idx = order.subarray(0, 0);
        return {
          steps: Math.ceil(n / c.batchSize),
          trainStep: (k) => {
            idx = order.subarray(k * c.batchSize, Math.min(n, (k + 1) * c.batchSize));
            return this.trainStepReading(idx, rng);
          },
          hyperStep: () => {
            if (valPos + c.batchSize > valOrder.length) valPos = 0;
            const vidx = valOrder.subarray(valPos, Math.min(valOrder.length, valPos + c.batchSize));
            valPos += vidx.length;
            return this.hyperStepReading(vidx, valRng, idx);
          },
          evaluate: () => this.epochEvaluation(),
        };
      },
      afterEpoch: () => this.scheduleReading(),
    };
  }

  /** The evaluations of an epoch's end: training, validation and (if given) test set. */
  private *epochEvaluation(): Reading<{ train: Evaluation; val: Evaluation; test?: Evaluation }> {
    const train = yield* this.evaluateReading(this.data.train);
    const val = yield* this.evaluateReading(this.data.val);
    const test = this.data.test ? yield* this.evaluateReading(this.data.test) : undefined;
    return { train, val, test };
  }

  /**
   * The learning-rate schedule at an epoch's end (after the epoch is counted): hypergradient descent's α read off
   * the device, then a milestone's factor γ.
   */
  private *scheduleReading(): Reading<void> {
    const c = this.config;
    const rate = this.optGeneral.learningRateTensor();
    if (rate) {
      // Hypergradient descent moved α on the device during the epoch: read it once, and let the response
      // optimizer take it too (at epoch ends only, so a resumed run repeats the uninterrupted one).
      const alpha = (yield* read(rate))[0];
      this.optGeneral.syncLearningRate(alpha);
      this.state.learningRate = alpha;
      this.optResponse.learningRate = this.responseRate(alpha);
    }
    if (c.lrMilestones.includes(this.state.epoch)) {
      this.state.learningRate *= c.lrGamma;
      this.optGeneral.learningRate = Math.max(this.state.learningRate, Number.MIN_VALUE);
      this.optResponse.learningRate = this.responseRate(this.state.learningRate);
    }
  }

  /** True once early stopping or the epoch budget says so. */
  done(): boolean {
    return this.state.epoch >= this.config.epochs || this.state.epochsSinceBest >= this.config.patience;
  }

  /** The full state, with weights and optimizer buffers copied out. */
  snapshot(): TrainerState {
    return readSync(this.snapshotReading());
  }

  /** {@link snapshot} with asynchronous reads (every backend, WebGPU included). */
  snapshotAsync(): Promise<TrainerState> {
    return readAsync(this.snapshotReading());
  }

  private snapshotReading(): Reading<TrainerState> {
    return readTrainerState(this.state, [...this.general, ...this.response, ...this.buffers], this.optimizers());
  }

  /** The optimizers a {@link TrainerState} carries (src/nn/trainerState.ts). */
  private optimizers(): TrainerOptimizers {
    return { general: this.optGeneral, response: this.optResponse, lambda: this.optLambda, scale: this.optScale };
  }

  /** Restores a state from {@link snapshot} (or a checkpoint). */
  restore(state: TrainerState): void {
    const scalars = restoreTrainerState(state, [...this.general, ...this.response, ...this.buffers], this.optimizers());
    this.optGeneral.learningRate = Math.max(state.learningRate, Number.MIN_VALUE);
    this.optResponse.learningRate = this.responseRate(state.learningRate);
    this.state = scalars;
  }

  /** Θ's learning rate when the weights' is `alpha`: α · lrResponse / lrWeights (see {@link TrainerConfig.lrResponse}). */
  private responseRate(alpha: number): number {
    return Math.max(alpha * (this.config.lrResponse / this.config.lrWeights), Number.MIN_VALUE);
  }

  dispose(): void {
    this.optGeneral.dispose();
    this.optResponse.dispose();
  }
}

/** A seeded Fisher–Yates permutation of 0..n−1. */
function permutation(n: number, rng: Rng): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
