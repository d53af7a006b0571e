/**
 * Killing tests for src/theory/lin/claim.ts, third file (README, "Mutation testing", run `theory-claims`): the twelve
 * mutants that honest inputs cannot reach (kill-lin-claim.test.ts and kill-lin-claim-2.test.ts left them), killed by
 * fault injection:
 *
 * - the vector case's PSD check `ev[0] >= −evTol`, evTol = eigenRelTol(m·h, 1)·|ev_max| (m = h = 2 here, so m·h = 4 and
 *   m/h = 1 differ): on a Kronecker Hessian ≻ 0 Jacobi never returns ev[0] < 0, so the eigenvalues are replaced by
 *   (−evTol, ½, 1, 4) (passes: exactly at the boundary) and (−2·evTol, ½, 1, 4) (fails);
 * - the private validity filter validLinCase (linCaseArb's `refinement`) on PT-11's data: one Newton best response
 *   replaced by exactly ±5 (valid: `|w| ≤ 5`) or 5·(1 + 2⁻⁵²) (invalid), one curvature (L_ww of P2, G_w of P2, L_ww of
 *   P4) replaced by exactly 1e-3 (invalid: `> 1e-3`) or 2e-3 (valid);
 * - validLinVectorCase: the best response of P7 (used only in the |w*|∞ ≤ 3 bound) replaced by (−3, ½) (valid) or
 *   (3·(1 + 2⁻⁵²), 0) (invalid).
 *
 * `vi.mock` re-exports src/linalg/dense.ts, src/theory/scalarToys.ts and src/theory/lin/vector.ts unchanged, each
 * function passing through a hook that, in a test that asks, replaces one result (as kill-obs1-claim.test.ts does).
 * claim.ts is imported once at collection, guarded: a mutant that throws while the module loads fails the tests.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';

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

vi.mock('../../src/linalg/dense.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
vi.mock('../../src/theory/scalarToys.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
vi.mock('../../src/theory/lin/vector.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
vi.mock('../../src/theory/claim.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));

import { math } from '../../src/linalg/exact.js';
import type { Check } from '../../src/theory/claim.js';
import type { LinCase, LinVectorCase } from '../../src/theory/lin/claim.js';
import { eigenRelTol } from '../../src/tolerance.js';

const loaded = await import('../../src/theory/lin/claim.js').then(
  (m) => ({ m, e: null }),
  (e: unknown) => ({ m: null, e }),
);
function claim(): typeof import('../../src/theory/lin/claim.js') {
  if (loaded.m === null) throw loaded.e;
  return loaded.m;
}

afterEach(() => {
  hook.faults.clear();
  hook.calls.length = 0;
});

const EPS = 2 ** -52;
const PSD_NAME = 'L1 w ∈ ℝ^m, m ≥ 2, h ∈ {1, 2}: ∇²F_lin = E[(εεᵀ) ⊗ (JᵀJ/n + ∇²R)] ⪰ 0';

/** m = 2, h = 1, n = 3 (kill-lin-claim.test.ts's vec1): a valid vector part. */
function vec1(): LinVectorCase {
  return { X: [[1, 0.5], [-0.5, 1], [0.25, -1]], y: [0.25, -0.25, 0.5], lambda0: [-1], ratios: [1], shift: [[0.5], [-0.25], [0.25]], shiftPoint: [0.25] };
}

/** m = 2, h = 2 (kill-lin-claim.test.ts's vec2): m·h = 4, m/h = 1. */
function vec2(): LinVectorCase {
  return { ...vec1(), lambda0: [-1, -0.5], ratios: [0.5, 2], shift: [[0.5, 0], [-0.25, 0.25], [0.25, 0.5]], shiftPoint: [0.25, -0.25] };
}

/** PT-11's data with vec1: a valid case (kill-lin-claim.test.ts's pt11Case). */
function pt11Case(): LinCase {
  return { x: [0.5, 1, 1.5, -0.7], y: [0.3, 0.9, 0.8, -0.2], lambda0: -1, shift: 0.2, sigma: 0.5, cubicLambda0: 2, cubicA: math.fraction(1), cubicW: math.fraction(1), vector: vec1() };
}

/** linCaseArb's filter (the private validLinCase): fast-check 4's `.filter` keeps its predicate as `refinement`. */
function validity(): (c: LinCase) => unknown {
  const refinement = (claim().linCaseArb as unknown as { refinement?: (c: LinCase) => unknown }).refinement;
  expect(typeof refinement).toBe('function');
  return refinement as (c: LinCase) => unknown;
}

/** Replace the result of the `index`-th call (0-based, counted from now) of `name` by `value(orig result)`. */
function faultCall(name: string, index: number, value: (got: unknown) => unknown): void {
  let k = 0;
  hook.faults.set(name, (orig, args) => {
    const got = orig(...args);
    return k++ === index ? value(got) : got;
  });
}

/**
 * The PSD check of checkLinVectorCase(vec2, ½) with the (single) eigenvalue call replaced by `ev`: the check is read
 * from exactCheck's result, and the case is cut short right after it (the next kernel call, trainLossVec, throws), so
 * the slow h = 2 quadratures do not run.
 */
function psdCheckWith(ev: number[]): Check {
  hook.calls.length = 0;
  const made: Check[] = [];
  // Gauss–Hermite nodes come from symmetricEigenvalues too (a k×k Jacobi matrix, k = 12): only the 4×4 Hessian is faked.
  hook.faults.set('symmetricEigenvalues', (orig, args) => ((args[0] as number[][]).length === 4 ? [...ev] : orig(...args)));
  hook.faults.set('exactCheck', (orig, args) => {
    const c = orig(...args) as Check;
    made.push(c);
    return c;
  });
  const stop = new Error('stop after the PSD check');
  hook.faults.set('trainLossVec', () => {
    throw stop;
  });
  expect(() => claim().checkLinVectorCase(vec2(), 0.5)).toThrow(stop);
  const eigCalls = hook.calls.filter(([k, a]) => k === 'symmetricEigenvalues' && (a[0] as number[][]).length === 4);
  expect(eigCalls.length).toBe(1);
  expect(made.length).toBe(1);
  expect(made[0].name).toBe(PSD_NAME);
  return made[0];
}

describe('the vector PSD check at its tolerance (fault-injected eigenvalues)', () => {
  test('ev[0] = −16·(m·h)·ε·|ev_max| passes; −2× that fails; the detail shows ev[0] and ev_max', () => {
    const tol = eigenRelTol(4, 1) * 4;
    expect(tol).toBe(16 * 4 * EPS * 4);
    const size = 'n=3, m=2, h=2, λ0=(-1, -0.5), σ=0.5·(0.5, 2)';
    expect(psdCheckWith([-tol, 0.5, 1, 4])).toEqual({ name: PSD_NAME, kind: 'exact', error: 0, tolerance: 0, passed: true, detail: `eigenvalues ${-tol} … 4, ${size}` });
    expect(psdCheckWith([-2 * tol, 0.5, 1, 4])).toEqual({ name: PSD_NAME, kind: 'exact', error: 1, tolerance: 0, passed: false, detail: `eigenvalues ${-2 * tol} … 4, ${size}` });
  });
});

describe("linCaseArb's validity filter at its boundaries (fault-injected Newton results and curvatures)", () => {
  test('unfaulted: PT-11 is valid; the filter calls Newton for P1, P2, P4 in that order, then the curvatures', () => {
    const valid = validity();
    expect(valid(pt11Case())).toBe(true);
    const names = hook.calls.map(([k]) => k).filter((k) => ['bestResponseScalar', 'trainLossJet', 'gaussNewtonScalar', 'bestResponseVec'].includes(k));
    expect(names).toEqual(['bestResponseScalar', 'bestResponseScalar', 'bestResponseScalar', 'trainLossJet', 'gaussNewtonScalar', 'trainLossJet', 'bestResponseVec', 'bestResponseVec', 'bestResponseVec']);
  });

  test('|w1| = 5 exactly (either sign) is valid, 5·(1 + ε) is not', () => {
    const valid = validity();
    for (const [w, ok] of [[5, true], [-5, true], [5 * (1 + EPS), false], [-5 * (1 + EPS), false]] as const) {
      faultCall('bestResponseScalar', 0, () => w);
      expect(valid(pt11Case()), String(w)).toBe(ok);
    }
  });

  test('|w2| = 5 exactly is valid (its curvatures kept clearly positive), 5·(1 + ε) is not', () => {
    const valid = validity();
    for (const [w, ok] of [[-5, true], [5, true], [-5 * (1 + EPS), false]] as const) {
      hook.calls.length = 0;
      faultCall('bestResponseScalar', 1, () => w);
      hook.faults.set('trainLossJet', (orig, args) => ({ ...(orig(...args) as object), dww: 1 }));
      hook.faults.set('gaussNewtonScalar', () => 1);
      expect(valid(pt11Case()), String(w)).toBe(ok);
      const jetW = hook.calls.filter(([k]) => k === 'trainLossJet').map(([, a]) => a[2]);
      if (ok) expect(jetW[0]).toBe(w);
    }
  });

  test('|w4| = 5 exactly is valid (its curvature kept clearly positive), 5·(1 + ε) is not', () => {
    const valid = validity();
    for (const [w, ok] of [[5, true], [-5, true], [5 * (1 + EPS), false]] as const) {
      faultCall('bestResponseScalar', 2, () => w);
      hook.faults.set('trainLossJet', (orig, args) => ({ ...(orig(...args) as object), dww: 1 }));
      expect(valid(pt11Case()), String(w)).toBe(ok);
    }
  });

  test('L_ww(P2) = 1e-3 exactly is invalid, 2e-3 valid', () => {
    const valid = validity();
    for (const [v, ok] of [[1e-3, false], [2e-3, true]] as const) {
      faultCall('trainLossJet', 0, (got) => ({ ...(got as object), dww: v }));
      expect(valid(pt11Case()), String(v)).toBe(ok);
    }
  });

  test('G_w(P2) = 1e-3 exactly is invalid, 2e-3 valid', () => {
    const valid = validity();
    for (const [v, ok] of [[1e-3, false], [2e-3, true]] as const) {
      faultCall('gaussNewtonScalar', 0, () => v);
      expect(valid(pt11Case()), String(v)).toBe(ok);
    }
  });

  test('L_ww(P4) = 1e-3 exactly is invalid, 2e-3 valid', () => {
    const valid = validity();
    for (const [v, ok] of [[1e-3, false], [2e-3, true]] as const) {
      faultCall('trainLossJet', 1, (got) => ({ ...(got as object), dww: v }));
      expect(valid(pt11Case()), String(v)).toBe(ok);
    }
  });

  test('|w7|∞ = 3 exactly is valid, 3·(1 + ε) is not', () => {
    const valid = validity();
    for (const [w, ok] of [[[-3, 0.5], true], [[0.5, 3], true], [[3 * (1 + EPS), 0], false]] as const) {
      faultCall('bestResponseVec', 2, () => [...w]);
      expect(valid(pt11Case()), JSON.stringify(w)).toBe(ok);
    }
  });
});
