/**
 * Hypergradient methods behind one interface (the "pluggable differentiation strategy" of
 * lineax/optimistix): each takes a problem and a hyperparameter λ and returns dL_V/dλ and, where it has one,
 * its estimate of the best-response Jacobian J* = ∂w* /∂λ.
 *
 * | method                  | what it differentiates                                   | J* estimate          |
 * |-------------------------|----------------------------------------------------------|----------------------|
 * | `ift` dense / cg / neumann | the optimality condition ∇_w L_T(λ, w*) = 0 (IFT)      | −H⁻¹ ∂²L_T/∂w∂λ      |
 * | `unrolled`              | K steps of gradient descent on w, in reverse              | ∂w_K/∂λ (forward)    |
 * | `stn`                   | joint fit of w0 + Θλ̃ to E_ε L_T, λ̃ = λ + ε (uncentered)  | Θ                    |
 * | `centered-stn`          | joint fit of w0 + Θε to E_ε L_T                          | Θ                    |
 * | `delta-stn`             | w0 = argmin L_T(λ, ·); Θ = argmin E_ε L_T(λ+ε, w0 + Θε)   | Θ                    |
 * | `delta-stn-linearized`  | as Δ-STN, with f(λ+ε, w0 + Θε) ≈ f(λ+ε, w0) + J_w f·Θε     | Θ                    |
 *
 * The hypernetwork methods here fit their parameters to convergence at the given λ (Newton, with the
 * expectation over ε taken by the rule in `expectation`), so the hypergradient they return is the one at
 * their fixed point; the driver (./driver.ts) runs the incremental alternating algorithm instead.
 *
 * @see docs/math.md#s1-2 (hypergradient, IFT), #s2-2 (STN), #s3-1–#s3-4 (Δ-STN), #s4-3 (linearization)
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeMismatchError } from '../errors.js';
import { conjugateGradient, symmetricEigenvalues } from '../linalg/dense.js';
import { newtonMinimize, symmetricPart } from './newton.js';
import { DEFAULT_EXPECTATION, perturbations, type ExpectationRule, type PerturbationSet } from './expectation.js';
import { jointObjective, responseObjective, unvecResponse, vecResponse } from './objectives.js';
import type { BilevelProblem } from './problem.js';

/** What a method returns at λ. */
export interface HypergradientResult {
  method: string;
  /** Estimate of dL_V(λ, w*(λ))/dλ (length h). */
  hypergradient: number[];
  /** Estimate of J* (m×h), where the method has one. */
  responseJacobian?: number[][];
  /** The weights at which L_V was evaluated: w*(λ), w_K, or ŵ(λ) of the hypernetwork. */
  weights: number[];
  /** L_V at those weights. */
  valLoss: number;
  /** Hypernetwork methods: the general parameters w0 and the response Θ (m×h). */
  general?: number[];
  response?: number[][];
}

/** A differentiation strategy. */
export interface HypergradientMethod {
  readonly name: string;
  hypergradient(problem: BilevelProblem, lambda: readonly number[]): HypergradientResult;
}

function checkLambda(problem: BilevelProblem, lambda: readonly number[]): void {
  if (!Array.isArray(lambda) || lambda.length !== problem.hyperDim) throw new ShapeMismatchError('lambda', `length ${problem.hyperDim}`, Array.isArray(lambda) ? `length ${lambda.length}` : typeof lambda);
  lambda.forEach((v, k) => {
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`lambda[${k}]`, 'a finite number', v);
  });
}

/** Options for {@link solveInner}. */
export interface InnerOptions {
  /** Starting weights (default problem.initialWeights()). */
  start?: readonly number[];
  gradTol?: number;
  maxIterations?: number;
}

/**
 * w*(λ) = argmin_w L_T(λ, w) by damped Newton. Throws {@link NotPositiveDefiniteError} naming `trainHessian`
 * when Newton does not converge (a non-convex or unbounded inner problem).
 */
export function solveInner(problem: BilevelProblem, lambda: readonly number[], options: InnerOptions = {}): number[] {
  checkLambda(problem, lambda);
  const res = newtonMinimize(
    {
      value: (w) => problem.trainLoss(lambda, w),
      gradient: (w) => problem.trainGrad(lambda, w),
      hessian: (w) => problem.trainHessian(lambda, w),
    },
    options.start ?? problem.initialWeights(),
    { gradTol: options.gradTol ?? 1e-13, maxIterations: options.maxIterations ?? 200 },
  );
  if (!res.converged && res.gradientNorm > 1e-8) throw new NotPositiveDefiniteError('trainHessian', `inner Newton did not converge (‖∇L_T‖ = ${res.gradientNorm} after ${res.iterations} steps)`);
  // Newton's test ‖∇L_T‖ ≤ tol·max(1, |L_T|) is relative to |L_T|, so on an inner problem that is unbounded below
  // it "converges" once |L_T| has grown enough (a concave L_T doubles w each gradient step). Only a point with
  // ∇²L_T ≻ 0 is a strict local minimiser w*(λ); anything else is reported, not returned.
  if (!new CholeskyDecomposition(symmetricPart(problem.trainHessian(lambda, res.x), 'trainHessian')).isPositiveDefinite()) {
    throw new NotPositiveDefiniteError('trainHessian', `at the point where inner Newton stopped (‖∇L_T‖ = ${res.gradientNorm}, L_T = ${res.value}): no strict local minimiser w*(λ)`);
  }
  return res.x;
}

function matT(a: number[][]): number[][] {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

function assemble(problem: BilevelProblem, lambda: readonly number[], weights: number[], name: string, jac: number[][] | undefined, extra: Partial<HypergradientResult> = {}, direction?: number[]): HypergradientResult {
  const gv = problem.valGrad(lambda, weights);
  const direct = problem.valGradHyper(lambda, weights);
  const hg = direction ?? matT(jac as number[][]).map((row) => row.reduce((s, x, i) => s + x * gv[i], 0));
  return {
    method: name,
    hypergradient: hg.map((v, k) => v + direct[k]),
    responseJacobian: jac,
    weights,
    valLoss: problem.valLoss(lambda, weights),
    ...extra,
  };
}

/** Linear solver for the IFT system H v = rhs (H = ∇²_ww L_T at w*). */
export type IftSolver =
  | { solver: 'dense' }
  | { solver: 'cg'; relTol?: number; maxIterations?: number }
  /**
   * Truncated Neumann series H⁻¹ ≈ α Σ_{k<K} (I − αH)^k. Converges iff 0 < α < 2/λmax(H) (H ≻ 0), at rate
   * max|1 − αλ_i|; `stepSize` defaults to 1/λmax. An α outside the range is a typed error.
   */
  | { solver: 'neumann'; terms: number; stepSize?: number };

/**
 * Implicit differentiation: J* = −H⁻¹ ∂²L_T/∂w∂λ at w*(λ), hypergradient ∂_λL_V + J*ᵀ∇_wL_V (docs/math.md#s1-2).
 * The dense solver returns J*; CG and Neumann see H only through its product with a vector (they form J*
 * column by column, h solves).
 */
export function ift(options: IftSolver = { solver: 'dense' }): HypergradientMethod {
  const name = `ift-${options.solver}`;
  if (options.solver === 'neumann' && (!Number.isInteger(options.terms) || options.terms < 1)) throw new InvalidArgumentError('terms', 'an integer ≥ 1', options.terms);
  return {
    name,
    hypergradient(problem, lambda) {
      const w = solveInner(problem, lambda);
      const H = problem.trainHessian(lambda, w);
      const M = problem.trainMixed(lambda, w);
      const h = problem.hyperDim;
      const solve = linearSolver(H, options);
      const cols = Array.from({ length: h }, (_, k) => solve(M.map((row) => -row[k])));
      const J = H.map((_, i) => cols.map((c) => c[i]));
      return assemble(problem, lambda, w, name, J);
    },
  };
}

function linearSolver(H: number[][], options: IftSolver): (rhs: number[]) => number[] {
  const matvec = (v: readonly number[]): number[] => H.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
  switch (options.solver) {
    case 'dense': {
      // H is symmetric only up to rounding (see symmetricPart); ml-matrix's Cholesky demands exact symmetry.
      const chol = new CholeskyDecomposition(symmetricPart(H, 'trainHessian'));
      if (!chol.isPositiveDefinite()) throw new NotPositiveDefiniteError('trainHessian', 'at w*(λ)');
      return (rhs) => chol.solve(Matrix.columnVector(rhs)).getColumn(0);
    }
    case 'cg':
      return (rhs) => conjugateGradient(matvec, rhs, { relTol: options.relTol ?? 1e-12, maxIterations: options.maxIterations }).x;
    case 'neumann': {
      const ev = symmetricEigenvalues(H);
      const lmax = ev[ev.length - 1];
      if (!(ev[0] > 0)) throw new NotPositiveDefiniteError('trainHessian', `λmin = ${ev[0]}`);
      const alpha = options.stepSize ?? 1 / lmax;
      if (!(alpha > 0 && alpha < 2 / lmax)) throw new InvalidArgumentError('stepSize', `0 < α < 2/λmax(H) = ${2 / lmax}`, alpha);
      return (rhs) => {
        // x = α Σ_{k<K} (I − αH)^k rhs, accumulated term by term.
        let term = [...rhs];
        const x = rhs.map((v) => alpha * v);
        for (let k = 1; k < options.terms; k++) {
          const ht = matvec(term);
          term = term.map((t, i) => t - alpha * ht[i]);
          for (let i = 0; i < x.length; i++) x[i] += alpha * term[i];
        }
        return x;
      };
    }
  }
}

/** Options for {@link unrolled}. */
export interface UnrolledOptions {
  /** K, the number of gradient steps (≥ 1). */
  steps: number;
  /** α, the inner step size (> 0). */
  stepSize: number;
  /** Starting weights (default problem.initialWeights()); they do not depend on λ. */
  start?: readonly number[];
}

/**
 * Unrolled differentiation: w_{k+1} = w_k − α∇_wL_T(λ, w_k) for K steps from a λ-independent start, then the
 * exact derivative of L_V(λ, w_K) through the K steps by reverse accumulation:
 * ḡ_w ← (I − αH_k)ḡ_w, ḡ_λ ← ḡ_λ − α M_kᵀ ḡ_w for k = K−1 … 0 (H_k, M_k at w_k). Also returns
 * ∂w_K/∂λ by the forward recursion J_{k+1} = (I − αH_k)J_k − αM_k. As K → ∞ (α < 2/λmax) it tends to IFT.
 */
export function unrolled(options: UnrolledOptions): HypergradientMethod {
  if (!Number.isInteger(options.steps) || options.steps < 1) throw new InvalidArgumentError('steps', 'an integer ≥ 1', options.steps);
  if (!(options.stepSize > 0) || !Number.isFinite(options.stepSize)) throw new InvalidArgumentError('stepSize', 'a finite α > 0', options.stepSize);
  const name = `unrolled-${options.steps}`;
  return {
    name,
    hypergradient(problem, lambda) {
      checkLambda(problem, lambda);
      const alpha = options.stepSize;
      const m = problem.weightDim;
      const h = problem.hyperDim;
      const traj: number[][] = [[...(options.start ?? problem.initialWeights())]];
      let J = Array.from({ length: m }, () => new Array<number>(h).fill(0));
      for (let k = 0; k < options.steps; k++) {
        const w = traj[k];
        const g = problem.trainGrad(lambda, w);
        const H = problem.trainHessian(lambda, w);
        const M = problem.trainMixed(lambda, w);
        J = J.map((_, i) => Array.from({ length: h }, (__, c) => J[i][c] - alpha * (H[i].reduce((s, x, j) => s + x * J[j][c], 0) + M[i][c])));
        traj.push(w.map((wi, i) => wi - alpha * g[i]));
      }
      const wK = traj[options.steps];
      if (!wK.every(Number.isFinite)) throw new InvalidArgumentError('stepSize', `a step small enough for gradient descent to stay finite (diverged with α = ${alpha})`, alpha);
      // Reverse pass.
      let gw = problem.valGrad(lambda, wK);
      const gl = new Array<number>(h).fill(0);
      for (let k = options.steps - 1; k >= 0; k--) {
        const H = problem.trainHessian(lambda, traj[k]);
        const M = problem.trainMixed(lambda, traj[k]);
        for (let c = 0; c < h; c++) gl[c] -= alpha * M.reduce((s, row, i) => s + row[c] * gw[i], 0);
        gw = gw.map((v, i) => v - alpha * H.reduce((s, row, j) => s + row[i] * gw[j], 0));
      }
      return assemble(problem, lambda, wK, name, J, {}, gl);
    },
  };
}

/** The four hypernetwork variants. */
export type HypernetworkVariant = 'stn' | 'centered-stn' | 'delta-stn' | 'delta-stn-linearized';

/** Options for {@link hypernetwork}. */
export interface HypernetworkOptions {
  /** σ, the perturbation scale per hyperparameter (> 0). */
  scale: readonly number[];
  /** E_ε by quadrature (default, 20 nodes per dimension) or seeded sampling. */
  expectation?: ExpectationRule;
}

/**
 * STN-family methods at their fixed point (see the module table). With ψ = (w0, vec Θ), λ̃ the hypernetwork
 * input (λ + ε uncentered, ε centered) and ŵ = w0 + Θλ̃:
 * - `stn`, `centered-stn`: min_ψ E_ε L_T(λ + ε, ŵ) jointly (gradient E[(1, λ̃) ⊗ ∇_wL_T], Hessian
 *   E[(1, λ̃)(1, λ̃)ᵀ ⊗ ∇²_wL_T]); both fit the same affine function, in different coordinates (OBS-1).
 * - `delta-stn`: w0 = w*(λ) exactly (the general step); min_Θ E_ε L_T(λ + ε, w0 + Θε).
 * - `delta-stn-linearized`: w0 = w*(λ); min_Θ E_ε[ℓ(f(λ+ε, w0) + J_w f(λ+ε, w0)Θε) + R(λ+ε, w0 + Θε)]
 *   (needs `problem.outputStructure`).
 * The hypergradient is ∂_λL_V + Θᵀ∇_wL_V at ŵ(λ) (w0 + Θλ uncentered, w0 centered): docs/math.md#s3-4.
 */
export function hypernetwork(variant: HypernetworkVariant, options: HypernetworkOptions): HypergradientMethod {
  const rule = options.expectation ?? DEFAULT_EXPECTATION;
  const scale = [...options.scale];
  const set = perturbations(scale, rule);
  return {
    name: variant,
    hypergradient(problem, lambda) {
      checkLambda(problem, lambda);
      if (scale.length !== problem.hyperDim) throw new ShapeMismatchError('scale', `length ${problem.hyperDim}`, `length ${scale.length}`);
      const fit = fitHypernetwork(problem, lambda, variant, set);
      const { general, response } = fit;
      const w = variant === 'stn' ? general.map((g, i) => g + response[i].reduce((s, x, k) => s + x * lambda[k], 0)) : general;
      return assemble(problem, lambda, w, variant, response, { general, response });
    },
  };
}

/** Result of {@link fitHypernetwork}. */
export interface HypernetworkFit {
  general: number[];
  response: number[][];
}

/**
 * Fits (w0, Θ) of a hypernetwork variant at λ with the expectation over the given perturbation set, by
 * Newton on the exact gradient and Hessian of the (sample- or quadrature-) averaged objective
 * (./objectives.ts: the same objectives the alternating driver steps on).
 */
export function fitHypernetwork(problem: BilevelProblem, lambda: readonly number[], variant: HypernetworkVariant, set: PerturbationSet, start?: HypernetworkFit): HypernetworkFit {
  const m = problem.weightDim;
  const h = problem.hyperDim;
  if (variant === 'stn' || variant === 'centered-stn') {
    const psi0 = start ? [...start.general, ...vecResponse(start.response)] : [...problem.initialWeights(), ...new Array<number>(m * h).fill(0)];
    const res = newtonMinimize(jointObjective(problem, lambda, variant === 'centered-stn', set), psi0, { maxIterations: 200 });
    return { general: res.x.slice(0, m), response: unvecResponse(res.x.slice(m), m, h) };
  }
  // Δ-STN: the general step is the unperturbed inner problem, solved exactly.
  const general = solveInner(problem, lambda, { start: start?.general });
  const t0 = start ? vecResponse(start.response) : new Array<number>(m * h).fill(0);
  const res = newtonMinimize(responseObjective(problem, lambda, general, variant === 'delta-stn-linearized', set), t0, { maxIterations: 200 });
  return { general, response: unvecResponse(res.x, m, h) };
}
