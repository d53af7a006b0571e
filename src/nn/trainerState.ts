/**
 * A trainer's state (`TrainerState`, src/nn/methods/context.ts) written once for the two training loops, the image
 * trainer (trainer.ts) and the language model's (languageModel.ts): the state at the start of a run, a copy read
 * off the device (weights, momentum buffers, the hyper optimizers), and its restore. A checkpoint is this state,
 * so the two loops share one checkpoint format and a resumed run repeats the uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { HyperSpace } from './hyper.js';
import type { MomentumSgd, VectorOptimizer } from './optimizers.js';
import { read, type Reading } from './reading.js';
import type { TrainerState } from './methods/index.js';

/** The optimizers whose state a {@link TrainerState} carries. */
export interface TrainerOptimizers {
  general: MomentumSgd;
  response: MomentumSgd;
  lambda: VectorOptimizer;
  scale: VectorOptimizer;
}

/** The state before the first step: λ and s at the space's initial values, α = `learningRate`, nothing else yet. */
export function initialTrainerState(space: HyperSpace, opt: TrainerOptimizers, learningRate: number): TrainerState {
  return {
    epoch: 0,
    trainSteps: 0,
    hyperSteps: 0,
    lambda: space.initialLambda(),
    rawScale: space.initialRawScale(),
    weights: [],
    generalMomentum: [],
    responseMomentum: [],
    lambdaOptimizer: opt.lambda.state(),
    scaleOptimizer: opt.scale.state(),
    bestVal: Infinity,
    epochsSinceBest: 0,
    learningRate,
  };
}

/** `state` with the arrays left empty, deep-copied (the arrays are filled from the device or the checkpoint). */
function scalarsOf(state: TrainerState): TrainerState {
  return { ...structuredClone({ ...state, weights: [], generalMomentum: [], responseMomentum: [] }), weights: [], generalMomentum: [], responseMomentum: [] };
}

/** A copy of `state` with the values of `variables` (in order) and the optimizers' buffers read off the device. */
export function* readTrainerState(state: TrainerState, variables: readonly tf.Variable[], opt: TrainerOptimizers): Reading<TrainerState> {
  const copies = function* (ts: readonly tf.Tensor[]): Reading<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const t of ts) out.push(Float32Array.from(yield* read(t)));
    return out;
  };
  return {
    ...scalarsOf(state),
    weights: yield* copies(variables),
    generalMomentum: yield* copies(opt.general.buffersOrEmpty()),
    responseMomentum: yield* copies(opt.response.buffersOrEmpty()),
    lambdaOptimizer: opt.lambda.state(),
    scaleOptimizer: opt.scale.state(),
  };
}

/**
 * Writes `state` back: the values of `variables` (in order) and the optimizers' states; returns the state's
 * scalars for the trainer to keep (the learning rates are the trainer's to set).
 * @throws InvalidArgumentError naming `state.weights` (or an entry) when the arrays do not fit the model.
 */
export function restoreTrainerState(state: TrainerState, variables: readonly tf.Variable[], opt: TrainerOptimizers): TrainerState {
  if (state.weights.length !== variables.length) throw new InvalidArgumentError('state.weights', `${variables.length} arrays (this model)`, state.weights.length);
  variables.forEach((v, i) => {
    if (state.weights[i].length !== v.size) throw new InvalidArgumentError(`state.weights[${i}]`, `${v.size} values`, state.weights[i].length);
    // The temporary tensor is freed with the tidy (a restore must not grow numTensors).
    tf.tidy(() => v.assign(tf.tensor(state.weights[i], v.shape)));
  });
  opt.general.setState(state.generalMomentum);
  opt.response.setState(state.responseMomentum);
  opt.lambda.setState(state.lambdaOptimizer);
  opt.scale.setState(state.scaleOptimizer);
  return scalarsOf(state);
}
