/**
 * `deltastn search --space mlp-cell|cnn-cell --dataset mnist|fashion-mnist --method darts1|darts2|delta-stn|…
 * [--seeds N] [--seed S] [--search-epochs S] [--retrain-epochs E] [--nodes N] [--width W] [--train-size N]
 * [--batch-size B] [--lr X] [--lr-hyper X] [--train-steps T] [--darts-scale R0] [--darts-xi ξ] [--workers N] [--out DIR] [--backend B]
 * [--data-dir PATH]`: architecture search (src/tune/archSearch.ts). `--method` may repeat or take a comma-separated
 * list; the default is darts1, darts2, delta-stn and random. `--workers N` runs the jobs on N worker threads (the
 * compiled dist/ only; not part of the study's configuration). Rerunning with the same arguments resumes.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import { dataDirOption } from './io.js';
import { BACKEND_NAMES, isBackendName } from '../nn/backend.js';
import { CELL_SPACES, type CellSpaceKind } from '../nn/cells.js';
import { ARCH_METHODS, randomTrials, runArchSearch, validateArchSearchConfig, type ArchMethod, type ArchSearchConfig } from '../tune/archSearch.js';

/** The methods `search` runs when `--method` is not given (the issue's three and the random baseline). */
export const DEFAULT_SEARCH_METHODS: readonly ArchMethod[] = ['darts1', 'darts2', 'delta-stn', 'random'];

function num(value: string | undefined, name: string, fallback: number, integer: boolean, min: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n)) || n < min || (!integer && !(n > 0))) {
    throw new InvalidArgumentError(name, integer ? `an integer ≥ ${min}` : 'a finite number > 0', value);
  }
  return n;
}

/** A finite number ≥ 0 (ξ = 0 makes DARTS-2 first order). */
function nonNegative(value: string, name: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(name, 'a finite number ≥ 0', value);
  return n;
}

/** Parses `search`'s arguments into a configuration, the output directory and the worker count. */
export function parseSearchArgs(args: readonly string[]): { config: ArchSearchConfig; out: string; workers: number } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      space: { type: 'string' },
      dataset: { type: 'string' },
      method: { type: 'string', multiple: true },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      'search-epochs': { type: 'string' },
      'retrain-epochs': { type: 'string' },
      nodes: { type: 'string' },
      width: { type: 'string' },
      'train-size': { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'lr-hyper': { type: 'string' },
      'train-steps': { type: 'string' },
      'darts-scale': { type: 'string' },
      'darts-xi': { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const space = (values.space ?? 'mlp-cell') as CellSpaceKind;
  if (!CELL_SPACES.includes(space)) throw new InvalidArgumentError('--space', CELL_SPACES.join(' or '), space);
  const dataset = values.dataset ?? 'mnist';
  if (dataset !== 'mnist' && dataset !== 'fashion-mnist') throw new InvalidArgumentError('--dataset', 'mnist or fashion-mnist', dataset);
  const methods = values.method ? values.method.flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m.length > 0) : [...DEFAULT_SEARCH_METHODS];
  for (const m of methods) if (!(ARCH_METHODS as readonly string[]).includes(m)) throw new InvalidArgumentError('--method', ARCH_METHODS.join(' | '), m);
  const backend = values.backend ?? 'auto';
  if (!isBackendName(backend)) throw new InvalidArgumentError('--backend', BACKEND_NAMES.join(', '), backend);
  const nSeeds = num(values.seeds, '--seeds', 1, true, 1);
  const first = num(values.seed, '--seed', 0, true, 0);
  const config: ArchSearchConfig = {
    space,
    dataset,
    methods: methods as ArchMethod[],
    seeds: Array.from({ length: nSeeds }, (_, i) => first + i),
    searchEpochs: num(values['search-epochs'], '--search-epochs', 10, true, 1),
    retrainEpochs: num(values['retrain-epochs'], '--retrain-epochs', 10, true, 1),
    nodes: num(values.nodes, '--nodes', 3, true, 1),
    width: num(values.width, '--width', space === 'mlp-cell' ? 128 : 8, true, 1),
    trainSize: num(values['train-size'], '--train-size', 0, true, 0),
    batchSize: num(values['batch-size'], '--batch-size', 128, true, 1),
    lrWeights: num(values.lr, '--lr', 0.05, false, 0),
    lrHyper: num(values['lr-hyper'], '--lr-hyper', 3e-2, false, 0),
    trainSteps: num(values['train-steps'], '--train-steps', 1, true, 1),
    ...(values['darts-scale'] === undefined ? {} : { dartsScale: num(values['darts-scale'], '--darts-scale', 0.01, false, 0) }),
    ...(values['darts-xi'] === undefined ? {} : { dartsXi: nonNegative(values['darts-xi'], '--darts-xi') }),
    ...(values['data-dir'] !== undefined ? { dataDir: dataDirOption(values['data-dir']) } : {}),
    backend,
  };
  validateArchSearchConfig(config);
  // Not part of the configuration: a study may be resumed with another worker count.
  const workers = num(values.workers, '--workers', 1, true, 1);
  return { config, out: values.out ?? join('out', `search-${space}-${dataset}`), workers };
}

/** `deltastn search …`: runs or resumes the study, prints its table; exit code 0. */
export async function searchCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { config, out: dir, workers } = parseSearchArgs(args);
  err(`search: ${config.methods.join(', ')} on ${config.space} / ${config.dataset}, seeds ${config.seeds.join(', ')}; random search: ${randomTrials(config)} architectures per seed`);
  const r = await runArchSearch(config, dir, { log: err, workers });
  out(r.table);
  out(`${dir}: ${r.ran} run(s) done, ${r.skipped} finished before and skipped; backend ${r.backend}; ${r.workers > 0 ? `${r.workers} worker threads` : 'in-process'}; ${r.seconds.toFixed(1)} s elapsed. Files: runs.jsonl, summary.json, table.md, weights-*.svg`);
  return 0;
}
