/**
 * The scalar toy problems of docs/math.md#s4-2–#s4-3 and #s6 (PT-9, PT-10, PT-11), in one typed shape, with the
 * small Newton minimisers and Gauss–Hermite expectations that APP-E and LIN (and the bilevel engine) use.
 *
 * @remarks
 * A toy has one weight w ∈ ℝ and one hyperparameter λ ∈ ℝ. Its training loss is
 * $\mathcal L_T(\lambda, w) = \frac1n\sum_{i=1}^n \tfrac12 r_i(\lambda, w)^2 + R(\lambda, w)$, where
 * $r_i = f(x_i; w, \lambda) - y_i$ is the residual of example i (squared loss ℓ(r) = ½r², so the output
 * Hessian is H_ℓ = 1/n per example) and R is an optional regularizer (weight decay ½e^λw²). Every residual and
 * regularizer returns a {@link ScalarJet}: its value and all partial derivatives up to order 3 that the
 * theory needs (∂_w, ∂_λ, ∂_ww, ∂_wλ, ∂_λλ, ∂_www, ∂_wwλ, ∂_wλλ), written out by hand and checked against
 * central finite differences in the tests. The toys and the decomposition into residuals are the spec's
 * (docs/math.md#s4-2 sin toy, docs/math.md#pt-10 cubic, PT-11 tanh); the jet shape and the names are ours.
 *
 * Expectations over ε ∼ N(0, σ²) use the probabilists' Gauss–Hermite rule ({@link gaussHermite}, default
 * 80 nodes; docs/math.md#s6 conventions), written in the standardised variable z = ε/σ so that the unknowns of the
 * STN objective are (w₀, φ = σθ): this keeps the 2×2 Newton system well scaled for σ from 1e-3 to 2.
 */
import { InvalidArgumentError, NonFiniteError } from '../errors.js';
import { gaussHermite } from '../linalg/gaussHermite.js';

/** Value and partial derivatives of a smooth φ(λ, w), up to the third-order terms the theory uses. */
export interface ScalarJet {
  value: number;
  /** ∂φ/∂w */
  dw: number;
  /** ∂φ/∂λ */
  dl: number;
  /** ∂²φ/∂w² */
  dww: number;
  /** ∂²φ/∂w∂λ */
  dwl: number;
  /** ∂²φ/∂λ² */
  dll: number;
  /** ∂³φ/∂w³ */
  dwww: number;
  /** ∂³φ/∂w²∂λ */
  dwwl: number;
  /** ∂³φ/∂w∂λ² */
  dwll: number;
}

/** A smooth function of (λ, w) with its {@link ScalarJet}. */
export type JetFunction = (lambda: number, w: number) => ScalarJet;

/**
 * A scalar bilevel toy: $\mathcal L_T(\lambda, w) = \frac1n\sum_i \tfrac12 r_i(\lambda, w)^2 + R(\lambda, w)$.
 * `residual(i, λ, w)` is r_i = f(x_i; w, λ) − y_i with its jet (0 ≤ i < `size`); `regularizer` is R, absent
 * when R ≡ 0. `outputDependsOnLambda` says whether some r_i depends on λ (the network output, not R).
 */
export interface ScalarToy {
  readonly name: string;
  readonly size: number;
  readonly outputDependsOnLambda: boolean;
  residual(i: number, lambda: number, w: number): ScalarJet;
  readonly regularizer?: JetFunction;
}

function jet(p: Partial<ScalarJet> & { value: number }): ScalarJet {
  return { dw: 0, dl: 0, dww: 0, dwl: 0, dll: 0, dwww: 0, dwwl: 0, dwll: 0, ...p };
}

function assertFinite(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(name, x);
}

/**
 * Sin toy of docs/math.md#s4-2: $\mathcal L_T = \tfrac12(w - \sin\lambda)^2$, so $w^*(\lambda) = \sin\lambda$ and
 * $J^* = \cos\lambda$. One residual r = w − sin λ, no regularizer.
 * @see docs/math.md#s4-2 ("Scalar nonlinear example"), #pt-9
 */
export function sinToy(): ScalarToy {
  return {
    name: 'sin',
    size: 1,
    outputDependsOnLambda: true,
    residual: (_i, lambda, w) => {
      const s = Math.sin(lambda);
      const c = Math.cos(lambda);
      return jet({ value: w - s, dw: 1, dl: -c, dll: s });
    },
  };
}

/**
 * Cubic toy of docs/math.md#pt-10 and its family: $\mathcal L_T = \tfrac12(g(w) - \lambda)^2$ with
 * $g(w) = w^3 + a w$, `a` = a > 0 (PT-10 has a = 1). One residual r = g(w) − λ whose Jacobian in w, g'(w),
 * does not depend on λ and whose λ-dependence is affine: the hypotheses of Prop. L.3.
 * @throws InvalidArgumentError naming `a` unless a > 0 (then g is strictly increasing and w* unique).
 * @see docs/math.md#s4-3 item 3, #pt-10
 */
export function cubicToy(a = 1): ScalarToy {
  assertFinite(a, 'a');
  if (!(a > 0)) throw new InvalidArgumentError('a', 'a > 0 (g(w) = w³ + a·w strictly increasing)', a);
  return {
    name: `cubic(a=${a})`,
    size: 1,
    outputDependsOnLambda: true,
    residual: (_i, lambda, w) => jet({ value: w * w * w + a * w - lambda, dw: 3 * w * w + a, dl: -1, dww: 6 * w, dwww: 6 }),
  };
}

/** Options of {@link tanhToy}. */
export interface TanhToyOptions {
  /** Add R(λ, w) = ½e^λw² (PT-11). Default true. */
  weightDecay?: boolean;
  /** Use f(x; w, λ) = tanh(wx) − λx instead of tanh(wx) (the counterexample of docs/math.md#s4-3 item 3). Default false. */
  lambdaInOutput?: boolean;
}

/**
 * Tanh regression toy of docs/math.md#pt-11: residuals $r_i = \tanh(w x_i) - y_i$ (or $\tanh(wx_i) - \lambda x_i - y_i$
 * with `lambdaInOutput`), and R = ½e^λw² with `weightDecay`. `x`, `y` are the data (same length n ≥ 1).
 * @throws InvalidArgumentError naming `y` when the lengths differ or n = 0; NonFiniteError for NaN/±∞ data.
 * @see docs/math.md#s4-3, #pt-11
 */
export function tanhToy(x: readonly number[], y: readonly number[], options: TanhToyOptions = {}): ScalarToy {
  if (x.length === 0) throw new InvalidArgumentError('x', 'at least one example', 'an empty array');
  if (x.length !== y.length) throw new InvalidArgumentError('y', `length ${x.length} (as x)`, `length ${y.length}`);
  x.forEach((v, i) => assertFinite(v, `x[${i}]`));
  y.forEach((v, i) => assertFinite(v, `y[${i}]`));
  const xs = [...x];
  const ys = [...y];
  const lambdaInOutput = options.lambdaInOutput ?? false;
  const weightDecay = options.weightDecay ?? true;
  return {
    name: `tanh(${lambdaInOutput ? 'λ in output' : 'λ-free output'}${weightDecay ? ', weight decay' : ''})`,
    size: xs.length,
    outputDependsOnLambda: lambdaInOutput,
    residual: (i, lambda, w) => {
      const xi = xs[i];
      const u = Math.tanh(w * xi);
      const s = 1 - u * u; // sech²
      return jet({
        value: u - ys[i] - (lambdaInOutput ? lambda * xi : 0),
        dw: xi * s,
        dl: lambdaInOutput ? -xi : 0,
        dww: -2 * xi * xi * u * s,
        dwww: -2 * xi * xi * xi * s * (1 - 3 * u * u),
      });
    },
    regularizer: weightDecay ? weightDecayRegularizer : undefined,
  };
}

/**
 * Scaled tanh regression: residuals $r_i = \tanh(w\,x_i e^\lambda) - y_i$, and R = ½e^λw² with `weightDecay`
 * (default true). `x`, `y` are the data (same length n ≥ 1). Unlike {@link tanhToy}, λ multiplies the weight
 * inside the nonlinearity, so the output's mixed derivative
 * $\partial^2_{w\lambda}f = a\,(u' + z u'')$ (with $a = x_ie^\lambda$, $z = wa$, $u = \tanh$) is not zero and the
 * residual cross term $\frac1n\sum_i r_i\,\partial^2_{w\lambda}r_i$ of $\partial^2_{w\lambda}\mathcal L_T$ is exercised
 * (LIN, Prop. L.2: the Gauss–Newton IFT Jacobian keeps it). The toy is ours, not the spec's.
 * @throws InvalidArgumentError naming `x` or `y` (empty data, different lengths); NonFiniteError for NaN/±∞ data.
 * @see docs/math.md#s4-3
 */
export function scaledTanhToy(x: readonly number[], y: readonly number[], options: { weightDecay?: boolean } = {}): ScalarToy {
  if (x.length === 0) throw new InvalidArgumentError('x', 'at least one example', 'an empty array');
  if (x.length !== y.length) throw new InvalidArgumentError('y', `length ${x.length} (as x)`, `length ${y.length}`);
  x.forEach((v, i) => assertFinite(v, `x[${i}]`));
  y.forEach((v, i) => assertFinite(v, `y[${i}]`));
  const xs = [...x];
  const ys = [...y];
  const weightDecay = options.weightDecay ?? true;
  return {
    name: `tanh(w·x·e^λ)${weightDecay ? ', weight decay' : ''}`,
    size: xs.length,
    outputDependsOnLambda: true,
    residual: (i, lambda, w) => {
      // r = u(z) − y with z = w·a(λ), a = x e^λ, so ∂_λ a = a, ∂_λ z = z; u = tanh, u' = 1 − u², u'' = −2uu',
      // u''' = −2u'² + 4u²u'.
      const a = xs[i] * Math.exp(lambda);
      const z = w * a;
      const u = Math.tanh(z);
      const u1 = 1 - u * u;
      const u2 = -2 * u * u1;
      const u3 = -2 * u1 * u1 + 4 * u * u * u1;
      return {
        value: u - ys[i],
        dw: u1 * a,
        dl: u1 * z,
        dww: u2 * a * a,
        dwl: a * (u1 + z * u2),
        dll: z * u1 + z * z * u2,
        dwww: u3 * a * a * a,
        dwwl: a * a * (2 * u2 + z * u3),
        dwll: a * (u1 + 3 * z * u2 + z * z * u3),
      };
    },
    regularizer: weightDecay ? weightDecayRegularizer : undefined,
  };
}

/**
 * Weight decay R(λ, w) = ½e^λw² with its jet (λ is the log of the decay coefficient, docs/math.md#s6).
 * @see docs/math.md#s4-2, #s4-3 item 4
 */
export const weightDecayRegularizer: JetFunction = (lambda, w) => {
  const e = Math.exp(lambda);
  return { value: 0.5 * e * w * w, dw: e * w, dl: 0.5 * e * w * w, dww: e, dwl: e * w, dll: 0.5 * e * w * w, dwww: 0, dwwl: e, dwll: e * w };
};

/**
 * Scalar weight-decay toy (the m = 1 case of docs/math.md#s4-2): $\mathcal L_T = \tfrac12 a w^2 - b w + \tfrac12 e^\lambda w^2$,
 * written as one residual $r = \sqrt a\,w - b/\sqrt a$ plus R = ½e^λw², i.e. up to the constant b²/(2a).
 * `a` = a > 0, `b` = b.
 * @throws InvalidArgumentError naming `a` unless a > 0.
 */
export function weightDecayToy(a: number, b: number): ScalarToy {
  assertFinite(a, 'a');
  assertFinite(b, 'b');
  if (!(a > 0)) throw new InvalidArgumentError('a', 'a > 0', a);
  const ra = Math.sqrt(a);
  return {
    name: `weight decay(a=${a}, b=${b})`,
    size: 1,
    outputDependsOnLambda: false,
    residual: (_i, _lambda, w) => jet({ value: ra * w - b / ra, dw: ra }),
    regularizer: weightDecayRegularizer,
  };
}

/**
 * The jet of $\mathcal L_T = \frac1n\sum_i\tfrac12 r_i^2 + R$ at (λ, w), by the chain rule on the residual jets:
 * L_w = ⟨r r_w⟩, L_ww = ⟨r_w² + r r_ww⟩, L_wλ = ⟨r_λ r_w + r r_wλ⟩, L_www = ⟨3 r_w r_ww + r r_www⟩,
 * L_wwλ = ⟨r_λ r_ww + 2 r_w r_wλ + r r_wwλ⟩, L_wλλ = ⟨r_λλ r_w + 2 r_λ r_wλ + r r_wλλ⟩ (⟨·⟩ the mean over
 * examples), plus the regularizer's jet.
 */
export function trainLossJet(toy: ScalarToy, lambda: number, w: number): ScalarJet {
  const out = jet({ value: 0 });
  const n = toy.size;
  for (let i = 0; i < n; i++) {
    const r = toy.residual(i, lambda, w);
    out.value += 0.5 * r.value * r.value;
    out.dw += r.value * r.dw;
    out.dl += r.value * r.dl;
    out.dww += r.dw * r.dw + r.value * r.dww;
    out.dwl += r.dl * r.dw + r.value * r.dwl;
    out.dll += r.dl * r.dl + r.value * r.dll;
    out.dwww += 3 * r.dw * r.dww + r.value * r.dwww;
    out.dwwl += r.dl * r.dww + 2 * r.dw * r.dwl + r.value * r.dwwl;
    out.dwll += r.dll * r.dw + 2 * r.dl * r.dwl + r.value * r.dwll;
  }
  const keys: (keyof ScalarJet)[] = ['value', 'dw', 'dl', 'dww', 'dwl', 'dll', 'dwww', 'dwwl', 'dwll'];
  for (const k of keys) out[k] /= n;
  if (toy.regularizer) {
    const rj = toy.regularizer(lambda, w);
    for (const k of keys) out[k] += rj[k];
  }
  return out;
}

/** Gauss–Newton curvature of the data term, $G_w = \frac1n\sum_i (\partial_w r_i)^2$ (H_ℓ = 1), at (λ, w). */
export function gaussNewtonScalar(toy: ScalarToy, lambda: number, w: number): number {
  let g = 0;
  for (let i = 0; i < toy.size; i++) {
    const r = toy.residual(i, lambda, w);
    g += r.dw * r.dw;
  }
  return g / toy.size;
}

/**
 * Slack on the Armijo test, in units of |f|: a decrease smaller than a few ulps of f cannot be seen in float64,
 * so a step whose value change is below 4ε|f| is accepted instead of being halved to nothing. Without it,
 * objectives with a large constant part (½⟨r²⟩ of the response objectives) stall one Newton step short.
 */
const ROUNDING_SLACK = 4 * Number.EPSILON;

/** Result of a Newton minimisation. */
export interface NewtonResult {
  /** the minimiser (a number in 1-D, a pair in 2-D) */
  x: number[];
  /** gradient at x */
  gradient: number[];
  iterations: number;
  converged: boolean;
}

/** Options of the Newton minimisers. */
export interface NewtonOptions {
  /** iteration cap (default 100) */
  maxIterations?: number;
  /** stop when the Newton step is below `stepTol`·max(1, ‖x‖) (default 1e-15) */
  stepTol?: number;
}

/**
 * Minimises a smooth f: ℝ → ℝ by Newton's method with Armijo backtracking; `fgh(x)` returns
 * [f(x), f'(x), f''(x)]. Where f'' ≤ 0 it takes a gradient step of length max(1, |x|) instead. `x0` is the
 * start. Converged means the last step was below `stepTol`·max(1, |x|), or f' = 0, or a step below
 * 1e-8·max(1, |x|) was followed by one at least half as long (quadratic convergence has reached the rounding
 * floor of f', so further steps are noise).
 */
export function newtonMinimize1d(fgh: (x: number) => [number, number, number], x0: number, options: NewtonOptions = {}): NewtonResult {
  const maxIt = options.maxIterations ?? 100;
  const stepTol = options.stepTol ?? 1e-15;
  let x = x0;
  let [f, g, h] = fgh(x);
  let previous = Infinity;
  for (let it = 0; it < maxIt; it++) {
    if (g === 0) return { x: [x], gradient: [g], iterations: it, converged: true };
    let p = h > 0 ? -g / h : -Math.sign(g) * Math.max(1, Math.abs(x));
    const tiny = Math.abs(p) <= 1e-8 * Math.max(1, Math.abs(x));
    let t = 1;
    let next = fgh(x + p);
    // Near the minimum f is flat to rounding: accept a tiny Newton step without comparing values.
    if (!(tiny && h > 0)) {
      while (!(next[0] <= f + 1e-4 * t * p * g + ROUNDING_SLACK * Math.abs(f)) && t > 1e-20) {
        t *= 0.5;
        next = fgh(x + t * p);
      }
    }
    p *= t;
    x += p;
    [f, g, h] = next;
    // Converged: the step is negligible, or tiny steps stopped shrinking (Newton at the rounding floor).
    if (Math.abs(p) <= stepTol * Math.max(1, Math.abs(x)) || (tiny && Math.abs(p) >= 0.5 * previous)) {
      return { x: [x], gradient: [g], iterations: it + 1, converged: true };
    }
    previous = Math.abs(p);
  }
  return { x: [x], gradient: [g], iterations: maxIt, converged: false };
}

/**
 * Minimises a smooth f: ℝ² → ℝ by damped Newton (Levenberg shift until the Hessian is positive definite) with
 * Armijo backtracking; `fgh(x)` returns [f, ∇f (length 2), ∇²f (2×2)]. `x0` is the start. A Hessian that no shift
 * makes positive definite (a NaN entry, −∞ on the diagonal, e.g. from e^λ = ∞ in a wide expectation) ends the
 * iteration there, not converged.
 */
export function newtonMinimize2d(
  fgh: (x: readonly number[]) => [number, number[], number[][]],
  x0: readonly number[],
  options: NewtonOptions = {},
): NewtonResult {
  const maxIt = options.maxIterations ?? 100;
  const stepTol = options.stepTol ?? 1e-15;
  let x = [x0[0], x0[1]];
  let [f, g, hm] = fgh(x);
  let previous = Infinity;
  for (let it = 0; it < maxIt; it++) {
    if (g[0] === 0 && g[1] === 0) return { x, gradient: g, iterations: it, converged: true };
    let mu = 0;
    let p: number[] = [0, 0];
    const scale = Math.abs(hm[0][0]) + Math.abs(hm[1][1]) + 1e-300;
    for (;;) {
      const a = hm[0][0] + mu;
      const d = hm[1][1] + mu;
      const b = 0.5 * (hm[0][1] + hm[1][0]);
      const det = a * d - b * b;
      if (a > 0 && det > 0) {
        p = [-(d * g[0] - b * g[1]) / det, -(a * g[1] - b * g[0]) / det];
        break;
      }
      // No shift makes a Hessian with a NaN entry (or −∞ on the diagonal) positive definite: stop instead of looping.
      if (!Number.isFinite(mu)) return { x, gradient: g, iterations: it, converged: false };
      mu = mu === 0 ? 1e-8 * scale : 10 * mu;
    }
    const xn = Math.hypot(x[0], x[1]);
    const tiny = Math.hypot(p[0], p[1]) <= 1e-8 * Math.max(1, xn);
    const slope = p[0] * g[0] + p[1] * g[1];
    let t = 1;
    let next = fgh([x[0] + p[0], x[1] + p[1]]);
    if (!(tiny && mu === 0)) {
      while (!(next[0] <= f + 1e-4 * t * slope + ROUNDING_SLACK * Math.abs(f)) && t > 1e-20) {
        t *= 0.5;
        next = fgh([x[0] + t * p[0], x[1] + t * p[1]]);
      }
    }
    x = [x[0] + t * p[0], x[1] + t * p[1]];
    [f, g, hm] = next;
    const stepNorm = t * Math.hypot(p[0], p[1]);
    if (stepNorm <= stepTol * Math.max(1, Math.hypot(x[0], x[1])) || (tiny && stepNorm >= 0.5 * previous)) {
      return { x, gradient: g, iterations: it + 1, converged: true };
    }
    previous = stepNorm;
  }
  return { x, gradient: g, iterations: maxIt, converged: false };
}

/** Options for the best-response solve. */
export interface BestResponseOptions extends NewtonOptions {
  /** starting point (default 0) */
  start?: number;
}

/**
 * The best response w*(λ) = argmin_w 𝓛_T(λ, w) of a toy, by Newton from `start`: a point with
 * ∂_w𝓛_T = 0 and ∂²_w𝓛_T > 0 (a strict local minimiser; the toys of the spec have a unique one).
 * @throws InvalidArgumentError naming `toy` when Newton does not converge to a strict local minimiser.
 */
export function bestResponseScalar(toy: ScalarToy, lambda: number, options: BestResponseOptions = {}): number {
  assertFinite(lambda, 'lambda');
  const res = newtonMinimize1d(
    (w) => {
      const j = trainLossJet(toy, lambda, w);
      return [j.value, j.dw, j.dww];
    },
    options.start ?? 0,
    options,
  );
  const w = res.x[0];
  const j = trainLossJet(toy, lambda, w);
  if (!res.converged || !Number.isFinite(w) || !(j.dww > 0)) {
    throw new InvalidArgumentError('toy', `a strict local minimiser of L_T(${lambda}, ·) reachable by Newton`, `w = ${w}, L_ww = ${j.dww}`);
  }
  return w;
}

/**
 * Exact best-response Jacobian by the implicit function theorem, $J^* = -\partial^2_{w\lambda}\mathcal L_T / \partial^2_w\mathcal L_T$
 * at (λ, w) with w = w*(λ) (`w`).
 * @see docs/math.md#s1-2
 */
export function bestResponseJacobianScalar(toy: ScalarToy, lambda: number, w: number): number {
  const j = trainLossJet(toy, lambda, w);
  return -j.dwl / j.dww;
}

/**
 * Gauss–Newton IFT Jacobian $-(G_w + \partial^2_w R)^{-1}\partial^2_{w\lambda}\mathcal L_T$ at (λ, w): the exact
 * IFT Jacobian with the residual-weighted curvature ⟨r ∂²_w r⟩ dropped from the Hessian (not from the cross term).
 * @see docs/math.md#s4-3 item 2
 */
export function gaussNewtonIftJacobianScalar(toy: ScalarToy, lambda: number, w: number): number {
  const j = trainLossJet(toy, lambda, w);
  const rww = toy.regularizer ? toy.regularizer(lambda, w).dww : 0;
  return -j.dwl / (gaussNewtonScalar(toy, lambda, w) + rww);
}

/** Gauss–Hermite rule size used when none is given (docs/math.md#s6: ≥ 60 nodes; 80 reproduces the tables). */
export const DEFAULT_NODES = 80;

function assertScale(sigma: number, name = 'sigma'): void {
  assertFinite(sigma, name);
  if (!(sigma > 0)) throw new InvalidArgumentError(name, 'σ > 0', sigma);
}

function assertNodes(nodes: number): void {
  if (!Number.isInteger(nodes) || nodes < 60) throw new InvalidArgumentError('nodes', 'an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes)', nodes);
}

/** A value and its first two derivatives in one scalar variable. */
export interface ValueGradCurv {
  value: number;
  gradient: number;
  curvature: number;
}

/**
 * The (non-linearized) response objective of Δ-STN for a fixed general part w₀:
 * $F(\theta) = \mathbb E_{\epsilon\sim N(0,\sigma^2)}\,\mathcal L_T(\lambda_0+\epsilon, w_0+\theta\epsilon)$ with
 * F'(θ) = E[ε ∂_w𝓛_T] and F''(θ) = E[ε² ∂²_w𝓛_T], by `nodes`-point Gauss–Hermite. `lambda0` = λ₀,
 * `general` = w₀, `scale` = σ, `response` = θ.
 * @see docs/math.md#s3-2 (response step), #s4-3
 */
export function responseObjectiveScalar(toy: ScalarToy, lambda0: number, general: number, scale: number, response: number, nodes = DEFAULT_NODES): ValueGradCurv {
  assertScale(scale, 'scale');
  assertNodes(nodes);
  const rule = gaussHermite(nodes);
  let v = 0;
  let g = 0;
  let h = 0;
  for (let k = 0; k < nodes; k++) {
    const eps = scale * rule.nodes[k];
    const j = trainLossJet(toy, lambda0 + eps, general + response * eps);
    const wk = rule.weights[k];
    v += wk * j.value;
    g += wk * eps * j.dw;
    h += wk * eps * eps * j.dww;
  }
  return { value: v, gradient: g, curvature: h };
}

/** Options for the expectation-based solvers. */
export interface ExpectationSolveOptions extends NewtonOptions {
  /** Gauss–Hermite nodes (default {@link DEFAULT_NODES}, at least 60) */
  nodes?: number;
  /** starting response θ (default: the exact IFT Jacobian at (λ₀, w₀)) */
  start?: number;
}

/**
 * The non-linearized Δ-STN response slope: $\theta = \arg\min_\theta F(\theta)$ for {@link responseObjectiveScalar}
 * (w₀ = `general` held fixed), by Newton on the quadrature objective.
 * @throws InvalidArgumentError naming `toy` when Newton fails.
 * @see docs/math.md#s3-2, #s4-2 (Stein: θ = E[f'(λ₀+ε)] for 𝓛_T = ½(w − f(λ))²), #s4-3
 */
export function deltaStnResponseScalar(toy: ScalarToy, lambda0: number, general: number, scale: number, options: ExpectationSolveOptions = {}): number {
  const nodes = options.nodes ?? DEFAULT_NODES;
  const start = options.start ?? bestResponseJacobianScalar(toy, lambda0, general);
  const res = newtonMinimize1d(
    (theta) => {
      const o = responseObjectiveScalar(toy, lambda0, general, scale, theta, nodes);
      return [o.value, o.gradient, o.curvature];
    },
    Number.isFinite(start) ? start : 0,
    options,
  );
  if (!res.converged) throw new InvalidArgumentError('toy', 'a response objective whose Newton iteration converges', `θ = ${res.x[0]}`);
  return res.x[0];
}

/** General (w₀) and response (θ) parts of a scalar hypernetwork ŵ(λ₀+ε) = w₀ + θε. */
export interface GeneralResponse {
  general: number;
  response: number;
}

/**
 * The STN joint objective $\Phi(w_0, \theta) = \mathbb E_\epsilon\,\mathcal L_T(\lambda_0+\epsilon, w_0+\theta\epsilon)$ and its
 * gradient and Hessian in the scaled coordinates (w₀, φ = σθ): ∇Φ = E[∂_w𝓛_T·(1, z)], ∇²Φ = E[∂²_w𝓛_T·(1, z)(1, z)ᵀ],
 * z = ε/σ. Returned as [Φ, ∇Φ, ∇²Φ].
 * @see docs/math.md#s2-2 (approximation step), #s4-2
 */
export function stnJointObjectiveScalar(toy: ScalarToy, lambda0: number, scale: number, general: number, scaledResponse: number, nodes = DEFAULT_NODES): [number, number[], number[][]] {
  assertScale(scale, 'scale');
  assertNodes(nodes);
  const rule = gaussHermite(nodes);
  let v = 0;
  const g = [0, 0];
  const h = [
    [0, 0],
    [0, 0],
  ];
  for (let k = 0; k < nodes; k++) {
    const z = rule.nodes[k];
    const j = trainLossJet(toy, lambda0 + scale * z, general + scaledResponse * z);
    const wk = rule.weights[k];
    v += wk * j.value;
    g[0] += wk * j.dw;
    g[1] += wk * z * j.dw;
    h[0][0] += wk * j.dww;
    h[0][1] += wk * z * j.dww;
    h[1][1] += wk * z * z * j.dww;
  }
  h[1][0] = h[0][1];
  return [v, g, h];
}

/**
 * The STN (joint) fixed point: $(w_0, \theta) = \arg\min\ \mathbb E_\epsilon\,\mathcal L_T(\lambda_0+\epsilon, w_0+\theta\epsilon)$
 * over both parts at once (centred form; the uncentred STN fits the same affine function, so its value at λ₀
 * is the same w₀). Newton in (w₀, σθ), started from (w*(λ₀), σJ*) unless `start` is given.
 * @throws InvalidArgumentError naming `toy` when Newton fails.
 * @see docs/math.md#s2-2, #s4-2 (the bias of w₀), #pt-9, PT-10
 */
export function stnJointScalar(
  toy: ScalarToy,
  lambda0: number,
  scale: number,
  options: NewtonOptions & { nodes?: number; start?: GeneralResponse } = {},
): GeneralResponse {
  const nodes = options.nodes ?? DEFAULT_NODES;
  let start = options.start;
  if (!start) {
    const w = bestResponseScalar(toy, lambda0);
    start = { general: w, response: bestResponseJacobianScalar(toy, lambda0, w) };
  }
  const res = newtonMinimize2d((x) => stnJointObjectiveScalar(toy, lambda0, scale, x[0], x[1], nodes), [start.general, scale * start.response], options);
  if (!res.converged) throw new InvalidArgumentError('toy', 'an STN objective whose Newton iteration converges', `(w0, σθ) = (${res.x[0]}, ${res.x[1]})`);
  return { general: res.x[0], response: res.x[1] / scale };
}
