/**
 * Fast, differentiable-to-any-order replacements for the TensorFlow.js ops that are slow or missing on
 * the wasm backend. Each op here is correct on every backend; on wasm it is also fast.
 *
 * What is wrong with the built-ins (measured on this machine, tfjs 4.22.0, wasm SIMD, one thread):
 *
 * | built-in | problem on wasm | replacement |
 * |---|---|---|
 * | `tf.matMul` gradient | uses matMul with transpose flags, ~10× slower on wasm (an MLP step 402 ms vs 83 ms) | {@link matMul} |
 * | `tf.conv2d` gradient w.r.t. the filter | kernel `Conv2DBackpropFilter` does not exist on wasm: `tf.grad` throws | {@link conv2d} |
 * | `tf.conv2d` gradient w.r.t. the input | `Conv2DBackpropInput` exists but is a scalar loop, ~10× slower than the forward convolution (16→32 channels, 5×5, 14×14, batch 128: 238 ms vs 24 ms) | {@link conv2d} |
 * | `tf.gather` gradient | kernel `UnsortedSegmentSum` does not exist on wasm | {@link oneHotCrossEntropy} (no gather) |
 * | `tf.oneHot(…, 'float32')` | the wasm kernel writes int32 bits into the float32 output (1 reads as 1.4e-45) | {@link oneHotFloat} |
 * | second derivatives of `tf.maxPool`, `tf.logSoftmax`, `tf.logSumExp`, `tf.losses.softmaxCrossEntropy` (every backend) | no gradient for `MaxPoolGrad` / `Equal`, or a gradient built from untaped values: `tf.grad(tf.grad(…))` throws | {@link maxPool2x2}, {@link logSoftmax}, {@link softmax}, {@link oneHotCrossEntropy} |
 * | second derivatives through `tf.exp`, `tf.tanh`, `tf.sigmoid` (every backend) | their gradients multiply by the op's saved OUTPUT, which is not on an enclosing tape: alone, `tf.grad(tf.grad(…))` throws; next to another path it SILENTLY drops terms (the Hessian-vector product of log Σ exp z came out [0.039, 0.009, 0.216, 0.048] instead of [0.166, 0.023, −0.268, 0.079]). Derivatives w.r.t. the cotangent (the double-backward JVP) are unaffected: a gradient is linear in it | {@link softmax}, {@link logSoftmax} recompute from the input |
 *
 * Design: every op is a bilinear (or linear) map whose adjoints are again ops of the same family, and each
 * gradient is expressed with those ops. So a gradient is itself differentiable with fast gradients, to any
 * order, which the tangent pass of Δ-STN and the double-backward JVP checks need (docs/math.md#s3-4). ReLU, dropout
 * masks and `tf.losses.softmaxCrossEntropy` (first order) already work on wasm and are not replaced.
 *
 * tfjs's `customGrad` evaluates the gradients of all inputs eagerly, while a built-in kernel evaluates only
 * those on the path to the differentiated variables. For the first layer of a network, whose input is data,
 * pass `{ inputIsConstant: true }` / `{ aIsConstant: true }` to skip the unneeded input gradient (one
 * matrix product or convolution per step).
 *
 * @see bench/nn-ops.ts (the wasm kernel timings, measured side by side).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';

// ---------------------------------------------------------------------------------------------------------
// Custom-gradient plumbing
// ---------------------------------------------------------------------------------------------------------

/**
 * A one-input op with a custom gradient. `forward` runs untaped; `backward(dy, x, kept)` must be written
 * with differentiable ops of its arguments (so that the gradient can be differentiated again). `keep` are
 * tensors the op closes over (a mask, a constant operand): they are handed to tfjs's `save`, which keeps
 * them alive until every gradient that may need them has run (a closure alone would see them disposed
 * by an intermediate `tidy` before a second-order pass reaches them).
 */
function customOp1<X extends tf.Tensor, Y extends tf.Tensor>(
  forward: (x: X) => Y,
  backward: (dy: Y, x: X, kept: tf.Tensor[]) => tf.Tensor,
  keep: tf.Tensor[] = [],
): (x: X) => Y {
  const op = tf.customGrad<Y>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as X;
    (args[1] as tf.GradSaveFunc)([x, ...keep]);
    return { value: forward(x), gradFunc: (dy: Y, saved: tf.Tensor[]) => backward(dy, saved[0] as X, saved.slice(1)) };
  });
  return (x: X) => op(x);
}

/** A two-input op with a custom gradient; `backward` returns the gradients of both inputs, in order. */
function customOp2<A extends tf.Tensor, B extends tf.Tensor, Y extends tf.Tensor>(
  forward: (a: A, b: B) => Y,
  backward: (dy: Y, a: A, b: B) => [tf.Tensor, tf.Tensor],
): (a: A, b: B) => Y {
  const op = tf.customGrad<Y>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const a = args[0] as A;
    const b = args[1] as B;
    (args[2] as tf.GradSaveFunc)([a, b]);
    return { value: forward(a, b), gradFunc: (dy: Y, saved: tf.Tensor[]) => backward(dy, saved[0] as A, saved[1] as B) };
  });
  return (a: A, b: B) => op(a, b);
}

/**
 * `f(x)` computed off the gradient tape, with gradient zero: for values that are piecewise constant in x
 * (an argmax mask) or meant as constants ({@link stopGradient}). Taping them would only add work, and at
 * second order it can throw (tfjs has no gradient for `Equal`).
 */
function untaped<X extends tf.Tensor, Y extends tf.Tensor>(f: (x: X) => Y): (x: X) => Y {
  return customOp1<X, Y>(f, (_dy, x) => tf.zerosLike(x));
}

const identityUntaped = untaped<tf.Tensor, tf.Tensor>((x) => tf.clone(x));

/**
 * The value of `x` with a zero gradient (tfjs has no `stopGradient`): ∂ stopGradient(x) / ∂x = 0, at every
 * order. Costs one tensor reference (tfjs's `clone` shares the buffer).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return identityUntaped(x) as T;
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

function requireRank(t: tf.Tensor, rank: number, argument: string, what: string): void {
  if (!(t instanceof tf.Tensor)) throw new InvalidArgumentError(argument, `a tf.Tensor (${what})`, typeof t);
  if (t.rank !== rank) throw new ShapeMismatchError(argument, what, shapeText(t.shape));
}

function requireFloat(t: tf.Tensor, argument: string): void {
  if (t.dtype !== 'float32') throw new InvalidArgumentError(argument, 'a float32 tensor', t.dtype);
}

// ---------------------------------------------------------------------------------------------------------
// matMul
// ---------------------------------------------------------------------------------------------------------

/*
 * C = A B (A m×k, B k×n) with Ā = C̄ Bᵀ and B̄ = Aᵀ C̄, each again through matMulOp, with explicit
 * transposes, because XNNPACK on wasm has no fast path for transposed operands. Which operand to
 * transpose is chosen by cost: XNNPACK repacks the RIGHT operand (the "weights") of every product whose
 * right operand is a new tensor, and a transpose is a copy, both ~5 ns per element on wasm, while a
 * multiply-add costs ~0.07 ns. For the MLP's 128×1200 @ 1200×1200 layer, Ā = C̄ Bᵀ written as (B C̄ᵀ)ᵀ
 * copies 0.46 M elements instead of 2.9 M (≈ 14 ms instead of ≈ 24 ms, bench/nn-ops.ts).
 *   Ā: C̄ · transpose(B)            copies and packs 2kn        (small B: the last layer)
 *      transpose(B · transpose(C̄)) copies and packs 2mn + mk   (small batch: hidden layers)
 *   B̄: transpose(A) · C̄            copies mk, packs mn          (the other order is never cheaper)
 */
const matMulOp: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = customOp2<tf.Tensor2D, tf.Tensor2D, tf.Tensor2D>(
  (a, b) => tf.matMul(a, b),
  (dy, a, b) => [gradA(dy, b), matMulOp(tf.transpose(a), dy)],
);

/*
 * On backends whose matMul kernel takes transposed operands at full speed (TensorFlow's Eigen/oneDNN GEMM, the
 * WebGPU shaders), the explicit transposes above are pure cost (a copy per product: 7.6 ms vs 4.2 ms for
 * C̄·Bᵀ at 128×1200 @ 1200×1200 on tensorflow, bench/nn-ops.ts). There the family is C = op(A)·op(B) with
 * tfjs's transpose flags, and each adjoint is again a member of the family:
 *   C = A B:    Ā = C̄ Bᵀ = mm(C̄, B; n, t)    B̄ = Aᵀ C̄ = mm(A, C̄; t, n)
 *   C = A Bᵀ:   Ā = C̄ B  = mm(C̄, B; n, n)    B̄ = C̄ᵀ A = mm(C̄, A; t, n)
 *   C = Aᵀ B:   Ā = B C̄ᵀ = mm(B, C̄; n, t)    B̄ = A C̄  = mm(A, C̄; n, n)
 *   C = Aᵀ Bᵀ:  Ā = Bᵀ C̄ᵀ = mm(B, C̄; t, t)   B̄ = C̄ᵀ Aᵀ = mm(C̄, A; t, t)
 * so gradients of gradients stay in the family, at any order. The choice is made per backend, once.
 */
type Mm = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
const flagged = new Map<string, Mm>();

function mmFlags(ta: boolean, tb: boolean): Mm {
  const key = `${ta ? 't' : 'n'}${tb ? 't' : 'n'}`;
  const known = flagged.get(key);
  if (known) return known;
  const op = customOp2<tf.Tensor2D, tf.Tensor2D, tf.Tensor2D>(
    (a, b) => tf.matMul(a, b, ta, tb),
    (dy, a, b) => {
      if (!ta && !tb) return [mmFlags(false, true)(dy, b), mmFlags(true, false)(a, dy)];
      if (!ta && tb) return [mmFlags(false, false)(dy, b), mmFlags(true, false)(dy, a)];
      if (ta && !tb) return [mmFlags(false, true)(b, dy), mmFlags(false, false)(a, dy)];
      return [mmFlags(true, true)(b, dy), mmFlags(true, true)(dy, a)];
    },
  );
  flagged.set(key, op);
  return op;
}

/** Backends whose matMul takes transposed operands at full speed (see above). */
const NATIVE_TRANSPOSE_BACKENDS = new Set(['tensorflow', 'webgpu']);

/** Whether the active backend uses the flag family (chosen per backend: the answer is a set lookup). */
function nativeTransposes(): boolean {
  return NATIVE_TRANSPOSE_BACKENDS.has(tf.getBackend());
}

/** Ā = C̄ Bᵀ by the cheaper of the two explicit-transpose forms (see above). */
function gradA(dy: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [m, n] = dy.shape;
  const k = b.shape[0];
  return 2 * k * n <= 2 * m * n + m * k ? matMulOp(dy, tf.transpose(b)) : tf.transpose(matMulOp(b, tf.transpose(dy)));
}

/** Options of {@link matMul}. */
export interface MatMulOptions {
  /**
   * Treat `a` as a constant: no gradient flows to it. Use it when `a` is data (a network's input batch):
   * it saves the product C̄ Bᵀ, which tfjs's `customGrad` would otherwise compute and discard. Only for
   * data: if `a` depends on a differentiated variable, that dependence is silently cut.
   */
  aIsConstant?: boolean;
  /**
   * Treat `b` as a constant: no gradient flows to it (saves Aᵀ C̄). For a weight that the current step does
   * not train (the general weights in Δ-STN's response step); the same warning as `aIsConstant` applies.
   */
  bIsConstant?: boolean;
}

/**
 * Matrix product C = A B whose gradient is fast on wasm and differentiable to any order.
 *
 * @remarks
 * `a` is A (m×k), `b` is B (k×n), the result C is m×n. Reverse mode with cotangent C̄:
 * $$\bar A = \bar C B^\top, \qquad \bar B = A^\top \bar C,$$
 * each computed by this same op after an explicit `tf.transpose` (Ā as C̄·transpose(B) or as
 * transpose(B·transpose(C̄)), whichever copies fewer elements). tfjs's own gradient computes them with
 * the transpose flags of `tf.matMul`, which the wasm backend runs about 10× slower. Because the gradient
 * is made of this op and `tf.transpose`, `tf.grad` of a gradient (a Hessian-vector product, the
 * double-backward JVP) works and stays fast.
 *
 * @throws ShapeMismatchError if `a` or `b` is not rank 2, or their inner dimensions differ.
 * @throws InvalidArgumentError if either is not float32.
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, options: MatMulOptions = {}): tf.Tensor2D {
  requireRank(a, 2, 'a', 'a matrix (rank 2)');
  requireRank(b, 2, 'b', 'a matrix (rank 2)');
  requireFloat(a, 'a');
  requireFloat(b, 'b');
  if (a.shape[1] !== b.shape[0]) throw new ShapeMismatchError('b', `${a.shape[1]}×n (rows = columns of a)`, shapeText(b.shape));
  const native = nativeTransposes();
  if (options.aIsConstant && options.bIsConstant) return stopGradient(tf.matMul(a, b));
  if (options.aIsConstant) {
    return customOp1<tf.Tensor2D, tf.Tensor2D>(
      (bb) => tf.matMul(a, bb),
      (dy, _b, [constA]) => (native ? mmFlags(true, false)(constA as tf.Tensor2D, dy) : matMulOp(tf.transpose(constA) as tf.Tensor2D, dy)),
      [a],
    )(b);
  }
  if (options.bIsConstant) {
    return customOp1<tf.Tensor2D, tf.Tensor2D>(
      (aa) => tf.matMul(aa, b),
      (dy, _a, [constB]) => (native ? mmFlags(false, true)(dy, constB as tf.Tensor2D) : gradA(dy, constB as tf.Tensor2D)),
      [b],
    )(a);
  }
  return native ? mmFlags(false, false)(a, b) : matMulOp(a, b);
}

// ---------------------------------------------------------------------------------------------------------
// conv2d
// ---------------------------------------------------------------------------------------------------------

/** Padding of {@link conv2d}: TensorFlow's `'valid'` (none) or `'same'` (output ⌈H/s⌉), or p zeros on every side. */
export type Conv2dPad = 'valid' | 'same' | number;

/** The sizes and explicit paddings of one 2-D convolution (both spatial axes). */
export interface Conv2dGeometry {
  /** Stride s (both axes). */
  stride: number;
  /** Input height and width. */
  inHeight: number;
  inWidth: number;
  /** Filter height and width. */
  filterHeight: number;
  filterWidth: number;
  /** Output height and width: ⌊(H + top + bottom − kh)/s⌋ + 1, and likewise for the width. */
  outHeight: number;
  outWidth: number;
  /** Zeros added before/after the input rows and columns. */
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Sizes and explicit paddings of a 2-D convolution, the same as TensorFlow's: for `'same'` the total
 * padding along an axis is max((⌈H/s⌉ − 1)s + kh − H, 0), the smaller half before.
 *
 * @throws InvalidArgumentError for a stride that is not a positive integer or a bad `pad`.
 * @throws ShapeMismatchError if the filter does not fit in the padded input.
 */
export function conv2dGeometry(
  inHeight: number,
  inWidth: number,
  filterHeight: number,
  filterWidth: number,
  stride: number,
  pad: Conv2dPad,
): Conv2dGeometry {
  if (!Number.isInteger(stride) || stride < 1) throw new InvalidArgumentError('strides', 'a positive integer', stride);
  const axis = (n: number, k: number): [number, number, number] => {
    if (pad === 'valid') return [0, 0, Math.floor((n - k) / stride) + 1];
    if (pad === 'same') {
      const out = Math.ceil(n / stride);
      const total = Math.max((out - 1) * stride + k - n, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2), out];
    }
    if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) return [pad, pad, Math.floor((n + 2 * pad - k) / stride) + 1];
    throw new InvalidArgumentError('pad', "'valid', 'same' or a non-negative integer", pad);
  };
  const [top, bottom, outHeight] = axis(inHeight, filterHeight);
  const [left, right, outWidth] = axis(inWidth, filterWidth);
  if (outHeight < 1 || outWidth < 1 || filterHeight < 1 || filterWidth < 1) {
    throw new ShapeMismatchError('filter', `at most ${inHeight + top + bottom}×${inWidth + left + right} (the padded input)`, `${filterHeight}×${filterWidth}`);
  }
  return { stride, inHeight, inWidth, filterHeight, filterWidth, outHeight, outWidth, top, bottom, left, right };
}

/**
 * A stride-1 convolution of `t` by `f` with dilation `dilation`, where `before`/`after` (rows, then
 * columns) are zeros to add, or, when negative, rows/columns of `t` to drop. Positive pads go to the
 * kernel as explicit padding (XNNPACK pads for free); negative ones become a slice.
 */
function conv2dStride1(
  t: tf.Tensor4D,
  f: tf.Tensor4D,
  before: readonly [number, number],
  after: readonly [number, number],
  dilation: number,
): tf.Tensor4D {
  const [, h, w] = t.shape;
  const cropTop = Math.max(0, -before[0]);
  const cropLeft = Math.max(0, -before[1]);
  const cropBottom = Math.max(0, -after[0]);
  const cropRight = Math.max(0, -after[1]);
  const u =
    cropTop + cropLeft + cropBottom + cropRight > 0
      ? tf.slice(t, [0, cropTop, cropLeft, 0], [-1, h - cropTop - cropBottom, w - cropLeft - cropRight, -1])
      : t;
  const pads: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, before[0]), Math.max(0, after[0])],
    [Math.max(0, before[1]), Math.max(0, after[1])],
    [0, 0],
  ];
  return tf.conv2d(u, f, 1, pads, 'NHWC', dilation);
}

/** y = conv(x, W): the forward convolution with the geometry's explicit padding. */
function rawConv(x: tf.Tensor4D, w: tf.Tensor4D, g: Conv2dGeometry): tf.Tensor4D {
  const pads: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [g.top, g.bottom],
    [g.left, g.right],
    [0, 0],
  ];
  return tf.conv2d(x, w, g.stride, pads);
}

/**
 * x̄ = ∂⟨ȳ, conv(x, W)⟩/∂x as a FORWARD convolution (XNNPACK), not tfjs's slow Conv2DBackpropInput:
 * x̄[h] = Σ_i ȳ_s[h + top − i] W[i], with ȳ_s the cotangent dilated by the stride (s − 1 zeros after each
 * entry), i.e. a stride-1 correlation of ȳ_s, padded by kh − 1 − top before, with the filter flipped in
 * space and its channel axes swapped.
 */
function rawInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, g: Conv2dGeometry): tf.Tensor4D {
  const native = nativeConvPad(g);
  if (native) return tf.conv2dTranspose(dy, w, [dy.shape[0], g.inHeight, g.inWidth, w.shape[2]], g.stride, native);
  const s = g.stride;
  let d = dy;
  if (s > 1) {
    // [B, Ho, Wo, C] → [B, Ho, 1, Wo, 1, C] → zeros after each entry → [B, Ho·s, Wo·s, C].
    const [b, ho, wo, c] = dy.shape;
    const e = tf.reshape(dy, [b, ho, 1, wo, 1, c]);
    const z = tf.pad(e, [
      [0, 0],
      [0, 0],
      [0, s - 1],
      [0, 0],
      [0, s - 1],
      [0, 0],
    ]);
    d = tf.reshape(z, [b, ho * s, wo * s, c]);
  }
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
  const beforeH = g.filterHeight - 1 - g.top;
  const beforeW = g.filterWidth - 1 - g.left;
  // Output length = before + len(d) + after − k + 1 = H.
  const afterH = g.inHeight + g.filterHeight - 1 - beforeH - d.shape[1];
  const afterW = g.inWidth + g.filterWidth - 1 - beforeW - d.shape[2];
  return conv2dStride1(d, flipped as tf.Tensor4D, [beforeH, beforeW], [afterH, afterW], 1);
}

/**
 * W̄ = ∂⟨ȳ, conv(x, W)⟩/∂W, the kernel wasm lacks, as a forward convolution with the input channels as
 * the batch: W̄[i, j, c, o] = Σ_{b,p,q} x_pad[b, ps + i, qs + j, c] ȳ[b, p, q, o], which is a dilated
 * (rate s) convolution of xᵀ = x transposed to [cin, H, W, B] by the filter ȳᵀ = ȳ transposed to
 * [Ho, Wo, B, cout], giving [cin, kh, kw, cout]. The padded input is cut (or zero-extended) to exactly
 * kh + (Ho − 1)s rows so that the result is kh × kw, then transposed back to [kh, kw, cin, cout].
 */
function rawFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: Conv2dGeometry): tf.Tensor4D {
  const native = nativeConvPad(g);
  if (native) {
    // TensorFlow's own kernel (this runs inside a custom op's forward function, off the tape).
    const attrs = { strides: g.stride, pad: native, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [g.filterHeight, g.filterWidth, x.shape[3], dy.shape[3]] };
    return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const s = g.stride;
  const extentH = g.filterHeight + (g.outHeight - 1) * s;
  const extentW = g.filterWidth + (g.outWidth - 1) * s;
  const xt = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const r = conv2dStride1(xt, dyt, [g.top, g.left], [extentH - g.top - g.inHeight, extentW - g.left - g.inWidth], s);
  return tf.transpose(r, [1, 2, 0, 3]);
}

/**
 * Backends whose native convolution-gradient kernels beat the forward-convolution forms above (measured on
 * tensorflow, SimpleCNN shapes, batch 128: Conv2DBackpropFilter of the 1→16-channel 5×5 layer at 28×28 takes
 * 2.0 ms; that layer's forward + W̄ measured 33.5 ms before the switch and 25.0 ms after, two runs minutes apart). Their kernels accept
 * only TensorFlow's 'same' and 'valid' paddings, so another explicit padding keeps the forward-convolution form.
 */
const NATIVE_CONV_GRAD_BACKENDS = new Set(['tensorflow', 'webgpu']);

/** The native padding name equal to the geometry's explicit padding, on a backend that has the kernels; else null. */
function nativeConvPad(g: Conv2dGeometry): 'same' | 'valid' | null {
  if (!NATIVE_CONV_GRAD_BACKENDS.has(tf.getBackend())) return null;
  if (g.top === 0 && g.bottom === 0 && g.left === 0 && g.right === 0) return 'valid';
  const same = conv2dGeometry(g.inHeight, g.inWidth, g.filterHeight, g.filterWidth, g.stride, 'same');
  return same.top === g.top && same.bottom === g.bottom && same.left === g.left && same.right === g.right ? 'same' : null;
}

interface ConvFamily {
  conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
  inputGrad: (dy: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
  filterGrad: (x: tf.Tensor4D, dy: tf.Tensor4D) => tf.Tensor4D;
}

/**
 * The three bilinear maps of one convolution geometry, each the adjoint of the others in one argument:
 * with y = conv(x, W), D = inputGrad(ȳ, W) and F = filterGrad(x, ȳ),
 * ∂⟨D̄, D⟩ = (conv(D̄, W) for ȳ, filterGrad(D̄, ȳ) for W) and ∂⟨F̄, F⟩ = (inputGrad(ȳ, F̄) for x,
 * conv(x, F̄) for ȳ). So every gradient is again made of these three fast ops, at any order.
 */
function convFamily(g: Conv2dGeometry): ConvFamily {
  const fam: ConvFamily = {
    conv: customOp2<tf.Tensor4D, tf.Tensor4D, tf.Tensor4D>(
      (x, w) => rawConv(x, w, g),
      (dy, x, w) => [fam.inputGrad(dy, w), fam.filterGrad(x, dy)],
    ),
    inputGrad: customOp2<tf.Tensor4D, tf.Tensor4D, tf.Tensor4D>(
      (dy, w) => rawInputGrad(dy, w, g),
      (dxBar, dy, w) => [fam.conv(dxBar, w), fam.filterGrad(dxBar, dy)],
    ),
    filterGrad: customOp2<tf.Tensor4D, tf.Tensor4D, tf.Tensor4D>(
      (x, dy) => rawFilterGrad(x, dy, g),
      (dwBar, x, dy) => [fam.inputGrad(dy, dwBar), fam.conv(x, dwBar)],
    ),
  };
  return fam;
}

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /**
   * Treat `x` as a constant: no gradient flows to it. Use it for the first layer, whose input is data:
   * it saves the input-gradient convolution, which tfjs's `customGrad` would otherwise compute and discard.
   * Only for data: if `x` depends on a differentiated variable, that dependence is silently cut.
   */
  inputIsConstant?: boolean;
  /**
   * Treat the filter as a constant: no gradient flows to it (saves the filter-gradient convolution). For a
   * filter the current step does not train (the general filters in Δ-STN's response step).
   */
  filterIsConstant?: boolean;
}

/**
 * 2-D convolution (NHWC) whose gradients exist and are fast on wasm, and are differentiable to any order.
 *
 * @remarks
 * `x` is the input, [B, H, W, cin]; `filter` is W, [kh, kw, cin, cout]; `strides` is s (both axes); `pad`
 * is `'valid'`, `'same'` (TensorFlow's convention, see {@link conv2dGeometry}) or p zeros on every side.
 * With x_pad the zero-padded input,
 * $$y[b,p,q,o] = \sum_{i,j,c} x_{pad}[b, ps+i, qs+j, c]\, W[i,j,c,o].$$
 * Reverse mode with cotangent ȳ (see `rawFilterGrad` / `rawInputGrad` for the index algebra):
 * - W̄[i,j,c,o] = Σ_{b,p,q} x_pad[b, ps+i, qs+j, c] ȳ[b,p,q,o]: a forward convolution of x transposed to
 *   [cin, H, W, B] by ȳ transposed to [Ho, Wo, B, cout] with dilation s (wasm has no Conv2DBackpropFilter);
 * - x̄ = the stride-dilated ȳ convolved with W flipped in space and with cin/cout swapped: a forward
 *   convolution (wasm's Conv2DBackpropInput is a scalar loop, ~10× slower).
 * These agree with the cpu backend's built-in gradients to float32 rounding (test/nn/ops.test.ts).
 *
 * @throws ShapeMismatchError if `x` or `filter` is not rank 4, the channel counts differ, or the filter is
 *   larger than the padded input.
 * @throws InvalidArgumentError for a bad stride, pad, or a non-float32 tensor.
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, strides: number, pad: Conv2dPad, options: Conv2dOptions = {}): tf.Tensor4D {
  requireRank(x, 4, 'x', 'B×H×W×cin (rank 4, NHWC)');
  requireRank(filter, 4, 'filter', 'kh×kw×cin×cout (rank 4)');
  requireFloat(x, 'x');
  requireFloat(filter, 'filter');
  const [, h, w, cin] = x.shape;
  const [kh, kw, fcin] = filter.shape;
  if (fcin !== cin) throw new ShapeMismatchError('filter', `${kh}×${kw}×${cin}×cout (cin = channels of x)`, shapeText(filter.shape));
  const g = conv2dGeometry(h, w, kh, kw, strides, pad);
  const fam = convFamily(g);
  if (options.inputIsConstant && options.filterIsConstant) return stopGradient(rawConv(x, filter, g));
  if (options.inputIsConstant) {
    return customOp1<tf.Tensor4D, tf.Tensor4D>(
      (f) => rawConv(x, f, g),
      (dy, _f, [constX]) => fam.filterGrad(constX as tf.Tensor4D, dy),
      [x],
    )(filter);
  }
  if (options.filterIsConstant) {
    return customOp1<tf.Tensor4D, tf.Tensor4D>(
      (xx) => rawConv(xx, filter, g),
      (dy, _x, [constW]) => fam.inputGrad(dy, constW as tf.Tensor4D),
      [filter],
    )(x);
  }
  return fam.conv(x, filter);
}

// ---------------------------------------------------------------------------------------------------------
// 2×2 max pooling
// ---------------------------------------------------------------------------------------------------------

/** [B, 2H', 2W', C] → [B, H', W', C, 4]: each 2×2 window on the last axis, in order (0,0), (0,1), (1,0), (1,1). */
function windows2x2(t: tf.Tensor4D): tf.Tensor5D {
  const [b, h, w, c] = t.shape;
  const ho = Math.floor(h / 2);
  const wo = Math.floor(w / 2);
  const even = h === 2 * ho && w === 2 * wo ? t : tf.slice(t, [0, 0, 0, 0], [b, 2 * ho, 2 * wo, c]);
  const six = tf.reshape(even, [b, ho, 2, wo, 2, c]);
  return tf.reshape(tf.transpose(six, [0, 1, 3, 5, 2, 4]), [b, ho, wo, c, 4]);
}

/** Inverse layout of {@link windows2x2}: [B, H', W', C, 4] → [B, H, W, C], zeros in a dropped odd row/column. */
function unwindows2x2(v: tf.Tensor5D, h: number, w: number): tf.Tensor4D {
  const [b, ho, wo, c] = v.shape;
  const six = tf.transpose(tf.reshape(v, [b, ho, wo, c, 2, 2]), [0, 1, 4, 2, 5, 3]);
  const t = tf.reshape(six, [b, 2 * ho, 2 * wo, c]) as tf.Tensor4D;
  return h === 2 * ho && w === 2 * wo
    ? t
    : tf.pad(t, [
        [0, 0],
        [0, h - 2 * ho],
        [0, w - 2 * wo],
        [0, 0],
      ]);
}

/*
 * The two linear maps of one pooling decision (a mask M): select(t) = Σ_window M ⊙ t and its adjoint
 * route(v) = M ⊙ v spread back over the window. Each one's gradient is the other, so every order works.
 */
interface PoolFamily {
  select: (t: tf.Tensor4D) => tf.Tensor4D;
  route: (v: tf.Tensor4D) => tf.Tensor4D;
}

function poolFamily(mask: tf.Tensor5D, h: number, w: number): PoolFamily {
  const fam: PoolFamily = {
    select: (t) =>
      customOp1<tf.Tensor4D, tf.Tensor4D>(
        (tt) => tf.sum(tf.mul(windows2x2(tt), mask), -1),
        (dv, _t, [m]) => poolFamily(m as tf.Tensor5D, h, w).route(dv),
        [mask],
      )(t),
    route: (v) =>
      customOp1<tf.Tensor4D, tf.Tensor4D>(
        (vv) => unwindows2x2(tf.mul(tf.expandDims(vv, -1), mask) as tf.Tensor5D, h, w),
        (dt, _v, [m]) => poolFamily(m as tf.Tensor5D, h, w).select(dt),
        [mask],
      )(v),
  };
  return fam;
}

function requirePoolInput(x: tf.Tensor4D, argument: string): void {
  requireRank(x, 4, argument, 'B×H×W×C (rank 4, NHWC)');
  requireFloat(x, argument);
  if (x.shape[1] < 2 || x.shape[2] < 2) throw new ShapeMismatchError(argument, 'H ≥ 2 and W ≥ 2', shapeText(x.shape));
}

const maskOf = untaped<tf.Tensor4D, tf.Tensor5D>((x) => oneHotFloat(tf.argMax(windows2x2(x), -1), 4) as tf.Tensor5D);

/**
 * Which entry of each 2×2 window is the maximum: a one-hot mask M of shape [B, ⌊H/2⌋, ⌊W/2⌋, C, 4] (window
 * order (0,0), (0,1), (1,0), (1,1); the first maximum wins a tie, as in tfjs's maxPool gradient). A
 * constant: its gradient is zero (the argmax is piecewise constant).
 *
 * @remarks Use it with {@link selectPool2x2} to push a tangent through the same pooling decision as the
 * value (the forward-mode pass of Δ-STN, docs/math.md#s3-4): ȧ_out = Σ_window M ⊙ ȧ.
 * @throws ShapeMismatchError if `x` is not rank 4 with H, W ≥ 2.
 */
export function maxPool2x2Mask(x: tf.Tensor4D): tf.Tensor5D {
  requirePoolInput(x, 'x');
  return maskOf(x);
}

/**
 * Σ over each 2×2 window of `mask` ⊙ `t`: the pooling decision `mask` (from {@link maxPool2x2Mask}) applied
 * to `t`, which has the shape the mask was computed from. Linear in `t`, differentiable to any order.
 * `selectPool2x2(x, maxPool2x2Mask(x))` equals `maxPool2x2(x)`.
 *
 * @throws ShapeMismatchError if `mask` does not fit `t`.
 */
export function selectPool2x2(t: tf.Tensor4D, mask: tf.Tensor5D): tf.Tensor4D {
  requirePoolInput(t, 't');
  const [b, h, w, c] = t.shape;
  const expected = [b, Math.floor(h / 2), Math.floor(w / 2), c, 4];
  if (mask.rank !== 5 || mask.shape.some((n, i) => n !== expected[i])) throw new ShapeMismatchError('mask', shapeText(expected), shapeText(mask.shape));
  return poolFamily(mask, h, w).select(t);
}

/**
 * 2×2 max pooling with stride 2 ('valid': an odd last row/column is dropped), differentiable to any
 * order (tfjs's `maxPool` has no second derivative: `MaxPoolGrad` has no gradient).
 *
 * @remarks
 * `x` is [B, H, W, C]; the result is [B, ⌊H/2⌋, ⌊W/2⌋, C], y = max over each window. The gradient routes ȳ
 * to the first maximal entry of each window (as tfjs's own maxPool gradient does), via the mask of
 * {@link maxPool2x2Mask}; the mask is a constant, so the second derivative is the routing of the routing.
 * @throws ShapeMismatchError if `x` is not rank 4 with H, W ≥ 2.
 */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  requirePoolInput(x, 'x');
  const [, h, w] = x.shape;
  return customOp1<tf.Tensor4D, tf.Tensor4D>(
    (xx) => tf.maxPool(xx, 2, 2, 'valid'),
    (dy, xx) => poolFamily(maskOf(xx), h, w).route(dy),
  )(x);
}

// ---------------------------------------------------------------------------------------------------------
// Cross-entropy
// ---------------------------------------------------------------------------------------------------------

/** log softmax along axis 1, stable: z − c − log Σ exp(z − c) with c the row max (the value is invariant to c). */
function rawLogSoftmax(z: tf.Tensor2D): tf.Tensor2D {
  const shifted = tf.sub(z, tf.max(z, 1, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true)));
}

/*
 * softmax and log softmax as custom ops whose gradients RECOMPUTE softmax from the input z. tfjs's own
 * gradients of exp / softmax / logSoftmax multiply by the op's saved OUTPUT, which is not connected to z
 * on an enclosing gradient tape, so tf.grad of such a gradient w.r.t. z silently drops terms (the
 * Hessian-vector product of log Σ exp z comes out wrong, without an error). Here
 *   ∂ log softmax:  z̄ = ȳ − s · Σ_j ȳ_j,      ∂ softmax:  z̄ = s ⊙ (ȳ − Σ_j s_j ȳ_j),   s = softmax(z),
 * each again made of these ops, so every order is exact.
 */
const softmaxOp: (z: tf.Tensor2D) => tf.Tensor2D = customOp1<tf.Tensor2D, tf.Tensor2D>(
  (z) => tf.exp(rawLogSoftmax(z)),
  (dy, z) => {
    const sm = softmaxOp(z);
    return tf.mul(sm, tf.sub(dy, tf.sum(tf.mul(sm, dy), 1, true)));
  },
);

const logSoftmaxOp: (z: tf.Tensor2D) => tf.Tensor2D = customOp1<tf.Tensor2D, tf.Tensor2D>(
  (z) => rawLogSoftmax(z),
  (dy, z) => tf.sub(dy, tf.mul(softmaxOp(z), tf.sum(dy, 1, true))),
);

function requireLogits(logits: tf.Tensor2D): void {
  requireRank(logits, 2, 'logits', 'N×K (rank 2)');
  requireFloat(logits, 'logits');
}

/**
 * log softmax along the last axis, numerically stable and differentiable to any order.
 *
 * @remarks
 * `logits` is Z (N×K): log p_{nk} = z_{nk} − c_n − log Σ_j exp(z_{nj} − c_n) with c_n = max_j z_{nj} (no
 * overflow for any finite logits). The gradient is ȳ − softmax(z)·Σ_k ȳ_k, with softmax recomputed from
 * z, so gradients of gradients are exact (tfjs's `logSoftmax` builds its gradient from its saved output,
 * and its second derivative fails).
 * @throws ShapeMismatchError if `logits` is not rank 2.
 */
export function logSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  requireLogits(logits);
  return logSoftmaxOp(logits);
}

/**
 * softmax along the last axis, numerically stable (exp of {@link logSoftmax}) and differentiable to any
 * order: z̄ = s ⊙ (ȳ − ⟨s, ȳ⟩) with s recomputed from z.
 * @throws ShapeMismatchError if `logits` is not rank 2.
 */
export function softmax(logits: tf.Tensor2D): tf.Tensor2D {
  requireLogits(logits);
  return softmaxOp(logits);
}

/**
 * `tf.oneHot(indices, depth)` as float32 0/1. (On wasm, `tf.oneHot(…, 'float32')` is wrong in tfjs 4.22:
 * the kernel writes int32 bit patterns into the float32 buffer, so 1 reads as 1.4e-45. Cast instead.)
 */
export function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(indices as tf.Tensor1D, depth), 'float32');
}

/** Options of {@link oneHotCrossEntropy}. */
export interface CrossEntropyOptions {
  /**
   * The caller has checked that every label is in [0, K) (a dataset checks its labels when it is made), so
   * the labels are not read back: needed on backends that cannot read synchronously (WebGPU in Node).
   */
  labelsChecked?: boolean;
}

/**
 * Softmax cross-entropy with integer labels, without `tf.gather` (whose gradient wasm lacks).
 *
 * @remarks
 * `logits` is Z (N×K), `labels` is y ∈ {0, …, K−1}^N (int32). Per example
 * $$\ell_n = -\log \mathrm{softmax}(z_n)_{y_n} = \log\sum_j e^{z_{nj}} - z_{n y_n},$$
 * computed with {@link logSoftmax} and a one-hot mask (`tf.oneHot`), so the gradient is
 * (softmax(z_n) − e_{y_n}) and every higher derivative exists. `reduction`: `'mean'` (default) returns
 * (1/N) Σ_n ℓ_n as a scalar, `'none'` the N losses.
 *
 * @throws ShapeMismatchError if `logits` is not N×K or `labels` is not a length-N vector.
 * @throws InvalidArgumentError if `labels` is not int32 or a label is outside [0, K).
 */
export function oneHotCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, reduction?: 'mean', options?: CrossEntropyOptions): tf.Scalar;
export function oneHotCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, reduction: 'none', options?: CrossEntropyOptions): tf.Tensor1D;
export function oneHotCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, reduction: 'mean' | 'none' = 'mean', options: CrossEntropyOptions = {}): tf.Scalar | tf.Tensor1D {
  requireLogits(logits);
  requireRank(labels, 1, 'labels', `a vector of length ${logits.shape[0]}`);
  if (labels.dtype !== 'int32') throw new InvalidArgumentError('labels', 'an int32 tensor', labels.dtype);
  const [n, k] = logits.shape;
  if (labels.shape[0] !== n) throw new ShapeMismatchError('labels', `${n} (rows of logits)`, shapeText(labels.shape));
  if (reduction !== 'mean' && reduction !== 'none') throw new InvalidArgumentError('reduction', "'mean' or 'none'", reduction);
  // A label outside [0, K) would one-hot to a zero row and give a silently wrong loss; N ints are cheap to read
  // (but not on WebGPU, which cannot read synchronously: there the caller vouches for them).
  if (!options.labelsChecked) {
    const values = labels.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v >= 0 && v < k)) throw new InvalidArgumentError(`labels[${i}]`, `an integer in [0, ${k})`, v);
    }
  }
  return tf.tidy(() => {
    const picked = tf.sum(tf.mul(logSoftmaxOp(logits), oneHotFloat(labels, k)), 1);
    return reduction === 'mean' ? tf.neg(tf.mean(picked)) : tf.neg(picked);
  }) as tf.Scalar | tf.Tensor1D;
}

const tanhOp: (x: tf.Tensor) => tf.Tensor = customOp1<tf.Tensor, tf.Tensor>(
  (x) => tf.tanh(x),
  (dy, x) => tf.mul(dy, tf.sub(1, tf.square(tanhOp(x)))),
);

/**
 * tanh, differentiable to any order: the gradient ȳ ⊙ (1 − tanh²(x)) recomputes tanh from x (tfjs's `tanh`
 * multiplies by its saved output, and its second derivative fails; see the table at the top of this module).
 */
export function tanh(x: tf.Tensor): tf.Tensor {
  requireFloat(x, 'x');
  return tanhOp(x);
}
