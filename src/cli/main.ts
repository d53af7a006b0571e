/**
 * The `deltastn` command. Subcommands:
 * - `verify [--claim ID…] [--runs N] [--seed S] [--json] [--log FILE]`
 * - `theory <best-response|conditioning|thm3> --input FILE.json|-`
 *
 * Exit codes: 0 success; 1 a claim failed or an unexpected error; 2 bad input (a typed error naming the
 * argument or JSON field, printed to stderr; nothing is printed to stdout).
 */
import { parseArgs } from 'node:util';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { verifyCommand } from './verify.js';
import { theoryCommand, theoryRoutines } from './theory.js';
import { toyCommand, toys } from './toy.js';

const HELP = `deltastn — bilevel optimization of hyperparameters (STN, Δ-STN) with an exact theory kernel

Usage:
  deltastn verify [--claim ID]... [--runs N] [--seed S] [--json] [--log FILE]
      Check every registered claim (OBS-1, OBS-2, THM-3, APP-E, LIN) on N seeded random cases
      (default 100) plus the spec's reference values. Exit code 0 only if all hold.
  deltastn theory <routine> --input FILE.json     (or --input - for standard input)
      routines: ${Object.keys(theoryRoutines).join(', ')}. JSON in, JSON out. Matrices are arrays of rows;
      entries are numbers or rational strings such as "3/7".
  deltastn toy <${Object.keys(toys).join('|')}> [--data FILE.json] [--method M]... [--sigma S] [--seed S] [--out DIR] [--json]
      Run a toy experiment of the small bilevel engine; writes DIR/<toy>.json and SVG plots (default DIR: out).
      --data takes {Xtrain, ytrain, Xval, yval} (ridge, interaction).
  deltastn --help | --version

Bad input exits with code 2 and a message naming the field.`;

/** Entry point; returns the process exit code. `out`/`err` default to stdout/stderr. */
export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  err: (s: string) => void = (s) => process.stderr.write(s + '\n'),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'verify':
        return runVerify(rest, out, err);
      case 'theory':
        return runTheory(rest, out);
      case 'toy':
        return runToy(rest, out);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
        out('deltastn 0.1.0');
        return 0;
      default:
        throw new InvalidArgumentError('command', 'verify, theory or toy (see --help)', command);
    }
  } catch (e) {
    if (e instanceof DeltaStnError) {
      err(`deltastn: ${e.name}: ${e.message}`);
      return 2;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`deltastn: ${e.message}`);
      return 2;
    }
    err(`deltastn: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

function integerOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(name, `an integer ≥ ${min}`, value);
  return n;
}

function runVerify(args: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values } = parseArgs({
    args: [...args],
    options: {
      claim: { type: 'string', multiple: true },
      runs: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      log: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const claims = (values.claim ?? []).flatMap((c) => c.split(',')).filter((c) => c.length > 0);
  return verifyCommand(
    {
      claims,
      runs: integerOption(values.runs, '--runs', 100, 0),
      seed: integerOption(values.seed, '--seed', 0, -(2 ** 31)),
      json: values.json ?? false,
      log: values.log,
      progress: !values.json && process.stderr.isTTY === true,
    },
    out,
    err,
  );
}

function runTheory(args: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { input: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new InvalidArgumentError('routine', `one of ${Object.keys(theoryRoutines).join(', ')}`, positionals.join(' ') || 'nothing');
  out(JSON.stringify(theoryCommand(positionals[0], values.input), null, 2));
  return 0;
}

function runToy(args: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      data: { type: 'string' },
      method: { type: 'string', multiple: true },
      sigma: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new InvalidArgumentError('toy', `one of ${Object.keys(toys).join(', ')}`, positionals.join(' ') || 'nothing');
  let sigma: number | undefined;
  if (values.sigma !== undefined) {
    sigma = Number(values.sigma);
    if (!(sigma > 0) || !Number.isFinite(sigma)) throw new InvalidArgumentError('--sigma', 'a finite σ > 0', values.sigma);
  }
  const result = toyCommand(positionals[0], {
    data: values.data,
    methods: (values.method ?? []).flatMap((m) => m.split(',')).filter((m) => m.length > 0),
    sigma,
    seed: integerOption(values.seed, '--seed', 0, -(2 ** 31)),
    out: values.out ?? 'out',
    json: values.json ?? false,
  });
  out(result.text);
  return 0;
}
