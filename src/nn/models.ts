/**
 * STN networks as a sequence of blocks, with the hyperparameters each block uses bound once, at
 * construction (never looked up by string in `forward`). The models of docs/math.md#s5-1: the paper's MLP
 * 784-1200-1200-10 (the reference's MLP emits 1200 logits, a bug: ours has 10), the SimpleCNN for
 * Fashion-MNIST, and an AlexNet-style CIFAR-10 net (no BatchNorm, as in C1).
 *
 * A forward pass takes the per-example hypernetwork input h_net and a set of dropout masks sampled from the
 * per-example hyperparameter values; the tangent pass reuses the same masks, so that the primal output and
 * its tangent see the same network (docs/math.md#s3-3).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import { StnConv2d, StnDense, maxPool2x2, maxPool2x2Tangent, reluTangent, type StnLayer, type StnParameters, type TangentOptions } from './layers.js';
import { dropConnectMask, dropoutMask } from './regularizers.js';
import type { CellBlock } from './cells.js';

/** One block of a network. `hyper` is the index of the hyperparameter (in the model's space) a dropout uses. */
export type Block =
  /** An STN layer; `dropConnect` is the index of a DropConnect rate (per minibatch) applied to its weights. */
  | { kind: 'layer'; layer: StnLayer; dropConnect?: number }
  | { kind: 'relu' }
  | { kind: 'pool' }
  | { kind: 'flatten' }
  /** Unit dropout on [B, D] (or on the flattened input: input dropout). */
  | { kind: 'dropout'; hyper: number }
  /** Channel dropout on NHWC activations: one Bernoulli draw per example and channel (C1 `dropout_2d`). */
  | { kind: 'channel-dropout'; hyper: number }
  /** A DARTS search cell whose edges mix candidate operations by softmax(α) (src/nas/cell.ts; seen here as a {@link CellBlock}). */
  | { kind: 'cell'; cell: CellBlock }
  /** A composite block with a train/evaluation mode: batch norm (src/nn/batchNorm.ts), a residual block (src/nn/resnet.ts). */
  | { kind: 'module'; module: StnModule };

/**
 * A block with its own parameters and a training/evaluation mode (src/nn/batchNorm.ts, src/nn/resnet.ts). Its
 * entry in {@link Masks} is what a training pass draws for it ({@link StnModule.sampleMask}: a dropout mask, or
 * a marker); a pass without the entry (evaluation, the hyper step, the constructor's shape trace) runs it in
 * evaluation mode (batch norm on its running statistics).
 */
export interface StnModule {
  readonly name: string;
  /** General (w0) and response (Θ) variables, in a fixed order. */
  parameters(): StnParameters;
  /** Its STN layers (for the weight-decay penalty). */
  layers(): StnLayer[];
  /** The largest hyperparameter index it reads (−1 if none), checked against the model's h. */
  maxHyper(): number;
  /**
   * The entry of a training pass: `hyperValues` one row of constrained values per example, `inputShape` the
   * activation shape (no batch) entering the module; null: the module has no training mode.
   */
  sampleMask(hyperValues: readonly (readonly number[])[], rng: Rng, inputShape: readonly number[]): tf.Tensor | null;
  /** y for input x (`mask` absent: evaluation mode). */
  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, mask: tf.Tensor | undefined): tf.Tensor;
  /** (y, ẏ) at h_net = 0 in the direction ε, for the input tangent ẋ (null = 0), the same mode as `apply`. */
  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, mask: tf.Tensor | undefined, options: TangentOptions): [tf.Tensor, tf.Tensor];
}

/**
 * The loss a model is trained and validated with, per example i with logits f_i ∈ ℝ^K and integer label y_i:
 * `cross-entropy` −log softmax(f_i)_{y_i} (every classifier), or `squared` ½‖f_i − e_{y_i}‖² (regression to the
 * one-hot target: a bias-free {@link linear} model with it is the small engine's ridge problem,
 * test/bridge/ridge-bridge.test.ts). Both are averaged over the batch (src/nn/methods/steps.ts `modelLoss`).
 */
export type ModelLoss = 'cross-entropy' | 'squared';

/** Masks for one forward pass, by block index (absent = no dropout at that block, e.g. evaluation mode). */
export type Masks = Map<number, tf.Tensor>;

/** What a forward pass needs besides the input. */
export interface ForwardContext {
  /** Per-example hypernetwork input [B, h]; null means h_net = 0 (the general weights w0). */
  hnet: tf.Tensor2D | null;
  /** Dropout masks (training); empty for evaluation. */
  masks: Masks;
  /**
   * The unconstrained hyperparameters λ (+ ε_i) as rows, [1, h] (one for the batch) or [B, h], read directly by
   * blocks whose output depends on a hyperparameter (the architecture weights of a `cell`). Required only by
   * models with such blocks; a gradient taken w.r.t. it is the hypergradient's direct term.
   */
  hyper?: tf.Tensor2D | null;
}

/** An STN network: blocks plus the shapes they see. */
export class StnNetwork {
  readonly name: string;
  readonly blocks: readonly Block[];
  /** Input shape without the batch: [D] for MLPs, [H, W, C] for CNNs. */
  readonly inputShape: readonly number[];
  readonly hyperDim: number;
  /** The training and validation loss ({@link ModelLoss}; default `cross-entropy`). */
  readonly loss: ModelLoss;
  /** Activation shape (without the batch) entering each block. */
  private readonly shapes: number[][];

  constructor(name: string, blocks: Block[], inputShape: number[], hyperDim: number, options: { loss?: ModelLoss } = {}) {
    const loss = options.loss ?? 'cross-entropy';
    if (loss !== 'cross-entropy' && loss !== 'squared') throw new InvalidArgumentError('options.loss', "'cross-entropy' or 'squared'", loss);
    this.loss = loss;
    this.name = name;
    this.blocks = blocks;
    this.inputShape = inputShape;
    this.hyperDim = hyperDim;
    this.shapes = [];
    // Trace the shapes once with a one-example batch (no gradient, no masks).
    tf.tidy(() => {
      let x: tf.Tensor = tf.zeros([1, ...inputShape]);
      for (const b of blocks) {
        this.shapes.push(x.shape.slice(1));
        if ((b.kind === 'dropout' || b.kind === 'channel-dropout') && (b.hyper < 0 || b.hyper >= hyperDim)) throw new InvalidArgumentError('blocks', `hyperparameter indices in [0, ${hyperDim})`, b.hyper);
        if (b.kind === 'layer' && b.dropConnect !== undefined && (!(b.layer instanceof StnDense) || b.dropConnect < 0 || b.dropConnect >= hyperDim)) {
          throw new InvalidArgumentError('blocks', `DropConnect on dense layers with an index in [0, ${hyperDim})`, `${b.layer.name}: ${b.dropConnect}`);
        }
        if (b.kind === 'cell' && b.cell.maxHyper() >= hyperDim) throw new InvalidArgumentError('blocks', `cell architecture indices in [0, ${hyperDim})`, b.cell.maxHyper());
        if (b.kind === 'module' && b.module.maxHyper() >= hyperDim) throw new InvalidArgumentError('blocks', `hyperparameter indices in [0, ${hyperDim})`, `${b.module.name}: ${b.module.maxHyper()}`);
        x = this.applyBlock(b, x, null, undefined, tf.zeros([1, hyperDim]) as tf.Tensor2D);
      }
    });
  }

  /** General (w0) and response (Θ) variables, in a fixed order. */
  parameters(): StnParameters {
    const general: tf.Variable[] = [];
    const response: tf.Variable[] = [];
    const buffers: tf.Variable[] = [];
    for (const b of this.blocks) {
      if (b.kind !== 'layer' && b.kind !== 'cell' && b.kind !== 'module') continue;
      const p = b.kind === 'layer' ? b.layer.parameters() : b.kind === 'cell' ? b.cell.parameters() : b.module.parameters();
      general.push(...p.general);
      response.push(...p.response);
      buffers.push(...(p.buffers ?? []));
    }
    return { general, response, buffers };
  }

  /** Every STN layer of the network (cells' candidates included), in parameter order. */
  layers(): StnLayer[] {
    return this.blocks.flatMap((b) => (b.kind === 'layer' ? [b.layer] : b.kind === 'cell' ? b.cell.layers() : b.kind === 'module' ? b.module.layers() : []));
  }

  /**
   * Σ over the network's layers of ‖Ŵ_i‖², the squared norm of every kernel at the per-example weights
   * (StnLayer.kernelNormSquared): [B] for `hnet` [B, h], a scalar Σ‖W_gen‖² for `hnet` = null. The weight-decay
   * penalty of the training objective is ½·decay·this (docs/math.md#s1-3).
   */
  kernelNormSquared(hnet: tf.Tensor2D | null): tf.Tensor {
    return tf.tidy(() => this.layers().reduce<tf.Tensor>((acc, l) => tf.add(acc, l.kernelNormSquared(hnet)), tf.scalar(0)));
  }

  /**
   * Dropout masks for a training pass: for each dropout block, a mask with per-example rates
   * `hyperValues[i][block.hyper]` (constrained values, one row per example).
   */
  sampleMasks(hyperValues: readonly (readonly number[])[], rng: Rng): Masks {
    const masks: Masks = new Map();
    const batch = hyperValues.length;
    this.blocks.forEach((b, i) => {
      if (b.kind === 'layer' && b.dropConnect !== undefined && b.layer instanceof StnDense) {
        // DropConnect is per minibatch (a per-example weight mask is B× the weights): row 0's rate, which a
        // 'minibatch' hyperparameter shares with every row.
        masks.set(i, dropConnectMask([b.layer.inputs, b.layer.outputs], hyperValues[0][b.dropConnect], rng));
        return;
      }
      if (b.kind === 'module') {
        const m = b.module.sampleMask(hyperValues, rng, this.shapes[i]);
        if (m) masks.set(i, m);
        return;
      }
      if (b.kind !== 'dropout' && b.kind !== 'channel-dropout') return;
      const rates = hyperValues.map((row) => row[b.hyper]);
      const shape = this.shapes[i];
      const maskShape = b.kind === 'dropout' ? [batch, ...shape] : [batch, 1, 1, shape[shape.length - 1]];
      masks.set(i, dropoutMask(maskShape, rates, rng));
    });
    return masks;
  }

  /** True if some block reads the hyperparameters directly (then `ctx.hyper` is required). */
  get readsHyper(): boolean {
    return this.blocks.some((b) => b.kind === 'cell');
  }

  private requireHyper(hyper: tf.Tensor2D | null | undefined, batch: number): tf.Tensor2D {
    if (!hyper) throw new InvalidArgumentError('ctx.hyper', `the hyperparameter rows [1 or B, ${this.hyperDim}] (model ${this.name} has architecture weights)`, hyper);
    if (hyper.rank !== 2 || hyper.shape[1] !== this.hyperDim || (hyper.shape[0] !== 1 && hyper.shape[0] !== batch)) {
      throw new InvalidArgumentError('ctx.hyper', `a [1, ${this.hyperDim}] or [${batch}, ${this.hyperDim}] tensor`, JSON.stringify(hyper.shape));
    }
    return hyper;
  }

  private applyBlock(b: Block, x: tf.Tensor, hnet: tf.Tensor2D | null, mask: tf.Tensor | undefined, hyper: tf.Tensor2D | null | undefined): tf.Tensor {
    switch (b.kind) {
      case 'cell':
        return b.cell.apply(x, hnet, this.requireHyper(hyper, x.shape[0]));
      case 'layer':
        return b.layer.apply(x, hnet, mask ?? null);
      case 'module':
        return b.module.apply(x, hnet, mask);
      case 'relu':
        return tf.relu(x);
      case 'pool':
        return maxPool2x2(x as tf.Tensor4D);
      case 'flatten':
        return tf.reshape(x, [x.shape[0], -1]);
      case 'dropout':
      case 'channel-dropout':
        return mask ? tf.mul(x, mask) : x;
    }
  }

  /** Logits for a batch x ([B, ...inputShape]). */
  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      this.blocks.forEach((b, i) => {
        h = this.applyBlock(b, h, ctx.hnet, ctx.masks.get(i), ctx.hyper);
      });
      return h as tf.Tensor2D;
    });
  }

  /**
   * (logits, tangent) at h_net = 0 in the direction h_net = ε (`direction`, [B, h]): the primal output
   * f(x; w0) and J_w f · Θε, propagated together through the layers, the ReLU masks, pooling and the same
   * dropout masks (docs/math.md#s3-3, #s8-1). `hyper` (rows λ + ε) holds the architecture mixtures of `cell` blocks
   * fixed: Δ-STN linearizes in the weights only. `options.responseOnly`: gradients will be taken w.r.t. the
   * response parameters only (see {@link TangentOptions}); cells ignore it (they keep every gradient).
   */
  tangent(x: tf.Tensor, masks: Masks, direction: tf.Tensor2D, hyper: tf.Tensor2D | null = null, options: TangentOptions = {}): [tf.Tensor2D, tf.Tensor2D] {
    // FIX (tests): checked before any block runs; a bad `hyper` found at the cell leaked the tensors of the blocks before it.
    if (this.readsHyper) this.requireHyper(hyper, x.shape[0]);
    let h: tf.Tensor = x;
    let dh: tf.Tensor | null = null;
    const keep: tf.Tensor[] = [];
    const track = (t: tf.Tensor): tf.Tensor => {
      keep.push(t);
      return t;
    };
    this.blocks.forEach((b, i) => {
      const mask = masks.get(i);
      switch (b.kind) {
        case 'cell': {
          const [y, dy] = b.cell.tangent(h, dh, direction, this.requireHyper(hyper, h.shape[0]));
          h = track(y);
          dh = track(dy);
          break;
        }
        case 'layer': {
          const [y, dy] = b.layer.tangent(h, dh, direction, mask ?? null, options);
          h = track(y);
          dh = track(dy);
          break;
        }
        case 'module': {
          const [y, dy] = b.module.tangent(h, dh, direction, mask, options);
          h = track(y);
          dh = track(dy);
          break;
        }
        case 'relu': {
          if (!dh) {
            h = track(tf.relu(h));
            break;
          }
          const [y, dy] = reluTangent(h, dh);
          h = track(y);
          dh = track(dy);
          break;
        }
        case 'pool': {
          if (!dh) {
            h = track(maxPool2x2(h as tf.Tensor4D));
            break;
          }
          const [y, dy] = maxPool2x2Tangent(h as tf.Tensor4D, dh as tf.Tensor4D);
          h = track(y);
          dh = track(dy);
          break;
        }
        case 'flatten':
          h = track(tf.reshape(h, [h.shape[0], -1]));
          if (dh) dh = track(tf.reshape(dh, [dh.shape[0], -1]));
          break;
        default:
          if (mask) {
            h = track(tf.mul(h, mask));
            if (dh) dh = track(tf.mul(dh, mask));
          }
      }
    });
    const out: [tf.Tensor2D, tf.Tensor2D] = [h as tf.Tensor2D, (dh ?? tf.zerosLike(h)) as tf.Tensor2D];
    for (const t of keep) if (t !== out[0] && t !== out[1]) t.dispose();
    return out;
  }

  /** Frees every variable. */
  dispose(): void {
    const { general, response, buffers } = this.parameters();
    for (const v of [...general, ...response, ...(buffers ?? [])]) v.dispose();
  }
}

/** Options of the model builders. */
export interface ModelOptions {
  /** Seeded generator for the initial weights. */
  rng: Rng;
  /** Number of classes (default 10). */
  classes?: number;
  /**
   * Hyperparameters appended after the model's own that no block reads: kinds that act on the training
   * objective only (weight decay, src/nn/methods/steps.ts). The hypernetwork sees them (h counts them), so the
   * response can follow them. Default 0.
   */
  objectiveHyperparameters?: number;
}

function objectiveCount(options: ModelOptions): number {
  const n = options.objectiveHyperparameters ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('objectiveHyperparameters', 'an integer ≥ 0', n);
  return n;
}

/**
 * The MLP of the Δ-STN paper: 784-1200-1200-10 with STN-dense layers, ReLU, and dropout on the input and after
 * each hidden layer. Hyperparameters (indices in the model's space): 0 input dropout, 1 and 2 the hidden dropouts.
 * `hidden` changes the widths (tests use small ones).
 */
export function mlp(options: ModelOptions & { inputs?: number; hidden?: number[]; dropConnect?: boolean }): StnNetwork {
  const inputs = options.inputs ?? 784;
  const hidden = options.hidden ?? [1200, 1200];
  const classes = options.classes ?? 10;
  // With `dropConnect`, one more hyperparameter (the last of the model's own): a DropConnect rate on the hidden-to-hidden
  // weights (every dense layer after the first hidden one), as C2's LSTM puts it on its recurrent weights.
  const own = 1 + hidden.length + (options.dropConnect ? 1 : 0);
  const h = own + objectiveCount(options);
  const blocks: Block[] = [{ kind: 'dropout', hyper: 0 }];
  let width = inputs;
  // The first layer's input is data (after the input dropout mask): its gradient is never needed.
  hidden.forEach((units, k) => {
    const layer = new StnDense(width, units, { hyperDim: h, rng: options.rng, name: `fc${k + 1}`, inputIsData: k === 0 });
    blocks.push({ kind: 'layer', layer, dropConnect: options.dropConnect && k > 0 ? own - 1 : undefined }, { kind: 'relu' }, { kind: 'dropout', hyper: k + 1 });
    width = units;
  });
  blocks.push({ kind: 'layer', layer: new StnDense(width, classes, { hyperDim: h, rng: options.rng, name: `fc${hidden.length + 1}`, inputIsData: hidden.length === 0 }) });
  return new StnNetwork('mlp', blocks, [inputs], h);
}

/**
 * The SimpleCNN of C1 for Fashion-MNIST (docs/math.md#s5-1): conv 1→16 (5×5, pad 2) → ReLU → pool → conv 16→32 (5×5,
 * pad 2) → ReLU → pool → fc 1568→1568 → ReLU → fc 1568→10. Channel dropout on the input (index 0) and after each
 * conv block (1, 2), unit dropout after fc1 (3); indices 4 and 5 are left to input augmentations (cutout length
 * and holes) that the trainer applies. `channels` and `fc` change the widths.
 */
export function simpleCnn(options: ModelOptions & { channels?: [number, number]; fc?: number; hyperDim?: number }): StnNetwork {
  const [c1, c2] = options.channels ?? [16, 32];
  const fc = options.fc ?? 1568;
  const h = (options.hyperDim ?? 6) + objectiveCount(options);
  if (h < 4) throw new InvalidArgumentError('hyperDim', '≥ 4 (the four dropout rates)', h);
  const rng = options.rng;
  const blocks: Block[] = [
    { kind: 'channel-dropout', hyper: 0 },
    { kind: 'layer', layer: new StnConv2d(1, c1, 5, { hyperDim: h, rng, pad: 2, name: 'conv1', inputIsData: true }) },
    { kind: 'relu' },
    { kind: 'pool' },
    { kind: 'channel-dropout', hyper: 1 },
    { kind: 'layer', layer: new StnConv2d(c1, c2, 5, { hyperDim: h, rng, pad: 2, name: 'conv2' }) },
    { kind: 'relu' },
    { kind: 'pool' },
    { kind: 'channel-dropout', hyper: 2 },
    { kind: 'flatten' },
    { kind: 'layer', layer: new StnDense(7 * 7 * c2, fc, { hyperDim: h, rng, name: 'fc1' }) },
    { kind: 'relu' },
    { kind: 'dropout', hyper: 3 },
    { kind: 'layer', layer: new StnDense(fc, options.classes ?? 10, { hyperDim: h, rng, name: 'fc2' }) },
  ];
  return new StnNetwork('simple-cnn', blocks, [28, 28, 1], h);
}

/**
 * An AlexNet-style CIFAR-10 net after C1's `StnAlexNet` (docs/math.md#s5-1): conv 3→64 (3×3, stride 2) → pool → 192 →
 * pool → 384 → 256 → 256 → pool, fc 1024→4096→4096→10, no BatchNorm; channel dropout after each conv (indices
 * 0..4) and unit dropout after fc1 and fc2 (5, 6). `width` scales every layer (1 = the paper's sizes).
 */
export function alexNet(options: ModelOptions & { width?: number }): StnNetwork {
  const s = options.width ?? 1;
  const c = (n: number): number => Math.max(1, Math.round(n * s));
  const h = 7 + objectiveCount(options);
  const rng = options.rng;
  const conv = (i: number, o: number, name: string, stride = 1): Block => ({ kind: 'layer', layer: new StnConv2d(i, o, 3, { hyperDim: h, rng, stride, pad: 1, name, inputIsData: name === 'conv1' }) });
  const blocks: Block[] = [
    conv(3, c(64), 'conv1', 2),
    { kind: 'relu' },
    { kind: 'pool' },
    { kind: 'channel-dropout', hyper: 0 },
    conv(c(64), c(192), 'conv2'),
    { kind: 'relu' },
    { kind: 'pool' },
    { kind: 'channel-dropout', hyper: 1 },
    conv(c(192), c(384), 'conv3'),
    { kind: 'relu' },
    { kind: 'channel-dropout', hyper: 2 },
    conv(c(384), c(256), 'conv4'),
    { kind: 'relu' },
    { kind: 'channel-dropout', hyper: 3 },
    conv(c(256), c(256), 'conv5'),
    { kind: 'relu' },
    { kind: 'pool' },
    { kind: 'channel-dropout', hyper: 4 },
    { kind: 'flatten' },
    { kind: 'layer', layer: new StnDense(2 * 2 * c(256), c(4096), { hyperDim: h, rng, name: 'fc1' }) },
    { kind: 'relu' },
    { kind: 'dropout', hyper: 5 },
    { kind: 'layer', layer: new StnDense(c(4096), c(4096), { hyperDim: h, rng, name: 'fc2' }) },
    { kind: 'relu' },
    { kind: 'dropout', hyper: 6 },
    { kind: 'layer', layer: new StnDense(c(4096), options.classes ?? 10, { hyperDim: h, rng, name: 'fc3' }) },
  ];
  return new StnNetwork('alexnet', blocks, [32, 32, 3], h);
}

/**
 * A dense STN layer without biases: an {@link StnDense} whose biases b_gen, b_resp are 0 and left out of its
 * parameters, so no step trains them; Ŵ_i = W_gen + W_resp diag(U_wᵀ h_i) and y = x Ŵ_i exactly
 * (the bias term (h U_b) ⊙ b_resp is 0 too).
 */
class BiasFreeDense implements StnLayer {
  readonly name: string;
  readonly hyperDim: number;
  readonly dense: StnDense;

  constructor(inputs: number, outputs: number, options: { hyperDim: number; rng: Rng; name: string }) {
    this.dense = new StnDense(inputs, outputs, { ...options, inputIsData: true });
    this.name = this.dense.name;
    this.hyperDim = this.dense.hyperDim;
    tf.tidy(() => {
      this.dense.bias.assign(tf.zerosLike(this.dense.bias));
      this.dense.responseBias.assign(tf.zerosLike(this.dense.responseBias));
    });
  }

  parameters(): { general: tf.Variable[]; response: tf.Variable[] } {
    return { general: [this.dense.weight], response: [this.dense.responseWeight, this.dense.bottleneckWeight] };
  }

  /** The zero biases no step trains (freed with the network). */
  frozen(): tf.Variable[] {
    return [this.dense.bias, this.dense.responseBias, this.dense.bottleneckBias];
  }

  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, weightMask: tf.Tensor | null = null): tf.Tensor {
    return this.dense.apply(x, hnet, weightMask);
  }

  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, weightMask: tf.Tensor | null = null, options: TangentOptions = {}): [tf.Tensor, tf.Tensor] {
    return this.dense.tangent(x, dx, direction, weightMask, options);
  }

  kernelNormSquared(hnet: tf.Tensor2D | null): tf.Tensor {
    return this.dense.kernelNormSquared(hnet);
  }
}

/** A network whose layers hold variables outside its parameters (the zero biases of a {@link linear} model). */
class LinearNetwork extends StnNetwork {
  private readonly frozenVariables: tf.Variable[];

  constructor(layer: BiasFreeDense, inputs: number, hyperDim: number, loss: ModelLoss) {
    super('linear', [{ kind: 'layer', layer }], [inputs], hyperDim, { loss });
    this.frozenVariables = layer.frozen();
  }

  override dispose(): void {
    super.dispose();
    for (const v of this.frozenVariables) v.dispose();
  }
}

/**
 * A bias-free linear model f(x) = x Ŵ (K = `classes` outputs, Ŵ = W_gen + W_resp diag(U_wᵀ h_net)), trained with
 * `loss` (default `squared`). It reads no hyperparameter itself: its h = `objectiveHyperparameters` (≥ 1) are
 * kinds of the training objective (weight decay, label smoothing). With the squared loss and weight decay it is
 * the small engine's ridge regression (src/bilevel/families.ts `ridgeProblem`, one output per class): L_T =
 * ½ mean_i ‖x_i Ŵ − e_{y_i}‖² + ½ d ‖Ŵ‖², L_V = ½ mean_i ‖x_i W_gen − e_{y_i}‖². `inputs` is the flattened input size.
 */
export function linear(options: ModelOptions & { inputs: number; loss?: ModelLoss }): StnNetwork {
  const h = objectiveCount(options);
  if (h < 1) throw new InvalidArgumentError('objectiveHyperparameters', '≥ 1 (a linear model reads no hyperparameter of its own)', h);
  if (!Number.isInteger(options.inputs) || options.inputs < 1) throw new InvalidArgumentError('inputs', 'an integer ≥ 1', options.inputs);
  const layer = new BiasFreeDense(options.inputs, options.classes ?? 10, { hyperDim: h, rng: options.rng, name: 'fc1' });
  return new LinearNetwork(layer, options.inputs, h, options.loss ?? 'squared');
}
