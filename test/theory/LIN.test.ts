import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, ShapeMismatchError } from '../../src/errors.js';
import { kron, symmetricEigenvalues } from '../../src/linalg/dense.js';
import { math } from '../../src/linalg/exact.js';
import { Rng } from '../../src/rng.js';
import { FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, eigenRelTol, finiteDifferenceStep, relativeError, relativeErrorVec } from '../../src/tolerance.js';
import {
  LIN_CHECKS,
  PT11_DATA,
  checkLinCase,
  cubicBestResponseJacobianExact,
  cubicLinearizedResponseExact,
  linClaim,
  linCaseArb,
  linearizedObjectiveVec,
  linearizedResponse,
  linearizedResponseObjective,
  minResponseCurvature,
  vectorTanhToy,
  weightDecayLinearizedResponse,
} from '../../src/theory/lin.js';
import {
  bestResponseJacobianScalar,
  bestResponseScalar,
  cubicToy,
  deltaStnResponseScalar,
  gaussNewtonIftJacobianScalar,
  gaussNewtonScalar,
  newtonMinimize1d,
  newtonMinimize2d,
  responseObjectiveScalar,
  sinToy,
  stnJointScalar,
  tanhToy,
  trainLossJet,
  weightDecayRegularizer,
  weightDecayToy,
  type JetFunction,
  type ScalarJet,
  type ScalarToy,
} from '../../src/theory/scalarToys.js';

// ───────────────────────────── scalar toys: analytic jets against central differences ─────────────────────────────

/** Checks every entry of a jet against central differences of the lower-order entries. */
function expectJetMatchesFiniteDifferences(f: JetFunction, lambda: number, w: number): void {
  const hw = finiteDifferenceStep(w);
  const hl = finiteDifferenceStep(lambda);
  const j = f(lambda, w);
  const dW = (k: keyof ScalarJet): number => (f(lambda, w + hw)[k] - f(lambda, w - hw)[k]) / (2 * hw);
  const dL = (k: keyof ScalarJet): number => (f(lambda + hl, w)[k] - f(lambda - hl, w)[k]) / (2 * hl);
  const pairs: [number, number, string][] = [
    [j.dw, dW('value'), 'dw'],
    [j.dl, dL('value'), 'dl'],
    [j.dww, dW('dw'), 'dww'],
    [j.dwl, dL('dw'), 'dwl'],
    [j.dwl, dW('dl'), 'dlw'],
    [j.dll, dL('dl'), 'dll'],
    [j.dwww, dW('dww'), 'dwww'],
    [j.dwwl, dL('dww'), 'dwwl'],
    [j.dwll, dL('dwl'), 'dwll'],
  ];
  // Central differences of a quantity of size S lose about ε·S/h to rounding: measure relative to the jet's scale.
  const scale = Math.max(1, ...Object.values(j).map((v) => Math.abs(v)));
  for (const [an, fd, name] of pairs) expect(Math.abs(an - fd), `${name} at (λ, w) = (${lambda}, ${w})`).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL * scale);
}

/**
 * A test-only toy whose residual has every partial derivative non-zero (the spec's toys have ∂²_{wλ} r = 0, so a
 * wrong r_wλ term in the chain rule would go unseen): r = ½e^{λw} + w sin λ, plus weight decay.
 */
const denseToy: ScalarToy = {
  name: 'dense',
  size: 1,
  outputDependsOnLambda: true,
  residual: (_i, l, w) => {
    const e = 0.5 * Math.exp(l * w);
    return {
      value: e + w * Math.sin(l),
      dw: l * e + Math.sin(l),
      dl: w * e + w * Math.cos(l),
      dww: l * l * e,
      dwl: e + l * w * e + Math.cos(l),
      dll: w * w * e - w * Math.sin(l),
      dwww: l * l * l * e,
      dwwl: 2 * l * e + l * l * w * e,
      dwll: 2 * w * e + l * w * w * e - Math.sin(l),
    };
  },
  regularizer: weightDecayRegularizer,
};

const toys: [string, ScalarToy][] = [
  ['dense test toy (every derivative non-zero)', denseToy],
  ['sin', sinToy()],
  ['cubic a=1', cubicToy(1)],
  ['cubic a=2.5', cubicToy(2.5)],
  ['tanh + weight decay (PT-11)', tanhToy(PT11_DATA.x, PT11_DATA.y)],
  ['tanh − λx, R ≡ 0', tanhToy(PT11_DATA.x, PT11_DATA.y, { weightDecay: false, lambdaInOutput: true })],
  ['weight decay a=2, b=1', weightDecayToy(2, 1)],
];

describe('scalarToys: residual, regularizer and loss jets', () => {
  for (const [name, toy] of toys) {
    test.prop([fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -1.5, max: 1.5, noNaN: true })], { numRuns: 25 })(`${name}: residual and L_T jets = central differences`, (lambda, w) => {
      for (let i = 0; i < toy.size; i++) expectJetMatchesFiniteDifferences((l, v) => toy.residual(i, l, v), lambda, w);
      expectJetMatchesFiniteDifferences((l, v) => trainLossJet(toy, l, v), lambda, w);
    });
  }

  test.prop([fc.double({ min: -3, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true })], { numRuns: 25 })('weight-decay regularizer jet = central differences', (lambda, w) => {
    expectJetMatchesFiniteDifferences(weightDecayRegularizer, lambda, w);
  });

  test('best responses: sin → sin λ, cubic (PT-10) → 1, weight decay → b/(a + e^λ)', () => {
    expect(bestResponseScalar(sinToy(), 0.7)).toBeCloseTo(Math.sin(0.7), 14);
    expect(bestResponseScalar(cubicToy(1), 2)).toBeCloseTo(1, 14);
    expect(relativeError(bestResponseScalar(weightDecayToy(2, 1), 0.3), 1 / (2 + Math.exp(0.3)))).toBeLessThan(closedFormRelTol(1));
    expect(bestResponseJacobianScalar(sinToy(), 0.7, Math.sin(0.7))).toBeCloseTo(Math.cos(0.7), 14);
  });

  test('Newton minimisers: a 1-D double well and a 2-D Rosenbrock-like valley converge to minimisers', () => {
    const r1 = newtonMinimize1d((x) => [x ** 4 - 2 * x ** 2 + 0.3 * x, 4 * x ** 3 - 4 * x + 0.3, 12 * x ** 2 - 4], 0.1);
    expect(r1.converged).toBe(true);
    expect(Math.abs(r1.gradient[0])).toBeLessThan(1e-12);
    expect(12 * r1.x[0] ** 2 - 4).toBeGreaterThan(0);
    const r2 = newtonMinimize2d(
      (x) => [
        (1 - x[0]) ** 2 + 10 * (x[1] - x[0] ** 2) ** 2,
        [-2 * (1 - x[0]) - 40 * x[0] * (x[1] - x[0] ** 2), 20 * (x[1] - x[0] ** 2)],
        [
          [2 - 40 * (x[1] - x[0] ** 2) + 80 * x[0] ** 2, -40 * x[0]],
          [-40 * x[0], 20],
        ],
      ],
      [-1.2, 1],
    );
    expect(r2.converged).toBe(true);
    expect(Math.abs(r2.x[0] - 1)).toBeLessThan(1e-10);
    expect(Math.abs(r2.x[1] - 1)).toBeLessThan(1e-10);
  });

  test('the line search rescues Newton where the pure iteration diverges (√(1+‖x‖²) from ‖x‖ = 2: x ↦ −x³)', () => {
    const r1 = newtonMinimize1d((x) => [Math.sqrt(1 + x * x), x / Math.sqrt(1 + x * x), (1 + x * x) ** -1.5], 2);
    expect(r1.converged).toBe(true);
    expect(Math.abs(r1.x[0])).toBeLessThan(1e-10);
    const r2 = newtonMinimize2d((x) => {
      const q = 1 + x[0] ** 2 + x[1] ** 2;
      const s = Math.sqrt(q);
      return [
        s,
        [x[0] / s, x[1] / s],
        [
          [(q - x[0] ** 2) / q ** 1.5, (-x[0] * x[1]) / q ** 1.5],
          [(-x[0] * x[1]) / q ** 1.5, (q - x[1] ** 2) / q ** 1.5],
        ],
      ];
    }, [1.5, -1.5]);
    expect(r2.converged).toBe(true);
    expect(Math.hypot(r2.x[0], r2.x[1])).toBeLessThan(1e-10);
  });

  test('typed errors: bad toys, bad σ, too few nodes, no strict minimiser', () => {
    expect(() => cubicToy(0)).toThrow(InvalidArgumentError);
    expect(() => cubicToy(Number.NaN)).toThrow(NonFiniteError);
    expect(() => tanhToy([1, 2], [1])).toThrow(InvalidArgumentError);
    expect(() => tanhToy([], [])).toThrow(InvalidArgumentError);
    expect(() => tanhToy([Number.POSITIVE_INFINITY], [1])).toThrow(NonFiniteError);
    expect(() => weightDecayToy(-1, 1)).toThrow(InvalidArgumentError);
    expect(() => responseObjectiveScalar(sinToy(), 0, 0, 0, 1)).toThrow(InvalidArgumentError);
    expect(() => responseObjectiveScalar(sinToy(), 0, 0, 0.5, 1, 20)).toThrow(InvalidArgumentError);
    // ½(tanh(w) − 2)² has no minimiser (the infimum is at w → ∞).
    expect(() => bestResponseScalar(tanhToy([1], [2], { weightDecay: false }), 0)).toThrow(InvalidArgumentError);
  });
});

// ─────────────────────────────────────────────── the claim ───────────────────────────────────────────────

describe('LIN claim (property)', () => {
  test.prop([linClaim.arbitrary], { numRuns: 100 })('every proof-step check passes on random problems', (c) => {
    for (const check of linClaim.check(c)) expect(check.passed, `${check.name}: ${check.error} > ${check.tolerance} (${check.detail ?? ''})`).toBe(true);
  });

  test('one check per proof step, with the registered names', () => {
    const c = fc.sample(linCaseArb, { numRuns: 1, seed: 5 })[0];
    expect(checkLinCase(c).map((k) => k.name)).toEqual(Object.values(LIN_CHECKS));
  });

  test('reference checks (PT-10, PT-11, the §4.3 counterexample) all pass', () => {
    const refs = linClaim.referenceChecks();
    expect(refs.length).toBeGreaterThan(30);
    for (const r of refs) expect(r.passed, `${r.name}: ${r.detail ?? ''}`).toBe(true);
  });
});

// ─────────────────────────────────────────── L.1 convexity ───────────────────────────────────────────

const pt11 = tanhToy(PT11_DATA.x, PT11_DATA.y);
const w11 = bestResponseScalar(pt11, -1);
const cex = tanhToy(PT11_DATA.x, PT11_DATA.y, { weightDecay: false, lambdaInOutput: true });
const wCex = bestResponseScalar(cex, 0.2, { start: 1 });

describe('L.1 convexity of F_lin', () => {
  test.prop([fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -30, max: 30, noNaN: true }), fc.constantFrom(0.1, 0.5, 1, 2)], { numRuns: 60 })(
    'midpoint convexity on random pairs (PT-11 and the counterexample toy)',
    (a, b, s) => {
      for (const [toy, l0, w0] of [
        [pt11, -1, w11],
        [cex, 0.2, wCex],
      ] as const) {
        const f = linearizedResponseObjective(toy, l0, w0, s);
        const fa = f(a).value;
        const fb = f(b).value;
        expect(f(0.5 * (a + b)).value).toBeLessThanOrEqual(0.5 * (fa + fb) + closedFormRelTol(1) * (Math.abs(fa) + Math.abs(fb)));
      }
    },
  );

  test('the non-linearized objective is NOT convex on the counterexample toy (found F″ < 0), F_lin is', () => {
    for (const s of [0.1, 0.5, 1]) {
      const neg = minResponseCurvature(cex, 0.2, wCex, s, -20, 20, 400);
      expect(neg.curvature).toBeLessThan(0);
      expect(linearizedResponseObjective(cex, 0.2, wCex, s)(neg.response).curvature).toBeGreaterThan(0);
      // F″ by a central difference of F′ confirms the sign (not an artefact of the curvature formula).
      const h = finiteDifferenceStep(Math.max(Math.abs(neg.response), 1 / s));
      const fd = (responseObjectiveScalar(cex, 0.2, wCex, s, neg.response + h).gradient - responseObjectiveScalar(cex, 0.2, wCex, s, neg.response - h).gradient) / (2 * h);
      expect(relativeError(fd, neg.curvature)).toBeLessThan(FINITE_DIFFERENCE_REL_TOL * 10);
    }
  });

  test('observation (reported, not a claim): with weight decay on the PT-11 data no negative F″ was found on [−20, 20]', () => {
    for (const s of [0.1, 0.5, 1]) expect(minResponseCurvature(pt11, -1, w11, s, -20, 20, 400).curvature).toBeGreaterThan(0);
  });
});

describe('L.1 in matrix form: ∇²F_lin = E[(εεᵀ) ⊗ JᵀH_ℓJ] + E[(εεᵀ) ⊗ ∇²R] is PSD', () => {
  const caseArb = fc
    .record({ m: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 1, max: 4 }), seed: fc.integer() })
    .map(({ m, h, n, seed }) => {
      const rng = new Rng(seed);
      const X = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.normal()));
      const y = Array.from({ length: n }, () => 0.5 * rng.normal());
      const lambda0 = Array.from({ length: h }, () => rng.normal() - 1);
      const w0 = Array.from({ length: m }, () => 0.5 * rng.normal());
      const sigma = Array.from({ length: h }, () => 0.2 + rng.uniform());
      const theta = Array.from({ length: m }, () => Array.from({ length: h }, () => rng.normal()));
      return { X, y, lambda0, w0, sigma, theta, m, h };
    });

  test.prop([caseArb, fc.boolean()], { numRuns: 30 })('Hessian = central difference of the gradient, and PSD', (c, wd) => {
    const toy = vectorTanhToy(c.X, c.y, c.h, wd);
    const nodes = c.h === 1 ? 80 : 24;
    const base = linearizedObjectiveVec(toy, c.lambda0, c.w0, c.sigma, c.theta, nodes);
    const mh = c.m * c.h;
    for (let p = 0; p < mh; p++) {
      const step = finiteDifferenceStep(1);
      const plus = c.theta.map((row) => [...row]);
      const minus = c.theta.map((row) => [...row]);
      plus[p % c.m][Math.floor(p / c.m)] += step;
      minus[p % c.m][Math.floor(p / c.m)] -= step;
      const gp = linearizedObjectiveVec(toy, c.lambda0, c.w0, c.sigma, plus, nodes).gradient;
      const gm = linearizedObjectiveVec(toy, c.lambda0, c.w0, c.sigma, minus, nodes).gradient;
      const col = gp.map((v, i) => (v - gm[i]) / (2 * step));
      const scale = Math.max(1, ...base.hessian.map((row) => Math.max(...row.map(Math.abs))));
      col.forEach((v, i) => expect(Math.abs(v - base.hessian[i][p])).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL * scale));
    }
    const ev = symmetricEigenvalues(base.hessian);
    expect(ev[0]).toBeGreaterThanOrEqual(-eigenRelTol(mh, 1) * Math.abs(ev[mh - 1]));
  });

  test.prop([caseArb], { numRuns: 20 })('R ≡ 0 and a λ-free output: ∇²F_lin = Σ ⊗ JᵀJ/n exactly (quadrature tolerance)', (c) => {
    const toy = vectorTanhToy(c.X, c.y, c.h, false);
    const { hessian } = linearizedObjectiveVec(toy, c.lambda0, c.w0, c.sigma, c.theta, c.h === 1 ? 80 : 24);
    const { jacobian } = toy.residuals(c.lambda0, c.w0);
    const n = c.X.length;
    const jtj = Array.from({ length: c.m }, (_, a) => Array.from({ length: c.m }, (__, b) => jacobian.reduce((s, row) => s + (row[a] * row[b]) / n, 0)));
    const sigma2 = c.sigma.map((s, k) => c.sigma.map((_, l) => (k === l ? s * s : 0)));
    const expected = kron(sigma2, jtj).to2DArray();
    expect(relativeErrorVec(hessian.flat(), expected.flat())).toBeLessThan(QUADRATURE_TOL);
  });

  test('m = h = 1: the matrix form agrees with the scalar objective (PT-11 data)', () => {
    const toy = vectorTanhToy(PT11_DATA.x.map((v) => [v]), [...PT11_DATA.y], 1, true);
    for (const theta of [-2, -0.16, 0, 1.5]) {
      const vecForm = linearizedObjectiveVec(toy, [-1], [w11], [0.5], [[theta]]);
      const scalar = linearizedResponseObjective(pt11, -1, w11, 0.5)(theta);
      expect(relativeError(vecForm.value, scalar.value)).toBeLessThan(closedFormRelTol(1));
      expect(relativeError(vecForm.gradient[0], scalar.gradient, 1)).toBeLessThan(closedFormRelTol(1));
      expect(relativeError(vecForm.hessian[0][0], scalar.curvature)).toBeLessThan(closedFormRelTol(1));
    }
  });
});

// ─────────────────────────────────────── L.2 small-σ limits, L.4 ───────────────────────────────────────

describe('L.2 and L.4 on PT-11', () => {
  test('θ_lin(σ) → GN-IFT and non-linearized θ(σ) → J*, both at O(σ²)', () => {
    const gn = gaussNewtonIftJacobianScalar(pt11, -1, w11);
    const j = bestResponseJacobianScalar(pt11, -1, w11);
    expect(relativeError(gn, j)).toBeGreaterThan(0.1); // the two limits really differ here (residual ≠ 0)
    for (const [solve, limit] of [
      [(s: number) => linearizedResponse(pt11, -1, w11, s), gn],
      [(s: number) => deltaStnResponseScalar(pt11, -1, w11, s), j],
    ] as const) {
      const q = [0.04, 0.02, 0.01].map((s) => (solve(s) - limit) / (s * s));
      expect(relativeError(q[1], q[2])).toBeLessThan(0.01);
      expect(relativeError(q[0], q[1])).toBeLessThan(0.02);
    }
  });

  test.prop([fc.double({ min: 0.001, max: 2, noNaN: true })], { numRuns: 40 })('L.4 closed form = quadrature minimiser for every σ', (s) => {
    const g = gaussNewtonScalar(pt11, -1, w11);
    const cf = weightDecayLinearizedResponse([[g]], [w11], -1, s)[0];
    expect(relativeError(cf, linearizedResponse(pt11, -1, w11, s))).toBeLessThan(QUADRATURE_TOL);
  });

  test('linearizing R as well breaks L.4 (R must be evaluated at w0 + θε)', () => {
    // F with R replaced by R(λ, w0) + ∂_wR(λ, w0)θε: no R curvature, so θ = −E[ε²c]…/E[ε²G] — a different number.
    const s = 0.5;
    const g = gaussNewtonScalar(pt11, -1, w11);
    const c = Math.exp(-1 + s * s / 2);
    const wrong = (-c * w11) / g; // minimiser of σ²Gθ²/2 + σ²c w0 θ
    expect(relativeError(wrong, weightDecayLinearizedResponse([[g]], [w11], -1, s)[0])).toBeGreaterThan(0.1);
  });
});

// ─────────────────────────────────────────────── L.3 ───────────────────────────────────────────────

describe('L.3 σ-independence', () => {
  test.prop([fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 2, noNaN: true })], { numRuns: 40 })(
    'PT-10 family g = w³ + a·w: θ_lin(σ) = 1/g\'(w*) = J* for every σ; non-linearized and STN are biased',
    (a, lambda0, s) => {
      const toy = cubicToy(a);
      const w = bestResponseScalar(toy, lambda0);
      const inv = 1 / (3 * w * w + a);
      expect(relativeError(linearizedResponse(toy, lambda0, w, s), inv)).toBeLessThan(QUADRATURE_TOL);
      expect(relativeError(bestResponseJacobianScalar(toy, lambda0, w), inv)).toBeLessThan(closedFormRelTol(1));
    },
  );

  test('PT-10: non-linearized Δ-STN and STN θ differ from 0.25 by O(σ²)', () => {
    const toy = cubicToy(1);
    const gaps = [0.2, 0.1, 0.05].map((s) => [Math.abs(deltaStnResponseScalar(toy, 2, 1, s) - 0.25) / (s * s), Math.abs(stnJointScalar(toy, 2, s).response - 0.25) / (s * s)]);
    for (const k of [0, 1]) {
      expect(gaps[2][k]).toBeGreaterThan(0.01);
      expect(relativeError(gaps[1][k], gaps[2][k])).toBeLessThan(0.05);
    }
  });

  test.prop(
    [fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: -12, max: 12 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 16 })],
    { numRuns: 60 },
  )('PT-10 family in exact rationals: θ_lin = 1/g\'(w0) = J* for every rational σ²', (ap, aq, wp, wq, vp, vq) => {
    const a = math.fraction(ap, aq);
    const w = math.fraction(wp, wq);
    const lambda0 = w.mul(w).mul(w).add(a.mul(w));
    const inverse = math.fraction(1).div(w.mul(w).mul(3).add(a));
    const theta = cubicLinearizedResponseExact(a, w, lambda0, math.fraction(vp, vq));
    expect(theta.equals(inverse)).toBe(true);
    expect(cubicBestResponseJacobianExact(a, w, lambda0).equals(inverse)).toBe(true);
  });

  test('λ in the output with a residual: θ_lin is σ-independent and = GN-IFT, but ≠ J*', () => {
    const gn = gaussNewtonIftJacobianScalar(cex, 0.2, wCex);
    for (const s of [0.01, 0.3, 1, 2]) expect(relativeError(linearizedResponse(cex, 0.2, wCex, s), gn)).toBeLessThan(QUADRATURE_TOL);
    expect(relativeError(gn, bestResponseJacobianScalar(cex, 0.2, wCex))).toBeGreaterThan(0.2);
  });

  test('typed errors of the LIN routines', () => {
    expect(() => linearizedResponseObjective(pt11, -1, w11, 0)).toThrow(InvalidArgumentError);
    expect(() => linearizedResponseObjective(pt11, -1, w11, 0.5, { nodes: 10 })).toThrow(InvalidArgumentError);
    expect(() => linearizedResponseObjective(pt11, Number.NaN, w11, 0.5)).toThrow(NonFiniteError);
    expect(() => weightDecayLinearizedResponse([[1]], [1, 2], 0, 0.5)).toThrow(ShapeMismatchError);
    expect(() => weightDecayLinearizedResponse([[-5]], [1], -3, 0.1)).toThrow(NotPositiveDefiniteError);
    expect(() => cubicLinearizedResponseExact(math.fraction(1), math.fraction(1), math.fraction(2), math.fraction(0))).toThrow(InvalidArgumentError);
    expect(() => vectorTanhToy([[1, 2]], [1, 2], 1)).toThrow(ShapeMismatchError);
    expect(() => vectorTanhToy([[1]], [1], 0)).toThrow(InvalidArgumentError);
    expect(() => linearizedObjectiveVec(vectorTanhToy([[1]], [1], 1), [0, 0], [0], [1], [[0]])).toThrow(ShapeMismatchError);
    expect(() => minResponseCurvature(pt11, -1, w11, 0.5, -1, 1, 0)).toThrow(InvalidArgumentError);
    // F_lin with every ∂_w r = 0 and no regularizer has no strict minimiser.
    expect(() => linearizedResponse(tanhToy([0], [1], { weightDecay: false }), 0, 0, 0.5)).toThrow(InvalidArgumentError);
  });
});
