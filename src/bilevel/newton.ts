/**
 * Damped Newton minimisation on ℝ^d for the small smooth problems of the engine (inner problems, the STN
 * objectives with exact expectations). Solves with Cholesky when the Hessian is positive definite and falls
 * back to a gradient step otherwise; Armijo backtracking on the objective.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { NonFiniteError } from '../errors.js';
import { assertSymmetric } from '../linalg/dense.js';

/**
 * The symmetric part ½(H + Hᵀ) of a Hessian that is symmetric up to rounding. Analytic Hessians assembled in
 * float64 are symmetric only to a few ulps (a·b·c and a·c·b round differently: the logistic Hessian, the
 * hypernetwork Hessians Σ w_p ε_k ε_l ∇²L_T), and ml-matrix's Cholesky throws an untyped
 * `Error('Matrix is not symmetric')` on any asymmetry at all. A genuine asymmetry (a wrong user Hessian) is still
 * reported, as a NotSymmetricError naming `name`, by the 1e-12-relative check first.
 */
export function symmetricPart(H: readonly (readonly number[])[], name: string): Matrix {
  const m = new Matrix(H as number[][]);
  assertSymmetric(m, name);
  return m.add(m.transpose()).mul(0.5);
}

/** f, ∇f and ∇²f at x. */
export interface SecondOrderOracle {
  value(x: readonly number[]): number;
  gradient(x: readonly number[]): number[];
  hessian(x: readonly number[]): number[][];
}

/** Options for {@link newtonMinimize}. */
export interface NewtonOptions {
  /** Stop when ‖∇f‖_∞ ≤ gradTol·max(1, |f|) (default 1e-13). */
  gradTol?: number;
  /** Iteration cap (default 100). */
  maxIterations?: number;
}

/** Result of {@link newtonMinimize}. */
export interface NewtonResult {
  x: number[];
  value: number;
  gradientNorm: number;
  iterations: number;
  converged: boolean;
}

/** Minimises f from x0 by damped Newton (see the module remarks). */
export function newtonMinimize(oracle: SecondOrderOracle, x0: readonly number[], options: NewtonOptions = {}): NewtonResult {
  const gradTol = options.gradTol ?? 1e-13;
  const maxIterations = options.maxIterations ?? 100;
  let x = [...x0];
  let f = oracle.value(x);
  if (!Number.isFinite(f)) throw new NonFiniteError('x0', `objective value ${f}`);
  let g = oracle.gradient(x);
  let stalls = 0;
  for (let it = 0; it < maxIterations; it++) {
    const gn = Math.max(...g.map(Math.abs));
    if (gn <= gradTol * Math.max(1, Math.abs(f))) return { x, value: f, gradientNorm: gn, iterations: it, converged: true };
    const H = symmetricPart(oracle.hessian(x), 'hessian');
    const chol = new CholeskyDecomposition(H);
    let p: number[];
    if (chol.isPositiveDefinite()) p = chol.solve(Matrix.columnVector(g)).getColumn(0).map((v) => -v);
    else p = g.map((v) => -v);
    const slope = p.reduce((s, pi, i) => s + pi * g[i], 0);
    let t = 1;
    let xn = x.map((xi, i) => xi + p[i]);
    let fn = oracle.value(xn);
    while (!(fn <= f + 1e-4 * t * slope + 4 * Number.EPSILON * Math.abs(f)) && t > 1e-12) {
      t /= 2;
      xn = x.map((xi, i) => xi + t * p[i]);
      fn = oracle.value(xn);
    }
    if (t <= 1e-12) {
      // No decrease visible in float64: we are at the rounding floor of f.
      stalls++;
      if (stalls > 1) return { x, value: f, gradientNorm: gn, iterations: it, converged: gn <= 1e-8 * Math.max(1, Math.abs(f)) };
    }
    const stepNorm = Math.max(...p.map((v) => Math.abs(t * v)));
    x = xn;
    f = fn;
    g = oracle.gradient(x);
    if (stepNorm <= 1e-15 * Math.max(1, ...x.map(Math.abs))) {
      const gn2 = Math.max(...g.map(Math.abs));
      return { x, value: f, gradientNorm: gn2, iterations: it + 1, converged: true };
    }
  }
  const gn = Math.max(...g.map(Math.abs));
  return { x, value: f, gradientNorm: gn, iterations: maxIterations, converged: false };
}
