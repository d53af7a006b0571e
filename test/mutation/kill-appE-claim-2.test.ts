/**
 * Killing tests for src/theory/appE/claim.ts, second file (README, "Mutation testing"): the Stryker survivors of
 * kill-appE-claim.test.ts.
 *
 * Two kinds of survivors are pinned here:
 * - module-level code (the σ and λ₀ `fc.oneof` arms, the nonlinear generator's `b ≠ 0` filter): claim.ts is imported
 *   once at the top of this file (guarded, see `claim`), so Stryker sees these as static mutants and runs every test
 *   here against them; the generators are sampled with fixed seeds and the values drawn are asserted (σ = 1 and the
 *   eighths k/8 reached, non-zero quarters for λ₀, a b with a zero entry next to a non-zero one);
 * - guards no honest input reaches (a Newton solve that does not converge, a Cholesky failure of the quadrature
 *   STN system, an S3 routine that returns a non-zero approx where sin λ₀ = 0): `vi.mock` re-exports
 *   src/theory/appE/general.ts and src/theory/appE/math.ts unchanged, each function passing through a hook that
 *   records its arguments and, in a test that asks for it, perturbs one result (as kill-obs1-claim.test.ts does).
 *   The check must then fail, with error ∞; the same case without the fault passes (so the fault is the cause).
 * Every case is small (m = 1, h = 1) so each test costs milliseconds.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { NotPositiveDefiniteError } from '../../src/errors.js';
import { thrown } from './throws.js';

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

vi.mock('../../src/theory/appE/general.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
vi.mock('../../src/theory/appE/math.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));

import type { AppECase, AppENonlinearCase } from '../../src/theory/appE/claim.js';
import type { Check } from '../../src/theory/claim.js';

afterEach(() => {
  hook.faults.clear();
  hook.calls.length = 0;
});

/**
 * claim.ts imported at the top level, guarded: a mutant that throws while the module loads fails the tests (through
 * `claim()`) instead of the file's collection.
 */
const loaded = await import('../../src/theory/appE/claim.js').then(
  (m) => ({ m, e: null }),
  (e: unknown) => ({ m: null, e }),
);
function claim(): typeof import('../../src/theory/appE/claim.js') {
  if (loaded.m === null) throw loaded.e;
  return loaded.m;
}

const N1 = 'N1 nonlinear toy: J* = −H⁻¹∂λ∇wL_T = central difference of w*(λ) (Newton)';
const N2 = 'N2 nonlinear toy (h ≥ 1, w–w terms): Richardson σ²-coefficient of the true STN δ = −½H⁻¹E[Q]';
const S3 = 'S3 sin toy: routine −½H⁻¹E[Q] = −½σ² sin λ0, and δ − approx = sin λ0·(e^{−x}−1+x)';

/** m = 1, h = 1: A = 3/2, b = 3/4, C = −1/2, γ = 2, λ₀ = 3/4, σ̂ = 1/20. */
function nonlinear1(): AppENonlinearCase {
  return { A: [[1.5]], b: [0.75], C: [[-0.5]], gamma: 2, lambda0: [0.75], sigma: [0.05] };
}

/** m = 1: A = 3, b = 2, λ₀ = 0 (so sin λ₀ = 0 and S3's unit |sin λ₀|·σ²/2 is 0), σ = 1/2, no nonlinear part. */
function linear0(): AppECase {
  return { A: [[3]], b: [2], lambda0: 0, sigma: 0.5 };
}

const byName = (checks: Check[], name: string): Check => {
  const found = checks.filter((c) => c.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

/** Makes the `which`-th call (1-based) of `fn` report `converged: false`, its other fields unchanged. */
function notConvergedAt(fn: string, which: number): void {
  let n = 0;
  hook.faults.set(fn, (orig, args) => {
    n++;
    const r = orig(...args) as object;
    return n === which ? { ...r, converged: false } : r;
  });
}

describe('checkAppENonlinearCase: a non-converged Newton solve fails its check (lines 107, 130)', () => {
  test('the honest case: N1 and N2 pass, with three best responses (λ0, λ0 + h, λ0 − h) and two STN fixed points', () => {
    const checks = claim().checkAppENonlinearCase(nonlinear1());
    expect(checks.map((c) => c.name)).toEqual([N1, N2]);
    expect(checks.map((c) => c.passed)).toEqual([true, true]);
    expect(checks.every((c) => Number.isFinite(c.error))).toBe(true);
    expect(hook.calls.filter(([k]) => k === 'bestResponse')).toHaveLength(3);
    expect(hook.calls.filter(([k]) => k === 'stnFixedPoint')).toHaveLength(2);
  });

  test('N1: the best response at λ0 + h not converged (λ0 − h converged) → error ∞, failed; N2 untouched', () => {
    notConvergedAt('bestResponse', 2);
    const checks = claim().checkAppENonlinearCase(nonlinear1());
    const n1 = byName(checks, N1);
    expect(n1.error).toBe(Infinity);
    expect(n1.passed).toBe(false);
    expect(byName(checks, N2).passed).toBe(true);
  });

  test('N1: the best response at λ0 − h not converged (λ0 + h converged) → error ∞, failed', () => {
    notConvergedAt('bestResponse', 3);
    const n1 = byName(claim().checkAppENonlinearCase(nonlinear1()), N1);
    expect(n1.error).toBe(Infinity);
    expect(n1.passed).toBe(false);
  });

  test('N2: the STN fixed point at σ̂/2 not converged (σ̂ converged) → error ∞, failed; N1 untouched', () => {
    notConvergedAt('stnFixedPoint', 2);
    const checks = claim().checkAppENonlinearCase(nonlinear1());
    const n2 = byName(checks, N2);
    expect(n2.error).toBe(Infinity);
    expect(n2.passed).toBe(false);
    expect(byName(checks, N1).passed).toBe(true);
  });

  test('N2: the STN fixed point at σ̂ not converged (σ̂/2 converged) → error ∞, failed', () => {
    notConvergedAt('stnFixedPoint', 1);
    const n2 = byName(claim().checkAppENonlinearCase(nonlinear1()), N2);
    expect(n2.error).toBe(Infinity);
    expect(n2.passed).toBe(false);
  });
});

describe('checkAppECase: the W1 quadrature system is solved under the name A (line 159)', () => {
  test("claim.ts's one solve call passes the name 'A'", () => {
    claim().checkAppECase(linear0());
    const names = hook.calls.filter(([k]) => k === 'solve').map(([, a]) => a[2]);
    expect(names).toEqual(['A']);
  });

  test('a quadrature system that is not positive definite: the typed error names A', () => {
    hook.faults.set('solve', (orig, args) => orig((args[0] as number[][]).map((row) => row.map((v) => -v)), ...args.slice(1)));
    const e = thrown(() => claim().checkAppECase(linear0()), NotPositiveDefiniteError);
    expect(e).toBeInstanceOf(NotPositiveDefiniteError);
    expect(e.argument).toBe('A');
    expect(e.message).toBe('A: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });
});

describe('checkAppECase: S3 at sin λ0 = 0 (line 262)', () => {
  test('honest: approx = δ = 0, error 0, passed', () => {
    const s3 = byName(claim().checkAppECase(linear0()), S3);
    expect(s3.error).toBe(0);
    expect(s3.passed).toBe(true);
    expect(s3.detail).toBe('approx=0, δ=0, series r=0');
  });

  test('a routine approx ≠ 0 where sin λ0 = 0 (δ = 0) → error ∞, failed', () => {
    // The sin toy's call is the one with w* = (sin λ0) = (0); the B3 call has w* = b/(a + 1) = 1/2.
    hook.faults.set('propositionBBias', (orig, args) => {
      const r = orig(...args) as { bias: number[] };
      return (args[2] as number[])[0] === 0 ? { ...r, bias: [1e-3] } : r;
    });
    const s3 = byName(claim().checkAppECase(linear0()), S3);
    expect(s3.error).toBe(Infinity);
    expect(s3.passed).toBe(false);
    expect(s3.detail).toBe('approx=0.001, δ=0, series r=0');
  });
});

describe('the case generators, sampled with fixed seeds (lines 293, 294, 300, 313)', () => {
  test('appECaseArb: σ reaches 1, the tiny values and eighths k/8 ≠ 1; λ0 reaches 0 and non-zero quarters', () => {
    const s = fc.sample(claim().appECaseArb, { seed: 7, numRuns: 30 });
    const sig = new Set(s.map((c) => c.sigma));
    const lam = new Set(s.map((c) => c.lambda0));
    expect(sig.has(1)).toBe(true);
    expect([...sig].filter((v) => v >= 0.125 && v !== 1).length).toBeGreaterThanOrEqual(5);
    expect([...sig].every((v) => [1e-5, 1e-4, 1e-3].includes(v) || (Number.isInteger(v * 8) && v >= 0.125 && v <= 2))).toBe(true);
    expect([...sig].filter((v) => v < 0.125).sort()).toEqual([1e-5, 1e-4, 1e-3]);
    expect(lam.has(0)).toBe(true);
    expect([...lam].filter((v) => v !== 0).length).toBeGreaterThanOrEqual(10);
    expect([...lam].every((v) => Number.isInteger(v * 4) && v >= -5 && v <= 5)).toBe(true);
  });

  test('appENonlinearCaseArb: b ≠ 0 may still hold a zero entry (seed 1 draws b = (5, −1, 0) and (0, 2/3))', () => {
    const s = fc.sample(claim().appENonlinearCaseArb, { seed: 1, numRuns: 10 });
    const bs = s.map((c) => c.b);
    expect(bs.every((b) => b.some((x) => x !== 0))).toBe(true);
    const withZero = bs.filter((b) => b.some((x) => x === 0));
    expect(withZero).toEqual([
      [5, -1, 0],
      [0, 2 / 3],
    ]);
  });
});
