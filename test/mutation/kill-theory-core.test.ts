/**
 * Killing tests for the claim machinery that every claim shares (README, "Mutation testing"): src/theory/claim.ts (a
 * check's verdict), src/theory/runner.ts (`runClaim`, the engine of `deltastn verify`), src/theory/registry.ts (the one
 * list of claims) and src/theory/generators.ts (the distributions `verify` and the claim tests draw from).
 *
 * The runner is driven by a synthetic claim whose checks are known functions of the drawn case, so each field of the
 * report has a closed form over the cases; the cases themselves come from `fc.sample` with the same seed (fast-check
 * is the oracle for which cases a seed draws, not the runner). The generators are checked for what their TSDoc
 * promises: the support of each distribution and that its edge cases are actually drawn (issue 12: "the generators
 * reach the cases named").
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conditionNumber } from '../../src/linalg/dense.js';
import { isSymmetricQ, math, toNumberMatrix, type Rational } from '../../src/linalg/exact.js';
import { isPositiveDefiniteQ } from '../../src/linalg/inertia.js';
import { exactCheck, tolCheck, type AnyClaim, type Check } from '../../src/theory/claim.js';
import { dimsArb, lambdaArb, sigmaArb, spdArb } from '../../src/theory/generators.js';
import { claimIds, claims, findClaim } from '../../src/theory/registry.js';
import { runClaim } from '../../src/theory/runner.js';

describe('claim.ts: a check passes iff its error is within its tolerance', () => {
  test('exactCheck: kind "exact", error 0 or 1, tolerance 0', () => {
    expect(exactCheck('a', true, 'd')).toEqual({ name: 'a', kind: 'exact', error: 0, tolerance: 0, passed: true, detail: 'd' });
    expect(exactCheck('b', false)).toEqual({ name: 'b', kind: 'exact', error: 1, tolerance: 0, passed: false, detail: undefined });
  });

  test('tolCheck: error = tolerance passes, error > tolerance and NaN fail', () => {
    expect(tolCheck('t', 'float64', 1e-9, 1e-9).passed).toBe(true);
    expect(tolCheck('t', 'float64', 2e-9, 1e-9)).toEqual({ name: 't', kind: 'float64', error: 2e-9, tolerance: 1e-9, passed: false, detail: undefined });
    expect(tolCheck('t', 'monte-carlo', Number.NaN, 1).passed).toBe(false);
  });
});

describe('runner.ts: runClaim over a synthetic claim with known checks', () => {
  // Case c ∈ {0, …, 9}: "even" is an exact check that fails on odd c; "scaled" has error c, tolerance 4 (fails for
  // c ≥ 5, ratio c/4); "nan" has a NaN error on c = 7 (ratio ∞); c = 9 throws. Two reference checks, one failing.
  const arbitrary = fc.integer({ min: 0, max: 9 });
  const claim: AnyClaim = {
    id: 'OBS-1',
    statement: 'synthetic',
    assumptions: [],
    spec: '',
    proof: '',
    arbitrary,
    check(c: number): Check[] {
      if (c === 9) throw new Error(`boom ${c}`);
      return [exactCheck('even', c % 2 === 0, c % 4 === 1 ? `odd ${c}` : undefined), tolCheck('scaled', 'float64', c, 4), tolCheck('nan', 'float64', c === 7 ? Number.NaN : 0, 1)];
    },
    referenceChecks: () => [tolCheck('value', 'reference', 0.5, 1), exactCheck('table', false, 'row 3')],
  };

  test('every field of the report, against the cases fast-check draws for the seed', () => {
    const runs = 60;
    const seed = 11;
    const cases = fc.sample(arbitrary, { numRuns: runs, seed });
    const progress: [number, number][] = [];
    const r = runClaim(claim, { runs, seed, onCase: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual(cases.map((_, i) => [i + 1, runs]));
    const ok = cases.filter((c) => c !== 9);
    expect(r.id).toBe('OBS-1');
    expect(r.statement).toBe('synthetic');
    expect(r.cases).toBe(runs);
    expect(r.referenceChecks).toBe(2);
    expect(r.errors).toEqual(cases.flatMap((c, i) => (c === 9 ? [`case ${i}: boom 9`] : [])));
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.holds).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(r.checks.map((c) => c.name)).toEqual(['even', 'scaled', 'nan', 'ref: value', 'ref: table']);
    const [even, scaled, nan, value, table] = r.checks;

    const odd = ok.filter((c) => c % 2 === 1);
    expect(odd.length).toBeGreaterThan(0);
    const firstOdd = odd[0];
    expect(even).toEqual({
      name: 'even', kind: 'exact', count: ok.length, failures: odd.length, worstError: 1, worstTolerance: 0, worstRatio: Infinity,
      firstFailure: firstOdd % 4 === 1 ? `odd ${firstOdd}` : 'error 1 > tolerance 0',
    });

    const big = ok.filter((c) => c >= 5);
    expect(scaled).toEqual({
      name: 'scaled', kind: 'float64', count: ok.length, failures: big.length, worstError: Math.max(...ok), worstTolerance: 4,
      worstRatio: Math.max(...ok) / 4, firstFailure: `error ${big[0]} > tolerance 4`,
    });

    expect(ok).toContain(7);
    expect(nan.count).toBe(ok.length);
    expect(nan.failures).toBe(ok.filter((c) => c === 7).length);
    expect(nan.worstRatio).toBe(Infinity);
    expect(nan.worstError).toBeNaN();
    expect(nan.firstFailure).toBe('error NaN > tolerance 1');

    expect(value).toEqual({ name: 'ref: value', kind: 'reference', count: 1, failures: 0, worstError: 0.5, worstTolerance: 1, worstRatio: 0.5, firstFailure: undefined });
    expect(table).toEqual({ name: 'ref: table', kind: 'exact', count: 1, failures: 1, worstError: 1, worstTolerance: 0, worstRatio: Infinity, firstFailure: 'row 3' });
  });

  test('ties in the ratio keep the larger error; a passing exact check has ratio 0', () => {
    // Case c: one check with error c and tolerance c (ratio 1 for every c > 0; ratio 0 at c = 0 by the 0/0 rule
    // of an exact check only: here tolerance 0 at c = 0 and it passes).
    const tie: AnyClaim = { ...claim, check: (c: number) => [{ name: 'tie', kind: 'float64', error: c, tolerance: c, passed: true }], referenceChecks: () => [] };
    const cases = fc.sample(arbitrary, { numRuns: 40, seed: 3 });
    const r = runClaim(tie, { runs: 40, seed: 3 });
    expect(r.holds).toBe(true);
    expect(r.errors).toEqual([]);
    const s = r.checks[0];
    const max = Math.max(...cases);
    expect(max).toBeGreaterThan(0);
    expect([s.worstRatio, s.worstError, s.worstTolerance, s.failures, s.firstFailure]).toEqual([1, max, max, 0, undefined]);
    const zero = runClaim({ ...tie, check: () => [exactCheck('z', true)] }, { runs: 3, seed: 1 }).checks[0];
    expect([zero.worstRatio, zero.count]).toEqual([0, 3]);
  });

  test('defaults: 100 runs, seed 0; runs = 0 draws nothing; a throwing reference list is one error', () => {
    const seen: number[] = [];
    const spy: AnyClaim = { ...claim, check: (c: number) => (seen.push(c), []), referenceChecks: () => [] };
    const r = runClaim(spy);
    expect(r.cases).toBe(100);
    expect(seen).toEqual(fc.sample(arbitrary, { numRuns: 100, seed: 0 }));
    expect(r.holds).toBe(true);
    const none = runClaim({ ...spy, referenceChecks: () => { throw new Error('no table'); } }, { runs: 0 });
    expect([none.cases, none.referenceChecks, none.errors, none.holds]).toEqual([0, 0, ['reference checks: no table'], false]);
  });
});

describe('registry.ts: the five claims, in the order of docs/math.md#s0-1', () => {
  test('claims, claimIds and findClaim', () => {
    const ids = ['OBS-1', 'OBS-2', 'THM-3', 'APP-E', 'LIN'];
    expect(claims.map((c) => c.id)).toEqual(ids);
    expect(claimIds()).toEqual(ids);
    for (const c of claims) expect(findClaim(c.id)).toBe(c);
    expect(findClaim('OBS-3')).toBeUndefined();
  });
});

describe('generators.ts: the support of each distribution, and its edge cases drawn', () => {
  const key = (q: Rational): string => q.toFraction();

  test('sigmaArb: σ_k ∈ {p/q : 1 ≤ p ≤ 32, q ∈ {1, 2, 4, 8}} ∪ {1/1000, 100}, all three kinds drawn', () => {
    const draws = fc.sample(sigmaArb(3), { numRuns: 300, seed: 5 });
    const seen = new Set<string>();
    for (const s of draws) {
      expect(s).toHaveLength(3);
      for (const q of s) {
        seen.add(key(q));
        const ordinary = [1n, 2n, 4n, 8n].some((d) => q.mul(d).d === 1n && q.mul(d).n >= 1n && q.mul(d).n <= 32n);
        expect(q.s).toBe(1n);
        expect(ordinary || key(q) === '1/1000' || key(q) === '100').toBe(true);
      }
    }
    expect(seen.has('1/1000')).toBe(true);
    expect(seen.has('100')).toBe(true);
    expect([...seen].filter((k) => k !== '1/1000' && k !== '100').length).toBeGreaterThan(20);
  });

  test('lambdaArb: the zero vector is drawn (≈ 1/5), and entries are rationals p/q with |p| ≤ 40, q ≤ 4', () => {
    const draws = fc.sample(lambdaArb(2), { numRuns: 200, seed: 8 });
    const zeros = draws.filter((v) => v.every((x) => x.n === 0n)).length;
    expect(zeros).toBeGreaterThan(15);
    expect(zeros).toBeLessThan(80);
    for (const v of draws) {
      expect(v).toHaveLength(2);
      for (const x of v) expect(x.d <= 4n && x.n <= 40n).toBe(true);
    }
  });

  test('spdArb: exactly symmetric, positive definite, κ ≤ maxKappa (the cap binds: unfiltered draws exceed it)', () => {
    const maxKappa = 30;
    const draws = fc.sample(spdArb(3, maxKappa), { numRuns: 40, seed: 2 });
    for (const a of draws) {
      expect(isSymmetricQ(a)).toBe(true);
      expect(isPositiveDefiniteQ(a)).toBe(true);
      expect(conditionNumber(toNumberMatrix(a))).toBeLessThanOrEqual(maxKappa);
      // F Fᵀ + δI: every diagonal entry is at least δ ≥ 1/1000.
      for (let i = 0; i < 3; i++) expect(a[i][i].compare(math.fraction(1, 1000))).toBeGreaterThanOrEqual(0);
    }
    const unfiltered = fc.sample(spdArb(3, Infinity), { numRuns: 40, seed: 2 });
    expect(unfiltered.some((a) => conditionNumber(toNumberMatrix(a)) > maxKappa)).toBe(true);
    // 1×1 matrices have κ = 1 exactly: the cap κ ≤ 1 is inclusive.
    expect(fc.sample(spdArb(1, 1), { numRuns: 5, seed: 1 })).toHaveLength(5);
  });

  test('dimsArb: h ∈ [1, 3], m ∈ [1, 4], both edges drawn', () => {
    const draws = fc.sample(dimsArb, { numRuns: 200, seed: 4 });
    for (const { h, m } of draws) {
      expect(h >= 1 && h <= 3 && m >= 1 && m <= 4).toBe(true);
    }
    expect(new Set(draws.map((d) => d.h))).toEqual(new Set([1, 2, 3]));
    expect(new Set(draws.map((d) => d.m))).toEqual(new Set([1, 2, 3, 4]));
  });
});
