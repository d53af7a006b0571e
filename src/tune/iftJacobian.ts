/**
 * The implicit-function Jacobian of a plain MLP's weights in its weight decay, solved matrix-free (issue 17, the
 * best response on a real network): what the learned response θ should be, measured without retraining.
 *
 * @remarks
 * **The math.** For L_T(w; λ) = (1/N) Σ_n CE(f(x_n; w), y_n) + ½ T(λ) ‖P w‖² (P the projector onto the kernels,
 * T(λ) = `decay`, T′(λ) = `decayDerivative`; src/tune/bestResponse.ts, {@link plainObjective}), the stationary
 * point w*(λ) moves, by the implicit-function theorem (docs/math.md#s3-4), as
 *
 * $$\frac{\partial w^*}{\partial\lambda} = -\bigl(C(w) + T(\lambda)P + \delta(I - P)\bigr)^{-1}\, T'(\lambda)\, P w,$$
 *
 * with ∂_λ∇_w L_T = T′(λ)·P w and C one of (`curvature`):
 * - `gauss-newton`: G(w) = (1/N) Σ_n J_nᵀ H_n J_n, J_n = ∂f(x_n; w)/∂w, H_n = diag(p_n) − p_n p_nᵀ (p_n = softmax
 *   f(x_n; w)), the Hessian of the cross-entropy in the logits. This is the **Gauss–Newton IFT Jacobian Θ_GN** that
 *   Δ-STN's linearized response step targets (docs/math.md#lin, #s4-3: as σ → 0 its minimiser tends to Θ_GN);
 * - `hessian`: the exact ∇²_w CE = G + S, S = Σ_n Σ_k r_nk ∇²_w f_k(x_n; w) (r = (p − y)/N the residuals), the
 *   implicit-function Jacobian itself (with the true Hessian), defined where C + T P is invertible.
 *
 * δ = `biasDamping` ≥ 0 on the undecayed coordinates (the biases): G + T P is singular there (a common shift of
 * the last layer's biases leaves softmax unchanged; a ReLU unit inactive on every example has a bias with no
 * curvature). The right-hand side T′ P w has no bias component, so it is orthogonal to those null directions and
 * the system is consistent with δ = 0: conjugate gradients from 0 then stay in the range of the operator and reach
 * its minimum-norm solution. δ > 0 makes the operator positive definite at the price of a bias of order δ/μ_b in
 * the bias directions of small curvature μ_b; the caller reports both.
 *
 * **Products.** The forward pass at w is cached once (activations a_l, ReLU masks m_l = 1[z_l > 0], p, and for
 * the Hessian the back-propagated residuals δ_l). A product A v (v = (V_l, v_l) in the flat layout of
 * {@link plainLogits}) is one tangent pass and one reverse pass (ReLU second derivative 0 almost everywhere):
 *
 * - tangent: ż_l = ȧ_{l−1} W_l + a_{l−1} V_l + v_l, ȧ_l = m_l ⊙ ż_l (ȧ_0 = 0), so ż_L = J v;
 * - δ̇_L = (p ⊙ ż_L − p ⟨p, ż_L⟩)/N = H J v / N;
 * - reverse: ġW_l = a_{l−1}ᵀ δ̇_l (+ ȧ_{l−1}ᵀ δ_l), ġb_l = 1ᵀ δ̇_l, δ̇_{l−1} = (δ̇_l W_lᵀ (+ δ_l V_lᵀ)) ⊙ m_{l−1};
 *   the bracketed terms are S v (the derivative of the backward pass in its weights), present for `hessian` only;
 * - plus T V_l on the kernels and δ v_l on the biases.
 *
 * **Solve.** {@link conjugateGradient} (src/linalg/dense.ts, float64 iterates, matvec-only) on float32 products
 * from the TensorFlow.js backend: the products are accurate to a few float32 roundings, so the attainable relative
 * residual is about κ·u₃₂ and the result reports the true residual ‖b − A J‖/‖b‖ recomputed from J (not CG's
 * recursive one). Every search direction p's Rayleigh quotient pᵀAp/pᵀp is recorded: its minimum says whether A
 * was positive definite along the iterations; a direction with pᵀAp ≤ 0 stops CG (NotPositiveDefiniteError), which
 * is reported as `failedAt` with no Jacobian.
 *
 * [R] (our construction for the measurement; the paper computes no such Jacobian on a network.)
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NotPositiveDefiniteError } from '../errors.js';
import { conjugateGradient } from '../linalg/dense.js';
import { oneHotFloat, softmax } from '../nn/ops.js';

/** The dense layers of a plain MLP, in order: [inputs, outputs] each (flat layout: kernel in×out row-major, then bias, per layer). */
export type DenseLayout = readonly (readonly [number, number])[];

/** A set as tensors for full-batch passes (the caller disposes them): flattened inputs and int32 labels. */
export interface FullBatch {
  x: tf.Tensor2D;
  labels: tf.Tensor1D;
}

/** Which curvature the operator uses (module remarks). */
export type Curvature = 'gauss-newton' | 'hessian';

/** Options of {@link curvatureOperator}. */
export interface CurvatureOptions {
  curvature: Curvature;
  /** T(λ), on the kernels. */
  decay: number;
  /** δ ≥ 0, on the biases (default 0). */
  biasDamping?: number;
}

/** A: v ↦ (C(w) + T P + δ(I − P)) v in the flat layout (float32 on the backend, read back as float64). */
export interface CurvatureOperator {
  readonly size: number;
  matvec(v: ArrayLike<number>): number[];
  /** Frees the cached forward pass. */
  dispose(): void;
}

/** Number of values of a layout's flat vector: Σ_l (in_l·out_l + out_l). */
export function layoutSize(layout: DenseLayout): number {
  return layout.reduce((a, [i, o]) => a + i * o + o, 0);
}

/** Splits a flat weight tensor (layer by layer: kernel row-major, then bias) into each layer's kernel [in, out] and bias [out]. */
export function unflatten(layout: DenseLayout, w: tf.Tensor1D): { kernel: tf.Tensor2D; bias: tf.Tensor1D }[] {
  let at = 0;
  return layout.map(([i, o]) => {
    const kernel = tf.reshape(tf.slice(w, [at], [i * o]), [i, o]) as tf.Tensor2D;
    at += i * o;
    const bias = tf.slice(w, [at], [o]) as tf.Tensor1D;
    at += o;
    return { kernel, bias };
  });
}

function checkWeights(layout: DenseLayout, w: ArrayLike<number>, name: string): void {
  const n = layoutSize(layout);
  if (w === null || w === undefined || w.length !== n || !Array.from(w).every(Number.isFinite)) throw new InvalidArgumentError(name, `${n} finite weights (the layout's flat vector)`, w?.length);
}

/**
 * The operator A = C(w) + T·P + δ(I − P) of the plain MLP `layout` with flat weights `w` on the full batch
 * `data` (module remarks; the caller disposes it).
 * @throws InvalidArgumentError naming `w`, `decay`, `biasDamping` or `curvature`.
 */
export function curvatureOperator(layout: DenseLayout, w: ArrayLike<number>, data: FullBatch, options: CurvatureOptions): CurvatureOperator {
  checkWeights(layout, w, 'w');
  const { curvature, decay } = options;
  const damping = options.biasDamping ?? 0;
  if (curvature !== 'gauss-newton' && curvature !== 'hessian') throw new InvalidArgumentError('curvature', "'gauss-newton' or 'hessian'", curvature);
  if (!(decay >= 0) || !Number.isFinite(decay)) throw new InvalidArgumentError('decay', 'a finite weight decay ≥ 0', decay);
  if (!(damping >= 0) || !Number.isFinite(damping)) throw new InvalidArgumentError('biasDamping', 'a finite damping ≥ 0', damping);
  const L = layout.length;
  const n = data.x.shape[0];
  const size = layoutSize(layout);
  // The cached forward pass: a_0 = x, a_l = relu(z_l), m_l = 1[z_l > 0], p = softmax(z_L); residuals δ_l.
  const cache = tf.tidy(() => {
    const wt = tf.tensor1d(Float32Array.from(w));
    const layers = unflatten(layout, wt);
    const acts: tf.Tensor2D[] = [data.x];
    const masks: tf.Tensor2D[] = [];
    let z: tf.Tensor2D = data.x;
    layers.forEach(({ kernel, bias }, l) => {
      z = tf.add(tf.matMul(acts[l], kernel), bias) as tf.Tensor2D;
      if (l + 1 < L) {
        masks[l + 1] = tf.cast(tf.greater(z, 0), 'float32') as tf.Tensor2D;
        acts.push(tf.relu(z) as tf.Tensor2D);
      }
    });
    const p = softmax(z);
    const residuals: tf.Tensor2D[] = [];
    if (curvature === 'hessian') {
      residuals[L] = tf.div(tf.sub(p, oneHotFloat(data.labels, layout[L - 1][1])), n) as tf.Tensor2D;
      for (let l = L; l > 1; l--) residuals[l - 1] = tf.mul(tf.matMul(residuals[l], layers[l - 1].kernel, false, true), masks[l - 1]) as tf.Tensor2D;
    }
    const keep = [...layers.flatMap((x) => [x.kernel, x.bias]), ...acts.slice(1), ...masks.filter(Boolean), p, ...residuals.filter(Boolean)];
    keep.forEach((t) => tf.keep(t));
    return { layers, acts, masks, p, residuals, owned: keep };
  });
  const { layers, acts, masks, p, residuals } = cache;
  let disposed = false;
  return {
    size,
    matvec(v: ArrayLike<number>): number[] {
      if (disposed) throw new InvalidArgumentError('operator', 'an operator that has not been disposed', 'disposed');
      if (v.length !== size) throw new InvalidArgumentError('v', `a vector of ${size} values`, v.length);
      const out = tf.tidy(() => {
        const dv = unflatten(layout, tf.tensor1d(Float32Array.from(v)));
        // Tangent pass: ż_l = ȧ_{l−1} W_l + a_{l−1} V_l + v_l, ȧ_l = m_l ⊙ ż_l.
        const dActs: (tf.Tensor2D | null)[] = [null];
        let dz: tf.Tensor2D = data.x;
        for (let l = 0; l < L; l++) {
          dz = tf.add(tf.matMul(acts[l], dv[l].kernel), dv[l].bias) as tf.Tensor2D;
          const prev = dActs[l];
          if (prev !== null) dz = tf.add(dz, tf.matMul(prev, layers[l].kernel)) as tf.Tensor2D;
          if (l + 1 < L) dActs.push(tf.mul(masks[l + 1], dz) as tf.Tensor2D);
        }
        // δ̇_L = H ż_L / N, H = diag(p) − ppᵀ per row.
        const pz = tf.mul(p, dz);
        let delta = tf.div(tf.sub(pz, tf.mul(p, tf.sum(pz, 1, true))), n) as tf.Tensor2D;
        const parts: tf.Tensor[] = [];
        for (let l = L; l >= 1; l--) {
          const i = l - 1; // layer index
          let gk = tf.matMul(acts[i], delta, true, false);
          const prevDot = dActs[i];
          if (curvature === 'hessian' && prevDot !== null) gk = tf.add(gk, tf.matMul(prevDot, residuals[l], true, false));
          gk = tf.add(gk, tf.mul(dv[i].kernel, decay));
          let gb: tf.Tensor = tf.sum(delta, 0);
          if (damping > 0) gb = tf.add(gb, tf.mul(dv[i].bias, damping));
          parts[i] = tf.concat([tf.reshape(gk, [-1]), gb]);
          if (l > 1) {
            let back = tf.matMul(delta, layers[i].kernel, false, true);
            if (curvature === 'hessian') back = tf.add(back, tf.matMul(residuals[l], dv[i].kernel, false, true));
            delta = tf.mul(back, masks[i]) as tf.Tensor2D;
          }
        }
        return tf.concat(parts);
      });
      const values = Array.from(out.dataSync());
      out.dispose();
      return values;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      tf.dispose(cache.owned);
    },
  };
}

/** Options of {@link iftJacobian}. */
export interface IftJacobianOptions {
  curvature?: Curvature;
  /** δ on the biases (default 0: the consistent singular system, module remarks). */
  biasDamping?: number;
  /** CG stops when its recursive residual is ≤ relTol·‖b‖ (default 1e-5). */
  relTol?: number;
  /** CG iteration cap (default 500). */
  maxIterations?: number;
}

/** What {@link iftJacobian} reached. */
export interface IftJacobianResult {
  curvature: Curvature;
  biasDamping: number;
  /** ∂w*(λ)/∂λ = −A⁻¹ T′ P w; null when CG met a direction of curvature ≤ 0 (`failedAt`). */
  jacobian: Float64Array | null;
  iterations: number;
  /** CG's own stopping test. */
  converged: boolean;
  /** ‖b − A J‖/‖b‖ recomputed with one more product (null without a Jacobian). */
  residual: number | null;
  /** min over the CG directions of pᵀAp/pᵀp, and whether it stayed > 0 on every direction. */
  minRayleigh: number;
  positiveDefinite: boolean;
  /** The CG iteration at which pᵀAp ≤ 0 stopped the solve (null: never). */
  failedAt: number | null;
  /** The share of that direction's ‖p‖² on the undecayed biases (null: never stopped): where the negative curvature lies. */
  failedBiasShare: number | null;
  seconds: number;
}

/**
 * ∂w*(λ)/∂λ at `w` by the implicit-function theorem with the `curvature` of the options, solved by conjugate
 * gradients on {@link curvatureOperator} products (module remarks): A J = −T′(λ) P w, T = `decay`, T′ =
 * `decayDerivative`.
 * @throws InvalidArgumentError naming `w`, `decay`, `decayDerivative` or an option.
 */
export function iftJacobian(layout: DenseLayout, w: ArrayLike<number>, data: FullBatch, decay: number, decayDerivative: number, options: IftJacobianOptions = {}): IftJacobianResult {
  checkWeights(layout, w, 'w');
  if (!Number.isFinite(decayDerivative)) throw new InvalidArgumentError('decayDerivative', "a finite T′(λ)", decayDerivative);
  const curvature = options.curvature ?? 'gauss-newton';
  const biasDamping = options.biasDamping ?? 0;
  const relTol = options.relTol ?? 1e-5;
  const maxIterations = options.maxIterations ?? 500;
  if (!(relTol > 0)) throw new InvalidArgumentError('relTol', 'a number > 0', relTol);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new InvalidArgumentError('maxIterations', 'an integer ≥ 1', maxIterations);
  const t0 = performance.now();
  const op = curvatureOperator(layout, w, data, { curvature, decay, biasDamping });
  // b = −T′ P w (kernels only).
  const b = Array.from(w, (v) => -decayDerivative * v);
  const isKernel = new Uint8Array(b.length);
  let at = 0;
  for (const [i, o] of layout) {
    isKernel.fill(1, at, at + i * o);
    at += i * o;
    b.fill(0, at, at + o);
    at += o;
  }
  let minRayleigh = Infinity;
  let calls = 0;
  let last: readonly number[] = [];
  const matvec = (v: readonly number[]): number[] => {
    last = v;
    const av = op.matvec(v);
    let vv = 0;
    let vav = 0;
    for (let i = 0; i < v.length; i++) {
      vv += v[i] * v[i];
      vav += v[i] * av[i];
    }
    if (vv > 0) minRayleigh = Math.min(minRayleigh, vav / vv);
    calls++;
    return av;
  };
  try {
    let result: ReturnType<typeof conjugateGradient>;
    try {
      result = conjugateGradient(matvec, b, { relTol, maxIterations });
    } catch (e) {
      if (!(e instanceof NotPositiveDefiniteError)) throw e;
      let all = 0;
      let onBias = 0;
      last.forEach((v, i) => {
        all += v * v;
        if (!isKernel[i]) onBias += v * v;
      });
      return { curvature, biasDamping, jacobian: null, iterations: calls - 1, converged: false, residual: null, minRayleigh, positiveDefinite: false, failedAt: calls - 1, failedBiasShare: all > 0 ? onBias / all : 0, seconds: (performance.now() - t0) / 1000 };
    }
    const ax = op.matvec(result.x);
    let rr = 0;
    let bb = 0;
    for (let i = 0; i < b.length; i++) {
      rr += (b[i] - ax[i]) ** 2;
      bb += b[i] ** 2;
    }
    return {
      curvature,
      biasDamping,
      jacobian: Float64Array.from(result.x),
      iterations: result.iterations,
      converged: result.converged,
      residual: bb > 0 ? Math.sqrt(rr / bb) : Math.sqrt(rr),
      minRayleigh,
      positiveDefinite: minRayleigh > 0,
      failedAt: null,
      failedBiasShare: null,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    op.dispose();
  }
}
