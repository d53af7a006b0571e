/**
 * Gaussian-process regression for the Bayesian-optimization baseline: a Matérn-5/2 kernel with ARD length
 * scales, Gaussian noise, a constant mean, hyperparameters fitted by maximising the log marginal likelihood,
 * and expected improvement for minimisation. Everything is float64 on ml-matrix (Cholesky); browser-safe.
 *
 * @remarks
 * **Model.** Targets are standardised, z_i = (y_i − ȳ)/s_y (ȳ the data mean, s_y the population standard
 * deviation, taken as 1 when it is 0), and modelled as z = f(X) + e with f ~ GP(0, k), e ~ N(0, σ_n² I):
 *
 * $$k(x, x') = s^2\,\bigl(1 + \sqrt5\,r + \tfrac53 r^2\bigr)\,e^{-\sqrt5\,r},\qquad
 *   r^2 = \sum_k (x_k - x'_k)^2/\ell_k^2 .$$
 *
 * Symbols ↔ fields of {@link GpHyperparameters}: ℓ_k = `lengthScales[k]`, s² = `signalVariance`,
 * σ_n² = `noiseVariance` (both variances in standardised units).
 *
 * **Marginal likelihood** (Rasmussen & Williams 2006, eq. 2.30 and 5.9), with K = K_f + σ_n² I, α = K⁻¹z:
 *
 * $$\log p(z\mid X,\theta) = -\tfrac12 z^\top\alpha - \tfrac12\log|K| - \tfrac n2\log 2\pi,\qquad
 *   \frac{\partial \log p}{\partial\theta_j} = \tfrac12\operatorname{tr}\bigl((\alpha\alpha^\top - K^{-1})\,\partial K/\partial\theta_j\bigr),$$
 *
 * over θ = (log ℓ_1 … log ℓ_d, log s², log σ_n²), for which
 * ∂k/∂log ℓ_k = (5/3) s² (1 + √5 r) e^{−√5 r} (x_k − x'_k)²/ℓ_k² (no 1/r: finite at r = 0),
 * ∂K/∂log s² = K_f and ∂K/∂log σ_n² = σ_n² I.
 *
 * **Posterior** of the latent f at x* (eq. 2.25–2.26), returned in the units of y:
 * μ(x*) = ȳ + s_y·k*ᵀα, σ²(x*) = s_y²·(k(x*, x*) − k*ᵀK⁻¹k*) (noise excluded: EI asks about f).
 *
 * **Expected improvement** for minimisation, best value y⁺ and margin ξ (Jones et al. 1998):
 * EI = (y⁺ − μ − ξ)Φ(z) + σφ(z), z = (y⁺ − μ − ξ)/σ; EI = max(y⁺ − μ − ξ, 0) when σ = 0.
 *
 * @see issue 5 (baselines); Rasmussen & Williams, *Gaussian Processes for Machine Learning*, ch. 2, 4.2, 5.4
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, ShapeMismatchError } from '../errors.js';
import { Rng } from '../rng.js';
import { sigmoid } from '../linalg/scalar.js';

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// ---------------------------------------------------------------------------------------------------------
// The normal distribution
// ---------------------------------------------------------------------------------------------------------

/** φ(z) = e^{−z²/2}/√(2π), the standard normal density. */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

// W. J. Cody's rational Chebyshev approximations to erf/erfc (Math. Comp. 23 (1969) 631–637; the
// coefficients of netlib SPECFUN CALERF, public domain, printed there to 18 digits and here as the nearest
// doubles): relative error below 1e-16 on each interval in exact arithmetic.
const ERF_A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const ERFC_C = [
  0.5641884969886701, 8.883149794388375, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707, 2051.0783778260716,
  1230.3393547979972, 2.1531153547440383e-8,
];
const ERFC_D = [15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247, 3439.3676741437216, 1230.3393548037493];
const ERFC_P = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.01608378514874228, 0.0006587491615298378, 0.016315387137302097];
const ERFC_Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

/**
 * erfc(x) = 1 − erf(x) to full float64 relative accuracy for every x (Cody 1969).
 *
 * @remarks
 * For |x| ≤ 0.46875, 1 − x·P(x²)/Q(x²) (no cancellation: erf(x) ≤ 0.5 there). Above, erfc(y) =
 * e^{−y²}·R(y) with R a rational function of y (y ≤ 4) or of 1/y² (y > 4), so the tail keeps its relative
 * accuracy until e^{−y²} underflows (y ≈ 26.6). e^{−y²} is formed as e^{−ỹ²}·e^{−(y−ỹ)(y+ỹ)} with ỹ = y
 * rounded down to a multiple of 1/16, because y² itself carries a rounding error that e^{·} would magnify by
 * y². Negative x uses erfc(x) = 2 − erfc(−x).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) throw new NonFiniteError('x', x);
  const y = Math.abs(x);
  let result: number;
  if (y <= 0.46875) {
    const ysq = y * y;
    let num = ERF_A[4] * ysq;
    let den = ysq;
    for (let i = 0; i < 3; i++) {
      num = (num + ERF_A[i]) * ysq;
      den = (den + ERF_B[i]) * ysq;
    }
    return 1 - (x * (num + ERF_A[3])) / (den + ERF_B[3]);
  }
  if (y <= 4) {
    let num = ERFC_C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]) * y;
      den = (den + ERFC_D[i]) * y;
    }
    result = (num + ERFC_C[7]) / (den + ERFC_D[7]);
  } else if (y >= 27) {
    result = 0; // e^{−y²} < 1e-316: erfc underflows (the subnormal range is not worth the care)
  } else {
    const ysq = 1 / (y * y);
    let num = ERFC_P[5] * ysq;
    let den = ysq;
    for (let i = 0; i < 4; i++) {
      num = (num + ERFC_P[i]) * ysq;
      den = (den + ERFC_Q[i]) * ysq;
    }
    result = (INV_SQRT_PI - (ysq * (num + ERFC_P[4])) / (den + ERFC_Q[4])) / y;
  }
  if (result !== 0) {
    const yt = Math.trunc(y * 16) / 16;
    result *= Math.exp(-yt * yt) * Math.exp(-(y - yt) * (y + yt));
  }
  return x < 0 ? 2 - result : result;
}

/**
 * Φ(z) = P(N(0, 1) ≤ z) = ½·erfc(−z/√2), accurate to a few ulps relative in both tails (no 1 − Φ
 * cancellation: the lower tail is an erfc of a positive argument).
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new NonFiniteError('z', z);
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Expected improvement below `best` for minimisation: E[max(y⁺ − ξ − f, 0)] with f ~ N(μ, σ²).
 *
 * @remarks
 * EI = (y⁺ − μ − ξ)Φ(z) + σφ(z) = σ·(zΦ(z) + φ(z)), z = (y⁺ − μ − ξ)/σ (μ = `mu`, σ = `sd`, y⁺ = `best`,
 * ξ = `xi`). For σ = 0 the limit max(y⁺ − μ − ξ, 0). EI ≥ 0 always (the tiny negative values that rounding
 * can produce for z ≪ 0 are clamped to 0); ∂EI/∂σ = φ(z) > 0, so at equal μ the larger σ wins.
 *
 * @throws NonFiniteError naming `mu`, `sd`, `best` or `xi` for NaN/±∞; InvalidArgumentError for `sd` < 0.
 */
export function expectedImprovement(mu: number, sd: number, best: number, xi = 0): number {
  if (!Number.isFinite(mu)) throw new NonFiniteError('mu', mu);
  if (!Number.isFinite(sd)) throw new NonFiniteError('sd', sd);
  if (!Number.isFinite(best)) throw new NonFiniteError('best', best);
  if (!Number.isFinite(xi)) throw new NonFiniteError('xi', xi);
  if (sd < 0) throw new InvalidArgumentError('sd', 'a standard deviation ≥ 0', sd);
  const gap = best - mu - xi;
  if (sd === 0) return Math.max(gap, 0);
  const z = gap / sd;
  return Math.max(0, gap * normalCdf(z) + sd * normalPdf(z));
}

// ---------------------------------------------------------------------------------------------------------
// Kernel and marginal likelihood
// ---------------------------------------------------------------------------------------------------------

/** The kernel hyperparameters, in the units the GP sees (standardised targets unless `standardize: false`). */
export interface GpHyperparameters {
  /** ℓ_k > 0, one per input dimension (ARD). */
  lengthScales: number[];
  /** s² > 0. */
  signalVariance: number;
  /** σ_n² ≥ 0 (0 only for fixed hyperparameters; a fitted σ_n² is at least its lower bound). */
  noiseVariance: number;
}

/** Scaled distance r = √(Σ_k (a_k − b_k)²/ℓ_k²). */
function scaledDistance(a: readonly number[], b: readonly number[], ell: readonly number[]): number {
  let r2 = 0;
  for (let k = 0; k < ell.length; k++) {
    const t = (a[k] - b[k]) / ell[k];
    r2 += t * t;
  }
  return Math.sqrt(r2);
}

/** k(r) = s²(1 + √5 r + 5r²/3)e^{−√5 r}. */
export function matern52(r: number, signalVariance: number): number {
  const t = SQRT5 * r;
  return signalVariance * (1 + t + (t * t) / 3) * Math.exp(-t);
}

/** K_f (without noise) on the rows of X. Symmetric by construction (ml-matrix's Cholesky checks exactly). */
function kernelMatrix(X: readonly number[][], ell: readonly number[], s2: number): number[][] {
  const n = X.length;
  const K: number[][] = Array.from({ length: n }, () => new Array<number>(n));
  for (let i = 0; i < n; i++) {
    K[i][i] = s2;
    for (let j = 0; j < i; j++) {
      const v = matern52(scaledDistance(X[i], X[j], ell), s2);
      K[i][j] = v;
      K[j][i] = v;
    }
  }
  return K;
}

interface Factor {
  /** Lower-triangular L with LLᵀ = K_f + (σ_n² + jitter)I. */
  L: number[][];
  jitter: number;
}

/** Cholesky of K_f + σ_n² I, or null if it is not numerically PD (no jitter: the fit treats it as −∞). */
function factorOnce(Kf: number[][], noise: number, jitter: number): Factor | null {
  const n = Kf.length;
  const K = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K.set(i, j, Kf[i][j] + (i === j ? noise + jitter : 0));
  const chol = new CholeskyDecomposition(K);
  if (!chol.isPositiveDefinite()) return null;
  return { L: chol.lowerTriangularMatrix.to2DArray(), jitter };
}

/**
 * Jitter, the documented last resort: when K_f + σ_n² I is not numerically PD (only possible with a tiny or
 * zero fixed σ_n² and (near-)duplicate inputs), add j·I with j = 1e-10·s², then ×10 per try, up to 1e-6·s²
 * (5 tries). 1e-6 relative is the default lower bound of a fitted σ_n², so the jitter never adds more noise
 * than a fit could have chosen anyway. Beyond that, a typed error. The fit itself never jitters: a non-PD
 * kernel there scores −∞ and the line search steps back.
 */
function factorWithJitter(Kf: number[][], noise: number, s2: number): Factor {
  const f = factorOnce(Kf, noise, 0);
  if (f) return f;
  for (let jitter = 1e-10 * s2; jitter <= 1e-6 * s2 * (1 + 1e-9); jitter *= 10) {
    const g = factorOnce(Kf, noise, jitter);
    if (g) return g;
  }
  throw new NotPositiveDefiniteError('X', 'K_f + σ_n²I stays indefinite even with jitter 1e-6·s² (duplicate inputs with zero noise?)');
}

// Triangular solves on the factor as plain arrays: ml-matrix's `solve` goes through get/set per entry and
// was 5× slower than the rest of the fit together; the factorisation itself stays ml-matrix's.

/** x = K⁻¹b = L⁻ᵀL⁻¹b. */
function cholSolve(L: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = L.length;
  const x = b.slice();
  for (let i = 0; i < n; i++) {
    let acc = x[i];
    for (let k = 0; k < i; k++) acc -= L[i][k] * x[k];
    x[i] = acc / L[i][i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let acc = x[i];
    for (let k = i + 1; k < n; k++) acc -= L[k][i] * x[k];
    x[i] = acc / L[i][i];
  }
  return x;
}

/** K⁻¹ = L⁻ᵀL⁻¹ (symmetric), from M = L⁻¹ by forward substitution, then (K⁻¹)_ij = Σ_{k ≥ max(i,j)} M_ki M_kj. */
function cholInverse(L: readonly (readonly number[])[]): number[][] {
  const n = L.length;
  const M: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    M[j][j] = 1 / L[j][j];
    for (let i = j + 1; i < n; i++) {
      let acc = 0;
      for (let k = j; k < i; k++) acc -= L[i][k] * M[k][j];
      M[i][j] = acc / L[i][i];
    }
  }
  const inv: number[][] = Array.from({ length: n }, () => new Array<number>(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let k = i; k < n; k++) acc += M[k][i] * M[k][j];
      inv[i][j] = acc;
      inv[j][i] = acc;
    }
  }
  return inv;
}

/** LML value and gradient for an already factored K (shared by the fit and its tests). */
function lmlFromFactor(X: readonly number[][], z: readonly number[], p: GpHyperparameters, Kf: number[][], f: Factor, wantGradient: boolean): { value: number; gradient: number[] } {
  const n = X.length;
  const d = p.lengthScales.length;
  const alpha = cholSolve(f.L, z);
  let quad = 0;
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    quad += z[i] * alpha[i];
    logDet += 2 * Math.log(f.L[i][i]);
  }
  const value = -0.5 * quad - 0.5 * logDet - 0.5 * n * LOG_2PI;
  if (!wantGradient) return { value, gradient: [] };
  const Kinv = cholInverse(f.L);
  // W = ααᵀ − K⁻¹ (symmetric); ∂LML/∂θ_j = ½ Σ_ab W_ab ∂K_ab/∂θ_j.
  const gradient = new Array<number>(d + 2).fill(0);
  const ell = p.lengthScales;
  const s2 = p.signalVariance;
  let traceW = 0;
  let gS2 = 0;
  for (let a = 0; a < n; a++) {
    const waa = alpha[a] * alpha[a] - Kinv[a][a];
    traceW += waa;
    gS2 += 0.5 * waa * Kf[a][a];
    for (let b = 0; b < a; b++) {
      const w = alpha[a] * alpha[b] - Kinv[a][b];
      // off-diagonal pairs count twice in the trace; ½·2 = 1
      gS2 += w * Kf[a][b];
      const r = scaledDistance(X[a], X[b], ell);
      const common = (5 / 3) * s2 * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
      for (let k = 0; k < d; k++) {
        const t = (X[a][k] - X[b][k]) / ell[k];
        gradient[k] += w * common * t * t;
      }
    }
  }
  gradient[d] = gS2;
  gradient[d + 1] = 0.5 * p.noiseVariance * traceW;
  return { value, gradient };
}

/**
 * The log marginal likelihood log p(z | X, θ) and its gradient in θ = (log ℓ_1 … log ℓ_d, log s², log σ_n²).
 *
 * @param X inputs, n rows of d numbers.
 * @param z targets exactly as the GP sees them (zero prior mean: standardise first).
 * @param params ℓ, s², σ_n² (σ_n² > 0 here: the log-parametrisation needs it).
 * @returns `value` (−∞ is never returned: a non-PD K throws) and `gradient` (length d + 2).
 * @throws NotPositiveDefiniteError if K_f + σ_n² I is not numerically PD (no jitter here);
 * ShapeMismatchError / NonFiniteError / InvalidArgumentError for bad arguments, naming them.
 */
export function gpLogMarginalLikelihood(X: readonly number[][], z: readonly number[], params: GpHyperparameters): { value: number; gradient: number[] } {
  const d = checkInputs(X, z, 'z');
  checkHyperparameters(params, d, 'params', true);
  const Kf = kernelMatrix(X, params.lengthScales, params.signalVariance);
  const f = factorOnce(Kf, params.noiseVariance, 0);
  if (!f) throw new NotPositiveDefiniteError('params', 'K_f + σ_n²I is not numerically positive definite');
  return lmlFromFactor(X, z, params, Kf, f, true);
}

// ---------------------------------------------------------------------------------------------------------
// Fitting
// ---------------------------------------------------------------------------------------------------------

/** Options of {@link fitGp}. */
export interface FitGpOptions {
  /** Fixed hyperparameters (in the GP's units): skip the fit. σ_n² = 0 is allowed here (exact interpolation). */
  hyperparameters?: GpHyperparameters;
  /** Standardise the targets (subtract ȳ, divide by s_y). Default true. False: prior mean 0, y as given. */
  standardize?: boolean;
  /** Random starts besides the default one (seeded by `seed`). Default 4. */
  restarts?: number;
  /** Seed of the random starts. Default 0. */
  seed?: number;
  /** BFGS iterations per start. Default 200. */
  maxIterations?: number;
  /**
   * Box [lo, hi] for each ℓ_k, absolute units of X. Default [0.01·span_k, 100·span_k], span_k the range of
   * column k (1 when the column is constant): shorter than 1% of the data's extent is noise-fitting, and
   * longer than 100× is a constant in that coordinate already.
   */
  lengthScaleBounds?: readonly [number, number];
  /** Box for s², in units of v_z (the variance of what the GP sees; 1 when standardised). Default [1e-2, 1e2]. */
  signalVarianceBounds?: readonly [number, number];
  /** Box for σ_n², in units of v_z. Default [1e-6, 10]: 1e-6 keeps K well conditioned for noiseless data. */
  noiseVarianceBounds?: readonly [number, number];
}

/** A fitted (or fixed-hyperparameter) GP, ready for {@link posterior}. Immutable by convention. */
export interface GaussianProcess {
  readonly X: readonly (readonly number[])[];
  readonly n: number;
  readonly d: number;
  /** ȳ (0 when not standardising). */
  readonly yMean: number;
  /** s_y (1 when not standardising, or when every y is equal). */
  readonly yScale: number;
  /** ℓ, s², σ_n² in the GP's units (s², σ_n² multiply yScale² to be in units of y²). */
  readonly hyperparameters: GpHyperparameters;
  /** log p(z | X, θ) at the returned hyperparameters (standardised z). */
  readonly logMarginalLikelihood: number;
  /** Jitter added to the diagonal (0 unless the last resort of {@link fitGp} was needed). */
  readonly jitter: number;
  /** Lower Cholesky factor of K_f + (σ_n² + jitter)I. */
  readonly L: readonly (readonly number[])[];
  /** α = K⁻¹z. */
  readonly alpha: readonly number[];
}

function checkInputs(X: readonly number[][], y: readonly number[], yName: string): number {
  if (!Array.isArray(X) || X.length === 0) throw new ShapeMismatchError('X', 'a non-empty array of rows', Array.isArray(X) ? '[]' : typeof X);
  if (!Array.isArray(X[0]) || X[0].length === 0) throw new ShapeMismatchError('X[0]', 'a non-empty row', String(X[0]));
  const d = X[0].length;
  X.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== d) throw new ShapeMismatchError(`X[${i}]`, `length ${d}`, Array.isArray(row) ? `length ${row.length}` : typeof row);
    row.forEach((v, k) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`X[${i}][${k}]`, v);
    });
  });
  if (!Array.isArray(y) || y.length !== X.length) throw new ShapeMismatchError(yName, `length ${X.length} (one per row of X)`, Array.isArray(y) ? `length ${y.length}` : typeof y);
  y.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`${yName}[${i}]`, v);
  });
  return d;
}

function checkHyperparameters(p: GpHyperparameters, d: number, name: string, positiveNoise: boolean): void {
  if (typeof p !== 'object' || p === null) throw new InvalidArgumentError(name, 'an object {lengthScales, signalVariance, noiseVariance}', p);
  if (!Array.isArray(p.lengthScales) || p.lengthScales.length !== d) throw new ShapeMismatchError(`${name}.lengthScales`, `length ${d}`, Array.isArray(p.lengthScales) ? `length ${p.lengthScales.length}` : typeof p.lengthScales);
  p.lengthScales.forEach((l, k) => {
    if (!(l > 0) || !Number.isFinite(l)) throw new InvalidArgumentError(`${name}.lengthScales[${k}]`, 'a finite length scale > 0', l);
  });
  if (!(p.signalVariance > 0) || !Number.isFinite(p.signalVariance)) throw new InvalidArgumentError(`${name}.signalVariance`, 'a finite s² > 0', p.signalVariance);
  const okNoise = positiveNoise ? p.noiseVariance > 0 : p.noiseVariance >= 0;
  if (!okNoise || !Number.isFinite(p.noiseVariance)) throw new InvalidArgumentError(`${name}.noiseVariance`, positiveNoise ? 'a finite σ_n² > 0' : 'a finite σ_n² ≥ 0', p.noiseVariance);
}

function checkBounds(b: readonly [number, number] | undefined, fallback: readonly [number, number], name: string): [number, number] {
  if (b === undefined) return [fallback[0], fallback[1]];
  if (!Array.isArray(b) || b.length !== 2 || !(b[0] > 0) || !(b[1] >= b[0]) || !Number.isFinite(b[1])) throw new InvalidArgumentError(name, 'finite [lo, hi] with 0 < lo ≤ hi', String(b));
  return [b[0], b[1]];
}

/**
 * Minimises f over ℝᵐ by BFGS (inverse-Hessian form, Nocedal & Wright alg. 6.1) with Armijo backtracking.
 * `f` returns +∞ where it cannot be evaluated (a non-PD kernel); backtracking then shortens the step.
 */
function minimizeBfgs(f: (x: number[]) => { value: number; gradient: number[] }, x0: number[], maxIterations: number): { x: number[]; value: number } {
  const m = x0.length;
  let x = x0.slice();
  let cur = f(x);
  if (!Number.isFinite(cur.value)) return { x, value: cur.value };
  let H: number[][] = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : 0)));
  let first = true;
  for (let it = 0; it < maxIterations; it++) {
    const g = cur.gradient;
    if (Math.max(...g.map(Math.abs)) < 1e-7) break;
    let p = H.map((row) => -row.reduce((acc, h, j) => acc + h * g[j], 0));
    let slope = p.reduce((acc, pi, i) => acc + pi * g[i], 0);
    if (!(slope < 0)) {
      // H lost positive definiteness to rounding: restart from steepest descent.
      H = H.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      p = g.map((gi) => -gi);
      slope = -g.reduce((acc, gi) => acc + gi * gi, 0);
    }
    let t = 1;
    let next = f(x.map((xi, i) => xi + t * p[i]));
    let tries = 0;
    while (!(next.value <= cur.value + 1e-4 * t * slope) && tries < 40) {
      t *= 0.5;
      next = f(x.map((xi, i) => xi + t * p[i]));
      tries++;
    }
    if (!(next.value <= cur.value + 1e-4 * t * slope)) break;
    const s = p.map((pi) => t * pi);
    const yv = next.gradient.map((gi, i) => gi - g[i]);
    const sy = s.reduce((acc, si, i) => acc + si * yv[i], 0);
    const decrease = cur.value - next.value;
    x = x.map((xi, i) => xi + s[i]);
    cur = next;
    if (sy > 1e-12 * Math.hypot(...s) * Math.hypot(...yv)) {
      if (first) {
        // Scale the initial inverse Hessian (N&W eq. 6.20) before the first update.
        const yy = yv.reduce((acc, v) => acc + v * v, 0);
        H = H.map((row) => row.map((h) => (h * sy) / yy));
        first = false;
      }
      // H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, ρ = 1/(sᵀy)
      const rho = 1 / sy;
      const Hy = H.map((row) => row.reduce((acc, h, j) => acc + h * yv[j], 0));
      const yHy = yv.reduce((acc, v, i) => acc + v * Hy[i], 0);
      H = H.map((row, i) => row.map((h, j) => h - rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j]));
    }
    if (decrease <= 1e-12 * Math.max(1, Math.abs(cur.value))) break;
  }
  return { x, value: cur.value };
}


/**
 * Fits a Matérn-5/2 GP to (X, y): standardises y, then maximises log p(z | X, θ) over
 * θ = (log ℓ, log s², log σ_n²) inside a box.
 *
 * @remarks
 * The box is enforced by the reparametrisation θ_j = lo_j + (hi_j − lo_j)·sigmoid(φ_j), and −LML is
 * minimised over the unconstrained φ by BFGS with Armijo backtracking (∂θ/∂φ = (hi − lo)σ(1 − σ) chains the
 * analytic gradient). Starts: one default, ℓ_k = span_k/2, s² = v_z, σ_n² = 1e-2·v_z (clamped to the box),
 * then `restarts` uniform draws in the log-box from `new Rng(seed)`; the largest LML wins. The result is
 * a deterministic function of (X, y, options).
 *
 * Pure maximum likelihood, no prior: with very few points the LML can be nearly flat (3 points of a
 * quadratic: −4.257 at ℓ = 0.05 against −4.272 at ℓ = 100, i.e. 0.015 nats), and the maximiser is then
 * arbitrary, often a short ℓ that makes EI almost zero everywhere; a Bayesian-optimization step taken then
 * is in effect a random one. A log-normal prior on ℓ (MAP) was tried and did not help on balance (better on
 * Branin, worse on six-hump camel, 9 seeds each), so it is not here.
 *
 * @param X inputs (n × d, finite). @param y targets (length n, finite).
 * @throws ShapeMismatchError / NonFiniteError naming `X`, `X[i][k]`, `y`, `y[i]`; InvalidArgumentError for
 * bad options; NotPositiveDefiniteError if fixed hyperparameters give a kernel that even the
 * bounded jitter (at most 1e-6·s², reported as `jitter`) cannot rescue.
 */
export function fitGp(X: readonly number[][], y: readonly number[], options: FitGpOptions = {}): GaussianProcess {
  const d = checkInputs(X, y, 'y');
  const n = X.length;
  const standardize = options.standardize ?? true;
  let yMean = 0;
  let yScale = 1;
  if (standardize) {
    yMean = y.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - yMean) * (b - yMean), 0) / n);
    // One point, or all equal: nothing to scale by; leave the residuals (all 0) in y's units.
    yScale = sd > 0 ? sd : 1;
  }
  const z = y.map((v) => (v - yMean) / yScale);
  const rows = X.map((r) => r.slice());

  const finish = (p: GpHyperparameters): GaussianProcess => {
    const Kf = kernelMatrix(rows, p.lengthScales, p.signalVariance);
    const f = factorWithJitter(Kf, p.noiseVariance, p.signalVariance);
    const { value } = lmlFromFactor(rows, z, p, Kf, f, false);
    const alpha = cholSolve(f.L, z);
    return { X: rows, n, d, yMean, yScale, hyperparameters: { lengthScales: p.lengthScales.slice(), signalVariance: p.signalVariance, noiseVariance: p.noiseVariance }, logMarginalLikelihood: value, jitter: f.jitter, L: f.L, alpha };
  };

  if (options.hyperparameters !== undefined) {
    checkHyperparameters(options.hyperparameters, d, 'options.hyperparameters', false);
    return finish(options.hyperparameters);
  }

  const restarts = options.restarts ?? 4;
  if (!Number.isInteger(restarts) || restarts < 0) throw new InvalidArgumentError('options.restarts', 'an integer ≥ 0', restarts);
  const maxIterations = options.maxIterations ?? 200;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new InvalidArgumentError('options.maxIterations', 'an integer ≥ 1', maxIterations);
  const seed = options.seed ?? 0;

  const span = Array.from({ length: d }, (_, k) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      lo = Math.min(lo, r[k]);
      hi = Math.max(hi, r[k]);
    }
    return hi > lo ? hi - lo : 1;
  });
  const vz = z.reduce((a, b) => a + b * b, 0) / n || 1;
  const ellB = options.lengthScaleBounds === undefined ? undefined : checkBounds(options.lengthScaleBounds, [1, 1], 'options.lengthScaleBounds');
  const s2B = checkBounds(options.signalVarianceBounds, [1e-2, 1e2], 'options.signalVarianceBounds');
  const noiseB = checkBounds(options.noiseVarianceBounds, [1e-6, 10], 'options.noiseVarianceBounds');
  // Box on θ (log scale).
  const lo: number[] = [];
  const hi: number[] = [];
  for (let k = 0; k < d; k++) {
    lo.push(Math.log(ellB ? ellB[0] : 0.01 * span[k]));
    hi.push(Math.log(ellB ? ellB[1] : 100 * span[k]));
  }
  lo.push(Math.log(s2B[0] * vz), Math.log(noiseB[0] * vz));
  hi.push(Math.log(s2B[1] * vz), Math.log(noiseB[1] * vz));
  const m = d + 2;

  const toParams = (theta: number[]): GpHyperparameters => ({ lengthScales: theta.slice(0, d).map(Math.exp), signalVariance: Math.exp(theta[d]), noiseVariance: Math.exp(theta[d + 1]) });
  const thetaOf = (phi: number[]): number[] => phi.map((v, j) => lo[j] + (hi[j] - lo[j]) * sigmoid(v));
  const objective = (phi: number[]): { value: number; gradient: number[] } => {
    if (!phi.every(Number.isFinite)) return { value: Infinity, gradient: new Array<number>(m).fill(0) };
    const theta = thetaOf(phi);
    const p = toParams(theta);
    const Kf = kernelMatrix(rows, p.lengthScales, p.signalVariance);
    const f = factorOnce(Kf, p.noiseVariance, 0);
    if (!f) return { value: Infinity, gradient: new Array<number>(m).fill(0) };
    const r = lmlFromFactor(rows, z, p, Kf, f, true);
    // minimise −LML; dθ_j/dφ_j = (hi − lo)·σ(φ)(1 − σ(φ))
    const gradient = r.gradient.map((g, j) => {
      const sg = sigmoid(phi[j]);
      return -g * (hi[j] - lo[j]) * sg * (1 - sg);
    });
    return { value: -r.value, gradient };
  };
  const phiOf = (theta: number[]): number[] =>
    theta.map((t, j) => {
      if (hi[j] === lo[j]) return 0;
      const q = Math.min(1 - 1e-6, Math.max(1e-6, (t - lo[j]) / (hi[j] - lo[j])));
      return Math.log(q) - Math.log(1 - q);
    });

  const starts: number[][] = [[...span.map((s) => Math.log(s / 2)), Math.log(vz), Math.log(1e-2 * vz)]];
  const rng = new Rng(seed);
  for (let i = 0; i < restarts; i++) starts.push(lo.map((l, j) => l + (hi[j] - l) * rng.uniform()));
  let best: { x: number[]; value: number } | null = null;
  for (const s of starts) {
    const r = minimizeBfgs(objective, phiOf(s), maxIterations);
    if (Number.isFinite(r.value) && (best === null || r.value < best.value)) best = r;
  }
  // Every start non-PD can only happen with pathological inputs; fall back to the largest noise in the box.
  const theta = best ? thetaOf(best.x) : [...span.map((s) => Math.log(s / 2)), Math.log(vz), hi[d + 1]];
  return finish(toParams(theta));
}

// ---------------------------------------------------------------------------------------------------------
// Prediction
// ---------------------------------------------------------------------------------------------------------

/**
 * Posterior mean and variance of the latent f at the rows of `x`, in the units of y:
 * μ = ȳ + s_y·k*ᵀα, σ² = s_y²·max(0, s² − ‖L⁻¹k*‖²) (noise excluded).
 *
 * @param gp from {@link fitGp}. @param x m × d points.
 * @throws ShapeMismatchError / NonFiniteError naming `x` or `x[i][k]`.
 */
export function posterior(gp: GaussianProcess, x: readonly (readonly number[])[]): { mean: number[]; variance: number[] } {
  if (!Array.isArray(x)) throw new ShapeMismatchError('x', `an array of rows of length ${gp.d}`, typeof x);
  const { n, L, alpha } = gp;
  const ell = gp.hyperparameters.lengthScales;
  const s2 = gp.hyperparameters.signalVariance;
  const mean: number[] = [];
  const variance: number[] = [];
  const v = new Array<number>(n);
  x.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== gp.d) throw new ShapeMismatchError(`x[${i}]`, `length ${gp.d}`, Array.isArray(row) ? `length ${row.length}` : typeof row);
    row.forEach((val, k) => {
      if (typeof val !== 'number' || !Number.isFinite(val)) throw new NonFiniteError(`x[${i}][${k}]`, val);
    });
    let mu = 0;
    let vv = 0;
    // forward substitution L v = k*, fused with μ = k*ᵀα and ‖v‖²
    for (let a = 0; a < n; a++) {
      const ka = matern52(scaledDistance(row, gp.X[a], ell), s2);
      mu += ka * alpha[a];
      let acc = ka;
      const La = L[a];
      for (let b = 0; b < a; b++) acc -= La[b] * v[b];
      v[a] = acc / La[a];
      vv += v[a] * v[a];
    }
    mean.push(gp.yMean + gp.yScale * mu);
    variance.push(gp.yScale * gp.yScale * Math.max(0, s2 - vv));
  });
  return { mean, variance };
}
