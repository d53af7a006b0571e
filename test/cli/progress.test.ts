/**
 * The progress display of the long commands (issue 14, src/cli/progress.ts): the time-left arithmetic, the plain
 * line a pipe gets (overall and current run: steps, elapsed, time left, validation loss), and `--quiet`, on a
 * fake clock; then a tiny `tune` through the CLI (not a terminal: plain lines per epoch; `--quiet`: none).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Writable } from 'node:stream';
import { ProgressDisplay, etaSeconds, formatDuration, formatProgressLine } from '../../src/cli/progress.js';
import { parseCompareArgs, studyProgress } from '../../src/cli/compare.js';
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
function fakeDisplay(quiet = false, unit = 'epochs'): { d: ProgressDisplay; lines: string[]; at: (ms: number) => void } {
  let now = 0;
  const lines: string[] = [];
  const d = new ProgressDisplay({ unit, tty: false, quiet, line: (s) => lines.push(s), intervalSeconds: 10, now: () => now });
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
    expect(formatProgressLine({ overallDone: 3.5, overallTotal: 6, overallElapsed: 70, overallLeft: 50, run: { label: 'stn seed 1', done: 1, total: 2, elapsed: 9, left: 9, stepName: 'epoch' }, valLoss: 0.25 }, 'trials')).toBe(
      'progress: 3.50/6 trials (58.3%), elapsed 1m10s, left ~50s | stn seed 1: epoch 1/2, elapsed 9s, left ~9s | val loss 0.2500',
    );
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

describe('a study\u2019s progress counts trials', () => {
  const { config } = parseCompareArgs(['--methods', 'delta-stn,random', '--seeds', '1', '--budget-epochs', '2', '--trial-epochs', '1']);
  const dir = join(tmp('deltastn-progress-study-'), 'none');

  test('from the runner\u2019s events: a trial\u2019s epochs and validation loss, a line per finished trial', () => {
    const { d, lines, at } = fakeDisplay(false, 'trials');
    const p = studyProgress(config, dir, d);
    p.log('running 3 trial(s) in-process (backend cpu)');
    p.onEvent({ type: 'trial-started', method: 'delta-stn', seed: 0, trial: 0, plannedEpochs: 2, resumedEpochs: 0 });
    at(11_000);
    p.onEvent({ type: 'epoch', method: 'delta-stn', seed: 0, trial: 0, epoch: 0, plannedEpochs: 2, valLoss: 0.75 });
    p.log('delta-stn seed 0: best val 0.5000 (2 epochs, 20.0 s)'); // the runner's line: shown, not counted twice
    at(20_000);
    p.onEvent({ type: 'trial-finished', method: 'delta-stn', seed: 0, trial: 0, bestVal: 0.5 });
    expect(lines).toEqual([
      'running 3 trial(s) in-process (backend cpu)',
      'progress: 0.50/3 trials (16.7%), elapsed 11s, left ~55s | delta-stn seed 0: epoch 1/2, elapsed 11s, left ~11s | val loss 0.7500',
      'delta-stn seed 0: best val 0.5000 (2 epochs, 20.0 s)',
      'progress: 1/3 trials (33.3%), elapsed 20s, left ~40s | val loss 0.5000',
    ]);
  });

  test('with parallel workers: the display follows the trial that reported last; another trial\u2019s end keeps it', () => {
    const { d, lines, at } = fakeDisplay(false, 'trials');
    const p = studyProgress(config, dir, d);
    p.log('running 3 trial(s) on 2 worker threads');
    p.onEvent({ type: 'trial-started', method: 'delta-stn', seed: 0, trial: 0, plannedEpochs: 2, resumedEpochs: 0 });
    p.onEvent({ type: 'trial-started', method: 'random', seed: 0, trial: 0, plannedEpochs: 1, resumedEpochs: 0 });
    at(4_000);
    p.onEvent({ type: 'epoch', method: 'delta-stn', seed: 0, trial: 0, epoch: 0, plannedEpochs: 2, valLoss: 0.75, trialElapsed: 4 });
    expect(d.runLabel).toBe('delta-stn seed 0');
    p.onEvent({ type: 'trial-finished', method: 'random', seed: 0, trial: 0, bestVal: 2 });
    expect(d.runLabel).toBe('delta-stn seed 0');
    expect(lines[1]).toBe('progress: 1.50/3 trials (50.0%), elapsed 4s, left ~4s | delta-stn seed 0: epoch 1/2, elapsed 4s, left ~4s | val loss 2.0000');
  });

  test('from the log of a runner without events; "job(s)" announced as trials', () => {
    const { d, lines } = fakeDisplay(false, 'trials');
    const p = studyProgress(config, dir, d);
    p.log('running 2 job(s) in-process (backend cpu)'); // 3 trials: nothing recorded in dir
    p.log('random seed 0 trial 0: best val 2.2988, test 9.4% (1 epochs, 0.3 s)');
    expect(lines[0]).toBe('running 3 trial(s) in-process (backend cpu)');
    expect(lines[2]).toMatch(/^progress: 1\/3 trials \(33\.3%\).* \| val loss 2\.2988$/);
  });
});

describe('on a terminal', () => {
  test('two bars are drawn on the stream, informational lines above them, and cleared at the end', () => {
    let text = '';
    const stream = Object.assign(new Writable({ write: (chunk: Buffer, _enc, done) => ((text += chunk.toString()), done()) }), { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
    const lines: string[] = [];
    const d = new ProgressDisplay({ unit: 'epochs', tty: true, stream, line: (s) => lines.push(s) });
    d.start(2);
    d.beginRun('epoch 1/2', 10);
    d.step(5);
    d.log('backend: cpu');
    d.endRun(0.5);
    d.stop();
    expect(lines).toEqual([]); // no plain lines on a terminal
    expect(text).toContain('backend: cpu');
    expect(text).toContain('overall');
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
