/**
 * Expectations over the perturbation ε ∼ N(0, diag σ²): exactly (deterministic tensor Gauss–Hermite) or by
 * seeded sampling. Methods receive the rule as a list of points and weights and never know which it is.
 */
import { InvalidArgumentError } from '../errors.js';
import { forEachGaussianPoint } from '../linalg/gaussHermite.js';
import { Rng } from '../rng.js';

/** How to take E_ε: Gauss–Hermite with `nodes` per dimension, or `samples` draws from a generator seeded with `seed`. */
export type ExpectationRule = { kind: 'quadrature'; nodes?: number } | { kind: 'sampling'; samples: number; seed: number };

/** Points ε_i and weights w_i with Σ w_i g(ε_i) ≈ E g(ε). */
export interface PerturbationSet {
  points: number[][];
  weights: number[];
}

/** Default: 20-point Gauss–Hermite per dimension (exact for polynomials of degree < 40 in each ε_k). */
export const DEFAULT_EXPECTATION: ExpectationRule = { kind: 'quadrature', nodes: 20 };

/**
 * The perturbation set for scales σ (`scale`) under `rule`. Tensor quadrature costs nodes^h points, so it is
 * refused above 20 000 points; use sampling there.
 */
export function perturbations(scale: readonly number[], rule: ExpectationRule = DEFAULT_EXPECTATION): PerturbationSet {
  scale.forEach((s, k) => {
    if (!(s > 0) || !Number.isFinite(s)) throw new InvalidArgumentError(`scale[${k}]`, 'a finite σ > 0', s);
  });
  if (rule.kind === 'quadrature') {
    const nodes = rule.nodes ?? 20;
    // Checked here so that the error names the rule's field, not gaussHermite's internal argument `n`.
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 200) throw new InvalidArgumentError('expectation.nodes', 'an integer in [1, 200]', nodes);
    if (nodes ** scale.length > 20000) throw new InvalidArgumentError('expectation.nodes', `nodes^h ≤ 20000 (h = ${scale.length}); use sampling`, nodes);
    const points: number[][] = [];
    const weights: number[] = [];
    forEachGaussianPoint(scale, nodes, (eps, w) => {
      points.push(eps);
      weights.push(w);
    });
    return { points, weights };
  }
  if (!Number.isInteger(rule.samples) || rule.samples < 1) throw new InvalidArgumentError('expectation.samples', 'an integer ≥ 1', rule.samples);
  if (!Number.isSafeInteger(rule.seed)) throw new InvalidArgumentError('expectation.seed', 'a safe integer', rule.seed);
  const rng = new Rng(rule.seed);
  const points = Array.from({ length: rule.samples }, () => scale.map((s) => s * rng.normal()));
  return { points, weights: new Array<number>(rule.samples).fill(1 / rule.samples) };
}
