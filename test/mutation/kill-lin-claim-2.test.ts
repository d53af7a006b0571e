/**
 * Killing tests for src/theory/lin/claim.ts, second file (README, "Mutation testing", run `theory-claims`): the
 * survivors of kill-lin-claim.test.ts. That file loads claim.ts inside each test, so under Stryker's per-test coverage
 * the module-level code (the arbitraries linSigmaArb, linVectorCaseArb, linCaseArb and their `.chain`/`.map`
 * callbacks, the helpers `flat`, `infNorm`, `quarter`, `smallRational`, the registered `linClaim` literal) counted as
 * covered by whichever test imported it first. Here claim.ts is imported once at collection, guarded (a mutant that
 * throws while the module loads fails every test instead of the collection), and every test is cheap, since Stryker
 * runs all of them against each such static mutant:
 *
 * - the registered claim: every field, exactly;
 * - linVectorCaseArb and linCaseArb sampled with fixed seeds: shapes, ranges, the constants drawn (σ from all three
 *   arms of linSigmaArb: 1e-3, 1 and k/8; λ₀ and the PT-10 λ₀ both 0 and non-zero, a non-integer rational among the
 *   PT-10 λ₀), and that every case drawn by linCaseArb passes its validity filter (x ≠ 0, |w*| ≤ 5, |w*|∞ ≤ 3);
 * - checkLinVectorCase on a small case (m = 2, h = 1): it goes through `flat` and `infNorm`; the ‖C_r‖∞, ‖∇²_wλ L_T‖∞
 *   text against the same norms computed here;
 * - the midpoint-convexity check of checkLinCase on the σ = 1e-7 case where the gaps are rounding noise (> 0): its
 *   error against the same 8 Rng(31) pairs a, b = θ₁ + 10(u − ½) and midpoints (a + b)/2 computed here, exactly.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { math } from '../../src/linalg/exact.js';
import { Rng } from '../../src/rng.js';
import type { LinCase, LinVectorCase } from '../../src/theory/lin/claim.js';
import { linearizedResponse, linearizedResponseObjective } from '../../src/theory/lin/math.js';
import { bestResponseVec, tanhRegressionToy, trainLossVec } from '../../src/theory/lin/vector.js';
import { bestResponseScalar, scaledTanhToy, tanhToy } from '../../src/theory/scalarToys.js';

const loaded = await import('../../src/theory/lin/claim.js').then(
  (m) => ({ m, e: null }),
  (e: unknown) => ({ m: null, e }),
);
function claim(): typeof import('../../src/theory/lin/claim.js') {
  if (loaded.m === null) throw loaded.e;
  return loaded.m;
}

const isQuarter = (t: number, maxK: number): boolean => Number.isInteger(4 * t) && Math.abs(4 * t) <= maxK;
const sup = (v: readonly number[]): number => v.reduce((m, t) => Math.max(m, Math.abs(t)), 0);

/** m = 2, h = 1, n = 3 (kill-lin-claim.test.ts's vec1): every check passes at σ = 1/2. */
function vec1(): LinVectorCase {
  return { X: [[1, 0.5], [-0.5, 1], [0.25, -1]], y: [0.25, -0.25, 0.5], lambda0: [-1], ratios: [1], shift: [[0.5], [-0.25], [0.25]], shiftPoint: [0.25] };
}

/**
 * PT-11's data with y = 100x + y₀ (λ-in-output shift −100, so P2's residual stays −y₀), σ = 1e-7: F_lin is so flat that
 * the midpoint gaps are rounding noise (2.75e-16 at most over the 8 pairs), and the noise is not quantized to one value:
 * other pairs (a = θ₁ + 10(u + ½), b = θ₁ − 10(u − ½)) or other points (½/(a + b)) give 3.7e-16, 3.7e-16, 9.2e-17.
 */
function noisyCase(): LinCase {
  const x = [0.5, 1, 1.5, -0.7];
  const y0 = [0.3, 0.9, 0.8, -0.2];
  return { x, y: x.map((v, i) => 100 * v + y0[i]), lambda0: -1, shift: -100, sigma: 1e-7, cubicLambda0: 2, cubicA: math.fraction(1), cubicW: math.fraction(1), vector: vec1() };
}

describe('the registered claim', () => {
  test('linClaim: every field exactly', () => {
    const L = claim();
    expect(Object.keys(L.linClaim).sort()).toEqual(['arbitrary', 'assumptions', 'check', 'id', 'proof', 'referenceChecks', 'spec', 'statement']);
    expect(L.linClaim.id).toBe('LIN');
    expect(L.linClaim.statement).toBe(
      'The linearized response objective is convex in Θ (convex loss and R); as σ → 0 its minimiser tends to the Gauss–Newton IFT Jacobian −(G_w+∇²_wR)⁻¹∇²_wλL_T, residual cross term kept (the non-linearized one to J*); under Prop. L.3 it equals that Jacobian for every Σ ≻ 0, and equals J* only when the residual-weighted curvature S has SΘ_GN = 0 (e.g. zero residual); with ℓ quadratic and weight decay θ_lin(σ) = −(G_w+(1+σ²)c)⁻¹c w0.',
    );
    expect(L.linClaim.assumptions).toEqual([
      'L_T = E_x ℓ(f(x; w, λ)) + R(λ, w); w0 = w*(λ0) with ∇_w L_T = 0 and ∇²_w L_T ≻ 0 (the IFT needs the Hessian invertible; a strict minimiser is not enough); L.2 also needs G_w + ∇²_w R ≻ 0; ε ~ N(0, Σ), Σ = σ²D with D fixed as σ → 0.',
      'Random cases: squared loss; scalar w, λ (tanh(wx), tanh(wx) − λx, tanh(w·x·e^λ), w³ + aw) and w ∈ ℝ^m, m ∈ {2, 3}, λ ∈ ℝ^h, h ∈ {1, 2} (tanh(x·diag(e^λ)w), tanh(x·w) − Sλ, tanh(x·w)).',
      'R is evaluated at w0 + Θε, not linearized (docs/math.md#s3-3).',
      'L.3: ℓ quadratic, f0(ε) affine in ε, J independent of ε, R ≡ 0. L.4: ℓ quadratic, f independent of λ, h = 1, R = ½e^λ‖w‖² (the logistic reference checks show "ℓ quadratic" is needed).',
    ]);
    expect(L.linClaim.spec).toBe('docs/math.md#s0-1 (LIN), #s3-3, #s4-3, #pt-10, PT-11');
    expect(L.linClaim.proof).toBe('proofs/LIN.md');
    expect(L.linClaim.arbitrary).toBe(L.linCaseArb);
    expect(L.linClaim.check).toBe(L.checkLinCase);
    expect(L.linClaim.referenceChecks).toBe(L.linReferenceChecks);
  });
});

describe('arbitraries', () => {
  test('linVectorCaseArb: shapes and ranges; m ∈ {2, 3} and h ∈ {1, 2} all drawn; n ∈ [m, 5]', () => {
    const got = fc.sample(claim().linVectorCaseArb, { seed: 11, numRuns: 20 });
    expect(got).toHaveLength(20);
    for (const v of got) {
      const m = v.X[0].length;
      const h = v.lambda0.length;
      const n = v.X.length;
      expect([2, 3]).toContain(m);
      expect([1, 2]).toContain(h);
      expect(n).toBeGreaterThanOrEqual(m);
      expect(n).toBeLessThanOrEqual(5);
      expect(v.X.every((row) => row.length === m && row.every((t) => isQuarter(t, 6)))).toBe(true);
      expect(v.y.length === n && v.y.every((t) => isQuarter(t, 2))).toBe(true);
      expect(v.lambda0.every((t) => isQuarter(t, 12) && t <= 0)).toBe(true);
      expect(v.ratios.length === h && v.ratios.every((t) => [0.5, 1, 2].includes(t))).toBe(true);
      expect(v.shift.length === n && v.shift.every((row) => row.length === h && row.every((t) => isQuarter(t, 2)))).toBe(true);
      expect(v.shiftPoint.length === h && v.shiftPoint.every((t) => isQuarter(t, 2))).toBe(true);
    }
    expect(new Set(got.map((v) => `${v.X[0].length},${v.lambda0.length}`))).toEqual(new Set(['2,1', '2,2', '3,1', '3,2']));
    expect(got.some((v) => v.X.flat().some((t) => !Number.isInteger(t)))).toBe(true);
  });

  test('linCaseArb: shapes and ranges; σ from all three arms; λ₀, shift, PT-10 λ₀ both 0 and not; every case passes the filter', () => {
    const got = fc.sample(claim().linCaseArb, { seed: 7, numRuns: 20 });
    expect(got).toHaveLength(20);
    for (const c of got) {
      const n = c.x.length;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(5);
      expect(c.x.every((t) => isQuarter(t, 8)) && c.x.some((t) => t !== 0)).toBe(true);
      expect(c.y.length === n && c.y.every((t) => isQuarter(t, 4))).toBe(true);
      expect(isQuarter(c.lambda0, 12) && c.lambda0 <= 1).toBe(true);
      expect(isQuarter(c.shift, 4)).toBe(true);
      expect(c.sigma === 1e-3 || (Number.isInteger(8 * c.sigma) && c.sigma > 0 && c.sigma <= 2)).toBe(true);
      expect(typeof c.cubicLambda0).toBe('number');
      expect(Math.abs(c.cubicLambda0)).toBeLessThanOrEqual(20);
      expect(Number.isInteger(12 * c.cubicLambda0)).toBe(true);
      expect(c.cubicA.valueOf()).toBeGreaterThan(0);
      expect(c.cubicA.valueOf()).toBeLessThanOrEqual(16);
      expect(Math.abs(c.cubicW.valueOf())).toBeLessThanOrEqual(8);
      expect(c.vector.X[0].length === 2 || c.vector.X[0].length === 3).toBe(true);
      // The validity filter (kill-lin-claim.test.ts pins its clauses): |w*| ≤ 5 on the scalar toys, |w*|∞ ≤ 3 on the vector ones.
      expect(Math.abs(bestResponseScalar(tanhToy(c.x, c.y, { weightDecay: true }), c.lambda0))).toBeLessThanOrEqual(5);
      expect(Math.abs(bestResponseScalar(scaledTanhToy(c.x, c.y, { weightDecay: true }), c.lambda0))).toBeLessThanOrEqual(5);
      const v = c.vector;
      expect(sup(bestResponseVec(tanhRegressionToy(v.X, v.y, v.lambda0.length, { weightDecay: true, scaleByHyper: true }), v.lambda0))).toBeLessThanOrEqual(3);
      expect(sup(bestResponseVec(tanhRegressionToy(v.X, v.y, v.lambda0.length, { weightDecay: false, shift: v.shift }), v.shiftPoint))).toBeLessThanOrEqual(3);
      expect(sup(bestResponseVec(tanhRegressionToy(v.X, v.y, 1, { weightDecay: true }), [v.lambda0[0]]))).toBeLessThanOrEqual(3);
    }
    const sigmas = new Set(got.map((c) => c.sigma));
    expect(sigmas.has(1e-3)).toBe(true);
    expect(sigmas.has(1)).toBe(true);
    expect([...sigmas].some((s) => s !== 1 && s !== 1e-3)).toBe(true);
    expect(got.some((c) => c.lambda0 === 0) && got.some((c) => c.lambda0 !== 0)).toBe(true);
    expect(got.some((c) => c.cubicLambda0 === 0) && got.some((c) => !Number.isInteger(c.cubicLambda0))).toBe(true);
    expect(new Set(got.map((c) => c.x.length)).size).toBeGreaterThan(2);
  });
});

describe('checkLinVectorCase through flat and infNorm', () => {
  test('vec1 at σ = 1/2: five checks, all pass; the ‖C_r‖∞, ‖∇²_wλ L_T‖∞ text = the norms computed here', () => {
    const v = vec1();
    const got = claim().checkLinVectorCase(v, 0.5);
    expect(got).toHaveLength(5);
    expect(got.every((k) => k.passed)).toBe(true);
    const scaled = tanhRegressionToy(v.X, v.y, 1, { weightDecay: true, scaleByHyper: true });
    const w5 = bestResponseVec(scaled, v.lambda0);
    const t5 = trainLossVec(scaled, v.lambda0, w5);
    const cr = `‖C_r‖∞ = ${sup(t5.residualCross.flat()).toPrecision(3)}, ‖∇²_wλ L_T‖∞ = ${sup(t5.cross.flat()).toPrecision(3)}`;
    expect(got[1].detail).toContain(`; ${cr}; n=3, m=2, h=1, λ0=(-1), σ=0.5·(1)`);
    expect(got[1].error).toBeGreaterThanOrEqual(0);
    expect(got[1].error).toBeLessThan(0.1);
  });
});

describe('checkLinCase: the midpoint test', () => {
  test('σ = 1e-7: the error is the largest relative midpoint gap over the 8 Rng(31) pairs, computed here (> 0: rounding noise)', () => {
    const c = noisyCase();
    const got = claim().checkLinCase(c);
    const p1 = tanhToy(c.x, c.y, { weightDecay: true });
    const w1 = bestResponseScalar(p1, c.lambda0);
    const f1 = linearizedResponseObjective(p1, c.lambda0, w1, c.sigma);
    const theta1 = linearizedResponse(p1, c.lambda0, w1, c.sigma);
    const rng = new Rng(31);
    let mid = 0;
    for (let k = 0; k < 8; k++) {
      const a = theta1 + 10 * (rng.uniform() - 0.5);
      const b = theta1 + 10 * (rng.uniform() - 0.5);
      const fa = f1(a).value;
      const fb = f1(b).value;
      const gap = f1((a + b) / 2).value - (fa + fb) / 2;
      if (gap > 0) mid = Math.max(mid, gap / (Math.abs(fa) + Math.abs(fb)));
    }
    expect(mid).toBeGreaterThan(2e-16);
    expect(mid).toBeLessThan(3e-16);
    expect(got[2].name).toBe(claim().LIN_CHECKS.midpoint);
    expect(got[2].error).toBe(mid);
    expect(got[2].passed).toBe(true);
  });
});
