/**
 * The worker-thread side of an architecture search (see {@link runArchSearch} in archSearch.ts). Loaded as the
 * compiled `dist/src/tune/archWorker.js` by the pool of pool.ts, with `workerData = { config, storage, study,
 * leaseSeconds, worker, stop }`.
 *
 * Each thread initialises its own TensorFlow.js backend, opens its own connection to the study store, and runs the
 * claim loop {@link runArchStudyWorker} (claim a job — one search run with its retraining, or one random trial —,
 * run it through {@link runArchJob}, complete it in the store) until no job is left or the main thread sets the
 * stop flag. It posts each completed record as a pool `record` message (the main thread counts it for progress;
 * the store already holds it) and its progress lines as `log` messages. A failure is posted as
 * `{type: 'error', name, argument?, message}` (a typed error keeps its argument).
 */
import { initBackend } from '../nn/backend.js';
import { runArchStudyWorker, type ArchMethod, type ArchRecord, type ArchSearchConfig } from './archSearch.js';
import { serveJobs } from './pool.js';
import { openStore } from './store/index.js';

interface ThreadData {
  config: ArchSearchConfig;
  storage: string;
  study: string;
  leaseSeconds: number;
  /** The main thread's worker id; this thread's is it with `:thread` replaced. */
  worker: string;
}

await serveJobs<ThreadData, 'loop', ArchRecord>(
  async ({ config }) => (await initBackend(config.backend)).name,
  async (d, _job, ctx) => {
    const store = await openStore<ArchMethod, ArchSearchConfig, ArchRecord>(d.storage, null);
    try {
      await runArchStudyWorker(store, d.study, d.config, {
        backend: ctx.backend,
        worker: d.worker.replace(/:\d+$/, `:${ctx.thread}`),
        leaseSeconds: d.leaseSeconds,
        shouldContinue: ctx.shouldContinue,
        onRecord: (record) => ctx.emit(record),
        log: (text) => ctx.log(text),
      });
    } finally {
      await store.close();
    }
  },
);
