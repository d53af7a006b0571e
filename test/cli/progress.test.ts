/**
 * The progress display of the long commands (issue 14, src/cli/progress.ts): the time-left arithmetic, the plain
 * line a pipe gets (overall and current run: steps, elapsed, time left, validation loss), and `--quiet`, on a
 * fake clock; then a tiny `tune` through the CLI (not a terminal: plain lines per epoch; `--quiet`: none).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ProgressDisplay, etaSeconds, formatDuration, formatProgressLine } from '../../src/cli/progress.js';
import { runCli, temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

describe('time left', () => {
  test('ETA = remaining · elapsed / done; 0 when nothing remains; unknown before any progress', () => {
    expect(etaSeconds(2, 6, 10)).toBe(30);
    expect(etaSeconds(0.5, 1.5, 3)).toBe(9);
    expect(etaSeconds(5, 0, 10)).toBe(0);
    expect(etaSeconds(0, 5, 10)).toBeNull();
    expect(etaSeconds(3, 5, 0)).toBeNull();
    expect(etaSeconds(NaN, 5, 1)).toBeNull();
  });

  test('property: at a constant rate the ETA is exactly the time the remaining work takes', () => {
    // Work is done at `rate` units per second: after t seconds, done = rate·t; the rest takes remaining/rate.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 1000 }), (t, rate, remaining) => {
        expect(etaSeconds(rate * t, remaining, t)).toBeCloseTo(remaining / rate, 9);
      }),
    );
  });

  test('durations', () => {
    expect([formatDuration(0), formatDuration(42.4), formatDuration(185), formatDuration(7620), formatDuration(null)]).toEqual(['0s', '42s', '3m05s', '2h07m', '?']);
  });
});

/** A display on a fake clock (milliseconds), writing plain lines into `lines`. */
function fakeDisplay(quiet = false): { d: ProgressDisplay; lines: string[]; at: (ms: number) => void } {
  let now = 0;
  const lines: string[] = [];
  const d = new ProgressDisplay({ unit: 'epochs', tty: false, quiet, line: (s) => lines.push(s), intervalSeconds: 10, now: () => now });
  return { d, lines, at: (ms) => (now = ms) };
}

describe('the plain line (not a terminal)', () => {
  test('a line every 10 s during a run and one per finished unit, with overall and current progress', () => {
    const { d, lines, at } = fakeDisplay();
    d.start(4, 1); // 4 epochs, 1 done before (a resume): it counts in the total, not in the rate
    d.beginRun('epoch 2/4', 100);
    at(5_000);
    d.step(50);
    expect(lines).toEqual([]); // less than 10 s since the start
    at(10_000);
    d.step(100);
    expect(lines).toEqual(['progress: 2/4 epochs (50.0%), elapsed 10s, left ~20s | epoch 2/4: step 100/100, elapsed 10s, left ~0s']);
    at(12_000);
    d.endRun(0.4213);
    expect(lines[1]).toBe('progress: 2/4 epochs (50.0%), elapsed 12s, left ~24s | val loss 0.4213');
    d.beginRun('epoch 3/4', 100);
    at(18_000);
    d.step(50); // 6 s after the last line: none
    expect(lines).toHaveLength(2);
    at(22_000);
    d.step(75);
    // 1.75 epochs of progress in 22 s, 1.25 left: 1.25 · 22 / 1.75 = 15.7 s; the epoch: 25 steps at 75 per 10 s.
    expect(lines[2]).toBe('progress: 2.75/4 epochs (68.8%), elapsed 22s, left ~16s | epoch 3/4: step 75/100, elapsed 10s, left ~3s | val loss 0.4213');
    d.stop();
  });

  test('the line of a snapshot', () => {
    expect(formatProgressLine({ overallDone: 3, overallTotal: 6, overallElapsed: 61, overallLeft: 61, run: null, valLoss: null }, 'trials')).toBe('progress: 3/6 trials (50.0%), elapsed 1m01s, left ~1m01s');
  });

  test('quiet: nothing, whatever happens', () => {
    const { d, lines, at } = fakeDisplay(true);
    d.start(2);
    d.beginRun('epoch 1/2', 10);
    at(60_000);
    d.step(5);
    d.log('backend: cpu');
    d.endRun(0.5);
    d.stop();
    expect(lines).toEqual([]);
  });
});

describe('tune through the CLI (not a terminal)', () => {
  const TINY = ['tune', '--model', 'mlp', '--dataset', 'mnist', '--method', 'delta-stn', '--width', '0.02', '--train-size', '64', '--batch-size', '32', '--backend', 'cpu', '--epochs', '2'];

  test('a plain progress line per epoch with steps, elapsed, time left and the validation loss; --quiet prints none', async () => {
    const loud = await runCli(...TINY, '--out', join(tmp('deltastn-progress-'), 'run'));
    expect(loud.code, loud.err).toBe(0);
    const progress = loud.err.split('\n').filter((l) => l.startsWith('progress: '));
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/^progress: 1\/2 epochs \(50\.0%\), elapsed \d+s, left ~\d+s \| val loss \d+\.\d{4}$/);
    expect(progress[1]).toMatch(/^progress: 2\/2 epochs \(100\.0%\), elapsed \d+s, left ~0s \| val loss \d+\.\d{4}$/);
    const logged = JSON.parse(loud.out) as { final: { val: { loss: number } } };
    expect(progress[1]).toContain(`val loss ${logged.final.val.loss.toFixed(4)}`);
    expect(loud.err).toMatch(/^epoch 1: train/m);

    const quiet = await runCli(...TINY, '--quiet', '--out', join(tmp('deltastn-progress-'), 'run'));
    expect(quiet.code, quiet.err).toBe(0);
    expect(quiet.err).toBe('');
    expect(JSON.parse(quiet.out).epochs).toBe(2);
  }, 60_000);
});
