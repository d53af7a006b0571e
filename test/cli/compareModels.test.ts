/**
 * `deltastn compare` with tune's other models (issues 13, 16): a tiny study of the ResNet (on CIFAR-10 binary files
 * the test writes, seeded) and of the LSTM language model (Moby Dick) through the CLI entry point. Each runs every
 * method it was given for every seed and prints one table row per method; the lstm study also prints the
 * perplexities, which are exp of the losses it records. The model's defaults (the data set, lstm's --lr 5) and
 * refusals (tune's: an augmentation on lstm, a data set of the other kind, --lr-response on lstm) give exit 2
 * naming the flag, before anything is written.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseCompareArgs } from '../../src/cli/compare.js';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES } from '../../src/data/cifar10.js';
import { Rng } from '../../src/rng.js';
import { runCli as run, temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

type Rec = { method: string; seed: number; trial: number; nnMethod: string; epochs: { val: { loss: number; perplexity?: number }; test?: { loss: number; perplexity?: number } }[]; hyper: Record<string, number> };

function records(dir: string): Rec[] {
  return readFileSync(join(dir, 'trials.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);
}

/** The table's rows (`| method | …`) of the first Markdown table in `out`. */
function tableRows(out: string, header: string): string[][] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('| '); i++) rows.push(lines[i].slice(2, -2).split(' | '));
  return rows;
}

/** CIFAR-10 binary files with a few seeded random records per batch (tests cannot download CIFAR-10). */
function tinyCifar(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(8);
  const batch = (n: number): Uint8Array => {
    const b = new Uint8Array(n * CIFAR10_RECORD_BYTES);
    for (let r = 0; r < n; r++) {
      b[r * CIFAR10_RECORD_BYTES] = rng.int(0, 9);
      for (let i = 1; i < CIFAR10_RECORD_BYTES; i++) b[r * CIFAR10_RECORD_BYTES + i] = rng.int(0, 255);
    }
    return b;
  };
  for (const f of CIFAR10_FILES.train) writeFileSync(join(dir, f), batch(4));
  writeFileSync(join(dir, CIFAR10_FILES.test), batch(4));
  return dir;
}

// One training stream of 148 characters (4 BPTT windows of 35) and validation/test of 37 (one window each).
const LSTM_SMALL = ['--model', 'lstm', '--width', '0.05', '--batch-size', '1', '--train-size', '148', '--backend', 'wasm', '--quiet'];

describe('deltastn compare --model resnet | lstm', () => {
  test('defaults from tune\u2019s model table: resnet on cifar10, lstm on moby-dick at --lr 5 and T_train 2', () => {
    expect(parseCompareArgs(['--model', 'resnet']).config).toMatchObject({ model: 'resnet', dataset: 'cifar10', lrWeights: 0.01 });
    const lstm = parseCompareArgs(['--model', 'lstm']);
    expect(lstm.config).toMatchObject({ model: 'lstm', dataset: 'moby-dick', lrWeights: 5 });
    expect(lstm.config.trainSteps).toBeUndefined(); // the language model's trainer's own 2
    expect(lstm.out).toBe(join('out', 'compare-lstm-moby-dick'));
    expect(parseCompareArgs(['--model', 'lstm', '--lr', '2']).config.lrWeights).toBe(2);
    expect(parseCompareArgs(['--model', 'cnn', '--hparams', 'dropout1=0.2,weight_decay=1e-4']).config.hparams).toEqual({ dropout1: 0.2, weight_decay: 1e-4 });
  });

  test.each([
    [['--hparams', 'rotation=0.1'], '--hparams'], // augmentations need image inputs
    [['--hparams', 'dropout1=0.1'], '--hparams'], // not a hyperparameter of the language model
    [['--hparams', 'wdrop=1.5'], '--hparams'], // outside (0, 1)
    [['--dataset', 'mnist'], '--dataset'], // the language model reads text
    [['--lr-response', '0.1'], '--lr-response'], // its trainer steps Θ at --lr
  ])('lstm %j exits 2 naming %s, nothing written', async (args, flag) => {
    const dir = join(tmp('deltastn-cmp-lstm-bad-'), 'study');
    const r = await run('compare', ...LSTM_SMALL, '--seeds', '1', '--budget-epochs', '1', ...args, '--out', dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(flag);
    expect(existsSync(dir)).toBe(false);
  });

  test.each([
    [['--dataset', 'moby-dick'], '--dataset'], // the text corpus is the language model's
    [['--methods', 'delta-stn,random', '--hparams', 'weight_decay=1e-4'], '--hparams'], // a search cannot draw an unbounded rate
    [['--hparams', 'dropout1=0.1'], '--hparams'], // not a hyperparameter of the ResNet
  ])('resnet %j exits 2 naming %s, nothing written', async (args, flag) => {
    const dir = join(tmp('deltastn-cmp-res-bad-'), 'study');
    const r = await run('compare', '--model', 'resnet', '--seeds', '1', '--budget-epochs', '1', '--width', '0.125', '--backend', 'wasm', '--quiet', ...args, '--out', dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(flag);
    expect(existsSync(dir)).toBe(false);
  });

  test('lstm: every method × seed runs, one row per method, perplexity = exp(loss) reported', async () => {
    const dir = join(tmp('deltastn-cmp-lstm-'), 'study');
    const r = await run('compare', ...LSTM_SMALL, '--methods', 'delta-stn,random', '--seeds', '2', '--budget-epochs', '1', '--hparams', 'dropouti=0.1', '--out', dir);
    expect(r.code, r.err).toBe(0);
    const recs = records(dir);
    expect(recs.map((x) => `${x.method}/${x.seed}`).sort()).toEqual(['delta-stn/0', 'delta-stn/1', 'random/0', 'random/1']);
    expect(recs.find((x) => x.method === 'random')?.nnMethod).toBe('fixed');
    for (const x of recs) {
      expect(Object.keys(x.hyper)).toEqual(['dropoute', 'dropouti', 'dropouth', 'dropouto', 'wdrop']);
      expect(x.epochs).toHaveLength(1);
      const val = x.epochs[0].val;
      expect(val.perplexity).toBeCloseTo(Math.exp(val.loss), 10);
    }
    expect(tableRows(r.out, 'method').map((row) => row[0])).toEqual(['delta-stn', 'random']);
    const ppl = tableRows(r.out, 'method | val perplexity');
    expect(ppl.map((row) => row[0])).toEqual(['delta-stn', 'random']);
    // The printed mean over the two seeds is the mean of the records' perplexities (a vocabulary of ~80 characters).
    for (const row of ppl) {
      const per = recs.filter((x) => x.method === row[0]).map((x) => x.epochs[0].val.perplexity as number);
      const mean = per.reduce((a, b) => a + b, 0) / per.length;
      expect(Number(row[1].split(' ± ')[0])).toBeCloseTo(mean, 2);
      expect(mean).toBeGreaterThan(1);
    }
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model: 'lstm', dataset: 'moby-dick', lrWeights: 5, hparams: { dropouti: 0.1 } });
    // --hparams is part of the study's identity: another initial value cannot resume this directory.
    const other = await run('compare', ...LSTM_SMALL, '--methods', 'delta-stn,random', '--seeds', '2', '--budget-epochs', '1', '--hparams', 'dropouti=0.2', '--out', dir);
    expect(other.code).toBe(2);
    expect(other.err).toContain('hparams');
  });

  test('resnet on CIFAR-10 files: every method × seed runs, one row per method', async () => {
    const root = tmp('deltastn-cmp-res-');
    const data = tinyCifar(join(root, 'cifar'));
    const dir = join(root, 'study');
    const r = await run('compare', '--model', 'resnet', '--data-dir', data, '--methods', 'delta-stn,random', '--seeds', '2', '--budget-epochs', '1', '--width', '0.125', '--batch-size', '8', '--hparams', 'label_smoothing=0.1', '--backend', 'wasm', '--quiet', '--out', dir);
    expect(r.code, r.err).toBe(0);
    const recs = records(dir);
    expect(recs.map((x) => `${x.method}/${x.seed}`).sort()).toEqual(['delta-stn/0', 'delta-stn/1', 'random/0', 'random/1']);
    for (const x of recs) expect(Object.keys(x.hyper)).toEqual(['dropout_stage1', 'dropout_stage2', 'dropout_stage3', 'dropout_fc', 'cutout_length', 'cutout_holes', 'brightness', 'contrast', 'label_smoothing']);
    expect(tableRows(r.out, 'method').map((row) => row[0])).toEqual(['delta-stn', 'random']);
    expect(r.out).not.toContain('perplexity');
  });
});
