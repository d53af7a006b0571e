/**
 * The claim registry: the single list that `deltastn verify`, the tests and the notebooks read (design
 * page, "One claim, four artefacts"). Each entry names its module (src/theory/…), its proof
 * (proofs/<ID>.md) and its tests (test/theory/<ID>.test.ts).
 */
import type { AnyClaim, ClaimId } from './claim.js';

/** Every registered claim, in the order of spec §0.1. */
export const claims: readonly AnyClaim[] = [];

/** The claim with this ID, or undefined. */
export function findClaim(id: string): AnyClaim | undefined {
  return claims.find((c) => c.id === id);
}

/** IDs of all registered claims. */
export function claimIds(): ClaimId[] {
  return claims.map((c) => c.id);
}
