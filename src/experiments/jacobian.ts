/**
 * Experiment "Jacobian accuracy vs σ": how far each hypernetwork variant's response Θ lies from the
 * best-response Jacobian J* (and from the Gauss–Newton IFT Jacobian J*_GN) as the perturbation scale σ
 * shrinks. This is the idea of the Δ-STN paper's Figure 2 ("The Δ-STN approximates the best-response
 * Jacobian more accurately by linearizing the best-response hypernetwork", docs/math.md#s4 intro), on the spec's
 * small problems with exact (quadrature) expectations rather than the paper's networks.
 *
 * @remarks
 * What the spec predicts (docs/math.md#s4-3, Prop. L; the statements are the project's reconstruction [R]):
 * - cubic toy (PT-10, zero residual, output affine in λ): the linearized Δ-STN gives Θ = J* for every σ;
 * - tanh toy with weight decay (PT-11, non-zero residual): the linearized Θ → J*_GN and the non-linearized
 *   Θ → J* as σ → 0, each with an O(σ²) error; J*_GN ≠ J*;
 * - ridge (PT-6 / PT-8 data): the model is linear in w, so J*_GN = J* and linearizing changes nothing; the
 *   remaining O(σ²) error comes from λ entering through e^λ (docs/math.md#s4-3 caveat 5);
 * - STN and centered STN fit the same affine function, so their Θ agree (OBS-1's remark, docs/math.md#s4-2).
 * The problems, grids and the JSON shape are ours.
 *
 * @see docs/math.md#s3-1–#s3-3, #s4-2, #s4-3, #pt-6, PT-8, PT-10, PT-11
 */
import { SPEC_RIDGE_DATA } from './ridge.js';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, ShapeMismatchError } from '../errors.js';
import { choleskySolve } from '../linalg/dense.js';
import { lineChart, type SeriesSpec } from '../report/plot.js';
import { closedFormRelTol } from '../tolerance.js';
import { PT11_DATA } from '../theory/lin.js';
import { cubicToy, tanhToy } from '../theory/scalarToys.js';
import { perturbations } from '../bilevel/expectation.js';
import { ridgeProblem, scalarToyProblem, type RegressionData } from '../bilevel/families.js';
import { fitHypernetwork, ift, type HypernetworkVariant } from '../bilevel/methods.js';
import type { BilevelProblem } from '../bilevel/problem.js';

/** The problems of the experiment. */
export type JacobianProblemName = 'cubic' | 'tanh' | 'ridge';

/** The four hypernetwork variants, in the order rows and plots list them. */
export const JACOBIAN_METHODS: readonly HypernetworkVariant[] = ['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'];

/** Default problems: all three. */
export const JACOBIAN_PROBLEMS: readonly JacobianProblemName[] = ['cubic', 'tanh', 'ridge'];

/** Gauss–Hermite nodes per dimension used by default (docs/math.md#s6: ≥ 60; 80 reproduces the tables). */
export const JACOBIAN_DEFAULT_NODES = 80;

/**
 * docs/math.md#pt-6 training data and PT-8 validation data for ridge:
 * X = [[1,0],[0,2],[1,1]], y = (1,2,3); X_v = [[2,1],[1,−1]], y_v = (2, 0.5).
 */
export const PT6_RIDGE_DATA: RegressionData = SPEC_RIDGE_DATA;

/** A problem of the experiment with its λ₀. */
export interface JacobianProblemSetup {
  name: JacobianProblemName;
  problem: BilevelProblem;
  lambda0: number[];
}

/**
 * The experiment's problems: `'cubic'` = PT-10 (docs/math.md#pt-10), L_T = ½(w³ + w − λ)², λ₀ = 2 (w* = 1, J* = ¼);
 * `'tanh'` = PT-11, residuals tanh(w x_i) − y_i with weight decay ½e^λw², λ₀ = −1; `'ridge'` = weight-decay
 * ridge on the PT-6 / PT-8 data ({@link PT6_RIDGE_DATA}), λ = log weight decay, λ₀ = 0.
 * @throws InvalidArgumentError naming `name` for an unknown problem.
 */
export function jacobianProblem(name: JacobianProblemName): JacobianProblemSetup {
  switch (name) {
    case 'cubic':
      return { name, problem: scalarToyProblem(cubicToy(1)), lambda0: [2] };
    case 'tanh':
      return { name, problem: scalarToyProblem(tanhToy(PT11_DATA.x, PT11_DATA.y, { weightDecay: true })), lambda0: [-1] };
    case 'ridge':
      return { name, problem: ridgeProblem(PT6_RIDGE_DATA), lambda0: [0] };
    default:
      throw new InvalidArgumentError('name', "'cubic', 'tanh' or 'ridge'", name);
  }
}

/**
 * `count` scales spaced evenly in log σ from `lo` to `hi` inclusive (default 12 values, 0.01 … 2). The
 * endpoints are returned exactly.
 * @throws InvalidArgumentError unless count ≥ 2 is an integer and 0 < lo < hi are finite.
 */
export function logGrid(lo = 0.01, hi = 2, count = 12): number[] {
  if (!Number.isInteger(count) || count < 2) throw new InvalidArgumentError('count', 'an integer ≥ 2', count);
  if (!(lo > 0) || !Number.isFinite(lo)) throw new InvalidArgumentError('lo', 'a finite value > 0', lo);
  if (!(hi > lo) || !Number.isFinite(hi)) throw new InvalidArgumentError('hi', `a finite value > lo = ${lo}`, hi);
  const r = Math.log(hi / lo);
  return Array.from({ length: count }, (_, k) => (k === 0 ? lo : k === count - 1 ? hi : lo * Math.exp((r * k) / (count - 1))));
}

/**
 * Gauss–Newton IFT Jacobian $J^*_{GN} = -(\mathbf G_w + \nabla^2_w R)^{-1}\,\partial^2\mathcal L_T/\partial w\,\partial\lambda$ at
 * (λ, w) = (`lambda`, `weights`), with $\mathbf G_w = J_f^\top H_\ell J_f$ from `problem.outputStructure`: the exact
 * IFT Jacobian with the residual-weighted curvature Σ_j (∇ℓ)_j ∇²_w f_j dropped from the Hessian (not from
 * the cross term). It is the σ → 0 limit of the linearized Δ-STN response (docs/math.md#s4-3, Prop. L.2).
 * @throws InvalidArgumentError naming `problem` without an outputStructure; NotPositiveDefiniteError naming
 *   `gaussNewton` when G_w + ∇²_w R is not positive definite.
 * @see docs/math.md#s4-3 item 2
 */
export function gaussNewtonIftJacobian(problem: BilevelProblem, lambda: readonly number[], weights: readonly number[]): number[][] {
  const s = problem.outputStructure;
  if (!s) throw new InvalidArgumentError('problem', 'a problem with an outputStructure (Gauss–Newton form)', problem.name);
  const m = problem.weightDim;
  const Jf = s.outputJacobian(lambda, weights);
  const Hl = s.lossHessian(s.outputs(lambda, weights));
  const Hr = s.regularizerHessian(lambda, weights);
  const hj = Hl.map((row) => Array.from({ length: m }, (_, j) => row.reduce((acc, x, b) => acc + x * Jf[b][j], 0)));
  const G = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (__, j) => Jf.reduce((acc, row, a) => acc + row[i] * hj[a][j], 0) + Hr[i][j]));
  const mixed = problem.trainMixed(lambda, weights);
  let sol: number[][];
  try {
    sol = choleskySolve(G, mixed, 'gaussNewton').to2DArray();
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) throw e;
    throw new NotPositiveDefiniteError('gaussNewton', (e as Error).message);
  }
  return sol.map((row) => row.map((v) => -v));
}

/** Frobenius distance $\|A - B\|_F = (\sum_{ij}(a_{ij} - b_{ij})^2)^{1/2}$ of two equally shaped matrices. */
export function frobeniusDistance(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  if (a.length !== b.length) throw new ShapeMismatchError('b', `${a.length} rows`, `${b.length} rows`);
  let s = 0;
  a.forEach((row, i) => {
    if (row.length !== b[i].length) throw new ShapeMismatchError(`b[${i}]`, `length ${row.length}`, `length ${b[i].length}`);
    row.forEach((x, j) => {
      const d = x - b[i][j];
      s += d * d;
    });
  });
  return Math.sqrt(s);
}

/** Options for {@link jacobianExperiment}. */
export interface JacobianExperimentOptions {
  /** σ grid (each finite > 0); default {@link logGrid}() = 12 values from 0.01 to 2. */
  scales?: readonly number[];
  /** Which problems (default all three, in the order cubic, tanh, ridge). */
  problems?: readonly JacobianProblemName[];
  /** Gauss–Hermite nodes per dimension (integer in [60, 200]; default {@link JACOBIAN_DEFAULT_NODES}). */
  nodes?: number;
}

/** One fit: a method at a scale. */
export interface JacobianRow {
  scale: number;
  method: HypernetworkVariant;
  /** ŵ(λ₀), the hypernetwork's weights at λ₀ (for `'stn'` the intercept plus Θλ₀; w₀ otherwise). docs/math.md#s6's "STN w₀". */
  general: number[];
  /** Θ (m×h). */
  response: number[][];
  /** ‖Θ − J*‖_F. */
  errorToExact: number;
  /** ‖Θ − J*_GN‖_F. */
  errorToGaussNewton: number;
}

/** All fits of one problem. */
export interface JacobianProblemResult {
  name: JacobianProblemName;
  /** The problem's own name (e.g. "cubic(a=1)"). */
  problemName: string;
  lambda0: number[];
  /** w*(λ₀). */
  bestResponse: number[];
  /** J* = ∂w* / ∂λ at λ₀ (m×h), by {@link ift} with the dense solver. */
  bestResponseJacobian: number[][];
  /** J*_GN at (λ₀, w*) (m×h), {@link gaussNewtonIftJacobian}. */
  gaussNewtonJacobian: number[][];
  /** One row per (scale, method), scales in the order given, methods in {@link JACOBIAN_METHODS} order. */
  rows: JacobianRow[];
}

/** Result of {@link jacobianExperiment}: plain numbers and strings only (JSON-ready). */
export interface JacobianExperimentResult {
  experiment: 'jacobian-accuracy';
  nodes: number;
  scales: number[];
  problems: JacobianProblemResult[];
}

function parseOptions(options: JacobianExperimentOptions): { scales: number[]; problems: JacobianProblemName[]; nodes: number } {
  const scales = options.scales === undefined ? logGrid() : [...options.scales];
  if (!Array.isArray(scales) || scales.length === 0) throw new InvalidArgumentError('scales', 'at least one σ', 'an empty list');
  scales.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s)) throw new NonFiniteError(`scales[${i}]`, s);
    if (!(s > 0)) throw new InvalidArgumentError(`scales[${i}]`, 'σ > 0', s);
  });
  const problems = options.problems === undefined ? [...JACOBIAN_PROBLEMS] : [...options.problems];
  if (problems.length === 0) throw new InvalidArgumentError('problems', 'at least one problem', 'an empty list');
  problems.forEach((p, i) => {
    if (!JACOBIAN_PROBLEMS.includes(p)) throw new InvalidArgumentError(`problems[${i}]`, "'cubic', 'tanh' or 'ridge'", p);
  });
  const nodes = options.nodes ?? JACOBIAN_DEFAULT_NODES;
  if (!Number.isInteger(nodes) || nodes < 60 || nodes > 200) throw new InvalidArgumentError('nodes', 'an integer in [60, 200] (the quadrature tolerance needs ≥ 60 nodes)', nodes);
  return { scales, problems, nodes };
}

/**
 * Runs the experiment: for each problem (λ₀ fixed) and each σ in `options.scales`, fits the four variants
 * ({@link fitHypernetwork} with the `nodes`-point Gauss–Hermite expectation over ε ∼ N(0, σ²)) and records
 * Θ and its Frobenius distances to J* and J*_GN.
 *
 * @remarks
 * Deterministic: no sampling. Cost: 4·|scales| Newton fits per problem, each a few dozen passes over the
 * quadrature points (under a second for the defaults).
 * @throws InvalidArgumentError for an empty or non-positive `scales`, an unknown problem, `nodes` outside
 *   [60, 200]; NonFiniteError naming `scales[i]`.
 * @see docs/math.md#s4-3
 */
export function jacobianExperiment(options: JacobianExperimentOptions = {}): JacobianExperimentResult {
  const { scales, problems, nodes } = parseOptions(options);
  const results = problems.map((name): JacobianProblemResult => {
    const { problem, lambda0 } = jacobianProblem(name);
    const h = problem.hyperDim;
    const exact = ift({ solver: 'dense' }).hypergradient(problem, lambda0);
    const wStar = exact.weights;
    const jStar = exact.responseJacobian as number[][];
    const jGn = gaussNewtonIftJacobian(problem, lambda0, wStar);
    const rows: JacobianRow[] = [];
    for (const scale of scales) {
      const set = perturbations(new Array<number>(h).fill(scale), { kind: 'quadrature', nodes });
      for (const method of JACOBIAN_METHODS) {
        const fit = fitHypernetwork(problem, lambda0, method, set);
        const general = method === 'stn' ? fit.general.map((g, i) => g + fit.response[i].reduce((s, x, k) => s + x * lambda0[k], 0)) : fit.general;
        rows.push({
          scale,
          method,
          general,
          response: fit.response,
          errorToExact: frobeniusDistance(fit.response, jStar),
          errorToGaussNewton: frobeniusDistance(fit.response, jGn),
        });
      }
    }
    return { name, problemName: problem.name, lambda0: [...lambda0], bestResponse: [...wStar], bestResponseJacobian: jStar, gaussNewtonJacobian: jGn, rows };
  });
  // A solver that failed silently would leave NaN here; the result must stay JSON-ready.
  results.forEach((p, i) =>
    p.rows.forEach((r, j) => {
      if (!Number.isFinite(r.errorToExact) || !Number.isFinite(r.errorToGaussNewton)) throw new NonFiniteError(`problems[${i}].rows[${j}] (${r.method}, σ = ${r.scale})`, r.errorToExact);
    }),
  );
  return { experiment: 'jacobian-accuracy', nodes, scales, problems: results };
}

/**
 * Errors at or below this are drawn on it in the log–log plots (a log axis cannot show 0; the cubic toy's
 * linearized error is 0 up to rounding). The plot says so with a labelled rule.
 */
export const PLOT_ERROR_FLOOR = 1e-16;

/**
 * One SVG per problem: ‖Θ − J*‖_F against σ on log–log axes, one series per method (centered STN dashed,
 * since it coincides with STN), plus, where J*_GN ≠ J*, the linearized Δ-STN's distance to J*_GN (dashed)
 * and a rule at ‖J*_GN − J*‖_F, the linearized method's small-σ limit (left out where J*_GN = J* to
 * {@link closedFormRelTol}: the cubic toy has zero residual and ridge is linear in w).
 */
export function plotJacobianExperiment(result: JacobianExperimentResult): string[] {
  return result.problems.map((p) => {
    let floored = false;
    const clamp = (v: number): number => {
      if (v <= PLOT_ERROR_FLOOR) {
        floored = true;
        return PLOT_ERROR_FLOOR;
      }
      return v;
    };
    const series: SeriesSpec[] = JACOBIAN_METHODS.map((method) => ({
      name: method,
      dashed: method === 'centered-stn',
      points: p.rows.filter((r) => r.method === method).map((r): [number, number] => [r.scale, clamp(r.errorToExact)]),
    }));
    const gap = frobeniusDistance(p.gaussNewtonJacobian, p.bestResponseJacobian);
    const rules: { y: number; label: string }[] = [];
    // J*_GN = J* up to rounding (zero residual, or f linear in w) adds nothing to the picture.
    const size = Math.hypot(...p.bestResponseJacobian.flat());
    if (gap > closedFormRelTol() * Math.max(1, size)) {
      series.push({
        name: 'delta-stn-linearized vs J*_GN',
        dashed: true,
        points: p.rows.filter((r) => r.method === 'delta-stn-linearized').map((r): [number, number] => [r.scale, clamp(r.errorToGaussNewton)]),
      });
      rules.push({ y: gap, label: '‖J*_GN − J*‖' });
    }
    if (floored) rules.push({ y: PLOT_ERROR_FLOOR, label: `≤ ${PLOT_ERROR_FLOOR} drawn here` });
    return lineChart({
      title: `Jacobian error vs σ: ${p.problemName}, λ₀ = ${p.lambda0.join(', ')}`,
      x: { label: 'σ', type: 'log' },
      y: { label: '‖Θ − J*‖_F', type: 'log' },
      series,
      rules,
    });
  });
}
