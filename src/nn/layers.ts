/**
 * STN layers with the general/response split (docs/math.md#s2-1, #s3-1), and their forward-mode tangent pass (spec
 * docs/math.md#s3-3, docs/math.md#s8-1).
 *
 * A dense layer maps x ∈ ℝ^{B×in} with a hypernetwork input h_net ∈ ℝ^{B×h} (one row per example) to
 *
 * $$y = x W_\text{gen} + b_\text{gen} + (h_\text{net} U_w) \odot (x W_\text{resp}) + (h_\text{net} U_b) \odot b_\text{resp},$$
 *
 * which is x Ŵ_i + b̂_i with the per-example weights Ŵ_i = W_gen + W_resp diag(U_wᵀ h_i) (each output unit's
 * column scaled) and b̂_i = b_gen + (U_bᵀ h_i) ⊙ b_resp — the structured response of docs/math.md#s3-1, computed
 * without materialising B weight matrices. Weights are stored in×out (tfjs convention; the spec writes out×in).
 * `general` = {W_gen, b_gen} = w0; `response` = {W_resp, b_resp, U_w, U_b} determine Θ; U starts at exactly 0
 * (C1), so Θ = 0 at the start.
 *
 * The tangent pass propagates (value, tangent) together at h_net = 0 in the direction h_net = ε:
 * ẏ = ẋ W_gen + (ε U_w) ⊙ (x W_resp) + (ε U_b) ⊙ b_resp, which is J_w f · Θε for the whole network when
 * chained through the activations' masks (the linearized response of docs/math.md#s3-3), at the cost of one extra
 * forward-like pass instead of the reference's double backward. Convolutions are the same with per-output-
 * channel scaling.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import { conv2d as convOp, matMul, maxPool2x2 as opsMaxPool2x2, maxPool2x2Mask, selectPool2x2 } from './ops.js';

/**
 * Kaiming-uniform initialisation for ReLU networks, U(±√(6/fan_in)) (gain √2 times the uniform's √3/√fan_in),
 * from the seeded generator (C1 uses Kaiming-uniform weights).
 */
function kaimingUniform(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  const bound = Math.sqrt(6 / fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (2 * rng.uniform() - 1) * bound;
  return tf.tensor(data, shape);
}

/** Uniform U(±1/√fan_in) for biases (PyTorch's default). */
function biasUniform(size: number, fanIn: number, rng: Rng): tf.Tensor1D {
  const bound = 1 / Math.sqrt(fanIn);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (2 * rng.uniform() - 1) * bound;
  return tf.tensor1d(data);
}

/** The parameters of an STN layer, split as the method needs them. */
export interface StnParameters {
  general: tf.Variable[];
  response: tf.Variable[];
  /**
   * State that no optimizer moves and no gradient reaches (BatchNorm's running statistics): carried by snapshots
   * and checkpoints after the general and response variables, so a resumed run is exact. Absent: none.
   */
  buffers?: tf.Variable[];
}

/** Common shape of the two STN layers. */
export interface StnLayer {
  readonly name: string;
  readonly hyperDim: number;
  parameters(): StnParameters;
  /** y for inputs x and per-example hypernetwork inputs h_net ([B, h]; null means h_net = 0: the general weights). */
  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, weightMask?: tf.Tensor | null): tf.Tensor;
  /** (y, ẏ) at h_net = 0 for the input tangent ẋ (null = 0) and the direction ε ([B, h]). */
  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, weightMask?: tf.Tensor | null, options?: TangentOptions): [tf.Tensor, tf.Tensor];
  /** ‖Ŵ_i‖² of the per-example kernel at h_net (see `StnLayerParameters.kernelNormSquared`). */
  kernelNormSquared(hnet: tf.Tensor2D | null): tf.Tensor;
}

/** Options of the tangent pass. */
export interface TangentOptions {
  /**
   * Gradients will be taken w.r.t. the RESPONSE parameters only (Δ-STN's linearized response step): the
   * primal input x and the general weights are then constants of the tangent, so the products that would
   * carry their gradients (x̄ in x·W_resp, W̄_gen in ẋ·W_gen) are not computed — 2 of the step's 10 GEMMs per
   * hidden layer, which brings the step to its matmul floor of ≈ 1.3× STN (bench/nn-floor.ts and the README's Benchmarks section).
   * The values, and the gradients w.r.t. the response parameters, are unchanged; gradients w.r.t. anything
   * else come out zero (test/nn/layers.test.ts checks both).
   */
  responseOnly?: boolean;
}

/** Options shared by the layers. */
export interface StnLayerOptions {
  /** h, the number of hyperparameters the hypernetwork sees (≥ 1). */
  hyperDim: number;
  /** Seeded generator for the initial weights. */
  rng: Rng;
  name?: string;
  /**
   * The layer's input is data (the network's first layer): its gradient is never needed, so the products
   * with x skip it (src/nn/ops.ts `aIsConstant` / `inputIsConstant`: one matrix product or convolution
   * fewer per step). Never set it on a layer whose input depends on a trained variable.
   */
  inputIsData?: boolean;
}

/*
 * FIX (tests): tfjs registers variables by name in one global registry and throws "Variable with name fc1/weight
 * was already registered" when a second model with the same layer names is built while the first is alive
 * (a resumed trainer next to the original, two runs in one process). Each layer instance therefore gets a
 * unique variable prefix `<name>#<n>`; `name` itself is unchanged.
 */
let layerInstances = 0;
function variablePrefix(name: string): string {
  layerInstances++;
  return `${name}#${layerInstances}`;
}

/*
 * FIX (tests): `tf.variable(t)` shares t's buffer but leaves t registered, so every layer leaked its six
 * initial tensors (tf.memory().numTensors grew by 6 per layer on each build/dispose cycle). The initial
 * value is disposed once the variable holds a reference to its buffer.
 */
function makeVariable(initial: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}

function checkHyperDim(h: number): void {
  if (!Number.isInteger(h) || h < 1) throw new InvalidArgumentError('hyperDim', 'an integer ≥ 1', h);
}

/**
 * The six variables every STN layer holds, created in one order from the seeded generator: the general
 * weight and bias (w0), the response weight and bias, and the bottleneck U_w, U_b (h×out), initialised to 0.
 */
abstract class StnLayerParameters {
  readonly name: string;
  readonly hyperDim: number;
  /** W_gen and b_gen (out). */
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  /** W_resp, b_resp (out), and the bottleneck U_w, U_b (h×out). */
  readonly responseWeight: tf.Variable;
  readonly responseBias: tf.Variable;
  readonly bottleneckWeight: tf.Variable;
  readonly bottleneckBias: tf.Variable;
  protected readonly inputIsData: boolean;

  protected constructor(name: string, weightShape: number[], outputs: number, fanIn: number, options: StnLayerOptions) {
    checkHyperDim(options.hyperDim);
    this.name = name;
    this.hyperDim = options.hyperDim;
    this.inputIsData = options.inputIsData ?? false;
    const { rng } = options;
    const prefix = variablePrefix(name);
    this.weight = makeVariable(kaimingUniform(weightShape, fanIn, rng), `${prefix}/weight`);
    this.bias = makeVariable(biasUniform(outputs, fanIn, rng), `${prefix}/bias`);
    this.responseWeight = makeVariable(kaimingUniform(weightShape, fanIn, rng), `${prefix}/responseWeight`);
    this.responseBias = makeVariable(biasUniform(outputs, fanIn, rng), `${prefix}/responseBias`);
    this.bottleneckWeight = makeVariable(tf.zeros([options.hyperDim, outputs]), `${prefix}/bottleneckWeight`);
    this.bottleneckBias = makeVariable(tf.zeros([options.hyperDim, outputs]), `${prefix}/bottleneckBias`);
  }

  parameters(): StnParameters {
    return { general: [this.weight, this.bias], response: [this.responseWeight, this.responseBias, this.bottleneckWeight, this.bottleneckBias] };
  }

  /**
   * The squared Frobenius norm of each example's kernel Ŵ_i = W_gen + W_resp diag(U_wᵀ h_i) (each output unit's
   * slice of W_resp scaled by s_ij = (h_i U_w)_j; biases excluded, as weight decay usually is):
   *
   * $$\lVert \hat W_i \rVert^2 = \lVert W_\text{gen} \rVert^2 + 2 \sum_j s_{ij} \langle W_\text{gen}^{(j)}, W_\text{resp}^{(j)} \rangle + \sum_j s_{ij}^2 \lVert W_\text{resp}^{(j)} \rVert^2,$$
   *
   * with W^{(j)} the weights of output unit (or channel) j. Returns [B] for `hnet` [B, h], or the scalar
   * ‖W_gen‖² for `hnet` = null (the general weights w0). The per-unit sums make it O(|W| + B·out), never B kernels.
   * Differentiable in every variable and in h. DropConnect masks are not applied: decay acts on the parameters.
   */
  kernelNormSquared(hnet: tf.Tensor2D | null): tf.Tensor {
    return tf.tidy(() => {
      const g = tf.sum(tf.square(this.weight));
      if (!hnet) return g;
      const axes = this.weight.shape.slice(0, -1).map((_, k) => k);
      const cross = tf.sum(tf.mul(this.weight, this.responseWeight), axes); // ⟨W_gen^(j), W_resp^(j)⟩, [out]
      const resp = tf.sum(tf.square(this.responseWeight), axes); // ‖W_resp^(j)‖², [out]
      const s = matMul(hnet, this.bottleneckWeight as tf.Tensor2D); // [B, out]
      return tf.add(g, tf.sum(tf.add(tf.mul(tf.mul(s, cross), 2), tf.mul(tf.square(s), resp)), 1));
    });
  }
}

/** A dense STN layer (docs/math.md#s2-1 `StnLinear`): see the module remarks. Weights are in×out. */
export class StnDense extends StnLayerParameters implements StnLayer {
  readonly inputs: number;
  readonly outputs: number;

  constructor(inputs: number, outputs: number, options: StnLayerOptions) {
    if (!Number.isInteger(inputs) || inputs < 1) throw new InvalidArgumentError('inputs', 'an integer ≥ 1', inputs);
    if (!Number.isInteger(outputs) || outputs < 1) throw new InvalidArgumentError('outputs', 'an integer ≥ 1', outputs);
    super(options.name ?? `dense${inputs}x${outputs}`, [inputs, outputs], outputs, inputs, options);
    this.inputs = inputs;
    this.outputs = outputs;
  }

  /**
   * `weightMask` is a DropConnect mask (in×out, one per minibatch: src/nn/regularizers.ts `dropConnectMask`)
   * applied to both W_gen and W_resp, as C2's LSTM applies it to both the elementary and the hyper weights.
   */
  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, weightMask: tf.Tensor | null = null): tf.Tensor {
    return tf.tidy(() => {
      const x2 = x as tf.Tensor2D;
      const y = tf.add(matMul(x2, this.masked(this.weight, weightMask), { aIsConstant: this.inputIsData }), this.bias);
      if (!hnet) return y;
      return tf.add(y, this.responseTerm(x2, hnet, weightMask));
    });
  }

  /** W ⊙ M (or W when there is no mask). */
  private masked(w: tf.Variable, mask: tf.Tensor | null): tf.Tensor2D {
    if (!mask) return w as tf.Tensor2D;
    if (mask.shape.length !== 2 || mask.shape[0] !== this.inputs || mask.shape[1] !== this.outputs) {
      throw new InvalidArgumentError('weightMask', `a ${this.inputs}×${this.outputs} DropConnect mask`, JSON.stringify(mask.shape));
    }
    return tf.mul(w, mask) as tf.Tensor2D;
  }

  /**
   * (h U_w) ⊙ (x W_resp) + (h U_b) ⊙ b_resp. `responseOnly` (a response-only tangent): x and h are constants.
   * Otherwise h is not (the hypergradient is ∂L/∂h_net), and x is only when it is data.
   */
  private responseTerm(x: tf.Tensor2D, h: tf.Tensor2D, weightMask: tf.Tensor | null, responseOnly = false): tf.Tensor {
    const xConstant = this.inputIsData || responseOnly;
    const sw = matMul(h, this.bottleneckWeight as tf.Tensor2D, { aIsConstant: responseOnly });
    const sb = matMul(h, this.bottleneckBias as tf.Tensor2D, { aIsConstant: responseOnly });
    return tf.add(tf.mul(sw, matMul(x, this.masked(this.responseWeight, weightMask), { aIsConstant: xConstant })), tf.mul(sb, this.responseBias));
  }

  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, weightMask: tf.Tensor | null = null, options: TangentOptions = {}): [tf.Tensor, tf.Tensor] {
    const only = options.responseOnly === true;
    const y = this.apply(x, null, weightMask);
    const dy = tf.tidy(() => {
      const resp = this.responseTerm(x as tf.Tensor2D, direction, weightMask, only);
      return dx ? tf.add(matMul(dx as tf.Tensor2D, this.masked(this.weight, weightMask), { bIsConstant: only }), resp) : resp;
    });
    return [y, dy];
  }
}

/** Options of {@link StnConv2d}. */
export interface StnConvOptions extends StnLayerOptions {
  /** Stride (default 1) and padding: 'same', 'valid' or a number of pixels on each side (default 'same'). */
  stride?: number;
  pad?: 'same' | 'valid' | number;
}

/** A 2-D convolutional STN layer (docs/math.md#s2-1 `StnConv2d`): NHWC, per-output-channel response scaling. */
export class StnConv2d extends StnLayerParameters implements StnLayer {
  readonly stride: number;
  readonly pad: 'same' | 'valid' | number;

  /** Filters kh×kw×in×out (general and response), biases (out), bottleneck U_w, U_b (h×out). */
  constructor(inChannels: number, outChannels: number, kernel: number, options: StnConvOptions) {
    for (const [v, n] of [
      [inChannels, 'inChannels'],
      [outChannels, 'outChannels'],
      [kernel, 'kernel'],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(n, 'an integer ≥ 1', v);
    }
    super(options.name ?? `conv${inChannels}x${outChannels}k${kernel}`, [kernel, kernel, inChannels, outChannels], outChannels, inChannels * kernel * kernel, options);
    this.stride = options.stride ?? 1;
    this.pad = options.pad ?? 'same';
  }

  /**
   * conv(t, filter); `tIsInput` marks t as this layer's input x (data for a first layer), never a tangent;
   * `responseOnly`: a response-only tangent pass (t = x and the general filter are constants there).
   */
  private conv(t: tf.Tensor, filter: tf.Variable, tIsInput: boolean, responseOnly = false): tf.Tensor4D {
    return convOp(t as tf.Tensor4D, filter as tf.Tensor4D, this.stride, this.pad, {
      inputIsConstant: tIsInput && (this.inputIsData || responseOnly),
      filterIsConstant: responseOnly && filter === this.weight,
    });
  }

  /** Per-example, per-channel scales [B, 1, 1, out] from h [B, h] and U [h, out]. */
  private channelScale(h: tf.Tensor2D, u: tf.Variable, hConstant: boolean): tf.Tensor {
    const s = matMul(h, u as tf.Tensor2D, { aIsConstant: hConstant });
    return tf.reshape(s, [s.shape[0], 1, 1, s.shape[1]]);
  }

  private responseTerm(x: tf.Tensor, h: tf.Tensor2D, responseOnly = false): tf.Tensor {
    const sw = this.channelScale(h, this.bottleneckWeight, responseOnly);
    const sb = this.channelScale(h, this.bottleneckBias, responseOnly);
    return tf.add(tf.mul(sw, this.conv(x, this.responseWeight, true, responseOnly)), tf.mul(sb, this.responseBias));
  }

  /** DropConnect is for dense layers: a `weightMask` here is a typed error. */
  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, weightMask: tf.Tensor | null = null): tf.Tensor {
    if (weightMask) throw new InvalidArgumentError('weightMask', 'no DropConnect mask on a convolution (dense layers only)', this.name);
    return tf.tidy(() => {
      const y = tf.add(this.conv(x, this.weight, true), this.bias);
      return hnet ? tf.add(y, this.responseTerm(x, hnet)) : y;
    });
  }

  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, weightMask: tf.Tensor | null = null, options: TangentOptions = {}): [tf.Tensor, tf.Tensor] {
    const only = options.responseOnly === true;
    const y = this.apply(x, null, weightMask);
    const dy = tf.tidy(() => {
      const resp = this.responseTerm(x, direction, only);
      return dx ? tf.add(this.conv(dx, this.weight, false, only), resp) : resp;
    });
    return [y, dy];
  }
}

/**
 * ReLU with its tangent: ẏ = ẋ ⊙ 1[x > 0]. The mask is `tf.step(x)` (1 for x > 0, else 0; NaN stays NaN, so
 * a diverging activation shows in the tangent too), one kernel where cast(greater(x, 0)) took two, and on wasm
 * a fast one (Greater has no SIMD kernel there: 6 ms against 0.5 ms on a SimpleCNN activation, batch 128).
 */
export function reluTangent(x: tf.Tensor, dx: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => [tf.relu(x), tf.mul(dx, tf.step(x))]);
}

/**
 * 2×2 max pooling (stride 2) with its tangent: each window's tangent is the tangent at its arg-max, the first
 * maximum on a tie — the same routing as the value's gradient (src/nn/ops.ts `maxPool2x2Mask`), so primal
 * and tangent follow one pooling decision. Differentiable to any order on every backend.
 */
export function maxPool2x2Tangent(x: tf.Tensor4D, dx: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  // The value through the pooling kernel (the maximum of a window IS its selected entry, and this op's
  // gradient routes by the same mask), the tangent through the mask: one window gather fewer than selecting both.
  return tf.tidy(() => [opsMaxPool2x2(x), selectPool2x2(dx, maxPool2x2Mask(x))]);
}

/** 2×2 max pooling, stride 2 (src/nn/ops.ts: the gradient kernels it needs exist on wasm). */
export const maxPool2x2 = opsMaxPool2x2;
