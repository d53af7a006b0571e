/**
 * The alternating driver (src/bilevel/driver.ts): it reaches each method's fixed point, is deterministic per
 * seed, resumes exactly, stops on divergence keeping the last good state, tunes σ with the entropy term,
 * and keeps the centered weights untouched by the hyper step (OBS-2).
 */
import { describe, expect, test } from 'vitest';
import { runDriver, inverseSoftplus, type DriverOptions } from '../../src/bilevel/driver.js';
import { softplus } from '../../src/linalg/scalar.js';
import { quadraticProblem, ridgeProblem } from '../../src/bilevel/families.js';
import { hypernetwork } from '../../src/bilevel/methods.js';
import { SPEC_RIDGE_DATA, hyperDescent } from '../../src/experiments/ridge.js';
import { InvalidArgumentError } from '../../src/errors.js';

const ridge = ridgeProblem(SPEC_RIDGE_DATA);
const base: DriverOptions = { variant: 'delta-stn', lambda: [0], scale: [0.5], cycles: 400, lrWeights: 0.3, lrResponse: 1.2, lrHyper: 0.5, warmupSteps: 50 };

describe('runDriver', () => {
  test.each(['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const)('%s online reaches the fixed point of its hyper-descent (σ = 0.5)', (variant) => {
    const res = runDriver(ridge, { ...base, variant, lrResponse: variant === 'stn' ? 0.3 : 1.2 });
    expect(res.stopped).toBeUndefined();
    const fixed = hyperDescent(ridge, hypernetwork(variant, { scale: [0.5] }), 0).finalLambda;
    expect(Math.abs(res.state.lambda[0] - fixed)).toBeLessThan(1e-8);
  });

  test('sampled perturbations: the same seed gives the same run, another seed another run', () => {
    const opts: DriverOptions = { ...base, cycles: 30, expectation: { kind: 'sampling', samples: 8, seed: 0 }, tuneScale: true };
    const a = runDriver(ridge, { ...opts, seed: 5 });
    const b = runDriver(ridge, { ...opts, seed: 5 });
    const c = runDriver(ridge, { ...opts, seed: 6 });
    expect(a.records).toEqual(b.records);
    expect(a.state.lambda[0]).not.toBe(c.state.lambda[0]);
  });

  test('resuming from a saved state continues the same run exactly (quadrature expectations)', () => {
    const full = runDriver(ridge, { ...base, cycles: 40 });
    const first = runDriver(ridge, { ...base, cycles: 15 });
    const rest = runDriver(ridge, { ...base, cycles: 40 }, JSON.parse(JSON.stringify(first.state)));
    expect(rest.state).toEqual(full.state);
  });

  test('a diverging run stops with a message and keeps its last good state', () => {
    // A weight step far above 2/λmax makes the general weights blow up.
    const res = runDriver(ridge, { ...base, lrWeights: 50, cycles: 1000 });
    expect(res.stopped?.reason).toMatch(/non-finite/);
    const s = res.state;
    for (const v of [...s.lambda, ...s.general, ...s.response, ...s.rawScale]) expect(Number.isFinite(v)).toBe(true);
    expect(res.stopped?.step).toBe(s.step + 1);
  });

  test('centered: the weights used at the new λ are w0, untouched by the hyper step; uncentered: they move by ΘΔλ (OBS-2)', () => {
    const q = quadraticProblem({ A: [[2, 0.5], [0.5, 1]], B: [[1], [-1]], b: [0.3, 0.2], target: [1, -1] });
    for (const variant of ['centered-stn', 'stn'] as const) {
      const opts: DriverOptions = { variant, lambda: [0.7], scale: [0.5], cycles: 1, trainSteps: 1, lrWeights: 0.2, lrHyper: 0.5, warmupSteps: 30 };
      const after = runDriver(q, opts);
      // The same 31 train steps without the hyper step: the state just before it.
      const trained = runDriver(q, { ...opts, cycles: 0, warmupSteps: 31 });
      expect(after.state.general).toEqual(trained.state.general);
      expect(after.state.response).toEqual(trained.state.response);
      const [l0, l1] = [trained.state.lambda[0], after.state.lambda[0]];
      expect(l1).not.toBe(l0);
      const last = after.records[after.records.length - 1];
      const w0 = trained.state.general;
      const theta = trained.state.response;
      const usedBefore = variant === 'stn' ? w0.map((g, i) => g + theta[i] * l0) : w0;
      const expected = variant === 'stn' ? usedBefore.map((w, i) => w + theta[i] * (l1 - l0)) : w0;
      // The driver's record evaluates L_T at the weights it uses at the new λ.
      expect(last.trainLoss).toBeCloseTo(q.trainLoss([l1], expected), 14);
      if (variant === 'centered-stn') expect(last.trainLoss).not.toBeCloseTo(q.trainLoss([l1], w0.map((g, i) => g + theta[i] * l1)), 6);
    }
  });

  test('σ tuning follows the entropy term when the data term is silent', () => {
    // With Θ = 0 (no train steps can move it: lrResponse tiny) the scale gradient is −τ·sigmoid(s)/σ < 0: σ grows.
    const res = runDriver(ridge, { ...base, cycles: 20, tuneScale: true, entropyWeight: 0.1, lrScale: 0.5, lrResponse: 1e-300, warmupSteps: 0 });
    expect(res.state.rawScale[0]).toBeGreaterThan(inverseSoftplus(0.5));
  });

  test('softplus and its inverse round-trip', () => {
    for (const s of [1e-6, 0.05, 1, 20, 40]) expect(softplus(inverseSoftplus(s))).toBeCloseTo(s, 12);
    expect(inverseSoftplus(1)).toBeCloseTo(0.5413248546, 10); // docs/math.md#s1-3
  });

  test('bad options are typed errors naming the option', () => {
    expect(() => runDriver(ridge, { ...base, lambda: [0, 1] })).toThrow(InvalidArgumentError);
    expect(() => runDriver(ridge, { ...base, scale: [0] })).toThrow(/scale\[0\]/);
    expect(() => runDriver(ridge, { ...base, lrHyper: -1 })).toThrow(/lrHyper/);
    expect(() => runDriver(ridge, { ...base, trainSteps: 0 })).toThrow(/trainSteps/);
  });
});
