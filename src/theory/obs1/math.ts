/**
 * OBS-1: Gauss–Newton conditioning of the affine hypernetwork, centered against uncentered (docs/math.md#s0-1 row
 * OBS-1, docs/math.md#s4-1, docs/math.md#pt-1..PT-4; proof in `proofs/OBS-1.md`).
 *
 * @remarks
 * The statement is the project's reconstruction (docs/math.md#s0-1, tagged [R]), not the paper's wording:
 * with ŵ = w₀ + Θλ̃ and ψ = vec[w₀, Θ] (column-major), the Gauss–Newton Hessian of E_ε L_T is
 * $\mathbf G_\psi = \mathbf M\otimes\mathbf G_w$ when $\mathbf G_w$ does not vary with ε (J_f and H_ℓ evaluated at
 * (λ₀, w₀)), so $\kappa(\mathbf G_\psi)=\kappa(\mathbf M)\kappa(\mathbf G_w)$, and
 * $\kappa(\mathbf M_u)\ge\kappa(\mathbf M_c)$ for every λ̄ and Σ ≻ 0 (Proposition C).
 *
 * Everything that can be exact is exact (mathjs Fractions, inertia counts); float64 is used only where the
 * claim is about float64 (Jacobi eigenvalues, the h = 1 closed form, Gauss–Hermite, gradient descent), and
 * every float64 comparison cites a tolerance function from `../tolerance.ts`.
 */
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../errors.js';
import { choleskySolve, conditionNumber, norm2, symmetricEigen, unvec } from '../../linalg/dense.js';
import { gaussianMomentRule } from '../../linalg/cubature.js';
import { ONE, ZERO, isSymmetricQ, kronQ, math, multiplyQ, rationalMatrix, rationalVector, toRationalString, transposeQ, zerosQ, type Rational, type RationalLike, type RationalMatrix } from '../../linalg/exact.js';
import { forEachGaussianPoint } from '../../linalg/gaussHermite.js';
import { inertia, inertiaAt } from '../../linalg/inertia.js';
import { eigenRelTol } from '../../tolerance.js';

// ───────────────────────────────────────────── inputs ─────────────────────────────────────────────

/** Which hypernetwork input: λ̃ = λ₀ + ε (`'uncentered'`, STN) or λ̃ = ε (`'centered'`, Δ-STN). */
export type Parameterization = 'uncentered' | 'centered';

/** Parses (λ̄, σ): equal lengths h ≥ 1, σ_k > 0. Shared by every public entry point. */
export function parseHyper(lambdaBar: readonly RationalLike[], sigma: readonly RationalLike[]): { lambdaBar: Rational[]; sigma: Rational[] } {
  if (!Array.isArray(lambdaBar) || lambdaBar.length === 0) {
    throw new ShapeMismatchError('lambdaBar', 'a vector of length h ≥ 1', Array.isArray(lambdaBar) ? 'length 0' : typeof lambdaBar);
  }
  if (!Array.isArray(sigma) || sigma.length !== lambdaBar.length) {
    throw new ShapeMismatchError('sigma', `a vector of length ${lambdaBar.length} (the length of lambdaBar)`, Array.isArray(sigma) ? `length ${sigma.length}` : typeof sigma);
  }
  const lb = rationalVector(lambdaBar, 'lambdaBar');
  const s = rationalVector(sigma, 'sigma');
  s.forEach((x, k) => {
    if (x.s <= 0n || x.n === 0n) throw new InvalidArgumentError(`sigma[${k}]`, 'a scale σ_k > 0', toRationalString(x));
  });
  return { lambdaBar: lb, sigma: s };
}

/** σ ↦ Σ's diagonal σ². */
export function variances(sigma: readonly Rational[]): Rational[] {
  return sigma.map((s) => s.mul(s));
}

/** Exact max / min of a non-empty list. */
export function maxQ(xs: readonly Rational[]): Rational {
  return xs.reduce((a, b) => (b.compare(a) > 0 ? b : a));
}
export function minQ(xs: readonly Rational[]): Rational {
  return xs.reduce((a, b) => (b.compare(a) < 0 ? b : a));
}

// ───────────────────────────────────────── second moment ──────────────────────────────────────────

/**
 * Second moment of the hypernetwork input (1, λ̃), exactly.
 *
 * @remarks
 * $\mathbf M=\mathbb E\big[(1,\tilde\lambda^\top)^\top(1,\tilde\lambda^\top)\big]=\begin{pmatrix}1&\bar\lambda^\top\\\bar\lambda&\bar\lambda\bar\lambda^\top+\Sigma\end{pmatrix}$
 * with $\bar\lambda=\mathbb E\tilde\lambda$ = `lambdaBar` and $\Sigma=\mathrm{diag}(\sigma^2)$, σ = `sigma` (docs/math.md#s4-1).
 * Uncentered (STN) uses λ̄ = λ₀; centered (Δ-STN) uses λ̄ = 0, giving $\mathbf M_c=\mathrm{diag}(1,\Sigma)$
 * (see {@link centeredSecondMoment}). Entries may be numbers (taken as their exact dyadic value) or rational
 * strings.
 *
 * @throws ShapeMismatchError (`lambdaBar`/`sigma`) unless both have the same length h ≥ 1;
 *   InvalidArgumentError (`sigma[k]`) if some σ_k ≤ 0.
 * @see docs/math.md#s4-1
 */
export function secondMoment(lambdaBar: readonly RationalLike[], sigma: readonly RationalLike[]): RationalMatrix {
  const p = parseHyper(lambdaBar, sigma);
  const s2 = variances(p.sigma);
  const lb = p.lambdaBar;
  const h = lb.length;
  const out = zerosQ(h + 1, h + 1);
  out[0][0] = ONE;
  for (let i = 0; i < h; i++) {
    out[0][i + 1] = lb[i];
    out[i + 1][0] = lb[i];
    for (let j = 0; j < h; j++) out[i + 1][j + 1] = lb[i].mul(lb[j]).add(i === j ? s2[i] : ZERO);
  }
  return out;
}

/** $\mathbf M_c=\mathrm{diag}(1,\sigma^2)$: {@link secondMoment} with λ̄ = 0 (docs/math.md#s4-1). */
export function centeredSecondMoment(sigma: readonly RationalLike[]): RationalMatrix {
  return secondMoment(new Array<RationalLike>(sigma.length).fill(0), sigma);
}

/**
 * Weighted sample second moment $\hat{\mathbf M}=\sum_s w_s\,(1,\tilde\lambda_s^\top)^\top(1,\tilde\lambda_s^\top)$, exactly.
 * `inputs[s]` is λ̃_s ∈ ℚ^h, `weights[s]` is w_s (any sign; 1/S for a sample average).
 * @throws ShapeMismatchError if the inputs differ in length or do not match the weights.
 * @see docs/math.md#pt-1
 */
export function sampleSecondMoment(inputs: readonly (readonly RationalLike[])[], weights: readonly RationalLike[]): RationalMatrix {
  const { lambdas, w } = parseSamples(inputs, weights);
  const h = lambdas[0].length;
  const out = zerosQ(h + 1, h + 1);
  lambdas.forEach((lt, s) => {
    const a = [ONE, ...lt];
    for (let i = 0; i <= h; i++) for (let j = 0; j <= h; j++) out[i][j] = out[i][j].add(w[s].mul(a[i]).mul(a[j]));
  });
  return out;
}

export function parseSamples(inputs: readonly (readonly RationalLike[])[], weights: readonly RationalLike[]): { lambdas: Rational[][]; w: Rational[] } {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ShapeMismatchError('samples', 'at least one sample', 'none');
  if (!Array.isArray(weights) || weights.length !== inputs.length) {
    throw new ShapeMismatchError('weights', `${inputs.length} weights (one per sample)`, Array.isArray(weights) ? `${weights.length}` : typeof weights);
  }
  const h = inputs[0].length;
  const lambdas = inputs.map((x, s) => {
    if (!Array.isArray(x) || x.length !== h) throw new ShapeMismatchError(`samples[${s}]`, `length ${h}`, Array.isArray(x) ? `length ${x.length}` : typeof x);
    return rationalVector(x, `samples[${s}]`);
  });
  return { lambdas, w: rationalVector(weights, 'weights') };
}

/**
 * The hypernetwork inputs λ̃_s for perturbations ε_s: λ̃ = λ₀ + ε (`'uncentered'`) or λ̃ = ε (`'centered'`,
 * where the Δ-STN hypernetwork sees λ − stopgrad(λ₀) = ε; docs/math.md#s3-1).
 */
export function hypernetworkInputs(lambda0: readonly RationalLike[], perturbations: readonly (readonly RationalLike[])[], parameterization: Parameterization): Rational[][] {
  const l0 = rationalVector(lambda0, 'lambda0');
  return perturbations.map((e, s) => {
    if (e.length !== l0.length) throw new ShapeMismatchError(`perturbations[${s}]`, `length ${l0.length}`, `length ${e.length}`);
    const eps = rationalVector(e, `perturbations[${s}]`);
    return parameterization === 'centered' ? eps : eps.map((x, k) => x.add(l0[k]));
  });
}

// ───────────────────────────────────────── Gauss–Newton ───────────────────────────────────────────

/**
 * The Gauss–Newton matrix $\mathbf G_w=\mathbf J_f^\top\mathbf H_\ell\mathbf J_f$ of the training loss w.r.t. the weights,
 * exactly; `outputJacobian` is J_f (n×m), `lossHessian` is H_ℓ (n×n, symmetric PSD).
 * @see docs/math.md#s4-1
 */
export function gaussNewton(outputJacobian: readonly (readonly RationalLike[])[], lossHessian: readonly (readonly RationalLike[])[]): RationalMatrix {
  const { jf, hl } = parseFactor(outputJacobian, lossHessian);
  return multiplyQ(transposeQ(jf), multiplyQ(hl, jf));
}

export function parseFactor(outputJacobian: readonly (readonly RationalLike[])[], lossHessian: readonly (readonly RationalLike[])[]): { jf: RationalMatrix; hl: RationalMatrix } {
  const jf = rationalMatrix(outputJacobian, 'outputJacobian');
  const hl = rationalMatrix(lossHessian, 'lossHessian');
  const n = jf.length;
  if (hl.length !== n || hl[0].length !== n) throw new ShapeMismatchError('lossHessian', `${n}×${n} (n = rows of outputJacobian)`, `${hl.length}×${hl[0].length}`);
  if (!isSymmetricQ(hl)) throw new NotSymmetricError('lossHessian');
  if (inertia(hl, 'lossHessian').negative > 0) throw new NotPositiveDefiniteError('lossHessian', 'positive semidefinite required: it has a negative eigenvalue');
  return { jf, hl };
}

/**
 * Index map of the column-major vec convention: `idx[i][j]` is the position of entry (i, j) of the m×(h+1)
 * matrix [w₀, Θ] inside ψ = vec[w₀, Θ]. Read off the shared {@link unvec} so that the assembly below
 * uses the library's one vec convention rather than restating it.
 */
export function vecIndex(m: number, columns: number): number[][] {
  const ix = unvec(
    Array.from({ length: m * columns }, (_, c) => c),
    m,
    columns,
  );
  return ix.to2DArray();
}

/**
 * Per-sample Jacobian of the network output w.r.t. ψ, $\mathbf J_s=\mathbf J_f\,\partial\hat w/\partial\psi=\mathbf J_f\big((1,\tilde\lambda_s^\top)\otimes I_m\big)$,
 * exactly. Column c of ∂ŵ/∂ψ is ŵ evaluated at ψ = e_c, i.e. [w₀, Θ] = unvec(e_c) times (1, λ̃): its only
 * non-zero entry is a_j in row i, where c = idx(i, j) and a = (1, λ̃).
 */
export function sampleJacobian(outputJacobian: RationalMatrix, lambdaTilde: readonly Rational[]): RationalMatrix {
  const n = outputJacobian.length;
  const m = outputJacobian[0].length;
  const a = [ONE, ...lambdaTilde];
  const idx = vecIndex(m, a.length);
  const js = zerosQ(n, m * a.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < a.length; j++) {
      if (a[j].n === 0n) continue;
      const c = idx[i][j];
      for (let r = 0; r < n; r++) js[r][c] = outputJacobian[r][i].mul(a[j]);
    }
  }
  return js;
}

/**
 * Gauss–Newton Hessian of the weighted sample average of L_T(λ̃, w₀ + Θλ̃) w.r.t. ψ = vec[w₀, Θ] (column-major),
 * assembled sample by sample, exactly:
 * $\mathbf G_\psi=\sum_s w_s\,\mathbf J_s^\top\mathbf H_\ell\mathbf J_s$ with $\mathbf J_s$ from {@link sampleJacobian}.
 *
 * @remarks
 * `outputJacobian` is J_f (n×m), `lossHessian` is H_ℓ (n×n, symmetric PSD), `inputs[s]` is λ̃_s (λ₀ + ε_s
 * uncentered, ε_s centered: see {@link hypernetworkInputs}), `weights[s]` is w_s (any sign, so a signed
 * cubature rule can be passed). The Kronecker form M̂ ⊗ G_w is deliberately *not* used here: it is what the
 * claim says this sum equals (proof step 2). J_f and H_ℓ are held fixed across samples (the spec's
 * approximation that G_w does not vary with ε, exact for squared loss with a linear model).
 *
 * @throws ShapeMismatchError on inconsistent shapes; NotSymmetricError / NotPositiveDefiniteError (`lossHessian`)
 *   unless H_ℓ is symmetric positive semidefinite (decided exactly).
 * @see docs/math.md#s4-1, #pt-1
 */
export function gaussNewtonFromSamples(
  outputJacobian: readonly (readonly RationalLike[])[],
  lossHessian: readonly (readonly RationalLike[])[],
  inputs: readonly (readonly RationalLike[])[],
  weights: readonly RationalLike[],
): RationalMatrix {
  const { jf, hl } = parseFactor(outputJacobian, lossHessian);
  const { lambdas, w } = parseSamples(inputs, weights);
  const p = jf[0].length * (lambdas[0].length + 1);
  const acc = zerosQ(p, p);
  lambdas.forEach((lt, s) => {
    if (w[s].n === 0n) return;
    const js = sampleJacobian(jf, lt);
    const hj = multiplyQ(hl, js);
    // Upper triangle of J_sᵀ (H J_s), skipping the structural zeros of J_s.
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        let v = ZERO;
        for (let r = 0; r < js.length; r++) if (js[r][a].n !== 0n && hj[r][b].n !== 0n) v = v.add(js[r][a].mul(hj[r][b]));
        if (v.n !== 0n) acc[a][b] = acc[a][b].add(w[s].mul(v));
      }
    }
  });
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) acc[a][b] = acc[b][a];
  return acc;
}

/**
 * float64 twin of {@link gaussNewtonFromSamples} (same assembly from per-sample Jacobians), for the
 * Gauss–Hermite cross-check; `outputJacobian` J_f, `lossHessian` H_ℓ, `inputs[s]` λ̃_s, `weights[s]` w_s.
 */
export function gaussNewtonFromSamplesFloat(
  outputJacobian: readonly (readonly number[])[],
  lossHessian: readonly (readonly number[])[],
  inputs: readonly (readonly number[])[],
  weights: readonly number[],
): number[][] {
  const n = outputJacobian.length;
  const m = outputJacobian[0].length;
  if (lossHessian.length !== n) throw new ShapeMismatchError('lossHessian', `${n}×${n}`, `${lossHessian.length} rows`);
  if (weights.length !== inputs.length) throw new ShapeMismatchError('weights', `${inputs.length} weights`, `${weights.length}`);
  const cols = inputs[0].length + 1;
  const idx = vecIndex(m, cols);
  const p = m * cols;
  const acc = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const js = Array.from({ length: n }, () => new Array<number>(p).fill(0));
  const hj = Array.from({ length: n }, () => new Array<number>(p).fill(0));
  inputs.forEach((lt, s) => {
    const a = [1, ...lt];
    for (let i = 0; i < m; i++) for (let j = 0; j < cols; j++) for (let r = 0; r < n; r++) js[r][idx[i][j]] = outputJacobian[r][i] * a[j];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < p; c++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += lossHessian[r][k] * js[k][c];
        hj[r][c] = v;
      }
    }
    for (let x = 0; x < p; x++) {
      for (let y = x; y < p; y++) {
        let v = 0;
        for (let r = 0; r < n; r++) v += js[r][x] * hj[r][y];
        acc[x][y] += weights[s] * v;
      }
    }
  });
  for (let x = 0; x < p; x++) for (let y = 0; y < x; y++) acc[x][y] = acc[y][x];
  return acc;
}

/**
 * $\mathbb E_{\epsilon\sim\mathcal N(0,\Sigma)}\mathbf G_\psi$ exactly, by {@link gaussNewtonFromSamples} on the signed rational
 * (2h+1)-point rule of `gaussianMomentRule` (src/linalg/cubature.ts).
 *
 * @remarks
 * Exact because $\mathbf J_s^\top\mathbf H_\ell\mathbf J_s$ is a polynomial of degree 2 in ε (J_s is affine in λ̃,
 * J_f and H_ℓ are fixed), and the rule reproduces every Gaussian moment up to degree 3 (proof step 3).
 * `lambda0` is λ₀, `sigma` σ (Σ = diag σ²).
 * @see docs/math.md#s4-1
 */
export function expectedGaussNewton(
  outputJacobian: readonly (readonly RationalLike[])[],
  lossHessian: readonly (readonly RationalLike[])[],
  lambda0: readonly RationalLike[],
  sigma: readonly RationalLike[],
  parameterization: Parameterization,
): RationalMatrix {
  const p = parseHyper(lambda0, sigma);
  const rule = gaussianMomentRule(variances(p.sigma));
  return gaussNewtonFromSamples(outputJacobian, lossHessian, hypernetworkInputs(p.lambdaBar, rule.points, parameterization), rule.weights);
}

/**
 * float64 $\mathbb E_\epsilon\mathbf G_\psi$ by the tensor Gauss–Hermite rule (`forEachGaussianPoint`, `nodes` per
 * axis, default 3). An n-node rule is exact for polynomials of degree < 2n and the integrand has degree 2, so
 * any `nodes` ≥ 2 leaves only rounding error (proof step 3); cost is nodes^h assemblies.
 */
export function expectedGaussNewtonQuadrature(
  outputJacobian: readonly (readonly number[])[],
  lossHessian: readonly (readonly number[])[],
  lambda0: readonly number[],
  sigma: readonly number[],
  parameterization: Parameterization,
  nodes = 3,
): number[][] {
  const inputs: number[][] = [];
  const weights: number[] = [];
  forEachGaussianPoint(sigma, nodes, (eps, w) => {
    inputs.push(parameterization === 'centered' ? eps : eps.map((e, k) => e + lambda0[k]));
    weights.push(w);
  });
  return gaussNewtonFromSamplesFloat(outputJacobian, lossHessian, inputs, weights);
}

/**
 * The centered Gauss–Newton Hessian in block form, $\mathrm{blockdiag}(\mathbf G_w,\ \Sigma\otimes\mathbf G_w)$: G_w for w₀ and
 * Σ ⊗ G_w for vec Θ, with no coupling between them (docs/math.md#s4-1; this decoupling is what the separate Δ-STN
 * objectives of docs/math.md#s3-2 rest on, a reading that is ours [R]). `G` is G_w (m×m), `sigma` is σ.
 */
export function centeredBlockDiagonal(G: RationalMatrix, sigma: readonly RationalLike[]): RationalMatrix {
  const s = parseHyper(new Array<RationalLike>(sigma.length).fill(0), sigma).sigma;
  const m = G.length;
  const sg = kronQ(
    variances(s).map((v, i, all) => all.map((_, j) => (i === j ? v : ZERO))),
    G,
  );
  const p = m * (s.length + 1);
  const out = zerosQ(p, p);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i][j] = G[i][j];
  for (let i = 0; i < sg.length; i++) for (let j = 0; j < sg.length; j++) out[m + i][m + j] = sg[i][j];
  return out;
}

// ──────────────────────────────────── Proposition C (exact) ───────────────────────────────────────

/** What {@link compareCentering} decided, every field by exact inertia counts. */
export interface CenteringComparison {
  /** a = max(1, σ²_max) and b = min(1, σ²_min). */
  a: Rational;
  b: Rational;
  /** κ(M_c) = a/b. */
  kappaCentered: Rational;
  /** a and b are eigenvalues of M_c and bound its spectrum (so κ(M_c) = a/b exactly). */
  centeredSpectrumVerified: boolean;
  /** M_u ≻ 0. */
  uncenteredPositiveDefinite: boolean;
  /** λ_max(M_u) ≥ a and λ_min(M_u) ≤ b. */
  lambdaMaxAtLeastA: boolean;
  lambdaMinAtMostB: boolean;
  /** λ_max(M_u) = a (a zero eigenvalue of M_u − aI and none above), λ_min(M_u) = b likewise. */
  lambdaMaxEqualsA: boolean;
  lambdaMinEqualsB: boolean;
  /** κ(M_u) = κ(M_c) iff both equalities hold; otherwise κ(M_u) > κ(M_c). */
  relation: 'equal' | 'greater';
}

/**
 * Proposition C decided exactly: κ(M_u) ≥ κ(M_c), and whether it is an equality.
 *
 * @remarks
 * With a = max(1, σ²_max), b = min(1, σ²_min) (σ = `sigma`), κ(M_c) = a/b. By Sylvester's law of inertia,
 * the inertia of M − tI counts the eigenvalues of M above, below and at t, so λ_max(M_u) ≥ a iff M_u − aI has
 * a positive or zero eigenvalue, λ_max(M_u) = a iff it has a zero one and no positive one, and likewise at b
 * (proof steps 5–7). `lambdaBar` is λ̄ (λ₀ for the uncentered moment). No floating point is involved.
 * @see docs/math.md#s4-1 Proposition C
 */
export function compareCentering(lambdaBar: readonly RationalLike[], sigma: readonly RationalLike[]): CenteringComparison {
  const p = parseHyper(lambdaBar, sigma);
  const s2 = variances(p.sigma);
  const a = maxQ([ONE, ...s2]);
  const b = minQ([ONE, ...s2]);
  const mc = secondMoment(new Array<Rational>(s2.length).fill(ZERO), p.sigma);
  const mu = secondMoment(p.lambdaBar, p.sigma);
  const ca = inertiaAt(mc, a);
  const cb = inertiaAt(mc, b);
  const ua = inertiaAt(mu, a);
  const ub = inertiaAt(mu, b);
  const lambdaMaxEqualsA = ua.zero >= 1 && ua.positive === 0;
  const lambdaMinEqualsB = ub.zero >= 1 && ub.negative === 0;
  return {
    a,
    b,
    kappaCentered: a.div(b),
    centeredSpectrumVerified: ca.zero >= 1 && ca.positive === 0 && cb.zero >= 1 && cb.negative === 0,
    uncenteredPositiveDefinite: inertia(mu).positive === mu.length,
    lambdaMaxAtLeastA: ua.positive + ua.zero >= 1,
    lambdaMinAtMostB: ub.negative + ub.zero >= 1,
    lambdaMaxEqualsA,
    lambdaMinEqualsB,
    relation: lambdaMaxEqualsA && lambdaMinEqualsB ? 'equal' : 'greater',
  };
}

/** The closed-form prediction of when Proposition C is an equality (see {@link centeringEqualityCriterion}). */
export interface EqualityCriterion {
  /** λ_max(M_u) = a predicted. */
  maxSide: boolean;
  /** λ_min(M_u) = b predicted. */
  minSide: boolean;
  /** κ(M_u) = κ(M_c) predicted (both sides). */
  equal: boolean;
}

/**
 * When does centering *not* help? A closed-form criterion, independent of the inertia counts of
 * {@link compareCentering} (the claim checks that the two agree). Ours [R]; proof step 7.
 *
 * @remarks
 * λ_max(M_u) = a iff λ̄ = 0, or a > 1, λ̄_k = 0 wherever σ_k² = a, and
 * $\frac{a}{a-1}\sum_{\sigma_k^2<a}\frac{\bar\lambda_k^2}{a-\sigma_k^2}\le1$;
 * λ_min(M_u) = b iff λ̄ = 0, or b < 1, λ̄_k = 0 wherever σ_k² = b, and
 * $\frac{b}{1-b}\sum_{\sigma_k^2>b}\frac{\bar\lambda_k^2}{\sigma_k^2-b}\le1$.
 * (Schur complements of aI − M_u and M_u − bI in their (1,1) entry.) So for h = 1 and λ̄ ≠ 0 the inequality
 * is strict, while for h ≥ 3 a small λ̄ supported on coordinates with σ_k² strictly inside (σ²_min, σ²_max) keeps
 * equality, e.g. Σ = diag(0.01, 1, 100), λ̄ = (0, 0.1, 0) (docs/math.md#s0-1).
 */
export function centeringEqualityCriterion(lambdaBar: readonly RationalLike[], sigma: readonly RationalLike[]): EqualityCriterion {
  const p = parseHyper(lambdaBar, sigma);
  const s2 = variances(p.sigma);
  const lb = p.lambdaBar;
  const a = maxQ([ONE, ...s2]);
  const b = minQ([ONE, ...s2]);
  const zero = lb.every((x) => x.n === 0n);
  const side = (t: Rational, above: boolean): boolean => {
    if (zero) return true;
    // a must exceed 1 (above) / b must be below 1; otherwise the (1,1) entry of the shifted matrix is 0.
    if (above ? t.compare(ONE) <= 0 : t.compare(ONE) >= 0) return false;
    let sum = ZERO;
    for (let k = 0; k < lb.length; k++) {
      const gap = above ? t.sub(s2[k]) : s2[k].sub(t);
      if (gap.n === 0n) {
        if (lb[k].n !== 0n) return false;
        continue;
      }
      sum = sum.add(lb[k].mul(lb[k]).div(gap));
    }
    const factor = above ? t.div(t.sub(ONE)) : t.div(ONE.sub(t));
    return factor.mul(sum).compare(ONE) <= 0;
  };
  const maxSide = side(a, true);
  const minSide = side(b, false);
  return { maxSide, minSide, equal: maxSide && minSide };
}

// ──────────────────────────────────────────── h = 1 ───────────────────────────────────────────────

/**
 * κ(M_u) for a scalar hyperparameter (h = 1) in closed form:
 * $\kappa=\dfrac{(T+\sqrt{T^2-4\sigma^2})^2}{4\sigma^2}$, $T=1+\bar\lambda^2+\sigma^2$ (`lambdaBar` λ̄, `sigma` σ > 0).
 *
 * @remarks
 * This is (T + D)/(T − D) rewritten to avoid the cancellation in T − D (docs/math.md#pt-3), and
 * T² − 4σ² is evaluated as ((1 − σ)² + λ̄²)((1 + σ)² + λ̄²), which has no cancellation either.
 * @throws InvalidArgumentError (`sigma`) unless σ > 0 is finite, (`lambdaBar`) unless λ̄ is finite.
 * @see docs/math.md#s4-1 ("Scalar case"), #pt-3
 */
export function scalarConditionNumber(lambdaBar: number, sigma: number): number {
  if (!Number.isFinite(lambdaBar)) throw new InvalidArgumentError('lambdaBar', 'a finite number', lambdaBar);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new InvalidArgumentError('sigma', 'a finite scale σ > 0', sigma);
  const t = 1 + lambdaBar * lambdaBar + sigma * sigma;
  const d = Math.sqrt(((1 - sigma) ** 2 + lambdaBar * lambdaBar) * ((1 + sigma) ** 2 + lambdaBar * lambdaBar));
  return (t + d) ** 2 / (4 * sigma * sigma);
}

/**
 * The exact invariant behind the h = 1 monotonicity: for the 2×2 matrix M_u with trace T and det σ²,
 * $\kappa+1/\kappa=T^2/\sigma^2-2$, and κ + 1/κ is strictly increasing for κ ≥ 1; so κ(M_u) is a strictly
 * increasing function of T = 1 + λ̄² + σ², hence of |λ̄| (proof step 9). Returns T²/σ² − 2 exactly.
 */
export function scalarKappaInvariant(lambdaBar: RationalLike, sigma: RationalLike): Rational {
  const p = parseHyper([lambdaBar], [sigma]);
  const s2 = p.sigma[0].mul(p.sigma[0]);
  const t = ONE.add(p.lambdaBar[0].mul(p.lambdaBar[0])).add(s2);
  return t.mul(t).div(s2).sub(math.fraction(2));
}

// ─────────────────────────────────────── gradient descent ─────────────────────────────────────────

/** Result of {@link gradientDescentTrace}. */
export interface GradientDescentTrace {
  /** ‖ψ_k − ψ*‖ for k = 0..steps. */
  errors: number[];
  /** κ(H) by Jacobi. */
  kappa: number;
  /** Spectral radius of I − H/λ_max, computed from the eigenvalues of that matrix. */
  contraction: number;
  /** First k with ‖ψ_k − ψ*‖ ≤ stopAt·‖ψ₀ − ψ*‖, or −1 (reported, never asserted: PT-4 (docs/math.md#pt-4)). */
  iterationsToTolerance: number;
}

/**
 * Gradient descent with step 1/λ_max on $\tfrac12\psi^\top\mathbf H\psi-\mathbf c^\top\psi$ (`hessian` H, `c`, start `psi0`,
 * `steps` iterations), in float64.
 *
 * @remarks
 * The iteration matrix is I − H/λ_max, whose spectral radius is 1 − 1/κ(H), so
 * ‖ψ_k − ψ*‖ ≤ (1 − 1/κ)^k ‖ψ₀ − ψ*‖ (docs/math.md#pt-4). With H = M ⊗ G_w, Proposition C makes the uncentered
 * contraction factor at least the centered one. This says nothing about iteration counts from a given start:
 * the spec's counter-example (G = diag(14, 1), λ̄ = 0.8, σ = 0.6) converges faster uncentered.
 * @see docs/math.md#pt-4 [R]
 */
export function gradientDescentTrace(hessian: readonly (readonly number[])[], c: readonly number[], psi0: readonly number[], steps: number, stopAt = 1e-8): GradientDescentTrace {
  const p = hessian.length;
  if (c.length !== p) throw new ShapeMismatchError('c', `length ${p}`, `length ${c.length}`);
  if (psi0.length !== p) throw new ShapeMismatchError('psi0', `length ${p}`, `length ${psi0.length}`);
  if (!Number.isInteger(steps) || steps < 0) throw new InvalidArgumentError('steps', 'an integer ≥ 0', steps);
  const eig = symmetricEigen(hessian).values;
  const lmax = eig[p - 1];
  if (!(eig[0] > 0)) throw new NotPositiveDefiniteError('hessian', `smallest eigenvalue ${eig[0]}`);
  const star = choleskySolve(hessian, [...c], 'hessian').to1DArray();
  const iter = hessian.map((row, i) => row.map((x, j) => (i === j ? 1 : 0) - x / lmax));
  const iterEig = symmetricEigen(iter).values;
  const contraction = Math.max(...iterEig.map(Math.abs));
  const psi = [...psi0];
  const err = (): number => norm2(psi.map((x, i) => x - star[i]));
  const errors = [err()];
  let iterationsToTolerance = errors[0] === 0 ? 0 : -1;
  for (let k = 1; k <= steps; k++) {
    const g = hessian.map((row, i) => row.reduce((s, x, j) => s + x * psi[j], 0) - c[i]);
    for (let i = 0; i < p; i++) psi[i] -= g[i] / lmax;
    errors.push(err());
    if (iterationsToTolerance < 0 && errors[k] <= stopAt * errors[0]) iterationsToTolerance = k;
  }
  return { errors, kappa: lmax / eig[0], contraction, iterationsToTolerance };
}

// ───────────────────────────────────── float64 κ: its tolerance ───────────────────────────────────

/**
 * The scaled condition number κ(H) of a symmetric positive definite float64 matrix A (`a`), where
 * $\mathbf H=\mathbf D^{-1/2}\mathbf A\mathbf D^{-1/2}$ and $\mathbf D=\mathrm{diag}(\mathbf A)$ (unit diagonal), by Jacobi.
 *
 * @remarks
 * Why this and not κ(A) (proofs/OBS-1.md step 12; PT-2, docs/math.md#pt-2): a relative perturbation
 * of the entries, |δA_ij| ≤ ε|A_ij| (rounding the exact entries to float64), moves every eigenvalue of A by a
 * relative amount ≤ ‖D^{-1/2}δA D^{-1/2}‖₂/λ_min(H) ≤ nε/λ_min(H) ≤ nε·κ(H), since λ_max(H) ≥ 1 (its trace is n);
 * and Jacobi with the stopping rule |a_pq| ≤ ε√(a_pp a_qq) (`symmetricEigen`) computes the eigenvalues to a relative
 * accuracy of the same order (Demmel & Veselić 1992). For the graded M ⊗ G of OBS-1, κ(H) is many orders below κ(A).
 * @throws NotPositiveDefiniteError naming `name` when a diagonal entry is not positive or A is not positive definite.
 */
export function scaledConditionNumber(a: readonly (readonly number[])[], name = 'a'): number {
  const d = a.map((row, i) => {
    if (!(row[i] > 0)) throw new NotPositiveDefiniteError(name, `diagonal entry ${i} is ${row[i]}`);
    return Math.sqrt(row[i]);
  });
  return conditionNumber(
    a.map((row, i) => row.map((x, j) => x / d[i] / d[j])),
    'spd',
    name,
  );
}

/**
 * Relative tolerance for a κ computed by Jacobi from the float64 matrix `a`: the policy's
 * `eigenRelTol(n, κ)` evaluated at the scaled κ(H) of {@link scaledConditionNumber} instead of κ(A) (src/tolerance.ts;
 * argued in proofs/OBS-1.md step 12). On the claim's generator it is below 0.6 in every draw measured, where
 * `eigenRelTol(n, κ(A))` reached 1e3.
 */
export function jacobiKappaRelTol(a: readonly (readonly number[])[], name = 'a'): number {
  return eigenRelTol(a.length, scaledConditionNumber(a, name));
}
