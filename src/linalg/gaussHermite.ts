/**
 * Probabilists' Gauss–Hermite quadrature: nodes x_i and weights w_i with
 * Σ_i w_i p(x_i) = E_{z∼N(0,1)}[p(z)] exactly for every polynomial p of degree < 2n.
 *
 * @remarks
 * Nodes are the roots of He_n. We start from the Golub–Welsch eigenvalues of the symmetric Jacobi matrix
 * (zero diagonal, off-diagonal √k, k = 1..n−1), then polish each root by Newton steps on the orthonormal
 * Hermite polynomial p_n = He_n/√(n!), evaluated by its three-term recurrence
 * p_{k+1} = (x p_k − √k p_{k−1})/√(k+1), whose derivative is p_n' = √n p_{n−1}. Weights come from the
 * Christoffel formula w_i = 1 / (n p_{n−1}(x_i)²), which keeps full relative accuracy even for the tiny
 * outer weights (≈ 1e-80 at n = 80). The normalised recurrence never overflows, unlike n!/He_{n−1}².
 */
import { InvalidArgumentError } from '../errors.js';
import { symmetricEigenvalues } from './dense.js';

/** A one-dimensional quadrature rule for E over N(0, 1): `nodes[i]`, `weights[i]` with Σ weights = 1. */
export interface QuadratureRule {
  nodes: number[];
  weights: number[];
}

const cache = new Map<number, QuadratureRule>();

/**
 * The n-point probabilists' Gauss–Hermite rule (cached; treat the result as read-only).
 * @param n number of nodes, an integer in [1, 200]; the library's default is 80.
 */
export function gaussHermite(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new InvalidArgumentError('n', 'an integer in [1, 200]', n);
  const hit = cache.get(n);
  if (hit) return hit;
  const jacobi: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let k = 1; k < n; k++) jacobi[k][k - 1] = jacobi[k - 1][k] = Math.sqrt(k);
  const guesses = n === 1 ? [0] : symmetricEigenvalues(jacobi);
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = guesses[i];
    for (let it = 0; it < 8; it++) {
      const [pn, pn1] = orthonormalHermite(n, x);
      const dx = pn / (Math.sqrt(n) * pn1);
      x -= dx;
      if (Math.abs(dx) <= 1e-16 * Math.max(1, Math.abs(x))) break;
    }
    const [, pn1] = orthonormalHermite(n, x);
    nodes.push(x);
    weights.push(1 / (n * pn1 * pn1));
  }
  // Symmetrise: the rule is exactly symmetric about 0, so average the mirrored pairs to remove roundoff.
  for (let i = 0; i < Math.floor(n / 2); i++) {
    const j = n - 1 - i;
    const x = 0.5 * (nodes[j] - nodes[i]);
    const w = 0.5 * (weights[i] + weights[j]);
    nodes[i] = -x;
    nodes[j] = x;
    weights[i] = weights[j] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}

/** [p_n(x), p_{n−1}(x)] for the orthonormal probabilists' Hermite polynomials. */
function orthonormalHermite(n: number, x: number): [number, number] {
  let prev = 0; // p_{-1}
  let cur = 1; // p_0
  for (let k = 0; k < n; k++) {
    const next = (x * cur - Math.sqrt(k) * prev) / Math.sqrt(k + 1);
    prev = cur;
    cur = next;
  }
  return [cur, prev];
}

/**
 * E_{ε∼N(μ, σ²)}[f(ε)] ≈ Σ_i w_i f(μ + σ x_i) with the n-point rule (default n = 80).
 * @param sigma standard deviation σ ≥ 0.
 */
export function gaussianExpectation(f: (x: number) => number, mu = 0, sigma = 1, n = 80): number {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new InvalidArgumentError('sigma', 'a finite σ ≥ 0', sigma);
  const { nodes, weights } = gaussHermite(n);
  let s = 0;
  for (let i = 0; i < nodes.length; i++) s += weights[i] * f(mu + sigma * nodes[i]);
  return s;
}

/**
 * Tensor-product rule for E over ε ∼ N(0, diag(σ²)) in h dimensions: calls `visit(ε, weight)` for each of
 * the n^h points. Cost grows as n^h, so keep n·h small (h ≤ 3).
 * @throws InvalidArgumentError naming `sigma[k]` for a negative or non-finite σ_k.
 */
export function forEachGaussianPoint(sigma: readonly number[], n: number, visit: (eps: number[], weight: number) => void): void {
  const h = sigma.length;
  for (let k = 0; k < h; k++) {
    if (!(sigma[k] >= 0) || !Number.isFinite(sigma[k])) throw new InvalidArgumentError(`sigma[${k}]`, 'a finite σ ≥ 0', sigma[k]);
  }
  const rule = gaussHermite(n);
  const idx = new Array<number>(h).fill(0);
  for (;;) {
    let w = 1;
    const eps = new Array<number>(h);
    for (let k = 0; k < h; k++) {
      eps[k] = sigma[k] * rule.nodes[idx[k]];
      w *= rule.weights[idx[k]];
    }
    visit(eps, w);
    let k = 0;
    while (k < h && ++idx[k] === n) idx[k++] = 0;
    if (k === h) return;
  }
}
