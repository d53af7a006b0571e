/** Reading JSON input for the CLI: a file path, or `-` for standard input. */
import { readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError, ParseError } from '../errors.js';

/**
 * Reads and parses JSON from `path` (or stdin when `path` is "-"); errors name `flag` (default `--input`;
 * `toy` passes `--data`).
 */
export function readJsonInput(path: string | undefined, flag = '--input'): unknown {
  if (path === undefined) throw new InvalidArgumentError(flag, 'a JSON file path or - for standard input', 'nothing');
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(flag, 'a readable file', `${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    throw new ParseError(flag, `expected valid JSON (${msg.length > 200 ? msg.slice(0, 199) + '…' : msg})`);
  }
}

/** Checks that `value` is a plain JSON object and returns it. */
export function asObject(value: unknown, name = 'input'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParseError(name, `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/**
 * `--data-dir PATH`: an existing directory. (The dataset loaders fall back to their default locations when the
 * user's directory lacks the files; a path that does not exist at all is a typo, refused here rather than ignored.)
 */
export function dataDirOption(path: string, flag = '--data-dir'): string {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new InvalidArgumentError(flag, 'an existing directory', path);
  return path;
}
