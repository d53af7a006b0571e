/**
 * A small ResNet for 32×32 colour images (issue 16), after He et al. 2016's CIFAR-10 networks (ResNet-20 for
 * n = 3): an STN stem conv 3×3 → BN → ReLU, then three stages of n basic blocks with 16, 32, 64 channels (times a
 * width multiplier), the first block of stages 2 and 3 with stride 2, global average pooling, unit dropout and an
 * STN dense classifier. Every convolution is an {@link StnConv2d} (general/response split, docs/math.md#s2-1) and
 * is followed by {@link BatchNorm}, which normalises the sum of its general and response outputs
 * (src/nn/batchNorm.ts, "Around the response branch").
 *
 * A basic block computes
 *
 * $$y = \mathrm{ReLU}\big(\mathrm{BN}_2(\mathrm{conv}_2(m \odot \mathrm{ReLU}(\mathrm{BN}_1(\mathrm{conv}_1(x))))) + \mathrm{shortcut}(x)\big),$$
 *
 * with m a channel-dropout mask (one Bernoulli draw per example and channel at the example's rate, the stage's
 * hyperparameter; the dropout of wide residual networks between the two convolutions), and a shortcut that is
 * the identity when the shape is kept, else option A (subsample by the stride, zero-pad the new channels: no
 * parameters, the CIFAR ResNets' choice) or a projection (1×1 STN conv with the stride, then BN).
 *
 * Hyperparameters (indices in the model's space; ours [R], the reference has no ResNet): 0, 1, 2 the channel
 * dropout of stages 1, 2, 3; 3 the unit dropout before the classifier; 4, 5 cutout length and holes; 6, 7
 * brightness and contrast jitter (input augmentations the trainer applies, src/nn/trainer.ts); objective-only
 * ones (weight decay) after them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import { BatchNorm } from './batchNorm.js';
import { StnConv2d, StnDense, reluTangent, type StnLayer, type StnParameters, type TangentOptions } from './layers.js';
import { StnNetwork, type Block, type ModelOptions, type StnModule } from './models.js';
import { dropoutMask } from './regularizers.js';

/** How a block's shortcut changes shape: option A (subsample, zero-pad channels) or a 1×1 STN conv + BN. */
export type ShortcutKind = 'A' | 'projection';

/**
 * Option A's shortcut on NHWC x: every `stride`-th pixel from the first (x[:, ::s, ::s, :]; an odd size keeps
 * ⌈H/s⌉ rows as a strided slice does), then `extra` zero channels, ⌊extra/2⌋ before and the rest after
 * (the CIFAR ResNets' pad of planes/4 on each side when the channels double). Linear, so its tangent is the
 * same map; built from pad, reshape and slice, whose gradients exist on every backend and to any order.
 */
export function optionAShortcut(x: tf.Tensor4D, stride: number, extra: number): tf.Tensor4D {
  if (!Number.isInteger(stride) || stride < 1) throw new InvalidArgumentError('stride', 'an integer ≥ 1', stride);
  if (!Number.isInteger(extra) || extra < 0) throw new InvalidArgumentError('extra', 'an integer ≥ 0 (channels to add)', extra);
  return tf.tidy(() => {
    let t: tf.Tensor4D = x;
    if (stride > 1) {
      const [b, h, w, c] = t.shape;
      const hp = Math.ceil(h / stride) * stride;
      const wp = Math.ceil(w / stride) * stride;
      if (hp !== h || wp !== w) t = tf.pad(t, [[0, 0], [0, hp - h], [0, wp - w], [0, 0]]);
      const r = tf.reshape(t, [b, hp / stride, stride, wp / stride, stride, c]);
      t = tf.reshape(tf.slice(r, [0, 0, 0, 0, 0, 0], [b, hp / stride, 1, wp / stride, 1, c]), [b, hp / stride, wp / stride, c]);
    }
    if (extra > 0) t = tf.pad(t, [[0, 0], [0, 0], [0, 0], [Math.floor(extra / 2), extra - Math.floor(extra / 2)]]);
    return t === x ? tf.clone(x) : t;
  });
}

/** Options of {@link ResidualBlock}. */
export interface ResidualBlockOptions {
  hyperDim: number;
  rng: Rng;
  name: string;
  /** Stride of the first convolution (and of the shortcut); default 1. */
  stride?: number;
  /** Index of the block's channel-dropout rate in the model's space (none: no dropout). */
  dropout?: number;
  /** The shortcut when the shape changes (default 'A'). */
  shortcut?: ShortcutKind;
  /** Momentum of the BN running statistics (default 0.1). */
  momentum?: number;
}

/** A basic residual block (module remarks) as one network module with its own training/evaluation mode. */
export class ResidualBlock implements StnModule {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly dropout: number | undefined;
  readonly conv1: StnConv2d;
  readonly bn1: BatchNorm;
  readonly conv2: StnConv2d;
  readonly bn2: BatchNorm;
  /** The projection shortcut (null: identity or option A). */
  readonly projection: { conv: StnConv2d; bn: BatchNorm } | null;

  constructor(inChannels: number, outChannels: number, options: ResidualBlockOptions) {
    for (const [v, n] of [
      [inChannels, 'inChannels'],
      [outChannels, 'outChannels'],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(n, 'an integer ≥ 1', v);
    }
    const stride = options.stride ?? 1;
    if (!Number.isInteger(stride) || stride < 1) throw new InvalidArgumentError('stride', 'an integer ≥ 1', stride);
    const shortcut = options.shortcut ?? 'A';
    if (shortcut !== 'A' && shortcut !== 'projection') throw new InvalidArgumentError('shortcut', "'A' or 'projection'", shortcut);
    if (shortcut === 'A' && outChannels < inChannels) throw new InvalidArgumentError('outChannels', `≥ inChannels (${inChannels}) for an option-A shortcut (it only adds channels)`, outChannels);
    if (options.dropout !== undefined && (!Number.isInteger(options.dropout) || options.dropout < 0)) throw new InvalidArgumentError('dropout', 'a hyperparameter index (an integer ≥ 0)', options.dropout);
    const { hyperDim, rng, name } = options;
    this.name = name;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stride = stride;
    this.dropout = options.dropout;
    const bn = { momentum: options.momentum };
    this.conv1 = new StnConv2d(inChannels, outChannels, 3, { hyperDim, rng, stride, pad: 1, name: `${name}/conv1` });
    this.bn1 = new BatchNorm(outChannels, { ...bn, name: `${name}/bn1` });
    this.conv2 = new StnConv2d(outChannels, outChannels, 3, { hyperDim, rng, pad: 1, name: `${name}/conv2` });
    this.bn2 = new BatchNorm(outChannels, { ...bn, name: `${name}/bn2` });
    const changes = stride !== 1 || inChannels !== outChannels;
    this.projection = changes && shortcut === 'projection' ? { conv: new StnConv2d(inChannels, outChannels, 1, { hyperDim, rng, stride, pad: 0, name: `${name}/shortcut` }), bn: new BatchNorm(outChannels, { ...bn, name: `${name}/shortcut-bn` }) } : null;
  }

  parameters(): StnParameters {
    const parts: StnParameters[] = [this.conv1.parameters(), this.bn1.parameters(), this.conv2.parameters(), this.bn2.parameters()];
    if (this.projection) parts.push(this.projection.conv.parameters(), this.projection.bn.parameters());
    return { general: parts.flatMap((p) => p.general), response: parts.flatMap((p) => p.response), buffers: parts.flatMap((p) => p.buffers ?? []) };
  }

  layers(): StnLayer[] {
    return this.projection ? [this.conv1, this.conv2, this.projection.conv] : [this.conv1, this.conv2];
  }

  maxHyper(): number {
    return this.dropout ?? -1;
  }

  /**
   * A training pass's entry: the channel-dropout mask [B, 1, 1, out] at the examples' rates (`hyperValues[i]
   * [dropout]`), or a marker (scalar 1) without dropout. Either selects training mode for the block's BNs.
   */
  sampleMask(hyperValues: readonly (readonly number[])[], rng: Rng): tf.Tensor {
    if (this.dropout === undefined) return tf.scalar(1);
    const k = this.dropout;
    return dropoutMask([hyperValues.length, 1, 1, this.outChannels], hyperValues.map((row) => row[k]), rng);
  }

  /** The dropout mask proper (null for a marker). */
  private dropoutOf(mask: tf.Tensor | undefined): tf.Tensor | null {
    return mask && mask.rank === 4 ? mask : null;
  }

  private shortcut(x: tf.Tensor, hnet: tf.Tensor2D | null, mask: tf.Tensor | undefined): tf.Tensor {
    if (this.projection) return this.projection.bn.apply(this.projection.conv.apply(x, hnet), null, mask);
    if (this.stride === 1 && this.inChannels === this.outChannels) return x;
    return optionAShortcut(x as tf.Tensor4D, this.stride, this.outChannels - this.inChannels);
  }

  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, mask: tf.Tensor | undefined): tf.Tensor {
    return tf.tidy(() => {
      let a = tf.relu(this.bn1.apply(this.conv1.apply(x, hnet), null, mask));
      const drop = this.dropoutOf(mask);
      if (drop) a = tf.mul(a, drop);
      const main = this.bn2.apply(this.conv2.apply(a, hnet), null, mask);
      return tf.relu(tf.add(main, this.shortcut(x, hnet, mask)));
    });
  }

  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, mask: tf.Tensor | undefined, options: TangentOptions = {}): [tf.Tensor, tf.Tensor] {
    const out = tf.tidy(() => {
      const [z1, dz1] = this.conv1.tangent(x, dx, direction, null, options);
      const [b1, db1] = this.bn1.tangent(z1, dz1, direction, mask, options);
      let [a, da] = reluTangent(b1, db1);
      const drop = this.dropoutOf(mask);
      if (drop) {
        a = tf.mul(a, drop);
        da = tf.mul(da, drop);
      }
      const [z2, dz2] = this.conv2.tangent(a, da, direction, null, options);
      const [main, dmain] = this.bn2.tangent(z2, dz2, direction, mask, options);
      let s: tf.Tensor;
      let ds: tf.Tensor | null;
      if (this.projection) {
        const [zs, dzs] = this.projection.conv.tangent(x, dx, direction, null, options);
        [s, ds] = this.projection.bn.tangent(zs, dzs, direction, mask, options);
      } else if (this.stride === 1 && this.inChannels === this.outChannels) {
        [s, ds] = [x, dx];
      } else {
        const extra = this.outChannels - this.inChannels;
        s = optionAShortcut(x as tf.Tensor4D, this.stride, extra);
        ds = dx ? optionAShortcut(dx as tf.Tensor4D, this.stride, extra) : null;
      }
      return reluTangent(tf.add(main, s), ds ? tf.add(dmain, ds) : dmain);
    });
    return [out[0], out[1]];
  }
}

/** Global average pooling NHWC → [B, C] as a parameter-free module (its tangent is the same mean). */
export class GlobalAveragePool implements StnModule {
  readonly name = 'global-average-pool';
  parameters(): StnParameters {
    return { general: [], response: [] };
  }
  layers(): StnLayer[] {
    return [];
  }
  maxHyper(): number {
    return -1;
  }
  sampleMask(): null {
    return null;
  }
  apply(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4) throw new InvalidArgumentError('x', 'NHWC activations (rank 4) for global average pooling', x.shape.join('×'));
    return tf.mean(x, [1, 2]);
  }
  tangent(x: tf.Tensor, dx: tf.Tensor | null): [tf.Tensor, tf.Tensor] {
    const y = this.apply(x);
    return [y, dx ? tf.mean(dx, [1, 2]) : tf.zerosLike(y)];
  }
}

/** The number of hyperparameters {@link resnet} reads itself (before objective-only ones). */
export const RESNET_HYPERPARAMETERS = 8;

/** Options of {@link resnet}. */
export interface ResNetOptions extends ModelOptions {
  /** n, basic blocks per stage (default 3: ResNet-20, 6n + 2 layers). */
  blocksPerStage?: number;
  /** Width multiplier of the 16/32/64 channels (default 1; each stage keeps ≥ 1 channel). */
  width?: number;
  /** Shortcut where the shape changes (default 'A', as the CIFAR ResNets). */
  shortcut?: ShortcutKind;
  /** Input [H, W, C] (default [32, 32, 3], CIFAR; tests use smaller images). */
  inputShape?: [number, number, number];
  /** Momentum of every BN's running statistics (default 0.1). */
  momentum?: number;
}

/** The ResNet of the module remarks (`resnet` in `deltastn tune`). */
export function resnet(options: ResNetOptions): StnNetwork {
  const n = options.blocksPerStage ?? 3;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('blocksPerStage', 'an integer ≥ 1', n);
  const width = options.width ?? 1;
  if (!(width > 0 && Number.isFinite(width))) throw new InvalidArgumentError('width', 'a finite number > 0', width);
  const objective = options.objectiveHyperparameters ?? 0;
  if (!Number.isInteger(objective) || objective < 0) throw new InvalidArgumentError('objectiveHyperparameters', 'an integer ≥ 0', objective);
  const inputShape = options.inputShape ?? [32, 32, 3];
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) throw new InvalidArgumentError('inputShape', '[H, W, C] of integers ≥ 1', JSON.stringify(inputShape));
  const h = RESNET_HYPERPARAMETERS + objective;
  const { rng } = options;
  const c = (k: number): number => Math.max(1, Math.round(k * width));
  const stages = [c(16), c(32), c(64)];
  const momentum = options.momentum;
  const blocks: Block[] = [
    { kind: 'layer', layer: new StnConv2d(inputShape[2], stages[0], 3, { hyperDim: h, rng, pad: 1, name: 'conv1', inputIsData: true }) },
    { kind: 'module', module: new BatchNorm(stages[0], { momentum, name: 'bn1' }) },
    { kind: 'relu' },
  ];
  let channels = stages[0];
  stages.forEach((out, s) => {
    for (let b = 0; b < n; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const block = new ResidualBlock(channels, out, { hyperDim: h, rng, name: `stage${s + 1}/block${b + 1}`, stride, dropout: s, shortcut: options.shortcut, momentum });
      blocks.push({ kind: 'module', module: block });
      channels = out;
    }
  });
  blocks.push(
    { kind: 'module', module: new GlobalAveragePool() },
    { kind: 'dropout', hyper: 3 },
    { kind: 'layer', layer: new StnDense(channels, options.classes ?? 10, { hyperDim: h, rng, name: 'fc' }) },
  );
  return new StnNetwork('resnet', blocks, [...inputShape], h);
}

/**
 * A 28×28 one-channel set as 32×32 colour images: 2 zero pixels on each side, the grey channel copied to R, G
 * and B (so that the CIFAR-shaped ResNet can run on Fashion-MNIST, which ships here; CIFAR-10 itself cannot be
 * downloaded). Labels and classes unchanged; 12 KB of float32 per image.
 */
export function toRgb32(ds: Dataset): Dataset {
  const [H, W, C] = ds.shape;
  if (H > 32 || W > 32 || C !== 1) throw new InvalidArgumentError('ds', 'one-channel images of at most 32×32 (e.g. Fashion-MNIST, 28×28×1)', ds.shape.join('×'));
  const top = Math.floor((32 - H) / 2);
  const left = Math.floor((32 - W) / 2);
  const images = new Float32Array(ds.size * 32 * 32 * 3);
  for (let i = 0; i < ds.size; i++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = ds.images[(i * H + y) * W + x];
        const o = ((i * 32 + y + top) * 32 + x + left) * 3;
        images[o] = v;
        images[o + 1] = v;
        images[o + 2] = v;
      }
    }
  }
  return { name: `${ds.name}:rgb32`, images, labels: ds.labels, shape: [32, 32, 3], classes: ds.classes, size: ds.size };
}
