/**
 * Fuzzing every subcommand's argument parser but `theory` (tune, compare, search, toy, verify, report) in-process
 * (`main`, src/cli/main.ts), fast-check seeded by test/setup.ts.
 *
 * Each case is a command line of valid flags (drawn from a pool of CI-sized values, in random order) with
 * exactly one bad thing injected: a bad value for one flag, an unknown flag, a flag without its value, a stray
 * positional, or an output path that cannot be used (an existing file, a path below a file, /proc/x). The
 * contract checked for every case:
 * - exit code 2 (bad input), nothing on stdout;
 * - stderr ends with one line `deltastn: …` that names the flag (or the stray word) at fault, and holds no stack
 *   trace;
 * - nothing is left on disk (the scratch directory's listing, recursively, is unchanged);
 * - the call returns within {@link BUDGET_MS} (every check happens before any training or claim runs).
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runCli, temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();
const root = tmp('deltastn-fuzz-args-');
const taken = join(root, 'taken-file');
writeFileSync(taken, 'x');
const existingDir = join(root, 'existing-dir');
mkdirSync(existingDir);
let fresh = 0;

/** Per call: generous for a loaded CI machine, far below any training or claim run. */
const BUDGET_MS = 3000;

/** Every path under `dir`, with its kind and size (what "nothing left on disk" compares). */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      out.push(`${relative(root, p)} ${st.isDirectory() ? 'dir' : st.size}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** A flag's valid values (CI-sized) and bad values. */
interface FlagSpec {
  valid: fc.Arbitrary<string>;
  bad: fc.Arbitrary<string>;
}

const BAD_NUMBER_TEXT = ['', ' ', 'abc', 'NaN', 'Infinity', '-Infinity', '1e400', '0x', '1,2', '--', '½', '1 2'];
const badInt = (min: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...BAD_NUMBER_TEXT, String(min - 1), String(min - 0.5), '1.5', '-7', '9007199254740993.5'),
    fc.string({ maxLength: 8 }).filter((s) => !(Number.isInteger(Number(s)) && Number(s) >= min && s.trim() !== '')),
  );
const badPositive = fc.oneof(fc.constantFrom(...BAD_NUMBER_TEXT, '0', '-1', '-0', '-1e-300'), fc.string({ maxLength: 8 }).filter((s) => !(Number(s) > 0 && Number.isFinite(Number(s)))));
const badWord = (valid: readonly string[]): fc.Arbitrary<string> => fc.string({ maxLength: 12 }).filter((s) => !valid.includes(s) && !s.split(',').every((p) => valid.includes(p.trim()) || p.trim() === ''));
const int = (lo: number, hi: number): fc.Arbitrary<string> => fc.integer({ min: lo, max: hi }).map(String);
const pick = (...xs: string[]): fc.Arbitrary<string> => fc.constantFrom(...xs);
const badDataDir = fc.constantFrom(join(root, 'no-such-dir'), taken);

const SUBCOMMANDS: Record<string, { positional?: string[]; flags: Record<string, FlagSpec>; outFlag?: string; required?: string[] }> = {
  tune: {
    outFlag: '--out',
    // Required since issue 13 (with --out, which every command line here carries): always among the valid flags.
    required: ['--model', '--dataset', '--method'],
    flags: {
      '--model': { valid: pick('mlp'), bad: badWord(['mlp', 'cnn', 'alexnet']) },
      '--dataset': { valid: pick('mnist'), bad: badWord(['mnist', 'fashion-mnist', 'cifar10']) },
      '--method': { valid: pick('delta-stn', 'stn', 'fixed', 'centered-stn', 'delta-stn-linearized'), bad: fc.oneof(pick('darts1', 'darts2'), badWord(['delta-stn', 'stn', 'fixed', 'centered-stn', 'delta-stn-linearized'])) },
      '--epochs': { valid: int(1, 2), bad: badInt(1) },
      '--seed': { valid: int(0, 99), bad: badInt(0) },
      '--batch-size': { valid: int(16, 64), bad: badInt(1) },
      '--train-size': { valid: int(64, 128), bad: badInt(0) },
      '--width': { valid: pick('0.02', '0.03'), bad: badPositive },
      '--warmup': { valid: int(0, 1), bad: badInt(0) },
      '--lr': { valid: pick('0.01', '0.05'), bad: badPositive },
      '--lr-hyper': { valid: pick('0.01', '0.03'), bad: badPositive },
      '--lr-gamma': { valid: pick('0.5'), bad: badPositive },
      '--patience': { valid: int(1, 3), bad: badInt(1) },
      '--lr-milestones': { valid: pick('1', '1,2'), bad: pick('0', 'a', '1,x', '-1', '1.5') },
      '--hparams': { valid: pick('dropout1=0.1', 'dropout1=0.2,dropout2=0.3'), bad: pick('dropout1=5', 'dropout1=', '=0.1', 'nosuch=0.1', 'dropout1=0.1,dropout1=0.2', 'a=1=2', 'dropout1=-1', 'dropout1=NaN') },
      '--backend': { valid: pick('cpu'), bad: badWord(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu', 'webgpu']) },
      '--data-dir': { valid: pick(existingDir), bad: badDataDir },
      '--resume': { valid: fc.constant(''), bad: fc.constantFrom(join(root, 'no-such-run'), existingDir, taken, '') },
    },
  },
  compare: {
    outFlag: '--out',
    flags: {
      '--model': { valid: pick('mlp'), bad: badWord(['mlp', 'cnn', 'alexnet']) },
      '--dataset': { valid: pick('mnist'), bad: badWord(['mnist', 'fashion-mnist', 'cifar10']) },
      '--methods': { valid: pick('random', 'delta-stn,random', 'bayes'), bad: badWord(['delta-stn', 'delta-stn-linearized', 'stn', 'centered-stn', 'random', 'bayes']) },
      '--seeds': { valid: int(1, 2), bad: badInt(1) },
      '--seed': { valid: int(0, 9), bad: badInt(0) },
      '--budget-epochs': { valid: pick('1'), bad: badInt(1) },
      '--trial-epochs': { valid: pick('1'), bad: badInt(1) },
      '--train-size': { valid: int(64, 128), bad: badInt(0) },
      '--width': { valid: pick('0.02'), bad: badPositive },
      '--workers': { valid: int(1, 2), bad: badInt(1) },
      '--batch-size': { valid: int(16, 64), bad: badInt(1) },
      '--warmup': { valid: pick('0'), bad: badInt(0) },
      '--lr': { valid: pick('0.01'), bad: badPositive },
      '--lr-hyper': { valid: pick('0.01'), bad: badPositive },
      '--backend': { valid: pick('cpu'), bad: badWord(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu', 'webgpu']) },
      '--data-dir': { valid: pick(existingDir), bad: badDataDir },
    },
  },
  search: {
    outFlag: '--out',
    flags: {
      '--space': { valid: pick('mlp-cell'), bad: badWord(['mlp-cell', 'cnn-cell']) },
      '--dataset': { valid: pick('mnist'), bad: badWord(['mnist', 'fashion-mnist']) },
      '--method': { valid: pick('random', 'darts1,random', 'delta-stn'), bad: badWord(['darts1', 'darts2', 'delta-stn', 'delta-stn-linearized', 'stn', 'random']) },
      '--seeds': { valid: pick('1'), bad: badInt(1) },
      '--seed': { valid: int(0, 9), bad: badInt(0) },
      '--search-epochs': { valid: pick('1'), bad: badInt(1) },
      '--retrain-epochs': { valid: pick('1'), bad: badInt(1) },
      '--nodes': { valid: int(1, 2), bad: badInt(1) },
      '--width': { valid: int(4, 8), bad: badInt(1) },
      '--train-size': { valid: int(64, 128), bad: badInt(0) },
      '--batch-size': { valid: int(16, 64), bad: badInt(1) },
      '--lr': { valid: pick('0.05'), bad: badPositive },
      '--lr-hyper': { valid: pick('0.03'), bad: badPositive },
      '--train-steps': { valid: int(1, 2), bad: badInt(1) },
      '--darts-scale': { valid: pick('0.01'), bad: badPositive },
      '--darts-xi': { valid: pick('0', '0.05'), bad: fc.constantFrom('-1', 'abc', '', 'NaN', 'Infinity') },
      '--workers': { valid: pick('1'), bad: badInt(1) },
      '--backend': { valid: pick('cpu'), bad: badWord(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu', 'webgpu']) },
      '--data-dir': { valid: pick(existingDir), bad: badDataDir },
    },
  },
  toy: {
    positional: ['ridge', 'jacobian', 'conditioning', 'interaction', 'nas'],
    outFlag: '--out',
    flags: {
      '--sigma': { valid: pick('0.5', '1'), bad: badPositive },
      '--seed': { valid: int(0, 9), bad: badInt(-(2 ** 31)) },
    },
  },
  verify: {
    flags: {
      '--claim': { valid: pick('LIN', 'OBS-1', 'thm-3'), bad: badWord(['OBS-1', 'OBS-2', 'THM-3', 'APP-E', 'LIN', 'obs-1', 'obs-2', 'thm-3', 'app-e', 'lin']) },
      '--runs': { valid: int(0, 1), bad: badInt(0) },
      '--seed': { valid: int(0, 9), bad: badInt(-(2 ** 31)) },
      '--log': { valid: fc.constant(''), bad: fc.constantFrom(existingDir, join(taken, 'below.jsonl'), join(root, 'no', 'such', 'x.jsonl'), '/proc/x') },
    },
  },
};

/** One injected fault: the argv to add and the text stderr must name. */
type Fault = { args: string[]; names: string };

function faultFor(cmd: string): fc.Arbitrary<Fault> {
  const spec = SUBCOMMANDS[cmd];
  const flags = Object.keys(spec.flags);
  const badValue = fc.constantFrom(...flags).chain((flag) => spec.flags[flag].bad.map((v): Fault => ({ args: [flag, v], names: flag })));
  const unknown = fc.constantFrom('--bogus', '--epoch', '--out-dir', '-x', '--lr_hyper').map((f): Fault => ({ args: [f], names: f.replace(/^-+/, '') }));
  const missingValue = fc.constantFrom(...flags).map((flag): Fault => ({ args: [flag], names: flag }));
  const stray = spec.positional ? fc.constant<Fault>({ args: ['stray-word'], names: 'stray-word' }) : fc.constant<Fault>({ args: ['stray-word'], names: 'stray-word' });
  const out = spec.outFlag
    ? fc.constantFrom(taken, join(taken, 'below'), ...(existsSync('/proc/self') ? ['/proc/x', '/proc/x/y'] : [])).map((p): Fault => ({ args: [spec.outFlag as string, p], names: spec.outFlag as string }))
    : badValue;
  return fc.oneof({ arbitrary: badValue, weight: 6 }, { arbitrary: unknown, weight: 1 }, { arbitrary: missingValue, weight: 1 }, { arbitrary: stray, weight: 1 }, { arbitrary: out, weight: 2 });
}

/** Valid flags (a random subset, each once, in random order) for a subcommand, without `skip`. */
function validFlags(cmd: string, skip: string): fc.Arbitrary<string[]> {
  const spec = SUBCOMMANDS[cmd];
  // --resume and --log take a fresh path that is filled in at run time (''), and are left out of the valid pool.
  const flags = Object.keys(spec.flags).filter((f) => f !== skip && f !== '--resume' && f !== '--log' && f !== '--workers');
  const required = (spec.required ?? []).filter((f) => f !== skip);
  return fc.subarray(flags.filter((f) => !required.includes(f))).map((chosen) => [...required, ...chosen]).chain((chosen) => fc.tuple(...chosen.map((f) => spec.flags[f].valid.map((v) => [f, v]))).chain((pairs) => fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length })).map((pairs) => pairs.flat()));
}

function commandLine(cmd: string): fc.Arbitrary<{ argv: string[]; names: string }> {
  const spec = SUBCOMMANDS[cmd];
  return faultFor(cmd).chain((fault) =>
    fc.tuple(validFlags(cmd, fault.args[0]), spec.positional ? fc.constantFrom(...spec.positional) : fc.constant(null), fc.boolean()).map(([valid, positional, faultFirst]) => {
      const flagsPart = faultFirst ? [...fault.args, ...valid] : [...valid, ...fault.args];
      // A fault that is a flag without its value must come last (else it swallows the next word as its value).
      const ordered = fault.args.length === 1 && fault.args[0].startsWith('--') && fault.names === fault.args[0] ? [...valid, ...fault.args] : flagsPart;
      const out = spec.outFlag && fault.names !== spec.outFlag && fault.names !== '--resume' ? [spec.outFlag, join(root, `fresh-${fresh++}`)] : [];
      const argv = [cmd, ...(positional ? [positional] : []), ...out, ...ordered];
      return { argv, names: fault.names };
    }),
  );
}

describe('argument fuzzing: one bad thing in an otherwise valid command line → exit 2 naming it, no stack, nothing on disk, fast', () => {
  for (const cmd of Object.keys(SUBCOMMANDS)) {
    test(`${cmd}`, async () => {
      const before = listing(root);
      await fc.assert(
        fc.asyncProperty(commandLine(cmd), async ({ argv, names }) => {
          const t0 = performance.now();
          const r = await runCli(...argv);
          const ms = performance.now() - t0;
          const lines = r.err.trim().split('\n');
          const last = lines[lines.length - 1];
          const ok = r.code === 2 && r.out === '' && /^deltastn: /.test(last) && !/\n\s+at /.test(r.err) && last.includes(names) && ms < BUDGET_MS;
          if (!ok) throw new Error(`argv ${JSON.stringify(argv)}: code ${r.code}, ${ms.toFixed(0)} ms, expected the message to name ${JSON.stringify(names)}; stderr: ${r.err.slice(0, 400)}; stdout: ${r.out.slice(0, 200)}`);
          expect(listing(root)).toEqual(before);
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  }

  test('report: wrong positional counts, a missing directory, a file, a directory of no known kind', async () => {
    const before = listing(root);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant<string[]>([]),
          fc.tuple(fc.constantFrom(existingDir, root), fc.constantFrom(existingDir, 'x')).map(([a, b]) => [a, b]),
          fc.constantFrom(join(root, 'missing'), taken, existingDir, '/proc/x', '').map((p) => [p]),
          fc.string({ maxLength: 10 }).filter((s) => s.length > 0 && !s.startsWith('-') && !existsSync(s)).map((s) => [join(root, 'nope', s)]),
        ),
        async (args) => {
          const r = await runCli('report', ...args);
          const lines = r.err.trim().split('\n');
          const ok = r.code === 2 && r.out === '' && /^deltastn: .*DIR/.test(lines[lines.length - 1]) && !/\n\s+at /.test(r.err);
          if (!ok) throw new Error(`report ${JSON.stringify(args)}: code ${r.code}; stderr: ${r.err.slice(0, 400)}`);
          expect(listing(root)).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
