/**
 * deltastn: bilevel optimization of hyperparameters (STN, Δ-STN) with an exact theory kernel.
 * Public API, browser-safe (nothing here imports node:fs or reads process).
 */
export * from './errors.js';
export * from './tolerance.js';
export { Rng } from './rng.js';

// linalg
export * from './linalg/dense.js';
export * from './linalg/gaussHermite.js';
export * from './linalg/exact.js';
export * from './linalg/inertia.js';
export * from './linalg/cubature.js';

// theory
export * from './theory/claim.js';
export * as generators from './theory/generators.js';
export { claims, findClaim, claimIds } from './theory/registry.js';
export { runClaim, type ClaimReport, type CheckSummary, type RunOptions } from './theory/runner.js';
export * as scalarToys from './theory/scalarToys.js';
export * as obs1 from './theory/obs1.js';
export * as obs2 from './theory/obs2.js';
export * as thm3 from './theory/thm3.js';
export * as appE from './theory/appE.js';
export * as lin from './theory/lin.js';
export { conditioningReport } from './theory/obs1.js';
export { bestResponse, bestResponseJson, thm3Report } from './theory/thm3.js';

// bilevel
export * from './bilevel/problem.js';
export * from './bilevel/families.js';
export * from './bilevel/derivatives.js';
export * from './bilevel/newton.js';
export * from './bilevel/expectation.js';
export * from './bilevel/objectives.js';
export * from './bilevel/methods.js';
export * from './bilevel/driver.js';
export * from './experiments/ridge.js';
export * from './experiments/interaction.js';
export * from './experiments/plots.js';
export * from './experiments/jacobian.js';
export * from './experiments/conditioning.js';
export * from './experiments/nas.js';
// The types of exported values' signatures, so that the API reference can show them (TypeDoc).
export { nasProblem, type NasData, type NasLoss } from './bilevel/nas.js';

// report
export * from './report/plot.js';

// nn (TensorFlow.js; browser-safe: datasets and checkpoints are in 'deltastn/node')
export * from './nn/backend.js';
export * as ops from './nn/ops.js';
export * as nnHyper from './nn/hyper.js';
export {
  HyperSpace,
  dropoutSpec,
  channelDropoutSpec,
  inputDropoutSpec,
  dropConnectSpec,
  cutoutLengthSpec,
  cutoutHolesSpec,
  brightnessSpec,
  contrastSpec,
  weightDecaySpec,
  architectureSpecs,
  type HyperparameterKind,
  type PerturbedHypers,
} from './nn/hyper.js';
export * from './nn/regularizers.js';
export * from './nn/layers.js';
export * from './nn/models.js';
export * from './nn/cells.js';
export * from './nn/cellNetworks.js';
export * from './nn/optimizers.js';
export * from './nn/trainer.js';
export type { StepSettings } from './nn/methods/context.js';
export type { Reading, ReadValues } from './nn/reading.js';

// tune (browser-safe math of the black-box baselines; the study runner is in 'deltastn/node')
export * from './tune/gp.js';
export * from './tune/search.js';
// the architecture-search records, summary and table (the runner is in 'deltastn/node')
export * from './tune/archSummary.js';
