/**
 * Killing tests for src/theory/obs1/claim.ts, second file: the module-level code (the case generator obs1CaseArb, its
 * equality branch equalityHyperArb, the registered obs1Claim object). README, "Mutation testing"; docs/math.md#s0-1;
 * proofs/OBS-1.md.
 *
 * kill-obs1-claim.test.ts imports claim.ts inside each test, so under Stryker's per-test coverage the module's
 * top-level code counts as covered only by whichever test imported it first, and the generator's mutants were run
 * against tests that never sample it. Here claim.ts is imported once at the top of the file (guarded: a mutant that
 * throws while the module loads fails each test through `claim()` instead of the file's collection), so these
 * "static" mutants run against every test below; each test is therefore cheap. Oracles: the equality branch's
 * constants (σ_small ∈ {1/1000, 1/8, 1/4, 1/2, 3/4}, σ_big ∈ {5/4, 2, 4, 100}, σ_mid = σ_small + (σ_big − σ_small)·t/8
 * with t ∈ 1..7, all six orders, λ̄ non-zero on the mid coordinate only, m ∈ 1..3), every branch reached, the case
 * shapes, and the claim object's fields verbatim.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conditionNumber } from '../../src/linalg/dense.js';
import { equalQ, identityQ, multiplyQ, toNumberMatrix, toRationalString, transposeQ, type Rational } from '../../src/linalg/exact.js';
import { isPositiveDefiniteQ } from '../../src/linalg/inertia.js';
import { centeringEqualityCriterion } from '../../src/theory/obs1/math.js';
import type { Obs1Case } from '../../src/theory/obs1/claim.js';

const loaded = await import('../../src/theory/obs1/claim.js').then(
  (m) => ({ m, e: null }),
  (e: unknown) => ({ m: null, e }),
);
/** The loaded module, or the error its load threw (so that a throwing mutant fails the tests, not the collection). */
function claim(): typeof import('../../src/theory/obs1/claim.js') {
  if (loaded.m === null) throw loaded.e;
  return loaded.m;
}

/** G_w = J_fᵀ H_ℓ J_f. */
function gw(c: Obs1Case): Rational[][] {
  return multiplyQ(transposeQ(c.outputJacobian), multiplyQ(c.lossHessian, c.outputJacobian));
}

/** Asserts the shape every case shares and its branch's factor; returns the branch. */
function shape(c: Obs1Case): string {
  const h = c.lambdaBar.length;
  const n = c.outputJacobian.length;
  const m = c.outputJacobian[0].length;
  expect(['data', 'curvature', 'general', 'equality']).toContain(c.branch);
  expect(Object.keys(c).sort()).toEqual(['branch', 'lambdaBar', 'lossHessian', 'outputJacobian', 'perturbations', 'sigma']);
  expect(h).toBeGreaterThanOrEqual(1);
  expect(h).toBeLessThanOrEqual(3);
  expect(m).toBeGreaterThanOrEqual(1);
  expect(m).toBeLessThanOrEqual(c.branch === 'equality' ? 3 : 4);
  expect(c.sigma).toHaveLength(h);
  for (const s of c.sigma) expect(s.valueOf()).toBeGreaterThan(0);
  expect(c.lossHessian).toHaveLength(n);
  for (const row of c.lossHessian) expect(row).toHaveLength(n);
  expect(c.perturbations.length).toBeGreaterThanOrEqual(1);
  expect(c.perturbations.length).toBeLessThanOrEqual(3);
  for (const e of c.perturbations) expect(e).toHaveLength(h);
  const g = gw(c);
  expect(isPositiveDefiniteQ(g)).toBe(true);
  expect(conditionNumber(toNumberMatrix(g))).toBeLessThanOrEqual(1e6);
  if (c.branch === 'equality') expect(h).toBe(3);
  if (c.branch === 'curvature') expect(equalQ(c.outputJacobian, identityQ(m))).toBe(true);
  return c.branch;
}

describe('obs1CaseArb, sampled with fixed seeds (module-level arbitraries)', () => {
  test('the mixture: every branch reached, each case well-shaped', () => {
    const cases = fc.sample(claim().obs1CaseArb, { seed: 3, numRuns: 20 });
    expect(cases).toHaveLength(20);
    const branches = new Set(cases.map(shape));
    expect([...branches].sort()).toEqual(['curvature', 'data', 'equality', 'general']);
    // The first arm (weight 7) draws h and m from dimsArb: h = 1 and m = 4 both occur outside the equality branch.
    const other = cases.filter((c) => c.branch !== 'equality');
    expect(other.length).toBeGreaterThan(10);
    expect(other.some((c) => c.lambdaBar.length !== 3)).toBe(true);
  });

  test('the equality branch: h = 3, m ∈ 1..3, σ = (small, mid, big) permuted over the exact constant sets, λ̄ on mid only, non-zero, criterion met', () => {
    const cases = fc.sample(claim().obs1CaseArb.filter((c) => c.branch === 'equality'), { seed: 3, numRuns: 20 });
    expect(cases).toHaveLength(20);
    const smalls = new Set<string>();
    const bigs = new Set<string>();
    const ts = new Set<number>();
    const orders = new Set<string>();
    const ms = new Set<number>();
    for (const c of cases) {
      expect(shape(c)).toBe('equality');
      ms.add(c.outputJacobian[0].length);
      expect(c.sigma).toHaveLength(3);
      expect(c.lambdaBar).toHaveLength(3);
      const sorted = [...c.sigma].sort((a, b) => a.compare(b));
      const [lo, mid, hi] = sorted;
      expect(lo.compare(mid)).toBeLessThan(0);
      expect(mid.compare(hi)).toBeLessThan(0);
      smalls.add(toRationalString(lo));
      bigs.add(toRationalString(hi));
      const t = mid.sub(lo).div(hi.sub(lo)).mul(8);
      expect(t.d).toBe(1n);
      ts.add(Number(t.n));
      orders.add(c.sigma.map((x) => sorted.indexOf(x)).join(''));
      const pos = c.sigma.indexOf(mid);
      c.lambdaBar.forEach((x, k) => (k === pos ? expect(x.n).not.toBe(0n) : expect(x.n).toBe(0n)));
      expect(centeringEqualityCriterion(c.lambdaBar, c.sigma).equal).toBe(true);
    }
    expect([...smalls].sort()).toEqual(['1/1000', '1/2', '1/4', '1/8', '3/4']);
    expect([...bigs].sort()).toEqual(['100', '2', '4', '5/4']);
    for (const t of ts) {
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThanOrEqual(7);
    }
    expect(ts.size).toBeGreaterThan(3);
    expect([...orders].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    expect([...ms].sort()).toEqual([1, 2, 3]);
  });
});

describe('obs1Claim (the registered object, every field)', () => {
  test('id, statement, assumptions, spec, proof and the three functions', () => {
    const K = claim();
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
    expect(Object.keys(K.obs1Claim).sort()).toEqual(['arbitrary', 'assumptions', 'check', 'id', 'proof', 'referenceChecks', 'spec', 'statement']);
  });
});
