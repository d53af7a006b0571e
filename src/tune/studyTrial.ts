/**
 * Running one run or trial of a comparison study (in a process, a worker thread or a `deltastn worker`), with
 * its progress events and its per-epoch checkpoint.
 *
 * @remarks
 * Split out of study.ts (issue 13; what a run and a trial compute is stated there). New here (issue 19):
 * - **Events.** {@link StudyEvent}: a trial started (fresh or resumed from a checkpoint), an epoch finished
 *   (with its validation loss), a trial finished; each with the seconds elapsed since the runner started.
 * - **Checkpoints.** After every epoch a trial may hand a {@link TrialCheckpoint} (the trainer's full state,
 *   the epochs and trajectory so far, u) to the store; a trial reclaimed from a dead worker is resumed from
 *   it. The trainer derives each epoch's randomness from (seed, epoch) only (src/nn/trainer.ts), so a resumed
 *   trial ends with the record of an uninterrupted one, timings aside.
 * - **No module-level cache.** The data split of a seed is loaded once per {@link DataCache}, an object the
 *   caller owns (one per runner), instead of a cache that lived as long as the module.
 */
import { InvalidArgumentError } from '../errors.js';
import { Rng, deriveSeed } from '../rng.js';
import { buildLanguageModelRun, buildModel, loadData, loadTextData, type LanguageModelData } from './factory.js';
import type { HyperSpace } from '../nn/hyper.js';
import type { LanguageModelTrainer } from '../nn/languageModel.js';
import type { StnNetwork } from '../nn/models.js';
import { Trainer, type NnMethod, type TrainerData, type TrainerState } from '../nn/trainer.js';
import { bayesianOptimization, hyperValuesToLambda, randomSearch, unitToHyperValues, type Suggester, type Trial } from './search.js';
import { isSearchMethod, runSeedOf, trialTuneConfig, type StudyConfig, type StudyMethod } from './studyConfig.js';
import type { EpochPoint, TrajectoryPoint, TrialRecord } from './studyRecords.js';

// ---------------------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------------------

/** Which run or trial an event is about. */
export interface TrialRef {
  method: StudyMethod;
  seed: number;
  trial: number;
}

/**
 * A progress event of a study runner (the `onEvent` callback of {@link runStudy} and of the worker loop).
 * `elapsed`: seconds since the runner started; `worker`: the id of the worker running the trial.
 */
export type StudyEvent =
  | (TrialRef & { type: 'trial-started'; plannedEpochs: number; /** epochs restored from a checkpoint (0: fresh) */ resumedEpochs: number; worker: string; elapsed: number })
  | (TrialRef & { type: 'epoch'; /** 0-based epoch of the trial */ epoch: number; plannedEpochs: number; valLoss: number; worker: string; elapsed: number; /** seconds since the trial started (resumed: since it first started, lost work aside) */ trialElapsed: number })
  | (TrialRef & { type: 'trial-finished'; bestVal: number | null; wallSeconds: number; stopped?: string; worker: string; elapsed: number });

// ---------------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------------

/**
 * The data splits a runner has loaded, by (dataset, seed, train size, data directory): image sets, or the token
 * ids of the text corpus (`moby-dick`). Owned by the caller.
 */
export type DataCache = Map<string, TrainerData | LanguageModelData>;

const cacheKey = (config: StudyConfig, seed: number): string => JSON.stringify([config.dataset, seed, config.trainSize, config.dataDir ?? null]);

/** The image split of study seed `seed` (from `cache`, loading it there the first time). */
export function dataFor(config: StudyConfig, seed: number, cache: DataCache): TrainerData {
  const k = cacheKey(config, seed);
  let d = cache.get(k);
  if (!d) {
    d = loadData({ dataset: config.dataset, seed, trainSize: config.trainSize, dataDir: config.dataDir });
    cache.set(k, d);
  }
  return d as TrainerData;
}

/** The text split (token ids) of study seed `seed` for the lstm model (from `cache`, loading it there the first time). */
export function textDataFor(config: StudyConfig, seed: number, cache: DataCache): LanguageModelData {
  const k = cacheKey(config, seed);
  let d = cache.get(k);
  if (!d) {
    d = loadTextData({ seed, trainSize: config.trainSize });
    cache.set(k, d);
  }
  return d as LanguageModelData;
}

/**
 * The network, space and trainer of one run or trial: network method `method`, model and trainer seed `runSeed`,
 * `epochs` epochs, on study seed `seed`'s split (from `cache`). The run configuration is
 * {@link trialTuneConfig}'s, built by tune's factory (src/tune/factory.ts): an image model with the
 * {@link Trainer}, the lstm model with its {@link LanguageModelTrainer}. T_train and T_val are the study's where
 * given, else each trainer's default (5 : 1 for images, 2 : 1 for the language model).
 */
export function buildTrialRun(config: StudyConfig, method: NnMethod, seed: number, runSeed: number, epochs: number, cache: DataCache): { model: StnNetwork; space: HyperSpace; trainer: Trainer | LanguageModelTrainer } {
  const run = trialTuneConfig(config, method, runSeed, epochs);
  const steps = { ...(config.trainSteps === undefined ? {} : { trainSteps: config.trainSteps }), ...(config.valSteps === undefined ? {} : { valSteps: config.valSteps }) };
  if (config.model === 'lstm') return buildLanguageModelRun(run, { data: textDataFor(config, seed, cache), ...steps });
  const { model, space } = buildModel(run);
  try {
    const trainer = new Trainer(model, space, dataFor(config, seed, cache), { method, epochs, batchSize: run.batchSize, warmupEpochs: run.warmupEpochs, lrWeights: run.lrWeights, lrHyper: run.lrHyper, seed: runSeed, ...steps, ...(run.entropyWeight === undefined ? {} : { entropyWeight: run.entropyWeight }), ...(run.lrResponse === undefined ? {} : { lrResponse: run.lrResponse }) });
    return { model, space, trainer };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoints
// ---------------------------------------------------------------------------------------------------------

/** What a trial needs to continue after its last finished epoch. */
export interface TrialCheckpoint {
  format: 'deltastn.trial-checkpoint';
  version: 1;
  /** The epochs finished so far (their records, as the final record will hold them). */
  epochs: EpochPoint[];
  trajectory: TrajectoryPoint[];
  /** Search: the suggested point (kept, never re-proposed). */
  u?: number[];
  /** Seconds the trial had run when the checkpoint was taken. */
  elapsed: number;
  state: TrainerState;
}

const ARRAY_FIELDS = ['weights', 'generalMomentum', 'responseMomentum'] as const;

/**
 * A checkpoint as text: JSON, each float32 array as the base64 of its bytes, non-finite numbers (the trainer's
 * initial best validation loss is +∞) as `{"$n": "Infinity"}`. {@link decodeTrialCheckpoint} inverts it exactly.
 */
export function encodeTrialCheckpoint(cp: TrialCheckpoint): string {
  const arrays = Object.fromEntries(ARRAY_FIELDS.map((f) => [f, cp.state[f].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'))]));
  return JSON.stringify({ ...cp, state: { ...cp.state, ...arrays } }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $n: String(v) } : v));
}

/**
 * Inverse of {@link encodeTrialCheckpoint}.
 * @throws InvalidArgumentError naming `checkpoint` when the text is not one.
 */
export function decodeTrialCheckpoint(text: string): TrialCheckpoint {
  let v: TrialCheckpoint & { state: Record<string, unknown> };
  try {
    v = JSON.parse(text, (_k, x: unknown) => (typeof x === 'object' && x !== null && '$n' in x && Object.keys(x).length === 1 ? Number((x as { $n: string }).$n) : x)) as typeof v;
  } catch (e) {
    throw new InvalidArgumentError('checkpoint', 'the JSON text of a trial checkpoint', (e as Error).message);
  }
  if (v?.format !== 'deltastn.trial-checkpoint' || !Array.isArray(v.epochs) || typeof v.state !== 'object' || v.state === null) throw new InvalidArgumentError('checkpoint', 'a deltastn.trial-checkpoint', String(v?.format));
  const state = { ...v.state } as Record<string, unknown>;
  for (const f of ARRAY_FIELDS) {
    const list = state[f];
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw new InvalidArgumentError(`checkpoint.state.${f}`, 'base64 float32 arrays', typeof list);
    state[f] = list.map((s: string) => {
      const b = Buffer.from(s, 'base64');
      if (b.byteLength % 4 !== 0) throw new InvalidArgumentError(`checkpoint.state.${f}`, 'a whole number of float32 values', b.byteLength);
      const out = new Float32Array(b.byteLength / 4);
      new Uint8Array(out.buffer).set(b);
      return out;
    });
  }
  return { ...v, state: state as unknown as TrainerState };
}

// ---------------------------------------------------------------------------------------------------------
// One trial
// ---------------------------------------------------------------------------------------------------------

/** How one trial is run (see {@link runTrial}). */
export interface TrialContext {
  backend: string;
  /** The worker thread (0: the main thread of its process). */
  thread: number;
  data: DataCache;
  /**
   * The history a search strategy proposes from (finished trials of this method and seed, and for Bayesian
   * optimization the points in flight with their lie; see study.ts). Called once, after the model is built.
   */
  history?: () => Trial[] | Promise<Trial[]>;
  /** Continue from this checkpoint (a reclaimed trial). */
  resume?: TrialCheckpoint;
  /** After every finished epoch; `checkpoint()` takes one (the trainer's snapshot). Resolving false abandons the trial. */
  onEpoch?: (point: EpochPoint, checkpoint: () => Promise<TrialCheckpoint>) => boolean | void | Promise<boolean | void>;
  /** Called once the point u is known (search: suggested or restored), before training. */
  onPoint?: (u: number[]) => void | Promise<void>;
  /** Called every step (cheap; e.g. a throttled heartbeat). */
  onStep?: () => void;
}

/** Thrown out of {@link runTrial} when `onEpoch` resolves false: the trial was abandoned (its claim was lost). */
export class TrialAbandoned extends Error {
  constructor() {
    super('trial abandoned: its claim was lost');
    this.name = 'TrialAbandoned';
  }
}

/**
 * Trains one run or trial and returns its record (see study.ts's module remarks for what it computes).
 * @throws TrialAbandoned when `context.onEpoch` resolves false.
 */
export async function runTrial(config: StudyConfig, ref: TrialRef, plannedEpochs: number, context: TrialContext): Promise<TrialRecord> {
  const { method, seed, trial } = ref;
  const resume = context.resume;
  const t0 = performance.now() - (resume?.elapsed ?? 0) * 1000;
  const search = isSearchMethod(method);
  const runSeed = runSeedOf(method, seed, trial);
  const nnMethod: NnMethod = search ? 'fixed' : method;
  const { model, space, trainer } = buildTrialRun(config, nnMethod, seed, runSeed, plannedEpochs, context.data);
  const epochs: EpochPoint[] = resume ? [...resume.epochs] : [];
  const trajectory: TrajectoryPoint[] = resume ? [...resume.trajectory] : [];
  let stopped: string | undefined;
  const first = search ? trial * config.trialEpochs : 0;
  let u: number[] | undefined = resume?.u;
  try {
    if (resume) trainer.restore(resume.state);
    else if (search) {
      u = await suggestPoint(method, seed, trial, space, context);
      trainer.state.lambda = hyperValuesToLambda(space, unitToHyperValues(space, u));
    } else trajectory.push({ t: 0, lambda: [...trainer.state.lambda], rawScale: [...trainer.state.rawScale] });
    if (u) await context.onPoint?.(u);
    while (!trainer.done()) {
      const e = trainer.state.epoch;
      const mark = trajectory.length;
      const res = await trainer.runEpochAsync((done, total) => {
        context.onStep?.();
        // About ten points of λ and s per epoch: enough for a schedule, small enough for a JSON line.
        if (!search && (done % Math.max(1, Math.floor(total / 10)) === 0 || done === total)) trajectory.push({ t: e + done / total, lambda: [...trainer.state.lambda], rawScale: [...trainer.state.rawScale] });
      });
      if ('stopped' in res) {
        stopped = res.stopped;
        trajectory.length = mark; // points of the abandoned epoch describe a state that was rolled back
        break;
      }
      const point: EpochPoint = {
        epoch: res.epoch,
        cumEpochs: first + res.epoch + 1,
        seconds: res.seconds,
        elapsed: (performance.now() - t0) / 1000,
        train: res.train,
        val: res.val,
        test: res.test,
        hyper: res.hyper,
        lambda: res.lambda,
        rawScale: res.rawScale,
      };
      epochs.push(point);
      if (context.onEpoch) {
        const take = async (): Promise<TrialCheckpoint> => ({ format: 'deltastn.trial-checkpoint', version: 1, epochs: [...epochs], trajectory: [...trajectory], ...(u ? { u } : {}), elapsed: (performance.now() - t0) / 1000, state: await trainer.snapshotAsync() });
        if ((await context.onEpoch(point, take)) === false) throw new TrialAbandoned();
      }
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  const values = space.hyperValues(trainer.state.lambda);
  const hyper: Record<string, number> = {};
  space.names.forEach((n, k) => {
    hyper[n] = values[k];
  });
  const vals = epochs.map((p) => p.val.loss);
  return {
    format: 'deltastn.trial',
    version: 1,
    method,
    seed,
    trial,
    runSeed,
    nnMethod,
    plannedEpochs,
    ...(u ? { u } : {}),
    hyper,
    bestVal: vals.length > 0 ? Math.min(...vals) : null,
    epochs,
    ...(search ? {} : { trajectory }),
    ...(stopped ? { stopped } : {}),
    wallSeconds: (performance.now() - t0) / 1000,
    finishedAt: new Date().toISOString(),
    backend: context.backend,
    thread: context.thread,
    space: space.toJSON(),
  };
}

/**
 * The point u of search trial `trial`: the strategy's proposal from `context.history()` with the trial's own
 * stream `new Rng(deriveSeed(seed, method + ':suggest', trial))`. Random search ignores the history, so trial i's
 * point does not depend on scheduling.
 */
async function suggestPoint(method: StudyMethod, seed: number, trial: number, space: HyperSpace, context: TrialContext): Promise<number[]> {
  const suggester: Suggester = method === 'random' ? randomSearch(space.h) : bayesianOptimization(space.h);
  const history = method === 'random' ? [] : ((await context.history?.()) ?? []);
  return suggester.suggest(history, new Rng(deriveSeed(seed, `${method}:suggest`, trial)));
}
