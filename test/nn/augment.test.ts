/**
 * Per-example affine and colour augmentation (src/nn/augment.ts, issue 15): the warp against maps worked out by
 * hand (a shift, a quarter turn, a zoom out), hue and saturation against float64 HSV and grey-blend oracles, the
 * draws within their ranges, each kind changing the batch when set, identity at zero, determinism by seed, and
 * a train step that sees the augmentation (the loss of a `fixed` step changes with the rotation range). Typed
 * errors for bad input.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { adjustHue, adjustSaturation, affineParameters, affineWarp, augmentInputs, hueShifts, type AffineParameters } from '../../src/nn/augment.js';
import { HyperSpace, affineScaleSpec, channelDropoutSpec, dropoutSpec, hueSpec, rotationSpec, saturationSpec, translationSpec, type HyperparameterSpec } from '../../src/nn/hyper.js';
import { simpleCnn } from '../../src/nn/models.js';
import { Trainer } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';
import { syntheticImages } from './synthetic.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** B random images [B, H, W, C] in [0, 1) from `seed`, as a tensor and as nested arrays [b][y][x][c]. */
function images(B: number, H: number, W: number, C: number, seed: number): { t: tf.Tensor4D; a: number[][][][] } {
  const rng = new Rng(seed);
  const a = Array.from({ length: B }, () => Array.from({ length: H }, () => Array.from({ length: W }, () => Array.from({ length: C }, () => Math.fround(rng.uniform())))));
  return { t: tf.tensor4d(a.flat(3), [B, H, W, C]), a };
}

function toNested(t: tf.Tensor4D): number[][][][] {
  return t.arraySync();
}

const identity: AffineParameters = { angle: 0, dx: 0, dy: 0, zoom: 1 };

describe('the affine warp', () => {
  test('identity, a shift, a quarter turn and a zoom out, against maps worked out by hand', () => {
    const { t, a } = images(4, 5, 5, 2, 1);
    const out = affineWarp(t, [identity, { ...identity, dx: 2, dy: -1 }, { ...identity, angle: 90 }, { ...identity, zoom: 0.5 }]);
    const o = toNested(out);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        expect(o[0][y][x]).toEqual(a[0][y][x]);
        // Shift by (Δx, Δy) = (2, −1): out(x, y) = in(x − 2, y + 1), 0 where that is outside.
        const inside = x - 2 >= 0 && y + 1 < 5;
        expect(o[1][y][x]).toEqual(inside ? a[1][y + 1][x - 2] : [0, 0]);
        // A quarter turn about the centre (2, 2): out(x, y) = in(y, 4 − x) (column y, row 4 − x).
        expect(o[2][y][x]).toEqual(a[2][4 - x][y]);
        // Zoom 1/2 about the centre: out(x, y) = in(2 + 2(x − 2), 2 + 2(y − 2)), 0 outside: only the 3×3 middle survives.
        const [sx, sy] = [2 + 2 * (x - 2), 2 + 2 * (y - 2)];
        expect(o[3][y][x]).toEqual(sx >= 0 && sx < 5 && sy >= 0 && sy < 5 ? a[3][sy][sx] : [0, 0]);
      }
    }
    tf.dispose([t, out]);
  });

  test('the draws: identity at zero, within their ranges, the same count whatever the values, same seed same maps', () => {
    const B = 200;
    const zeros = new Array<number>(B).fill(0);
    expect(affineParameters(B, { rotations: zeros, translations: zeros, scales: zeros }, 8, 10, new Rng(1))).toEqual(new Array(B).fill(identity));
    const r = Array.from({ length: B }, (_, i) => (i % 10) * 4);
    const t = Array.from({ length: B }, (_, i) => (i % 5) * 0.1);
    const c = Array.from({ length: B }, (_, i) => (i % 4) * 0.2);
    const p = affineParameters(B, { rotations: r, translations: t, scales: c }, 8, 10, new Rng(2));
    p.forEach((q, i) => {
      expect(Math.abs(q.angle)).toBeLessThanOrEqual(r[i]);
      expect(Number.isInteger(q.dx) && Math.abs(q.dx) <= Math.round(t[i] * 10)).toBe(true);
      expect(Number.isInteger(q.dy) && Math.abs(q.dy) <= Math.round(t[i] * 8)).toBe(true);
      expect(Math.abs(q.zoom - 1)).toBeLessThanOrEqual(c[i]);
    });
    // The ranges are used: the largest draws come close to their bounds.
    expect(Math.max(...p.map((q) => Math.abs(q.angle)))).toBeGreaterThan(25);
    expect(Math.max(...p.map((q) => Math.abs(q.zoom - 1)))).toBeGreaterThan(0.5);
    expect(affineParameters(B, { rotations: r, translations: t, scales: c }, 8, 10, new Rng(2))).toEqual(p);
    // Four draws per example whatever the values: the generator ends at the same place.
    const g1 = new Rng(3);
    const g2 = new Rng(3);
    affineParameters(B, { rotations: zeros, translations: zeros, scales: zeros }, 8, 10, g1);
    affineParameters(B, { rotations: r, translations: t, scales: c }, 8, 10, g2);
    expect(g1.uniform()).toBe(g2.uniform());
  });

  test('typed errors: a scale range ≥ 1, a negative or non-finite value, wrong lengths, a bad map', () => {
    expect(() => affineParameters(2, { scales: [0.1, 1] }, 4, 4, new Rng(1))).toThrow(InvalidArgumentError);
    expect(() => affineParameters(2, { rotations: [1, -1] }, 4, 4, new Rng(1))).toThrow(/rotations\[1\]/);
    expect(() => affineParameters(2, { translations: [0.1, NaN] }, 4, 4, new Rng(1))).toThrow(/translations\[1\]/);
    expect(() => affineParameters(2, { rotations: [1] }, 4, 4, new Rng(1))).toThrow(ShapeMismatchError);
    const { t } = images(1, 3, 3, 1, 2);
    expect(() => affineWarp(t, [{ ...identity, zoom: 0 }])).toThrow(/params\[0\]/);
    expect(() => affineWarp(t, [identity, identity])).toThrow(ShapeMismatchError);
    t.dispose();
  });
});

/** Float64 HSV hue rotation of one RGB pixel (the textbook hexcone), the oracle for `adjustHue`. */
function hueOracle([r, g, b]: number[], delta: number): number[] {
  const v = Math.max(r, g, b);
  const c = v - Math.min(r, g, b);
  let h = 0;
  if (c > 0) {
    if (v === r) h = ((g - b) / c + 6) % 6;
    else if (v === g) h = (b - r) / c + 2;
    else h = (r - g) / c + 4;
  }
  h = (((h / 6 + delta) % 1) + 1) % 1;
  const hp = h * 6;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const m = v - c;
  const sector = Math.floor(hp) % 6;
  const rgb = [[c, x, 0], [x, c, 0], [0, c, x], [0, x, c], [x, 0, c], [c, 0, x]][sector];
  return rgb.map((u) => u + m);
}

describe('colour jitter', () => {
  test('hue: a third of a turn takes red to green and green to blue; random pixels match the float64 hexcone (2e-6)', () => {
    const prim = tf.tensor4d([1, 0, 0, 0, 1, 0], [2, 1, 1, 3]);
    const turned = adjustHue(prim, [1 / 3, 1 / 3]);
    Array.from(turned.dataSync()).forEach((v, i) => expect(Math.abs(v - [0, 1, 0, 0, 0, 1][i])).toBeLessThan(1e-6));
    const { t, a } = images(3, 4, 4, 3, 5);
    const shifts = [0.2, -0.45, 0.5];
    const o = toNested(adjustHue(t, shifts));
    a.forEach((img, i) => img.forEach((row, y) => row.forEach((px, x) => hueOracle(px, shifts[i]).forEach((v, ch) => expect(Math.abs(o[i][y][x][ch] - v)).toBeLessThan(2e-6)))));
    tf.dispose([prim, turned, t]);
  });

  test('saturation: the grey blend f·x + (1 − f)·(0.2989 R + 0.587 G + 0.114 B), clipped to [0, 1]; f = 0 is grey', () => {
    const { t, a } = images(3, 3, 3, 3, 6);
    const f = [0, 0.6, 1.9];
    const o = toNested(adjustSaturation(t, f));
    a.forEach((img, i) =>
      img.forEach((row, y) =>
        row.forEach((px, x) => {
          const grey = 0.2989 * px[0] + 0.587 * px[1] + 0.114 * px[2];
          px.forEach((v, ch) => expect(Math.abs(o[i][y][x][ch] - Math.min(1, Math.max(0, f[i] * v + (1 - f[i]) * grey)))).toBeLessThan(1e-6));
        }),
      ),
    );
    t.dispose();
  });

  test('hue shifts within [−v, v], 0 at v = 0, one draw per example; colour on grey images and shifts past half a turn are typed errors', () => {
    const v = Array.from({ length: 100 }, (_, i) => (i % 5) * 0.1);
    const d = hueShifts(v, new Rng(1));
    d.forEach((x, i) => expect(Math.abs(x)).toBeLessThanOrEqual(v[i]));
    d.forEach((x, i) => v[i] === 0 && expect(x).toBe(0));
    const { t } = images(1, 2, 2, 1, 3);
    expect(() => adjustHue(t, [0.1])).toThrow(InvalidArgumentError);
    expect(() => adjustSaturation(t, [1.1])).toThrow(InvalidArgumentError);
    const rgb = images(1, 2, 2, 3, 3).t;
    expect(() => adjustHue(rgb, [0.6])).toThrow(/shifts\[0\]/);
    expect(() => adjustSaturation(rgb, [-0.1])).toThrow(/factors\[0\]/);
    tf.dispose([t, rgb]);
  });
});

describe('augmentInputs: the kinds a space declares, per example', () => {
  const B = 6;
  const specs: Record<string, HyperparameterSpec> = {
    rotation: rotationSpec('rotation', { init: 30 }),
    translation: translationSpec('translate', { init: 0.45 }),
    'affine-scale': affineScaleSpec('scale', { init: 0.4 }),
    saturation: saturationSpec('saturation', { init: 0.8 }),
    hue: hueSpec('hue', { init: 0.3 }),
  };

  /**
   * The batch augmented by a space with one kind at value `v` for every example (values[i] = [v]). 28×28 images:
   * on small ones, nearest-neighbour sampling leaves small rotations and zooms without effect.
   */
  function run(kind: string, v: number, seed: number): { input: Float32Array; output: Float32Array } {
    const space = new HyperSpace([specs[kind]]);
    const { t } = images(B, 28, 28, 3, 9);
    const out = augmentInputs(space, t, Array.from({ length: B }, () => [v]), new Rng(seed));
    const r = { input: Float32Array.from(t.dataSync()), output: Float32Array.from(out.dataSync()) };
    tf.dispose([t, out]);
    return r;
  }

  for (const kind of Object.keys(specs)) {
    test(`${kind}: changes every example when set, is the identity at 0, and is fixed by the seed`, () => {
      const set = run(kind, specs[kind].init, 1);
      const per = set.input.length / B;
      for (let i = 0; i < B; i++) {
        const moved = set.output.subarray(i * per, (i + 1) * per).some((x, j) => Math.abs(x - set.input[i * per + j]) > 1e-3);
        expect(moved, `${kind}, example ${i}`).toBe(true);
      }
      const zero = run(kind, 0, 1);
      expect(Array.from(zero.output)).toEqual(Array.from(zero.input));
      expect(Array.from(run(kind, specs[kind].init, 1).output)).toEqual(Array.from(set.output));
      expect(Array.from(run(kind, specs[kind].init, 2).output)).not.toEqual(Array.from(set.output));
    });
  }

  test('the specs: C1 defaults per example; ranges past a half turn of hue, a whole side, or a zoom of 0 are typed errors', () => {
    const s = new HyperSpace(Object.values(specs));
    s.specs.forEach((r) => expect(r.perturb).toBe('example'));
    expect([rotationSpec(), translationSpec(), affineScaleSpec(), hueSpec(), saturationSpec()].map((x) => [x.init, ...x.range])).toEqual([[5, 0, 45], [0.05, 0, 0.5], [0.05, 0, 0.5], [0.05, 0, 0.5], [0.05, 0, 1]]);
    expect(() => new HyperSpace([hueSpec('h', { range: [0, 0.8] })])).toThrow(/range\[1\]/);
    expect(() => new HyperSpace([translationSpec('t', { range: [0, 2] })])).toThrow(InvalidArgumentError);
    expect(() => new HyperSpace([affineScaleSpec('s', { range: [0, 1] })])).toThrow(InvalidArgumentError);
    expect(() => new HyperSpace([rotationSpec('r', { range: [-5, 45] })])).toThrow(/range\[0\]/);
  });

  test('a space without these kinds returns the input itself; flat inputs and grey images are typed errors', () => {
    const { t } = images(2, 4, 4, 1, 4);
    expect(augmentInputs(new HyperSpace([dropoutSpec('p')]), t, [[0.1], [0.1]], new Rng(1))).toBe(t);
    expect(() => augmentInputs(new HyperSpace([hueSpec()]), t, [[0.1], [0.1]], new Rng(1))).toThrow(/RGB/);
    const flat = tf.zeros([2, 16]);
    expect(() => augmentInputs(new HyperSpace([rotationSpec()]), flat, [[5], [5]], new Rng(1))).toThrow(InvalidArgumentError);
    tf.dispose([t, flat]);
  });

  test('the train steps apply it: a `fixed` step on SimpleCNN reports another loss at rotation 40° than at ≈ 0°', () => {
    const data = { train: syntheticImages(8, 1), val: syntheticImages(4, 2) };
    const loss = (deg: number): number => {
      const model = simpleCnn({ channels: [2, 3], fc: 5, classes: 3, rng: new Rng(3), hyperDim: 4, objectiveHyperparameters: 1 });
      const space = new HyperSpace([...['c0', 'c1', 'c2'].map((n) => channelDropoutSpec(n, { init: 0.01 })), dropoutSpec('fc', { init: 0.01 }), rotationSpec('rotation', { init: deg })]);
      const t = new Trainer(model, space, data, { method: 'fixed', epochs: 1, batchSize: 8, seed: 1 });
      const l = t.trainStep(Int32Array.from({ length: 8 }, (_, i) => i), new Rng(4));
      t.dispose();
      model.dispose();
      return l;
    };
    const [none, tiny, big] = [loss(1e-9), loss(1e-9), loss(40)];
    expect(tiny).toBe(none);
    expect(Math.abs(big - none)).toBeGreaterThan(1e-4);
  });
});
