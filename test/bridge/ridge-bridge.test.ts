/**
 * The bridge between the two halves of the library (issue 15): a bias-free linear model with the squared loss in
 * the network engine (src/nn, tfjs, float32) IS the small engine's ridge problem (src/bilevel, float64), and the two
 * engines' Δ-STN and STN λ trajectories agree.
 *
 * @remarks
 * **The problem.** Features x_i ∈ [0, 1]^D, labels y_i ∈ {0, …, K−1}, targets e_{y_i}. Network engine
 * (src/nn/models.ts `linear`, loss `squared`): L_T = ½ mean_i ‖x_i Ŵ_i − e_{y_i}‖² + ½ d_i ‖Ŵ_i‖² with
 * d_i = T(λ + ε_i) = e^{λ+ε_i} (`weightDecaySpec(…, { logScale: true })`, transform `exp`) and Ŵ_i = W_gen + Θ ε_i;
 * L_V = ½ mean_i ‖x_i W − e_{y_i}‖², no penalty. Small engine: `ridgeProblem` on the Kronecker embedding
 * w = vec W (w[j·K + o] = W[j][o]), one row per (example i, output o) equal to √K·(x_i ⊗ e_o) with target
 * √K·[y_i = o]: its (1/2nK)‖Xw − y‖² is ½ mean_i ‖x_i W − e_{y_i}‖², its ½e^λ‖w‖² is ½d‖W‖², its λ is log d. The
 * same float32-rounded features feed both.
 *
 * **What must coincide**, and how it is made to:
 * - w0 and Θ at the start: 0 in both (the network's W_gen is set to 0; its Θ: see the response below);
 * - the learning rates: plain gradient descent everywhere. The network's weights step with `MomentumSgd` at
 *   momentum 0 (p ← p − α g); its λ steps with a plain-gradient-descent stand-in for the trainer's RMSprop/Adam
 *   (`VectorOptimizer` has no SGD; the small engine's driver is plain gradient descent, α2 = `LR_HYPER`);
 * - the steps: the network's own (`NETWORK_METHODS[…].trainStep` / `hyperStep` on a `StepContext` built here,
 *   not the `Trainer`, whose optimizers are fixed), the same schedule (W warm-up train steps, then T_train train steps and one hyper step per cycle),
 *   full batch, σ fixed (no scale step: the hyper step's n = 0 in both);
 * - the perturbation: the small engine takes E_ε by 2-node Gauss–Hermite (ε = ±σ, weights ½ each); the network
 *   draws one ε_i per example, so its training set holds every example twice and its generator (a stand-in for
 *   `Rng`, `GaussHermiteRows`) returns n = +1 for the first copy and n = −1 for the second: its batch mean IS the
 *   2-node expectation. Both objectives are then deterministic and identical (the deterministic/expectation
 *   variant, not a matched seed path);
 * - the response: the small engine's Θ is a free D·K×1 matrix; the network's is Θ = W_resp diag(U_w) (each
 *   output unit's column of W_resp scaled by U_w: src/nn/layers.ts). Started at W_resp = 0, U_w = 1 (instead of the
 *   layer's seeded W_resp and U_w = 0), the network's Θ is 0 with ∂Θ/∂W_resp = I. With U_w frozen there (the
 *   steps' `response` is [W_resp] alone), Θ = W_resp exactly and both engines take the same path: the λ
 *   trajectories agree to float32 rounding, |λ_net − λ_small| ≤ 1e-6 at every hyper step (measured 2.3e-8 for
 *   both methods, on the cpu backend), while λ moves by 0.29. With U_w trained too (the layer as the trainer
 *   runs it), gradient descent on the bilinear pair leaves the linear path at second order (U_w moves by
 *   α⟨W_resp, g⟩), so the trajectories drift apart slowly: ≤ 3e-4 over the 8 hyper steps (measured 1.8e-4).
 * Schedule: W = 60 warm-up train steps, then 8 cycles of T_train = 10 train steps and one hyper step; α = 1
 * (Δ-STN) and 0.3 (STN, whose joint Hessian in (w0, Θ) is larger by the second moment of (1, λ + ε)), α2 = 3,
 * λ0 = log 0.3, σ = 0.5, D = 4 features, K = 2 outputs, 12 training and 12 validation examples.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ridgeProblem } from '../../src/bilevel/families.js';
import { runDriver } from '../../src/bilevel/driver.js';
import { perturbations } from '../../src/bilevel/expectation.js';
import { createDataset, type Dataset } from '../../src/data/dataset.js';
import { initBackend } from '../../src/nn/backend.js';
import { HyperSpace, weightDecaySpec } from '../../src/nn/hyper.js';
import { NETWORK_METHODS, type StepContext } from '../../src/nn/methods/index.js';
import { linear, type StnNetwork } from '../../src/nn/models.js';
import { MomentumSgd, type VectorOptimizer } from '../../src/nn/optimizers.js';
import { readSync } from '../../src/nn/reading.js';
import { Rng } from '../../src/rng.js';
import { InvalidArgumentError } from '../../src/errors.js';

const D = 4;
const K = 2;
const N_TRAIN = 12;
const N_VAL = 12;
const LAMBDA0 = Math.log(0.3);
const SIGMA = 0.5;
const LR: Record<'delta-stn' | 'stn', number> = { 'delta-stn': 1, stn: 0.3 };
const LR_HYPER = 3;
const WARMUP = 60;
const T_TRAIN = 10;
const CYCLES = 8;

/** Features in [0, 1] (float32-rounded) and labels from a noisy linear rule. */
function makeData(n: number, seed: number): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: D }, () => Math.fround(rng.uniform())));
  const y = x.map((row) => (row[0] + row[1] - row[2] + 0.4 * rng.normal() > 0.5 ? 1 : 0));
  return { x, y };
}

const train = makeData(N_TRAIN, 11);
const val = makeData(N_VAL, 12);

/** The small engine's ridge problem on the Kronecker embedding (module remarks). */
function smallProblem() {
  const embed = (d: { x: number[][]; y: number[] }): { X: number[][]; t: number[] } => {
    const X: number[][] = [];
    const t: number[] = [];
    d.x.forEach((row, i) => {
      for (let o = 0; o < K; o++) {
        const r = new Array<number>(D * K).fill(0);
        row.forEach((v, j) => (r[j * K + o] = Math.sqrt(K) * v));
        X.push(r);
        t.push(Math.sqrt(K) * (d.y[i] === o ? 1 : 0));
      }
    });
    return { X, t };
  };
  const tr = embed(train);
  const va = embed(val);
  return ridgeProblem({ Xtrain: tr.X, ytrain: tr.t, Xval: va.X, yval: va.t });
}

function dataset(name: string, d: { x: number[][]; y: number[] }, copies: number): Dataset {
  const rows = Array.from({ length: copies }, () => d.x).flat();
  const labels = Array.from({ length: copies }, () => d.y).flat();
  return createDataset(name, Float32Array.from(rows.flat()), Int32Array.from(labels), [1, D, 1], K);
}

/**
 * The generator the network's steps draw their per-example noise from: n = +1 for the first half of each batch of
 * 2·N_TRAIN rows and −1 for the second (the 2-node Gauss–Hermite rule). Nothing else draws in these steps (no
 * dropout, no augmentation, σ not tuned), which `normal` counts.
 */
class GaussHermiteRows extends Rng {
  count = 0;
  constructor() {
    super(0);
  }
  override normal(): number {
    const row = this.count++ % (2 * N_TRAIN);
    return row < N_TRAIN ? 1 : -1;
  }
}

/** Plain gradient descent on λ (the small engine's driver), standing in for the trainer's RMSprop/Adam. */
function plainDescent(lr: number): VectorOptimizer {
  const opt = { kind: 'rmsprop', learningRate: lr, step: (x: readonly number[], g: readonly number[]) => x.map((xi, i) => xi - lr * g[i]), state: () => ({ step: 0, first: [], second: [] }), setState: () => undefined };
  return opt as unknown as VectorOptimizer;
}

/** The network engine's run: λ after the warm-up and after each cycle. */
function networkTrajectory(method: 'delta-stn' | 'stn', trainBottleneck: boolean): number[] {
  const model: StnNetwork = linear({ inputs: D, classes: K, rng: new Rng(3), objectiveHyperparameters: 1 });
  const { general, response: all } = model.parameters();
  // [W_resp, U_w]; with U_w frozen at 1 the response is Θ = W_resp exactly, the small engine's free Θ.
  const response = trainBottleneck ? all : [all[0]];
  // w0 = 0 as in the small engine (the only general variable is the kernel W_gen).
  general[0].assign(tf.zerosLike(general[0]));
  // Θ = W_resp diag(U_w) = 0 with ∂Θ/∂W_resp = I there: W_resp = 0, U_w = 1 (the layer starts at U_w = 0 instead).
  all[0].assign(tf.zerosLike(all[0]));
  all[1].assign(tf.onesLike(all[1]));
  const space = new HyperSpace([weightDecaySpec('weight_decay', { init: Math.exp(LAMBDA0), logScale: true, perturb: 'example', scale: SIGMA })]);
  const method_ = NETWORK_METHODS[method];
  const data = { train: dataset('train×2', train, 2), val: dataset('val', val, 1) };
  const images = (ds: Dataset, idx: ArrayLike<number>): tf.Tensor => tf.tensor2d(Float32Array.from(Array.from(idx, (i) => Array.from(ds.images.subarray(i * D, (i + 1) * D))).flat()), [idx.length, D]);
  const labels = (ds: Dataset, idx: ArrayLike<number>): tf.Tensor1D => tf.tensor1d(Array.from(idx, (i) => ds.labels[i]), 'int32');
  const optGeneral = new MomentumSgd(method_.jointWeights ? [...general, ...response] : general, LR[method], 0);
  const optResponse = new MomentumSgd(response, LR[method], 0);
  const ctx: StepContext = {
    model,
    space,
    data,
    settings: { method, entropyWeight: 0, tuneScales: false, dartsXi: null, dartsScale: 0.01 },
    general,
    response,
    optGeneral,
    optResponse,
    optLambda: plainDescent(LR_HYPER),
    optScale: plainDescent(LR_HYPER),
    state: {
      epoch: 0,
      trainSteps: 0,
      hyperSteps: 0,
      lambda: space.initialLambda(),
      rawScale: space.initialRawScale(),
      weights: [],
      generalMomentum: [],
      responseMomentum: [],
      lambdaOptimizer: { step: 0, first: [], second: [] },
      scaleOptimizer: { step: 0, first: [], second: [] },
      bestVal: Infinity,
      epochsSinceBest: 0,
      learningRate: LR[method],
    },
    images,
    labels,
    augmentInputs: (x) => x,
    hyperRows: () => null,
  };
  const rng = new GaussHermiteRows();
  const rows = Int32Array.from({ length: 2 * N_TRAIN }, (_, i) => i);
  const valIdx = Int32Array.from({ length: N_VAL }, (_, i) => i);
  const x = images(data.train, rows);
  const y = labels(data.train, rows);
  const trainStep = (): void => {
    readSync(method_.trainStep(ctx, x, y, rows, rng));
  };
  for (let s = 0; s < WARMUP; s++) trainStep();
  const out = [ctx.state.lambda[0]];
  for (let c = 0; c < CYCLES; c++) {
    for (let s = 0; s < T_TRAIN; s++) trainStep();
    readSync(method_.hyperStep(ctx, valIdx, rng, rows));
    out.push(ctx.state.lambda[0]);
  }
  expect(rng.count).toBe((WARMUP + CYCLES * T_TRAIN) * 2 * N_TRAIN);
  tf.dispose([x, y]);
  optGeneral.dispose();
  optResponse.dispose();
  model.dispose();
  return out;
}

function smallTrajectory(variant: 'delta-stn' | 'stn'): number[] {
  const res = runDriver(smallProblem(), {
    variant,
    lambda: [LAMBDA0],
    scale: [SIGMA],
    warmupSteps: WARMUP,
    trainSteps: T_TRAIN,
    valSteps: 1,
    cycles: CYCLES,
    lrWeights: LR[variant],
    lrHyper: LR_HYPER,
    expectation: { kind: 'quadrature', nodes: 2 },
  });
  expect(res.stopped).toBeUndefined();

  return res.records.map((r) => r.lambda[0]);
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('network engine = small engine on ridge regression', () => {
  test('weight decay on a log scale: T(λ) = e^λ (the ridge problem\'s λ = log d), kept through JSON; only on [lo, +∞)', () => {
    const space = new HyperSpace([weightDecaySpec('weight_decay', { init: 0.3, logScale: true })]);
    expect(space.transforms[0]).toBe('exp');
    expect(space.initialLambda()[0]).toBeCloseTo(Math.log(0.3), 15);
    expect(space.hyperValue(0, -2)).toBe(Math.exp(-2));
    const back = HyperSpace.fromJSON(JSON.stringify(space));
    expect(back.transforms[0]).toBe('exp');
    expect(back.specs[0].logScale).toBe(true);
    expect(new HyperSpace([weightDecaySpec()]).transforms[0]).toBe('lower_softplus');
    expect(() => new HyperSpace([weightDecaySpec('wd', { range: [0, 10], init: 1, logScale: true })])).toThrow(InvalidArgumentError);
  });

  test('the 2-node Gauss–Hermite rule is ε = ±σ with weights ½ (what the duplicated batch reproduces)', () => {
    const set = perturbations([SIGMA], { kind: 'quadrature', nodes: 2 });
    expect(set.points.map((p) => p[0]).sort((a, b) => a - b)).toEqual([-SIGMA, SIGMA].map((v) => expect.closeTo(v, 15)));
    set.weights.forEach((w) => expect(w).toBeCloseTo(0.5, 15));
  });

  for (const method of ['delta-stn', 'stn'] as const) {
    test(`${method}, Θ = W_resp (U_w = 1 fixed): the same path; λ agrees to 1e-6 at every hyper step`, () => {
      const small = smallTrajectory(method);
      const net = networkTrajectory(method, false);
      expect(net).toHaveLength(CYCLES + 1);
      expect(small).toHaveLength(CYCLES + 1);
      // Not vacuous: λ moves by far more than the tolerance.
      expect(Math.abs(small[CYCLES] - small[0])).toBeGreaterThan(0.25);
      net.forEach((v, i) => expect(Math.abs(v - small[i])).toBeLessThan(1e-6));
    });
  }

  test('delta-stn, the layer\'s bilinear response Θ = W_resp diag(U_w) (U_w trained too): λ agrees to 3e-4', () => {
    const small = smallTrajectory('delta-stn');
    const net = networkTrajectory('delta-stn', true);
    net.forEach((v, i) => expect(Math.abs(v - small[i])).toBeLessThan(3e-4));
  });
});
