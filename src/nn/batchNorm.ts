/**
 * Batch normalisation for STN networks (issue 16), correct under per-example perturbed hyperparameters and in
 * the forward-mode tangent pass of Δ-STN's linearized step (docs/math.md#s3-3, #s8-1).
 *
 * @remarks
 * **Training mode** (a training pass: the block's entry in `Masks` is present) normalises each channel c (the
 * last axis) by the statistics of the batch it is given, over the n = B·H·W values of that channel (n = B for
 * [B, D] activations):
 *
 * $$\mu_c = \tfrac1n \sum z,\quad v_c = \tfrac1n \sum (z-\mu_c)^2,\quad \hat z = (z-\mu_c)\,r_c,\ r_c = (v_c+\epsilon)^{-1/2},\quad y = \gamma_c \hat z + \beta_c .$$
 *
 * The batch mixes examples whose h_net rows differ (each example i has its own λ + ε_i), so example i's output
 * depends on every example's perturbation through μ and v. The tangent pass carries that dependence: for an
 * input tangent ż (the whole batch's, in the direction ε),
 *
 * $$\dot\mu = \operatorname{mean}(\dot z),\qquad \dot y = \gamma\, r \left[(\dot z - \dot\mu) - \hat z \cdot \operatorname{mean}\big(\hat z \odot (\dot z - \dot\mu)\big)\right],$$
 *
 * the JVP of the normalisation including its batch statistics (the second term is r·v̇/2 with
 * v̇ = 2·mean((z − μ)(ż − μ̇))). [R] (our derivation, checked in test/nn/batchNorm.test.ts against a float64
 * reference, a central finite difference and a double-backward JVP.)
 *
 * **Evaluation mode** (no entry: evaluation, the hyper step, the shape trace) uses the running statistics,
 * y = γ (z − μ_run)/√(v_run + ϵ) + β, ẏ = γ ż/√(v_run + ϵ). Every training-mode `apply` (not the tangent pass,
 * which only linearizes) updates them with momentum m (PyTorch's convention and defaults: m = 0.1, ϵ = 1e-5,
 * the unbiased variance for the running estimate):
 *
 * $$\mu_\text{run} \leftarrow (1-m)\,\mu_\text{run} + m\,\mu,\qquad v_\text{run} \leftarrow (1-m)\,v_\text{run} + m\,\tfrac{n}{n-1}\,v .$$
 *
 * For Δ-STN both training passes of a step (the general pass at w0 and the perturbed pass at w0 + Θε) update
 * them, as two `model.train()` forward passes would in PyTorch; STN's joint pass updates them once.
 *
 * **Around the response branch** (the reference does not say; our choice [R]): BN follows an STN layer and
 * normalises its whole output, the sum of the general and the response terms,
 * BN(x W_gen + b_gen + (h U_w) ⊙ (x W_resp) + (h U_b) ⊙ b_resp). The response perturbation is therefore
 * normalised with the rest (the perturbed network is "the same architecture at other weights", as the STN
 * model contract requires), and a consequence is tested: in training mode a response term that is the same
 * for every example of a channel (a batch-common bias response (h U_b) ⊙ b_resp) is cancelled by the batch
 * mean; only the part that varies across the batch survives.
 *
 * **State.** γ, β (the affine map, part of w0: the hypernetwork does not scale them) are `general` variables;
 * the running statistics are `buffers` (src/nn/layers.ts `StnParameters`): no optimizer sees them and no
 * gradient is taken for them, while snapshots, checkpoints and the trainer's restore carry them after the
 * weights, so a resumed run is exact. They change only through the momentum update above.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { StnLayer, StnParameters, TangentOptions } from './layers.js';
import type { StnModule } from './models.js';

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  /** m of the running-statistics update (0 < m ≤ 1; default 0.1, PyTorch's). */
  momentum?: number;
  /** ϵ added to the variance (> 0; default 1e-5, PyTorch's). */
  epsilon?: number;
  name?: string;
}

let instances = 0;

/** The training-mode normalisation and what its tangent reuses. */
interface Normalised {
  y: tf.Tensor;
  zHat: tf.Tensor;
  r: tf.Tensor;
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/** Batch normalisation over the last axis (see the module remarks). Implements the network's module contract. */
export class BatchNorm implements StnModule {
  readonly name: string;
  readonly channels: number;
  readonly momentum: number;
  readonly epsilon: number;
  /** γ (init 1) and β (init 0), [channels]. */
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  /** μ_run (init 0) and v_run (init 1), [channels]. */
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(channels: number, options: BatchNormOptions = {}) {
    if (!Number.isInteger(channels) || channels < 1) throw new InvalidArgumentError('channels', 'an integer ≥ 1', channels);
    const momentum = options.momentum ?? 0.1;
    const epsilon = options.epsilon ?? 1e-5;
    if (!(momentum > 0 && momentum <= 1)) throw new InvalidArgumentError('momentum', 'a number in (0, 1]', momentum);
    if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new InvalidArgumentError('epsilon', 'a finite number > 0', epsilon);
    this.name = options.name ?? `bn${channels}`;
    this.channels = channels;
    this.momentum = momentum;
    this.epsilon = epsilon;
    instances++;
    const prefix = `${this.name}#bn${instances}`;
    const make = (value: number, what: string): tf.Variable => {
      const init = tf.fill([channels], value);
      const v = tf.variable(init, true, `${prefix}/${what}`);
      init.dispose();
      return v;
    };
    this.gamma = make(1, 'gamma');
    this.beta = make(0, 'beta');
    this.runningMean = make(0, 'runningMean');
    this.runningVar = make(1, 'runningVar');
  }

  /** γ, β are w0; the running statistics are buffers (module remarks); no response parameters. */
  parameters(): StnParameters {
    return { general: [this.gamma, this.beta], response: [], buffers: [this.runningMean, this.runningVar] };
  }

  layers(): StnLayer[] {
    return [];
  }

  maxHyper(): number {
    return -1;
  }

  /** A training pass's entry: a marker (scalar 1) that selects training mode. */
  sampleMask(): tf.Tensor {
    return tf.scalar(1);
  }

  private check(x: tf.Tensor): void {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.channels) throw new ShapeMismatchError('x', `[B, …, ${this.channels}] (${this.name}: ${this.channels} channels last)`, x.shape.join('×'));
  }

  /** The axes the statistics run over (all but the channels) and their count n. */
  private reduction(x: tf.Tensor): { axes: number[]; n: number } {
    const axes = x.shape.slice(0, -1).map((_, k) => k);
    const n = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    if (n < 2) throw new InvalidArgumentError('x', `more than one value per channel in training mode (${this.name}: batch statistics of one value are undefined)`, x.shape.join('×'));
    return { axes, n };
  }

  /** Training-mode normalisation with the batch statistics (module remarks). */
  private normalise(z: tf.Tensor): Normalised {
    const { axes } = this.reduction(z);
    const mean = tf.mean(z, axes);
    const centred = tf.sub(z, mean);
    const variance = tf.mean(tf.square(centred), axes);
    const r = tf.rsqrt(tf.add(variance, this.epsilon));
    const zHat = tf.mul(centred, r);
    const y = tf.add(tf.mul(zHat, this.gamma), this.beta);
    return { y, zHat, r, mean, variance };
  }

  /** Evaluation mode: the running statistics; returns the scale γ/√(v_run + ϵ) too. */
  private evaluate(z: tf.Tensor): { y: tf.Tensor; scale: tf.Tensor } {
    const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.runningVar, this.epsilon)));
    return { y: tf.add(tf.mul(tf.sub(z, this.runningMean), scale), this.beta), scale };
  }

  /** μ_run, v_run ← the momentum update with this batch's statistics (values only: nothing is taped). */
  private updateRunning(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const m = this.momentum;
    const meanValue = tf.tidy(() => tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
    const varValue = tf.tidy(() => tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * n) / (n - 1))));
    this.runningMean.assign(meanValue);
    this.runningVar.assign(varValue);
    tf.dispose([meanValue, varValue]);
  }

  /**
   * y = BN(x): training mode (batch statistics, and the running statistics updated) when `mask` is present,
   * evaluation mode (running statistics) when it is absent. `hnet` is not read: BN has no response parameters.
   */
  apply(x: tf.Tensor, _hnet: tf.Tensor2D | null = null, mask?: tf.Tensor): tf.Tensor {
    this.check(x);
    if (!mask) return tf.tidy(() => this.evaluate(x).y);
    const { n } = this.reduction(x);
    return tf.tidy(() => {
      const { y, mean, variance } = this.normalise(x);
      this.updateRunning(mean, variance, n);
      return y;
    });
  }

  /**
   * (y, ẏ) for the input x and its tangent ẋ (null = 0), in the mode `mask` selects (module remarks); the
   * running statistics are not updated. `direction` and `options` are not read (no response parameters here;
   * with `responseOnly` the tangent is still differentiable w.r.t. everything upstream).
   */
  tangent(x: tf.Tensor, dx: tf.Tensor | null, _direction: tf.Tensor2D | null = null, mask?: tf.Tensor, _options: TangentOptions = {}): [tf.Tensor, tf.Tensor] {
    this.check(x);
    if (dx && (dx.rank !== x.rank || dx.shape.some((d, k) => d !== x.shape[k]))) throw new ShapeMismatchError('dx', `the shape of x (${x.shape.join('×')})`, dx.shape.join('×'));
    const out = tf.tidy(() => {
      if (!mask) {
        const { y, scale } = this.evaluate(x);
        return [y, dx ? tf.mul(dx, scale) : tf.zerosLike(y)];
      }
      const { axes } = this.reduction(x);
      const { y, zHat, r } = this.normalise(x);
      if (!dx) return [y, tf.zerosLike(y)];
      const d = tf.sub(dx, tf.mean(dx, axes));
      const dy = tf.mul(tf.mul(tf.sub(d, tf.mul(zHat, tf.mean(tf.mul(zHat, d), axes))), r), this.gamma);
      return [y, dy];
    });
    return [out[0], out[1]];
  }

  /** Frees the four variables. */
  dispose(): void {
    const p = this.parameters();
    for (const v of [...p.general, ...(p.buffers ?? [])]) v.dispose();
  }
}
