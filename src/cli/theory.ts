/**
 * `deltastn theory <routine> --input FILE.json`: one number (or matrix) for people who want one.
 * Each routine validates its JSON with typed errors naming the field.
 */
import { InvalidArgumentError } from '../errors.js';
import { bestResponseChecked, conditioningChecked, thm3Checked } from '../theory/input.js';
import { readJsonInput } from './io.js';

type Routine = (input: unknown) => unknown;

/**
 * The routines, by name. Each goes through its guarded entry in `src/theory/input.ts`, which validates every
 * field against the stated limits (dimensions, bits per entry, exact work N²·L, float64 range) before the
 * routine runs and checks that every float64 in the result is finite; every failure is a typed error naming
 * the user's field (exit code 2), never a hang, a stack trace or `null`.
 * - `best-response`: {A, B, b, lambda0} → {w, J}, exact rational strings (THM-3 module).
 * - `conditioning`: {G, lambdaBar, sigma} → κ's as floats with certified intervals (OBS-1 module).
 * - `thm3`: {A, B, b, lambda0, sigma | covariance, eta} → {w0, Theta, converges, rate, …} (THM-3 module).
 * The limits are `THEORY_LIMITS` in src/theory/input.ts.
 */
export const theoryRoutines: Record<string, Routine> = {
  'best-response': (input) => bestResponseChecked(input),
  conditioning: (input) => conditioningChecked(input),
  thm3: (input) => thm3Checked(input),
};

/** Runs routine `name` on the JSON read from `inputPath`; returns the JSON-ready result. */
export function theoryCommand(name: string, inputPath: string | undefined): unknown {
  const routine = Object.hasOwn(theoryRoutines, name) ? theoryRoutines[name] : undefined;
  if (!routine) throw new InvalidArgumentError('routine', `one of ${Object.keys(theoryRoutines).join(', ')}`, name);
  return routine(readJsonInput(inputPath));
}
