/**
 * Δ-STN (Bae & Grosse 2020; docs/math.md#s3): a general step min_{w0} CE(f(x; w0, masks at T(λ))) on the
 * unperturbed training loss, then a response step min_Θ CE(f(x̃; w0 + Θε, masks at T(λ + ε_i))) with x̃ augmented
 * per example at λ + ε_i (`delta-stn`), or through the network linearized in w around w0,
 * f(x̃; w0, masks) + J_w f · Θε from the tangent pass (`delta-stn-linearized`). Hyper step: the centered
 * STN-family step ({@link responseHyperStep}).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.js';
import type { Reading } from '../reading.js';
import type { NetworkMethod, StepContext } from './context.js';
import { perturbedStep, responseHyperStep, unperturbedStep } from './steps.js';

function twoSteps(linearized: boolean) {
  return function* (ctx: StepContext, x: tf.Tensor, y: tf.Tensor1D, _indices: Int32Array, rng: Rng): Reading<number> {
    const loss = yield* unperturbedStep(ctx, x, y, rng);
    const responseLoss = yield* perturbedStep(ctx, x, y, rng, { centered: true, variables: ctx.response, optimizer: ctx.optResponse, linearized });
    // The general loss is the step's training loss; but a response step that diverged (NaN/∞ in Θ) would go
    // unnoticed during warm-up (no hyper step reads Θ, and evaluation uses h_net = 0) and be checkpointed, so a
    // non-finite response loss is reported instead, which makes the epoch stop and restore the last good state.
    return Number.isFinite(responseLoss) ? loss : responseLoss;
  };
}

export const deltaStn: NetworkMethod = {
  name: 'delta-stn',
  summary: 'Δ-STN: w0 on the unperturbed loss, then Θ on the perturbed loss (centered)',
  centered: true,
  jointWeights: false,
  tunesHyperparameters: true,
  needsArchitecture: false,
  trainStep: twoSteps(false),
  hyperStep: (ctx, indices, rng) => responseHyperStep(ctx, indices, rng, true),
};

export const deltaStnLinearized: NetworkMethod = {
  name: 'delta-stn-linearized',
  summary: 'Δ-STN with the response step through the network linearized around w0 (the paper\'s full method)',
  centered: true,
  jointWeights: false,
  tunesHyperparameters: true,
  needsArchitecture: false,
  trainStep: twoSteps(true),
  hyperStep: (ctx, indices, rng) => responseHyperStep(ctx, indices, rng, true),
};
