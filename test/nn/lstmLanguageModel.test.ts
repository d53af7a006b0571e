/**
 * The STN LSTM language model and its training loop (src/nn/languageModel.ts) on a slice of Moby Dick
 * (character level): every method trains (finite losses, the validation loss falls), the gradient is clipped, a
 * checkpoint resumes exactly (and an epoch leaks no tensor), the
 * masks have the reference's structure (locked across time, DropConnect per minibatch, embedding rows), the
 * carried state continues a stream exactly, and bad input gets typed errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../../src/errors.js';
import { loadTextCorpus, splitText, type TextSplit } from '../../src/data/text.js';
import { initBackend } from '../../src/nn/backend.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.js';
import { LanguageModel, LanguageModelTrainer, languageModelSpace, type LanguageModelTrainerConfig } from '../../src/nn/languageModel.js';
import type { NnMethod } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';

let split: TextSplit;
let slice: { train: Int32Array; val: Int32Array; test: Int32Array };

beforeAll(async () => {
  await initBackend('wasm');
  split = splitText('moby-dick', loadTextCorpus('moby-dick'), 3);
  slice = { train: split.train.slice(0, 4 * 21), val: split.val.slice(0, 4 * 9), test: split.test.slice(0, 4 * 5) };
});

afterAll(async () => {
  await initBackend('wasm');
});

/** Global norm of the change between two weight snapshots. */
function distance(a: Float32Array[], b: Float32Array[]): number {
  let s = 0;
  a.forEach((w, i) => w.forEach((v, j) => (s += (v - b[i][j]) ** 2)));
  return Math.sqrt(s);
}

const tiny = (seed = 1, layers = 1, bptt = 4): LanguageModel => new LanguageModel({ vocabulary: split.vocab.size, embedding: 6, hidden: 8, layers, bptt, rng: new Rng(seed) });

/** A trainer on the slice: 4 streams, 5 windows of 4 per epoch, a hyper step after every train step. */
function trainer(method: NnMethod, config: Partial<LanguageModelTrainerConfig> = {}, seed = 1, layers = 1): LanguageModelTrainer {
  const model = tiny(seed, layers);
  // Dropout rates 0.2 so every mask matters; a large learning rate so that a few steps show.
  const space = languageModelSpace({ dropoute: 0.2, dropouti: 0.2, dropouth: 0.2, dropouto: 0.2, wdrop: 0.2 });
  return new LanguageModelTrainer(model, space, slice, { method, epochs: 2, batchSize: 4, evalBatchSize: 4, trainSteps: 1, lrWeights: 3, clip: 1, seed: 5, ...config });
}

describe('LanguageModelTrainer', () => {
  const methods: NnMethod[] = ['fixed', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'];
  for (const method of methods) {
    test(`${method}: finite losses; one epoch brings the validation loss below the untrained model's; λ moves when tuned`, () => {
      const t = trainer(method);
      const initial = t.evaluate('val').loss;
      const first = t.runEpoch();
      if ('stopped' in first) throw new Error(first.stopped);
      for (const ev of [first.train, first.val, first.test!]) {
        expect(Number.isFinite(ev.loss)).toBe(true);
        expect(ev.perplexity).toBeCloseTo(Math.exp(ev.loss), 10);
        expect(ev.accuracy).toBeGreaterThanOrEqual(0);
      }
      expect(first.val.loss).toBeLessThan(initial);
      expect(first.trainSteps).toBe(5);
      if (method === 'fixed') expect(first.hyperSteps).toBe(0);
      else {
        expect(first.hyperSteps).toBe(5);
        expect(first.lambda).not.toEqual(t.space.initialLambda());
      }
      t.dispose();
      t.model.dispose();
    });
  }

  test('the weights\' gradient is clipped to its global norm: 5 plain SGD steps move them at most 5·lr·clip', () => {
    const moved = (clip: number): number => {
      const t = trainer('fixed', { clip, lrWeights: 1, epochs: 1 });
      const w0 = t.snapshot().weights;
      t.runEpoch();
      const d = distance(t.snapshot().weights, w0);
      t.dispose();
      t.model.dispose();
      return d;
    };
    const clipped = moved(1e-3);
    expect(clipped).toBeLessThanOrEqual(5 * 1e-3 * (1 + 1e-4));
    expect(clipped).toBeGreaterThan(1e-4);
    expect(moved(Infinity)).toBeGreaterThan(10 * 5 * 1e-3);
  });

  test('the training steps carry the state window to window: frozen weights, no dropout → mean step loss = sequential evaluation', () => {
    // Dropout rates of 1e-9 (masks exactly 1 in float32) and a learning rate that cannot move a float32 weight.
    const space = languageModelSpace({ dropoute: 1e-9, dropouti: 1e-9, dropouth: 1e-9, dropouto: 1e-9, wdrop: 1e-9 });
    const t = new LanguageModelTrainer(tiny(2, 2), space, slice, { method: 'fixed', epochs: 1, batchSize: 4, evalBatchSize: 4, lrWeights: 1e-30, seed: 5 });
    const w0 = t.snapshot().weights;
    const log = t.runEpoch();
    if ('stopped' in log) throw new Error(log.stopped);
    expect(t.snapshot().weights).toEqual(w0);
    const sequential = t.evaluate('train');
    expect(Math.abs(log.trainStepLoss - sequential.loss)).toBeLessThan(1e-6 * sequential.loss);
    t.dispose();
    t.model.dispose();
  });

  test('a checkpoint after epoch 1 resumes exactly: epoch 2 of the resumed run equals the uninterrupted one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lm-ckpt-'));
    try {
      const a = trainer('delta-stn-linearized', { momentum: 0.9 });
      const first = a.runEpoch();
      saveCheckpoint(dir, a.snapshot(), { note: 'test' });
      const tensors = tf.memory().numTensors; // the optimizers' buffers exist from the first step on
      const straight = a.runEpoch();
      // No tensor leaks from an epoch (the carried states, masks and evaluation rows are freed) …
      expect(tf.memory().numTensors).toBe(tensors);
      // … and the second epoch improves on the first.
      if ('stopped' in first || 'stopped' in straight) throw new Error('stopped');
      expect(straight.val.loss).toBeLessThan(first.val.loss);
      const b = trainer('delta-stn-linearized', { momentum: 0.9 }, 99); // other initial weights, overwritten by the restore
      b.restore(loadCheckpoint(dir).state);
      const resumed = b.runEpoch();
      if ('stopped' in resumed) throw new Error('stopped');
      expect(resumed.val).toEqual(straight.val);
      expect(resumed.train).toEqual(straight.train);
      expect(resumed.lambda).toEqual(straight.lambda);
      expect(resumed.rawScale).toEqual(straight.rawScale);
      expect(b.snapshot().weights).toEqual(a.snapshot().weights);
      for (const t of [a, b]) {
        t.dispose();
        t.model.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LanguageModel', () => {
  test('masks: locked across time (one per sequence), DropConnect and embedding masks per minibatch, seeded', () => {
    const model = tiny(1, 2, 10);
    const T = model.bptt;
    const B = 3;
    const rows = Array.from({ length: T * B }, (_, r) => [0.3, 0.1 + 0.2 * (r % B), 0.5, 0.5, 0.4]);
    const masks = model.sampleMasks(rows, new Rng(7));
    const again = model.sampleMasks(rows, new Rng(7));
    const shapes = [...masks.entries()].map(([k, m]) => [k, m.shape]);
    expect(shapes).toEqual([
      [0, [model.vocabulary, 1]],
      [1, [B, 6]],
      [100, [B, 8]],
      [2, [B, 8]],
      [200, [8, 32]],
      [201, [8, 32]],
    ]);
    for (const [k, m] of masks) expect(m.dataSync()).toEqual(again.get(k)!.dataSync());
    // Input dropout at each sequence's own rate: the kept entries are 1/(1 − p_b) in row b.
    const input = masks.get(1)!.arraySync() as number[][];
    input.forEach((row, b) => row.forEach((v) => expect([0, Math.fround(1 / (1 - (0.1 + 0.2 * b)))]).toContain(v)));
    for (const m of [...masks.values(), ...again.values()]) m.dispose();
    expect(() => model.sampleMasks(rows.slice(0, 7), new Rng(1))).toThrow(InvalidArgumentError);
    model.dispose();
  });

  test('the carried state continues a stream: two windows of 5 from the carried state = one window of 10', () => {
    const model = tiny(1, 2);
    const B = 2;
    const tokens = Array.from({ length: 10 * B }, (_, i) => (i * 7) % model.vocabulary);
    const whole = tf.tensor2d(tokens, [10, B], 'int32');
    const first = tf.tensor2d(tokens.slice(0, 5 * B), [5, B], 'int32');
    const second = tf.tensor2d(tokens.slice(5 * B), [5, B], 'int32');
    const r = model.run(whole, null, new Map(), null);
    const r1 = model.run(first, null, new Map(), null);
    const r2 = model.run(second, null, new Map(), r1.state);
    const joined = tf.concat([r1.logits, r2.logits], 0);
    const err = tf.max(tf.abs(tf.sub(joined, r.logits))).dataSync()[0];
    expect(err).toBeLessThan(1e-5);
    // …and from zeros instead the second window differs (the state matters).
    const cold = model.run(second, null, new Map(), null);
    expect(tf.max(tf.abs(tf.sub(cold.logits, r2.logits))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([whole, first, second, r.logits, r1.logits, r2.logits, joined, cold.logits, ...[r, r1, r2, cold].flatMap((q) => q.state.flatMap((s) => [s.h, s.c]))]);
    model.dispose();
  });

  test('typed errors: float tokens, wrong hnet rows, a space without the five hyperparameters, bad sizes', () => {
    const model = tiny();
    const x = tf.zeros([4, 2]);
    expect(() => model.forward(x, { hnet: null, masks: new Map() })).toThrow(ShapeMismatchError);
    const xi = tf.zeros([4, 2], 'int32');
    const bad = tf.zeros([3, model.hyperDim]) as tf.Tensor2D;
    expect(() => model.forward(xi, { hnet: bad, masks: new Map() })).toThrow(/ctx\.hnet/);
    tf.dispose([x, xi, bad]);
    expect(() => new LanguageModel({ vocabulary: 1, rng: new Rng(1) })).toThrow(InvalidArgumentError);
    expect(() => new LanguageModelTrainer(model, languageModelSpace(), { train: Int32Array.of(1, 2, 3, 4, 5, 6), val: slice.val }, { method: 'fixed', epochs: 1, batchSize: 2 })).toThrow(/data\.train/);
    expect(() => new LanguageModelTrainer(model, languageModelSpace(), { train: slice.train, val: Int32Array.of(0, 1e6, ...slice.val) }, { method: 'fixed', epochs: 1 })).toThrow(/data\.val\[1\]/);
    expect(() => new LanguageModelTrainer(model, languageModelSpace(), slice, { method: 'darts1', epochs: 1 })).toThrow(/method/);
    // 36 validation tokens are no window of 4 for 10 evaluation streams.
    expect(() => new LanguageModelTrainer(model, languageModelSpace(), slice, { method: 'fixed', epochs: 1, batchSize: 4, evalBatchSize: 10 })).toThrow(/data\.val.*10 streams/);
    model.dispose();
  });
});
