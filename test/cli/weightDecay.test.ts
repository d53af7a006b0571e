/**
 * `deltastn tune --hparams weight_decay=…` adds weight decay, an objective-only hyperparameter, to the MLP and the
 * SimpleCNN (issue 15): the run logs it, Δ-STN tunes it (its λ moves through the response), and an unknown name
 * is still refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../src/nn/backend.js';
import { buildModel } from '../../src/tune/factory.js';
import { runCli, temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

beforeAll(async () => {
  await initBackend('cpu');
});

describe('tune with weight decay', () => {
  test('the space gains weight_decay after the model\'s own hyperparameters, and the network counts it', () => {
    for (const model of ['mlp', 'cnn'] as const) {
      const plain = buildModel({ model, width: 0.02, seed: 1, hparams: {} });
      const decayed = buildModel({ model, width: 0.02, seed: 1, hparams: { weight_decay: 0.01 } });
      expect(decayed.space.names).toEqual([...plain.space.names, 'weight_decay']);
      expect(decayed.model.hyperDim).toBe(plain.model.hyperDim + 1);
      expect(decayed.space.hyperValues(decayed.space.initialLambda()).at(-1)).toBeCloseTo(0.01, 12);
      plain.model.dispose();
      decayed.model.dispose();
    }
  });

  test.each(['mlp', 'cnn'])('%s: a Δ-STN run logs weight_decay and moves it', async (model) => {
    const out = join(tmp('deltastn-wd-'), 'run');
    const dataset = ['--dataset', 'mnist'];
    const r = await runCli('tune', '--model', model, ...dataset, '--method', 'delta-stn', '--width', '0.02', '--train-size', '64', '--batch-size', '16', '--epochs', '1', '--backend', 'cpu', '--hparams', 'weight_decay=0.01', '--lr-hyper', '0.1', '--out', out);
    expect(r.code, r.err).toBe(0);
    const line = JSON.parse(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n')[0]) as { hyper: Record<string, { value: number }> };
    expect(Object.keys(line.hyper)).toContain('weight_decay');
    expect(line.hyper.weight_decay.value).not.toBe(0.01);
    expect(line.hyper.weight_decay.value).toBeGreaterThan(0);
  });

  test('a misspelt name is refused, naming --hparams and the model\'s names', async () => {
    const r = await runCli('tune', '--model', 'mlp', '--dataset', 'mnist', '--method', 'delta-stn', '--hparams', 'weightdecay=0.01', '--backend', 'cpu', '--out', join(tmp('deltastn-wd-'), 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--hparams');
  });
});

describe('tune --tune-lr hd', () => {
  test('the weights\' learning rate moves from --lr by hypergradient descent, and is logged; bad values are refused', async () => {
    const out = join(tmp('deltastn-hd-'), 'run');
    const r = await runCli('tune', '--model', 'mlp', '--dataset', 'mnist', '--method', 'delta-stn', '--width', '0.02', '--train-size', '64', '--batch-size', '16', '--epochs', '1', '--backend', 'cpu', '--lr', '0.01', '--tune-lr', 'hd', '--lr-hd-beta', '0.001', '--out', out);
    expect(r.code, r.err).toBe(0);
    const line = JSON.parse(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n')[0]) as { learningRate: number };
    expect(line.learningRate).not.toBe(0.01);
    expect(line.learningRate).toBeGreaterThanOrEqual(0);
    for (const bad of [['--tune-lr', 'adam'], ['--lr-hd-beta', '0.1'], ['--tune-lr', 'hd', '--lr-hd-beta', '-1']]) {
      const b = await runCli('tune', '--model', 'mlp', '--dataset', 'mnist', '--method', 'delta-stn', '--backend', 'cpu', ...bad, '--out', join(tmp('deltastn-hd-'), 'x'));
      expect(b.code, bad.join(' ')).toBe(2);
      expect(b.err).toMatch(/--tune-lr|--lr-hd-beta/);
    }
  });
});
