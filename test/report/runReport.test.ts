/**
 * The page of a `tune` run directory (src/tune/reports.ts runPage) on hand-made log.jsonl files: the epoch axes
 * carry integer ticks only ("1" for a one-epoch run, not "1.000000"), and σ is its own column, labelled as the
 * perturbation scale of the unconstrained λ beside the value in the hyperparameter's own units (issue 14: printed
 * as "value (σ)" it read as a second rate).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, test } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { runPage } from '../../src/tune/reports.js';
import { temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

/** The parts of a linkedom node these tests read. */
interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
}

/** One epoch record of log.jsonl: weight decay 1e-3 · (epoch + 1), λ = −7 + epoch, σ = 0.25 + 0.1 · epoch. */
function line(epoch: number): string {
  const ev = (loss: number): { loss: number; accuracy: number } => ({ loss, accuracy: 1 - loss / 4 });
  return JSON.stringify({
    epoch,
    method: 'delta-stn',
    train: ev(1 / (epoch + 1)),
    val: ev(1.5 / (epoch + 1)),
    test: ev(1.6 / (epoch + 1)),
    hyper: { 'weight-decay': { value: 1e-3 * (epoch + 1), scale: 0.25 + 0.1 * epoch } },
    lambda: [-7 + epoch],
    rawScale: [0],
    trainSteps: 10,
    hyperSteps: 2,
    seconds: 1.5,
    learningRate: 0.01,
    backend: 'wasm',
  });
}

function page(epochs: number): El {
  const dir = tmp('deltastn-runrep-');
  writeFileSync(join(dir, 'log.jsonl'), Array.from({ length: epochs }, (_, e) => line(e) + '\n').join(''));
  return parseHTML(renderHtml(runPage(dir))).document as unknown as El;
}

const xTicks = (figure: El): string[] => [...figure.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => t.textContent ?? '');

describe('the run page', () => {
  test('one epoch: every figure\u2019s epoch axis has the single tick "1"', () => {
    const figures = [...page(1).querySelectorAll('figure')];
    // Loss, accuracy, one hyperparameter, λ ± σ.
    expect(figures).toHaveLength(4);
    for (const f of figures) expect(xTicks(f)).toEqual(['1']);
  });

  test('three epochs: integer ticks 1, 2, 3 on every figure, no fractional tick', () => {
    const figures = [...page(3).querySelectorAll('figure')];
    for (const f of figures) expect(xTicks(f)).toEqual(['1', '2', '3']);
  });

  test('σ has its own column, labelled as the scale of the unconstrained λ; the value column is in its own units', () => {
    const doc = page(3);
    const tables = [...doc.querySelectorAll('table')];
    const rows = [...tables[tables.length - 1].querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? ''));
    expect(rows[0]).toEqual(['epoch', 'train loss', 'train acc (%)', 'val loss', 'val acc (%)', 'test loss', 'test acc (%)', 'weight-decay', 'σ of λ (weight-decay), unconstrained', 'seconds']);
    expect(rows[1].slice(7)).toEqual(['0.001', '0.25', '1.50']);
    expect(rows[3].slice(7)).toEqual(['0.003', '0.45', '1.50']);
    // No cell pairs a value with σ in brackets any more.
    for (const r of rows.slice(1)) for (const c of r) expect(c).not.toMatch(/\(/);
    const caption = [...doc.querySelectorAll('p')].map((p) => p.textContent ?? '').find((t) => t.includes('perturbation scale of λ'));
    expect(caption).toContain('in its own units');
  });
});
