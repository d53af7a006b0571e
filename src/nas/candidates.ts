/**
 * The candidate operations of a DARTS cell's edges (src/nas/cell.ts), in TensorFlow.js, each with its tangent at
 * h_net = 0 (the linearized Δ-STN's forward-mode pass):
 * - MLP cells: `dense-relu`, `dense-tanh` (a width-preserving STN dense layer and its activation), `identity`,
 *   `zero`;
 * - CNN cells: `conv3x3`, `conv5x5` (STN convolutions, 'same' padding, then ReLU), `maxpool3x3` (stride 1,
 *   'same'), `identity`, `zero`.
 * Ours, after DARTS's operation set, sized for MNIST on a CPU [R].
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { StnConv2d, StnDense, reluTangent, type StnLayer } from '../nn/layers.js';
import { tanh } from '../nn/ops.js';
import type { OpName } from './space.js';

/** One candidate operation on an edge: value and tangent (at h_net = 0, in the direction ε). */
export interface Candidate {
  readonly op: OpName;
  /** The STN layer of a parametric operation (none for identity, zero, max-pool). */
  readonly layer: StnLayer | null;
  apply(x: tf.Tensor, hnet: tf.Tensor2D | null): tf.Tensor;
  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D): [tf.Tensor, tf.Tensor | null];
}

/** tanh with its tangent ẏ = ẋ ⊙ (1 − tanh²x). */
function tanhTangent(x: tf.Tensor, dx: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const y = tanh(x);
    return [y, tf.mul(dx, tf.sub(1, tf.square(y)))];
  });
}

/**
 * 3×3 max pooling with stride 1 and 'same' padding (−∞ outside the image), as the maximum of the nine shifted
 * views, and its tangent routed by the same pairwise decisions (first maximum on a tie), so value and tangent
 * see one pooling decision. Built from `pad`, `slice`, `maximum` and `where`, whose gradients exist on wasm.
 */
export function maxPool3x3Same(x: tf.Tensor4D, dx: tf.Tensor4D | null = null): [tf.Tensor4D, tf.Tensor4D | null] {
  const out = tf.tidy(() => {
    const [b, hgt, wid, c] = x.shape;
    // A large finite pad instead of −∞: −∞ · 0 in a gradient would be NaN.
    const px = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], -3.4e38);
    const pdx = dx ? tf.pad(dx, [[0, 0], [1, 1], [1, 1], [0, 0]]) : null;
    let y: tf.Tensor4D | null = null;
    let dy: tf.Tensor4D | null = null;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const v: tf.Tensor4D = tf.slice(px, [0, i, j, 0], [b, hgt, wid, c]);
        const dv: tf.Tensor4D | null = pdx ? tf.slice(pdx, [0, i, j, 0], [b, hgt, wid, c]) : null;
        if (!y) {
          y = v;
          dy = dv;
          continue;
        }
        if (dy && dv) dy = tf.where(tf.greaterEqual(y, v), dy, dv) as tf.Tensor4D;
        y = tf.maximum(y, v) as tf.Tensor4D;
      }
    }
    return dy ? [y as tf.Tensor4D, dy] : [y as tf.Tensor4D];
  });
  return [out[0], out[1] ?? null];
}

/** Options shared by the candidates of one edge. */
export interface CandidateOptions {
  hyperDim: number;
  rng: Rng;
  name: string;
}

/** Builds candidate `op` on activations of `width` units (MLP) or channels (CNN). */
export function makeCandidate(op: OpName, width: number, options: CandidateOptions): Candidate {
  const { hyperDim, rng } = options;
  const name = `${options.name}/${op}`;
  switch (op) {
    case 'dense-relu':
    case 'dense-tanh': {
      const layer = new StnDense(width, width, { hyperDim, rng, name });
      const act = op === 'dense-relu' ? (t: tf.Tensor) => tf.relu(t) : tanh;
      const actTangent = op === 'dense-relu' ? reluTangent : tanhTangent;
      return {
        op,
        layer,
        apply: (x, hnet) => tf.tidy(() => act(layer.apply(x, hnet))),
        tangent: (x, dx, direction) => {
          const [z, dz] = layer.tangent(x, dx, direction);
          const out = actTangent(z, dz);
          tf.dispose([z, dz]);
          return out;
        },
      };
    }
    case 'conv3x3':
    case 'conv5x5': {
      const layer = new StnConv2d(width, width, op === 'conv3x3' ? 3 : 5, { hyperDim, rng, name, pad: 'same' });
      return {
        op,
        layer,
        apply: (x, hnet) => tf.tidy(() => tf.relu(layer.apply(x, hnet))),
        tangent: (x, dx, direction) => {
          const [z, dz] = layer.tangent(x, dx, direction);
          const out = reluTangent(z, dz);
          tf.dispose([z, dz]);
          return out;
        },
      };
    }
    case 'maxpool3x3':
      return {
        op,
        layer: null,
        apply: (x) => maxPool3x3Same(x as tf.Tensor4D)[0],
        tangent: (x, dx) => maxPool3x3Same(x as tf.Tensor4D, dx as tf.Tensor4D | null),
      };
    case 'identity':
      return { op, layer: null, apply: (x) => tf.clone(x), tangent: (x, dx) => [tf.clone(x), dx ? tf.clone(dx) : null] };
    case 'zero':
      return { op, layer: null, apply: (x) => tf.zerosLike(x), tangent: (x) => [tf.zerosLike(x), null] };
  }
}
