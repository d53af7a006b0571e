/**
 * Typed errors. Every error names the argument it concerns and says what was expected, so that a caller
 * (or the CLI, which maps them to exit code 2) can report bad input without guessing. Nothing in the
 * library returns NaN for bad input: it throws one of these.
 */

/** Base class of every error the library throws on purpose. */
export class DeltaStnError extends Error {
  /** The argument (or JSON field) at fault, e.g. `"A"` or `"sigma[1]"`. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(`${argument}: ${message}`);
    this.name = new.target.name;
    this.argument = argument;
  }
}

/** Wrong dimensions: `expected` and `actual` are human-readable shapes such as `"3×3"`. */
export class ShapeMismatchError extends DeltaStnError {
  constructor(argument: string, expected: string, actual: string) {
    super(argument, `expected shape ${expected}, got ${actual}`);
  }
}

/** A matrix that must be symmetric is not (exactly, or to the stated tolerance). */
export class NotSymmetricError extends DeltaStnError {
  constructor(argument: string, detail = '') {
    super(argument, `expected a symmetric matrix${detail ? ` (${detail})` : ''}`);
  }
}

/** A matrix that must be symmetric positive definite is not. */
export class NotPositiveDefiniteError extends DeltaStnError {
  constructor(argument: string, detail = '') {
    super(argument, `expected a symmetric positive definite matrix${detail ? ` (${detail})` : ''}`);
  }
}

/** NaN or ±Infinity where a finite number is required. */
export class NonFiniteError extends DeltaStnError {
  constructor(argument: string, value: unknown) {
    super(argument, `expected a finite number, got ${String(value)}`);
  }
}

/** A value outside its admissible range (σ ≤ 0, η ≤ 0, n < 1, an unknown claim ID, …). */
export class InvalidArgumentError extends DeltaStnError {
  constructor(argument: string, expected: string, actual: unknown) {
    super(argument, `expected ${expected}, got ${typeof actual === 'string' ? JSON.stringify(actual) : String(actual)}`);
  }
}

/** Input that cannot be parsed (JSON text, a rational string such as "3/x"). */
export class ParseError extends DeltaStnError {}
