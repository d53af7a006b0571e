/**
 * Weight decay as a hyperparameter of the training objective only (issue 15): the per-example kernel norm the
 * penalty uses equals the norm of explicitly built kernels (float64 oracle); a train step with decay d moves
 * w0 by exactly lr·d·W_gen more than the same step without it (closed form of the penalty's gradient); the hyper
 * step's L_V carries no penalty (λ_decay moves only through the response); and decay shrinks the weights over
 * an epoch. Each test goes red when the kind is ignored (the penalty dropped from the steps).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { HyperSpace, dropoutSpec, inputDropoutSpec, weightDecaySpec } from '../../src/nn/hyper.js';
import { StnConv2d, StnDense } from '../../src/nn/layers.js';
import { mlp, simpleCnn } from '../../src/nn/models.js';
import { Trainer, type NnMethod } from '../../src/nn/trainer.js';
import { syntheticImages } from './synthetic.js';
import { Rng } from '../../src/rng.js';

const CLASSES = 3;
const data = { train: syntheticImages(16, 1), val: syntheticImages(8, 2) };
const idx = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  await initBackend('cpu');
});

/** Gives the bottleneck U_w random entries (it starts at 0, where the response part of the norm vanishes). */
function randomize(v: tf.Variable, rng: Rng): void {
  v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => rng.normal()), v.shape));
}

describe('kernel norm at the per-example weights', () => {
  test('dense and conv layers: Σ_j ‖W_gen^(j) + s_ij W_resp^(j)‖² against kernels built one by one in float64', () => {
    const rng = new Rng(5);
    for (const layer of [new StnDense(5, 4, { hyperDim: 3, rng }), new StnConv2d(2, 3, 3, { hyperDim: 3, rng })]) {
      randomize(layer.bottleneckWeight, rng);
      const hRows = Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => rng.normal()));
      const got = Array.from(layer.kernelNormSquared(tf.tensor2d(hRows)).dataSync());
      const W = Array.from(layer.weight.dataSync(), Number);
      const R = Array.from(layer.responseWeight.dataSync(), Number);
      const U = Array.from(layer.bottleneckWeight.dataSync(), Number);
      const out = layer.weight.shape[layer.weight.shape.length - 1];
      const want = hRows.map((h) => {
        const s = Array.from({ length: out }, (_, j) => h.reduce((a, hk, k) => a + hk * U[k * out + j], 0));
        // Unit j of a kernel stored [..., out] is every out-th entry, starting at j.
        return W.reduce((a, w, e) => a + (w + s[e % out] * R[e]) ** 2, 0);
      });
      got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(1e-5 * want[i]));
      const plain = layer.kernelNormSquared(null).dataSync()[0];
      expect(Math.abs(plain - W.reduce((a, w) => a + w * w, 0))).toBeLessThan(1e-5 * plain);
    }
  });

  test('the network sums its layers', () => {
    const model = mlp({ inputs: 784, hidden: [6], classes: CLASSES, rng: new Rng(2), objectiveHyperparameters: 1 });
    const total = model.kernelNormSquared(null).dataSync()[0];
    const parts = model.layers().reduce((a, l) => a + l.kernelNormSquared(null).dataSync()[0], 0);
    expect(Math.abs(total - parts)).toBeLessThan(1e-5 * total);
    expect(model.hyperDim).toBe(3);
    model.dispose();
  });
});

describe('the training objective', () => {
  const space = (decay: number): HyperSpace => new HyperSpace([inputDropoutSpec('d0', { init: 0.01 }), dropoutSpec('d1', { init: 0.01 }), weightDecaySpec('weight_decay', { init: decay })]);

  /** W_gen of every layer after one train step of `method` at weight decay `decay`, and before. */
  function oneStep(method: NnMethod, decay: number, cnn = false): { before: Float32Array[]; after: Float32Array[] } {
    const model = cnn
      ? simpleCnn({ channels: [2, 3], fc: 5, classes: CLASSES, rng: new Rng(3), hyperDim: 4, objectiveHyperparameters: 1 })
      : mlp({ inputs: 784, hidden: [6], classes: CLASSES, rng: new Rng(3), objectiveHyperparameters: 1 });
    const s = cnn
      ? new HyperSpace([...['c0', 'c1', 'c2'].map((n) => dropoutSpec(n, { init: 0.01 })), dropoutSpec('fc', { init: 0.01 }), weightDecaySpec('weight_decay', { init: decay })])
      : space(decay);
    const t = new Trainer(model, s, data, { method, epochs: 1, batchSize: 8, lrWeights: 0.1, seed: 1 });
    const kernels = (): Float32Array[] => model.layers().map((l) => Float32Array.from((l as StnDense).weight.dataSync()));
    const before = kernels();
    t.trainStep(idx(8), new Rng(4));
    const after = kernels();
    t.dispose();
    model.dispose();
    return { before, after };
  }

  test('fixed and Δ-STN (general step), MLP and SimpleCNN: W_gen moves by lr·d·W_gen more than at d ≈ 0', () => {
    const d = 0.5;
    for (const [method, cnn] of [['fixed', false], ['delta-stn', false], ['fixed', true]] as const) {
      const a = oneStep(method, d, cnn);
      const b = oneStep(method, 1e-12, cnn);
      a.after.forEach((w, l) => {
        let worst = 0;
        let scale = 0;
        w.forEach((v, e) => {
          const want = -0.1 * (d - 1e-12) * a.before[l][e];
          worst = Math.max(worst, Math.abs(v - b.after[l][e] - want));
          scale = Math.max(scale, Math.abs(want));
        });
        // float32: the two steps round their CE gradients identically; the difference is the penalty's, to 1e-4 relative.
        expect(worst, `${method}${cnn ? ' cnn' : ''} layer ${l}`).toBeLessThan(1e-4 * scale + 1e-7);
      });
    }
  });

  test('a second weight-decay hyperparameter is a typed error (one decay scales every kernel)', () => {
    const model = mlp({ inputs: 784, hidden: [6], classes: CLASSES, rng: new Rng(3), objectiveHyperparameters: 2 });
    const s = new HyperSpace([inputDropoutSpec('d0'), dropoutSpec('d1'), weightDecaySpec('wd1'), weightDecaySpec('wd2')]);
    expect(() => new Trainer(model, s, data, { method: 'delta-stn', epochs: 1 })).toThrow(InvalidArgumentError);
    model.dispose();
  });

  test('L_V has no penalty: at Θ = 0 the hyper step leaves λ_decay where it is, and its loss does not depend on d', () => {
    const losses: number[] = [];
    for (const d of [1e-6, 10]) {
      const model = mlp({ inputs: 784, hidden: [6], classes: CLASSES, rng: new Rng(3), objectiveHyperparameters: 1 });
      const t = new Trainer(model, space(d), data, { method: 'delta-stn', epochs: 1, batchSize: 8, tuneScales: false, seed: 1 });
      const before = [...t.state.lambda];
      losses.push(t.hyperStep(idx(8), new Rng(2)));
      expect(t.state.lambda[2]).toBe(before[2]);
      t.dispose();
      model.dispose();
    }
    expect(losses[1]).toBe(losses[0]);
  });

  test('over an epoch, a large decay leaves smaller kernels than a tiny one (STN, Δ-STN linearized)', () => {
    for (const method of ['stn', 'delta-stn-linearized'] as const) {
      const norms = [1e-8, 2].map((d) => {
        const model = mlp({ inputs: 784, hidden: [6], classes: CLASSES, rng: new Rng(3), objectiveHyperparameters: 1 });
        const t = new Trainer(model, space(d), data, { method, epochs: 1, batchSize: 4, lrWeights: 0.05, seed: 1 });
        t.runEpoch();
        const n = model.kernelNormSquared(null).dataSync()[0];
        t.dispose();
        model.dispose();
        return n;
      });
      expect(norms[1], method).toBeLessThan(0.9 * norms[0]);
    }
  });
});
