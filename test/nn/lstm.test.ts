/**
 * The STN LSTM layer (src/nn/lstm.ts) and the language model's tangent pass (src/nn/languageModel.ts).
 *
 * - float32 vs a float64 reference: the layer's outputs at h_net = s·ε (random non-zero response parameters and
 *   bottlenecks, a DropConnect mask, a non-zero carried state) against the recurrence written out in float64 here.
 * - The tangent through the recurrence: (a) a float64 central difference of that reference along
 *   (x + s·ẋ, h_net = s·ε) (step √ε_mach·scale, docs/math.md tolerance policy: its own error ≈ 1e-9 relative), and
 *   (b) the double-backward JVP in tfjs, vjp(u) = ∇_{h,x}⟨f, u⟩ then Jv = ∇_u⟨vjp(u), v⟩.
 *   Tolerances: the tangent is float32, computed over T = 5 steps of ~20 roundings each; we allow 1e-5·max|Jv|
 *   (≈ 170 u, the models' tangent bound) against both (measured ≈ 1e-7 relative).
 * - The whole language model (2 layers, dropout masks, carried state, decoder): its tangent against the
 *   double-backward JVP, and the response-only tangent gives the same values and Θ-gradients bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { LanguageModel } from '../../src/nn/languageModel.js';
import { StnLstm, type LstmState } from '../../src/nn/lstm.js';
import { oneHotCrossEntropy } from '../../src/nn/ops.js';
import { Rng } from '../../src/rng.js';
import { finiteDifferenceStep } from '../../src/tolerance.js';

beforeAll(async () => {
  await initBackend('cpu');
});

afterAll(async () => {
  await initBackend('wasm');
});

type M = number[][];

const rows = (t: tf.Tensor): M => {
  const v = Array.from(t.dataSync());
  const [m, n] = t.shape.length === 1 ? [1, t.shape[0]] : t.shape;
  return Array.from({ length: m }, (_, i) => v.slice(i * n, (i + 1) * n));
};
const mm = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((acc, v, k) => acc + v * b[k][j], 0)));
const add = (a: M, b: M): M => a.map((r, i) => r.map((v, j) => v + b[i][j]));
const mul = (a: M, b: M): M => a.map((r, i) => r.map((v, j) => v * b[i][j]));
const rowAdd = (a: M, b: number[]): M => a.map((r) => r.map((v, j) => v + b[j]));
const rowMul = (a: M, b: number[]): M => a.map((r) => r.map((v, j) => v * b[j]));
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const maxAbs = (a: number[]): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: number[], b: number[]): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** One StnDense in float64: x W + b + (hn U_w) ⊙ (x (W_r ⊙ M)) + (hn U_b) ⊙ b_r (W ⊙ M too). */
function dense64(p: M[], x: M, hn: M, mask: M | null): M {
  const [w, b, wr, br, uw, ub] = p;
  const W = mask ? mul(w, mask) : w;
  const Wr = mask ? mul(wr, mask) : wr;
  const y = rowAdd(mm(x, W), b[0]);
  return add(add(y, mul(mm(hn, uw), mm(x, Wr))), rowMul(mm(hn, ub), br[0]));
}

/** The recurrence of src/nn/lstm.ts in float64: outputs [T·B, H] time-major. */
function lstm64(input: M[], recurrent: M[], x: M, T: number, hn: M, h0: M, c0: M, mask: M | null): M {
  const B = hn.length;
  const H = h0[0].length;
  const zx = dense64(input, x, Array.from({ length: T }, () => hn).flat(), null);
  let h = h0;
  let c = c0;
  const out: M = [];
  for (let t = 0; t < T; t++) {
    const z = add(zx.slice(t * B, (t + 1) * B), dense64(recurrent, h, hn, mask));
    const gate = (k: number, f: (v: number) => number): M => z.map((r) => r.slice(k * H, (k + 1) * H).map(f));
    const [i, f, g, o] = [gate(0, sig), gate(1, sig), gate(2, Math.tanh), gate(3, sig)];
    c = add(mul(f, c), mul(i, g));
    h = mul(o, c.map((r) => r.map(Math.tanh)));
    out.push(...h);
  }
  return out;
}

const params64 = (l: StnLstm): { input: M[]; recurrent: M[] } => {
  const p = (d: typeof l.inputLayer): M[] => [d.weight, d.bias, d.responseWeight, d.responseBias, d.bottleneckWeight, d.bottleneckBias].map(rows);
  return { input: p(l.inputLayer), recurrent: p(l.recurrentLayer) };
};

function randn(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}

/** Random response parameters (U starts at 0, which would make the tangent's response part vanish). */
function perturbResponse(vars: tf.Variable[], rng: Rng, scale: number): void {
  for (const v of vars) {
    const t = randn(v.shape, rng, scale);
    v.assign(t);
    t.dispose();
  }
}

describe('StnLstm', () => {
  test('float32 forward = float64 reference; tangent = float64 central difference = double-backward JVP', () => {
    const rng = new Rng(16);
    const [inp, H, h, T, B] = [3, 4, 2, 5, 2];
    const layer = new StnLstm(inp, H, { hyperDim: h, rng, name: 'lstm-test' });
    perturbResponse(layer.parameters().response, rng, 0.5);
    const x = randn([T * B, inp], rng) as tf.Tensor2D;
    const dx = randn([T * B, inp], rng) as tf.Tensor2D;
    const eps = randn([B, h], rng) as tf.Tensor2D;
    const state: LstmState = { h: randn([B, H], rng, 0.5) as tf.Tensor2D, c: randn([B, H], rng, 0.5) as tf.Tensor2D };
    const mask = tf.tensor2d(Float32Array.from({ length: H * 4 * H }, () => (rng.uniform() < 0.3 ? 0 : 1 / 0.7)), [H, 4 * H]);
    const p = params64(layer);
    const [x64, dx64, eps64, h064, c064, mask64] = [x, dx, eps, state.h, state.c, mask].map(rows);
    const ref = (s: number): number[] => lstm64(p.input, p.recurrent, add(x64, dx64.map((r) => r.map((v) => s * v))), T, eps64.map((r) => r.map((v) => s * v)), h064, c064, mask64).flat();

    // Forward at h_net = 0.7 ε against float64.
    const hn = tf.mul(eps, 0.7) as tf.Tensor2D;
    const xs = tf.add(x, tf.mul(dx, 0.7)) as tf.Tensor2D;
    const fwd = layer.apply(xs, T, hn, state, mask);
    const want = ref(0.7);
    expect(maxDiff(Array.from(fwd.output.dataSync()), want)).toBeLessThan(1e-5 * maxAbs(want));
    // The final state is the last time step's output.
    expect(Array.from(fwd.state.h.dataSync())).toEqual(Array.from(fwd.output.dataSync()).slice((T - 1) * B * H));

    const tan = layer.tangent(x, dx, T, eps, state, mask);
    const jv = Array.from(tan.tangent.dataSync());
    const scale = maxAbs(jv);
    expect(scale).toBeGreaterThan(1e-2);
    // Its primal part is apply(x, null) bit for bit.
    const plain = layer.apply(x, T, null, state, mask);
    expect(Array.from(tan.output.dataSync())).toEqual(Array.from(plain.output.dataSync()));

    // (a) float64 central difference along (x + s ẋ, s ε).
    const step = finiteDifferenceStep(1);
    const plus = ref(step);
    const minus = ref(-step);
    const fd = plus.map((v, i) => (v - minus[i]) / (2 * step));
    const fdErr = maxDiff(fd, jv);
    expect(fdErr, `tangent vs float64 central difference (max |Jv| ${scale})`).toBeLessThan(1e-5 * scale);

    // (b) double-backward JVP w.r.t. (h_net, x) in the direction (ε, ẋ).
    const h0 = tf.zeros([B, h]) as tf.Tensor2D;
    const u0 = tf.zeros([T * B, H]);
    const vjp = (u: tf.Tensor): tf.Tensor[] => tf.grads((hh: tf.Tensor, xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx as tf.Tensor2D, T, hh as tf.Tensor2D, state, mask).output, u)))([h0, x]);
    const db = tf.grad((u: tf.Tensor) => {
      const [gh, gx] = vjp(u);
      return tf.add(tf.sum(tf.mul(gh, eps)), tf.sum(tf.mul(gx, dx)));
    })(u0);
    const dbErr = maxDiff(Array.from(db.dataSync()), jv);
    if (process.env.NN_TEST_REPORT) console.log(JSON.stringify({ scale, fdErr, dbErr }));
    expect(dbErr, 'tangent vs double-backward JVP').toBeLessThan(1e-5 * scale);

    tf.dispose([x, dx, eps, state.h, state.c, mask, hn, xs, fwd.output, fwd.state.h, fwd.state.c, tan.output, tan.tangent, tan.state.h, tan.state.c, plain.output, plain.state.h, plain.state.c, h0, u0, db]);
    for (const v of [...layer.parameters().general, ...layer.parameters().response]) v.dispose();
  });

  test('typed errors name the argument', () => {
    const layer = new StnLstm(3, 2, { hyperDim: 1, rng: new Rng(1) });
    const x = tf.zeros([6, 3]) as tf.Tensor2D;
    expect(() => layer.apply(x, 4, null)).toThrow(InvalidArgumentError);
    expect(() => layer.apply(tf.zeros([6, 2]) as tf.Tensor2D, 3, null)).toThrow(ShapeMismatchError);
    expect(() => layer.apply(x, 3, tf.zeros([3, 1]) as tf.Tensor2D)).toThrow(/hnet/);
    expect(() => layer.tangent(x, null, 3, tf.zeros([2, 2]) as tf.Tensor2D)).toThrow(/direction/);
    expect(() => layer.apply(x, 3, null, { h: tf.zeros([2, 3]) as tf.Tensor2D, c: tf.zeros([2, 2]) as tf.Tensor2D })).toThrow(/state/);
    expect(() => new StnLstm(0, 2, { hyperDim: 1, rng: new Rng(1) })).toThrow(/inputs/);
    x.dispose();
  });
});

describe('LanguageModel tangent pass', () => {
  test('2 layers, dropout masks, carried state: tangent = double-backward JVP; response-only is bit for bit the same', () => {
    const rng = new Rng(61);
    const model = new LanguageModel({ vocabulary: 7, embedding: 3, hidden: 4, layers: 2, bptt: 4, rng: new Rng(3) });
    perturbResponse(model.parameters().response, rng, 0.4);
    const [T, B, h] = [4, 2, model.hyperDim];
    const x = tf.tensor2d(Array.from({ length: T * B }, () => rng.int(0, 6)), [T, B], 'int32');
    const y = tf.tensor1d(Array.from({ length: T * B }, () => rng.int(0, 6)), 'int32');
    const masks = model.sampleMasks(Array.from({ length: T * B }, () => [0.3, 0.3, 0.3, 0.3, 0.3]), rng);
    const eps = randn([B, h], rng) as tf.Tensor2D;
    const initial: LstmState[] = [0, 1].map(() => ({ h: randn([B, 4], rng, 0.5) as tf.Tensor2D, c: randn([B, 4], rng, 0.5) as tf.Tensor2D }));
    model.setCarry(initial, false);
    const [f0, df] = model.tangent(x, masks, eps);
    const fNull = model.forward(x, { hnet: null, masks });
    expect(Array.from(f0.dataSync())).toEqual(Array.from(fNull.dataSync()));
    const jv = Array.from(df.dataSync());
    const scale = maxAbs(jv);
    expect(scale).toBeGreaterThan(1e-2);
    const h0 = tf.zeros([B, h]) as tf.Tensor2D;
    const u0 = tf.zeros(f0.shape);
    const vjp = (u: tf.Tensor): tf.Tensor => tf.grad((hh: tf.Tensor) => tf.sum(tf.mul(model.forward(x, { hnet: hh as tf.Tensor2D, masks }), u)))(h0);
    const db = tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u), eps)))(u0);
    expect(maxDiff(Array.from(db.dataSync()), jv), 'model tangent vs double-backward JVP').toBeLessThan(1e-5 * scale);
    // A T·B-row direction uses its first B rows (one per sequence).
    const tall = tf.concat([eps, randn([(T - 1) * B, h], rng)], 0) as tf.Tensor2D;
    const [, dfTall] = model.tangent(x, masks, tall);
    expect(Array.from(dfTall.dataSync())).toEqual(jv);

    // Response-only: the same values and Θ-gradients, bit for bit.
    const response = model.parameters().response;
    const run = (responseOnly: boolean): { value: number[]; grads: number[][] } => {
      const { value, grads } = tf.variableGrads(() => {
        const [a, b] = model.tangent(x, masks, eps, null, { responseOnly });
        return oneHotCrossEntropy(tf.add(a, b) as tf.Tensor2D, y);
      }, response);
      const out = { value: Array.from(value.dataSync()), grads: response.map((v) => Array.from(grads[v.name].dataSync())) };
      tf.dispose([value, grads]);
      return out;
    };
    const full = run(false);
    const only = run(true);
    expect(only).toEqual(full);
    expect(full.grads.some((g) => g.some((v) => v !== 0))).toBe(true);

    model.setCarry(null, false);
    tf.dispose([x, y, eps, f0, df, fNull, h0, u0, db, tall, dfTall, ...masks.values(), ...initial.flatMap((s) => [s.h, s.c])]);
    model.dispose();
  });
});
