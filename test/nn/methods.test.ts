/**
 * The network engine's method interface (src/nn/methods/): the registry is consistent with the trainer's
 * vocabulary, each method's declared structure (centered, joint weights, hyper steps, architecture) is what its
 * steps do, and the engine's one noise sampler and one seed derivation keep their contracts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../src/nn/backend.js';
import { HyperSpace, dropConnectSpec, dropoutSpec, inputDropoutSpec } from '../../src/nn/hyper.js';
import { NETWORK_METHODS, NN_METHODS, isDarts } from '../../src/nn/methods/index.js';
import { mlp } from '../../src/nn/models.js';
import { Trainer, type NnMethod } from '../../src/nn/trainer.js';
import { syntheticImages } from './synthetic.js';
import { Rng, deriveSeed, epochSeeds } from '../../src/rng.js';

const CLASSES = 3;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('registry', () => {
  test('every method is registered under its own name; the DARTS methods are exactly those that need architecture weights', () => {
    expect(NN_METHODS).toEqual(['fixed', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized', 'darts1', 'darts2']);
    for (const name of NN_METHODS) expect(NETWORK_METHODS[name].name).toBe(name);
    expect(NN_METHODS.filter(isDarts)).toEqual(['darts1', 'darts2']);
    expect(NN_METHODS.filter((m) => !NETWORK_METHODS[m].centered)).toEqual(['stn']);
    expect(NN_METHODS.filter((m) => NETWORK_METHODS[m].jointWeights)).toEqual(['stn', 'centered-stn']);
    expect(NN_METHODS.filter((m) => !NETWORK_METHODS[m].tunesHyperparameters)).toEqual(['fixed']);
  });
});

describe('each method does what it declares', () => {
  const data = { train: syntheticImages(16, 1), val: syntheticImages(8, 2) };
  const space = (): HyperSpace => new HyperSpace([inputDropoutSpec('d0'), dropoutSpec('d1')]);

  /** One train step; which parameter groups moved (w0 = general, Θ = response). */
  function moved(method: NnMethod): { general: boolean; response: boolean } {
    const model = mlp({ inputs: 784, hidden: [8], classes: CLASSES, rng: new Rng(3) });
    const t = new Trainer(model, space(), data, { method, epochs: 1, batchSize: 8, seed: 1 });
    const { general, response } = model.parameters();
    const before = [general, response].map((vs) => vs.map((v) => Float32Array.from(v.dataSync())));
    t.trainStep(Int32Array.from({ length: 8 }, (_, i) => i), new Rng(9));
    const changed = (vs: tf.Variable[], old: Float32Array[]): boolean => vs.some((v, i) => v.dataSync().some((x, j) => x !== old[i][j]));
    const out = { general: changed(general, before[0]), response: changed(response, before[1]) };
    t.dispose();
    model.dispose();
    return out;
  }

  test('fixed trains w0 only; STN and centered STN train w0 and Θ jointly; Δ-STN trains both, in two steps', () => {
    expect(moved('fixed')).toEqual({ general: true, response: false });
    for (const m of ['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const) expect(moved(m)).toEqual({ general: true, response: true });
  });

  test('evaluation reads h_net = λ only for the uncentered STN: moving λ changes its loss and no centered method\'s', () => {
    for (const method of ['stn', 'centered-stn', 'delta-stn'] as const) {
      const model = mlp({ inputs: 784, hidden: [8], classes: CLASSES, rng: new Rng(3) });
      const t = new Trainer(model, space(), data, { method, epochs: 1, batchSize: 8, seed: 1 });
      // Θ must be non-zero for h_net to matter: one joint/response step makes it so.
      t.trainStep(Int32Array.from({ length: 8 }, (_, i) => i), new Rng(9));
      const a = t.evaluate(data.val).loss;
      t.state.lambda = t.state.lambda.map((l) => l + 0.5);
      const b = t.evaluate(data.val).loss;
      if (NETWORK_METHODS[method].centered) expect(b).toBe(a);
      else expect(b).not.toBe(a);
      t.dispose();
      model.dispose();
    }
  });
});

describe('one noise sampler', () => {
  const s = new HyperSpace([dropoutSpec('a'), dropConnectSpec('c'), dropoutSpec('b')]);

  test('a minibatch coordinate shares row 0\'s draw; per-example rows draw every coordinate, in row-major order', () => {
    const shared = s.sampleNoise(4, new Rng(5));
    for (const row of shared) expect(row[1]).toBe(shared[0][1]);
    expect(new Set(shared.map((r) => r[0])).size).toBe(4);
    const perExample = s.sampleNoise(4, new Rng(5), { perExample: true });
    const rng = new Rng(5);
    expect(perExample).toEqual(Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => rng.normal())));
    expect(new Set(perExample.map((r) => r[1])).size).toBe(4);
  });

  test('samplePerturbed draws its n_i from the sampler: ε_i = σ ⊙ n_i with the same stream', () => {
    const lambda = [0.1, -0.2, 0.3];
    const raw = [0.4, -0.5, 0.6];
    const p = s.samplePerturbed(lambda, raw, 5, new Rng(8));
    expect(p.noise).toEqual(s.sampleNoise(5, new Rng(8)));
    const sigma = s.scale(raw);
    p.perturbation.forEach((row, i) => row.forEach((e, k) => expect(e).toBe(sigma[k] * p.noise[i][k])));
  });

  test('a batch size that is not a positive integer is a typed error', () => {
    expect(() => s.sampleNoise(0, new Rng(1))).toThrow(/batch/);
  });
});

describe('one seed derivation', () => {
  test('deriveSeed is pure, 31-bit, and separates streams and indices', () => {
    expect(deriveSeed(3, 'stn', 1)).toBe(deriveSeed(3, 'stn', 1));
    const seeds = new Set<number>();
    for (const stream of ['stn', 'delta-stn', 'random', 'stn:suggest']) for (let i = 0; i < 50; i++) seeds.add(deriveSeed(3, stream, i));
    expect(seeds.size).toBe(200);
    for (const v of seeds) expect(v >= 0 && v < 2 ** 31 && Number.isInteger(v)).toBe(true);
  });

  test('epochSeeds gives distinct train and validation streams per epoch, safe integers for every derived seed', () => {
    const all = new Set<number>();
    for (let e = 0; e < 100; e++) {
      const { train, val } = epochSeeds(12345, e);
      all.add(train).add(val);
    }
    expect(all.size).toBe(200);
    const worst = epochSeeds(2 ** 31 - 1, 10_000);
    expect(Number.isSafeInteger(worst.val)).toBe(true);
  });

  test('an epoch of the trainer draws from epochSeeds(seed, epoch): a trainer resumed at epoch 1 repeats epoch 1', () => {
    const data = { train: syntheticImages(16, 1), val: syntheticImages(8, 2) };
    const make = (): Trainer => new Trainer(mlp({ inputs: 784, hidden: [8], classes: CLASSES, rng: new Rng(3) }), new HyperSpace([inputDropoutSpec('d0'), dropoutSpec('d1')]), data, { method: 'delta-stn', epochs: 2, batchSize: 8, trainSteps: 1, seed: 4 });
    const a = make();
    a.runEpoch();
    const saved = a.snapshot();
    const first = a.runEpoch();
    const b = make();
    b.restore(saved);
    const again = b.runEpoch();
    expect('stopped' in first || 'stopped' in again).toBe(false);
    if (!('stopped' in first) && !('stopped' in again)) {
      expect(again.lambda).toEqual(first.lambda);
      expect(again.val.loss).toBe(first.val.loss);
    }
    for (const t of [a, b]) {
      t.dispose();
      t.model.dispose();
    }
  });
});
