/**
 * The records of a comparison study: one {@link TrialRecord} per finished run or trial (a row of the study store,
 * a line of the `trials.jsonl` export), the check that a parsed value is one, and the JSONL reader.
 *
 * @remarks
 * Split out of study.ts (issue 13); study.ts re-exports everything here.
 */
import { HyperSpace, type HyperSpaceJSON } from '../nn/hyper.js';
import type { EpochLog, NnMethod } from '../nn/trainer.js';
import { readJsonLines } from '../stateFiles.js';
import { isStudyMethod, type StudyMethod } from './studyConfig.js';

/**
 * One epoch of a run or trial: the trainer's epoch record ({@link EpochLog}: the three sets' loss and accuracy, each
 * hyperparameter's T(λ) and σ at the end of the epoch, λ and the raw scales, the epoch's seconds) with the study's
 * clocks added.
 */
export interface EpochPoint extends Pick<EpochLog, 'epoch' | 'seconds' | 'train' | 'val' | 'test' | 'hyper' | 'lambda' | 'rawScale'> {
  /** Training epochs of this method and seed up to the end of this epoch (earlier trials' planned epochs + epoch + 1). */
  cumEpochs: number;
  /** Seconds since the run or trial started (model building included) at the end of this epoch. */
  elapsed: number;
}

/** λ and s during training (hypernetwork methods): `t` is fractional epochs (epoch + steps done / steps). */
export interface TrajectoryPoint {
  t: number;
  lambda: number[];
  rawScale: number[];
}

/** One finished run (hypernetwork method) or trial (search method): one line of `trials.jsonl`. */
export interface TrialRecord {
  format: 'deltastn.trial';
  version: 1;
  method: StudyMethod;
  seed: number;
  trial: number;
  /** The model's and the trainer's seed: `runSeedOf(method, seed, trial)` (studyConfig.ts; paired across the hypernetwork methods). */
  runSeed: number;
  nnMethod: NnMethod;
  plannedEpochs: number;
  /** Search only: the point u ∈ [0, 1]^h the suggester proposed. */
  u?: number[];
  /** Hyperparameters in their own units: the trial's (search) or the final T(λ) (hypernetwork). */
  hyper: Record<string, number>;
  /** min over epochs of the validation loss; null if no epoch finished. */
  bestVal: number | null;
  epochs: EpochPoint[];
  trajectory?: TrajectoryPoint[];
  /** Why training stopped early (a non-finite loss), if it did. */
  stopped?: string;
  wallSeconds: number;
  finishedAt: string;
  backend: string;
  /** The worker thread that ran it (0: the main thread). */
  thread: number;
  space: HyperSpaceJSON;
}

/** The key of a run or trial: `method|seed|trial`. */
export const trialKey = (method: string, seed: number, trial: number): string => `${method}|${seed}|${trial}`;

const isNum = (x: unknown): x is number => typeof x === 'number';
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isEval = (x: unknown): boolean => isObj(x) && isNum(x.loss) && isNum(x.accuracy);
const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNum);

/**
 * Whether a parsed `trials.jsonl` line is a {@link TrialRecord}: the fields the summary, the plots and the report
 * read, each of its type (`{}`, `42`, `null` or an edited line are not).
 */
export function isTrialRecord(x: unknown): x is TrialRecord {
  if (!isObj(x)) return false;
  const r = x;
  if (r.format !== 'deltastn.trial' || !isStudyMethod(r.method) || !Number.isSafeInteger(r.seed) || (r.seed as number) < 0 || !Number.isSafeInteger(r.trial) || (r.trial as number) < 0) return false;
  if (!Array.isArray(r.epochs) || !isObj(r.hyper) || !Object.values(r.hyper).every(isNum) || !isNum(r.wallSeconds)) return false;
  if (!(r.bestVal === null || isNum(r.bestVal)) || (r.u !== undefined && !isNumbers(r.u)) || (r.stopped !== undefined && typeof r.stopped !== 'string')) return false;
  let h: number;
  try {
    h = HyperSpace.fromJSON(r.space as unknown as HyperSpaceJSON).h; // the plots rebuild the space from it
  } catch {
    return false;
  }
  if (Object.keys(r.hyper).length !== h || (r.u !== undefined && r.u.length !== h)) return false;
  const pointOk = (p: unknown): boolean =>
    isObj(p) && isNum(p.epoch) && isNum(p.cumEpochs) && isNum(p.seconds) && isNum(p.elapsed) && isEval(p.train) && isEval(p.val) && (p.test === undefined || isEval(p.test)) && isObj(p.hyper) && Object.values(p.hyper).every((v) => isObj(v) && isNum(v.value) && isNum(v.scale));
  if (!r.epochs.every(pointOk)) return false;
  if (r.trajectory !== undefined && !(Array.isArray(r.trajectory) && r.trajectory.every((q) => isObj(q) && isNum(q.t) && isNumbers(q.lambda) && q.lambda.length === h && isNumbers(q.rawScale) && q.rawScale.length === h))) return false;
  return typeof r.backend === 'string';
}

/**
 * Reads `trials.jsonl`: every record line. A torn line (a kill mid-write) or a foreign one (not a
 * {@link isTrialRecord}) is skipped and counted in `bad`; a repeated (method, seed, trial) keeps its first record.
 * @throws StateFileError naming `argument` when the file exists but cannot be read (a directory, …).
 */
export function readTrials(path: string, argument = '--out'): { records: TrialRecord[]; bad: number } {
  const { records: all, bad } = readJsonLines(path, argument, isTrialRecord, { missingIsEmpty: true });
  const records: TrialRecord[] = [];
  const seen = new Set<string>();
  for (const r of all) {
    const k = trialKey(r.method, r.seed, r.trial);
    if (seen.has(k)) continue;
    seen.add(k);
    records.push(r);
  }
  return { records, bad };
}
