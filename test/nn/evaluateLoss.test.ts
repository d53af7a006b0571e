/**
 * The trainer reports L_V in the model's own loss (issue 15): a squared-loss model's evaluation is
 * (1/B) Σ_i ½‖f_i − e_{y_i}‖², summed here in float64 from the read-back logits, not the cross-entropy of the
 * same logits (which the trainer reported before it asked the model for its loss).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { initBackend } from '../../src/nn/backend.js';
import { HyperSpace, weightDecaySpec } from '../../src/nn/hyper.js';
import { linear } from '../../src/nn/models.js';
import { Trainer } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';
import { syntheticImages } from './synthetic.js';

beforeAll(async () => {
  await initBackend('cpu');
});

test('a squared-loss model is evaluated with the squared loss (float64 oracle from its logits), not cross-entropy', () => {
  const K = 3;
  const train = syntheticImages(24, 31, K);
  const val = syntheticImages(20, 32, K);
  const model = linear({ inputs: 784, classes: K, objectiveHyperparameters: 1, rng: new Rng(4), loss: 'squared' });
  const trainer = new Trainer(model, new HyperSpace([weightDecaySpec('weight_decay', { init: 1e-3 })]), { train, val }, { method: 'fixed', epochs: 1, batchSize: 8, seed: 3 });
  try {
    const got = trainer.evaluate(val).loss;
    const logits = tf.tidy(() => model.forward(tf.tensor2d(val.images, [val.size, 784]), { hnet: null, masks: new Map(), hyper: null }));
    const f = logits.arraySync() as number[][];
    logits.dispose();
    let squared = 0;
    let ce = 0;
    f.forEach((row, i) => {
      const y = val.labels[i];
      squared += 0.5 * row.reduce((s, v, k) => s + (v - (k === y ? 1 : 0)) ** 2, 0);
      const m = Math.max(...row);
      ce += m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[y];
    });
    squared /= val.size;
    ce /= val.size;
    // float32 forward and sums against the float64 sums of the same float32 logits (design: float32 vs float64).
    expect(Math.abs(got - squared)).toBeLessThanOrEqual(1e-5 * Math.max(1, squared));
    expect(Math.abs(got - ce)).toBeGreaterThan(1e-3);
  } finally {
    trainer.dispose();
    model.dispose();
  }
});
