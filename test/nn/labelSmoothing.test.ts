/**
 * Label smoothing as a kind of the training objective alone (issue 15): example i's target is
 * (1 − a_i)·e_{y_i} + a_i/K with its own perturbed a_i (per example), in the cross-entropy and in the squared
 * loss (float64 oracles); one train step with smoothing a moves the output bias by exactly lr·a·mean_i(e_{y_i} − 1/K)
 * less than the same step without it (closed form of ∂CE/∂logits = softmax − t); and the hyper step's L_V is the
 * unsmoothed loss. Each goes red when the kind is ignored or leaks into L_V.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { HyperSpace, dropoutSpec, inputDropoutSpec, labelSmoothingSpec } from '../../src/nn/hyper.js';
import type { StnDense } from '../../src/nn/layers.js';
import { modelLoss } from '../../src/nn/methods/steps.js';
import { linear, mlp } from '../../src/nn/models.js';
import { Trainer } from '../../src/nn/trainer.js';
import { buildModel } from '../../src/tune/factory.js';
import { Rng } from '../../src/rng.js';
import { syntheticImages } from './synthetic.js';

const CLASSES = 3;
const data = { train: syntheticImages(16, 1), val: syntheticImages(8, 2) };
const idx = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  await initBackend('cpu');
});

/** Float64 oracle: mean_i of −Σ_k t_ik log softmax(z_i)_k or ½‖z_i − t_i‖², t_i = (1 − a_i)e_{y_i} + a_i/K. */
function reference(z: number[][], y: number[], a: number[], loss: 'cross-entropy' | 'squared'): number {
  const K = z[0].length;
  const per = z.map((row, i) => {
    const t = row.map((_, k) => (1 - a[i]) * (k === y[i] ? 1 : 0) + a[i] / K);
    if (loss === 'squared') return 0.5 * row.reduce((s, v, k) => s + (v - t[k]) ** 2, 0);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return -row.reduce((s, v, k) => s + t[k] * (v - lse), 0);
  });
  return per.reduce((s, v) => s + v, 0) / per.length;
}

describe('the loss at smoothed targets', () => {
  test('cross-entropy and squared loss with a per-example a_i equal the float64 oracle (float32, 1e-6 relative)', () => {
    const rng = new Rng(7);
    const B = 6;
    const z = Array.from({ length: B }, () => Array.from({ length: CLASSES }, () => 3 * rng.normal()));
    const y = Array.from({ length: B }, () => rng.int(0, CLASSES - 1));
    const a = [0, 0.05, 0.3, 0.9, 1, 0.5];
    const model = { ce: mlp({ inputs: 4, hidden: [], classes: CLASSES, rng }), sq: linear({ inputs: 4, classes: CLASSES, rng, objectiveHyperparameters: 1 }) };
    for (const [m, kind] of [[model.ce, 'cross-entropy'], [model.sq, 'squared']] as const) {
      expect(m.loss).toBe(kind);
      const got = tf.tidy(() => modelLoss(m, tf.tensor2d(z), tf.tensor1d(y, 'int32'), a).dataSync()[0]);
      const want = reference(z, y, a, kind);
      expect(Math.abs(got - want), kind).toBeLessThan(1e-6 * Math.abs(want));
      // Different a_i give a different loss (the smoothing is read per example).
      const flat = tf.tidy(() => modelLoss(m, tf.tensor2d(z), tf.tensor1d(y, 'int32'), a.map(() => 0.3)).dataSync()[0]);
      expect(Math.abs(flat - want)).toBeGreaterThan(1e-3);
    }
    expect(() => tf.tidy(() => modelLoss(model.ce, tf.tensor2d(z), tf.tensor1d(y, 'int32'), [0.1]))).toThrow(/smoothing/);
    model.ce.dispose();
    model.sq.dispose();
  });

  test('a = 0 is the one-hot loss; the spec is per example, in [0, 1]; a range past 1 is a typed error', () => {
    const rng = new Rng(8);
    const z = [[0.3, -1, 2], [1, 1, -0.5]];
    const m = mlp({ inputs: 4, hidden: [], classes: CLASSES, rng });
    const [plain, zero] = tf.tidy(() => [modelLoss(m, tf.tensor2d(z), tf.tensor1d([2, 0], 'int32')).dataSync()[0], modelLoss(m, tf.tensor2d(z), tf.tensor1d([2, 0], 'int32'), [0, 0]).dataSync()[0]]);
    expect(Math.abs(zero - plain)).toBeLessThan(1e-6 * plain);
    m.dispose();
    const s = new HyperSpace([labelSmoothingSpec()]);
    expect(s.specs[0].perturb).toBe('example');
    expect(s.specs[0].range).toEqual([0, 1]);
    expect(() => new HyperSpace([labelSmoothingSpec('ls', { range: [0, 2] })])).toThrow(InvalidArgumentError);
  });
});

describe('in the steps', () => {
  const space = (a: number): HyperSpace => new HyperSpace([inputDropoutSpec('d0', { init: 0.01 }), dropoutSpec('d1', { init: 0.01 }), labelSmoothingSpec('label_smoothing', { init: a })]);

  /** The output layer's bias after one `fixed` train step at smoothing a (lr 0.1, first step: momentum buffer = g). */
  function outputBias(a: number): { before: Float32Array; after: Float32Array; labels: Int32Array } {
    const model = mlp({ inputs: 784, hidden: [6], classes: CLASSES, rng: new Rng(3), objectiveHyperparameters: 1 });
    const t = new Trainer(model, space(a), data, { method: 'fixed', epochs: 1, batchSize: 8, lrWeights: 0.1, seed: 1 });
    const out = model.layers()[1] as StnDense;
    const before = Float32Array.from(out.bias.dataSync());
    t.trainStep(idx(8), new Rng(4));
    const after = Float32Array.from(out.bias.dataSync());
    t.dispose();
    model.dispose();
    return { before, after, labels: data.train.labels.slice(0, 8) };
  }

  test('one train step: the output bias moves by lr·a·mean_i(e_{y_i} − 1/K) less than at a ≈ 0', () => {
    const a = 0.4;
    const tiny = 1e-9;
    const s = outputBias(a);
    const b = outputBias(tiny);
    expect(Array.from(s.before)).toEqual(Array.from(b.before));
    for (let k = 0; k < CLASSES; k++) {
      const share = Array.from(s.labels).filter((l) => l === k).length / s.labels.length;
      // ∂CE/∂b_k = mean_i(p_ik − t_ik): the smoothing adds −(a − tiny)·mean_i(1/K − e_{y_i})_k to it.
      const want = -0.1 * (a - tiny) * (share - 1 / CLASSES);
      expect(Math.abs(s.after[k] - b.after[k] - want), `class ${k}`).toBeLessThan(1e-5 * Math.abs(want) + 1e-7);
    }
  });

  test('L_V is unsmoothed: the hyper step reports the one-hot cross-entropy at w0, whatever a', () => {
    const losses = [1e-6, 0.5].map((a) => {
      const model = mlp({ inputs: 784, hidden: [6], classes: CLASSES, rng: new Rng(3), objectiveHyperparameters: 1 });
      const t = new Trainer(model, space(a), data, { method: 'delta-stn', epochs: 1, batchSize: 8, tuneScales: false, seed: 1 });
      const reported = t.hyperStep(idx(8), new Rng(2));
      const logits = tf.tidy(() => Array.from(model.forward(tf.tensor2d(data.val.images.slice(0, 8 * 784), [8, 784]), { hnet: null, masks: new Map() }).dataSync()));
      const z = Array.from({ length: 8 }, (_, i) => logits.slice(i * CLASSES, (i + 1) * CLASSES));
      const y = Array.from(data.val.labels.slice(0, 8));
      expect(Math.abs(reported - reference(z, y, y.map(() => 0), 'cross-entropy'))).toBeLessThan(1e-5);
      expect(Math.abs(reported - reference(z, y, y.map(() => a), 'cross-entropy'))).toBeGreaterThan(a > 0.1 ? 1e-3 : 0);
      t.dispose();
      model.dispose();
      return reported;
    });
    expect(losses[1]).toBe(losses[0]);
  });
});

test('--hparams label_smoothing=A adds it after weight decay to any model, and the model counts it', () => {
  const { model, space } = buildModel({ model: 'mlp', width: 0.01, seed: 0, hparams: { weight_decay: 1e-3, label_smoothing: 0.1 } });
  expect(space.names.slice(-2)).toEqual(['weight_decay', 'label_smoothing']);
  expect(space.specs[space.index('label_smoothing')].kind).toBe('label-smoothing');
  expect(space.hyperValues(space.initialLambda())[space.index('label_smoothing')]).toBeCloseTo(0.1, 12);
  expect(model.hyperDim).toBe(space.h);
  model.dispose();
});
