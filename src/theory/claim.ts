/**
 * What a claim is, for the registry (./registry.ts) that the `verify` command, the tests and the
 * notebooks all read.
 *
 * A claim computes both sides of a mathematical statement on a case drawn by its fast-check generator and
 * returns one {@link Check} per step of the proof (so a failure says which step broke), plus checks of the
 * spec's reference values (docs/math.md#s6) that belong to it.
 */
import type { Arbitrary } from 'fast-check';

/** The IDs of docs/math.md#s0-1 (the wording of each statement is the project's, reconstructed: spec #s0-1). */
export type ClaimId = 'OBS-1' | 'OBS-2' | 'THM-3' | 'APP-E' | 'LIN';

/** How a check compares its two sides. */
export type CheckKind = 'exact' | 'float64' | 'quadrature' | 'finite-difference' | 'monte-carlo' | 'certified' | 'reference';

/**
 * One comparison. `error` is measured in the units of `tolerance` (relative unless `detail` says
 * otherwise); an exact check has error 0 (holds) or 1 (fails) and tolerance 0.
 */
export interface Check {
  /** Short name of the proof step, e.g. "G_ψ = M ⊗ G_w (exact)". */
  name: string;
  kind: CheckKind;
  error: number;
  tolerance: number;
  passed: boolean;
  /** Anything a reader needs to reproduce the failure (values of both sides, the case's size…). */
  detail?: string;
}

/** A registered claim over cases of type `C`. */
export interface Claim<C> {
  id: ClaimId;
  /** One-line statement (ours, not the paper's wording). */
  statement: string;
  /** Hypotheses under which it holds. */
  assumptions: string[];
  /** Where the math is: spec section(s) and the proof file. */
  spec: string;
  proof: string;
  /** Random cases, including edge cases (h = 1, m = 1, zero mean, tiny and huge σ). */
  arbitrary: Arbitrary<C>;
  /** Both sides of the claim on one case, as named checks. */
  check(c: C): Check[];
  /** The spec's reference values (docs/math.md#s6) that belong to this claim. */
  referenceChecks(): Check[];
}

/** A claim whose case type is forgotten (what the registry holds). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClaim = Claim<any>;

/** An exact check: passes iff `holds`. */
export function exactCheck(name: string, holds: boolean, detail?: string): Check {
  return { name, kind: 'exact', error: holds ? 0 : 1, tolerance: 0, passed: holds, detail };
}

/** A toleranced check: passes iff error ≤ tolerance (and error is not NaN). */
export function tolCheck(name: string, kind: CheckKind, error: number, tolerance: number, detail?: string): Check {
  return { name, kind, error, tolerance, passed: error <= tolerance, detail };
}
