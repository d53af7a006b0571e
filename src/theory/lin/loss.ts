/**
 * LIN, Prop. L.4 with a loss that is not quadratic: the counterexample that shows L.4 needs ℓ quadratic
 * (proof in `proofs/LIN.md`, step L4; math in docs/math.md#s4-3).
 *
 * @remarks
 * The setting is L.4's in every other respect: a scalar weight w, a scalar λ, an output that does not depend on
 * λ (here the linear model f(x; w) = w·x, so even the network is exactly linear in w), and weight decay
 * R = ½e^λw². The loss is either squared, ℓ(f, y) = ½(f − y)², or logistic, ℓ(f, y) = log(1 + e^{−yf}). With
 * $\mathcal L_T(\lambda, w) = \frac1n\sum_i\ell(wx_i, y_i) + \tfrac12e^\lambda w^2$ the linearized response objective is
 * $F_{\rm lin}(\theta) = \mathbb E_\epsilon\big[\frac1n\sum_i\ell(w_0x_i + x_i\theta\epsilon, y_i) + \tfrac12e^{\lambda_0+\epsilon}(w_0+\theta\epsilon)^2\big]$
 * (the linearization is exact here because f is linear in w). Its stationarity condition contains
 * $\mathbb E[\epsilon\,\frac1n\sum_ix_i\ell'(w_0x_i + x_i\theta\epsilon)]$, which equals $\sigma^2G_w\theta$ only when ℓ' is affine, i.e.
 * ℓ quadratic; for the logistic loss it also has $\tfrac12\sigma^4\theta^3\frac1n\sum_ix_i^4\ell''''(w_0x_i) + O(\sigma^6)$, so the
 * L.4 closed form is off by O(σ²) relative.
 */
import { InvalidArgumentError, NonFiniteError } from '../../errors.js';
import { gaussHermite } from '../../linalg/gaussHermite.js';
import { DEFAULT_NODES, newtonMinimize1d, type ValueGradCurv } from '../scalarToys.js';

/** The per-example losses of {@link LinearModelProblem}. */
export type ScalarLoss = 'squared' | 'logistic';

/** A linear model f(x; w) = w·x with per-example loss `loss`, data `x`, `y`, and weight decay ½e^λw². */
export interface LinearModelProblem {
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly loss: ScalarLoss;
}

function assertFiniteNumber(v: number, name: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(name, v);
}

/**
 * Builds a {@link LinearModelProblem}: `x`, `y` the data (same length n ≥ 1), `loss` the loss.
 * @throws InvalidArgumentError naming `x` (empty) or `y` (length); NonFiniteError for NaN/±∞ data.
 */
export function linearModelProblem(x: readonly number[], y: readonly number[], loss: ScalarLoss): LinearModelProblem {
  if (x.length === 0) throw new InvalidArgumentError('x', 'at least one example', 'an empty array');
  if (x.length !== y.length) throw new InvalidArgumentError('y', `length ${x.length} (as x)`, `length ${y.length}`);
  x.forEach((v, i) => assertFiniteNumber(v, `x[${i}]`));
  y.forEach((v, i) => assertFiniteNumber(v, `y[${i}]`));
  if (loss !== 'squared' && loss !== 'logistic') throw new InvalidArgumentError('loss', "'squared' or 'logistic'", loss);
  return { x: [...x], y: [...y], loss };
}

/**
 * ℓ(f, y) and its first two derivatives in f: squared ½(f − y)², 1·(f − y), 1; logistic
 * log(1 + e^{−yf}), −y·s(−yf), y²·s(yf)s(−yf) with s the logistic sigmoid (softplus written stably).
 */
export function lossDerivatives(loss: ScalarLoss, f: number, y: number): [number, number, number] {
  if (loss === 'squared') return [0.5 * (f - y) * (f - y), f - y, 1];
  const t = -y * f;
  const softplus = Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
  const sMinus = 1 / (1 + Math.exp(-t)); // s(−yf)
  const sPlus = 1 / (1 + Math.exp(t)); // s(yf)
  return [softplus, -y * sMinus, y * y * sPlus * sMinus];
}

/** $\mathcal L_T(\lambda, w) = \frac1n\sum_i\ell(wx_i, y_i) + \tfrac12e^\lambda w^2$ and its first two w-derivatives. */
export function linearModelTrainLoss(p: LinearModelProblem, lambda: number, w: number): [number, number, number] {
  const n = p.x.length;
  const e = Math.exp(lambda);
  let v = 0.5 * e * w * w;
  let g = e * w;
  let h = e;
  for (let i = 0; i < n; i++) {
    const [l0, l1, l2] = lossDerivatives(p.loss, w * p.x[i], p.y[i]);
    v += l0 / n;
    g += (p.x[i] * l1) / n;
    h += (p.x[i] * p.x[i] * l2) / n;
  }
  return [v, g, h];
}

/**
 * w*(λ) = argmin_w 𝓛_T(λ, w) by Newton from 0 (𝓛_T is strictly convex: both losses are convex and e^λ > 0).
 * @throws InvalidArgumentError naming `p` when Newton does not converge.
 */
export function linearModelBestResponse(p: LinearModelProblem, lambda: number): number {
  assertFiniteNumber(lambda, 'lambda');
  const res = newtonMinimize1d((w) => linearModelTrainLoss(p, lambda, w), 0);
  if (!res.converged) throw new InvalidArgumentError('p', 'a training loss whose Newton iteration converges', `w = ${res.x[0]}`);
  return res.x[0];
}

/** Gauss–Newton curvature of the data term at w₀ (`general`): $G_w = \frac1n\sum_ix_i^2\,\ell''(w_0x_i, y_i)$. */
export function linearModelGaussNewton(p: LinearModelProblem, general: number): number {
  const n = p.x.length;
  let g = 0;
  for (let i = 0; i < n; i++) g += (p.x[i] * p.x[i] * lossDerivatives(p.loss, general * p.x[i], p.y[i])[2]) / n;
  return g;
}

/**
 * The linearized response objective θ ↦ [F_lin, F_lin', F_lin''] of the linear model (see the module remarks) by
 * `nodes`-point Gauss–Hermite: F_lin' = E[ε(⟨x ℓ'⟩ + e^{λ₀+ε}(w₀+θε))], F_lin'' = E[ε²(⟨x² ℓ''⟩ + e^{λ₀+ε})] ≥ 0,
 * ⟨·⟩ the mean over examples at f = w₀x_i + x_iθε. `lambda0` = λ₀, `general` = w₀, `sigma` = σ.
 * @throws InvalidArgumentError naming `sigma` unless σ > 0, `nodes` unless an integer ≥ 60.
 */
export function linearModelLinearizedObjective(p: LinearModelProblem, lambda0: number, general: number, sigma: number, nodes = DEFAULT_NODES): (response: number) => ValueGradCurv {
  assertFiniteNumber(lambda0, 'lambda0');
  assertFiniteNumber(general, 'general');
  assertFiniteNumber(sigma, 'sigma');
  if (!(sigma > 0)) throw new InvalidArgumentError('sigma', 'σ > 0', sigma);
  if (!Number.isInteger(nodes) || nodes < 60) throw new InvalidArgumentError('nodes', 'an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes)', nodes);
  const rule = gaussHermite(nodes);
  const n = p.x.length;
  return (theta: number): ValueGradCurv => {
    let v = 0;
    let g = 0;
    let h = 0;
    for (let k = 0; k < nodes; k++) {
      const eps = sigma * rule.nodes[k];
      const wk = rule.weights[k];
      const c = Math.exp(lambda0 + eps);
      const wt = general + theta * eps;
      let lv = 0.5 * c * wt * wt;
      let lg = c * wt;
      let lh = c;
      for (let i = 0; i < n; i++) {
        const [l0, l1, l2] = lossDerivatives(p.loss, p.x[i] * wt, p.y[i]);
        lv += l0 / n;
        lg += (p.x[i] * l1) / n;
        lh += (p.x[i] * p.x[i] * l2) / n;
      }
      v += wk * lv;
      g += wk * eps * lg;
      h += wk * eps * eps * lh;
    }
    return { value: v, gradient: g, curvature: h };
  };
}

/**
 * θ_lin = argmin_θ F_lin(θ) of {@link linearModelLinearizedObjective}, by Newton from 0 (F_lin is strictly convex).
 * @throws InvalidArgumentError naming `p` when Newton does not converge.
 */
export function linearModelLinearizedResponse(p: LinearModelProblem, lambda0: number, general: number, sigma: number, nodes = DEFAULT_NODES): number {
  const f = linearModelLinearizedObjective(p, lambda0, general, sigma, nodes);
  const res = newtonMinimize1d((t) => {
    const o = f(t);
    return [o.value, o.gradient, o.curvature];
  }, 0);
  if (!res.converged) throw new InvalidArgumentError('p', 'a linearized objective whose Newton iteration converges', `θ = ${res.x[0]}`);
  return res.x[0];
}

/** The referee's data for the logistic counterexample to L.4 without "ℓ quadratic": labels ±1, λ₀ = −2, σ = 0.5. */
export const LOGISTIC_L4_DATA = { x: [0.5, 1, 1.5, -0.7], y: [1, 1, -1, -1], lambda0: -2, sigma: 0.5 } as const;

/**
 * 50-digit mpmath values for {@link LOGISTIC_L4_DATA} (our own computation: `findroot` on the adaptive-quadrature
 * stationarity condition), to 15 significant digits: w₀, G_w, the minimiser of F_lin, and the L.4 closed
 * form evaluated with that G_w. (The referee's figures, −0.08039003 and −0.08036336, agree.)
 */
export const LOGISTIC_L4_REFERENCE = {
  general: 0.228461004247977,
  gaussNewton: 0.244271489586516,
  linearized: -0.0803900299322839,
  closedForm: -0.0803633635920214,
} as const;
