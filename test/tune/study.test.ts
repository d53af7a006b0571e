/**
 * The comparison study end to end, CI-sized: MLP (width 0.05) on a 256-example slice of the embedded MNIST,
 * 2 seeds, a budget of 2 epochs, search trials of 1 epoch, every method. Then an interrupted study (a trial
 * limit, then a torn last line) is resumed and must skip its finished trials and end with the same summary,
 * and the HTML report of the study and of a `tune` run must be self-contained.
 */
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { runTune } from '../../src/cli/tune.js';
import { Rng } from '../../src/rng.js';
import { bayesianOptimization } from '../../src/tune/search.js';
import { writeReport } from '../../src/tune/reports.js';
import {
  STUDY_METHODS,
  deriveSeed,
  planTrials,
  readTrials,
  runStudy,
  summarizeStudy,
  validationCurve,
  workerScript,
  type StudyConfig,
  type StudySummary,
  type TrialRecord,
} from '../../src/tune/study.js';
import { temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

const config: StudyConfig = {
  model: 'mlp',
  dataset: 'mnist',
  methods: [...STUDY_METHODS],
  seeds: [0, 1],
  budgetEpochs: 2,
  trialEpochs: 1,
  batchSize: 32,
  trainSize: 256,
  width: 0.05,
  warmupEpochs: 0,
  lrWeights: 0.05,
  lrHyper: 0.03,
  backend: 'wasm',
};

/** The summary without anything measured in seconds (which differs from run to run). */
function timeless(s: StudySummary): unknown {
  return JSON.parse(
    JSON.stringify({ ...s, plainEpochSeconds: null, methods: s.methods.map((m) => ({ ...m, wallSeconds: null, trainSeconds: null, plainEpochs: null, seeds: m.seeds.map((o) => ({ ...o, wallSeconds: null, trainSeconds: null })) })) }),
  );
}

function lines(dir: string): TrialRecord[] {
  return readTrials(join(dir, 'trials.jsonl')).records;
}

const full = tmp('deltastn-study-');
let fullSummary: StudySummary;

describe('study', () => {
  test('seeds are derived from (seed, method, trial) and trials fill the budget exactly', () => {
    expect(deriveSeed(0, 'random', 3)).toBe(deriveSeed(0, 'random', 3));
    const all = new Set(STUDY_METHODS.flatMap((m) => [0, 1, 2].flatMap((s) => [0, 1, 2].map((t) => deriveSeed(s, m, t)))));
    expect(all.size).toBe(STUDY_METHODS.length * 9);
    for (const s of all) expect(Number.isSafeInteger(s * 1_000_003 + 1000)).toBe(true);
    expect(planTrials({ budgetEpochs: 7, trialEpochs: 3 }, 'random')).toEqual([
      { trial: 0, epochs: 3 },
      { trial: 1, epochs: 3 },
      { trial: 2, epochs: 1 },
    ]);
    expect(planTrials({ budgetEpochs: 7, trialEpochs: 3 }, 'stn')).toEqual([{ trial: 0, epochs: 7 }]);
  });

  test('a CI-sized study of every method: every trial recorded, a table row per method, plots', async () => {
    const logs: string[] = [];
    const r = await runStudy(config, full, { workers: 2, log: (s) => logs.push(s) });
    fullSummary = r.summary;
    // Under vitest (TypeScript sources) there is no compiled worker: in-process, and the log says so.
    expect(workerScript()).toBeNull();
    expect(r.workers).toBe(0);
    expect(logs.join('\n')).toContain('in-process');
    expect(r.ran).toBe(16); // 4 hypernetwork methods × 2 seeds + 2 search methods × 2 seeds × 2 trials
    expect(r.skipped).toBe(0);
    expect(r.complete).toBe(true);
    const recs = lines(full);
    expect(recs).toHaveLength(16);
    for (const rec of recs) {
      expect(rec.epochs.length).toBe(rec.plannedEpochs);
      expect(rec.stopped).toBeUndefined();
      expect(rec.epochs.every((p) => Number.isFinite(p.val.loss) && p.test !== undefined)).toBe(true);
      expect(Object.keys(rec.hyper)).toEqual(['dropout_input', 'dropout1', 'dropout2']);
    }
    // Paired (issue 17): the hypernetwork methods of a seed share one run seed (initial weights, batch order,
    // draws); seeds differ; every search trial has its own.
    for (const seed of [0, 1]) {
      const hyper = recs.filter((x) => x.seed === seed && x.nnMethod !== 'fixed');
      expect(hyper).toHaveLength(4);
      expect(new Set(hyper.map((x) => x.runSeed)).size).toBe(1);
    }
    expect(recs.find((x) => x.seed === 0 && x.method === 'stn')?.runSeed).not.toBe(recs.find((x) => x.seed === 1 && x.method === 'stn')?.runSeed);
    expect(new Set(recs.filter((x) => x.nnMethod === 'fixed').map((x) => x.runSeed)).size).toBe(8);
    // Search trials train at the suggested values; hypernetwork runs report their trajectories.
    const rnd = recs.filter((x) => x.method === 'random');
    expect(rnd.every((x) => x.nnMethod === 'fixed' && x.u?.length === 3)).toBe(true);
    expect(new Set(rnd.map((x) => x.hyper.dropout1)).size).toBe(4);
    for (const x of rnd) expect(x.hyper.dropout1).toBeCloseTo(0.95 * (x.u as number[])[1], 5);
    const dstn = recs.find((x) => x.method === 'delta-stn' && x.seed === 0) as TrialRecord;
    expect(dstn.trajectory?.length).toBeGreaterThan(2);
    expect(dstn.trajectory?.[dstn.trajectory.length - 1].lambda).toEqual(dstn.epochs[1].lambda);
    expect(dstn.epochs[1].lambda).not.toEqual(dstn.trajectory?.[0].lambda); // λ moved
    // Outputs.
    const table = readFileSync(join(full, 'table.md'), 'utf8');
    for (const m of STUDY_METHODS) expect(table).toMatch(new RegExp(`^\\| ${m} \\|`, 'm'));
    expect(table).toContain('2.5 plain epochs');
    const summary = JSON.parse(readFileSync(join(full, 'summary.json'), 'utf8')) as StudySummary;
    expect(summary.methods.map((m) => m.method)).toEqual([...STUDY_METHODS]);
    for (const m of summary.methods) {
      expect(m.seeds).toHaveLength(2);
      expect(m.epochs.mean).toBe(2);
      expect(m.bestVal.std).not.toBeNull();
      expect(m.testAccuracy.mean).toBeGreaterThan(0);
    }
    // Best val of a search = min over its trials' epochs; test accuracy is taken at that epoch.
    const bayes0 = recs.filter((x) => x.method === 'bayes' && x.seed === 0).flatMap((x) => x.epochs);
    const best = bayes0.reduce((a, p) => (p.val.loss < a.val.loss ? p : a));
    const o = summary.methods.find((m) => m.method === 'bayes')?.seeds[0];
    expect(o?.bestVal).toBe(best.val.loss);
    expect(o?.testAccuracy).toBe(best.test?.accuracy);
    const svgs = readdirSync(full).filter((f) => f.endsWith('.svg'));
    expect(svgs).toEqual(expect.arrayContaining(['val-loss-epochs.svg', 'val-loss-time.svg', 'schedule-dropout1.svg', 'lambda-delta-stn.svg', 'lambda-stn.svg']));
    const vs = readFileSync(join(full, 'val-loss-epochs.svg'), 'utf8');
    expect(vs.startsWith('<svg')).toBe(true);
    expect(vs).toContain('random (best so far)');
  });

  test('search curves are best-so-far, hypernetwork curves are per epoch', () => {
    const recs = lines(full);
    const rnd = validationCurve(recs.filter((x) => x.method === 'random' && x.seed === 1));
    expect(rnd.map((p) => p.epochs)).toEqual([1, 2]);
    expect(rnd[1].val).toBe(Math.min(...recs.filter((x) => x.method === 'random' && x.seed === 1).map((x) => x.epochs[0].val.loss)));
    expect(rnd[1].seconds).toBeGreaterThan(rnd[0].seconds);
    const stn = recs.filter((x) => x.method === 'stn' && x.seed === 1);
    expect(validationCurve(stn).map((p) => p.val)).toEqual(stn[0].epochs.map((p) => p.val.loss));
  });

  test('an interrupted study resumes without redoing finished trials and ends with the same summary', async () => {
    const dir = tmp('deltastn-resume-');
    const a = await runStudy(config, dir, { limit: 5 });
    expect(a.ran).toBe(5);
    expect(a.complete).toBe(false);
    const first = readFileSync(join(dir, 'trials.jsonl'), 'utf8');
    // A kill in the middle of writing the next line.
    appendFileSync(join(dir, 'trials.jsonl'), first.split('\n')[0].slice(0, 100));
    const logs: string[] = [];
    const b = await runStudy(config, dir, { log: (s) => logs.push(s) });
    expect(b.skipped).toBe(5);
    expect(b.ran).toBe(11);
    expect(logs.join('\n')).toContain('1 unreadable or foreign line(s) dropped');
    const after = readFileSync(join(dir, 'trials.jsonl'), 'utf8');
    expect(after.startsWith(first)).toBe(true); // the five records are untouched (same finishedAt)
    expect(lines(dir)).toHaveLength(16);
    expect(timeless(b.summary)).toEqual(timeless(fullSummary));
    // A third call has nothing to do.
    const c = await runStudy(config, dir);
    expect([c.ran, c.skipped]).toEqual([0, 16]);
    // Same records as the uninterrupted study, trial by trial, timings aside.
    const strip = (r: TrialRecord): unknown => ({ ...r, wallSeconds: 0, finishedAt: '', epochs: r.epochs.map((p) => ({ ...p, seconds: 0, elapsed: 0 })) });
    const byKey = (rs: TrialRecord[]): Map<string, unknown> => new Map(rs.map((r) => [`${r.method}|${r.seed}|${r.trial}`, strip(r)]));
    expect(byKey(lines(dir))).toEqual(byKey(lines(full)));
  });

  test('Bayesian optimization: the GP proposes after the random start, and a resumed sequence proposes the same points', async () => {
    const bo: StudyConfig = { ...config, methods: ['bayes'], seeds: [3], budgetEpochs: 6, trainSize: 64 };
    const a = tmp('deltastn-bo-a-');
    const b = tmp('deltastn-bo-b-');
    const before = tf.memory().numTensors; // the backend is set by the studies above
    await runStudy(bo, a);
    await runStudy(bo, b, { limit: 5 });
    const r = await runStudy(bo, b);
    expect(tf.memory().numTensors).toBe(before); // 12 trials built, trained and disposed: no tensor left behind
    expect([r.ran, r.skipped]).toEqual([1, 5]);
    const ua = lines(a).map((x) => x.u);
    expect(lines(b).map((x) => x.u)).toEqual(ua);
    // Trials 0..3 are the strategy's random start (h + 1 = 4 points): u = the trial's rng's uniform draws.
    // Trial 5 comes from the GP fitted to trials 0..4, so it is not those draws.
    const draws = (t: number): number[] => {
      const rng = new Rng(deriveSeed(3, 'bayes:suggest', t));
      return [rng.uniform(), rng.uniform(), rng.uniform()];
    };
    for (const t of [0, 1, 2, 3]) expect(ua[t]).toEqual(draws(t));
    expect(ua[5]).not.toEqual(draws(5));
    // …and it is exactly the strategy's proposal from the history of trials 0..4 (u, best validation loss).
    const recs = lines(a).sort((x, y) => x.trial - y.trial);
    const history = recs.slice(0, 5).map((x) => ({ u: x.u as number[], value: x.bestVal as number }));
    expect(bayesianOptimization(3).suggest(history, new Rng(deriveSeed(3, 'bayes:suggest', 5)))).toEqual(ua[5]);
  });

  test('a directory holding another study is refused, naming --out', async () => {
    await expect(runStudy({ ...config, budgetEpochs: 3 }, full)).rejects.toThrow(/--out.*budgetEpochs/);
    await expect(runStudy({ ...config, methods: ['stn', 'sgd' as never] }, full)).rejects.toThrow(/--methods/);
    await expect(runStudy({ ...config, trialEpochs: 5 }, full)).rejects.toThrow(/--trial-epochs/);
  });

  test('trials.jsonl: a repeated record counts once, a torn or foreign line is skipped', () => {
    const dir = tmp('deltastn-lines-');
    const text = readFileSync(join(full, 'trials.jsonl'), 'utf8').split('\n');
    writeFileSync(join(dir, 'trials.jsonl'), [text[0], text[1], text[0], '{"format":"other"}', text[2].slice(0, 50)].join('\n'));
    const { records, bad } = readTrials(join(dir, 'trials.jsonl'));
    expect(records.map((r) => r.finishedAt)).toEqual([JSON.parse(text[0]).finishedAt, JSON.parse(text[1]).finishedAt]);
    expect(bad).toBe(2);
  });

  test('summaries mark missing seeds as incomplete', () => {
    const recs = lines(full).filter((r) => !(r.method === 'bayes' && r.seed === 1 && r.trial === 1));
    const s = summarizeStudy(config, recs);
    expect(s.complete).toBe(false);
    expect(s.methods.find((m) => m.method === 'bayes')?.complete).toBe(false);
    expect(s.methods.find((m) => m.method === 'random')?.complete).toBe(true);
  });

  test('test loss and accuracy are taken at the epoch of the best validation loss, not the last one', () => {
    const recs = lines(full).map((r): TrialRecord => (r.method === 'stn' && r.seed === 0 ? { ...r, epochs: r.epochs.map((p, i) => (i === 0 ? { ...p, val: { ...p.val, loss: 0.01 }, test: { loss: 9, accuracy: 0.125 } } : p)) } : r));
    const o = summarizeStudy(config, recs).methods.find((m) => m.method === 'stn')?.seeds[0];
    expect([o?.bestVal, o?.testLoss, o?.testAccuracy]).toEqual([0.01, 9, 0.125]);
  });

  test('report: one self-contained HTML page for a study and for a tune run', async () => {
    const { path } = writeReport(full);
    const html = readFileSync(path, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect((html.match(/<svg\b/g) ?? []).length).toBeGreaterThanOrEqual(5);
    for (const m of STUDY_METHODS) expect(html).toContain(`<td>${m}</td>`);
    expect(html).toContain('&quot;budgetEpochs&quot;: 2');

    const run = tmp('deltastn-run-');
    await runTune({ model: 'mlp', dataset: 'mnist', method: 'delta-stn', epochs: 2, seed: 1, batchSize: 32, trainSize: 128, width: 0.05, warmupEpochs: 0, lrWeights: 0.05, lrHyper: 0.03, hparams: {}, backend: 'wasm' }, run);
    const rep = writeReport(run);
    expect(rep.kind).toBe('run');
    const h2 = readFileSync(rep.path, 'utf8');
    expect(h2).not.toMatch(/https?:\/\//);
    expect((h2.match(/<svg\b/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(h2).toContain('dropout1');

    const empty = tmp('deltastn-empty-');
    writeFileSync(join(empty, 'notes.txt'), 'nothing');
    expect(() => writeReport(empty)).toThrow(/DIR/);
    expect(existsSync(join(empty, 'report.html'))).toBe(false);
  });
});
