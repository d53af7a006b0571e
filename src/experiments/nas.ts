/**
 * The NAS toy (issue 7, "Small engine"): two candidate operations (K = 2, α ∈ ℝ²), in the spirit of the DARTS
 * paper's two-variable illustration, where first- and second-order DARTS descend to different architectures,
 * with the exact bilevel solution α* = argmin_α L_V(α, w*(α)) found by grid + refinement for reference.
 *
 * softmax is invariant to α + c·1 and every hypergradient here sums to zero, so descent from α = 0 moves only
 * along (1, −1): the architecture is the logit gap δ = α_0 − α_1, and the search for α* is over δ. Each method
 * runs hyper-descent α ← α − η·g(α) with the inner problem solved exactly at every α (w = w*(α)), so its limit
 * is the method's own fixed point, not an artefact of an inner optimizer.
 */
import { InvalidArgumentError } from '../errors.js';
import { goldenBracket } from './bracket.js';
import { lineChart } from '../report/plot.js';
import { darts } from '../nas/darts.js';
import { nasProblem, type NasData } from '../nas/problem.js';
import { hypernetwork, ift, solveInner, type HypergradientMethod } from '../bilevel/methods.js';
import type { BilevelProblem } from '../bilevel/problem.js';

/**
 * The toy's data: two inputs, candidate k reads feature k (A_0 = e_0, A_1 = e_1), ρ = 0.1. Training and
 * validation sets weigh the two features differently, so the direct term alone (DARTS first order) points
 * elsewhere than the full hypergradient. Chosen by us; any data with an interior α* would do.
 */
export const NAS_TOY_DATA: NasData = {
  Xtrain: [
    [1, 0.5],
    [0.2, 1],
    [-1, 0.3],
    [0.5, -0.8],
  ],
  ytrain: [1.2, 0.9, -0.6, 0.1],
  Xval: [
    [0.8, 1],
    [-0.5, 0.4],
    [1, -1],
  ],
  yval: [1.8, -0.1, -0.2],
  candidates: [[[1], [0]], [[0], [1]]],
  rho: 0.1,
};

/** L_V(α, w*(α)) at the logit gap δ (α = (δ/2, −δ/2)). */
function bilevelValue(problem: BilevelProblem, delta: number): number {
  const alpha = [delta / 2, -delta / 2];
  return problem.valLoss(alpha, solveInner(problem, alpha));
}

/** The exact bilevel solution over δ. */
export interface NasExactSolution {
  delta: number;
  alpha: number[];
  valLoss: number;
  /** The IFT hypergradient at α*, ≈ 0. */
  hypergradient: number[];
}

/**
 * δ* = argmin_δ L_V((δ/2, −δ/2), w*) on [lo, hi]: a grid of `gridPoints`, golden-section search on the best
 * bracket (to ~√ε), then bisection on the sign of the IFT hypergradient's δ-component (to ~ε). Independent of
 * the DARTS formulas under test.
 */
export function exactNasSolution(problem: BilevelProblem, lo = -8, hi = 8, gridPoints = 321): NasExactSolution {
  if (problem.hyperDim !== 2) throw new InvalidArgumentError('problem', 'a NAS problem with K = 2', `h = ${problem.hyperDim}`);
  const { a, b } = goldenBracket((d) => bilevelValue(problem, d), lo, hi, gridPoints, 1e-10, 100);
  // dL/dδ = (g_0 − g_1)/2 with g the α-hypergradient.
  const exact = ift();
  const slope = (d: number): number => {
    const g = exact.hypergradient(problem, [d / 2, -d / 2]).hypergradient;
    return (g[0] - g[1]) / 2;
  };
  let left = a - 1e-6;
  let right = b + 1e-6;
  if (slope(left) < 0 && slope(right) > 0) {
    for (let i = 0; i < 200 && right - left > 4 * Number.EPSILON * Math.max(1, Math.abs(left)); i++) {
      const mid = (left + right) / 2;
      if (slope(mid) < 0) left = mid;
      else right = mid;
    }
  }
  const delta = (left + right) / 2;
  const alpha = [delta / 2, -delta / 2];
  return { delta, alpha, valLoss: bilevelValue(problem, delta), hypergradient: exact.hypergradient(problem, alpha).hypergradient };
}

/** One method's hyper-descent on the toy. */
export interface NasRun {
  method: string;
  finalAlpha: number[];
  /** δ = α_0 − α_1 at the end. */
  finalDelta: number;
  /** L_V(α, w*(α)) at the end: the true bilevel objective, whatever the method optimized. */
  finalValLoss: number;
  distanceToExact: number;
  iterations: number;
  converged: boolean;
  /** [iteration, δ] pairs. */
  trajectory: [number, number][];
}

/** Options for {@link nasExperiment}. */
export interface NasExperimentOptions {
  /** ξ of DARTS second order (default 1). */
  xi?: number;
  /** σ of Δ-STN (default 0.05). */
  scale?: number;
  /** η, the step on α (default 2). */
  stepSize?: number;
  /** Stop when ‖Δα‖ ≤ tol (default 1e-12) or after maxIterations (default 5000). */
  tol?: number;
  maxIterations?: number;
}

/** Result of {@link nasExperiment} (JSON-ready). */
export interface NasExperimentResult {
  exact: NasExactSolution;
  xi: number;
  scale: number;
  stepSize: number;
  runs: NasRun[];
  /** L_V(α, w*(α)) along δ, for the plot. */
  curve: [number, number][];
}

/** α_{t+1} = α_t − η g(α_t) from α = 0 until ‖Δα‖ ≤ tol. */
export function nasDescent(problem: BilevelProblem, method: HypergradientMethod, stepSize: number, tol = 1e-12, maxIterations = 5000): Omit<NasRun, 'distanceToExact'> {
  let alpha = new Array<number>(problem.hyperDim).fill(0);
  const gap = (a: number[]): number => a[0] - a[1];
  const trajectory: [number, number][] = [[0, gap(alpha)]];
  let t = 0;
  let converged = false;
  while (t < maxIterations) {
    t++;
    const g = method.hypergradient(problem, alpha).hypergradient;
    const step = g.map((x) => stepSize * x);
    alpha = alpha.map((a, k) => a - step[k]);
    if (!alpha.every(Number.isFinite)) throw new InvalidArgumentError('stepSize', `a step for which hyper-descent stays finite (${method.name} diverged at iteration ${t})`, stepSize);
    trajectory.push([t, gap(alpha)]);
    if (Math.hypot(...step) <= tol) {
      converged = true;
      break;
    }
  }
  return { method: method.name, finalAlpha: alpha, finalDelta: gap(alpha), finalValLoss: problem.valLoss(alpha, solveInner(problem, alpha)), iterations: t, converged, trajectory };
}

/** Runs the NAS toy: DARTS 1st / 2nd order (FD product, R = 0.01), IFT and Δ-STN against the exact α*. */
export function nasExperiment(options: NasExperimentOptions = {}): NasExperimentResult {
  const problem = nasProblem(NAS_TOY_DATA);
  const xi = options.xi ?? 1;
  const scale = options.scale ?? 0.05;
  const stepSize = options.stepSize ?? 2;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError('sigma', 'a finite σ > 0', scale);
  if (!(stepSize > 0) || !Number.isFinite(stepSize)) throw new InvalidArgumentError('stepSize', 'a finite η > 0', stepSize);
  const exact = exactNasSolution(problem);
  const methods: HypergradientMethod[] = [
    darts({ order: 1 }),
    darts({ order: 2, xi, product: { product: 'finite-difference', scale: 0.01 } }),
    ift(),
    hypernetwork('delta-stn', { scale: [scale, scale], expectation: { kind: 'quadrature', nodes: 8 } }),
  ];
  const runs = methods.map((m) => {
    const r = nasDescent(problem, m, stepSize, options.tol, options.maxIterations);
    return { ...r, distanceToExact: Math.abs(r.finalDelta - exact.delta) };
  });
  const curve = Array.from({ length: 121 }, (_, i): [number, number] => {
    const d = -2 + i * 0.025;
    return [d, bilevelValue(problem, d)];
  });
  return { exact, xi, scale, stepSize, runs, curve };
}

/** Two SVG charts: δ over hyper-descent steps per method (rule at δ*), and L_V(α, w*(α)) over δ with each method's end point. */
export function plotNasExperiment(result: NasExperimentResult): string[] {
  const trajectories = lineChart({
    title: `NAS toy: logit gap δ = α₀ − α₁ under hyper-descent (ξ = ${result.xi}, σ = ${result.scale})`,
    x: { label: 'hyper step' },
    y: { label: 'δ' },
    // IFT is dashed: Δ-STN at small σ lies on top of it.
    series: result.runs.map((r) => ({ name: r.method, points: r.trajectory.filter(([t]) => t <= 200), dashed: r.method.startsWith('ift') })),
    rules: [{ y: result.exact.delta, label: `exact δ* = ${result.exact.delta.toFixed(6)}` }],
  });
  const landscape = lineChart({
    title: 'NAS toy: L_V(α, w*(α)), δ* and the DARTS end points',
    x: { label: 'δ = α₀ − α₁' },
    y: { label: 'L_V(α, w*(α))' },
    series: [{ name: 'L_V(α, w*(α))', points: result.curve }],
    // Only the DARTS end points: IFT and Δ-STN stop within 1e-2 of δ*, where their labels would collide.
    rules: [{ x: result.exact.delta, label: 'δ*' }, ...result.runs.filter((r) => r.method.startsWith('darts')).map((r) => ({ x: r.finalDelta, label: r.method.startsWith('darts1') ? '1st' : '2nd' }))],
  });
  return [trajectories, landscape];
}
