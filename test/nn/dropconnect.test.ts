/**
 * DropConnect in the MLP: a per-minibatch mask on the hidden-to-hidden weights (W_gen and W_resp), shared by the
 * primal pass and the tangent pass, its rate read from the hyperparameter space.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Rng } from '../../src/rng.js';
import { mlp } from '../../src/nn/models.js';
import { StnDense } from '../../src/nn/layers.js';
import { buildModel } from '../../src/cli/tune.js';
import { InvalidArgumentError } from '../../src/errors.js';

let previous = '';
beforeAll(async () => {
  previous = tf.getBackend();
  await tf.setBackend('cpu');
});
afterAll(async () => {
  if (previous) await tf.setBackend(previous);
});

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('DropConnect', () => {
  test('a DropConnect rate of 0 leaves the network unchanged; a positive rate masks the hidden-to-hidden weights', () => {
    const net = mlp({ rng: new Rng(1), inputs: 6, hidden: [5, 4], classes: 3, dropConnect: true });
    expect(net.hyperDim).toBe(4);
    const x = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), [2, 6]);
    const plain = values(net.forward(x, { hnet: null, masks: new Map() }));
    const zero = net.sampleMasks([[0, 0, 0, 0], [0, 0, 0, 0]], new Rng(2));
    expect(zero.size).toBe(4); // 3 dropout masks + 1 DropConnect mask
    expect(values(net.forward(x, { hnet: null, masks: zero }))).toEqual(plain);
    const half = net.sampleMasks([[0, 0, 0, 0.5], [0, 0, 0, 0.5]], new Rng(2));
    const masked = values(net.forward(x, { hnet: null, masks: half }));
    expect(masked).not.toEqual(plain);
    // The mask is one 5×4 matrix for the whole minibatch, with entries in {0, 2}.
    const dcIndex = [...half.keys()].find((k) => half.get(k)!.shape.length === 2 && half.get(k)!.shape[0] === 5)!;
    const mask = half.get(dcIndex)!;
    expect(mask.shape).toEqual([5, 4]);
    expect(new Set(values(mask))).toEqual(new Set([0, 2]));
    // The layer output equals x (W ⊙ M) built explicitly.
    const layer = (net.blocks[dcIndex] as unknown as { layer: StnDense }).layer;
    const h = tf.randomNormal([2, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
    const explicit = tf.add(tf.matMul(h, tf.mul(layer.weight, mask)), layer.bias);
    const got = layer.apply(h, null, mask);
    values(got).forEach((v, i) => expect(v).toBeCloseTo(values(explicit)[i], 5));
  });

  test('the tangent pass uses the same DropConnect mask as the primal pass', () => {
    const net = mlp({ rng: new Rng(4), inputs: 6, hidden: [5, 4], classes: 3, dropConnect: true });
    const x = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.cos(i)), [2, 6]);
    const masks = net.sampleMasks([[0, 0, 0, 0.5], [0, 0, 0, 0.5]], new Rng(5));
    const dir = tf.tensor2d([[0.1, -0.2, 0.3, 0.05], [0.2, 0.1, -0.1, 0.02]]);
    const [f0] = net.tangent(x, masks, dir);
    expect(values(f0)).toEqual(values(net.forward(x, { hnet: null, masks })));
  });

  test('DropConnect is for dense layers of the MLP: typed errors otherwise', () => {
    expect(() => buildModel({ model: 'cnn', width: 0.1, seed: 0, hparams: {}, dropConnect: true })).toThrow(InvalidArgumentError);
    const { model, space } = buildModel({ model: 'mlp', width: 0.01, seed: 0, hparams: { dropconnect: 0.2 }, dropConnect: true });
    expect(space.names).toContain('dropconnect');
    expect(space.specs[space.index('dropconnect')].perturb).toBe('minibatch');
    expect(model.hyperDim).toBe(space.h);
    model.dispose();
    const layer = new StnDense(3, 2, { hyperDim: 1, rng: new Rng(0) });
    expect(() => layer.apply(tf.zeros([1, 3]), null, tf.ones([2, 3]))).toThrow(/weightMask/);
  });
});
