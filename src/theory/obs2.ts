/**
 * OBS-2: how an outer (hyperparameter) step interacts with the inner problem, uncentered vs centered.
 *
 * @remarks
 * The statement and its wording are the project's own (spec §0.1 row OBS-2, "new; derive in proofs/"); no
 * text of the paper's Observation 2 was available, only Review 1's pointer to "the interactions between the
 * inner and outer optimization problems and their effect on uncentered parameterizations". Proof:
 * `proofs/OBS-2.md`.
 *
 * Uncentered hypernetwork ŵ_u(λ) = w₀ + Θλ. At the current λ the weights are w = ŵ_u(λ). The outer step
 * Δλ = −α Θᵀ∇_w L_V(w) moves them to ŵ_u(λ + Δλ) = w + ΘΔλ, so the training loss held at the pre-step λ
 * changes by −α ∇_w L_Tᵀ ΘΘᵀ ∇_w L_V + O(α²). Centered: ŵ_c(λ) = w₀ + Θ(λ − λ_c) with the centre λ_c moved
 * to the new λ, so the weights at the new centre are exactly w₀ — the outer step does not touch them.
 * Sign rule: the first-order change is a decrease iff ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0. The raw ⟨∇L_T, ∇L_V⟩ has that sign for
 * every pair of gradients iff ΘΘᵀ = cI with c > 0 (possible only for h ≥ m; for m = 1 iff Θ ≠ 0). Late in training
 * (∇L_T = 0, Θ = J* = A⁻¹B) the uncentered step raises L_T at the pre-step λ by ½α²dᵀAd but lowers it, against the
 * centered weights, by the same amount at the new λ (docs/math.md#obs-2).
 *
 * Two settings: a quadratic one in exact rational arithmetic, where every loss change is a polynomial of
 * degree ≤ 2 in α and all statements are checked as identities; and L2-regularised logistic regression in
 * float64, checked against central finite differences.
 */
import fc from 'fast-check';
import { DeltaStnError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../errors.js';
import { ZERO, cayleyTransformQ, isSymmetricQ, math, matVecQ, multiplyQ, rational, rationalMatrix, rationalVector, solveQ, solveVecQ, toRationalString, transposeQ, type Rational, type RationalLike, type RationalMatrix, addVecQ, subVecQ, dotQ } from '../linalg/exact.js';
import { inertia } from '../linalg/inertia.js';
import { dot, norm2 } from '../linalg/dense.js';
import { Rng } from '../rng.js';
import { FINITE_DIFFERENCE_REL_TOL, finiteDifferenceStep } from '../tolerance.js';
import { exactCheck, tolCheck, type Check, type Claim } from './claim.js';
import { dimsArb, lambdaArb, rationalArb, rationalMatrixArb, rationalVectorArb, spdArb } from './generators.js';
import { parseQuadraticInner, quadraticTrainGrad, quadraticTrainLoss, type QuadraticInner, type RationalMatrixInput } from './thm3.js';

// ---------------------------------------------------------------------------------------------------------
// The exact quadratic setting
// ---------------------------------------------------------------------------------------------------------

/** Input of the quadratic OBS-2 setting (numbers or rational strings). */
export interface Obs2QuadraticInput {
  /** Training objective L_T(λ, w) = ½ wᵀAw − wᵀ(b + Bλ): A (m×m, SPD), B (m×h), b (m). */
  A: RationalMatrixInput;
  B: RationalMatrixInput;
  b: readonly RationalLike[];
  /** Validation objective L_V(w) = ½ (w − v)ᵀ C (w − v): C (m×m, symmetric positive definite), v (m). */
  C: RationalMatrixInput;
  v: readonly RationalLike[];
  /** w₀ of the uncentered hypernetwork ŵ_u(λ) = w₀ + Θλ (length m). */
  general: readonly RationalLike[];
  /** Θ (m×h). */
  response: RationalMatrixInput;
  /** The current hyperparameters λ (length h). */
  lambda: readonly RationalLike[];
}

/** {@link Obs2QuadraticInput} parsed and validated. `inner.lambda0` holds the current λ. */
export interface Obs2Quadratic {
  inner: QuadraticInner;
  C: RationalMatrix;
  v: Rational[];
  general: Rational[];
  response: RationalMatrix;
}

/**
 * Parses and validates the quadratic setting.
 * @throws the errors of `parseQuadraticInner` (naming `A`, `B`, `b`, `lambda`), and
 * ShapeMismatchError / NotSymmetricError / NotPositiveDefiniteError naming `C`, `v`, `general`, `response`.
 */
export function parseObs2Quadratic(input: Obs2QuadraticInput): Obs2Quadratic {
  let inner: QuadraticInner;
  try {
    inner = parseQuadraticInner({ A: input.A, B: input.B, b: input.b, lambda0: input.lambda });
  } catch (e) {
    // The shared parser names the hyperparameters `lambda0`; here the field is `lambda`.
    if (e instanceof DeltaStnError && e.argument.startsWith('lambda0')) throw renamed(e, e.argument.replace('lambda0', 'lambda'));
    throw e;
  }
  const { m, h } = inner;
  const C = rationalMatrix(input.C, 'C');
  if (C.length !== m || C[0].length !== m) throw new ShapeMismatchError('C', `${m}×${m}`, `${C.length}×${C[0].length}`);
  if (!isSymmetricQ(C)) throw new NotSymmetricError('C', 'C must equal Cᵀ exactly');
  if (inertia(C, 'C').positive !== m) throw new NotPositiveDefiniteError('C');
  const v = rationalVector(input.v, 'v');
  if (v.length !== m) throw new ShapeMismatchError('v', `length ${m}`, `length ${v.length}`);
  const general = rationalVector(input.general, 'general');
  if (general.length !== m) throw new ShapeMismatchError('general', `length ${m}`, `length ${general.length}`);
  const response = rationalMatrix(input.response, 'response');
  if (response.length !== m || response[0].length !== h) throw new ShapeMismatchError('response', `${m}×${h}`, `${response.length}×${response[0].length}`);
  return { inner, C, v, general, response };
}

/** The same error class and message, naming `argument` instead. */
function renamed(e: DeltaStnError, argument: string): DeltaStnError {
  const out = Object.create(Object.getPrototypeOf(e) as object) as DeltaStnError;
  const message = argument + e.message.slice(e.argument.length);
  Object.assign(out, { name: e.name, message, argument, stack: e.stack });
  return out;
}

/** L_V(w) = ½ (w − v)ᵀ C (w − v). */
export function quadraticValLoss(p: Obs2Quadratic, w: readonly Rational[]): Rational {
  const r = subVecQ(w, p.v);
  return dotQ(r, matVecQ(p.C, r)).div(2);
}

/** ∇_w L_V(w) = C (w − v). */
export function quadraticValGrad(p: Obs2Quadratic, w: readonly Rational[]): Rational[] {
  return matVecQ(p.C, subVecQ(w, p.v));
}

/** ∂_λ L_T(λ, w) = −Bᵀ w for the quadratic training objective. */
export function quadraticLambdaGrad(q: QuadraticInner, w: readonly Rational[]): Rational[] {
  return q.B[0].map((_, k) => q.B.reduce((s, row, i) => s.sub(row[k].mul(w[i])), ZERO));
}

/** Uncentered hypernetwork ŵ_u(λ) = w₀ + Θλ (`general` = w₀, `response` = Θ). */
export function uncenteredWeights(general: readonly Rational[], response: RationalMatrix, lambda: readonly Rational[]): Rational[] {
  return addVecQ(general, matVecQ(response, lambda));
}

/** Centered hypernetwork ŵ_c(λ) = w₀ + Θ(λ − λ_c) with centre λ_c = `centre`. */
export function centeredWeights(general: readonly Rational[], response: RationalMatrix, lambda: readonly Rational[], centre: readonly Rational[]): Rational[] {
  return addVecQ(general, matVecQ(response, subVecQ(lambda, centre)));
}

/**
 * The outer step Δλ = −α Θᵀ ∇_w L_V (the hypergradient through the hypernetwork, no direct term; spec §3.4).
 * `response` is Θ (m×h), `valGrad` is ∇_w L_V at the weights used at the current λ, `alpha` is α.
 */
export function outerStep(response: RationalMatrix, valGrad: readonly Rational[], alpha: Rational): Rational[] {
  return response[0].map((_, k) => response.reduce((s, row, i) => s.add(row[k].mul(valGrad[i])), ZERO).mul(alpha).neg());
}

/** The three exact training-loss changes after an outer step of size α (all relative to L_T(λ, w)). */
export interface LossChanges {
  /** Uncentered, L_T held at the pre-step λ: L_T(λ, w + ΘΔλ) − L_T(λ, w). */
  held: Rational;
  /** Uncentered, at the new λ: L_T(λ + Δλ, w + ΘΔλ) − L_T(λ, w). */
  uncentered: Rational;
  /** Centered (centre moved to λ + Δλ), at the new λ: L_T(λ + Δλ, ŵ_c(λ + Δλ)) − L_T(λ, w). */
  centered: Rational;
  /** The weights the centered hypernetwork uses at the new λ (THM: exactly w₀ = w). */
  centeredWeights: Rational[];
  /** The weights the uncentered hypernetwork uses at the new λ. */
  uncenteredWeights: Rational[];
}

/**
 * Exact loss changes after one outer step Δλ = −αΘᵀ∇L_V, for both parameterizations.
 *
 * @remarks
 * The two hypernetworks are set up to agree at the current λ: the uncentered one is ŵ_u(λ) = w₀ + Θλ and
 * the centered one has general parameters w := ŵ_u(λ) and centre λ. Both take the same outer step, since
 * their hypergradients Θᵀ∇L_V(w) are the same (checked by {@link hypergradientByDifferences}). After it the
 * centered hypernetwork's centre moves to λ + Δλ (Δ-STN re-centres at the current hyperparameter).
 * @see proofs/OBS-2.md steps 1–5
 */
export function lossChanges(p: Obs2Quadratic, alpha: Rational): LossChanges {
  const q = p.inner;
  const lambda = q.lambda0;
  const w = uncenteredWeights(p.general, p.response, lambda);
  const dLambda = outerStep(p.response, quadraticValGrad(p, w), alpha);
  const newLambda = addVecQ(lambda, dLambda);
  const wU = uncenteredWeights(p.general, p.response, newLambda);
  const newCentre = newLambda;
  const wC = centeredWeights(w, p.response, newLambda, newCentre);
  const before = quadraticTrainLoss(q, lambda, w);
  return {
    held: quadraticTrainLoss(q, lambda, wU).sub(before),
    uncentered: quadraticTrainLoss(q, newLambda, wU).sub(before),
    centered: quadraticTrainLoss(q, newLambda, wC).sub(before),
    centeredWeights: wC,
    uncenteredWeights: wU,
  };
}

/** Only the held change L_T(λ, ŵ_u(λ + Δλ)) − L_T(λ, ŵ_u(λ)) of {@link lossChanges} (cheaper). */
export function heldChange(p: Obs2Quadratic, alpha: Rational): Rational {
  const q = p.inner;
  const w = uncenteredWeights(p.general, p.response, q.lambda0);
  const wU = addVecQ(w, matVecQ(p.response, outerStep(p.response, quadraticValGrad(p, w), alpha)));
  return quadraticTrainLoss(q, q.lambda0, wU).sub(quadraticTrainLoss(q, q.lambda0, w));
}

/** The first-order quantities of OBS-2 at the current λ (exact). */
export interface Obs2Prediction {
  /** w = ŵ_u(λ). */
  weights: Rational[];
  /** ∇_w L_T(λ, w). */
  trainGrad: Rational[];
  /** ∇_w L_V(w). */
  valGrad: Rational[];
  /** ∂_λ L_T(λ, w). */
  lambdaGrad: Rational[];
  /** Θᵀ∇L_T and Θᵀ∇L_V. */
  projectedTrainGrad: Rational[];
  projectedValGrad: Rational[];
  /** ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ = ∇L_Tᵀ ΘΘᵀ ∇L_V: its sign decides helpful (> 0) vs harmful (< 0). */
  projectedAlignment: Rational;
  /** ⟨∇L_T, ∇L_V⟩ (raw alignment; not a reliable sign). */
  rawAlignment: Rational;
  /** −∇L_Tᵀ ΘΘᵀ ∇L_V: d/dα of the held change, and of uncentered − centered at the new λ. */
  heldSlope: Rational;
  /** −∂_λL_Tᵀ Θᵀ∇L_V: what both parameterizations gain from evaluating L_T at the new λ. */
  lambdaSlope: Rational;
  /** ½ dᵀAd with d = ΘΘᵀ∇L_V: the α² coefficient of the held change. */
  heldCurvature: Rational;
  /**
   * ½ dᵀAd − dᵀBΘᵀ∇L_V: the α² coefficient of uncentered − centered at the new λ (exact for the quadratic).
   * With ∇L_T = 0 and Θ = J* = A⁻¹B it is −½ dᵀAd (proofs/OBS-2.md, statement 6).
   */
  newLambdaCurvature: Rational;
}

/**
 * The predicted first-order coefficients (proofs/OBS-2.md, steps 2–4).
 *
 * @remarks
 * With g_T = ∇_w L_T(λ, w), g_V = ∇_w L_V(w), d = ΘΘᵀg_V:
 * held change = −α g_Tᵀd + ½α² dᵀAd; at the new λ both parameterizations add −α ∂_λL_Tᵀ Θᵀg_V (exactly,
 * for the quadratic L_T, since L_T is linear in λ), and uncentered − centered = −α g_Tᵀd + α²(½dᵀAd − dᵀBΘᵀg_V).
 */
export function obs2Prediction(p: Obs2Quadratic): Obs2Prediction {
  const q = p.inner;
  const w = uncenteredWeights(p.general, p.response, q.lambda0);
  const gT = quadraticTrainGrad(q, q.lambda0, w);
  const gV = quadraticValGrad(p, w);
  const gL = quadraticLambdaGrad(q, w);
  const pT = transposeTimes(p.response, gT);
  const pV = transposeTimes(p.response, gV);
  const projectedAlignment = dotQ(pT, pV);
  const d = matVecQ(p.response, pV);
  return {
    weights: w,
    trainGrad: gT,
    valGrad: gV,
    lambdaGrad: gL,
    projectedTrainGrad: pT,
    projectedValGrad: pV,
    projectedAlignment,
    rawAlignment: dotQ(gT, gV),
    heldSlope: projectedAlignment.neg(),
    lambdaSlope: dotQ(gL, pV).neg(),
    heldCurvature: dotQ(d, matVecQ(q.A, d)).div(2),
    newLambdaCurvature: dotQ(d, matVecQ(q.A, d)).div(2).sub(dotQ(d, matVecQ(q.B, pV))),
  };
}

/** Coefficients of c₀ + c₁α + c₂α² interpolated exactly at α ∈ {1, 2, 3}, and its misfit at α = 0 and α = 4. */
export interface QuadraticFit {
  c0: Rational;
  c1: Rational;
  c2: Rational;
  /** f(4) − (c₀ + 4c₁ + 16c₂): zero iff the degree-2 fit also passes through α = 4. */
  residualAt4: Rational;
  /** f(0) − c₀. */
  residualAt0: Rational;
}

/**
 * Exact quadratic interpolation of α ↦ f(α) through α = 1, 2, 3 (Newton form), checked at α = 0 and 4.
 * A function that is a polynomial of degree ≤ 2 has both residuals exactly 0; one of degree 3 or 4 cannot
 * pass both (f minus the fit vanishes at 1, 2, 3, and a non-zero polynomial of degree ≤ 4 with 5 roots
 * does not exist).
 * @param f the function, or its values [f(0), f(1), f(2), f(3), f(4)].
 */
export function fitQuadratic(f: ((alpha: Rational) => Rational) | readonly Rational[]): QuadraticFit {
  const [f0, f1, f2, f3, f4] = typeof f === 'function' ? [0, 1, 2, 3, 4].map((a) => f(math.fraction(a))) : f;
  const c2 = f3.sub(f2.mul(2)).add(f1).div(2);
  const c1 = f2.sub(f1).sub(c2.mul(3));
  const c0 = f1.sub(c1).sub(c2);
  return { c0, c1, c2, residualAt4: f4.sub(c0.add(c1.mul(4)).add(c2.mul(16))), residualAt0: f0.sub(c0) };
}

/** {@link lossChanges} at α = 0, 1, 2, 3, 4 (the interpolation and confirmation points). */
export function lossChangeTable(p: Obs2Quadratic): LossChanges[] {
  return [0, 1, 2, 3, 4].map((a) => lossChanges(p, math.fraction(a)));
}

/**
 * d/dλ_k L_V(ŵ(λ)) for an affine hypernetwork, exactly, by the central difference with step 1
 * (exact because t ↦ L_V(ŵ(λ + t e_k)) is a quadratic polynomial). `weightsAt` is the hypernetwork.
 */
export function hypergradientByDifferences(p: Obs2Quadratic, weightsAt: (lambda: readonly Rational[]) => Rational[]): Rational[] {
  const lambda = p.inner.lambda0;
  return lambda.map((_, k) => {
    const plus = lambda.map((x, j) => (j === k ? x.add(1) : x));
    const minus = lambda.map((x, j) => (j === k ? x.sub(1) : x));
    return quadraticValLoss(p, weightsAt(plus)).sub(quadraticValLoss(p, weightsAt(minus))).div(2);
  });
}

/** −1, 0 or 1. */
function sgn(x: Rational): number {
  return x.n === 0n ? 0 : x.s > 0n ? 1 : -1;
}

/** What the raw alignment ⟨∇L_T, ∇L_V⟩ would predict, read as a sign rule. */
function rawVerdict(rawAlignment: Rational): Obs2Verdict {
  const s = sgn(rawAlignment);
  return s > 0 ? 'helpful' : s < 0 ? 'harmful' : 'neutral';
}

/** Verdict of the first-order sign rule on the held training loss. */
export type Obs2Verdict = 'helpful' | 'harmful' | 'neutral';

/** Sign rule: helpful iff ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0, harmful iff < 0 (first order in α). */
export function signRule(projectedAlignment: Rational): Obs2Verdict {
  const s = sgn(projectedAlignment);
  return s > 0 ? 'helpful' : s < 0 ? 'harmful' : 'neutral';
}

/**
 * What the held training loss actually does for a small step: the sign of the exact change at
 * α_s = |c₁|/(2|c₂|) (or α_s = 1 when c₂ = 0), where the linear term dominates (|c₂α_s| = |c₁|/2).
 * Returns 'neutral' when c₁ = 0.
 */
export function actualSmallStepVerdict(p: Obs2Quadratic, heldFit?: QuadraticFit): { verdict: Obs2Verdict; alpha: Rational } {
  const fit = heldFit ?? fitQuadratic((a) => heldChange(p, a));
  if (fit.c1.n === 0n) return { verdict: 'neutral', alpha: ZERO };
  const alpha = fit.c2.n === 0n ? math.fraction(1) : fit.c1.abs().div(fit.c2.abs().mul(2));
  const change = heldChange(p, alpha);
  return { verdict: sgn(change) < 0 ? 'helpful' : sgn(change) > 0 ? 'harmful' : 'neutral', alpha };
}

// ---------------------------------------------------------------------------------------------------------
// When raw alignment decides the sign, and late training (proofs/OBS-2.md, statements 5 and 6)
// ---------------------------------------------------------------------------------------------------------

/** P = ΘΘᵀ (m×m) for Θ = `response` (m×h). */
export function responseGram(response: RationalMatrix): RationalMatrix {
  return multiplyQ(response, transposeQ(response));
}

/** Result of {@link isotropicResponse}. */
export interface IsotropyTest {
  /** ΘΘᵀ = cI with c > 0, exactly. */
  isotropic: boolean;
  /** The common diagonal entry c of ΘΘᵀ when isotropic, else 0. */
  c: Rational;
}

/**
 * Whether ΘΘᵀ = cI for some c > 0 (Θ = `response`, m×h), decided exactly. Then ⟨Θᵀg_T, Θᵀg_V⟩ = c⟨g_T, g_V⟩ for
 * every pair of gradients, so the raw alignment decides the sign rule. It needs rank Θ = m, hence h ≥ m; for m = 1 it
 * means Θ ≠ 0 (docs/math.md#obs-2).
 */
export function isotropicResponse(response: RationalMatrix): IsotropyTest {
  const p = responseGram(response);
  const c = p[0][0];
  const isotropic = c.s > 0n && c.n !== 0n && p.every((row, i) => row.every((x, j) => x.equals(i === j ? c : ZERO)));
  return { isotropic, c: isotropic ? c : ZERO };
}

/** A pair of gradients (g_T, g_V) ∈ ℚ^m × ℚ^m. */
export interface GradientPair {
  trainGrad: Rational[];
  valGrad: Rational[];
}

/**
 * A rational pair (g_T, g_V) on which the raw alignment ⟨g_T, g_V⟩ and the projected one g_TᵀPg_V, P = ΘΘᵀ
 * (Θ = `response`), have different signs; `null` exactly when P = cI with c > 0 (see {@link isotropicResponse}).
 *
 * @remarks
 * Construction (proofs/OBS-2.md, step 5), e_i the unit vectors:
 * - P = 0: g_T = g_V = e₁ (raw 1, projected 0);
 * - some P_ij ≠ 0, i ≠ j, s = sign P_ij, δ = |P_ij|/(2P_ii) (P_ii > 0 as P ⪰ 0): g_T = e_i, g_V = e_j − sδe_i
 *   (raw −sδ, projected s|P_ij|/2);
 * - P diagonal with P_ii > P_jj ≥ 0, a = (1 + P_jj/P_ii)/2 ∈ [½, 1): g_T = e_i + e_j, g_V = −a e_i + e_j
 *   (raw 1 − a > 0, projected (P_jj − P_ii)/2 < 0).
 */
export function misleadingGradients(response: RationalMatrix): GradientPair | null {
  const p = responseGram(response);
  const m = p.length;
  const unit = (i: number, c: Rational = math.fraction(1)): Rational[] => p.map((_, k) => (k === i ? c : ZERO));
  const add = (x: Rational[], y: Rational[]): Rational[] => x.map((v, k) => v.add(y[k]));
  if (p.every((row) => row.every((x) => x.n === 0n))) return { trainGrad: unit(0), valGrad: unit(0) };
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i === j || p[i][j].n === 0n) continue;
      const s = p[i][j].s > 0n ? 1 : -1;
      const delta = p[i][j].abs().div(p[i][i].mul(2));
      return { trainGrad: unit(i), valGrad: add(unit(j), unit(i, delta.mul(-s))) };
    }
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (p[i][i].compare(p[j][j]) <= 0) continue;
      const a = p[j][j].div(p[i][i]).add(1).div(2);
      return { trainGrad: add(unit(i), unit(j)), valGrad: add(unit(i, a.neg()), unit(j)) };
    }
  }
  return null;
}

/**
 * The same quadratic setting with b and v replaced so that, at w = ŵ_u(λ), ∇_w L_T(λ, w) = `trainGrad` and
 * ∇_w L_V(w) = `valGrad`: b = Aw − Bλ − g_T and v = w − C⁻¹g_V. Every pair of gradients is realised this way.
 * @throws ShapeMismatchError naming `trainGrad` or `valGrad` when its length is not m.
 */
export function withGradients(p: Obs2Quadratic, trainGrad: readonly Rational[], valGrad: readonly Rational[]): Obs2Quadratic {
  const q = p.inner;
  if (trainGrad.length !== q.m) throw new ShapeMismatchError('trainGrad', `length ${q.m}`, `length ${trainGrad.length}`);
  if (valGrad.length !== q.m) throw new ShapeMismatchError('valGrad', `length ${q.m}`, `length ${valGrad.length}`);
  const w = uncenteredWeights(p.general, p.response, q.lambda0);
  const b = subVecQ(subVecQ(matVecQ(q.A, w), matVecQ(q.B, q.lambda0)), trainGrad);
  const v = subVecQ(w, solveVecQ(p.C, [...valGrad], 'C'));
  return { ...p, inner: { ...q, b }, v };
}

/** J* = A⁻¹B, the best-response Jacobian (of w*(λ) = A⁻¹(b + Bλ)) of the quadratic inner problem. */
export function bestResponseJacobian(q: QuadraticInner): RationalMatrix {
  return solveQ(q.A, q.B, 'A');
}

/**
 * Late training (proofs/OBS-2.md, statement 6): the setting `p` with the weights w = ŵ_u(λ) kept, b chosen so that
 * ∇_w L_T(λ, w) = 0 (w is the inner optimum at λ), and Θ = t·J* (`t`, default 1; J* = A⁻¹B), with w₀ = w − Θλ so
 * that the uncentered hypernetwork still returns w at λ.
 */
export function lateTrainingCase(p: Obs2Quadratic, t: RationalLike = 1): Obs2Quadratic {
  const q = p.inner;
  const scale = rational(t, 't');
  const w = uncenteredWeights(p.general, p.response, q.lambda0);
  const response = bestResponseJacobian(q).map((row) => row.map((x) => x.mul(scale)));
  const general = subVecQ(w, matVecQ(response, q.lambda0));
  const b = subVecQ(matVecQ(q.A, w), matVecQ(q.B, q.lambda0));
  return { ...p, inner: { ...q, b }, general, response };
}

// ---------------------------------------------------------------------------------------------------------
// The float64 setting: L2-regularised logistic regression
// ---------------------------------------------------------------------------------------------------------

/**
 * Logistic regression with per-group weight decay. Training: L_T(λ, w) = mean_i softplus(−y_i x_iᵀw)
 * + ½ Σ_j e^{λ_{g(j)}} w_j² (λ = log weight decay, coordinate j in group g(j) = j mod h). Validation:
 * L_V(w) = mean_i softplus(−y_i x_iᵀw), no regularizer (spec §1.2: no direct term).
 */
export interface LogisticProblem {
  Xtrain: number[][];
  ytrain: number[];
  Xval: number[][];
  yval: number[];
  h: number;
}

/** One float64 OBS-2 instance: the problem, the uncentered hypernetwork (w₀, Θ) and the current λ. */
export interface LogisticInstance {
  problem: LogisticProblem;
  general: number[];
  response: number[][];
  lambda: number[];
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function logisticData(X: number[][], y: number[], w: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < X.length; i++) s += softplus(-y[i] * dot(X[i], w));
  return s / X.length;
}

function logisticDataGrad(X: number[][], y: number[], w: readonly number[]): number[] {
  const g = new Array<number>(w.length).fill(0);
  for (let i = 0; i < X.length; i++) {
    const c = (-y[i] * sigmoid(-y[i] * dot(X[i], w))) / X.length;
    for (let j = 0; j < w.length; j++) g[j] += c * X[i][j];
  }
  return g;
}

/** L_T(λ, w) of {@link LogisticProblem}. */
export function logisticTrainLoss(p: LogisticProblem, lambda: readonly number[], w: readonly number[]): number {
  let r = 0;
  for (let j = 0; j < w.length; j++) r += 0.5 * Math.exp(lambda[j % p.h]) * w[j] * w[j];
  return logisticData(p.Xtrain, p.ytrain, w) + r;
}

/** ∇_w L_T(λ, w). */
export function logisticTrainGrad(p: LogisticProblem, lambda: readonly number[], w: readonly number[]): number[] {
  return logisticDataGrad(p.Xtrain, p.ytrain, w).map((g, j) => g + Math.exp(lambda[j % p.h]) * w[j]);
}

/** ∂_λ L_T(λ, w): ½ e^{λ_k} Σ_{j: g(j) = k} w_j². */
export function logisticLambdaGrad(p: LogisticProblem, lambda: readonly number[], w: readonly number[]): number[] {
  const g = new Array<number>(p.h).fill(0);
  for (let j = 0; j < w.length; j++) g[j % p.h] += 0.5 * Math.exp(lambda[j % p.h]) * w[j] * w[j];
  return g;
}

/** L_V(w). */
export function logisticValLoss(p: LogisticProblem, w: readonly number[]): number {
  return logisticData(p.Xval, p.yval, w);
}

/** ∇_w L_V(w). */
export function logisticValGrad(p: LogisticProblem, w: readonly number[]): number[] {
  return logisticDataGrad(p.Xval, p.yval, w);
}

/**
 * A random logistic instance from a seed: m features, h ≤ m weight-decay groups, 12 training and 8
 * validation points (labels from a random teacher with label noise), w₀ and Θ standard normal (×1.5),
 * λ uniform on [−2, 1].
 */
export function logisticInstance(seed: number, m: number, h: number): LogisticInstance {
  const rng = new Rng(seed);
  const hh = Math.max(1, Math.min(h, m));
  const teacher = Array.from({ length: m }, () => rng.normal());
  const sample = (n: number): [number[][], number[]] => {
    const X = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.normal()));
    const y = X.map((x) => (dot(x, teacher) + 0.7 * rng.normal() >= 0 ? 1 : -1));
    return [X, y];
  };
  const [Xtrain, ytrain] = sample(12);
  const [Xval, yval] = sample(8);
  return {
    problem: { Xtrain, ytrain, Xval, yval, h: hh },
    general: Array.from({ length: m }, () => 1.5 * rng.normal()),
    response: Array.from({ length: m }, () => Array.from({ length: hh }, () => 1.5 * rng.normal())),
    lambda: Array.from({ length: hh }, () => -2 + 3 * rng.uniform()),
  };
}

/** Central-difference estimates against the first-order formulas, for one logistic instance. */
export interface LogisticObs2 {
  /** Formula −g_Tᵀ ΘΘᵀ g_V and its central difference, held at the pre-step λ. */
  heldFormula: number;
  heldDifference: number;
  /** Floor of the relative error for the held change: |L_T|·‖ΘΘᵀg_V‖/max(1, ‖w‖) (see {@link logisticObs2}). */
  heldScale: number;
  /** Central difference of uncentered − centered at the new λ (formula: heldFormula), and its floor. */
  newLambdaDifference: number;
  newLambdaScale: number;
  /** Formula −∂_λL_Tᵀ Θᵀg_V and the central difference of the centered change at the new λ, and its floor. */
  centeredFormula: number;
  centeredDifference: number;
  centeredScale: number;
  /** ⟨Θᵀg_T, Θᵀg_V⟩ and ⟨g_T, g_V⟩. */
  projectedAlignment: number;
  rawAlignment: number;
}

/**
 * OBS-2 on a logistic instance in float64.
 *
 * @remarks
 * φ(α) = L_T(λ, w + ΘΔλ(α)), ψ(α) = L_T(λ+Δλ, w+ΘΔλ) − L_T(λ+Δλ, w), χ(α) = L_T(λ+Δλ, w), Δλ(α) = −αΘᵀg_V.
 * Their central differences [f(α_h) − f(−α_h)]/(2α_h) estimate f′(0). The step α_h is chosen so that the
 * variable that moves changes by the policy's step (`finiteDifferenceStep`): α_h = √ε·max(1, ‖w‖)/‖ΘΘᵀg_V‖
 * for φ (the weights move by α‖ΘΘᵀg_V‖), α_h = √ε·max(1, ‖λ‖)/‖Θᵀg_V‖ for χ (λ moves), and the smaller of
 * the two for ψ (both move).
 *
 * Error floors. Rounding each loss to ε|L_T| costs ε|L_T|/α_h in the difference quotient, i.e.
 * √ε·|L_T|·‖ΘΘᵀg_V‖/max(1, ‖w‖) for φ. So the natural size of these derivatives, against which the policy's
 * relative 1e-6 is measured when the derivative itself is small, is |L_T|·‖ΘΘᵀg_V‖/max(1, ‖w‖) for φ
 * (`heldScale`), |L_T|·‖Θᵀg_V‖/max(1, ‖λ‖) for χ (`centeredScale`) and the larger of the two for ψ. Rounding
 * is then ≈ 1.5e-8 of the floor and truncation (α_h²) ≈ 1e-16: both far inside 1e-6.
 */
export function logisticObs2(inst: LogisticInstance): LogisticObs2 {
  const { problem: p, general, response: T, lambda } = inst;
  const h = p.h;
  const w = general.map((x, i) => x + dot(T[i], lambda));
  const gT = logisticTrainGrad(p, lambda, w);
  const gV = logisticValGrad(p, w);
  const gL = logisticLambdaGrad(p, lambda, w);
  const pV = Array.from({ length: h }, (_, k) => T.reduce((s, row, i) => s + row[k] * gV[i], 0));
  const pT = Array.from({ length: h }, (_, k) => T.reduce((s, row, i) => s + row[k] * gT[i], 0));
  const d = T.map((row) => dot(row, pV));
  const step = (alpha: number): { lam: number[]; wU: number[]; wC: number[] } => {
    const dl = pV.map((x) => -alpha * x);
    const lam = lambda.map((x, k) => x + dl[k]);
    const wU = general.map((x, i) => x + dot(T[i], lam));
    // centered: general parameters w, centre moved to the new λ ⇒ offset λ − centre = 0
    const wC = w.map((x, i) => x + dot(T[i], lam.map((l, k) => l - lam[k])));
    return { lam, wU, wC };
  };
  const hW = finiteDifferenceStep(Math.max(1, norm2(w))) / Math.max(norm2(d), Number.MIN_VALUE);
  const hL = finiteDifferenceStep(Math.max(1, norm2(lambda))) / Math.max(norm2(pV), Number.MIN_VALUE);
  const central = (f: (a: number) => number, a: number): number => (f(a) - f(-a)) / (2 * a);
  const phi = (a: number): number => logisticTrainLoss(p, lambda, step(a).wU);
  const psi = (a: number): number => {
    const s = step(a);
    return logisticTrainLoss(p, s.lam, s.wU) - logisticTrainLoss(p, s.lam, s.wC);
  };
  const chi = (a: number): number => logisticTrainLoss(p, step(a).lam, w);
  const loss = Math.abs(logisticTrainLoss(p, lambda, w));
  const heldScale = (loss * norm2(d)) / Math.max(1, norm2(w));
  const centeredScale = (loss * norm2(pV)) / Math.max(1, norm2(lambda));
  return {
    heldFormula: -dot(pT, pV),
    heldDifference: central(phi, hW),
    heldScale,
    newLambdaDifference: central(psi, Math.min(hW, hL)),
    newLambdaScale: Math.max(heldScale, centeredScale),
    centeredFormula: -dot(gL, pV),
    centeredDifference: central(chi, hL),
    centeredScale,
    projectedAlignment: dot(pT, pV),
    rawAlignment: dot(gT, gV),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The claim
// ---------------------------------------------------------------------------------------------------------

/** One OBS-2 case: an exact quadratic setting and a seeded float64 logistic one. */
export interface Obs2Case {
  quadratic: Obs2Quadratic;
  logistic: { seed: number; m: number; h: number };
}

/** A case with dimensions from `dims` and Θ from `response(m, h)`; every other field drawn as in the generic branch. */
function obs2CaseArb(dims: fc.Arbitrary<{ h: number; m: number }>, response: (m: number, h: number) => fc.Arbitrary<RationalMatrix>): fc.Arbitrary<Obs2Case> {
  return dims.chain(({ h, m }) =>
    fc
      .record({
        A: spdArb(m, 1e4),
        B: rationalMatrixArb(m, h),
        b: rationalVectorArb(m, 10, 4),
        C: spdArb(m, 1e4),
        v: rationalVectorArb(m, 10, 4),
        general: rationalVectorArb(m, 10, 4),
        response: response(m, h),
        lambda: lambdaArb(h),
        seed: fc.integer(),
        logisticM: fc.integer({ min: 1, max: 4 }),
      })
      .map(
        (r): Obs2Case => ({
          quadratic: { inner: { A: r.A, B: r.B, b: r.b, lambda0: r.lambda, m, h }, C: r.C, v: r.v, general: r.general, response: r.response },
          logistic: { seed: r.seed, m: Math.max(m, r.logisticM), h },
        }),
      ),
  );
}

/**
 * The generic branch: Θ with small rational entries, (m, h) from `dimsArb`. The measured mislead rate
 * ({@link rawAlignmentMisleadRate}) is taken on this branch alone, so that the two edge branches below do not dilute it.
 */
export const obs2GenericArbitrary: fc.Arbitrary<Obs2Case> = obs2CaseArb(dimsArb, (m, h) => rationalMatrixArb(m, h));

/**
 * ΘΘᵀ = cI (h ≥ m): Θ = s·(the first m rows of a rational orthogonal Q), Q the Cayley transform of a random rational
 * skew-symmetric h×h matrix, s ≠ 0 rational; ΘΘᵀ = s²I. Raw alignment decides the sign here (statement 5).
 */
const isotropicDims = fc.integer({ min: 1, max: 3 }).chain((h) => fc.integer({ min: 1, max: h }).map((m) => ({ h, m })));
function isotropicResponseArb(m: number, h: number): fc.Arbitrary<RationalMatrix> {
  const upper = fc.array(rationalArb(6, 3), { minLength: (h * (h - 1)) / 2, maxLength: (h * (h - 1)) / 2 });
  return fc.tuple(upper, rationalArb(4, 3).filter((x) => x.n !== 0n)).map(([u, scale]) => {
    let k = 0;
    const skew: RationalMatrix = Array.from({ length: h }, () => new Array<Rational>(h).fill(ZERO));
    for (let i = 0; i < h; i++) {
      for (let j = i + 1; j < h; j++) {
        skew[i][j] = u[k];
        skew[j][i] = u[k].neg();
        k++;
      }
    }
    return cayleyTransformQ(skew).slice(0, m).map((row) => row.map((x) => x.mul(scale)));
  });
}

/** The claim's generator: the generic branch, ΘΘᵀ = cI (weight 1 in 10), and Θ = 0 (weight 1 in 10). */
const obs2Arbitrary: fc.Arbitrary<Obs2Case> = fc.oneof(
  { weight: 8, arbitrary: obs2GenericArbitrary },
  { weight: 1, arbitrary: obs2CaseArb(isotropicDims, isotropicResponseArb) },
  { weight: 1, arbitrary: obs2CaseArb(dimsArb, (m, h) => fc.constant(Array.from({ length: m }, () => new Array<Rational>(h).fill(ZERO)))) },
);

/** All OBS-2 checks on one case, one per proof step (proofs/OBS-2.md, "What the tests check"). */
export function checkObs2(c: Obs2Case): Check[] {
  const p = c.quadratic;
  const q = p.inner;
  const size = `m=${q.m}, h=${q.h}`;
  const checks: Check[] = [];
  const pred = obs2Prediction(p);
  const w = pred.weights;
  const fmt = (x: Rational): string => toRationalString(x);

  // Step 1: both parameterizations take the same outer step, Δλ = −αΘᵀ∇L_V.
  const hgU = hypergradientByDifferences(p, (lam) => uncenteredWeights(p.general, p.response, lam));
  const hgC = hypergradientByDifferences(p, (lam) => centeredWeights(w, p.response, lam, q.lambda0));
  checks.push(exactCheck('hypergradient d/dλ L_V(ŵ(λ)) = Θᵀ∇L_V, uncentered and centered alike', equalVec(hgU, pred.projectedValGrad) && equalVec(hgC, pred.projectedValGrad), size));

  // Step 1: the uncentered weights at the current λ move by exactly ΘΔλ.
  const table = lossChangeTable(p);
  const one = math.fraction(1);
  const dl1 = outerStep(p.response, pred.valGrad, one);
  checks.push(exactCheck('uncentered: weights used at λ move by ΘΔλ', equalVec(subVecQ(table[1].uncenteredWeights, w), matVecQ(p.response, dl1)), size));

  // Steps 2–3: held change is a degree-2 polynomial with slope −∇L_TᵀΘΘᵀ∇L_V and curvature ½dᵀAd.
  const held = fitQuadratic(table.map((x) => x.held));
  checks.push(exactCheck('held at pre-step λ: ΔL_T(α) has degree ≤ 2 (fit at 1,2,3; exact at 0 and 4)', held.residualAt4.n === 0n && held.residualAt0.n === 0n, `${size}; residuals ${fmt(held.residualAt0)}, ${fmt(held.residualAt4)}`));
  checks.push(exactCheck('held at pre-step λ: d/dα ΔL_T = −∇L_TᵀΘΘᵀ∇L_V', held.c1.equals(pred.heldSlope), `${size}; c₁ = ${fmt(held.c1)}, predicted ${fmt(pred.heldSlope)}`));
  checks.push(exactCheck('held at pre-step λ: α² coefficient = ½(ΘΘᵀ∇L_V)ᵀA(ΘΘᵀ∇L_V)', held.c2.equals(pred.heldCurvature), `${size}; c₂ = ${fmt(held.c2)}`));

  // Step 4: at the new λ both gain −∂_λL_TᵀΘᵀ∇L_V; uncentered − centered keeps −∇L_TᵀΘΘᵀ∇L_V.
  const unc = fitQuadratic(table.map((x) => x.uncentered));
  const cen = fitQuadratic(table.map((x) => x.centered));
  const diff = fitQuadratic(table.map((x) => x.uncentered.sub(x.centered)));
  checks.push(
    exactCheck(
      'at new λ: centered slope = −∂_λL_TᵀΘᵀ∇L_V, uncentered slope = that − ∇L_TᵀΘΘᵀ∇L_V',
      cen.c1.equals(pred.lambdaSlope) && unc.c1.equals(pred.lambdaSlope.add(pred.heldSlope)) && cen.residualAt4.n === 0n && unc.residualAt4.n === 0n,
      `${size}; centered c₁ = ${fmt(cen.c1)}, uncentered c₁ = ${fmt(unc.c1)}`,
    ),
  );
  checks.push(exactCheck('at new λ: uncentered − centered has slope −∇L_TᵀΘΘᵀ∇L_V', diff.c1.equals(pred.heldSlope) && diff.residualAt4.n === 0n && diff.c0.n === 0n, `${size}; c₁ = ${fmt(diff.c1)}`));
  checks.push(exactCheck('at new λ: α² coefficient of uncentered − centered = ½dᵀAd − dᵀBΘᵀ∇L_V', diff.c2.equals(pred.newLambdaCurvature), `${size}; c₂ = ${fmt(diff.c2)}, predicted ${fmt(pred.newLambdaCurvature)}`));
  // Statement 4 (the weights at the new centre are w₀) holds by construction, ŵ_c(λ') = w₀ + Θ(λ' − λ'), so it has no
  // check of its own; its consequence, the centered slope above, fails if the centre is kept at the old λ.

  // Step 5: sign rule against the actual change for a small step.
  const rule = signRule(pred.projectedAlignment);
  const actual = actualSmallStepVerdict(p, held);
  const raw = rawVerdict(pred.rawAlignment);
  checks.push(
    exactCheck(
      'sign rule: small outer step lowers L_T (at the pre-step λ) ⇔ ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0',
      rule === actual.verdict,
      `${size}; projected ${rule}, actual ${actual.verdict} at α = ${fmt(actual.alpha)}, raw alignment says ${raw}`,
    ),
  );

  // Step 5: raw alignment decides the sign for every gradient pair iff ΘΘᵀ = cI, c > 0; otherwise an explicit pair,
  // realised in this setting (b and v replaced), where the exact held change goes against the raw sign.
  const iso = isotropicResponse(p.response);
  if (iso.isotropic) {
    checks.push(
      exactCheck(
        'raw alignment decides the sign ⇔ ΘΘᵀ = cI, c > 0 (isotropic: projected = c·raw; else an exact counterexample)',
        pred.projectedAlignment.equals(iso.c.mul(pred.rawAlignment)) && misleadingGradients(p.response) === null,
        `${size}; ΘΘᵀ = ${fmt(iso.c)}·I, raw ${fmt(pred.rawAlignment)}, projected ${fmt(pred.projectedAlignment)}`,
      ),
    );
  } else {
    const pair = misleadingGradients(p.response);
    let ok = pair !== null;
    let detail = `${size}; ΘΘᵀ not a positive multiple of I, but no counterexample was built`;
    if (pair) {
      const wp = withGradients(p, pair.trainGrad, pair.valGrad);
      const wpred = obs2Prediction(wp);
      const wActual = actualSmallStepVerdict(wp).verdict;
      const wRaw = rawVerdict(wpred.rawAlignment);
      ok = equalVec(wpred.trainGrad, pair.trainGrad) && equalVec(wpred.valGrad, pair.valGrad) && wActual !== wRaw && wActual === signRule(wpred.projectedAlignment);
      detail = `${size}; ∇L_T = (${pair.trainGrad.map(fmt).join(', ')}), ∇L_V = (${pair.valGrad.map(fmt).join(', ')}): raw ${fmt(wpred.rawAlignment)} says ${wRaw}, exact change ${wActual}`;
    }
    checks.push(exactCheck('raw alignment decides the sign ⇔ ΘΘᵀ = cI, c > 0 (isotropic: projected = c·raw; else an exact counterexample)', ok, detail));
  }

  // Statement 6: late training (∇L_T = 0 at λ, Θ = J* = A⁻¹B). Held at the pre-step λ the uncentered step raises L_T
  // by ½α²dᵀAd; at the new λ uncentered − centered is −½α²dᵀAd: the uncentered weights follow the best response.
  const late = lateTrainingCase(p);
  const lpred = obs2Prediction(late);
  const ltab = lossChangeTable(late);
  const lHeld = fitQuadratic(ltab.map((x) => x.held));
  const lDiff = fitQuadratic(ltab.map((x) => x.uncentered.sub(x.centered)));
  const exactFit = (f: QuadraticFit): boolean => f.residualAt0.n === 0n && f.residualAt4.n === 0n && f.c0.n === 0n && f.c1.n === 0n;
  checks.push(
    exactCheck(
      'late training (∇L_T = 0, Θ = A⁻¹B): held at pre-step λ = +½α²dᵀAd; at new λ uncentered − centered = −½α²dᵀAd',
      lpred.trainGrad.every((x) => x.n === 0n) && exactFit(lHeld) && exactFit(lDiff) && lHeld.c2.equals(lpred.heldCurvature) && lDiff.c2.equals(lpred.heldCurvature.neg()),
      `${size}; ½dᵀAd = ${fmt(lpred.heldCurvature)}; held c₂ = ${fmt(lHeld.c2)}, new-λ difference c₂ = ${fmt(lDiff.c2)}`,
    ),
  );

  // Float64 logistic regression: central differences against the first-order formulas.
  const inst = logisticInstance(c.logistic.seed, c.logistic.m, c.logistic.h);
  const L = logisticObs2(inst);
  const lsize = `logistic m=${inst.general.length}, h=${inst.problem.h}, seed=${c.logistic.seed}`;
  const relTo = (a: number, b: number, scale: number): number => Math.abs(a - b) / Math.max(Math.abs(b), scale, Number.MIN_VALUE);
  checks.push(
    tolCheck(
      'logistic: central difference of held ΔL_T = −∇L_TᵀΘΘᵀ∇L_V',
      'finite-difference',
      relTo(L.heldDifference, L.heldFormula, L.heldScale),
      FINITE_DIFFERENCE_REL_TOL,
      `${lsize}; FD ${L.heldDifference}, formula ${L.heldFormula}, floor ${L.heldScale.toExponential(3)}`,
    ),
  );
  checks.push(
    tolCheck(
      'logistic: central difference of (uncentered − centered) at new λ = −∇L_TᵀΘΘᵀ∇L_V',
      'finite-difference',
      relTo(L.newLambdaDifference, L.heldFormula, L.newLambdaScale),
      FINITE_DIFFERENCE_REL_TOL,
      `${lsize}; FD ${L.newLambdaDifference}, formula ${L.heldFormula}`,
    ),
  );
  checks.push(
    tolCheck(
      'logistic: central difference of centered ΔL_T at new λ = −∂_λL_TᵀΘᵀ∇L_V',
      'finite-difference',
      relTo(L.centeredDifference, L.centeredFormula, L.centeredScale),
      FINITE_DIFFERENCE_REL_TOL,
      `${lsize}; FD ${L.centeredDifference}, formula ${L.centeredFormula}`,
    ),
  );
  // Sign rule in float: decided only when the formula is clear of the difference's error budget.
  const budget = FINITE_DIFFERENCE_REL_TOL * Math.max(L.heldScale, Math.abs(L.heldFormula));
  const decided = Math.abs(L.heldFormula) > 2 * budget;
  const signOk = !decided || Math.sign(L.heldDifference) === -Math.sign(L.projectedAlignment);
  checks.push(
    exactCheck(
      'logistic: sign of d/dα L_T (pre-step λ) = −sign⟨Θᵀ∇L_T, Θᵀ∇L_V⟩',
      signOk,
      `${lsize}; ${decided ? '' : 'undecided (|formula| within FD error); '}projected ${L.projectedAlignment}, raw ${L.rawAlignment}`,
    ),
  );
  return checks;
}

/** Result of {@link rawAlignmentMisleadRate}. */
export interface MisleadRate {
  /** Cases with a non-zero first-order change (the sign rule has something to decide). */
  decided: number;
  /** Cases where the raw sign of ⟨∇L_T, ∇L_V⟩ predicts the wrong direction of the actual change. */
  rawWrong: number;
  /** Cases where the projected rule ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ predicts the wrong direction (the claim: 0). */
  projectedWrong: number;
  /** rawWrong / decided. */
  fraction: number;
  /** The same counts split by (m, h). */
  byDims: Record<string, { decided: number; rawWrong: number }>;
}

/**
 * How often raw gradient alignment misleads, measured exactly on `samples` cases of the generic branch of the
 * claim's generator ({@link obs2GenericArbitrary}, fixed `seed`): for each case the actual direction of the held training loss for a small outer
 * step ({@link actualSmallStepVerdict}) is compared with the raw and the projected sign rules.
 */
export function rawAlignmentMisleadRate(samples: number, seed: number): MisleadRate {
  const cases = fc.sample(obs2GenericArbitrary, { numRuns: samples, seed });
  let decided = 0;
  let rawWrong = 0;
  let projectedWrong = 0;
  const byDims: Record<string, { decided: number; rawWrong: number }> = {};
  for (const c of cases) {
    const p = c.quadratic;
    const pred = obs2Prediction(p);
    const actual = actualSmallStepVerdict(p).verdict;
    if (actual === 'neutral') continue;
    decided++;
    const key = `m=${p.inner.m},h=${p.inner.h}`;
    byDims[key] ??= { decided: 0, rawWrong: 0 };
    byDims[key].decided++;
    const rawSays = rawVerdict(pred.rawAlignment);
    if (rawSays !== actual) {
      rawWrong++;
      byDims[key].rawWrong++;
    }
    if (signRule(pred.projectedAlignment) !== actual) projectedWrong++;
  }
  return { decided, rawWrong, projectedWrong, fraction: decided ? rawWrong / decided : 0, byDims };
}

/**
 * For context only: the fraction of iid standard Gaussian draws g_T, g_V ∈ ℝ^m, Θ ∈ ℝ^{m×h} where
 * sign⟨g_T, g_V⟩ ≠ sign⟨Θᵀg_T, Θᵀg_V⟩ (float64, seeded). It depends strongly on (m, h); it is not a
 * statement about any training run.
 */
export function gaussianAlignmentDisagreement(m: number, h: number, samples: number, seed: number): number {
  const rng = new Rng(seed);
  let disagree = 0;
  const gT = new Array<number>(m);
  const gV = new Array<number>(m);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < m; i++) {
      gT[i] = rng.normal();
      gV[i] = rng.normal();
    }
    let proj = 0;
    for (let k = 0; k < h; k++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < m; i++) {
        const t = rng.normal();
        a += t * gT[i];
        b += t * gV[i];
      }
      proj += a * b;
    }
    if (Math.sign(dot(gT, gV)) !== Math.sign(proj)) disagree++;
  }
  return disagree / samples;
}

/** Samples and seed of the measured mislead rate in {@link referenceChecksObs2}. */
export const MISLEAD_SAMPLES = 400;
export const MISLEAD_SEED = 20201;

/**
 * Two hand-checkable rational examples (proofs/OBS-2.md, "Worked examples"), a fixed logistic instance, and
 * the measured rate at which raw alignment misleads.
 */
export function referenceChecksObs2(): Check[] {
  const checks: Check[] = [];
  // Example 1: raw alignment +7 but the step hurts: ΔL_T held = α + α², centered α, uncentered 2α.
  const base = { A: [[1, 0], [0, 1]], B: [[0], [1]], b: [2, 0], C: [[1, 0], [0, 1]], general: [0, 1], response: [[1], [1]], lambda: [0] };
  const ex1 = parseObs2Quadratic({ ...base, v: [2, -2] });
  const p1 = obs2Prediction(ex1);
  const held1 = fitQuadratic((a) => lossChanges(ex1, a).held);
  const unc1 = fitQuadratic((a) => lossChanges(ex1, a).uncentered);
  const cen1 = fitQuadratic((a) => lossChanges(ex1, a).centered);
  const is = (x: Rational, y: number): boolean => x.equals(math.fraction(y));
  checks.push(
    exactCheck(
      'example 1 (raw alignment misleads): ∇L_T = (−2, 1), ∇L_V = (−2, 3), raw 7, projected −1 ⇒ harmful',
      equalVec(p1.trainGrad, [math.fraction(-2), math.fraction(1)]) && equalVec(p1.valGrad, [math.fraction(-2), math.fraction(3)]) && is(p1.rawAlignment, 7) && is(p1.projectedAlignment, -1) && signRule(p1.projectedAlignment) === 'harmful' && actualSmallStepVerdict(ex1).verdict === 'harmful',
    ),
  );
  checks.push(
    exactCheck(
      'example 1: held ΔL_T = α + α², centered ΔL_T = α, uncentered ΔL_T = 2α (at new λ)',
      is(held1.c0, 0) && is(held1.c1, 1) && is(held1.c2, 1) && is(cen1.c1, 1) && is(cen1.c2, 0) && is(unc1.c1, 2) && is(unc1.c2, 0),
      `held (${toRationalString(held1.c1)}, ${toRationalString(held1.c2)}), centered ${toRationalString(cen1.c1)}, uncentered ${toRationalString(unc1.c1)}`,
    ),
  );
  // Example 2: raw alignment −5 but the step helps: ΔL_T held = −2α + 4α².
  const ex2 = parseObs2Quadratic({ ...base, v: [-1, 4] });
  const p2 = obs2Prediction(ex2);
  const held2 = fitQuadratic((a) => lossChanges(ex2, a).held);
  checks.push(
    exactCheck(
      'example 2 (raw alignment misleads the other way): raw −5, projected 2, held ΔL_T = −2α + 4α² ⇒ helpful',
      is(p2.rawAlignment, -5) && is(p2.projectedAlignment, 2) && is(held2.c1, -2) && is(held2.c2, 4) && actualSmallStepVerdict(ex2).verdict === 'helpful',
    ),
  );

  // Example 3 (late training, statement 6): A = 2, B = 1, b = 2, w = 1, λ = 0 (∇L_T = 0), Θ = J* = 1/2, v = 0:
  // held at the pre-step λ ΔL_T = +α²/16, at the new λ uncentered − centered = −α²/16.
  const ex3 = parseObs2Quadratic({ A: [[2]], B: [[1]], b: [2], C: [[1]], v: [0], general: [1], response: [['1/2']], lambda: [0] });
  const t3 = lossChangeTable(ex3);
  const held3 = fitQuadratic(t3.map((x) => x.held));
  const diff3 = fitQuadratic(t3.map((x) => x.uncentered.sub(x.centered)));
  checks.push(
    exactCheck(
      'example 3 (late training, ∇L_T = 0, Θ = J*): held ΔL_T = +α²/16 at the pre-step λ, uncentered − centered = −α²/16 at the new λ',
      is(held3.c1, 0) && held3.c2.equals(math.fraction(1, 16)) && is(diff3.c1, 0) && diff3.c2.equals(math.fraction(-1, 16)) && held3.residualAt4.n === 0n && diff3.residualAt4.n === 0n,
      `held c₂ ${toRationalString(held3.c2)}, new-λ difference c₂ ${toRationalString(diff3.c2)}`,
    ),
  );
  // Example 4 (statement 5): ΘΘᵀ = 9I with m = 2, h = 3, so the raw sign decides; Example 5: m = 1, Θ = 0, raw −2, no change.
  const iso4 = isotropicResponse(rationalMatrix([[1, 2, 2], [2, 1, -2]]));
  const ex5 = parseObs2Quadratic({ A: [[2]], B: [[1]], b: [0], C: [[1]], v: [3], general: [1], response: [[0]], lambda: [1] });
  const p5 = obs2Prediction(ex5);
  checks.push(
    exactCheck(
      'example 4 (ΘΘᵀ = 9I, m = 2): raw alignment decides; example 5 (m = 1, Θ = 0): raw −2 but ΔL_T = 0 for every α',
      iso4.isotropic && is(iso4.c, 9) && is(p5.rawAlignment, -2) && is(p5.projectedAlignment, 0) && [1, 2, 3, 4].every((a) => heldChange(ex5, math.fraction(a)).n === 0n) && actualSmallStepVerdict(ex5).verdict === 'neutral',
    ),
  );

  // A fixed logistic instance (m = 4, h = 2).
  const L = logisticObs2(logisticInstance(7, 4, 2));
  checks.push(
    tolCheck(
      'logistic (seed 7, m = 4, h = 2): central difference of held ΔL_T = −∇L_TᵀΘΘᵀ∇L_V',
      'finite-difference',
      Math.abs(L.heldDifference - L.heldFormula) / Math.max(Math.abs(L.heldFormula), L.heldScale),
      FINITE_DIFFERENCE_REL_TOL,
      `FD ${L.heldDifference}, formula ${L.heldFormula}`,
    ),
  );

  // Measured: how often raw alignment misleads on the generator's generic branch; the projected rule never does.
  const rate = rawAlignmentMisleadRate(MISLEAD_SAMPLES, MISLEAD_SEED);
  const dims = Object.entries(rate.byDims)
    .filter(([, v]) => v.rawWrong > 0)
    .map(([k, v]) => `${k}: ${v.rawWrong}/${v.decided}`)
    .join(', ');
  checks.push(
    exactCheck(
      'raw alignment misleads in some random cases; the projected sign rule in none',
      rate.rawWrong > 0 && rate.projectedWrong === 0,
      `measured on ${MISLEAD_SAMPLES} cases of the generator's generic branch (seed ${MISLEAD_SEED}): raw alignment wrong in ${rate.rawWrong}/${rate.decided} = ${(100 * rate.fraction).toFixed(1)}% (${dims}); projected rule wrong in ${rate.projectedWrong}. For context, iid Gaussian (m, h) = (4, 1), (4, 2), (4, 3): raw and projected signs disagree in ${[1, 2, 3].map((hh) => (100 * gaussianAlignmentDisagreement(4, hh, 10000, MISLEAD_SEED)).toFixed(1) + '%').join(', ')}`,
    ),
  );
  return checks;
}

/** OBS-2 as a registered claim. */
export const obs2Claim: Claim<Obs2Case> = {
  id: 'OBS-2',
  statement:
    'Uncentered ŵ = w₀ + Θλ: the outer step Δλ = −αΘᵀ∇L_V moves the weights used at λ by ΘΔλ and changes L_T at the pre-step λ by −α∇L_TᵀΘΘᵀ∇L_V + O(α²) — a decrease iff ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0; the raw alignment ⟨∇L_T, ∇L_V⟩ decides this for every gradient pair iff ΘΘᵀ = cI, c > 0; at the new λ uncentered − centered is still −α∇L_TᵀΘΘᵀ∇L_V + O(α²), and late in training (∇L_T = 0, Θ = J*) it is −½α²dᵀ∇²_wL_T d, so the second-order rise ½α²dᵀ∇²_wL_T d is one of L_T at the pre-step λ only; centered weights at the new centre are w₀ by construction (our statement, spec §0.1 "new").',
  assumptions: ['L_T twice continuously differentiable in (λ, w); L_V differentiable in w (exact identities: L_T quadratic, L_V quadratic)', 'both hypernetworks agree at the current λ and take the same hypergradient step Θᵀ∇_w L_V (no direct term)', 'the centered hypernetwork re-centres at the new λ after the outer step (Δ-STN)'],
  spec: 'spec §0.1 OBS-2, §3.1, §3.4',
  proof: 'proofs/OBS-2.md',
  arbitrary: obs2Arbitrary,
  check: checkObs2,
  referenceChecks: referenceChecksObs2,
};

// ---------------------------------------------------------------------------------------------------------
// Small exact helpers
// ---------------------------------------------------------------------------------------------------------


/** Θᵀ x. */
function transposeTimes(theta: RationalMatrix, x: readonly Rational[]): Rational[] {
  return theta[0].map((_, k) => theta.reduce((s, row, i) => s.add(row[k].mul(x[i])), ZERO));
}

function equalVec(a: readonly Rational[], b: readonly Rational[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]));
}
