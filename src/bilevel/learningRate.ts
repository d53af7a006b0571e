/**
 * The learning rate as a hyperparameter tuned online by hypergradient descent (HD; Baydin et al., ICLR 2018),
 * on the small engine.
 *
 * The weights take momentum-SGD steps on the training loss, u_t = μ u_{t−1} + g_t, w_{t+1} = w_t − α_t u_t with
 * g_t = ∇_w L_T(λ, w_t). The learning rate does not appear in L_T, so the best response w*(λ) does not depend on
 * it (the reviewers' point, docs/math.md#s7): no STN-type method can tune it. What α_t does change is the next
 * iterate, and the one-step-ahead derivative is exact:
 *
 * $$\frac{\partial \mathcal L_T(\lambda, w_{t+1})}{\partial \alpha_t} = -\nabla_w \mathcal L_T(\lambda, w_{t+1})^\top u_t,$$
 *
 * which HD descends: α_{t+1} = α_t + β ⟨g_{t+1}, u_t⟩ (the gradient of the next step serves as ∇L_T(w_{t+1})).
 * `alpha` is α_0 > 0, `beta` is β ≥ 0 (β = 0: plain momentum SGD), `momentum` is μ ∈ [0, 1).
 */
import { InvalidArgumentError } from '../errors.js';
import type { BilevelProblem } from './problem.js';

/** Settings of {@link hypergradientDescentRun}. */
export interface HdOptions {
  /** α_0 > 0, the initial learning rate. */
  alpha: number;
  /** β ≥ 0, the learning rate of α (HD's hyper learning rate). */
  beta: number;
  /** μ ∈ [0, 1) (default 0: plain gradient descent). */
  momentum?: number;
  /** Number of weight steps (≥ 1). */
  steps: number;
  /** Keep α ≥ this floor (default 0: HD may drive α to 0 but never below). */
  minAlpha?: number;
}

/** The trajectory of an HD run: α_t and L_T(λ, w_t) for t = 0..steps, and the final weights. */
export interface HdRun {
  alphas: number[];
  losses: number[];
  w: number[];
}

function check(options: HdOptions): Required<HdOptions> {
  const { alpha, beta, steps } = options;
  const momentum = options.momentum ?? 0;
  const minAlpha = options.minAlpha ?? 0;
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new InvalidArgumentError('alpha', 'a finite α₀ > 0', alpha);
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new InvalidArgumentError('beta', 'a finite β ≥ 0', beta);
  if (!(momentum >= 0 && momentum < 1)) throw new InvalidArgumentError('momentum', '0 ≤ μ < 1', momentum);
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError('steps', 'an integer ≥ 1', steps);
  if (!(minAlpha >= 0) || !Number.isFinite(minAlpha)) throw new InvalidArgumentError('minAlpha', 'a finite number ≥ 0', minAlpha);
  return { alpha, beta, momentum, steps, minAlpha };
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * Runs momentum SGD on L_T(λ, ·) from `w0` with the learning rate tuned by HD (module remarks). Deterministic
 * (full-batch gradients of the problem).
 */
export function hypergradientDescentRun(problem: BilevelProblem, lambda: readonly number[], w0: readonly number[], options: HdOptions): HdRun {
  const o = check(options);
  if (w0.length !== problem.weightDim) throw new InvalidArgumentError('w0', `length ${problem.weightDim}`, w0.length);
  let w = [...w0];
  let alpha = o.alpha;
  let u: number[] | null = null;
  let g = problem.trainGrad(lambda, w);
  const alphas = [alpha];
  const losses = [problem.trainLoss(lambda, w)];
  for (let t = 0; t < o.steps; t++) {
    // HD: the gradient at w_t against the previous update direction u_{t−1} (none before the first step).
    if (u) alpha = Math.max(o.minAlpha, alpha + o.beta * dot(g, u));
    const prev: number[] | null = u;
    u = prev ? g.map((gi, i) => o.momentum * prev[i] + gi) : [...g];
    const step = u;
    w = w.map((wi, i) => wi - alpha * step[i]);
    g = problem.trainGrad(lambda, w);
    alphas.push(alpha);
    losses.push(problem.trainLoss(lambda, w));
    const last = losses[losses.length - 1];
    if (!Number.isFinite(last)) throw new InvalidArgumentError('alpha', `a run that stays finite (L_T became ${last} at step ${t + 1}, α = ${alpha})`, o.alpha);
  }
  return { alphas, losses, w };
}

/**
 * The exact one-step-ahead hypergradient ∂L_T(λ, w − α u)/∂α = −∇_w L_T(λ, w − α u)ᵀ u at the point w, along the
 * update direction `u` (HD's quantity, the unrolled hypergradient of the learning rate with K = 1).
 */
export function oneStepLearningRateGradient(problem: BilevelProblem, lambda: readonly number[], w: readonly number[], u: readonly number[], alpha: number): number {
  const next = w.map((wi, i) => wi - alpha * u[i]);
  return -dot(problem.trainGrad(lambda, next), u);
}
