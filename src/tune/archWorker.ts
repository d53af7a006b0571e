/**
 * The worker-thread side of an architecture search (see {@link runArchSearch} in archSearch.ts). Loaded as the
 * compiled `dist/src/tune/archWorker.js` by the pool of pool.ts, with `workerData = { config, stop }`.
 *
 * Protocol (pool.ts): on start the worker initialises its own TensorFlow.js backend and posts
 * `{type: 'ready', backend}`. For each `{type: 'run', job}` it runs the job — one search run with its
 * retraining, or one random trial — through {@link runArchJob}, the function the in-process path calls,
 * forwarding its progress lines as `{type: 'log', text}`, and posts `{type: 'record', record}` (the main thread
 * appends it to `runs.jsonl` at once) and then `{type: 'done'}`. A failure is posted as
 * `{type: 'error', name, argument?, message}` (a typed error keeps its argument).
 */
import { initBackend } from '../nn/backend.js';
import { runArchJob, type ArchJob, type ArchRecord, type ArchSearchConfig } from './archSearch.js';
import { serveJobs } from './pool.js';

await serveJobs<{ config: ArchSearchConfig }, ArchJob, ArchRecord>(
  async ({ config }) => (await initBackend(config.backend)).name,
  async ({ config }, job, ctx) => ctx.emit(await runArchJob(config, job, ctx.backend, ctx.log)),
);
