/**
 * DARTS search cells (src/nas: space.ts, candidates.ts, cell.ts, genotype.ts, networks.ts), the `architecture` kind of the hyperparameter space
 * (src/nn/hyper.ts) and the `cell` block of src/nn/models.ts.
 *
 * - HyperSpace: `groups()` lists each edge's coordinates in order; the JSON round trip keeps `group`; the
 *   architecture kind's typed errors (no group, a finite range, discrete) and a group on another kind.
 * - edgeWeights: each row is the softmax of that row's edge coordinates only, against a float64 softmax.
 * - MixedCell.apply: node by node, Σ_k softmax(α_e)_k o_k(x) with each o_k computed alone (per-example α).
 * - maxPool3x3Same: equals tf.maxPool(x, 3, 1, 'same'); its tangent is the central difference along dx; it
 *   has a gradient on wasm.
 * - The tangent pass of a search model is the derivative of forward(h_net = tε) at t = 0 (both spaces).
 * - The direct term ∂L/∂(hyper rows) against central differences; exactly 0 for a genotype network.
 * - deriveGenotype / randomGenotype / genotypeNetwork, and the models' ctx.hyper errors; no tensor leaks.
 *
 * Tolerances (design.md policy; float32 against float64):
 * - Softmax weights (edgeWeights): |Δ| ≤ 2e-6 ≈ 34 u (u = 2⁻²⁴): the float32 softmax is one max, K ≤ 5
 *   exp's, a sum, a log and an exp (≤ ~10 roundings, each ≤ 1 ulp), and the weights are ≤ 1.
 * - Hand mixture (MixedCell.apply): 1e-5·max|output| ≈ 170 u. The reference mixes the float32 candidate
 *   outputs in float64; the cell does it in float32 (≤ 3 roundings per term, ~12 terms per node), and node 2
 *   sees the float32 rounding of the reference's node 1 through one more layer (Kaiming weights, Σ|W| ≲ 6).
 * - Finite differences along a direction (tangent, direct term): the 5-point central stencil
 *   [f(−2t) − 8f(−t) + 8f(t) − f(2t)]/(12t). Along h_net = tε (and x + t·dx), with no ReLU sign and no pooling
 *   arg-max change, the output of a two-node cell is a polynomial of degree ≤ 4 in t (two chained mixed edges,
 *   each candidate layer affine in t and in its input), and a search model's logits likewise (stem, two chained
 *   edges, head), times smooth factors (tanh, and softmax when α moves). The stencil is exact for degree ≤ 4; the
 *   smooth factors leave t⁴|f⁽⁵⁾|/30 ≈ 2e-7·|f⁽⁵⁾| at t = 0.05, far below the rounding term for the O(1)
 *   derivatives here. So the error is float32 rounding: ≤ 18δ/(12t), δ the absolute rounding error of one
 *   forward pass. With δ = 10·u·max|f| (a few roundings per layer on O(1) outputs) we allow 4× that
 *   (`roundTol`, as test/nn/models.test.ts), plus 100·u·max|ḟ| for the float32 rounding of the exact side.
 *   Central differences at the spec's t = 1e-5 would be pure float32 noise (u/t ≈ 6e-3). t is the largest of
 *   the ladder {0.05, 0.02, 0.01, 5e-3, 2e-3, 1e-3} at whose four points the activation pattern (every ReLU
 *   sign and pooling arg-max, recomputed block by block and edge by edge: `modelSignature`, `cellSignature`)
 *   is that of t = 0 — the premise of the polynomial argument, checked, not assumed. The CNN cells are checked
 *   this way on a 2×2 image (216 ReLU inputs and pooling windows; the seeds are ones for which such a t
 *   exists, which the test verifies). A 28×28 CNN search model has ~2·10⁴ ReLU signs and arg-maxes, and no t
 *   qualifies (measured along h_net = tε: 29 of 16758 change at t = 1e-3, still 5 at t = 1e-4): its finite
 *   differences are a coarse check at a small fixed t (stated at the test), and its tangent is checked tightly
 *   against the double-backward JVP.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';
import { makeCandidate, maxPool3x3Same } from '../../src/nas/candidates.js';
import { MixedCell, edgeWeights, type MixedEdge } from '../../src/nas/cell.js';
import { cellSpaceSpecs, deriveGenotype, randomGenotype } from '../../src/nas/genotype.js';
import { cellSearchSpace, genotypeNetwork } from '../../src/nas/networks.js';
import { CNN_OPS, MLP_OPS, cellEdges, edgeName, spaceOps, type CellSpaceKind, type Genotype, type OpName } from '../../src/nas/space.js';
import { HyperSpace, architectureSpecs, dropoutSpec, weightDecaySpec, type HyperparameterSpec } from '../../src/nn/hyper.js';
import type { StnNetwork } from '../../src/nn/models.js';
import { maxPool2x2, maxPool2x2Mask, oneHotCrossEntropy } from '../../src/nn/ops.js';
import { Rng } from '../../src/rng.js';
import { thrown } from '../throws.js';

const U32 = 2 ** -24;
const REPORT = Boolean(process.env.NN_TEST_REPORT);

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function randn(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}

function randRows(rows: number, cols: number, rng: Rng, scale = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * rng.normal()));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** softmax in float64 (max-shifted). */
function softmax64(z: readonly number[]): number[] {
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * Gives every bottleneck U (response variables 2 and 3 of each layer's four: W_resp, b_resp, U_w, U_b) N(0, scale²)
 * entries: U starts at exactly 0, and then the response (and the tangent) would vanish.
 */
function randomBottlenecks(model: { parameters(): { response: tf.Variable[] } }, rng: Rng, scale: number): void {
  const { response } = model.parameters();
  expect(response.length % 4).toBe(0);
  response.forEach((v, i) => {
    if (i % 4 >= 2) tf.tidy(() => v.assign(randn(v.shape, rng, scale)));
  });
}

/** 5-point central difference, exact for polynomials of degree ≤ 4 (header). */
function stencil(f: (s: number) => number[], t: number): number[] {
  const [a, b, c, d] = [-2 * t, -t, t, 2 * t].map(f);
  return a.map((_, e) => (a[e] - 8 * b[e] + 8 * c[e] - d[e]) / (12 * t));
}

/** Rounding bound of the stencil at step t for outputs of size `scale` (header): 4·18·(10·u·scale)/(12t). */
function roundTol(t: number, scale: number): number {
  return ((18 / (12 * t)) * 10 * U32 * scale * 4);
}

/** 3×3 stride-1 'same' pooling arg-max (0..8, first maximum) of every output: the pooling decision maxPool3x3Same takes. */
function pool3Argmax(x: tf.Tensor4D): tf.Tensor {
  const [b, hgt, wid, c] = x.shape;
  const px = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], -3.4e38);
  const views: tf.Tensor[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) views.push(tf.slice(px, [0, i, j, 0], [b, hgt, wid, c]));
  return tf.argMax(tf.stack(views, -1), -1);
}

/**
 * The activation pattern inside a cell: the sign of every ReLU input of its dense-relu / conv candidates and the
 * arg-max of every max-pool candidate, edge by edge, the nodes mixed as the cell mixes them.
 */
function cellSignature(cell: MixedCell, x: tf.Tensor, hnet: tf.Tensor2D | null, hyper: tf.Tensor2D): number[] {
  return tf.tidy(() => {
    const sig: number[] = [];
    const nodes: tf.Tensor[] = [x];
    for (let j = 1; j <= cell.nodes; j++) {
      let v: tf.Tensor = tf.zerosLike(x);
      for (const e of cell.edges) {
        if (e.to !== j) continue;
        const input = nodes[e.from];
        const m = edgeWeights(hyper, e.hypers);
        e.candidates.forEach((c, k) => {
          if (c.layer && c.op !== 'dense-tanh') sig.push(...values(tf.greater(c.layer.apply(input, hnet), 0)));
          if (c.op === 'maxpool3x3') sig.push(...values(pool3Argmax(input as tf.Tensor4D)));
          const col = tf.slice(m, [0, k], [m.shape[0], 1]);
          v = tf.add(v, tf.mul(input.rank === 2 ? col : tf.reshape(col, [m.shape[0], 1, 1, 1]), c.apply(input, hnet)));
        });
      }
      nodes.push(v);
    }
    return sig;
  });
}

/** The activation pattern of a whole network's forward pass: ReLU signs, 2×2 pooling arg-maxes, cell patterns. */
function modelSignature(model: StnNetwork, x: tf.Tensor, hnet: tf.Tensor2D | null, hyper: tf.Tensor2D): number[] {
  return tf.tidy(() => {
    const sig: number[] = [];
    let h = x;
    for (const b of model.blocks) {
      if (b.kind === 'layer') h = b.layer.apply(h, hnet);
      else if (b.kind === 'relu') {
        sig.push(...values(tf.greater(h, 0)));
        h = tf.relu(h);
      } else if (b.kind === 'pool') {
        sig.push(...values(tf.argMax(maxPool2x2Mask(h as tf.Tensor4D), -1)));
        h = maxPool2x2(h as tf.Tensor4D);
      } else if (b.kind === 'flatten') h = tf.reshape(h, [h.shape[0], -1]);
      else if (b.kind === 'cell') {
        sig.push(...cellSignature(b.cell as MixedCell, h, hnet, hyper));
        h = b.cell.apply(h, hnet, hyper);
      } else throw new Error(`unexpected block ${b.kind}`);
    }
    return sig;
  });
}

/**
 * The 5-point stencil at the largest t of the ladder whose four points keep the activation pattern of t = 0
 * (no ReLU sign, no pooling arg-max changes): there f is a polynomial of degree ≤ 4 times smooth factors, and
 * the stencil's error is float32 rounding (header).
 */
function patternFd(f: (s: number) => number[], signature: (s: number) => number[], ladder = [0.05, 0.02, 0.01, 5e-3, 2e-3, 1e-3]): { t: number; fd: number[] } {
  const s0 = signature(0);
  const changed: string[] = [];
  for (const t of ladder) {
    const n = [-2 * t, -t, t, 2 * t].map((s) => signature(s).filter((v, i) => v !== s0[i]).length);
    if (n.every((c) => c === 0)) return { t, fd: stencil(f, t) };
    changed.push(`t = ${t}: ${n.join('/')} of ${s0.length} changed`);
  }
  throw new Error(`no step of the ladder keeps the activation pattern (${changed.join('; ')})`);
}

beforeAll(async () => {
  await initBackend('cpu'); // (also silences the cpu backend's one-time banner)
});

// ---------------------------------------------------------------------------------------------------------
// 1. The hyperparameter space
// ---------------------------------------------------------------------------------------------------------

describe('HyperSpace with architecture weights', () => {
  const specs: HyperparameterSpec[] = [
    dropoutSpec('p'),
    ...architectureSpecs('e01', ['a', 'b', 'c']),
    weightDecaySpec(),
    ...architectureSpecs('e02', ['a', 'b'], { scale: 0.25 }),
  ];

  test('architectureSpecs: one linear, per-example logit per op, init 0, σ0 = 0.5, in the edge group', () => {
    const s = architectureSpecs('e12', MLP_OPS);
    expect(s.map((x) => x.name)).toEqual(MLP_OPS.map((op) => `e12/${op}`));
    for (const x of s) expect(x).toMatchObject({ kind: 'architecture', range: [-Infinity, Infinity], discrete: false, perturb: 'example', init: 0, scale: 0.5, group: 'e12' });
    const space = new HyperSpace(s);
    expect(space.transforms).toEqual(MLP_OPS.map(() => 'linear'));
    expect(space.initialLambda()).toEqual([0, 0, 0, 0]);
    expect(thrown(() => architectureSpecs('', MLP_OPS)).argument).toBe('edge');
    expect(thrown(() => architectureSpecs('e01', [])).argument).toBe('ops');
  });

  test('groups() returns each edge with its coordinates, in order; other kinds have none', () => {
    const space = new HyperSpace(specs);
    expect(space.groups()).toEqual([
      { group: 'e01', indices: [1, 2, 3] },
      { group: 'e02', indices: [5, 6] },
    ]);
    expect(space.indicesOfKind('architecture')).toEqual([1, 2, 3, 5, 6]);
    expect(space.specs[0].group).toBeUndefined();
    expect(space.specs[4].group).toBeUndefined();
    expect(new HyperSpace([dropoutSpec('p')]).groups()).toEqual([]);
    // An edge split by another group still collects its coordinates in order of appearance.
    const split = new HyperSpace([...architectureSpecs('x', ['a']), ...architectureSpecs('y', ['a']), { ...architectureSpecs('x', ['b'])[0] }]);
    expect(split.groups()).toEqual([
      { group: 'x', indices: [0, 2] },
      { group: 'y', indices: [1] },
    ]);
    // The built-in search spaces: edges in cellEdges order, one coordinate per op.
    const cnn = new HyperSpace(cellSpaceSpecs('cnn-cell', 3));
    expect(cnn.groups().map((g) => g.group)).toEqual(cellEdges(3).map(([i, j]) => edgeName(i, j)));
    cnn.groups().forEach((g, e) => expect(g.indices).toEqual(CNN_OPS.map((_, k) => e * CNN_OPS.length + k)));
  });

  test('the JSON round trip keeps group (and ±∞ ranges)', () => {
    const space = new HyperSpace(specs);
    const text = JSON.stringify(space);
    const json = space.toJSON();
    expect(json.hyperparameters[1]).toMatchObject({ range: ['-inf', 'inf'], group: 'e01' });
    expect('group' in json.hyperparameters[0]).toBe(false);
    const back = HyperSpace.fromJSON(text);
    expect(back.specs).toEqual(space.specs);
    expect(back.groups()).toEqual(space.groups());
    expect(HyperSpace.fromJSON(json).groups()).toEqual(space.groups());
  });

  test('typed errors: architecture without group, with a finite range, discrete; a group on a dropout spec', () => {
    const base: HyperparameterSpec = { name: 'a', kind: 'architecture', range: [-Infinity, Infinity], init: 0, group: 'e01' };
    expect(() => new HyperSpace([base])).not.toThrow();
    const noGroup: HyperparameterSpec = { name: 'a', kind: 'architecture', range: [-Infinity, Infinity], init: 0 };
    const cases: [HyperparameterSpec, string][] = [
      [noGroup, 'specs[1].group'],
      [{ ...base, group: '' }, 'specs[1].group'],
      [{ ...base, range: [-5, 5] }, 'specs[1].range'],
      [{ ...base, range: [-Infinity, 5] }, 'specs[1].range'],
      [{ ...base, range: [0, Infinity], init: 1 }, 'specs[1].range'],
      [{ ...base, discrete: true }, 'specs[1].discrete'],
      [{ ...dropoutSpec('q'), group: 'e01' }, 'specs[1].group'],
      [{ ...weightDecaySpec(), group: 'e01' }, 'specs[1].group'],
    ];
    for (const [spec, argument] of cases) {
      const err = thrown(() => new HyperSpace([dropoutSpec('p'), spec]));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.argument).toBe(argument);
    }
    // The same errors through the JSON path.
    const json = new HyperSpace([base]).toJSON();
    const { group: _drop, ...rest } = json.hyperparameters[0];
    expect(thrown(() => HyperSpace.fromJSON({ ...json, hyperparameters: [rest] })).argument).toBe('specs[0].group');
  });
});

// ---------------------------------------------------------------------------------------------------------
// 2. edgeWeights
// ---------------------------------------------------------------------------------------------------------

describe('edgeWeights', () => {
  const h = 9;
  const hypers = [7, 2, 4, 0]; // not sorted, not contiguous: column j is coordinate hypers[j]
  const SOFTMAX_TOL = 2e-6; // header

  const reference = (rows: number[][]): number[] => rows.flatMap((r) => softmax64(hypers.map((k) => r[k])));

  test('each row is the float64 softmax of that row\'s edge coordinates ([1, h] and [B, h])', () => {
    const rng = new Rng(11);
    for (const B of [1, 5]) {
      const rows = randRows(B, h, rng, 2);
      const a = tf.tensor2d(rows);
      const w = edgeWeights(a, hypers);
      expect(w.shape).toEqual([B, hypers.length]);
      const got = values(w);
      if (REPORT) console.log('edgeWeights B =', B, 'err vs float64', maxDiff(got, reference(rows)));
      expect(maxDiff(got, reference(rows))).toBeLessThan(SOFTMAX_TOL);
      for (let b = 0; b < B; b++) expect(Math.abs(got.slice(b * 4, b * 4 + 4).reduce((s, v) => s + v, 0) - 1)).toBeLessThan(SOFTMAX_TOL);
      tf.dispose([a, w]);
    }
  });

  test('only the edge\'s coordinates matter, and adding a constant to them changes nothing', () => {
    const rng = new Rng(12);
    const rows = randRows(4, h, rng);
    const others = rows.map((r) => r.map((v, k) => (hypers.includes(k) ? v : v + 10 * rng.normal())));
    const shifted = rows.map((r, b) => r.map((v, k) => (hypers.includes(k) ? v + [3, -7, 0.5, 20][b] : v)));
    const [w0, w1, w2] = [rows, others, shifted].map((r) => tf.tidy(() => values(edgeWeights(tf.tensor2d(r), hypers))));
    expect(maxDiff(w0, w1)).toBe(0); // the other coordinates are multiplied by exact zeros
    expect(maxDiff(w0, w2)).toBeLessThan(SOFTMAX_TOL);
    // A constant on one coordinate only does change the weights (the test has power).
    const one = rows.map((r) => r.map((v, k) => (k === hypers[1] ? v + 1 : v)));
    const w3 = tf.tidy(() => values(edgeWeights(tf.tensor2d(one), hypers)));
    expect(maxDiff(w0, w3)).toBeGreaterThan(0.05);
  });

  test('large logits do not overflow', () => {
    const rows = [[0, 0, 500, 0, 480, 0, 0, -300, 0]];
    const w = tf.tidy(() => values(edgeWeights(tf.tensor2d(rows), hypers)));
    expect(w.every(Number.isFinite)).toBe(true);
    expect(maxDiff(w, reference(rows))).toBeLessThan(SOFTMAX_TOL);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 3. MixedCell.apply against a hand-computed mixture
// ---------------------------------------------------------------------------------------------------------

/**
 * A two-node cell (edges 0→1, 0→2, 1→2) of every op of a space, in a space with a dropout coordinate first
 * (so edge coordinates start at 1). Also returns the cell of node 1 alone (edge 0→1), sharing its candidates.
 */
function twoNodeCell(kind: CellSpaceKind, width: number, rng: Rng): { space: HyperSpace; cell: MixedCell; node1: MixedCell; edges: MixedEdge[] } {
  const ops = spaceOps(kind);
  const space = new HyperSpace([dropoutSpec('p'), ...cellSpaceSpecs(kind, 2)]);
  const edges: MixedEdge[] = cellEdges(2).map(([i, j]) => {
    const group = edgeName(i, j);
    return {
      from: i,
      to: j,
      group,
      candidates: ops.map((op) => makeCandidate(op, width, { hyperDim: space.h, rng, name: `t${group}` })),
      hypers: ops.map((op) => space.index(`${group}/${op}`)),
    };
  });
  return { space, cell: new MixedCell(2, edges), node1: new MixedCell(1, [edges[0]]), edges };
}

/** Σ_k softmax(rows_b restricted to the edge)_k · o_k(x)_b in float64, each o_k computed alone in float32. */
function handMixture(e: MixedEdge, x: tf.Tensor, hnet: tf.Tensor2D | null, rows: number[][]): Float64Array {
  const B = x.shape[0];
  const outs = e.candidates.map((c) => tf.tidy(() => values(c.apply(x, hnet))));
  const per = outs[0].length / B;
  const mix = new Float64Array(outs[0].length);
  rows.forEach((r, b) => {
    const w = softmax64(e.hypers.map((k) => r[k]));
    e.candidates.forEach((c, k) => {
      if (c.op === 'zero') expect(maxAbs(outs[k])).toBe(0);
      for (let i = b * per; i < (b + 1) * per; i++) mix[i] += w[k] * outs[k][i];
    });
  });
  return mix;
}

describe('MixedCell.apply is the softmax mixture of its candidates, node by node', () => {
  for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
    test(`${kind}: per-example α (with 'zero' taking weight), h_net = 0 and h_net ≠ 0`, () => {
      const rng = new Rng(kind === 'mlp-cell' ? 21 : 22);
      const width = kind === 'mlp-cell' ? 7 : 2;
      const B = 4;
      const shape = kind === 'mlp-cell' ? [B, width] : [B, 5, 6, width];
      const { space, cell, node1, edges } = twoNodeCell(kind, width, rng);
      randomBottlenecks(cell, rng, 0.5);
      const x = randn(shape, rng);
      // Per-example logits: rows differ; in row 1 every 'zero' logit dominates, in row 2 it is strongly negative.
      const rows = randRows(B, space.h, rng, 1.5);
      for (const g of space.groups()) {
        const z = g.indices[spaceOps(kind).indexOf('zero')];
        rows[1][z] = 4;
        rows[2][z] = -6;
      }
      const hyper = tf.tensor2d(rows);
      for (const hnet of [null, randn([B, space.h], rng) as tf.Tensor2D]) {
        // Node 1 = ō_01(x): the one-node cell.
        const n1 = handMixture(edges[0], x, hnet, rows);
        const got1 = tf.tidy(() => values(node1.apply(x, hnet, hyper)));
        const scale1 = maxAbs(n1);
        expect(maxDiff(got1, n1), 'node 1').toBeLessThan(1e-5 * scale1);
        // Node 2 = ō_02(x) + ō_12(node 1); the cell's output is node 1 + node 2.
        const n1T = tf.tensor(Float32Array.from(n1), shape);
        const n2a = handMixture(edges[1], x, hnet, rows);
        const n2b = handMixture(edges[2], n1T, hnet, rows);
        const expected = n1.map((v, i) => v + n2a[i] + n2b[i]);
        const out = cell.apply(x, hnet, hyper);
        expect(out.shape).toEqual(shape);
        const got = values(out);
        const scale = maxAbs(expected);
        const err = maxDiff(got, expected);
        if (REPORT) console.log(kind, hnet ? 'hnet' : 'w0', 'mixture err', err, 'scale', scale);
        expect(err, 'cell output').toBeLessThan(1e-5 * scale);
        // The 'zero' op takes weight: row 1 (zero dominant) is damped against the same row without 'zero'.
        const noZero = new MixedCell(2, edges.map((e) => ({ ...e, candidates: e.candidates.filter((c) => c.op !== 'zero'), hypers: e.hypers.filter((_, k) => e.candidates[k].op !== 'zero') })));
        const undamped = tf.tidy(() => values(noZero.apply(x, hnet, hyper)));
        const per = got.length / B;
        const row = (a: number[], b: number): number[] => a.slice(b * per, (b + 1) * per);
        expect(maxAbs(row(got, 1))).toBeLessThan(0.5 * maxAbs(row(undamped, 1)));
        tf.dispose([n1T, out]);
        hnet?.dispose();
      }
      // A [1, h] row mixes the whole batch with one α: the same as B copies of that row.
      const one = tf.tensor2d([rows[0]]);
      const many = tf.tensor2d(rows.map(() => rows[0]));
      expect(tf.tidy(() => values(cell.apply(x, null, one)))).toEqual(tf.tidy(() => values(cell.apply(x, null, many))));
      tf.dispose([x, hyper, one, many]);
      for (const v of [...cell.parameters().general, ...cell.parameters().response]) v.dispose();
    });
  }

  test('constructor errors name the argument; maxHyper and parameters', () => {
    const rng = new Rng(23);
    const { space, cell, edges } = twoNodeCell('mlp-cell', 6, rng);
    expect(cell.maxHyper()).toBe(space.h - 1);
    // 3 edges × 2 dense ops, 2 general + 4 response variables each.
    expect(cell.parameters().general.length).toBe(12);
    expect(cell.parameters().response.length).toBe(24);
    expect(thrown(() => new MixedCell(0, edges)).argument).toBe('nodes');
    expect(thrown(() => new MixedCell(1, edges)).argument).toBe('edges[1]');
    expect(thrown(() => new MixedCell(2, [{ ...edges[0], hypers: [1, 2] }])).argument).toBe('edges[0].hypers');
    for (const v of [...cell.parameters().general, ...cell.parameters().response]) v.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------
// 4. maxPool3x3Same
// ---------------------------------------------------------------------------------------------------------

/** Distinct values (a shuffled k/16 ladder, exact in float32): no ties anywhere. */
function distinct(shape: number[], rng: Rng): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) / 16);
  for (let a = n - 1; a > 0; a--) {
    const b = rng.int(0, a);
    [v[a], v[b]] = [v[b], v[a]];
  }
  return tf.tensor4d(Float32Array.from(v), shape as [number, number, number, number]);
}

describe.each(['cpu', 'wasm'] as const)('maxPool3x3Same on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test('equals tf.maxPool(x, 3, 1, "same") (random normals and a [B, 28, 28, 1] input)', () => {
    const rng = new Rng(31);
    for (const shape of [[3, 28, 28, 1], [2, 5, 7, 3], [1, 1, 1, 2], [2, 2, 3, 1]] as [number, number, number, number][]) {
      const x = randn(shape, rng) as tf.Tensor4D;
      const [y, dy] = maxPool3x3Same(x);
      expect(dy).toBeNull();
      const ref = tf.maxPool(x, 3, 1, 'same');
      expect(y.shape).toEqual(shape);
      expect(values(y)).toEqual(values(ref)); // a maximum selects one input: bit for bit
      tf.dispose([x, y, ref]);
    }
    // Very negative inputs: the finite pad (−3.4e38) never wins against data.
    const neg = tf.tidy(() => tf.sub(randn([1, 4, 4, 1], rng), 1e30) as tf.Tensor4D);
    const [yn] = maxPool3x3Same(neg);
    const rn = tf.maxPool(neg, 3, 1, 'same');
    expect(values(yn)).toEqual(values(rn));
    tf.dispose([neg, yn, rn]);
  });

  test('the tangent is the central difference along dx (no ties)', () => {
    const rng = new Rng(32);
    const shape: [number, number, number, number] = [2, 5, 6, 3];
    const x = distinct(shape, rng);
    const dx = randn(shape, rng) as tf.Tensor4D;
    const [y, dy] = maxPool3x3Same(x, dx);
    expect(values(y)).toEqual(tf.tidy(() => values(maxPool3x3Same(x)[0])));
    // Neighbouring values differ by ≥ 1/16 and t·max|dx| ≤ 1e-3·4, so no arg-max changes over [−t, t]: the
    // pooled value is linear in t there and the central difference is exact up to rounding: each f(±t) is one
    // rounding of x + t·dx (|x| ≤ 11.3), so |error| ≤ 2·u·11.3·2/(2t) ≈ 1.4e-3 at t = 1e-3 (we allow that).
    const t = 1e-3;
    expect(4 * t * maxAbs(values(dx))).toBeLessThan(1 / 16);
    const f = (s: number): number[] => tf.tidy(() => values(maxPool3x3Same(tf.add(x, tf.mul(dx, s)) as tf.Tensor4D)[0]));
    const fp = f(t);
    const fm = f(-t);
    const fd = fp.map((v, i) => (v - fm[i]) / (2 * t));
    const tol = (2 * U32 * maxAbs(values(x)) * 2) / (2 * t);
    const err = maxDiff(fd, values(dy as tf.Tensor4D));
    if (REPORT) console.log(backend, 'maxPool3x3 tangent vs FD', err, 'tol', tol);
    expect(err).toBeLessThan(tol);
    // The tangent routes dx from the arg-max: every tangent entry is one of the dx entries (not a blend).
    const dxSet = new Set(values(dx));
    expect(values(dy as tf.Tensor4D).every((v) => dxSet.has(v))).toBe(true);
    tf.dispose([x, dx, y, dy as tf.Tensor4D]);
  });

  test('tf.grad runs and routes the cotangent to the arg-max (as tf.maxPool\'s gradient on cpu)', async () => {
    const rng = new Rng(33);
    const shape: [number, number, number, number] = [2, 6, 5, 2];
    const x = distinct(shape, rng);
    const w = randn(shape, rng);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(maxPool3x3Same(xx as tf.Tensor4D)[0], w)))(x);
    const got = values(g);
    expect(got.every(Number.isFinite)).toBe(true);
    const xv = values(x);
    const wv = values(w);
    tf.dispose([x, w, g]);
    await tf.setBackend('cpu');
    const xc = tf.tensor4d(xv, shape);
    const wc = tf.tensor(wv, shape);
    const gc = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, 3, 1, 'same'), wc)))(xc);
    // Sums of the same few float32 cotangents: equal up to the order of additions.
    expect(maxDiff(got, values(gc))).toBeLessThan(1e-6 * maxAbs(wv) * 9);
    tf.dispose([xc, wc, gc]);
    await tf.setBackend(backend);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Search models
// ---------------------------------------------------------------------------------------------------------

interface Setup {
  space: HyperSpace;
  model: StnNetwork;
  x: tf.Tensor;
  y: tf.Tensor1D;
  B: number;
}

function searchSetup(kind: CellSpaceKind, seed: number, B: number): Setup {
  const rng = new Rng(seed);
  const classes = 5;
  const { space, model } = cellSearchSpace({ kind, width: kind === 'mlp-cell' ? 6 : 2, classes, rng });
  randomBottlenecks(model, rng, 0.5);
  const n = kind === 'mlp-cell' ? 784 : 28 * 28;
  const x = tf.tensor(Float32Array.from({ length: B * n }, () => rng.uniform()), kind === 'mlp-cell' ? [B, 784] : [B, 28, 28, 1]);
  const y = tf.tensor1d(Array.from({ length: B }, () => rng.int(0, classes - 1)), 'int32');
  return { space, model, x, y, B };
}

function disposeSetup(s: Setup): void {
  tf.dispose([s.x, s.y]);
  s.model.dispose();
}

/**
 * The double-backward JVP of h ↦ fn(h) at h0 in the direction v: vjp(u) = ∇_h ⟨fn(h), u⟩, then
 * Jv = ∇_u ⟨vjp(u), v⟩ (linear in u, so any u; zeros here). Exact to float32 rounding, kinks or not.
 */
function doubleBackwardJvp(fn: (h: tf.Tensor2D) => tf.Tensor, h0: tf.Tensor2D, v: tf.Tensor2D, outShape: number[]): number[] {
  return tf.tidy(() => {
    const vjp = (u: tf.Tensor): tf.Tensor => tf.grad((hh: tf.Tensor) => tf.sum(tf.mul(fn(hh as tf.Tensor2D), u)))(h0);
    return values(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u), v)))(tf.zeros(outShape)));
  });
}

// ---------------------------------------------------------------------------------------------------------
// 5. Tangent passes
// ---------------------------------------------------------------------------------------------------------

describe('MixedCell.tangent is d/dt cell.apply(x + t·dx, h_net = tε) at t = 0 (the mixture held at hyper)', () => {
  for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
    test(`${kind} cell on a small input, per-example hyper rows, with and without an input tangent`, () => {
      const rng = new Rng(kind === 'mlp-cell' ? 43 : 45);
      const width = kind === 'mlp-cell' ? 6 : 2;
      const B = 3;
      // A 2×2 image keeps the CNN cell's ReLU inputs and pooling windows few (216), so the ladder finds a t
      // with no kink within reach.
      const shape = kind === 'mlp-cell' ? [B, width] : [B, 2, 2, width];
      const { space, cell } = twoNodeCell(kind, width, rng);
      randomBottlenecks(cell, rng, 0.5);
      const x = randn(shape, rng);
      const hyper = tf.tensor2d(randRows(B, space.h, rng, 1));
      const eps = randn([B, space.h], rng, 0.5) as tf.Tensor2D;
      for (const dx of [randn(shape, rng), null]) {
        const [y, dy] = cell.tangent(x, dx, eps, hyper);
        expect(values(y)).toEqual(tf.tidy(() => values(cell.apply(x, null, hyper)))); // primal = apply at w0, bit for bit
        const jv = values(dy);
        const jvScale = maxAbs(jv);
        expect(jvScale).toBeGreaterThan(1e-2);
        const fScale = maxAbs(values(y));
        const at = (t: number): [tf.Tensor, tf.Tensor2D] => [dx ? tf.add(x, tf.mul(dx, t)) : x, tf.mul(eps, t) as tf.Tensor2D];
        const f = (t: number): number[] => tf.tidy(() => values(cell.apply(...at(t), hyper)));
        const r = patternFd(f, (t) => tf.tidy(() => cellSignature(cell, ...at(t), hyper)));
        const tol = roundTol(r.t, fScale) + 100 * U32 * jvScale;
        const err = maxDiff(r.fd, jv);
        if (REPORT) console.log(kind, 'cell tangent', dx ? 'dx' : 'no dx', JSON.stringify({ t: r.t, err, tol, jvScale }));
        expect(err, `cell tangent vs 5-point FD at t = ${r.t}`).toBeLessThan(tol);
        tf.dispose([y, dy]);
        dx?.dispose();
      }
      tf.dispose([x, hyper, eps]);
      for (const v of [...cell.parameters().general, ...cell.parameters().response]) v.dispose();
    });
  }
});

describe('the tangent pass of a search model is d/dt forward(h_net = tε) at t = 0 (the mixture held at hyper)', () => {
  for (const [kind, seed] of [
    ['mlp-cell', 41],
    ['cnn-cell', 42],
  ] as const) {
    test(`${kind} (28×28 for the CNN), per-example hyper rows: central differences and the double-backward JVP`, () => {
      const s = searchSetup(kind, seed, 3);
      const { model, space, x, B } = s;
      const rng = new Rng(seed + 100);
      const masks = new Map<number, tf.Tensor>();
      const hyper = tf.tensor2d(randRows(B, space.h, rng, 1));
      const eps = randn([B, space.h], rng, 0.5) as tf.Tensor2D;
      const [f0, df] = model.tangent(x, masks, eps, hyper);
      const fNull = model.forward(x, { hnet: null, masks, hyper });
      expect(values(f0)).toEqual(values(fNull)); // the primal part is the forward pass at w0, bit for bit
      const jv = values(df);
      const jvScale = maxAbs(jv);
      expect(jvScale).toBeGreaterThan(1e-2);
      const fScale = maxAbs(values(fNull));
      const f = (t: number): number[] => tf.tidy(() => values(model.forward(x, { hnet: tf.mul(eps, t) as tf.Tensor2D, masks, hyper })));
      // MLP: the pattern ladder (header). CNN on 28×28: every t lets some ReLU inputs or arg-maxes cross
      // (header; measured FD error 0.14 at t = 1e-3, 0.014 at 1e-4, for max|Jv| ≈ 4.5). At t = 1e-4 only a few
      // cross, and the rounding bound — pessimistic by ~8× here — covers them: a coarse check (≈ 2.4% of
      // max|Jv|); the double-backward JVP below is the tight one, and the cell's tangent is checked tightly on
      // a small image above.
      let t: number;
      let fd: number[];
      if (kind === 'mlp-cell') ({ t, fd } = patternFd(f, (s) => modelSignature(model, x, tf.mul(eps, s) as tf.Tensor2D, hyper)));
      else {
        t = 1e-4;
        fd = stencil(f, t);
      }
      const tol = roundTol(t, fScale) + 100 * U32 * jvScale;
      const err = maxDiff(fd, jv);
      // Double-backward JVP: the same linear map evaluated by reverse mode twice; agrees to float32 rounding of a
      // few products per layer: 1e-5·max|Jv| (≈ 170 u), as in test/nn/models.test.ts.
      const h0 = tf.zeros([B, space.h]) as tf.Tensor2D;
      const db = doubleBackwardJvp((hn) => model.forward(x, { hnet: hn, masks, hyper }), h0, eps, f0.shape);
      const dbErr = maxDiff(db, jv);
      if (REPORT) console.log(kind, 'model tangent', JSON.stringify({ t, err, tol, dbErr, jvScale, fScale }));
      expect(err, `tangent vs 5-point FD at t = ${t}`).toBeLessThan(tol);
      expect(dbErr, 'tangent vs double-backward JVP').toBeLessThan(1e-5 * jvScale);
      // Power: the tangent at another mixture (uniform: hyper = 0) is far from this derivative.
      const other = tf.zerosLike(hyper) as tf.Tensor2D;
      const [g0, dg] = model.tangent(x, masks, eps, other);
      const otherErr = maxDiff(values(dg), db);
      if (REPORT) console.log(kind, 'tangent at another mixture: distance', otherErr);
      expect(otherErr).toBeGreaterThan(100 * 1e-5 * jvScale);
      expect(otherErr).toBeGreaterThan(tol);
      tf.dispose([hyper, eps, f0, df, fNull, h0, other, g0, dg]);
      disposeSetup(s);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// 6. The direct term
// ---------------------------------------------------------------------------------------------------------

/** Per-example CE at rows A (and h_net). */
function perExampleLoss(s: Setup, hnet: tf.Tensor2D | null, a: tf.Tensor2D): tf.Tensor1D {
  return oneHotCrossEntropy(s.model.forward(s.x, { hnet, masks: new Map(), hyper: a }), s.y, 'none');
}

/**
 * The rounding scale of a loss: ℓ = logsumexp(f) − f_y, so |∂ℓ/∂f|₁ ≤ 2 and a forward pass's error on the
 * logits reaches ℓ at most twice over, plus ℓ's own roundings.
 */
function lossScale(logits: number[], losses: number[]): number {
  return 2 * maxAbs(logits) + maxAbs(losses);
}

describe('the direct term ∂L/∂(hyper rows)', () => {
  for (const [kind, seed] of [
    ['mlp-cell', 51],
    ['cnn-cell', 52],
  ] as const) {
    test(`${kind} model: nonzero, zero-sum per edge, and equal to central differences in α (per-example rows)`, () => {
      const s = searchSetup(kind, seed, 4);
      const { space, B } = s;
      const rng = new Rng(seed + 100);
      const a = tf.tensor2d(randRows(B, space.h, rng, 1));
      const hnet = randn([B, space.h], rng, 0.5) as tf.Tensor2D;
      const g = tf.grad((av: tf.Tensor) => tf.mean(perExampleLoss(s, hnet, av as tf.Tensor2D)))(a);
      expect(g.shape).toEqual([B, space.h]);
      const G = g.arraySync() as number[][];
      const gScale = maxAbs(G.flat());
      expect(gScale).toBeGreaterThan(1e-3);
      // softmax is invariant to a constant on an edge's logits: each edge's gradient sums to 0 in every row
      // (to float32 rounding of a K-term sum of numbers ≤ gScale: 10·K·u·gScale, K ≤ 5, allowing 1e-6·gScale·10).
      for (const row of G) for (const grp of space.groups()) expect(Math.abs(grp.indices.reduce((acc, k) => acc + row[k], 0))).toBeLessThan(1e-5 * gScale);
      // Directional derivative of each example's loss along a random D: row i only moves example i, so
      // d/ds ℓ_i(A + sD) = B·⟨G_i, D_i⟩ (G is the gradient of the mean).
      const D = tf.tensor2d(randRows(B, space.h, rng, 1));
      const Dv = D.arraySync() as number[][];
      const exact = G.map((gi, i) => B * gi.reduce((acc, v, k) => acc + v * Dv[i][k], 0));
      const logits = tf.tidy(() => values(s.model.forward(s.x, { hnet, masks: new Map(), hyper: a })));
      const scale = lossScale(logits, tf.tidy(() => values(perExampleLoss(s, hnet, a))));
      const f = (t: number): number[] => tf.tidy(() => values(perExampleLoss(s, hnet, tf.add(a, tf.mul(D, t)) as tf.Tensor2D)));
      // MLP: the pattern ladder. CNN (28×28): kinks again (along D, 1 of 22344 signs/arg-maxes changes at
      // t = 1e-3, more above; measured FD errors 7e-4 at t = 1e-3 here): t = 1e-3, where the rounding bound
      // (≈ 7% of max|exact|) covers the few crossings, a coarse check. The CNN cell's direct term is checked
      // tightly on a small image below.
      let t: number;
      let fd: number[];
      if (kind === 'mlp-cell') ({ t, fd } = patternFd(f, (u) => modelSignature(s.model, s.x, hnet, tf.add(a, tf.mul(D, u)) as tf.Tensor2D)));
      else {
        t = 1e-3;
        fd = stencil(f, t);
      }
      const tol = roundTol(t, scale) + 100 * U32 * maxAbs(exact);
      const err = maxDiff(fd, exact);
      if (REPORT) console.log(kind, 'direct term', JSON.stringify({ t, err, tol, exact, gScale }));
      expect(err, `direct term vs 5-point FD at t = ${t}`).toBeLessThan(tol);
      tf.dispose([a, hnet, g, D]);
      disposeSetup(s);
    });
  }

  test('mlp-cell model, one row [1, h] (h_net = 0, as DARTS): single coordinates against central differences', () => {
    const s = searchSetup('mlp-cell', 53, 5);
    const rng = new Rng(153);
    const lambda = randRows(1, s.space.h, rng, 1)[0];
    const a = tf.tensor2d([lambda]);
    const loss = (av: tf.Tensor2D): tf.Scalar => tf.mean(perExampleLoss(s, null, av));
    const g = tf.grad((av: tf.Tensor) => loss(av as tf.Tensor2D))(a);
    expect(g.shape).toEqual([1, s.space.h]);
    const G = values(g);
    expect(maxAbs(G)).toBeGreaterThan(1e-3);
    const logits = tf.tidy(() => values(s.model.forward(s.x, { hnet: null, masks: new Map(), hyper: a })));
    const scale = lossScale(logits, tf.tidy(() => values(perExampleLoss(s, null, a))));
    for (const k of [0, 5, 9, 11]) {
      const row = (t: number): tf.Tensor2D => tf.tensor2d([lambda.map((v, j) => (j === k ? v + t : v))]);
      const f = (t: number): number[] => tf.tidy(() => [loss(row(t)).dataSync()[0]]);
      const r = patternFd(f, (t) => tf.tidy(() => modelSignature(s.model, s.x, null, row(t))));
      const tol = roundTol(r.t, scale) + 100 * U32 * Math.abs(G[k]);
      const err = Math.abs(r.fd[0] - G[k]);
      if (REPORT) console.log('one row, coordinate', k, JSON.stringify({ t: r.t, err, tol, g: G[k] }));
      expect(err, `coordinate ${k} at t = ${r.t}`).toBeLessThan(tol);
    }
    tf.dispose([a, g]);
    disposeSetup(s);
  });

  for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
    test(`${kind} cell on a small input: ∂⟨cell(x; A), W⟩/∂A against central differences (per example)`, () => {
      const rng = new Rng(kind === 'mlp-cell' ? 55 : 47);
      const width = kind === 'mlp-cell' ? 6 : 2;
      const B = 3;
      const shape = kind === 'mlp-cell' ? [B, width] : [B, 2, 2, width];
      const { space, cell } = twoNodeCell(kind, width, rng);
      randomBottlenecks(cell, rng, 0.5);
      const x = randn(shape, rng);
      const w = randn(shape, rng);
      const hnet = randn([B, space.h], rng, 0.5) as tf.Tensor2D;
      const a = tf.tensor2d(randRows(B, space.h, rng, 1));
      // Per-example objective ℓ_i = Σ_j cell(x; A)_{ij} W_{ij}; rows are independent, so d/ds ℓ_i(A + sD) = ⟨G_i, D_i⟩.
      const per = (av: tf.Tensor2D): tf.Tensor => tf.sum(tf.reshape(tf.mul(cell.apply(x, hnet, av), w), [B, -1]), 1);
      const g = tf.grad((av: tf.Tensor) => tf.sum(per(av as tf.Tensor2D)))(a);
      const G = g.arraySync() as number[][];
      expect(G[0][0]).toBe(0); // coordinate 0 is the dropout rate: no edge reads it
      expect(maxAbs(G.flat())).toBeGreaterThan(1e-3);
      const Dm = randRows(B, space.h, rng, 1);
      const D = tf.tensor2d(Dm);
      const exact = G.map((gi, i) => gi.reduce((acc, v, k) => acc + v * Dm[i][k], 0));
      // Rounding scale: Σ_j over the row of |cell|·|W| (the sum's terms), not the sum itself.
      const scale = tf.tidy(() => maxAbs(values(tf.sum(tf.reshape(tf.abs(tf.mul(cell.apply(x, hnet, a), w)), [B, -1]), 1))));
      const f = (t: number): number[] => tf.tidy(() => values(per(tf.add(a, tf.mul(D, t)) as tf.Tensor2D)));
      const r = patternFd(f, (t) => tf.tidy(() => cellSignature(cell, x, hnet, tf.add(a, tf.mul(D, t)) as tf.Tensor2D)));
      const tol = roundTol(r.t, scale) + 100 * U32 * maxAbs(exact);
      const err = maxDiff(r.fd, exact);
      if (REPORT) console.log(kind, 'cell direct term', JSON.stringify({ t: r.t, err, tol, exact }));
      expect(err, `cell direct term vs 5-point FD at t = ${r.t}`).toBeLessThan(tol);
      tf.dispose([x, w, hnet, a, g, D]);
      for (const v of [...cell.parameters().general, ...cell.parameters().response]) v.dispose();
    });
  }

  for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
    test(`${kind} genotype network (one op per edge): the gradient w.r.t. the α rows is exactly 0`, () => {
      const rng = new Rng(54);
      const genotype = randomGenotype(kind, 2, rng);
      const { space, model } = genotypeNetwork(genotype, { width: kind === 'mlp-cell' ? 6 : 2, classes: 5, rng });
      randomBottlenecks(model, rng, 0.5);
      expect(model.readsHyper).toBe(true);
      const B = 3;
      const x = tf.tensor(Float32Array.from({ length: B * 784 }, () => rng.uniform()), kind === 'mlp-cell' ? [B, 784] : [B, 28, 28, 1]);
      const y = tf.tensor1d([0, 3, 4], 'int32');
      const a = tf.tensor2d(randRows(B, space.h, rng, 2));
      const hnet = randn([B, space.h], rng, 0.5) as tf.Tensor2D;
      const g = tf.grad((av: tf.Tensor) => oneHotCrossEntropy(model.forward(x, { hnet, masks: new Map(), hyper: av as tf.Tensor2D }), y))(a);
      // softmax of one logit is exactly 1 and its gradient s(ȳ − sȳ) is exactly 0.
      expect(values(g).every((v) => v === 0)).toBe(true);
      // … while the loss does depend on h_net (the network is not trivially constant).
      const gh = tf.grad((hn: tf.Tensor) => oneHotCrossEntropy(model.forward(x, { hnet: hn as tf.Tensor2D, masks: new Map(), hyper: a }), y))(hnet);
      expect(maxAbs(values(gh))).toBeGreaterThan(0);
      tf.dispose([x, y, a, hnet, g, gh]);
      model.dispose();
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// 7. Genotypes
// ---------------------------------------------------------------------------------------------------------

/** Valid genotype of the given shape: edges in cellEdges order, ops non-zero ops of the space or null, `keep` per node. */
function expectValid(g: Genotype, kind: CellSpaceKind, nodes: number, keep?: number): void {
  expect(g.kind).toBe(kind);
  expect(g.nodes).toBe(nodes);
  expect(g.edges.map((e) => [e.from, e.to])).toEqual(cellEdges(nodes));
  const ops = spaceOps(kind).filter((o) => o !== 'zero');
  for (const e of g.edges) if (e.op !== null) expect(ops).toContain(e.op);
  for (let j = 1; j <= nodes; j++) expect(g.edges.filter((e) => e.to === j && e.op !== null).length).toBe(keep === undefined ? Math.min(2, j) : Math.min(keep, j));
}

describe('deriveGenotype', () => {
  const kind = 'mlp-cell';
  const ops = MLP_OPS;
  const space3 = new HyperSpace(cellSpaceSpecs(kind, 3));
  /** λ from per-edge logit lists in cellEdges order (ops order dense-relu, dense-tanh, identity, zero). */
  const lambdaOf = (perEdge: number[][]): number[] => perEdge.flat();

  test('each edge keeps its argmax non-zero op, even when zero has the largest logit', () => {
    const space = new HyperSpace(cellSpaceSpecs(kind, 2));
    const lambda = lambdaOf([
      [0.1, 0.3, 0.2, 5], // zero dominates: dense-tanh
      [2, -1, 1.9, 0], // dense-relu
      [-3, -2, -1, 0.5], // identity
    ]);
    const g = deriveGenotype(kind, 2, space, lambda);
    expect(g.edges.map((e) => e.op)).toEqual(['dense-tanh', 'dense-relu', 'identity']);
    expectValid(g, kind, 2);
    // Ties go to the earlier op.
    const tie = deriveGenotype(kind, 2, space, lambdaOf([[1, 1, 1, 1], [0, 2, 2, 0], [0, 0, 0, 0]]));
    expect(tie.edges.map((e) => e.op)).toEqual(['dense-relu', 'dense-tanh', 'dense-relu']);
    expect(thrown(() => deriveGenotype(kind, 2, space, lambda.slice(1))).argument).toBe('lambda');
  });

  test('each node keeps its top-`keep` incoming edges by softmax weight (nodes = 3, keep = 1 and 2)', () => {
    // Edges in order: e01, e02, e12, e03, e13, e23. Chosen-op weights (softmax of the edge's 4 logits):
    //   e01 [0,0,0,0] → 0.25; e02 [1,0,0,0] → e/(e+3) ≈ 0.475; e12 [5,5,5,5] → 0.25 (a large raw logit, low weight);
    //   e03 [3,0,0,0] → 0.87; e13 [0,2,0,0] → 0.71; e23 [9,9,9,9] → 0.25.
    const lambda = lambdaOf([
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [5, 5, 5, 5],
      [3, 0, 0, 0],
      [0, 2, 0, 0],
      [9, 9, 9, 9],
    ]);
    const ops1 = deriveGenotype(kind, 3, space3, lambda, 1).edges.map((e) => e.op);
    expect(ops1).toEqual(['dense-relu', 'dense-relu', null, 'dense-relu', null, null]);
    const ops2 = deriveGenotype(kind, 3, space3, lambda, 2).edges.map((e) => e.op);
    expect(ops2).toEqual(['dense-relu', 'dense-relu', 'dense-relu', 'dense-relu', 'dense-tanh', null]);
    // The default keep is min(2, j): as keep = 2 here.
    expect(deriveGenotype(kind, 3, space3, lambda).edges.map((e) => e.op)).toEqual(ops2);
    expectValid(deriveGenotype(kind, 3, space3, lambda, 1), kind, 3, 1);
  });

  test('random logits: the float64 rule (argmax non-zero op, top-keep by its softmax weight), always valid', () => {
    const rng = new Rng(71);
    for (let trial = 0; trial < 50; trial++) {
      const lambda = randRows(1, space3.h, rng, 2)[0];
      for (const keep of [1, 2, 3]) {
        const g = deriveGenotype(kind, 3, space3, lambda, keep);
        expectValid(g, kind, 3, keep);
        const chosen = cellEdges(3).map(([i, j], e) => {
          const logits = ops.map((_, k) => lambda[e * ops.length + k]);
          const w = softmax64(logits);
          const best = [0, 1, 2].reduce((b, k) => (logits[k] > logits[b] ? k : b), 0);
          return { to: j, from: i, op: ops[best], weight: w[best] };
        });
        chosen.forEach((c, e) => {
          const rivals = chosen.filter((d) => d.to === c.to);
          const rank = rivals.filter((d) => d.weight > c.weight).length;
          if (g.edges[e].op !== null) {
            expect(g.edges[e].op).toBe(c.op);
            expect(rank).toBeLessThan(keep);
          } else expect(rank).toBeGreaterThanOrEqual(keep); // (random logits: no ties)
        });
      }
    }
  });
});

describe('randomGenotype', () => {
  test('seeded: the same seed gives the same genotype, different seeds differ; always valid', () => {
    for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
      for (const seed of [1, 2, 3]) expect(randomGenotype(kind, 3, new Rng(seed))).toEqual(randomGenotype(kind, 3, new Rng(seed)));
      const draws = [1, 2, 3, 4, 5].map((seed) => JSON.stringify(randomGenotype(kind, 3, new Rng(seed))));
      expect(new Set(draws).size).toBeGreaterThan(1);
      const rng = new Rng(72);
      for (let i = 0; i < 100; i++) {
        const nodes = 1 + (i % 4);
        const keep = i % 3 === 0 ? undefined : 1 + (i % 3);
        expectValid(randomGenotype(kind, nodes, rng, keep), kind, nodes, keep);
      }
    }
  });

  test('over 2000 draws each op and each kept subset is about uniform (chi-square)', () => {
    // χ² with df ≤ 3: P(χ² > 25) < 2e-5; the seeds are fixed, so this is a check for a gross bias (an op never
    // drawn, the last edge never kept), not a statistical test at a stated level.
    const CHI2_BOUND = 25;
    const chi2 = (counts: number[]): number => {
      const n = counts.reduce((a, b) => a + b, 0);
      const e = n / counts.length;
      return counts.reduce((acc, c) => acc + ((c - e) * (c - e)) / e, 0);
    };
    for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
      const ops = spaceOps(kind).filter((o) => o !== 'zero');
      const rng = new Rng(kind === 'mlp-cell' ? 73 : 74);
      const opCounts = new Map<OpName, number>(ops.map((o) => [o, 0]));
      const keptOfNode3 = [0, 0, 0]; // e03, e13, e23 (node 3 keeps 2 of 3)
      for (let i = 0; i < 2000; i++) {
        const g = randomGenotype(kind, 3, rng);
        for (const e of g.edges) if (e.op !== null) opCounts.set(e.op, (opCounts.get(e.op) ?? 0) + 1);
        g.edges.filter((e) => e.to === 3).forEach((e, k) => {
          if (e.op !== null) keptOfNode3[k]++;
        });
      }
      const c1 = chi2([...opCounts.values()]);
      const c2 = chi2(keptOfNode3);
      if (REPORT) console.log(kind, 'op counts', JSON.stringify([...opCounts]), 'χ²', c1, 'node-3 kept', keptOfNode3, 'χ²', c2);
      expect(c1).toBeLessThan(CHI2_BOUND);
      expect(c2).toBeLessThan(CHI2_BOUND);
    }
  });
});

describe('genotypeNetwork', () => {
  const parametric = new Set<OpName>(['dense-relu', 'dense-tanh', 'conv3x3', 'conv5x5']);

  test('its parameters are the kept parametric ops\' layers plus stem and head; it runs', () => {
    const rng = new Rng(81);
    const genotypes: Genotype[] = [
      { kind: 'mlp-cell', nodes: 2, edges: [{ from: 0, to: 1, op: 'dense-relu' }, { from: 0, to: 2, op: 'identity' }, { from: 1, to: 2, op: 'dense-tanh' }] },
      { kind: 'cnn-cell', nodes: 2, edges: [{ from: 0, to: 1, op: 'conv5x5' }, { from: 0, to: 2, op: 'maxpool3x3' }, { from: 1, to: 2, op: 'identity' }] },
      randomGenotype('cnn-cell', 3, new Rng(5)),
      deriveGenotype('mlp-cell', 3, new HyperSpace(cellSpaceSpecs('mlp-cell', 3)), randRows(1, 24, rng, 1)[0], 1),
    ];
    for (const g of genotypes) {
      const kept = g.edges.filter((e) => e.op !== null && parametric.has(e.op)).length;
      const width = g.kind === 'mlp-cell' ? 6 : 2;
      const { space, model } = genotypeNetwork(g, { width, classes: 4, rng });
      expect(space.h).toBe(cellSpaceSpecs(g.kind, g.nodes).length);
      const { general, response } = model.parameters();
      expect(general.length).toBe(2 * (kept + 2));
      expect(response.length).toBe(4 * (kept + 2));
      // The kept convolutions have their kernel size; the head sees 7·7·C (CNN) or W (MLP) inputs.
      const kernels = general.filter((v) => v.shape.length === 4).map((v) => v.shape[0]);
      const expectedKernels = [3, ...g.edges.filter((e) => e.op === 'conv3x3' || e.op === 'conv5x5').map((e) => (e.op === 'conv3x3' ? 3 : 5))];
      expect(g.kind === 'cnn-cell' ? kernels : []).toEqual(g.kind === 'cnn-cell' ? expectedKernels : []);
      const B = 2;
      const x = tf.zeros(g.kind === 'mlp-cell' ? [B, 784] : [B, 28, 28, 1]);
      const hyper = tf.zeros([1, space.h]) as tf.Tensor2D;
      const out = model.forward(x, { hnet: null, masks: new Map(), hyper });
      expect(out.shape).toEqual([B, 4]);
      tf.dispose([x, hyper, out]);
      model.dispose();
    }
  });

  test('a bad genotype is a typed error naming genotype.edges…', () => {
    const rng = new Rng(82);
    const good: Genotype = { kind: 'mlp-cell', nodes: 2, edges: [{ from: 0, to: 1, op: 'dense-relu' }, { from: 0, to: 2, op: 'identity' }, { from: 1, to: 2, op: 'dense-tanh' }] };
    const bad: [Genotype, string][] = [
      [{ ...good, edges: good.edges.slice(0, 2) }, 'genotype.edges'],
      [{ ...good, nodes: 3 }, 'genotype.edges'],
      [{ ...good, edges: [good.edges[0], { from: 0, to: 2, op: 'zero' }, good.edges[2]] }, 'genotype.edges[1].op'],
      [{ ...good, edges: [good.edges[0], good.edges[1], { from: 1, to: 2, op: 'conv3x3' }] }, 'genotype.edges[2].op'],
      [{ kind: 'cnn-cell', nodes: 2, edges: [{ from: 0, to: 1, op: 'dense-relu' }, { from: 0, to: 2, op: 'identity' }, { from: 1, to: 2, op: 'conv3x3' }] }, 'genotype.edges[0].op'],
      [{ ...good, edges: [good.edges[1], good.edges[0], good.edges[2]] }, 'genotype.edges[0]'],
    ];
    const before = tf.memory().numTensors;
    for (const [g, argument] of bad) {
      const err = thrown(() => genotypeNetwork(g, { width: 6, classes: 4, rng }));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.argument).toBe(argument);
    }
    expect(tf.memory().numTensors).toBe(before); // nothing was built
  });
});

// ---------------------------------------------------------------------------------------------------------
// 8. ctx.hyper errors
// ---------------------------------------------------------------------------------------------------------

describe('a cell model needs ctx.hyper', () => {
  test('missing or wrong-shaped hyper is a typed error naming ctx.hyper (forward and tangent)', () => {
    const s = searchSetup('mlp-cell', 91, 3);
    const { model, space, x } = s;
    expect(model.readsHyper).toBe(true);
    const masks = new Map<number, tf.Tensor>();
    const eps = tf.zeros([3, space.h]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    expect(thrown(() => model.forward(x, { hnet: null, masks })).argument).toBe('ctx.hyper');
    expect(thrown(() => model.forward(x, { hnet: null, masks, hyper: null })).argument).toBe('ctx.hyper');
    expect(thrown(() => model.tangent(x, masks, eps)).argument).toBe('ctx.hyper');
    for (const shape of [[2, space.h], [1, space.h + 1], [3, space.h - 1], [4, space.h]] as [number, number][]) {
      const bad = tf.zeros(shape) as tf.Tensor2D;
      expect(thrown(() => model.forward(x, { hnet: null, masks, hyper: bad })).argument, JSON.stringify(shape)).toBe('ctx.hyper');
      expect(thrown(() => model.tangent(x, masks, eps, bad)).argument).toBe('ctx.hyper');
      bad.dispose();
    }
    const flat = tf.zeros([space.h]) as unknown as tf.Tensor2D;
    expect(thrown(() => model.forward(x, { hnet: null, masks, hyper: flat })).argument).toBe('ctx.hyper');
    flat.dispose();
    expect(tf.memory().numTensors).toBe(before); // tidy cleans up after the throw
    // [1, h] and [B, h] are both accepted.
    for (const rows of [1, 3]) {
      const ok = tf.zeros([rows, space.h]) as tf.Tensor2D;
      tf.dispose(model.forward(x, { hnet: null, masks, hyper: ok }));
      ok.dispose();
    }
    eps.dispose();
    disposeSetup(s);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 9. Memory
// ---------------------------------------------------------------------------------------------------------

describe('no tensor leaks', () => {
  for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
    test(`${kind}: edgeWeights, maxPool3x3Same, cell apply/tangent, model forward/tangent and the direct-term gradient`, () => {
      const s = searchSetup(kind, 95, 2);
      const { model, space, x, y, B } = s;
      const rng = new Rng(96);
      const hyper = tf.tensor2d(randRows(B, space.h, rng));
      const eps = randn([B, space.h], rng, 0.5) as tf.Tensor2D;
      const masks = new Map<number, tf.Tensor>();
      const cellBlock = model.blocks.find((b) => b.kind === 'cell');
      if (!cellBlock || cellBlock.kind !== 'cell') throw new Error('no cell block');
      const cell = cellBlock.cell as MixedCell;
      const cx = kind === 'mlp-cell' ? randn([B, 6], rng) : randn([B, 14, 14, 2], rng);
      const p4 = randn([B, 5, 5, 2], rng) as tf.Tensor4D;
      const start = tf.memory().numTensors;
      for (let r = 0; r < 3; r++) {
        tf.dispose([
          edgeWeights(hyper, cell.edges[0].hypers),
          ...(maxPool3x3Same(p4, p4).filter((t): t is tf.Tensor4D => t !== null)),
          cell.apply(cx, eps, hyper),
          ...cell.tangent(cx, null, eps, hyper),
          ...cell.tangent(cx, cx, eps, hyper),
          model.forward(x, { hnet: eps, masks, hyper }),
          ...model.tangent(x, masks, eps, hyper),
        ]);
        const { value, grads } = tf.valueAndGrads((hn: tf.Tensor, a: tf.Tensor) => oneHotCrossEntropy(model.forward(x, { hnet: hn as tf.Tensor2D, masks, hyper: a as tf.Tensor2D }), y))([eps, hyper]);
        tf.dispose([value, ...grads]);
        expect(tf.memory().numTensors).toBe(start);
      }
      tf.dispose([hyper, eps, cx, p4]);
      disposeSetup(s);
    });
  }

  test('building and disposing search models leaves nothing behind', () => {
    const before = tf.memory().numTensors;
    for (const kind of ['mlp-cell', 'cnn-cell'] as const) {
      const { model } = cellSearchSpace({ kind, width: kind === 'mlp-cell' ? 6 : 2, classes: 4, rng: new Rng(97) });
      model.dispose();
      const { model: gm } = genotypeNetwork(randomGenotype(kind, 2, new Rng(98)), { width: kind === 'mlp-cell' ? 6 : 2, classes: 4, rng: new Rng(99) });
      gm.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
