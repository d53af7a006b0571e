/**
 * Per-step time of the STN LSTM language model (src/nn/languageModel.ts) for every network method beside plain
 * (fixed) training, measured side by side in one process (interleaved fixed, STN, centered STN, Δ-STN, Δ-STN
 * linearized, … after warm-up), printed as medians and ratios to fixed; and the hyper step.
 *
 * Run: `npm run build && node dist/bench/lstm-step.js [--backend wasm|cpu|tensorflow] [--reps N] [--batch 32]
 * [--bptt 35] [--embedding 16] [--hidden 64] [--layers 2] [--json]`. The data are random token ids (a step's cost
 * does not depend on them); V = 90, Moby Dick's character vocabulary with <unk>.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/rng.js';
import { NATIVE_ENV_DEFAULTS, formatBackendInfo, initBackend, type BackendName } from '../src/nn/backend.js';
import { LanguageModel, LanguageModelTrainer, languageModelSpace } from '../src/nn/languageModel.js';
import type { NnMethod } from '../src/nn/trainer.js';

for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;

const opts = { backend: { type: 'string', default: 'wasm' }, reps: { type: 'string', default: '10' }, batch: { type: 'string', default: '32' }, bptt: { type: 'string', default: '35' }, embedding: { type: 'string', default: '16' }, hidden: { type: 'string', default: '64' }, layers: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } } as const;
const { values } = parseArgs({ options: opts });
const int = (name: 'reps' | 'batch' | 'bptt' | 'embedding' | 'hidden' | 'layers'): number => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected an integer ≥ 1, got ${values[name]}`);
  return v;
};
const [reps, batch, bptt, embedding, hidden, layers] = (['reps', 'batch', 'bptt', 'embedding', 'hidden', 'layers'] as const).map(int);
const info = await initBackend(values.backend as BackendName);
const V = 90;
const rng = new Rng(1);
const tokens = (n: number): Int32Array => Int32Array.from({ length: n }, () => rng.int(0, V - 1));
const data = { train: tokens(batch * (4 * bptt + 1)), val: tokens(batch * (4 * bptt + 1)) };
const methods: NnMethod[] = ['fixed', 'stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'];
const trainers = methods.map((method) => new LanguageModelTrainer(new LanguageModel({ vocabulary: V, embedding, hidden, layers, bptt, rng: new Rng(0) }), languageModelSpace(), data, { method, epochs: 1, batchSize: batch }));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times: number[][] = methods.map(() => []);
const hyperTimes: number[] = [];
const stepRng = new Rng(3);
for (let r = 0; r < reps + 2; r++) {
  trainers.forEach((t, i) => {
    const t0 = performance.now();
    t.trainStep(r % 4, stepRng);
    if (r >= 2) times[i].push(performance.now() - t0);
  });
  const t0 = performance.now();
  trainers[4].hyperStep(r % 4, stepRng);
  if (r >= 2) hyperTimes.push(performance.now() - t0);
}
const fixed = median(times[0]);
const result: Record<string, number> = Object.fromEntries([...methods.map((m, i) => [m, median(times[i])]), ['hyper-step', median(hyperTimes)]]);
if (values.json) console.log(JSON.stringify({ backend: info.name, batch, bptt, embedding, hidden, layers, medians: result }));
else {
  console.log(`# deltastn LSTM language-model step benchmark\nbackend ${formatBackendInfo(info)}, node ${process.version}, ${new Date().toISOString()}; B = ${batch} streams × T = ${bptt}, V = ${V}, embedding ${embedding}, ${layers} LSTM layer(s) of ${hidden}; ${reps} interleaved repetitions after 2 warm-up steps\n`);
  console.log('| step | median ms | × fixed |\n|---|---|---|');
  for (const [name, ms] of Object.entries(result)) console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / fixed).toFixed(2)} |`);
}
for (const t of trainers) {
  t.dispose();
  t.model.dispose();
}
