/**
 * `deltastn theory <routine> --input FILE.json`: one number (or matrix) for people who want one.
 * Each routine validates its JSON with typed errors naming the field.
 */
import { InvalidArgumentError } from '../errors.js';
import { conditioningReport, type ConditioningInput } from '../theory/obs1.js';
import { bestResponseJson, thm3Report, type QuadraticInnerInput, type Thm3Input } from '../theory/thm3.js';
import { asObject, readJsonInput } from './io.js';

type Routine = (input: Record<string, unknown>) => unknown;

/**
 * The routines, by name. Each routine's own parser validates the fields (shapes, symmetry, definiteness,
 * σ > 0, η > 0) and throws a typed error naming the field; the casts only hand the raw JSON over.
 * - `best-response`: {A, B, b, lambda0} → {w, J}, exact rational strings (THM-3 module).
 * - `conditioning`: {G, lambdaBar, sigma} → κ's as floats with certified intervals (OBS-1 module).
 * - `thm3`: {A, B, b, lambda0, sigma | covariance, eta} → {w0, Theta, converges, rate, …} (THM-3 module).
 */
export const theoryRoutines: Record<string, Routine> = {
  'best-response': (input) => bestResponseJson(input as unknown as QuadraticInnerInput),
  conditioning: (input) => conditioningReport(input as unknown as ConditioningInput),
  thm3: (input) => thm3Report(input as unknown as Thm3Input),
};

/** Runs routine `name` on the JSON read from `inputPath`; returns the JSON-ready result. */
export function theoryCommand(name: string, inputPath: string | undefined): unknown {
  const routine = theoryRoutines[name];
  if (!routine) throw new InvalidArgumentError('routine', `one of ${Object.keys(theoryRoutines).join(', ')}`, name);
  return routine(asObject(readJsonInput(inputPath)));
}
