/**
 * The hyperparameter space (src/nn/hyper.ts): PT-14 (transforms round-trip, the docs/math.md#s1-3 λ0 table, the floor,
 * the entropy), the perturbation sampler (determinism, minibatch sharing, independence, moments), the typed
 * errors and the JSON form.
 *
 * Tolerances: float64 round trips at the spec's 1e-9; closed forms at 1e-12 relative (a few roundings);
 * float32 tensors against float64 at 1e-6 relative (≈ 8 ulps of float32 for a handful of ops, each ≤ 1 ulp
 * in the cpu kernels); Monte Carlo at 4 standard errors estimated in the same run (tolerance policy).
 */
import { test, fc } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import {
  HALF_LOG_2_PI_E,
  HyperSpace,
  brightnessSpec,
  channelDropoutSpec,
  chooseTransform,
  column,
  contrastSpec,
  cutoutHolesSpec,
  cutoutLengthSpec,
  discreteFloor,
  dropConnectSpec,
  dropoutSpec,
  entropyTf,
  inputDropoutSpec,
  scaleTf,
  sigmoid,
  softplus,
  softplusInverse,
  transformForward,
  transformInverse,
  transformTf,
  weightDecaySpec,
  type HyperparameterSpec,
  type TransformName,
} from '../../src/nn/hyper.js';
import { Rng } from '../../src/rng.js';
import { monteCarloTol, relativeError } from '../../src/tolerance.js';

const F32_REL = 1e-6;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const RANGES: { name: TransformName; lo: number; hi: number }[] = [
  { name: 's_sigmoid', lo: 0, hi: 0.95 },
  { name: 's_sigmoid', lo: 2, hi: 24 },
  { name: 's_sigmoid', lo: 3, hi: 5 },
  { name: 's_sigmoid', lo: -1, hi: 1 },
  { name: 'upper_softplus', lo: -Infinity, hi: 0 },
  { name: 'upper_softplus', lo: -Infinity, hi: 5 },
  { name: 'upper_softplus', lo: -Infinity, hi: -3 },
  { name: 'lower_softplus', lo: 0, hi: Infinity },
  { name: 'lower_softplus', lo: 3, hi: Infinity },
  { name: 'lower_softplus', lo: -2, hi: Infinity },
  { name: 'linear', lo: -Infinity, hi: Infinity },
];

describe('transforms (PT-14)', () => {
  test('the transform is chosen from the range, as C1 register does', () => {
    expect(chooseTransform(0, 0.95)).toBe('s_sigmoid');
    expect(chooseTransform(-Infinity, 1)).toBe('upper_softplus');
    expect(chooseTransform(0, Infinity)).toBe('lower_softplus');
    expect(chooseTransform(-Infinity, Infinity)).toBe('linear');
    for (const r of RANGES) expect(chooseTransform(r.lo, r.hi)).toBe(r.name);
  });

  test('T⁻¹(T(x)) = x on a grid of [−5, 5] for all four transforms (1e-9)', () => {
    for (const { name, lo, hi } of RANGES) {
      for (let j = 0; j <= 200; j++) {
        const x = -5 + j * 0.05;
        expect(Math.abs(transformInverse(name, transformForward(name, x, lo, hi), lo, hi) - x), `${name} [${lo}, ${hi}] at ${x}`).toBeLessThanOrEqual(1e-9);
      }
    }
  });

  test.prop([fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(...RANGES)], { numRuns: 400 })('T⁻¹(T(x)) = x for random x ∈ [−5, 5] (1e-9)', (x, { name, lo, hi }) => {
    expect(Math.abs(transformInverse(name, transformForward(name, x, lo, hi), lo, hi) - x)).toBeLessThanOrEqual(1e-9);
  });

  test('the forward maps are the docs/math.md#s1-3 formulas, written naively', () => {
    for (const x of [-3.7, -1, 0, 0.4, 2.5]) {
      expect(relativeError(transformForward('s_sigmoid', x, 2, 24), 22 / (1 + Math.exp(-x)) + 2)).toBeLessThan(1e-12);
      expect(relativeError(transformForward('upper_softplus', x, -Infinity, 5), 5 - Math.log(1 + Math.exp(-x + 5)))).toBeLessThan(1e-12);
      expect(relativeError(transformForward('lower_softplus', x, 3, Infinity), Math.log(1 + Math.exp(x)) + 3)).toBeLessThan(1e-12);
      expect(transformForward('linear', x, -Infinity, Infinity)).toBe(x);
    }
    for (const v of [0.1, 0.5, 0.9]) {
      expect(relativeError(transformInverse('s_sigmoid', v, 0, 0.95), Math.log(v) - Math.log(0.95 - v))).toBeLessThan(1e-12);
      expect(relativeError(transformInverse('upper_softplus', v, -Infinity, 1), 1 - Math.log(Math.exp(-v + 1) - 1))).toBeLessThan(1e-12);
      expect(relativeError(transformInverse('lower_softplus', v + 3, 3, Infinity), Math.log(Math.exp(v) - 1))).toBeLessThan(1e-12);
    }
  });

  test('the images stay inside the range, and the tails do not overflow', () => {
    for (const x of [-700, -40, 40, 700]) {
      for (const { name, lo, hi } of RANGES) {
        const v = transformForward(name, x, lo, hi);
        expect(Number.isFinite(v) || name === 'linear').toBe(true);
        expect(v).toBeGreaterThanOrEqual(lo);
        expect(v).toBeLessThanOrEqual(hi);
      }
    }
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBe(0);
  });

  test('softplus⁻¹ is log(expm1(y)), stable at both ends; softplus⁻¹(1) = 0.5413248546', () => {
    expect(Math.abs(softplusInverse(1) - 0.5413248546)).toBeLessThan(5e-11);
    for (const y of [1e-12, 1e-6, 0.3, 1, 1.0000001, 5, 40, 800]) {
      expect(relativeError(softplus(softplusInverse(y)), y), `y = ${y}`).toBeLessThan(1e-12);
    }
    expect(softplusInverse(800)).toBe(800);
    expect(() => softplusInverse(0)).toThrow(InvalidArgumentError);
    expect(() => softplusInverse(-1)).toThrow(InvalidArgumentError);
  });

  test('the inverse refuses values on or outside the bounds (never ±∞ or NaN)', () => {
    expect(() => transformInverse('s_sigmoid', 0, 0, 0.95)).toThrow(InvalidArgumentError);
    expect(() => transformInverse('s_sigmoid', 0.95, 0, 0.95)).toThrow(InvalidArgumentError);
    expect(() => transformInverse('upper_softplus', 1, -Infinity, 1)).toThrow(InvalidArgumentError);
    expect(() => transformInverse('lower_softplus', 3, 3, Infinity)).toThrow(InvalidArgumentError);
    expect(() => transformInverse('linear', NaN, -Infinity, Infinity)).toThrow(InvalidArgumentError);
  });

  test('transformTf agrees with the float64 maps to float32 accuracy', () => {
    const xs = [-5, -2.5, -0.3, 0, 0.7, 3, 5];
    for (const { name, lo, hi } of RANGES) {
      const before = tf.memory().numTensors;
      const x = tf.tensor1d(xs);
      const y = transformTf(name, x, lo, hi);
      const got = y.dataSync();
      tf.dispose([x, y]);
      expect(tf.memory().numTensors).toBe(before);
      // The upper/lower softplus maps subtract or add a bound, so float32 rounds at the scale of the operands
      // (|x|, the finite bounds, 1), not of the result (hi − softplus(hi − x) cancels for x ≪ hi).
      const scale = Math.max(1, ...[lo, hi].filter(Number.isFinite).map(Math.abs));
      xs.forEach((xi, j) => expect(Math.abs(got[j] - transformForward(name, xi, lo, hi)), `${name} at ${xi}`).toBeLessThan(F32_REL * Math.max(scale, Math.abs(xi))));
    }
  });
});

describe('initial values (PT-14, docs/math.md#s1-3 table)', () => {
  // λ0 = T⁻¹(v0) in float64; the table is rounded to 10 decimals, so compare at 5e-11.
  const table: [HyperparameterSpec, number][] = [
    [dropoutSpec('dropout'), -2.8903717579],
    [cutoutLengthSpec(), -2.302585093],
    [cutoutHolesSpec(), -1.3862943611],
    [{ name: 'hue', kind: 'other', init: 0.05, range: [0, 0.5] }, -2.1972245773],
    [brightnessSpec(), -2.9444389792],
    [contrastSpec(), -2.9444389792],
    [{ name: 'saturation', kind: 'other', init: 0.05, range: [0, 1] }, -2.9444389792],
    [{ name: 'degrees', kind: 'other', init: 5, range: [0, 45] }, -2.0794415417],
    [{ name: 'shear', kind: 'other', init: 5, range: [0, 45] }, -2.0794415417],
    [{ name: 'translate', kind: 'other', init: 0.05, range: [0, 0.5] }, -2.1972245773],
    [{ name: 'scale', kind: 'other', init: 0.05, range: [0, 0.5] }, -2.1972245773],
  ];
  const space = new HyperSpace(table.map(([s]) => s));

  test('λ0 matches the table', () => {
    const lambda0 = space.initialLambda();
    table.forEach(([s, expected], k) => expect(Math.abs(lambda0[k] - expected), s.name).toBeLessThan(5e-11));
  });

  test('T(λ0) gives back the initial values; the discrete ones exactly (4 and 1, not 3 and 0)', () => {
    const values = space.hyperValues(space.initialLambda());
    table.forEach(([s], k) => {
      if (s.discrete) expect(values[k], s.name).toBe(s.init);
      else expect(relativeError(values[k], s.init), s.name).toBeLessThan(1e-14);
    });
  });

  test('the C1 defaults of the factories', () => {
    const s = new HyperSpace([dropoutSpec('d'), channelDropoutSpec('c'), inputDropoutSpec('i'), dropConnectSpec('w'), cutoutLengthSpec(), cutoutHolesSpec(), brightnessSpec(), contrastSpec(), weightDecaySpec()]);
    expect(s.specs.map((r) => [r.kind, r.init, r.range[0], r.range[1], r.discrete, r.perturb, r.scale, r.transform])).toEqual([
      ['dropout', 0.05, 0, 0.95, false, 'example', 1, 's_sigmoid'],
      ['channel-dropout', 0.05, 0, 0.95, false, 'example', 1, 's_sigmoid'],
      ['input-dropout', 0.05, 0, 0.95, false, 'example', 1, 's_sigmoid'],
      ['dropconnect', 0.05, 0, 0.95, false, 'minibatch', 1, 's_sigmoid'],
      ['cutout-length', 4, 2, 24, true, 'example', 1, 's_sigmoid'],
      ['cutout-holes', 1, 0, 5, true, 'example', 1, 's_sigmoid'],
      ['brightness', 0.05, 0, 1, false, 'example', 1, 's_sigmoid'],
      ['contrast', 0.05, 0, 1, false, 'example', 1, 's_sigmoid'],
      ['weight-decay', 1e-4, 0, Infinity, false, 'minibatch', 1, 'lower_softplus'],
    ]);
    expect(dropoutSpec('d', { init: 0.2, scale: 0.5 })).toMatchObject({ init: 0.2, scale: 0.5, range: [0, 0.95] });
  });

  test('s0 = softplus⁻¹(σ0): 0.5413248546 at σ0 = 1', () => {
    const s = new HyperSpace([dropoutSpec('a'), dropoutSpec('b', { scale: 0.5 })]);
    const s0 = s.initialRawScale();
    expect(Math.abs(s0[0] - 0.5413248546)).toBeLessThan(5e-11);
    expect(relativeError(s.scale(s0)[1], 0.5)).toBeLessThan(1e-15);
  });
});

describe('floor for discrete hyperparameters (PT-14)', () => {
  test('⌊·⌋ is applied; the rounded table λ0 −2.3025850930 gives cutout length 3, the float64 λ0 gives 4', () => {
    const s = new HyperSpace([cutoutLengthSpec()]);
    expect(s.hyperValue(0, -2.302585093)).toBe(3);
    expect(s.hyperValues(s.initialLambda())).toEqual([4]);
    expect(s.hyperValue(0, 0)).toBe(13); // 22·½ + 2 = 13 exactly
    expect(s.hyperValue(0, 0.01)).toBe(13);
    expect(s.hyperValue(0, -0.01)).toBe(12);
  });

  test('every integer init survives the float64 round trip (a bare floor loses 3 on [0, 30])', () => {
    for (const [lo, hi] of [[0, 30], [2, 24], [0, 5], [1, 100]]) {
      for (let n = lo + 1; n < hi; n++) {
        const s = new HyperSpace([{ name: 'n', kind: 'other', range: [lo, hi], discrete: true, init: n }]);
        expect(s.hyperValues(s.initialLambda()), `${n} on [${lo}, ${hi}]`).toEqual([n]);
      }
    }
    expect(Math.floor(transformForward('s_sigmoid', transformInverse('s_sigmoid', 3, 0, 30), 0, 30))).toBe(2); // why discreteFloor exists
  });

  test('discreteFloor is the floor away from the 1e-12 margin', () => {
    expect(discreteFloor(2.999999999999999)).toBe(3);
    expect(discreteFloor(2.9999999)).toBe(2);
    expect(discreteFloor(3)).toBe(3);
    expect(discreteFloor(3.5)).toBe(3);
    expect(discreteFloor(-0.5)).toBe(-1);
    expect(discreteFloor(0)).toBe(0);
  });

  test('perturbed discrete values are integers inside the range', () => {
    const s = new HyperSpace([cutoutLengthSpec(), cutoutHolesSpec(), dropoutSpec('p')]);
    const { hyperValues } = s.samplePerturbed(s.initialLambda(), s.initialRawScale(), 500, new Rng(3));
    for (const row of hyperValues) {
      expect(Number.isInteger(row[0]) && row[0] >= 2 && row[0] <= 24).toBe(true);
      expect(Number.isInteger(row[1]) && row[1] >= 0 && row[1] <= 5).toBe(true);
      expect(Number.isInteger(row[2])).toBe(false);
    }
  });
});

describe('entropy (PT-14, docs/math.md#s1-4, #s8-6)', () => {
  const space = new HyperSpace([dropoutSpec('a'), dropoutSpec('b'), cutoutLengthSpec()]);

  test('1.4189385332 per coordinate at σ = 1', () => {
    expect(Math.abs(HALF_LOG_2_PI_E - 1.4189385332)).toBeLessThan(5e-11);
    expect(Math.abs(space.entropy(space.initialRawScale()) - 3 * 1.4189385332)).toBeLessThan(2e-10);
  });

  test('ℍ = Σ log(σ√(2πe)) at other σ, finite far into the tail', () => {
    const s = [softplusInverse(0.1), softplusInverse(3), -700];
    const expected = Math.log(0.1 * Math.sqrt(2 * Math.PI * Math.E)) + Math.log(3 * Math.sqrt(2 * Math.PI * Math.E)) + (-700 + HALF_LOG_2_PI_E);
    expect(relativeError(space.entropy(s), expected)).toBeLessThan(1e-12);
  });

  test('∂ℍ/∂s = sigmoid(s)/σ, against the closed form and a central difference', () => {
    const s = [-2, 0.3, 4];
    const g = space.entropyGrad(s);
    s.forEach((sk, k) => {
      expect(relativeError(g[k], 1 / (1 + Math.exp(-sk)) / Math.log(1 + Math.exp(sk)))).toBeLessThan(1e-12);
      const t = 1e-5;
      const plus = [...s];
      const minus = [...s];
      plus[k] += t;
      minus[k] -= t;
      expect(relativeError(g[k], (space.entropy(plus) - space.entropy(minus)) / (2 * t))).toBeLessThan(1e-6);
    });
  });

  test('entropyTf and its tf gradient agree with the float64 versions (float32)', () => {
    const s = [-2, 0.3, 4];
    const before = tf.memory().numTensors;
    const st = tf.tensor1d(s);
    const h = entropyTf(st);
    const g = tf.grad((x: tf.Tensor) => entropyTf(x as tf.Tensor1D))(st);
    const sigma = scaleTf(st);
    expect(relativeError(h.dataSync()[0], space.entropy(s))).toBeLessThan(F32_REL);
    const gd = g.dataSync();
    space.entropyGrad(s).forEach((gk, k) => expect(relativeError(gd[k], gk)).toBeLessThan(F32_REL));
    const sd = sigma.dataSync();
    space.scale(s).forEach((sk, k) => expect(relativeError(sd[k], sk)).toBeLessThan(F32_REL));
    tf.dispose([st, h, g, sigma]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('samplePerturbed (docs/math.md#s1-4)', () => {
  const space = new HyperSpace([dropoutSpec('unit'), dropConnectSpec('wdrop'), cutoutLengthSpec(), { name: 'free', kind: 'other', range: [-Infinity, Infinity], init: 0.25, scale: 0.3 }]);
  const lambda = space.initialLambda();
  const rawScale = [softplusInverse(0.5), softplusInverse(1), softplusInverse(2), softplusInverse(0.3)];

  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 20 })('the same seed gives the same batch; the next seed another', (seed) => {
    const a = space.samplePerturbed(lambda, rawScale, 16, new Rng(seed));
    const b = space.samplePerturbed(lambda, rawScale, 16, new Rng(seed));
    const c = space.samplePerturbed(lambda, rawScale, 16, new Rng(seed + 1));
    expect(b).toEqual(a);
    expect(c.noise).not.toEqual(a.noise);
  });

  test('the parts are consistent: ε = σ⊙n, perturbed = λ + ε, hyperValues = T(perturbed)', () => {
    const r = space.samplePerturbed(lambda, rawScale, 8, new Rng(11));
    const sigma = space.scale(rawScale);
    expect([r.batch, r.h, r.noise.length, r.noise[0].length]).toEqual([8, 4, 8, 4]);
    for (let i = 0; i < 8; i++) {
      for (let k = 0; k < 4; k++) {
        expect(r.perturbation[i][k]).toBe(sigma[k] * r.noise[i][k]);
        expect(r.perturbed[i][k]).toBe(lambda[k] + r.perturbation[i][k]);
        expect(r.hyperValues[i][k]).toBe(space.hyperValue(k, r.perturbed[i][k]));
      }
    }
    expect(column(r.hyperValues, 2)).toEqual(r.hyperValues.map((row) => row[2]));
  });

  test("a 'minibatch' coordinate shares one draw; 'example' coordinates differ per row", () => {
    const r = space.samplePerturbed(lambda, rawScale, 32, new Rng(5));
    const shared = column(r.perturbation, 1);
    expect(new Set(shared).size).toBe(1);
    for (const k of [0, 2, 3]) expect(new Set(column(r.perturbation, k)).size).toBe(32);
    const all = new HyperSpace([dropConnectSpec('only')]).samplePerturbed([0], [0], 10, new Rng(1));
    expect(new Set(column(all.noise, 0)).size).toBe(1);
  });

  test('ε has mean 0 and variance σ², and coordinates and rows are uncorrelated (4 standard errors)', () => {
    const n = 4000;
    const r = space.samplePerturbed(lambda, rawScale, n, new Rng(2024));
    const sigma = space.scale(rawScale);
    for (const k of [0, 2, 3]) {
      const e = column(r.perturbation, k);
      const mean = e.reduce((a, b) => a + b, 0) / n;
      const sq = e.map((v) => (v - mean) ** 2);
      const variance = sq.reduce((a, b) => a + b, 0) / (n - 1);
      const sdSq = Math.sqrt(sq.reduce((a, b) => a + (b - variance) ** 2, 0) / (n - 1));
      expect(Math.abs(mean), `mean of ε_${k}`).toBeLessThan(monteCarloTol(Math.sqrt(variance / n)));
      expect(Math.abs(variance - sigma[k] ** 2), `variance of ε_${k}`).toBeLessThan(monteCarloTol(sdSq / Math.sqrt(n)));
    }
    // Products of independent standard normals: mean 0, standard error estimated from the products.
    const checkUncorrelated = (p: number[], what: string): void => {
      const m = p.reduce((a, b) => a + b, 0) / p.length;
      const sd = Math.sqrt(p.reduce((a, b) => a + (b - m) ** 2, 0) / (p.length - 1));
      expect(Math.abs(m), what).toBeLessThan(monteCarloTol(sd / Math.sqrt(p.length)));
    };
    checkUncorrelated(r.noise.map((row) => row[0] * row[2]), 'coordinates 0 and 2 of one example');
    checkUncorrelated(r.noise.map((row) => row[0] * row[3]), 'coordinates 0 and 3 of one example');
    checkUncorrelated(r.noise.slice(1).map((row, i) => row[0] * r.noise[i][0]), 'neighbouring examples');
  });

  test('bad arguments are typed errors', () => {
    expect(() => space.samplePerturbed(lambda, rawScale, 0, new Rng(1))).toThrow(InvalidArgumentError);
    expect(() => space.samplePerturbed(lambda, rawScale, 2.5, new Rng(1))).toThrow(InvalidArgumentError);
    expect(() => space.samplePerturbed(lambda.slice(1), rawScale, 4, new Rng(1))).toThrow(ShapeMismatchError);
    expect(() => space.samplePerturbed(lambda, [NaN, 0, 0, 0], 4, new Rng(1))).toThrow(NonFiniteError);
    expect(() => space.hyperValues([0, 0, Infinity, 0])).toThrow(/lambda\[2\]/);
  });
});

describe('HyperSpace construction', () => {
  const bad = (spec: Partial<HyperparameterSpec>): (() => HyperSpace) => () => new HyperSpace([{ ...dropoutSpec('p'), ...spec } as HyperparameterSpec]);

  test('typed errors name the field: range lo ≥ hi, init outside the range, σ ≤ 0, …', () => {
    expect(bad({ range: [0.5, 0.5] })).toThrow(/specs\[0\]\.range/);
    expect(bad({ range: [0.9, 0.1] })).toThrow(InvalidArgumentError);
    expect(bad({ range: [NaN, 0.5] })).toThrow(/specs\[0\]\.range\[0\]/);
    expect(bad({ init: 0.96 })).toThrow(/specs\[0\]\.init/);
    expect(bad({ init: 0 })).toThrow(/specs\[0\]\.init/); // on the bound: T⁻¹ = −∞
    expect(bad({ init: NaN })).toThrow(InvalidArgumentError);
    expect(bad({ scale: 0 })).toThrow(/specs\[0\]\.scale/);
    expect(bad({ scale: -1 })).toThrow(InvalidArgumentError);
    expect(bad({ range: [0, 1] })).toThrow(/\[0, 1\)/); // a dropout rate of 1 divides by zero
    expect(bad({ perturb: 'sometimes' as 'example' })).toThrow(/perturb/);
    expect(bad({ kind: 'learning-rate' as 'other' })).toThrow(/kind/);
    expect(() => new HyperSpace([cutoutLengthSpec('n', { range: [-2, 24] })])).toThrow(/range\[0\]/);
    expect(() => new HyperSpace([])).toThrow(InvalidArgumentError);
    expect(() => new HyperSpace([dropoutSpec('p'), cutoutHolesSpec('p')])).toThrow(/specs\[1\]\.name/);
  });

  test('index and indicesOfKind resolve names once', () => {
    const s = new HyperSpace([dropoutSpec('d0'), cutoutLengthSpec(), dropoutSpec('d1')]);
    expect(s.index('d1')).toBe(2);
    expect(s.indicesOfKind('dropout')).toEqual([0, 2]);
    expect(s.names).toEqual(['d0', 'cutout_length', 'd1']);
    expect(s.transforms).toEqual(['s_sigmoid', 's_sigmoid', 's_sigmoid']);
    expect(() => s.index('nope')).toThrow(InvalidArgumentError);
  });

  test('summary gives every value in constrained units with its σ', () => {
    const s = new HyperSpace([dropoutSpec('d0'), cutoutLengthSpec()]);
    const out = s.summary(s.initialLambda(), s.initialRawScale());
    expect(out.cutout_length.value).toBe(4);
    expect(relativeError(out.cutout_length.scale, 1)).toBeLessThan(1e-15);
    expect(relativeError(out.d0.value, 0.05)).toBeLessThan(1e-14);
  });
});

describe('JSON form', () => {
  const space = new HyperSpace([
    dropoutSpec('d', { scale: 0.7 }),
    cutoutLengthSpec(),
    weightDecaySpec(),
    { name: 'up', kind: 'other', range: [-Infinity, 2], init: 1, perturb: 'minibatch' },
    { name: 'lin', kind: 'other', range: [-Infinity, Infinity], init: -3 },
  ]);

  test('round trip through JSON text keeps every field, ±∞ included', () => {
    const text = JSON.stringify(space);
    expect(text).toContain('"-inf"');
    expect(text).toContain('"inf"');
    const back = HyperSpace.fromJSON(text);
    expect(back.specs).toEqual(space.specs);
    expect(back.initialLambda()).toEqual(space.initialLambda());
    expect(HyperSpace.fromJSON(space.toJSON()).specs).toEqual(space.specs);
  });

  test('malformed input is a ParseError; bad fields are the constructor’s errors', () => {
    expect(() => HyperSpace.fromJSON('{nope')).toThrow(ParseError);
    expect(() => HyperSpace.fromJSON({ format: 'other', version: 1, hyperparameters: [] })).toThrow(ParseError);
    const j = space.toJSON();
    j.hyperparameters[0].range = ['inf' as unknown as number, 1];
    expect(() => HyperSpace.fromJSON(j)).toThrow(ParseError);
    const k = space.toJSON();
    k.hyperparameters[1].init = 30;
    expect(() => HyperSpace.fromJSON(k)).toThrow(/specs\[1\]\.init/);
  });
});
