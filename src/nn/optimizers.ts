/**
 * The optimizers of the reference configuration (docs/math.md#s1-5), written out so that their state is plain data a
 * checkpoint can hold exactly: SGD with momentum for the network's weights (PyTorch's convention
 * buf ← μ·buf + g, p ← p − lr·buf), and RMSprop or Adam for the hyperparameters λ and the scales s (float64
 * arrays, PyTorch's defaults: RMSprop α = 0.99, ε = 1e-8; Adam β = (0.9, 0.999), ε = 1e-8).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

function positive(x: number, name: string): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new InvalidArgumentError(name, 'a finite number > 0', x);
  return x;
}

/** Options of {@link MomentumSgd}. */
export interface MomentumSgdOptions {
  /**
   * β of hypergradient descent on the learning rate (Baydin et al., ICLR 2018): before each step,
   * α ← max(0, α + β⟨g_t, u_{t−1}⟩) with u_{t−1} the previous update direction (the momentum buffer), the
   * descent direction of ∂L(w_t)/∂α_{t−1} = −⟨g_t, u_{t−1}⟩ (src/bilevel/learningRate.ts checks the rule on the
   * small engine). α then lives on the device; read it with {@link MomentumSgd.learningRateTensor}.
   */
  hypergradientBeta?: number;
}

/** SGD with momentum over a fixed list of tf variables; `state()` / `setState()` expose the momentum buffers. */
export class MomentumSgd {
  readonly momentum: number;
  private readonly variables: tf.Variable[];
  private buffers: tf.Tensor[] | null = null;
  private rate: number;
  /** β of hypergradient descent, or null for a fixed (scheduled) learning rate. */
  readonly hypergradientBeta: number | null;
  private rateVariable: tf.Variable | null = null;

  constructor(variables: tf.Variable[], learningRate: number, momentum = 0.9, options: MomentumSgdOptions = {}) {
    this.variables = variables;
    this.rate = positive(learningRate, 'learningRate');
    if (!(momentum >= 0 && momentum < 1)) throw new InvalidArgumentError('momentum', '0 ≤ μ < 1', momentum);
    this.momentum = momentum;
    const beta = options.hypergradientBeta;
    if (beta !== undefined && (!(beta >= 0) || !Number.isFinite(beta))) throw new InvalidArgumentError('hypergradientBeta', 'a finite β ≥ 0', beta);
    this.hypergradientBeta = beta ?? null;
    if (beta !== undefined) this.rateVariable = tf.tidy(() => tf.variable(tf.scalar(this.rate), false));
  }

  /**
   * The learning rate α: the value last set, or (hypergradient descent) last read back with
   * {@link MomentumSgd.syncLearningRate}. Setting it also resets the device copy.
   */
  get learningRate(): number {
    return this.rate;
  }

  set learningRate(value: number) {
    this.rate = positive(value, 'learningRate');
    const rateVariable = this.rateVariable;
    if (rateVariable) tf.tidy(() => rateVariable.assign(tf.scalar(value)));
  }

  /** α on the device under hypergradient descent (null otherwise): for reads at an epoch's end. */
  learningRateTensor(): tf.Tensor | null {
    return this.rateVariable;
  }

  /** Records α as read from {@link learningRateTensor} (the device keeps its own float32 copy). */
  syncLearningRate(value: number): void {
    if (!Number.isFinite(value) || value < 0) throw new InvalidArgumentError('learningRate', 'a finite α ≥ 0 (hypergradient descent diverged)', value);
    this.rate = value;
  }

  /** One step with gradients in the same order as the variables. */
  step(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.variables.length) throw new InvalidArgumentError('grads', `${this.variables.length} gradients`, grads.length);
    const old = this.buffers;
    const rateVariable = this.rateVariable;
    if (rateVariable && old && this.hypergradientBeta !== null) {
      const beta = this.hypergradientBeta;
      tf.tidy(() => {
        const dot = grads.reduce<tf.Tensor>((acc, g, i) => tf.add(acc, tf.sum(tf.mul(g, old[i]))), tf.scalar(0));
        rateVariable.assign(tf.maximum(tf.add(rateVariable, tf.mul(dot, beta)), 0));
      });
    }
    const next = tf.tidy(() => grads.map((g, i) => (old ? tf.add(tf.mul(old[i], this.momentum), g) : tf.clone(g))));
    old?.forEach((t) => t.dispose());
    this.buffers = next;
    tf.tidy(() => {
      this.variables.forEach((v, i) => v.assign(tf.sub(v, tf.mul(next[i], rateVariable ?? this.rate))));
    });
  }

  /** The momentum buffers as tensors, owned by the optimizer (empty before the first step): for asynchronous reads. */
  buffersOrEmpty(): readonly tf.Tensor[] {
    return this.buffers ?? [];
  }

  /** Momentum buffers as float32 arrays (empty before the first step). */
  state(): Float32Array[] {
    return this.buffers ? this.buffers.map((b) => b.dataSync() as Float32Array) : [];
  }

  setState(buffers: readonly Float32Array[]): void {
    this.buffers?.forEach((t) => t.dispose());
    if (buffers.length === 0) {
      this.buffers = null;
      return;
    }
    if (buffers.length !== this.variables.length) throw new InvalidArgumentError('buffers', `${this.variables.length} momentum buffers`, buffers.length);
    this.buffers = buffers.map((b, i) => {
      if (b.length !== this.variables[i].size) throw new InvalidArgumentError(`buffers[${i}]`, `${this.variables[i].size} values`, b.length);
      return tf.tensor(b, this.variables[i].shape);
    });
  }

  dispose(): void {
    this.buffers?.forEach((t) => t.dispose());
    this.buffers = null;
    this.rateVariable?.dispose();
    this.rateVariable = null;
  }
}

/** State of a {@link VectorOptimizer}: plain numbers. */
export interface VectorOptimizerState {
  step: number;
  first: number[];
  second: number[];
}

/** RMSprop or Adam on a float64 vector (λ or s). */
export class VectorOptimizer {
  readonly kind: 'rmsprop' | 'adam';
  learningRate: number;
  private st: VectorOptimizerState;

  constructor(kind: 'rmsprop' | 'adam', size: number, learningRate: number) {
    if (kind !== 'rmsprop' && kind !== 'adam') throw new InvalidArgumentError('optimizer', "'rmsprop' or 'adam'", kind);
    this.kind = kind;
    this.learningRate = positive(learningRate, 'learningRate');
    this.st = { step: 0, first: new Array<number>(size).fill(0), second: new Array<number>(size).fill(0) };
  }

  /** Returns x − update(g). */
  step(x: readonly number[], g: readonly number[]): number[] {
    const s = this.st;
    s.step++;
    const eps = 1e-8;
    if (this.kind === 'rmsprop') {
      return x.map((xi, i) => {
        s.second[i] = 0.99 * s.second[i] + 0.01 * g[i] * g[i];
        return xi - (this.learningRate * g[i]) / (Math.sqrt(s.second[i]) + eps);
      });
    }
    const b1 = 0.9;
    const b2 = 0.999;
    return x.map((xi, i) => {
      s.first[i] = b1 * s.first[i] + (1 - b1) * g[i];
      s.second[i] = b2 * s.second[i] + (1 - b2) * g[i] * g[i];
      const mHat = s.first[i] / (1 - b1 ** s.step);
      const vHat = s.second[i] / (1 - b2 ** s.step);
      return xi - (this.learningRate * mHat) / (Math.sqrt(vHat) + eps);
    });
  }

  state(): VectorOptimizerState {
    return structuredClone(this.st);
  }

  setState(state: VectorOptimizerState): void {
    this.st = structuredClone(state);
  }
}
