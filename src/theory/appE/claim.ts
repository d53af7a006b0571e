/**
 * APP-E as a claim: the case generator, the checks of each case, the reference values and the registered claim.
 * The claim APP-E in two files: its mathematics (math.ts) and the claim's generator and checks (claim.ts);
 * src/theory/appE.ts re-exports both.
 */
import fc from 'fast-check';
import { ShapeMismatchError } from '../../errors.js';
import { conditionNumber, norm2, symmetricEigenvalues } from '../../linalg/dense.js';
import { rationalMatrix, rationalVector, solveVecQ, toNumber, toNumberMatrix } from '../../linalg/exact.js';

import { Rng } from '../../rng.js';
import { FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, finiteDifferenceStep, relativeError, relativeErrorVec } from '../../tolerance.js';
import { exactCheck, tolCheck, type Check, type Claim } from '../claim.js';
import { rationalVectorArb, spdArb } from '../generators.js';
import { deltaStnResponseScalar, sinToy, stnJointScalar } from '../scalarToys.js';
import { bestResponse, bestResponseJacobian, propositionBBias, quarticDecayBiasScale, quarticDecayInnerProblem, stnFixedPoint, type QuarticDecayProblem } from './general.js';
import { certifyPropositionBConstant, kEnclosure } from './certified.js';
import { APP_E_CLAIM_MAX_SCALE, APP_E_B4_TAU, expm1MinusLinear, type WeightDecayProblem, assertFiniteNumber, assertScale, validate, shifted, solve, matVec, sub, weightDecayBestResponse, weightDecayBestResponseJacobian, weightDecayStn, stnScaledSystem, weightDecayStnSystemByQuadrature, weightDecayDeltaStn, weightDecayDeltaStnResponseByQuadrature, weightDecayStnBias, weightDecayPropositionBRemainder, weightDecayPropositionB, weightDecayInnerProblem, sinInnerProblem, sinToyClosedForms, weightDecayStnGradientDescent, deltaStnGeneralGradient, generalGradientVariance } from './math.js';

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

/** docs/math.md#pt-6 / PT-7 data: X = [[1,0],[0,2],[1,1]], y = (1,2,3), A = XᵀX/3, b = Xᵀy/3. */
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

/** docs/math.md#s6 reference values for APP-E (PT-6, PT-7, PT-9, PT-12), recomputed and compared at printed precision. */
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
  spec: 'docs/math.md#s0-1 (APP-E), #s4-2, #pt-6, PT-7, PT-9, PT-12',
  proof: 'proofs/APP-E.md',
  arbitrary: appECaseArb,
  check: checkAppECase,
  referenceChecks: appEReferenceChecks,
};
