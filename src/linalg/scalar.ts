/**
 * The scalar functions every layer uses, written once (float64, stable for every finite argument):
 * the logistic sigmoid, softplus and its inverse. σ = softplus(s) is how the library keeps a perturbation scale
 * positive (docs/math.md#s1-4); sigmoid is softplus's derivative and the logistic loss's.
 */
import { InvalidArgumentError } from '../errors.js';

/** The logistic sigmoid 1/(1 + e^{−x}), evaluated without overflow for either sign of x. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}), exact to rounding for every finite x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * softplus⁻¹(y) = log(eʸ − 1) for y > 0 (docs/math.md#s8-5).
 *
 * @remarks
 * Computed as log(expm1(y)) for y ≤ 1 (no cancellation in eʸ − 1) and as y + log1p(−e^{−y}) above (no
 * overflow of eʸ for large y). softplus⁻¹(1) = 0.5413248546 is the reference's initial `h_scale`.
 *
 * @throws InvalidArgumentError if y ≤ 0 or y is not finite (outside the image of softplus); `argument` names y.
 */
export function softplusInverse(y: number, argument = 'y'): number {
  if (!(y > 0) || !Number.isFinite(y)) throw new InvalidArgumentError(argument, 'a finite number > 0 (the image of softplus)', y);
  return y <= 1 ? Math.log(Math.expm1(y)) : y + Math.log1p(-Math.exp(-y));
}
