/**
 * STN networks (src/nn/models.ts).
 *
 * - PT-13 (ii): the tangent pass of a whole network (tiny MLP and tiny SimpleCNN, random non-zero U, dropout
 *   at rate 0.3) at h_net = 0 in direction ε equals (a) a finite difference of f(h_net = tε) with the dropout
 *   masks held fixed and (b) the double-backward JVP computed with tf.grad: vjp(u) = ∇_h ⟨f(h), u⟩,
 *   Jv = ∇_u ⟨vjp(u), v⟩. A negative control shows that re-sampling the masks breaks (a) by far more than
 *   the tolerance, i.e. the check has the power to see the "new masks in the tangent pass" bug.
 * - PT-13 (iii) at the network level: with U = 0 (a fresh model) the gradient of the response objective —
 *   plain and linearized — w.r.t. every W_resp and b_resp is exactly 0 and w.r.t. every U is non-zero.
 * - float32 vs float64 on the linear model (`mlp` with `hidden: []`, one StnDense): logits, tangent,
 *   linearized response loss and its gradients w.r.t. the response and general parameters, and the
 *   hypergradient through h_net, against closed forms evaluated in float64.
 * - builders (shapes, hyperDim, the MLP's 10 logits), sampleMasks (shapes, rates, seeded), errors, no leaks.
 *
 * Finite differences in float32 (why the 5-point stencil and these t). Along h_net = tε, with the dropout
 * masks fixed and while no ReLU sign and no pooling arg-max changes, the logits are a polynomial in t of
 * degree K = number of STN layers (each layer's weights are affine in t): K = 3 for the MLP, 4 for the CNN.
 * The 5-point stencil [f(−2t) − 8f(−t) + 8f(t) − f(2t)]/(12t) is exact for degree ≤ 4, so its only error is
 * float32 rounding: ≤ 18·δ/(12t) with δ the absolute rounding error of one forward pass. The test checks
 * that the activation pattern (ReLU signs, pooling arg-maxes) is the same at all four points, which is the
 * premise. With δ ≈ 10·u·max|f| (u = 2⁻²⁴; a few float32 roundings per layer, relative to logits of size
 * O(1)), we allow 4× that, 4·18·δ/(12t) (`roundTol`). The real network's FD uses the largest t in
 * {0.05, …, 1e-3} with a constant pattern (MLP: t = 5e-3, tolerance ≈ 0.07% of max|Jv|). A 28×28 CNN has
 * thousands of ReLU inputs, the nearest ~1e-4 from its kink, so no useful t exists there; for it (and also
 * for the MLP) the FD is taken with the pattern frozen at t = 0 (see `blockwise`), an exact polynomial, at
 * t = 0.25. Central differences with the spec's t = 1e-5 would be pure float32 noise (u/t ≈ 6e-3).
 * The double-backward JVP and the tangent are the same linear map evaluated in a different order, so they
 * agree to float32 rounding of a few products per layer: we allow 1e-5·max|Jv| (≈ 170 u).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { StnDense, maxPool2x2 } from '../../src/nn/layers.js';
import { StnNetwork, alexNet, mlp, simpleCnn, type Masks } from '../../src/nn/models.js';
import { maxPool2x2Mask, oneHotCrossEntropy, selectPool2x2 } from '../../src/nn/ops.js';
import { Rng } from '../../src/rng.js';

const U32 = 2 ** -24;

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function randn(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
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

/** Sets every bottleneck U (response parameters 3 and 4 of each layer) to N(0, scale²) entries. */
function randomBottlenecks(model: StnNetwork, rng: Rng, scale: number): void {
  for (const b of model.blocks) {
    if (b.kind !== 'layer') continue;
    const layer = b.layer as unknown as { bottleneckWeight: tf.Variable; bottleneckBias: tf.Variable };
    for (const v of [layer.bottleneckWeight, layer.bottleneckBias]) tf.tidy(() => v.assign(randn(v.shape, rng, scale)));
  }
}

function disposeMasks(masks: Masks): void {
  for (const m of masks.values()) m.dispose();
}

/** The activation pattern at one point: each ReLU's 0/1 mask and each pooling layer's arg-max mask, by block. */
type Pattern = Map<number, tf.Tensor>;

/**
 * The forward pass re-done block by block with the layers' own `apply` (so with the per-example weights
 * Ŵ(h_net)), returning the logits and the activation pattern (ReLU signs, pooling arg-maxes). With `frozen`,
 * the ReLUs and poolings use that pattern instead of their own (the network linearized in its activations,
 * not in its weights): along h_net = tε the result is then exactly a polynomial of degree K in t, whose
 * derivative at t = 0 is the network's own when `frozen` is the pattern at t = 0.
 */
function blockwise(model: StnNetwork, x: tf.Tensor, hnet: tf.Tensor2D | null, masks: Masks, frozen?: Pattern): { logits: number[]; pattern: Pattern; signature: number[] } {
  const pattern: Pattern = new Map();
  const signature: number[] = [];
  const logits = tf.tidy(() => {
    let h = x;
    model.blocks.forEach((b, i) => {
      switch (b.kind) {
        case 'layer':
          h = b.layer.apply(h, hnet);
          break;
        case 'relu': {
          const m = tf.keep(tf.cast(tf.greater(h, 0), 'float32'));
          pattern.set(i, m);
          signature.push(...values(m));
          h = tf.mul(h, frozen ? (frozen.get(i) as tf.Tensor) : m);
          break;
        }
        case 'pool': {
          const m = tf.keep(maxPool2x2Mask(h as tf.Tensor4D));
          pattern.set(i, m);
          signature.push(...values(tf.argMax(m, -1)));
          h = frozen ? selectPool2x2(h as tf.Tensor4D, frozen.get(i) as tf.Tensor5D) : maxPool2x2(h as tf.Tensor4D);
          break;
        }
        case 'flatten':
          h = tf.reshape(h, [h.shape[0], -1]);
          break;
        default: {
          const m = masks.get(i);
          if (m) h = tf.mul(h, m);
        }
      }
    });
    return values(h);
  });
  return { logits, pattern, signature };
}

function disposePattern(p: Pattern): void {
  for (const t of p.values()) t.dispose();
}

const stencil = (f: (s: number) => number[], t: number): number[] => {
  const [a, b, c, d] = [-2 * t, -t, t, 2 * t].map(f);
  return a.map((_, e) => (a[e] - 8 * b[e] + 8 * c[e] - d[e]) / (12 * t));
};

interface JvpCheck {
  /** t of the FD on the real network (the largest of the ladder with a constant activation pattern). */
  t: number;
  fdErr: number;
  fdTol: number;
  frozenErr: number;
  frozenTol: number;
  dbErr: number;
  dbTol: number;
  newMaskErr: number;
  jvScale: number;
}

/** PT-13 (ii) for one model, input and masks: tangent vs 5-point FD (masks fixed) vs double-backward JVP. */
function checkTangent(model: StnNetwork, x: tf.Tensor, rates: number, seed: number, options: { realFd: boolean }): JvpCheck {
  const rng = new Rng(seed);
  const B = x.shape[0];
  const h = model.hyperDim;
  const rows = Array.from({ length: B }, () => new Array<number>(h).fill(rates));
  const masks = model.sampleMasks(rows, rng);
  const eps = randn([B, h], rng) as tf.Tensor2D;
  const [f0, df] = model.tangent(x, masks, eps);
  const fNull = model.forward(x, { hnet: null, masks });
  // The primal part of the tangent pass is the plain forward pass at w0, bit for bit.
  expect(values(f0)).toEqual(values(fNull));
  const jv = values(df);
  const jvScale = maxAbs(jv);
  expect(jvScale).toBeGreaterThan(1e-3);

  const run = (s: number, frozen?: Pattern): { logits: number[]; pattern: Pattern; signature: number[] } => {
    const hn = tf.mul(eps, s) as tf.Tensor2D;
    const r = blockwise(model, x, hn, masks, frozen);
    hn.dispose();
    return r;
  };
  const zero = run(0);
  expect(zero.logits).toEqual(values(fNull)); // the block-by-block re-run is the model's forward pass
  const fScale = maxAbs(zero.logits);
  // Rounding bound of the 5-point stencil (header): 18·δ/(12t) with δ = 10·u·max|f|, times a safety factor 4.
  const roundTol = (t: number): number => (18 / (12 * t)) * 10 * U32 * fScale * 4;

  // (a) FD of the real network, masks fixed: the largest t of the ladder whose four points keep the pattern.
  // Only where that t is ≥ 1e-3 (the MLP); a 28×28 CNN has thousands of ReLU inputs, the nearest of which is
  // ~1e-4 from its kink, and at t ≈ 1e-5 float32 rounding (u·max|f|/t) swamps the derivative. (a') covers it.
  let t = 0;
  let fdErr = NaN;
  let fdTol = NaN;
  if (options.realFd) {
    for (const cand of [0.05, 0.02, 1e-2, 5e-3, 2e-3, 1e-3]) {
      const same = [-2 * cand, -cand, cand, 2 * cand].every((s) => {
        const r = run(s);
        disposePattern(r.pattern);
        return r.signature.every((v, e) => v === zero.signature[e]);
      });
      if (same) {
        t = cand;
        break;
      }
    }
    expect(t, 'no t ≥ 1e-3 keeps the activation pattern').toBeGreaterThan(0);
    const fd = stencil((s) => {
      const r = run(s);
      disposePattern(r.pattern);
      return r.logits;
    }, t);
    fdTol = roundTol(t);
    fdErr = maxDiff(fd, jv);
    expect(fdErr, `tangent vs 5-point FD at t = ${t} (tol ${fdTol})`).toBeLessThan(fdTol);
  }

  // (a') The same with the activation pattern frozen at t = 0: an exact polynomial, so a large t is allowed.
  const tf0 = 0.25;
  const frozenFd = stencil((s) => {
    const r = run(s, zero.pattern);
    disposePattern(r.pattern);
    return r.logits;
  }, tf0);
  const frozenTol = roundTol(tf0);
  const frozenErr = maxDiff(frozenFd, jv);
  expect(frozenErr, `tangent vs frozen-pattern 5-point FD (tol ${frozenTol})`).toBeLessThan(frozenTol);

  // Negative control: the frozen FD with freshly sampled dropout masks is far off (masks must be held fixed).
  const other = model.sampleMasks(rows, new Rng(seed + 1000));
  const otherFd = stencil((s) => {
    const hn = tf.mul(eps, s) as tf.Tensor2D;
    const r = blockwise(model, x, hn, other, zero.pattern);
    hn.dispose();
    disposePattern(r.pattern);
    return r.logits;
  }, tf0);
  const newMaskErr = maxDiff(otherFd, jv);
  expect(newMaskErr).toBeGreaterThan(100 * frozenTol);
  disposeMasks(other);
  disposePattern(zero.pattern);

  // (b) double-backward JVP: vjp(u) = ∇_h ⟨f(h), u⟩ at h = 0, then Jv = ∇_u ⟨vjp(u), v⟩ (linear in u: any u).
  const h0 = tf.zeros([B, h]) as tf.Tensor2D;
  const u0 = tf.zeros(f0.shape);
  const vjp = (u: tf.Tensor): tf.Tensor => tf.grad((hh: tf.Tensor) => tf.sum(tf.mul(model.forward(x, { hnet: hh as tf.Tensor2D, masks }), u)))(h0);
  const dbJv = tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u), eps)))(u0);
  const dbErr = maxDiff(values(dbJv), jv);
  const dbTol = 1e-5 * jvScale;
  expect(dbErr, `tangent vs double-backward JVP (tol ${dbTol})`).toBeLessThan(dbTol);

  tf.dispose([eps, f0, df, fNull, h0, u0, dbJv]);
  disposeMasks(masks);
  const r = { t, fdErr, fdTol, frozenErr, frozenTol, dbErr, dbTol, newMaskErr, jvScale };
  if (process.env.NN_TEST_REPORT) console.log(model.name, tf.getBackend(), JSON.stringify(r));
  return r;
}

beforeAll(async () => {
  await initBackend('cpu'); // (also silences the cpu backend's one-time banner)
});

describe('PT-13 (ii): the tangent pass equals a finite difference (masks fixed) and a double-backward JVP', () => {
  test('tiny MLP 12-8-6-5, h = 3, dropout 0.3 everywhere, random U', () => {
    const rng = new Rng(101);
    const model = mlp({ rng, inputs: 12, hidden: [8, 6], classes: 5 });
    randomBottlenecks(model, rng, 0.5);
    const x = randn([4, 12], rng);
    const r = checkTangent(model, x, 0.3, 7, { realFd: true });
    x.dispose();
    model.dispose();
    expect(r.t).toBeGreaterThanOrEqual(1e-3);
  });

  test('tiny SimpleCNN (channels 2, 3; fc 6), h = 6, dropout 0.3 everywhere, random U', () => {
    const rng = new Rng(102);
    const model = simpleCnn({ rng, channels: [2, 3], fc: 6, classes: 4 });
    randomBottlenecks(model, rng, 0.5);
    const x = tf.tidy(() => tf.abs(randn([2, 28, 28, 1], rng)));
    const r = checkTangent(model, x, 0.3, 8, { realFd: false });
    x.dispose();
    model.dispose();
    expect(r.dbErr).toBeLessThan(r.dbTol);
  });
});

describe('PT-13 (iii): with U = 0 the response gradient w.r.t. W_resp is 0 and w.r.t. U is not', () => {
  test('tiny MLP, plain and linearized response objectives', () => {
    const rng = new Rng(201);
    const model = mlp({ rng, inputs: 10, hidden: [7, 5], classes: 4 });
    const B = 6;
    const x = randn([B, 10], rng);
    const y = tf.tensor1d([0, 1, 2, 3, 1, 2], 'int32');
    const masks = model.sampleMasks(
      Array.from({ length: B }, () => [0.2, 0.2, 0.2]),
      rng,
    );
    const eps = randn([B, 3], rng) as tf.Tensor2D;
    const { response } = model.parameters();
    for (const linearized of [false, true]) {
      const { value, grads } = tf.variableGrads(() => {
        if (linearized) {
          const [f0, df] = model.tangent(x, masks, eps);
          return oneHotCrossEntropy(tf.add(f0, df) as tf.Tensor2D, y);
        }
        return oneHotCrossEntropy(model.forward(x, { hnet: eps, masks }), y);
      }, response);
      // Layer order: [W_resp, b_resp, U_w, U_b] per layer.
      response.forEach((v, i) => {
        const g = values(grads[v.name]);
        if (i % 4 < 2) expect(g.every((e) => e === 0), `${v.name} (linearized: ${linearized})`).toBe(true);
        else expect(maxAbs(g), `${v.name} (linearized: ${linearized})`).toBeGreaterThan(1e-6);
      });
      value.dispose();
      tf.dispose(grads);
    }
    tf.dispose([x, y, eps]);
    disposeMasks(masks);
    model.dispose();
  });
});

describe('float32 vs float64: the linear model (mlp with hidden: [], one StnDense)', () => {
  test('logits, tangent, linearized response loss and its gradients, general gradient and hypergradient', () => {
    const rng = new Rng(301);
    const [nin, K, B] = [6, 4, 5];
    const model = mlp({ rng, inputs: nin, hidden: [], classes: K });
    expect(model.hyperDim).toBe(1);
    randomBottlenecks(model, rng, 0.8);
    const layer = (model.blocks[1] as { kind: 'layer'; layer: StnDense }).layer;
    const x = randn([B, nin], rng);
    const labels = [0, 3, 1, 2, 3];
    const y = tf.tensor1d(labels, 'int32');
    const masks = model.sampleMasks(
      Array.from({ length: B }, () => [0.2]),
      rng,
    );
    const eps = randn([B, 1], rng) as tf.Tensor2D;

    // float64 reference from the float32 values.
    const [wg, bg, wr, br, uw, ub] = [layer.weight, layer.bias, layer.responseWeight, layer.responseBias, layer.bottleneckWeight, layer.bottleneckBias].map(values);
    const mask = values(masks.get(0) as tf.Tensor);
    const xv = values(x);
    const xt = xv.map((v, i) => v * mask[i]); // x̃ = x ⊙ m (input dropout)
    const ev = values(eps);
    const z0: number[] = [];
    const zd: number[] = [];
    const xwr: number[] = [];
    const magZ: number[] = [];
    for (let i = 0; i < B; i++) {
      let m = 0;
      for (let j = 0; j < K; j++) {
        let a = bg[j];
        let r = 0;
        m += Math.abs(bg[j]) + Math.abs(ev[i] * ub[j] * br[j]);
        for (let k = 0; k < nin; k++) {
          a += xt[i * nin + k] * wg[k * K + j];
          r += xt[i * nin + k] * wr[k * K + j];
          m += Math.abs(xt[i * nin + k]) * (Math.abs(wg[k * K + j]) + Math.abs(ev[i] * uw[j] * wr[k * K + j]));
        }
        z0.push(a);
        xwr.push(r);
        zd.push(ev[i] * uw[j] * r + ev[i] * ub[j] * br[j]); // ż = (εU_w) ⊙ (x̃W_r) + (εU_b) ⊙ b_r
      }
      magZ.push(m);
    }
    const z = z0.map((v, e) => v + zd[e]); // one layer: f(h = ε) = f0 + ż exactly
    const ce = (logits: number[]): { loss: number; g: number[] } => {
      let loss = 0;
      const g: number[] = [];
      for (let i = 0; i < B; i++) {
        const row = logits.slice(i * K, (i + 1) * K);
        const mx = Math.max(...row);
        const s = row.reduce((acc, v) => acc + Math.exp(v - mx), 0);
        loss += mx + Math.log(s) - row[labels[i]];
        row.forEach((v, j) => g.push((Math.exp(v - mx) / s - (j === labels[i] ? 1 : 0)) / B));
      }
      return { loss: loss / B, g };
    };
    const resp = ce(z);
    const gen = ce(z0);
    const c = 4 * (nin + K + 8) * U32; // first-order bound constant (header of layers.test.ts, plus softmax)
    const lossTol = (mags: number[]): number => (c * mags.reduce((a, b) => a + b + Math.log(K), 0)) / B;

    // Logits and tangent.
    const fEps = model.forward(x, { hnet: eps, masks });
    const [f0, df] = model.tangent(x, masks, eps);
    const zTol = magZ.flatMap((m) => new Array<number>(K).fill(2 * (nin + 5) * U32 * m));
    values(fEps).forEach((v, e) => expect(Math.abs(v - z[e])).toBeLessThanOrEqual(zTol[e]));
    values(f0).forEach((v, e) => expect(Math.abs(v - z0[e])).toBeLessThanOrEqual(zTol[e]));
    values(df).forEach((v, e) => expect(Math.abs(v - zd[e])).toBeLessThanOrEqual(zTol[e]));

    // Linearized response loss and its gradients w.r.t. [W_resp, b_resp, U_w, U_b].
    const { response, general } = model.parameters();
    const lin = tf.variableGrads(() => {
      const [a, d] = model.tangent(x, masks, eps);
      return oneHotCrossEntropy(tf.add(a, d) as tf.Tensor2D, y);
    }, response);
    expect(Math.abs(lin.value.dataSync()[0] - resp.loss)).toBeLessThanOrEqual(lossTol(magZ));
    const sw = ev.map((e) => uw.map((u) => e * u)); // sw[i][j]
    const sb = ev.map((e) => ub.map((u) => e * u));
    const want: { v: number[]; mag: number[] }[] = [
      { v: [], mag: [] },
      { v: [], mag: [] },
      { v: [], mag: [] },
      { v: [], mag: [] },
    ];
    const pErr = (i: number): number => (1 + magZ[i]) / B; // absolute error scale of g_ij, in units of c
    for (let k = 0; k < nin; k++)
      for (let j = 0; j < K; j++) {
        let a = 0;
        let m = 0;
        for (let i = 0; i < B; i++) {
          a += xt[i * nin + k] * sw[i][j] * resp.g[i * K + j];
          m += Math.abs(xt[i * nin + k] * sw[i][j]) * (Math.abs(resp.g[i * K + j]) + pErr(i));
        }
        want[0].v.push(a);
        want[0].mag.push(m);
      }
    for (let j = 0; j < K; j++) {
      let [a1, m1, a2, m2, a3, m3] = [0, 0, 0, 0, 0, 0];
      for (let i = 0; i < B; i++) {
        const g = resp.g[i * K + j];
        a1 += sb[i][j] * g;
        m1 += Math.abs(sb[i][j]) * (Math.abs(g) + pErr(i));
        a2 += ev[i] * xwr[i * K + j] * g;
        m2 += Math.abs(ev[i] * xwr[i * K + j]) * (Math.abs(g) + pErr(i)) * (1 + nin); // x̃W_r carries nin roundings
        a3 += ev[i] * br[j] * g;
        m3 += Math.abs(ev[i] * br[j]) * (Math.abs(g) + pErr(i));
      }
      want[1].v.push(a1);
      want[1].mag.push(m1);
      want[2].v.push(a2);
      want[2].mag.push(m2);
      want[3].v.push(a3);
      want[3].mag.push(m3);
    }
    let worst = 0;
    response.forEach((v, r) => {
      const got = values(lin.grads[v.name]);
      got.forEach((gv, e) => {
        const tol = c * want[r].mag[e] + 1e-30;
        worst = Math.max(worst, Math.abs(gv - want[r].v[e]) / tol);
        expect(Math.abs(gv - want[r].v[e]), `${v.name}[${e}]`).toBeLessThanOrEqual(tol);
      });
    });
    // The plain (non-linearized) response objective is the same function for one layer.
    const plain = tf.variableGrads(() => oneHotCrossEntropy(model.forward(x, { hnet: eps, masks }), y), response);
    response.forEach((v, r) => {
      values(plain.grads[v.name]).forEach((gv, e) => expect(Math.abs(gv - want[r].v[e])).toBeLessThanOrEqual(c * want[r].mag[e] + 1e-30));
    });

    // General step gradient at h_net = 0: ∂/∂W_gen = x̃ᵀ g, ∂/∂b_gen = Σ_i g_i.
    const gs = tf.variableGrads(() => oneHotCrossEntropy(model.forward(x, { hnet: null, masks }), y), general);
    expect(Math.abs(gs.value.dataSync()[0] - gen.loss)).toBeLessThanOrEqual(lossTol(magZ));
    const gW = values(gs.grads[general[0].name]);
    const gB = values(gs.grads[general[1].name]);
    for (let k = 0; k < nin; k++)
      for (let j = 0; j < K; j++) {
        let a = 0;
        let m = 0;
        for (let i = 0; i < B; i++) {
          a += xt[i * nin + k] * gen.g[i * K + j];
          m += Math.abs(xt[i * nin + k]) * (Math.abs(gen.g[i * K + j]) + pErr(i));
        }
        expect(Math.abs(gW[k * K + j] - a)).toBeLessThanOrEqual(c * m);
      }
    for (let j = 0; j < K; j++) {
      let a = 0;
      let m = 0;
      for (let i = 0; i < B; i++) {
        a += gen.g[i * K + j];
        m += Math.abs(gen.g[i * K + j]) + pErr(i);
      }
      expect(Math.abs(gB[j] - a)).toBeLessThanOrEqual(c * m);
    }

    // Hypergradient through h_net (what the trainer's hyper step sums over examples), at h_net = ε:
    // ∂L/∂h_i = Σ_j g_ij (U_w[j] (x̃_i W_r)_j + U_b[j] b_r[j]).
    const hg = tf.grad((hn: tf.Tensor) => oneHotCrossEntropy(model.forward(x, { hnet: hn as tf.Tensor2D, masks }), y))(eps);
    values(hg).forEach((gv, i) => {
      let a = 0;
      let m = 0;
      for (let j = 0; j < K; j++) {
        a += resp.g[i * K + j] * (uw[j] * xwr[i * K + j] + ub[j] * br[j]);
        m += (Math.abs(resp.g[i * K + j]) + pErr(i)) * (Math.abs(uw[j] * xwr[i * K + j]) * (1 + nin) + Math.abs(ub[j] * br[j]));
      }
      expect(Math.abs(gv - a), `∂L/∂h_${i}`).toBeLessThanOrEqual(c * m);
    });

    expect(worst).toBeLessThan(1);
    if (process.env.NN_TEST_REPORT) console.log('linear model: worst |err|/tol of the response gradients', worst);
    tf.dispose([x, y, eps, fEps, f0, df, lin.value, plain.value, gs.value, hg]);
    tf.dispose([lin.grads, plain.grads, gs.grads].flatMap((g) => Object.values(g)));
    disposeMasks(masks);
    model.dispose();
  });
});

describe('builders, masks, errors', () => {
  test('the paper MLP 784-1200-1200-10 emits 10 logits (the reference’s 1200 is a bug) and has h = 3', () => {
    const model = mlp({ rng: new Rng(1) });
    expect(model.hyperDim).toBe(3);
    const { general, response } = model.parameters();
    expect(general.map((v) => v.shape)).toEqual([[784, 1200], [1200], [1200, 1200], [1200], [1200, 10], [10]]);
    expect(response.length).toBe(12);
    expect(response[10].shape).toEqual([3, 10]); // U_w of the last layer: h × 10
    model.dispose();
  });

  test('tiny builders give [B, 10] logits on their input shapes; hyperDim of each', () => {
    const rng = new Rng(2);
    const cases: [StnNetwork, number[], number][] = [
      [mlp({ rng, hidden: [5, 4] }), [3, 784], 3],
      [simpleCnn({ rng, channels: [2, 2], fc: 5 }), [3, 28, 28, 1], 6],
      [alexNet({ rng, width: 1 / 32 }), [3, 32, 32, 3], 7],
    ];
    for (const [model, shape, h] of cases) {
      expect(model.hyperDim).toBe(h);
      const x = tf.zeros(shape);
      const hn = tf.ones([3, h]) as tf.Tensor2D;
      const y = model.forward(x, { hnet: hn, masks: new Map() });
      expect(y.shape).toEqual([3, 10]);
      const [f0, df] = model.tangent(x, new Map(), hn);
      expect(f0.shape).toEqual([3, 10]);
      expect(df.shape).toEqual([3, 10]);
      tf.dispose([x, hn, y, f0, df]);
      model.dispose();
    }
  });

  test('sampleMasks: one mask per dropout block, with that block’s hyperparameter column as rates; rate 0 gives ones; seeded', () => {
    const model = simpleCnn({ rng: new Rng(3), channels: [2, 3], fc: 5 });
    const rates = [0.2, 0.5, 0.75, 0.9]; // columns 0..3 are the four dropout rates, 4 and 5 the cutout values
    const rows = Array.from({ length: 4 }, (_, i) => [...rates.map((p) => (i === 0 ? 0 : p)), 4, 1]);
    const a = model.sampleMasks(rows, new Rng(5));
    const b = model.sampleMasks(rows, new Rng(5));
    expect([...a.keys()]).toEqual([0, 4, 8, 12]);
    expect([...a.values()].map((m) => m.shape)).toEqual([
      [4, 1, 1, 1],
      [4, 1, 1, 2],
      [4, 1, 1, 3],
      [4, 5],
    ]);
    [...a.entries()].forEach(([k, m], column) => {
      const v = values(m);
      expect(v).toEqual(values(b.get(k) as tf.Tensor));
      const per = v.length / 4;
      expect(v.slice(0, per).every((e) => e === 1)).toBe(true); // example 0 has rate 0
      const kept = Math.fround(1 / (1 - rates[column]));
      expect(v.slice(per).every((e) => e === 0 || e === kept), `block ${k}: values in {0, 1/(1 − ${rates[column]})}`).toBe(true);
    });
    disposeMasks(a);
    disposeMasks(b);
    model.dispose();
  });

  test('errors: dropout index outside the space, simpleCnn hyperDim < 4', () => {
    const rng = new Rng(4);
    const layer = new StnDense(3, 2, { hyperDim: 1, rng });
    expect(() => new StnNetwork('bad', [{ kind: 'dropout', hyper: 1 }, { kind: 'layer', layer }], [3], 1)).toThrow(InvalidArgumentError);
    expect(() => simpleCnn({ rng, hyperDim: 3 })).toThrow(InvalidArgumentError);
    for (const v of [...layer.parameters().general, ...layer.parameters().response]) v.dispose();
  });

  test('no tensor leaks: build/dispose, forward and tangent in a loop; two models with the same layer names coexist', () => {
    const before = tf.memory().numTensors;
    for (let r = 0; r < 2; r++) simpleCnn({ rng: new Rng(6), channels: [1, 2], fc: 3 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const rng = new Rng(7);
    const m1 = mlp({ rng, inputs: 5, hidden: [4], classes: 3 });
    const m2 = mlp({ rng, inputs: 5, hidden: [4], classes: 3 });
    const x = randn([2, 5], rng);
    const eps = randn([2, 2], rng) as tf.Tensor2D;
    const masks = m1.sampleMasks([
      [0.3, 0.3],
      [0.3, 0.3],
    ], rng);
    const start = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) {
      tf.dispose([m1.forward(x, { hnet: eps, masks }), m2.forward(x, { hnet: null, masks }), ...m1.tangent(x, masks, eps)]);
      expect(tf.memory().numTensors).toBe(start);
    }
    tf.dispose([x, eps]);
    disposeMasks(masks);
    m1.dispose();
    m2.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('wasm backend', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test('PT-13 (ii) on wasm: tiny SimpleCNN tangent = FD = double-backward JVP', () => {
    const rng = new Rng(102);
    const model = simpleCnn({ rng, channels: [2, 3], fc: 6, classes: 4 });
    randomBottlenecks(model, rng, 0.5);
    const x = tf.tidy(() => tf.abs(randn([2, 28, 28, 1], rng)));
    const r = checkTangent(model, x, 0.3, 8, { realFd: false });
    x.dispose();
    model.dispose();
    expect(r.dbErr).toBeLessThan(r.dbTol);
  });
});
