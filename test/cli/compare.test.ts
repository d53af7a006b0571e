/**
 * `deltastn compare` and `deltastn report` through the CLI entry point: typed errors exit 2 and name the flag
 * with nothing on stdout; a tiny study runs, prints its table, resumes with nothing to redo, and reports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_COMPARE_METHODS, parseCompareArgs } from '../../src/cli/compare.js';
import { temporaryDirectories, runCli } from '../helpers.js';

const tmp = temporaryDirectories();

const run = runCli;

describe('deltastn compare: bad input', () => {
  test.each([
    [['--methods', 'delta-stn,sgd'], '--methods'],
    [['--methods', 'random', '--methods', 'grid'], '--methods'],
    [['--methods', 'stn,stn'], '--methods'],
    [['--seeds', '0'], '--seeds'],
    [['--budget-epochs', '1.5'], '--budget-epochs'],
    [['--budget-epochs', '2', '--trial-epochs', '3'], '--trial-epochs'],
    [['--workers', '0'], '--workers'],
    [['--model', 'vgg'], '--model'],
    [['--dataset', 'imagenet'], '--dataset'],
    [['--width', '-1'], '--width'],
    [['--backend', 'gpu'], '--backend'],
    [['--bogus'], 'bogus'],
    [['--sigma', '0'], '--sigma'],
    [['--tau', '-1'], '--tau'],
    [['--lr-response', '0'], '--lr-response'],
    [['--train-steps', '0'], '--train-steps'],
    [['--val-steps', '1.5'], '--val-steps'],
  ])('%j exits 2 naming %s, nothing on stdout', async (args, flag) => {
    const dir = tmp('deltastn-cmp-bad-');
    // Small settings first (a later repeat of a flag wins), so a check that regressed fails fast instead of
    // starting a full-size study.
    const small = ['--seeds', '1', '--budget-epochs', '1', '--train-size', '32', '--width', '0.05', '--backend', 'wasm'];
    const r = await run('compare', ...small, ...args, '--out', join(dir, 'study'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(flag);
    expect(existsSync(join(dir, 'study', 'trials.jsonl'))).toBe(false);
  });

  test('defaults: the issue\u2019s five methods, 3 seeds, trials of about a fifth of the budget', () => {
    const { config, out, workers } = parseCompareArgs(['--budget-epochs', '12']);
    expect(config.methods).toEqual([...DEFAULT_COMPARE_METHODS]);
    expect(config.seeds).toEqual([0, 1, 2]);
    expect(config.trialEpochs).toBe(2);
    expect([config.model, config.dataset]).toEqual(['mlp', 'mnist']);
    expect(out).toBe(join('out', 'compare-mlp-mnist'));
    expect(workers).toBe(1);
    expect(parseCompareArgs(['--model', 'cnn', '--seeds', '2', '--seed', '5']).config).toMatchObject({ dataset: 'fashion-mnist', seeds: [5, 6] });
  });

  test('report: a directory that is neither a study nor a run exits 2 naming DIR', async () => {
    const r = await run('report', tmp('deltastn-none-'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('DIR');
    expect((await run('report')).code).toBe(2);
  });
});

describe('deltastn compare: a tiny study end to end', () => {
  test('--sigma, --tau, --lr-response and --train-steps reach the trials and are part of the study\u2019s identity', async () => {
    const dir = join(tmp('deltastn-cmp-sig-'), 'study');
    const base = ['compare', '--methods', 'delta-stn', '--seeds', '1', '--budget-epochs', '1', '--train-size', '64', '--width', '0.05', '--batch-size', '32', '--backend', 'wasm', '--quiet', '--out', dir];
    const r = await run(...base, '--sigma', '0.3', '--tau', '0.01', '--lr-response', '0.02', '--train-steps', '1');
    expect(r.code, r.err).toBe(0);
    type Rec = { trajectory: { t: number; lambda: number[]; rawScale: number[] }[] };
    const rec = JSON.parse(readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n')[0]) as Rec;
    expect(rec.trajectory[0].t).toBe(0);
    // σ = softplus(s) (src/nn/hyper.ts): every coordinate starts at σ0 = 0.3 (float64 round trip of softplus⁻¹).
    for (const s of rec.trajectory[0].rawScale) expect(Math.log1p(Math.exp(s))).toBeCloseTo(0.3, 9);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ sigma: 0.3, entropyWeight: 0.01, lrResponse: 0.02, trainSteps: 1 });
    const other = await run(...base, '--sigma', '0.5', '--tau', '0.01', '--lr-response', '0.02', '--train-steps', '1');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/sigma/);
    // T_train = 5 (the default) takes fewer hyper steps than T_train = 1 over the same epoch: λ ends elsewhere.
    const dir5 = join(tmp('deltastn-cmp-sig-'), 'study');
    const r5 = await run(...base.slice(0, -1), dir5, '--sigma', '0.3', '--tau', '0.01', '--lr-response', '0.02');
    expect(r5.code, r5.err).toBe(0);
    const rec5 = JSON.parse(readFileSync(join(dir5, 'trials.jsonl'), 'utf8').trim().split('\n')[0]) as Rec;
    expect(rec5.trajectory.at(-1)!.lambda).not.toEqual(rec.trajectory.at(-1)!.lambda);
  });

  test('runs, prints the table, resumes with nothing to redo, and reports', async () => {
    const dir = join(tmp('deltastn-cmp-'), 'study');
    const args = ['compare', '--methods', 'delta-stn,random', '--seeds', '1', '--budget-epochs', '2', '--trial-epochs', '1', '--train-size', '128', '--width', '0.05', '--batch-size', '32', '--lr', '0.05', '--backend', 'wasm', '--workers', '2', '--out', dir];
    const a = await run(...args);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^\| delta-stn \|/m);
    expect(a.out).toMatch(/^\| random \|/m);
    expect(a.out).toContain('3 trial(s) run, 0 finished before');
    expect(a.err).toContain('in-process'); // no compiled worker under vitest, and it says so
    // Progress (issue 14, not a terminal): trials throughout — announced, one line per finished trial, and run.
    expect(a.err).toContain('running 3 trial(s) in-process');
    expect(a.err).not.toMatch(/job\(s\)/);
    const progress = a.err.split('\n').filter((l) => l.startsWith('progress: '));
    expect(progress.map((l) => l.slice(0, l.indexOf(' (')))).toEqual(['progress: 1/3 trials', 'progress: 2/3 trials', 'progress: 3/3 trials']);
    expect(progress[2]).toMatch(/elapsed \d+s, left ~0s \| val loss \d+\.\d{4}$/);
    const b = await run(...args);
    expect(b.code).toBe(0);
    expect(b.out).toContain('0 trial(s) run, 3 finished before and skipped');
    const q = await run(...args, '--quiet');
    expect(q.code).toBe(0);
    expect(q.err).toBe('');
    const c = await run('compare', ...args.slice(1).map((x) => (x === '2' ? '3' : x)));
    expect(c.code).toBe(2); // another budget in the same directory
    expect(c.err).toContain('--out');
    const rep = await run('report', dir);
    expect(rep.code).toBe(0);
    expect(rep.out).toContain('report.html (study report)');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<svg');
  });
});
