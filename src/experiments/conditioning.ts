/**
 * Experiment "conditioning in practice" (OBS-1): plain gradient descent on the STN joint objective in the
 * uncentered (STN) and centered (Δ-STN) parameterizations, as the ratio r = |λ₀|/σ grows.
 *
 * @remarks
 * With ψ = vec[w₀, Θ] (column-major) and λ̃ = λ₀ + ε (uncentered) or λ̃ = ε (centered), the joint objective is
 * $\Phi(\psi) = \mathbb E_\epsilon\,\mathcal L_T(\lambda_0+\epsilon,\ w_0 + \Theta\tilde\lambda)$, ε ∼ N(0, σ²I). When
 * L_T is quadratic in w with a Hessian G that does not depend on λ (docs/math.md#s2-4 S1), Φ is exactly quadratic with
 * Hessian $\mathbf M\otimes\mathbf G$ (docs/math.md#s4-1, Eq. 4.4-type), so gradient descent with step 1/L, L = λ_max,
 * contracts the error by at most 1 − 1/κ per step: $\|\psi_k - \psi^*\| \le (1 - 1/\kappa)^k\|\psi_0 - \psi^*\|$ (docs/math.md#s6
 * PT-4). From ψ₀ = 0 it therefore reaches ‖ψ − ψ*‖ ≤ tol·‖ψ*‖ within ⌈log tol / log(1 − 1/κ)⌉ steps. Since
 * κ(M_u) ≥ κ(M_c) (Proposition C) the uncentered bound is the larger one; the iteration counts themselves need
 * not be ordered (PT-4 gives a start from which the uncentered run is faster), so they are reported, not ranked.
 *
 * Everything is computed, nothing assumed: the Hessian is assembled by Gauss–Hermite quadrature from the
 * problem's own `trainHessian` (exact for a quadratic L_T with ≥ 2 nodes), κ and L by Jacobi eigenvalues, ψ*
 * by {@link fitHypernetwork}. The experiment refuses a problem whose joint objective is not quadratic in ψ,
 * because the bound would not apply. The default problem and the grids are ours.
 *
 * @see docs/math.md#s4-1, #pt-2, PT-4, PT-5; proofs/OBS-1.md
 */
import { InvalidArgumentError, NonFiniteError } from '../errors.js';
import { symmetricEigenvalues } from '../linalg/dense.js';
import { SERIES_COLORS, lineChart } from '../report/plot.js';
import { QUADRATURE_TOL, relativeErrorVec } from '../tolerance.js';
import { perturbations, type PerturbationSet } from '../bilevel/expectation.js';
import { quadraticProblem } from '../bilevel/families.js';
import { fitHypernetwork } from '../bilevel/methods.js';
import type { BilevelProblem } from '../bilevel/problem.js';
import { PT6_RIDGE_DATA } from './jacobian.js';

/** Default ratios r = |λ₀|/σ. */
export const CONDITIONING_RATIOS: readonly number[] = [0, 0.5, 1, 2, 4, 8, 16];

/**
 * The default problem: ridge on the spec's PT-6 data with the weight decay fixed at 1 and λ a shift of the
 * labels, $\mathcal L_T = \frac1{2n}\|Xw - (y + \lambda\mathbf 1)\|^2 + \tfrac12\|w\|^2$, written (up to a constant in λ) as the
 * S1 quadratic ½wᵀAw − wᵀ(b + Bλ) with A = XᵀX/n + I, b = Xᵀy/n, B = Xᵀ1/n (m = 2, h = 1). Its Hessian
 * A does not depend on λ, which makes the joint Hessian exactly M ⊗ A. The choice of hyperparameter is ours:
 * with λ = log weight decay the Hessian would vary with ε and M ⊗ G would only be an approximation.
 */
export function conditioningProblem(): BilevelProblem {
  const X = PT6_RIDGE_DATA.Xtrain;
  const y = PT6_RIDGE_DATA.ytrain;
  const n = X.length;
  const m = X[0].length;
  const A = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (__, j) => X.reduce((s, row) => s + row[i] * row[j], 0) / n + (i === j ? 1 : 0)));
  const b = Array.from({ length: m }, (_, i) => X.reduce((s, row, k) => s + row[i] * y[k], 0) / n);
  const B = Array.from({ length: m }, (_, i) => [X.reduce((s, row) => s + row[i], 0) / n]);
  return { ...quadraticProblem({ A, B, b }), name: 'ridge (PT-6 data, weight decay 1, λ = label shift)' };
}

/** Options for {@link conditioningExperiment}. */
export interface ConditioningExperimentOptions {
  /** r = λ₀/σ values (finite, ≥ 0); λ₀ = rσ in every coordinate. Default {@link CONDITIONING_RATIOS}. */
  ratios?: readonly number[];
  /** σ, the same for every hyperparameter (finite, > 0). Default 1. */
  scale?: number;
  /** Stop when ‖ψ − ψ*‖ ≤ tol·‖ψ*‖, 0 < tol < 1. Default 1e-6. */
  tol?: number;
  /** Iteration cap (integer ≥ 1); a run that reaches it is reported with `converged: false`. Default 200 000. */
  maxIterations?: number;
  /** The problem (its L_T must be quadratic in w). Default {@link conditioningProblem}(). */
  problem?: BilevelProblem;
  /** Gauss–Hermite nodes per hyperparameter (integer ≥ 2; exact for the quadratic integrands). Default 20. */
  nodes?: number;
}

/** One gradient-descent run in one parameterization. */
export interface GradientDescentRun {
  /** κ of the exact Hessian of Φ in ψ. */
  conditionNumber: number;
  /** λ_min and λ_max of that Hessian (the step is 1/λ_max). */
  smallestEigenvalue: number;
  largestEigenvalue: number;
  /** Steps taken: the first k with ‖ψ_k − ψ*‖ ≤ tol·‖ψ*‖, or maxIterations if never. */
  iterations: number;
  /** False when the run hit the cap before reaching the tolerance. */
  converged: boolean;
  /** ⌈log tol / log(1 − 1/κ)⌉ (1 when κ = 1): the number of steps the contraction bound guarantees. */
  predictedBound: number;
  /** ‖ψ_k − ψ*‖/‖ψ*‖ at the last step. */
  finalRelativeError: number;
  /** ψ* = vec[w₀, Θ] (column-major), the minimiser. */
  optimum: number[];
}

/** One ratio r. */
export interface ConditioningRow {
  ratio: number;
  lambda0: number[];
  uncentered: GradientDescentRun;
  centered: GradientDescentRun;
}

/** Result of {@link conditioningExperiment}: plain numbers and strings only (JSON-ready). */
export interface ConditioningExperimentResult {
  experiment: 'conditioning';
  problem: string;
  scale: number;
  tol: number;
  maxIterations: number;
  nodes: number;
  rows: ConditioningRow[];
}

/**
 * ⌈log tol / log(1 − 1/κ)⌉: the steps after which (1 − 1/κ)^k ≤ tol (docs/math.md#pt-4). κ = 1 gives 1 (one step
 * of size 1/L solves a multiple of the identity exactly).
 * @throws InvalidArgumentError unless κ ≥ 1 and 0 < tol < 1.
 */
export function predictedIterationBound(kappa: number, tol: number): number {
  if (!(kappa >= 1) || !Number.isFinite(kappa)) throw new InvalidArgumentError('kappa', 'a finite condition number ≥ 1', kappa);
  if (!(tol > 0 && tol < 1)) throw new InvalidArgumentError('tol', '0 < tol < 1', tol);
  if (kappa === 1) return 1;
  return Math.ceil(Math.log(tol) / Math.log1p(-1 / kappa));
}

type Parameterization = 'uncentered' | 'centered';

/** Gradient and Hessian of Φ at ψ by quadrature: ∇Φ = Σ_p w_p (a_p ⊗ ∇_w L_T), ∇²Φ = Σ_p w_p (a_p a_pᵀ ⊗ ∇²_w L_T), a = (1, λ̃). */
function jointDerivatives(problem: BilevelProblem, lambda0: readonly number[], set: PerturbationSet, kind: Parameterization, psi: readonly number[]): { gradient: number[]; hessian: number[][] } {
  const m = problem.weightDim;
  const h = problem.hyperDim;
  const d = m * (1 + h);
  const gradient = new Array<number>(d).fill(0);
  const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  set.points.forEach((eps, p) => {
    const lam = lambda0.map((l, k) => l + eps[k]);
    const a = [1, ...(kind === 'uncentered' ? lam : eps)];
    const w = Array.from({ length: m }, (_, i) => a.reduce((s, ac, c) => s + ac * psi[i + c * m], 0));
    const g = problem.trainGrad(lam, w);
    const H = problem.trainHessian(lam, w);
    const wp = set.weights[p];
    for (let c = 0; c <= h; c++) {
      for (let i = 0; i < m; i++) gradient[i + c * m] += wp * a[c] * g[i];
      for (let e = 0; e <= h; e++) {
        const f = wp * a[c] * a[e];
        for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) hessian[i + c * m][j + e * m] += f * H[i][j];
      }
    }
  });
  return { gradient, hessian };
}

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

/** Gradient descent ψ ← ψ − (Hψ − c)/L from ψ = 0 on the quadratic with Hessian H and linear term c. */
function descend(H: number[][], c: number[], optimum: number[], L: number, tol: number, maxIterations: number): { iterations: number; converged: boolean; finalRelativeError: number } {
  const d = c.length;
  const scale = norm(optimum);
  if (scale === 0) return { iterations: 0, converged: true, finalRelativeError: 0 };
  let psi = new Array<number>(d).fill(0);
  const relErr = (x: readonly number[]): number => norm(x.map((v, i) => v - optimum[i])) / scale;
  let err = relErr(psi);
  let k = 0;
  while (err > tol && k < maxIterations) {
    const next = new Array<number>(d);
    for (let i = 0; i < d; i++) {
      let hv = 0;
      for (let j = 0; j < d; j++) hv += H[i][j] * psi[j];
      next[i] = psi[i] - (hv - c[i]) / L;
    }
    psi = next;
    k++;
    err = relErr(psi);
  }
  return { iterations: k, converged: err <= tol, finalRelativeError: err };
}

function run(problem: BilevelProblem, lambda0: number[], set: PerturbationSet, kind: Parameterization, tol: number, maxIterations: number): GradientDescentRun {
  const m = problem.weightDim;
  const h = problem.hyperDim;
  const d = m * (1 + h);
  const zero = new Array<number>(d).fill(0);
  const at0 = jointDerivatives(problem, lambda0, set, kind, zero);
  const H = at0.hessian;
  const c = at0.gradient.map((v) => -v);
  // Φ must be quadratic in ψ for the bound to hold: its gradient must be affine with the Hessian found at 0.
  const probe = Array.from({ length: d }, (_, i) => 1 + 0.25 * i);
  const atProbe = jointDerivatives(problem, lambda0, set, kind, probe);
  const affine = H.map((row, i) => row.reduce((s, x, j) => s + x * probe[j], 0) - c[i]);
  if (relativeErrorVec(atProbe.gradient, affine, 1) > QUADRATURE_TOL || relativeErrorVec(atProbe.hessian.flat(), H.flat(), 1) > QUADRATURE_TOL) {
    throw new InvalidArgumentError('problem', 'a training loss quadratic in w (the joint objective must be quadratic in ψ for the 1 − 1/κ bound)', problem.name);
  }
  const ev = symmetricEigenvalues(H);
  const lo = ev[0];
  const hi = ev[ev.length - 1];
  if (!(lo > 0)) throw new InvalidArgumentError('problem', 'a joint Hessian that is positive definite', `λ_min = ${lo}`);
  const kappa = hi / lo;
  const fit = fitHypernetwork(problem, lambda0, kind === 'uncentered' ? 'stn' : 'centered-stn', set);
  const optimum = [...fit.general, ...Array.from({ length: h }, (_, k) => fit.response.map((row) => row[k])).flat()];
  const gd = descend(H, c, optimum, hi, tol, maxIterations);
  return { conditionNumber: kappa, smallestEigenvalue: lo, largestEigenvalue: hi, ...gd, predictedBound: predictedIterationBound(Math.max(1, kappa), tol), optimum };
}

/**
 * Runs the experiment: for each r in `options.ratios`, λ₀ = rσ, it assembles the Hessian of Φ in both
 * parameterizations, runs gradient descent with step 1/λ_max from ψ = 0 to relative error `tol` (capped at
 * `maxIterations`), and records κ, the iteration counts and the bound ⌈log tol / log(1 − 1/κ)⌉.
 *
 * @remarks Deterministic. The default run (7 ratios, σ = 1, m = 2) takes well under a second; the
 * uncentered runs at r ≥ 16 hit the cap, since κ_u grows like r⁴ (κ(M_u) ≈ (1 + r²σ² + σ²)²/σ²).
 * @throws InvalidArgumentError naming `ratios`, `ratios[i]` (negative), `scale`, `tol`, `maxIterations`,
 *   `nodes`, or `problem` (not quadratic in w, or a singular joint Hessian); NonFiniteError naming
 *   `ratios[i]` or `scale` for NaN/±∞.
 * @see docs/math.md#s4-1, #pt-4
 */
export function conditioningExperiment(options: ConditioningExperimentOptions = {}): ConditioningExperimentResult {
  const ratios = options.ratios === undefined ? [...CONDITIONING_RATIOS] : [...options.ratios];
  if (ratios.length === 0) throw new InvalidArgumentError('ratios', 'at least one ratio', 'an empty list');
  ratios.forEach((r, i) => {
    if (typeof r !== 'number' || !Number.isFinite(r)) throw new NonFiniteError(`ratios[${i}]`, r);
    if (!(r >= 0)) throw new InvalidArgumentError(`ratios[${i}]`, 'r = |λ₀|/σ ≥ 0', r);
  });
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale)) throw new NonFiniteError('scale', scale);
  if (!(scale > 0)) throw new InvalidArgumentError('scale', 'σ > 0', scale);
  const tol = options.tol ?? 1e-6;
  if (!(tol > 0 && tol < 1)) throw new InvalidArgumentError('tol', '0 < tol < 1', tol);
  const maxIterations = options.maxIterations ?? 200_000;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new InvalidArgumentError('maxIterations', 'an integer ≥ 1', maxIterations);
  const nodes = options.nodes ?? 20;
  if (!Number.isInteger(nodes) || nodes < 2) throw new InvalidArgumentError('nodes', 'an integer ≥ 2', nodes);
  const problem = options.problem ?? conditioningProblem();
  const h = problem.hyperDim;
  const set = perturbations(new Array<number>(h).fill(scale), { kind: 'quadrature', nodes });
  const rows = ratios.map((ratio): ConditioningRow => {
    const lambda0 = new Array<number>(h).fill(ratio * scale);
    return { ratio, lambda0, uncentered: run(problem, lambda0, set, 'uncentered', tol, maxIterations), centered: run(problem, lambda0, set, 'centered', tol, maxIterations) };
  });
  return { experiment: 'conditioning', problem: problem.name, scale, tol, maxIterations, nodes, rows };
}

/**
 * Iterations against r (linear x, log y): the measured counts of both parameterizations (solid) and their
 * bounds ⌈log tol / log(1 − 1/κ)⌉ (dashed), with the iteration cap as a rule (a capped run sits on it).
 */
export function plotConditioningExperiment(result: ConditioningExperimentResult): string {
  // A log axis cannot show 0 iterations (ψ* = 0); such a point is drawn at 1.
  const atLeastOne = (v: number): number => Math.max(1, v);
  return lineChart({
    title: `GD iterations to tol ${result.tol.toExponential()} vs r = |λ₀|/σ (σ = ${result.scale})`,
    x: { label: 'r = |λ₀|/σ' },
    y: { label: 'iterations', type: 'log' },
    series: [
      { name: 'uncentered (STN)', color: SERIES_COLORS[0], points: result.rows.map((r): [number, number] => [r.ratio, atLeastOne(r.uncentered.iterations)]) },
      { name: 'centered (Δ-STN)', color: SERIES_COLORS[1], points: result.rows.map((r): [number, number] => [r.ratio, atLeastOne(r.centered.iterations)]) },
      { name: 'bound, uncentered', color: SERIES_COLORS[0], dashed: true, points: result.rows.map((r): [number, number] => [r.ratio, r.uncentered.predictedBound]) },
      { name: 'bound, centered', color: SERIES_COLORS[1], dashed: true, points: result.rows.map((r): [number, number] => [r.ratio, r.centered.predictedBound]) },
    ],
    rules: [{ y: result.maxIterations, label: `cap ${result.maxIterations}` }],
  });
}
