/**
 * Killing tests for src/theory/obs1/claim.ts (OBS-1 as a claim: the case generator, the checks of one case, the
 * reference checks PT-1..PT-4 and the registered claim; README, "Mutation testing"; docs/math.md#s0-1, #s4-1,
 * #pt-1..PT-4; proofs/OBS-1.md).
 *
 * On a correct kernel every check of a valid case passes, so a check that is forced to pass (`pass: true`) or that
 * joins its two sides with `||` looks the same on every honest case. The kernel is therefore wrapped, not replaced:
 * `vi.mock` re-exports src/theory/obs1/math.ts, src/linalg/inertia.ts and src/linalg/dense.ts unchanged, each
 * function passing through a hook that records its arguments and, in a test that asks for it, perturbs one result
 * (one side of one check, or the filter's view of a drawn G_w). The check must then fail, and only that check; the
 * recorded arguments pin what the claim hands the kernel (the parameterization, the names its typed errors carry,
 * the spec's example data). Every other oracle is independent: the PT-2 example's κ's in closed form ((3+√5)/2, 4,
 * 17+12√2, 161+72√5), details worked by hand, the printed-precision boundaries hit exactly by point intervals, the
 * PT-3 worst point and the PT-4 excess recomputed. claim.ts itself is imported inside each test (see `load`).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';

type Fn = (...args: unknown[]) => unknown;

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

vi.mock('../../src/theory/obs1/math.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
vi.mock('../../src/linalg/inertia.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
vi.mock('../../src/linalg/dense.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));

import { conditionNumber } from '../../src/linalg/dense.js';
import { equalQ, exactFromFloat, identityQ, kronQ, math, multiplyQ, transposeQ, rationalMatrix, rationalVector, toNumberMatrix, toRationalString, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { certifiedConditionNumber, isPositiveDefiniteQ } from '../../src/linalg/inertia.js';
import { distanceToInterval } from '../../src/linalg/outward.js';
import type { Obs1Case } from '../../src/theory/obs1/claim.js';
import { centeringEqualityCriterion, expectedGaussNewton, gradientDescentTrace, expectedGaussNewtonQuadrature, jacobiKappaRelTol, secondMoment } from '../../src/theory/obs1/math.js';
import { closedFormRelTol, eigenRelTol, relativeError, relativeErrorVec } from '../../src/tolerance.js';
import type { Check } from '../../src/theory/claim.js';

afterEach(() => {
  hook.faults.clear();
  hook.calls.length = 0;
});

/**
 * claim.ts is imported inside each test, not at the top of this file: a mutant that throws while the module loads
 * (its arbitraries are built at module level) then fails the tests instead of the file's collection.
 */
const load = (): Promise<typeof import('../../src/theory/obs1/claim.js')> => import('../../src/theory/obs1/claim.js');

const q = (x: string | number): Rational => math.fraction(x as never) as Rational;
const PHI2 = (3 + Math.sqrt(5)) / 2; // κ(G) for G = [[2, 1], [1, 3]]
const NAMES = [
  'M = E[(1,λ̃)(1,λ̃)ᵀ] = [[1, λ̄ᵀ], [λ̄, λ̄λ̄ᵀ+Σ]] (exact)',
  'G_ψ = M̂ ⊗ G_w on samples, assembled from J_s (exact)',
  'E_ε G_ψ = M ⊗ G_w (exact, moment rule)',
  'E_ε G_ψ = M ⊗ G_w (float64 Gauss–Hermite)',
  'κ(G_ψ) = κ(M) κ(G_w) (float64 Jacobi)',
  'float64 κ(G_ψ) inside its certified interval',
  'κ(G_ψ) = κ(M) κ(G_w) (certified intervals intersect)',
  'κ(M_c) = max(1,σ²max)/min(1,σ²min) (exact inertia)',
  'κ(M_u) ≥ κ(M_c); equality iff the closed-form criterion (exact inertia)',
  'det M_u = det M_c = Π σ_k² (exact)',
  'h = 1 closed form κ(M_u) (float64)',
  'h = 1 κ(M_u) strictly increasing in |λ̄| (certified)',
  'centered G_ψ = blockdiag(G_w, Σ ⊗ G_w) (exact)',
];

/** The PT-2 example as a case: J_f = I, H_ℓ = G = [[2, 1], [1, 3]] (so G_w = G), λ̄ = (−2, 1), σ = (1, 1/2). */
function pt2Case(over: Partial<Obs1Case> = {}): Obs1Case {
  return {
    outputJacobian: identityQ(2),
    lossHessian: rationalMatrix([
      [2, 1],
      [1, 3],
    ]),
    lambdaBar: rationalVector(['-2', '1']),
    sigma: rationalVector(['1', '1/2']),
    perturbations: [rationalVector(['1/4', '0'])],
    branch: 'general',
    ...over,
  };
}

/** The cheapest case (h = m = n = 1): J_f = H_ℓ = 1, λ̄ = 1, σ = 1/2, one sample ε = 0. */
function smallCase(): Obs1Case {
  return { outputJacobian: [[q(1)]], lossHessian: [[q(1)]], lambdaBar: [q(1)], sigma: [q('1/2')], perturbations: [[q(0)]], branch: 'general' };
}

/** Σ = diag(1/100, 1, 100), λ̄ = (0, 1/10, 0): the spec's equality example (docs/math.md#s0-1), J_f = H_ℓ = 1. */
function equalityCase(over: Partial<Obs1Case> = {}): Obs1Case {
  return {
    outputJacobian: rationalMatrix([[1]]),
    lossHessian: rationalMatrix([[1]]),
    lambdaBar: rationalVector(['0', '1/10', '0']),
    sigma: rationalVector(['1/10', '1', '10']),
    perturbations: [rationalVector(['1', '0', '-1']), rationalVector(['0', '1/2', '0'])],
    branch: 'equality',
    ...over,
  };
}

function byName(checks: Check[]): Record<string, Check> {
  expect(checks.map((c) => c.name)).toEqual(NAMES);
  return Object.fromEntries(checks.map((c) => [c.name, c]));
}

const passes = (checks: Check[]): boolean[] => checks.map((c) => c.passed);
const only = (k: number): boolean[] => NAMES.map((_, i) => i !== k);

function exact(c: Check, name: string, pass: boolean, detail?: string): void {
  expect(c).toEqual({ name, kind: 'exact', error: pass ? 0 : 1, tolerance: 0, passed: pass, detail });
}

/** Numbers in a detail text, in order (JS prints floats so that they round-trip). */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/-?\d+(?:\.\d+)?(?:e[-+]\d+)?/g)].map((m) => Number(m[0]));
}

/** Perturbs the `n`-th call (1-based, counted per function) of a kernel function by `f`. */
function faultNth(name: string, n: number, f: (out: unknown, args: unknown[]) => unknown): void {
  let k = 0;
  hook.faults.set(name, (orig, args) => {
    const out = orig(...args);
    k++;
    return k === n ? f(out, args) : out;
  });
}

/** A copy of a rational matrix with `d` added to entry (0, 0). */
const bump = (m: unknown, d: number | Rational = 1): RationalMatrix => (m as RationalMatrix).map((r, i) => r.map((x, j) => (i === 0 && j === 0 ? x.add(d) : x)));

const argsOf = (name: string): unknown[][] => hook.calls.filter(([k]) => k === name).map(([, a]) => a);

describe('OBS1_CHECKS and the registered claim', () => {
  test('the check names, one per proof step, and every field of obs1Claim', async () => {
    const K = await load();
    expect(Object.values(K.OBS1_CHECKS)).toEqual(NAMES);
    expect(Object.keys(K.OBS1_CHECKS)).toEqual([
      'moment',
      'samples',
      'expectation',
      'quadrature',
      'kappaFloat',
      'kappaInInterval',
      'kappaCertified',
      'centeredKappa',
      'propositionC',
      'determinant',
      'scalarClosedForm',
      'scalarMonotone',
      'blockDiagonal',
    ]);
    expect(K.obs1Claim.id).toBe('OBS-1');
    expect(K.obs1Claim.statement).toBe(
      'Centering never worsens conditioning: when G_w does not vary with ε, G_ψ = M ⊗ G_w, κ(M ⊗ G) = κ(M)κ(G), and κ(M_u) ≥ κ(M_c) for every λ̄ and Σ ≻ 0 (strict when h = 1, λ̄ ≠ 0).',
    );
    expect(K.obs1Claim.assumptions).toEqual([
      'Affine hypernetwork ŵ = w₀ + Θλ̃ with λ̃ = λ₀ + ε (uncentered) or λ̃ = ε (centered), ψ = vec[w₀, Θ] column-major.',
      'ε ~ N(0, Σ), Σ = diag(σ²) ≻ 0.',
      'The Gauss–Newton matrix G_w = J_fᵀ H_ℓ J_f does not vary with ε (exact for squared loss with a linear model); G_w ≻ 0 for condition numbers.',
    ]);
    expect(K.obs1Claim.spec).toBe('docs/math.md#s0-1 (OBS-1), #s4-1, #pt-1..PT-4');
    expect(K.obs1Claim.proof).toBe('proofs/OBS-1.md');
    expect(K.obs1Claim.arbitrary).toBe(K.obs1CaseArb);
    expect(K.obs1Claim.check).toBe(K.checkObs1Case);
    expect(K.obs1Claim.referenceChecks).toBe(K.obs1ReferenceChecks);
    expect(Object.keys(K.obs1Claim)).toHaveLength(8);
  });
});

describe('checkObs1Case on the PT-2 example (every field against closed forms)', () => {
  test('all 13 checks pass; kinds, errors, tolerances and details', async () => {
    const K = await load();
    const checks = K.checkObs1Case(pt2Case());
    const c = byName(checks);
    const size = 'h=2, m=2, n=2, branch=general';
    exact(c[NAMES[0]], NAMES[0], true, size);
    exact(c[NAMES[1]], NAMES[1], true, `${size}, S=1`);
    exact(c[NAMES[2]], NAMES[2], true, size);

    // 4. quadrature: the error is the larger of the two parameterizations' relative errors against M ⊗ G.
    const g = [
      [2, 1],
      [1, 3],
    ];
    const kronU = toNumberMatrix(kronQ(secondMoment(['-2', '1'], ['1', '1/2']), rationalMatrix(g)));
    const kronC = toNumberMatrix(kronQ(secondMoment(['0', '0'], ['1', '1/2']), rationalMatrix(g)));
    const eU = relativeErrorVec(expectedGaussNewtonQuadrature([[1, 0], [0, 1]], g, [-2, 1], [1, 0.5], 'uncentered').flat(), kronU.flat());
    const eC = relativeErrorVec(expectedGaussNewtonQuadrature([[1, 0], [0, 1]], g, [-2, 1], [1, 0.5], 'centered').flat(), kronC.flat());
    expect(eU).not.toBe(eC);
    expect(c[NAMES[3]]).toEqual({ name: NAMES[3], kind: 'quadrature', error: Math.max(eU, eC), tolerance: 1e-8, passed: true, detail: size });

    // 5. κ(G_ψ) against κ(M)κ(G): κ(M_u)κ(G) = 202.9913841108…, κ(M_c)κ(G) = 4·(3+√5)/2.
    const k5 = c[NAMES[4]];
    expect([k5.name, k5.kind, k5.tolerance, k5.passed]).toEqual([NAMES[4], 'float64', 1e-6, true]);
    const d5 = k5.detail as string;
    expect(d5).toMatch(/^κ\(G_ψ,u\)=\S+, κ\(M_u\)κ\(G\)=\S+, κ\(G_ψ,c\)=\S+, κ\(M_c\)κ\(G\)=\S+; h=2, m=2, n=2, branch=general$/);
    const [pu, mu, pc, mc] = numbersIn(d5.split(';')[0]);
    for (const x of [pu, mu]) expect(Math.abs(x - 202.9913841108)).toBeLessThan(1e-9);
    for (const x of [pc, mc]) expect(Math.abs(x - 4 * PHI2)).toBeLessThan(1e-12);
    expect(relativeError(pu, mu)).not.toBe(relativeError(pc, mc));
    expect(k5.error).toBe(Math.max(relativeError(pu, mu), relativeError(pc, mc)));

    // 6. the float64 κ(G_ψ,u) against its certified interval (relative width 1e-10).
    const gpsiU = expectedGaussNewton(identityQ(2), rationalMatrix(g), ['-2', '1'], ['1', '1/2'], 'uncentered');
    const iv = certifiedConditionNumber(gpsiU, { relWidth: 1e-10 }).kappa;
    const gpsiUf = toNumberMatrix(gpsiU);
    const k6 = c[NAMES[5]];
    expect(k6).toEqual({
      name: NAMES[5],
      kind: 'certified',
      error: distanceToInterval(conditionNumber(gpsiUf), iv),
      tolerance: jacobiKappaRelTol(gpsiUf),
      passed: true,
      detail: `κ̂=${pu} vs [${Number(iv.lo.valueOf())}, ${Number(iv.hi.valueOf())}]`,
    });
    expect(k6.error).toBeGreaterThan(0);
    expect(iv.hi.sub(iv.lo).valueOf()).toBeLessThan(202.9913841108 * 1e-10);

    // 7. intervals intersect; the product interval contains 202.99138411078…
    const k7 = c[NAMES[6]];
    expect([k7.kind, k7.error, k7.tolerance, k7.passed]).toEqual(['certified', 0, 0, true]);
    const d7 = numbersIn(k7.detail as string);
    expect(k7.detail).toMatch(/^κ\(G_ψ\) ∈ \[\S+, \S+\], κ\(M\)κ\(G\) ∈ \[\S+, \S+\]$/);
    expect(d7.slice(0, 2)).toEqual([Number(iv.lo.valueOf()), Number(iv.hi.valueOf())]);
    for (const x of d7.slice(2)) expect(Math.abs(x - 202.9913841108)).toBeLessThan(1e-7);

    exact(c[NAMES[7]], NAMES[7], true, 'a=1, b=1/4');
    exact(c[NAMES[8]], NAMES[8], true, `relation=greater; inertia: λmax=a false, λmin=b false; criterion: false, false; ${size}`);
    exact(c[NAMES[9]], NAMES[9], true, 'Π σ² = 1/4');

    // 11. h = 1 sub-problem on (λ̄₁, σ₁) = (−2, 1): κ = 17 + 12√2.
    const m1f = toNumberMatrix(secondMoment(['-2'], ['1']));
    expect(c[NAMES[10]]).toEqual({ name: NAMES[10], kind: 'float64', error: c[NAMES[10]].error, tolerance: 1e-10, passed: true, detail: 'λ̄₁=-2, σ₁=1' });
    expect(c[NAMES[10]].error).toBeLessThan(1e-14);
    expect(jacobiKappaRelTol(m1f)).toBeLessThan(1e-10);

    // 12. κ(−2) = 17 + 12√2 < κ(−4) = 161 + 72√5.
    const k12 = c[NAMES[11]];
    expect([k12.kind, k12.error, k12.tolerance, k12.passed]).toEqual(['certified', 0, 0, true]);
    expect(k12.detail).toMatch(/^κ\(-2\) ≤ \S+ < \S+ ≤ κ\(-4\)$/);
    const [, hi1, lo2] = numbersIn(k12.detail as string);
    expect(Math.abs(hi1 - (17 + 12 * Math.SQRT2))).toBeLessThan(1e-8);
    expect(Math.abs(lo2 - (161 + 72 * Math.sqrt(5)))).toBeLessThan(1e-7);
    exact(c[NAMES[12]], NAMES[12], true, size);
  });

  test('what the claim hands the kernel: parameterizations, sample weights 1/S, names of the typed errors', async () => {
    const K = await load();
    const checks = K.checkObs1Case(pt2Case({ perturbations: [rationalVector(['1/4', '0']), rationalVector(['0', '1']), rationalVector(['1', '1'])] }));
    expect(passes(checks)).toEqual(NAMES.map(() => true));
    expect(checks[1].detail).toBe('h=2, m=2, n=2, branch=general, S=3');
    expect(argsOf('hypernetworkInputs').map((a) => a[2])).toEqual(['uncentered', 'centered', 'uncentered', 'centered']);
    expect(argsOf('expectedGaussNewton').map((a) => a[4])).toEqual(['uncentered', 'centered']);
    expect(argsOf('expectedGaussNewtonQuadrature').map((a) => a[4])).toEqual(['uncentered', 'centered']);
    for (const a of argsOf('gaussNewtonFromSamples')) expect((a[3] as Rational[]).map(toRationalString)).toEqual(['1/3', '1/3', '1/3']);
    expect(argsOf('jacobiKappaRelTol').map((a) => a[1])).toEqual(['G_psi', 'G_psi', 'G_psi', 'M_1']);
    expect(argsOf('certifiedConditionNumber').map((a) => [a[1], a[2]])).toEqual([
      [{ relWidth: 1e-10 }, 'G_psi'],
      [{ relWidth: 1e-10 }, 'M_u'],
      [{ relWidth: 1e-10 }, 'G_w'],
      [{ relWidth: 1e-10 }, undefined],
      [{ relWidth: 1e-10 }, undefined],
    ]);
    // The h = 1 sub-problem on the first coordinate: secondMoment([λ̄₁], [σ₁]) then ([2λ̄₁], [σ₁]).
    const sm = argsOf('secondMoment').map((a) => [(a[0] as Rational[]).map(toRationalString), (a[1] as Rational[]).map(toRationalString)]);
    expect(sm).toEqual([
      [['-2', '1'], ['1', '1/2']],
      [['0', '0'], ['1', '1/2']],
      [['-2'], ['1']],
      [['-4'], ['1']],
    ]);
  });

  test('a wide jacobiKappaRelTol replaces 1e-6 (the larger of the two parameterizations); λ̄₁ = 0 compares against λ̄ = 1/2', async () => {
    const K = await load();
    // λ̄ = (0, 1000), σ = (1, 1/1000): M_u is badly scaled, M_c is not.
    const c = pt2Case({ lambdaBar: rationalVector(['0', '1000']), sigma: rationalVector(['1', '1/1000']), outputJacobian: identityQ(1), lossHessian: rationalMatrix([[1]]) });
    const checks = K.checkObs1Case(c);
    const gu = toNumberMatrix(secondMoment(['0', '1000'], ['1', '1/1000']));
    const gc = toNumberMatrix(secondMoment(['0', '0'], ['1', '1/1000']));
    const tu = jacobiKappaRelTol(gu);
    const tc = jacobiKappaRelTol(gc);
    expect(tu).toBeGreaterThan(1e-6);
    expect(tc).toBeLessThan(tu);
    expect(checks[4].tolerance).toBe(tu);
    expect(checks[4].passed).toBe(true);
    expect(checks[10]).toEqual({ name: NAMES[10], kind: 'float64', error: 0, tolerance: 1e-10, passed: true, detail: 'λ̄₁=0, σ₁=1' });
    expect(checks[11].detail).toMatch(/^κ\(0\) ≤ \S+ < \S+ ≤ κ\(1\/2\)$/);
    expect(Math.abs(numbersIn(checks[11].detail as string)[1] - 1)).toBeLessThan(1e-9);
    const lo2 = numbersIn(checks[11].detail as string)[2];
    // κ at λ̄ = 1/2, σ = 1: T = 9/4, κ = (T + √(T² − 4))²/4.
    expect(Math.abs(lo2 - (2.25 + Math.sqrt(2.25 ** 2 - 4)) ** 2 / 4)).toBeLessThan(1e-9);
    expect(passes(checks)).toEqual(NAMES.map(() => true));
  });

  test('h = 1: the scalar tolerance takes jacobiKappaRelTol when it exceeds 1e-10 (λ̄ = 1000, σ = 1/1000)', async () => {
    const K = await load();
    const c = pt2Case({ lambdaBar: [q('1000')], sigma: [q('1/1000')], perturbations: [[q(0)]], outputJacobian: identityQ(1), lossHessian: rationalMatrix([[1]]) });
    const checks = K.checkObs1Case(c);
    const t = jacobiKappaRelTol(toNumberMatrix(secondMoment(['1000'], ['1/1000'])));
    expect(t).toBeGreaterThan(1e-10);
    expect(checks[10].tolerance).toBe(t);
    expect(checks[10].detail).toBe('λ̄₁=1000, σ₁=1/1000');
    expect(checks[8].detail).toBe('relation=greater; inertia: λmax=a false, λmin=b false; criterion: false, false; h=1, m=1, n=1, branch=general');
    expect(passes(checks)).toEqual(NAMES.map(() => true));
  });
});

describe('checkObs1Case: Proposition C against the branch label', () => {
  test('the spec equality example passes labelled equality and general (h = 3 may be an equality)', async () => {
    const K = await load();
    const checks = K.checkObs1Case(equalityCase());
    expect(passes(checks)).toEqual(NAMES.map(() => true));
    expect(checks[8].detail).toBe('relation=equal; inertia: λmax=a true, λmin=b true; criterion: true, true; h=3, m=1, n=1, branch=equality');
    expect(checks[7].detail).toBe('a=100, b=1/100');
    expect(checks[9].detail).toBe('Π σ² = 1');
    expect(checks[1].detail).toBe('h=3, m=1, n=1, branch=equality, S=2');
    expect(passes(K.checkObs1Case(equalityCase({ branch: 'general' })))).toEqual(NAMES.map(() => true));
  });

  test('labelled equality but a strict inequality (h = 1, λ̄ ≠ 0), or λ̄ = 0: Proposition C fails', async () => {
    const K = await load();
    const h1 = K.checkObs1Case(pt2Case({ lambdaBar: [q(1)], sigma: [q(1)], perturbations: [[q(0)]], branch: 'equality' }));
    expect(passes(h1)).toEqual(only(8));
    expect(h1[8].detail).toBe('relation=greater; inertia: λmax=a false, λmin=b false; criterion: false, false; h=1, m=2, n=2, branch=equality');
    const zero = K.checkObs1Case(equalityCase({ lambdaBar: rationalVector(['0', '0', '0']) }));
    expect(passes(zero)).toEqual(only(8));
    expect(zero[8].detail).toBe('relation=equal; inertia: λmax=a true, λmin=b true; criterion: true, true; h=3, m=1, n=1, branch=equality');
    // λ̄ = 0 labelled general: equal, and nothing is required.
    expect(passes(K.checkObs1Case(equalityCase({ lambdaBar: rationalVector(['0', '0', '0']), branch: 'general' })))).toEqual(NAMES.map(() => true));
    expect(passes(K.checkObs1Case(pt2Case({ lambdaBar: [q(0)], sigma: [q(2)], perturbations: [[q(1)]] })))).toEqual(NAMES.map(() => true));
  });

  test('each inertia field and each criterion side, perturbed alone, fails Proposition C and nothing else', async () => {
    const K = await load();
    const fields: [string, Record<string, unknown>][] = [
      ['compareCentering', { uncenteredPositiveDefinite: false }],
      ['compareCentering', { lambdaMaxAtLeastA: false }],
      ['compareCentering', { lambdaMinAtMostB: false }],
      ['compareCentering', { lambdaMaxEqualsA: true }],
      ['compareCentering', { lambdaMinEqualsB: true }],
      ['centeringEqualityCriterion', { maxSide: true }],
      ['centeringEqualityCriterion', { minSide: true }],
    ];
    for (const [fn, patch] of fields) {
      hook.faults.set(fn, (orig, args) => ({ ...(orig(...args) as object), ...patch }));
      expect(passes(K.checkObs1Case(smallCase())), `${fn} ${JSON.stringify(patch)}`).toEqual(only(8));
      hook.faults.clear();
    }
  });

  test('h ≤ 2 with λ̄ ≠ 0 must be strict: a reported equality fails at h = 2 but not at h = 3 or λ̄ = 0', async () => {
    const K = await load();
    hook.faults.set('compareCentering', (orig, args) => ({ ...(orig(...args) as object), relation: 'equal' }));
    const two = K.checkObs1Case(pt2Case({ outputJacobian: [[q(1)]], lossHessian: [[q(1)]] }));
    expect(passes(two)).toEqual(only(8));
    expect(two[8].detail).toBe('relation=equal; inertia: λmax=a false, λmin=b false; criterion: false, false; h=2, m=1, n=1, branch=general');
    expect(passes(K.checkObs1Case(pt2Case({ lambdaBar: [q(0), q(0)], outputJacobian: [[q(1)]], lossHessian: [[q(1)]] })))).toEqual(NAMES.map(() => true));
    // h = 3, λ̄ ≠ 0, relation really 'equal' and labelled general: no requirement.
    expect(passes(K.checkObs1Case(equalityCase({ branch: 'general' })))).toEqual(NAMES.map(() => true));
  });
});

describe('checkObs1Case: a perturbed side fails its own check', () => {
  test('moment: the uncentered or the centered rule moment perturbed', async () => {
    const K = await load();
    for (const n of [1, 2]) {
      faultNth('sampleSecondMoment', n, (out) => bump(out));
      expect(passes(K.checkObs1Case(smallCase())), `call ${n}`).toEqual(only(0));
      hook.faults.clear();
    }
  });

  test('samples: the uncentered or the centered sample average perturbed', async () => {
    const K = await load();
    for (const n of [1, 2]) {
      faultNth('gaussNewtonFromSamples', n, (out) => bump(out));
      const checks = K.checkObs1Case(smallCase());
      expect(passes(checks), `call ${n}`).toEqual(only(1));
      exact(checks[1], NAMES[1], false, 'h=1, m=1, n=1, branch=general, S=1');
      hook.faults.clear();
    }
  });

  test('expectation: E G_ψ uncentered or centered perturbed (by an entry far below the float checks)', async () => {
    const K = await load();
    for (const n of [1, 2]) {
      faultNth('expectedGaussNewton', n, (out) => bump(out, q('1/1000000000000000000000000')));
      const checks = K.checkObs1Case(smallCase());
      expect(checks[2].passed, `call ${n}`).toBe(false);
      expect(checks[12].passed).toBe(n === 1);
      expect(checks[9].passed).toBe(true);
      hook.faults.clear();
    }
  });

  test('quadrature: each parameterization perturbed by 1e-6 relative fails against 1e-8', async () => {
    const K = await load();
    for (const n of [1, 2]) {
      faultNth('expectedGaussNewtonQuadrature', n, (out) => (out as number[][]).map((r) => r.map((x) => x * (1 + 1e-6))));
      const checks = K.checkObs1Case(smallCase());
      expect(passes(checks), `call ${n}`).toEqual(only(3));
      expect(checks[3].error).toBeGreaterThan(0.9e-6);
      hook.faults.clear();
    }
  });

  test('determinant: det M_u ≠ Π σ² alone fails it; blockDiagonal perturbed fails it', async () => {
    const K = await load();
    // secondMoment's second call is M_c = diag(1, Σ): with (0,0) entry 2 its determinant is 2Πσ², while det M_u stays Πσ².
    faultNth('secondMoment', 2, (out) => bump(out));
    const checks = K.checkObs1Case(smallCase());
    expect(checks[9]).toEqual({ name: NAMES[9], kind: 'exact', error: 1, tolerance: 0, passed: false, detail: 'Π σ² = 1/4' });
    hook.faults.clear();
    faultNth('centeredBlockDiagonal', 1, (out) => bump(out));
    expect(passes(K.checkObs1Case(smallCase()))).toEqual(only(12));
  });

  test('scalar monotone: the exact invariant alone, or the certified intervals alone, out of order', async () => {
    const K = await load();
    hook.faults.set('scalarKappaInvariant', () => q(1));
    expect(passes(K.checkObs1Case(smallCase()))).toEqual(only(11));
    hook.faults.clear();
    // The two scalar intervals touching at one point: not strictly increasing.
    hook.faults.set('certifiedConditionNumber', (orig, args) => {
      const out = orig(...args) as { kappa: unknown };
      return (args[0] as RationalMatrix).length === 2 && args[2] === undefined ? { ...out, kappa: { lo: q(2), hi: q(2) } } : out;
    });
    const checks = K.checkObs1Case(smallCase());
    expect(passes(checks)).toEqual(only(11));
    expect(checks[11].detail).toBe('κ(1) ≤ 2 < 2 ≤ κ(2)');
  });
});

describe('checkObs1Case: a throwing step and the steps after it', () => {
  test('σ = 0 throws before any check: all 13 fail with the error', async () => {
    const K = await load();
    const checks = K.checkObs1Case(pt2Case({ sigma: rationalVector(['0', '1']) }));
    const d = 'threw or not reached: InvalidArgumentError: sigma[0]: expected a scale σ_k > 0, got "0"';
    checks.forEach((c, i) => exact(c, NAMES[i], false, d));
  });

  test('a singular G_w throws at step 5: steps 1–4 are kept, the other 9 fail with the error', async () => {
    const K = await load();
    const checks = K.checkObs1Case(pt2Case({ outputJacobian: rationalMatrix([[1, 1]]), lossHessian: rationalMatrix([[1]]) }));
    expect(checks).toHaveLength(13);
    expect(passes(checks)).toEqual(NAMES.map((_, i) => i < 4));
    const d = 'threw or not reached: NotPositiveDefiniteError: a: expected a symmetric positive definite matrix (smallest eigenvalue 0)';
    checks.slice(4).forEach((c, i) => exact(c, NAMES[i + 4], false, d));
  });

  test('a non-Error throw is reported by String()', async () => {
    const K = await load();
    hook.faults.set('compareCentering', () => {
      throw 'plain';
    });
    const checks = K.checkObs1Case(smallCase());
    expect(passes(checks)).toEqual(NAMES.map((_, i) => i < 7));
    checks.slice(7).forEach((c, i) => exact(c, NAMES[i + 7], false, 'threw or not reached: plain'));
  });
});

/** The shape of each drawn case, G_w ≻ 0 with κ ≤ 1e6, and the factor of each branch; returns the branches seen. */
function checkShapes(cases: Obs1Case[]): string[] {
  const seen = new Set<string>();
  for (const c of cases) {
    seen.add(c.branch);
    const h = c.lambdaBar.length;
    const n = c.outputJacobian.length;
    const m = c.outputJacobian[0].length;
    expect(c.sigma).toHaveLength(h);
    for (const s of c.sigma) expect(s.valueOf()).toBeGreaterThan(0);
    expect(c.lossHessian).toHaveLength(n);
    expect(c.perturbations.length).toBeGreaterThanOrEqual(1);
    expect(c.perturbations.length).toBeLessThanOrEqual(3);
    for (const e of c.perturbations) expect(e).toHaveLength(h);
    const g = multiplyQ(transposeQ(c.outputJacobian), multiplyQ(c.lossHessian, c.outputJacobian));
    expect(isPositiveDefiniteQ(g)).toBe(true);
    expect(conditionNumber(toNumberMatrix(g))).toBeLessThanOrEqual(1e6);
    if (c.branch === 'data') {
      expect(n).toBeGreaterThanOrEqual(m);
      expect(n).toBeLessThanOrEqual(m + 2);
      expect(equalQ(c.lossHessian, identityQ(n).map((r) => r.map((x) => x.div(n))))).toBe(true);
    }
    if (c.branch === 'curvature') {
      expect(equalQ(c.outputJacobian, identityQ(m))).toBe(true);
      expect(isPositiveDefiniteQ(c.lossHessian)).toBe(true);
    }
    if (c.branch === 'general') {
      expect(n).toBeGreaterThanOrEqual(m);
      expect(n).toBeLessThanOrEqual(m + 1);
      expect(isPositiveDefiniteQ(c.lossHessian)).toBe(true);
      for (const row of c.outputJacobian) for (const x of row) expect(Math.abs(x.valueOf())).toBeLessThanOrEqual(4);
    }
    if (c.branch === 'equality') expect(h).toBe(3);
    else expect(h).toBeLessThanOrEqual(3);
  }
  return [...seen].sort();
}

describe('obs1CaseArb (fixed seeds)', () => {
  test('20 draws: shapes, branches, the factor of each branch; the filter G_w ≻ 0 (exact) and κ(G_w) ≤ 1e6 (float64), at the cap and just above it', async () => {
    const K = await load();
    // Kernel answers rigged by G's (0,0) entry: not positive definite below 3; κ = 1e6 on (50, 100]; κ = 1e6 + 1 above 100.
    hook.faults.set('isPositiveDefiniteQ', (orig, args) => ((args[0] as RationalMatrix)[0][0].compare(q(3)) < 0 ? false : orig(...args)));
    hook.faults.set('conditionNumber', (orig, args) => {
      const g00 = (args[0] as number[][])[0][0];
      return g00 > 100 ? 1e6 + 1 : g00 > 50 ? 1e6 : orig(...args);
    });
    const cases = fc.sample(K.obs1CaseArb, { seed: 3, numRuns: 20 });
    hook.faults.clear();
    expect(checkShapes(cases)).toEqual(['curvature', 'data', 'equality', 'general']);
    const g00 = cases.map((c) => {
      const g = multiplyQ(transposeQ(c.outputJacobian), multiplyQ(c.lossHessian, c.outputJacobian));
      return [c.branch, Number(g[0][0].valueOf())] as const;
    });
    for (const [branch, x] of g00) {
      expect(x).toBeLessThanOrEqual(100);
      if (branch !== 'curvature') expect(x).toBeGreaterThanOrEqual(3);
    }
    expect(g00.some(([b, x]) => b !== 'curvature' && x > 50)).toBe(true);
    expect(g00.some(([b, x]) => b === 'curvature' && x < 3)).toBe(true);
  });

  test('the equality branch: σ = (small, mid, big) permuted, λ̄ on the mid coordinate only, criterion met', async () => {
    const K = await load();
    const cases = fc.sample(K.obs1CaseArb.filter((c) => c.branch === 'equality'), { seed: 3, numRuns: 20 });
    const smalls = new Set<string>();
    const bigs = new Set<string>();
    const orders = new Set<string>();
    let halved = false;
    for (const c of cases) {
      const s = c.sigma.map(toRationalString);
      expect(s).toHaveLength(3);
      const sorted = [...c.sigma].sort((a, b) => a.compare(b));
      const [lo, mid, hi] = sorted.map(toRationalString);
      smalls.add(lo);
      bigs.add(hi);
      orders.add(c.sigma.map((x) => sorted.indexOf(x)).join(''));
      expect(['1/1000', '1/8', '1/4', '1/2', '3/4']).toContain(lo);
      expect(['5/4', '2', '4', '100']).toContain(hi);
      // mid = lo + (hi − lo)·t/8 with t ∈ 1..7.
      const t = q(mid).sub(q(lo)).div(q(hi).sub(q(lo))).mul(8);
      expect(t.d).toBe(1n);
      expect(Number(t.n)).toBeGreaterThanOrEqual(1);
      expect(Number(t.n)).toBeLessThanOrEqual(7);
      const pos = s.indexOf(mid);
      c.lambdaBar.forEach((x, k) => (k === pos ? expect(x.n).not.toBe(0n) : expect(x.n).toBe(0n)));
      expect(centeringEqualityCriterion(c.lambdaBar, c.sigma).equal).toBe(true);
      // Halved only until the criterion holds: λ̄ is the drawn μ (|p| ≤ 40, q ≤ 4), or 2λ̄ fails the criterion.
      const x = c.lambdaBar[pos];
      const drawn = x.d <= 4n && x.n <= 40n;
      expect(drawn || !centeringEqualityCriterion(c.lambdaBar.map((y) => y.mul(2)), c.sigma).equal).toBe(true);
      halved ||= !drawn;
    }
    expect([...smalls].sort()).toEqual(['1/1000', '1/2', '1/4', '1/8', '3/4']);
    expect([...bigs].sort()).toEqual(['100', '2', '4', '5/4']);
    expect([...orders].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    expect(halved).toBe(true);
  });
});

// ───────────────────────────────────────── reference checks ─────────────────────────────────────────

const REF_NAMES = [
  'PT-1 Hessian of the uncentered sample objective = M̂ ⊗ XᵀX/n (exact)',
  'PT-1 Hessian of the centered sample objective = M̂ ⊗ XᵀX/n (exact)',
  'PT-2 κ(G) = (3+√5)/2 (float64 vs closed form)',
  'PT-2 κ(M_c ⊗ G) = 4·(3+√5)/2 (float64 vs closed form)',
  'PT-2 κ(M_c) = 4 (exact inertia)',
  'PT-2 κ(G) = 2.6180339887 (float64, printed precision)',
  'PT-2 κ(G) = 2.6180339887 (certified, rounds to the printed value)',
  'PT-2 κ(M_u) = 77.5358093069 (float64, printed precision)',
  'PT-2 κ(M_u) = 77.5358093069 (certified, rounds to the printed value)',
  'PT-2 κ(M_c) = 4 (float64, printed precision)',
  'PT-2 κ(M_c) = 4 (certified, rounds to the printed value)',
  'PT-2 κ(M_u ⊗ G) = 202.9913841108 (float64, printed precision)',
  'PT-2 κ(M_u ⊗ G) = 202.9913841108 (certified, rounds to the printed value)',
  'PT-2 κ(M_c ⊗ G) = 10.4721359550 (float64, printed precision)',
  'PT-2 κ(M_c ⊗ G) = 10.4721359550 (certified, rounds to the printed value)',
  'PT-2 κ(M_u ⊗ G) = 202.9913841108 (certified on M_u ⊗ G)',
  'PT-2 λ₀ = −log 18 = −2.8903717579 (dropout 0.05 on [0, 0.95])',
  'PT-2 scalar κ(M_u) = 105.2009646429 (closed form at λ̄ = −log 18, σ = 1)',
  'PT-2 scalar κ(M_u) = 105.2009646429 (certified, λ̄ bracketing −log 18)',
  'PT-2 scalar κ(M_u): closed form vs Jacobi',
  'PT-3 closed form κ = (T+√(T²−4σ²))²/(4σ²) vs Jacobi on a grid',
  'PT-3 κ + 1/κ = T²/σ² − 2 strictly increasing in |λ̄| on the grid (exact)',
  'PT-3 certified κ strictly increasing at |λ̄| = 0, 1, 8',
  'PT-4 ‖e_k‖ ≤ (1 − 1/κ)^k ‖e₀‖, k ≤ 800 (G = diag(14, 1), λ̄ = 0.8, σ = 0.6)',
  'PT-4 spectral radius of I − H/λmax = 1 − 1/κ (G = diag(14, 1), λ̄ = 0.8, σ = 0.6)',
  'PT-4 contraction factor larger uncentered when κ_u > κ_c (G = diag(14, 1), λ̄ = 0.8, σ = 0.6)',
  'PT-4 ‖e_k‖ ≤ (1 − 1/κ)^k ‖e₀‖, k ≤ 800 (PT-2 example)',
  'PT-4 spectral radius of I − H/λmax = 1 − 1/κ (PT-2 example)',
  'PT-4 contraction factor larger uncentered when κ_u > κ_c (PT-2 example)',
];

/** The closed forms of the PT-2 values: κ(M_u) from M_u's eigenvalues (a 3×3 with λ̄ = (−2, 1), σ = (1, 1/2)). */
const PT2 = { kG: PHI2, kMu: 77.5358093069, kMc: 4, kU: 202.9913841108, kC: 4 * PHI2, lambda0: -Math.log(18), kScalar: 105.2009646429 };

const traceOf = (a: unknown[]): ReturnType<typeof gradientDescentTrace> => gradientDescentTrace(a[0] as number[][], a[1] as number[], a[2] as number[], a[3] as number);
const strs = (v: unknown): string[] => (v as Rational[]).map(toRationalString);
const strM = (m: unknown): string[][] => (m as RationalMatrix).map((r) => r.map(toRationalString));

/** Which (λ̄, σ) a 2×2 second moment [[1, λ̄], [λ̄, λ̄² + σ²]] belongs to. */
const hyperOf = (m: unknown): [string, string] => {
  const mm = m as RationalMatrix;
  return [toRationalString(mm[0][1]), toRationalString(mm[1][1].sub(mm[0][1].mul(mm[0][1])))];
};

describe('obs1ReferenceChecks (PT-1..PT-4)', () => {
  test('every check: names, kinds, pass, errors and tolerances against closed forms; what each hands the kernel', async () => {
    const K = await load();
    const checks = K.obs1ReferenceChecks();
    const recorded = hook.calls.splice(0);
    const rec = (name: string): unknown[][] => recorded.filter(([k]) => k === name).map(([, a]) => a);
    expect(checks.map((c) => c.name)).toEqual(REF_NAMES);
    expect(checks.map((c) => c.passed)).toEqual(REF_NAMES.map(() => true));
    const c = Object.fromEntries(checks.map((x) => [x.name, x]));
    const kinds = checks.map((x) => x.kind);
    expect(kinds).toEqual([
      'exact', 'exact', 'float64', 'float64', 'exact',
      'reference', 'certified', 'reference', 'certified', 'reference', 'certified', 'reference', 'certified', 'reference', 'certified', 'certified',
      'reference', 'reference', 'certified', 'float64',
      'float64', 'exact', 'certified',
      'float64', 'float64', 'exact', 'float64', 'float64', 'exact',
    ]);
    // PT-1: exact, no detail.
    for (const k of [0, 1, 4, 21, 22]) expect([checks[k].error, checks[k].tolerance, checks[k].detail]).toEqual([0, 0, undefined]);
    // PT-1's data: X = [[1, 0], [0, 2], [1, 1]] (n = 3), λ₀ = (1/2, −1), three samples, weights 1/3.
    const hin = rec('hypernetworkInputs').slice(0, 2);
    expect(hin.map((a) => [strs(a[0]), (a[1] as Rational[][]).map(strs), a[2]])).toEqual(
      ['uncentered', 'centered'].map((par) => [['1/2', '-1'], [['1/4', '0'], ['-1/2', '1/3'], ['0', '-1']], par]),
    );
    const gns = rec('gaussNewtonFromSamples').slice(0, 2);
    for (const a of gns) {
      expect(strM(a[0])).toEqual([['1', '0'], ['0', '2'], ['1', '1']]);
      expect(strM(a[1])).toEqual([['1/3', '0', '0'], ['0', '1/3', '0'], ['0', '0', '1/3']]);
      expect(strs(a[3])).toEqual(['1/3', '1/3', '1/3']);
    }
    expect(rec('sampleSecondMoment').slice(0, 2).map((a) => strs(a[1]))).toEqual([['1/3', '1/3', '1/3'], ['1/3', '1/3', '1/3']]);

    // PT-2 closed forms.
    expect(c[REF_NAMES[2]]).toMatchObject({ error: 0, tolerance: closedFormRelTol(PHI2), detail: undefined });
    expect(c[REF_NAMES[3]].error).toBeLessThan(1e-15);
    expect(c[REF_NAMES[3]]).toMatchObject({ tolerance: closedFormRelTol(4 * PHI2), detail: undefined });
    // The printed-precision checks: error |computed − printed|, tolerance half a unit of the last digit + eigenRelTol.
    const printed: [number, string, number, number][] = [
      [5, '2.6180339887', PT2.kG, 2],
      [7, '77.5358093069', PT2.kMu, 3],
      [9, '4', PT2.kMc, 3],
      [11, '202.9913841108', PT2.kU, 6],
      [13, '10.4721359550', PT2.kC, 6],
    ];
    for (const [k, text, truth, n] of printed) {
      const ch = checks[k];
      const m = /^computed (\S+), printed (\S+)$/.exec(ch.detail as string) as RegExpExecArray;
      expect(m[2]).toBe(text);
      const computed = Number(m[1]);
      expect(Math.abs(computed - truth)).toBeLessThan(1e-10 * truth);
      const dec = text.includes('.') ? text.split('.')[1].length : 0;
      expect(ch.error).toBe(Math.abs(computed - Number(text)));
      expect(ch.tolerance).toBe(0.5 * 10 ** -dec + eigenRelTol(n, computed) * Number(text));
      // Certified: an interval inside [printed − half, printed + half], much narrower than it.
      const cert = checks[k + 1];
      expect([cert.error, cert.tolerance]).toEqual([0, 0]);
      const mm = /^\[(\S+), (\S+)\] vs (\S+)$/.exec(cert.detail as string) as RegExpExecArray;
      expect(mm[3]).toBe(text);
      expect(Number(mm[1])).toBeLessThanOrEqual(Number(mm[2]));
      expect(Number(mm[2]) - Number(mm[1])).toBeLessThan(1e-12 * truth + 1e-300);
      expect(Math.abs(Number(mm[1]) - truth)).toBeLessThan(1e-10 * truth);
    }
    const onKron = /^\[(\S+), (\S+)\] vs 202\.9913841108$/.exec(checks[15].detail as string) as RegExpExecArray;
    expect(Math.abs(Number(onKron[1]) - PT2.kU)).toBeLessThan(1e-8);
    expect(Number(onKron[2]) - Number(onKron[1])).toBeLessThan(1e-12);
    // λ₀ = −log 18 and the scalar closed form there.
    expect(c[REF_NAMES[16]]).toMatchObject({ error: Math.abs(PT2.lambda0 + 2.8903717579), tolerance: 0.5e-10 + 4 * Number.EPSILON * 2.8903717579, detail: `computed ${PT2.lambda0}, printed -2.8903717579` });
    const ks = /^computed (\S+), printed 105\.2009646429$/.exec(c[REF_NAMES[17]].detail as string) as RegExpExecArray;
    const kScalar = Number(ks[1]);
    // κ = (T + √(T² − 4))²/4 with T = 2 + log² 18.
    const T = 2 + Math.log(18) ** 2;
    expect(Math.abs(kScalar - (T + Math.sqrt(T * T - 4)) ** 2 / 4)).toBeLessThan(1e-12);
    expect(c[REF_NAMES[17]]).toMatchObject({ error: Math.abs(kScalar - 105.2009646429), tolerance: 0.5e-10 + 1e-13 * 105.2009646429 });
    // Bracketing: λ̄ = log 18 · (1 ∓ 4ε), exactly, σ = 1, width 1e-15.
    const l18 = Math.log(18);
    const kLo = certifiedConditionNumber(secondMoment([exactFromFloat(l18 * (1 - 4 * Number.EPSILON))], [1]), { relWidth: 1e-15 }).kappa;
    const kHi = certifiedConditionNumber(secondMoment([exactFromFloat(l18 * (1 + 4 * Number.EPSILON))], [1]), { relWidth: 1e-15 }).kappa;
    expect(c[REF_NAMES[18]].detail).toBe(`[${Number(kLo.lo.valueOf())}, ${Number(kHi.hi.valueOf())}] vs 105.2009646429`);
    expect(kLo.lo.compare(kHi.hi)).toBeLessThan(0);
    expect(c[REF_NAMES[19]]).toMatchObject({ tolerance: closedFormRelTol(kScalar), detail: undefined });
    expect(c[REF_NAMES[19]].error).toBe(relativeError(kScalar, conditionNumber(toNumberMatrix(secondMoment([PT2.lambda0], [1])))));
    // PT-2's certified calls: width 1e-15 on M_u, G, M_c, M_u ⊗ G and the two brackets.
    const tight = rec('certifiedConditionNumber').filter((a) => (a[1] as { relWidth?: number }).relWidth === 1e-15);
    expect(tight.map((a) => (a[0] as RationalMatrix).length)).toEqual([3, 2, 3, 6, 2, 2]);
    expect(strM(tight[1][0])).toEqual([['2', '1'], ['1', '3']]);
    expect(strM(tight[2][0])).toEqual([['1', '0', '0'], ['0', '1', '0'], ['0', '0', '1/4']]);
    expect(strM(tight[0][0])).toEqual([['1', '-2', '1'], ['-2', '5', '-2'], ['1', '-2', '5/4']]);

    // PT-3: the worst closed form / Jacobi ratio over the grid, recomputed.
    let worst = -1;
    let worstErr = 0;
    let worstTol = 0;
    const pairs: [string, string][] = [];
    for (const s of ['1/1000', '1/10', '1/2', '1', '2', '10']) {
      for (const mu of ['0', '1/4', '1/2', '1', '2', '4', '8']) {
        const mf = toNumberMatrix(secondMoment([mu], [s]));
        const lb = Number(q(mu).valueOf());
        const sg = Number(q(s).valueOf());
        const tt = 1 + lb * lb + sg * sg;
        const closed = (tt + Math.sqrt(tt * tt - 4 * sg * sg)) ** 2 / (4 * sg * sg);
        const err = relativeError(closed, conditionNumber(mf));
        const tol = Math.max(1e-10, jacobiKappaRelTol(mf));
        if (err / tol > worst) [worst, worstErr, worstTol] = [err / tol, err, tol];
        if (mu === '0' || mu === '1' || mu === '8') pairs.push([mu, s]);
      }
    }
    expect(worstTol).not.toBe(1e-10);
    expect(checks[20]).toMatchObject({ error: worstErr, tolerance: worstTol, detail: undefined });
    expect(worstErr).toBeGreaterThan(0);
    const pt3 = rec('certifiedConditionNumber').filter((a) => (a[1] as { relWidth?: number }).relWidth === 1e-10);
    expect(pt3.map((a) => hyperOf(a[0]))).toEqual(pairs.map(([mu, s]) => [mu, toRationalString(q(s).mul(q(s)))]));
    expect(pt3.map((a) => a[2])).toEqual(pairs.map(() => undefined));

    // PT-4: H = M ⊗ G in float64, c, ψ₀ = 0, 800 steps; the bound's excess and the contraction factors recomputed.
    const gd = rec('gradientDescentTrace');
    expect(gd.map((a) => [a[1], a[2], a[3]])).toEqual([
      [[2, 1, 1, 1], [0, 0, 0, 0], 800],
      [[2, 1, 1, 1], [0, 0, 0, 0], 800],
      [[1, -1, 2, 0, 1, 1], [0, 0, 0, 0, 0, 0], 800],
      [[1, -1, 2, 0, 1, 1], [0, 0, 0, 0, 0, 0], 800],
    ]);
    expect(gd[0][0]).toEqual([
      [14, 0, 11.2, 0],
      [0, 1, 0, 0.8],
      [11.2, 0, 14, 0],
      [0, 0.8, 0, 1],
    ]);
    expect(gd[1][0]).toEqual([
      [14, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 5.04, 0],
      [0, 0, 0, 0.36],
    ]);
    expect(gd[2][0]).toEqual(toNumberMatrix(kronQ(secondMoment(['-2', '1'], ['1', '1/2']), rationalMatrix([[2, 1], [1, 3]]))));
    expect(gd[3][0]).toEqual(toNumberMatrix(kronQ(secondMoment(['0', '0'], ['1', '1/2']), rationalMatrix([[2, 1], [1, 3]]))));
    const labels = ['G = diag(14, 1), λ̄ = 0.8, σ = 0.6', 'PT-2 example'];
    for (let k = 0; k < 2; k++) {
      const [tu, tc] = [0, 1].map((j) => traceOf(gd[2 * k + j]));
      let excess = 0;
      for (const t of [tu, tc]) {
        const rho = 1 - 1 / t.kappa;
        const floor = 1e-10 * Math.max(1, t.kappa) * t.errors[0];
        t.errors.forEach((e: number, i: number) => (excess = Math.max(excess, (e - rho ** i * t.errors[0]) / floor)));
      }
      const [b, r, l] = checks.slice(23 + 3 * k, 26 + 3 * k);
      expect(b).toEqual({ name: REF_NAMES[23 + 3 * k], kind: 'float64', error: excess, tolerance: 1, passed: true, detail: 'excess over the bound in units of the rounding floor' });
      expect(r).toEqual({
        name: REF_NAMES[24 + 3 * k],
        kind: 'float64',
        error: Math.max(relativeError(tu.contraction, 1 - 1 / tu.kappa), relativeError(tc.contraction, 1 - 1 / tc.kappa)),
        tolerance: 1e-10 * tu.kappa,
        passed: true,
        detail: undefined,
      });
      expect(l).toEqual({
        name: REF_NAMES[25 + 3 * k],
        kind: 'exact',
        error: 0,
        tolerance: 0,
        passed: true,
        detail: `ρ_u=${tu.contraction}, ρ_c=${tc.contraction}; iterations to 1e-8 (not asserted): uncentered ${tu.iterationsToTolerance}, centered ${tc.iterationsToTolerance}`,
      });
      expect(REF_NAMES[23 + 3 * k].endsWith(`(${labels[k]})`)).toBe(true);
    }
    // PT-4 case 2 exceeds the exact bound by rounding (so the excess is measured, not clipped at 0); case 1 does not.
    expect(checks[26].error).toBeGreaterThan(0);
    expect(checks[23].error).toBe(0);
    const [t2u, t2c] = [traceOf(gd[2]), traceOf(gd[3])];
    expect(relativeError(t2u.contraction, 1 - 1 / t2u.kappa)).not.toBe(relativeError(t2c.contraction, 1 - 1 / t2c.kappa));
  });
});

/** Makes the reference groups in `groups` throw at their first kernel call (cheap, and a test of `guarded`). */
function skip(...groups: ('PT-1' | 'PT-2' | 'PT-3' | 'PT-4')[]): void {
  const boom = (g: string): never => {
    throw new Error(`skip ${g}`);
  };
  if (groups.includes('PT-1')) hook.faults.set('hypernetworkInputs', () => boom('PT-1'));
  if (groups.includes('PT-2')) {
    let first = true;
    hook.faults.set('secondMoment', (orig, args) => {
      if (first && typeof (args[0] as unknown[])[0] === 'string') {
        first = false;
        boom('PT-2');
      }
      return orig(...args);
    });
  }
  if (groups.includes('PT-3')) hook.faults.set('scalarConditionNumber', (orig, args) => (args[1] === 1 ? orig(...args) : boom('PT-3')));
  if (groups.includes('PT-4')) hook.faults.set('gradientDescentTrace', () => boom('PT-4'));
}

const threw = (g: string, detail = `Error: skip ${g}`): Check => ({ name: `${g} threw`, kind: 'reference', error: 1, tolerance: 0, passed: false, detail });

/** obs1ReferenceChecks with the groups in `skipped` short-circuited and the kernel faults `faults` set (afresh). */
function refChecks(K: Awaited<ReturnType<typeof load>>, skipped: ('PT-1' | 'PT-2' | 'PT-3' | 'PT-4')[], faults: Record<string, (orig: Fn, args: unknown[]) => unknown> = {}): Check[] {
  hook.faults.clear();
  skip(...skipped);
  for (const [k, f] of Object.entries(faults)) hook.faults.set(k, f);
  return K.obs1ReferenceChecks();
}

describe('obs1ReferenceChecks: each group guarded, and a perturbed side fails its check', () => {
  test('every group throwing gives one failed reference check per group, with the error', async () => {
    const K = await load();
    expect(refChecks(K, ['PT-1', 'PT-2', 'PT-3', 'PT-4'])).toEqual([threw('PT-1'), threw('PT-2'), threw('PT-3'), threw('PT-4')]);
    const plain = refChecks(K, ['PT-2', 'PT-3', 'PT-4'], {
      hypernetworkInputs: () => {
        throw 7;
      },
    });
    expect(plain).toEqual([threw('PT-1', '7'), threw('PT-2'), threw('PT-3'), threw('PT-4')]);
  });

  test('PT-1: the per-sample assembly perturbed alone fails the Hessian check', async () => {
    const K = await load();
    let k = 0;
    const checks = refChecks(K, ['PT-2', 'PT-3', 'PT-4'], { gaussNewtonFromSamples: (orig, args) => (++k === 1 ? bump(orig(...args)) : orig(...args)) });
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      [REF_NAMES[0], false],
      [REF_NAMES[1], true],
      ['PT-2 threw', false],
      ['PT-3 threw', false],
      ['PT-4 threw', false],
    ]);
    exact(checks[0], REF_NAMES[0], false, undefined);
  });

  test('PT-2: κ(M_c) by inertia ≠ 4 fails; the certified interval of κ(M_c) against [7/2, 9/2], at and past each end', async () => {
    const K = await load();
    const wrong = refChecks(K, ['PT-1', 'PT-3', 'PT-4'], { compareCentering: (orig, args) => ({ ...(orig(...args) as object), kappaCentered: q(5) }) });
    expect(wrong.filter((c) => !c.passed).map((c) => c.name)).toEqual(['PT-1 threw', REF_NAMES[4], 'PT-3 threw', 'PT-4 threw']);
    exact(wrong.find((c) => c.name === REF_NAMES[4]) as Check, REF_NAMES[4], false, undefined);
    const name = REF_NAMES[10];
    for (const [lo, hi, pass] of [
      ['7/2', '7/2', true],
      ['9/2', '9/2', true],
      ['3', '4', false],
      ['4', '5', false],
    ] as const) {
      const checks = refChecks(K, ['PT-1', 'PT-3', 'PT-4'], {
        certifiedConditionNumber: (orig, args) => {
          const out = orig(...args) as object;
          const m = args[0] as RationalMatrix;
          const isMc = m.length === 3 && toRationalString(m[2][2]) === '1/4' && m[0][1].n === 0n && (args[1] as { relWidth?: number }).relWidth === 1e-15;
          return isMc ? { ...out, kappa: { lo: q(lo), hi: q(hi) } } : out;
        },
      });
      const c = checks.find((x) => x.name === name) as Check;
      expect(c, `${lo}..${hi}`).toEqual({ name, kind: 'certified', error: pass ? 0 : 1, tolerance: 0, passed: pass, detail: `[${Number(q(lo).valueOf())}, ${Number(q(hi).valueOf())}] vs 4` });
    }
  });

  test('PT-2: a certified κ(G) one printed half-unit (5e-11) plus 1e-12 above 2.6180339887 fails', async () => {
    const K = await load();
    const p = '2.6180339887';
    const past = q(p).add(q('1/20000000000')).add(q('1/1000000000000'));
    const checks = refChecks(K, ['PT-1', 'PT-3', 'PT-4'], {
      certifiedConditionNumber: (orig, args) => {
        const out = orig(...args) as object;
        const m = args[0] as RationalMatrix;
        const isG = m.length === 2 && toRationalString(m[1][1]) === '3' && (args[1] as { relWidth?: number }).relWidth === 1e-15;
        return isG ? { ...out, kappa: { lo: past, hi: past } } : out;
      },
    });
    const c = checks.find((x) => x.name === REF_NAMES[6]) as Check;
    expect([c.passed, c.detail]).toEqual([false, `[${Number(past.valueOf())}, ${Number(past.valueOf())}] vs ${p}`]);
  });

  test('PT-3: the exact invariant, or the certified κ, not increasing fails its monotonicity check', async () => {
    const K = await load();
    let checks = refChecks(K, ['PT-1', 'PT-2', 'PT-4'], { scalarKappaInvariant: () => q(3) });
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ['PT-1 threw', false],
      ['PT-2 threw', false],
      [REF_NAMES[20], true],
      [REF_NAMES[21], false],
      [REF_NAMES[22], true],
      ['PT-4 threw', false],
    ]);
    exact(checks[3], REF_NAMES[21], false, undefined);
    checks = refChecks(K, ['PT-1', 'PT-2', 'PT-4'], { certifiedConditionNumber: (orig, args) => ({ ...(orig(...args) as object), kappa: { lo: q(2), hi: q(2) } }) });
    expect(checks.map((c) => c.passed)).toEqual([false, false, true, true, false, false]);
    expect(checks[4]).toEqual({ name: REF_NAMES[22], kind: 'certified', error: 1, tolerance: 0, passed: false, detail: undefined });
  });

  test('PT-4: no gain from centering reported, or equal contraction factors, fail the contraction check', async () => {
    const K = await load();
    let checks = refChecks(K, ['PT-1', 'PT-2', 'PT-3'], { compareCentering: (orig, args) => ({ ...(orig(...args) as object), relation: 'equal' }) });
    expect(checks.slice(3).map((c) => [c.name, c.passed])).toEqual(REF_NAMES.slice(23).map((n, i) => [n, i % 3 !== 2]));
    // Both parameterizations of a case given the uncentered Hessian: equal contraction factors.
    let uncentered: unknown = null;
    let k = 0;
    checks = refChecks(K, ['PT-1', 'PT-2', 'PT-3'], {
      gradientDescentTrace: (orig, args) => {
        if (k++ % 2 === 0) uncentered = args[0];
        return orig(uncentered, ...args.slice(1));
      },
    });
    expect(checks.slice(3).map((c) => c.passed)).toEqual([true, true, false, true, true, false]);
    expect(checks[5].detail).toMatch(/^ρ_u=(\S+), ρ_c=\1;/);
  });
});
