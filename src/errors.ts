/**
 * Typed errors. Every error names the argument it concerns and says what was expected, so that a caller
 * (or the CLI, which maps them to exit code 2) can report bad input without guessing. Nothing in the
 * library returns NaN for bad input: it throws one of these.
 */

/** Longest text an error message quotes from a value or argument name before it is cut (see {@link truncateForMessage}). */
export const MAX_QUOTED_CHARS = 200;

/**
 * `text` cut to at most about `max` characters for an error message: the head and the last few characters
 * around "…[N characters omitted]…", so that a 10 MB bad entry is not echoed whole to the terminal.
 * Text of at most `max` characters is returned unchanged.
 */
export function truncateForMessage(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  const tail = Math.min(20, Math.floor(max / 4));
  const head = Math.max(0, max - tail);
  return `${text.slice(0, head)}…[${text.length - head - tail} characters omitted]…${text.slice(text.length - tail)}`;
}

/**
 * A short, bounded description of a value for an error message: strings JSON-quoted, other values by
 * `String`, arrays and objects by their kind and size (never serialised whole); cut by {@link truncateForMessage}.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(truncateForMessage(value));
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return truncateForMessage(String(value));
}

/** Longest message (after the argument name) an error carries; longer ones are cut by {@link truncateForMessage}. */
export const MAX_MESSAGE_CHARS = 600;

/** Base class of every error the library throws on purpose. */
export class DeltaStnError extends Error {
  /** The argument (or JSON field) at fault, e.g. `"A"` or `"sigma[1]"`. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    // Every subclass passes through here, so a huge value quoted anywhere in a message is cut once, here.
    const arg = truncateForMessage(argument);
    super(`${arg}: ${truncateForMessage(message, MAX_MESSAGE_CHARS)}`);
    this.name = new.target.name;
    this.argument = arg;
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
    super(argument, `expected a finite number, got ${describeValue(value)}`);
  }
}

/** A value outside its admissible range (σ ≤ 0, η ≤ 0, n < 1, an unknown claim ID, …). */
export class InvalidArgumentError extends DeltaStnError {
  constructor(argument: string, expected: string, actual: unknown) {
    super(argument, `expected ${expected}, got ${describeValue(actual)}`);
  }
}

/** Input that cannot be parsed (JSON text, a rational string such as "3/x"). */
export class ParseError extends DeltaStnError {}

/**
 * Input within the language of the routine but beyond the size it supports (a matrix dimension, the bit
 * length of an entry, the exact work N²·L of an elimination): rejected before any work, so that no input can
 * make a routine run for minutes or exhaust memory. `limit` says what is allowed, `actual` what was given.
 */
export class LimitExceededError extends DeltaStnError {
  constructor(argument: string, limit: string, actual: string) {
    super(argument, `exceeds the supported size: allowed ${limit}, got ${actual}`);
  }
}

/**
 * A result (or a value a float64 result is computed from) that float64 cannot carry, for input that is
 * otherwise valid: beyond ±1.8e308, a non-zero value below 2.2e-308, or a matrix that float64 rounding makes
 * singular although it is exactly positive definite. `argument` names the input fields that drive it;
 * `detail` says which quantity and roughly how large it is.
 */
export class OutOfRangeError extends DeltaStnError {
  constructor(argument: string, detail: string) {
    super(argument, `outside what float64 can carry (normal magnitudes 2.2e-308 to 1.8e308, 16 significant digits): ${detail}`);
  }
}
