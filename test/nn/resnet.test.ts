/**
 * The ResNet of src/nn/resnet.ts on tiny images (CIFAR-10 cannot be downloaded here; the images are made by the
 * test, seeded).
 *
 * - Structure: stages, channels, strides, shortcuts (option A's map exactly; projection parameters), h.
 * - Tangent pass of the whole network (BN in training mode with batch statistics, channel dropout 0.3, random
 *   non-zero U): equals the double-backward JVP (1e-5 of its scale) and a 5-point central difference of
 *   f(h_net = tε) with the masks fixed and the ReLU pattern frozen at t = 0 (a re-run of the blocks, as
 *   test/nn/models.test.ts does: thousands of ReLU inputs leave no t without a kink). BN makes f rational, not
 *   polynomial, in t, so the stencil has an O(t⁴) truncation error, estimated from the stencils at t and t/2;
 *   float32 rounding is bounded as in test/nn/models.test.ts. Negative control: the tangent without BN's
 *   batch-statistics terms misses the FD by > 100× the tolerance. Also in evaluation mode (running statistics)
 *   against the double-backward JVP.
 * - BN normalises each STN conv's whole output (general + response, src/nn/batchNorm.ts): in training mode a
 *   batch-common bias response of every conv leaves the logits unchanged; in evaluation mode it does not.
 * - Every method (fixed, STN, centered STN, Δ-STN, Δ-STN linearized) trains: on one tiny batch the loss is
 *   finite and goes down over a few steps, and a hyper step gives a finite validation loss.
 * - Resume is exact: 2 epochs = 1 epoch + checkpoint + new model + 1 epoch (weights, BN running statistics,
 *   momentum, logs), and the running statistics have moved (the check is not vacuous).
 * - The factory: `--model resnet` builds ResNet-20 with its 8 hyperparameters; Fashion-MNIST as 32×32 RGB; and
 *   the user's path, `tune --model resnet --dataset cifar10 --data-dir D`, runs an epoch on CIFAR-10 binary
 *   files the test writes (a few seeded records per batch file).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { BatchNorm } from '../../src/nn/batchNorm.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.js';
import type { Masks, StnNetwork } from '../../src/nn/models.js';
import { GlobalAveragePool, ResidualBlock, optionAShortcut, resnet, toRgb32 } from '../../src/nn/resnet.js';
import { Trainer, type EpochLog, type NnMethod } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';
import { runTune } from '../../src/cli/tune.js';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES } from '../../src/data/cifar10.js';
import { buildModel, hyperSpaceFor, type TuneConfig } from '../../src/tune/factory.js';

const U32 = 2 ** -24;
const dirs: string[] = [];

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** n seeded H×W×3 images, uniform pixels, labels in [0, classes). */
function colourImages(n: number, seed: number, size = 8, classes = 3): Dataset {
  const rng = new Rng(seed);
  const images = Float32Array.from({ length: n * size * size * 3 }, () => rng.uniform());
  return { name: `colour:${seed}`, images, labels: Int32Array.from({ length: n }, () => rng.int(0, classes - 1)), shape: [size, size, 3], classes, size: n };
}

/** Random response parameters (U starts at 0, which would make every tangent 0). */
function randomResponse(model: StnNetwork, rng: Rng, scale = 0.3): void {
  for (const v of model.parameters().response) tf.tidy(() => v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => scale * rng.normal()), v.shape)));
}

function tiny(seed: number, extra: { shortcut?: 'A' | 'projection'; classes?: number } = {}): StnNetwork {
  return resnet({ rng: new Rng(seed), blocksPerStage: 1, width: 0.25, inputShape: [8, 8, 3], classes: extra.classes ?? 3, shortcut: extra.shortcut });
}

describe('structure', () => {
  test('ResNet-20 by default: 19 STN convs + 1 dense, 16/32/64 channels, 8 hyperparameters; width and n scale it', () => {
    const model = resnet({ rng: new Rng(1), width: 0.25 });
    expect(model.hyperDim).toBe(8);
    expect(model.inputShape).toEqual([32, 32, 3]);
    const layers = model.layers();
    expect(layers.length).toBe(20);
    const general = model.parameters().general;
    // Kernels of the convolutions: stem 3→4, then 4/8/16 channels (width 0.25).
    const kernels = general.filter((v) => v.shape.length === 4).map((v) => v.shape);
    expect(kernels[0]).toEqual([3, 3, 3, 4]);
    expect(kernels[kernels.length - 1]).toEqual([3, 3, 16, 16]);
    // 19 BNs, γ and β each in w0 (μ_run, v_run are buffers), beside 19 conv + 1 dense (W, b) in w0.
    expect(general.filter((v) => v.shape.length === 1).length).toBe(19 * 2 + 20);
    expect(model.parameters().buffers?.length).toBe(19 * 2);
    const logits = model.forward(tf.zeros([2, 32, 32, 3]), { hnet: null, masks: new Map() });
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
    model.dispose();
  });

  test('option A subsamples every second pixel and pads the new channels with zeros, ⌊extra/2⌋ in front', () => {
    const x = tf.tensor4d(Float32Array.from({ length: 1 * 3 * 3 * 2 }, (_, i) => i + 1), [1, 3, 3, 2]);
    const y = optionAShortcut(x, 2, 3);
    expect(y.shape).toEqual([1, 2, 2, 5]);
    // Pixels (0,0), (0,2), (2,0), (2,2): values [1,2], [5,6], [13,14], [17,18]; one zero channel before, two after.
    expect(values(y)).toEqual([0, 1, 2, 0, 0, 0, 5, 6, 0, 0, 0, 13, 14, 0, 0, 0, 17, 18, 0, 0]);
    expect(() => optionAShortcut(x, 0, 1)).toThrow(InvalidArgumentError);
    tf.dispose([x, y]);
  });

  test('projection shortcuts add a 1×1 STN conv + BN where the shape changes; typed errors', () => {
    const a = tiny(2);
    const p = tiny(2, { shortcut: 'projection' });
    expect(p.layers().length - a.layers().length).toBe(2);
    expect(p.parameters().general.length - a.parameters().general.length).toBe(2 * (2 + 2));
    expect((p.parameters().buffers ?? []).length - (a.parameters().buffers ?? []).length).toBe(2 * 2);
    a.dispose();
    p.dispose();
    const rng = new Rng(3);
    expect(() => new ResidualBlock(4, 2, { hyperDim: 2, rng, name: 'b' })).toThrow(/option-A/);
    expect(() => resnet({ rng, blocksPerStage: 0 })).toThrow(InvalidArgumentError);
    expect(() => resnet({ rng, width: 0 })).toThrow(/width/);
    expect(() => new GlobalAveragePool().apply(tf.zeros([2, 3]))).toThrow(InvalidArgumentError);
  });
});

/**
 * The network's forward pass re-run block by block with every ReLU's pattern frozen: 'record' stores
 * step(z) of each ReLU input in `patterns`, 'replay' uses them (ReLU(z) → z ⊙ pattern). Returns the logits.
 */
function frozenForward(model: StnNetwork, x: tf.Tensor, hnet: tf.Tensor2D | null, masks: Masks, patterns: tf.Tensor[], mode: 'record' | 'replay'): number[] {
  let k = 0;
  const relu = (z: tf.Tensor): tf.Tensor => {
    if (mode === 'record') {
      patterns.push(tf.keep(tf.step(z)));
      return tf.relu(z);
    }
    return tf.mul(z, patterns[k++]);
  };
  return tf.tidy(() => {
    let a = x;
    model.blocks.forEach((b, i) => {
      const mask = masks.get(i);
      if (b.kind === 'layer') a = b.layer.apply(a, hnet, mask ?? null);
      else if (b.kind === 'relu') a = relu(a);
      else if (b.kind === 'dropout' || b.kind === 'channel-dropout') a = mask ? tf.mul(a, mask) : a;
      else if (b.kind === 'module' && b.module instanceof ResidualBlock) {
        const r = b.module;
        let u = relu(r.bn1.apply(r.conv1.apply(a, hnet), null, mask));
        if (mask && mask.rank === 4) u = tf.mul(u, mask);
        const main = r.bn2.apply(r.conv2.apply(u, hnet), null, mask);
        const short = r.projection ? r.projection.bn.apply(r.projection.conv.apply(a, hnet), null, mask) : r.stride === 1 && r.inChannels === r.outChannels ? a : optionAShortcut(a as tf.Tensor4D, r.stride, r.outChannels - r.inChannels);
        a = relu(tf.add(main, short));
      } else if (b.kind === 'module') a = b.module.apply(a, hnet, mask);
      else throw new Error(`unexpected block ${b.kind}`);
    });
    return values(a);
  });
}

/**
 * The tangent with BN's batch-statistics terms dropped (each BN in training mode linearized as ż·γ/√(v + ϵ) at
 * its batch's own v): what a tangent that ignores the statistics' derivatives would give (negative control).
 */
function naiveTangent(model: StnNetwork, x: tf.Tensor, masks: Masks, eps: tf.Tensor2D): tf.Tensor {
  const bns: BatchNorm[] = [];
  for (const b of model.blocks) {
    if (b.kind !== 'module') continue;
    if (b.module instanceof BatchNorm) bns.push(b.module);
    if (b.module instanceof ResidualBlock) bns.push(b.module.bn1, b.module.bn2, ...(b.module.projection ? [b.module.projection.bn] : []));
  }
  const saved = bns.map((bn) => bn.tangent.bind(bn));
  bns.forEach((bn) => {
    bn.tangent = (z, dz, _d, mask) =>
      tf.tidy(() => {
        const [y] = saved[bns.indexOf(bn)](z, null, null, mask);
        const { variance } = tf.moments(z, z.shape.slice(0, -1).map((_, k) => k));
        return [y, dz ? tf.mul(dz, tf.mul(bn.gamma, tf.rsqrt(tf.add(variance, bn.epsilon)))) : tf.zerosLike(y)];
      });
  });
  try {
    const [f0, df] = model.tangent(x, masks, eps);
    f0.dispose();
    return df;
  } finally {
    bns.forEach((bn, i) => (bn.tangent = saved[i]));
  }
}

/** The 5-point stencil [f(−2t) − 8f(−t) + 8f(t) − f(2t)]/(12t). */
function stencil(f: (s: number) => number[], t: number): number[] {
  const [a, b, c, d] = [f(-2 * t), f(-t), f(t), f(2 * t)];
  return a.map((_, i) => (a[i] - 8 * b[i] + 8 * c[i] - d[i]) / (12 * t));
}

describe('tangent pass through BN (batch statistics) and residual blocks', () => {
  for (const shortcut of ['A', 'projection'] as const) {
    test(`shortcut ${shortcut}, training mode: tangent = double-backward JVP = 5-point central difference (masks fixed)`, () => {
      const rng = new Rng(21);
      const model = tiny(4, { shortcut });
      randomResponse(model, rng);
      const B = 4;
      const h = model.hyperDim;
      const x = tf.tensor(Float32Array.from({ length: B * 8 * 8 * 3 }, () => rng.uniform()), [B, 8, 8, 3]);
      const rows = Array.from({ length: B }, () => new Array<number>(h).fill(0.3));
      const masks: Masks = model.sampleMasks(rows, rng);
      const eps = tf.tensor2d(Float32Array.from({ length: B * h }, () => rng.normal()), [B, h]);
      const [f0, df] = model.tangent(x, masks, eps);
      const fNull = model.forward(x, { hnet: null, masks });
      expect(values(f0)).toEqual(values(fNull));
      const jv = values(df);
      const scale = maxAbs(jv);
      expect(scale).toBeGreaterThan(1e-3);

      // Double-backward JVP: vjp(u) = ∇_h ⟨f(h), u⟩ at h = 0, Jv = ∇_u ⟨vjp(u), ε⟩.
      const db = tf.tidy(() => {
        const vjp = (u: tf.Tensor): tf.Tensor => tf.grad((hh: tf.Tensor) => tf.sum(tf.mul(model.forward(x, { hnet: hh as tf.Tensor2D, masks }), u)))(tf.zeros([B, h]));
        return tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u), eps)))(tf.zerosLike(f0));
      });
      expect(maxDiff(values(db), jv), 'tangent vs double-backward JVP').toBeLessThan(1e-5 * scale);

      // Central difference along h_net = tε with the masks fixed and the ReLU pattern frozen at t = 0 (module
      // remarks): the frozen network is smooth, so the stencil's error is its O(t⁴) truncation plus float32 rounding.
      const patterns: tf.Tensor[] = [];
      const zero = frozenForward(model, x, null, masks, patterns, 'record');
      expect(maxDiff(zero, values(fNull))).toBe(0); // the re-run is the model's forward pass
      const f = (s: number): number[] => tf.tidy(() => frozenForward(model, x, tf.mul(eps, s) as tf.Tensor2D, masks, patterns, 'replay'));
      const fScale = maxAbs(values(fNull));
      const roundTol = (t: number): number => (18 / (12 * t)) * 10 * U32 * fScale * 4;
      // The stencil at t/2 is compared; its truncation error is ≈ |fd(t) − fd(t/2)|/15 (the error is O(t⁴)),
      // allowed twice over, plus the rounding bound at t/2.
      const t = 0.02;
      const fdT = stencil(f, t);
      const fd = stencil(f, t / 2);
      const tol = (2 * maxDiff(fdT, fd)) / 15 + roundTol(t / 2);
      const fdErr = maxDiff(fd, jv);
      if (process.env.NN_TEST_REPORT) console.log(shortcut, { fdErr, tol, scale, fScale });
      expect(tol).toBeLessThan(1e-3 * scale); // the check is tight compared with the tangent itself
      expect(fdErr, 'tangent vs frozen-pattern 5-point FD').toBeLessThan(tol);
      // Negative control: the BN statistics' terms matter (the tangent without them is far off the FD).
      expect(maxDiff(fd, values(naiveTangent(model, x, masks, eps)))).toBeGreaterThan(100 * tol);
      tf.dispose(patterns);
      tf.dispose([x, eps, f0, df, fNull, db]);
      for (const m of masks.values()) m.dispose();
      model.dispose();
    });
  }

  test('evaluation mode (running statistics): tangent = double-backward JVP', () => {
    const rng = new Rng(22);
    const model = tiny(5);
    randomResponse(model, rng);
    // Non-trivial running statistics from two training passes.
    const B = 3;
    const h = model.hyperDim;
    const x = tf.tensor(Float32Array.from({ length: B * 8 * 8 * 3 }, () => rng.uniform()), [B, 8, 8, 3]);
    for (let k = 0; k < 2; k++) {
      const masks = model.sampleMasks(Array.from({ length: B }, () => new Array<number>(h).fill(0.1)), rng);
      model.forward(x, { hnet: null, masks }).dispose();
      for (const m of masks.values()) m.dispose();
    }
    const empty: Masks = new Map();
    const eps = tf.tensor2d(Float32Array.from({ length: B * h }, () => rng.normal()), [B, h]);
    const [f0, df] = model.tangent(x, empty, eps);
    const jv = values(df);
    const db = tf.tidy(() => {
      const vjp = (u: tf.Tensor): tf.Tensor => tf.grad((hh: tf.Tensor) => tf.sum(tf.mul(model.forward(x, { hnet: hh as tf.Tensor2D, masks: empty }), u)))(tf.zeros([B, h]));
      return tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u), eps)))(tf.zerosLike(f0));
    });
    expect(maxAbs(jv)).toBeGreaterThan(1e-3);
    expect(maxDiff(values(db), jv)).toBeLessThan(1e-5 * maxAbs(jv));
    tf.dispose([x, eps, f0, df, db]);
    model.dispose();
  });
});

const train = colourImages(16, 31);
const val = colourImages(8, 32);

function makeTrainer(method: NnMethod, seed = 7): { trainer: Trainer; model: StnNetwork; free: () => void } {
  const model = tiny(seed);
  const space = hyperSpaceFor({ model: 'resnet', hparams: { cutout_length: 3 } });
  const trainer = new Trainer(model, space, { train, val }, { method, epochs: 2, batchSize: 8, seed, trainSteps: 1, lrWeights: 0.05, lrHyper: 0.01 });
  return {
    trainer,
    model,
    free: () => {
      trainer.dispose();
      model.dispose();
    },
  };
}

describe('every method trains the ResNet', () => {
  for (const method of ['fixed', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const) {
    test(`${method}: the loss on one tiny batch is finite and goes down; a hyper step is finite; no tensor leaks`, () => {
      const r = makeTrainer(method);
      // σ ≈ 0.05 (s = −3): the perturbed losses of a few steps then show the descent, not the noise of σ = 1.
      r.trainer.state.rawScale = r.trainer.state.rawScale.map(() => -3);
      const idx = Int32Array.from({ length: 8 }, (_, i) => i);
      const rng = new Rng(99);
      const losses = Array.from({ length: 6 }, () => r.trainer.trainStep(idx, rng));
      expect(losses.every(Number.isFinite), JSON.stringify(losses)).toBe(true);
      const first = (losses[0] + losses[1]) / 2;
      const last = (losses[4] + losses[5]) / 2;
      expect(last, JSON.stringify(losses)).toBeLessThan(first);
      if (method !== 'fixed') {
        const before = [...r.trainer.state.lambda];
        expect(Number.isFinite(r.trainer.hyperStep(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), rng))).toBe(true);
        expect(r.trainer.state.lambda).not.toEqual(before);
      }
      // No tensor leaks: a train step (and a hyper step) leaves tf.memory().numTensors where it was.
      const n = tf.memory().numTensors;
      r.trainer.trainStep(idx, rng);
      if (method !== 'fixed') r.trainer.hyperStep(idx, rng);
      expect(tf.memory().numTensors).toBe(n);
      r.free();
    });
  }
});

describe('BN after the sum of general and response outputs, in the whole network', () => {
  test('training mode cancels a batch-common bias response of every conv (U_w = 0, one h row for all); evaluation mode does not', () => {
    const rng = new Rng(23);
    const model = tiny(6, { shortcut: 'projection' });
    randomResponse(model, rng);
    for (const layer of model.layers()) {
      const l = layer as unknown as { bottleneckWeight: tf.Variable; bottleneckBias: tf.Variable; name: string };
      l.bottleneckWeight.assign(tf.zerosLike(l.bottleneckWeight));
      // The classifier is not followed by BN: its bias response is switched off too.
      if (l.name === 'fc') l.bottleneckBias.assign(tf.zerosLike(l.bottleneckBias));
    }
    const B = 4;
    const h = model.hyperDim;
    const x = tf.tensor(Float32Array.from({ length: B * 8 * 8 * 3 }, () => rng.uniform()), [B, 8, 8, 3]);
    const row = Array.from({ length: h }, () => rng.normal());
    const hnet = tf.tensor2d(Array.from({ length: B }, () => row), [B, h]);
    const masks = model.sampleMasks(Array.from({ length: B }, () => new Array<number>(h).fill(0)), rng);
    const run = (hn: tf.Tensor2D | null, m: Masks): number[] => tf.tidy(() => values(model.forward(x, { hnet: hn, masks: m })));
    const base = run(null, masks);
    expect(maxDiff(run(hnet, masks), base)).toBeLessThan(1e-4 * maxAbs(base));
    const empty: Masks = new Map();
    expect(maxDiff(run(hnet, empty), run(null, empty))).toBeGreaterThan(1e-2 * maxAbs(base));
    tf.dispose([x, hnet]);
    for (const m of masks.values()) m.dispose();
    model.dispose();
  });
});

describe('checkpoints', () => {
  for (const method of ['delta-stn-linearized'] as const) {
    test(`${method}: 2 epochs = 1 epoch + checkpoint + new model + 1 epoch, BN running statistics included`, () => {
      const run = (t: Trainer, n: number): EpochLog[] => {
        const out: EpochLog[] = [];
        for (let e = 0; e < n; e++) {
          const log = t.runEpoch();
          if ('stopped' in log) throw new Error(log.stopped);
          out.push({ ...log, seconds: 0 });
        }
        return out;
      };
      const straight = makeTrainer(method);
      const want = run(straight.trainer, 2);
      const final = straight.trainer.snapshot();
      const first = makeTrainer(method);
      const got = run(first.trainer, 1);
      // The running statistics have moved from their initial values (0 and 1).
      const bn = first.model.blocks.find((b) => b.kind === 'module' && b.module instanceof BatchNorm);
      const stats = bn && bn.kind === 'module' && bn.module instanceof BatchNorm ? [...values(bn.module.runningMean), ...values(bn.module.runningVar)] : [];
      expect(stats.length).toBeGreaterThan(0);
      expect(stats.some((v, i) => v !== (i < stats.length / 2 ? 0 : 1))).toBe(true);
      const dir = mkdtempSync(join(tmpdir(), 'resnet-resume-'));
      dirs.push(dir);
      saveCheckpoint(dir, first.trainer.snapshot(), { note: 'resnet resume test' });
      first.free();
      const second = makeTrainer(method);
      second.trainer.restore(loadCheckpoint(dir).state);
      got.push(...run(second.trainer, 1));
      expect(got).toEqual(want);
      const end = second.trainer.snapshot();
      expect(end.weights.length).toBe(final.weights.length);
      end.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(final.weights[i])));
      end.generalMomentum.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(final.generalMomentum[i])));
      straight.free();
      second.free();
    });
  }
});

describe('factory', () => {
  test('--model resnet: ResNet-20 with the 8 hyperparameters by name; weight decay appends one', () => {
    const { model, space } = buildModel({ model: 'resnet', width: 0.25, seed: 1, hparams: { dropout_stage2: 0.1 } });
    expect(space.specs.map((s) => s.name)).toEqual(['dropout_stage1', 'dropout_stage2', 'dropout_stage3', 'dropout_fc', 'cutout_length', 'cutout_holes', 'brightness', 'contrast']);
    expect(space.h).toBe(model.hyperDim);
    expect(model.layers().length).toBe(20);
    model.dispose();
    const wd = buildModel({ model: 'resnet', width: 0.25, seed: 1, hparams: { weight_decay: 1e-4 } });
    expect(wd.model.hyperDim).toBe(9);
    expect(wd.space.h).toBe(9);
    wd.model.dispose();
  });

  test('toRgb32: 2 zero pixels around, the grey value in R, G and B; one-channel images only', () => {
    const rng = new Rng(5);
    const ds: Dataset = { name: 'g', images: Float32Array.from({ length: 2 * 28 * 28 }, () => rng.uniform()), labels: Int32Array.from([1, 2]), shape: [28, 28, 1], classes: 10, size: 2 };
    const out = toRgb32(ds);
    expect(out.shape).toEqual([32, 32, 3]);
    expect(out.labels).toEqual(ds.labels);
    const at = (n: number, y: number, x: number, c: number): number => out.images[((n * 32 + y) * 32 + x) * 3 + c];
    expect([at(1, 0, 0, 0), at(1, 1, 5, 2), at(0, 31, 31, 1), at(0, 30, 2, 0)]).toEqual([0, 0, 0, 0]);
    for (const [y, x] of [
      [0, 0],
      [27, 27],
      [13, 4],
    ]) {
      for (let c = 0; c < 3; c++) expect(at(1, y + 2, x + 2, c)).toBe(ds.images[(28 + y) * 28 + x]);
    }
    expect(() => toRgb32(out)).toThrow(InvalidArgumentError);
  });

  test('tune --model resnet --dataset cifar10: one epoch on CIFAR-10 binary files written here (the user\'s path)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resnet-cifar-'));
    dirs.push(dir);
    const rng = new Rng(8);
    const batchFile = (records: number): Uint8Array => {
      const b = new Uint8Array(records * CIFAR10_RECORD_BYTES);
      for (let r = 0; r < records; r++) {
        b[r * CIFAR10_RECORD_BYTES] = rng.int(0, 9);
        for (let i = 1; i < CIFAR10_RECORD_BYTES; i++) b[r * CIFAR10_RECORD_BYTES + i] = rng.int(0, 255);
      }
      return b;
    };
    for (const f of CIFAR10_FILES.train) writeFileSync(join(dir, f), batchFile(4));
    writeFileSync(join(dir, CIFAR10_FILES.test), batchFile(8));
    const out = join(dir, 'run');
    const config: TuneConfig = { model: 'resnet', dataset: 'cifar10', method: 'delta-stn-linearized', epochs: 1, seed: 1, batchSize: 8, trainSize: 0, width: 0.125, warmupEpochs: 0, lrWeights: 0.05, lrHyper: 0.01, hparams: {}, dataDir: dir, backend: 'wasm' };
    const res = await runTune(config, out, { quiet: true });
    expect(res.stopped).toBeUndefined();
    expect(res.epochs.length).toBe(1);
    const rec = JSON.parse(readFileSync(join(out, 'log.jsonl'), 'utf8').trim()) as EpochLog;
    expect(Object.keys(rec.hyper)).toEqual(['dropout_stage1', 'dropout_stage2', 'dropout_stage3', 'dropout_fc', 'cutout_length', 'cutout_holes', 'brightness', 'contrast']);
    expect(rec.trainSteps).toBe(2); // 16 of the 20 training records (80/20 split), batches of 8
    expect(Number.isFinite(rec.val.loss) && Number.isFinite(rec.test?.loss ?? NaN)).toBe(true);
    expect(loadCheckpoint(out).meta).toEqual(config);
  });
});
