/**
 * DARTS's hypergradients on the small engine's bilevel problems (float64), first order and second order (one
 * unrolled step of the weights, with the exact mixed product or the paper's finite-difference one), as a
 * {@link HypergradientMethod} beside IFT and Δ-STN; and a central-difference check of any hypergradient. The
 * formulas are our reconstruction from the DARTS paper (Liu et al. 2019, eq. 6–8) [R]; the problem they are
 * tested on is src/nas/problem.ts.
 */
import { InvalidArgumentError } from '../errors.js';
import { solveInner, type HypergradientMethod, type HypergradientResult } from '../bilevel/methods.js';
import type { BilevelProblem } from '../bilevel/problem.js';

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * The exact mixed product (∂²L_T/∂w∂α)ᵀ v at (α, w): the α-gradient of ⟨∇_w L_T(α, w), v⟩ (length h).
 */
export function exactMixedProduct(problem: BilevelProblem, alpha: readonly number[], w: readonly number[], v: readonly number[]): number[] {
  const M = problem.trainMixed(alpha, w);
  return Array.from({ length: problem.hyperDim }, (_, k) => M.reduce((s, row, i) => s + row[k] * v[i], 0));
}

/**
 * The DARTS finite-difference mixed product (Liu et al. 2019, eq. 8):
 *
 * $$(\nabla^2_{\alpha,w}\mathcal L_T(w,\alpha))\,v \approx \frac{\nabla_\alpha\mathcal L_T(w^+,\alpha) - \nabla_\alpha\mathcal L_T(w^-,\alpha)}{2\epsilon},\quad w^\pm = w \pm \epsilon v,\quad \epsilon = R/\|v\|$$
 *
 * with `scale` = R (0.01 in the paper). The perturbation is around w (the weights BEFORE the unrolled step),
 * and the denominator is (2ε) as a whole. Central difference: error O(ε²) times the third derivative of L_T
 * in w, so it is exact up to rounding when L_T is quadratic in w (the squared-loss family). v = 0 gives 0.
 */
export function finiteDifferenceMixedProduct(problem: BilevelProblem, alpha: readonly number[], w: readonly number[], v: readonly number[], scale = 0.01): number[] {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError('scale', 'a finite R > 0', scale);
  const norm = Math.sqrt(dot(v, v));
  if (norm === 0) return new Array<number>(problem.hyperDim).fill(0);
  const eps = scale / norm;
  const plus = problem.trainGradHyper(alpha, w.map((x, i) => x + eps * v[i]));
  const minus = problem.trainGradHyper(alpha, w.map((x, i) => x - eps * v[i]));
  return plus.map((p, k) => (p - minus[k]) / (2 * eps));
}

/** Which mixed product DARTS second order uses. */
export type DartsProduct = { product: 'exact' } | { product: 'finite-difference'; scale?: number };

/** Options for {@link darts}. */
export interface DartsOptions {
  /** 1: first order (ξ = 0); 2: one unrolled step. */
  order: 1 | 2;
  /** ξ ≥ 0, the unrolled step (order 2; default 0.01). */
  xi?: number;
  /** Order 2: the mixed product (default finite-difference with R = 0.01, as in the paper). */
  product?: DartsProduct;
  /** The weights w at which DARTS differentiates (default w*(α) by {@link solveInner}). */
  weights?: (problem: BilevelProblem, alpha: readonly number[]) => number[];
}

/**
 * The DARTS hypergradient at (α, w) (Liu et al. 2019, eq. 6–8):
 * - first order: ∂_α L_V(α, w), the direct term only (the response of w to α is ignored);
 * - second order: w' = w − ξ∇_w L_T(α, w), v = ∇_{w'} L_V(α, w'), and
 *   $$g = \partial_\alpha \mathcal L_V(\alpha, w') - \xi\,(\nabla^2_{\alpha,w}\mathcal L_T(\alpha, w))\,v,$$
 *   the exact derivative of α ↦ L_V(α, w − ξ∇_wL_T(α, w)) (w held fixed) when the product is exact, and
 *   the paper's estimate when it is {@link finiteDifferenceMixedProduct} (perturbation around w, not w').
 * At w = w*(α) the step is null (w' = w*) and g = ∂_αL_V − ξ M(α, w*)ᵀ∇_wL_V: the first Neumann term of
 * IFT's −Mᵀ H⁻¹∇_wL_V scaled by ξ, so no ξ makes it exact in general; it is IFT when ξ·H = I.
 */
export function dartsHypergradient(problem: BilevelProblem, alpha: readonly number[], w: readonly number[], options: Omit<DartsOptions, 'weights'>): { hypergradient: number[]; weights: number[] } {
  if (options.order === 1) return { hypergradient: problem.valGradHyper(alpha, w), weights: [...w] };
  const xi = options.xi ?? 0.01;
  if (!(xi >= 0) || !Number.isFinite(xi)) throw new InvalidArgumentError('xi', 'a finite ξ ≥ 0', xi);
  const g = problem.trainGrad(alpha, w);
  const unrolledW = w.map((x, i) => x - xi * g[i]);
  const v = problem.valGrad(alpha, unrolledW);
  const product = options.product ?? { product: 'finite-difference' };
  const mv = product.product === 'exact' ? exactMixedProduct(problem, alpha, w, v) : finiteDifferenceMixedProduct(problem, alpha, w, v, product.scale ?? 0.01);
  const direct = problem.valGradHyper(alpha, unrolledW);
  return { hypergradient: direct.map((dk, k) => dk - xi * mv[k]), weights: unrolledW };
}

/** DARTS first or second order as a {@link HypergradientMethod} (see {@link dartsHypergradient}). */
export function darts(options: DartsOptions): HypergradientMethod {
  if (options.order !== 1 && options.order !== 2) throw new InvalidArgumentError('order', '1 or 2', options.order);
  if (options.xi !== undefined && (!(options.xi >= 0) || !Number.isFinite(options.xi))) throw new InvalidArgumentError('xi', 'a finite ξ ≥ 0', options.xi);
  const name = options.order === 1 ? 'darts1' : `darts2-${options.product?.product ?? 'finite-difference'}`;
  return {
    name,
    hypergradient(problem, alpha): HypergradientResult {
      const w = options.weights ? options.weights(problem, alpha) : solveInner(problem, alpha);
      const r = dartsHypergradient(problem, alpha, w, options);
      return { method: name, hypergradient: r.hypergradient, weights: r.weights, valLoss: problem.valLoss(alpha, r.weights) };
    },
  };
}

/**
 * The exact hypergradient d/dα L_V(α, w*(α)) by central differences of the value (the oracle the methods are
 * compared with; independent of every method's formula). Default step 1e-5 ≈ ε^{1/3}, the usual balance of truncation and rounding for a central difference of values.
 */
export function finiteDifferenceHypergradient(problem: BilevelProblem, alpha: readonly number[], step = 1e-5): number[] {
  const f = (a: number[]): number => problem.valLoss(a, solveInner(problem, a));
  return alpha.map((_, k) => {
    const p = [...alpha];
    const q = [...alpha];
    p[k] += step;
    q[k] -= step;
    return (f(p) - f(q)) / (2 * step);
  });
}
