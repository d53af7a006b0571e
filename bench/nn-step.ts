/**
 * Per-step time of plain training, STN, Δ-STN and the linearized Δ-STN on the paper's MLP (784-1200-1200-10,
 * batch 128) and the SimpleCNN (Fashion-MNIST shapes, batch 128), measured side by side in one process
 * (interleaved A B C D …, after warm-up), printed as medians and ratios to plain.
 *
 * Run: `npm run build && node dist/bench/nn-step.js [--backend wasm|cpu] [--reps N] [--models mlp,cnn]`.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/rng.js';
import { createDataset } from '../src/data/dataset.js';
import { NATIVE_ENV_DEFAULTS, formatBackendInfo, initBackend, requireSyncReads, type BackendName } from '../src/nn/backend.js';

for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;
import { buildModel } from '../src/cli/tune.js';
import { Trainer, type NnMethod } from '../src/nn/trainer.js';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, reps: { type: 'string', default: '20' }, models: { type: 'string', default: 'mlp,cnn' } } });
const reps = Number(values.reps);
const info = requireSyncReads(await initBackend(values.backend as BackendName));

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

console.log(`# deltastn nn step benchmark\nbackend ${formatBackendInfo(info)}, node ${process.version}, ${new Date().toISOString()}, ${reps} interleaved repetitions after 3 warm-up steps\n`);
for (const modelName of values.models!.split(',') as ('mlp' | 'cnn')[]) {
  const data = syntheticData(512, [28, 28, 1], 1);
  const trainers = methods.map((method) => {
    const { model, space } = buildModel({ model: modelName, width: 1, seed: 0, hparams: {} });
    return new Trainer(model, space, { train: data, val: data }, { method, epochs: 1, batchSize: 128 });
  });
  const rng = new Rng(3);
  const idx = Int32Array.from({ length: 128 }, (_, i) => i);
  const times: number[][] = methods.map(() => []);
  const hyperTimes: number[] = [];
  for (let r = 0; r < reps + 3; r++) {
    trainers.forEach((t, k) => {
      const t0 = performance.now();
      t.trainStep(idx, rng);
      const dt = performance.now() - t0;
      if (r >= 3) times[k].push(dt);
    });
    const t0 = performance.now();
    trainers[2].hyperStep(idx, rng);
    if (r >= 3) hyperTimes.push(performance.now() - t0);
  }
  const plain = median(times[0]);
  const stn = median(times[1]);
  console.log(`## ${modelName} (batch 128)\n\n| step | median ms | ÷ plain | ÷ STN |\n|---|---|---|---|`);
  methods.forEach((m, k) => {
    const t = median(times[k]);
    console.log(`| ${m === 'fixed' ? 'plain (fixed hyperparameters)' : m} | ${t.toFixed(1)} | ${(t / plain).toFixed(2)} | ${(t / stn).toFixed(2)} |`);
  });
  const hy = median(hyperTimes);
  console.log(`| hyper (validation) step | ${hy.toFixed(1)} | ${(hy / plain).toFixed(2)} | ${(hy / stn).toFixed(2)} |\n`);
  for (const t of trainers) {
    t.dispose();
    t.model.dispose();
  }
}
