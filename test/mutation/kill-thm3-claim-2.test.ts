/**
 * Killing tests for src/theory/thm3/claim.ts, second file: the kernel perturbed (README, "Mutation testing";
 * kill-thm3-claim.test.ts has the hand-built cases).
 *
 * On a correct kernel the two sides of steps 1–4 and of the reference checks agree on every case, so a check joined
 * with `||` or forced to pass looks the same as the original. Here src/theory/thm3/math.ts is wrapped, not replaced:
 * `vi.mock` re-exports it (and src/linalg/inertia.ts) unchanged, each function passing through a hook that records its arguments and, in a test
 * that asks for it, perturbs one result (one side of one check, or one field of one `responseRate`). The check must
 * then fail, and only that check. The recorded arguments pin what the claim hands the kernel: the spec's example
 * data of PT-5 and PT-6 (B = (1, −1)ᵀ of PT-6 enters nothing at λ₀ = 0), the scales and covariances, the step sizes.
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

vi.mock('../../src/theory/thm3/math.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));
vi.mock('../../src/linalg/inertia.js', async (importOriginal) => hook.wrap(await importOriginal<Record<string, unknown>>()));

import { math, rational, rationalMatrix, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { checkThm3, referenceChecksThm3, type Thm3Case } from '../../src/theory/thm3/claim.js';
import type { ResponseRate, DeltaStnQuadratic, BestResponse } from '../../src/theory/thm3/math.js';

afterEach(() => {
  hook.faults.clear();
  hook.calls.length = 0;
});

/** Perturbs the `n`-th call (1-based, counted per function) of a kernel function by `f`. */
function faultNth(name: string, n: number, f: (out: unknown, args: unknown[]) => unknown): void {
  let k = 0;
  hook.faults.set(name, (orig, args) => {
    const out = orig(...args);
    k++;
    return k === n ? f(out, args) : out;
  });
}

const argsOf = (name: string): unknown[][] => hook.calls.filter(([k]) => k === name).map(([, a]) => a);
const bumpVec = (v: Rational[], i: number): Rational[] => v.map((x, j) => (j === i ? x.add(1) : x));
const bumpMat = (m: RationalMatrix): RationalMatrix => m.map((r, i) => r.map((x, j) => (i === 0 && j === 0 ? x.add(1) : x)));
const passes = (cs: { passed: boolean }[]): boolean[] => cs.map((c) => c.passed);
const allBut = (n: number, k: number): boolean[] => Array.from({ length: n }, (_, i) => i !== k);

/** A = [[2,1],[1,2]], B = (1, 0)ᵀ, b = (1, 1), λ₀ = 3, σ = 1/2, η = 4 (clearly diverging): w* = (7/3, −2/3). */
function caseD(): Thm3Case {
  const s = rational('1/2');
  return {
    A: rationalMatrix([
      [2, 1],
      [1, 2],
    ]),
    B: rationalMatrix([[1], [0]]),
    b: [rational(1), rational(1)],
    lambda0: [rational(3)],
    sigma: [s],
    covariance: [[s.mul(s)]],
    eta: rational(4),
    start: rationalMatrix([[0], [1]]),
  };
}

/** A = 3, σ = 2, η = 1/6: the exact edge η·λ_max = 2 (inertia (0, 0, 1)). */
function caseEdge(): Thm3Case {
  return { A: rationalMatrix([[3]]), B: rationalMatrix([[2]]), b: [rational(-1)], lambda0: [rational(1)], sigma: [rational(2)], covariance: rationalMatrix([[4]]), eta: rational('1/6'), start: rationalMatrix([['1/2']]) };
}

describe('checkThm3 with one side of step 1 or step 5 perturbed', () => {
  test('unperturbed, the wrapped kernel gives eleven passing checks, and the claim hands it the case (q, Σ, η, Θ₀)', () => {
    const c = caseD();
    expect(passes(checkThm3(c))).toEqual(allBut(11, -1));
    const [q] = argsOf('bestResponse')[0] as [{ m: number; h: number; A: RationalMatrix; B: RationalMatrix; b: Rational[]; lambda0: Rational[] }];
    expect([q.m, q.h]).toEqual([2, 1]);
    expect(q.A).toBe(c.A);
    expect(q.B).toBe(c.B);
    expect(q.b).toBe(c.b);
    expect(q.lambda0).toBe(c.lambda0);
    const [, cov, off] = argsOf('deltaStnQuadratic')[0] as [unknown, RationalMatrix, Rational[]];
    expect(cov).toBe(c.covariance);
    expect(off.map((x) => x.toFraction())).toEqual(['10/3', '1/3']); // w* + (1, 1)
    const [, cov2, general, theta] = argsOf('responseGradient')[0] as [unknown, RationalMatrix, Rational[], RationalMatrix];
    expect(cov2).toBe(c.covariance);
    expect(general.map((x) => x.toFraction())).toEqual(['7/3', '-2/3']);
    expect(theta).toBe(c.start);
    expect(argsOf('responseRate')[0]).toEqual([c.A, c.covariance, c.eta]);
    // The claim's own inertia call (step 5b) names its matrix I − T²; ηΣ⊗A = A here, T = I − A = [[−1, −1], [−1, −1]], T² = [[2, 2], [2, 2]].
    const own = argsOf('inertia').filter((a) => a[1] === 'I − T²');
    expect(own).toHaveLength(1);
    expect((own[0][0] as RationalMatrix).map((r) => r.map((x) => x.toFraction()))).toEqual([
      ['-1', '-2'],
      ['-2', '-1'],
    ]);
    expect(argsOf('measureAsymptoticRatio')[0]).toEqual([
      [
        [2, 1],
        [1, 2],
      ],
      [[0.25]],
      4,
    ]);
  });

  test('w* off in its second component: step 1 fails, and only step 1', () => {
    faultNth('bestResponse', 1, (out) => ({ ...(out as BestResponse), w: bumpVec((out as BestResponse).w, 1) }));
    const got = checkThm3(caseD());
    expect(passes(got)).toEqual(allBut(11, 0));
    expect(got[0].detail).toBe('m=2, h=1; w₀ = [7/3,-2/3]');
  });

  test('w₀ one entry short (the rest equal): step 1 fails on the length alone', () => {
    faultNth('deltaStnQuadratic', 1, (out) => ({ ...(out as DeltaStnQuadratic), general: (out as DeltaStnQuadratic).general.slice(0, 1) }));
    // responseGradient gets the full w₀ back, so that only step 1 sees the short one.
    hook.faults.set('responseGradient', (orig, args) => orig(args[0], args[1], [rational('7/3'), rational('-2/3')], args[3]));
    const got = checkThm3(caseD());
    expect(passes(got)).toEqual(allBut(11, 0));
    expect(got[0].detail).toBe('m=2, h=1; w₀ = [7/3]');
  });

  test('edge case with an inconsistent inertia (0 zero eigenvalues, none negative, not converging): step 5 fails', () => {
    faultNth('responseRate', 1, (out) => ({ ...(out as ResponseRate), inertia: { positive: 1, negative: 0, zero: 0 } }));
    const got = checkThm3(caseEdge());
    expect(passes(got)).toEqual(allBut(11, 5));
    expect(got[5].detail).toBe('m=1, h=1; η = 1/6; 2/η inside the λmax interval; inertia {"positive":1,"negative":0,"zero":0}');
  });
});

describe('referenceChecksThm3 with one kernel result perturbed: only the check that reads it fails', () => {
  test('unperturbed: all 16 pass; the PT-6 and PT-5 data, scales, covariances and step sizes handed to the kernel', () => {
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, -1));
    expect(argsOf('parseQuadraticInner')).toEqual([
      [
        {
          A: [
            ['5/3', '1/3'],
            ['1/3', '8/3'],
          ],
          B: [[1], [-1]],
          b: ['4/3', '7/3'],
          lambda0: [0],
        },
      ],
      [
        {
          A: [
            [4, 1, 0],
            [1, 3, '1/2'],
            [0, '1/2', 2],
          ],
          B: [
            [1, 0],
            [-1, 2],
            ['1/3', 1],
          ],
          b: [1, -2, '1/2'],
          lambda0: ['-3/2', 2],
        },
      ],
    ]);
    expect(argsOf('covarianceFromScales')).toEqual([
      [['1/2', 3], 2],
      [['1/2', 1], 2],
    ]);
    expect(argsOf('parseCovariance')).toEqual([
      [
        [
          [1, '1/2'],
          ['1/2', 2],
        ],
        2,
      ],
      [
        [
          [1, '1/2'],
          ['1/2', 1],
        ],
        2,
      ],
    ]);
    const etas = argsOf('responseRate').map((a) => (a[2] as Rational).toFraction());
    expect(etas).toEqual(['1997/3000', '2/3', '2003/3000', '1/3', '39991/90000', '4/9', '40009/90000']);
    expect(argsOf('responseRate').map((a) => (a[0] as RationalMatrix).map((r) => r.map((x) => x.toFraction())))).toEqual(
      Array.from({ length: 7 }, () => [
        ['2', '1'],
        ['1', '2'],
      ]),
    );
    expect(argsOf('measureAsymptoticRatio').map((a) => a[2])).toEqual([2 / 3 - 1 / 1000, 2 / 3 + 1 / 1000]);
  });

  test('PT-5 (σ): Θ off, then w₀ off: its exact check fails, and only it', () => {
    faultNth('deltaStnQuadratic', 1, (out) => ({ ...(out as DeltaStnQuadratic), response: bumpMat((out as DeltaStnQuadratic).response) }));
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, 1));
    hook.faults.clear();
    faultNth('deltaStnQuadratic', 2, (out) => ({ ...(out as DeltaStnQuadratic), general: bumpVec((out as DeltaStnQuadratic).general, 0) }));
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, 3));
  });

  test('step-size edges: ρ_lo above ρ, ρ_hi below ρ, converges flipped: the exact check of that edge fails', () => {
    const tiny = math.fraction(1, 10 ** 9);
    faultNth('responseRate', 1, (out) => {
      const r = out as ResponseRate;
      return { ...r, rateInterval: { lo: r.rateInterval.lo.add(tiny), hi: r.rateInterval.hi.add(tiny) } };
    });
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, 5));
    hook.faults.clear();
    faultNth('responseRate', 2, (out) => {
      const r = out as ResponseRate;
      return { ...r, rateInterval: { lo: r.rateInterval.lo.sub(tiny), hi: r.rateInterval.hi.sub(tiny).sub(tiny) } };
    });
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, 7));
    hook.faults.clear();
    faultNth('responseRate', 3, (out) => ({ ...(out as ResponseRate), converges: true }));
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, 9));
  });

  test('full Σ edge: η below 2/λmax not converging, or two zero eigenvalues at the edge: the full-Σ check fails', () => {
    faultNth('responseRate', 5, (out) => ({ ...(out as ResponseRate), converges: false }));
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, 13));
    hook.faults.clear();
    faultNth('responseRate', 6, (out) => ({ ...(out as ResponseRate), inertia: { positive: 2, negative: 0, zero: 2 } }));
    expect(passes(referenceChecksThm3())).toEqual(allBut(16, 13));
  });
});
