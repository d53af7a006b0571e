/**
 * Typed errors of the state files on disk (checkpoints, run logs, study and search records, summaries) and of
 * the output paths a user names (`--out`, `--log`, `--resume`). Both extend {@link DeltaStnError}, so the CLI
 * maps them to exit code 2 with a one-line message naming the flag and the file or field at fault.
 *
 * They live beside the checkpoint module (the lowest layer that reads and writes state files: src/nn), so the
 * studies (src/tune), the report (src/report) and the CLI can all throw them without importing upward.
 */
import { DeltaStnError } from '../errors.js';

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
