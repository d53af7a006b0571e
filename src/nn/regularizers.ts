/**
 * Per-example stochastic regularizers: dropout (unit, channel, input), DropConnect, cutout, brightness and
 * contrast jitter. Each example i uses its own perturbed value T(λ + ε_i) (docs/math.md#s2-2, #s3-2).
 *
 * @remarks
 * Every random draw comes from the seeded {@link Rng} in JavaScript and only then becomes a tensor. That is
 * what lets the Δ-STN linearized step apply **the same** dropout mask in the primal pass and in the
 * forward-mode tangent pass (docs/math.md#s3-3, #s8-1): sample the mask once, then `applyMask(a, mask)` and
 * `applyMask(ȧ, mask)`. The masks carry no gradient to the rate p_i (docs/math.md#s8-4, C1 `dropout_utils.py`
 * detaches the rates); the hyperparameter reaches the loss only through the hypernetwork input.
 *
 * Tensors returned here are new; the caller owns and disposes them. Nothing else is left allocated.
 *
 * @see docs/math.md#s1-2, #s3-2, #s5-1, #s8-4
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../errors.js';
import type { Rng } from '../rng.js';

const TWO_POW_32 = 4294967296;

function checkShape(shape: readonly number[], argument: string, minRank = 1): void {
  if (!Array.isArray(shape) || shape.length < minRank) throw new ShapeMismatchError(argument, `an array of rank ≥ ${minRank}`, Array.isArray(shape) ? `rank ${shape.length}` : typeof shape);
  shape.forEach((d, j) => {
    if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError(`${argument}[${j}]`, 'an integer ≥ 1', d);
  });
}

function checkRate(p: number, argument: string): void {
  if (typeof p !== 'number' || Number.isNaN(p)) throw new NonFiniteError(argument, p);
  if (!(p >= 0 && p < 1)) throw new InvalidArgumentError(argument, 'a dropout rate in [0, 1)', p);
}

function checkPerExample(values: readonly number[], batch: number, argument: string): void {
  if (!Array.isArray(values) || values.length !== batch) throw new ShapeMismatchError(argument, `length ${batch} (one value per example)`, Array.isArray(values) ? `length ${values.length}` : typeof values);
}

/**
 * Fill `out[offset … offset+n)` with Bernoulli(1 − p)/(1 − p): one 32-bit draw u per element, kept iff
 * u < (1 − p)·2³². At p = 0 the threshold is 2³², every element is kept and scaled by exactly 1.
 */
function fillBernoulli(out: Float32Array, offset: number, n: number, p: number, rng: Rng): void {
  const keep = 1 - p;
  const threshold = keep * TWO_POW_32;
  const scale = 1 / keep;
  // The same draws as n calls of rng.nextUint32(), in bulk (Rng.fillUint32).
  const draws = uintScratch(n);
  rng.fillUint32(draws, 0, n);
  for (let j = 0; j < n; j++) out[offset + j] = draws[j] < threshold ? scale : 0;
}

let scratch = new Uint32Array(0);

/** A reusable Uint32Array of at least n entries (one per module: masks are drawn one at a time). */
function uintScratch(n: number): Uint32Array {
  if (scratch.length < n) scratch = new Uint32Array(Math.max(n, 2 * scratch.length));
  return scratch;
}

/**
 * A scaled dropout mask with a rate per example: m_{i,·} ~ Bernoulli(1 − p_i)/(1 − p_i), so E[m] = 1.
 *
 * @remarks
 * `shape` is the mask's shape [B, …]: the activation's shape for unit (or input) dropout, or a broadcast
 * shape such as [B, 1, 1, C] for channel dropout (one draw per example and channel). `rates` is p (length B,
 * each in [0, 1)). The draw order is row-major over `shape`, one `rng.nextUint32()` per element, whatever the
 * rates, so the random stream consumed depends only on the shape. Rate 0 gives exactly 1 (the identity under
 * {@link applyMask}). No gradient flows to p (C1 `dropout_utils.py`, docs/math.md#s8-4).
 *
 * @returns a float32 tensor of `shape`, owned by the caller.
 * @throws ShapeMismatchError if rates.length ≠ shape[0]; InvalidArgumentError for a rate outside [0, 1).
 */
export function dropoutMask(shape: readonly number[], rates: readonly number[], rng: Rng): tf.Tensor {
  checkShape(shape, 'shape');
  const batch = shape[0];
  checkPerExample(rates, batch, 'rates');
  rates.forEach((p, i) => checkRate(p, `rates[${i}]`));
  const per = shape.slice(1).reduce((a, d) => a * d, 1);
  const values = new Float32Array(batch * per);
  for (let i = 0; i < batch; i++) fillBernoulli(values, i * per, per, rates[i], rng);
  return tf.tensor(values, [...shape], 'float32');
}

/**
 * Input dropout: unit dropout on the network input, i.e. {@link dropoutMask} with the input's shape. (On a
 * one-channel image, C1's SimpleCNN uses channel dropout on the input instead, which drops the whole image
 * with probability p_i: use {@link channelDropoutMask} for that.)
 */
export function inputDropoutMask(inputShape: readonly number[], rates: readonly number[], rng: Rng): tf.Tensor {
  return dropoutMask(inputShape, rates, rng);
}

/**
 * Channel dropout on NHWC activations (C1 `dropout_2d`): one Bernoulli(1 − p_i)/(1 − p_i) per example i and
 * channel c, broadcast over H and W.
 *
 * @param activationShape [B, H, W, C] of the activations the mask will multiply.
 * @returns a [B, 1, 1, C] mask (the same as `dropoutMask([B, 1, 1, C], rates, rng)`).
 */
export function channelDropoutMask(activationShape: readonly number[], rates: readonly number[], rng: Rng): tf.Tensor4D {
  checkShape(activationShape, 'activationShape', 4);
  if (activationShape.length !== 4) throw new ShapeMismatchError('activationShape', '[B, H, W, C] (NHWC)', `rank ${activationShape.length}`);
  return dropoutMask([activationShape[0], 1, 1, activationShape[3]], rates, rng) as tf.Tensor4D;
}

/**
 * DropConnect (Wan et al. 2013): a scaled Bernoulli(1 − p)/(1 − p) mask on a weight tensor, **one per
 * minibatch**.
 *
 * @remarks
 * A per-example DropConnect mask would need a masked copy of the weights for each example, B× the weight
 * memory (128 × 1200 × 1200 floats ≈ 737 MB for one MLP layer at B = 128) and a batched matmul instead of one
 * matmul, so the rate p is shared by the minibatch: declare the hyperparameter with `perturb: 'minibatch'`
 * (`dropConnectSpec` does) and pass any row's value. Apply the mask to both the general and the response
 * weights, as C2's LSTM does (docs/math.md#s2-1), with {@link applyMask}.
 *
 * @param weightShape the weight tensor's shape.
 * @param rate p in [0, 1); 0 gives exactly 1 everywhere.
 */
export function dropConnectMask(weightShape: readonly number[], rate: number, rng: Rng): tf.Tensor {
  checkShape(weightShape, 'weightShape');
  checkRate(rate, 'rate');
  const n = weightShape.reduce((a, d) => a * d, 1);
  const values = new Float32Array(n);
  fillBernoulli(values, 0, n, rate, rng);
  return tf.tensor(values, [...weightShape], 'float32');
}

/**
 * x ⊙ mask, with the mask broadcast over its size-1 axes (a [B, 1, 1, C] channel mask on [B, H, W, C]).
 * Use the same mask on the primal activation and on its tangent.
 *
 * @throws ShapeMismatchError if the ranks differ or an axis of the mask is neither 1 nor x's size.
 */
export function applyMask<T extends tf.Tensor>(x: T, mask: tf.Tensor): T {
  const ok = x.rank === mask.rank && mask.shape.every((d, j) => d === 1 || d === x.shape[j]);
  if (!ok) throw new ShapeMismatchError('mask', `[${x.shape.join(', ')}] or a broadcast of it (size-1 axes)`, `[${mask.shape.join(', ')}]`);
  return tf.mul(x, mask) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Cutout
// ---------------------------------------------------------------------------------------------------------

/** A hole [y1, y2) × [x1, x2) (rows, columns), half-open. */
export interface CutoutBox {
  y1: number;
  y2: number;
  x1: number;
  x2: number;
}

/**
 * The hole of side `length` centred at (cy, cx) on an H×W image, clipped at the borders, exactly as the
 * reference computes it (C1 `utils/cutout_utils.py`, from DeVries & Taylor's Cutout):
 * y1 = ⌊clip(cy − L/2, 0, H)⌋, y2 = ⌊clip(cy + L/2, 0, H)⌋, and the same for x with W.
 * For odd L the hole is asymmetric (L = 3 at cy = 5 covers rows 3, 4, 5); near a border it is cut short.
 */
export function cutoutBox(cy: number, cx: number, length: number, height: number, width: number): CutoutBox {
  const clip = (v: number, hi: number): number => Math.floor(Math.min(Math.max(v, 0), hi));
  return { y1: clip(cy - length / 2, height), y2: clip(cy + length / 2, height), x1: clip(cx - length / 2, width), x2: clip(cx + length / 2, width) };
}

function checkCount(v: number, argument: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(argument, v);
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(argument, 'an integer ≥ 0 (a floored discrete hyperparameter value)', v);
}

/**
 * Cutout masks, one per example: holes_i square holes of side lengths_i at uniformly random centres.
 *
 * @remarks
 * Reference behaviour (C1 `cutout_utils.py`): for each hole, the centre is drawn as cy ~ U{0, …, H−1} then
 * cx ~ U{0, …, W−1} (`rng.int`), the hole is {@link cutoutBox} (clipped at the borders, so holes near an
 * edge are smaller), holes may overlap, and every channel is zeroed. An example with length 0 or 0 holes is
 * untouched and consumes no random numbers (the reference returns early too). `lengths` and `holes` are the
 * per-example values (length B), already floored by the hyperparameter space.
 *
 * @param imageShape [B, H, W, C] (NHWC) of the images the mask will multiply.
 * @returns a [B, H, W, 1] float32 mask of 0s and 1s, owned by the caller.
 */
export function cutoutMask(imageShape: readonly number[], lengths: readonly number[], holes: readonly number[], rng: Rng): tf.Tensor4D {
  checkShape(imageShape, 'imageShape', 4);
  if (imageShape.length !== 4) throw new ShapeMismatchError('imageShape', '[B, H, W, C] (NHWC)', `rank ${imageShape.length}`);
  const [batch, height, width] = imageShape;
  checkPerExample(lengths, batch, 'lengths');
  checkPerExample(holes, batch, 'holes');
  lengths.forEach((l, i) => checkCount(l, `lengths[${i}]`));
  holes.forEach((n, i) => checkCount(n, `holes[${i}]`));
  const plane = height * width;
  const values = new Float32Array(batch * plane).fill(1);
  for (let i = 0; i < batch; i++) {
    if (lengths[i] <= 0 || holes[i] <= 0) continue;
    for (let n = 0; n < holes[i]; n++) {
      const cy = rng.int(0, height - 1);
      const cx = rng.int(0, width - 1);
      const { y1, y2, x1, x2 } = cutoutBox(cy, cx, lengths[i], height, width);
      for (let y = y1; y < y2; y++) values.fill(0, i * plane + y * width + x1, i * plane + y * width + x2);
    }
  }
  return tf.tensor4d(values, [batch, height, width, 1], 'float32');
}

/** images ⊙ {@link cutoutMask}: cutout applied per example (NHWC). Returns a new tensor. */
export function cutout(images: tf.Tensor4D, lengths: readonly number[], holes: readonly number[], rng: Rng): tf.Tensor4D {
  const mask = cutoutMask(images.shape, lengths, holes, rng);
  try {
    return tf.mul(images, mask);
  } finally {
    mask.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Brightness and contrast (torchvision ColorJitter convention, as the reference uses)
// ---------------------------------------------------------------------------------------------------------

/** The data range [lo, hi] images are clipped to (default [0, 1], pixel intensities before normalization). */
export type PixelRange = readonly [number, number];

function checkRange(range: PixelRange): void {
  if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(range[0]) || !Number.isFinite(range[1]) || !(range[0] < range[1])) {
    throw new InvalidArgumentError('range', 'a finite [lo, hi] with lo < hi', Array.isArray(range) ? `[${range.join(', ')}]` : range);
  }
}

function checkFactors(factors: readonly number[], batch: number): void {
  checkPerExample(factors, batch, 'factors');
  factors.forEach((f, i) => {
    if (typeof f !== 'number' || !Number.isFinite(f)) throw new NonFiniteError(`factors[${i}]`, f);
    if (f < 0) throw new InvalidArgumentError(`factors[${i}]`, 'a factor ≥ 0', f);
  });
}

function perExample(values: readonly number[]): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(values), [values.length, 1, 1, 1], 'float32');
}

/**
 * Per-example jitter factors f_i ~ U[max(0, 1 − v_i), 1 + v_i] (torchvision `ColorJitter`'s draw for
 * brightness and contrast, which the reference uses with strength v_i = the hyperparameter value).
 * One `rng.uniform()` per example, whatever v_i; v_i = 0 gives f_i = 1 exactly.
 *
 * @throws InvalidArgumentError for a negative or non-finite strength.
 */
export function jitterFactors(strengths: readonly number[], rng: Rng): number[] {
  if (!Array.isArray(strengths)) throw new ShapeMismatchError('strengths', 'an array (one value per example)', typeof strengths);
  return strengths.map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`strengths[${i}]`, v);
    if (v < 0) throw new InvalidArgumentError(`strengths[${i}]`, 'a strength ≥ 0', v);
    const u = rng.uniform();
    const a = Math.max(0, 1 - v);
    return v === 0 ? 1 : a + (1 + v - a) * u;
  });
}

/**
 * Brightness with a given factor per example: x'_i = clip(f_i·x_i + (1 − f_i)·lo, lo, hi).
 *
 * @remarks
 * torchvision's `adjust_brightness` blends the image with black: f·x + (1 − f)·0. Here black is the bottom of
 * the data range, `range[0]` (0 for [0, 1] images, so this is torchvision's formula). Written as a blend, a
 * factor of exactly 1 returns x unchanged (for x inside the range). `images` is NHWC, `factors` has length B.
 */
export function adjustBrightness(images: tf.Tensor4D, factors: readonly number[], range: PixelRange = [0, 1]): tf.Tensor4D {
  checkRange(range);
  checkFactors(factors, images.shape[0]);
  return tf.tidy(() => {
    const f = perExample(factors);
    const blended = tf.add(tf.mul(images, f), tf.mul(tf.sub(1, f), range[0]));
    return tf.clipByValue(blended, range[0], range[1]) as tf.Tensor4D;
  });
}

/**
 * The per-example grey level m_i that contrast blends towards: for C = 3 the mean of the luminance
 * 0.2989·R + 0.587·G + 0.114·B over the image (torchvision `rgb_to_grayscale`), otherwise the mean over all
 * pixels and channels (for C = 1, the plain mean, as torchvision). Returns [B, 1, 1, 1].
 */
export function greyMean(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    if (images.shape[3] === 3) {
      const weights = tf.tensor4d([0.2989, 0.587, 0.114], [1, 1, 1, 3]);
      return tf.mean(tf.sum(tf.mul(images, weights), 3, true), [1, 2], true) as tf.Tensor4D;
    }
    return tf.mean(images, [1, 2, 3], true) as tf.Tensor4D;
  });
}

/**
 * Contrast with a given factor per example: x'_i = clip(f_i·x_i + (1 − f_i)·m_i, lo, hi), m_i = {@link greyMean}.
 *
 * @remarks
 * This is torchvision's `adjust_contrast` (a blend with the image's grey mean), i.e. (x − m_i)·f_i + m_i; the
 * deterministic form (x − m_i)·(1 + c_i) + m_i is this function with f_i = 1 + c_i. A factor of exactly 1
 * returns x unchanged (for x inside the range).
 */
export function adjustContrast(images: tf.Tensor4D, factors: readonly number[], range: PixelRange = [0, 1]): tf.Tensor4D {
  checkRange(range);
  checkFactors(factors, images.shape[0]);
  return tf.tidy(() => {
    const f = perExample(factors);
    const m = greyMean(images);
    const blended = tf.add(tf.mul(images, f), tf.mul(tf.sub(1, f), m));
    return tf.clipByValue(blended, range[0], range[1]) as tf.Tensor4D;
  });
}

/**
 * Brightness jitter, the reference's convention (C1 `StnCIFAR10` → torchvision `ColorJitter(brightness=b_i)`):
 * f_i ~ U[max(0, 1 − b_i), 1 + b_i] ({@link jitterFactors}), then {@link adjustBrightness}.
 * `strengths` are the per-example hyperparameter values b_i (length B). Strength 0 is the identity.
 *
 * @remarks
 * Unlike `ColorJitter`, brightness and contrast are not applied in a random order: the caller composes them.
 */
export function brightness(images: tf.Tensor4D, strengths: readonly number[], rng: Rng, range: PixelRange = [0, 1]): tf.Tensor4D {
  checkPerExample(strengths, images.shape[0], 'strengths');
  return adjustBrightness(images, jitterFactors(strengths, rng), range);
}

/**
 * Contrast jitter, the reference's convention (torchvision `ColorJitter(contrast=c_i)`):
 * f_i ~ U[max(0, 1 − c_i), 1 + c_i], then {@link adjustContrast}. Strength 0 is the identity.
 */
export function contrast(images: tf.Tensor4D, strengths: readonly number[], rng: Rng, range: PixelRange = [0, 1]): tf.Tensor4D {
  checkPerExample(strengths, images.shape[0], 'strengths');
  return adjustContrast(images, jitterFactors(strengths, rng), range);
}
