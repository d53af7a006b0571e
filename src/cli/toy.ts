/**
 * `deltastn toy <ridge|jacobian|conditioning|interaction> [--data FILE.json] [--method M]... [--sigma S]
 * [--seed S] [--out DIR] [--json]`: runs one toy experiment, writes `<out>/<toy>.json` and its SVG plot(s),
 * and prints a short table (or the JSON with --json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { RegressionData } from '../bilevel/families.js';
import { interactionExperiment } from '../bilevel/experiments/interaction.js';
import { plotInteractionExperiment, plotRidgeExperiment } from '../bilevel/experiments/plots.js';
import { RIDGE_METHODS, ridgeExperiment, type RidgeMethodName } from '../bilevel/experiments/ridge.js';
import { asObject, readJsonInput } from './io.js';
import { renderTable } from './table.js';

/** Parsed options of `toy`. */
export interface ToyOptions {
  data?: string;
  methods: string[];
  sigma?: number;
  seed: number;
  out: string;
  json: boolean;
}

/** What a toy produces: JSON-ready data, plots, and a table for the terminal. */
export interface ToyOutput {
  data: unknown;
  plots: { name: string; svg: string }[];
  table: string;
}

type Toy = (o: ToyOptions) => ToyOutput;

/** Reads {Xtrain, ytrain, Xval, yval} from --data; the family's own checks name bad fields. */
export function readRegressionData(path: string): RegressionData {
  const raw = asObject(readJsonInput(path), '--data');
  for (const key of ['Xtrain', 'ytrain', 'Xval', 'yval']) {
    if (!(key in raw)) throw new InvalidArgumentError(key, `a field "${key}" in the --data file`, 'nothing');
  }
  return raw as unknown as RegressionData;
}

function ridgeToy(o: ToyOptions): ToyOutput {
  const methods = o.methods.length > 0 ? o.methods : [...RIDGE_METHODS];
  for (const m of methods) if (!(RIDGE_METHODS as readonly string[]).includes(m)) throw new InvalidArgumentError('--method', `one of ${RIDGE_METHODS.join(', ')}`, m);
  const result = ridgeExperiment({ data: o.data ? readRegressionData(o.data) : undefined, methods: methods as RidgeMethodName[], scale: o.sigma });
  const rows = result.methods.map((m) => {
    const online = result.online.find((r) => r.method === m.method);
    return [m.method, m.finalLambda.toFixed(10), m.distanceToLambdaStar.toExponential(2), online ? online.finalLambda.toFixed(10) : '-', online ? online.distanceToLambdaStar.toExponential(2) : '-'];
  });
  const table =
    `λ* = ${result.lambdaStar.toFixed(10)} (L_V = ${result.valLossStar.toFixed(10)}), σ = ${result.scale}\n` +
    renderTable(['method', 'fixed point λ̂', '|λ̂ − λ*|', 'online final λ', '|online − λ*|'], rows);
  return { data: result, plots: plotRidgeExperiment(result).map((svg, i) => ({ name: i === 0 ? 'ridge.svg' : 'ridge-online.svg', svg })), table };
}

function interactionToy(o: ToyOptions): ToyOutput {
  const result = interactionExperiment({ data: o.data ? readRegressionData(o.data) : undefined, scale: o.sigma });
  const rows = result.runs.map((r) => [r.variant, String(r.start), String(r.hyperRate), r.finalLambda.toFixed(5), r.overshoot.toFixed(4), r.largestJump.toFixed(4), String(r.reversals), r.negativeAlignment.toFixed(2), r.stopped ? 'stopped' : '']);
  const table = renderTable(['variant', 'start', 'α2', 'final λ', 'overshoot', 'largest jump', 'reversals', 'frac align<0', ''], rows);
  return { data: result, plots: plotInteractionExperiment(result).map((svg, i) => ({ name: `interaction-${i + 1}.svg`, svg })), table };
}

/** The toys, by name. */
export const toys: Record<string, Toy> = {
  ridge: ridgeToy,
  interaction: interactionToy,
};

/** Runs toy `name`, writes its files under `o.out`, and returns what to print. */
export function toyCommand(name: string, o: ToyOptions): { text: string; files: string[] } {
  const toy = toys[name];
  if (!toy) throw new InvalidArgumentError('toy', `one of ${Object.keys(toys).join(', ')}`, name);
  const output = toy(o);
  mkdirSync(o.out, { recursive: true });
  const files = [join(o.out, `${name}.json`), ...output.plots.map((p) => join(o.out, p.name))];
  writeFileSync(files[0], JSON.stringify(output.data, null, 2) + '\n');
  output.plots.forEach((p, i) => writeFileSync(files[i + 1], p.svg));
  return { text: o.json ? JSON.stringify(output.data, null, 2) : `${output.table}\n\nwrote ${files.join(', ')}`, files };
}
