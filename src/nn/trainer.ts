/**
 * One trainer for every method on real networks (spec §2.3, §3.5): plain training with fixed hyperparameters,
 * STN, centered STN, Δ-STN and the linearized Δ-STN, sharing warm-up, the T_train : T_val cycle, SGD with
 * momentum for the weights, RMSprop or Adam for λ and s, the entropy weight τ, a step learning-rate schedule,
 * early stopping, and per-epoch train/validation/test evaluation.
 *
 * Train step, per method (B examples, ε_i ∼ N(0, diag σ²) per example, T(·) the constrained values):
 * - `fixed`: min_{w} CE(f(x; w, masks at T(λ))); λ never moves.
 * - `stn`: min_{w0,Θ} CE(f(x̃; w0 + Θ(λ + ε_i), masks at T(λ + ε_i))) jointly (h_net = λ + ε, uncentered).
 * - `centered-stn`: the same with h_net = ε.
 * - `delta-stn`: general step min_{w0} CE(f(x; w0, masks at T(λ))) (x augmented at λ), then response step
 *   min_Θ CE(f(x̃; w0 + Θε, masks at T(λ + ε))) (x̃ augmented per example at λ + ε_i).
 * - `delta-stn-linearized`: the response step uses f(x̃; w0, masks) + J_w f·Θε from the tangent pass.
 * Hyper step (evaluation mode, no dropout, no augmentation, a validation batch): n_i ∼ N(0, I) when σ is
 * tuned (else 0), h_net,i = (λ for STN, 0 centered) + σ ⊙ n_i; the loss is CE − τℍ(σ);
 * ∂/∂λ = Σ_i ∂CE/∂h_net,i, ∂/∂s_k = sigmoid(s_k)(Σ_i n_ik ∂CE/∂h_net,ik − τ/σ_k) (spec §3.4).
 *
 * - `darts1`, `darts2` (architecture search, DARTS; Liu et al. 2019): the train step is the fixed method's at
 *   the architecture weights α = λ; the hyper step descends ∇_α L_V(w, α) (first order) or the one-step
 *   unrolled hypergradient ∇_α L_V(w′, α) − ξ [∇_α L_T(w⁺, α) − ∇_α L_T(w⁻, α)]/(2R) with w′ = w − ξ∇_w L_T(w, α),
 *   w± = w ± R∇_{w′}L_V(w′, α), R = 0.01/‖∇_{w′}L_V(w′, α)‖ (second order, DARTS eq. 7–8; the unrolled step is
 *   plain SGD, without DARTS's momentum term).
 * A model whose blocks read hyperparameters directly (a DARTS cell's α, src/nn/cells.ts) also gets the rows
 * λ + ε (`ForwardContext.hyper`), and the STN-family hyper step adds the direct term ∂L_V/∂α to the response
 * term ∂L_V/∂h_net, both at the same perturbed rows.
 *
 * Determinism: epoch e draws its batch order, perturbations and masks from `new Rng(seed, e)` only, so a run
 * resumed from the checkpoint of epoch e repeats the uninterrupted run exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Dataset } from '../data/dataset.js';
import { HyperSpace, column, sigmoid } from './hyper.js';
import type { StnNetwork, Masks } from './models.js';
import { oneHotCrossEntropy } from './ops.js';
import { read, readAsync, readRows, readSync, type Reading } from './reading.js';
import { MomentumSgd, VectorOptimizer, type VectorOptimizerState } from './optimizers.js';
import { adjustBrightness, adjustContrast, cutout, jitterFactors } from './regularizers.js';

/** The methods of the trainer. */
export type NnMethod = 'fixed' | 'stn' | 'centered-stn' | 'delta-stn' | 'delta-stn-linearized' | 'darts1' | 'darts2';
export const NN_METHODS: readonly NnMethod[] = ['fixed', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized', 'darts1', 'darts2'];

/** True for the DARTS methods (no hypernetwork: the weights are trained at λ, α moves by DARTS's gradient). */
export function isDarts(method: NnMethod): boolean {
  return method === 'darts1' || method === 'darts2';
}

/** Trainer settings; defaults are the Δ-STN reference's (spec §1.5) where they apply. */
export interface TrainerConfig {
  method: NnMethod;
  epochs: number;
  batchSize?: number;
  /** Epochs of train steps only (with perturbations) before hyper steps start (default 0; the reference uses 5). */
  warmupEpochs?: number;
  trainSteps?: number;
  valSteps?: number;
  lrWeights?: number;
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
}

/** Train, validation and (optional) test sets. */
export interface TrainerData {
  train: Dataset;
  val: Dataset;
  test?: Dataset;
}

/** Loss and accuracy on one set. */
export interface Evaluation {
  loss: number;
  accuracy: number;
}

/** One epoch's log record (one JSONL line). */
export interface EpochLog {
  epoch: number;
  method: NnMethod;
  train: Evaluation;
  val: Evaluation;
  test?: Evaluation;
  /** Each hyperparameter's constrained value and σ. */
  hyper: Record<string, { value: number; scale: number }>;
  lambda: number[];
  rawScale: number[];
  trainSteps: number;
  hyperSteps: number;
  seconds: number;
  learningRate: number;
}

/** Everything needed to resume (weights as float32 arrays in the model's parameter order). */
export interface TrainerState {
  epoch: number;
  trainSteps: number;
  hyperSteps: number;
  lambda: number[];
  rawScale: number[];
  weights: Float32Array[];
  generalMomentum: Float32Array[];
  responseMomentum: Float32Array[];
  lambdaOptimizer: VectorOptimizerState;
  scaleOptimizer: VectorOptimizerState;
  bestVal: number;
  epochsSinceBest: number;
  learningRate: number;
}

/** Mean cross-entropy of integer labels (src/nn/ops.ts: stable log-softmax, no tf.gather, float one-hot). */
function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  // The labels come from a Dataset, which checked them when it was made; WebGPU cannot read them back synchronously.
  return oneHotCrossEntropy(logits, labels, 'mean', { labelsChecked: tf.getBackend() === 'webgpu' });
}

/** The trainer (see the module remarks). */
export class Trainer {
  readonly model: StnNetwork;
  readonly space: HyperSpace;
  readonly config: Required<Omit<TrainerConfig, 'lrMilestones' | 'patience' | 'dartsXi'>> & { lrMilestones: number[]; patience: number; dartsXi: number | null };
  private readonly data: TrainerData;
  private readonly general: tf.Variable[];
  private readonly response: tf.Variable[];
  private readonly optGeneral: MomentumSgd;
  private readonly optResponse: MomentumSgd;
  private readonly optLambda: VectorOptimizer;
  private readonly optScale: VectorOptimizer;
  private readonly augment: { cutoutLength?: number; cutoutHoles?: number; brightness?: number; contrast?: number };
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
    };
    if (c.dartsXi !== null && !(c.dartsXi >= 0 && Number.isFinite(c.dartsXi))) throw new InvalidArgumentError('dartsXi', 'ξ ≥ 0', c.dartsXi);
    if (!(c.dartsScale > 0 && Number.isFinite(c.dartsScale))) throw new InvalidArgumentError('dartsScale', 'a finite number > 0', c.dartsScale);
    if (isDarts(c.method) && space.indicesOfKind('architecture').length === 0) throw new InvalidArgumentError('method', 'a space with architecture weights for DARTS (src/nn/cells.ts)', c.method);
    for (const [k, v] of Object.entries({ epochs: c.epochs, batchSize: c.batchSize, trainSteps: c.trainSteps, valSteps: c.valSteps, evalBatchSize: c.evalBatchSize })) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(k, 'an integer ≥ 1', v);
    }
    if (!Number.isInteger(c.warmupEpochs) || c.warmupEpochs < 0) throw new InvalidArgumentError('warmupEpochs', 'an integer ≥ 0', c.warmupEpochs);
    if (!(c.entropyWeight >= 0)) throw new InvalidArgumentError('entropyWeight', 'τ ≥ 0', c.entropyWeight);
    const shape = data.train.shape;
    const want = model.inputShape.reduce((a, b) => a * b, 1);
    if (shape[0] * shape[1] * shape[2] !== want) throw new InvalidArgumentError('data', `images of ${want} values (the model's input ${JSON.stringify(model.inputShape)})`, JSON.stringify(shape));
    this.model = model;
    this.space = space;
    this.config = c;
    this.data = data;
    const params = model.parameters();
    this.general = params.general;
    this.response = params.response;
    // STN-type joint methods step every parameter with one optimizer (spec §3.5); Δ-STN has two.
    this.optGeneral = new MomentumSgd(c.method === 'stn' || c.method === 'centered-stn' ? [...this.general, ...this.response] : this.general, c.lrWeights, c.momentum);
    this.optResponse = new MomentumSgd(this.response, c.lrWeights, c.momentum);
    this.optLambda = new VectorOptimizer(c.hyperOptimizer, space.h, c.lrHyper);
    this.optScale = new VectorOptimizer(c.hyperOptimizer, space.h, c.lrScale);
    const idx = (kind: Parameters<HyperSpace['indicesOfKind']>[0]): number | undefined => space.indicesOfKind(kind)[0];
    this.augment = { cutoutLength: idx('cutout-length'), cutoutHoles: idx('cutout-holes'), brightness: idx('brightness'), contrast: idx('contrast') };
    this.state = {
      epoch: 0,
      trainSteps: 0,
      hyperSteps: 0,
      lambda: space.initialLambda(),
      rawScale: space.initialRawScale(),
      weights: [],
      generalMomentum: [],
      responseMomentum: [],
      lambdaOptimizer: this.optLambda.state(),
      scaleOptimizer: this.optScale.state(),
      bestVal: Infinity,
      epochsSinceBest: 0,
      learningRate: c.lrWeights,
    };
  }

  private get centered(): boolean {
    return this.config.method !== 'stn';
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

  private disposeMasks(masks: Masks): void {
    for (const m of masks.values()) m.dispose();
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
    const { method } = this.config;
    const ds = this.data.train;
    const B = indices.length;
    const x0 = this.images(ds, indices);
    const y = this.labels(ds, indices);
    let loss = NaN;
    try {
      if (method === 'fixed' || method === 'delta-stn' || method === 'delta-stn-linearized' || isDarts(method)) {
        // Unperturbed: the fixed method's only step (DARTS's weight step), and Δ-STN's general step.
        const values = Array.from({ length: B }, () => this.space.hyperValues(this.state.lambda));
        const x = this.augmentInputs(x0, values, rng);
        const masks = this.model.sampleMasks(values, rng);
        const hyper = this.hyperRows();
        const { value, grads } = tf.variableGrads(() => crossEntropy(this.model.forward(x, { hnet: null, masks, hyper }), y), this.general);
        hyper?.dispose();
        loss = (yield* read(value))[0];
        this.optGeneral.step(this.general.map((v) => grads[v.name]));
        value.dispose();
        tf.dispose(grads);
        this.disposeMasks(masks);
        if (x !== x0) x.dispose();
        if (method === 'fixed' || isDarts(method)) return loss;
      }
      const p = this.space.samplePerturbed(this.state.lambda, this.state.rawScale, B, rng);
      const x = this.augmentInputs(x0, p.hyperValues, rng);
      const masks = this.model.sampleMasks(p.hyperValues, rng);
      const hnet = tf.tensor2d(this.centered ? p.perturbation : p.perturbed, [B, this.space.h], 'float32');
      const hyper = this.hyperRows(p.perturbed);
      const vars = method === 'stn' || method === 'centered-stn' ? [...this.general, ...this.response] : this.response;
      const { value, grads } = tf.variableGrads(() => {
        if (method === 'delta-stn-linearized') {
          // Only Θ is trained here: the tangent skips the products that would carry gradients to w0 and x.
          const [f0, df] = this.model.tangent(x, masks, hnet, hyper, { responseOnly: true });
          return crossEntropy(tf.add(f0, df) as tf.Tensor2D, y);
        }
        return crossEntropy(this.model.forward(x, { hnet, masks, hyper }), y);
      }, vars);
      hyper?.dispose();
      const responseLoss = (yield* read(value))[0];
      const opt = method === 'stn' || method === 'centered-stn' ? this.optGeneral : this.optResponse;
      opt.step(vars.map((v) => grads[v.name] ?? tf.zerosLike(v)));
      value.dispose();
      tf.dispose(grads);
      hnet.dispose();
      this.disposeMasks(masks);
      if (x !== x0) x.dispose();
      if (method === 'stn' || method === 'centered-stn') return responseLoss;
      // FIX (tests): Δ-STN returned only the general loss, so a response step that diverged (NaN/∞ in Θ) went
      // unnoticed during warm-up (no hyper step reads Θ, and evaluation uses h_net = 0) and was checkpointed.
      // A non-finite response loss is now reported, which makes runEpoch stop and restore the last good state.
      return Number.isFinite(responseLoss) ? loss : responseLoss;
    } finally {
      x0.dispose();
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
    if (isDarts(this.config.method)) return yield* this.dartsHyperStep(indices, trainIndices ?? Int32Array.from({ length: Math.min(indices.length, this.data.train.size) }, (_, i) => i));
    const ds = this.data.val;
    const B = indices.length;
    const h = this.space.h;
    const sigma = this.space.scale(this.state.rawScale);
    const noise = Array.from({ length: B }, () => Array.from({ length: h }, () => (this.config.tuneScales ? rng.normal() : 0)));
    const rows = noise.map((n) => n.map((nk, k) => (this.centered ? 0 : this.state.lambda[k]) + sigma[k] * nk));
    const x = this.images(ds, indices);
    const y = this.labels(ds, indices);
    const hnet = tf.tensor2d(rows, [B, h], 'float32');
    const empty: Masks = new Map();
    let g: number[][];
    let loss: number;
    if (this.model.readsHyper) {
      // Direct term: the cells read the perturbed rows λ + σ⊙n themselves. ∂/∂λ and ∂/∂(σ⊙n) of the loss are
      // then the sums of the gradients w.r.t. h_net (response) and w.r.t. the rows (direct).
      const rowsT = tf.tensor2d(noise.map((n) => n.map((nk, k) => this.state.lambda[k] + sigma[k] * nk)), [B, h], 'float32');
      const { value, grads } = tf.valueAndGrads((hn: tf.Tensor, a: tf.Tensor) => crossEntropy(this.model.forward(x, { hnet: hn as tf.Tensor2D, masks: empty, hyper: a as tf.Tensor2D }), y))([hnet, rowsT]);
      const total = tf.add(grads[0], grads[1]);
      g = yield* readRows(total as tf.Tensor2D);
      loss = (yield* read(value))[0];
      tf.dispose([rowsT, value, total, ...grads]);
    } else {
      const { value, grad } = tf.valueAndGrad((hn: tf.Tensor) => crossEntropy(this.model.forward(x, { hnet: hn as tf.Tensor2D, masks: empty }), y))(hnet);
      g = yield* readRows(grad as tf.Tensor2D);
      loss = (yield* read(value))[0];
      tf.dispose([value, grad]);
    }
    tf.dispose([x, y, hnet]);
    const gLambda = Array.from({ length: h }, (_, k) => g.reduce((acc, row) => acc + row[k], 0));
    this.state.lambda = this.optLambda.step(this.state.lambda, gLambda);
    if (this.config.tuneScales) {
      const tau = this.config.entropyWeight;
      const gScale = this.state.rawScale.map((s, k) => sigmoid(s) * (g.reduce((acc, row, i) => acc + row[k] * noise[i][k], 0) - tau / sigma[k]));
      this.state.rawScale = this.optScale.step(this.state.rawScale, gScale);
    }
    this.state.hyperSteps++;
    return loss;
  }

  /** CE of a batch in evaluation mode (no masks, h_net = 0) with the architecture rows `hyper` ([1, h]). */
  private plainLoss(ds: Dataset, indices: Int32Array, hyper: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => crossEntropy(this.model.forward(this.images(ds, indices), { hnet: null, masks: new Map(), hyper }), this.labels(ds, indices)));
  }

  /** ∇_α of {@link plainLoss} at λ, and the loss. */
  private *alphaGradient(ds: Dataset, indices: Int32Array): Reading<{ loss: number; grad: number[] }> {
    const a = tf.tensor2d([this.state.lambda], [1, this.space.h], 'float32');
    const { value, grad } = tf.valueAndGrad((av: tf.Tensor) => this.plainLoss(ds, indices, av as tf.Tensor2D))(a);
    const out = { loss: (yield* read(value))[0], grad: Array.from(yield* read(grad)) };
    tf.dispose([a, value, grad]);
    return out;
  }

  /**
   * DARTS's architecture step (module remarks): first order ∇_α L_V(w, α); second order with the one-step
   * unrolled weights and the finite-difference mixed product around w (not w′), divided by 2R.
   */
  private *dartsHyperStep(valIndices: Int32Array, trainIndices: Int32Array): Reading<number> {
    const c = this.config;
    let loss: number;
    let g: number[];
    if (c.method === 'darts1') {
      ({ loss, grad: g } = yield* this.alphaGradient(this.data.val, valIndices));
    } else {
      const xi = c.dartsXi ?? this.state.learningRate;
      const w = this.general.map((v) => tf.clone(v));
      const alpha = tf.tensor2d([this.state.lambda], [1, this.space.h], 'float32');
      try {
        // w′ = w − ξ ∇_w L_T(w, α) on the training batch.
        const train = tf.variableGrads(() => this.plainLoss(this.data.train, trainIndices, alpha), this.general);
        this.general.forEach((v) => tf.tidy(() => v.assign(tf.sub(v, tf.mul(train.grads[v.name], xi)))));
        tf.dispose([train.value, train.grads]);
        // ∇_α L_V(w′, α) and v = ∇_{w′} L_V(w′, α): α as a temporary variable next to the weights.
        const alphaVar = tf.variable(alpha, true, `darts-alpha#${++dartsAlphaVariables}`);
        const val = tf.variableGrads(() => this.plainLoss(this.data.val, valIndices, alphaVar as tf.Tensor2D), [alphaVar, ...this.general]);
        loss = (yield* read(val.value))[0];
        const direct = Array.from(yield* read(val.grads[alphaVar.name]));
        const v = this.general.map((u) => val.grads[u.name]);
        const gradAlpha = function* (this: Trainer): Reading<number[]> {
          return (yield* this.alphaGradient(this.data.train, trainIndices)).grad;
        }.bind(this);
        const { product } = yield* mixedProductReading(this.general, w, v, gradAlpha, c.dartsScale);
        tf.dispose([val.value, val.grads]);
        alphaVar.dispose();
        g = direct.map((d, k) => d - xi * product[k]);
      } finally {
        this.general.forEach((v, i) => v.assign(w[i]));
        tf.dispose([...w, alpha]);
      }
    }
    this.state.lambda = this.optLambda.step(this.state.lambda, g);
    this.state.hyperSteps++;
    return loss;
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
        const hnet = this.centered ? null : tf.tile(tf.tensor2d([this.state.lambda], [1, this.space.h]), [idx.length, 1]) as tf.Tensor2D;
        const logits = this.model.forward(x, { hnet, masks: new Map(), hyper: this.hyperRows() });
        return [crossEntropy(logits, y), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'))];
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

  private *epochReading(onStep?: (done: number, total: number) => void): Reading<EpochLog | { stopped: string }> {
    const c = this.config;
    const epoch = this.state.epoch;
    const before = yield* this.snapshotReading();
    const t0 = performance.now();
    const rng = new Rng(c.seed * 1_000_003 + epoch);
    const valRng = new Rng(c.seed * 1_000_003 + epoch + 500_000);
    const n = this.data.train.size;
    const order = permutation(n, rng);
    const valOrder = permutation(this.data.val.size, valRng);
    let valPos = 0;
    const steps = Math.ceil(n / c.batchSize);
    const warm = epoch < c.warmupEpochs || c.method === 'fixed';
    for (let s = 0; s < steps; s++) {
      const idx = order.subarray(s * c.batchSize, Math.min(n, (s + 1) * c.batchSize));
      const loss = yield* this.trainStepReading(idx, rng);
      if (!Number.isFinite(loss)) return this.stop(before, `training loss became ${loss} at epoch ${epoch}, step ${s}`);
      if (!warm && (s + 1) % c.trainSteps === 0) {
        for (let v = 0; v < c.valSteps; v++) {
          if (valPos + c.batchSize > valOrder.length) valPos = 0;
          const vidx = valOrder.subarray(valPos, Math.min(valOrder.length, valPos + c.batchSize));
          valPos += vidx.length;
          const vl = yield* this.hyperStepReading(vidx, valRng, idx);
          if (!Number.isFinite(vl) || !this.state.lambda.every(Number.isFinite) || !this.state.rawScale.every(Number.isFinite)) return this.stop(before, `hyper step produced a non-finite value at epoch ${epoch}, step ${s}`);
        }
      }
      onStep?.(s + 1, steps);
    }
    const train = yield* this.evaluateReading(this.data.train);
    const val = yield* this.evaluateReading(this.data.val);
    const test = this.data.test ? yield* this.evaluateReading(this.data.test) : undefined;
    if (!Number.isFinite(train.loss) || !Number.isFinite(val.loss)) return this.stop(before, `evaluation loss became non-finite at epoch ${epoch}`);
    this.state.epoch++;
    if (val.loss < this.state.bestVal) {
      this.state.bestVal = val.loss;
      this.state.epochsSinceBest = 0;
    } else this.state.epochsSinceBest++;
    if (c.lrMilestones.includes(this.state.epoch)) {
      this.state.learningRate *= c.lrGamma;
      this.optGeneral.learningRate = this.state.learningRate;
      this.optResponse.learningRate = this.state.learningRate;
    }
    return {
      epoch,
      method: c.method,
      train,
      val,
      test,
      hyper: this.space.summary(this.state.lambda, this.state.rawScale),
      lambda: [...this.state.lambda],
      rawScale: [...this.state.rawScale],
      trainSteps: this.state.trainSteps,
      hyperSteps: this.state.hyperSteps,
      seconds: (performance.now() - t0) / 1000,
      learningRate: this.state.learningRate,
    };
  }

  /** True once early stopping or the epoch budget says so. */
  done(): boolean {
    return this.state.epoch >= this.config.epochs || this.state.epochsSinceBest >= this.config.patience;
  }

  private stop(before: TrainerState, reason: string): { stopped: string } {
    this.restore(before);
    return { stopped: `${reason}; stopped, keeping the last good state (end of epoch ${before.epoch})` };
  }

  /** The full state, with weights and optimizer buffers copied out. */
  snapshot(): TrainerState {
    return readSync(this.snapshotReading());
  }

  /** {@link snapshot} with asynchronous reads (every backend, WebGPU included). */
  snapshotAsync(): Promise<TrainerState> {
    return readAsync(this.snapshotReading());
  }

  private *snapshotReading(): Reading<TrainerState> {
    const vars = [...this.general, ...this.response];
    const copies = function* (ts: readonly tf.Tensor[]): Reading<Float32Array[]> {
      const out: Float32Array[] = [];
      for (const t of ts) out.push(Float32Array.from(yield* read(t)));
      return out;
    };
    return {
      ...structuredClone({ ...this.state, weights: [], generalMomentum: [], responseMomentum: [] }),
      weights: yield* copies(vars),
      generalMomentum: yield* copies(this.optGeneral.buffersOrEmpty()),
      responseMomentum: yield* copies(this.optResponse.buffersOrEmpty()),
      lambdaOptimizer: this.optLambda.state(),
      scaleOptimizer: this.optScale.state(),
    };
  }

  /** Restores a state from {@link snapshot} (or a checkpoint). */
  restore(state: TrainerState): void {
    const vars = [...this.general, ...this.response];
    if (state.weights.length !== vars.length) throw new InvalidArgumentError('state.weights', `${vars.length} arrays (this model)`, state.weights.length);
    vars.forEach((v, i) => {
      if (state.weights[i].length !== v.size) throw new InvalidArgumentError(`state.weights[${i}]`, `${v.size} values`, state.weights[i].length);
      // FIX (tests): the temporary tensor was never disposed (numTensors grew by one per variable per restore).
      tf.tidy(() => v.assign(tf.tensor(state.weights[i], v.shape)));
    });
    this.optGeneral.setState(state.generalMomentum);
    this.optResponse.setState(state.responseMomentum);
    this.optLambda.setState(state.lambdaOptimizer);
    this.optScale.setState(state.scaleOptimizer);
    this.optGeneral.learningRate = state.learningRate;
    this.optResponse.learningRate = state.learningRate;
    this.state = { ...structuredClone({ ...state, weights: [], generalMomentum: [], responseMomentum: [] }), weights: [], generalMomentum: [], responseMomentum: [] };
  }

  dispose(): void {
    this.optGeneral.dispose();
    this.optResponse.dispose();
  }
}

/** tfjs registers variables by name globally: each temporary α variable gets a fresh one. */
let dartsAlphaVariables = 0;

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

/**
 * DARTS's finite-difference mixed product (DARTS eq. 8):
 *
 * $$\nabla^2_{\alpha w}\mathcal L_T(w, \alpha)\, v \approx \frac{\nabla_\alpha \mathcal L_T(w^+, \alpha) - \nabla_\alpha \mathcal L_T(w^-, \alpha)}{2R},\qquad w^\pm = w \pm R v,\quad R = \frac{\text{scale}}{\|v\|}.$$
 *
 * `variables` are the weights; `center` holds w (the point of the product: in DARTS the current weights, not
 * the unrolled w′ — evaluating at w′ is a known bug of re-implementations); `direction` is v; `gradAlpha()`
 * returns ∇_α L_T at the variables' current values. The variables are left at `center`. Error O(R²) plus
 * float32 rounding of order ε_mach‖∇_α L_T‖/R. v = 0 gives the zero product (R would be infinite).
 */
export function finiteDifferenceMixedProduct(variables: readonly tf.Variable[], center: readonly tf.Tensor[], direction: readonly tf.Tensor[], gradAlpha: () => number[], scale = 0.01): { product: number[]; R: number } {
  // eslint-disable-next-line require-yield -- a synchronous callback lifted into a Reading
  return readSync(mixedProductReading(variables, center, direction, function* () { return gradAlpha(); }, scale));
}

/** {@link finiteDifferenceMixedProduct} as a {@link Reading}: the same arithmetic with reads any backend can do. */
function* mixedProductReading(variables: readonly tf.Variable[], center: readonly tf.Tensor[], direction: readonly tf.Tensor[], gradAlpha: () => Reading<number[]>, scale: number): Reading<{ product: number[]; R: number }> {
  if (variables.length !== center.length || variables.length !== direction.length) throw new InvalidArgumentError('direction', `${variables.length} tensors (one per variable)`, direction.length);
  let sumSq = 0;
  for (const d of direction) {
    const s2 = tf.tidy(() => tf.sum(tf.square(d)));
    try {
      sumSq += (yield* read(s2))[0];
    } finally {
      s2.dispose();
    }
  }
  const norm = Math.sqrt(sumSq);
  const shifted = function* (sign: number, R: number): Reading<number[]> {
    variables.forEach((u, i) => tf.tidy(() => u.assign(tf.add(center[i], tf.mul(direction[i], sign * R)))));
    return yield* gradAlpha();
  };
  try {
    if (norm === 0) return { product: (yield* gradAlpha()).map(() => 0), R: Infinity };
    const R = scale / norm;
    const plus = yield* shifted(1, R);
    const minus = yield* shifted(-1, R);
    return { product: plus.map((p, k) => (p - minus[k]) / (2 * R)), R };
  } finally {
    variables.forEach((u, i) => u.assign(center[i]));
  }
}
