/**
 * Backend parity: the same steps, with the same seeds, on every backend this machine has, agree with the
 * plain-JavaScript `cpu` backend to float32 tolerance; and a checkpoint written on one backend resumes on
 * another.
 *
 * Backends: `cpu` (the reference), `wasm` (always), `tensorflow` (after `npm run setup:native`), `webgpu`
 * (a hardware adapter, or SwiftShader's software Vulkan from Debian's chromium package, which this file
 * points VK_ICD_FILENAMES at when no driver is configured). A backend that is not available here is
 * reported as skipped, by name, with the reason; CI installs all four (`.ci/run`), so there nothing is
 * skipped. Set DELTASTN_PARITY_REQUIRE=tensorflow,webgpu to turn a missing backend into a failure.
 *
 * What is compared, per model (tiny MLP 784-16-12-10; tiny SimpleCNN with 2 and 3 channels) and per method
 * (fixed, stn, delta-stn, delta-stn-linearized): the losses of 3 training steps and of one hyper step, λ and
 * s after it, the hypergradient ∂L_V/∂h_net (rows, at the trained weights) and every weight. The steps are
 * driven by the asynchronous reads (`trainStepAsync`…), the only ones WebGPU has; on cpu they give the same
 * numbers as the synchronous ones (checked below, bit for bit).
 *
 * Tolerance: each backend sums in its own order (XNNPACK, Eigen/oneDNN, WGSL shaders), so results differ by
 * float32 rounding, amplified a little by the 3 SGD steps. A quantity q is accepted when
 * ‖q_B − q_cpu‖∞ ≤ 2e-5 · max(‖q_cpu‖∞, 1e-2). Measured here: at most 3.6e-7 (wasm), 2.3e-7 (tensorflow),
 * 3.5e-7 (webgpu on SwiftShader), printed at the end of every run; 2e-5 leaves a factor ≈ 50 for other
 * machines' kernels and is still ~170 float32 ulps, far below any real discrepancy (a dropped term, a wrong
 * mask or a sign flip moves these quantities by 1e-2 or more: the last test breaks the hypergradient on purpose
 * and checks that the comparison catches it).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mnistSplit } from '../../src/data/mnist.js';
import { initBackend, type ActiveBackendName, type BackendInfo } from '../../src/nn/backend.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.js';
import { HyperSpace, channelDropoutSpec, cutoutHolesSpec, cutoutLengthSpec, dropoutSpec, inputDropoutSpec } from '../../src/nn/hyper.js';
import { mlp, simpleCnn, type Masks, type StnNetwork } from '../../src/nn/models.js';
import { oneHotCrossEntropy } from '../../src/nn/ops.js';
import { Trainer, type EpochLog, type NnMethod, type TrainerData } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
process.env.XDG_RUNTIME_DIR ??= tmpdir();
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

const TOL = 2e-5;
const FLOOR = 1e-2;
const METHODS: NnMethod[] = ['fixed', 'stn', 'delta-stn', 'delta-stn-linearized'];
const CANDIDATES: ActiveBackendName[] = ['wasm', 'tensorflow', 'webgpu'];
const required = (process.env.DELTASTN_PARITY_REQUIRE ?? '').split(',').filter(Boolean);

let data: TrainerData;
const available: { name: ActiveBackendName; info: BackendInfo }[] = [];
const missing: string[] = [];
const root = mkdtempSync(join(tmpdir(), 'deltastn-parity-'));
/** The largest relative deviation from cpu seen per backend (printed at the end, for the README). */
const worst = new Map<string, number>();

beforeAll(async () => {
  const s = mnistSplit(2020, { train: 64, val: 32, test: 32 });
  data = { train: s.train, val: s.val, test: s.test };
  for (const name of CANDIDATES) {
    try {
      available.push({ name, info: await initBackend(name) });
    } catch (e) {
      missing.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  await initBackend('cpu');
});

afterAll(async () => {
  console.log(`parity: largest relative deviation from cpu: ${[...worst].map(([b, d]) => `${b} ${d.toExponential(1)}`).join(', ')} (tolerance ${TOL})`);
  rmSync(root, { recursive: true, force: true });
  await initBackend('wasm');
});

type ModelKind = 'mlp' | 'cnn';

function build(kind: ModelKind): { model: StnNetwork; space: HyperSpace } {
  if (kind === 'mlp') {
    return { model: mlp({ rng: new Rng(17), hidden: [16, 12] }), space: new HyperSpace([inputDropoutSpec('dropout_input'), dropoutSpec('dropout1'), dropoutSpec('dropout2')]) };
  }
  return { model: simpleCnn({ rng: new Rng(18), channels: [2, 3], fc: 8 }), space: new HyperSpace([channelDropoutSpec('dropout0'), channelDropoutSpec('dropout1'), channelDropoutSpec('dropout2'), dropoutSpec('dropout_fc'), cutoutLengthSpec(), cutoutHolesSpec()]) };
}

/** Everything one run of steps produces, as plain numbers. */
interface Trace {
  /** The backend it ran on (`tf.getBackend()` during the run). */
  backend: string;
  losses: number[];
  lambda: number[];
  rawScale: number[];
  hypergradient: number[];
  weights: number[][];
}

const idx = (n: number, from = 0): Int32Array => Int32Array.from({ length: n }, (_, i) => from + i);

/** ∂L_V/∂h_net at rows λ (one per validation example), evaluation mode: the quantity a hyper step descends. */
async function hypergradient(model: StnNetwork, lambda: number[], n: number): Promise<number[]> {
  const ds = data.val;
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const x = tf.tensor(ds.images.slice(0, n * per), [n, ...model.inputShape]);
  const y = tf.tensor1d(Array.from(ds.labels.subarray(0, n)), 'int32');
  const rows = tf.tensor2d(Array.from({ length: n }, () => lambda), [n, lambda.length], 'float32');
  const empty: Masks = new Map();
  const g = tf.grad((hn: tf.Tensor) => oneHotCrossEntropy(model.forward(x, { hnet: hn as tf.Tensor2D, masks: empty }), y, 'mean', { labelsChecked: true }))(rows);
  const out = Array.from(await g.data());
  tf.dispose([x, y, rows, g]);
  return out;
}

/**
 * The traces computed so far in this file, by backend, model and method. A trace is a deterministic function of
 * these three (fixed seeds), so a second test that needs the same run reads it here instead of running it again
 * (the negative control below reuses the `mlp, delta-stn` traces: on SwiftShader one trace costs seconds).
 */
const traces = new Map<string, Trace>();

/** {@link trace} on `backend` (switched to first), computed once per file. */
async function traceOn(backend: ActiveBackendName, kind: ModelKind, method: NnMethod): Promise<Trace> {
  const key = `${backend}|${kind}|${method}`;
  const done = traces.get(key);
  if (done) return done;
  await initBackend(backend);
  const t = await trace(kind, method);
  traces.set(key, t);
  return t;
}

/** 3 training steps and a hyper step of `method` on the active backend, asynchronous reads. */
async function trace(kind: ModelKind, method: NnMethod): Promise<Trace> {
  const { model, space } = build(kind);
  const trainer = new Trainer(model, space, data, { method, epochs: 1, batchSize: 16, seed: 5 });
  try {
    const rng = new Rng(3);
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) losses.push(await trainer.trainStepAsync(idx(16, 16 * s), rng));
    losses.push(await trainer.hyperStepAsync(idx(16), rng));
    const snap = await trainer.snapshotAsync();
    return {
      backend: tf.getBackend(),
      losses,
      lambda: [...trainer.state.lambda],
      rawScale: [...trainer.state.rawScale],
      hypergradient: await hypergradient(model, trainer.state.lambda, 8),
      weights: snap.weights.map((w) => Array.from(w)),
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** ‖a − b‖∞ / max(‖b‖∞, FLOOR): the relative deviation the tolerance bounds. */
function deviation(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = FLOOR;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return Number.isFinite(diff) ? diff / scale : Infinity;
}

function traceDeviations(got: Trace, want: Trace): Record<string, number> {
  return {
    losses: deviation(got.losses, want.losses),
    lambda: deviation(got.lambda, want.lambda),
    rawScale: deviation(got.rawScale, want.rawScale),
    hypergradient: deviation(got.hypergradient, want.hypergradient),
    weights: Math.max(...got.weights.map((w, i) => deviation(w, want.weights[i]))),
  };
}

describe('backend parity (reference: cpu)', () => {
  test('which backends are here; a required one must be', () => {
    const names = available.map((a) => a.name);
    console.log(`parity backends: ${available.map((a) => `${a.name} [${a.info.device}]`).join('; ')}${missing.length ? `\nnot here: ${missing.join('; ')}` : ''}`);
    expect(names).toContain('wasm');
    for (const r of required) expect(names, `DELTASTN_PARITY_REQUIRE names ${r}, which is not available: ${missing.join('; ')}`).toContain(r);
  });

  test('on cpu, the asynchronous drivers give the synchronous numbers bit for bit', async () => {
    await initBackend('cpu');
    const { model, space } = build('mlp');
    const a = new Trainer(model, space, data, { method: 'delta-stn-linearized', epochs: 2, batchSize: 16, seed: 9, warmupEpochs: 0 });
    const m2 = build('mlp');
    const b = new Trainer(m2.model, m2.space, data, { method: 'delta-stn-linearized', epochs: 2, batchSize: 16, seed: 9, warmupEpochs: 0 });
    const strip = (r: EpochLog | { stopped: string }): unknown => ('stopped' in r ? r : { ...r, seconds: 0 });
    expect(strip(await a.runEpochAsync())).toEqual(strip(b.runEpoch()));
    expect(await a.evaluateAsync(data.val)).toEqual(b.evaluate(data.val));
    expect(await a.snapshotAsync()).toEqual(b.snapshot());
    for (const t of [a, b]) t.dispose();
    model.dispose();
    m2.model.dispose();
  });

  for (const kind of ['mlp', 'cnn'] as const) {
    for (const method of METHODS) {
      test(`${kind}, ${method}: 3 train steps + a hyper step agree with cpu on every backend`, async () => {
        const want = await traceOn('cpu', kind, method);
        expect(want.backend).toBe('cpu');
        expect(want.losses.every(Number.isFinite)).toBe(true);
        for (const { name } of available) {
          const got = await traceOn(name, kind, method);
          expect(got.backend).toBe(name);
          const dev = traceDeviations(got, want);
          worst.set(name, Math.max(worst.get(name) ?? 0, ...Object.values(dev)));
          for (const [what, d] of Object.entries(dev)) expect(d, `${name}, ${what}: relative deviation ${d.toExponential(2)} from cpu`).toBeLessThanOrEqual(TOL);
        }
      });
    }
  }

  test('a checkpoint written on each backend resumes on the next one (cpu → wasm → tensorflow → webgpu → cpu), matching the uninterrupted run', async () => {
    const epochs = (t: Trainer): Promise<EpochLog | { stopped: string }> => t.runEpochAsync();
    const make = (): { model: StnNetwork; trainer: Trainer } => {
      const { model, space } = build('mlp');
      return { model, trainer: new Trainer(model, space, data, { method: 'delta-stn', epochs: 2, batchSize: 16, seed: 11, warmupEpochs: 0, trainSteps: 2 }) };
    };
    const chain: ActiveBackendName[] = ['cpu', ...available.map((a) => a.name)];
    for (const [k, writer] of chain.entries()) {
      await initBackend(writer);
      const straight = make();
      await epochs(straight.trainer);
      const want = await epochs(straight.trainer);
      const dir = join(root, `from-${writer}`);
      const first = make();
      await epochs(first.trainer);
      saveCheckpoint(dir, await first.trainer.snapshotAsync(), { writer });
      for (const r of [straight, first]) {
        r.trainer.dispose();
        r.model.dispose();
      }
      if ('stopped' in want) throw new Error(want.stopped);
      {
        const reader = chain[(k + 1) % chain.length];
        await initBackend(reader);
        const second = make();
        second.trainer.restore(loadCheckpoint(dir).state);
        const got = await epochs(second.trainer);
        second.trainer.dispose();
        second.model.dispose();
        if ('stopped' in got) throw new Error(got.stopped);
        expect(got.epoch).toBe(1);
        const d = Math.max(
          deviation([got.train.loss, got.val.loss], [want.train.loss, want.val.loss]),
          deviation(got.lambda, want.lambda),
          deviation(got.rawScale, want.rawScale),
        );
        expect(d, `written on ${writer}, resumed on ${reader}: deviation ${d.toExponential(2)}`).toBeLessThanOrEqual(TOL);
      }
    }
  });

  test('the comparison can fail: a hypergradient with one flipped sign is caught on every backend', async () => {
    // The `mlp, delta-stn` test's traces (the same runs: computed here only when that test did not run first).
    const want = await traceOn('cpu', 'mlp', 'delta-stn');
    const broken = { ...want, hypergradient: want.hypergradient.map((g, i) => (i === want.hypergradient.indexOf(Math.max(...want.hypergradient)) ? -g : g)) };
    expect(traceDeviations(broken, want).hypergradient).toBeGreaterThan(TOL);
    for (const { name } of available) {
      const got = await traceOn(name, 'mlp', 'delta-stn');
      expect(got.backend).toBe(name);
      expect(traceDeviations(got, broken).hypergradient).toBeGreaterThan(TOL);
    }
  });
});
