/**
 * A small pool of `node:worker_threads` workers (Node only), shared by the comparison study (study.ts,
 * worker.ts) and the architecture search (archSearch.ts, archWorker.ts): a queue of jobs, run on n workers,
 * each with its own TensorFlow.js backend.
 *
 * @remarks
 * **Protocol.** The main thread starts each worker with `workerData = { ...data, stop }`, `stop` a shared
 * `Int32Array` of one element. A worker initialises its backend and posts `{type: 'ready', backend}`; for each
 * `{type: 'run', job}` it posts zero or more `{type: 'record', record}` (the main thread handles each at once,
 * e.g. appends it to a JSONL file, so a kill loses only unfinished jobs), optionally `{type: 'log', text}`,
 * and `{type: 'done'}` at the end. It may check `stop[0] = 1` between the steps of a long job. A failure is
 * posted as `{type: 'error', name, argument?, message}`: a typed error ({@link DeltaStnError}) keeps its
 * argument and is re-raised in the main thread with its name and argument, so the CLI still exits with code 2
 * for bad input.
 *
 * **Scheduling.** Jobs are handed out in the order given (callers put the longest first), one at a time, to
 * whichever worker is free. The first failure sets the stop flag, terminates every worker and rejects.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, threadId, workerData, Worker } from 'node:worker_threads';
import { DeltaStnError } from '../errors.js';

/** Messages from a worker to the main thread. */
export type PoolReply<R> = { type: 'ready'; backend: string } | { type: 'record'; record: R } | { type: 'log'; text: string } | { type: 'done' } | { type: 'error'; name: string; argument?: string; message: string };

/** A message from the main thread to a worker. */
export interface PoolRequest<J> {
  type: 'run';
  job: J;
}

/** A typed error raised in a worker, re-raised in the main thread with its name and argument. */
export class WorkerRaisedError extends DeltaStnError {
  constructor(name: string, argument: string, message: string) {
    super(argument, message.startsWith(`${argument}: `) ? message.slice(argument.length + 2) : message);
    this.name = name;
  }
}

/**
 * The compiled worker script `file` (e.g. `'worker.js'`) next to this module, or null when running from the
 * TypeScript sources (vitest: there is no compiled script to start) or when it is missing.
 */
export function compiledWorkerScript(file: string): URL | null {
  if (!import.meta.url.endsWith('.js')) return null;
  const url = new URL(`./${file}`, import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** What {@link runPool} needs. */
export interface PoolOptions<J, R> {
  /** The worker script (see {@link compiledWorkerScript}). */
  script: URL;
  /** Passed to every worker as its `workerData`, with the shared stop flag added as `stop`. */
  data: Record<string, unknown>;
  jobs: readonly J[];
  /** Worker threads to start (at least 1; callers take min(wanted, jobs)). */
  workers: number;
  /** Called in the main thread with each record as it arrives. */
  onRecord: (record: R) => void;
  /** Called with each line a worker logs. */
  onLog?: (text: string) => void;
  /** Asked before a job is handed out and after each record; false stops the pool (default: always true). */
  shouldContinue?: () => boolean;
}

/** Runs the jobs on the workers; resolves with the workers' backend name once every job is done (or stopped). */
export function runPool<J, R>(options: PoolOptions<J, R>): Promise<string> {
  const shouldContinue = options.shouldContinue ?? ((): boolean => true);
  // A shared stop flag: a worker may check it between the steps of a job (a BO sequence is one long job).
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const queue = [...options.jobs];
  const n = options.workers;
  let backend = '';
  return new Promise<string>((resolve, reject) => {
    if (!(Number.isInteger(n) && n >= 1)) {
      reject(new Error(`runPool: workers must be an integer ≥ 1, got ${n}`));
      return;
    }
    let live = n;
    let failed = false;
    const workers: Worker[] = [];
    const ended = new Set<Worker>();
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      Atomics.store(stop, 0, 1);
      for (const w of workers) void w.terminate();
      reject(e);
    };
    const next = (w: Worker): void => {
      const job = shouldContinue() ? queue.shift() : undefined;
      if (job !== undefined) w.postMessage({ type: 'run', job } satisfies PoolRequest<J>);
      else {
        ended.add(w);
        void w.terminate();
        if (--live === 0 && !failed) resolve(backend);
      }
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(options.script, { workerData: { ...options.data, stop } });
      workers.push(w);
      w.on('message', (msg: PoolReply<R>) => {
        if (failed) return;
        if (msg.type === 'ready') {
          backend = msg.backend;
          next(w);
        } else if (msg.type === 'record') {
          try {
            options.onRecord(msg.record);
          } catch (e) {
            fail(e as Error);
            return;
          }
          if (!shouldContinue()) Atomics.store(stop, 0, 1);
        } else if (msg.type === 'log') options.onLog?.(msg.text);
        else if (msg.type === 'done') next(w);
        else fail(msg.argument !== undefined ? new WorkerRaisedError(msg.name, msg.argument, msg.message) : new Error(`worker: ${msg.name}: ${msg.message}`));
      });
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => {
        if (!failed && !ended.has(w)) fail(new Error(`worker exited unexpectedly (code ${code})`));
      });
    }
  });
}

/** What a worker's job function gets besides the job. */
export interface WorkerJobContext<R> {
  /** Posts a finished record to the main thread. */
  emit: (record: R) => void;
  /** Posts a progress line to the main thread. */
  log: (text: string) => void;
  /** False once the main thread has asked the pool to stop. */
  shouldContinue: () => boolean;
  /** The backend name that `setup` returned. */
  backend: string;
  /** This worker's thread id (≥ 1). */
  thread: number;
}

/**
 * The worker side of the protocol: call it at the top level of a worker script. `setup` initialises the
 * backend from the `workerData` (and returns its name); `run` runs one job (jobs run one at a time, in order of
 * arrival, even when `run` is asynchronous), emitting its records.
 * Does nothing when not started as a worker.
 */
export async function serveJobs<D, J, R>(setup: (data: D) => Promise<string>, run: (data: D, job: J, context: WorkerJobContext<R>) => void | Promise<void>): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const data = workerData as D & { stop: Int32Array };
  const post = (msg: PoolReply<R>): void => port.postMessage(msg);
  const postError = (e: unknown): void => {
    if (e instanceof DeltaStnError) post({ type: 'error', name: e.name, argument: e.argument, message: e.message });
    else post({ type: 'error', name: (e as Error)?.name ?? 'Error', message: (e as Error)?.stack ?? String(e) });
  };
  try {
    const backend = await setup(data);
    const context: WorkerJobContext<R> = {
      emit: (record) => post({ type: 'record', record }),
      log: (text) => post({ type: 'log', text }),
      shouldContinue: () => Atomics.load(data.stop, 0) === 0,
      backend,
      thread: threadId,
    };
    // Jobs are chained: an asynchronous job (WebGPU reads) must finish before the next one starts.
    let queue: Promise<void> = Promise.resolve();
    port.on('message', (msg: PoolRequest<J>) => {
      if (msg.type !== 'run') return;
      queue = queue.then(async () => {
        try {
          await run(data, msg.job, context);
          post({ type: 'done' });
        } catch (e) {
          postError(e);
        }
      });
    });
    post({ type: 'ready', backend });
  } catch (e) {
    postError(e);
  }
}
