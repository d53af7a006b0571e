/**
 * Per-example affine (rotation, translation, scale) and colour (saturation, hue) augmentation, each example i at
 * its own perturbed value T(λ + ε_i), as the reference does (C1 `StnCIFAR10`: one torchvision `RandomAffine` and
 * one `ColorJitter` built per example from its perturbed hyperparameters; docs/math.md#s1-3 table, #s5-1).
 *
 * @remarks
 * **Draws** (all from the seeded {@link Rng}, in JavaScript, then one tensor op): for each example in order, one
 * `rng.uniform()` per affine kind the space declares, in the order rotation, translation (two: x then y), scale;
 * then, for the colour kinds, saturation for every example, then hue for every example. The number of draws
 * depends only on the batch and on which kinds are declared, never on the values. Value 0 is the identity, exactly.
 * - rotation r_i (degrees): angle θ_i ~ U[−r_i, r_i];
 * - translation t_i (a fraction of the side): (Δx_i, Δy_i) = (round(U[−t_i W, t_i W]), round(U[−t_i H, t_i H]))
 *   pixels (torchvision rounds them too);
 * - scale c_i: zoom s_i ~ U[1 − c_i, 1 + c_i];
 * - saturation v_i: factor f_i ~ U[max(0, 1 − v_i), 1 + v_i] (src/nn/regularizers.ts `jitterFactors`);
 * - hue v_i: shift δ_i ~ U[−v_i, v_i] turns.
 *
 * **The warp** ({@link affineWarp}) maps output pixel p = (x, y) to the input pixel nearest to
 * q = c + R(−θ_i)(p − c − Δ_i)/s_i, c = ((W − 1)/2, (H − 1)/2) the image centre (rotation about the centre, then
 * zoom, then shift: torchvision's `affine` order), with nearest-neighbour sampling (torchvision's default) and 0
 * outside the image. **Colour**: saturation blends each pixel with its grey level 0.2989 R + 0.587 G + 0.114 B
 * (torchvision `adjust_saturation`), hue rotates the HSV hue by δ_i (torchvision `adjust_hue`); both need RGB
 * images (C = 3). Order: the trainer's cutout, brightness, contrast, then affine, saturation, hue (fixed; torchvision's
 * `ColorJitter` permutes its four at random) [R].
 *
 * **No tangent.** Δ-STN linearizes the network in the weights only, f(x̃_i; w0 + Θε_i) ≈ f(x̃_i; w0) + J_w f·Θε_i
 * (docs/math.md#s3-3), with x̃_i the input augmented at λ + ε_i. The augmentation acts on x̃_i, which the primal and
 * the tangent pass share (as they share dropout masks), so the linearized step needs no input tangent. The
 * hyperparameter reaches L_T only through a random, non-differentiable sampling of the input (the reference
 * applies PIL transforms in its data loader: no gradient either), and L_V is evaluated without augmentation, so
 * the hypergradient flows through the response alone, as for cutout.
 *
 * Tensors returned are new; the caller disposes them.
 *
 * @see docs/math.md#s1-3, #s3-3, #s5-1
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../errors.js';
import type { Rng } from '../rng.js';
import { column, type HyperSpace } from './hyper.js';
import { jitterFactors } from './regularizers.js';

/** The affine map of one example: rotation θ (degrees), shift (Δx, Δy) in pixels, zoom s > 0. */
export interface AffineParameters {
  angle: number;
  dx: number;
  dy: number;
  zoom: number;
}

function checkStrengths(values: readonly number[] | undefined, batch: number, argument: string): void {
  if (values === undefined) return;
  if (!Array.isArray(values) || values.length !== batch) throw new ShapeMismatchError(argument, `length ${batch} (one value per example)`, Array.isArray(values) ? `length ${values.length}` : typeof values);
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`${argument}[${i}]`, v);
    if (v < 0) throw new InvalidArgumentError(`${argument}[${i}]`, 'a value ≥ 0', v);
  });
}

/**
 * Draws each example's affine map from its values (module remarks): `rotations` r_i (degrees), `translations` t_i
 * (fractions of the side), `scales` c_i < 1; an absent kind (undefined) is the identity and draws nothing.
 * `height`, `width`: the image's H and W.
 */
export function affineParameters(
  batch: number,
  values: { rotations?: readonly number[]; translations?: readonly number[]; scales?: readonly number[] },
  height: number,
  width: number,
  rng: Rng,
): AffineParameters[] {
  if (!Number.isInteger(batch) || batch < 1) throw new InvalidArgumentError('batch', 'an integer ≥ 1', batch);
  checkStrengths(values.rotations, batch, 'rotations');
  checkStrengths(values.translations, batch, 'translations');
  checkStrengths(values.scales, batch, 'scales');
  values.scales?.forEach((c, i) => {
    if (!(c < 1)) throw new InvalidArgumentError(`scales[${i}]`, 'a scale range < 1 (the zoom 1 − c must stay > 0)', c);
  });
  // One draw whatever v; v = 0 gives +0 exactly (not −0).
  const sym = (v: number): number => {
    const u = rng.uniform();
    return v === 0 ? 0 : (2 * u - 1) * v;
  };
  return Array.from({ length: batch }, (_, i) => {
    const angle = values.rotations ? sym(values.rotations[i]) : 0;
    const dx = values.translations ? Math.round(sym(values.translations[i] * width)) : 0;
    const dy = values.translations ? Math.round(sym(values.translations[i] * height)) : 0;
    const zoom = values.scales ? 1 + sym(values.scales[i]) : 1;
    // Math.round(−0.3) is −0: a shift of −0 pixels is 0.
    return { angle, dx: dx + 0, dy: dy + 0, zoom };
  });
}

/**
 * The source pixel of every output pixel of every example (row-major over [B, H, W]; −1 = outside the image):
 * nearest to q = c + R(−θ)(p − c − Δ)/s (module remarks). Float64 arithmetic; the identity map gives p itself.
 */
export function affineSourceIndices(params: readonly AffineParameters[], height: number, width: number): Int32Array {
  const out = new Int32Array(params.length * height * width);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  params.forEach((p, i) => {
    if (!Number.isFinite(p.angle) || !Number.isFinite(p.dx) || !Number.isFinite(p.dy) || !(p.zoom > 0) || !Number.isFinite(p.zoom)) {
      throw new InvalidArgumentError(`params[${i}]`, 'a finite angle and shift and a finite zoom > 0', JSON.stringify(p));
    }
    const t = (p.angle * Math.PI) / 180;
    // θ = 0 gives cos = 1 and sin = 0 exactly, so the identity map is exact.
    const cos = Math.cos(t);
    const sin = Math.sin(t);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = x - cx - p.dx;
        const v = y - cy - p.dy;
        // R(−θ)·(u, v) = (cos θ·u + sin θ·v, −sin θ·u + cos θ·v).
        const qx = Math.round(cx + (cos * u + sin * v) / p.zoom);
        const qy = Math.round(cy + (-sin * u + cos * v) / p.zoom);
        const inside = qx >= 0 && qx < width && qy >= 0 && qy < height;
        out[(i * height + y) * width + x] = inside ? (i * height + qy) * width + qx : -1;
      }
    }
  });
  return out;
}

function requireImages(images: tf.Tensor, argument: string): asserts images is tf.Tensor4D {
  if (images.rank !== 4) throw new ShapeMismatchError(argument, '[B, H, W, C] images (NHWC)', `rank ${images.rank}`);
}

/**
 * Each example i warped by its affine map `params[i]` ({@link affineSourceIndices}: nearest neighbour, 0 outside),
 * every channel alike. One gather on the device; no gradient flows to the images (they are data).
 */
export function affineWarp(images: tf.Tensor4D, params: readonly AffineParameters[]): tf.Tensor4D {
  requireImages(images, 'images');
  const [B, H, W, C] = images.shape;
  if (!Array.isArray(params) || params.length !== B) throw new ShapeMismatchError('params', `length ${B} (one map per example)`, Array.isArray(params) ? `length ${params.length}` : typeof params);
  const source = affineSourceIndices(params, H, W);
  const outside = B * H * W;
  for (let j = 0; j < source.length; j++) if (source[j] < 0) source[j] = outside;
  return tf.tidy(() => {
    const flat = tf.concat([tf.reshape(images, [B * H * W, C]), tf.zeros([1, C])], 0);
    return tf.reshape(tf.gather(flat, tf.tensor1d(source, 'int32')), [B, H, W, C]) as tf.Tensor4D;
  });
}

function requireRgb(images: tf.Tensor4D, argument: string): void {
  if (images.shape[3] !== 3) throw new InvalidArgumentError(argument, 'RGB images (C = 3) for hue and saturation jitter', `C = ${images.shape[3]}`);
}

function perExample(values: readonly number[], argument: string, batch: number): tf.Tensor4D {
  if (!Array.isArray(values) || values.length !== batch) throw new ShapeMismatchError(argument, `length ${batch} (one value per example)`, Array.isArray(values) ? `length ${values.length}` : typeof values);
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`${argument}[${i}]`, v);
  });
  return tf.tensor4d(Float32Array.from(values), [batch, 1, 1, 1], 'float32');
}

/**
 * Saturation with a given factor per example (torchvision `adjust_saturation`):
 * x'_i = clip(f_i·x_i + (1 − f_i)·g(x_i), 0, 1), g the per-pixel grey level 0.2989 R + 0.587 G + 0.114 B.
 * A factor of exactly 1 returns x unchanged (for x in [0, 1]); 0 gives the grey image.
 */
export function adjustSaturation(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  requireImages(images, 'images');
  requireRgb(images, 'images');
  factors.forEach((f, i) => {
    if (f < 0) throw new InvalidArgumentError(`factors[${i}]`, 'a factor ≥ 0', f);
  });
  return tf.tidy(() => {
    const f = perExample(factors, 'factors', images.shape[0]);
    const grey = tf.sum(tf.mul(images, tf.tensor4d([0.2989, 0.587, 0.114], [1, 1, 1, 3])), 3, true);
    return tf.clipByValue(tf.add(tf.mul(images, f), tf.mul(tf.sub(1, f), grey)), 0, 1) as tf.Tensor4D;
  });
}

/**
 * Hue rotation by δ_i turns per example (torchvision `adjust_hue`): RGB → HSV, H ← (H + δ_i) mod 1, HSV → RGB,
 * with HSV → RGB as channel(n) = V − V·S·max(0, min(k, 4 − k, 1)), k = (n + 6H) mod 6, n = 5, 3, 1 for R, G, B.
 * An example with δ_i = 0 is returned unchanged, exactly (not through the float32 round trip). Shifts in [−0.5, 0.5].
 */
export function adjustHue(images: tf.Tensor4D, shifts: readonly number[]): tf.Tensor4D {
  requireImages(images, 'images');
  requireRgb(images, 'images');
  shifts.forEach((d, i) => {
    if (!(Math.abs(d) <= 0.5)) throw new InvalidArgumentError(`shifts[${i}]`, 'a hue shift in [−0.5, 0.5] turns', d);
  });
  return tf.tidy(() => {
    const delta = perExample(shifts, 'shifts', images.shape[0]);
    const [r, g, b] = tf.split(images, 3, 3);
    const v = tf.maximum(tf.maximum(r, g), b);
    const c = tf.sub(v, tf.minimum(tf.minimum(r, g), b));
    const safeC = tf.maximum(c, 1e-12);
    const s = tf.div(c, tf.maximum(v, 1e-12));
    const hr = tf.div(tf.sub(g, b), safeC);
    const hr6 = tf.where(tf.less(hr, 0), tf.add(hr, 6), hr);
    const hg = tf.add(tf.div(tf.sub(b, r), safeC), 2);
    const hb = tf.add(tf.div(tf.sub(r, g), safeC), 4);
    const h6 = tf.where(tf.greater(c, 0), tf.where(tf.equal(v, r), hr6, tf.where(tf.equal(v, g), hg, hb)), tf.zerosLike(c));
    // (H + δ) mod 1 in sixths: 6H + 6δ + 6 ∈ [3, 15), then mod 6.
    const shifted = tf.add(h6, tf.add(tf.mul(delta, 6), 6));
    const h = tf.sub(shifted, tf.mul(tf.floor(tf.div(shifted, 6)), 6));
    const channel = (n: number): tf.Tensor => {
      const k0 = tf.add(h, n);
      const k = tf.sub(k0, tf.mul(tf.floor(tf.div(k0, 6)), 6));
      const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1);
      return tf.sub(v, tf.mul(tf.mul(v, s), ramp));
    };
    const rgb = tf.clipByValue(tf.concat([channel(5), channel(3), channel(1)], 3), 0, 1);
    const moved = tf.notEqual(delta, 0);
    return tf.where(tf.broadcastTo(moved, images.shape), rgb, images) as tf.Tensor4D;
  });
}

/** Per-example hue shifts δ_i ~ U[−v_i, v_i] (one `rng.uniform()` per example whatever v_i; v_i = 0 gives 0). */
export function hueShifts(strengths: readonly number[], rng: Rng): number[] {
  checkStrengths(strengths, strengths.length, 'strengths');
  return strengths.map((v) => {
    const u = rng.uniform();
    return v === 0 ? 0 : (2 * u - 1) * v;
  });
}

/**
 * The affine and colour augmentations a space declares (kinds `rotation`, `translation`, `affine-scale`,
 * `saturation`, `hue`; the first of each), applied to training inputs `x` at the per-example values `hyperValues`
 * (rows = examples, as `HyperSpace.samplePerturbed` gives them): module remarks. Returns `x` itself when the
 * space declares none of them.
 *
 * @throws ShapeMismatchError if `x` is not NHWC; InvalidArgumentError for colour kinds on images with C ≠ 3.
 */
export function augmentInputs(space: HyperSpace, x: tf.Tensor, hyperValues: readonly (readonly number[])[], rng: Rng): tf.Tensor {
  const k = (kind: Parameters<HyperSpace['indicesOfKind']>[0]): number | undefined => space.indicesOfKind(kind)[0];
  const rotation = k('rotation');
  const translation = k('translation');
  const scale = k('affine-scale');
  const saturation = k('saturation');
  const hue = k('hue');
  const affine = rotation !== undefined || translation !== undefined || scale !== undefined;
  if (!affine && saturation === undefined && hue === undefined) return x;
  if (x.rank !== 4) throw new InvalidArgumentError('x', 'image inputs (NHWC) for affine or colour augmentation hyperparameters', `rank ${x.rank}`);
  let img = x as tf.Tensor4D;
  if ((saturation !== undefined || hue !== undefined) && img.shape[3] !== 3) {
    throw new InvalidArgumentError('x', `RGB images (C = 3) for ${saturation !== undefined ? 'saturation' : 'hue'} jitter`, `C = ${img.shape[3]}`);
  }
  const rows = hyperValues as number[][];
  const owned: tf.Tensor[] = [];
  if (affine) {
    const [B, H, W] = img.shape;
    const params = affineParameters(
      B,
      {
        rotations: rotation === undefined ? undefined : column(rows, rotation),
        translations: translation === undefined ? undefined : column(rows, translation),
        scales: scale === undefined ? undefined : column(rows, scale),
      },
      H,
      W,
      rng,
    );
    img = affineWarp(img, params);
    owned.push(img);
  }
  if (saturation !== undefined) {
    img = adjustSaturation(img, jitterFactors(column(rows, saturation), rng));
    owned.push(img);
  }
  if (hue !== undefined) {
    img = adjustHue(img, hueShifts(column(rows, hue), rng));
    owned.push(img);
  }
  for (const t of owned) if (t !== img) t.dispose();
  return img;
}
