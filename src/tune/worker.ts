/**
 * The worker-thread side of a study (see {@link runStudy} in study.ts). Loaded as the compiled
 * `dist/src/tune/worker.js` by `new Worker(url, { workerData: { config, stop } })`.
 *
 * Protocol: on start the worker initialises its own TensorFlow.js backend (each worker thread has its own
 * tfjs engine and wasm module) and posts `{type: 'ready', backend}`. For each `{type: 'run', job}` it runs the
 * job's trials in order, posting `{type: 'record', record}` as each finishes (the main thread appends it to
 * `trials.jsonl` at once) and `{type: 'done'}` at the end; it checks the shared stop flag (`stop[0] = 1`)
 * before each trial. A failure is posted as `{type: 'error', name, argument?, message}` (a typed error keeps
 * its argument, so the CLI still exits with code 2 for bad input).
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { DeltaStnError } from '../errors.js';
import { initBackend } from '../nn/backend.js';
import { executeJob, type StudyConfig, type StudyJob, type WorkerReply } from './study.js';

const port = parentPort;
const { config, stop } = workerData as { config: StudyConfig; stop: Int32Array };

function post(msg: WorkerReply): void {
  port?.postMessage(msg);
}

function postError(e: unknown): void {
  if (e instanceof DeltaStnError) post({ type: 'error', name: e.name, argument: e.argument, message: e.message });
  else post({ type: 'error', name: (e as Error)?.name ?? 'Error', message: (e as Error)?.stack ?? String(e) });
}

if (port) {
  try {
    const info = await initBackend(config.backend);
    port.on('message', (msg: { type: 'run'; job: StudyJob }) => {
      if (msg.type !== 'run') return;
      try {
        executeJob(config, msg.job, (record) => post({ type: 'record', record }), { shouldContinue: () => Atomics.load(stop, 0) === 0, backend: info.name, thread: threadId });
        post({ type: 'done' });
      } catch (e) {
        postError(e);
      }
    });
    post({ type: 'ready', backend: info.name });
  } catch (e) {
    postError(e);
  }
}
