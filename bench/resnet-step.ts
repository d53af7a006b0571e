/**
 * Per-step time of plain training, STN, centered STN, Δ-STN and the linearized Δ-STN on the ResNet of
 * src/nn/resnet.ts (ResNet-20, 32×32×3 inputs, BN in every block), measured side by side in one process
 * (interleaved, after 2 warm-up steps), printed as medians and ratios to plain training (issue 16).
 *
 * Run: `npm run build && node dist/bench/resnet-step.js [--backend tensorflow|wasm|cpu] [--reps N] [--batch 64]
 * [--width 0.25]`.
 */
import { parseArgs } from 'node:util';
import { createDataset } from '../src/data/dataset.js';
import { NATIVE_ENV_DEFAULTS, formatBackendInfo, initBackend, type BackendName } from '../src/nn/backend.js';
import { Trainer, type NnMethod } from '../src/nn/trainer.js';
import { Rng } from '../src/rng.js';
import { buildModel } from '../src/tune/factory.js';

for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'tensorflow' }, reps: { type: 'string', default: '5' }, batch: { type: 'string', default: '64' }, width: { type: 'string', default: '0.25' } } });
const reps = Number(values.reps);
const batch = Number(values.batch);
const width = Number(values.width);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected an integer ≥ 1, got ${values.reps}`);
if (!Number.isInteger(batch) || batch < 2) throw new Error(`--batch: expected an integer ≥ 2 (batch statistics), got ${values.batch}`);
if (!(width > 0 && Number.isFinite(width))) throw new Error(`--width: expected a number > 0, got ${values.width}`);
const info = await initBackend(values.backend as BackendName);

const rng = new Rng(1);
const images = Float32Array.from({ length: batch * 32 * 32 * 3 }, () => rng.uniform());
const data = createDataset('synthetic', images, Int32Array.from({ length: batch }, () => rng.int(0, 9)), [32, 32, 3], 10);
const methods: NnMethod[] = ['fixed', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'];
const trainers = methods.map((method) => {
  const { model, space } = buildModel({ model: 'resnet', width, seed: 0, hparams: {} });
  return new Trainer(model, space, { train: data, val: data }, { method, epochs: 1, batchSize: batch });
});
const idx = Int32Array.from({ length: batch }, (_, i) => i);
const times: number[][] = methods.map(() => []);
for (let r = 0; r < reps + 2; r++) {
  trainers.forEach((t, k) => {
    const t0 = performance.now();
    t.trainStep(idx, rng);
    if (r >= 2) times[k].push(performance.now() - t0);
  });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plain = median(times[0]);
console.log(`# ResNet-20 step benchmark (width ${width}, batch ${batch})\nbackend ${formatBackendInfo(info)}, node ${process.version}, ${new Date().toISOString()}, ${reps} interleaved repetitions after 2 warm-up steps\n`);
console.log('| method | median ms / step | ratio to fixed |\n|---|---|---|');
methods.forEach((m, k) => console.log(`| ${m} | ${median(times[k]).toFixed(0)} | ${(median(times[k]) / plain).toFixed(2)} |`));
