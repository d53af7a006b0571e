/**
 * STN (MacKay et al. 2019; docs/math.md#s2): w0 and Θ trained jointly on
 * min_{w0,Θ} CE(f(x̃; w0 + Θ h_net, masks at T(λ + ε_i))), with h_net = λ + ε (`stn`, the uncentered form of the
 * paper) or h_net = ε (`centered-stn`, the centered parameterization without Δ-STN's other two changes).
 * Hyper step: the STN-family step ({@link responseHyperStep}).
 */
import type { NetworkMethod, StepContext } from './context.js';
import { perturbedStep, responseHyperStep } from './steps.js';
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.js';

function jointStep(centered: boolean) {
  return (ctx: StepContext, x: tf.Tensor, y: tf.Tensor1D, _indices: Int32Array, rng: Rng) =>
    perturbedStep(ctx, x, y, rng, { centered, variables: [...ctx.general, ...ctx.response], optimizer: ctx.optGeneral, linearized: false });
}

export const stn: NetworkMethod = {
  name: 'stn',
  summary: 'Self-Tuning Network: w0 and Θ trained jointly at h_net = λ + ε (uncentered)',
  centered: false,
  jointWeights: true,
  tunesHyperparameters: true,
  needsArchitecture: false,
  trainStep: jointStep(false),
  hyperStep: (ctx, indices, rng) => responseHyperStep(ctx, indices, rng, false),
};

export const centeredStn: NetworkMethod = {
  name: 'centered-stn',
  summary: 'STN with the centered parameterization w0 + Θε (Δ-STN change (a) alone)',
  centered: true,
  jointWeights: true,
  tunesHyperparameters: true,
  needsArchitecture: false,
  trainStep: jointStep(true),
  hyperStep: (ctx, indices, rng) => responseHyperStep(ctx, indices, rng, true),
};
