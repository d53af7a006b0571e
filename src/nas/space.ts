/**
 * The vocabulary of the DARTS search spaces, without TensorFlow.js (browser pages and summaries import it
 * without loading tfjs): the operation names, the two spaces, the edges of an N-node cell and their names,
 * and the discrete architecture (genotype). The cells are in src/nas/cell.ts, their candidate operations in candidates.ts, the networks in networks.ts.
 */
import { InvalidArgumentError } from '../errors.js';

/** The operations of MLP cells. */
export const MLP_OPS = ['dense-relu', 'dense-tanh', 'identity', 'zero'] as const;
/** The operations of CNN cells. */
export const CNN_OPS = ['conv3x3', 'conv5x5', 'maxpool3x3', 'identity', 'zero'] as const;
/** Every candidate operation. */
export type OpName = (typeof MLP_OPS)[number] | (typeof CNN_OPS)[number];

/** The two built-in search spaces. */
export type CellSpaceKind = 'mlp-cell' | 'cnn-cell';
export const CELL_SPACES: readonly CellSpaceKind[] = ['mlp-cell', 'cnn-cell'];

/** The operations of a space. */
export function spaceOps(kind: CellSpaceKind): readonly OpName[] {
  if (kind === 'mlp-cell') return MLP_OPS;
  if (kind === 'cnn-cell') return CNN_OPS;
  throw new InvalidArgumentError('kind', CELL_SPACES.join(' | '), kind);
}

/** The edges (from, to) of an N-node cell, in a fixed order: by target, then by source. */
export function cellEdges(nodes: number): [number, number][] {
  if (!Number.isInteger(nodes) || nodes < 1) throw new InvalidArgumentError('nodes', 'an integer ≥ 1', nodes);
  const out: [number, number][] = [];
  for (let j = 1; j <= nodes; j++) for (let i = 0; i < j; i++) out.push([i, j]);
  return out;
}

/** The softmax group name of edge i → j. */
export function edgeName(from: number, to: number): string {
  return `e${from}${to}`;
}

/** A discrete architecture: the operation kept on each edge of the cell (null = the edge is dropped). */
export interface Genotype {
  kind: CellSpaceKind;
  nodes: number;
  /** One entry per edge of {@link cellEdges}, in that order. */
  edges: { from: number; to: number; op: OpName | null }[];
}

/** "e01:dense-relu e02:identity e12:-" (a dropped edge is "-"). */
export function genotypeText(g: Genotype): string {
  return g.edges.map((e) => `${edgeName(e.from, e.to)}:${e.op ?? '-'}`).join(' ');
}

