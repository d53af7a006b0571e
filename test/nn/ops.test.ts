/**
 * The fast ops against float64 references written out here in plain loops, and against the cpu backend's
 * built-in gradients, on both the cpu and the wasm backend.
 *
 * Tolerance for one float32 reduction of n products (matmul entries, convolution outputs and gradients):
 * any summation order, with or without FMA, gives |ŝ − s| ≤ γ_n Σ|a_i b_i| with γ_n = n·u/(1 − n·u) and
 * u = 2⁻²⁴ (Higham, Accuracy and Stability, docs/math.md#s3-1); the inputs are float32 numbers, transposes, flips and
 * zero padding are exact. So each entry is checked against ITS OWN bound, γ_n times the float64 sum of
 * absolute products, computed alongside the reference. Two float32 results (ours, cpu's built-in) are
 * each within the bound of the exact value, so within twice the bound of each other. A wrong index, a
 * dropped term or a flipped sign errs by O(Σ|a_i b_i|), 10⁴–10⁶ times the bound.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import {
  conv2d,
  conv2dGeometry,
  logSoftmax,
  matMul,
  maxPool2x2,
  maxPool2x2Mask,
  oneHotCrossEntropy,
  selectPool2x2,
  stopGradient,
  type Conv2dGeometry,
  type Conv2dPad,
} from '../../src/nn/ops.js';
import { Rng } from '../../src/rng.js';

const U = 2 ** -24;
const gamma = (n: number): number => (n * U) / (1 - n * U);

/** A dense float64 array with a shape, row-major (the last axis fastest), as tfjs lays tensors out. */
interface Arr {
  shape: number[];
  data: Float64Array;
}

function arr(shape: number[], fill?: (i: number) => number): Arr {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  if (fill) for (let i = 0; i < data.length; i++) data[i] = fill(i);
  return { shape, data };
}

/** Float32-representable normal entries, so float32 tensors hold exactly the reference's inputs. */
function randn(shape: number[], rng: Rng, scale = 1): Arr {
  return arr(shape, () => Math.fround(scale * rng.normal()));
}

function toTensor(a: Arr): tf.Tensor {
  return tf.tensor(Float32Array.from(a.data), a.shape, 'float32');
}

/** Checks |got − want| ≤ bound entrywise; reports the worst ratio. */
function expectWithin(got: ArrayLike<number>, want: Float64Array, bound: Float64Array | number, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const b = typeof bound === 'number' ? bound : bound[i];
    const r = Math.abs(got[i] - want[i]) / (b + 1e-300);
    if (!(r <= worst)) {
      worst = r;
      at = i;
    }
  }
  expect(worst, `${what}: worst |error|/bound = ${worst} at ${at} (got ${got[at]}, want ${want[at]})`).toBeLessThanOrEqual(1);
}

const BACKENDS = ['cpu', 'wasm'] as const;

let before = 'wasm';
beforeAll(async () => {
  before = (await initBackend('wasm')).name;
});
afterAll(async () => {
  await tf.setBackend(before);
});

/** Runs `f` with the cpu backend's built-in kernels and returns its tensors' values (then switches back). */
async function onCpu(f: () => tf.Tensor[]): Promise<Float64Array[]> {
  const prev = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const ts = tf.tidy(() => f());
    const out = ts.map((t) => Float64Array.from(t.dataSync()));
    tf.dispose(ts);
    return out;
  } finally {
    await tf.setBackend(prev);
  }
}

// ---------------------------------------------------------------------------------------------------------
// float64 references
// ---------------------------------------------------------------------------------------------------------

/** C = A B with the absolute-value sums Σ|a b| per entry. */
function refMatMul(a: Arr, b: Arr): { c: Arr; abs: Arr } {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const c = arr([m, n]);
  const abs = arr([m, n]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let l = 0; l < k; l++) {
        const p = a.data[i * k + l] * b.data[l * n + j];
        s += p;
        t += Math.abs(p);
      }
      c.data[i * n + j] = s;
      abs.data[i * n + j] = t;
    }
  }
  return { c, abs };
}

function transpose2(a: Arr): Arr {
  const [m, n] = a.shape;
  return arr([n, m], (i) => a.data[(i % m) * n + Math.floor(i / m)]);
}

interface ConvRef {
  y: Arr;
  yAbs: Arr;
  dx: Arr;
  dxAbs: Arr;
  dw: Arr;
  dwAbs: Arr;
}

/**
 * y = conv(x, W) and, for the cotangent dy, dx = ∂⟨dy, y⟩/∂x and dW = ∂⟨dy, y⟩/∂W, straight from the
 * definition y[b,p,q,o] = Σ x[b, ps+i−top, qs+j−left, c] W[i,j,c,o] (zero outside x).
 */
function refConv(x: Arr, w: Arr, dy: Arr | null, g: Conv2dGeometry): ConvRef {
  const [bs, h, wd, cin] = x.shape;
  const [kh, kw, , cout] = w.shape;
  const { outHeight: ho, outWidth: wo, stride: s } = g;
  const y = arr([bs, ho, wo, cout]);
  const yAbs = arr([bs, ho, wo, cout]);
  const dx = arr(x.shape);
  const dxAbs = arr(x.shape);
  const dw = arr(w.shape);
  const dwAbs = arr(w.shape);
  const xi = (b: number, r: number, c: number, ch: number): number => ((b * h + r) * wd + c) * cin + ch;
  const wi = (i: number, j: number, ch: number, o: number): number => ((i * kw + j) * cin + ch) * cout + o;
  const yi = (b: number, p: number, q: number, o: number): number => ((b * ho + p) * wo + q) * cout + o;
  for (let b = 0; b < bs; b++) {
    for (let p = 0; p < ho; p++) {
      for (let q = 0; q < wo; q++) {
        for (let i = 0; i < kh; i++) {
          const r = p * s + i - g.top;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const c = q * s + j - g.left;
            if (c < 0 || c >= wd) continue;
            for (let ch = 0; ch < cin; ch++) {
              const xv = x.data[xi(b, r, c, ch)];
              for (let o = 0; o < cout; o++) {
                const wv = w.data[wi(i, j, ch, o)];
                y.data[yi(b, p, q, o)] += xv * wv;
                yAbs.data[yi(b, p, q, o)] += Math.abs(xv * wv);
                if (dy) {
                  const d = dy.data[yi(b, p, q, o)];
                  dx.data[xi(b, r, c, ch)] += d * wv;
                  dxAbs.data[xi(b, r, c, ch)] += Math.abs(d * wv);
                  dw.data[wi(i, j, ch, o)] += xv * d;
                  dwAbs.data[wi(i, j, ch, o)] += Math.abs(xv * d);
                }
              }
            }
          }
        }
      }
    }
  }
  return { y, yAbs, dx, dxAbs, dw, dwAbs };
}

function scaled(a: Arr, k: number): Float64Array {
  return a.data.map((v) => k * v);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Central differences of a float64 scalar function at every coordinate of `x` (exact for quadratics). */
function centralGrad(x: Arr, f: (x: Arr) => number, h = 1e-3): Float64Array {
  const g = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const keep = x.data[i];
    x.data[i] = keep + h;
    const fp = f(x);
    x.data[i] = keep - h;
    const fm = f(x);
    x.data[i] = keep;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

// ---------------------------------------------------------------------------------------------------------
// matMul
// ---------------------------------------------------------------------------------------------------------

describe.each(BACKENDS)('matMul on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  test('value and first derivatives match float64 within γ_n Σ|ab|, and tfjs built-in gradient', async () => {
    const rng = new Rng(11);
    for (const [m, k, n] of [
      [5, 7, 4],
      [1, 33, 2],
      [16, 3, 9],
    ]) {
      const a = randn([m, k], rng);
      const b = randn([k, n], rng);
      const dc = randn([m, n], rng);
      const ref = refMatMul(a, b);
      const da = refMatMul(dc, transpose2(b)); // Ā = C̄ Bᵀ
      const db = refMatMul(transpose2(a), dc); // B̄ = Aᵀ C̄
      const [c, ga, gb] = tf.tidy(() => {
        const [at, bt, dct] = [toTensor(a), toTensor(b), toTensor(dc)] as tf.Tensor2D[];
        const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x as tf.Tensor2D, y as tf.Tensor2D), dct)))([at, bt]);
        return [matMul(at, bt).dataSync(), grads[0].dataSync(), grads[1].dataSync()];
      });
      expectWithin(c, ref.c.data, scaled(ref.abs, gamma(k)), 'C');
      // The cotangent sum adds one rounding per entry on top of the product (×(n+1) terms).
      expectWithin(ga, da.c.data, scaled(da.abs, gamma(n + 1)), 'Ā');
      expectWithin(gb, db.c.data, scaled(db.abs, gamma(m + 1)), 'B̄');
      const builtin = await onCpu(() => {
        const [at, bt, dct] = [toTensor(a), toTensor(b), toTensor(dc)] as tf.Tensor2D[];
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), dct)))([at, bt]);
      });
      expectWithin(ga, builtin[0], scaled(da.abs, 2 * gamma(n + 1)), 'Ā vs cpu built-in');
      expectWithin(gb, builtin[1], scaled(db.abs, 2 * gamma(m + 1)), 'B̄ vs cpu built-in');
    }
  });

  test.each([
    [4, 6, 3], // Ā = C̄·transpose(B)
    [2, 9, 5], // Ā = transpose(B·transpose(C̄)): the small-batch form
  ])('twice differentiable (%s×%s @ %s×…): tf.grad of a gradient matches central differences of the float64 gradient', (m, k, n) => {
    // L(A, B) = ½ Σ R ⊙ (AB)²; G_A = (R ⊙ AB) Bᵀ, G_B = Aᵀ (R ⊙ AB). φ = ⟨V, G_A⟩ + ⟨W, G_B⟩ is cubic in
    // (A, B), so its float64 central difference with h = 1e-3 is exact up to h² · (third derivative) ≈
    // 1e-6 · O(10) and rounding 1e-16/h: both far below the float32 tolerance used here, 2e-4 · max|∇φ|
    // (two chained float32 products of ≤ 12 terms, each ≤ γ_12·Σ|·| ≈ 1e-6 relative, with slack for
    // cancellation between the terms of φ).
    const rng = new Rng(12 + m);
    const a = randn([m, k], rng);
    const b = randn([k, n], rng);
    const r = arr([m, n], () => Math.fround(0.5 + rng.uniform()));
    const v = randn([m, k], rng);
    const w = randn([k, n], rng);
    const phi = (aa: Arr, bb: Arr): number => {
      const c = refMatMul(aa, bb).c;
      const rc = arr([m, n], (i) => r.data[i] * c.data[i]);
      return dot(v.data, refMatMul(rc, transpose2(bb)).c.data) + dot(w.data, refMatMul(transpose2(aa), rc).c.data);
    };
    const fdA = centralGrad(a, (x) => phi(x, b));
    const fdB = centralGrad(b, (x) => phi(a, x));
    const [gA, gB] = tf.tidy(() => {
      const [at, bt, rt, vt, wt] = [a, b, r, v, w].map(toTensor) as tf.Tensor2D[];
      const loss = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mul(0.5, tf.sum(tf.mul(rt, tf.square(matMul(x as tf.Tensor2D, y as tf.Tensor2D)))));
      const phiT = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => {
        const [ga, gb] = tf.grads(loss)([x, y]);
        return tf.add(tf.sum(tf.mul(vt, ga)), tf.sum(tf.mul(wt, gb)));
      };
      return tf.grads(phiT)([at, bt]).map((t) => t.dataSync());
    });
    expectWithin(gA, fdA, 2e-4 * maxAbs(fdA), '∂φ/∂A');
    expectWithin(gB, fdB, 2e-4 * maxAbs(fdB), '∂φ/∂B');
  });

  test('aIsConstant: same value and B̄, A gets no gradient', () => {
    const rng = new Rng(13);
    const a = randn([6, 5], rng);
    const b = randn([5, 4], rng);
    const [full, cons, value] = tf.tidy(() => {
      const [at, bt] = [toTensor(a), toTensor(b)] as tf.Tensor2D[];
      const f = (opts: { aIsConstant?: boolean }) => (y: tf.Tensor): tf.Scalar => tf.sum(tf.tanh(matMul(at, y as tf.Tensor2D, opts)));
      return [tf.grad(f({}))(bt).dataSync(), tf.grad(f({ aIsConstant: true }))(bt).dataSync(), matMul(at, bt, { aIsConstant: true }).dataSync()];
    });
    expect(Array.from(cons)).toEqual(Array.from(full));
    expectWithin(value, refMatMul(a, b).c.data, scaled(refMatMul(a, b).abs, gamma(5)), 'C');
  });

  test('typed errors for bad shapes and dtypes', () => {
    tf.tidy(() => {
      expect(() => matMul(tf.ones([2, 3]) as tf.Tensor2D, tf.ones([4, 2]) as tf.Tensor2D)).toThrow(ShapeMismatchError);
      expect(() => matMul(tf.ones([2, 3]) as tf.Tensor2D, tf.ones([4, 2]) as tf.Tensor2D)).toThrow(/^b: expected shape 3×n/);
      expect(() => matMul(tf.ones([2, 3, 1]) as unknown as tf.Tensor2D, tf.ones([3, 2]) as tf.Tensor2D)).toThrow(/^a: /);
      expect(() => matMul(tf.ones([2, 3], 'int32') as tf.Tensor2D, tf.ones([3, 2]) as tf.Tensor2D)).toThrow(InvalidArgumentError);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// conv2d
// ---------------------------------------------------------------------------------------------------------

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  stride: number;
  pad: Conv2dPad;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], k: [3, 3], cout: 4, stride: 1, pad: 'same' },
  { x: [2, 8, 7, 2], k: [3, 3], cout: 3, stride: 2, pad: 'same' },
  { x: [3, 9, 9, 2], k: [5, 3], cout: 2, stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 1], k: [3, 3], cout: 3, stride: 2, pad: 'valid' }, // last input row unused
  { x: [2, 6, 6, 2], k: [5, 5], cout: 3, stride: 1, pad: 2 }, // the SimpleCNN's geometry, smaller
  { x: [1, 5, 6, 2], k: [2, 2], cout: 2, stride: 2, pad: 3 }, // pad > kernel − 1: crops inside the gradient
  { x: [2, 10, 10, 2], k: [3, 4], cout: 2, stride: 3, pad: 'same' },
  { x: [4, 4, 4, 1], k: [4, 4], cout: 5, stride: 1, pad: 'valid' }, // 1×1 output
];

const caseName = (c: ConvCase): string => `x ${c.x.join('×')}, k ${c.k.join('×')}→${c.cout}, s ${c.stride}, pad ${c.pad}`;

describe('conv2dGeometry', () => {
  test("matches tfjs's output shapes and TensorFlow's 'same' split", () => {
    for (const c of CONV_CASES) {
      const g = conv2dGeometry(c.x[1], c.x[2], c.k[0], c.k[1], c.stride, c.pad);
      const shape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.k, c.x[3], c.cout]) as tf.Tensor4D, c.stride, c.pad).shape);
      expect([g.outHeight, g.outWidth], caseName(c)).toEqual([shape[1], shape[2]]);
    }
    expect(conv2dGeometry(8, 7, 3, 3, 2, 'same')).toMatchObject({ top: 0, bottom: 1, left: 1, right: 1, outHeight: 4, outWidth: 4 });
  });

  test('typed errors', () => {
    expect(() => conv2dGeometry(5, 5, 3, 3, 0, 'same')).toThrow(InvalidArgumentError);
    expect(() => conv2dGeometry(5, 5, 3, 3, 1.5, 'same')).toThrow(/^strides: /);
    expect(() => conv2dGeometry(5, 5, 3, 3, 1, -1)).toThrow(/^pad: /);
    expect(() => conv2dGeometry(5, 5, 3, 3, 1, 'full' as Conv2dPad)).toThrow(/^pad: /);
    expect(() => conv2dGeometry(2, 5, 3, 3, 1, 'valid')).toThrow(ShapeMismatchError);
  });
});

describe.each(BACKENDS)('conv2d on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  test.each(CONV_CASES.map((c) => [caseName(c), c] as const))(
    'value, ∂/∂x and ∂/∂W match float64 (γ_n Σ|·|) and the cpu built-in gradients: %s',
    async (_name, c) => {
      const rng = new Rng(21);
      const [bs, h, wd, cin] = c.x;
      const [kh, kw] = c.k;
      const g = conv2dGeometry(h, wd, kh, kw, c.stride, c.pad);
      const x = randn(c.x, rng);
      const w = randn([kh, kw, cin, c.cout], rng);
      const dy = randn([bs, g.outHeight, g.outWidth, c.cout], rng);
      const ref = refConv(x, w, dy, g);
      const [y, gx, gw] = tf.tidy(() => {
        const [xt, wt, dyt] = [toTensor(x), toTensor(w), toTensor(dy)] as tf.Tensor4D[];
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dyt)))([xt, wt]);
        return [conv2d(xt, wt, c.stride, c.pad).dataSync(), grads[0].dataSync(), grads[1].dataSync()];
      });
      // Term counts: y sums kh·kw·cin products; x̄ runs over the stride-dilated cotangent (zeros are
      // exact) times kh·kw·cout; W̄ sums B·Ho·Wo products; +1 for the cotangent product in ⟨ȳ, y⟩.
      const nY = kh * kw * cin;
      const nX = kh * kw * c.cout + 1;
      const nW = bs * g.outHeight * g.outWidth + 1;
      expectWithin(y, ref.y.data, scaled(ref.yAbs, gamma(nY)), 'y');
      expectWithin(gx, ref.dx.data, scaled(ref.dxAbs, gamma(nX)), 'x̄');
      expectWithin(gw, ref.dw.data, scaled(ref.dwAbs, gamma(nW)), 'W̄');
      const builtin = await onCpu(() => {
        const [xt, wt, dyt] = [toTensor(x), toTensor(w), toTensor(dy)] as tf.Tensor4D[];
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dyt)))([xt, wt]);
      });
      expectWithin(gx, builtin[0], scaled(ref.dxAbs, 2 * gamma(nX)), 'x̄ vs cpu built-in');
      expectWithin(gw, builtin[1], scaled(ref.dwAbs, 2 * gamma(nW)), 'W̄ vs cpu built-in');
    },
  );

  test('inputIsConstant: same value and W̄', () => {
    const rng = new Rng(22);
    const x = randn([2, 6, 6, 1], rng);
    const w = randn([5, 5, 1, 3], rng);
    const [full, cons, yFull, yCons] = tf.tidy(() => {
      const [xt, wt] = [toTensor(x), toTensor(w)] as tf.Tensor4D[];
      const f = (opts: { inputIsConstant?: boolean }) => (b: tf.Tensor): tf.Scalar => tf.sum(tf.tanh(conv2d(xt, b as tf.Tensor4D, 1, 2, opts)));
      return [tf.grad(f({}))(wt).dataSync(), tf.grad(f({ inputIsConstant: true }))(wt).dataSync(), conv2d(xt, wt, 1, 2).dataSync(), conv2d(xt, wt, 1, 2, { inputIsConstant: true }).dataSync()];
    });
    expect(Array.from(cons)).toEqual(Array.from(full));
    expect(Array.from(yCons)).toEqual(Array.from(yFull));
  });

  test.each([
    [1, 'same' as Conv2dPad],
    [2, 'valid' as Conv2dPad],
    [2, 1 as Conv2dPad],
  ])('twice differentiable (stride %s, pad %s): tf.grad of both gradients matches central differences', (stride, pad) => {
    // L = ½ Σ R ⊙ y², y = conv(x, W); ȳ = R ⊙ y. φ = ⟨V, ∂L/∂x⟩ + ⟨Q, ∂L/∂W⟩ is cubic in (x, W), so the
    // float64 central difference is exact to ~1e-6 relative; the float32 tolerance 2e-4·max|∇φ| covers
    // chains of two or three float32 reductions of ≤ 50 terms (each ≤ γ_50 ≈ 3e-6 relative to Σ|·|).
    // This exercises all three ops of the family (conv, input gradient, filter gradient) and their adjoints.
    const rng = new Rng(23 + stride);
    const [bs, h, wd, cin, cout, kh, kw] = [2, 6, 5, 2, 2, 3, 3];
    const g = conv2dGeometry(h, wd, kh, kw, stride, pad);
    const x = randn([bs, h, wd, cin], rng);
    const w = randn([kh, kw, cin, cout], rng);
    const r = arr([bs, g.outHeight, g.outWidth, cout], () => Math.fround(0.5 + rng.uniform()));
    const v = randn(x.shape, rng);
    const q = randn(w.shape, rng);
    const phi = (xx: Arr, ww: Arr): number => {
      const y = refConv(xx, ww, null, g).y;
      const ybar = arr(y.shape, (i) => r.data[i] * y.data[i]);
      const back = refConv(xx, ww, ybar, g);
      return dot(v.data, back.dx.data) + dot(q.data, back.dw.data);
    };
    const fdX = centralGrad(x, (t) => phi(t, w));
    const fdW = centralGrad(w, (t) => phi(x, t));
    const [gX, gW] = tf.tidy(() => {
      const [xt, wt, rt, vt, qt] = [x, w, r, v, q].map(toTensor) as tf.Tensor4D[];
      const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.mul(0.5, tf.sum(tf.mul(rt, tf.square(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)))));
      const phiT = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        const [ga, gb] = tf.grads(loss)([a, b]);
        return tf.add(tf.sum(tf.mul(vt, ga)), tf.sum(tf.mul(qt, gb)));
      };
      return tf.grads(phiT)([xt, wt]).map((t) => t.dataSync());
    });
    expectWithin(gX, fdX, 2e-4 * maxAbs(fdX), '∂φ/∂x');
    expectWithin(gW, fdW, 2e-4 * maxAbs(fdW), '∂φ/∂W');
  });

  test('typed errors', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;
      expect(() => conv2d(x, tf.zeros([3, 3, 3, 1]) as tf.Tensor4D, 1, 'same')).toThrow(/^filter: expected shape 3×3×2×cout/);
      expect(() => conv2d(tf.zeros([5, 5, 2]) as unknown as tf.Tensor4D, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same')).toThrow(/^x: /);
      expect(() => conv2d(x, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, 0, 'same')).toThrow(/^strides: /);
      expect(() => conv2d(x, tf.zeros([7, 7, 2, 1]) as tf.Tensor4D, 1, 'valid')).toThrow(ShapeMismatchError);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// maxPool2x2
// ---------------------------------------------------------------------------------------------------------

describe.each(BACKENDS)('maxPool2x2 on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  test('value equals tf.maxPool; the gradient equals the cpu built-in one, ties included', async () => {
    const rng = new Rng(31);
    for (const shape of [
      [2, 6, 6, 3],
      [1, 5, 7, 2],
    ]) {
      // Small integers: many ties inside a window, where the first maximum must get the gradient.
      const x = arr(shape, () => rng.int(-2, 2));
      const ho = Math.floor(shape[1] / 2);
      const wo = Math.floor(shape[2] / 2);
      const dy = randn([shape[0], ho, wo, shape[3]], rng);
      const [ours, tfv, g] = tf.tidy(() => {
        const [xt, dyt] = [toTensor(x), toTensor(dy)] as tf.Tensor4D[];
        return [
          maxPool2x2(xt).dataSync(),
          tf.maxPool(xt, 2, 2, 'valid').dataSync(),
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(a as tf.Tensor4D), dyt)))(xt).dataSync(),
        ];
      });
      expect(Array.from(ours)).toEqual(Array.from(tfv));
      const builtin = await onCpu(() => {
        const [xt, dyt] = [toTensor(x), toTensor(dy)] as tf.Tensor4D[];
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dyt)))(xt)];
      });
      // Exactly equal; (−0 from dy·0 and +0 count as equal.)
      expect(Array.from(g, (v) => v + 0)).toEqual(Array.from(builtin[0], (v) => v + 0));
    }
  });

  test('mask: one-hot per window, zero gradient, and selectPool2x2(x, mask(x)) = maxPool2x2(x)', () => {
    const rng = new Rng(32);
    const x = randn([2, 5, 4, 3], rng);
    const [sums, pooled, selected, maskGrad, tangent, tangentRef] = tf.tidy(() => {
      const xt = toTensor(x) as tf.Tensor4D;
      const mask = maxPool2x2Mask(xt);
      const t = tf.mul(xt, 3) as tf.Tensor4D; // a "tangent" through the same decision: linear, so 3× the pool
      return [
        tf.sum(mask, -1).dataSync(),
        maxPool2x2(xt).dataSync(),
        selectPool2x2(xt, mask).dataSync(),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2x2Mask(a as tf.Tensor4D), 7)))(xt).dataSync(),
        selectPool2x2(t, mask).dataSync(),
        tf.mul(maxPool2x2(xt), 3).dataSync(),
      ];
    });
    expect(Array.from(sums)).toEqual(new Array(sums.length).fill(1));
    expect(Array.from(selected)).toEqual(Array.from(pooled));
    expect(Array.from(maskGrad)).toEqual(new Array(maskGrad.length).fill(0));
    expect(Array.from(tangent)).toEqual(Array.from(tangentRef));
  });

  test('twice differentiable: ∂/∂x ⟨V, ∂L/∂x⟩ = route(R ⊙ select(V)), against central differences', () => {
    // L = ½ Σ R ⊙ pool(x)². With x free of ties and h far below the gaps, the argmax does not move, and
    // φ(x) = ⟨V, ∂L/∂x⟩ = ⟨pool_M(V), R ⊙ pool_M(x)⟩ is linear: central differences are exact to rounding.
    const rng = new Rng(33);
    const x = randn([2, 4, 6, 2], rng);
    const r = arr([2, 2, 3, 2], () => Math.fround(0.5 + rng.uniform()));
    const v = randn(x.shape, rng);
    const [b, h, w, c] = x.shape;
    const argmax = (xx: Arr): number[] => {
      const idx: number[] = [];
      for (let n = 0; n < b; n++)
        for (let p = 0; p < h / 2; p++)
          for (let q = 0; q < w / 2; q++)
            for (let ch = 0; ch < c; ch++) {
              let best = -1;
              for (const [di, dj] of [
                [0, 0],
                [0, 1],
                [1, 0],
                [1, 1],
              ]) {
                const k = ((n * h + 2 * p + di) * w + 2 * q + dj) * c + ch;
                if (best < 0 || xx.data[k] > xx.data[best]) best = k;
              }
              idx.push(best);
            }
      return idx;
    };
    const phi = (xx: Arr): number => {
      const m = argmax(xx);
      return m.reduce((s, k, i) => s + v.data[k] * r.data[i] * xx.data[k], 0);
    };
    const fd = centralGrad(x, phi, 1e-6);
    const got = tf.tidy(() => {
      const [xt, rt, vt] = [x, r, v].map(toTensor) as tf.Tensor4D[];
      const loss = (a: tf.Tensor): tf.Scalar => tf.mul(0.5, tf.sum(tf.mul(rt, tf.square(maxPool2x2(a as tf.Tensor4D)))));
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(vt, tf.grad(loss)(a))))(xt).dataSync();
    });
    // One float32 product per entry: relative u, plus the FD's rounding 1e-16/1e-6.
    expectWithin(got, fd, 1e-6 * (1 + maxAbs(fd)), '∂φ/∂x');
  });

  test('typed errors', () => {
    tf.tidy(() => {
      expect(() => maxPool2x2(tf.zeros([1, 1, 4, 1]) as tf.Tensor4D)).toThrow(/^x: expected shape H ≥ 2 and W ≥ 2/);
      expect(() => maxPool2x2(tf.zeros([4, 4, 1]) as unknown as tf.Tensor4D)).toThrow(ShapeMismatchError);
      expect(() => selectPool2x2(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, tf.zeros([1, 2, 2, 2, 4]) as tf.Tensor5D)).toThrow(/^mask: /);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Cross-entropy and stopGradient
// ---------------------------------------------------------------------------------------------------------

/** Float64 per-example loss, softmax p, for logits Z (N×K) and labels y. */
function refCrossEntropy(z: Arr, y: number[]): { loss: number[]; p: Float64Array } {
  const [n, k] = z.shape;
  const p = new Float64Array(n * k);
  const loss: number[] = [];
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z.data[i * k + j]);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(z.data[i * k + j] - m);
    for (let j = 0; j < k; j++) p[i * k + j] = Math.exp(z.data[i * k + j] - m) / s;
    loss.push(m + Math.log(s) - z.data[i * k + y[i]]);
  }
  return { loss, p };
}

describe.each(BACKENDS)('oneHotCrossEntropy, logSoftmax, stopGradient on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  test('loss, gradient (p − e_y)/N and Hessian-vector product (diag p − ppᵀ)v/N match float64, extreme logits included', () => {
    const rng = new Rng(41);
    for (const scale of [1, 30, 1000]) {
      const [n, k] = [6, 10];
      const z = randn([n, k], rng, scale);
      const y = Array.from({ length: n }, () => rng.int(0, k - 1));
      const v = randn([n, k], rng);
      const ref = refCrossEntropy(z, y);
      const grad = arr([n, k], (i) => (ref.p[i] - (i % k === y[Math.floor(i / k)] ? 1 : 0)) / n);
      const hvp = arr([n, k], (i) => {
        const row = Math.floor(i / k);
        let pv = 0;
        for (let j = 0; j < k; j++) pv += ref.p[row * k + j] * v.data[row * k + j];
        return (ref.p[i] * (v.data[i] - pv)) / n;
      });
      const [perExample, mean, g, hv] = tf.tidy(() => {
        const zt = toTensor(z) as tf.Tensor2D;
        const yt = tf.tensor1d(y, 'int32');
        const vt = toTensor(v);
        const f = (a: tf.Tensor): tf.Scalar => oneHotCrossEntropy(a as tf.Tensor2D, yt);
        return [
          oneHotCrossEntropy(zt, yt, 'none').dataSync(),
          oneHotCrossEntropy(zt, yt).dataSync(),
          tf.grad(f)(zt).dataSync(),
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(a), vt)))(zt).dataSync(),
        ];
      });
      // Each loss is (max z) + log Σ exp(z − max) − z_y in float32: a few roundings of numbers of size
      // ≤ 2·max|z|, so 16·k·u·(1 + 2 max|z|) is a generous bound; probabilities (≤ 1) err by ≤ 16·k·u·(1 + max|z|)
      // (exp of a shifted logit with absolute error u·|z| has relative error u·|z|).
      const zmax = maxAbs(z.data);
      expectWithin(perExample, Float64Array.from(ref.loss), 16 * k * U * (1 + 2 * zmax), `loss, scale ${scale}`);
      expectWithin(mean, Float64Array.of(ref.loss.reduce((s, l) => s + l, 0) / n), 16 * k * U * (1 + 2 * zmax), `mean, scale ${scale}`);
      expectWithin(g, grad.data, (16 * k * U * (1 + zmax)) / n, `gradient, scale ${scale}`);
      expectWithin(hv, hvp.data, (16 * k * U * (1 + zmax) * (1 + maxAbs(v.data))) / n, `Hessian-vector product, scale ${scale}`);
      for (const t of [perExample, mean, g, hv]) expect(Array.from(t).every(Number.isFinite)).toBe(true);
    }
  });

  test('agrees with tf.losses.softmaxCrossEntropy (first order) and tf.logSoftmax', () => {
    const rng = new Rng(42);
    const z = randn([5, 7], rng, 3);
    const y = [0, 6, 3, 3, 1];
    const [ours, theirs, lsOurs, lsTheirs] = tf.tidy(() => {
      const zt = toTensor(z) as tf.Tensor2D;
      const yt = tf.tensor1d(y, 'int32');
      return [
        oneHotCrossEntropy(zt, yt).dataSync()[0],
        tf.losses.softmaxCrossEntropy(tf.cast(tf.oneHot(yt, 7), 'float32'), zt).dataSync()[0],
        logSoftmax(zt).dataSync(),
        tf.logSoftmax(zt).dataSync(),
      ];
    });
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-5 * (1 + Math.abs(theirs)));
    expectWithin(lsOurs, Float64Array.from(lsTheirs), 1e-5 * (1 + maxAbs(lsTheirs)), 'logSoftmax');
  });

  test('typed errors: dtype, length and range of the labels', () => {
    tf.tidy(() => {
      const z = tf.zeros([3, 4]) as tf.Tensor2D;
      expect(() => oneHotCrossEntropy(z, tf.tensor1d([0, 1, 2], 'float32'))).toThrow(/^labels: expected an int32 tensor/);
      expect(() => oneHotCrossEntropy(z, tf.tensor1d([0, 1], 'int32'))).toThrow(ShapeMismatchError);
      expect(() => oneHotCrossEntropy(z, tf.tensor1d([0, 4, 1], 'int32'))).toThrow(/^labels\[1\]: expected an integer in \[0, 4\)/);
      expect(() => oneHotCrossEntropy(z, tf.tensor1d([0, -1, 1], 'int32'))).toThrow(InvalidArgumentError);
      expect(() => oneHotCrossEntropy(z, tf.tensor1d([0, 1, 1], 'int32'), 'sum' as 'mean')).toThrow(/^reduction: /);
      expect(() => logSoftmax(tf.zeros([3]) as unknown as tf.Tensor2D)).toThrow(/^logits: /);
    });
  });

  test('stopGradient: same value, zero gradient at first and second order', () => {
    const [value, g1, g2] = tf.tidy(() => {
      const x = tf.tensor1d([0.5, -1, 2]);
      const f = (a: tf.Tensor): tf.Scalar => tf.sum(tf.add(tf.square(a), tf.mul(stopGradient(a), a)));
      return [
        stopGradient(x).dataSync(),
        tf.grad(f)(x).dataSync(), // 2a + stop(a) = 3a
        tf.grad((a: tf.Tensor) => tf.sum(tf.grad(f)(a)))(x).dataSync(), // ∂(2a + stop(a))/∂a = 2
      ];
    });
    expect(Array.from(value)).toEqual([0.5, -1, 2]);
    expect(Array.from(g1)).toEqual([1.5, -3, 6]);
    expect(Array.from(g2)).toEqual([2, 2, 2]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// A small CNN training step on wasm: runs, and leaks no tensors
// ---------------------------------------------------------------------------------------------------------

describe('a SimpleCNN-shaped step on wasm', () => {
  test('tf.grad through conv2d → relu → maxPool2x2 → conv2d → relu → maxPool2x2 → matMul → cross-entropy: no throw, no leak', async () => {
    await tf.setBackend('wasm');
    const rng = new Rng(51);
    const x = toTensor(randn([4, 12, 12, 1], rng)) as tf.Tensor4D;
    const labels = tf.tensor1d([1, 0, 3, 2], 'int32');
    const w1 = tf.variable(toTensor(randn([5, 5, 1, 4], rng, 0.2)));
    const w2 = tf.variable(toTensor(randn([5, 5, 4, 6], rng, 0.1)));
    const w3 = tf.variable(toTensor(randn([3 * 3 * 6, 4], rng, 0.1)));
    const loss = (): tf.Scalar => {
      const h1 = maxPool2x2(tf.relu(conv2d(x, w1 as unknown as tf.Tensor4D, 1, 2, { inputIsConstant: true })));
      const h2 = maxPool2x2(tf.relu(conv2d(h1, w2 as unknown as tf.Tensor4D, 1, 'same')));
      return oneHotCrossEntropy(matMul(tf.reshape(h2, [4, 3 * 3 * 6]), w3 as unknown as tf.Tensor2D), labels);
    };
    const opt = tf.train.sgd(0.1);
    const losses: number[] = [];
    let count = 0;
    for (let step = 0; step < 6; step++) {
      const l = opt.minimize(loss, true, [w1, w2, w3]) as tf.Scalar;
      losses.push(l.dataSync()[0]);
      l.dispose();
      if (step === 1) count = tf.memory().numTensors;
      if (step > 1) expect(tf.memory().numTensors).toBe(count);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[5]).toBeLessThan(losses[0]);
    for (const t of [x, labels, w1, w2, w3]) t.dispose();
    opt.dispose();
  });

  test('a Hessian-vector product through every op: no throw, no leak (the saved masks and operands are freed)', async () => {
    await tf.setBackend('wasm');
    const rng = new Rng(52);
    const x = toTensor(randn([2, 8, 8, 2], rng)) as tf.Tensor4D;
    const w1 = toTensor(randn([3, 3, 2, 3], rng, 0.3)) as tf.Tensor4D;
    const w2 = toTensor(randn([4 * 4 * 3, 5], rng, 0.3)) as tf.Tensor2D;
    const v = toTensor(randn([3, 3, 2, 3], rng)) as tf.Tensor4D;
    const labels = tf.tensor1d([4, 1], 'int32');
    const loss = (w: tf.Tensor): tf.Scalar => {
      const h = maxPool2x2(tf.relu(conv2d(x, w as tf.Tensor4D, 1, 'same', { inputIsConstant: true })));
      return oneHotCrossEntropy(matMul(tf.reshape(h, [2, 4 * 4 * 3]), w2), labels);
    };
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const hv = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.grad(loss)(w), v)))(w1).dataSync());
      expect(Array.from(hv).every(Number.isFinite)).toBe(true);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    tf.dispose([x, w1, w2, v, labels]);
  });

  test('gradients of tf.conv2d and tf.gather throw on wasm (why these ops exist)', async () => {
    await tf.setBackend('wasm');
    tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
      expect(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 1, 1]))).toThrow(/Conv2DBackpropFilter/);
      expect(() => tf.grad((z: tf.Tensor) => tf.sum(tf.gather(z, tf.tensor1d([1], 'int32'))))(tf.ones([3, 2]))).toThrow(/UnsortedSegmentSum/);
    });
  });
});
