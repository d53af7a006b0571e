/**
 * What a network method sees of the trainer: the model, the hyperparameter space, the data, the resolved
 * settings, the two parameter groups (w0 = `general`, Θ = `response`), the four optimizers, the mutable state,
 * and the batch helpers every step needs. The trainer implements it; a method never holds state of its own, so a
 * checkpoint of the trainer is a checkpoint of the method.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset.js';
import type { Rng } from '../../rng.js';
import type { HyperSpace } from '../hyper.js';
import type { StnNetwork } from '../models.js';
import type { MomentumSgd, VectorOptimizer, VectorOptimizerState } from '../optimizers.js';
import type { Reading } from '../reading.js';

/** The methods of the network engine (one module each under src/nn/methods/). */
export type NnMethod = 'fixed' | 'stn' | 'centered-stn' | 'delta-stn' | 'delta-stn-linearized' | 'darts1' | 'darts2';

/** Train, validation and (optional) test sets. */
export interface TrainerData {
  train: Dataset;
  val: Dataset;
  test?: Dataset;
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

/** The settings a step reads (the trainer's resolved configuration, defaults filled in). */
export interface StepSettings {
  readonly method: NnMethod;
  /** τ, the entropy weight of the scale step. */
  readonly entropyWeight: number;
  /** Whether σ is tuned (then the hyper step perturbs; else n = 0). */
  readonly tuneScales: boolean;
  /** DARTS second order: ξ (null: the weights' current learning rate). */
  readonly dartsXi: number | null;
  /** DARTS second order: R = dartsScale/‖∇_{w′}L_V‖. */
  readonly dartsScale: number;
}

/** The trainer as a method sees it (module remarks). */
export interface StepContext {
  readonly model: StnNetwork;
  readonly space: HyperSpace;
  readonly data: TrainerData;
  readonly settings: StepSettings;
  /** w0: every parameter the hypernetwork does not scale. */
  readonly general: readonly tf.Variable[];
  /** Θ: the hypernetwork's response parameters. */
  readonly response: readonly tf.Variable[];
  /** The weights' optimizer: w0 alone, or w0 and Θ together for a joint method (`NetworkMethod.jointWeights`). */
  readonly optGeneral: MomentumSgd;
  /** Θ's optimizer for methods with a separate response step. */
  readonly optResponse: MomentumSgd;
  readonly optLambda: VectorOptimizer;
  readonly optScale: VectorOptimizer;
  state: TrainerState;
  /** Images of the given examples as a batch tensor shaped for the model (the caller disposes it). */
  images(ds: Dataset, indices: ArrayLike<number>): tf.Tensor;
  /** Integer labels of the given examples (the caller disposes them). */
  labels(ds: Dataset, indices: ArrayLike<number>): tf.Tensor1D;
  /** The input augmentations at per-example hyperparameter values (returns `x` itself when there are none). */
  augmentInputs(x: tf.Tensor, hyperValues: number[][], rng: Rng): tf.Tensor;
  /** The unconstrained rows a cell reads (λ, or the given rows); null for models that read none. */
  hyperRows(rows?: number[][]): tf.Tensor2D | null;
}

/**
 * One method of the network engine, mirroring the small engine's `HypergradientMethod` (src/bilevel/methods.ts):
 * how it trains the weights on a training batch, and how it moves λ (and σ) on a validation batch. Adding a method
 * is one new module implementing this, and one line in the registry (src/nn/methods/index.ts).
 */
export interface NetworkMethod {
  readonly name: NnMethod;
  /** One line for help texts. */
  readonly summary: string;
  /** h_net = ε (centered) rather than λ + ε (STN's uncentered form), at train, hyper and evaluation time. */
  readonly centered: boolean;
  /** w0 and Θ are stepped together by one optimizer (STN's joint objective); else each has its own step. */
  readonly jointWeights: boolean;
  /** Whether the method takes hyper steps at all (the fixed method does not: every epoch is a warm-up). */
  readonly tunesHyperparameters: boolean;
  /** Whether the space must hold architecture weights (DARTS). */
  readonly needsArchitecture: boolean;
  /**
   * One training step on `x` (the batch's images, owned by the caller) with labels `y` and the examples'
   * `indices`; returns the training loss (a non-finite value makes the epoch stop and restore).
   */
  trainStep(ctx: StepContext, x: tf.Tensor, y: tf.Tensor1D, indices: Int32Array, rng: Rng): Reading<number>;
  /**
   * One hyper step on validation examples `indices` (evaluation mode; `trainIndices`: a training batch for
   * methods that need one, DARTS second order); returns the validation loss.
   */
  hyperStep(ctx: StepContext, indices: Int32Array, rng: Rng, trainIndices: Int32Array): Reading<number>;
}
