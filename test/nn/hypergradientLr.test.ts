/**
 * The weights' learning rate tuned by hypergradient descent in the network engine (issue 15): the optimizer moves α
 * by exactly β⟨g_t, u_{t−1}⟩ before each step (checked against the same sums done in float64 on the read-back
 * tensors), not at all at β = 0 or on the first step; the trainer reports the tuned α, checkpoints it, and a
 * resumed run repeats the uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { HyperSpace, dropoutSpec, inputDropoutSpec } from '../../src/nn/hyper.js';
import { mlp } from '../../src/nn/models.js';
import { MomentumSgd } from '../../src/nn/optimizers.js';
import { Trainer } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';
import { syntheticImages } from './synthetic.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const vec = (values: number[]): tf.Tensor => tf.tensor1d(values);

describe('MomentumSgd with hypergradient descent', () => {
  test('α_{t+1} = α_t + β⟨g_{t+1}, u_t⟩ with u the momentum buffer; the first step leaves α alone', () => {
    const v = tf.variable(vec([1, -2, 0.5]), true, `hd-test#${Math.random()}`);
    const beta = 0.05;
    const opt = new MomentumSgd([v], 0.1, 0.9, { hypergradientBeta: beta });
    const grads = [[0.3, -0.1, 0.2], [0.25, 0.05, -0.4], [-0.2, 0.3, 0.1]];
    let alpha = 0.1;
    let u: number[] | null = null;
    for (const g of grads) {
      if (u) alpha = Math.max(0, alpha + beta * g.reduce((s, x, i) => s + x * u![i], 0));
      const prev: number[] | null = u;
      u = prev ? g.map((x, i) => 0.9 * prev[i] + x) : g;
      const gt = vec(g);
      opt.step([gt]);
      gt.dispose();
      const got = opt.learningRateTensor()!.dataSync()[0];
      expect(Math.abs(got - alpha)).toBeLessThan(1e-6 * Math.abs(alpha));
    }
    opt.dispose();
    v.dispose();
  });

  test('β = 0 keeps α; no β means no device copy; a bad β is a typed error', () => {
    const v = tf.variable(vec([1, 2]), true, `hd-test#${Math.random()}`);
    const opt = new MomentumSgd([v], 0.1, 0.9, { hypergradientBeta: 0 });
    for (const g of [[1, 1], [1, -1], [2, 0]]) {
      const gt = vec(g);
      opt.step([gt]);
      gt.dispose();
    }
    expect(opt.learningRateTensor()!.dataSync()[0]).toBeCloseTo(0.1, 7);
    opt.dispose();
    expect(new MomentumSgd([v], 0.1).learningRateTensor()).toBeNull();
    expect(() => new MomentumSgd([v], 0.1, 0.9, { hypergradientBeta: -1 })).toThrow(InvalidArgumentError);
    v.dispose();
  });
});

describe('the trainer with a tuned learning rate', () => {
  const data = { train: syntheticImages(32, 1), val: syntheticImages(8, 2) };
  const make = (beta: number | undefined): Trainer =>
    new Trainer(mlp({ inputs: 784, hidden: [8], classes: 3, rng: new Rng(3) }), new HyperSpace([inputDropoutSpec('d0'), dropoutSpec('d1')]), data, { method: 'delta-stn', epochs: 3, batchSize: 8, trainSteps: 2, seed: 4, lrWeights: 0.05, hypergradientBeta: beta });

  test('the log reports the tuned α (it moves from lrWeights; without β it stays), and a resumed run repeats the uninterrupted one', () => {
    const fixed = make(undefined);
    const a = fixed.runEpoch();
    expect('stopped' in a ? NaN : a.learningRate).toBe(0.05);
    const tuned = make(0.01);
    const e0 = tuned.runEpoch();
    const saved = tuned.snapshot();
    const e1 = tuned.runEpoch();
    if ('stopped' in e0 || 'stopped' in e1) throw new Error('stopped');
    expect(e0.learningRate).not.toBe(0.05);
    const resumed = make(0.01);
    resumed.restore(saved);
    const again = resumed.runEpoch();
    if ('stopped' in again) throw new Error('stopped');
    expect(again.learningRate).toBe(e1.learningRate);
    expect(again.lambda).toEqual(e1.lambda);
    for (const t of [fixed, tuned, resumed]) {
      t.dispose();
      t.model.dispose();
    }
  });
});
