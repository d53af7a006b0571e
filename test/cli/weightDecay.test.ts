/**
 * `deltastn tune --hparams weight_decay=…` adds weight decay, an objective-only hyperparameter, to the MLP and the
 * SimpleCNN (issue 15): the run logs it, Δ-STN tunes it (its λ moves through the response), and an unknown name
 * is still refused. `--sigma` (σ0) and `--tau` (τ) reach the run (issue 13).
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

describe('tune --sigma (σ0) and --tau (τ)', () => {
  const TINY = ['tune', '--model', 'mlp', '--dataset', 'mnist', '--width', '0.02', '--train-size', '64', '--batch-size', '16', '--epochs', '1', '--backend', 'cpu'];
  type Line = { hyper: Record<string, { value: number; scale: number }> };
  const firstLine = (dir: string): Line => JSON.parse(readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n')[0]) as Line;

  test('--sigma sets every hyperparameter\u2019s initial σ (a fixed run keeps it); a resume must repeat it', async () => {
    const out = join(tmp('deltastn-sigma-'), 'run');
    const r = await runCli(...TINY, '--method', 'fixed', '--sigma', '0.3', '--out', out);
    expect(r.code, r.err).toBe(0);
    const scales = Object.values(firstLine(out).hyper).map((h) => h.scale);
    expect(scales.length).toBeGreaterThan(0);
    for (const s of scales) expect(s).toBeCloseTo(0.3, 6);
    const other = await runCli('tune', '--resume', out, '--sigma', '0.5');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/--sigma.*saved value 0\.3/);
    expect((await runCli('tune', '--resume', out, '--sigma', '0.3')).code).toBe(0);
  });

  test('--tau weighs the entropy term: a larger τ ends with larger σ; an older run (no τ saved) resumes with the default', async () => {
    const sums: number[] = [];
    const dirs: string[] = [];
    for (const tau of ['0', '5']) {
      const out = join(tmp('deltastn-tau-'), 'run');
      // 192 examples in batches of 16: 12 steps, two hyper steps (one per five train steps).
      const r = await runCli(...TINY, '--train-size', '192', '--method', 'delta-stn', '--lr-hyper', '0.1', '--tau', tau, '--out', out);
      expect(r.code, r.err).toBe(0);
      sums.push(Object.values(firstLine(out).hyper).reduce((a, h) => a + h.scale, 0));
      dirs.push(out);
    }
    expect(sums[1]).toBeGreaterThan(sums[0]);
    const plain = join(tmp('deltastn-tau-'), 'run');
    expect((await runCli(...TINY, '--method', 'delta-stn', '--out', plain)).code).toBe(0);
    expect((await runCli('tune', '--resume', plain, '--tau', '0.001', '--sigma', '1')).code).toBe(0);
    expect((await runCli('tune', '--resume', plain, '--tau', '0')).code).toBe(2);
  });
});

describe('tune --lr-response', () => {
  const TINY = ['tune', '--model', 'mlp', '--dataset', 'mnist', '--width', '0.02', '--batch-size', '16', '--epochs', '1', '--backend', 'cpu'];
  test('sets Θ\'s own rate for Δ-STN (the run saves it, the log differs from the default), and is refused for STN', async () => {
    const outs: string[] = [];
    for (const extra of [[], ['--lr-response', '0.5']]) {
      const out = join(tmp('deltastn-lrr-'), 'run');
      const r = await runCli(...TINY, '--train-size', '96', '--method', 'delta-stn', ...extra, '--out', out);
      expect(r.code, r.err).toBe(0);
      outs.push(out);
    }
    const [plain, fast] = outs.map((o) => readFileSync(join(o, 'log.jsonl'), 'utf8').trim().split('\n')[0]);
    expect(fast).not.toEqual(plain);
    const again = await runCli('tune', '--resume', outs[1], '--lr-response', '0.2');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/--lr-response.*saved value 0\.5/);
    const stn = await runCli(...TINY, '--method', 'stn', '--lr-response', '0.5', '--out', join(tmp('deltastn-lrr-'), 'run'));
    expect(stn.code).toBe(2);
    expect(stn.err).toMatch(/lrResponse|--lr-response/);
  });
});

describe('tune --hparams with augmentations', () => {
  test('rotation, translate and scale join a cnn\'s space (counted by the network), move under Δ-STN, and are refused on the mlp', async () => {
    const plain = buildModel({ model: 'cnn', width: 0.02, seed: 1, hparams: {} });
    const aug = buildModel({ model: 'cnn', width: 0.02, seed: 1, hparams: { rotation: 10, translate: 0.1, scale: 0.1 } });
    expect(aug.space.names).toEqual([...plain.space.names, 'rotation', 'translate', 'scale']);
    expect(aug.model.hyperDim).toBe(plain.model.hyperDim + 3);
    plain.model.dispose();
    aug.model.dispose();
    const out = join(tmp('deltastn-aug-'), 'run');
    const r = await runCli('tune', '--model', 'cnn', '--dataset', 'mnist', '--method', 'delta-stn', '--width', '0.02', '--train-size', '64', '--batch-size', '16', '--epochs', '1', '--backend', 'cpu', '--hparams', 'rotation=10,translate=0.1', '--lr-hyper', '0.1', '--out', out);
    expect(r.code, r.err).toBe(0);
    const line = JSON.parse(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n')[0]) as { hyper: Record<string, { value: number }> };
    expect(line.hyper.rotation.value).not.toBe(10);
    expect(line.hyper.translate.value).not.toBe(0.1);
    const mlp = await runCli('tune', '--model', 'mlp', '--dataset', 'mnist', '--method', 'fixed', '--hparams', 'rotation=10', '--out', join(tmp('deltastn-aug-'), 'run'));
    expect(mlp.code).toBe(2);
    expect(mlp.err).toMatch(/--hparams.*image inputs/);
  });
});
