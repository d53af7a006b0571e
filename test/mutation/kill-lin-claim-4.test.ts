/**
 * Killing tests for src/theory/lin/claim.ts, fourth file (README, "Mutation testing", run `theory-claims`): the weight
 * decay of the validity filter's problems P1 (tanhToy) and P4 (scaledTanhToy), `{ weightDecay: true }` → `false`.
 *
 * On x = (1), y = (0.99999), λ₀ = 0 the weight-decayed best responses are moderate (|w*| ≈ 0.46 ≤ 5: the case is
 * valid), while without the decay both toys fit y exactly: w* = atanh(0.99999) ≈ 6.103 > 5 (at λ₀ = 0 the scaled toy
 * tanh(w·x·e^λ) is the plain one), so dropping either decay makes the filter refuse the case. The other fields are
 * PT-11's valid case (kill-lin-claim-3.test.ts): shift −0.5 keeps P2's response atanh(0.49999) moderate.
 * claim.ts is imported once at collection, guarded: a mutant that throws while the module loads fails the tests.
 */
import { expect, test } from 'vitest';

import { math } from '../../src/linalg/exact.js';
import type { LinCase } from '../../src/theory/lin/claim.js';

const loaded = await import('../../src/theory/lin/claim.js').then(
  (m) => ({ m, e: null }),
  (e: unknown) => ({ m: null, e }),
);
function claim(): typeof import('../../src/theory/lin/claim.js') {
  if (loaded.m === null) throw loaded.e;
  return loaded.m;
}

test('validLinCase keeps the weight decay of P1 and P4: y = 0.99999 is valid only with it', () => {
  const refinement = (claim().linCaseArb as unknown as { refinement?: (c: LinCase) => unknown }).refinement;
  expect(typeof refinement).toBe('function');
  // Without weight decay the best response is the exact fit atanh(y), past the filter's |w*| ≤ 5.
  expect(Math.atanh(0.99999)).toBeGreaterThan(5);
  const vector = { X: [[1, 0.5], [-0.5, 1], [0.25, -1]], y: [0.25, -0.25, 0.5], lambda0: [-1], ratios: [1], shift: [[0.5], [-0.25], [0.25]], shiftPoint: [0.25] };
  const c: LinCase = { x: [1], y: [0.99999], lambda0: 0, shift: -0.5, sigma: 0.5, cubicLambda0: 2, cubicA: math.fraction(1), cubicW: math.fraction(1), vector };
  expect((refinement as (c: LinCase) => unknown)(c)).toBe(true);
});
