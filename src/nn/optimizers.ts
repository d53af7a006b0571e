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

/** SGD with momentum over a fixed list of tf variables; `state()` / `setState()` expose the momentum buffers. */
export class MomentumSgd {
  learningRate: number;
  readonly momentum: number;
  private readonly variables: tf.Variable[];
  private buffers: tf.Tensor[] | null = null;

  constructor(variables: tf.Variable[], learningRate: number, momentum = 0.9) {
    this.variables = variables;
    this.learningRate = positive(learningRate, 'learningRate');
    if (!(momentum >= 0 && momentum < 1)) throw new InvalidArgumentError('momentum', '0 ≤ μ < 1', momentum);
    this.momentum = momentum;
  }

  /** One step with gradients in the same order as the variables. */
  step(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.variables.length) throw new InvalidArgumentError('grads', `${this.variables.length} gradients`, grads.length);
    const old = this.buffers;
    const next = tf.tidy(() => grads.map((g, i) => (old ? tf.add(tf.mul(old[i], this.momentum), g) : tf.clone(g))));
    old?.forEach((t) => t.dispose());
    this.buffers = next;
    tf.tidy(() => {
      this.variables.forEach((v, i) => v.assign(tf.sub(v, tf.mul(next[i], this.learningRate))));
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
