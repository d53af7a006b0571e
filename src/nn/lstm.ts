/**
 * An LSTM layer with the STN general/response split on its input and recurrent weights (the STN reference's
 * `HyperLSTMCell`, MacKay et al. 2019, rewritten: docs/math.md#s2-1), and its forward-mode tangent pass through
 * the recurrence (docs/math.md#s3-3, #s8-1).
 *
 * @remarks
 * With x_t ∈ ℝ^{B×in} the inputs at time t, (h_{t−1}, c_{t−1}) ∈ ℝ^{B×H} the state and h_net ∈ ℝ^{B×h} one
 * hypernetwork row per sequence (the same at every t),
 *
 * $$z_t = \mathrm{D}_x(x_t; h_\text{net}) + \mathrm{D}_h(h_{t-1}; h_\text{net}, M) \in \mathbb R^{B\times 4H},\qquad [z^i, z^f, z^g, z^o] = z_t,$$
 * $$i = \sigma(z^i),\ f = \sigma(z^f),\ g = \tanh(z^g),\ o = \sigma(z^o),\qquad c_t = f\odot c_{t-1} + i\odot g,\qquad h_t = o\odot\tanh(c_t),$$
 *
 * where D_x (`inputLayer`, in → 4H) and D_h (`recurrentLayer`, H → 4H) are {@link StnDense} layers: D(x) =
 * x W_gen + b_gen + (h_net U_w) ⊙ (x W_resp) + (h_net U_b) ⊙ b_resp (src/nn/layers.ts), so each sequence's gate
 * weights are W_gen + W_resp diag(U_wᵀ h_i). M is a DropConnect mask on the hidden-to-hidden weights (H × 4H, one
 * per minibatch), applied to W_gen and W_resp alike (the reference's `WeightDrop`/`mask_weights`). The gate order
 * [i, f, g, o] is ours [R] (the reference orders [f, i, o, g]; the order is a relabelling of W's columns).
 * Initialisation [R]: every weight and bias U(±1/√H) (PyTorch's LSTM and the reference's `HyperLinear`), the
 * bottlenecks U_w, U_b at 0 (C1), so Θ = 0 at the start.
 *
 * **Truncated BPTT.** {@link StnLstm.apply} runs T steps from a given state (zeros when none); the caller carries
 * the final state to the next window as a constant, so gradients flow through at most T steps.
 *
 * **Tangent.** At h_net = 0 in the direction h_net = ε (`direction`, one row per sequence) with input tangent ẋ_t:
 * ż_t = Ḋ_x + Ḋ_h with Ḋ_h = ḣ_{t−1} W_gen ⊙ M + (ε U_w) ⊙ (h_{t−1}(W_resp ⊙ M)) + (ε U_b) ⊙ b_resp (StnDense's
 * tangent), then
 *
 * $$\dot i = i(1-i)\dot z^i,\ \dot f = f(1-f)\dot z^f,\ \dot g = (1-g^2)\dot z^g,\ \dot o = o(1-o)\dot z^o,$$
 * $$\dot c_t = \dot f\odot c_{t-1} + f\odot\dot c_{t-1} + \dot i\odot g + i\odot\dot g,\qquad \dot h_t = \dot o\odot\tanh c_t + o\odot(1-\tanh^2 c_t)\odot\dot c_t,$$
 *
 * from ḣ_0 = ċ_0 = 0 (the carried state is a constant). This is J_w h · Θε through the whole window in one
 * forward-like pass (test/nn/lstm.test.ts checks it against a double-backward JVP and a float64 central
 * difference). σ is computed as ½(1 + tanh(z/2)) with src/nn/ops.ts `tanh`, so every op here is differentiable
 * to any order on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { Rng } from '../rng.js';
import { StnDense, type StnLayer, type StnParameters, type TangentOptions } from './layers.js';
import { tanh } from './ops.js';

/** The recurrent state (h, c), each [B, H]. */
export type LstmState = {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
};

/** Options of {@link StnLstm}. */
export interface StnLstmOptions {
  /** h, the number of hyperparameters the hypernetwork sees (≥ 1). */
  hyperDim: number;
  /** Seeded generator for the initial weights. */
  rng: Rng;
  name?: string;
}

/** σ(z) = ½(1 + tanh(z/2)): differentiable to any order (tfjs's sigmoid gradient is not: src/nn/ops.ts). */
export function sigmoid(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.add(tanh(tf.mul(z, 0.5)), 1), 0.5));
}

function uniformInit(v: tf.Variable, bound: number, rng: Rng): void {
  const data = Float32Array.from({ length: v.size }, () => (2 * rng.uniform() - 1) * bound);
  tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
}

/** The LSTM layer of the module remarks. Inputs and outputs are time-major: row t·B + b is sequence b at time t. */
export class StnLstm {
  readonly name: string;
  readonly inputs: number;
  readonly hidden: number;
  readonly hyperDim: number;
  /** D_x: in → 4H (gates [i, f, g, o]). */
  readonly inputLayer: StnDense;
  /** D_h: H → 4H, the hidden-to-hidden weights that DropConnect masks. */
  readonly recurrentLayer: StnDense;

  constructor(inputs: number, hidden: number, options: StnLstmOptions) {
    if (!Number.isInteger(inputs) || inputs < 1) throw new InvalidArgumentError('inputs', 'an integer ≥ 1', inputs);
    if (!Number.isInteger(hidden) || hidden < 1) throw new InvalidArgumentError('hidden', 'an integer ≥ 1', hidden);
    this.name = options.name ?? `lstm${inputs}x${hidden}`;
    this.inputs = inputs;
    this.hidden = hidden;
    this.hyperDim = options.hyperDim;
    this.inputLayer = new StnDense(inputs, 4 * hidden, { hyperDim: options.hyperDim, rng: options.rng, name: `${this.name}/input` });
    this.recurrentLayer = new StnDense(hidden, 4 * hidden, { hyperDim: options.hyperDim, rng: options.rng, name: `${this.name}/recurrent` });
    const bound = 1 / Math.sqrt(hidden);
    for (const l of [this.inputLayer, this.recurrentLayer]) for (const v of [l.weight, l.bias, l.responseWeight, l.responseBias]) uniformInit(v, bound, options.rng);
  }

  /** General (W_gen, b_gen of D_x then D_h) and response parameters. */
  parameters(): StnParameters {
    const a = this.inputLayer.parameters();
    const b = this.recurrentLayer.parameters();
    return { general: [...a.general, ...b.general], response: [...a.response, ...b.response] };
  }

  /** The two STN dense layers (for weight decay: {@link StnLayer.kernelNormSquared}). */
  layers(): StnLayer[] {
    return [this.inputLayer, this.recurrentLayer];
  }

  /** A zero state for B sequences. */
  zeroState(batch: number): LstmState {
    return { h: tf.zeros([batch, this.hidden]), c: tf.zeros([batch, this.hidden]) };
  }

  private check(x: tf.Tensor, steps: number, rows: tf.Tensor2D | null, what: string, state: LstmState | null): number {
    if (x.rank !== 2 || x.shape[1] !== this.inputs) throw new ShapeMismatchError('x', `[T·B, ${this.inputs}]`, JSON.stringify(x.shape));
    if (!Number.isInteger(steps) || steps < 1 || x.shape[0] % steps !== 0) throw new InvalidArgumentError('steps', `a divisor ≥ 1 of x's ${x.shape[0]} rows`, steps);
    const batch = x.shape[0] / steps;
    if (rows && (rows.rank !== 2 || rows.shape[0] !== batch || rows.shape[1] !== this.hyperDim)) throw new ShapeMismatchError(what, `[${batch}, ${this.hyperDim}] (one row per sequence)`, JSON.stringify(rows.shape));
    if (state && (state.h.shape[0] !== batch || state.h.shape[1] !== this.hidden || state.c.shape[0] !== batch || state.c.shape[1] !== this.hidden)) {
      throw new ShapeMismatchError('state', `h and c of shape [${batch}, ${this.hidden}]`, `${JSON.stringify(state.h.shape)}, ${JSON.stringify(state.c.shape)}`);
    }
    return batch;
  }

  /**
   * Runs `steps` time steps on x ([T·B, in], time-major) from `state` (null: zeros) with one hypernetwork row per
   * sequence (`hnet` [B, h]; null: the general weights w0) and an optional DropConnect mask on D_h's weights
   * ([H, 4H]). Returns the outputs h_1 … h_T ([T·B, H], time-major) and the final state; all new tensors, owned by
   * the caller (the given state is not disposed).
   */
  apply(x: tf.Tensor2D, steps: number, hnet: tf.Tensor2D | null, state: LstmState | null = null, recurrentMask: tf.Tensor | null = null): { output: tf.Tensor2D; state: LstmState } {
    const batch = this.check(x, steps, hnet, 'hnet', state);
    return tf.tidy(() => {
      const zx = tf.split(this.inputLayer.apply(x, hnet ? (tf.tile(hnet, [steps, 1]) as tf.Tensor2D) : null), steps, 0);
      let h: tf.Tensor = state ? state.h : tf.zeros([batch, this.hidden]);
      let c: tf.Tensor = state ? state.c : tf.zeros([batch, this.hidden]);
      const outs: tf.Tensor[] = [];
      for (let t = 0; t < steps; t++) {
        const z = tf.add(zx[t], this.recurrentLayer.apply(h, hnet, recurrentMask));
        const [zi, zf, zg, zo] = tf.split(z, 4, 1);
        c = tf.add(tf.mul(sigmoid(zf), c), tf.mul(sigmoid(zi), tanh(zg)));
        h = tf.mul(sigmoid(zo), tanh(c));
        outs.push(h);
      }
      return { output: tf.concat(outs, 0) as tf.Tensor2D, state: { h: h as tf.Tensor2D, c: c as tf.Tensor2D } };
    });
  }

  /**
   * The tangent pass of the module remarks: (outputs, their tangent, final state) at h_net = 0 in the direction
   * `direction` ([B, h], one row per sequence), for the input tangent `dx` ([T·B, in]; null = 0). The outputs and
   * state equal {@link apply} with hnet = null. `options.responseOnly`: gradients will be taken w.r.t. the response
   * parameters only (src/nn/layers.ts TangentOptions).
   */
  tangent(x: tf.Tensor2D, dx: tf.Tensor2D | null, steps: number, direction: tf.Tensor2D, state: LstmState | null = null, recurrentMask: tf.Tensor | null = null, options: TangentOptions = {}): { output: tf.Tensor2D; tangent: tf.Tensor2D; state: LstmState } {
    const batch = this.check(x, steps, direction, 'direction', state);
    if (dx && (dx.rank !== 2 || dx.shape[0] !== x.shape[0] || dx.shape[1] !== this.inputs)) throw new ShapeMismatchError('dx', JSON.stringify(x.shape), JSON.stringify(dx.shape));
    return tf.tidy(() => {
      const [zx0, dzx0] = this.inputLayer.tangent(x, dx, tf.tile(direction, [steps, 1]) as tf.Tensor2D, null, options);
      const zx = tf.split(zx0, steps, 0);
      const dzx = tf.split(dzx0, steps, 0);
      let h: tf.Tensor = state ? state.h : tf.zeros([batch, this.hidden]);
      let c: tf.Tensor = state ? state.c : tf.zeros([batch, this.hidden]);
      let dh: tf.Tensor | null = null;
      let dc: tf.Tensor | null = null;
      const outs: tf.Tensor[] = [];
      const douts: tf.Tensor[] = [];
      for (let t = 0; t < steps; t++) {
        const [zh, dzh] = this.recurrentLayer.tangent(h, dh, direction, recurrentMask, options);
        const [zi, zf, zg, zo] = tf.split(tf.add(zx[t], zh), 4, 1);
        const [dzi, dzf, dzg, dzo] = tf.split(tf.add(dzx[t], dzh), 4, 1);
        const [i, f, g, o] = [sigmoid(zi), sigmoid(zf), tanh(zg), sigmoid(zo)];
        const di = tf.mul(tf.mul(i, tf.sub(1, i)), dzi);
        const df = tf.mul(tf.mul(f, tf.sub(1, f)), dzf);
        const dg = tf.mul(tf.sub(1, tf.square(g)), dzg);
        const dOut = tf.mul(tf.mul(o, tf.sub(1, o)), dzo);
        const cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
        let dcNew = tf.add(tf.mul(df, c), tf.add(tf.mul(di, g), tf.mul(i, dg)));
        if (dc) dcNew = tf.add(dcNew, tf.mul(f, dc));
        const tc = tanh(cNew);
        h = tf.mul(o, tc);
        dh = tf.add(tf.mul(dOut, tc), tf.mul(tf.mul(o, tf.sub(1, tf.square(tc))), dcNew));
        c = cNew;
        dc = dcNew;
        outs.push(h);
        douts.push(dh);
      }
      return { output: tf.concat(outs, 0) as tf.Tensor2D, tangent: tf.concat(douts, 0) as tf.Tensor2D, state: { h: h as tf.Tensor2D, c: c as tf.Tensor2D } };
    });
  }
}
