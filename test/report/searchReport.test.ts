/**
 * `deltastn report DIR` on an architecture-search directory (src/report/html.ts searchPage): a hand-made
 * study (records written straight to runs.jsonl: two seeds, one incomplete, HTML in a genotype and a stop
 * note, a torn line) checks the page's content exactly; one real CI-sized study (runArchSearch: the 2-node MLP
 * cell, width 8, the first 200 embedded-MNIST examples, S = E = 1, darts1 and random, batches of 50, wasm)
 * checks that a directory `deltastn search` wrote is reported with the figures it drew. Also: a directory of
 * no known kind, foreign records and a bad config.json are typed errors naming DIR, and the Markdown table
 * (table.md) is byte for byte what it was before the table was split into cells.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, test } from 'vitest';
import { MLP_OPS } from '../../src/nas/space.js';
import { initBackend } from '../../src/nn/backend.js';
import { inlineSvg } from '../../src/report/html.js';
import { textWidth } from '../../src/report/plot.js';
import {
  archSearchTable,
  archSearchTableRows,
  archWeightPlots,
  randomTrials,
  readArchRecords,
  runArchSearch,
  type ArchMethodSummary,
  type ArchRecord,
  type ArchSearchConfig,
  type RetrainResult,
  type SearchEpoch,
} from '../../src/tune/archSearch.js';
import { temporaryDirectories, runCli } from '../helpers.js';

const tmp = temporaryDirectories();

const run = runCli;

/** The parts of a linkedom node these tests read. */
interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
}

function parse(html: string): El {
  return parseHTML(html).document as unknown as El;
}

/** y coordinates (SVG pixels) of a path "Mx,yLx,y…". */
function pathYs(d: string): number[] {
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((p) => Number(p[2]));
}

/** The cell texts of the rows of the first table in `root` (header row first). */
function cells(root: El): string[][] {
  return [...root.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? ''));
}

const config: ArchSearchConfig = {
  space: 'mlp-cell',
  dataset: 'mnist',
  methods: ['darts1', 'delta-stn', 'random'],
  seeds: [0, 1],
  searchEpochs: 2,
  retrainEpochs: 1,
  nodes: 2,
  width: 8,
  trainSize: 200,
  batchSize: 50,
  lrWeights: 0.05,
  lrHyper: 0.03,
  trainSteps: 1,
  backend: 'wasm',
};
const EVIL_GENOTYPE = 'e01:<b>bold</b> e02:"q" & \'s\'';
const EVIL_STOP = '<img src=x onerror=alert(1)>';

function res(text: string, val: number, test: number, stopped?: string): RetrainResult {
  const r: RetrainResult = { genotype: { kind: 'mlp-cell', nodes: 2, edges: [] }, text, epochs: 1, train: { loss: 1, accuracy: 0.99 }, val: { loss: 1, accuracy: val }, test: { loss: 1, accuracy: test }, seconds: 1.25 };
  return stopped ? { ...r, stopped } : r;
}

/** Search epochs with the given one-shot validation accuracies (train accuracy val², not affine in val, so a mix-up shows). */
function epochs(vals: number[]): SearchEpoch[] {
  const w = Object.fromEntries(MLP_OPS.map((op, j) => [op, (j + 1) / 10]));
  return vals.map((v, epoch) => ({ epoch, train: { loss: 1, accuracy: v * v }, val: { loss: 1, accuracy: v }, weights: { e01: w, e02: w, e12: w }, seconds: 2 }));
}

/** n = round((2 + 1)/1) = 3 random trials per seed; seed 1 has delta-stn missing and 1 of 3 random trials: 7 of 10 jobs. */
const records: ArchRecord[] = [
  { kind: 'search', method: 'darts1', seed: 0, searchEpochs: epochs([0.3, 0.5]), alpha: [], searchSeconds: 10.5, retrain: res('e01:dense-relu e02:identity e12:-', 0.41, 0.4), backend: 'wasm' },
  { kind: 'search', method: 'darts1', seed: 1, searchEpochs: epochs([0.2, 0.25]), alpha: [], searchSeconds: 11, retrain: res('e01:dense-tanh e02:- e12:identity', 0.52, 0.5), backend: 'wasm' },
  { kind: 'search', method: 'delta-stn', seed: 0, searchEpochs: epochs([0.6, 0.2]), alpha: [], searchSeconds: 20, stopped: EVIL_STOP, retrain: res(EVIL_GENOTYPE, 0.33, 0.35), backend: 'wasm' },
  { kind: 'random', method: 'random', seed: 0, trial: 0, retrain: res('e01:zero e02:zero e12:zero', 0.2, 0.9), backend: 'wasm' },
  { kind: 'random', method: 'random', seed: 0, trial: 1, retrain: res('e01:identity e02:dense-relu e12:dense-relu', 0.6, 0.3), backend: 'wasm' },
  { kind: 'random', method: 'random', seed: 0, trial: 2, retrain: res('e01:dense-tanh e02:zero e12:-', 0.4, 0.5, 'non-finite loss'), backend: 'wasm' },
  { kind: 'random', method: 'random', seed: 1, trial: 0, retrain: res('e01:zero e02:- e12:-', 0.9, 0.9), backend: 'wasm' },
];

/** A search directory holding `recs` (and `extra` raw text appended to runs.jsonl). */
function searchDir(c: ArchSearchConfig, recs: readonly ArchRecord[], extra = ''): string {
  const dir = tmp('deltastn-searchrep-');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c, null, 2) + '\n');
  writeFileSync(join(dir, 'runs.jsonl'), recs.map((r) => JSON.stringify(r) + '\n').join('') + extra);
  return dir;
}

describe('a hand-made search directory', () => {
  let html = '';
  let doc: El;
  let report: { code: number; out: string; err: string };
  const dir = searchDir(config, records, '{"kind":"search","method":"dar'); // a torn last line

  beforeAll(async () => {
    report = await run('report', dir);
    html = readFileSync(join(dir, 'report.html'), 'utf8');
    doc = parse(html);
  });

  test('exits 0, says it wrote a search report, and the page fetches nothing (no http(s):// at all, no script)', () => {
    expect(report.code).toBe(0);
    expect(report.err).toBe('');
    expect(report.out).toBe(`${join(dir, 'report.html')} (search report)`);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/<[^>]*\b(src|href)\s*=/i); // an attribute, not escaped text (the stop note holds "src=x")
  });

  test('the header states space, dataset, seeds, S, E, random\u2019s n, backend, progress and the torn line', () => {
    const p = doc.querySelectorAll('main > p')[0].textContent ?? '';
    expect(p).toContain('Space mlp-cell (2 nodes, width 8) on mnist (first 200 training examples)');
    expect(p).toContain('seeds 0, 1');
    expect(p).toContain('S = 2 search epochs, E = 1 retraining epochs');
    expect(p).toContain(`n = ${randomTrials(config)} architectures per seed`);
    expect(randomTrials(config)).toBe(3);
    expect(p).toContain('backend wasm');
    expect(p).toContain('7 of 10 job(s) recorded (incomplete');
    expect(p).toContain('1 unreadable or foreign line(s) in runs.jsonl left out');
  });

  test('the results table: mean ± std of test accuracy, random\u2019s best-by-validation trial, one genotype per seed on its own line', () => {
    const rows = cells(doc.querySelectorAll('table')[0]);
    expect(rows[0]).toEqual(['method', 'test acc (%)', 'val acc (%)', 'training epochs / seed', 'wall (s) / seed', 'architectures found (per seed)']);
    // darts1: test 0.40, 0.50 → 45.00 ± 7.07 (sample std √0.005); val 0.41, 0.52 → 46.50 ± 7.78; 2 + 1 epochs;
    // wall (10.5 + 1.25 + 11 + 1.25)/2 = 12.
    expect(rows[1].slice(0, 5)).toEqual(['darts1', '45.00 ± 7.07', '46.50 ± 7.78', '3', '12']);
    expect(rows[2].slice(0, 5)).toEqual(['delta-stn', '35.00', '33.00', '3', '21']);
    // random, seed 0 only (seed 1 has 1 of 3 trials): trial 1 has the best validation accuracy (0.6), test 0.3,
    // not trial 0's test 0.9; 3 trials × 1 epoch; wall 3 × 1.25.
    expect(rows[3].slice(0, 5)).toEqual(['random', '30.00', '60.00', '3', '4']);
    expect(rows).toHaveLength(4);
    expect(html).toContain('<td>e01:dense-relu e02:identity e12:-<br>e01:dense-tanh e02:- e12:identity</td>');
    expect(html).toContain('<td>e01:identity e02:dense-relu e12:dense-relu</td>');
    // The notes are plain text here (table.md has backticks).
    expect(html).toContain('<li>Space mlp-cell (2 nodes, width 8) on mnist');
  });

  test('HTML in record fields is escaped, in the results table and in the record table', () => {
    expect(html).not.toContain('<b>bold</b>');
    expect(html).not.toContain('<img');
    const escaped = 'e01:&lt;b&gt;bold&lt;/b&gt; e02:&quot;q&quot; &amp; &#39;s&#39;';
    expect(html.split(`<td>${escaped}</td>`)).toHaveLength(3); // results table and record table
    expect(html).toContain(`<td>search stopped: &lt;img src=x onerror=alert(1)&gt;</td>`);
  });

  test('figures: the one-shot validation accuracy (one line per search method and seed, every seed) and one weight plot per method and edge', () => {
    const figures = [...doc.querySelectorAll('figure')];
    expect(html.split('<svg')).toHaveLength(1 + 1 + 2 * 3);
    expect(figures).toHaveLength(7);
    const acc = figures[0];
    // Every seed that has a search run (issue 14: only seed 0 was drawn); delta-stn has no seed-1 run.
    expect(acc.textContent).toContain('validation accuracy over the search (seeds 0, 1)');
    expect([...acc.querySelectorAll('g[aria-label="legend"] text')].map((t) => t.textContent)).toEqual(['darts1, seed 0', 'darts1, seed 1', 'delta-stn, seed 0']);
    const paths = [...acc.querySelectorAll('g[aria-label="line"] path')];
    const ys = paths.map((p) => pathYs(p.getAttribute('d') ?? ''));
    expect(ys.map((y) => y.length)).toEqual([2, 2, 2]);
    // A method's seeds share its colour; its first seed is solid, the others dashed.
    const attr = (p: El, name: string): string | null => p.getAttribute(name) ?? (p as El & { parentElement: El }).parentElement.getAttribute(name);
    expect(attr(paths[0], 'stroke')).toBe(attr(paths[1], 'stroke'));
    expect(attr(paths[0], 'stroke')).not.toBe(attr(paths[2], 'stroke'));
    expect(paths.map((p) => attr(p, 'stroke-dasharray') !== null)).toEqual([false, true, false]);
    // Pixel y is affine in the value: fit it on darts1 seed 0 (30 %, 50 %) and predict darts1 seed 1 (20 %, 25 %)
    // and delta-stn (60 %, 20 %); the train accuracies (squares of these) would miss by tens of pixels. 0.5 px:
    // Plot writes coordinates rounded to about 0.1 px.
    const slope = (ys[0][1] - ys[0][0]) / (50 - 30);
    const at = (v: number): number => ys[0][0] + slope * (v - 30);
    expect(Math.abs(ys[1][0] - at(20))).toBeLessThan(0.5);
    expect(Math.abs(ys[1][1] - at(25))).toBeLessThan(0.5);
    expect(Math.abs(ys[2][0] - at(60))).toBeLessThan(0.5);
    expect(Math.abs(ys[2][1] - at(20))).toBeLessThan(0.5);
    // Search epochs are integers on the axis.
    expect([...acc.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => t.textContent)).toEqual(['1', '2']);
    // The weight plots are archWeightPlots' drawings, regenerated from the records, in order.
    const plots = archWeightPlots(config, records);
    expect(plots.map((p) => p.name)).toEqual(['darts1', 'delta-stn'].flatMap((m) => ['e01', 'e02', 'e12'].map((e) => `weights-${m}-${e}.svg`)));
    for (const p of plots) expect(html).toContain(inlineSvg(p.svg));
    // Their titles (≈ 70 characters at 14 px bold in a 520-px chart) wrap inside the viewBox instead of being cut.
    for (const f of figures.slice(1)) {
      const title = f.querySelectorAll('text[aria-label="title"]')[0];
      const lines = [...title.querySelectorAll('tspan')].map((t) => (t.textContent ?? '').trim());
      expect(title.textContent).toMatch(/^(darts1|delta-stn), edge e\d\d: softmax\(α\) over the search \(mlp-cell, seed 0\)$/);
      expect(lines.length).toBeGreaterThan(1);
      for (const l of lines) expect(Number(title.getAttribute('x')) + textWidth(l, 14)).toBeLessThanOrEqual(520);
    }
  });

  test('every record, collapsed: method, seed, trial, genotype, retrain accuracies, seconds and stop notes', () => {
    const details = doc.querySelectorAll('details');
    expect(details).toHaveLength(1);
    const rows = cells(details[0]);
    expect(rows[0]).toEqual(['method', 'seed', 'trial', 'genotype', 'retrain val acc (%)', 'retrain test acc (%)', 'search (s)', 'retrain (s)', 'note']);
    expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ['darts1', '0', '—'],
      ['darts1', '1', '—'],
      ['delta-stn', '0', '—'],
      ['random', '0', '0'],
      ['random', '0', '1'],
      ['random', '0', '2'],
      ['random', '1', '0'],
    ]);
    expect(rows[1].slice(3)).toEqual(['e01:dense-relu e02:identity e12:-', '41.00', '40.00', '10.5', '1.3', '']);
    expect(rows[3][8]).toBe(`search stopped: ${EVIL_STOP}`);
    expect(rows[6].slice(6)).toEqual(['—', '1.3', 'retraining stopped: non-finite loss']);
  });

  test('the configuration is shown as JSON', () => {
    const pre = doc.querySelectorAll('pre');
    expect(pre).toHaveLength(1);
    expect(JSON.parse(pre[0].textContent ?? '')).toEqual(config);
  });
});

describe('edge cases of the directory', () => {
  test('nothing finished yet (empty runs.jsonl): a page with no table rows and no figure', async () => {
    const dir = searchDir(config, []);
    const r = await run('report', dir);
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('0 of 10 job(s) recorded (incomplete');
    expect(html).toContain('No method has finished a seed yet.');
    expect(html).not.toContain('<svg');
  });

  test('a directory of no known kind or an invalid search config: exit 2 naming DIR; foreign records beside a search config are left out and counted', async () => {
    const none = await run('report', tmp('deltastn-searchrep-none-'));
    expect(none.code).toBe(2);
    expect(none.err).toContain('DIR');
    expect(none.err).toContain('search directory');
    const foreign = searchDir(config, []);
    writeFileSync(join(foreign, 'runs.jsonl'), JSON.stringify({ method: 'delta-stn', seed: 0, trial: 0, hyper: {} }) + '\n');
    // A foreign record beside a search config is left out and counted (issue 18: it used to make the whole
    // directory unreportable), not a rejection of the directory.
    const f = await run('report', foreign);
    expect(f.code, f.err).toBe(0);
    expect(readFileSync(join(foreign, 'report.html'), 'utf8')).toContain('1 unreadable or foreign line(s) in runs.jsonl left out');
    const bad = searchDir({ ...config, nodes: 0 }, records);
    const b = await run('report', bad);
    expect(b.code).toBe(2);
    expect(b.err).toContain('DIR');
    expect(b.err).toContain('--nodes');
    expect(readdirSync(bad)).not.toContain('report.html');
  });
});

describe('the Markdown table is unchanged by the split into cells', () => {
  // Written by archSearchTable before the refactor (commit 679bc62) for this input.
  const GOLDEN = [
    '| method | test acc (%) | val acc (%) | training epochs / seed | wall (s) / seed | architectures found (per seed) |',
    '|---|---|---|---|---|---|',
    '| darts1 | 85.00 ± 7.07 | 51.23 | 7 | 13 | `e01:dense-relu e02:identity e12:-`<br>`e01:dense-tanh e02:- e12:identity` |',
    '| random | 70.00 | 51.23 | 7 | 13 | `a|b` |',
    '',
    'Space `mlp-cell` (2 nodes, width 8) on mnist (first 200 training examples); seeds 0, 1. Search: 5 epochs on the one-shot model, then the discretized cell is retrained from scratch for 2 epochs; random: 4 uniform architectures retrained for 2 epochs each, the best by validation accuracy reported. Mean ± sample standard deviation over seeds; an epoch of the one-shot model costs more than a retraining epoch (see wall time).',
  ].join('\n');
  const m = (method: ArchMethodSummary['method'], tests: number[], genotypes: string[]): ArchMethodSummary => {
    const mean = tests.reduce((a, b) => a + b, 0) / tests.length;
    const std = tests.length < 2 ? null : Math.sqrt(tests.reduce((a, x) => a + (x - mean) ** 2, 0) / (tests.length - 1));
    return { method, test: { mean, std, n: tests.length }, val: { mean: 0.5123, std: null, n: tests.length }, seeds: genotypes.map((g, i) => ({ seed: i, genotype: g, val: 0.5, test: tests[i], seconds: 1 })), epochs: 7, seconds: 12.6 };
  };
  const c: ArchSearchConfig = { ...config, methods: ['darts1', 'random'], searchEpochs: 5, retrainEpochs: 2 };
  const summary = [m('darts1', [0.8, 0.9], ['e01:dense-relu e02:identity e12:-', 'e01:dense-tanh e02:- e12:identity']), m('random', [0.7], ['a|b'])];

  test('archSearchTable gives the pre-refactor text byte for byte; the cells behind it are plain text', () => {
    expect(archSearchTable(c, summary)).toBe(GOLDEN);
    const t = archSearchTableRows(c, summary);
    expect(t.rows[0]).toEqual(['darts1', '85.00 ± 7.07', '51.23', '7', '13', 'e01:dense-relu e02:identity e12:-\ne01:dense-tanh e02:- e12:identity']);
    expect(t.notes).toHaveLength(1);
    expect(t.notes[0]).toMatch(/^Space mlp-cell \(2 nodes/);
  });
});

describe('a directory written by a real tiny search (darts1, random; seed 0; S = E = 1)', () => {
  const rc: ArchSearchConfig = { ...config, methods: ['darts1', 'random'], seeds: [0], searchEpochs: 1, retrainEpochs: 1 };
  const dir = join(tmp('deltastn-searchrep-real-'), 'study');
  let recs: ArchRecord[] = [];
  let written: Record<string, string> = {};

  beforeAll(async () => {
    await initBackend('wasm');
    await runArchSearch(rc, dir);
    recs = readArchRecords(join(dir, 'runs.jsonl'));
    written = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.svg')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    // The report draws its figures from the records: without the SVG files it must give the same page.
    for (const f of Object.keys(written)) rmSync(join(dir, f));
  });

  test('report exits 0; the page holds the table\u2019s numbers, each method\u2019s genotype and the search\u2019s figures', async () => {
    expect(recs.map((r) => r.method)).toEqual(['darts1', 'random', 'random']);
    const r = await run('report', dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(search report)');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    const search = recs.find((x) => x.kind === 'search');
    const trials = recs.filter((x) => x.kind === 'random');
    if (!search) throw new Error('no search record');
    const best = trials.reduce((a, b) => (b.retrain.val.accuracy > a.retrain.val.accuracy ? b : a));
    // One seed: the mean is the record's own accuracy, no ± part.
    expect(html).toContain(`<tr><td>darts1</td><td>${(100 * search.retrain.test.accuracy).toFixed(2)}</td>`);
    expect(html).toContain(`<tr><td>random</td><td>${(100 * best.retrain.test.accuracy).toFixed(2)}</td>`);
    expect(html).toContain(`<td>${search.retrain.text}</td>`);
    expect(html).toContain(`<td>${best.retrain.text}</td>`);
    expect(html).toContain('3 of 3 job(s) recorded (complete).');
    // 3 edges of darts1 + the accuracy figure; each weight figure is the file search wrote, inlined.
    expect(Object.keys(written).sort()).toEqual(['weights-darts1-e01.svg', 'weights-darts1-e02.svg', 'weights-darts1-e12.svg']);
    expect(html.split('<svg')).toHaveLength(1 + 3 + 1);
    for (const svg of Object.values(written)) expect(html).toContain(inlineSvg(svg));
  });
});
