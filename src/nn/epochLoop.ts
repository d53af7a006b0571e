/**
 * One epoch of training, written once for the two training loops: the image trainer's minibatches
 * (src/nn/trainer.ts) and the language model's BPTT windows (src/nn/languageModel.ts). The loops differ in what a
 * step reads (a shuffled minibatch; the next window of every stream with the carried state) and in their
 * evaluation; the rest is this function's (docs/math.md#s2-3, #s3-5).
 *
 * @remarks
 * For epoch e = `state.epoch`, with settings T_train = `trainSteps`, T_val = `valSteps`, warm-up W = `warmupEpochs`:
 * 1. the state before the epoch is read off (the last good state);
 * 2. the epoch's two generators are `new Rng(s.train)` and `new Rng(s.val)` with s = `epochSeeds(seed, e)`
 *    (src/rng.ts), handed to the loop's `begin` before any step, so that a run resumed from the checkpoint of epoch
 *    e repeats the uninterrupted run;
 * 3. steps k = 0 … n − 1 (n = the pass's `steps`): train step k; then, unless e < W or the method tunes no
 *    hyperparameter, after every T_train-th train step ((k + 1) mod T_train = 0) T_val hyper steps;
 * 4. the evaluations; e ← e + 1; the best validation loss and the epochs since it are updated; the loop's
 *    `afterEpoch` runs (the image trainer's learning-rate schedule).
 * A non-finite training loss, hyper-step loss, λ or s (= rawScale), or a non-finite training or validation
 * evaluation, restores the state of 1. and ends the epoch with `{ stopped }`.
 */
import { Rng, epochSeeds } from '../rng.js';
import type { HyperSpace } from './hyper.js';
import type { Reading } from './reading.js';
import type { NetworkMethod, NnMethod, TrainerState } from './methods/index.js';

/** Loss and accuracy on one set. */
export interface Evaluation {
  loss: number;
  accuracy: number;
}

/** One epoch's log record (one JSONL line). */
export interface EpochLog {
  epoch: number;
  method: NnMethod;
  train: Evaluation;
  val: Evaluation;
  test?: Evaluation;
  /** Each hyperparameter's constrained value and σ. */
  hyper: Record<string, { value: number; scale: number }>;
  lambda: number[];
  rawScale: number[];
  trainSteps: number;
  hyperSteps: number;
  seconds: number;
  learningRate: number;
}

/** An {@link EpochLog} whose evaluations are of type `E` (the language model's add perplexities). */
export type EpochRecord<E extends Evaluation> = Omit<EpochLog, 'train' | 'val' | 'test'> & { train: E; val: E; test?: E };

/** What one epoch's pass over the data does, step by step (made by {@link EpochLoop.begin}). */
export interface EpochPass<E extends Evaluation> {
  /** n, the train steps of the epoch. */
  readonly steps: number;
  /** Train step k (0 ≤ k < n); its training loss. */
  trainStep(k: number): Reading<number>;
  /** One hyper step after train step k; its validation loss. */
  hyperStep(k: number): Reading<number>;
  /** Releases what the steps hold (the carried state); called once after the steps, also when the epoch stops in them. */
  close?(): void;
  /** The epoch-end evaluations (the trainer's current weights and λ). */
  evaluate(): Reading<{ train: E; val: E; test?: E }>;
}

/** What the epoch loop reads of a trainer (both trainers are one, as they are). */
export interface EpochTrainer {
  readonly space: HyperSpace;
  readonly method: NetworkMethod;
  /** seed, W, T_train, T_val of the module remarks, and the method's name for the record. */
  readonly config: { readonly seed: number; readonly warmupEpochs: number; readonly trainSteps: number; readonly valSteps: number; readonly method: NnMethod };
  /** The trainer's state (read again after every step: a step or a restore may replace it). */
  readonly state: TrainerState;
  /** Puts a state back (a {@link EpochLoop.snapshot}). */
  restore(state: TrainerState): void;
}

/** A trainer and its epoch's pass, as the epoch loop sees them. */
export interface EpochLoop<E extends Evaluation> {
  readonly trainer: EpochTrainer;
  /** A copy of the trainer's full state, read off the device. */
  snapshot(): Reading<TrainerState>;
  /** The epoch's pass, from its training and validation generators (module remarks, 2.). */
  begin(rng: Rng, valRng: Rng): EpochPass<E>;
  /** After the epoch is counted (module remarks, 4.); what it changes in the state shows in the record. */
  afterEpoch?(): Reading<void>;
}

/**
 * Runs one epoch of `loop` (module remarks); `onStep(k + 1, n)` after each train step and its hyper steps.
 * @returns the epoch's record, or `{ stopped }` (why) with the state restored to the one before the epoch.
 */
export function* runEpoch<E extends Evaluation>(loop: EpochLoop<E>, onStep?: (done: number, total: number) => void): Reading<EpochRecord<E> | { stopped: string }> {
  const trainer = loop.trainer;
  const c = trainer.config;
  const epoch = trainer.state.epoch;
  const before = yield* loop.snapshot();
  const stop = (reason: string): { stopped: string } => {
    trainer.restore(before);
    return { stopped: `${reason}; stopped, keeping the last good state (end of epoch ${before.epoch})` };
  };
  const t0 = performance.now();
  const seeds = epochSeeds(c.seed, epoch);
  const pass = loop.begin(new Rng(seeds.train), new Rng(seeds.val));
  const warm = epoch < c.warmupEpochs || !trainer.method.tunesHyperparameters;
  try {
    for (let s = 0; s < pass.steps; s++) {
      const loss = yield* pass.trainStep(s);
      if (!Number.isFinite(loss)) return stop(`training loss became ${loss} at epoch ${epoch}, step ${s}`);
      if (!warm && (s + 1) % c.trainSteps === 0) {
        for (let v = 0; v < c.valSteps; v++) {
          const vl = yield* pass.hyperStep(s);
          const state = trainer.state;
          if (!Number.isFinite(vl) || !state.lambda.every(Number.isFinite) || !state.rawScale.every(Number.isFinite)) return stop(`hyper step produced a non-finite value at epoch ${epoch}, step ${s}`);
        }
      }
      onStep?.(s + 1, pass.steps);
    }
  } finally {
    pass.close?.();
  }
  const { train, val, test } = yield* pass.evaluate();
  if (!Number.isFinite(train.loss) || !Number.isFinite(val.loss)) return stop(`evaluation loss became non-finite at epoch ${epoch}`);
  const state = trainer.state;
  state.epoch++;
  if (val.loss < state.bestVal) {
    state.bestVal = val.loss;
    state.epochsSinceBest = 0;
  } else state.epochsSinceBest++;
  if (loop.afterEpoch) yield* loop.afterEpoch();
  const after = trainer.state;
  return {
    epoch,
    method: c.method,
    train,
    val,
    ...(test ? { test } : {}),
    hyper: trainer.space.summary(after.lambda, after.rawScale),
    lambda: [...after.lambda],
    rawScale: [...after.rawScale],
    trainSteps: after.trainSteps,
    hyperSteps: after.hyperSteps,
    seconds: (performance.now() - t0) / 1000,
    learningRate: after.learningRate,
  };
}
