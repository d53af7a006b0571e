/**
 * Batch normalisation for STN networks (src/nn/batchNorm.ts).
 *
 * - Training mode against a float64 reference written here: forward (batch statistics over all axes but the
 *   channels) and its JVP written the direct way (μ̇, v̇, then the quotient rule), the JVP itself checked
 *   against a central finite difference in float64 (tolerance policy: step √ε·scale, relative 1e-6); the
 *   float32 tangent is then checked against the float64 JVP (float32 rounding: 1e-4 of the JVP's scale).
 * - The float32 tangent equals the double-backward JVP of the float32 forward (vjp(u) = ∇_z⟨BN(z), u⟩,
 *   Jv = ∇_u⟨vjp(u), ż⟩), to 1e-5 of its scale, in both modes.
 * - Evaluation mode uses the running statistics; each training apply updates them with momentum m and the
 *   unbiased variance; the tangent pass does not update them; they are buffers, not w0: no optimizer sees them.
 * - The response branch (the module's documented choice): BN after an STN conv normalises the sum of general and
 *   response outputs (per-channel batch mean 0 and variance 1 with h_net ≠ 0), and a batch-common bias response
 *   is cancelled in training mode but not in evaluation mode.
 * - Typed errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { BatchNorm } from '../../src/nn/batchNorm.js';
import { StnConv2d } from '../../src/nn/layers.js';
import { Rng } from '../../src/rng.js';
import { FINITE_DIFFERENCE_REL_TOL, finiteDifferenceStep } from '../../src/tolerance.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const EPS = 1e-5;

function randn(n: number, rng: Rng, scale = 1, shift = 0): Float64Array {
  return Float64Array.from({ length: n }, () => shift + scale * rng.normal());
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** float64 training-mode BN over a flat array with C channels last: y, and the batch mean and (biased) variance. */
function bnRef(z: Float64Array, C: number, gamma: Float64Array, beta: Float64Array): { y: Float64Array; mean: Float64Array; variance: Float64Array } {
  const n = z.length / C;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let i = 0; i < z.length; i++) mean[i % C] += z[i] / n;
  for (let i = 0; i < z.length; i++) variance[i % C] += (z[i] - mean[i % C]) ** 2 / n;
  const y = z.map((v, i) => (gamma[i % C] * (v - mean[i % C])) / Math.sqrt(variance[i % C] + EPS) + beta[i % C]);
  return { y, mean, variance };
}

/** float64 JVP of {@link bnRef} in direction dz, the direct way: μ̇, v̇, then d/dt of γ(z − μ)(v + ϵ)^(−1/2). */
function bnJvpRef(z: Float64Array, dz: Float64Array, C: number, gamma: Float64Array): Float64Array {
  const n = z.length / C;
  const { mean, variance } = bnRef(z, C, gamma, new Float64Array(C));
  const dMean = new Float64Array(C);
  const dVar = new Float64Array(C);
  for (let i = 0; i < z.length; i++) dMean[i % C] += dz[i] / n;
  for (let i = 0; i < z.length; i++) dVar[i % C] += (2 * (z[i] - mean[i % C]) * (dz[i] - dMean[i % C])) / n;
  return z.map((v, i) => {
    const c = i % C;
    const s = variance[c] + EPS;
    return gamma[c] * ((dz[i] - dMean[c]) / Math.sqrt(s) - 0.5 * (v - mean[c]) * dVar[c] * s ** -1.5);
  });
}

/** A BN with random γ, β (so that the affine part is exercised). */
function randomBn(C: number, rng: Rng): { bn: BatchNorm; gamma: Float64Array; beta: Float64Array } {
  const bn = new BatchNorm(C, { name: 'bn-test' });
  const gamma = randn(C, rng, 0.5, 1);
  const beta = randn(C, rng, 0.5);
  bn.gamma.assign(tf.tensor1d(Float32Array.from(gamma)));
  bn.beta.assign(tf.tensor1d(Float32Array.from(beta)));
  // Values as the float32 variables hold them.
  return { bn, gamma: Float64Array.from(bn.gamma.dataSync()), beta: Float64Array.from(bn.beta.dataSync()) };
}

const SHAPES: [string, number[]][] = [
  ['NHWC [3, 4, 2, 3]', [3, 4, 2, 3]],
  ['dense [6, 4]', [6, 4]],
];

describe('training mode against a float64 reference', () => {
  for (const [label, shape] of SHAPES) {
    test(`${label}: forward, and the tangent = the float64 JVP (itself = a central FD)`, () => {
      const rng = new Rng(11);
      const C = shape[shape.length - 1];
      const size = shape.reduce((a, b) => a * b, 1);
      // Float32-representable inputs, so that the reference sees exactly what tfjs sees.
      const z = Float64Array.from(Float32Array.from(randn(size, rng, 2, 0.7)));
      const dz = Float64Array.from(Float32Array.from(randn(size, rng)));
      const { bn, gamma, beta } = randomBn(C, rng);
      const ref = bnRef(z, C, gamma, beta);
      const jvp = bnJvpRef(z, dz, C, gamma);
      // The float64 JVP against a central difference (tolerance policy).
      const h = finiteDifferenceStep(maxAbs(z));
      const plus = bnRef(z.map((v, i) => v + h * dz[i]), C, gamma, beta).y;
      const minus = bnRef(z.map((v, i) => v - h * dz[i]), C, gamma, beta).y;
      const fd = plus.map((v, i) => (v - minus[i]) / (2 * h));
      expect(maxDiff(fd, jvp)).toBeLessThan(FINITE_DIFFERENCE_REL_TOL * maxAbs(jvp));

      const zt = tf.tensor(Float32Array.from(z), shape);
      const dzt = tf.tensor(Float32Array.from(dz), shape);
      const marker = bn.sampleMask();
      const [y, dy] = bn.tangent(zt, dzt, null, marker);
      expect(maxDiff(y.dataSync(), ref.y)).toBeLessThan(1e-5 * maxAbs(ref.y));
      expect(maxDiff(dy.dataSync(), jvp)).toBeLessThan(1e-4 * maxAbs(jvp));
      // The batch-statistics terms matter: without them (the evaluation-mode formula at the batch's own
      // statistics) the tangent is far off.
      const naive = dz.map((v, i) => (gamma[i % C] * v) / Math.sqrt(ref.variance[i % C] + EPS));
      expect(maxDiff(naive, jvp)).toBeGreaterThan(0.05 * maxAbs(jvp));
      // The forward pass gives the same values as the tangent's primal, bit for bit.
      const yApply = bn.apply(zt, null, marker);
      expect(Array.from(yApply.dataSync())).toEqual(Array.from(y.dataSync()));
      tf.dispose([zt, dzt, marker, y, dy, yApply]);
      bn.dispose();
    });
  }
});

/** The double-backward JVP of z ↦ bn.apply(z) in direction dz. */
function doubleBackwardJvp(bn: BatchNorm, z: tf.Tensor, dz: tf.Tensor, mask: tf.Tensor | undefined): tf.Tensor {
  return tf.tidy(() => {
    const vjp = (u: tf.Tensor): tf.Tensor => tf.grad((zz: tf.Tensor) => tf.sum(tf.mul(bn.apply(zz, null, mask), u)))(z);
    return tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u), dz)))(tf.zerosLike(z));
  });
}

describe('tangent = double-backward JVP', () => {
  for (const mode of ['training', 'evaluation'] as const) {
    test(`${mode} mode, NHWC`, () => {
      const rng = new Rng(12);
      const shape = [4, 3, 3, 2];
      const size = shape.reduce((a, b) => a * b, 1);
      const { bn } = randomBn(2, rng);
      bn.runningMean.assign(tf.tensor1d([0.3, -0.2]));
      bn.runningVar.assign(tf.tensor1d([2, 0.5]));
      const z = tf.tensor(Float32Array.from(randn(size, rng, 1.5, 0.2)), shape);
      const dz = tf.tensor(Float32Array.from(randn(size, rng)), shape);
      const mask = mode === 'training' ? bn.sampleMask() : undefined;
      const [, dy] = bn.tangent(z, dz, null, mask);
      const db = doubleBackwardJvp(bn, z, dz, mask);
      const scale = maxAbs(dy.dataSync());
      expect(scale).toBeGreaterThan(0.1);
      expect(maxDiff(db.dataSync(), dy.dataSync())).toBeLessThan(1e-5 * scale);
      tf.dispose([z, dz, dy, db, ...(mask ? [mask] : [])]);
      bn.dispose();
    });
  }
});

describe('running statistics', () => {
  test('evaluation mode uses them; a training apply updates them with momentum m and the unbiased variance; the tangent pass does not', () => {
    const rng = new Rng(13);
    const C = 3;
    const shape = [5, 2, 2, C];
    const size = shape.reduce((a, b) => a * b, 1);
    const bn = new BatchNorm(C, { momentum: 0.25 });
    const z64 = Float64Array.from(Float32Array.from(randn(size, rng, 2, 1)));
    const z = tf.tensor(Float32Array.from(z64), shape);
    // Fresh: μ_run = 0, v_run = 1, so evaluation is z/√(1 + ϵ).
    const y0 = bn.apply(z, null, undefined);
    expect(maxDiff(y0.dataSync(), z64.map((v) => v / Math.sqrt(1 + EPS)))).toBeLessThan(1e-6 * maxAbs(z64));
    const marker = bn.sampleMask();
    // The tangent pass leaves them alone.
    const [ty, tdy] = bn.tangent(z, z, null, marker);
    expect(Array.from(bn.runningMean.dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(bn.runningVar.dataSync())).toEqual([1, 1, 1]);
    const y1 = bn.apply(z, null, marker);
    const { mean, variance } = bnRef(z64, C, new Float64Array(C).fill(1), new Float64Array(C));
    const n = size / C;
    const wantMean = mean.map((m) => 0.25 * m);
    const wantVar = variance.map((v) => 0.75 + (0.25 * v * n) / (n - 1));
    expect(maxDiff(bn.runningMean.dataSync(), wantMean)).toBeLessThan(1e-6 * maxAbs(wantMean));
    expect(maxDiff(bn.runningVar.dataSync(), wantVar)).toBeLessThan(1e-6 * maxAbs(wantVar));
    // Evaluation now uses the updated statistics.
    const rm = Float64Array.from(bn.runningMean.dataSync());
    const rv = Float64Array.from(bn.runningVar.dataSync());
    const y2 = bn.apply(z, null, undefined);
    const want2 = z64.map((v, i) => (v - rm[i % C]) / Math.sqrt(rv[i % C] + EPS));
    expect(maxDiff(y2.dataSync(), want2)).toBeLessThan(1e-5 * maxAbs(want2));
    tf.dispose([z, y0, marker, ty, tdy, y1, y2]);
    bn.dispose();
  });

  test('in training mode γ and β (w0) have gradients; the running statistics are buffers, outside w0', () => {
    const rng = new Rng(14);
    const bn = new BatchNorm(2);
    const z = tf.tensor(Float32Array.from(randn(16, rng)), [4, 2, 1, 2]);
    const marker = bn.sampleMask();
    const p = bn.parameters();
    expect(p.general).toEqual([bn.gamma, bn.beta]);
    expect(p.response).toEqual([]);
    expect(p.buffers).toEqual([bn.runningMean, bn.runningVar]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(bn.apply(z, null, marker), 0.3))) as tf.Scalar, p.general);
    expect(Object.keys(grads).length).toBe(2);
    expect(maxAbs(grads[bn.beta.name].dataSync())).toBeGreaterThan(0.1);
    tf.dispose([z, marker, value, grads]);
    bn.dispose();
  });
});

describe('around the response branch: BN normalises the sum of general and response outputs', () => {
  function convBn(rng: Rng): { conv: StnConv2d; bn: BatchNorm; x: tf.Tensor } {
    const conv = new StnConv2d(2, 3, 3, { hyperDim: 2, rng, pad: 1, name: 'c' });
    for (const v of conv.parameters().response) v.assign(tf.tensor(Float32Array.from(randn(v.size, rng, 0.5)), v.shape));
    const bn = new BatchNorm(3);
    const x = tf.tensor(Float32Array.from(randn(4 * 5 * 5 * 2, rng)), [4, 5, 5, 2]);
    return { conv, bn, x };
  }

  test('training mode: per-channel batch mean 0 and variance 1 with per-example h_net ≠ 0 (the response is inside the statistics)', () => {
    const rng = new Rng(15);
    const { conv, bn, x } = convBn(rng);
    const hnet = tf.tensor2d(Float32Array.from(randn(8, rng, 2)), [4, 2]);
    const marker = bn.sampleMask();
    const y = bn.apply(conv.apply(x, hnet), null, marker);
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    expect(maxAbs(mean.dataSync())).toBeLessThan(1e-5);
    // Biased variance v/(v + ϵ) ≈ 1.
    expect(maxDiff(variance.dataSync(), [1, 1, 1])).toBeLessThan(1e-3);
    // The response does change the output (it is normalised, not removed).
    const y0 = bn.apply(conv.apply(x, null), null, marker);
    expect(maxDiff(y.dataSync(), y0.dataSync())).toBeGreaterThan(0.1);
    tf.dispose([hnet, marker, y, mean, variance, y0, x]);
    conv.parameters().general.concat(conv.parameters().response).forEach((v) => v.dispose());
    bn.dispose();
  });

  test('a batch-common bias response (same h row for every example, U_w = 0) is cancelled in training mode, not in evaluation mode', () => {
    const rng = new Rng(16);
    const { conv, bn, x } = convBn(rng);
    conv.bottleneckWeight.assign(tf.zeros(conv.bottleneckWeight.shape));
    const hnet = tf.tile(tf.tensor2d([[1.5, -0.8]]), [4, 1]) as tf.Tensor2D;
    const marker = bn.sampleMask();
    const train = (h: tf.Tensor2D | null): Float32Array => tf.tidy(() => bn.apply(conv.apply(x, h), null, marker).dataSync() as Float32Array);
    const evaluate = (h: tf.Tensor2D | null): Float32Array => tf.tidy(() => bn.apply(conv.apply(x, h), null, undefined).dataSync() as Float32Array);
    const base = train(null);
    expect(maxDiff(train(hnet), base)).toBeLessThan(1e-5 * maxAbs(base));
    expect(maxDiff(evaluate(hnet), evaluate(null))).toBeGreaterThan(0.1);
    tf.dispose([hnet, marker, x]);
    conv.parameters().general.concat(conv.parameters().response).forEach((v) => v.dispose());
    bn.dispose();
  });
});

describe('errors', () => {
  test('bad construction arguments, a channel mismatch, one value per channel in training mode', () => {
    expect(() => new BatchNorm(0)).toThrow(InvalidArgumentError);
    expect(() => new BatchNorm(2, { momentum: 0 })).toThrow(/momentum/);
    expect(() => new BatchNorm(2, { epsilon: -1 })).toThrow(/epsilon/);
    const bn = new BatchNorm(3);
    const x = tf.zeros([2, 4]);
    expect(() => bn.apply(x, null, undefined)).toThrow(ShapeMismatchError);
    const one = tf.ones([1, 3]);
    const marker = bn.sampleMask();
    expect(() => bn.apply(one, null, marker)).toThrow(/more than one value per channel/);
    // Evaluation mode is defined for a single example.
    const y = bn.apply(one, null, undefined);
    expect(y.shape).toEqual([1, 3]);
    expect(() => bn.tangent(one, tf.zeros([1, 2]), null, undefined)).toThrow(ShapeMismatchError);
    tf.dispose([x, one, marker, y]);
    bn.dispose();
  });
});
