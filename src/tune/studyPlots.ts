/**
 * The plots of a comparison study (SVG, drawn by src/report/plot.ts from the data given) and the writer of a
 * study's outputs (`summary.json`, `table.md`, the plots).
 *
 * @remarks
 * Split out of study.ts (issue 13); study.ts re-exports everything here.
 */
import { join } from 'node:path';
import { HyperSpace } from '../nn/hyper.js';
import { lineChart, SERIES_COLORS, type SeriesSpec, type RuleSpec } from '../report/plot.js';
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
 * - `schedule-<name>.svg`: each hyperparameter's T(λ) during training for every hypernetwork method, with the
 *   search methods' best values as reference lines;
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
  const nSeeds = config.seeds.length;
  const suffix = nSeeds > 1 ? ` (mean of ${nSeeds} seeds)` : '';
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
      const value = space.names.map((_, k) => coord(k, (q) => space.hyperValue(k, q.lambda[k])));
      return { method: m, t, lambda, sigma, value };
    });
    const searchBest = present.filter(isSearchMethod).map((m) => {
      const outs = config.seeds.map((s) => seedOutcome(m, s, recordsOf(records, m, s))).filter((o): o is SeedOutcome => o !== null);
      return { method: m, hyper: outs };
    });
    space.names.forEach((hname, k) => {
      const series: SeriesSpec[] = traj.filter((tr) => tr.t.length > 0).map((tr) => ({ name: tr.method, color: colorOf(tr.method), points: tr.t.map((t, i) => [t, tr.value[k][i]] as [number, number]) }));
      if (series.length === 0) return;
      const rules: RuleSpec[] = searchBest.filter((sb) => sb.hyper.length > 0).map((sb) => ({ y: sb.hyper.reduce((a, o) => a + o.hyper[hname], 0) / sb.hyper.length, label: `${sb.method} best` }));
      const safe = hname.replace(/[^A-Za-z0-9_-]/g, '_');
      plots.push({ file: `schedule-${safe}.svg`, title: `Schedule of ${hname}`, svg: lineChart({ title: `${hname} during training${suffix}`, x: { label: 'epoch' }, y: { label: `${hname} (its own units)` }, series, rules }) });
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
