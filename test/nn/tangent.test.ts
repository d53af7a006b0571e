/**
 * The response-only tangent pass (`TangentOptions.responseOnly`, src/nn/layers.ts), which Δ-STN's linearized
 * response step uses to skip the products that would carry gradients to the general weights and the primal
 * inputs: the tangent's values and its gradients w.r.t. the response parameters are unchanged, bit for bit,
 * on every backend this file runs (cpu, wasm: one fixed summation order each), for the MLP and the SimpleCNN;
 * and the option does change what is computed (so the equality is not vacuous): tf.profile counts fewer
 * matrix products (MLP) or convolutions (CNN) in the step, two per layer after the first.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../src/nn/backend.js';
import { mlp, simpleCnn, type Masks, type StnNetwork } from '../../src/nn/models.js';
import { oneHotCrossEntropy } from '../../src/nn/ops.js';
import { Rng } from '../../src/rng.js';

afterAll(async () => {
  await initBackend('wasm');
});

/** Random response parameters (U starts at exactly 0, which would make every tangent and Θ-gradient 0). */
function perturbResponse(model: StnNetwork, rng: Rng): void {
  for (const v of model.parameters().response) {
    const data = Float32Array.from({ length: v.size }, () => 0.3 * rng.normal());
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
  }
}

function batch(model: StnNetwork, n: number, rng: Rng): { x: tf.Tensor; y: tf.Tensor1D; eps: tf.Tensor2D } {
  const per = model.inputShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(Float32Array.from({ length: n * per }, () => rng.uniform()), [n, ...model.inputShape]);
  const y = tf.tensor1d(Array.from({ length: n }, () => rng.int(0, 9)), 'int32');
  const eps = tf.tensor2d(Float32Array.from({ length: n * model.hyperDim }, () => rng.normal()), [n, model.hyperDim]);
  return { x, y, eps };
}

async function gradsOf(model: StnNetwork, responseOnly: boolean, which: 'general' | 'response', b: ReturnType<typeof batch>): Promise<{ value: Float32Array; df: Float32Array; grads: Float32Array[] }> {
  const masks: Masks = new Map();
  const vars = model.parameters()[which];
  let df: Float32Array = new Float32Array();
  const { value, grads } = tf.variableGrads(() => {
    const [f0, d] = model.tangent(b.x, masks, b.eps, null, { responseOnly });
    df = d.dataSync().slice() as Float32Array;
    return oneHotCrossEntropy(tf.add(f0, d) as tf.Tensor2D, b.y);
  }, vars);
  const out = { value: (await value.data()) as Float32Array, df, grads: await Promise.all(vars.map(async (v) => (await grads[v.name].data()) as Float32Array)) };
  tf.dispose([value, grads]);
  return out;
}

describe('response-only tangent pass', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const kind of ['mlp', 'cnn'] as const) {
      test(`${backend}, ${kind}: same values and Θ-gradients bit for bit; fewer products`, async () => {
        await initBackend(backend);
        const rng = new Rng(41);
        const model = kind === 'mlp' ? mlp({ rng: new Rng(1), hidden: [24, 16] }) : simpleCnn({ rng: new Rng(2), channels: [3, 4], fc: 8, hyperDim: 6 });
        perturbResponse(model, rng);
        const b = batch(model, 6, rng);
        const full = await gradsOf(model, false, 'response', b);
        const only = await gradsOf(model, true, 'response', b);
        expect(only.value).toEqual(full.value);
        expect(only.df).toEqual(full.df);
        expect(Array.from(full.df).some((v) => v !== 0)).toBe(true);
        only.grads.forEach((g, i) => expect(g).toEqual(full.grads[i]));
        expect(full.grads.some((g) => g.some((v) => v !== 0))).toBe(true);
        const kernel = kind === 'mlp' ? 'BatchMatMul' : 'Conv2D';
        const count = async (responseOnly: boolean): Promise<number> => (await tf.profile(() => gradsOf(model, responseOnly, 'response', b))).kernels.filter((k) => k.name === kernel).length;
        const [nFull, nOnly] = [await count(false), await count(true)];
        // Saved per layer after the first: x̄ in x·W_resp and W̄_gen in ẋ·W_gen; per dense layer also the two
        // h̄ products of ε·U_w and ε·U_b. MLP with L dense layers: 2(L − 1) + 2L; CNN: 2(C − 1) convolutions.
        const general = model.parameters().general;
        const dense = general.filter((v) => v.shape.length === 2).length;
        const conv = general.filter((v) => v.shape.length === 4).length;
        expect(nFull - nOnly).toBe(kind === 'mlp' ? 2 * (dense - 1) + 2 * dense : 2 * (conv - 1));
        tf.dispose([b.x, b.y, b.eps]);
        model.dispose();
      });
    }
  }
});
