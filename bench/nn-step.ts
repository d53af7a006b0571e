/**
 * Per-step time of plain training, STN, Δ-STN and the linearized Δ-STN on the paper's MLP (784-1200-1200-10)
 * and the SimpleCNN (Fashion-MNIST shapes), measured side by side in one process (interleaved A B C D …, after
 * warm-up), printed as medians and ratios to plain.
 *
 * Run: `npm run build && node dist/bench/nn-step.js [--backend wasm|cpu|tensorflow|webgpu] [--reps N]
 * [--models mlp,cnn] [--batch 128] [--width 1] [--json]`. `--width` scales every layer (the paper's sizes at 1). `--json` prints one JSON line of medians instead of the tables
 * (bench/backends.ts reads it). On webgpu the steps read asynchronously (the trainer's `…Async` methods,
 * the only reads WebGPU has), so each time includes the wait for the GPU's result; elsewhere the synchronous
 * methods are timed (their reads also wait for the result).
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/rng.js';
import { createDataset } from '../src/data/dataset.js';
import { NATIVE_ENV_DEFAULTS, formatBackendInfo, initBackend, type BackendName } from '../src/nn/backend.js';
import { needsAsyncReads } from '../src/nn/reading.js';
import { buildModel } from '../src/tune/factory.js';
import { Trainer, type NnMethod } from '../src/nn/trainer.js';

for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, reps: { type: 'string', default: '20' }, models: { type: 'string', default: 'mlp,cnn' }, batch: { type: 'string', default: '128' }, width: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const reps = Number(values.reps);
const batch = Number(values.batch);
const width = Number(values.width);
if (!(width > 0 && width <= 1)) throw new Error(`--width: expected a number in (0, 1], got ${values.width}`);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected an integer ≥ 1, got ${values.reps}`);
if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch: expected an integer ≥ 1, got ${values.batch}`);
const info = await initBackend(values.backend as BackendName);
const asyncReads = needsAsyncReads(info.name);

function syntheticData(n: number, shape: [number, number, number], seed: number): ReturnType<typeof createDataset> {
  const rng = new Rng(seed);
  const per = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(n * per);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform();
  const labels = Int32Array.from({ length: n }, () => rng.int(0, 9));
  return createDataset('synthetic', images, labels, shape, 10);
}

const methods: NnMethod[] = ['fixed', 'stn', 'delta-stn', 'delta-stn-linearized'];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const say = (s: string): void => {
  if (!values.json) console.log(s);
};
/** model → step → median ms (the JSON output). */
const medians: Record<string, Record<string, number>> = {};
say(`# deltastn nn step benchmark\nbackend ${formatBackendInfo(info)}, node ${process.version}, ${new Date().toISOString()}, ${reps} interleaved repetitions after 3 warm-up steps${asyncReads ? ', asynchronous reads' : ''}\n`);
for (const modelName of values.models!.split(',') as ('mlp' | 'cnn')[]) {
  const data = syntheticData(Math.max(512, batch), [28, 28, 1], 1);
  const trainers = methods.map((method) => {
    const { model, space } = buildModel({ model: modelName, width, seed: 0, hparams: {} });
    return new Trainer(model, space, { train: data, val: data }, { method, epochs: 1, batchSize: batch });
  });
  const rng = new Rng(3);
  const idx = Int32Array.from({ length: batch }, (_, i) => i);
  const times: number[][] = methods.map(() => []);
  const hyperTimes: number[] = [];
  for (let r = 0; r < reps + 3; r++) {
    for (const [k, t] of trainers.entries()) {
      const t0 = performance.now();
      if (asyncReads) await t.trainStepAsync(idx, rng);
      else t.trainStep(idx, rng);
      const dt = performance.now() - t0;
      if (r >= 3) times[k].push(dt);
    }
    const t0 = performance.now();
    if (asyncReads) await trainers[2].hyperStepAsync(idx, rng);
    else trainers[2].hyperStep(idx, rng);
    if (r >= 3) hyperTimes.push(performance.now() - t0);
  }
  const plain = median(times[0]);
  const stn = median(times[1]);
  say(`## ${modelName} (batch ${batch}${width === 1 ? '' : `, width ${width}`})\n\n| step | median ms | ÷ plain | ÷ STN |\n|---|---|---|---|`);
  medians[modelName] = {};
  methods.forEach((m, k) => {
    const t = median(times[k]);
    medians[modelName][m] = t;
    say(`| ${m === 'fixed' ? 'plain (fixed hyperparameters)' : m} | ${t.toFixed(1)} | ${(t / plain).toFixed(2)} | ${(t / stn).toFixed(2)} |`);
  });
  const hy = median(hyperTimes);
  medians[modelName].hyper = hy;
  say(`| hyper (validation) step | ${hy.toFixed(1)} | ${(hy / plain).toFixed(2)} | ${(hy / stn).toFixed(2)} |\n`);
  for (const t of trainers) {
    t.dispose();
    t.model.dispose();
  }
}
if (values.json) console.log(JSON.stringify({ backend: info.name, device: info.device, batch, reps, medians }));
