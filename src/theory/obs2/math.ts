/**
 * OBS-2: how an outer (hyperparameter) step interacts with the inner problem, uncentered vs centered.
 *
 * @remarks
 * The statement and its wording are the project's own (docs/math.md#s0-1 row OBS-2, "new; derive in proofs/"); no
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
import { sigmoid, softplus } from '../../linalg/scalar.js';
import { DeltaStnError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../errors.js';
import { ZERO, isSymmetricQ, math, matVecQ, multiplyQ, rational, rationalMatrix, rationalVector, solveQ, solveVecQ, transposeQ, type Rational, type RationalLike, type RationalMatrix, addVecQ, subVecQ, dotQ } from '../../linalg/exact.js';
import { inertia } from '../../linalg/inertia.js';
import { dot, norm2 } from '../../linalg/dense.js';
import { Rng } from '../../rng.js';
import { finiteDifferenceStep } from '../../tolerance.js';

import { parseQuadraticInner, quadraticTrainGrad, quadraticTrainLoss, type QuadraticInner, type RationalMatrixInput } from '../thm3.js';

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
export function renamed(e: DeltaStnError, argument: string): DeltaStnError {
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
 * The outer step Δλ = −α Θᵀ ∇_w L_V (the hypergradient through the hypernetwork, no direct term; docs/math.md#s3-4).
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
export function sgn(x: Rational): number {
  return x.n === 0n ? 0 : x.s > 0n ? 1 : -1;
}

/** What the raw alignment ⟨∇L_T, ∇L_V⟩ would predict, read as a sign rule. */
export function rawVerdict(rawAlignment: Rational): Obs2Verdict {
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
 * L_V(w) = mean_i softplus(−y_i x_iᵀw), no regularizer (docs/math.md#s1-2: no direct term).
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

export function logisticData(X: number[][], y: number[], w: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < X.length; i++) s += softplus(-y[i] * dot(X[i], w));
  return s / X.length;
}

export function logisticDataGrad(X: number[][], y: number[], w: readonly number[]): number[] {
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

/** Θᵀ x. */
export function transposeTimes(theta: RationalMatrix, x: readonly Rational[]): Rational[] {
  return theta[0].map((_, k) => theta.reduce((s, row, i) => s.add(row[k].mul(x[i])), ZERO));
}
