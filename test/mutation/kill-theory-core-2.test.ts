/**
 * More killing tests for src/theory/runner.ts (README, "Mutation testing"; the first set is kill-theory-core.test.ts,
 * left unedited so that Stryker re-tests only the survivors). Here the checks depend on how many times `check` has been
 * called, not on the drawn case, so the sequence of checks the runner absorbs is fixed by the test: the worst case is
 * the first of the largest ratio, a tie in ratio and error keeps the first tolerance (a subnormal error makes two
 * different tolerances give the same ratio), failing checks without a thrown case still make the claim fail, and the
 * reported time is the time the call took.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { tolCheck, type AnyClaim, type Check } from '../../src/theory/claim.js';
import { runClaim } from '../../src/theory/runner.js';

/** A claim whose i-th call of `check` returns `sequence[i]` (and nothing once the sequence is spent). */
function scripted(sequence: Check[][]): AnyClaim {
  let calls = 0;
  return {
    id: 'LIN',
    statement: 'scripted',
    assumptions: [],
    spec: '',
    proof: '',
    arbitrary: fc.constant(0),
    check: () => sequence[calls++] ?? [],
    referenceChecks: () => [],
  };
}

describe('runClaim: the worst case over a fixed sequence of checks', () => {
  test('the first of the largest ratio is kept, later smaller ratios do not replace it', () => {
    const errors = [3, 1, 3, 2];
    const r = runClaim(scripted(errors.map((e, i) => [tolCheck('c', 'float64', e, 1, `call ${i}`)])), { runs: errors.length });
    const [s] = r.checks;
    expect([s.worstRatio, s.worstError, s.worstTolerance, s.failures, s.count, s.firstFailure]).toEqual([3, 3, 1, 3, 4, 'call 0']);
  });

  test('a larger error at a smaller ratio does not replace the worst case (the ratio decides, the error only breaks ties)', () => {
    const r = runClaim(scripted([[tolCheck('c', 'float64', 3, 1)], [tolCheck('c', 'float64', 5, 10)]]), { runs: 2 });
    const [s] = r.checks;
    expect([s.worstRatio, s.worstError, s.worstTolerance]).toEqual([3, 3, 1]);
  });

  test('equal ratio and equal error: the first tolerance stays (5e-324 / 1 and 5e-324 / (1 + 2⁻⁵²) are both 5e-324)', () => {
    const tiny = Number.MIN_VALUE;
    const wider = 1 + Number.EPSILON;
    expect(tiny / wider).toBe(tiny / 1);
    const r = runClaim(scripted([[tolCheck('c', 'float64', tiny, 1)], [tolCheck('c', 'float64', tiny, wider)]]), { runs: 2 });
    expect(r.checks[0].worstTolerance).toBe(1);
    const reversed = runClaim(scripted([[tolCheck('c', 'float64', tiny, wider)], [tolCheck('c', 'float64', tiny, 1)]]), { runs: 2 });
    expect(reversed.checks[0].worstTolerance).toBe(wider);
  });

  test('a failing check fails the claim even when no case threw', () => {
    const r = runClaim(scripted([[tolCheck('c', 'float64', 0, 1)], [tolCheck('c', 'float64', 2, 1)]]), { runs: 2 });
    expect(r.errors).toEqual([]);
    expect(r.holds).toBe(false);
  });

  test('ms is the wall-clock time of the call: non-negative and at most the time measured around it', () => {
    const before = performance.now();
    const r = runClaim(scripted([]), { runs: 3 });
    const elapsed = performance.now() - before;
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeLessThanOrEqual(elapsed);
  });
});
