/**
 * `fixed`: plain training at fixed hyperparameters, min over w of CE(f(x; w, masks at T(λ))); λ never moves in
 * a run (the epoch loop takes no hyper step: `tunesHyperparameters` is false). The baseline that random search and
 * Bayesian optimization run as their trials.
 */
import type { NetworkMethod } from './context.js';
import { responseHyperStep, unperturbedStep } from './steps.js';

export const fixed: NetworkMethod = {
  name: 'fixed',
  summary: 'plain training at fixed hyperparameters (the trials of random search and Bayesian optimization)',
  centered: true,
  jointWeights: false,
  tunesHyperparameters: false,
  needsArchitecture: false,
  trainStep: (ctx, x, y, _indices, rng) => unperturbedStep(ctx, x, y, rng),
  // Called directly (the loop never does), it is the centered hyper step: the hypergradient at w with h_net = σ⊙n.
  hyperStep: (ctx, indices, rng) => responseHyperStep(ctx, indices, rng, true),
};
