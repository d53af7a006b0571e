/**
 * The networks of the cell search spaces: the one-shot search model (every edge mixes every operation) and the
 * network of a discrete architecture, each a stem, one cell (src/nas/cell.ts: {@link MixedCell}) and a
 * classifier. The import runs one way: src/nn/models.ts knows a cell only as a block (src/nn/cells.ts
 * `CellBlock`), cell.ts knows nothing of networks, and this module builds networks from both.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import { HyperSpace } from '../nn/hyper.js';
import { StnConv2d, StnDense } from '../nn/layers.js';
import { StnNetwork, type Block } from '../nn/models.js';
import { makeCandidate } from './candidates.js';
import { MixedCell, type MixedEdge } from './cell.js';
import { cellSpaceSpecs } from './genotype.js';
import { cellEdges, edgeName, spaceOps, type CellSpaceKind, type Genotype, type OpName } from './space.js';

export interface CellSpaceOptions {
  kind: CellSpaceKind;
  /** Intermediate nodes N (default 2: edges 0→1, 0→2, 1→2). */
  nodes?: number;
  /** Hidden width (MLP, default 128) or channels (CNN, default 8). */
  width?: number;
  /** Initial σ of the architecture logits (default 0.5, `architectureSpecs`). */
  scale?: number;
  classes?: number;
  rng: Rng;
}

/**
 * Builds the stem, the cell and the classifier around a cell whose edge e has the candidates `edgeOps(e)`.
 * MLP: input → dense(784→W) → ReLU → cell → dense(W→classes). CNN: conv 3×3 (1→C) → ReLU → pool → cell →
 * pool → flatten → dense(7·7·C→classes).
 */
function cellNetwork(options: CellSpaceOptions, space: HyperSpace, edgeOps: (from: number, to: number) => readonly OpName[]): StnNetwork {
  const { kind, rng } = options;
  const nodes = options.nodes ?? 2;
  const classes = options.classes ?? 10;
  const h = space.h;
  const width = options.width ?? (kind === 'mlp-cell' ? 128 : 8);
  if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError('width', 'an integer ≥ 1', width);
  const edges: MixedEdge[] = [];
  for (const [i, j] of cellEdges(nodes)) {
    const ops = edgeOps(i, j);
    if (ops.length === 0) continue;
    const group = edgeName(i, j);
    edges.push({
      from: i,
      to: j,
      group,
      candidates: ops.map((op) => makeCandidate(op, width, { hyperDim: h, rng, name: group })),
      hypers: ops.map((op) => space.index(`${group}/${op}`)),
    });
  }
  const cell = new MixedCell(nodes, edges);
  if (kind === 'mlp-cell') {
    const blocks: Block[] = [
      { kind: 'layer', layer: new StnDense(784, width, { hyperDim: h, rng, name: 'stem', inputIsData: true }) },
      { kind: 'relu' },
      { kind: 'cell', cell },
      { kind: 'layer', layer: new StnDense(width, classes, { hyperDim: h, rng, name: 'head' }) },
    ];
    return new StnNetwork(kind, blocks, [784], h);
  }
  const blocks: Block[] = [
    { kind: 'layer', layer: new StnConv2d(1, width, 3, { hyperDim: h, rng, pad: 1, name: 'stem', inputIsData: true }) },
    { kind: 'relu' },
    { kind: 'pool' },
    { kind: 'cell', cell },
    { kind: 'pool' },
    { kind: 'flatten' },
    { kind: 'layer', layer: new StnDense(7 * 7 * width, classes, { hyperDim: h, rng, name: 'head' }) },
  ];
  return new StnNetwork(kind, blocks, [28, 28, 1], h);
}

/**
 * The one-shot search model of a space (every edge mixes every operation) and its hyperparameter space (the
 * architecture logits only, init 0: the uniform mixture).
 */
export function cellSearchSpace(options: CellSpaceOptions): { space: HyperSpace; model: StnNetwork } {
  const ops = spaceOps(options.kind);
  const space = new HyperSpace(cellSpaceSpecs(options.kind, options.nodes ?? 2, options.scale === undefined ? {} : { scale: options.scale }));
  return { space, model: cellNetwork(options, space, () => ops) };
}

/**
 * The network of a discrete architecture, to be retrained from scratch with fixed hyperparameters: each kept
 * edge has its one operation (softmax over one logit = 1), dropped edges are absent. It uses the same space
 * as the search model, so a {@link Trainer} with method `fixed` trains it unchanged.
 */
export function genotypeNetwork(genotype: Genotype, options: Omit<CellSpaceOptions, 'kind' | 'nodes'>): { space: HyperSpace; model: StnNetwork } {
  checkGenotype(genotype);
  const space = new HyperSpace(cellSpaceSpecs(genotype.kind, genotype.nodes));
  const opOf = new Map(genotype.edges.map((e) => [edgeName(e.from, e.to), e.op]));
  const model = cellNetwork({ ...options, kind: genotype.kind, nodes: genotype.nodes }, space, (i, j) => {
    const op = opOf.get(edgeName(i, j));
    return op ? [op] : [];
  });
  return { space, model };
}

function checkGenotype(g: Genotype): void {
  const ops = spaceOps(g.kind);
  const edges = cellEdges(g.nodes);
  if (!Array.isArray(g.edges) || g.edges.length !== edges.length) throw new InvalidArgumentError('genotype.edges', `${edges.length} edges (an ${g.nodes}-node cell)`, Array.isArray(g.edges) ? g.edges.length : g.edges);
  g.edges.forEach((e, k) => {
    if (e.from !== edges[k][0] || e.to !== edges[k][1]) throw new InvalidArgumentError(`genotype.edges[${k}]`, `edge ${edges[k][0]}→${edges[k][1]}`, `${e.from}→${e.to}`);
    if (e.op !== null && (e.op === 'zero' || !ops.includes(e.op))) throw new InvalidArgumentError(`genotype.edges[${k}].op`, `null or one of ${ops.filter((o) => o !== 'zero').join(', ')}`, e.op);
  });
}

