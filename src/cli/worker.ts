/**
 * `deltastn worker --study NAME --storage URL [--backend B] [--lease S] [--poll S] [--limit N] [--data-dir PATH]`:
 * joins a study in a store (issue 19) and runs its trials until none is left (src/tune/studyWorker.ts: claim,
 * train with heartbeats and a checkpoint per epoch, complete; a trial whose worker stopped heartbeating is
 * reclaimed and resumed from its checkpoint). Start it on as many processes and machines as reach the store; the
 * study is created by `deltastn compare … --storage URL --study NAME`, which works on it too and writes the
 * outputs at the end.
 *
 * `deltastn export` (src/cli/export.ts) writes a store's study into a directory for `deltastn report`.
 */
import { dataDirOption } from './io.js';
import { BACKEND_NAMES, formatBackendInfo, initBackend } from '../nn/backend.js';
import { InvalidArgumentError } from '../errors.js';
import { openStore } from '../tune/store/index.js';
import { joinArchStudy } from '../tune/archSearch.js';
import { defaultWorkerId, runStudyWorker, validateStudyConfig, type StudyConfig } from '../tune/study.js';
import { parseCommand, type CommandSpec } from './options.js';

/** The options of `deltastn worker`. */
export const WORKER_SPEC = {
  name: 'worker',
  summary:
    'Join a study in a store and run its trials until none is left (claims are atomic; a trial whose worker stops heartbeating for --lease seconds is reclaimed and resumed from its last epoch). Start one per process or machine; the study is created by `deltastn compare --storage URL --study NAME` (or `deltastn search --storage URL --study NAME`: a worker joins an architecture search the same way).',
  headline: ['study', 'storage'],
  options: {
    study: { type: 'string', value: 'NAME', required: true, description: 'the study\u2019s name in the store', example: 'cmp-mlp' },
    storage: { type: 'string', value: 'URL', required: true, description: 'sqlite:PATH (a study.db) or postgresql://user:password@host:port/database', example: 'postgresql://deltastn@127.0.0.1:5432/deltastn' },
    backend: { type: 'enum', choices: BACKEND_NAMES, defaultText: 'the study\u2019s', description: 'TensorFlow.js backend of this worker', example: 'wasm' },
    lease: { type: 'number', min: 0, minExclusive: true, default: 60, value: 'S', description: 'seconds without a heartbeat before another worker may reclaim this worker\u2019s trial', example: '30' },
    poll: { type: 'number', min: 0, minExclusive: true, default: 1, value: 'S', description: 'seconds between claims while the remaining trials are held by others', example: '5' },
    limit: { type: 'integer', min: 1, description: 'stop after N completed trials', example: '3' },
    'data-dir': { type: 'string', value: 'PATH', check: dataDirOption, defaultText: 'the study\u2019s', description: 'this machine\u2019s directory holding the data set files', example: '/usr/share/fashion-mnist' },
    quiet: { type: 'boolean', description: 'no per-trial lines on stderr', example: '' },
  },
  example: 'deltastn worker --study cmp-mlp --storage postgresql://deltastn@127.0.0.1:5432/deltastn',
} as const satisfies CommandSpec;

/** `deltastn worker …`: runs trials of the study until none is left; prints one line of what it did. Exit code 0. */
export async function workerCommand(args: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values: v } = parseCommand(WORKER_SPEC, args, err);
  // Both are required: the parser refused a command line without them.
  const [study, storage] = [v.study as string, v.storage as string];
  // An architecture-search study (deltastn search --storage … --study NAME) runs its own jobs; null: not one.
  const arch = await joinArchStudy(storage, study, {
    ...(v.backend !== undefined ? { backend: v.backend } : {}),
    ...(v['data-dir'] !== undefined ? { dataDir: v['data-dir'] } : {}),
    worker: defaultWorkerId(0),
    leaseSeconds: v.lease,
    pollSeconds: v.poll,
    ...(v.limit !== undefined ? { limit: v.limit } : {}),
    log: v.quiet === true ? undefined : err,
  });
  if (arch) {
    out(`worker ${arch.worker}: ${arch.ran} search job(s) run (${arch.lost} lost to a reclaim) on study ${study}; backend ${arch.backend}`);
    return 0;
  }
  const store = await openStore(storage, null, '--storage');
  try {
    const stored = await store.studyConfig(study);
    if (stored === null) throw new InvalidArgumentError('--study', `the name of a study in ${store.location} (create it with deltastn compare --storage … --study NAME)`, study);
    const config: StudyConfig = { ...stored, ...(v.backend !== undefined ? { backend: v.backend } : {}), ...(v['data-dir'] !== undefined ? { dataDir: v['data-dir'] } : {}) };
    validateStudyConfig(config);
    const info = await initBackend(config.backend);
    const worker = defaultWorkerId(0);
    const log = v.quiet === true ? undefined : err;
    log?.(`worker ${worker}: study ${study} in ${store.location}, backend ${formatBackendInfo(info)}`);
    const started = performance.now();
    const r = await runStudyWorker(store, study, config, {
      backend: info.name,
      worker,
      leaseSeconds: v.lease,
      pollSeconds: v.poll,
      ...(v.limit !== undefined ? { limit: v.limit } : {}),
      log,
      onEvent: (e) => {
        if (e.type === 'trial-started') log?.(`${e.method} seed ${e.seed} trial ${e.trial}: started${e.resumedEpochs > 0 ? ` (resumed after epoch ${e.resumedEpochs})` : ''}`);
        else if (e.type === 'epoch') log?.(`${e.method} seed ${e.seed} trial ${e.trial}: epoch ${e.epoch + 1}/${e.plannedEpochs} val loss ${e.valLoss.toFixed(4)} (${e.trialElapsed.toFixed(1)} s)`);
        else log?.(`${e.method} seed ${e.seed} trial ${e.trial}: finished, best val ${e.bestVal?.toFixed(4) ?? '—'} (${e.wallSeconds.toFixed(1)} s)`);
      },
    });
    out(`worker ${r.worker}: ${r.ran} trial(s) run (${r.resumed} resumed from a checkpoint, ${r.lost} lost to a reclaim) on study ${study} in ${store.location}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await store.close();
  }
}
