/**
 * Killing tests for src/theory/obs2/claim.ts (OBS-2 as a claim: the case generator, the checks of one case, the
 * reference checks, the measured mislead rate, the Gaussian context rate and the registered claim; README, "Mutation
 * testing"; docs/math.md#s0-1 OBS-2, #s3-1, #s3-4; proofs/OBS-2.md).
 *
 * On a correct kernel every check of a valid case holds by construction (a held change that is a polynomial in α has
 * zero residuals, a misleading pair always exists off the isotropic case, …), so a check forced to pass, or one whose
 * `&&` became `||`, looks the same on every honest case. As in kill-obs1-claim, the kernel is wrapped, not replaced:
 * `vi.mock` re-exports src/theory/obs2/math.ts unchanged, each function passing through a hook that, in a test that
 * asks for it, perturbs one result (one term of one check). The check must then fail, and only that check. Every other
 * oracle is independent: the checks of the worked example of proofs/OBS-2.md (Θ = (1, 1)ᵀ, raw alignment 7, projected
 * −1) and of an isotropic m = 1 case are worked by hand, details included; the logistic checks' errors are recomputed
 * from the kernel's own numbers; the generator, the mislead rate and the Gaussian rate are replayed from their
 * documented construction with the same seeds; the reference checks' measured text is pinned.
 *
 * claim.ts is imported inside the tests (`load`), never at collection: its module-level code builds the generator
 * (`fc.oneof` refuses an undefined branch), so a mutant there throws while the module loads, and that must fail a
 * test rather than the file's collection. The first test loads it and checks everything built at module level.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';

const sampleCap = vi.hoisted(() => ({ value: undefined as number | undefined }));

const hook = vi.hoisted(() => {
  const state = {
    faults: new Map<string, (orig: (...args: unknown[]) => unknown, args: unknown[]) => unknown>(),
    calls: [] as [string, unknown[]][],
    wrap(mod: Record<string, unknown>): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(mod)) {
        if (typeof v !== 'function' || /^[A-Z]/.test(k)) {
          out[k] = v;
          continue;
        }
        const orig = v as (...args: unknown[]) => unknown;
        out[k] = (...args: unknown[]): unknown => {
          state.calls.push([k, args]);
          const f = state.faults.get(k);
          return f ? f(orig, args) : orig(...args);
        };
      }
      return out;
    },
  };
  return state;
});

vi.mock('../../src/theory/obs2/math.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
// fc.sample passes through, but for `sampleCap` (set only while the reference checks are called with faults, whose
// measured rate then needs a case or two, not 400).
vi.mock('fast-check', async (importOriginal) => {
  const mod = await importOriginal<typeof import('fast-check')>();
  const real = mod.default;
  const sample = ((arb: Parameters<typeof real.sample>[0], opts?: { numRuns?: number; seed?: number }) =>
    real.sample(arb, sampleCap.value !== undefined && opts ? { ...opts, numRuns: Math.min(opts.numRuns ?? 100, sampleCap.value) } : opts)) as typeof real.sample;
  return { ...mod, default: { ...real, sample } };
});

import { ZERO, cayleyTransformQ, math, multiplyQ, transposeQ, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { dot } from '../../src/linalg/dense.js';
import { Rng } from '../../src/rng.js';
import { dimsArb, lambdaArb, rationalArb, rationalMatrixArb, rationalVectorArb, spdArb } from '../../src/theory/generators.js';
import type { Check } from '../../src/theory/claim.js';
import type { Obs2Case } from '../../src/theory/obs2/claim.js';
import { actualSmallStepVerdict, logisticInstance, logisticObs2, obs2Prediction, parseObs2Quadratic, rawVerdict, signRule, type LogisticObs2, type Obs2Prediction, type QuadraticFit, type LossChanges } from '../../src/theory/obs2/math.js';

const load = (): Promise<typeof import('../../src/theory/obs2/claim.js')> => import('../../src/theory/obs2/claim.js');

afterEach(() => {
  sampleCap.value = undefined;
  hook.faults.clear();
  hook.calls.length = 0;
});

const q = (x: number, d = 1): Rational => math.fraction(x, d) as Rational;
const ONE = q(1);

/** Perturbs the calls of a kernel function (1-based count per function) for which `f` returns a value other than undefined. */
function fault(name: string, f: (out: unknown, k: number, args: unknown[]) => unknown): void {
  let k = 0;
  hook.faults.set(name, (orig, args) => {
    const out = orig(...args);
    k++;
    const changed = f(out, k, args);
    return changed === undefined ? out : changed;
  });
}

/** Perturbs only the `n`-th call. */
const faultNth = (name: string, n: number, f: (out: unknown) => unknown): void => fault(name, (out, k) => (k === n ? f(out) : undefined));

/** Perturbs the `n`-th call of fitQuadratic with the given fields. */
function fitFaults(byCall: Record<number, Partial<QuadraticFit>>): void {
  fault('fitQuadratic', (out, k) => (byCall[k] ? { ...(out as QuadraticFit), ...byCall[k] } : undefined));
}

const NAMES = [
  'hypergradient d/dλ L_V(ŵ(λ)) = Θᵀ∇L_V, uncentered and centered alike',
  'uncentered: weights used at λ move by ΘΔλ',
  'held at pre-step λ: ΔL_T(α) has degree ≤ 2 (fit at 1,2,3; exact at 0 and 4)',
  'held at pre-step λ: d/dα ΔL_T = −∇L_TᵀΘΘᵀ∇L_V',
  'held at pre-step λ: α² coefficient = ½(ΘΘᵀ∇L_V)ᵀA(ΘΘᵀ∇L_V)',
  'at new λ: centered slope = −∂_λL_TᵀΘᵀ∇L_V, uncentered slope = that − ∇L_TᵀΘΘᵀ∇L_V',
  'at new λ: uncentered − centered has slope −∇L_TᵀΘΘᵀ∇L_V',
  'at new λ: α² coefficient of uncentered − centered = ½dᵀAd − dᵀBΘᵀ∇L_V',
  'sign rule: small outer step lowers L_T (at the pre-step λ) ⇔ ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0',
  'raw alignment decides the sign ⇔ ΘΘᵀ = cI, c > 0 (isotropic: projected = c·raw; else an exact counterexample)',
  'late training (∇L_T = 0, Θ = A⁻¹B): held at pre-step λ = +½α²dᵀAd; at new λ uncentered − centered = −½α²dᵀAd',
  'logistic: central difference of held ΔL_T = −∇L_TᵀΘΘᵀ∇L_V',
  'logistic: central difference of (uncentered − centered) at new λ = −∇L_TᵀΘΘᵀ∇L_V',
  'logistic: central difference of centered ΔL_T at new λ = −∂_λL_TᵀΘᵀ∇L_V',
  'logistic: sign of d/dα L_T (pre-step λ) = −sign⟨Θᵀ∇L_T, Θᵀ∇L_V⟩',
];

/**
 * The worked example of proofs/OBS-2.md: A = I, B = (0, 1)ᵀ, b = (2, 0), C = I, v = (2, −2), w₀ = (0, 1), Θ = (1, 1)ᵀ,
 * λ = 0. By hand: w = (0, 1), ∇L_T = (−2, 1), ∇L_V = (−2, 3), ∂_λL_T = −1, Θᵀ∇L_T = −1, Θᵀ∇L_V = 1, raw 7, projected −1,
 * d = (1, 1); held ΔL_T = α + α², centered α, uncentered 2α. With the logistic instance of the reference check.
 */
function example(): Obs2Case {
  const quadratic = parseObs2Quadratic({ A: [[1, 0], [0, 1]], B: [[0], [1]], b: [2, 0], C: [[1, 0], [0, 1]], v: [2, -2], general: [0, 1], response: [[1], [1]], lambda: [0] });
  return { quadratic, logistic: { seed: 7, m: 4, h: 2 } };
}

/** m = h = 1, A = 2, B = 1, b = 1, C = 1, v = 1, w₀ = 1, Θ = 2, λ = 1: w = 3, ∇L_T = 4, ∇L_V = 2, raw 8, ΘΘᵀ = 4, projected 32. */
function isotropic(): Obs2Case {
  const quadratic = parseObs2Quadratic({ A: [[2]], B: [[1]], b: [1], C: [[1]], v: [1], general: [1], response: [[2]], lambda: [1] });
  return { quadratic, logistic: { seed: 3, m: 1, h: 1 } };
}

const passes = (checks: Check[]): boolean[] => checks.map((c) => c.passed);
/** All pass but the checks at `failing`. */
const allBut = (...failing: number[]): boolean[] => NAMES.map((_, i) => !failing.includes(i));
const relTo = (a: number, b: number, scale: number): number => Math.abs(a - b) / Math.max(Math.abs(b), scale, Number.MIN_VALUE);

/** The three toleranced logistic checks and the float sign check, from the kernel's numbers (`decided` given). */
function logisticChecks(L: LogisticObs2, lsize: string, signDetail: string, signPass: boolean): Check[] {
  return [
    { name: NAMES[11], kind: 'finite-difference', error: relTo(L.heldDifference, L.heldFormula, L.heldScale), tolerance: 1e-6, passed: relTo(L.heldDifference, L.heldFormula, L.heldScale) <= 1e-6, detail: `${lsize}; FD ${L.heldDifference}, formula ${L.heldFormula}, floor ${L.heldScale.toExponential(3)}` },
    { name: NAMES[12], kind: 'finite-difference', error: relTo(L.newLambdaDifference, L.heldFormula, L.newLambdaScale), tolerance: 1e-6, passed: relTo(L.newLambdaDifference, L.heldFormula, L.newLambdaScale) <= 1e-6, detail: `${lsize}; FD ${L.newLambdaDifference}, formula ${L.heldFormula}` },
    { name: NAMES[13], kind: 'finite-difference', error: relTo(L.centeredDifference, L.centeredFormula, L.centeredScale), tolerance: 1e-6, passed: relTo(L.centeredDifference, L.centeredFormula, L.centeredScale) <= 1e-6, detail: `${lsize}; FD ${L.centeredDifference}, formula ${L.centeredFormula}` },
    { name: NAMES[14], kind: 'exact', error: signPass ? 0 : 1, tolerance: 0, passed: signPass, detail: `${lsize}; ${signDetail}projected ${L.projectedAlignment}, raw ${L.rawAlignment}` },
  ];
}

const exact = (name: string, pass: boolean, detail: string): Check => ({ name, kind: 'exact', error: pass ? 0 : 1, tolerance: 0, passed: pass, detail });

// ---------------------------------------------------------------------------------------------------------------
// The generator, replayed: the documented construction, built here from generators.ts with the same seeds.
// ---------------------------------------------------------------------------------------------------------------

function replayCaseArb(dims: fc.Arbitrary<{ h: number; m: number }>, response: (m: number, h: number) => fc.Arbitrary<RationalMatrix>): fc.Arbitrary<Obs2Case> {
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
      .map((r) => ({
        quadratic: { inner: { A: r.A, B: r.B, b: r.b, lambda0: r.lambda, m, h }, C: r.C, v: r.v, general: r.general, response: r.response },
        logistic: { seed: r.seed, m: Math.max(m, r.logisticM), h },
      })),
  );
}

/** Θ = s·(first m rows of the Cayley transform of a skew h×h matrix whose upper triangle is drawn row by row), s ≠ 0. */
function replayIsotropic(m: number, h: number): fc.Arbitrary<RationalMatrix> {
  const n = (h * (h - 1)) / 2;
  return fc.tuple(fc.array(rationalArb(6, 3), { minLength: n, maxLength: n }), rationalArb(4, 3).filter((x) => x.n !== 0n)).map(([u, s]) => {
    const skew: RationalMatrix = [];
    for (let i = 0; i < h; i++) skew.push(Array.from({ length: h }, () => ZERO));
    let k = 0;
    for (let i = 0; i < h; i++) {
      for (let j = i + 1; j < h; j++) {
        skew[i][j] = u[k];
        skew[j][i] = u[k].neg();
        k++;
      }
    }
    return cayleyTransformQ(skew)
      .filter((_, i) => i < m)
      .map((row) => row.map((x) => x.mul(s)));
  });
}

function replayArbitraries(): { generic: fc.Arbitrary<Obs2Case>; all: fc.Arbitrary<Obs2Case> } {
  const generic = replayCaseArb(dimsArb, (m, h) => rationalMatrixArb(m, h));
  const isoDims = fc.integer({ min: 1, max: 3 }).chain((h) => fc.integer({ min: 1, max: h }).map((m) => ({ h, m })));
  const zero = (m: number, h: number): fc.Arbitrary<RationalMatrix> => fc.constant(Array.from({ length: m }, () => Array.from({ length: h }, () => ZERO)));
  return {
    generic,
    all: fc.oneof({ weight: 8, arbitrary: generic }, { weight: 1, arbitrary: replayCaseArb(isoDims, replayIsotropic) }, { weight: 1, arbitrary: replayCaseArb(dimsArb, zero) }),
  };
}

const gram = (t: RationalMatrix): RationalMatrix => multiplyQ(t, transposeQ(t));
const isScaledIdentity = (p: RationalMatrix): boolean => p[0][0].n !== 0n && p.every((row, i) => row.every((x, j) => x.equals(i === j ? p[0][0] : ZERO)));

describe('module level: the registered claim and the generator', () => {
  test('obs2Claim field by field; the generator against its replay (seed 4, 40 cases: every branch, h = 1…3 isotropic, m < h)', async () => {
    const mod = await load();
    const { obs2Claim, checkObs2, referenceChecksObs2, MISLEAD_SAMPLES, MISLEAD_SEED, obs2GenericArbitrary } = mod;
    expect(obs2Claim.id).toBe('OBS-2');
    expect(obs2Claim.statement).toBe(
      'Uncentered ŵ = w₀ + Θλ: the outer step Δλ = −αΘᵀ∇L_V moves the weights used at λ by ΘΔλ and changes L_T at the pre-step λ by −α∇L_TᵀΘΘᵀ∇L_V + O(α²) — a decrease iff ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0; the raw alignment ⟨∇L_T, ∇L_V⟩ decides this for every gradient pair iff ΘΘᵀ = cI, c > 0; at the new λ uncentered − centered is still −α∇L_TᵀΘΘᵀ∇L_V + O(α²), and late in training (∇L_T = 0, Θ = J*) it is −½α²dᵀ∇²_wL_T d, so the second-order rise ½α²dᵀ∇²_wL_T d is one of L_T at the pre-step λ only; centered weights at the new centre are w₀ by construction (our statement, docs/math.md#s0-1 "new").',
    );
    expect(obs2Claim.assumptions).toEqual([
      'L_T twice continuously differentiable in (λ, w); L_V differentiable in w (exact identities: L_T quadratic, L_V quadratic)',
      'both hypernetworks agree at the current λ and take the same hypergradient step Θᵀ∇_w L_V (no direct term)',
      'the centered hypernetwork re-centres at the new λ after the outer step (Δ-STN)',
    ]);
    expect(obs2Claim.spec).toBe('docs/math.md#s0-1 OBS-2, #s3-1, #s3-4');
    expect(obs2Claim.proof).toBe('proofs/OBS-2.md');
    expect(obs2Claim.check).toBe(checkObs2);
    expect(obs2Claim.referenceChecks).toBe(referenceChecksObs2);
    expect(Object.keys(obs2Claim)).toHaveLength(8);
    expect([MISLEAD_SAMPLES, MISLEAD_SEED]).toEqual([400, 20201]);

    const replay = replayArbitraries();
    const cases = fc.sample(obs2Claim.arbitrary, { seed: 4, numRuns: 40 });
    expect(cases).toEqual(fc.sample(replay.all, { seed: 4, numRuns: 40 }));
    expect(fc.sample(obs2GenericArbitrary, { seed: 5, numRuns: 10 })).toEqual(fc.sample(replay.generic, { seed: 5, numRuns: 10 }));

    // Independently of the replay: shapes, ranges and the branches reached.
    let zeroBig = 0;
    let isoWide = 0;
    let isoH3 = 0;
    let logisticAbove = 0;
    for (const c of cases) {
      const { inner, C, v, general, response } = c.quadratic;
      const { m, h } = inner;
      expect(m >= 1 && m <= 4 && h >= 1 && h <= 3).toBe(true);
      expect([inner.A.length, inner.A[0].length, inner.B.length, inner.B[0].length, inner.b.length, inner.lambda0.length]).toEqual([m, m, m, h, m, h]);
      expect([C.length, C[0].length, v.length, general.length, response.length, response[0].length]).toEqual([m, m, m, m, m, h]);
      expect(c.logistic.h).toBe(h);
      expect(c.logistic.m >= m && c.logistic.m <= 4 && Number.isInteger(c.logistic.seed)).toBe(true);
      if (c.logistic.m > m) logisticAbove++;
      const isZero = response.every((row) => row.every((x) => x.n === 0n));
      if (isZero && m * h > 1) zeroBig++;
      if (!isZero && m < h && m > 1 && isScaledIdentity(gram(response))) isoWide++;
      if (!isZero && h === 3 && m > 1 && isScaledIdentity(gram(response))) isoH3++;
    }
    expect(zeroBig).toBeGreaterThan(0);
    expect(isoWide).toBeGreaterThan(0);
    expect(isoH3).toBeGreaterThan(0);
    expect(logisticAbove).toBeGreaterThan(0);
  });
});

describe('checkObs2 on the worked example (all checks by hand)', () => {
  test('the 15 checks pass; every field, details included', async () => {
    const { checkObs2 } = await load();
    const checks = checkObs2(example());
    const size = 'm=2, h=1';
    const L = logisticObs2(logisticInstance(7, 4, 2));
    expect(checks).toEqual([
      exact(NAMES[0], true, size),
      exact(NAMES[1], true, size),
      exact(NAMES[2], true, `${size}; residuals 0, 0`),
      exact(NAMES[3], true, `${size}; c₁ = 1, predicted 1`),
      exact(NAMES[4], true, `${size}; c₂ = 1`),
      exact(NAMES[5], true, `${size}; centered c₁ = 1, uncentered c₁ = 2`),
      exact(NAMES[6], true, `${size}; c₁ = 1`),
      exact(NAMES[7], true, `${size}; c₂ = 0, predicted 0`),
      exact(NAMES[8], true, `${size}; projected harmful, actual harmful at α = 1/2, raw alignment says helpful`),
      // P = ΘΘᵀ = [[1, 1], [1, 1]]: P₀₁ = 1, δ = 1/2: g_T = e₀, g_V = e₁ − e₀/2; raw −1/2, projected +1/2.
      exact(NAMES[9], true, `${size}; ∇L_T = (1, 0), ∇L_V = (-1/2, 1): raw -1/2 says harmful, exact change helpful`),
      // Late: w = (0, 1), Θ = J* = (0, 1)ᵀ, Θᵀ∇L_V = 3, d = (0, 3), ½dᵀAd = 9/2.
      exact(NAMES[10], true, `${size}; ½dᵀAd = 9/2; held c₂ = 9/2, new-λ difference c₂ = -9/2`),
      ...logisticChecks(L, 'logistic m=4, h=2, seed=7', '', true),
    ]);
    expect(Math.abs(L.heldFormula)).toBeGreaterThan(2e-6 * Math.max(L.heldScale, Math.abs(L.heldFormula)));
    expect(Math.sign(L.heldDifference)).toBe(-1);
    expect(Math.sign(L.projectedAlignment)).toBe(1);
  });

  test('isotropic m = 1 (ΘΘᵀ = 4): projected 32 = 4·raw, no counterexample; the logistic m is the case’s', async () => {
    const { checkObs2 } = await load();
    const checks = checkObs2(isotropic());
    expect(passes(checks)).toEqual(allBut());
    expect(checks[9]).toEqual(exact(NAMES[9], true, 'm=1, h=1; ΘΘᵀ = 4·I, raw 8, projected 32'));
    expect(checks[11].detail?.startsWith('logistic m=1, h=1, seed=3; FD ')).toBe(true);
    expect(checks).toHaveLength(15);
  });
});

/** A logistic result with chosen numbers (the float checks only read these fields). */
function logistic(over: Partial<LogisticObs2>): LogisticObs2 {
  return { heldFormula: -3, heldDifference: -3, heldScale: 1, newLambdaDifference: -3, newLambdaScale: 1, centeredFormula: 2, centeredDifference: 2, centeredScale: 1, projectedAlignment: 3, rawAlignment: 5, ...over };
}

const L7 = 'logistic m=4, h=2, seed=7';

describe('checkObs2: each term of each check, perturbed alone, fails that check alone', () => {
  test('hypergradient (uncentered side), moved weights (one coordinate), held residual at 4, uncentered slope, difference slope, sign rule, late residual at 0, counterexample ∇L_T', async () => {
    const { checkObs2 } = await load();
    faultNth('hypergradientByDifferences', 1, () => [q(2)]);
    faultNth('lossChangeTable', 1, (t) => (t as LossChanges[]).map((x, i) => (i === 1 ? { ...x, uncenteredWeights: [x.uncenteredWeights[0], x.uncenteredWeights[1].add(1)] } : x)));
    fitFaults({ 1: { residualAt4: ONE }, 2: { c1: q(5) }, 4: { c1: q(5) }, 5: { residualAt0: ONE } });
    faultNth('actualSmallStepVerdict', 1, (o) => ({ ...(o as object), verdict: 'helpful' }));
    faultNth('obs2Prediction', 2, (o) => ({ ...(o as Obs2Prediction), trainGrad: [ONE, ONE] }));
    const checks = checkObs2(example());
    expect(passes(checks)).toEqual(allBut(0, 1, 2, 5, 6, 8, 9, 10));
    const size = 'm=2, h=1';
    expect(checks.slice(0, 11)).toEqual([
      exact(NAMES[0], false, size),
      exact(NAMES[1], false, size),
      exact(NAMES[2], false, `${size}; residuals 0, 1`),
      exact(NAMES[3], true, `${size}; c₁ = 1, predicted 1`),
      exact(NAMES[4], true, `${size}; c₂ = 1`),
      exact(NAMES[5], false, `${size}; centered c₁ = 1, uncentered c₁ = 5`),
      exact(NAMES[6], false, `${size}; c₁ = 5`),
      exact(NAMES[7], true, `${size}; c₂ = 0, predicted 0`),
      exact(NAMES[8], false, `${size}; projected harmful, actual helpful at α = 1/2, raw alignment says helpful`),
      exact(NAMES[9], false, `${size}; ∇L_T = (1, 0), ∇L_V = (-1/2, 1): raw -1/2 says harmful, exact change helpful`),
      exact(NAMES[10], false, `${size}; ½dᵀAd = 9/2; held c₂ = 9/2, new-λ difference c₂ = -9/2`),
    ]);
  });

  test('hypergradient of the wrong length, held residual at 0, centered residual, difference residual, late residual at 4, raw agreeing with projected; decided float sign against the formula', async () => {
    const { checkObs2 } = await load();
    faultNth('hypergradientByDifferences', 1, () => []);
    fitFaults({ 1: { residualAt0: ONE }, 3: { residualAt4: ONE }, 4: { residualAt4: ONE }, 5: { residualAt4: ONE } });
    faultNth('obs2Prediction', 2, (o) => ({ ...(o as Obs2Prediction), rawAlignment: q(1, 2) }));
    // |formula| = 3 > 2·10⁻⁶·3: decided; FD falls (sign −1) but −sign(projected −3) = +1. FD −2.5: relative error 1/6.
    const L = logistic({ heldDifference: -2.5, projectedAlignment: -3, newLambdaScale: 0.5, centeredFormula: 0, centeredDifference: 1e-7, centeredScale: 0.25 });
    faultNth('logisticObs2', 1, () => L);
    const checks = checkObs2(example());
    expect(passes(checks)).toEqual(allBut(0, 2, 5, 6, 9, 10, 11, 14));
    const size = 'm=2, h=1';
    expect(checks[2].detail).toBe(`${size}; residuals 1, 0`);
    expect(checks[9].detail).toBe(`${size}; ∇L_T = (1, 0), ∇L_V = (-1/2, 1): raw 1/2 says helpful, exact change helpful`);
    expect(checks.slice(11)).toEqual(logisticChecks(L, L7, '', false));
    expect([checks[11].error, checks[12].error, checks[13].error]).toEqual([0.5 / 3, 0, 1e-7 / 0.25]);
  });

  test('uncentered residual, difference constant term, late constant term, counterexample whose exact change is neither; undecided float sign', async () => {
    const { checkObs2 } = await load();
    fitFaults({ 2: { residualAt4: ONE }, 4: { c0: ONE }, 5: { c0: ONE } });
    faultNth('actualSmallStepVerdict', 2, (o) => ({ ...(o as object), verdict: 'neutral' }));
    // budget = 10⁻⁶·max(10⁶, 1) = 1 and |formula| = 1 ≤ 2: undecided, so the mismatched signs do not count.
    const L = logistic({ heldScale: 1e6, heldFormula: 1, heldDifference: 1, newLambdaDifference: 1, projectedAlignment: 1, rawAlignment: -1 });
    faultNth('logisticObs2', 1, () => L);
    const checks = checkObs2(example());
    expect(passes(checks)).toEqual(allBut(5, 6, 9, 10));
    expect(checks[9].detail).toBe('m=2, h=1; ∇L_T = (1, 0), ∇L_V = (-1/2, 1): raw -1/2 says harmful, exact change neutral');
    expect(checks.slice(11)).toEqual(logisticChecks(L, L7, 'undecided (|formula| within FD error); ', true));
  });

  test('late slope; no counterexample built; |formula| exactly twice the budget is undecided', async () => {
    const { checkObs2 } = await load();
    fitFaults({ 5: { c1: ONE } });
    faultNth('misleadingGradients', 1, () => null);
    // budget = 10⁻⁶·max(1, 2·10⁻⁶) = 10⁻⁶: |formula| = 2·10⁻⁶ is not above 2·budget.
    const L = logistic({ heldFormula: 2e-6, heldDifference: 5e-7, projectedAlignment: 1 });
    expect(Math.abs(L.heldFormula)).toBe(2 * 1e-6 * Math.max(L.heldScale, Math.abs(L.heldFormula)));
    faultNth('logisticObs2', 1, () => L);
    const checks = checkObs2(example());
    expect(passes(checks)).toEqual(allBut(9, 10, 11, 12));
    expect(checks[9]).toEqual(exact(NAMES[9], false, 'm=2, h=1; ΘΘᵀ not a positive multiple of I, but no counterexample was built'));
    expect(checks[14]).toEqual(logisticChecks(L, L7, 'undecided (|formula| within FD error); ', true)[3]);
  });

  test('late training with a non-zero training gradient (one coordinate of two)', async () => {
    const { checkObs2 } = await load();
    faultNth('obs2Prediction', 3, (o) => ({ ...(o as Obs2Prediction), trainGrad: [ZERO, ONE] }));
    const checks = checkObs2(example());
    expect(passes(checks)).toEqual(allBut(10));
    expect(checks[10].detail).toBe('m=2, h=1; ½dᵀAd = 9/2; held c₂ = 9/2, new-λ difference c₂ = -9/2');
  });

  test('isotropic: projected ≠ c·raw alone, and a counterexample alone, each fail the raw-alignment check', async () => {
    const { checkObs2 } = await load();
    faultNth('obs2Prediction', 1, (o) => ({ ...(o as Obs2Prediction), projectedAlignment: q(33) }));
    let checks = checkObs2(isotropic());
    expect(passes(checks)).toEqual(allBut(9));
    expect(checks[9]).toEqual(exact(NAMES[9], false, 'm=1, h=1; ΘΘᵀ = 4·I, raw 8, projected 33'));
    hook.faults.clear();
    faultNth('misleadingGradients', 1, () => ({ trainGrad: [ONE], valGrad: [ONE] }));
    checks = checkObs2(isotropic());
    expect(passes(checks)).toEqual(allBut(9));
    expect(checks[9]).toEqual(exact(NAMES[9], false, 'm=1, h=1; ΘΘᵀ = 4·I, raw 8, projected 32'));
  });
});

const REF_NAMES = [
  'example 1 (raw alignment misleads): ∇L_T = (−2, 1), ∇L_V = (−2, 3), raw 7, projected −1 ⇒ harmful',
  'example 1: held ΔL_T = α + α², centered ΔL_T = α, uncentered ΔL_T = 2α (at new λ)',
  'example 2 (raw alignment misleads the other way): raw −5, projected 2, held ΔL_T = −2α + 4α² ⇒ helpful',
  'example 3 (late training, ∇L_T = 0, Θ = J*): held ΔL_T = +α²/16 at the pre-step λ, uncentered − centered = −α²/16 at the new λ',
  'example 4 (ΘΘᵀ = 9I, m = 2): raw alignment decides; example 5 (m = 1, Θ = 0): raw −2 but ΔL_T = 0 for every α',
  'logistic (seed 7, m = 4, h = 2): central difference of held ΔL_T = −∇L_TᵀΘΘᵀ∇L_V',
  'raw alignment misleads in some random cases; the projected sign rule in none',
];

/** Which worked example a quadratic setting is, by its v, w₀ and Θ. */
function whichExample(p: unknown): string {
  const { v, general, response } = p as { v: Rational[]; general: Rational[]; response: RationalMatrix };
  const key = `${v.map((x) => x.toFraction()).join(',')}|${general.map((x) => x.toFraction()).join(',')}|${response.map((r) => r.map((x) => x.toFraction()).join(',')).join(';')}`;
  return { '2,-2|0,1|1;1': 'ex1', '-1,4|0,1|1;1': 'ex2', '3|1|0': 'ex5' }[key] ?? 'other';
}

/** actualSmallStepVerdict: the examples as `verdicts` says ('real': unchanged), every other case (the measured rate's) `rest`, not computed. */
function verdicts(byExample: Record<string, string>, rest: string): void {
  hook.faults.set('actualSmallStepVerdict', (orig, args) => {
    const v = byExample[whichExample(args[0])] ?? rest;
    return v === 'real' ? orig(...args) : { verdict: v, alpha: ZERO };
  });
}

describe('referenceChecksObs2', () => {
  test('the reference values: every field, the measured text pinned (400 cases, seed 20201)', async () => {
    const { referenceChecksObs2 } = await load();
    const checks = referenceChecksObs2();
    const L = logisticObs2(logisticInstance(7, 4, 2));
    const err = Math.abs(L.heldDifference - L.heldFormula) / Math.max(Math.abs(L.heldFormula), L.heldScale);
    expect(L.heldScale).not.toBe(Math.abs(L.heldFormula));
    expect(checks).toEqual([
      { name: REF_NAMES[0], kind: 'exact', error: 0, tolerance: 0, passed: true },
      exact(REF_NAMES[1], true, 'held (1, 1), centered 1, uncentered 2'),
      { name: REF_NAMES[2], kind: 'exact', error: 0, tolerance: 0, passed: true },
      exact(REF_NAMES[3], true, 'held c₂ 1/16, new-λ difference c₂ -1/16'),
      { name: REF_NAMES[4], kind: 'exact', error: 0, tolerance: 0, passed: true },
      { name: REF_NAMES[5], kind: 'finite-difference', error: err, tolerance: 1e-6, passed: true, detail: `FD ${L.heldDifference}, formula ${L.heldFormula}` },
      exact(
        REF_NAMES[6],
        true,
        "measured on 400 cases of the generator's generic branch (seed 20201): raw alignment wrong in 23/387 = 5.9% (m=4,h=1: 11/37, m=3,h=1: 4/18, m=2,h=3: 1/9, m=2,h=2: 3/19, m=3,h=2: 1/10, m=2,h=1: 3/30); projected rule wrong in 0. For context, iid Gaussian (m, h) = (4, 1), (4, 2), (4, 3): raw and projected signs disagree in 35.1%, 28.7%, 24.6%",
      ),
    ]);
    expect(err).toBeGreaterThan(0);
    expect('detail' in checks[0] && checks[0].detail === undefined).toBe(true);
  });

  test('each check fails when one of its terms is perturbed alone (three calls, the measured rate on 3 cases)', async () => {
    const { referenceChecksObs2 } = await load();
    sampleCap.value = 3;
    // 1: example 1's ∇L_T; example 1's held c₀; example 2's raw alignment; example 3's held c₁; example 4 not isotropic;
    //    no case of the measured rate decided (raw wrong in 0); the examples' actual changes real, so that a check whose
    //    first terms are forced true still sees the rest hold.
    fault('obs2Prediction', (o, _k, args) => {
      const ex = whichExample(args[0]);
      if (ex === 'ex1') return { ...(o as Obs2Prediction), trainGrad: [q(-2), q(2)] };
      if (ex === 'ex2') return { ...(o as Obs2Prediction), rawAlignment: q(5) };
      return undefined;
    });
    fitFaults({ 1: { c0: ONE }, 5: { c1: ONE } });
    faultNth('isotropicResponse', 1, () => ({ isotropic: false, c: q(9) }));
    verdicts({ ex1: 'real', ex2: 'real', ex5: 'real' }, 'neutral');
    let checks = referenceChecksObs2();
    expect(passes(checks)).toEqual([false, false, false, false, false, true, false]);
    expect(checks[6].detail?.startsWith("measured on 400 cases of the generator's generic branch (seed 20201): raw alignment wrong in 0/0 = 0.0% (); projected rule wrong in 0.")).toBe(true);
    hook.faults.clear();

    // 2: the sign rule says neutral (example 1, and every rate case: projected wrong > 0); example 2's actual change
    //    neutral; example 3's held residual; example 5's held change non-zero at α = 2 only.
    hook.faults.set('signRule', () => 'neutral');
    hook.faults.set('rawVerdict', () => 'helpful');
    verdicts({ ex1: 'real', ex2: 'neutral', ex5: 'real' }, 'harmful');
    fitFaults({ 5: { residualAt4: ONE } });
    fault('heldChange', (o, _k, args) => ((args[1] as Rational).equals(2) ? ONE : o));
    checks = referenceChecksObs2();
    expect(passes(checks)).toEqual([false, true, false, false, false, true, false]);
    expect(checks[6].detail).toMatch(/raw alignment wrong in 3\/3 = 100\.0% \(.*\); projected rule wrong in 3\./);
    hook.faults.clear();

    // 3: example 1's actual change neutral, example 5's harmful; example 3's difference residual.
    verdicts({ ex1: 'neutral', ex2: 'real', ex5: 'harmful' }, 'neutral');
    fitFaults({ 6: { residualAt4: ONE } });
    checks = referenceChecksObs2();
    expect(passes(checks)).toEqual([false, true, true, false, false, true, false]);
  });
});

describe('rawAlignmentMisleadRate and gaussianAlignmentDisagreement', () => {
  test('the rate against its definition on 40 replayed cases (seed 9); the projected rule forced to say neutral; no samples', async () => {
    const { rawAlignmentMisleadRate } = await load();
    const cases = fc.sample(replayArbitraries().generic, { seed: 9, numRuns: 40 });
    let decided = 0;
    let rawWrong = 0;
    let neutral = 0;
    const byDims: Record<string, { decided: number; rawWrong: number }> = {};
    for (const c of cases) {
      const p = c.quadratic;
      const actual = actualSmallStepVerdict(p).verdict;
      if (actual === 'neutral') {
        neutral++;
        continue;
      }
      decided++;
      const key = `m=${p.inner.m},h=${p.inner.h}`;
      const cell = (byDims[key] ??= { decided: 0, rawWrong: 0 });
      cell.decided++;
      const pred = obs2Prediction(p);
      if (rawVerdict(pred.rawAlignment) !== actual) {
        rawWrong++;
        cell.rawWrong++;
      }
      expect(signRule(pred.projectedAlignment)).toBe(actual);
    }
    expect(neutral).toBeGreaterThan(0);
    expect(rawWrong).toBeGreaterThan(0);
    expect(Object.values(byDims).some((v) => v.decided > 1)).toBe(true);
    const rate = rawAlignmentMisleadRate(40, 9);
    expect(rate).toEqual({ decided, rawWrong, projectedWrong: 0, fraction: rawWrong / decided, byDims });
    expect(decided).toBeGreaterThan(1);

    hook.faults.set('signRule', () => 'neutral');
    expect(rawAlignmentMisleadRate(40, 9)).toEqual({ decided, rawWrong, projectedWrong: decided, fraction: rawWrong / decided, byDims });
    hook.faults.clear();
    expect(rawAlignmentMisleadRate(0, 9)).toEqual({ decided: 0, rawWrong: 0, projectedWrong: 0, fraction: 0, byDims: {} });
  });

  test('the Gaussian disagreement against a replay of its documented draws (g_T, g_V interleaved, then Θ column by column)', async () => {
    const { gaussianAlignmentDisagreement } = await load();
    const replay = (m: number, h: number, samples: number, seed: number): number => {
      const rng = new Rng(seed);
      let disagree = 0;
      for (let s = 0; s < samples; s++) {
        const gT: number[] = [];
        const gV: number[] = [];
        for (let i = 0; i < m; i++) {
          gT.push(rng.normal());
          gV.push(rng.normal());
        }
        const columns = Array.from({ length: h }, () => Array.from({ length: m }, () => rng.normal()));
        const proj = columns.reduce((acc, t) => acc + dot(t, gT) * dot(t, gV), 0);
        if (Math.sign(dot(gT, gV)) !== Math.sign(proj)) disagree++;
      }
      return disagree / samples;
    };
    const got: number[] = [];
    for (let n = 1; n <= 8; n++) {
      got.push(gaussianAlignmentDisagreement(4, 2, n, 3));
      expect(got[n - 1]).toBe(replay(4, 2, n, 3));
    }
    // the next draw after n samples disagrees for some n (an extra sample would show), and some n agree
    expect(got.some((x, i) => i > 0 && x * (i + 1) > got[i - 1] * i)).toBe(true);
    for (const [m, h, n, seed] of [[3, 3, 60, 11], [2, 1, 60, 5], [4, 3, 60, 20201]]) {
      const r = gaussianAlignmentDisagreement(m, h, n, seed);
      expect(r).toBe(replay(m, h, n, seed));
      expect(r > 0 && r < 0.5).toBe(true);
    }
  });
});
