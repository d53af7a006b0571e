/**
 * A search cell as the network engine runs it: a block whose output depends on the architecture weights it reads
 * directly from the rows of unconstrained hyperparameters λ (+ ε) (src/nn/models.ts, `Block` of kind `cell`).
 * The cells themselves — DARTS mixed operations over a search space — live in src/nas/cell.ts (`MixedCell`),
 * which implements this contract: the network engine knows a cell only through it and never imports src/nas
 * (the house's direction: nas → nn, not back).
 */
import type * as tf from '@tensorflow/tfjs';
import type { StnLayer, StnParameters } from './layers.js';

/** What a network needs of a cell block. */
export interface CellBlock {
  /** The general (w0) and response (Θ) variables of every parametric operation, in a fixed order. */
  parameters(): StnParameters;
  /** Its STN layers (for penalties on the weights). */
  layers(): StnLayer[];
  /** The largest hyperparameter coordinate the cell reads (−1 if none), checked against the model's h. */
  maxHyper(): number;
  /** The cell's output for input x; `hyper` holds the unconstrained rows λ (+ ε), [1, h] or [B, h]. */
  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, hyper: tf.Tensor2D): tf.Tensor;
  /** (y, ẏ) at h_net = 0 in the direction ε, for the input tangent ẋ (null = 0); the mixture is held at `hyper`. */
  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, hyper: tf.Tensor2D): [tf.Tensor, tf.Tensor];
}
