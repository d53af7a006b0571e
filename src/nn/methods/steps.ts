/**
 * The steps the network methods are made of, written once (docs/math.md#s2-3, #s3-5):
 * - {@link unperturbedStep}: min over w0 of CE(f(x; w0, masks at T(λ))), x augmented at λ — the fixed method's
 *   only step, DARTS's weight step and Δ-STN's general step;
 * - {@link perturbedStep}: CE(f(x̃; w0 + Θ h_net, masks at T(λ + ε_i))) with x̃ augmented per example at λ + ε_i,
 *   over w0 and Θ jointly (STN) or over Θ alone (Δ-STN, optionally through the linearized network);
 * - {@link responseHyperStep}: the STN-family hyper step (docs/math.md#s3-4).
 * B examples, ε_i = σ ⊙ n_i with n_i ∼ N(0, I) drawn by the space's one noise sampler (`HyperSpace.sampleNoise`).
 * "CE" stands for the model's loss ({@link modelLoss}: cross-entropy, or the squared loss of a regression model).
 * The kinds of the training objective alone (weight decay, label smoothing) enter the two training steps and never
 * the hyper step's L_V; the input augmentations (cutout, brightness, contrast through the trainer; affine and
 * colour through src/nn/augment.ts) act on the training inputs before the forward or tangent pass.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError } from '../../errors.js';
import type { Rng } from '../../rng.js';
import { sigmoid } from '../hyper.js';
import type { Masks, StnNetwork } from '../models.js';
import { augmentInputs } from '../augment.js';
import { logSoftmax, oneHotCrossEntropy, oneHotFloat } from '../ops.js';
import { read, readRows, type Reading } from '../reading.js';
import type { MomentumSgd } from '../optimizers.js';
import type { StepContext } from './context.js';

/** Mean cross-entropy of integer labels (src/nn/ops.ts: stable log-softmax, no tf.gather, float one-hot). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  // The labels come from a Dataset, which checked them when it was made; WebGPU cannot read them back synchronously.
  return oneHotCrossEntropy(logits, labels, 'mean', { labelsChecked: tf.getBackend() === 'webgpu' });
}

/**
 * The weight-decay term of the training objective, ½ · mean_i d_i ‖Ŵ_i‖² (docs/math.md#s1-3): d_i the decay
 * value of example i's hyperparameters (`values[i][k]`, k the space's weight-decay coordinate; a 'minibatch'
 * perturbation makes it one value per batch), Ŵ_i the network's kernels at h_net,i (`hnet`; null: w0, then
 * ½ d ‖W_gen‖²). Null when the space has no weight-decay hyperparameter. It enters L_T only: the hyper step's
 * L_V has no penalty, so λ_decay moves through the response alone.
 */
export function weightDecayPenalty(ctx: StepContext, hnet: tf.Tensor2D | null, values: readonly (readonly number[])[]): tf.Scalar | null {
  const k = ctx.space.indicesOfKind('weight-decay')[0];
  if (k === undefined) return null;
  const decay = values.map((row) => row[k]);
  return tf.tidy(() => {
    const norms = ctx.model.kernelNormSquared(hnet);
    if (hnet === null) return tf.mul(norms, 0.5 * decay[0]) as tf.Scalar;
    return tf.mul(tf.mean(tf.mul(norms, tf.tensor1d(decay, 'float32'))), 0.5) as tf.Scalar;
  });
}

/**
 * The model's loss (`model.loss`, src/nn/models.ts `ModelLoss`) of logits F (B×K) against the targets
 * T = (1 − a_i)·e_{y_i} + a_i/K, row i for example i (`smoothing` = a, length B; null: a = 0, the one-hot targets):
 * - `cross-entropy`: −(1/B) Σ_i Σ_k T_ik log softmax(f_i)_k (with a = 0 exactly {@link crossEntropy});
 * - `squared`: (1/B) Σ_i ½‖f_i − t_i‖².
 * The labels `y` are integers in [0, K) (a Dataset checked them).
 */
export function modelLoss(model: StnNetwork, logits: tf.Tensor2D, y: tf.Tensor1D, smoothing: readonly number[] | null = null): tf.Scalar {
  if (model.loss === 'cross-entropy' && smoothing === null) return crossEntropy(logits, y);
  const [B, K] = logits.shape;
  if (smoothing !== null && smoothing.length !== B) throw new ShapeMismatchError('smoothing', `length ${B} (one value per example)`, `length ${smoothing.length}`);
  return tf.tidy(() => {
    let targets = oneHotFloat(y, K);
    if (smoothing !== null) {
      const a = tf.tensor2d(Float32Array.from(smoothing), [B, 1], 'float32');
      targets = tf.add(tf.mul(targets, tf.sub(1, a)), tf.div(a, K));
    }
    if (model.loss === 'squared') return tf.mul(tf.mean(tf.sum(tf.square(tf.sub(logits, targets)), 1)), 0.5) as tf.Scalar;
    return tf.neg(tf.mean(tf.sum(tf.mul(logSoftmax(logits), targets), 1))) as tf.Scalar;
  });
}

/**
 * The label-smoothing values a_i of the examples (`values[i][k]`, k the space's label-smoothing coordinate), or
 * null when the space has none. Per example when the coordinate is perturbed per example (`labelSmoothingSpec`'s
 * default), one shared value for a 'minibatch' coordinate.
 */
export function labelSmoothing(ctx: StepContext, values: readonly (readonly number[])[]): number[] | null {
  const k = ctx.space.indicesOfKind('label-smoothing')[0];
  return k === undefined ? null : values.map((row) => row[k]);
}

/** The model's loss at the (smoothed) training targets plus the weight-decay penalty when there is one. */
function trainingObjective(ctx: StepContext, logits: tf.Tensor2D, y: tf.Tensor1D, hnet: tf.Tensor2D | null, values: readonly (readonly number[])[]): tf.Scalar {
  const ce = modelLoss(ctx.model, logits, y, labelSmoothing(ctx, values));
  const penalty = weightDecayPenalty(ctx, hnet, values);
  return penalty ? tf.add(ce, penalty) : ce;
}

/**
 * The trainer's augmentations (cutout, brightness, contrast), then the affine and colour ones of
 * src/nn/augment.ts, each at the examples' own values; returns `x0` itself when there are none.
 */
function augment(ctx: StepContext, x0: tf.Tensor, values: number[][], rng: Rng): tf.Tensor {
  const x1 = ctx.augmentInputs(x0, values, rng);
  const x2 = augmentInputs(ctx.space, x1, values, rng);
  if (x2 !== x1 && x1 !== x0) x1.dispose();
  return x2;
}

function disposeMasks(masks: Masks): void {
  for (const m of masks.values()) m.dispose();
}

/** The unperturbed weight step on w0 (module remarks); returns its training loss. */
export function* unperturbedStep(ctx: StepContext, x0: tf.Tensor, y: tf.Tensor1D, rng: Rng): Reading<number> {
  const B = y.shape[0];
  const values = Array.from({ length: B }, () => ctx.space.hyperValues(ctx.state.lambda));
  const x = augment(ctx, x0, values, rng);
  const masks = ctx.model.sampleMasks(values, rng);
  const hyper = ctx.hyperRows();
  const general = [...ctx.general];
  const { value, grads } = tf.variableGrads(() => trainingObjective(ctx, ctx.model.forward(x, { hnet: null, masks, hyper }), y, null, values), general);
  hyper?.dispose();
  const loss = (yield* read(value))[0];
  ctx.optGeneral.step(general.map((v) => grads[v.name]));
  value.dispose();
  tf.dispose(grads);
  disposeMasks(masks);
  if (x !== x0) x.dispose();
  return loss;
}

/** How a {@link perturbedStep} runs. */
export interface PerturbedStepOptions {
  /** h_net = ε (true) or λ + ε (false). */
  centered: boolean;
  /** The variables to train and their optimizer: w0 and Θ jointly (STN) or Θ alone (Δ-STN). */
  variables: readonly tf.Variable[];
  optimizer: MomentumSgd;
  /** Train Θ through the network linearized in w around w0: f(x̃; w0) + J_w f · Θ h_net (Δ-STN linearized). */
  linearized: boolean;
}

/** The perturbed step (module remarks); returns its training loss. */
export function* perturbedStep(ctx: StepContext, x0: tf.Tensor, y: tf.Tensor1D, rng: Rng, options: PerturbedStepOptions): Reading<number> {
  const B = y.shape[0];
  const h = ctx.space.h;
  const p = ctx.space.samplePerturbed(ctx.state.lambda, ctx.state.rawScale, B, rng);
  const x = augment(ctx, x0, p.hyperValues, rng);
  const masks = ctx.model.sampleMasks(p.hyperValues, rng);
  const hnet = tf.tensor2d(options.centered ? p.perturbation : p.perturbed, [B, h], 'float32');
  const hyper = ctx.hyperRows(p.perturbed);
  const vars = [...options.variables];
  const { value, grads } = tf.variableGrads(() => {
    if (options.linearized) {
      // Only Θ is trained here: the tangent skips the products that would carry gradients to w0 and x.
      // The penalty is quadratic in the weights: exact at w0 + Θε, nothing to linearize.
      const [f0, df] = ctx.model.tangent(x, masks, hnet, hyper, { responseOnly: true });
      return trainingObjective(ctx, tf.add(f0, df) as tf.Tensor2D, y, hnet, p.hyperValues);
    }
    return trainingObjective(ctx, ctx.model.forward(x, { hnet, masks, hyper }), y, hnet, p.hyperValues);
  }, vars);
  hyper?.dispose();
  const loss = (yield* read(value))[0];
  options.optimizer.step(vars.map((v) => grads[v.name] ?? tf.zerosLike(v)));
  value.dispose();
  tf.dispose(grads);
  hnet.dispose();
  disposeMasks(masks);
  if (x !== x0) x.dispose();
  return loss;
}

/**
 * The STN-family hyper step on a validation batch (evaluation mode: no masks, no augmentation): rows
 * h_net,i = (0 if centered, else λ) + σ ⊙ n_i with n_i ∼ N(0, I) when σ is tuned (else n_i = 0); the loss is
 * L_V − τℍ(σ), L_V the model's loss at the one-hot targets (no smoothing, no penalty), so ∂/∂λ = Σ_i ∂CE/∂h_net,i and ∂/∂s_k = sigmoid(s_k)(Σ_i n_ik ∂CE/∂h_net,ik − τ/σ_k)
 * (docs/math.md#s3-4). A model whose blocks read hyperparameters directly (a DARTS cell's α) also gets the rows
 * λ + σ ⊙ n_i, and its direct term ∂L_V/∂α is added to the response term at the same rows.
 */
export function* responseHyperStep(ctx: StepContext, indices: Int32Array, rng: Rng, centered: boolean): Reading<number> {
  const ds = ctx.data.val;
  const B = indices.length;
  const h = ctx.space.h;
  const lambda = ctx.state.lambda;
  const sigma = ctx.space.scale(ctx.state.rawScale);
  const noise = ctx.settings.tuneScales ? ctx.space.sampleNoise(B, rng, { perExample: true }) : Array.from({ length: B }, () => new Array<number>(h).fill(0));
  const rows = noise.map((n) => n.map((nk, k) => (centered ? 0 : lambda[k]) + sigma[k] * nk));
  const x = ctx.images(ds, indices);
  const y = ctx.labels(ds, indices);
  const hnet = tf.tensor2d(rows, [B, h], 'float32');
  const empty: Masks = new Map();
  let g: number[][];
  let loss: number;
  if (ctx.model.readsHyper) {
    // Direct term: the cells read the perturbed rows λ + σ⊙n themselves. ∂/∂λ and ∂/∂(σ⊙n) of the loss are
    // then the sums of the gradients w.r.t. h_net (response) and w.r.t. the rows (direct).
    const rowsT = tf.tensor2d(noise.map((n) => n.map((nk, k) => lambda[k] + sigma[k] * nk)), [B, h], 'float32');
    const { value, grads } = tf.valueAndGrads((hn: tf.Tensor, a: tf.Tensor) => modelLoss(ctx.model, ctx.model.forward(x, { hnet: hn as tf.Tensor2D, masks: empty, hyper: a as tf.Tensor2D }), y))([hnet, rowsT]);
    const total = tf.add(grads[0], grads[1]);
    g = yield* readRows(total as tf.Tensor2D);
    loss = (yield* read(value))[0];
    tf.dispose([rowsT, value, total, ...grads]);
  } else {
    const { value, grad } = tf.valueAndGrad((hn: tf.Tensor) => modelLoss(ctx.model, ctx.model.forward(x, { hnet: hn as tf.Tensor2D, masks: empty }), y))(hnet);
    g = yield* readRows(grad as tf.Tensor2D);
    loss = (yield* read(value))[0];
    tf.dispose([value, grad]);
  }
  tf.dispose([x, y, hnet]);
  const gLambda = Array.from({ length: h }, (_, k) => g.reduce((acc, row) => acc + row[k], 0));
  ctx.state.lambda = ctx.optLambda.step(ctx.state.lambda, gLambda);
  if (ctx.settings.tuneScales) {
    const tau = ctx.settings.entropyWeight;
    const gScale = ctx.state.rawScale.map((s, k) => sigmoid(s) * (g.reduce((acc, row, i) => acc + row[k] * noise[i][k], 0) - tau / sigma[k]));
    ctx.state.rawScale = ctx.optScale.step(ctx.state.rawScale, gScale);
  }
  ctx.state.hyperSteps++;
  return loss;
}
