/**
 * Neural architecture search as a bilevel problem, small enough to be exact (issue 7, "Small engine"): a
 * DARTS mixed operation over K candidate linear feature maps, and the DARTS hypergradients next to IFT and
 * Δ-STN.
 *
 * The model. Candidate k maps an input x ∈ ℝ^d to features xᵀA_k ∈ ℝ^{p_k} (A_k given) and has its own
 * weights w_k ∈ ℝ^{p_k}; the prediction is the mixture f(x) = Σ_k softmax(α)_k · xᵀA_k w_k with
 * α ∈ ℝ^K the architecture weights (the hyperparameters, h = K) and w = (w_1, …, w_K) (m = Σ p_k):
 *
 * $$\mathcal L_T(\alpha, w) = \tfrac1n\sum_i \ell(f(x_i), y_i) + \tfrac12\rho\|w\|^2,\qquad \mathcal L_V(\alpha, w) = \tfrac1{n_V}\sum_i \ell(f(x^V_i), y^V_i)$$
 *
 * with ℓ the squared error (default) or the logistic loss (labels ±1). ρ > 0 makes w*(α) unique. α enters
 * L_V directly through the mixture, so ∂_α L_V ≠ 0: the hypergradient has a direct and a response term.
 * softmax is invariant to α + c·1, so every α-gradient here sums to zero and only K − 1 directions matter.
 *
 * The problem and the DARTS formulas are our reconstruction from the DARTS paper (Liu et al. 2019, eq. 6–8)
 * and issue 7 [R]; the spec has no section on architecture weights yet. DARTS's hypergradients: src/nas/darts.ts.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import { assertFiniteVector } from '../linalg/dense.js';
import type { BilevelProblem } from '../bilevel/problem.js';

/** Per-sample loss of {@link nasProblem}. */
export type NasLoss = 'squared' | 'logistic';

/** Data and architecture of {@link nasProblem}. */
export interface NasData {
  Xtrain: number[][];
  ytrain: number[];
  Xval: number[][];
  yval: number[];
  /** A_k (d×p_k), one per candidate operation (K ≥ 1). */
  candidates: number[][][];
  /** ρ > 0, the weight decay of L_T (default 1e-2). */
  rho?: number;
  /** ℓ (default 'squared'); 'logistic' needs labels ±1. */
  loss?: NasLoss;
}

/** softmax(α), shifted by max α so that exp never overflows. */
export function softmax(alpha: readonly number[]): number[] {
  const top = Math.max(...alpha);
  const e = alpha.map((a) => Math.exp(a - top));
  const z = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / z);
}

/** ∂softmax/∂α = diag(s) − s sᵀ (symmetric). */
function softmaxJacobian(s: readonly number[]): number[][] {
  return s.map((si, i) => s.map((sj, j) => (i === j ? si : 0) - si * sj));
}

interface LossJet {
  value: number;
  d1: number;
  d2: number;
}

function lossJet(loss: NasLoss, f: number, y: number): LossJet {
  if (loss === 'squared') return { value: (f - y) * (f - y), d1: 2 * (f - y), d2: 2 };
  // ℓ = log(1 + exp(−yf)), written to stay finite for large |f|.
  const z = -y * f;
  const value = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  const sig = 1 / (1 + Math.exp(-z)); // σ(−yf)
  return { value, d1: -y * sig, d2: sig * (1 - sig) };
}

/** One data set's features Φ_k = X A_k (n×p_k) and the mixture's data term with its derivatives. */
class MixtureData {
  readonly phi: number[][][];
  constructor(
    X: number[][],
    readonly y: number[],
    candidates: number[][][],
    readonly loss: NasLoss,
  ) {
    this.phi = candidates.map((A) => X.map((x) => A[0].map((_, c) => x.reduce((s, xi, r) => s + xi * A[r][c], 0))));
  }

  get n(): number {
    return this.y.length;
  }

  /** u_k = Φ_k w_k, f = Σ s_k u_k, and the loss jet at each sample. */
  private eval(s: readonly number[], blocks: readonly number[][]): { u: number[][]; jets: LossJet[] } {
    const u = this.phi.map((P, k) => P.map((row) => row.reduce((acc, v, c) => acc + v * blocks[k][c], 0)));
    const jets = this.y.map((yi, i) => lossJet(this.loss, u.reduce((acc, uk, k) => acc + s[k] * uk[i], 0), yi));
    return { u, jets };
  }

  value(s: readonly number[], blocks: readonly number[][]): number {
    return this.eval(s, blocks).jets.reduce((acc, j) => acc + j.value, 0) / this.n;
  }

  /** ∇_w of the data term: block j = (1/n) s_j Φ_jᵀ ℓ'. */
  grad(s: readonly number[], blocks: readonly number[][]): number[] {
    const { jets } = this.eval(s, blocks);
    return this.phi.flatMap((P, j) => P[0].map((_, c) => (s[j] * P.reduce((acc, row, i) => acc + row[c] * jets[i].d1, 0)) / this.n));
  }

  /** ∇²_ww: block (j, l) = (1/n) s_j s_l Φ_jᵀ diag(ℓ'') Φ_l. */
  hessian(s: readonly number[], blocks: readonly number[][]): number[][] {
    const { jets } = this.eval(s, blocks);
    const cols = this.phi.flatMap((P, l) => P[0].map((_, c) => ({ l, c })));
    return cols.map(({ l: j, c: a }) => cols.map(({ l, c: b }) => (s[j] * s[l] * this.phi[j].reduce((acc, row, i) => acc + row[a] * jets[i].d2 * this.phi[l][i][b], 0)) / this.n));
  }

  /** ∂/∂s_k of the data term: (1/n) ℓ'ᵀ u_k. */
  gradMix(s: readonly number[], blocks: readonly number[][]): number[] {
    const { u, jets } = this.eval(s, blocks);
    return u.map((uk) => uk.reduce((acc, v, i) => acc + v * jets[i].d1, 0) / this.n);
  }

  /** ∂(∇_w)/∂s_k (m×K): block j, column k = (1/n)[δ_jk Φ_jᵀ ℓ' + s_j Φ_jᵀ (ℓ'' ⊙ u_k)]. */
  mixedMix(s: readonly number[], blocks: readonly number[][]): number[][] {
    const { u, jets } = this.eval(s, blocks);
    return this.phi.flatMap((P, j) =>
      P[0].map((_, c) =>
        u.map((uk, k) => P.reduce((acc, row, i) => acc + row[c] * ((j === k ? jets[i].d1 : 0) + s[j] * jets[i].d2 * uk[i]), 0) / this.n),
      ),
    );
  }
}

function checkRows(X: unknown, name: string, cols?: number): number[][] {
  if (!Array.isArray(X) || X.length === 0) throw new ShapeMismatchError(name, 'a non-empty array of rows', typeof X);
  const width = cols ?? (Array.isArray(X[0]) ? (X[0] as unknown[]).length : 0);
  if (width === 0) throw new ShapeMismatchError(name, 'rows of length ≥ 1', 'empty rows');
  return X.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== width) throw new ShapeMismatchError(`${name}[${i}]`, `length ${width}`, Array.isArray(row) ? `length ${row.length}` : typeof row);
    assertFiniteVector(row as number[], `${name}[${i}]`);
    return [...(row as number[])];
  });
}

/**
 * The NAS bilevel problem of the module remarks as a {@link BilevelProblem} (h = K architecture weights, kind
 * 'direct'; m = Σ p_k), so `ift()` and `hypernetwork(…)` run on it unchanged. Bad shapes, non-finite
 * entries, ρ ≤ 0 or non-±1 logistic labels are typed errors naming the field.
 */
export function nasProblem(data: NasData): BilevelProblem {
  const Xtrain = checkRows(data.Xtrain, 'Xtrain');
  const d = Xtrain[0].length;
  const Xval = checkRows(data.Xval, 'Xval', d);
  if (!Array.isArray(data.candidates) || data.candidates.length === 0) throw new ShapeMismatchError('candidates', 'at least one candidate A_k', 'none');
  const candidates = data.candidates.map((A, k) => checkRows(A, `candidates[${k}]`));
  candidates.forEach((A, k) => {
    if (A.length !== d) throw new ShapeMismatchError(`candidates[${k}]`, `${d} rows (the input dimension)`, `${A.length} rows`);
  });
  const loss: NasLoss = data.loss ?? 'squared';
  if (loss !== 'squared' && loss !== 'logistic') throw new InvalidArgumentError('loss', "'squared' or 'logistic'", loss);
  for (const [y, X, name] of [
    [data.ytrain, Xtrain, 'ytrain'],
    [data.yval, Xval, 'yval'],
  ] as const) {
    if (!Array.isArray(y) || y.length !== X.length) throw new ShapeMismatchError(name, `length ${X.length}`, Array.isArray(y) ? `length ${y.length}` : typeof y);
    assertFiniteVector(y, name);
    if (loss === 'logistic' && y.some((v) => v !== 1 && v !== -1)) throw new InvalidArgumentError(name, 'labels ±1 for the logistic loss', JSON.stringify(y));
  }
  const rho = data.rho ?? 1e-2;
  if (!(rho > 0) || !Number.isFinite(rho)) throw new InvalidArgumentError('rho', 'a finite ρ > 0', rho);
  const train = new MixtureData(Xtrain, [...data.ytrain], candidates, loss);
  const val = new MixtureData(Xval, [...data.yval], candidates, loss);
  const sizes = candidates.map((A) => A[0].length);
  const K = candidates.length;
  const m = sizes.reduce((a, b) => a + b, 0);
  const split = (w: readonly number[]): number[][] => {
    if (w.length !== m) throw new ShapeMismatchError('w', `length ${m}`, `length ${w.length}`);
    let o = 0;
    return sizes.map((p) => w.slice(o, (o += p)));
  };
  const mix = (alpha: readonly number[]): number[] => {
    if (alpha.length !== K) throw new ShapeMismatchError('alpha', `length ${K}`, `length ${alpha.length}`);
    return softmax(alpha);
  };
  // Chain rule through softmax: ∂/∂α = Jsᵀ ∂/∂s with Js symmetric.
  const toAlpha = (s: number[], gs: number[]): number[] => softmaxJacobian(s).map((row) => row.reduce((acc, x, k) => acc + x * gs[k], 0));
  return {
    name: `nas-${loss}-K${K}`,
    weightDim: m,
    hyperDim: K,
    hypers: candidates.map((_, k) => ({ name: `alpha${k}`, kind: 'direct' as const, transform: `α_${k}: logit of candidate ${k} in softmax(α)` })),
    trainLoss: (alpha, w) => train.value(mix(alpha), split(w)) + 0.5 * rho * w.reduce((s, x) => s + x * x, 0),
    trainGrad: (alpha, w) => train.grad(mix(alpha), split(w)).map((g, i) => g + rho * w[i]),
    trainHessian: (alpha, w) => train.hessian(mix(alpha), split(w)).map((row, i) => row.map((x, j) => (i === j ? x + rho : x))),
    trainMixed: (alpha, w) => {
      const s = mix(alpha);
      const Js = softmaxJacobian(s);
      return train.mixedMix(s, split(w)).map((row) => Js.map((_, l) => row.reduce((acc, x, k) => acc + x * Js[k][l], 0)));
    },
    trainGradHyper: (alpha, w) => {
      const s = mix(alpha);
      return toAlpha(s, train.gradMix(s, split(w)));
    },
    valLoss: (alpha, w) => val.value(mix(alpha), split(w)),
    valGrad: (alpha, w) => val.grad(mix(alpha), split(w)),
    valGradHyper: (alpha, w) => {
      const s = mix(alpha);
      return toAlpha(s, val.gradMix(s, split(w)));
    },
    initialWeights: () => new Array<number>(m).fill(0),
  };
}
