/**
 * The best response on a real network (issue 17): does the response Θ that Δ-STN or STN learned point where the
 * weights actually go when the hyperparameter moves? (docs/math.md#s3-1: w*(λ + ε) ≈ w0 + Θε is the premise of
 * the method; #s3-4: the hypergradient dL_V/dλ = ∇_w L_V · ∂w*(λ)/∂λ is only as good as Θ.)
 *
 * @remarks
 * **The experiment [R] (our design, not the paper's wording).** An MLP of {@link StnDense} layers with ReLU and no
 * dropout (default 784-100-10) whose one hyperparameter is the weight decay d = T(λ) = softplus(λ) (`weight-decay`
 * kind, perturbed per minibatch, src/nn/hyper.ts). Its training objective is deterministic,
 *
 * $$L_T(w; \lambda) = \frac1N \sum_{n=1}^{N} \mathrm{CE}(f(x_n; w), y_n) + \tfrac12\, T(\lambda) \sum_l \lVert W_l \rVert^2$$
 *
 * (kernels W_l only, as the trainer's penalty), so the best response w*(λ) = argmin_w L_T(w; λ) is a well-defined
 * local minimiser; with dropout the objective is an expectation over masks that finite differences of retrained
 * weights cannot resolve at this budget, which is why the measurement uses weight decay. Each method trains with
 * the ordinary {@link Trainer}; at its final λ:
 *
 * 1. w_m, the method's weights at λ: the effective weights at h_net = 0 (centered methods) or h_net = λ (STN),
 *    {@link effectiveWeights}; θ = ∂w/∂h_net, the learned response direction ({@link responseDirection}), so that
 *    the method predicts w(λ + ε) = w_m + εθ (exactly linear in ε for these layers).
 * 2. w*(λ): full-batch L-BFGS on L_T from w_m ({@link retrain}), with the kernel rows of inputs that are 0 in every
 *    training image set to their exact best response 0; then w*(λ + ε) for each ε of `epsilons` and its negative,
 *    warm-started from w*(λ).
 * 3. J_ε = (w*(λ + ε) − w*(λ))/ε (one-sided) and J^c_ε = (w*(λ + ε) − w*(λ − ε))/(2ε) (central), the
 *    finite-difference best-response Jacobian; cos(θ, J) and ‖θ − J‖/‖J‖ ({@link cosine}, {@link relativeError}).
 * 4. ΔL_V predicted, L_V(w_m + εθ) − L_V(w_m), against measured, L_V(w*(λ + ε)) − L_V(w*(λ)) (L_V the validation
 *    cross-entropy, no penalty); the hypergradient ∇_w L_V(w_m)·θ against the central difference
 *    (L_V(w*(λ + ε)) − L_V(w*(λ − ε)))/(2ε).
 *
 * 5. The implicit-function Jacobian without retraining ({@link iftJacobian}, src/tune/iftJacobian.ts):
 *    J = −(C(w) + T(λ)P + δ(I − P))⁻¹ T′(λ) P w with C the Gauss–Newton matrix G (the target of Δ-STN's
 *    linearized response, docs/math.md#lin) or the exact Hessian of the cross-entropy, at w_m and at w*(λ), solved
 *    by conjugate gradients; P the projector onto the kernels, δ = `ift.biasDamping` on the undecayed biases (and
 *    the Gauss–Newton solve at w_m once more with δ = 0, to show the damping's effect, and the Hessian solves once
 *    more with δ = d, to see whether a negative curvature lies on the biases). Reported: cos(θ, J),
 *    ‖θ − J‖/‖J‖, ‖θ‖/‖J‖, the hypergradient ∇_w L_V·J it predicts, and cos(J(w*), J^c_ε) (does the implicit
 *    Jacobian agree with the retrained finite difference?) ({@link IftSolve}).
 *
 * A reference direction is reported beside θ: −w*(λ) restricted to the kernels (the naive "decay shrinks the
 * weights" guess, which J would equal if the Hessian were a multiple of the identity). A learned response that
 * does no better than that is not modelling the network.
 *
 * **Numbers.** The network and L-BFGS run in float32 on the TensorFlow.js backend (synchronous reads: cpu, wasm,
 * tensorflow, not WebGPU); metrics are accumulated in float64. The retraining reports the gradient norm it
 * reached; a finite difference is only as good as ‖w* − ŵ*‖ ≲ ‖∇L_T‖/μ (μ ≥ T(λ) on the kernels), which is why
 * ε is large (a fraction of σ) and both signs are reported: their agreement is the measurement's own check.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Dataset } from '../data/dataset.js';
import { HyperSpace, sigmoid, weightDecaySpec } from '../nn/hyper.js';
import { StnDense } from '../nn/layers.js';
import { StnNetwork, type Block } from '../nn/models.js';
import { Trainer, type TrainerData } from '../nn/trainer.js';
import { crossEntropy } from '../nn/methods/steps.js';
import { iftJacobian, layoutSize, unflatten, type Curvature, type DenseLayout, type FullBatch, type IftJacobianResult } from './iftJacobian.js';

// ---------------------------------------------------------------------------------------------------------
// The network and its weights as one flat vector
// ---------------------------------------------------------------------------------------------------------

/** The dense layers of a network, in order: [inputs, outputs] each (defined with the solver, src/tune/iftJacobian.ts). */
export type { DenseLayout, FullBatch } from './iftJacobian.js';

export { layoutSize } from './iftJacobian.js';

/**
 * An MLP of STN-dense layers with ReLU between them and no dropout, whose only hyperparameter is the weight decay
 * (h = 1): `sizes` = [inputs, hidden…, classes] (default the issue's 784-100-10), d0 = `decay` (initial value), σ0 =
 * `scale` (in λ units; weightDecaySpec's default 1).
 * @throws InvalidArgumentError naming `sizes`, `decay` or `scale`.
 */
export function weightDecayMlp(options: { sizes?: readonly number[]; decay: number; scale?: number; seed: number }): { model: StnNetwork; space: HyperSpace } {
  const sizes = options.sizes ?? [784, 100, 10];
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) throw new InvalidArgumentError('sizes', 'at least two layer sizes, each an integer ≥ 1', String(sizes));
  if (!(options.decay > 0) || !Number.isFinite(options.decay)) throw new InvalidArgumentError('decay', 'a finite weight decay > 0', options.decay);
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError('scale', 'a finite σ0 > 0', scale);
  const space = new HyperSpace([weightDecaySpec('weight_decay', { init: options.decay, scale })]);
  const rng = new Rng(options.seed);
  const blocks: Block[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    if (l > 0) blocks.push({ kind: 'relu' });
    blocks.push({ kind: 'layer', layer: new StnDense(sizes[l], sizes[l + 1], { hyperDim: 1, rng, name: `fc${l + 1}`, inputIsData: l === 0 }) });
  }
  return { model: new StnNetwork('mlp-weight-decay', blocks, [sizes[0]], 1), space };
}

/**
 * The dense layers of `model` when it is an MLP this module can read: STN-dense layers with ReLU between them
 * (no dropout, pooling or cells).
 * @throws InvalidArgumentError naming `model`.
 */
export function denseLayers(model: StnNetwork): StnDense[] {
  const layers: StnDense[] = [];
  model.blocks.forEach((b, i) => {
    const expectLayer = i % 2 === 0;
    if (expectLayer && b.kind === 'layer' && b.layer instanceof StnDense && b.dropConnect === undefined) layers.push(b.layer);
    else if (!(b.kind === 'relu' && !expectLayer)) throw new InvalidArgumentError('model', 'an MLP of STN-dense layers with ReLU between them (no dropout)', `${model.name}: block ${i} is ${b.kind}`);
  });
  if (layers.length === 0 || model.blocks.length % 2 === 0) throw new InvalidArgumentError('model', 'an MLP that starts and ends with a dense layer', model.name);
  return layers;
}

/** The layout of {@link denseLayers}. */
export function layoutOf(model: StnNetwork): DenseLayout {
  return denseLayers(model).map((l) => [l.inputs, l.outputs] as const);
}

function checkHnet(model: StnNetwork, hnet: readonly number[]): void {
  if (!Array.isArray(hnet) || hnet.length !== model.hyperDim || !hnet.every(Number.isFinite)) throw new InvalidArgumentError('hnet', `${model.hyperDim} finite numbers (the model's hypernetwork input)`, String(hnet));
}

/**
 * The weights the network uses at the hypernetwork input h = `hnet` (one row, docs/math.md#s3-1), flattened layer
 * by layer (kernel in×out row-major, then bias): Ŵ = W_gen + W_resp diag(U_wᵀh), b̂ = b_gen + (U_bᵀh) ⊙ b_resp.
 */
export function effectiveWeights(model: StnNetwork, hnet: readonly number[]): Float64Array {
  checkHnet(model, hnet);
  return flatten(model, (l) =>
    tf.tidy(() => {
      const h = tf.tensor2d([hnet as number[]], [1, hnet.length]);
      const sw = tf.matMul(h, l.bottleneckWeight as tf.Tensor2D); // [1, out]
      const sb = tf.reshape(tf.matMul(h, l.bottleneckBias as tf.Tensor2D), [l.outputs]);
      return [tf.add(l.weight, tf.mul(l.responseWeight, sw)), tf.add(l.bias, tf.mul(sb, l.responseBias))];
    }),
  );
}

/**
 * θ_k = ∂ŵ/∂h_k, the learned response direction for hyperparameter `k` (the same for every h: the weights are
 * linear in h): kernel W_resp diag(U_w[k, :]), bias U_b[k, :] ⊙ b_resp, flattened as {@link effectiveWeights}.
 */
export function responseDirection(model: StnNetwork, k = 0): Float64Array {
  if (!Number.isInteger(k) || k < 0 || k >= model.hyperDim) throw new InvalidArgumentError('k', `a hyperparameter index in [0, ${model.hyperDim})`, k);
  return flatten(model, (l) =>
    tf.tidy(() => {
      const uw = tf.slice(l.bottleneckWeight, [k, 0], [1, l.outputs]);
      const ub = tf.reshape(tf.slice(l.bottleneckBias, [k, 0], [1, l.outputs]), [l.outputs]);
      return [tf.mul(l.responseWeight, uw), tf.mul(ub, l.responseBias)];
    }),
  );
}

function flatten(model: StnNetwork, parts: (l: StnDense) => tf.Tensor[]): Float64Array {
  const layers = denseLayers(model);
  const out = new Float64Array(layoutSize(layoutOf(model)));
  let at = 0;
  for (const l of layers) {
    const ts = parts(l);
    for (const t of ts) {
      out.set(t.dataSync(), at);
      at += t.size;
    }
    tf.dispose(ts);
  }
  return out;
}

/** Logits of the plain MLP (ReLU between layers) with flat weights `w`. */
export function plainLogits(layout: DenseLayout, w: tf.Tensor1D, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const layers = unflatten(layout, w);
    let a: tf.Tensor2D = x;
    layers.forEach(({ kernel, bias }, l) => {
      a = tf.add(tf.matMul(a, kernel), bias) as tf.Tensor2D;
      if (l + 1 < layers.length) a = tf.relu(a);
    });
    return a;
  });
}

/** L(w) = mean CE + ½·`decay`·Σ_l ‖W_l‖² (kernels only; `decay` = 0: the validation loss). */
export function plainObjective(layout: DenseLayout, w: tf.Tensor1D, x: tf.Tensor2D, labels: tf.Tensor1D, decay: number): tf.Scalar {
  return tf.tidy(() => {
    const ce = crossEntropy(plainLogits(layout, w, x), labels);
    if (decay === 0) return ce;
    const norm = unflatten(layout, w).reduce<tf.Tensor>((acc, { kernel }) => tf.add(acc, tf.sum(tf.square(kernel))), tf.scalar(0));
    return tf.add(ce, tf.mul(norm, 0.5 * decay)) as tf.Scalar;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Retraining to convergence: full-batch L-BFGS
// ---------------------------------------------------------------------------------------------------------

/** Options of {@link retrain}. */
export interface RetrainOptions {
  /** Stop when ‖∇L‖₂ ≤ gradTol (default 1e-5). */
  gradTol?: number;
  /** At most this many L-BFGS iterations (default 1500). */
  maxIterations?: number;
  /** Pairs (s, y) kept (default 20). */
  memory?: number;
  /** Called after each iteration with the loss, ‖∇L‖ and the accepted step length. */
  onIteration?: (iteration: number, loss: number, gradNorm: number, step: number) => void;
}

/** What {@link retrain} reached. */
export interface RetrainResult {
  weights: Float64Array;
  loss: number;
  gradNorm: number;
  iterations: number;
  /** ‖∇L‖ ≤ gradTol. */
  converged: boolean;
  /** The line search found no decrease (float32 resolution reached) before convergence. */
  stalled: boolean;
}


/** Indices of the inputs (pixels) that are 0 in every example of `ds`. */
export function deadInputs(ds: Dataset): number[] {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const alive = new Uint8Array(per);
  for (let n = 0; n < ds.size; n++) for (let i = 0; i < per; i++) if (ds.images[n * per + i] !== 0) alive[i] = 1;
  const out: number[] = [];
  alive.forEach((a, i) => {
    if (!a) out.push(i);
  });
  return out;
}

/** The whole of a dataset as one batch of flattened images. */
export function fullBatch(ds: Dataset): FullBatch {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  return { x: tf.tensor2d(ds.images.subarray(0, ds.size * per), [ds.size, per]), labels: tf.tensor1d(Array.from(ds.labels.subarray(0, ds.size)), 'int32') };
}

const dot = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0]);

/**
 * w* = argmin_w L(w) (L = {@link plainObjective} with `decay`) by full-batch L-BFGS (two-loop recursion, memory m,
 * initial scaling sᵀy/yᵀy, backtracking line search: Armijo with c = 1e-4, or Hager–Zhang's approximate Wolfe
 * conditions where float32 cannot resolve the decrease of the loss) from `start`.
 * @throws InvalidArgumentError naming `start`, `decay` or an option.
 */
export function retrain(layout: DenseLayout, start: Float64Array, data: FullBatch, decay: number, options: RetrainOptions = {}): RetrainResult {
  const n = layoutSize(layout);
  if (!(start instanceof Float64Array) || start.length !== n || !start.every(Number.isFinite)) throw new InvalidArgumentError('start', `${n} finite weights (the layout's flat vector)`, start?.length);
  if (!(decay >= 0) || !Number.isFinite(decay)) throw new InvalidArgumentError('decay', 'a finite weight decay ≥ 0', decay);
  const gradTol = options.gradTol ?? 1e-5;
  const maxIterations = options.maxIterations ?? 1500;
  const memory = options.memory ?? 20;
  if (!(gradTol > 0)) throw new InvalidArgumentError('gradTol', 'a number > 0', gradTol);
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new InvalidArgumentError('maxIterations', 'an integer ≥ 0', maxIterations);
  if (!Number.isInteger(memory) || memory < 1) throw new InvalidArgumentError('memory', 'an integer ≥ 1', memory);
  const vg = tf.valueAndGrad((w: tf.Tensor) => plainObjective(layout, w as tf.Tensor1D, data.x, data.labels, decay));
  const evaluate = (w: tf.Tensor1D): { f: number; g: tf.Tensor1D } => {
    const { value, grad } = vg(w);
    const f = value.dataSync()[0];
    value.dispose();
    return { f, g: grad as tf.Tensor1D };
  };
  let w = tf.tensor1d(Float32Array.from(start));
  let { f, g } = evaluate(w);
  const S: tf.Tensor1D[] = [];
  const Y: tf.Tensor1D[] = [];
  const rho: number[] = [];
  let iterations = 0;
  let stalled = false;
  let gradNorm = Math.sqrt(dot(g, g));
  while (gradNorm > gradTol && iterations < maxIterations && Number.isFinite(f)) {
    // Two-loop recursion: p = −H_k ∇L.
    let p = tf.tidy(() => {
      let q: tf.Tensor = g;
      const alphas: number[] = [];
      for (let i = S.length - 1; i >= 0; i--) {
        const a = rho[i] * dot(S[i], q);
        alphas[i] = a;
        q = tf.sub(q, tf.mul(Y[i], a));
      }
      const last = S.length - 1;
      const gamma = last >= 0 ? dot(S[last], Y[last]) / dot(Y[last], Y[last]) : Math.min(1, 1 / gradNorm);
      let r: tf.Tensor = tf.mul(q, gamma);
      for (let i = 0; i < S.length; i++) {
        const b = rho[i] * dot(Y[i], r);
        r = tf.add(r, tf.mul(S[i], alphas[i] - b));
      }
      return tf.neg(r) as tf.Tensor1D;
    });
    let gp = dot(g, p);
    if (!(gp < 0)) {
      // Not a descent direction (curvature pairs gone stale in float32): restart from steepest descent.
      p.dispose();
      tf.dispose([...S, ...Y]);
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      p = tf.tidy(() => tf.mul(g, -Math.min(1, 1 / gradNorm)) as tf.Tensor1D);
      gp = dot(g, p);
    }
    let t = 1;
    let accepted: { w: tf.Tensor1D; f: number; g: tf.Tensor1D } | null = null;
    for (let k = 0; k < 30; k++) {
      const wNew = tf.tidy(() => tf.add(w, tf.mul(p, t)) as tf.Tensor1D);
      const e = evaluate(wNew);
      // Armijo, or, once the float32 loss cannot resolve the decrease, Hager and Zhang's approximate Wolfe
      // conditions: 0.9·∇Lᵀp ≤ ∇L(w + tp)ᵀp ≤ −0.8·∇Lᵀp with L(w + tp) ≤ L(w) + 1e-6·|L(w)| (the gradient stays
      // accurate where the loss differences are below its rounding).
      const armijo = e.f <= f + 1e-4 * t * gp;
      const approxWolfe = (): boolean => {
        if (!(e.f <= f + 1e-6 * Math.abs(f))) return false;
        const gpNew = dot(e.g, p);
        return 0.9 * gp <= gpNew && gpNew <= -0.8 * gp;
      };
      if (Number.isFinite(e.f) && (armijo || approxWolfe())) {
        accepted = { w: wNew, f: e.f, g: e.g };
        break;
      }
      wNew.dispose();
      e.g.dispose();
      t *= 0.5;
    }
    p.dispose();
    if (!accepted) {
      stalled = true;
      break;
    }
    const s = tf.sub(accepted.w, w) as tf.Tensor1D;
    const y = tf.sub(accepted.g, g) as tf.Tensor1D;
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > memory) {
        S.shift()?.dispose();
        Y.shift()?.dispose();
        rho.shift();
      }
    } else tf.dispose([s, y]);
    w.dispose();
    g.dispose();
    w = accepted.w;
    g = accepted.g;
    f = accepted.f;
    gradNorm = Math.sqrt(dot(g, g));
    iterations++;
    options.onIteration?.(iterations, f, gradNorm, t);
  }
  const weights = Float64Array.from(w.dataSync());
  tf.dispose([w, g, ...S, ...Y]);
  return { weights, loss: f, gradNorm, iterations, converged: gradNorm <= gradTol, stalled };
}

// ---------------------------------------------------------------------------------------------------------
// Metrics (float64)
// ---------------------------------------------------------------------------------------------------------

function checkPair(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length || a.length === 0) throw new InvalidArgumentError('b', `a vector of ${a.length} values (as a)`, b.length);
}

/** cos(a, b) = ⟨a, b⟩/(‖a‖‖b‖); 0 when either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair(a, b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** ‖a − ref‖/‖ref‖ (Infinity when ref = 0 ≠ a). */
export function relativeError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  checkPair(a, ref);
  let d = 0;
  let r = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - ref[i]) ** 2;
    r += ref[i] ** 2;
  }
  return r === 0 ? (d === 0 ? 0 : Infinity) : Math.sqrt(d / r);
}

/** ‖a‖₂. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** (a − b)/scale, element-wise. */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>, scale = 1): Float64Array {
  checkPair(a, b);
  return Float64Array.from({ length: a.length }, (_, i) => (a[i] - b[i]) / scale);
}

/** The kernels of a flat vector (biases set to 0). */
export function kernelsOnly(layout: DenseLayout, w: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(w);
  let at = 0;
  for (const [i, o] of layout) {
    at += i * o;
    out.fill(0, at, at + o);
    at += o;
  }
  return out;
}

/** L(w) in float32 on the backend, read back. */
export function objectiveAt(layout: DenseLayout, w: ArrayLike<number>, data: FullBatch, decay: number): number {
  return tf.tidy(() => plainObjective(layout, tf.tensor1d(Float32Array.from(w)), data.x, data.labels, decay).dataSync()[0]);
}

/** ∇_w L(w) (float32 on the backend). */
export function objectiveGradient(layout: DenseLayout, w: ArrayLike<number>, data: FullBatch, decay: number): Float64Array {
  const g = tf.tidy(() => tf.grad((v: tf.Tensor) => plainObjective(layout, v as tf.Tensor1D, data.x, data.labels, decay))(tf.tensor1d(Float32Array.from(w))));
  const out = Float64Array.from(g.dataSync());
  g.dispose();
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The measurement
// ---------------------------------------------------------------------------------------------------------

/** The methods the measurement trains (the ones with a response). */
export const BEST_RESPONSE_METHODS = ['delta-stn', 'delta-stn-linearized', 'stn', 'centered-stn'] as const;
export type BestResponseMethod = (typeof BEST_RESPONSE_METHODS)[number];

/** The measurement's settings (saved beside the result). */
export interface BestResponseConfig {
  method: BestResponseMethod;
  /** [inputs, hidden…, classes]. */
  sizes: number[];
  /** Initial weight decay d0 and σ0 (λ units). */
  decay: number;
  scale: number;
  epochs: number;
  batchSize: number;
  warmupEpochs: number;
  lrWeights: number;
  lrHyper: number;
  /** The finite-difference steps |ε| in λ units; each is taken with both signs. */
  epsilons: number[];
  seed: number;
  retrain: RetrainOptions;
  /** The implicit-function solves (step 5): δ on the biases, CG tolerance and cap. Absent: defaults ({@link defaultIftConfig}). */
  ift?: IftConfig;
}

/** Settings of the implicit-function solves (step 5 of the module remarks). */
export interface IftConfig {
  /** δ ≥ 0 on the undecayed biases (default 1e-4). */
  biasDamping: number;
  /** CG relative residual target (default 1e-5) and iteration cap (default 500). */
  relTol: number;
  maxIterations: number;
  /** Also solve with the exact Hessian of the cross-entropy (default true). */
  hessian: boolean;
}

/** The defaults of {@link IftConfig}. */
export function defaultIftConfig(overrides: Partial<IftConfig> = {}): IftConfig {
  return { biasDamping: 1e-4, relTol: 1e-5, maxIterations: 500, hessian: true, ...overrides };
}

/** One implicit-function solve J = −(C + TP + δ(I − P))⁻¹ T′ P w and how it compares (step 5). */
export interface IftSolve extends Omit<IftJacobianResult, 'jacobian'> {
  /** Where: the method's weights w_m or the retrained w*(λ). */
  point: 'method' | 'retrained';
  /** ‖J‖ (null: no solution, CG met curvature ≤ 0). */
  norm: number | null;
  /** cos(θ, J), ‖θ − J‖/‖J‖, ‖θ‖/‖J‖. */
  thetaCosine: number | null;
  thetaRelativeError: number | null;
  thetaNormRatio: number | null;
  /** ∇_w L_V(w)·J at the solve's point: the hypergradient J predicts. */
  predictedHypergradient: number | null;
  /** cos(J, J^c_ε), ‖J − J^c_ε‖/‖J^c_ε‖ and ‖J^c_ε‖/‖J‖ for each |ε| (the retrained central differences). */
  central: { epsilon: number; cosine: number; relativeError: number; normRatio: number }[];
  /** cos and relative difference to the first solve at the same point (the Gauss–Newton one with δ), when this is another. */
  versusFirst?: { cosine: number; relativeError: number };
}

/** One signed step ε. */
export interface EpsilonResult {
  epsilon: number;
  /** T(λ + ε). */
  decay: number;
  retrain: Omit<RetrainResult, 'weights'>;
  /** ‖J_ε‖, cos(θ, J_ε), ‖θ − J_ε‖/‖J_ε‖ with J_ε = (w*(λ+ε) − w*(λ))/ε. */
  jacobianNorm: number;
  cosine: number;
  relativeError: number;
  /** L_V(w_m + εθ) − L_V(w_m) and L_V(w*(λ+ε)) − L_V(w*(λ)). */
  predictedDeltaVal: number;
  measuredDeltaVal: number;
}

/** The central difference at one |ε|. */
export interface CentralResult {
  epsilon: number;
  jacobianNorm: number;
  cosine: number;
  relativeError: number;
  /** cos(J_ε, J_−ε): the two one-sided differences' agreement (the measurement's own check). */
  signAgreement: number;
  /** cos(−W*(λ), J^c): the "shrink the kernels" reference direction. */
  shrinkageCosine: number;
  /** (L_V(w*(λ+ε)) − L_V(w*(λ−ε)))/(2ε): the measured hypergradient. */
  measuredHypergradient: number;
}

/** The result for one method. */
export interface BestResponseResult {
  format: 'deltastn.best-response';
  /** 2: with `ift` (step 5). */
  version: 2;
  config: BestResponseConfig;
  backend: string;
  lambda: number;
  decay: number;
  sigma: number;
  /** The method's own validation and test loss/accuracy at the end of training. */
  val: { loss: number; accuracy: number };
  test?: { loss: number; accuracy: number };
  trainSeconds: number;
  /** L_V(w_m) from the flat weights (equals `val.loss`, the trainer's own evaluation, up to float32 rounding). */
  methodValLoss: number;
  /** ‖θ‖ and ‖w_m‖. */
  thetaNorm: number;
  weightNorm: number;
  /** ∇_w L_V(w_m)·θ: the hypergradient the response implies. */
  predictedHypergradient: number;
  base: Omit<RetrainResult, 'weights'> & { distanceFromMethod: number; valLoss: number; deadInputs: number };
  steps: EpsilonResult[];
  central: CentralResult[];
  /** The implicit-function solves (step 5): Gauss–Newton at w_m with δ and with δ = 0, the Hessian at w_m with δ and with δ = d; then Gauss–Newton and the Hessian (δ, d) at w*(λ). */
  ift: IftSolve[];
  measureSeconds: number;
}

/** The issue's defaults: 784-100-10, 2 000 training digits (the caller's data), d0 = 1e-3, σ0 = 1. */
export function defaultBestResponseConfig(method: BestResponseMethod, overrides: Partial<BestResponseConfig> = {}): BestResponseConfig {
  return { method, sizes: [784, 100, 10], decay: 1e-3, scale: 1, epochs: 30, batchSize: 128, warmupEpochs: 0, lrWeights: 1e-2, lrHyper: 1e-2, epsilons: [0.1, 0.3, 1], seed: 0, retrain: { gradTol: 1e-5, maxIterations: 1500, memory: 20 }, ...overrides };
}

/** Checks a configuration. @throws InvalidArgumentError naming the field. */
export function validateBestResponseConfig(c: BestResponseConfig): void {
  if (!(BEST_RESPONSE_METHODS as readonly string[]).includes(c.method)) throw new InvalidArgumentError('method', BEST_RESPONSE_METHODS.join(', '), c.method);
  for (const [k, v] of [['epochs', c.epochs], ['batchSize', c.batchSize]] as const) if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(k, 'an integer ≥ 1', v);
  if (!Number.isInteger(c.warmupEpochs) || c.warmupEpochs < 0) throw new InvalidArgumentError('warmupEpochs', 'an integer ≥ 0', c.warmupEpochs);
  if (!Number.isSafeInteger(c.seed) || c.seed < 0) throw new InvalidArgumentError('seed', 'an integer ≥ 0', c.seed);
  for (const [k, v] of [['lrWeights', c.lrWeights], ['lrHyper', c.lrHyper]] as const) if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(k, 'a finite number > 0', v);
  if (!Array.isArray(c.epsilons) || c.epsilons.length === 0 || !c.epsilons.every((e) => e > 0 && Number.isFinite(e))) throw new InvalidArgumentError('epsilons', 'at least one finite step |ε| > 0', String(c.epsilons));
  if (c.ift !== undefined) {
    const f = defaultIftConfig(c.ift);
    if (!(f.biasDamping >= 0) || !Number.isFinite(f.biasDamping)) throw new InvalidArgumentError('ift.biasDamping', 'a finite damping ≥ 0', f.biasDamping);
    if (!(f.relTol > 0)) throw new InvalidArgumentError('ift.relTol', 'a number > 0', f.relTol);
    if (!Number.isInteger(f.maxIterations) || f.maxIterations < 1) throw new InvalidArgumentError('ift.maxIterations', 'an integer ≥ 1', f.maxIterations);
  }
}

/**
 * Trains `config.method` on `data` (images of sizes[0] values) and measures its response against the
 * finite-difference best response (module remarks). `log` gets one line per stage.
 */
export async function measureBestResponse(config: BestResponseConfig, data: TrainerData, options: { log?: (s: string) => void; backend?: string } = {}): Promise<BestResponseResult> {
  validateBestResponseConfig(config);
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const { model, space } = weightDecayMlp({ sizes: config.sizes, decay: config.decay, scale: config.scale, seed: config.seed });
  const trainer = new Trainer(model, space, data, { method: config.method, epochs: config.epochs, batchSize: config.batchSize, warmupEpochs: config.warmupEpochs, lrWeights: config.lrWeights, lrHyper: config.lrHyper, seed: config.seed });
  const train = fullBatch(data.train);
  const val = fullBatch(data.val);
  try {
    let last: { val: { loss: number; accuracy: number }; test?: { loss: number; accuracy: number } } | null = null;
    while (!trainer.done()) {
      const r = await trainer.runEpochAsync();
      if ('stopped' in r) throw new InvalidArgumentError('config', 'settings under which training stays finite', r.stopped);
      last = r;
      log(`${config.method}: epoch ${r.epoch} val ${r.val.loss.toFixed(4)} d=${r.hyper.weight_decay.value.toExponential(3)} σ=${r.hyper.weight_decay.scale.toFixed(3)}`);
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const layout = layoutOf(model);
    const lambda = trainer.state.lambda[0];
    const decay = space.hyperValue(0, lambda);
    const sigma = space.scale(trainer.state.rawScale)[0];
    const wm = effectiveWeights(model, [trainer.method.centered ? 0 : lambda]);
    const theta = responseDirection(model, 0);
    const valLoss = (w: ArrayLike<number>): number => objectiveAt(layout, w, val, 0);
    const lvm = valLoss(wm);
    const predictedHypergradient = objectiveGradient(layout, wm, val, 0).reduce((a, gi, i) => a + gi * theta[i], 0);
    const strip = ({ weights: _w, ...rest }: RetrainResult): Omit<RetrainResult, 'weights'> => rest;
    // Kernel rows of inputs that are 0 in every training image feel only the decay: their best response is 0 for
    // every d > 0, exactly. They start there, so the retraining does not spend its iterations on that slow mode.
    const dead = deadInputs(data.train);
    const start = Float64Array.from(wm);
    const out1 = layout[0][1];
    for (const i of dead) start.fill(0, i * out1, (i + 1) * out1);
    const base = retrain(layout, start, train, decay, config.retrain);
    log(`${config.method}: w*(λ) at λ=${lambda.toFixed(4)} (d=${decay.toExponential(3)}): ${base.iterations} iterations, ‖∇L_T‖=${base.gradNorm.toExponential(2)}`);
    const lvStar = valLoss(base.weights);
    const steps: EpsilonResult[] = [];
    const fd = new Map<number, Float64Array>();
    const lvAt = new Map<number, number>();
    for (const e of config.epsilons.flatMap((m) => [m, -m])) {
      const d = space.hyperValue(0, lambda + e);
      const r = retrain(layout, base.weights, train, d, config.retrain);
      const J = difference(r.weights, base.weights, e);
      fd.set(e, J);
      const lv = valLoss(r.weights);
      lvAt.set(e, lv);
      const predicted = valLoss(wm.map((w, i) => w + e * theta[i])) - lvm;
      steps.push({ epsilon: e, decay: d, retrain: strip(r), jacobianNorm: norm(J), cosine: cosine(theta, J), relativeError: relativeError(theta, J), predictedDeltaVal: predicted, measuredDeltaVal: lv - lvStar });
      log(`${config.method}: ε=${e}: ${r.iterations} iterations, ‖∇‖=${r.gradNorm.toExponential(2)}, cos(θ,J)=${cosine(theta, J).toFixed(4)}`);
    }
    const shrink = kernelsOnly(layout, base.weights).map((v) => -v);
    const centralJ = new Map<number, Float64Array>();
    const central: CentralResult[] = config.epsilons.map((m) => {
      const jp = fd.get(m) as Float64Array;
      const jm = fd.get(-m) as Float64Array;
      const J = jp.map((v, i) => (v + jm[i]) / 2); // (w*(λ+ε) − w*(λ−ε))/(2ε)
      centralJ.set(m, J);
      return { epsilon: m, jacobianNorm: norm(J), cosine: cosine(theta, J), relativeError: relativeError(theta, J), signAgreement: cosine(jp, jm), shrinkageCosine: cosine(shrink, J), measuredHypergradient: ((lvAt.get(m) as number) - (lvAt.get(-m) as number)) / (2 * m) };
    });
    // Step 5: the implicit-function Jacobian at w_m and at w*(λ), no retraining. T = softplus: T′ = sigmoid.
    if (space.transforms[0] !== 'lower_softplus') throw new InvalidArgumentError('space', 'a weight decay d = softplus(λ)', space.transforms[0]);
    const iftConfig = defaultIftConfig(config.ift);
    const plan: { point: 'method' | 'retrained'; w: Float64Array; curvature: Curvature; biasDamping: number }[] = [];
    for (const [point, w] of [['method', wm], ['retrained', base.weights]] as const) {
      plan.push({ point, w, curvature: 'gauss-newton', biasDamping: iftConfig.biasDamping });
      if (point === 'method' && iftConfig.biasDamping > 0) plan.push({ point, w, curvature: 'gauss-newton', biasDamping: 0 });
      if (iftConfig.hessian) plan.push({ point, w, curvature: 'hessian', biasDamping: iftConfig.biasDamping });
      // The Hessian once more with the biases damped like the kernels (δ = d): is its negative curvature on the biases?
      if (iftConfig.hessian && iftConfig.biasDamping < decay) plan.push({ point, w, curvature: 'hessian', biasDamping: decay });
    }
    const ift: IftSolve[] = [];
    let first: Float64Array | null = null;
    for (const s of plan) {
      const r = iftJacobian(layout, s.w, train, decay, sigmoid(lambda), { curvature: s.curvature, biasDamping: s.biasDamping, relTol: iftConfig.relTol, maxIterations: iftConfig.maxIterations });
      const { jacobian: J, ...stats } = r;
      const isFirst = ift.length === 0 || ift[ift.length - 1].point !== s.point;
      if (isFirst) first = J;
      const gradVal = objectiveGradient(layout, s.w, val, 0);
      ift.push({
        ...stats,
        point: s.point,
        norm: J ? norm(J) : null,
        thetaCosine: J ? cosine(theta, J) : null,
        thetaRelativeError: J ? relativeError(theta, J) : null,
        thetaNormRatio: J ? norm(theta) / norm(J) : null,
        predictedHypergradient: J ? J.reduce((a, v, i) => a + v * gradVal[i], 0) : null,
        central: J ? config.epsilons.map((m) => { const Jc = centralJ.get(m) as Float64Array; return { epsilon: m, cosine: cosine(J, Jc), relativeError: relativeError(J, Jc), normRatio: norm(Jc) / norm(J) }; }) : [],
        ...(!isFirst && J && first ? { versusFirst: { cosine: cosine(J, first), relativeError: relativeError(J, first) } } : {}),
      });
      log(`${config.method}: IFT ${s.curvature} at ${s.point} (δ=${s.biasDamping}): ${r.iterations} CG iterations, residual ${r.residual?.toExponential(2) ?? '—'}, min pᵀAp/pᵀp ${r.minRayleigh.toExponential(2)}${J ? `, cos(θ,J)=${cosine(theta, J).toFixed(4)}` : `, stopped at iteration ${r.failedAt}`} (${r.seconds.toFixed(1)} s)`);
    }
    return {
      format: 'deltastn.best-response',
      version: 2,
      config,
      backend: options.backend ?? tf.getBackend(),
      lambda,
      decay,
      sigma,
      val: last?.val ?? trainer.evaluate(data.val),
      ...(last?.test ? { test: last.test } : {}),
      trainSeconds,
      methodValLoss: lvm,
      thetaNorm: norm(theta),
      weightNorm: norm(wm),
      predictedHypergradient,
      base: { ...strip(base), distanceFromMethod: relativeError(wm, base.weights), valLoss: lvStar, deadInputs: dead.length },
      steps,
      central,
      ift,
      measureSeconds: (performance.now() - t1) / 1000,
    };
  } finally {
    tf.dispose([train.x, train.labels, val.x, val.labels]);
    trainer.dispose();
    model.dispose();
  }
}
