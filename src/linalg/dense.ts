/**
 * float64 dense linear algebra on ml-matrix: Kronecker products, column-major vec, symmetric eigenvalues
 * (cyclic Jacobi, for high relative accuracy), condition numbers, Cholesky solves and argument checks.
 *
 * Matrices cross the public API as `number[][]` (arrays of rows) or ml-matrix `Matrix`; both are accepted
 * where a {@link MatrixLike} is asked for.
 */
import { CholeskyDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../errors.js';

/** A float64 matrix as rows, or an ml-matrix `Matrix`. */
export type MatrixLike = Matrix | readonly (readonly number[])[];

/** Converts to an ml-matrix `Matrix`, checking that rows are equally long and entries finite. */
export function toMatrix(a: MatrixLike, name = 'matrix'): Matrix {
  if (a instanceof Matrix) {
    assertFiniteMatrix(a, name);
    return a;
  }
  if (!Array.isArray(a) || a.length === 0) throw new ShapeMismatchError(name, 'a non-empty array of rows', describe(a));
  const cols = a[0].length;
  for (let i = 0; i < a.length; i++) {
    if (!Array.isArray(a[i]) || a[i].length !== cols || cols === 0) {
      throw new ShapeMismatchError(name, `rows of length ${cols}`, `row ${i} of length ${Array.isArray(a[i]) ? a[i].length : '?'}`);
    }
    for (let j = 0; j < cols; j++) {
      const v = a[i][j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`${name}[${i}][${j}]`, v);
    }
  }
  return new Matrix(a as number[][]);
}

function describe(a: unknown): string {
  if (Array.isArray(a)) return `an array of length ${a.length}`;
  return typeof a;
}

/** Throws {@link NonFiniteError} naming the first NaN/±∞ entry. */
export function assertFiniteMatrix(a: Matrix, name: string): void {
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.columns; j++) {
      const v = a.get(i, j);
      if (!Number.isFinite(v)) throw new NonFiniteError(`${name}[${i}][${j}]`, v);
    }
  }
}

/** Throws {@link NonFiniteError} naming the first NaN/±∞ entry of a vector. */
export function assertFiniteVector(v: ArrayLike<number>, name: string): void {
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) throw new NonFiniteError(`${name}[${i}]`, v[i]);
  }
}

/** Throws {@link ShapeMismatchError} unless `a` is square; returns its order. */
export function assertSquare(a: Matrix, name: string): number {
  if (a.rows !== a.columns) throw new ShapeMismatchError(name, 'a square matrix', `${a.rows}×${a.columns}`);
  return a.rows;
}

/**
 * Throws {@link NotSymmetricError} unless |a_ij − a_ji| ≤ relTol·max|a| for all i, j.
 * @param relTol relative tolerance; 0 demands exact symmetry.
 */
export function assertSymmetric(a: Matrix, name: string, relTol = 1e-12): void {
  const n = assertSquare(a, name);
  const scale = Math.max(a.max(), -a.min());
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(a.get(i, j) - a.get(j, i)) > relTol * scale) {
        throw new NotSymmetricError(name, `entries [${i}][${j}] = ${a.get(i, j)} and [${j}][${i}] = ${a.get(j, i)} differ`);
      }
    }
  }
}

/** Kronecker product A ⊗ B: the block matrix whose (i, j) block is a_ij·B. */
export function kron(a: MatrixLike, b: MatrixLike): Matrix {
  return toMatrix(a, 'a').kroneckerProduct(toMatrix(b, 'b'));
}

/**
 * Column-major vectorization: vec(X) stacks the columns of X (m×n) into a vector of length mn, so that
 * entry (i, j) lands at index i + j·m. With this convention vec(A X B) = (Bᵀ ⊗ A) vec(X), and for the
 * hypernetwork ŵ = w₀ + Θλ̃ one has ŵ = ((1, λ̃ᵀ) ⊗ I_m) vec[w₀, Θ] (docs/math.md#s4-1).
 */
export function vec(x: MatrixLike): number[] {
  const m = toMatrix(x, 'x');
  const out = new Array<number>(m.rows * m.columns);
  for (let j = 0; j < m.columns; j++) for (let i = 0; i < m.rows; i++) out[i + j * m.rows] = m.get(i, j);
  return out;
}

/** Inverse of {@link vec}: fills an m×n matrix column by column from a vector of length mn. */
export function unvec(v: ArrayLike<number>, rows: number, columns: number): Matrix {
  if (v.length !== rows * columns) throw new ShapeMismatchError('v', `length ${rows * columns} (= ${rows}×${columns})`, `length ${v.length}`);
  const m = new Matrix(rows, columns);
  for (let j = 0; j < columns; j++) for (let i = 0; i < rows; i++) m.set(i, j, v[i + j * rows]);
  return m;
}

/** Options for {@link symmetricEigen}. */
export interface JacobiOptions {
  /** Maximum number of cyclic sweeps (default 60; convergence is quadratic, ~10 sweeps is typical). */
  maxSweeps?: number;
  /** Also accumulate eigenvectors (default false). */
  vectors?: boolean;
}

/** Result of {@link symmetricEigen}: ascending eigenvalues and, if asked, eigenvectors as columns. */
export interface SymmetricEigen {
  values: number[];
  vectors?: Matrix;
}

/**
 * Eigenvalues of a symmetric matrix by the cyclic Jacobi method, ascending.
 *
 * @remarks
 * Why Jacobi and not ml-matrix's tridiagonal QR: a rotation is skipped only when
 * |a_pq| ≤ ε·√(|a_pp a_qq|), the relative criterion of Demmel & Veselić (1992), which computes the
 * small eigenvalues of graded positive definite matrices (such as M ⊗ G with κ up to 1e12) to high
 * relative accuracy; QR-type solvers only guarantee ε·‖A‖ absolute accuracy. The docs/math.md (#pt-2) needs
 * κ(M ⊗ G) = κ(M)κ(G) to 1e-6 relative, which QR misses in ~0.05% of draws.
 *
 * @param a symmetric n×n matrix (checked to 1e-12 relative).
 */
export function symmetricEigen(a: MatrixLike, options: JacobiOptions = {}): SymmetricEigen {
  const m = toMatrix(a, 'a');
  const n = assertSquare(m, 'a');
  assertSymmetric(m, 'a');
  const A = m.to2DArray();
  // Symmetrize exactly (the check above allowed 1e-12 relative asymmetry). Past MAX_VALUE/2 the sum overflows: then the
  // halves are exact and their sum is the correctly rounded mean.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const sum = A[i][j] + A[j][i];
      A[i][j] = A[j][i] = Number.isFinite(sum) ? 0.5 * sum : 0.5 * A[i][j] + 0.5 * A[j][i];
    }
  }
  const V = options.vectors ? Matrix.eye(n).to2DArray() : null;
  const maxSweeps = options.maxSweeps ?? 60;
  const eps = Number.EPSILON;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p][q];
        if (apq === 0) continue;
        const app = A[p][p];
        const aqq = A[q][q];
        // Skip threshold ε·√|a_pp a_qq|; once the product overflows (both diagonals past ~1.3e154), ε·√|a_pp|·√|a_qq|.
        const prod = Math.abs(app * aqq);
        if (Math.abs(apq) <= eps * (Number.isFinite(prod) ? Math.sqrt(prod) : Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq)))) {
          A[p][q] = A[q][p] = 0;
          continue;
        }
        rotated = true;
        // Rotation angle: tan(2φ) = 2 a_pq / (a_qq − a_pp), choosing the smaller root for stability. When a_qq − a_pp or
        // 2 a_pq overflows, θ from the halves (exact there).
        const diff = aqq - app;
        const twice = 2 * apq;
        const theta = Number.isFinite(diff) && Number.isFinite(twice) ? diff / twice : (0.5 * aqq - 0.5 * app) / apq;
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = A[p][k] = c * akp - s * akq;
          A[k][q] = A[q][k] = s * akp + c * akq;
        }
        A[p][p] = app - t * apq;
        A[q][q] = aqq + t * apq;
        A[p][q] = A[q][p] = 0;
        if (V) {
          for (let k = 0; k < n; k++) {
            const vkp = V[k][p];
            const vkq = V[k][q];
            V[k][p] = c * vkp - s * vkq;
            V[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    if (!rotated) break;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i][i] - A[j][j]);
  const values = order.map((i) => A[i][i]);
  if (!V) return { values };
  const vectors = new Matrix(n, n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors.set(k, dst, V[k][src]);
  });
  return { values, vectors };
}

/** Ascending eigenvalues of a symmetric matrix (see {@link symmetricEigen}). */
export function symmetricEigenvalues(a: MatrixLike): number[] {
  return symmetricEigen(a).values;
}

/**
 * Condition number in the 2-norm.
 *
 * @remarks
 * - `'spd'` (default): A symmetric positive definite, κ(A) = λ_max/λ_min by Jacobi
 *   ({@link symmetricEigen}). Throws {@link NotPositiveDefiniteError} if λ_min ≤ 0.
 * - `'general'`: any matrix, κ(A) = σ_max/σ_min by ml-matrix's SVD (∞ when σ_min = 0).
 */
export function conditionNumber(a: MatrixLike, kind: 'spd' | 'general' = 'spd', name = 'a'): number {
  const m = toMatrix(a, name);
  if (kind === 'general') {
    const s = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
    const max = Math.max(...s);
    const min = Math.min(...s);
    return min === 0 ? Infinity : max / min;
  }
  const values = symmetricEigen(m).values;
  const lo = values[0];
  const hi = values[values.length - 1];
  if (!(lo > 0)) throw new NotPositiveDefiniteError(name, `smallest eigenvalue ${lo}`);
  return hi / lo;
}

/**
 * Solves A x = b for symmetric positive definite A by Cholesky factorisation (ml-matrix).
 * @param b a vector (length n) or a matrix with n rows (several right-hand sides).
 * @throws NotPositiveDefiniteError naming `name` when the factorisation fails.
 */
export function choleskySolve(a: MatrixLike, b: readonly number[] | MatrixLike, name = 'A'): Matrix {
  const m = toMatrix(a, name);
  const n = assertSquare(m, name);
  assertSymmetric(m, name);
  const rhs = isVector(b) ? Matrix.columnVector(b as number[]) : toMatrix(b as MatrixLike, 'b');
  if (isVector(b)) assertFiniteVector(b as number[], 'b');
  if (rhs.rows !== n) throw new ShapeMismatchError('b', `${n} rows`, `${rhs.rows} rows`);
  // ml-matrix's Cholesky throws an untyped Error('Matrix is not symmetric') on any asymmetry at all, even one that
  // assertSymmetric accepts (1e-12 relative): factor the lower triangle mirrored (LAPACK's convention; the matrix
  // itself when it is exactly symmetric).
  const chol = new CholeskyDecomposition(lowerMirrored(m));
  if (!chol.isPositiveDefinite()) throw new NotPositiveDefiniteError(name, 'Cholesky factorisation failed');
  return chol.solve(rhs);
}

/** The symmetric matrix with `a`'s lower triangle (and diagonal) in both triangles; a new Matrix. */
function lowerMirrored(a: Matrix): Matrix {
  const n = a.rows;
  const s = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = a.get(i, j);
      s.set(i, j, v);
      s.set(j, i, v);
    }
  }
  return s;
}

function isVector(b: unknown): b is readonly number[] {
  return Array.isArray(b) && (b.length === 0 || typeof b[0] === 'number');
}

/** Options for {@link conjugateGradient}. */
export interface CgOptions {
  /** Stop when ‖r‖ ≤ relTol·‖b‖ (default 1e-12). */
  relTol?: number;
  /** Iteration cap (default 10·n). */
  maxIterations?: number;
  /** Initial guess (default 0). */
  x0?: readonly number[];
}

/** Result of {@link conjugateGradient}. */
export interface CgResult {
  x: number[];
  iterations: number;
  residualNorm: number;
  converged: boolean;
}

/**
 * Conjugate gradient for A x = b, seeing A only through its matrix–vector product (lineax style).
 *
 * @remarks
 * A must be symmetric positive definite; CG then converges in at most n steps in exact arithmetic, and
 * ‖x_k − x*‖_A ≤ 2((√κ − 1)/(√κ + 1))^k ‖x_0 − x*‖_A. If a curvature pᵀAp ≤ 0 is met the operator is
 * not positive definite and {@link NotPositiveDefiniteError} is thrown naming `matvec`; a non-finite
 * product throws {@link NonFiniteError} naming `matvec[i]`.
 *
 * @param matvec v ↦ A v.
 * @param b right-hand side.
 */
export function conjugateGradient(matvec: (v: readonly number[]) => number[], b: readonly number[], options: CgOptions = {}): CgResult {
  assertFiniteVector(b, 'b');
  const n = b.length;
  const relTol = options.relTol ?? 1e-12;
  const maxIterations = options.maxIterations ?? 10 * n;
  if (options.x0) {
    if (options.x0.length !== n) throw new ShapeMismatchError('x0', `length ${n}`, `length ${options.x0.length}`);
    assertFiniteVector(options.x0, 'x0');
  }
  // CG is linear in (b, x0): run it on (b, x0)/s with s a power of two near ‖b‖_∞ (an exact scaling), so
  // that rᵀr and pᵀAp neither underflow for tiny b (‖b‖ = 1e-162 squares below the float64 range) nor
  // overflow for huge b.
  let bMax = 0;
  for (const v of b) bMax = Math.max(bMax, Math.abs(v));
  const s = bMax > 0 ? 2 ** Math.min(1023, Math.max(-1074, Math.round(Math.log2(bMax)))) : 1;
  const bs = b.map((v) => v / s);
  const x = options.x0 ? options.x0.map((v) => v / s) : new Array<number>(n).fill(0);
  const ax = options.x0 ? matvec(x) : new Array<number>(n).fill(0);
  if (options.x0) {
    if (ax.length !== n) throw new ShapeMismatchError('matvec', `a vector of length ${n}`, `length ${ax.length}`);
    assertFiniteVector(ax, 'matvec');
  }
  const r = bs.map((bi, i) => bi - ax[i]);
  const p = [...r];
  let rr = dot(r, r);
  const bNorm = Math.sqrt(dot(bs, bs));
  const target = relTol * (bNorm || 1);
  let k = 0;
  while (Math.sqrt(rr) > target && k < maxIterations) {
    const ap = matvec(p);
    if (ap.length !== n) throw new ShapeMismatchError('matvec', `a vector of length ${n}`, `length ${ap.length}`);
    // A NaN from the operator would otherwise read as "curvature ≤ 0" and be misreported as indefinite.
    assertFiniteVector(ap, 'matvec');
    const curvature = dot(p, ap);
    if (!(curvature > 0)) throw new NotPositiveDefiniteError('matvec', `curvature pᵀAp = ${curvature} at iteration ${k}`);
    const alpha = rr / curvature;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    const rrNew = dot(r, r);
    const beta = rrNew / rr;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rr = rrNew;
    k++;
  }
  return { x: x.map((v) => v * s), iterations: k, residualNorm: Math.sqrt(rr) * s, converged: Math.sqrt(rr) <= target };
}

/** Euclidean inner product. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean norm. */
export function norm2(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}
