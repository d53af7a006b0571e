/**
 * `deltastn/theory`: the exact theory kernel without TensorFlow.js — linear algebra (float64, exact rational,
 * certified bounds, quadrature), the paper's claims and their checks, the small float64 bilevel engine, the toy
 * experiments and their plots. Browser-safe and Node-safe; importing it never loads tfjs (tested:
 * test/house/entries.test.ts). The package's main entry (`deltastn`) re-exports all of it, plus the network
 * engine and the studies.
 */
export { DeltaStnError, describeValue, InvalidArgumentError, LimitExceededError, MAX_MESSAGE_CHARS, MAX_QUOTED_CHARS, NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, OutOfRangeError, ParseError, ShapeMismatchError, truncateForMessage } from './errors.js';
export { closedFormRelTol, eigenRelTol, EPS, FINITE_DIFFERENCE_REL_TOL, finiteDifferenceStep, highPrecisionRelTol, monteCarloTol, QUADRATURE_TOL, relativeError, relativeErrorVec } from './tolerance.js';
export { Rng } from './rng.js';

// linalg
export { assertFiniteMatrix, assertFiniteVector, assertSquare, assertSymmetric, choleskySolve, conditionNumber, conjugateGradient, dot, kron, norm2, symmetricEigen, symmetricEigenvalues, toMatrix, unvec, vec, type CgOptions, type CgResult, type JacobiOptions, type MatrixLike, type SymmetricEigen } from './linalg/dense.js';
export { forEachGaussianPoint, gaussHermite, gaussianExpectation, type QuadratureRule } from './linalg/gaussHermite.js';
export { addQ, addVecQ, bitLength, cayleyTransformQ, detQ, dotQ, equalQ, exactFromFloat, gcdBig, identityQ, invQ, isRational, isSymmetricQ, kronQ, math, matVecQ, multiplyQ, ONE, rational, rationalMatrix, rationalVector, ratioToNumber, scaleQ, SingularMatrixError, solveQ, solveVecQ, subQ, subVecQ, toIntegerMatrix, toNumber, toNumberMatrix, toRationalString, transposeQ, unvecQ, vecQ, ZERO, zerosQ, type Rational, type RationalLike, type RationalMatrix } from './linalg/exact.js';
export { certifiedConditionNumber, certifiedEigenvalue, countEigenvaluesBelow, gershgorinBounds, inertia, inertiaAt, isPositiveDefiniteQ, type CertifiedConditionNumber, type CertifiedInterval, type CertifyOptions, type CertifyStats, type Inertia } from './linalg/inertia.js';
export { gaussianMomentRule, type RationalRule } from './linalg/cubature.js';
export { sigmoid, softplus, softplusInverse } from './linalg/scalar.js';
export { distanceToInterval, intersects, nextFloat, productInterval, roundOutward, toBound, toFloat, type CertifiedBound } from './linalg/outward.js';

// theory
export { exactCheck, tolCheck, type AnyClaim, type Check, type CheckKind, type Claim, type ClaimId } from './theory/claim.js';
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
export { type BilevelProblem, type HyperKind, type HyperparameterSpec, type OutputStructure } from './bilevel/problem.js';
export { logisticProblem, quadraticProblem, ridgeProblem, scalarToyProblem, type QuadraticData, type RegressionData } from './bilevel/families.js';
export { checkDerivatives, type DerivativeCheck } from './bilevel/derivatives.js';
export { newtonMinimize, symmetricPart, type NewtonOptions, type NewtonResult, type SecondOrderOracle } from './bilevel/newton.js';
export { DEFAULT_EXPECTATION, perturbations, type ExpectationRule, type PerturbationSet } from './bilevel/expectation.js';
export { hypernetworkWeights, jointObjective, responseEntry, responseObjective, unvecResponse, vecResponse } from './bilevel/objectives.js';
export { fitHypernetwork, hypernetwork, ift, solveInner, unrolled, type HypergradientMethod, type HypergradientResult, type HypernetworkFit, type HypernetworkOptions, type HypernetworkVariant, type IftSolver, type InnerOptions, type UnrolledOptions } from './bilevel/methods.js';
export { inverseSoftplus, runDriver, type DriverOptions, type DriverRecord, type DriverResult, type DriverState } from './bilevel/driver.js';
export { hypergradientDescentRun, oneStepLearningRateGradient, type HdOptions, type HdRun } from './bilevel/learningRate.js';
export { findBestHyperparameter, hyperDescent, RIDGE_METHODS, ridgeExperiment, SPEC_RIDGE_DATA, type BestHyper, type BestHyperOptions, type HyperDescentOptions, type HyperDescentResult, type RidgeExperimentOptions, type RidgeExperimentResult, type RidgeMethodName } from './experiments/ridge.js';
export { interactionExperiment, type InteractionOptions, type InteractionResult, type InteractionRun } from './experiments/interaction.js';
export { plotInteractionExperiment, plotRidgeExperiment } from './experiments/plots.js';
export { frobeniusDistance, gaussNewtonIftJacobian, JACOBIAN_DEFAULT_NODES, JACOBIAN_METHODS, JACOBIAN_PROBLEMS, jacobianExperiment, jacobianProblem, logGrid, PLOT_ERROR_FLOOR, plotJacobianExperiment, PT6_RIDGE_DATA, type JacobianExperimentOptions, type JacobianExperimentResult, type JacobianProblemName, type JacobianProblemResult, type JacobianProblemSetup, type JacobianRow } from './experiments/jacobian.js';
export { CONDITIONING_RATIOS, conditioningExperiment, conditioningProblem, plotConditioningExperiment, predictedIterationBound, type ConditioningExperimentOptions, type ConditioningExperimentResult, type ConditioningRow, type GradientDescentRun } from './experiments/conditioning.js';
export { exactNasSolution, NAS_TOY_DATA, nasDescent, nasExperiment, plotNasExperiment, type NasExactSolution, type NasExperimentOptions, type NasExperimentResult, type NasRun } from './experiments/nas.js';

// report
export { lineChart, SERIES_COLORS, type AxisSpec, type AxisType, type BandSpec, type DomDocument, type DomElement, type LineChartOptions, type LineChartSpec, type RuleSpec, type SeriesSpec } from './report/plot.js';
