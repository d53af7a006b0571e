/**
 * The inner/outer interaction in practice (issue "toy experiments" 4; claim OBS-2). Under the uncentered
 * parameterization a hyper step Δλ moves the weights used at the current hyperparameter by ΘΔλ, which
 * changes the training loss by ≈ ∇L_TᵀΘΔλ; the next train steps then pull the weights back. Under centering
 * the weights at the new centre are w0, untouched. This experiment runs STN (uncentered) and centered STN
 * over a grid of hyper learning rates and starting points (each training its weights at its own stable step,
 * 1/λmax of its joint Hessian, which is what the better conditioning of OBS-1 buys), and measures what the
 * interaction does to λ: its overshoot past the final value, its largest single jump, the number of sign
 * changes of Δλ (oscillation), and the fraction of hyper steps with negative alignment
 * ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ < 0 (the sign rule of OBS-2: a harmful first-order change).
 *
 * Whether λ "spikes" is an empirical question on each problem; the result records the numbers either way.
 */
import { InvalidArgumentError } from '../errors.js';
import { symmetricEigenvalues } from '../linalg/dense.js';
import { runDriver, type DriverRecord } from '../bilevel/driver.js';
import { ridgeProblem, type RegressionData } from '../bilevel/families.js';
import { solveInner } from '../bilevel/methods.js';
import { SPEC_RIDGE_DATA, findBestHyperparameter } from './ridge.js';

/** Options for {@link interactionExperiment}. */
export interface InteractionOptions {
  data?: RegressionData;
  /** σ (default 0.5). */
  scale?: number;
  /** Starting λ values (default [−4, 0, 3]): far from 0 the uncentered hypernetwork's coordinates are badly scaled. */
  starts?: readonly number[];
  /** Hyper learning rates α2 (default [0.5, 2, 8]). */
  hyperRates?: readonly number[];
  /** Cycles per run (default 300). */
  cycles?: number;
}

/** Summary of one run. */
export interface InteractionRun {
  variant: 'stn' | 'centered-stn';
  start: number;
  hyperRate: number;
  finalLambda: number;
  /** max_t |λ_t − λ_final| beyond the straight path from the start: max(0, max_t λ_t − max(start, final), min(start, final) − min_t λ_t). */
  overshoot: number;
  /** max_t |λ_t − λ_{t−1}|. */
  largestJump: number;
  /** Sign changes of Δλ along the run (0 for a monotone path). */
  reversals: number;
  /** Fraction of recorded steps with ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ < 0. */
  negativeAlignment: number;
  stopped?: string;
  trajectory: [number, number][];
}

/** Result of {@link interactionExperiment} (JSON-ready). */
export interface InteractionResult {
  lambdaStar: number;
  scale: number;
  runs: InteractionRun[];
  /** Per (start, rate): uncentered minus centered overshoot and reversals; positive means the uncentered run was worse. */
  comparison: { start: number; hyperRate: number; overshootDifference: number; reversalDifference: number }[];
}

function summarise(records: DriverRecord[], start: number): Pick<InteractionRun, 'finalLambda' | 'overshoot' | 'largestJump' | 'reversals' | 'negativeAlignment'> {
  const lambdas = records.map((r) => r.lambda[0]);
  const final = lambdas[lambdas.length - 1];
  const hi = Math.max(start, final);
  const lo = Math.min(start, final);
  let overshoot = 0;
  let largestJump = 0;
  let reversals = 0;
  let lastSign = 0;
  for (let t = 0; t < lambdas.length; t++) {
    overshoot = Math.max(overshoot, lambdas[t] - hi, lo - lambdas[t]);
    if (t > 0) {
      const d = lambdas[t] - lambdas[t - 1];
      largestJump = Math.max(largestJump, Math.abs(d));
      const sign = Math.abs(d) > 1e-12 ? Math.sign(d) : 0;
      if (sign !== 0) {
        if (lastSign !== 0 && sign !== lastSign) reversals++;
        lastSign = sign;
      }
    }
  }
  const negativeAlignment = records.filter((r) => r.alignment < 0).length / records.length;
  return { finalLambda: final, overshoot, largestJump, reversals, negativeAlignment };
}

/** Runs the interaction experiment (see the module remarks). */
export function interactionExperiment(options: InteractionOptions = {}): InteractionResult {
  const problem = ridgeProblem(options.data ?? SPEC_RIDGE_DATA);
  const scale = options.scale ?? 0.5;
  if (!(scale > 0)) throw new InvalidArgumentError('sigma', 'σ > 0', scale);
  const starts = options.starts ?? [-4, 0, 3];
  const rates = options.hyperRates ?? [0.5, 2, 8];
  const cycles = options.cycles ?? 300;
  const best = findBestHyperparameter(problem);
  const runs: InteractionRun[] = [];
  const comparison: InteractionResult['comparison'] = [];
  for (const start of starts) {
    // Each variant trains its weights at its own stable step 1/λmax of its joint Hessian M ⊗ H (OBS-1):
    // λmax(M_u) ≤ 1 + λ̄² + σ² (with |λ̄| ≤ |start| + 3 as margin for the path), λmax(M_c) = max(1, σ²).
    const H = problem.trainHessian([start], solveInner(problem, [start]));
    const ev = symmetricEigenvalues(H);
    const lmax = ev[ev.length - 1];
    const stepFor = (variant: 'stn' | 'centered-stn'): number =>
      variant === 'stn' ? 1 / (lmax * (1 + (Math.abs(start) + 3) ** 2 + scale * scale)) : 1 / (lmax * Math.max(1, scale * scale));
    for (const hyperRate of rates) {
      const pair: InteractionRun[] = [];
      for (const variant of ['stn', 'centered-stn'] as const) {
        const res = runDriver(problem, { variant, lambda: [start], scale: [scale], cycles, trainSteps: 5, lrWeights: stepFor(variant), lrHyper: hyperRate, warmupSteps: 200 });
        const run: InteractionRun = {
          variant,
          start,
          hyperRate,
          ...summarise(res.records, start),
          stopped: res.stopped?.reason,
          trajectory: res.records.map((r) => [r.cycle, r.lambda[0]]),
        };
        runs.push(run);
        pair.push(run);
      }
      comparison.push({ start, hyperRate, overshootDifference: pair[0].overshoot - pair[1].overshoot, reversalDifference: pair[0].reversals - pair[1].reversals });
    }
  }
  return { lambdaStar: best.lambdaStar, scale, runs, comparison };
}
