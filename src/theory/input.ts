/**
 * Guarded entry points of the three theory routines behind `deltastn theory` (best-response, conditioning,
 * thm3): the raw JSON is validated here, field by field, against stated limits before any exact work starts,
 * and the routines' results are checked after, so that no input makes a routine run for minutes, blame an
 * internal matrix, crash, or print `null`.
 *
 * @remarks
 * What is checked, in this order (each failure is a typed error naming the user's field, `src/errors.ts`):
 * 1. shape: each field is an array (of rows) of the right length, at most {@link TheoryLimits.maxDimension}
 *    long, checked before any entry is read; unknown fields are rejected (a typo such as `sigmas` is named);
 * 2. entries: a finite JSON number or a rational string ("3/7", "-0.25", "1e-30"); a string has at most
 *    {@link TheoryLimits.maxStringLength} characters, and the numerator and denominator of the entry in
 *    lowest terms have at most {@link TheoryLimits.maxEntryBits} bits each (every finite float64 qualifies;
 *    "1e-10000", a 33 220-bit denominator, does not). The bit length is estimated from the digits and the
 *    exponent before the string is turned into a bigint, so a long exponent costs nothing;
 * 3. work: exact elimination on an N×N rational matrix whose entries, written as integers over one common
 *    denominator, have at most L bits, produces minors of up to about N·L bits and costs about (N²·L)² bit
 *    operations in the present kernel (measured; see the README). Each routine bounds its own N²·L by
 *    {@link TheoryLimits.maxWork}, with N and L as stated on {@link bestResponseChecked},
 *    {@link conditioningChecked} and {@link thm3Checked};
 * 4. float64 range: the routines report float64 numbers (κ's, the rate ρ). The matrices those are computed
 *    from (G, M = E[(1, λ̃)(1, λ̃)ᵀ], Σ, A, η) must have every non-zero entry, and every product the float64
 *    path forms from them, of normal float64 magnitude [2^-1022, 2^1023]; otherwise an
 *    {@link OutOfRangeError} names the field (e.g. `sigma[1]`). A float64 result that still comes out
 *    non-finite (κ(G) ≈ 10^600 from entries 1e300 and 1e-300) is an {@link OutOfRangeError} naming the
 *    fields it depends on, never `null` in the JSON.
 *
 * Errors the routines throw with the name of one of their internal matrices (a float64 eigen-solver's `a`,
 * the second moment, the response iteration) are re-thrown naming the user's fields. A `RangeError` from the
 * JavaScript engine (a bigint or array beyond its maximum) becomes a {@link LimitExceededError}.
 */
import { DeltaStnError, InvalidArgumentError, LimitExceededError, NonFiniteError, OutOfRangeError, ParseError, ShapeMismatchError, describeValue } from '../errors.js';
import { ONE, bitLength, gcdBig, rational, type Rational, type RationalMatrix } from '../linalg/exact.js';

import { conditioningReport, type ConditioningReport } from './obs1.js';
import { bestResponseJson, thm3Report, type BestResponseJson, type Thm3Report } from './thm3.js';

/** The limits every theory routine enforces on its input (see the module comment for what each bounds). */
export interface TheoryLimits {
  /** Largest length of a vector and largest number of rows or columns of a matrix. */
  maxDimension: number;
  /** Largest number of characters of one rational string. */
  maxStringLength: number;
  /** Largest bit length of the numerator, and of the denominator, of one entry in lowest terms. */
  maxEntryBits: number;
  /** Largest exact work N²·L (bits) of a routine; N and L per routine. */
  maxWork: number;
  /** thm3 only: largest m·h, the side of the exact response system and of Σ ⊗ A. */
  maxResponseSize: number;
  /** thm3 only: largest exact work N²·L with N = m·h, L = bits of A plus bits of Σ (see {@link thm3Checked}). */
  maxResponseWork: number;
  /** conditioning only: largest (h + 1)·m, the side of the float64 matrices M ⊗ G. */
  maxKroneckerSize: number;
}

/**
 * The supported sizes. Calibrated on the slowest inputs found within them (entries at the largest bit
 * length the work bound allows, integer and distinct-denominator rationals): best-response 40×40 with a
 * 40-column B, 1.8 s; conditioning 40×40 with h = 3, 1.0 s; thm3 40×1, 0.6 s (2-core shared machine,
 * Node 20; README, `deltastn theory`).
 */
export const THEORY_LIMITS: Readonly<TheoryLimits> = Object.freeze({
  maxDimension: 40,
  maxStringLength: 1000,
  maxEntryBits: 1100,
  maxWork: 60_000,
  maxResponseSize: 40,
  maxResponseWork: 60_000,
  maxKroneckerSize: 160,
});

// ─────────────────────────────────────────── entries and shapes ───────────────────────────────────────────

const LOG2_10 = Math.log2(10);
const DECIMAL_RE = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Upper bounds on the bits of numerator and denominator of a decimal "ddd.fff e±x" (before reduction). */
function decimalBits(text: string): { num: number; den: number } | null {
  const m = DECIMAL_RE.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const intDigits = m[2].replace(/^0+/, '').length;
  const frac = m[3] ?? '';
  const e = m[4] === undefined ? 0 : Number(m[4]);
  const digits = intDigits + frac.length;
  return { num: (digits + Math.max(0, e)) * LOG2_10 + 1, den: (frac.length + Math.max(0, -e)) * LOG2_10 + 1 };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * One entry: a finite JSON number (taken as the exact dyadic rational it denotes) or a rational string, of at
 * most `limits.maxEntryBits` bits in numerator and denominator.
 * @throws ParseError (not a number or rational string), NonFiniteError (±Infinity: a JSON literal such as
 * 1e400 parses to Infinity), LimitExceededError (too long a string, too many bits), all naming `field`.
 */
export function parseEntry(value: unknown, field: string, limits: Readonly<TheoryLimits> = THEORY_LIMITS): Rational {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NonFiniteError(field, value);
    return rational(value, field);
  }
  if (typeof value !== 'string') throw new ParseError(field, `expected a number or a rational string such as "3/7", got ${kindOf(value)}`);
  if (value.length > limits.maxStringLength) {
    throw new LimitExceededError(field, `a rational string of at most ${limits.maxStringLength} characters`, `${value.length} characters (${describeValue(value)})`);
  }
  const parts = value.split('/');
  const bits = parts.length <= 2 ? parts.map(decimalBits) : [null];
  if (bits.some((b) => b === null)) throw new ParseError(field, `expected a rational such as "3/7", "-0.25" or "1e-30", got ${describeValue(value)}`);
  // Before any bigint exists: a cheap upper bound (4× the limit leaves room for factors that cancel).
  const [p, q] = bits as { num: number; den: number }[];
  const numBits = p.num + (q ? q.den : 0);
  const denBits = p.den + (q ? q.num : 0);
  if (Math.max(numBits, denBits) > 4 * limits.maxEntryBits) {
    throw new LimitExceededError(field, `numerator and denominator of at most ${limits.maxEntryBits} bits each`, `${describeValue(value)} (about ${Math.round(Math.max(numBits, denBits))} bits)`);
  }
  const x = rational(value, field);
  checkEntryBits(x, value, field, limits);
  return x;
}

function checkEntryBits(x: Rational, value: unknown, field: string, limits: Readonly<TheoryLimits>): void {
  const nb = bitLength(x.n);
  const db = bitLength(x.d);
  if (nb > limits.maxEntryBits || db > limits.maxEntryBits) {
    throw new LimitExceededError(field, `numerator and denominator of at most ${limits.maxEntryBits} bits each`, `${describeValue(value)} (${nb}-bit numerator, ${db}-bit denominator)`);
  }
}

function checkLength(value: unknown, field: string, what: string, limits: Readonly<TheoryLimits>): unknown[] {
  if (!Array.isArray(value)) throw new ShapeMismatchError(field, what, kindOf(value));
  if (value.length === 0) throw new ShapeMismatchError(field, what, 'an empty array');
  if (value.length > limits.maxDimension) throw new LimitExceededError(field, `at most ${limits.maxDimension} entries (rows)`, `${value.length}`);
  return value;
}

/** A non-empty vector of at most `limits.maxDimension` entries, each as {@link parseEntry}; entries named `field[i]`. */
export function parseVector(value: unknown, field: string, limits: Readonly<TheoryLimits> = THEORY_LIMITS): Rational[] {
  return checkLength(value, field, 'a non-empty array of numbers or rational strings', limits).map((x, i) => parseEntry(x, `${field}[${i}]`, limits));
}

/**
 * A non-empty matrix given as rows of equal length, at most `limits.maxDimension` rows and columns, each
 * entry as {@link parseEntry}; entries named `field[i][j]`. Every row's shape is checked before any entry.
 */
export function parseMatrix(value: unknown, field: string, limits: Readonly<TheoryLimits> = THEORY_LIMITS): RationalMatrix {
  const rows = checkLength(value, field, 'a non-empty array of rows', limits);
  const cols = Array.isArray(rows[0]) ? rows[0].length : -1;
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new ShapeMismatchError(field, 'rows that are arrays', `row ${i} is ${kindOf(row)}`);
    if (row.length === 0) throw new ShapeMismatchError(field, 'rows of non-zero length', `row ${i} is empty`);
    if (row.length > limits.maxDimension) throw new LimitExceededError(`${field}[${i}]`, `at most ${limits.maxDimension} columns`, `${row.length}`);
    if (row.length !== cols) throw new ShapeMismatchError(field, `rows of equal length ${cols}`, `row ${i} of length ${row.length}`);
  });
  return rows.map((row, i) => (row as unknown[]).map((x, j) => parseEntry(x, `${field}[${i}][${j}]`, limits)));
}

function requireObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ParseError('input', `expected a JSON object, got ${kindOf(input)}`);
  return input as Record<string, unknown>;
}

function rejectUnknownFields(input: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw new InvalidArgumentError(key, `one of the fields ${known.join(', ')}`, 'an unknown field');
  }
}

function requireField(input: Record<string, unknown>, key: string, what: string): unknown {
  const v = input[key];
  if (v === undefined) throw new InvalidArgumentError(key, what, 'nothing (the field is missing)');
  return v;
}

// ───────────────────────────────────────────────── work ─────────────────────────────────────────────────

/**
 * L = the bit length of the largest entry of `entries` once all are written as integers over one common
 * denominator D = lcm of their denominators, plus the bits of D: the size of the integers an exact
 * elimination on them starts from. Returns `Infinity` as soon as D passes `cap` bits (the lcm of many
 * distinct denominators grows fast; there is no point finishing it).
 */
export function commonDenominatorBits(entries: readonly Rational[], cap = Infinity): number {
  let D = 1n;
  for (const x of entries) {
    if (x.d === 1n || D % x.d === 0n) continue;
    D = (D / gcdBig(D, x.d)) * x.d;
    if (bitLength(D) > cap) return Infinity;
  }
  let top = 0;
  for (const x of entries) {
    if (x.n === 0n) continue;
    top = Math.max(top, bitLength(x.n * (D / x.d)));
  }
  return top + bitLength(D);
}

function checkWork(field: string, n: number, bits: number, what: string, maxWork: number): void {
  const work = n * n * bits;
  if (!(work <= maxWork)) {
    const shown = Number.isFinite(work) ? String(work) : `more than ${maxWork}`;
    throw new LimitExceededError(field, `exact work N²·L ≤ ${maxWork} (${what})`, `N = ${n}, L ${Number.isFinite(bits) ? `= ${bits}` : 'too large to finish counting'} bits, N²·L = ${shown}`);
  }
}

/** The cap on L that N²·L ≤ maxWork allows, so the lcm stops growing once it is over. */
function bitsCap(n: number, maxWork: number): number {
  return maxWork / (n * n);
}

// ───────────────────────────────────────────── float64 range ─────────────────────────────────────────────

const MIN_NORMAL_LOG2 = -1022;
const MAX_LOG2 = 1023;

/** ⌊log₂|x|⌋ within one (from bit lengths), for x ≠ 0. */
function log2Abs(x: Rational): number {
  return bitLength(x.n) - bitLength(x.d);
}

/** log₂ of the largest and smallest non-zero magnitudes among `xs` (within one); null if all are 0. */
function magnitudeRange(xs: readonly Rational[]): { hi: number; lo: number } | null {
  let hi = -Infinity;
  let lo = Infinity;
  for (const x of xs) {
    if (x.n === 0n) continue;
    const l = log2Abs(x);
    hi = Math.max(hi, l);
    lo = Math.min(lo, l);
  }
  return hi === -Infinity ? null : { hi, lo };
}

/** A short decimal magnitude "1e600" of a rational (from its bit lengths; for messages). */
function decimalMagnitude(log2: number): string {
  return `about 1e${Math.round(log2 / LOG2_10)}`;
}

/**
 * A float64 range check by bit lengths (l = log2Abs(x) puts |x| in (2^(l−1), 2^(l+1))), so within a binade: it accepts only
 * non-zero |x| in (2^-1022, 2^1024) and refuses only |x| < 2^-1021 or > 2^1023 (no lower bound when `checkSmall` is false). So
 * some normal values in [2^-1022, 2^-1021) are refused, and [2^1024 − 2^970, 2^1024) passes, then fails `finite`. @throws OutOfRangeError naming `field`.
 */
function checkFloatRange(field: string, quantity: string, xs: readonly Rational[], checkSmall = true): void {
  const r = magnitudeRange(xs);
  if (r === null) return;
  // |x| ∈ [2^(l−1), 2^(l+1)) for l = log2Abs(x): finite when l ≤ 1023, normal when l − 1 ≥ −1022.
  if (r.hi > MAX_LOG2) throw new OutOfRangeError(field, `${quantity} is ${decimalMagnitude(r.hi)}`);
  if (checkSmall && r.lo - 1 < MIN_NORMAL_LOG2) throw new OutOfRangeError(field, `${quantity} is ${decimalMagnitude(r.lo)}`);
}

/** A float64 result that is finite, or an OutOfRangeError naming `field`. */
function finite(x: number, field: string, quantity: string): number {
  if (!Number.isFinite(x)) throw new OutOfRangeError(field, `${quantity} is ${String(x)} in float64`);
  return x;
}

/**
 * Runs `compute`. A typed error naming one of the user's fields (`passThrough`, e.g. `A` not positive
 * definite) is re-thrown as it is; any other typed error (naming an internal matrix such as a float64
 * eigen-solver's `a`) becomes an OutOfRangeError naming `blame`, the user's fields it comes from; an engine
 * RangeError (a bigint or array beyond the engine's maximum) becomes a LimitExceededError naming `blame`.
 * With `passThrough` empty every typed error is taken for a float64 failure: an error that names a user
 * field then keeps that name.
 */
function guarded<T>(compute: () => T, passThrough: readonly string[], blame: string): T {
  try {
    return compute();
  } catch (e) {
    if (e instanceof DeltaStnError) {
      const root = e.argument.replace(/\[.*$/, '');
      if (passThrough.includes(root)) throw e;
      const named = /^(G|A|sigma|lambdaBar|covariance|eta)$/.test(root) ? root : blame;
      throw new OutOfRangeError(named, `a float64 step failed (${e.name}: ${e.message})`);
    }
    if (e instanceof RangeError) throw new LimitExceededError(blame, 'sizes the exact arithmetic can hold', `a JavaScript RangeError (${e.message})`);
    throw e;
  }
}

// ──────────────────────────────────────────────── routines ────────────────────────────────────────────────

/**
 * `deltastn theory best-response`: {A, B, b, lambda0} → {w, J}, w = A⁻¹(b + Bλ₀) and J = A⁻¹B exactly
 * ({@link bestResponseJson}), after validation.
 *
 * @remarks
 * Work: N = m (the side of A) and L = the largest of {@link commonDenominatorBits} over A, B, b and λ₀
 * (each written over its own common denominator); N²·L ≤ `limits.maxWork`. The answer's entries have up to
 * about N·L bits each.
 * @throws the errors of {@link parseMatrix} / {@link parseVector} naming `A`, `B`, `b`, `lambda0` and their
 * entries; LimitExceededError for the work; the routine's own errors (ShapeMismatchError, NotSymmetricError,
 * NotPositiveDefiniteError naming `A`, `B`, `b` or `lambda0`).
 */
export function bestResponseChecked(raw: unknown, limits: Readonly<TheoryLimits> = THEORY_LIMITS): BestResponseJson {
  const input = requireObject(raw);
  const fields = ['A', 'B', 'b', 'lambda0'] as const;
  rejectUnknownFields(input, fields);
  const A = parseMatrix(requireField(input, 'A', 'A (m×m, symmetric positive definite)'), 'A', limits);
  const B = parseMatrix(requireField(input, 'B', 'B (m×h)'), 'B', limits);
  const b = parseVector(requireField(input, 'b', 'b (length m)'), 'b', limits);
  const lambda0 = parseVector(requireField(input, 'lambda0', 'lambda0 (length h)'), 'lambda0', limits);
  const n = A.length;
  const cap = bitsCap(n, limits.maxWork);
  const L = Math.max(commonDenominatorBits(A.flat(), cap), commonDenominatorBits(B.flat(), cap), commonDenominatorBits(b, cap), commonDenominatorBits(lambda0, cap));
  checkWork('A', n, L, 'N = rows of A, L = bits of A, B, b, lambda0 over a common denominator', limits.maxWork);
  return guarded(() => bestResponseJson({ A, B, b, lambda0 }), fields, 'A');
}

/**
 * `deltastn theory conditioning`: {G, lambdaBar, sigma} → the κ's of OBS-1 in float64 with certified
 * intervals ({@link conditioningReport}), after validation, with every number in the output finite.
 *
 * @remarks
 * Work: N = max(m, h + 1) and L = the larger of {@link commonDenominatorBits} of G and of
 * M = [[1, λ̄ᵀ], [λ̄, λ̄λ̄ᵀ + diag σ²]] (λ̄ = `lambdaBar`, σ = `sigma`); N²·L ≤ `limits.maxWork`, and
 * (h + 1)·m ≤ `limits.maxKroneckerSize` (the float64 M ⊗ G). float64 range: the entries of G, of M and of
 * M_c = diag(1, σ²), and their pairwise products (M ⊗ G), are of normal float64 magnitude.
 * @throws as {@link bestResponseChecked}, naming `G`, `lambdaBar`, `sigma` (and `sigma[k]` for σ_k ≤ 0);
 * OutOfRangeError when a κ (or a certified end) is beyond float64.
 */
export function conditioningChecked(raw: unknown, limits: Readonly<TheoryLimits> = THEORY_LIMITS): ConditioningReport {
  const input = requireObject(raw);
  const fields = ['G', 'lambdaBar', 'sigma'] as const;
  rejectUnknownFields(input, fields);
  const G = parseMatrix(requireField(input, 'G', 'G (m×m, symmetric positive definite)'), 'G', limits);
  const lambdaBar = parseVector(requireField(input, 'lambdaBar', 'lambdaBar (length h)'), 'lambdaBar', limits);
  const sigma = parseVector(requireField(input, 'sigma', 'sigma (length h, every σ_k > 0)'), 'sigma', limits);
  if (sigma.length !== lambdaBar.length) throw new ShapeMismatchError('sigma', `length ${lambdaBar.length} (as lambdaBar)`, `length ${sigma.length}`);
  sigma.forEach((s, k) => {
    if (s.n === 0n || s.s < 0n) throw new InvalidArgumentError(`sigma[${k}]`, 'a scale σ_k > 0', s.toFraction());
  });
  if (G.length !== G[0].length) throw new ShapeMismatchError('G', 'a square matrix', `${G.length}×${G[0].length}`);
  const m = G.length;
  const h = sigma.length;
  if ((h + 1) * m > limits.maxKroneckerSize) {
    throw new LimitExceededError('G', `(h + 1)·m ≤ ${limits.maxKroneckerSize} (the side of M ⊗ G, h = length of sigma)`, `(${h} + 1)·${m} = ${(h + 1) * m}`);
  }
  const variances = sigma.map((s) => s.mul(s));
  sigma.forEach((_, k) => checkFloatRange(`sigma[${k}]`, `σ_${k}²`, [variances[k]]));
  const moment: Rational[] = [ONE];
  lambdaBar.forEach((li, i) => {
    moment.push(li);
    lambdaBar.forEach((lj, j) => moment.push(i === j ? li.mul(lj).add(variances[i]) : li.mul(lj)));
  });
  checkFloatRange('lambdaBar, sigma', 'an entry of M = E[(1, λ̃)(1, λ̃)ᵀ] (λ̄λ̄ᵀ + diag σ²)', moment);
  checkFloatRange('G', 'an entry of G', G.flat());
  checkFloatRange('G, lambdaBar, sigma', 'an entry of M ⊗ G (a product of entries of M and of G)', extremeProducts([...moment, ...variances], G.flat()));
  const n = Math.max(m, h + 1);
  const cap = bitsCap(n, limits.maxWork);
  const L = Math.max(commonDenominatorBits(G.flat(), cap), commonDenominatorBits([...moment, ...variances], cap));
  checkWork(m >= h + 1 ? 'G' : 'lambdaBar, sigma', n, L, 'N = max(m, h + 1), L = bits of G and of M over a common denominator', limits.maxWork);

  const blame: Record<keyof ConditioningReport['certified'], string> = {
    kappaG: 'G',
    kappaMUncentered: 'lambdaBar, sigma',
    kappaMCentered: 'sigma',
    kappaUncentered: 'G, lambdaBar, sigma',
    kappaCentered: 'G, sigma',
  };
  // Every user field is validated by now: whatever the report throws comes from its float64 path.
  const report = guarded(() => conditioningReport({ G, lambdaBar, sigma }), [], 'G, lambdaBar, sigma');
  for (const key of Object.keys(blame) as (keyof typeof blame)[]) {
    finite(report[key], blame[key], key);
    finite(report.certified[key].lo, blame[key], `certified.${key}.lo`);
    finite(report.certified[key].hi, blame[key], `certified.${key}.hi`);
  }
  return report;
}

/**
 * `deltastn theory thm3`: {A, B, b, lambda0, sigma | covariance, eta} → the Δ-STN fixed point and the
 * convergence of gradient descent on the response ({@link thm3Report}), after validation, with `rate` finite.
 *
 * @remarks
 * Work: N = m·h ≤ `limits.maxResponseSize` (the side of the exact response system and of Σ ⊗ A) and
 * L = bits of A plus bits of Σ (Σ = diag σ² or `covariance`), or of B, b, λ₀ if larger; N²·L ≤
 * `limits.maxResponseWork`. float64 range: the entries of A and Σ, η, and the products η·Σ_ij·A_kl, are of normal
 * float64 magnitude (the float64 rate is max |1 − η σ_i a_j|).
 * @throws as {@link bestResponseChecked}, naming `A`, `B`, `b`, `lambda0`, `sigma` / `covariance`, `eta`;
 * OutOfRangeError when the rate is beyond float64.
 */
export function thm3Checked(raw: unknown, limits: Readonly<TheoryLimits> = THEORY_LIMITS): Thm3Report {
  const input = requireObject(raw);
  const fields = ['A', 'B', 'b', 'lambda0', 'sigma', 'covariance', 'eta'] as const;
  rejectUnknownFields(input, fields);
  const A = parseMatrix(requireField(input, 'A', 'A (m×m, symmetric positive definite)'), 'A', limits);
  const B = parseMatrix(requireField(input, 'B', 'B (m×h)'), 'B', limits);
  const b = parseVector(requireField(input, 'b', 'b (length m)'), 'b', limits);
  const lambda0 = parseVector(requireField(input, 'lambda0', 'lambda0 (length h)'), 'lambda0', limits);
  const eta = parseEntry(requireField(input, 'eta', 'a step size η > 0'), 'eta', limits);
  const hasSigma = input.sigma !== undefined && input.sigma !== null;
  const hasCov = input.covariance !== undefined && input.covariance !== null;
  if (hasSigma && hasCov) throw new InvalidArgumentError('covariance', 'either sigma or covariance, not both', 'both');
  if (!hasSigma && !hasCov) throw new InvalidArgumentError('sigma', 'perturbation scales σ (or a covariance matrix)', 'neither');
  const sigma = hasSigma ? parseVector(input.sigma, 'sigma', limits) : undefined;
  const covariance = hasCov ? parseMatrix(input.covariance, 'covariance', limits) : undefined;
  const perturbation = hasSigma ? 'sigma' : 'covariance';
  if (sigma) {
    sigma.forEach((s, k) => {
      if (s.n === 0n || s.s < 0n) throw new InvalidArgumentError(`sigma[${k}]`, 'a scale σ_k > 0', s.toFraction());
    });
  }
  if (!(eta.n !== 0n && eta.s > 0n)) throw new InvalidArgumentError('eta', 'a step size η > 0', eta.toFraction());
  const m = A.length;
  const h = B[0].length;
  if (m * h > limits.maxResponseSize) {
    throw new LimitExceededError('B', `m·h ≤ ${limits.maxResponseSize} (the side of the exact response system; m = rows of A, h = columns of B)`, `${m}·${h} = ${m * h}`);
  }
  const SigmaEntries = sigma ? sigma.map((s) => s.mul(s)) : (covariance as RationalMatrix).flat();
  if (sigma) sigma.forEach((_, k) => checkFloatRange(`sigma[${k}]`, `σ_${k}²`, [SigmaEntries[k]]));
  else checkFloatRange('covariance', 'an entry of the covariance', SigmaEntries);
  checkFloatRange('A', 'an entry of A', A.flat());
  checkFloatRange('eta', 'η', [eta]);
  // ρ = max |1 − η σ_i a_j| in float64: only overflow harms it (a product that underflows leaves |1 − 0| = 1).
  checkFloatRange(`eta, ${perturbation}, A`, 'a product η·Σ_ij·A_kl (the float64 rate is max |1 − η σ_i a_j|)', extremeProducts(SigmaEntries, A.flat()).map((x) => x.mul(eta)), false);
  const n = m * h;
  const cap = bitsCap(n, limits.maxResponseWork);
  const LA = commonDenominatorBits(A.flat(), cap);
  const LS = commonDenominatorBits(SigmaEntries, cap);
  const L = Math.max(LA + LS, commonDenominatorBits(B.flat(), cap), commonDenominatorBits(b, cap), commonDenominatorBits(lambda0, cap));
  checkWork(n === m ? 'A' : 'B', n, L, 'N = m·h, L = bits of A plus bits of Σ, or of B, b, lambda0', limits.maxResponseWork);

  const report = guarded(() => thm3Report({ A, B, b, lambda0, eta, ...(sigma ? { sigma } : { covariance }) }), fields, `A, ${perturbation}, eta`);
  finite(report.rate, `eta, ${perturbation}, A`, 'rate');
  return report;
}

/** The products of the largest, and of the smallest, non-zero magnitudes of `xs` and of `ys`. */
function extremeProducts(xs: readonly Rational[], ys: readonly Rational[]): Rational[] {
  const pick = (zs: readonly Rational[]): Rational[] => {
    const nz = zs.filter((z) => z.n !== 0n).map((z) => z.abs());
    if (nz.length === 0) return [];
    return [nz.reduce((a, z) => (z.compare(a) < 0 ? z : a)), nz.reduce((a, z) => (z.compare(a) > 0 ? z : a))];
  };
  const a = pick(xs);
  const b = pick(ys);
  return a.length === 0 || b.length === 0 ? [] : [a[0].mul(b[0]), a[1].mul(b[1])];
}
