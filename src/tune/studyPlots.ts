/**
 * The plots of a comparison study (SVG, drawn by src/report/plot.ts from the data given) and the writer of a
 * study's outputs (`summary.json`, `table.md`, the plots).
 *
 * @remarks
 * Split out of study.ts (issue 13); study.ts re-exports everything here.
 */
import { join } from 'node:path';
import { HyperSpace } from '../nn/hyper.js';
import { lineChart, SERIES_COLORS, type BandSpec, type SeriesSpec, type RuleSpec } from '../report/plot.js';
import { writeFileAtomic } from '../stateFiles.js';
import { STUDY_METHODS, isSearchMethod, type StudyConfig, type StudyMethod } from './studyConfig.js';
import type { TrajectoryPoint, TrialRecord } from './studyRecords.js';
import { recordsOf, seedOutcome, studyTableMarkdown, summarizeStudy, type SeedOutcome, type StudySummary } from './studySummary.js';

/** A curve point: cumulative epochs, cumulative wall seconds, validation loss. */
export interface CurvePoint {
  epochs: number;
  seconds: number;
  val: number;
}

/**
 * One method's validation curve for one seed: per epoch for a hypernetwork run; best so far over every
 * epoch of every trial for a search, with wall time accumulated over the trials in trial order.
 */
export function validationCurve(recs: readonly TrialRecord[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  let offset = 0;
  let best = Infinity;
  for (const r of [...recs].sort((a, b) => a.trial - b.trial)) {
    const search = isSearchMethod(r.method);
    for (const p of r.epochs) {
      best = Math.min(best, p.val.loss);
      out.push({ epochs: p.cumEpochs, seconds: offset + p.elapsed, val: search ? best : p.val.loss });
    }
    offset += r.wallSeconds;
  }
  return out;
}

/** Pointwise mean of aligned sequences, cut to the shortest. */
function meanAligned(seqs: number[][]): number[] {
  if (seqs.length === 0) return [];
  const n = Math.min(...seqs.map((s) => s.length));
  return Array.from({ length: n }, (_, i) => seqs.reduce((a, s) => a + s[i], 0) / seqs.length);
}

/**
 * One hyperparameter's schedule under one hypernetwork method, over the seeds that ran it (aligned by index and cut
 * to the shortest, as every curve here): at each time t_i, with per seed s the value v_s = T(λ_{s,t}) and the σ
 * band ends a_s = T(λ_{s,t} − σ_{s,t}), b_s = T(λ_{s,t} + σ_{s,t}) (T the hyperparameter's transform, floored when
 * discrete: monotone, so min(a_s, b_s) ≤ v_s ≤ max(a_s, b_s); σ = softplus(rawScale), docs/math.md#s1-4):
 * `value[i]` = mean_s v_s, `low[i]` = mean_s min(a_s, b_s), `high[i]` = mean_s max(a_s, b_s) (the σ band of the
 * mean: one seed's own band when there is one), `seedMin[i]`/`seedMax[i]` = min_s/max_s v_s.
 */
export interface ScheduleBand {
  method: StudyMethod;
  /** The hyperparameter's name. */
  name: string;
  /** How many seeds the means are over. */
  seeds: number;
  t: number[];
  value: number[];
  low: number[];
  high: number[];
  seedMin: number[];
  seedMax: number[];
}

/**
 * The {@link ScheduleBand} of every hyperparameter of `space` from `perSeed` (one λ trajectory per seed: a
 * record's `trajectory`, or its epoch ends). Empty when no seed has a point.
 */
export function scheduleBands(space: HyperSpace, method: StudyMethod, perSeed: readonly (readonly TrajectoryPoint[])[]): ScheduleBand[] {
  const seqs = perSeed.filter((p) => p.length > 0);
  if (seqs.length === 0) return [];
  const n = Math.min(...seqs.map((p) => p.length));
  const at = (i: number): TrajectoryPoint[] => seqs.map((p) => p[i]);
  return space.names.map((name, k) => {
    const band: ScheduleBand = { method, name, seeds: seqs.length, t: [], value: [], low: [], high: [], seedMin: [], seedMax: [] };
    for (let i = 0; i < n; i++) {
      const qs = at(i);
      const v = qs.map((q) => space.hyperValue(k, q.lambda[k]));
      const ends = qs.map((q) => {
        const sigma = space.scale(q.rawScale)[k];
        const a = space.hyperValue(k, q.lambda[k] - sigma);
        const b = space.hyperValue(k, q.lambda[k] + sigma);
        return [Math.min(a, b), Math.max(a, b)];
      });
      const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;
      band.t.push(mean(qs.map((q) => q.t)));
      band.value.push(mean(v));
      band.low.push(mean(ends.map((e) => e[0])));
      band.high.push(mean(ends.map((e) => e[1])));
      band.seedMin.push(Math.min(...v));
      band.seedMax.push(Math.max(...v));
    }
    return band;
  });
}

/**
 * The schedules of every hypernetwork method of the study ({@link scheduleBands}), from each run's λ trajectory
 * (`'trajectory'`, every recorded step: the plots) or from its epoch ends (`'epochs'`, t = training epochs done:
 * small enough for a result file).
 */
export function studyScheduleBands(config: StudyConfig, records: readonly TrialRecord[], source: 'trajectory' | 'epochs' = 'trajectory'): ScheduleBand[] {
  const out: ScheduleBand[] = [];
  for (const m of config.methods) {
    if (isSearchMethod(m)) continue;
    const recs = config.seeds.map((s) => recordsOf(records, m, s)[0]).filter((r): r is TrialRecord => r !== undefined);
    if (recs.length === 0) continue;
    const space = HyperSpace.fromJSON(recs[0].space);
    const perSeed = recs.map((r) => (source === 'trajectory' ? (r.trajectory ?? []) : r.epochs.map((p) => ({ t: p.cumEpochs, lambda: p.lambda, rawScale: p.rawScale }))));
    out.push(...scheduleBands(space, m, perSeed));
  }
  return out;
}

/**
 * A schedule plot's series and bands for the {@link ScheduleBand}s of one hyperparameter: per method the line
 * mean_s T(λ_t), its σ band shaded, and with several seeds the min–max over seeds lighter and outlined.
 */
export function scheduleSeries(bands: readonly ScheduleBand[], colorOf: (m: StudyMethod) => string): { series: SeriesSpec[]; bands: BandSpec[] } {
  const series: SeriesSpec[] = [];
  const shaded: BandSpec[] = [];
  for (const b of bands) {
    if (b.t.length === 0) continue;
    const color = colorOf(b.method);
    series.push({ name: b.seeds > 1 ? `${b.method} (mean of ${b.seeds} seeds)` : b.method, color, points: b.t.map((t, i) => [t, b.value[i]] as [number, number]) });
    shaded.push({ name: `${b.method}: T(λ ± σ)`, color, opacity: 0.2, points: b.t.map((t, i) => [t, b.low[i], b.high[i]] as [number, number, number]) });
    if (b.seeds > 1) shaded.push({ name: `${b.method}: min–max over seeds`, color, opacity: 0.06, outline: true, points: b.t.map((t, i) => [t, b.seedMin[i], b.seedMax[i]] as [number, number, number]) });
  }
  return { series, bands: shaded };
}

/** One SVG plot of a study. */
export interface StudyPlot {
  /** File name (`…svg`). */
  file: string;
  title: string;
  svg: string;
}

/**
 * The study's plots (each curve the mean over seeds, point by point):
 * - `val-loss-epochs.svg`, `val-loss-time.svg`: validation loss against training epochs and against wall time
 *   for every method (search methods: best so far);
 * - `schedule-<name>.svg`: each hyperparameter's T(λ) during training for every hypernetwork method with its σ
 *   band T(λ − σ) … T(λ + σ) shaded (several seeds: the mean's, and the min–max over seeds lighter; see
 *   {@link ScheduleBand}), and the search methods' best values as reference lines;
 * - `lambda-<method>.svg`: λ (unconstrained) with λ ± σ dashed, per hypernetwork method.
 */
export function studyPlots(config: StudyConfig, records: readonly TrialRecord[]): StudyPlot[] {
  const plots: StudyPlot[] = [];
  const present = config.methods.filter((m) => config.seeds.some((s) => recordsOf(records, m, s).some((r) => r.epochs.length > 0)));
  const colorOf = (m: StudyMethod): string => SERIES_COLORS[STUDY_METHODS.indexOf(m) % SERIES_COLORS.length];
  const curves = present.map((m) => {
    const per = config.seeds.map((s) => validationCurve(recordsOf(records, m, s))).filter((c) => c.length > 0);
    const epochs = meanAligned(per.map((c) => c.map((p) => p.epochs)));
    const seconds = meanAligned(per.map((c) => c.map((p) => p.seconds)));
    const val = meanAligned(per.map((c) => c.map((p) => p.val)));
    return { method: m, epochs, seconds, val };
  });
  const name = (m: StudyMethod): string => (isSearchMethod(m) ? `${m} (best so far)` : m);
  // The seeds a curve is the mean of: those with a record so far (a study still running has fewer than planned).
  const nSeeds = Math.max(0, ...present.map((m) => config.seeds.filter((s) => recordsOf(records, m, s).length > 0).length));
  const suffix = nSeeds > 1 ? ` (each method: the mean over its seeds run, up to ${nSeeds})` : '';
  if (curves.length > 0) {
    const series = (x: 'epochs' | 'seconds'): SeriesSpec[] => curves.map((c) => ({ name: name(c.method), color: colorOf(c.method), points: c.val.map((v, i) => [c[x][i], v] as [number, number]) }));
    plots.push({ file: 'val-loss-epochs.svg', title: 'Validation loss vs training epochs', svg: lineChart({ title: `Validation loss vs training epochs${suffix}`, x: { label: 'training epochs' }, y: { label: 'validation loss' }, series: series('epochs') }) });
    plots.push({ file: 'val-loss-time.svg', title: 'Validation loss vs wall time', svg: lineChart({ title: `Validation loss vs wall time${suffix}`, x: { label: 'wall time (s)' }, y: { label: 'validation loss' }, series: series('seconds') }) });
  }
  const hyperMethods = present.filter((m) => !isSearchMethod(m));
  const anyRecord = records.find((r) => present.includes(r.method));
  if (hyperMethods.length > 0 && anyRecord) {
    const space = HyperSpace.fromJSON(anyRecord.space);
    const traj = hyperMethods.map((m) => {
      const per = config.seeds.map((s) => recordsOf(records, m, s)[0]?.trajectory ?? []).filter((t) => t.length > 0);
      const t = meanAligned(per.map((p) => p.map((q) => q.t)));
      const coord = (k: number, f: (q: TrajectoryPoint) => number): number[] => meanAligned(per.map((p) => p.map(f)));
      const lambda = space.names.map((_, k) => coord(k, (q) => q.lambda[k]));
      const sigma = space.names.map((_, k) => coord(k, (q) => space.scale(q.rawScale)[k]));
      return { method: m, t, lambda, sigma };
    });
    const searchBest = present.filter(isSearchMethod).map((m) => {
      const outs = config.seeds.map((s) => seedOutcome(m, s, recordsOf(records, m, s))).filter((o): o is SeedOutcome => o !== null);
      return { method: m, hyper: outs };
    });
    const bands = studyScheduleBands(config, records, 'trajectory');
    space.names.forEach((hname) => {
      const { series, bands: shaded } = scheduleSeries(
        bands.filter((b) => b.name === hname),
        colorOf,
      );
      if (series.length === 0) return;
      const rules: RuleSpec[] = searchBest.filter((sb) => sb.hyper.length > 0).map((sb) => ({ y: sb.hyper.reduce((a, o) => a + o.hyper[hname], 0) / sb.hyper.length, label: `${sb.method} best` }));
      const safe = hname.replace(/[^A-Za-z0-9_-]/g, '_');
      plots.push({
        file: `schedule-${safe}.svg`,
        title: `Schedule of ${hname}`,
        svg: lineChart({ title: `${hname} during training: T(λ), shaded T(λ − σ) … T(λ + σ)`, x: { label: 'epoch' }, y: { label: `${hname} (its own units)` }, series, bands: shaded, rules, height: 440 }),
      });
    });
    for (const tr of traj) {
      if (tr.t.length === 0) continue;
      const series: SeriesSpec[] = [];
      space.names.forEach((hname, k) => {
        const color = SERIES_COLORS[k % SERIES_COLORS.length];
        series.push({ name: `λ ${hname}`, color, points: tr.t.map((t, i) => [t, tr.lambda[k][i]] as [number, number]) });
        series.push({ name: `${hname} −σ`, color, dashed: true, points: tr.t.map((t, i) => [t, tr.lambda[k][i] - tr.sigma[k][i]] as [number, number]) });
        series.push({ name: `${hname} +σ`, color, dashed: true, points: tr.t.map((t, i) => [t, tr.lambda[k][i] + tr.sigma[k][i]] as [number, number]) });
      });
      plots.push({ file: `lambda-${tr.method}.svg`, title: `λ ± σ of ${tr.method}`, svg: lineChart({ title: `${tr.method}: λ (unconstrained) with λ ± σ dashed${suffix}`, x: { label: 'epoch' }, y: { label: 'λ' }, series, height: 460 }) });
    }
  }
  return plots;
}

/** Writes `summary.json`, `table.md` and the plots of {@link studyPlots} into `dir`, each atomically. */
export function writeStudyOutputs(dir: string, config: StudyConfig, records: readonly TrialRecord[], summary: StudySummary = summarizeStudy(config, records)): StudyPlot[] {
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileAtomic(join(dir, 'table.md'), studyTableMarkdown(summary));
  const plots = studyPlots(config, records);
  for (const p of plots) writeFileAtomic(join(dir, p.file), p.svg + '\n');
  return plots;
}
