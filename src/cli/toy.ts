/**
 * `deltastn toy <ridge|jacobian|conditioning|interaction|nas> [--data FILE.json] [--method M]... [--sigma S]
 * [--seed S] [--out DIR] [--json]`: runs one toy experiment, writes `<out>/<toy>.json` and its SVG plot(s),
 * and prints a short table (or the JSON with --json).
 */
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { checkOutputDirectory, createOutputDirectory, writeFileAtomic } from '../stateFiles.js';
import type { RegressionData } from '../bilevel/families.js';
import { conditioningExperiment, plotConditioningExperiment } from '../experiments/conditioning.js';
import { interactionExperiment } from '../experiments/interaction.js';
import { nasExperiment, plotNasExperiment } from '../experiments/nas.js';
import { JACOBIAN_METHODS, jacobianExperiment, plotJacobianExperiment } from '../experiments/jacobian.js';
import { plotInteractionExperiment, plotRidgeExperiment } from '../experiments/plots.js';
import { RIDGE_METHODS, ridgeExperiment, type RidgeMethodName } from '../experiments/ridge.js';
import { asObject, readJsonInput } from './io.js';
import { renderTable } from './table.js';
import { parseCommand, type CommandSpec } from './options.js';

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

/** The options each toy reads (besides --seed, --out and --json); any other option given is an error, never ignored. */
export const TOY_OPTIONS: Record<string, readonly ('data' | 'method' | 'sigma')[]> = {
  ridge: ['data', 'method', 'sigma'],
  jacobian: ['method', 'sigma'],
  conditioning: ['sigma'],
  interaction: ['data', 'sigma'],
  nas: ['sigma'],
};

/** Reads {Xtrain, ytrain, Xval, yval} from --data; errors name `--data` (and the field); the family's own checks name bad values. */
export function readRegressionData(path: string): RegressionData {
  const raw = asObject(readJsonInput(path, '--data'), '--data');
  for (const key of ['Xtrain', 'ytrain', 'Xval', 'yval']) {
    if (!(key in raw)) throw new InvalidArgumentError(`--data.${key}`, `a field "${key}" in the --data file`, 'nothing');
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

function jacobianToy(o: ToyOptions): ToyOutput {
  for (const m of o.methods) if (!(JACOBIAN_METHODS as readonly string[]).includes(m)) throw new InvalidArgumentError('--method', `one of ${JACOBIAN_METHODS.join(', ')}`, m);
  const result = jacobianExperiment({ scales: o.sigma === undefined ? undefined : [o.sigma] });
  const keep = (method: string): boolean => o.methods.length === 0 || o.methods.includes(method);
  const rows = result.problems.flatMap((p) => {
    // One row per (problem, method) at the σ closest to 0.5 (or the only σ given).
    const target = o.sigma ?? 0.5;
    const scale = result.scales.reduce((best, s) => (Math.abs(s - target) < Math.abs(best - target) ? s : best), result.scales[0]);
    return p.rows.filter((r) => r.scale === scale && keep(r.method)).map((r) => [p.name, String(+scale.toPrecision(4)), r.method, r.errorToExact.toExponential(3), r.errorToGaussNewton.toExponential(3)]);
  });
  const table = renderTable(['problem', 'σ', 'method', '‖Θ − J*‖', '‖Θ − J*_GN‖'], rows);
  return { data: result, plots: plotJacobianExperiment(result).map((svg, i) => ({ name: `jacobian-${result.problems[i].name}.svg`, svg })), table };
}

function conditioningToy(o: ToyOptions): ToyOutput {
  const result = conditioningExperiment({ scale: o.sigma });
  const rows = result.rows.map((r) => [
    String(r.ratio),
    r.uncentered.conditionNumber.toPrecision(4),
    r.centered.conditionNumber.toPrecision(4),
    `${r.uncentered.iterations}${r.uncentered.converged ? '' : ' (cap)'}`,
    String(r.uncentered.predictedBound),
    `${r.centered.iterations}${r.centered.converged ? '' : ' (cap)'}`,
    String(r.centered.predictedBound),
  ]);
  const table = renderTable(['r = |λ0|/σ', 'κ uncentered', 'κ centered', 'GD iters uncentered', 'bound', 'GD iters centered', 'bound'], rows);
  return { data: result, plots: [{ name: 'conditioning.svg', svg: plotConditioningExperiment(result) }], table };
}

function nasToy(o: ToyOptions): ToyOutput {
  const result = nasExperiment({ scale: o.sigma });
  const rows = result.runs.map((r) => [r.method, r.finalDelta.toFixed(10), r.distanceToExact.toExponential(2), r.finalValLoss.toFixed(10), `${r.iterations}${r.converged ? '' : ' (cap)'}`]);
  const table =
    `exact δ* = ${result.exact.delta.toFixed(10)} (L_V = ${result.exact.valLoss.toFixed(10)}), ξ = ${result.xi}, σ = ${result.scale}\n` +
    renderTable(['method', 'final δ = α₀ − α₁', '|δ − δ*|', 'L_V(α, w*(α))', 'steps'], rows);
  return { data: result, plots: plotNasExperiment(result).map((svg, i) => ({ name: i === 0 ? 'nas.svg' : 'nas-landscape.svg', svg })), table };
}

/** The toys, by name. */
export const toys: Record<string, Toy> = {
  ridge: ridgeToy,
  jacobian: jacobianToy,
  conditioning: conditioningToy,
  interaction: interactionToy,
  nas: nasToy,
};

/**
 * Runs toy `name`, writes its files under `o.out`, and returns what to print. The options and the output
 * directory are checked before the toy runs; files are written (atomically) only once it has succeeded.
 * @throws InvalidArgumentError naming `toy`, or `--data` / `--method` / `--sigma` when the toy does not read it;
 *   OutputPathError naming `--out`.
 */
export function toyCommand(name: string, o: ToyOptions): { text: string; files: string[] } {
  const toy = Object.hasOwn(toys, name) ? toys[name] : undefined;
  if (!toy) throw new InvalidArgumentError('toy', `one of ${Object.keys(toys).join(', ')}`, name.length > 60 ? name.slice(0, 59) + '…' : name);
  const accepts = TOY_OPTIONS[name];
  const given: ['data' | 'method' | 'sigma', boolean][] = [
    ['data', o.data !== undefined],
    ['method', o.methods.length > 0],
    ['sigma', o.sigma !== undefined],
  ];
  for (const [opt, present] of given) {
    if (present && !accepts.includes(opt)) throw new InvalidArgumentError(`--${opt}`, `no --${opt} for toy ${name} (it reads ${accepts.map((a) => `--${a}`).join(', ')})`, opt === 'data' ? o.data : opt === 'method' ? o.methods.join(',') : o.sigma);
  }
  checkOutputDirectory(o.out, '--out');
  const output = toy(o);
  createOutputDirectory(o.out, '--out');
  const files = [join(o.out, `${name}.json`), ...output.plots.map((p) => join(o.out, p.name))];
  writeFileAtomic(files[0], JSON.stringify(output.data, null, 2) + '\n', '--out');
  output.plots.forEach((p, i) => writeFileAtomic(files[i + 1], p.svg, '--out'));
  return { text: o.json ? JSON.stringify(output.data, null, 2) : `${output.table}\n\nwrote ${files.join(', ')}`, files };
}

/** The options of `deltastn toy` (parsed and documented from this one declaration). */
export const TOY_SPEC = {
  name: 'toy',
  summary: 'Run a toy experiment of the small bilevel engine; writes DIR/<toy>.json and SVG plots and prints a table. --data takes {Xtrain, ytrain, Xval, yval} (ridge, interaction). --method: ridge and jacobian; --sigma: every toy.',
  positionals: [{ name: 'toy', description: 'the experiment', choices: Object.keys(toys) }],
  options: {
    data: { type: 'string', value: 'FILE.json', description: 'regression data {Xtrain, ytrain, Xval, yval} (ridge, interaction)', example: 'data.json' },
    method: { type: 'list', repeats: true, value: 'M', defaultText: 'every method of the toy', description: 'the methods to run (repeatable or comma-separated)', example: 'delta-stn' },
    sigma: { type: 'number', min: 0, minExclusive: true, value: 'σ', defaultText: 'the toy\'s own', description: 'σ, the perturbation scale', example: '0.5' },
    seed: { type: 'integer', min: -(2 ** 31), default: 0, description: 'seed', example: '3' },
    out: { type: 'string', value: 'DIR', default: 'out', description: 'where the JSON and SVG files go', example: 'out/toys' },
    json: { type: 'boolean', description: 'print the result as JSON instead of the table', example: '' },
  },
  example: 'deltastn toy ridge --sigma 0.5 --out out',
} as const satisfies CommandSpec;

/** `deltastn toy <name> …`: runs the toy and prints its table (or JSON); exit code 0. */
export function toyMain(args: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values: v, positionals } = parseCommand(TOY_SPEC, args, err);
  const result = toyCommand(positionals[0], { data: v.data, methods: v.method ?? [], sigma: v.sigma, seed: v.seed, out: v.out, json: v.json === true });
  out(result.text);
  return 0;
}
