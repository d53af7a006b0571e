/**
 * Killing tests for src/theory/scalarToys.ts (README, "Mutation testing"): the scalar toys of docs/math.md#s4-2–#s4-3
 * and #s6 (PT-9, PT-10, PT-11), the training-loss jet, the two Newton minimisers and the Gauss–Hermite expectations.
 * The claim tests (test/theory/*) check the end results; these pin the pieces, fast, with independent oracles:
 * - every field of every toy's residual jet against its closed form worked by hand, and against central finite
 *   differences of the next-lower field (so the hand formulas and the code cannot share a slip);
 * - `trainLossJet` and `gaussNewtonScalar` on a scripted toy whose residual jets are small integers, so that the chain
 *   rule of the TSDoc gives exact rational values (worked out by hand and listed below);
 * - the Newton minimisers on scripted f (tables of exact dyadic values, unknown points throwing), so that each
 *   evaluation point, each Armijo acceptance AT its boundary, each Levenberg shift, each stopping rule AT its boundary
 *   and each returned field is pinned exactly;
 * - the expectations against closed forms (sin toy: Stein, E sin(λ₀+ε) = sin λ₀·e^{−σ²/2}) and against exact Gaussian
 *   moments of the cubic toy's polynomial integrands (E z^{2m} = (2m−1)!!);
 * - every typed error by class, argument and exact message.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import {
  bestResponseJacobianScalar,
  bestResponseScalar,
  cubicToy,
  deltaStnResponseScalar,
  gaussNewtonIftJacobianScalar,
  gaussNewtonScalar,
  newtonMinimize1d,
  newtonMinimize2d,
  responseObjectiveScalar,
  scaledTanhToy,
  sinToy,
  stnJointObjectiveScalar,
  stnJointScalar,
  tanhToy,
  trainLossJet,
  weightDecayRegularizer,
  weightDecayToy,
  type JetFunction,
  type ScalarJet,
  type ScalarToy,
} from '../../src/theory/scalarToys.js';
import { expectThrows } from './throws.js';

const KEYS = ['value', 'dw', 'dl', 'dww', 'dwl', 'dll', 'dwww', 'dwwl', 'dwll'] as const;
const ZERO: ScalarJet = { value: 0, dw: 0, dl: 0, dww: 0, dwl: 0, dll: 0, dwww: 0, dwwl: 0, dwll: 0 };

function expectRelClose(actual: number, expected: number, tol = 1e-12): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

function expectJetClose(actual: ScalarJet, expected: ScalarJet, tol = 1e-12): void {
  expect(Object.keys(actual).sort()).toEqual([...KEYS].sort());
  for (const k of KEYS) expectRelClose(actual[k], expected[k], tol);
}

/**
 * Each derivative field of a jet against the central difference (step h) of the next-lower field:
 * dw, dl of value; dww, dwl of dw; dll of dl; dwww, dwwl of dww; dwll of dwl.
 */
function expectJetMatchesDifferences(f: JetFunction, lambda: number, w: number, h = 1e-5, tol = 1e-7): void {
  const j = f(lambda, w);
  const dW = (k: keyof ScalarJet): number => (f(lambda, w + h)[k] - f(lambda, w - h)[k]) / (2 * h);
  const dL = (k: keyof ScalarJet): number => (f(lambda + h, w)[k] - f(lambda - h, w)[k]) / (2 * h);
  const pairs: [number, number][] = [
    [j.dw, dW('value')],
    [j.dl, dL('value')],
    [j.dww, dW('dw')],
    [j.dwl, dL('dw')],
    [j.dll, dL('dl')],
    [j.dwww, dW('dww')],
    [j.dwwl, dL('dww')],
    [j.dwll, dL('dwl')],
  ];
  for (const [exact, fd] of pairs) expect(Math.abs(exact - fd)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(exact)));
}

const residualAsJet =
  (toy: ScalarToy, i: number): JetFunction =>
  (lambda, w) =>
    toy.residual(i, lambda, w);

/** 𝓛_T of a toy by its definition, value only: the mean of ½r² plus R (for the difference checks of the jet). */
const lossAsJet =
  (toy: ScalarToy): JetFunction =>
  (lambda, w) =>
    trainLossJet(toy, lambda, w);

describe('sinToy: r = w − sin λ (docs/math.md#s4-2)', () => {
  test('shape: name, size, λ in the output, no regularizer', () => {
    const t = sinToy();
    expect(t.name).toBe('sin');
    expect(t.size).toBe(1);
    expect(t.outputDependsOnLambda).toBe(true);
    expect(t.regularizer).toBeUndefined();
  });

  test('residual jet: value w − sin λ, ∂_w 1, ∂_λ −cos λ, ∂_λλ sin λ, the rest 0; and central differences', () => {
    const t = sinToy();
    expect(t.residual(0, 0.5, 2)).toEqual({ ...ZERO, value: 2 - Math.sin(0.5), dw: 1, dl: -Math.cos(0.5), dll: Math.sin(0.5) });
    expectJetMatchesDifferences(residualAsJet(t, 0), 0.5, 2);
  });
});

describe('cubicToy: r = w³ + a·w − λ (docs/math.md#pt-10)', () => {
  test('default a = 1: name and shape', () => {
    const t = cubicToy();
    expect(t.name).toBe('cubic(a=1)');
    expect(t.size).toBe(1);
    expect(t.outputDependsOnLambda).toBe(true);
    expect(t.regularizer).toBeUndefined();
    expect(t.residual(0, 0.5, 2)).toEqual({ ...ZERO, value: 8 + 2 - 0.5, dw: 13, dl: -1, dww: 12, dwww: 6 });
  });

  test('a = 1.5 at (λ, w) = (0.5, 2): value 10.5, ∂_w 13.5, ∂_λ −1, ∂_ww 12, ∂_www 6 (exact); central differences', () => {
    const t = cubicToy(1.5);
    expect(t.name).toBe('cubic(a=1.5)');
    expect(t.residual(0, 0.5, 2)).toEqual({ ...ZERO, value: 10.5, dw: 13.5, dl: -1, dww: 12, dwww: 6 });
    expectJetMatchesDifferences(residualAsJet(t, 0), 0.5, 2, 1e-4);
  });

  test('a ≤ 0 (at the boundary a = 0, and a = −1): InvalidArgumentError naming a; NaN/∞: NonFiniteError naming a', () => {
    expectThrows(() => cubicToy(0), InvalidArgumentError, 'a', 'a: expected a > 0 (g(w) = w³ + a·w strictly increasing), got 0');
    expectThrows(() => cubicToy(-1), InvalidArgumentError, 'a', 'a: expected a > 0 (g(w) = w³ + a·w strictly increasing), got -1');
    expectThrows(() => cubicToy(Number.NaN), NonFiniteError, 'a', 'a: expected a finite number, got NaN');
    expectThrows(() => cubicToy(Number.POSITIVE_INFINITY), NonFiniteError, 'a', 'a: expected a finite number, got Infinity');
  });
});

/** tanh(w·x) residual jet by its own closed form (sech² = 1/cosh²), ∂_λ terms only with λ in the output. */
function tanhResidualOracle(x: number, y: number, lambda: number, w: number, lambdaInOutput: boolean): ScalarJet {
  const z = w * x;
  const sech2 = 1 / Math.cosh(z) ** 2;
  const th = Math.tanh(z);
  return {
    ...ZERO,
    value: th - y - (lambdaInOutput ? lambda * x : 0),
    dw: x * sech2,
    dl: lambdaInOutput ? -x : 0,
    // d/dz sech² = −2 sech² tanh; d²/dz² sech² = 4 sech² tanh² − 2 sech⁴
    dww: x * x * (-2 * sech2 * th),
    dwww: x * x * x * (4 * sech2 * th * th - 2 * sech2 * sech2),
  };
}

describe('tanhToy (docs/math.md#pt-11)', () => {
  const X = [0.7, -1.3];
  const Y = [0.2, -0.4];

  test('defaults: λ-free output, weight decay on; name, size, flags, regularizer', () => {
    const t = tanhToy(X, Y);
    expect(t.name).toBe('tanh(λ-free output, weight decay)');
    expect(t.size).toBe(2);
    expect(t.outputDependsOnLambda).toBe(false);
    expect(t.regularizer).toBe(weightDecayRegularizer);
    const u = tanhToy(X, Y, {});
    expect(u.name).toBe('tanh(λ-free output, weight decay)');
    expect(u.regularizer).toBe(weightDecayRegularizer);
  });

  test('each option: the names, the flag and the regularizer', () => {
    const a = tanhToy(X, Y, { lambdaInOutput: true });
    expect(a.name).toBe('tanh(λ in output, weight decay)');
    expect(a.outputDependsOnLambda).toBe(true);
    expect(a.regularizer).toBe(weightDecayRegularizer);
    const b = tanhToy(X, Y, { weightDecay: false });
    expect(b.name).toBe('tanh(λ-free output)');
    expect(b.outputDependsOnLambda).toBe(false);
    expect(b.regularizer).toBeUndefined();
    const c = tanhToy(X, Y, { lambdaInOutput: true, weightDecay: false });
    expect(c.name).toBe('tanh(λ in output)');
    const d = tanhToy(X, Y, { lambdaInOutput: false, weightDecay: true });
    expect(d.name).toBe('tanh(λ-free output, weight decay)');
    expect(d.outputDependsOnLambda).toBe(false);
  });

  test('residual jets of both examples, both variants, against the sech² closed form and central differences', () => {
    for (const lambdaInOutput of [false, true]) {
      const t = tanhToy(X, Y, { lambdaInOutput });
      for (let i = 0; i < 2; i++) {
        expectJetClose(t.residual(i, 0.3, 0.9), tanhResidualOracle(X[i], Y[i], 0.3, 0.9, lambdaInOutput));
        expectJetMatchesDifferences(residualAsJet(t, i), 0.3, 0.9);
      }
    }
  });

  test('the toy keeps copies of x and y', () => {
    const x = [0.7, -1.3];
    const y = [0.2, -0.4];
    const t = tanhToy(x, y);
    x[0] = 5;
    y[0] = 5;
    expectJetClose(t.residual(0, 0.3, 0.9), tanhResidualOracle(0.7, 0.2, 0.3, 0.9, false));
  });

  test('errors: empty x, lengths differ, NaN/∞ entries (each by name and index)', () => {
    expectThrows(() => tanhToy([], []), InvalidArgumentError, 'x', 'x: expected at least one example, got "an empty array"');
    expectThrows(() => tanhToy([1, 2], [1]), InvalidArgumentError, 'y', 'y: expected length 2 (as x), got "length 1"');
    expectThrows(() => tanhToy([1], [1, 2]), InvalidArgumentError, 'y', 'y: expected length 1 (as x), got "length 2"');
    expectThrows(() => tanhToy([1, Number.NaN], [1, 2]), NonFiniteError, 'x[1]', 'x[1]: expected a finite number, got NaN');
    expectThrows(() => tanhToy([1, 2], [Number.NEGATIVE_INFINITY, 2]), NonFiniteError, 'y[0]', 'y[0]: expected a finite number, got -Infinity');
  });
});

/** tanh(w·x·e^λ) residual jet by the chain rule written out in (w, λ) directly: z = w x e^λ, ∂_w z = z/w, ∂_λ z = z. */
function scaledTanhOracle(x: number, y: number, lambda: number, w: number): ScalarJet {
  const a = x * Math.exp(lambda);
  const z = w * a;
  const th = Math.tanh(z);
  const s1 = 1 / Math.cosh(z) ** 2; // tanh'
  const s2 = -2 * th * s1; // tanh''
  const s3 = 4 * th * th * s1 - 2 * s1 * s1; // tanh'''
  return {
    value: th - y,
    dw: a * s1,
    dl: z * s1,
    dww: a * a * s2,
    dwl: a * s1 + a * z * s2,
    dll: z * s1 + z * z * s2,
    dwww: a * a * a * s3,
    dwwl: 2 * a * a * s2 + a * a * z * s3,
    dwll: a * s1 + 3 * a * z * s2 + a * z * z * s3,
  };
}

describe('scaledTanhToy: r = tanh(w·x·e^λ) − y', () => {
  const X = [0.7, -1.3];
  const Y = [0.2, -0.4];

  test('defaults (weight decay on) and weightDecay: false: name, size, flag, regularizer', () => {
    const t = scaledTanhToy(X, Y);
    expect(t.name).toBe('tanh(w·x·e^λ), weight decay');
    expect(t.size).toBe(2);
    expect(t.outputDependsOnLambda).toBe(true);
    expect(t.regularizer).toBe(weightDecayRegularizer);
    expect(scaledTanhToy(X, Y, {}).regularizer).toBe(weightDecayRegularizer);
    const u = scaledTanhToy(X, Y, { weightDecay: false });
    expect(u.name).toBe('tanh(w·x·e^λ)');
    expect(u.regularizer).toBeUndefined();
    expect(u.outputDependsOnLambda).toBe(true);
  });

  test('residual jets against the closed form and central differences, at two points', () => {
    const t = scaledTanhToy(X, Y);
    for (const [lambda, w] of [
      [0.3, 0.9],
      [-0.4, 1.7],
    ]) {
      for (let i = 0; i < 2; i++) {
        expectJetClose(t.residual(i, lambda, w), scaledTanhOracle(X[i], Y[i], lambda, w));
        expectJetMatchesDifferences(residualAsJet(t, i), lambda, w);
      }
    }
  });

  test('the toy keeps copies of x and y', () => {
    const x = [0.7, -1.3];
    const y = [0.2, -0.4];
    const t = scaledTanhToy(x, y);
    x[1] = 5;
    y[1] = 5;
    expectJetClose(t.residual(1, 0.3, 0.9), scaledTanhOracle(-1.3, -0.4, 0.3, 0.9));
  });

  test('errors: empty x, lengths differ, NaN/∞ entries', () => {
    expectThrows(() => scaledTanhToy([], []), InvalidArgumentError, 'x', 'x: expected at least one example, got "an empty array"');
    expectThrows(() => scaledTanhToy([1, 2, 3], [1]), InvalidArgumentError, 'y', 'y: expected length 3 (as x), got "length 1"');
    expectThrows(() => scaledTanhToy([Number.POSITIVE_INFINITY], [1]), NonFiniteError, 'x[0]', 'x[0]: expected a finite number, got Infinity');
    expectThrows(() => scaledTanhToy([1, 2], [0, Number.NaN]), NonFiniteError, 'y[1]', 'y[1]: expected a finite number, got NaN');
  });

  test('a non-number entry is a NonFiniteError quoting it', () => {
    expectThrows(() => scaledTanhToy([1, 'a' as unknown as number], [0, 0]), NonFiniteError, 'x[1]', 'x[1]: expected a finite number, got "a"');
  });
});

describe('weightDecayRegularizer: R = ½e^λw²', () => {
  test('every field at (λ, w) = (0.4, 1.5) by hand, and central differences', () => {
    const e = Math.exp(0.4);
    const jet = weightDecayRegularizer(0.4, 1.5);
    expectJetClose(jet, { value: 1.125 * e, dw: 1.5 * e, dl: 1.125 * e, dww: e, dwl: 1.5 * e, dll: 1.125 * e, dwww: 0, dwwl: e, dwll: 1.5 * e }, 1e-15);
    expectJetMatchesDifferences(weightDecayRegularizer, 0.4, 1.5);
  });
});

describe('weightDecayToy: r = √a·w − b/√a, R = ½e^λw²', () => {
  test('a = 4, b = 3: name, shape, residual 2w − 1.5 with ∂_w 2 (exact)', () => {
    const t = weightDecayToy(4, 3);
    expect(t.name).toBe('weight decay(a=4, b=3)');
    expect(t.size).toBe(1);
    expect(t.outputDependsOnLambda).toBe(false);
    expect(t.regularizer).toBe(weightDecayRegularizer);
    expect(t.residual(0, 0.7, 1.5)).toEqual({ ...ZERO, value: 1.5, dw: 2 });
  });

  test('errors: a NaN, b NaN (checked before a > 0), a = 0 at the boundary, a < 0', () => {
    expectThrows(() => weightDecayToy(Number.NaN, 1), NonFiniteError, 'a', 'a: expected a finite number, got NaN');
    expectThrows(() => weightDecayToy(0, Number.NaN), NonFiniteError, 'b', 'b: expected a finite number, got NaN');
    expectThrows(() => weightDecayToy(0, 1), InvalidArgumentError, 'a', 'a: expected a > 0, got 0');
    expectThrows(() => weightDecayToy(-2, 1), InvalidArgumentError, 'a', 'a: expected a > 0, got -2');
  });
});

/**
 * A toy whose two residual jets are fixed small integers (independent of λ, w) and whose regularizer is a fixed jet
 * of dyadic values: the chain rule of trainLossJet's TSDoc then gives exact values, worked out by hand.
 */
const R0: ScalarJet = { value: 2, dw: 3, dl: 5, dww: 7, dwl: 11, dll: 13, dwww: 17, dwwl: 19, dwll: 23 };
const R1: ScalarJet = { value: -3, dw: 4, dl: -4, dww: 5, dwl: -6, dll: 7, dwww: -8, dwwl: 9, dwll: -10 };
const REG: ScalarJet = { value: 0.5, dw: 1.5, dl: -2, dww: 0.25, dwl: 3, dll: -0.75, dwww: 4, dwwl: -5, dwll: 6 };

function scriptedToy(regularizer: boolean): ScalarToy {
  const rs = [R0, R1];
  return {
    name: 'scripted',
    size: 2,
    outputDependsOnLambda: true,
    residual: (i) => {
      const r = rs[i];
      if (r === undefined) throw new Error(`residual ${i} of 2`);
      return { ...r };
    },
    regularizer: regularizer ? () => ({ ...REG }) : undefined,
  };
}

describe('trainLossJet: the mean of the residual jets by the chain rule, plus R', () => {
  test('scripted integer jets, no regularizer: exact values', () => {
    // example 0: ½·4 = 2, 2·3 = 6, 2·5 = 10, 9 + 14 = 23, 15 + 22 = 37, 25 + 26 = 51, 63 + 34 = 97, 35 + 66 + 38 = 139, 39 + 110 + 46 = 195
    // example 1: 4.5, −12, 12, 16 − 15 = 1, −16 + 18 = 2, 16 − 21 = −5, 60 + 24 = 84, −20 − 48 − 27 = −95, 28 + 48 + 30 = 106
    expect(trainLossJet(scriptedToy(false), 0.1, 0.2)).toEqual({ value: 3.25, dw: -3, dl: 11, dww: 12, dwl: 19.5, dll: 23, dwww: 90.5, dwwl: 22, dwll: 150.5 });
  });

  test('with the regularizer: each field plus R’s', () => {
    expect(trainLossJet(scriptedToy(true), 0.1, 0.2)).toEqual({ value: 3.75, dw: -1.5, dl: 9, dww: 12.25, dwl: 22.5, dll: 22.25, dwww: 94.5, dwwl: 17, dwll: 156.5 });
  });

  test('sin toy: 𝓛 = ½(w − sin λ)², closed-form jet', () => {
    const s = Math.sin(0.5);
    const c = Math.cos(0.5);
    const d = 2 - s;
    expectJetClose(trainLossJet(sinToy(), 0.5, 2), { value: 0.5 * d * d, dw: d, dl: -d * c, dww: 1, dwl: -c, dll: c * c + d * s, dwww: 0, dwwl: 0, dwll: s });
  });

  test('tanh and scaled-tanh toys with weight decay: central differences of the loss jet', () => {
    expectJetMatchesDifferences(lossAsJet(tanhToy([0.7, -1.3, 0.4], [0.2, -0.4, 0.1], { lambdaInOutput: true })), 0.3, 0.9);
    expectJetMatchesDifferences(lossAsJet(scaledTanhToy([0.7, -1.3, 0.4], [0.2, -0.4, 0.1])), -0.2, 1.1);
  });
});

describe('gaussNewtonScalar: G = ⟨(∂_w r)²⟩', () => {
  test('scripted jets: (9 + 16)/2 = 12.5; the regularizer does not enter', () => {
    expect(gaussNewtonScalar(scriptedToy(true), 0, 0)).toBe(12.5);
  });

  test('tanh toy: the mean of x²·sech⁴(wx)', () => {
    const x = [0.7, -1.3, 0.4];
    const g = x.reduce((acc, xi) => acc + (xi / Math.cosh(0.9 * xi) ** 2) ** 2, 0) / 3;
    expectRelClose(gaussNewtonScalar(tanhToy(x, [0, 0, 0]), 0.3, 0.9), g);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// newtonMinimize1d on scripted f: `table` answers only at the listed points (exact dyadic values) and throws
// elsewhere, so that any change in where f is evaluated fails the test.

type Triple = [number, number, number];

function table1d(entries: [number, Triple][]): { fgh: (x: number) => Triple; xs: number[] } {
  const m = new Map(entries.map(([x, v]) => [x, v]));
  const xs: number[] = [];
  return {
    xs,
    fgh: (x) => {
      xs.push(x);
      const v = m.get(x);
      if (v === undefined) throw new Error(`f evaluated at unexpected x = ${x}`);
      return [...v];
    },
  };
}

describe('newtonMinimize1d', () => {
  test('f = (x − 3)² from 0: one exact Newton step, then f′ = 0 at iteration 1', () => {
    const xs: number[] = [];
    const r = newtonMinimize1d((x) => (xs.push(x), [(x - 3) ** 2, 2 * (x - 3), 2]), 0);
    expect(r).toEqual({ x: [3], gradient: [0], iterations: 1, converged: true });
    expect(xs).toEqual([0, 3]);
  });

  test('started at the minimum: f′ = 0 at iteration 0, one evaluation', () => {
    const xs: number[] = [];
    const r = newtonMinimize1d((x) => (xs.push(x), [(x - 3) ** 2, 2 * (x - 3), 2]), 3);
    expect(r).toEqual({ x: [3], gradient: [0], iterations: 0, converged: true });
    expect(xs).toEqual([3]);
  });

  test('maxIterations: 1 stops after the step, not converged (f′ = 0 would only be seen at iteration 1)', () => {
    const r = newtonMinimize1d((x) => [(x - 3) ** 2, 2 * (x - 3), 2], 0, { maxIterations: 1 });
    expect(r).toEqual({ x: [3], gradient: [0], iterations: 1, converged: false });
  });

  test('stepTol AT its boundary: a half step 1.5 to x = 1.5 has |p| = stepTol·max(1, |x|) with stepTol = 1', () => {
    // f = (x − 3)² with the curvature reported as 4 (not 2): p = 6/4 = 1.5
    const t = table1d([
      [0, [9, -6, 4]],
      [1.5, [2.25, -3, 4]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0, { stepTol: 1, maxIterations: 1 })).toEqual({ x: [1.5], gradient: [-3], iterations: 1, converged: true });
    expect(t.xs).toEqual([0, 1.5]);
  });

  test('halving steps (curvature reported as 4): the first tiny step (k = 27) is exactly half the previous: converged', () => {
    let calls = 0;
    const r = newtonMinimize1d((x) => (calls++, [(x - 3) ** 2, 2 * (x - 3), 4]), 0);
    const x = 3 - 3 * 2 ** -27;
    expect(r).toEqual({ x: [x], gradient: [2 * (x - 3)], iterations: 27, converged: true });
    expect(calls).toBe(28);
  });

  test('quadratic convergence below the tiny threshold: steps 1e-8 then 1e-9 (< half), then f′ = 0 at iteration 2', () => {
    const x1 = 0 + 1e-8;
    const x2 = x1 + 1e-9;
    const t = table1d([
      [0, [0, -1e-8, 1]],
      [x1, [0, -1e-9, 1]],
      [x2, [0, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0)).toEqual({ x: [x2], gradient: [0], iterations: 2, converged: true });
  });

  test('tiny AT its boundary (|p| = 1e-8·max(1, |x|), x = 0): the step is taken although f rises', () => {
    const t = table1d([
      [0, [0, -1e-8, 1]],
      [1e-8, [1, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0)).toEqual({ x: [1e-8], gradient: [0], iterations: 1, converged: true });
    expect(t.xs).toEqual([0, 1e-8]);
  });

  test('tiny scales with |x| (x = 4, |p| = 4e-8 is tiny): the step is taken although f rises', () => {
    const x1 = 4 + 4e-8;
    const t = table1d([
      [4, [0, -4e-8, 1]],
      [x1, [1, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 4)).toEqual({ x: [x1], gradient: [0], iterations: 1, converged: true });
  });

  test('Armijo AT its boundary at t = 1: f(2) = 1e-4·1·p·f′ is accepted', () => {
    const thr = 1e-4 * 1 * 2 * -2;
    const t = table1d([
      [0, [0, -2, 1]],
      [2, [thr, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0)).toEqual({ x: [2], gradient: [0], iterations: 1, converged: true });
  });

  test('Armijo AT its boundary at t = ½: f(2) rejected, f(1) = 1e-4·½·p·f′ accepted', () => {
    const thr = 1e-4 * 0.5 * 2 * -2;
    const t = table1d([
      [0, [0, -2, 1]],
      [2, [1, 0, 1]],
      [1, [thr, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0)).toEqual({ x: [1], gradient: [0], iterations: 1, converged: true });
    expect(t.xs).toEqual([0, 2, 1]);
  });

  test('Armijo rejects a decrease smaller than 1e-4·|p·f′| (−2e-4 > −4e-4), then halves', () => {
    const t = table1d([
      [0, [0, -2, 1]],
      [2, [-2e-4, 0, 1]],
      [1, [-3, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0)).toEqual({ x: [1], gradient: [0], iterations: 1, converged: true });
    expect(t.xs).toEqual([0, 2, 1]);
  });

  test('rounding slack AT its boundary with f = 2: f + 1e-4·p·f′ + 4ε·|f| is accepted', () => {
    const v = 2 + 1e-4 * 1 * 2 * -2 + 4 * Number.EPSILON * 2;
    const t = table1d([
      [0, [2, -2, 1]],
      [2, [v, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0)).toEqual({ x: [2], gradient: [0], iterations: 1, converged: true });
  });

  test('a rise in f (2 → 3) is rejected: the slack is a few ulps, not more', () => {
    const t = table1d([
      [0, [2, -2, 1]],
      [2, [3, 0, 1]],
      [1, [1, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 0)).toEqual({ x: [1], gradient: [0], iterations: 1, converged: true });
  });

  test('no decrease anywhere: 67 halvings (t = 2⁻⁶⁷ ≤ 1e-20 < 2⁻⁶⁶), then the step is below stepTol', () => {
    const xs: number[] = [];
    const r = newtonMinimize1d((x) => (xs.push(x), x === 0 ? [0, -1, 1] : [1, 0, 1]), 0);
    expect(r).toEqual({ x: [2 ** -67], gradient: [0], iterations: 1, converged: true });
    expect(xs).toEqual([0, ...Array.from({ length: 68 }, (_, k) => 2 ** -k)]);
  });

  test('f″ < 0 at x = 3: a gradient step of length max(1, |x|) = 3 against f′', () => {
    const t = table1d([
      [3, [0, 1, -1]],
      [0, [-1, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 3)).toEqual({ x: [0], gradient: [0], iterations: 1, converged: true });
  });

  test('f″ = 0 at x = 3 counts as non-positive: the same gradient step', () => {
    const t = table1d([
      [3, [0, 1, 0]],
      [0, [-1, 0, 1]],
    ]);
    expect(newtonMinimize1d(t.fgh, 3)).toEqual({ x: [0], gradient: [0], iterations: 1, converged: true });
  });

  test('x0 = +∞ with f″ = 0: the infinite gradient step is "tiny" (∞ ≤ ∞) yet backtracked, as f″ > 0 fails', () => {
    let calls = 0;
    const r = newtonMinimize1d(() => (calls++, [0, 1, 0]), Number.POSITIVE_INFINITY);
    expect(r.x[0]).toBeNaN();
    expect(r.converged).toBe(true);
    expect(r.iterations).toBe(1);
    expect(calls).toBe(69);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// newtonMinimize2d on scripted f.

type Triple2 = [number, number[], number[][]];
const I2 = [
  [1, 0],
  [0, 1],
];

function table2d(entries: [number[], Triple2][], fallback?: Triple2): { fgh: (x: readonly number[]) => Triple2; xs: number[][] } {
  const m = new Map(entries.map(([x, v]) => [`${x[0]},${x[1]}`, v]));
  const xs: number[][] = [];
  return {
    xs,
    fgh: (x) => {
      xs.push([...x]);
      const v = m.get(`${x[0]},${x[1]}`) ?? fallback;
      if (v === undefined) throw new Error(`f evaluated at unexpected x = (${x[0]}, ${x[1]})`);
      return [v[0], [...v[1]], v[2].map((row) => [...row])];
    },
  };
}

/** f = ½xᵀAx − bᵀx with A = [[2, ¼], [¼, 3]], b = (1.0625, 0.875): x* = (½, ¼), reached exactly in one Newton step. */
function quadratic2d(xs: number[][]): (x: readonly number[]) => Triple2 {
  return (x) => {
    xs.push([...x]);
    const g0 = 2 * x[0] + 0.25 * x[1] - 1.0625;
    const g1 = 0.25 * x[0] + 3 * x[1] - 0.875;
    const f = 0.5 * (x[0] * (2 * x[0] + 0.25 * x[1]) + x[1] * (0.25 * x[0] + 3 * x[1])) - 1.0625 * x[0] - 0.875 * x[1];
    return [
      f,
      [g0, g1],
      [
        [2, 0.25],
        [0.25, 3],
      ],
    ];
  };
}

describe('newtonMinimize2d', () => {
  test('a quadratic from (0, 0): the exact Newton step to (½, ¼), then ∇f = 0 at iteration 1', () => {
    const xs: number[][] = [];
    expect(newtonMinimize2d(quadratic2d(xs), [0, 0])).toEqual({ x: [0.5, 0.25], gradient: [0, 0], iterations: 1, converged: true });
    expect(xs).toEqual([
      [0, 0],
      [0.5, 0.25],
    ]);
  });

  test('maxIterations: 1: the same step, not converged', () => {
    expect(newtonMinimize2d(quadratic2d([]), [0, 0], { maxIterations: 1 })).toEqual({ x: [0.5, 0.25], gradient: [0, 0], iterations: 1, converged: false });
  });

  test('started at the minimum: iteration 0', () => {
    const xs: number[][] = [];
    expect(newtonMinimize2d(quadratic2d(xs), [0.5, 0.25])).toEqual({ x: [0.5, 0.25], gradient: [0, 0], iterations: 0, converged: true });
    expect(xs).toEqual([[0.5, 0.25]]);
  });

  test('one zero gradient component is not convergence (∇f = (1, 0), then (0, 1))', () => {
    const a = table2d([
      [[0, 0], [0, [1, 0], I2]],
      [[-1, 0], [-1, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(a.fgh, [0, 0])).toEqual({ x: [-1, 0], gradient: [0, 0], iterations: 1, converged: true });
    const b = table2d([
      [[0, 0], [0, [0, 1], I2]],
      [[0, -1], [-1, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(b.fgh, [0, 0])).toEqual({ x: [0, -1], gradient: [0, 0], iterations: 1, converged: true });
  });

  test('indefinite Hessian diag(3, −1): Levenberg shift μ = 4e-8·10⁸ ≈ 4 (scale |3| + |−1|), step (−3/7, 2/3)', () => {
    const t = table2d(
      [
        [
          [0, 0],
          [
            0,
            [3, -2],
            [
              [3, 0],
              [0, -1],
            ],
          ],
        ],
      ],
      [-1, [0, 0], I2],
    );
    const r = newtonMinimize2d(t.fgh, [0, 0]);
    expect(t.xs).toHaveLength(2);
    expectRelClose(t.xs[1][0], -3 / 7);
    expectRelClose(t.xs[1][1], 2 / 3);
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(true);
    expect(r.x).toEqual(t.xs[1]);
  });

  test('negative definite Hessian diag(−1, −2) (det > 0 but a < 0): shift μ ≈ 3, step (−½, −1)', () => {
    const t = table2d(
      [
        [
          [0, 0],
          [
            0,
            [1, 1],
            [
              [-1, 0],
              [0, -2],
            ],
          ],
        ],
      ],
      [-1, [0, 0], I2],
    );
    newtonMinimize2d(t.fgh, [0, 0]);
    expectRelClose(t.xs[1][0], -0.5);
    expectRelClose(t.xs[1][1], -1);
  });

  test('singular Hessian diag(1, 0) (det = 0 is not accepted): shift μ = 1e-8, step (−1/(1+1e-8), −1e8)', () => {
    const t = table2d(
      [
        [
          [0, 0],
          [
            0,
            [1, 1],
            [
              [1, 0],
              [0, 0],
            ],
          ],
        ],
      ],
      [-1, [0, 0], I2],
    );
    newtonMinimize2d(t.fgh, [0, 0]);
    expectRelClose(t.xs[1][0], -1 / (1 + 1e-8), 1e-9);
    expectRelClose(t.xs[1][1], -1e8, 1e-9);
  });

  test('zero Hessian: the shift grows from 1e-308 until μ² > 0, a huge step along −∇f', () => {
    const t = table2d(
      [
        [
          [0, 0],
          [
            0,
            [1, 2],
            [
              [0, 0],
              [0, 0],
            ],
          ],
        ],
      ],
      [-1, [0, 0], I2],
    );
    newtonMinimize2d(t.fgh, [0, 0]);
    expect(t.xs[1][0]).toBeLessThan(-1e150);
    expect(t.xs[1][1]).toBeLessThan(-1e150);
  });

  test('a Hessian no shift can make positive definite (NaN entry, NaN off the diagonal, −∞ on it): stop, not converged', () => {
    const nanDiag = [
      [Number.NaN, 0],
      [0, 1],
    ];
    const nanOff = [
      [1, Number.NaN],
      [Number.NaN, 1],
    ];
    const minusInf = [
      [Number.NEGATIVE_INFINITY, 0],
      [0, 1],
    ];
    for (const hm of [nanDiag, nanOff, minusInf]) {
      const t = table2d([[[0, 0], [0, [1, 1], hm]]]);
      expect(newtonMinimize2d(t.fgh, [0, 0])).toEqual({ x: [0, 0], gradient: [1, 1], iterations: 0, converged: false });
      expect(t.xs).toEqual([[0, 0]]);
    }
    const later = table2d([
      [[0, 0], [0, [-1, 0], I2]],
      [[1, 0], [-1, [1, 0], nanDiag]],
    ]);
    expect(newtonMinimize2d(later.fgh, [0, 0])).toEqual({ x: [1, 0], gradient: [1, 0], iterations: 1, converged: false });
  });

  test('tiny AT its boundary (|p| = 1e-8, x = 0, no shift): the step is taken although f rises', () => {
    const t = table2d([
      [[0, 0], [0, [-1e-8, 0], I2]],
      [[1e-8, 0], [1, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(t.fgh, [0, 0])).toEqual({ x: [1e-8, 0], gradient: [0, 0], iterations: 1, converged: true });
    expect(t.xs).toHaveLength(2);
  });

  test('tiny scales with ‖x‖ (x = (4, 0), |p| = 4e-8): the step is taken although f rises', () => {
    const x1 = 4 + 4e-8;
    const t = table2d([
      [[4, 0], [0, [-4e-8, 0], I2]],
      [[x1, 0], [1, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(t.fgh, [4, 0])).toEqual({ x: [x1, 0], gradient: [0, 0], iterations: 1, converged: true });
  });

  test('a tiny step WITH a Levenberg shift is line-searched: f rises everywhere, so 67 halvings', () => {
    const xs: number[][] = [];
    const r = newtonMinimize2d(
      (x) => {
        xs.push([...x]);
        if (x[0] === 0 && x[1] === 0)
          return [
            0,
            [-1e-9, 0],
            [
              [1, 0],
              [0, -1],
            ],
          ];
        return [1, [0, 0], I2];
      },
      [0, 0],
    );
    expect(xs).toHaveLength(69);
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeGreaterThan(0);
    expect(r.x[0]).toBeLessThan(1e-28);
  });

  test('Armijo AT its boundary at t = 1 and at t = ½ (slope = p·∇f = −4)', () => {
    const a = table2d([
      [[0, 0], [0, [-2, 0], I2]],
      [[2, 0], [1e-4 * 1 * -4, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(a.fgh, [0, 0])).toEqual({ x: [2, 0], gradient: [0, 0], iterations: 1, converged: true });
    const b = table2d([
      [[0, 0], [0, [-2, 0], I2]],
      [[2, 0], [1, [0, 0], I2]],
      [[1, 0], [1e-4 * 0.5 * -4, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(b.fgh, [0, 0])).toEqual({ x: [1, 0], gradient: [0, 0], iterations: 1, converged: true });
    expect(b.xs).toEqual([
      [0, 0],
      [2, 0],
      [1, 0],
    ]);
  });

  test('Armijo with slope p·∇f = 2·(−2) + 4·(−4) = −20: a decrease of 1.8e-3 < 2e-3 is rejected', () => {
    const t = table2d([
      [[0, 0], [0, [-2, -4], I2]],
      [[2, 4], [-1.8e-3, [0, 0], I2]],
      [[1, 2], [-3, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(t.fgh, [0, 0])).toEqual({ x: [1, 2], gradient: [0, 0], iterations: 1, converged: true });
    expect(t.xs).toEqual([
      [0, 0],
      [2, 4],
      [1, 2],
    ]);
  });

  test('rounding slack AT its boundary with f = 2; a rise 2 → 3 is rejected', () => {
    const v = 2 + 1e-4 * 1 * -4 + 4 * Number.EPSILON * 2;
    const a = table2d([
      [[0, 0], [2, [-2, 0], I2]],
      [[2, 0], [v, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(a.fgh, [0, 0])).toEqual({ x: [2, 0], gradient: [0, 0], iterations: 1, converged: true });
    const b = table2d([
      [[0, 0], [2, [-2, 0], I2]],
      [[2, 0], [3, [0, 0], I2]],
      [[1, 0], [1, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(b.fgh, [0, 0])).toEqual({ x: [1, 0], gradient: [0, 0], iterations: 1, converged: true });
  });

  test('no decrease anywhere: 67 halvings, then the step is below stepTol', () => {
    const xs: number[][] = [];
    const r = newtonMinimize2d((x) => (xs.push([...x]), x[0] === 0 ? [0, [-1, 0], I2] : [1, [0, 0], I2]), [0, 0]);
    expect(r).toEqual({ x: [2 ** -67, 0], gradient: [0, 0], iterations: 1, converged: true });
    expect(xs.map((x) => x[0])).toEqual([0, ...Array.from({ length: 68 }, (_, k) => 2 ** -k)]);
  });

  test('stepTol AT its boundary: ‖p‖ = ‖(⅜, ½)‖ = ⅝ = stepTol·max(1, ‖x‖) with ‖x‖ < 1', () => {
    const twoI = [
      [2, 0],
      [0, 2],
    ];
    const t = table2d([
      [[0, 0], [0, [-0.75, -1], twoI]],
      [[0.375, 0.5], [-1, [1, 1], twoI]],
    ]);
    expect(newtonMinimize2d(t.fgh, [0, 0], { stepTol: 0.625, maxIterations: 1 })).toEqual({ x: [0.375, 0.5], gradient: [1, 1], iterations: 1, converged: true });
  });

  test('stepTol scales with ‖x‖ = 5.625 > 1: stepTol 0.2 accepts a step of ⅝', () => {
    const twoI = [
      [2, 0],
      [0, 2],
    ];
    const t = table2d([
      [[3, 4], [0, [-0.75, -1], twoI]],
      [[3.375, 4.5], [-1, [1, 1], twoI]],
    ]);
    expect(newtonMinimize2d(t.fgh, [3, 4], { stepTol: 0.2, maxIterations: 1 })).toEqual({ x: [3.375, 4.5], gradient: [1, 1], iterations: 1, converged: true });
  });

  test('halving steps (Hessian reported as 4I): the first tiny step (k = 27) is exactly half the previous: converged', () => {
    let calls = 0;
    const fourI = [
      [4, 0],
      [0, 4],
    ];
    const r = newtonMinimize2d((x) => (calls++, [(x[0] - 3) ** 2 + x[1] ** 2, [2 * (x[0] - 3), 2 * x[1]], fourI]), [0, 0]);
    const x = 3 - 3 * 2 ** -27;
    expect(r).toEqual({ x: [x, 0], gradient: [2 * (x - 3), 0], iterations: 27, converged: true });
    expect(calls).toBe(28);
  });

  test('quadratic convergence below the tiny threshold: steps 5e-9 then 1e-9 (< half), then ∇f = 0 at iteration 2', () => {
    const x1 = 0 + 5e-9;
    const x2 = x1 + 1e-9;
    const t = table2d([
      [[0, 0], [0, [-5e-9, 0], I2]],
      [[x1, 0], [0, [-1e-9, 0], I2]],
      [[x2, 0], [0, [0, 0], I2]],
    ]);
    expect(newtonMinimize2d(t.fgh, [0, 0])).toEqual({ x: [x2, 0], gradient: [0, 0], iterations: 2, converged: true });
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A toy with r = w² − 1: at w = 0, ∂_w𝓛 = 0 with ∂²_w𝓛 = −2 (a maximum). */
const hillToy: ScalarToy = { name: 'hill', size: 1, outputDependsOnLambda: false, residual: (_i, _l, w) => ({ ...ZERO, value: w * w - 1, dw: 2 * w, dww: 2 }) };
/** r = w³: at w = 0, ∂_w𝓛 = 0 and ∂²_w𝓛 = 0. */
const flatToy: ScalarToy = { name: 'flat', size: 1, outputDependsOnLambda: false, residual: (_i, _l, w) => ({ ...ZERO, value: w ** 3, dw: 3 * w * w, dww: 6 * w, dwww: 6 }) };
/** At non-finite w the residual is 0 with ∂_w r = 1: ∂_w𝓛 = 0, ∂²_w𝓛 = 1 there. */
const farToy: ScalarToy = {
  name: 'far',
  size: 1,
  outputDependsOnLambda: false,
  residual: (_i, _l, w) => (Number.isFinite(w) ? { ...ZERO, value: w, dw: 1 } : { ...ZERO, value: 0, dw: 1 }),
};

describe('bestResponseScalar', () => {
  test('sin toy: w* = sin λ exactly (one Newton step from 0 on ½(w − sin λ)²)', () => {
    expect(bestResponseScalar(sinToy(), 0.5)).toBe(Math.sin(0.5));
  });

  test('options.start is used: started at w*, no step is needed even with maxIterations: 1', () => {
    expect(bestResponseScalar(sinToy(), 0.5, { start: Math.sin(0.5), maxIterations: 1 })).toBe(Math.sin(0.5));
  });

  test('cubic toy a = 1, λ = 2: w* = 1', () => {
    expectRelClose(bestResponseScalar(cubicToy(), 2), 1, 1e-15);
  });

  test('Newton not converged: InvalidArgumentError naming toy, with w and L_ww', () => {
    const s = Math.sin(0.5);
    expectThrows(
      () => bestResponseScalar(sinToy(), 0.5, { maxIterations: 1 }),
      InvalidArgumentError,
      'toy',
      `toy: expected a strict local minimiser of L_T(0.5, ·) reachable by Newton, got "w = ${s}, L_ww = 1"`,
    );
  });

  test('a stationary point that is a maximum (L_ww = −2) or flat (L_ww = 0) is refused', () => {
    expectThrows(() => bestResponseScalar(hillToy, 0.5), InvalidArgumentError, 'toy', 'toy: expected a strict local minimiser of L_T(0.5, ·) reachable by Newton, got "w = 0, L_ww = -2"');
    expectThrows(() => bestResponseScalar(flatToy, -1), InvalidArgumentError, 'toy', 'toy: expected a strict local minimiser of L_T(-1, ·) reachable by Newton, got "w = 0, L_ww = 0"');
  });

  test('a "converged" non-finite w is refused', () => {
    expectThrows(
      () => bestResponseScalar(farToy, 0, { start: Number.POSITIVE_INFINITY }),
      InvalidArgumentError,
      'toy',
      'toy: expected a strict local minimiser of L_T(0, ·) reachable by Newton, got "w = Infinity, L_ww = 1"',
    );
  });

  test('λ NaN: NonFiniteError naming lambda', () => {
    expectThrows(() => bestResponseScalar(sinToy(), Number.NaN), NonFiniteError, 'lambda', 'lambda: expected a finite number, got NaN');
  });
});

describe('IFT Jacobians', () => {
  test('exact: sin toy J* = cos λ; cubic a = 1 at (λ, w) = (2, 1): J* = 1/g′(1) = ¼', () => {
    expectRelClose(bestResponseJacobianScalar(sinToy(), 0.5, Math.sin(0.5)), Math.cos(0.5), 1e-15);
    expect(bestResponseJacobianScalar(cubicToy(), 2, 1)).toBe(0.25);
  });

  test('exact off the optimum: cubic a = 1 at (λ, w) = (1, 1): −(−4 + 0)/(16 + 1·6) = 4/22', () => {
    // r = 1, r_w = 4, r_λ = −1, r_ww = 6: L_wλ = r_λ r_w = −4, L_ww = 16 + 6 = 22
    expectRelClose(bestResponseJacobianScalar(cubicToy(), 1, 1), 4 / 22, 1e-15);
  });

  test('Gauss–Newton: weight-decay toy a = 4, b = 3 at (0, 2): −e⁰·2/(4 + e⁰) = −0.4', () => {
    expect(gaussNewtonIftJacobianScalar(weightDecayToy(4, 3), 0, 2)).toBe(-0.4);
  });

  test('Gauss–Newton: cubic (no R) at (1, 1): −(−4)/16 = ¼ (r·r_ww dropped); scaled tanh: −L_wλ/(G + e^λ)', () => {
    expect(gaussNewtonIftJacobianScalar(cubicToy(), 1, 1)).toBe(0.25);
    const t = scaledTanhToy([0.7, -1.3], [0.2, -0.4]);
    const a = [0.7 * Math.exp(0.3), -1.3 * Math.exp(0.3)];
    const g = a.reduce((acc, ai) => acc + (ai / Math.cosh(0.9 * ai) ** 2) ** 2, 0) / 2;
    expectRelClose(gaussNewtonIftJacobianScalar(t, 0.3, 0.9), -trainLossJet(t, 0.3, 0.9).dwl / (g + Math.exp(0.3)));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Expectations: exact Gaussian moments of polynomial integrands (cubic toy), closed forms (sin toy).

type Poly = number[];
const padd = (p: Poly, q: Poly): Poly => Array.from({ length: Math.max(p.length, q.length) }, (_, i) => (p[i] ?? 0) + (q[i] ?? 0));
const pmul = (p: Poly, q: Poly): Poly => {
  const out = new Array<number>(p.length + q.length - 1).fill(0);
  p.forEach((a, i) => q.forEach((b, j) => (out[i + j] += a * b)));
  return out;
};
const pscale = (p: Poly, c: number): Poly => p.map((a) => a * c);
/** E over z ∼ N(0, 1) of Σ p_k z^k: E z^k = (k − 1)!! for even k, 0 for odd k. */
const gaussMean = (p: Poly): number =>
  p.reduce((acc, a, k) => {
    if (k % 2 === 1) return acc;
    let m = 1;
    for (let j = k - 1; j > 0; j -= 2) m *= j;
    return acc + a * m;
  }, 0);

/** The cubic toy's r, r_w, r_ww as polynomials in z along λ = λ₀ + σz, w = w₀ + φz. */
function cubicAlong(a: number, lambda0: number, sigma: number, w0: number, phi: number): { L: Poly; Lw: Poly; Lww: Poly } {
  const w: Poly = [w0, phi];
  const w2 = pmul(w, w);
  const r = padd(padd(pmul(w2, w), pscale(w, a)), [-lambda0, -sigma]);
  const rw = padd(pscale(w2, 3), [a]);
  const rww = pscale(w, 6);
  return { L: pscale(pmul(r, r), 0.5), Lw: pmul(r, rw), Lww: padd(pmul(rw, rw), pmul(r, rww)) };
}

describe('responseObjectiveScalar: F(θ) = E 𝓛_T(λ₀ + ε, w₀ + θε) with F′, F″', () => {
  test('cubic toy a = 1.5: value, gradient, curvature against exact Gaussian moments', () => {
    const [lambda0, w0, sigma, theta] = [0.3, 0.7, 0.5, 0.8];
    const { L, Lw, Lww } = cubicAlong(1.5, lambda0, sigma, w0, theta * sigma);
    const o = responseObjectiveScalar(cubicToy(1.5), lambda0, w0, sigma, theta);
    expect(Object.keys(o).sort()).toEqual(['curvature', 'gradient', 'value']);
    expectRelClose(o.value, gaussMean(L));
    expectRelClose(o.gradient, sigma * gaussMean(pmul([0, 1], Lw)));
    expectRelClose(o.curvature, sigma * sigma * gaussMean(pmul([0, 0, 1], Lww)));
  });

  test('nodes = 60 (the boundary) agrees with the default 80 on a polynomial integrand', () => {
    const a = responseObjectiveScalar(cubicToy(1.5), 0.3, 0.7, 0.5, 0.8, 60);
    const b = responseObjectiveScalar(cubicToy(1.5), 0.3, 0.7, 0.5, 0.8);
    expectRelClose(a.value, b.value);
    expectRelClose(a.curvature, b.curvature);
  });

  test('errors: scale 0 (boundary) and −1, scale NaN, nodes 59, nodes 60.5', () => {
    const t = sinToy();
    expectThrows(() => responseObjectiveScalar(t, 0, 0, 0, 0), InvalidArgumentError, 'scale', 'scale: expected σ > 0, got 0');
    expectThrows(() => responseObjectiveScalar(t, 0, 0, -1, 0), InvalidArgumentError, 'scale', 'scale: expected σ > 0, got -1');
    expectThrows(() => responseObjectiveScalar(t, 0, 0, Number.NaN, 0), NonFiniteError, 'scale', 'scale: expected a finite number, got NaN');
    const nodesMsg = (v: string): string => `nodes: expected an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes), got ${v}`;
    expectThrows(() => responseObjectiveScalar(t, 0, 0, 1, 0, 59), InvalidArgumentError, 'nodes', nodesMsg('59'));
    expectThrows(() => responseObjectiveScalar(t, 0, 0, 1, 0, 60.5), InvalidArgumentError, 'nodes', nodesMsg('60.5'));
  });
});

describe('stnJointObjectiveScalar: Φ(w₀, φ) with ∇Φ, ∇²Φ in the scaled coordinates', () => {
  test('cubic toy a = 1.5: every entry against exact Gaussian moments; the Hessian symmetric', () => {
    const [lambda0, sigma, w0, phi] = [0.3, 0.5, 0.7, 0.4];
    const { L, Lw, Lww } = cubicAlong(1.5, lambda0, sigma, w0, phi);
    const [v, g, h] = stnJointObjectiveScalar(cubicToy(1.5), lambda0, sigma, w0, phi);
    expectRelClose(v, gaussMean(L));
    expect(g).toHaveLength(2);
    expectRelClose(g[0], gaussMean(Lw));
    expectRelClose(g[1], gaussMean(pmul([0, 1], Lw)));
    expect(h).toHaveLength(2);
    expectRelClose(h[0][0], gaussMean(Lww));
    expectRelClose(h[0][1], gaussMean(pmul([0, 1], Lww)));
    expectRelClose(h[1][1], gaussMean(pmul([0, 0, 1], Lww)));
    expect(h[1][0]).toBe(h[0][1]);
  });

  test('errors: scale 0 and NaN, nodes 59', () => {
    expectThrows(() => stnJointObjectiveScalar(sinToy(), 0, 0, 0, 0), InvalidArgumentError, 'scale', 'scale: expected σ > 0, got 0');
    expectThrows(() => stnJointObjectiveScalar(sinToy(), 0, Number.NaN, 0, 0), NonFiniteError, 'scale', 'scale: expected a finite number, got NaN');
    expectThrows(
      () => stnJointObjectiveScalar(sinToy(), 0, 1, 0, 0, 59),
      InvalidArgumentError,
      'nodes',
      'nodes: expected an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes), got 59',
    );
  });
});

describe('deltaStnResponseScalar: θ = argmin F (sin toy: Stein, θ = E cos(λ₀ + ε) = cos λ₀·e^{−σ²/2})', () => {
  test('the closed form at (λ₀, σ) = (0.3, 0.5)', () => {
    expectRelClose(deltaStnResponseScalar(sinToy(), 0.3, 0.1, 0.5), Math.cos(0.3) * Math.exp(-0.125));
  });

  test('nodes is passed on: 59 is refused', () => {
    expectThrows(
      () => deltaStnResponseScalar(sinToy(), 0.3, 0.1, 0.5, { nodes: 59 }),
      InvalidArgumentError,
      'nodes',
      'nodes: expected an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes), got 59',
    );
  });

  test('the default start is the IFT Jacobian J* = 1 (λ₀ = 0): one step of 0.12 < stepTol 0.5 converges', () => {
    expectRelClose(deltaStnResponseScalar(sinToy(), 0, 0, 0.5, { maxIterations: 1, stepTol: 0.5 }), Math.exp(-0.125));
  });

  test('an explicit start 3 is used: the step of 2.1 > stepTol 0.5 does not converge in one iteration', () => {
    const toy = sinToy();
    const x = newtonMinimize1d(
      (th) => {
        const o = responseObjectiveScalar(toy, 0, 0, 0.5, th);
        return [o.value, o.gradient, o.curvature];
      },
      3,
      { maxIterations: 1 },
    ).x[0];
    expectRelClose(x, Math.exp(-0.125));
    expectThrows(
      () => deltaStnResponseScalar(toy, 0, 0, 0.5, { start: 3, maxIterations: 1, stepTol: 0.5 }),
      InvalidArgumentError,
      'toy',
      `toy: expected a response objective whose Newton iteration converges, got "θ = ${x}"`,
    );
  });
});

describe('stnJointScalar: (w₀, θ) = argmin E 𝓛_T (sin toy: w₀ = sin λ₀·e^{−σ²/2}, θ = cos λ₀·e^{−σ²/2})', () => {
  test('the closed form at (λ₀, σ) = (0.3, 0.5)', () => {
    const r = stnJointScalar(sinToy(), 0.3, 0.5);
    expect(Object.keys(r).sort()).toEqual(['general', 'response']);
    expectRelClose(r.general, Math.sin(0.3) * Math.exp(-0.125));
    expectRelClose(r.response, Math.cos(0.3) * Math.exp(-0.125));
  });

  test('nodes is passed on: 59 is refused', () => {
    expectThrows(
      () => stnJointScalar(sinToy(), 0.3, 0.5, { nodes: 59 }),
      InvalidArgumentError,
      'nodes',
      'nodes: expected an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes), got 59',
    );
  });

  test('the default start (w*, σJ*) = (sin 0.3, 0.5·cos 0.3) is one step of 0.066 < stepTol 0.08 from the answer', () => {
    const r = stnJointScalar(sinToy(), 0.3, 0.5, { maxIterations: 1, stepTol: 0.08 });
    expectRelClose(r.general, Math.sin(0.3) * Math.exp(-0.125));
    expectRelClose(r.response, Math.cos(0.3) * Math.exp(-0.125));
  });

  test('σ = 1000 with weight decay: e^λ = ∞ at the outer nodes makes ∇²Φ NaN; the solve fails with the typed error', () => {
    expectThrows(
      () => stnJointScalar(tanhToy([1], [0]), 0, 1000, { start: { general: 0, response: 0 } }),
      InvalidArgumentError,
      'toy',
      'toy: expected an STN objective whose Newton iteration converges, got "(w0, σθ) = (0, 0)"',
    );
  });

  test('an explicit start (2, 3) is used: the step of 2.3 > stepTol 0.5 does not converge in one iteration', () => {
    const toy = sinToy();
    const x = newtonMinimize2d((p) => stnJointObjectiveScalar(toy, 0.3, 0.5, p[0], p[1]), [2, 0.5 * 3], { maxIterations: 1 }).x;
    expectRelClose(x[0], Math.sin(0.3) * Math.exp(-0.125));
    expectThrows(
      () => stnJointScalar(toy, 0.3, 0.5, { start: { general: 2, response: 3 }, maxIterations: 1, stepTol: 0.5 }),
      InvalidArgumentError,
      'toy',
      `toy: expected an STN objective whose Newton iteration converges, got "(w0, σθ) = (${x[0]}, ${x[1]})"`,
    );
  });
});
