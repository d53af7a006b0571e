/**
 * `deltastn theory <routine> --input FILE.json`: one number (or matrix) for people who want one.
 * Each routine validates its JSON with typed errors naming the field.
 */
import { InvalidArgumentError } from '../errors.js';
import { bestResponseChecked, conditioningChecked, thm3Checked } from '../theory/input.js';
import { readJsonInput } from './io.js';
import { parseCommand, type CommandSpec } from './options.js';

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

/** The arguments of `deltastn theory` (parsed and documented from this one declaration). */
export const THEORY_SPEC = {
  name: 'theory',
  summary: 'One exact computation: JSON in, JSON out. Matrices are arrays of rows; entries are numbers (exact binary doubles) or rational strings such as "3/7" (exact decimals). The perturbation scale is the field sigma.',
  positionals: [{ name: 'routine', description: 'best-response: {A, B, b, lambda0} → {w, J}; conditioning: {G, lambdaBar, sigma} → κ\'s; thm3: {A, B, b, lambda0, sigma | covariance, eta} → Θ, convergence', choices: Object.keys(theoryRoutines) }],
  options: {
    input: { type: 'string', value: 'FILE', required: true, description: 'the JSON input file, or - for standard input', example: 'case.json' },
  },
  example: `echo '{"A": [[2,1],[1,3]], "B": [[1],["1/2"]], "b": [1,0], "lambda0": ["1/3"]}' | deltastn theory best-response --input -`,
} as const satisfies CommandSpec;

/** `deltastn theory <routine> --input FILE`: prints the routine's JSON result; exit code 0. */
export function theoryMain(args: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values, positionals } = parseCommand(THEORY_SPEC, args, err);
  out(JSON.stringify(theoryCommand(positionals[0], values.input), null, 2));
  return 0;
}
