/**
 * `deltastn tune --model lstm --dataset moby-dick` end to end (src/cli/tune.ts → src/tune/factory.ts
 * buildLanguageModelRun → src/nn/languageModel.ts): a tiny run writes its log with perplexities, its checkpoint and
 * summary (the trainer's exact resume is tested in lstmLanguageModel.test.ts); mismatched flags are typed errors
 * naming the field.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { tuneCommand } from '../../src/cli/tune.js';
import { initBackend } from '../../src/nn/backend.js';
import { validateTuneConfig, type TuneConfig } from '../../src/tune/factory.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await initBackend('wasm');
});

describe('deltastn tune --model lstm', () => {
  test('a tiny run: log with perplexities, checkpoint, summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lm-tune-'));
    dirs.push(dir);
    const out: string[] = [];
    const err: string[] = [];
    const args = ['--model', 'lstm', '--dataset', 'moby-dick', '--method', 'fixed', '--epochs', '1', '--width', '0.05', '--batch-size', '2', '--train-size', '300', '--backend', 'wasm', '--quiet', '--out', join(dir, 'run')];
    expect(await tuneCommand(args, (s) => out.push(s), (s) => err.push(s))).toBe(0);
    const result = JSON.parse(out[0]) as { epochs: number; final: { val: { loss: number; perplexity: number } } };
    expect(result.epochs).toBe(1);
    expect(result.final.val.perplexity).toBeCloseTo(Math.exp(result.final.val.loss), 8);
    const lines = readFileSync(join(dir, 'run', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; trainSteps: number; hyper: Record<string, unknown>; val: { perplexity: number } });
    expect(lines.map((l) => l.epoch)).toEqual([0]);
    expect(Object.keys(lines[0].hyper)).toEqual(['dropoute', 'dropouti', 'dropouth', 'dropouto', 'wdrop']);
    expect(lines[0].trainSteps).toBe(4); // 150 characters per stream: 4 windows of 35
    expect(lines[0].val.perplexity).toBeLessThan(90); // below the uniform model's V = 90
    const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')) as { done: boolean; config: TuneConfig };
    expect(summary.done).toBe(true);
    expect(summary.config.model).toBe('lstm');
    expect(summary.config.lrWeights).toBe(5); // the language model's default --lr

    expect(readFileSync(join(dir, 'run', 'checkpoint.json'), 'utf8')).toContain('"model":"lstm"');
  });

  test('--resume through the CLI repeats the uninterrupted run (Δ-STN, 1 + 1 epochs = 2 epochs, timings aside)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lm-resume-'));
    dirs.push(dir);
    const args = (out: string, epochs: string): string[] => ['--model', 'lstm', '--dataset', 'moby-dick', '--method', 'delta-stn', '--epochs', epochs, '--width', '0.05', '--batch-size', '2', '--train-size', '300', '--lr', '2', '--backend', 'wasm', '--quiet', '--out', out];
    const sink = (): void => undefined;
    const whole = join(dir, 'whole');
    const parts = join(dir, 'parts');
    expect(await tuneCommand(args(whole, '2'), sink, sink)).toBe(0);
    expect(await tuneCommand(args(parts, '1'), sink, sink)).toBe(0);
    expect(await tuneCommand(['--resume', parts, '--epochs', '2', '--quiet'], sink, sink)).toBe(0);
    const records = (run: string): unknown[] =>
      readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => {
        const { seconds: _seconds, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return rest;
      });
    const [a, b] = [records(whole), records(parts)];
    expect(a).toHaveLength(2);
    expect(b).toEqual(a);
  });

  test('lstm goes with moby-dick only, and takes no schedule or early stop', () => {
    const base = { model: 'lstm', dataset: 'moby-dick', method: 'fixed', epochs: 1, seed: 0, batchSize: 2, trainSize: 0, width: 1, warmupEpochs: 0, lrWeights: 1, lrHyper: 0.01, hparams: {}, backend: 'wasm' };
    const fail = (field: string, expected: string): never => {
      throw new Error(`${field}: ${expected}`);
    };
    expect(validateTuneConfig(base, fail).model).toBe('lstm');
    expect(() => validateTuneConfig({ ...base, dataset: 'mnist' }, fail)).toThrow(/dataset: moby-dick/);
    expect(() => validateTuneConfig({ ...base, model: 'mlp' }, fail)).toThrow(/dataset: an image data set/);
    expect(() => validateTuneConfig({ ...base, patience: 3 }, fail)).toThrow(/patience/);
  });
});
