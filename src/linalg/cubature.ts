/**
 * Exact Gaussian expectations of low-degree polynomials, in rational arithmetic.
 *
 * @remarks
 * For ε ∼ N(0, Σ) the expectation of a polynomial of total degree ≤ 3 depends only on E[1] = 1,
 * E[ε] = 0, E[εεᵀ] = Σ and E[ε_i ε_j ε_k] = 0. A signed, symmetric point set that reproduces these
 * moments therefore computes such expectations exactly. Factor Σ = L D Lᵀ exactly (L unit lower
 * triangular, D = diag(d)); take the points 0 (weight 1 − Σ_k d_k) and ±L e_k (weight d_k/2 each):
 * Σ_k d_k L e_k (L e_k)ᵀ = L D Lᵀ = Σ, and every odd moment vanishes by symmetry. All points and weights
 * are rational whenever Σ is, so objectives that are quadratic in ε (the Gauss–Newton Hessian of OBS-1,
 * the response objective of THM-3) get their Gaussian expectation exactly, with 2h + 1 evaluations.
 * Weights may be negative; the rule is a linear functional, not a probability measure.
 */
import { NotPositiveDefiniteError, ShapeMismatchError } from '../errors.js';
import { ONE, ZERO, isSymmetricQ, type Rational, type RationalMatrix } from './exact.js';

/** A signed cubature rule: `points[i]` ∈ ℚ^h with weight `weights[i]`. */
export interface RationalRule {
  points: Rational[][];
  weights: Rational[];
}

/**
 * The (2h+1)-point rule above, exact for E_{ε∼N(0,Σ)}[p(ε)] with deg p ≤ 3.
 * @param covariance Σ (h×h, rational, symmetric positive definite), or the diagonal of Σ as a vector of variances σ_k².
 * @throws NotPositiveDefiniteError naming `covariance` unless Σ is symmetric positive definite (decided
 * exactly by the signs of the LDLᵀ pivots); ShapeMismatchError for an empty or non-square input.
 */
export function gaussianMomentRule(covariance: RationalMatrix | Rational[]): RationalRule {
  if (!Array.isArray(covariance) || covariance.length === 0) throw new ShapeMismatchError('covariance', 'a non-empty h×h matrix or a vector of h variances', Array.isArray(covariance) ? 'an empty array' : typeof covariance);
  const sigma: RationalMatrix = Array.isArray(covariance[0])
    ? (covariance as RationalMatrix)
    : (covariance as Rational[]).map((v, i, all) => all.map((_, j) => (i === j ? v : ZERO)));
  const h = sigma.length;
  for (let i = 0; i < h; i++) {
    if (!Array.isArray(sigma[i]) || sigma[i].length !== h) throw new ShapeMismatchError('covariance', 'a square matrix', `${h} rows, row ${i} of length ${Array.isArray(sigma[i]) ? sigma[i].length : '?'}`);
  }
  if (!isSymmetricQ(sigma)) throw new NotPositiveDefiniteError('covariance', 'not symmetric');
  // Exact LDLᵀ without pivoting; positive definiteness ⇔ every pivot d_k > 0.
  const L: Rational[][] = sigma.map((_, i) => sigma.map((__, j) => (i === j ? ONE : ZERO)));
  const d: Rational[] = [];
  for (let j = 0; j < h; j++) {
    let djj = sigma[j][j];
    for (let k = 0; k < j; k++) djj = djj.sub(L[j][k].mul(L[j][k]).mul(d[k]));
    if (djj.s <= 0n || djj.n === 0n) throw new NotPositiveDefiniteError('covariance', `pivot ${j} is ${djj.toFraction()}`);
    d.push(djj);
    for (let i = j + 1; i < h; i++) {
      let v = sigma[i][j];
      for (let k = 0; k < j; k++) v = v.sub(L[i][k].mul(L[j][k]).mul(d[k]));
      L[i][j] = v.div(djj);
    }
  }
  const points: Rational[][] = [new Array<Rational>(h).fill(ZERO)];
  const weights: Rational[] = [d.reduce((s, x) => s.sub(x), ONE)];
  for (let k = 0; k < h; k++) {
    const col = L.map((row) => row[k]);
    points.push(col, col.map((x) => x.neg()));
    const w = d[k].div(2);
    weights.push(w, w);
  }
  return { points, weights };
}
