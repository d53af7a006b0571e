/**
 * The Jacobian-accuracy experiment (src/experiments/jacobian.ts) and the conditioning experiment
 * (src/experiments/conditioning.ts), checked against the docs/math.md: #s4-3 Prop. L (PT-10, PT-11), #s4-2 and
 * PT-6 (ridge), docs/math.md#s4-1 Prop. C and PT-4/PT-5 (conditioning). Iteration counts are never ranked (PT-4).
 */
import { DOMParser } from 'linkedom';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  CONDITIONING_RATIOS,
  conditioningExperiment,
  conditioningProblem,
  plotConditioningExperiment,
  predictedIterationBound,
  type ConditioningExperimentResult,
} from '../../src/experiments/conditioning.js';
import {
  JACOBIAN_METHODS,
  PT6_RIDGE_DATA,
  frobeniusDistance,
  gaussNewtonIftJacobian,
  jacobianExperiment,
  jacobianProblem,
  logGrid,
  plotJacobianExperiment,
  type JacobianExperimentResult,
  type JacobianProblemResult,
  type JacobianRow,
} from '../../src/experiments/jacobian.js';
import { quadraticProblem, ridgeProblem, scalarToyProblem } from '../../src/bilevel/families.js';
import type { HypernetworkVariant } from '../../src/bilevel/methods.js';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import { choleskySolve, conditionNumber } from '../../src/linalg/dense.js';
import { toNumberMatrix } from '../../src/linalg/exact.js';
import { PT6_PROBLEM, weightDecayDeltaStn, weightDecayStn } from '../../src/theory/appE.js';
import { PT11_DATA, SMALL_SCALE_ORDER_TOL, linearizedResponse, weightDecayLinearizedResponse } from '../../src/theory/lin.js';
import { centeredSecondMoment, secondMoment } from '../../src/theory/obs1.js';
import { cubicToy, deltaStnResponseScalar, gaussNewtonScalar, stnJointScalar, tanhToy } from '../../src/theory/scalarToys.js';
import { QUADRATURE_TOL, closedFormRelTol, eigenRelTol, relativeError, relativeErrorVec } from '../../src/tolerance.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** |got − printed| within half a unit of the last printed decimal. */
function expectPrinted(got: number, printed: number, decimals: number, what: string): void {
  const tol = 0.5 * Math.pow(10, -decimals) * (1 + 1e-9);
  expect(Math.abs(got - printed), `${what}: got ${got}, printed ${printed}`).toBeLessThanOrEqual(tol);
}

/**
 * |got − printed| within half a unit of the last of `digits` significant figures, plus `floor`: an error
 * ‖θ − J*‖ ≈ 1e-5 is a difference of two O(1) vectors, so it carries their float64 rounding in absolute terms.
 */
function expectSignificant(got: number, printed: number, digits: number, what: string, floor = 0): void {
  const unit = Math.pow(10, Math.floor(Math.log10(Math.abs(printed))) - (digits - 1));
  expect(Math.abs(got - printed), `${what}: got ${got}, printed ${printed}`).toBeLessThanOrEqual(0.5 * unit * (1 + 1e-9) + floor);
}

function problemOf(result: JacobianExperimentResult, name: string): JacobianProblemResult {
  const p = result.problems.find((q) => q.name === name);
  if (!p) throw new Error(`no problem ${name}`);
  return p;
}

function rowsOf(p: JacobianProblemResult, method: HypernetworkVariant): JacobianRow[] {
  return p.rows.filter((r) => r.method === method);
}

function rowAt(p: JacobianProblemResult, method: HypernetworkVariant, scale: number): JacobianRow {
  const r = p.rows.find((q) => q.method === method && q.scale === scale);
  if (!r) throw new Error(`no row ${method} σ=${scale}`);
  return r;
}

/**
 * Order test in the spirit of lin.ts's Richardson check: with q(σ) = error/σ², an O(σ²) error has
 * q(σ₂)/q(σ₁) = 1 + O(σ²) at the two smallest scales (σ ≤ 0.0162 here), an O(σ) error gives σ₁/σ₂ ≈ 0.62 and an
 * O(1) error ≈ 0.38. {@link SMALL_SCALE_ORDER_TOL} is the structural threshold that separates them.
 */
function expectOrderTwo(rows: JacobianRow[], key: 'errorToExact' | 'errorToGaussNewton', what: string): void {
  const [a, b] = rows;
  const qa = a[key] / (a.scale * a.scale);
  const qb = b[key] / (b.scale * b.scale);
  expect(Math.abs(qb / qa - 1), `${what}: q(σ) = ${qa}, ${qb}`).toBeLessThan(SMALL_SCALE_ORDER_TOL);
}

function parseSvg(svg: string): { paths: number; root: string; texts: (string | null)[] } {
  type El = { tagName: string; textContent: string | null };
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as { documentElement: El; querySelectorAll(s: string): ArrayLike<El> & Iterable<El> };
  return { paths: doc.querySelectorAll('g[aria-label="line"] path').length, root: doc.documentElement.tagName.toLowerCase(), texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
}

// ---------------------------------------------------------------------------------------------------------
// Jacobian accuracy vs σ

describe('jacobianExperiment (default grid)', () => {
  let result: JacobianExperimentResult;
  beforeAll(() => {
    result = jacobianExperiment();
  });

  test('3 problems × 12 scales (log grid 0.01 … 2) × 4 methods, JSON-ready', () => {
    expect(result.scales.length).toBe(12);
    expect(result.scales[0]).toBe(0.01);
    expect(result.scales[11]).toBe(2);
    for (let k = 1; k < 12; k++) expect(relativeError(result.scales[k] / result.scales[k - 1], Math.pow(200, 1 / 11))).toBeLessThan(1e-12);
    expect(result.problems.map((p) => p.name)).toEqual(['cubic', 'tanh', 'ridge']);
    for (const p of result.problems) {
      expect(p.rows.length).toBe(48);
      expect(p.rows.slice(0, 4).map((r) => r.method)).toEqual([...JACOBIAN_METHODS]);
    }
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  test('J* and J*_GN are the spec values (PT-10, PT-11, PT-6)', () => {
    const cubic = problemOf(result, 'cubic');
    expectPrinted(cubic.bestResponse[0], 1, 12, 'PT-10 w*');
    expectPrinted(cubic.bestResponseJacobian[0][0], 0.25, 12, 'PT-10 J*');
    expectPrinted(cubic.gaussNewtonJacobian[0][0], 0.25, 12, 'PT-10 J*_GN (zero residual)');
    const tanh = problemOf(result, 'tanh');
    expect(tanh.lambda0).toEqual([-1]);
    expectPrinted(tanh.bestResponse[0], 0.42979628274018, 14, 'PT-11 w*');
    expectPrinted(tanh.bestResponseJacobian[0][0], -0.1386407161, 10, 'PT-11 J*');
    expectPrinted(tanh.gaussNewtonJacobian[0][0], -0.16468809472277, 14, 'PT-11 GN-IFT');
    const ridge = problemOf(result, 'ridge');
    expectPrinted(ridge.bestResponse[0], 0.641025641, 10, 'PT-6 w*[0]');
    expectPrinted(ridge.bestResponse[1], 0.7948717949, 10, 'PT-6 w*[1]');
    expectPrinted(ridge.bestResponseJacobian[0][0], -0.3333333333, 10, 'PT-6 J*[0]');
    expectPrinted(ridge.bestResponseJacobian[1][0], -0.2564102564, 10, 'PT-6 J*[1]');
  });

  test('cubic toy (PT-10, Prop. L.3): the linearized Δ-STN gives Θ = J* at every σ; the others do not', () => {
    const p = problemOf(result, 'cubic');
    for (const r of rowsOf(p, 'delta-stn-linearized')) expect(r.errorToExact, `σ = ${r.scale}`).toBeLessThanOrEqual(QUADRATURE_TOL);
    for (const m of ['stn', 'centered-stn', 'delta-stn'] as const) {
      const big = rowsOf(p, m).filter((r) => r.scale >= 0.1);
      for (const r of big) expect(r.errorToExact, `${m} σ = ${r.scale}`).toBeGreaterThan(1e-4);
    }
  });

  test('tanh toy (PT-11, Prop. L.2): linearized Θ → J*_GN and non-linearized Θ → J* as σ → 0', () => {
    const p = problemOf(result, 'tanh');
    const gap = frobeniusDistance(p.gaussNewtonJacobian, p.bestResponseJacobian);
    expect(gap).toBeGreaterThan(0.02);
    const lin = rowsOf(p, 'delta-stn-linearized');
    const non = rowsOf(p, 'delta-stn');
    // The distance to the own limit shrinks monotonically while σ ≤ 0.3, and the other limit stays ≈ gap away.
    const small = (rs: JacobianRow[]): JacobianRow[] => rs.filter((r) => r.scale <= 0.3);
    const decreasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]);
    expect(decreasing(small(lin).map((r) => r.errorToGaussNewton))).toBe(true);
    expect(decreasing(small(non).map((r) => r.errorToExact))).toBe(true);
    expect(lin[0].errorToGaussNewton).toBeLessThan(1e-4 * gap);
    expect(non[0].errorToExact).toBeLessThan(1e-4 * gap);
    expect(relativeError(lin[0].errorToExact, gap)).toBeLessThan(1e-3);
    expect(relativeError(non[0].errorToGaussNewton, gap)).toBeLessThan(1e-3);
    expectOrderTwo(lin, 'errorToGaussNewton', 'tanh linearized → J*_GN');
    expectOrderTwo(non, 'errorToExact', 'tanh non-linearized → J*');
  });

  test('STN and centered STN give the same Θ and the same ŵ(λ₀) (the same affine fit)', () => {
    for (const p of result.problems) {
      const kH = conditionNumber(jacobianProblem(p.name).problem.trainHessian(p.lambda0, p.bestResponse));
      for (const s of result.scales) {
        const u = rowAt(p, 'stn', s);
        const c = rowAt(p, 'centered-stn', s);
        // Newton stops at the same gradient size in both coordinates; the uncentered one is worse conditioned by κ(M_u).
        const tol = closedFormRelTol(conditionNumber(toNumberMatrix(secondMoment(p.lambda0, [s]))) * kH);
        expect(relativeErrorVec(u.response.flat(), c.response.flat()), `${p.name} σ = ${s}`).toBeLessThanOrEqual(tol);
        expect(relativeErrorVec(u.general, c.general), `${p.name} σ = ${s}`).toBeLessThanOrEqual(tol);
      }
    }
  });

  test('errors of the non-linearized fits are O(σ²) on every problem (and the linearized fit’s distance to J*_GN)', () => {
    for (const p of result.problems) {
      for (const m of ['stn', 'centered-stn', 'delta-stn'] as const) expectOrderTwo(rowsOf(p, m), 'errorToExact', `${p.name} ${m}`);
      if (p.name !== 'cubic') expectOrderTwo(rowsOf(p, 'delta-stn-linearized'), 'errorToGaussNewton', `${p.name} linearized`);
    }
  });

  test('ridge: f is linear in w, so J*_GN = J* and linearizing changes nothing; Δ-STN keeps w₀ = w*', () => {
    const p = problemOf(result, 'ridge');
    expect(relativeErrorVec(p.gaussNewtonJacobian.flat(), p.bestResponseJacobian.flat())).toBeLessThanOrEqual(closedFormRelTol(10));
    for (const s of result.scales) {
      const d = rowAt(p, 'delta-stn', s);
      const l = rowAt(p, 'delta-stn-linearized', s);
      expect(relativeErrorVec(d.response.flat(), l.response.flat())).toBeLessThanOrEqual(closedFormRelTol(10));
      expect(relativeErrorVec(d.general, p.bestResponse)).toBeLessThanOrEqual(closedFormRelTol(10));
      expect(relativeError(d.errorToExact, d.errorToGaussNewton)).toBeLessThanOrEqual(1e-6);
    }
  });

  test('one SVG per problem: a path per method (plus the J*_GN distance on tanh), deterministic', () => {
    const svgs = plotJacobianExperiment(result);
    expect(svgs.length).toBe(3);
    const parsed = svgs.map(parseSvg);
    expect(parsed.map((s) => s.root)).toEqual(['svg', 'svg', 'svg']);
    expect(parsed.map((s) => s.paths)).toEqual([4, 5, 4]);
    expect(parsed[1].texts).toContain('‖J*_GN − J*‖');
    // The cubic linearized errors are 0 to rounding: drawn on the floor, which the chart says.
    expect(parsed[0].texts.some((t) => t?.includes('drawn here'))).toBe(true);
    expect(plotJacobianExperiment(result)).toEqual(svgs);
  });
});

describe('jacobianExperiment against the spec tables and independent implementations', () => {
  const scales = [0.01, 0.1, 0.3, 0.5, 1];
  let result: JacobianExperimentResult;
  beforeAll(() => {
    result = jacobianExperiment({ scales });
  });

  test('PT-10 (cubic): Δ-STN θ and STN (ŵ(λ₀), θ) at the printed precision', () => {
    const p = problemOf(result, 'cubic');
    const table: [number, number, number, number][] = [
      [0.1, 0.249361, 0.999533, 0.249708],
      [0.3, 0.244612, 0.99594, 0.247425],
      [0.5, 0.236627, 0.989432, 0.243131],
      [1.0, 0.212808, 0.9674, 0.226814],
    ];
    for (const [s, delta, stnW, stnT] of table) {
      expectPrinted(rowAt(p, 'delta-stn', s).response[0][0], delta, 6, `Δ-STN σ=${s}`);
      for (const m of ['stn', 'centered-stn'] as const) {
        expectPrinted(rowAt(p, m, s).general[0], stnW, 6, `${m} ŵ(λ₀) σ=${s}`);
        expectPrinted(rowAt(p, m, s).response[0][0], stnT, 6, `${m} θ σ=${s}`);
      }
      expect(rowAt(p, 'delta-stn-linearized', s).response[0][0]).toBeCloseTo(0.25, 12);
    }
  });

  test('PT-11 (tanh): linearized and non-linearized θ at the printed precision', () => {
    const p = problemOf(result, 'tanh');
    const table: [number, number, number][] = [
      [0.01, -0.16468686, -0.13864094],
      [0.1, -0.16456379, -0.13866231],
      [0.5, -0.16093577, -0.13855477],
    ];
    for (const [s, lin, non] of table) {
      expectPrinted(rowAt(p, 'delta-stn-linearized', s).response[0][0], lin, 8, `linearized σ=${s}`);
      expectPrinted(rowAt(p, 'delta-stn', s).response[0][0], non, 8, `non-linearized σ=${s}`);
    }
  });

  test('PT-6 (ridge): ‖θ_Δ − J*‖ table and the STN / Δ-STN fits at σ = 0.5', () => {
    const p = problemOf(result, 'ridge');
    const errors: [number, number][] = [
      [0.01, 1.1300049758e-5],
      [0.1, 1.1264000129e-3],
      [0.3, 9.8849118663e-3],
      [1.0, 8.7987127607e-2],
    ];
    // θ and J* are solves with the 2×2 Hessian H = A + I: each is good to about eigenRelTol(2, κ(H)) relative.
    const kH = conditionNumber(jacobianProblem('ridge').problem.trainHessian([0], p.bestResponse));
    const floor = eigenRelTol(2, kH) * Math.hypot(...p.bestResponseJacobian.flat());
    for (const [s, e] of errors) expectSignificant(rowAt(p, 'delta-stn', s).errorToExact, e, 11, `‖θ_Δ − J*‖ σ=${s}`, floor);
    const stn = rowAt(p, 'stn', 0.5);
    [0.6447300498, 0.7823306705].forEach((v, i) => expectPrinted(stn.general[i], v, 10, `STN w0[${i}]`));
    [-0.3100686351, -0.2540105771].forEach((v, i) => expectPrinted(stn.response[i][0], v, 10, `STN θ[${i}]`));
    const delta = rowAt(p, 'delta-stn', 0.5);
    [-0.3072675106, -0.2589227281].forEach((v, i) => expectPrinted(delta.response[i][0], v, 10, `Δ-STN θ[${i}]`));
  });

  test('every fit agrees with the theory kernel’s own solvers to quadrature tolerance', () => {
    const cubic = cubicToy(1);
    const tanh = tanhToy(PT11_DATA.x, PT11_DATA.y, { weightDecay: true });
    const pc = problemOf(result, 'cubic');
    const pt = problemOf(result, 'tanh');
    const pr = problemOf(result, 'ridge');
    const wt = pt.bestResponse[0];
    for (const s of scales) {
      expect(relativeError(rowAt(pc, 'delta-stn', s).response[0][0], deltaStnResponseScalar(cubic, 2, 1, s))).toBeLessThanOrEqual(QUADRATURE_TOL);
      const joint = stnJointScalar(cubic, 2, s);
      expect(relativeError(rowAt(pc, 'stn', s).response[0][0], joint.response)).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(relativeError(rowAt(pc, 'centered-stn', s).general[0], joint.general)).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(relativeError(rowAt(pt, 'delta-stn', s).response[0][0], deltaStnResponseScalar(tanh, -1, wt, s))).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(relativeError(rowAt(pt, 'delta-stn-linearized', s).response[0][0], linearizedResponse(tanh, -1, wt, s))).toBeLessThanOrEqual(QUADRATURE_TOL);
      const closedL4 = weightDecayLinearizedResponse([[gaussNewtonScalar(tanh, -1, wt)]], [wt], -1, s)[0];
      expect(relativeError(rowAt(pt, 'delta-stn-linearized', s).response[0][0], closedL4)).toBeLessThanOrEqual(QUADRATURE_TOL);
      const stnClosed = weightDecayStn(PT6_PROBLEM, 0, s);
      expect(relativeErrorVec(rowAt(pr, 'centered-stn', s).response.flat(), stnClosed.response)).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(relativeErrorVec(rowAt(pr, 'centered-stn', s).general, stnClosed.general)).toBeLessThanOrEqual(QUADRATURE_TOL);
      const deltaClosed = weightDecayDeltaStn(PT6_PROBLEM, 0, s);
      expect(relativeErrorVec(rowAt(pr, 'delta-stn', s).response.flat(), deltaClosed.response)).toBeLessThanOrEqual(QUADRATURE_TOL);
    }
  });
});

describe('jacobian helpers and typed errors', () => {
  test('gaussNewtonIftJacobian needs an outputStructure; frobeniusDistance needs equal shapes', () => {
    const q = quadraticProblem({ A: [[2]], B: [[1]], b: [0] });
    expect(() => gaussNewtonIftJacobian(q, [0], [0])).toThrow(InvalidArgumentError);
    expect(() => frobeniusDistance([[1, 2]], [[1]])).toThrow(ShapeMismatchError);
    expect(frobeniusDistance([[3], [4]], [[0], [0]])).toBe(5);
    // Zero residual: the Gauss–Newton Jacobian is the exact one.
    const cubic = scalarToyProblem(cubicToy(1));
    expect(gaussNewtonIftJacobian(cubic, [2], [1])[0][0]).toBeCloseTo(0.25, 14);
  });

  test('logGrid: endpoints exact, geometric, validated', () => {
    const g = logGrid(0.1, 10, 3);
    expect(g[0]).toBe(0.1);
    expect(g[2]).toBe(10);
    expect(g[1]).toBeCloseTo(1, 14);
    expect(() => logGrid(0, 1)).toThrow(InvalidArgumentError);
    expect(() => logGrid(1, 0.5)).toThrow(InvalidArgumentError);
    expect(() => logGrid(0.1, 1, 1)).toThrow(InvalidArgumentError);
  });

  test('bad options are typed errors naming the option', () => {
    expect(() => jacobianExperiment({ scales: [] })).toThrow(InvalidArgumentError);
    expect(() => jacobianExperiment({ scales: [0.1, -1] })).toThrow(/scales\[1\]/);
    expect(() => jacobianExperiment({ scales: [Number.NaN] })).toThrow(NonFiniteError);
    expect(() => jacobianExperiment({ problems: ['quartic' as 'cubic'] })).toThrow(/problems\[0\]/);
    expect(() => jacobianExperiment({ problems: [] })).toThrow(InvalidArgumentError);
    expect(() => jacobianExperiment({ nodes: 20 })).toThrow(/nodes/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Conditioning in practice (OBS-1)

describe('conditioningExperiment (default: ridge data, σ = 1, r ∈ {0, ½, 1, 2, 4, 8, 16})', () => {
  let result: ConditioningExperimentResult;
  const A = conditioningProblem().trainHessian([0], [0, 0]);
  const b = [4 / 3, 7 / 3];
  const B = [2 / 3, 1];
  beforeAll(() => {
    result = conditioningExperiment();
  });

  test('shape, defaults, JSON-ready', () => {
    expect(result.rows.map((r) => r.ratio)).toEqual([...CONDITIONING_RATIOS]);
    expect(result.rows.map((r) => r.lambda0[0])).toEqual([...CONDITIONING_RATIOS]);
    expect([result.scale, result.tol, result.maxIterations]).toEqual([1, 1e-6, 200_000]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  test('Prop. C: κ(uncentered Hessian) ≥ κ(centered Hessian) at every r, with equality at r = 0', () => {
    for (const r of result.rows) {
      expect(r.uncentered.conditionNumber, `r = ${r.ratio}`).toBeGreaterThanOrEqual(r.centered.conditionNumber * (1 - eigenRelTol(4, r.uncentered.conditionNumber)));
    }
    expect(relativeError(result.rows[0].uncentered.conditionNumber, result.rows[0].centered.conditionNumber)).toBeLessThanOrEqual(eigenRelTol(4, 10));
    // κ_u grows with r; κ_c does not depend on λ₀ at all.
    const ku = result.rows.map((r) => r.uncentered.conditionNumber);
    expect(ku.every((k, i) => i === 0 || k > ku[i - 1])).toBe(true);
  });

  test('the joint Hessian is M ⊗ A (Eq. 4.4): κ = κ(M)·κ(A) in both parameterizations', () => {
    const kA = conditionNumber(A);
    for (const r of result.rows) {
      const kMu = conditionNumber(toNumberMatrix(secondMoment(r.lambda0, [result.scale])));
      const kMc = conditionNumber(toNumberMatrix(centeredSecondMoment([result.scale])));
      expect(relativeError(r.uncentered.conditionNumber, kMu * kA), `r = ${r.ratio}`).toBeLessThanOrEqual(eigenRelTol(4, kMu * kA));
      expect(relativeError(r.centered.conditionNumber, kMc * kA), `r = ${r.ratio}`).toBeLessThanOrEqual(eigenRelTol(4, kMc * kA));
    }
  });

  test('PT-4: each converged run is within its bound (+1); capped runs are reported as capped', () => {
    let capped = 0;
    for (const r of result.rows) {
      for (const run of [r.uncentered, r.centered]) {
        expect(run.predictedBound).toBe(predictedIterationBound(run.conditionNumber, result.tol));
        if (run.converged) {
          expect(run.iterations, `r = ${r.ratio}`).toBeLessThanOrEqual(run.predictedBound + 1);
          expect(run.finalRelativeError).toBeLessThanOrEqual(result.tol);
        } else {
          capped++;
          expect(run.iterations).toBe(result.maxIterations);
          expect(run.finalRelativeError).toBeGreaterThan(result.tol);
          // Not converging within the cap is only allowed where the bound does not promise it.
          expect(run.predictedBound).toBeGreaterThan(result.maxIterations);
        }
        // The contraction bound itself, at the last step.
        expect(run.finalRelativeError).toBeLessThanOrEqual(Math.pow(1 - 1 / run.conditionNumber, run.iterations) * (1 + 1e-9));
      }
    }
    // At r = 16 the uncentered κ ≈ 1.2e5 needs ≈ 1.6e6 steps: the default run shows a capped run.
    expect(capped).toBeGreaterThan(0);
    expect(result.rows.every((r) => r.centered.converged)).toBe(true);
  });

  test('PT-5: ψ* is the S1 closed form (Θ = A⁻¹B; w₀ = A⁻¹b uncentered, A⁻¹(b + Bλ₀) centered)', () => {
    const theta = choleskySolve(A, B).to1DArray();
    for (const r of result.rows) {
      const wc = choleskySolve(A, b.map((v, i) => v + B[i] * r.lambda0[0])).to1DArray();
      const wu = choleskySolve(A, b).to1DArray();
      expect(relativeErrorVec(r.uncentered.optimum, [...wu, ...theta])).toBeLessThanOrEqual(closedFormRelTol(r.uncentered.conditionNumber));
      expect(relativeErrorVec(r.centered.optimum, [...wc, ...theta])).toBeLessThanOrEqual(closedFormRelTol(r.centered.conditionNumber));
    }
  });

  test('plot: iterations and both bounds as four series, the cap as a rule; deterministic', () => {
    const svg = plotConditioningExperiment(result);
    const parsed = parseSvg(svg);
    expect(parsed.root).toBe('svg');
    expect(parsed.paths).toBe(4);
    expect(parsed.texts).toContain('cap 200000');
    expect(plotConditioningExperiment(result)).toBe(svg);
  });
});

describe('conditioning helpers, other problems and typed errors', () => {
  test('predictedIterationBound', () => {
    expect(predictedIterationBound(1, 1e-6)).toBe(1);
    expect(predictedIterationBound(2, 0.5)).toBe(1);
    expect(predictedIterationBound(2, 0.25)).toBe(2);
    expect(predictedIterationBound(100, 1e-6)).toBe(Math.ceil(Math.log(1e-6) / Math.log(0.99)));
    expect(() => predictedIterationBound(0.5, 1e-6)).toThrow(InvalidArgumentError);
    expect(() => predictedIterationBound(2, 1)).toThrow(InvalidArgumentError);
  });

  test('a small cap is reported as such, never as converged', () => {
    const r = conditioningExperiment({ ratios: [4], maxIterations: 10 });
    expect(r.rows[0].uncentered.converged).toBe(false);
    expect(r.rows[0].uncentered.iterations).toBe(10);
  });

  test('ridge with λ = log weight decay is quadratic in w too: the bound holds there (no Kronecker structure assumed)', () => {
    const r = conditioningExperiment({ problem: ridgeProblem(PT6_RIDGE_DATA), ratios: [0, 1, 2], scale: 0.5 });
    for (const row of r.rows) {
      for (const run of [row.uncentered, row.centered]) {
        expect(run.converged).toBe(true);
        expect(run.iterations).toBeLessThanOrEqual(run.predictedBound + 1);
      }
    }
  });

  test('a training loss that is not quadratic in w is refused, and bad options are typed errors', () => {
    expect(() => conditioningExperiment({ problem: scalarToyProblem(cubicToy(1)), ratios: [1] })).toThrow(/^problem:/);
    expect(() => conditioningExperiment({ ratios: [] })).toThrow(InvalidArgumentError);
    expect(() => conditioningExperiment({ ratios: [1, -2] })).toThrow(/ratios\[1\]/);
    expect(() => conditioningExperiment({ ratios: [Number.POSITIVE_INFINITY] })).toThrow(NonFiniteError);
    expect(() => conditioningExperiment({ scale: 0 })).toThrow(/scale/);
    expect(() => conditioningExperiment({ tol: 1 })).toThrow(/tol/);
    expect(() => conditioningExperiment({ maxIterations: 1.5 })).toThrow(/maxIterations/);
    expect(() => conditioningExperiment({ nodes: 1 })).toThrow(/nodes/);
  });
});
