/**
 * The hypernetwork objectives as second-order oracles (value, gradient, Hessian), shared by the fixed-point
 * methods (./methods.ts, Newton to convergence) and the alternating driver (./driver.ts, one gradient step
 * at a time). Expectations over ε are weighted sums over a {@link PerturbationSet}.
 *
 * Coordinates: ψ = (w0, vec Θ) with vec column-major, so ŵ = w0 + Θλ̃ = ((1, λ̃ᵀ) ⊗ I_m)ψ (docs/math.md#s4-1).
 */
import { InvalidArgumentError } from '../errors.js';
import type { SecondOrderOracle } from './newton.js';
import type { PerturbationSet } from './expectation.js';
import type { BilevelProblem } from './problem.js';

/** Θ(i, k) from its column-major vec. */
export function responseEntry(vecTheta: readonly number[], m: number, i: number, k: number): number {
  return vecTheta[i + k * m];
}

/** Θ (m×h) from its column-major vec. */
export function unvecResponse(vecTheta: readonly number[], m: number, h: number): number[][] {
  return Array.from({ length: m }, (_, i) => Array.from({ length: h }, (__, k) => vecTheta[i + k * m]));
}

/** Column-major vec of Θ (m×h). */
export function vecResponse(theta: readonly (readonly number[])[]): number[] {
  const h = theta[0]?.length ?? 0;
  return Array.from({ length: h }, (_, k) => theta.map((row) => row[k])).flat();
}

/** w0 + Θu for the response given as a column-major vec. */
export function hypernetworkWeights(general: readonly number[], vecTheta: readonly number[], u: readonly number[]): number[] {
  const m = general.length;
  return general.map((x, i) => x + u.reduce((s, uk, k) => s + vecTheta[i + k * m] * uk, 0));
}

/**
 * The STN joint objective over ψ = (w0, vec Θ): E_ε L_T(λ + ε, w0 + Θλ̃) with λ̃ = λ + ε (`centered` false,
 * STN) or λ̃ = ε (`centered` true). Gradient E[(1, λ̃) ⊗ ∇_wL_T]; Hessian E[(1, λ̃)(1, λ̃)ᵀ ⊗ ∇²_wL_T].
 */
export function jointObjective(problem: BilevelProblem, lambda: readonly number[], centered: boolean, set: PerturbationSet): SecondOrderOracle {
  const m = problem.weightDim;
  const h = problem.hyperDim;
  const lam = (eps: readonly number[]): number[] => lambda.map((l, k) => l + eps[k]);
  const input = (eps: readonly number[]): number[] => (centered ? [...eps] : lam(eps));
  const what = (psi: readonly number[], u: readonly number[]): number[] => hypernetworkWeights(psi.slice(0, m), psi.slice(m), u);
  return {
    value: (psi) => set.points.reduce((s, eps, p) => s + set.weights[p] * problem.trainLoss(lam(eps), what(psi, input(eps))), 0),
    gradient: (psi) => {
      const g = new Array<number>(m * (1 + h)).fill(0);
      set.points.forEach((eps, p) => {
        const u = input(eps);
        const gw = problem.trainGrad(lam(eps), what(psi, u));
        const a = [1, ...u];
        for (let c = 0; c <= h; c++) for (let i = 0; i < m; i++) g[i + c * m] += set.weights[p] * a[c] * gw[i];
      });
      return g;
    },
    hessian: (psi) => {
      const d = m * (1 + h);
      const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      set.points.forEach((eps, p) => {
        const u = input(eps);
        const Hw = problem.trainHessian(lam(eps), what(psi, u));
        const a = [1, ...u];
        for (let c = 0; c <= h; c++)
          for (let e = 0; e <= h; e++) {
            const f = set.weights[p] * a[c] * a[e];
            for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) H[i + c * m][j + e * m] += f * Hw[i][j];
          }
      });
      return H;
    },
  };
}

/**
 * The Δ-STN response objective over vec Θ at fixed general weights w0 (`general`):
 * E_ε L_T(λ + ε, w0 + Θε), or, with `linearized`, E_ε[ℓ(f(λ+ε, w0) + J_w f(λ+ε, w0)Θε) + R(λ+ε, w0 + Θε)]
 * (R exact, docs/math.md#s3-3). Gradient E[ε ⊗ g(ε)], Hessian E[εεᵀ ⊗ H(ε)] with g, H the w-gradient and -Hessian of
 * the integrand (for the linearized form, g = Jᵀ∇ℓ + ∇R and H = JᵀH_ℓJ + ∇²R).
 */
export function responseObjective(problem: BilevelProblem, lambda: readonly number[], general: readonly number[], linearized: boolean, set: PerturbationSet): SecondOrderOracle {
  const m = problem.weightDim;
  const h = problem.hyperDim;
  const structure = problem.outputStructure;
  if (linearized && !structure) throw new InvalidArgumentError('problem', 'a problem with an outputStructure (Gauss–Newton form) for the linearized Δ-STN', problem.name);
  const lam = (eps: readonly number[]): number[] => lambda.map((l, k) => l + eps[k]);
  const move = (t: readonly number[], eps: readonly number[]): number[] => hypernetworkWeights(general, t, eps);
  // Per-point quantities of the linearized objective that do not depend on Θ.
  const lin = linearized && structure ? set.points.map((eps) => ({ f0: structure.outputs(lam(eps), general), J: structure.outputJacobian(lam(eps), general) })) : null;
  const linOutputs = (t: readonly number[], p: number): number[] => {
    const { f0, J } = (lin as { f0: number[]; J: number[][] }[])[p];
    const dw = move(t, set.points[p]).map((x, i) => x - general[i]);
    return f0.map((v, a) => v + J[a].reduce((s, x, j) => s + x * dw[j], 0));
  };
  const pointLoss = (t: readonly number[], p: number): number => {
    const eps = set.points[p];
    if (lin && structure) return structure.loss(linOutputs(t, p)) + structure.regularizer(lam(eps), move(t, eps));
    return problem.trainLoss(lam(eps), move(t, eps));
  };
  const pointGrad = (t: readonly number[], p: number): number[] => {
    const eps = set.points[p];
    if (lin && structure) {
      const gl = structure.lossGrad(linOutputs(t, p));
      const gr = structure.regularizerGrad(lam(eps), move(t, eps));
      const J = lin[p].J;
      return general.map((_, i) => J.reduce((s, row, a) => s + row[i] * gl[a], 0) + gr[i]);
    }
    return problem.trainGrad(lam(eps), move(t, eps));
  };
  const pointHess = (t: readonly number[], p: number): number[][] => {
    const eps = set.points[p];
    if (lin && structure) {
      const Hl = structure.lossHessian(linOutputs(t, p));
      const Hr = structure.regularizerHessian(lam(eps), move(t, eps));
      const J = lin[p].J;
      const HlJ = Hl.map((row) => general.map((_, j) => row.reduce((s, x, b) => s + x * J[b][j], 0)));
      return general.map((_, i) => general.map((__, j) => J.reduce((s, row, a) => s + row[i] * HlJ[a][j], 0) + Hr[i][j]));
    }
    return problem.trainHessian(lam(eps), move(t, eps));
  };
  return {
    value: (t) => set.weights.reduce((s, wp, p) => s + wp * pointLoss(t, p), 0),
    gradient: (t) => {
      const g = new Array<number>(m * h).fill(0);
      set.weights.forEach((wp, p) => {
        const gw = pointGrad(t, p);
        const eps = set.points[p];
        for (let k = 0; k < h; k++) for (let i = 0; i < m; i++) g[i + k * m] += wp * eps[k] * gw[i];
      });
      return g;
    },
    hessian: (t) => {
      const d = m * h;
      const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      set.weights.forEach((wp, p) => {
        const Hw = pointHess(t, p);
        const eps = set.points[p];
        for (let k = 0; k < h; k++)
          for (let l = 0; l < h; l++) {
            const f = wp * eps[k] * eps[l];
            for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) H[i + k * m][j + l * m] += f * Hw[i][j];
          }
      });
      return H;
    },
  };
}
