/**
 * The hyperparameter space of the TensorFlow.js engine: declared once, before any model is built, and
 * read by index (never by name) inside a forward pass.
 *
 * @remarks
 * Each hyperparameter k is stored **unconstrained** as λ_k ∈ ℝ; a fixed map T_k, chosen from its range
 * [lo, hi] exactly as the reference does (C1 `hyper/container.py::register`, docs/math.md#s1-3), gives the value a
 * regularizer uses, `hyperValue` = T_k(λ_k) (⌊T_k(λ_k)⌋ for a discrete hyperparameter):
 *
 * | range                  | transform        | T(x)                        | T⁻¹(v)                         |
 * |------------------------|------------------|-----------------------------|--------------------------------|
 * | lo, hi finite          | `s_sigmoid`      | (hi − lo)·sigmoid(x) + lo   | log(v − lo) − log(hi − v)      |
 * | lo = −∞, hi finite     | `upper_softplus` | hi − log(1 + e^{hi − x})    | hi − log(e^{hi − v} − 1)       |
 * | lo finite, hi = +∞     | `lower_softplus` | log(1 + e^{x}) + lo         | log(e^{v − lo} − 1)            |
 * | lo = −∞, hi = +∞       | `linear`         | x                           | v                              |
 * | lo finite, hi = +∞, `logScale` | `exp`    | lo + e^{x}                  | log(v − lo)                    |
 *
 * The last row is ours [R], not the reference's: a spec that sets `logScale` (weight decay on a log scale, the
 * small engine's ridge convention λ = log d, src/bilevel/families.ts `ridgeProblem`) gets `exp` instead of
 * `lower_softplus`; the cross-engine ridge test (test/bridge/ridge-bridge.test.ts) needs it.
 *
 * The perturbation is ε ~ N(0, diag σ²) in the unconstrained space, σ = softplus(s) (`scale` σ, `rawScale`
 * s), one independent draw per training example, or one per minibatch for a coordinate declared
 * `perturb: 'minibatch'` (C1 `same_perturb_mb`, docs/math.md#s1-4). Its entropy is
 * ℍ = Σ_k log(σ_k √(2πe)), with ∂ℍ/∂s_k = sigmoid(s_k)/σ_k (docs/math.md#s8-6).
 *
 * Everything here is float64 JavaScript except the few `…Tf` functions the trainer differentiates through.
 *
 * @see docs/math.md#s1-3, #s1-4, #s3-4, #s8, PT-14
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NonFiniteError, ParseError, ShapeMismatchError } from '../errors.js';
import type { Rng } from '../rng.js';
import { sigmoid, softplus, softplusInverse } from '../linalg/scalar.js';

// ---------------------------------------------------------------------------------------------------------
// Scalar functions (float64)
// ---------------------------------------------------------------------------------------------------------

/** ½·log(2πe): the entropy of N(0, 1), and the per-coordinate entropy at σ = 1 (1.4189385332…). */
export const HALF_LOG_2_PI_E = 0.5 * Math.log(2 * Math.PI * Math.E);

export { sigmoid, softplus, softplusInverse } from '../linalg/scalar.js';

/** The four transforms of docs/math.md#s1-3 (the reference's names), and `exp` (ours [R], a log scale: `logScale`). */
export type TransformName = 's_sigmoid' | 'upper_softplus' | 'lower_softplus' | 'linear' | 'exp';

/**
 * The transform the reference picks for a range (C1 `register`): both bounds finite → `s_sigmoid`; only hi
 * finite → `upper_softplus`; only lo finite → `lower_softplus`; neither → `linear`.
 */
export function chooseTransform(lo: number, hi: number): TransformName {
  const loFinite = Number.isFinite(lo);
  const hiFinite = Number.isFinite(hi);
  if (loFinite && hiFinite) return 's_sigmoid';
  if (hiFinite) return 'upper_softplus';
  if (loFinite) return 'lower_softplus';
  return 'linear';
}

/**
 * T(x) for transform `name` on range [lo, hi] (formulas of docs/math.md#s1-3, the table at the top of this module).
 * The image is the open interval (lo, hi) in exact arithmetic; float64 rounding can reach a bound.
 */
export function transformForward(name: TransformName, x: number, lo: number, hi: number): number {
  switch (name) {
    case 's_sigmoid':
      return (hi - lo) * sigmoid(x) + lo;
    case 'upper_softplus':
      // hi − log(1 + e^{−x + hi}) = hi − softplus(hi − x)
      return hi - softplus(hi - x);
    case 'lower_softplus':
      return softplus(x) + lo;
    case 'linear':
      return x;
    case 'exp':
      return lo + Math.exp(x);
  }
}

/**
 * T⁻¹(v) for transform `name` on range [lo, hi].
 *
 * @throws InvalidArgumentError (naming `argument`) if v is not inside the open interval (lo, hi): the
 * inverse is ±∞ at a bound (docs/math.md#s8-5), and we never return a non-finite λ.
 */
export function transformInverse(name: TransformName, v: number, lo: number, hi: number, argument = 'value'): number {
  if (!Number.isFinite(v) || !(v > lo) || !(v < hi)) {
    throw new InvalidArgumentError(argument, `a finite value strictly inside (${lo}, ${hi}) (the image of ${name})`, v);
  }
  switch (name) {
    case 's_sigmoid':
      return Math.log(v - lo) - Math.log(hi - v);
    case 'upper_softplus':
      // hi − log(e^{hi − v} − 1) = hi − softplus⁻¹(hi − v)
      return hi - softplusInverse(hi - v, argument);
    case 'lower_softplus':
      return softplusInverse(v - lo, argument);
    case 'linear':
      return v;
    case 'exp':
      return Math.log(v - lo);
  }
}

/**
 * T(x) on tensors (float32), for code that differentiates through a transform. No flooring: discrete
 * hyperparameters are floored in float64 by {@link HyperSpace.hyperValues} and {@link HyperSpace.samplePerturbed}.
 * Returns a new tensor; the caller disposes it.
 */
export function transformTf(name: TransformName, x: tf.Tensor, lo: number, hi: number): tf.Tensor {
  return tf.tidy(() => {
    switch (name) {
      case 's_sigmoid':
        return tf.add(tf.mul(tf.sigmoid(x), hi - lo), lo);
      case 'upper_softplus':
        return tf.sub(hi, tf.softplus(tf.sub(hi, x)));
      case 'lower_softplus':
        return tf.add(tf.softplus(x), lo);
      case 'linear':
        return tf.clone(x);
      case 'exp':
        return tf.add(tf.exp(x), lo);
    }
  });
}

/**
 * ⌊v⌋ for a discrete hyperparameter, with the float64 round trip forgiven.
 *
 * @remarks
 * T(T⁻¹(n)) for an integer n is not always exactly n in float64 (e.g. 2.999999999999999 for n = 3 on
 * [0, 30]), and a bare floor would then turn an initial cutout length of 3 into 2. So a value within
 * 1e-12·max(1, |v|) below an integer counts as that integer. The margin is thousands of ulps above the
 * round-trip error (≤ 4 ulps measured) and far below the gap that PT-14 warns about: the 10-digit table value
 * λ0 = −2.3025850930 gives T = 3.99999999998917 (1.1e-11 below 4) and still floors to 3.
 */
export function discreteFloor(v: number): number {
  const n = Math.floor(v);
  return v - n >= 1 - 1e-12 * Math.max(1, Math.abs(v)) ? n + 1 : n;
}

// ---------------------------------------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------------------------------------

/** What a hyperparameter controls; the engine maps each kind to a regularizer. */
export type HyperparameterKind =
  | 'dropout'
  | 'channel-dropout'
  | 'input-dropout'
  | 'dropconnect'
  | 'cutout-length'
  | 'cutout-holes'
  | 'brightness'
  | 'contrast'
  | 'weight-decay'
  /** Label smoothing a of the training targets, (1 − a)·e_y + a/K (L_T only, like weight decay). */
  | 'label-smoothing'
  /** Per-example affine augmentation (torchvision `RandomAffine`, as C1): rotation range in degrees, translation as a fraction of the side, scale range. */
  | 'rotation'
  | 'translation'
  | 'affine-scale'
  /** Per-example colour jitter of RGB images (torchvision `ColorJitter` hue and saturation, as C1). */
  | 'hue'
  | 'saturation'
  /** An architecture weight α (DARTS): one logit of the softmax over an edge's candidate operations. */
  | 'architecture'
  | 'other';

const KINDS: readonly HyperparameterKind[] = [
  'dropout',
  'channel-dropout',
  'input-dropout',
  'dropconnect',
  'cutout-length',
  'cutout-holes',
  'brightness',
  'contrast',
  'weight-decay',
  'label-smoothing',
  'rotation',
  'translation',
  'affine-scale',
  'hue',
  'saturation',
  'architecture',
  'other',
];

/** Per-example (one ε_i per training example) or per-minibatch (one ε shared by the whole batch). */
export type PerturbMode = 'example' | 'minibatch';

/** One hyperparameter as a user declares it. */
export interface HyperparameterSpec {
  /** Unique name (logs, checkpoints, `--hparams`). */
  name: string;
  kind: HyperparameterKind;
  /** [lo, hi], constrained units; lo may be −Infinity and hi +Infinity. The transform follows from it. */
  range: readonly [number, number];
  /** Use ⌊T(λ)⌋ (cutout length, number of holes). Default false. */
  discrete?: boolean;
  /** Default 'example' (docs/math.md#s1-4). */
  perturb?: PerturbMode;
  /** Initial value v0 in constrained units, strictly inside (lo, hi); λ0 = T⁻¹(v0). */
  init: number;
  /** Initial perturbation scale σ0 > 0 (unconstrained units); s0 = softplus⁻¹(σ0). Default 1 (C1). */
  scale?: number;
  /**
   * λ on a log scale: T(λ) = lo + e^λ (transform `exp`, ours [R]) instead of `lower_softplus`. Only for a range
   * [lo, +∞) with lo finite. Default false.
   */
  logScale?: boolean;
  /**
   * The softmax group of an `architecture` weight: the edge whose candidate operations its logit competes
   * with (required for that kind, forbidden for the others).
   */
  group?: string;
}

/** A validated spec, with its defaults filled in and its transform chosen. */
export interface ResolvedHyperparameter {
  readonly name: string;
  readonly kind: HyperparameterKind;
  readonly range: readonly [number, number];
  readonly discrete: boolean;
  readonly perturb: PerturbMode;
  readonly init: number;
  readonly scale: number;
  readonly transform: TransformName;
  /** True when the spec asked for a log scale (transform `exp`). */
  readonly logScale: boolean;
  /** The softmax group (edge) of an architecture weight; undefined for every other kind. */
  readonly group?: string;
}

/** Overrides accepted by the factory helpers (everything but name, kind and group). */
export type SpecOverrides = Partial<Omit<HyperparameterSpec, 'name' | 'kind' | 'group'>>;

function makeSpec(name: string, kind: HyperparameterKind, defaults: Omit<HyperparameterSpec, 'name' | 'kind'>, overrides: SpecOverrides): HyperparameterSpec {
  return { name, kind, ...defaults, ...overrides };
}

const DROPOUT_DEFAULTS = { init: 0.05, range: [0, 0.95] as const, discrete: false, perturb: 'example' as const, scale: 1 };

/** Unit dropout after a dense layer: C1 default 0.05 in [0, 0.95], per example, σ0 = 1. */
export function dropoutSpec(name: string, overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'dropout', DROPOUT_DEFAULTS, overrides);
}

/** Channel dropout on NHWC activations (C1 `dropout_2d`): 0.05 in [0, 0.95], per example, σ0 = 1. */
export function channelDropoutSpec(name: string, overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'channel-dropout', DROPOUT_DEFAULTS, overrides);
}

/** Dropout on the input: 0.05 in [0, 0.95], per example, σ0 = 1. */
export function inputDropoutSpec(name: string, overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'input-dropout', DROPOUT_DEFAULTS, overrides);
}

/**
 * DropConnect on a weight matrix: 0.05 in [0, 0.95], σ0 = 1, perturbed **per minibatch** (one mask for the
 * whole batch; C2's LSTM shares the draw the same way, docs/math.md#s1-4), because a per-example weight mask would
 * cost B copies of the weights.
 */
export function dropConnectSpec(name: string, overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'dropconnect', { ...DROPOUT_DEFAULTS, perturb: 'minibatch' }, overrides);
}

/** Cutout side length: C1 default 4 in [2, 24], discrete, per example, σ0 = 1. */
export function cutoutLengthSpec(name = 'cutout_length', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'cutout-length', { init: 4, range: [2, 24], discrete: true, perturb: 'example', scale: 1 }, overrides);
}

/** Number of cutout holes: C1 default 1 in [0, 5], discrete, per example, σ0 = 1. */
export function cutoutHolesSpec(name = 'cutout_holes', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'cutout-holes', { init: 1, range: [0, 5], discrete: true, perturb: 'example', scale: 1 }, overrides);
}

/** Brightness jitter strength: C1 default 0.05 in [0, 1], per example, σ0 = 1. */
export function brightnessSpec(name = 'brightness', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'brightness', { init: 0.05, range: [0, 1], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/** Contrast jitter strength: C1 default 0.05 in [0, 1], per example, σ0 = 1. */
export function contrastSpec(name = 'contrast', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'contrast', { init: 0.05, range: [0, 1], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/**
 * Weight decay: 1e-4 in [0, +∞) (`lower_softplus`), per minibatch, σ0 = 1. Not a C1 default: the reference
 * code does not support weight decay (docs/math.md#s7, issue I1); these defaults are ours. It enters the training
 * objective only, L_T = CE + ½·d·mean_i Σ_layers ‖Ŵ_i‖² over every kernel at the example's weights (biases
 * excluded; src/nn/methods/steps.ts `weightDecayPenalty`); L_V has no penalty, so the hyper step moves d through
 * the response alone. A model carries it as an objective hyperparameter (`ModelOptions.objectiveHyperparameters`).
 */
export function weightDecaySpec(name = 'weight_decay', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'weight-decay', { init: 1e-4, range: [0, Infinity], discrete: false, perturb: 'minibatch', scale: 1 }, overrides);
}

/**
 * Label smoothing: 0.05 in [0, 1] (`s_sigmoid`), per example, σ0 = 1 (ours [R]: the reference code has no label
 * smoothing). It enters the training objective only: example i's target is (1 − a_i)·e_{y_i} + a_i/K (K classes,
 * a_i = T(λ + ε_i) its own perturbed value: a per-example target costs nothing), in the cross-entropy or the
 * squared loss (src/nn/methods/steps.ts `trainingTargets`); L_V keeps the one-hot targets, so the hyper step
 * moves a through the response alone. A model carries it as an objective hyperparameter, like weight decay. The
 * linearized Δ-STN needs no tangent for it: it changes the targets, not the network, so the response step takes
 * the smoothed loss at f(x; w0) + J_w f·Θε_i.
 */
export function labelSmoothingSpec(name = 'label_smoothing', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'label-smoothing', { init: 0.05, range: [0, 1], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/**
 * Rotation range r in degrees: C1 default 5 in [0, 45] (docs/math.md#s1-3 table), per example, σ0 = 1. Example i is
 * rotated by an angle drawn from U[−r_i, r_i] (torchvision `RandomAffine(degrees=r_i)`, which C1 builds per
 * example from its perturbed value): src/nn/augment.ts.
 */
export function rotationSpec(name = 'rotation', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'rotation', { init: 5, range: [0, 45], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/** Translation range t (a fraction of the image side): C1 default 0.05 in [0, 0.5], per example, σ0 = 1 (src/nn/augment.ts). */
export function translationSpec(name = 'translate', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'translation', { init: 0.05, range: [0, 0.5], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/** Scale range c (zoom factor drawn from U[1 − c, 1 + c]): C1 default 0.05 in [0, 0.5], per example, σ0 = 1 (src/nn/augment.ts). */
export function affineScaleSpec(name = 'scale', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'affine-scale', { init: 0.05, range: [0, 0.5], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/** Hue jitter strength (a hue shift drawn from U[−v, v], in turns): C1 default 0.05 in [0, 0.5], per example, σ0 = 1. RGB images only. */
export function hueSpec(name = 'hue', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'hue', { init: 0.05, range: [0, 0.5], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/** Saturation jitter strength (factor drawn from U[max(0, 1 − v), 1 + v]): C1 default 0.05 in [0, 1], per example, σ0 = 1. RGB images only. */
export function saturationSpec(name = 'saturation', overrides: SpecOverrides = {}): HyperparameterSpec {
  return makeSpec(name, 'saturation', { init: 0.05, range: [0, 1], discrete: false, perturb: 'example', scale: 1 }, overrides);
}

/**
 * The architecture weights of one edge (DARTS, Liu et al. 2019): one unconstrained logit α_k per candidate
 * operation, named `<edge>/<op>`, in the softmax group `edge`; the edge mixes its candidates with
 * softmax(α)_k. Range (−∞, ∞) (`linear`: T(α) = α), init 0 (the uniform mixture, as DARTS initialises α to
 * 1e-3·N(0, 1) ≈ 0), perturbed per example with σ0 = 0.5 (ours: σ = 1 on a logit moves a softmax weight by
 * a factor e, which drowns the differences the search has to find early on).
 */
export function architectureSpecs(edge: string, ops: readonly string[], overrides: SpecOverrides = {}): HyperparameterSpec[] {
  if (typeof edge !== 'string' || edge.length === 0) throw new InvalidArgumentError('edge', 'a non-empty string', edge);
  if (!Array.isArray(ops) || ops.length < 1) throw new InvalidArgumentError('ops', 'a non-empty array of operation names', ops);
  return ops.map((op) => ({ name: `${edge}/${op}`, kind: 'architecture' as const, range: [-Infinity, Infinity] as const, discrete: false, perturb: 'example' as const, init: 0, scale: 0.5, ...overrides, group: edge }));
}

function resolveSpec(spec: HyperparameterSpec, at: string): ResolvedHyperparameter {
  if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError(at, 'a hyperparameter spec object', spec);
  if (typeof spec.name !== 'string' || spec.name.length === 0) throw new InvalidArgumentError(`${at}.name`, 'a non-empty string', spec.name);
  if (!KINDS.includes(spec.kind)) throw new InvalidArgumentError(`${at}.kind`, `one of ${KINDS.join(', ')}`, spec.kind);
  if (!Array.isArray(spec.range) || spec.range.length !== 2) throw new ShapeMismatchError(`${at}.range`, '[lo, hi]', String(spec.range));
  const [lo, hi] = spec.range;
  if (typeof lo !== 'number' || Number.isNaN(lo) || lo === Infinity) throw new InvalidArgumentError(`${at}.range[0]`, 'a number or −Infinity', lo);
  if (typeof hi !== 'number' || Number.isNaN(hi) || hi === -Infinity) throw new InvalidArgumentError(`${at}.range[1]`, 'a number or +Infinity', hi);
  if (!(lo < hi)) throw new InvalidArgumentError(`${at}.range`, `lo < hi`, `[${lo}, ${hi}]`);
  const discrete = spec.discrete ?? false;
  if (typeof discrete !== 'boolean') throw new InvalidArgumentError(`${at}.discrete`, 'a boolean', discrete);
  const perturb = spec.perturb ?? 'example';
  if (perturb !== 'example' && perturb !== 'minibatch') throw new InvalidArgumentError(`${at}.perturb`, "'example' or 'minibatch'", perturb);
  const scale = spec.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0)) throw new InvalidArgumentError(`${at}.scale`, 'a finite σ0 > 0', scale);
  // Regularizer-specific admissible ranges: a dropout rate of 1 divides by zero in the mask 1/(1 − p), and
  // negative cutout sizes or jitter strengths mean nothing.
  const isRate = spec.kind === 'dropout' || spec.kind === 'channel-dropout' || spec.kind === 'input-dropout' || spec.kind === 'dropconnect';
  if (isRate && !(lo >= 0 && hi < 1)) throw new InvalidArgumentError(`${at}.range`, `a sub-range of [0, 1) for a ${spec.kind} rate`, `[${lo}, ${hi}]`);
  const nonNegative: readonly HyperparameterKind[] = ['cutout-length', 'cutout-holes', 'brightness', 'contrast', 'weight-decay', 'label-smoothing', 'rotation', 'translation', 'affine-scale', 'hue', 'saturation'];
  if (nonNegative.includes(spec.kind) && !(lo >= 0)) throw new InvalidArgumentError(`${at}.range[0]`, `≥ 0 for ${spec.kind}`, lo);
  // A smoothing above 1 gives negative targets; a hue shift beyond half a turn wraps; a scale range of 1 or more lets the zoom reach 0.
  const upper: Partial<Record<HyperparameterKind, number>> = { 'label-smoothing': 1, hue: 0.5, 'affine-scale': 1 - 1e-9, translation: 1 };
  const top = upper[spec.kind];
  if (top !== undefined && !(hi <= top)) throw new InvalidArgumentError(`${at}.range[1]`, `≤ ${top} for ${spec.kind}`, hi);
  if (spec.kind === 'architecture') {
    if (typeof spec.group !== 'string' || spec.group.length === 0) throw new InvalidArgumentError(`${at}.group`, 'the edge (softmax group) of an architecture weight', spec.group);
    if (lo !== -Infinity || hi !== Infinity) throw new InvalidArgumentError(`${at}.range`, '[−∞, +∞] for an architecture logit (softmax needs no transform)', `[${lo}, ${hi}]`);
    if (discrete) throw new InvalidArgumentError(`${at}.discrete`, 'false for an architecture logit', discrete);
  } else if (spec.group !== undefined) throw new InvalidArgumentError(`${at}.group`, `no group for a ${spec.kind} hyperparameter (only architecture weights have one)`, spec.group);
  const logScale = spec.logScale ?? false;
  if (typeof logScale !== 'boolean') throw new InvalidArgumentError(`${at}.logScale`, 'a boolean', logScale);
  if (logScale && !(Number.isFinite(lo) && hi === Infinity)) throw new InvalidArgumentError(`${at}.logScale`, 'false unless the range is [lo, +∞) with lo finite (T(λ) = lo + e^λ)', `[${lo}, ${hi}]`);
  const transform: TransformName = logScale ? 'exp' : chooseTransform(lo, hi);
  if (typeof spec.init !== 'number' || !Number.isFinite(spec.init) || !(spec.init > lo) || !(spec.init < hi)) {
    throw new InvalidArgumentError(`${at}.init`, `a finite value strictly inside (${lo}, ${hi})`, spec.init);
  }
  const resolved: ResolvedHyperparameter = { name: spec.name, kind: spec.kind, range: Object.freeze([lo, hi] as const), discrete, perturb, init: spec.init, scale, transform, logScale };
  return Object.freeze(spec.group === undefined ? resolved : { ...resolved, group: spec.group });
}

// ---------------------------------------------------------------------------------------------------------
// The space
// ---------------------------------------------------------------------------------------------------------

/**
 * One perturbed minibatch of hyperparameters (docs/math.md#s1-4), rows = examples, columns = hyperparameters.
 * Every matrix is B×h (`number[][]`, float64; `tf.tensor2d(rows)` turns one into a tensor).
 */
export interface PerturbedHypers {
  batch: number;
  h: number;
  /** n ~ N(0, I), the standard normal draw (needed for the reparameterized scale gradient). */
  noise: number[][];
  /** ε = σ ⊙ n (`perturbation`); equal rows in a 'minibatch' column. */
  perturbation: number[][];
  /** λ + ε, the unconstrained perturbed hyperparameters. */
  perturbed: number[][];
  /** T(λ + ε), floored for discrete hyperparameters: what each example's regularizers use. */
  hyperValues: number[][];
}

/** Column k of a B×h matrix: the per-example values of hyperparameter k (e.g. the dropout rates p_i). */
export function column(rows: readonly (readonly number[])[], k: number): number[] {
  return rows.map((r) => r[k]);
}

/** The JSON form of a space (checkpoints, logs). ±∞ bounds are written as the strings "-inf" / "inf". */
export interface HyperSpaceJSON {
  format: 'deltastn.hyperspace';
  version: 1;
  hyperparameters: {
    name: string;
    kind: HyperparameterKind;
    range: [number | '-inf', number | 'inf'];
    discrete: boolean;
    perturb: PerturbMode;
    init: number;
    scale: number;
    group?: string;
    /** Present (true) only for a log-scale hyperparameter. */
    logScale?: boolean;
  }[];
}

/**
 * The hyperparameter space: h hyperparameters with their transforms, declared once.
 *
 * @remarks
 * Models resolve a hyperparameter to its index with {@link HyperSpace.index} when they are built, and read
 * column k of the per-example matrices afterwards; nothing looks a name up inside `forward`.
 * λ (`lambda`) and s (`rawScale`) are plain arrays of length h owned by the trainer; this class is immutable.
 */
export class HyperSpace {
  /** The number of hyperparameters, h. */
  readonly h: number;
  readonly names: readonly string[];
  readonly specs: readonly ResolvedHyperparameter[];
  /** The transform of each coordinate (same order as `names`). */
  readonly transforms: readonly TransformName[];
  private readonly byName: ReadonlyMap<string, number>;

  /**
   * @param specs the hyperparameters in coordinate order (at least one).
   * @throws InvalidArgumentError for a duplicate name, a bad range (lo ≥ hi, NaN), an init outside (lo, hi),
   * σ0 ≤ 0, an unknown kind, or a dropout range outside [0, 1); each names the field (`specs[2].init`).
   */
  constructor(specs: readonly HyperparameterSpec[]) {
    if (!Array.isArray(specs) || specs.length === 0) throw new InvalidArgumentError('specs', 'a non-empty array of hyperparameter specs', Array.isArray(specs) ? '[]' : specs);
    const resolved = specs.map((s, i) => resolveSpec(s, `specs[${i}]`));
    const byName = new Map<string, number>();
    resolved.forEach((r, i) => {
      if (byName.has(r.name)) throw new InvalidArgumentError(`specs[${i}].name`, 'a name not used by another hyperparameter', r.name);
      byName.set(r.name, i);
    });
    this.h = resolved.length;
    this.specs = Object.freeze(resolved);
    this.names = Object.freeze(resolved.map((r) => r.name));
    this.transforms = Object.freeze(resolved.map((r) => r.transform));
    this.byName = byName;
  }

  /** The coordinate of hyperparameter `name` (resolve once, when a model is built). */
  index(name: string): number {
    const k = this.byName.get(name);
    if (k === undefined) throw new InvalidArgumentError('name', `one of ${this.names.join(', ')}`, name);
    return k;
  }

  /** The coordinates whose kind is `kind`, in order. */
  indicesOfKind(kind: HyperparameterKind): number[] {
    const out: number[] = [];
    this.specs.forEach((s, k) => {
      if (s.kind === kind) out.push(k);
    });
    return out;
  }

  /**
   * The softmax groups of the architecture weights, in order of first appearance: each edge's name and the
   * coordinates of its candidate logits (empty when the space has no architecture weights).
   */
  groups(): { group: string; indices: number[] }[] {
    const out: { group: string; indices: number[] }[] = [];
    this.specs.forEach((s, k) => {
      if (s.group === undefined) return;
      const g = out.find((o) => o.group === s.group);
      if (g) g.indices.push(k);
      else out.push({ group: s.group, indices: [k] });
    });
    return out;
  }

  /** λ0 = T⁻¹(v0) per coordinate, in float64 (docs/math.md#s1-3 table; PT-14). */
  initialLambda(): number[] {
    return this.specs.map((s, k) => transformInverse(s.transform, s.init, s.range[0], s.range[1], `specs[${k}].init`));
  }

  /** s0 = softplus⁻¹(σ0) per coordinate; σ0 = 1 gives 0.5413248546. */
  initialRawScale(): number[] {
    return this.specs.map((s, k) => softplusInverse(s.scale, `specs[${k}].scale`));
  }

  /** T_k(x) for one coordinate, floored when discrete. */
  hyperValue(k: number, x: number): number {
    const s = this.specs[k];
    const v = transformForward(s.transform, x, s.range[0], s.range[1]);
    return s.discrete ? discreteFloor(v) : v;
  }

  /** T(λ) (constrained units, discrete coordinates floored): the unperturbed values, e.g. for the general step. */
  hyperValues(lambda: readonly number[]): number[] {
    this.checkVector(lambda, 'lambda');
    return lambda.map((x, k) => this.hyperValue(k, x));
  }

  /** σ = softplus(s), elementwise. */
  scale(rawScale: readonly number[]): number[] {
    this.checkVector(rawScale, 'rawScale');
    return rawScale.map(softplus);
  }

  /**
   * The engine's one noise sampler: standard normal rows n_1 … n_B ∈ ℝ^h (`batch` = B), drawn row by row and
   * within a row coordinate by coordinate. A coordinate with `perturb: 'minibatch'` takes one draw (at row 0)
   * shared by every row, unless `perExample` (the hyper step's rows, which sample the validation objective's
   * expectation per example for every coordinate). The order is fixed, so a seed gives the same rows.
   */
  sampleNoise(batch: number, rng: Rng, options: { perExample?: boolean } = {}): number[][] {
    if (!Number.isInteger(batch) || batch < 1) throw new InvalidArgumentError('batch', 'an integer ≥ 1', batch);
    const h = this.h;
    const shared = this.specs.map((s) => !options.perExample && s.perturb === 'minibatch');
    const noise: number[][] = [];
    for (let i = 0; i < batch; i++) {
      const row = new Array<number>(h);
      for (let k = 0; k < h; k++) row[k] = i > 0 && shared[k] ? noise[0][k] : rng.normal();
      noise.push(row);
    }
    return noise;
  }

  /**
   * Draw one perturbed minibatch: ε_i = σ ⊙ n_i, n_i ~ N(0, I), for i = 1..B (docs/math.md#s1-4).
   *
   * @remarks
   * `lambda` is λ (length h), `rawScale` is s (length h, σ = softplus(s)), `batch` is B. A coordinate with
   * `perturb: 'minibatch'` takes one draw (at row 0) shared by every row. Draw order (fixed, so a seed gives
   * the same batch): row by row, and within a row coordinate by coordinate, skipping shared coordinates after
   * row 0. Values are float64; discrete coordinates are floored ({@link discreteFloor}).
   */
  samplePerturbed(lambda: readonly number[], rawScale: readonly number[], batch: number, rng: Rng): PerturbedHypers {
    this.checkVector(lambda, 'lambda');
    const sigma = this.scale(rawScale);
    if (!Number.isInteger(batch) || batch < 1) throw new InvalidArgumentError('batch', 'an integer ≥ 1', batch);
    const noise = this.sampleNoise(batch, rng);
    const perturbation = noise.map((row) => row.map((n, k) => sigma[k] * n));
    const perturbed = perturbation.map((row) => row.map((e, k) => lambda[k] + e));
    const hyperValues = perturbed.map((row) => row.map((x, k) => this.hyperValue(k, x)));
    return { batch, h: this.h, noise, perturbation, perturbed, hyperValues };
  }

  /** ℍ[N(0, diag σ²)] = Σ_k log(σ_k √(2πe)), σ = softplus(s) (docs/math.md#s1-4); 1.4189385332 per coordinate at σ = 1. */
  entropy(rawScale: readonly number[]): number {
    this.checkVector(rawScale, 'rawScale');
    // log σ = log(softplus(s)); for s ≪ 0, softplus(s) ≈ eˢ is still representable down to s ≈ −745.
    return rawScale.reduce((acc, s) => acc + Math.log(softplus(s)) + HALF_LOG_2_PI_E, 0);
  }

  /** ∂ℍ/∂s_k = sigmoid(s_k)/σ_k (docs/math.md#s8-6). */
  entropyGrad(rawScale: readonly number[]): number[] {
    this.checkVector(rawScale, 'rawScale');
    return rawScale.map((s) => sigmoid(s) / softplus(s));
  }

  /** The constrained value and σ of every hyperparameter, by name (one JSONL log record). */
  summary(lambda: readonly number[], rawScale: readonly number[]): Record<string, { value: number; scale: number }> {
    const values = this.hyperValues(lambda);
    const sigma = this.scale(rawScale);
    const out: Record<string, { value: number; scale: number }> = {};
    this.names.forEach((n, k) => {
      out[n] = { value: values[k], scale: sigma[k] };
    });
    return out;
  }

  /** The JSON form (see {@link HyperSpaceJSON}); `JSON.stringify(space)` uses it. */
  toJSON(): HyperSpaceJSON {
    return {
      format: 'deltastn.hyperspace',
      version: 1,
      hyperparameters: this.specs.map((s) => ({
        name: s.name,
        kind: s.kind,
        range: [s.range[0] === -Infinity ? '-inf' : s.range[0], s.range[1] === Infinity ? 'inf' : s.range[1]],
        discrete: s.discrete,
        perturb: s.perturb,
        init: s.init,
        scale: s.scale,
        ...(s.group === undefined ? {} : { group: s.group }),
        ...(s.logScale ? { logScale: true } : {}),
      })),
    };
  }

  /**
   * Rebuild a space from {@link HyperSpace.toJSON}'s output (an object, or its JSON text).
   * @throws ParseError if the text or the object's layout is wrong; the constructor's errors for bad fields.
   */
  static fromJSON(json: unknown): HyperSpace {
    let obj: unknown = json;
    if (typeof json === 'string') {
      try {
        obj = JSON.parse(json);
      } catch (e) {
        throw new ParseError('json', `not valid JSON (${(e as Error).message})`);
      }
    }
    const o = obj as Partial<HyperSpaceJSON> | null;
    if (typeof o !== 'object' || o === null || o.format !== 'deltastn.hyperspace' || o.version !== 1 || !Array.isArray(o.hyperparameters)) {
      throw new ParseError('json', 'expected {format: "deltastn.hyperspace", version: 1, hyperparameters: [...]}');
    }
    const specs = o.hyperparameters.map((p, i): HyperparameterSpec => {
      if (typeof p !== 'object' || p === null || !Array.isArray(p.range) || p.range.length !== 2) throw new ParseError(`json.hyperparameters[${i}]`, 'expected an object with a two-element range');
      const bound = (b: unknown, j: number): number => {
        if (b === '-inf' && j === 0) return -Infinity;
        if (b === 'inf' && j === 1) return Infinity;
        if (typeof b === 'number') return b;
        throw new ParseError(`json.hyperparameters[${i}].range[${j}]`, `expected a number or "${j === 0 ? '-inf' : 'inf'}", got ${JSON.stringify(b)}`);
      };
      return { name: p.name, kind: p.kind, range: [bound(p.range[0], 0), bound(p.range[1], 1)], discrete: p.discrete, perturb: p.perturb, init: p.init, scale: p.scale, ...(p.group === undefined ? {} : { group: p.group }), ...(p.logScale === undefined ? {} : { logScale: p.logScale }) };
    });
    return new HyperSpace(specs);
  }

  private checkVector(v: readonly number[], argument: string): void {
    if (!Array.isArray(v) || v.length !== this.h) throw new ShapeMismatchError(argument, `length ${this.h}`, Array.isArray(v) ? `length ${v.length}` : typeof v);
    v.forEach((x, k) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(`${argument}[${k}]`, x);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tensor versions for the scale step (autodiff through s)
// ---------------------------------------------------------------------------------------------------------

/** σ = softplus(s) on a tensor (the hyper step forms h_net = σ ⊙ n with a gradient to s). */
export function scaleTf(rawScale: tf.Tensor): tf.Tensor {
  return tf.softplus(rawScale);
}

/**
 * ℍ = Σ_k log(softplus(s_k)) + h·½log(2πe) as a scalar tensor (float32), for the scale objective
 * L_V − τℍ (docs/math.md#s3-4). Its gradient is sigmoid(s)/σ. In float32, softplus(s) underflows for s ≲ −87 and ℍ
 * becomes −∞; the float64 {@link HyperSpace.entropy} does not.
 */
export function entropyTf(rawScale: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.add(tf.sum(tf.log(tf.softplus(rawScale))), rawScale.shape[0] * HALF_LOG_2_PI_E));
}
