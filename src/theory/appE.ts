/**
 * APP-E: the STN (joint) update leaves the general part w₀ biased, the Δ-STN general step does not
 * (spec §0.1 row APP-E, §4.2, §6 PT-6, PT-7, PT-9, PT-12; proof in `proofs/APP-E.md`).
 *
 * @remarks
 * The statement is the project's reconstruction (spec §0.1, tagged [R]) of the paper's Appendix E, not its
 * wording: the STN fixed point satisfies $\mathbb E_\epsilon[\nabla_w\mathcal L_T(\lambda_0+\epsilon, w_0+\Theta\epsilon)] = 0$
 * instead of $\nabla_w\mathcal L_T(\lambda_0, w_0) = 0$, so when $\nabla_w\mathcal L_T$ is not affine in (λ, w)
 * (Proposition B) $w_0^{\rm STN} - w^*(\lambda_0) = -\tfrac12 H^{-1}\mathbb E[Q(\epsilon)] + O(\sigma^4)$, while the
 * Δ-STN general step minimises $\mathcal L_T(\lambda_0, \cdot)$ itself (unbiased) and never sees ε (zero variance).
 *
 * The worked example is weight decay, $\mathcal L_T = \tfrac12 w^\top A w - b^\top w + \tfrac12 e^\lambda\|w\|^2$, with
 * ε ∼ N(0, σ²) (h = 1) and $c = e^{\lambda_0+\sigma^2/2}$; the second is the sin toy $\tfrac12(w-\sin\lambda)^2$.
 * Every closed form is checked against an independent route: the stationarity conditions assembled by
 * Gauss–Hermite quadrature of the exact gradients and solved.
 *
 * Scaling: the STN unknowns are solved as (w₀, φ = σθ) (the θ-rows divided by σ), which keeps the system
 * well conditioned from σ = 1e-3 to σ = 2; the spec's 2m×2m system is the same system with rows and columns
 * rescaled.
 */
import fc from 'fast-check';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../errors.js';
import { choleskySolve, conditionNumber, norm2, symmetricEigenvalues } from '../linalg/dense.js';
import { rationalMatrix, rationalVector, solveVecQ, toNumber, toNumberMatrix } from '../linalg/exact.js';
import { gaussHermite } from '../linalg/gaussHermite.js';
import { Rng } from '../rng.js';
import { FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, finiteDifferenceStep, relativeError, relativeErrorVec } from '../tolerance.js';
import { exactCheck, tolCheck, type Check, type Claim } from './claim.js';
import { rationalVectorArb, spdArb } from './generators.js';
import { DEFAULT_NODES, deltaStnResponseScalar, sinToy, stnJointScalar } from './scalarToys.js';
import { bestResponse, bestResponseJacobian, propositionBBias, quarticDecayBiasScale, quarticDecayInnerProblem, stnFixedPoint, type QuarticDecayProblem, type SmoothInnerProblem } from './appEGeneral.js';
import { certifyPropositionBConstant, kEnclosure } from './appECertified.js';

export {
  bestResponse,
  bestResponseJacobian,
  propositionBBias,
  quarticDecayBiasScale,
  quarticDecayInnerProblem,
  secondDirectionalByFiniteDifferences,
  stnFixedPoint,
  type NewtonSolution,
  type NewtonSolveOptions,
  type PropositionBOptions,
  type QuarticDecayProblem,
  type SmoothInnerProblem,
  type StnFixedPoint,
  type StnFixedPointOptions,
} from './appEGeneral.js';
export { certifyPropositionBConstant, kEnclosure, nextDown, nextUp, ratioEnclosure, seriesEnclosure, type Interval, type PropositionBCertificate } from './appECertified.js';

// ───────────────────────────────────────────── inputs ─────────────────────────────────────────────

/**
 * Largest perturbation scale the weight-decay routines accept. Why 4: c = e^{λ₀+σ²/2} must stay finite, and
 * the 80-node Gauss–Hermite rule must integrate e^{σz} to full precision (its error term is about
 * (σ²/2)^{80}/80! ≈ 1e-46 at σ = 4). Larger σ is rejected with an {@link InvalidArgumentError} naming `sigma`.
 */
export const APP_E_MAX_SCALE = 4;

/**
 * Largest σ of the claim's cases: the σ⁴ bound of the Prop. B check holds with constant K(σ²) + τ ≤ 0.55 up to
 * σ = 2, certified by {@link certifyPropositionBConstant} over s = σ² ∈ [0, 4] ([`docs/math.md#s4-2`](../../docs/math.md#s4-2);
 * `proofs/APP-E.md`, step B4).
 */
export const APP_E_CLAIM_MAX_SCALE = 2;

/**
 * The slack τ of the certified B4 constant: $\sup_{u\in[0,1]}R(u,s) \le K(s) + \tau$ for all s ∈ [0, 4]
 * ({@link certifyPropositionBConstant}; a reference check re-runs the certificate).
 */
export const APP_E_B4_TAU = 1e-3;

/**
 * $e^y - 1 - y$ without cancellation (`y` = y): the power series $\sum_{k\ge2}y^k/k!$ for |y| < 1/2 (summed until
 * the terms stop changing the sum), `expm1(y) − y` otherwise (then |e^y − 1 − y| ≥ 0.10|y|, so the subtraction
 * loses less than one digit). Used for the sin toy's remainder $e^{-x} - 1 + x$ and weight decay's
 * $e^{s/2} - 1 - s/2$ ([`docs/math.md#s4-2`](../../docs/math.md#s4-2); `proofs/APP-E.md`, steps S3 and B4).
 * @throws NonFiniteError naming `y`.
 */
export function expm1MinusLinear(y: number): number {
  assertFiniteNumber(y, 'y');
  if (Math.abs(y) >= 0.5) return Math.expm1(y) - y;
  let term = (y * y) / 2;
  let sum = 0;
  for (let k = 3; k < 40 && sum + term !== sum; k++) {
    sum += term;
    term *= y / k;
  }
  return sum;
}

/** A weight-decay problem $\mathcal L_T = \tfrac12 w^\top A w - b^\top w + \tfrac12 e^\lambda\|w\|^2$ (A ≻ 0, m×m). */
export interface WeightDecayProblem {
  A: number[][];
  b: number[];
}

function assertFiniteNumber(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(name, x);
}

function assertScale(sigma: number, max = APP_E_MAX_SCALE): void {
  assertFiniteNumber(sigma, 'sigma');
  if (!(sigma > 0) || sigma > max) {
    throw new InvalidArgumentError('sigma', `0 < σ ≤ ${max} (beyond it e^{λ0+σ²/2} overflows or the 80-node quadrature of e^{σz} loses accuracy)`, sigma);
  }
}

/** Validates A (square, symmetric, positive definite, finite) and b (length m, finite). */
function validate(p: WeightDecayProblem): number {
  const { A, b } = p;
  if (!Array.isArray(A) || A.length === 0) throw new ShapeMismatchError('A', 'a non-empty square matrix', Array.isArray(A) ? '0×0' : typeof A);
  const m = A.length;
  for (let i = 0; i < m; i++) {
    if (!Array.isArray(A[i]) || A[i].length !== m) throw new ShapeMismatchError('A', `${m}×${m}`, `row ${i} of length ${Array.isArray(A[i]) ? A[i].length : '?'}`);
    for (let j = 0; j < m; j++) assertFiniteNumber(A[i][j], `A[${i}][${j}]`);
  }
  if (!Array.isArray(b) || b.length !== m) throw new ShapeMismatchError('b', `a vector of length ${m}`, Array.isArray(b) ? `length ${b.length}` : typeof b);
  b.forEach((v, i) => assertFiniteNumber(v, `b[${i}]`));
  // Cholesky of A itself: throws NotSymmetricError / NotPositiveDefiniteError naming `A`.
  choleskySolve(A, new Array<number>(m).fill(0), 'A');
  return m;
}

function shifted(A: readonly (readonly number[])[], shift: number): number[][] {
  return A.map((row, i) => row.map((v, j) => (i === j ? v + shift : v)));
}

function solve(a: number[][], rhs: readonly number[], name: string): number[] {
  return choleskySolve(a, rhs, name).to1DArray();
}

function matVec(a: readonly (readonly number[])[], v: readonly number[]): number[] {
  return a.map((row) => row.reduce((s, x, k) => s + x * v[k], 0));
}

function axpy(alpha: number, x: readonly number[], y: readonly number[]): number[] {
  return y.map((v, i) => v + alpha * x[i]);
}

function sub(x: readonly number[], y: readonly number[]): number[] {
  return x.map((v, i) => v - y[i]);
}

// ─────────────────────────────────────── weight-decay closed forms ───────────────────────────────────────

/**
 * Best response of the weight-decay problem, $w^*(\lambda) = (A + e^\lambda I)^{-1} b$ (`lambda` = λ).
 * @throws NotPositiveDefiniteError naming `A`, ShapeMismatchError naming `b`, NonFiniteError.
 * @see spec §4.2
 */
export function weightDecayBestResponse(problem: WeightDecayProblem, lambda: number): number[] {
  validate(problem);
  assertFiniteNumber(lambda, 'lambda');
  return solve(shifted(problem.A, Math.exp(lambda)), problem.b, 'A');
}

/**
 * Best-response Jacobian by the IFT, $J^* = -(A + e^{\lambda_0}I)^{-1} e^{\lambda_0} w^*(\lambda_0)$.
 * @see spec §4.2 ("True Jacobian")
 */
export function weightDecayBestResponseJacobian(problem: WeightDecayProblem, lambda0: number): number[] {
  const w = weightDecayBestResponse(problem, lambda0);
  const d = Math.exp(lambda0);
  return solve(shifted(problem.A, d), w, 'A').map((v) => -d * v);
}

/** General part w₀ and response θ (h = 1, so Θ is a column θ ∈ ℝ^m) of a hypernetwork ŵ(λ₀+ε) = w₀ + θε. */
export interface GeneralResponseVec {
  general: number[];
  response: number[];
}

/**
 * STN (joint) fixed point for weight decay, closed form: the solution of
 * $\begin{pmatrix}A+cI&\sigma^2cI\\\sigma^2cI&\sigma^2A+(\sigma^2+\sigma^4)cI\end{pmatrix}\begin{pmatrix}w_0\\\theta\end{pmatrix}=\begin{pmatrix}b\\0\end{pmatrix}$,
 * $c = e^{\lambda_0+\sigma^2/2}$ (`lambda0` = λ₀, `sigma` = σ). Solved as the equivalent symmetric system in
 * (w₀, φ = σθ): $\begin{pmatrix}A+cI&\sigma cI\\\sigma cI&A+(1+\sigma^2)cI\end{pmatrix}$. The moments used are
 * $\mathbb E e^{\lambda_0+\epsilon}=c$, $\mathbb E[\epsilon e^{\lambda_0+\epsilon}]=\sigma^2c$, $\mathbb E[\epsilon^2e^{\lambda_0+\epsilon}]=(\sigma^2+\sigma^4)c$.
 * @throws InvalidArgumentError naming `sigma` unless 0 < σ ≤ {@link APP_E_MAX_SCALE}.
 * @see spec §4.2 ("STN (centered, joint)"), §6 PT-6
 */
export function weightDecayStn(problem: WeightDecayProblem, lambda0: number, sigma: number): GeneralResponseVec {
  const m = validate(problem);
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma);
  const c = Math.exp(lambda0 + (sigma * sigma) / 2);
  const k = stnScaledSystem(problem.A, c, sigma);
  const x = solve(k, [...problem.b, ...new Array<number>(m).fill(0)], 'A');
  return { general: x.slice(0, m), response: x.slice(m).map((v) => v / sigma) };
}

function stnScaledSystem(A: readonly (readonly number[])[], c: number, sigma: number): number[][] {
  const m = A.length;
  const k: number[][] = Array.from({ length: 2 * m }, () => new Array<number>(2 * m).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      k[i][j] = A[i][j];
      k[m + i][m + j] = A[i][j];
    }
    k[i][i] += c;
    k[m + i][m + i] += (1 + sigma * sigma) * c;
    k[i][m + i] = k[m + i][i] = sigma * c;
  }
  return k;
}

/**
 * The STN joint stationarity system in (w₀, φ = σθ) assembled by Gauss–Hermite quadrature of the exact
 * gradient: with z = ε/σ, $\nabla_w\mathcal L_T = (A + e^{\lambda_0+\sigma z}I)(w_0 + \varphi z) - b$, so
 * $\mathbb E[(1,z)^\top\otimes\nabla_w\mathcal L_T] = K\,(w_0;\varphi) - r$ with
 * $K = \mathbb E\big[\begin{pmatrix}1&z\\z&z^2\end{pmatrix}\otimes(A+e^{\lambda_0+\sigma z}I)\big]$, $r = \mathbb E[(1,z)^\top\otimes b]$.
 * Returns K (2m×2m, symmetric positive definite) and r. No closed-form moment is used.
 */
export function weightDecayStnSystemByQuadrature(problem: WeightDecayProblem, lambda0: number, sigma: number, nodes = DEFAULT_NODES): { matrix: number[][]; rhs: number[] } {
  const m = validate(problem);
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma);
  const rule = gaussHermite(nodes);
  const { A, b } = problem;
  const k: number[][] = Array.from({ length: 2 * m }, () => new Array<number>(2 * m).fill(0));
  const r = new Array<number>(2 * m).fill(0);
  for (let q = 0; q < nodes; q++) {
    const z = rule.nodes[q];
    const wq = rule.weights[q];
    const e = Math.exp(lambda0 + sigma * z);
    const mom = [wq, wq * z, wq * z * z];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const v = A[i][j] + (i === j ? e : 0);
        k[i][j] += mom[0] * v;
        k[i][m + j] += mom[1] * v;
        k[m + i][m + j] += mom[2] * v;
      }
      r[i] += mom[0] * b[i];
      r[m + i] += mom[1] * b[i];
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) k[m + j][i] = k[i][m + j];
  return { matrix: k, rhs: r };
}

/** STN fixed point by quadrature (independent of {@link weightDecayStn}): solves K(w₀; φ) = r, θ = φ/σ. */
export function weightDecayStnByQuadrature(problem: WeightDecayProblem, lambda0: number, sigma: number, nodes = DEFAULT_NODES): GeneralResponseVec {
  const m = problem.A.length;
  const { matrix, rhs } = weightDecayStnSystemByQuadrature(problem, lambda0, sigma, nodes);
  const x = solve(matrix, rhs, 'A');
  return { general: x.slice(0, m), response: x.slice(m).map((v) => v / sigma) };
}

/**
 * Δ-STN fixed point for weight decay, closed form: general step $w_0 = (A+e^{\lambda_0}I)^{-1}b = w^*(\lambda_0)$
 * exactly; response step $\theta = -(A + (1+\sigma^2)c\,I)^{-1} c\,w_0$, $c = e^{\lambda_0+\sigma^2/2}$.
 * @see spec §3.2, §4.2 ("Δ-STN"), §6 PT-6
 */
export function weightDecayDeltaStn(problem: WeightDecayProblem, lambda0: number, sigma: number): GeneralResponseVec {
  validate(problem);
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma);
  const general = weightDecayBestResponse(problem, lambda0);
  const c = Math.exp(lambda0 + (sigma * sigma) / 2);
  const response = solve(shifted(problem.A, (1 + sigma * sigma) * c), general, 'A').map((v) => -c * v);
  return { general, response };
}

/**
 * Δ-STN response by quadrature, given the general part `general` = w₀: the response stationarity
 * $\mathbb E[z\,\nabla_w\mathcal L_T(\lambda_0+\sigma z, w_0+\varphi z)] = 0$ is linear in φ = σθ,
 * $\mathbb E[z^2(A+e^{\lambda_0+\sigma z}I)]\varphi = -\mathbb E[z(A+e^{\lambda_0+\sigma z}I)]w_0 + \mathbb E[z]\,b$,
 * assembled by Gauss–Hermite and solved; returns θ = φ/σ.
 */
export function weightDecayDeltaStnResponseByQuadrature(problem: WeightDecayProblem, lambda0: number, sigma: number, general: readonly number[], nodes = DEFAULT_NODES): number[] {
  const m = validate(problem);
  assertScale(sigma);
  if (general.length !== m) throw new ShapeMismatchError('general', `length ${m}`, `length ${general.length}`);
  const rule = gaussHermite(nodes);
  const { A, b } = problem;
  const k2: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const k1: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  let ez = 0;
  for (let q = 0; q < nodes; q++) {
    const z = rule.nodes[q];
    const wq = rule.weights[q];
    const e = Math.exp(lambda0 + sigma * z);
    ez += wq * z;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const v = A[i][j] + (i === j ? e : 0);
        k1[i][j] += wq * z * v;
        k2[i][j] += wq * z * z * v;
      }
    }
  }
  const rhs = matVec(k1, general).map((v, i) => -v + ez * b[i]);
  return solve(k2, rhs, 'A').map((v) => v / sigma);
}

/**
 * The STN bias $\delta = w_0^{\rm STN} - w^*(\lambda_0)$ for weight decay, without the cancellation of the
 * subtraction: eliminating θ from the STN system gives
 * $\delta = -(A+e^{\lambda_0}I)^{-1}\big[e^{\lambda_0}\,\mathrm{expm1}(\sigma^2/2)\,w_0 - \sigma^2c^2(A+(1+\sigma^2)cI)^{-1}w_0\big]$
 * with $w_0 = w_0^{\rm STN}$ (derivation in `proofs/APP-E.md`, step W3).
 */
export function weightDecayStnBias(problem: WeightDecayProblem, lambda0: number, sigma: number): number[] {
  const w0 = weightDecayStn(problem, lambda0, sigma).general;
  const d = Math.exp(lambda0);
  const s = sigma * sigma;
  const c = Math.exp(lambda0 + s / 2);
  const kw = solve(shifted(problem.A, (1 + s) * c), w0, 'A');
  const bracket = w0.map((v, i) => d * Math.expm1(s / 2) * v - s * c * c * kw[i]);
  return solve(shifted(problem.A, d), bracket, 'A').map((v) => -v);
}

/**
 * The remainder of Proposition B for weight decay, $r = \delta - \text{approx}$ with δ the STN bias
 * ({@link weightDecayStnBias}) and approx = {@link weightDecayPropositionB}, computed without the cancellation
 * of the subtraction (both are O(σ²), r is O(σ⁴)): with $H = A + dI$, $M = A + (1+s)cI$, $d = e^{\lambda_0}$,
 * $s = \sigma^2$, $c = de^{s/2}$, $m_1 = \mathrm{expm1}(s/2)$,
 * $$r = -H^{-1}\big[d\,(e^{s/2}-1-\tfrac s2)\,w^* + d\,m_1\,\delta - sc^2M^{-1}\delta - sd^2\,\mathrm{expm1}(s)\,M^{-1}w^*
 *   + sd^3(m_1 + se^{s/2})\,M^{-1}H^{-1}w^*\big],$$
 * every term O(s²) and computed to relative accuracy (`proofs/APP-E.md`, step B4; [`docs/math.md#s4-2`](../../docs/math.md#s4-2)).
 * `lambda0` = λ₀, `sigma` = σ.
 * @throws InvalidArgumentError naming `sigma` unless 0 < σ ≤ {@link APP_E_MAX_SCALE}.
 */
export function weightDecayPropositionBRemainder(problem: WeightDecayProblem, lambda0: number, sigma: number): number[] {
  const delta = weightDecayStnBias(problem, lambda0, sigma);
  const w = weightDecayBestResponse(problem, lambda0);
  const d = Math.exp(lambda0);
  const s = sigma * sigma;
  const c = Math.exp(lambda0 + s / 2);
  const m1 = Math.expm1(s / 2);
  const hmat = shifted(problem.A, d);
  const mmat = shifted(problem.A, (1 + s) * c);
  const mDelta = solve(mmat, delta, 'A');
  const mW = solve(mmat, w, 'A');
  const mhW = solve(mmat, solve(hmat, w, 'A'), 'A');
  const phi = expm1MinusLinear(s / 2);
  const e1 = Math.expm1(s);
  const k5 = s * d * d * d * (m1 + s * Math.exp(s / 2));
  const bracket = w.map((wi, i) => d * phi * wi + d * m1 * delta[i] - s * c * c * mDelta[i] - s * d * d * e1 * mW[i] + k5 * mhW[i]);
  return solve(hmat, bracket, 'A').map((v) => -v);
}

/**
 * Proposition B for weight decay: $\delta \approx -\tfrac12(A+e^{\lambda_0}I)^{-1}\sigma^2e^{\lambda_0}(w^*+2J^*)$, since here
 * $Q(\epsilon) = \epsilon^2 e^{\lambda_0}(w^* + 2J^*)$ and $H = A + e^{\lambda_0}I$.
 * @see spec §4.2 ("Here Prop. B reads"), §6 PT-7
 */
export function weightDecayPropositionB(problem: WeightDecayProblem, lambda0: number, sigma: number): number[] {
  assertScale(sigma);
  const w = weightDecayBestResponse(problem, lambda0);
  const j = weightDecayBestResponseJacobian(problem, lambda0);
  const d = Math.exp(lambda0);
  const q = w.map((v, i) => sigma * sigma * d * (v + 2 * j[i]));
  return solve(shifted(problem.A, d), q, 'A').map((v) => -0.5 * v);
}

// ─────────────────────────────────────── Proposition B, general ───────────────────────────────────────
// The general routines (any h, m) live in ./appEGeneral.ts and are re-exported at the top of this file.

/** The weight-decay problem as a {@link SmoothInnerProblem} (h = 1), with the analytic second directional derivative. */
export function weightDecayInnerProblem(problem: WeightDecayProblem): SmoothInnerProblem {
  const m = validate(problem);
  const { A, b } = problem;
  return {
    weights: m,
    hypers: 1,
    gradW: (lambda, w) => sub(axpy(Math.exp(lambda[0]), w, matVec(A, w)), b),
    hessW: (lambda) => shifted(A, Math.exp(lambda[0])),
    // d²/dt² [(A + e^{λ+t dλ})(w + t dw) − b] = e^λ (dλ² w + 2 dλ dw).
    secondDirectional: (lambda, w, dl, dw) => w.map((v, i) => Math.exp(lambda[0]) * (dl[0] * dl[0] * v + 2 * dl[0] * dw[i])),
  };
}

/** The sin toy $\tfrac12(w-\sin\lambda)^2$ as a {@link SmoothInnerProblem} (m = h = 1). */
export function sinInnerProblem(): SmoothInnerProblem {
  return {
    weights: 1,
    hypers: 1,
    gradW: (lambda, w) => [w[0] - Math.sin(lambda[0])],
    hessW: () => [[1]],
    secondDirectional: (lambda, _w, dl) => [Math.sin(lambda[0]) * dl[0] * dl[0]],
  };
}

// ─────────────────────────────────────────────── sin toy ───────────────────────────────────────────────

/**
 * Sin toy closed forms (spec §4.2 table): STN $w_0 = \sin\lambda_0 e^{-\sigma^2/2}$, $\theta = \cos\lambda_0 e^{-\sigma^2/2}$;
 * Δ-STN $w_0 = \sin\lambda_0$ (exact), $\theta = \mathbb E[\cos(\lambda_0+\epsilon)] = \cos\lambda_0 e^{-\sigma^2/2}$ (Stein's lemma).
 * @see spec §4.2, §6 PT-9
 */
export function sinToyClosedForms(lambda0: number, sigma: number): { stn: { general: number; response: number }; deltaStn: { general: number; response: number }; bestResponseJacobian: number } {
  assertFiniteNumber(lambda0, 'lambda0');
  assertFiniteNumber(sigma, 'sigma');
  if (!(sigma > 0)) throw new InvalidArgumentError('sigma', 'σ > 0', sigma);
  const damp = Math.exp((-sigma * sigma) / 2);
  return {
    stn: { general: Math.sin(lambda0) * damp, response: Math.cos(lambda0) * damp },
    deltaStn: { general: Math.sin(lambda0), response: Math.cos(lambda0) * damp },
    bestResponseJacobian: Math.cos(lambda0),
  };
}

// ─────────────────────────────────────── gradient descent (STN) ───────────────────────────────────────

/** Result of {@link weightDecayStnGradientDescent}. */
export interface StnDescentResult {
  /** final (w₀, θ) */
  final: GeneralResponseVec;
  /** ‖w₀ − w*(λ₀)‖ after each iteration (index k = after k+1 steps) */
  distanceToBestResponse: number[];
  /** ‖(w₀, σθ) − (w₀, σθ)^STN‖ after each iteration */
  distanceToStn: number[];
  /** contraction factor ρ = 1 − λ_min(K)/λ_max(K) of the iteration map */
  contraction: number;
}

/**
 * Gradient descent on the STN joint objective with fixed σ and exact expectations (Gauss–Hermite), in the
 * scaled coordinates ψ = (w₀, σθ): ψ ← ψ − η(Kψ − r) with K, r from {@link weightDecayStnSystemByQuadrature}
 * and η = 1/λ_max(K). It contracts at rate ρ = 1 − λ_min/λ_max towards the STN point, not towards w*(λ₀):
 * the distance of w₀ to w* tends to ‖δ‖ > 0 and does not shrink with more iterations. Starts from `start`
 * (default: the correct answer (w*, J*), to show that STN moves away from it).
 * @see spec §4.2 ("Doesn't converge to the correct solution")
 */
export function weightDecayStnGradientDescent(
  problem: WeightDecayProblem,
  lambda0: number,
  sigma: number,
  iterations: number,
  start?: GeneralResponseVec,
  nodes = DEFAULT_NODES,
): StnDescentResult {
  const m = validate(problem);
  if (!Number.isInteger(iterations) || iterations < 1) throw new InvalidArgumentError('iterations', 'an integer ≥ 1', iterations);
  const { matrix: k, rhs } = weightDecayStnSystemByQuadrature(problem, lambda0, sigma, nodes);
  const ev = symmetricEigenvalues(k);
  const lmin = ev[0];
  const lmax = ev[ev.length - 1];
  const eta = 1 / lmax;
  const wStar = weightDecayBestResponse(problem, lambda0);
  const s0 = start ?? { general: wStar, response: weightDecayBestResponseJacobian(problem, lambda0) };
  let psi = [...s0.general, ...s0.response.map((v) => sigma * v)];
  const stn = weightDecayStn(problem, lambda0, sigma);
  const psiStn = [...stn.general, ...stn.response.map((v) => sigma * v)];
  const toW: number[] = [];
  const toStn: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const grad = sub(matVec(k, psi), rhs);
    psi = axpy(-eta, grad, psi);
    toW.push(norm2(sub(psi.slice(0, m), wStar)));
    toStn.push(norm2(sub(psi, psiStn)));
  }
  return {
    final: { general: psi.slice(0, m), response: psi.slice(m).map((v) => v / sigma) },
    distanceToBestResponse: toW,
    distanceToStn: toStn,
    contraction: 1 - lmin / lmax,
  };
}

// ─────────────────────────────────────── zero variance (PT-12) ───────────────────────────────────────

/**
 * Gradient w.r.t. w₀ of the Δ-STN general step on one minibatch with data term ½wᵀAw − bᵀw (A = XᵀX/n,
 * b = Xᵀy/n): the forward pass uses h_net = 0, so the weights are w₀ and the regularizer is at λ₀:
 * $\nabla_{w_0} = (A + e^{\lambda_0}I)w_0 - b$. `response` (θ) and `perturbation` (ε) are accepted because
 * the training step draws them, and deliberately not used: the general step never sees ε. So its zero variance
 * holds by construction (`proofs/APP-E.md`, V1); the claim checks its value against a central difference instead.
 * @see spec §3.2 (general step), §6 PT-12
 */
export function deltaStnGeneralGradient(problem: WeightDecayProblem, lambda0: number, general: readonly number[], _response: readonly number[], _perturbation: number): number[] {
  const { A, b } = problem;
  return sub(axpy(Math.exp(lambda0), general, matVec(A, general)), b);
}

/**
 * Gradient w.r.t. w₀ of the STN (joint) step on one minibatch for one draw ε = `perturbation`:
 * $\nabla_{w_0}\mathcal L_T(\lambda_0+\epsilon, w_0+\theta\epsilon) = (A + e^{\lambda_0+\epsilon}I)(w_0+\theta\epsilon) - b$.
 * @see spec §2.2, §4.2 ("Variance"), §6 PT-12
 */
export function stnGeneralGradient(problem: WeightDecayProblem, lambda0: number, general: readonly number[], response: readonly number[], perturbation: number): number[] {
  const { A, b } = problem;
  const w = axpy(perturbation, response, general);
  return sub(axpy(Math.exp(lambda0 + perturbation), w, matVec(A, w)), b);
}

/** Result of {@link generalGradientVariance}. */
export interface GradientVarianceResult {
  /** every Δ-STN gradient bitwise equal to the first (Object.is on each entry) */
  deltaStnIdentical: boolean;
  /** trace of the sample covariance of the Δ-STN gradients */
  deltaStnVariance: number;
  /** trace of the sample covariance of the STN gradients */
  stnVariance: number;
}

/**
 * PT-12: draws `draws` perturbations ε = σ·N(0, 1) from `rng` and evaluates both general gradients, Δ-STN at
 * `deltaStn` and STN at `stn`. The Δ-STN ones must be bitwise identical; the STN ones have positive
 * variance whenever b ≠ 0 (then (A + e^{λ₀+ε})(w₀ + θε) − b cannot be constant in ε, since 1, ε, e^ε, εe^ε
 * are linearly independent functions).
 * @see spec §6 PT-12
 */
export function generalGradientVariance(problem: WeightDecayProblem, lambda0: number, sigma: number, deltaStn: GeneralResponseVec, stn: GeneralResponseVec, rng: Rng, draws = 100): GradientVarianceResult {
  const gd: number[][] = [];
  const gs: number[][] = [];
  for (let k = 0; k < draws; k++) {
    const eps = sigma * rng.normal();
    gd.push(deltaStnGeneralGradient(problem, lambda0, deltaStn.general, deltaStn.response, eps));
    gs.push(stnGeneralGradient(problem, lambda0, stn.general, stn.response, eps));
  }
  const identical = gd.every((g) => g.every((v, i) => Object.is(v, gd[0][i])));
  return { deltaStnIdentical: identical, deltaStnVariance: traceVariance(gd), stnVariance: traceVariance(gs) };
}

function traceVariance(samples: number[][]): number {
  const n = samples.length;
  const m = samples[0].length;
  let t = 0;
  for (let i = 0; i < m; i++) {
    let mean = 0;
    for (const s of samples) mean += s[i];
    mean /= n;
    for (const s of samples) t += (s[i] - mean) ** 2;
  }
  return t / (n - 1);
}

// ─────────────────────────────────────────────── the claim ───────────────────────────────────────────────

/**
 * The nonlinear part of an APP-E case (step N1): a {@link QuarticDecayProblem} (h ≥ 1, ∇_w𝓛_T cubic in w),
 * its λ₀ (`lambda0`, length h) and base scales σ̂ (`sigma`, length h; the check solves the STN fixed point at
 * σ̂ and σ̂/2).
 */
export interface AppENonlinearCase extends QuarticDecayProblem {
  lambda0: number[];
  sigma: number[];
}

/**
 * One APP-E case: a weight-decay problem (A ≻ 0, b ≠ 0), λ₀ and σ (0 < σ ≤ {@link APP_E_CLAIM_MAX_SCALE}), and,
 * optionally, a nonlinear problem with h ≥ 1 (`nonlinear`; the generator always draws one).
 */
export interface AppECase {
  A: number[][];
  b: number[];
  lambda0: number;
  sigma: number;
  nonlinear?: AppENonlinearCase;
}

/** Check names, one per proof step of `proofs/APP-E.md`. */
export const APPE_CHECKS = {
  stnClosedForm: 'W1 STN (w0, θ): 2m×2m closed form = quadrature stationarity',
  deltaGeneral: 'W2 Δ-STN general step: ∇_wL_T(λ0, w0) = 0 at w0 = (A+e^λ0 I)⁻¹b',
  deltaResponse: 'W2 Δ-STN θ = −(A+(1+σ²)cI)⁻¹c w0 = quadrature stationarity',
  jacobian: 'W2 J* = −(A+e^λ0 I)⁻¹e^λ0 w* = central difference of w*(λ)',
  bias: 'W3 δ closed form (no cancellation) = w0^STN − w*',
  propBRemainder: 'B4 remainder formula r = δ − Prop. B (no cancellation) = the direct subtraction',
  propB: 'B4 Prop. B: ‖r‖ ≤ (K(σ²)+τ)·σ²·½σ²ρ(1+2ρ)‖w*‖, K certified',
  propBGeneral: 'B3 −½H⁻¹E[Q] by quadrature (analytic Q) = weight-decay formula',
  propBFiniteDiff: 'B3 E[Q] with Q by finite differences = analytic Q',
  descent: 'G1 GD on the STN objective contracts to the biased point (ρ < 1)',
  sinStn: 'S1 sin toy STN (w0, θ) = (sin λ0, cos λ0)e^{−σ²/2} (quadrature Newton)',
  sinDelta: 'S2 sin toy Δ-STN θ = E[cos(λ0+ε)] = cos λ0 e^{−σ²/2} (Stein)',
  sinPropBRoutine: 'S3 sin toy: routine −½H⁻¹E[Q] = −½σ² sin λ0, and δ − approx = sin λ0·(e^{−x}−1+x)',
  sinPropB: 'S3 sin toy Prop. B: |δ − approx| ≤ σ⁴|sin λ0|/8 (series, no cancellation)',
  generalGradient: 'V1 Δ-STN ∇w0 = (A+e^λ0 I)w0 − b = central difference of L_T(λ0, ·)',
  stnVariance: 'V2 STN ∇w0 has positive sample variance (b ≠ 0)',
  nonlinearJacobian: 'N1 nonlinear toy: J* = −H⁻¹∂λ∇wL_T = central difference of w*(λ) (Newton)',
  nonlinearPropB: 'N2 nonlinear toy (h ≥ 1, w–w terms): Richardson σ²-coefficient of the true STN δ = −½H⁻¹E[Q]',
} as const;

function fmt(v: readonly number[]): string {
  return `(${v.map((x) => x.toPrecision(10)).join(', ')})`;
}

/** ½wᵀAw − bᵀw + ½e^{λ₀}‖w‖², the weight-decay training loss at λ₀ (for the V1 central difference). */
function weightDecayLoss(problem: WeightDecayProblem, lambda0: number, w: readonly number[]): number {
  const aw = matVec(problem.A, w);
  return w.reduce((s, v, i) => s + 0.5 * v * aw[i] - problem.b[i] * v + 0.5 * Math.exp(lambda0) * v * v, 0);
}

/** Gauss–Hermite nodes per hyperparameter for the nonlinear STN solves: n^h points stay ≤ 125 (the integrands are e^{(Cσz)_i} times polynomials of degree ≤ 5 in z, |Cσ| ≤ 0.6). */
const NONLINEAR_NODES = [10, 6, 5] as const;

/**
 * The nonlinear checks N1–N2 on one {@link AppENonlinearCase}; exported for the tests.
 *
 * N2: δ(t) = w₀^STN(tσ̂) − w* is even and smooth in t (B2), δ(t) = α t² + β t⁴ + γ t⁶ + …, and Prop. B says
 * α = −½H⁻¹E[Q] at σ̂. Richardson's $\alpha_R = (16\delta(1/2) - \delta(1))/3 = \alpha - \gamma/4 + \dots$ cancels β, so
 * ‖α_R − α‖ is O(σ̂⁴) relative to α (the t⁶ term) while any error in Q's formula is O(1), and the plain estimate
 * 4δ(1/2) would be off by O(σ̂²). Allowed: max_k σ̂_k⁴ times {@link quarticDecayBiasScale} (a size of α that cannot
 * cancel), plus the float tolerance closedFormRelTol(κ(H))·‖w*‖ of the two solves.
 */
export function checkAppENonlinearCase(c: AppENonlinearCase): Check[] {
  const inner = quarticDecayInnerProblem(c);
  const h = inner.hypers;
  const m = inner.weights;
  if (c.lambda0.length !== h) throw new ShapeMismatchError('nonlinear.lambda0', `length ${h}`, `length ${c.lambda0.length}`);
  const size = `m=${m}, h=${h}, γ=${c.gamma}, λ0=${fmt(c.lambda0)}, σ̂=${fmt(c.sigma)}`;
  const checks: Check[] = [];
  const br = bestResponse(inner, c.lambda0, new Array<number>(m).fill(0));
  const wStar = br.x;
  const jStar = bestResponseJacobian(inner, c.lambda0, wStar);
  const kappaH = conditionNumber(inner.hessW(c.lambda0, wStar));
  // N1: J* against central differences of the Newton best response, column by column.
  let jErr = br.converged ? 0 : Infinity;
  for (let k = 0; k < h; k++) {
    const step = finiteDifferenceStep(c.lambda0[k]);
    const wp = bestResponse(inner, c.lambda0.map((v, j) => (j === k ? v + step : v)), wStar);
    const wm = bestResponse(inner, c.lambda0.map((v, j) => (j === k ? v - step : v)), wStar);
    const col = jStar.map((row) => row[k]);
    const fd = wp.x.map((v, i) => (v - wm.x[i]) / (2 * step));
    const e = wp.converged && wm.converged ? norm2(sub(fd, col)) / Math.max(norm2(col), norm2(wStar), 1e-300) : Infinity;
    jErr = Math.max(jErr, e);
  }
  checks.push(tolCheck(APPE_CHECKS.nonlinearJacobian, 'finite-difference', jErr, FINITE_DIFFERENCE_REL_TOL * kappaH, `${size}, J* column norms ${fmt(jStar[0])}…`));
  // N2: the true STN fixed point at σ̂ and σ̂/2 (Newton on the quadrature stationarity conditions).
  const nodes = NONLINEAR_NODES[Math.min(h, 3) - 1];
  const start = { general: wStar, response: jStar };
  const s1 = stnFixedPoint(inner, c.lambda0, c.sigma, start, { nodes });
  const s2 = stnFixedPoint(
    inner,
    c.lambda0,
    c.sigma.map((v) => v / 2),
    start,
    { nodes },
  );
  const d1 = sub(s1.general, wStar);
  const d2 = sub(s2.general, wStar);
  const alphaR = d2.map((v, i) => (16 * v - d1[i]) / 3);
  // Q is a quadratic form in ε, so a 3-node rule per coordinate computes E[Q] exactly (B3).
  const approx = propositionBBias(inner, c.lambda0, wStar, jStar, c.sigma, { nodes: 3 }).bias;
  const smax = Math.max(...c.sigma);
  const scale = quarticDecayBiasScale(c, c.lambda0, wStar, jStar, c.sigma);
  const allowed = smax ** 4 * scale + closedFormRelTol(kappaH) * norm2(wStar);
  const err = s1.converged && s2.converged ? norm2(sub(alphaR, approx)) / allowed : Infinity;
  checks.push(
    tolCheck(
      APPE_CHECKS.nonlinearPropB,
      'quadrature',
      err,
      1,
      `error in units of σ̂⁴·scale + closedFormRelTol(κ)‖w*‖ = ${allowed.toExponential(3)}: α_R=${fmt(alphaR)}, Prop. B=${fmt(approx)}, ${size}, Newton ${s1.iterations}+${s2.iterations} its`,
    ),
  );
  return checks;
}

/** All APP-E checks on one case (one per proof step); exported so tests can call it without the registry. */
export function checkAppECase(c: AppECase): Check[] {
  const { A, b, lambda0, sigma } = c;
  const problem: WeightDecayProblem = { A, b };
  const m = validate(problem);
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma, APP_E_CLAIM_MAX_SCALE);
  const checks: Check[] = [];
  const d = Math.exp(lambda0);
  const s = sigma * sigma;
  const cc = Math.exp(lambda0 + s / 2);
  const size = `m=${m}, λ0=${lambda0}, σ=${sigma}`;

  // W1: STN closed form against the quadrature-assembled stationarity conditions.
  const stn = weightDecayStn(problem, lambda0, sigma);
  const { matrix: kq, rhs } = weightDecayStnSystemByQuadrature(problem, lambda0, sigma);
  const xq = solve(kq, rhs, 'A');
  const kappaStn = conditionNumber(stnScaledSystem(A, cc, sigma));
  const psi = [...stn.general, ...stn.response.map((v) => sigma * v)];
  checks.push(tolCheck(APPE_CHECKS.stnClosedForm, 'quadrature', relativeErrorVec(psi, xq), Math.max(QUADRATURE_TOL, closedFormRelTol(kappaStn)), `${size}, κ=${kappaStn.toPrecision(3)}`));

  // W2: Δ-STN general step residual, response by quadrature, J* by finite differences.
  const delta = weightDecayDeltaStn(problem, lambda0, sigma);
  const wStar = delta.general;
  const kappaH = conditionNumber(shifted(A, d));
  const res = deltaStnGeneralGradient(problem, lambda0, wStar, delta.response, 0);
  const resScale = norm2(matVec(shifted(A, d), wStar)) + norm2(b) || 1;
  checks.push(tolCheck(APPE_CHECKS.deltaGeneral, 'float64', norm2(res) / resScale, closedFormRelTol(kappaH), `‖∇‖=${norm2(res)}, ${size}`));
  const thetaQ = weightDecayDeltaStnResponseByQuadrature(problem, lambda0, sigma, wStar);
  // θ ≈ dw/dλ with λ a log-scale, so its natural size is ‖w0‖ (the floor keeps a tiny θ = O(e^λ0) comparable).
  checks.push(tolCheck(APPE_CHECKS.deltaResponse, 'quadrature', relativeErrorVec(delta.response, thetaQ, norm2(wStar)), Math.max(QUADRATURE_TOL, closedFormRelTol(kappaH)), size));
  const jStar = weightDecayBestResponseJacobian(problem, lambda0);
  const hFd = finiteDifferenceStep(lambda0);
  const wp = weightDecayBestResponse(problem, lambda0 + hFd);
  const wm = weightDecayBestResponse(problem, lambda0 - hFd);
  const jFd = wp.map((v, i) => (v - wm[i]) / (2 * hFd));
  // J* = dw*/dλ with λ a log-scale: its natural size is ‖w*‖, so measure relative to max(‖J*‖, ‖w*‖). The
  // policy's 1e-6 is scaled by κ(A + e^λ0 I) because each solve w*(λ0 ± h) carries a relative error ~κε.
  // (Our composition of two policy entries, not a separate rule.)
  const jErr = norm2(sub(jFd, jStar)) / Math.max(norm2(jStar), norm2(wStar), 1e-300);
  checks.push(tolCheck(APPE_CHECKS.jacobian, 'finite-difference', jErr, FINITE_DIFFERENCE_REL_TOL * kappaH, `J*=${fmt(jStar)}, fd=${fmt(jFd)}`));

  // W3: bias without cancellation against the subtraction.
  const bias = weightDecayStnBias(problem, lambda0, sigma);
  const biasSub = sub(stn.general, wStar);
  const biasErr = norm2(sub(bias, biasSub)) / Math.max(norm2(wStar), 1e-300);
  checks.push(tolCheck(APPE_CHECKS.bias, 'float64', biasErr, closedFormRelTol(kappaStn * kappaH), `δ=${fmt(bias)} (relative to ‖w*‖)`));

  // B4: the remainder r = δ − approx, computed without cancellation, first against the subtraction (which is
  // exact enough where r is not tiny), then against the certified σ⁴ bound.
  const approx = weightDecayPropositionB(problem, lambda0, sigma);
  const rem = weightDecayPropositionBRemainder(problem, lambda0, sigma);
  const lminA = symmetricEigenvalues(A)[0];
  const rho = d / (lminA + d);
  // The bracket's terms are each O(s·ρ‖w*‖) before they cancel to O(s²): that, with ‖δ‖ and ‖approx‖, is the
  // size the float64 subtraction is accurate relative to.
  const remScale = s * rho * norm2(wStar) + norm2(bias) + norm2(approx);
  const kappaM = conditionNumber(shifted(A, (1 + s) * cc));
  checks.push(
    tolCheck(
      APPE_CHECKS.propBRemainder,
      'float64',
      norm2(sub(sub(bias, approx), rem)) / remScale,
      closedFormRelTol(kappaStn * kappaH * kappaM),
      `r=${fmt(rem)}, δ − approx=${fmt(sub(bias, approx))}`,
    ),
  );
  const scale = 0.5 * s * s * rho * (1 + 2 * rho) * norm2(wStar);
  const kBound = kEnclosure([s, s])[1] + APP_E_B4_TAU;
  const propErr = scale === 0 ? 0 : norm2(rem) / scale;
  checks.push(tolCheck(APPE_CHECKS.propB, 'float64', propErr, kBound, `‖r‖/(σ⁴·½ρ(1+2ρ)‖w*‖) vs K(σ²)+τ; δ=${fmt(bias)}, approx=${fmt(approx)}, ρ=${rho.toPrecision(4)}`));

  // B3: the general Prop. B routine (analytic Q, and Q by finite differences).
  const inner = weightDecayInnerProblem(problem);
  const theta = jStar.map((v) => [v]);
  const general = propositionBBias(inner, [lambda0], wStar, theta, [sigma]);
  checks.push(tolCheck(APPE_CHECKS.propBGeneral, 'quadrature', relativeErrorVec(general.bias, approx, 1e-300), Math.max(QUADRATURE_TOL, closedFormRelTol(kappaH)), fmt(general.bias)));
  // Q(ε) is a quadratic form in ε, so an 8-node rule is already exact (B3); it keeps the stencil's cost down.
  const fd = propositionBBias(inner, [lambda0], wStar, theta, [sigma], { finiteDifferences: true, nodes: 8 });
  // The stencil differences gradient values of size ‖Aw*‖ + e^λ0‖w*‖ + ‖b‖, so its rounding is relative to
  // σ² times that, not to E[Q] (which is O(e^λ0) and vanishes when J* = −w*/2): that is the floor.
  const gradScale = norm2(matVec(A, wStar)) + d * norm2(wStar) + norm2(b);
  const fdErr = relativeErrorVec(fd.expectedQ, general.expectedQ, s * gradScale || 1e-300);
  checks.push(tolCheck(APPE_CHECKS.propBFiniteDiff, 'finite-difference', fdErr, FINITE_DIFFERENCE_REL_TOL, `E[Q]=${fmt(general.expectedQ)}`));

  // G1: gradient descent on the STN objective, started at the correct answer (w*, J*).
  const iterations = 50;
  const gd = weightDecayStnGradientDescent(problem, lambda0, sigma, iterations);
  const start = [...wStar, ...jStar.map((v) => sigma * v)];
  const bound = Math.pow(gd.contraction, iterations) * norm2(sub(start, psi));
  const gdErr = Math.max(0, gd.distanceToStn[iterations - 1] - bound) / Math.max(norm2(psi), 1e-300);
  checks.push(
    tolCheck(
      APPE_CHECKS.descent,
      'quadrature',
      gd.contraction < 1 ? gdErr : Infinity,
      Math.max(QUADRATURE_TOL, closedFormRelTol(kappaStn)),
      `ρ=${gd.contraction.toPrecision(6)}, ‖w0−w*‖ after ${iterations} steps ${gd.distanceToBestResponse[iterations - 1].toExponential(4)} vs ‖δ‖=${norm2(bias).toExponential(4)}`,
    ),
  );

  // S1–S3: the sin toy at the same (λ0, σ).
  const sinCf = sinToyClosedForms(lambda0, sigma);
  const toy = sinToy();
  const sinQ = stnJointScalar(toy, lambda0, sigma);
  const sinErr = Math.max(Math.abs(sinQ.general - sinCf.stn.general), Math.abs(sinQ.response - sinCf.stn.response));
  checks.push(tolCheck(APPE_CHECKS.sinStn, 'quadrature', sinErr, QUADRATURE_TOL, `quadrature (${sinQ.general}, ${sinQ.response})`));
  const sinTheta = deltaStnResponseScalar(toy, lambda0, Math.sin(lambda0), sigma);
  checks.push(tolCheck(APPE_CHECKS.sinDelta, 'quadrature', Math.abs(sinTheta - sinCf.deltaStn.response), QUADRATURE_TOL, `θ=${sinTheta}`));
  // S3: δ − approx = sin λ0·(e^{−x} − 1 + x), x = σ²/2, is O(σ⁴) while δ and approx are O(σ²): the float
  // subtraction keeps only ~log10(1/x) fewer digits, so (a) the routine's approx is compared with −x sin λ0 and
  // the subtraction with the series at the float64 tolerance relative to |sin λ0|·x, and (b) the bound is
  // checked on the series value, whose ratio to the bound is 2(e^{−x}−1+x)/x² = 1 − σ²/6 + O(σ⁴) ≤ 1 (tight).
  const x = s / 2;
  const sinL = Math.sin(lambda0);
  const sinDeltaTrue = sinL * Math.expm1(-x);
  const sinApprox = propositionBBias(sinInnerProblem(), [lambda0], [sinL], [[Math.cos(lambda0)]], [sigma]).bias[0];
  const sinRem = sinL * expm1MinusLinear(-x);
  const sinUnit = Math.abs(sinL) * x;
  const sinRoutineErr = sinUnit === 0 ? (sinApprox === 0 && sinDeltaTrue === 0 ? 0 : Infinity) : Math.max(Math.abs(sinApprox + x * sinL), Math.abs(sinDeltaTrue - sinApprox - sinRem)) / sinUnit;
  checks.push(tolCheck(APPE_CHECKS.sinPropBRoutine, 'float64', sinRoutineErr, closedFormRelTol(1), `approx=${sinApprox}, δ=${sinDeltaTrue}, series r=${sinRem}`));
  const sinBound = (s * s * Math.abs(sinL)) / 8;
  checks.push(tolCheck(APPE_CHECKS.sinPropB, 'float64', sinBound === 0 ? (sinRem === 0 ? 0 : Infinity) : Math.abs(sinRem) / sinBound, 1 + closedFormRelTol(1), `r=${sinRem}, bound=${sinBound} (ratio 1 − σ²/6 + O(σ⁴))`));

  // V1: the Δ-STN general gradient against a central difference of the loss L_T(λ0, ·) at the STN point
  // (an independent computation; that it has no ε in it holds by construction, proof step V1).
  const g = deltaStnGeneralGradient(problem, lambda0, stn.general, stn.response, 0);
  // One step for every coordinate, scaled by ‖w0‖∞: the loss's rounding is ε·|L_T| ~ ε‖w0‖²‖A‖, so the
  // difference quotient's is ~√ε relative to the gradient's terms ‖(A + e^λ0 I)w0‖.
  const hStep = finiteDifferenceStep(Math.max(...stn.general.map(Math.abs)));
  const gFd = stn.general.map((_, i) => {
    const plus = stn.general.map((v, j) => (j === i ? v + hStep : v));
    const minus = stn.general.map((v, j) => (j === i ? v - hStep : v));
    return (weightDecayLoss(problem, lambda0, plus) - weightDecayLoss(problem, lambda0, minus)) / (2 * hStep);
  });
  const gScale = norm2(matVec(shifted(A, d), stn.general)) + norm2(b);
  checks.push(tolCheck(APPE_CHECKS.generalGradient, 'finite-difference', norm2(sub(g, gFd)) / gScale, FINITE_DIFFERENCE_REL_TOL, `∇=${fmt(g)}, fd=${fmt(gFd)}`));
  // V2: positive variance of the STN general gradient at the STN point (PT-12), with a fixed seed so check(c)
  // is deterministic.
  const v = generalGradientVariance(problem, lambda0, sigma, delta, stn, new Rng(12), 100);
  checks.push(exactCheck(APPE_CHECKS.stnVariance, v.stnVariance > 0 === norm2(b) > 0, `STN variance ${v.stnVariance.toExponential(3)}`));

  // N1–N2: the nonlinear problem (h ≥ 1, w–w terms of Q), when the case has one.
  if (c.nonlinear) checks.push(...checkAppENonlinearCase(c.nonlinear));
  return checks;
}

/** σ for the claim's cases: tiny (1e-5, 1e-4, 1e-3, where S3's and B4's remainders are ~1e-10 of δ), ordinary (1/8 … 2) and 1. */
const appESigmaArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(1e-5, 1e-4, 1e-3) },
  { weight: 1, arbitrary: fc.constant(1) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }).map((k) => k / 8) },
);

/** λ₀: zero (weight 1) or a rational in [−5, 5] (so e^{λ₀} is neither negligible nor dominant by 10⁷). */
const appELambdaArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: -20, max: 20 }).map((k) => k / 4) },
);

/**
 * Random nonlinear parts (step N1): h ∈ [1, 3], m ∈ [1, 3], A = F Fᵀ + δI (κ ≤ 100), b ≠ 0, C ∈ [−1, 1]^{m×h}
 * in quarters, γ ∈ {¼, ½, 1, 2}, λ₀ ∈ [−1, 1]^h in quarters, σ̂_k ∈ {1/20, 1/10, 1/5}.
 */
export const appENonlinearCaseArb: fc.Arbitrary<AppENonlinearCase> = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([m, h]) => {
  const quarter = fc.integer({ min: -4, max: 4 }).map((k) => k / 4);
  return fc.record({
    A: spdArb(m, 100).map(toNumberMatrix),
    b: rationalVectorArb(m, 12, 4)
      .map((v) => v.map((x) => x.valueOf()))
      .filter((v) => v.some((x) => x !== 0)),
    C: fc.array(fc.array(quarter, { minLength: h, maxLength: h }), { minLength: m, maxLength: m }),
    gamma: fc.constantFrom(0.25, 0.5, 1, 2),
    lambda0: fc.array(quarter, { minLength: h, maxLength: h }),
    sigma: fc.array(fc.constantFrom(0.05, 0.1, 0.2), { minLength: h, maxLength: h }),
  });
});

/** Random APP-E cases: A = F Fᵀ + δI (rational, κ ≤ 1e4, m ∈ [1, 4]), b ≠ 0, λ₀, σ, and a nonlinear part. */
export const appECaseArb: fc.Arbitrary<AppECase> = fc
  .integer({ min: 1, max: 4 })
  .chain((m) =>
    fc.record({
      A: spdArb(m, 1e4).map(toNumberMatrix),
      b: rationalVectorArb(m, 12, 4)
        .map((v) => v.map((x) => x.valueOf()))
        .filter((v) => v.some((x) => x !== 0)),
      lambda0: appELambdaArb,
      sigma: appESigmaArb,
      nonlinear: appENonlinearCaseArb,
    }),
  );

/** Spec §6 PT-6 / PT-7 data: X = [[1,0],[0,2],[1,1]], y = (1,2,3), A = XᵀX/3, b = Xᵀy/3. */
export const PT6_PROBLEM: WeightDecayProblem = {
  A: [
    [2 / 3, 1 / 3],
    [1 / 3, 5 / 3],
  ],
  b: [4 / 3, 7 / 3],
};

function printedCheck(name: string, got: readonly number[], printed: readonly number[], digits: number): Check {
  // A value printed with `digits` decimals is within half a unit of the last place.
  const err = Math.max(...got.map((g, i) => Math.abs(g - printed[i])));
  const tol = 0.5 * Math.pow(10, -digits);
  return tolCheck(name, 'reference', err, tol, `got ${fmt(got)}, printed ${fmt(printed)}`);
}

/** A value printed with `digits` significant figures: within half a unit of its last place. */
function significantCheck(name: string, got: number, printed: number, digits: number): Check {
  const unit = Math.pow(10, Math.floor(Math.log10(Math.abs(printed))) - (digits - 1));
  return tolCheck(name, 'reference', Math.abs(got - printed), 0.5 * unit, `got ${got.toPrecision(digits + 2)}, printed ${printed} (${digits} significant figures)`);
}

/** Spec §6 reference values for APP-E (PT-6, PT-7, PT-9, PT-12), recomputed and compared at printed precision. */
export function appEReferenceChecks(): Check[] {
  const p = PT6_PROBLEM;
  const checks: Check[] = [];
  const wStar = weightDecayBestResponse(p, 0);
  const jStar = weightDecayBestResponseJacobian(p, 0);
  const stn = weightDecayStn(p, 0, 0.5);
  const delta = weightDecayDeltaStn(p, 0, 0.5);
  checks.push(printedCheck('PT-6 w*(0)', wStar, [0.641025641, 0.7948717949], 10));
  checks.push(printedCheck('PT-6 J*', jStar, [-0.3333333333, -0.2564102564], 10));
  checks.push(printedCheck('PT-6 STN w0 (σ=0.5)', stn.general, [0.6447300498, 0.7823306705], 10));
  checks.push(printedCheck('PT-6 STN θ (σ=0.5)', stn.response, [-0.3100686351, -0.2540105771], 10));
  // Independent of the float solve: (A + I)⁻¹b at λ0 = 0 in exact rationals (A = XᵀX/3, b = Xᵀy/3 of PT-6).
  const exact = solveVecQ(
    rationalMatrix([
      ['5/3', '1/3'],
      ['1/3', '8/3'],
    ]),
    rationalVector(['4/3', '7/3']),
  ).map(toNumber);
  checks.push(
    tolCheck(
      'PT-6 Δ-STN w0 = (A+I)⁻¹b solved in exact rationals (25/39, 31/39)',
      'float64',
      relativeErrorVec(delta.general, exact),
      closedFormRelTol(conditionNumber(shifted(p.A, 1))),
      `got ${fmt(delta.general)}, exact ${fmt(exact)}`,
    ),
  );
  checks.push(printedCheck('PT-6 Δ-STN θ (σ=0.5)', delta.response, [-0.3072675106, -0.2589227281], 10));
  const table: [number, number][] = [
    [0.01, 1.1300049758e-5],
    [0.1, 1.1264000129e-3],
    [0.3, 9.8849118663e-3],
    [1.0, 8.7987127607e-2],
  ];
  for (const [sigma, printed] of table) {
    const err = norm2(sub(weightDecayDeltaStn(p, 0, sigma).response, jStar));
    checks.push(significantCheck(`PT-6 ‖θ_Δ − J*‖ at σ=${sigma}`, err, printed, 11));
  }
  const pt7: [number, number][] = [
    [0.05, 1.1e-3],
    [0.1, 4.6e-3],
    [0.2, 1.8e-2],
  ];
  for (const [sigma, printed] of pt7) {
    const delta7 = weightDecayStnBias(p, 0, sigma);
    const rel = norm2(sub(delta7, weightDecayPropositionB(p, 0, sigma))) / norm2(delta7);
    checks.push(tolCheck(`PT-7 Prop. B relative error ≤ 3σ² at σ=${sigma}`, 'reference', rel, 3 * sigma * sigma, `relative error ${rel.toExponential(3)}`));
    checks.push(significantCheck(`PT-7 relative error ≈ ${printed} at σ=${sigma}`, rel, printed, 2));
  }
  const sin = sinToyClosedForms(0.7, 0.5);
  const toy = sinToy();
  const sinQ = stnJointScalar(toy, 0.7, 0.5);
  const sinTheta = deltaStnResponseScalar(toy, 0.7, Math.sin(0.7), 0.5);
  checks.push(printedCheck('PT-9 STN w0 (closed form)', [sin.stn.general], [0.5685201136], 10));
  checks.push(printedCheck('PT-9 STN w0 (quadrature)', [sinQ.general], [0.5685201136], 10));
  checks.push(printedCheck('PT-9 Δ-STN w0', [sin.deltaStn.general], [0.6442176872], 10));
  checks.push(printedCheck('PT-9 θ (closed form, both methods)', [sin.stn.response, sin.deltaStn.response], [0.6749708612, 0.6749708612], 10));
  checks.push(printedCheck('PT-9 θ (quadrature: STN, Δ-STN)', [sinQ.response, sinTheta], [0.6749708612, 0.6749708612], 10));
  checks.push(printedCheck('PT-9 true J', [sin.bestResponseJacobian], [0.7648421873], 10));
  const v = generalGradientVariance(p, 0, 0.5, delta, stn, new Rng(2020), 100);
  // PT-12's Δ-STN half (∇w0 identical across draws) holds by construction here (deltaStnGeneralGradient takes
  // no ε into its arithmetic; proof step V1); the engine's version, which does draw ε, is tested in
  // test/bilevel/agreement.test.ts. What can fail is the gradient's value: against a central difference.
  const hAt = finiteDifferenceStep(Math.max(...stn.general.map(Math.abs)));
  const gAt = p.A.map((_, i) => {
    const hStep = hAt;
    const plus = stn.general.map((x, j) => (j === i ? x + hStep : x));
    const minus = stn.general.map((x, j) => (j === i ? x - hStep : x));
    return (weightDecayLoss(p, 0, plus) - weightDecayLoss(p, 0, minus)) / (2 * hStep);
  });
  const gRoutine = deltaStnGeneralGradient(p, 0, stn.general, stn.response, 0);
  checks.push(tolCheck('PT-12 Δ-STN ∇w0 at the STN point = central difference of L_T(0, ·)', 'finite-difference', relativeErrorVec(gRoutine, gAt, norm2(p.b)), FINITE_DIFFERENCE_REL_TOL, `∇=${fmt(gRoutine)}`));
  checks.push(exactCheck('PT-12 STN ∇w0 sample variance > 0', v.stnVariance > 0, `variance ${v.stnVariance.toExponential(4)}`));
  const gd = weightDecayStnGradientDescent(p, 0, 0.5, 2000);
  const biasNorm = norm2(sub(stn.general, wStar));
  const last = gd.distanceToBestResponse[1999];
  const mid = gd.distanceToBestResponse[999];
  checks.push(
    tolCheck(
      'PT-6 GD on the STN objective: ‖w0 − w*‖ → ‖δ‖ (not 0) after 1000 and 2000 steps',
      'quadrature',
      Math.max(relativeError(last, biasNorm), relativeError(mid, biasNorm)),
      QUADRATURE_TOL,
      `‖δ‖=${biasNorm.toExponential(6)}, after 1000: ${mid.toExponential(6)}, after 2000: ${last.toExponential(6)}`,
    ),
  );
  // B4's constant, certified (interval arithmetic, branch and bound) over the claim's whole range σ ≤ 2.
  const cert = certifyPropositionBConstant(APP_E_CLAIM_MAX_SCALE ** 2, APP_E_B4_TAU);
  checks.push(
    exactCheck(
      `B4 certified: sup_u R(u, s) ≤ K(s) + ${APP_E_B4_TAU} for all s = σ² ∈ [0, ${APP_E_CLAIM_MAX_SCALE ** 2}]`,
      cert.certified,
      `${cert.boxes} boxes, largest excess over K(s) ${cert.worstExcess.toExponential(3)}`,
    ),
  );
  return checks;
}

/** The APP-E claim for the registry. */
export const appEClaim: Claim<AppECase> = {
  id: 'APP-E',
  statement:
    'The STN joint update leaves w0 biased by −½H⁻¹E[Q(ε)] + O(σ⁴) when ∇_wL_T is not affine in (λ, w); the Δ-STN general step is unbiased (w0 = w*(λ0)) and its gradient has zero variance in ε.',
  assumptions: [
    'L_T ∈ C⁵ (or C⁴ with a Lipschitz fourth derivative; C⁴ alone is not enough) with derivatives of at most exponential growth, H = ∇²_wL_T(λ0, w*) ≻ 0; ε ~ N(0, diag σ²).',
    'Worked cases: weight decay L_T = ½wᵀAw − bᵀw + ½e^λ‖w‖² with A ≻ 0, b ≠ 0, 1e-5 ≤ σ ≤ 2; the sin toy ½(w − sin λ)²; L_T = ½wᵀAw − bᵀw + ¼γ‖w‖⁴ + ½Σ_i e^{(Cλ)_i}w_i² (γ > 0, h ≤ 3).',
    'Hypernetwork ŵ(λ0 + ε) = w0 + θε (centred; the uncentred STN fits the same affine function).',
  ],
  spec: 'spec §0.1 (APP-E), §4.2, §6 PT-6, PT-7, PT-9, PT-12',
  proof: 'proofs/APP-E.md',
  arbitrary: appECaseArb,
  check: checkAppECase,
  referenceChecks: appEReferenceChecks,
};
