/**
 * THM-3 as a claim: the case generator, the checks of each case, the reference values and the registered claim.
 * The claim THM-3 in three files: its mathematics (math.ts), its JSON I/O (io.ts) and the claim's generator and checks (claim.ts);
 * src/theory/thm3.ts re-exports both.
 */
import fc from 'fast-check';
import { InvalidArgumentError } from '../../errors.js';
import { ONE, ZERO, equalQ, kronQ, math, multiplyQ, rational, rationalMatrix, toIntegerMatrix, toNumber, toNumberMatrix, toRationalString, vecQ, type Rational, type RationalMatrix } from '../../linalg/exact.js';
import { inertia } from '../../linalg/inertia.js';

import { choleskySolve, conditionNumber, kron, symmetricEigenvalues, vec } from '../../linalg/dense.js';
import { closedFormRelTol, eigenRelTol, relativeErrorVec } from '../../tolerance.js';
import { exactCheck, tolCheck, type Check, type Claim } from '../claim.js';
import { dimsArb, lambdaArb, rationalMatrixArb, rationalVectorArb, sigmaArb, spdArb } from '../generators.js';
import { type QuadraticInner, parseQuadraticInner, covarianceFromScales, parseCovariance, bestResponse, deltaStnQuadratic, responseGradient, responseRate, measureAsymptoticRatio } from './math.js';

export interface Thm3Case {
  A: RationalMatrix;
  B: RationalMatrix;
  b: Rational[];
  lambda0: Rational[];
  /** σ when Σ = diag(σ²), else null (a full covariance was drawn). */
  sigma: Rational[] | null;
  /** Σ (h×h). */
  covariance: RationalMatrix;
  /** η > 0, drawn around 2/λ_max(Σ⊗A) (below, at and above). */
  eta: Rational;
  /** Θ₀, the start of the exact gradient-descent run. */
  start: RationalMatrix;
}

/** Steps of exact rational gradient descent per check (integer arithmetic keeps 12 steps well under 1 ms). */
export const EXACT_GD_STEPS = 12;

/** Multiples t of 2/λ_max used for η: well inside, near the edge on both sides, the 1/λ_max step, beyond. */
const ETA_FACTORS = ['1/100', '1/4', '1/2', '9/10', '99/100', '1', '101/100', '11/10', '2'] as const;

/** A rational with `digits` significant decimal digits nearest to x > 0 (keeps denominators short). */
export function shortRational(x: number, digits = 3): Rational {
  if (!(x > 0) || !Number.isFinite(x)) throw new InvalidArgumentError('x', 'a finite positive number', x);
  const e = Math.floor(Math.log10(x));
  const scale = digits - 1 - e;
  const p = BigInt(Math.round(x * 10 ** scale));
  return scale >= 0 ? math.fraction(p, 10n ** BigInt(scale)) : math.fraction(p * 10n ** BigInt(-scale), 1n);
}

function buildCase(A: RationalMatrix, B: RationalMatrix, b: Rational[], lambda0: Rational[], sigma: Rational[] | null, cov: RationalMatrix, factor: string, start: RationalMatrix): Thm3Case {
  const aMax = Math.max(...symmetricEigenvalues(toNumberMatrix(A)));
  const sMax = Math.max(...symmetricEigenvalues(toNumberMatrix(cov)));
  const t = rational(factor);
  let eta: Rational;
  if (factor === '1' && A.length === 1 && sigma !== null) {
    // λ_max = a·max σ² is rational here: hit the edge η = 2/λ_max exactly (ρ = 1, no convergence).
    const s2 = sigma.map((s) => s.mul(s)).reduce((x, y) => (y.compare(x) > 0 ? y : x));
    eta = math.fraction(2).div(A[0][0].mul(s2));
  } else {
    eta = shortRational((2 * toNumber(t)) / (aMax * sMax), factor === '1' ? 7 : 3);
  }
  return { A, B, b, lambda0, sigma, covariance: cov, eta, start };
}

const thm3Arbitrary: fc.Arbitrary<Thm3Case> = dimsArb.chain(({ h, m }) =>
  fc
    .record({
      A: spdArb(m, 1e4),
      B: rationalMatrixArb(m, h),
      b: rationalVectorArb(m),
      lambda0: lambdaArb(h),
      perturbation: fc.oneof(
        { weight: 3, arbitrary: sigmaArb(h).map((s) => ({ sigma: s as Rational[] | null, cov: s.map((x, i) => s.map((_, j) => (i === j ? x.mul(x) : ZERO))) })) },
        { weight: 1, arbitrary: spdArb(h, 1e3).map((S) => ({ sigma: null as Rational[] | null, cov: S })) },
      ),
      factor: fc.constantFrom(...ETA_FACTORS),
      start: rationalMatrixArb(m, h),
    })
    .map((r) => buildCase(r.A, r.B, r.b, r.lambda0, r.perturbation.sigma, r.perturbation.cov, r.factor, r.start)),
);

/**
 * All THM-3 checks on one case, one per proof step (proofs/THM-3.md, table "What the tests check").
 */
export function checkThm3(c: Thm3Case): Check[] {
  const q: QuadraticInner = { A: c.A, B: c.B, b: c.b, lambda0: c.lambda0, m: c.A.length, h: c.B[0].length };
  const { m, h } = q;
  const n = m * h;
  const checks: Check[] = [];
  const size = `m=${m}, h=${h}`;

  // Closed form (independent path: A⁻¹ by mathjs inv).
  const best = bestResponse(q);
  // The Δ-STN steps, solved from the objective; off-centre general point: w*(λ₀) + (1, …, 1).
  const offCentre = best.w.map((x) => x.add(ONE));
  const d = deltaStnQuadratic(q, c.covariance, offCentre);

  // Step 1: general step = best response.
  checks.push(exactCheck('general step: ∇_w L_T(λ₀, w₀) = 0 ⇒ w₀ = w*(λ₀) = A⁻¹(b + Bλ₀)', equalVec(d.general, best.w), `${size}; w₀ = [${d.general.map(toRationalString)}]`));

  // Step 2: Hessian of the response objective in vec Θ is Σ ⊗ A.
  const kronSA = kronQ(c.covariance, c.A);
  checks.push(exactCheck('response Hessian in vec Θ (column-major) = Σ ⊗ A', equalQ(d.hessian, kronSA), size));

  // Step 3: the response minimiser is J*, whatever Σ; and whatever w₀ (E[ε] = 0).
  checks.push(exactCheck('response stationarity ⇒ Θ = A⁻¹B = J*, for this Σ', equalQ(d.response, best.J), `${size}; Σ ${c.sigma ? 'diagonal' : 'full'}`));
  checks.push(exactCheck('response minimiser decoupled from w₀ (E[ε] = 0): Θ = J* around w₀ ≠ w*', equalQ(d.responseOffCentre, best.J), size));

  // Step 4: GD on R is the stated linear recursion: ∇_Θ R(Θ₀) = A(Θ₀ − J*)Σ.
  const E0 = subMat(c.start, best.J);
  const grad = responseGradient(q, c.covariance, d.general, c.start);
  checks.push(exactCheck('∇_Θ R(Θ) = A(Θ − J*)Σ, i.e. ∇_{vecΘ} R = (Σ⊗A)(vecΘ − vec J*)', equalQ(grad, multiplyQ(multiplyQ(c.A, E0), c.covariance)), size));

  // Step 5: convergence decided exactly, against the certified λ_max and against I − T² ≻ 0.
  const r = responseRate(c.A, c.covariance, c.eta);
  const two = math.fraction(2);
  const etaLmaxLo = c.eta.mul(r.lambdaMax.lo);
  const etaLmaxHi = c.eta.mul(r.lambdaMax.hi);
  let agree: boolean;
  let how: string;
  if (etaLmaxHi.compare(two) < 0) {
    agree = r.converges;
    how = 'η·λmax.hi < 2 ⇒ converges';
  } else if (etaLmaxLo.compare(two) > 0) {
    agree = !r.converges;
    how = 'η·λmax.lo > 2 ⇒ diverges';
  } else {
    // 2/η lies in the certified λ_max interval: only the exact edge case η = 2/λ_max can stay undecided.
    agree = !r.converges && r.inertia.zero > 0 && r.inertia.negative === 0;
    how = `2/η inside the λmax interval; inertia ${JSON.stringify(r.inertia)}`;
  }
  checks.push(exactCheck('GD converges ⇔ η < 2/λ_max(Σ⊗A): exact inertia vs certified λ_max', agree, `${size}; η = ${toRationalString(c.eta)}; ${how}`));

  const H = d.hessian;
  const T = H.map((row, i) => row.map((x, j) => (i === j ? ONE.sub(c.eta.mul(x)) : c.eta.mul(x).neg())));
  const T2 = multiplyQ(T, T);
  const IminusT2 = T2.map((row, i) => row.map((x, j) => (i === j ? ONE.sub(x) : x.neg())));
  const spectralRadiusBelowOne = inertia(IminusT2, 'I − T²').positive === n;
  checks.push(exactCheck('ρ(T) < 1 ⇔ I − T² ≻ 0 agrees with η > 0 ∧ 2I − η(Σ⊗A) ≻ 0', spectralRadiusBelowOne === r.converges, `${size}; converges = ${r.converges}`));

  // Step 6: the float64 rate lies in the certified interval.
  const lmaxF = toNumber(r.lambdaMax.hi);
  const etaF = toNumber(c.eta);
  const outside = Math.max(0, toNumber(r.rateInterval.lo) - r.rate, r.rate - toNumber(r.rateInterval.hi));
  checks.push(
    tolCheck(
      'float64 ρ ∈ certified [ρ_lo, ρ_hi]',
      'certified',
      outside / Math.max(1, etaF * lmaxF),
      eigenRelTol(n, 1),
      `${size}; ρ = ${r.rate}; [${toNumber(r.rateInterval.lo)}, ${toNumber(r.rateInterval.hi)}]`,
    ),
  );

  // Step 7: float64 GD, asymptotic ratio → ρ within the a-priori bound; divergence iff η > 2/λ_max.
  const meas = measureAsymptoticRatio(toNumberMatrix(c.A), toNumberMatrix(c.covariance), etaF);
  const rhoLo = toNumber(r.rateInterval.lo);
  const rhoHi = toNumber(r.rateInterval.hi);
  const rounding = eigenRelTol(n, 1) * (1 + etaF * lmaxF);
  const lower = rhoLo * Math.sqrt(Math.max(0, 1 - meas.bound)) - rounding;
  const upper = rhoHi + rounding;
  const miss = Math.max(0, lower - meas.ratio, meas.ratio - upper);
  checks.push(
    tolCheck(
      'float64 GD: ‖e_{K+1}‖/‖e_K‖ ∈ [ρ_lo√(1 − B_K), ρ_hi] (± rounding)',
      'float64',
      miss,
      0,
      `${size}; K = ${meas.steps}; ratio = ${meas.ratio}; ρ = ${r.rate}; B_K = ${meas.bound.toExponential(2)}`,
    ),
  );
  let floatDecision: boolean | null = null;
  if (upper < 1) floatDecision = true;
  else if (lower > 1) floatDecision = false;
  checks.push(exactCheck('float64 GD contracts iff converges (when the measured ratio is clear of 1)', floatDecision === null || floatDecision === r.converges, `${size}; float decision ${floatDecision}; exact ${r.converges}`));

  // Step 8: exact GD run, ‖e_k‖² ≤ ρ_hi^{2k} ‖e₀‖² for k ≤ EXACT_GD_STEPS.
  const gd = exactGradientDescentBound(c.A, c.covariance, c.eta, E0, r.rateInterval.hi, EXACT_GD_STEPS);
  checks.push(exactCheck(`exact GD: ‖e_k‖² ≤ ρ_hi^{2k}‖e₀‖², k ≤ ${EXACT_GD_STEPS}`, gd.failedAt === null, `${size}; ${gd.failedAt === null ? 'holds' : `fails at k = ${gd.failedAt}`}`));
  return checks;
}

/**
 * Runs E_{k+1} = E_k − η A E_k Σ exactly for `steps` steps and checks ‖E_k‖²_F ≤ ρ_hi^{2k} ‖E₀‖²_F at each k.
 *
 * @remarks
 * Computed over integers with one common denominator per matrix (E = N/D, A = N_A/d_A, Σ = N_Σ/d_Σ,
 * η = p/q): N' = q d_A d_Σ N − p N_A N N_Σ, D' = q d_A d_Σ D. The values are the same rationals as with
 * Fraction arithmetic, but no gcd is taken per operation, which is where the time went.
 * Returns the first k at which the bound fails, or null.
 */
export function exactGradientDescentBound(A: RationalMatrix, covariance: RationalMatrix, eta: Rational, E0: RationalMatrix, rhoHi: Rational, steps: number): { failedAt: number | null } {
  const [NA, dA] = toIntegerMatrix(A);
  const [NS, dS] = toIntegerMatrix(covariance);
  let [N, D] = toIntegerMatrix(E0);
  const p = eta.s * eta.n;
  const q = eta.d;
  const scale = q * dA * dS;
  const h = covariance.length;
  const sumSq = (X: bigint[][]): bigint => X.reduce((s, row) => row.reduce((t, x) => t + x * x, s), 0n);
  const n0 = sumSq(N);
  const d0 = D;
  const rn = rhoHi.n * rhoHi.n; // ρ_hi² = rn/rd (ρ_hi ≥ 0)
  const rd = rhoHi.d * rhoHi.d;
  let rnk = 1n;
  let rdk = 1n;
  for (let k = 1; k <= steps; k++) {
    const AN = NA.map((row) => Array.from({ length: h }, (_, j) => row.reduce((s, x, l) => s + x * N[l][j], 0n)));
    N = N.map((row, i) => row.map((x, j) => scale * x - p * AN[i].reduce((s, y, l) => s + y * NS[l][j], 0n)));
    D = D * scale;
    rnk *= rn;
    rdk *= rd;
    // ‖N‖²/D² ≤ (rn/rd)^k ‖N₀‖²/D₀²  ⇔  ‖N‖² · rd^k · D₀² ≤ rn^k · ‖N₀‖² · D²
    if (sumSq(N) * rdk * d0 * d0 > rnk * n0 * D * D) return { failedAt: k };
  }
  return { failedAt: null };
}

/** PT-5 (float64, 1e-10·κ) and fixed edge cases of the step-size bound. */
export function referenceChecksThm3(): Check[] {
  const checks: Check[] = [];
  // PT-6's ridge data at λ₀ = 0: ∇²_w L_T = XᵀX/3 + e⁰I, b = Xᵀy/3; w*(0) is printed in docs/math.md#pt-6 to 10 digits.
  const pt6 = parseQuadraticInner({
    A: [
      ['5/3', '1/3'],
      ['1/3', '8/3'],
    ],
    B: [[1], [-1]],
    b: ['4/3', '7/3'],
    lambda0: [0],
  });
  const br = bestResponse(pt6);
  const printed = [0.641025641, 0.7948717949];
  checks.push(
    tolCheck(
      'PT-6 data: w*(0) = (0.6410256410, 0.7948717949) at the printed precision',
      'reference',
      Math.max(...br.w.map((x, i) => Math.abs(toNumber(x) - printed[i]))),
      5e-11,
      `w* = [${br.w.map(toRationalString)}]`,
    ),
  );

  // PT-5: a fixed case, float64 normal equations of the sample-free expectation against the exact result.
  const q = parseQuadraticInner({
    A: [
      [4, 1, 0],
      [1, 3, '1/2'],
      [0, '1/2', 2],
    ],
    B: [
      [1, 0],
      [-1, 2],
      ['1/3', 1],
    ],
    b: [1, -2, '1/2'],
    lambda0: ['-3/2', 2],
  });
  const best = bestResponse(q);
  for (const [label, cov] of [
    ['σ = (1/2, 3)', covarianceFromScales(['1/2', 3], 2)],
    ['full Σ = [[1, 1/2], [1/2, 2]]', parseCovariance([[1, '1/2'], ['1/2', 2]], 2)],
  ] as const) {
    const d = deltaStnQuadratic(q, cov);
    checks.push(exactCheck(`PT-5 (${label}): exact w₀ = w*(λ₀), Θ = A⁻¹B`, equalVec(d.general, best.w) && equalQ(d.response, best.J)));
    // float64 route: Hessian Σ⊗A and gradient at 0 from the closed form −vec(BΣ) (E ε = 0), Cholesky solve.
    const Af = toNumberMatrix(q.A);
    const Sf = toNumberMatrix(cov);
    const Bf = toNumberMatrix(q.B);
    const BS = Bf.map((row) => Sf[0].map((_, j) => row.reduce((s, x, l) => s + x * Sf[l][j], 0)));
    const thetaF = choleskySolve(kron(Sf, Af), vec(BS)).to1DArray();
    const rhsW = q.b.map((x, i) => toNumber(x) + Bf[i].reduce((s, y, l) => s + y * toNumber(q.lambda0[l]), 0));
    const w0F = choleskySolve(Af, rhsW).to1DArray();
    const kappa = conditionNumber(kron(Sf, Af));
    checks.push(
      tolCheck(
        `PT-5 (${label}): float64 normal equations = exact (rel 1e-10·κ)`,
        'float64',
        Math.max(relativeErrorVec(thetaF, vecQ(best.J).map(toNumber)), relativeErrorVec(w0F, best.w.map(toNumber))),
        closedFormRelTol(kappa),
        `κ(Σ⊗A) = ${kappa.toPrecision(4)}`,
      ),
    );
  }

  // Edge of the step-size bound: A = [[2,1],[1,2]] (eigenvalues 1, 3), σ = (1/2, 1): λ(Σ⊗A) = {1/4, 3/4, 1, 3}.
  const A2 = rationalMatrix([
    [2, 1],
    [1, 2],
  ]);
  const S2 = covarianceFromScales(['1/2', 1], 2);
  const third = math.fraction(1, 3);
  const cases: [string, Rational, boolean, string][] = [
    ['η = 2/3 − 1/1000 (just below 2/λmax)', third.mul(2).sub(math.fraction(1, 1000)), true, '997/1000'],
    ['η = 2/3 (exactly 2/λmax)', third.mul(2), false, '1'],
    ['η = 2/3 + 1/1000 (just above 2/λmax)', third.mul(2).add(math.fraction(1, 1000)), false, '1003/1000'],
    ['η = 1/3 (= 1/λmax, inside)', third, true, '11/12'],
  ];
  for (const [label, eta, conv, rhoExact] of cases) {
    const r = responseRate(A2, S2, eta);
    const rho = rational(rhoExact);
    const inside = r.rateInterval.lo.compare(rho) <= 0 && r.rateInterval.hi.compare(rho) >= 0;
    checks.push(exactCheck(`${label}: converges = ${conv}, ρ = ${rhoExact} ∈ certified interval`, r.converges === conv && inside, `ρ̂ = ${r.rate}`));
    // |ρ̂ − ρ| ≤ η·max|λ̂ − λ| ≤ η·λmax·16nε (Jacobi, proofs/THM-3.md step 6), λmax = 3.
    checks.push(tolCheck(`${label}: float64 ρ`, 'float64', Math.abs(r.rate - toNumber(rho)), eigenRelTol(4, 1) * Math.max(1, 3 * toNumber(eta)), `ρ̂ = ${r.rate}`));
  }
  // Full covariance edge: Σ = [[1, 1/2], [1/2, 1]] (eigenvalues 1/2, 3/2), same A: λ_max = 9/2, 2/λ_max = 4/9.
  const S3 = parseCovariance([[1, '1/2'], ['1/2', 1]], 2);
  const below = responseRate(A2, S3, math.fraction(4, 9).sub(math.fraction(1, 10000)));
  const at = responseRate(A2, S3, math.fraction(4, 9));
  const above = responseRate(A2, S3, math.fraction(4, 9).add(math.fraction(1, 10000)));
  checks.push(exactCheck('full Σ: η = 4/9 ∓ 1/10⁴ and 4/9 (2/λmax = 4/9): converges, not, not', below.converges && !at.converges && !above.converges && at.inertia.zero === 1));
  // Float64 GD around the edge (the measured ratio tells convergence from divergence).
  for (const [label, etaF, rho] of [
    ['η = 2/3 − 1/1000: ratio → 0.997', 2 / 3 - 1 / 1000, 0.997],
    ['η = 2/3 + 1/1000: ratio → 1.003 (diverges)', 2 / 3 + 1 / 1000, 1.003],
  ] as const) {
    const meas = measureAsymptoticRatio(toNumberMatrix(A2), toNumberMatrix(S2), etaF);
    const tol = rho * (1 - Math.sqrt(1 - meas.bound)) + eigenRelTol(4, 1) * (1 + 3 * etaF);
    checks.push(tolCheck(`float64 GD at ${label}`, 'float64', Math.abs(meas.ratio - rho), tol, `ratio ${meas.ratio}, K = ${meas.steps}, B_K = ${meas.bound.toExponential(2)}`));
  }
  return checks;
}

/** THM-3 as a registered claim. */
export const thm3Claim: Claim<Thm3Case> = {
  id: 'THM-3',
  statement:
    'For L_T = ½wᵀAw − wᵀ(b + Bλ), A ≻ 0, the Δ-STN fixed point is w₀ = w*(λ₀), Θ = J* = A⁻¹B for every Σ ≻ 0; gradient descent on Θ converges iff 0 < η < 2/λ_max(Σ⊗A), at rate max_i |1 − ηλ_i(Σ⊗A)| (our wording, docs/math.md#s0-1 [R]).',
  assumptions: ['A symmetric positive definite (m×m), B m×h, b ∈ ℝ^m', 'ε ∼ N(0, Σ) with Σ ≻ 0 (full covariance allowed), E[ε] = 0', 'exact minimisation in the general and response steps; η > 0 for the gradient-descent statement'],
  spec: 'docs/math.md#s0-1 THM-3, #s2-4 S1, #s3-2, #pt-5',
  proof: 'proofs/THM-3.md',
  arbitrary: thm3Arbitrary,
  check: checkThm3,
  referenceChecks: referenceChecksThm3,
};

// ---------------------------------------------------------------------------------------------------------
// Small exact helpers
// ---------------------------------------------------------------------------------------------------------

function subMat(a: RationalMatrix, b: RationalMatrix): RationalMatrix {
  return a.map((row, i) => row.map((x, j) => x.sub(b[i][j])));
}

function equalVec(a: readonly Rational[], b: readonly Rational[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]));
}
