/** Multinomial logistic regression with weight decay in float64: the closed-form oracle of the best-response tests (not a test file). */
import type { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/rng.js';

/** Multinomial logistic regression data: N examples of D features (a Dataset of shape [1, D, 1]), K classes. */
export function logisticData(n: number, d: number, k: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const images = Float32Array.from({ length: n * d }, () => rng.normal());
  return { name: `logistic:${seed}`, images, labels: Int32Array.from({ length: n }, () => rng.int(0, k - 1)), shape: [1, d, 1], classes: k, size: n };
}

/**
 * Float64 gradient and Hessian of L_T(w) = mean CE + ½·decay·‖W‖² for logistic regression, w = [W (D×K row-major); b (K)].
 * Without `biasDamping` the Hessian gets (1/K)·11ᵀ on the bias block: softmax is invariant to a common bias shift
 * (H's null direction, orthogonal to every right-hand side here), and the term makes H invertible without changing
 * the solution of H x = b for b ⊥ that direction. With `biasDamping` = δ it gets δ·I on the bias block instead.
 */
export function logisticDerivatives(ds: Dataset, w: ArrayLike<number>, decay: number, biasDamping?: number): { grad: number[]; hess: number[][] } {
  const [, D] = ds.shape;
  const K = ds.classes;
  const P = D * K + K;
  const grad = new Array<number>(P).fill(0);
  const hess = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  for (let n = 0; n < ds.size; n++) {
    const x = [...Array.from(ds.images.subarray(n * D, (n + 1) * D), Number), 1];
    const z = Array.from({ length: K }, (_, c) => x.slice(0, D).reduce((a, xi, i) => a + xi * w[i * K + c], w[D * K + c]));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / s);
    const idx = (i: number, c: number): number => (i < D ? i * K + c : D * K + c);
    for (let i = 0; i <= D; i++) for (let c = 0; c < K; c++) grad[idx(i, c)] += ((p[c] - (ds.labels[n] === c ? 1 : 0)) * x[i]) / ds.size;
    for (let i = 0; i <= D; i++)
      for (let c = 0; c < K; c++)
        for (let j = 0; j <= D; j++) for (let c2 = 0; c2 < K; c2++) hess[idx(i, c)][idx(j, c2)] += (((c === c2 ? p[c] : 0) - p[c] * p[c2]) * x[i] * x[j]) / ds.size;
  }
  for (let q = 0; q < D * K; q++) {
    grad[q] += decay * w[q];
    hess[q][q] += decay;
  }
  if (biasDamping === undefined) for (let c = 0; c < K; c++) for (let c2 = 0; c2 < K; c2++) hess[D * K + c][D * K + c2] += 1 / K;
  else for (let c = 0; c < K; c++) hess[D * K + c][D * K + c] += biasDamping;
  return { grad, hess };
}
