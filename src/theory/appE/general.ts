/**
 * APP-E for a general smooth inner problem (any h ≥ 1, any m ≥ 1): Proposition B's second-order STN bias,
 * the true STN (joint) fixed point it approximates, and a nonlinear test problem whose ∇_w𝓛_T is cubic in w
 * and exponential in λ, so that every block of Q (λ–λ, λ–w and w–w) is present (`docs/math.md#s4-2`;
 * proof in `proofs/APP-E.md`, steps B3 and N1–N2).
 *
 * @remarks
 * Notation: λ ∈ ℝ^h (`lambda`), w ∈ ℝ^m (`w`), g(λ, w) = ∇_w𝓛_T(λ, w) (`gradW`), H = ∇²_w𝓛_T (`hessW`),
 * ε ∼ N(0, diag σ²) (`sigma` = σ), the hypernetwork ŵ(λ₀ + ε) = w₀ + Θε (`general` = w₀, `response` = Θ, m×h).
 * The STN fixed point solves $\mathbb E_\epsilon[g(\lambda_0+\epsilon, w_0+\Theta\epsilon)] = 0$ and
 * $\mathbb E_\epsilon[g(\lambda_0+\epsilon, w_0+\Theta\epsilon)\,\epsilon^\top] = 0$; Proposition B says that
 * $w_0 - w^* = -\tfrac12H^{-1}\mathbb E[Q(\epsilon)] + O(\sigma^4)$ when 𝓛_T ∈ C⁵ (or C⁴ with a Lipschitz
 * fourth derivative), with $Q(\epsilon) = \frac{d^2}{dt^2}g(\lambda_0+t\epsilon, w^*+tJ^*\epsilon)|_{t=0}$.
 * This module is split from `appE.ts` so that the claim there can import it without a cycle; `appE.ts`
 * re-exports everything here.
 */
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../errors.js';
import { choleskySolve, norm2, symmetricEigenvalues } from '../../linalg/dense.js';
import { forEachGaussianPoint } from '../../linalg/gaussHermite.js';
import { EPS, finiteDifferenceStep } from '../../tolerance.js';

/** Gauss–Hermite nodes of {@link propositionBBias} by default (any n ≥ 2 is exact there). */
const PROP_B_DEFAULT_NODES = 80;

function assertFiniteNumber(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(name, x);
}

function solve(a: number[][], rhs: readonly number[], name: string): number[] {
  return choleskySolve(a, rhs, name).to1DArray();
}

/**
 * An inner problem seen through ∇_w𝓛_T: `gradW(λ, w)` = g = ∇_w𝓛_T (length m), `hessW(λ, w)` = ∇²_w𝓛_T (m×m),
 * optionally `secondDirectional(λ, w, dλ, dw)` = $\frac{d^2}{dt^2}\nabla_w\mathcal L_T(\lambda+t\,d\lambda, w+t\,dw)|_{t=0}$
 * (when absent it is computed by finite differences) and `gradLambdaW(λ, w)` = ∂g/∂λ = ∇²_{wλ}𝓛_T (m×h; when
 * absent {@link bestResponseJacobian} uses central differences). λ ∈ ℝ^h, w ∈ ℝ^m.
 */
export interface SmoothInnerProblem {
  readonly weights: number;
  readonly hypers: number;
  gradW(lambda: readonly number[], w: readonly number[]): number[];
  hessW(lambda: readonly number[], w: readonly number[]): number[][];
  secondDirectional?(lambda: readonly number[], w: readonly number[], dLambda: readonly number[], dW: readonly number[]): number[];
  gradLambdaW?(lambda: readonly number[], w: readonly number[]): number[][];
}

/**
 * $\frac{d^2}{dt^2} g(\lambda + t\,d\lambda, w + t\,dw)|_{t=0}$ for g = ∇_w𝓛_T by the five-point central stencil
 * $[-g(2t)+16g(t)-30g(0)+16g(-t)-g(-2t)]/(12t^2)$ with $t = \epsilon_{\rm mach}^{1/6}$ (truncation O(t⁴), rounding
 * O(ε/t²): both about 1e-10 relative for a unit direction).
 */
export function secondDirectionalByFiniteDifferences(problem: SmoothInnerProblem, lambda: readonly number[], w: readonly number[], dLambda: readonly number[], dW: readonly number[]): number[] {
  const t = Math.pow(EPS, 1 / 6);
  const at = (s: number): number[] =>
    problem.gradW(
      lambda.map((v, k) => v + s * dLambda[k]),
      w.map((v, i) => v + s * dW[i]),
    );
  const g2 = at(2 * t);
  const g1 = at(t);
  const g0 = at(0);
  const h1 = at(-t);
  const h2 = at(-2 * t);
  return g0.map((v, i) => (-g2[i] + 16 * g1[i] - 30 * v + 16 * h1[i] - h2[i]) / (12 * t * t));
}

/** Options of {@link propositionBBias}. */
export interface PropositionBOptions {
  /** Gauss–Hermite nodes per hyperparameter (default 80; any n ≥ 2 is exact, since Q(ε) is quadratic in ε) */
  nodes?: number;
  /** use {@link secondDirectionalByFiniteDifferences} even when the problem has an analytic Q (default false) */
  finiteDifferences?: boolean;
}

function assertShapes(problem: SmoothInnerProblem, lambda0: readonly number[], w: readonly number[], wName: string): void {
  const m = problem.weights;
  const h = problem.hypers;
  if (lambda0.length !== h) throw new ShapeMismatchError('lambda0', `length ${h}`, `length ${lambda0.length}`);
  lambda0.forEach((v, k) => assertFiniteNumber(v, `lambda0[${k}]`));
  if (w.length !== m) throw new ShapeMismatchError(wName, `length ${m}`, `length ${w.length}`);
  w.forEach((v, i) => assertFiniteNumber(v, `${wName}[${i}]`));
}

function assertSigma(sigma: readonly number[], h: number): void {
  if (sigma.length !== h) throw new ShapeMismatchError('sigma', `length ${h}`, `length ${sigma.length}`);
  sigma.forEach((s, k) => {
    assertFiniteNumber(s, `sigma[${k}]`);
    if (!(s > 0)) throw new InvalidArgumentError(`sigma[${k}]`, 'σ > 0', s);
  });
}

function assertResponse(response: readonly (readonly number[])[], m: number, h: number): void {
  if (response.length !== m || response.some((row) => row.length !== h)) throw new ShapeMismatchError('response', `${m}×${h}`, `${response.length}×${response[0]?.length ?? 0}`);
}

/**
 * Proposition B's second-order STN bias $-\tfrac12 H^{-1}\mathbb E_\epsilon[Q(\epsilon)]$ with
 * $Q(\epsilon) = \frac{d^2}{dt^2}\nabla_w\mathcal L_T(\lambda_0+t\epsilon, w^*+t\Theta\epsilon)|_{t=0}$ and $H = \nabla^2_w\mathcal L_T(\lambda_0, w^*)$.
 * `lambda0` = λ₀ (length h), `wStar` = w* = w*(λ₀) (length m), `response` = Θ (m×h; Θ = J* gives the
 * leading-order bias), `sigma` = σ (length h; ε ∼ N(0, diag σ²)). E[Q] by tensor Gauss–Hermite
 * ({@link forEachGaussianPoint}); Q from `problem.secondDirectional`, or by finite differences in the unit
 * direction ε/‖ε‖ (Q is quadratic in ε, so Q(ε) = ‖ε‖² Q(ε/‖ε‖), which keeps the stencil's step fixed).
 * Returns the bias and E[Q].
 * @see docs/math.md#s4-2 (Proposition B)
 */
export function propositionBBias(
  problem: SmoothInnerProblem,
  lambda0: readonly number[],
  wStar: readonly number[],
  response: readonly (readonly number[])[],
  sigma: readonly number[],
  options: PropositionBOptions = {},
): { bias: number[]; expectedQ: number[] } {
  const m = problem.weights;
  const h = problem.hypers;
  if (lambda0.length !== h) throw new ShapeMismatchError('lambda0', `length ${h}`, `length ${lambda0.length}`);
  if (wStar.length !== m) throw new ShapeMismatchError('wStar', `length ${m}`, `length ${wStar.length}`);
  assertResponse(response, m, h);
  assertSigma(sigma, h);
  const nodes = options.nodes ?? PROP_B_DEFAULT_NODES;
  if (!Number.isInteger(nodes) || nodes < 2) throw new InvalidArgumentError('nodes', 'an integer ≥ 2', nodes);
  const useFd = options.finiteDifferences === true || !problem.secondDirectional;
  const eq = new Array<number>(m).fill(0);
  forEachGaussianPoint(sigma, nodes, (eps, weight) => {
    const r = Math.hypot(...eps);
    if (r === 0) return;
    const u = eps.map((v) => v / r);
    const du = response.map((row) => row.reduce((s, x, k) => s + x * u[k], 0));
    const q = useFd ? secondDirectionalByFiniteDifferences(problem, lambda0, wStar, u, du) : problem.secondDirectional!(lambda0, wStar, u, du);
    for (let i = 0; i < m; i++) eq[i] += weight * r * r * q[i];
  });
  const hess = problem.hessW(lambda0, wStar);
  const bias = solve(hess, eq, 'hessW').map((v) => -0.5 * v);
  return { bias, expectedQ: eq };
}

// ─────────────────────────────── best response and its Jacobian (any h, m) ───────────────────────────────

/** Options of the Newton solvers {@link bestResponse} and {@link stnFixedPoint}. */
export interface NewtonSolveOptions {
  /** maximum Newton iterations (default 50) */
  maxIterations?: number;
  /** stop when ‖step‖ ≤ stepTol·(1 + ‖x‖) (default 1e-14) */
  stepTol?: number;
}

/** A Newton solution: the point, the iterations used, and whether the step criterion was met. */
export interface NewtonSolution {
  x: number[];
  iterations: number;
  converged: boolean;
}

/**
 * Newton's method on F(x) = 0 with the symmetric positive definite Jacobian `jacobian(x)`, halving the step
 * while ‖F‖ does not decrease (at most 40 halvings). Shared by {@link bestResponse} and {@link stnFixedPoint}.
 */
function newtonSpd(residual: (x: number[]) => number[], jacobian: (x: number[]) => number[][], x0: readonly number[], name: string, options: NewtonSolveOptions): NewtonSolution {
  const maxIterations = options.maxIterations ?? 50;
  const stepTol = options.stepTol ?? 1e-14;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new InvalidArgumentError('options.maxIterations', 'an integer ≥ 1', maxIterations);
  if (!(stepTol > 0)) throw new InvalidArgumentError('options.stepTol', 'a number > 0', stepTol);
  let x = [...x0];
  let f = residual(x);
  let fNorm = norm2(f);
  for (let it = 1; it <= maxIterations; it++) {
    if (fNorm === 0) return { x, iterations: it - 1, converged: true };
    const step = solve(jacobian(x), f, name);
    let t = 1;
    let next = x.map((v, i) => v - step[i]);
    let fNext = residual(next);
    for (let halvings = 0; halvings < 40 && !(norm2(fNext) <= fNorm); halvings++) {
      t /= 2;
      next = x.map((v, i) => v - t * step[i]);
      fNext = residual(next);
    }
    const size = t * norm2(step);
    x = next;
    f = fNext;
    fNorm = norm2(f);
    if (size <= stepTol * (1 + norm2(x))) return { x, iterations: it, converged: true };
  }
  return { x, iterations: maxIterations, converged: false };
}

/**
 * Best response w*(λ) of a {@link SmoothInnerProblem}: Newton on g(λ, w) = 0 from `start` (`lambda` = λ,
 * length h; `start` length m). Requires ∇²_w𝓛_T ≻ 0 along the way (Cholesky; otherwise
 * NotPositiveDefiniteError naming `hessW`).
 */
export function bestResponse(problem: SmoothInnerProblem, lambda: readonly number[], start: readonly number[], options: NewtonSolveOptions = {}): NewtonSolution {
  assertShapes(problem, lambda, start, 'start');
  return newtonSpd(
    (w) => problem.gradW(lambda, w),
    (w) => problem.hessW(lambda, w),
    start,
    'hessW',
    options,
  );
}

/**
 * Best-response Jacobian by the implicit function theorem, $J^* = -H^{-1}\,\partial g/\partial\lambda$ at
 * (`lambda0`, `wStar`), with ∂g/∂λ from `problem.gradLambdaW` or, when absent, the central difference
 * $[g(\lambda_0+he_k, w^*) - g(\lambda_0-he_k, w^*)]/2h$, h = √ε·max(1, |λ₀,k|). Returns J* (m×h).
 */
export function bestResponseJacobian(problem: SmoothInnerProblem, lambda0: readonly number[], wStar: readonly number[]): number[][] {
  assertShapes(problem, lambda0, wStar, 'wStar');
  const m = problem.weights;
  const h = problem.hypers;
  let cross: number[][];
  if (problem.gradLambdaW) {
    cross = problem.gradLambdaW(lambda0, wStar);
  } else {
    cross = Array.from({ length: m }, () => new Array<number>(h).fill(0));
    for (let k = 0; k < h; k++) {
      const step = finiteDifferenceStep(lambda0[k]);
      const gp = problem.gradW(lambda0.map((v, j) => (j === k ? v + step : v)), wStar);
      const gm = problem.gradW(lambda0.map((v, j) => (j === k ? v - step : v)), wStar);
      for (let i = 0; i < m; i++) cross[i][k] = (gp[i] - gm[i]) / (2 * step);
    }
  }
  const hess = problem.hessW(lambda0, wStar);
  const jac: number[][] = Array.from({ length: m }, () => new Array<number>(h).fill(0));
  for (let k = 0; k < h; k++) {
    const col = solve(
      hess,
      cross.map((row) => row[k]),
      'hessW',
    );
    for (let i = 0; i < m; i++) jac[i][k] = -col[i];
  }
  return jac;
}

// ─────────────────────────────────── the STN fixed point (any h, m) ───────────────────────────────────

/** Options of {@link stnFixedPoint}. */
export interface StnFixedPointOptions extends NewtonSolveOptions {
  /** Gauss–Hermite nodes per hyperparameter (default 8: n^h points; exact for polynomials in z of degree < 16) */
  nodes?: number;
}

/** Result of {@link stnFixedPoint}: the STN hypernetwork ŵ(λ₀ + ε) = w₀ + Θε at its fixed point. */
export interface StnFixedPoint {
  /** w₀ (length m) */
  general: number[];
  /** Θ (m×h) */
  response: number[][];
  iterations: number;
  converged: boolean;
}

/**
 * The STN (joint) fixed point of a {@link SmoothInnerProblem}: the stationary point of
 * $\Phi(w_0,\Theta) = \mathbb E_\epsilon\,\mathcal L_T(\lambda_0+\epsilon, w_0+\Theta\epsilon)$, ε ∼ N(0, diag σ²).
 *
 * @remarks
 * With ε = σ ⊙ z and Φ̃ = Θ diag(σ) (`response` = Θ is returned), the conditions are
 * $F_a = \mathbb E[\varphi_a(z)\,g(\lambda_0+\sigma\odot z, w_0+\tilde\Phi z)] = 0$ for the features
 * φ(z) = (1, z₁, …, z_h); their Jacobian $\partial F_{a,i}/\partial\psi_{b,j} = \mathbb E[\varphi_a\varphi_bH_{ij}]$ is symmetric
 * positive definite whenever H ≻ 0 at the quadrature points. Expectations by the tensor Gauss–Hermite rule
 * with `nodes` points per coordinate; Newton (step halving while ‖F‖ grows) from `start` = (w₀, Θ), usually
 * (w*, J*). No Proposition B formula is used, so this is the independent side of the comparison.
 * `lambda0` = λ₀, `sigma` = σ (length h). Convergence is reported, not assumed (`converged`).
 */
export function stnFixedPoint(
  problem: SmoothInnerProblem,
  lambda0: readonly number[],
  sigma: readonly number[],
  start: { general: readonly number[]; response: readonly (readonly number[])[] },
  options: StnFixedPointOptions = {},
): StnFixedPoint {
  const m = problem.weights;
  const h = problem.hypers;
  assertShapes(problem, lambda0, start.general, 'start.general');
  assertResponse(start.response, m, h);
  assertSigma(sigma, h);
  const nodes = options.nodes ?? 8;
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 200) throw new InvalidArgumentError('options.nodes', 'an integer in [2, 200]', nodes);
  // The tensor rule once: points z ∈ ℝ^h and weights.
  const points: { z: number[]; lambda: number[]; weight: number }[] = [];
  forEachGaussianPoint(new Array<number>(h).fill(1), nodes, (z, weight) => points.push({ z: [...z], lambda: lambda0.map((v, k) => v + sigma[k] * z[k]), weight }));
  const q = 1 + h;
  const n = m * q;
  // ψ = (w₀, Φ̃ column by column): index a·m + i for feature a (0: w₀, k+1: column k of Φ̃), weight i.
  const unpack = (psi: readonly number[], z: readonly number[]): number[] => {
    const w = psi.slice(0, m);
    for (let k = 0; k < h; k++) for (let i = 0; i < m; i++) w[i] += psi[(k + 1) * m + i] * z[k];
    return w;
  };
  const residual = (psi: number[]): number[] => {
    const f = new Array<number>(n).fill(0);
    for (const { z, lambda, weight } of points) {
      const g = problem.gradW(lambda, unpack(psi, z));
      for (let a = 0; a < q; a++) {
        const phi = a === 0 ? weight : weight * z[a - 1];
        for (let i = 0; i < m; i++) f[a * m + i] += phi * g[i];
      }
    }
    return f;
  };
  const jacobian = (psi: number[]): number[][] => {
    const jac: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (const { z, lambda, weight } of points) {
      const hess = problem.hessW(lambda, unpack(psi, z));
      for (let a = 0; a < q; a++) {
        const pa = a === 0 ? 1 : z[a - 1];
        for (let b = a; b < q; b++) {
          const c = weight * pa * (b === 0 ? 1 : z[b - 1]);
          for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) jac[a * m + i][b * m + j] += c * hess[i][j];
        }
      }
    }
    // Fill the lower blocks and symmetrise exactly (H is symmetric up to rounding).
    for (let r = 0; r < n; r++) {
      for (let c = r + 1; c < n; c++) {
        const ra = Math.floor(r / m);
        const ca = Math.floor(c / m);
        if (ra === ca) {
          const v = 0.5 * (jac[r][c] + jac[c][r]);
          jac[r][c] = jac[c][r] = v;
        } else {
          jac[c][r] = jac[r][c];
        }
      }
    }
    return jac;
  };
  const psi0 = [...start.general];
  for (let k = 0; k < h; k++) for (let i = 0; i < m; i++) psi0.push(start.response[i][k] * sigma[k]);
  const sol = newtonSpd(residual, jacobian, psi0, 'hessW', options);
  const general = sol.x.slice(0, m);
  const response = Array.from({ length: m }, (_, i) => Array.from({ length: h }, (_, k) => sol.x[(k + 1) * m + i] / sigma[k]));
  return { general, response, iterations: sol.iterations, converged: sol.converged };
}

// ─────────────────────────────── a nonlinear test problem (cubic in w) ───────────────────────────────

/**
 * The nonlinear problem of APP-E step N1: $\mathcal L_T(\lambda, w) = \tfrac12 w^\top Aw - b^\top w + \tfrac\gamma4\|w\|^4 + \tfrac12\sum_i e^{(C\lambda)_i}w_i^2$
 * (`A` = A ≻ 0, m×m; `b` = b; `C` = C, m×h, so weight i has decay $e^{(C\lambda)_i}$; `gamma` = γ ≥ 0).
 */
export interface QuarticDecayProblem {
  A: number[][];
  b: number[];
  C: number[][];
  gamma: number;
}

/**
 * {@link QuarticDecayProblem} as a {@link SmoothInnerProblem}, all derivatives analytic:
 * $g = Aw - b + \gamma\|w\|^2w + e^{C\lambda}\odot w$ (cubic in w, so $D^2_wg \ne 0$ and the w–w block of Q is
 * present), $H = A + \gamma(\|w\|^2I + 2ww^\top) + \mathrm{diag}(e^{C\lambda})$ (≻ 0 for γ ≥ 0: 𝓛_T is convex in w),
 * $\partial g_i/\partial\lambda_k = e^{(C\lambda)_i}C_{ik}w_i$ and
 * $Q_i = e^{(C\lambda)_i}\big[(C\,d\lambda)_i^2w_i + 2(C\,d\lambda)_i\,dw_i\big] + \gamma\big[2\|dw\|^2w_i + 4(w^\top dw)\,dw_i\big]$.
 * @throws ShapeMismatchError naming `A`, `b` or `C`; NonFiniteError; InvalidArgumentError naming `gamma` unless γ ≥ 0;
 *   NotPositiveDefiniteError naming `A`.
 */
export function quarticDecayInnerProblem(p: QuarticDecayProblem): SmoothInnerProblem {
  const { A, b, C, gamma } = p;
  if (!Array.isArray(A) || A.length === 0) throw new ShapeMismatchError('A', 'a non-empty square matrix', Array.isArray(A) ? '0×0' : typeof A);
  const m = A.length;
  A.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== m) throw new ShapeMismatchError('A', `${m}×${m}`, `row ${i} of length ${Array.isArray(row) ? row.length : '?'}`);
    row.forEach((v, j) => assertFiniteNumber(v, `A[${i}][${j}]`));
  });
  if (!Array.isArray(b) || b.length !== m) throw new ShapeMismatchError('b', `a vector of length ${m}`, Array.isArray(b) ? `length ${b.length}` : typeof b);
  b.forEach((v, i) => assertFiniteNumber(v, `b[${i}]`));
  if (!Array.isArray(C) || C.length !== m || C.length === 0 || !Array.isArray(C[0]) || C[0].length === 0) throw new ShapeMismatchError('C', `${m}×h with h ≥ 1`, Array.isArray(C) ? `${C.length} rows` : typeof C);
  const h = C[0].length;
  C.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== h) throw new ShapeMismatchError('C', `${m}×${h}`, `row ${i} of length ${Array.isArray(row) ? row.length : '?'}`);
    row.forEach((v, k) => assertFiniteNumber(v, `C[${i}][${k}]`));
  });
  assertFiniteNumber(gamma, 'gamma');
  if (!(gamma >= 0)) throw new InvalidArgumentError('gamma', 'γ ≥ 0 (so that 𝓛_T is convex in w)', gamma);
  choleskySolve(A, new Array<number>(m).fill(0), 'A');
  const decay = (lambda: readonly number[]): number[] => C.map((row) => Math.exp(row.reduce((s, c, k) => s + c * lambda[k], 0)));
  const cdir = (d: readonly number[]): number[] => C.map((row) => row.reduce((s, c, k) => s + c * d[k], 0));
  return {
    weights: m,
    hypers: h,
    gradW: (lambda, w) => {
      const e = decay(lambda);
      const ww = w.reduce((s, v) => s + v * v, 0);
      return A.map((row, i) => row.reduce((s, a, j) => s + a * w[j], 0) - b[i] + gamma * ww * w[i] + e[i] * w[i]);
    },
    hessW: (lambda, w) => {
      const e = decay(lambda);
      const ww = w.reduce((s, v) => s + v * v, 0);
      return A.map((row, i) => row.map((a, j) => a + gamma * (2 * w[i] * w[j] + (i === j ? ww : 0)) + (i === j ? e[i] : 0)));
    },
    gradLambdaW: (lambda, w) => {
      const e = decay(lambda);
      return C.map((row, i) => row.map((c) => e[i] * c * w[i]));
    },
    secondDirectional: (lambda, w, dl, dw) => {
      const e = decay(lambda);
      const cd = cdir(dl);
      const vv = dw.reduce((s, v) => s + v * v, 0);
      const wv = w.reduce((s, v, i) => s + v * dw[i], 0);
      return w.map((wi, i) => e[i] * (cd[i] * cd[i] * wi + 2 * cd[i] * dw[i]) + gamma * (2 * vv * wi + 4 * wv * dw[i]));
    },
  };
}

/**
 * A size for Proposition B's bias on the {@link QuarticDecayProblem} that no cancellation can make vanish:
 * $\tfrac12\|H^{-1}\|_2\,\|\sum_k\sigma_k^2\,\bar Q(e_k)\|$, where $\bar Q$ is Q with every term replaced by its
 * absolute value (`response` = Θ, usually J*). Used as the unit of the N2 comparison.
 */
export function quarticDecayBiasScale(p: QuarticDecayProblem, lambda0: readonly number[], wStar: readonly number[], response: readonly (readonly number[])[], sigma: readonly number[]): number {
  const problem = quarticDecayInnerProblem(p);
  const m = problem.weights;
  const h = problem.hypers;
  assertShapes(problem, lambda0, wStar, 'wStar');
  assertResponse(response, m, h);
  assertSigma(sigma, h);
  const e = p.C.map((row) => Math.exp(row.reduce((s, c, k) => s + c * lambda0[k], 0)));
  const total = new Array<number>(m).fill(0);
  for (let k = 0; k < h; k++) {
    const v = response.map((row) => row[k]);
    const vv = v.reduce((s, x) => s + x * x, 0);
    const wAbsV = norm2(wStar) * Math.sqrt(vv);
    for (let i = 0; i < m; i++) {
      const c = Math.abs(p.C[i][k]);
      const term = e[i] * (c * c * Math.abs(wStar[i]) + 2 * c * Math.abs(v[i])) + p.gamma * (2 * vv * Math.abs(wStar[i]) + 4 * wAbsV * Math.abs(v[i]));
      total[i] += sigma[k] * sigma[k] * term;
    }
  }
  const lmin = symmetricEigenvalues(problem.hessW(lambda0, wStar))[0];
  return (0.5 * norm2(total)) / lmin;
}
