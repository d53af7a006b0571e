/**
 * THM-3: on a quadratic inner problem the Δ-STN fixed point is the exact best response and its Jacobian,
 * for every perturbation covariance Σ ≻ 0, and gradient descent on the response converges iff
 * 0 < η < 2/λ_max(Σ ⊗ A), at rate max_i |1 − η λ_i(Σ ⊗ A)|.
 *
 * @remarks
 * The statement's wording is the project's, reconstructed (docs/math.md#s0-1 row THM-3, tagged [R]); the paper's
 * Theorem 3 text was not available. Proof and the map from proof steps to checks: `proofs/THM-3.md`.
 *
 * Inner objective (docs/math.md#s2-4 S1): L_T(λ, w) = ½ wᵀ A w − wᵀ (b + B λ), A ≻ 0 (m×m), B (m×h), b ∈ ℚ^m.
 * Δ-STN (docs/math.md#s3-2): general step w₀ = argmin_w L_T(λ₀, w); response step
 * Θ = argmin_Θ E_{ε∼N(0,Σ)} L_T(λ₀ + ε, w₀ + Θ ε). Everything is exact rational arithmetic except the float64
 * rate and the float64 gradient-descent run that checks it.
 */
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../errors.js';
import { ONE, ZERO, invQ, isSymmetricQ, kronQ, math, matVecQ, multiplyQ, rational, rationalMatrix, rationalVector, solveQ, toNumber, toNumberMatrix, toRationalString, unvecQ, type Rational, type RationalLike, type RationalMatrix, addVecQ, subVecQ, dotQ } from '../../linalg/exact.js';
import { certifiedEigenvalue, inertia, type CertifiedInterval } from '../../linalg/inertia.js';
import { gaussianMomentRule } from '../../linalg/cubature.js';
import { symmetricEigen, symmetricEigenvalues } from '../../linalg/dense.js';

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

export const shape = (a: RationalMatrix): string => `${a.length}×${a[0].length}`;

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

/**
 * Best response and best-response Jacobian of L_T(λ, w) = ½ wᵀAw − wᵀ(b + Bλ).
 *
 * @remarks
 * ∇_w L_T = Aw − b − Bλ = 0 gives w*(λ) = A⁻¹(b + Bλ), affine in λ, so J* = A⁻¹B for every λ
 * (docs/math.md#s1-2 IFT with ∇²_w L_T = A, ∇²_{wλ} L_T = −B; spec #s2-4 S1). `A` is A (m×m, symmetric positive
 * definite), `B` is B (m×h), `b` is b, `lambda0` is λ₀. Exact when the entries are rational (numbers are
 * taken as the exact dyadic rational they denote; pass "1/10" for one tenth).
 *
 * @throws the errors of {@link parseQuadraticInner}.
 * @see docs/math.md#s2-4 S1, #s0-1 THM-3; proofs/THM-3.md
 */
export function bestResponse(input: QuadraticInnerInput | QuadraticInner): BestResponse {
  const q = isParsed(input) ? input : parseQuadraticInner(input);
  const Ainv = invQ(q.A, 'A');
  const rhs = addVecQ(q.b, matVecQ(q.B, q.lambda0));
  return { w: matVecQ(Ainv, rhs), J: multiplyQ(Ainv, q.B) };
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
 * @see docs/math.md#s3-2, #s2-4 S1, #pt-5; proofs/THM-3.md steps 1–3
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
 * @see docs/math.md#s0-1 THM-3; proofs/THM-3.md steps 5–6
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
export function eigenInterval(S: RationalMatrix): { min: CertifiedInterval; max: CertifiedInterval } {
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
export function contractionInterval(eta: Rational, lambdaMin: CertifiedInterval, lambdaMax: CertifiedInterval): CertifiedInterval {
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
export function scaleToUnit(x: Float64Array): number {
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

export function isParsed(x: QuadraticInnerInput | QuadraticInner): x is QuadraticInner {
  return typeof (x as QuadraticInner).m === 'number' && typeof (x as QuadraticInner).h === 'number';
}

export function isPositive(x: Rational): boolean {
  return x.n !== 0n && x.s > 0n;
}

export function maxQ(a: Rational, b: Rational): Rational {
  return a.compare(b) >= 0 ? a : b;
}

export function minQ(a: Rational, b: Rational): Rational {
  return a.compare(b) <= 0 ? a : b;
}
