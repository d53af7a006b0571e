/**
 * The shared option parser (src/cli/options.ts, issue 13), fuzzed with fast-check (seeded by test/setup.ts):
 * numbers and integers against their ranges, enums, lists, strings, defaults, required options (and the option
 * that waives them), old spellings, and the usage text generated from the same declaration. Then every
 * subcommand's declaration: its usage names every option the parser accepts.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { MissingOptionError, commandUsage, expectedText, parseCommand, synopsis, type CommandSpec, type OptionSpec } from '../../src/cli/options.js';
import { TUNE_SPEC } from '../../src/cli/tune.js';
import { COMPARE_SPEC } from '../../src/cli/compare.js';
import { REPORT_SPEC } from '../../src/cli/report.js';
import { SEARCH_SPEC } from '../../src/cli/search.js';
import { TOY_SPEC } from '../../src/cli/toy.js';
import { THEORY_SPEC } from '../../src/cli/theory.js';
import { VERIFY_SPEC } from '../../src/cli/verify.js';

/** A command with one option `x` of spec `o`. */
const one = (o: OptionSpec): CommandSpec => ({ name: 'cmd', summary: 'test', options: { x: o }, example: 'deltastn cmd --x 1' });

/** The error `f` throws (or undefined). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Text that is not a number (or not a finite one) for `Number`. */
const JUNK = ['', ' ', 'abc', 'NaN', 'Infinity', '-Infinity', '1e400', '0x', '1,2', '½', '1 2', '--'];

describe('numbers and integers: accepted exactly when finite (an integer if asked) and in range; else an error naming the flag', () => {
  const range = fc.record({
    min: fc.option(fc.integer({ min: -50, max: 50 }), { nil: undefined }),
    span: fc.integer({ min: 0, max: 100 }),
    hasMax: fc.boolean(),
    minExclusive: fc.boolean(),
    maxExclusive: fc.boolean(),
  });

  test('integers', () => {
    fc.assert(
      // Values near the ends of the range half of the time (the boundaries are where an off-by-one hides).
      fc.property(range, fc.oneof(fc.integer({ min: -200, max: 200 }), fc.constantFrom(2 ** 53, -(2 ** 53))), fc.integer({ min: -1, max: 1 }), fc.constantFrom('any', 'min', 'max'), ({ min, span, hasMax, minExclusive, maxExclusive }, anyN, offset, near) => {
        const max = hasMax && min !== undefined ? min + span : undefined;
        const n = near === 'min' && min !== undefined ? min + offset : near === 'max' && max !== undefined ? max + offset : anyN;
        const o: OptionSpec = { type: 'integer', description: 'n', min, max, minExclusive, maxExclusive };
        const ok = Number.isSafeInteger(n) && (min === undefined || (minExclusive ? n > min : n >= min)) && (max === undefined || (maxExclusive ? n < max : n <= max));
        // `--x=-3`: node's parseArgs reads a leading '-' as a flag after a space, not after '='.
        const e = thrown(() => parseCommand(one(o), [`--x=${n}`]));
        if (ok) {
          expect(e).toBeUndefined();
          expect(parseCommand(one(o), [`--x=${n}`]).values.x).toBe(n);
        } else {
          expect(e).toBeInstanceOf(InvalidArgumentError);
          expect((e as InvalidArgumentError).argument).toBe('--x');
          expect((e as Error).message).toContain(expectedText(o));
        }
      }),
    );
  });

  test('numbers (any double, and text that is not one)', () => {
    fc.assert(
      fc.property(range, fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(...JUNK), fc.integer({ min: -60, max: 160 }).map((n) => n / 2)), fc.constantFrom(-0.5, 0, 0.5), fc.constantFrom('any', 'min', 'max'), ({ min, span, hasMax, minExclusive, maxExclusive }, anyV, offset, near) => {
        const max = hasMax && min !== undefined ? min + span : undefined;
        const v = near === 'min' && min !== undefined ? min + offset : near === 'max' && max !== undefined ? max + offset : anyV;
        const o: OptionSpec = { type: 'number', description: 'x', min, max, minExclusive, maxExclusive };
        const text = typeof v === 'number' ? String(v) : v;
        const n = text.trim() === '' ? NaN : Number(text);
        const ok = Number.isFinite(n) && (min === undefined || (minExclusive ? n > min : n >= min)) && (max === undefined || (maxExclusive ? n < max : n <= max));
        const e = thrown(() => parseCommand(one(o), [`--x=${text}`]));
        if (ok) expect(parseCommand(one(o), [`--x=${text}`]).values.x).toBe(n);
        else expect((e as InvalidArgumentError).argument).toBe('--x');
      }),
    );
  });

  test('the last of a repeated number wins (as node and the old parsers did)', () => {
    expect(parseCommand(one({ type: 'integer', description: 'n' }), ['--x', '1', '--x', '2']).values.x).toBe(2);
  });
});

describe('enums, lists, strings, booleans', () => {
  const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);

  test('an enum takes exactly its choices; the error lists them', () => {
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 5 }), word, (choices, v) => {
        const o: OptionSpec = { type: 'enum', choices, description: 'e' };
        const e = thrown(() => parseCommand(one(o), ['--x', v]));
        if (choices.includes(v)) expect(parseCommand(one(o), ['--x', v]).values.x).toBe(v);
        else {
          expect((e as InvalidArgumentError).argument).toBe('--x');
          for (const c of choices) expect((e as Error).message).toContain(c);
        }
      }),
    );
  });

  test('a list: items of its choices, comma-separated or repeated, spaces trimmed; a repeat or an empty list refused', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(word, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(9), { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        (choices, picks, repeats, split) => {
          const items = picks.map((i) => choices[i % choices.length]);
          const o: OptionSpec = { type: 'list', choices, repeats, description: 'l' };
          const args = split ? items.flatMap((i) => ['--x', ` ${i} `]) : ['--x', items.join(', ')];
          const distinct = new Set(items).size === items.length;
          const e = thrown(() => parseCommand(one(o), args));
          if (split && items.length === 0) expect(parseCommand(one(o), args).values.x).toBeUndefined(); // not given at all
          else if (items.length > 0 && (repeats || distinct)) expect(parseCommand(one(o), args).values.x).toEqual(items);
          else expect((e as InvalidArgumentError).argument).toBe('--x');
        },
      ),
    );
  });

  test('a list of integers: each item in range', () => {
    const o: OptionSpec = { type: 'list', items: 'integer', repeats: true, min: 1, description: 'milestones' };
    expect(parseCommand(one(o), ['--x', '60,120, 180']).values.x).toEqual([60, 120, 180]);
    for (const bad of ['0', 'a', '1,x', '1.5', ',', '1,0']) expect((thrown(() => parseCommand(one(o), [`--x=${bad}`])) as InvalidArgumentError).argument).toBe('--x');
  });

  test('a string: not empty, and its own check', () => {
    const o: OptionSpec = {
      type: 'string',
      description: 's',
      check: (t, flag) => {
        if (t === 'bad') throw new InvalidArgumentError(flag, 'not bad', t);
      },
    };
    expect(parseCommand(one(o), ['--x', 'fine']).values.x).toBe('fine');
    expect((thrown(() => parseCommand(one(o), ['--x', ''])) as InvalidArgumentError).argument).toBe('--x');
    expect((thrown(() => parseCommand(one(o), ['--x', 'bad'])) as InvalidArgumentError).argument).toBe('--x');
  });

  test('booleans take no value; unknown flags, missing values and stray words are node\u2019s typed errors naming them', () => {
    const spec: CommandSpec = { name: 'cmd', summary: 's', options: { b: { type: 'boolean', description: 'b' }, n: { type: 'integer', description: 'n' } }, example: '' };
    expect(parseCommand(spec, ['--b']).values.b).toBe(true);
    for (const [args, word] of [[['--bogus'], 'bogus'], [['--n'], '--n'], [['stray'], 'stray'], [['--b=1'], '--b']] as const) {
      const e = thrown(() => parseCommand(spec, args)) as NodeJS.ErrnoException;
      expect(e).toBeInstanceOf(TypeError);
      expect(e.code).toMatch(/^ERR_PARSE_ARGS/);
      expect(e.message).toContain(word);
    }
  });
});

describe('defaults, given options, required options', () => {
  const spec = {
    name: 'cmd',
    summary: 's',
    requiredUnless: 'resume',
    options: {
      model: { type: 'enum', choices: ['a', 'b'], required: true, description: 'm' },
      out: { type: 'string', required: true, value: 'DIR', description: 'o' },
      resume: { type: 'string', value: 'DIR', description: 'r' },
      epochs: { type: 'integer', min: 1, default: 3, description: 'e' },
    },
    example: 'deltastn cmd --model a --out x',
  } as const satisfies CommandSpec;

  test('property: the defaults fill what is not given; `given` is exactly what was given', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }), (useResume, epochs) => {
        const args = [...(useResume ? ['--resume', 'r'] : ['--model', 'a', '--out', 'o']), ...(epochs === undefined ? [] : ['--epochs', String(epochs)])];
        const p = parseCommand(spec, args);
        expect(p.values.epochs).toBe(epochs ?? 3);
        expect([...p.given].sort()).toEqual([...(useResume ? ['resume'] : ['model', 'out']), ...(epochs === undefined ? [] : ['epochs'])].sort());
      }),
    );
  });

  test('property: a missing required option is a MissingOptionError naming the first one missing, unless --resume is given', () => {
    fc.assert(
      fc.property(fc.subarray(['model', 'out'] as const), fc.boolean(), (present, resume) => {
        const args = [...present.flatMap((k) => [`--${k}`, k === 'model' ? 'a' : 'dir']), ...(resume ? ['--resume', 'r'] : [])];
        const e = thrown(() => parseCommand(spec, args));
        const missing = (['model', 'out'] as const).filter((k) => !present.includes(k));
        if (resume || missing.length === 0) expect(e).toBeUndefined();
        else {
          expect(e).toBeInstanceOf(MissingOptionError);
          expect((e as MissingOptionError).argument).toBe(`--${missing[0]}`);
          expect((e as MissingOptionError).command).toBe('cmd');
          expect((e as Error).message).toContain('--model and --out (or --resume DIR alone)');
        }
      }),
    );
  });

  test('a bad value is named before a missing required option', () => {
    expect((thrown(() => parseCommand(spec, ['--epochs', '0'])) as InvalidArgumentError).argument).toBe('--epochs');
    expect(thrown(() => parseCommand(spec, ['--epochs', '0']))).not.toBeInstanceOf(MissingOptionError);
  });

  test('an old spelling works, with a deprecation note; both spellings at once are refused', () => {
    const s: CommandSpec = { name: 'toy', summary: 's', options: { sigma: { type: 'number', min: 0, minExclusive: true, aliases: ['scale'], description: 'σ' } }, example: '' };
    const notes: string[] = [];
    const p = parseCommand(s, ['--scale', '0.5'], (n) => notes.push(n));
    expect(p.values.sigma).toBe(0.5);
    expect(p.given.has('sigma')).toBe(true);
    expect(notes).toEqual(['deltastn toy: --scale is deprecated: it is now spelled --sigma (the old spelling still works)']);
    expect((thrown(() => parseCommand(s, ['--scale', '-1'])) as Error).message).toContain('--scale'); // the spelling the user typed
    expect((thrown(() => parseCommand(s, ['--scale', '1', '--sigma', '2'])) as InvalidArgumentError).argument).toBe('--sigma');
  });
});

describe('usage from the declaration', () => {
  const optionArb: fc.Arbitrary<OptionSpec> = fc.oneof(
    fc.record({ type: fc.constant('integer' as const), description: fc.constant('an integer'), min: fc.integer({ min: 0, max: 5 }), default: fc.integer({ min: 5, max: 9 }), example: fc.integer({ min: 5, max: 9 }).map(String) }),
    fc.record({ type: fc.constant('number' as const), description: fc.constant('a number'), min: fc.constant(0), minExclusive: fc.constant(true), defaultText: fc.constantFrom('1', 'the toy\u2019s own'), example: fc.constantFrom('0.5', '2') }),
    fc.record({ type: fc.constant('enum' as const), description: fc.constant('a choice'), choices: fc.constant(['aa', 'bb']), default: fc.constantFrom('aa', 'bb'), example: fc.constant('bb') }),
    fc.record({ type: fc.constant('boolean' as const), description: fc.constant('a switch'), example: fc.constant('') }),
  );

  test('property: every option appears with its form, its default and its example; the synopsis shows the required ones', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{2,8}(-[a-z]{2,5})?$/), fc.tuple(optionArb, fc.boolean()), { minKeys: 1, maxKeys: 6 }), (entries) => {
        const options = Object.fromEntries(Object.entries(entries).map(([k, [o, req]]) => [k, o.type === 'boolean' ? o : { ...o, required: req }]));
        const spec: CommandSpec = { name: 'cmd', summary: 'does things', options, example: 'deltastn cmd' };
        const text = commandUsage(spec);
        const flat = text.replace(/\s+/g, ' ');
        for (const [k, o] of Object.entries(options)) {
          expect(text).toMatch(new RegExp(`^ {8}--${k}( |$)`, 'm'));
          if (o.type !== 'boolean') expect(flat).toContain(`default ${o.defaultText ?? String(o.default)}`);
          expect(flat).toContain(`e.g. --${k}${o.type === 'boolean' ? '' : ` ${o.example}`}`);
          if (o.required) expect(synopsis(spec)).toContain(`--${k} `);
        }
        for (const line of text.split('\n').slice(1)) expect(line.length).toBeLessThanOrEqual(112);
      }),
    );
  });

  test.each([TUNE_SPEC, COMPARE_SPEC, SEARCH_SPEC, TOY_SPEC, THEORY_SPEC, VERIFY_SPEC, REPORT_SPEC] as CommandSpec[])('$name: the usage names every option the parser accepts, and its example parses', (spec) => {
    const text = commandUsage(spec);
    for (const k of Object.keys(spec.options)) expect(text).toContain(`--${k}`);
    for (const [k, o] of Object.entries(spec.options)) {
      if (o.type === 'boolean' || o.example === undefined) continue;
      // Each option's example value is a valid value (checks of the file system aside).
      if (o.check === undefined) expect(() => parseCommand({ ...spec, positionals: undefined, requiredUnless: undefined, options: { [k]: { ...o, required: false } } }, [`--${k}=${o.example}`])).not.toThrow();
    }
  });
});
