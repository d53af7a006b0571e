/**
 * Killing tests for src/linalg/scalar.ts (README, "Mutation testing"): the branches at the ends of the float range
 * and at the branch point y = 1, and the typed error's exact message. test/linalg/scalar.test.ts checks identities to
 * a few ulps on |x| ≤ 700, where either branch of sigmoid is accurate; these check what only one branch gets right.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { sigmoid, softplusInverse } from '../../src/linalg/scalar.js';

describe('sigmoid: the x < 0 branch e^x/(1 + e^x)', () => {
  test('below x ≈ −709.8, where e^{−x} overflows, sigmoid(x) is the subnormal e^x (1 + e^x rounds to 1), not 0', () => {
    // 1/(1 + e^{−x}) would give 1/∞ = 0 here; σ(x) = e^x/(1 + e^x) = e^x·(1 − e^x + …) and e^x < ε/2.
    for (const x of [-710, -720, -744]) {
      const e = Math.exp(x);
      expect(e).toBeGreaterThan(0);
      expect(sigmoid(x)).toBe(e);
    }
  });
});

describe('softplusInverse: the documented branches', () => {
  test('y ≤ 1 is computed as log(expm1(y)), the boundary y = 1 included; y > 1 as y + log1p(−e^{−y})', () => {
    // The two formulas differ by an ulp at y = 1 (0.541324854612918 against 0.5413248546129181; the latter is the
    // nearer to ln(e − 1) = 0.54132485461291810898…): the TSDoc puts y = 1 in the first branch, and so does the code.
    for (const y of [1e-300, 1e-8, 0.5, 1]) expect(softplusInverse(y)).toBe(Math.log(Math.expm1(y)));
    for (const y of [1 + Number.EPSILON, 2, 40, 1e308]) expect(softplusInverse(y)).toBe(y + Math.log1p(-Math.exp(-y)));
  });

  test('y ≤ 0: InvalidArgumentError naming the argument (default `y`), with the expected range and the value', () => {
    let caught: unknown;
    try {
      softplusInverse(-2);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).argument).toBe('y');
    expect((caught as InvalidArgumentError).message).toBe('y: expected a finite number > 0 (the image of softplus), got -2');
  });
});
