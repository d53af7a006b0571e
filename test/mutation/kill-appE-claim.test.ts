/**
 * Killing tests for src/theory/appE/claim.ts (README, "Mutation testing"): APP-E as a claim, i.e. the checks of one
 * case (`checkAppECase`, `checkAppENonlinearCase`), the reference checks (`appEReferenceChecks`, docs/math.md#s6:
 * PT-6, PT-7, PT-9, PT-12, B4), the case generators and the registered claim. test/theory/APP-E.test.ts runs the claim
 * on random cases and only asks that every check passes; these pin what each check computes:
 * - every field of every returned Check (name, kind, error, tolerance, passed, detail) against the check's definition
 *   restated here from the TSDoc and proofs/APP-E.md (`expectedLinear`, `expectedNonlinear`, `expectedReference`
 *   below: the same kernel calls of src/theory/appE/math.ts, general.ts and certified.ts, measured by their own kill
 *   files, combined here independently), compared exactly, so that any change of a scale, a floor, a tolerance, a
 *   sign or a message is seen;
 * - hand-checked facts that do not go through that restatement: the check names and kinds as literals, the m = 1
 *   closed forms w* = b/(a + e^λ0), J* = −e^λ0·b/(a + e^λ0)², the detail texts of a simple case written out, the
 *   degenerate branches (b = 0: w* = 0, so B4's scale is 0 and V2's variance is 0; λ0 = 0: sin λ0 = 0, so S3's units
 *   are 0), the PT-6 values in exact rationals (25/39, 31/39) and the printed PT tables;
 * - the generators, sampled with fixed seeds: every value of each range reached, nothing outside it, shapes h × m;
 * - the typed errors by class, argument and exact message (λ0 not finite, σ out of range, λ0 of the wrong length).
 * Every case is small (m ≤ 2, h ≤ 2) so each test costs milliseconds.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import { conditionNumber, norm2, symmetricEigenvalues } from '../../src/linalg/dense.js';
import { Rng } from '../../src/rng.js';
import {
  APPE_CHECKS,
  PT6_PROBLEM,
  appEClaim,
  appECaseArb,
  appENonlinearCaseArb,
  appEReferenceChecks,
  checkAppECase,
  checkAppENonlinearCase,
  type AppECase,
  type AppENonlinearCase,
} from '../../src/theory/appE/claim.js';
import { certifyPropositionBConstant, kEnclosure } from '../../src/theory/appE/certified.js';
import { bestResponse, bestResponseJacobian, propositionBBias, quarticDecayBiasScale, quarticDecayInnerProblem, stnFixedPoint } from '../../src/theory/appE/general.js';
import {
  APP_E_B4_TAU,
  APP_E_CLAIM_MAX_SCALE,
  deltaStnGeneralGradient,
  expm1MinusLinear,
  generalGradientVariance,
  matVec,
  shifted,
  sinInnerProblem,
  sinToyClosedForms,
  solve,
  stnScaledSystem,
  sub,
  weightDecayBestResponse,
  weightDecayBestResponseJacobian,
  weightDecayDeltaStn,
  weightDecayDeltaStnResponseByQuadrature,
  weightDecayInnerProblem,
  weightDecayPropositionB,
  weightDecayPropositionBRemainder,
  weightDecayStn,
  weightDecayStnBias,
  weightDecayStnGradientDescent,
  weightDecayStnSystemByQuadrature,
  type WeightDecayProblem,
} from '../../src/theory/appE/math.js';
import type { Check } from '../../src/theory/claim.js';
import { deltaStnResponseScalar, sinToy, stnJointScalar } from '../../src/theory/scalarToys.js';
import { closedFormRelTol, finiteDifferenceStep, relativeError, relativeErrorVec } from '../../src/tolerance.js';
import { expectThrows } from './throws.js';

// ───────────────────────────── the checks restated (from the TSDoc and proofs/APP-E.md) ─────────────────────────────

const f10 = (v: readonly number[]): string => '(' + v.map((x) => x.toPrecision(10)).join(', ') + ')';

function tol(name: string, kind: Check['kind'], error: number, tolerance: number, detail: string): Check {
  return { name, kind, error, tolerance, passed: error <= tolerance, detail };
}

function loss(p: WeightDecayProblem, lambda0: number, w: readonly number[]): number {
  // ½wᵀAw − bᵀw + ½e^λ0‖w‖², summed term by term in the claim's order.
  const aw = p.A.map((row) => row.reduce((s, a, k) => s + a * w[k], 0));
  let total = 0;
  for (let i = 0; i < w.length; i++) total = total + 0.5 * w[i] * aw[i] - p.b[i] * w[i] + 0.5 * Math.exp(lambda0) * w[i] * w[i];
  return total;
}

/** The central difference of loss(λ0, ·) at w, one step for every coordinate, scaled by ‖w‖∞. */
function lossGradientFd(p: WeightDecayProblem, lambda0: number, w: readonly number[]): number[] {
  const step = finiteDifferenceStep(Math.max(...w.map(Math.abs)));
  return w.map((_, i) => {
    const plus = w.map((v, j) => (j === i ? v + step : v));
    const minus = w.map((v, j) => (j === i ? v - step : v));
    return (loss(p, lambda0, plus) - loss(p, lambda0, minus)) / (2 * step);
  });
}

const NODES_BY_H = [10, 6, 5];

function expectedNonlinear(c: AppENonlinearCase): Check[] {
  const inner = quarticDecayInnerProblem(c);
  const h = c.C[0].length;
  const m = c.A.length;
  const size = `m=${m}, h=${h}, γ=${c.gamma}, λ0=${f10(c.lambda0)}, σ̂=${f10(c.sigma)}`;
  const br = bestResponse(inner, c.lambda0, Array.from({ length: m }, () => 0));
  const w = br.x;
  const J = bestResponseJacobian(inner, c.lambda0, w);
  const kH = conditionNumber(inner.hessW(c.lambda0, w));
  const errs: number[] = [br.converged ? 0 : Infinity];
  for (let k = 0; k < h; k++) {
    const step = finiteDifferenceStep(c.lambda0[k]);
    const up = c.lambda0.slice();
    up[k] += step;
    const down = c.lambda0.slice();
    down[k] -= step;
    const wp = bestResponse(inner, up, w);
    const wm = bestResponse(inner, down, w);
    const column = J.map((row) => row[k]);
    const fd = wp.x.map((v, i) => (v - wm.x[i]) / (2 * step));
    errs.push(wp.converged && wm.converged ? norm2(sub(fd, column)) / Math.max(norm2(column), norm2(w), 1e-300) : Infinity);
  }
  const n1 = tol(APPE_CHECKS.nonlinearJacobian, 'finite-difference', Math.max(...errs), 1e-6 * kH, `${size}, J* column norms ${f10(J[0])}…`);
  const nodes = NODES_BY_H[h - 1];
  const s1 = stnFixedPoint(inner, c.lambda0, c.sigma, { general: w, response: J }, { nodes });
  const s2 = stnFixedPoint(inner, c.lambda0, c.sigma.map((v) => 0.5 * v), { general: w, response: J }, { nodes });
  const d1 = sub(s1.general, w);
  const d2 = sub(s2.general, w);
  const alphaR = d2.map((v, i) => (16 * v - d1[i]) / 3);
  const approx = propositionBBias(inner, c.lambda0, w, J, c.sigma, { nodes: 3 }).bias;
  const unit = Math.max(...c.sigma) ** 4 * quarticDecayBiasScale(c, c.lambda0, w, J, c.sigma) + closedFormRelTol(kH) * norm2(w);
  const err = s1.converged && s2.converged ? norm2(sub(alphaR, approx)) / unit : Infinity;
  const n2 = tol(
    APPE_CHECKS.nonlinearPropB,
    'quadrature',
    err,
    1,
    `error in units of σ̂⁴·scale + closedFormRelTol(κ)‖w*‖ = ${unit.toExponential(3)}: α_R=${f10(alphaR)}, Prop. B=${f10(approx)}, ${size}, Newton ${s1.iterations}+${s2.iterations} its`,
  );
  return [n1, n2];
}

function expectedLinear(c: AppECase): Check[] {
  const { A, b, lambda0: l, sigma } = c;
  const p: WeightDecayProblem = { A, b };
  const m = A.length;
  const e = Math.exp(l);
  const s = sigma * sigma;
  const cc = Math.exp(l + s / 2);
  const size = `m=${m}, λ0=${l}, σ=${sigma}`;
  const out: Check[] = [];
  // W1
  const stn = weightDecayStn(p, l, sigma);
  const sys = weightDecayStnSystemByQuadrature(p, l, sigma);
  const xq = solve(sys.matrix, sys.rhs, 'A');
  const kStn = conditionNumber(stnScaledSystem(A, cc, sigma));
  const psi = stn.general.concat(stn.response.map((v) => v * sigma));
  out.push(tol(APPE_CHECKS.stnClosedForm, 'quadrature', relativeErrorVec(psi, xq), Math.max(1e-8, closedFormRelTol(kStn)), `${size}, κ=${kStn.toPrecision(3)}`));
  // W2
  const delta = weightDecayDeltaStn(p, l, sigma);
  const w = delta.general;
  const kH = conditionNumber(shifted(A, e));
  const res = deltaStnGeneralGradient(p, l, w, delta.response, 0);
  const rs = norm2(matVec(shifted(A, e), w)) + norm2(b);
  out.push(tol(APPE_CHECKS.deltaGeneral, 'float64', norm2(res) / (rs === 0 ? 1 : rs), closedFormRelTol(kH), `‖∇‖=${norm2(res)}, ${size}`));
  const thetaQ = weightDecayDeltaStnResponseByQuadrature(p, l, sigma, w);
  out.push(tol(APPE_CHECKS.deltaResponse, 'quadrature', relativeErrorVec(delta.response, thetaQ, norm2(w)), Math.max(1e-8, closedFormRelTol(kH)), size));
  const J = weightDecayBestResponseJacobian(p, l);
  const hFd = finiteDifferenceStep(l);
  const wUp = weightDecayBestResponse(p, l + hFd);
  const wDown = weightDecayBestResponse(p, l - hFd);
  const jFd = wUp.map((v, i) => (v - wDown[i]) / (2 * hFd));
  out.push(tol(APPE_CHECKS.jacobian, 'finite-difference', norm2(sub(jFd, J)) / Math.max(norm2(J), norm2(w), 1e-300), 1e-6 * kH, `J*=${f10(J)}, fd=${f10(jFd)}`));
  // W3
  const bias = weightDecayStnBias(p, l, sigma);
  out.push(tol(APPE_CHECKS.bias, 'float64', norm2(sub(bias, sub(stn.general, w))) / Math.max(norm2(w), 1e-300), closedFormRelTol(kStn * kH), `δ=${f10(bias)} (relative to ‖w*‖)`));
  // B4
  const approx = weightDecayPropositionB(p, l, sigma);
  const rem = weightDecayPropositionBRemainder(p, l, sigma);
  const rho = e / (symmetricEigenvalues(A)[0] + e);
  const remScale = s * rho * norm2(w) + norm2(bias) + norm2(approx);
  const kM = conditionNumber(shifted(A, (1 + s) * cc));
  out.push(tol(APPE_CHECKS.propBRemainder, 'float64', norm2(sub(sub(bias, approx), rem)) / remScale, closedFormRelTol(kStn * kH * kM), `r=${f10(rem)}, δ − approx=${f10(sub(bias, approx))}`));
  const scale = 0.5 * s * s * rho * (1 + 2 * rho) * norm2(w);
  out.push(
    tol(
      APPE_CHECKS.propB,
      'float64',
      scale === 0 ? 0 : norm2(rem) / scale,
      kEnclosure([s, s])[1] + APP_E_B4_TAU,
      `‖r‖/(σ⁴·½ρ(1+2ρ)‖w*‖) vs K(σ²)+τ; δ=${f10(bias)}, approx=${f10(approx)}, ρ=${rho.toPrecision(4)}`,
    ),
  );
  // B3
  const inner = weightDecayInnerProblem(p);
  const theta = J.map((v) => [v]);
  const general = propositionBBias(inner, [l], w, theta, [sigma]);
  out.push(tol(APPE_CHECKS.propBGeneral, 'quadrature', relativeErrorVec(general.bias, approx, 1e-300), Math.max(1e-8, closedFormRelTol(kH)), f10(general.bias)));
  const fd = propositionBBias(inner, [l], w, theta, [sigma], { finiteDifferences: true, nodes: 8 });
  const gradScale = norm2(matVec(A, w)) + e * norm2(w) + norm2(b);
  const floor = s * gradScale === 0 ? 1e-300 : s * gradScale;
  out.push(tol(APPE_CHECKS.propBFiniteDiff, 'finite-difference', relativeErrorVec(fd.expectedQ, general.expectedQ, floor), 1e-6, `E[Q]=${f10(general.expectedQ)}`));
  // G1
  const gd = weightDecayStnGradientDescent(p, l, sigma, 50);
  const start = w.concat(J.map((v) => v * sigma));
  const excess = gd.distanceToStn[49] - gd.contraction ** 50 * norm2(sub(start, psi));
  out.push(
    tol(
      APPE_CHECKS.descent,
      'quadrature',
      gd.contraction < 1 ? Math.max(0, excess) / Math.max(norm2(psi), 1e-300) : Infinity,
      Math.max(1e-8, closedFormRelTol(kStn)),
      `ρ=${gd.contraction.toPrecision(6)}, ‖w0−w*‖ after 50 steps ${gd.distanceToBestResponse[49].toExponential(4)} vs ‖δ‖=${norm2(bias).toExponential(4)}`,
    ),
  );
  // S1–S3
  const cf = sinToyClosedForms(l, sigma);
  const q = stnJointScalar(sinToy(), l, sigma);
  out.push(tol(APPE_CHECKS.sinStn, 'quadrature', Math.max(Math.abs(q.general - cf.stn.general), Math.abs(q.response - cf.stn.response)), 1e-8, `quadrature (${q.general}, ${q.response})`));
  const th = deltaStnResponseScalar(sinToy(), l, Math.sin(l), sigma);
  out.push(tol(APPE_CHECKS.sinDelta, 'quadrature', Math.abs(th - cf.deltaStn.response), 1e-8, `θ=${th}`));
  const x = s / 2;
  const sl = Math.sin(l);
  const dTrue = sl * Math.expm1(-x);
  const ap = propositionBBias(sinInnerProblem(), [l], [sl], [[Math.cos(l)]], [sigma]).bias[0];
  const r = sl * expm1MinusLinear(-x);
  const u = Math.abs(sl) * x;
  let routineErr: number;
  if (u === 0) routineErr = ap === 0 && dTrue === 0 ? 0 : Infinity;
  else routineErr = Math.max(Math.abs(ap + x * sl), Math.abs(dTrue - ap - r)) / u;
  out.push(tol(APPE_CHECKS.sinPropBRoutine, 'float64', routineErr, closedFormRelTol(1), `approx=${ap}, δ=${dTrue}, series r=${r}`));
  const bound = (s * s * Math.abs(sl)) / 8;
  const boundErr = bound === 0 ? (r === 0 ? 0 : Infinity) : Math.abs(r) / bound;
  out.push(tol(APPE_CHECKS.sinPropB, 'float64', boundErr, 1 + closedFormRelTol(1), `r=${r}, bound=${bound} (ratio 1 − σ²/6 + O(σ⁴))`));
  // V1–V2
  const g = deltaStnGeneralGradient(p, l, stn.general, stn.response, 0);
  const gFd = lossGradientFd(p, l, stn.general);
  const gScale = norm2(matVec(shifted(A, e), stn.general)) + norm2(b);
  out.push(tol(APPE_CHECKS.generalGradient, 'finite-difference', norm2(sub(g, gFd)) / gScale, 1e-6, `∇=${f10(g)}, fd=${f10(gFd)}`));
  const v = generalGradientVariance(p, l, sigma, delta, stn, new Rng(12), 100);
  const holds = v.stnVariance > 0 === norm2(b) > 0;
  out.push({ name: APPE_CHECKS.stnVariance, kind: 'exact', error: holds ? 0 : 1, tolerance: 0, passed: holds, detail: `STN variance ${v.stnVariance.toExponential(3)}` });
  if (c.nonlinear !== undefined) out.push(...expectedNonlinear(c.nonlinear));
  return out;
}

function printed(name: string, got: readonly number[], values: readonly number[], digits: number): Check {
  let err = -Infinity;
  got.forEach((g, i) => (err = Math.max(err, Math.abs(g - values[i]))));
  return tol(name, 'reference', err, 0.5 * Math.pow(10, -digits), `got ${f10(got)}, printed ${f10(values)}`);
}

function significant(name: string, got: number, value: number, digits: number): Check {
  const unit = Math.pow(10, Math.floor(Math.log10(Math.abs(value))) - digits + 1);
  return tol(name, 'reference', Math.abs(got - value), 0.5 * unit, `got ${got.toPrecision(digits + 2)}, printed ${value} (${digits} significant figures)`);
}

function expectedReference(): Check[] {
  const p: WeightDecayProblem = {
    A: [
      [2 / 3, 1 / 3],
      [1 / 3, 5 / 3],
    ],
    b: [4 / 3, 7 / 3],
  };
  const out: Check[] = [];
  const w = weightDecayBestResponse(p, 0);
  const J = weightDecayBestResponseJacobian(p, 0);
  const stn = weightDecayStn(p, 0, 0.5);
  const delta = weightDecayDeltaStn(p, 0, 0.5);
  out.push(printed('PT-6 w*(0)', w, [0.641025641, 0.7948717949], 10));
  out.push(printed('PT-6 J*', J, [-0.3333333333, -0.2564102564], 10));
  out.push(printed('PT-6 STN w0 (σ=0.5)', stn.general, [0.6447300498, 0.7823306705], 10));
  out.push(printed('PT-6 STN θ (σ=0.5)', stn.response, [-0.3100686351, -0.2540105771], 10));
  // (A + I)⁻¹b = (25/39, 31/39) by hand: det(A + I) = 5/3·8/3 − 1/9 = 39/9.
  const exact = [25 / 39, 31 / 39];
  out.push(
    tol(
      'PT-6 Δ-STN w0 = (A+I)⁻¹b solved in exact rationals (25/39, 31/39)',
      'float64',
      relativeErrorVec(delta.general, exact),
      closedFormRelTol(conditionNumber(shifted(p.A, 1))),
      `got ${f10(delta.general)}, exact ${f10(exact)}`,
    ),
  );
  out.push(printed('PT-6 Δ-STN θ (σ=0.5)', delta.response, [-0.3072675106, -0.2589227281], 10));
  for (const [sigma, value] of [
    [0.01, 1.1300049758e-5],
    [0.1, 1.1264000129e-3],
    [0.3, 9.8849118663e-3],
    [1.0, 8.7987127607e-2],
  ]) {
    out.push(significant(`PT-6 ‖θ_Δ − J*‖ at σ=${sigma}`, norm2(sub(weightDecayDeltaStn(p, 0, sigma).response, J)), value, 11));
  }
  for (const [sigma, value] of [
    [0.05, 1.1e-3],
    [0.1, 4.6e-3],
    [0.2, 1.8e-2],
  ]) {
    const d = weightDecayStnBias(p, 0, sigma);
    const rel = norm2(sub(d, weightDecayPropositionB(p, 0, sigma))) / norm2(d);
    out.push(tol(`PT-7 Prop. B relative error ≤ 3σ² at σ=${sigma}`, 'reference', rel, 3 * sigma * sigma, `relative error ${rel.toExponential(3)}`));
    out.push(significant(`PT-7 relative error ≈ ${value} at σ=${sigma}`, rel, value, 2));
  }
  const cf = sinToyClosedForms(0.7, 0.5);
  const q = stnJointScalar(sinToy(), 0.7, 0.5);
  const th = deltaStnResponseScalar(sinToy(), 0.7, Math.sin(0.7), 0.5);
  out.push(printed('PT-9 STN w0 (closed form)', [cf.stn.general], [0.5685201136], 10));
  out.push(printed('PT-9 STN w0 (quadrature)', [q.general], [0.5685201136], 10));
  out.push(printed('PT-9 Δ-STN w0', [cf.deltaStn.general], [0.6442176872], 10));
  out.push(printed('PT-9 θ (closed form, both methods)', [cf.stn.response, cf.deltaStn.response], [0.6749708612, 0.6749708612], 10));
  out.push(printed('PT-9 θ (quadrature: STN, Δ-STN)', [q.response, th], [0.6749708612, 0.6749708612], 10));
  out.push(printed('PT-9 true J', [cf.bestResponseJacobian], [0.7648421873], 10));
  const v = generalGradientVariance(p, 0, 0.5, delta, stn, new Rng(2020), 100);
  const g = deltaStnGeneralGradient(p, 0, stn.general, stn.response, 0);
  out.push(tol('PT-12 Δ-STN ∇w0 at the STN point = central difference of L_T(0, ·)', 'finite-difference', relativeErrorVec(g, lossGradientFd(p, 0, stn.general), norm2(p.b)), 1e-6, `∇=${f10(g)}`));
  out.push({ name: 'PT-12 STN ∇w0 sample variance > 0', kind: 'exact', error: v.stnVariance > 0 ? 0 : 1, tolerance: 0, passed: v.stnVariance > 0, detail: `variance ${v.stnVariance.toExponential(4)}` });
  const gd = weightDecayStnGradientDescent(p, 0, 0.5, 2000);
  const dNorm = norm2(sub(stn.general, w));
  const at1000 = gd.distanceToBestResponse[999];
  const at2000 = gd.distanceToBestResponse[1999];
  out.push(
    tol(
      'PT-6 GD on the STN objective: ‖w0 − w*‖ → ‖δ‖ (not 0) after 1000 and 2000 steps',
      'quadrature',
      Math.max(relativeError(at2000, dNorm), relativeError(at1000, dNorm)),
      1e-8,
      `‖δ‖=${dNorm.toExponential(6)}, after 1000: ${at1000.toExponential(6)}, after 2000: ${at2000.toExponential(6)}`,
    ),
  );
  const cert = certifyPropositionBConstant(4, APP_E_B4_TAU);
  out.push({
    name: `B4 certified: sup_u R(u, s) ≤ K(s) + ${APP_E_B4_TAU} for all s = σ² ∈ [0, 4]`,
    kind: 'exact',
    error: cert.certified ? 0 : 1,
    tolerance: 0,
    passed: cert.certified,
    detail: `${cert.boxes} boxes, largest excess over K(s) ${cert.worstExcess.toExponential(3)}`,
  });
  return out;
}

// ─────────────────────────────────────────────────────── cases ───────────────────────────────────────────────────────

/** The linear checks' names and kinds, in order, as literals (one per proof step of proofs/APP-E.md). */
const LINEAR_NAMES: [string, Check['kind']][] = [
  ['W1 STN (w0, θ): 2m×2m closed form = quadrature stationarity', 'quadrature'],
  ['W2 Δ-STN general step: ∇_wL_T(λ0, w0) = 0 at w0 = (A+e^λ0 I)⁻¹b', 'float64'],
  ['W2 Δ-STN θ = −(A+(1+σ²)cI)⁻¹c w0 = quadrature stationarity', 'quadrature'],
  ['W2 J* = −(A+e^λ0 I)⁻¹e^λ0 w* = central difference of w*(λ)', 'finite-difference'],
  ['W3 δ closed form (no cancellation) = w0^STN − w*', 'float64'],
  ['B4 remainder formula r = δ − Prop. B (no cancellation) = the direct subtraction', 'float64'],
  ['B4 Prop. B: ‖r‖ ≤ (K(σ²)+τ)·σ²·½σ²ρ(1+2ρ)‖w*‖, K certified', 'float64'],
  ['B3 −½H⁻¹E[Q] by quadrature (analytic Q) = weight-decay formula', 'quadrature'],
  ['B3 E[Q] with Q by finite differences = analytic Q', 'finite-difference'],
  ['G1 GD on the STN objective contracts to the biased point (ρ < 1)', 'quadrature'],
  ['S1 sin toy STN (w0, θ) = (sin λ0, cos λ0)e^{−σ²/2} (quadrature Newton)', 'quadrature'],
  ['S2 sin toy Δ-STN θ = E[cos(λ0+ε)] = cos λ0 e^{−σ²/2} (Stein)', 'quadrature'],
  ['S3 sin toy: routine −½H⁻¹E[Q] = −½σ² sin λ0, and δ − approx = sin λ0·(e^{−x}−1+x)', 'float64'],
  ['S3 sin toy Prop. B: |δ − approx| ≤ σ⁴|sin λ0|/8 (series, no cancellation)', 'float64'],
  ['V1 Δ-STN ∇w0 = (A+e^λ0 I)w0 − b = central difference of L_T(λ0, ·)', 'finite-difference'],
  ['V2 STN ∇w0 has positive sample variance (b ≠ 0)', 'exact'],
];
const NONLINEAR_NAMES: [string, Check['kind']][] = [
  ['N1 nonlinear toy: J* = −H⁻¹∂λ∇wL_T = central difference of w*(λ) (Newton)', 'finite-difference'],
  ['N2 nonlinear toy (h ≥ 1, w–w terms): Richardson σ²-coefficient of the true STN δ = −½H⁻¹E[Q]', 'quadrature'],
];

/** h = 2, m = 2, different λ0_k and σ̂_k (so that the columns, max σ̂ and σ̂/2 are each seen). */
function nonlinear2(): AppENonlinearCase {
  return {
    A: [
      [2, 0.5],
      [0.5, 1],
    ],
    b: [1, -0.75],
    C: [
      [0.5, -0.25],
      [1, 0.75],
    ],
    gamma: 0.5,
    lambda0: [0.25, -0.5],
    sigma: [0.1, 0.2],
  };
}

/** h = 1, m = 1. */
function nonlinear1(): AppENonlinearCase {
  return { A: [[1.5]], b: [0.75], C: [[-0.5]], gamma: 2, lambda0: [0.75], sigma: [0.05] };
}

function coupled(lambda0: number, sigma: number, b: number[] = [1, -1]): AppECase {
  return {
    A: [
      [2, 0.5],
      [0.5, 1],
    ],
    b,
    lambda0,
    sigma,
  };
}

function expectShape(checks: Check[], names: [string, Check['kind']][]): void {
  expect(checks.map((c) => [c.name, c.kind])).toEqual(names);
  for (const c of checks) expect(c.passed).toBe(c.error <= c.tolerance);
}

describe('checkAppECase: every field of every check against the restated checks', () => {
  test('m = 2, λ0 = ½, σ = ½, with an h = 2 nonlinear part: 18 checks, all pass, all fields as restated', () => {
    const c = { ...coupled(0.5, 0.5), nonlinear: nonlinear2() };
    const got = checkAppECase(c);
    expectShape(got, [...LINEAR_NAMES, ...NONLINEAR_NAMES]);
    expect(got).toEqual(expectedLinear(c));
    for (const k of got) expect(k.passed).toBe(true);
    // The sizes of the errors, by hand: W1 … S2 agree to float64 or quadrature accuracy, S3's bound is tight
    // (ratio 2(e^{−x}−1+x)/x² with x = ⅛: 0.9596…), G1 starts inside its contraction bound (error exactly 0).
    expect(got[9].error).toBe(0);
    expect(got[13].error).toBeCloseTo((2 * (Math.exp(-0.125) - 1 + 0.125)) / 0.125 ** 2, 13);
    expect(got[13].tolerance).toBe(1 + closedFormRelTol(1));
    expect(got[15]).toEqual({ name: LINEAR_NAMES[15][0], kind: 'exact', error: 0, tolerance: 0, passed: true, detail: got[15].detail });
    expect(got[15].detail).toMatch(/^STN variance \d\.\d{3}e[-+]\d+$/);
  });

  test('no nonlinear part: exactly the 16 linear checks', () => {
    const c = coupled(-1.25, 1);
    const got = checkAppECase(c);
    expectShape(got, LINEAR_NAMES);
    expect(got).toEqual(expectedLinear(c));
    for (const k of got) expect(k.passed).toBe(true);
  });

  test('m = 1 hand-worked: A = [[3]], b = [2], λ0 = 0: w* = ½, J* = −⅛ in the details; sizes and κ in the details', () => {
    const c: AppECase = { A: [[3]], b: [2], lambda0: 0, sigma: 0.5, nonlinear: nonlinear1() };
    const got = checkAppECase(c);
    expectShape(got, [...LINEAR_NAMES, ...NONLINEAR_NAMES]);
    expect(got).toEqual(expectedLinear(c));
    // J* = −e^0·2/(3 + 1)² = −⅛, w* = 2/4 = ½: the W2 detail prints J* to 10 significant figures.
    expect(got[3].detail).toMatch(/^J\*=\(-0\.1250000000\), fd=\(-0\.12500000\d\d\)$/);
    expect(got[2].detail).toBe('m=1, λ0=0, σ=0.5');
    expect(got[1].detail).toMatch(/^‖∇‖=[0-9.e-]+, m=1, λ0=0, σ=0\.5$/);
    expect(got[0].detail).toMatch(/^m=1, λ0=0, σ=0\.5, κ=\d\.\d\d(e\+\d+)?$/);
    // λ0 = 0: sin λ0 = 0, so S3's units are 0 and both S3 checks take their exact branch (error 0, not 0/0).
    expect(got[12].error).toBe(0);
    expect(got[13].error).toBe(0);
    expect(got[12].detail).toBe('approx=0, δ=0, series r=0');
    expect(got[13].detail).toBe('r=0, bound=0 (ratio 1 − σ²/6 + O(σ⁴))');
    // B4: ρ = e^0/(3 + 1) = ¼, printed to 4 figures.
    expect(got[6].detail).toMatch(/, ρ=0\.2500$/);
    expect(got[6].tolerance).toBe(kEnclosure([0.25, 0.25])[1] + APP_E_B4_TAU);
    expect(got[16].detail).toMatch(/^m=1, h=1, γ=2, λ0=\(0\.7500000000\), σ̂=\(0\.05000000000\), J\* column norms \(0\.0\d{10}\)…$/);
    for (const k of got) expect(k.passed).toBe(true);
  });

  test('b = 0: w* = 0, so B4 takes its scale-0 branch (error 0), V1 divides 0 by 0 and V2 holds (variance 0, b = 0)', () => {
    const c = coupled(0.75, 0.25, [0, 0]);
    const got = checkAppECase(c);
    expectShape(got, LINEAR_NAMES);
    expect(got).toEqual(expectedLinear(c));
    expect(got[1].error).toBe(0);
    expect(got[6].error).toBe(0);
    expect(got[8].error).toBe(0);
    expect(got[14].error).toBeNaN();
    expect(got[14].passed).toBe(false);
    expect(got[15]).toEqual({ name: LINEAR_NAMES[15][0], kind: 'exact', error: 0, tolerance: 0, passed: true, detail: 'STN variance 0.000e+0' });
  });

  test('tiny σ = 1e-5 and the largest σ = 2 at negative λ0: as restated, all pass', () => {
    for (const c of [coupled(-2.5, 1e-5), { A: [[0.5]], b: [-1.5], lambda0: 1.75, sigma: APP_E_CLAIM_MAX_SCALE }]) {
      const got = checkAppECase(c);
      expectShape(got, LINEAR_NAMES);
      expect(got).toEqual(expectedLinear(c));
      for (const k of got) expect(k.passed).toBe(true);
    }
  });

  test('κ ≈ 1e17 (A = diag(1, 1e-17), λ0 = −50): the G1 contraction 1 − λmin/λmax rounds to 1, so G1 fails with error ∞', () => {
    const c: AppECase = {
      A: [
        [1, 0],
        [0, 1e-17],
      ],
      b: [1, 1],
      lambda0: -50,
      sigma: 0.5,
    };
    const got = checkAppECase(c);
    expectShape(got, LINEAR_NAMES);
    expect(got).toEqual(expectedLinear(c));
    expect(got[9].error).toBe(Infinity);
    expect(got[9].passed).toBe(false);
    expect(got[9].detail).toMatch(/^ρ=1\.00000, /);
  });

  test('λ0 = 1e-300, σ = 2.13e-6: the S3 bound σ⁴|sin λ0|/8 underflows to 0 (a tie at ½ of the least subnormal) while the series r is 5e-324, so S3 fails with error ∞', () => {
    const c = coupled(1e-300, 2.13e-6);
    const got = checkAppECase(c);
    expectShape(got, LINEAR_NAMES);
    expect(got).toEqual(expectedLinear(c));
    expect(got[13].error).toBe(Infinity);
    expect(got[13].passed).toBe(false);
    expect(got[13].detail).toBe('r=5e-324, bound=0 (ratio 1 − σ²/6 + O(σ⁴))');
  });

  test('b = (5e-162, −5e-162): ‖b‖ > 0 but the STN variance (~1e-3·‖b‖²) underflows to 0, so V2 fails', () => {
    const c = coupled(0.5, 0.5, [5e-162, -5e-162]);
    const got = checkAppECase(c);
    expect(got).toEqual(expectedLinear(c));
    expect(got[15]).toEqual({ name: LINEAR_NAMES[15][0], kind: 'exact', error: 1, tolerance: 0, passed: false, detail: 'STN variance 0.000e+0' });
  });

  test('typed errors: λ0 not finite names lambda0; σ beyond the claim range 2 names sigma; A not SPD names A', () => {
    expectThrows(() => checkAppECase(coupled(NaN, 0.5)), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got NaN');
    expectThrows(
      () => checkAppECase(coupled(0, 2.0000000000000004)),
      InvalidArgumentError,
      'sigma',
      'sigma: expected 0 < σ ≤ 2 (beyond it e^{λ0+σ²/2} overflows or the 80-node quadrature of e^{σz} loses accuracy), got 2.0000000000000004',
    );
    expectThrows(() => checkAppECase({ A: [[1, 0]], b: [1], lambda0: 0, sigma: 1 }), ShapeMismatchError, 'A', 'A: expected shape 1×1, got row 0 of length 2');
  });
});

describe('checkAppENonlinearCase', () => {
  test('h = 2, m = 2: N1 and N2 as restated, both pass', () => {
    const got = checkAppENonlinearCase(nonlinear2());
    expectShape(got, NONLINEAR_NAMES);
    expect(got).toEqual(expectedNonlinear(nonlinear2()));
    for (const k of got) expect(k.passed).toBe(true);
    expect(got[1].tolerance).toBe(1);
    expect(got[1].detail).toMatch(/^error in units of σ̂⁴·scale \+ closedFormRelTol\(κ\)‖w\*‖ = \d\.\d{3}e-\d+: α_R=\(.+\), Prop\. B=\(.+\), m=2, h=2, γ=0\.5, λ0=\(0\.2500000000, -0\.5000000000\), σ̂=\(0\.1000000000, 0\.2000000000\), Newton \d+\+\d+ its$/);
  });

  test('h = 1, m = 1: as restated', () => {
    expect(checkAppENonlinearCase(nonlinear1())).toEqual(expectedNonlinear(nonlinear1()));
  });

  test('h = 1 with a large σ̂C = 2.4: the σ̂/2 solve uses the same 10-node rule as the σ̂ solve (8 nodes would differ), as restated', () => {
    const c: AppENonlinearCase = { A: [[1]], b: [1], C: [[3]], gamma: 0.5, lambda0: [0], sigma: [0.8] };
    expect(checkAppENonlinearCase(c)).toEqual(expectedNonlinear(c));
  });

  test('λ0 of the wrong length: ShapeMismatchError naming nonlinear.lambda0', () => {
    const c = { ...nonlinear2(), lambda0: [0.25] };
    expectThrows(() => checkAppENonlinearCase(c), ShapeMismatchError, 'nonlinear.lambda0', 'nonlinear.lambda0: expected shape length 2, got length 1');
    const c3 = { ...nonlinear1(), lambda0: [0, 0, 0] };
    expectThrows(() => checkAppENonlinearCase(c3), ShapeMismatchError, 'nonlinear.lambda0', 'nonlinear.lambda0: expected shape length 1, got length 3');
  });
});

describe('appEReferenceChecks: PT-6, PT-7, PT-9, PT-12 and B4', () => {
  test('26 checks, every field as restated, all pass', () => {
    const got = appEReferenceChecks();
    expect(got.length).toBe(26);
    expect(got).toEqual(expectedReference());
    for (const k of got) expect(k.passed).toBe(true);
    // A few by hand: w*(0) = (A + I)⁻¹b = (25/39, 31/39); the printed tolerance ½·10⁻¹⁰; 11 significant figures of
    // 1.1300049758e-5 are a unit of 1e-15; PT-7's tolerance 3σ² at σ = 0.05 is 0.0075.
    expect(got[0].detail).toBe('got (0.6410256410, 0.7948717949), printed (0.6410256410, 0.7948717949)');
    expect(got[0].tolerance).toBe(0.5 * 1e-10);
    expect(got[6].tolerance).toBe(0.5 * 1e-15);
    expect(got[6].name).toBe('PT-6 ‖θ_Δ − J*‖ at σ=0.01');
    expect(got[10].tolerance).toBe(3 * 0.05 * 0.05);
    expect(got[11].tolerance).toBe(0.5 * Math.pow(10, -4));
    expect(got[11].name).toBe('PT-7 relative error ≈ 0.0011 at σ=0.05');
    expect(got[4].detail).toBe('got (0.6410256410, 0.7948717949), exact (0.6410256410, 0.7948717949)');
    expect(got[25].name).toBe('B4 certified: sup_u R(u, s) ≤ K(s) + 0.001 for all s = σ² ∈ [0, 4]');
    expect(got[25].detail).toBe('5111 boxes, largest excess over K(s) 1.000e-3');
    expect(got[25].detail).toMatch(/^\d+ boxes, largest excess over K\(s\) -?\d\.\d{3}e[-+]\d+$/);
    expect(PT6_PROBLEM).toEqual({
      A: [
        [2 / 3, 1 / 3],
        [1 / 3, 5 / 3],
      ],
      b: [4 / 3, 7 / 3],
    });
  });
});

describe('the generators (fixed seeds)', () => {
  test('appECaseArb: m ∈ [1, 4], A SPD and symmetric, b ≠ 0 rational (zero entries allowed), λ0 ∈ {0} ∪ ¼ℤ ∩ [−5, 5], σ in its three families', () => {
    const cases = fc.sample(appECaseArb, { seed: 7, numRuns: 100 });
    const ms = new Set<number>();
    const lambdas = new Set<number>();
    const sigmas = new Set<number>();
    let zeroEntry = 0;
    for (const c of cases) {
      const m = c.A.length;
      ms.add(m);
      expect(c.b.length).toBe(m);
      expect(c.b.some((x) => x !== 0)).toBe(true);
      if (c.b.some((x) => x === 0)) zeroEntry++;
      for (const row of c.A) expect(row.length).toBe(m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) expect(c.A[i][j]).toBe(c.A[j][i]);
      expect(symmetricEigenvalues(c.A)[0]).toBeGreaterThan(0);
      for (const x of c.b) expect(typeof x).toBe('number');
      expect(Number.isInteger(c.lambda0 * 4) && Math.abs(c.lambda0) <= 5).toBe(true);
      lambdas.add(c.lambda0);
      sigmas.add(c.sigma);
      expect(c.nonlinear).toBeDefined();
    }
    expect([...ms].sort()).toEqual([1, 2, 3, 4]);
    // the filter asks for one nonzero entry of b, not all
    expect(zeroEntry).toBeGreaterThan(0);
    // λ0: both signs, non-integer quarters, and 0 (from both arms)
    expect(lambdas.has(0)).toBe(true);
    // the constant-0 arm has weight 1 of 5: about a fifth of the cases (the integer arm alone gives 0 in ~2 %)
    expect(cases.filter((c) => c.lambda0 === 0).length).toBeGreaterThan(8);
    expect([...lambdas].some((l) => l < -1 && !Number.isInteger(l))).toBe(true);
    expect([...lambdas].some((l) => l > 1 && !Number.isInteger(l))).toBe(true);
    const allowedSigma = [1e-5, 1e-4, 1e-3, ...Array.from({ length: 16 }, (_, k) => (k + 1) / 8)];
    for (const s of sigmas) expect(allowedSigma).toContain(s);
    for (const s of [1e-5, 1e-4, 1e-3, 1, 0.125, 0.375, 2]) expect(sigmas.has(s)).toBe(true);
    // the weights 1 : 1 : 4 of tiny, 1 and k/8: tiny σ in roughly a sixth of the cases
    const tiny = cases.filter((c) => c.sigma < 0.01).length;
    expect(tiny).toBeGreaterThan(4);
    expect(tiny).toBeLessThan(35);
  });

  test('appENonlinearCaseArb: h, m ∈ [1, 3], C m×h and λ0 in quarters of [−1, 1], γ and σ̂ from their sets, b ≠ 0', () => {
    const cases = fc.sample(appENonlinearCaseArb, { seed: 11, numRuns: 200 });
    const hs = new Set<number>();
    const ms = new Set<number>();
    const quarters = new Set<number>();
    const gammas = new Set<number>();
    const sigmas = new Set<number>();
    for (const c of cases) {
      const m = c.A.length;
      const h = c.lambda0.length;
      hs.add(h);
      ms.add(m);
      expect(c.C.length).toBe(m);
      for (const row of c.C) expect(row.length).toBe(h);
      expect(c.sigma.length).toBe(h);
      expect(c.b.length).toBe(m);
      expect(c.b.some((x) => x !== 0)).toBe(true);
      for (const x of c.b) expect(typeof x).toBe('number');
      for (const row of c.A) expect(row.length).toBe(m);
      expect(symmetricEigenvalues(c.A)[0]).toBeGreaterThan(0);
      for (const x of [...c.C.flat(), ...c.lambda0]) {
        expect(Number.isInteger(4 * x) && Math.abs(x) <= 1).toBe(true);
        quarters.add(x);
      }
      gammas.add(c.gamma);
      for (const s of c.sigma) sigmas.add(s);
    }
    expect([...hs].sort()).toEqual([1, 2, 3]);
    expect([...ms].sort()).toEqual([1, 2, 3]);
    expect(quarters.size).toBe(9);
    expect([...gammas].sort((a, b) => a - b)).toEqual([0.25, 0.5, 1, 2]);
    expect([...sigmas].sort((a, b) => a - b)).toEqual([0.05, 0.1, 0.2]);
  });
});

describe('appEClaim: the registry entry', () => {
  test('id, statement, assumptions, spec, proof, and the three functions', () => {
    expect(appEClaim.id).toBe('APP-E');
    expect(appEClaim.statement).toBe(
      'The STN joint update leaves w0 biased by −½H⁻¹E[Q(ε)] + O(σ⁴) when ∇_wL_T is not affine in (λ, w); the Δ-STN general step is unbiased (w0 = w*(λ0)) and its gradient has zero variance in ε.',
    );
    expect(appEClaim.assumptions).toEqual([
      'L_T ∈ C⁵ (or C⁴ with a Lipschitz fourth derivative; C⁴ alone is not enough) with derivatives of at most exponential growth, H = ∇²_wL_T(λ0, w*) ≻ 0; ε ~ N(0, diag σ²).',
      'Worked cases: weight decay L_T = ½wᵀAw − bᵀw + ½e^λ‖w‖² with A ≻ 0, b ≠ 0, 1e-5 ≤ σ ≤ 2; the sin toy ½(w − sin λ)²; L_T = ½wᵀAw − bᵀw + ¼γ‖w‖⁴ + ½Σ_i e^{(Cλ)_i}w_i² (γ > 0, h ≤ 3).',
      'Hypernetwork ŵ(λ0 + ε) = w0 + θε (centred; the uncentred STN fits the same affine function).',
    ]);
    expect(appEClaim.spec).toBe('docs/math.md#s0-1 (APP-E), #s4-2, #pt-6, PT-7, PT-9, PT-12');
    expect(appEClaim.proof).toBe('proofs/APP-E.md');
    expect(appEClaim.arbitrary).toBe(appECaseArb);
    expect(appEClaim.check).toBe(checkAppECase);
    expect(appEClaim.referenceChecks).toBe(appEReferenceChecks);
  });
});
