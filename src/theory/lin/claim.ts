/**
 * LIN as a claim: the case generator, the checks of each case, the reference values and the registered claim.
 * The claim LIN in two files: its mathematics (math.ts) and the claim's generator and checks (claim.ts);
 * src/theory/lin.ts re-exports both.
 */
import fc from 'fast-check';

import { symmetricEigenvalues } from '../../linalg/dense.js';
import { math, type Rational } from '../../linalg/exact.js';

import { Rng } from '../../rng.js';
import { FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, eigenRelTol, finiteDifferenceStep, highPrecisionRelTol, relativeError, relativeErrorVec } from '../../tolerance.js';
import { exactCheck, tolCheck, type Check, type Claim } from '../claim.js';
import { DEFAULT_NODES, bestResponseJacobianScalar, bestResponseScalar, cubicToy, deltaStnResponseScalar, gaussNewtonIftJacobianScalar, gaussNewtonScalar, scaledTanhToy, stnJointScalar, tanhToy, trainLossJet } from '../scalarToys.js';
import { LOGISTIC_L4_DATA, LOGISTIC_L4_REFERENCE, linearModelBestResponse, linearModelGaussNewton, linearModelLinearizedResponse, linearModelProblem } from './loss.js';
import { bestResponseJacobianVec, bestResponseVec, choleskyFactor, deltaStnResponseVec, gaussNewtonIftJacobianVec, linearizedResponseVec, preparedLinearizedObjectiveVec, tanhRegressionToy, trainLossVec } from './vector.js';
import { assertScale, linearizedResponseObjective, linearizedResponse, weightDecayLinearizedResponse, minResponseCurvature, cubicLinearizedResponseExact, cubicBestResponseJacobianExact } from './math.js';

// ─────────────────────────────────────────────── the claim ───────────────────────────────────────────────

/**
 * The vector part of a LIN case: w ∈ ℝ^m (m = columns of `X`, 2 or 3), λ ∈ ℝ^h (h = length of `lambda0`, 1 or 2),
 * n = rows of `X` ≥ m examples with targets `y`. Three problems are built from it: (P5) tanh(x_i·diag(s)w) with
 * s_j = e^{λ_{j mod h}} and grouped weight decay at λ₀ = `lambda0` (∂²f/∂w∂λ ≠ 0: the residual cross term of
 * L.2); (P6) tanh(x_i·w) − (Sλ)_i with S = `shift` and R ≡ 0 at λ₀ = `shiftPoint` (Prop. L.3); (P7) tanh(x_i·w) with
 * weight decay, h = 1, at λ₀ = `lambda0[0]` (Prop. L.4). The perturbation scales are σ_k = σ·`ratios[k]`.
 */
export interface LinVectorCase {
  X: number[][];
  y: number[];
  lambda0: number[];
  ratios: number[];
  shift: number[][];
  shiftPoint: number[];
}

/**
 * One LIN case. Scalar problems built from it: (P1) tanh regression with weight decay (PT-11 family:
 * residuals tanh(w x_i) − y_i, R = ½e^λw², λ₀ = `lambda0`); (P2) the λ-in-output model tanh(w x_i) − λx_i − y_i
 * with R ≡ 0 at λ₀ = `shift` (Prop. L.3 with a non-zero residual); (P3) the PT-10 family g = w³ + a w at
 * λ₀ = `cubicLambda0` (float) and, exactly, at λ₀ = g(`cubicW`) with a = `cubicA` (rational); (P4) tanh(w x_i e^λ)
 * with weight decay at λ₀ = `lambda0` (∂²f/∂w∂λ ≠ 0). Vector problems (P5–P7): {@link LinVectorCase}.
 */
export interface LinCase {
  x: number[];
  y: number[];
  lambda0: number;
  shift: number;
  sigma: number;
  cubicLambda0: number;
  cubicA: Rational;
  cubicW: Rational;
  vector: LinVectorCase;
}

/** Check names, one per proof step of `proofs/LIN.md`, in the order {@link checkLinCase} returns them. */
export const LIN_CHECKS = {
  curvatureFormula: 'L1 F_lin″ = E[ε²(G_w(ε) + R_ww)] = central difference of F_lin′',
  curvaturePsd: 'L1 F_lin″(θ) ≥ 0 at θ_lin, θ_lin ± 5, 0',
  midpoint: 'L1 midpoint convexity of F_lin on 8 random pairs',
  closedForm: 'L4 θ_lin = −(G_w+(1+σ²)c)⁻¹c w0 = quadrature minimiser',
  linLimit: 'L2 θ_lin(σ) − θ_GN = O(σ²): (θ−θ_GN)/σ² at σ=0.004, 0.002 agree',
  nonLinLimit: 'L2 non-linearized θ(σ) − J* = O(σ²): (θ−J*)/σ² at σ=0.004, 0.002 agree',
  exactIndependence: 'L3 λ-in-output, R ≡ 0: θ_lin(σ) = θ_lin(2σ) = θ_GN (quadrature)',
  cubicFloat: "L3 PT-10 family: θ_lin(σ) = θ_lin(2σ) = 1/g'(w*) = J* (quadrature)",
  cubicExact: "L3 PT-10 family: θ_lin = 1/g'(w0) = J* for two σ² (exact rationals)",
  scaledLinLimit: 'L2 tanh(w·x·e^λ), ∂²f/∂w∂λ ≠ 0: θ_lin(σ) − θ_GN = O(σ²), θ_GN with the residual cross term',
  scaledNonLinLimit: 'L2 tanh(w·x·e^λ): non-linearized θ(σ) − J* = O(σ²)',
  vecCurvaturePsd: 'L1 w ∈ ℝ^m, m ≥ 2, h ∈ {1, 2}: ∇²F_lin = E[(εεᵀ) ⊗ (JᵀJ/n + ∇²R)] ⪰ 0',
  vecLinLimit: 'L2 w ∈ ℝ^m, tanh(x·diag(e^λ)w): Θ_lin(σ) − Θ_GN = O(σ²), Θ_GN with the residual cross term',
  vecNonLinLimit: 'L2 w ∈ ℝ^m, tanh(x·diag(e^λ)w): non-linearized Θ(σ) − J* = O(σ²)',
  vecIndependence: 'L3 w ∈ ℝ^m, output tanh(x·w) − Sλ, R ≡ 0: Θ_lin(Σ₁) = Θ_lin(Σ₂) = Θ_GN (Σ₂ not ∝ Σ₁ when h = 2)',
  vecClosedForm: 'L4 w ∈ ℝ^m: Θ_lin = −(G_w+(1+σ²)cI)⁻¹c w0 = quadrature minimiser',
} as const;

/**
 * Gauss–Hermite nodes per hyperparameter for the vector checks of L.1, L.2 and L.3 (12 points for h = 1, 144 for
 * h = 2; L.4's vector check uses {@link DEFAULT_NODES}). Fewer than the policy's 60 (src/tolerance.ts,
 * `QUADRATURE_TOL`), argued per use in `proofs/LIN.md` (§ Assumptions): L.1 needs only positive weights; L.3's
 * integrand is a polynomial of degree ≤ 2 in ε, which a k-node rule integrates exactly (2k − 1 ≥ 2); L.2
 * evaluates at σ ≤ 0.008, where the rule's error is far below what the O(σ²) test can see (a test compares
 * with 60 nodes per hyperparameter).
 */
export const VECTOR_NODES = 12;

/**
 * Threshold of the O(σ²) test: with q(σ) = (θ(σ) − limit)/σ² at σ = 0.004 and 0.002, an O(σ²) error gives
 * q(0.004)/q(0.002) = 1 + O(1.2e-5·q₁/q₀), an O(σ) error gives 2 and an O(1) error 4; 0.1 separates them with
 * room for |q₁| up to ~8000·|q₀|. It is a structural threshold, not a precision tolerance.
 */
export const SMALL_SCALE_ORDER_TOL = 0.1;

function richardsonO2(thetaAt: (sigma: number) => number, limit: number): { error: number; detail: string } {
  const sa = 0.004;
  const sb = 0.002;
  const qa = (thetaAt(sa) - limit) / (sa * sa);
  const qb = (thetaAt(sb) - limit) / (sb * sb);
  // The θ solves are accurate to about closedFormRelTol·max(1, |θ|); divided by σ² that is the floor below
  // which q is rounding noise (e.g. w0 = 0 exactly, where every θ is 0).
  const scale = Math.max(Math.abs(qb), Math.abs(limit), (closedFormRelTol(1) * Math.max(1, Math.abs(limit))) / (sb * sb));
  return { error: Math.abs(qa - qb) / scale, detail: `(θ−limit)/σ²: ${qa.toPrecision(8)} at σ=${sa}, ${qb.toPrecision(8)} at σ=${sb}; limit ${limit}` };
}

/** {@link richardsonO2} for a matrix-valued θ: the same ratio test on the entries, in the ∞-norm. */
function richardsonO2Vec(thetaAt: (scale: number) => number[], limit: number[]): { error: number; detail: string } {
  const sa = 0.004;
  const sb = 0.002;
  const ta = thetaAt(sa);
  const tb = thetaAt(sb);
  const qa = ta.map((v, i) => (v - limit[i]) / (sa * sa));
  const qb = tb.map((v, i) => (v - limit[i]) / (sb * sb));
  const inf = (v: number[]): number => Math.max(0, ...v.map(Math.abs));
  const scale = Math.max(inf(qb), inf(limit), (closedFormRelTol(1) * Math.max(1, inf(limit))) / (sb * sb));
  const error = Math.max(0, ...qa.map((v, i) => Math.abs(v - qb[i]))) / scale;
  const fmt = (v: number[]): string => v.map((t) => t.toPrecision(6)).join(', ');
  return { error, detail: `(Θ−limit)/σ²: (${fmt(qa)}) at scale ${sa}, (${fmt(qb)}) at ${sb}; limit (${fmt(limit)})` };
}

const flat = (a: readonly (readonly number[])[]): number[] => a.flat();
const infNorm = (v: readonly number[]): number => Math.max(0, ...v.map(Math.abs));

/** The three vector problems of a {@link LinVectorCase} (P5 scaled, P6 shifted, P7 λ-free with weight decay). */
function vectorProblems(v: LinVectorCase) {
  const h = v.lambda0.length;
  return {
    scaled: tanhRegressionToy(v.X, v.y, h, { weightDecay: true, scaleByHyper: true }),
    shifted: tanhRegressionToy(v.X, v.y, h, { weightDecay: false, shift: v.shift }),
    decay: tanhRegressionToy(v.X, v.y, 1, { weightDecay: true }),
  };
}

/** The vector checks (P5–P7) of one case at perturbation scale `sigma`; see {@link LinVectorCase}. */
export function checkLinVectorCase(v: LinVectorCase, sigma: number): Check[] {
  assertScale(sigma);
  const checks: Check[] = [];
  const m = v.X[0].length;
  const h = v.lambda0.length;
  const nodes = VECTOR_NODES;
  const size = `n=${v.X.length}, m=${m}, h=${h}, λ0=(${v.lambda0.join(', ')}), σ=${sigma}·(${v.ratios.join(', ')})`;
  const { scaled, shifted, decay } = vectorProblems(v);
  const sigmaAt = (s: number, ratios: readonly number[] = v.ratios): number[] => ratios.map((r) => s * r);

  // P5, L1: the Kronecker Hessian is PSD (at Θ = 0; with weight decay it does not depend on Θ).
  const w5 = bestResponseVec(scaled, v.lambda0);
  const hess = preparedLinearizedObjectiveVec(scaled, v.lambda0, w5, sigmaAt(sigma), nodes)(new Array<number>(m * h).fill(0))[2];
  const ev = symmetricEigenvalues(hess);
  const evTol = eigenRelTol(m * h, 1) * Math.abs(ev[ev.length - 1]);
  checks.push(exactCheck(LIN_CHECKS.vecCurvaturePsd, ev[0] >= -evTol, `eigenvalues ${ev[0]} … ${ev[ev.length - 1]}, ${size}`));

  // P5, L2: both small-σ limits; the GN-IFT Jacobian keeps the residual cross term C_r.
  const t5 = trainLossVec(scaled, v.lambda0, w5);
  const gn5 = flat(gaussNewtonIftJacobianVec(scaled, v.lambda0, w5));
  const j5 = flat(bestResponseJacobianVec(scaled, v.lambda0, w5));
  const cr = `‖C_r‖∞ = ${infNorm(flat(t5.residualCross)).toPrecision(3)}, ‖∇²_wλ L_T‖∞ = ${infNorm(flat(t5.cross)).toPrecision(3)}`;
  const lin5 = richardsonO2Vec((s) => flat(linearizedResponseVec(scaled, v.lambda0, w5, sigmaAt(s), nodes)), gn5);
  checks.push(tolCheck(LIN_CHECKS.vecLinLimit, 'quadrature', lin5.error, SMALL_SCALE_ORDER_TOL, `${lin5.detail}; ${cr}; ${size}`));
  const non5 = richardsonO2Vec((s) => flat(deltaStnResponseVec(scaled, v.lambda0, w5, sigmaAt(s), nodes)), j5);
  checks.push(tolCheck(LIN_CHECKS.vecNonLinLimit, 'quadrature', non5.error, SMALL_SCALE_ORDER_TOL, `${non5.detail}; ${size}`));

  // P6, L3: σ-independence for two covariances that are not proportional when h = 2.
  const w6 = bestResponseVec(shifted, v.shiftPoint);
  const gn6 = flat(gaussNewtonIftJacobianVec(shifted, v.shiftPoint, w6));
  const ta = flat(linearizedResponseVec(shifted, v.shiftPoint, w6, sigmaAt(sigma), nodes));
  const tb = flat(linearizedResponseVec(shifted, v.shiftPoint, w6, sigmaAt(2 * sigma, [...v.ratios].reverse()), nodes));
  const j6 = flat(bestResponseJacobianVec(shifted, v.shiftPoint, w6));
  // Θ_GN = 0 exactly when S = 0 (λ enters nowhere): then compare absolutely, as the policy does for values near 0.
  const floor6 = infNorm(gn6) === 0 ? 1 : 1e-300;
  checks.push(
    tolCheck(
      LIN_CHECKS.vecIndependence,
      'quadrature',
      Math.max(relativeErrorVec(ta, gn6, floor6), relativeErrorVec(tb, gn6, floor6)),
      QUADRATURE_TOL,
      `Θ_lin(Σ₁) = (${ta.join(', ')}), Θ_lin(Σ₂) = (${tb.join(', ')}), Θ_GN = (${gn6.join(', ')}), J* = (${j6.join(', ')}), ${size}`,
    ),
  );

  // P7, L4: the matrix closed form against the quadrature minimiser (h = 1, λ-free output).
  const l7 = [v.lambda0[0]];
  const w7 = bestResponseVec(decay, l7);
  const g7 = trainLossVec(decay, l7, w7).gaussNewton;
  const cf = weightDecayLinearizedResponse(g7, w7, l7[0], sigma);
  const q7 = flat(linearizedResponseVec(decay, l7, w7, [sigma], DEFAULT_NODES));
  checks.push(tolCheck(LIN_CHECKS.vecClosedForm, 'quadrature', relativeErrorVec(cf, q7, infNorm(w7) || 1e-300), QUADRATURE_TOL, `closed (${cf.join(', ')}), quadrature (${q7.join(', ')}), ${size}`));
  return checks;
}

/** All LIN checks on one case (one per proof step); exported so tests can call it without the registry. */
export function checkLinCase(c: LinCase): Check[] {
  const { x, y, lambda0, shift, sigma } = c;
  assertScale(sigma);
  const checks: Check[] = [];
  const size = `n=${x.length}, λ0=${lambda0}, σ=${sigma}`;

  // P1: tanh regression with weight decay.
  const p1 = tanhToy(x, y, { weightDecay: true });
  const w1 = bestResponseScalar(p1, lambda0);
  const f1 = linearizedResponseObjective(p1, lambda0, w1, sigma);
  const theta1 = linearizedResponse(p1, lambda0, w1, sigma);

  // L1: curvature formula against a central difference of the gradient, and its sign.
  const probes = [theta1, theta1 + 5, theta1 - 5, 0];
  let curvErr = 0;
  let minCurv = Infinity;
  for (const t of probes) {
    // θ enters only through θε, so its natural unit is 1/σ: the step is √ε·max(1, |θ|, 1/σ).
    const hStep = finiteDifferenceStep(Math.max(Math.abs(t), 1 / sigma));
    const fd = (f1(t + hStep).gradient - f1(t - hStep).gradient) / (2 * hStep);
    const cu = f1(t).curvature;
    curvErr = Math.max(curvErr, relativeError(fd, cu));
    minCurv = Math.min(minCurv, cu);
  }
  checks.push(tolCheck(LIN_CHECKS.curvatureFormula, 'finite-difference', curvErr, FINITE_DIFFERENCE_REL_TOL, size));
  checks.push(exactCheck(LIN_CHECKS.curvaturePsd, minCurv >= 0, `min F_lin″ = ${minCurv}`));

  // L1: midpoint convexity on seeded random pairs (rounding only: relative 1e-10).
  const rng = new Rng(31);
  let midErr = 0;
  for (let k = 0; k < 8; k++) {
    const a = theta1 + 10 * (rng.uniform() - 0.5);
    const b = theta1 + 10 * (rng.uniform() - 0.5);
    const fa = f1(a).value;
    const fb = f1(b).value;
    const fm = f1(0.5 * (a + b)).value;
    midErr = Math.max(midErr, Math.max(0, fm - 0.5 * (fa + fb)) / Math.max(Math.abs(fa) + Math.abs(fb), 1e-300));
  }
  checks.push(tolCheck(LIN_CHECKS.midpoint, 'float64', midErr, closedFormRelTol(1), size));

  // L4: closed form against the quadrature minimiser.
  const g1 = gaussNewtonScalar(p1, lambda0, w1);
  const cf = weightDecayLinearizedResponse([[g1]], [w1], lambda0, sigma)[0];
  checks.push(tolCheck(LIN_CHECKS.closedForm, 'quadrature', relativeError(cf, theta1, Math.abs(w1) || 1e-300), QUADRATURE_TOL, `closed ${cf}, quadrature ${theta1}, ${size}`));

  // L2: small-σ limits at O(σ²).
  const gnIft = gaussNewtonIftJacobianScalar(p1, lambda0, w1);
  const jStar = bestResponseJacobianScalar(p1, lambda0, w1);
  const lin = richardsonO2((s) => linearizedResponse(p1, lambda0, w1, s), gnIft);
  checks.push(tolCheck(LIN_CHECKS.linLimit, 'quadrature', lin.error, SMALL_SCALE_ORDER_TOL, lin.detail));
  const non = richardsonO2((s) => deltaStnResponseScalar(p1, lambda0, w1, s), jStar);
  checks.push(tolCheck(LIN_CHECKS.nonLinLimit, 'quadrature', non.error, SMALL_SCALE_ORDER_TOL, non.detail));

  // L3: λ in the output, R ≡ 0 — σ-independent and equal to the GN-IFT Jacobian (not J*: residual ≠ 0).
  const p2 = tanhToy(x, y, { weightDecay: false, lambdaInOutput: true });
  const w2 = bestResponseScalar(p2, shift);
  const gn2 = gaussNewtonIftJacobianScalar(p2, shift, w2);
  const t2a = linearizedResponse(p2, shift, w2, sigma);
  const t2b = linearizedResponse(p2, shift, w2, 2 * sigma);
  checks.push(
    tolCheck(
      LIN_CHECKS.exactIndependence,
      'quadrature',
      Math.max(relativeError(t2a, gn2), relativeError(t2b, gn2)),
      QUADRATURE_TOL,
      `θ_lin(σ)=${t2a}, θ_lin(2σ)=${t2b}, θ_GN=${gn2}, J*=${bestResponseJacobianScalar(p2, shift, w2)}`,
    ),
  );

  // L3: PT-10 family, float (quadrature) and exact (rational moment rule).
  const a = c.cubicA.valueOf();
  const p3 = cubicToy(a);
  const w3 = bestResponseScalar(p3, c.cubicLambda0);
  const inv = 1 / (3 * w3 * w3 + a);
  const t3a = linearizedResponse(p3, c.cubicLambda0, w3, sigma);
  const t3b = linearizedResponse(p3, c.cubicLambda0, w3, 2 * sigma);
  const j3 = bestResponseJacobianScalar(p3, c.cubicLambda0, w3);
  checks.push(
    tolCheck(LIN_CHECKS.cubicFloat, 'quadrature', Math.max(relativeError(t3a, inv), relativeError(t3b, inv), relativeError(j3, inv)), QUADRATURE_TOL, `1/g'=${inv}, θ=(${t3a}, ${t3b}), J*=${j3}`),
  );
  const wq = c.cubicW;
  const lq = wq.mul(wq).mul(wq).add(c.cubicA.mul(wq));
  const sq = math.fraction(sigma).mul(math.fraction(sigma));
  const e1 = cubicLinearizedResponseExact(c.cubicA, wq, lq, sq);
  const e2 = cubicLinearizedResponseExact(c.cubicA, wq, lq, sq.mul(4));
  const inverse = math.fraction(1).div(wq.mul(wq).mul(3).add(c.cubicA));
  const jq = cubicBestResponseJacobianExact(c.cubicA, wq, lq);
  checks.push(exactCheck(LIN_CHECKS.cubicExact, e1.equals(inverse) && e2.equals(inverse) && jq.equals(inverse), `θ_lin = ${e1.toFraction()}, 1/g' = ${inverse.toFraction()}`));

  // P4: tanh(w x e^λ) with weight decay — ∂²f/∂w∂λ ≠ 0, so θ_GN's cross derivative has the residual term.
  const p4 = scaledTanhToy(x, y, { weightDecay: true });
  const w4 = bestResponseScalar(p4, lambda0);
  const gn4 = gaussNewtonIftJacobianScalar(p4, lambda0, w4);
  let residualCross = 0;
  for (let i = 0; i < p4.size; i++) {
    const r = p4.residual(i, lambda0, w4);
    residualCross += (r.value * r.dwl) / p4.size;
  }
  const lin4 = richardsonO2((s) => linearizedResponse(p4, lambda0, w4, s), gn4);
  checks.push(tolCheck(LIN_CHECKS.scaledLinLimit, 'quadrature', lin4.error, SMALL_SCALE_ORDER_TOL, `${lin4.detail}; ⟨r r_wλ⟩ = ${residualCross}, ${size}`));
  const non4 = richardsonO2((s) => deltaStnResponseScalar(p4, lambda0, w4, s), bestResponseJacobianScalar(p4, lambda0, w4));
  checks.push(tolCheck(LIN_CHECKS.scaledNonLinLimit, 'quadrature', non4.error, SMALL_SCALE_ORDER_TOL, `${non4.detail}; ${size}`));

  // P5–P7: w ∈ ℝ^m, λ ∈ ℝ^h.
  checks.push(...checkLinVectorCase(c.vector, sigma));
  return checks;
}

/** The data part of a case, filtered so that every problem has a strict best response reachable by Newton. */
function validLinCase(c: LinCase): boolean {
  if (!c.x.some((v) => v !== 0)) return false;
  try {
    const w1 = bestResponseScalar(tanhToy(c.x, c.y, { weightDecay: true }), c.lambda0);
    const p2 = tanhToy(c.x, c.y, { weightDecay: false, lambdaInOutput: true });
    const w2 = bestResponseScalar(p2, c.shift);
    const p4 = scaledTanhToy(c.x, c.y, { weightDecay: true });
    const w4 = bestResponseScalar(p4, c.lambda0);
    // A well-posed problem: |w*| moderate, and a clearly positive curvature (no saturated flat minimum).
    const scalarOk =
      Math.abs(w1) <= 5 && Math.abs(w2) <= 5 && Math.abs(w4) <= 5 && trainLossJet(p2, c.shift, w2).dww > 1e-3 && gaussNewtonScalar(p2, c.shift, w2) > 1e-3 && trainLossJet(p4, c.lambda0, w4).dww > 1e-3;
    return scalarOk && validLinVectorCase(c.vector);
  } catch {
    return false;
  }
}

/** ∇²_w L_T − `floor`·I ≻ 0 (and, for R ≡ 0, G_w − `floor`·I ≻ 0): a clearly non-degenerate minimiser. */
function clearlyPositive(a: readonly (readonly number[])[], floor: number): boolean {
  return choleskyFactor(a.map((row, i) => row.map((v, j) => (i === j ? v - floor : v)))) !== null;
}

/** The vector part of a case, filtered like the scalar part: every best response non-degenerate, |w*| ≤ 3. */
function validLinVectorCase(v: LinVectorCase): boolean {
  try {
    const { scaled, shifted, decay } = vectorProblems(v);
    const w5 = bestResponseVec(scaled, v.lambda0);
    const w6 = bestResponseVec(shifted, v.shiftPoint);
    const w7 = bestResponseVec(decay, [v.lambda0[0]]);
    if (Math.max(infNorm(w5), infNorm(w6), infNorm(w7)) > 3) return false;
    const t6 = trainLossVec(shifted, v.shiftPoint, w6);
    return clearlyPositive(trainLossVec(scaled, v.lambda0, w5).hessian, 1e-3) && clearlyPositive(t6.hessian, 1e-3) && clearlyPositive(t6.gaussNewton, 1e-3);
  } catch {
    return false;
  }
}

const smallRational = (maxNum: number, maxDen: number): fc.Arbitrary<number> =>
  fc.tuple(fc.integer({ min: -maxNum, max: maxNum }), fc.integer({ min: 1, max: maxDen })).map(([p, q]) => p / q);

/** k/4 for an integer |k| ≤ maxK. */
const quarter = (maxK: number): fc.Arbitrary<number> => fc.integer({ min: -maxK, max: maxK }).map((k) => k / 4);

/** σ for LIN cases: tiny (1e-3), ordinary (1/8 … 2) and largish (1). */
const linSigmaArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(1e-3) },
  { weight: 1, arbitrary: fc.constant(1) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }).map((k) => k / 8) },
);

/**
 * Random vector parts: m ∈ {2, 3} weights, h ∈ {1, 2} hyperparameters, n ∈ [m, 5] examples with inputs in
 * [−1.5, 1.5], targets in [−0.5, 0.5], λ₀ ∈ [−3, 0]^h (zero included), σ ratios in {½, 1, 2}, shifts S ∈ [−0.5, 0.5]^{n×h}
 * at λ₀ ∈ [−0.5, 0.5]^h (so the shifted targets stay inside tanh's range).
 */
export const linVectorCaseArb: fc.Arbitrary<LinVectorCase> = fc
  .record({ m: fc.integer({ min: 2, max: 3 }), h: fc.integer({ min: 1, max: 2 }) })
  .chain(({ m, h }) =>
    fc.integer({ min: m, max: 5 }).chain((n) =>
      fc.record({
        X: fc.array(fc.array(quarter(6), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        y: fc.array(quarter(2), { minLength: n, maxLength: n }),
        lambda0: fc.array(fc.integer({ min: -12, max: 0 }).map((k) => k / 4), { minLength: h, maxLength: h }),
        ratios: fc.array(fc.constantFrom(0.5, 1, 2), { minLength: h, maxLength: h }),
        shift: fc.array(fc.array(quarter(2), { minLength: h, maxLength: h }), { minLength: n, maxLength: n }),
        shiftPoint: fc.array(quarter(2), { minLength: h, maxLength: h }),
      }),
    ),
  );

/**
 * Random LIN cases: n ∈ [1, 5] examples with x ∈ [−2, 2], y ∈ [−1, 1], λ₀ ∈ [−3, 1], the PT-10 family with a ∈ (0, 4],
 * and a vector part ({@link linVectorCaseArb}).
 */
export const linCaseArb: fc.Arbitrary<LinCase> = fc
  .integer({ min: 1, max: 5 })
  .chain((n) =>
    fc.record({
      x: fc.array(quarter(8), { minLength: n, maxLength: n }),
      y: fc.array(quarter(4), { minLength: n, maxLength: n }),
      lambda0: fc.oneof(fc.constant(0), fc.integer({ min: -12, max: 4 }).map((k) => k / 4)),
      shift: fc.oneof(fc.constant(0), quarter(4)),
      sigma: linSigmaArb,
      cubicLambda0: fc.oneof(fc.constant(0), smallRational(20, 4)),
      cubicA: fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4 })).map(([p, q]) => math.fraction(p, q)),
      cubicW: fc.tuple(fc.integer({ min: -8, max: 8 }), fc.integer({ min: 1, max: 4 })).map(([p, q]) => math.fraction(p, q)),
      vector: linVectorCaseArb,
    }),
  )
  .filter(validLinCase);

/** docs/math.md#pt-11 data. */
export const PT11_DATA = { x: [0.5, 1, 1.5, -0.7], y: [0.3, 0.9, 0.8, -0.2] } as const;

function printed(name: string, got: number, value: number, decimals: number): Check {
  const tol = 0.5 * Math.pow(10, -decimals);
  return tolCheck(name, 'reference', Math.abs(got - value), tol * (1 + 1e-9), `got ${got.toFixed(decimals + 3)}, printed ${value}`);
}

/** docs/math.md#s6 reference values for LIN (PT-10, PT-11, the #s4-3 item 3 counterexample), compared at printed precision. */
export function linReferenceChecks(): Check[] {
  const checks: Check[] = [];
  // PT-10.
  const cubic = cubicToy(1);
  const w10 = bestResponseScalar(cubic, 2, { start: 0.5 });
  checks.push(printed('PT-10 w* = 1', w10, 1, 12));
  checks.push(printed('PT-10 J* = 0.25', bestResponseJacobianScalar(cubic, 2, w10), 0.25, 12));
  const pt10: [number, number, number, number][] = [
    [0.1, 0.249361, 0.999533, 0.249708],
    [0.3, 0.244612, 0.99594, 0.247425],
    [0.5, 0.236627, 0.989432, 0.243131],
    [1.0, 0.212808, 0.9674, 0.226814],
  ];
  for (const [s, nonlin, stnW, stnT] of pt10) {
    checks.push(tolCheck(`PT-10 linearized θ = 0.25 at σ=${s}`, 'quadrature', relativeError(linearizedResponse(cubic, 2, w10, s), 0.25), QUADRATURE_TOL));
    checks.push(printed(`PT-10 non-linearized θ at σ=${s}`, deltaStnResponseScalar(cubic, 2, w10, s), nonlin, 6));
    const stn = stnJointScalar(cubic, 2, s);
    checks.push(printed(`PT-10 STN joint w0 at σ=${s}`, stn.general, stnW, 6));
    checks.push(printed(`PT-10 STN joint θ at σ=${s}`, stn.response, stnT, 6));
  }
  const exact = cubicLinearizedResponseExact(math.fraction(1), math.fraction(1), math.fraction(2), math.fraction(1, 4));
  checks.push(exactCheck('PT-10 linearized θ = 1/4 exactly (rational moment rule, σ = 1/2)', exact.equals(math.fraction(1, 4)), exact.toFraction()));
  // PT-11.
  const p11 = tanhToy(PT11_DATA.x, PT11_DATA.y, { weightDecay: true });
  const w11 = bestResponseScalar(p11, -1);
  checks.push(printed('PT-11 w*', w11, 0.42979628274018, 14));
  checks.push(printed('PT-11 exact J*', bestResponseJacobianScalar(p11, -1, w11), -0.1386407161, 10));
  const gn11 = gaussNewtonIftJacobianScalar(p11, -1, w11);
  checks.push(printed('PT-11 GN-IFT', gn11, -0.16468809472277, 14));
  const g11 = gaussNewtonScalar(p11, -1, w11);
  const pt11: [number, number, number][] = [
    [0.01, -0.16468686, -0.13864094],
    [0.1, -0.16456379, -0.13866231],
    [0.5, -0.16093577, -0.13855477],
  ];
  for (const [s, linV, nonV] of pt11) {
    const q = linearizedResponse(p11, -1, w11, s);
    const cf = weightDecayLinearizedResponse([[g11]], [w11], -1, s)[0];
    checks.push(printed(`PT-11 linearized (quadrature) at σ=${s}`, q, linV, 8));
    checks.push(printed(`PT-11 linearized (closed form L.4) at σ=${s}`, cf, linV, 8));
    checks.push(tolCheck(`PT-11 quadrature = closed form L.4 at σ=${s}`, 'quadrature', relativeError(q, cf), QUADRATURE_TOL));
    checks.push(printed(`PT-11 non-linearized at σ=${s}`, deltaStnResponseScalar(p11, -1, w11, s), nonV, 8));
  }
  // docs/math.md#s4-3 item 3 counterexample: λ in the output, R ≡ 0, non-zero residual.
  const cex = tanhToy(PT11_DATA.x, PT11_DATA.y, { weightDecay: false, lambdaInOutput: true });
  const wc = bestResponseScalar(cex, 0.2, { start: 1 });
  for (const s of [0.1, 0.5, 1]) checks.push(printed(`docs/math.md#s4-3 counterexample linearized θ at σ=${s}`, linearizedResponse(cex, 0.2, wc, s), 2.33576351, 8));
  checks.push(printed('docs/math.md#s4-3 counterexample J*', bestResponseJacobianScalar(cex, 0.2, wc), 1.75565838, 8));
  // Prop. L.1 contrast: the non-linearized objective is not convex on the counterexample toy.
  const neg = minResponseCurvature(cex, 0.2, wc, 0.5, -10, 10, 80);
  checks.push(exactCheck('L1 non-linearized F″(θ) < 0 somewhere (counterexample toy, σ = 0.5)', neg.curvature < 0, `F″(${neg.response}) = ${neg.curvature}`));
  checks.push(exactCheck('L1 linearized F_lin″ > 0 at the same θ', linearizedResponseObjective(cex, 0.2, wc, 0.5)(neg.response).curvature > 0));
  checks.push(...logisticL4Checks());
  return checks;
}

/** Relative size of the logistic gap that counts as "the closed form fails": 1000 × the quadrature tolerance. */
export const L4_GAP_FACTOR = 1000;

/**
 * Prop. L.4 needs ℓ quadratic: on {@link LOGISTIC_L4_DATA} (linear model w·x, weight decay, λ-free output, so every
 * other hypothesis holds) the logistic loss's quadrature minimiser of F_lin and the L.4 closed form differ by
 * ≈ 3.3e-4 relative, against 50-digit values ({@link LOGISTIC_L4_REFERENCE}); with the squared loss on the same
 * data the two agree. Tolerances: src/tolerance.ts (high-precision reference 1e-12, quadrature 1e-8).
 */
export function logisticL4Checks(): Check[] {
  const { x, y, lambda0, sigma } = LOGISTIC_L4_DATA;
  const ref = LOGISTIC_L4_REFERENCE;
  const checks: Check[] = [];
  const logistic = linearModelProblem(x, y, 'logistic');
  const w0 = linearModelBestResponse(logistic, lambda0);
  const g = linearModelGaussNewton(logistic, w0);
  const quad = linearModelLinearizedResponse(logistic, lambda0, w0, sigma);
  const closed = weightDecayLinearizedResponse([[g]], [w0], lambda0, sigma)[0];
  checks.push(tolCheck('L4 logistic counterexample: w0 = 50-digit value', 'reference', relativeError(w0, ref.general), highPrecisionRelTol(1), `w0 = ${w0}`));
  checks.push(tolCheck('L4 logistic counterexample: G_w = 50-digit value', 'reference', relativeError(g, ref.gaussNewton), highPrecisionRelTol(1), `G_w = ${g}`));
  checks.push(tolCheck('L4 logistic counterexample: quadrature θ_lin = 50-digit value', 'quadrature', relativeError(quad, ref.linearized), QUADRATURE_TOL, `θ_lin = ${quad}`));
  checks.push(tolCheck('L4 logistic counterexample: closed form = 50-digit value', 'reference', relativeError(closed, ref.closedForm), highPrecisionRelTol(1), `closed form ${closed}`));
  const gap = relativeError(quad, closed);
  checks.push(exactCheck(`L4 needs ℓ quadratic: logistic θ_lin ≠ closed form (gap > ${L4_GAP_FACTOR} × quadrature tolerance)`, gap > L4_GAP_FACTOR * QUADRATURE_TOL, `θ_lin ${quad}, closed form ${closed}, relative gap ${gap.toExponential(3)}`));
  const squared = linearModelProblem(x, y, 'squared');
  const ws = linearModelBestResponse(squared, lambda0);
  const qs = linearModelLinearizedResponse(squared, lambda0, ws, sigma);
  const cs = weightDecayLinearizedResponse([[linearModelGaussNewton(squared, ws)]], [ws], lambda0, sigma)[0];
  checks.push(tolCheck('L4 same data, squared loss: θ_lin = closed form', 'quadrature', relativeError(qs, cs), QUADRATURE_TOL, `θ_lin ${qs}, closed form ${cs}`));
  return checks;
}

/** The LIN claim for the registry. */
export const linClaim: Claim<LinCase> = {
  id: 'LIN',
  statement:
    'The linearized response objective is convex in Θ (convex loss and R); as σ → 0 its minimiser tends to the Gauss–Newton IFT Jacobian −(G_w+∇²_wR)⁻¹∇²_wλL_T, residual cross term kept (the non-linearized one to J*); under Prop. L.3 it equals that Jacobian for every Σ ≻ 0, and equals J* only when the residual-weighted curvature S has SΘ_GN = 0 (e.g. zero residual); with ℓ quadratic and weight decay θ_lin(σ) = −(G_w+(1+σ²)c)⁻¹c w0.',
  assumptions: [
    'L_T = E_x ℓ(f(x; w, λ)) + R(λ, w); w0 = w*(λ0) with ∇_w L_T = 0 and ∇²_w L_T ≻ 0 (the IFT needs the Hessian invertible; a strict minimiser is not enough); L.2 also needs G_w + ∇²_w R ≻ 0; ε ~ N(0, Σ), Σ = σ²D with D fixed as σ → 0.',
    'Random cases: squared loss; scalar w, λ (tanh(wx), tanh(wx) − λx, tanh(w·x·e^λ), w³ + aw) and w ∈ ℝ^m, m ∈ {2, 3}, λ ∈ ℝ^h, h ∈ {1, 2} (tanh(x·diag(e^λ)w), tanh(x·w) − Sλ, tanh(x·w)).',
    'R is evaluated at w0 + Θε, not linearized (docs/math.md#s3-3).',
    'L.3: ℓ quadratic, f0(ε) affine in ε, J independent of ε, R ≡ 0. L.4: ℓ quadratic, f independent of λ, h = 1, R = ½e^λ‖w‖² (the logistic reference checks show "ℓ quadratic" is needed).',
  ],
  spec: 'docs/math.md#s0-1 (LIN), #s3-3, #s4-3, #pt-10, PT-11',
  proof: 'proofs/LIN.md',
  arbitrary: linCaseArb,
  check: checkLinCase,
  referenceChecks: linReferenceChecks,
};
