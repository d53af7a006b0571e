/**
 * The architecture hyperparameters of a cell search space (one softmax group per edge, one logit per operation),
 * DARTS's discretization of the logits into a discrete architecture (genotype), and uniformly random genotypes
 * of the same shape (the random-search baseline).
 */
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import { architectureSpecs, type HyperSpace, type HyperparameterSpec, type SpecOverrides } from '../nn/hyper.js';
import { cellEdges, edgeName, spaceOps, type CellSpaceKind, type Genotype, type OpName } from './space.js';

/** The architecture-weight specs of a space: one group per edge, one logit per operation. */
export function cellSpaceSpecs(kind: CellSpaceKind, nodes = 2, overrides: SpecOverrides = {}): HyperparameterSpec[] {
  const ops = spaceOps(kind);
  return cellEdges(nodes).flatMap(([i, j]) => architectureSpecs(edgeName(i, j), ops, overrides));
}

/**
 * DARTS's discretization: on each edge, the non-zero operation with the largest softmax weight; then for each
 * node j, the `keep` incoming edges (default min(2, j)) whose chosen operations weigh most. Ties go to the
 * earlier operation / edge. `lambda` holds the architecture logits (the space's λ).
 */
export function deriveGenotype(kind: CellSpaceKind, nodes: number, space: HyperSpace, lambda: readonly number[], keep?: number): Genotype {
  const ops = spaceOps(kind);
  if (!Array.isArray(lambda) || lambda.length !== space.h) throw new InvalidArgumentError('lambda', `${space.h} logits`, Array.isArray(lambda) ? lambda.length : lambda);
  const chosen = cellEdges(nodes).map(([i, j]) => {
    const logits = ops.map((op) => lambda[space.index(`${edgeName(i, j)}/${op}`)]);
    const top = Math.max(...logits);
    const z = logits.reduce((s, a) => s + Math.exp(a - top), 0);
    let best = -1;
    ops.forEach((op, k) => {
      if (op !== 'zero' && (best < 0 || logits[k] > logits[best])) best = k;
    });
    return { from: i, to: j, op: ops[best], weight: Math.exp(logits[best] - top) / z };
  });
  const edges = chosen.map((e) => ({ from: e.from, to: e.to, op: e.op as OpName | null }));
  for (let j = 1; j <= nodes; j++) {
    const k = keep ?? Math.min(2, j);
    const incoming = chosen.map((e, idx) => ({ ...e, idx })).filter((e) => e.to === j);
    const ranked = [...incoming].sort((a, b) => b.weight - a.weight || a.idx - b.idx);
    for (const e of ranked.slice(k)) edges[e.idx].op = null;
  }
  return { kind, nodes, edges };
}

/**
 * A uniformly random architecture of the same shape as {@link deriveGenotype}'s: each edge a uniform non-zero
 * operation, each node j a uniform subset of min(2, j) (or `keep`) incoming edges. Seeded.
 */
export function randomGenotype(kind: CellSpaceKind, nodes: number, rng: Rng, keep?: number): Genotype {
  const ops = spaceOps(kind).filter((o) => o !== 'zero');
  const edges = cellEdges(nodes).map(([i, j]) => ({ from: i, to: j, op: ops[rng.int(0, ops.length - 1)] as OpName | null }));
  for (let j = 1; j <= nodes; j++) {
    const k = keep ?? Math.min(2, j);
    const incoming = edges.map((e, idx) => ({ e, idx })).filter((x) => x.e.to === j);
    // A seeded Fisher–Yates shuffle; the first k survive.
    for (let a = incoming.length - 1; a > 0; a--) {
      const b = rng.int(0, a);
      [incoming[a], incoming[b]] = [incoming[b], incoming[a]];
    }
    for (const x of incoming.slice(k)) edges[x.idx].op = null;
  }
  return { kind, nodes, edges };
}
