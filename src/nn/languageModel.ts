/**
 * The STN LSTM language model (the STN reference's `HyperLSTM`, MacKay et al. 2019, rewritten: docs/math.md#s5-1)
 * and its training loop, which drives the network methods of src/nn/methods through their interface
 * ({@link NetworkMethod}: fixed, STN, centered STN, Δ-STN, Δ-STN linearized).
 *
 * @remarks
 * **Model.** Tokens x ∈ {0 … V−1}^{T×B} (time-major: column b is sequence b) → embedding E ∈ ℝ^{V×e} → L
 * {@link StnLstm} layers (e → H → … → H) → an {@link StnDense} decoder H → V; logits [T·B, V], row t·B + b
 * predicting token t + 1 of sequence b. The LSTM layers and the decoder have the STN split; the embedding is
 * general only [R] (the reference's `HyperEmbedding` also has a response; ours leaves it out, and does not tie the
 * decoder to the embedding).
 *
 * **Hyperparameters** (indices in the space, {@link languageModelSpecs}, the reference's five dropouts):
 * 0 `dropoute` embedding dropout: whole rows of E (word types) dropped, mask m ∈ {0, 1/(1−p)}^V, one per
 * minibatch (the reference reads row 0's rate); 1 `dropouti` input dropout on the embeddings, 2 `dropouth` between
 * LSTM layers, 3 `dropouto` on the last LSTM's output: variational ("locked") masks, one Bernoulli draw per
 * sequence and unit shared by all T time steps, at each sequence's own perturbed rate; 4 `wdrop` DropConnect on
 * every hidden-to-hidden matrix (one mask per minibatch, W_gen and W_resp alike). Objective-only
 * hyperparameters (weight decay) follow.
 *
 * **Rows.** The method steps draw one hyperparameter row per label (y has T·B entries, rows t·B + b). The model
 * uses rows 0 … B − 1 (t = 0: one independent draw per sequence) for the masks and as h_net, the same for every
 * time step of a sequence; a hyper step passes B rows (one per validation sequence) directly.
 *
 * **Carried state (truncated BPTT).** Between windows the trainer carries each layer's final (h, c) as a constant
 * ({@link LanguageModel.setCarry}): a forward or tangent pass starts from it, and the first pass of a step records
 * its final state (for Δ-STN the general step's, at w0; for STN its perturbed pass). The state is reset at every
 * epoch start, and the hyper steps carry their own state through the validation streams, so a run resumed from the
 * checkpoint of an epoch repeats the uninterrupted run exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Dataset } from '../data/dataset.js';
import { batchify, bpttWindow, windowCount, type TokenStreams } from '../data/text.js';
import { HyperSpace, dropConnectSpec, dropoutSpec, inputDropoutSpec, type HyperparameterSpec } from './hyper.js';
import { StnDense, type StnLayer, type TangentOptions } from './layers.js';
import { StnLstm, type LstmState } from './lstm.js';
import { StnNetwork, type ForwardContext, type Masks } from './models.js';
import { matMul, oneHotFloat } from './ops.js';
import { MomentumSgd, VectorOptimizer } from './optimizers.js';
import { read, readAsync, readSync, type Reading } from './reading.js';
import { dropConnectMask, dropoutMask } from './regularizers.js';
import { NETWORK_METHODS, type NetworkMethod, type NnMethod, type StepContext, type TrainerState } from './methods/index.js';
import { crossEntropy } from './methods/steps.js';
import { initialTrainerState, readTrainerState, restoreTrainerState, type TrainerOptimizers } from './trainerState.js';
import { runEpoch, type EpochLog, type EpochLoop } from './epochLoop.js';

/** The five hyperparameters of the language model, in space order (module remarks). */
export const LM_HYPERPARAMETERS = ['dropoute', 'dropouti', 'dropouth', 'dropouto', 'wdrop'] as const;

/**
 * The language model's hyperparameter specs with initial values `init` by name (default 0.05 each, the
 * reference's): embedding dropout and DropConnect perturbed per minibatch (one mask per minibatch), the others
 * per sequence.
 */
export function languageModelSpecs(init: Readonly<Record<string, number>> = {}): HyperparameterSpec[] {
  const o = (name: string): { init?: number } => (init[name] === undefined ? {} : { init: init[name] });
  return [dropoutSpec('dropoute', { ...o('dropoute'), perturb: 'minibatch' }), inputDropoutSpec('dropouti', o('dropouti')), dropoutSpec('dropouth', o('dropouth')), dropoutSpec('dropouto', o('dropouto')), dropConnectSpec('wdrop', o('wdrop'))];
}

// Mask keys (the Masks map is keyed by number).
const EMBEDDING_MASK = 0;
const INPUT_MASK = 1;
const OUTPUT_MASK = 2;
const HIDDEN_MASK = 100; // + layer l (between layer l and l + 1)
const DROPCONNECT_MASK = 200; // + layer l

/** Options of {@link LanguageModel}. */
export interface LanguageModelOptions {
  /** V, the vocabulary size (≥ 2). */
  vocabulary: number;
  /** e, the embedding width (default 64). */
  embedding?: number;
  /** H, every LSTM layer's width (default 128). */
  hidden?: number;
  /** L, the number of LSTM layers (default 2, as the reference). */
  layers?: number;
  /** T, the BPTT window (default 35); `inputShape` is [T]. */
  bptt?: number;
  rng: Rng;
  /** Hyperparameters after the five that no block reads (weight decay; src/nn/models.ts ModelOptions). */
  objectiveHyperparameters?: number;
}

/** The language model (module remarks): an {@link StnNetwork} whose forward pass is the embedding, LSTMs and decoder. */
export class LanguageModel extends StnNetwork {
  readonly vocabulary: number;
  readonly embeddingWidth: number;
  readonly hidden: number;
  readonly bptt: number;
  /** E, [V, e] (general). */
  readonly embedding: tf.Variable;
  readonly lstms: readonly StnLstm[];
  readonly decoder: StnDense;
  private carry: { initial: LstmState[] | null; record: boolean; recorded: LstmState[] | null } = { initial: null, record: false, recorded: null };

  constructor(options: LanguageModelOptions) {
    const V = options.vocabulary;
    const e = options.embedding ?? 64;
    const H = options.hidden ?? 128;
    const L = options.layers ?? 2;
    const T = options.bptt ?? 35;
    for (const [name, v, min] of [['vocabulary', V, 2], ['embedding', e, 1], ['hidden', H, 1], ['layers', L, 1], ['bptt', T, 1]] as const) {
      if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(name, `an integer ≥ ${min}`, v);
    }
    const extra = options.objectiveHyperparameters ?? 0;
    if (!Number.isInteger(extra) || extra < 0) throw new InvalidArgumentError('objectiveHyperparameters', 'an integer ≥ 0', extra);
    const h = LM_HYPERPARAMETERS.length + extra;
    super('lstm', [], [T], h);
    this.vocabulary = V;
    this.embeddingWidth = e;
    this.hidden = H;
    this.bptt = T;
    const rng = options.rng;
    // E ~ U(±0.1) (the reference's init_weights).
    const data = Float32Array.from({ length: V * e }, () => (2 * rng.uniform() - 1) * 0.1);
    this.embedding = tf.variable(tf.tensor2d(data, [V, e]), true, `lstm-lm/embedding#${++embeddingVariables}`);
    this.lstms = Array.from({ length: L }, (_, l) => new StnLstm(l === 0 ? e : H, H, { hyperDim: h, rng, name: `lstm${l + 1}` }));
    this.decoder = new StnDense(H, V, { hyperDim: h, rng, name: 'decoder' });
  }

  override parameters(): { general: tf.Variable[]; response: tf.Variable[] } {
    const general: tf.Variable[] = [this.embedding];
    const response: tf.Variable[] = [];
    for (const l of [...this.lstms, this.decoder]) {
      const p = l.parameters();
      general.push(...p.general);
      response.push(...p.response);
    }
    return { general, response };
  }

  override layers(): StnLayer[] {
    return [...this.lstms.flatMap((l) => l.layers()), this.decoder];
  }

  /**
   * Dropout masks for a training pass from per-row constrained values (module remarks): rows 0 … B − 1 are used,
   * one per sequence; B is `sequences` when given, else rows / T (the T·B rows the method steps draw).
   * Keys: the embedding row mask [V, 1] (rate of row 0), the locked input, hidden and output masks [B, width]
   * (each sequence's rate), one DropConnect mask [H, 4H] per layer (rate of row 0).
   */
  override sampleMasks(hyperValues: readonly (readonly number[])[], rng: Rng, sequences?: number): Masks {
    const B = sequences ?? hyperValues.length / this.bptt;
    if (!Number.isInteger(B) || B < 1 || B > hyperValues.length) throw new InvalidArgumentError('hyperValues', `T·B rows (T = ${this.bptt}), or pass the number of sequences`, hyperValues.length);
    const rows = hyperValues.slice(0, B);
    const col = (k: number): number[] => rows.map((r) => r[k]);
    const masks: Masks = new Map();
    masks.set(EMBEDDING_MASK, dropoutMask([this.vocabulary, 1], new Array<number>(this.vocabulary).fill(rows[0][0]), rng));
    masks.set(INPUT_MASK, dropoutMask([B, this.embeddingWidth], col(1), rng));
    for (let l = 0; l < this.lstms.length - 1; l++) masks.set(HIDDEN_MASK + l, dropoutMask([B, this.hidden], col(2), rng));
    masks.set(OUTPUT_MASK, dropoutMask([B, this.hidden], col(3), rng));
    this.lstms.forEach((_, l) => masks.set(DROPCONNECT_MASK + l, dropConnectMask([this.hidden, 4 * this.hidden], rows[0][4], rng)));
    return masks;
  }

  /**
   * The carried state of the next passes (`initial`, one (h, c) per layer; null: zeros; the model does not own
   * it) and whether the first pass from now on records its final state ({@link takeRecorded}). Module remarks.
   */
  setCarry(initial: LstmState[] | null, record: boolean): void {
    if (initial && initial.length !== this.lstms.length) throw new InvalidArgumentError('initial', `${this.lstms.length} layer states`, initial.length);
    this.disposeRecorded();
    this.carry = { initial, record, recorded: null };
  }

  /** The final state recorded since {@link setCarry} (owned by the caller from now on), or null. */
  takeRecorded(): LstmState[] | null {
    const r = this.carry.recorded;
    this.carry.recorded = null;
    this.carry.record = false;
    return r;
  }

  private disposeRecorded(): void {
    for (const s of this.carry.recorded ?? []) tf.dispose([s.h, s.c]);
    this.carry.recorded = null;
  }

  private record(states: LstmState[]): void {
    if (!this.carry.record || this.carry.recorded) return;
    this.carry.recorded = states.map((s) => ({ h: tf.keep(tf.clone(s.h)), c: tf.keep(tf.clone(s.c)) }));
  }

  /** T, B of a token batch, and the B rows of hypernetwork input (from B or T·B rows). */
  private shapeOf(x: tf.Tensor, rows: tf.Tensor2D | null | undefined, what: string): { T: number; B: number; hnet: tf.Tensor2D | null } {
    if (x.rank !== 2 || x.dtype !== 'int32') throw new ShapeMismatchError('x', '[T, B] int32 token ids (time-major)', `${JSON.stringify(x.shape)} ${x.dtype}`);
    const [T, B] = x.shape;
    if (!rows) return { T, B, hnet: null };
    if (rows.rank !== 2 || rows.shape[1] !== this.hyperDim || (rows.shape[0] !== B && rows.shape[0] !== T * B)) {
      throw new ShapeMismatchError(what, `[${B} or ${T * B}, ${this.hyperDim}] (one row per sequence, or per label)`, JSON.stringify(rows.shape));
    }
    return { T, B, hnet: rows.shape[0] === B ? rows : (tf.slice(rows, [0, 0], [B, this.hyperDim]) as tf.Tensor2D) };
  }

  /** The embeddings [T·B, e] of x (one-hot product: tf.gather's gradient is missing on wasm), embedding dropout applied. */
  private embed(x: tf.Tensor, masks: Masks): tf.Tensor2D {
    const e = masks.get(EMBEDDING_MASK);
    const table = e ? tf.mul(this.embedding, e) : this.embedding;
    const emb = matMul(oneHotFloat(tf.reshape(x, [-1]), this.vocabulary) as tf.Tensor2D, table as tf.Tensor2D, { aIsConstant: true });
    const m = masks.get(INPUT_MASK);
    return m ? (tf.mul(emb, tf.tile(m, [x.shape[0], 1])) as tf.Tensor2D) : emb;
  }

  private dropoutAt(t: tf.Tensor, key: number, masks: Masks, T: number): tf.Tensor2D {
    const m = masks.get(key);
    return (m ? tf.mul(t, tf.tile(m, [T, 1])) : t) as tf.Tensor2D;
  }

  /** Logits [T·B, V] for tokens x ([T, B] int32, time-major); `ctx.hnet` [B or T·B, h] (module remarks). */
  override forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D {
    const r = this.run(x, ctx.hnet, ctx.masks, this.carry.initial);
    tf.dispose(r.state.flatMap((s) => [s.h, s.c]));
    return r.logits;
  }

  /**
   * One window from `initial` (null: zeros): logits and each layer's final state (new tensors, owned by the caller).
   * The trainer's evaluation calls it directly; {@link forward} wraps it with the carried state.
   */
  run(x: tf.Tensor, rows: tf.Tensor2D | null, masks: Masks, initial: LstmState[] | null): { logits: tf.Tensor2D; state: LstmState[] } {
    const out = tf.tidy(() => {
      const { T, hnet } = this.shapeOf(x, rows, 'ctx.hnet');
      let a = this.embed(x, masks);
      const state: LstmState[] = [];
      this.lstms.forEach((lstm, l) => {
        const r = lstm.apply(a, T, hnet, initial?.[l] ?? null, masks.get(DROPCONNECT_MASK + l) ?? null);
        state.push(r.state);
        a = l < this.lstms.length - 1 ? this.dropoutAt(r.output, HIDDEN_MASK + l, masks, T) : this.dropoutAt(r.output, OUTPUT_MASK, masks, T);
      });
      const logits = this.decoder.apply(a, hnet ? (tf.tile(hnet, [T, 1]) as tf.Tensor2D) : null) as tf.Tensor2D;
      return { logits, state };
    });
    this.record(out.state);
    return out;
  }

  /**
   * (logits, tangent) at h_net = 0 in the direction `direction` ([B or T·B, h]): the embeddings are constants of
   * the tangent (no response), each LSTM propagates (value, tangent) through its recurrence (src/nn/lstm.ts), the
   * dropout masks multiply both, and the decoder's tangent closes it (docs/math.md#s3-3). `hyper` is unused (no
   * block reads λ directly).
   */
  override tangent(x: tf.Tensor, masks: Masks, direction: tf.Tensor2D, _hyper: tf.Tensor2D | null = null, options: TangentOptions = {}): [tf.Tensor2D, tf.Tensor2D] {
    const initial = this.carry.initial;
    const out = tf.tidy(() => {
      const { T, hnet } = this.shapeOf(x, direction, 'direction');
      const eps = hnet as tf.Tensor2D;
      let a = this.embed(x, masks);
      let da: tf.Tensor2D | null = null;
      const state: LstmState[] = [];
      this.lstms.forEach((lstm, l) => {
        const r = lstm.tangent(a, da, T, eps, initial?.[l] ?? null, masks.get(DROPCONNECT_MASK + l) ?? null, options);
        state.push(r.state);
        const key = l < this.lstms.length - 1 ? HIDDEN_MASK + l : OUTPUT_MASK;
        a = this.dropoutAt(r.output, key, masks, T);
        da = this.dropoutAt(r.tangent, key, masks, T);
      });
      const [y, dy] = this.decoder.tangent(a, da, tf.tile(eps, [T, 1]) as tf.Tensor2D, null, options);
      return { y: y as tf.Tensor2D, dy: dy as tf.Tensor2D, state };
    });
    this.record(out.state);
    tf.dispose(out.state.flatMap((s) => [s.h, s.c]));
    return [out.y, out.dy];
  }

  override dispose(): void {
    this.disposeRecorded();
    super.dispose();
  }
}

let embeddingVariables = 0;

// ---------------------------------------------------------------------------------------------------------
// Training loop
// ---------------------------------------------------------------------------------------------------------

/** Token ids of the three parts (src/data/text.ts `splitText`). */
export interface TextData {
  train: Int32Array;
  val: Int32Array;
  test?: Int32Array;
}

/** Settings of {@link LanguageModelTrainer}; defaults after the STN reference's LSTM run (docs/math.md#s1-5) where they fit a CPU. */
export interface LanguageModelTrainerConfig {
  method: NnMethod;
  epochs: number;
  /** B, the parallel training streams (default 20). */
  batchSize?: number;
  /** Streams of the validation and test evaluation (default 10, the reference's). */
  evalBatchSize?: number;
  warmupEpochs?: number;
  /** T_train : T_val, train steps per hyper step (default 2 and 1, the reference's). */
  trainSteps?: number;
  valSteps?: number;
  /** The weights' SGD learning rate (default 1) and momentum (default 0: plain SGD as the reference). */
  lrWeights?: number;
  momentum?: number;
  /** Clip the weights' gradient to this global norm per optimizer (default 0.25, the reference's). */
  clip?: number;
  lrHyper?: number;
  lrScale?: number;
  hyperOptimizer?: 'rmsprop' | 'adam';
  entropyWeight?: number;
  tuneScales?: boolean;
  seed?: number;
  /**
   * Evaluate the training perplexity on the first this-many tokens of each training stream (default: as many as
   * a validation stream holds), so an epoch's evaluation costs about one validation pass.
   */
  trainEvalTokens?: number;
}

/** One set's evaluation: mean cross-entropy per token (nats), next-token accuracy, perplexity e^loss. */
export interface TextEvaluation {
  loss: number;
  accuracy: number;
  perplexity: number;
}

/** An epoch record: the image trainer's {@link EpochLog} with perplexities. */
export interface LanguageModelEpochLog extends EpochLog {
  /** The mean of the epoch's training-step losses (the method's L_T, with dropout and perturbations). */
  trainStepLoss: number;
  train: TextEvaluation;
  val: TextEvaluation;
  test?: TextEvaluation;
}

/** SGD (with momentum) whose gradient is first clipped to a global norm: g ← g · min(1, clip/‖g‖), on the device. */
class ClippedSgd extends MomentumSgd {
  private readonly clip: number;
  constructor(variables: tf.Variable[], learningRate: number, momentum: number, clip: number) {
    super(variables, learningRate, momentum);
    this.clip = clip;
  }

  override step(grads: readonly tf.Tensor[]): void {
    if (!Number.isFinite(this.clip)) {
      super.step(grads);
      return;
    }
    const clipped = tf.tidy(() => {
      const norm = tf.sqrt(grads.reduce<tf.Tensor>((acc, g) => tf.add(acc, tf.sum(tf.square(g))), tf.scalar(0)));
      const factor = tf.minimum(tf.div(this.clip, tf.add(norm, 1e-12)), 1);
      return grads.map((g) => tf.mul(g, factor));
    });
    super.step(clipped);
    tf.dispose(clipped);
  }
}

/** A stand-in {@link Dataset} the method steps hand back to the context's `images`/`labels` (only its identity is read). */
function handle(name: string, vocabulary: number, windows: number): Dataset {
  return { name, images: new Float32Array(0), labels: new Int32Array(0), shape: [1, 1, 1], classes: vocabulary, size: windows };
}

/**
 * The training loop of the language model: epochs of consecutive BPTT windows over B training streams with the
 * state carried between windows, a hyper step after every `trainSteps` windows (after the warm-up) on the next
 * window of the validation streams, and per-epoch perplexities. The train and hyper steps are the methods' own
 * (src/nn/methods), through a {@link StepContext} whose `images`/`labels` give token windows. Snapshots are
 * {@link TrainerState}s (src/nn/checkpoint.ts saves them); epoch e draws from `epochSeeds(seed, e)` (src/rng.ts) only.
 */
export class LanguageModelTrainer {
  readonly model: LanguageModel;
  readonly space: HyperSpace;
  readonly method: NetworkMethod;
  readonly config: Required<LanguageModelTrainerConfig>;
  state: TrainerState;
  private readonly general: tf.Variable[];
  private readonly response: tf.Variable[];
  private readonly optGeneral: ClippedSgd;
  private readonly optResponse: ClippedSgd;
  private readonly optLambda: VectorOptimizer;
  private readonly optScale: VectorOptimizer;
  private readonly trainStreams: TokenStreams;
  private readonly hyperStreams: TokenStreams;
  private readonly valStreams: TokenStreams;
  private readonly testStreams: TokenStreams | null;
  private readonly trainHandle: Dataset;
  private readonly valHandle: Dataset;
  private readonly context: StepContext;
  /** The window the context's `images`/`labels` serve for each handle. */
  private window = { train: 0, val: 0 };

  constructor(model: LanguageModel, space: HyperSpace, data: TextData, config: LanguageModelTrainerConfig) {
    const method = NETWORK_METHODS[config.method];
    if (!method || method.needsArchitecture) throw new InvalidArgumentError('method', 'fixed, stn, centered-stn, delta-stn or delta-stn-linearized', config.method);
    if (model.hyperDim !== space.h) throw new InvalidArgumentError('space', `${model.hyperDim} hyperparameters (the model's hypernetwork input)`, space.h);
    LM_HYPERPARAMETERS.forEach((n, k) => {
      if (space.specs[k]?.name !== n) throw new InvalidArgumentError('space', `the language model's hyperparameters first (${LM_HYPERPARAMETERS.join(', ')}: languageModelSpecs)`, space.specs[k]?.name);
    });
    const c: Required<LanguageModelTrainerConfig> = {
      method: config.method,
      epochs: config.epochs,
      batchSize: config.batchSize ?? 20,
      evalBatchSize: config.evalBatchSize ?? 10,
      warmupEpochs: config.warmupEpochs ?? 0,
      trainSteps: config.trainSteps ?? 2,
      valSteps: config.valSteps ?? 1,
      lrWeights: config.lrWeights ?? 1,
      momentum: config.momentum ?? 0,
      clip: config.clip ?? 0.25,
      lrHyper: config.lrHyper ?? 1e-2,
      lrScale: config.lrScale ?? config.lrHyper ?? 1e-2,
      hyperOptimizer: config.hyperOptimizer ?? 'rmsprop',
      entropyWeight: config.entropyWeight ?? 1e-3,
      tuneScales: config.tuneScales ?? true,
      seed: config.seed ?? 0,
      trainEvalTokens: config.trainEvalTokens ?? 0,
    };
    for (const [k, v] of Object.entries({ epochs: c.epochs, batchSize: c.batchSize, evalBatchSize: c.evalBatchSize, trainSteps: c.trainSteps, valSteps: c.valSteps })) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(k, 'an integer ≥ 1', v);
    }
    if (!Number.isInteger(c.warmupEpochs) || c.warmupEpochs < 0) throw new InvalidArgumentError('warmupEpochs', 'an integer ≥ 0', c.warmupEpochs);
    if (!(c.clip > 0)) throw new InvalidArgumentError('clip', 'a norm > 0 (Infinity: no clipping)', c.clip);
    if (!(c.entropyWeight >= 0)) throw new InvalidArgumentError('entropyWeight', 'τ ≥ 0', c.entropyWeight);
    if (!Number.isInteger(c.trainEvalTokens) || c.trainEvalTokens < 0) throw new InvalidArgumentError('trainEvalTokens', 'an integer ≥ 0 (0: a validation stream\'s length)', c.trainEvalTokens);
    const T = model.bptt;
    const vocab = model.vocabulary;
    for (const [name, tokens] of Object.entries(data)) {
      if (tokens === undefined) continue;
      for (let i = 0; i < tokens.length; i++) if (!(tokens[i] >= 0 && tokens[i] < vocab)) throw new InvalidArgumentError(`data.${name}[${i}]`, `a token id in [0, ${vocab})`, tokens[i]);
    }
    this.trainStreams = batchify(data.train, c.batchSize);
    this.hyperStreams = batchify(data.val, c.batchSize);
    this.valStreams = batchify(data.val, c.evalBatchSize);
    this.testStreams = data.test ? batchify(data.test, c.evalBatchSize) : null;
    for (const [name, s] of [['data.train', this.trainStreams], ['data.val', this.hyperStreams], ['data.val', this.valStreams], ['data.test', this.testStreams]] as const) {
      if (s && windowCount(s, T) < 1) throw new InvalidArgumentError(name, `at least ${s.streams * (T + 1)} tokens (one window of ${T} per stream, ${s.streams} streams)`, s.streams * s.length);
    }
    this.model = model;
    this.space = space;
    this.method = method;
    this.config = c;
    const params = model.parameters();
    this.general = params.general;
    this.response = params.response;
    this.optGeneral = new ClippedSgd(method.jointWeights ? [...this.general, ...this.response] : this.general, c.lrWeights, c.momentum, c.clip);
    this.optResponse = new ClippedSgd(this.response, c.lrWeights, c.momentum, c.clip);
    this.optLambda = new VectorOptimizer(c.hyperOptimizer, space.h, c.lrHyper);
    this.optScale = new VectorOptimizer(c.hyperOptimizer, space.h, c.lrScale);
    this.trainHandle = handle('text:train', vocab, windowCount(this.trainStreams, T));
    this.valHandle = handle('text:val', vocab, windowCount(this.hyperStreams, T));
    this.state = initialTrainerState(space, this.optimizers(), c.lrWeights);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context's `state` reads and writes this trainer's
    const trainer = this;
    this.context = {
      model,
      space,
      data: { train: this.trainHandle, val: this.valHandle },
      settings: { method: c.method, entropyWeight: c.entropyWeight, tuneScales: c.tuneScales, dartsXi: null, dartsScale: 0.01 },
      general: this.general,
      response: this.response,
      optGeneral: this.optGeneral,
      optResponse: this.optResponse,
      optLambda: this.optLambda,
      optScale: this.optScale,
      get state() {
        return trainer.state;
      },
      set state(value: TrainerState) {
        trainer.state = value;
      },
      images: (ds, indices) => tf.tensor2d(this.windowOf(ds, indices).inputs, [T, indices.length], 'int32'),
      labels: (ds, indices) => tf.tensor1d(this.windowOf(ds, indices).targets, 'int32'),
      augmentInputs: (x) => x,
      hyperRows: () => null,
    };
  }

  private windowOf(ds: Dataset, indices: ArrayLike<number>): { inputs: Int32Array; targets: Int32Array } {
    if (ds === this.trainHandle) return bpttWindow(this.trainStreams, this.window.train, this.model.bptt, indices);
    if (ds === this.valHandle) return bpttWindow(this.hyperStreams, this.window.val, this.model.bptt, indices);
    throw new InvalidArgumentError('ds', 'the trainer\'s training or validation handle', ds.name);
  }

  /**
   * One training step of the method on training window `k` (all streams, from a zero state, nothing carried);
   * returns its training loss. For benchmarks and tests: {@link runEpoch} is the loop.
   */
  trainStep(k: number, rng: Rng): number {
    this.window.train = k;
    const all = Int32Array.from({ length: this.config.batchSize }, (_, b) => b);
    const x = this.context.images(this.trainHandle, all);
    const y = this.context.labels(this.trainHandle, all);
    this.model.setCarry(null, false);
    try {
      return readSync(this.method.trainStep(this.context, x, y, all, rng));
    } finally {
      tf.dispose([x, y]);
      this.state.trainSteps++;
    }
  }

  /** One hyper step of the method on validation window `k` (from a zero state); returns the validation loss. */
  hyperStep(k: number, rng: Rng): number {
    this.window.val = k;
    const all = Int32Array.from({ length: this.config.batchSize }, (_, b) => b);
    this.model.setCarry(null, false);
    return readSync(this.method.hyperStep(this.context, all, rng, all));
  }

  /** Mean cross-entropy per token, accuracy and perplexity over every full window of `streams`, the state carried (evaluation mode). */
  private *evaluateReading(streams: TokenStreams, maxWindows = Infinity): Reading<TextEvaluation> {
    const T = this.model.bptt;
    const n = Math.min(windowCount(streams, T), maxWindows);
    const B = streams.streams;
    let state: LstmState[] | null = null;
    let lossSum = 0;
    let hits = 0;
    const rows = this.method.centered ? null : tf.tidy(() => tf.tile(tf.tensor2d([this.state.lambda], [1, this.space.h], 'float32'), [B, 1]) as tf.Tensor2D);
    try {
      for (let k = 0; k < n; k++) {
        const w = bpttWindow(streams, k, T);
        const x = tf.tensor2d(w.inputs, [T, B], 'int32');
        const y = tf.tensor1d(w.targets, 'int32');
        const r = this.model.run(x, rows, new Map(), state);
        const [lossT, hitsT] = tf.tidy(() => [crossEntropy(r.logits, y), tf.sum(tf.cast(tf.equal(tf.argMax(r.logits, 1), y), 'int32'))]);
        tf.dispose([x, y, r.logits]);
        for (const s of state ?? []) tf.dispose([s.h, s.c]);
        state = r.state;
        try {
          lossSum += (yield* read(lossT))[0];
          hits += (yield* read(hitsT))[0];
        } finally {
          tf.dispose([lossT, hitsT]);
        }
      }
    } finally {
      for (const s of state ?? []) tf.dispose([s.h, s.c]);
      rows?.dispose();
    }
    const loss = lossSum / n;
    return { loss, accuracy: hits / (n * T * B), perplexity: Math.exp(loss) };
  }

  /**
   * Evaluation of the validation or test streams (`evalBatchSize` streams), or of the training streams as the
   * steps see them (`batchSize` streams), at the current weights (w0 centered; w0 + Θλ for STN).
   */
  evaluate(part: 'train' | 'val' | 'test'): TextEvaluation {
    const s = part === 'train' ? this.trainStreams : part === 'val' ? this.valStreams : this.testStreams;
    if (!s) throw new InvalidArgumentError('part', "'val' (no test tokens were given)", part);
    return readSync(this.evaluateReading(s));
  }

  /** One epoch (module remarks of the class); `{ stopped }` with the state rolled back if a loss became non-finite. */
  runEpoch(onStep?: (done: number, total: number) => void): LanguageModelEpochLog | { stopped: string } {
    return readSync(this.epochReading(onStep));
  }

  /** {@link runEpoch} with asynchronous reads (every backend, WebGPU included). */
  runEpochAsync(onStep?: (done: number, total: number) => void): Promise<LanguageModelEpochLog | { stopped: string }> {
    return readAsync(this.epochReading(onStep));
  }

  private *epochReading(onStep?: (done: number, total: number) => void): Reading<LanguageModelEpochLog | { stopped: string }> {
    let stepLossSum = 0;
    let steps = 0;
    const r = yield* runEpoch(this.epochLoop((loss, n) => {
      stepLossSum += loss;
      steps = n;
    }), onStep);
    // The mean training-step loss first, as the record has always listed it.
    if ('stopped' in r) return r;
    const { epoch, method, ...rest } = r;
    return { epoch, method, trainStepLoss: stepLossSum / steps, ...rest };
  }

  /**
   * This trainer as the shared epoch loop sees it (src/nn/epochLoop.ts): a pass is the consecutive BPTT windows of
   * the training streams with the state carried from window to window (reset at the epoch's start), each hyper
   * step on the next window of the validation streams with their own carried state (both back to the first window
   * and a zero state when they run out); the evaluations are perplexities of the validation streams, of the
   * training streams' first tokens and of the test streams. `stepLoss(loss, n)` sees each train step's loss.
   */
  private epochLoop(stepLoss: (loss: number, steps: number) => void): EpochLoop<TextEvaluation> {
    const c = this.config;
    const T = this.model.bptt;
    const all = Int32Array.from({ length: c.batchSize }, (_, b) => b);
    const free = (s: LstmState[] | null): void => {
      for (const l of s ?? []) tf.dispose([l.h, l.c]);
    };
    return {
      trainer: this,
      snapshot: () => this.snapshotReading(),
      begin: (rng, valRng) => {
        const steps = windowCount(this.trainStreams, T);
        const valWindows = windowCount(this.hyperStreams, T);
        let trainState: LstmState[] | null = null;
        let valState: LstmState[] | null = null;
        this.window = { train: 0, val: 0 };
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- the pass's generator methods read this trainer
        const trainer = this;
        return {
          steps,
          *trainStep(k) {
            trainer.window.train = k;
            const x = trainer.context.images(trainer.trainHandle, all);
            const y = trainer.context.labels(trainer.trainHandle, all);
            trainer.model.setCarry(trainState, true);
            let loss: number;
            try {
              loss = yield* trainer.method.trainStep(trainer.context, x, y, all, rng);
            } finally {
              tf.dispose([x, y]);
              trainer.state.trainSteps++;
            }
            free(trainState);
            trainState = trainer.model.takeRecorded();
            stepLoss(loss, steps);
            return loss;
          },
          *hyperStep() {
            if (trainer.window.val >= valWindows) {
              trainer.window.val = 0;
              free(valState);
              valState = null;
            }
            trainer.model.setCarry(valState, true);
            const vl = yield* trainer.method.hyperStep(trainer.context, all, valRng, all);
            free(valState);
            valState = trainer.model.takeRecorded();
            trainer.window.val++;
            return vl;
          },
          close() {
            trainer.model.setCarry(null, false);
            free(trainState);
            free(valState);
          },
          *evaluate() {
            const val = yield* trainer.evaluateReading(trainer.valStreams);
            const trainWindows = Math.max(1, Math.floor((c.trainEvalTokens > 0 ? c.trainEvalTokens : trainer.valStreams.length) / T));
            const train = yield* trainer.evaluateReading(batchify(trainer.trainStreams.data, c.evalBatchSize), trainWindows);
            const test = trainer.testStreams ? yield* trainer.evaluateReading(trainer.testStreams) : undefined;
            return { train, val, test };
          },
        };
      },
    };
  }

  /** True once the epoch budget is spent. */
  done(): boolean {
    return this.state.epoch >= this.config.epochs;
  }

  /** The full state (weights in the model's parameter order, general then response; optimizer buffers). */
  snapshot(): TrainerState {
    return readSync(this.snapshotReading());
  }

  /** {@link snapshot} with asynchronous reads. */
  snapshotAsync(): Promise<TrainerState> {
    return readAsync(this.snapshotReading());
  }

  private snapshotReading(): Reading<TrainerState> {
    return readTrainerState(this.state, [...this.general, ...this.response], this.optimizers());
  }

  /** The optimizers a {@link TrainerState} carries (src/nn/trainerState.ts). */
  private optimizers(): TrainerOptimizers {
    return { general: this.optGeneral, response: this.optResponse, lambda: this.optLambda, scale: this.optScale };
  }

  /** Restores a {@link snapshot} (or a checkpoint's state). */
  restore(state: TrainerState): void {
    if (state.lambda.length !== this.space.h) throw new InvalidArgumentError('state.lambda', `${this.space.h} entries`, state.lambda.length);
    const scalars = restoreTrainerState(state, [...this.general, ...this.response], this.optimizers());
    this.optGeneral.learningRate = state.learningRate;
    this.optResponse.learningRate = state.learningRate;
    this.state = scalars;
  }

  dispose(): void {
    this.model.setCarry(null, false);
    this.optGeneral.dispose();
    this.optResponse.dispose();
  }
}

/** The language model's space (hyperparameters {@link languageModelSpecs}, then `extra` objective-only specs). */
export function languageModelSpace(init: Readonly<Record<string, number>> = {}, extra: readonly HyperparameterSpec[] = []): HyperSpace {
  return new HyperSpace([...languageModelSpecs(init), ...extra]);
}
