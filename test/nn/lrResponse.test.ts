/**
 * Θ's own learning rate (`TrainerConfig.lrResponse`, issue 13): Δ-STN's first response step moves Θ by exactly
 * lrResponse · g_Θ (momentum buffers start empty), so doubling lrResponse doubles the step while w0's step is
 * unchanged; a milestone scales Θ's rate with α (the ratio is kept, and a restored run keeps it); the joint methods
 * refuse a separate value.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { HyperSpace, dropoutSpec } from '../../src/nn/hyper.js';
import { mlp } from '../../src/nn/models.js';
import { Trainer, type TrainerConfig } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';
import { syntheticImages } from './synthetic.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const data = { train: syntheticImages(32, 41), val: syntheticImages(16, 42) };

function build(config: Partial<TrainerConfig>): { trainer: Trainer; free: () => void } {
  const model = mlp({ hidden: [8], classes: 3, rng: new Rng(9) });
  const trainer = new Trainer(model, new HyperSpace([dropoutSpec('dropout0'), dropoutSpec('dropout1')]), data, { method: 'delta-stn', epochs: 2, batchSize: 16, seed: 2, lrWeights: 0.05, ...config });
  return { trainer, free: () => { trainer.dispose(); model.dispose(); } };
}

/** Θ's and w0's displacement after one train step. */
function firstStep(config: Partial<TrainerConfig>): { dTheta: number[]; dW: number[] } {
  const { trainer, free } = build(config);
  try {
    const before = trainer.snapshot();
    trainer.trainStep(Int32Array.from({ length: 16 }, (_, i) => i), new Rng(7));
    const after = trainer.snapshot();
    const model = (trainer as unknown as { general: tf.Variable[] }).general.length;
    const diff = (from: number, to: number): number[] => after.weights.slice(from, to).flatMap((w, i) => Array.from(w, (v, j) => v - before.weights[from + i][j]));
    return { dW: diff(0, model), dTheta: diff(model, after.weights.length) };
  } finally {
    free();
  }
}

describe('lrResponse', () => {
  test('doubling Θ\'s rate doubles its first step and leaves w0\'s alone', () => {
    const a = firstStep({});
    const b = firstStep({ lrResponse: 0.1 });
    const norm = Math.max(...a.dTheta.map(Math.abs));
    expect(norm).toBeGreaterThan(0);
    // float32 products lr·g: 2× within a few ulps of the step (design: float32 against a float64 relation).
    a.dTheta.forEach((d, i) => expect(Math.abs(b.dTheta[i] - 2 * d)).toBeLessThanOrEqual(1e-5 * norm));
    expect(b.dW).toEqual(a.dW);
  });

  test('a milestone scales Θ\'s rate with α; a restore keeps the ratio', () => {
    const { trainer, free } = build({ lrResponse: 0.2, lrMilestones: [1], lrGamma: 0.5 });
    try {
      trainer.runEpoch();
      const rate = (t: Trainer): number => (t as unknown as { optResponse: { learningRate: number } }).optResponse.learningRate;
      expect(trainer.state.learningRate).toBeCloseTo(0.025, 9);
      expect(rate(trainer)).toBeCloseTo(0.1, 7);
      const other = build({ lrResponse: 0.2, lrMilestones: [1], lrGamma: 0.5 });
      try {
        other.trainer.restore(trainer.snapshot());
        expect(rate(other.trainer)).toBeCloseTo(0.1, 7);
      } finally {
        other.free();
      }
    } finally {
      free();
    }
  });

  test('bad values and the joint methods are typed errors', () => {
    for (const v of [0, -1, Number.NaN, Infinity]) expect(() => build({ lrResponse: v })).toThrow(InvalidArgumentError);
    expect(() => build({ method: 'stn', lrResponse: 0.1 })).toThrow(/lrResponse/);
    expect(() => build({ method: 'centered-stn', lrResponse: 0.05 }).free()).not.toThrow();
  });
});
