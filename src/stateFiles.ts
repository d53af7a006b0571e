/**
 * State files and output paths on disk (Node only): the typed errors of a state file (checkpoint, run log, study
 * and search records, summaries) and of an output path a user names (`--out`, `--log`, `--resume`), and the small
 * file primitives every state file of the library goes through — output directories created one level at a time
 * (Node's recursive mkdir loops on /proc), atomic writes (temporary file in the same directory, fsync, rename),
 * JSONL appends and typed reads that leave out torn or foreign lines. Both errors extend {@link DeltaStnError},
 * so the CLI maps them to exit code 2 with a one-line message naming the flag and the file or field at fault.
 * The checkpoints (src/nn/checkpoint.ts), the studies (src/tune), the report and the CLI all use this one module.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, appendFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DeltaStnError } from './errors.js';

/**
 * A state file that cannot be used: unreadable, not JSON, a field of the wrong type, records that contradict
 * each other. `argument` is the flag or positional through which the user named the directory (`--resume`,
 * `--out`, `DIR`); the message names the file and the field, e.g.
 * `--out: out/compare-mlp-mnist/config.json: model should be mlp, cnn or alexnet, got "foo"`.
 */
export class StateFileError extends DeltaStnError {
  /** The file at fault. */
  readonly file: string;
  constructor(argument: string, file: string, message: string) {
    super(argument, `${file}: ${message}`);
    this.file = file;
  }
}

/**
 * An output path that cannot be created or written: a file where a directory is needed (or the reverse), a
 * parent that is not a directory, a read-only or virtual file system (`/proc`, `/sys`), a full disk.
 * `reason` is the system's error code (`EEXIST`, `EPERM`, `ENOSPC`, …) or a sentence.
 */
export class OutputPathError extends DeltaStnError {
  /** The path the user gave. */
  readonly path: string;
  constructor(argument: string, path: string, expected: string, reason: string) {
    super(argument, `expected ${expected}, got ${JSON.stringify(path)} (${reason})`);
    this.path = path;
  }
}

// ---------------------------------------------------------------------------------------------------------
// File primitives: every state file and output path goes through these
// ---------------------------------------------------------------------------------------------------------

/** The system error code of `e` (`ENOENT`, `EISDIR`, …) or, failing that, its message. */
export function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return code;
  const msg = (e as Error)?.message ?? String(e);
  return msg.length > 160 ? msg.slice(0, 159) + '…' : msg;
}

export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

function checkPathText(path: unknown, argument: string, expected: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) throw new OutputPathError(argument, String(path), expected, 'an empty path');
  if (path.includes('\0')) throw new OutputPathError(argument, path, expected, 'the path holds a NUL character');
}

/**
 * The components of `dir` that do not exist yet, outermost first, after checking that the deepest existing
 * one is a directory. Bounded by the number of components (no retry loop).
 */
function missingComponents(dir: string, argument: string): string[] {
  const abs = resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: Stats | null;
    try {
      st = statOrNull(cur);
    } catch (e) {
      throw new OutputPathError(argument, dir, 'a directory that can be created and written', `${cur}: ${reasonOf(e)}`);
    }
    if (st === null) {
      const parent = dirname(cur);
      if (parent === cur) throw new OutputPathError(argument, dir, 'a directory that can be created and written', 'no existing ancestor');
      missing.unshift(cur);
      cur = parent;
      continue;
    }
    if (!st.isDirectory()) {
      throw new OutputPathError(argument, dir, 'a directory path', cur === abs ? 'an existing file, not a directory' : `${cur} is a file, not a directory`);
    }
    return missing;
  }
}

/**
 * Checks, without leaving anything on disk, that `dir` can serve as an output directory: every existing
 * component is a directory and the first missing one can be created (or, if `dir` exists, a file can be
 * created in it). The check creates and removes one probe (a directory or an empty file), because only the
 * file system knows whether `/proc/x` or a read-only mount accepts it.
 * @throws OutputPathError naming `argument` (`--out`, …) with the system's reason (EEXIST, EPERM, ENOENT, EROFS, …).
 */
export function checkOutputDirectory(dir: string, argument: string): void {
  checkPathText(dir, argument, 'a directory path');
  const missing = missingComponents(dir, argument);
  try {
    if (missing.length > 0) {
      mkdirSync(missing[0]);
      rmdirSync(missing[0]);
    } else {
      const probe = join(resolve(dir), `.deltastn-probe-${randomBytes(6).toString('hex')}`);
      writeFileSync(probe, '');
      unlinkSync(probe);
    }
  } catch (e) {
    throw new OutputPathError(argument, dir, 'a directory that can be created and written', reasonOf(e));
  }
}

/**
 * Creates `dir` and its missing parents one component at a time with non-recursive mkdir, so it cannot loop
 * (Node's recursive mkdir retries forever on `/proc/x`); an existing directory is fine.
 * @throws OutputPathError naming `argument`.
 */
export function createOutputDirectory(dir: string, argument: string): void {
  checkPathText(dir, argument, 'a directory path');
  for (const p of missingComponents(dir, argument)) {
    try {
      mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statOrNull(p)?.isDirectory()) continue;
      throw new OutputPathError(argument, dir, 'a directory that can be created and written', `${p}: ${reasonOf(e)}`);
    }
  }
}

/**
 * Checks that `path` can be written as a file (`--log`): not a directory, its parent an existing directory,
 * writable. Leaves an existing file's content alone and creates nothing (a probe file is removed).
 * @throws OutputPathError naming `argument`.
 */
export function checkOutputFile(path: string, argument: string): void {
  checkPathText(path, argument, 'a file path');
  let st: Stats | null;
  try {
    st = statOrNull(path);
  } catch (e) {
    throw new OutputPathError(argument, path, 'a writable file path', reasonOf(e));
  }
  if (st?.isDirectory()) throw new OutputPathError(argument, path, 'a file path', 'a directory');
  const parent = statOrNull(dirname(resolve(path)));
  if (!parent?.isDirectory()) throw new OutputPathError(argument, path, 'a file in an existing directory', `${dirname(path)} is not a directory`);
  try {
    closeSync(openSync(path, st ? 'a' : 'wx'));
    if (!st) unlinkSync(path);
  } catch (e) {
    throw new OutputPathError(argument, path, 'a writable file path', reasonOf(e));
  }
}

/** Writes `data` to `path` completely and flushes it to the disk (open, write, fsync, close). */
export function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces the file `path` atomically: the data go to a temporary file in the same directory
 * (`.<name>.<random>.tmp`, fsync'ed), which is then renamed over `path`. A reader (or a process killed at any
 * moment) sees the old content or the new, never a mix; a failed write leaves no temporary file.
 * @throws OutputPathError naming `argument` (ENOSPC, EACCES, …).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, argument = '--out'): void {
  let st: Stats | null = null;
  try {
    st = statOrNull(path);
  } catch (e) {
    throw new OutputPathError(argument, path, 'a writable file', reasonOf(e));
  }
  // A rename over a directory fails, and over a device (/dev/full) would replace the device: refuse both.
  if (st && !st.isFile()) throw new OutputPathError(argument, path, 'a regular file (or a new one)', st.isDirectory() ? 'a directory' : 'not a regular file');
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeDurable(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw new OutputPathError(argument, path, 'a writable file', reasonOf(e));
  }
}

/**
 * Appends one line (a JSONL record) with one write. A kill can tear at most this last line; the JSONL
 * readers drop a torn (unparseable) line and the writers rewrite the file without it before appending.
 * @throws OutputPathError naming `argument`.
 */
export function appendLine(path: string, line: string, argument = '--out'): void {
  try {
    appendFileSync(path, line.endsWith('\n') ? line : line + '\n');
  } catch (e) {
    throw new OutputPathError(argument, path, 'a writable file', reasonOf(e));
  }
}

/**
 * Empties (or creates) the file `path` in place — for a log the user names (`--log`), which may be a device
 * such as /dev/null; not atomic, and not for state files (see {@link writeFileAtomic}).
 * @throws OutputPathError naming `argument`.
 */
export function truncateFile(path: string, argument: string): void {
  try {
    writeFileSync(path, '');
  } catch (e) {
    throw new OutputPathError(argument, path, 'a writable file', reasonOf(e));
  }
}

/** Whether `path` is an existing regular file (a directory in its place is not). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The text of the state file `path`.
 * @throws StateFileError naming `argument` and the file when it is missing, a directory or unreadable.
 */
export function readStateText(path: string, argument: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new StateFileError(argument, path, `cannot be read (${reasonOf(e)})`);
  }
}

/**
 * The parsed JSON of the state file `path`.
 * @throws StateFileError naming `argument` and the file when it cannot be read or is not JSON.
 */
export function readJsonStateFile(path: string, argument: string): unknown {
  const text = readStateText(path, argument);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new StateFileError(argument, path, `not valid JSON (${reasonOf(e)})`);
  }
}

/**
 * The JSON records of a JSONL state file, one per non-empty line, each passed through `accept`; lines that are
 * not JSON or that `accept` rejects are counted in `bad` (a torn last line, a foreign or edited line) and left
 * out. `clean` is the text of the file without them (what the writers rewrite before appending). With
 * `missingIsEmpty`, a file that does not exist reads as empty (a study that has not finished a record yet).
 * @throws StateFileError naming `argument` when the file cannot be read (a directory in its place, …).
 */
export function readJsonLines<T>(path: string, argument: string, accept: (value: unknown) => value is T, options: { missingIsEmpty?: boolean } = {}): { records: T[]; bad: number; clean: string; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (!(options.missingIsEmpty && (e as NodeJS.ErrnoException).code === 'ENOENT')) throw new StateFileError(argument, path, `cannot be read (${reasonOf(e)})`);
    text = '';
  }
  const records: T[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad++;
      continue;
    }
    if (accept(value)) records.push(value);
    else bad++;
  }
  return { records, bad, clean: records.map((r) => JSON.stringify(r) + '\n').join(''), text };
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoints
// ---------------------------------------------------------------------------------------------------------
