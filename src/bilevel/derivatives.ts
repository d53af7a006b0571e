/**
 * Central finite-difference checks of a {@link BilevelProblem}'s analytic derivatives (JAXopt style: every
 * derivative a problem supplies is compared with an oracle). Step √ε·max(1, |x|) per coordinate and the
 * relative criterion of src/tolerance.ts.
 */
import { finiteDifferenceStep, relativeErrorVec } from '../tolerance.js';
import type { BilevelProblem } from './problem.js';

/** One comparison of an analytic derivative with its central difference. */
export interface DerivativeCheck {
  name: string;
  /** Relative error (max-norm) between analytic and finite-difference values. */
  error: number;
}

function central(f: (x: number[]) => number[], x: readonly number[], j: number): number[] {
  const step = finiteDifferenceStep(x[j]);
  const plus = [...x];
  const minus = [...x];
  plus[j] += step;
  minus[j] -= step;
  const fp = f(plus);
  const fm = f(minus);
  return fp.map((v, i) => (v - fm[i]) / (2 * step));
}

/** Columns j of the Jacobian of f at x, by central differences, as a matrix (rows = outputs). */
function jacobianFd(f: (x: number[]) => number[], x: readonly number[]): number[][] {
  const cols = x.map((_, j) => central(f, x, j));
  return cols[0].map((_, i) => cols.map((c) => c[i]));
}

/**
 * Compares ∇_w L_T, ∇²_ww L_T, ∂²L_T/∂w∂λ, ∂_λ L_T, ∇_w L_V and ∂_λ L_V with central differences of the
 * next-lower derivative (or of the loss) at (λ, w).
 */
export function checkDerivatives(problem: BilevelProblem, lambda: readonly number[], w: readonly number[]): DerivativeCheck[] {
  const flat = (m: number[][]): number[] => m.flat();
  const checks: DerivativeCheck[] = [];
  const add = (name: string, analytic: number[], fd: number[]): void => {
    checks.push({ name, error: relativeErrorVec(analytic, fd) });
  };
  add('trainGrad', problem.trainGrad(lambda, w), flat(jacobianFd((x) => [problem.trainLoss(lambda, x)], w)));
  add('trainHessian', flat(problem.trainHessian(lambda, w)), flat(jacobianFd((x) => problem.trainGrad(lambda, x), w)));
  add('trainMixed', flat(problem.trainMixed(lambda, w)), flat(jacobianFd((l) => problem.trainGrad(l, w), lambda)));
  add('trainGradHyper', problem.trainGradHyper(lambda, w), flat(jacobianFd((l) => [problem.trainLoss(l, w)], lambda)));
  add('valGrad', problem.valGrad(lambda, w), flat(jacobianFd((x) => [problem.valLoss(lambda, x)], w)));
  add('valGradHyper', problem.valGradHyper(lambda, w), flat(jacobianFd((l) => [problem.valLoss(l, w)], lambda)));
  const s = problem.outputStructure;
  if (s) {
    add('outputJacobian', flat(s.outputJacobian(lambda, w)), flat(jacobianFd((x) => s.outputs(lambda, x), w)));
    const f = s.outputs(lambda, w);
    add('lossGrad', s.lossGrad(f), flat(jacobianFd((g) => [s.loss(g)], f)));
    add('lossHessian', flat(s.lossHessian(f)), flat(jacobianFd((g) => s.lossGrad(g), f)));
    add('regularizerGrad', s.regularizerGrad(lambda, w), flat(jacobianFd((x) => [s.regularizer(lambda, x)], w)));
    add('regularizerHessian', flat(s.regularizerHessian(lambda, w)), flat(jacobianFd((x) => s.regularizerGrad(lambda, x), w)));
    add('structure = trainLoss', [s.loss(f) + s.regularizer(lambda, w)], [problem.trainLoss(lambda, w)]);
  }
  return checks;
}
