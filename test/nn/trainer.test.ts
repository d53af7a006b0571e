/**
 * The trainer (src/nn/trainer.ts) and the `tune` command's library half (src/cli/tune.ts), on a tiny slice of
 * the embedded MNIST (256 train / 128 validation / 128 test digits) with a tiny MLP 784-16-12-10.
 *
 * - PT-13 (iii), per method: a Δ-STN train step moves the general variables exactly as the plain ('fixed')
 *   step does, bit for bit (so its response step leaves them alone), the plain step leaves every response
 *   variable bit-identical, STN and centered STN move both; a hyper step moves λ and s and no weight.
 * - End to end (4 epochs, batch 32): the training loss falls and λ moves for delta-stn and stn; for 'fixed'
 *   λ and s never move.
 * - Determinism (same seed → identical logs and weights), resume-equals-uninterrupted through
 *   saveCheckpoint/loadCheckpoint into a new model and trainer (bitwise on cpu and on wasm), including the
 *   momentum buffers, the λ/s optimizer moments and a learning-rate milestone.
 * - Forced divergence stops with a message and keeps the last good state, including a response step that
 *   diverges while the general loss stays finite.
 * - On wasm (the default backend): one step of every method on a tiny SimpleCNN matches cpu (conv gradients
 *   on wasm come from ops.ts), and a short CNN run resumes bit for bit.
 * - tune.ts: parseHparams errors, buildModel per model (hyperDim = space.h), unknown names are typed errors,
 *   runTune writes log.jsonl, the checkpoint and summary.json, and its --resume path repeats the numbers.
 *
 * Exactness: on one backend every operation is deterministic and single-threaded, so "the same numbers"
 * means bitwise equality (toEqual on Float32Array / float64 numbers), not a tolerance. Only the cpu-vs-wasm
 * comparison uses one (see that test).
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildModel, parseHparams, runTune, type TuneConfig } from '../../src/cli/tune.js';
import type { Dataset } from '../../src/data/dataset.js';
import { mnistSplit } from '../../src/data/mnist.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.js';
import { HyperSpace, channelDropoutSpec, cutoutHolesSpec, cutoutLengthSpec, dropoutSpec, entropyTf, inputDropoutSpec } from '../../src/nn/hyper.js';
import { mlp, simpleCnn, type StnNetwork } from '../../src/nn/models.js';
import { MomentumSgd, VectorOptimizer } from '../../src/nn/optimizers.js';
import { oneHotCrossEntropy, stopGradient } from '../../src/nn/ops.js';
import { Trainer, type EpochLog, type NnMethod, type TrainerConfig, type TrainerData, type TrainerState } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';

const root = mkdtempSync(join(tmpdir(), 'deltastn-trainer-'));
let dirs = 0;
const freshDir = (): string => join(root, `r${dirs++}`);

let data: TrainerData;

beforeAll(async () => {
  await initBackend('cpu'); // (also silences the cpu backend's one-time banner)
  const s = mnistSplit(2020, { train: 256, val: 128, test: 128 });
  data = { train: s.train, val: s.val, test: s.test };
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const mlpSpace = (): HyperSpace => new HyperSpace([inputDropoutSpec('dropout_input'), dropoutSpec('dropout1'), dropoutSpec('dropout2')]);

interface Run {
  model: StnNetwork;
  trainer: Trainer;
  free: () => void;
}

function makeMlp(method: NnMethod, config: Partial<TrainerConfig> = {}, d: TrainerData = data): Run {
  const model = mlp({ rng: new Rng(17), hidden: [16, 12] });
  const trainer = new Trainer(model, mlpSpace(), d, { method, epochs: 4, batchSize: 32, trainSteps: 2, seed: 5, ...config });
  return {
    model,
    trainer,
    free: () => {
      trainer.dispose();
      model.dispose();
    },
  };
}

const cnnSpace = (): HyperSpace =>
  new HyperSpace([channelDropoutSpec('dropout0'), channelDropoutSpec('dropout1'), channelDropoutSpec('dropout2'), dropoutSpec('dropout_fc'), cutoutLengthSpec(), cutoutHolesSpec()]);

function makeCnn(method: NnMethod, d: TrainerData, config: Partial<TrainerConfig> = {}): Run {
  const model = simpleCnn({ rng: new Rng(18), channels: [2, 3], fc: 8 });
  const trainer = new Trainer(model, cnnSpace(), d, { method, epochs: 2, batchSize: 16, trainSteps: 2, seed: 6, ...config });
  return {
    model,
    trainer,
    free: () => {
      trainer.dispose();
      model.dispose();
    },
  };
}

/** A log without its wall time (the only field that may differ between identical runs). */
function strip(log: EpochLog | { stopped: string }): Omit<EpochLog, 'seconds'> {
  if ('stopped' in log) throw new Error(`unexpected stop: ${log.stopped}`);
  const { seconds, ...rest } = log;
  expect(seconds).toBeGreaterThanOrEqual(0);
  return rest;
}

function runEpochs(t: Trainer, n: number): Omit<EpochLog, 'seconds'>[] {
  return Array.from({ length: n }, () => strip(t.runEpoch()));
}

const U32 = 2 ** -24;

const idx = (n: number, from = 0): Int32Array => Int32Array.from({ length: n }, (_, i) => from + i);

/** general / response weights of a snapshot (the model's parameter order: all general, then all response). */
function split(run: Run, s: TrainerState = run.trainer.snapshot()): { general: Float32Array[]; response: Float32Array[] } {
  const g = run.model.parameters().general.length;
  return { general: s.weights.slice(0, g), response: s.weights.slice(g) };
}

const same = (a: Float32Array[], b: Float32Array[]): boolean => a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => Object.is(v, b[i][j])));

describe('optimizers (PyTorch conventions, docs/math.md#s1-5)', () => {
  test('MomentumSgd: buf ← μ·buf + g, p ← p − lr·buf; state round trip; argument errors', () => {
    const v = tf.variable(tf.tensor1d([1, -2]));
    const opt = new MomentumSgd([v], 0.5, 0.9);
    expect(opt.state()).toEqual([]);
    const g1 = tf.tensor1d([0.25, 1]);
    const g2 = tf.tensor1d([-0.5, 2]);
    opt.step([g1]); // buf = g1 = (0.25, 1); p = (1 − 0.125, −2 − 0.5)
    expect(Array.from(v.dataSync())).toEqual([0.875, -2.5]);
    opt.step([g2]); // buf = 0.9·(0.25, 1) + (−0.5, 2) = (−0.275, 2.9); p −= 0.5·buf
    const want = [0.875 + 0.5 * 0.275, -2.5 - 0.5 * 2.9].map(Math.fround);
    Array.from(v.dataSync()).forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThanOrEqual(2 * U32 * Math.abs(want[i])));
    const saved = opt.state().map((a) => a.slice());
    const other = new MomentumSgd([v], 0.5, 0.9);
    other.setState(saved);
    expect(other.state()).toEqual(saved);
    expect(() => opt.step([])).toThrow(InvalidArgumentError);
    expect(() => other.setState([new Float32Array(3)])).toThrow(InvalidArgumentError);
    expect(() => new MomentumSgd([v], 0)).toThrow(InvalidArgumentError);
    expect(() => new MomentumSgd([v], 0.1, 1)).toThrow(InvalidArgumentError);
    opt.dispose();
    other.dispose();
    tf.dispose([v, g1, g2]);
  });

  test('VectorOptimizer: RMSprop (α = 0.99) and Adam (β = 0.9, 0.999, bias-corrected) against the formulas; state round trip', () => {
    const gs = [
      [0.5, -2],
      [1.5, 0.25],
      [-1, 1],
    ];
    const rms = new VectorOptimizer('rmsprop', 2, 0.01);
    const adam = new VectorOptimizer('adam', 2, 0.01);
    let [xr, xa] = [
      [1, 2],
      [1, 2],
    ];
    const v = [0, 0];
    const m = [0, 0];
    const va = [0, 0];
    let wantR = [1, 2];
    let wantA = [1, 2];
    gs.forEach((g, t) => {
      wantR = wantR.map((x, i) => {
        v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
        return x - (0.01 * g[i]) / (Math.sqrt(v[i]) + 1e-8);
      });
      wantA = wantA.map((x, i) => {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        va[i] = 0.999 * va[i] + 0.001 * g[i] * g[i];
        return x - (0.01 * (m[i] / (1 - 0.9 ** (t + 1)))) / (Math.sqrt(va[i] / (1 - 0.999 ** (t + 1))) + 1e-8);
      });
      xr = rms.step(xr, g);
      xa = adam.step(xa, g);
      xr.forEach((x, i) => expect(x).toBeCloseTo(wantR[i], 14));
      xa.forEach((x, i) => expect(x).toBeCloseTo(wantA[i], 14));
    });
    const copy = new VectorOptimizer('adam', 2, 0.01);
    copy.setState(adam.state());
    expect(copy.step([0, 0], [1, 1])).toEqual(adam.step([0, 0], [1, 1]));
    expect(() => new VectorOptimizer('sgd' as 'adam', 2, 0.01)).toThrow(InvalidArgumentError);
  });
});

describe('PT-13 (iii): general and response parameters are separated per method', () => {
  test('Δ-STN general = plain step bit for bit; plain step leaves Θ alone; STN moves both; hyper steps move no weight', () => {
    const runs = Object.fromEntries((['fixed', 'delta-stn', 'delta-stn-linearized', 'stn', 'centered-stn'] as const).map((m) => [m, makeMlp(m)])) as Record<NnMethod, Run>;
    const start = split(runs.fixed);
    for (const r of Object.values(runs)) expect(same(split(r).general, start.general)).toBe(true); // same seed, same init
    // Three steps with momentum; a fresh generator per step so that every method sees the same general-step draws.
    for (let k = 0; k < 3; k++) for (const r of Object.values(runs)) r.trainer.trainStep(idx(32, 32 * k), new Rng(100 + k));
    const after = Object.fromEntries(Object.entries(runs).map(([m, r]) => [m, split(r)])) as Record<NnMethod, ReturnType<typeof split>>;
    expect(same(after.fixed.general, start.general)).toBe(false);
    expect(same(after.fixed.response, start.response)).toBe(true);
    for (const m of ['delta-stn', 'delta-stn-linearized'] as const) {
      expect(same(after[m].general, after.fixed.general), `${m}: general variables = the plain step's`).toBe(true);
      expect(same(after[m].response, start.response), `${m}: response variables moved`).toBe(false);
    }
    for (const m of ['stn', 'centered-stn'] as const) {
      expect(same(after[m].general, start.general), `${m}: general moved`).toBe(false);
      expect(same(after[m].general, after.fixed.general), `${m}: general differs from the plain step`).toBe(false);
      expect(same(after[m].response, start.response), `${m}: response moved`).toBe(false);
    }
    // A hyper step changes λ and s, never a weight or a momentum buffer.
    for (const m of ['delta-stn', 'stn'] as const) {
      const t = runs[m].trainer;
      const before = t.snapshot();
      t.hyperStep(idx(32), new Rng(7));
      const now = t.snapshot();
      expect(same(now.weights, before.weights)).toBe(true);
      expect(same(now.generalMomentum, before.generalMomentum)).toBe(true);
      expect(same(now.responseMomentum, before.responseMomentum)).toBe(true);
      expect(now.lambda).not.toEqual(before.lambda);
      expect(now.rawScale).not.toEqual(before.rawScale);
    }
    for (const r of Object.values(runs)) r.free();
  });
});

describe('the steps against independent computations', () => {
  test('one STN layer: the linearization is exact, so delta-stn-linearized and delta-stn take bitwise-equal steps', () => {
    // f(h_net = ε) = f0 + ż holds exactly for a single StnDense, and the tangent pass builds f0 + ż with the
    // same float32 operations as the forward pass; a tangent with other masks, a dropped response term or a
    // different random stream would break the equality.
    const linear = (method: NnMethod): Run => {
      const model = mlp({ rng: new Rng(19), hidden: [] });
      const trainer = new Trainer(model, new HyperSpace([inputDropoutSpec('dropout_input', { init: 0.3 })]), data, { method, epochs: 1, batchSize: 32, seed: 8 });
      return {
        model,
        trainer,
        free: () => {
          trainer.dispose();
          model.dispose();
        },
      };
    };
    const a = linear('delta-stn');
    const b = linear('delta-stn-linearized');
    const start = a.trainer.snapshot();
    for (let k = 0; k < 3; k++) {
      const rngA = new Rng(40 + k);
      const rngB = new Rng(40 + k);
      expect(b.trainer.trainStep(idx(32, 32 * k), rngB)).toBe(a.trainer.trainStep(idx(32, 32 * k), rngA));
      expect(rngB.nextUint32()).toBe(rngA.nextUint32()); // the same random stream consumed
    }
    const [sa, sb] = [a.trainer.snapshot(), b.trainer.snapshot()];
    expect(same(sb.weights, sa.weights)).toBe(true);
    expect(same(sb.responseMomentum, sa.responseMomentum)).toBe(true);
    expect(same(split(a, sa).response, split(a, start).response)).toBe(false);
    a.free();
    b.free();
  });

  test('hyper step: the λ and s gradients handed to the optimizers equal autodiff of CE(f(h_net)) − τℍ(s) (stn, centered-stn, delta-stn)', () => {
    // Independent formulation: h_net,i = (λ for STN, λ − stopgrad(λ) centered) + softplus(s) ⊙ n_i as tensors,
    // gradients by tf.grads w.r.t. λ and s directly (the trainer sums ∂CE/∂h_net,i by hand and applies the
    // chain rule for s itself). float32 sums over B = 32 examples: we allow 1e-5·max|g| (≈ 170 u).
    const B = 32;
    for (const method of ['stn', 'centered-stn', 'delta-stn'] as const) {
      const r = makeMlp(method, { entropyWeight: 0.05 });
      // Make Θ non-zero first (a few train steps), so that the hypergradient is not identically zero.
      for (let k = 0; k < 4; k++) r.trainer.trainStep(idx(32, 32 * k), new Rng(60 + k));
      const captured: Record<string, number[]> = {};
      const spy = (name: string): void => {
        const opt = (r.trainer as unknown as Record<string, { step: (x: readonly number[], g: readonly number[]) => number[] }>)[name];
        const step = opt.step.bind(opt);
        opt.step = (x, g) => {
          captured[name] = [...g];
          return step(x, g);
        };
      };
      spy('optLambda');
      spy('optScale');
      const lambda = [...r.trainer.state.lambda];
      const rawScale = [...r.trainer.state.rawScale];
      const noiseRng = new Rng(77);
      const noise = Array.from({ length: B }, () => Array.from({ length: 3 }, () => noiseRng.normal()));
      r.trainer.hyperStep(idx(B), new Rng(77));
      const ref = tf.tidy(() => {
        const x = tf.tensor(data.val.images.subarray(0, B * 784), [B, 784]);
        const y = tf.tensor1d(Array.from(data.val.labels.subarray(0, B)), 'int32');
        const n = tf.tensor2d(noise);
        const loss = (lam: tf.Tensor, s: tf.Tensor): tf.Scalar => {
          const base = method === 'stn' ? lam : tf.sub(lam, stopGradient(lam));
          const hnet = tf.add(tf.reshape(base, [1, 3]), tf.mul(n, tf.softplus(s))) as tf.Tensor2D;
          return tf.sub(oneHotCrossEntropy(r.model.forward(x, { hnet, masks: new Map() }), y), tf.mul(0.05, entropyTf(s as tf.Tensor1D))) as tf.Scalar;
        };
        return tf.grads(loss)([tf.tensor1d(lambda), tf.tensor1d(rawScale)]).map((g) => Array.from(g.dataSync()));
      });
      for (const [name, want] of [
        ['optLambda', ref[0]],
        ['optScale', ref[1]],
      ] as const) {
        const got = captured[name];
        expect(got, `${method}: ${name} was not stepped`).toBeDefined();
        const scale = Math.max(...want.map(Math.abs));
        expect(scale).toBeGreaterThan(1e-6);
        got.forEach((g, k) => expect(Math.abs(g - want[k]), `${method} ${name}[${k}]: ${g} vs ${want[k]}`).toBeLessThanOrEqual(1e-5 * scale));
        if (process.env.NN_TEST_REPORT) console.log(`${method} ${name}: max |err|/max|g| = ${(Math.max(...got.map((g, k) => Math.abs(g - want[k]))) / scale).toExponential(2)}`);
      }
      r.free();
    }
  });
});

describe('end to end on 256 MNIST digits (cpu)', () => {
  test('delta-stn and stn: the training loss falls and λ moves; fixed: λ and s never move', () => {
    for (const method of ['delta-stn', 'stn', 'fixed'] as const) {
      const r = makeMlp(method);
      const lambda0 = [...r.trainer.state.lambda];
      const scale0 = [...r.trainer.state.rawScale];
      const initial = r.trainer.evaluate(data.train).loss;
      const logs = runEpochs(r.trainer, 4);
      const losses = logs.map((l) => l.train.loss);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[3], `${method}: ${initial} → ${losses.join(', ')}`).toBeLessThan(0.8 * initial);
      expect(losses[3]).toBeLessThan(losses[0]);
      expect(logs[3].val.loss).toBeLessThan(logs[0].val.loss);
      expect(logs[3].train.accuracy).toBeGreaterThan(0.3);
      expect(logs.map((l) => l.epoch)).toEqual([0, 1, 2, 3]);
      expect(logs[3].trainSteps).toBe(32);
      if (method === 'fixed') {
        expect(logs.every((l) => l.hyperSteps === 0)).toBe(true);
        for (const l of logs) {
          expect(l.lambda).toEqual(lambda0);
          expect(l.rawScale).toEqual(scale0);
        }
      } else {
        expect(logs[3].hyperSteps).toBe(16); // every trainSteps = 2 train steps, one hyper step
        expect(logs[3].lambda.every((v, k) => v !== lambda0[k])).toBe(true);
        expect(logs[3].rawScale).not.toEqual(scale0);
        expect(Object.keys(logs[3].hyper)).toEqual(['dropout_input', 'dropout1', 'dropout2']);
      }
      if (process.env.NN_TEST_REPORT) console.log(method, initial, losses, logs[3].hyper);
      r.free();
    }
  });

  test('determinism: the same seed gives identical logs and weights; another seed does not', () => {
    const a = makeMlp('delta-stn-linearized');
    const b = makeMlp('delta-stn-linearized');
    const c = makeMlp('delta-stn-linearized', { seed: 6 });
    const la = runEpochs(a.trainer, 2);
    expect(runEpochs(b.trainer, 2)).toEqual(la);
    expect(same(b.trainer.snapshot().weights, a.trainer.snapshot().weights)).toBe(true);
    expect(runEpochs(c.trainer, 2)).not.toEqual(la);
    for (const r of [a, b, c]) r.free();
  });

  test('memory: epochs do not grow tf.memory().numTensors', () => {
    const r = makeMlp('delta-stn-linearized', { epochs: 3 });
    r.trainer.runEpoch();
    const n = tf.memory().numTensors;
    r.trainer.runEpoch();
    r.trainer.restore(r.trainer.snapshot());
    r.trainer.runEpoch();
    expect(tf.memory().numTensors).toBe(n);
    r.free();
  });
});

/** 3 epochs straight vs 1 epoch → checkpoint → new model and trainer → load → 2 epochs: the same numbers. */
function resumeCheck(make: () => Run, epochs = 3): void {
  const straight = make();
  const want = runEpochs(straight.trainer, epochs);
  const final = straight.trainer.snapshot();
  const first = make();
  const got = runEpochs(first.trainer, 1);
  const dir = freshDir();
  saveCheckpoint(dir, first.trainer.snapshot(), { note: 'resume test' });
  first.free();
  const second = make();
  second.trainer.restore(loadCheckpoint(dir).state);
  got.push(...runEpochs(second.trainer, epochs - 1));
  expect(got).toEqual(want);
  const end = second.trainer.snapshot();
  expect(same(end.weights, final.weights)).toBe(true);
  expect(same(end.generalMomentum, final.generalMomentum)).toBe(true);
  expect(same(end.responseMomentum, final.responseMomentum)).toBe(true);
  expect(end.lambdaOptimizer).toEqual(final.lambdaOptimizer);
  expect(end.scaleOptimizer).toEqual(final.scaleOptimizer);
  expect({ ...end, weights: [], generalMomentum: [], responseMomentum: [] }).toEqual({ ...final, weights: [], generalMomentum: [], responseMomentum: [] });
  straight.free();
  second.free();
}

describe('resume equals uninterrupted (cpu)', () => {
  for (const method of ['delta-stn-linearized', 'stn'] as const) {
    test(`${method}: 3 epochs = 1 epoch + checkpoint + new model + 2 epochs (logs, weights, momentum, optimizer states; lr milestone at 1, before the checkpoint)`, () => {
      resumeCheck(() => makeMlp(method, { lrMilestones: [1], lrGamma: 0.5, patience: 10 }));
    });
  }

  test('restore rejects a state from another model', () => {
    const a = makeMlp('delta-stn');
    const model = mlp({ rng: new Rng(1), hidden: [8] });
    const other = new Trainer(model, new HyperSpace([inputDropoutSpec('a'), dropoutSpec('b')]), data, { method: 'delta-stn', epochs: 1 });
    expect(() => other.restore(a.trainer.snapshot())).toThrow(InvalidArgumentError);
    other.dispose();
    model.dispose();
    a.free();
  });
});

describe('a non-finite loss stops the run and keeps the last good state', () => {
  const expectSameSnapshot = (a: TrainerState, b: TrainerState): void => {
    expect(same(a.weights, b.weights)).toBe(true);
    expect(same(a.generalMomentum, b.generalMomentum)).toBe(true);
    expect(same(a.responseMomentum, b.responseMomentum)).toBe(true);
    expect({ ...a, weights: [], generalMomentum: [], responseMomentum: [] }).toEqual({ ...b, weights: [], generalMomentum: [], responseMomentum: [] });
  };

  test('a huge learning rate from the start, and after a good epoch', () => {
    for (const method of ['delta-stn', 'stn', 'fixed'] as const) {
      const r = makeMlp(method, { lrWeights: 1e6 });
      const before = r.trainer.snapshot();
      const res = r.trainer.runEpoch();
      expect('stopped' in res, method).toBe(true);
      expect((res as { stopped: string }).stopped).toMatch(/non-finite|became/);
      expect((res as { stopped: string }).stopped).toMatch(/last good state/);
      expectSameSnapshot(r.trainer.snapshot(), before);
      r.free();
    }
    const r = makeMlp('delta-stn-linearized');
    strip(r.trainer.runEpoch());
    const good = r.trainer.snapshot();
    r.trainer.restore({ ...good, learningRate: 1e6 });
    const before = r.trainer.snapshot();
    const res = r.trainer.runEpoch();
    expect('stopped' in res).toBe(true);
    expectSameSnapshot(r.trainer.snapshot(), before);
    expect(r.trainer.state.epoch).toBe(1);
    r.free();
  });

  test('Δ-STN: a response step that diverges while the general loss stays finite (warm-up: no hyper step to notice)', () => {
    const r = makeMlp('delta-stn', { warmupEpochs: 10 });
    strip(r.trainer.runEpoch());
    const before = r.trainer.snapshot();
    // An infinite response weight: the general pass (h_net = 0) never reads it; the response pass gives NaN.
    const wr = r.model.parameters().response[0];
    tf.tidy(() => wr.assign(tf.fill(wr.shape, Infinity)));
    const poisoned = r.trainer.snapshot();
    const res = r.trainer.runEpoch();
    expect('stopped' in res).toBe(true);
    expectSameSnapshot(r.trainer.snapshot(), poisoned);
    expect(r.trainer.state.epoch).toBe(before.epoch);
    r.free();
  });
});

describe('wasm backend (the default)', () => {
  let cnnData: TrainerData;
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const keep = (ds: Dataset, n: number): Dataset => ({ ...ds, images: ds.images.subarray(0, n * 784), labels: ds.labels.subarray(0, n), size: n });
    cnnData = { train: keep(data.train, 48), val: keep(data.val, 32) };
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test('one train step of every method on a tiny SimpleCNN: wasm = cpu to float32 rounding', async () => {
    // Tolerance: one step changes each weight by lr·(momentum-free) gradient; wasm (XNNPACK) and cpu sum in
    // different orders, so the updated weights differ by rounding of the forward/backward sums (≈ 1e-6
    // relative for these sizes) — we allow 1e-5·max|w| per tensor, while a wrong gradient moves weights by
    // lr·|g| ≈ 1e-3–1e-2.
    const results: Record<string, { loss: number; weights: Float32Array[] }[]> = {};
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      results[backend] = [];
      for (const method of ['fixed', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const) {
        const r = makeCnn(method, cnnData);
        const loss = r.trainer.trainStep(idx(16), new Rng(3));
        r.trainer.hyperStep(idx(16), new Rng(4));
        results[backend].push({ loss, weights: r.trainer.snapshot().weights });
        r.free();
      }
    }
    await tf.setBackend('wasm');
    let worstRel = 0;
    results.wasm.forEach((w, m) => {
      const c = results.cpu[m];
      expect(Number.isFinite(w.loss)).toBe(true);
      expect(Math.abs(w.loss - c.loss)).toBeLessThan(1e-5 * Math.abs(c.loss));
      w.weights.forEach((arr, i) => {
        let scale = 0;
        let diff = 0;
        arr.forEach((v, j) => {
          scale = Math.max(scale, Math.abs(c.weights[i][j]));
          diff = Math.max(diff, Math.abs(v - c.weights[i][j]));
        });
        expect(diff, `method ${m}, tensor ${i}`).toBeLessThanOrEqual(1e-5 * scale);
        if (scale > 0) worstRel = Math.max(worstRel, diff / scale);
      });
    });
    if (process.env.NN_TEST_REPORT) console.log(`wasm vs cpu after one step: max |Δw|/max|w| = ${worstRel.toExponential(2)}; losses ${results.wasm.map((w, m) => Math.abs(w.loss - results.cpu[m].loss).toExponential(1)).join(' ')}`);
  });

  test('tiny SimpleCNN, delta-stn-linearized: 2 epochs = 1 + checkpoint + 1, bit for bit, on wasm', () => {
    resumeCheck(() => makeCnn('delta-stn-linearized', cnnData), 2);
  });
});

describe('src/cli/tune.ts', () => {
  test('parseHparams: pairs, blanks; malformed pairs are typed errors naming --hparams', () => {
    expect(parseHparams(undefined)).toEqual({});
    expect(parseHparams('')).toEqual({});
    expect(parseHparams('dropout1=0.1, dropout2 = 0.25,')).toEqual({ dropout1: 0.1, dropout2: 0.25 });
    for (const bad of ['dropout1', 'dropout1=abc', '=0.1', 'dropout1=', 'dropout1= ', 'a=1=2', 'dropout1=Infinity', 'dropout1=0.1,dropout1=0.2']) {
      expect(() => parseHparams(bad), bad).toThrow(InvalidArgumentError);
      expect(() => parseHparams(bad), bad).toThrow('--hparams');
    }
  });

  test('buildModel: hyperDim = space.h for every model; hparams set the initial values; unknown names are typed errors', () => {
    const cases: [TuneConfig['model'], number, number][] = [
      ['mlp', 0.01, 3],
      ['cnn', 0.1, 6],
      ['alexnet', 1 / 32, 7],
    ];
    for (const [model, width, h] of cases) {
      const before = tf.memory().numTensors;
      const built = buildModel({ model, width, seed: 1, hparams: {} });
      expect(built.model.hyperDim).toBe(built.space.h);
      expect(built.space.h).toBe(h);
      built.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    const withInit = buildModel({ model: 'mlp', width: 0.01, seed: 1, hparams: { dropout1: 0.3 } });
    expect(withInit.space.hyperValues(withInit.space.initialLambda())[1]).toBeCloseTo(0.3, 12);
    withInit.model.dispose();
    const before = tf.memory().numTensors;
    expect(() => buildModel({ model: 'mlp', width: 0.01, seed: 1, hparams: { dropuot1: 0.3 } })).toThrow(InvalidArgumentError);
    expect(() => buildModel({ model: 'cnn', width: 0.1, seed: 1, hparams: { dropout9: 0.3 } })).toThrow(/dropout9/);
    expect(tf.memory().numTensors).toBe(before); // the model built before the check is not leaked
  });

  test('runTune: 1 epoch writes log.jsonl, the checkpoint and summary.json; --resume repeats the uninterrupted numbers', async () => {
    const config: TuneConfig = {
      model: 'mlp',
      dataset: 'mnist',
      method: 'delta-stn',
      epochs: 2,
      seed: 3,
      batchSize: 32,
      trainSize: 64,
      width: 0.01,
      warmupEpochs: 0,
      lrWeights: 0.01,
      lrHyper: 0.01,
      hparams: {},
      backend: 'cpu',
    };
    const one = freshDir();
    const res = await runTune({ ...config, epochs: 1 }, one);
    expect(res.backend).toBe('cpu');
    expect(res.epochs.length).toBe(1);
    for (const f of ['log.jsonl', 'checkpoint.json', 'checkpoint.bin', 'summary.json']) expect(existsSync(join(one, f)), f).toBe(true);
    const lines = readFileSync(join(one, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(1);
    const rec = JSON.parse(lines[0]) as EpochLog & { backend: string };
    expect(rec.backend).toBe('cpu');
    expect(Object.keys(rec.hyper)).toEqual(['dropout_input', 'dropout1', 'dropout2']);
    const summary = JSON.parse(readFileSync(join(one, 'summary.json'), 'utf8')) as { epochs: number; final: EpochLog | null };
    expect(summary.epochs).toBe(1);
    expect(loadCheckpoint(one).state.epoch).toBe(1);
    expect(loadCheckpoint(one).meta).toEqual({ ...config, epochs: 1 });
    // Resume that run to 2 epochs and compare with a 2-epoch run straight through.
    // A kill after epoch 1's log line was appended but before its checkpoint was written leaves a stray line.
    appendFileSync(join(one, 'log.jsonl'), readFileSync(join(one, 'log.jsonl'), 'utf8').replace('"epoch":0', '"epoch":1'));
    const straight = freshDir();
    await runTune(config, straight);
    await runTune(config, one, { resume: true });
    const noTime = (f: string): unknown[] =>
      readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const { seconds, ...rest } = JSON.parse(l) as EpochLog;
          return seconds >= 0 ? rest : null;
        });
    expect(noTime(join(one, 'log.jsonl'))).toEqual(noTime(join(straight, 'log.jsonl')));
    const a = loadCheckpoint(one).state;
    const b = loadCheckpoint(straight).state;
    expect(same(a.weights, b.weights)).toBe(true);
    expect(a.lambda).toEqual(b.lambda);
  });
});
