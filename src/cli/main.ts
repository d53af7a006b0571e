/**
 * The `deltastn` command: one module per subcommand, each declaring its options once with the shared parser
 * (src/cli/options.ts), which also writes the usage text:
 * - `verify` (src/cli/verify.ts), `theory` (src/cli/theory.ts), `toy` (src/cli/toy.ts), `tune` (src/cli/tune.ts),
 *   `compare` (src/cli/compare.ts), `report` (src/cli/report.ts), `search` (src/cli/search.ts), `worker`
 *   (src/cli/worker.ts), `export` (src/cli/export.ts).
 *
 * `deltastn --help` prints every subcommand's usage (every option with its default and an example);
 * `deltastn <sub> --help` (or `-h`, anywhere on the line) prints one. A subcommand run without its required inputs
 * prints its usage on stderr and exits 2: `tune` needs --model, --dataset, --method and --out (or --resume DIR);
 * `theory` a routine and --input; `toy` a toy; `report` a DIR; `compare` and `search` run bare (which would start
 * a full-size study into out/) are refused the same way.
 *
 * Exit codes (the same for every subcommand): {@link EXIT_OK} success; {@link EXIT_FAILED} a claim failed
 * (`verify`) or an unexpected error (a bug: the stack trace is printed); {@link EXIT_BAD_INPUT} bad input — a
 * flag, an input file, an output path that cannot be created or written, a state file (checkpoint, log,
 * records, config) that is corrupt or foreign — with a one-line message on stderr naming the flag, file or
 * field, nothing on stdout, and nothing created on disk when it is detected before the run starts;
 * {@link EXIT_STOPPED} (`tune`) training stopped early on a non-finite loss (the reason on stderr; the
 * directory keeps the last good state).
 */
import { DeltaStnError, InvalidArgumentError } from '../errors.js';
import { VERIFY_SPEC, verifyMain } from './verify.js';
import { THEORY_SPEC, theoryMain } from './theory.js';
import { TOY_SPEC, toyMain } from './toy.js';
import { TUNE_SPEC, tuneCommand } from './tune.js';
import { COMPARE_SPEC, compareCommand } from './compare.js';
import { REPORT_SPEC, reportCommand } from './report.js';
import { SEARCH_SPEC, searchCommand } from './search.js';
import { WORKER_SPEC, workerCommand } from './worker.js';
import { EXPORT_SPEC, exportCommand } from './export.js';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_STOPPED, MissingOptionError, commandUsage, type CommandSpec } from './options.js';

export { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_STOPPED };

type Out = (s: string) => void;

/** The subcommands, in the order of the help: their declaration and their entry point. */
const COMMANDS: Record<string, { spec: CommandSpec; run: (args: readonly string[], out: Out, err: Out) => number | Promise<number>; needs?: string }> = {
  verify: { spec: VERIFY_SPEC, run: verifyMain },
  theory: { spec: THEORY_SPEC, run: theoryMain, needs: 'a routine and --input FILE' },
  toy: { spec: TOY_SPEC, run: toyMain, needs: 'a toy name' },
  tune: { spec: TUNE_SPEC, run: tuneCommand, needs: '--model, --dataset, --method and --out (or --resume DIR)' },
  compare: { spec: COMPARE_SPEC, run: compareCommand, needs: 'at least one option (run bare it would start a full-size study into out/; e.g. --model mlp --dataset mnist)' },
  search: { spec: SEARCH_SPEC, run: searchCommand, needs: 'at least one option (run bare it would start a full-size search into out/; e.g. --space mlp-cell --dataset mnist)' },
  report: { spec: REPORT_SPEC, run: (args, out) => reportCommand(args, out), needs: 'a run directory DIR' },
  worker: { spec: WORKER_SPEC, run: workerCommand, needs: '--study NAME and --storage URL' },
  export: { spec: EXPORT_SPEC, run: (args, out) => exportCommand(args, out), needs: '--study NAME, --storage URL and --out DIR' },
};

const EXIT_CODES = `Exit codes: 0 success; 1 a claim failed (verify) or an unexpected error; 2 bad input (a flag, an input or state
file, an output path, a missing required option), with one line on stderr naming it; 3 tune stopped early on a
non-finite loss.`;

/** `deltastn --help`: every subcommand's usage. */
export function help(): string {
  return [
    'deltastn — bilevel optimization of hyperparameters (STN, Δ-STN) with an exact theory kernel',
    '',
    'Usage:',
    ...Object.values(COMMANDS).flatMap((c) => [commandUsage(c.spec), `      Example: ${c.spec.example}`, '']),
    '  deltastn <command> --help     one command\'s usage',
    '  deltastn --help | --version',
    '',
    'The perturbation scale is spelled σ / --sigma / "sigma" everywhere (toy, tune, theory JSON).',
    EXIT_CODES,
  ].join('\n');
}

/** `deltastn <command> --help`: the command's usage (synopsis, every option), an example, and the exit codes. */
export function usage(command: string): string {
  const c = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!c) throw new InvalidArgumentError('command', Object.keys(COMMANDS).join(', '), command);
  return ['Usage:', commandUsage(c.spec), '', 'Example:', `  ${c.spec.example}`, '', EXIT_CODES].join('\n');
}

/** Entry point; returns the process exit code. `out`/`err` default to stdout/stderr. */
export async function main(argv: readonly string[], out: Out = (s) => process.stdout.write(s + '\n'), err: Out = (s) => process.stderr.write(s + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command !== undefined && Object.hasOwn(COMMANDS, command)) {
      const c = COMMANDS[command];
      // --help wins over everything else on the line (even bad flags): it is read before the options are parsed.
      if (rest.includes('--help') || rest.includes('-h')) {
        out(usage(command));
        return EXIT_OK;
      }
      if (rest.length === 0 && c.needs !== undefined) {
        err(usage(command));
        err(`deltastn: ${command} needs ${c.needs} (usage above)`);
        return EXIT_BAD_INPUT;
      }
      return await c.run(rest, out, err);
    }
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(help());
        return command === undefined ? EXIT_BAD_INPUT : EXIT_OK;
      case '--version':
        out('deltastn 0.1.0');
        return EXIT_OK;
      default:
        throw new InvalidArgumentError('command', `${Object.keys(COMMANDS).join(', ')} (see --help)`, command.length > 60 ? command.slice(0, 59) + '…' : command);
    }
  } catch (e) {
    if (e instanceof MissingOptionError) {
      err(usage(e.command));
      err(`deltastn: ${e.name}: ${oneLine(e.message)}`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof DeltaStnError) {
      err(`deltastn: ${e.name}: ${oneLine(e.message)}`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`deltastn: ${oneLine(e.message)}`);
      return EXIT_BAD_INPUT;
    }
    err(`deltastn: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    return EXIT_FAILED;
  }
}

/** A message on one line, at most 600 characters (a hostile value can be long or hold newlines). */
function oneLine(message: string): string {
  const flat = message.replace(/[\r\n]+/g, ' ');
  return flat.length > 600 ? flat.slice(0, 599) + '…' : flat;
}
