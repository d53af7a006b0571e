/**
 * deltastn: bilevel optimization of hyperparameters (STN, Δ-STN) with an exact theory kernel.
 * Public API, browser-safe (nothing here imports node:fs or reads process).
 */
// The theory kernel, the claims, the small engine, the toy experiments and their plots: everything of the
// `deltastn/theory` entry (its explicit list is in ./theoryEntry.ts; that entry never loads TensorFlow.js).
export * from './theoryEntry.js';

// The types of exported values' signatures, so that the API reference can show them (TypeDoc).

// nn (TensorFlow.js; browser-safe: datasets and checkpoints are in 'deltastn/node')
export { BACKEND_NAMES, BackendUnavailableError, formatBackendInfo, initBackend, isBackendName, NATIVE_ENV_DEFAULTS, type ActiveBackendName, type BackendInfo, type BackendName, type WebGpuAdapterInfo } from './nn/backend.js';
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
  labelSmoothingSpec,
  rotationSpec,
  translationSpec,
  affineScaleSpec,
  hueSpec,
  saturationSpec,
  architectureSpecs,
  type HyperparameterKind,
  type PerturbedHypers,
} from './nn/hyper.js';
export { adjustBrightness, adjustContrast, applyMask, brightness, channelDropoutMask, contrast, cutout, cutoutBox, cutoutMask, dropConnectMask, dropoutMask, greyMean, inputDropoutMask, jitterFactors, type CutoutBox, type PixelRange } from './nn/regularizers.js';
export { maxPool2x2, maxPool2x2Tangent, reluTangent, StnConv2d, StnDense, type StnConvOptions, type StnLayer, type StnLayerOptions, type StnParameters, type TangentOptions } from './nn/layers.js';
export { alexNet, mlp, simpleCnn, StnNetwork, type Block, type ForwardContext, type Masks, type ModelOptions } from './nn/models.js';
export { linear, type ModelLoss } from './nn/models.js';
export { type StnModule } from './nn/models.js';
export { BatchNorm, type BatchNormOptions } from './nn/batchNorm.js';
export { GlobalAveragePool, RESNET_HYPERPARAMETERS, ResidualBlock, optionAShortcut, resnet, toRgb32, type ResNetOptions, type ResidualBlockOptions, type ShortcutKind } from './nn/resnet.js';
export { adjustHue, adjustSaturation, affineParameters, affineSourceIndices, affineWarp, augmentInputs, hueShifts, type AffineParameters } from './nn/augment.js';
// NAS (src/nas): the search space, candidate operations, cells, genotypes, networks, and the small exact problem.
export { CELL_SPACES, cellEdges, CNN_OPS, edgeName, genotypeText, MLP_OPS, spaceOps, type CellSpaceKind, type Genotype, type OpName } from './nas/space.js';
export { makeCandidate, maxPool3x3Same, type Candidate, type CandidateOptions } from './nas/candidates.js';
export { edgeWeights, MixedCell, type MixedEdge } from './nas/cell.js';
export { cellSpaceSpecs, deriveGenotype, randomGenotype } from './nas/genotype.js';
export { cellSearchSpace, genotypeNetwork, type CellSpaceOptions } from './nas/networks.js';
export { nasProblem, type NasData, type NasLoss } from './nas/problem.js';
export type { CellBlock } from './nn/cells.js';
export { MomentumSgd, VectorOptimizer, type MomentumSgdOptions, type VectorOptimizerState } from './nn/optimizers.js';
export { finiteDifferenceMixedProduct, isDarts, NETWORK_METHODS, NN_METHODS, Trainer, type EpochLog, type Evaluation, type NetworkMethod, type NnMethod, type StepContext, type TrainerConfig, type TrainerData, type TrainerState } from './nn/trainer.js';
export type { StepSettings } from './nn/methods/context.js';
export type { Reading, ReadValues } from './nn/reading.js';

// tune (browser-safe math of the black-box baselines; the study runner is in 'deltastn/node')
export { erfc, expectedImprovement, fitGp, gpLogMarginalLikelihood, matern52, normalCdf, normalPdf, posterior, type FitGpOptions, type GaussianProcess, type GpHyperparameters } from './tune/gp.js';
export { bayesianOptimization, HYPER_VALUE_MARGIN, hyperValuesToLambda, maximizeExpectedImprovement, randomSearch, unitToHyperValues, type BayesianOptimizationOptions, type EiSearchOptions, type Suggester, type Trial } from './tune/search.js';
// the architecture-search records, summary and table (the runner is in 'deltastn/node')
export { ARCH_GRADIENT_METHODS, ARCH_METHODS, archSearchTable, archSearchTableRows, edgeSoftmax, formatAccuracy, isArchRecord, MARKDOWN_MARKUP, PLAIN_MARKUP, randomTrials, summarizeArchSearch, type ArchMethod, type ArchMethodSummary, type ArchRecord, type ArchSummaryConfig, type MeanStd, type RetrainResult, type SearchEpoch, type TableMarkup } from './tune/archSummary.js';
