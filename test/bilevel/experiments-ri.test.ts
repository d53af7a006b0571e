/** The ridge and interaction toys (src/experiments/{ridge,interaction}.ts). */
import { describe, expect, test } from 'vitest';
import { ridgeProblem } from '../../src/bilevel/families.js';
import { ift } from '../../src/bilevel/methods.js';
import { SPEC_RIDGE_DATA, findBestHyperparameter, hyperDescent, ridgeExperiment } from '../../src/experiments/ridge.js';
import { interactionExperiment } from '../../src/experiments/interaction.js';
import { plotInteractionExperiment, plotRidgeExperiment } from '../../src/experiments/plots.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('ridge toy', () => {
  const problem = ridgeProblem(SPEC_RIDGE_DATA);

  test('λ* is the root of the exact hypergradient (PT-15 (docs/math.md#pt-15): 0.02727215793614, L_V = 0.1082167376)', () => {
    const best = findBestHyperparameter(problem);
    expect(best.lambdaStar).toBeCloseTo(0.02727215793614, 12);
    expect(best.valLoss).toBeCloseTo(0.1082167376, 10);
    expect(Math.abs(best.hypergradient)).toBeLessThan(1e-14);
    expect(best.onBoundary).toBe(false);
  });

  test('λ* is found independently of hyper-descent: grid + golden section agree with IFT descent', () => {
    const d = hyperDescent(problem, ift(), 0);
    expect(d.converged).toBe(true);
    expect(Math.abs(d.finalLambda - findBestHyperparameter(problem).lambdaStar)).toBeLessThan(1e-10);
  });

  test('every method reaches its PT-15 fixed point; Δ-STN (σ = 0.05) within 1e-3 of λ*', () => {
    const r = ridgeExperiment({ scale: 0.05, online: false });
    const at = (m: string): number => r.methods.find((x) => x.method === m)!.finalLambda;
    for (const m of ['ift-dense', 'ift-cg', 'ift-neumann', 'unrolled']) expect(at(m)).toBeCloseTo(r.lambdaStar, 9);
    expect(at('delta-stn')).toBeCloseTo(0.0275157108, 10);
    expect(at('delta-stn-linearized')).toBeCloseTo(0.0275157108, 10);
    expect(at('stn')).toBeCloseTo(0.0274110537, 10);
    expect(at('centered-stn')).toBeCloseTo(0.0274110537, 10);
    expect(Math.abs(at('delta-stn') - r.lambdaStar)).toBeLessThan(1e-3);
    expect(r.methods.every((m) => m.converged)).toBe(true);
  });

  test('the result is JSON-ready and plots to SVG', () => {
    const r = ridgeExperiment({ scale: 0.5, methods: ['ift-dense', 'delta-stn'], onlineCycles: 50 });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    const svgs = plotRidgeExperiment(r);
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) expect(svg.startsWith('<svg')).toBe(true);
  });

  test('σ ≤ 0 and a problem with h ≠ 1 are typed errors', () => {
    expect(() => ridgeExperiment({ scale: 0 })).toThrow(InvalidArgumentError);
    expect(() => findBestHyperparameter(problem, { lo: 1, hi: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('interaction toy', () => {
  const r = interactionExperiment({ starts: [0, -4], hyperRates: [2], cycles: 300 });

  test('runs both parameterizations for every (start, rate) and summarises each run consistently', () => {
    expect(r.runs).toHaveLength(4);
    for (const run of r.runs) {
      const lambdas = run.trajectory.map(([, l]) => l);
      expect(run.trajectory[0][1]).toBe(run.start);
      expect(run.finalLambda).toBe(lambdas[lambdas.length - 1]);
      const hi = Math.max(run.start, run.finalLambda);
      const lo = Math.min(run.start, run.finalLambda);
      expect(run.overshoot).toBeCloseTo(Math.max(0, ...lambdas.map((l) => l - hi), ...lambdas.map((l) => lo - l)), 15);
      expect(run.negativeAlignment).toBeGreaterThanOrEqual(0);
      expect(run.negativeAlignment).toBeLessThanOrEqual(1);
    }
    for (const c of r.comparison) {
      const [u, cen] = r.runs.filter((x) => x.start === c.start && x.hyperRate === c.hyperRate);
      expect(c.overshootDifference).toBe(u.overshoot - cen.overshoot);
    }
  });

  test('deterministic: the same options give the same numbers', () => {
    expect(interactionExperiment({ starts: [0, -4], hyperRates: [2], cycles: 300 })).toEqual(r);
  });

  test('both variants converge to the same fixed point at a moderate rate (the same affine fit, OBS-1)', () => {
    for (const start of [0, -4]) {
      const [u, c] = r.runs.filter((x) => x.start === start);
      expect(Math.abs(u.finalLambda - c.finalLambda)).toBeLessThan(1e-3);
    }
  });

  test('plots one chart per (start, rate)', () => {
    expect(plotInteractionExperiment(r)).toHaveLength(2);
  });
});
