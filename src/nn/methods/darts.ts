/**
 * DARTS (Liu et al. 2019), architecture search: the train step is the fixed method's at the architecture weights
 * α = λ; the hyper step descends ∇_α L_V(w, α) (`darts1`, first order) or the one-step unrolled hypergradient
 * ∇_α L_V(w′, α) − ξ [∇_α L_T(w⁺, α) − ∇_α L_T(w⁻, α)]/(2R) with w′ = w − ξ∇_w L_T(w, α),
 * w± = w ± R∇_{w′}L_V(w′, α), R = scale/‖∇_{w′}L_V(w′, α)‖ (`darts2`, second order, DARTS eq. 7–8; the unrolled
 * step is plain SGD, without DARTS's momentum term).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { read, readSync, type Reading } from '../reading.js';
import type { NetworkMethod, StepContext } from './context.js';
import { modelLoss, unperturbedStep } from './steps.js';

/** CE of a batch in evaluation mode (no masks, h_net = 0) with the architecture rows `hyper` ([1, h]). */
function plainLoss(ctx: StepContext, ds: Dataset, indices: Int32Array, hyper: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => modelLoss(ctx.model, ctx.model.forward(ctx.images(ds, indices), { hnet: null, masks: new Map(), hyper }), ctx.labels(ds, indices)));
}

/** ∇_α of {@link plainLoss} at λ, and the loss. */
function* alphaGradient(ctx: StepContext, ds: Dataset, indices: Int32Array): Reading<{ loss: number; grad: number[] }> {
  const a = tf.tensor2d([ctx.state.lambda], [1, ctx.space.h], 'float32');
  const { value, grad } = tf.valueAndGrad((av: tf.Tensor) => plainLoss(ctx, ds, indices, av as tf.Tensor2D))(a);
  const out = { loss: (yield* read(value))[0], grad: Array.from(yield* read(grad)) };
  tf.dispose([a, value, grad]);
  return out;
}

/** tfjs registers variables by name globally: each temporary α variable gets a fresh one. */
let dartsAlphaVariables = 0;

/** The second-order hypergradient (module remarks): finite-difference mixed product around w (not w′), over 2R. */
function* unrolledGradient(ctx: StepContext, valIndices: Int32Array, trainIndices: Int32Array): Reading<{ loss: number; grad: number[] }> {
  const xi = ctx.settings.dartsXi ?? ctx.state.learningRate;
  const general = [...ctx.general];
  const w = general.map((v) => tf.clone(v));
  const alpha = tf.tensor2d([ctx.state.lambda], [1, ctx.space.h], 'float32');
  try {
    // w′ = w − ξ ∇_w L_T(w, α) on the training batch.
    const train = tf.variableGrads(() => plainLoss(ctx, ctx.data.train, trainIndices, alpha), general);
    general.forEach((v) => tf.tidy(() => v.assign(tf.sub(v, tf.mul(train.grads[v.name], xi)))));
    tf.dispose([train.value, train.grads]);
    // ∇_α L_V(w′, α) and v = ∇_{w′} L_V(w′, α): α as a temporary variable next to the weights.
    const alphaVar = tf.variable(alpha, true, `darts-alpha#${++dartsAlphaVariables}`);
    const val = tf.variableGrads(() => plainLoss(ctx, ctx.data.val, valIndices, alphaVar as tf.Tensor2D), [alphaVar, ...general]);
    const loss = (yield* read(val.value))[0];
    const direct = Array.from(yield* read(val.grads[alphaVar.name]));
    const v = general.map((u) => val.grads[u.name]);
    const gradAlpha = function* (): Reading<number[]> {
      return (yield* alphaGradient(ctx, ctx.data.train, trainIndices)).grad;
    };
    const { product } = yield* mixedProductReading(general, w, v, gradAlpha, ctx.settings.dartsScale);
    tf.dispose([val.value, val.grads]);
    alphaVar.dispose();
    return { loss, grad: direct.map((d, k) => d - xi * product[k]) };
  } finally {
    general.forEach((v, i) => v.assign(w[i]));
    tf.dispose([...w, alpha]);
  }
}

function dartsMethod(order: 1 | 2): NetworkMethod {
  return {
    name: order === 1 ? 'darts1' : 'darts2',
    summary: order === 1 ? 'DARTS, first order: α descends ∇_α L_V(w, α)' : 'DARTS, second order: α descends the one-step unrolled hypergradient',
    centered: true,
    jointWeights: false,
    tunesHyperparameters: true,
    needsArchitecture: true,
    trainStep: (ctx, x, y, _indices, rng) => unperturbedStep(ctx, x, y, rng),
    *hyperStep(ctx, indices, _rng, trainIndices) {
      const { loss, grad } = order === 1 ? yield* alphaGradient(ctx, ctx.data.val, indices) : yield* unrolledGradient(ctx, indices, trainIndices);
      ctx.state.lambda = ctx.optLambda.step(ctx.state.lambda, grad);
      ctx.state.hyperSteps++;
      return loss;
    },
  };
}

export const darts1 = dartsMethod(1);
export const darts2 = dartsMethod(2);

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
