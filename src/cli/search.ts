/**
 * `deltastn search --space mlp-cell|cnn-cell --dataset mnist|fashion-mnist --method darts1|darts2|delta-stn|…
 * [--seeds N] [--seed S] [--search-epochs S] [--retrain-epochs E] [--nodes N] [--width W] [--train-size N]
 * [--batch-size B] [--lr X] [--lr-hyper X] [--train-steps T] [--darts-scale R0] [--darts-xi ξ] [--workers N] [--out DIR] [--backend B]
 * [--data-dir PATH] [--storage sqlite|sqlite:PATH|postgresql://…] [--study NAME] [--lease S]`: architecture search
 * (src/tune/archSearch.ts). `--method` may repeat or take a comma-separated list; the default is darts1, darts2,
 * delta-stn and random. `--workers N` runs the jobs on N worker threads (the compiled dist/ only; not part of the
 * study's configuration). The jobs and records live in a study store (issue 19; `DIR/study.db` by default, like
 * `deltastn compare`); rerunning with the same arguments resumes, and `DIR/runs.jsonl` is an export.
 */
import { join } from 'node:path';
import { dataDirOption } from './io.js';
import { BACKEND_NAMES } from '../nn/backend.js';
import { CELL_SPACES } from '../nas/space.js';
import { ARCH_METHODS, randomTrials, runArchSearch, validateArchSearchConfig, type ArchMethod, type ArchSearchConfig } from '../tune/archSearch.js';
import { InvalidArgumentError } from '../errors.js';
import { parseStorage } from '../tune/store/index.js';
import { parseCommand, type CommandSpec } from './options.js';
import { ProgressDisplay } from './progress.js';

/** The methods `search` runs when `--method` is not given (the issue's three and the random baseline). */
export const DEFAULT_SEARCH_METHODS: readonly ArchMethod[] = ['darts1', 'darts2', 'delta-stn', 'random'];

/** The options of `deltastn search` (parsed and documented from this one declaration). */
export const SEARCH_SPEC = {
  name: 'search',
  summary:
    'Architecture search (DARTS cells): search S epochs (α = softmax logits per edge, tuned as hyperparameters), discretize, retrain E epochs from scratch, report val/test accuracy; random: round((S+E)/E) random architectures retrained E epochs each (same budget). DARTS-2: R = R0/‖∇L_V‖, ξ = the weights\' learning rate unless given. Resumable: the jobs and records live in a study store (DIR/study.db by default, or --storage); writes the export DIR/runs.jsonl, summary.json, table.md, weights-*.svg (an old directory with only runs.jsonl is migrated into the store once); with --workers the records are identical, timings aside.\n' +
    'Progress on stderr: a bar on a terminal, else a line every 10 s and per run (runs, elapsed, time left); --quiet silences it.',
  headline: ['space', 'dataset'],
  options: {
    space: { type: 'enum', choices: CELL_SPACES, default: 'mlp-cell', description: 'the cell search space', example: 'cnn-cell' },
    dataset: { type: 'enum', choices: ['mnist', 'fashion-mnist'], default: 'mnist', description: 'the data set', example: 'fashion-mnist' },
    method: { type: 'list', choices: ARCH_METHODS, value: 'M1,M2,...', defaultText: DEFAULT_SEARCH_METHODS.join(','), description: 'the methods (repeatable or comma-separated)', example: 'darts1,random' },
    seeds: { type: 'integer', min: 1, default: 1, description: 'how many seeds (from --seed on)', example: '3' },
    seed: { type: 'integer', min: 0, default: 0, description: 'the first seed', example: '10' },
    'search-epochs': { type: 'integer', min: 1, default: 10, value: 'S', description: 'S: search epochs', example: '2' },
    'retrain-epochs': { type: 'integer', min: 1, default: 10, value: 'E', description: 'E: retraining epochs of the chosen architecture', example: '2' },
    nodes: { type: 'integer', min: 1, default: 3, description: 'intermediate nodes of the cell', example: '2' },
    width: { type: 'integer', min: 1, defaultText: '128 (mlp-cell) or 8 (cnn-cell)', description: 'units (MLP) or channels (CNN) per node', example: '64' },
    'train-size': { type: 'integer', min: 0, default: 0, description: 'use the first N training examples (0: all)', example: '1000' },
    'batch-size': { type: 'integer', min: 1, default: 128, description: 'examples per step', example: '64' },
    lr: { type: 'number', min: 0, minExclusive: true, default: 0.05, description: 'the weights\' learning rate', example: '0.1' },
    'lr-hyper': { type: 'number', min: 0, minExclusive: true, default: 3e-2, description: 'the architecture weights\' (α) learning rate', example: '0.01' },
    'train-steps': { type: 'integer', min: 1, default: 1, value: 'T', description: 'weight steps per architecture step', example: '2' },
    'darts-scale': { type: 'number', min: 0, minExclusive: true, value: 'R0', defaultText: '0.01', description: 'DARTS-2: R0 of the finite-difference step R = R0/‖∇L_V‖', example: '0.001' },
    'darts-xi': { type: 'number', min: 0, value: 'ξ', defaultText: 'the weights\' learning rate', description: 'DARTS-2: ξ, the unrolled step (0: first order)', example: '0' },
    workers: { type: 'integer', min: 1, default: 1, description: 'worker threads for the jobs (needs the compiled dist/)', example: '2' },
    out: { type: 'string', value: 'DIR', defaultText: 'out/search-<space>-<dataset>', description: 'the study directory (created or resumed)', example: 'out/search' },
    backend: { type: 'enum', choices: BACKEND_NAMES, default: 'auto', description: 'TensorFlow.js backend', example: 'wasm' },
    'data-dir': { type: 'string', value: 'PATH', check: dataDirOption, description: 'an existing directory holding the data set files', example: '/usr/share/fashion-mnist' },
    storage: { type: 'string', value: 'URL', default: 'sqlite', description: 'the study store: sqlite (DIR/study.db), sqlite:PATH, or postgresql://user:password@host:port/database', example: 'sqlite:/tmp/studies.db' },
    study: { type: 'string', value: 'NAME', defaultText: 'the base name of --out', description: 'the study\u2019s name in the store', example: 'search-mlp' },
    lease: { type: 'number', min: 0, minExclusive: true, default: 60, value: 'S', description: 'seconds without a heartbeat before another worker may reclaim a job', example: '30' },
    quiet: { type: 'boolean', description: 'no progress display (the table and errors are still printed)', example: '' },
  },
  example: 'deltastn search --space mlp-cell --dataset mnist --search-epochs 2 --retrain-epochs 2 --train-size 1000',
} as const satisfies CommandSpec;

/** Parses `search`'s arguments into a configuration, the output directory, the worker count and the store. */
export function parseSearchArgs(args: readonly string[], warn?: (s: string) => void): { config: ArchSearchConfig; out: string; workers: number; quiet: boolean; storage: string; study?: string; lease: number } {
  const { values: v } = parseCommand(SEARCH_SPEC, args, warn);
  const space = v.space;
  const config: ArchSearchConfig = {
    space,
    dataset: v.dataset,
    methods: v.method ?? [...DEFAULT_SEARCH_METHODS],
    seeds: Array.from({ length: v.seeds }, (_, i) => v.seed + i),
    searchEpochs: v['search-epochs'],
    retrainEpochs: v['retrain-epochs'],
    nodes: v.nodes,
    width: v.width ?? (space === 'mlp-cell' ? 128 : 8),
    trainSize: v['train-size'],
    batchSize: v['batch-size'],
    lrWeights: v.lr,
    lrHyper: v['lr-hyper'],
    trainSteps: v['train-steps'],
    ...(v['darts-scale'] === undefined ? {} : { dartsScale: v['darts-scale'] }),
    ...(v['darts-xi'] === undefined ? {} : { dartsXi: v['darts-xi'] }),
    ...(v['data-dir'] !== undefined ? { dataDir: v['data-dir'] } : {}),
    backend: v.backend,
  };
  validateArchSearchConfig(config);
  const storage = v.storage;
  parseStorage(storage, '--storage');
  if (v.study !== undefined && v.study.length === 0) throw new InvalidArgumentError('--study', 'a non-empty study name', v.study);
  // --workers, --storage, --study and --lease are not part of the configuration: a study may be resumed with
  // another worker count.
  return { config, out: v.out ?? join('out', `search-${space}-${config.dataset}`), workers: v.workers, quiet: v.quiet === true, storage, ...(v.study !== undefined ? { study: v.study } : {}), lease: v.lease };
}

/**
 * `deltastn search …`: runs or resumes the study, prints its table; exit code 0. Progress (src/cli/progress.ts)
 * counts runs (a search with its retraining, or one random trial): the jobs of runs.jsonl.
 */
export async function searchCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void, options: { tty?: boolean; progressIntervalSeconds?: number } = {}): Promise<number> {
  const { config, out: dir, workers, quiet, storage, study, lease } = parseSearchArgs(args, err);
  const display = new ProgressDisplay({ unit: 'runs', tty: !quiet && (options.tty ?? process.stderr.isTTY === true), quiet, line: err, intervalSeconds: options.progressIntervalSeconds });
  display.log(`search: ${config.methods.join(', ')} on ${config.space} / ${config.dataset}, seeds ${config.seeds.join(', ')}; random search: ${randomTrials(config)} architectures per seed`);
  let r: Awaited<ReturnType<typeof runArchSearch>>;
  try {
    r = await runArchSearch(config, dir, {
      log: (line) => display.log(line),
      workers,
      storage,
      ...(study !== undefined ? { study } : {}),
      leaseSeconds: lease,
      onProgress: (p) => {
        if (p.last === undefined) display.start(p.total + p.skipped, p.skipped);
        else display.endRun(p.last.retrain.val.loss);
      },
    });
  } finally {
    display.stop();
  }
  out(r.table);
  out(`${dir}: ${r.ran} run(s) done, ${r.skipped} finished before and skipped; backend ${r.backend}; ${r.workers > 0 ? `${r.workers} worker threads` : 'in-process'}; ${r.seconds.toFixed(1)} s elapsed. Study ${r.study} in ${r.storage}. Files: runs.jsonl (export), summary.json, table.md, weights-*.svg`);
  return 0;
}
