/**
 * Reads the JSON outputs of `deltastn tune` and `deltastn compare` into flat rows for plotting.
 *
 * @remarks
 * Recognised files, by content (not by name):
 * - a tune run's `log.jsonl`: one `EpochLog` per line (`epoch`, `method`, `train`, `val`, `hyper`, …);
 * - a tune run's `summary.json`: `{config, backend, epochs, final}`;
 * - a compare study's `trials.jsonl`: one `{format: "deltastn.trial", …}` record per line;
 * - a compare study's `summary.json`: `{format: "deltastn.study-summary", methods: […]}`.
 * Anything else, and any line that does not parse, is reported in `warnings` and skipped. Pure functions, no
 * DOM: the browser test reads the bundled sample with them too.
 */

/** A file's name (its path inside a picked directory, when there is one) and its text. */
export interface RunFile {
  name: string;
  text: string;
}

/** One epoch of one run. */
export interface EpochRow {
  run: string;
  method: string;
  /** Epoch number on the run's x axis (1-based; for study trials, the cumulative training epochs). */
  epoch: number;
  trainLoss: number;
  valLoss: number;
  testLoss: number | null;
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number | null;
}

/** One hyperparameter at the end of one epoch: its value T(λ) and perturbation scale σ. */
export interface HyperRow {
  run: string;
  epoch: number;
  name: string;
  value: number;
  scale: number;
}

/** Per-run information from a tune `summary.json`. */
export interface RunInfo {
  run: string;
  method: string;
  model?: string;
  dataset?: string;
  backend?: string;
  epochs: number;
  finalValLoss: number | null;
  finalTestAccuracy: number | null;
}

/** A compare study's method row, as far as the notebook uses it. */
export interface StudyMethodRow {
  method: string;
  kind: string;
  bestValMean: number;
  bestValStd: number | null;
  testAccuracyMean: number;
  testAccuracyStd: number | null;
  testAccuracyValues: number[];
  epochsMean: number;
  wallSecondsMean: number;
  complete: boolean;
}

/** Everything read from a set of files. */
export interface LoadedRuns {
  epochs: EpochRow[];
  hypers: HyperRow[];
  runs: RunInfo[];
  /** The compare study's summary, one row per method; null when no study summary was given. */
  study: StudyMethodRow[] | null;
  warnings: string[];
}

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const evaluation = (x: unknown): { loss: number; accuracy: number } | null => {
  if (!isObject(x)) return null;
  const loss = num(x.loss);
  const accuracy = num(x.accuracy);
  return loss === null || accuracy === null ? null : { loss, accuracy };
};

/** The directory part of a path ("" for a bare name). */
function dirname(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

function epochLine(x: Json): boolean {
  return typeof x.epoch === 'number' && isObject(x.train) && isObject(x.val) && isObject(x.hyper);
}

function pushEpoch(out: LoadedRuns, run: string, method: string, epoch: number, x: Json): void {
  const train = evaluation(x.train);
  const val = evaluation(x.val);
  if (!train || !val) {
    out.warnings.push(`${run}: epoch ${epoch} has no train/val loss and accuracy`);
    return;
  }
  const test = evaluation(x.test);
  out.epochs.push({ run, method, epoch, trainLoss: train.loss, valLoss: val.loss, testLoss: test?.loss ?? null, trainAccuracy: train.accuracy, valAccuracy: val.accuracy, testAccuracy: test?.accuracy ?? null });
  const hyper = isObject(x.hyper) ? x.hyper : {};
  for (const [name, h] of Object.entries(hyper)) {
    if (!isObject(h)) continue;
    const value = num(h.value);
    const scale = num(h.scale);
    if (value !== null) out.hypers.push({ run, epoch, name, value, scale: scale ?? NaN });
  }
}

function stat(x: unknown): { mean: number; std: number | null; values: number[] } {
  if (!isObject(x)) return { mean: NaN, std: null, values: [] };
  const values = Array.isArray(x.values) ? x.values.filter((v): v is number => typeof v === 'number') : [];
  return { mean: num(x.mean) ?? NaN, std: num(x.std), values };
}

function readStudySummary(x: Json): StudyMethodRow[] {
  const methods = Array.isArray(x.methods) ? x.methods.filter(isObject) : [];
  return methods.map((m) => {
    const bestVal = stat(m.bestVal);
    const acc = stat(m.testAccuracy);
    return {
      method: String(m.method),
      kind: String(m.kind ?? ''),
      bestValMean: bestVal.mean,
      bestValStd: bestVal.std,
      testAccuracyMean: acc.mean,
      testAccuracyStd: acc.std,
      testAccuracyValues: acc.values,
      epochsMean: stat(m.epochs).mean,
      wallSecondsMean: stat(m.wallSeconds).mean,
      complete: m.complete === true,
    };
  });
}

/**
 * Parses `files` (see the module remarks). A tune run is named by its directory (or its file name when it has
 * none) and its method; a study trial by method, seed and trial.
 */
export function parseRunFiles(files: readonly RunFile[]): LoadedRuns {
  const out: LoadedRuns = { epochs: [], hypers: [], runs: [], study: null, warnings: [] };
  const summaries: { dir: string; x: Json }[] = [];
  for (const file of files) {
    const text = file.text.trim();
    if (text.length === 0) {
      out.warnings.push(`${file.name}: empty`);
      continue;
    }
    let whole: unknown;
    try {
      whole = JSON.parse(text);
    } catch {
      whole = undefined;
    }
    if (isObject(whole)) {
      if (whole.format === 'deltastn.study-summary') out.study = [...(out.study ?? []), ...readStudySummary(whole)];
      else if (isObject(whole.config) && 'final' in whole) summaries.push({ dir: dirname(file.name), x: whole });
      else out.warnings.push(`${file.name}: not a tune or compare output (a JSON object without the expected fields)`);
      continue;
    }
    // JSON lines: a tune log or a study's trials.
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim().length === 0) continue;
      let x: unknown;
      try {
        x = JSON.parse(line);
      } catch {
        bad++;
        continue;
      }
      if (!isObject(x)) {
        bad++;
        continue;
      }
      if (x.format === 'deltastn.trial' && Array.isArray(x.epochs)) {
        const method = String(x.method);
        const run = `${method} · seed ${String(x.seed)}${typeof x.trial === 'number' && x.trial > 0 ? ` · trial ${x.trial}` : ''}`;
        for (const p of x.epochs.filter(isObject)) pushEpoch(out, run, method, num(p.cumEpochs) ?? (num(p.epoch) ?? 0) + 1, p);
      } else if (epochLine(x)) {
        const method = String(x.method ?? '?');
        const dir = dirname(file.name);
        const run = dir ? `${dir} (${method})` : `${file.name} (${method})`;
        pushEpoch(out, run, method, (x.epoch as number) + 1, x);
      } else bad++;
    }
    if (bad > 0) out.warnings.push(`${file.name}: ${bad} line${bad === 1 ? '' : 's'} not recognised, skipped`);
  }
  for (const { dir, x } of summaries) {
    const config = x.config as Json;
    const final = isObject(x.final) ? x.final : null;
    const method = String(config.method ?? '?');
    out.runs.push({
      run: dir ? `${dir} (${method})` : method,
      method,
      model: typeof config.model === 'string' ? config.model : undefined,
      dataset: typeof config.dataset === 'string' ? config.dataset : undefined,
      backend: typeof x.backend === 'string' ? x.backend : undefined,
      epochs: num(x.epochs) ?? 0,
      finalValLoss: final ? (evaluation(final.val)?.loss ?? null) : null,
      finalTestAccuracy: final ? (evaluation(final.test)?.accuracy ?? null) : null,
    });
  }
  return out;
}
