/**
 * The one option parser of the `deltastn` subcommands. Each subcommand declares its options once
 * ({@link CommandSpec}): type (number, integer, string, boolean, enum, list), range, default, description and an
 * example value. The same declaration parses the command line ({@link parseCommand}: node:util `parseArgs`
 * underneath, then a typed check of every value) and writes the usage text ({@link commandUsage},
 * {@link synopsis}), so that `deltastn <sub> --help` lists exactly the options the parser accepts.
 *
 * Errors: a value of the wrong type or out of range, an enum or list item not among its choices, a repeated list
 * item, or an empty list is an {@link InvalidArgumentError} naming the flag (`--epochs`) and what was expected; a
 * missing required option is a {@link MissingOptionError} (the CLI prints the usage, then the one-line message,
 * exit code 2). Unknown flags, a flag without its value and stray words are node's `ERR_PARSE_ARGS_*` errors
 * (they name the flag or word).
 *
 * Numbers: the text is read by `Number` after trimming; an empty text, NaN and ±∞ are refused; an integer must be
 * a safe integer. A range is `min`/`max`, each inclusive unless `minExclusive`/`maxExclusive`.
 */
import { parseArgs } from 'node:util';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';

/** Exit code: success. */
export const EXIT_OK = 0;
/** Exit code: a claim failed (`verify`), or an unexpected error (printed with its stack trace). */
export const EXIT_FAILED = 1;
/** Exit code: bad input (a flag, an input or state file, an output path); a one-line message names it. */
export const EXIT_BAD_INPUT = 2;
/** Exit code of `tune`: training stopped early on a non-finite loss (the reason on stderr). */
export const EXIT_STOPPED = 3;

/** The kinds of value an option takes. */
export type OptionType = 'number' | 'integer' | 'string' | 'boolean' | 'enum' | 'list';

/** One declared option (the key of {@link CommandSpec.options} is the flag without its dashes). */
export interface OptionSpec {
  readonly type: OptionType;
  /** What it sets (one line of the usage). */
  readonly description: string;
  /** The placeholder of its value in the usage (N, X, DIR, …); boolean options have none. */
  readonly value?: string;
  /** `enum`: the accepted values; `list`: the accepted items (absent: any non-empty item). */
  readonly choices?: readonly string[];
  /** `list`: each item's type (default `string`). */
  readonly items?: 'string' | 'integer';
  /** `list`: whether an item may appear twice (default false: a repeated item is refused). */
  readonly repeats?: boolean;
  /** Range of a number, an integer, or a list's integer items: `min` (inclusive unless `minExclusive`). */
  readonly min?: number;
  readonly minExclusive?: boolean;
  /** Range: `max` (inclusive unless `maxExclusive`). */
  readonly max?: number;
  readonly maxExclusive?: boolean;
  /** The value used when the option is absent (also printed in the usage). */
  readonly default?: number | string | boolean;
  /** The default as words, for a default that depends on other options (documentation only). */
  readonly defaultText?: string;
  /** An example value for the usage (`--epochs 10`); a boolean's example is the bare flag. */
  readonly example?: string;
  /** Whether the command needs it (see {@link CommandSpec.requiredUnless}). */
  readonly required?: boolean;
  /** What a bad value should have been, when the generated words are not enough (enum and list errors). */
  readonly expected?: string;
  /** `string`: a further check of the text (e.g. that a directory exists); throws a typed error naming `flag`. */
  readonly check?: (text: string, flag: string) => void;
  /** Old spellings still accepted (each with a deprecation note on stderr), e.g. `scale` for `sigma`. */
  readonly aliases?: readonly string[];
}

/** A positional argument (theory's routine, toy's name, report's DIR). */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly choices?: readonly string[];
}

/** A subcommand: its options, positionals, what it needs, and how it is described. */
export interface CommandSpec {
  readonly name: string;
  /** Description lines of the usage (what the command does, what it writes). */
  readonly summary: string;
  readonly positionals?: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The options marked `required` are needed unless this option is given (tune: `resume`). */
  readonly requiredUnless?: string;
  /** Options shown in the one-line synopsis without brackets although optional (their default is documented). */
  readonly headline?: readonly string[];
  /** One example command line. */
  readonly example: string;
}

/** The parsed value of an option of spec `O`. */
export type OptionValue<O extends OptionSpec> = O['type'] extends 'number' | 'integer'
  ? number
  : O['type'] extends 'boolean'
    ? boolean
    : O['type'] extends 'list'
      ? O['items'] extends 'integer'
        ? number[]
        : O['choices'] extends readonly (infer C)[]
          ? C[]
          : string[]
      : O['type'] extends 'enum'
        ? O['choices'] extends readonly (infer C)[]
          ? C
          : string
        : string;

/** The values of a command's options: those with a default are always set, the others may be undefined. */
export type OptionValues<S extends CommandSpec> = {
  [K in keyof S['options']]: S['options'][K] extends { default: number | string | boolean } ? OptionValue<S['options'][K]> : OptionValue<S['options'][K]> | undefined;
};

/** What {@link parseCommand} returns. */
export interface ParsedCommand<S extends CommandSpec> {
  values: OptionValues<S>;
  /** The options the user gave (by key, aliases resolved). */
  given: ReadonlySet<string>;
  positionals: string[];
  /** Deprecation notes for the old spellings used (the CLI prints them on stderr). */
  notes: string[];
}

/** A required option is missing: the CLI prints the command's usage before the one-line message. */
export class MissingOptionError extends DeltaStnError {
  /** The subcommand whose usage applies. */
  readonly command: string;
  constructor(command: string, flag: string, needs: string) {
    super(flag, `missing; ${needs}`);
    this.command = command;
  }
}

/** The words of what an option's value must be ("an integer ≥ 1", "a finite number > 0", "mlp, cnn"). */
export function expectedText(spec: OptionSpec): string {
  if (spec.expected !== undefined) return spec.expected;
  switch (spec.type) {
    case 'integer':
      return `an integer${rangeText(spec)}`;
    case 'number':
      return `a finite number${rangeText(spec)}`;
    case 'enum':
      return (spec.choices ?? []).join(', ');
    case 'list':
      return spec.choices ? `a comma-separated list of ${spec.choices.join(', ')}` : spec.items === 'integer' ? `a comma-separated list of integers${rangeText(spec)}` : 'a comma-separated list';
    case 'boolean':
      return 'no value';
    case 'string':
      return `a non-empty ${spec.value ?? 'value'}`;
  }
}

function rangeText(spec: OptionSpec): string {
  const parts: string[] = [];
  if (spec.min !== undefined) parts.push(`${spec.minExclusive ? '>' : '≥'} ${spec.min}`);
  if (spec.max !== undefined) parts.push(`${spec.maxExclusive ? '<' : '≤'} ${spec.max}`);
  return parts.length === 0 ? '' : ' ' + parts.join(' and ');
}

function inRange(spec: OptionSpec, n: number): boolean {
  if (spec.min !== undefined && (spec.minExclusive ? !(n > spec.min) : !(n >= spec.min))) return false;
  if (spec.max !== undefined && (spec.maxExclusive ? !(n < spec.max) : !(n <= spec.max))) return false;
  return true;
}

/** A number from the text of `--flag`: finite, an integer if asked, in range; else an error naming the flag. */
export function parseNumber(text: string, spec: OptionSpec, flag: string): number {
  const n = text.trim() === '' ? NaN : Number(text);
  const ok = Number.isFinite(n) && (spec.type !== 'integer' && spec.items !== 'integer' ? true : Number.isSafeInteger(n)) && inRange(spec, n);
  if (!ok) throw new InvalidArgumentError(flag, spec.type === 'list' ? `integers${rangeText(spec)}, separated by commas` : expectedText(spec), text);
  return n;
}

/** The typed value of one option from its text(s); errors name `flag`. */
export function parseValue(spec: OptionSpec, texts: readonly string[], flag: string): number | string | boolean | (string | number)[] {
  switch (spec.type) {
    case 'number':
    case 'integer':
      return parseNumber(texts[texts.length - 1], spec, flag);
    case 'string': {
      const text = texts[texts.length - 1];
      if (text.length === 0) throw new InvalidArgumentError(flag, expectedText(spec), text);
      spec.check?.(text, flag);
      return text;
    }
    case 'enum': {
      const text = texts[texts.length - 1];
      if (!(spec.choices ?? []).includes(text)) throw new InvalidArgumentError(flag, expectedText(spec), text);
      return text;
    }
    case 'list': {
      const items = texts.flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t.length > 0);
      if (items.length === 0) throw new InvalidArgumentError(flag, `${expectedText(spec)} (at least one item)`, texts.join(','));
      for (const item of items) if (spec.choices && !spec.choices.includes(item)) throw new InvalidArgumentError(flag, expectedText(spec), item);
      if (!spec.repeats) {
        const seen = new Set<string>();
        for (const item of items) {
          if (seen.has(item)) throw new InvalidArgumentError(flag, `each item once (${item} is repeated)`, texts.join(','));
          seen.add(item);
        }
      }
      return spec.items === 'integer' ? items.map((i) => parseNumber(i, spec, flag)) : items;
    }
    case 'boolean':
      return true;
  }
}

/**
 * Parses `args` against `spec`: node's parseArgs (unknown flags, missing values, stray words), then every value
 * typed and range-checked, defaults filled in, deprecated spellings resolved, and finally the required options.
 * Value errors come before a missing required option, so that the message names the flag the user mistyped.
 * `warn` gets the deprecation notes of old spellings.
 * @throws InvalidArgumentError naming the flag (or the positional); MissingOptionError for a required option;
 *   node's `ERR_PARSE_ARGS_*` TypeErrors.
 */
export function parseCommand<S extends CommandSpec>(spec: S, args: readonly string[], warn?: (s: string) => void): ParsedCommand<S> {
  const nodeOptions: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  const owner = new Map<string, string>();
  for (const [key, o] of Object.entries(spec.options)) {
    for (const name of [key, ...(o.aliases ?? [])]) {
      nodeOptions[name] = { type: o.type === 'boolean' ? 'boolean' : 'string', multiple: o.type !== 'boolean' };
      owner.set(name, key);
    }
  }
  const positionalSpecs = spec.positionals ?? [];
  const { values: raw, positionals } = parseArgs({ args: [...args], options: nodeOptions, strict: true, allowPositionals: positionalSpecs.length > 0 });
  if (positionalSpecs.length > 0 && positionals.length !== positionalSpecs.length) {
    const p = positionalSpecs[Math.min(positionals.length, positionalSpecs.length - 1)];
    const what = positionalSpecs.length > 1 ? positionalSpecs.map((q) => q.name).join(' ') : p.choices ? `one of ${p.choices.join(', ')}` : p.description;
    throw new InvalidArgumentError(p.name, what, positionals.join(' ') || 'nothing');
  }
  positionalSpecs.forEach((p, i) => {
    const text = positionals[i];
    if (p.choices && !p.choices.includes(text)) throw new InvalidArgumentError(p.name, `one of ${p.choices.join(', ')}`, text.length > 60 ? text.slice(0, 59) + '…' : text);
  });
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const notes: string[] = [];
  for (const [key, o] of Object.entries(spec.options)) {
    const names = [key, ...(o.aliases ?? [])].filter((n) => raw[n] !== undefined);
    if (names.length > 1) throw new InvalidArgumentError(`--${key}`, `one spelling (--${names.join(' and --')} set the same option)`, names.map((n) => `--${n}`).join(' '));
    if (names.length === 0) {
      if (o.default !== undefined) values[key] = o.default;
      continue;
    }
    const name = names[0];
    if (name !== key) notes.push(`--${name} is deprecated: it is now spelled --${key} (the old spelling still works)`);
    const r = raw[name] as string[] | boolean;
    const flag = `--${name}`;
    values[key] = o.type === 'boolean' ? r : parseValue(o, r as string[], flag);
    given.add(key);
  }
  const waived = spec.requiredUnless !== undefined && given.has(spec.requiredUnless);
  if (!waived) {
    for (const [key, o] of Object.entries(spec.options)) {
      if (o.required && !given.has(key)) {
        const all = Object.entries(spec.options).filter(([, x]) => x.required).map(([k]) => `--${k}`);
        const list = all.length > 1 ? `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}` : all[0];
        throw new MissingOptionError(spec.name, `--${key}`, `${spec.name} needs ${list}${spec.requiredUnless ? ` (or --${spec.requiredUnless} ${spec.options[spec.requiredUnless]?.value ?? 'VALUE'} alone)` : ''} (usage above)`);
      }
    }
  }
  for (const n of notes) warn?.(`deltastn ${spec.name}: ${n}`);
  return { values: values as OptionValues<S>, given, positionals, notes };
}

/** The usage form of one option: `--epochs N`, `--dropconnect`, `--model mlp|cnn|alexnet`. */
function optionForm(key: string, o: OptionSpec, expandChoices: boolean): string {
  if (o.type === 'boolean') return `--${key}`;
  if (expandChoices && o.type === 'enum' && o.choices) return `--${key} ${o.choices.join('|')}`;
  return `--${key} ${o.value ?? (o.type === 'integer' ? 'N' : o.type === 'number' ? 'X' : o.type === 'enum' ? 'NAME' : 'VALUE')}`;
}

/** The one-line synopsis: `deltastn tune --model mlp|cnn|alexnet … --out DIR [options]`. */
export function synopsis(spec: CommandSpec): string {
  const parts = [`deltastn ${spec.name}`];
  for (const p of spec.positionals ?? []) parts.push(p.choices ? `<${p.choices.join('|')}>` : p.name);
  const headline = new Set(spec.headline ?? []);
  const main = Object.entries(spec.options).filter(([k, o]) => o.required || headline.has(k));
  const forms = main.map(([k, o]) => optionForm(k, o, true));
  if (spec.requiredUnless) {
    const alt = `--${spec.requiredUnless} ${spec.options[spec.requiredUnless]?.value ?? 'VALUE'}`;
    parts.push(...forms, ...(forms.length > 0 ? ['|', alt] : [alt]));
  } else parts.push(...forms);
  if (Object.keys(spec.options).length > main.length) parts.push('[options]');
  return parts.join(' ');
}

/** The default of an option as printed in the usage. */
function defaultText(o: OptionSpec): string | undefined {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.default === undefined || o.type === 'boolean') return undefined;
  return String(o.default);
}

/** Wraps `text` at `width` columns, every line after the first indented by `indent` spaces. */
function wrap(text: string, width: number, indent: number): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const room = width - (lines.length === 0 ? 0 : indent);
    if (line.length > 0 && line.length + 1 + w.length > room) {
      lines.push(line);
      line = w;
    } else line = line.length > 0 ? `${line} ${w}` : w;
  }
  if (line.length > 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : ' '.repeat(indent) + l));
}

/**
 * The command's block of usage: the synopsis, the summary, and every option (its form, what it sets, what it
 * must be, its default, an example), all from the declaration. Lines after the first are indented by 6 spaces.
 */
export function commandUsage(spec: CommandSpec): string {
  const lines = [`  ${synopsis(spec)}`];
  for (const para of spec.summary.split('\n')) lines.push(...wrap(para, 110, 0).map((l) => `      ${l}`));
  for (const p of spec.positionals ?? []) lines.push(...wrap(`${p.choices ? `<${p.choices.join('|')}>` : p.name}  ${p.description}`, 104, 4).map((l) => `      ${l}`));
  if (Object.keys(spec.options).length > 0) lines.push('      Options:');
  for (const [k, o] of Object.entries(spec.options)) {
    const facts: string[] = [];
    if (o.required) facts.push(spec.requiredUnless && k !== spec.requiredUnless ? `required unless --${spec.requiredUnless}` : 'required');
    if (o.type !== 'boolean' && o.type !== 'string') facts.push(expectedText(o));
    const d = defaultText(o);
    if (d !== undefined) facts.push(`default ${d}`);
    if (o.example !== undefined) facts.push(`e.g. ${o.type === 'boolean' ? `--${k}` : `--${k} ${o.example}`}`);
    if (o.aliases && o.aliases.length > 0) facts.push(`old spelling ${o.aliases.map((a) => `--${a}`).join(', ')} (deprecated)`);
    const head = optionForm(k, o, false);
    const body = wrap(`${o.description}${facts.length > 0 ? ` [${facts.join('; ')}]` : ''}`, 80, 0);
    if (head.length <= 22) lines.push(`        ${head.padEnd(23)}${body[0]}`);
    else lines.push(`        ${head}`, `        ${' '.repeat(23)}${body[0]}`);
    for (const l of body.slice(1)) lines.push(`        ${' '.repeat(23)}${l}`);
  }
  return lines.join('\n');
}
