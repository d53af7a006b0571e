/**
 * The evidence of issue 17 from a study's records, on synthetic records whose numbers are worked out by hand:
 * the summary's mean ± sample std over seeds (validation and test loss and accuracy, wall time) and the spread of
 * the final hyperparameters (mean ± std, min–max), the table row that prints them; the schedule's σ band
 * T(λ − σ) … T(λ + σ) and its across-seed mean and min–max; and the shaded band of the SVG line chart (a polygon
 * whose vertices are the band's points in order, no NaN). No network is trained here.
 */
import fc from 'fast-check';
import { DOMParser } from 'linkedom';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { sigmoid, softplus, softplusInverse } from '../../src/linalg/scalar.js';
import { HyperSpace, type HyperSpaceJSON } from '../../src/nn/hyper.js';
import { lineChart, type LineChartSpec } from '../../src/report/plot.js';
import { closedFormRelTol } from '../../src/tolerance.js';
import { scheduleBands, studyPlots, studyScheduleBands } from '../../src/tune/studyPlots.js';
import { formatSpread, studyTable, summarizeStudy } from '../../src/tune/studySummary.js';
import type { StudyConfig } from '../../src/tune/studyConfig.js';
import type { EpochPoint, TrialRecord } from '../../src/tune/studyRecords.js';

/** The bits of linkedom's DOM read here (the project compiles without the DOM lib). */
interface El {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
}
const parse = (svg: string): El => new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as El;

/** The vertices of an SVG path "Mx,yLx,y…Z" (linear curve: move and line commands only). */
function vertices(d: string): [number, number][] {
  expect(d, 'only M, L and Z commands').toMatch(/^M[^A-KN-Za-z]*Z?$/);
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const close = (got: number, want: number): void => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(closedFormRelTol() * Math.max(1, Math.abs(want)));

const SPACE: HyperSpaceJSON = {
  format: 'deltastn.hyperspace',
  version: 1,
  hyperparameters: [{ name: 'dropout1', kind: 'dropout', range: [0, 0.95], discrete: false, perturb: 'example', init: 0.05, scale: 1 }],
} as unknown as HyperSpaceJSON;

const config: StudyConfig = {
  model: 'mlp',
  dataset: 'mnist',
  methods: ['stn'],
  seeds: [0, 1],
  budgetEpochs: 2,
  trialEpochs: 1,
  batchSize: 32,
  trainSize: 0,
  width: 1,
  warmupEpochs: 0,
  lrWeights: 0.01,
  lrHyper: 0.01,
  backend: 'wasm',
};

/** One epoch: validation and test (loss, accuracy), λ and raw scale of the one hyperparameter. */
function epoch(e: number, val: [number, number], testSet: [number, number], lambda: number, rawScale: number): EpochPoint {
  return {
    epoch: e,
    cumEpochs: e + 1,
    seconds: 1,
    elapsed: e + 1,
    train: { loss: 1, accuracy: 0.5 },
    val: { loss: val[0], accuracy: val[1] },
    test: { loss: testSet[0], accuracy: testSet[1] },
    hyper: { dropout1: { value: 0.95 * sigmoid(lambda), scale: softplus(rawScale) } },
    lambda: [lambda],
    rawScale: [rawScale],
  };
}

function record(seed: number, epochs: EpochPoint[], wallSeconds: number, finalDropout: number): TrialRecord {
  return {
    format: 'deltastn.trial',
    version: 1,
    method: 'stn',
    seed,
    trial: 0,
    runSeed: seed,
    nnMethod: 'stn',
    plannedEpochs: 2,
    hyper: { dropout1: finalDropout },
    bestVal: Math.min(...epochs.map((p) => p.val.loss)),
    epochs,
    trajectory: epochs.map((p) => ({ t: p.cumEpochs, lambda: p.lambda, rawScale: p.rawScale })),
    wallSeconds,
    finishedAt: '2026-01-01T00:00:00.000Z',
    backend: 'wasm',
    thread: 0,
    space: SPACE,
  };
}

/** σ = softplus(s) = 1 and 2. */
const S1 = softplusInverse(1);
const S2 = softplusInverse(2);

// Seed 0: best validation at epoch 1 (0.3; val acc 0.9, test 0.4 / 0.88); wall 10 s; final dropout 0.1.
// Seed 1: best validation at epoch 0 (0.4; val acc 0.85, test 0.45 / 0.8); wall 14 s; final dropout 0.3.
const TWO_SEEDS = [
  record(0, [epoch(0, [0.5, 0.8], [0.6, 0.75], 0, S1), epoch(1, [0.3, 0.9], [0.4, 0.88], 1, S1)], 10, 0.1),
  record(1, [epoch(0, [0.4, 0.85], [0.45, 0.8], 0, S2), epoch(1, [0.45, 0.84], [0.5, 0.79], -1, S2)], 14, 0.3),
];

describe('study summary over seeds', () => {
  test('two seeds: mean ± sample std of val/test loss and accuracy and wall time, and the spread of the final hyperparameters', () => {
    const m = summarizeStudy(config, TWO_SEEDS).methods[0];
    const r2 = Math.SQRT2;
    // mean of (a, b) and sample std |a − b|/√2.
    const pair = (s: { mean: number; std: number | null; values: number[] }, a: number, b: number): void => {
      expect(s.values).toEqual([a, b]);
      close(s.mean, (a + b) / 2);
      close(s.std as number, Math.abs(a - b) / r2);
    };
    pair(m.bestVal, 0.3, 0.4);
    pair(m.valAccuracy, 0.9, 0.85);
    pair(m.testLoss, 0.4, 0.45);
    pair(m.testAccuracy, 0.88, 0.8);
    pair(m.wallSeconds, 10, 14);
    const h = m.hyperSpread.dropout1;
    pair(h, 0.1, 0.3);
    expect([h.min, h.max]).toEqual([0.1, 0.3]);
    expect(m.complete).toBe(true);
    const { header, rows } = studyTable(summarizeStudy(config, TWO_SEEDS));
    expect(header).toEqual(['method', 'seeds', 'best val loss', 'val acc (%)', 'test loss', 'test acc (%)', 'epochs', '≈ plain epochs', 'wall (s)', 'final hyperparameters (mean ± std [min–max] over seeds)']);
    // 0.05·√2 = 0.0707, 0.025·√2 = 0.0354 (3.5 %), 0.04·√2 = 5.7 %, 2·√2 = 2.8 s, 0.1·√2 = 0.141.
    expect(rows).toEqual([['stn', '2', '0.3500 ± 0.0707', '87.5 ± 3.5', '0.4250 ± 0.0354', '84.0 ± 5.7', '2 ± 0', '—', '12.0 ± 2.8', 'dropout1=0.2 ± 0.141 [0.1–0.3]']]);
  });

  test('one seed: no std, and the hyperparameter printed as its value', () => {
    const m = summarizeStudy({ ...config, seeds: [0, 1] }, TWO_SEEDS.slice(0, 1)).methods[0];
    expect(m.hyperSpread.dropout1).toEqual({ mean: 0.1, std: null, values: [0.1], min: 0.1, max: 0.1 });
    expect(formatSpread('dropout1', m.hyperSpread.dropout1)).toBe('dropout1=0.1');
    expect(m.complete).toBe(false);
    expect(studyTable(summarizeStudy(config, TWO_SEEDS.slice(0, 1))).rows[0].slice(0, 4)).toEqual(['stn (incomplete)', '1', '0.3000', '90.0']);
  });
});

describe('schedule σ bands', () => {
  const space = HyperSpace.fromJSON(SPACE);
  const T = (x: number): number => 0.95 * sigmoid(x);

  test('one seed: the line is T(λ), the band T(λ − σ) … T(λ + σ); two seeds: their means, and the min–max of T(λ)', () => {
    const [one] = studyScheduleBands({ ...config, seeds: [0] }, TWO_SEEDS, 'epochs');
    expect(one.seeds).toBe(1);
    expect(one.t).toEqual([1, 2]);
    // Epoch 1 of seed 0: λ = 1, σ = 1.
    close(one.value[1], T(1));
    close(one.low[1], T(0));
    close(one.high[1], T(2));
    const [two] = studyScheduleBands(config, TWO_SEEDS, 'epochs');
    expect(two.seeds).toBe(2);
    // Epoch 1: seed 0 at λ = 1, σ = 1; seed 1 at λ = −1, σ = 2.
    close(two.value[1], (T(1) + T(-1)) / 2);
    close(two.low[1], (T(0) + T(-3)) / 2);
    close(two.high[1], (T(2) + T(1)) / 2);
    close(two.seedMin[1], T(-1));
    close(two.seedMax[1], T(1));
  });

  test('property: low ≤ value ≤ high and seedMin ≤ value ≤ seedMax, for any λ and σ, bounded, discrete or unbounded hyperparameters', () => {
    const mixed = new HyperSpace([
      { name: 'dropout1', kind: 'dropout', range: [0, 0.95], discrete: false, perturb: 'example', init: 0.05, scale: 1 },
      { name: 'length', kind: 'cutout-length', range: [2, 24], discrete: true, perturb: 'example', init: 4, scale: 1 },
      { name: 'decay', kind: 'weight-decay', range: [0, Infinity], discrete: false, perturb: 'minibatch', init: 1e-4, scale: 1 },
    ]);
    const point = fc.record({ lambda: fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 3, maxLength: 3 }), rawScale: fc.array(fc.double({ min: -4, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(fc.array(point, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), (seeds) => {
        const per = seeds.map((pts) => pts.map((p, i) => ({ t: i, ...p })));
        for (const b of scheduleBands(mixed, 'delta-stn', per)) {
          b.t.forEach((_, i) => {
            expect(b.low[i]).toBeLessThanOrEqual(b.value[i]);
            expect(b.value[i]).toBeLessThanOrEqual(b.high[i]);
            expect(b.seedMin[i]).toBeLessThanOrEqual(b.value[i] + 1e-12 * Math.max(1, Math.abs(b.value[i])));
            expect(b.value[i]).toBeLessThanOrEqual(b.seedMax[i] + 1e-12 * Math.max(1, Math.abs(b.value[i])));
          });
        }
      }),
      { seed: 17, numRuns: 60 },
    );
    expect(scheduleBands(space, 'stn', [[], []])).toEqual([]);
  });

  test('the schedule plot: the line, its σ band and (two seeds) the min–max band, as polygons', () => {
    const svgOf = (seeds: number[]): El => parse(studyPlots({ ...config, seeds }, TWO_SEEDS).find((p) => p.file === 'schedule-dropout1.svg')!.svg);
    const areas = (doc: El): string[] => [...doc.querySelectorAll('g[aria-label="area"]')].map((g) => g.getAttribute('aria-description') ?? '');
    expect(areas(svgOf([0]))).toEqual(['stn: T(λ ± σ)']);
    expect(areas(svgOf([0, 1]))).toEqual(['stn: T(λ ± σ)', 'stn: min–max over seeds']);
  });
});

describe('lineChart bands', () => {
  const spec: LineChartSpec = {
    x: { label: 'epoch' },
    y: { label: 'dropout' },
    series: [{ name: 'stn', points: [[0, 0.1], [1, 0.2], [2, 0.15]] }],
    bands: [{ name: 'stn ± σ', points: [[0, 0.05, 0.15], [1, 0.1, 0.3], [2, 0.1, 0.2]] }],
  };

  test('a band is one polygon: the high edge left to right, then the low edge back, above it, no NaN', () => {
    const svg = lineChart(spec);
    expect(svg).not.toMatch(/NaN/);
    const paths = [...parse(svg).querySelectorAll('g[aria-label="area"] path')];
    expect(paths.length).toBe(1);
    const v = vertices(paths[0].getAttribute('d') ?? '');
    expect(v.length).toBe(6);
    for (const [x, y] of v) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
    const xs = v.map((p) => p[0]);
    // Along one edge and back along the other.
    expect(xs[0] < xs[1] && xs[1] < xs[2]).toBe(true);
    expect(xs.slice(3)).toEqual([xs[2], xs[1], xs[0]]);
    // The high edge is above the low one (smaller SVG y), at every x.
    for (let j = 0; j < 3; j++) expect(v[j][1]).toBeLessThan(v[5 - j][1]);
    // Band values widen the y-domain: the line's points alone span [0.1, 0.2], the band [0.05, 0.3].
    const lineYs = vertices(parse(svg).querySelectorAll('g[aria-label="line"] path')[0].getAttribute('d') ?? '').map((p) => p[1]);
    expect(Math.max(...v.map((p) => p[1]))).toBeGreaterThan(Math.max(...lineYs));
    expect(Math.min(...v.map((p) => p[1]))).toBeLessThan(Math.min(...lineYs));
    // A named band has a legend swatch (a filled rectangle).
    expect([...parse(svg).querySelectorAll('g[aria-label="legend"] rect')].length).toBe(1);
  });

  test('on an integer axis (its domain set from the values) the band is inside the frame', () => {
    const doc = parse(lineChart({ x: { label: 'epoch' }, y: { label: 'count' }, series: [{ name: 'a', points: [[0, 1], [1, 2]] }], bands: [{ points: [[0, 0, 3], [1, 1, 4]] }] }));
    const frame = [...doc.querySelectorAll('rect[aria-label="frame"]')][0];
    const top = Number(frame.getAttribute('y'));
    const bottom = top + Number(frame.getAttribute('height'));
    const v = vertices([...doc.querySelectorAll('g[aria-label="area"] path')][0].getAttribute('d') ?? '');
    for (const [, y] of v) expect(y >= top - 1e-9 && y <= bottom + 1e-9, `y ${y} in [${top}, ${bottom}]`).toBe(true);
  });

  test('bad bands are typed errors naming the point', () => {
    const bad = (points: [number, number, number][]): LineChartSpec => ({ ...spec, bands: [{ points }] });
    expect(() => lineChart(bad([[0, 0.3, 0.1]]))).toThrow(InvalidArgumentError);
    expect(() => lineChart(bad([[0, 0.3, 0.1]]))).toThrow(/bands\[0\]\.points\[0\]/);
    expect(() => lineChart(bad([[1, 0, 1], [0, 0, 1]]))).toThrow(/bands\[0\]\.points\[1\]\[0\]/);
    expect(() => lineChart(bad([[0, NaN, 1]]))).toThrow(NonFiniteError);
    expect(() => lineChart(bad([]))).toThrow(/bands\[0\]\.points/);
    expect(() => lineChart({ ...spec, bands: [{ points: [[0, 0, 1]], opacity: 2 }] })).toThrow(/bands\[0\]\.opacity/);
  });
});
