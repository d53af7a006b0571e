/**
 * OBS-1 input/output: `deltastn theory conditioning` (JSON in, float64 and certified condition numbers out).
 * The claim OBS-1 in three files: the mathematics (math.ts), `deltastn theory conditioning` (io.ts), the
 * claim's generator and checks (claim.ts); src/theory/obs1.ts re-exports all three.
 */
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../errors.js';
import { conditionNumber, kron } from '../../linalg/dense.js';
import { isSymmetricQ, rationalMatrix, toNumberMatrix, type RationalLike } from '../../linalg/exact.js';
import { certifiedConditionNumber, inertia } from '../../linalg/inertia.js';
import { type CertifiedBound, productInterval, toBound } from '../../linalg/outward.js';
import { parseHyper, secondMoment, centeredSecondMoment } from './math.js';

// ─────────────────────────────────────── CLI: conditioning ────────────────────────────────────────

/** Input of `deltastn theory conditioning` (numbers or rational strings such as "3/7"). */
export interface ConditioningInput {
  /** G_w, square, symmetric positive definite. */
  G: readonly (readonly RationalLike[])[];
  /** λ̄ = λ₀, length h ≥ 1. */
  lambdaBar: readonly RationalLike[];
  /** σ, length h, every σ_k > 0. */
  sigma: readonly RationalLike[];
}

/** Output of {@link conditioningReport}: float64 condition numbers plus certified intervals for each. */
export interface ConditioningReport {
  /** κ(G_w). */
  kappaG: number;
  /** κ(M_u), λ̄ = λ₀. */
  kappaMUncentered: number;
  /** κ(M_c) = max(1, σ²_max)/min(1, σ²_min). */
  kappaMCentered: number;
  /** κ(M_u ⊗ G_w). */
  kappaUncentered: number;
  /** κ(M_c ⊗ G_w). */
  kappaCentered: number;
  /** Certified intervals, one per field above (same keys). */
  certified: {
    kappaG: CertifiedBound;
    kappaMUncentered: CertifiedBound;
    kappaMCentered: CertifiedBound;
    kappaUncentered: CertifiedBound;
    kappaCentered: CertifiedBound;
  };
}

/**
 * The conditioning numbers behind OBS-1 for given G_w, λ̄ and σ: the routine behind
 * `deltastn theory conditioning`.
 *
 * @remarks
 * float64 fields come from Jacobi eigenvalues (`conditionNumber`), κ(M ⊗ G) from the explicit Kronecker
 * product. `certified` gives, for each, an interval that provably contains the exact value of the rational
 * input (a JSON float is an exact dyadic rational, so certification always applies): κ(G), κ(M_u) and κ(M_c)
 * by bisection on exact inertia counts (src/linalg/inertia.ts); κ(M ⊗ G) as the product of the intervals for
 * κ(M) and κ(G), which is exact because κ(M ⊗ G) = κ(M)κ(G) (proof step 4; keeps the cost at the size of G
 * rather than (h+1)·m). Interval ends are given as float64 rounded outward (`lo`, `hi`, still certified) and
 * as exact rational strings (`loExact`, `hiExact`).
 *
 * @throws ShapeMismatchError (`G`) unless G is a non-empty square matrix; NotSymmetricError (`G`) unless G = Gᵀ
 *   exactly; NotPositiveDefiniteError (`G`) unless G ≻ 0 (exact inertia); ShapeMismatchError (`lambdaBar`,
 *   `sigma`) unless both have one length h ≥ 1; InvalidArgumentError (`sigma[k]`) if σ_k ≤ 0; NonFiniteError /
 *   ParseError for entries that are not finite numbers or rational strings.
 * @see docs/math.md#s4-1
 */
export function conditioningReport(input: ConditioningInput): ConditioningReport {
  if (typeof input !== 'object' || input === null) throw new InvalidArgumentError('input', 'an object { G, lambdaBar, sigma }', input);
  const g = rationalMatrix(input.G, 'G');
  if (g.length !== g[0].length) throw new ShapeMismatchError('G', 'a square matrix', `${g.length}×${g[0].length}`);
  if (!isSymmetricQ(g)) throw new NotSymmetricError('G', 'G must equal Gᵀ exactly');
  const gi = inertia(g, 'G');
  if (gi.positive !== g.length) throw new NotPositiveDefiniteError('G', `inertia (+${gi.positive}, −${gi.negative}, 0×${gi.zero})`);
  const p = parseHyper(input.lambdaBar, input.sigma);
  const mu = secondMoment(p.lambdaBar, p.sigma);
  const mc = centeredSecondMoment(p.sigma);
  const gf = toNumberMatrix(g);
  const muf = toNumberMatrix(mu);
  const mcf = toNumberMatrix(mc);
  const cg = certifiedConditionNumber(g, {}, 'G').kappa;
  const cu = certifiedConditionNumber(mu, {}, 'secondMoment').kappa;
  const cc = certifiedConditionNumber(mc, {}, 'secondMoment').kappa;
  return {
    kappaG: conditionNumber(gf, 'spd', 'G'),
    kappaMUncentered: conditionNumber(muf, 'spd', 'lambdaBar, sigma (M_u)'),
    kappaMCentered: conditionNumber(mcf, 'spd', 'sigma (M_c)'),
    kappaUncentered: conditionNumber(kron(muf, gf), 'spd', 'G, lambdaBar, sigma (M_u ⊗ G)'),
    kappaCentered: conditionNumber(kron(mcf, gf), 'spd', 'G, sigma (M_c ⊗ G)'),
    certified: {
      kappaG: toBound(cg),
      kappaMUncentered: toBound(cu),
      kappaMCentered: toBound(cc),
      kappaUncentered: toBound(productInterval(cu, cg)),
      kappaCentered: toBound(productInterval(cc, cg)),
    },
  };
}
