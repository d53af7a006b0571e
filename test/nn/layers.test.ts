/**
 * STN layers (src/nn/layers.ts).
 *
 * - PT-13 (i): `StnDense` / `StnConv2d` output = x Ŵ_i + b̂_i with Ŵ_i = W_gen + W_resp diag(U_wᵀ h_i) and
 *   b̂_i = b_gen + (U_bᵀ h_i) ⊙ b_resp built explicitly per example, in float64, from the layer's own float32
 *   parameters (random non-zero U), for dense and for convolutions with 'same', 'valid', explicit padding and
 *   stride 2.
 * - The layers' tangent ẏ = ẋ W_gen + (εU_w) ⊙ (x W_resp) + (εU_b) ⊙ b_resp against the same float64 formula
 *   (the float32-vs-float64 comparison at the layer level).
 * - PT-13 (iii) at the layer level: with U = 0 the gradient w.r.t. W_resp and b_resp is exactly 0 and the
 *   gradient w.r.t. U equals the float64 formula Σ_i h_iq c_ij (x_i W_resp)_j (non-zero).
 * - ReLU and 2×2 max pooling with their tangents (exact), argument errors, seeded determinism, no leaks.
 *
 * Tolerance (float32 result vs float64 reference from the same float32 inputs): every output entry is a
 * sum of n products (n = fan-in: `inputs`, or kh·kw·cin) plus the hypernetwork scalings (sums of h products)
 * and four more roundings. The standard a-priori bound for a float32 dot product in any summation order is
 * |fl(Σ aₖbₖ) − Σ aₖbₖ| ≤ γ_n Σ|aₖbₖ|, γ_n = n·u/(1 − n·u), u = 2⁻²⁴ (Higham, Accuracy and Stability of
 * Numerical Algorithms, docs/math.md#s3-1). Composing the pieces gives |y₃₂ − y₆₄| ≤ γ_{n+h+4} · mag, where mag is the
 * same formula evaluated on absolute values. We allow 2·(n + h + 4)·u·mag: a worst-case bound (no
 * probabilistic √n), so the check cannot flake, yet a dropped or sign-flipped term (of size ≈ mag/2) is
 * 10⁵–10⁶ times larger than it.
 *
 * Runs on cpu and again on wasm (the engine's default backend, whose convolution gradients come from ops.ts).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { StnConv2d, StnDense, maxPool2x2, maxPool2x2Tangent, reluTangent } from '../../src/nn/layers.js';
import { conv2dGeometry, type Conv2dPad } from '../../src/nn/ops.js';
import { Rng } from '../../src/rng.js';

const U32 = 2 ** -24;

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** A float32 tensor of N(0, scale²) entries from the seeded generator. */
function randn(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}

function setRandom(v: tf.Variable, rng: Rng, scale: number): void {
  tf.tidy(() => v.assign(randn(v.shape, rng, scale)));
}

/** Checks |a − b| ≤ tol elementwise; returns the largest ratio |a − b| / tol (for reporting). */
function expectWithin(a: ArrayLike<number>, b: ArrayLike<number>, tol: ArrayLike<number>, what: string): number {
  expect(a.length, what).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]);
    if (!(err <= tol[i])) throw new Error(`${what}: entry ${i}: ${a[i]} vs float64 ${b[i]} (|diff| ${err} > tol ${tol[i]})`);
    worst = Math.max(worst, err / tol[i]);
  }
  if (process.env.NN_TEST_REPORT) console.log(`${tf.getBackend()} ${what}: max |err|/tol = ${worst.toExponential(2)}`);
  return worst;
}

interface Params {
  wg: number[];
  bg: number[];
  wr: number[];
  br: number[];
  uw: number[];
  ub: number[];
}

function params(layer: StnDense | StnConv2d): Params {
  return {
    wg: values(layer.weight),
    bg: values(layer.bias),
    wr: values(layer.responseWeight),
    br: values(layer.responseBias),
    uw: values(layer.bottleneckWeight),
    ub: values(layer.bottleneckBias),
  };
}

/** s = h U (per example and output unit) and the same with absolute values. */
function scales(h: number[], u: number[], B: number, hd: number, out: number): { s: number[]; abs: number[] } {
  const s = new Array<number>(B * out).fill(0);
  const abs = new Array<number>(B * out).fill(0);
  for (let i = 0; i < B; i++)
    for (let j = 0; j < out; j++)
      for (let q = 0; q < hd; q++) {
        s[i * out + j] += h[i * hd + q] * u[q * out + j];
        abs[i * out + j] += Math.abs(h[i * hd + q] * u[q * out + j]);
      }
  return { s, abs };
}

/**
 * Dense reference in float64: y_i = x_i Ŵ_i + b̂_i with Ŵ_i[k][j] = W_gen[k][j] + W_resp[k][j] (h_i U_w)_j and
 * b̂_i[j] = b_gen[j] + (h_i U_b)_j b_resp[j] (weights in×out), plus the tolerance of the header.
 */
function denseReference(p: Params, x: number[], h: number[], B: number, nin: number, nout: number, hd: number): { y: number[]; tol: number[] } {
  const sw = scales(h, p.uw, B, hd, nout);
  const sb = scales(h, p.ub, B, hd, nout);
  const y: number[] = [];
  const tol: number[] = [];
  for (let i = 0; i < B; i++)
    for (let j = 0; j < nout; j++) {
      const e = i * nout + j;
      let acc = p.bg[j] + sb.s[e] * p.br[j];
      let mag = Math.abs(p.bg[j]) + sb.abs[e] * Math.abs(p.br[j]);
      for (let k = 0; k < nin; k++) {
        const what = p.wg[k * nout + j] + p.wr[k * nout + j] * sw.s[e]; // Ŵ_i[k][j], explicitly
        acc += x[i * nin + k] * what;
        mag += Math.abs(x[i * nin + k]) * (Math.abs(p.wg[k * nout + j]) + Math.abs(p.wr[k * nout + j]) * sw.abs[e]);
      }
      y.push(acc);
      tol.push(2 * (nin + hd + 4) * U32 * mag + 1e-30);
    }
  return { y, tol };
}

/** Direct float64 convolution of one example with a per-example filter (NHWC, filter kh×kw×cin×cout). */
function convReference(
  x: number[],
  xShape: [number, number, number, number],
  filter: (b: number, idx: number) => number,
  filterAbs: (b: number, idx: number) => number,
  k: number,
  cout: number,
  stride: number,
  pad: Conv2dPad,
): { y: number[]; mag: number[]; outShape: number[] } {
  const [B, H, W, cin] = xShape;
  const g = conv2dGeometry(H, W, k, k, stride, pad);
  const y: number[] = [];
  const mag: number[] = [];
  for (let b = 0; b < B; b++)
    for (let p = 0; p < g.outHeight; p++)
      for (let q = 0; q < g.outWidth; q++)
        for (let o = 0; o < cout; o++) {
          let acc = 0;
          let m = 0;
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              const r = p * stride + i - g.top;
              const c = q * stride + j - g.left;
              if (r < 0 || r >= H || c < 0 || c >= W) continue;
              for (let ci = 0; ci < cin; ci++) {
                const xv = x[((b * H + r) * W + c) * cin + ci];
                const fi = ((i * k + j) * cin + ci) * cout + o;
                acc += xv * filter(b, fi);
                m += Math.abs(xv) * filterAbs(b, fi);
              }
            }
          y.push(acc);
          mag.push(m);
        }
  return { y, mag, outShape: [B, g.outHeight, g.outWidth, cout] };
}

// initBackend also silences tfjs's one-time "install tfjs-node" banner of the cpu backend.
beforeAll(async () => {
  await initBackend('cpu');
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`on the ${backend} backend`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    test('PT-13 (i) StnDense: y_i = x_i Ŵ_i + b̂_i built explicitly per example (random non-zero U)', () => {
      const rng = new Rng(11);
      const [B, nin, nout, hd] = [5, 7, 4, 3];
      const layer = new StnDense(nin, nout, { hyperDim: hd, rng });
      setRandom(layer.bottleneckWeight, rng, 0.7);
      setRandom(layer.bottleneckBias, rng, 0.7);
      const x = randn([B, nin], rng);
      const h = randn([B, hd], rng) as tf.Tensor2D;
      const y = layer.apply(x, h);
      expect(y.shape).toEqual([B, nout]);
      const ref = denseReference(params(layer), values(x), values(h), B, nin, nout, hd);
      expectWithin(values(y), ref.y, ref.tol, 'dense output');
      // h_net = 0 gives the general weights exactly: the response term is an exact zero.
      const zero = tf.zeros([B, hd]) as tf.Tensor2D;
      const y0 = layer.apply(x, zero);
      const yNull = layer.apply(x, null);
      expect(values(y0)).toEqual(values(yNull));
      tf.dispose([x, h, y, zero, y0, yNull]);
      for (const v of [...layer.parameters().general, ...layer.parameters().response]) v.dispose();
    });

    const convCases: { k: number; stride: number; pad: 'same' | 'valid' | number; hw: [number, number] }[] = [
      { k: 3, stride: 1, pad: 'same', hw: [6, 5] },
      { k: 5, stride: 1, pad: 2, hw: [6, 6] },
      { k: 3, stride: 2, pad: 1, hw: [7, 6] },
      { k: 3, stride: 1, pad: 'valid', hw: [5, 6] },
    ];
    for (const cc of convCases) {
      test(`PT-13 (i) StnConv2d (k ${cc.k}, stride ${cc.stride}, pad ${cc.pad}): per-example filters Ŵ_i built explicitly`, () => {
        const rng = new Rng(12 + cc.k + cc.stride);
        const [B, cin, cout, hd] = [3, 2, 3, 2];
        const layer = new StnConv2d(cin, cout, cc.k, { hyperDim: hd, rng, stride: cc.stride, pad: cc.pad });
        setRandom(layer.bottleneckWeight, rng, 0.7);
        setRandom(layer.bottleneckBias, rng, 0.7);
        const x = randn([B, cc.hw[0], cc.hw[1], cin], rng);
        const h = randn([B, hd], rng) as tf.Tensor2D;
        const y = layer.apply(x, h);
        const p = params(layer);
        const sw = scales(values(h), p.uw, B, hd, cout);
        const sb = scales(values(h), p.ub, B, hd, cout);
        // Ŵ_b[i,j,c,o] = W_gen + W_resp · (h_b U_w)_o, per example b and output channel o.
        const conv = convReference(
          values(x),
          [B, cc.hw[0], cc.hw[1], cin],
          (b, fi) => p.wg[fi] + p.wr[fi] * sw.s[b * cout + (fi % cout)],
          (b, fi) => Math.abs(p.wg[fi]) + Math.abs(p.wr[fi]) * sw.abs[b * cout + (fi % cout)],
          cc.k,
          cout,
          cc.stride,
          cc.pad,
        );
        expect(y.shape).toEqual(conv.outShape);
        const per = conv.y.length / B;
        const ref = conv.y.map((v, e) => {
          const b = Math.floor(e / per);
          const o = e % cout;
          return v + p.bg[o] + sb.s[b * cout + o] * p.br[o];
        });
        const tol = conv.mag.map((m, e) => {
          const b = Math.floor(e / per);
          const o = e % cout;
          return 2 * (cc.k * cc.k * cin + hd + 4) * U32 * (m + Math.abs(p.bg[o]) + sb.abs[b * cout + o] * Math.abs(p.br[o])) + 1e-30;
        });
        expectWithin(values(y), ref, tol, 'conv output');
        tf.dispose([x, h, y]);
        for (const v of [...layer.parameters().general, ...layer.parameters().response]) v.dispose();
      });
    }

    test('StnDense tangent: ẏ = ẋ W_gen + (εU_w) ⊙ (x W_resp) + (εU_b) ⊙ b_resp (float64 formula); y = apply(x, null)', () => {
      const rng = new Rng(21);
      const [B, nin, nout, hd] = [4, 6, 5, 2];
      const layer = new StnDense(nin, nout, { hyperDim: hd, rng });
      setRandom(layer.bottleneckWeight, rng, 0.7);
      setRandom(layer.bottleneckBias, rng, 0.7);
      const x = randn([B, nin], rng);
      const dx = randn([B, nin], rng);
      const eps = randn([B, hd], rng) as tf.Tensor2D;
      const p = params(layer);
      const [xv, dxv, ev] = [values(x), values(dx), values(eps)];
      const sw = scales(ev, p.uw, B, hd, nout);
      const sb = scales(ev, p.ub, B, hd, nout);
      const want: number[] = [];
      const wantNoDx: number[] = [];
      const tol: number[] = [];
      for (let i = 0; i < B; i++)
        for (let j = 0; j < nout; j++) {
          const e = i * nout + j;
          let gen = 0;
          let resp = 0;
          let mag = sb.abs[e] * Math.abs(p.br[j]);
          for (let k = 0; k < nin; k++) {
            gen += dxv[i * nin + k] * p.wg[k * nout + j];
            resp += xv[i * nin + k] * p.wr[k * nout + j];
            mag += Math.abs(dxv[i * nin + k] * p.wg[k * nout + j]) + Math.abs(xv[i * nin + k] * p.wr[k * nout + j]) * sw.abs[e];
          }
          const r = sw.s[e] * resp + sb.s[e] * p.br[j];
          want.push(gen + r);
          wantNoDx.push(r);
          tol.push(2 * (nin + hd + 4) * U32 * mag + 1e-30);
        }
      const [y, dy] = layer.tangent(x, dx, eps);
      const [y2, dy2] = layer.tangent(x, null, eps);
      const yRef = layer.apply(x, null);
      expect(values(y)).toEqual(values(yRef));
      expectWithin(values(dy), want, tol, 'dense tangent');
      expectWithin(values(dy2), wantNoDx, tol, 'dense tangent, ẋ = 0');
      tf.dispose([x, dx, eps, y, dy, y2, dy2, yRef]);
      for (const v of [...layer.parameters().general, ...layer.parameters().response]) v.dispose();
    });

    test('StnConv2d tangent: ẏ = conv(ẋ, W_gen) + (εU_w) ⊙ conv(x, W_resp) + (εU_b) ⊙ b_resp (float64 formula)', () => {
      const rng = new Rng(22);
      const [B, cin, cout, hd, k] = [2, 2, 3, 3, 3];
      const layer = new StnConv2d(cin, cout, k, { hyperDim: hd, rng, stride: 2, pad: 1 });
      setRandom(layer.bottleneckWeight, rng, 0.7);
      setRandom(layer.bottleneckBias, rng, 0.7);
      const shape: [number, number, number, number] = [B, 6, 6, cin];
      const x = randn(shape, rng);
      const dx = randn(shape, rng);
      const eps = randn([B, hd], rng) as tf.Tensor2D;
      const p = params(layer);
      const sw = scales(values(eps), p.uw, B, hd, cout);
      const sb = scales(values(eps), p.ub, B, hd, cout);
      const gen = convReference(values(dx), shape, (_b, fi) => p.wg[fi], (_b, fi) => Math.abs(p.wg[fi]), k, cout, 2, 1);
      const resp = convReference(values(x), shape, (_b, fi) => p.wr[fi], (_b, fi) => Math.abs(p.wr[fi]), k, cout, 2, 1);
      const per = gen.y.length / B;
      const want = gen.y.map((g, e) => {
        const b = Math.floor(e / per);
        const o = e % cout;
        return g + sw.s[b * cout + o] * resp.y[e] + sb.s[b * cout + o] * p.br[o];
      });
      const tol = gen.mag.map((m, e) => {
        const b = Math.floor(e / per);
        const o = e % cout;
        return 2 * (k * k * cin + hd + 4) * U32 * (m + sw.abs[b * cout + o] * resp.mag[e] + sb.abs[b * cout + o] * Math.abs(p.br[o])) + 1e-30;
      });
      const [y, dy] = layer.tangent(x, dx, eps);
      const yRef = layer.apply(x, null);
      expect(values(y)).toEqual(values(yRef));
      expectWithin(values(dy), want, tol, 'conv tangent');
      tf.dispose([x, dx, eps, y, dy, yRef]);
      for (const v of [...layer.parameters().general, ...layer.parameters().response]) v.dispose();
    });

    test('PT-13 (iii) per layer: with U = 0, ∂/∂W_resp = ∂/∂b_resp = 0 exactly and ∂/∂U equals Σ_i h_iq c_ij (x_i W_resp)_j ≠ 0', () => {
      const rng = new Rng(31);
      const [B, nin, nout, hd] = [6, 5, 4, 2];
      const layer = new StnDense(nin, nout, { hyperDim: hd, rng });
      expect(values(layer.bottleneckWeight).every((v) => v === 0)).toBe(true);
      expect(values(layer.bottleneckBias).every((v) => v === 0)).toBe(true);
      const x = randn([B, nin], rng);
      const h = randn([B, hd], rng) as tf.Tensor2D;
      const c = randn([B, nout], rng);
      const resp = layer.parameters().response;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, h), c)) as tf.Scalar, resp);
      const [gWr, gBr, gUw, gUb] = resp.map((v) => values(grads[v.name]));
      expect(gWr.every((v) => v === 0)).toBe(true);
      expect(gBr.every((v) => v === 0)).toBe(true);
      const p = params(layer);
      const [xv, hv, cv] = [values(x), values(h), values(c)];
      const xw: number[] = [];
      for (let i = 0; i < B; i++)
        for (let j = 0; j < nout; j++) {
          let s = 0;
          for (let k = 0; k < nin; k++) s += xv[i * nin + k] * p.wr[k * nout + j];
          xw.push(s);
        }
      const wantUw: number[] = [];
      const wantUb: number[] = [];
      const tolUw: number[] = [];
      const tolUb: number[] = [];
      for (let q = 0; q < hd; q++)
        for (let j = 0; j < nout; j++) {
          let a = 0;
          let b = 0;
          let ma = 0;
          let mb = 0;
          for (let i = 0; i < B; i++) {
            a += hv[i * hd + q] * cv[i * nout + j] * xw[i * nout + j];
            b += hv[i * hd + q] * cv[i * nout + j] * p.br[j];
            let absXw = 0;
            for (let k = 0; k < nin; k++) absXw += Math.abs(xv[i * nin + k] * p.wr[k * nout + j]);
            ma += Math.abs(hv[i * hd + q] * cv[i * nout + j]) * absXw;
            mb += Math.abs(hv[i * hd + q] * cv[i * nout + j] * p.br[j]);
          }
          wantUw.push(a);
          wantUb.push(b);
          tolUw.push(2 * (B + nin + 4) * U32 * ma + 1e-30);
          tolUb.push(2 * (B + 4) * U32 * mb + 1e-30);
        }
      expectWithin(gUw, wantUw, tolUw, '∂/∂U_w');
      expectWithin(gUb, wantUb, tolUb, '∂/∂U_b');
      expect(Math.max(...gUw.map(Math.abs))).toBeGreaterThan(1e-3);
      expect(Math.max(...gUb.map(Math.abs))).toBeGreaterThan(1e-3);
      tf.dispose([x, h, c, value]);
      tf.dispose(grads);
      for (const v of [...layer.parameters().general, ...resp]) v.dispose();
    });

    test('reluTangent: (relu(x), ẋ ⊙ 1[x > 0]) exactly', () => {
      const x = tf.tensor([-2, -0.5, 0, 0.25, 3, -1e-6], [2, 3]);
      const dx = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const [y, dy] = reluTangent(x, dx);
      expect(values(y)).toEqual([0, 0, 0, 0.25, 3, 0]);
      expect(values(dy)).toEqual([0, 0, 0, 4, 5, 0]);
      tf.dispose([x, dx, y, dy]);
    });

    test('maxPool2x2 / maxPool2x2Tangent: value = tf.maxPool exactly; tangent = ẋ at each window’s arg-max; an exact tie routes to the first maximum (as tf.maxPool\'s gradient)', () => {
      const rng = new Rng(41);
      const x = randn([2, 4, 6, 3], rng) as tf.Tensor4D;
      const dx = randn([2, 4, 6, 3], rng) as tf.Tensor4D;
      const [y, dy] = maxPool2x2Tangent(x, dx);
      const yPool = maxPool2x2(x);
      const ref = tf.maxPool(x, 2, 2, 'valid');
      expect(values(y)).toEqual(values(ref));
      expect(values(yPool)).toEqual(values(ref));
      const [xv, dxv, dyv] = [values(x), values(dx), values(dy)];
      const at = (b: number, r: number, c: number, ch: number): number => ((b * 4 + r) * 6 + c) * 3 + ch;
      for (let b = 0; b < 2; b++)
        for (let r = 0; r < 2; r++)
          for (let c = 0; c < 3; c++)
            for (let ch = 0; ch < 3; ch++) {
              let best = -Infinity;
              let arg = -1;
              for (const [i, j] of [
                [0, 0],
                [0, 1],
                [1, 0],
                [1, 1],
              ]) {
                const e = at(b, 2 * r + i, 2 * c + j, ch);
                if (xv[e] > best) [best, arg] = [xv[e], e];
              }
              expect(dyv[((b * 2 + r) * 3 + c) * 3 + ch]).toBe(dxv[arg]);
            }
      // An exact tie (four equal values, e.g. a dead ReLU window) takes the first maximum's tangent, the
      // same routing as the value's gradient, so primal and tangent follow one pooling decision.
      const tie = tf.tensor4d([1, 1, 1, 1], [1, 2, 2, 1]);
      const dtie = tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1]);
      const [, dtieOut] = maxPool2x2Tangent(tie, dtie);
      expect(values(dtieOut)).toEqual([1]);
      // 'valid' pooling: an odd last row is dropped, as tf.maxPool does.
      const odd = tf.zeros([1, 3, 4, 1]) as tf.Tensor4D;
      expect(maxPool2x2(odd).shape).toEqual([1, 1, 2, 1]);
      expect(maxPool2x2Tangent(odd, odd)[1].shape).toEqual([1, 1, 2, 1]);
      // The reshape-based pooling is differentiable on this backend and routes the gradient like tf.maxPool.
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(t as tf.Tensor4D), dy)))(x);
      const gRef = tf.tidy(() => {
        // Reference on distinct values: the cotangent lands on each window's arg-max.
        const out = new Float32Array(xv.length);
        for (let b = 0; b < 2; b++)
          for (let r = 0; r < 2; r++)
            for (let c = 0; c < 3; c++)
              for (let ch = 0; ch < 3; ch++) {
                let best = -Infinity;
                let arg = -1;
                for (const [i, j] of [
                  [0, 0],
                  [0, 1],
                  [1, 0],
                  [1, 1],
                ]) {
                  const e = at(b, 2 * r + i, 2 * c + j, ch);
                  if (xv[e] > best) [best, arg] = [xv[e], e];
                }
                out[arg] = dyv[((b * 2 + r) * 3 + c) * 3 + ch];
              }
        return tf.tensor(out);
      });
      // (+0 normalises −0: the routed zeros carry the sign of the products.)
      expect(values(g).map((v) => v + 0)).toEqual(values(gRef));
      tf.dispose([x, dx, y, dy, yPool, ref, tie, dtie, dtieOut, odd, g, gRef]);
    });
  });
}

describe('construction (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('argument errors name the argument', () => {
    const rng = new Rng(1);
    const cases: [() => unknown, string][] = [
      [() => new StnDense(0, 3, { hyperDim: 1, rng }), 'inputs'],
      [() => new StnDense(3, 1.5, { hyperDim: 1, rng }), 'outputs'],
      [() => new StnDense(3, 2, { hyperDim: 0, rng }), 'hyperDim'],
      [() => new StnConv2d(1, 2, 0, { hyperDim: 1, rng }), 'kernel'],
      [() => new StnConv2d(0, 2, 3, { hyperDim: 1, rng }), 'inChannels'],
      [() => new StnConv2d(1, 2, 3, { hyperDim: -1, rng }), 'hyperDim'],
    ];
    const before = tf.memory().numTensors;
    for (const [make, arg] of cases) {
      expect(make).toThrow(InvalidArgumentError);
      expect(make).toThrow(arg);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('seeded: the same seed gives the same weights; U starts at exactly 0; two layers with one name can coexist', () => {
    const a = new StnDense(4, 3, { hyperDim: 2, rng: new Rng(9), name: 'same' });
    const b = new StnDense(4, 3, { hyperDim: 2, rng: new Rng(9), name: 'same' });
    const pa = [...a.parameters().general, ...a.parameters().response];
    const pb = [...b.parameters().general, ...b.parameters().response];
    pa.forEach((v, i) => expect(values(v)).toEqual(values(pb[i])));
    expect(values(a.bottleneckWeight).every((v) => v === 0)).toBe(true);
    expect(values(a.bottleneckBias).every((v) => v === 0)).toBe(true);
    // Kaiming-uniform bound √(6/fan_in) and bias bound 1/√fan_in.
    expect(Math.max(...values(a.weight).map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 4));
    expect(Math.max(...values(a.bias).map(Math.abs))).toBeLessThanOrEqual(1 / 2);
    expect(new Set([...pa, ...pb].map((v) => v.name)).size).toBe(12);
    for (const v of [...pa, ...pb]) v.dispose();
  });

  test('no tensor leaks: building and disposing layers, apply and tangent in a loop', () => {
    const rng = new Rng(3);
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) {
      const d = new StnDense(4, 3, { hyperDim: 2, rng });
      const c = new StnConv2d(2, 3, 3, { hyperDim: 2, rng });
      for (const v of [...d.parameters().general, ...d.parameters().response, ...c.parameters().general, ...c.parameters().response]) v.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    const d = new StnDense(4, 3, { hyperDim: 2, rng });
    const c = new StnConv2d(2, 3, 3, { hyperDim: 2, rng });
    const x = randn([2, 4], rng);
    const xi = randn([2, 4, 4, 2], rng);
    const h = randn([2, 2], rng) as tf.Tensor2D;
    const start = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) {
      tf.dispose([d.apply(x, h), d.apply(x, null), ...d.tangent(x, x, h), ...d.tangent(x, null, h)]);
      tf.dispose([c.apply(xi, h), c.apply(xi, null), ...c.tangent(xi, xi, h), ...c.tangent(xi, null, h)]);
      expect(tf.memory().numTensors).toBe(start);
    }
    tf.dispose([x, xi, h]);
    for (const v of [...d.parameters().general, ...d.parameters().response, ...c.parameters().general, ...c.parameters().response]) v.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
