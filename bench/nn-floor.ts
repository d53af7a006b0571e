/**
 * Where the plain MLP step's floor is on a backend: this library's plain training step beside the same network
 * written with TensorFlow.js's built-in ops (`tf.matMul`, `tf.relu`, `tf.losses.softmaxCrossEntropy`,
 * `tf.train.momentum`), and beside the same arithmetic as straight eager ops with no gradient tape at all
 * (forward, the hand-derived backward, no update): what the kernels and the per-op dispatch alone cost.
 * MLP 784-1200-1200-10, batch 128, interleaved after warm-up, medians.
 *
 * Run: `npm run build && node dist/bench/nn-floor.js [--backend auto|tensorflow|wasm] [--reps 15]`.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { buildModel } from '../src/tune/factory.js';
import { createDataset } from '../src/data/dataset.js';
import { NATIVE_ENV_DEFAULTS, formatBackendInfo, initBackend, type BackendName } from '../src/nn/backend.js';
import { Trainer } from '../src/nn/trainer.js';
import { Rng } from '../src/rng.js';

for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;
const { values } = parseArgs({ options: { backend: { type: 'string', default: 'auto' }, reps: { type: 'string', default: '15' } } });
const reps = Number(values.reps);
const info = await initBackend(values.backend as BackendName);
const B = 128;
const rng = new Rng(1);
const normal = (shape: number[], scale: number): tf.Tensor => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), shape);
const xData = Float32Array.from({ length: B * 784 }, () => rng.uniform());
const labels = Int32Array.from({ length: B }, () => rng.int(0, 9));

// 1. This library's plain step (the trainer's 'fixed' method: per-example dropout masks, momentum SGD).
const data = createDataset('synthetic', xData, labels, [28, 28, 1], 10);
const { model, space } = buildModel({ model: 'mlp', width: 1, seed: 0, hparams: {} });
const trainer = new Trainer(model, space, { train: data, val: data }, { method: 'fixed', epochs: 1, batchSize: B });
const idx = Int32Array.from({ length: B }, (_, i) => i);

// 2. and 3. The same network with tfjs's own ops.
const W1 = tf.variable(normal([784, 1200], 0.03));
const b1 = tf.variable(tf.zeros([1200]));
const W2 = tf.variable(normal([1200, 1200], 0.03));
const b2 = tf.variable(tf.zeros([1200]));
const W3 = tf.variable(normal([1200, 10], 0.03));
const b3 = tf.variable(tf.zeros([10]));
const vars = [W1, b1, W2, b2, W3, b3];
const x = tf.tensor(xData, [B, 784]);
const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
const loss = (): tf.Scalar => {
  const h1 = tf.relu(tf.add(tf.matMul(x, W1), b1));
  const h2 = tf.relu(tf.add(tf.matMul(h1, W2), b2));
  return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, W3), b3)) as tf.Scalar;
};
const sgd = tf.train.momentum(0.01, 0.9);
/** Forward and the hand-derived backward as plain eager ops (no tape, no update). */
const untaped = (): tf.Tensor[] => {
  const z1 = tf.add(tf.matMul(x, W1), b1);
  const h1 = tf.relu(z1);
  const z2 = tf.add(tf.matMul(h1, W2), b2);
  const h2 = tf.relu(z2);
  const d3 = tf.div(tf.sub(tf.softmax(tf.add(tf.matMul(h2, W3), b3)), y), B);
  const d2 = tf.mul(tf.matMul(d3, W3, false, true), tf.step(z2));
  const d1 = tf.mul(tf.matMul(d2, W2, false, true), tf.step(z1));
  return [tf.matMul(x, d1, true, false), tf.sum(d1, 0), tf.matMul(h1, d2, true, false), tf.sum(d2, 0), tf.matMul(h2, d3, true, false), tf.sum(d3, 0)];
};

const cases: [string, () => void][] = [
  ['deltastn plain step (masks, tape, momentum update)', () => trainer.trainStep(idx, rng)],
  ['tfjs built-in ops + tf.train.momentum', () => tf.tidy(() => void sgd.minimize(loss, true, vars)!.dataSync())],
  ['tfjs built-in ops, forward + backward only', () => tf.tidy(() => void tf.variableGrads(loss, vars).value.dataSync())],
  ['no tape: forward + backward as eager ops', () => tf.tidy(() => void untaped()[5].dataSync())],
];
const times: number[][] = cases.map(() => []);
for (let r = 0; r < reps + 3; r++) {
  const order = r % 2 ? [...cases.keys()].reverse() : [...cases.keys()];
  for (const i of order) {
    const t0 = performance.now();
    cases[i][1]();
    if (r >= 3) times[i].push(performance.now() - t0);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`# the plain MLP step's floor on ${formatBackendInfo(info)}\n${reps} interleaved repetitions after 3 warm-ups, batch ${B}, medians\n`);
console.log('| case | median ms | ÷ deltastn |\n|---|---:|---:|');
const ours = median(times[0]);
cases.forEach(([name], i) => console.log(`| ${name} | ${median(times[i]).toFixed(1)} | ${(median(times[i]) / ours).toFixed(2)} |`));
