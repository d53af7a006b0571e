/**
 * LIN in matrix form: w ∈ ℝ^m, λ ∈ ℝ^h (proof in `proofs/LIN.md`; math in docs/math.md#s4-3).
 *
 * @remarks
 * A vector toy has residuals r(λ, w) ∈ ℝⁿ and the training loss
 * $\mathcal L_T(\boldsymbol\lambda, \mathbf w) = \frac1n\sum_i\tfrac12 r_i^2 + R(\boldsymbol\lambda, \mathbf w)$ (squared loss,
 * $\mathbf H_\ell = I/n$). With $\mathbf J = \partial_{\mathbf w}r$ (n×m) its derivatives at (λ, w) are
 * - $\nabla^2_{\mathbf w}\mathcal L_T = \mathbf G_{\mathbf w} + \mathbf S + \nabla^2_{\mathbf w}R$, $\mathbf G_{\mathbf w} = \frac1n\mathbf J^\top\mathbf J$,
 *   $\mathbf S = \frac1n\sum_i r_i\nabla^2_{\mathbf w}r_i$ (the residual-weighted curvature);
 * - $\nabla^2_{\mathbf w\boldsymbol\lambda}\mathcal L_T = \frac1n\mathbf J^\top\partial_{\boldsymbol\lambda}r + \mathbf C_r + \nabla^2_{\mathbf w\boldsymbol\lambda}R$,
 *   $\mathbf C_r = \frac1n\sum_i r_i\nabla^2_{\mathbf w\boldsymbol\lambda}r_i$ (the residual cross term, m×h).
 *
 * Prop. L.2: the linearized response $\Theta^*_{\rm lin}(\sigma)$ tends to the Gauss–Newton IFT Jacobian
 * $\Theta_{\rm GN} = -(\mathbf G_{\mathbf w} + \nabla^2_{\mathbf w}R)^{-1}\nabla^2_{\mathbf w\boldsymbol\lambda}\mathcal L_T$ (S dropped, $\mathbf C_r$ kept), the
 * non-linearized one to $\mathbf J^* = -(\nabla^2_{\mathbf w}\mathcal L_T)^{-1}\nabla^2_{\mathbf w\boldsymbol\lambda}\mathcal L_T$. The toy
 * {@link tanhRegressionToy} with `scaleByHyper` has $\nabla^2_{\mathbf w\boldsymbol\lambda}r_i \ne 0$, so $\mathbf C_r$ is exercised.
 *
 * Θ is m×h (rows), ψ = vec Θ column-major (index a + k·m for Θ[a][k]); expectations over
 * ε ∼ N(0, diag σ²) use the tensor Gauss–Hermite rule with `nodes` points per hyperparameter.
 */
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../errors.js';
import { forEachGaussianPoint } from '../../linalg/gaussHermite.js';
import { DEFAULT_NODES } from '../scalarToys.js';

function assertFiniteNumber(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(name, x);
}

// ─────────────────────────────────── vector form: the Kronecker Hessian ───────────────────────────────────

/**
 * A vector toy for the Kronecker form of Prop. L.1: w ∈ ℝ^m, λ ∈ ℝ^h, residuals r(λ, w) ∈ ℝⁿ with Jacobian
 * ∂_w r (n×m), squared loss $\frac1n\sum_i\tfrac12 r_i^2$ (H_ℓ = I/n), and an optional regularizer R with its
 * gradient and Hessian in w.
 */
export interface VectorToy {
  readonly weights: number;
  readonly hypers: number;
  readonly size: number;
  residuals(lambda: readonly number[], w: readonly number[]): { value: number[]; jacobian: number[][] };
  readonly regularizer?: (lambda: readonly number[], w: readonly number[]) => { value: number; gradient: number[]; hessian: number[][] };
}

/** Checks a regression toy's data (X n×m with finite entries, y of length n, h = `hypers` ≥ 1); returns n and m. */
function checkRegressionData(X: readonly (readonly number[])[], y: readonly number[], hypers: number): { n: number; m: number } {
  if (X.length === 0 || X[0].length === 0) throw new ShapeMismatchError('X', 'a non-empty n×m matrix', 'empty');
  const n = X.length;
  const m = X[0].length;
  X.forEach((row, i) => {
    if (row.length !== m) throw new ShapeMismatchError('X', `rows of length ${m}`, `row ${i} of length ${row.length}`);
    row.forEach((v, j) => assertFiniteNumber(v, `X[${i}][${j}]`));
  });
  if (y.length !== n) throw new ShapeMismatchError('y', `length ${n}`, `length ${y.length}`);
  y.forEach((v, i) => assertFiniteNumber(v, `y[${i}]`));
  if (!Number.isInteger(hypers) || hypers < 1) throw new InvalidArgumentError('hypers', 'an integer ≥ 1', hypers);
  return { n, m };
}

/**
 * Tanh regression with grouped weight decay: $r_i = \tanh(x_i^\top w) - y_i$ (rows of `X` are x_i, n×m) and
 * $R = \tfrac12\sum_j e^{\lambda_{k(j)}}w_j^2$ with group k(j) = j mod h (`hypers` = h ≥ 1), or R ≡ 0 when
 * `weightDecay` is false (then λ enters nowhere and F_lin's Hessian is exactly Σ ⊗ JᵀJ/n).
 * @throws ShapeMismatchError naming `X` or `y`; InvalidArgumentError naming `hypers`.
 */
export function vectorTanhToy(X: readonly (readonly number[])[], y: readonly number[], hypers: number, weightDecay = true): VectorToy {
  const { n, m } = checkRegressionData(X, y, hypers);
  const xs = X.map((row) => [...row]);
  const ys = [...y];
  return {
    weights: m,
    hypers,
    size: n,
    residuals: (_lambda, w) => {
      const value: number[] = [];
      const jacobian: number[][] = [];
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < m; j++) z += xs[i][j] * w[j];
        const u = Math.tanh(z);
        value.push(u - ys[i]);
        jacobian.push(xs[i].map((v) => (1 - u * u) * v));
      }
      return { value, jacobian };
    },
    regularizer: weightDecay
      ? (lambda, w) => {
          const e = w.map((_, j) => Math.exp(lambda[j % hypers]));
          return {
            value: 0.5 * w.reduce((s, v, j) => s + e[j] * v * v, 0),
            gradient: w.map((v, j) => e[j] * v),
            hessian: w.map((_, i) => w.map((__, j) => (i === j ? e[i] : 0))),
          };
        }
      : undefined,
  };
}

/**
 * The linearized response objective in matrix form, its gradient and Hessian in ψ = vec Θ (column-major,
 * Θ m×h): with $\Theta\epsilon = (\epsilon^\top\otimes I_m)\,\mathrm{vec}\,\Theta$,
 * $\nabla^2 F_{\rm lin} = \mathbb E\big[(\epsilon\epsilon^\top)\otimes J(\epsilon)^\top H_\ell J(\epsilon)\big] + \mathbb E\big[(\epsilon\epsilon^\top)\otimes\nabla^2_wR(\lambda_0+\epsilon, w_0+\Theta\epsilon)\big]$,
 * a sum of expectations of Kronecker products of PSD factors, hence PSD (Prop. L.1). Expectations by tensor
 * Gauss–Hermite with `nodes` points per hyperparameter (n^h points: keep h ≤ 2). `lambda0` = λ₀ (length h),
 * `general` = w₀ (length m), `sigma` = σ (length h), `response` = Θ (m×h, rows).
 * @see docs/math.md#s4-3 item 1
 */
export function linearizedObjectiveVec(
  toy: VectorToy,
  lambda0: readonly number[],
  general: readonly number[],
  sigma: readonly number[],
  response: readonly (readonly number[])[],
  nodes = DEFAULT_NODES,
): { value: number; gradient: number[]; hessian: number[][] } {
  const m = toy.weights;
  const h = toy.hypers;
  if (lambda0.length !== h) throw new ShapeMismatchError('lambda0', `length ${h}`, `length ${lambda0.length}`);
  if (general.length !== m) throw new ShapeMismatchError('general', `length ${m}`, `length ${general.length}`);
  assertSigmaVec(sigma, h);
  assertResponseVec(response, m, h);
  if (!Number.isInteger(nodes) || nodes < 2) throw new InvalidArgumentError('nodes', 'an integer ≥ 2', nodes);
  const mh = m * h;
  let value = 0;
  const gradient = new Array<number>(mh).fill(0);
  const hessian: number[][] = Array.from({ length: mh }, () => new Array<number>(mh).fill(0));
  const n = toy.size;
  forEachGaussianPoint(sigma, nodes, (eps, weight) => {
    const lam = lambda0.map((v, k) => v + eps[k]);
    const te = response.map((row) => row.reduce((s, x, k) => s + x * eps[k], 0));
    const { value: r, jacobian: jac } = toy.residuals(lam, general);
    // Linearized residual r + J Θε, and the m×m blocks JᵀJ/n and Jᵀ(r + JΘε)/n.
    const lin = r.map((ri, i) => ri + jac[i].reduce((s, x, j) => s + x * te[j], 0));
    const jtr = new Array<number>(m).fill(0);
    const jtj: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (let i = 0; i < n; i++) {
      value += (weight * 0.5 * lin[i] * lin[i]) / n;
      for (let a = 0; a < m; a++) {
        jtr[a] += (jac[i][a] * lin[i]) / n;
        for (let b = 0; b < m; b++) jtj[a][b] += (jac[i][a] * jac[i][b]) / n;
      }
    }
    let gw = jtr;
    let hw = jtj;
    if (toy.regularizer) {
      const reg = toy.regularizer(lam, general.map((v, j) => v + te[j]));
      value += weight * reg.value;
      gw = jtr.map((v, a) => v + reg.gradient[a]);
      hw = jtj.map((row, a) => row.map((v, b) => v + reg.hessian[a][b]));
    }
    // ψ index of Θ[a][k] is a + k·m; ∂(Θε)_a/∂Θ[a][k] = ε_k.
    for (let k = 0; k < h; k++) {
      for (let a = 0; a < m; a++) {
        gradient[a + k * m] += weight * eps[k] * gw[a];
        for (let l = 0; l < h; l++) for (let b = 0; b < m; b++) hessian[a + k * m][b + l * m] += weight * eps[k] * eps[l] * hw[a][b];
      }
    }
  });
  return { value, gradient, hessian };
}


// ───────────────────────────────── second-order toys and the two limits ─────────────────────────────────

/** Second-order residual data at (λ, w): ∂_λ r (n×h), ∂²_w r_i (n matrices m×m), ∂²_{wλ} r_i (n matrices m×h). */
export interface ResidualJetVec {
  value: number[];
  /** ∂_w r, n×m */
  jacobian: number[][];
  /** ∂_λ r, n×h */
  dl: number[][];
  /** ∂²_w r_i, n × (m×m) */
  dww: number[][][];
  /** ∂²_{wλ} r_i, n × (m×h) */
  dwl: number[][][];
}

/**
 * A {@link VectorToy} that also knows the second derivatives of its residuals and the mixed derivative
 * $\nabla^2_{\mathbf w\boldsymbol\lambda}R$ of its regularizer (m×h), which the Jacobians $\mathbf J^*$ and $\Theta_{\rm GN}$ need.
 */
export interface SecondOrderVectorToy extends VectorToy {
  residualJet(lambda: readonly number[], w: readonly number[]): ResidualJetVec;
  readonly regularizerCross?: (lambda: readonly number[], w: readonly number[]) => number[][];
}

/** Options of {@link tanhRegressionToy}. */
export interface TanhRegressionOptions {
  /** R = ½Σ_j e^{λ_{k(j)}} w_j² (default true); R ≡ 0 when false. */
  weightDecay?: boolean;
  /** Scale weight j by e^{λ_{k(j)}} inside tanh, so ∂²f/∂w∂λ ≠ 0 (default false). */
  scaleByHyper?: boolean;
  /** n×h matrix S: the output is shifted by −Sλ (λ enters affinely, ∂_w f free of λ: Prop. L.3). */
  shift?: readonly (readonly number[])[];
}

/**
 * Tanh regression in matrix form: $r_i = \tanh\big(\sum_j X_{ij}s_jw_j\big) - (\mathbf S\boldsymbol\lambda)_i - y_i$ with
 * $s_j = e^{\lambda_{k(j)}}$ when `scaleByHyper` (else 1), group k(j) = j mod h (`hypers` = h), S = `shift` (else 0),
 * and R = ½Σ_j e^{λ_{k(j)}}w_j² when `weightDecay`. Rows of `X` (n×m) are the inputs x_i, `y` the targets.
 * With `scaleByHyper`, $\partial^2_{w_j\lambda_k}r_i = u''\,(\partial_{\lambda_k}z_i)X_{ij}s_j + u'X_{ij}s_j[k(j)=k] \ne 0$
 * ($z_i$ the tanh argument, $\partial_{\lambda_k}z_i = \sum_{j:k(j)=k}X_{ij}s_jw_j$).
 * @throws ShapeMismatchError naming `X`, `y` or `shift`; InvalidArgumentError naming `hypers`; NonFiniteError for NaN/±∞ data.
 * @see docs/math.md#s4-3
 */
export function tanhRegressionToy(X: readonly (readonly number[])[], y: readonly number[], hypers: number, options: TanhRegressionOptions = {}): SecondOrderVectorToy {
  const { n, m } = checkRegressionData(X, y, hypers);
  const h = hypers;
  const shift = options.shift;
  if (shift) {
    if (shift.length !== n || shift.some((row) => row.length !== h)) throw new ShapeMismatchError('shift', `${n}×${h}`, `${shift.length}×${shift[0]?.length ?? 0}`);
    shift.forEach((row, i) => row.forEach((v, k) => assertFiniteNumber(v, `shift[${i}][${k}]`)));
  }
  const xs = X.map((row) => [...row]);
  const ys = [...y];
  const ss = shift?.map((row) => [...row]);
  const scaled = options.scaleByHyper ?? false;
  const weightDecay = options.weightDecay ?? true;
  const group = (j: number): number => j % h;
  const check = (lambda: readonly number[], w: readonly number[]): void => {
    if (lambda.length !== h) throw new ShapeMismatchError('lambda', `length ${h}`, `length ${lambda.length}`);
    if (w.length !== m) throw new ShapeMismatchError('w', `length ${m}`, `length ${w.length}`);
  };
  // Plain loops throughout: these run once per quadrature point and Newton step.
  const scales = (lambda: readonly number[]): number[] => {
    const s = new Array<number>(m);
    for (let j = 0; j < m; j++) s[j] = scaled ? Math.exp(lambda[j % h]) : 1;
    return s;
  };
  const offset = (i: number, lambda: readonly number[]): number => {
    if (!ss) return 0;
    let o = 0;
    for (let k = 0; k < h; k++) o += ss[i][k] * lambda[k];
    return o;
  };
  const residuals = (lambda: readonly number[], w: readonly number[]): { value: number[]; jacobian: number[][] } => {
    check(lambda, w);
    const s = scales(lambda);
    const value = new Array<number>(n);
    const jacobian = new Array<number[]>(n);
    for (let i = 0; i < n; i++) {
      const xi = xs[i];
      let z = 0;
      for (let j = 0; j < m; j++) z += xi[j] * s[j] * w[j];
      const u = Math.tanh(z);
      const u1 = 1 - u * u;
      value[i] = u - ys[i] - offset(i, lambda);
      const row = new Array<number>(m);
      for (let j = 0; j < m; j++) row[j] = u1 * (xi[j] * s[j]); // as residualJet: u'·∂z/∂w_j
      jacobian[i] = row;
    }
    return { value, jacobian };
  };
  const residualJet = (lambda: readonly number[], w: readonly number[]): ResidualJetVec => {
    check(lambda, w);
    const s = scales(lambda);
    const out: ResidualJetVec = { value: new Array<number>(n), jacobian: new Array<number[]>(n), dl: new Array<number[]>(n), dww: new Array<number[][]>(n), dwl: new Array<number[][]>(n) };
    const a = new Array<number>(m);
    const zl = new Array<number>(h);
    for (let i = 0; i < n; i++) {
      const xi = xs[i];
      let z = 0;
      for (let j = 0; j < m; j++) {
        a[j] = xi[j] * s[j]; // ∂z/∂w_j
        z += a[j] * w[j];
      }
      const u = Math.tanh(z);
      const u1 = 1 - u * u;
      const u2 = -2 * u * u1;
      // ∂z/∂λ_k = Σ_{j: k(j) = k} a_j w_j when scaled, else 0.
      for (let k = 0; k < h; k++) zl[k] = 0;
      if (scaled) for (let j = 0; j < m; j++) zl[group(j)] += a[j] * w[j];
      out.value[i] = u - ys[i] - offset(i, lambda);
      const jac = new Array<number>(m);
      const dl = new Array<number>(h);
      const dww = new Array<number[]>(m);
      const dwl = new Array<number[]>(m);
      for (let k = 0; k < h; k++) dl[k] = u1 * zl[k] - (ss ? ss[i][k] : 0);
      for (let p = 0; p < m; p++) {
        jac[p] = u1 * a[p];
        const rowW = new Array<number>(m);
        for (let q = 0; q < m; q++) rowW[q] = u2 * a[p] * a[q];
        dww[p] = rowW;
        const rowL = new Array<number>(h);
        for (let k = 0; k < h; k++) rowL[k] = u2 * zl[k] * a[p] + (scaled && group(p) === k ? u1 * a[p] : 0);
        dwl[p] = rowL;
      }
      out.jacobian[i] = jac;
      out.dl[i] = dl;
      out.dww[i] = dww;
      out.dwl[i] = dwl;
    }
    return out;
  };
  const decay = (lambda: readonly number[]): number[] => {
    const e = new Array<number>(m);
    for (let k = 0; k < h; k++) {
      const ek = Math.exp(lambda[k]);
      for (let j = k; j < m; j += h) e[j] = ek;
    }
    return e;
  };
  return {
    weights: m,
    hypers: h,
    size: n,
    residuals,
    residualJet,
    regularizer: weightDecay
      ? (lambda, w) => {
          const e = decay(lambda);
          let value = 0;
          const gradient = new Array<number>(m);
          const hessian = new Array<number[]>(m);
          for (let j = 0; j < m; j++) {
            value += 0.5 * e[j] * w[j] * w[j];
            gradient[j] = e[j] * w[j];
            const row = new Array<number>(m).fill(0);
            row[j] = e[j];
            hessian[j] = row;
          }
          return { value, gradient, hessian };
        }
      : undefined,
    regularizerCross: weightDecay
      ? (lambda, w) => {
          const e = decay(lambda);
          const out = new Array<number[]>(m);
          for (let j = 0; j < m; j++) {
            const row = new Array<number>(h).fill(0);
            row[group(j)] = e[j] * w[j];
            out[j] = row;
          }
          return out;
        }
      : undefined,
  };
}

/** The training loss of a {@link SecondOrderVectorToy} and the pieces of its curvature at (λ, w). */
export interface TrainLossVec {
  value: number;
  /** ∇_w L_T (m) */
  gradient: number[];
  /** ∇²_w L_T = G_w + S + ∇²_wR (m×m) */
  hessian: number[][];
  /** G_w = JᵀJ/n (m×m) */
  gaussNewton: number[][];
  /** ∇²_w R (m×m; zeros when R ≡ 0) */
  regularizerHessian: number[][];
  /** ∇²_{wλ} L_T (m×h), residual cross term included */
  cross: number[][];
  /** C_r = (1/n)Σ_i r_i ∇²_{wλ} r_i (m×h), the part of `cross` that needs ∂²f/∂w∂λ */
  residualCross: number[][];
}

/**
 * Value, gradient and curvature pieces of $\mathcal L_T(\boldsymbol\lambda, \mathbf w) = \frac1n\sum_i\tfrac12r_i^2 + R$ at
 * (`lambda`, `w`), by the chain rule on {@link SecondOrderVectorToy.residualJet}:
 * $\nabla^2_{\mathbf w}\mathcal L_T = \frac1n\sum_i(\nabla_{\mathbf w}r_i\nabla_{\mathbf w}r_i^\top + r_i\nabla^2_{\mathbf w}r_i) + \nabla^2_{\mathbf w}R$,
 * $\nabla^2_{\mathbf w\boldsymbol\lambda}\mathcal L_T = \frac1n\sum_i(\nabla_{\mathbf w}r_i\,\partial_{\boldsymbol\lambda}r_i^\top + r_i\nabla^2_{\mathbf w\boldsymbol\lambda}r_i) + \nabla^2_{\mathbf w\boldsymbol\lambda}R$.
 */
export function trainLossVec(toy: SecondOrderVectorToy, lambda: readonly number[], w: readonly number[]): TrainLossVec {
  const m = toy.weights;
  const h = toy.hypers;
  const n = toy.size;
  const jet = toy.residualJet(lambda, w);
  const zeros = (rows: number, cols: number): number[][] => {
    const out = new Array<number[]>(rows);
    for (let i = 0; i < rows; i++) out[i] = new Array<number>(cols).fill(0);
    return out;
  };
  let value = 0;
  const gradient = new Array<number>(m).fill(0);
  const gaussNewton = zeros(m, m);
  const hessian = zeros(m, m);
  const cross = zeros(m, h);
  const residualCross = zeros(m, h);
  for (let i = 0; i < n; i++) {
    const r = jet.value[i];
    const g = jet.jacobian[i];
    const dl = jet.dl[i];
    const dww = jet.dww[i];
    const dwl = jet.dwl[i];
    value += 0.5 * r * r;
    for (let a = 0; a < m; a++) {
      gradient[a] += r * g[a];
      const gnRow = gaussNewton[a];
      const hRow = hessian[a];
      for (let b = 0; b < m; b++) {
        gnRow[b] += g[a] * g[b];
        hRow[b] += g[a] * g[b] + r * dww[a][b];
      }
      for (let k = 0; k < h; k++) {
        residualCross[a][k] += r * dwl[a][k];
        cross[a][k] += g[a] * dl[k] + r * dwl[a][k];
      }
    }
  }
  // The data term is the mean over examples.
  value /= n;
  for (let a = 0; a < m; a++) {
    gradient[a] /= n;
    for (let b = 0; b < m; b++) {
      gaussNewton[a][b] /= n;
      hessian[a][b] /= n;
    }
    for (let k = 0; k < h; k++) {
      residualCross[a][k] /= n;
      cross[a][k] /= n;
    }
  }
  let regularizerHessian = zeros(m, m);
  if (toy.regularizer) {
    const reg = toy.regularizer(lambda, w);
    value += reg.value;
    regularizerHessian = reg.hessian;
    for (let a = 0; a < m; a++) {
      gradient[a] += reg.gradient[a];
      for (let b = 0; b < m; b++) hessian[a][b] += reg.hessian[a][b];
    }
  }
  if (toy.regularizerCross) {
    const rc = toy.regularizerCross(lambda, w);
    for (let a = 0; a < m; a++) for (let k = 0; k < h; k++) cross[a][k] += rc[a][k];
  }
  return { value, gradient, hessian, gaussNewton, regularizerHessian, cross, residualCross };
}

// ─────────────────────────────────────────── small dense helpers ───────────────────────────────────────────

/** Lower Cholesky factor of a symmetric matrix, or null when it is not (numerically) positive definite. */
export function choleskyFactor(a: readonly (readonly number[])[]): number[][] | null {
  const d = a.length;
  const l: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0.5 * (a[i][j] + a[j][i]);
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return l;
}

/** Solves L Lᵀ x = b for a Cholesky factor L (from {@link choleskyFactor}). */
function choleskyBack(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const d = l.length;
  const z = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < d; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * −A⁻¹B for symmetric positive definite `a` (m×m) and `b` (m×h), column by column.
 * @throws InvalidArgumentError naming `name` when A is not positive definite.
 */
function negSolveSpd(a: readonly (readonly number[])[], b: readonly (readonly number[])[], name: string): number[][] {
  const l = choleskyFactor(a);
  if (!l) throw new InvalidArgumentError(name, 'a symmetric positive definite matrix', 'a matrix whose Cholesky factorisation fails');
  const h = b[0]?.length ?? 0;
  const out: number[][] = a.map(() => new Array<number>(h).fill(0));
  for (let k = 0; k < h; k++) {
    const x = choleskyBack(
      l,
      b.map((row) => row[k]),
    );
    x.forEach((v, i) => (out[i][k] = -v));
  }
  return out;
}

/** Slack on the Armijo test in units of |f| (as in the scalar Newton minimisers of ./scalarToys.ts). */
const ROUNDING_SLACK = 4 * Number.EPSILON;

/** Result of {@link newtonMinimizeNd}. */
export interface NewtonNdResult {
  x: number[];
  gradient: number[];
  iterations: number;
  converged: boolean;
}

/**
 * Minimises a smooth f: ℝ^d → ℝ by damped Newton (a Levenberg shift μI, grown tenfold until H + μI is positive
 * definite) with Armijo backtracking; `fgh(x)` returns [f, ∇f, ∇²f], `x0` is the start. Converged means the
 * last step was below `stepTol`·max(1, ‖x‖), or ∇f = 0, or a step below 1e-8·max(1, ‖x‖) was followed by
 * one at least half as long (Newton at the rounding floor), the rule of the 1-D and 2-D minimisers.
 */
export function newtonMinimizeNd(
  fgh: (x: readonly number[]) => [number, number[], number[][]],
  x0: readonly number[],
  options: { maxIterations?: number; stepTol?: number } = {},
): NewtonNdResult {
  const maxIt = options.maxIterations ?? 100;
  const stepTol = options.stepTol ?? 1e-15;
  let x = [...x0];
  let [f, g, hm] = fgh(x);
  let previous = Infinity;
  const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, t) => s + t * t, 0));
  for (let it = 0; it < maxIt; it++) {
    if (g.every((v) => v === 0)) return { x, gradient: g, iterations: it, converged: true };
    let mu = 0;
    const scale = hm.reduce((s, row, i) => s + Math.abs(row[i]), 0) + 1e-300;
    let l = choleskyFactor(hm);
    while (!l) {
      mu = mu === 0 ? 1e-8 * scale : 10 * mu;
      const shifted = hm.map((row, i) => row.map((v, j) => (i === j ? v + mu : v)));
      l = choleskyFactor(shifted);
    }
    const p = choleskyBack(l, g).map((v) => -v);
    const xn = norm(x);
    const pn = norm(p);
    const tiny = pn <= 1e-8 * Math.max(1, xn);
    const slope = p.reduce((s, v, i) => s + v * g[i], 0);
    let t = 1;
    let next = fgh(x.map((v, i) => v + p[i]));
    if (!(tiny && mu === 0)) {
      while (!(next[0] <= f + 1e-4 * t * slope + ROUNDING_SLACK * Math.abs(f)) && t > 1e-20) {
        t *= 0.5;
        next = fgh(x.map((v, i) => v + t * p[i]));
      }
    }
    x = x.map((v, i) => v + t * p[i]);
    [f, g, hm] = next;
    const stepNorm = t * pn;
    if (stepNorm <= stepTol * Math.max(1, norm(x)) || (tiny && stepNorm >= 0.5 * previous)) return { x, gradient: g, iterations: it + 1, converged: true };
    previous = stepNorm;
  }
  return { x, gradient: g, iterations: maxIt, converged: false };
}

const unvecResponse = (psi: readonly number[], m: number, h: number): number[][] => Array.from({ length: m }, (_, a) => Array.from({ length: h }, (__, k) => psi[a + k * m]));
const vecResponse = (theta: readonly (readonly number[])[]): number[] => {
  const m = theta.length;
  const h = theta[0]?.length ?? 0;
  const psi = new Array<number>(m * h);
  for (let k = 0; k < h; k++) for (let a = 0; a < m; a++) psi[a + k * m] = theta[a][k];
  return psi;
};

// ───────────────────────────────────── best response and the two Jacobians ─────────────────────────────────────

/**
 * The best response $\mathbf w^*(\boldsymbol\lambda)$ of a vector toy by Newton from `start` (default 0): a point with
 * $\nabla_{\mathbf w}\mathcal L_T = 0$ and $\nabla^2_{\mathbf w}\mathcal L_T \succ 0$ (a non-degenerate minimiser, which the implicit
 * function theorem needs; a strict minimiser with a singular Hessian is refused).
 * @throws InvalidArgumentError naming `toy` when Newton does not reach such a point.
 */
export function bestResponseVec(toy: SecondOrderVectorToy, lambda: readonly number[], start?: readonly number[]): number[] {
  lambda.forEach((v, k) => assertFiniteNumber(v, `lambda[${k}]`));
  const res = newtonMinimizeNd(
    (w) => {
      const t = trainLossVec(toy, lambda, w);
      return [t.value, t.gradient, t.hessian];
    },
    start ?? new Array<number>(toy.weights).fill(0),
  );
  const w = res.x;
  const ok = res.converged && w.every(Number.isFinite) && choleskyFactor(trainLossVec(toy, lambda, w).hessian) !== null;
  if (!ok) throw new InvalidArgumentError('toy', `a point with ∇_w L_T = 0 and ∇²_w L_T ≻ 0 at λ = (${lambda.join(', ')}) reachable by Newton`, `w = (${w.join(', ')})`);
  return w;
}

/**
 * Exact best-response Jacobian by the implicit function theorem,
 * $\mathbf J^* = -(\nabla^2_{\mathbf w}\mathcal L_T)^{-1}\nabla^2_{\mathbf w\boldsymbol\lambda}\mathcal L_T$ (m×h) at (`lambda`, `w`), w = w*(λ).
 * @throws InvalidArgumentError naming `hessian` when ∇²_w L_T is not positive definite.
 */
export function bestResponseJacobianVec(toy: SecondOrderVectorToy, lambda: readonly number[], w: readonly number[]): number[][] {
  const t = trainLossVec(toy, lambda, w);
  return negSolveSpd(t.hessian, t.cross, 'hessian');
}

/**
 * Gauss–Newton IFT Jacobian $\Theta_{\rm GN} = -(\mathbf G_{\mathbf w} + \nabla^2_{\mathbf w}R)^{-1}\nabla^2_{\mathbf w\boldsymbol\lambda}\mathcal L_T$ (m×h)
 * at (`lambda`, `w`): the residual-weighted curvature S is dropped from the Hessian, the residual cross term
 * $\mathbf C_r$ is kept in $\nabla^2_{\mathbf w\boldsymbol\lambda}\mathcal L_T$ (Prop. L.2).
 * @throws InvalidArgumentError naming `gaussNewton` when G_w + ∇²_wR is not positive definite.
 * @see docs/math.md#s4-3
 */
export function gaussNewtonIftJacobianVec(toy: SecondOrderVectorToy, lambda: readonly number[], w: readonly number[]): number[][] {
  const t = trainLossVec(toy, lambda, w);
  const a = t.gaussNewton.map((row, i) => row.map((v, j) => v + t.regularizerHessian[i][j]));
  return negSolveSpd(a, t.cross, 'gaussNewton');
}

/** Θ must be m×h (rows of length h). */
function assertResponseVec(response: readonly (readonly number[])[], m: number, h: number): void {
  if (response.length !== m || response.some((row) => row.length !== h)) throw new ShapeMismatchError('response', `${m}×${h}`, `${response.length}×${response[0]?.length ?? 0}`);
}

function assertSigmaVec(sigma: readonly number[], h: number): void {
  if (sigma.length !== h) throw new ShapeMismatchError('sigma', `length ${h}`, `length ${sigma.length}`);
  sigma.forEach((s, k) => {
    assertFiniteNumber(s, `sigma[${k}]`);
    if (!(s > 0)) throw new InvalidArgumentError(`sigma[${k}]`, 'σ > 0', s);
  });
}

/**
 * {@link linearizedObjectiveVec} prepared for one σ, as a function of ψ = vec Θ: ψ ↦ [F_lin, ∇F_lin, ∇²F_lin].
 * The data term is an exact quadratic in ψ, $c_0 + \mathbf b^\top\psi + \tfrac12\psi^\top\mathbf H_d\psi$ with
 * $c_0 = \mathbb E[\tfrac1{2n}\|r\|^2]$, $\mathbf b = \mathbb E[\epsilon\otimes\mathbf J^\top r/n]$, $\mathbf H_d = \mathbb E[(\epsilon\epsilon^\top)\otimes\mathbf J^\top\mathbf J/n]$
 * (r, J at (λ₀+ε, w₀)), accumulated once; R(λ₀+ε, w₀+Θε) is evaluated at every point on each call. The same
 * numbers as {@link linearizedObjectiveVec} up to rounding (a test compares them). Arguments as there.
 * @throws ShapeMismatchError naming `lambda0`, `general` or `sigma`; InvalidArgumentError naming `sigma[k]` or `nodes`.
 */
export function preparedLinearizedObjectiveVec(
  toy: VectorToy,
  lambda0: readonly number[],
  general: readonly number[],
  sigma: readonly number[],
  nodes = DEFAULT_NODES,
): (psi: readonly number[]) => [number, number[], number[][]] {
  const m = toy.weights;
  const h = toy.hypers;
  const n = toy.size;
  if (lambda0.length !== h) throw new ShapeMismatchError('lambda0', `length ${h}`, `length ${lambda0.length}`);
  if (general.length !== m) throw new ShapeMismatchError('general', `length ${m}`, `length ${general.length}`);
  assertSigmaVec(sigma, h);
  if (!Number.isInteger(nodes) || nodes < 2) throw new InvalidArgumentError('nodes', 'an integer ≥ 2', nodes);
  const mh = m * h;
  let c0 = 0;
  const b = new Array<number>(mh).fill(0);
  const hd: number[][] = Array.from({ length: mh }, () => new Array<number>(mh).fill(0));
  const points: { eps: number[]; weight: number; lam: number[] }[] = [];
  const jtr = new Array<number>(m);
  const jtj: number[][] = Array.from({ length: m }, () => new Array<number>(m));
  forEachGaussianPoint(sigma, nodes, (eps, weight) => {
    const lam = lambda0.map((v, k) => v + eps[k]);
    points.push({ eps, weight, lam });
    const { value: r, jacobian: jac } = toy.residuals(lam, general);
    let half = 0;
    for (let a = 0; a < m; a++) {
      jtr[a] = 0;
      for (let c = 0; c < m; c++) jtj[a][c] = 0;
    }
    for (let i = 0; i < n; i++) {
      half += 0.5 * r[i] * r[i];
      for (let a = 0; a < m; a++) {
        jtr[a] += jac[i][a] * r[i];
        for (let c = 0; c < m; c++) jtj[a][c] += jac[i][a] * jac[i][c];
      }
    }
    c0 += (weight * half) / n;
    for (let k = 0; k < h; k++) {
      const wk = (weight * eps[k]) / n;
      for (let a = 0; a < m; a++) {
        b[a + k * m] += wk * jtr[a];
        for (let l = 0; l < h; l++) {
          const wkl = wk * eps[l];
          const row = hd[a + k * m];
          for (let c = 0; c < m; c++) row[c + l * m] += wkl * jtj[a][c];
        }
      }
    }
  });
  return (psi) => {
    if (psi.length !== mh) throw new ShapeMismatchError('psi', `length ${mh}`, `length ${psi.length}`);
    let value = c0;
    const gradient = new Array<number>(mh);
    const hessian = hd.map((row) => [...row]);
    for (let p = 0; p < mh; p++) {
      let s = 0;
      for (let q = 0; q < mh; q++) s += hd[p][q] * psi[q];
      gradient[p] = b[p] + s;
      value += psi[p] * (b[p] + 0.5 * s);
    }
    const reg = toy.regularizer;
    if (reg) {
      const w = new Array<number>(m);
      for (const { eps, weight, lam } of points) {
        for (let a = 0; a < m; a++) {
          let t = general[a];
          for (let k = 0; k < h; k++) t += psi[a + k * m] * eps[k];
          w[a] = t;
        }
        const rg = reg(lam, w);
        value += weight * rg.value;
        for (let k = 0; k < h; k++) {
          const wk = weight * eps[k];
          for (let a = 0; a < m; a++) {
            gradient[a + k * m] += wk * rg.gradient[a];
            for (let l = 0; l < h; l++) {
              const wkl = wk * eps[l];
              const row = hessian[a + k * m];
              for (let c = 0; c < m; c++) row[c + l * m] += wkl * rg.hessian[a][c];
            }
          }
        }
      }
    }
    return [value, gradient, hessian];
  };
}

/**
 * The linearized response $\Theta^*_{\rm lin} = \arg\min_\Theta F_{\rm lin}(\Theta)$ (m×h) of {@link linearizedObjectiveVec}, by Newton
 * in ψ = vec Θ (on {@link preparedLinearizedObjectiveVec}) from $\Theta_{\rm GN}$ (or 0). `lambda0` = λ₀, `general` = w₀,
 * `sigma` = σ (length h), `nodes` per hyperparameter (default 80).
 * @throws InvalidArgumentError naming `toy` when F_lin has no strict minimiser (its Hessian is not positive definite there).
 */
export function linearizedResponseVec(toy: SecondOrderVectorToy, lambda0: readonly number[], general: readonly number[], sigma: readonly number[], nodes = DEFAULT_NODES): number[][] {
  const m = toy.weights;
  const h = toy.hypers;
  const fgh = preparedLinearizedObjectiveVec(toy, lambda0, general, sigma, nodes);
  let start: number[];
  try {
    start = vecResponse(gaussNewtonIftJacobianVec(toy, lambda0, general));
  } catch {
    start = new Array<number>(m * h).fill(0);
  }
  const res = newtonMinimizeNd(fgh, start);
  if (!res.converged || choleskyFactor(fgh(res.x)[2]) === null) {
    throw new InvalidArgumentError('toy', 'a linearized response objective with a positive definite Hessian at its minimiser', `ψ = (${res.x.join(', ')})`);
  }
  return unvecResponse(res.x, m, h);
}

/**
 * The non-linearized Δ-STN response objective $F(\Theta) = \mathbb E_\epsilon\,\mathcal L_T(\boldsymbol\lambda_0+\epsilon, \mathbf w_0+\Theta\epsilon)$,
 * its gradient $\mathbb E[\epsilon\otimes\nabla_{\mathbf w}\mathcal L_T]$ and Hessian $\mathbb E[(\epsilon\epsilon^\top)\otimes\nabla^2_{\mathbf w}\mathcal L_T]$ in ψ = vec Θ.
 * `lambda0` = λ₀, `general` = w₀, `sigma` = σ, `response` = Θ (m×h), `nodes` per hyperparameter.
 */
export function responseObjectiveVec(
  toy: SecondOrderVectorToy,
  lambda0: readonly number[],
  general: readonly number[],
  sigma: readonly number[],
  response: readonly (readonly number[])[],
  nodes = DEFAULT_NODES,
): { value: number; gradient: number[]; hessian: number[][] } {
  const m = toy.weights;
  const h = toy.hypers;
  assertSigmaVec(sigma, h);
  assertResponseVec(response, m, h);
  const mh = m * h;
  let value = 0;
  const gradient = new Array<number>(mh).fill(0);
  const hessian: number[][] = Array.from({ length: mh }, () => new Array<number>(mh).fill(0));
  const n = toy.size;
  const lam = new Array<number>(h);
  const w = new Array<number>(m);
  const g = new Array<number>(m);
  const hw: number[][] = Array.from({ length: m }, () => new Array<number>(m));
  forEachGaussianPoint(sigma, nodes, (eps, weight) => {
    for (let k = 0; k < h; k++) lam[k] = lambda0[k] + eps[k];
    for (let a = 0; a < m; a++) {
      let t = general[a];
      for (let k = 0; k < h; k++) t += response[a][k] * eps[k];
      w[a] = t;
    }
    // L_T, ∇_w L_T and ∇²_w L_T at (λ0 + ε, w0 + Θε) (the w-only part of trainLossVec, without its allocations).
    const jet = toy.residualJet(lam, w);
    let v = 0;
    for (let a = 0; a < m; a++) {
      g[a] = 0;
      for (let b = 0; b < m; b++) hw[a][b] = 0;
    }
    for (let i = 0; i < n; i++) {
      const r = jet.value[i];
      const ji = jet.jacobian[i];
      const dww = jet.dww[i];
      v += 0.5 * r * r;
      for (let a = 0; a < m; a++) {
        g[a] += r * ji[a];
        for (let b = 0; b < m; b++) hw[a][b] += ji[a] * ji[b] + r * dww[a][b];
      }
    }
    v /= n;
    for (let a = 0; a < m; a++) {
      g[a] /= n;
      for (let b = 0; b < m; b++) hw[a][b] /= n;
    }
    if (toy.regularizer) {
      const reg = toy.regularizer(lam, w);
      v += reg.value;
      for (let a = 0; a < m; a++) {
        g[a] += reg.gradient[a];
        for (let b = 0; b < m; b++) hw[a][b] += reg.hessian[a][b];
      }
    }
    value += weight * v;
    for (let k = 0; k < h; k++) {
      const wk = weight * eps[k];
      for (let a = 0; a < m; a++) {
        gradient[a + k * m] += wk * g[a];
        const row = hessian[a + k * m];
        for (let l = 0; l < h; l++) {
          const wkl = wk * eps[l];
          for (let b = 0; b < m; b++) row[b + l * m] += wkl * hw[a][b];
        }
      }
    }
  });
  return { value, gradient, hessian };
}

/**
 * The non-linearized Δ-STN response slope $\Theta = \arg\min_\Theta F(\Theta)$ of {@link responseObjectiveVec} (w₀ held
 * fixed), by damped Newton from $\mathbf J^*$; as σ → 0 it tends to $\mathbf J^*$ (Prop. L.2).
 * @throws InvalidArgumentError naming `toy` when Newton does not converge.
 */
export function deltaStnResponseVec(toy: SecondOrderVectorToy, lambda0: readonly number[], general: readonly number[], sigma: readonly number[], nodes = DEFAULT_NODES): number[][] {
  const m = toy.weights;
  const h = toy.hypers;
  const start = vecResponse(bestResponseJacobianVec(toy, lambda0, general));
  const res = newtonMinimizeNd((psi) => {
    const o = responseObjectiveVec(toy, lambda0, general, sigma, unvecResponse(psi, m, h), nodes);
    return [o.value, o.gradient, o.hessian];
  }, start);
  if (!res.converged) throw new InvalidArgumentError('toy', 'a response objective whose Newton iteration converges', `ψ = (${res.x.join(', ')})`);
  return unvecResponse(res.x, m, h);
}
