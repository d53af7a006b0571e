/**
 * The ridge toy (issue: "toy experiments" 1; docs/math.md#pt-8, PT-15): λ = log weight decay of a linear
 * regression, λ* = argmin_λ L_V(w*(λ)) found independently of every method, and the λ trajectory of each
 * method to its fixed point.
 *
 * Two kinds of trajectory:
 * - **hyper-descent**: λ ← λ − α·(method's hypergradient at λ), each method at its own fixed point in the
 *   inner problem (IFT: w*; hypernetworks: fitted with exact expectations). Its limit is the method's fixed
 *   point λ̂ (PT-15); Δ-STN at small σ lands within O(σ²) of λ*, STN at large σ elsewhere.
 * - **online**: the alternating algorithm of ./../driver.ts (gradient steps on w0, Θ and λ).
 */
import { InvalidArgumentError } from '../errors.js';
import { goldenBracket } from './bracket.js';
import { symmetricEigenvalues } from '../linalg/dense.js';
import { runDriver } from '../bilevel/driver.js';
import { ridgeProblem, type RegressionData } from '../bilevel/families.js';
import { hypernetwork, ift, solveInner, unrolled, type HypergradientMethod, type HypernetworkVariant } from '../bilevel/methods.js';
import type { BilevelProblem } from '../bilevel/problem.js';

/** The spec's ridge data (PT-6 training set, PT-8 validation set). */
export const SPEC_RIDGE_DATA: RegressionData = {
  Xtrain: [
    [1, 0],
    [0, 2],
    [1, 1],
  ],
  ytrain: [1, 2, 3],
  Xval: [
    [2, 1],
    [1, -1],
  ],
  yval: [2, 0.5],
};

/** Options for {@link findBestHyperparameter}. */
export interface BestHyperOptions {
  /** Search interval for λ (default [−12, 8]) and grid size (default 401). */
  lo?: number;
  hi?: number;
  gridPoints?: number;
}

/** λ* and how it was found. */
export interface BestHyper {
  lambdaStar: number;
  valLoss: number;
  /** The exact (IFT) hypergradient at λ*, ≈ 0 unless λ* sits on the interval's edge. */
  hypergradient: number;
  onBoundary: boolean;
}

/**
 * λ* = argmin_λ L_V(w*(λ)) for h = 1, independently of the methods under test: a grid over [lo, hi], then
 * golden-section search on the best grid bracket (which only locates the minimum to ~√ε), then bisection on
 * the sign of the exact IFT hypergradient inside the final bracket (the root, good to ~ε; PT-15 (docs/math.md#pt-15) note).
 */
export function findBestHyperparameter(problem: BilevelProblem, options: BestHyperOptions = {}): BestHyper {
  if (problem.hyperDim !== 1) throw new InvalidArgumentError('problem', 'a problem with one hyperparameter', `h = ${problem.hyperDim}`);
  const lo = options.lo ?? -12;
  const hi = options.hi ?? 8;
  const n = options.gridPoints ?? 401;
  if (!(lo < hi) || !Number.isInteger(n) || n < 3) throw new InvalidArgumentError('options', 'lo < hi and gridPoints ≥ 3', JSON.stringify(options));
  const f = (l: number): number => problem.valLoss([l], solveInner(problem, [l]));
  const { a, b, atEdge } = goldenBracket(f, lo, hi, n, 1e-12, 80);
  const exact = ift();
  const hg = (l: number): number => exact.hypergradient(problem, [l]).hypergradient[0];
  // Widen the bracket slightly and bisect on the hypergradient's sign when it changes sign there.
  let left = Math.max(lo, a - 1e-6);
  let right = Math.min(hi, b + 1e-6);
  let gl = hg(left);
  const gr = hg(right);
  let lambdaStar = (a + b) / 2;
  if (gl < 0 && gr > 0) {
    for (let i = 0; i < 200 && right - left > 4 * Number.EPSILON * Math.max(1, Math.abs(left)); i++) {
      const mid = (left + right) / 2;
      const gm = hg(mid);
      if (gm === 0) {
        left = right = mid;
        break;
      }
      if (gm < 0) {
        left = mid;
        gl = gm;
      } else right = mid;
    }
    lambdaStar = (left + right) / 2;
  }
  return {
    lambdaStar,
    valLoss: f(lambdaStar),
    hypergradient: hg(lambdaStar),
    onBoundary: atEdge,
  };
}

/** Options for {@link hyperDescent}. */
export interface HyperDescentOptions {
  /** α, the step on λ (default 0.5, as PT-15 (docs/math.md#pt-15)). */
  stepSize?: number;
  /** Stop when |Δλ| ≤ tol (default 1e-12) or after maxIterations (default 20 000). */
  tol?: number;
  maxIterations?: number;
}

/** A hyper-descent trajectory. */
export interface HyperDescentResult {
  method: string;
  finalLambda: number;
  iterations: number;
  converged: boolean;
  /** [iteration, λ] pairs (every iteration up to 200, then thinned geometrically). */
  trajectory: [number, number][];
}

/** λ_{t+1} = λ_t − α·hypergradient(λ_t) from `lambda0` until |Δλ| ≤ tol (h = 1). */
export function hyperDescent(problem: BilevelProblem, method: HypergradientMethod, lambda0: number, options: HyperDescentOptions = {}): HyperDescentResult {
  const alpha = options.stepSize ?? 0.5;
  const tol = options.tol ?? 1e-12;
  const maxIterations = options.maxIterations ?? 20000;
  let lambda = lambda0;
  const trajectory: [number, number][] = [[0, lambda]];
  let next = 1;
  for (let t = 1; t <= maxIterations; t++) {
    const g = method.hypergradient(problem, [lambda]).hypergradient[0];
    const step = alpha * g;
    lambda -= step;
    if (!Number.isFinite(lambda)) throw new InvalidArgumentError('stepSize', `a step for which hyper-descent stays finite (${method.name} diverged at iteration ${t})`, alpha);
    if (t <= 200 || t >= next) {
      trajectory.push([t, lambda]);
      if (t > 200) next = Math.ceil(t * 1.1);
    }
    if (Math.abs(step) <= tol) {
      if (trajectory[trajectory.length - 1][0] !== t) trajectory.push([t, lambda]);
      return { method: method.name, finalLambda: lambda, iterations: t, converged: true, trajectory };
    }
  }
  return { method: method.name, finalLambda: lambda, iterations: maxIterations, converged: false, trajectory };
}

/** Names accepted by `--method` for the ridge toy. */
export const RIDGE_METHODS = ['ift-dense', 'ift-cg', 'ift-neumann', 'unrolled', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const;
export type RidgeMethodName = (typeof RIDGE_METHODS)[number];

/** Options for {@link ridgeExperiment}. */
export interface RidgeExperimentOptions {
  /** Training and validation data (default the spec's, {@link SPEC_RIDGE_DATA}). */
  data?: RegressionData;
  /** Methods to run (default all). */
  methods?: readonly RidgeMethodName[];
  /** σ for the hypernetwork methods (default 0.05). */
  scale?: number;
  /** Starting λ (default 0). */
  lambda0?: number;
  /** Also run the online alternating algorithm for the hypernetwork methods (default true). */
  online?: boolean;
  /** Cycles of the online run (default 600). */
  onlineCycles?: number;
}

/** Result of {@link ridgeExperiment} (JSON-ready). */
export interface RidgeExperimentResult {
  lambdaStar: number;
  valLossStar: number;
  scale: number;
  lambda0: number;
  methods: (HyperDescentResult & { distanceToLambdaStar: number })[];
  online: { method: HypernetworkVariant; finalLambda: number; distanceToLambdaStar: number; stopped?: string; trajectory: [number, number][] }[];
}

function makeMethod(name: RidgeMethodName, problem: BilevelProblem, lambda0: number, scale: number): HypergradientMethod {
  switch (name) {
    case 'ift-dense':
      return ift({ solver: 'dense' });
    case 'ift-cg':
      return ift({ solver: 'cg' });
    case 'ift-neumann':
      return ift({ solver: 'neumann', terms: 400 });
    case 'unrolled': {
      // K = 400 steps with α = 1/λmax(H) at the start: well inside 0 < α < 2/λmax along the whole run here.
      const ev = symmetricEigenvalues(problem.trainHessian([lambda0], solveInner(problem, [lambda0])));
      return unrolled({ steps: 400, stepSize: 1 / ev[ev.length - 1] });
    }
    default:
      return hypernetwork(name, { scale: [scale] });
  }
}

/** Runs the ridge toy (see the module remarks). */
export function ridgeExperiment(options: RidgeExperimentOptions = {}): RidgeExperimentResult {
  const problem = ridgeProblem(options.data ?? SPEC_RIDGE_DATA);
  const scale = options.scale ?? 0.05;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError('sigma', 'a finite σ > 0', scale);
  const lambda0 = options.lambda0 ?? 0;
  const best = findBestHyperparameter(problem);
  const names = options.methods ?? RIDGE_METHODS;
  const methods = names.map((name) => {
    const r = hyperDescent(problem, makeMethod(name, problem, lambda0, scale), lambda0);
    return { ...r, method: name, distanceToLambdaStar: Math.abs(r.finalLambda - best.lambdaStar) };
  });
  const online: RidgeExperimentResult['online'] = [];
  if (options.online ?? true) {
    const H = problem.trainHessian([lambda0], solveInner(problem, [lambda0]));
    const ev = symmetricEigenvalues(H);
    for (const name of names) {
      if (!['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'].includes(name)) continue;
      const variant = name as HypernetworkVariant;
      // α1 = 1/(λmax(H)(1 + λ0² + σ²)): the joint STN Hessian is M ⊗ H with λmax(M) ≤ 1 + λ̄² + σ² (OBS-1).
      const lrWeights = 1 / (ev[ev.length - 1] * (1 + lambda0 * lambda0 + scale * scale));
      // Centered variants: the Θ block is preconditioned by 1/σ² (block-diagonal Hessian, see DriverOptions).
      const lrResponse = variant === 'stn' ? lrWeights : lrWeights / (scale * scale);
      const res = runDriver(problem, { variant, lambda: [lambda0], scale: [scale], cycles: options.onlineCycles ?? 600, trainSteps: 5, lrWeights, lrResponse, lrHyper: 0.5, warmupSteps: 50 });
      const finalLambda = res.state.lambda[0];
      online.push({ method: variant, finalLambda, distanceToLambdaStar: Math.abs(finalLambda - best.lambdaStar), stopped: res.stopped?.reason, trajectory: res.records.map((r) => [r.cycle, r.lambda[0]]) });
    }
  }
  return { lambdaStar: best.lambdaStar, valLossStar: best.valLoss, scale, lambda0, methods, online };
}
