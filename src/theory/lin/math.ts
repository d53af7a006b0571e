/**
 * LIN: linearizing the network in the Δ-STN response step (docs/math.md#s0-1 row LIN, #s3-3, #s4-3, #pt-10,
 * PT-11; proof in `proofs/LIN.md`).
 *
 * @remarks
 * The statement is the project's reconstruction (docs/math.md#s0-1, tagged [R]), not the paper's wording. With
 * $\mathcal L_T(\lambda, w) = \mathbb E_x\,\ell(f(x; w, \lambda)) + R(\lambda, w)$ and $w_0 = w^*(\lambda_0)$ a non-degenerate
 * minimiser ($\nabla_w\mathcal L_T = 0$, $\nabla^2_w\mathcal L_T \succ 0$: the implicit function theorem needs the Hessian
 * invertible, a strict minimiser is not enough), the linearized response objective is
 * $F_{\rm lin}(\Theta) = \mathbb E_{\epsilon,x}\,\ell\big(f_0(\epsilon) + J(\epsilon)\Theta\epsilon\big) + \mathbb E_\epsilon R(\lambda_0+\epsilon, w_0+\Theta\epsilon)$,
 * with $f_0(\epsilon) = f(x; w_0, \lambda_0+\epsilon)$, $J(\epsilon) = \partial_w f(x; w_0, \lambda_0+\epsilon)$ and R **not** linearized
 * (docs/math.md#s3-3, last paragraph). Proposition L: (1) F_lin is convex in Θ for convex ℓ and R; (2) as σ → 0 its
 * minimiser tends to the Gauss–Newton IFT Jacobian $\Theta_{\rm GN} = -(G_w+\nabla^2_wR)^{-1}\nabla^2_{w\lambda}\mathcal L_T$, whose
 * cross derivative keeps the residual term $\mathbb E\sum_j(\nabla\ell)_j\nabla^2_{w\lambda}f_j$, while the non-linearized
 * Δ-STN tends to $J^* = -(\nabla^2_w\mathcal L_T)^{-1}\nabla^2_{w\lambda}\mathcal L_T$; (3) under quadratic ℓ, f₀ affine in ε, J
 * independent of ε and R ≡ 0 its minimiser equals $\Theta_{\rm GN}$ for every Σ ≻ 0, and equals J* only when the
 * residual-weighted curvature S satisfies $S\Theta_{\rm GN} = 0$ (e.g. zero residual); (4) with ℓ quadratic, weight
 * decay, scalar λ and a λ-free output, $\theta_{\rm lin}(\sigma) = -(G_w + (1+\sigma^2)c)^{-1}c\,w_0$, $c = e^{\lambda_0+\sigma^2/2}$
 * (with the logistic loss it is not: ./loss.ts).
 *
 * The module works on the scalar toys of `./scalarToys.ts` (squared loss, so H_ℓ = 1 per example and
 * $G_w = \frac1n\sum_i(\partial_w r_i)^2$), on the vector toys of `./lin/vector.ts` (w ∈ ℝ^m, λ ∈ ℝ^h, including
 * tanh(x·w·e^λ), whose ∂²f/∂w∂λ ≠ 0), on the linear model with logistic loss of `./lin/loss.ts`, and on the PT-10
 * family in exact rational arithmetic. Cited as docs/math.md#s4-3 (Prop. L) and docs/math.md#s0-1 (row LIN).
 */
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../errors.js';
import { gaussianMomentRule } from '../../linalg/cubature.js';
import { choleskySolve } from '../../linalg/dense.js';
import { math, type Rational } from '../../linalg/exact.js';
import { gaussHermite } from '../../linalg/gaussHermite.js';

import { DEFAULT_NODES, gaussNewtonIftJacobianScalar, newtonMinimize1d, responseObjectiveScalar, type ScalarToy, type ValueGradCurv } from '../scalarToys.js';

export function assertFiniteNumber(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(name, x);
}

export function assertScale(sigma: number): void {
  assertFiniteNumber(sigma, 'sigma');
  if (!(sigma > 0)) throw new InvalidArgumentError('sigma', 'σ > 0', sigma);
}

export function assertNodes(nodes: number): void {
  if (!Number.isInteger(nodes) || nodes < 60) throw new InvalidArgumentError('nodes', 'an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes)', nodes);
}

// ───────────────────────────────────────── the linearized objective ─────────────────────────────────────────

/** Options of the linearized objective. */
export interface LinearizeOptions {
  /** Gauss–Hermite nodes (default 80, at least 60) */
  nodes?: number;
}

/**
 * The linearized response objective of a scalar toy as a function of θ, θ ↦ [F_lin, F_lin', F_lin'']:
 * $F_{\rm lin}(\theta) = \mathbb E_\epsilon\big[\frac1n\sum_i\tfrac12\big(r_i(\lambda_0+\epsilon, w_0) + \partial_wr_i(\lambda_0+\epsilon, w_0)\,\theta\epsilon\big)^2 + R(\lambda_0+\epsilon, w_0+\theta\epsilon)\big]$,
 * $F_{\rm lin}'' = \mathbb E\big[\epsilon^2\big(G_w(\epsilon) + \partial^2_wR\big)\big] \ge 0$ with $G_w(\epsilon) = \frac1n\sum_i\partial_wr_i(\lambda_0+\epsilon, w_0)^2$.
 * `lambda0` = λ₀, `general` = w₀, `sigma` = σ. The residuals and their w-derivatives at w₀ are computed once
 * per quadrature node (they do not depend on θ); R is evaluated at w₀ + θε, not linearized.
 * @see docs/math.md#s3-3, #s4-3 (F_lin)
 */
export function linearizedResponseObjective(toy: ScalarToy, lambda0: number, general: number, sigma: number, options: LinearizeOptions = {}): (response: number) => ValueGradCurv {
  assertFiniteNumber(lambda0, 'lambda0');
  assertFiniteNumber(general, 'general');
  assertScale(sigma);
  const nodes = options.nodes ?? DEFAULT_NODES;
  assertNodes(nodes);
  const rule = gaussHermite(nodes);
  const n = toy.size;
  // Per node: ½⟨r²⟩, ⟨r ∂_w r⟩ and ⟨(∂_w r)²⟩ at (λ0 + ε, w0).
  const half = new Float64Array(nodes);
  const cross = new Float64Array(nodes);
  const gn = new Float64Array(nodes);
  const eps = new Float64Array(nodes);
  for (let k = 0; k < nodes; k++) {
    eps[k] = sigma * rule.nodes[k];
    let a = 0;
    let b = 0;
    let g = 0;
    for (let i = 0; i < n; i++) {
      const r = toy.residual(i, lambda0 + eps[k], general);
      a += 0.5 * r.value * r.value;
      b += r.value * r.dw;
      g += r.dw * r.dw;
    }
    half[k] = a / n;
    cross[k] = b / n;
    gn[k] = g / n;
  }
  const reg = toy.regularizer;
  return (theta: number): ValueGradCurv => {
    let v = 0;
    let gr = 0;
    let cu = 0;
    for (let k = 0; k < nodes; k++) {
      const wk = rule.weights[k];
      const e = eps[k];
      const t = theta * e;
      v += wk * (half[k] + cross[k] * t + 0.5 * gn[k] * t * t);
      gr += wk * e * (cross[k] + gn[k] * t);
      cu += wk * e * e * gn[k];
      if (reg) {
        const rj = reg(lambda0 + e, general + t);
        v += wk * rj.value;
        gr += wk * e * rj.dw;
        cu += wk * e * e * rj.dww;
      }
    }
    return { value: v, gradient: gr, curvature: cu };
  };
}

/**
 * The linearized Δ-STN response slope $\theta_{\rm lin} = \arg\min_\theta F_{\rm lin}(\theta)$ (see
 * {@link linearizedResponseObjective}), by Newton from the Gauss–Newton IFT Jacobian. With weight decay (or R ≡ 0)
 * F_lin is quadratic and one Newton step is exact.
 * @throws InvalidArgumentError naming `toy` if F_lin has no strict minimiser (F_lin'' = 0: every ∂_w r_i = 0).
 * @see docs/math.md#s4-3
 */
export function linearizedResponse(toy: ScalarToy, lambda0: number, general: number, sigma: number, options: LinearizeOptions = {}): number {
  const f = linearizedResponseObjective(toy, lambda0, general, sigma, options);
  const start = gaussNewtonIftJacobianScalar(toy, lambda0, general);
  const res = newtonMinimize1d(
    (theta) => {
      const o = f(theta);
      return [o.value, o.gradient, o.curvature];
    },
    Number.isFinite(start) ? start : 0,
  );
  if (!res.converged || !(f(res.x[0]).curvature > 0)) {
    throw new InvalidArgumentError('toy', 'a linearized response objective with positive curvature', `θ = ${res.x[0]}`);
  }
  return res.x[0];
}

/**
 * Prop. L.4 closed form: with ℓ **quadratic** (constant H_ℓ, e.g. squared loss), weight decay R = ½e^λ‖w‖², scalar λ
 * and an output that does not depend on λ,
 * $\theta_{\rm lin}(\sigma) = -\big(G_w + (1+\sigma^2)c\,I\big)^{-1}c\,w_0$, $c = e^{\lambda_0+\sigma^2/2}$, $G_w = \mathbb E_x[J^\top H_\ell J]$.
 * `gaussNewton` = G_w (m×m, symmetric positive semidefinite), `general` = w₀ (length m). For a non-quadratic ℓ
 * (logistic) the linearized minimiser differs from this by O(σ²) relative (docs/math.md#s4-3; ./loss.ts).
 * @throws ShapeMismatchError naming `general`; NotPositiveDefiniteError naming `gaussNewton` if the shifted matrix is not SPD.
 * @see docs/math.md#s4-3 item 4, #pt-11
 */
export function weightDecayLinearizedResponse(gaussNewton: readonly (readonly number[])[], general: readonly number[], lambda0: number, sigma: number): number[] {
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma);
  const m = gaussNewton.length;
  if (general.length !== m) throw new ShapeMismatchError('general', `length ${m}`, `length ${general.length}`);
  const c = Math.exp(lambda0 + (sigma * sigma) / 2);
  const shiftedG = gaussNewton.map((row, i) => row.map((v, j) => (i === j ? v + (1 + sigma * sigma) * c : v)));
  return choleskySolve(shiftedG, [...general], 'gaussNewton')
    .to1DArray()
    .map((v) => -c * v);
}

/**
 * Second derivative in θ of the **non-linearized** response objective, $F''(\theta) = \mathbb E[\epsilon^2\,\partial^2_w\mathcal L_T(\lambda_0+\epsilon, w_0+\theta\epsilon)]$,
 * scanned on `steps` + 1 equally spaced θ in [`from`, `to`]; returns the θ with the smallest F''. A negative
 * value exhibits non-convexity (Prop. L.1's contrast).
 * @see docs/math.md#s4-3 item 1
 */
export function minResponseCurvature(toy: ScalarToy, lambda0: number, general: number, sigma: number, from: number, to: number, steps: number): { response: number; curvature: number } {
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError('steps', 'an integer ≥ 1', steps);
  let best = { response: from, curvature: Infinity };
  for (let k = 0; k <= steps; k++) {
    const theta = from + ((to - from) * k) / steps;
    const cu = responseObjectiveScalar(toy, lambda0, general, sigma, theta).curvature;
    if (cu < best.curvature) best = { response: theta, curvature: cu };
  }
  return best;
}

// The vector form (VectorToy, vectorTanhToy, linearizedObjectiveVec, the m×h Jacobians) lives in ./vector.ts and the
// logistic counterexample to L.4 without "ℓ quadratic" in ./loss.ts; src/theory/lin.ts re-exports both.

// ───────────────────────────────────────── PT-10 family, exact ─────────────────────────────────────────

/**
 * Prop. L.3 in exact arithmetic for the PT-10 family $\mathcal L_T = \tfrac12(g(w)-\lambda)^2$, $g = w^3 + a w$:
 * F_lin(θ) = E[½(g(w₀) − λ₀ − ε + g'(w₀)θε)²] is a polynomial of degree 2 in ε, so the (2h+1)-point rational
 * rule {@link gaussianMomentRule} computes its coefficients exactly: F_lin'(θ) = αθ + β with
 * α = E[ε²]g'², β = E[ε g'(g(w₀) − λ₀ − ε)]; returns θ_lin = −β/α, which is 1/g'(w₀) for every σ² (`variance`).
 * `a` = a, `general` = w₀, `lambda0` = λ₀, all rational.
 * @throws InvalidArgumentError naming `variance` unless σ² > 0, naming `a` unless g'(w₀) ≠ 0.
 * @see docs/math.md#s4-3 item 3, #pt-10
 */
export function cubicLinearizedResponseExact(a: Rational, general: Rational, lambda0: Rational, variance: Rational): Rational {
  if (!(variance.s > 0n && variance.n !== 0n)) throw new InvalidArgumentError('variance', 'σ² > 0', variance.toFraction());
  const rule = gaussianMomentRule([variance]);
  const g = general.mul(general).mul(general).add(a.mul(general));
  const gp = general.mul(general).mul(3).add(a);
  if (gp.n === 0n) throw new InvalidArgumentError('a', "g'(w0) ≠ 0", a.toFraction());
  let alpha = math.fraction(0);
  let beta = math.fraction(0);
  rule.points.forEach((pt, k) => {
    const e = pt[0];
    const w = rule.weights[k];
    alpha = alpha.add(w.mul(e).mul(e).mul(gp).mul(gp));
    beta = beta.add(w.mul(e).mul(gp).mul(g.sub(lambda0).sub(e)));
  });
  return beta.neg().div(alpha);
}

/**
 * Exact best-response Jacobian of the PT-10 family at w₀ (any λ₀): $J^* = -\mathcal L_{w\lambda}/\mathcal L_{ww}$ with
 * $\mathcal L_{ww} = g'^2 + (g(w_0)-\lambda_0)g''$, $\mathcal L_{w\lambda} = -g'$, in rational arithmetic.
 */
export function cubicBestResponseJacobianExact(a: Rational, general: Rational, lambda0: Rational): Rational {
  const g = general.mul(general).mul(general).add(a.mul(general));
  const gp = general.mul(general).mul(3).add(a);
  const gpp = general.mul(6);
  const lww = gp.mul(gp).add(g.sub(lambda0).mul(gpp));
  return gp.div(lww);
}
