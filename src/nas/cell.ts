/**
 * DARTS-style search cells for the TensorFlow.js engine (issue 7, "Real networks"): every edge of a small
 * directed acyclic cell mixes K candidate operations with the softmax of its architecture weights,
 *
 * $$\bar o_e(x) = \sum_{k=1}^{K} \mathrm{softmax}(\alpha_e)_k\, o_k(x; w_{e,k}),$$
 *
 * where α_e ∈ ℝ^K are hyperparameters of kind `architecture` in the model's {@link HyperSpace} (one softmax
 * group per edge, src/nn/hyper.ts `architectureSpecs`), and each candidate's weights w_{e,k} live in STN
 * layers, so STN and Δ-STN give every candidate its own response Θ_{e,k} (h_net enters the candidates'
 * layers exactly as in src/nn/layers.ts). α is read per example: a forward pass gets the unconstrained rows
 * λ (+ ε_i) as `hyper` ([1, h] or [B, h]), so a perturbed architecture changes the mixture example by example.
 * Unlike a dropout rate, α enters the validation loss directly (∂L_V/∂α ≠ 0 at fixed w): the trainer's hyper
 * step differentiates through both the mixture and h_net (src/nn/trainer.ts).
 *
 * A cell has N intermediate nodes: node 0 is the cell's input, node j = Σ_{i<j} ō_{(i,j)}(node i) for
 * j = 1..N, and the output is Σ_{j=1}^{N} node j (DARTS concatenates the intermediate nodes; a sum keeps the
 * width, so the classifier does not depend on which nodes survive discretization).
 *
 * Candidates (ours, after DARTS's operation set, sized for MNIST on a CPU):
 * - MLP cells: `dense-relu`, `dense-tanh` (a width-preserving STN dense layer and its activation), `identity`,
 *   `zero`;
 * - CNN cells: `conv3x3`, `conv5x5` (STN convolutions, 'same' padding, then ReLU), `maxpool3x3` (stride 1,
 *   'same'), `identity`, `zero`.
 *
 * Discretization follows DARTS: each edge keeps its strongest non-zero operation, and each node keeps its
 * `keep` incoming edges whose kept operations weigh most ({@link deriveGenotype}).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { CellBlock } from '../nn/cells.js';
import type { StnLayer, StnParameters } from '../nn/layers.js';
import { matMul, softmax } from '../nn/ops.js';
import type { Candidate } from './candidates.js';

/** One mixed edge of a cell: candidates and the hyperparameter coordinate of each candidate's logit. */
export interface MixedEdge {
  /** Source and target nodes, 0 ≤ from < to ≤ N. */
  readonly from: number;
  readonly to: number;
  /** The softmax group's name (`e<from><to>` in the built-in spaces). */
  readonly group: string;
  readonly candidates: readonly Candidate[];
  /** hypers[k] = the coordinate of candidate k's logit in the model's space. */
  readonly hypers: readonly number[];
}

/**
 * The softmax weights of one edge for each row of the unconstrained hyperparameters: softmax(A S) with
 * A = `hyper` ([R, h]) and S the h×K selection of the edge's coordinates (a product instead of a gather, whose
 * gradient wasm lacks). Returns [R, K].
 */
export function edgeWeights(hyper: tf.Tensor2D, hypers: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const h = hyper.shape[1];
    const sel = new Float32Array(h * hypers.length);
    hypers.forEach((k, j) => {
      sel[k * hypers.length + j] = 1;
    });
    return softmax(matMul(hyper, tf.tensor2d(sel, [h, hypers.length])));
  });
}

/** Column k of the [R, K] weights, shaped to broadcast against activations of the given rank. */
function weightColumn(m: tf.Tensor2D, k: number, rank: number): tf.Tensor {
  const col = tf.slice(m, [0, k], [m.shape[0], 1]);
  return rank === 2 ? col : tf.reshape(col, [m.shape[0], 1, 1, 1]);
}

/** A cell of N intermediate nodes whose edges are {@link MixedEdge}s (see the module remarks). */
export class MixedCell implements CellBlock {
  readonly nodes: number;
  readonly edges: readonly MixedEdge[];

  constructor(nodes: number, edges: MixedEdge[]) {
    if (!Number.isInteger(nodes) || nodes < 1) throw new InvalidArgumentError('nodes', 'an integer ≥ 1', nodes);
    edges.forEach((e, i) => {
      if (!(Number.isInteger(e.from) && Number.isInteger(e.to) && e.from >= 0 && e.from < e.to && e.to <= nodes)) throw new InvalidArgumentError(`edges[${i}]`, `0 ≤ from < to ≤ ${nodes}`, `${e.from}→${e.to}`);
      if (e.candidates.length === 0 || e.candidates.length !== e.hypers.length) throw new InvalidArgumentError(`edges[${i}].hypers`, `one coordinate per candidate (${e.candidates.length})`, e.hypers.length);
    });
    this.nodes = nodes;
    this.edges = edges;
  }

  /** The general (w0) and response (Θ) variables of every parametric candidate, in edge order. */
  parameters(): StnParameters {
    const general: tf.Variable[] = [];
    const response: tf.Variable[] = [];
    for (const e of this.edges) {
      for (const c of e.candidates) {
        if (!c.layer) continue;
        const p = c.layer.parameters();
        general.push(...p.general);
        response.push(...p.response);
      }
    }
    return { general, response };
  }

  /** The STN layers of every parametric candidate, in edge order (for penalties on the weights). */
  layers(): StnLayer[] {
    return this.edges.flatMap((e) => e.candidates.flatMap((c) => (c.layer ? [c.layer] : [])));
  }

  /** The largest hyperparameter coordinate the cell reads (for validation against a model's h). */
  maxHyper(): number {
    return Math.max(-1, ...this.edges.flatMap((e) => e.hypers));
  }

  /** The edge's mixture of its candidates' outputs (primal only, or primal and tangent). */
  private mixEdge(e: MixedEdge, x: tf.Tensor, dx: tf.Tensor | null, hnet: tf.Tensor2D | null, direction: tf.Tensor2D | null, hyper: tf.Tensor2D): [tf.Tensor | null, tf.Tensor | null] {
    const m = edgeWeights(hyper, e.hypers);
    let y: tf.Tensor | null = null;
    let dy: tf.Tensor | null = null;
    e.candidates.forEach((c, k) => {
      if (c.op === 'zero') return; // contributes 0, but its logit still takes weight from the others
      const wk = weightColumn(m, k, x.rank);
      if (direction) {
        const [v, dv] = c.tangent(x, dx, direction);
        y = y ? tf.add(y, tf.mul(wk, v)) : tf.mul(wk, v);
        if (dv) dy = dy ? tf.add(dy, tf.mul(wk, dv)) : tf.mul(wk, dv);
      } else {
        const v = c.apply(x, hnet);
        y = y ? tf.add(y, tf.mul(wk, v)) : tf.mul(wk, v);
      }
    });
    return [y, dy];
  }

  private run(x: tf.Tensor, dx: tf.Tensor | null, hnet: tf.Tensor2D | null, direction: tf.Tensor2D | null, hyper: tf.Tensor2D): [tf.Tensor, tf.Tensor | null] {
    const values: (tf.Tensor | null)[] = [x];
    const tangents: (tf.Tensor | null)[] = [dx];
    for (let j = 1; j <= this.nodes; j++) {
      let v: tf.Tensor | null = null;
      let dv: tf.Tensor | null = null;
      for (const e of this.edges) {
        if (e.to !== j || !values[e.from]) continue;
        const [y, dy] = this.mixEdge(e, values[e.from] as tf.Tensor, tangents[e.from], hnet, direction, hyper);
        if (y) v = v ? tf.add(v, y) : y;
        if (dy) dv = dv ? tf.add(dv, dy) : dy;
      }
      values.push(v);
      tangents.push(dv);
    }
    let out: tf.Tensor | null = null;
    let dout: tf.Tensor | null = null;
    for (let j = 1; j <= this.nodes; j++) {
      const v = values[j];
      const dv = tangents[j];
      if (v) out = out ? tf.add(out, v) : v;
      if (dv) dout = dout ? tf.add(dout, dv) : dv;
    }
    return [out ?? tf.zerosLike(x), dout];
  }

  /** The cell's output for input x; `hyper` holds the unconstrained rows λ (+ ε), [1, h] or [B, h]. */
  apply(x: tf.Tensor, hnet: tf.Tensor2D | null, hyper: tf.Tensor2D): tf.Tensor {
    return tf.tidy(() => this.run(x, null, hnet, null, hyper)[0]);
  }

  /** (y, ẏ) at h_net = 0 in the direction ε, for the input tangent ẋ (null = 0); the mixture is held at `hyper`. */
  tangent(x: tf.Tensor, dx: tf.Tensor | null, direction: tf.Tensor2D, hyper: tf.Tensor2D): [tf.Tensor, tf.Tensor] {
    return tf.tidy(() => {
      const [y, dy] = this.run(x, dx, null, direction, hyper);
      return [y, dy ?? tf.zerosLike(y)];
    });
  }
}
