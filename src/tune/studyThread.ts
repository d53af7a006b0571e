/**
 * The worker-thread side of a study (see {@link runStudy} in study.ts). Loaded as the compiled
 * `dist/src/tune/studyThread.js` by the pool of pool.ts, with `workerData = { config, storage, study, leaseSeconds,
 * worker, stop }`.
 *
 * Each thread initialises its own TensorFlow.js backend, opens its own connection to the study store, and runs the
 * worker loop of studyWorker.ts (claim, train, complete) until no trial is left or the main thread sets the stop
 * flag. It posts each completed record and each progress event to the main thread as a pool `record` message
 * ({@link StudyThreadMessage}).
 */
import { initBackend } from '../nn/backend.js';
import { serveJobs } from './pool.js';
import { openStore } from './store/index.js';
import type { StudyConfig } from './studyConfig.js';
import type { StudyThreadMessage } from './study.js';
import { runStudyWorker } from './studyWorker.js';

interface ThreadData {
  config: StudyConfig;
  storage: string;
  study: string;
  leaseSeconds: number;
  /** The main thread's worker id; this thread's is it with `:thread` replaced. */
  worker: string;
}

await serveJobs<ThreadData, 'loop', StudyThreadMessage>(
  async ({ config }) => (await initBackend(config.backend)).name,
  async (d, _job, ctx) => {
    const store = await openStore(d.storage, null);
    try {
      await runStudyWorker(store, d.study, d.config, {
        backend: ctx.backend,
        thread: ctx.thread,
        worker: d.worker.replace(/:\d+$/, `:${ctx.thread}`),
        leaseSeconds: d.leaseSeconds,
        shouldContinue: ctx.shouldContinue,
        onRecord: (record) => ctx.emit({ kind: 'record', record }),
        onEvent: (event) => ctx.emit({ kind: 'event', event }),
        log: (text) => ctx.emit({ kind: 'log', text }),
      });
    } finally {
      await store.close();
    }
  },
);
