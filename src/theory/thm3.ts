/**
 * THM-3: on a quadratic inner problem the Δ-STN fixed point is the exact best response and its Jacobian,
 * for every perturbation covariance Σ ≻ 0, and gradient descent on the response converges iff
 * 0 < η < 2/λ_max(Σ ⊗ A), at rate max_i |1 − η λ_i(Σ ⊗ A)|.
 *
 * @remarks
 * The statement's wording is the project's, reconstructed (spec §0.1 row THM-3, tagged [R]); the paper's
 * Theorem 3 text was not available. Proof and the map from proof steps to checks: `proofs/THM-3.md`.
 *
 * Inner objective (spec §2.4 S1): L_T(λ, w) = ½ wᵀ A w − wᵀ (b + B λ), A ≻ 0 (m×m), B (m×h), b ∈ ℚ^m.
 * Δ-STN (spec §3.2): general step w₀ = argmin_w L_T(λ₀, w); response step
 * Θ = argmin_Θ E_{ε∼N(0,Σ)} L_T(λ₀ + ε, w₀ + Θ ε). Everything is exact rational arithmetic except the float64
 * rate and the float64 gradient-descent run that checks it.
 */
import fc from 'fast-check';
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../errors.js';
import {
  ONE,
  ZERO,
  equalQ,
  invQ,
  isSymmetricQ,
  kronQ,
  math,
  matVecQ,
  multiplyQ,
  rational,
  rationalMatrix,
  rationalVector,
  solveQ,
  toIntegerMatrix,
  toNumber,
  toNumberMatrix,
  toRationalString,
  unvecQ,
  vecQ,
  type Rational,
  type RationalLike,
  type RationalMatrix,
  addVecQ,
  subVecQ,
  dotQ,
} from '../linalg/exact.js';
import { certifiedEigenvalue, inertia, type CertifiedInterval } from '../linalg/inertia.js';
import { gaussianMomentRule } from '../linalg/cubature.js';
import { choleskySolve, conditionNumber, kron, symmetricEigen, symmetricEigenvalues, vec } from '../linalg/dense.js';
import { closedFormRelTol, eigenRelTol, relativeErrorVec } from '../tolerance.js';
import { exactCheck, tolCheck, type Check, type Claim } from './claim.js';
import { dimsArb, lambdaArb, rationalMatrixArb, rationalVectorArb, sigmaArb, spdArb } from './generators.js';

// ---------------------------------------------------------------------------------------------------------
// Input: parsing and validation
// ---------------------------------------------------------------------------------------------------------

/** A rational matrix as the CLI / JSON gives it: rows of numbers or rational strings ("3/7"). */
export type RationalMatrixInput = readonly (readonly RationalLike[])[];

/** The quadratic inner problem L_T(λ, w) = ½ wᵀAw − wᵀ(b + Bλ) at the hyperparameter λ₀, as given. */
export interface QuadraticInnerInput {
  /** A (m×m), symmetric positive definite. */
  A: RationalMatrixInput;
  /** B (m×h): how the hyperparameters enter the linear term. */
  B: RationalMatrixInput;
  /** b (length m). */
  b: readonly RationalLike[];
  /** λ₀ (length h): the current hyperparameters. */
  lambda0: readonly RationalLike[];
}

/** {@link QuadraticInnerInput} parsed to exact rationals and validated; m = dim w, h = dim λ. */
export interface QuadraticInner {
  A: RationalMatrix;
  B: RationalMatrix;
  b: Rational[];
  lambda0: Rational[];
  m: number;
  h: number;
}

const shape = (a: RationalMatrix): string => `${a.length}×${a[0].length}`;

/**
 * Parses and validates a quadratic inner problem.
 *
 * @remarks
 * Positive definiteness of A is decided exactly (Sylvester inertia by symmetric elimination,
 * `src/linalg/inertia.ts`), never by a float64 eigenvalue.
 * @throws ShapeMismatchError naming `A`, `B`, `b` or `lambda0`; NotSymmetricError('A');
 * NotPositiveDefiniteError('A'); ParseError / NonFiniteError naming the entry (e.g. `B[1][0]`).
 */
export function parseQuadraticInner(input: QuadraticInnerInput): QuadraticInner {
  const A = rationalMatrix(input.A, 'A');
  const m = A.length;
  if (A[0].length !== m) throw new ShapeMismatchError('A', 'a square matrix', shape(A));
  if (!isSymmetricQ(A)) throw new NotSymmetricError('A', 'A must equal Aᵀ exactly');
  const iner = inertia(A, 'A');
  if (iner.positive !== m) throw new NotPositiveDefiniteError('A', `inertia (+${iner.positive}, −${iner.negative}, 0×${iner.zero})`);
  const B = rationalMatrix(input.B, 'B');
  if (B.length !== m) throw new ShapeMismatchError('B', `${m}×h (as many rows as A)`, shape(B));
  const h = B[0].length;
  const b = rationalVector(input.b, 'b');
  if (b.length !== m) throw new ShapeMismatchError('b', `length ${m}`, `length ${b.length}`);
  const lambda0 = rationalVector(input.lambda0, 'lambda0');
  if (lambda0.length !== h) throw new ShapeMismatchError('lambda0', `length ${h} (the columns of B)`, `length ${lambda0.length}`);
  return { A, B, b, lambda0, m, h };
}

/**
 * Σ = diag(σ²) from perturbation scales, each σ_k > 0.
 * @throws InvalidArgumentError(`sigma[k]`) for σ_k ≤ 0; ShapeMismatchError('sigma') for a wrong length.
 */
export function covarianceFromScales(sigma: readonly RationalLike[], h: number): RationalMatrix {
  const s = rationalVector(sigma, 'sigma');
  if (s.length !== h) throw new ShapeMismatchError('sigma', `length ${h} (one scale per hyperparameter)`, `length ${s.length}`);
  s.forEach((x, k) => {
    if (!isPositive(x)) throw new InvalidArgumentError(`sigma[${k}]`, 'a scale σ_k > 0', toRationalString(x));
  });
  return s.map((x, i) => s.map((_, j) => (i === j ? x.mul(x) : ZERO)));
}

/**
 * Validates a full covariance Σ (h×h, exactly symmetric, positive definite by exact inertia).
 * @throws ShapeMismatchError / NotSymmetricError / NotPositiveDefiniteError naming `covariance`.
 */
export function parseCovariance(covariance: RationalMatrixInput, h: number): RationalMatrix {
  const S = rationalMatrix(covariance, 'covariance');
  if (S.length !== h || S[0].length !== h) throw new ShapeMismatchError('covariance', `${h}×${h}`, shape(S));
  if (!isSymmetricQ(S)) throw new NotSymmetricError('covariance', 'Σ must equal Σᵀ exactly');
  const iner = inertia(S, 'covariance');
  if (iner.positive !== h) throw new NotPositiveDefiniteError('covariance', `inertia (+${iner.positive}, −${iner.negative}, 0×${iner.zero})`);
  return S;
}

/**
 * The step size η > 0.
 * @throws InvalidArgumentError('eta') for η ≤ 0.
 */
export function parseStepSize(eta: RationalLike): Rational {
  const e = rational(eta, 'eta');
  if (!isPositive(e)) throw new InvalidArgumentError('eta', 'a step size η > 0', toRationalString(e));
  return e;
}

// ---------------------------------------------------------------------------------------------------------
// Best response
// ---------------------------------------------------------------------------------------------------------

/** Exact best response of the quadratic inner problem at λ₀. */
export interface BestResponse {
  /** w*(λ₀) = A⁻¹(b + Bλ₀). */
  w: Rational[];
  /** J* = ∂_λ w* = A⁻¹B (m×h), the same for every λ. */
  J: RationalMatrix;
}

/** {@link BestResponse} as JSON: exact rational strings "p/q" (or "p"). */
export interface BestResponseJson {
  w: string[];
  J: string[][];
}

/**
 * Best response and best-response Jacobian of L_T(λ, w) = ½ wᵀAw − wᵀ(b + Bλ).
 *
 * @remarks
 * ∇_w L_T = Aw − b − Bλ = 0 gives w*(λ) = A⁻¹(b + Bλ), affine in λ, so J* = A⁻¹B for every λ
 * (spec §1.2 IFT with ∇²_w L_T = A, ∇²_{wλ} L_T = −B; spec §2.4 S1). `A` is A (m×m, symmetric positive
 * definite), `B` is B (m×h), `b` is b, `lambda0` is λ₀. Exact when the entries are rational (numbers are
 * taken as the exact dyadic rational they denote; pass "1/10" for one tenth).
 *
 * @throws the errors of {@link parseQuadraticInner}.
 * @see spec §2.4 S1, §0.1 THM-3; proofs/THM-3.md
 */
export function bestResponse(input: QuadraticInnerInput | QuadraticInner): BestResponse {
  const q = isParsed(input) ? input : parseQuadraticInner(input);
  const Ainv = invQ(q.A, 'A');
  const rhs = addVecQ(q.b, matVecQ(q.B, q.lambda0));
  return { w: matVecQ(Ainv, rhs), J: multiplyQ(Ainv, q.B) };
}

/** {@link bestResponse} in the JSON form the CLI routine `deltastn theory best-response` prints. */
export function bestResponseJson(input: QuadraticInnerInput): BestResponseJson {
  const r = bestResponse(input);
  return { w: r.w.map(toRationalString), J: r.J.map((row) => row.map(toRationalString)) };
}

// ---------------------------------------------------------------------------------------------------------
// The Δ-STN steps, assembled from the objective
// ---------------------------------------------------------------------------------------------------------

/** L_T(λ, w) = ½ wᵀAw − wᵀ(b + Bλ). */
export function quadraticTrainLoss(q: QuadraticInner, lambda: readonly Rational[], w: readonly Rational[]): Rational {
  const Aw = matVecQ(q.A, w);
  const lin = addVecQ(q.b, matVecQ(q.B, lambda));
  return dotQ(w, Aw).div(2).sub(dotQ(w, lin));
}

/** ∇_w L_T(λ, w) = Aw − b − Bλ. */
export function quadraticTrainGrad(q: QuadraticInner, lambda: readonly Rational[], w: readonly Rational[]): Rational[] {
  return subVecQ(matVecQ(q.A, w), addVecQ(q.b, matVecQ(q.B, lambda)));
}

/** The exact Δ-STN steps on a quadratic inner problem. */
export interface DeltaStnQuadratic {
  /** General step: w₀ solving ∇_w L_T(λ₀, w₀) = 0 (the w-Hessian probed from the gradient). */
  general: Rational[];
  /** Response step: the minimiser Θ (m×h) of R(Θ) = E L_T(λ₀+ε, w₀+Θε), from its normal equations. */
  response: RationalMatrix;
  /** Hessian of R in vec Θ (column-major, mh×mh), assembled from the Gaussian moment rule. */
  hessian: RationalMatrix;
  /** ∇_{vecΘ} R at Θ = 0 (length mh). */
  gradientAtZero: Rational[];
  /** The response minimiser when the response step is taken around `offCentreGeneral` instead of w₀. */
  responseOffCentre: RationalMatrix;
  /** The (arbitrary) general parameters used for {@link DeltaStnQuadratic.responseOffCentre}. */
  offCentreGeneral: Rational[];
}

/**
 * Both Δ-STN steps on the quadratic inner problem, solved exactly from the objective itself.
 *
 * @remarks
 * General step: min_{w₀} L_T(λ₀, w₀). Its normal equations H_w w₀ = −∇_w L_T(λ₀, 0), with the Hessian H_w
 * probed column by column from the gradient (∇L(e_j) − ∇L(0)); exact because L_T is quadratic in w.
 *
 * Response step: min_Θ R(Θ), R(Θ) = E_{ε∼N(0,Σ)} L_T(λ₀ + ε, w₀ + Θε). R is quadratic in ε, so the signed
 * (2h+1)-point rule of `gaussianMomentRule` (exact for degree ≤ 3) gives E exactly:
 * R(Θ) = Σ_p ω_p L_T(λ₀ + p, w₀ + Θp). With Θp = P_p vecΘ, where column a = i + j·m (column-major vec,
 * as `vecQ`) of P_p is p_j e_i, the chain rule gives the normal equations
 *   [Σ_p ω_p P_pᵀ H_w P_p] vecΘ = −Σ_p ω_p P_pᵀ ∇_w L_T(λ₀ + p, w₀).
 * They are solved exactly (`solveQ`). The same matrix with w₀ replaced by `offCentreGeneral` (default 0)
 * gives the response minimiser taken around a general point that is not the best response: THM-3 says it is
 * still J*, because E[ε] = 0 kills the only term that couples Θ to w₀ (proofs/THM-3.md step 3).
 *
 * `covariance` is Σ (h×h, symmetric positive definite, full covariance allowed).
 * @see spec §3.2, §2.4 S1, §6 PT-5; proofs/THM-3.md steps 1–3
 */
export function deltaStnQuadratic(q: QuadraticInner, covariance: RationalMatrix, offCentreGeneral?: readonly Rational[]): DeltaStnQuadratic {
  const { m, h } = q;
  const n = m * h;
  const zeroW = new Array<Rational>(m).fill(ZERO);
  // w-Hessian of L_T probed from its gradient (λ-independent because L_T is quadratic).
  const g0 = quadraticTrainGrad(q, q.lambda0, zeroW);
  const Hw: RationalMatrix = Array.from({ length: m }, () => new Array<Rational>(m).fill(ZERO));
  for (let j = 0; j < m; j++) {
    const ej = zeroW.map((_, i) => (i === j ? ONE : ZERO));
    const gj = quadraticTrainGrad(q, q.lambda0, ej);
    for (let i = 0; i < m; i++) Hw[i][j] = gj[i].sub(g0[i]);
  }
  const general = solveQ(
    Hw,
    g0.map((x) => [x.neg()]),
    'A',
  ).map((r) => r[0]);

  const rule = gaussianMomentRule(covariance);
  const wOff = offCentreGeneral ? [...offCentreGeneral] : zeroW;
  const H: RationalMatrix = Array.from({ length: n }, () => new Array<Rational>(n).fill(ZERO));
  const g = new Array<Rational>(n).fill(ZERO);
  const gOff = new Array<Rational>(n).fill(ZERO);
  rule.points.forEach((p, s) => {
    const omega = rule.weights[s];
    if (p.every((x) => x.n === 0n)) return; // P_p = 0 at the centre point: no contribution
    const lam = addVecQ(q.lambda0, p);
    const r0 = quadraticTrainGrad(q, lam, general);
    const rOff = quadraticTrainGrad(q, lam, wOff);
    for (let a = 0; a < n; a++) {
      const i = a % m;
      const j = (a - i) / m;
      if (p[j].n === 0n) continue;
      const wp = omega.mul(p[j]);
      g[a] = g[a].add(wp.mul(r0[i]));
      gOff[a] = gOff[a].add(wp.mul(rOff[i]));
      for (let c = 0; c < n; c++) {
        const k = c % m;
        const l = (c - k) / m;
        if (p[l].n === 0n || Hw[i][k].n === 0n) continue;
        H[a][c] = H[a][c].add(wp.mul(p[l]).mul(Hw[i][k]));
      }
    }
  });
  const sol = solveQ(
    H,
    g.map((x, a) => [x.neg(), gOff[a].neg()]),
    'responseHessian',
  );
  return {
    general,
    response: unvecQ(
      sol.map((r) => r[0]),
      m,
      h,
    ),
    hessian: H,
    gradientAtZero: g,
    responseOffCentre: unvecQ(
      sol.map((r) => r[1]),
      m,
      h,
    ),
    offCentreGeneral: wOff,
  };
}

/**
 * ∇_Θ R(Θ) for R(Θ) = E L_T(λ₀+ε, w₀+Θε), exactly, by the moment rule: Σ_p ω_p ∇_w L_T(λ₀+p, w₀+Θp) pᵀ.
 * THM-3 (proof step 4) says it equals A(Θ − J*)Σ.
 */
export function responseGradient(q: QuadraticInner, covariance: RationalMatrix, general: readonly Rational[], theta: RationalMatrix): RationalMatrix {
  const rule = gaussianMomentRule(covariance);
  const out: RationalMatrix = Array.from({ length: q.m }, () => new Array<Rational>(q.h).fill(ZERO));
  rule.points.forEach((p, s) => {
    const omega = rule.weights[s];
    if (p.every((x) => x.n === 0n)) return;
    const r = quadraticTrainGrad(q, addVecQ(q.lambda0, p), addVecQ(general, matVecQ(theta, p)));
    for (let i = 0; i < q.m; i++) for (let j = 0; j < q.h; j++) if (p[j].n !== 0n) out[i][j] = out[i][j].add(omega.mul(r[i]).mul(p[j]));
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Gradient descent on the response: exact decision, certified rate, float64 rate
// ---------------------------------------------------------------------------------------------------------

/** Certified spectral data of Σ ⊗ A and the contraction factor ρ = max_i |1 − η λ_i(Σ⊗A)|. */
export interface ResponseRate {
  /** ρ < 1, decided exactly: η > 0 and 2I − η(Σ⊗A) ≻ 0 (inertia). */
  converges: boolean;
  /** Inertia of 2I − η(Σ⊗A): `negative` counts eigenvalues above 2/η, `zero` those equal to it. */
  inertia: { positive: number; negative: number; zero: number };
  /** ρ in float64, from Jacobi eigenvalues of Σ and A (λ(Σ⊗A) = {σ_i a_j}). */
  rate: number;
  /** Certified ρ ∈ [lo, hi] from certified λ_min, λ_max of Σ and A. */
  rateInterval: CertifiedInterval;
  /** Certified λ_max(Σ⊗A) = λ_max(Σ) λ_max(A) ∈ [lo, hi]. */
  lambdaMax: CertifiedInterval;
  /** Certified λ_min(Σ⊗A) = λ_min(Σ) λ_min(A) ∈ [lo, hi]. */
  lambdaMin: CertifiedInterval;
}

/**
 * Convergence and rate of gradient descent vecΘ_{k+1} = vecΘ_k − η(Σ⊗A)(vecΘ_k − vec J*).
 *
 * @remarks
 * The iteration matrix T = I − η(Σ⊗A) is symmetric with eigenvalues 1 − η σ_i a_j (σ_i eigenvalues of Σ,
 * a_j of A), so the error contracts for every start iff ρ(T) = ‖T‖₂ < 1 iff η > 0 and η λ_max < 2,
 * i.e. 2I − η(Σ⊗A) ≻ 0. That is decided exactly by an inertia count of the mh×mh rational matrix. The rate
 * ρ = max(|1 − ηλ_min|, |1 − ηλ_max|) is returned in float64 and as a certified rational interval built
 * from certified eigenvalue intervals of the small factors Σ (h×h) and A (m×m).
 *
 * `A` is A, `covariance` is Σ, `eta` is η (any rational; η ≤ 0 gives `converges: false`).
 * @see spec §0.1 THM-3; proofs/THM-3.md steps 5–6
 */
export function responseRate(A: RationalMatrix, covariance: RationalMatrix, eta: Rational): ResponseRate {
  const H = kronQ(covariance, A);
  const n = H.length;
  const two = math.fraction(2);
  const M = H.map((row, i) => row.map((x, j) => (i === j ? two.sub(eta.mul(x)) : eta.mul(x).neg())));
  const iner = inertia(M, 'responseIteration');
  const converges = isPositive(eta) && iner.positive === n;

  const eigA = eigenInterval(A);
  const eigS = eigenInterval(covariance);
  const lambdaMax = { lo: eigS.max.lo.mul(eigA.max.lo), hi: eigS.max.hi.mul(eigA.max.hi) };
  const lambdaMin = { lo: eigS.min.lo.mul(eigA.min.lo), hi: eigS.min.hi.mul(eigA.min.hi) };
  const rateInterval = contractionInterval(eta, lambdaMin, lambdaMax);

  const aF = symmetricEigenvalues(toNumberMatrix(A));
  const sF = symmetricEigenvalues(toNumberMatrix(covariance));
  const etaF = toNumber(eta);
  let rate = 0;
  for (const s of sF) for (const a of aF) rate = Math.max(rate, Math.abs(1 - etaF * s * a));
  return { converges, inertia: iner, rate, rateInterval, lambdaMax, lambdaMin };
}

/** Certified intervals for λ_min and λ_max of a rational SPD matrix (exact for diagonal ones). */
function eigenInterval(S: RationalMatrix): { min: CertifiedInterval; max: CertifiedInterval } {
  const n = S.length;
  const diagonal = S.every((row, i) => row.every((x, j) => i === j || x.n === 0n));
  if (diagonal) {
    const d = S.map((row, i) => row[i]);
    const lo = d.reduce((a, b) => (b.compare(a) < 0 ? b : a));
    const hi = d.reduce((a, b) => (b.compare(a) > 0 ? b : a));
    return { min: { lo, hi: lo }, max: { lo: hi, hi } };
  }
  const min = certifiedEigenvalue(S, 0);
  const max = certifiedEigenvalue(S, n - 1);
  // λ_min > 0 is known exactly (the caller validated S ≻ 0 by inertia); a bracket may still start at ≤ 0.
  return { min: { lo: isPositive(min.lo) ? min.lo : ZERO, hi: min.hi }, max };
}

/** Certified ρ = max(|1−ηλ_min|, |1−ηλ_max|) ∈ [lo, hi] given λ_min ∈ I₁, λ_max ∈ I₂ (|1 − ηx| is convex in x). */
function contractionInterval(eta: Rational, lambdaMin: CertifiedInterval, lambdaMax: CertifiedInterval): CertifiedInterval {
  const f = (x: Rational): Rational => ONE.sub(eta.mul(x)).abs();
  const maxOn = (I: CertifiedInterval): Rational => maxQ(f(I.lo), f(I.hi));
  const minOn = (I: CertifiedInterval): Rational => {
    // The root x = 1/η of 1 − ηx lies inside I ⇒ min is 0; otherwise it is attained at an end.
    if (isPositive(eta)) {
      const root = ONE.div(eta);
      if (root.compare(I.lo) >= 0 && root.compare(I.hi) <= 0) return ZERO;
    }
    return minQ(f(I.lo), f(I.hi));
  };
  return { lo: maxQ(minOn(lambdaMin), minOn(lambdaMax)), hi: maxQ(maxOn(lambdaMin), maxOn(lambdaMax)) };
}

// ---------------------------------------------------------------------------------------------------------
// The CLI report
// ---------------------------------------------------------------------------------------------------------

/** Input of `deltastn theory thm3`: the quadratic inner problem, the perturbation and the step size. */
export interface Thm3Input extends QuadraticInnerInput {
  /** Perturbation scales σ_k > 0 (Σ = diag(σ²)). Give this or `covariance`. */
  sigma?: readonly RationalLike[];
  /** A full covariance Σ ≻ 0 (h×h), instead of `sigma`. */
  covariance?: RationalMatrixInput;
  /** Gradient-descent step size η > 0 on the response. */
  eta: RationalLike;
}

/** Output of `deltastn theory thm3`. */
export interface Thm3Report {
  /** The Δ-STN general parameters w₀ (exact rational strings); equal to w*(λ₀). */
  w0: string[];
  /** The Δ-STN response Θ (m×h, exact rational strings); equal to J* = A⁻¹B. */
  Theta: string[][];
  /** Whether gradient descent on Θ with step η converges from every start (decided exactly). */
  converges: boolean;
  /** Contraction factor ρ = max_i |1 − η λ_i(Σ⊗A)| in float64. */
  rate: number;
  /** Certified ρ ∈ [lo, hi] (exact rational strings). */
  rateInterval: { lo: string; hi: string };
  /** Certified bound on the largest convergent step 2/λ_max(Σ⊗A) ∈ [lo, hi] (exact rational strings). */
  stepBound: { lo: string; hi: string };
}

/**
 * THM-3 on one quadratic problem: the Δ-STN fixed point (w₀, Θ) and the convergence of gradient descent on Θ.
 *
 * @remarks
 * `A`, `B`, `b`, `lambda0` define L_T(λ, w) = ½ wᵀAw − wᵀ(b + Bλ) at λ₀; `sigma` gives Σ = diag(σ²)
 * (or `covariance` gives a full Σ ≻ 0); `eta` is η. w₀ and Θ are computed by the Δ-STN steps themselves
 * ({@link deltaStnQuadratic}), not by the closed form; THM-3 says they equal w*(λ₀) and J* = A⁻¹B.
 *
 * @throws ShapeMismatchError (`A`, `B`, `b`, `lambda0`, `sigma`, `covariance`), NotSymmetricError('A' or
 * 'covariance'), NotPositiveDefiniteError('A' or 'covariance'), InvalidArgumentError(`sigma[k]`) for
 * σ_k ≤ 0, InvalidArgumentError('eta') for η ≤ 0, InvalidArgumentError('sigma') when neither or both of
 * `sigma` and `covariance` are given.
 * @see spec §0.1 THM-3, §2.4 S1, §6 PT-5; proofs/THM-3.md
 */
export function thm3Report(input: Thm3Input): Thm3Report {
  const q = parseQuadraticInner(input);
  const covariance = parsePerturbation(input, q.h);
  const eta = parseStepSize(input.eta);
  const d = deltaStnQuadratic(q, covariance);
  const r = responseRate(q.A, covariance, eta);
  const two = math.fraction(2);
  return {
    w0: d.general.map(toRationalString),
    Theta: d.response.map((row) => row.map(toRationalString)),
    converges: r.converges,
    rate: r.rate,
    rateInterval: { lo: toRationalString(r.rateInterval.lo), hi: toRationalString(r.rateInterval.hi) },
    stepBound: { lo: toRationalString(two.div(r.lambdaMax.hi)), hi: toRationalString(two.div(r.lambdaMax.lo)) },
  };
}

function parsePerturbation(input: Thm3Input, h: number): RationalMatrix {
  const hasSigma = input.sigma !== undefined && input.sigma !== null;
  const hasCov = input.covariance !== undefined && input.covariance !== null;
  if (hasSigma && hasCov) throw new InvalidArgumentError('covariance', 'either sigma or covariance, not both', 'both');
  if (hasSigma) return covarianceFromScales(input.sigma as readonly RationalLike[], h);
  if (hasCov) return parseCovariance(input.covariance as RationalMatrixInput, h);
  throw new InvalidArgumentError('sigma', 'perturbation scales σ (or a covariance matrix)', 'neither');
}

// ---------------------------------------------------------------------------------------------------------
// float64 gradient descent and its asymptotic ratio
// ---------------------------------------------------------------------------------------------------------

/** Result of {@link measureAsymptoticRatio}. */
export interface MeasuredRatio {
  /** ‖e_{K+1}‖/‖e_K‖ after K steps. */
  ratio: number;
  /** K. */
  steps: number;
  /** The a-priori bound B_K with ρ² − ratio² ≤ ρ² B_K (proofs/THM-3.md step 7). */
  bound: number;
}

/**
 * Runs float64 gradient descent on the response error E_k = Θ_k − J* in matrix form,
 * E_{k+1} = E_k − η A E_k Σ (= (I − η Σ⊗A) vec E_k, column-major), normalising every step, from
 * E₀ = a bᵀ with a = V_A 1, b = V_Σ 1 (sums of the float64 eigenvectors). E₀ then has a unit component
 * on every eigenvector of Σ⊗A, which makes the gap-free bound B_K = Σ_i x_i^K (1 − x_i), x_i = μ_i²/ρ²,
 * hold (μ_i = 1 − ηλ_i). Steps stop when B_K ≤ `targetBound` or after `maxSteps`.
 */
export function measureAsymptoticRatio(A: number[][], covariance: number[][], eta: number, maxSteps = 2000, targetBound = 1e-10): MeasuredRatio {
  const eA = symmetricEigen(A, { vectors: true });
  const eS = symmetricEigen(covariance, { vectors: true });
  const m = A.length;
  const h = covariance.length;
  const VA = eA.vectors!.to2DArray();
  const VS = eS.vectors!.to2DArray();
  const a = VA.map((row) => row.reduce((s, x) => s + x, 0));
  const b = VS.map((row) => row.reduce((s, x) => s + x, 0));
  const mu: number[] = [];
  for (const s of eS.values) for (const x of eA.values) mu.push(1 - eta * s * x);
  const rho = Math.max(...mu.map(Math.abs));
  const xs = rho > 0 ? mu.map((u) => (u * u) / (rho * rho)) : [];
  const boundAt = (k: number): number => xs.reduce((s, x) => s + (x >= 1 ? 0 : Math.pow(x, k) * (1 - x)), 0);
  // E (m×h) and scratch, row-major flat arrays: E[i*h + j].
  let E = new Float64Array(m * h);
  let next = new Float64Array(m * h);
  const AE = new Float64Array(m * h);
  const Af = Float64Array.from(A.flat());
  const Sf = Float64Array.from(covariance.flat());
  for (let i = 0; i < m; i++) for (let j = 0; j < h; j++) E[i * h + j] = a[i] * b[j];
  scaleToUnit(E);
  let ratio = 0;
  let k = 0;
  while (k < maxSteps) {
    for (let i = 0; i < m; i++)
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let l = 0; l < m; l++) s += Af[i * m + l] * E[l * h + j];
        AE[i * h + j] = s;
      }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let l = 0; l < h; l++) s += AE[i * h + l] * Sf[l * h + j];
        next[i * h + j] = E[i * h + j] - eta * s;
      }
    k++;
    ratio = scaleToUnit(next); // ‖E‖ = 1 before the step, so this is ‖e_{k}‖/‖e_{k−1}‖
    [E, next] = [next, E];
    if (ratio === 0) break;
    if (k % 25 === 0 && boundAt(k - 1) <= targetBound) break;
  }
  return { ratio, steps: k - 1, bound: rho > 0 ? boundAt(k - 1) : 0 };
}

/** Scales x to unit Euclidean norm in place and returns the norm it had (0 leaves x as is). */
function scaleToUnit(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const nrm = Math.sqrt(s);
  if (nrm > 0) for (let i = 0; i < x.length; i++) x[i] /= nrm;
  return nrm;
}

// ---------------------------------------------------------------------------------------------------------
// The claim
// ---------------------------------------------------------------------------------------------------------

/** One THM-3 case. */
export interface Thm3Case {
  A: RationalMatrix;
  B: RationalMatrix;
  b: Rational[];
  lambda0: Rational[];
  /** σ when Σ = diag(σ²), else null (a full covariance was drawn). */
  sigma: Rational[] | null;
  /** Σ (h×h). */
  covariance: RationalMatrix;
  /** η > 0, drawn around 2/λ_max(Σ⊗A) (below, at and above). */
  eta: Rational;
  /** Θ₀, the start of the exact gradient-descent run. */
  start: RationalMatrix;
}

/** Steps of exact rational gradient descent per check (integer arithmetic keeps 12 steps well under 1 ms). */
export const EXACT_GD_STEPS = 12;

/** Multiples t of 2/λ_max used for η: well inside, near the edge on both sides, the 1/λ_max step, beyond. */
const ETA_FACTORS = ['1/100', '1/4', '1/2', '9/10', '99/100', '1', '101/100', '11/10', '2'] as const;

/** A rational with `digits` significant decimal digits nearest to x > 0 (keeps denominators short). */
export function shortRational(x: number, digits = 3): Rational {
  if (!(x > 0) || !Number.isFinite(x)) throw new InvalidArgumentError('x', 'a finite positive number', x);
  const e = Math.floor(Math.log10(x));
  const scale = digits - 1 - e;
  const p = BigInt(Math.round(x * 10 ** scale));
  return scale >= 0 ? math.fraction(p, 10n ** BigInt(scale)) : math.fraction(p * 10n ** BigInt(-scale), 1n);
}

function buildCase(A: RationalMatrix, B: RationalMatrix, b: Rational[], lambda0: Rational[], sigma: Rational[] | null, cov: RationalMatrix, factor: string, start: RationalMatrix): Thm3Case {
  const aMax = Math.max(...symmetricEigenvalues(toNumberMatrix(A)));
  const sMax = Math.max(...symmetricEigenvalues(toNumberMatrix(cov)));
  const t = rational(factor);
  let eta: Rational;
  if (factor === '1' && A.length === 1 && sigma !== null) {
    // λ_max = a·max σ² is rational here: hit the edge η = 2/λ_max exactly (ρ = 1, no convergence).
    const s2 = sigma.map((s) => s.mul(s)).reduce((x, y) => (y.compare(x) > 0 ? y : x));
    eta = math.fraction(2).div(A[0][0].mul(s2));
  } else {
    eta = shortRational((2 * toNumber(t)) / (aMax * sMax), factor === '1' ? 7 : 3);
  }
  return { A, B, b, lambda0, sigma, covariance: cov, eta, start };
}

const thm3Arbitrary: fc.Arbitrary<Thm3Case> = dimsArb.chain(({ h, m }) =>
  fc
    .record({
      A: spdArb(m, 1e4),
      B: rationalMatrixArb(m, h),
      b: rationalVectorArb(m),
      lambda0: lambdaArb(h),
      perturbation: fc.oneof(
        { weight: 3, arbitrary: sigmaArb(h).map((s) => ({ sigma: s as Rational[] | null, cov: s.map((x, i) => s.map((_, j) => (i === j ? x.mul(x) : ZERO))) })) },
        { weight: 1, arbitrary: spdArb(h, 1e3).map((S) => ({ sigma: null as Rational[] | null, cov: S })) },
      ),
      factor: fc.constantFrom(...ETA_FACTORS),
      start: rationalMatrixArb(m, h),
    })
    .map((r) => buildCase(r.A, r.B, r.b, r.lambda0, r.perturbation.sigma, r.perturbation.cov, r.factor, r.start)),
);

/**
 * All THM-3 checks on one case, one per proof step (proofs/THM-3.md, table "What the tests check").
 */
export function checkThm3(c: Thm3Case): Check[] {
  const q: QuadraticInner = { A: c.A, B: c.B, b: c.b, lambda0: c.lambda0, m: c.A.length, h: c.B[0].length };
  const { m, h } = q;
  const n = m * h;
  const checks: Check[] = [];
  const size = `m=${m}, h=${h}`;

  // Closed form (independent path: A⁻¹ by mathjs inv).
  const best = bestResponse(q);
  // The Δ-STN steps, solved from the objective; off-centre general point: w*(λ₀) + (1, …, 1).
  const offCentre = best.w.map((x) => x.add(ONE));
  const d = deltaStnQuadratic(q, c.covariance, offCentre);

  // Step 1: general step = best response.
  checks.push(exactCheck('general step: ∇_w L_T(λ₀, w₀) = 0 ⇒ w₀ = w*(λ₀) = A⁻¹(b + Bλ₀)', equalVec(d.general, best.w), `${size}; w₀ = [${d.general.map(toRationalString)}]`));

  // Step 2: Hessian of the response objective in vec Θ is Σ ⊗ A.
  const kronSA = kronQ(c.covariance, c.A);
  checks.push(exactCheck('response Hessian in vec Θ (column-major) = Σ ⊗ A', equalQ(d.hessian, kronSA), size));

  // Step 3: the response minimiser is J*, whatever Σ; and whatever w₀ (E[ε] = 0).
  checks.push(exactCheck('response stationarity ⇒ Θ = A⁻¹B = J*, for this Σ', equalQ(d.response, best.J), `${size}; Σ ${c.sigma ? 'diagonal' : 'full'}`));
  checks.push(exactCheck('response minimiser decoupled from w₀ (E[ε] = 0): Θ = J* around w₀ ≠ w*', equalQ(d.responseOffCentre, best.J), size));

  // Step 4: GD on R is the stated linear recursion: ∇_Θ R(Θ₀) = A(Θ₀ − J*)Σ.
  const E0 = subMat(c.start, best.J);
  const grad = responseGradient(q, c.covariance, d.general, c.start);
  checks.push(exactCheck('∇_Θ R(Θ) = A(Θ − J*)Σ, i.e. ∇_{vecΘ} R = (Σ⊗A)(vecΘ − vec J*)', equalQ(grad, multiplyQ(multiplyQ(c.A, E0), c.covariance)), size));

  // Step 5: convergence decided exactly, against the certified λ_max and against I − T² ≻ 0.
  const r = responseRate(c.A, c.covariance, c.eta);
  const two = math.fraction(2);
  const etaLmaxLo = c.eta.mul(r.lambdaMax.lo);
  const etaLmaxHi = c.eta.mul(r.lambdaMax.hi);
  let agree: boolean;
  let how: string;
  if (etaLmaxHi.compare(two) < 0) {
    agree = r.converges;
    how = 'η·λmax.hi < 2 ⇒ converges';
  } else if (etaLmaxLo.compare(two) > 0) {
    agree = !r.converges;
    how = 'η·λmax.lo > 2 ⇒ diverges';
  } else {
    // 2/η lies in the certified λ_max interval: only the exact edge case η = 2/λ_max can stay undecided.
    agree = !r.converges && r.inertia.zero > 0 && r.inertia.negative === 0;
    how = `2/η inside the λmax interval; inertia ${JSON.stringify(r.inertia)}`;
  }
  checks.push(exactCheck('GD converges ⇔ η < 2/λ_max(Σ⊗A): exact inertia vs certified λ_max', agree, `${size}; η = ${toRationalString(c.eta)}; ${how}`));

  const H = d.hessian;
  const T = H.map((row, i) => row.map((x, j) => (i === j ? ONE.sub(c.eta.mul(x)) : c.eta.mul(x).neg())));
  const T2 = multiplyQ(T, T);
  const IminusT2 = T2.map((row, i) => row.map((x, j) => (i === j ? ONE.sub(x) : x.neg())));
  const spectralRadiusBelowOne = inertia(IminusT2, 'I − T²').positive === n;
  checks.push(exactCheck('ρ(T) < 1 ⇔ I − T² ≻ 0 agrees with η > 0 ∧ 2I − η(Σ⊗A) ≻ 0', spectralRadiusBelowOne === r.converges, `${size}; converges = ${r.converges}`));

  // Step 6: the float64 rate lies in the certified interval.
  const lmaxF = toNumber(r.lambdaMax.hi);
  const etaF = toNumber(c.eta);
  const outside = Math.max(0, toNumber(r.rateInterval.lo) - r.rate, r.rate - toNumber(r.rateInterval.hi));
  checks.push(
    tolCheck(
      'float64 ρ ∈ certified [ρ_lo, ρ_hi]',
      'certified',
      outside / Math.max(1, etaF * lmaxF),
      eigenRelTol(n, 1),
      `${size}; ρ = ${r.rate}; [${toNumber(r.rateInterval.lo)}, ${toNumber(r.rateInterval.hi)}]`,
    ),
  );

  // Step 7: float64 GD, asymptotic ratio → ρ within the a-priori bound; divergence iff η > 2/λ_max.
  const meas = measureAsymptoticRatio(toNumberMatrix(c.A), toNumberMatrix(c.covariance), etaF);
  const rhoLo = toNumber(r.rateInterval.lo);
  const rhoHi = toNumber(r.rateInterval.hi);
  const rounding = eigenRelTol(n, 1) * (1 + etaF * lmaxF);
  const lower = rhoLo * Math.sqrt(Math.max(0, 1 - meas.bound)) - rounding;
  const upper = rhoHi + rounding;
  const miss = Math.max(0, lower - meas.ratio, meas.ratio - upper);
  checks.push(
    tolCheck(
      'float64 GD: ‖e_{K+1}‖/‖e_K‖ ∈ [ρ_lo√(1 − B_K), ρ_hi] (± rounding)',
      'float64',
      miss,
      0,
      `${size}; K = ${meas.steps}; ratio = ${meas.ratio}; ρ = ${r.rate}; B_K = ${meas.bound.toExponential(2)}`,
    ),
  );
  let floatDecision: boolean | null = null;
  if (upper < 1) floatDecision = true;
  else if (lower > 1) floatDecision = false;
  checks.push(exactCheck('float64 GD contracts iff converges (when the measured ratio is clear of 1)', floatDecision === null || floatDecision === r.converges, `${size}; float decision ${floatDecision}; exact ${r.converges}`));

  // Step 8: exact GD run, ‖e_k‖² ≤ ρ_hi^{2k} ‖e₀‖² for k ≤ EXACT_GD_STEPS.
  const gd = exactGradientDescentBound(c.A, c.covariance, c.eta, E0, r.rateInterval.hi, EXACT_GD_STEPS);
  checks.push(exactCheck(`exact GD: ‖e_k‖² ≤ ρ_hi^{2k}‖e₀‖², k ≤ ${EXACT_GD_STEPS}`, gd.failedAt === null, `${size}; ${gd.failedAt === null ? 'holds' : `fails at k = ${gd.failedAt}`}`));
  return checks;
}

/**
 * Runs E_{k+1} = E_k − η A E_k Σ exactly for `steps` steps and checks ‖E_k‖²_F ≤ ρ_hi^{2k} ‖E₀‖²_F at each k.
 *
 * @remarks
 * Computed over integers with one common denominator per matrix (E = N/D, A = N_A/d_A, Σ = N_Σ/d_Σ,
 * η = p/q): N' = q d_A d_Σ N − p N_A N N_Σ, D' = q d_A d_Σ D. The values are the same rationals as with
 * Fraction arithmetic, but no gcd is taken per operation, which is where the time went.
 * Returns the first k at which the bound fails, or null.
 */
export function exactGradientDescentBound(A: RationalMatrix, covariance: RationalMatrix, eta: Rational, E0: RationalMatrix, rhoHi: Rational, steps: number): { failedAt: number | null } {
  const [NA, dA] = toIntegerMatrix(A);
  const [NS, dS] = toIntegerMatrix(covariance);
  let [N, D] = toIntegerMatrix(E0);
  const p = eta.s * eta.n;
  const q = eta.d;
  const scale = q * dA * dS;
  const h = covariance.length;
  const sumSq = (X: bigint[][]): bigint => X.reduce((s, row) => row.reduce((t, x) => t + x * x, s), 0n);
  const n0 = sumSq(N);
  const d0 = D;
  const rn = rhoHi.n * rhoHi.n; // ρ_hi² = rn/rd (ρ_hi ≥ 0)
  const rd = rhoHi.d * rhoHi.d;
  let rnk = 1n;
  let rdk = 1n;
  for (let k = 1; k <= steps; k++) {
    const AN = NA.map((row) => Array.from({ length: h }, (_, j) => row.reduce((s, x, l) => s + x * N[l][j], 0n)));
    N = N.map((row, i) => row.map((x, j) => scale * x - p * AN[i].reduce((s, y, l) => s + y * NS[l][j], 0n)));
    D = D * scale;
    rnk *= rn;
    rdk *= rd;
    // ‖N‖²/D² ≤ (rn/rd)^k ‖N₀‖²/D₀²  ⇔  ‖N‖² · rd^k · D₀² ≤ rn^k · ‖N₀‖² · D²
    if (sumSq(N) * rdk * d0 * d0 > rnk * n0 * D * D) return { failedAt: k };
  }
  return { failedAt: null };
}

/** PT-5 (float64, 1e-10·κ) and fixed edge cases of the step-size bound. */
export function referenceChecksThm3(): Check[] {
  const checks: Check[] = [];
  // PT-6's ridge data at λ₀ = 0: ∇²_w L_T = XᵀX/3 + e⁰I, b = Xᵀy/3; w*(0) is printed in spec §6 PT-6 to 10 digits.
  const pt6 = parseQuadraticInner({
    A: [
      ['5/3', '1/3'],
      ['1/3', '8/3'],
    ],
    B: [[1], [-1]],
    b: ['4/3', '7/3'],
    lambda0: [0],
  });
  const br = bestResponse(pt6);
  const printed = [0.641025641, 0.7948717949];
  checks.push(
    tolCheck(
      'PT-6 data: w*(0) = (0.6410256410, 0.7948717949) at the printed precision',
      'reference',
      Math.max(...br.w.map((x, i) => Math.abs(toNumber(x) - printed[i]))),
      5e-11,
      `w* = [${br.w.map(toRationalString)}]`,
    ),
  );

  // PT-5: a fixed case, float64 normal equations of the sample-free expectation against the exact result.
  const q = parseQuadraticInner({
    A: [
      [4, 1, 0],
      [1, 3, '1/2'],
      [0, '1/2', 2],
    ],
    B: [
      [1, 0],
      [-1, 2],
      ['1/3', 1],
    ],
    b: [1, -2, '1/2'],
    lambda0: ['-3/2', 2],
  });
  const best = bestResponse(q);
  for (const [label, cov] of [
    ['σ = (1/2, 3)', covarianceFromScales(['1/2', 3], 2)],
    ['full Σ = [[1, 1/2], [1/2, 2]]', parseCovariance([[1, '1/2'], ['1/2', 2]], 2)],
  ] as const) {
    const d = deltaStnQuadratic(q, cov);
    checks.push(exactCheck(`PT-5 (${label}): exact w₀ = w*(λ₀), Θ = A⁻¹B`, equalVec(d.general, best.w) && equalQ(d.response, best.J)));
    // float64 route: Hessian Σ⊗A and gradient at 0 from the closed form −vec(BΣ) (E ε = 0), Cholesky solve.
    const Af = toNumberMatrix(q.A);
    const Sf = toNumberMatrix(cov);
    const Bf = toNumberMatrix(q.B);
    const BS = Bf.map((row) => Sf[0].map((_, j) => row.reduce((s, x, l) => s + x * Sf[l][j], 0)));
    const thetaF = choleskySolve(kron(Sf, Af), vec(BS)).to1DArray();
    const rhsW = q.b.map((x, i) => toNumber(x) + Bf[i].reduce((s, y, l) => s + y * toNumber(q.lambda0[l]), 0));
    const w0F = choleskySolve(Af, rhsW).to1DArray();
    const kappa = conditionNumber(kron(Sf, Af));
    checks.push(
      tolCheck(
        `PT-5 (${label}): float64 normal equations = exact (rel 1e-10·κ)`,
        'float64',
        Math.max(relativeErrorVec(thetaF, vecQ(best.J).map(toNumber)), relativeErrorVec(w0F, best.w.map(toNumber))),
        closedFormRelTol(kappa),
        `κ(Σ⊗A) = ${kappa.toPrecision(4)}`,
      ),
    );
  }

  // Edge of the step-size bound: A = [[2,1],[1,2]] (eigenvalues 1, 3), σ = (1/2, 1): λ(Σ⊗A) = {1/4, 3/4, 1, 3}.
  const A2 = rationalMatrix([
    [2, 1],
    [1, 2],
  ]);
  const S2 = covarianceFromScales(['1/2', 1], 2);
  const third = math.fraction(1, 3);
  const cases: [string, Rational, boolean, string][] = [
    ['η = 2/3 − 1/1000 (just below 2/λmax)', third.mul(2).sub(math.fraction(1, 1000)), true, '997/1000'],
    ['η = 2/3 (exactly 2/λmax)', third.mul(2), false, '1'],
    ['η = 2/3 + 1/1000 (just above 2/λmax)', third.mul(2).add(math.fraction(1, 1000)), false, '1003/1000'],
    ['η = 1/3 (= 1/λmax, inside)', third, true, '11/12'],
  ];
  for (const [label, eta, conv, rhoExact] of cases) {
    const r = responseRate(A2, S2, eta);
    const rho = rational(rhoExact);
    const inside = r.rateInterval.lo.compare(rho) <= 0 && r.rateInterval.hi.compare(rho) >= 0;
    checks.push(exactCheck(`${label}: converges = ${conv}, ρ = ${rhoExact} ∈ certified interval`, r.converges === conv && inside, `ρ̂ = ${r.rate}`));
    // |ρ̂ − ρ| ≤ η·max|λ̂ − λ| ≤ η·λmax·16nε (Jacobi, proofs/THM-3.md step 6), λmax = 3.
    checks.push(tolCheck(`${label}: float64 ρ`, 'float64', Math.abs(r.rate - toNumber(rho)), eigenRelTol(4, 1) * Math.max(1, 3 * toNumber(eta)), `ρ̂ = ${r.rate}`));
  }
  // Full covariance edge: Σ = [[1, 1/2], [1/2, 1]] (eigenvalues 1/2, 3/2), same A: λ_max = 9/2, 2/λ_max = 4/9.
  const S3 = parseCovariance([[1, '1/2'], ['1/2', 1]], 2);
  const below = responseRate(A2, S3, math.fraction(4, 9).sub(math.fraction(1, 10000)));
  const at = responseRate(A2, S3, math.fraction(4, 9));
  const above = responseRate(A2, S3, math.fraction(4, 9).add(math.fraction(1, 10000)));
  checks.push(exactCheck('full Σ: η = 4/9 ∓ 1/10⁴ and 4/9 (2/λmax = 4/9): converges, not, not', below.converges && !at.converges && !above.converges && at.inertia.zero === 1));
  // Float64 GD around the edge (the measured ratio tells convergence from divergence).
  for (const [label, etaF, rho] of [
    ['η = 2/3 − 1/1000: ratio → 0.997', 2 / 3 - 1 / 1000, 0.997],
    ['η = 2/3 + 1/1000: ratio → 1.003 (diverges)', 2 / 3 + 1 / 1000, 1.003],
  ] as const) {
    const meas = measureAsymptoticRatio(toNumberMatrix(A2), toNumberMatrix(S2), etaF);
    const tol = rho * (1 - Math.sqrt(1 - meas.bound)) + eigenRelTol(4, 1) * (1 + 3 * etaF);
    checks.push(tolCheck(`float64 GD at ${label}`, 'float64', Math.abs(meas.ratio - rho), tol, `ratio ${meas.ratio}, K = ${meas.steps}, B_K = ${meas.bound.toExponential(2)}`));
  }
  return checks;
}

/** THM-3 as a registered claim. */
export const thm3Claim: Claim<Thm3Case> = {
  id: 'THM-3',
  statement:
    'For L_T = ½wᵀAw − wᵀ(b + Bλ), A ≻ 0, the Δ-STN fixed point is w₀ = w*(λ₀), Θ = J* = A⁻¹B for every Σ ≻ 0; gradient descent on Θ converges iff 0 < η < 2/λ_max(Σ⊗A), at rate max_i |1 − ηλ_i(Σ⊗A)| (our wording, spec §0.1 [R]).',
  assumptions: ['A symmetric positive definite (m×m), B m×h, b ∈ ℝ^m', 'ε ∼ N(0, Σ) with Σ ≻ 0 (full covariance allowed), E[ε] = 0', 'exact minimisation in the general and response steps; η > 0 for the gradient-descent statement'],
  spec: 'spec §0.1 THM-3, §2.4 S1, §3.2, §6 PT-5',
  proof: 'proofs/THM-3.md',
  arbitrary: thm3Arbitrary,
  check: checkThm3,
  referenceChecks: referenceChecksThm3,
};

// ---------------------------------------------------------------------------------------------------------
// Small exact helpers
// ---------------------------------------------------------------------------------------------------------

function isParsed(x: QuadraticInnerInput | QuadraticInner): x is QuadraticInner {
  return typeof (x as QuadraticInner).m === 'number' && typeof (x as QuadraticInner).h === 'number';
}

function isPositive(x: Rational): boolean {
  return x.n !== 0n && x.s > 0n;
}

function maxQ(a: Rational, b: Rational): Rational {
  return a.compare(b) >= 0 ? a : b;
}

function minQ(a: Rational, b: Rational): Rational {
  return a.compare(b) <= 0 ? a : b;
}


function subMat(a: RationalMatrix, b: RationalMatrix): RationalMatrix {
  return a.map((row, i) => row.map((x, j) => x.sub(b[i][j])));
}

function equalVec(a: readonly Rational[], b: readonly Rational[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]));
}
