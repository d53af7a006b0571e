/**
 * Killing tests for src/theory/thm3/io.ts (`thm3Report`, `deltastn theory thm3`; README, "Mutation testing"): the
 * perturbation is `sigma` or `covariance`, and a JSON `null` counts as absent (docs/math.md#s0-1 THM-3: Σ ≻ 0,
 * diagonal or full); giving both or neither is an InvalidArgumentError whose exact message says which.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { thm3Report, type Thm3Input } from '../../src/theory/thm3/io.js';

/** L_T = ½wᵀAw − wᵀ(b + Bλ) at λ₀ = 3 (test/theory/THM-3.test.ts's hand-checked case): w* = (7/3, −2/3), J* = (2/3, −1/3). */
const small = { A: [[2, 1], [1, 2]], B: [[1], [0]], b: [1, 1], lambda0: [3], eta: 1 };

function thrown(f: () => unknown): InvalidArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected a throw');
}

describe('thm3Report: sigma or covariance, null meaning absent', () => {
  test('sigma with covariance: null, and covariance with sigma: null, give the same report as the one field alone (Σ = diag(1/4))', () => {
    const alone = thm3Report({ ...small, sigma: ['1/2'] });
    expect(alone.w0).toEqual(['7/3', '-2/3']);
    expect(thm3Report({ ...small, sigma: ['1/2'], covariance: null } as unknown as Thm3Input)).toEqual(alone);
    expect(thm3Report({ ...small, covariance: [['1/4']], sigma: null } as unknown as Thm3Input)).toEqual(alone);
  });

  test('both: InvalidArgumentError naming `covariance`; neither: naming `sigma`; each message exact', () => {
    const both = thrown(() => thm3Report({ ...small, sigma: ['1/2'], covariance: [['1/4']] }));
    expect(both.argument).toBe('covariance');
    expect(both.message).toBe('covariance: expected either sigma or covariance, not both, got "both"');
    const neither = thrown(() => thm3Report({ ...small, sigma: null, covariance: null } as unknown as Thm3Input));
    expect(neither.argument).toBe('sigma');
    expect(neither.message).toBe('sigma: expected perturbation scales σ (or a covariance matrix), got "neither"');
  });
});
