/**
 * Central finite-difference checks of a {@link BilevelProblem}'s analytic derivatives (JAXopt style: every
 * derivative a problem supplies is compared with an oracle). Step √ε·max(1, |x|) per coordinate and the
 * relative criterion of src/tolerance.ts, with the difference's own rounding error as a floor (see
 * {@link checkDerivatives}).
 */
import { EPS, FINITE_DIFFERENCE_REL_TOL, finiteDifferenceStep, relativeErrorVec } from '../tolerance.js';
import type { BilevelProblem } from './problem.js';

/** One comparison of an analytic derivative with its central difference. */
export interface DerivativeCheck {
  name: string;
  /** Relative error (max-norm) between analytic and finite-difference values. */
  error: number;
}

/**
 * Ulps of rounding assumed in one evaluation of a loss or gradient (a short sum of products). The central
 * difference (f(x+h) − f(x−h))/2h then carries an absolute rounding error of about ROUNDING_ULPS·ε·|f|/h.
 */
const ROUNDING_ULPS = 32;

/** Column j of the Jacobian by a central difference, and the difference's rounding error (see ROUNDING_ULPS). */
function central(f: (x: number[]) => number[], x: readonly number[], j: number): { column: number[]; roundoff: number } {
  const step = finiteDifferenceStep(x[j]);
  const plus = [...x];
  const minus = [...x];
  plus[j] += step;
  minus[j] -= step;
  const fp = f(plus);
  const fm = f(minus);
  const size = Math.max(0, ...fp.map(Math.abs), ...fm.map(Math.abs));
  return { column: fp.map((v, i) => (v - fm[i]) / (2 * step)), roundoff: (ROUNDING_ULPS * EPS * size) / step };
}

/** The Jacobian of f at x by central differences (rows = outputs), and its largest rounding error. */
function jacobianFd(f: (x: number[]) => number[], x: readonly number[]): { jacobian: number[][]; roundoff: number } {
  const cols = x.map((_, j) => central(f, x, j));
  return { jacobian: cols[0].column.map((_, i) => cols.map((c) => c.column[i])), roundoff: Math.max(...cols.map((c) => c.roundoff)) };
}

/**
 * Compares ∇_w L_T, ∇²_ww L_T, ∂²L_T/∂w∂λ, ∂_λ L_T, ∇_w L_V and ∂_λ L_V with central differences of the
 * next-lower derivative (or of the loss) at (λ, w).
 *
 * @remarks
 * The error is max|analytic − fd| / max(‖analytic‖∞, ‖fd‖∞, r/FINITE_DIFFERENCE_REL_TOL), r the central
 * difference's own rounding error (≈ 32ε·|f|/h). So `error ≤ FINITE_DIFFERENCE_REL_TOL` means "agree to the
 * policy's relative 1e-6, or to within what the difference can resolve". Without the floor a derivative that is
 * zero up to rounding (∇_w L_T at w*, ∂_λ L_V at λ₁ = w₀) reads as relative error ~1, since the difference of
 * two nearly equal losses is pure rounding there.
 */
export function checkDerivatives(problem: BilevelProblem, lambda: readonly number[], w: readonly number[]): DerivativeCheck[] {
  const flat = (m: number[][]): number[] => m.flat();
  const checks: DerivativeCheck[] = [];
  const add = (name: string, analytic: number[], fd: number[] | { jacobian: number[][]; roundoff: number }): void => {
    const values = Array.isArray(fd) ? fd : flat(fd.jacobian);
    const floor = Array.isArray(fd) ? 1e-300 : Math.max(1e-300, fd.roundoff / FINITE_DIFFERENCE_REL_TOL);
    checks.push({ name, error: relativeErrorVec(analytic, values, floor) });
  };
  add('trainGrad', problem.trainGrad(lambda, w), jacobianFd((x) => [problem.trainLoss(lambda, x)], w));
  add('trainHessian', flat(problem.trainHessian(lambda, w)), jacobianFd((x) => problem.trainGrad(lambda, x), w));
  add('trainMixed', flat(problem.trainMixed(lambda, w)), jacobianFd((l) => problem.trainGrad(l, w), lambda));
  add('trainGradHyper', problem.trainGradHyper(lambda, w), jacobianFd((l) => [problem.trainLoss(l, w)], lambda));
  add('valGrad', problem.valGrad(lambda, w), jacobianFd((x) => [problem.valLoss(lambda, x)], w));
  add('valGradHyper', problem.valGradHyper(lambda, w), jacobianFd((l) => [problem.valLoss(l, w)], lambda));
  const s = problem.outputStructure;
  if (s) {
    add('outputJacobian', flat(s.outputJacobian(lambda, w)), jacobianFd((x) => s.outputs(lambda, x), w));
    const f = s.outputs(lambda, w);
    add('lossGrad', s.lossGrad(f), jacobianFd((g) => [s.loss(g)], f));
    add('lossHessian', flat(s.lossHessian(f)), jacobianFd((g) => s.lossGrad(g), f));
    add('regularizerGrad', s.regularizerGrad(lambda, w), jacobianFd((x) => [s.regularizer(lambda, x)], w));
    add('regularizerHessian', flat(s.regularizerHessian(lambda, w)), jacobianFd((x) => s.regularizerGrad(lambda, x), w));
    add('structure = trainLoss', [s.loss(f) + s.regularizer(lambda, w)], [problem.trainLoss(lambda, w)]);
  }
  return checks;
}
