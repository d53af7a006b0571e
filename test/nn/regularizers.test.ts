/**
 * Per-example regularizers (src/nn/regularizers.ts): dropout-mask statistics (4 standard errors), the
 * identity at rate 0, E[mask] = 1, channel and DropConnect masks, cutout geometry on a 6×6 image worked out
 * by hand, brightness/contrast against a hand calculation, determinism per seed, and no tensor leaks.
 * Runs on the cpu backend, and the deterministic parts once more on wasm (the engine's default backend).
 *
 * Tolerances: masks hold exact float32 values (0 or fround(1/(1 − p))), compared exactly; brightness and
 * contrast are two or three float32 operations per pixel, compared with the float64 hand values at 1e-6
 * absolute on [0, 1] data (≈ 8 ulps of float32 at 1); Monte Carlo at 4 standard errors estimated in the run.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import {
  adjustBrightness,
  adjustContrast,
  applyMask,
  brightness,
  channelDropoutMask,
  contrast,
  cutout,
  cutoutBox,
  cutoutMask,
  dropConnectMask,
  dropoutMask,
  greyMean,
  inputDropoutMask,
  jitterFactors,
} from '../../src/nn/regularizers.js';
import { Rng } from '../../src/rng.js';
import { monteCarloTol } from '../../src/tolerance.js';

const F32_ABS = 1e-6;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function values(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

function meanAndSe(xs: ArrayLike<number>): { mean: number; se: number } {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - mean) ** 2;
  return { mean, se: Math.sqrt(v / (n - 1) / n) };
}

describe('dropout masks (docs/math.md#s8-4)', () => {
  test('per-example rates: kept fraction 1 − p_i and E[mask] = 1 within 4 standard errors; kept value 1/(1 − p_i)', () => {
    const rates = [0.05, 0.1, 0.5, 0.9];
    const d = 20000;
    const m = dropoutMask([rates.length, d], rates, new Rng(42));
    expect(m.shape).toEqual([4, d]);
    const v = m.dataSync();
    rates.forEach((p, i) => {
      const row = v.subarray(i * d, (i + 1) * d);
      const kept = Array.from(row, (x) => (x > 0 ? 1 : 0));
      const k = meanAndSe(kept);
      expect(Math.abs(k.mean - (1 - p)), `kept fraction, p = ${p}`).toBeLessThan(monteCarloTol(k.se));
      const e = meanAndSe(row);
      expect(Math.abs(e.mean - 1), `E[mask], p = ${p}`).toBeLessThan(monteCarloTol(e.se));
      expect(row.every((x) => x === 0 || x === Math.fround(1 / (1 - p)))).toBe(true);
    });
    m.dispose();
  });

  test('rate 0 is exactly the identity (and rows with rate 0 beside rows without)', () => {
    const x = tf.randomUniform([3, 7], -2, 2, 'float32', 1);
    const m = dropoutMask([3, 7], [0, 0.5, 0], new Rng(1));
    const y = applyMask(x, m);
    const xv = x.dataSync();
    const yv = y.dataSync();
    for (let j = 0; j < 7; j++) {
      expect(yv[j]).toBe(xv[j]);
      expect(yv[14 + j]).toBe(xv[14 + j]);
    }
    tf.dispose([x, m, y]);
    const all = dropoutMask([2, 3, 3, 2], [0, 0], new Rng(9));
    expect(values(all).every((a) => a === 1)).toBe(true);
  });

  test('the same seed gives the same mask; the stream consumed depends only on the shape', () => {
    const a = values(dropoutMask([5, 11], [0.1, 0.2, 0.3, 0.4, 0.5], new Rng(77)));
    const b = values(dropoutMask([5, 11], [0.1, 0.2, 0.3, 0.4, 0.5], new Rng(77)));
    const c = values(dropoutMask([5, 11], [0.1, 0.2, 0.3, 0.4, 0.5], new Rng(78)));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const r1 = new Rng(5);
    const r2 = new Rng(5);
    dropoutMask([4, 10], [0, 0, 0, 0], r1).dispose();
    dropoutMask([4, 10], [0.9, 0.3, 0.1, 0.5], r2).dispose();
    expect(r1.nextUint32()).toBe(r2.nextUint32());
  });

  test('input dropout is unit dropout on the input shape', () => {
    expect(values(inputDropoutMask([3, 2, 2, 1], [0.2, 0.4, 0.6], new Rng(3)))).toEqual(values(dropoutMask([3, 2, 2, 1], [0.2, 0.4, 0.6], new Rng(3))));
  });

  test('channel dropout: one draw per example and channel, broadcast over H and W', () => {
    const [b, h, w, c] = [3, 4, 5, 6];
    const m = channelDropoutMask([b, h, w, c], [0.3, 0.5, 0], new Rng(8));
    expect(m.shape).toEqual([b, 1, 1, c]);
    const x = tf.ones([b, h, w, c]);
    const y = applyMask(x, m);
    const mv = m.dataSync();
    const yv = y.dataSync();
    for (let i = 0; i < b; i++) {
      for (let k = 0; k < c; k++) {
        const slice = Array.from({ length: h * w }, (_, p) => yv[(i * h * w + p) * c + k]);
        expect(slice.every((v) => v === mv[i * c + k])).toBe(true);
      }
    }
    expect(Array.from(mv.subarray(2 * c))).toEqual(new Array(c).fill(1));
    tf.dispose([m, x, y]);
    expect(values(dropoutMask([b, 1, 1, c], [0.3, 0.5, 0], new Rng(8)))).toEqual(values(channelDropoutMask([b, h, w, c], [0.3, 0.5, 0], new Rng(8))));
  });

  test('channel dropout statistics: per example, the kept fraction of channels is 1 − p_i (4 standard errors)', () => {
    const rates = [0.2, 0.7];
    const c = 20000;
    const v = values(channelDropoutMask([2, 3, 3, c], rates, new Rng(12)));
    rates.forEach((p, i) => {
      const k = meanAndSe(v.slice(i * c, (i + 1) * c).map((x) => (x > 0 ? 1 : 0)));
      expect(Math.abs(k.mean - (1 - p))).toBeLessThan(monteCarloTol(k.se));
    });
  });

  test('DropConnect: one mask of the weight shape, kept fraction 1 − p, E[mask] = 1; rate 0 is all ones', () => {
    const v = values(dropConnectMask([200, 150], 0.3, new Rng(4)));
    expect(v.length).toBe(30000);
    const k = meanAndSe(v.map((x) => (x > 0 ? 1 : 0)));
    expect(Math.abs(k.mean - 0.7)).toBeLessThan(monteCarloTol(k.se));
    const e = meanAndSe(v);
    expect(Math.abs(e.mean - 1)).toBeLessThan(monteCarloTol(e.se));
    expect(values(dropConnectMask([3, 4], 0, new Rng(4))).every((a) => a === 1)).toBe(true);
    expect(values(dropConnectMask([3, 4], 0.5, new Rng(4)))).toEqual(values(dropConnectMask([3, 4], 0.5, new Rng(4))));
  });

  test('typed errors: a rate outside [0, 1), NaN, a wrong number of rates, a mask that does not broadcast', () => {
    expect(() => dropoutMask([2, 3], [0.1, 1], new Rng(1))).toThrow(/rates\[1\]/);
    expect(() => dropoutMask([2, 3], [-0.1, 0], new Rng(1))).toThrow(InvalidArgumentError);
    expect(() => dropoutMask([2, 3], [NaN, 0], new Rng(1))).toThrow(NonFiniteError);
    expect(() => dropoutMask([2, 3], [0.1], new Rng(1))).toThrow(ShapeMismatchError);
    expect(() => dropoutMask([2, 0], [0.1, 0.1], new Rng(1))).toThrow(/shape\[1\]/);
    expect(() => dropConnectMask([2, 3], 1, new Rng(1))).toThrow(/rate/);
    expect(() => channelDropoutMask([2, 3], [0, 0], new Rng(1))).toThrow(ShapeMismatchError);
    const x = tf.zeros([2, 3]);
    const bad = tf.ones([3, 2]);
    const before = tf.memory().numTensors;
    expect(() => applyMask(x, bad)).toThrow(ShapeMismatchError);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, bad]);
  });
});

describe('cutout (C1 utils/cutout_utils.py)', () => {
  test('the box: centre ± L/2, floored, clipped at the borders', () => {
    expect(cutoutBox(5, 5, 4, 10, 10)).toEqual({ y1: 3, y2: 7, x1: 3, x2: 7 });
    expect(cutoutBox(5, 5, 3, 10, 10)).toEqual({ y1: 3, y2: 6, x1: 3, x2: 6 }); // odd L: rows 3, 4, 5
    expect(cutoutBox(0, 9, 4, 10, 10)).toEqual({ y1: 0, y2: 2, x1: 7, x2: 10 });
    expect(cutoutBox(2, 2, 24, 6, 6)).toEqual({ y1: 0, y2: 6, x1: 0, x2: 6 });
  });

  test('a 6×6 mask worked out by hand (seed 10)', () => {
    // Rng(10).int(0, 5) gives 5 3 3 2 0 2: example 0 (L = 2, one hole) is centred at (5, 3): rows 4–5,
    // cols 2–3 (y2 clipped from 6 to 6); example 1 (L = 3, two holes) at (3, 2): rows 1–3, cols 0–2, and at
    // (0, 2): row 0 (y1 clipped from −1.5 to 0), cols 0–2.
    const r = new Rng(10);
    expect(Array.from({ length: 6 }, () => r.int(0, 5))).toEqual([5, 3, 3, 2, 0, 2]);
    const m = cutoutMask([2, 6, 6, 3], [2, 3], [1, 2], new Rng(10));
    expect(m.shape).toEqual([2, 6, 6, 1]);
    // prettier-ignore
    const expected = [
      1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1,
      1, 1, 0, 0, 1, 1,
      1, 1, 0, 0, 1, 1,

      0, 0, 0, 1, 1, 1,
      0, 0, 0, 1, 1, 1,
      0, 0, 0, 1, 1, 1,
      0, 0, 0, 1, 1, 1,
      1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1,
    ];
    expect(values(m)).toEqual(expected);
    // cutout zeroes every channel of the same pixels.
    const img = tf.fill([2, 6, 6, 3], 0.5) as tf.Tensor4D;
    const out = values(cutout(img, [2, 3], [1, 2], new Rng(10)));
    img.dispose();
    expected.forEach((e, p) => expect(out.slice(3 * p, 3 * p + 3)).toEqual([0.5 * e, 0.5 * e, 0.5 * e]));
  });

  test('length 0 or 0 holes leave the example untouched and draw nothing', () => {
    const r1 = new Rng(3);
    const m = values(cutoutMask([3, 5, 5, 1], [0, 4, 3], [2, 0, 0], r1));
    expect(m.every((a) => a === 1)).toBe(true);
    expect(r1.nextUint32()).toBe(new Rng(3).nextUint32());
  });

  test('determinism, and typed errors for non-integer or negative counts', () => {
    expect(values(cutoutMask([4, 8, 8, 1], [3, 4, 5, 6], [1, 2, 3, 4], new Rng(21)))).toEqual(values(cutoutMask([4, 8, 8, 1], [3, 4, 5, 6], [1, 2, 3, 4], new Rng(21))));
    expect(() => cutoutMask([1, 8, 8, 1], [3.5], [1], new Rng(1))).toThrow(/lengths\[0\]/);
    expect(() => cutoutMask([1, 8, 8, 1], [3], [-1], new Rng(1))).toThrow(/holes\[0\]/);
    expect(() => cutoutMask([2, 8, 8, 1], [3], [1, 1], new Rng(1))).toThrow(ShapeMismatchError);
    expect(() => cutoutMask([8, 8, 1], [3], [1], new Rng(1))).toThrow(ShapeMismatchError);
  });
});

describe('brightness and contrast (torchvision ColorJitter convention)', () => {
  // Two 1×2 one-channel images: [0.2, 0.6] (grey mean 0.4) and [0.5, 1.0] (grey mean 0.75).
  const pixels = [0.2, 0.6, 0.5, 1.0];
  const img = (): tf.Tensor4D => tf.tensor4d(pixels, [2, 1, 2, 1]);

  function close(got: number[], want: number[]): void {
    expect(got.length).toBe(want.length);
    got.forEach((g, j) => expect(Math.abs(g - want[j]), `index ${j}`).toBeLessThan(F32_ABS));
  }

  test('brightness f·x + (1 − f)·lo, clipped: hand values', () => {
    const x = img();
    close(values(adjustBrightness(x, [1.5, 0.5])), [0.3, 0.9, 0.25, 0.5]);
    close(values(adjustBrightness(x, [2, 0])), [0.4, 1.0 /* 1.2 clipped */, 0, 0]);
    // Data in [−1, 1]: black is −1, so f = 0.5 maps 0.2 → 0.5·0.2 − 0.5 = −0.4.
    close(values(adjustBrightness(x, [0.5, 1], [-1, 1])), [-0.4, -0.2, 0.5, 1.0]);
    x.dispose();
  });

  test('contrast (x − m_i)·f_i + m_i, clipped: hand values; RGB uses the luminance mean', () => {
    const x = img();
    close(values(adjustContrast(x, [1.5, 0.5])), [0.1, 0.7, 0.625, 0.875]);
    close(values(adjustContrast(x, [0, 3])), [0.4, 0.4, 0, 1 /* 0.75 − 0.75, 0.75 + 0.75 clipped */]);
    x.dispose();
    const rgb = tf.tensor4d([1, 0, 0, 0, 1, 0], [1, 1, 2, 3]); // a red and a green pixel
    close(values(greyMean(rgb)), [(0.2989 + 0.587) / 2]);
    close(values(adjustContrast(rgb, [0])), new Array(6).fill((0.2989 + 0.587) / 2));
    rgb.dispose();
  });

  test('factor 1 and strength 0 are exactly the identity', () => {
    const x = tf.randomUniform([3, 4, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const xv = Array.from(x.dataSync());
    expect(values(adjustBrightness(x, [1, 1, 1]))).toEqual(xv);
    expect(values(adjustContrast(x, [1, 1, 1]))).toEqual(xv);
    expect(values(brightness(x, [0, 0, 0], new Rng(1)))).toEqual(xv);
    expect(values(contrast(x, [0, 0, 0], new Rng(1)))).toEqual(xv);
    x.dispose();
  });

  test('jitter factors: f ~ U[max(0, 1 − v), 1 + v] per example (mean within 4 SE, bounds), deterministic', () => {
    const n = 4000;
    for (const v of [0.05, 0.5, 2]) {
      const f = jitterFactors(new Array(n).fill(v), new Rng(31));
      const a = Math.max(0, 1 - v);
      expect(Math.min(...f)).toBeGreaterThanOrEqual(a);
      expect(Math.max(...f)).toBeLessThanOrEqual(1 + v);
      const s = meanAndSe(f);
      expect(Math.abs(s.mean - (a + 1 + v) / 2)).toBeLessThan(monteCarloTol(s.se));
    }
    expect(jitterFactors([0, 0.3], new Rng(2))[0]).toBe(1);
    expect(jitterFactors([0.1, 0.3], new Rng(2))).toEqual(jitterFactors([0.1, 0.3], new Rng(2)));
    expect(() => jitterFactors([-0.1], new Rng(2))).toThrow(InvalidArgumentError);
  });

  test('brightness/contrast jitter = the adjust functions at the drawn factors; per-example strengths', () => {
    const x = img();
    const f = jitterFactors([0.3, 0.8], new Rng(6));
    expect(values(brightness(x, [0.3, 0.8], new Rng(6)))).toEqual(values(adjustBrightness(x, f)));
    expect(values(contrast(x, [0.3, 0.8], new Rng(6)))).toEqual(values(adjustContrast(x, f)));
    expect(() => brightness(x, [0.3], new Rng(6))).toThrow(ShapeMismatchError);
    expect(() => adjustContrast(x, [1, -1])).toThrow(/factors\[1\]/);
    expect(() => adjustBrightness(x, [1, 1], [1, 0])).toThrow(/range/);
    x.dispose();
  });
});

describe('no tensor leaks', () => {
  test('a loop over every regularizer leaves tf.memory().numTensors unchanged', () => {
    const x = tf.randomUniform([4, 6, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const rng = new Rng(99);
    const round = (): void => {
      const m = dropoutMask([4, 6, 6, 3], [0.1, 0.2, 0.3, 0.4], rng);
      const c = channelDropoutMask(x.shape, [0.1, 0.2, 0.3, 0.4], rng);
      const w = dropConnectMask([5, 5], 0.2, rng);
      const outs = [applyMask(x, m), applyMask(x, c), cutout(x, [2, 3, 4, 5], [1, 2, 1, 0], rng), brightness(x, [0.1, 0.2, 0.3, 0.4], rng), contrast(x, [0.1, 0.2, 0.3, 0.4], rng), greyMean(x)];
      tf.dispose([m, c, w, ...outs]);
    };
    round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) round();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('wasm backend gives the same results as cpu', () => {
  let wasm = false;
  beforeAll(async () => {
    wasm = await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test('masks, cutout, brightness and contrast', async () => {
    expect(wasm).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
    const run = (): number[][] => {
      const x = tf.tensor4d(Array.from({ length: 2 * 4 * 4 * 3 }, (_, j) => ((j * 37) % 101) / 100), [2, 4, 4, 3]);
      const rng = new Rng(55);
      const mask = channelDropoutMask(x.shape, [0.3, 0.6], rng);
      const out = [
        values(applyMask(x, mask)),
        values(cutout(x, [2, 3], [1, 2], rng)),
        values(brightness(x, [0.4, 0.9], rng)),
        values(contrast(x, [0.4, 0.9], rng)),
      ];
      tf.dispose([x, mask]);
      return out;
    };
    const onWasm = run();
    await tf.setBackend('cpu');
    const onCpu = run();
    await tf.setBackend('wasm');
    onWasm.forEach((a, i) => a.forEach((v, j) => expect(Math.abs(v - onCpu[i][j]), `output ${i}, index ${j}`).toBeLessThan(F32_ABS)));
  });
});
