/**
 * The full alternating algorithm of STN and Δ-STN on a small problem (docs/math.md#s2-3, #s3-5), one gradient step at
 * a time, recording the trajectory (λ, σ, w0, Θ, L_T, L_V).
 *
 * ```
 * warm-up: W train steps
 * repeat `cycles` times:
 *   T_train train steps   stn / centered-stn: ψ ← ψ − α1 ∇_ψ E_ε L_T(λ+ε, w0 + Θλ̃)        (joint)
 *                         delta-stn(-linearized): w0 ← w0 − α1 ∇_w L_T(λ, w0)             (general step)
 *                                                 Θ  ← Θ  − α1 ∇_Θ E_ε L_T(λ+ε, w0 + Θε)   (response step)
 *   T_val hyper steps     n ∼ N(0, I) (n = 0 unless σ is tuned); ŵ = w0 + Θ(λ̃ + σ⊙n − λ0-part)
 *                         λ ← λ − α2 (∂_λL_V + Θᵀ∇_wL_V(ŵ));  s ← s − α3 sigmoid(s)⊙(n⊙Θᵀ∇_wL_V − τ/σ)
 * ```
 * λ̃ = λ + ε uncentered (STN), ε centered. σ = softplus(s). Under centering the centre moves with λ, so the
 * weights at the new λ are w0, untouched by the hyper step (OBS-2); uncentered they move by ΘΔλ.
 *
 * Plain gradient descent with fixed learning rates (the reference code's SGD-momentum/RMSprop are a choice of
 * optimizer, not of method). A step that produces a non-finite value stops the run with a message; the
 * result keeps the last good state, from which the run can be resumed.
 */
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import { sigmoid, softplus, softplusInverse } from '../linalg/scalar.js';
import { DEFAULT_EXPECTATION, perturbations, type ExpectationRule, type PerturbationSet } from './expectation.js';
import { hypernetworkWeights, jointObjective, responseObjective, unvecResponse } from './objectives.js';
import type { HypernetworkVariant } from './methods.js';
import type { BilevelProblem } from './problem.js';

/** Options of {@link runDriver}. Defaults follow the Δ-STN reference configuration where it applies (docs/math.md#s1-5). */
export interface DriverOptions {
  variant: HypernetworkVariant;
  /** Initial λ (unconstrained). */
  lambda: readonly number[];
  /** Initial σ (> 0). */
  scale: readonly number[];
  /** Tune σ with the entropy term (default false: σ fixed). */
  tuneScale?: boolean;
  /** τ, the entropy weight (default 1e-3). */
  entropyWeight?: number;
  /** Warm-up train steps before the first hyper step (default 0). */
  warmupSteps?: number;
  /** T_train (default 5) and T_val (default 1). */
  trainSteps?: number;
  valSteps?: number;
  /** Number of (T_train, T_val) cycles. */
  cycles: number;
  /** α1 (weights), α2 (λ), α3 (s; default α2). */
  lrWeights: number;
  /**
   * Step on Θ (default α1, as the reference code). Under centering the Hessian in (w0, Θ) is block diagonal,
   * diag(G, Σ ⊗ G) (OBS-1), so the Θ block is σ² times flatter than the w0 block and GD on Θ contracts at
   * 1 − α1σ²λ(G) (THM-3): at σ = 0.05 that is 400× slower. α1/σ² preconditions that block exactly.
   */
  lrResponse?: number;
  lrHyper: number;
  lrScale?: number;
  /** E_ε in train steps: quadrature (deterministic) or sampling (fresh draws each step from the seeded generator). */
  expectation?: ExpectationRule;
  /** Seed for sampled perturbations and for the hyper step's n (default 0). */
  seed?: number;
  /** Record every k-th hyper step (default 1). */
  recordEvery?: number;
}

/** The state of a run: everything needed to resume it. */
export interface DriverState {
  step: number;
  cycle: number;
  lambda: number[];
  /** s, with σ = softplus(s). */
  rawScale: number[];
  general: number[];
  /** Θ as a column-major vec (m·h). */
  response: number[];
}

/** One row of the trajectory. */
export interface DriverRecord {
  step: number;
  cycle: number;
  lambda: number[];
  scale: number[];
  general: number[];
  response: number[][];
  /** L_T(λ, ŵ(λ)) and L_V(λ, ŵ(λ)) at the current hyperparameter's weights (w0 + Θλ uncentered, w0 centered). */
  trainLoss: number;
  valLoss: number;
  /** The hypergradient estimate used in the last hyper step. */
  hypergradient: number[];
  /** ⟨Θᵀ∇_wL_T, Θᵀ∇_wL_V⟩ at ŵ(λ): the sign rule of OBS-2. */
  alignment: number;
}

/** Result of {@link runDriver}. */
export interface DriverResult {
  variant: HypernetworkVariant;
  records: DriverRecord[];
  state: DriverState;
  /** Set when the run stopped early; `state` is then the last good state. */
  stopped?: { step: number; reason: string };
}

/** softplus⁻¹ under the name the driver's users know (src/linalg/scalar.ts: softplusInverse). */
export { softplusInverse as inverseSoftplus };

function positiveInteger(v: number | undefined, name: string, fallback: number, min = 0): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < min) throw new InvalidArgumentError(name, `an integer ≥ ${min}`, x);
  return x;
}

function positiveNumber(v: number | undefined, name: string, fallback?: number): number {
  const x = v ?? fallback;
  if (x === undefined || !(x > 0) || !Number.isFinite(x)) throw new InvalidArgumentError(name, 'a finite number > 0', x);
  return x;
}

const finite = (v: readonly number[]): boolean => v.every(Number.isFinite);

/** Runs the alternating algorithm (see the module remarks); `resume` continues from a saved state. */
export function runDriver(problem: BilevelProblem, options: DriverOptions, resume?: DriverState): DriverResult {
  const m = problem.weightDim;
  const h = problem.hyperDim;
  if (options.lambda.length !== h) throw new InvalidArgumentError('lambda', `length ${h}`, options.lambda.length);
  if (options.scale.length !== h) throw new InvalidArgumentError('scale', `length ${h}`, options.scale.length);
  options.scale.forEach((s, k) => positiveNumber(s, `scale[${k}]`));
  const cycles = positiveInteger(options.cycles, 'cycles', 0);
  const trainSteps = positiveInteger(options.trainSteps, 'trainSteps', 5, 1);
  const valSteps = positiveInteger(options.valSteps, 'valSteps', 1, 1);
  const warmup = positiveInteger(options.warmupSteps, 'warmupSteps', 0);
  const recordEvery = positiveInteger(options.recordEvery, 'recordEvery', 1, 1);
  const a1 = positiveNumber(options.lrWeights, 'lrWeights');
  const aR = positiveNumber(options.lrResponse, 'lrResponse', a1);
  const a2 = positiveNumber(options.lrHyper, 'lrHyper');
  const a3 = positiveNumber(options.lrScale, 'lrScale', a2);
  const tau = options.entropyWeight ?? 1e-3;
  if (!(tau >= 0)) throw new InvalidArgumentError('entropyWeight', 'τ ≥ 0', tau);
  const rule: ExpectationRule = options.expectation ?? DEFAULT_EXPECTATION;
  const rng = new Rng(options.seed ?? 0);
  const centered = options.variant !== 'stn';
  const delta = options.variant === 'delta-stn' || options.variant === 'delta-stn-linearized';
  const linearized = options.variant === 'delta-stn-linearized';

  let state: DriverState = resume
    ? structuredClone(resume)
    : { step: 0, cycle: 0, lambda: [...options.lambda], rawScale: options.scale.map((v) => softplusInverse(v)), general: problem.initialWeights(), response: new Array<number>(m * h).fill(0) };
  const records: DriverRecord[] = [];
  let lastHypergradient = new Array<number>(h).fill(0);

  const perturbationSet = (scale: number[]): PerturbationSet =>
    rule.kind === 'quadrature' ? perturbations(scale, rule) : perturbations(scale, { kind: 'sampling', samples: rule.samples, seed: rng.nextUint32() });
  const weightsAt = (s: DriverState): number[] => (centered ? [...s.general] : hypernetworkWeights(s.general, s.response, s.lambda));

  const trainStep = (s: DriverState): DriverState => {
    const set = perturbationSet(s.rawScale.map(softplus));
    if (!delta) {
      const psi = [...s.general, ...s.response];
      const g = jointObjective(problem, s.lambda, centered, set).gradient(psi);
      const next = psi.map((x, i) => x - (i < m ? a1 : aR) * g[i]);
      return { ...s, step: s.step + 1, general: next.slice(0, m), response: next.slice(m) };
    }
    const gg = problem.trainGrad(s.lambda, s.general);
    const general = s.general.map((x, i) => x - a1 * gg[i]);
    const gr = responseObjective(problem, s.lambda, general, linearized, set).gradient(s.response);
    return { ...s, step: s.step + 1, general, response: s.response.map((x, i) => x - aR * gr[i]) };
  };

  const hyperStep = (s: DriverState): DriverState => {
    const scale = s.rawScale.map(softplus);
    const n = options.tuneScale ? scale.map(() => rng.normal()) : new Array<number>(h).fill(0);
    const u = s.lambda.map((l, k) => (centered ? 0 : l) + scale[k] * n[k]);
    const w = hypernetworkWeights(s.general, s.response, u);
    const gv = problem.valGrad(s.lambda, w);
    const direct = problem.valGradHyper(s.lambda, w);
    const theta = unvecResponse(s.response, m, h);
    const proj = Array.from({ length: h }, (_, k) => theta.reduce((acc, row, i) => acc + row[k] * gv[i], 0));
    const hg = proj.map((v, k) => v + direct[k]);
    lastHypergradient = hg;
    const lambda = s.lambda.map((l, k) => l - a2 * hg[k]);
    const rawScale = options.tuneScale ? s.rawScale.map((r, k) => r - a3 * sigmoid(r) * (n[k] * proj[k] - tau / scale[k])) : [...s.rawScale];
    return { ...s, step: s.step + 1, lambda, rawScale };
  };

  const record = (s: DriverState): void => {
    const w = weightsAt(s);
    const theta = unvecResponse(s.response, m, h);
    const gt = problem.trainGrad(s.lambda, w);
    const gv = problem.valGrad(s.lambda, w);
    const pt = Array.from({ length: h }, (_, k) => theta.reduce((acc, row, i) => acc + row[k] * gt[i], 0));
    const pv = Array.from({ length: h }, (_, k) => theta.reduce((acc, row, i) => acc + row[k] * gv[i], 0));
    records.push({
      step: s.step,
      cycle: s.cycle,
      lambda: [...s.lambda],
      scale: s.rawScale.map(softplus),
      general: [...s.general],
      response: theta,
      trainLoss: problem.trainLoss(s.lambda, w),
      valLoss: problem.valLoss(s.lambda, w),
      hypergradient: [...lastHypergradient],
      alignment: pt.reduce((acc, x, k) => acc + x * pv[k], 0),
    });
  };

  const healthy = (s: DriverState): boolean => {
    if (!finite(s.lambda) || !finite(s.rawScale) || !finite(s.general) || !finite(s.response)) return false;
    const w = weightsAt(s);
    return Number.isFinite(problem.trainLoss(s.lambda, w)) && Number.isFinite(problem.valLoss(s.lambda, w));
  };

  const advance = (step: (s: DriverState) => DriverState, label: string): string | null => {
    const next = step(state);
    if (!healthy(next)) return `${label} at step ${next.step} produced a non-finite value (λ = ${JSON.stringify(next.lambda)}); stopped, keeping the last good state`;
    state = next;
    return null;
  };

  if (!resume) {
    for (let i = 0; i < warmup; i++) {
      const why = advance(trainStep, 'warm-up train step');
      if (why) return { variant: options.variant, records, state, stopped: { step: state.step + 1, reason: why } };
    }
    record(state);
  }
  while (state.cycle < cycles) {
    for (let i = 0; i < trainSteps; i++) {
      const why = advance(trainStep, 'train step');
      if (why) return { variant: options.variant, records, state, stopped: { step: state.step + 1, reason: why } };
    }
    for (let i = 0; i < valSteps; i++) {
      const why = advance(hyperStep, 'hyper step');
      if (why) return { variant: options.variant, records, state, stopped: { step: state.step + 1, reason: why } };
    }
    state = { ...state, cycle: state.cycle + 1 };
    if (state.cycle % recordEvery === 0 || state.cycle === cycles) record(state);
  }
  return { variant: options.variant, records, state };
}
