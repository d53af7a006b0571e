/**
 * What one step of architecture search costs: a train step plus a hyper step (T_train = 1, as `deltastn search`
 * runs them) of DARTS first and second order, Δ-STN, the linearized Δ-STN and STN on the one-shot model of each
 * cell space, against one plain train step of a discrete cell (what random search pays per step), measured side
 * by side in one process (interleaved, after warm-up), printed as medians and ratios.
 *
 * Run: `npm run build && node dist/bench/nas-step.js [--backend wasm|cpu] [--reps N] [--spaces mlp-cell,cnn-cell]`.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/rng.js';
import { createDataset } from '../src/data/dataset.js';
import { NATIVE_ENV_DEFAULTS, initBackend, type BackendName } from '../src/nn/backend.js';

for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;
import { randomGenotype } from '../src/nas/genotype.js';
import { cellSearchSpace, genotypeNetwork } from '../src/nas/networks.js';
import type { CellSpaceKind } from '../src/nas/space.js';
import { Trainer, type NnMethod } from '../src/nn/trainer.js';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, reps: { type: 'string', default: '15' }, spaces: { type: 'string', default: 'mlp-cell,cnn-cell' } } });
const reps = Number(values.reps);
const info = await initBackend(values.backend as BackendName);

function syntheticData(n: number, seed: number): ReturnType<typeof createDataset> {
  const rng = new Rng(seed);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform();
  const labels = Int32Array.from({ length: n }, () => rng.int(0, 9));
  return createDataset('synthetic', images, labels, [28, 28, 1], 10);
}

const methods: NnMethod[] = ['darts1', 'darts2', 'delta-stn', 'delta-stn-linearized', 'stn'];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`# deltastn architecture-search step benchmark\nbackend ${info.name}, node ${process.version}, ${new Date().toISOString()}, ${reps} interleaved repetitions after 2 warm-up steps, batch 128\n`);
for (const kind of values.spaces!.split(',') as CellSpaceKind[]) {
  // The spaces of the README's studies: MLP cells of 3 nodes (width 128), CNN cells of 2 nodes (8 channels).
  const nodes = kind === 'mlp-cell' ? 3 : 2;
  const data = syntheticData(256, 1);
  const searchers = methods.map((method) => {
    const { model, space } = cellSearchSpace({ kind, nodes, rng: new Rng(0) });
    return new Trainer(model, space, { train: data, val: data }, { method, epochs: 1, batchSize: 128, trainSteps: 1, hyperOptimizer: 'adam', lrHyper: 0.03 });
  });
  // A discrete cell with every edge kept where the rule allows (a random one of the space's genotypes).
  const genotype = randomGenotype(kind, nodes, new Rng(7));
  const discrete = genotypeNetwork(genotype, { rng: new Rng(0) });
  const plain = new Trainer(discrete.model, discrete.space, { train: data, val: data }, { method: 'fixed', epochs: 1, batchSize: 128 });
  const rng = new Rng(3);
  const idx = Int32Array.from({ length: 128 }, (_, i) => i);
  const vidx = Int32Array.from({ length: 128 }, (_, i) => 128 + i);
  const times: number[][] = methods.map(() => []);
  const plainTimes: number[] = [];
  for (let r = 0; r < reps + 2; r++) {
    searchers.forEach((t, k) => {
      const t0 = performance.now();
      t.trainStep(idx, rng);
      t.hyperStep(vidx, rng, idx);
      if (r >= 2) times[k].push(performance.now() - t0);
    });
    const t0 = performance.now();
    plain.trainStep(idx, rng);
    if (r >= 2) plainTimes.push(performance.now() - t0);
  }
  const base = median(plainTimes);
  const d1 = median(times[0]);
  console.log(`## ${kind} (${nodes} nodes; discrete cell for the plain step: ${genotype.edges.map((e) => e.op ?? '-').join(' ')})\n`);
  console.log('| step | median ms | ÷ plain discrete step | ÷ DARTS-1 |\n|---|---|---|---|');
  console.log(`| plain step of a discrete cell (random search) | ${base.toFixed(1)} | 1.00 | ${(base / d1).toFixed(2)} |`);
  methods.forEach((m, k) => {
    const t = median(times[k]);
    console.log(`| ${m}: train + hyper step on the one-shot model | ${t.toFixed(1)} | ${(t / base).toFixed(2)} | ${(t / d1).toFixed(2)} |`);
  });
  console.log('');
  for (const t of [...searchers, plain]) {
    t.dispose();
    t.model.dispose();
  }
}
