/**
 * Black-box suggestion strategies for the baselines: random search and GP Bayesian optimization, both over
 * the unit cube u ∈ [0, 1]^h, and the maps from u to a hyperparameter space's values and λ.
 *
 * @remarks
 * A strategy never sees the hyperparameter space: it proposes u, the caller maps u to constrained values
 * v = {@link unitToHyperValues}(space, u) (uniform in each finite range [lo, hi]; discrete coordinates get
 * equal mass per integer), trains with λ = {@link hyperValuesToLambda}(space, v), and reports the validation
 * loss back as `value`. Searching uniformly in v (not in λ) is the usual black-box convention: the sigmoid
 * T would otherwise crowd the draws towards the middle of the range.
 *
 * Browser-safe; float64; all randomness from the `Rng` passed in.
 *
 * @see issue 5; src/nn/hyper.ts for T, T⁻¹ and the floor of discrete hyperparameters
 */
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../errors.js';
import type { Rng } from '../rng.js';
import { discreteFloor, transformInverse, type HyperSpace } from '../nn/hyper.js';
import { expectedImprovement, fitGp, posterior, type GaussianProcess } from './gp.js';

// ---------------------------------------------------------------------------------------------------------
// Unit cube ↔ hyperparameter values ↔ λ
// ---------------------------------------------------------------------------------------------------------

/**
 * Relative margin that keeps a constrained value off the bounds of a finite range before T⁻¹:
 * v ∈ [lo, hi] is clamped to [lo + δ, hi − δ], δ = 1e-6·(hi − lo).
 *
 * @remarks
 * T⁻¹ is ±∞ at lo and hi (docs/math.md#s8-5). δ = 1e-6 of the range changes a hyperparameter by far less than any
 * effect it could have on training, keeps λ = T⁻¹(v) within ±log(1e6) ≈ ±13.8 for `s_sigmoid`, and keeps
 * T(λ) strictly inside (lo, hi) even in float32 (ε₃₂ ≈ 6e-8 ≪ 1e-6), which matters for a dropout rate at
 * its upper bound.
 */
export const HYPER_VALUE_MARGIN = 1e-6;

/** The integers ⌊v⌋ can take for v ∈ (lo, hi): ⌊lo⌋ … ⌈hi⌉ − 1 (the open upper bound is never reached). */
function integerRange(lo: number, hi: number): [number, number] {
  return [Math.floor(lo), Math.ceil(hi) - 1];
}

function checkUnitVector(space: HyperSpace, u: readonly number[], name: string): void {
  if (!Array.isArray(u) || u.length !== space.h) throw new ShapeMismatchError(name, `length ${space.h}`, Array.isArray(u) ? `length ${u.length}` : typeof u);
  u.forEach((x, k) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(`${name}[${k}]`, x);
    if (x < 0 || x > 1) throw new InvalidArgumentError(`${name}[${k}]`, 'a number in [0, 1]', x);
  });
}

/**
 * Constrained values v = (v_1 … v_h) for a point u of the unit cube.
 *
 * @remarks
 * Continuous k: v_k = lo + u_k(hi − lo) (u = 0 and u = 1 give the bounds themselves;
 * {@link hyperValuesToLambda} nudges them inside). Discrete k: the attainable integers are
 * n ∈ {⌊lo⌋, …, ⌈hi⌉ − 1} (those ⌊T(λ)⌋ can be, T(λ) ∈ (lo, hi)); with m of them,
 * v_k = ⌊lo⌋ + min(⌊u_k·m⌋, m − 1), so each integer gets probability mass exactly 1/m under uniform u.
 * For cutout length on [2, 24] that is 2 … 23.
 *
 * @throws InvalidArgumentError naming `space.specs[k].range` (and the hyperparameter) for an infinite
 * range, which has no uniform distribution: the caller must declare a finite search range for it;
 * ShapeMismatchError / NonFiniteError / InvalidArgumentError naming `u[k]` for a bad u.
 */
export function unitToHyperValues(space: HyperSpace, u: readonly number[]): number[] {
  checkUnitVector(space, u, 'u');
  return space.specs.map((s, k) => {
    const [lo, hi] = s.range;
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw new InvalidArgumentError(`space.specs[${k}].range`, `a finite range for "${s.name}" (black-box search draws uniformly in [lo, hi]; bound it first)`, `[${lo}, ${hi}]`);
    }
    if (!s.discrete) return lo + u[k] * (hi - lo);
    const [first, last] = integerRange(lo, hi);
    const m = last - first + 1;
    return first + Math.min(Math.floor(u[k] * m), m - 1);
  });
}

/**
 * λ = T⁻¹(v) for constrained values v, such that `space.hyperValues(λ)` gives v back (to the margin).
 *
 * @remarks
 * Continuous k with a finite range: v_k ∈ [lo, hi] is clamped to [lo + δ, hi − δ] (δ =
 * {@link HYPER_VALUE_MARGIN}·(hi − lo)) and inverted, so T(λ_k) = v_k up to δ plus rounding. With an
 * infinite bound, v_k must already lie strictly inside the open range (T⁻¹'s own check). Discrete k: n =
 * ⌊v_k⌋ (with {@link discreteFloor}'s forgiveness), clamped to the attainable {⌊lo⌋, …, ⌈hi⌉ − 1} (so v = hi
 * maps to the top integer, as a continuous hi is nudged down), and λ_k = T⁻¹ of the middle of the cell
 * [n, n + 1) ∩ (lo, hi): the farthest point from both floor boundaries, so ⌊T(λ_k)⌋ = n survives the round
 * trip and any float32 re-evaluation.
 *
 * @throws ShapeMismatchError / NonFiniteError naming `v` / `v[k]`; InvalidArgumentError naming `v[k]` for a
 * value outside [lo, hi] (or outside the open range when a bound is infinite).
 */
export function hyperValuesToLambda(space: HyperSpace, v: readonly number[]): number[] {
  if (!Array.isArray(v) || v.length !== space.h) throw new ShapeMismatchError('v', `length ${space.h}`, Array.isArray(v) ? `length ${v.length}` : typeof v);
  return space.specs.map((s, k) => {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(`v[${k}]`, x);
    const [lo, hi] = s.range;
    const finite = Number.isFinite(lo) && Number.isFinite(hi);
    if (finite && (x < lo || x > hi)) throw new InvalidArgumentError(`v[${k}]`, `a value of "${s.name}" in [${lo}, ${hi}]`, x);
    if (s.discrete) {
      const [first, last] = integerRange(lo, hi);
      const n = Math.min(last, Math.max(first, discreteFloor(x)));
      const a = Math.max(n, lo);
      const b = Math.min(n + 1, hi);
      return transformInverse(s.transform, (a + b) / 2, lo, hi, `v[${k}]`);
    }
    if (!finite) return transformInverse(s.transform, x, lo, hi, `v[${k}]`);
    const delta = HYPER_VALUE_MARGIN * (hi - lo);
    return transformInverse(s.transform, Math.min(hi - delta, Math.max(lo + delta, x)), lo, hi, `v[${k}]`);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------------

/** One finished trial as a strategy sees it: where (u ∈ [0, 1]^h) and how good (validation loss, lower is better). */
export interface Trial {
  u: number[];
  value: number;
}

/** A black-box strategy: given the finished trials, propose the next u ∈ [0, 1]^h. */
export interface Suggester {
  /** `'random'` or `'bayes'`. */
  readonly name: string;
  /** The dimension h of the cube it searches. */
  readonly dimension: number;
  /**
   * The next point. Deterministic given (history, the state of `rng`); advances `rng`.
   * @throws ShapeMismatchError / NonFiniteError / InvalidArgumentError naming `history[i].u` for a point of
   * the wrong length or outside the cube, or `history[i].value` for a non-number (NaN/±∞ are allowed: see
   * {@link bayesianOptimization}).
   */
  suggest(history: readonly Trial[], rng: Rng): number[];
}

function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1) throw new InvalidArgumentError('dimension', 'an integer ≥ 1 (the number of hyperparameters, space.h)', dimension);
}

function checkHistory(history: readonly Trial[], h: number): void {
  if (!Array.isArray(history)) throw new InvalidArgumentError('history', 'an array of {u, value}', history);
  history.forEach((t, i) => {
    if (typeof t !== 'object' || t === null) throw new InvalidArgumentError(`history[${i}]`, 'an object {u, value}', t);
    if (!Array.isArray(t.u) || t.u.length !== h) throw new ShapeMismatchError(`history[${i}].u`, `length ${h}`, Array.isArray(t.u) ? `length ${t.u.length}` : typeof t.u);
    t.u.forEach((x: number, k: number) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(`history[${i}].u[${k}]`, x);
      if (x < 0 || x > 1) throw new InvalidArgumentError(`history[${i}].u[${k}]`, 'a number in [0, 1]', x);
    });
    if (typeof t.value !== 'number') throw new InvalidArgumentError(`history[${i}].value`, 'a number (the validation loss)', t.value);
  });
}

function uniformPoint(h: number, rng: Rng): number[] {
  return Array.from({ length: h }, () => rng.uniform());
}

/**
 * Random search: u ~ U[0, 1)^h, h draws of `rng.uniform()` in coordinate order, ignoring the history.
 * The same seed gives the same sequence of points.
 *
 * @param dimension h, the number of hyperparameters (`space.h`).
 */
export function randomSearch(dimension: number): Suggester {
  checkDimension(dimension);
  return {
    name: 'random',
    dimension,
    suggest(history: readonly Trial[], rng: Rng): number[] {
      checkHistory(history, dimension);
      return uniformPoint(dimension, rng);
    },
  };
}

/** Options of {@link bayesianOptimization}. */
export interface BayesianOptimizationOptions {
  /** Random points before the GP takes over. Default max(3, h + 1). */
  initial?: number;
  /** Uniform random candidates scored by EI per suggestion. Default 2000. */
  candidates?: number;
  /** EI margin ξ, in the units of `value` (a validation loss). Default 0. */
  xi?: number;
  /** How many of the best candidates the local search refines. Default 5. */
  refine?: number;
  /**
   * Random restarts of the GP hyperparameter fit (see {@link fitGp}). Default 4: on 60 seeded 12-point 2-D
   * fits, 0 / 2 / 4 restarts ended > 0.5 nats below a 12-restart fit 8 / 2 / 0 times.
   */
  restarts?: number;
}

/** Options of {@link maximizeExpectedImprovement}. */
export interface EiSearchOptions {
  /** EI margin ξ in the units of the GP's targets. Default 0. */
  xi?: number;
  /** Uniform random candidates. Default 2000. */
  candidates?: number;
  /** How many of the best candidates the compass search refines. Default 5. */
  refine?: number;
}

/**
 * argmax of EI(u) = {@link expectedImprovement}(μ(u), σ(u), best, ξ) over the cube [0, 1]^d (d = `gp.d`).
 *
 * @remarks
 * The best of `candidates` uniform points (d draws each from `rng`, in order), then a compass (coordinate)
 * search from the `refine` best of them: try u ± step·e_k (clipped to [0, 1]), move to the largest increase,
 * halve the step when nothing improves, from step 0.1 down to 1e-4. EI is smooth but multimodal (one bump
 * per promising region), so the random pool finds the bumps and the compass search climbs them; a gradient
 * would buy little at d ≤ 10 and would need ∂σ/∂u.
 *
 * @returns the best point and its EI (≥ 0).
 */
export function maximizeExpectedImprovement(gp: GaussianProcess, best: number, rng: Rng, options: EiSearchOptions = {}): { u: number[]; ei: number } {
  const xi = options.xi ?? 0;
  const candidates = options.candidates ?? 2000;
  const refine = options.refine ?? 5;
  if (!Number.isFinite(best)) throw new NonFiniteError('best', best);
  if (!Number.isFinite(xi) || xi < 0) throw new InvalidArgumentError('options.xi', 'a finite ξ ≥ 0', xi);
  if (!Number.isInteger(candidates) || candidates < 1) throw new InvalidArgumentError('options.candidates', 'an integer ≥ 1', candidates);
  if (!Number.isInteger(refine) || refine < 0) throw new InvalidArgumentError('options.refine', 'an integer ≥ 0', refine);
  const h = gp.d;
  const ei = (points: number[][]): number[] => {
    const { mean, variance } = posterior(gp, points);
    return mean.map((m, i) => expectedImprovement(m, Math.sqrt(variance[i]), best, xi));
  };
  const pool = Array.from({ length: candidates }, () => uniformPoint(h, rng));
  const scores = ei(pool);
  const order = scores.map((s, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  let bestU = pool[order[0]];
  let bestEi = scores[order[0]];
  for (const idx of order.slice(0, refine)) {
    let u = pool[idx].slice();
    let cur = scores[idx];
    for (let step = 0.1; step >= 1e-4; ) {
      const trials: number[][] = [];
      for (let k = 0; k < h; k++) {
        for (const sgn of [1, -1]) {
          const t = u.slice();
          t[k] = Math.min(1, Math.max(0, t[k] + sgn * step));
          if (t[k] !== u[k]) trials.push(t);
        }
      }
      const vals = trials.length > 0 ? ei(trials) : [];
      let j = -1;
      vals.forEach((v, i) => {
        if (v > cur && (j < 0 || v > vals[j])) j = i;
      });
      if (j >= 0) {
        u = trials[j];
        cur = vals[j];
      } else {
        step /= 2;
      }
    }
    if (cur > bestEi) {
      bestEi = cur;
      bestU = u;
    }
  }
  return { u: bestU, ei: bestEi };
}

/**
 * GP Bayesian optimization: Matérn-5/2 GP on (u, value) with hyperparameters fitted by marginal likelihood
 * ({@link fitGp}, standardised values), expected improvement below the best value seen
 * ({@link expectedImprovement}), maximised over the cube ({@link maximizeExpectedImprovement}).
 *
 * @remarks
 * - The first `initial` suggestions (default max(3, h + 1)) are uniform random points, as in
 *   {@link randomSearch}; after that, every suggestion refits the GP on the whole history.
 * - A trial whose value is NaN or ±∞ (a diverged run) is kept as a failure, not dropped (else BO would
 *   propose it again): its value is replaced by the largest finite value in the history. If no value is
 *   finite yet, the suggestion is random.
 * - Discrete coordinates: the GP sees u, not the integer. Two u that map to the same integer are the same
 *   trial trained twice; the GP treats them as two nearby observations (its noise term absorbs any
 *   difference), which is harmless: EI near an observed point is small, so repeats are rare.
 * - Randomness: one `rng.nextUint32()` seeds the GP fit's restarts, then `candidates`·h uniforms; the same
 *   history and rng state give the same point.
 *
 * @param dimension h, the number of hyperparameters (`space.h`).
 * @throws InvalidArgumentError naming `options.*` for bad options (and `dimension`).
 */
export function bayesianOptimization(dimension: number, options: BayesianOptimizationOptions = {}): Suggester {
  checkDimension(dimension);
  const h = dimension;
  const initial = options.initial ?? Math.max(3, h + 1);
  const candidates = options.candidates ?? 2000;
  const xi = options.xi ?? 0;
  const refine = options.refine ?? 5;
  const restarts = options.restarts ?? 4;
  if (!Number.isInteger(initial) || initial < 1) throw new InvalidArgumentError('options.initial', 'an integer ≥ 1', initial);
  if (!Number.isInteger(candidates) || candidates < 1) throw new InvalidArgumentError('options.candidates', 'an integer ≥ 1', candidates);
  if (!Number.isFinite(xi) || xi < 0) throw new InvalidArgumentError('options.xi', 'a finite ξ ≥ 0', xi);
  if (!Number.isInteger(refine) || refine < 0) throw new InvalidArgumentError('options.refine', 'an integer ≥ 0', refine);
  if (!Number.isInteger(restarts) || restarts < 0) throw new InvalidArgumentError('options.restarts', 'an integer ≥ 0', restarts);
  return {
    name: 'bayes',
    dimension,
    suggest(history: readonly Trial[], rng: Rng): number[] {
      checkHistory(history, h);
      const finite = history.filter((t) => Number.isFinite(t.value)).map((t) => t.value);
      if (history.length < initial || finite.length === 0) return uniformPoint(h, rng);
      const worst = Math.max(...finite);
      const X = history.map((t) => t.u.slice());
      const y = history.map((t) => (Number.isFinite(t.value) ? t.value : worst));
      const gp = fitGp(X, y, { seed: rng.nextUint32(), restarts });
      const best = Math.min(...y);
      return maximizeExpectedImprovement(gp, best, rng, { xi, candidates, refine }).u;
    },
  };
}
