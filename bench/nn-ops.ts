/**
 * Benchmark of the wasm speed traps and src/nn/ops.ts's fixes (not a test): build with `npm run build`,
 * run with `node dist/bench/nn-ops.js [--quick] [--backend wasm|cpu]`. Prints markdown tables.
 *
 * 1. matMul 128×1200 @ 1200×1200 (the MLP's middle layer): plain A·B; the two products of its gradient,
 *    C̄·Bᵀ and Aᵀ·C̄, with tfjs's transpose flags and with an explicit transpose; the whole gradient by
 *    tfjs's built-in rule and by ours.
 * 2. An MLP 784-1200-1200-10 training step (batch 128, ReLU, cross-entropy, SGD): tfjs's matMul gradient
 *    vs ours (and ours with the data input marked constant).
 * 3. Convolutions of the SimpleCNN (batch 128): layer 1 (1→16, 5×5, pad 2, 28×28) forward and gradient
 *    with our filter gradient (wasm has no Conv2DBackpropFilter at all); layer 2 (16→32, 5×5, pad 2,
 *    14×14): the input gradient as our forward convolution vs tfjs's Conv2DBackpropInput
 *    (`tf.conv2dTranspose`); 2×2 max pooling of layer 1's output, tf.maxPool vs ours, value + gradient.
 *
 * Hygiene (the README's Benchmarks section): every case of a table runs interleaved (A B C, then C B A, …)
 * after a warm-up, and each time is a median over the repetitions of this one run; ratios compare medians
 * from the same run. wasm and cpu kernels run synchronously, so a call's wall time is its compute time.
 */
import * as tf from '@tensorflow/tfjs';
import { NATIVE_ENV_DEFAULTS, formatBackendInfo, initBackend, type BackendName } from '../src/nn/backend.js';

for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;
import { conv2d, matMul, maxPool2x2, oneHotCrossEntropy } from '../src/nn/ops.js';
import { Rng } from '../src/rng.js';

const quick = process.argv.includes('--quick');
const backendArg = process.argv.indexOf('--backend');
const backend = (backendArg >= 0 ? process.argv[backendArg + 1] : 'wasm') as BackendName;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** A seeded normal tensor (the bench follows the library's rule: no unseeded randomness). */
function randn(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = scale * rng.normal();
  return tf.tensor(data, shape, 'float32');
}

interface Case {
  name: string;
  /** Runs once; everything it creates is disposed by the caller's tidy. */
  run: () => void;
}

/** Interleaved medians: `reps` rounds, the order reversed every other round, after `warmup` rounds. */
function measure(cases: Case[], reps: number, warmup = 2): number[] {
  const times: number[][] = cases.map(() => []);
  for (let r = 0; r < warmup + reps; r++) {
    const order = r % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i);
    for (const i of order) {
      const t0 = performance.now();
      tf.tidy(() => cases[i].run());
      const dt = performance.now() - t0;
      if (r >= warmup) times[i].push(dt);
    }
  }
  return times.map(median);
}

function table(title: string, cases: Case[], medians: number[], baseline: number, note = ''): void {
  console.log(`\n### ${title}\n`);
  if (note) console.log(`${note}\n`);
  console.log(`| case | median (ms) | ÷ ${cases[baseline].name} |`);
  console.log('|---|---:|---:|');
  cases.forEach((c, i) => console.log(`| ${c.name} | ${medians[i].toFixed(1)} | ${(medians[i] / medians[baseline]).toFixed(2)} |`));
}

async function main(): Promise<void> {
  const info = await initBackend(backend);
  const reps = quick ? 5 : 15;
  console.log(`## nn ops on ${formatBackendInfo(info)} — ${reps} interleaved repetitions after 2 warm-ups, medians`);
  const rng = new Rng(20240601);

  // 1. matMul 128×1200 @ 1200×1200 -------------------------------------------------------------------
  {
    const a = randn([128, 1200], rng) as tf.Tensor2D;
    const b = randn([1200, 1200], rng, 0.03) as tf.Tensor2D;
    const dc = randn([128, 1200], rng) as tf.Tensor2D;
    const loss = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor2D, y as tf.Tensor2D), dc));
    const cases: Case[] = [
      { name: 'A·B plain', run: () => void tf.matMul(a, b) },
      { name: 'C̄·Bᵀ transposeB flag', run: () => void tf.matMul(dc, b, false, true) },
      { name: 'C̄·Bᵀ explicit transpose', run: () => void tf.matMul(dc, tf.transpose(b)) },
      { name: 'C̄·Bᵀ as (B·C̄ᵀ)ᵀ (what ours does at this shape)', run: () => void tf.transpose(tf.matMul(b, tf.transpose(dc))) },
      { name: 'Aᵀ·C̄ transposeA flag', run: () => void tf.matMul(a, dc, true, false) },
      { name: 'Aᵀ·C̄ explicit transpose', run: () => void tf.matMul(tf.transpose(a), dc) },
      { name: 'gradient (Ā, B̄), tfjs built-in', run: () => void tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]) },
      { name: 'gradient (Ā, B̄), ours', run: () => void tf.grads(loss((x, y) => matMul(x, y)))([a, b]) },
    ];
    table(
      'matMul 128×1200 @ 1200×1200',
      cases,
      measure(cases, reps),
      0,
      'A gradient costs 2 products plus the forward one (and the elementwise loss). XNNPACK caches the packed right ' +
        'operand per tensor, so "A·B plain" (same B every call) skips the packing that a new right operand costs.',
    );
    tf.dispose([a, b, dc]);
  }

  // 2. MLP 784-1200-1200-10 step, batch 128 ----------------------------------------------------------
  {
    const batch = 128;
    const x = randn([batch, 784], rng) as tf.Tensor2D;
    const labels = tf.tensor1d(
      Array.from({ length: batch }, () => rng.int(0, 9)),
      'int32',
    );
    const sizes = [784, 1200, 1200, 10];
    // tidy disposes the initial values; variables survive it.
    const make = (): tf.Variable[] =>
      tf.tidy(() => sizes.slice(1).flatMap((n, l) => [tf.variable(randn([sizes[l], n], rng, Math.sqrt(2 / sizes[l]))), tf.variable(tf.zeros([n]))]));
    const weightsBuiltin = make();
    const weightsOurs = make();
    const weightsOursConst = make();
    type MM = (x: tf.Tensor2D, w: tf.Tensor2D, layer: number) => tf.Tensor2D;
    const forward = (ws: tf.Variable[], mm: MM): tf.Scalar => {
      let h: tf.Tensor2D = x;
      for (let l = 0; l < 3; l++) {
        const z = tf.add(mm(h, ws[2 * l] as unknown as tf.Tensor2D, l), ws[2 * l + 1]) as tf.Tensor2D;
        h = l < 2 ? tf.relu(z) : z;
      }
      return oneHotCrossEntropy(h, labels);
    };
    const opt = tf.train.sgd(1e-3);
    const step = (ws: tf.Variable[], mm: MM) => (): void => {
      const l = opt.minimize(() => forward(ws, mm), true, ws);
      l?.dataSync();
    };
    const cases: Case[] = [
      { name: 'step, tfjs built-in matMul gradient', run: step(weightsBuiltin, (h, w) => tf.matMul(h, w)) },
      { name: 'step, ours', run: step(weightsOurs, (h, w) => matMul(h, w)) },
      { name: 'step, ours, data input constant', run: step(weightsOursConst, (h, w, l) => matMul(h, w, { aIsConstant: l === 0 })) },
    ];
    table('MLP 784-1200-1200-10 training step (batch 128, ReLU, cross-entropy, SGD)', cases, measure(cases, quick ? 5 : 11), 0);
    tf.dispose([x, labels, ...weightsBuiltin, ...weightsOurs, ...weightsOursConst]);
    opt.dispose();
  }

  // 3. SimpleCNN convolutions and pooling, batch 128 -------------------------------------------------
  {
    const x1 = randn([128, 28, 28, 1], rng) as tf.Tensor4D;
    const w1 = randn([5, 5, 1, 16], rng, 0.2) as tf.Tensor4D;
    const dy1 = randn([128, 28, 28, 16], rng) as tf.Tensor4D;
    const x2 = randn([128, 14, 14, 16], rng) as tf.Tensor4D;
    const w2 = randn([5, 5, 16, 32], rng, 0.05) as tf.Tensor4D;
    const dy2 = randn([128, 14, 14, 32], rng) as tf.Tensor4D;
    const gradW1 = (opts: { inputIsConstant?: boolean }) => (): void =>
      void tf.grad((w: tf.Tensor) => tf.sum(tf.mul(conv2d(x1, w as tf.Tensor4D, 1, 2, opts), dy1)))(w1);
    const convCases: Case[] = [
      { name: 'layer 1 forward, tf.conv2d', run: () => void tf.conv2d(x1, w1, 1, 'same') },
      { name: 'layer 1 forward + W̄ (ours, input constant)', run: gradW1({ inputIsConstant: true }) },
      { name: 'layer 1 forward + W̄ + x̄ (ours)', run: gradW1({}) },
      { name: 'layer 2 forward, tf.conv2d', run: () => void tf.conv2d(x2, w2, 1, 'same') },
      { name: 'layer 2 x̄, tf.conv2dTranspose (Conv2DBackpropInput)', run: () => void tf.conv2dTranspose(dy2, w2, [128, 14, 14, 16], 1, 'same') },
      { name: 'layer 2 forward + W̄ + x̄ (ours)', run: () => void tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 2), dy2)))([x2, w2]) },
      // tfjs's own gradient (Conv2DBackpropFilter/Input): absent on wasm, native kernels on tensorflow.
      ...(tf.getBackend() === 'wasm'
        ? []
        : [
            { name: 'layer 1 forward + W̄ (tfjs built-in)', run: () => void tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x1, w as tf.Tensor4D, 1, 'same'), dy1)))(w1) },
            { name: 'layer 2 forward + W̄ + x̄ (tfjs built-in)', run: () => void tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), dy2)))([x2, w2]) },
          ]),
    ];
    table(
      'SimpleCNN convolutions (batch 128; layer 1: 1→16, 5×5, pad 2, 28×28; layer 2: 16→32, 5×5, pad 2, 14×14)',
      convCases,
      measure(convCases, quick ? 5 : 11),
      0,
      "tfjs's own conv2d gradient does not run on wasm (no Conv2DBackpropFilter kernel).",
    );
    const p = tf.relu(randn([128, 28, 28, 16], rng)) as tf.Tensor4D;
    const dp = randn([128, 14, 14, 16], rng) as tf.Tensor4D;
    const poolCases: Case[] = [
      { name: 'tf.maxPool forward', run: () => void tf.maxPool(p, 2, 2, 'valid') },
      { name: 'maxPool2x2 forward (ours)', run: () => void maxPool2x2(p) },
      { name: 'tf.maxPool forward + gradient', run: () => void tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dp)))(p) },
      { name: 'maxPool2x2 forward + gradient (ours)', run: () => void tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(a as tf.Tensor4D), dp)))(p) },
    ];
    table('2×2 max pooling of [128, 28, 28, 16]', poolCases, measure(poolCases, quick ? 5 : 11), 0);
    tf.dispose([x1, w1, dy1, x2, w2, dy2, p, dp]);
  }
  console.log(`\nlive tensors at the end: ${tf.memory().numTensors}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
