/**
 * Atomic state files under kill -9 (src/nn/checkpoint.ts: writeFileAtomic, saveCheckpoint, appendLine): a child
 * process (the compiled dist/, so this file needs `npm run build` first, as test/cli/searchWorkers.test.ts does;
 * skipped, saying why, without it) rewrites a state file in a loop and is killed with SIGKILL at a set of delays.
 * After each kill:
 * - a file replaced with writeFileAtomic holds one complete version (its first and last lines name the same
 *   version and its length is that version's), never a mix or a truncation;
 * - a checkpoint loads (the previous save, or the new one rolled forward) and is one consistent save: the meta,
 *   the epoch and every float of the arrays name the same save;
 * - a JSONL file appended with appendLine loses at most its last line, which every reader drops.
 * And end to end: `deltastn tune` (the compiled CLI in a child process) killed with SIGKILL once its first
 * epoch is saved, then resumed, ends with the same log and summary as an uninterrupted run (timings aside).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadCheckpoint, readJsonLines } from '../../src/nn/checkpoint.js';
import { runCli, temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();
const compiled = existsSync(join('dist', 'src', 'nn', 'checkpoint.js'));
if (!compiled) console.log('test/cli/fuzz-kill.test.ts: skipped — no compiled dist/src/nn/checkpoint.js (run `npm run build` first; CI does)');

/** The writer: MODE file | ckpt | jsonl, TARGET a path; prints "ready" after its first write, then loops. */
const WRITER = `
const m = await import(process.env.MODULE);
const mode = process.env.MODE, target = process.env.TARGET;
const body = (i) => i + '\\n' + 'x'.repeat(100000 + (i % 7) * 5000) + '\\n' + i + '\\n';
const state = (i) => ({ epoch: i, trainSteps: i, hyperSteps: i, lambda: [i, -i], rawScale: [0.5, 0.5],
  weights: [new Float32Array(60000).fill(i), new Float32Array(3).fill(i)], generalMomentum: [new Float32Array(60000).fill(i)], responseMomentum: [],
  lambdaOptimizer: { step: i, first: [0, 0], second: [0, 0] }, scaleOptimizer: { step: i, first: [0, 0], second: [0, 0] },
  bestVal: 1, epochsSinceBest: 0, learningRate: 0.01 });
for (let i = 1; ; i++) {
  if (mode === 'file') m.writeFileAtomic(target, body(i));
  else if (mode === 'ckpt') m.saveCheckpoint(target, state(i), { save: i });
  else m.appendLine(target, JSON.stringify({ i, pad: 'y'.repeat(20000 + (i % 5) * 1000) }));
  if (i === 1) process.stdout.write('ready\\n');
}
`;

/** Starts the writer, waits for its first write, lets it run `ms` more milliseconds, kills it with SIGKILL. */
function writeThenKill(mode: string, target: string, ms: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
      env: { ...process.env, MODE: mode, TARGET: target, MODULE: pathToFileURL(resolve('dist/src/nn/checkpoint.js')).href },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`writer ended with ${code}/${signal}: ${err.slice(0, 400)}`))));
  });
}

const DELAYS = [0, 15, 40, 80, 130, 200];

describe.skipIf(!compiled)('kill -9 during writes: a state file is the old or the new content, never partial', () => {
  // The three writer tests run at once (each on its own file; their time is child processes starting and writing,
  // and their checks read a file), with the test's own `expect` as vitest asks of concurrent tests. The tune test
  // after them runs alone: its in-process runs would hold up the writers' kill timers.
  test.concurrent('writeFileAtomic', async ({ expect }) => {
    const dir = tmp('deltastn-kill-file-');
    const target = join(dir, 'summary.json');
    for (const ms of DELAYS) {
      await writeThenKill('file', target, ms);
      const text = readFileSync(target, 'utf8');
      const parts = text.split('\n');
      const i = Number(parts[0]);
      expect(Number.isInteger(i) && i >= 1).toBe(true);
      expect(parts[2]).toBe(String(i));
      expect(text.length).toBe(`${i}\n`.length + 100000 + (i % 7) * 5000 + `\n${i}\n`.length);
    }
  }, 60_000);

  test.concurrent('saveCheckpoint: every kill leaves one consistent save (or rolls the interrupted one forward)', async ({ expect }) => {
    const dir = join(tmp('deltastn-kill-ckpt-'), 'run');
    for (const ms of DELAYS) {
      await writeThenKill('ckpt', dir, ms);
      const { state, meta } = loadCheckpoint(dir);
      const i = state.epoch;
      expect(meta).toEqual({ save: i });
      expect(state.lambda).toEqual([i, -i]);
      for (const a of [...state.weights, ...state.generalMomentum]) expect(a.every((x) => x === i)).toBe(true);
    }
  }, 60_000);

  test.concurrent('appendLine: at most the last line is torn, and the readers drop it', async ({ expect }) => {
    const dir = tmp('deltastn-kill-jsonl-');
    const target = join(dir, 'trials.jsonl');
    for (const ms of DELAYS) {
      await writeThenKill('jsonl', target, ms);
      const accept = (v: unknown): v is { i: number; pad: string } => typeof v === 'object' && v !== null && typeof (v as { i?: unknown }).i === 'number';
      const { records, bad, clean, text } = readJsonLines(target, '--out', accept);
      expect(bad).toBeLessThanOrEqual(1);
      const all = text.split('\n').filter((l) => l.trim().length > 0);
      // Every line but the last is a complete record; a bad line can only be the last one, a prefix of a record.
      expect(all.slice(0, -1).every((l) => accept(JSON.parse(l)))).toBe(true);
      if (bad === 1) expect(text.endsWith('\n')).toBe(false);
      for (const r of records) expect(r.pad.length).toBe(20000 + (r.i % 5) * 1000);
      // What the studies do before appending again: rewrite the file without the torn line.
      writeFileSync(target, clean);
    }
  }, 60_000);

  test('deltastn tune killed with SIGKILL after its first epoch, then resumed: the same log and summary as an uninterrupted run', async () => {
    const args = ['tune', '--model', 'mlp', '--dataset', 'mnist', '--method', 'delta-stn', '--width', '0.02', '--train-size', '128', '--batch-size', '16', '--backend', 'cpu', '--epochs', '3', '--seed', '3'];
    const killed = join(tmp('deltastn-kill-tune-'), 'run');
    await new Promise<void>((done, fail) => {
      const child = spawn(process.execPath, ['bin/deltastn.js', ...args, '--out', killed], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/^epoch 1:/m.test(err)) child.kill('SIGKILL');
      });
      child.on('error', fail);
      child.on('close', (_code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`tune was not killed (it finished first?): ${err.slice(-400)}`))));
    });
    expect(existsSync(join(killed, 'summary.json'))).toBe(false);
    expect(loadCheckpoint(killed).state.epoch).toBeGreaterThanOrEqual(1);
    const resumed = await runCli('tune', '--resume', killed);
    expect(resumed.code, resumed.err).toBe(0);
    const whole = join(tmp('deltastn-kill-whole-'), 'run');
    expect((await runCli(...args, '--out', whole)).code).toBe(0);
    const strip = (dir: string): unknown[] =>
      readFileSync(join(dir, 'log.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => ({ ...(JSON.parse(l) as Record<string, unknown>), seconds: 0 }));
    expect(strip(killed)).toEqual(strip(whole));
    const summary = (dir: string): Record<string, unknown> => {
      const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown> & { final: Record<string, unknown> };
      return { ...s, final: { ...s.final, seconds: 0 } };
    };
    expect(summary(killed)).toEqual(summary(whole));
    expect((summary(killed) as { epochs: number }).epochs).toBe(3);
  }, 120_000);
});
