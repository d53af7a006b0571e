/**
 * The worker-thread side of a study (see {@link runStudy} in study.ts). Loaded as the compiled
 * `dist/src/tune/worker.js` by the pool of pool.ts, with `workerData = { config, stop }`.
 *
 * Protocol (pool.ts): on start the worker initialises its own TensorFlow.js backend (each worker thread has its
 * own tfjs engine and wasm module) and posts `{type: 'ready', backend}`. For each `{type: 'run', job}` it runs the
 * job's trials in order, posting `{type: 'record', record}` as each finishes (the main thread appends it to
 * `trials.jsonl` at once) and `{type: 'done'}` at the end; it checks the shared stop flag (`stop[0] = 1`)
 * before each trial. A failure is posted as `{type: 'error', name, argument?, message}` (a typed error keeps
 * its argument, so the CLI still exits with code 2 for bad input).
 */
import { initBackend } from '../nn/backend.js';
import { serveJobs } from './pool.js';
import { executeJob, type StudyConfig, type StudyJob, type TrialRecord } from './study.js';

await serveJobs<{ config: StudyConfig }, StudyJob, TrialRecord>(
  async ({ config }) => (await initBackend(config.backend)).name,
  ({ config }, job, ctx) => executeJob(config, job, ctx.emit, { shouldContinue: ctx.shouldContinue, backend: ctx.backend, thread: ctx.thread }),
);
