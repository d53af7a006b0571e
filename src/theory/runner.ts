/**
 * Runs registered claims on seeded random cases: the engine behind `deltastn verify`, usable from a
 * notebook too (no Node-only imports).
 */
import fc from 'fast-check';
import type { AnyClaim, Check, CheckKind } from './claim.js';

/** Options for {@link runClaim}. */
export interface RunOptions {
  /** Number of random cases drawn from the claim's generator (default 100). */
  runs?: number;
  /** Seed for fast-check's generator: the same seed draws the same cases. */
  seed?: number;
  /** Called after each case (for progress bars). */
  onCase?: (done: number, total: number) => void;
}

/** Worst outcome of one named check over all cases. */
export interface CheckSummary {
  name: string;
  kind: CheckKind;
  /** How many times the check ran (cases, or 1 for a reference check). */
  count: number;
  failures: number;
  /** The largest error seen and the tolerance it was held to (0 for exact checks). */
  worstError: number;
  worstTolerance: number;
  /** worstError / worstTolerance (0 for a passing exact check, ∞ for a failing one). */
  worstRatio: number;
  /** Detail of the first failure, if any. */
  firstFailure?: string;
}

/** Result of {@link runClaim}. */
export interface ClaimReport {
  id: string;
  statement: string;
  cases: number;
  referenceChecks: number;
  checks: CheckSummary[];
  /** Cases whose `check` threw (each is a failure). */
  errors: string[];
  holds: boolean;
  /** Wall-clock milliseconds. */
  ms: number;
}

function ratio(c: Check): number {
  if (c.tolerance === 0) return c.passed ? 0 : Infinity;
  return Number.isNaN(c.error) ? Infinity : c.error / c.tolerance;
}

function absorb(map: Map<string, CheckSummary>, c: Check, prefix = ''): void {
  const name = prefix + c.name;
  const r = ratio(c);
  const s = map.get(name);
  if (!s) {
    map.set(name, {
      name,
      kind: c.kind,
      count: 1,
      failures: c.passed ? 0 : 1,
      worstError: c.error,
      worstTolerance: c.tolerance,
      worstRatio: r,
      firstFailure: c.passed ? undefined : c.detail ?? `error ${c.error} > tolerance ${c.tolerance}`,
    });
    return;
  }
  s.count++;
  if (!c.passed) {
    s.failures++;
    s.firstFailure ??= c.detail ?? `error ${c.error} > tolerance ${c.tolerance}`;
  }
  if (r > s.worstRatio || (r === s.worstRatio && c.error > s.worstError)) {
    s.worstRatio = r;
    s.worstError = c.error;
    s.worstTolerance = c.tolerance;
  }
}

/** Draws `runs` cases from the claim's generator with `seed`, checks each, and checks its reference values. */
export function runClaim(claim: AnyClaim, options: RunOptions = {}): ClaimReport {
  const runs = options.runs ?? 100;
  const seed = options.seed ?? 0;
  const t0 = performance.now();
  const map = new Map<string, CheckSummary>();
  const errors: string[] = [];
  const cases = runs > 0 ? fc.sample(claim.arbitrary, { numRuns: runs, seed }) : [];
  cases.forEach((c, i) => {
    try {
      for (const check of claim.check(c)) absorb(map, check);
    } catch (e) {
      errors.push(`case ${i}: ${(e as Error).message}`);
    }
    options.onCase?.(i + 1, runs);
  });
  let refs = 0;
  try {
    for (const check of claim.referenceChecks()) {
      refs++;
      absorb(map, check, 'ref: ');
    }
  } catch (e) {
    errors.push(`reference checks: ${(e as Error).message}`);
  }
  const checks = [...map.values()];
  return {
    id: claim.id,
    statement: claim.statement,
    cases: cases.length,
    referenceChecks: refs,
    checks,
    errors,
    holds: errors.length === 0 && checks.every((c) => c.failures === 0),
    ms: performance.now() - t0,
  };
}
