/**
 * OBS-2 as a claim: the case generator, the checks of each case, the reference values and the registered claim.
 * The claim OBS-2 in two files: its mathematics (math.ts) and the claim's generator and checks (claim.ts);
 * src/theory/obs2.ts re-exports both.
 */
import fc from 'fast-check';

import { ZERO, cayleyTransformQ, math, matVecQ, rationalMatrix, toRationalString, type Rational, type RationalMatrix, subVecQ } from '../../linalg/exact.js';

import { dot } from '../../linalg/dense.js';
import { Rng } from '../../rng.js';
import { FINITE_DIFFERENCE_REL_TOL } from '../../tolerance.js';
import { exactCheck, tolCheck, type Check, type Claim } from '../claim.js';
import { dimsArb, lambdaArb, rationalArb, rationalMatrixArb, rationalVectorArb, spdArb } from '../generators.js';

import { type Obs2Quadratic, parseObs2Quadratic, uncenteredWeights, centeredWeights, outerStep, lossChanges, heldChange, obs2Prediction, type QuadraticFit, fitQuadratic, lossChangeTable, hypergradientByDifferences, rawVerdict, signRule, actualSmallStepVerdict, isotropicResponse, misleadingGradients, withGradients, lateTrainingCase, logisticInstance, logisticObs2 } from './math.js';

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
    'Uncentered ŵ = w₀ + Θλ: the outer step Δλ = −αΘᵀ∇L_V moves the weights used at λ by ΘΔλ and changes L_T at the pre-step λ by −α∇L_TᵀΘΘᵀ∇L_V + O(α²) — a decrease iff ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0; the raw alignment ⟨∇L_T, ∇L_V⟩ decides this for every gradient pair iff ΘΘᵀ = cI, c > 0; at the new λ uncentered − centered is still −α∇L_TᵀΘΘᵀ∇L_V + O(α²), and late in training (∇L_T = 0, Θ = J*) it is −½α²dᵀ∇²_wL_T d, so the second-order rise ½α²dᵀ∇²_wL_T d is one of L_T at the pre-step λ only; centered weights at the new centre are w₀ by construction (our statement, docs/math.md#s0-1 "new").',
  assumptions: ['L_T twice continuously differentiable in (λ, w); L_V differentiable in w (exact identities: L_T quadratic, L_V quadratic)', 'both hypernetworks agree at the current λ and take the same hypergradient step Θᵀ∇_w L_V (no direct term)', 'the centered hypernetwork re-centres at the new λ after the outer step (Δ-STN)'],
  spec: 'docs/math.md#s0-1 OBS-2, #s3-1, #s3-4',
  proof: 'proofs/OBS-2.md',
  arbitrary: obs2Arbitrary,
  check: checkObs2,
  referenceChecks: referenceChecksObs2,
};

// ---------------------------------------------------------------------------------------------------------
// Small exact helpers
// ---------------------------------------------------------------------------------------------------------

function equalVec(a: readonly Rational[], b: readonly Rational[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]));
}
