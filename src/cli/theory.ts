/**
 * `deltastn theory <routine> --input FILE.json`: one number (or matrix) for people who want one.
 * Each routine validates its JSON with typed errors naming the field.
 */
import { InvalidArgumentError } from '../errors.js';
import { asObject, readJsonInput } from './io.js';

type Routine = (input: Record<string, unknown>) => unknown;

/** The routines, by name. */
export const theoryRoutines: Record<string, Routine> = {};

/** Runs routine `name` on the JSON read from `inputPath`; returns the JSON-ready result. */
export function theoryCommand(name: string, inputPath: string | undefined): unknown {
  const routine = theoryRoutines[name];
  if (!routine) throw new InvalidArgumentError('routine', `one of ${Object.keys(theoryRoutines).join(', ')}`, name);
  return routine(asObject(readJsonInput(inputPath)));
}
