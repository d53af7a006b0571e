/**
 * The implicit-function Jacobian of the weights in the weight decay (src/tune/iftJacobian.ts, issue 17), each part
 * against an oracle that does not share its code:
 * - the operator's products on a small ReLU MLP against TensorFlow.js's own autodiff: the exact Hessian product by
 *   double backward (tf.grad of ⟨∇L_T, v⟩; the library's cross-entropy is differentiable to any order, src/nn/ops.ts),
 *   the Gauss–Newton product by the double-vjp trick (J v = ∇_u ⟨Jᵀu, v⟩, Jᵀu = ∇_w ⟨f(w), u⟩) and tf.grad for Jᵀ;
 * - the CG solve on multinomial logistic regression (a linear model: Gauss–Newton = Hessian) against the float64
 *   closed form J = −(H + dP [+ δ(I−P)])⁻¹ T′(λ) P w (ml-matrix solve); negative controls (no minus sign, no dP)
 *   are far outside the tolerance;
 * - the positive-definiteness report along the CG directions.
 *
 * Tolerances. Both sides of the product checks are float32 (a few roundings of sums of ≤ 12 terms each, in
 * different orders): 1e-5 of the product's largest entry (≈ 80 u₃₂). The CG solve: float64 iterates on float32
 * products, each product accurate to about 8 u₃₂ relative to ‖A‖‖v‖, so the solution is accurate to about
 * κ(A)·8 u₃₂ (u₃₂ = 2⁻²⁴ ≈ 6e-8); the test takes κ·8u₃₂ with κ computed from the float64 matrix (κ ≈ 8 and 68
 * for δ = 0 and 1e-2: 3.8e-6 and 3.2e-5; measured 7e-8 and 8e-8).
 */
import * as tf from '@tensorflow/tfjs';
import { Matrix, solve } from 'ml-matrix';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { symmetricEigenvalues } from '../../src/linalg/dense.js';
import { initBackend } from '../../src/nn/backend.js';
import { sigmoid, softplus } from '../../src/nn/hyper.js';
import { softmax } from '../../src/nn/ops.js';
import { Rng } from '../../src/rng.js';
import { cosine, fullBatch, plainLogits, plainObjective, relativeError, type DenseLayout } from '../../src/tune/bestResponse.js';
import { curvatureOperator, iftJacobian } from '../../src/tune/iftJacobian.js';
import { logisticData, logisticDerivatives } from './logistic.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const U32 = 2 ** -24;
const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const randomVector = (n: number, rng: Rng, scale = 1): Float64Array => Float64Array.from({ length: n }, () => scale * rng.normal());

/** 1 on the kernels, 0 on the biases (the projector P as a mask). */
function kernelMask(layout: DenseLayout): Float64Array {
  const out: number[] = [];
  for (const [i, o] of layout) out.push(...new Array<number>(i * o).fill(1), ...new Array<number>(o).fill(0));
  return Float64Array.from(out);
}

describe('the operator against TensorFlow.js autodiff on a ReLU MLP', () => {
  const layout: DenseLayout = [[6, 5], [5, 4], [4, 3]];
  const size = 6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3;
  const rng = new Rng(7);
  const N = 9;
  const xs = Float32Array.from({ length: N * 6 }, () => rng.normal());
  const ys = Int32Array.from({ length: N }, () => rng.int(0, 2));
  const w = randomVector(size, rng, 0.7);
  const v = randomVector(size, rng);
  const decay = 0.03;
  const damping = 0.002;
  const mask = kernelMask(layout);

  test('Hessian product = tf.grad of ⟨∇L_T, v⟩; Gauss–Newton product = Jᵀ H_ℓ J v / N with J v by the double-vjp trick (+ dP + δ(I−P))', () => {
    const data = { x: tf.tensor2d(xs, [N, 6]), labels: tf.tensor1d(ys, 'int32') };
    const wt = tf.tensor1d(Float32Array.from(w));
    const vt = tf.tensor1d(Float32Array.from(v));
    const ce = (u: tf.Tensor): tf.Scalar => plainObjective(layout, u as tf.Tensor1D, data.x, data.labels, 0);
    const ceHv = tf.tidy(() => Array.from(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.grad(ce)(u), vt)) as tf.Scalar)(wt).dataSync()));
    const ceGv = tf.tidy(() => {
      const vjp = (u: tf.Tensor): tf.Tensor => tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(plainLogits(layout, ww as tf.Tensor1D, data.x), u)) as tf.Scalar)(wt);
      const jv = tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u), vt)) as tf.Scalar)(tf.zeros([N, 3]));
      const p = softmax(plainLogits(layout, wt, data.x));
      const hjv = tf.div(tf.sub(tf.mul(p, jv), tf.mul(p, tf.sum(tf.mul(p, jv), 1, true))), N);
      return Array.from(vjp(hjv).dataSync());
    });
    const extra = (i: number): number => (mask[i] ? decay : damping) * v[i];
    const hess = curvatureOperator(layout, w, data, { curvature: 'hessian', decay, biasDamping: damping });
    const gn = curvatureOperator(layout, w, data, { curvature: 'gauss-newton', decay, biasDamping: damping });
    const hv = hess.matvec(v);
    const gv = gn.matvec(v);
    const wantH = ceHv.map((x, i) => x + extra(i));
    const wantG = ceGv.map((x, i) => x + extra(i));
    expect(maxDiff(hv, wantH)).toBeLessThan(1e-5 * maxAbs(wantH));
    expect(maxDiff(gv, wantG)).toBeLessThan(1e-5 * maxAbs(wantG));
    // The residual term S is not small here: the two operators differ, so the first check can tell them apart.
    expect(maxDiff(hv, gv)).toBeGreaterThan(0.05 * maxAbs(wantG));
    // Both symmetric: ⟨u, A v⟩ = ⟨A u, v⟩.
    const u = randomVector(size, rng);
    for (const op of [hess, gn]) {
      const uav = op.matvec(v).reduce((a, x, i) => a + x * u[i], 0);
      const auv = op.matvec(u).reduce((a, x, i) => a + x * v[i], 0);
      expect(Math.abs(uav - auv)).toBeLessThan(1e-5 * Math.abs(uav) + 1e-6);
    }
    hess.dispose();
    gn.dispose();
    expect(() => gn.matvec(v)).toThrow(/operator/);
    tf.dispose([data.x, data.labels, wt, vt]);
  });

  test('positive definiteness along CG: Gauss–Newton with damping is, min pᵀAp/pᵀp ≥ min(d, δ); an indefinite Hessian stops CG with failedAt', () => {
    const data = { x: tf.tensor2d(xs, [N, 6]), labels: tf.tensor1d(ys, 'int32') };
    const before = tf.memory().numTensors;
    const lambda = Math.log(Math.expm1(decay)); // softplus⁻¹(d)
    const g = iftJacobian(layout, w, data, decay, sigmoid(lambda), { curvature: 'gauss-newton', biasDamping: damping, relTol: 1e-6, maxIterations: 400 });
    expect(g.positiveDefinite).toBe(true);
    expect(g.minRayleigh).toBeGreaterThanOrEqual(Math.min(decay, damping) * (1 - 1e-4));
    expect(g.failedAt).toBeNull();
    expect(g.residual).toBeLessThan(1e-3);
    const h = iftJacobian(layout, w, data, decay, sigmoid(lambda), { curvature: 'hessian', biasDamping: damping, relTol: 1e-6, maxIterations: 400 });
    // At this random point (not a minimiser) the exact Hessian of the CE has negative curvature larger than d.
    expect(h.positiveDefinite).toBe(false);
    expect(h.jacobian).toBeNull();
    expect(h.failedAt).not.toBeNull();
    expect(h.minRayleigh).toBeLessThanOrEqual(0);
    expect(g.failedBiasShare).toBeNull();
    // With the biases damped by δ = 1e3 ≫ ‖∇²CE‖, a direction of curvature ≤ 0 must lie almost only on the kernels.
    const hk = iftJacobian(layout, w, data, decay, sigmoid(lambda), { curvature: 'hessian', biasDamping: 1e3, relTol: 1e-6, maxIterations: 400 });
    expect(hk.failedAt).not.toBeNull();
    expect(hk.failedBiasShare).toBeLessThan(1e-2);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([data.x, data.labels]);
  });

  test('bad input is a typed error naming the argument', () => {
    const data = { x: tf.tensor2d(xs, [N, 6]), labels: tf.tensor1d(ys, 'int32') };
    expect(() => curvatureOperator(layout, w.subarray(1), data, { curvature: 'gauss-newton', decay })).toThrow(/\bw\b/);
    expect(() => curvatureOperator(layout, w, data, { curvature: 'newton' as 'hessian', decay })).toThrow(/curvature/);
    expect(() => curvatureOperator(layout, w, data, { curvature: 'gauss-newton', decay: -1 })).toThrow(/decay/);
    expect(() => curvatureOperator(layout, w, data, { curvature: 'gauss-newton', decay, biasDamping: NaN })).toThrow(/biasDamping/);
    expect(() => iftJacobian(layout, w, data, decay, NaN)).toThrow(InvalidArgumentError);
    expect(() => iftJacobian(layout, w, data, decay, 1, { maxIterations: 0 })).toThrow(/maxIterations/);
    const op = curvatureOperator(layout, w, data, { curvature: 'gauss-newton', decay });
    expect(() => op.matvec([1, 2])).toThrow(/\bv\b/);
    op.dispose();
    tf.dispose([data.x, data.labels]);
  });
});

describe('the Gauss–Newton IFT Jacobian by CG against the closed form on logistic regression', () => {
  const D = 5;
  const K = 3;
  const ds = logisticData(40, D, K, 11);
  const layout: DenseLayout = [[D, K]];
  const lambda = -2; // d = softplus(−2) ≈ 0.127
  const decay = softplus(lambda);
  const w = Float64Array.from({ length: D * K + K }, (_, i) => 0.4 * Math.sin(1.7 * i + 0.3));
  const rhs = Array.from(w, (v, q) => (q < D * K ? -sigmoid(lambda) * v : 0));

  for (const biasDamping of [0, 1e-2]) {
    test(`J_GN = −(G + dP${biasDamping ? ' + δ(I−P)' : ''})⁻¹ T′(λ) P w (δ = ${biasDamping}); the sign-flipped and the undecayed solutions are far`, () => {
      const data = fullBatch(ds);
      const r = iftJacobian(layout, w, data, decay, sigmoid(lambda), { curvature: 'gauss-newton', biasDamping, relTol: 1e-7, maxIterations: 200 });
      // A linear model: the exact Hessian equals Gauss–Newton; the Hessian path must give the same solution.
      const rh = iftJacobian(layout, w, data, decay, sigmoid(lambda), { curvature: 'hessian', biasDamping, relTol: 1e-7, maxIterations: 200 });
      tf.dispose([data.x, data.labels]);
      const { hess } = logisticDerivatives(ds, w, decay, biasDamping === 0 ? undefined : biasDamping);
      const want = solve(new Matrix(hess), Matrix.columnVector(rhs)).to1DArray();
      const eig = symmetricEigenvalues(hess);
      const kappa = Math.max(...eig) / Math.min(...eig);
      const tol = kappa * 8 * U32;
      expect(r.jacobian).not.toBeNull();
      const got = r.jacobian as Float64Array;
      expect(maxAbs(want)).toBeGreaterThan(0.05);
      expect(relativeError(got, want)).toBeLessThan(tol);
      expect(relativeError(rh.jacobian as Float64Array, want)).toBeLessThan(tol);
      expect(r.residual).toBeLessThan(1e-5);
      expect(r.positiveDefinite).toBe(true);
      // CG's first direction is b: the smallest Rayleigh quotient it saw is ≤ bᵀAb/bᵀb and ≥ λ_min(A) (float64 A).
      const ab = hess.map((row) => row.reduce((a, x, j) => a + x * rhs[j], 0));
      const rqB = ab.reduce((a, x, i) => a + x * rhs[i], 0) / rhs.reduce((a, x) => a + x * x, 0);
      expect(r.minRayleigh).toBeLessThanOrEqual(rqB * (1 + 1e-5));
      expect(r.minRayleigh).toBeGreaterThanOrEqual(Math.min(...eig) * (1 - 1e-4));
      expect(r.minRayleigh).toBeLessThan(0.9 * rqB); // later directions see lower curvature than b's
      // Negative controls: the closed form with the sign dropped, or without the d·P term, is far from the CG result.
      expect(relativeError(got, want.map((x) => -x))).toBeGreaterThan(1);
      const { hess: noDecay } = logisticDerivatives(ds, w, 0, biasDamping === 0 ? undefined : biasDamping);
      const withoutDecay = solve(new Matrix(noDecay), Matrix.columnVector(rhs)).to1DArray();
      expect(relativeError(got, withoutDecay)).toBeGreaterThan(100 * tol);
      expect(cosine(got, want)).toBeGreaterThan(1 - tol);
    });
  }
});
