/**
 * Capturing a thrown error in tests: the typed errors of src/errors.ts name the argument and say what was expected,
 * and their exact messages are the library's contract, so tests pin class, argument and message together. One helper
 * for every suite, so that no test file carries its own copy (kept apart from test/helpers.ts, which loads the CLI:
 * the mutation runs' killing tests import this through test/mutation/throws.ts and must stay light).
 */
import { expect } from 'vitest';
import { DeltaStnError } from '../src/errors.js';

/** What `fn` throws (failing the test if it returns), checked to be an instance of `cls` (default: any DeltaStnError). */
export function thrown<E extends Error = DeltaStnError>(fn: () => unknown, cls: abstract new (...args: never[]) => E = DeltaStnError as never): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as E;
  }
  throw new Error('expected a throw, and the call returned');
}

/** `fn` throws an instance of `cls` whose `argument` is `argument` and whose message is exactly `message`. */
export function expectThrows(fn: () => unknown, cls: abstract new (...args: never[]) => DeltaStnError, argument: string, message: string): void {
  const e = thrown(fn, cls);
  expect(e.argument).toBe(argument);
  expect(e.message).toBe(message);
}

/** The exact message of what `fn` throws, checked to be an instance of `cls`. */
export function message(fn: () => unknown, cls: abstract new (...args: never[]) => Error): string {
  return thrown(fn, cls).message;
}
