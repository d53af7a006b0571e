/**
 * End-to-end `tune` runs through the CLI's run function: the SimpleCNN on Fashion-MNIST in CI-sized form (the
 * Debian package is installed by .ci/run; skipped with a visible reason where it is absent), and the MLP on the
 * embedded MNIST, resumed from its checkpoint with the same numbers as an uninterrupted run.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runTune, resumeConfig, type TuneConfig } from '../../src/cli/tune.js';
import { DEBIAN_FASHION_MNIST_DIR } from '../../src/data/fashionMnist.js';

const fashionPresent = existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
const base: TuneConfig = {
  model: 'mlp',
  dataset: 'mnist',
  method: 'delta-stn',
  epochs: 2,
  seed: 4,
  batchSize: 32,
  trainSize: 256,
  width: 0.05,
  warmupEpochs: 0,
  lrWeights: 0.05,
  lrHyper: 0.03,
  hparams: {},
  backend: 'wasm',
};

describe('deltastn tune (end to end)', () => {
  test.skipIf(!fashionPresent)(`SimpleCNN trains on Fashion-MNIST (CI-sized)${fashionPresent ? '' : ` — SKIPPED: not installed at ${DEBIAN_FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`}`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'deltastn-cnn-'));
    const r = await runTune({ ...base, model: 'cnn', dataset: 'fashion-mnist', method: 'delta-stn-linearized', epochs: 2, width: 0.25, trainSize: 256 }, out);
    expect(r.stopped).toBeUndefined();
    expect(r.epochs).toHaveLength(2);
    expect(r.epochs[1].train.loss).toBeLessThan(r.epochs[0].train.loss);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(2);
    expect(Object.keys(log[0].hyper)).toEqual(['dropout0', 'dropout1', 'dropout2', 'dropout_fc', 'cutout_length', 'cutout_holes']);
    expect(log[0].backend).toBe('wasm');
  });

  test('MLP on the embedded MNIST: a resumed run gives the same numbers as an uninterrupted one', async () => {
    const full = mkdtempSync(join(tmpdir(), 'deltastn-full-'));
    const part = mkdtempSync(join(tmpdir(), 'deltastn-part-'));
    const a = await runTune({ ...base, epochs: 3 }, full);
    await runTune({ ...base, epochs: 1 }, part);
    const cfg = { ...resumeConfig(part), epochs: 3 };
    await runTune(cfg, part, { resume: true });
    const la = readFileSync(join(full, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const lb = readFileSync(join(part, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lb).toHaveLength(3);
    const strip = (e: Record<string, unknown>): unknown => ({ ...e, seconds: 0 });
    expect(lb.map(strip)).toEqual(la.map(strip));
    expect(readFileSync(join(part, 'checkpoint.bin'))).toEqual(readFileSync(join(full, 'checkpoint.bin')));
    expect(a.epochs[2].lambda).not.toEqual(a.epochs[0].lambda); // λ moves
  });

  test('learning-rate milestones and early stopping reach the trainer from the tune configuration', async () => {
    const out = mkdtempSync(join(tmpdir(), 'deltastn-sched-'));
    const r = await runTune({ ...base, method: 'fixed', epochs: 3, lrMilestones: [1, 2], lrGamma: 0.5 }, out);
    // The rate is multiplied at the end of epochs 1 and 2 (the log records the rate in force afterwards).
    expect(r.epochs.map((e) => e.learningRate)).toEqual([0.025, 0.0125, 0.0125]);
    // patience 1 with a vanishing step: the validation loss cannot improve after the first epoch, so the run stops
    // after its second epoch instead of running all 6.
    const out2 = mkdtempSync(join(tmpdir(), 'deltastn-patience-'));
    const p = await runTune({ ...base, method: 'fixed', epochs: 6, lrWeights: 1e-30, patience: 1 }, out2);
    expect(p.epochs.length).toBe(2);
  });
});

