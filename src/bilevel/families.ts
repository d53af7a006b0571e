/**
 * Problem families with analytic derivatives (float64). Each is checked against central finite differences
 * in test/bilevel/families.test.ts through {@link checkDerivatives}.
 *
 * - {@link quadraticProblem}: docs/math.md#s2-4 S1, L_T = ½wᵀAw − wᵀ(b + Bλ), with a quadratic L_V.
 * - {@link ridgeProblem}: weight-decay linear regression, λ = log weight decay (docs/math.md#s6 conventions).
 * - {@link logisticProblem}: L2-regularized logistic regression, λ = log weight decay.
 * - {@link scalarToyProblem}: the spec's scalar toys (sin PT-9, cubic PT-10, tanh PT-11) from src/theory/scalarToys.ts.
 */
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeMismatchError } from '../errors.js';
import { assertFiniteVector, assertSymmetric, conditionNumber, toMatrix } from '../linalg/dense.js';
import { sigmoid, softplus } from '../linalg/scalar.js';
import { trainLossJet, type ScalarToy } from '../theory/scalarToys.js';
import type { BilevelProblem, OutputStructure } from './problem.js';

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

function checkMatrix(a: readonly (readonly number[])[], name: string, rows?: number, cols?: number): number[][] {
  const m = toMatrix(a, name);
  if (rows !== undefined && m.rows !== rows) throw new ShapeMismatchError(name, `${rows} rows`, `${m.rows} rows`);
  if (cols !== undefined && m.columns !== cols) throw new ShapeMismatchError(name, `${cols} columns`, `${m.columns} columns`);
  return m.to2DArray();
}

function checkVector(v: readonly number[], name: string, length?: number): number[] {
  if (!Array.isArray(v)) throw new ShapeMismatchError(name, 'an array of numbers', typeof v);
  if (length !== undefined && v.length !== length) throw new ShapeMismatchError(name, `length ${length}`, `length ${v.length}`);
  assertFiniteVector(v, name);
  return [...v];
}

function matVec(a: readonly (readonly number[])[], v: readonly number[]): number[] {
  return a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
}

/** Data for {@link quadraticProblem}. */
export interface QuadraticData {
  /** A ≻ 0 (m×m). */
  A: number[][];
  /** B (m×h). */
  B: number[][];
  /** b (m). */
  b: number[];
  /** L_V = ½(w − target)ᵀ C (w − target); C defaults to I, target to 0. */
  C?: number[][];
  target?: number[];
}

/**
 * docs/math.md#s2-4 S1: $\mathcal L_T = \tfrac12 w^\top A w - w^\top(b + B\lambda)$ (A ≻ 0), so w*(λ) = A⁻¹(b + Bλ) and
 * J* = A⁻¹B exactly; $\mathcal L_V = \tfrac12(w - t)^\top C (w - t)$ with `C` ⪰ 0 and `target` t. Hyperparameters
 * are continuous weights of L_T (kind 'loss-continuous'); no direct term.
 */
export function quadraticProblem(data: QuadraticData): BilevelProblem {
  const A = checkMatrix(data.A, 'A');
  const m = A.length;
  if (A[0].length !== m) throw new ShapeMismatchError('A', 'a square matrix', `${m}×${A[0].length}`);
  let kappa: number;
  try {
    kappa = conditionNumber(A, 'spd', 'A');
  } catch (e) {
    throw e instanceof NotPositiveDefiniteError ? e : new NotPositiveDefiniteError('A', (e as Error).message);
  }
  if (!Number.isFinite(kappa)) throw new NotPositiveDefiniteError('A');
  const B = checkMatrix(data.B, 'B', m);
  const h = B[0].length;
  const b = checkVector(data.b, 'b', m);
  const C = data.C ? checkMatrix(data.C, 'C', m, m) : A.map((_, i) => A.map((__, j) => (i === j ? 1 : 0)));
  // valGrad below is C(w − t), the gradient of ½(w − t)ᵀC(w − t) only for symmetric C (else it is ½(C + Cᵀ)(w − t)).
  if (data.C) assertSymmetric(toMatrix(C, 'C'), 'C');
  const t = data.target ? checkVector(data.target, 'target', m) : zeros(m);
  const rhs = (lambda: readonly number[]): number[] => b.map((bi, i) => bi + B[i].reduce((s, x, k) => s + x * lambda[k], 0));
  return {
    name: 'quadratic',
    weightDim: m,
    hyperDim: h,
    hypers: Array.from({ length: h }, (_, k) => ({ name: `λ${k}`, kind: 'loss-continuous' as const, transform: 'linear (enters L_T through Bλ)' })),
    trainLoss: (lambda, w) => {
      const aw = matVec(A, w);
      const r = rhs(lambda);
      return w.reduce((s, wi, i) => s + 0.5 * wi * aw[i] - wi * r[i], 0);
    },
    trainGrad: (lambda, w) => {
      const aw = matVec(A, w);
      const r = rhs(lambda);
      return aw.map((x, i) => x - r[i]);
    },
    trainHessian: () => A.map((row) => [...row]),
    trainMixed: () => B.map((row) => row.map((x) => -x)),
    trainGradHyper: (_lambda, w) => Array.from({ length: h }, (_, k) => -w.reduce((s, wi, i) => s + wi * B[i][k], 0)),
    valLoss: (_lambda, w) => {
      const d = w.map((wi, i) => wi - t[i]);
      const cd = matVec(C, d);
      return 0.5 * d.reduce((s, x, i) => s + x * cd[i], 0);
    },
    valGrad: (_lambda, w) => matVec(C, w.map((wi, i) => wi - t[i])),
    valGradHyper: () => zeros(h),
    initialWeights: () => zeros(m),
  };
}

/** Data for {@link ridgeProblem} and {@link logisticProblem}: training and validation sets. */
export interface RegressionData {
  Xtrain: number[][];
  ytrain: number[];
  Xval: number[][];
  yval: number[];
}

function checkData(data: RegressionData, labels: 'real' | 'binary'): { X: number[][]; y: number[]; Xv: number[][]; yv: number[]; m: number } {
  const X = checkMatrix(data.Xtrain, 'Xtrain');
  const m = X[0].length;
  const y = checkVector(data.ytrain, 'ytrain', X.length);
  const Xv = checkMatrix(data.Xval, 'Xval', undefined, m);
  const yv = checkVector(data.yval, 'yval', Xv.length);
  if (labels === 'binary') {
    y.forEach((v, i) => {
      if (v !== 1 && v !== -1 && v !== 0) throw new InvalidArgumentError(`ytrain[${i}]`, 'a label in {0, 1} or {−1, 1}', v);
    });
    yv.forEach((v, i) => {
      if (v !== 1 && v !== -1 && v !== 0) throw new InvalidArgumentError(`yval[${i}]`, 'a label in {0, 1} or {−1, 1}', v);
    });
  }
  return { X, y, Xv, yv, m };
}

/**
 * Weight-decay linear regression (docs/math.md#s6 conventions):
 * $\mathcal L_T = \frac1{2n}\|Xw - y\|^2 + \tfrac12 e^{\lambda}\|w\|^2$, $\mathcal L_V = \frac1{2n_v}\|X_v w - y_v\|^2$, with
 * λ ∈ ℝ the log of the weight decay (h = 1). Exposes its Gauss–Newton structure (outputs r = Xw − y,
 * ℓ = ‖r‖²/(2n), R = ½e^λ‖w‖²).
 */
export function ridgeProblem(data: RegressionData): BilevelProblem {
  const { X, y, Xv, yv, m } = checkData(data, 'real');
  const n = X.length;
  const nv = Xv.length;
  const residual = (A: number[][], t: number[], w: readonly number[]): number[] => matVec(A, w).map((v, i) => v - t[i]);
  const gram = X[0].map((_, i) => X[0].map((__, j) => X.reduce((s, row) => s + row[i] * row[j], 0) / n));
  const outputStructure: OutputStructure = {
    outputs: (_lambda, w) => residual(X, y, w),
    outputJacobian: () => X.map((row) => [...row]),
    loss: (f) => f.reduce((s, r) => s + r * r, 0) / (2 * n),
    lossGrad: (f) => f.map((r) => r / n),
    lossHessian: (f) => f.map((_, i) => f.map((__, j) => (i === j ? 1 / n : 0))),
    regularizer: (lambda, w) => 0.5 * Math.exp(lambda[0]) * w.reduce((s, x) => s + x * x, 0),
    regularizerGrad: (lambda, w) => w.map((x) => Math.exp(lambda[0]) * x),
    regularizerHessian: (lambda) => gram.map((row, i) => row.map((_, j) => (i === j ? Math.exp(lambda[0]) : 0))),
  };
  return {
    name: 'ridge',
    weightDim: m,
    hyperDim: 1,
    hypers: [{ name: 'logWeightDecay', kind: 'loss-continuous', transform: 'λ = log weight decay (unconstrained)' }],
    trainLoss: (lambda, w) => outputStructure.loss(residual(X, y, w)) + outputStructure.regularizer(lambda, w),
    trainGrad: (lambda, w) => {
      const r = residual(X, y, w);
      const e = Math.exp(lambda[0]);
      return w.map((wj, j) => X.reduce((s, row, i) => s + row[j] * r[i], 0) / n + e * wj);
    },
    trainHessian: (lambda) => gram.map((row, i) => row.map((g, j) => g + (i === j ? Math.exp(lambda[0]) : 0))),
    trainMixed: (lambda, w) => w.map((wj) => [Math.exp(lambda[0]) * wj]),
    trainGradHyper: (lambda, w) => [outputStructure.regularizer(lambda, w)],
    valLoss: (_lambda, w) => residual(Xv, yv, w).reduce((s, r) => s + r * r, 0) / (2 * nv),
    valGrad: (_lambda, w) => {
      const r = residual(Xv, yv, w);
      return Array.from({ length: m }, (_, j) => Xv.reduce((s, row, i) => s + row[j] * r[i], 0) / nv);
    },
    valGradHyper: () => [0],
    initialWeights: () => zeros(m),
    outputStructure,
  };
}


/**
 * L2-regularized logistic regression: labels y_i ∈ {−1, 1} (0 is read as −1),
 * $\mathcal L_T = \frac1n\sum_i \log(1 + e^{-y_i x_i^\top w}) + \tfrac12 e^{\lambda}\|w\|^2$ and the unregularized
 * validation log-loss $\mathcal L_V = \frac1{n_v}\sum_i \log(1 + e^{-y_i x_i^\top w})$; λ = log weight decay (h = 1).
 * Its Gauss–Newton structure uses the margins f_i = y_i x_iᵀw with ℓ(f) = (1/n)Σ log(1 + e^{−f_i}).
 */
export function logisticProblem(data: RegressionData): BilevelProblem {
  const { X, y: y0, Xv, yv: yv0, m } = checkData(data, 'binary');
  const y = y0.map((v) => (v === 0 ? -1 : v));
  const yv = yv0.map((v) => (v === 0 ? -1 : v));
  const n = X.length;
  const nv = Xv.length;
  const margins = (A: number[][], t: number[], w: readonly number[]): number[] => matVec(A, w).map((v, i) => t[i] * v);
  const logLoss = (f: readonly number[]): number => f.reduce((s, z) => s + softplus(-z), 0) / f.length;
  const outputStructure: OutputStructure = {
    outputs: (_lambda, w) => margins(X, y, w),
    outputJacobian: () => X.map((row, i) => row.map((x) => y[i] * x)),
    loss: (f) => logLoss(f),
    lossGrad: (f) => f.map((z) => -sigmoid(-z) / n),
    lossHessian: (f) => f.map((z, i) => f.map((__, j) => (i === j ? (sigmoid(z) * sigmoid(-z)) / n : 0))),
    regularizer: (lambda, w) => 0.5 * Math.exp(lambda[0]) * w.reduce((s, x) => s + x * x, 0),
    regularizerGrad: (lambda, w) => w.map((x) => Math.exp(lambda[0]) * x),
    regularizerHessian: (lambda, w) => w.map((_, i) => w.map((__, j) => (i === j ? Math.exp(lambda[0]) : 0))),
  };
  const gradData = (A: number[][], t: number[], w: readonly number[], count: number): number[] => {
    const f = margins(A, t, w);
    return Array.from({ length: m }, (_, j) => A.reduce((s, row, i) => s - sigmoid(-f[i]) * t[i] * row[j], 0) / count);
  };
  return {
    name: 'logistic',
    weightDim: m,
    hyperDim: 1,
    hypers: [{ name: 'logWeightDecay', kind: 'loss-continuous', transform: 'λ = log weight decay (unconstrained)' }],
    trainLoss: (lambda, w) => logLoss(margins(X, y, w)) + outputStructure.regularizer(lambda, w),
    trainGrad: (lambda, w) => gradData(X, y, w, n).map((g, j) => g + Math.exp(lambda[0]) * w[j]),
    trainHessian: (lambda, w) => {
      const f = margins(X, y, w);
      const e = Math.exp(lambda[0]);
      return Array.from({ length: m }, (_, a) =>
        Array.from({ length: m }, (__, b) => X.reduce((s, row, i) => s + sigmoid(f[i]) * sigmoid(-f[i]) * row[a] * row[b], 0) / n + (a === b ? e : 0)),
      );
    },
    trainMixed: (lambda, w) => w.map((wj) => [Math.exp(lambda[0]) * wj]),
    trainGradHyper: (lambda, w) => [outputStructure.regularizer(lambda, w)],
    valLoss: (_lambda, w) => logLoss(margins(Xv, yv, w)),
    valGrad: (_lambda, w) => gradData(Xv, yv, w, nv),
    valGradHyper: () => [0],
    initialWeights: () => zeros(m),
    outputStructure,
  };
}

/**
 * A scalar toy of src/theory/scalarToys.ts (sin, cubic, tanh, weight decay) as a bilevel problem with
 * m = h = 1 and the validation loss $\mathcal L_V = \tfrac12(w - t)^2$ (`target` t, default 0): the toys are
 * about the inner problem and its response Jacobian (docs/math.md#s4-2–#s4-3), so the outer loss is kept simple.
 */
export function scalarToyProblem(toy: ScalarToy, target = 0): BilevelProblem {
  if (!Number.isFinite(target)) throw new InvalidArgumentError('target', 'a finite number', target);
  const structure: OutputStructure = {
    outputs: (lambda, w) => Array.from({ length: toy.size }, (_, i) => toy.residual(i, lambda[0], w[0]).value),
    outputJacobian: (lambda, w) => Array.from({ length: toy.size }, (_, i) => [toy.residual(i, lambda[0], w[0]).dw]),
    loss: (f) => f.reduce((s, r) => s + 0.5 * r * r, 0) / toy.size,
    lossGrad: (f) => f.map((r) => r / toy.size),
    lossHessian: (f) => f.map((_, i) => f.map((__, j) => (i === j ? 1 / toy.size : 0))),
    regularizer: (lambda, w) => (toy.regularizer ? toy.regularizer(lambda[0], w[0]).value : 0),
    regularizerGrad: (lambda, w) => [toy.regularizer ? toy.regularizer(lambda[0], w[0]).dw : 0],
    regularizerHessian: (lambda, w) => [[toy.regularizer ? toy.regularizer(lambda[0], w[0]).dww : 0]],
  };
  return {
    name: toy.name,
    weightDim: 1,
    hyperDim: 1,
    hypers: [{ name: 'λ', kind: 'loss-continuous' }],
    trainLoss: (lambda, w) => trainLossJet(toy, lambda[0], w[0]).value,
    trainGrad: (lambda, w) => [trainLossJet(toy, lambda[0], w[0]).dw],
    trainHessian: (lambda, w) => [[trainLossJet(toy, lambda[0], w[0]).dww]],
    trainMixed: (lambda, w) => [[trainLossJet(toy, lambda[0], w[0]).dwl]],
    trainGradHyper: (lambda, w) => [trainLossJet(toy, lambda[0], w[0]).dl],
    valLoss: (_lambda, w) => 0.5 * (w[0] - target) ** 2,
    valGrad: (_lambda, w) => [w[0] - target],
    valGradHyper: () => [0],
    initialWeights: () => [0],
    outputStructure: structure,
  };
}

