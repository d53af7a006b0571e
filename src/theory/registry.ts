/**
 * The claim registry: the single list that `deltastn verify`, the tests and the notebooks read (design
 * page, "One claim, four artefacts"). Each entry names its module (src/theory/…), its proof
 * (proofs/<ID>.md) and its tests (test/theory/<ID>.test.ts).
 */
import type { AnyClaim, ClaimId } from './claim.js';
import { appEClaim } from './appE.js';
import { linClaim } from './lin.js';
import { obs1Claim } from './obs1.js';
import { obs2Claim } from './obs2.js';
import { thm3Claim } from './thm3.js';

/** Every registered claim, in the order of docs/math.md#s0-1. */
export const claims: readonly AnyClaim[] = [obs1Claim, obs2Claim, thm3Claim, appEClaim, linClaim];

/** The claim with this ID, or undefined. */
export function findClaim(id: string): AnyClaim | undefined {
  return claims.find((c) => c.id === id);
}

/** IDs of all registered claims. */
export function claimIds(): ClaimId[] {
  return claims.map((c) => c.id);
}
