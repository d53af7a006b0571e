/**
 * `npm run setup:native` (bin/setup-native.js) on the paths that change nothing: bad options are one line and the
 * usage with exit code 2 (no stack trace); `--check` reports whether the native backend loads (exit 0) or not
 * (exit 1); `--gpu` without a CUDA libtensorflow fails with a message naming `--libtensorflow` and the one-line
 * alternative for a machine with internet; a `--libtensorflow` folder without the library is named in the error.
 * The build itself runs in CI (`.ci/run`), and the parity suite then requires the backend it built.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const script = join(import.meta.dirname, '../../bin/setup-native.js');
const run = (...args: string[]): { code: number | null; out: string; err: string } => {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const installed = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('setup:native without side effects', () => {
  test('an unknown option or a missing value: one line, the usage, exit 2, no stack trace', () => {
    for (const args of [['--bogus'], ['--wheel']]) {
      const r = run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^setup:native: /);
      expect(r.err).toMatch(/usage: node bin\/setup-native\.js/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  test('--help prints the usage', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: node bin\/setup-native\.js/);
    expect(r.out).toMatch(/--check/);
  });

  test('--check says whether the native backend loads, and exits accordingly', () => {
    const r = run('--check');
    if (installed && r.code === 0) expect(r.out).toMatch(/@tensorflow\/tfjs-node: working, TensorFlow \d+\.\d+/);
    else {
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/@tensorflow\/tfjs-node: not working/);
    }
  });

  test('--gpu with no CUDA library, and a --libtensorflow folder without one: typed failures that say what to do', () => {
    const gpu = run('--gpu', '--force');
    expect(gpu.code).toBe(1);
    expect(gpu.err).toMatch(/--gpu needs --libtensorflow DIR/);
    expect(gpu.err).toMatch(/npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    const empty = mkdtempSync(join(tmpdir(), 'deltastn-nolib-'));
    try {
      const r = run('--force', '--libtensorflow', empty);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`--libtensorflow ${empty}: expected lib/libtensorflow.so.2`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
