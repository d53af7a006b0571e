/**
 * Killing tests for src/theory/input.ts (README, "Mutation testing"): the guarded entries of `deltastn theory`
 * (`bestResponseChecked`, `conditioningChecked`, `thm3Checked`) and the validators under them (`parseEntry`,
 * `parseVector`, `parseMatrix`, `commonDenominatorBits`). The module's contract is its typed errors, so each is
 * pinned by class, argument and exact message, in the order the module comment states (shape, entries, work,
 * float64 range). The numbers in the messages are worked by hand:
 * - the cheap bit estimate of a decimal "d…d.f…f e±x" is (digits + max(0, e))·log₂10 + 1 for the numerator and
 *   (fraction digits + max(0, −e))·log₂10 + 1 for the denominator (log₂10 = 3.3219…), e.g. "1e20" → 70.76 → 71;
 * - exact bit lengths: 10^20 has 67 bits, 10^400 has ⌊400·log₂10⌋ + 1 = 1329, 10^320 has 1064;
 * - a magnitude message "about 1eK" is K = round(l / log₂10), l = bits(num) − bits(den) (10^400 → l = 1328 → 400);
 * - commonDenominatorBits: the entries over their lcm D, the largest numerator's bits plus D's bits ([1/2, 1/3]:
 *   D = 6, numerators 3 and 2, 2 + 3 = 5 bits);
 * - the routines' answers are closed forms: A = [[2, 1], [1, 2]], B = (1, 0)ᵀ, b = (1, 1), λ₀ = 3 give
 *   w = A⁻¹(b + Bλ₀) = (7/3, −2/3), J = A⁻¹B = (2/3, −1/3); with Σ = 1/4 the rate is max|1 − λ_i(A)/4| = 3/4;
 *   κ([[2, 1], [1, 3]]) = (3 + √5)/2 and κ(diag(1, 1, 1/4)) = 4.
 * `guarded`'s handling of errors thrown inside a routine (an engine RangeError, a plain TypeError, a typed error
 * naming an internal matrix or a user field) is reached with an array subclass whose copy, made by parseMatrix's
 * `map` (Array[Symbol.species]), throws the chosen error when the routine reads it: raw input is `unknown`, and
 * such an array passes every JSON-shape check.
 */
import { describe, expect, test } from 'vitest';
import { DeltaStnError, InvalidArgumentError, LimitExceededError, NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, OutOfRangeError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { bestResponseChecked, commonDenominatorBits, conditioningChecked, parseEntry, parseMatrix, parseVector, thm3Checked, THEORY_LIMITS, type TheoryLimits } from '../../src/theory/input.js';
import { rational } from '../../src/linalg/exact.js';
import { expectThrows, thrown } from './throws.js';

// ───────────────────────────────────────────── helpers ─────────────────────────────────────────────

const DEFAULTS: TheoryLimits = { maxDimension: 40, maxStringLength: 1000, maxEntryBits: 1100, maxWork: 60_000, maxResponseSize: 40, maxResponseWork: 60_000, maxKroneckerSize: 160 };
const lim = (over: Partial<TheoryLimits>): TheoryLimits => ({ ...DEFAULTS, ...over });
const RANGE = 'outside what float64 can carry (normal magnitudes 2.2e-308 to 1.8e308, 16 significant digits): ';
const oor = (arg: string, detail: string): string => `${arg}: ${RANGE}${detail}`;
const big = (arg: string, allowed: string, got: string): string => `${arg}: exceeds the supported size: allowed ${allowed}, got ${got}`;
const RATIONAL_MSG = (v: string): string => `expected a rational such as "3/7", "-0.25" or "1e-30", got ${JSON.stringify(v)}`;
const BITS = (n: number): string => `numerator and denominator of at most ${n} bits each`;
const fr = (x: { toFraction(): string }): string => x.toFraction();
const pow2 = (k: number): string => (2n ** BigInt(k)).toString();

/** The A, B, b, λ₀ of the module's closed-form case. */
const quad = (): { A: unknown[]; B: unknown[]; b: unknown[]; lambda0: unknown[] } => ({ A: [[2, 1], [1, 2]], B: [[1], [0]], b: [1, 1], lambda0: [3] });

/**
 * `rows` as an array whose copy made by `rows.map` (parseMatrix hands that copy to the routine) throws `error()`
 * from its own `map`, i.e. when the routine parses it; every other copy (flat, filter, …) behaves normally.
 */
function trapRows(rows: unknown[][], error: () => Error): unknown[][] {
  let copy: unknown = null;
  let raw: unknown = null;
  class Trap extends Array<unknown[]> {
    override map<U>(fn: (value: unknown[], index: number, array: unknown[][]) => U, thisArg?: unknown): U[] {
      if (this === copy) throw error();
      const out = super.map(fn, thisArg);
      if (this === raw) copy = out;
      return out;
    }
  }
  const t = Trap.from(rows);
  raw = t;
  return t;
}

// ───────────────────────────────────────────── limits ─────────────────────────────────────────────

describe('THEORY_LIMITS', () => {
  test('the stated values, frozen', () => {
    expect({ ...THEORY_LIMITS }).toEqual(DEFAULTS);
    expect(Object.isFrozen(THEORY_LIMITS)).toBe(true);
  });
});

// ───────────────────────────────────────────── parseEntry ─────────────────────────────────────────────

describe('parseEntry: numbers', () => {
  test('a finite number is the exact dyadic rational it denotes (no string limits apply to numbers)', () => {
    expect(fr(parseEntry(0.25, 'x'))).toBe('1/4');
    expect(fr(parseEntry(-3, 'x'))).toBe('-3');
    expect(fr(parseEntry(0.1, 'x'))).toBe('3602879701896397/36028797018963968');
    // 1e300 has a 997-bit numerator, far over maxEntryBits 10: numbers are not bit-checked
    expect(parseEntry(1e300, 'x', lim({ maxEntryBits: 10 })).d).toBe(1n);
  });

  test('±Infinity and NaN: NonFiniteError naming the field', () => {
    expectThrows(() => parseEntry(Infinity, 'x[2]'), NonFiniteError, 'x[2]', 'x[2]: expected a finite number, got Infinity');
    expectThrows(() => parseEntry(-Infinity, 'e'), NonFiniteError, 'e', 'e: expected a finite number, got -Infinity');
    expectThrows(() => parseEntry(NaN, 'e'), NonFiniteError, 'e', 'e: expected a finite number, got NaN');
  });

  test('neither number nor string: ParseError saying what it got', () => {
    const msg = (kind: string): string => `f: expected a number or a rational string such as "3/7", got ${kind}`;
    expectThrows(() => parseEntry(null, 'f'), ParseError, 'f', msg('null'));
    expectThrows(() => parseEntry([1], 'f'), ParseError, 'f', msg('an array'));
    expectThrows(() => parseEntry({ n: 1 }, 'f'), ParseError, 'f', msg('an object'));
    expectThrows(() => parseEntry(true, 'f'), ParseError, 'f', msg('a boolean'));
    expectThrows(() => parseEntry(undefined, 'f'), ParseError, 'f', msg('a undefined'));
    expectThrows(() => parseEntry(5n, 'f'), ParseError, 'f', msg('a bigint'));
  });
});

describe('parseEntry: the rational-string grammar', () => {
  test('accepted forms, exact values', () => {
    const cases: [string, string][] = [
      ['3/7', '3/7'],
      ['12345', '12345'],
      [' -0.25 ', '-1/4'],
      ['+.5', '1/2'],
      ['5.', '5'],
      ['-1', '-1'],
      ['1e-30', '1/1000000000000000000000000000000'],
      ['1E+2', '100'],
      ['2e3', '2000'],
      ['0012.50', '25/2'],
      [' 6 / -4 ', '-3/2'],
      ['1.5e-1/3', '1/20'],
    ];
    for (const [s, v] of cases) expect(fr(parseEntry(s, 'x')), s).toBe(v);
  });

  test('strings that are no decimal (or no rational) are a ParseError of this module, naming the field', () => {
    for (const s of ['', ' ', '.', 'e5', '+e5', '-', '1/2/3', 'x1', '1x', '/2', '1/', 'abc', '1e', '1.2.3', '0x10', '1 2', '1/.', '1e5.5']) {
      expectThrows(() => parseEntry(s, 'v[0]'), ParseError, 'v[0]', `v[0]: ${RATIONAL_MSG(s)}`);
    }
  });

  test('decimals this module admits but exact.ts refuses keep exact.ts\'s message (a decimal denominator, a zero one)', () => {
    expectThrows(() => parseEntry('1/0.5', 'y'), ParseError, 'y', 'y: expected a rational such as "3/7" or "-0.25", got "1/0.5"');
    expectThrows(() => parseEntry('3/0', 'y'), ParseError, 'y', 'y: zero denominator in "3/0"');
  });

  test('string length: at most maxStringLength characters (boundary exact; default 1000)', () => {
    expect(fr(parseEntry('12345', 'x', lim({ maxStringLength: 5 })))).toBe('12345');
    expectThrows(() => parseEntry('123456', 'x', lim({ maxStringLength: 5 })), LimitExceededError, 'x', big('x', 'a rational string of at most 5 characters', '6 characters ("123456")'));
    expect(fr(parseEntry(`${' '.repeat(999)}7`, 'x'))).toBe('7');
    const long = '1'.repeat(1001);
    const shown = `"${'1'.repeat(180)}…[801 characters omitted]…${'1'.repeat(20)}"`;
    expectThrows(() => parseEntry(long, 'x'), LimitExceededError, 'x', big('x', 'a rational string of at most 1000 characters', `1001 characters (${shown})`));
  });
});

describe('parseEntry: the cheap bit estimate (before any bigint) and the exact bit check', () => {
  const L16 = lim({ maxEntryBits: 16 }); // the estimate's threshold is 4·16 = 64 bits
  const est = (v: string, bits: number): string => big('z', BITS(16), `${JSON.stringify(v)} (about ${bits} bits)`);
  const exact = (v: string, nb: number, db: number, max = 16): string => big('z', BITS(max), `${JSON.stringify(v)} (${nb}-bit numerator, ${db}-bit denominator)`);

  test('numerator estimates: exponent, leading zeros, fraction digits, plain digits', () => {
    // (1 + 20)·log₂10 + 1 = 70.76
    expectThrows(() => parseEntry('1e20', 'z', L16), LimitExceededError, 'z', est('1e20', 71));
    // leading zeros do not count: "0001" has 1 digit
    expectThrows(() => parseEntry('0001e20', 'z', L16), LimitExceededError, 'z', est('0001e20', 71));
    // zeros after the first digit do: (4 + 20)·log₂10 + 1 = 80.73
    expectThrows(() => parseEntry('1000e20', 'z', L16), LimitExceededError, 'z', est('1000e20', 81));
    // (2 + 30)·log₂10 + 1 = 107.30 (the fraction digit counts in the numerator)
    expectThrows(() => parseEntry('1.5e30', 'z', L16), LimitExceededError, 'z', est('1.5e30', 107));
    // 30 digits, no exponent: 30·log₂10 + 1 = 100.66
    const thirty = '123456789012345678901234567890';
    expectThrows(() => parseEntry(thirty, 'z', L16), LimitExceededError, 'z', est(thirty, 101));
  });

  test('denominator estimates: negative exponent; numerator and denominator of a quotient swap', () => {
    // (0 + 20)·log₂10 + 1 = 67.44
    expectThrows(() => parseEntry('1e-20', 'z', L16), LimitExceededError, 'z', est('1e-20', 67));
    // "1/1e-20": numerator bound 4.32 + 67.44 = 71.76
    expectThrows(() => parseEntry('1/1e-20', 'z', L16), LimitExceededError, 'z', est('1/1e-20', 72));
    // "1/1e20": denominator bound 1 + 70.76 = 71.76
    expectThrows(() => parseEntry('1/1e20', 'z', L16), LimitExceededError, 'z', est('1/1e20', 72));
  });

  test('the estimate threshold is strict: an estimate equal to 4·maxEntryBits passes ("1": log₂10 + 1)', () => {
    const at = lim({ maxEntryBits: (Math.log2(10) + 1) / 4 });
    expect(fr(parseEntry('1', 'z', at))).toBe('1');
    // "0": estimate 1, exact 0 bits over 1 bit; with maxEntryBits 1/4 the estimate (1 ≤ 1) passes and the exact check refuses
    expectThrows(() => parseEntry('0', 'z', lim({ maxEntryBits: 0.25 })), LimitExceededError, 'z', big('z', BITS(0.25), '"0" (0-bit numerator, 1-bit denominator)'));
  });

  test('below the estimate, the exact bits in lowest terms decide (boundary exact)', () => {
    const L10 = lim({ maxEntryBits: 10 });
    expect(fr(parseEntry('1023', 'z', L10))).toBe('1023');
    expect(fr(parseEntry('1/1023', 'z', L10))).toBe('1/1023');
    expect(fr(parseEntry('-2046/2', 'z', L10))).toBe('-1023');
    expectThrows(() => parseEntry('1024', 'z', L10), LimitExceededError, 'z', exact('1024', 11, 1, 10));
    expectThrows(() => parseEntry('-1/1024', 'z', L10), LimitExceededError, 'z', exact('-1/1024', 1, 11, 10));
    // estimate (1 + 17)·log₂10 + 1 = 60.79 ≤ 4·16, so the exact 10^17 (57 bits) is what refuses it
    expectThrows(() => parseEntry('1e17', 'z', L16), LimitExceededError, 'z', exact('1e17', 57, 1));
    expectThrows(() => parseEntry('1e-17', 'z', L16), LimitExceededError, 'z', exact('1e-17', 1, 57));
  });

  test('default limits: the largest float64 and "1e-320" pass, "1e-400" (1329-bit denominator) does not', () => {
    expect(parseEntry('1e-320', 'z').d).toBe(10n ** 320n);
    expect(parseEntry(pow2(1023), 'z').n).toBe(2n ** 1023n);
    // estimate 400·log₂10 + 1 = 1329.77 ≤ 4400, exact 1329 bits > 1100
    expectThrows(() => parseEntry('1e-400', 'z'), LimitExceededError, 'z', big('z', BITS(1100), '"1e-400" (1-bit numerator, 1329-bit denominator)'));
    // estimate 10000·log₂10 + 1 = 33220.28 > 4400
    expectThrows(() => parseEntry('1e-10000', 'z'), LimitExceededError, 'z', big('z', BITS(1100), '"1e-10000" (about 33220 bits)'));
  });
});

// ───────────────────────────────────────────── vectors and matrices ─────────────────────────────────────────────

describe('parseVector', () => {
  const L3 = lim({ maxDimension: 3 });
  const what = 'a non-empty array of numbers or rational strings';
  test('values, and entries named field[i]', () => {
    expect(parseVector([1, '1/2', -0.5], 'v', L3).map(fr)).toEqual(['1', '1/2', '-1/2']);
    expectThrows(() => parseVector([1, 'x'], 'v'), ParseError, 'v[1]', `v[1]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => parseVector([1, 2, Infinity], 'v'), NonFiniteError, 'v[2]', 'v[2]: expected a finite number, got Infinity');
  });
  test('shape: an array, non-empty, at most maxDimension long (boundary exact)', () => {
    expectThrows(() => parseVector('1', 'v'), ShapeMismatchError, 'v', `v: expected shape ${what}, got a string`);
    expectThrows(() => parseVector(null, 'v'), ShapeMismatchError, 'v', `v: expected shape ${what}, got null`);
    expectThrows(() => parseVector({}, 'v'), ShapeMismatchError, 'v', `v: expected shape ${what}, got an object`);
    expectThrows(() => parseVector([], 'v'), ShapeMismatchError, 'v', `v: expected shape ${what}, got an empty array`);
    expectThrows(() => parseVector([1, 2, 3, 4], 'v', L3), LimitExceededError, 'v', big('v', 'at most 3 entries (rows)', '4'));
    expect(parseVector(new Array(40).fill(1), 'v')).toHaveLength(40);
    expectThrows(() => parseVector(new Array(41).fill(1), 'v'), LimitExceededError, 'v', big('v', 'at most 40 entries (rows)', '41'));
  });
  test('entries are parsed with the limits passed', () => {
    expectThrows(() => parseVector(['1024'], 'v', lim({ maxEntryBits: 10 })), LimitExceededError, 'v[0]', big('v[0]', BITS(10), '"1024" (11-bit numerator, 1-bit denominator)'));
  });
});

describe('parseMatrix', () => {
  const L3 = lim({ maxDimension: 3 });
  test('values, and entries named field[i][j]', () => {
    expect(parseMatrix([[1, '1/2', 3], ['-3', 0.25, 0], [1, 1, 1]], 'M', L3).map((r) => r.map(fr))).toEqual([['1', '1/2', '3'], ['-3', '1/4', '0'], ['1', '1', '1']]);
    expectThrows(() => parseMatrix([[1, 2], [3, 'q']], 'M'), ParseError, 'M[1][1]', `M[1][1]: ${RATIONAL_MSG('q')}`);
    expectThrows(() => parseMatrix([['1024']], 'M', lim({ maxEntryBits: 10 })), LimitExceededError, 'M[0][0]', big('M[0][0]', BITS(10), '"1024" (11-bit numerator, 1-bit denominator)'));
  });
  test('outer shape', () => {
    expectThrows(() => parseMatrix(5, 'M'), ShapeMismatchError, 'M', 'M: expected shape a non-empty array of rows, got a number');
    expectThrows(() => parseMatrix([], 'M'), ShapeMismatchError, 'M', 'M: expected shape a non-empty array of rows, got an empty array');
    expectThrows(() => parseMatrix([[1], [1], [1], [1]], 'M', L3), LimitExceededError, 'M', big('M', 'at most 3 entries (rows)', '4'));
  });
  test('rows: arrays, non-empty, at most maxDimension columns, of equal length; every row before any entry', () => {
    expectThrows(() => parseMatrix(['r'], 'M'), ShapeMismatchError, 'M', 'M: expected shape rows that are arrays, got row 0 is a string');
    expectThrows(() => parseMatrix([['x'], null], 'M'), ShapeMismatchError, 'M', 'M: expected shape rows that are arrays, got row 1 is null');
    expectThrows(() => parseMatrix([[]], 'M'), ShapeMismatchError, 'M', 'M: expected shape rows of non-zero length, got row 0 is empty');
    expectThrows(() => parseMatrix([['x'], []], 'M'), ShapeMismatchError, 'M', 'M: expected shape rows of non-zero length, got row 1 is empty');
    expectThrows(() => parseMatrix([[1, 2, 3, 4]], 'M', L3), LimitExceededError, 'M[0]', big('M[0]', 'at most 3 columns', '4'));
    expectThrows(() => parseMatrix([[1], [1, 2, 3, 4]], 'M', L3), LimitExceededError, 'M[1]', big('M[1]', 'at most 3 columns', '4'));
    expectThrows(() => parseMatrix([[1, 2], ['x']], 'M'), ShapeMismatchError, 'M', 'M: expected shape rows of equal length 2, got row 1 of length 1');
    expectThrows(() => parseMatrix([[1], [2, 3]], 'M'), ShapeMismatchError, 'M', 'M: expected shape rows of equal length 1, got row 1 of length 2');
  });
});

// ───────────────────────────────────────────── commonDenominatorBits ─────────────────────────────────────────────

describe('commonDenominatorBits', () => {
  const q = (...xs: string[]): ReturnType<typeof rational>[] => xs.map((x) => rational(x));
  test('hand-worked values', () => {
    expect(commonDenominatorBits([])).toBe(1); // D = 1
    expect(commonDenominatorBits(q('0'))).toBe(1);
    expect(commonDenominatorBits(q('3'))).toBe(3); // 3 → 2 bits, D = 1 → 1 bit
    expect(commonDenominatorBits(q('1/2'))).toBe(3); // 1 over D = 2: 1 + 2
    expect(commonDenominatorBits(q('1/2', '1/3'))).toBe(5); // D = 6: 3 and 2 → 2 bits; 6 → 3 bits
    expect(commonDenominatorBits(q('1/2', '1/4'))).toBe(5); // D = 4: 2 and 1 → 2 bits; 4 → 3 bits
    expect(commonDenominatorBits(q('1/4', '1/2'))).toBe(5); // D = 4 (the 1/2 divides it)
    expect(commonDenominatorBits(q('1/4', '1/6'))).toBe(6); // D = 12: 3 and 2 → 2 bits; 12 → 4 bits
    expect(commonDenominatorBits(q('3', '5/4'))).toBe(7); // D = 4: 12 → 4 bits, 5 → 3 bits; 4 → 3 bits
    expect(commonDenominatorBits(q('0', '-7/3', '1/6'))).toBe(7); // D = 6: 14 → 4 bits, 1; 6 → 3 bits
    expect(commonDenominatorBits(q('1/3', '1/5', '1/7'))).toBe(13); // D = 105: 35 → 6 bits (21, 15 fewer); 105 → 7 bits
  });
  test('the cap: Infinity as soon as D passes cap bits (D at exactly cap bits finishes)', () => {
    expect(commonDenominatorBits(q('1/2'), 2)).toBe(3); // D = 2 has 2 bits = cap
    expect(commonDenominatorBits(q('1/2'), 1)).toBe(Infinity);
    expect(commonDenominatorBits(q('1/3', '1/5'), 3)).toBe(Infinity); // 15 has 4 bits
    expect(commonDenominatorBits(q('1/3', '1/5'), 4)).toBe(7); // 5 → 3 bits, 3 → 2 bits; 15 → 4 bits
    // integers never grow D, so no cap applies to them, even a cap below D = 1's one bit
    expect(commonDenominatorBits(q('3', '-12'), 0.5)).toBe(5);
    expect(commonDenominatorBits(q('1/2', '1/2'), 2)).toBe(3);
  });
});

// ───────────────────────────────────────────── bestResponseChecked ─────────────────────────────────────────────

describe('bestResponseChecked', () => {
  test('the closed form: w = (7/3, −2/3), J = (2/3, −1/3)', () => {
    expect(bestResponseChecked(quad())).toEqual({ w: ['7/3', '-2/3'], J: [['2/3'], ['-1/3']] });
    expect(bestResponseChecked({ A: [['1']], B: [[1]], b: ['1/2'], lambda0: [2] })).toEqual({ w: ['5/2'], J: [['1']] });
  });

  test('the input must be a JSON object', () => {
    const msg = (kind: string): string => `input: expected a JSON object, got ${kind}`;
    expectThrows(() => bestResponseChecked(null), ParseError, 'input', msg('null'));
    expectThrows(() => bestResponseChecked([quad()]), ParseError, 'input', msg('an array'));
    expectThrows(() => bestResponseChecked('{}'), ParseError, 'input', msg('a string'));
    expectThrows(() => bestResponseChecked(7), ParseError, 'input', msg('a number'));
  });

  test('unknown fields are named (before any missing one); each missing field is named with what it should be', () => {
    expectThrows(() => bestResponseChecked({ ...quad(), sigma: [1] }), InvalidArgumentError, 'sigma', 'sigma: expected one of the fields A, B, b, lambda0, got "an unknown field"');
    expectThrows(() => bestResponseChecked({ lambdaO: [1] }), InvalidArgumentError, 'lambdaO', 'lambdaO: expected one of the fields A, B, b, lambda0, got "an unknown field"');
    const missing = (key: string, what: string): void => {
      const input: Record<string, unknown> = quad();
      delete input[key];
      expectThrows(() => bestResponseChecked(input), InvalidArgumentError, key, `${key}: expected ${what}, got "nothing (the field is missing)"`);
    };
    missing('A', 'A (m×m, symmetric positive definite)');
    missing('B', 'B (m×h)');
    missing('b', 'b (length m)');
    missing('lambda0', 'lambda0 (length h)');
  });

  test('each field is parsed under its own name', () => {
    expectThrows(() => bestResponseChecked({ ...quad(), A: [[2, 'x'], [1, 2]] }), ParseError, 'A[0][1]', `A[0][1]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => bestResponseChecked({ ...quad(), B: [[1], ['x']] }), ParseError, 'B[1][0]', `B[1][0]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => bestResponseChecked({ ...quad(), b: [1, 'x'] }), ParseError, 'b[1]', `b[1]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => bestResponseChecked({ ...quad(), lambda0: ['x'] }), ParseError, 'lambda0[0]', `lambda0[0]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => bestResponseChecked({ ...quad(), b: null }), ShapeMismatchError, 'b', 'b: expected shape a non-empty array of numbers or rational strings, got null');
    expectThrows(() => bestResponseChecked({ ...quad(), B: [[1]] }, lim({ maxDimension: 0 })), LimitExceededError, 'A', big('A', 'at most 0 entries (rows)', '2'));
  });

  test('work N²·L ≤ maxWork, N = rows of A, L the largest common-denominator bits of A, B, b, λ₀ (boundary exact)', () => {
    const what = '(N = rows of A, L = bits of A, B, b, lambda0 over a common denominator)';
    // A = [[2,1],[1,2]]: 2 + 1 = 3 bits; B, b: 2; λ₀ = 3: 3 → L = 3, N²·L = 12
    expect(bestResponseChecked(quad(), lim({ maxWork: 12 })).w).toEqual(['7/3', '-2/3']);
    expectThrows(() => bestResponseChecked(quad(), lim({ maxWork: 11 })), LimitExceededError, 'A', big('A', `exact work N²·L ≤ 11 ${what}`, 'N = 2, L = 3 bits, N²·L = 12'));
    // L from b alone: b = (1/3, 1/5): D = 15 → 5 (3 bits) + 4 = 7; N²·L = 28
    expectThrows(() => bestResponseChecked({ ...quad(), b: ['1/3', '1/5'] }, lim({ maxWork: 27 })), LimitExceededError, 'A', big('A', `exact work N²·L ≤ 27 ${what}`, 'N = 2, L = 7 bits, N²·L = 28'));
    // N = 1: L = 2 (every entry 1), work 2
    const one = { A: [[1]], B: [[1]], b: [1], lambda0: [1] };
    expect(bestResponseChecked(one, lim({ maxWork: 2 }))).toEqual({ w: ['2'], J: [['1']] });
    expectThrows(() => bestResponseChecked(one, lim({ maxWork: 1 })), LimitExceededError, 'A', big('A', `exact work N²·L ≤ 1 ${what}`, 'N = 1, L = 2 bits, N²·L = 2'));
    // the lcm stops at maxWork/N² = 2 bits: D = 15 has 4
    expectThrows(() => bestResponseChecked({ ...quad(), A: [['1/3', 0], [0, '1/5']] }, lim({ maxWork: 8 })), LimitExceededError, 'A', big('A', `exact work N²·L ≤ 8 ${what}`, 'N = 2, L too large to finish counting bits, N²·L = more than 8'));
  });

  test("the routine's own errors naming the user's fields pass through unchanged", () => {
    expectThrows(() => bestResponseChecked({ ...quad(), A: [[2, 1], [0, 2]] }), NotSymmetricError, 'A', 'A: expected a symmetric matrix (A must equal Aᵀ exactly)');
    expectThrows(() => bestResponseChecked({ ...quad(), B: [[1]] }), ShapeMismatchError, 'B', 'B: expected shape 2×h (as many rows as A), got 1×1');
    expectThrows(() => bestResponseChecked({ ...quad(), A: [[1, 2], [2, 1]] }), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (inertia (+1, −1, 0×0))');
  });

  test('errors thrown inside the routine: RangeError → LimitExceededError, other typed errors → OutOfRangeError naming A, field errors kept, plain errors re-thrown', () => {
    const withA = (error: () => Error): unknown => ({ ...quad(), A: trapRows([[2, 1], [1, 2]], error) });
    expectThrows(() => bestResponseChecked(withA(() => new RangeError('Maximum BigInt size exceeded'))), LimitExceededError, 'A', big('A', 'sizes the exact arithmetic can hold', 'a JavaScript RangeError (Maximum BigInt size exceeded)'));
    const plain = thrown(() => bestResponseChecked(withA(() => new TypeError('boom'))), TypeError);
    expect(plain.message).toBe('boom');
    expect(plain).not.toBeInstanceOf(DeltaStnError);
    // an internal matrix's name → OutOfRangeError naming A
    expectThrows(() => bestResponseChecked(withA(() => new NonFiniteError('a[2][2]', Infinity))), OutOfRangeError, 'A', oor('A', 'a float64 step failed (NonFiniteError: a[2][2]: expected a finite number, got Infinity)'));
    // a user field's entry (root in A, B, b, lambda0) is re-thrown as it is
    expectThrows(() => bestResponseChecked(withA(() => new ParseError('B[1][0]', 'bad'))), ParseError, 'B[1][0]', 'B[1][0]: bad');
    expectThrows(() => bestResponseChecked(withA(() => new ParseError('lambda0[0]', 'bad'))), ParseError, 'lambda0[0]', 'lambda0[0]: bad');
    expectThrows(() => bestResponseChecked(withA(() => new ParseError('lambda0', 'bad'))), ParseError, 'lambda0', 'lambda0: bad');
  });
});

// ───────────────────────────────────────────── conditioningChecked ─────────────────────────────────────────────

describe('conditioningChecked', () => {
  const cond = (): { G: unknown[]; lambdaBar: unknown[]; sigma: unknown[] } => ({ G: [[2, 1], [1, 3]], lambdaBar: [1, -2], sigma: [1, '1/2'] });
  const KEYS = ['kappaG', 'kappaMUncentered', 'kappaMCentered', 'kappaUncentered', 'kappaCentered'] as const;

  test('closed forms: κ(G) = (3 + √5)/2, κ(M_c) = 4, κ(M_c ⊗ G) = 4κ(G); every certified interval holds its float', () => {
    const r = conditioningChecked(cond());
    const kG = (3 + Math.sqrt(5)) / 2;
    expect(r.kappaG).toBeCloseTo(kG, 12);
    expect(r.kappaMCentered).toBeCloseTo(4, 12);
    expect(r.kappaCentered).toBeCloseTo(4 * kG, 11);
    expect(r.kappaUncentered).toBeCloseTo(r.kappaMUncentered * kG, 8);
    for (const k of KEYS) {
      expect(r.certified[k].lo).toBeLessThanOrEqual(r.kappaMCentered > 0 ? r[k] * (1 + 1e-12) : 0);
      expect(r.certified[k].hi).toBeGreaterThanOrEqual(r[k] * (1 - 1e-12));
    }
    expect(r.certified.kappaMCentered.loExact).toBe('4');
  });

  test('object, unknown and missing fields, entries named', () => {
    expectThrows(() => conditioningChecked([]), ParseError, 'input', 'input: expected a JSON object, got an array');
    expectThrows(() => conditioningChecked({ ...cond(), sigmas: [1] }), InvalidArgumentError, 'sigmas', 'sigmas: expected one of the fields G, lambdaBar, sigma, got "an unknown field"');
    const missing = (key: string, what: string): void => {
      const input: Record<string, unknown> = cond();
      delete input[key];
      expectThrows(() => conditioningChecked(input), InvalidArgumentError, key, `${key}: expected ${what}, got "nothing (the field is missing)"`);
    };
    missing('G', 'G (m×m, symmetric positive definite)');
    missing('lambdaBar', 'lambdaBar (length h)');
    missing('sigma', 'sigma (length h, every σ_k > 0)');
    expectThrows(() => conditioningChecked({ ...cond(), G: [[2, 1], [1, 'g']] }), ParseError, 'G[1][1]', `G[1][1]: ${RATIONAL_MSG('g')}`);
    expectThrows(() => conditioningChecked({ ...cond(), lambdaBar: [1, 'l'] }), ParseError, 'lambdaBar[1]', `lambdaBar[1]: ${RATIONAL_MSG('l')}`);
    expectThrows(() => conditioningChecked({ ...cond(), sigma: ['s', 1] }), ParseError, 'sigma[0]', `sigma[0]: ${RATIONAL_MSG('s')}`);
  });

  test('sigma: as long as lambdaBar, every σ_k > 0 (checked before G is square)', () => {
    expectThrows(() => conditioningChecked({ ...cond(), sigma: [1] }), ShapeMismatchError, 'sigma', 'sigma: expected shape length 2 (as lambdaBar), got length 1');
    expectThrows(() => conditioningChecked({ ...cond(), sigma: [1, 0], G: [[1, 2]] }), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected a scale σ_k > 0, got "0"');
    expectThrows(() => conditioningChecked({ ...cond(), sigma: [1, '-1/2'], G: [[1, 2]] }), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected a scale σ_k > 0, got "-1/2"');
    expectThrows(() => conditioningChecked({ ...cond(), sigma: ['-0', 1] }), InvalidArgumentError, 'sigma[0]', 'sigma[0]: expected a scale σ_k > 0, got "0"');
    expectThrows(() => conditioningChecked({ ...cond(), G: [[1, 2]] }), ShapeMismatchError, 'G', 'G: expected shape a square matrix, got 1×2');
  });

  test('(h + 1)·m ≤ maxKroneckerSize (boundary exact)', () => {
    const c = { G: [[2, 0], [0, 1]], lambdaBar: [0], sigma: [1] };
    expect(conditioningChecked(c, lim({ maxKroneckerSize: 4 })).kappaG).toBeCloseTo(2, 13);
    const c2 = { G: [[2, 0], [0, 1]], lambdaBar: [0, 0], sigma: [1, 1] };
    expectThrows(() => conditioningChecked(c2, lim({ maxKroneckerSize: 5 })), LimitExceededError, 'G', big('G', '(h + 1)·m ≤ 5 (the side of M ⊗ G, h = length of sigma)', '(2 + 1)·2 = 6'));
    const c3 = { G: [[2, 0, 0], [0, 1, 0], [0, 0, 1]], lambdaBar: [0], sigma: [1] };
    expectThrows(() => conditioningChecked(c3, lim({ maxKroneckerSize: 5 })), LimitExceededError, 'G', big('G', '(h + 1)·m ≤ 5 (the side of M ⊗ G, h = length of sigma)', '(1 + 1)·3 = 6'));
  });

  test('float64 range of σ², of M, of G and of M ⊗ G, each naming its fields (boundaries 2^1023 and 2^-1021 exact)', () => {
    const G1 = [[1]];
    expectThrows(() => conditioningChecked({ G: G1, lambdaBar: [0, 0], sigma: [1, '1e200'] }), OutOfRangeError, 'sigma[1]', oor('sigma[1]', 'σ_1² is about 1e400'));
    expectThrows(() => conditioningChecked({ G: G1, lambdaBar: [0], sigma: ['1e-200'] }), OutOfRangeError, 'sigma[0]', oor('sigma[0]', 'σ_0² is about 1e-400'));
    const M = 'an entry of M = E[(1, λ̃)(1, λ̃)ᵀ] (λ̄λ̄ᵀ + diag σ²)';
    expectThrows(() => conditioningChecked({ G: G1, lambdaBar: ['1e200'], sigma: [1] }), OutOfRangeError, 'lambdaBar, sigma', oor('lambdaBar, sigma', `${M} is about 1e400`));
    // λ = 2^-600: λ² = 2^-1200 alone is out of range, but M's diagonal entry is λ² + σ² = 1 + 2^-1200
    expect(conditioningChecked({ G: G1, lambdaBar: [`1/${pow2(600)}`], sigma: [1] }).kappaG).toBe(1);
    expectThrows(() => conditioningChecked({ G: [[pow2(1024)]], lambdaBar: [0], sigma: [1] }), OutOfRangeError, 'G', oor('G', 'an entry of G is about 1e308'));
    expect(conditioningChecked({ G: [[pow2(1023)]], lambdaBar: [0], sigma: [1] }).kappaG).toBe(1);
    expectThrows(() => conditioningChecked({ G: [[`1/${pow2(1022)}`]], lambdaBar: [0], sigma: [1] }), OutOfRangeError, 'G', oor('G', 'an entry of G is about 1e-308'));
    expect(conditioningChecked({ G: [[`1/${pow2(1021)}`]], lambdaBar: [0], sigma: [1] }).kappaG).toBe(1);
    const P = 'an entry of M ⊗ G (a product of entries of M and of G)';
    // largest |M| · largest |G| = 1e200 · 1e200, the largest G entry between smaller ones
    expectThrows(() => conditioningChecked({ G: [[1, 0, 0], [0, '1e200', 0], [0, 0, 1]], lambdaBar: [0], sigma: ['1e100'] }), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', `${P} is about 1e400`));
    // smallest non-zero |M| · smallest |G| = 1e-200 · 1e-200 (M holds the zero λ̄; G's smallest in the middle)
    expectThrows(() => conditioningChecked({ G: [[1, 0, 0], [0, '1e-200', 0], [0, 0, 1]], lambdaBar: [0], sigma: ['1e-100'] }), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', `${P} is about 1e-400`));
  });

  test('work N²·L ≤ maxWork, N = max(m, h + 1), L = the larger bits of G and of M (with σ²); named G when m ≥ h + 1', () => {
    const what = (w: number): string => `exact work N²·L ≤ ${w} (N = max(m, h + 1), L = bits of G and of M over a common denominator)`;
    // m = 2 = h + 1: L = 2 for G and for M = [1, 0, 1] ∪ [1]; N²·L = 8
    const c = { G: [[1, 0], [0, 1]], lambdaBar: [0], sigma: [1] };
    expect(conditioningChecked(c, lim({ maxWork: 8 })).kappaG).toBe(1);
    expectThrows(() => conditioningChecked(c, lim({ maxWork: 7 })), LimitExceededError, 'G', big('G', what(7), 'N = 2, L = 2 bits, N²·L = 8'));
    // m = 1 < h + 1 = 3; M's entries 1, 1/2, 29/100, 1/6, 1/3, 1/6, 10/9 and σ² = 1/25, 1: D = 900 (10 bits), 1000 (10 bits) → L = 20
    const c2 = { G: [[1]], lambdaBar: ['1/2', '1/3'], sigma: ['1/5', 1] };
    expectThrows(() => conditioningChecked(c2, lim({ maxWork: 179 })), LimitExceededError, 'lambdaBar, sigma', big('lambdaBar, sigma', what(179), 'N = 3, L = 20 bits, N²·L = 180'));
    // M = [1, 1/3, 2/9] ∪ [1/9]: D = 9, the entry 1 → 9 (4 bits) → L = 8, N = 2
    const c3 = { G: [[1]], lambdaBar: ['1/3'], sigma: ['1/3'] };
    expectThrows(() => conditioningChecked(c3, lim({ maxWork: 31 })), LimitExceededError, 'lambdaBar, sigma', big('lambdaBar, sigma', what(31), 'N = 2, L = 8 bits, N²·L = 32'));
    // the lcm of G stops at maxWork/N² = 2 bits
    const c4 = { G: [['1/3', 0], [0, '1/5']], lambdaBar: [0], sigma: [1] };
    expectThrows(() => conditioningChecked(c4, lim({ maxWork: 8 })), LimitExceededError, 'G', big('G', what(8), 'N = 2, L too large to finish counting bits, N²·L = more than 8'));
  });

  test('float64 results: a non-finite κ or certified end names the fields it depends on', () => {
    expectThrows(() => conditioningChecked({ G: [[1e300, 0], [0, 1e-300]], lambdaBar: [0], sigma: [1] }), OutOfRangeError, 'G', oor('G', 'kappaG is Infinity in float64'));
    expectThrows(() => conditioningChecked({ G: [[1]], lambdaBar: [0, 0], sigma: ['1e150', '1e-150'] }), OutOfRangeError, 'lambdaBar, sigma', oor('lambdaBar, sigma', 'kappaMUncentered is Infinity in float64'));
    expectThrows(() => conditioningChecked({ G: [['1e100', 0], [0, '1e-100']], lambdaBar: [0], sigma: ['1e100'] }), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', 'kappaUncentered is Infinity in float64'));
    // κ(G) = MAX_VALUE is a float64, the certified κ(M) ≥ 1 a hair above 1: the product's upper end is not
    expectThrows(() => conditioningChecked({ G: [[Number.MAX_VALUE, 0], [0, 1]], lambdaBar: [0], sigma: [1] }), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', 'certified.kappaUncentered.hi is Infinity in float64'));
  });

  test("errors inside the report become OutOfRangeError naming the user's field (G, sigma, …) or all three; RangeError → LimitExceededError", () => {
    expectThrows(() => conditioningChecked({ G: [[0]], lambdaBar: [1], sigma: [1] }), OutOfRangeError, 'G', oor('G', 'a float64 step failed (NotPositiveDefiniteError: G: expected a symmetric positive definite matrix (inertia (+0, −0, 0×1)))'));
    expectThrows(() => conditioningChecked({ G: [[1]], lambdaBar: ['1e100'], sigma: ['1e-100'] }), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', 'a float64 step failed (NotPositiveDefiniteError: lambdaBar, sigma (M_u): expected a symmetric positive definite matrix (smallest eigenvalue 0))'));
    const withG = (error: () => Error): unknown => ({ G: trapRows([[2, 1], [1, 3]], error), lambdaBar: [1], sigma: [1] });
    expectThrows(() => conditioningChecked(withG(() => new ParseError('sigma[1]', 'bad'))), OutOfRangeError, 'sigma', oor('sigma', 'a float64 step failed (ParseError: sigma[1]: bad)'));
    expectThrows(() => conditioningChecked(withG(() => new ParseError('lambdaBar', 'bad'))), OutOfRangeError, 'lambdaBar', oor('lambdaBar', 'a float64 step failed (ParseError: lambdaBar: bad)'));
    // names that only end, or only start, like a field are internal
    expectThrows(() => conditioningChecked(withG(() => new ParseError('theta', 'bad'))), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', 'a float64 step failed (ParseError: theta: bad)'));
    expectThrows(() => conditioningChecked(withG(() => new ParseError('Gram', 'bad'))), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', 'a float64 step failed (ParseError: Gram: bad)'));
    expectThrows(() => conditioningChecked(withG(() => new RangeError('Invalid array length'))), LimitExceededError, 'G, lambdaBar, sigma', big('G, lambdaBar, sigma', 'sizes the exact arithmetic can hold', 'a JavaScript RangeError (Invalid array length)'));
    // nothing is passed through as it is: any other name, whatever it is, becomes all three fields
    for (const name of ['secondMoment', 'input', 'x[0]', 'Stryker was here']) {
      expectThrows(() => conditioningChecked(withG(() => new ParseError(name, 'bad'))), OutOfRangeError, 'G, lambdaBar, sigma', oor('G, lambdaBar, sigma', `a float64 step failed (ParseError: ${name}: bad)`));
    }
  });
});

// ───────────────────────────────────────────── thm3Checked ─────────────────────────────────────────────

describe('thm3Checked', () => {
  const t3 = (): Record<string, unknown> => ({ ...quad(), sigma: ['1/2'], eta: 1 });
  const t3c = (): Record<string, unknown> => ({ ...quad(), covariance: [['1/4']], eta: 1 });

  test('the closed form with Σ = 1/4 (from sigma or from covariance, null meaning absent): rate 3/4', () => {
    const r = thm3Checked(t3());
    expect(r).toEqual({ w0: ['7/3', '-2/3'], Theta: [['2/3'], ['-1/3']], converges: true, rate: 0.75, rateInterval: { lo: '3/4', hi: '3/4' }, stepBound: r.stepBound });
    expect(r.stepBound.hi).toBe('8/3');
    expect(thm3Checked(t3c())).toEqual(r);
    expect(thm3Checked({ ...t3(), covariance: null })).toEqual(r);
    expect(thm3Checked({ ...t3c(), sigma: null })).toEqual(r);
  });

  test('object, unknown and missing fields, entries named', () => {
    expectThrows(() => thm3Checked(undefined), ParseError, 'input', 'input: expected a JSON object, got a undefined');
    expectThrows(() => thm3Checked({ ...t3(), sigmas: [1] }), InvalidArgumentError, 'sigmas', 'sigmas: expected one of the fields A, B, b, lambda0, sigma, covariance, eta, got "an unknown field"');
    const missing = (key: string, what: string): void => {
      const input = t3();
      delete input[key];
      expectThrows(() => thm3Checked(input), InvalidArgumentError, key, `${key}: expected ${what}, got "nothing (the field is missing)"`);
    };
    missing('A', 'A (m×m, symmetric positive definite)');
    missing('B', 'B (m×h)');
    missing('b', 'b (length m)');
    missing('lambda0', 'lambda0 (length h)');
    missing('eta', 'a step size η > 0');
    expectThrows(() => thm3Checked({ ...t3(), A: [[2, 1], ['x', 2]] }), ParseError, 'A[1][0]', `A[1][0]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => thm3Checked({ ...t3(), B: [['x'], [0]] }), ParseError, 'B[0][0]', `B[0][0]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => thm3Checked({ ...t3(), b: ['x', 1] }), ParseError, 'b[0]', `b[0]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => thm3Checked({ ...t3(), lambda0: ['x'] }), ParseError, 'lambda0[0]', `lambda0[0]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => thm3Checked({ ...t3(), eta: 'x' }), ParseError, 'eta', `eta: ${RATIONAL_MSG('x')}`);
    expectThrows(() => thm3Checked({ ...t3(), sigma: ['x'] }), ParseError, 'sigma[0]', `sigma[0]: ${RATIONAL_MSG('x')}`);
    expectThrows(() => thm3Checked({ ...t3c(), covariance: [['x']] }), ParseError, 'covariance[0][0]', `covariance[0][0]: ${RATIONAL_MSG('x')}`);
  });

  test('sigma or covariance: both, or neither (absent or null), is an InvalidArgumentError', () => {
    const both = 'covariance: expected either sigma or covariance, not both, got "both"';
    const neither = 'sigma: expected perturbation scales σ (or a covariance matrix), got "neither"';
    expectThrows(() => thm3Checked({ ...t3(), covariance: [['1/4']] }), InvalidArgumentError, 'covariance', both);
    const none = t3();
    delete none.sigma;
    expectThrows(() => thm3Checked(none), InvalidArgumentError, 'sigma', neither);
    expectThrows(() => thm3Checked({ ...none, sigma: null }), InvalidArgumentError, 'sigma', neither);
    expectThrows(() => thm3Checked({ ...none, sigma: null, covariance: null }), InvalidArgumentError, 'sigma', neither);
  });

  test('σ_k > 0, then η > 0 (each before the size and range checks)', () => {
    const h2 = { A: [[2]], B: [[1, 1]], b: [1], lambda0: [0, 0], eta: 0 };
    expectThrows(() => thm3Checked({ ...h2, sigma: [1, 0] }), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected a scale σ_k > 0, got "0"');
    expectThrows(() => thm3Checked({ ...h2, sigma: [1, '-1/2'] }), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected a scale σ_k > 0, got "-1/2"');
    expectThrows(() => thm3Checked({ ...h2, sigma: [1, 1] }), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "0"');
    const small = lim({ maxResponseSize: 1 });
    expectThrows(() => thm3Checked({ ...h2, sigma: [1, 1] }, small), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "0"');
    expectThrows(() => thm3Checked({ ...h2, sigma: [1, 1], eta: '-1/2' }, small), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "-1/2"');
    expectThrows(() => thm3Checked({ ...h2, sigma: [1, 1], eta: '-0' }, small), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "0"');
    expectThrows(() => thm3Checked({ ...h2, covariance: [[1, 0], [0, 1]], eta: '-3' }, small), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "-3"');
  });

  test('m·h ≤ maxResponseSize (boundary exact)', () => {
    const h2 = { A: [[2]], B: [[1, 1]], b: [1], lambda0: [0, 0], sigma: [1, 1], eta: '1/4' };
    expect(thm3Checked(h2, lim({ maxResponseSize: 2 })).Theta).toEqual([['1/2', '1/2']]);
    const what = (s: number): string => `m·h ≤ ${s} (the side of the exact response system; m = rows of A, h = columns of B)`;
    expectThrows(() => thm3Checked(h2, lim({ maxResponseSize: 1 })), LimitExceededError, 'B', big('B', what(1), '1·2 = 2'));
    expectThrows(() => thm3Checked(t3(), lim({ maxResponseSize: 1 })), LimitExceededError, 'B', big('B', what(1), '2·1 = 2'));
  });

  test('float64 range of σ² or the covariance, of A, of η and of the products η·Σ·A (overflow only)', () => {
    const one = { A: [[1]], B: [[1]], b: [1], lambda0: [0], eta: 1 };
    expectThrows(() => thm3Checked({ ...one, B: [[1, 1]], lambda0: [0, 0], sigma: [1, '1e200'] }), OutOfRangeError, 'sigma[1]', oor('sigma[1]', 'σ_1² is about 1e400'));
    expectThrows(() => thm3Checked({ ...one, sigma: ['1e-200'] }), OutOfRangeError, 'sigma[0]', oor('sigma[0]', 'σ_0² is about 1e-400'));
    expectThrows(() => thm3Checked({ ...one, covariance: [['1e-320']] }), OutOfRangeError, 'covariance', oor('covariance', 'an entry of the covariance is about 1e-320'));
    expectThrows(() => thm3Checked({ ...one, A: [[pow2(1024)]], sigma: [1], eta: '1e-320' }), OutOfRangeError, 'A', oor('A', 'an entry of A is about 1e308'));
    expectThrows(() => thm3Checked({ ...one, sigma: [1], eta: '1e-320' }), OutOfRangeError, 'eta', oor('eta', 'η is about 1e-320'));
    const P = 'a product η·Σ_ij·A_kl (the float64 rate is max |1 − η σ_i a_j|) is about 1e400';
    expectThrows(() => thm3Checked({ ...one, A: [['1e200']], sigma: ['1e100'] }), OutOfRangeError, 'eta, sigma, A', oor('eta, sigma, A', P));
    expectThrows(() => thm3Checked({ ...one, A: [['1e200']], covariance: [['1e200']] }), OutOfRangeError, 'eta, covariance, A', oor('eta, covariance, A', P));
    // η·σ²·a = 1e-400 underflows harmlessly: ρ = |1 − 0| = 1
    const tiny = thm3Checked({ ...one, A: [['1e-200']], sigma: ['1e-100'] });
    expect(tiny.rate).toBe(1);
    expect(tiny.converges).toBe(true);
  });

  test('work N²·L ≤ maxResponseWork, N = m·h, L = bits of A plus bits of Σ (or of B, b, λ₀); named A when h = 1, B otherwise', () => {
    const what = (w: number): string => `exact work N²·L ≤ ${w} (N = m·h, L = bits of A plus bits of Σ, or of B, b, lambda0)`;
    // A = 2: 3 bits; Σ = 1: 2 bits → L = 5 (B, b: 2; λ₀ = 0: 1)
    const one = { A: [[2]], B: [[1]], b: [1], lambda0: [0], sigma: [1], eta: '1/4' };
    expect(thm3Checked(one, lim({ maxResponseWork: 5 })).w0).toEqual(['1/2']);
    expectThrows(() => thm3Checked(one, lim({ maxResponseWork: 4 })), LimitExceededError, 'A', big('A', what(4), 'N = 1, L = 5 bits, N²·L = 5'));
    // covariance 1/3: over D = 3 the numerator 1 (1 bit) plus 3's 2 bits → 3; L = 3 + 3 = 6
    expectThrows(() => thm3Checked({ ...one, sigma: undefined, covariance: [['1/3']] }, lim({ maxResponseWork: 5 })), LimitExceededError, 'A', big('A', what(5), 'N = 1, L = 6 bits, N²·L = 6'));
    // b = 2^40: 41 + 1 = 42 bits dominate
    expectThrows(() => thm3Checked({ ...one, b: [2 ** 40] }, lim({ maxResponseWork: 41 })), LimitExceededError, 'A', big('A', what(41), 'N = 1, L = 42 bits, N²·L = 42'));
    // m = 1, h = 2: N = 2, L = 5 → 20, named B
    const h2 = { A: [[2]], B: [[1, 1]], b: [1], lambda0: [0, 0], sigma: [1, 1], eta: '1/4' };
    expectThrows(() => thm3Checked(h2, lim({ maxResponseWork: 19 })), LimitExceededError, 'B', big('B', what(19), 'N = 2, L = 5 bits, N²·L = 20'));
    // the lcm of A stops at maxResponseWork/N² = 2 bits
    expectThrows(() => thm3Checked({ ...t3(), A: [['1/3', 0], [0, '1/5']] }, lim({ maxResponseWork: 8 })), LimitExceededError, 'A', big('A', what(8), 'N = 2, L too large to finish counting bits, N²·L = more than 8'));
  });

  test('a rate beyond float64 is an OutOfRangeError naming eta, the perturbation, A', () => {
    // η = 1 + 2^-52, Σ = 2 − 2^-51, a = 2^1023: η·Σ·a = (2 − 2^-103)·2^1023 < 2^1024 passes the range check, but the
    // float64 η·Σ rounds to 2, and 2·2^1023 is Infinity
    const edge = { A: [[2 ** 1023]], B: [[1]], b: [1], lambda0: [0], eta: 1 + 2 ** -52, covariance: [[2 - 2 ** -51]] };
    expectThrows(() => thm3Checked(edge), OutOfRangeError, 'eta, covariance, A', oor('eta, covariance, A', 'rate is Infinity in float64'));
  });

  test("the routine's errors on user fields pass through; internal ones name A, the perturbation and eta; RangeError → LimitExceededError", () => {
    expectThrows(() => thm3Checked({ ...t3c(), covariance: [[0]] }), NotPositiveDefiniteError, 'covariance', 'covariance: expected a symmetric positive definite matrix (inertia (+0, −0, 0×1))');
    expectThrows(() => thm3Checked({ ...t3(), A: [[0, 0], [0, 0]] }), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (inertia (+0, −0, 0×2))');
    expectThrows(() => thm3Checked({ ...t3(), sigma: [1, 1] }), ShapeMismatchError, 'sigma', 'sigma: expected shape length 1 (one scale per hyperparameter), got length 2');
    const withA = (base: Record<string, unknown>, error: () => Error): unknown => ({ ...base, A: trapRows([[2, 1], [1, 2]], error) });
    expectThrows(() => thm3Checked(withA(t3(), () => new RangeError('Maximum BigInt size exceeded'))), LimitExceededError, 'A, sigma, eta', big('A, sigma, eta', 'sizes the exact arithmetic can hold', 'a JavaScript RangeError (Maximum BigInt size exceeded)'));
    expectThrows(() => thm3Checked(withA(t3c(), () => new NonFiniteError('a', NaN))), OutOfRangeError, 'A, covariance, eta', oor('A, covariance, eta', 'a float64 step failed (NonFiniteError: a: expected a finite number, got NaN)'));
    expectThrows(() => thm3Checked(withA(t3(), () => new InvalidArgumentError('eta', 'a step size η > 0', '0'))), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "0"');
    expectThrows(() => thm3Checked(withA(t3c(), () => new ParseError('covariance[0][1]', 'bad'))), ParseError, 'covariance[0][1]', 'covariance[0][1]: bad');
  });
});
