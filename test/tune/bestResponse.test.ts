/**
 * The best-response measurement's machinery (src/tune/bestResponse.ts, issue 17), each part against an oracle that
 * does not share its code:
 * - the flat weights at h_net and the response direction θ against the network's own forward pass (float32);
 * - the L-BFGS retraining and the finite-difference Jacobian against the implicit-function theorem in closed form
 *   on multinomial logistic regression with weight decay (float64 Hessian, ml-matrix solve):
 *   J = −(∇²L_T)⁻¹ T′(λ) [W*; 0], T′ = sigmoid for d = softplus(λ);
 * - the end-to-end record on a tiny MLP: L_V at the method's flat weights equals the trainer's own evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import { Matrix, solve } from 'ml-matrix';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { softplus, sigmoid } from '../../src/nn/hyper.js';
import { Rng } from '../../src/rng.js';
import { cosine, deadInputs, defaultBestResponseConfig, difference, effectiveWeights, fullBatch, layoutOf, measureBestResponse, plainLogits, relativeError, responseDirection, retrain, weightDecayMlp, type DenseLayout } from '../../src/tune/bestResponse.js';
import { syntheticImages } from '../nn/synthetic.js';
import { logisticData, logisticDerivatives } from './logistic.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Gives every response variable random entries (U starts at 0, where θ vanishes). */
function randomizeResponse(model: ReturnType<typeof weightDecayMlp>['model'], rng: Rng): void {
  for (const v of model.parameters().response) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => rng.normal()), v.shape));
}

const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('the weights at h_net and the response direction', () => {
  test('plain logits at effectiveWeights(h) equal the network forward at h_net = h; θ = ŵ(h + 1) − ŵ(h)', () => {
    const rng = new Rng(3);
    const { model } = weightDecayMlp({ sizes: [6, 5, 4, 3], decay: 1e-2, seed: 1 });
    randomizeResponse(model, rng);
    const layout = layoutOf(model);
    const h = 0.7;
    const xs = Array.from({ length: 9 }, () => Array.from({ length: 6 }, () => rng.normal()));
    const got = tf.tidy(() => Array.from(plainLogits(layout, tf.tensor1d(Float32Array.from(effectiveWeights(model, [h]))), tf.tensor2d(xs)).dataSync()));
    const want = tf.tidy(() => Array.from(model.forward(tf.tensor2d(xs), { hnet: tf.tensor2d(xs.map(() => [h])), masks: new Map() }).dataSync()));
    expect(relativeError(got, want)).toBeLessThan(1e-5); // float32 against float32, two orders of summation
    const theta = responseDirection(model, 0);
    const step = difference(effectiveWeights(model, [h + 1]), effectiveWeights(model, [h]));
    expect(maxAbs(theta)).toBeGreaterThan(0.1);
    expect(relativeError(step, theta)).toBeLessThan(1e-5); // the weights are linear in h
    model.dispose();
  });

  test('deadInputs: the pixels that are 0 in every image (their kernel rows have best response 0 under decay)', () => {
    const images = Float32Array.from([0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3]); // 3 images of 4 pixels: only the last lights pixel 3
    expect(deadInputs({ name: 'd', images, labels: Int32Array.from([0, 1, 0]), shape: [1, 4, 1], classes: 2, size: 3 })).toEqual([0]);
  });

  test('bad input is a typed error naming the argument', () => {
    const { model } = weightDecayMlp({ sizes: [4, 2], decay: 1e-2, seed: 0 });
    expect(() => effectiveWeights(model, [0, 1])).toThrow(InvalidArgumentError);
    expect(() => effectiveWeights(model, [NaN])).toThrow(/hnet/);
    expect(() => responseDirection(model, 1)).toThrow(/\bk\b/);
    expect(() => retrain(layoutOf(model), new Float64Array(3), { x: tf.zeros([1, 4]), labels: tf.tensor1d([0], 'int32') }, 0.1)).toThrow(/start/);
    expect(() => weightDecayMlp({ decay: 0, seed: 0 })).toThrow(/decay/);
    expect(() => cosine([1, 2], [1])).toThrow(InvalidArgumentError);
    model.dispose();
  });
});

describe('retraining and the finite-difference Jacobian against the implicit-function theorem', () => {
  test('logistic regression with weight decay: w* is stationary (float64 gradient) and the central difference matches −H⁻¹ T′(λ)[W*; 0]', () => {
    const D = 5;
    const K = 3;
    const ds = logisticData(40, D, K, 11);
    const layout: DenseLayout = [[D, K]];
    const data = fullBatch(ds);
    const lambda = -2; // d = softplus(−2) ≈ 0.127
    const eps = 0.05;
    const opts = { gradTol: 1e-6, maxIterations: 200 };
    const start = Float64Array.from({ length: D * K + K }, (_, i) => 0.1 * Math.sin(i));
    const base = retrain(layout, start, data, softplus(lambda), opts);
    const plus = retrain(layout, base.weights, data, softplus(lambda + eps), opts);
    const minus = retrain(layout, base.weights, data, softplus(lambda - eps), opts);
    tf.dispose([data.x, data.labels]);
    for (const [r, l] of [[base, lambda], [plus, lambda + eps], [minus, lambda - eps]] as const) {
      // The float64 gradient of the objective the retraining was given (float32 evaluation: ~1e-6 left).
      expect(maxAbs(logisticDerivatives(ds, r.weights, softplus(l)).grad)).toBeLessThan(2e-5);
    }
    // L-BFGS, not gradient descent: on this 18-parameter problem it converges in tens of iterations (12 measured).
    expect(base.iterations).toBeLessThan(40);
    const { hess } = logisticDerivatives(ds, base.weights, softplus(lambda));
    const rhs = Array.from(base.weights, (v, q) => (q < D * K ? -sigmoid(lambda) * v : 0));
    const jIft = solve(new Matrix(hess), Matrix.columnVector(rhs)).to1DArray();
    const jFd = difference(plus.weights, minus.weights, 2 * eps);
    expect(maxAbs(jIft)).toBeGreaterThan(0.05);
    expect(cosine(jFd, jIft)).toBeGreaterThan(0.999);
    // Central difference: O(ε²) truncation; float32 retraining: ‖δw‖ ≲ 1e-5/d over 2ε.
    expect(relativeError(jFd, jIft)).toBeLessThan(0.02);
  });
});

describe('the measurement end to end (tiny MLP, synthetic images)', () => {
  test('a finite record whose L_V at the method\'s flat weights is the trainer\'s own validation loss', async () => {
    const data = { train: syntheticImages(24, 1), val: syntheticImages(12, 2), test: syntheticImages(12, 3) };
    for (const method of ['stn', 'delta-stn'] as const) {
      const config = defaultBestResponseConfig(method, { sizes: [784, 6, 3], epochs: 2, batchSize: 8, lrWeights: 0.05, lrHyper: 0.05, epsilons: [0.5], retrain: { gradTol: 1e-4, maxIterations: 8 }, ift: { biasDamping: 1e-4, relTol: 1e-5, maxIterations: 10, hessian: true } });
      const r = await measureBestResponse(config, data);
      expect(r.format).toBe('deltastn.best-response');
      // STN evaluates at w0 + Θλ (λ ≈ −6.9 here), the centered methods at w0: the flat weights must be those.
      expect(Math.abs(r.methodValLoss - r.val.loss)).toBeLessThan(1e-5 * Math.max(1, r.val.loss));
      expect(r.thetaNorm).toBeGreaterThan(0);
      expect(r.steps.map((s) => s.epsilon)).toEqual([0.5, -0.5]);
      for (const s of r.steps) expect([s.cosine, s.relativeError, s.predictedDeltaVal, s.measuredDeltaVal, s.retrain.gradNorm].every(Number.isFinite)).toBe(true);
      expect(r.central).toHaveLength(1);
      expect(Number.isFinite(r.central[0].cosine) && Math.abs(r.central[0].cosine) <= 1 + 1e-12).toBe(true);
      // Step 5: Gauss–Newton at w_m with δ and with δ = 0, the Hessian at w_m with δ and δ = d; Gauss–Newton and the Hessian (δ, d) at w*(λ).
      expect(r.ift.map((s) => [s.point, s.curvature, s.biasDamping])).toEqual([['method', 'gauss-newton', 1e-4], ['method', 'gauss-newton', 0], ['method', 'hessian', 1e-4], ['method', 'hessian', r.decay], ['retrained', 'gauss-newton', 1e-4], ['retrained', 'hessian', 1e-4], ['retrained', 'hessian', r.decay]]);
      for (const s of r.ift.filter((x) => x.curvature === 'gauss-newton')) {
        expect(s.positiveDefinite).toBe(true);
        expect([s.norm, s.thetaCosine, s.thetaRelativeError, s.thetaNormRatio, s.predictedHypergradient, s.residual].every(Number.isFinite)).toBe(true);
        expect(s.central).toHaveLength(1);
        expect(Math.abs(s.thetaCosine as number)).toBeLessThanOrEqual(1 + 1e-12);
      }
      expect(r.ift[1].versusFirst?.cosine).toBeGreaterThan(0.9); // δ = 1e-4 against δ = 0: the damping barely moves J
      expect(tf.memory().numTensors).toBeLessThan(200);
    }
  });
});
